/*
 * spool.c - open a job's spool, expand its inputs, submit, recover
 * (see spool.h for the layout).
 *
 * Design: submit walks input.paths (folders recursively, symlinked folders
 * skipped so that a loop cannot hang it), keeps the image files, computes
 * each one's output path (its path below the input folder, without the
 * extension, or with it when two inputs share a stem: out_files_names),
 * refuses two inputs that still share an output path, and enqueues
 * one ingest item per file. Keys are hashes of the output path, so
 * submitting again enqueues only files that are new. A file whose name
 * cannot name an output (control characters, over OUT_NAME_MAX bytes) is
 * enqueued with its name escaped and a refuse= reason, so that its ingest
 * fails and the run counts it, instead of the output failing at the end.
 */
#include "pipeline/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/fsutil.h"
#include "input/page.h"
#include "output/output.h"

const char *const spool_stage_names[STAGE_N] = {"ingest", "binarize",
                                                 "segment", "recognize",
                                                 "output"};

struct Spool {
    const Job *job;
    Queue *q[STAGE_N];
    char *art_dir;
    int art_fd;
    int out_fd;
};

int spool_stage_of_name(const char *name)
{
    for (int i = 0; i < STAGE_N; i++)
        if (!strcmp(name, spool_stage_names[i]))
            return i;
    return -1;
}

/**
 * Open (creating as needed) the spool and the output folder of a job.
 *
 * @param[in] job  the job (must outlive the Spool)
 * @return new Spool (caller owns; spool_destroy()), or NULL
 */
Spool *spool_open(const Job *job)
{
    Spool *sp = calloc(1, sizeof *sp);
    if (!sp) {
        err_set("out of memory");
        return NULL;
    }
    sp->job = job;
    sp->art_fd = sp->out_fd = -1;
    char path[4200];
    for (int i = 0; i < STAGE_N; i++) {
        snprintf(path, sizeof path, "%s/%s", job->spool, spool_stage_names[i]);
        if (!(sp->q[i] = queue_open(path))) {
            err_prefix("spool");
            goto fail;
        }
    }
    int root = fs_open_dir(job->spool, 1);
    if (root < 0)
        goto fail;
    sp->art_fd = fs_open_subdir(root, "art", 1);
    close(root);
    snprintf(path, sizeof path, "%s/art", job->spool);
    sp->art_dir = strdup(path);
    if (sp->art_fd < 0 || !sp->art_dir) {
        err_prefix("spool %s", job->spool);
        goto fail;
    }
    sp->out_fd = fs_open_dir(job->output_dir, 1);
    if (sp->out_fd < 0) {
        err_prefix("output.dir");
        goto fail;
    }
    return sp;
fail:
    spool_destroy(&sp);
    return NULL;
}

void spool_destroy(Spool **psp)
{
    if (!psp || !*psp)
        return;
    Spool *sp = *psp;
    for (int i = 0; i < STAGE_N; i++)
        queue_destroy(&sp->q[i]);
    if (sp->art_fd >= 0)
        close(sp->art_fd);
    if (sp->out_fd >= 0)
        close(sp->out_fd);
    free(sp->art_dir);
    free(sp);
    *psp = NULL;
}

Queue *spool_get_queue(Spool *sp, SpoolStage st)
{
    return sp->q[st];
}

const Job *spool_get_job(const Spool *sp)
{
    return sp->job;
}

int spool__art_fd(const Spool *sp)
{
    return sp->art_fd;
}

const char *spool__art_dir(const Spool *sp)
{
    return sp->art_dir;
}

int spool__out_fd(const Spool *sp)
{
    return sp->out_fd;
}

/* ---- input expansion ------------------------------------------------- */

typedef struct {
    char *src; /* path to read */
    char *rel; /* output path: with the extension until inputs_expand
                * names the outputs (out_files_names), then without it
                * (unless another input shares the stem) */
} Input;

typedef struct {
    Input *v;
    int n, cap;
} Inputs;

static int inputs_add(Inputs *in, const char *src, const char *rel_with_ext)
{
    if (in->n == in->cap) {
        int cap = in->cap ? 2 * in->cap : 64;
        Input *v = realloc(in->v, (size_t)cap * sizeof *v);
        if (!v)
            return err_set("out of memory");
        in->v = v;
        in->cap = cap;
    }
    char *rel = strdup(rel_with_ext);
    char *s = strdup(src);
    if (!rel || !s) {
        free(rel);
        free(s);
        return err_set("out of memory");
    }
    in->v[in->n].src = s;
    in->v[in->n].rel = rel;
    in->n++;
    return 0;
}

static void inputs_free(Inputs *in)
{
    for (int i = 0; i < in->n; i++) {
        free(in->v[i].src);
        free(in->v[i].rel);
    }
    free(in->v);
    in->v = NULL;
    in->n = in->cap = 0;
}

/* Add the image files under folder dfd (path src, output prefix rel). */
static int walk(Inputs *in, int dfd, const char *src, const char *rel,
                int depth)
{
    if (depth > 64)
        return err_set("%s: folders nested more than 64 deep", src);
    int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return err_set_errno("list %s", src);
    }
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d))) {
        const char *name = de->d_name;
        if (name[0] == '.')
            continue;
        struct stat lst, st;
        if (fstatat(dfd, name, &lst, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        char csrc[4096], crel[4096];
        if ((size_t)snprintf(csrc, sizeof csrc, "%s/%s", src, name) >=
                sizeof csrc ||
            (size_t)snprintf(crel, sizeof crel, "%s%s%s", rel,
                             rel[0] ? "/" : "", name) >= sizeof crel) {
            rc = err_set("%s/%s: path too long", src, name);
            break;
        }
        if (S_ISDIR(lst.st_mode)) {
            int sub = openat(dfd, name,
                             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub < 0) {
                rc = err_set_errno("open %s", csrc);
                break;
            }
            rc = walk(in, sub, csrc, crel, depth + 1);
            close(sub);
        } else if (page_is_image_name(name)) {
            /* a symlink to a file is read; a symlink to a folder is not
             * walked (loops) */
            if (S_ISLNK(lst.st_mode) &&
                (fstatat(dfd, name, &st, 0) < 0 || !S_ISREG(st.st_mode)))
                continue;
            if (!S_ISREG(lst.st_mode) && !S_ISLNK(lst.st_mode))
                continue;
            rc = inputs_add(in, csrc, crel);
        }
    }
    closedir(d);
    return rc;
}

static int cmp_input(const void *a, const void *b)
{
    return strcmp(((const Input *)a)->rel, ((const Input *)b)->rel);
}

/* Replace each input's rel (with extension) by its output name. */
static int inputs_name(const Job *job, Inputs *in)
{
    const char **paths = malloc((size_t)(in->n ? in->n : 1) * sizeof *paths);
    char **names = malloc((size_t)(in->n ? in->n : 1) * sizeof *names);
    int a = -1, b = -1, rc = 0;
    if (!paths || !names)
        rc = err_set("out of memory");
    for (int i = 0; rc == 0 && i < in->n; i++)
        paths[i] = in->v[i].rel;
    if (rc == 0 && out_files_names(paths, in->n, names, &a, &b) < 0) {
        rc = -1;
        if (a >= 0 && names[a])
            err_set("inputs %s and %s would both be written to %s/%s.*; "
                    "rename one",
                    in->v[a].src, in->v[b].src, job->output_dir, names[a]);
    }
    for (int i = 0; names && paths && i < in->n; i++) {
        if (rc == 0) {
            free(in->v[i].rel);
            in->v[i].rel = names[i];
        } else {
            free(names[i]);
        }
    }
    free(paths);
    free(names);
    if (rc == 0 && in->n > 1)
        qsort(in->v, (size_t)in->n, sizeof *in->v, cmp_input);
    return rc;
}

static int inputs_expand(const Job *job, Inputs *in)
{
    for (int i = 0; i < job->n_inputs; i++) {
        const char *p = job->inputs[i];
        struct stat st;
        if (stat(p, &st) < 0)
            return err_set_errno("input %s", p);
        if (S_ISDIR(st.st_mode)) {
            int dfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (dfd < 0)
                return err_set_errno("input %s", p);
            int rc = walk(in, dfd, p, "", 0);
            close(dfd);
            if (rc < 0)
                return -1;
        } else {
            const char *base = strrchr(p, '/');
            base = base ? base + 1 : p;
            /* a file named explicitly is taken whatever its extension; an
             * unsupported one fails at ingest with its reason */
            if (inputs_add(in, p, base) < 0)
                return -1;
        }
    }
    return inputs_name(job, in);
}

/**
 * Enqueue an item whose text is formatted printf-style, at any length.
 *
 * @param[in] q    queue
 * @param[in] key  item key (queue_key_valid)
 * @param[in] fmt  format of the item's text ("field=value" lines)
 * @return as queue_enqueue(): 1 enqueued, 0 already known, -1 error
 *
 * Notes:
 *   (1) The text is formatted into a buffer of its own size, so no stage
 *       keeps a fixed buffer that a long path could overrun or cut.
 */
int spool__enqueuef(Queue *q, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return err_set("queue item %s: cannot format its text", key);
    char *text = malloc((size_t)n + 1);
    if (!text)
        return err_set("queue item %s: out of memory", key);
    va_start(ap, fmt);
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = queue_enqueue(q, key, text);
    free(text);
    return rc;
}

static unsigned long long fnv1a(const char *s)
{
    unsigned long long h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* s with control bytes and backslashes escaped (\t, \n, \r, \\, \xHH),
 * cut with "..." to fit buf. */
static void escape_name(const char *s, char *buf, size_t size)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char e[8];
        if (*p == '\t')
            strcpy(e, "\\t");
        else if (*p == '\n')
            strcpy(e, "\\n");
        else if (*p == '\r')
            strcpy(e, "\\r");
        else if (*p == '\\')
            strcpy(e, "\\\\");
        else if (*p < 0x20 || *p == 0x7f)
            snprintf(e, sizeof e, "\\x%02x", *p);
        else {
            e[0] = (char)*p;
            e[1] = '\0';
        }
        size_t l = strlen(e);
        if (n + l + 4 > size) {
            strcpy(buf + n, "...");
            return;
        }
        memcpy(buf + n, e, l);
        n += l;
    }
    buf[n] = '\0';
}

/* Enqueue input's ingest item (key F): src, rel, file; for a name no
 * output can have, escaped, with the reason in refuse=. As
 * queue_enqueue: 1, 0 or -1. */
static int enqueue_ingest(Queue *q, const Input *in, const char *key)
{
    int bad_rel = out_files_check_name(in->rel) < 0;
    if (!bad_rel && !strpbrk(in->src, "\n\r"))
        return spool__enqueuef(q, key, "src=%s\nrel=%s\nfile=%s\n", in->src,
                               in->rel, key);
    char src[1024], rel[1024], why[256];
    snprintf(why, sizeof why, "%s",
             bad_rel ? err_get() : "it contains a control character");
    escape_name(in->src, src, sizeof src);
    escape_name(in->rel, rel, sizeof rel);
    return spool__enqueuef(q, key,
                           "src=%s\nrel=%s\nfile=%s\nrefuse=input file name "
                           "'%s' cannot name its outputs: %s; rename the "
                           "file\n",
                           src, rel, key, src, why);
}

/**
 * Enqueue one ingest item per input file that was never enqueued.
 *
 * @param[in]  sp      spool
 * @param[out] pnew    [optional] files enqueued now
 * @param[out] pknown  [optional] files already known
 * @return 0, or -1 (nothing is enqueued when the inputs are inconsistent)
 */
int spool_submit(Spool *sp, int *pnew, int *pknown)
{
    Inputs in = {0};
    int n_new = 0, n_known = 0;
    if (inputs_expand(sp->job, &in) < 0) {
        inputs_free(&in);
        return -1;
    }
    for (int i = 0; i < in.n; i++) {
        char key[32];
        snprintf(key, sizeof key, "f%016llx", fnv1a(in.v[i].rel));
        int rc = enqueue_ingest(sp->q[STAGE_INGEST], &in.v[i], key);
        if (rc < 0) {
            inputs_free(&in);
            return -1;
        }
        if (rc)
            n_new++;
        else
            n_known++;
    }
    inputs_free(&in);
    if (pnew)
        *pnew = n_new;
    if (pknown)
        *pknown = n_known;
    return 0;
}

/* Remove art/ temp files (".NAME.tmp.PID.SEQ") left by stage children that
 * were killed mid-write: only when their pid is gone and they are older
 * than the page timeout plus a minute, so that a live writer on another
 * host sharing the spool is never disturbed. */
static void clean_art_temps(Spool *sp)
{
    int fd = openat(sp->art_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    time_t now = time(NULL);
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *t = strstr(de->d_name, ".tmp.");
        struct stat st;
        if (de->d_name[0] != '.' || !t)
            continue;
        long pid = strtol(t + 5, NULL, 10);
        if (queue_pid_alive(pid))
            continue;
        if (fstatat(sp->art_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            now - st.st_mtime > sp->job->page_timeout + 60)
            unlinkat(sp->art_fd, de->d_name, 0);
    }
    closedir(d);
}

/**
 * Recover every stage (queue_recover with the job's lease).
 *
 * @param[in]  sp  spool
 * @param[out] pn  [optional] items put back
 * @return 0 or -1
 */
int spool_recover(Spool *sp, int *pn)
{
    int total = 0;
    clean_art_temps(sp);
    for (int i = 0; i < STAGE_N; i++) {
        int n = 0;
        if (queue_recover(sp->q[i], sp->job->lease_seconds, &n) < 0)
            return -1;
        /* (what a killed writer staged is swept by the item's next holder,
         * or by the worker that saw its stage process die: stage.c) */
        total += n;
    }
    if (pn)
        *pn = total;
    return 0;
}

/* The file key F of a page key F-pNNNN into buf; 0, or -1 if not one. */
static int page_file_key(const char *key, char *buf, size_t size)
{
    const char *dash = strrchr(key, '-');
    size_t n = dash ? (size_t)(dash - key) : 0;
    if (!dash || dash[1] != 'p' || n == 0 || n >= size)
        return -1;
    memcpy(buf, key, n);
    buf[n] = '\0';
    return 0;
}

/**
 * Put every failed item back in its queue; the output item of a file whose
 * page is requeued is reopened, so that the file's output is written again
 * (with the page, if it goes through this time).
 *
 * @param[in]  sp  spool
 * @param[out] pn  [optional] number of items requeued
 * @return 0 or -1 (with the first error; the other items are still tried)
 *
 * Notes:
 *   (1) Per item: reopen the output item, then requeue the page, so a kill
 *       in between leaves the page failed and a `retry` again finishes.
 *   (2) An output item still queued or claimed is left alone; if it runs
 *       while the page is pending it fails, saying to retry.
 */
int spool_retry(Spool *sp, int *pn)
{
    int rc = 0, count = 0;
    Queue *outq = sp->q[STAGE_OUTPUT];
    for (int s = 0; s < STAGE_N; s++) {
        QueueEntry *e;
        int n;
        if (queue_list(sp->q[s], QUEUE_FAILED, &e, &n) < 0) {
            rc = -1;
            continue;
        }
        for (int i = 0; i < n; i++) {
            char file[128];
            if (s >= STAGE_BINARIZE && s <= STAGE_RECOGNIZE &&
                page_file_key(e[i].key, file, sizeof file) == 0 &&
                queue_reopen(outq, file) < 0) {
                rc = -1;
                continue;
            }
            int r = queue_retry_key(sp->q[s], e[i].key);
            if (r < 0)
                rc = -1;
            else
                count += r;
        }
        queue_entries_destroy(&e, n);
    }
    if (pn)
        *pn = count;
    return rc;
}

