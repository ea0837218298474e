/*
 * test_page_g4.c - input/page_g4.c: a 1 bpp page written as a G4 TIFF
 * reads back (pixReadTiff, libtiff's decoder) to the same pixels and
 * resolution; every run length of both colours, dense changes whose
 * coding looks back past the last change above, every width around a
 * word, blank and black pages; bad input named.
 *
 * Fixtures: pages drawn in code with fixed seeds, written under
 * TEST_TMPDIR.
 */
#include "input/page.h"

#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

static unsigned seed = 3;

static unsigned next(void)
{
    seed = seed * 1103515245u + 12345u;
    return seed >> 16;
}

/* 1 when pix written by page_g4_write and read back by pixReadTiff has
 * the same pixels (padding aside) and resolution. */
static int round_trip(PIX *pix)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/test_page_g4.%d.tif", test_tmpdir(),
             (int)getpid());
    if (page_g4_write(pix, path) < 0) {
        printf("  write: %s\n", err_get());
        return 0;
    }
    PIX *back = pixReadTiff(path, 0);
    /* the header as a failed page's size is read (stage.c) */
    l_int32 format = 0, hw = 0, hh = 0, bps = 0, spp = 0, cmap = 1;
    int head = pixReadHeader(path, &format, &hw, &hh, &bps, &spp, &cmap) == 0 &&
               format == IFF_TIFF_G4 && hw == pixGetWidth(pix) &&
               hh == pixGetHeight(pix) && bps == 1 && spp == 1 && !cmap;
    unlink(path);
    l_int32 eq = 0;
    if (back) {
        pixSetPadBits(pix, 0);
        pixEqual(pix, back, &eq);
        eq = eq && head && pixGetDepth(back) == 1 &&
             pixGetXRes(back) == pixGetXRes(pix) &&
             pixGetYRes(back) == pixGetYRes(pix);
    }
    if (!eq)
        printf("  %dx%d page (res %d x %d) does not read back\n",
               pixGetWidth(pix), pixGetHeight(pix), pixGetXRes(pix),
               pixGetYRes(pix));
    pixDestroy(&back);
    return eq;
}

static void page_g4_write__every_run_length__reads_back(void)
{
    /* row y: runs of black and white of lengths y, y+1, ... ; 6000 wide
     * for the extended make-up codes (over 2560) */
    int w = 6000, h = 90, ok = 1;
    PIX *p = pixCreate(w, h, 1);
    for (int y = 0; y < h; y++) {
        int x = y % 7, len = y < 64 ? y + 1 : 64 * (y - 62) + y % 5;
        int black = y % 2;
        while (x < w) {
            int run = len;
            if (black)
                pixRasterop(p, x, y, run, 1, PIX_SET, NULL, 0, 0);
            x += run;
            black = !black;
            len = len * 3 % 2700 + 1; /* every length over the page */
        }
    }
    /* one row of each whole length 0 .. 5999, white then black */
    for (int y = 0; y < 8; y++)
        pixRasterop(p, 0, 80 + y, 1 + 750 * y, 1, PIX_SET, NULL, 0, 0);
    pixSetResolution(p, 300, 300);
    ok = round_trip(p);
    pixDestroy(&p);
    CHECK(ok);
}

static void page_g4_write__dense_and_random_changes__reads_back(void)
{
    static const int widths[] = {1, 2, 31, 32, 33, 63, 64, 65, 100, 257};
    int bad = 0, cases = 0;
    for (size_t i = 0; i < sizeof widths / sizeof *widths; i++)
        for (int kind = 0; kind < 5; kind++) {
            int w = widths[i], h = 1 + (int)(next() % 60);
            PIX *p = pixCreate(w, h, 1);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    int on;
                    switch (kind) {
                    case 0: /* noise, half ink */
                        on = next() % 2;
                        break;
                    case 1: /* checkerboard: every pixel a change */
                        on = (x + y) % 2;
                        break;
                    case 2: /* stripes shifted by 1-4 px a row */
                        on = (x + y * (int)(1 + y % 4)) % 5 < 2;
                        break;
                    case 3: /* sparse specks */
                        on = next() % 23 == 0;
                        break;
                    default: /* all black but a speck */
                        on = next() % 31 != 0;
                    }
                    if (on)
                        pixSetPixel(p, x, y, 1);
                }
            pixSetPadBits(p, 1); /* not pixels: must not be coded */
            if (kind == 2)
                pixSetResolution(p, 150, 600);
            cases++;
            bad += !round_trip(p);
            pixDestroy(&p);
        }
    CHECK(cases == 50 && bad == 0);
}

static void page_g4_write__blank_and_black__reads_back_small(void)
{
    PIX *blank = pixCreate(2480, 3508, 1);
    PIX *black = pixCreate(517, 33, 1);
    pixSetAll(black);
    size_t len = 0;
    unsigned char *data = page_g4_encode(blank, &len);
    /* a blank A4 page: a vertical code a row and the header */
    CHECK(data && len < 800);
    free(data);
    CHECK(round_trip(blank));
    CHECK(round_trip(black));
    pixDestroy(&blank);
    pixDestroy(&black);
}

static void page_g4_write__not_1bpp_or_no_folder__error_names_it(void)
{
    PIX *grey = pixCreate(10, 10, 8);
    size_t len = 1;
    CHECK(page_g4_encode(grey, &len) == NULL && len == 0);
    CHECK(strstr(err_get(), "not 1 bpp") != NULL);
    PIX *p = pixCreate(10, 10, 1);
    CHECK(page_g4_write(p, "/nonexistent-dir/x.tif") < 0);
    CHECK(strstr(err_get(), "/nonexistent-dir/x.tif") != NULL);
    pixDestroy(&grey);
    pixDestroy(&p);
}

int main(void)
{
    setMsgSeverity(L_SEVERITY_NONE);
    RUN(page_g4_write__every_run_length__reads_back);
    RUN(page_g4_write__dense_and_random_changes__reads_back);
    RUN(page_g4_write__blank_and_black__reads_back_small);
    RUN(page_g4_write__not_1bpp_or_no_folder__error_names_it);
    TEST_EXIT();
}
