/*
 * rec_forward.c - batched inference: im2col + cblas_sgemm per conv layer,
 * sgemm per dense layer, ReLU, 2x2 max-pool, batch norm (running
 * statistics when not training), dropout (training only), softmax with
 * charset restriction.
 *
 * The whole batch goes through each layer at once (layout C x N x H x W,
 * see rec_net_internal.h), so a conv layer is a single
 * W[Cout][Cin*9] x col[Cin*9][N*H*W] product. Buffers come from the net's
 * arena (rec__net_reserve), so a call with a batch size already seen
 * allocates nothing. rec_net_classify() hands the batch to the int8 path
 * (rec_quant.c) instead when rec_net_precision() says so; training and
 * rec__forward() stay fp32. OpenBLAS threading is left to the caller
 * (OPENBLAS_NUM_THREADS); the pipeline runs one thread per worker.
 */
#include "recognize/rec_net_internal.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "common/err.h"
#include "common/rng.h"

/* The default -O2 of GCC 12 does not vectorise these elementwise loops;
 * they are a third of the run time when scalar. Clang vectorises at -O2. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("tree-vectorize")
#endif

/* Sum of x[0..m) with eight partial sums (vectorisable without
 * -ffast-math), returned in double. */
double rec__sum(const float *restrict x, size_t m)
{
    float acc[8] = {0};
    size_t j = 0;
    double tot = 0;
    for (; j + 8 <= m; j += 8) {
        for (int k = 0; k < 8; k++)
            acc[k] += x[j + k];
        if ((j & 4095) == 4088) { /* keep partial sums short */
            for (int k = 0; k < 8; k++) {
                tot += acc[k];
                acc[k] = 0;
            }
        }
    }
    for (int k = 0; k < 8; k++)
        tot += acc[k];
    for (; j < m; j++)
        tot += x[j];
    return tot;
}

/* Sum of (x - c)^2 and of x*y, in the same style. */
double rec__sumsq(const float *restrict x, size_t m, float c)
{
    float acc[8] = {0};
    size_t j = 0;
    double tot = 0;
    for (; j + 8 <= m; j += 8) {
        for (int k = 0; k < 8; k++)
            acc[k] += (x[j + k] - c) * (x[j + k] - c);
        if ((j & 4095) == 4088) {
            for (int k = 0; k < 8; k++) {
                tot += acc[k];
                acc[k] = 0;
            }
        }
    }
    for (int k = 0; k < 8; k++)
        tot += acc[k];
    for (; j < m; j++)
        tot += (double)(x[j] - c) * (x[j] - c);
    return tot;
}

double rec__dot(const float *restrict x, const float *restrict y, size_t m)
{
    float acc[8] = {0};
    size_t j = 0;
    double tot = 0;
    for (; j + 8 <= m; j += 8) {
        for (int k = 0; k < 8; k++)
            acc[k] += x[j + k] * y[j + k];
        if ((j & 4095) == 4088) {
            for (int k = 0; k < 8; k++) {
                tot += acc[k];
                acc[k] = 0;
            }
        }
    }
    for (int k = 0; k < 8; k++)
        tot += acc[k];
    for (; j < m; j++)
        tot += (double)x[j] * y[j];
    return tot;
}

/* y = x * s + t, then max(0, .) when relu; y may equal x. */
static void affine(float *y, const float *x, size_t m, float s, float t,
                   int relu)
{
    if (relu) {
        for (size_t j = 0; j < m; j++) {
            float v = x[j] * s + t;
            y[j] = v > 0.0f ? v : 0.0f;
        }
    } else {
        for (size_t j = 0; j < m; j++)
            y[j] = x[j] * s + t;
    }
}

/* x-hat = (x - mean) * inv and y = gamma x-hat + beta in one pass. */
static void bn_train_apply(float *restrict xh, float *restrict y,
                           const float *restrict x, size_t m, float mean,
                           float inv, float gamma, float beta)
{
    for (size_t j = 0; j < m; j++) {
        float h = (x[j] - mean) * inv;
        xh[j] = h;
        y[j] = gamma * h + beta;
    }
}

static void relu_fwd(float *restrict y, const float *restrict x, size_t m)
{
    for (size_t j = 0; j < m; j++) {
        float v = x[j];
        y[j] = v > 0.0f ? v : 0.0f;
    }
}

/**
 * Unfold 3x3 neighbourhoods (pad 1) of a C x N x H x W tensor into
 * col[(c*9 + ky*3 + kx)][n*H*W + y*W + x].
 */
void rec__im2col(const float *x, int c, int n, int h, int w, float *col)
{
    size_t hw = (size_t)h * w, m = (size_t)n * hw;
    for (int ci = 0; ci < c; ci++) {
        for (int k = 0; k < 9; k++) {
            int dy = k / 3 - 1, dx = k % 3 - 1;
            float *row = col + ((size_t)ci * 9 + k) * m;
            /* Columns x0 .. x1-1 of an output row read the input row
             * shifted by dx; the rest is padding. Plain loops rather than
             * memcpy: rows are 8..32 floats, too short for a call. */
            int x0 = dx < 0 ? 1 : 0, x1 = dx > 0 ? w - 1 : w;
            for (int s = 0; s < n; s++) {
                const float *src = x + ((size_t)ci * n + s) * hw;
                float *dst = row + (size_t)s * hw;
                for (int y = 0; y < h; y++) {
                    int sy = y + dy;
                    float *restrict d = dst + (size_t)y * w;
                    if (sy < 0 || sy >= h) {
                        for (int xx = 0; xx < w; xx++)
                            d[xx] = 0.0f;
                        continue;
                    }
                    const float *restrict sr = src + (size_t)sy * w + dx;
                    d[0] = 0.0f;
                    d[w - 1] = 0.0f;
                    for (int xx = x0; xx < x1; xx++)
                        d[xx] = sr[xx];
                }
            }
        }
    }
}

/** The adjoint of rec__im2col: x (zeroed here) += folded col. */
void rec__col2im(const float *col, int c, int n, int h, int w, float *x)
{
    size_t hw = (size_t)h * w, m = (size_t)n * hw;
    memset(x, 0, (size_t)c * m * sizeof(float));
    for (int ci = 0; ci < c; ci++) {
        for (int k = 0; k < 9; k++) {
            int dy = k / 3 - 1, dx = k % 3 - 1;
            const float *row = col + ((size_t)ci * 9 + k) * m;
            int x0 = dx < 0 ? 1 : 0, x1 = dx > 0 ? w - 1 : w;
            for (int s = 0; s < n; s++) {
                float *dst = x + ((size_t)ci * n + s) * hw;
                const float *src = row + (size_t)s * hw;
                for (int y = 0; y < h; y++) {
                    int sy = y + dy;
                    if (sy < 0 || sy >= h)
                        continue;
                    float *restrict dr = dst + (size_t)sy * w + dx;
                    const float *restrict sr = src + (size_t)y * w;
                    for (int xx = x0; xx < x1; xx++)
                        dr[xx] += sr[xx];
                }
            }
        }
    }
}

static void bn_forward(RecNet *net, RecLayer *l, const float *x, int n,
                       int train)
{
    size_t m = (size_t)n * l->hout * l->wout;
    const float *gamma = net->params + l->w_off, *beta = net->params + l->b_off;
    float *rmean = net->stats + l->s_off, *rvar = rmean + l->cout;
    for (int c = 0; c < l->cout; c++) {
        const float *xc = x + (size_t)c * m;
        float *yc = l->out + (size_t)c * m;
        if (train) {
            double mean = rec__sum(xc, m) / (double)m;
            float fm = (float)mean;
            double var = rec__sumsq(xc, m, fm) / (double)m;
            float inv = (float)(1.0 / sqrt(var + REC__BN_EPS));
            bn_train_apply(l->aux + (size_t)c * m, yc, xc, m, fm, inv,
                           gamma[c], beta[c]);
            l->bn_mean[c] = fm;
            l->bn_invstd[c] = inv;
            double uvar = m > 1 ? var * (double)m / (double)(m - 1) : var;
            rmean[c] += REC__BN_MOMENTUM * ((float)mean - rmean[c]);
            rvar[c] += REC__BN_MOMENTUM * ((float)uvar - rvar[c]);
        } else {
            float sc = gamma[c] / sqrtf(rvar[c] + REC__BN_EPS);
            affine(yc, xc, m, sc, beta[c] - rmean[c] * sc, 0);
        }
    }
}

static void pool_forward(const RecLayer *l, const float *x, int n, float *y)
{
    int w = l->win, ho = l->hout, wo = l->wout;
    size_t hwi = (size_t)l->hin * w, hwo = (size_t)ho * wo;
    size_t planes = (size_t)l->cin * n;
    for (size_t p = 0; p < planes; p++) {
        const float *src = x + p * hwi;
        float *dst = y + p * hwo;
        for (int oy = 0; oy < ho; oy++) {
            const float *r0 = src + (size_t)(2 * oy) * w, *r1 = r0 + w;
            float *d = dst + (size_t)oy * wo;
            for (int ox = 0; ox < wo; ox++) {
                float a = r0[2 * ox], b = r0[2 * ox + 1];
                float c = r1[2 * ox], e = r1[2 * ox + 1];
                float m1 = a > b ? a : b, m2 = c > e ? c : e;
                d[ox] = m1 > m2 ? m1 : m2;
            }
        }
    }
}

/* Training: the bias goes into the output before the sgemm, which then
 * accumulates (beta 1); that replaces OpenBLAS's clearing pass and a
 * separate bias pass by one fill. Returns the sgemm beta. */
static float bias_prefill(RecNet *net, const RecLayer *l, size_t m, int train)
{
    if (!train)
        return 0.0f;
    const float *b = net->params + l->b_off;
    for (int c = 0; c < l->cout; c++) {
        float *restrict y = l->out + (size_t)c * m, v = b[c];
        for (size_t j = 0; j < m; j++)
            y[j] = v;
    }
    return 1.0f;
}

/* After the sgemm of conv/dense layer i at inference: add the bias; a
 * following batch norm (running statistics) and ReLU are applied in the
 * same pass, in place, and skipped as layers. Returns the index of the
 * last layer consumed. */
static int epilogue(RecNet *net, int i, size_t m)
{
    RecLayer *l = &net->l[i];
    const float *b = net->params + l->b_off;
    int j = i + 1;
    const RecLayer *bn = NULL;
    if (j < net->nl && net->l[j].type == REC__BN)
        bn = &net->l[j++];
    int relu = j < net->nl && net->l[j].type == REC__RELU;
    if (relu)
        j++;
    for (int c = 0; c < l->cout; c++) {
        float s = 1.0f, t = b[c];
        if (bn) {
            const float *mean = net->stats + bn->s_off;
            s = net->params[bn->w_off + c] /
                sqrtf(mean[bn->cout + c] + REC__BN_EPS);
            t = (b[c] - mean[c]) * s + net->params[bn->b_off + c];
        }
        float *y = l->out + (size_t)c * m;
        affine(y, y, m, s, t, relu);
    }
    return j - 1;
}

const float *rec__forward(RecNet *net, const float *x, int n, int train,
                          uint64_t seed)
{
    size_t isz = (size_t)REC_INPUT_SIZE * REC_INPUT_SIZE;
    const float *cur = x;
    if (net->norm_mean != 0.0f || net->norm_scale != 1.0f || train) {
        /* Training keeps its own copy: backward needs the input. */
        for (size_t j = 0; j < isz * (size_t)n; j++)
            net->in[j] = (x[j] - net->norm_mean) * net->norm_scale;
        cur = net->in;
    }
    for (int i = 0; i < net->nl; i++) {
        RecLayer *l = &net->l[i];
        size_t mo = (size_t)n * l->hout * l->wout;
        size_t sz = (size_t)l->cout * mo;
        switch (l->type) {
        case REC__CONV: {
            size_t mi = (size_t)n * l->hin * l->win;
            int k = l->cin * 9;
            float *col = train ? l->col : net->col;
            rec__im2col(cur, l->cin, n, l->hin, l->win, col);
            float beta = bias_prefill(net, l, mi, train);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, l->cout,
                        (int)mi, k, 1.0f, net->params + l->w_off, k, col,
                        (int)mi, beta, l->out, (int)mi);
            if (!train)
                i = epilogue(net, i, mi);
            cur = l->out;
            continue;
        }
        case REC__DENSE: {
            net->feat_in = cur; /* the last one's is the penultimate layer */
            float beta = bias_prefill(net, l, (size_t)n, train);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, l->cout, n,
                        l->cin, 1.0f, net->params + l->w_off, l->cin, cur, n,
                        beta, l->out, n);
            if (!train)
                i = epilogue(net, i, (size_t)n);
            cur = l->out;
            continue;
        }
        case REC__BN:
            bn_forward(net, l, cur, n, train);
            break;
        case REC__RELU:
            relu_fwd(l->out, cur, sz);
            break;
        case REC__POOL:
            pool_forward(l, cur, n, l->out);
            break;
        case REC__DROP:
            if (!train)
                continue; /* identity: keep cur */
            {
                Rng rng;
                float keep = 1.0f / (1.0f - l->p);
                rng_seed(&rng, rng_mix(seed, (uint64_t)i));
                for (size_t j = 0; j < sz; j++) {
                    l->aux[j] = rng_uniform(&rng) >= l->p ? keep : 0.0f;
                    l->out[j] = cur[j] * l->aux[j];
                }
            }
            break;
        case REC__FLAT: {
            size_t hw = (size_t)l->hin * l->win;
            for (int c = 0; c < l->cin; c++)
                for (int s = 0; s < n; s++) {
                    const float *src = cur + ((size_t)c * n + s) * hw;
                    for (size_t p = 0; p < hw; p++)
                        l->out[((size_t)c * hw + p) * n + s] = src[p];
                }
            break;
        }
        }
        cur = l->out;
    }
    return cur;
}

/**
 * Classify n normalised glyphs.
 *
 * @param[in]  net     the net (its scratch grows on first use)
 * @param[in]  inputs  n x REC_INPUT_SIZE^2 floats, ink = 1
 * @param[in]  n       number of glyphs (0 is allowed)
 * @param[in]  cs      allowed classes (REC_CHARSET_ALL for all)
 * @param[out] probs   n x REC_NCLASSES probabilities; classes outside cs
 *                     are 0 and the rest sum to 1
 * @return 0, or -1 (empty charset, out of memory)
 *
 * Notes:
 *   (1) Glyphs go through in chunks of up to REC__INFER_CHUNK (64; int8:
 *       REC__QCHUNK, 16), one GEMM per layer per chunk; the first call
 *       sizes the scratch.
 *   (2) Restriction renormalises the softmax over cs, which equals a
 *       softmax over the allowed logits only.
 *   (3) A non-finite logit (a model with absurd weights) is an error,
 *       never a NaN probability.
 *   (4) rec_net_precision() picks fp32 (rec__forward) or int8
 *       (rec__quant_forward, rec_quant.c); both chunk the same way.
 */
int rec_net_classify(RecNet *net, const float *inputs, int n, RecCharset cs,
                     float *probs)
{
    return rec_net_classify_features(net, inputs, n, cs, probs, NULL);
}

/**
 * Size of the features rec_net_classify_features() returns per glyph: the
 * input of the last (dense) layer, e.g. 256 for the bundled model.
 */
int rec__feature_dim(const RecNet *net)
{
    for (int i = net->nl - 1; i >= 0; i--)
        if (net->l[i].type == REC__DENSE)
            return net->l[i].cin;
    return 0;
}

int rec_net_feature_dim(const RecNet *net)
{
    return rec__feature_dim(net);
}

/**
 * Classify n normalised glyphs and keep each one's penultimate-layer
 * features (the input of the last dense layer, after its ReLU).
 *
 * @param[in]  net     the net
 * @param[in]  inputs  n x REC_INPUT_SIZE^2 floats, ink = 1
 * @param[in]  n       number of glyphs
 * @param[in]  cs      allowed classes
 * @param[out] probs   n x REC_NCLASSES, as rec_net_classify()
 * @param[out] feats   [optional] n x rec_net_feature_dim() floats
 * @return 0, or -1 (as rec_net_classify())
 *
 * Notes:
 *   (1) The features are what the last layer sees, so glyphs the net
 *       finds alike are close in them (rec_adapt.c compares them by
 *       cosine). fp32 and int8 order them differently (C-H-W against
 *       H-W-C when the last layer follows a conv); compare features of one
 *       precision only. With one hidden dense layer before the output, as
 *       in every shipped architecture, the orders agree.
 *   (2) probs are the same bits as rec_net_classify() gives.
 */
int rec_net_classify_features(RecNet *net, const float *inputs, int n,
                              RecCharset cs, float *probs, float *feats)
{
    int fd = feats ? rec__feature_dim(net) : 0;
    cs &= REC_CHARSET_ALL;
    if (n < 0)
        return err_set("rec_net_classify: negative glyph count %d", n);
    if (cs == 0)
        return err_set("rec_net_classify: empty charset");
    size_t isz = (size_t)REC_INPUT_SIZE * REC_INPUT_SIZE;
    int int8 = rec_net_precision(net) == REC_PRECISION_INT8;
    for (int done = 0; done < n;) {
        int chunk = net->chunk > 0 ? net->chunk
                    : int8         ? REC__QCHUNK
                                   : REC__INFER_CHUNK;
        int b = n - done < chunk ? n - done : chunk;
        const float *lg;
        size_t cst, sst; /* logit of class c, sample s: lg[c*cst + s*sst] */
        if (int8) {
            lg = rec__quant_forward_feat(net, inputs + (size_t)done * isz, b,
                                         feats ? feats + (size_t)done * fd
                                               : NULL);
            if (!lg)
                return -1;
            cst = 1;
            sst = REC_NCLASSES;
        } else {
            if (rec__net_reserve(net, b, 0) < 0)
                return -1;
            lg = rec__forward(net, inputs + (size_t)done * isz, b, 0, 0);
            cst = (size_t)b;
            sst = 1;
            /* features x b, sample-minor -> b x features */
            for (int s = 0; feats && s < b; s++)
                for (int k = 0; k < fd; k++)
                    feats[(size_t)(done + s) * fd + k] =
                        net->feat_in[(size_t)k * b + s];
        }
        for (int s = 0; s < b; s++) {
            float *pr = probs + (size_t)(done + s) * REC_NCLASSES;
            const float *ls = lg + (size_t)s * sst;
            float mx = -INFINITY, sum = 0.0f;
            for (int c = 0; c < REC_NCLASSES; c++)
                if (cs >> c & 1 && ls[c * cst] > mx)
                    mx = ls[c * cst];
            /* A model with absurd (finite) weights can overflow to inf or
             * NaN; refuse it rather than hand out NaN confidences. */
            if (!isfinite(mx))
                return err_set("the model gives a non-finite output for "
                               "glyph %d (damaged weights?)", done + s);
            for (int c = 0; c < REC_NCLASSES; c++) {
                pr[c] = cs >> c & 1 ? expf(ls[c * cst] - mx) : 0.0f;
                sum += pr[c];
            }
            for (int c = 0; c < REC_NCLASSES; c++)
                pr[c] /= sum; /* sum >= 1: the max term is exp(0) */
        }
        done += b;
    }
    return 0;
}
