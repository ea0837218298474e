/*
 * test_rec_quant.c - the int8 inference path: the u8 x s8 GEMM (AVX-512
 * VNNI, AVX2 and portable kernels, each forced in turn) against naive
 * loops on odd shapes, the kernels bit-identical to the portable one (also
 * on operands that would saturate vpmaddubsw, and through a whole net),
 * weight quantisation edge cases, int8 forward against fp32 on random nets
 * of several layer patterns, batch = single calls, no allocation after the
 * first call, and the precision switch. Kernels the CPU lacks are skipped
 * with a note. All data comes from fixed seeds.
 */
#include "recognize/rec_net_internal.h"
#include "train/train_loop.h"

#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/rng.h"
#include "test.h"

#define ISZ (REC_INPUT_SIZE * REC_INPUT_SIZE)

/* ---- the GEMM --------------------------------------------------------- */

typedef struct {
    int m, n, k, kp;
    uint8_t *a;
    int8_t *w, *b;
    float *ws, *bias, *as;
    float *out;
    RecQGemm g;
} QCase;

/* Random operands with extreme values mixed in (255, -127, 127), so a
 * saturating or mis-signed product would show. */
static void qcase_init(QCase *q, int m, int n, int k, int pool4, int relu,
                       uint64_t seed)
{
    Rng r;
    rng_seed(&r, seed);
    q->m = m;
    q->n = n;
    q->k = k;
    q->kp = (k + 3) & ~3;
    size_t m4 = ((size_t)m + 3) & ~(size_t)3;
    q->a = calloc(m4 * q->kp, 1);
    q->w = malloc((size_t)n * k);
    q->b = malloc(rec__qgemm_packed_size(n, q->kp));
    q->ws = malloc((size_t)n * sizeof(float));
    q->bias = malloc((size_t)n * sizeof(float));
    q->as = malloc(m4 * sizeof(float));
    q->out = calloc((size_t)m * n, sizeof(float));
    for (int i = 0; i < m; i++)
        for (int j = 0; j < k; j++) {
            uint64_t v = rng_next(&r);
            q->a[(size_t)i * q->kp + j] = v % 7 == 0 ? 255 : (uint8_t)(v >> 8);
        }
    for (size_t i = 0; i < (size_t)n * k; i++) {
        uint64_t v = rng_next(&r);
        int x = (int)(v >> 8 & 255) - 128;
        q->w[i] = (int8_t)(v % 11 == 0 ? -127 : v % 13 == 0 ? 127
                           : x < -127 ? -127 : x);
    }
    for (int i = 0; i < n; i++) {
        q->ws[i] = 1e-4f * (1.0f + rng_uniform(&r));
        q->bias[i] = rng_uniform(&r) - 0.5f;
    }
    for (size_t i = 0; i < m4; i++)
        q->as[i] = 0.01f * (0.5f + rng_uniform(&r));
    rec__qgemm_pack_b(q->w, n, k, q->kp, q->b);
    q->g = (RecQGemm){.m = m, .n = n, .kp = q->kp, .a = q->a,
                      .lda = (size_t)q->kp, .b = q->b, .wscale = q->ws,
                      .bias = q->bias, .ascale = q->as, .rows_per_scale = 1,
                      .pool4 = pool4, .relu = relu, .out = q->out,
                      .ldo = (size_t)n};
}

static void qcase_free(QCase *q)
{
    free(q->a);
    free(q->w);
    free(q->b);
    free(q->ws);
    free(q->bias);
    free(q->as);
    free(q->out);
}

/* Naive: plain s32 sums, then the documented epilogue arithmetic. */
static float naive_at(const QCase *q, int r, int c)
{
    int step = q->g.pool4 ? 4 : 1;
    int64_t best = 0;
    for (int t = 0; t < step; t++) {
        int64_t acc = 0;
        for (int j = 0; j < q->k; j++)
            acc += (int64_t)q->a[(size_t)(r + t) * q->kp + j] *
                   q->w[(size_t)c * q->k + j];
        if (t == 0 || acc > best)
            best = acc;
    }
    float s = q->ws[c] * q->as[r / q->g.rows_per_scale];
    float p = (float)(int32_t)best * s;
    float v = p + q->bias[c];
    if (q->g.relu)
        v = v > 0.0f ? v : 0.0f;
    return v;
}

static const int shapes[][3] = {
    {1, 1, 1},    {3, 5, 9},      {4, 16, 9},    {13, 62, 9},
    {25, 33, 17}, {12, 32, 288},  {29, 64, 576}, {7, 128, 2048},
    {100, 70, 131}, {64, 62, 128}, {2, 130, 5}};
#define NSHAPES (int)(sizeof shapes / sizeof shapes[0])

static const RecQIsa kernels[] = {REC__QISA_PORTABLE, REC__QISA_AVX2,
                                  REC__QISA_VNNI};
#define NKERNELS (int)(sizeof kernels / sizeof kernels[0])

/* Force a kernel for the next rec__qgemm calls; 0 when the CPU lacks it
 * (noted once). Callers end with rec__qgemm_force_isa(REC__QISA_AUTO). */
static int use_kernel(RecQIsa isa)
{
    static int noted[NKERNELS];
    if (rec__qgemm_force_isa(isa) == 0)
        return 1;
    if (!noted[isa]) /* the value is the index in kernels[] */
        printf("  note: %s: skipped\n", err_get());
    noted[isa] = 1;
    return 0;
}

/* Run g with kernel isa and with the portable reference; 1 if the floats
 * are the same bits. */
static int same_as_portable(RecQIsa isa, const RecQGemm *g)
{
    size_t rows = (size_t)(g->pool4 ? g->m / 4 : g->m);
    size_t bytes = rows * g->ldo * sizeof(float);
    float *fast = malloc(bytes);
    memset(g->out, 0xA5, bytes); /* a kernel that skips a value shows */
    CHECK(rec__qgemm_force_isa(isa) == 0);
    rec__qgemm(g);
    memcpy(fast, g->out, bytes);
    memset(g->out, 0x5A, bytes);
    rec__qgemm_ref(g);
    int same = memcmp(fast, g->out, bytes) == 0;
    if (!same)
        printf("  %s: m=%d n=%d kp=%d pool4=%d relu=%d differs from portable\n",
               rec__qgemm_isa_name(isa), g->m, g->n, g->kp, g->pool4, g->relu);
    free(fast);
    return same;
}

static int qcase_matches_naive(QCase *q)
{
    int step = q->g.pool4 ? 4 : 1, bad = 0;
    for (int r = 0; r < q->m && !bad; r += step)
        for (int c = 0; c < q->n; c++)
            if (q->out[(size_t)(r / step) * q->n + c] != naive_at(q, r, c)) {
                printf("  m=%d n=%d k=%d pool4=%d: row %d col %d: %g vs %g\n",
                       q->m, q->n, q->k, q->g.pool4, r, c,
                       (double)q->out[(size_t)(r / step) * q->n + c],
                       (double)naive_at(q, r, c));
                bad = 1;
                break;
            }
    return !bad;
}

static void rec__qgemm__odd_shapes__equal_naive_reference(void)
{
    for (int i = 0; i < NKERNELS; i++) {
        if (!use_kernel(kernels[i]))
            continue;
        for (int s = 0; s < NSHAPES; s++)
            for (int relu = 0; relu < 2; relu++) {
                QCase q;
                qcase_init(&q, shapes[s][0], shapes[s][1], shapes[s][2], 0,
                           relu, 100 + (uint64_t)s);
                rec__qgemm(&q.g);
                CHECK(qcase_matches_naive(&q));
                qcase_free(&q);
            }
    }
    rec__qgemm_force_isa(REC__QISA_AUTO);
}

static void rec__qgemm__pool4_and_row_scales__equal_naive_reference(void)
{
    static const int ps[][3] = {{4, 5, 9}, {16, 32, 9}, {48, 64, 288},
                                {28, 40, 13}, {8, 128, 576}};
    for (int i = 0; i < NKERNELS; i++) {
        if (!use_kernel(kernels[i]))
            continue;
        for (int s = 0; s < 5; s++) {
            QCase q;
            qcase_init(&q, ps[s][0], ps[s][1], ps[s][2], 1, 1,
                       200 + (uint64_t)s);
            q.g.rows_per_scale = 4 * (s + 1) > q.m ? q.m : 4 * (s + 1);
            rec__qgemm(&q.g);
            CHECK(qcase_matches_naive(&q));
            qcase_free(&q);
        }
    }
    rec__qgemm_force_isa(REC__QISA_AUTO);
}

static void rec__qgemm__unit_scales__exact_integer_sums(void)
{
    /* All products at the extreme 255 x -127: no saturation anywhere
     * (vpdpbusd sums 4 of them into s32 exactly); the sum, below 2^24,
     * is exact in the float output too. */
    QCase q;
    qcase_init(&q, 9, 20, 500, 0, 0, 300);
    for (int i = 0; i < q.n; i++) {
        q.ws[i] = 1.0f;
        q.bias[i] = 0.0f;
    }
    for (int i = 0; i < 12; i++)
        q.as[i] = 1.0f;
    memset(q.a, 255, (size_t)q.m * q.kp);
    for (int i = 0; i < q.m; i++)
        memset(q.a + (size_t)i * q.kp + q.k, 0, (size_t)(q.kp - q.k));
    memset(q.w, 0x81, (size_t)q.n * q.k); /* -127 */
    rec__qgemm_pack_b(q.w, q.n, q.k, q.kp, q.b);
    for (int i = 0; i < NKERNELS; i++) {
        if (!use_kernel(kernels[i]))
            continue;
        memset(q.out, 0, (size_t)q.m * q.n * sizeof(float));
        rec__qgemm(&q.g);
        CHECK(q.out[0] == -255.0f * 127.0f * 500.0f);
        CHECK(q.out[(size_t)q.m * q.n - 1] == -255.0f * 127.0f * 500.0f);
    }
    rec__qgemm_force_isa(REC__QISA_AUTO);
    qcase_free(&q);
}

/* Weight patterns along k that make every vpmaddubsw pair (k, k+1) of a
 * u8 x s8 kernel overflow s16 when the activations are 255: 255 x 127 x 2
 * = 64,770 and -64,770. Pattern p, column c, depth j. */
static int8_t extreme_weight(int p, int c, int j)
{
    switch (p) {
    case 0: return 127;
    case 1: return -127;
    case 2: return (j / 2 + c) % 2 ? 127 : -127;   /* pairs of one sign */
    case 3: return (j + c) % 2 ? 127 : -127;       /* signs alternate */
    default: return (j * 7 + c * 3) % 5 < 3 ? 127 : -127;
    }
}

static void rec__qgemm__saturating_operands__exact_sums_every_kernel(void)
{
    /* Activations 255 (and 255/0 stripes) against +-127 weights in every
     * arrangement: a kernel built on vpmaddubsw without splitting would
     * clamp pair sums to +-32,767 here. Unit scales, no bias and sums
     * below 2^24 make the float output the exact integer sum, computed
     * here in 64 bits. Odd m, n and k (k not a multiple of 4) too. */
    static const int sh[][3] = {{9, 20, 500}, {7, 33, 257}, {4, 8, 4},
                                {13, 62, 131}, {3, 5, 9}};
    for (int s = 0; s < 5; s++)
        for (int p = 0; p < 5; p++)
            for (int stripes = 0; stripes < 2; stripes++) {
                QCase q;
                qcase_init(&q, sh[s][0], sh[s][1], sh[s][2], 0, 0,
                           1100 + (uint64_t)s);
                for (int c = 0; c < q.n; c++) {
                    q.ws[c] = 1.0f;
                    q.bias[c] = 0.0f;
                    for (int j = 0; j < q.k; j++)
                        q.w[(size_t)c * q.k + j] = extreme_weight(p, c, j);
                }
                for (int r = 0; r < q.m; r++) {
                    q.as[r] = 1.0f;
                    for (int j = 0; j < q.k; j++)
                        q.a[(size_t)r * q.kp + j] =
                            stripes && (r + j / 3) % 4 == 0 ? 0 : 255;
                }
                rec__qgemm_pack_b(q.w, q.n, q.k, q.kp, q.b);
                for (int i = 0; i < NKERNELS; i++) {
                    if (!use_kernel(kernels[i]))
                        continue;
                    memset(q.out, 0, (size_t)q.m * q.n * sizeof(float));
                    rec__qgemm(&q.g);
                    int bad = 0;
                    for (int r = 0; r < q.m && !bad; r++)
                        for (int c = 0; c < q.n && !bad; c++) {
                            int64_t e = 0;
                            for (int j = 0; j < q.k; j++)
                                e += (int64_t)q.a[(size_t)r * q.kp + j] *
                                     q.w[(size_t)c * q.k + j];
                            if (q.out[(size_t)r * q.n + c] != (float)e) {
                                printf("  %s: m=%d n=%d k=%d pattern %d: "
                                       "[%d][%d] = %.0f, exact %lld\n",
                                       rec__qgemm_isa_name(kernels[i]), q.m,
                                       q.n, q.k, p, r, c,
                                       (double)q.out[(size_t)r * q.n + c],
                                       (long long)e);
                                bad = 1;
                            }
                        }
                    CHECK(!bad);
                }
                qcase_free(&q);
            }
    rec__qgemm_force_isa(REC__QISA_AUTO);
}

/* Every shape, with and without pool and ReLU, one scale per row and per
 * 4 rows, and the largest depth at full-range operands: kernel isa gives
 * the portable kernel's bits. */
static void check_kernel_bit_identical(RecQIsa isa)
{
    if (!use_kernel(isa))
        return;
    for (int s = 0; s < NSHAPES; s++)
        for (int pool = 0; pool < 2; pool++)
            for (int relu = 0; relu < 2; relu++) {
                int m = pool ? ((shapes[s][0] + 3) & ~3) : shapes[s][0];
                QCase q;
                qcase_init(&q, m, shapes[s][1], shapes[s][2], pool, relu,
                           400 + (uint64_t)s);
                CHECK(same_as_portable(isa, &q.g));
                q.g.rows_per_scale = m >= 4 ? 4 : 1;
                CHECK(same_as_portable(isa, &q.g));
                qcase_free(&q);
            }
    /* k = 2047 at 255 x +-127 everywhere: sums near 66 million, beyond
     * float's exact integers, so only the same rounding gives the same
     * bits */
    QCase q;
    qcase_init(&q, 6, 19, 2047, 0, 0, 450);
    for (int r = 0; r < q.m; r++)
        memset(q.a + (size_t)r * q.kp, 255, (size_t)q.k);
    for (int c = 0; c < q.n; c++)
        for (int j = 0; j < q.k; j++)
            q.w[(size_t)c * q.k + j] = extreme_weight(c % 5, c, j);
    rec__qgemm_pack_b(q.w, q.n, q.k, q.kp, q.b);
    CHECK(same_as_portable(isa, &q.g));
    qcase_free(&q);
    rec__qgemm_force_isa(REC__QISA_AUTO);
}

static void rec__qgemm__vnni_and_portable__bit_identical(void)
{
    check_kernel_bit_identical(REC__QISA_VNNI);
}

static void rec__qgemm__avx2_and_portable__bit_identical(void)
{
    check_kernel_bit_identical(REC__QISA_AVX2);
}

/* A 3x3 convolution given as its channels-last map (RecQGemm.map) gives
 * the bits of the same product given as im2col rows in pool order, with
 * every kernel: the portable one reads the map byte by byte, the VNNI one
 * gathers each tile's rows (c of 32, 64, 128); rec__qgemm_reads_map()
 * says which kernel reads it. Sizes: windows per map row 2 and 3, so
 * tiles of 3 windows cross map rows and samples. */
static void rec__qgemm__conv_map__same_bits_as_im2col_rows(void)
{
    static const int chans[] = {32, 64, 128}, sides[] = {4, 6};
    int ns = 3, nout = 40;
    for (size_t ci = 0; ci < sizeof chans / sizeof *chans; ci++)
        for (size_t si = 0; si < sizeof sides / sizeof *sides; si++) {
            int c = chans[ci], h = sides[si], w = sides[si];
            size_t wp = (size_t)w + 2, ss = (size_t)(h + 2) * wp * c;
            int m = ns * h * w, kp = 9 * c;
            QCase q;
            qcase_init(&q, m, nout, kp, 1, 1, 700 + 10 * ci + si);
            q.g.rows_per_scale = h * w;
            uint8_t *map = calloc((size_t)ns * ss, 1);
            Rng r;
            rng_seed(&r, 800 + 10 * ci + si);
            for (int s = 0; s < ns; s++) /* inside the zero border */
                for (int y = 1; y <= h; y++)
                    for (size_t b = c; b < (size_t)(w + 1) * c; b++) {
                        uint64_t v = rng_next(&r);
                        map[(size_t)s * ss + (size_t)y * wp * c + b] =
                            v % 7 == 0 ? 255 : (uint8_t)(v >> 8);
                    }
            /* the rows im2col makes, in pool order */
            for (int s = 0; s < ns; s++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++) {
                        int row = s * h * w +
                                  ((y / 2) * (w / 2) + x / 2) * 4 +
                                  (y % 2) * 2 + x % 2;
                        for (int ky = 0; ky < 3; ky++)
                            memcpy(q.a + (size_t)row * kp + ky * 3 * c,
                                   map + (size_t)s * ss +
                                       ((size_t)(y + ky) * wp + x) * c,
                                   3 * (size_t)c);
                    }
            size_t bytes = (size_t)(m / 4) * nout * sizeof(float);
            float *ref = malloc(bytes);
            CHECK(rec__qgemm_force_isa(REC__QISA_PORTABLE) == 0);
            rec__qgemm(&q.g);
            memcpy(ref, q.out, bytes);
            RecQGemm gm = q.g;
            gm.a = NULL;
            gm.map = map;
            gm.map_ss = ss;
            gm.map_c = c;
            gm.map_h = h;
            gm.map_w = w;
            for (int i = 0; i < NKERNELS; i++) {
                if (!use_kernel(kernels[i]))
                    continue;
                if (kernels[i] == REC__QISA_AVX2) {
                    CHECK(!rec__qgemm_reads_map(c)); /* reads rows only */
                    continue;
                }
                CHECK(rec__qgemm_reads_map(c) ==
                      (kernels[i] == REC__QISA_VNNI));
                memset(q.out, 0, bytes);
                rec__qgemm(&gm);
                if (memcmp(q.out, ref, bytes) != 0)
                    printf("  c %d, %dx%d: kernel %s differs\n", c, h, w,
                           rec__qgemm_isa_name(kernels[i]));
                CHECK(memcmp(q.out, ref, bytes) == 0);
            }
            rec__qgemm_force_isa(REC__QISA_AUTO);
            free(ref);
            free(map);
            qcase_free(&q);
        }
}

static void rec__qgemm_force_isa__unknown_kernel__refused_and_unchanged(void)
{
    RecQIsa before = rec__qgemm_isa();
    CHECK(rec__qgemm_force_isa((RecQIsa)7) == -1);
    CHECK(strstr(err_get(), "unknown: not supported") != NULL);
    CHECK(rec__qgemm_isa() == before);
    CHECK(rec__qgemm_force_isa(REC__QISA_PORTABLE) == 0);
    CHECK(rec__qgemm_isa() == REC__QISA_PORTABLE);
    CHECK(!rec__qgemm_vnni_available());
    CHECK(rec__qgemm_force_isa(REC__QISA_AUTO) == 0);
    CHECK(rec__qgemm_isa() == before);
}

/* ---- weight quantisation ---------------------------------------------- */

static void rec__quant_rows__zero_row__scale_one_and_zeros(void)
{
    float w[3 * 4] = {0, 0, 0, 0, 1.0f, -2.0f, 0.5f, 2.0f, 1e-30f, 0, 0, 0};
    int8_t q[12];
    float sc[3];
    rec__quant_rows(w, 3, 4, q, sc);
    CHECK(sc[0] == 1.0f);
    CHECK(q[0] == 0 && q[1] == 0 && q[2] == 0 && q[3] == 0);
    CHECK_NEAR(sc[1], 2.0 / 127, 1e-9);
    CHECK(q[4] == 64 && q[5] == -127 && q[6] == 32 && q[7] == 127);
    CHECK(q[8] == 127 && sc[2] > 0.0f); /* a tiny row still spans the range */
}

static void rec__quant_rows__any_weights__as_lrintf_clamped(void)
{
    enum { K = 203 };
    float w[2 * K];
    int8_t q[2 * K];
    float sc[2];
    /* ties: with a largest weight of 127 the scale is 1 */
    const float ties[] = {127.0f, 2.5f, -3.5f, 0.5f, -0.5f, 1.5f, -126.5f};
    unsigned s = 11;
    for (int j = 0; j < 2 * K; j++) {
        s = s * 1103515245u + 12345u;
        w[j] = j < 7 ? ties[j] : ((float)(s >> 8) / 16777216.0f - 0.5f) * 3.0f;
    }
    rec__quant_rows(w, 2, K, q, sc);
    int differ = 0;
    for (int r = 0; r < 2; r++) {
        float mx = 0.0f;
        for (int j = 0; j < K; j++)
            mx = fabsf(w[r * K + j]) > mx ? fabsf(w[r * K + j]) : mx;
        float inv = 127.0f / mx;
        for (int j = 0; j < K; j++) {
            long v = lrintf(w[r * K + j] * inv);
            v = v > 127 ? 127 : v < -127 ? -127 : v;
            differ += q[r * K + j] != v;
        }
    }
    CHECK(differ == 0);
    CHECK(q[1] == 2 && q[2] == -4 && q[3] == 0 && q[4] == 0 && q[5] == 2 &&
          q[6] == -126);
}

/* ---- the int8 forward ------------------------------------------------- */

/* A random net saved and loaded, so batch norm is folded and the int8
 * weights are made at load, as for a real model. Returns NULL on error. */
static RecNet *loaded_random_net(const char *arch, uint64_t seed)
{
    char path[512];
    snprintf(path, sizeof path, "%s/quant_%llu.model", test_tmpdir(),
             (unsigned long long)seed);
    RecNet *net = rec_net_create(arch, seed);
    if (!net)
        return NULL;
    /* biases and bn statistics away from their neutral values */
    Rng r;
    rng_seed(&r, seed + 7);
    for (int i = 0; i < net->nl; i++) {
        RecLayer *l = &net->l[i];
        if (l->type == REC__CONV || l->type == REC__DENSE)
            for (int c = 0; c < l->nb; c++)
                net->params[l->b_off + c] = 0.2f * (float)rng_normal_d(&r);
        /* an untrained net's logits are nearly equal, so its argmax is a
         * coin toss under any rounding; spread them like a trained net's
         * (top class 0.3-0.99) */
        if (i == net->nl - 1)
            for (int k = 0; k < l->nw; k++)
                net->params[l->w_off + k] *= 8.0f;
        if (l->type == REC__BN)
            for (int c = 0; c < l->cout; c++) {
                net->params[l->w_off + c] = 1.0f + 0.2f * (float)rng_normal_d(&r);
                net->stats[l->s_off + c] = 0.1f * (float)rng_normal_d(&r);
                net->stats[l->s_off + l->cout + c] = 0.5f + rng_uniform(&r);
            }
    }
    int ok = rec_net_save(net, path) == 0;
    rec_net_destroy(&net);
    RecNet *b = ok ? rec_net_load(path) : NULL;
    remove(path);
    return b;
}

/* Glyph-like inputs: strokes of ink (1) with grey edges on 0, so the
 * input scale varies per sample like real glyphs. */
static float *glyph_inputs(int n, uint64_t seed)
{
    float *x = calloc((size_t)n * ISZ, sizeof(float));
    Rng r;
    rng_seed(&r, seed);
    for (int s = 0; s < n; s++) {
        float *g = x + (size_t)s * ISZ;
        int strokes = 2 + (int)(rng_next(&r) % 3);
        for (int k = 0; k < strokes; k++) {
            float x0 = 4 + 24 * rng_uniform(&r), y0 = 4 + 24 * rng_uniform(&r);
            float x1 = 4 + 24 * rng_uniform(&r), y1 = 4 + 24 * rng_uniform(&r);
            for (int t = 0; t <= 40; t++) {
                float px = x0 + (x1 - x0) * t / 40, py = y0 + (y1 - y0) * t / 40;
                for (int dy = -2; dy <= 2; dy++)
                    for (int dx = -2; dx <= 2; dx++) {
                        int xx = (int)px + dx, yy = (int)py + dy;
                        if (xx < 0 || yy < 0 || xx >= REC_INPUT_SIZE || yy >= REC_INPUT_SIZE)
                            continue;
                        float d2 = (float)(dx * dx + dy * dy);
                        float v = d2 <= 2 ? 1.0f : d2 <= 5 ? 0.5f : 0.0f;
                        float *p = g + yy * REC_INPUT_SIZE + xx;
                        *p = v > *p ? v : *p;
                    }
            }
        }
        /* some samples fainter (scanned grey), one blank */
        float gain = s % 5 == 0 ? 0.6f : 1.0f;
        for (int j = 0; j < ISZ; j++)
            g[j] *= s == 3 ? 0.0f : gain;
    }
    return x;
}

/* Agreement of int8 and fp32 on n glyph-like inputs. */
static void compare_precisions(RecNet *net, int n, uint64_t seed,
                               int *pagree, int *pdecisive, int *pdagree,
                               double *pmaxd, double *pmeand)
{
    float *x = glyph_inputs(n, seed);
    float *p32 = malloc((size_t)n * REC_NCLASSES * sizeof(float));
    float *p8 = malloc((size_t)n * REC_NCLASSES * sizeof(float));
    CHECK(rec_net_set_precision(net, REC_PRECISION_FP32) == 0);
    CHECK(rec_net_classify(net, x, n, REC_CHARSET_ALL, p32) == 0);
    CHECK(rec_net_set_precision(net, REC_PRECISION_INT8) == 0);
    CHECK(rec_net_precision(net) == REC_PRECISION_INT8);
    CHECK(rec_net_classify(net, x, n, REC_CHARSET_ALL, p8) == 0);
    int agree = 0, decisive = 0, dagree = 0;
    double maxd = 0, sumd = 0;
    for (int s = 0; s < n; s++) {
        const float *a = p32 + (size_t)s * REC_NCLASSES;
        const float *b = p8 + (size_t)s * REC_NCLASSES;
        int ia = 0, ib = 0;
        double sb = 0;
        for (int c = 0; c < REC_NCLASSES; c++) {
            ia = a[c] > a[ia] ? c : ia;
            ib = b[c] > b[ib] ? c : ib;
            double d = fabs((double)a[c] - b[c]);
            maxd = d > maxd ? d : maxd;
            sb += b[c];
        }
        CHECK_NEAR(sb, 1.0, 1e-4);
        sumd += fabs((double)a[ia] - b[ia]);
        agree += ia == ib;
        float second = 0.0f;
        for (int c = 0; c < REC_NCLASSES; c++)
            if (c != ia && a[c] > second)
                second = a[c];
        if (a[ia] - second > 0.1f) {
            decisive++;
            dagree += ia == ib;
        }
    }
    *pagree = agree;
    *pdecisive = decisive;
    *pdagree = dagree;
    *pmaxd = maxd;
    *pmeand = sumd / n;
    free(x);
    free(p32);
    free(p8);
}

/* Tolerance. 8-bit activations (error <= 1/510 of the sample's largest
 * value) and 8-bit symmetric per-channel weights (error <= 1/254 of the
 * channel's largest weight; for normal weights the largest is ~3.5 sd, so
 * ~0.8% rms of a weight) give logits with ~1% rms relative error per
 * layer, 1-2% of the logit spread through these nets (measured: 0.8% for
 * one dense layer, 1.6% for the model's 5 layers). An answer whose top
 * probability leads the runner-up by 0.1 (a logit gap of ~0.3 and more at
 * this spread) cannot flip under that error: those must agree on >= 99%.
 * Near-ties of an untrained net can flip either way: >= 95% overall. A
 * probability p moves by at most p(1-p) x the logit change <= 0.25 x it:
 * a few hundredths at worst (0.1 bound), ~0.01 on average for the top
 * class (0.02 bound). Observed values are printed. */
static void rec_net_classify__int8_random_nets__agree_with_fp32(void)
{
    static const char *archs[] = {
        "c8b,p,c16b,p,d0.2,f32,d0.2,f62", /* the model's pattern, small */
        "c4,c8,p,p,f62",                  /* conv without pool, lone pool */
        "f48,f62",                        /* dense on the input */
    };
    for (int a = 0; a < 3; a++) {
        RecNet *net = loaded_random_net(archs[a], 500 + (uint64_t)a);
        CHECK(net != NULL);
        if (!net)
            continue;
        CHECK(net->q != NULL);
        int agree, decisive, dagree;
        double maxd, meand;
        compare_precisions(net, 400, 600 + (uint64_t)a, &agree, &decisive,
                           &dagree, &maxd, &meand);
        printf("  %s: argmax agrees on %d/400, on %d/%d decisive; max |dp| "
               "%.4f, mean |dp| of the top class %.5f\n", archs[a], agree,
               dagree, decisive, maxd, meand);
        CHECK(agree >= 380);
        CHECK(decisive >= 100 && dagree * 100 >= decisive * 99);
        CHECK(maxd < 0.1);
        CHECK(meand < 0.02);
        rec_net_destroy(&net);
    }
}

static void rec_net_classify__int8_blank_input__finite_bias_only(void)
{
    RecNet *net = loaded_random_net("c8b,p,c16b,p,f32,f62", 700);
    CHECK(net != NULL);
    if (!net)
        return;
    float *x = calloc(2 * ISZ, sizeof(float));
    float p32[2 * REC_NCLASSES], p8[2 * REC_NCLASSES];
    CHECK(rec_net_set_precision(net, REC_PRECISION_FP32) == 0);
    CHECK(rec_net_classify(net, x, 2, REC_CHARSET_ALL, p32) == 0);
    CHECK(rec_net_set_precision(net, REC_PRECISION_INT8) == 0);
    CHECK(rec_net_classify(net, x, 2, REC_CHARSET_ALL, p8) == 0);
    for (int i = 0; i < 2 * REC_NCLASSES; i++) {
        CHECK(isfinite(p8[i]));
        CHECK_NEAR(p8[i], p32[i], 0.02);
    }
    free(x);
    rec_net_destroy(&net);
}

static void rec_net_classify__int8_batch__equals_single_calls(void)
{
    RecNet *net = loaded_random_net("c8b,p,c16b,p,f32,f62", 800);
    RecNet *one = loaded_random_net("c8b,p,c16b,p,f32,f62", 800);
    CHECK(net && one);
    if (!net || !one) {
        rec_net_destroy(&net);
        rec_net_destroy(&one);
        return;
    }
    int n = 70; /* more than one chunk, and a ragged one */
    float *x = glyph_inputs(n, 801);
    float *pb = malloc((size_t)n * REC_NCLASSES * sizeof(float));
    float ps[REC_NCLASSES];
    CHECK(rec_net_set_precision(net, REC_PRECISION_INT8) == 0);
    CHECK(rec_net_set_precision(one, REC_PRECISION_INT8) == 0);
    CHECK(rec_net_classify(net, x, n, REC_CHARSET_ALL, pb) == 0);
    int same = 1;
    for (int s = 0; s < n; s++) {
        CHECK(rec_net_classify(one, x + (size_t)s * ISZ, 1, REC_CHARSET_ALL, ps) == 0);
        same &= memcmp(ps, pb + (size_t)s * REC_NCLASSES, sizeof ps) == 0;
    }
    CHECK(same); /* per-sample scales: a glyph's neighbours do not matter */
    free(x);
    free(pb);
    rec_net_destroy(&net);
    rec_net_destroy(&one);
}

static void check_classify_each_kernel(const char *arch, uint64_t seed)
{
    RecNet *net = loaded_random_net(arch, seed);
    CHECK(net != NULL);
    if (!net)
        return;
    int n = 37;
    float *x = glyph_inputs(n, seed + 1);
    size_t bytes = (size_t)n * REC_NCLASSES * sizeof(float);
    float *ref = malloc(bytes), *p = malloc(bytes);
    CHECK(rec_net_set_precision(net, REC_PRECISION_INT8) == 0);
    CHECK(rec__qgemm_force_isa(REC__QISA_PORTABLE) == 0);
    CHECK(rec_net_classify(net, x, n, REC_CHARSET_ALL, ref) == 0);
    for (int i = 1; i < NKERNELS; i++) {
        if (!use_kernel(kernels[i]))
            continue;
        memset(p, 0, bytes);
        CHECK(rec_net_classify(net, x, n, REC_CHARSET_ALL, p) == 0);
        CHECK(memcmp(p, ref, bytes) == 0);
    }
    rec__qgemm_force_isa(REC__QISA_AUTO);
    free(x);
    free(ref);
    free(p);
    rec_net_destroy(&net);
}

static void rec_net_classify__int8_each_kernel__bit_identical(void)
{
    /* the whole int8 forward: im2col, the GEMMs with fused pool, and the
     * requantisation (AVX-512 or portable loops); 32 and 64 input
     * channels: the VNNI kernel reads those convolutions' maps in place */
    check_classify_each_kernel("c8b,p,c16b,p,d0.2,f32,d0.2,f62", 1200);
    check_classify_each_kernel("c32,p,c64,p,c32,p,f62", 1300);
}

static void rec_net_classify__int8_second_call__allocates_nothing(void)
{
    RecNet *net = loaded_random_net("c8,p,c16,p,f32,f62", 900);
    CHECK(net != NULL);
    if (!net)
        return;
    float *x = glyph_inputs(64, 901);
    float *p = malloc(64 * REC_NCLASSES * sizeof(float));
    CHECK(rec_net_set_precision(net, REC_PRECISION_INT8) == 0);
    CHECK(rec_net_classify(net, x, 64, REC_CHARSET_ALL, p) == 0);
    struct RecQNet *q = net->q;
    const void *qa = rec__quant_arena(net);
    void *arena = net->arena;
    CHECK(qa != NULL);
    float *p2 = malloc(64 * REC_NCLASSES * sizeof(float));
    CHECK(rec_net_classify(net, x, 64, REC_CHARSET_ALL, p2) == 0);
    CHECK(rec_net_classify(net, x, 10, REC_CHARSET_ALL, p2) == 0);
    CHECK(rec_net_classify(net, x, 33, REC_CHARSET_ALL, p2) == 0);
    CHECK(net->q == q);
    CHECK(rec__quant_arena(net) == qa);  /* no new arena */
    CHECK(net->arena == arena);          /* nor an fp32 one */
    CHECK(memcmp(p, p2, 33 * REC_NCLASSES * sizeof(float)) == 0);
    free(x);
    free(p);
    free(p2);
    rec_net_destroy(&net);
}

/* ---- the switch ------------------------------------------------------- */

static void rec_precision_parse__words__parsed_or_rejected(void)
{
    RecPrecision p;
    CHECK(rec_precision_parse("fp32", &p) == 0 && p == REC_PRECISION_FP32);
    CHECK(rec_precision_parse("int8", &p) == 0 && p == REC_PRECISION_INT8);
    CHECK(rec_precision_parse("auto", &p) == 0 && p == REC_PRECISION_AUTO);
    CHECK(rec_precision_parse("bf16", &p) == -1);
    CHECK(strstr(err_get(), "bf16") != NULL);
    CHECK(strcmp(rec_precision_name(REC_PRECISION_INT8), "int8") == 0);
}

static void rec_net_precision__explicit_and_auto__respected(void)
{
    RecNet *net = loaded_random_net("f62", 1000);
    CHECK(net != NULL);
    if (!net)
        return;
    RecPrecision cpu = rec__qgemm_isa() != REC__QISA_PORTABLE
                           ? REC_PRECISION_INT8
                           : REC_PRECISION_FP32;
    /* the library reads no environment: INKPIPE_PRECISION is the CLI's */
    setenv("INKPIPE_PRECISION", cpu == REC_PRECISION_INT8 ? "fp32" : "int8",
           1);
    CHECK(rec_net_precision(net) == cpu);
    unsetenv("INKPIPE_PRECISION");
    CHECK(rec_net_set_precision(net, REC_PRECISION_INT8) == 0);
    CHECK(rec_net_precision(net) == REC_PRECISION_INT8);
    CHECK(rec_net_set_precision(net, REC_PRECISION_FP32) == 0);
    CHECK(rec_net_precision(net) == REC_PRECISION_FP32);
    CHECK(rec_net_set_precision(net, REC_PRECISION_AUTO) == 0);
    CHECK(rec_net_precision(net) == cpu);
    rec_net_destroy(&net);

    /* a fresh (unloaded) net with batch norm cannot quantise: stays fp32 */
    RecNet *fresh = rec_net_create("c4b,p,f62", 1);
    CHECK(fresh != NULL);
    if (fresh) {
        CHECK(rec_net_precision(fresh) == REC_PRECISION_FP32);
        CHECK(rec_net_set_precision(fresh, REC_PRECISION_INT8) == -1);
        CHECK(strstr(err_get(), "batch norm") != NULL);
        CHECK(fresh->q == NULL);
    }
    rec_net_destroy(&fresh);
}

static void rec_net_precision__auto_by_kernel__int8_unless_portable(void)
{
    RecNet *net = loaded_random_net("f62", 1300);
    CHECK(net != NULL);
    if (!net)
        return;
    unsetenv("INKPIPE_PRECISION");
    CHECK(rec_net_set_precision(net, REC_PRECISION_AUTO) == 0);
    CHECK(rec__qgemm_force_isa(REC__QISA_PORTABLE) == 0);
    CHECK(rec_net_precision(net) == REC_PRECISION_FP32);
    if (use_kernel(REC__QISA_AVX2)) /* a cluster node without AVX-512 */
        CHECK(rec_net_precision(net) == REC_PRECISION_INT8);
    if (use_kernel(REC__QISA_VNNI))
        CHECK(rec_net_precision(net) == REC_PRECISION_INT8);
    rec__qgemm_force_isa(REC__QISA_AUTO);
    rec_net_destroy(&net);
}

int main(void)
{
    RUN(rec__qgemm__odd_shapes__equal_naive_reference);
    RUN(rec__qgemm__pool4_and_row_scales__equal_naive_reference);
    RUN(rec__qgemm__unit_scales__exact_integer_sums);
    RUN(rec__qgemm__saturating_operands__exact_sums_every_kernel);
    RUN(rec__qgemm__vnni_and_portable__bit_identical);
    RUN(rec__qgemm__avx2_and_portable__bit_identical);
    RUN(rec__qgemm__conv_map__same_bits_as_im2col_rows);
    RUN(rec__qgemm_force_isa__unknown_kernel__refused_and_unchanged);
    RUN(rec__quant_rows__zero_row__scale_one_and_zeros);
    RUN(rec__quant_rows__any_weights__as_lrintf_clamped);
    RUN(rec_net_classify__int8_random_nets__agree_with_fp32);
    RUN(rec_net_classify__int8_blank_input__finite_bias_only);
    RUN(rec_net_classify__int8_batch__equals_single_calls);
    RUN(rec_net_classify__int8_each_kernel__bit_identical);
    RUN(rec_net_classify__int8_second_call__allocates_nothing);
    RUN(rec_precision_parse__words__parsed_or_rejected);
    RUN(rec_net_precision__explicit_and_auto__respected);
    RUN(rec_net_precision__auto_by_kernel__int8_unless_portable);
    TEST_EXIT();
}
