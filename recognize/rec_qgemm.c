/*
 * rec_qgemm.c - the int8 GEMM of the quantised inference path:
 * u8 activations x s8 weights -> s32, with the requantising epilogue
 * (per-channel weight scale x per-sample activation scale, bias, optional
 * 2x2 max-pool over groups of 4 rows, optional ReLU) writing floats.
 *
 * Shapes: C[m][n] = A[m][kp] x B[kp][n]; rows are pixels (conv, im2col in
 * channels-last order) or samples (dense), columns are output channels,
 * kp is the depth padded to a multiple of 4 with zeros in A and B.
 *
 * Kernel (AVX-512 VNNI, `vpdpbusd`: 4 u8 x s8 products summed into each
 * 32-bit lane): a register block of MR rows x 32 columns (two zmm of 16
 * channels). Per step of 4 in k it loads the 2 x 64 weight bytes once and,
 * for each row, broadcasts the row's 4 activation bytes and issues two
 * vpdpbusd: 24 accumulators for MR = 12 (MR = 4 for the row tail). B is
 * packed once at model load by rec__qgemm_pack_b() in the order the kernel
 * reads it: panels of 32 columns, [kp/4][32][4] bytes each, so the inner
 * loop streams one contiguous panel. vpdpbusd does not saturate (unlike
 * vpmaddubsw): |u8 x s8| <= 255 x 127, so an s32 holds any depth below
 * 66,000; rec_quant.c keeps k far below that.
 *
 * The portable reference (rec__qgemm_ref) computes the same s32 sums and
 * the same float operations in the same order (multiply, then add; no
 * fused multiply-add), so both give bit-identical floats. The VNNI kernel
 * is compiled with __attribute__((target)) so the rest of the build keeps
 * the default flags, and chosen at run time with __builtin_cpu_supports;
 * INKPIPE_NO_VNNI=1 in the environment forces the reference (valgrind
 * 3.19 does not decode AVX-512 and hides it from cpuid anyway).
 *
 * Threading: no state besides the one-time CPU check (atomic); any thread
 * may call.
 */
#include "recognize/rec_net_internal.h"

#include <stdlib.h>
#include <string.h>

#define QNB 32 /* columns per packed panel */

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define REC_HAVE_VNNI_KERNEL 1
#include <immintrin.h>
#endif

size_t rec__qgemm_packed_size(int n, int kp)
{
    size_t panels = ((size_t)n + QNB - 1) / QNB;
    return panels * (size_t)kp * QNB;
}

/**
 * Pack quantised weights for the kernels.
 *
 * @param[in]  w    n x k row-major s8 weights (row = output channel)
 * @param[in]  n    output channels
 * @param[in]  k    depth
 * @param[in]  kp   depth padded to a multiple of 4 (>= k)
 * @param[out] dst  rec__qgemm_packed_size(n, kp) bytes
 *
 * Notes:
 *   (1) Layout: panel j holds columns 32j..32j+31 as [kp/4][32][4];
 *       padding (k..kp, n..32 panels) is zero.
 */
void rec__qgemm_pack_b(const int8_t *w, int n, int k, int kp, int8_t *dst)
{
    size_t panels = ((size_t)n + QNB - 1) / QNB;
    memset(dst, 0, panels * (size_t)kp * QNB);
    for (int c = 0; c < n; c++) {
        int8_t *p = dst + (size_t)(c / QNB) * kp * QNB + (size_t)(c % QNB) * 4;
        for (int kk = 0; kk < k; kk++)
            p[(size_t)(kk / 4) * QNB * 4 + kk % 4] = w[(size_t)c * k + kk];
    }
}

/* The packed weight of column c at depth kk (reference kernel). */
static inline int bval(const int8_t *b, int kp, int c, int kk)
{
    return b[(size_t)(c / QNB) * kp * QNB + (size_t)(kk / 4) * QNB * 4 +
             (size_t)(c % QNB) * 4 + kk % 4];
}

/* One output value from an s32 sum: the shared epilogue arithmetic. */
static inline float epi(int32_t acc, float ws, float as, float bias, int relu)
{
    float s = ws * as;
    float p = (float)acc * s;
    float v = p + bias;
    if (relu)
        v = v > 0.0f ? v : 0.0f;
    return v;
}

/**
 * Portable reference of rec__qgemm(): plain loops, same results.
 *
 * @param[in] g  the product and its epilogue (see RecQGemm)
 */
void rec__qgemm_ref(const RecQGemm *g)
{
    int step = g->pool4 ? 4 : 1;
    for (int r = 0; r < g->m; r += step) {
        float as = g->ascale[r / g->rows_per_scale];
        float *o = g->out + (size_t)(r / step) * g->ldo;
        for (int c = 0; c < g->n; c++) {
            int32_t best = 0;
            for (int q = 0; q < step; q++) {
                const uint8_t *a = g->a + (size_t)(r + q) * g->lda;
                int32_t acc = 0;
                for (int kk = 0; kk < g->kp; kk++)
                    acc += (int32_t)a[kk] * bval(g->b, g->kp, c, kk);
                if (q == 0 || acc > best)
                    best = acc;
            }
            o[c] = epi(best, g->wscale[c], as, g->bias[c], g->relu);
        }
    }
}

#ifdef REC_HAVE_VNNI_KERNEL
#define VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vnni")))

/* Store MR rows of a 32-column tile (or MR/4 pooled rows). */
VNNI_TARGET static inline __attribute__((always_inline)) void
tile_store(const RecQGemm *g, __m512i acc[][2], int mr, int r0, int c0)
{
    int nv = g->n - c0;
    __mmask16 m0 = nv >= 16 ? 0xFFFF : (__mmask16)((1u << nv) - 1);
    __mmask16 m1 = nv >= 32 ? 0xFFFF
                   : nv > 16 ? (__mmask16)((1u << (nv - 16)) - 1) : 0;
    __m512 ws0 = _mm512_maskz_loadu_ps(m0, g->wscale + c0);
    __m512 ws1 = _mm512_maskz_loadu_ps(m1, g->wscale + c0 + 16);
    __m512 b0 = _mm512_maskz_loadu_ps(m0, g->bias + c0);
    __m512 b1 = _mm512_maskz_loadu_ps(m1, g->bias + c0 + 16);
    __m512 zero = _mm512_setzero_ps();
    int step = g->pool4 ? 4 : 1;
    for (int i = 0; i < mr; i += step) {
        int r = r0 + i;
        if (r >= g->m)
            break;
        __m512i a0 = acc[i][0], a1 = acc[i][1];
        for (int q = 1; q < step; q++) {
            a0 = _mm512_max_epi32(a0, acc[i + q][0]);
            a1 = _mm512_max_epi32(a1, acc[i + q][1]);
        }
        __m512 as = _mm512_set1_ps(g->ascale[r / g->rows_per_scale]);
        __m512 v0 = _mm512_add_ps(
            _mm512_mul_ps(_mm512_cvtepi32_ps(a0), _mm512_mul_ps(ws0, as)), b0);
        __m512 v1 = _mm512_add_ps(
            _mm512_mul_ps(_mm512_cvtepi32_ps(a1), _mm512_mul_ps(ws1, as)), b1);
        if (g->relu) {
            v0 = _mm512_max_ps(v0, zero);
            v1 = _mm512_max_ps(v1, zero);
        }
        float *o = g->out + (size_t)(r / step) * g->ldo + c0;
        _mm512_mask_storeu_ps(o, m0, v0);
        if (m1)
            _mm512_mask_storeu_ps(o + 16, m1, v1);
    }
}

/* MR x 32 tile at rows r0.., panel starting at column c0. The
 * accumulators are named variables, not an array: GCC 12 keeps an array
 * of vectors partly on the stack inside the loop (measured 1.5x slower). */
#define QDECL(i)                                                               \
    __m512i c##i##a = _mm512_setzero_si512(), c##i##b = _mm512_setzero_si512();
#define QSTEP(i)                                                               \
    {                                                                          \
        int32_t av;                                                            \
        memcpy(&av, ap + (size_t)(i) * lda + k, 4);                            \
        __m512i a = _mm512_set1_epi32(av);                                     \
        c##i##a = _mm512_dpbusd_epi32(c##i##a, a, w0);                         \
        c##i##b = _mm512_dpbusd_epi32(c##i##b, a, w1);                         \
    }
#define QPUT(i)                                                                \
    acc[i][0] = c##i##a;                                                       \
    acc[i][1] = c##i##b;
#define QLOOP(BODY)                                                            \
    for (int k = 0; k < g->kp; k += 4) {                                       \
        __m512i w0 = _mm512_loadu_si512((const void *)(bp + k * QNB));         \
        __m512i w1 = _mm512_loadu_si512((const void *)(bp + k * QNB + 64));    \
        BODY                                                                   \
    }

VNNI_TARGET static void tile12(const RecQGemm *g, int r0, int c0)
{
    const int8_t *bp = g->b + (size_t)(c0 / QNB) * g->kp * QNB;
    const uint8_t *ap = g->a + (size_t)r0 * g->lda;
    size_t lda = g->lda;
    QDECL(0) QDECL(1) QDECL(2) QDECL(3) QDECL(4) QDECL(5)
    QDECL(6) QDECL(7) QDECL(8) QDECL(9) QDECL(10) QDECL(11)
    QLOOP(QSTEP(0) QSTEP(1) QSTEP(2) QSTEP(3) QSTEP(4) QSTEP(5)
          QSTEP(6) QSTEP(7) QSTEP(8) QSTEP(9) QSTEP(10) QSTEP(11))
    __m512i acc[12][2];
    QPUT(0) QPUT(1) QPUT(2) QPUT(3) QPUT(4) QPUT(5)
    QPUT(6) QPUT(7) QPUT(8) QPUT(9) QPUT(10) QPUT(11)
    tile_store(g, acc, 12, r0, c0);
}

VNNI_TARGET static void tile4(const RecQGemm *g, int r0, int c0)
{
    const int8_t *bp = g->b + (size_t)(c0 / QNB) * g->kp * QNB;
    const uint8_t *ap = g->a + (size_t)r0 * g->lda;
    size_t lda = g->lda;
    QDECL(0) QDECL(1) QDECL(2) QDECL(3)
    QLOOP(QSTEP(0) QSTEP(1) QSTEP(2) QSTEP(3))
    __m512i acc[4][2];
    QPUT(0) QPUT(1) QPUT(2) QPUT(3)
    tile_store(g, acc, 4, r0, c0);
}

VNNI_TARGET static void qgemm_vnni(const RecQGemm *g)
{
    int m4 = (g->m + 3) & ~3;
    int r = 0;
    /* rows outer: the A block (MR x kp bytes) stays in L1 across panels */
    for (; r + 12 <= m4; r += 12)
        for (int c0 = 0; c0 < g->n; c0 += QNB)
            tile12(g, r, c0);
    for (; r < m4; r += 4)
        for (int c0 = 0; c0 < g->n; c0 += QNB)
            tile4(g, r, c0);
}
#endif

/** 1 if the AVX-512 VNNI kernel runs here (CPU support, not disabled by
 * INKPIPE_NO_VNNI=1). Checked once. */
int rec__qgemm_vnni_available(void)
{
#ifdef REC_HAVE_VNNI_KERNEL
    /* atomic: threads racing on the first call compute the same value */
    static _Atomic int avail = -1;
    int a = avail;
    if (a < 0) {
        const char *no = getenv("INKPIPE_NO_VNNI");
        __builtin_cpu_init();
        a = !(no && *no && strcmp(no, "0") != 0) &&
            __builtin_cpu_supports("avx512f") &&
            __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512vnni");
        avail = a;
    }
    return a;
#else
    return 0;
#endif
}

/**
 * C = A x B with the requantising epilogue; the VNNI kernel where
 * available, else rec__qgemm_ref() (bit-identical results).
 *
 * @param[in] g  the product (see RecQGemm in rec_net_internal.h)
 *
 * Notes:
 *   (1) A must have round_up(m, 4) readable rows of kp bytes (the tail
 *       rows are computed and dropped); zero them to keep tools like
 *       valgrind quiet.
 *   (2) With pool4, m is a multiple of 4 and each group of 4 rows becomes
 *       one output row holding the group's maximum; taking the maximum of
 *       the s32 sums is exact because the epilogue is monotonic (scales
 *       are positive).
 */
void rec__qgemm(const RecQGemm *g)
{
#ifdef REC_HAVE_VNNI_KERNEL
    if (rec__qgemm_vnni_available()) {
        qgemm_vnni(g);
        return;
    }
#endif
    rec__qgemm_ref(g);
}
