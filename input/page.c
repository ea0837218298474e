/*
 * page.c - read pages of image files (see page.h).
 *
 * Design: page_list / page_read_at read the header first (libtiff /
 * Leptonica readHeaderTiff / pixReadHeader) and check the limits before
 * any decoding, then decode with Leptonica (pixReadStreamTiff, the PNG fast
 * path of page_png.c, or pixRead); an alpha channel is then put over white
 * paper. Errors name the file and page ("scan.tif page 3: ...").
 *
 * Multi-page TIFF: libtiff finds page n by walking the directory chain
 * from the start (TIFFSetDirectory; in libtiff 4.5 TIFFSetSubDirectory
 * walks it too, to number the directory), so reading every page of an
 * n-page file that way costs O(n^2): 8,000 pages took 340 s. page_list
 * walks the chain once and returns each page's directory (IFD) offset;
 * page_read_at then opens the file through a stdio cookie that shows the
 * TIFF header with its first-IFD offset replaced by the page's, so the
 * page is "directory 0" and nothing is walked. Every byte after the
 * header is the file's own, so the PIX is the one pixReadTiff(path, n)
 * gives.
 */
#define _GNU_SOURCE /* fopencookie: the TIFF page view below */
#include "input/page.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <tiffio.h>
#include <unistd.h>

#include "common/err.h"
#include "common/fsutil.h"

/* ---- library messages ------------------------------------------------------
 * Leptonica, libtiff and libjpeg write warnings to stderr without a file
 * name. While a page is listed or read (msg_begin .. msg_end) they are
 * collected here, joined into one line: a failure adds them to its message,
 * a success hands them to the warning handler (page_set_warning_handler)
 * with file and page. Leptonica and libtiff through their hooks
 * (page_messages_init); libjpeg, which Leptonica leaves printing with
 * fprintf(stderr), by pointing stderr at a memory stream for the read. */
static char msg_text[1024];
static size_t msg_len;
static PageWarningFn msg_handler;
static FILE *msg_saved, *msg_stream;
static char *msg_mem;
static size_t msg_mem_len;
static int msg_hooked, msg_active;

static void msg_add(const char *s)
{
    while (*s) {
        size_t n = strcspn(s, "\n");
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\r'))
            n--;
        if (n > 0 && msg_len + n + 3 < sizeof msg_text) {
            if (msg_len > 0) {
                memcpy(msg_text + msg_len, "; ", 2);
                msg_len += 2;
            }
            memcpy(msg_text + msg_len, s, n);
            msg_len += n;
            msg_text[msg_len] = '\0';
        }
        s += n;
        s += strspn(s, "\r\n ");
    }
}

/* Leptonica's message: collected during a read; elsewhere (binarising,
 * writing) on stderr, where Leptonica would have put it. */
static void lept_message(const char *s)
{
    if (msg_active)
        msg_add(s);
    else
        fputs(s, stderr);
}

static void tiff_message(const char *module, const char *fmt, va_list ap)
{
    char b[512];
    int k = 0;
    if (module && *module)
        k = snprintf(b, sizeof b, "%s: ", module);
    if (k < 0 || (size_t)k >= sizeof b)
        k = 0;
    vsnprintf(b + k, sizeof b - (size_t)k, fmt, ap);
    msg_add(b);
}

/**
 * Route Leptonica's and libtiff's messages into the page reader, so that
 * they come out with the file name (in the error message, or through the
 * warning handler) instead of bare on stderr. Call once at program start.
 *
 * Notes:
 *   (1) Leptonica sets libtiff's handlers to its own (silent) ones at each
 *       TIFF it opens, so ours are set again at the start of each read,
 *       for the directory walk that page.c does with libtiff itself.
 */
void page_messages_init(void)
{
    leptSetStderrHandler(lept_message);
    msg_hooked = 1;
}

/**
 * Set the function that gets the library warnings of a page read that
 * succeeded (one call per page, the warnings joined by "; ").
 *
 * @param[in] fn  handler, or NULL: such warnings are dropped
 */
void page_set_warning_handler(PageWarningFn fn)
{
    msg_handler = fn;
}

static void msg_begin(void)
{
    msg_len = 0;
    msg_text[0] = '\0';
    msg_active = 1;
    msg_mem = NULL;
    msg_mem_len = 0;
    if (msg_hooked) {
        TIFFSetWarningHandler(tiff_message);
        TIFFSetErrorHandler(tiff_message);
    }
    msg_stream = open_memstream(&msg_mem, &msg_mem_len);
    if (msg_stream) {
        fflush(stderr);
        msg_saved = stderr;
        stderr = msg_stream;
    }
}

/* End of a read of path's page (0-based; -1 = the whole file): restore
 * stderr, then hand the collected text to the handler when ok, else keep
 * it for msg_append. */
static void msg_end(const char *path, int page, int ok)
{
    msg_active = 0;
    if (msg_stream) {
        stderr = msg_saved;
        fclose(msg_stream);
        msg_stream = NULL;
        if (msg_mem)
            msg_add(msg_mem);
        free(msg_mem);
        msg_mem = NULL;
    }
    if (ok && msg_len > 0 && msg_handler)
        msg_handler(path, page, msg_text);
}

/* The error message set by a failed read, with the library's words. */
static void msg_append(void)
{
    if (msg_len > 0) {
        char e[1024];
        snprintf(e, sizeof e, "%s", err_get());
        err_set("%s (%s)", e, msg_text);
    }
}

int page_is_image_name(const char *name)
{
    static const char *const exts[] = {
        ".tif", ".tiff", ".png", ".jpg", ".jpeg", ".pnm", ".pbm", ".pgm",
        ".ppm", ".bmp", ".gif", ".webp", ".jp2", ".j2k", ".pdf"};
    const char *dot = strrchr(name, '.');
    if (!dot)
        return 0;
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (!strcasecmp(dot, exts[i]))
            return 1;
    return 0;
}

static int is_tiff(int format)
{
    return format == IFF_TIFF || format == IFF_TIFF_PACKBITS ||
           format == IFF_TIFF_RLE || format == IFF_TIFF_G3 ||
           format == IFF_TIFF_G4 || format == IFF_TIFF_LZW ||
           format == IFF_TIFF_ZIP || format == IFF_TIFF_JPEG;
}

/* Leptonica's format of path, limited to the ones the pipeline accepts. */
static int page_format(const char *path, int *pformat)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return err_set_errno("%s", path);
    int format = IFF_UNKNOWN;
    unsigned char m[4] = {0};
    size_t got = fread(m, 1, sizeof m, fp);
    rewind(fp);
    int rc = findFileFormatStream(fp, &format);
    fclose(fp);
    if (rc != 0 || format == IFF_UNKNOWN) {
        /* Leptonica also reads a TIFF's directory: a TIFF cut short has
         * the magic but no directory, which is no "unknown format" */
        const char *kind = NULL;
        if (got == 4 && ((m[0] == 'I' && m[1] == 'I' && m[3] == 0 &&
                          (m[2] == 42 || m[2] == 43)) ||
                         (m[0] == 'M' && m[1] == 'M' && m[2] == 0 &&
                          (m[3] == 42 || m[3] == 43))))
            kind = "TIFF";
        else if (got >= 3 && m[0] == 0xFF && m[1] == 0xD8 && m[2] == 0xFF)
            kind = "JPEG";
        else if (got == 4 && m[0] == 0x89 && m[1] == 'P' && m[2] == 'N' &&
                 m[3] == 'G')
            kind = "PNG";
        if (kind)
            return err_set("%s: truncated or corrupt %s file (cannot read "
                           "its header)",
                           path, kind);
        return err_set("%s: not an image file (unknown format)", path);
    }
    if (!(is_tiff(format) || format == IFF_PNG || format == IFF_JFIF_JPEG ||
          format == IFF_PNM || format == IFF_BMP || format == IFF_GIF ||
          format == IFF_WEBP || format == IFF_JP2))
        return err_set("%s: unsupported image format (expected TIFF, PNG, "
                       "JPEG, PNM, BMP, GIF, WebP, JPEG 2000 or PDF)",
                       path);
    *pformat = format;
    return 0;
}

/* 1 when the classic TIFF directory at offset ifd links to a next one
 * (libtiff stops quietly at a link past the end of the file). */
static int tiff_chain_goes_on(const char *path, uint64_t ifd)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    unsigned char h[4], c[2], x[4];
    int on = 0;
    if (ifd > 0 && pread(fd, h, 4, 0) == 4 &&
        (h[0] == 'I' || h[0] == 'M') && h[0] == h[1] &&
        (h[0] == 'I' ? h[2] : h[3]) == 42 &&
        pread(fd, c, 2, (off_t)ifd) == 2) {
        int le = h[0] == 'I';
        unsigned count = le ? c[0] | c[1] << 8 : c[0] << 8 | c[1];
        off_t at = (off_t)ifd + 2 + 12 * (off_t)count;
        if (pread(fd, x, 4, at) == 4)
            on = (le ? x[0] | x[1] << 8 | x[2] << 16 | (uint32_t)x[3] << 24
                     : (uint32_t)x[0] << 24 | x[1] << 16 | x[2] << 8 | x[3])
                 != 0;
    }
    close(fd);
    return on;
}

/* Walk a TIFF's directory chain once: the page count and, when pifd is
 * given, each page's directory offset. Over max_pages (> 0) the rest of
 * the chain is only counted (libtiff's light walk) for the message. */
static int tiff_list(const char *path, int max_pages, uint64_t **pifd,
                     int *pn)
{
    /* "m": no memory mapping, which would count a large file against the
     * stage's address-space limit */
    TIFF *tif = TIFFOpen(path, "rm");
    if (!tif)
        return err_set("%s: cannot read the TIFF directory (corrupt file?)",
                       path);
    uint64_t *ifd = NULL, last = 0;
    int n = 0, cap = 0, rc = 0;
    do {
        if (max_pages > 0 && n == max_pages) {
            /* one page too many: count them all (a light walk that reads
             * only the links), for the message */
            unsigned long total = TIFFNumberOfDirectories(tif);
            if (total <= (unsigned long)n)
                total = (unsigned long)n + 1;
            rc = err_set("%s: %lu pages, more than limits.max_pages = %d",
                         path, total, max_pages);
            break;
        }
        if (pifd && n == cap) {
            cap = cap ? 2 * cap : 64;
            uint64_t *v = realloc(ifd, (size_t)cap * sizeof *v);
            if (!v) {
                rc = err_set("%s: out of memory for %d page offsets", path,
                             cap);
                break;
            }
            ifd = v;
        }
        last = TIFFCurrentDirOffset(tif);
        if (pifd)
            ifd[n] = last;
        n++;
    } while (TIFFReadDirectory(tif));
    /* the chain goes on but the next directory could not be read: a file
     * cut short loses its last pages without a word from libtiff */
    if (rc == 0 && tiff_chain_goes_on(path, last))
        msg_add("the TIFF directory chain ends in a directory that cannot "
                "be read (truncated or corrupt file?): pages after the "
                "listed ones are lost");
    TIFFClose(tif);
    if (rc < 0) {
        free(ifd);
        return -1;
    }
    if (pifd)
        *pifd = ifd;
    *pn = n;
    return 0;
}

/**
 * Pages of an image file, from its headers only.
 *
 * @param[in]  path       image file
 * @param[in]  max_pages  more pages than this fail (limits.max_pages);
 *                        0 = no limit
 * @param[out] pifd       [optional] for a TIFF, each page's directory
 *                        offset; for a PDF, each page's object
 *                        (page_pdf_list) (caller frees; for
 *                        page_read_at); NULL for other formats
 * @param[out] pn         pages (1 for all formats but TIFF and PDF)
 * @return 0, or -1 (not an image, unsupported format, unreadable, too
 *         many pages: the message names the file and, for the last, its
 *         page count and the key)
 *
 * Notes:
 *   (1) One walk of the directory chain, so the cost is linear in the
 *       page count.
 */
static int page_list_quiet(const char *path, int max_pages, uint64_t **pifd,
                           int *pn);

int page_list(const char *path, int max_pages, uint64_t **pifd, int *pn)
{
    msg_begin();
    int rc = page_list_quiet(path, max_pages, pifd, pn);
    msg_end(path, -1, rc == 0);
    if (rc < 0)
        msg_append();
    return rc;
}

static int page_list_quiet(const char *path, int max_pages, uint64_t **pifd,
                           int *pn)
{
    int format;
    if (pifd)
        *pifd = NULL;
    if (page_pdf_is(path))
        return page_pdf_list(path, max_pages, pifd, pn);
    if (page_format(path, &format) < 0)
        return -1;
    if (!is_tiff(format)) {
        *pn = 1;
        return 0;
    }
    return tiff_list(path, max_pages, pifd, pn);
}

/**
 * Number of pages of an image file, from its headers only.
 *
 * @param[in]  path  image file
 * @param[out] pn    pages (1 for all formats but TIFF)
 * @return 0, or -1 (not an image, unsupported format, unreadable)
 */
int page_count(const char *path, int *pn)
{
    return page_list(path, 0, NULL, pn);
}

/* ---- a TIFF seen from one page: the page view ---------------------------
 * A read-only stdio stream over the file whose header says the first
 * directory is at `ifd`. Reads go straight to the file with pread. */
typedef struct {
    int fd;
    off_t pos, size;
    unsigned char head[16]; /* the patched header */
    int head_n;
} PageView;

static ssize_t view_read(void *cookie, char *buf, size_t n)
{
    PageView *v = cookie;
    if (v->pos >= v->size)
        return 0;
    if ((off_t)n > v->size - v->pos)
        n = (size_t)(v->size - v->pos);
    ssize_t r;
    do
        r = pread(v->fd, buf, n, v->pos);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return -1;
    for (off_t i = v->pos; i < v->head_n && i < v->pos + r; i++)
        buf[i - v->pos] = (char)v->head[i];
    v->pos += r;
    return r;
}

static int view_seek(void *cookie, off64_t *off, int whence)
{
    PageView *v = cookie;
    off_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? v->pos : v->size;
    if (base + *off < 0)
        return -1;
    v->pos = base + *off;
    *off = v->pos;
    return 0;
}

static int view_close(void *cookie)
{
    PageView *v = cookie;
    close(v->fd);
    free(v);
    return 0;
}

/* Open path as a TIFF whose first directory is the one at ifd. NULL with
 * the message set (ifd outside the file, not a TIFF header). */
static FILE *view_open(const char *path, int page, uint64_t ifd)
{
    PageView *v = calloc(1, sizeof *v);
    if (!v) {
        err_set("out of memory");
        return NULL;
    }
    v->fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (v->fd < 0 || fstat(v->fd, &st) < 0) {
        err_set_errno("%s", path);
        goto fail;
    }
    v->size = st.st_size;
    ssize_t r = pread(v->fd, v->head, sizeof v->head, 0);
    int le = r >= 8 && v->head[0] == 'I' && v->head[1] == 'I';
    int be = r >= 8 && v->head[0] == 'M' && v->head[1] == 'M';
    int magic =
        le ? v->head[2] | v->head[3] << 8 : v->head[2] << 8 | v->head[3];
    int big = magic == 43, width = big ? 8 : 4, at = big ? 8 : 4;
    if (!(le || be) || (magic != 42 && !(big && r >= 16)) ||
        ifd < (uint64_t)(at + width) || ifd >= (uint64_t)v->size ||
        (!big && ifd > 0xFFFFFFFFu)) {
        err_set("%s page %d: cannot read the TIFF header (the file changed "
                "since it was listed, or corrupt)",
                path, page + 1);
        goto fail;
    }
    for (int i = 0; i < width; i++) {
        int shift = 8 * (le ? i : width - 1 - i);
        v->head[at + i] = (unsigned char)(ifd >> shift);
    }
    v->head_n = at + width;
    cookie_io_functions_t io = {view_read, NULL, view_seek, view_close};
    FILE *fp = fopencookie(v, "r", io);
    if (!fp) {
        err_set_errno("%s", path);
        goto fail;
    }
    return fp;
fail:
    if (v->fd >= 0)
        close(v->fd);
    free(v);
    return NULL;
}

/* After a failed decode of a w x h page (bps bits x spp samples): 1 when
 * it ran out of memory (the allocator said ENOMEM, or a buffer twice the
 * decoded raster cannot be had now: under the stage's address-space
 * limit the decoder needs about that much). */
static int decode_out_of_memory(int e, int w, int h, int bps, int spp)
{
    if (e == ENOMEM)
        return 1;
    /* Leptonica keeps 1..16 bpp as is and RGB(A) as 32 bpp */
    size_t d = spp >= 3 ? 32 : (size_t)(bps * spp > 0 ? bps * spp : 8);
    size_t raster = ((size_t)w * d + 31) / 32 * 4 * (size_t)h;
    void *volatile probe = malloc(2 * raster);
    if (!probe)
        return 1;
    free(probe);
    return 0;
}

/**
 * Decode one page, refusing pages over the pixel limit before decoding.
 *
 * @param[in] path        image file
 * @param[in] page        0-based page (TIFF directory, PDF page); 0 for
 *                        other formats
 * @param[in] ifd         TIFF: the page's directory offset from page_list,
 *                        or 0 = unknown (found by walking the directory
 *                        chain: linear in page); PDF: the page's object
 *                        from page_list, or 0; ignored for other formats
 * @param[in] max_pixels  width * height above this fails
 * @return new PIX (caller owns; pixDestroy()), or NULL with a message that
 *         names file and page
 *
 * Notes:
 *   (1) The limit is checked on the header, so a small file that claims
 *       100000 x 100000 pixels fails at once instead of allocating.
 *   (2) A decode that runs out of memory (a stage's address space is
 *       capped by limits.page_memory_mb) says so and names that key
 *       instead of calling the file corrupt.
 */
static PIX *page_read_quiet(const char *path, int page, uint64_t ifd,
                            int64_t max_pixels);

PIX *page_read_at(const char *path, int page, uint64_t ifd,
                  int64_t max_pixels)
{
    msg_begin();
    PIX *pix = page_read_quiet(path, page, ifd, max_pixels);
    msg_end(path, page, pix != NULL);
    if (!pix)
        msg_append();
    return pix;
}

static PIX *page_read_quiet(const char *path, int page, uint64_t ifd,
                            int64_t max_pixels)
{
    int format, w = 0, h = 0, bps = 0, spp = 0, res = 0, cmap = 0, fmt2 = 0;
    FILE *view = NULL;
    if (page_pdf_is(path))
        return page_pdf_read(path, page, ifd, max_pixels);
    if (page_format(path, &format) < 0)
        return NULL;
    if (is_tiff(format)) {
        int hrc;
        if (ifd) {
            if (!(view = view_open(path, page, ifd)))
                return NULL;
            hrc = freadHeaderTiff(view, 0, &w, &h, &bps, &spp, &res, &cmap,
                                  &fmt2);
        } else {
            hrc = readHeaderTiff(path, page, &w, &h, &bps, &spp, &res, &cmap,
                                 &fmt2);
        }
        if (hrc != 0) {
            if (view)
                fclose(view);
            err_set("%s page %d: cannot read the TIFF header (corrupt file or "
                    "no such page)",
                    path, page + 1);
            return NULL;
        }
    } else {
        if (page != 0) {
            err_set("%s page %d: the file has one page", path, page + 1);
            return NULL;
        }
        if (pixReadHeader(path, &fmt2, &w, &h, &bps, &spp, &cmap) != 0) {
            err_set("%s: cannot read the image header (corrupt file?)", path);
            return NULL;
        }
    }
    if (w <= 0 || h <= 0 || (int64_t)w * h > max_pixels) {
        if (view)
            fclose(view);
        if (w <= 0 || h <= 0)
            err_set("%s page %d: bad image size %d x %d", path, page + 1, w,
                    h);
        else
            err_set("%s page %d: image is %d x %d = %lld pixels, over "
                    "limits.max_pixels = %lld",
                    path, page + 1, w, h, (long long)w * h,
                    (long long)max_pixels);
        return NULL;
    }
    PIX *pix = NULL;
    errno = 0;
    if (view) {
        rewind(view);
        pix = pixReadStreamTiff(view, 0);
        fclose(view);
    } else if (is_tiff(format))
        pix = pixReadTiff(path, page);
    else if (format == IFF_PNG && (pix = page_png_read(path)) != NULL)
        ; /* the common PNGs, decoded as pixRead would, in half the time */
    else
        pix = pixRead(path);
    if (!pix) {
        if (decode_out_of_memory(errno, w, h, bps, spp)) {
            err_set("%s page %d: out of memory decoding the %d x %d image; "
                    "raise limits.page_memory_mb (the memory a job's stage "
                    "may allocate)",
                    path, page + 1, w, h);
            return NULL;
        }
        err_set("%s page %d: cannot decode the image (corrupt or truncated "
                "file?)",
                path, page + 1);
        return NULL;
    }
    if (pixGetWidth(pix) != w || pixGetHeight(pix) != h) {
        pixDestroy(&pix);
        err_set("%s page %d: decoded size differs from the header", path,
                page + 1);
        return NULL;
    }
    /* ink in the alpha channel (a transparent PNG over black RGB) is what
     * the page shows on a screen: without this, all of it reads as black */
    page_flatten_alpha(pix);
    return pix;
}

/**
 * Decode one page (page_read_at without a directory offset).
 *
 * @param[in] path        image file
 * @param[in] page        0-based page (TIFF directory); 0 for other formats
 * @param[in] max_pixels  width * height above this fails
 * @return new PIX (caller owns; pixDestroy()), or NULL (message names file
 *         and page)
 */
PIX *page_read(const char *path, int page, int64_t max_pixels)
{
    return page_read_at(path, page, 0, max_pixels);
}

/**
 * Put an image with an alpha channel over white paper, as viewers do.
 *
 * @param[in,out] pix  any PIX; a 32 bpp one with 4 samples per pixel
 *                     (RGBA, as Leptonica decodes grey + alpha and RGBA
 *                     PNGs, palette PNGs with tRNS, RGBA TIFFs) is
 *                     changed in place to RGB (spp 3, alpha byte 255)
 * Other images are left as they are; nothing can fail.
 *
 * Notes:
 *   (1) Each channel becomes page_over_white(c, alpha): transparent pixels
 *       white whatever their colour, opaque ones unchanged.
 *   (2) In place: pix must not be shared (a fresh decode is not).
 */
void page_flatten_alpha(PIX *pix)
{
    if (!pix || pixGetDepth(pix) != 32 || pixGetSpp(pix) != 4)
        return;
    int w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix);
    l_uint32 *data = pixGetData(pix);
    for (int y = 0; y < h; y++) {
        l_uint32 *line = data + (size_t)y * (size_t)wpl;
        for (int x = 0; x < w; x++) {
            l_uint32 v = line[x];
            unsigned a = v & 0xff;
            line[x] = (l_uint32)page_over_white(v >> 24, a) << 24 |
                      (l_uint32)page_over_white((v >> 16) & 0xff, a) << 16 |
                      (l_uint32)page_over_white((v >> 8) & 0xff, a) << 8 | 0xff;
        }
    }
    pixSetSpp(pix, 3);
}
