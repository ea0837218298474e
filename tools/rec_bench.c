/*
 * rec_bench.c - speed of the CNN engine against the single-core sgemm
 * bound.
 *
 *   build/tools/rec_bench [--arch ARCH | --model FILE] [--batch N] [--seconds S]
 *                         [--train] [--coretypes]
 *
 * Prints: the OpenBLAS core type and thread count; sgemm GFLOP/s at the
 * shapes of the net's layers for a batch (the bound); the net's glyphs/s
 * with the whole batch in one call, FLOPs per glyph and the percentage of
 * the bound; the same for the int8 path (rec_quant.c) against the int8
 * GEMM's own rate at the layer shapes; with --train, training samples/s
 * (forward + backward + AdamW) on random data. --coretypes reruns the
 * bench under OPENBLAS_CORETYPE=SkylakeX, Haswell and Zen (child
 * processes; the variable only takes effect at library load).
 * Run with OPENBLAS_NUM_THREADS=1 for single-core numbers. Rates use the
 * smaller of wall and CPU time, so that a busy shared machine does not
 * distort single-threaded numbers.
 */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/rng.h"
#include "recognize/rec_net_internal.h"
#include "train/train_loop.h"

char *openblas_get_corename(void);
int openblas_get_num_threads(void);

#define ISZ (REC_INPUT_SIZE * REC_INPUT_SIZE)

/* GFLOP/s of C[m][n] = A[m][k] B[k][n], repeated for about secs. */
static double sgemm_rate(int m, int n, int k, double secs)
{
    float *a = malloc((size_t)m * k * sizeof(float));
    float *b = malloc((size_t)k * n * sizeof(float));
    float *c = malloc((size_t)m * n * sizeof(float));
    for (size_t i = 0; i < (size_t)m * k; i++)
        a[i] = (float)(i % 7) * 0.1f;
    for (size_t i = 0; i < (size_t)k * n; i++)
        b[i] = (float)(i % 5) * 0.1f;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a,
                k, b, n, 0.0f, c, n);
    int reps = 0;
    double t0 = clock_mono_s(), t;
    double c0 = clock_cpu_s();
    do {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f,
                    a, k, b, n, 0.0f, c, n);
        reps++;
    } while ((t = clock_mono_s() - t0) < secs);
    double cpu = clock_cpu_s() - c0;
    if (cpu < t) /* single thread on a busy machine: CPU time is the cost */
        t = cpu;
    free(a);
    free(b);
    free(c);
    return 2.0 * m * n * k * reps / t * 1e-9;
}

/* GOPS (2 per multiply-add) of the int8 GEMM at C[m][n] = A[m][k] B[k][n]
 * with its float epilogue, repeated for about secs. */
static double qgemm_rate(int m, int n, int k, int pool4, double secs)
{
    int kp = (k + 3) & ~3;
    size_t m4 = ((size_t)m + 3) & ~(size_t)3;
    uint8_t *a = malloc(m4 * kp);
    int8_t *w = malloc((size_t)n * k), *b = malloc(rec__qgemm_packed_size(n, kp));
    float *ws = malloc((size_t)n * sizeof(float)), *bias = malloc((size_t)n * sizeof(float));
    float *as = malloc(m4 * sizeof(float)), *c = malloc((size_t)m * n * sizeof(float));
    for (size_t i = 0; i < m4 * kp; i++)
        a[i] = (uint8_t)(i * 37 % 256);
    for (size_t i = 0; i < (size_t)n * k; i++)
        w[i] = (int8_t)((int)(i * 11 % 255) - 127);
    for (int i = 0; i < n; i++) {
        ws[i] = 1e-3f;
        bias[i] = 0.1f;
    }
    for (size_t i = 0; i < m4; i++)
        as[i] = 1e-2f;
    rec__qgemm_pack_b(w, n, k, kp, b);
    RecQGemm g = {.m = m, .n = n, .kp = kp, .a = a, .lda = (size_t)kp, .b = b,
                  .wscale = ws, .bias = bias, .ascale = as,
                  .rows_per_scale = 1, .pool4 = pool4 && m % 4 == 0,
                  .relu = 1, .out = c, .ldo = (size_t)n};
    rec__qgemm(&g);
    int reps = 0;
    double t0 = clock_mono_s(), t;
    double c0 = clock_cpu_s();
    do {
        rec__qgemm(&g);
        reps++;
    } while ((t = clock_mono_s() - t0) < secs);
    double cpu = clock_cpu_s() - c0;
    if (cpu < t)
        t = cpu;
    free(a);
    free(w);
    free(b);
    free(ws);
    free(bias);
    free(as);
    free(c);
    return 2.0 * m * n * k * reps / t * 1e-9;
}

static int get_random(void *ctx, int64_t i, uint64_t seed, float *x, int *label)
{
    (void)ctx;
    Rng r;
    rng_seed(&r, rng_mix(seed, (uint64_t)i));
    for (int j = 0; j < ISZ; j++)
        x[j] = rng_uniform(&r) < 0.2f ? 1.0f : 0.0f;
    *label = (int)(i % REC_NCLASSES);
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: rec_bench [--arch ARCH | --model FILE] [--batch N] "
               "[--seconds S] [--train] [--coretypes]\n"
               "Measures sgemm GFLOP/s (the bound) and the CNN's glyphs/s.\n"
               "Use OPENBLAS_NUM_THREADS=1 for single-core numbers.\n");
}

/* The command line. */
typedef struct {
    const char *arch, *model;
    int batch, train, chunk_opt;
    double secs;
} BenchArgs;

/* Parse the options into a (--coretypes runs the bench again under each
 * OpenBLAS core type, with the options given before it). -1 to go on,
 * else the exit code. */
static int args_parse(int argc, char **argv, BenchArgs *a)
{
    a->arch = REC_ARCH_DEFAULT;
    a->model = NULL;
    a->batch = 500;
    a->train = 0;
    a->chunk_opt = 0;
    a->secs = 1.0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--arch") && i + 1 < argc)
            a->arch = argv[++i];
        else if (!strcmp(argv[i], "--model") && i + 1 < argc)
            a->model = argv[++i];
        else if (!strcmp(argv[i], "--chunk") && i + 1 < argc)
            a->chunk_opt = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
            a->batch = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            a->secs = atof(argv[++i]);
        else if (!strcmp(argv[i], "--train"))
            a->train = 1;
        else if (!strcmp(argv[i], "--coretypes")) {
            static const char *types[] = {"SkylakeX", "Haswell", "Zen"};
            for (int t = 0; t < 3; t++) {
                char cmd[2048];
                snprintf(cmd, sizeof cmd,
                         "OPENBLAS_CORETYPE=%s '%s' --arch '%s' --batch %d "
                         "--seconds %g", types[t], argv[0], a->arch, a->batch,
                         a->secs);
                printf("== OPENBLAS_CORETYPE=%s\n", types[t]);
                fflush(stdout);
                if (system(cmd) != 0)
                    printf("(failed)\n");
            }
            return 0;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (a->batch < 1 || a->secs <= 0) {
        usage(stderr);
        return 2;
    }
    return -1;
}

/* The net inference is measured on: the model file, or a fresh net of
 * arch saved and loaded again (batch norm folded), as the pipeline runs
 * it. NULL with the reason. */
static RecNet *bench_net(const char *model, const char *arch)
{
    if (model)
        return rec_net_load(model);
    RecNet *net = NULL;
    char tmp[] = "/tmp/rec_bench.XXXXXX";
    int fd = mkstemp(tmp);
    RecNet *fresh = rec_net_create(arch, 1);
    if (fd >= 0 && fresh && rec_net_save(fresh, tmp) == 0)
        net = rec_net_load(tmp);
    if (fd >= 0) {
        close(fd);
        unlink(tmp);
    }
    rec_net_destroy(&fresh);
    return net;
}

/* The bound: sgemm (and the int8 GEMM) at each layer's shape for a chunk
 * of the batch, printed per layer; *pbound / *pqbound get the rates over
 * the whole net. */
static void gemm_bounds(RecNet *net, int batch, int chunk_opt, double secs,
                        double *pbound, double *pqbound)
{
    if (chunk_opt > 0)
        net->chunk = chunk_opt;
    int chunk = net->chunk > 0 ? net->chunk : REC__INFER_CHUNK;
    if (batch < chunk)
        chunk = batch;
    int chunk8 = net->chunk > 0 ? net->chunk : REC__QCHUNK;
    if (batch < chunk8)
        chunk8 = batch;
    double bound_t = 0, qbound_t = 0, flops = 0;
    printf("layer shapes (chunk of %d; int8: %d):\n", chunk, chunk8);
    for (int i = 0; i < net->nl; i++) {
        const RecLayer *l = &net->l[i];
        int m, n, k;
        if (l->type == REC__CONV) {
            m = l->cout;
            k = l->cin * 9;
            n = chunk * l->hout * l->wout;
        } else if (l->type == REC__DENSE) {
            m = l->cout;
            k = l->cin;
            n = chunk;
        } else
            continue;
        double g = sgemm_rate(m, n, k, secs / 4);
        /* the int8 GEMM is pixels x channels (rows = n, columns = m), for
         * its own chunk, with the 2x2 pool fused where the net has one */
        int n8 = n / chunk * chunk8;
        int pool = l->type == REC__CONV && i + 2 < net->nl &&
                   net->l[i + 2].type == REC__POOL;
        double q = qgemm_rate(n8, m, k, pool, secs / 4);
        double f = 2.0 * m * n * k;
        printf("  layer %2d %-5s M=%-4d N=%-7d K=%-5d sgemm %6.1f GFLOP/s; "
               "int8 N=%-6d %6.1f GOPS (%s)\n",
               i, l->type == REC__CONV ? "conv" : "dense", m, n, k, g, n8, q,
               rec__qgemm_isa_name(rec__qgemm_isa()));
        bound_t += f / (g * 1e9);
        qbound_t += f / (q * 1e9);
        flops += f;
    }
    *pbound = flops / bound_t * 1e-9;
    *pqbound = flops / qbound_t * 1e-9;
}

/* Classify the batch x for about secs at each precision (fp32 into p,
 * int8 into p8) and print the rates against the bounds. */
static void classify_rates(RecNet *net, const float *x, int batch,
                           double secs, double bound, double qbound,
                           float *p, float *p8)
{
    for (int prec = REC_PRECISION_FP32; prec <= REC_PRECISION_INT8; prec++) {
        if (rec_net_set_precision(net, (RecPrecision)prec) < 0) {
            printf("classify %s: %s\n", rec_precision_name(prec), err_get());
            continue;
        }
        float *out = prec == REC_PRECISION_INT8 ? p8 : p;
        rec_net_classify(net, x, batch, REC_CHARSET_ALL, out); /* sizes scratch */
        int reps = 0;
        double t0 = clock_mono_s(), t;
        double c0 = clock_cpu_s();
        do {
            rec_net_classify(net, x, batch, REC_CHARSET_ALL, out);
            reps++;
        } while ((t = clock_mono_s() - t0) < secs);
        double cpu = clock_cpu_s() - c0;
        /* CPU time per batch: robust on a shared machine when single-threaded */
        double per_batch = (cpu < t ? cpu : t) / reps;
        double gps = batch / per_batch;
        double gflops = gps * rec_net_flops(net) * 1e-9;
        double bd = prec == REC_PRECISION_INT8 ? qbound : bound;
        printf("classify %s batch %d: %.2f ms (wall %.2f ms), %.0f glyphs/s, "
               "%.1f G%s/s = %.0f%% of the %s bound\n",
               rec_precision_name(prec), batch, per_batch * 1e3,
               t / reps * 1e3, gps, gflops,
               prec == REC_PRECISION_INT8 ? "OP" : "FLOP", 100 * gflops / bd,
               prec == REC_PRECISION_INT8 ? "int8 GEMM" : "sgemm");
    }
}

/* Print how often the int8 outputs p8 pick the fp32 outputs p's class. */
static void int8_agreement(const float *p, const float *p8, int batch)
{
    int agree = 0;
    double maxd = 0;
    for (int s = 0; s < batch; s++) {
        const float *a = p + (size_t)s * REC_NCLASSES;
        const float *b = p8 + (size_t)s * REC_NCLASSES;
        int ia = 0, ib = 0;
        for (int c = 1; c < REC_NCLASSES; c++) {
            ia = a[c] > a[ia] ? c : ia;
            ib = b[c] > b[ib] ? c : ib;
            double d = fabs((double)a[c] - b[c]);
            maxd = d > maxd ? d : maxd;
        }
        agree += ia == ib;
    }
    printf("int8 vs fp32 on these random inputs: argmax agrees on %d/%d, "
           "max |dp| %.4f\n", agree, batch, maxd);
}

/* Training samples/s (forward + backward + AdamW) on random data, on a
 * fresh net of arch (of the default one with --model). 0, or 1 with the
 * reason printed. */
static int train_rate(const char *arch, double secs)
{
    RecTrainOptions opt;
    RecNet *net = rec_net_create(arch, 1);
    if (!net) {
        fprintf(stderr, "rec_bench: %s\n", err_get());
        return 1;
    }
    rec_train_options_init(&opt);
    opt.epochs = 1;
    opt.batch = 128;
    opt.train = (RecSource){get_random, 128 * 60, NULL};
    /* a first short run touches the buffers (page faults), then the
     * timed run */
    opt.train.n = 256;
    if (rec_net_train(net, &opt) < 0) {
        fprintf(stderr, "rec_bench: %s\n", err_get());
        rec_net_destroy(&net);
        return 1;
    }
    opt.train.n = (int64_t)(128 * 40 * (secs > 1 ? secs : 1));
    double tt = clock_mono_s();
    double c0 = clock_cpu_s();
    if (rec_net_train(net, &opt) < 0) {
        fprintf(stderr, "rec_bench: %s\n", err_get());
        rec_net_destroy(&net);
        return 1;
    }
    tt = clock_mono_s() - tt;
    double ct = clock_cpu_s() - c0;
    printf("train (batch 128, %lld samples incl. data): %.0f samples/s "
           "wall, %.0f samples per CPU-second\n", (long long)opt.train.n,
           (double)opt.train.n / tt, (double)opt.train.n / ct);
    rec_net_destroy(&net);
    return 0;
}

int main(int argc, char **argv)
{
    /* a tool, not a library: it may read the environment as inkpipe does */
    const char *nv = getenv("INKPIPE_NO_VNNI");
    rec_qgemm_skip_vnni(nv && *nv && strcmp(nv, "0") != 0);
    BenchArgs a;
    int rc = args_parse(argc, argv, &a);
    if (rc >= 0)
        return rc;
    /* Inference is measured on a loaded model (batch norm folded), as the
     * pipeline runs it; training on a fresh net of the same arch. */
    RecNet *net = bench_net(a.model, a.arch);
    if (!net) {
        fprintf(stderr, "rec_bench: %s\n", err_get());
        return 1;
    }
    printf("openblas core: %s, threads: %d\n", openblas_get_corename(),
           openblas_get_num_threads());
    printf("arch %s: %.3f MFLOP/glyph, %zu parameters\n", rec_net_arch(net),
           rec_net_flops(net) * 1e-6, rec_net_nparams(net));
    double bound, qbound;
    gemm_bounds(net, a.batch, a.chunk_opt, a.secs, &bound, &qbound);
    printf("sgemm bound at these shapes: %.1f GFLOP/s; int8 GEMM: %.1f GOPS\n",
           bound, qbound);
    double big = sgemm_rate(512, 512, 512, a.secs / 2);
    printf("sgemm 512^3: %.1f GFLOP/s\n", big);

    float *x = malloc((size_t)a.batch * ISZ * sizeof(float));
    float *p = malloc((size_t)a.batch * REC_NCLASSES * sizeof(float));
    int lab;
    for (int s = 0; s < a.batch; s++)
        get_random(NULL, s, 7, x + (size_t)s * ISZ, &lab);
    float *p8 = malloc((size_t)a.batch * REC_NCLASSES * sizeof(float));
    classify_rates(net, x, a.batch, a.secs, bound, qbound, p, p8);
    int8_agreement(p, p8, a.batch);
    free(p8);
    free(x);
    free(p);
    rec_net_destroy(&net);
    if (a.train)
        return train_rate(a.model ? NULL : a.arch, a.secs);
    return 0;
}
