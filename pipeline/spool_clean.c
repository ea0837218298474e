/*
 * spool_clean.c - `inkpipe clean`: remove the artifacts of finished input
 * files, and tell the redos that would have read them that they are gone
 * (see spool.h).
 *
 * Design: what a spool holds per page is mostly art/ (the binarised page
 * .tif, the segmented page .seg, the recognised page .rec); the queue
 * items are small and say what is done, so they stay (status, the input
 * record and the incremental runs read them; seen/ and done/ are two hard
 * links of one file, so removing done/KEY would free nothing anyway). A
 * file is finished when its output item is done and no item of it (page
 * or file) is queued, claimed or failed: its art/F-p* files go, except the
 * .rec of a job with forms.template (fields.csv is made from them at the
 * end of every run). A file with a failed page keeps its artifacts (its
 * output is written again from them when the page is retried).
 * Without the artifacts, what reads them falls back to the input file:
 *   - an output file missing (spool_update): the file is redone from its
 *     ingest, as if it had changed (spool__file_cleaned), instead of only
 *     its output item;
 *   - a settings edit that would redo segment, recognize or output from
 *     the artifacts of the stage before (spool_settings.c): binarize and
 *     every stage after it are redone instead (spool__stage_cleaned).
 * The pages give the same results either way (the stages are
 * deterministic), so the outputs are those of a fresh job.
 * A run in progress (a claim left after spool_recover) refuses the clean;
 * the input and settings locks keep a `run`/`submit` starting meanwhile
 * from requeueing an item whose artifacts are going.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/fsutil.h"
#include "pipeline/spool.h"

static const char *const art_ext[STAGE_N] = {NULL, "tif", "seg", "rec", NULL};

/* 1 when art/NAME exists, 0 when not, -1 on error. */
static int art_present(Spool *sp, const char *name)
{
    struct stat st;
    if (fstatat(spool__art_fd(sp), name, &st, AT_SYMLINK_NOFOLLOW) == 0)
        return 1;
    if (errno == ENOENT)
        return 0;
    return err_set_errno("%s/%s", spool__art_dir(sp), name);
}

int spool__file_cleaned(Spool *sp, const char *file, int pages)
{
    Queue *rq = spool_get_queue(sp, STAGE_RECOGNIZE);
    for (int p = 0; p < pages; p++) {
        char key[200], name[220];
        snprintf(key, sizeof key, "%s-p%04d", file, p);
        int r = queue_has_key(rq, QUEUE_DONE, key);
        if (r <= 0) {
            if (r < 0)
                return -1;
            continue;
        }
        snprintf(name, sizeof name, "%s.rec", key);
        if ((r = art_present(sp, name)) <= 0)
            return r < 0 ? -1 : 1;
    }
    return 0;
}

int spool__stage_cleaned(Spool *sp, SpoolStage st)
{
    if (st < STAGE_BINARIZE || st > STAGE_RECOGNIZE)
        return 0;
    QueueEntry *e;
    int n, rc = 0;
    if (queue_list(spool_get_queue(sp, st), QUEUE_DONE, &e, &n) < 0)
        return -1;
    for (int i = 0; i < n && rc == 0; i++) {
        char name[260];
        snprintf(name, sizeof name, "%s.%s", e[i].key, art_ext[st]);
        int r = art_present(sp, name);
        rc = r < 0 ? -1 : !r;
    }
    queue_entries_destroy(&e, n);
    return rc;
}

/* A sorted set of file keys. */
typedef struct {
    char **v;
    int n, cap;
} Keys;

/* The file part F of a key F, F-pNNNN or an art name F-pNNNN.EXT. */
static void file_of(const char *key, char *buf, size_t size)
{
    const char *p = strstr(key, "-p");
    size_t n = p ? (size_t)(p - key) : strcspn(key, ".");
    if (n >= size)
        n = size - 1;
    memcpy(buf, key, n);
    buf[n] = '\0';
}

static int keys_add(Keys *k, const char *key)
{
    char f[200];
    file_of(key, f, sizeof f);
    if (k->n == k->cap) {
        int cap = k->cap ? 2 * k->cap : 64;
        char **v = realloc(k->v, (size_t)cap * sizeof *v);
        if (!v)
            return err_set("out of memory");
        k->v = v;
        k->cap = cap;
    }
    if (!(k->v[k->n] = strdup(f)))
        return err_set("out of memory");
    k->n++;
    return 0;
}

static int cmp_pstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void keys_sort(Keys *k)
{
    if (k->n > 1)
        qsort(k->v, (size_t)k->n, sizeof *k->v, cmp_pstr);
}

/* 1 when the file of key (any form, see file_of) is in the sorted set. */
static int keys_has(const Keys *k, const char *key)
{
    char f[200];
    const char *pf = f;
    file_of(key, f, sizeof f);
    return k->n && bsearch(&pf, k->v, (size_t)k->n, sizeof *k->v, cmp_pstr);
}

static void keys_free(Keys *k)
{
    for (int i = 0; i < k->n; i++)
        free(k->v[i]);
    free(k->v);
    memset(k, 0, sizeof *k);
}

/* Files whose output is done (done) and files with an item queued, claimed
 * or failed in any stage (busy). 0, or -1: also when a claim is left,
 * saying that a run is in progress. */
static int file_sets(Spool *sp, Keys *done, Keys *busy)
{
    static const QueueState states[3] = {QUEUE_QUEUED, QUEUE_CLAIMED,
                                         QUEUE_FAILED};
    for (int s = 0; s < STAGE_N; s++)
        for (int j = 0; j < 3; j++) {
            QueueEntry *e;
            int n, rc = 0;
            if (queue_list(spool_get_queue(sp, (SpoolStage)s), states[j], &e,
                           &n) < 0)
                return -1;
            if (states[j] == QUEUE_CLAIMED && n > 0)
                rc = err_set("a run is in progress (%s %s is held by host %s "
                             "pid %ld): clean when it has finished",
                             spool_stage_names[s], e[0].key, e[0].host,
                             e[0].pid);
            for (int i = 0; i < n && rc == 0; i++)
                rc = keys_add(busy, e[i].key);
            queue_entries_destroy(&e, n);
            if (rc < 0)
                return -1;
        }
    QueueEntry *e;
    int n, rc = 0;
    if (queue_list(spool_get_queue(sp, STAGE_OUTPUT), QUEUE_DONE, &e, &n) < 0)
        return -1;
    for (int i = 0; i < n && rc == 0; i++)
        rc = keys_add(done, e[i].key);
    queue_entries_destroy(&e, n);
    keys_sort(done);
    keys_sort(busy);
    return rc;
}

/* Remove the artifacts of the finished files (see the top). 0 or -1. */
static int remove_finished(Spool *sp, const Keys *done, const Keys *busy,
                           SpoolClean *pc)
{
    int keep_rec = spool_get_job(sp)->form != NULL;
    Keys files;
    memset(&files, 0, sizeof files);
    DIR *d = spool__art_opendir(sp);
    if (!d)
        return -1;
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d))) {
        const char *dot = strrchr(de->d_name, '.');
        struct stat st;
        if (de->d_name[0] == '.' || !dot || !strstr(de->d_name, "-p") ||
            !keys_has(done, de->d_name) || keys_has(busy, de->d_name))
            continue;
        if (strcmp(dot, ".tif") && strcmp(dot, ".seg") &&
            (strcmp(dot, ".rec") || keep_rec))
            continue;
        if (fstatat(spool__art_fd(sp), de->d_name, &st, AT_SYMLINK_NOFOLLOW) <
                0 ||
            unlinkat(spool__art_fd(sp), de->d_name, 0) < 0) {
            if (errno != ENOENT)
                rc = err_set_errno("remove %s/%s", spool__art_dir(sp),
                                   de->d_name);
            continue;
        }
        pc->removed++;
        pc->bytes_removed += (long long)st.st_blocks * 512;
        char f[200];
        file_of(de->d_name, f, sizeof f);
        if (files.n == 0 || strcmp(files.v[files.n - 1], f))
            rc = keys_add(&files, f); /* (counted once per run of names) */
    }
    closedir(d);
    keys_sort(&files);
    for (int i = 0; i < files.n; i++)
        pc->files += i == 0 || strcmp(files.v[i], files.v[i - 1]) != 0;
    keys_free(&files);
    return rc;
}

/* Take SPOOL/NAME's flock (exclusive, waiting): the fd, or -1. */
static int lock_file(const char *spool, int dfd, const char *name)
{
    int fd = openat(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
                    0666);
    if (fd < 0 || flock(fd, LOCK_EX) < 0) {
        err_set_errno("spool %s: lock %s", spool, name);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/**
 * Remove the artifacts of the input files that are finished, keeping what
 * incremental runs need (see the top of this file).
 *
 * @param[in]  sp  spool
 * @param[out] pc  what was removed
 * @return 0, or -1: a run in progress (a claim held after taking back
 *         those of dead workers), or an error; the message says which
 */
int spool_clean(Spool *sp, SpoolClean *pc)
{
    memset(pc, 0, sizeof *pc);
    const char *spool = spool_get_job(sp)->spool;
    int dfd = fs_open_dir(spool, 0);
    if (dfd < 0)
        return err_prefix("spool");
    int lk_settings = lock_file(spool, dfd, "settings.lock");
    int lk_inputs = lk_settings < 0 ? -1 : lock_file(spool, dfd, "inputs.lock");
    Keys done, busy;
    memset(&done, 0, sizeof done);
    memset(&busy, 0, sizeof busy);
    int rc = -1;
    if (lk_inputs >= 0 && spool_recover(sp, NULL) == 0 &&
        file_sets(sp, &done, &busy) == 0)
        rc = remove_finished(sp, &done, &busy, pc);
    keys_free(&done);
    keys_free(&busy);
    if (lk_inputs >= 0)
        close(lk_inputs);
    if (lk_settings >= 0)
        close(lk_settings);
    close(dfd);
    return rc;
}

/* ---- disk usage -------------------------------------------------------- */

typedef struct {
    ino_t ino;
    long long bytes;
} Linked;

typedef struct {
    Linked *v;         /* files with more than one link, counted at the end */
    int n, cap;
    long long bytes;   /* the others */
} Usage;

/* Add the tree under folder dfd (closed here) to u. 0 or -1. */
static int usage_walk(int dfd, const char *path, Usage *u, int depth)
{
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return err_set_errno("list %s", path);
    }
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d))) {
        struct stat st;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue; /* (gone meanwhile) */
        long long b = (long long)st.st_blocks * 512;
        if (S_ISDIR(st.st_mode) && depth < 32) {
            u->bytes += b;
            int sub = openat(dirfd(d), de->d_name,
                             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0)
                rc = usage_walk(sub, de->d_name, u, depth + 1);
        } else if (st.st_nlink > 1) {
            if (u->n == u->cap) {
                int cap = u->cap ? 2 * u->cap : 256;
                Linked *v = realloc(u->v, (size_t)cap * sizeof *v);
                if (!v) {
                    rc = err_set("out of memory");
                    break;
                }
                u->v = v;
                u->cap = cap;
            }
            u->v[u->n].ino = st.st_ino;
            u->v[u->n++].bytes = b;
        } else {
            u->bytes += b;
        }
    }
    closedir(d);
    return rc;
}

static int cmp_linked(const void *a, const void *b)
{
    ino_t x = ((const Linked *)a)->ino, y = ((const Linked *)b)->ino;
    return (x > y) - (x < y);
}

/**
 * Bytes a folder tree holds on disk (allocated blocks, folders included),
 * a file with several hard links (seen/ and done/) counted once, as du(1)
 * does.
 *
 * @param[in]  dir     the folder (the spool)
 * @param[out] pbytes  the bytes
 * @return 0 or -1
 */
int spool_disk_usage(const char *dir, long long *pbytes)
{
    Usage u;
    memset(&u, 0, sizeof u);
    *pbytes = 0;
    int dfd = fs_open_dir(dir, 0);
    if (dfd < 0)
        return -1;
    struct stat st;
    if (fstat(dfd, &st) == 0)
        u.bytes += (long long)st.st_blocks * 512;
    int rc = usage_walk(dfd, dir, &u, 0);
    if (u.n > 1)
        qsort(u.v, (size_t)u.n, sizeof *u.v, cmp_linked);
    for (int i = 0; i < u.n; i++)
        if (i == 0 || u.v[i].ino != u.v[i - 1].ino)
            u.bytes += u.v[i].bytes;
    free(u.v);
    *pbytes = u.bytes;
    return rc;
}
