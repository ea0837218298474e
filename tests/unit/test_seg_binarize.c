/* test_seg_binarize.c - binarisation of every page depth, Sauvola and
 * adaptive Otsu accuracy, deskew, blank / dark / black / noisy pages
 * (segment/seg_binarize.c). */
#include "common/err.h"
#include "segment/seg_internal.h"
#include "segment/segment.h"
#include "tests/unit/seg_fixture.h"
#include "tests/unit/test.h"

#include <math.h>
#include <stdlib.h>

/* A 1 bpp page of handwriting lines (the ground truth), starting at x0. */
static PIX *truth_page_at(int w, int h, int xh, int x0, int y0)
{
    PIX *pix = pixCreate(w, h, 1);
    FxPen pen = fx_pen(xh);
    const char *text[4] = {"nox lov Hon", "vix pol nox", "Hol ovin lox",
                           "xon vip HoH"};
    int pitch = 3 * xh;
    for (int i = 0; i < 4 && y0 + pitch * i < h - xh; i++)
        fx_text(pix, text[i], x0, y0 + pitch * i, &pen, 0);
    return pix;
}

static PIX *truth_page(int w, int h, int xh)
{
    return truth_page_at(w, h, xh, xh, 2 * xh);
}

/* Render a truth page as grey: ink and paper levels, uniform noise of
 * +-noise, and paper darkening by `shade` levels from left to right. */
static PIX *grey_page(PIX *truth, int ink, int paper, int noise, int shade)
{
    int w = pixGetWidth(truth), h = pixGetHeight(truth);
    PIX *g = pixCreate(w, h, 8);
    fx_seed = 99;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            l_uint32 b;
            pixGetPixel(truth, x, y, &b);
            int v = b ? ink : paper - shade * x / w;
            if (noise)
                v += (int)(fx_rand() % (2 * noise + 1)) - noise;
            v = v < 0 ? 0 : v > 255 ? 255 : v;
            pixSetPixel(g, x, y, (l_uint32)v);
        }
    return g;
}

static PIX *binarize(PIX *pixs, SegBinarizeMethod method, int deskew,
                     float *pskew)
{
    SegBinarizeOptions opt;
    seg_binarize_options_init(&opt);
    opt.method = method;
    opt.deskew = deskew;
    PIX *b = seg_page_binarize(pixs, 300, &opt, pskew, NULL);
    if (!b)
        printf("  seg_page_binarize: %s\n", err_get());
    return b;
}

static void seg_binarize_options_init__defaults__sauvola_deskew(void)
{
    SegBinarizeOptions opt;
    memset(&opt, 0xff, sizeof opt);
    seg_binarize_options_init(&opt);
    CHECK(opt.method == SEG_BINARIZE_SAUVOLA);
    CHECK(opt.window == 0);
    CHECK_NEAR(opt.k, 0.2, 1e-6);
    CHECK(opt.deskew == 1);
}

static void check_accuracy(SegBinarizeMethod method, const char *name)
{
    PIX *truth = truth_page(900, 500, 30);
    /* uneven lighting: paper from 225 down to 145; ink 70; noise +-15 */
    PIX *grey = grey_page(truth, 70, 225, 15, 80);
    PIX *b = binarize(grey, method, 0, NULL);
    CHECK(b != NULL);
    if (b) {
        CHECK(pixGetDepth(b) == 1);
        double e = fx_ink_error(b, truth);
        printf("  %s: error %.3f of ink pixels\n", name, e);
        CHECK(e < 0.15);
    }
    pixDestroy(&b);
    pixDestroy(&grey);
    pixDestroy(&truth);
}

static void seg_page_binarize__sauvola_uneven_light__matches_truth(void)
{
    check_accuracy(SEG_BINARIZE_SAUVOLA, "sauvola");
}

static void seg_page_binarize__otsu_uneven_light__matches_truth(void)
{
    check_accuracy(SEG_BINARIZE_OTSU, "otsu");
}

static void seg_page_binarize__light_pencil_shaded_paper__default_finds_it(void)
{
    /* Faint ink (150) on paper shading from 215 to 175, noise +-10: the
     * case that set the default Sauvola k (docs/segment.md). */
    PIX *truth = truth_page(900, 500, 30);
    PIX *grey = grey_page(truth, 150, 215, 10, 40);
    PIX *b = seg_page_binarize(grey, 300, NULL, NULL, NULL);
    CHECK(b != NULL);
    if (b) {
        double e = fx_ink_error(b, truth);
        printf("  default options: error %.3f of ink pixels\n", e);
        CHECK(e < 0.15);
        SegPage *page = seg_page_segment(b, 300, NULL);
        int nl = 0;
        if (page)
            seg_page_get_lines(page, &nl);
        CHECK(nl == 4);
        seg_page_destroy(&page);
    }
    pixDestroy(&b);
    pixDestroy(&grey);
    pixDestroy(&truth);
}

static void seg_page_binarize__every_depth__one_bpp_ink(void)
{
    PIX *truth = truth_page(600, 300, 24);
    PIX *grey = grey_page(truth, 40, 220, 0, 0);
    l_int32 ink = 0;
    pixCountPixels(truth, &ink, NULL);
    PIX *in[7];
    in[0] = pixCopy(NULL, truth);                            /* 1 bpp */
    in[1] = pixConvert8To16(grey, 8);                        /* 16 bpp */
    in[2] = pixConvertGrayToColormap8(grey, 8);              /* cmap */
    in[3] = pixConvertTo32(grey);                            /* RGB */
    in[4] = pixThresholdTo4bpp(grey, 16, 0);                 /* 4 bpp */
    in[5] = pixThresholdTo2bpp(grey, 4, 0);                  /* 2 bpp */
    in[6] = pixCopy(NULL, grey);                             /* 8 bpp */
    for (int i = 0; i < 7; i++) {
        CHECK(in[i] != NULL);
        if (!in[i])
            continue;
        for (int m = 0; m < 2; m++) {
            PIX *b = binarize(in[i], m ? SEG_BINARIZE_OTSU
                                       : SEG_BINARIZE_SAUVOLA, 0, NULL);
            CHECK(b != NULL);
            if (!b)
                continue;
            CHECK(pixGetDepth(b) == 1);
            double e = fx_ink_error(b, truth);
            if (e >= 0.15)
                printf("  input %d (%d bpp) method %d: error %.3f\n", i,
                       pixGetDepth(in[i]), m, e);
            CHECK(e < 0.15);
            pixDestroy(&b);
        }
        pixDestroy(&in[i]);
    }
    (void)ink;
    pixDestroy(&grey);
    pixDestroy(&truth);
}

static void seg_page_binarize__colour_ink_on_tinted_paper__ink_found(void)
{
    PIX *truth = truth_page(600, 300, 24);
    int w = pixGetWidth(truth), h = pixGetHeight(truth);
    PIX *rgb = pixCreate(w, h, 32);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            l_uint32 b, v;
            pixGetPixel(truth, x, y, &b);
            composeRGBPixel(b ? 30 : 245, b ? 40 : 235, b ? 160 : 190, &v);
            pixSetPixel(rgb, x, y, v);
        }
    PIX *b = binarize(rgb, SEG_BINARIZE_SAUVOLA, 0, NULL);
    CHECK(b != NULL);
    if (b)
        CHECK(fx_ink_error(b, truth) < 0.15);
    pixDestroy(&b);
    pixDestroy(&rgb);
    pixDestroy(&truth);
}

static void check_skew(float deg)
{
    /* text mid-page, so that turning the page keeps it inside */
    PIX *truth = truth_page_at(1200, 700, 30, 450, 250);
    PIX *grey8 = grey_page(truth, 40, 220, 0, 0);
    PIX *rot = pixRotate(grey8, deg * (float)M_PI / 180.0f, L_ROTATE_AREA_MAP,
                         L_BRING_IN_WHITE, 0, 0);
    float skew = 99;
    PIX *b = binarize(rot, SEG_BINARIZE_SAUVOLA, 1, &skew);
    CHECK(b != NULL);
    if (b) {
        /* the page was turned by deg; deskew turns it back */
        if (fabs(skew + deg) > 0.3)
            printf("  rotated %.1f deg, skew removed %.2f deg\n", (double)deg,
                   (double)skew);
        CHECK_NEAR(skew, -deg, 0.3);
        SegPage *page = seg_page_segment(b, 300, NULL);
        CHECK(page != NULL);
        if (page) {
            int nl;
            const SegLine *l = seg_page_get_lines(page, &nl);
            CHECK(nl == 4);
            for (int i = 0; i < nl; i++)
                CHECK(fabs(l[i].baseline_slope) < 0.01); /* 0.6 deg */
            if (test_case_failed)
                fx_dump(page);
        }
        seg_page_destroy(&page);
    }
    pixDestroy(&b);
    pixDestroy(&rot);
    pixDestroy(&grey8);
    pixDestroy(&truth);
}

static void seg_page_binarize__skewed_pages__skew_removed(void)
{
    const float angles[6] = {-5.0f, -3.0f, -1.0f, 1.5f, 3.0f, 5.0f};
    for (int i = 0; i < 6; i++)
        check_skew(angles[i]);
}

static void seg_page_binarize__straight_page__not_rotated(void)
{
    PIX *truth = truth_page(1200, 700, 30);
    float skew = 99;
    PIX *b = binarize(truth, SEG_BINARIZE_SAUVOLA, 1, &skew);
    CHECK(b != NULL);
    CHECK(skew == 0.0f);
    if (b)
        CHECK(fx_ink_error(b, truth) == 0.0);
    pixDestroy(&b);
    pixDestroy(&truth);
}

static void seg_page_binarize__level_box_tilted_writing__not_rotated(void)
{
    /* A field cut tight to its level box, the writing in it uphill: the
     * sweep followed the writing and turned the crop, and the box's top
     * and bottom rules left it at the corners (its sides then stayed and
     * were read as 1s). A level rule across the page says it is straight. */
    PIX *text = pixCreate(560, 80, 1);
    FxPen pen = fx_pen(24);
    fx_text(text, "nox lov Hon vix", 20, 56, &pen, 0);
    PIX *tilt = pixRotateShearCenter(text, 2.0f * (float)M_PI / 180.0f,
                                     L_BRING_IN_WHITE);
    pixRasterop(tilt, 0, 0, 560, 3, PIX_SET, NULL, 0, 0);
    pixRasterop(tilt, 0, 77, 560, 3, PIX_SET, NULL, 0, 0);
    pixRasterop(tilt, 0, 0, 3, 80, PIX_SET, NULL, 0, 0);
    pixRasterop(tilt, 557, 0, 3, 80, PIX_SET, NULL, 0, 0);
    PIX *grey8 = grey_page(tilt, 40, 220, 0, 0);
    float skew = 99;
    PIX *b = binarize(grey8, SEG_BINARIZE_SAUVOLA, 1, &skew);
    CHECK(b != NULL);
    CHECK(skew == 0.0f);
    if (b) {
        l_int32 top = 0, bottom = 0;
        pixCountPixelsInRow(b, 0, &top, NULL);
        pixCountPixelsInRow(b, 79, &bottom, NULL);
        CHECK(top == 560 && bottom == 560);
    }
    if (test_case_failed)
        printf("  skew %.2f deg\n", (double)skew);
    pixDestroy(&b);
    pixDestroy(&grey8);
    pixDestroy(&tilt);
    pixDestroy(&text);
}

static void seg_page_binarize__blank_noisy_paper__no_ink(void)
{
    PIX *empty = pixCreate(800, 600, 1);
    PIX *grey = grey_page(empty, 0, 215, 8, 30);
    for (int m = 0; m < 2; m++) {
        PIX *b = binarize(grey, m ? SEG_BINARIZE_OTSU : SEG_BINARIZE_SAUVOLA,
                          1, NULL);
        CHECK(b != NULL);
        if (b) {
            l_int32 on = 0;
            pixCountPixels(b, &on, NULL);
            if (on > 50)
                printf("  method %d: %d ink pixels on blank paper\n", m, on);
            CHECK(on <= 50);
            SegPage *page = seg_page_segment(b, 300, NULL);
            int nl = -1;
            if (page)
                seg_page_get_lines(page, &nl);
            CHECK(nl == 0);
            seg_page_destroy(&page);
        }
        pixDestroy(&b);
    }
    pixDestroy(&grey);
    pixDestroy(&empty);
}

/* Paper whose grey wanders (slow waves plus noise) with faint and strong
 * marks of every size scattered over it: many cells are paper right next
 * to ink, and many thresholds sit a grey level or two from the paper. */
static PIX *wandering_page(int w, int h, unsigned seed)
{
    PIX *g = pixCreate(w, h, 8);
    fx_seed = seed;
    int phase = (int)(fx_rand() % 97);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int v = 200 + (int)(40.0 * sin((x + phase) / 23.0) *
                                cos((y + 2 * phase) / 31.0)) +
                    (int)(fx_rand() % 9) - 4;
            pixSetPixel(g, x, y, (l_uint32)(v < 0 ? 0 : v > 255 ? 255 : v));
        }
    /* dark blocks with sharp edges: thresholds change fastest there */
    for (int i = 0; i < 1 + w * h / 20000; i++) {
        int x0 = (int)(fx_rand() % (unsigned)w);
        int y0 = (int)(fx_rand() % (unsigned)h);
        int x1 = x0 + 20 + (int)(fx_rand() % 100);
        int y1 = y0 + 20 + (int)(fx_rand() % 100);
        int v = (int)(fx_rand() % 120);
        for (int y = y0; y < y1 && y < h; y++)
            for (int x = x0; x < x1 && x < w; x++)
                pixSetPixel(g, x, y, (l_uint32)v);
    }
    for (int i = 0; i < w * h / 400; i++) {
        int x = (int)(fx_rand() % (unsigned)w);
        int y = (int)(fx_rand() % (unsigned)h);
        int bw = 1 + (int)(fx_rand() % 12), bh = 1 + (int)(fx_rand() % 12);
        int depth = 10 + (int)(fx_rand() % 150); /* faint to black */
        for (int yy = y; yy < y + bh && yy < h; yy++)
            for (int xx = x; xx < x + bw && xx < w; xx++) {
                l_uint32 v;
                pixGetPixel(g, xx, yy, &v);
                int d = (int)v - depth;
                pixSetPixel(g, xx, yy, (l_uint32)(d < 0 ? 0 : d));
            }
    }
    return g;
}

/* The words that cannot hold ink are written as paper without being
 * compared; that must never change a pixel: every window size (cells of 2
 * to 16 px), widths that are not a multiple of 32 or 4, and marks one grey
 * level from their threshold. */
static void seg__sauvola__paper_skipped__same_page_as_every_pixel(void)
{
    static const int sizes[][2] = {{331, 217}, {256, 160}, {97, 403},
                                   {1203, 77}, {33, 33}};
    static const int halves[] = {7, 12, 25, 40, 64, 90};
    int pages = 0, same = 0;
    long ink = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (size_t k = 0; k < 3 * sizeof halves / sizeof *halves; k++) {
            PIX *g = wandering_page(sizes[s][0], sizes[s][1],
                                    (unsigned)(101 * s + k + 1));
            int half = halves[k % (sizeof halves / sizeof *halves)];
            PIX *a = seg__sauvola(g, half, 0.2f, 1);
            PIX *b = seg__sauvola(g, half, 0.2f, 0);
            l_int32 eq = 0, on = 0;
            if (a && b) {
                pixEqual(a, b, &eq);
                pixCountPixels(b, &on, NULL);
            }
            if (!eq)
                printf("  %dx%d half %d: pages differ\n", sizes[s][0],
                       sizes[s][1], half);
            pages++;
            same += eq;
            ink += on;
            pixDestroy(&a);
            pixDestroy(&b);
            pixDestroy(&g);
        }
    CHECK(same == pages);
    CHECK(ink > 0); /* the marks were found: not a comparison of blanks */
}

/* Add cell (tx, ty)'s sums s1, s2 to summed-area tables t1, t2 of
 * (nx + 1) columns, the cells before it in row and column already in. */
static void sat_add(double *t1, double *t2, int nx, int tx, int ty, double s1,
                    double s2)
{
    size_t at = (size_t)(ty + 1) * (nx + 1) + tx + 1;
    size_t up = at - (size_t)(nx + 1);
    t1[at] = t1[up] + t1[at - 1] - t1[up - 1] + s1;
    t2[at] = t2[up] + t2[at - 1] - t2[up - 1] + s2;
}

/* The cell sums are the page's own, pixel by pixel: summed-area tables
 * and each cell row's least grey per 32-pixel word against sums taken
 * here one pixel at a time, on random grey pages whose width is on and
 * off a multiple of 16 (the column blocks) and whose last cell row and
 * column are cut, for every cell side from 2 to 16. */
static void seg__cell_sums__any_page__tables_and_minima_by_hand(void)
{
    static const int sizes[][2] = {{37, 23}, {64, 48}, {100, 17},
                                   {129, 35}, {16, 16}, {3, 40}};
    int cases = 0, same = 0;
    for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++)
        for (int cell = 2; cell <= 16; cell++) {
            int w = sizes[z][0], h = sizes[z][1];
            int nx = (w + cell - 1) / cell, ny = (h + cell - 1) / cell;
            int nw = (w + 31) / 32;
            PIX *g = pixCreate(w, h, 8);
            size_t ni = (size_t)(nx + 1) * (ny + 1);
            double *i1 = malloc(ni * sizeof *i1), *i2 = malloc(ni * sizeof *i2);
            double *r1 = calloc(ni, sizeof *r1), *r2 = calloc(ni, sizeof *r2);
            unsigned char *wm = malloc((size_t)ny * nw);
            CHECK(g && i1 && i2 && r1 && r2 && wm);
            if (!g || !i1 || !i2 || !r1 || !r2 || !wm)
                break;
            fx_seed = (unsigned)(100 * z + cell);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) /* dark and light areas */
                    pixSetPixel(g, x, y,
                                (x / 7 + y / 5) % 3 ? 150 + fx_rand() % 106
                                                    : fx_rand() % 256);
            int ok = seg__cell_sums(g, cell, nx, ny, i1, i2, wm) == 0;
            for (int ty = 0; ty < ny; ty++)
                for (int tx = 0; tx < nx; tx++) {
                    double s1 = 0, s2 = 0;
                    for (int y = ty * cell; y < (ty + 1) * cell && y < h; y++)
                        for (int x = tx * cell; x < (tx + 1) * cell && x < w;
                             x++) {
                            l_uint32 v = 0;
                            pixGetPixel(g, x, y, &v);
                            s1 += v;
                            s2 += (double)v * v;
                        }
                    sat_add(r1, r2, nx, tx, ty, s1, s2);
                }
            for (size_t i = 0; ok && i < ni; i++)
                ok = i1[i] == r1[i] && i2[i] == r2[i];
            /* a word's least grey over its pixels (the row padding of a
             * fresh PIX is 0, and counts: it can only lower the minimum) */
            l_uint32 *data = pixGetData(g);
            int wpl = pixGetWpl(g);
            for (int ty = 0; ok && ty < ny; ty++)
                for (int wi = 0; ok && wi < nw; wi++) {
                    unsigned m = 255;
                    for (int y = ty * cell; y < (ty + 1) * cell && y < h; y++)
                        for (int b = 0; b < 32 && 32 * wi + b < 4 * wpl; b++) {
                            const unsigned char *row =
                                (const unsigned char *)(data + (size_t)y * wpl);
                            m = row[32 * wi + b] < m ? row[32 * wi + b] : m;
                        }
                    ok = wm[(size_t)ty * nw + wi] == m;
                }
            if (!ok)
                printf("  %dx%d cell %d: cell sums differ\n", w, h, cell);
            cases++;
            same += ok;
            pixDestroy(&g);
            free(i1);
            free(i2);
            free(r1);
            free(r2);
            free(wm);
        }
    CHECK(cases > 0 && same == cases);
}

/* The thresholds two cells at a time (SSE2) are the floats one at a time
 * gives, bit for bit: summed-area tables of pages of random grey, of flat
 * grey (variance 0, or a hair below from rounding) and of both, with
 * windows wider than the page, the last cells whole or cut at the right
 * and bottom edges, odd and even counts of inner cells. (A reordering of
 * the double operations, a rounding apart, would almost never change the
 * float: that the order is cell_threshold()'s is checked by reading.) */
static void seg__cell_thresholds__two_at_a_time__same_floats(void)
{
    static const int dims[][4] = {/* nx, ny, R, cell */
                                  {40, 30, 3, 6},    {41, 7, 5, 3},
                                  {42, 7, 5, 3},     {9, 9, 6, 4},
                                  {200, 12, 12, 16}, {201, 12, 12, 16},
                                  {3, 3, 1, 2},      {77, 20, 2, 5},
                                  {78, 20, 2, 5}};
    int rows = 0, same = 0, inner = 0;
    for (size_t d = 0; d < sizeof dims / sizeof *dims; d++)
        for (int kind = 0; kind < 6; kind++) {
            int nx = dims[d][0], ny = dims[d][1], R = dims[d][2];
            int cell = dims[d][3], cut = kind >= 3 ? cell - 1 : 0;
            int w = nx * cell - cut, h = ny * cell - cut;
            size_t n = (size_t)(nx + 1) * (ny + 1);
            double *i1 = calloc(n, sizeof *i1), *i2 = calloc(n, sizeof *i2);
            float *a = malloc((size_t)nx * sizeof *a);
            float *b = malloc((size_t)nx * sizeof *b);
            CHECK(i1 && i2 && a && b);
            if (!i1 || !i2 || !a || !b)
                break;
            fx_seed = (unsigned)(17 * d + kind % 3 + 1);
            for (int ty = 0; ty < ny; ty++)
                for (int tx = 0; tx < nx; tx++) {
                    /* a cell of cell x cell pixels, flat or not */
                    double s1 = 0, s2 = 0;
                    int flat = kind % 3 == 1 || (kind % 3 == 2 && tx < nx / 2);
                    unsigned g0 = 150 + fx_rand() % 100;
                    for (int p = 0; p < cell * cell; p++) {
                        unsigned g = flat ? g0 : fx_rand() % 256;
                        s1 += g;
                        s2 += (double)g * g;
                    }
                    sat_add(i1, i2, nx, tx, ty, s1, s2);
                }
            for (int ty = 0; ty < ny; ty++) {
                seg__cell_thresholds(i1, i2, nx, ny, ty, R, cell, w, h,
                                     0.34f, 1, a);
                seg__cell_thresholds(i1, i2, nx, ny, ty, R, cell, w, h,
                                     0.34f, 0, b);
                rows++;
                same += memcmp(a, b, (size_t)nx * sizeof *a) == 0;
            }
            inner += nx - 2 * R - 1 >= 2;
            free(i1);
            free(i2);
            free(a);
            free(b);
        }
    CHECK(rows > 0 && same == rows);
    CHECK(inner > 0); /* some rows had cells done two at a time */
}

/* The ink count and box the skew step measures on are Leptonica's
 * (pixCountPixels, pixClipToForeground): widths on and off a 32-pixel
 * word, ink at every edge, a single pixel, and padding bits set in each
 * row's last word (they are not pixels). */
static void seg__ink_extent__any_page__count_and_box_as_leptonica(void)
{
    static const int sizes[][2] = {{64, 40}, {65, 41}, {97, 3}, {31, 50},
                                   {1, 1}, {300, 200}};
    int cases = 0, same = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (int v = 0; v < 4; v++) {
            int w = sizes[s][0], h = sizes[s][1];
            PIX *pix = pixCreate(w, h, 1);
            fx_seed = (unsigned)(31 * s + v + 1);
            int n = v == 0 ? 1 : v == 1 ? 3 : 40;
            for (int i = 0; i < n; i++)
                pixSetPixel(pix, (int)(fx_rand() % (unsigned)w),
                            (int)(fx_rand() % (unsigned)h), 1);
            if (v == 3) { /* the four edges */
                pixSetPixel(pix, 0, h / 2, 1);
                pixSetPixel(pix, w - 1, h / 2, 1);
                pixSetPixel(pix, w / 2, 0, 1);
                pixSetPixel(pix, w / 2, h - 1, 1);
            }
            l_int32 ref_on = 0, on = -1;
            BOX *ref_box = NULL, *box = NULL;
            pixCountPixels(pix, &ref_on, NULL);
            pixClipToForeground(pix, NULL, &ref_box);
            pixSetPadBits(pix, 1);
            CHECK(seg__ink_extent(pix, &on, &box) == 0);
            l_int32 eq = 0;
            if (box && ref_box)
                boxEqual(box, ref_box, &eq);
            if (on != ref_on || !eq)
                printf("  %dx%d case %d: %d ink (%d), box %s\n", w, h, v,
                       on, ref_on, eq ? "same" : "differs");
            cases++;
            same += on == ref_on && eq;
            boxDestroy(&box);
            boxDestroy(&ref_box);
            pixDestroy(&pix);
        }
    CHECK(same == cases);
}

static void seg_page_binarize__very_dark_page__text_found(void)
{
    PIX *truth = truth_page(900, 500, 30);
    PIX *grey = grey_page(truth, 8, 60, 3, 0);
    for (int m = 0; m < 2; m++) {
        PIX *b = binarize(grey, m ? SEG_BINARIZE_OTSU : SEG_BINARIZE_SAUVOLA,
                          0, NULL);
        CHECK(b != NULL);
        if (b) {
            double e = fx_ink_error(b, truth);
            if (e >= 0.2)
                printf("  method %d: error %.3f\n", m, e);
            CHECK(e < 0.2);
        }
        pixDestroy(&b);
    }
    pixDestroy(&grey);
    pixDestroy(&truth);
}

static void seg_page_binarize__black_and_random_pages__no_crash(void)
{
    PIX *black = pixCreate(500, 400, 8); /* all 0 */
    PIX *noise = pixCreate(500, 400, 8);
    fx_seed = 3;
    for (int y = 0; y < 400; y++)
        for (int x = 0; x < 500; x++)
            pixSetPixel(noise, x, y, fx_rand() & 255);
    PIX *tiny = pixCreate(3, 2, 8);
    PIX *pages[3] = {black, noise, tiny};
    for (int i = 0; i < 3; i++)
        for (int m = 0; m < 2; m++) {
            PIX *b = binarize(pages[i],
                              m ? SEG_BINARIZE_OTSU : SEG_BINARIZE_SAUVOLA, 1,
                              NULL);
            CHECK(b != NULL);
            if (b) {
                CHECK(pixGetWidth(b) == pixGetWidth(pages[i]));
                SegPage *page = seg_page_segment(b, 300, NULL);
                CHECK(page != NULL);
                seg_page_destroy(&page);
            }
            pixDestroy(&b);
        }
    pixDestroy(&black);
    pixDestroy(&noise);
    pixDestroy(&tiny);
}

/* A field crop 420 x 60 on paper 235, noise +-6: a box (2 px lines) and
 * six dividers at grey `rule`, a dark pen stroke (6 px at 30, grey edges
 * of 200 beside it) in each cell; small: the strokes 3 px wide and 18
 * high (writing at half size in the same box). */
static PIX *faint_box_crop_sized(int rule, int small)
{
    PIX *g = pixCreate(420, 60, 8);
    int y0 = small ? 21 : 12, y1 = small ? 39 : 48;
    int e0 = small ? 28 : 27, e1 = small ? 32 : 34;
    fx_seed = 7;
    for (int y = 0; y < 60; y++)
        for (int x = 0; x < 420; x++) {
            int cx = x % 60, v = 235;
            if (y < 2 || y >= 58 || cx < 2 || x >= 418)
                v = rule;
            else if (y >= y0 && y < y1 && (cx == e0 || cx == e1))
                v = 200;
            else if (y >= y0 && y < y1 && cx > e0 && cx < e1)
                v = 30;
            v += (int)(fx_rand() % 13) - 6;
            pixSetPixel(g, x, y, (l_uint32)v);
        }
    return g;
}

static PIX *faint_box_crop(int rule)
{
    return faint_box_crop_sized(rule, 0);
}

/* Of pixb's columns x0..x1, in how many rows is one of them ink? */
static int rows_inked(PIX *pixb, int x0, int x1, int y0, int y1)
{
    int n = 0;
    for (int y = y0; y < y1; y++) {
        int any = 0;
        for (int x = x0; x < x1 && !any; x++) {
            l_uint32 v;
            pixGetPixel(pixb, x, y, &v);
            any = v != 0;
        }
        n += any;
    }
    return n;
}

static void seg_page_binarize__faint_box_in_crop__painted_whole(void)
{
    /* light grey lines (190 on 235: a form printed in a drop-out colour)
     * come out of Sauvola in bits; they are painted whole, so that the
     * furniture step removes them as it does dark ones. The pen strokes
     * keep their width: their grey edges (200, as light as a rule) are
     * not painted. */
    SegBinarizeOptions o;
    seg_binarize_options_init(&o);
    o.deskew = 0;
    /* without pscale (no faint rules: note 6) Sauvola leaves bits */
    PIX *g0 = faint_box_crop(190);
    PIX *b0 = seg_page_binarize(g0, 0, &o, NULL, NULL);
    int top0 = 0, div0 = 0;
    for (int x = 0; b0 && x < 420; x++)
        top0 += rows_inked(b0, x, x + 1, 0, 2) > 0;
    for (int k = 1; b0 && k < 7; k++)
        div0 += rows_inked(b0, 60 * k, 60 * k + 2, 0, 60) >= 58;
    printf("  thresholded only: top %d of 420 columns; %d of 6 dividers\n",
           top0, div0);
    CHECK(b0 && top0 < 300 && div0 == 0);
    pixDestroy(&b0);
    pixDestroy(&g0);
    PIX *g = faint_box_crop(190);
    int scale = 0;
    PIX *b = seg_page_binarize(g, 0, &o, NULL, &scale);
    CHECK(b != NULL && scale == 1);
    if (b && scale == 1) {
        int top = 0, bot = 0, div = 0;
        /* columns in which one of the top (bottom) rows is ink */
        for (int x = 0; x < 420; x++) {
            top += rows_inked(b, x, x + 1, 0, 2) > 0;
            bot += rows_inked(b, x, x + 1, 58, 60) > 0;
        }
        for (int k = 1; k < 7; k++)
            div += rows_inked(b, 60 * k, 60 * k + 2, 0, 60) >= 58;
        printf("  top %d, bottom %d of 420 columns; %d of 6 dividers\n",
               top, bot, div);
        CHECK(top >= 415 && bot >= 415 && div == 6);
        int wide = 0;
        for (int y = 14; y < 46; y++)
            wide += rows_inked(b, 27, 28, y, y + 1) +
                    rows_inked(b, 34, 35, y, y + 1);
        printf("  stroke edge pixels painted: %d\n", wide);
        CHECK(wide == 0);
    }
    pixDestroy(&b);
    pixDestroy(&g);
}

/* faint_box_crop_sized(rule, small) at (100, 100) on a 1200 x 1000
 * page of paper 235: a field of a form, read as a whole page; with
 * small, more writing of that size below it (4 lines of 20 strokes), as
 * a form's other fields. */
static PIX *faint_box_page(int rule, int small)
{
    PIX *crop = faint_box_crop_sized(rule, small);
    PIX *g = pixCreate(1200, 1000, 8);
    pixSetAllArbitrary(g, 235);
    pixRasterop(g, 100, 100, 420, 60, PIX_SRC, crop, 0, 0);
    for (int j = 0; small && j < 4; j++)
        for (int i = 0; i < 20; i++)
            pixRasterop(g, 100 + 40 * i, 300 + 80 * j, 6, 60, PIX_SRC, crop,
                        27, 0);
    pixDestroy(&crop);
    return g;
}

/* A page of faint_box_page(rule, small) thresholded without deskew, as
 * a page is by itself (*pb0: no pscale, no faint rules searched) and in
 * the chain (*pb: pscale given). Returns 1 when both came out, at scale
 * 1. */
static int faint_page_both(int rule, int small, PIX **pb0, PIX **pb)
{
    SegBinarizeOptions o;
    seg_binarize_options_init(&o);
    o.deskew = 0;
    PIX *g = faint_box_page(rule, small);
    int scale = 0;
    *pb0 = seg_page_binarize(g, 0, &o, NULL, NULL);
    *pb = seg_page_binarize(g, 0, &o, NULL, &scale);
    pixDestroy(&g);
    return *pb0 && *pb && scale == 1;
}

/* The light box (faint_box_crop(190)) cut loose: on paper (235) w x h,
 * its top left at (40, y). */
static PIX *faint_box_loose(int w, int h, int y)
{
    PIX *crop = faint_box_crop(190);
    PIX *g = pixCreate(w, h, 8);
    pixSetAllArbitrary(g, 235);
    pixRasterop(g, 40, y, 420, 60, PIX_SRC, crop, 0, 0);
    pixDestroy(&crop);
    return g;
}

static void seg_page_binarize__faint_box_loose_crop__painted_whole(void)
{
    /* the light box cut loose, with paper all round (a form reader's
     * loose cut: 80 px above and below, 40 at the sides): the strip's
     * columns must span 0.35 of a crop now much taller than the box, and
     * its dividers stayed in bits; the page's search (a box closed by the
     * rule under it) finds them */
    PIX *g = faint_box_loose(500, 220, 80);
    SegBinarizeOptions o;
    seg_binarize_options_init(&o);
    o.deskew = 0;
    int scale = 0;
    PIX *b = seg_page_binarize(g, 0, &o, NULL, &scale);
    CHECK(b != NULL && scale == 1);
    if (b && scale == 1) {
        int div = 0;
        for (int k = 1; k < 7; k++)
            div += rows_inked(b, 40 + 60 * k, 42 + 60 * k, 80, 140) >= 58;
        printf("  %d of 6 dividers whole\n", div);
        CHECK(div == 6);
    }
    pixDestroy(&b);
    pixDestroy(&g);
}

static void seg_page_binarize__faint_box_on_page__painted_as_in_crop(void)
{
    /* the same light box as a field of a page (over a million pixels,
     * note 7): its rules and dividers are painted whole, as in the crop,
     * so that a form printed light reads on a page as its fields do cut
     * out (before: Sauvola's bits, read as 1s) */
    PIX *b0, *b;
    int ok = faint_page_both(190, 0, &b0, &b);
    CHECK(ok);
    if (ok) {
        int div0 = 0, top = 0, bot = 0, div = 0, wide = 0;
        for (int k = 1; k < 7; k++) {
            div0 += rows_inked(b0, 100 + 60 * k, 102 + 60 * k, 100, 160) >= 58;
            div += rows_inked(b, 100 + 60 * k, 102 + 60 * k, 100, 160) >= 58;
        }
        for (int x = 100; x < 520; x++) {
            top += rows_inked(b, x, x + 1, 100, 102) > 0;
            bot += rows_inked(b, x, x + 1, 158, 160) > 0;
        }
        for (int y = 114; y < 146; y++)
            wide += rows_inked(b, 127, 128, y, y + 1) +
                    rows_inked(b, 134, 135, y, y + 1);
        printf("  thresholded only: %d of 6 dividers whole; searched: top "
               "%d, bottom %d of 420 columns, %d of 6 dividers, %d stroke "
               "edge pixels\n", div0, top, bot, div, wide);
        CHECK(div0 < 6);
        CHECK(top >= 415 && bot >= 415 && div == 6);
        CHECK(wide == 0);
    }
    pixDestroy(&b0);
    pixDestroy(&b);
}

static void seg_page_binarize__page_without_faint_rules__as_thresholded(void)
{
    /* the same page with its lines as paper, only the pen strokes (with
     * grey edges as light as a rule): nothing is painted */
    PIX *b0, *b;
    l_int32 same = 0;
    CHECK(faint_page_both(235, 0, &b0, &b) && pixEqual(b0, b, &same) == 0 &&
          same);
    pixDestroy(&b0);
    pixDestroy(&b);
}

static void seg_page_binarize__faint_box_half_size__as_thresholded(void)
{
    /* the light box around writing at half size (strokes 18 px high,
     * under SEG_FAINT_GLYPH): a form scanned at 150 dpi, where Sauvola
     * loses the light lines, which is best there; painted, the furniture
     * step did not take them at that size and they were read as 1s
     * (light forms at 150 dpi, ten to a page: 53 of 60 fields right
     * unpainted, 32 painted) */
    PIX *b0, *b;
    l_int32 same = 0;
    CHECK(faint_page_both(190, 1, &b0, &b) && pixEqual(b0, b, &same) == 0 &&
          same);
    pixDestroy(&b0);
    pixDestroy(&b);
}

/* Turned forms (seg_page_binarize note 8; seg_rotate.c) */

/* A grey page w x h of writing 30 px high (four lines from y 100) and,
 * at y 800, a comb: a rule 3 px thick from x 100 to 643, ticks 3 px
 * wide and 20 px high above it every 60 px; noise +-4. */
static PIX *comb_page(int w, int h)
{
    PIX *truth = truth_page_at(w, h, 30, 100, 100);
    pixRasterop(truth, 100, 800, 543, 3, PIX_SET, NULL, 0, 0);
    for (int i = 0; i < 10; i++)
        pixRasterop(truth, 100 + 60 * i, 780, 3, 20, PIX_SET, NULL, 0, 0);
    PIX *g = grey_page(truth, 40, 235, 4, 0);
    pixDestroy(&truth);
    return g;
}

static void seg__rotate_grey__small_angles__as_the_binary_page_turned(void)
{
    /* the grey page turned and then thresholded is the thresholded page
     * turned by Leptonica's shears, but for the steps' pixels */
    PIX *g = comb_page(1200, 1000);
    PIX *b0 = pixThresholdToBinary(g, 128);
    const float deg[4] = {-3.0f, -1.0f, 0.6f, 2.5f};
    int whole[4] = {0, 0, 1200, 1000};
    for (int i = 0; i < 4; i++) {
        PIX *r = seg__rotate_grey(g, deg[i], whole, 235);
        PIX *rb = r ? pixThresholdToBinary(r, 128) : NULL;
        PIX *lb = pixRotateShearCenter(b0, deg[i] * (float)M_PI / 180.0f,
                                       L_BRING_IN_WHITE);
        PIX *x = rb && lb ? pixXor(NULL, rb, lb) : NULL;
        l_int32 ink = 0, diff = -1;
        if (x) {
            pixCountPixels(lb, &ink, NULL);
            pixCountPixels(x, &diff, NULL);
        }
        printf("  %.1f deg: %d of %d ink pixels differ\n", (double)deg[i],
               diff, ink);
        CHECK(x && ink > 5000 && diff >= 0 && diff < ink / 10);
        pixDestroy(&x);
        pixDestroy(&lb);
        pixDestroy(&rb);
        pixDestroy(&r);
    }
    pixDestroy(&b0);
    pixDestroy(&g);
}

static void seg__rotate_grey__a_part__as_cut_from_the_whole(void)
{
    PIX *g = comb_page(1200, 1000);
    int whole[4] = {0, 0, 1200, 1000}, part[4] = {81, 650, 700, 860};
    PIX *all = seg__rotate_grey(g, 1.3f, whole, 235);
    PIX *one = seg__rotate_grey(g, 1.3f, part, 235);
    BOX *box = boxCreate(81, 650, 619, 210);
    PIX *cut = all ? pixClipRectangle(all, box, NULL) : NULL;
    l_int32 same = 0;
    CHECK(one && cut && pixEqual(one, cut, &same) == 0 && same);
    /* turned by 0, the page as it is */
    PIX *zero = seg__rotate_grey(g, 0.0f, whole, 235);
    CHECK(zero && pixEqual(zero, g, &same) == 0 && same);
    /* angles past 2 shears, parts off the page, 1 bpp pages: none */
    int off[4] = {0, 900, 1200, 1001};
    CHECK(seg__rotate_grey(g, 4.0f, whole, 235) == NULL);
    CHECK(seg__rotate_grey(g, 1.0f, off, 235) == NULL);
    PIX *b = pixThresholdToBinary(g, 128);
    CHECK(seg__rotate_grey(b, 1.0f, whole, 235) == NULL);
    pixDestroy(&b);
    pixDestroy(&zero);
    pixDestroy(&cut);
    boxDestroy(&box);
    pixDestroy(&one);
    pixDestroy(&all);
    pixDestroy(&g);
}

/* The glyphs page b segmented finds among the comb's ticks (comb_page:
 * above its rule, x 90-650, y 770-800 as turned back): none when the
 * furniture step took the comb. */
static int glyphs_on_comb(PIX *b)
{
    SegPage *page = seg_page_segment(b, 300, NULL);
    int n = 0, ng = 0;
    const SegGlyph *gl = page ? seg_page_get_glyphs(page, &ng) : NULL;
    for (int i = 0; i < ng; i++) {
        const SegBox *q = &gl[i].box;
        n += q->x + q->w > 90 && q->x < 650 && q->y + q->h > 770 &&
             q->y < 800;
    }
    int ok = page != NULL;
    seg_page_destroy(&page);
    return ok ? n : -1;
}

/* Page g turned by deg and thresholded with deskew, as the chain does
 * (*pb: pscale given) and as a 1 bpp page turned only (*pb1); *pskew:
 * the chain's skew. 1 when both came out at scale 1. */
static int turned_both(PIX *g, float deg, PIX **pb, PIX **pb1, float *pskew)
{
    PIX *rot = pixRotate(g, deg * (float)M_PI / 180.0f, L_ROTATE_AREA_MAP,
                         L_BRING_IN_WHITE, 0, 0);
    SegBinarizeOptions o;
    seg_binarize_options_init(&o);
    int scale = 0;
    *pb = seg_page_binarize(rot, 300, &o, pskew, &scale);
    *pb1 = seg_page_binarize(rot, 300, &o, NULL, NULL);
    pixDestroy(&rot);
    return *pb && *pb1 && scale == 1;
}

static void seg_page_binarize__turned_comb__its_part_thresholded_again(void)
{
    /* a form scanned turned 1.2 degrees: deskew's shears of whole pixels
     * can make a comb's tick jog a pixel partway up (the furniture step
     * then read whole combs as 1s), so the part about the rule is
     * thresholded again from the grey page turned: the page differs from
     * the one turned as 1 bpp there only, and the comb still goes */
    PIX *g = comb_page(1200, 1000), *b = NULL, *b1 = NULL;
    float skew = 0;
    CHECK(turned_both(g, 1.2f, &b, &b1, &skew));
    if (b && b1) {
        CHECK(fabs(skew + 1.2) < 0.3);
        PIX *x = pixXor(NULL, b, b1);
        l_int32 all = 0, out = 0;
        pixCountPixels(x, &all, NULL);
        /* the part: 2.5 glyph heights above the rule, 0.5 below */
        BOX *part = boxCreate(0, 650, 1200, 180);
        pixClearInRect(x, part);
        pixCountPixels(x, &out, NULL);
        printf("  pixels changed: %d, outside the rule's part: %d\n", all,
               out);
        CHECK(all > 0 && out == 0);
        int n = glyphs_on_comb(b);
        printf("  glyphs left among the ticks: %d\n", n);
        CHECK(n == 0);
        boxDestroy(&part);
        pixDestroy(&x);
    }
    pixDestroy(&b1);
    pixDestroy(&b);
    pixDestroy(&g);
}

static void seg_page_binarize__turned_page_without_rules__turned_as_1bpp(void)
{
    /* writing only: nothing is thresholded again (the cost stays with
     * forms) */
    PIX *truth = truth_page_at(1200, 1000, 30, 100, 100);
    PIX *g = grey_page(truth, 40, 235, 4, 0), *b = NULL, *b1 = NULL;
    float skew = 0;
    l_int32 same = 0;
    CHECK(turned_both(g, 1.2f, &b, &b1, &skew) && skew != 0.0f &&
          pixEqual(b, b1, &same) == 0 && same);
    pixDestroy(&b1);
    pixDestroy(&b);
    pixDestroy(&g);
    pixDestroy(&truth);
}

/* Light box (faint_box_crop(190)) turned 2 degrees */

/* Columns x0..x1 inked in some row of y0..y1 of b (a rule's length). */
static int cols_inked(PIX *b, int x0, int x1, int y0, int y1)
{
    int n = 0;
    for (int x = x0; x < x1; x++)
        n += rows_inked(b, x, x + 1, y0, y1) > 0;
    return n;
}

/* g turned deg (area map) and thresholded as the chain does, deskewed;
 * *pskew: the skew. NULL unless it came out at scale 1. */
static PIX *turned_chain(PIX *g, float deg, float *pskew)
{
    PIX *rot = pixRotate(g, deg * (float)M_PI / 180.0f, L_ROTATE_AREA_MAP,
                         L_BRING_IN_WHITE, 0, 0);
    SegBinarizeOptions o;
    seg_binarize_options_init(&o);
    int scale = 0;
    PIX *b = rot ? seg_page_binarize(rot, 300, &o, pskew, &scale) : NULL;
    pixDestroy(&rot);
    if (b && scale != 1)
        pixDestroy(&b);
    return b;
}

/* The light box's dividers (six, 60 px apart from x0 + 60) whole in
 * rows y0..y0+60 of b, give or take a few pixels: how many. */
static int dividers_whole(PIX *b, int x0, int y0)
{
    int div = 0;
    for (int k = 1; k < 7; k++)
        div += rows_inked(b, x0 + 60 * k - 3, x0 + 60 * k + 5, y0 + 2,
                          y0 + 58) >= 54;
    return div;
}

/* The light box (faint_box_crop(190), its top left at x0, y0 of the
 * grey image g) turned 2 degrees and thresholded as the chain does: the
 * skew found, the top and bottom rules and the six dividers painted and
 * turned back whole, give or take a few pixels. */
static void check_light_box_turned_back(PIX *g, int x0, int y0)
{
    float skew = 0;
    PIX *b = turned_chain(g, 2.0f, &skew);
    CHECK(b != NULL);
    if (b) {
        int top = cols_inked(b, x0, x0 + 420, y0 - 5, y0 + 6);
        int bot = cols_inked(b, x0, x0 + 420, y0 + 53, y0 + 65);
        int div = dividers_whole(b, x0, y0);
        printf("  skew %.2f; top %d, bottom %d of 420 columns; %d of 6 "
               "dividers\n", (double)skew, top, bot, div);
        CHECK(fabs(skew + 2.0) < 0.3);
        CHECK(top >= 410 && bot >= 410 && div == 6);
    }
    pixDestroy(&b);
}

static void seg_page_binarize__faint_box_on_page_turned_2_degrees__painted(void)
{
    /* a form printed light, scanned turned 2 degrees: a 2 px rule leaves
     * a level row within 60 px, no level row held 0.4 in of it, and the
     * rows were searched tilted only when level ones had found a rule
     * (nothing was painted, and its fields read as 1s); searched tilted
     * by the page's skew, the box is painted and turned back whole */
    PIX *g = faint_box_page(190, 0);
    check_light_box_turned_back(g, 100, 100);
    pixDestroy(&g);
}

static void seg_page_binarize__faint_box_crop_turned_2_degrees__painted(void)
{
    /* the same box cut out with 40 px of paper round it (a field crop of
     * that form): its rules climb 14 px across the crop, a strip's rows
     * were searched level only, and they stayed in bits; the strip's tilt
     * is found from its pixels as light as a rule (strip_tilt) */
    PIX *g = faint_box_loose(500, 140, 40);
    check_light_box_turned_back(g, 40, 40);
    pixDestroy(&g);
}

static void seg_page_binarize__bad_arguments__error(void)
{
    PIX *grey = pixCreate(50, 50, 8);
    SegBinarizeOptions opt;
    seg_binarize_options_init(&opt);
    err_clear();
    CHECK(seg_page_binarize(NULL, 300, NULL, NULL, NULL) == NULL);
    CHECK(err_get()[0] != '\0');
    opt.k = 1.5f;
    err_clear();
    CHECK(seg_page_binarize(grey, 300, &opt, NULL, NULL) == NULL);
    CHECK(strstr(err_get(), "k") != NULL);
    seg_binarize_options_init(&opt);
    opt.method = (SegBinarizeMethod)7;
    CHECK(seg_page_binarize(grey, 300, &opt, NULL, NULL) == NULL);
    CHECK(strstr(err_get(), "method") != NULL);
    pixDestroy(&grey);
}

int main(void)
{
    RUN(seg_binarize_options_init__defaults__sauvola_deskew);
    RUN(seg_page_binarize__sauvola_uneven_light__matches_truth);
    RUN(seg_page_binarize__otsu_uneven_light__matches_truth);
    RUN(seg_page_binarize__light_pencil_shaded_paper__default_finds_it);
    RUN(seg_page_binarize__every_depth__one_bpp_ink);
    RUN(seg_page_binarize__colour_ink_on_tinted_paper__ink_found);
    RUN(seg_page_binarize__skewed_pages__skew_removed);
    RUN(seg_page_binarize__straight_page__not_rotated);
    RUN(seg_page_binarize__level_box_tilted_writing__not_rotated);
    RUN(seg_page_binarize__blank_noisy_paper__no_ink);
    RUN(seg__sauvola__paper_skipped__same_page_as_every_pixel);
    RUN(seg__cell_sums__any_page__tables_and_minima_by_hand);
    RUN(seg__cell_thresholds__two_at_a_time__same_floats);
    RUN(seg__ink_extent__any_page__count_and_box_as_leptonica);
    RUN(seg_page_binarize__very_dark_page__text_found);
    RUN(seg_page_binarize__black_and_random_pages__no_crash);
    RUN(seg_page_binarize__faint_box_in_crop__painted_whole);
    RUN(seg_page_binarize__faint_box_loose_crop__painted_whole);
    RUN(seg_page_binarize__faint_box_on_page__painted_as_in_crop);
    RUN(seg_page_binarize__page_without_faint_rules__as_thresholded);
    RUN(seg_page_binarize__faint_box_half_size__as_thresholded);
    RUN(seg__rotate_grey__small_angles__as_the_binary_page_turned);
    RUN(seg__rotate_grey__a_part__as_cut_from_the_whole);
    RUN(seg_page_binarize__turned_comb__its_part_thresholded_again);
    RUN(seg_page_binarize__turned_page_without_rules__turned_as_1bpp);
    RUN(seg_page_binarize__faint_box_on_page_turned_2_degrees__painted);
    RUN(seg_page_binarize__faint_box_crop_turned_2_degrees__painted);
    RUN(seg_page_binarize__bad_arguments__error);
    TEST_EXIT();
}
