/*
 * rec_quant.c - int8 inference: weights quantised once at model load,
 * activations quantised per sample, every conv and dense layer one
 * u8 x s8 GEMM (rec_qgemm.c); the precision switch (fp32 | int8 | auto).
 *
 * Design:
 *   - Weights: each output channel's row becomes s8 with its own scale
 *     (max |w| / 127, symmetric, no zero point). Batch norm is folded into
 *     the weights of a loaded model, so a loaded net's conv and dense
 *     layers quantise directly; biases stay float and are added in the
 *     GEMM epilogue.
 *   - Activations: every GEMM input is the grey input (>= 0 when the
 *     model's norm_mean is 0) or follows a ReLU (then maybe a max-pool), so
 *     it is >= 0 and fits u8 with a scale and no zero point, exactly what
 *     vpdpbusd (u8 x s8) wants. The scale is dynamic, one per sample: its
 *     maximum / 255. Per sample rather than per chunk, so a glyph's result
 *     does not depend on which glyphs share its chunk (the batch gives the
 *     same answers as single calls, as in the fp32 path).
 *   - Layout: channels-last (sample x H x W x C); a map that feeds a conv
 *     is stored with a one-pixel zero border (the conv's padding), so its
 *     im2col copies three runs of 3C bytes per output pixel without bounds
 *     checks (k = tap * C + c; the conv weights are reordered to match at
 *     load), a dense layer after a spatial one reads
 *     the tensor as is (its weights are reordered from the fp32 path's
 *     C x H x W flattening), and the GEMM output (pixels x channels) is
 *     already the next layer's layout.
 *   - Epilogue: s32 -> float with weight scale x activation scale, bias,
 *     ReLU; a 2x2 max-pool after a conv is fused into it by ordering the
 *     im2col rows so that each pool window is 4 consecutive rows (max of
 *     the s32 sums, exact since the epilogue is monotonic). The pooled
 *     floats (a quarter of the conv output) are then quantised per sample
 *     to u8 for the next layer; the last dense layer writes float logits.
 *   - Buffers: the net's RecQNet owns one arena sized for a batch
 *     capacity, so calls after the first with a batch size already seen
 *     allocate nothing.
 *
 * Precision: rec_net_set_precision() chooses; REC_PRECISION_AUTO (the
 * default) uses int8 where rec_qgemm.c has a SIMD kernel for the CPU
 * (AVX-512 VNNI or AVX2) and the net is quantisable; no environment is read
 * here (the command line passes INKPIPE_PRECISION as an explicit choice).
 * Training and rec__forward() always use fp32.
 *
 * Threading: like the fp32 path, one net per thread.
 */
#include "recognize/rec_net_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("tree-vectorize")
#endif

/* int8 is the automatic choice where a SIMD kernel runs (docs/cnn.md:
 * within 0.2 points of fp32 on the held-out writers and MNIST; faster than
 * fp32 with VNNI and with AVX2). */
#define REC__INT8_BY_DEFAULT 1

enum { QS_CONV, QS_POOL, QS_DENSE };

typedef struct {
    int kind;
    int cin, h, w;    /* input per sample (channels-last) */
    int cout, ho, wo; /* output per sample */
    int pool;         /* conv: 2x2 max-pool fused into the epilogue */
    int relu, last;
    int k, kp;        /* depth, padded to a multiple of 4 */
    int8_t *wq;       /* packed (rec__qgemm_pack_b) */
    float *wscale, *bias;
} QStep;

struct RecQNet {
    int ns;
    QStep s[REC__MAX_LAYERS];
    float in_scale;   /* the model's norm_scale */
    /* arena for a batch capacity */
    unsigned char *arena;
    int cap;
    uint8_t *act[2];  /* u8 activations, ping-pong */
    float *sc[2];     /* their per-sample scales */
    uint8_t *col;     /* im2col */
    float *fbuf;      /* GEMM output (floats) */
};

static size_t round4(size_t v) { return (v + 3) & ~(size_t)3; }

/**
 * Quantise the rows of a float matrix to s8 with one scale per row.
 *
 * @param[in]  w      n x k floats
 * @param[in]  n, k   shape
 * @param[out] q      n x k s8 values in [-127, 127]
 * @param[out] scale  n scales: w ~= q * scale
 *
 * Notes:
 *   (1) Symmetric (no zero point) so the GEMM needs no correction terms;
 *       -128 is never used.
 *   (2) An all-zero row gets scale 1 and zeros: no division by zero.
 */
/* lrintf(x) clamped to [-127, 127] for |x| <= 127 and up (w / mx * 127
 * can round a hair past 127), without the libm call (one per weight: half
 * of quantising a model at load): adding and taking away 1.5 * 2^23
 * rounds to an integer as the FPU does, to nearest and ties to even, as
 * lrintf does in the default rounding mode. NaN (a NaN weight) gives
 * -127, as lrintf's "integer indefinite" clamped did. */
static inline int8_t quant_round(float x)
{
    if (!(x >= -1000.0f && x <= 1000.0f))
        return (int8_t)(x > 0.0f ? 127 : -127);
    const float big = 12582912.0f; /* 1.5 * 2^23 (not folded: not IEEE) */
    float r = (x + big) - big;
    return (int8_t)(r > 127.0f ? 127 : r < -127.0f ? -127 : (int)r);
}

void rec__quant_rows(const float *w, int n, int k, int8_t *q, float *scale)
{
    for (int r = 0; r < n; r++) {
        const float *wr = w + (size_t)r * k;
        float mx = 0.0f;
        for (int j = 0; j < k; j++) {
            float a = fabsf(wr[j]);
            mx = a > mx ? a : mx;
        }
        scale[r] = mx > 0.0f ? mx / 127.0f : 1.0f;
        float inv = mx > 0.0f ? 127.0f / mx : 0.0f;
        for (int j = 0; j < k; j++)
            q[(size_t)r * k + j] = quant_round(wr[j] * inv);
    }
}

/* Quantise, reorder and pack one conv/dense layer's weights. wr is the
 * cout x k weight matrix already in the int8 path's k order. */
static int step_weights(QStep *st, const float *wr, const float *b)
{
    size_t nk = (size_t)st->cout * st->k;
    int8_t *q = malloc(nk ? nk : 1);
    st->wq = malloc(rec__qgemm_packed_size(st->cout, st->kp));
    st->wscale = malloc((size_t)st->cout * sizeof(float));
    st->bias = malloc((size_t)st->cout * sizeof(float));
    if (!q || !st->wq || !st->wscale || !st->bias) {
        free(q);
        return err_set("out of memory quantising the model");
    }
    rec__quant_rows(wr, st->cout, st->k, q, st->wscale);
    rec__qgemm_pack_b(q, st->cout, st->k, st->kp, st->wq);
    memcpy(st->bias, b, (size_t)st->cout * sizeof(float));
    free(q);
    return 0;
}

void rec__quant_free(RecNet *net)
{
    RecQNet *qn = net->q;
    if (!qn)
        return;
    for (int i = 0; i < qn->ns; i++) {
        free(qn->s[i].wq);
        free(qn->s[i].wscale);
        free(qn->s[i].bias);
    }
    free(qn->arena);
    free(qn);
    net->q = NULL;
}

/* Index of the first layer at or after i that is not dropout. */
static int skip_drop(const RecNet *net, int i)
{
    while (i < net->nl && net->l[i].type == REC__DROP)
        i++;
    return i;
}

/**
 * Build the int8 plan of a net from its current weights.
 *
 * @param[in] net  a net without batch-norm layers (a loaded model)
 * @return 0, or -1 when the net cannot run in int8 (message says why)
 *
 * Notes:
 *   (1) The weights are copied: later changes to net->params are not
 *       seen until the next call (rec_net_load calls it once).
 *   (2) Needs norm_mean 0 and norm_scale > 0 (the input, ink = 1, stays
 *       >= 0), and a ReLU after every conv and every dense layer but the
 *       last, as the architecture grammar produces.
 */
int rec__quant_prepare(RecNet *net)
{
    rec__quant_free(net);
    if (net->norm_mean != 0.0f || !(net->norm_scale > 0.0f))
        return err_set("int8: input normalisation (mean %g, scale %g) can "
                       "be negative", (double)net->norm_mean,
                       (double)net->norm_scale);
    for (int i = 0; i < net->nl; i++)
        if (net->l[i].type == REC__BN)
            return err_set("int8: layer %d: batch norm must be folded into "
                           "the weights first (save and load the model)", i);
    RecQNet *qn = calloc(1, sizeof *qn);
    float *wr = NULL;
    if (!qn)
        return err_set("out of memory");
    net->q = qn;
    qn->in_scale = net->norm_scale;
    int c = 1, h = REC_INPUT_SIZE, w = REC_INPUT_SIZE;
    int flat_c = 0, flat_hw = 0; /* set by a FLAT layer */
    for (int i = 0; i < net->nl; i++) {
        const RecLayer *l = &net->l[i];
        QStep *st = &qn->s[qn->ns];
        const float *W = net->params + l->w_off, *B = net->params + l->b_off;
        switch (l->type) {
        case REC__DROP:
        case REC__RELU: /* consumed below */
            continue;
        case REC__FLAT:
            flat_c = c;
            flat_hw = h * w;
            c = c * h * w;
            h = w = 1;
            continue;
        case REC__POOL:
            st->kind = QS_POOL;
            st->cin = st->cout = c;
            st->h = h;
            st->w = w;
            h /= 2;
            w /= 2;
            st->ho = h;
            st->wo = w;
            qn->ns++;
            continue;
        case REC__CONV:
        case REC__DENSE: {
            int conv = l->type == REC__CONV;
            int nx = skip_drop(net, i + 1);
            st->kind = conv ? QS_CONV : QS_DENSE;
            st->cin = c;
            st->h = h;
            st->w = w;
            st->cout = l->cout;
            st->k = conv ? 9 * c : c;
            st->kp = (int)round4((size_t)st->k);
            st->last = i == net->nl - 1;
            st->relu = nx < net->nl && net->l[nx].type == REC__RELU;
            if (!st->relu && !st->last) {
                err_set("int8: layer %d is not followed by a ReLU", i);
                goto fail;
            }
            if (st->relu) {
                i = nx; /* the ReLU is fused into the epilogue */
                int np = skip_drop(net, i + 1);
                if (conv && np < net->nl && net->l[np].type == REC__POOL) {
                    st->pool = 1; /* and so is the pool after it */
                    i = np;
                }
            }
            st->ho = st->pool ? h / 2 : h;
            st->wo = st->pool ? w / 2 : w;
            wr = malloc((size_t)st->cout * st->k * sizeof(float));
            if (!wr) {
                err_set("out of memory");
                goto fail;
            }
            /* reorder k to the channels-last order of the int8 path */
            for (int o = 0; o < st->cout; o++) {
                float *d = wr + (size_t)o * st->k;
                const float *s = W + (size_t)o * st->k;
                if (conv) {
                    for (int ci = 0; ci < c; ci++)
                        for (int t = 0; t < 9; t++)
                            d[t * c + ci] = s[ci * 9 + t];
                } else if (flat_c > 0) {
                    for (int ci = 0; ci < flat_c; ci++)
                        for (int p = 0; p < flat_hw; p++)
                            d[p * flat_c + ci] = s[ci * flat_hw + p];
                } else {
                    memcpy(d, s, (size_t)st->k * sizeof(float));
                }
            }
            qn->ns++;
            if (step_weights(st, wr, B) < 0)
                goto fail;
            free(wr);
            wr = NULL;
            flat_c = 0;
            c = st->cout;
            h = st->ho;
            w = st->wo;
            continue;
        }
        default:
            err_set("int8: layer %d: unexpected layer type", i);
            goto fail;
        }
    }
    return 0;
fail:
    free(wr);
    rec__quant_free(net);
    return -1;
}

/* The int8 scratch arena (tests: it must not change between calls). */
const void *rec__quant_arena(const RecNet *net)
{
    return net->q ? net->q->arena : NULL;
}

/* 1 if the input of step i is stored with a zero border (step i is a
 * conv: its im2col then needs no bounds checks). */
static int in_padded(const RecQNet *qn, int i)
{
    return i < qn->ns && qn->s[i].kind == QS_CONV;
}

/* Bytes per sample of the c x h x w input of step i (with its border when
 * padded), rounded up to 4 for the GEMM. */
static size_t tensor_stride(const RecQNet *qn, int i, int c, int h, int w)
{
    int p = in_padded(qn, i) ? 2 : 0;
    return round4((size_t)c * (h + p) * (w + p));
}

static int quant_reserve(RecQNet *qn, int cap)
{
    if (cap <= qn->cap)
        return 0;
    size_t n4 = round4((size_t)cap);
    size_t act = n4 * tensor_stride(qn, 0, 1, REC_INPUT_SIZE, REC_INPUT_SIZE);
    size_t col = 4, fb = 1;
    for (int i = 0; i < qn->ns; i++) {
        const QStep *st = &qn->s[i];
        size_t a = n4 * tensor_stride(qn, i + 1, st->cout, st->ho, st->wo);
        act = a > act ? a : act;
        if (st->kind != QS_POOL) {
            size_t f = (size_t)cap * st->cout * st->ho * st->wo;
            fb = f > fb ? f : fb;
        }
        if (st->kind == QS_CONV) {
            size_t cl = round4((size_t)cap * st->h * st->w) * st->kp;
            col = cl > col ? cl : col;
        }
    }
    act = (act + 63) & ~(size_t)63;
    col = (col + 63) & ~(size_t)63;
    size_t scs = ((n4 * sizeof(float)) + 63) & ~(size_t)63;
    size_t total = 2 * act + col + fb * sizeof(float) + 2 * scs + 64;
    unsigned char *a = malloc(total);
    if (!a)
        return err_set("out of memory for an int8 batch of %d (%zu MB)", cap,
                       total >> 20);
    free(qn->arena);
    qn->arena = a;
    unsigned char *p = (unsigned char *)(((uintptr_t)a + 63) & ~(uintptr_t)63);
    qn->fbuf = (float *)p;
    p += ((fb * sizeof(float)) + 63) & ~(size_t)63;
    qn->act[0] = p;
    p += act;
    qn->act[1] = p;
    p += act;
    qn->col = p;
    p += col;
    qn->sc[0] = (float *)p;
    p += scs;
    qn->sc[1] = (float *)p;
    qn->cap = cap;
    return 0;
}

/* Largest of x[0..m) and 0, with eight partial maxima (vectorisable;
 * the maximum does not depend on the order). NaN is ignored. */
static float max0(const float *restrict x, size_t m)
{
    float acc[8] = {0};
    size_t j = 0;
    for (; j + 8 <= m; j += 8)
        for (int k = 0; k < 8; k++)
            acc[k] = x[j + k] > acc[k] ? x[j + k] : acc[k];
    for (; j < m; j++)
        acc[0] = x[j] > acc[0] ? x[j] : acc[0];
    float mx = acc[0];
    for (int k = 1; k < 8; k++)
        mx = acc[k] > mx ? acc[k] : mx;
    return mx;
}

/* d[j] = round(v[j] * inv) clamped to [0, 255]. */
static void to_u8(uint8_t *restrict d, const float *restrict v, size_t m,
                  float inv)
{
    for (size_t j = 0; j < m; j++) {
        float t = v[j] * inv + 0.5f;
        t = t > 0.0f ? t : 0.0f; /* NaN -> 0 */
        t = t < 255.0f ? t : 255.0f;
        d[j] = (uint8_t)(int)t;
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define REC_HAVE_AVX512_QUANT 1
#define AVX512_TARGET __attribute__((target("avx512f,avx512bw")))

/* max0() and to_u8() with AVX-512: the same operations lane by lane
 * (max_ps(x, m) is x > m ? x : m; min/max then truncation), so the same
 * bytes; used where the VNNI kernel runs. */
AVX512_TARGET static float max0_avx512(const float *x, size_t m)
{
    __m512 acc = _mm512_setzero_ps();
    size_t j = 0;
    for (; j + 16 <= m; j += 16)
        acc = _mm512_max_ps(_mm512_loadu_ps(x + j), acc);
    if (j < m) {
        __mmask16 k = (__mmask16)((1u << (m - j)) - 1);
        acc = _mm512_max_ps(_mm512_maskz_loadu_ps(k, x + j), acc);
    }
    return _mm512_reduce_max_ps(acc);
}

AVX512_TARGET static void to_u8_avx512(uint8_t *d, const float *v, size_t m,
                                       float inv)
{
    __m512 vi = _mm512_set1_ps(inv), half = _mm512_set1_ps(0.5f);
    __m512 zero = _mm512_setzero_ps(), top = _mm512_set1_ps(255.0f);
    for (size_t j = 0; j < m; j += 16) {
        __mmask16 k = m - j >= 16 ? 0xFFFF : (__mmask16)((1u << (m - j)) - 1);
        __m512 t = _mm512_add_ps(
            _mm512_mul_ps(_mm512_maskz_loadu_ps(k, v + j), vi), half);
        t = _mm512_min_ps(_mm512_max_ps(t, zero), top);
        _mm512_mask_cvtepi32_storeu_epi8(d + j, k, _mm512_cvttps_epi32(t));
    }
}
#endif

/* Quantise n samples of h x w x c floats (>= 0) each to u8 with a scale
 * per sample (max / 255, times extra); sample s goes to q + s * ss. With
 * pad the map gets a border of one zero pixel ((h+2) x (w+2) x c: the
 * next conv's padding), else it is stored as is; the rest of ss is zero,
 * and samples n .. round4(n) are zeroed (read by the GEMM's row tail). */
static int quantise(const float *f, int n, int h, int w, int c, int pad,
                    size_t ss, uint8_t *q, float *sc, float extra)
{
    size_t len = (size_t)h * w * c, row = (size_t)w * c;
    float (*maxf)(const float *, size_t) = max0;
    void (*conv)(uint8_t *, const float *, size_t, float) = to_u8;
#ifdef REC_HAVE_AVX512_QUANT
    if (rec__qgemm_vnni_available()) {
        maxf = max0_avx512;
        conv = to_u8_avx512;
    }
#endif
    for (int s = 0; s < n; s++) {
        const float *v = f + (size_t)s * len;
        uint8_t *d = q + (size_t)s * ss;
        float mx = maxf(v, len);
        if (!isfinite(mx))
            return err_set("the model gives a non-finite activation for "
                           "glyph %d (damaged weights?)", s);
        if (mx == 0.0f) {
            sc[s] = extra;
            memset(d, 0, ss);
            continue;
        }
        float inv = 255.0f / mx;
        sc[s] = mx / 255.0f * extra;
        if (!pad) {
            conv(d, v, len, inv);
            memset(d + len, 0, ss - len);
            continue;
        }
        memset(d, 0, ss);
        for (int y = 0; y < h; y++)
            conv(d + ((size_t)(y + 1) * (w + 2) + 1) * c, v + y * row, row,
                 inv);
    }
    size_t n4 = round4((size_t)n);
    if (n4 > (size_t)n)
        memset(q + (size_t)n * ss, 0, (n4 - (size_t)n) * ss);
    return 0;
}

/* Copy m bytes; 16-byte moves when m allows (the channel counts do). */
static inline void copy_run(uint8_t *restrict d, const uint8_t *restrict s,
                            size_t m)
{
    if (m % 16 == 0) {
        for (size_t j = 0; j < m; j += 16)
            memcpy(d + j, s + j, 16);
    } else {
        for (size_t j = 0; j < m; j++)
            d[j] = s[j];
    }
}

/* im2col for a 3x3 pad-1 conv on a channels-last u8 map stored with its
 * zero border ((h+2) x (w+2) x c, sample stride ss): row = output pixel,
 * k = tap * c + channel, padded to kp. The three taps of a kernel row are
 * adjacent pixels, so each is one run of 3c bytes. With pool, rows come in
 * pool order: the 4 pixels of each 2x2 window are consecutive, windows in
 * row-major order of the pooled map. */
static void im2col_u8(const uint8_t *x, int n, int c, int h, int w,
                      size_t ss, int kp, int pool, uint8_t *col)
{
    size_t hw = (size_t)h * w, wp = (size_t)w + 2, run = 3 * (size_t)c;
    for (int s = 0; s < n; s++) {
        const uint8_t *src = x + (size_t)s * ss;
        for (int y = 0; y < h; y++)
            for (int xx = 0; xx < w; xx++) {
                size_t r = pool ? (((size_t)(y / 2) * (w / 2) + xx / 2) * 4 +
                                   (size_t)(y % 2) * 2 + xx % 2)
                                : (size_t)y * w + xx;
                uint8_t *restrict d = col + ((size_t)s * hw + r) * kp;
                const uint8_t *sp = src + ((size_t)y * wp + xx) * c;
                if (c == 1) { /* the first layer: 9 bytes and 3 zeros */
                    memcpy(d, sp, 3);
                    memcpy(d + 3, sp + wp, 3);
                    memcpy(d + 6, sp + 2 * wp, 3);
                } else {
                    for (int ky = 0; ky < 3; ky++)
                        copy_run(d + ky * run, sp + ky * wp * c, run);
                }
                for (int j = 9 * c; j < kp; j++)
                    d[j] = 0;
            }
    }
    size_t rows = (size_t)n * hw, r4 = round4(rows);
    if (r4 > rows)
        memset(col + rows * kp, 0, (r4 - rows) * kp);
}

/* 2x2 max-pool on channels-last u8 (scales unchanged); the input is
 * stored without border, the output with one when pad (see quantise). */
static void pool_u8(const uint8_t *x, int n, int c, int h, int w, size_t ssi,
                    int pad, size_t sso, uint8_t *y)
{
    int ho = h / 2, wo = w / 2;
    for (int s = 0; s < n; s++) {
        const uint8_t *src = x + (size_t)s * ssi;
        uint8_t *dst = y + (size_t)s * sso;
        memset(dst, 0, sso);
        for (int oy = 0; oy < ho; oy++)
            for (int ox = 0; ox < wo; ox++) {
                const uint8_t *a = src + ((size_t)(2 * oy) * w + 2 * ox) * c;
                const uint8_t *b = a + (size_t)w * c;
                uint8_t *d = dst + (pad ? ((size_t)(oy + 1) * (wo + 2) + ox + 1)
                                        : ((size_t)oy * wo + ox)) * c;
                for (int j = 0; j < c; j++) {
                    uint8_t m1 = a[j] > a[j + c] ? a[j] : a[j + c];
                    uint8_t m2 = b[j] > b[j + c] ? b[j] : b[j + c];
                    d[j] = m1 > m2 ? m1 : m2;
                }
            }
    }
    size_t n4 = round4((size_t)n);
    if (n4 > (size_t)n)
        memset(y + (size_t)n * sso, 0, (n4 - (size_t)n) * sso);
}

/**
 * Forward n glyphs through the int8 plan.
 *
 * @param[in] net  a net with quantised weights (rec__quant_prepare)
 * @param[in] x    n x REC_INPUT_SIZE^2 floats, ink = 1, >= 0
 * @param[in] n    glyphs (1 ..; rec_net_classify passes chunks)
 * @return the logits, n x REC_NCLASSES sample-major, in the net's arena
 *         (valid until the next call), or NULL (no int8 weights, out of
 *         memory, a non-finite activation; message set)
 *
 * Notes:
 *   (1) Negative inputs are clamped to 0 (the fp32 path would keep
 *       them); normalised glyphs have none.
 *   (2) Each glyph's scales come from its own tensors, so results do
 *       not depend on n or on the other glyphs.
 */
const float *rec__quant_forward(RecNet *net, const float *x, int n)
{
    return rec__quant_forward_feat(net, x, n, NULL);
}

/* rec__quant_forward(), and with feat the last layer's input per glyph
 * (n x that layer's depth floats: u8 x the glyph's scale). */
const float *rec__quant_forward_feat(RecNet *net, const float *x, int n,
                                     float *feat)
{
    RecQNet *qn = net->q;
    if (!qn) {
        err_set("int8: the net has no quantised weights");
        return NULL;
    }
    if (quant_reserve(qn, n) < 0)
        return NULL;
    int cur = 0;
    size_t ss = tensor_stride(qn, 0, 1, REC_INPUT_SIZE, REC_INPUT_SIZE);
    if (quantise(x, n, REC_INPUT_SIZE, REC_INPUT_SIZE, 1, in_padded(qn, 0),
                 ss, qn->act[0], qn->sc[0], qn->in_scale) < 0)
        return NULL;
    for (int i = 0; i < qn->ns; i++) {
        const QStep *st = &qn->s[i];
        int pad = in_padded(qn, i + 1);
        size_t sso = tensor_stride(qn, i + 1, st->cout, st->ho, st->wo);
        if (st->kind == QS_POOL) {
            pool_u8(qn->act[cur], n, st->cin, st->h, st->w, ss, pad, sso,
                    qn->act[!cur]);
            memcpy(qn->sc[!cur], qn->sc[cur], (size_t)n * sizeof(float));
            cur = !cur;
            ss = sso;
            continue;
        }
        RecQGemm g = {0};
        g.n = st->cout;
        g.kp = st->kp;
        g.b = st->wq;
        g.wscale = st->wscale;
        g.bias = st->bias;
        g.ascale = qn->sc[cur];
        g.relu = st->relu;
        g.out = qn->fbuf;
        g.ldo = (size_t)st->cout;
        if (st->kind == QS_CONV) {
            /* the VNNI kernel gathers the rows itself, a tile at a time
             * (im2col writes 110 KB a glyph for the two big layers) */
            if (st->pool && st->kp == 9 * st->cin &&
                rec__qgemm_reads_map(st->cin)) {
                g.map = qn->act[cur];
                g.map_ss = ss;
                g.map_c = st->cin;
                g.map_h = st->h;
                g.map_w = st->w;
            } else {
                im2col_u8(qn->act[cur], n, st->cin, st->h, st->w, ss, st->kp,
                          st->pool, qn->col);
                g.a = qn->col;
            }
            g.m = n * st->h * st->w;
            g.lda = (size_t)st->kp;
            g.rows_per_scale = st->h * st->w;
            g.pool4 = st->pool;
        } else {
            g.m = n;
            g.a = qn->act[cur];
            g.lda = ss; /* = round4(k) = kp */
            g.rows_per_scale = 1;
        }
        if (st->last && feat)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < st->k; k++)
                    feat[(size_t)j * st->k + k] =
                        (float)qn->act[cur][(size_t)j * ss + k] *
                        qn->sc[cur][j];
        rec__qgemm(&g);
        if (st->last)
            return qn->fbuf;
        if (quantise(qn->fbuf, n, st->ho, st->wo, st->cout, pad, sso,
                     qn->act[!cur], qn->sc[!cur], 1.0f) < 0)
            return NULL;
        cur = !cur;
        ss = sso;
    }
    err_set("int8: the plan does not end with a dense layer");
    return NULL;
}

/* ---- the precision switch ------------------------------------------ */

/**
 * Parse "auto", "fp32" or "int8".
 *
 * @param[in]  s   the word
 * @param[out] pp  the precision
 * @return 0, or -1 (message quotes the word)
 */
int rec_precision_parse(const char *s, RecPrecision *pp)
{
    if (s && !strcmp(s, "auto"))
        *pp = REC_PRECISION_AUTO;
    else if (s && !strcmp(s, "fp32"))
        *pp = REC_PRECISION_FP32;
    else if (s && !strcmp(s, "int8"))
        *pp = REC_PRECISION_INT8;
    else
        return err_set("precision \"%s\": want fp32, int8 or auto",
                       s ? s : "");
    return 0;
}

/** "auto", "fp32" or "int8". */
const char *rec_precision_name(RecPrecision p)
{
    return p == REC_PRECISION_FP32 ? "fp32"
           : p == REC_PRECISION_INT8 ? "int8" : "auto";
}

/**
 * Choose the inference precision of a net.
 *
 * @param[in] net  the net
 * @param[in] p    REC_PRECISION_AUTO (int8 where the CPU has AVX-512
 *                 VNNI or AVX2), _FP32 or _INT8
 * @return 0, or -1 when int8 is asked for and the net cannot run it
 *         (message says why)
 *
 * Notes:
 *   (1) int8 on a net without quantised weights (one made by
 *       rec_net_create) quantises its current weights now.
 *   (2) int8 on a CPU without AVX2 (or VNNI) runs the portable kernel:
 *       same results, several times slower than fp32.
 */
int rec_net_set_precision(RecNet *net, RecPrecision p)
{
    if (p == REC_PRECISION_INT8 && !net->q && rec__quant_prepare(net) < 0)
        return -1;
    net->precision = (int)p;
    return 0;
}

/**
 * The precision rec_net_classify() uses for this net now: FP32 or INT8,
 * never AUTO.
 */
RecPrecision rec_net_precision(const RecNet *net)
{
    RecPrecision p = (RecPrecision)net->precision;
    if (p == REC_PRECISION_AUTO)
        p = REC__INT8_BY_DEFAULT && rec__qgemm_isa() != REC__QISA_PORTABLE
                ? REC_PRECISION_INT8
                : REC_PRECISION_FP32;
    return p == REC_PRECISION_INT8 && net->q ? REC_PRECISION_INT8
                                             : REC_PRECISION_FP32;
}
