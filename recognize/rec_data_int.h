/*
 * rec_data_int.h - private helpers shared by rec_data.c, rec_augment.c and
 * rec_strokes.c: a small seeded random generator (splitmix64) so that every
 * (sample, seed) pair is rendered the same on every run and every thread.
 */
#ifndef INKPIPE_REC_DATA_INT_H
#define INKPIPE_REC_DATA_INT_H

#include <math.h>
#include <stdint.h>

typedef struct {
    uint64_t s;
} RecRng;

static inline uint64_t rec__rng_next(RecRng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Mix two values into a seed (order matters). */
static inline uint64_t rec__rng_mix(uint64_t a, uint64_t b)
{
    RecRng r = {a ^ (b * 0xD1B54A32D192ED03ULL)};
    rec__rng_next(&r);
    return rec__rng_next(&r);
}

/* Uniform in [0, 1). */
static inline float rec__rng_unif(RecRng *r)
{
    return (float)(rec__rng_next(r) >> 40) * (1.0f / 16777216.0f);
}

/* Uniform in [a, b). */
static inline float rec__rng_range(RecRng *r, float a, float b)
{
    return a + (b - a) * rec__rng_unif(r);
}

/* Standard normal (Box-Muller, one value per call). */
static inline float rec__rng_normal(RecRng *r)
{
    float u = rec__rng_unif(r), v = rec__rng_unif(r);
    if (u < 1e-7f)
        u = 1e-7f;
    return sqrtf(-2.0f * logf(u)) * cosf(6.2831853f * v);
}

/* Integer in [0, n). */
static inline int rec__rng_int(RecRng *r, int n)
{
    return (int)((rec__rng_next(r) >> 33) % (uint64_t)n);
}

#endif
