/*
 * test_seg_runs.c - the openings and closings by a line taken run by run
 * (seg_runs.c), along the rows and down the columns (on the transpose),
 * are Leptonica's, bit for bit: pixOpenBrick, pixCloseSafeBrick and
 * pixOpenCompBrickExtendDwa.
 *
 * Fixtures: random 1 bpp pages (scattered ink, strokes of every length
 * along the line, runs touching both edges, a full row and column), sizes
 * on and off a 32-pixel word, with the padding bits of the input set.
 */
#include "segment/seg_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "test.h"

static unsigned seed = 1;

static unsigned next(void)
{
    seed = seed * 1103515245u + 12345u;
    return seed >> 16;
}

/* A w x h page of ink in runs up to maxrun px along the rows (down the
 * columns when vertical), at both edges, and a full row and column, with
 * the padding bits of each row set (they are not pixels: the operations
 * must not read them). */
static PIX *random_page(int w, int h, int maxrun, int vertical)
{
    PIX *p = pixCreate(w, h, 1);
    if (!p)
        return NULL;
    for (int k = 0; k < w * h / 12; k++)
        pixSetPixel(p, (int)(next() % (unsigned)w), (int)(next() % (unsigned)h),
                    1);
    for (int k = 0; k < (vertical ? w : h) * 2; k++) {
        int y = (int)(next() % (unsigned)h), x = (int)(next() % (unsigned)w);
        int len = 1 + (int)(next() % (unsigned)maxrun);
        for (int q = 0; q < len && (vertical ? y : x) + q < (vertical ? h : w);
             q++)
            pixSetPixel(p, vertical ? x : x + q, vertical ? y + q : y, 1);
    }
    for (int q = 0; q < maxrun; q++) { /* at both edges */
        if (q < (vertical ? h : w)) {
            pixSetPixel(p, vertical ? 0 : q, vertical ? q : 0, 1);
            pixSetPixel(p, vertical ? w - 1 : w - 1 - q,
                        vertical ? h - 1 - q : h - 1, 1);
        }
    }
    for (int x = 0; x < w; x++) /* a full row */
        pixSetPixel(p, x, h / 2, 1);
    for (int y = 0; y < h; y++) /* and column */
        pixSetPixel(p, w / 2, y, 1);
    pixSetPadBits(p, 1);
    return p;
}

static int same(PIX *a, PIX *b)
{
    l_int32 eq = 0;
    if (!a || !b)
        return 0;
    pixSetPadBits(a, 0);
    pixSetPadBits(b, 0);
    pixEqual(a, b, &eq);
    return eq;
}

static const int widths[] = {1, 31, 32, 33, 95, 200, 257};

/* The opening (closing 0) or closing (1) run by run, along the rows or
 * down the columns, against Leptonica's on random pages of every width
 * and lengths 1-40; the cases that differ (-1: none tried). */
static int differ_by_length(int closing, int vertical)
{
    static const int heights[] = {23, 40};
    int cases = 0, differ = 0;
    for (size_t i = 0; i < sizeof widths / sizeof *widths; i++)
        for (int len = 1; len <= 40; len += len < 12 ? 1 : 7) {
            int w = widths[i], h = heights[vertical];
            if (vertical) { /* the same sizes, turned */
                w = heights[vertical];
                h = widths[i];
            }
            PIX *p = random_page(w, h, closing ? 6 : 2 * len + 3, vertical);
            PIX *mine = NULL, *ref = NULL;
            if (p)
                mine = vertical ? (closing ? seg__close_cols(p, len)
                                           : seg__open_cols(p, len))
                                : (closing ? seg__close_rows(p, len)
                                           : seg__open_rows(p, len));
            pixSetPadBits(p, 0); /* Leptonica reads them */
            if (p)
                ref = closing ? pixCloseSafeBrick(NULL, p, vertical ? 1 : len,
                                                  vertical ? len : 1)
                              : pixOpenBrick(NULL, p, vertical ? 1 : len,
                                             vertical ? len : 1);
            cases++;
            if (!same(mine, ref)) {
                differ++;
                printf("  %dx%d len %d: %s %s differ\n", w, h, len,
                       vertical ? "column" : "row",
                       closing ? "closings" : "openings");
            }
            pixDestroy(&p);
            pixDestroy(&mine);
            pixDestroy(&ref);
        }
    return cases ? differ : -1;
}

static void seg__open_rows__any_page_and_length__as_pixopenbrick(void)
{
    CHECK(differ_by_length(0, 0) == 0);
}

static void seg__close_rows__any_page_and_length__as_pixclosesafebrick(void)
{
    CHECK(differ_by_length(1, 0) == 0);
}

static void seg__open_cols__any_page_and_length__as_pixopenbrick(void)
{
    CHECK(differ_by_length(0, 1) == 0);
}

static void seg__close_cols__any_page_and_length__as_pixclosesafebrick(void)
{
    CHECK(differ_by_length(1, 1) == 0);
}

/* The transpose, pixel by pixel, for sizes on and off 32 (padding bits of
 * the input set, none set in the result). */
static void seg__transpose__any_size__pixel_x_y_at_y_x(void)
{
    static const int sizes[][2] = {{1, 1},  {31, 33}, {32, 32},
                                   {33, 65}, {100, 7}, {257, 40}};
    int cases = 0, same_px = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        int w = sizes[i][0], h = sizes[i][1];
        PIX *p = random_page(w, h, 5, (int)(i & 1));
        PIX *t = p ? seg__transpose(p) : NULL;
        int ok = t && pixGetWidth(t) == h && pixGetHeight(t) == w;
        for (int y = 0; ok && y < h; y++)
            for (int x = 0; ok && x < w; x++) {
                l_uint32 a = 0, b = 0;
                pixGetPixel(p, x, y, &a);
                pixGetPixel(t, y, x, &b);
                ok = a == b;
            }
        /* and no bit set past the transpose's width (h) */
        if (ok && h % 32) {
            l_uint32 pad = 0xffffffffu >> (h % 32);
            int wpl = pixGetWpl(t);
            for (int y = 0; ok && y < w; y++)
                ok = !(pixGetData(t)[(size_t)y * wpl + wpl - 1] & pad);
        }
        cases++;
        same_px += ok;
        pixDestroy(&p);
        pixDestroy(&t);
    }
    CHECK(cases > 0 && same_px == cases);
}

/* Every size from 2 to 320 (past the 63 and 125 of the composite's
 * factors, and the sizes where its line is a pixel longer or shorter),
 * along the rows and down the columns. */
static void seg__dwa_line_length__any_size__runs_as_composite_dwa(void)
{
    int cases = 0, eq = 0;
    for (int vertical = 0; vertical < 2; vertical++)
        for (int size = 2; size <= 320; size += size < 70 ? 1 : 3) {
            int len = seg__dwa_line_length(size, vertical);
            int long_side = size < 100 ? 257 : 700;
            PIX *p = random_page(vertical ? 9 : long_side,
                                 vertical ? long_side : 9, size + 3, vertical);
            PIX *mine = NULL, *ref = NULL;
            if (p && len > 0)
                mine = vertical ? seg__open_cols(p, len)
                                : seg__open_rows(p, len);
            pixSetPadBits(p, 0);
            if (p)
                ref = vertical ? pixOpenCompBrickExtendDwa(NULL, p, 1, size)
                               : pixOpenCompBrickExtendDwa(NULL, p, size, 1);
            cases++;
            eq += same(mine, ref);
            if (!same(mine, ref))
                printf("  size %d (line %d, %s): openings differ\n", size,
                       len, vertical ? "column" : "row");
            pixDestroy(&p);
            pixDestroy(&mine);
            pixDestroy(&ref);
        }
    CHECK(cases > 0 && eq == cases);
    CHECK(seg__dwa_line_length(64, 0) == 63); /* one of its shorter lines */
    CHECK(seg__dwa_line_length(64, 1) == 63);
}

int main(void)
{
    RUN(seg__open_rows__any_page_and_length__as_pixopenbrick);
    RUN(seg__close_rows__any_page_and_length__as_pixclosesafebrick);
    RUN(seg__open_cols__any_page_and_length__as_pixopenbrick);
    RUN(seg__close_cols__any_page_and_length__as_pixclosesafebrick);
    RUN(seg__transpose__any_size__pixel_x_y_at_y_x);
    RUN(seg__dwa_line_length__any_size__runs_as_composite_dwa);
    TEST_EXIT();
}
