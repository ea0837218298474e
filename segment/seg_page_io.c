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
/* Eight mask bytes (any non-zero is ink) as one packed byte, the first
 * the most significant bit: each byte folded to 0/1 in place, then one
 * multiply moves byte i's bit to bit 63 - i (the products land on
 * distinct bits, so nothing carries into the top byte). */
static unsigned char pack8(const unsigned char *m)
{
    uint64_t x = 0;
    for (int i = 0; i < 8; i++) /* little-endian whatever the host */
        x |= (uint64_t)m[i] << (8 * i);
    x |= x >> 4;
    x |= x >> 2;
    x |= x >> 1;
    x &= 0x0101010101010101ULL;
    return (unsigned char)((x * 0x8040201008040201ULL) >> 56);
}

static void put_mask(BinBuf *b, const unsigned char *m, size_t n)
{
    unsigned char chunk[512];
    size_t k = 0;
    while (k < n) {
        size_t nb = (n - k + 7) / 8;
        if (nb > sizeof chunk)
            nb = sizeof chunk;
        size_t j = 0;
        for (; j < nb && k + 8 <= n; j++, k += 8)
            chunk[j] = pack8(m + k);
        if (j < nb) { /* the last, partial byte */
            unsigned char v = 0;
            for (int bit = 0; k < n; bit++, k++)
                if (m[k])
                    v |= (unsigned char)(0x80u >> bit);
            chunk[j++] = v;
        }
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

/* The header of a SegPage artifact: page size, counts, stats. */
typedef struct {
    uint32_t w, h, dpi, nl, nw, ng, packed; /* packed: mask bytes */
    SegStats stats;
} SegHeader;

/* "PATH: WHY" as the error; -1. */
static int load_bad(const char *path, const char *why)
{
    return err_set("%s: %s", path, why);
}

/* Read and check the header of the artifact in buf (size bytes, reader r
 * at its start): magic, version, sizes in range, the exact file size and
 * the CRC. 0 with r after the header, or -1 with the reason. */
static int header_read(BinReader *r, const unsigned char *buf, size_t size,
                       SegHeader *hd)
{
    const char *path = r->name;
    const unsigned char *magic = binio_read_bytes(r, 4, "magic");
    if (!magic)
        return -1;
    if (memcmp(magic, SEG_MAGIC, 4) != 0)
        return load_bad(path, "not a segment file (bad magic)");
    uint32_t version = binio_read_u32(r, "version");
    if (r->failed)
        return -1;
    if (version != SEG_VERSION)
        return err_set("%s: segment file version %u, this build reads %u",
                       path, version, SEG_VERSION);
    hd->w = binio_read_u32(r, "width");
    hd->h = binio_read_u32(r, "height");
    hd->dpi = binio_read_u32(r, "dpi");
    hd->nl = binio_read_u32(r, "line count");
    hd->nw = binio_read_u32(r, "word count");
    hd->ng = binio_read_u32(r, "glyph count");
    hd->packed = binio_read_u32(r, "mask size");
    stats_get(r, &hd->stats);
    if (r->failed)
        return -1;
    if (hd->w < 1 || hd->h < 1 || hd->w > SEG_MAX_SIDE ||
        hd->h > SEG_MAX_SIDE || hd->nl > SEG_MAX_ITEMS ||
        hd->nw > SEG_MAX_ITEMS || hd->ng > SEG_MAX_ITEMS || hd->dpi > 100000)
        return load_bad(path, "corrupt header (sizes out of range)");
    /* The rest has an exact size: records, masks, CRC. */
    uint64_t want = SEG_HDR_BYTES + (uint64_t)hd->nl * SEG_LINE_BYTES +
                    (uint64_t)hd->nw * SEG_WORD_BYTES +
                    (uint64_t)hd->ng * SEG_GLYPH_BYTES + hd->packed + 4;
    if (binio_read_need(r, (size_t)(want - SEG_HDR_BYTES),
                        "lines, words, glyphs, masks and CRC") < 0)
        return -1;
    if ((uint64_t)size > want)
        return load_bad(path, "trailing bytes after the segment data");
    if (binio_crc32(0, buf, size - 4) != binio_get_u32(buf + size - 4))
        return load_bad(path, "corrupt (checksum mismatch)");
    return 0;
}

/* The unpacked size of the glyph masks, from the glyph boxes (read on a
 * copy of r, which stands after the header), each checked to lie on the
 * page, and their packed size checked against the header's. 0, or -1
 * with the reason. */
static int mask_bytes_get(const BinReader *r, const SegHeader *hd,
                          uint64_t *pmask_bytes)
{
    const char *path = r->name;
    BinReader scan = *r;
    binio_read_bytes(&scan, (size_t)hd->nl * SEG_LINE_BYTES +
                                (size_t)hd->nw * SEG_WORD_BYTES,
                     "lines and words");
    uint64_t mask_bytes = 0, packed_sum = 0;
    for (uint32_t i = 0; i < hd->ng; i++) {
        SegBox b = get_box(&scan, "glyph box");
        binio_read_bytes(&scan, SEG_GLYPH_BYTES - 16, "glyph indices");
        if (scan.failed)
            return -1;
        if (!box_ok(&b, (int)hd->w, (int)hd->h))
            return err_set("%s: glyph %u: box out of the page", path, i);
        mask_bytes += (uint64_t)b.w * b.h;
        packed_sum += ((uint64_t)b.w * b.h + 7) / 8;
    }
    if (packed_sum != hd->packed)
        return load_bad(path,
                        "corrupt (mask size does not match the glyph boxes)");
    *pmask_bytes = mask_bytes;
    return 0;
}

/* Read the line records into page: boxes on the page, word ranges
 * consecutive and covering every word. 0, or -1 with the reason. */
static int lines_read(BinReader *r, SegPage *page, const SegHeader *hd)
{
    const char *path = r->name;
    int expect_word = 0;
    for (uint32_t i = 0; i < hd->nl; i++) {
        SegLine *l = &page->lines[i];
        l->box = get_box(r, "line box");
        l->baseline_slope = binio_read_f32(r, "line slope");
        l->baseline_y = binio_read_f32(r, "line baseline");
        l->x_height = binio_read_f32(r, "line x-height");
        l->cap_height = binio_read_f32(r, "line cap height");
        l->block = binio_read_i32(r, "line block");
        l->first_word = binio_read_i32(r, "line first word");
        l->n_words = binio_read_i32(r, "line word count");
        if (r->failed)
            return -1;
        if (!box_ok(&l->box, (int)hd->w, (int)hd->h) || l->block < 0 ||
            l->first_word != expect_word || l->n_words < 1 ||
            l->n_words > (int)hd->nw - l->first_word)
            return err_set("%s: line %u: box or word range out of range",
                           path, i);
        expect_word += l->n_words;
    }
    if (expect_word != (int)hd->nw)
        return load_bad(path, "corrupt (lines do not cover the words)");
    return 0;
}

/* Read the word records into page: boxes on the page, glyph ranges
 * consecutive and covering every glyph. 0, or -1 with the reason. */
static int words_read(BinReader *r, SegPage *page, const SegHeader *hd)
{
    const char *path = r->name;
    int expect_glyph = 0;
    for (uint32_t i = 0; i < hd->nw; i++) {
        SegWord *wd = &page->words[i];
        wd->box = get_box(r, "word box");
        wd->first_glyph = binio_read_i32(r, "word first glyph");
        wd->n_glyphs = binio_read_i32(r, "word glyph count");
        if (r->failed)
            return -1;
        if (!box_ok(&wd->box, (int)hd->w, (int)hd->h) ||
            wd->first_glyph != expect_glyph || wd->n_glyphs < 1 ||
            wd->n_glyphs > (int)hd->ng - wd->first_glyph)
            return err_set("%s: word %u: box or glyph range out of range",
                           path, i);
        expect_glyph += wd->n_glyphs;
    }
    if (expect_glyph != (int)hd->ng)
        return load_bad(path, "corrupt (words do not cover the glyphs)");
    return 0;
}

/* Read the glyph records into page: each glyph's line and word exist and
 * hold it. 0, or -1 with the reason. */
static int glyphs_read(BinReader *r, SegPage *page, const SegHeader *hd)
{
    for (uint32_t i = 0; i < hd->ng; i++) {
        SegGlyph *g = &page->glyphs[i];
        g->box = get_box(r, "glyph box");
        g->line = binio_read_i32(r, "glyph line");
        g->word = binio_read_i32(r, "glyph word");
        if (r->failed)
            return -1;
        int ok = g->word >= 0 && g->word < (int)hd->nw && g->line >= 0 &&
                 g->line < (int)hd->nl;
        if (ok) {
            const SegWord *wd = &page->words[g->word];
            const SegLine *l = &page->lines[g->line];
            ok = (int)i >= wd->first_glyph &&
                 (int)i < wd->first_glyph + wd->n_glyphs &&
                 g->word >= l->first_word &&
                 g->word < l->first_word + l->n_words;
        }
        if (!ok)
            return err_set("%s: glyph %u: line/word index out of range",
                           r->name, i);
    }
    return 0;
}

/* Read the masks, unpacked to 0/1 bytes in glyph order. 0, or -1. */
static int masks_read(BinReader *r, SegPage *page, const SegHeader *hd)
{
    /* each packed byte's eight 0/1 bytes, first bit first */
    unsigned char spread[256][8];
    for (int v = 0; v < 256; v++)
        for (int k = 0; k < 8; k++)
            spread[v][k] = (unsigned char)((v >> (7 - k)) & 1);
    size_t off = 0;
    for (uint32_t i = 0; i < hd->ng; i++) {
        const SegBox *b = &page->glyphs[i].box;
        size_t n = (size_t)b->w * b->h;
        const unsigned char *pm = binio_read_bytes(r, (n + 7) / 8,
                                                   "glyph mask");
        if (!pm)
            return -1;
        page->mask_off[i] = off;
        unsigned char *m = page->mask_data + off;
        size_t k = 0;
        for (; k + 8 <= n; k += 8)
            memcpy(m + k, spread[pm[k >> 3]], 8);
        for (; k < n; k++)
            m[k] = (pm[k >> 3] >> (7 - (k & 7))) & 1u;
        off += n;
    }
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
 *   (2) Every field is read through a BinReader (common/binio.h); the
 *       header's counts give the exact size, which is checked (with the
 *       CRC) before any record is trusted (header_read), and the glyph
 *       boxes size the masks before anything is allocated
 *       (mask_bytes_get).
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
    BinReader r;
    binio_reader_init(&r, buf, size, path, "segment file");
    SegHeader hd = {0};
    uint64_t mask_bytes = 0;
    if (header_read(&r, buf, size, &hd) < 0 ||
        mask_bytes_get(&r, &hd, &mask_bytes) < 0)
        goto fail;
    page = seg__page_alloc((int)hd.w, (int)hd.h, (int)hd.nl, (int)hd.nw,
                           (int)hd.ng, (size_t)mask_bytes);
    if (!page) {
        err_prefix("%s", path);
        goto fail;
    }
    page->dpi = (int)hd.dpi;
    page->stats = hd.stats;
    if (lines_read(&r, page, &hd) < 0 || words_read(&r, page, &hd) < 0 ||
        glyphs_read(&r, page, &hd) < 0 || masks_read(&r, page, &hd) < 0)
        goto fail;
    free(buf);
    return page;
fail:
    seg_page_destroy(&page);
    free(buf);
    return NULL;
}
