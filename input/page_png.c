/*
 * page_png.c - fast path for the PNG pages scanners write (see page.h).
 *
 * Design: a grey A4 page at 300 dpi is 8.7 Mpixel, and Leptonica's
 * pixRead spends most of its time in zlib's inflate, libpng's row
 * machinery and a byte-by-byte copy into the PIX. For the PNGs a scanner
 * writes (non-interlaced grey or RGB, with or without an alpha channel, 8
 * or 16 bits, no palette) this file decodes the page in one pass over memory:
 *   1. the whole file is read into one buffer; the chunks are walked with
 *      every length bounded and every CRC checked (libdeflate_crc32);
 *   2. the IDAT payloads are moved together in place and inflated in one
 *      call by libdeflate (whole-buffer; about 1.6x zlib's speed here),
 *      into a buffer of exactly height * (1 + row bytes), which the zlib
 *      stream must fill exactly and end with its Adler-32 checked;
 *   3. each row is unfiltered in place (None/Sub/Up/Average/Paeth; 8-bit
 *      grey 16 rows at a time in SSE2 byte lanes, else runs of four
 *      Average rows as one interleaved pass, since each row alone is a
 *      serial chain) and copied into the PIX while it
 *      is in cache: 8-bit grey by 32-bit
 *      byte swaps, 16-bit samples stripped to their high byte and RGB packed
 *      into 32 bpp words, exactly as pixReadStreamPng does (spp 3, alpha
 *      byte 255, resolution from pHYs in pixels per metre, first tEXt as the
 *      PIX text); grey + alpha and RGBA are put over white paper
 *      (page_over_white) into RGB, as page_read does to pixRead's RGBA.
 * Anything else - interlaced, palette, 1/2/4-bit, tRNS, compressed
 * text, an unknown critical chunk, a bad CRC, a zlib stream that is short,
 * long or followed by extra bytes, a missing IEND - makes page_png_read()
 * return NULL without a message, and the caller hands the file to
 * Leptonica's pixRead, which decodes it or fails exactly as before. So the
 * fast path changes no result; it only skips work on the common files.
 * Ownership: the returned PIX belongs to the caller. Threading: no global
 * state (one libdeflate decompressor per call).
 */
#include "input/page.h"
#include "common/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#define PNG_WAVE 1
#else
#define PNG_WAVE 0
#endif

/* rows unfiltered at once (unfilter_wave) */
#define PNG_WAVE_ROWS 16

/* libpng's default limits (png_set_user_limits) */
#define PNG_MAX_DIM 1000000u
/* tEXt chunks bigger than this are left to libpng (its own limits decide) */
#define PNG_MAX_TEXT 65536u

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

/* Read the whole of fd (size bytes) into a new buffer, or NULL. */
static unsigned char *read_all(int fd, size_t size)
{
    unsigned char *buf = malloc(size ? size : 1);
    if (buf && fs_read_full(fd, buf, size) != (ssize_t)size) {
        free(buf);
        return NULL;
    }
    return buf;
}

static int paeth(int a, int b, int c)
{
    int p = a + b - c;
    int pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    if (pa <= pb && pa <= pc)
        return a;
    return pb <= pc ? b : c;
}

/* Undo one row's filter in place. row: n bytes; prev: the row above,
 * already unfiltered (zeros for the first row); bpp: bytes per pixel.
 * Returns 0, or -1 for an unknown filter type. The bpp argument is a
 * constant at every call site below, so each case compiles to its own
 * loop. */
static inline int unfilter_row(int type, unsigned char *row,
                               const unsigned char *prev, size_t n, int bpp)
{
    size_t i;
    if (bpp == 1 && type != 2) {
        /* one byte per pixel: the left neighbour stays in a register (a
         * load of the byte just stored would wait on store forwarding at
         * every pixel, doubling the time of this serial chain) */
        unsigned a = 0, c = 0;
        switch (type) {
        case 0:
            return 0;
        case 1:
            for (i = 0; i < n; i++)
                row[i] = (unsigned char)(a = (row[i] + a) & 0xff);
            return 0;
        case 3:
            for (i = 0; i < n; i++)
                row[i] =
                    (unsigned char)(a = (row[i] + ((a + prev[i]) >> 1)) & 0xff);
            return 0;
        case 4:
            /* Paeth without branches (noisy scans make its choice
             * unpredictable): |p - a| = |b - c| is known before a, and
             * the choice is made with selects; the same choice as paeth()
             * (ties go to a, then b) */
            for (i = 0; i < n; i++) {
                int b = prev[i], ia = (int)a, ic = (int)c;
                int pa = abs(b - ic), pb = abs(ia - ic),
                    pc = abs(ia + b - 2 * ic);
                int bc = pb <= pc ? b : ic;
                int pr = ((pa <= pb) & (pa <= pc)) ? ia : bc;
                a = (row[i] + (unsigned)pr) & 0xff;
                row[i] = (unsigned char)a;
                c = (unsigned)b;
            }
            return 0;
        default:
            return -1;
        }
    }
    switch (type) {
    case 0:
        return 0;
    case 1:
        for (i = (size_t)bpp; i < n; i++)
            row[i] = (unsigned char)(row[i] + row[i - (size_t)bpp]);
        return 0;
    case 2:
        for (i = 0; i < n; i++)
            row[i] = (unsigned char)(row[i] + prev[i]);
        return 0;
    case 3:
        for (i = 0; i < (size_t)bpp && i < n; i++)
            row[i] = (unsigned char)(row[i] + (prev[i] >> 1));
        for (; i < n; i++)
            row[i] = (unsigned char)(row[i] +
                                     ((row[i - (size_t)bpp] + prev[i]) >> 1));
        return 0;
    case 4:
        for (i = 0; i < (size_t)bpp && i < n; i++)
            row[i] = (unsigned char)(row[i] + prev[i]);
        for (; i < n; i++)
            row[i] =
                (unsigned char)(row[i] + paeth(row[i - (size_t)bpp], prev[i],
                                               prev[i - (size_t)bpp]));
        return 0;
    default:
        return -1;
    }
}

/* Undo the Average filter on four consecutive rows of one byte per pixel
 * at once. r[0..3]: the rows (n >= 4 bytes each); prev: the row above
 * r[0]. Each row is a serial chain (a pixel needs its left neighbour), so
 * one row at a time runs at the latency of that chain; here row k runs k
 * pixels behind row k-1, the pixel above comes from row k-1's register,
 * and the four chains overlap. */
static void unfilter_avg4(unsigned char *const r[4], const unsigned char *prev,
                          size_t n)
{
    unsigned char *r0 = r[0], *r1 = r[1], *r2 = r[2], *r3 = r[3];
    /* the top-left triangle, from memory: row k up to pixel 2 - k */
    for (int k = 0; k < 4; k++) {
        const unsigned char *up = k ? r[k - 1] : prev;
        unsigned left = 0;
        for (int j = 0; j <= 2 - k; j++) {
            left = (r[k][j] + ((left + up[j]) >> 1)) & 0xff;
            r[k][j] = (unsigned char)left;
        }
    }
    /* a_k: row k's left neighbour for this step, which for row k + 1 is
     * also the pixel above */
    unsigned a0 = r0[2], a1 = r1[1], a2 = r2[0], a3 = 0;
    for (size_t i = 3; i < n; i++) {
        a3 = (r3[i - 3] + ((a3 + a2) >> 1)) & 0xff;
        r3[i - 3] = (unsigned char)a3;
        a2 = (r2[i - 2] + ((a2 + a1) >> 1)) & 0xff;
        r2[i - 2] = (unsigned char)a2;
        a1 = (r1[i - 1] + ((a1 + a0) >> 1)) & 0xff;
        r1[i - 1] = (unsigned char)a1;
        a0 = (r0[i] + ((a0 + prev[i]) >> 1)) & 0xff;
        r0[i] = (unsigned char)a0;
    }
    /* the bottom-right triangle: the last k pixels of row k */
    for (int k = 1; k < 4; k++)
        for (size_t j = n - (size_t)k; j < n; j++)
            r[k][j] =
                (unsigned char)(r[k][j] + ((r[k][j - 1] + r[k - 1][j]) >> 1));
}

#if PNG_WAVE
/* The prediction of filter type (1-4) from the left, above and above-left
 * pixels, one byte per pixel; 0 for type 0. */
static inline unsigned predict(int type, unsigned a, unsigned b, unsigned c)
{
    switch (type) {
    case 1:
        return a;
    case 2:
        return b;
    case 3:
        return (a + b) >> 1;
    case 4:
        return (unsigned)paeth((int)a, (int)b, (int)c);
    default:
        return 0;
    }
}

/* Transpose 16 x 16 bytes: x[i] byte j <-> x[j] byte i. Each round
 * interleaves rows i and i + 8, which rotates the 8-bit index (row, column)
 * by one bit; four rounds swap row and column. */
static inline void transpose16(__m128i x[16])
{
#pragma GCC unroll 4
    for (int round = 0; round < 4; round++) {
        __m128i y[16];
#pragma GCC unroll 8
        for (int i = 0; i < 8; i++) {
            y[2 * i] = _mm_unpacklo_epi8(x[i], x[i + 8]);
            y[2 * i + 1] = _mm_unpackhi_epi8(x[i], x[i + 8]);
        }
#pragma GCC unroll 16
        for (int i = 0; i < 16; i++)
            x[i] = y[i];
    }
}

static inline __m128i abs_epi16(__m128i x)
{
    return _mm_max_epi16(x, _mm_sub_epi16(_mm_setzero_si128(), x));
}

/* Paeth's prediction in each byte lane, as paeth(): the distances in 16
 * bits, the choice as byte masks. */
static inline __m128i paeth_epu8(__m128i a, __m128i b, __m128i c)
{
    __m128i z = _mm_setzero_si128();
    __m128i al = _mm_unpacklo_epi8(a, z), ah = _mm_unpackhi_epi8(a, z);
    __m128i bl = _mm_unpacklo_epi8(b, z), bh = _mm_unpackhi_epi8(b, z);
    __m128i cl = _mm_unpacklo_epi8(c, z), ch = _mm_unpackhi_epi8(c, z);
    __m128i dal = _mm_sub_epi16(al, cl), dah = _mm_sub_epi16(ah, ch);
    __m128i dbl = _mm_sub_epi16(bl, cl), dbh = _mm_sub_epi16(bh, ch);
    /* pa = |b - c|, pb = |a - c|, pc = |a + b - 2c| */
    __m128i pal = abs_epi16(dbl), pah = abs_epi16(dbh);
    __m128i pbl = abs_epi16(dal), pbh = abs_epi16(dah);
    __m128i pcl = abs_epi16(_mm_add_epi16(dal, dbl));
    __m128i pch = abs_epi16(_mm_add_epi16(dah, dbh));
    /* not a: pa > pb or pa > pc; then not b: pb > pc */
    __m128i na = _mm_packs_epi16(
        _mm_or_si128(_mm_cmpgt_epi16(pal, pbl), _mm_cmpgt_epi16(pal, pcl)),
        _mm_or_si128(_mm_cmpgt_epi16(pah, pbh), _mm_cmpgt_epi16(pah, pch)));
    __m128i nb = _mm_packs_epi16(_mm_cmpgt_epi16(pbl, pcl),
                                 _mm_cmpgt_epi16(pbh, pch));
    __m128i bc = _mm_or_si128(_mm_andnot_si128(nb, b), _mm_and_si128(nb, c));
    return _mm_or_si128(_mm_andnot_si128(na, a), _mm_and_si128(na, bc));
}

/* The scalar edges of unfilter_wave(): row k of r from column j0 to j1
 * (exclusive), its left neighbour and the row above already unfiltered. */
static void wave_edge(unsigned char *row, const unsigned char *up, int type,
                      size_t j0, size_t j1)
{
    for (size_t j = j0; j < j1; j++) {
        unsigned a = j ? row[j - 1] : 0, c = j ? up[j - 1] : 0;
        row[j] = (unsigned char)(row[j] + predict(type, a, up[j], c));
    }
}

/* unfilter_wave() for one kind of group: 0 all Average, 1 no Paeth, 2 any
 * filter (a constant at each call, so each kind compiles to its own loop
 * without the selects it does not need). */
static inline void wave_kind(unsigned char *const r[16],
                             const unsigned char *prev, size_t n,
                             const unsigned char type[16], int kind)
{
    /* the top-left triangle: row k up to column 14 - k */
    for (int k = 0; k < 15; k++)
        wave_edge(r[k], k ? r[k - 1] : prev, type[k], 0, (size_t)(15 - k));
    /* lane k: row k; masks of the lanes of each filter; the left and
     * above-left neighbours of each lane's first pixel (column 15 - k) */
    unsigned char m[4][16], left[16], ul[16];
    for (int k = 0; k < 16; k++) {
        for (int t = 0; t < 4; t++)
            m[t][k] = type[k] == t + 1 ? 0xff : 0;
        left[k] = k < 15 ? r[k][14 - k] : 0;
        ul[k] = k == 0 ? prev[14] : k < 15 ? r[k - 1][14 - k] : 0;
    }
    const __m128i m1 = _mm_loadu_si128((const __m128i *)(void *)m[0]);
    const __m128i m2 = _mm_loadu_si128((const __m128i *)(void *)m[1]);
    const __m128i m3 = _mm_loadu_si128((const __m128i *)(void *)m[2]);
    const __m128i m4 = _mm_loadu_si128((const __m128i *)(void *)m[3]);
    const __m128i one = _mm_set1_epi8(1);
    __m128i o = _mm_loadu_si128((const __m128i *)(void *)left);
    __m128i c = _mm_loadu_si128((const __m128i *)(void *)ul);
    size_t s0 = 15;
    for (; s0 + 16 <= n; s0 += 16) {
        /* row k from column s0 - k: after the transpose, t[j] holds
         * step s0 + j of every lane */
        __m128i t[16];
#pragma GCC unroll 16
        for (int k = 0; k < 16; k++)
            t[k] = _mm_loadu_si128((const __m128i *)(void *)(r[k] + s0 - k));
        transpose16(t);
#pragma GCC unroll 16
        for (int j = 0; j < 16; j++) {
            /* above: the lane before's last pixel; lane 0's from prev */
            __m128i b = _mm_or_si128(_mm_slli_si128(o, 1),
                                     _mm_cvtsi32_si128(prev[s0 + j]));
            /* floor((a + b) / 2) = round up, less the odd bit */
            __m128i p = _mm_sub_epi8(_mm_avg_epu8(o, b),
                                     _mm_and_si128(_mm_xor_si128(o, b), one));
            if (kind >= 1)
                p = _mm_or_si128(
                    _mm_and_si128(p, m3),
                    _mm_or_si128(_mm_and_si128(o, m1), _mm_and_si128(b, m2)));
            if (kind == 2)
                p = _mm_or_si128(p, _mm_and_si128(paeth_epu8(o, b, c), m4));
            c = b;
            o = _mm_add_epi8(t[j], p);
            t[j] = o;
        }
        transpose16(t);
#pragma GCC unroll 16
        for (int k = 0; k < 16; k++)
            _mm_storeu_si128((__m128i *)(void *)(r[k] + s0 - k), t[k]);
    }
    /* the bottom-right triangle: row k from column s0 - k */
    for (int k = 0; k < 16; k++)
        wave_edge(r[k], k ? r[k - 1] : prev, type[k], s0 - (size_t)k, n);
}

/* Undo the filters of 16 consecutive rows of one byte per pixel at once
 * (SSE2). r[0..15]: the rows (n >= 16 bytes each); prev: the row above
 * r[0]; type: their filter types (0-4). Each row is a serial chain (a
 * pixel needs its left neighbour): row k runs k pixels behind row k - 1,
 * in byte lane k, so one vector step moves all 16 chains a pixel on and
 * the pixel above is the lane before's previous result. 16 x 16 blocks
 * are transposed in and out. The same bytes as unfilter_row() on each. */
static void unfilter_wave(unsigned char *const r[16], const unsigned char *prev,
                          size_t n, const unsigned char type[16])
{
    int avg = 1, paeth = 0;
    for (int k = 0; k < 16; k++) {
        avg &= type[k] == 3;
        paeth |= type[k] == 4;
    }
    if (avg)
        wave_kind(r, prev, n, type, 0);
    else if (!paeth)
        wave_kind(r, prev, n, type, 1);
    else
        wave_kind(r, prev, n, type, 2);
}
#endif

/* Copy one unfiltered row into a PIX row (Leptonica's layout for the
 * colour type: see unfilter_into). chan: samples per pixel (1 grey, 2 grey
 * + alpha, 3 RGB, 4 RGBA); alpha is put over white. */
static void copy_row(const unsigned char *row, l_uint32 *line, int w, int wpl,
                     int chan, int wide)
{
    if (chan == 2 || chan == 4) {
        /* the high byte of 16-bit samples, as Leptonica strips them before
         * its RGBA conversion; then over white, grey to R = G = B */
        int step = wide ? 2 : 1;
        const unsigned char *p = row;
        for (int x = 0; x < w; x++, p += chan * step) {
            unsigned a = p[(chan - 1) * step];
            unsigned r = page_over_white(p[0], a);
            unsigned g = chan == 2 ? r : page_over_white(p[step], a);
            unsigned b = chan == 2 ? r : page_over_white(p[2 * step], a);
            line[x] = (l_uint32)r << 24 | (l_uint32)g << 16 |
                      (l_uint32)b << 8 | 0xff;
        }
        return;
    }
    if (chan == 1 && !wide) {
        /* bytes in order -> words with the first byte most significant;
         * the padding of the last word is 0 */
        int full = w / 4, j = 0;
#if PNG_WAVE
        /* four words at a time: swap the bytes of each 16-bit half, then
         * the halves (a load before its store, as in place it must) */
        for (; j + 4 <= full; j += 4) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(row +
                                                                    4 * j));
            v = _mm_or_si128(_mm_slli_epi16(v, 8), _mm_srli_epi16(v, 8));
            v = _mm_shufflehi_epi16(_mm_shufflelo_epi16(v, 0xb1), 0xb1);
            _mm_storeu_si128((__m128i *)(void *)(line + j), v);
        }
#endif
        for (; j < full; j++) {
            const unsigned char *p = row + 4 * j;
            line[j] = (l_uint32)p[0] << 24 | (l_uint32)p[1] << 16 |
                      (l_uint32)p[2] << 8 | p[3];
        }
        if (full < wpl) {
            l_uint32 v = 0;
            for (int k = 0; k < w - 4 * full; k++)
                v |= (l_uint32)row[4 * full + k] << (24 - 8 * k);
            line[full] = v;
            for (j = full + 1; j < wpl; j++)
                line[j] = 0;
        }
    } else if (chan == 1) {
        /* 16-bit grey: the high byte of each sample (STRIP_16) */
        memset(line, 0, (size_t)wpl * 4);
        for (int x = 0; x < w; x++)
            SET_DATA_BYTE(line, x, row[2 * x]);
    } else {
        /* RGB: red in the top byte, alpha 255 */
        int step = wide ? 2 : 1;
        const unsigned char *p = row;
        for (int x = 0; x < w; x++, p += 3 * step)
            line[x] = (l_uint32)p[0] << 24 | (l_uint32)p[step] << 16 |
                      (l_uint32)p[2 * step] << 8 | 0xff;
    }
}

/* Unfilter every row of raw (h rows of 1 + rb bytes) and copy each into the
 * PIX's data (wpl words a row), which has the depth Leptonica gives this
 * colour type, while it is in cache. bpp: bytes per pixel of the PNG;
 * chan: samples per pixel (1-4); wide: 16-bit samples; tmp [optional]:
 * rb bytes for the row above the next ones, when data is raw itself
 * (grey_in_place_size). Returns 0 or -1 (bad filter type).
 *
 * In place, PIX row y (wpl * 4 <= 1 + rb bytes, grey_in_place_size) lies
 * at or before its own unfiltered row and ends before row y + 1's filter
 * byte; copy_row() reads each word's bytes before it writes the word,
 * front to back, so it never overwrites bytes still to be read. */
static int unfilter_into(unsigned char *raw, const unsigned char *zero,
                         unsigned char *tmp, size_t rb, int w, int h, int bpp,
                         int chan, int wide, l_uint32 *data, int wpl)
{
    const unsigned char *prev = zero;
    size_t stride = rb + 1;
    for (int y = 0; y < h;) {
        unsigned char *f = raw + (size_t)y * stride, *row = f + 1;
        int k = 1, rc = 0;
#if PNG_WAVE
        unsigned char types[PNG_WAVE_ROWS];
        int wave = bpp == 1 && y + PNG_WAVE_ROWS <= h && rb >= PNG_WAVE_ROWS;
        for (int j = 0; wave && j < PNG_WAVE_ROWS; j++)
            wave = (types[j] = f[(size_t)j * stride]) <= 4;
        if (wave) {
            unsigned char *r[PNG_WAVE_ROWS];
            for (int j = 0; j < PNG_WAVE_ROWS; j++)
                r[j] = row + (size_t)j * stride;
            unfilter_wave(r, prev, rb, types);
            k = PNG_WAVE_ROWS;
        } else
#endif
        if (bpp == 1 && y + 4 <= h && rb >= 4 && f[0] == 3 && f[stride] == 3 &&
            f[2 * stride] == 3 && f[3 * stride] == 3) {
            /* most rows of a grey scan are Average-filtered */
            unsigned char *r[4] = {row, row + stride, row + 2 * stride,
                                   row + 3 * stride};
            unfilter_avg4(r, prev, rb);
            k = 4;
        } else {
            switch (bpp) { /* constant bpp per loop instance */
            case 1:
                rc = unfilter_row(*f, row, prev, rb, 1);
                break;
            case 2:
                rc = unfilter_row(*f, row, prev, rb, 2);
                break;
            case 3:
                rc = unfilter_row(*f, row, prev, rb, 3);
                break;
            case 4:
                rc = unfilter_row(*f, row, prev, rb, 4);
                break;
            case 6:
                rc = unfilter_row(*f, row, prev, rb, 6);
                break;
            default:
                rc = unfilter_row(*f, row, prev, rb, 8);
                break;
            }
        }
        if (rc < 0)
            return -1;
        /* in place, the last row is kept for the next one's filter: its
         * PIX row overwrites it */
        if (tmp)
            memcpy(tmp, row + (size_t)(k - 1) * stride, rb);
        for (int j = 0; j < k; j++)
            copy_row(row + (size_t)j * stride, data + (size_t)(y + j) * wpl, w,
                     wpl, chan, wide);
        prev = tmp ? tmp : row + (size_t)(k - 1) * stride;
        y += k;
    }
    return 0;
}

/* What the IHDR of a PNG on the fast path says. */
typedef struct {
    uint32_t w, h;
    int chan; /* samples per pixel: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA */
    int wide; /* 16 bits per sample */
    int bpp;  /* bytes per pixel */
    size_t rb; /* bytes per row, without the filter byte */
} PngHead;

/* Read the signature and IHDR (the first 33 bytes, into hd) of the open
 * PNG fd of fsize bytes and check that the fast path takes it: 8 or 16
 * bits, grey / RGB / grey + alpha / RGBA, not interlaced, sides within
 * PNG_MAX_DIM, and a file not far bigger than its pixels could need
 * (deflate adds 5 bytes per 16 KiB at worst: libpng streams such a file).
 * 0, or -1 (not taken). */
static int png_head_read(int fd, uint64_t fsize, unsigned char hd[33],
                         PngHead *ph)
{
    static const unsigned char sig[8] = {137,  'P',  'N', 'G',
                                         '\r', '\n', 26,  '\n'};
    if (pread(fd, hd, 33, 0) != 33 || memcmp(hd, sig, 8) != 0 ||
        be32(hd + 8) != 13 || memcmp(hd + 12, "IHDR", 4) != 0 ||
        libdeflate_crc32(0, hd + 12, 17) != be32(hd + 29))
        return -1;
    uint32_t w = be32(hd + 16), h = be32(hd + 20);
    int depth = hd[24], ctype = hd[25];
    uint64_t need = (uint64_t)h * ((uint64_t)w * 8 + 1);
    if (w == 0 || h == 0 || w > PNG_MAX_DIM || h > PNG_MAX_DIM || hd[26] != 0 ||
        hd[27] != 0 || hd[28] != 0 /* interlace */ ||
        (depth != 8 && depth != 16) ||
        (ctype != 0 && ctype != 2 && ctype != 4 && ctype != 6) ||
        fsize > 2 * need + (1u << 20))
        return -1;
    ph->w = w;
    ph->h = h;
    /* samples per pixel: grey, -, RGB, -, grey + alpha, -, RGBA */
    ph->chan = ctype == 0 ? 1 : ctype == 2 ? 3 : ctype == 4 ? 2 : 4;
    ph->wide = depth == 16;
    ph->bpp = ph->chan * (ph->wide ? 2 : 1);
    ph->rb = (size_t)w * (size_t)ph->bpp;
    return 0;
}

/* What the chunks after IHDR hold for the fast path. */
typedef struct {
    size_t zstart, zlen;   /* the IDAT data, moved together: buf + zstart */
    uint32_t ppm_x, ppm_y; /* pHYs in pixels per metre; 0 = none */
    const char *text;      /* the first tEXt's value (in buf), or NULL */
    size_t text_len;
} PngChunks;

/* Walk the chunks of the file in buf (size bytes) after IHDR, checking
 * each one's length, CRC and type as libpng would, and move the IDAT data
 * together. -1 (not taken) for damage, IDATs not in one run, no IEND,
 * PLTE or another critical chunk, tRNS, zTXt or iTXt. */
static int png_chunks_walk(unsigned char *buf, size_t size, PngChunks *c)
{
    size_t pos = 33;
    int seen_idat = 0, idat_done = 0, seen_iend = 0, have_phys = 0;
    memset(c, 0, sizeof *c);
    while (pos + 12 <= size) {
        uint32_t len = be32(buf + pos);
        const unsigned char *type = buf + pos + 4;
        if (len > 0x7fffffffu || len > size - pos - 12)
            return -1;
        const unsigned char *body = buf + pos + 8;
        if (libdeflate_crc32(0, type, (size_t)len + 4) != be32(body + len))
            return -1;
        for (int k = 0; k < 4; k++) /* libpng: letters only, else error */
            if (!((type[k] >= 'A' && type[k] <= 'Z') ||
                  (type[k] >= 'a' && type[k] <= 'z')))
                return -1;
        int critical = !(type[0] & 0x20);
        if (!memcmp(type, "IDAT", 4)) {
            if (idat_done)
                return -1; /* IDATs not in one run */
            if (!seen_idat)
                c->zstart = pos + 8; /* inflate input starts at the first */
            else
                memmove(buf + c->zstart + c->zlen, body, len);
            seen_idat = 1;
            c->zlen += len;
        } else {
            if (seen_idat)
                idat_done = 1;
            if (!memcmp(type, "IEND", 4)) {
                if (len != 0)
                    return -1;
                seen_iend = 1;
                break;
            } else if (critical) {
                return -1; /* PLTE, a second IHDR, unknown critical */
            } else if (!memcmp(type, "tRNS", 4) || !memcmp(type, "zTXt", 4) ||
                       !memcmp(type, "iTXt", 4)) {
                return -1;
            } else if (!memcmp(type, "pHYs", 4)) {
                if (len != 9)
                    return -1;
                /* libpng keeps the first one before the image data */
                if (!seen_idat && !have_phys) {
                    have_phys = 1;
                    if (body[8] == 1) { /* pixels per metre */
                        c->ppm_x = be32(body);
                        c->ppm_y = be32(body + 4);
                    }
                }
            } else if (!memcmp(type, "tEXt", 4)) {
                const unsigned char *nul = memchr(body, 0, len);
                if (len > PNG_MAX_TEXT || !nul || nul == body ||
                    nul - body > 79)
                    return -1;
                if (!c->text) {
                    c->text = (const char *)nul + 1;
                    c->text_len = len - (size_t)(nul + 1 - body);
                }
            }
        }
        pos += (size_t)len + 12;
    }
    return seen_idat && seen_iend ? 0 : -1;
}

/* Inflate the IDAT data (buf + c->zstart, c->zlen bytes) into the filtered
 * rows; the stream must fill the rows exactly and end the IDAT data.
 * New buffer of h x (rb + 1) bytes, or cap when that is more (caller
 * frees), or NULL. */
static unsigned char *png_inflate(const unsigned char *buf,
                                  const PngChunks *c, const PngHead *ph,
                                  size_t cap)
{
    size_t rawsize = (size_t)ph->h * (ph->rb + 1);
    unsigned char *raw = malloc(cap > rawsize ? cap : rawsize);
    struct libdeflate_decompressor *dd = libdeflate_alloc_decompressor();
    size_t in_used = 0;
    enum libdeflate_result dr = LIBDEFLATE_BAD_DATA;
    if (raw && dd)
        dr = libdeflate_zlib_decompress_ex(dd, buf + c->zstart, c->zlen, raw,
                                           rawsize, &in_used, NULL);
    libdeflate_free_decompressor(dd);
    if (dr != LIBDEFLATE_SUCCESS || in_used != c->zlen) {
        free(raw);
        return NULL;
    }
    return raw;
}

/* The bytes of 8-bit grey pixels the PIX's rows take when its data can
 * take the place of the inflated rows, else 0. A PIX row (w rounded up to
 * 4 bytes, at most 1 + rb) then never reaches the rows not yet copied, so
 * the page needs one buffer instead of two (8.7 MB less on a 300 dpi A4
 * page, and its rows land on lines the unfiltering just had in cache);
 * unfilter_into keeps the last unfiltered row of each step in tmp, the
 * row above the next ones. */
static size_t grey_in_place_size(const PngHead *ph)
{
    size_t wpl4 = ((size_t)ph->w + 3) / 4 * 4; /* bytes per PIX row */
    if (ph->chan != 1 || ph->wide || wpl4 > ph->rb + 1)
        return 0;
    return (size_t)ph->h * wpl4;
}

/* The PIX of the inflated rows raw: unfiltered, with Leptonica's depth,
 * spp, input format, resolution (pixReadStreamPng's conversion from
 * pixels per metre) and text txt (optional). New PIX, or NULL. */
static PIX *png_pix(unsigned char **praw, const PngHead *ph,
                    const PngChunks *c, const char *txt)
{
    unsigned char *raw = *praw;
    int in_place = grey_in_place_size(ph) > 0;
    unsigned char *zero = calloc(ph->rb + 8, 1);
    unsigned char *tmp = in_place ? malloc(ph->rb) : NULL;
    PIX *pix = NULL;
    if (zero && (tmp || !in_place))
        pix = in_place ? pixCreateHeader((int)ph->w, (int)ph->h, 8)
                       : pixCreateNoInit((int)ph->w, (int)ph->h,
                                         ph->chan == 1 ? 8 : 32);
    int rc = -1;
    if (pix)
        rc = unfilter_into(raw, zero, tmp, ph->rb, (int)ph->w, (int)ph->h,
                           ph->bpp, ph->chan, ph->wide,
                           in_place ? (l_uint32 *)(void *)raw
                                    : pixGetData(pix),
                           pixGetWpl(pix));
    free(zero);
    free(tmp);
    if (rc < 0) {
        pixDestroy(&pix);
        return NULL;
    }
    if (in_place) { /* the PIX owns raw now (Leptonica frees with free) */
        pixSetData(pix, (l_uint32 *)(void *)raw);
        *praw = NULL;
    }
    pixSetSpp(pix, ph->chan == 1 ? 1 : 3);
    pixSetInputFormat(pix, IFF_PNG);
    pixSetXRes(pix, (l_int32)((l_float32)c->ppm_x / 39.37 + 0.5));
    pixSetYRes(pix, (l_int32)((l_float32)c->ppm_y / 39.37 + 0.5));
    if (txt)
        pixSetText(pix, txt);
    return pix;
}

/**
 * Decode a PNG page on the fast path, if it is one of the common kinds.
 *
 * @param[in] path  file (already known to be a PNG; size already checked
 *                  against the pixel limit from its header)
 * @return new PIX equal to what page_read() makes of pixRead(path) (caller owns;
 *         pixDestroy()), or NULL - without setting a message - when the
 *         file is not one this path takes, is damaged in any way, or memory
 *         runs out: the caller then reads it with pixRead
 *
 * Notes:
 *   (1) Taken: non-interlaced grey, RGB, grey + alpha or RGBA, 8 or 16 bits
 *       per sample, without PLTE, tRNS, zTXt or iTXt. The result has
 *       Leptonica's depth (8 bpp for grey, else 32), resolution, input
 *       format and text; spp 1 or 3: an alpha channel is put over white
 *       (page_flatten_alpha), so transparent ink over black RGB reads as
 *       dark ink on white paper.
 *   (2) Memory: the file, the inflated rows and the PIX, at once; for
 *       8-bit grey (most scans) the PIX takes the inflated rows' place
 *       (grey_in_place_size), so the file and one page-sized buffer.
 *   (3) The steps: png_head_read (signature, IHDR), png_chunks_walk,
 *       png_inflate, png_pix (unfilter_into).
 */
PIX *page_png_read(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    unsigned char hd[33];
    PngHead ph;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 57 ||
        (uint64_t)st.st_size > SIZE_MAX / 2 ||
        png_head_read(fd, (uint64_t)st.st_size, hd, &ph) < 0) {
        close(fd);
        return NULL;
    }
    size_t size = (size_t)st.st_size;
    unsigned char *buf = read_all(fd, size);
    close(fd);
    PngChunks c;
    if (!buf || memcmp(buf, hd, sizeof hd) != 0 ||
        png_chunks_walk(buf, size, &c) < 0) {
        free(buf);
        return NULL;
    }
    /* the text, before the IDAT data is moved over the buffer behind it */
    char *txt = NULL;
    if (c.text) {
        size_t n = strnlen(c.text, c.text_len);
        txt = malloc(n + 1);
        if (!txt) {
            free(buf);
            return NULL;
        }
        memcpy(txt, c.text, n);
        txt[n] = '\0';
    }
    unsigned char *raw = png_inflate(buf, &c, &ph, grey_in_place_size(&ph));
    free(buf);
    PIX *pix = raw ? png_pix(&raw, &ph, &c, txt) : NULL;
    free(raw);
    free(txt);
    return pix;
}
