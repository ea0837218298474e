/*
 * rec_data_int.h - private helpers shared by rec_data.c, rec_augment.c and
 * rec_strokes.c: a small seeded random generator (splitmix64) so that every
 * (sample, seed) pair is rendered the same on every run and every thread.
 */
#ifndef INKPIPE_REC_DATA_INT_H
#define INKPIPE_REC_DATA_INT_H

#include <math.h>
#include <stdint.h>

#include "recognize/rec_net_internal.h"
#include "train/train_data.h"
#include "train/train_strokes.h"

/* Image samples keep their ink crop at most this many pixels on a side. */
#define REC__CROP 64
/* Nominal pen of Chars74K trajectories, in tablet units: their pictures
 * are drawn with a pen of about 50 px where 1 tablet unit is ~1.65 px. */
#define REC__TRAJ_PEN 30.0f

/* One labelled sample of a RecSet. */
typedef struct {
    int label, writer, repeat;
    RecSampleKind kind;
    char *name;   /* owned */
    float *input; /* owned, REC_INPUT_SIZE^2: clean normalised */
    /* image kinds: ink coverage 0..255 of the ink box (+1 px margin) */
    unsigned char *cov; /* owned, cw x ch */
    int cw, ch;
    /* stroke kinds */
    RecStrokes strokes;
    float pen; /* nominal pen width, stroke units */
} RecSample;

struct RecSet {
    RecSample *s;
    int n, cap;
    int64_t *cum; /* cum[i] = sum of repeat over samples 0..i */
    /* kinds drawn by quota: quota[k] draws per epoch, with replacement,
     * from pool[k] (their repeat is 0 in cum) */
    int quota[REC_NKINDS];
    int *pool[REC_NKINDS];
    int npool[REC_NKINDS];
};


/* rec_augment.c: render a sample; aug NULL = the clean rendering used for
 * strokes' rec_set_input(). */
int rec__augment_render(const RecSample *s, const RecAugment *aug,
                        uint64_t seed, float *dst);

typedef struct {
    uint64_t s;
} RecDRng;

static inline uint64_t rec__dr_next(RecDRng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Mix two values into a seed (order matters). */
static inline uint64_t rec__dr_mix(uint64_t a, uint64_t b)
{
    RecDRng r = {a ^ (b * 0xD1B54A32D192ED03ULL)};
    rec__dr_next(&r);
    return rec__dr_next(&r);
}

/* Uniform in [0, 1). */
static inline float rec__dr_unif(RecDRng *r)
{
    return (float)(rec__dr_next(r) >> 40) * (1.0f / 16777216.0f);
}

/* Uniform in [a, b). */
static inline float rec__dr_range(RecDRng *r, float a, float b)
{
    return a + (b - a) * rec__dr_unif(r);
}

/* Standard normal (Box-Muller, one value per call). */
static inline float rec__dr_normal(RecDRng *r)
{
    float u = rec__dr_unif(r), v = rec__dr_unif(r);
    if (u < 1e-7f)
        u = 1e-7f;
    return sqrtf(-2.0f * logf(u)) * cosf(6.2831853f * v);
}

/* Integer in [0, n). */
static inline int rec__dr_int(RecDRng *r, int n)
{
    return (int)((rec__dr_next(r) >> 33) % (uint64_t)n);
}

#endif
