/*
 * page.c - read, recognise and write pages (see page.h).
 *
 * Design:
 *   page_count / page_read   header first (Leptonica readHeaderTiff /
 *                            pixReadHeader), pixel limit checked before any
 *                            decoding, then pixReadTiff(path, n), the PNG
 *                            fast path (page_png.c) or pixRead; an alpha
 *                            channel is then put over white paper
 *   page_recognize           every glyph mask normalised into one batch,
 *                            one rec_net_classify call per page, OutPage
 *                            built from the SegPage's lines/words/glyphs
 *   page_write_outputs       OUT/rel.txt and OUT/rel.hocr, each by temp
 *                            file + fsync + rename in a folder reached
 *                            without following symlinks
 * Errors name the file and page ("scan.tif page 3: ...").
 */
#include "pipeline/page.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/err.h"
#include "pipeline/fsutil.h"
#include "pipeline/job.h"
#include "recognize/rec_context.h"

int page_is_image_name(const char *name)
{
    static const char *const exts[] = {
        ".tif", ".tiff", ".png", ".jpg", ".jpeg", ".pnm", ".pbm", ".pgm",
        ".ppm", ".bmp", ".gif", ".webp", ".jp2", ".j2k"};
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
    int rc = findFileFormatStream(fp, &format);
    fclose(fp);
    if (rc != 0 || format == IFF_UNKNOWN)
        return err_set("%s: not an image file (unknown format)", path);
    if (!(is_tiff(format) || format == IFF_PNG || format == IFF_JFIF_JPEG ||
          format == IFF_PNM || format == IFF_BMP || format == IFF_GIF ||
          format == IFF_WEBP || format == IFF_JP2))
        return err_set("%s: unsupported image format (expected TIFF, PNG, "
                       "JPEG, PNM, BMP, GIF, WebP or JPEG 2000)",
                       path);
    *pformat = format;
    return 0;
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
    int format;
    if (page_format(path, &format) < 0)
        return -1;
    if (!is_tiff(format)) {
        *pn = 1;
        return 0;
    }
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return err_set_errno("%s", path);
    int n = 0;
    int rc = tiffGetCount(fp, &n);
    fclose(fp);
    if (rc != 0 || n < 1)
        return err_set("%s: cannot read the TIFF directory (corrupt file?)",
                       path);
    *pn = n;
    return 0;
}

/**
 * Decode one page, refusing pages over the pixel limit before decoding.
 *
 * @param[in] path        image file
 * @param[in] page        0-based page (TIFF directory); 0 for other formats
 * @param[in] max_pixels  width * height above this fails
 * @return new PIX (caller owns; pixDestroy()), or NULL with a message that
 *         names file and page
 *
 * Notes:
 *   (1) The limit is checked on the header, so a small file that claims
 *       100000 x 100000 pixels fails at once instead of allocating.
 */
PIX *page_read(const char *path, int page, int64_t max_pixels)
{
    int format, w = 0, h = 0, bps = 0, spp = 0, res = 0, cmap = 0, fmt2 = 0;
    if (page_format(path, &format) < 0)
        return NULL;
    if (is_tiff(format)) {
        if (readHeaderTiff(path, page, &w, &h, &bps, &spp, &res, &cmap,
                           &fmt2) != 0) {
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
    if (w <= 0 || h <= 0) {
        err_set("%s page %d: bad image size %d x %d", path, page + 1, w, h);
        return NULL;
    }
    if ((int64_t)w * h > max_pixels) {
        err_set("%s page %d: image is %d x %d = %lld pixels, over "
                "limits.max_pixels = %lld",
                path, page + 1, w, h, (long long)w * h,
                (long long)max_pixels);
        return NULL;
    }
    PIX *pix = NULL;
    if (is_tiff(format))
        pix = pixReadTiff(path, page);
    else if (format == IFF_PNG && (pix = page_png_read(path)) != NULL)
        ; /* the common PNGs, decoded as pixRead would, in half the time */
    else
        pix = pixRead(path);
    if (!pix) {
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

/**
 * Score a candidate glyph for the segmenter's cuts of touching characters.
 *
 * @param[in] ctx   a PageScorer (net and charset)
 * @param[in] mask  0/1 bytes, w x h, row stride w
 * @param[in] w     width
 * @param[in] h     height
 * @return the best class probability (0..1); 0 when the mask cannot be
 *         normalised or classified
 */
float page_score_glyph(void *ctx, const unsigned char *mask, int w, int h)
{
    const PageScorer *sc = ctx;
    float in[REC_INPUT_SIZE * REC_INPUT_SIZE], probs[REC_NCLASSES];
    if (rec_glyph_normalize_mask(mask, w, h, w, in) < 0 ||
        rec_net_classify(sc->net, in, 1, sc->cs, probs) < 0)
        return 0.0f;
    float best = 0.0f;
    for (int c = 0; c < REC_NCLASSES; c++)
        if (probs[c] > best)
            best = probs[c];
    return best;
}

static OutBox box_of(SegBox b)
{
    OutBox o = {b.x, b.y, b.x + b.w, b.y + b.h};
    return o;
}

/* Line context (rec_context.c) over every line of the page: re-chooses the
 * class and confidence of each glyph in op from the posteriors, the line's
 * geometry and the glyph's word. Glyphs that could not be normalised keep
 * U+FFFD. Returns 0 or -1. */
static int page_context(const SegPage *sp, const float *probs,
                        const unsigned char *ok, RecCharset cs, OutPage *op)
{
    int n_lines, n_words, n_glyphs;
    const SegLine *lines = seg_page_get_lines(sp, &n_lines);
    const SegWord *words = seg_page_get_words(sp, &n_words);
    const SegGlyph *glyphs = seg_page_get_glyphs(sp, &n_glyphs);
    RecContextGlyph *cg = malloc((size_t)n_glyphs * sizeof *cg);
    int *cls = malloc((size_t)n_glyphs * sizeof *cls);
    float *conf = malloc((size_t)n_glyphs * sizeof *conf);
    int rc = -1;

    if (!cg || !cls || !conf) {
        err_set("out of memory for %d glyphs", n_glyphs);
        goto out;
    }
    for (int i = 0; i < n_glyphs; i++) {
        const SegBox *b = &glyphs[i].box;
        cg[i] = (RecContextGlyph){b->x, b->y, ok[i] ? b->w : 0, b->h,
                                  glyphs[i].word};
    }
    for (int l = 0; l < n_lines; l++) {
        const SegLine *ln = &lines[l];
        if (ln->n_words <= 0)
            continue;
        const SegWord *w0 = &words[ln->first_word];
        const SegWord *w1 = &words[ln->first_word + ln->n_words - 1];
        int g0 = w0->first_glyph, n = w1->first_glyph + w1->n_glyphs - g0;
        /* segment's baseline is the last ink row; ours the row below it */
        RecLineGeom geom = {(float)ln->box.x,
                            ln->baseline_y > 0
                                ? ln->baseline_y + 1.0f
                                : (float)(ln->box.y + ln->box.h),
                            ln->baseline_slope, ln->x_height, ln->cap_height};
        if (n <= 0 || g0 < 0 || g0 + n > n_glyphs)
            continue;
        if (rec_context_apply(NULL, &geom, cg + g0,
                              probs + (size_t)g0 * REC_NCLASSES, n, cs,
                              cls + g0, conf + g0, NULL) < 0)
            goto out;
        for (int i = g0; i < g0 + n; i++)
            if (ok[i]) {
                op->glyphs[i].codepoint =
                    (uint32_t)(unsigned char)rec_class_chars[cls[i]];
                op->glyphs[i].conf = conf[i];
            }
    }
    rc = 0;
out:
    free(cg);
    free(cls);
    free(conf);
    return rc;
}

/**
 * Recognise a segmented page: one batch, one classifier call.
 *
 * @param[in] sp      segmented page
 * @param[in] net     classifier (its scratch memory is used)
 * @param[in] cs      allowed classes
 * @param[in] context 1 = line-context step (case and look-alikes from the
 *                    line's geometry and the word; rec_context.h)
 * @param[in] image   source path written into the result (hOCR `image`)
 * @param[in] pageno  0-based page number
 * @param[in] dpi     resolution; 0 = unknown
 * @return new OutPage (caller owns; out_page_destroy()), or NULL
 *
 * Notes:
 *   (1) A glyph that cannot be normalised (no ink) becomes U+FFFD with
 *       confidence 0 rather than failing the page.
 *   (2) The line-context step runs between the classifier's choice and the
 *       OutPage; without it each glyph is the classifier's argmax.
 */
OutPage *page_recognize(const SegPage *sp, RecNet *net, RecCharset cs,
                        int context, const char *image, int pageno, int dpi)
{
    int n_lines, n_words, n_glyphs, w, h;
    const SegLine *lines = seg_page_get_lines(sp, &n_lines);
    const SegWord *words = seg_page_get_words(sp, &n_words);
    const SegGlyph *glyphs = seg_page_get_glyphs(sp, &n_glyphs);
    seg_page_get_size(sp, &w, &h);
    OutPage *op = out_page_create(image, pageno, w, h, dpi, n_lines, n_words,
                                  n_glyphs);
    if (!op)
        return NULL;
    float *in = NULL, *probs = NULL;
    unsigned char *ok = NULL;
    if (n_glyphs > 0) {
        size_t isz = (size_t)REC_INPUT_SIZE * REC_INPUT_SIZE;
        in = calloc((size_t)n_glyphs * isz, sizeof *in);
        probs = calloc((size_t)n_glyphs * REC_NCLASSES, sizeof *probs);
        ok = calloc((size_t)n_glyphs, 1);
        if (!in || !probs || !ok) {
            err_set("%s page %d: out of memory for %d glyphs", image,
                    pageno + 1, n_glyphs);
            goto fail;
        }
        for (int i = 0; i < n_glyphs; i++) {
            const SegBox *b = &glyphs[i].box;
            const unsigned char *m = seg_page_get_glyph_mask(sp, i);
            ok[i] = m && rec_glyph_normalize_mask(m, b->w, b->h, b->w,
                                                  in + (size_t)i * isz) == 0;
        }
        if (rec_net_classify(net, in, n_glyphs, cs, probs) < 0) {
            err_prefix("%s page %d", image, pageno + 1);
            goto fail;
        }
    }
    for (int i = 0; i < n_glyphs; i++) {
        const float *p = probs + (size_t)i * REC_NCLASSES;
        int best = 0;
        for (int c = 1; c < REC_NCLASSES; c++)
            if (p[c] > p[best])
                best = c;
        op->glyphs[i].box = box_of(glyphs[i].box);
        op->glyphs[i].codepoint =
            ok[i] ? (uint32_t)(unsigned char)rec_class_chars[best] : 0xFFFD;
        op->glyphs[i].conf = ok[i] ? p[best] : 0.0f;
    }
    if (context && n_glyphs > 0 && page_context(sp, probs, ok, cs, op) < 0) {
        err_prefix("%s page %d: line context", image, pageno + 1);
        goto fail;
    }
    for (int i = 0; i < n_words; i++) {
        op->words[i].box = box_of(words[i].box);
        op->words[i].first_glyph = words[i].first_glyph;
        op->words[i].n_glyphs = words[i].n_glyphs;
    }
    for (int i = 0; i < n_lines; i++) {
        OutLine *ol = &op->lines[i];
        ol->box = box_of(lines[i].box);
        ol->baseline_slope = lines[i].baseline_slope;
        /* hOCR p0: baseline relative to the bottom of the line box */
        ol->baseline_offset =
            lines[i].baseline_y ? lines[i].baseline_y - (float)ol->box.y1 : 0;
        ol->x_size = (float)lines[i].box.h;
        ol->block = lines[i].block;
        ol->first_word = lines[i].first_word;
        ol->n_words = lines[i].n_words;
    }
    free(in);
    free(probs);
    free(ok);
    return op;
fail:
    free(in);
    free(probs);
    free(ok);
    out_page_destroy(&op);
    return NULL;
}

/* Write one output file in dfd by temp + fsync + rename. */
static int write_one(int dfd, const char *name, const OutPage *const *pages,
                     int n, int hocr)
{
    char tmp[256];
    int fd = fs_create_temp_at(dfd, name, tmp);
    if (fd < 0)
        return -1;
    FILE *fp = fdopen(fd, "w");
    if (!fp) {
        close(fd);
        unlinkat(dfd, tmp, 0);
        return err_set_errno("%s", name);
    }
    int rc = hocr ? out_hocr_write(fp, pages, n) : out_text_write(fp, pages, n);
    if (rc == 0 && fflush(fp) != 0)
        rc = err_set_errno("write %s", name);
    if (rc == 0 && fs_sync_enabled() && fsync(fileno(fp)) != 0)
        rc = err_set_errno("fsync %s", name);
    if (fclose(fp) != 0 && rc == 0)
        rc = err_set_errno("close %s", name);
    if (rc == 0 && renameat(dfd, tmp, dfd, name) != 0)
        rc = err_set_errno("rename into %s", name);
    if (rc != 0)
        unlinkat(dfd, tmp, 0);
    return rc;
}

/**
 * Write the text and/or hOCR of one input file.
 *
 * @param[in] out_fd   output folder
 * @param[in] rel      output path without extension, relative to out_fd
 *                     ("2024/box1/f007"); its folders are created
 * @param[in] pages    the input's pages in order
 * @param[in] n        their count
 * @param[in] formats  JOB_FORMAT_* bits
 * @return 0, or -1
 *
 * Notes:
 *   (1) Folders are opened one component at a time without following
 *       symlinks, and ".." is refused, so nothing is written outside out_fd.
 *   (2) Each file appears whole (temp + rename) or not at all.
 */
int page_write_outputs(int out_fd, const char *rel,
                       const OutPage *const *pages, int n, int formats)
{
    const char *slash = strrchr(rel, '/');
    const char *base = slash ? slash + 1 : rel;
    char dir[4096], name[300];
    size_t dlen = slash ? (size_t)(slash - rel) : 0;
    if (dlen >= sizeof dir || !fs_component_ok(base, strlen(base)) ||
        strlen(base) > 250)
        return err_set("bad output name '%s'", rel);
    memcpy(dir, rel, dlen);
    dir[dlen] = '\0';
    int dfd = fs_open_subdir(out_fd, dir, 1);
    if (dfd < 0)
        return err_prefix("output %s", rel);
    int rc = 0;
    if (formats & JOB_FORMAT_TXT) {
        snprintf(name, sizeof name, "%s.txt", base);
        rc = write_one(dfd, name, pages, n, 0);
    }
    if (rc == 0 && (formats & JOB_FORMAT_HOCR)) {
        snprintf(name, sizeof name, "%s.hocr", base);
        rc = write_one(dfd, name, pages, n, 1);
    }
    close(dfd);
    if (rc != 0)
        err_prefix("output %s", rel);
    return rc;
}
