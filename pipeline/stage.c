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
 *   binarize   page -> art/KEY.tif (1 bpp, G4, resolution kept)
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
 */
#include <errno.h>
#include <fcntl.h>
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
    int page, pages, dpi;
    unsigned long long ifd; /* TIFF directory offset of the page; 0 = none */
    char *sig;              /* "SIZE.MTIME" of src when ifd was taken */
} ItemInfo;

static void info_free(ItemInfo *ii)
{
    free(ii->src);
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

static int info_parse(const QueueItem *it, ItemInfo *ii, int need_page)
{
    memset(ii, 0, sizeof *ii);
    ii->src = queue_text_get(it->text, "src");
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
    if (!ii->src || !ii->rel || !ii->file || !queue_key_valid(ii->file) ||
        get_int(it->text, "pages", &ii->pages, need_page ? -1 : 0) < 0 ||
        get_int(it->text, "page", &ii->page, need_page ? -1 : 0) < 0 ||
        get_int(it->text, "dpi", &ii->dpi, 0) < 0 ||
        (need_page && (ii->page >= ii->pages || ii->pages > MAX_PAGES))) {
        info_free(ii);
        return err_set("bad queue item %s (fields missing or invalid)",
                       it->key);
    }
    return 0;
}

static int enqueue_page(Spool *sp, SpoolStage st, const ItemInfo *ii)
{
    char key[64], text[9000];
    snprintf(key, sizeof key, "%s-p%04d", ii->file, ii->page);
    int n = snprintf(text, sizeof text,
                     "src=%s\nrel=%s\nfile=%s\npage=%d\npages=%d\ndpi=%d\n",
                     ii->src, ii->rel, ii->file, ii->page, ii->pages, ii->dpi);
    if (ii->ifd && ii->sig && n > 0 && (size_t)n < sizeof text)
        snprintf(text + n, sizeof text - (size_t)n, "ifd=%llu\nsig=%s\n",
                 ii->ifd, ii->sig);
    return queue_enqueue(spool_get_queue(sp, st), key, text) < 0 ? -1 : 0;
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

/* Make a fresh temp file in art/ for a library that writes by path: the
 * path (for the library) goes to path, the name (for publish) to tmp. */
static int art_temp(Spool *sp, const char *name, char *tmp, char *path,
                    size_t size)
{
    int fd = fs_create_temp_at(spool__art_fd(sp), name, tmp);
    if (fd < 0)
        return -1;
    close(fd);
    snprintf(path, size, "%s/%s", spool__art_dir(sp), tmp);
    return 0;
}

/* fsync the temp file tmp and rename it to name (both in art/). */
static int art_publish(Spool *sp, const char *tmp, const char *name)
{
    int dfd = spool__art_fd(sp);
    if (fs_sync_enabled()) {
        int fd = openat(dfd, tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fsync(fd) < 0) {
            int rc = err_set_errno("fsync %s", tmp);
            if (fd >= 0)
                close(fd);
            unlinkat(dfd, tmp, 0);
            return rc;
        }
        close(fd);
    }
    if (renameat(dfd, tmp, dfd, name) < 0) {
        int rc = err_set_errno("rename %s", name);
        unlinkat(dfd, tmp, 0);
        return rc;
    }
    return 0;
}

static int stage_ingest(Spool *sp, const QueueItem *it)
{
    const Job *job = spool_get_job(sp);
    ItemInfo ii;
    if (info_parse(it, &ii, 0) < 0)
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
    int n;
    uint64_t *ifd = NULL;
    char sig[96];
    file_sig(ii.src, sig, sizeof sig);
    int rc = page_list(ii.src, job->max_pages < MAX_PAGES ? job->max_pages
                                                          : MAX_PAGES,
                       &ifd, &n);
    ii.pages = n;
    if (ifd && sig[0] && !(ii.sig = strdup(sig)))
        rc = err_set("out of memory");
    for (int p = 0; rc == 0 && p < n; p++) {
        ii.page = p;
        ii.ifd = ifd ? ifd[p] : 0;
        rc = enqueue_page(sp, STAGE_BINARIZE, &ii);
    }
    free(ifd);
    info_free(&ii);
    return rc;
}

static int stage_binarize(Spool *sp, const QueueItem *it)
{
    const Job *job = spool_get_job(sp);
    ItemInfo ii;
    if (info_parse(it, &ii, 1) < 0)
        return -1;
    int rc = -1;
    PIX *pixb = NULL;
    /* the page's directory offset, unless the file changed since ingest */
    char sig[96];
    if (ii.ifd) {
        file_sig(ii.src, sig, sizeof sig);
        if (!ii.sig || strcmp(sig, ii.sig))
            ii.ifd = 0;
    }
    PIX *pix = chain_read_at(&job->chain, ii.src, ii.page, ii.ifd, &ii.dpi);
    if (!pix)
        goto done;
    pixb = chain_binarize(&job->chain, pix, ii.dpi, ii.src, ii.page);
    pixDestroy(&pix);
    if (!pixb)
        goto done;
    char name[128], tmp[256], path[4400];
    art_name(name, sizeof name, ii.file, ii.page, "tif");
    if (art_temp(sp, name, tmp, path, sizeof path) < 0)
        goto done;
    if (pixWriteTiff(path, pixb, IFF_TIFF_G4, "w") != 0) {
        unlinkat(spool__art_fd(sp), tmp, 0);
        err_set_errno("%s page %d: cannot write %s", ii.src, ii.page + 1, path);
        goto done;
    }
    if (art_publish(sp, tmp, name) < 0)
        goto done;
    rc = enqueue_page(sp, STAGE_SEGMENT, &ii);
done:
    pixDestroy(&pixb);
    info_free(&ii);
    return rc;
}

static int stage_segment(Spool *sp, const QueueItem *it, RecNet *net)
{
    const Job *job = spool_get_job(sp);
    ItemInfo ii;
    if (info_parse(it, &ii, 1) < 0)
        return -1;
    int rc = -1;
    SegPage *page = NULL;
    char name[128], tmp[256], path[4400];
    art_path(sp, ii.file, ii.page, "tif", name, sizeof name, path, sizeof path);
    PIX *pixb = pixReadTiff(path, 0);
    if (!pixb || pixGetDepth(pixb) != 1) {
        pixDestroy(&pixb);
        err_set("%s page %d: cannot read the binarised page %s", ii.src,
                ii.page + 1, path);
        goto done;
    }
    /* with a model, candidate cuts of touching glyphs are scored by it */
    page = chain_segment(&job->chain, pixb, ii.dpi, net, ii.src, ii.page);
    pixDestroy(&pixb);
    if (!page)
        goto done;
    art_name(name, sizeof name, ii.file, ii.page, "seg");
    if (art_temp(sp, name, tmp, path, sizeof path) < 0)
        goto done;
    if (seg_page_save(page, path) < 0) {
        unlinkat(spool__art_fd(sp), tmp, 0);
        err_prefix("%s page %d", ii.src, ii.page + 1);
        goto done;
    }
    if (art_publish(sp, tmp, name) < 0)
        goto done;
    rc = enqueue_page(sp, STAGE_RECOGNIZE, &ii);
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
 * recognised: enqueue the file's output item (idempotent). */
static int file_settle(Spool *sp, const ItemInfo *ii)
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
    if (!good)
        return 0; /* nothing to keep: no output file */
    char text[9000];
    snprintf(text, sizeof text, "src=%s\nrel=%s\nfile=%s\npages=%d\n",
             ii->src, ii->rel, ii->file, ii->pages);
    return queue_enqueue(spool_get_queue(sp, STAGE_OUTPUT), ii->file, text) <
                   0
               ? -1
               : 0;
}

/**
 * After a page item failed: if that settles its file (every other page
 * recognised or failed), enqueue the file's output item.
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
    if (st < STAGE_BINARIZE || st > STAGE_RECOGNIZE)
        return 0;
    ItemInfo ii;
    if (info_parse(item, &ii, 1) < 0)
        return -1;
    int rc = file_settle(sp, &ii);
    info_free(&ii);
    return rc;
}

static int stage_recognize(Spool *sp, const QueueItem *it, RecNet *net)
{
    const Job *job = spool_get_job(sp);
    ItemInfo ii;
    if (info_parse(it, &ii, 1) < 0)
        return -1;
    int rc = -1;
    OutPage *op = NULL;
    char name[128], tmp[256], path[4400];
    art_path(sp, ii.file, ii.page, "seg", name, sizeof name, path, sizeof path);
    SegPage *page = seg_page_load(path);
    if (!page) {
        err_prefix("%s page %d", ii.src, ii.page + 1);
        goto done;
    }
    op = chain_recognize(&job->chain, page, net, ii.src, ii.page, ii.dpi);
    if (!op)
        goto done;
    art_name(name, sizeof name, ii.file, ii.page, "rec");
    if (art_temp(sp, name, tmp, path, sizeof path) < 0)
        goto done;
    if (out_page_save(op, path) < 0) {
        unlinkat(spool__art_fd(sp), tmp, 0);
        err_prefix("%s page %d", ii.src, ii.page + 1);
        goto done;
    }
    if (art_publish(sp, tmp, name) < 0)
        goto done;
    rc = file_settle(sp, &ii);
done:
    seg_page_destroy(&page);
    out_page_destroy(&op);
    info_free(&ii);
    return rc;
}

/* The empty page written for page p, which failed: its size is the
 * binarised page's when binarize got that far, else 0 x 0. */
static OutPage *failed_page(Spool *sp, const ItemInfo *ii, int p)
{
    char name[128], path[4400];
    int w = 0, h = 0;
    art_path(sp, ii->file, p, "tif", name, sizeof name, path, sizeof path);
    if (art_exists(sp, name)) {
        l_int32 format, bps, spp, iscmap, pw, ph;
        if (pixReadHeader(path, &format, &pw, &ph, &bps, &spp, &iscmap) == 0) {
            w = pw;
            h = ph;
        }
    }
    return out_page_create(ii->src, p, w, h, 0, 0, 0, 0);
}

static int stage_output(Spool *sp, const QueueItem *it)
{
    const Job *job = spool_get_job(sp);
    ItemInfo ii;
    if (info_parse(it, &ii, 0) < 0)
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
    }
    rc = out_files_write(spool__out_fd(sp), ii.rel,
                            (const OutPage *const *)pages, ii.pages,
                            job->formats);
done:
    for (int p = 0; pages && p < ii.pages; p++)
        out_page_destroy(&pages[p]);
    free(pages);
    info_free(&ii);
    return rc;
}

/**
 * Run one claimed item through its stage.
 *
 * @param[in] sp    spool
 * @param[in] st    the item's stage
 * @param[in] item  the claimed item
 * @param[in] net   [optional] classifier; required for STAGE_RECOGNIZE,
 *                  used by STAGE_SEGMENT to score cuts when given
 * @return 0, or -1 with the reason (file and page named) in err_get()
 *
 * Notes:
 *   (1) Idempotent: running the same item again (after a crash between the
 *       artifact and the claim's completion) rewrites the same artifact and
 *       enqueues nothing new.
 */
int spool_stage_run(Spool *sp, SpoolStage st, const QueueItem *item,
                    RecNet *net)
{
    switch (st) {
    case STAGE_INGEST:
        return stage_ingest(sp, item);
    case STAGE_BINARIZE:
        return stage_binarize(sp, item);
    case STAGE_SEGMENT:
        return stage_segment(sp, item, net);
    case STAGE_RECOGNIZE:
        if (!net)
            return err_set("no model loaded");
        return stage_recognize(sp, item, net);
    case STAGE_OUTPUT:
        return stage_output(sp, item);
    case STAGE_N:
        break;
    }
    return err_set("unknown stage %d", (int)st);
}
