/*
 * train_data_int.h - private helpers shared by train_data.c,
 * train_augment.c and train_strokes.c: the sample record and the set.
 * Their random draws come from common/rng.h (splitmix64), seeded per
 * (sample, seed), so that every sample is rendered the same on every run
 * and every thread.
 */
#ifndef INKPIPE_REC_DATA_INT_H
#define INKPIPE_REC_DATA_INT_H

#include <math.h>
#include <stdint.h>

#include "common/rng.h"
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

#endif
