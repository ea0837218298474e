/*
 * test_seg_skew.c - the skew found without shearing the page
 * (seg_skew.c) is Leptonica's, bit for bit: the score of any shear
 * against pixVShearCorner + pixFindDifferentialSquareSum, and the angle,
 * confidence and answer of the whole search against
 * pixFindSkewSweepAndSearch.
 *
 * Fixtures: pages of lines of word-like blocks (and scattered specks),
 * turned by random angles, sizes from a strip to a reduced page, on and
 * off a 32-pixel word, with the padding bits set; a blank page; one of
 * scattered ink only.
 */
#include "segment/seg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

static unsigned seed = 7;

static unsigned next(void)
{
    seed = seed * 1103515245u + 12345u;
    return seed >> 16;
}

static int rnd(int n) { return (int)(next() % (unsigned)n); }

/* A w x h page of text-like lines turned by deg degrees, its padding bits
 * set (they are not pixels). specks: scattered single pixels too. */
static PIX *lines_page(int w, int h, float deg, int specks)
{
    PIX *p = pixCreate(w, h, 1);
    if (!p)
        return NULL;
    int xh = 3 + rnd(12), gap = xh + 2 + rnd(2 * xh + 1);
    for (int y = rnd(gap + 1); y + xh < h; y += xh + gap) {
        int x = rnd(20);
        while (x < w) {
            int ww = 4 + rnd(10 * xh);
            pixRasterop(p, x, y, ww, xh, PIX_SET, NULL, 0, 0);
            if (rnd(3) == 0) /* an ascender */
                pixRasterop(p, x + rnd(ww), y - xh / 2, 2, xh / 2 + 1,
                            PIX_SET, NULL, 0, 0);
            x += ww + 2 + rnd(3 * xh);
        }
    }
    for (int k = 0; k < specks; k++)
        pixSetPixel(p, rnd(w), rnd(h), 1);
    PIX *r = pixRotate(p, deg * 3.14159265f / 180.0f, L_ROTATE_SAMPLING,
                       L_BRING_IN_WHITE, w, h);
    pixDestroy(&p);
    if (r)
        pixSetPadBits(r, 1);
    return r;
}

static int same_float(float a, float b) { return !memcmp(&a, &b, sizeof a); }

static void seg__skew_score__any_shear__as_leptonica(void)
{
    static const int sizes[][2] = {{40, 20},   {64, 33},  {95, 61},
                                   {200, 150}, {257, 90}, {640, 480}};
    int cases = 0, differ = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        int w = sizes[i][0], h = sizes[i][1];
        PIX *p = lines_page(w, h, (float)(rnd(1400) - 700) / 100.0f, w);
        PIX *t = pixCreateTemplate(p);
        for (int a = 0; a < 40 && p && t; a++) {
            /* radians: zero, tiny, both signs, up to 40 degrees */
            float rad = a == 0   ? 0.0f
                        : a == 1 ? 1e-6f
                        : a == 2 ? -3e-5f
                                 : (float)(rnd(14000) - 7000) / 10000.0f;
            float mine = -1.0f, ref = -2.0f;
            CHECK(seg__skew_score(p, rad, &mine) == 0);
            pixVShearCorner(t, p, rad, L_BRING_IN_WHITE);
            pixFindDifferentialSquareSum(t, &ref);
            cases++;
            if (!same_float(mine, ref)) {
                differ++;
                printf("  %dx%d at %g rad: %.9g, Leptonica %.9g\n", w, h,
                       (double)rad, (double)mine, (double)ref);
            }
        }
        pixDestroy(&t);
        pixDestroy(&p);
    }
    CHECK(cases == 240 && differ == 0);
}

/* The search against Leptonica's; the cases that differ. */
static int search_differs(PIX *p, int rsw, int rsch, float range,
                          float delta, float minbs, int *pfound)
{
    float a1 = -99, c1 = -99, a2 = -98, c2 = -98;
    int r1 = seg__skew_search(p, &a1, &c1, rsw, rsch, range, delta, minbs);
    int r2 = pixFindSkewSweepAndSearch(p, &a2, &c2, rsw, rsch, range, delta,
                                       minbs);
    if (r1 == 0 && c1 > 0)
        (*pfound)++;
    if (r1 == r2 && same_float(a1, a2) && same_float(c1, c2))
        return 0;
    printf("  %dx%d red %d/%d range %g: %d %.9g conf %.9g, Leptonica %d "
           "%.9g conf %.9g\n",
           pixGetWidth(p), pixGetHeight(p), rsw, rsch, (double)range, r1,
           (double)a1, (double)c1, r2, (double)a2, (double)c2);
    return 1;
}

static void seg__skew_search__pages_at_any_angle__as_leptonica(void)
{
    static const int red[][2] = {{1, 1}, {2, 1}, {2, 2}, {4, 1}, {4, 2},
                                 {4, 4}, {8, 1}, {8, 2}, {8, 4}, {8, 8}};
    static const float params[][3] = {
        {7.0f, 1.0f, 0.01f}, {5.0f, 0.5f, 0.05f}, {3.0f, 0.3f, 0.02f}};
    int cases = 0, differ = 0, found = 0;
    for (int k = 0; k < 60; k++) {
        int w = 60 + rnd(900), h = 40 + rnd(700);
        float deg = (float)(rnd(1600) - 800) / 100.0f;
        PIX *p = lines_page(w, h, deg, rnd(3) ? 0 : w / 4);
        int r = k % 10;
        const float *pa = params[k % 3];
        if (!p)
            continue;
        cases++;
        differ += search_differs(p, red[r][0], red[r][1], pa[0], pa[1],
                                 pa[2], &found);
        pixDestroy(&p);
    }
    /* most pages are measured: the searches ran to the end */
    CHECK(cases == 60 && differ == 0 && found >= 30);
}

static void seg__skew_search__blank_or_specks__as_leptonica(void)
{
    int found = 0;
    PIX *blank = pixCreate(300, 200, 1);
    float a = 1, c = 1;
    CHECK(seg__skew_search(blank, &a, &c, 4, 2, 7.0f, 1.0f, 0.01f) == 1);
    CHECK(a == 0.0f && c == 0.0f);
    PIX *specks = pixCreate(300, 200, 1);
    for (int k = 0; k < 400; k++)
        pixSetPixel(specks, rnd(300), rnd(200), 1);
    CHECK(search_differs(specks, 1, 1, 7.0f, 1.0f, 0.01f, &found) == 0);
    CHECK(search_differs(specks, 4, 2, 7.0f, 1.0f, 0.01f, &found) == 0);
    CHECK(seg__skew_search(specks, &a, &c, 2, 4, 7.0f, 1.0f, 0.01f) < 0);
    pixDestroy(&blank);
    pixDestroy(&specks);
}

int main(void)
{
    setMsgSeverity(L_SEVERITY_NONE); /* "max found at sweep edge" */
    RUN(seg__skew_score__any_shear__as_leptonica);
    RUN(seg__skew_search__pages_at_any_angle__as_leptonica);
    RUN(seg__skew_search__blank_or_specks__as_leptonica);
    TEST_EXIT();
}
