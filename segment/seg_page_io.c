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
 * Load checks the size, magic, version, CRC and every index and box, so a
 * truncated, foreign or corrupt file is rejected with a message naming it
 * instead of being trusted by recognize. Save writes the path as given;
 * callers that need atomicity write a temp file and rename it.
 */
#include "segment/seg_internal.h"

#include "common/binio.h"
#include "common/err.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
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

static void put_box(unsigned char *p, const SegBox *b)
{
    binio_put_i32(p, b->x);
    binio_put_i32(p + 4, b->y);
    binio_put_i32(p + 8, b->w);
    binio_put_i32(p + 12, b->h);
}

static SegBox get_box(const unsigned char *p)
{
    SegBox b = {binio_get_i32(p), binio_get_i32(p + 4), binio_get_i32(p + 8), binio_get_i32(p + 12)};
    return b;
}

static int box_ok(const SegBox *b, int w, int h)
{
    return b->x >= 0 && b->y >= 0 && b->w >= 1 && b->h >= 1 &&
           b->x <= w - b->w && b->y <= h - b->h;
}

static void stats_put(unsigned char *p, const SegStats *s)
{
    const int v[8] = {s->n_components, s->n_specks,  s->n_dots_merged,
                      s->n_fragments_merged, s->n_splits, s->n_bridges_cut,
                      s->furniture_px, s->dpi_estimated};
    for (int i = 0; i < 8; i++)
        binio_put_i32(p + 4 * i, v[i]);
}

static void stats_get(const unsigned char *p, SegStats *s)
{
    s->n_components = binio_get_i32(p);
    s->n_specks = binio_get_i32(p + 4);
    s->n_dots_merged = binio_get_i32(p + 8);
    s->n_fragments_merged = binio_get_i32(p + 12);
    s->n_splits = binio_get_i32(p + 16);
    s->n_bridges_cut = binio_get_i32(p + 20);
    s->furniture_px = binio_get_i32(p + 24);
    s->dpi_estimated = binio_get_i32(p + 28);
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
    uint64_t size = SEG_HDR_BYTES + (uint64_t)page->n_lines * SEG_LINE_BYTES +
                    (uint64_t)page->n_words * SEG_WORD_BYTES +
                    (uint64_t)page->n_glyphs * SEG_GLYPH_BYTES + packed + 4;
    if (packed > UINT32_MAX || size > SIZE_MAX / 2)
        return err_set("%s: page too large to save", path);
    unsigned char *buf = calloc((size_t)size, 1);
    if (!buf)
        return err_set("%s: out of memory (%llu bytes)", path,
                       (unsigned long long)size);
    unsigned char *p = buf;
    memcpy(p, SEG_MAGIC, 4);
    binio_put_u32(p + 4, SEG_VERSION);
    binio_put_u32(p + 8, (uint32_t)page->w);
    binio_put_u32(p + 12, (uint32_t)page->h);
    binio_put_u32(p + 16, (uint32_t)page->dpi);
    binio_put_u32(p + 20, (uint32_t)page->n_lines);
    binio_put_u32(p + 24, (uint32_t)page->n_words);
    binio_put_u32(p + 28, (uint32_t)page->n_glyphs);
    binio_put_u32(p + 32, (uint32_t)packed);
    stats_put(p + 36, &page->stats);
    p += SEG_HDR_BYTES;
    for (int i = 0; i < page->n_lines; i++, p += SEG_LINE_BYTES) {
        const SegLine *l = &page->lines[i];
        put_box(p, &l->box);
        binio_put_f32(p + 16, l->baseline_slope);
        binio_put_f32(p + 20, l->baseline_y);
        binio_put_f32(p + 24, l->x_height);
        binio_put_f32(p + 28, l->cap_height);
        binio_put_i32(p + 32, l->block);
        binio_put_i32(p + 36, l->first_word);
        binio_put_i32(p + 40, l->n_words);
    }
    for (int i = 0; i < page->n_words; i++, p += SEG_WORD_BYTES) {
        const SegWord *wd = &page->words[i];
        put_box(p, &wd->box);
        binio_put_i32(p + 16, wd->first_glyph);
        binio_put_i32(p + 20, wd->n_glyphs);
    }
    for (int i = 0; i < page->n_glyphs; i++, p += SEG_GLYPH_BYTES) {
        const SegGlyph *g = &page->glyphs[i];
        put_box(p, &g->box);
        binio_put_i32(p + 16, g->line);
        binio_put_i32(p + 20, g->word);
    }
    for (int i = 0; i < page->n_glyphs; i++) {
        const SegBox *b = &page->glyphs[i].box;
        const unsigned char *m = page->mask_data + page->mask_off[i];
        size_t n = (size_t)b->w * b->h;
        for (size_t k = 0; k < n; k++)
            if (m[k])
                p[k >> 3] |= (unsigned char)(0x80u >> (k & 7));
        p += (n + 7) / 8;
    }
    binio_put_u32(p, binio_crc32(0, buf, (size_t)(p - buf)));
    FILE *f = fopen(path, "wb");
    if (!f) {
        free(buf);
        return err_set_errno("%s: cannot create", path);
    }
    size_t wr = fwrite(buf, 1, (size_t)size, f);
    int bad = wr != (size_t)size || fflush(f) != 0;
    if (fclose(f) != 0)
        bad = 1;
    free(buf);
    if (bad)
        return err_set_errno("%s: write failed", path);
    return 0;
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
    if (size < SEG_HDR_BYTES + 4) {
        why = "truncated (shorter than the header)";
        goto bad;
    }
    if (memcmp(buf, SEG_MAGIC, 4) != 0) {
        why = "not a segment file (bad magic)";
        goto bad;
    }
    uint32_t version = binio_get_u32(buf + 4);
    if (version != SEG_VERSION) {
        err_set("%s: segment file version %u, this build reads %u", path,
                version, SEG_VERSION);
        free(buf);
        return NULL;
    }
    uint32_t w = binio_get_u32(buf + 8), h = binio_get_u32(buf + 12),
             dpi = binio_get_u32(buf + 16), nl = binio_get_u32(buf + 20),
             nw = binio_get_u32(buf + 24), ng = binio_get_u32(buf + 28),
             packed = binio_get_u32(buf + 32);
    if (w < 1 || h < 1 || w > SEG_MAX_SIDE || h > SEG_MAX_SIDE ||
        nl > SEG_MAX_ITEMS || nw > SEG_MAX_ITEMS || ng > SEG_MAX_ITEMS ||
        dpi > 100000) {
        why = "corrupt header (sizes out of range)";
        goto bad;
    }
    uint64_t want = SEG_HDR_BYTES + (uint64_t)nl * SEG_LINE_BYTES +
                    (uint64_t)nw * SEG_WORD_BYTES +
                    (uint64_t)ng * SEG_GLYPH_BYTES + packed + 4;
    if ((uint64_t)size < want) {
        err_set("%s: truncated segment file (%zu of %llu bytes)", path, size,
                (unsigned long long)want);
        free(buf);
        return NULL;
    }
    if ((uint64_t)size > want) {
        why = "trailing bytes after the segment data";
        goto bad;
    }
    if (binio_crc32(0, buf, size - 4) != binio_get_u32(buf + size - 4)) {
        why = "corrupt (checksum mismatch)";
        goto bad;
    }
    /* Glyph boxes first: they size the mask block. */
    const unsigned char *pl = buf + SEG_HDR_BYTES;
    const unsigned char *pw = pl + (size_t)nl * SEG_LINE_BYTES;
    const unsigned char *pg = pw + (size_t)nw * SEG_WORD_BYTES;
    const unsigned char *pm = pg + (size_t)ng * SEG_GLYPH_BYTES;
    uint64_t mask_bytes = 0, packed_sum = 0;
    for (uint32_t i = 0; i < ng; i++) {
        SegBox b = get_box(pg + (size_t)i * SEG_GLYPH_BYTES);
        if (!box_ok(&b, (int)w, (int)h)) {
            err_set("%s: glyph %u: box out of the page", path, i);
            free(buf);
            return NULL;
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
        free(buf);
        return NULL;
    }
    page->dpi = (int)dpi;
    stats_get(buf + 36, &page->stats);
    int expect_word = 0;
    for (uint32_t i = 0; i < nl; i++) {
        const unsigned char *p = pl + (size_t)i * SEG_LINE_BYTES;
        SegLine *l = &page->lines[i];
        l->box = get_box(p);
        l->baseline_slope = binio_get_f32(p + 16);
        l->baseline_y = binio_get_f32(p + 20);
        l->x_height = binio_get_f32(p + 24);
        l->cap_height = binio_get_f32(p + 28);
        l->block = binio_get_i32(p + 32);
        l->first_word = binio_get_i32(p + 36);
        l->n_words = binio_get_i32(p + 40);
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
        const unsigned char *p = pw + (size_t)i * SEG_WORD_BYTES;
        SegWord *wd = &page->words[i];
        wd->box = get_box(p);
        wd->first_glyph = binio_get_i32(p + 16);
        wd->n_glyphs = binio_get_i32(p + 20);
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
    /* Which line each word is in, to check the glyphs' indices. */
    size_t off = 0;
    for (uint32_t i = 0; i < ng; i++) {
        const unsigned char *p = pg + (size_t)i * SEG_GLYPH_BYTES;
        SegGlyph *g = &page->glyphs[i];
        g->box = get_box(p);
        g->line = binio_get_i32(p + 16);
        g->word = binio_get_i32(p + 20);
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
        size_t n = (size_t)g->box.w * g->box.h;
        page->mask_off[i] = off;
        unsigned char *m = page->mask_data + off;
        for (size_t k = 0; k < n; k++)
            m[k] = (pm[k >> 3] >> (7 - (k & 7))) & 1u;
        pm += (n + 7) / 8;
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
