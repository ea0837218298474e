/* test_seg_window.c - the Sauvola window sized from the glyphs (issue 13:
 * crops read the same whatever their scale) and small crops padded before
 * thresholding (segment/seg_binarize.c, docs/segment.md "Binarising"). */
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
    PIX *b = seg_page_binarize(grey, dpi, &opt, NULL);
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

int main(void)
{
    RUN(seg_page_binarize__glyphs_far_taller_than_window__strokes_filled);
    RUN(seg_page_binarize__glyphs_fit_dpi_window__window_unchanged);
    RUN(seg_page_binarize__crop_without_margin__as_with_margin);
    TEST_EXIT();
}
