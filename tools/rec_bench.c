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
 * the bound; with --train, training samples/s
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
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "recognize/rec_net_internal.h"
#include "recognize/rec_train.h"

char *openblas_get_corename(void);
int openblas_get_num_threads(void);

#define ISZ (REC_INPUT_SIZE * REC_INPUT_SIZE)

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

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
    double t0 = now_s(), t;
    clock_t c0 = clock();
    do {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f,
                    a, k, b, n, 0.0f, c, n);
        reps++;
    } while ((t = now_s() - t0) < secs);
    double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    if (cpu < t) /* single thread on a busy machine: CPU time is the cost */
        t = cpu;
    free(a);
    free(b);
    free(c);
    return 2.0 * m * n * k * reps / t * 1e-9;
}

static int get_random(void *ctx, int64_t i, uint64_t seed, float *x, int *label)
{
    (void)ctx;
    uint64_t r;
    rec__rng_seed(&r, rec__mix(seed, (uint64_t)i));
    for (int j = 0; j < ISZ; j++)
        x[j] = rec__rng_uniform(&r) < 0.2f ? 1.0f : 0.0f;
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

int main(int argc, char **argv)
{
    const char *arch = REC_ARCH_DEFAULT, *model = NULL;
    int batch = 500, train = 0, chunk_opt = 0;
    double secs = 1.0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--arch") && i + 1 < argc)
            arch = argv[++i];
        else if (!strcmp(argv[i], "--model") && i + 1 < argc)
            model = argv[++i];
        else if (!strcmp(argv[i], "--chunk") && i + 1 < argc)
            chunk_opt = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
            batch = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            secs = atof(argv[++i]);
        else if (!strcmp(argv[i], "--train"))
            train = 1;
        else if (!strcmp(argv[i], "--coretypes")) {
            static const char *types[] = {"SkylakeX", "Haswell", "Zen"};
            for (int t = 0; t < 3; t++) {
                char cmd[2048];
                snprintf(cmd, sizeof cmd,
                         "OPENBLAS_CORETYPE=%s '%s' --arch '%s' --batch %d "
                         "--seconds %g", types[t], argv[0], arch, batch, secs);
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
    if (batch < 1 || secs <= 0) {
        usage(stderr);
        return 2;
    }
    /* Inference is measured on a loaded model (batch norm folded), as the
     * pipeline runs it; training on a fresh net of the same arch. */
    RecNet *net = NULL;
    if (model) {
        net = rec_net_load(model);
    } else {
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
    }
    if (!net) {
        fprintf(stderr, "rec_bench: %s\n", err_get());
        return 1;
    }
    printf("openblas core: %s, threads: %d\n", openblas_get_corename(),
           openblas_get_num_threads());
    printf("arch %s: %.3f MFLOP/glyph, %zu parameters\n", rec_net_arch(net),
           rec_net_flops(net) * 1e-6, rec_net_nparams(net));

    /* The bound: sgemm at each layer's shape for a chunk of the batch. */
    if (chunk_opt > 0)
        net->chunk = chunk_opt;
    int chunk = net->chunk > 0 ? net->chunk : REC__INFER_CHUNK;
    if (batch < chunk)
        chunk = batch;
    double bound_t = 0, flops = 0;
    printf("layer shapes (chunk of %d):\n", chunk);
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
        double f = 2.0 * m * n * k;
        printf("  layer %2d %-5s M=%-4d N=%-7d K=%-5d sgemm %6.1f GFLOP/s\n",
               i, l->type == REC__CONV ? "conv" : "dense", m, n, k, g);
        bound_t += f / (g * 1e9);
        flops += f;
    }
    double bound = flops / bound_t * 1e-9;
    printf("sgemm bound at these shapes: %.1f GFLOP/s\n", bound);
    double big = sgemm_rate(512, 512, 512, secs / 2);
    printf("sgemm 512^3: %.1f GFLOP/s\n", big);

    float *x = malloc((size_t)batch * ISZ * sizeof(float));
    float *p = malloc((size_t)batch * REC_NCLASSES * sizeof(float));
    int lab;
    for (int s = 0; s < batch; s++)
        get_random(NULL, s, 7, x + (size_t)s * ISZ, &lab);
    rec_net_classify(net, x, batch, REC_CHARSET_ALL, p); /* sizes scratch */
    int reps = 0;
    double t0 = now_s(), t;
    clock_t c0 = clock();
    do {
        rec_net_classify(net, x, batch, REC_CHARSET_ALL, p);
        reps++;
    } while ((t = now_s() - t0) < secs);
    double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    /* CPU time per batch: robust on a shared machine when single-threaded */
    double per_batch = (cpu < t ? cpu : t) / reps;
    double gps = batch / per_batch;
    double gflops = gps * rec_net_flops(net) * 1e-9;
    printf("classify batch %d: %.2f ms (wall %.2f ms), %.0f glyphs/s, %.1f GFLOP/s = %.0f%% "
           "of the bound (%.0f%% of sgemm 512^3)\n", batch, per_batch * 1e3,
           t / reps * 1e3,
           gps, gflops, 100 * gflops / bound, 100 * gflops / big);

    if (train) {
        RecTrainOptions opt;
        rec_net_destroy(&net);
        net = rec_net_create(model ? NULL : arch, 1);
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
            return 1;
        }
        opt.train.n = (int64_t)(128 * 40 * (secs > 1 ? secs : 1));
        double tt = now_s();
        clock_t c0 = clock();
        if (rec_net_train(net, &opt) < 0) {
            fprintf(stderr, "rec_bench: %s\n", err_get());
            return 1;
        }
        tt = now_s() - tt;
        double ct = (double)(clock() - c0) / CLOCKS_PER_SEC;
        printf("train (batch 128, %lld samples incl. data): %.0f samples/s "
               "wall, %.0f samples per CPU-second\n", (long long)opt.train.n,
               (double)opt.train.n / tt, (double)opt.train.n / ct);
    }
    free(x);
    free(p);
    rec_net_destroy(&net);
    return 0;
}
