/* test_seg_window.c - the Sauvola window sized from the glyphs (issue 13:
 * crops read the same whatever their scale), small crops padded before
 * thresholding, and small writing thresholded enlarged
 * (segment/seg_binarize.c, docs/segment.md "Binarising"). */
#include "common/err.h"
#include "segment/segment.h"
#include "tests/unit/seg_fixture.h"
#include "tests/unit/test.h"

#include <stdlib.h>

/* Render a 1 bpp drawing as grey: ink and paper levels, noise +-noise. */
static PIX *grey_of(PIX *truth, int ink, int paper, int noise)
{
    int w = pixGetWidth(truth), h = pixGetHeight(truth);
    PIX *g = pixCreate(w, h, 8);
    fx_seed = 7;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            l_uint32 b;
            pixGetPixel(truth, x, y, &b);
            int v = (b ? ink : paper) + (int)(fx_rand() % (2 * noise + 1)) -
                    noise;
            pixSetPixel(g, x, y, (l_uint32)(v < 0 ? 0 : v > 255 ? 255 : v));
        }
    return g;
}

static PIX *binarize_window(PIX *grey, int dpi, int window)
{
    SegBinarizeOptions opt;
    seg_binarize_options_init(&opt);
    opt.deskew = 0;
    opt.window = window;
    PIX *b = seg_page_binarize(grey, dpi, &opt, NULL, NULL);
    if (!b)
        printf("  seg_page_binarize: %s\n", err_get());
    return b;
}

/* A crop scanned far finer than the dpi-derived window assumes (no dpi in
 * the file, glyphs 240-360 px tall, a 60 px marker stroke): with the
 * default 25 px half-window the inside of every stroke is "paper" (the
 * window sees only ink, so the threshold falls under it) and the glyphs
 * come out as outlines. The window from the glyphs fills them. */
static void seg_page_binarize__glyphs_far_taller_than_window__strokes_filled(void)
{
    PIX *truth = pixCreate(760, 560, 1);
    FxPen pen = fx_pen(240);
    pen.stroke = 60;
    fx_text(truth, "noH", 40, 470, &pen, 0);
    PIX *grey = grey_of(truth, 60, 210, 8);
    PIX *fit = binarize_window(grey, 0, 0);
    PIX *fixed = binarize_window(grey, 0, 25); /* what the dpi gives */
    CHECK(fit && fixed);
    if (fit && fixed) {
        double e_fit = fx_ink_error(fit, truth), e_fixed = fx_ink_error(fixed, truth);
        printf("  error: window from the glyphs %.3f, 25 px %.3f\n", e_fit,
               e_fixed);
        CHECK(e_fit < 0.08);
        CHECK(e_fixed > 0.1); /* the case is a real one */
        BOXA *bx = pixConnCompBB(fit, 8);
        CHECK(bx && boxaGetCount(bx) == 3);
        boxaDestroy(&bx);
    }
    pixDestroy(&fit);
    pixDestroy(&fixed);
    pixDestroy(&grey);
    pixDestroy(&truth);
}

/* A page whose glyphs are what its dpi says (30 px x-height at 300 dpi)
 * is thresholded once, with the dpi's window: the same bits as asking
 * for that window. */
static void seg_page_binarize__glyphs_fit_dpi_window__window_unchanged(void)
{
    PIX *truth = pixCreate(900, 500, 1);
    FxPen pen = fx_pen(30);
    const char *text[4] = {"nox lov Hon", "vix pol nox", "Hol ovin lox",
                           "xon vip HoH"};
    for (int i = 0; i < 4; i++)
        fx_text(truth, text[i], 30, 60 + 90 * i, &pen, 0);
    PIX *grey = grey_of(truth, 70, 220, 12);
    PIX *fit = binarize_window(grey, 300, 0);
    PIX *fixed = binarize_window(grey, 300, 300 / 12);
    l_int32 same = 0;
    CHECK(fit && fixed && pixEqual(fit, fixed, &same) == 0 && same);
    pixDestroy(&fit);
    pixDestroy(&fixed);
    pixDestroy(&grey);
    pixDestroy(&truth);
}

/* A small crop cut tight to its ink (14 px tall, 13 px glyphs touching
 * its top and bottom, a pale pen) binarises like the same crop with a
 * white margin around it: padded with paper, the window does not shrink
 * to the crop's height (5 px half-window here, where the letters' ink
 * pulls the threshold under the pen's grey). */
static void seg_page_binarize__crop_without_margin__as_with_margin(void)
{
    int m = 20;
    PIX *truth = pixCreate(150, 14, 1);
    FxPen pen = fx_pen(9);
    pen.stroke = 3;
    fx_text(truth, "Hol nox", 0, 13, &pen, 0);
    PIX *tight = pixCopy(NULL, truth);
    PIX *wide = pixAddBorder(truth, m, 0);
    PIX *g_tight = grey_of(tight, 120, 200, 15); /* a pale pen */
    PIX *g_wide = grey_of(wide, 120, 200, 15);
    /* the same noise on the shared pixels */
    pixRasterop(g_wide, m, m, 150, 14, PIX_SRC, g_tight, 0, 0);
    PIX *b_tight = binarize_window(g_tight, 0, 0);
    PIX *b_wide = binarize_window(g_wide, 0, 0);
    CHECK(b_tight && b_wide);
    if (b_tight && b_wide) {
        BOX *box = boxCreate(m, m, 150, 14);
        PIX *inner = pixClipRectangle(b_wide, box, NULL);
        boxDestroy(&box);
        double e_tight = fx_ink_error(b_tight, tight);
        double e_wide = fx_ink_error(inner, tight);
        printf("  error: tight %.3f, with margin %.3f\n", e_tight, e_wide);
        CHECK(e_tight < 0.15);
        CHECK(e_tight < e_wide + 0.03);
        pixDestroy(&inner);
    }
    pixDestroy(&b_tight);
    pixDestroy(&b_wide);
    pixDestroy(&g_tight);
    pixDestroy(&g_wide);
    pixDestroy(&tight);
    pixDestroy(&wide);
    pixDestroy(&truth);
}

/* Small writing (seg_page_binarize note 5): letters drawn at 16 px and
 * scanned at half that (8 px glyphs, grey by area: their edges grey)
 * come back thresholded from the grey enlarged twice: *pscale 2, twice
 * the size and the dpi, and far closer to the drawing at 16 px than the
 * page thresholded at its own size and blown up (0.27 of the ink's
 * pixels wrong against 0.44: the grey edges keep where the stroke was
 * within half a pixel). */
static PIX *small_writing_truth(int w, int x)
{
    PIX *truth = pixCreate(w, 40, 1);
    FxPen pen = fx_pen(16);
    pen.stroke = 3;
    fx_text(truth, "nom vix Hon", x, 30, &pen, 0);
    return truth;
}

static void seg_page_binarize__small_writing__enlarged_twice(void)
{
    PIX *truth = small_writing_truth(360, 8);
    PIX *grey = pixScaleToGray2(truth); /* 180 x 20 */
    SegBinarizeOptions opt;
    seg_binarize_options_init(&opt);
    opt.deskew = 0;
    int scale = 0;
    PIX *b = seg_page_binarize(grey, 150, &opt, NULL, &scale);
    PIX *own = seg_page_binarize(grey, 150, &opt, NULL, NULL);
    PIX *blown = own ? pixExpandReplicate(own, 2) : NULL;
    CHECK(b && blown && scale == 2);
    if (b && blown && scale == 2) {
        CHECK(pixGetWidth(b) == 360 && pixGetHeight(b) == 40);
        CHECK(pixGetXRes(b) == 300);
        double e = fx_ink_error(b, truth), e_own = fx_ink_error(blown, truth);
        printf("  error enlarged %.3f, at its own size %.3f\n", e, e_own);
        CHECK(e < 0.3);
        CHECK(e < 0.75 * e_own);
    }
    pixDestroy(&b);
    pixDestroy(&own);
    pixDestroy(&blown);
    pixDestroy(&grey);
    pixDestroy(&truth);
}

/* The same small writing between two thick box sides that run off the
 * crop's top and bottom (a field cut out at half size with its box):
 * the sides weigh more than the letters in the page's median height
 * (20 px), but the pieces off the edges measure 8: enlarged all the
 * same. */
static void seg_page_binarize__small_writing_between_box_sides__enlarged(void)
{
    PIX *truth = small_writing_truth(420, 40);
    pixRasterop(truth, 0, 0, 28, 40, PIX_SET, NULL, 0, 0);
    pixRasterop(truth, 392, 0, 28, 40, PIX_SET, NULL, 0, 0);
    PIX *grey = pixScaleToGray2(truth);
    SegBinarizeOptions opt;
    seg_binarize_options_init(&opt);
    opt.deskew = 0;
    int scale = 0;
    PIX *b = seg_page_binarize(grey, 0, &opt, NULL, &scale);
    CHECK(b && scale == 2 && pixGetWidth(b) == 420);
    pixDestroy(&b);
    pixDestroy(&grey);
    pixDestroy(&truth);
}

/* Without pscale the caller cannot take a larger page: the same small
 * writing comes back at its own size. 1 bpp small writing is never
 * enlarged (there is no grey to gain from), nor is handprint of a
 * usual size (30 px glyphs). */
static void seg_page_binarize__small_writing_not_enlarged__when_it_cannot_gain(void)
{
    PIX *truth = small_writing_truth(360, 8);
    PIX *grey = pixScaleToGray2(truth);
    PIX *bits = pixReduceRankBinary2(truth, 1, NULL);
    PIX *big = pixCreate(900, 200, 1);
    FxPen pen = fx_pen(30);
    fx_text(big, "nox lov Hon", 30, 80, &pen, 0);
    fx_text(big, "vix pol nox", 30, 170, &pen, 0);
    PIX *big_grey = grey_of(big, 70, 220, 12);
    SegBinarizeOptions opt;
    seg_binarize_options_init(&opt);
    opt.deskew = 0;
    int s_bits = 0, s_big = 0;
    PIX *b_none = seg_page_binarize(grey, 150, &opt, NULL, NULL);
    PIX *b_bits = seg_page_binarize(bits, 150, &opt, NULL, &s_bits);
    PIX *b_big = seg_page_binarize(big_grey, 300, &opt, NULL, &s_big);
    CHECK(b_none && pixGetWidth(b_none) == 180 && pixGetXRes(b_none) == 150);
    CHECK(b_bits && s_bits == 1 && pixGetWidth(b_bits) == 180);
    CHECK(b_big && s_big == 1 && pixGetWidth(b_big) == 900);
    pixDestroy(&b_none);
    pixDestroy(&b_bits);
    pixDestroy(&b_big);
    pixDestroy(&big_grey);
    pixDestroy(&big);
    pixDestroy(&bits);
    pixDestroy(&grey);
    pixDestroy(&truth);
}

int main(void)
{
    RUN(seg_page_binarize__glyphs_far_taller_than_window__strokes_filled);
    RUN(seg_page_binarize__glyphs_fit_dpi_window__window_unchanged);
    RUN(seg_page_binarize__crop_without_margin__as_with_margin);
    RUN(seg_page_binarize__small_writing__enlarged_twice);
    RUN(seg_page_binarize__small_writing_between_box_sides__enlarged);
    RUN(seg_page_binarize__small_writing_not_enlarged__when_it_cannot_gain);
    TEST_EXIT();
}
