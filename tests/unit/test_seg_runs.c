/*
 * test_seg_runs.c - the openings and closings along rows taken run by run
 * (seg_runs.c) are Leptonica's, bit for bit: pixOpenBrick,
 * pixCloseSafeBrick and pixOpenCompBrickExtendDwa by a horizontal line.
 *
 * Fixtures: random 1 bpp pages (scattered ink, horizontal strokes of
 * every length, runs touching both edges, a full row), widths on and off
 * a 32-pixel word, with the padding bits of the input set.
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

/* A w x h page of ink in runs up to maxrun px, with the padding bits of
 * each row set (they are not pixels: the operations must not read them). */
static PIX *random_page(int w, int h, int maxrun)
{
    PIX *p = pixCreate(w, h, 1);
    if (!p)
        return NULL;
    for (int k = 0; k < w * h / 12; k++)
        pixSetPixel(p, (int)(next() % (unsigned)w), (int)(next() % (unsigned)h),
                    1);
    for (int k = 0; k < h * 2; k++) {
        int y = (int)(next() % (unsigned)h), x = (int)(next() % (unsigned)w);
        int len = 1 + (int)(next() % (unsigned)maxrun);
        for (int q = 0; q < len && x + q < w; q++)
            pixSetPixel(p, x + q, y, 1);
    }
    for (int q = 0; q < maxrun && q < w; q++) { /* at both edges */
        pixSetPixel(p, q, 0, 1);
        pixSetPixel(p, w - 1 - q, h - 1, 1);
    }
    for (int x = 0; x < w; x++) /* a full row */
        pixSetPixel(p, x, h / 2, 1);
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

/* The opening (closing 0) or closing (1) run by run against Leptonica's
 * on random pages of every width and lengths 1-40; the cases that differ
 * (-1: none tried). */
static int differ_by_length(int closing)
{
    int cases = 0, differ = 0;
    for (size_t i = 0; i < sizeof widths / sizeof *widths; i++)
        for (int len = 1; len <= 40; len += len < 12 ? 1 : 7) {
            PIX *p = random_page(widths[i], 23, closing ? 6 : 2 * len + 3);
            PIX *mine = !p        ? NULL
                        : closing ? seg__close_rows(p, len)
                                  : seg__open_rows(p, len);
            pixSetPadBits(p, 0); /* Leptonica reads them */
            PIX *ref = !p        ? NULL
                       : closing ? pixCloseSafeBrick(NULL, p, len, 1)
                                 : pixOpenBrick(NULL, p, len, 1);
            cases++;
            if (!same(mine, ref)) {
                differ++;
                printf("  width %d len %d: %s differ\n", widths[i], len,
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
    CHECK(differ_by_length(0) == 0);
}

static void seg__close_rows__any_page_and_length__as_pixclosesafebrick(void)
{
    CHECK(differ_by_length(1) == 0);
}

/* Every size from 2 to 320 (past the 63 and 125 of the composite's
 * factors, and the sizes where its line is a pixel longer or shorter). */
static void seg__dwa_line_length__any_size__open_rows_as_composite_dwa(void)
{
    int cases = 0, eq = 0;
    for (int size = 2; size <= 320; size += size < 70 ? 1 : 3) {
        int len = seg__dwa_line_length(size);
        PIX *p = random_page(size < 100 ? 257 : 700, 9, size + 3);
        PIX *mine = p && len > 0 ? seg__open_rows(p, len) : NULL;
        pixSetPadBits(p, 0);
        PIX *ref = p ? pixOpenCompBrickExtendDwa(NULL, p, size, 1) : NULL;
        cases++;
        eq += same(mine, ref);
        if (!same(mine, ref))
            printf("  size %d (line %d): openings differ\n", size, len);
        pixDestroy(&p);
        pixDestroy(&mine);
        pixDestroy(&ref);
    }
    CHECK(cases > 0 && eq == cases);
    CHECK(seg__dwa_line_length(64) == 63); /* one of its shorter lines */
}

int main(void)
{
    RUN(seg__open_rows__any_page_and_length__as_pixopenbrick);
    RUN(seg__close_rows__any_page_and_length__as_pixclosesafebrick);
    RUN(seg__dwa_line_length__any_size__open_rows_as_composite_dwa);
    TEST_EXIT();
}
