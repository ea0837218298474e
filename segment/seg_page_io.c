/*
 * seg_page_io.c - the SegPage artifact between the segment and recognize
 * stages: save and load.
 *
 * Format (version 1), every field little-endian, no padding:
 *   u8[4]  magic "ISEG"
 *   u32    version (1)
 *   u32    width, height, dpi, n_lines, n_words, n_glyphs
 *   u32    mask_bytes (sum over glyphs of ceil(w*h/8))
 *   i32[8] SegStats, in declaration order
 *   lines  n_lines  x {i32 x,y,w,h; f32 slope, baseline_y, x_height,
 *                      cap_height; i32 block, first_word, n_words}
 *   words  n_words  x {i32 x,y,w,h; i32 first_glyph, n_glyphs}
 *   glyphs n_glyphs x {i32 x,y,w,h; i32 line, word}
 *   masks  per glyph ceil(w*h/8) bytes: the w*h mask bits row by row, most
 *          significant bit first, no row padding
 *   u32    CRC-32 (zlib) of everything before it
 * The file is built in a BinBuf and read through a BinReader
 * (common/binio.h), so every field is bounds-checked and a short file is
 * reported with the field it cut. Load checks the size, magic, version,
 * CRC and every index and box, so a truncated, foreign or corrupt file is
 * rejected with a message naming it instead of being trusted by
 * recognize. Save writes the path as given;
 * callers that need atomicity write a temp file and rename it.
 */
#include "segment/seg_internal.h"

#include "common/binio.h"
#include "common/err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SEG_MAGIC "ISEG"
#define SEG_VERSION 1u
#define SEG_HDR_BYTES (4 + 4 * 8 + 4 * 8)
#define SEG_LINE_BYTES 44
#define SEG_WORD_BYTES 24
#define SEG_GLYPH_BYTES 24
#define SEG_MAX_SIDE 100000
#define SEG_MAX_ITEMS 10000000
#define SEG_MAX_FILE (SIZE_MAX / 4) /* the header bounds the real size */

static void put_box(BinBuf *b, const SegBox *box)
{
    binio_buf_i32(b, box->x);
    binio_buf_i32(b, box->y);
    binio_buf_i32(b, box->w);
    binio_buf_i32(b, box->h);
}

static SegBox get_box(BinReader *r, const char *what)
{
    SegBox b;
    b.x = binio_read_i32(r, what);
    b.y = binio_read_i32(r, what);
    b.w = binio_read_i32(r, what);
    b.h = binio_read_i32(r, what);
    return b;
}

static int box_ok(const SegBox *b, int w, int h)
{
    return b->x >= 0 && b->y >= 0 && b->w >= 1 && b->h >= 1 &&
           b->x <= w - b->w && b->y <= h - b->h;
}

static void stats_put(BinBuf *b, const SegStats *s)
{
    const int v[8] = {s->n_components, s->n_specks,  s->n_dots_merged,
                      s->n_fragments_merged, s->n_splits, s->n_bridges_cut,
                      s->furniture_px, s->dpi_estimated};
    for (int i = 0; i < 8; i++)
        binio_buf_i32(b, v[i]);
}

static void stats_get(BinReader *r, SegStats *s)
{
    s->n_components = binio_read_i32(r, "stats");
    s->n_specks = binio_read_i32(r, "stats");
    s->n_dots_merged = binio_read_i32(r, "stats");
    s->n_fragments_merged = binio_read_i32(r, "stats");
    s->n_splits = binio_read_i32(r, "stats");
    s->n_bridges_cut = binio_read_i32(r, "stats");
    s->furniture_px = binio_read_i32(r, "stats");
    s->dpi_estimated = binio_read_i32(r, "stats");
}

/* Append the n 0/1 bytes of m as bits, most significant first, the last
 * byte padded with zero bits. */
static void put_mask(BinBuf *b, const unsigned char *m, size_t n)
{
    unsigned char chunk[512];
    size_t k = 0;
    while (k < n) {
        size_t nb = (n - k + 7) / 8;
        if (nb > sizeof chunk)
            nb = sizeof chunk;
        memset(chunk, 0, nb);
        for (size_t j = 0; j < nb * 8 && k < n; j++, k++)
            if (m[k])
                chunk[j >> 3] |= (unsigned char)(0x80u >> (j & 7));
        binio_buf_write(b, chunk, nb);
    }
}

/**
 * Write a SegPage artifact.
 *
 * @param[in] page  page to write
 * @param[in] path  file to create or truncate (written as given)
 * @return 0, or -1 with a message naming path
 */
int seg_page_save(const SegPage *page, const char *path)
{
    if (!page || !path)
        return err_set("seg_page_save: no page or path");
    uint64_t packed = 0;
    for (int i = 0; i < page->n_glyphs; i++) {
        const SegBox *b = &page->glyphs[i].box;
        packed += ((uint64_t)b->w * b->h + 7) / 8;
    }
    if (packed > UINT32_MAX)
        return err_set("%s: page too large to save", path);
    BinBuf b = {0};
    binio_buf_write(&b, SEG_MAGIC, 4);
    binio_buf_u32(&b, SEG_VERSION);
    binio_buf_u32(&b, (uint32_t)page->w);
    binio_buf_u32(&b, (uint32_t)page->h);
    binio_buf_u32(&b, (uint32_t)page->dpi);
    binio_buf_u32(&b, (uint32_t)page->n_lines);
    binio_buf_u32(&b, (uint32_t)page->n_words);
    binio_buf_u32(&b, (uint32_t)page->n_glyphs);
    binio_buf_u32(&b, (uint32_t)packed);
    stats_put(&b, &page->stats);
    for (int i = 0; i < page->n_lines; i++) {
        const SegLine *l = &page->lines[i];
        put_box(&b, &l->box);
        binio_buf_f32(&b, l->baseline_slope);
        binio_buf_f32(&b, l->baseline_y);
        binio_buf_f32(&b, l->x_height);
        binio_buf_f32(&b, l->cap_height);
        binio_buf_i32(&b, l->block);
        binio_buf_i32(&b, l->first_word);
        binio_buf_i32(&b, l->n_words);
    }
    for (int i = 0; i < page->n_words; i++) {
        const SegWord *wd = &page->words[i];
        put_box(&b, &wd->box);
        binio_buf_i32(&b, wd->first_glyph);
        binio_buf_i32(&b, wd->n_glyphs);
    }
    for (int i = 0; i < page->n_glyphs; i++) {
        const SegGlyph *g = &page->glyphs[i];
        put_box(&b, &g->box);
        binio_buf_i32(&b, g->line);
        binio_buf_i32(&b, g->word);
    }
    for (int i = 0; i < page->n_glyphs; i++) {
        const SegBox *box = &page->glyphs[i].box;
        put_mask(&b, page->mask_data + page->mask_off[i],
                 (size_t)box->w * box->h);
    }
    binio_buf_crc32(&b);
    int rc = b.oom ? err_set("%s: out of memory", path)
                   : binio_file_write(path, b.p, b.n);
    binio_buf_cleanup(&b);
    return rc;
}

/**
 * Read a SegPage artifact written by seg_page_save().
 *
 * @param[in] path  file to read
 * @return new SegPage (caller owns; seg_page_destroy()), or NULL with a
 *         message naming path (missing, truncated, wrong magic or version,
 *         CRC mismatch, index or box out of range)
 *
 * Notes:
 *   (1) The loaded page has the saved stats and dpi; masks are unpacked to
 *       0/1 bytes.
 *   (2) Every field is read through a BinReader (common/binio.h); the
 *       header's counts give the exact size, which is checked (with the
 *       CRC) before any record is trusted.
 */
SegPage *seg_page_load(const char *path)
{
    if (!path) {
        err_set("seg_page_load: no path");
        return NULL;
    }
    size_t size = 0;
    unsigned char *buf = binio_file_read(path, SEG_MAX_FILE, &size);
    if (!buf)
        return NULL;
    SegPage *page = NULL;
    const char *why = NULL;
    BinReader r;
    binio_reader_init(&r, buf, size, path, "segment file");
    const unsigned char *magic = binio_read_bytes(&r, 4, "magic");
    if (!magic)
        goto fail;
    if (memcmp(magic, SEG_MAGIC, 4) != 0) {
        why = "not a segment file (bad magic)";
        goto bad;
    }
    uint32_t version = binio_read_u32(&r, "version");
    if (r.failed)
        goto fail;
    if (version != SEG_VERSION) {
        err_set("%s: segment file version %u, this build reads %u", path,
                version, SEG_VERSION);
        goto fail;
    }
    uint32_t w = binio_read_u32(&r, "width");
    uint32_t h = binio_read_u32(&r, "height");
    uint32_t dpi = binio_read_u32(&r, "dpi");
    uint32_t nl = binio_read_u32(&r, "line count");
    uint32_t nw = binio_read_u32(&r, "word count");
    uint32_t ng = binio_read_u32(&r, "glyph count");
    uint32_t packed = binio_read_u32(&r, "mask size");
    SegStats stats;
    stats_get(&r, &stats);
    if (r.failed)
        goto fail;
    if (w < 1 || h < 1 || w > SEG_MAX_SIDE || h > SEG_MAX_SIDE ||
        nl > SEG_MAX_ITEMS || nw > SEG_MAX_ITEMS || ng > SEG_MAX_ITEMS ||
        dpi > 100000) {
        why = "corrupt header (sizes out of range)";
        goto bad;
    }
    /* The rest has an exact size: records, masks, CRC. */
    uint64_t want = SEG_HDR_BYTES + (uint64_t)nl * SEG_LINE_BYTES +
                    (uint64_t)nw * SEG_WORD_BYTES +
                    (uint64_t)ng * SEG_GLYPH_BYTES + packed + 4;
    if (binio_read_need(&r, (size_t)(want - SEG_HDR_BYTES),
                        "lines, words, glyphs, masks and CRC") < 0)
        goto fail;
    if ((uint64_t)size > want) {
        why = "trailing bytes after the segment data";
        goto bad;
    }
    if (binio_crc32(0, buf, size - 4) != binio_get_u32(buf + size - 4)) {
        why = "corrupt (checksum mismatch)";
        goto bad;
    }
    /* Glyph boxes first, on a copy of the reader: they size the masks. */
    BinReader scan = r;
    binio_read_bytes(&scan, (size_t)nl * SEG_LINE_BYTES +
                                (size_t)nw * SEG_WORD_BYTES,
                     "lines and words");
    uint64_t mask_bytes = 0, packed_sum = 0;
    for (uint32_t i = 0; i < ng; i++) {
        SegBox b = get_box(&scan, "glyph box");
        binio_read_bytes(&scan, SEG_GLYPH_BYTES - 16, "glyph indices");
        if (scan.failed)
            goto fail;
        if (!box_ok(&b, (int)w, (int)h)) {
            err_set("%s: glyph %u: box out of the page", path, i);
            goto fail;
        }
        mask_bytes += (uint64_t)b.w * b.h;
        packed_sum += ((uint64_t)b.w * b.h + 7) / 8;
    }
    if (packed_sum != packed) {
        why = "corrupt (mask size does not match the glyph boxes)";
        goto bad;
    }
    page = seg__page_alloc((int)w, (int)h, (int)nl, (int)nw, (int)ng,
                           (size_t)mask_bytes);
    if (!page) {
        err_prefix("%s", path);
        goto fail;
    }
    page->dpi = (int)dpi;
    page->stats = stats;
    int expect_word = 0;
    for (uint32_t i = 0; i < nl; i++) {
        SegLine *l = &page->lines[i];
        l->box = get_box(&r, "line box");
        l->baseline_slope = binio_read_f32(&r, "line slope");
        l->baseline_y = binio_read_f32(&r, "line baseline");
        l->x_height = binio_read_f32(&r, "line x-height");
        l->cap_height = binio_read_f32(&r, "line cap height");
        l->block = binio_read_i32(&r, "line block");
        l->first_word = binio_read_i32(&r, "line first word");
        l->n_words = binio_read_i32(&r, "line word count");
        if (r.failed)
            goto fail;
        if (!box_ok(&l->box, (int)w, (int)h) || l->block < 0 ||
            l->first_word != expect_word || l->n_words < 1 ||
            l->n_words > (int)nw - l->first_word) {
            err_set("%s: line %u: box or word range out of range", path, i);
            goto fail;
        }
        expect_word += l->n_words;
    }
    if (expect_word != (int)nw) {
        why = "corrupt (lines do not cover the words)";
        goto bad;
    }
    int expect_glyph = 0;
    for (uint32_t i = 0; i < nw; i++) {
        SegWord *wd = &page->words[i];
        wd->box = get_box(&r, "word box");
        wd->first_glyph = binio_read_i32(&r, "word first glyph");
        wd->n_glyphs = binio_read_i32(&r, "word glyph count");
        if (r.failed)
            goto fail;
        if (!box_ok(&wd->box, (int)w, (int)h) ||
            wd->first_glyph != expect_glyph || wd->n_glyphs < 1 ||
            wd->n_glyphs > (int)ng - wd->first_glyph) {
            err_set("%s: word %u: box or glyph range out of range", path, i);
            goto fail;
        }
        expect_glyph += wd->n_glyphs;
    }
    if (expect_glyph != (int)ng) {
        why = "corrupt (words do not cover the glyphs)";
        goto bad;
    }
    for (uint32_t i = 0; i < ng; i++) {
        SegGlyph *g = &page->glyphs[i];
        g->box = get_box(&r, "glyph box");
        g->line = binio_read_i32(&r, "glyph line");
        g->word = binio_read_i32(&r, "glyph word");
        if (r.failed)
            goto fail;
        int ok = g->word >= 0 && g->word < (int)nw && g->line >= 0 &&
                 g->line < (int)nl;
        if (ok) {
            const SegWord *wd = &page->words[g->word];
            const SegLine *l = &page->lines[g->line];
            ok = (int)i >= wd->first_glyph &&
                 (int)i < wd->first_glyph + wd->n_glyphs &&
                 g->word >= l->first_word &&
                 g->word < l->first_word + l->n_words;
        }
        if (!ok) {
            err_set("%s: glyph %u: line/word index out of range", path, i);
            goto fail;
        }
    }
    /* Masks, unpacked to 0/1 bytes in glyph order. */
    size_t off = 0;
    for (uint32_t i = 0; i < ng; i++) {
        const SegBox *b = &page->glyphs[i].box;
        size_t n = (size_t)b->w * b->h;
        const unsigned char *pm = binio_read_bytes(&r, (n + 7) / 8,
                                                   "glyph mask");
        if (!pm)
            goto fail;
        page->mask_off[i] = off;
        unsigned char *m = page->mask_data + off;
        for (size_t k = 0; k < n; k++)
            m[k] = (pm[k >> 3] >> (7 - (k & 7))) & 1u;
        off += n;
    }
    free(buf);
    return page;
bad:
    err_set("%s: %s", path, why);
fail:
    seg_page_destroy(&page);
    free(buf);
    return NULL;
}
