/*
 * train_loop.c - training: softmax cross-entropy with label smoothing, the
 * backward pass of every layer type, AdamW, warmup + cosine learning-rate
 * schedule, the epoch loop with seeded shuffling and validation.
 *
 * Backward mirrors rec_forward.c on the same C x N x H x W layout: a conv
 * layer's weight gradient is dY[Cout][M] x col^T and its input gradient
 * col2im(W^T x dY), one sgemm each per batch; each conv layer keeps its
 * im2col matrix from the training forward (33 MB for the default
 * architecture at batch 128) rather than rebuilding it.
 * Gradients land in net->grads (same offsets as net->params).
 *
 * Optimiser: AdamW (decoupled weight decay on conv/dense weights only, not
 * on biases or batch-norm parameters). Schedule: linear warmup over the
 * first 3% of steps (at most 500), then cosine decay to 1% of the peak.
 * The weights with the best validation accuracy are kept (the last ones
 * when there is no validation set). A run is deterministic for a seed
 * (given a fixed OpenBLAS thread count).
 */
#include "recognize/rec_net_internal.h"
#include "train/train_loop.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/rng.h"

/* See rec_forward.c: GCC's -O2 leaves elementwise loops scalar. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("tree-vectorize")
#endif

/**
 * Fill opt with defaults: 30 epochs, batch 128, lr 2e-3, weight decay
 * 1e-4 (decoupled, scaled by lr), label smoothing 0.1, seed 1, no
 * validation, no progress callback.
 */
void rec_train_options_init(RecTrainOptions *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->epochs = 30;
    opt->batch = 128;
    opt->lr = 2e-3f;
    opt->weight_decay = 1e-4f;
    opt->label_smoothing = 0.1f;
    opt->seed = 1;
}

float rec__loss(RecNet *net, const int *labels, int n, float eps, int train,
                int *pcorrect)
{
    RecLayer *last = &net->l[net->nl - 1];
    const float *lg = last->out;
    double loss = 0;
    int correct = 0;
    float off = eps / REC_NCLASSES, on = 1.0f - eps + off;
    for (int s = 0; s < n; s++) {
        float mx = -INFINITY, sum = 0.0f;
        int arg = 0;
        for (int c = 0; c < REC_NCLASSES; c++)
            if (lg[(size_t)c * n + s] > mx) {
                mx = lg[(size_t)c * n + s];
                arg = c;
            }
        correct += arg == labels[s];
        for (int c = 0; c < REC_NCLASSES; c++)
            sum += expf(lg[(size_t)c * n + s] - mx);
        float lse = mx + logf(sum);
        for (int c = 0; c < REC_NCLASSES; c++) {
            float t = c == labels[s] ? on : off;
            float z = lg[(size_t)c * n + s];
            loss -= (double)t * (double)(z - lse);
            if (train)
                last->dout[(size_t)c * n + s] = (expf(z - lse) - t) / (float)n;
        }
    }
    if (pcorrect)
        *pcorrect = correct;
    return (float)(loss / (n > 0 ? n : 1));
}

static void row_sums(const float *dy, int rows, size_t m, float *out)
{
    for (int r = 0; r < rows; r++)
        out[r] = (float)rec__sum(dy + (size_t)r * m, m);
}

static void relu_bwd(float *restrict dx, const float *restrict y,
                     const float *restrict dy, size_t m)
{
    /* both loads unconditional, so the select vectorises */
    for (size_t j = 0; j < m; j++) {
        float g = dy[j], v = y[j];
        dx[j] = v > 0.0f ? g : 0.0f;
    }
}

static void mul_bwd(float *restrict dx, const float *restrict mask,
                    const float *restrict dy, size_t m)
{
    for (size_t j = 0; j < m; j++)
        dx[j] = dy[j] * mask[j];
}

/* dx = a * (M dy - sb - xh sg): the batch-norm input gradient. */
static void bn_dx(float *restrict dx, const float *restrict dy,
                  const float *restrict xh, size_t m, float a, float sb,
                  float sg)
{
    float fm = (float)m;
    for (size_t j = 0; j < m; j++)
        dx[j] = a * (fm * dy[j] - sb - xh[j] * sg);
}

static void pool_backward(const RecLayer *l, const float *x, const float *dy,
                          int n, int relu, float *dx)
{
    /* Every input cell belongs to exactly one 2x2 window, so writing all
     * four cells of each window covers dx without clearing it first.
     * relu: x is a ReLU output and dx is the gradient before that ReLU,
     * which only passes where the window's winner is > 0. Selects by
     * multiplication keep the loop free of branches. */
    int w = l->win, ho = l->hout, wo = l->wout;
    size_t hwi = (size_t)l->hin * w, hwo = (size_t)ho * wo;
    size_t planes = (size_t)l->cin * n;
    for (size_t p = 0; p < planes; p++) {
        const float *src = x + p * hwi;
        const float *g = dy + p * hwo;
        float *d = dx + p * hwi;
        for (int oy = 0; oy < ho; oy++) {
            const float *r0 = src + (size_t)(2 * oy) * w, *r1 = r0 + w;
            float *d0 = d + (size_t)(2 * oy) * w, *d1 = d0 + w;
            const float *gr = g + (size_t)oy * wo;
            for (int ox = 0; ox < wo; ox++) {
                /* the same comparisons as pool_forward pick the winner */
                float a = r0[2 * ox], b = r0[2 * ox + 1];
                float c = r1[2 * ox], e = r1[2 * ox + 1];
                int ta = a > b, tc = c > e;
                float mab = ta ? a : b, mce = tc ? c : e;
                int top = mab > mce;
                float mx = top ? mab : mce;
                float gv = gr[ox];
                if (relu)
                    gv *= (float)(mx > 0.0f);
                d0[2 * ox] = gv * (float)(top & ta);
                d0[2 * ox + 1] = gv * (float)(top & (1 - ta));
                d1[2 * ox] = gv * (float)((1 - top) & tc);
                d1[2 * ox + 1] = gv * (float)((1 - top) & (1 - tc));
            }
        }
    }
}

void rec__backward(RecNet *net, int n)
{
    memset(net->grads, 0, net->nparams * sizeof(float));
    for (int i = net->nl - 1; i >= 0; i--) {
        RecLayer *l = &net->l[i];
        const float *x = i ? net->l[i - 1].out : net->in;
        float *dx = i ? net->l[i - 1].dout : (net->want_din ? net->din : NULL);
        const float *dy = l->dout;
        size_t mo = (size_t)n * l->hout * l->wout;
        size_t sz = (size_t)l->cout * mo;
        switch (l->type) {
        case REC__CONV: {
            size_t mi = (size_t)n * l->hin * l->win;
            int k = l->cin * 9;
            /* l->col: the im2col of x from the training forward */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, l->cout, k,
                        (int)mi, 1.0f, dy, (int)mi, l->col, (int)mi, 0.0f,
                        net->grads + l->w_off, k);
            if (i + 1 < net->nl && net->l[i + 1].type == REC__BN)
                /* batch norm removes any per-channel shift: the bias
                 * gradient is exactly 0 (grads are already zeroed) */
                ;
            else
                row_sums(dy, l->cout, mi, net->grads + l->b_off);
            if (dx) {
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k,
                            (int)mi, l->cout, 1.0f, net->params + l->w_off, k,
                            dy, (int)mi, 0.0f, net->col2, (int)mi);
                rec__col2im(net->col2, l->cin, n, l->hin, l->win, dx);
            }
            break;
        }
        case REC__DENSE:
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, l->cout,
                        l->cin, n, 1.0f, dy, n, x, n, 0.0f,
                        net->grads + l->w_off, l->cin);
            row_sums(dy, l->cout, (size_t)n, net->grads + l->b_off);
            if (dx)
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, l->cin, n,
                            l->cout, 1.0f, net->params + l->w_off, l->cin, dy,
                            n, 0.0f, dx, n);
            break;
        case REC__BN: {
            const float *gamma = net->params + l->w_off;
            float *gg = net->grads + l->w_off, *gb = net->grads + l->b_off;
            for (int c = 0; c < l->cout; c++) {
                const float *d = dy + (size_t)c * mo;
                const float *xh = l->aux + (size_t)c * mo;
                float sg = (float)rec__dot(d, xh, mo);
                float sb = (float)rec__sum(d, mo);
                gg[c] = sg;
                gb[c] = sb;
                if (dx)
                    bn_dx(dx + (size_t)c * mo, d, xh, mo,
                          gamma[c] * l->bn_invstd[c] / (float)mo, sb, sg);
            }
            break;
        }
        case REC__RELU:
            if (dx)
                relu_bwd(dx, l->out, dy, sz);
            break;
        case REC__POOL:
            if (i >= 1 && net->l[i - 1].type == REC__RELU) {
                /* fuse the ReLU before the pool: write its input gradient */
                float *dx2 = i >= 2 ? net->l[i - 2].dout
                                    : (net->want_din ? net->din : NULL);
                if (dx2)
                    pool_backward(l, x, dy, n, 1, dx2);
                i--; /* the ReLU is done */
            } else if (dx) {
                pool_backward(l, x, dy, n, 0, dx);
            }
            break;
        case REC__DROP:
            if (dx)
                mul_bwd(dx, l->aux, dy, sz);
            break;
        case REC__FLAT:
            if (dx) {
                size_t hw = (size_t)l->hin * l->win;
                for (int c = 0; c < l->cin; c++)
                    for (int s = 0; s < n; s++) {
                        float *o = dx + ((size_t)c * n + s) * hw;
                        for (size_t p = 0; p < hw; p++)
                            o[p] = dy[((size_t)c * hw + p) * n + s];
                    }
            }
            break;
        }
    }
}

/* One AdamW step over the parameters from index first on (the ones before
 * stay as they are: frozen); decay[] marks decayed entries. */
static void adamw_step(RecNet *net, const unsigned char *decay, float lr,
                       float wd, size_t first)
{
    const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
    net->adam_t++;
    float c1 = 1.0f / (1.0f - powf(b1, (float)net->adam_t));
    float c2 = 1.0f / (1.0f - powf(b2, (float)net->adam_t));
    float *restrict p = net->params, *restrict am = net->adam_m;
    float *restrict av = net->adam_v;
    const float *restrict gr = net->grads;
    for (size_t j = first; j < net->nparams; j++) {
        float g = gr[j];
        float m = am[j] = b1 * am[j] + (1.0f - b1) * g;
        float v = av[j] = b2 * av[j] + (1.0f - b2) * g * g;
        float upd = (m * c1) / (sqrtf(v * c2) + eps);
        upd += (decay[j] ? wd : 0.0f) * p[j];
        p[j] -= lr * upd;
    }
}

static float lr_at(const RecTrainOptions *opt, int64_t step, int64_t steps)
{
    int64_t warm = steps * 3 / 100;
    if (warm > 500)
        warm = 500;
    if (step < warm)
        return opt->lr * (float)(step + 1) / (float)warm;
    double t = (double)(step - warm) / (double)(steps - warm > 0 ? steps - warm : 1);
    return opt->lr * (float)(0.01 + 0.99 * 0.5 * (1.0 + cos(3.141592653589793 * t)));
}

/* Fill a batch from src; label range checked. */
static int fill_batch(const RecSource *src, const int64_t *idx, int n,
                      uint64_t seed, float *x, int *labels, const char *what)
{
    size_t isz = (size_t)REC_INPUT_SIZE * REC_INPUT_SIZE;
    for (int s = 0; s < n; s++) {
        if (src->get(src->ctx, idx ? idx[s] : s, seed, x + (size_t)s * isz,
                     &labels[s]) < 0)
            return -1;
        if (labels[s] < 0 || labels[s] >= REC_NCLASSES)
            return err_set("%s sample %lld: label %d outside 0..%d", what,
                           (long long)(idx ? idx[s] : s), labels[s],
                           REC_NCLASSES - 1);
    }
    return 0;
}

/* Validation accuracy in inference mode (running batch-norm statistics). */
static int validate(RecNet *net, const RecSource *val, int b, uint64_t seed,
                    float *x, int *labels, int64_t *idx, float *pacc)
{
    int64_t correct = 0;
    for (int64_t i = 0; i < val->n; i += b) {
        int n = val->n - i < b ? (int)(val->n - i) : b;
        for (int s = 0; s < n; s++)
            idx[s] = i + s;
        if (fill_batch(val, idx, n, seed, x, labels, "validation") < 0)
            return -1;
        const float *lg = rec__forward(net, x, n, 0, 0);
        for (int s = 0; s < n; s++) {
            int arg = 0;
            for (int c = 1; c < REC_NCLASSES; c++)
                if (lg[(size_t)c * n + s] > lg[(size_t)arg * n + s])
                    arg = c;
            correct += arg == labels[s];
        }
    }
    *pacc = val->n ? (float)((double)correct / (double)val->n) : -1.0f;
    return 0;
}

/**
 * Train a net in place.
 *
 * @param[in,out] net  the net (from rec_net_create); its weights end as the
 *                     best-validation ones (or the last without validation)
 * @param[in]     opt  options (rec_train_options_init for defaults);
 *                     opt->train.n >= 1
 * @return 0, or -1 (bad options, a source failed, out of memory; message
 *         set)
 *
 * Notes:
 *   (1) Each epoch draws a permutation of the training set from
 *       (seed, epoch) and passes rng_mix(seed, epoch) to the source so
 *       augmentation differs per epoch; the last partial batch of an
 *       epoch is used too.
 *   (2) The progress callback runs every 200 steps and after each epoch
 *       (val_acc is -1 until the epoch's validation is done; epoch_end is
 *       1 only in the report after the epoch).
 */
int rec_net_train(RecNet *net, const RecTrainOptions *opt)
{
    if (!opt->train.get || opt->train.n < 1)
        return err_set("training set is empty");
    if (opt->epochs < 1 || opt->batch < 1 || opt->batch > 65536)
        return err_set("bad training options: %d epochs, batch %d",
                       opt->epochs, opt->batch);
    if (!(opt->lr > 0.0f) || opt->label_smoothing < 0.0f ||
        opt->label_smoothing >= 1.0f || opt->weight_decay < 0.0f)
        return err_set("bad training options: lr %g, smoothing %g, weight "
                       "decay %g", (double)opt->lr,
                       (double)opt->label_smoothing,
                       (double)opt->weight_decay);
    if (opt->val.n > 0 && !opt->val.get)
        return err_set("validation set has no get function");

    int b = opt->batch;
    int64_t n = opt->train.n;
    if (n < b)
        b = (int)n;
    if (rec__net_reserve(net, b, 1) < 0)
        return -1;
    size_t isz = (size_t)REC_INPUT_SIZE * REC_INPUT_SIZE;
    int64_t per_epoch = (n + b - 1) / b;
    int64_t steps = per_epoch * opt->epochs;
    int64_t *perm = malloc((size_t)n * sizeof *perm);
    int64_t *vidx = malloc((size_t)b * sizeof *vidx);
    float *x = malloc((size_t)b * isz * sizeof(float));
    int *labels = malloc((size_t)b * sizeof(int));
    unsigned char *decay = calloc(net->nparams ? net->nparams : 1, 1);
    float *best = NULL;
    int rc = -1;
    float best_acc = -1.0f;
    if (!perm || !vidx || !x || !labels || !decay) {
        err_set("out of memory for training buffers");
        goto done;
    }
    if (opt->val.n > 0) {
        best = malloc((net->nparams + net->nstats) * sizeof(float));
        if (!best) {
            err_set("out of memory for the best-weights copy");
            goto done;
        }
    }
    for (int i = 0; i < net->nl; i++) {
        const RecLayer *l = &net->l[i];
        if (l->type == REC__CONV || l->type == REC__DENSE)
            memset(decay + l->w_off, 1, (size_t)l->nw);
    }

    /* parameters lie in layer order: freezing the convolutions is starting
     * the updates at the first dense layer's weights */
    size_t first = 0;
    if (opt->freeze_conv) {
        first = net->nparams;
        for (int i = 0; i < net->nl; i++)
            if (net->l[i].type == REC__DENSE) {
                first = (size_t)net->l[i].w_off;
                break;
            }
    }

    double t0 = clock_mono_s();
    int64_t step = 0;
    for (int ep = 0; ep < opt->epochs; ep++) {
        uint64_t eseed = rng_mix(opt->seed, (uint64_t)ep + 1);
        Rng rng;
        rng_seed(&rng, eseed);
        for (int64_t i = 0; i < n; i++)
            perm[i] = i;
        for (int64_t i = n - 1; i > 0; i--) {
            int64_t j = (int64_t)(rng_next(&rng) % (uint64_t)(i + 1));
            int64_t t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        double loss_sum = 0;
        int64_t seen = 0, correct = 0;
        RecTrainProgress pr = {0};
        pr.epochs = opt->epochs;
        pr.steps = steps;
        for (int64_t bi = 0; bi < per_epoch; bi++, step++) {
            int64_t off = bi * b;
            int m = n - off < b ? (int)(n - off) : b;
            int cor;
            if (fill_batch(&opt->train, perm + off, m, eseed, x, labels,
                           "training") < 0)
                goto done;
            rec__forward(net, x, m, 1, rng_mix(eseed, (uint64_t)bi));
            float loss = rec__loss(net, labels, m, opt->label_smoothing, 1,
                                   &cor);
            if (!isfinite(loss)) {
                err_set("training diverged at epoch %d step %lld (loss %g); "
                        "lower the learning rate", ep + 1, (long long)step,
                        (double)loss);
                goto done;
            }
            rec__backward(net, m);
            adamw_step(net, decay, lr_at(opt, step, steps),
                       opt->weight_decay, first);
            loss_sum += (double)loss * m;
            seen += m;
            correct += cor;
            if (opt->progress && (step + 1) % 200 == 0 && bi + 1 < per_epoch) {
                pr.epoch = ep + 1;
                pr.step = step + 1;
                pr.train_loss = (float)(loss_sum / (double)seen);
                pr.train_acc = (float)((double)correct / (double)seen);
                pr.val_acc = -1.0f;
                pr.epoch_end = 0;
                pr.elapsed_s = clock_mono_s() - t0;
                pr.eta_s = pr.elapsed_s * (double)(steps - step - 1) /
                           (double)(step + 1);
                opt->progress(opt->progress_ctx, &pr);
            }
        }
        pr.epoch = ep + 1;
        pr.step = step;
        pr.train_loss = (float)(loss_sum / (double)seen);
        pr.train_acc = (float)((double)correct / (double)seen);
        pr.val_acc = -1.0f;
        if (opt->val.n > 0) {
            if (validate(net, &opt->val, b, opt->seed, x, labels, vidx,
                         &pr.val_acc) < 0)
                goto done;
            if (pr.val_acc > best_acc) {
                best_acc = pr.val_acc;
                memcpy(best, net->params, net->nparams * sizeof(float));
                memcpy(best + net->nparams, net->stats,
                       net->nstats * sizeof(float));
            }
        }
        pr.elapsed_s = clock_mono_s() - t0;
        pr.eta_s = pr.elapsed_s * (double)(steps - step) / (double)step;
        pr.epoch_end = 1;
        if (opt->progress)
            opt->progress(opt->progress_ctx, &pr);
    }
    if (best) {
        memcpy(net->params, best, net->nparams * sizeof(float));
        memcpy(net->stats, best + net->nparams, net->nstats * sizeof(float));
    }
    rc = 0;
done:
    free(perm);
    free(vidx);
    free(x);
    free(labels);
    free(decay);
    free(best);
    return rc;
}
