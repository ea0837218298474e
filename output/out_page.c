/*
 * out_page.c - OutPage create/destroy/check and the recognised-page
 * artifact (save/load).
 *
 * Design: the artifact is what the recognize stage hands to the output
 * stage through the on-disk queue, so it must survive a worker killed
 * mid-write (the caller writes to a temp name and renames) and must never
 * be trusted on load. Layout, all fields little-endian, fixed width:
 *
 *   0   8  magic "INKPOUT\x1a"
 *   8   4  u32 version (OUT_PAGE_VERSION)
 *   12  4  u32 flags: bit 0 = the word kinds block is present (all
 *          other bits 0)
 *   16 32  i32 pageno, width, height, dpi, n_lines, n_words, n_glyphs;
 *          u32 image_len
 *   48     image bytes (no terminator)
 *          n_lines  x 44: i32 box[4], f32 slope, f32 offset, f32 x_size,
 *                         i32 block, first_word, n_words, u32 reserved
 *          n_words  x 24: i32 box[4], first_glyph, n_glyphs
 *          n_glyphs x 24: i32 box[4], u32 codepoint, f32 conf
 *          [flag bit 0 only: n_words x 8: u32 kind, f32 printed
 *           (OutWord; written when any word is classified)]
 *          [version 2 only: the form block, below]
 *          u32 CRC-32 (zlib) of every byte before it
 *
 * Version 2 is written only for a page with form fields (page->form set:
 * read against a template; or fields found without one, form "none");
 * other pages stay version 1, byte for byte. Its form block: str form;
 * i32 reg_fit (bit 0) | reg_method << 1 (0 in artifacts written before
 * registration marks: lines); f32 residual, scale, angle, dx, dy;
 * i32 n_fields; per field: str name, str label (length 0xffffffff =
 * none), str value, f32 conf, i32 box[4], i32 kind, i32 needs_review,
 * i32 n_chars; per char: i32 box[4], i32 n_alts, OUT_FIELD_ALTS x (u32
 * code point, f32 conf). str = u32 length + bytes.
 *
 * Load reads the whole file, checks magic, version, the exact size implied
 * by the counts (so truncation is named as such), the checksum, then the
 * meaning (out_page_check). Every message names the file.
 */
#include "output/output.h"
#include "common/binio.h"
#include "common/err.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char OUT_MAGIC[8] = {'I', 'N', 'K', 'P', 'O', 'U', 'T', 0x1a};

#define OUT_CONF_SLACK 1e-4f
#define OUT_NO_STR 0xffffffffu
#define OUT_MAX_STR 4096

enum {
    OUT_HDR_SIZE = 48,
    OUT_LINE_SIZE = 44,
    OUT_WORD_SIZE = 24,
    OUT_GLYPH_SIZE = 24,
    OUT_KIND_SIZE = 8,
    OUT_FLAG_KINDS = 1,
    OUT_MAX_ITEMS = 1 << 24, /* far above any real page; bounds allocation */
    OUT_MAX_IMAGE = 1 << 16,
    OUT_MAX_DIM = 1 << 20
};

/**
 * Create a page with zeroed arrays of the given sizes.
 *
 * @param[in] image     [optional] source image path as it should appear in
 *                      hOCR (copied); NULL means ""
 * @param[in] pageno    0-based page number within the source file
 * @param[in] width     page width in pixels (>= 0)
 * @param[in] height    page height in pixels (>= 0)
 * @param[in] dpi       scan resolution, 0 = unknown
 * @param[in] n_lines   number of lines (>= 0)
 * @param[in] n_words   number of words (>= 0)
 * @param[in] n_glyphs  number of glyphs (>= 0)
 * @return new page (caller owns; out_page_destroy()), or NULL with the
 *         message in err_get()
 *
 * Notes:
 *   (1) The caller fills the boxes and index ranges; the writers check them
 *       with out_page_check() before writing a byte.
 */
OutPage *out_page_create(const char *image, int pageno, int width, int height,
                         int dpi, int n_lines, int n_words, int n_glyphs)
{
    OutPage *p;
    size_t len;

    if (pageno < 0 || width < 0 || height < 0 || dpi < 0 || n_lines < 0 ||
        n_words < 0 || n_glyphs < 0 || n_lines > OUT_MAX_ITEMS ||
        n_words > OUT_MAX_ITEMS || n_glyphs > OUT_MAX_ITEMS) {
        err_set("out_page_create: bad size (page %d, %dx%d, dpi %d, "
                "%d lines, %d words, %d glyphs)",
                pageno, width, height, dpi, n_lines, n_words, n_glyphs);
        return NULL;
    }
    if (!image)
        image = "";
    len = strlen(image);
    p = calloc(1, sizeof *p);
    if (!p)
        goto oom;
    p->image = malloc(len + 1);
    p->lines = calloc((size_t)n_lines + 1, sizeof *p->lines);
    p->words = calloc((size_t)n_words + 1, sizeof *p->words);
    p->glyphs = calloc((size_t)n_glyphs + 1, sizeof *p->glyphs);
    if (!p->image || !p->lines || !p->words || !p->glyphs)
        goto oom;
    memcpy(p->image, image, len + 1);
    p->pageno = pageno;
    p->width = width;
    p->height = height;
    p->dpi = dpi;
    p->n_lines = n_lines;
    p->n_words = n_words;
    p->n_glyphs = n_glyphs;
    return p;
oom:
    out_page_destroy(&p);
    err_set("out_page_create: out of memory (%d lines, %d words, %d glyphs)",
            n_lines, n_words, n_glyphs);
    return NULL;
}

/* A box of a page `factor` times larger, on the page itself: the
 * smallest box holding every pixel the box covers there. */
static void shrink_box(OutBox *b, int factor)
{
    b->x0 /= factor;
    b->y0 /= factor;
    b->x1 = (b->x1 + factor - 1) / factor;
    b->y1 = (b->y1 + factor - 1) / factor;
}

/**
 * Map a page read from an image `factor` times larger than its source
 * (small writing, seg_page_binarize's pscale) back to the source's
 * pixels: its size, dpi, every box (lines, words, glyphs, fields and
 * their characters), the lines' baselines and heights, and the
 * registration to a form template.
 *
 * @param[in,out] page    page to map
 * @param[in]     factor  how many times larger its pixels were (>= 1;
 *                        1 leaves it as it is)
 * @return 0, or -1 when factor is below 1 (message set)
 */
int out_page_shrink(OutPage *page, int factor)
{
    if (!page || factor < 1)
        return err_set("out_page_shrink: bad factor %d", factor);
    if (factor == 1)
        return 0;
    page->width = (page->width + factor - 1) / factor;
    page->height = (page->height + factor - 1) / factor;
    page->dpi /= factor;
    for (int i = 0; i < page->n_lines; i++) {
        OutLine *l = &page->lines[i];
        shrink_box(&l->box, factor);
        l->baseline_offset /= (float)factor;
        l->x_size /= (float)factor;
    }
    for (int i = 0; i < page->n_words; i++)
        shrink_box(&page->words[i].box, factor);
    for (int i = 0; i < page->n_glyphs; i++)
        shrink_box(&page->glyphs[i].box, factor);
    for (int i = 0; i < page->n_fields; i++) {
        OutField *f = &page->fields[i];
        shrink_box(&f->box, factor);
        for (int c = 0; c < f->n_chars; c++)
            shrink_box(&f->chars[c].box, factor);
    }
    page->reg_scale /= (float)factor;
    page->reg_dx /= (float)factor;
    page->reg_dy /= (float)factor;
    return 0;
}

/* A point of the page deskewed by angle (radians, clockwise positive,
 * about the page's centre (cx, cy) as Leptonica's pixRotateShearCenter
 * turns it) back in the source's pixels. */
static void unskew_point(double x, double y, double cx, double cy, double c,
                         double s, double *px, double *py)
{
    double dx = x - cx, dy = y - cy;
    *px = cx + dx * c + dy * s;
    *py = cy - dx * s + dy * c;
}

/* The source box around a deskewed box: its corners turned back, the
 * box around them, clipped to the page (x1, y1 exclusive). */
static void unskew_box(OutBox *b, double cx, double cy, double c, double s,
                       int w, int h)
{
    double xs[4] = {b->x0, b->x1, b->x0, b->x1};
    double ys[4] = {b->y0, b->y0, b->y1, b->y1};
    double x0 = 1e30, y0 = 1e30, x1 = -1e30, y1 = -1e30;
    for (int k = 0; k < 4; k++) {
        double x, y;
        unskew_point(xs[k], ys[k], cx, cy, c, s, &x, &y);
        x0 = x < x0 ? x : x0;
        y0 = y < y0 ? y : y0;
        x1 = x > x1 ? x : x1;
        y1 = y > y1 ? y : y1;
    }
    int ix0 = (int)floor(x0 + 1e-6), iy0 = (int)floor(y0 + 1e-6);
    int ix1 = (int)ceil(x1 - 1e-6), iy1 = (int)ceil(y1 - 1e-6);
    b->x0 = ix0 < 0 ? 0 : ix0 > w ? w : ix0;
    b->y0 = iy0 < 0 ? 0 : iy0 > h ? h : iy0;
    b->x1 = ix1 < b->x0 ? b->x0 : ix1 > w ? w : ix1;
    b->y1 = iy1 < b->y0 ? b->y0 : iy1 > h ? h : iy1;
}

/**
 * Map a page read from its image deskewed by angle_deg (seg_page_binarize
 * turned it about its centre, clockwise positive, the size kept) back to
 * the image's own pixels, which is what hOCR, ALTO, JSON and the PDF's
 * image show: every box (lines, words, glyphs, fields and their
 * characters) becomes the box around its corners turned back, and each
 * line's baseline is turned with it (slope and offset from the new box's
 * bottom left). Heights and the registration to a form template (which
 * describes the deskewed page) stay as they are.
 *
 * @param[in,out] page       page to map (its width and height are the
 *                           deskewed page's, which are the image's)
 * @param[in]     angle_deg  the rotation that straightened it; 0 leaves
 *                           the page as it is
 * @return 0, or -1 when the angle is not a number under 45 degrees
 */
int out_page_unskew(OutPage *page, float angle_deg)
{
    if (!page || !(angle_deg > -45.0f && angle_deg < 45.0f))
        return err_set("out_page_unskew: bad angle");
    if (angle_deg == 0.0f)
        return 0;
    double a = angle_deg * M_PI / 180.0, c = cos(a), s = sin(a);
    int w = page->width, h = page->height;
    double cx = (double)(w / 2), cy = (double)(h / 2); /* Leptonica's */
    for (int i = 0; i < page->n_lines; i++) {
        OutLine *l = &page->lines[i];
        /* two points of the baseline, turned back */
        double px, py, qx, qy;
        double by = l->box.y1 + l->baseline_offset;
        unskew_point(l->box.x0, by, cx, cy, c, s, &px, &py);
        unskew_point(l->box.x1, by + l->baseline_slope * (l->box.x1 -
                                                          l->box.x0),
                     cx, cy, c, s, &qx, &qy);
        unskew_box(&l->box, cx, cy, c, s, w, h);
        double slope = qx != px ? (qy - py) / (qx - px) : 0.0;
        l->baseline_slope = (float)slope;
        l->baseline_offset = (float)(py + slope * (l->box.x0 - px) -
                                     l->box.y1);
    }
    for (int i = 0; i < page->n_words; i++)
        unskew_box(&page->words[i].box, cx, cy, c, s, w, h);
    for (int i = 0; i < page->n_glyphs; i++)
        unskew_box(&page->glyphs[i].box, cx, cy, c, s, w, h);
    for (int i = 0; i < page->n_fields; i++) {
        OutField *f = &page->fields[i];
        unskew_box(&f->box, cx, cy, c, s, w, h);
        for (int k = 0; k < f->n_chars; k++)
            unskew_box(&f->chars[k].box, cx, cy, c, s, w, h);
    }
    return 0;
}

/**
 * Free a page and set *ppage to NULL.
 *
 * @param[in,out] ppage  [optional] page to free; NULL or *ppage NULL is a
 *                       no-op
 */
void out_page_destroy(OutPage **ppage)
{
    OutPage *p;

    if (!ppage || !*ppage)
        return;
    p = *ppage;
    out_page_fields_free(p);
    free(p->image);
    free(p->lines);
    free(p->words);
    free(p->glyphs);
    free(p);
    *ppage = NULL;
}

/**
 * Free the form part of a page (template name, fields) and zero it.
 *
 * @param[in,out] page  [optional] page; NULL is a no-op
 */
void out_page_fields_free(OutPage *page)
{
    if (!page)
        return;
    for (int i = 0; i < page->n_fields; i++) {
        free(page->fields[i].name);
        free(page->fields[i].label);
        free(page->fields[i].value);
        free(page->fields[i].chars);
    }
    free(page->fields);
    free(page->form);
    page->fields = NULL;
    page->form = NULL;
    page->n_fields = 0;
}

static int box_ok(const OutBox *b)
{
    return b->x0 >= 0 && b->y0 >= 0 && b->x0 <= b->x1 && b->y0 <= b->y1 &&
           b->x1 <= OUT_MAX_DIM && b->y1 <= OUT_MAX_DIM;
}

/**
 * Check a page for internal consistency.
 *
 * @param[in] page  page to check
 * @return 0 when consistent, else -1 with a message naming the image, page
 *         and the first bad line/word/glyph
 *
 * Notes:
 *   (1) Lines must reference words in range, words glyphs in range;
 *       ranges may be empty. Boxes must be non-negative with x0 <= x1,
 *       y0 <= y1 (they are not clipped to the page: a glyph may touch the
 *       edge after deskew).
 *   (2) Confidences must lie in [0, 1]; a float rounding excess of up to
 *       1e-4 above 1 (a softmax sum) is accepted and written as 1. Line
 *       numbers must be finite.
 *   (3) Code points are not checked here: the writers replace anything
 *       unprintable with U+FFFD so that output stays well-formed.
 */
int out_page_check(const OutPage *page)
{
    int i;

    if (!page)
        return err_set("out_page_check: no page");
#define OUT_FAIL(...)                                                          \
    do {                                                                       \
        err_set(__VA_ARGS__);                                                  \
        return err_prefix("%s page %d", page->image ? page->image : "",       \
                          page->pageno);                                       \
    } while (0)
    if (!page->image || page->pageno < 0 || page->width < 0 ||
        page->height < 0 || page->dpi < 0 || page->n_lines < 0 ||
        page->n_words < 0 || page->n_glyphs < 0)
        OUT_FAIL("bad page header (%dx%d, dpi %d, %d lines, %d words, "
                 "%d glyphs)", page->width, page->height, page->dpi,
                 page->n_lines, page->n_words, page->n_glyphs);
    if ((page->n_lines && !page->lines) || (page->n_words && !page->words) ||
        (page->n_glyphs && !page->glyphs))
        OUT_FAIL("missing arrays");
    for (i = 0; i < page->n_lines; i++) {
        const OutLine *l = &page->lines[i];
        if (!box_ok(&l->box))
            OUT_FAIL("line %d: bad box %d %d %d %d", i, l->box.x0, l->box.y0,
                     l->box.x1, l->box.y1);
        if (l->first_word < 0 || l->n_words < 0 ||
            l->first_word > page->n_words - l->n_words)
            OUT_FAIL("line %d: words %d+%d out of range (%d words)", i,
                     l->first_word, l->n_words, page->n_words);
        if (l->block < 0)
            OUT_FAIL("line %d: negative block %d", i, l->block);
        if (!isfinite(l->baseline_slope) || !isfinite(l->baseline_offset) ||
            !isfinite(l->x_size) || l->x_size < 0)
            OUT_FAIL("line %d: bad baseline/x_size", i);
    }
    for (i = 0; i < page->n_words; i++) {
        const OutWord *w = &page->words[i];
        if (!box_ok(&w->box))
            OUT_FAIL("word %d: bad box %d %d %d %d", i, w->box.x0, w->box.y0,
                     w->box.x1, w->box.y1);
        if (w->first_glyph < 0 || w->n_glyphs < 0 ||
            w->first_glyph > page->n_glyphs - w->n_glyphs)
            OUT_FAIL("word %d: glyphs %d+%d out of range (%d glyphs)", i,
                     w->first_glyph, w->n_glyphs, page->n_glyphs);
        if ((unsigned)w->kind > OUT_WORD_PRINTED ||
            (w->kind != OUT_WORD_UNKNOWN &&
             !(w->printed >= 0.0f && w->printed <= 1.0f)))
            OUT_FAIL("word %d: bad kind %d / printed %g", i, (int)w->kind,
                     (double)w->printed);
    }
    for (i = 0; i < page->n_glyphs; i++) {
        const OutGlyph *g = &page->glyphs[i];
        if (!box_ok(&g->box))
            OUT_FAIL("glyph %d: bad box %d %d %d %d", i, g->box.x0, g->box.y0,
                     g->box.x1, g->box.y1);
        if (!(g->conf >= 0.0f && g->conf <= 1.0f + OUT_CONF_SLACK))
            OUT_FAIL("glyph %d: confidence %g outside [0,1]", i,
                     (double)g->conf);
    }
#undef OUT_FAIL
    return 0;
}

/* ---- encoding (fields through common/binio) ---- */

static unsigned char *put_box(unsigned char *p, const OutBox *b)
{
    p = binio_put_i32(p, b->x0);
    p = binio_put_i32(p, b->y0);
    p = binio_put_i32(p, b->x1);
    return binio_put_i32(p, b->y1);
}

static void get_box(BinReader *r, OutBox *b)
{
    b->x0 = binio_read_i32(r, "box");
    b->y0 = binio_read_i32(r, "box");
    b->x1 = binio_read_i32(r, "box");
    b->y1 = binio_read_i32(r, "box");
}

static size_t artifact_size(size_t image_len, size_t nl, size_t nw, size_t ng,
                            uint32_t flags)
{
    return OUT_HDR_SIZE + image_len + nl * OUT_LINE_SIZE + nw * OUT_WORD_SIZE +
           ng * OUT_GLYPH_SIZE +
           (flags & OUT_FLAG_KINDS ? nw * OUT_KIND_SIZE : 0) + 4;
}

/* OUT_FLAG_KINDS when any word of page is classified, else 0. */
static uint32_t page_flags(const OutPage *page)
{
    for (int i = 0; i < page->n_words; i++)
        if (page->words[i].kind != OUT_WORD_UNKNOWN)
            return OUT_FLAG_KINDS;
    return 0;
}

static void buf_str(BinBuf *b, const char *s)
{
    if (!s) {
        binio_buf_u32(b, OUT_NO_STR);
        return;
    }
    size_t n = strlen(s);
    binio_buf_u32(b, (uint32_t)n);
    binio_buf_write(b, s, n);
}

static void buf_box(BinBuf *b, const OutBox *x)
{
    binio_buf_i32(b, x->x0);
    binio_buf_i32(b, x->y0);
    binio_buf_i32(b, x->x1);
    binio_buf_i32(b, x->y1);
}

/* The form block of a version 2 artifact. 0 or -1. */
static int forms_encode(const OutPage *page, BinBuf *b)
{
    buf_str(b, page->form);
    binio_buf_i32(b, (page->reg_fit != 0) | (page->reg_method & 3) << 1);
    binio_buf_f32(b, page->reg_residual);
    binio_buf_f32(b, page->reg_scale);
    binio_buf_f32(b, page->reg_angle);
    binio_buf_f32(b, page->reg_dx);
    binio_buf_f32(b, page->reg_dy);
    binio_buf_i32(b, page->n_fields);
    for (int i = 0; i < page->n_fields; i++) {
        const OutField *f = &page->fields[i];
        if (!f->name || !f->value || strlen(f->name) > OUT_MAX_STR ||
            strlen(f->value) > OUT_MAX_STR ||
            (f->label && strlen(f->label) > OUT_MAX_STR) ||
            f->n_chars < 0 || f->n_chars > OUT_MAX_STR)
            return err_set("field %d: bad name, label, value or characters",
                           i + 1);
        buf_str(b, f->name);
        buf_str(b, f->label);
        buf_str(b, f->value);
        binio_buf_f32(b, f->conf);
        buf_box(b, &f->box);
        binio_buf_i32(b, (int32_t)f->kind);
        binio_buf_i32(b, f->needs_review);
        binio_buf_i32(b, f->n_chars);
        for (int c = 0; c < f->n_chars; c++) {
            const OutFieldChar *ch = &f->chars[c];
            buf_box(b, &ch->box);
            binio_buf_i32(b, ch->n_alts);
            for (int a = 0; a < OUT_FIELD_ALTS; a++) {
                binio_buf_u32(b, a < ch->n_alts ? ch->alt[a] : 0);
                binio_buf_f32(b, a < ch->n_alts ? ch->alt_conf[a] : 0.f);
            }
        }
    }
    return b->oom ? err_set("out of memory") : 0;
}

/* A string of the form block: NULL with *pnone 1 for "none"; NULL with
 * *pnone 0 on error. */
static char *read_str(BinReader *r, const char *what, int *pnone)
{
    *pnone = 0;
    uint32_t n = binio_read_u32(r, what);
    if (r->failed)
        return NULL;
    if (n == OUT_NO_STR) {
        *pnone = 1;
        return NULL;
    }
    if (n > OUT_MAX_STR) {
        err_set("%s of %u bytes", what, (unsigned)n);
        return NULL;
    }
    const unsigned char *p = binio_read_bytes(r, n, what);
    char *s = p ? malloc((size_t)n + 1) : NULL;
    if (!s || memchr(p, '\0', n)) {
        free(s);
        err_set("bad %s", what);
        return NULL;
    }
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

/* Read the form block into page. 0 or -1. */
static int forms_decode(BinReader *r, OutPage *page)
{
    int none;
    if (!(page->form = read_str(r, "form name", &none)) && !none)
        return err_set("bad form name");
    uint32_t fm = (uint32_t)binio_read_i32(r, "fit");
    page->reg_fit = (int)(fm & 1);
    page->reg_method = (int)(fm >> 1 & 3);
    page->reg_residual = binio_read_f32(r, "residual");
    page->reg_scale = binio_read_f32(r, "scale");
    page->reg_angle = binio_read_f32(r, "angle");
    page->reg_dx = binio_read_f32(r, "dx");
    page->reg_dy = binio_read_f32(r, "dy");
    int n = binio_read_i32(r, "field count");
    if (r->failed || n < 0 || n > OUT_MAX_STR)
        return err_set("bad field count");
    page->fields = calloc((size_t)n + 1, sizeof *page->fields);
    if (!page->fields)
        return err_set("out of memory");
    for (int i = 0; i < n; i++) {
        OutField *f = &page->fields[i];
        page->n_fields = i + 1;
        f->name = read_str(r, "field name", &none);
        f->label = f->name ? read_str(r, "field label", &none) : NULL;
        if (!f->name || (!f->label && !none) ||
            !(f->value = read_str(r, "field value", &none)))
            return err_set("field %d: bad name, label or value", i + 1);
        f->conf = binio_read_f32(r, "field confidence");
        get_box(r, &f->box);
        int kind = binio_read_i32(r, "field kind");
        f->needs_review = binio_read_i32(r, "needs review") != 0;
        f->n_chars = binio_read_i32(r, "character count");
        if (r->failed || kind < 0 || kind > OUT_FIELD_CHECKBOX ||
            f->n_chars < 0 || f->n_chars > OUT_MAX_STR ||
            !(f->conf >= 0.0f && f->conf <= 1.0f + OUT_CONF_SLACK))
            return err_set("field %d: bad kind, confidence or characters",
                           i + 1);
        f->kind = (OutFieldKind)kind;
        f->chars = calloc((size_t)f->n_chars + 1, sizeof *f->chars);
        if (!f->chars)
            return err_set("out of memory");
        for (int c = 0; c < f->n_chars; c++) {
            OutFieldChar *ch = &f->chars[c];
            get_box(r, &ch->box);
            ch->n_alts = binio_read_i32(r, "alternative count");
            if (ch->n_alts < 0 || ch->n_alts > OUT_FIELD_ALTS)
                return err_set("field %d: bad alternatives", i + 1);
            for (int a = 0; a < OUT_FIELD_ALTS; a++) {
                ch->alt[a] = binio_read_u32(r, "alternative");
                ch->alt_conf[a] = binio_read_f32(r, "alternative confidence");
            }
        }
    }
    return r->failed ? -1 : 0;
}

/**
 * Write a page as a versioned binary artifact.
 *
 * @param[in] page  page to save (checked with out_page_check())
 * @param[in] path  file to create or truncate
 * @return 0, or -1 with a message naming path
 *
 * Notes:
 *   (1) Not atomic by itself: the pipeline writes to a temp name and
 *       renames, so a reader never sees a half-written artifact under the
 *       final name; a half-written temp file is rejected by out_page_load().
 *   (2) The image path is limited to 65536 bytes.
 */
int out_page_save(const OutPage *page, const char *path)
{
    unsigned char *buf, *p;
    size_t ilen, size;
    FILE *fp;
    int i, rc = 0;

    if (out_page_check(page) < 0)
        return err_prefix("save %s", path);
    ilen = strlen(page->image);
    if (ilen > OUT_MAX_IMAGE)
        return err_set("save %s: image path too long (%zu bytes)", path, ilen);
    BinBuf fb = {0};
    int forms = page->form || page->n_fields > 0;
    if (forms && forms_encode(page, &fb) < 0) {
        binio_buf_cleanup(&fb);
        return err_prefix("save %s", path);
    }
    uint32_t flags = page_flags(page);
    size = artifact_size(ilen, (size_t)page->n_lines, (size_t)page->n_words,
                         (size_t)page->n_glyphs, flags) + fb.n;
    buf = fb.oom ? NULL : malloc(size);
    if (!buf) {
        binio_buf_cleanup(&fb);
        return err_set("save %s: out of memory (%zu bytes)", path, size);
    }
    p = buf;
    memcpy(p, OUT_MAGIC, 8);
    p += 8;
    p = binio_put_u32(p, forms ? OUT_PAGE_VERSION_FORMS : OUT_PAGE_VERSION);
    p = binio_put_u32(p, flags);
    p = binio_put_i32(p, page->pageno);
    p = binio_put_i32(p, page->width);
    p = binio_put_i32(p, page->height);
    p = binio_put_i32(p, page->dpi);
    p = binio_put_i32(p, page->n_lines);
    p = binio_put_i32(p, page->n_words);
    p = binio_put_i32(p, page->n_glyphs);
    p = binio_put_u32(p, (uint32_t)ilen);
    memcpy(p, page->image, ilen);
    p += ilen;
    for (i = 0; i < page->n_lines; i++) {
        const OutLine *l = &page->lines[i];
        p = put_box(p, &l->box);
        p = binio_put_f32(p, l->baseline_slope);
        p = binio_put_f32(p, l->baseline_offset);
        p = binio_put_f32(p, l->x_size);
        p = binio_put_i32(p, l->block);
        p = binio_put_i32(p, l->first_word);
        p = binio_put_i32(p, l->n_words);
        p = binio_put_u32(p, 0);
    }
    for (i = 0; i < page->n_words; i++) {
        const OutWord *w = &page->words[i];
        p = put_box(p, &w->box);
        p = binio_put_i32(p, w->first_glyph);
        p = binio_put_i32(p, w->n_glyphs);
    }
    for (i = 0; i < page->n_glyphs; i++) {
        const OutGlyph *g = &page->glyphs[i];
        p = put_box(p, &g->box);
        p = binio_put_u32(p, g->codepoint);
        p = binio_put_f32(p, g->conf);
    }
    for (i = 0; flags && i < page->n_words; i++) {
        p = binio_put_u32(p, (uint32_t)page->words[i].kind);
        p = binio_put_f32(p, page->words[i].printed);
    }
    if (fb.n)
        memcpy(p, fb.p, fb.n);
    p += fb.n;
    binio_buf_cleanup(&fb);
    p = binio_put_u32(p, binio_crc32(0, buf, size - 4));

    fp = fopen(path, "wb");
    if (!fp) {
        free(buf);
        return err_set_errno("save %s", path);
    }
    if (fwrite(buf, 1, size, fp) != size || fflush(fp) != 0)
        rc = err_set_errno("save %s: write", path);
    if (fclose(fp) != 0 && rc == 0)
        rc = err_set_errno("save %s: close", path);
    free(buf);
    return rc;
}

/* The fixed header of a page artifact. */
typedef struct {
    uint32_t version, flags, ilen;
    int pageno, width, height, dpi, nl, nw, ng;
} PageHeader;

/* Check buf (size bytes of path) as a page artifact: magic, version,
 * counts within limits, size as the header says, checksum; the header into
 * *h. 0, or -1 (message naming path set). */
static int header_check(const char *path, const unsigned char *buf,
                        size_t size, BinReader *r, PageHeader *h)
{
    if (size < 8 || memcmp(buf, OUT_MAGIC, 8) != 0)
        return err_set("%s: not an inkpipe page artifact (bad magic)", path);
    if (size < OUT_HDR_SIZE)
        return err_set("%s: truncated header (%zu bytes, need %d)", path,
                       size, OUT_HDR_SIZE);
    r->pos = 8;
    h->version = binio_read_u32(r, "version");
    if (h->version != OUT_PAGE_VERSION &&
        h->version != OUT_PAGE_VERSION_FORMS)
        return err_set("%s: artifact version %u, this build reads versions "
                       "%d and %d",
                       path, (unsigned)h->version, OUT_PAGE_VERSION,
                       OUT_PAGE_VERSION_FORMS);
    h->flags = binio_read_u32(r, "flags");
    if (h->flags & ~(uint32_t)OUT_FLAG_KINDS)
        return err_set("%s: unknown flags 0x%x in the header", path,
                       (unsigned)h->flags);
    h->pageno = binio_read_i32(r, "page number");
    h->width = binio_read_i32(r, "width");
    h->height = binio_read_i32(r, "height");
    h->dpi = binio_read_i32(r, "dpi");
    h->nl = binio_read_i32(r, "line count");
    h->nw = binio_read_i32(r, "word count");
    h->ng = binio_read_i32(r, "glyph count");
    h->ilen = binio_read_u32(r, "image name length");
    if (h->nl < 0 || h->nw < 0 || h->ng < 0 || h->nl > OUT_MAX_ITEMS ||
        h->nw > OUT_MAX_ITEMS || h->ng > OUT_MAX_ITEMS ||
        h->ilen > OUT_MAX_IMAGE)
        return err_set("%s: corrupt header (%d lines, %d words, %d glyphs, "
                       "image name %u bytes)",
                       path, h->nl, h->nw, h->ng, (unsigned)h->ilen);
    size_t want = artifact_size(h->ilen, (size_t)h->nl, (size_t)h->nw,
                                (size_t)h->ng, h->flags);
    if (size < want)
        return err_set("%s: truncated (%zu bytes, header says %zu)", path,
                       size, want);
    if (size > want && h->version == OUT_PAGE_VERSION)
        return err_set("%s: %zu trailing bytes after the page", path,
                       size - want);
    if (binio_get_u32(buf + size - 4) != binio_crc32(0, buf, size - 4))
        return err_set("%s: checksum mismatch (corrupt artifact)", path);
    return 0;
}

/* Read the lines, words and glyphs that h counts into page. */
static void items_read(BinReader *r, OutPage *page, const PageHeader *h)
{
    for (int i = 0; i < h->nl; i++) {
        OutLine *l = &page->lines[i];
        get_box(r, &l->box);
        l->baseline_slope = binio_read_f32(r, "line slope");
        l->baseline_offset = binio_read_f32(r, "line offset");
        l->x_size = binio_read_f32(r, "line x size");
        l->block = binio_read_i32(r, "line block");
        l->first_word = binio_read_i32(r, "line first word");
        l->n_words = binio_read_i32(r, "line word count");
        (void)binio_read_u32(r, "reserved");
    }
    for (int i = 0; i < h->nw; i++) {
        OutWord *w = &page->words[i];
        get_box(r, &w->box);
        w->first_glyph = binio_read_i32(r, "word first glyph");
        w->n_glyphs = binio_read_i32(r, "word glyph count");
    }
    for (int i = 0; i < h->ng; i++) {
        OutGlyph *g = &page->glyphs[i];
        get_box(r, &g->box);
        g->codepoint = binio_read_u32(r, "code point");
        g->conf = binio_read_f32(r, "confidence");
    }
    for (int i = 0; (h->flags & OUT_FLAG_KINDS) && i < h->nw; i++) {
        page->words[i].kind = (OutWordKind)binio_read_u32(r, "word kind");
        page->words[i].printed = binio_read_f32(r, "word printed");
    }
}

/**
 * Read a page artifact written by out_page_save().
 *
 * @param[in] path  artifact file
 * @return new page (caller owns; out_page_destroy()), or NULL with a
 *         message naming path and what is wrong (not an artifact, version,
 *         truncated, trailing bytes, checksum, bad content)
 */
OutPage *out_page_load(const char *path)
{
    const size_t max = artifact_size(OUT_MAX_IMAGE, OUT_MAX_ITEMS,
                                     OUT_MAX_ITEMS, OUT_MAX_ITEMS,
                                     OUT_FLAG_KINDS);
    BinReader r;
    PageHeader h = {0};
    size_t size;
    char *image = NULL;
    OutPage *page = NULL;

    unsigned char *buf = binio_file_read(path, max, &size);
    if (!buf)
        return NULL;
    binio_reader_init(&r, buf, size, path, "page artifact");
    if (header_check(path, buf, size, &r, &h) < 0)
        goto done;
    image = malloc((size_t)h.ilen + 1);
    if (!image) {
        err_set("%s: out of memory", path);
        goto done;
    }
    memcpy(image, buf + OUT_HDR_SIZE, h.ilen);
    image[h.ilen] = '\0';
    if (memchr(image, '\0', h.ilen)) {
        err_set("%s: image name contains a NUL byte", path);
        goto done;
    }
    page = out_page_create(image, h.pageno, h.width, h.height, h.dpi, h.nl,
                           h.nw, h.ng);
    if (!page) {
        err_prefix("%s", path);
        goto done;
    }
    /* the size check above makes every read below succeed */
    r.pos = OUT_HDR_SIZE + h.ilen;
    r.n = size - 4;
    items_read(&r, page, &h);
    if (h.version == OUT_PAGE_VERSION_FORMS && !r.failed &&
        forms_decode(&r, page) < 0) {
        err_prefix("%s", path);
        out_page_destroy(&page);
        goto done;
    }
    if (r.failed || r.pos != r.n) {
        if (!r.failed)
            err_set("%s: %zu bytes left after the page", path, r.n - r.pos);
        out_page_destroy(&page);
    } else if (out_page_check(page) < 0) {
        err_prefix("%s", path);
        out_page_destroy(&page);
    }
done:
    free(image);
    free(buf);
    return page;
}
