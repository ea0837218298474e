/*
 * seg_runs.c - morphology by runs: the openings and closings by a line
 * that the furniture step (seg_furniture.c) takes, done run by run
 * instead of by shifting whole rows; down the columns on the transpose.
 *
 * Design: an opening by a horizontal line len px long keeps exactly the
 * runs of ink at least len px long, and a closing fills exactly the gaps
 * of fewer than len px between two runs of a row (not the paper between a
 * run and the page's edge: Leptonica's safe closing). So both are found
 * by walking each row's runs (seg__row_runs: a 32-pixel word without ink
 * costs one test), which on a page of writing is most of them;
 * Leptonica's brick and composite DWA operations shift and combine every
 * word len times or more. Leptonica's composite opening
 * (pixOpenCompBrickExtendDwa) opens by a line a little shorter or longer
 * than asked (its factors of the size): seg__dwa_line_length() asks
 * Leptonica itself, on a one-row image, which length it keeps. Down the
 * columns: the page is transposed 32 x 32 bits at a time (a block of
 * paper is skipped), the rows done, and transposed back. The results are
 * Leptonica's bit for bit (test_seg_runs compares them on random pages,
 * padding bits set).
 *
 * Threading: no shared state.
 */
#include "segment/seg_internal.h"

#include <stdlib.h>

/* Bits x0 .. x1 - 1 of a row (Leptonica's order: pixel x is bit 31 - x %
 * 32 of word x / 32) set in line. */
static void set_span(l_uint32 *line, int x0, int x1)
{
    if (x1 <= x0)
        return;
    int w0 = x0 >> 5, w1 = (x1 - 1) >> 5;
    l_uint32 head = 0xffffffffu >> (x0 & 31);
    l_uint32 tail = 0xffffffffu << (31 - ((x1 - 1) & 31));
    if (w0 == w1) {
        line[w0] |= head & tail;
        return;
    }
    line[w0] |= head;
    for (int i = w0 + 1; i < w1; i++)
        line[i] = 0xffffffffu;
    line[w1] |= tail;
}

/* Each row's runs of ink (seg__row_runs) handed to one of the two
 * operations: keep (the opening: runs of at least len) or fill (the
 * closing: gaps of under len between runs). NULL out of memory. */
static PIX *by_runs(PIX *pixs, int len, int fill)
{
    int w = pixGetWidth(pixs), h = pixGetHeight(pixs), wpl = pixGetWpl(pixs);
    PIX *pixd = fill ? pixCopy(NULL, pixs) : pixCreateTemplate(pixs);
    SegRuns rs = {0};
    if (!pixd)
        return NULL;
    if (fill)
        pixSetPadBits(pixd, 0);
    const l_uint32 *sdata = pixGetData(pixs);
    l_uint32 *ddata = pixGetData(pixd);
    for (int y = 0; y < h; y++) {
        rs.n = 0;
        if (seg__row_runs(sdata + (size_t)y * wpl, wpl, w, y, &rs) != 0) {
            pixDestroy(&pixd);
            break;
        }
        l_uint32 *out = ddata + (size_t)y * wpl;
        for (int i = 0; i < rs.n; i++) {
            const SegRun *r = &rs.v[i];
            if (!fill && r->x1 - r->x0 >= len)
                set_span(out, r->x0, r->x1);
            else if (fill && i > 0 && r->x0 - rs.v[i - 1].x1 < len)
                set_span(out, rs.v[i - 1].x1, r->x0);
        }
    }
    free(rs.v);
    return pixd;
}

/**
 * Keep the runs of ink at least len px long along each row.
 *
 * @param[in] pixs  1 bpp; not modified (padding bits are not read)
 * @param[in] len   the line's length, px (<= 1: a copy)
 * @return new 1 bpp PIX, the same as pixOpenBrick(NULL, pixs, len, 1),
 *         or NULL out of memory
 */
PIX *seg__open_rows(PIX *pixs, int len)
{
    if (len <= 1)
        return pixCopy(NULL, pixs);
    return by_runs(pixs, len, 0);
}

/**
 * Fill the gaps of fewer than len px between two runs of ink of a row.
 *
 * @param[in] pixs  1 bpp; not modified (padding bits are not read)
 * @param[in] len   the line's length, px (<= 1: a copy)
 * @return new 1 bpp PIX, the same as pixCloseSafeBrick(NULL, pixs, len,
 *         1), or NULL out of memory
 */
PIX *seg__close_rows(PIX *pixs, int len)
{
    if (len <= 1)
        return pixCopy(NULL, pixs);
    return by_runs(pixs, len, 1);
}

/* Does pixOpenCompBrickExtendDwa by a line of size px (down the columns
 * when vertical, else along the rows) keep a line of len px? 1, 0, or -1
 * out of memory. */
static int dwa_keeps(int size, int len, int vertical)
{
    PIX *p = pixCreate(vertical ? 1 : len + 2, vertical ? len + 2 : 1, 1);
    PIX *o = NULL;
    l_int32 on = 0;
    if (p) {
        if (vertical)
            for (int y = 1; y <= len; y++)
                pixSetPixel(p, 0, y, 1);
        else
            set_span(pixGetData(p), 1, len + 1);
        o = vertical ? pixOpenCompBrickExtendDwa(NULL, p, 1, size)
                     : pixOpenCompBrickExtendDwa(NULL, p, size, 1);
    }
    int done = o && pixCountPixels(o, &on, NULL) == 0;
    pixDestroy(&p);
    pixDestroy(&o);
    return !done ? -1 : on > 0;
}

/**
 * The line length Leptonica's composite DWA opening by a line of size px
 * keeps (its factors make it a little shorter or longer than size).
 *
 * @param[in] size      the size asked of pixOpenCompBrickExtendDwa (>= 1)
 * @param[in] vertical  1: the line down the columns (1, size); 0: along
 *                      the rows (size, 1)
 * @return the shortest line it keeps, or -1 out of memory
 *
 * Notes:
 *   (1) Found by asking Leptonica, on a one-row (one-column) image,
 *       starting from size: a couple of openings of a line about size px
 *       long.
 */
int seg__dwa_line_length(int size, int vertical)
{
    int len = size < 1 ? 1 : size, top = 2 * len + 64;
    int k = dwa_keeps(size, len, vertical);
    if (k == 1) { /* the shortest it keeps may be shorter */
        while (len > 1 && (k = dwa_keeps(size, len - 1, vertical)) == 1)
            len--;
    } else {
        while (k == 0 && len < top)
            k = dwa_keeps(size, ++len, vertical);
    }
    return k < 0 || (k == 0 && len >= top) ? -1 : len;
}

/* Transpose a 32 x 32 bit block in place: a[i] bit 31 - j <-> a[j] bit
 * 31 - i (rows of Leptonica's 1 bpp words). Five rounds, each swapping
 * the off-diagonal halves of blocks half as big. */
static inline void swap_round(l_uint32 a[32], int j, l_uint32 m)
{
#pragma GCC unroll 16
    for (int q = 0; q < 16; q++) { /* the 16 pairs (k, k + j) */
        int k = (q / j) * 2 * j + q % j;
        l_uint32 t = (a[k] ^ (a[k + j] >> j)) & m;
        a[k] ^= t;
        a[k + j] ^= t << j;
    }
}

static void transpose32(l_uint32 a[32])
{
    swap_round(a, 16, 0x0000ffffu);
    swap_round(a, 8, 0x00ff00ffu);
    swap_round(a, 4, 0x0f0f0f0fu);
    swap_round(a, 2, 0x33333333u);
    swap_round(a, 1, 0x55555555u);
}

/**
 * The transpose of a 1 bpp image: pixel (x, y) of pixs is pixel (y, x)
 * of the result, 32 x 32 bits at a time (a block of paper is skipped).
 *
 * @param[in] pixs  1 bpp; not modified (padding bits are not read)
 * @return new 1 bpp PIX, h x w, padding bits 0, or NULL out of memory
 */
PIX *seg__transpose(PIX *pixs)
{
    int w = pixGetWidth(pixs), h = pixGetHeight(pixs);
    PIX *pixd = pixCreate(h, w, 1);
    if (!pixd)
        return NULL;
    const l_uint32 *s = pixGetData(pixs);
    l_uint32 *d = pixGetData(pixd);
    int swpl = pixGetWpl(pixs), dwpl = pixGetWpl(pixd);
    l_uint32 last = w & 31 ? 0xffffffffu << (32 - (w & 31)) : 0xffffffffu;
    for (int by = 0; by < h; by += 32)
        for (int bx = 0; bx < w; bx += 32) {
            l_uint32 a[32], any = 0;
            int wi = bx / 32, rows = h - by < 32 ? h - by : 32;
            l_uint32 keep = bx + 32 >= w ? last : 0xffffffffu;
            for (int i = 0; i < 32; i++) {
                a[i] = i < rows ? s[(size_t)(by + i) * swpl + wi] & keep : 0;
                any |= a[i];
            }
            if (!any) /* paper: the result is already 0 there */
                continue;
            transpose32(a);
            int cols = w - bx < 32 ? w - bx : 32;
            for (int j = 0; j < cols; j++)
                d[(size_t)(bx + j) * dwpl + by / 32] = a[j];
        }
    return pixd;
}

/* op (seg__open_rows or seg__close_rows) down the columns: on the
 * transpose, transposed back. NULL out of memory. */
static PIX *by_cols(PIX *pixs, int len, PIX *(*op)(PIX *, int))
{
    PIX *t = seg__transpose(pixs);
    PIX *u = t ? op(t, len) : NULL;
    PIX *pixd = u ? seg__transpose(u) : NULL;
    pixDestroy(&t);
    pixDestroy(&u);
    return pixd;
}

/**
 * Keep the runs of ink at least len px long down each column.
 *
 * @param[in] pixs  1 bpp; not modified
 * @param[in] len   the line's length, px (<= 1: a copy)
 * @return new 1 bpp PIX, the same as pixOpenBrick(NULL, pixs, 1, len),
 *         or NULL out of memory
 */
PIX *seg__open_cols(PIX *pixs, int len)
{
    return len <= 1 ? pixCopy(NULL, pixs) : by_cols(pixs, len, seg__open_rows);
}

/**
 * Fill the gaps of fewer than len px between two runs of ink of a column.
 *
 * @param[in] pixs  1 bpp; not modified
 * @param[in] len   the line's length, px (<= 1: a copy)
 * @return new 1 bpp PIX, the same as pixCloseSafeBrick(NULL, pixs, 1,
 *         len), or NULL out of memory
 */
PIX *seg__close_cols(PIX *pixs, int len)
{
    return len <= 1 ? pixCopy(NULL, pixs)
                    : by_cols(pixs, len, seg__close_rows);
}
