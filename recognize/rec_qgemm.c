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
 * A 3x3 convolution may come as its channels-last map instead of A
 * (RecQGemm.map; rec__qgemm_reads_map): the VNNI kernel then gathers each
 * tile's im2col rows itself, into a block that stays in L1.
 *
 * Kernels, chosen at run time (rec__qgemm_isa):
 *   - AVX-512 VNNI (`vpdpbusd`: 4 u8 x s8 products summed into each
 *     32-bit lane): a register block of MR rows x 32 columns (two zmm of 16
 *     channels). Per step of 4 in k it loads the 2 x 64 weight bytes once
 *     and, for each row, broadcasts the row's 4 activation bytes and issues
 *     two vpdpbusd: 24 accumulators for MR = 12 (MR = 4 for the row tail).
 *   - AVX2 (Haswell and later, Zen): operands widened to s16 and vpmaddwd,
 *     4 rows x 8 columns (see the AVX2 section below); exact where
 *     vpmaddubsw would saturate.
 *   - portable C (rec__qgemm_ref), the reference.
 * B is packed once at model load by rec__qgemm_pack_b() in the order the
 * kernels read it: panels of 32 columns, [kp/4][32][4] bytes each, so the
 * inner loop streams one contiguous panel. vpdpbusd does not saturate
 * (unlike vpmaddubsw): |u8 x s8| <= 255 x 127, so an s32 holds any depth
 * below 66,000; rec_quant.c keeps k far below that.
 *
 * All kernels compute the same s32 sums and the same float operations in
 * the same order (multiply, then add; no fused multiply-add), so they give
 * bit-identical floats (tested). The SIMD kernels are compiled with
 * __attribute__((target)) so the rest of the build keeps the default
 * flags (the binary runs on any x86-64), and chosen with
 * __builtin_cpu_supports; rec_qgemm_skip_vnni() (INKPIPE_NO_VNNI=1) skips
 * VNNI, which emulates an AVX2 cluster node on an AVX-512 machine, and
 * tests force each kernel with rec__qgemm_force_isa(). Valgrind 3.19 does
 * not decode AVX-512 and hides it from cpuid, so it runs the AVX2 kernel.
 *
 * Threading: no state besides the one-time CPU check and the test
 * override (atomics); any thread may call.
 */
#include "recognize/rec_net_internal.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"

#define QNB 32 /* columns per packed panel */

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define REC_HAVE_X86_KERNELS 1
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

/* The first byte of the pooling window that rows r .. r + 3 (pool order)
 * of a map product (g->map) cover: the window's top-left pixel in the
 * padded map, i.e. its top-left 3x3 tap. Row q of the window starts q / 2
 * map rows and q % 2 pixels further on. */
static inline const uint8_t *map_window(const RecQGemm *g, int r)
{
    int hw = g->map_h * g->map_w, half_w = g->map_w / 2;
    int s = r / hw, win = (r % hw) / 4;
    int wy = win / half_w, wx = win % half_w;
    size_t wp = (size_t)g->map_w + 2;
    return g->map + (size_t)s * g->map_ss +
           ((size_t)(2 * wy) * wp + (size_t)(2 * wx)) * (size_t)g->map_c;
}

/* Byte kk of row r of A: from g->a, or read in place from g->map (kk = ky
 * x 3c + kx x c + channel, as im2col lays it out). */
static inline int a_at(const RecQGemm *g, int r, int kk)
{
    if (!g->map)
        return g->a[(size_t)r * g->lda + (size_t)kk];
    size_t c = (size_t)g->map_c, wpc = ((size_t)g->map_w + 2) * c;
    int q = r % 4;
    size_t ky = (size_t)kk / (3 * c), rest = (size_t)kk % (3 * c);
    return map_window(g, r - q)[(size_t)(q / 2) * wpc + (size_t)(q % 2) * c +
                                ky * wpc + rest];
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
                int32_t acc = 0;
                for (int kk = 0; kk < g->kp; kk++)
                    acc += a_at(g, r + q, kk) * bval(g->b, g->kp, c, kk);
                if (q == 0 || acc > best)
                    best = acc;
            }
            o[c] = epi(best, g->wscale[c], as, g->bias[c], g->relu);
        }
    }
}

#ifdef REC_HAVE_X86_KERNELS
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

VNNI_TARGET static void tile12(const RecQGemm *g, const uint8_t *ap,
                               size_t lda, int r0, int c0)
{
    const int8_t *bp = g->b + (size_t)(c0 / QNB) * g->kp * QNB;
    QDECL(0) QDECL(1) QDECL(2) QDECL(3) QDECL(4) QDECL(5)
    QDECL(6) QDECL(7) QDECL(8) QDECL(9) QDECL(10) QDECL(11)
    QLOOP(QSTEP(0) QSTEP(1) QSTEP(2) QSTEP(3) QSTEP(4) QSTEP(5)
          QSTEP(6) QSTEP(7) QSTEP(8) QSTEP(9) QSTEP(10) QSTEP(11))
    __m512i acc[12][2];
    QPUT(0) QPUT(1) QPUT(2) QPUT(3) QPUT(4) QPUT(5)
    QPUT(6) QPUT(7) QPUT(8) QPUT(9) QPUT(10) QPUT(11)
    tile_store(g, acc, 12, r0, c0);
}

VNNI_TARGET static void tile4(const RecQGemm *g, const uint8_t *ap,
                              size_t lda, int r0, int c0)
{
    const int8_t *bp = g->b + (size_t)(c0 / QNB) * g->kp * QNB;
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
            tile12(g, g->a + (size_t)r * g->lda, g->lda, r, c0);
    for (; r < m4; r += 4)
        for (int c0 = 0; c0 < g->n; c0 += QNB)
            tile4(g, g->a + (size_t)r * g->lda, g->lda, r, c0);
}

/* A 3x3 convolution read from its map (g->map): the A rows of one tile,
 * its 3 pooling windows (or 1 at the end), are gathered into blk as
 * im2col would lay them out, and the tile runs from there for every
 * panel. So the rows go from the map to L1 and are used at once, where a
 * whole chunk's im2col rows (1.2 MB for 16 glyphs at the 32-channel
 * input) were written out and read back. (A kernel that loads each row
 * straight from the map, with a pointer per window row, was slower: GCC
 * 12 moved its accumulators through the stack.) */
static void map_rows(const RecQGemm *g, int r0, int nwin, uint8_t *blk)
{
    size_t c = (size_t)g->map_c, run = 3 * c, kp = 9 * c;
    size_t wpc = ((size_t)g->map_w + 2) * c;
    for (int j = 0; j < nwin; j++) {
        const uint8_t *w = map_window(g, r0 + 4 * j);
        for (int q = 0; q < 4; q++) {
            const uint8_t *src =
                w + (size_t)(q / 2) * wpc + (size_t)(q % 2) * c;
            uint8_t *dst = blk + (size_t)(4 * j + q) * kp;
            for (int ky = 0; ky < 3; ky++)
                memcpy(dst + ky * run, src + ky * wpc, run);
        }
    }
}

VNNI_TARGET static void qgemm_vnni_map(const RecQGemm *g)
{
    /* 12 rows of at most 9 x 128 bytes */
    uint8_t blk[12 * 9 * 128];
    size_t kp = 9 * (size_t)g->map_c;
    int r = 0;
    for (; r + 12 <= g->m; r += 12) {
        map_rows(g, r, 3, blk);
        for (int c0 = 0; c0 < g->n; c0 += QNB)
            tile12(g, blk, kp, r, c0);
    }
    for (; r < g->m; r += 4) {
        map_rows(g, r, 1, blk);
        for (int c0 = 0; c0 < g->n; c0 += QNB)
            tile4(g, blk, kp, r, c0);
    }
}
#endif

#ifdef REC_HAVE_X86_KERNELS
#define AVX2_TARGET __attribute__((target("avx2")))

/* AVX2 has no vpdpbusd, and vpmaddubsw (u8 x s8 pairs summed into s16)
 * saturates: 255 x 127 + 255 x 127 = 64,770 > 32,767. So both operands
 * are widened to s16 and multiplied with vpmaddwd (s16 x s16 pairs summed
 * into s32: exact). One vpmaddwd does 16 multiply-adds, as many per
 * multiplier instruction as the vpmaddubsw + vpmaddwd(ones) pair would,
 * so exactness costs no multiplier throughput. The packed panels are used
 * as they are: 16 weight bytes (4 columns x 4 depths) sign-extend to one
 * ymm (vpmovsxbw); a row's 4 activation bytes are broadcast and
 * zero-extended to [a0 a1 a2 a3] x 4 (vbroadcastss + vpmovzxbw); vpmaddwd
 * then leaves each column's sums over depths {0,1} and {2,3} in adjacent
 * lanes, which vphaddd folds once after the k loop. Tile: 4 rows (one
 * pool window) x 8 columns = 8 accumulators + 2 weight + 1 activation
 * registers of the 16. The conversions are shuffles (port 5 on Intel),
 * which leaves the multiplier port (port 0 alone on Haswell) to vpmaddwd;
 * splitting the bytes with shifts and masks instead measured 5-8 % faster
 * on the Zen 5 here, but Haswell runs its vector shifts on port 0 too. */

/* Finish a 4 x 8 tile: fold the lane pairs, max-pool, epilogue, store.
 * Accumulator pair i holds lanes c0 c0 c1 c1 | c2 c2 c3 c3 and c4 c4 c5
 * c5 | c6 c6 c7 c7 of row i; vphaddd gives c0 c1 c4 c5 | c2 c3 c6 c7 and
 * vpermq puts them in order (after the pool's maximum, lane by lane). */
AVX2_TARGET static inline __attribute__((always_inline)) void
tile_store_avx2(const RecQGemm *g, int r0, int c0, __m256i a0, __m256i b0,
                __m256i a1, __m256i b1, __m256i a2, __m256i b2, __m256i a3,
                __m256i b3, const float *as4)
{
    /* masked loads and stores only for the last columns: vmaskmovps
     * stores are microcoded on AMD (first layer here: 40-64 GOPS with
     * masked stores everywhere, 64-65 without) */
    int nv = g->n - c0, full = nv >= 8;
    __m256i mask = _mm256_cmpgt_epi32(
        _mm256_set1_epi32(full ? 8 : nv),
        _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    __m256 ws = full ? _mm256_loadu_ps(g->wscale + c0)
                     : _mm256_maskload_ps(g->wscale + c0, mask);
    __m256 b = full ? _mm256_loadu_ps(g->bias + c0)
                    : _mm256_maskload_ps(g->bias + c0, mask);
    __m256i s0 = _mm256_hadd_epi32(a0, b0), s1 = _mm256_hadd_epi32(a1, b1);
    __m256i s2 = _mm256_hadd_epi32(a2, b2), s3 = _mm256_hadd_epi32(a3, b3);
    int rows = g->m - r0 < 4 ? g->m - r0 : 4;
    float *o = g->out + (size_t)r0 * g->ldo + c0;
    if (g->pool4) {
        s0 = _mm256_max_epi32(_mm256_max_epi32(s0, s1),
                              _mm256_max_epi32(s2, s3));
        rows = 1;
        o = g->out + (size_t)(r0 / 4) * g->ldo + c0;
    }
    for (int i = 0; i < rows; i++, o += g->ldo) {
        __m256i si = i == 0 ? s0 : i == 1 ? s1 : i == 2 ? s2 : s3;
        __m256i t = _mm256_permute4x64_epi64(si, _MM_SHUFFLE(3, 1, 2, 0));
        __m256 as = _mm256_set1_ps(as4[i]);
        __m256 v = _mm256_add_ps(
            _mm256_mul_ps(_mm256_cvtepi32_ps(t), _mm256_mul_ps(ws, as)), b);
        if (g->relu)
            v = _mm256_max_ps(v, _mm256_setzero_ps());
        if (full)
            _mm256_storeu_ps(o, v);
        else
            _mm256_maskstore_ps(o, mask, v);
    }
}

#define ASTEP(i)                                                               \
    {                                                                          \
        __m256i a = _mm256_cvtepu8_epi16(_mm_castps_si128(                     \
            _mm_broadcast_ss((const float *)(const void *)(ap + (i) * lda)))); \
        d##i##a = _mm256_add_epi32(_mm256_madd_epi16(a, w0), d##i##a);         \
        d##i##b = _mm256_add_epi32(_mm256_madd_epi16(a, w1), d##i##b);         \
    }

/* The s32 sums of a 4 x 8 tile: rows at ap (stride lda), 8 packed columns
 * at bp (4 x QNB bytes per step of 4 in k), kp deep; acc gets 8 vectors.
 * Not inlined, with everything in locals: GCC 12 otherwise spills
 * accumulators inside the loop (measured 35 % slower). */
AVX2_TARGET static __attribute__((noinline)) void
kern4x8_avx2(const uint8_t *ap, size_t lda, const int8_t *bp, int kp,
             __m256i *acc)
{
    __m256i d0a = _mm256_setzero_si256(), d0b = d0a, d1a = d0a, d1b = d0a;
    __m256i d2a = d0a, d2b = d0a, d3a = d0a, d3b = d0a;
    for (const uint8_t *end = ap + kp; ap < end; ap += 4, bp += 4 * QNB) {
        __m256i w0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)bp));
        __m256i w1 =
            _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(bp + 16)));
        ASTEP(0) ASTEP(1) ASTEP(2) ASTEP(3)
    }
    acc[0] = d0a;
    acc[1] = d0b;
    acc[2] = d1a;
    acc[3] = d1b;
    acc[4] = d2a;
    acc[5] = d2b;
    acc[6] = d3a;
    acc[7] = d3b;
}

/* kp = 12 (a first conv layer: 9 taps of one channel), where the
 * epilogue costs as much as the products: the 3 steps unrolled and the
 * tile kept in registers through the epilogue, no call (measured 63 GOPS
 * against 32 through kern4x8_avx2 on this layer). */
#define K12STEP(kk)                                                            \
    {                                                                          \
        const __m128i *wp = (const __m128i *)(bp + (kk) * QNB);                \
        __m256i w0 = _mm256_cvtepi8_epi16(_mm_loadu_si128(wp));                \
        __m256i w1 = _mm256_cvtepi8_epi16(_mm_loadu_si128(wp + 1));            \
        const uint8_t *ap = a0 + (kk);                                         \
        ASTEP(0) ASTEP(1) ASTEP(2) ASTEP(3)                                    \
    }
AVX2_TARGET static void qgemm_avx2_k12(const RecQGemm *g)
{
    int m4 = (g->m + 3) & ~3;
    const size_t lda = 12;
    for (int r = 0; r < m4; r += 4) {
        const uint8_t *a0 = g->a + (size_t)r * lda;
        float as4[4];
        for (int i = 0; i < 4; i++)
            as4[i] = r + i < g->m ? g->ascale[(r + i) / g->rows_per_scale]
                                  : 0.0f;
        for (int c0 = 0; c0 < g->n; c0 += 8) {
            const int8_t *bp = g->b + (size_t)(c0 / QNB) * 12 * QNB +
                               (size_t)(c0 % QNB) * 4;
            __m256i d0a = _mm256_setzero_si256(), d0b = d0a, d1a = d0a;
            __m256i d1b = d0a, d2a = d0a, d2b = d0a, d3a = d0a, d3b = d0a;
            K12STEP(0) K12STEP(4) K12STEP(8)
            tile_store_avx2(g, r, c0, d0a, d0b, d1a, d1b, d2a, d2b, d3a, d3b,
                            as4);
        }
    }
}

AVX2_TARGET static void qgemm_avx2(const RecQGemm *g)
{
    if (g->kp == 12 && g->lda == 12) {
        qgemm_avx2_k12(g);
        return;
    }
    int m4 = (g->m + 3) & ~3;
    /* rows outer: the 4 rows (4 x kp bytes) stay in L1 across columns */
    for (int r = 0; r < m4; r += 4) {
        const uint8_t *ap = g->a + (size_t)r * g->lda;
        float as4[4]; /* the rows' activation scales, looked up once */
        for (int i = 0; i < 4; i++)
            as4[i] = r + i < g->m ? g->ascale[(r + i) / g->rows_per_scale]
                                  : 0.0f;
        for (int c0 = 0; c0 < g->n; c0 += 8) {
            __m256i acc[8];
            kern4x8_avx2(ap, g->lda,
                         g->b + (size_t)(c0 / QNB) * g->kp * QNB +
                             (size_t)(c0 % QNB) * 4,
                         g->kp, acc);
            tile_store_avx2(g, r, c0, acc[0], acc[1], acc[2], acc[3], acc[4],
                            acc[5], acc[6], acc[7], as4);
        }
    }
}
#endif

/* The kernel chosen automatically (-1: not yet) and the one forced by
 * rec__qgemm_force_isa() (-1: none). Atomic: threads racing on the first
 * call compute the same value. */
static _Atomic int isa_auto = -1;
static _Atomic int isa_forced = -1;

/* 1 if this CPU (and build) can run the kernel. */
static int cpu_runs(RecQIsa isa)
{
#ifdef REC_HAVE_X86_KERNELS
    __builtin_cpu_init();
    if (isa == REC__QISA_VNNI)
        return __builtin_cpu_supports("avx512f") &&
               __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vnni");
    if (isa == REC__QISA_AVX2)
        return __builtin_cpu_supports("avx2");
#endif
    return isa == REC__QISA_PORTABLE;
}

static int skip_vnni; /* rec_qgemm_skip_vnni() */

/**
 * Leave out the AVX-512 VNNI kernel, to measure or test what a CPU without
 * it gets (the command line calls this for INKPIPE_NO_VNNI=1).
 *
 * @param[in] skip  1 = never choose VNNI
 *
 * Notes:
 *   (1) Call it before the first classification: the kernel is chosen once.
 */
void rec_qgemm_skip_vnni(int skip) { skip_vnni = skip != 0; }

/**
 * The kernel rec__qgemm() runs: the one forced by rec__qgemm_force_isa(),
 * else AVX-512 VNNI, then AVX2, then portable, as the CPU allows.
 *
 * Notes:
 *   (1) rec_qgemm_skip_vnni(1) (the command line's INKPIPE_NO_VNNI=1)
 *       skips VNNI (and the AVX-512 requantisation in rec_quant.c): the
 *       AVX2 kernel runs where the CPU has it, as on a cluster node
 *       without AVX-512. Decided on the first call.
 */
RecQIsa rec__qgemm_isa(void)
{
    int f = isa_forced;
    if (f >= 0)
        return (RecQIsa)f;
    int a = isa_auto;
    if (a < 0) {
        a = !skip_vnni && cpu_runs(REC__QISA_VNNI) ? REC__QISA_VNNI
            : cpu_runs(REC__QISA_AVX2)          ? REC__QISA_AVX2
                                                : REC__QISA_PORTABLE;
        isa_auto = a;
    }
    return (RecQIsa)a;
}

/**
 * Force the kernel of rec__qgemm() (and of the requantisation) for tests
 * and benches.
 *
 * @param[in] isa  a kernel, or REC__QISA_AUTO for the automatic choice
 * @return 0, or -1 when this CPU or build cannot run it (message set;
 *         the choice is then unchanged)
 *
 * Notes:
 *   (1) Process-wide; call it while no other thread classifies. The
 *       precision AUTO follows it (int8 unless the kernel is portable).
 */
int rec__qgemm_force_isa(RecQIsa isa)
{
    if (isa != REC__QISA_AUTO && !cpu_runs(isa))
        return err_set("int8 kernel %s: not supported by this CPU or build",
                       rec__qgemm_isa_name(isa));
    isa_forced = (int)isa;
    return 0;
}

/** "portable", "avx2", "vnni", "auto" or "unknown". */
const char *rec__qgemm_isa_name(RecQIsa isa)
{
    switch (isa) {
    case REC__QISA_PORTABLE: return "portable";
    case REC__QISA_AVX2: return "avx2";
    case REC__QISA_VNNI: return "vnni";
    case REC__QISA_AUTO: return "auto";
    }
    return "unknown";
}

/**
 * Does rec__qgemm() read a 3x3 convolution of c input channels in place
 * (RecQGemm.map), so that the caller can skip im2col?
 *
 * @param[in] c  input channels of the convolution
 * @return 1 with the VNNI kernel and c of 32, 64 or 128; else 0 (the
 *         other kernels read im2col rows; given a map anyway, rec__qgemm
 *         falls back to the portable reference, same results)
 */
int rec__qgemm_reads_map(int c)
{
    return rec__qgemm_isa() == REC__QISA_VNNI &&
           (c == 32 || c == 64 || c == 128);
}

/** 1 if the AVX-512 VNNI kernel runs (rec__qgemm_isa()). */
int rec__qgemm_vnni_available(void)
{
    return rec__qgemm_isa() == REC__QISA_VNNI;
}

/**
 * C = A x B with the requantising epilogue, by the kernel that
 * rec__qgemm_isa() names (all give bit-identical results).
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
#ifdef REC_HAVE_X86_KERNELS
    switch (rec__qgemm_isa()) {
    case REC__QISA_VNNI:
        if (!g->map)
            qgemm_vnni(g);
        else if (g->map_c == 32 || g->map_c == 64 || g->map_c == 128)
            qgemm_vnni_map(g);
        else
            break; /* not one rec__qgemm_reads_map() accepts */
        return;
    case REC__QISA_AVX2:
        if (g->map)
            break;
        qgemm_avx2(g);
        return;
    default:
        break;
    }
#endif
    rec__qgemm_ref(g);
}
