/*
 * rng.h - the project's seeded random numbers: splitmix64 and the few
 * recipes built on it (uniform, range, integers, normals, seed mixing).
 *
 * Files (prefix rng_): this header only (static inline: the generators sit
 * in the training and rendering inner loops).
 *
 * Design: every random draw in inkpipe (weight init, dropout, epoch
 * shuffles, augmentation, stroke jitter, composed test pages) comes from
 * splitmix64 (Steele, Lea, Flood 2014): a 64-bit counter stepped by the
 * golden ratio and finalised by two multiply-xorshift rounds. It is fast,
 * passes BigCrush, and gives the same numbers on every platform and
 * compiler, so a seed fixes a trained model or a page to the byte. An Rng
 * is a small value type (one uint64_t); copying it forks the stream.
 *
 * Several recipes do almost the same thing with different bits. They are
 * all kept, each named for what it does, because a trained model
 * (train --seed) and the composed test pages (tools/compose, tools/mkpage)
 * depend on them bit for bit; new code should pick the first of a group:
 *   uniform    rng_uniform   float, 24 bits            (training, dropout)
 *              rng_uniform_d double, 53 bits           (tools/compose)
 *   range      rng_range     float over rng_uniform    (augmentation)
 *              rng_range_d   double over rng_uniform_d (tools/compose)
 *   integer    rng_int       [0, n) from the top 31 bits  (augmentation)
 *              rng_int_in    [lo, hi] by next % span      (tools/compose)
 *   normal     rng_normal    float Box-Muller, 24-bit uniforms (strokes)
 *              rng_normal_fast  float, sum of four 16-bit uniforms
 *                            (approximate; augmentation noise fields)
 *              rng_normal_d  double Box-Muller, 53 bits, u1 in (0, 1]
 *                            (weight init)
 *              rng_normal_d_clamp  double Box-Muller, 53 bits, u1 clamped
 *                            to >= 1e-300 (tools/compose)
 *   seeds      rng_mix       one step of the stream seeded by a and b
 *              rng_mix2      the second step of that stream
 * rng_xorshift64() is a different generator (Marsaglia's xorshift64), kept
 * only because tools/mkpage draws the CLI tests' pages with it.
 *
 * Threading: an Rng belongs to one thread; the functions keep no state.
 */
#ifndef INKPIPE_RNG_H
#define INKPIPE_RNG_H

#include <math.h>
#include <stdint.h>

/* The state of one splitmix64 stream. Small value type: Rng r = {seed} is
 * the same as rng_seed(&r, seed). */
typedef struct {
    uint64_t s;
} Rng;

/* Start (or restart) the stream at seed; every seed is usable, 0 too. */
static inline void rng_seed(Rng *r, uint64_t seed)
{
    r->s = seed;
}

/* The next 64 random bits (splitmix64). */
static inline uint64_t rng_next(Rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform float in [0, 1): the top 24 bits, so every value is exact. */
static inline float rng_uniform(Rng *r)
{
    return (float)(rng_next(r) >> 40) * (1.0f / 16777216.0f);
}

/* Uniform double in [0, 1): the top 53 bits. */
static inline double rng_uniform_d(Rng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform float in [a, b) (a + (b - a) * rng_uniform). */
static inline float rng_range(Rng *r, float a, float b)
{
    return a + (b - a) * rng_uniform(r);
}

/* Uniform double in [lo, hi) (lo + (hi - lo) * rng_uniform_d). */
static inline double rng_range_d(Rng *r, double lo, double hi)
{
    return lo + (hi - lo) * rng_uniform_d(r);
}

/* Integer in [0, n), n >= 1: the top 31 bits modulo n (bias below 2^-31 *
 * n, nothing for the small n it is used for). */
static inline int rng_int(Rng *r, int n)
{
    return (int)((rng_next(r) >> 33) % (uint64_t)n);
}

/* Integer in [lo, hi], lo <= hi: all 64 bits modulo the span. */
static inline int rng_int_in(Rng *r, int lo, int hi)
{
    return lo + (int)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* Standard normal as a float: Box-Muller in float on two rng_uniform()
 * draws (u clamped to >= 1e-7 for the log); one value per call. */
static inline float rng_normal(Rng *r)
{
    float u = rng_uniform(r), v = rng_uniform(r);
    if (u < 1e-7f)
        u = 1e-7f;
    return sqrtf(-2.0f * logf(u)) * cosf(6.2831853f * v);
}

/* Approximately standard normal, cheap: the sum of the four 16-bit pieces
 * of one draw, centred and scaled (Irwin-Hall, n = 4: within 3.5 sigma). */
static inline float rng_normal_fast(Rng *r)
{
    uint64_t v = rng_next(r);
    float s = (float)(v & 0xffff) + (float)((v >> 16) & 0xffff) +
              (float)((v >> 32) & 0xffff) + (float)(v >> 48);
    /* mean 4 * 32767.5, sd sqrt(4 / 12) * 65536 */
    return (s - 131070.0f) * (1.0f / 37837.2f);
}

/* Standard normal as a double: Box-Muller on two 53-bit draws, u1 in
 * (0, 1] (k + 1 over 2^53) so that log() is finite without a clamp. */
static inline double rng_normal_d(Rng *r)
{
    double u1 = ((double)(rng_next(r) >> 11) + 1.0) / 9007199254740992.0;
    double u2 = (double)(rng_next(r) >> 11) / 9007199254740992.0;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Standard normal as a double: Box-Muller on two rng_uniform_d() draws,
 * u1 in [0, 1) clamped to >= 1e-300. Differs from rng_normal_d() in every
 * value (u1 = k / 2^53 instead of (k + 1) / 2^53). */
static inline double rng_normal_d_clamp(Rng *r)
{
    double u = rng_uniform_d(r), v = rng_uniform_d(r);
    if (u < 1e-300)
        u = 1e-300;
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* A seed from two values (order matters): the first output of the stream
 * started at a ^ (b * an odd constant). For per-item seeds: mix(seed, i). */
static inline uint64_t rng_mix(uint64_t a, uint64_t b)
{
    Rng r = {a ^ (b * 0xD1B54A32D192ED03ULL)};
    return rng_next(&r);
}

/* Like rng_mix(), but the second output of that stream (the training
 * data's per-sample seeds use this one). */
static inline uint64_t rng_mix2(uint64_t a, uint64_t b)
{
    Rng r = {a ^ (b * 0xD1B54A32D192ED03ULL)};
    rng_next(&r);
    return rng_next(&r);
}

/* Marsaglia's xorshift64 (13, 7, 17) on *s (must not be 0): steps the
 * state and returns its bits 11..42. Not splitmix64: kept for
 * tools/mkpage, whose pages the CLI tests are written against. */
static inline uint32_t rng_xorshift64(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (uint32_t)(*s >> 11);
}

#endif
