/*
 * seg_runs.c - morphology along rows by runs: the horizontal openings and
 * closings the furniture step (seg_furniture.c) takes by a line, done run
 * by run instead of by shifting whole rows.
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
 * Leptonica itself, on a one-row image, which length it keeps. The results
 * are Leptonica's bit for bit (test_seg_runs compares them on random
 * pages, padding bits set).
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

/* Does pixOpenCompBrickExtendDwa(size, 1) keep a run of len px? */
static int dwa_keeps(int size, int len)
{
    PIX *p = pixCreate(len + 2, 1, 1), *o = NULL;
    l_int32 on = 0;
    if (p) {
        l_uint32 *line = pixGetData(p);
        set_span(line, 1, len + 1);
        o = pixOpenCompBrickExtendDwa(NULL, p, size, 1);
    }
    int done = o && pixCountPixels(o, &on, NULL) == 0;
    pixDestroy(&p);
    pixDestroy(&o);
    return !done ? -1 : on > 0;
}

/**
 * The run length Leptonica's composite DWA opening by a line of size px
 * keeps (its factors make it a little shorter or longer than size).
 *
 * @param[in] size  the size asked of pixOpenCompBrickExtendDwa (>= 1)
 * @return the shortest run it keeps, or -1 out of memory
 *
 * Notes:
 *   (1) Found by asking Leptonica, on a one-row image, starting from
 *       size: a couple of openings of a row about size px long.
 */
int seg__dwa_line_length(int size)
{
    int len = size < 1 ? 1 : size, top = 2 * len + 64;
    int k = dwa_keeps(size, len);
    if (k == 1) { /* the shortest it keeps may be shorter */
        while (len > 1 && (k = dwa_keeps(size, len - 1)) == 1)
            len--;
    } else {
        while (k == 0 && len < top)
            k = dwa_keeps(size, ++len);
    }
    return k < 0 || (k == 0 && len >= top) ? -1 : len;
}
