/*
 * bench_stages.c - where a page's time goes: each step of the pipeline,
 * in-process, timed on its own.
 *
 *   build/tools/bench_stages [--model FILE] [--method sauvola|otsu]
 *                            [--no-deskew] [--no-adapt] [--no-segalt]
 *                            [--lm FILE]
 *                            [--reps N] [-o DIR] [--tsv]
 *                            IMAGE...
 *
 * Design: the same calls the spool stages make (stage.c), in the same
 * order, on one page at a time, with CPU time (CLOCK_PROCESS_CPUTIME_ID) and
 * wall time taken around each step:
 *   decode     chain_read (PNG / TIFF / ... -> PIX)
 *   binarize   seg_page_binarize without deskew
 *   deskew     seg_page_binarize with deskew minus without (the page is
 *              binarised twice; only the difference is reported)
 *   g4_write   the binarize stage's artifact: page_g4_write to a file
 *   g4_read    the segment stage reading it back (pixReadTiff; in the
 *              pipeline only when another process took the segment item:
 *              the one that binarised keeps the page, spool__bin_keep)
 *   segment    seg_page_segment (touching-glyph cuts scored by the net)
 *   seg_io     seg_page_save + seg_page_load (segment -> recognize)
 *   recognize  chain_recognize (glyph normalisation, one batched
 *              rec_net_classify, line context)
 *   rec_io     out_page_save + out_page_load (recognize -> output)
 *   write      out_files_write: text and hOCR (fsync as the pipeline)
 * What is not here is the queue overhead (claim, fork, rename, enqueue):
 * the benchmark gets it as the run's total CPU minus these steps.
 * Memory is set up as in inkpipe (cli/main.c: buffers up to 32 MB
 * from the heap, no trimming), so the numbers are those of a warm stage
 * process.
 * With -o DIR, the text/hOCR go to DIR (for CER); otherwise to a
 * temporary folder that is removed. Each step runs --reps times (default
 * 1) and the smallest time is kept (a shared machine only adds time).
 * Prints one row per page and the mean, in milliseconds; --tsv for
 * scripts.
 */
#include <dirent.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/err.h"
#include "output/output.h"
#include "chain/chain.h"
#include "input/page.h"
#include "recognize/recognize.h"
#include "segment/segment.h"

enum {
    ST_DECODE,
    ST_BINARIZE,
    ST_DESKEW,
    ST_G4_WRITE,
    ST_G4_READ,
    ST_SEGMENT,
    ST_SEG_IO,
    ST_RECOGNIZE,
    ST_REC_IO,
    ST_WRITE,
    ST_N
};
static const char *const st_names[ST_N] = {
    "decode",  "binarize",  "deskew", "g4_write", "g4_read",
    "segment", "seg_io", "recognize", "rec_io",  "write"};

static const char usage[] =
    "usage: bench_stages [--model FILE] [--method sauvola|otsu] "
    "[--no-deskew] [--no-adapt] [--no-segalt] [--lm FILE]\n"
    "                    [--reps N] [-o DIR] [--tsv] IMAGE...\n"
    "Time each step of the pipeline on each page, in-process (CPU ms).\n"
    "Steps: decode binarize deskew g4_write g4_read segment seg_io\n"
    "recognize rec_io write. -o DIR keeps the text/hOCR (for CER).\n";

/* Timer for one step over reps: keeps the smallest CPU time. */
typedef struct {
    double t0, best;
} Tm;

static void tm_start(Tm *t)
{
    t->t0 = clock_cpu_s();
}

static void tm_stop(Tm *t)
{
    double d = clock_cpu_s() - t->t0;
    if (t->best < 0 || d < t->best)
        t->best = d;
}

/* Time the steps of one page; ms[ST_N] gets CPU ms; *pglyphs the glyph
 * count. Returns 0 or -1 (message set). */
static int bench_page(const char *path, int p, const ChainOptions *co, RecNet *net,
                      int reps, const char *tmpdir, int out_fd,
                      double *ms, int *pglyphs)
{
    Tm tm[ST_N];
    for (int s = 0; s < ST_N; s++)
        tm[s].best = -1;
    char g4[4200], segf[4200], recf[4200];
    snprintf(g4, sizeof g4, "%s/page.tif", tmpdir);
    snprintf(segf, sizeof segf, "%s/page.seg", tmpdir);
    snprintf(recf, sizeof recf, "%s/page.rec", tmpdir);
    int rc = -1;
    *pglyphs = 0;
    for (int r = 0; r < reps; r++) {
        PIX *pix = NULL, *pixb = NULL, *pixd = NULL;
        SegPage *sp = NULL, *sp2 = NULL;
        OutPage *op = NULL, *op2 = NULL;
        ChainOptions bo = *co; /* binarize without deskew, then with */
        int dpi = 0, scale = 1;

        tm_start(&tm[ST_DECODE]);
        pix = chain_read(co, path, p, &dpi);
        tm_stop(&tm[ST_DECODE]);
        if (!pix)
            goto fail;

        bo.binarize.deskew = 0;
        tm_start(&tm[ST_BINARIZE]);
        pixb = chain_binarize(&bo, pix, dpi, path, p, &scale, NULL);
        tm_stop(&tm[ST_BINARIZE]);
        if (!pixb)
            goto fail;
        if (co->binarize.deskew) {
            /* deskew = (binarize + deskew) - binarize */
            double t0 = clock_cpu_s();
            pixd = chain_binarize(co, pix, dpi, path, p, &scale, NULL);
            double d = clock_cpu_s() - t0 - tm[ST_BINARIZE].best;
            if (d < 0)
                d = 0;
            if (tm[ST_DESKEW].best < 0 || d < tm[ST_DESKEW].best)
                tm[ST_DESKEW].best = d;
            if (!pixd)
                goto fail;
            pixDestroy(&pixb);
            pixb = pixd;
            pixd = NULL;
        } else {
            tm[ST_DESKEW].best = 0;
        }
        pixDestroy(&pix);
        dpi = chain_dpi(dpi, scale); /* as stage.c: of the binarised page */

        tm_start(&tm[ST_G4_WRITE]);
        int wr = page_g4_write(pixb, g4);
        tm_stop(&tm[ST_G4_WRITE]);
        pixDestroy(&pixb);
        if (wr != 0)
            goto fail;
        tm_start(&tm[ST_G4_READ]);
        pixb = pixReadTiff(g4, 0);
        tm_stop(&tm[ST_G4_READ]);
        if (!pixb) {
            err_set("cannot read %s", g4);
            goto fail;
        }

        tm_start(&tm[ST_SEGMENT]); /* as stage.c: cuts scored by the net */
        sp = chain_segment(co, pixb, dpi, net, path, p);
        tm_stop(&tm[ST_SEGMENT]);
        pixDestroy(&pixb);
        if (!sp)
            goto fail;

        tm_start(&tm[ST_SEG_IO]);
        int sv = seg_page_save(sp, segf);
        sp2 = sv == 0 ? seg_page_load(segf) : NULL;
        tm_stop(&tm[ST_SEG_IO]);
        if (!sp2)
            goto fail;
        seg_page_get_glyphs(sp2, pglyphs);

        tm_start(&tm[ST_RECOGNIZE]);
        op = chain_recognize(co, sp2, net, path, p, dpi);
        tm_stop(&tm[ST_RECOGNIZE]);
        if (!op || out_page_shrink(op, scale) < 0)
            goto fail;

        tm_start(&tm[ST_REC_IO]);
        sv = out_page_save(op, recf);
        op2 = sv == 0 ? out_page_load(recf) : NULL;
        tm_stop(&tm[ST_REC_IO]);
        if (!op2)
            goto fail;

        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        char rel[1024];
        snprintf(rel, sizeof rel, "%s", base);
        char *dot = strrchr(rel, '.');
        if (dot && dot != rel)
            *dot = '\0';
        const OutPage *pages[1] = {op2};
        tm_start(&tm[ST_WRITE]);
        wr = out_files_write(out_fd, rel, pages, 1,
                             OUT_FORMAT_TXT | OUT_FORMAT_HOCR);
        tm_stop(&tm[ST_WRITE]);
        if (wr < 0)
            goto fail;
        rc = 0;
    fail:
        pixDestroy(&pix);
        pixDestroy(&pixb);
        pixDestroy(&pixd);
        seg_page_destroy(&sp);
        seg_page_destroy(&sp2);
        out_page_destroy(&op);
        out_page_destroy(&op2);
        if (rc < 0)
            return -1;
        if (r + 1 < reps)
            rc = -1;
    }
    for (int s = 0; s < ST_N; s++)
        ms[s] = 1000.0 * tm[s].best;
    return 0;
}

static void rm_tree_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char p[4400];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

/* The command line. */
typedef struct {
    const char *model, *outdir;
    int reps, tsv;
    int first; /* argv index of the first image */
} BenchArgs;

/* Parse the options into a and co. -1 to go on, else the exit code (0
 * after --help, 2 for bad usage, said on stderr). */
static int args_parse(int argc, char **argv, BenchArgs *a, ChainOptions *co)
{
    a->model = NULL;
    a->outdir = NULL;
    a->reps = 1;
    a->tsv = 0;
    a->first = argc;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--help")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(o, "--model") && i + 1 < argc) {
            a->model = argv[++i];
        } else if (!strcmp(o, "--method") && i + 1 < argc) {
            const char *m = argv[++i];
            if (!strcmp(m, "sauvola"))
                co->binarize.method = SEG_BINARIZE_SAUVOLA;
            else if (!strcmp(m, "otsu"))
                co->binarize.method = SEG_BINARIZE_OTSU;
            else {
                fprintf(stderr, "bench_stages: --method: sauvola or otsu\n");
                return 2;
            }
        } else if (!strcmp(o, "--no-deskew")) {
            co->binarize.deskew = 0;
        } else if (!strcmp(o, "--no-adapt")) {
            co->adapt = 0; /* writer adaptation off (docs/context.md) */
        } else if (!strcmp(o, "--no-segalt")) {
            co->segalt = 0; /* segmentation alternatives off */
        } else if (!strcmp(o, "--lm") && i + 1 < argc) {
            co->lm_path = argv[++i]; /* loaded in each recognize step */
        } else if (!strcmp(o, "--reps") && i + 1 < argc) {
            a->reps = atoi(argv[++i]);
            if (a->reps < 1 || a->reps > 100) {
                fprintf(stderr, "bench_stages: --reps: 1..100\n");
                return 2;
            }
        } else if (!strcmp(o, "-o") && i + 1 < argc) {
            a->outdir = argv[++i];
        } else if (!strcmp(o, "--tsv")) {
            a->tsv = 1;
        } else if (o[0] == '-') {
            fprintf(stderr, "%s", usage);
            return 2;
        } else {
            a->first = i;
            break;
        }
    }
    if (a->first >= argc) {
        fprintf(stderr, "%s", usage);
        return 2;
    }
    if (!a->model)
        a->model = "models/inkpipe.model";
    return -1;
}

/* The table's header line. */
static void print_header(int tsv)
{
    if (tsv) {
        printf("page");
        for (int s = 0; s < ST_N; s++)
            printf("\t%s", st_names[s]);
        printf("\ttotal\tglyphs\n");
    } else {
        printf("%-24s", "CPU ms per step");
        for (int s = 0; s < ST_N; s++)
            printf(" %9s", st_names[s]);
        printf(" %9s %7s\n", "total", "glyphs");
    }
}

/* One page's line: label, the steps' ms (added to sum[]), total, glyphs. */
static void print_page(int tsv, const char *label, const double *ms,
                       int glyphs, double *sum)
{
    double tot = 0;
    printf(tsv ? "%s" : "%-24s", label);
    for (int s = 0; s < ST_N; s++) {
        printf(tsv ? "\t%.2f" : " %9.1f", ms[s]);
        tot += ms[s];
        sum[s] += ms[s];
    }
    printf(tsv ? "\t%.2f\t%d\n" : " %9.1f %7d\n", tot, glyphs);
}

/* The MEAN line over npages (> 0) pages. */
static void print_mean(int tsv, const double *sum, long glyphs_sum,
                       int npages)
{
    double tot = 0;
    printf(tsv ? "%s" : "%-24s", "MEAN");
    for (int s = 0; s < ST_N; s++) {
        printf(tsv ? "\t%.2f" : " %9.1f", sum[s] / npages);
        tot += sum[s] / npages;
    }
    printf(tsv ? "\t%.2f\t%.1f\n" : " %9.1f %7.1f\n", tot,
           (double)glyphs_sum / npages);
}

/* Remove the scratch folder: all of it, or (when the outputs went to -o
 * DIR, i.e. keep_outputs) only the stage artifacts it holds. */
static void tmp_remove(const char *tmpdir, int keep_outputs)
{
    if (!keep_outputs) {
        rm_tree_files(tmpdir);
        return;
    }
    char p[4400];
    snprintf(p, sizeof p, "%s/page.tif", tmpdir);
    unlink(p);
    snprintf(p, sizeof p, "%s/page.seg", tmpdir);
    unlink(p);
    snprintf(p, sizeof p, "%s/page.rec", tmpdir);
    unlink(p);
    rmdir(tmpdir);
}

int main(int argc, char **argv)
{
    BenchArgs a;
    ChainOptions co;
    chain_options_init(&co);
    mallopt(M_MMAP_THRESHOLD, 32 << 20); /* as cli/main.c */
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    int rc = args_parse(argc, argv, &a, &co);
    if (rc >= 0)
        return rc;
    RecNet *net = rec_net_load(a.model);
    if (!net) {
        fprintf(stderr, "bench_stages: cannot load model %s: %s\n", a.model,
                err_get());
        return 1;
    }
    char tmpdir[] = "/tmp/bench_stages.XXXXXX";
    if (!mkdtemp(tmpdir)) {
        perror("bench_stages: mkdtemp");
        rec_net_destroy(&net);
        return 1;
    }
    const char *od = a.outdir ? a.outdir : tmpdir;
    int out_fd = open(od, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (out_fd < 0) {
        fprintf(stderr, "bench_stages: cannot open %s\n", od);
        rm_tree_files(tmpdir);
        rec_net_destroy(&net);
        return 1;
    }

    double sum[ST_N] = {0};
    long glyphs_sum = 0;
    int npages = 0, status = 0;
    print_header(a.tsv);
    for (int i = a.first; i < argc; i++) {
        int n;
        if (page_count(argv[i], &n) < 0) {
            fprintf(stderr, "bench_stages: %s\n", err_get());
            status = 1;
            continue;
        }
        for (int p = 0; p < n; p++) {
            double ms[ST_N];
            int glyphs;
            if (bench_page(argv[i], p, &co, net, a.reps, tmpdir, out_fd, ms,
                           &glyphs) < 0) {
                fprintf(stderr, "bench_stages: %s page %d: %s\n", argv[i],
                        p + 1, err_get());
                status = 1;
                continue;
            }
            const char *base = strrchr(argv[i], '/');
            base = base ? base + 1 : argv[i];
            char label[300];
            if (n > 1)
                snprintf(label, sizeof label, "%s:%d", base, p + 1);
            else
                snprintf(label, sizeof label, "%s", base);
            print_page(a.tsv, label, ms, glyphs, sum);
            glyphs_sum += glyphs;
            npages++;
        }
    }
    if (npages > 0)
        print_mean(a.tsv, sum, glyphs_sum, npages);
    close(out_fd);
    tmp_remove(tmpdir, a.outdir != NULL);
    rec_net_destroy(&net);
    return status;
}
