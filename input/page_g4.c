/*
 * page_g4.c - a 1 bpp page written as a CCITT Group 4 TIFF (the binarised
 * page between the pipeline's binarize and segment stages).
 *
 * Design: Leptonica's pixWriteTiff(..., IFF_TIFF_G4) hands libtiff the
 * page row by row, and libtiff's encoder finds each row's runs a byte at
 * a time. Here a row's changing elements (the pixels whose colour differs
 * from their left neighbour's) are taken 32 pixels at a time (a word of
 * paper costs one test), and the two-dimensional coding of ITU-T T.6 runs
 * over them and over the row above's: pass, vertical (the change within 3
 * pixels of the one above) or horizontal (two runs) mode, the codes of
 * T.4's tables, the end-of-facsimile block, in a 64-bit bit buffer. The
 * file is one strip, little-endian, the tags libtiff and Leptonica read:
 * size, 1 bit per sample, compression 4, photometric min-is-white (a 1
 * bit is ink, as in the PIX), one strip, and the resolution in pixels per
 * inch when the PIX has one. pixReadTiff (and every TIFF reader) gives
 * back the same pixels and resolution; test_page_g4 checks it on pages of
 * every run length of both colours.
 *
 * Threading: no shared state.
 */
#include "input/page.h"
#include "input/page_int.h"

#include "common/binio.h"
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A code: its bits, right-aligned, and how many. */
typedef struct {
    unsigned short bits;
    unsigned char len;
} G4Code;

/* T.4 terminating codes (run 0-63) and make-up codes (64-1728 by 64),
 * white then black; the extended make-up codes (1792-2560) are common. */
static const G4Code white_term[64] = {
    {0x35, 8}, {0x07, 6}, {0x07, 4}, {0x08, 4}, {0x0b, 4}, {0x0c, 4},
    {0x0e, 4}, {0x0f, 4}, {0x13, 5}, {0x14, 5}, {0x07, 5}, {0x08, 5},
    {0x08, 6}, {0x03, 6}, {0x34, 6}, {0x35, 6}, {0x2a, 6}, {0x2b, 6},
    {0x27, 7}, {0x0c, 7}, {0x08, 7}, {0x17, 7}, {0x03, 7}, {0x04, 7},
    {0x28, 7}, {0x2b, 7}, {0x13, 7}, {0x24, 7}, {0x18, 7}, {0x02, 8},
    {0x03, 8}, {0x1a, 8}, {0x1b, 8}, {0x12, 8}, {0x13, 8}, {0x14, 8},
    {0x15, 8}, {0x16, 8}, {0x17, 8}, {0x28, 8}, {0x29, 8}, {0x2a, 8},
    {0x2b, 8}, {0x2c, 8}, {0x2d, 8}, {0x04, 8}, {0x05, 8}, {0x0a, 8},
    {0x0b, 8}, {0x52, 8}, {0x53, 8}, {0x54, 8}, {0x55, 8}, {0x24, 8},
    {0x25, 8}, {0x58, 8}, {0x59, 8}, {0x5a, 8}, {0x5b, 8}, {0x4a, 8},
    {0x4b, 8}, {0x32, 8}, {0x33, 8}, {0x34, 8}};

static const G4Code white_makeup[27] = {
    {0x1b, 5},  {0x12, 5},  {0x17, 6},  {0x37, 7},  {0x36, 8},  {0x37, 8},
    {0x64, 8},  {0x65, 8},  {0x68, 8},  {0x67, 8},  {0xcc, 9},  {0xcd, 9},
    {0xd2, 9},  {0xd3, 9},  {0xd4, 9},  {0xd5, 9},  {0xd6, 9},  {0xd7, 9},
    {0xd8, 9},  {0xd9, 9},  {0xda, 9},  {0xdb, 9},  {0x98, 9},  {0x99, 9},
    {0x9a, 9},  {0x18, 6},  {0x9b, 9}};

static const G4Code black_term[64] = {
    {0x37, 10}, {0x02, 3},  {0x03, 2},  {0x02, 2},  {0x03, 3},  {0x03, 4},
    {0x02, 4},  {0x03, 5},  {0x05, 6},  {0x04, 6},  {0x04, 7},  {0x05, 7},
    {0x07, 7},  {0x04, 8},  {0x07, 8},  {0x18, 9},  {0x17, 10}, {0x18, 10},
    {0x08, 10}, {0x67, 11}, {0x68, 11}, {0x6c, 11}, {0x37, 11}, {0x28, 11},
    {0x17, 11}, {0x18, 11}, {0xca, 12}, {0xcb, 12}, {0xcc, 12}, {0xcd, 12},
    {0x68, 12}, {0x69, 12}, {0x6a, 12}, {0x6b, 12}, {0xd2, 12}, {0xd3, 12},
    {0xd4, 12}, {0xd5, 12}, {0xd6, 12}, {0xd7, 12}, {0x6c, 12}, {0x6d, 12},
    {0xda, 12}, {0xdb, 12}, {0x54, 12}, {0x55, 12}, {0x56, 12}, {0x57, 12},
    {0x64, 12}, {0x65, 12}, {0x52, 12}, {0x53, 12}, {0x24, 12}, {0x37, 12},
    {0x38, 12}, {0x27, 12}, {0x28, 12}, {0x58, 12}, {0x59, 12}, {0x2b, 12},
    {0x2c, 12}, {0x5a, 12}, {0x66, 12}, {0x67, 12}};

static const G4Code black_makeup[27] = {
    {0x0f, 10}, {0xc8, 12}, {0xc9, 12}, {0x5b, 12}, {0x33, 12}, {0x34, 12},
    {0x35, 12}, {0x6c, 13}, {0x6d, 13}, {0x4a, 13}, {0x4b, 13}, {0x4c, 13},
    {0x4d, 13}, {0x72, 13}, {0x73, 13}, {0x74, 13}, {0x75, 13}, {0x76, 13},
    {0x77, 13}, {0x52, 13}, {0x53, 13}, {0x54, 13}, {0x55, 13}, {0x5a, 13},
    {0x5b, 13}, {0x64, 13}, {0x65, 13}};

static const G4Code ext_makeup[13] = {
    {0x08, 11}, {0x0c, 11}, {0x0d, 11}, {0x12, 12}, {0x13, 12},
    {0x14, 12}, {0x15, 12}, {0x16, 12}, {0x17, 12}, {0x1c, 12},
    {0x1d, 12}, {0x1e, 12}, {0x1f, 12}};

/* Mode codes: pass 0001, horizontal 001, vertical a1 - b1 = -3 .. 3. */
static const G4Code pass_code = {0x1, 4};
static const G4Code horiz_code = {0x1, 3};
static const G4Code vert_code[7] = {{0x02, 7}, {0x02, 6}, {0x02, 3},
                                    {0x01, 1}, {0x03, 3}, {0x03, 6},
                                    {0x03, 7}};

/* The bit stream: whole bytes in out (common/binio.h's growable buffer),
 * gathered 256 at a time in chunk; up to 63 pending bits in acc (the
 * oldest highest). */
typedef struct {
    BinBuf out;
    unsigned char chunk[256];
    int nchunk;
    uint64_t acc;
    int nacc;
} G4Bits;

static void chunk_flush(G4Bits *b)
{
    binio_buf_write(&b->out, b->chunk, (size_t)b->nchunk);
    b->nchunk = 0;
}

static inline void bits_put(G4Bits *b, G4Code c)
{
    b->acc = b->acc << c.len | c.bits;
    b->nacc += c.len;
    if (b->nacc >= 32) {
        if (b->nchunk + 4 > (int)sizeof b->chunk)
            chunk_flush(b);
        uint32_t v = (uint32_t)(b->acc >> (b->nacc - 32));
        b->chunk[b->nchunk++] = (unsigned char)(v >> 24);
        b->chunk[b->nchunk++] = (unsigned char)(v >> 16);
        b->chunk[b->nchunk++] = (unsigned char)(v >> 8);
        b->chunk[b->nchunk++] = (unsigned char)v;
        b->nacc -= 32;
    }
}

/* The pending bits, padded with 0 to a byte, and the chunk, into out. */
static void bits_flush(G4Bits *b)
{
    while (b->nacc > 0) {
        if (b->nchunk == (int)sizeof b->chunk)
            chunk_flush(b);
        int n = b->nacc >= 8 ? 8 : b->nacc;
        unsigned v = (unsigned)(b->acc >> (b->nacc - n)) & ((1u << n) - 1);
        b->chunk[b->nchunk++] = (unsigned char)(v << (8 - n));
        b->nacc -= n;
    }
    chunk_flush(b);
}

/* A run of run pixels of one colour (black: 1). */
static void put_run(G4Bits *b, int run, int black)
{
    while (run >= 2560 + 64) {
        bits_put(b, ext_makeup[12]);
        run -= 2560;
    }
    if (run >= 64) {
        int m = run / 64; /* 1 .. 41 */
        if (m <= 27)
            bits_put(b, black ? black_makeup[m - 1] : white_makeup[m - 1]);
        else
            bits_put(b, ext_makeup[m - 28]);
        run -= 64 * m;
    }
    bits_put(b, black ? black_term[run] : white_term[run]);
}

/* The changing elements of a row of w pixels into ch (at most w + 1),
 * then three copies of w: the positions where a pixel's colour differs
 * from its left neighbour's (pixel -1 is white). Returns their count. */
static int row_changes(const l_uint32 *row, int w, int *ch)
{
    int n = 0, wpl = (w + 31) / 32;
    uint32_t prev = 0; /* the pixel left of the word, as bit 31 */
    for (int i = 0; i < wpl; i++) {
        uint32_t v = row[i];
        if (i == wpl - 1 && w % 32)
            v &= ~0u << (32 - w % 32);
        uint32_t t = v ^ (v >> 1 | prev);
        if (i == wpl - 1 && w % 32)
            t &= ~0u << (32 - w % 32);
        prev = v << 31;
        while (t) {
            int off = __builtin_clz(t);
            ch[n++] = 32 * i + off;
            t &= ~(0x80000000u >> off);
        }
    }
    ch[n] = ch[n + 1] = ch[n + 2] = w;
    return n;
}

/* One row coded against the row above: cur and ref are their changes
 * (row_changes; nref of the row above). A change at an even index turns
 * to black, at an odd one to white. */
static void code_row(G4Bits *b, const int *cur, const int *ref, int nref,
                     int w)
{
    int a0 = -1, color = 0, ia = 0, ib = 0;
    while (a0 < w) {
        while (cur[ia] <= a0)
            ia++;
        /* b1: above, right of a0, changing to the colour a0 is not. The
         * first change right of a0 may lie before the last b1 (a0 moved
         * to a1 up to 3 pixels left of it, the colour turned). */
        while (ib > 0 && ref[ib - 1] > a0)
            ib--;
        while (ib < nref && (ref[ib] <= a0 || (ib & 1) != color))
            ib++;
        int a1 = cur[ia], b1 = ref[ib], b2 = ref[ib + 1];
        if (b2 < a1) {
            bits_put(b, pass_code);
            a0 = b2;
        } else if (a1 - b1 >= -3 && a1 - b1 <= 3) {
            bits_put(b, vert_code[a1 - b1 + 3]);
            a0 = a1;
            color ^= 1;
        } else {
            int a2 = cur[ia + 1];
            bits_put(b, horiz_code);
            put_run(b, a1 - (a0 < 0 ? 0 : a0), color);
            put_run(b, a2 - a1, !color);
            a0 = a2;
        }
    }
}

/* The T.6 data of a 1 bpp PIX (ink = 1) into b. 0, or -1 out of memory. */
static int g4_code(PIX *pix, G4Bits *b)
{
    int w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix);
    int *c0 = malloc(((size_t)w + 4) * sizeof *c0);
    int *c1 = malloc(((size_t)w + 4) * sizeof *c1);
    if (!c0 || !c1) {
        free(c0);
        free(c1);
        return err_set("g4: out of memory (%dx%d page)", w, h);
    }
    int *ref = c0, *cur = c1, nref = 0;
    ref[0] = ref[1] = ref[2] = w; /* the white row above the first */
    const l_uint32 *data = pixGetData(pix);
    for (int y = 0; y < h && !b->out.oom; y++) {
        int ncur = row_changes(data + (size_t)y * wpl, w, cur);
        code_row(b, cur, ref, nref, w);
        int *t = ref;
        ref = cur;
        cur = t;
        nref = ncur;
    }
    free(c0);
    free(c1);
    /* end of facsimile block: EOL twice */
    bits_put(b, (G4Code){0x001, 12});
    bits_put(b, (G4Code){0x001, 12});
    bits_flush(b);
    if (b->out.oom)
        return err_set("g4: out of memory (%dx%d page)", w, h);
    return 0;
}

/* Little-endian stores. */
static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
    put16(p, v & 0xffff);
    put16(p + 2, v >> 16);
}

/* One IFD entry at p: tag, type (3 SHORT, 4 LONG, 5 RATIONAL), count 1,
 * value (or the offset of a RATIONAL). */
static unsigned char *entry(unsigned char *p, unsigned tag, unsigned type,
                            uint32_t value)
{
    put16(p, tag);
    put16(p + 2, type);
    put32(p + 4, 1);
    put32(p + 8, 0);
    if (type == 3)
        put16(p + 8, value);
    else
        put32(p + 8, value);
    return p + 12;
}

/**
 * CCITT G4 data of a w x h page as the bytes of a one-strip little-endian
 * TIFF: header, directory, the resolution (when xres and yres are both
 * over 0, pixels per inch), then the strip. page_g4_encode() writes its
 * pages so; page_pdf.c reads a PDF's CCITT images through it.
 *
 * @param strip        the T.6 data
 * @param len          its bytes
 * @param w, h         the page's size
 * @param photometric  0 min-is-white (a 1 bit is ink), 1 min-is-black
 * @param xres, yres   the resolution, or 0
 * @param plen         [out] the file's length
 * @return the bytes (caller frees), or NULL (too big for a TIFF, out of
 *         memory; no message)
 */
unsigned char *page__g4_tiff(const unsigned char *strip, size_t len, int w,
                             int h, int photometric, int xres, int yres,
                             size_t *plen)
{
    int res = xres > 0 && yres > 0;
    int nent = res ? 13 : 10;
    size_t head = 8 + 2 + 12 * (size_t)nent + 4 + (res ? 16 : 0);
    *plen = 0;
    if (len > 0xffffffffu - head)
        return NULL;
    unsigned char *t = calloc(head + len, 1);
    if (!t)
        return NULL;
    memcpy(t, "II*\0", 4);
    put32(t + 4, 8);
    put16(t + 8, (unsigned)nent);
    uint32_t rat = (uint32_t)(8 + 2 + 12 * nent + 4);
    unsigned char *p = t + 10;
    p = entry(p, 256, 4, (uint32_t)w);   /* ImageWidth */
    p = entry(p, 257, 4, (uint32_t)h);   /* ImageLength */
    p = entry(p, 258, 3, 1);             /* BitsPerSample */
    p = entry(p, 259, 3, 4);             /* Compression: T.6 */
    p = entry(p, 262, 3, (uint32_t)photometric);
    p = entry(p, 273, 4, (uint32_t)head); /* StripOffsets */
    p = entry(p, 277, 3, 1);             /* SamplesPerPixel */
    p = entry(p, 278, 4, (uint32_t)h);   /* RowsPerStrip */
    p = entry(p, 279, 4, (uint32_t)len); /* StripByteCounts */
    if (res) {
        p = entry(p, 282, 5, rat);       /* XResolution */
        p = entry(p, 283, 5, rat + 8);   /* YResolution */
    }
    p = entry(p, 293, 4, 0);             /* T6Options */
    if (res)
        p = entry(p, 296, 3, 2);         /* ResolutionUnit: inch */
    put32(p, 0);                         /* no next IFD */
    if (res) {
        put32(t + rat, (uint32_t)xres);
        put32(t + rat + 4, 1);
        put32(t + rat + 8, (uint32_t)yres);
        put32(t + rat + 12, 1);
    }
    if (len)
        memcpy(t + head, strip, len);
    *plen = head + len;
    return t;
}

/**
 * A 1 bpp page as the bytes of a one-strip G4 TIFF (see the file's
 * comment): what page_g4_write() writes.
 *
 * @param pix   1 bpp (ink = 1); its padding bits are not read
 * @param plen  [out] the file's length
 * @return the bytes (caller frees), or NULL with err_last() set (not
 *         1 bpp, too big for a TIFF, out of memory)
 */
unsigned char *page_g4_encode(PIX *pix, size_t *plen)
{
    *plen = 0;
    if (!pix || pixGetDepth(pix) != 1 || pixGetColormap(pix)) {
        err_set("g4: the page is not 1 bpp");
        return NULL;
    }
    int w = pixGetWidth(pix), h = pixGetHeight(pix);
    G4Bits b = {0};
    if (g4_code(pix, &b) < 0) {
        binio_buf_cleanup(&b.out);
        return NULL;
    }
    unsigned char *t = page__g4_tiff(b.out.p, b.out.n, w, h, 0, pixGetXRes(pix),
                                     pixGetYRes(pix), plen);
    binio_buf_cleanup(&b.out);
    if (!t)
        err_set("g4: out of memory, or a %dx%d page too big for a TIFF", w,
                h);
    return t;
}

/**
 * Write a 1 bpp page to path as a one-strip G4 TIFF: the same pixels and
 * resolution back from pixReadTiff as pixWriteTiff(path, pix,
 * IFF_TIFF_G4, "w") gives, written some times faster (see the file's
 * comment). Not synced.
 *
 * @param pix   1 bpp (ink = 1)
 * @param path  the file (created or truncated)
 * @return 0, or -1 with err_last() set naming path
 */
int page_g4_write(PIX *pix, const char *path)
{
    size_t len = 0;
    unsigned char *data = page_g4_encode(pix, &len);
    if (!data) {
        err_prefix("%s", path);
        return -1;
    }
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        free(data);
        return err_set_errno("g4: cannot write %s", path);
    }
    int rc = 0;
    if (fwrite(data, 1, len, fp) != len)
        rc = err_set_errno("g4: cannot write %s", path);
    if (fclose(fp) != 0 && rc == 0)
        rc = err_set_errno("g4: cannot write %s", path);
    free(data);
    return rc;
}
