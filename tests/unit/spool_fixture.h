/*
 * spool_fixture.h - jobs, pages and models for the pipeline tests
 * (test_spool, test_stage, test_worker, test_report), made in code.
 *
 * A case gets a fresh folder CASE/ with CASE/in/ for its inputs; the job
 * file CASE/job.yaml reads in/, writes out/ and spools to spool/ (extra
 * YAML appended by the case). Pages are "handwriting" lines drawn with the
 * segment tests' pen (seg_fixture.h), dark ink on light paper, 300 dpi;
 * the model is a tiny random net (rec_net_create, fixed seed): what it
 * reads is noise, but every stage runs for real on it.
 */
#ifndef INKPIPE_SPOOL_FIXTURE_H
#define INKPIPE_SPOOL_FIXTURE_H

#include <leptonica/allheaders.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "pipeline/job.h"
#include "pipeline/spool.h"
#include "recognize/recognize.h"
#include "tests/unit/seg_fixture.h"
#include "tests/unit/test.h"

static int sfx_n_cases;

/* A fresh folder CASE (with CASE/in) for one case; its path goes to dir. */
static inline void sfx_case(char *dir, size_t size, const char *name)
{
    char in[4096];
    snprintf(dir, size, "%s/%s.%ld.%d", test_tmpdir(), name, (long)getpid(),
             sfx_n_cases++);
    snprintf(in, sizeof in, "%s/in", dir);
    if (mkdir(dir, 0777) < 0 || mkdir(in, 0777) < 0)
        printf("  cannot create %s\n", in);
}

/* Write CASE/job.yaml (in/ -> out/, spool/, then extra) and load it; NULL
 * (after printing why) when the job does not load. */
static inline Job *sfx_job(const char *dir, const char *extra)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/job.yaml", dir);
    FILE *fp = fopen(path, "w");
    if (!fp)
        return NULL;
    fprintf(fp,
            "name: t\ninput:\n  paths: [in]\noutput:\n  dir: out\n"
            "spool: spool\n%s",
            extra ? extra : "");
    fclose(fp);
    Job *job = job_load(path);
    if (!job)
        printf("  job_load: %s\n", err_get());
    return job;
}

/* A grey 300 dpi page of w x h with two lines of text (which one depends
 * on seed), caller destroys. */
static inline PIX *sfx_page_pix(int w, int h, int seed)
{
    static const char *const lines[] = {"nix Hol", "pov lox in", "Hiv on",
                                        "lin pox", "vox Hip", "noon xi"};
    PIX *b = pixCreate(w, h, 1);
    FxPen pen = fx_pen(30);
    fx_text(b, lines[seed % 6], 40, 100, &pen, 0);
    if (h >= 240)
        fx_text(b, lines[(seed + 1) % 6], 40, 200, &pen, 0);
    PIX *g = pixConvert1To8(NULL, b, 255, 0); /* ink 1 -> dark */
    pixDestroy(&b);
    if (g)
        pixSetResolution(g, 300, 300);
    return g;
}

/* CASE/in/NAME as a PNG page (subfolders made). 0 or -1. */
static inline int sfx_png(const char *dir, const char *name, int seed)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/in/%s", dir, name);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
    if (system(cmd) != 0)
        return -1;
    *slash = '/';
    PIX *pix = sfx_page_pix(500, 260, seed);
    int rc = pix && pixWrite(path, pix, IFF_PNG) == 0 ? 0 : -1;
    pixDestroy(&pix);
    return rc;
}

/* CASE/in/NAME as an n-page G4 TIFF; page p is w[p] x 260 (w NULL: 500
 * each). 0 or -1. */
static inline int sfx_tiff(const char *dir, const char *name, int n,
                           const int *w)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/in/%s", dir, name);
    for (int p = 0; p < n; p++) {
        PIX *g = sfx_page_pix(w ? w[p] : 500, 260, p);
        PIX *b = g ? pixThresholdToBinary(g, 128) : NULL;
        if (b)
            pixSetResolution(b, 300, 300);
        int rc = b ? pixWriteTiff(path, b, IFF_TIFF_G4, p ? "a" : "w") : 1;
        pixDestroy(&g);
        pixDestroy(&b);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* CASE/in/NAME with these bytes. 0 or -1. */
static inline int sfx_file(const char *dir, const char *name,
                           const char *bytes)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/in/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return -1;
    fputs(bytes, fp);
    return fclose(fp) == 0 ? 0 : -1;
}

/* A tiny random net (what it reads is noise; that it runs is the point). */
static inline RecNet *sfx_net(void)
{
    return rec_net_create("c4,p,f62", 7);
}

/* The tiny net saved as path. 0 or -1. */
static inline int sfx_model(const char *path)
{
    RecNet *net = sfx_net();
    int rc = net ? rec_net_save(net, path) : -1;
    rec_net_destroy(&net);
    return rc;
}

/* The counts of stage st. */
static inline QueueCounts sfx_counts(Spool *sp, SpoolStage st)
{
    QueueCounts c = {-1, -1, -1, -1, -1};
    if (queue_get_counts(spool_get_queue(sp, st), &c) < 0)
        printf("  counts: %s\n", err_get());
    return c;
}

/* 1 if CASE/REL exists (lstat). */
static inline int sfx_exists(const char *dir, const char *rel)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    return lstat(path, &st) == 0;
}

/* Whole content of a file (caller frees), NULL when missing; *plen its
 * length. */
static inline char *sfx_slurp(const char *path, size_t *plen)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n, fp)) > 0) {
        n += r;
        if (n == cap) {
            char *nb = realloc(buf, 2 * cap + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(fp);
    if (buf)
        buf[n] = '\0';
    if (plen)
        *plen = n;
    return buf;
}

/* Enqueue a page item of file key `file` at stage st, as the stages write
 * them. 1 (new), 0 (known) or -1. */
static inline int sfx_enqueue_page(Spool *sp, SpoolStage st, const char *src,
                                   const char *rel, const char *file,
                                   int page, int pages)
{
    char key[64], text[2000];
    snprintf(key, sizeof key, "%s-p%04d", file, page);
    snprintf(text, sizeof text,
             "src=%s\nrel=%s\nfile=%s\npage=%d\npages=%d\ndpi=300\n", src,
             rel, file, page, pages);
    return queue_enqueue(spool_get_queue(sp, st), key, text);
}

/* Claim the one item queued at stage st and fail it with reason. 0 or
 * -1. */
static inline int sfx_fail_next(Spool *sp, SpoolStage st, const char *reason)
{
    QueueItem *it = NULL;
    Queue *q = spool_get_queue(sp, st);
    int rc = queue_claim(q, &it) == 1 && queue_fail(q, it, reason) == 0 ? 0
                                                                        : -1;
    queue_item_destroy(&it);
    return rc;
}

/* A pid that is certainly dead: a child that exited and was reaped. */
static inline long sfx_dead_pid(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    int st;
    waitpid(pid, &st, 0);
    return (long)pid;
}

/* Set the mtime of CASE/REL to age_s seconds ago. */
static inline void sfx_age(const char *dir, const char *rel, double age_s)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    struct timespec ts[2];
    clock_gettime(CLOCK_REALTIME, &ts[0]);
    ts[0].tv_sec -= (time_t)age_s;
    ts[1] = ts[0];
    utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
}

#endif
