/*
 * spool.c - open a job's spool, recover, retry (see spool.h for the
 * layout).
 *
 * Design: the spool is five queues (queue.h) and art/, the artifacts
 * between stages; what is enqueued comes from spool_inputs.c (submit),
 * what runs from stage.c. Opening creates what is missing, the output
 * folder included.
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

static Spool *spool_open_mode(const Job *job, int create);

const char *const spool_stage_names[STAGE_N] = {"ingest", "binarize",
                                                 "segment", "recognize",
                                                 "output"};

/* The binarised page this process published last (spool__bin_keep): the
 * artifact's name, the file it was (device, inode, size, modification
 * time: a rewrite renames another file into place) and its pixels. */
typedef struct {
    PIX *pix;
    char name[128];
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtim;
} SpoolBin;

struct Spool {
    const Job *job;
    Queue *q[STAGE_N];
    char *art_dir;
    int art_fd;
    int out_fd;
    SpoolBin bin;
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
    return spool_open_mode(job, 1);
}

/**
 * Open the spool of a job that has one, creating nothing: not the output
 * folder (spool__out_fd() is -1 when it does not exist), not the spool
 * (for status and clean; a spool made by a run has all its folders).
 *
 * @param[in] job  the job (must outlive the Spool)
 * @return new Spool (caller owns; spool_destroy()), or NULL (errno ENOENT:
 *         no spool, the job was never run)
 */
Spool *spool_open_existing(const Job *job)
{
    return spool_open_mode(job, 0);
}

/* spool_open (create = 1) or spool_open_existing (0). */
static Spool *spool_open_mode(const Job *job, int create)
{
    if (!create) {
        int fd = fs_open_dir(job->spool, 0);
        if (fd < 0)
            return NULL;
        close(fd);
    }
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
    sp->out_fd = fs_open_dir(job->output_dir, create);
    if (sp->out_fd < 0 && !create && err_get_errno() == ENOENT)
        return sp;
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
    pixDestroy(&sp->bin.pix);
    free(sp);
    *psp = NULL;
}

/**
 * Keep the binarised page that the calling stage is publishing as
 * art/name, so that the segment item of the same page (and its recognize
 * item, for the fields), which the worker's stage process usually takes
 * next, does not read and decode it again. The page kept before is
 * dropped.
 *
 * @param[in] sp    the spool
 * @param[in] name  its art/ name (as spool__bin_get() will ask)
 * @param[in] pix   the page (a copy is kept; NULL: drop, keep nothing)
 * @param[in] st    the stat of the file written, before its rename into
 *                  art/ (which keeps the inode, size and mtime)
 */
void spool__bin_keep(Spool *sp, const char *name, PIX *pix,
                     const struct stat *st)
{
    SpoolBin *b = &sp->bin;
    pixDestroy(&b->pix);
    if (!pix || !name || strlen(name) >= sizeof b->name)
        return;
    /* as pixReadTiff gives it: the bits past the width clear */
    b->pix = pixCopy(NULL, pix);
    if (!b->pix)
        return;
    pixSetPadBits(b->pix, 0);
    snprintf(b->name, sizeof b->name, "%s", name);
    b->dev = st->st_dev;
    b->ino = st->st_ino;
    b->size = st->st_size;
    b->mtim = st->st_mtim;
}

/**
 * The binarised page art/name as spool__bin_keep() kept it, when art/name
 * is still the very file that was written with it (same device, inode,
 * size and modification time: an artifact is only ever replaced by
 * renaming another file over it). Otherwise NULL: read the file.
 *
 * @param[in] sp    the spool
 * @param[in] name  the artifact's art/ name
 * @return a copy of the page (caller destroys; the steps may change it),
 *         or NULL
 */
PIX *spool__bin_get(Spool *sp, const char *name)
{
    SpoolBin *b = &sp->bin;
    struct stat st;
    if (!b->pix || strcmp(b->name, name) ||
        fstatat(sp->art_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return NULL;
    if (st.st_dev != b->dev || st.st_ino != b->ino || st.st_size != b->size ||
        st.st_mtim.tv_sec != b->mtim.tv_sec ||
        st.st_mtim.tv_nsec != b->mtim.tv_nsec)
        return NULL;
    return pixCopy(NULL, b->pix);
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

DIR *spool__art_opendir(const Spool *sp)
{
    int fd = openat(sp->art_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        err_set_errno("list %s", sp->art_dir);
        if (fd >= 0)
            close(fd);
    }
    return d;
}

int spool__out_fd(const Spool *sp)
{
    return sp->out_fd;
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

