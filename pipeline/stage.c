/*
 * stage.c - the five stages of the spool (see spool.h).
 *
 * Design: each stage reads its item ("field=value" lines), reads the
 * previous artifact, writes its own to art/ by temp file + fsync + rename,
 * and only then enqueues the next item (with the same fields, plus what it
 * learnt). Running a stage twice on the same item writes the same artifact
 * again and enqueues nothing new, so crash recovery needs no clean-up.
 *   ingest     input file -> one binarize item per page (page count from
 *              the headers only, at most limits.max_pages; a TIFF page's
 *              item carries its directory offset, ifd=, so that binarize
 *              reads it without walking the file); an item that submit
 *              marked refuse= (a name no output can have) fails here
 *   binarize   page -> art/KEY.tif (1 bpp, G4 by page_g4_write,
 *              resolution kept); the
 *              stage process keeps the page (spool__bin_keep), and its
 *              segment and recognize items, when the same process takes
 *              them and art/KEY.tif is still the file it wrote, use it
 *              instead of reading the file (the same pixels)
 *   segment    art/KEY.tif -> art/KEY.seg
 *   recognize  art/KEY.seg -> art/KEY.rec; the page that settles its file
 *              (every page recognised or failed, one at least recognised)
 *              enqueues the file's output item (idempotent: two workers
 *              finishing the last two pages at once enqueue it once); a
 *              page that fails settles it the same way (spool_page_failed,
 *              called by the worker)
 *   output     art/F-p*.rec -> OUTPUT/rel.txt, OUTPUT/rel.hocr; a failed
 *              page is an empty page (its size if it was binarised, else
 *              0 x 0). `retry` reopens the output item of a file whose
 *              page it requeues (spool_retry), so the output is written
 *              again, whole, once the page goes through
 *
 * Fencing: a worker stopped past its lease (SIGSTOP, a paused VM, a
 * stalled NFS client) loses its claim to another worker, and may resume
 * with its result in hand. It must not publish it after the new holder
 * began: its view may be stale (a page retried since), and the last
 * rename wins. So nothing is published straight from where it is
 * written. Each stage writes what it publishes (artifact, output files,
 * next items) into the item's staging folder: SPOOL/STAGE/stage/KEY for a
 * page or ingest item (the file system of art/ and the queues), OUTPUT/
 * DIR/.inkpipe-F for an output item (the file system of its files). Then
 * it checks its claim (queue_claim_held) and only then renames (links,
 * for an item) the staged file into place. Every holder empties and
 * removes the staging folder as its stage starts (spool_stage_run; again
 * in staging_make). A check followed by a rename is not atomic, but it
 * need not be: the stopped
 * holder staged its file either before the new holder's sweep (the file is
 * gone, its rename fails with ENOENT) or after it (then its check ran after
 * the takeover, which came before the sweep, and fails). In both cases the
 * stage returns SPOOL_LOST and publishes nothing more; whatever it renamed
 * before the sweep is replaced by the new holder's later publish. As the
 * sweep comes first, even a new holder that then fails the item leaves
 * nothing of the stopped one to publish. The claim name is the fencing
 * token (queue_claim_held). A stopped holder's
 * own sweep can remove a new holder's staged files in turn; the new holder
 * then sees ENOENT while it still holds the claim and the item is simply
 * run again (SPOOL_LOST too; the worker gives it back): at the rename, or
 * earlier, at the fsync or while writing (staging_swept: its staging
 * folder is gone).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "output/output.h"
#include "common/fsutil.h"
#include "chain/chain.h"
#include "input/page.h"
#include "pipeline/spool.h"
#include "segment/segment.h"

#define MAX_PAGES 100000

/* Fields every page item carries. */
typedef struct {
    char *src, *rel, *file;
    char *jobrel;           /* src from the job file's folder (a relative
                             * src; NULL for an absolute one, or an item
                             * from before stop 38) */
    char *path;             /* where this worker reads the input: jobrel
                             * from its own job file's folder, else src */
    int page, pages, dpi;
    int scale;              /* the binarised page is this many times the
                             * source (small writing; chain_binarize) */
    float skew;             /* the rotation that deskewed the binarised
                             * page, degrees (0 = none; chain_binarize) */
    int has_skew;           /* skew= was in the item (binarize writes it,
                             * 0 too, since stop 37) */
    unsigned long long ifd; /* TIFF directory offset of the page; 0 = none */
    char *sig;              /* "SIZE.MTIME" of src when ifd was taken */
} ItemInfo;

static void info_free(ItemInfo *ii)
{
    free(ii->src);
    free(ii->jobrel);
    free(ii->path);
    free(ii->rel);
    free(ii->file);
    free(ii->sig);
}

static int get_int(const char *text, const char *field, int *pv, int dflt)
{
    char *s = queue_text_get(text, field);
    if (!s) {
        *pv = dflt;
        return dflt < 0 ? -1 : 0;
    }
    char *end;
    long v = strtol(s, &end, 10);
    int bad = *end || end == s || v < 0 || v > MAX_PAGES * 100L;
    free(s);
    if (bad)
        return -1;
    *pv = (int)v;
    return 0;
}

/* The item's skew= (degrees; 0 when there is none) into *pv, and
 * whether it has one into *phas. 0, or -1 when it is not a number under
 * 45 degrees. */
static int get_skew(const char *text, float *pv, int *phas)
{
    char *s = queue_text_get(text, "skew");
    *pv = 0.0f;
    *phas = s != NULL;
    if (!s)
        return 0;
    char *end;
    float v = strtof(s, &end);
    int bad = *end || end == s || !(v > -45.0f && v < 45.0f);
    free(s);
    if (bad)
        return -1;
    *pv = v;
    return 0;
}

/* The fields of item it into *ii; job is the worker's job, whose folder
 * a relative input is read from. 0, or -1 (message set; nothing to
 * free). */
static int info_parse(const Job *job, const QueueItem *it, ItemInfo *ii,
                      int need_page)
{
    memset(ii, 0, sizeof *ii);
    ii->src = queue_text_get(it->text, "src");
    ii->jobrel = queue_text_get(it->text, "jobrel");
    if (ii->jobrel)
        ii->path = job_path(job, ii->jobrel);
    else if (ii->src)
        ii->path = strdup(ii->src);
    ii->rel = queue_text_get(it->text, "rel");
    ii->file = queue_text_get(it->text, "file");
    ii->sig = queue_text_get(it->text, "sig");
    char *ifd = queue_text_get(it->text, "ifd");
    if (ifd) {
        char *end;
        errno = 0;
        ii->ifd = strtoull(ifd, &end, 10);
        if (errno || *end || end == ifd || ifd[0] == '-')
            ii->ifd = 0; /* unusable: the page is found by its number */
        free(ifd);
    }
    if (!ii->src || !ii->path || !ii->rel || !ii->file ||
        !queue_key_valid(ii->file) ||
        get_int(it->text, "pages", &ii->pages, need_page ? -1 : 0) < 0 ||
        get_int(it->text, "page", &ii->page, need_page ? -1 : 0) < 0 ||
        get_int(it->text, "dpi", &ii->dpi, 0) < 0 ||
        get_int(it->text, "scale", &ii->scale, 1) < 0 || ii->scale < 1 ||
        ii->scale > 8 || get_skew(it->text, &ii->skew, &ii->has_skew) < 0 ||
        (need_page && (ii->page >= ii->pages || ii->pages > MAX_PAGES))) {
        info_free(ii);
        return err_set("bad queue item %s (fields missing or invalid)",
                       it->key);
    }
    return 0;
}


/* "SIZE.MTIME_NS" of path into buf, to tell later whether it changed;
 * "" when it cannot be read. */
static void file_sig(const char *path, char *buf, size_t size)
{
    struct stat st;
    if (stat(path, &st) < 0)
        buf[0] = '\0';
    else
        snprintf(buf, size, "%lld.%lld.%09ld", (long long)st.st_size,
                 (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
}

/* art/ names of a page's artifacts. */
static void art_name(char *buf, size_t size, const char *file, int page,
                     const char *ext)
{
    snprintf(buf, size, "%s-p%04d.%s", file, page, ext);
}

/* art/ name and full path of a page's artifact. */
static void art_path(const Spool *sp, const char *file, int page,
                     const char *ext, char *name, size_t name_size,
                     char *path, size_t path_size)
{
    art_name(name, name_size, file, page, ext);
    snprintf(path, path_size, "%s/%s", spool__art_dir(sp), name);
}

/* ---- staging: publishing fenced by the claim (see the top) ----------- */

/* Test aid (spool_set_stage_hook): called when a stage has staged its
 * result, just before it checks its claim and publishes. */
static SpoolStageHook stage_hook;

/**
 * Install a test hook called when a stage is about to publish: its result
 * is staged, its claim not yet checked (worker.c: INKPIPE_FAULT=...,
 * at=publish, to stop or kill a stage process at that moment).
 *
 * @param[in] hook  [optional] the hook; NULL = none
 */
void spool_set_stage_hook(SpoolStageHook hook)
{
    stage_hook = hook;
}

typedef struct {
    Queue *q;             /* the item's queue */
    const QueueItem *it;  /* the claimed item; it->claim NULL = unfenced */
    SpoolStage st;
    int parent;           /* folder holding the staging folder (not owned) */
    char name[64];        /* the staging folder's name in parent */
    char path[4400];      /* its path ("" for output items) */
    int fd;               /* the staging folder once made, else -1 */
    int hooked;           /* stage_hook called */
} Staging;

/* 1 if name was made by process pid: every name staged is a temp name of
 * fs_create_temp_at (".NAME.tmp.PID.SEQ") or, for output files, starts
 * with "out.tmp.PID." (see stage_output). */
static int staged_by(const char *name, long pid)
{
    char tag[48];
    snprintf(tag, sizeof tag, ".tmp.%ld.", pid);
    return strstr(name, tag) != NULL;
}

/* Remove the entries of folder fd (all, or those staged by pid if pid >
 * 0). Returns the number of entries left behind. */
static int staging_clear(int fd, long pid)
{
    int dup_fd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
    if (!d) {
        if (dup_fd >= 0)
            close(dup_fd);
        return 1;
    }
    int left = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if ((pid > 0 && !staged_by(de->d_name, pid)) ||
            (unlinkat(fd, de->d_name, 0) < 0 && errno != ENOENT))
            left++;
    }
    closedir(d);
    return left;
}

/* Empty parent/name of everything staged there and remove it (all, or
 * only what pid staged if pid > 0). 0, or -1 when it is not a real folder
 * (a planted symlink or file is refused, never followed). */
static int staging_sweep(int parent, const char *name, long pid)
{
    /* a few rounds: a stopped holder that resumes may stage again between
     * the clear and the rmdir (its check then fails: it cleans up) */
    for (int round = 0; round < 3; round++) {
        int fd = openat(parent, name,
                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT)
                return 0;
            if (errno == ELOOP || errno == ENOTDIR)
                return err_set("refusing staging folder %s: not a real "
                               "folder (symlink?)",
                               name);
            return err_set_errno("open staging folder %s", name);
        }
        int left = staging_clear(fd, pid);
        close(fd);
        if (unlinkat(parent, name, AT_REMOVEDIR) == 0 || errno == ENOENT ||
            left > 0)
            return 0;
        if (errno != ENOTEMPTY && errno != EEXIST && errno != EBUSY)
            return err_set_errno("remove staging folder %s", name);
    }
    return 0;
}

static void staging_init(Staging *sg, Spool *sp, SpoolStage st,
                         const QueueItem *it)
{
    memset(sg, 0, sizeof *sg);
    sg->q = spool_get_queue(sp, st);
    sg->it = it;
    sg->st = st;
    sg->parent = -1;
    sg->fd = -1;
}

/* Where a page or ingest item stages: STAGE/stage/KEY. */
static void staging_at_queue(Staging *sg)
{
    sg->parent = queue_get_stage_fd(sg->q);
    snprintf(sg->name, sizeof sg->name, "%s", sg->it->key);
    snprintf(sg->path, sizeof sg->path, "%s/stage/%s",
             queue_get_dir(sg->q), sg->it->key);
}

/* Make the staging folder, emptied of what earlier holders of the item
 * staged (the sweep that fences them). 0 or -1. */
static int staging_make(Staging *sg)
{
    if (sg->fd >= 0)
        return 0;
    if (staging_sweep(sg->parent, sg->name, 0) < 0)
        return -1;
    if (mkdirat(sg->parent, sg->name, 0777) < 0 && errno != EEXIST)
        return err_set_errno("create staging folder %s", sg->name);
    sg->fd = openat(sg->parent, sg->name,
                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sg->fd < 0)
        return err_set_errno("open staging folder %s", sg->name);
    return 0;
}

/* Done with the staging folder: what this process left there (after a
 * failure) is removed, then the folder if it is empty. */
static void staging_end(Staging *sg, int failed)
{
    if (sg->fd < 0)
        return;
    if (failed)
        staging_clear(sg->fd, (long)getpid());
    close(sg->fd);
    sg->fd = -1;
    unlinkat(sg->parent, sg->name, AT_REMOVEDIR);
}

/* Did a holder stopped past its lease sweep this holder's staging folder
 * while it wrote into it (the folder it made is gone: its writes, or the
 * fsync before publishing, then fail with ENOENT)? Only a claimed item
 * can be swept; errno is kept. */
static int staging_swept(const Staging *sg)
{
    struct stat stt;
    int e = errno;
    int gone = sg->it->claim && sg->fd >= 0 && fstat(sg->fd, &stt) == 0 &&
               stt.st_nlink == 0;
    errno = e;
    return gone;
}

/* The result is staged: call the test hook once. */
static void staging_ready(Staging *sg)
{
    if (stage_hook && !sg->hooked)
        stage_hook(sg->st, sg->it->key);
    sg->hooked = 1;
}

/* Check that the claim is still held: 0, SPOOL_LOST or -1. */
static int staging_check(Staging *sg)
{
    staging_ready(sg);
    if (!sg->it->claim)
        return 0;
    int held = queue_claim_held(sg->q, sg->it);
    return held > 0 ? 0 : held == 0 ? SPOOL_LOST : -1;
}

/* A fresh temp file in the staging folder for a library that writes by
 * path: its path goes to path, its name (for art_publish) to tmp. */
static int staging_temp(Staging *sg, const char *name, char *tmp, char *path,
                        size_t size)
{
    if (staging_make(sg) < 0)
        return -1;
    int fd = fs_create_temp_at(sg->fd, name, tmp);
    if (fd < 0)
        return -1;
    close(fd);
    snprintf(path, size, "%s/%s", sg->path, tmp);
    return 0;
}

/* Rename staged file tmp to dst_fd/name, after checking the claim (when
 * check). 0, SPOOL_LOST (the claim was taken over, or a stopped holder
 * swept the file: nothing published) or -1. */
static int staging_rename(Staging *sg, const char *tmp, int dst_fd,
                          const char *name, int check)
{
    int rc = check ? staging_check(sg) : 0;
    if (rc < 0)
        return rc;
    if (renameat(sg->fd, tmp, dst_fd, name) == 0)
        return 0;
    if (errno == ENOENT && sg->it->claim) {
        err_set("%s %s: %s was not published: the claim was taken over by "
                "another worker, which swept what this one staged",
                spool_stage_names[sg->st], sg->it->key, name);
        return SPOOL_LOST;
    }
    return err_set_errno("rename %s", name);
}

/* fsync the staged temp file tmp, then publish it as art/NAME. */
static int art_publish(Spool *sp, Staging *sg, const char *tmp,
                       const char *name)
{
    if (fs_sync_enabled()) {
        int fd = openat(sg->fd, tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fsync(fd) < 0) {
            int rc = err_set_errno("fsync %s", tmp);
            if (fd >= 0)
                close(fd);
            unlinkat(sg->fd, tmp, 0);
            return rc;
        }
        close(fd);
    }
    int rc = staging_rename(sg, tmp, spool__art_fd(sp), name, 1);
    if (rc < 0)
        unlinkat(sg->fd, tmp, 0);
    return rc;
}

/* Enqueue an item of stage st on behalf of the staged item (fenced by its
 * claim; sg NULL = unfenced, for a worker settling a failed page). 0,
 * SPOOL_LOST or -1. */
static int enqueue_next(Spool *sp, Staging *sg, SpoolStage st,
                        const char *key, const char *text)
{
    Queue *q = spool_get_queue(sp, st);
    if (!sg || !sg->it->claim)
        return queue_enqueue(q, key, text) < 0 ? -1 : 0;
    staging_ready(sg);
    if (staging_make(sg) < 0)
        return -1;
    int rc = queue_enqueue_fenced(q, key, text, sg->q, sg->it, sg->fd);
    return rc == QUEUE_LOST ? SPOOL_LOST : rc < 0 ? -1 : 0;
}

/* The text of a queue item ("field=value" lines) formatted into a buffer
 * of its own size, so that no path is ever cut (caller frees); NULL with
 * the reason naming the item's key. */
static char *item_text(const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!text) {
        err_set("queue item %s: cannot format its text", key);
        return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return text;
}

static int enqueue_page(Spool *sp, Staging *sg, SpoolStage st,
                        const ItemInfo *ii)
{
    char key[64];
    snprintf(key, sizeof key, "%s-p%04d", ii->file, ii->page);
    char ifd[160] = "", scale[32] = "", skew[48] = "";
    if (ii->ifd && ii->sig && strlen(ii->sig) < 96)
        snprintf(ifd, sizeof ifd, "ifd=%llu\nsig=%s\n", ii->ifd, ii->sig);
    if (ii->scale > 1)
        snprintf(scale, sizeof scale, "scale=%d\n", ii->scale);
    if (ii->has_skew) /* %.9g: the same float back */
        snprintf(skew, sizeof skew, "skew=%.9g\n", (double)ii->skew);
    char *text = item_text(key,
                           "src=%s\n%s%s%srel=%s\nfile=%s\npage=%d\n"
                           "pages=%d\ndpi=%d\n%s%s%s",
                           ii->src, SPOOL__JOBREL(ii->jobrel), ii->rel,
                           ii->file, ii->page, ii->pages, ii->dpi, ifd, scale,
                           skew);
    if (!text)
        return -1;
    int rc = enqueue_next(sp, sg, st, key, text);
    free(text);
    return rc;
}

/**
 * Remove what a stage process staged for item before it died (the worker
 * that saw it die knows its pid), or everything staged for the item when
 * all is set (the caller holds the item's claim).
 *
 * @param[in] sp    spool
 * @param[in] st    the item's stage
 * @param[in] item  the item
 * @param[in] pid   the dead stage process
 * @param[in] all   1 = every staged file of the item, not only pid's
 * @return 0 or -1
 */
int spool_stage_sweep(Spool *sp, SpoolStage st, const QueueItem *item,
                      long pid, int all)
{
    if ((int)st < 0 || st >= STAGE_N)
        return err_set("%s: unknown stage %d", item->key, (int)st);
    Staging sg;
    staging_init(&sg, sp, st, item);
    if (st != STAGE_OUTPUT) {
        staging_at_queue(&sg);
        return staging_sweep(sg.parent, sg.name, all ? 0 : pid);
    }
    char *rel = queue_text_get(item->text, "rel");
    if (!rel)
        return 0;
    char *slash = strrchr(rel, '/');
    if (slash)
        *slash = '\0';
    int dfd = slash ? fs_open_subdir(spool__out_fd(sp), rel, 0)
                    : openat(spool__out_fd(sp), ".",
                             O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(rel);
    if (dfd < 0)
        return 0; /* no folder, nothing staged */
    char name[64];
    snprintf(name, sizeof name, ".inkpipe-%s", item->key);
    int rc = staging_sweep(dfd, name, all ? 0 : pid);
    close(dfd);
    return rc;
}

/* Is the item's input there? An item from before stop 38 has no jobrel=,
 * and its input, named relative to the folder that `submit` or `run` was
 * started in (the job file named relative to it), is not found by a
 * worker started in another folder: say so, with the way out. 0, or -1
 * with the message. */
static int src_found(const ItemInfo *ii)
{
    if (ii->jobrel || ii->src[0] == '/' || access(ii->src, F_OK) == 0 ||
        errno != ENOENT)
        return 0;
    return err_set("%s: No such file or directory (an input path relative "
                   "to the folder the job was submitted from: start the "
                   "workers there, or name the job file by its full path)",
                   ii->src);
}

static int stage_ingest(Spool *sp, Staging *sg, const QueueItem *it)
{
    const Job *job = spool_get_job(sp);
    ItemInfo ii;
    if (info_parse(job, it, &ii, 0) < 0)
        return -1;
    /* a file name no output can carry (control characters, too long):
     * spool_submit escaped it and said why */
    char *refuse = queue_text_get(it->text, "refuse");
    if (refuse) {
        err_set("%s", refuse);
        free(refuse);
        info_free(&ii);
        return -1;
    }
    if (src_found(&ii) < 0) {
        info_free(&ii);
        return -1;
    }
    int n;
    uint64_t *ifd = NULL;
    char sig[96];
    file_sig(ii.path, sig, sizeof sig);
    int rc = page_list(ii.path, job->max_pages < MAX_PAGES ? job->max_pages
                                                          : MAX_PAGES,
                       &ifd, &n);
    ii.pages = n;
    if (ifd && sig[0] && !(ii.sig = strdup(sig)))
        rc = err_set("out of memory");
    for (int p = 0; rc == 0 && p < n; p++) {
        ii.page = p;
        ii.ifd = ifd ? ifd[p] : 0;
        rc = enqueue_page(sp, sg, STAGE_BINARIZE, &ii);
    }
    free(ifd);
    info_free(&ii);
    return rc;
}

static int stage_binarize(Spool *sp, Staging *sg, const QueueItem *it)
{
    const Job *job = spool_get_job(sp);
    ItemInfo ii;
    if (info_parse(job, it, &ii, 1) < 0)
        return -1;
    int rc = -1;
    PIX *pixb = NULL;
    /* the page's directory offset, unless the file changed since ingest */
    char sig[96];
    if (ii.ifd) {
        file_sig(ii.path, sig, sizeof sig);
        if (!ii.sig || strcmp(sig, ii.sig))
            ii.ifd = 0;
    }
    spool__bin_keep(sp, NULL, NULL, NULL); /* not kept beside this page */
    if (src_found(&ii) < 0)
        goto done;
    PIX *pix = chain_read_at(&job->chain, ii.path, ii.page, ii.ifd, &ii.dpi);
    if (!pix)
        goto done;
    pixb = chain_binarize(&job->chain, pix, ii.dpi, ii.src, ii.page,
                          &ii.scale, &ii.skew);
    ii.has_skew = 1;
    pixDestroy(&pix);
    if (!pixb)
        goto done;
    char name[128], tmp[256], path[4800];
    art_name(name, sizeof name, ii.file, ii.page, "tif");
    if (staging_temp(sg, name, tmp, path, sizeof path) < 0)
        goto done;
    struct stat st;
    if (page_g4_write(pixb, path) < 0 || stat(path, &st) < 0) {
        unlinkat(sg->fd, tmp, 0);
        err_set_errno("%s page %d: cannot write %s", ii.src, ii.page + 1, path);
        goto done;
    }
    staging_ready(sg);
    if ((rc = art_publish(sp, sg, tmp, name)) < 0)
        goto done;
    spool__bin_keep(sp, name, pixb, &st);
    rc = enqueue_page(sp, sg, STAGE_SEGMENT, &ii);
done:
    pixDestroy(&pixb);
    info_free(&ii);
    return rc;
}

static int stage_segment(Spool *sp, Staging *sg, const QueueItem *it,
                         RecNet *net)
{
    const Job *job = spool_get_job(sp);
    ItemInfo ii;
    if (info_parse(job, it, &ii, 1) < 0)
        return -1;
    int rc = -1;
    SegPage *page = NULL;
    char name[128], tmp[256], path[4800];
    art_path(sp, ii.file, ii.page, "tif", name, sizeof name, path, sizeof path);
    PIX *pixb = spool__bin_get(sp, name);
    if (!pixb)
        pixb = pixReadTiff(path, 0);
    if (!pixb || pixGetDepth(pixb) != 1) {
        pixDestroy(&pixb);
        err_set("%s page %d: cannot read the binarised page %s", ii.src,
                ii.page + 1, path);
        goto done;
    }
    /* with a model, candidate cuts of touching glyphs are scored by it */
    page = chain_segment(&job->chain, pixb, chain_dpi(ii.dpi, ii.scale), net,
                         ii.src, ii.page);
    pixDestroy(&pixb);
    if (!page)
        goto done;
    art_name(name, sizeof name, ii.file, ii.page, "seg");
    if (staging_temp(sg, name, tmp, path, sizeof path) < 0)
        goto done;
    if (seg_page_save(page, path) < 0) {
        unlinkat(sg->fd, tmp, 0);
        err_prefix("%s page %d", ii.src, ii.page + 1);
        goto done;
    }
    staging_ready(sg);
    if ((rc = art_publish(sp, sg, tmp, name)) < 0)
        goto done;
    rc = enqueue_page(sp, sg, STAGE_RECOGNIZE, &ii);
done:
    seg_page_destroy(&page);
    info_free(&ii);
    return rc;
}

/* 1 when page p of the file failed in binarize, segment or recognize. */
static int page_failed(Spool *sp, const char *file, int p)
{
    char key[64];
    snprintf(key, sizeof key, "%s-p%04d", file, p);
    for (int s = STAGE_BINARIZE; s <= STAGE_RECOGNIZE; s++)
        if (queue_has_key(spool_get_queue(sp, (SpoolStage)s), QUEUE_FAILED,
                          key) == 1)
            return 1;
    return 0;
}

/* 1 when art/NAME is a regular file. */
static int art_exists(Spool *sp, const char *name)
{
    struct stat st;
    return fstatat(spool__art_fd(sp), name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
           S_ISREG(st.st_mode);
}

/* Every page of the file settled (recognised or failed), and at least one
 * recognised: enqueue the file's output item (idempotent; fenced by sg's
 * claim unless sg is NULL). 0, SPOOL_LOST or -1. */
static int file_settle(Spool *sp, Staging *sg, const ItemInfo *ii)
{
    int good = 0;
    /* from the page after this one, wrapping round: pages are mostly
     * finished in order, so the next one is usually the missing one and
     * the look costs O(1) a page, not O(pages) (quadratic in a long TIFF) */
    for (int i = 1; i <= ii->pages; i++) {
        int p = (ii->page + i) % ii->pages;
        char name[128];
        art_name(name, sizeof name, ii->file, p, "rec");
        if (art_exists(sp, name))
            good++;
        else if (!page_failed(sp, ii->file, p))
            return 0;
    }
    if (!good) /* nothing to keep: no output file (an older version's
                 * output, of an input that changed since, goes) */
        return out_files_remove(spool__out_fd(sp), ii->rel, NULL);
    char *text = item_text(ii->file,
                           "src=%s\n%s%s%srel=%s\nfile=%s\npages=%d\n",
                           ii->src, SPOOL__JOBREL(ii->jobrel), ii->rel,
                           ii->file, ii->pages);
    if (!text)
        return -1;
    int rc = enqueue_next(sp, sg, STAGE_OUTPUT, ii->file, text);
    free(text);
    return rc;
}

/**
 * After a page item failed: if that settles its file (every other page
 * recognised or failed), enqueue the file's output item; a file none of
 * whose pages went through (or that failed at ingest) has its outputs
 * removed, left by an earlier version of the input.
 *
 * @param[in] sp    spool
 * @param[in] st    the stage the item failed in
 * @param[in] item  the failed item (already in failed/)
 * @return 0 (also when st is not a page stage), or -1 with the reason
 *
 * Notes:
 *   (1) Race-free with the recognize of the file's last page: each side
 *       publishes its state (.rec, failed/) before looking at the others,
 *       so at least one of them sees the file settled.
 */
int spool_page_failed(Spool *sp, SpoolStage st, const QueueItem *item)
{
    if (st == STAGE_INGEST) {
        /* a file that cannot be read has no output: what an older version
         * of it (changed since) had written goes */
        char *rel = queue_text_get(item->text, "rel");
        char *refuse = queue_text_get(item->text, "refuse");
        int rc = rel && !refuse
                     ? out_files_remove(spool__out_fd(sp), rel, NULL)
                     : 0;
        free(rel);
        free(refuse);
        return rc;
    }
    if (st < STAGE_BINARIZE || st > STAGE_RECOGNIZE)
        return 0;
    ItemInfo ii;
    if (info_parse(spool_get_job(sp), item, &ii, 1) < 0)
        return -1;
    int rc = file_settle(sp, NULL, &ii);
    info_free(&ii);
    return rc;
}

/* The skew of a page whose item has none (binarised by a version before
 * stop 37, which left out a skew of 0 and, before stop 36, every skew):
 * measured again on the source page as binarize measured it, so that its
 * boxes land on the scan. 0, or -1 (the source cannot be read). */
static int item_skew(const Job *job, ItemInfo *ii)
{
    if (ii->has_skew || !job->chain.binarize.deskew)
        return 0;
    int dpi = ii->dpi, scale = 1;
    PIX *pix = chain_read_at(&job->chain, ii->path, ii->page, 0, &dpi);
    PIX *pixb = pix ? chain_binarize(&job->chain, pix, dpi, ii->src,
                                     ii->page, &scale, &ii->skew)
                    : NULL;
    pixDestroy(&pix);
    if (!pixb)
        return -1;
    pixDestroy(&pixb);
    ii->has_skew = 1;
    return 0;
}

static int stage_recognize(Spool *sp, Staging *sg, const QueueItem *it,
                           RecNet *net)
{
    const Job *job = spool_get_job(sp);
    ItemInfo ii;
    if (info_parse(job, it, &ii, 1) < 0)
        return -1;
    int rc = -1;
    OutPage *op = NULL;
    char name[128], tmp[256], path[4800];
    art_path(sp, ii.file, ii.page, "seg", name, sizeof name, path, sizeof path);
    SegPage *page = seg_page_load(path);
    if (!page) {
        err_prefix("%s page %d", ii.src, ii.page + 1);
        goto done;
    }
    int dpi = chain_dpi(ii.dpi, ii.scale); /* of the binarised page */
    op = chain_recognize(&job->chain, page, net, ii.src, ii.page, dpi);
    if (!op)
        goto done;
    if (job->form || (job->formats & OUT_FORMAT_JSON)) {
        /* the fields are cut from the binarised page of this page: against
         * the template, or found on the page when there is none */
        art_path(sp, ii.file, ii.page, "tif", name, sizeof name, path,
                 sizeof path);
        PIX *pixb = spool__bin_get(sp, name);
        if (!pixb)
            pixb = pixReadTiff(path, 0);
        if (!pixb || pixGetDepth(pixb) != 1) {
            pixDestroy(&pixb);
            err_set("%s page %d: cannot read the binarised page %s", ii.src,
                    ii.page + 1, path);
            goto done;
        }
        int frc = job->form ? form_read_page(job->form, &job->forms,
                                             &job->chain, net, pixb, dpi, op)
                            : form_find_page(&job->forms, &job->chain, net,
                                             pixb, dpi, op);
        pixDestroy(&pixb);
        if (frc < 0)
            goto done;
    }
    /* the boxes in the source's pixels */
    if (item_skew(job, &ii) < 0 || chain_to_source(op, ii.skew, ii.scale) < 0)
        goto done;
    art_name(name, sizeof name, ii.file, ii.page, "rec");
    if (staging_temp(sg, name, tmp, path, sizeof path) < 0)
        goto done;
    if (out_page_save(op, path) < 0) {
        unlinkat(sg->fd, tmp, 0);
        err_prefix("%s page %d", ii.src, ii.page + 1);
        goto done;
    }
    staging_ready(sg);
    if ((rc = art_publish(sp, sg, tmp, name)) < 0)
        goto done;
    rc = file_settle(sp, sg, &ii);
done:
    seg_page_destroy(&page);
    out_page_destroy(&op);
    info_free(&ii);
    return rc;
}

/* How many times its source the binarised page p of file is (the
 * scale its failed segment or recognize item carries; 1 when none). */
static int failed_scale(Spool *sp, const char *file, int p)
{
    char key[64];
    snprintf(key, sizeof key, "%s-p%04d", file, p);
    for (int s = STAGE_SEGMENT; s <= STAGE_RECOGNIZE; s++) {
        char *text = NULL;
        if (queue_read_failed(spool_get_queue(sp, (SpoolStage)s), key,
                              &text) < 0) {
            err_clear();
            continue;
        }
        int scale = 1;
        if (get_int(text, "scale", &scale, 1) < 0 || scale < 1)
            scale = 1;
        free(text);
        return scale;
    }
    return 1;
}

/* The empty page written for page p, which failed: its size is the
 * source's as the binarised page gives it when binarize got that far,
 * else 0 x 0. */
static OutPage *failed_page(Spool *sp, const ItemInfo *ii, int p)
{
    char name[128], path[4400];
    int w = 0, h = 0;
    art_path(sp, ii->file, p, "tif", name, sizeof name, path, sizeof path);
    if (art_exists(sp, name)) {
        l_int32 format, bps, spp, iscmap, pw, ph;
        if (pixReadHeader(path, &format, &pw, &ph, &bps, &spp, &iscmap) == 0) {
            int scale = failed_scale(sp, ii->file, p);
            w = (pw + scale - 1) / scale;
            h = (ph + scale - 1) / scale;
        }
    }
    return out_page_create(ii->src, p, w, h, 0, 0, 0, 0);
}

/* The page's image path as the output files name it: src seen from the
 * folder of OUT/rel (normalised; hOCR and ALTO viewers open it from
 * there), or with output.image_paths: absolute, src absolute and
 * normalised. 0, or -1 (message set). */
static int set_image_path(OutPage *page, const Job *job, const char *rel,
                          const char *src)
{
    const char *out_dir = job->output_dir;
    if (job->image_paths_absolute) {
        char *img = fs_path_normalise(src);
        if (!img)
            return err_prefix("%s: image path", src);
        free(page->image);
        page->image = img;
        return 0;
    }
    const char *slash = strrchr(rel, '/');
    size_t n = strlen(out_dir) + strlen(rel) + 2;
    char *dir = malloc(n);
    if (!dir)
        return err_set("out of memory");
    snprintf(dir, n, "%s/%.*s", out_dir, slash ? (int)(slash - rel) : 0, rel);
    char *img = fs_path_relative(src, dir);
    free(dir);
    if (!img)
        return err_prefix("%s: image path", src);
    free(page->image);
    page->image = img;
    return 0;
}

/* Publish the output files of one input: written by out_files_write into
 * the staging folder DIR/.inkpipe-F as out.tmp.PID.SEQ.EXT, then (claim
 * checked) each renamed to DIR/BASE.EXT; src is the input file (formats
 * that embed page images read it). 0, SPOOL_LOST or -1. */
static int output_publish(Spool *sp, Staging *sg, const char *rel,
                          const char *src, const OutPage *const *pages, int n)
{
    static unsigned seq;
    const char *slash = strrchr(rel, '/');
    const char *base = slash ? slash + 1 : rel;
    char dir[4096], token[64];
    size_t dlen = slash ? (size_t)(slash - rel) : 0;
    if (dlen >= sizeof dir || out_files_check_name(rel) < 0)
        return err_prefix("bad output name '%s'", rel);
    memcpy(dir, rel, dlen);
    dir[dlen] = '\0';
    int dfd = fs_open_subdir(spool__out_fd(sp), dir, 1);
    if (dfd < 0)
        return err_prefix("output %s", rel);
    sg->parent = dfd;
    snprintf(sg->name, sizeof sg->name, ".inkpipe-%s", sg->it->key);
    snprintf(token, sizeof token, "out.tmp.%ld.%u", (long)getpid(), seq++);
    int rc = staging_make(sg);
    ChainImageSource is = {&spool_get_job(sp)->chain, src};
    OutImageSource images = {chain_page_image, &is};
    if (rc == 0)
        rc = out_files_write_images(sg->fd, token, pages, n,
                                    spool_get_job(sp)->formats, &images);
    if (rc == 0)
        rc = staging_check(sg);
    /* the files staged under token, one per format: token.EXT -> BASE.EXT */
    int lfd = rc == 0 ? openat(sg->fd, ".", O_RDONLY | O_DIRECTORY |
                                                 O_CLOEXEC)
                      : -1;
    DIR *d = lfd >= 0 ? fdopendir(lfd) : NULL;
    if (rc == 0 && !d)
        rc = err_set_errno("list staging folder %s", sg->name);
    size_t tl = strlen(token);
    struct dirent *de;
    while (rc == 0 && (de = readdir(d))) {
        char from[256], to[300];
        if (strncmp(de->d_name, token, tl) || de->d_name[tl] != '.')
            continue;
        snprintf(from, sizeof from, "%s", de->d_name);
        snprintf(to, sizeof to, "%s.%s", base, de->d_name + tl + 1);
        rc = staging_rename(sg, from, dfd, to, 0);
    }
    if (d)
        closedir(d);
    else if (lfd >= 0)
        close(lfd);
    if (rc == -1)
        err_prefix("output %s", rel);
    staging_end(sg, rc != 0);
    close(dfd);
    return rc;
}

static int stage_output(Spool *sp, Staging *sg, const QueueItem *it)
{
    ItemInfo ii;
    if (info_parse(spool_get_job(sp), it, &ii, 0) < 0)
        return -1;
    if (ii.pages < 1 || ii.pages > MAX_PAGES) {
        info_free(&ii);
        return err_set("bad queue item %s (pages)", it->key);
    }
    int rc = -1;
    OutPage **pages = calloc((size_t)ii.pages, sizeof *pages);
    if (!pages) {
        err_set("out of memory");
        goto done;
    }
    for (int p = 0; p < ii.pages; p++) {
        char name[128], path[4400];
        art_path(sp, ii.file, p, "rec", name, sizeof name, path, sizeof path);
        if (art_exists(sp, name))
            pages[p] = out_page_load(path);
        else if (page_failed(sp, ii.file, p))
            pages[p] = failed_page(sp, &ii, p);
        else {
            err_set("%s page %d is neither recognised nor failed (retried "
                    "while this output was queued?): run `inkpipe retry`, "
                    "then the job again",
                    ii.src, p + 1);
            goto done;
        }
        if (!pages[p]) {
            err_prefix("%s page %d", ii.src, p + 1);
            goto done;
        }
        if (set_image_path(pages[p], spool_get_job(sp), ii.rel, ii.path) < 0)
            goto done;
    }
    rc = output_publish(sp, sg, ii.rel, ii.path, (const OutPage *const *)pages,
                        ii.pages);
done:
    for (int p = 0; pages && p < ii.pages; p++)
        out_page_destroy(&pages[p]);
    free(pages);
    info_free(&ii);
    return rc;
}

/**
 * Enqueue the output item of every file that failed pages have settled
 * (for a worker killed between failing a page and looking at its file).
 *
 * @param[in] sp  spool
 * @return 0 or -1
 */
int spool_settle_failed(Spool *sp)
{
    int rc = 0;
    for (int s = STAGE_BINARIZE; s <= STAGE_RECOGNIZE; s++) {
        QueueEntry *e;
        int n;
        if (queue_list(spool_get_queue(sp, (SpoolStage)s), QUEUE_FAILED, &e, &n) < 0)
            return -1;
        for (int i = 0; i < n; i++) {
            char *text = NULL;
            QueueItem it = {e[i].key, NULL, NULL};
            if (queue_read_failed(spool_get_queue(sp, (SpoolStage)s), e[i].key, &text) < 0) {
                rc = -1;
                continue;
            }
            it.text = text;
            if (spool_page_failed(sp, (SpoolStage)s, &it) < 0)
                rc = -1;
            free(text);
        }
        queue_entries_destroy(&e, n);
    }
    return rc;
}

/* A stage that ran out of memory under limits.page_memory_mb (the cap
 * on a stage process's address space) says which key to raise, as the
 * decoder does (page_read_at); its message already names the file, the
 * page and the step. */
static void oom_hint(const Job *job)
{
    const char *m = err_get();
    if (job->page_memory_mb > 0 && strstr(m, "out of memory") &&
        !strstr(m, "limits.page_memory_mb"))
        err_append("; raise limits.page_memory_mb (the memory a job's "
                   "stage may allocate, now %d MB)",
                   job->page_memory_mb);
}

/**
 * Run one claimed item through its stage.
 *
 * @param[in] sp    spool
 * @param[in] st    the item's stage
 * @param[in] item  the claimed item (item->claim NULL: not claimed from a
 *                  queue, e.g. a test; then nothing is fenced)
 * @param[in] net   [optional] classifier; required for STAGE_RECOGNIZE,
 *                  used by STAGE_SEGMENT to score cuts when given
 * @return 0; SPOOL_LOST when the claim was taken over before the stage
 *         could publish (nothing more was published; the caller must
 *         leave the item alone, or give it back if it still holds it);
 *         or -1 with the reason (file and page named) in err_get()
 *
 * Notes:
 *   (1) Idempotent: running the same item again (after a crash between the
 *       artifact and the claim's completion) rewrites the same artifact and
 *       enqueues nothing new.
 *   (2) Fenced by the claim: see the top of this file.
 */
int spool_stage_run(Spool *sp, SpoolStage st, const QueueItem *item,
                    RecNet *net)
{
    if ((int)st < 0 || st >= STAGE_N)
        return err_set("%s: unknown stage %d", item->key, (int)st);
    Staging sg;
    staging_init(&sg, sp, st, item);
    if (st != STAGE_OUTPUT)
        staging_at_queue(&sg);
    /* The sweep that fences earlier holders, before anything else: even a
     * holder that ends up publishing nothing (its stage fails) must leave
     * no earlier holder's staged file to be renamed into place later. */
    if (item->claim && spool_stage_sweep(sp, st, item, 0, 1) < 0)
        return -1;
    int rc;
    switch (st) {
    case STAGE_INGEST:
        rc = stage_ingest(sp, &sg, item);
        break;
    case STAGE_BINARIZE:
        rc = stage_binarize(sp, &sg, item);
        break;
    case STAGE_SEGMENT:
        rc = stage_segment(sp, &sg, item, net);
        break;
    case STAGE_RECOGNIZE:
        rc = net ? stage_recognize(sp, &sg, item, net)
                 : err_set("no model loaded");
        break;
    case STAGE_OUTPUT:
        rc = stage_output(sp, &sg, item);
        break;
    default: /* refused above */
        rc = err_set("%s: unknown stage %d", item->key, (int)st);
        break;
    }
    if (rc == -1)
        oom_hint(spool_get_job(sp));
    if (rc == -1 && staging_swept(&sg)) {
        err_set("%s %s: nothing was published: another holder of the "
                "claim (the one that took it over, or an earlier one stopped "
                "past its lease) swept what this worker staged",
                spool_stage_names[st], item->key);
        rc = SPOOL_LOST;
    }
    /* keep the message and errno of a failure across the clean-up */
    staging_end(&sg, rc != 0);
    return rc;
}
