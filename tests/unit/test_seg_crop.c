/* test_seg_crop.c - a field or line cut out of a page is read as its main
 * line (segment/seg_crop.c); evenly spaced letters are one word; a dpi the
 * ink contradicts is not believed (seg_page.c). */
#include "common/err.h"
#include "segment/segment.h"
#include "tests/unit/seg_fixture.h"
#include "tests/unit/test.h"

#include <stdlib.h>

static SegPage *seg(PIX *pix, int dpi)
{
    SegPage *p = seg_page_segment(pix, dpi, NULL);
    if (!p)
        printf("  seg_page_segment: %s\n", err_get());
    return p;
}

/* cut [optional] segmented at 300 dpi, and its lines and glyphs counted
 * (*pnl, *png; -1 without a page). */
static SegPage *seg_counted(PIX *cut, int *pnl, int *png)
{
    *pnl = *png = -1;
    SegPage *page = cut ? seg(cut, 300) : NULL;
    if (page) {
        seg_page_get_lines(page, pnl);
        seg_page_get_glyphs(page, png);
    }
    return page;
}

/* What a crop should read as: one line of want glyphs (at least -want
 * when want < 0), its first glyph's left edge in [x_min, x_max] and the
 * line's top below y_min, when segmented at dpi (0: unknown). */
typedef struct {
    int want, x_min, x_max, y_min, dpi;
} OneLine;

/* Segment pix and check it against e; what names the case when a check
 * fails. */
static void check_one_line(PIX *pix, OneLine e, const char *what)
{
    SegPage *page = seg(pix, e.dpi);
    CHECK(page != NULL);
    if (!page)
        return;
    int nl, ng;
    const SegLine *l = seg_page_get_lines(page, &nl);
    const SegGlyph *g = seg_page_get_glyphs(page, &ng);
    CHECK(nl == 1);
    CHECK(e.want > 0 ? ng == e.want : ng >= -e.want);
    CHECK(ng > 0 && g[0].box.x >= e.x_min && g[0].box.x <= e.x_max);
    CHECK(nl == 1 && l[0].box.y > e.y_min);
    if (test_case_failed) {
        printf("  %s: %d lines, %d glyphs\n", what, nl, ng);
        fx_dump(page);
        fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
}

static void seg_page_segment__evenly_spaced_capitals__one_word(void)
{
    /* A comb-field name: capitals 1.6 x-heights apart, evenly. */
    FxPen pen = fx_pen(26);
    pen.gap = (int)(1.6f * pen.xh);
    PIX *pix = pixCreate(1200, 300, 1);
    fx_text(pix, "HHHHHHH", 40, 150, &pen, 0);
    SegPage *page = seg(pix, 300);
    CHECK(page != NULL);
    if (page) {
        int nl, nw;
        seg_page_get_lines(page, &nl);
        seg_page_get_words(page, &nw);
        CHECK(nl == 1);
        CHECK(nw == 1);
        if (test_case_failed)
            fx_dump(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__words_on_evenly_spaced_line__still_split(void)
{
    FxPen pen = fx_pen(26);
    PIX *pix = pixCreate(1200, 300, 1);
    fx_text(pix, "nox lov xon vol", 40, 150, &pen, 0);
    SegPage *page = seg(pix, 300);
    CHECK(page != NULL);
    if (page) {
        int nw;
        seg_page_get_words(page, &nw);
        CHECK(nw == 4);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

/* A name crop: a small label line above, the name, and the tops of the
 * next line's letters cut by the bottom edge. */
static PIX *name_crop(void)
{
    FxPen small = fx_pen(12), pen = fx_pen(26);
    PIX *pix = pixCreate(700, 110, 1);
    fx_text(pix, "nox", 30, 18, &small, 0);
    fx_text(pix, "nox lov xon", 40, 75, &pen, 0);
    fx_text(pix, "nox lov xon vol nox", 20, 110 + 20, &pen, 0);
    return pix;
}

static void seg_page_segment__name_crop__one_line_without_label_or_cut_bits(void)
{
    PIX *pix = name_crop();
    SegPage *page = seg(pix, 300);
    CHECK(page != NULL);
    if (page) {
        int nl, ng;
        seg_page_get_lines(page, &nl);
        seg_page_get_glyphs(page, &ng);
        CHECK(nl == 1);
        CHECK(ng == 9);
        if (test_case_failed)
            fx_dump(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__file_says_72_dpi__scale_from_glyphs(void)
{
    /* 72 dpi is what software writes when it knows nothing: the page must
     * segment as with the dpi unknown, and report the estimate. */
    PIX *pix = name_crop();
    SegPage *p0 = seg(pix, 0), *p72 = seg(pix, 72);
    CHECK(p0 != NULL && p72 != NULL);
    if (p0 && p72) {
        int g0, g72, w0, w72;
        seg_page_get_glyphs(p0, &g0);
        seg_page_get_glyphs(p72, &g72);
        seg_page_get_words(p0, &w0);
        seg_page_get_words(p72, &w72);
        CHECK(g0 == g72);
        CHECK(w0 == w72);
        CHECK(seg_page_get_dpi(p72) == seg_page_get_dpi(p0));
        CHECK(seg_page_get_dpi(p72) >= 100);
    }
    seg_page_destroy(&p0);
    seg_page_destroy(&p72);
    pixDestroy(&pix);
}

/* Lines and glyphs of pix segmented at dpi; -1 when segmenting failed. */
static void count(PIX *pix, int dpi, int *nl, int *ng)
{
    SegPage *page = seg(pix, dpi);
    *nl = *ng = -1;
    if (page) {
        seg_page_get_lines(page, nl);
        seg_page_get_glyphs(page, ng);
        if (*nl != 1 || *ng != 9)
            fx_dump(page);
    }
    seg_page_destroy(&page);
}

static void seg_page_segment__name_crop_with_white_margin__same_line(void)
{
    /* The crop law: a white margin around the crop does not turn the cut
     * bits of the next line into a line of their own. */
    PIX *pix = name_crop();
    static const int margins[] = {5, 20, 40};
    for (int i = 0; i < 3; i++) {
        PIX *pm = pixAddBorder(pix, margins[i], 0);
        int nl, ng;
        count(pm, 300, &nl, &ng);
        if (nl != 1 || ng != 9)
            printf("  margin %d px: %d lines, %d glyphs\n", margins[i], nl,
                   ng);
        CHECK(nl == 1);
        CHECK(ng == 9);
        pixDestroy(&pm);
    }
    pixDestroy(&pix);
}

static void seg_page_segment__name_crop_with_tall_white_margin__same_line(void)
{
    /* The crop saved with a white margin of 5 glyph heights above and
     * below (it no longer looks like a strip): still a crop, read by the
     * frame of its ink. */
    PIX *pix = name_crop();
    PIX *pm = pixAddBorderGeneral(pix, 20, 20, 150, 150, 0);
    int nl, ng;
    count(pm, 300, &nl, &ng);
    if (nl != 1 || ng != 9)
        printf("  %d lines, %d glyphs\n", nl, ng);
    CHECK(nl == 1);
    CHECK(ng == 9);
    pixDestroy(&pm);
    pixDestroy(&pix);
}

static void seg_page_segment__box_remnant_inside_edge__dropped(void)
{
    /* A field crop with the box's left and right lines 3 px in from the
     * edges (the cut missed the box by a few pixels), with and without a
     * white margin: the lines are not read as glyphs. */
    FxPen pen = fx_pen(26);
    PIX *pix = pixCreate(420, 90, 1);
    fx_text(pix, "nox lov xon", 40, 60, &pen, 0);
    pixRasterop(pix, 3, 0, 3, 90, PIX_SET, NULL, 0, 0);
    pixRasterop(pix, 414, 0, 3, 90, PIX_SET, NULL, 0, 0);
    for (int m = 0; m <= 20; m += 20) {
        PIX *pm = pixAddBorder(pix, m, 0);
        int nl, ng;
        count(pm, 300, &nl, &ng);
        if (nl != 1 || ng != 9)
            printf("  margin %d px: %d lines, %d glyphs\n", m, nl, ng);
        CHECK(nl == 1);
        CHECK(ng == 9);
        pixDestroy(&pm);
    }
    pixDestroy(&pix);
}

/* "nox lov", a gap at x 500, "xon" on a 900 x 200 page, and the box of
 * its ink into *pink (NULL when none). */
static PIX *words_with_gap(const FxPen *pen, BOX **pink)
{
    PIX *pix = pixCreate(900, 200, 1);
    fx_text(pix, "nox lov", 30, 120, pen, 0);
    fx_text(pix, "xon", 560, 120, pen, 0);
    pixClipToForeground(pix, NULL, pink);
    return pix;
}

/* A line cut out of a page by its glyphs' box, through a field's box: the
 * box's side stands in the middle of the cut from its top to its bottom.
 * Thinner than half the pen's stroke, it is no glyph; a straight stroke
 * of the pen's width there (an l, a 1) still is. */
static void seg_page_segment__box_side_through_line_cut__dropped(void)
{
    FxPen pen = fx_pen(40); /* a 5 px stroke */
    for (int thick = 0; thick <= 1; thick++) {
        BOX *ink = NULL;
        PIX *pix = words_with_gap(&pen, &ink);
        l_int32 bx = 0, by = 0, bw = 0, bh = 0;
        if (ink)
            boxGetGeometry(ink, &bx, &by, &bw, &bh);
        /* the side, over the ink's whole height */
        pixRasterop(pix, 500, by, thick ? pen.stroke : 2, bh, PIX_SET, NULL,
                    0, 0);
        PIX *cut = ink ? pixClipRectangle(pix, ink, NULL) : NULL;
        int nl, ng;
        SegPage *page = seg_counted(cut, &nl, &ng);
        if (nl != 1 || ng != 9 + thick) {
            printf("  %s side: %d lines, %d glyphs\n", thick ? "thick" : "thin",
                   nl, ng);
            if (page)
                fx_dump_glyphs(page);
        }
        CHECK(nl == 1 && ng == 9 + thick);
        seg_page_destroy(&page);
        boxDestroy(&ink);
        pixDestroy(&cut);
        pixDestroy(&pix);
    }
}

/* A field's divider printed light comes out of the binariser thin, and
 * off the crop's top and bottom (the box's rows went, or the crop has
 * paper around): 2 px wide, 0.9 of the ink's height, in a crop with 30 px
 * of paper above and below; and a 1 px bit of one, 0.6 of it high, cut
 * by the crop's top. Thinner than half the pen's stroke, neither is a
 * glyph (each was read as a 1); a straight stroke of the pen's width there
 * (an l, a 1) still is. */
static void seg_page_segment__thin_divider_off_crop_edges__dropped(void)
{
    FxPen pen = fx_pen(40); /* a 5 px stroke */
    for (int k = 0; k < 3; k++) {
        BOX *ink = NULL;
        PIX *pix = words_with_gap(&pen, &ink);
        l_int32 bx = 0, by = 0, bw = 0, bh = 0;
        if (ink)
            boxGetGeometry(ink, &bx, &by, &bw, &bh);
        int top = k == 1 ? by : by + bh / 20, len = k == 1 ? bh * 6 / 10
                                                           : bh * 9 / 10;
        pixRasterop(pix, 500, top, k == 0 ? 2 : k == 1 ? 1 : pen.stroke, len,
                    PIX_SET, NULL, 0, 0);
        /* 30 px of paper above and below the ink, but none above the
         * bit (k 1), which the top edge cuts */
        BOX *cb = boxCreate(bx, k == 1 ? by : by - 30, bw,
                            k == 1 ? bh + 30 : bh + 60);
        PIX *cut = ink ? pixClipRectangle(pix, cb, NULL) : NULL;
        int nl, ng, want = k == 2 ? 10 : 9;
        SegPage *page = seg_counted(cut, &nl, &ng);
        if (nl != 1 || ng != want) {
            printf("  %s: %d lines, %d glyphs\n",
                   k == 0 ? "thin divider" : k == 1 ? "bit at the top"
                                                    : "pen stroke",
                   nl, ng);
            if (page)
                fx_dump_glyphs(page);
        }
        CHECK(nl == 1 && ng == want);
        seg_page_destroy(&page);
        boxDestroy(&cb);
        boxDestroy(&ink);
        pixDestroy(&cut);
        pixDestroy(&pix);
    }
}

/* A field cut inside its box from a form scanned turned: a divider 2 px
 * wide between each two letters, over twice as tall as the letters and
 * ending a pixel lower at each step (the box's rows cut away), 8 px of
 * paper round the ink. The dividers' runs were most of the line's ink
 * runs and made the pen 2 px wide, too thin to tell a divider from it
 * (each was read as a 1); the pen is now measured on the letters. */
static void seg_page_segment__dividers_of_a_turned_field__dropped(void)
{
    FxPen pen = fx_pen(40); /* a 5 px stroke */
    PIX *pix = pixCreate(760, 220, 1);
    for (int i = 0; i < 8; i++)
        fx_text(pix, "o", 30 + 80 * i, 140, &pen, 0);
    for (int i = 0; i < 7; i++)
        pixRasterop(pix, 95 + 80 * i, 50 + i, 2, 100, PIX_SET, NULL, 0, 0);
    BOX *ink = NULL;
    pixClipToForeground(pix, NULL, &ink);
    l_int32 bx = 0, by = 0, bw = 0, bh = 0;
    if (ink)
        boxGetGeometry(ink, &bx, &by, &bw, &bh);
    BOX *cb = boxCreate(bx - 8, by - 8, bw + 16, bh + 16);
    PIX *cut = ink ? pixClipRectangle(pix, cb, NULL) : NULL;
    int nl, ng;
    SegPage *page = seg_counted(cut, &nl, &ng);
    printf("  %d lines, %d glyphs (8 letters, 7 dividers)\n", nl, ng);
    if (page && (nl != 1 || ng != 8))
        fx_dump_glyphs(page);
    CHECK(nl == 1 && ng == 8);
    seg_page_destroy(&page);
    boxDestroy(&cb);
    boxDestroy(&ink);
    pixDestroy(&cut);
    pixDestroy(&pix);
}

/* Six o's written with a 5 px pen, cut out, and between the second and
 * the third a line w px wide broken in three bits 6, 12 and 4 px long
 * over 36 px (a light line thresholded in bits, as in MNIST). A stray
 * line thinner than the writing (w 3: a box's remnant beside a scanned
 * digit, as NIST's fields keep them) is dropped: it was read as a 1 or
 * a 3 of its own. As wide as the pen, it is writing and stays. */
static void seg_page_segment__thin_broken_line_beside_glyph__dropped(void)
{
    FxPen pen = fx_pen(40); /* a 5 px stroke */
    for (int w = 3; w <= 6; w += 3) {
        PIX *pix = pixCreate(560, 200, 1);
        for (int i = 0; i < 6; i++)
            fx_text(pix, "o", 30 + 80 * i, 140, &pen, 0);
        static const int y0[3] = {96, 106, 128}, len[3] = {6, 12, 4};
        for (int k = 0; k < 3; k++)
            pixRasterop(pix, 150, y0[k], w, len[k], PIX_SET, NULL, 0, 0);
        BOX *cb = boxCreate(20, 80, 520, 80);
        PIX *cut = pixClipRectangle(pix, cb, NULL);
        int nl, ng;
        SegPage *page = seg_counted(cut, &nl, &ng);
        printf("  line %d px wide: %d lines, %d glyphs\n", w, nl, ng);
        if (page && (nl != 1 || ng != (w == 3 ? 6 : 7)))
            fx_dump_glyphs(page);
        CHECK(nl == 1 && ng == (w == 3 ? 6 : 7));
        seg_page_destroy(&page);
        boxDestroy(&cb);
        pixDestroy(&cut);
        pixDestroy(&pix);
    }
}

/* Ink pixels in all glyph masks of page. */
static long glyph_ink(const SegPage *page)
{
    int n;
    const SegGlyph *g = seg_page_get_glyphs(page, &n);
    long ink = 0;
    for (int i = 0; i < n; i++) {
        const unsigned char *m = seg_page_get_glyph_mask(page, i);
        for (int k = 0; m && k < g[i].box.w * g[i].box.h; k++)
            ink += m[k];
    }
    return ink;
}

static void seg_page_segment__crop_claiming_300_dpi__reads_as_unknown_dpi(void)
{
    /* A small-glyph crop (x-height 12 px: about 100 dpi) whose file says
     * 300 dpi: its accents (3 x 2 px above the letters) are sized by the
     * glyphs, not by the claim (at 300 dpi a 0.25 mm speck is 9 px), so
     * the glyphs keep them, as with no dpi. */
    FxPen pen = fx_pen(12);
    PIX *pix = pixCreate(260, 40, 1);
    int x = 10;
    for (const char *c = "nox"; *c; c++) {
        char s[2] = {*c, 0};
        int x1 = fx_text(pix, s, x, 30, &pen, 0);
        pixRasterop(pix, (x + x1) / 2 - 1, 13, 3, 2, PIX_SET, NULL, 0, 0);
        x = x1 + pen.gap;
    }
    fx_text(pix, "lov xon", x + pen.word_gap, 30, &pen, 0);
    SegPage *p0 = seg(pix, 0), *p300 = seg(pix, 300);
    CHECK(p0 != NULL && p300 != NULL);
    if (p0 && p300) {
        int g0, g300;
        seg_page_get_glyphs(p0, &g0);
        seg_page_get_glyphs(p300, &g300);
        long i0 = glyph_ink(p0), i300 = glyph_ink(p300);
        int d0 = seg_page_get_stats(p0)->n_dots_merged;
        int d300 = seg_page_get_stats(p300)->n_dots_merged;
        if (g0 != g300 || i0 != i300 || d0 != d300)
            printf("  at 0 dpi %d glyphs %ld px %d dots, at 300 dpi %d glyphs "
                   "%ld px %d dots\n", g0, i0, d0, g300, i300, d300);
        CHECK(g0 == 9);
        CHECK(d0 == 3);
        CHECK(g300 == g0);
        CHECK(i300 == i0);
        CHECK(d300 == d0);
    }
    seg_page_destroy(&p0);
    seg_page_destroy(&p300);
    pixDestroy(&pix);
}

/* A labelled name crop: "nox vox" as a printed label, a colon of two dots
 * (dot size and gap given), a wide gap, then the name "xon pox" (its p goes below the colon). */
static PIX *labelled_crop(int dot, int dot_gap)
{
    FxPen pen = fx_pen(26);
    PIX *pix = pixCreate(800, 70, 1);
    int x = fx_text(pix, "nox vox", 20, 50, &pen, 0);
    int cx = x + pen.gap;
    pixRasterop(pix, cx, 50 - dot - dot_gap - dot, dot, dot, PIX_SET, NULL,
                0, 0);
    pixRasterop(pix, cx, 50 - dot, dot, dot, PIX_SET, NULL, 0, 0);
    fx_text(pix, "xon pox", cx + dot + 4 * pen.xh, 50, &pen, 0);
    return pix;
}

static void seg_page_segment__dots_at_crop_top_and_bottom__no_colon(void)
{
    /* The bits of a light divider left at a digit field's top and bottom
     * edges stand one above the other like a colon's dots, but across the
     * whole crop: no colon, so nothing before them is a label ("055830"
     * was read "5830"). */
    FxPen pen = fx_pen(26);
    PIX *pix = pixCreate(420, 34, 1);
    int x = fx_text(pix, "HH", 4, 31, &pen, 0);
    int cx = x + pen.xh;
    pixRasterop(pix, cx, 0, 3, 3, PIX_SET, NULL, 0, 0);
    pixRasterop(pix, cx, 31, 3, 3, PIX_SET, NULL, 0, 0);
    fx_text(pix, "HHHH", cx + pen.xh, 31, &pen, 0);
    SegPage *page = seg(pix, 0);
    int nl = -1, ng = -1;
    if (page) {
        seg_page_get_lines(page, &nl);
        seg_page_get_glyphs(page, &ng);
    }
    if (nl != 1 || ng != 6) {
        printf("  %d lines, %d glyphs\n", nl, ng);
        if (page)
            fx_dump_glyphs(page);
    }
    CHECK(nl == 1 && ng == 6);
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__label_colon_dots_apart__label_dropped(void)
{
    /* The crop law at x2: the colon's dots no longer join as one broken
     * glyph (their gap is over the join's 2 px / 0.15 glyph), yet the
     * label before it goes, as with a joined colon. */
    static const int dots[] = {7, 5}, gaps[] = {3, 8};
    for (int i = 0; i < 2; i++) {
        PIX *pix = labelled_crop(dots[i], gaps[i]);
        SegPage *page = seg(pix, 0);
        CHECK(page != NULL);
        if (page) {
            int nl, ng;
            seg_page_get_lines(page, &nl);
            seg_page_get_glyphs(page, &ng);
            CHECK(nl == 1);
            CHECK(ng == 6); /* "xon pox" only */
            if (test_case_failed) {
                printf("  colon gap %d px: %d lines, %d glyphs\n", gaps[i],
                       nl, ng);
                fx_dump(page);
                fx_dump_glyphs(page);
            }
        }
        seg_page_destroy(&page);
        pixDestroy(&pix);
    }
}


static void seg_page_segment__crop_with_many_grains__still_a_crop(void)
{
    /* Scan grains of 5 px (what 2-3 px JPEG grains become at x2) that
     * outnumber the glyphs must not set the glyph height the crop rule
     * uses: the crop still reads as its main line alone. */
    PIX *pix = name_crop();
    for (int i = 0; i < 20; i++)
        pixRasterop(pix, 300 + 16 * i, i % 2 ? 28 : 36, 5, 5, PIX_SET, NULL,
                    0, 0);
    int nl, ng;
    count(pix, 0, &nl, &ng);
    CHECK(nl == 1);
    if (test_case_failed)
        printf("  %d lines %d glyphs\n", nl, ng);
    pixDestroy(&pix);
}

/* A name crop with the printed label on its own line above the name and
 * more ink than it: type (letters set close on one baseline) beside spaced
 * capitals whose baseline wanders. The name is the main line. */
static void seg_page_segment__printed_label_line_above__name_is_main_line(void)
{
    FxPen type = fx_pen(14), hand = fx_pen(14);
    type.gap = 2;
    PIX *pix = pixCreate(700, 120, 1);
    fx_text(pix, "HHHHHHHHH", 40, 48, &type, 0);
    static const int dy[] = {0, -2, 3, -1, 2};
    for (int i = 0; i < 5; i++)
        fx_text(pix, "H", 60 + i * 40, 98 + dy[i], &hand, 0);
    check_one_line(pix, (OneLine){5, 0, 700, 60, 300}, "label above");
    pixDestroy(&pix);
}

/* A name crop cut just above the next printed line: under the name, the
 * tops of that line's letters (8 px of them: small marks) touch the
 * crop's bottom edge. They joined the name's line as small pieces and
 * made it a line cut by the edge, so the label above was read instead
 * (a real crop at 1.5 times its size read "PRENOM" for "SELEN"). */
static void seg_page_segment__tops_of_next_line_under_name__name_read(void)
{
    FxPen label = fx_pen(20), hand = fx_pen(26);
    label.gap = 2;
    PIX *pix = pixCreate(600, 110, 1);
    fx_text(pix, "HoHoxoHox", 40, 30, &label, 0);
    fx_text(pix, "nox lo", 40, 84, &hand, 0);
    /* the tops of the next line's letters (A, N, S: narrow, not flat),
     * 8 px of them, under the name */
    for (int k = 0; k < 4; k++)
        pixRasterop(pix, 52 + 30 * k, 102, 6, 8, PIX_SET, NULL, 0, 0);
    SegPage *page = seg(pix, 300);
    CHECK(page != NULL);
    if (page) {
        int nl, ng;
        const SegLine *l = seg_page_get_lines(page, &nl);
        const SegGlyph *g = seg_page_get_glyphs(page, &ng);
        CHECK(nl == 1);
        CHECK(ng == 5);
        CHECK(nl == 1 && l[0].box.y > 40);
        int low = 0;
        for (int k = 0; k < ng; k++)
            low += g[k].box.y + g[k].box.h > 90;
        CHECK(low == 0);
        if (test_case_failed)
            fx_dump(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

/* A printed word at half size, its letters run together into one piece:
 * a w x h block at (x, y) with n counters 4 px wide, 9 px apart. */
static void letter_run(PIX *pix, int x, int y, int w, int h, int n)
{
    pixRasterop(pix, x, y, w, h, PIX_SET, NULL, 0, 0);
    for (int k = 0; k < n; k++)
        pixRasterop(pix, x + 3 + 9 * k, y + 1, 4, h - 2, PIX_CLR, NULL, 0,
                    0);
}

/* A name crop at half its size: the label "NOM" is one piece (its
 * letters touch), its colon two dots of a pixel or two that the line
 * finder drops as specks (no other ink near them), then the spaced
 * capitals of the name. The label goes, as at full size (it was read as
 * letters before the name: "MOM DEKENS"). */
static void seg_page_segment__half_size_label_of_one_piece__label_dropped(void)
{
    FxPen pen = fx_pen(12);
    PIX *pix = pixCreate(200, 26, 1);
    letter_run(pix, 6, 8, 24, 10, 2); /* the label, 10 px tall */
    /* its colon, 2 px from the label */
    pixSetPixel(pix, 33, 10, 1);
    pixSetPixel(pix, 33, 15, 1);
    pixSetPixel(pix, 34, 15, 1);
    pen.gap = 7;
    fx_text(pix, "HHHHH", 60, 21, &pen, 0);
    check_one_line(pix, (OneLine){5, 55, 200, -1, 0}, "label of one piece");
    pixDestroy(&pix);
}

/* "PRENOM : E L I S E" at half size: the name's capitals stand as far
 * apart as the label from the name, so the widest gap is no label's; the
 * colon (two dots of 3 px, 2 px apart) ends the label. It was read as
 * letters before the name ("APRINKXVI E L G S L"). */
static void seg_page_segment__label_colon_then_spaced_capitals__label_dropped(void)
{
    FxPen pen = fx_pen(12);
    PIX *pix = pixCreate(240, 26, 1);
    letter_run(pix, 4, 8, 40, 10, 4);
    pixRasterop(pix, 47, 9, 3, 3, PIX_SET, NULL, 0, 0);
    pixRasterop(pix, 47, 14, 3, 3, PIX_SET, NULL, 0, 0);
    pen.gap = 16;
    fx_text(pix, "HHHHH", 66, 21, &pen, 0);
    check_one_line(pix, (OneLine){5, 60, 240, -1, 0}, "plain colon");
    pixDestroy(&pix);
}

/* "PRENOM : L E A" at half size: the colon's dots blur into one bar, 2
 * px wide, standing from the label's x-height to its baseline, right
 * after the label's run of touching letters. It ends the label ("JAMMKI
 * L E A" was read for LEA). */
static void seg_page_segment__label_colon_blurred_into_bar__label_dropped(void)
{
    FxPen pen = fx_pen(12);
    PIX *pix = pixCreate(240, 26, 1);
    letter_run(pix, 4, 4, 40, 15, 4);
    pixRasterop(pix, 46, 9, 2, 10, PIX_SET, NULL, 0, 0);
    pen.gap = 16;
    fx_text(pix, "HHHHH", 66, 21, &pen, 0);
    check_one_line(pix, (OneLine){5, 60, 240, -1, 0}, "colon as a bar");
    pixDestroy(&pix);
}

/* A label whose colon is the fifth piece: a timestamp printed along the
 * form's edge left three small pieces before "PRENOM". The colon still
 * ends the label ("ZANNQNG A N A W B" was read for ANAIS at half
 * size). */
static void seg_page_segment__three_pieces_before_label__label_dropped(void)
{
    FxPen pen = fx_pen(12);
    PIX *pix = pixCreate(260, 26, 1);
    for (int k = 0; k < 3; k++)
        pixRasterop(pix, 2 + 7 * k, 8, 5, 10, PIX_SET, NULL, 0, 0);
    letter_run(pix, 24, 8, 40, 10, 4);
    pixRasterop(pix, 67, 9, 3, 3, PIX_SET, NULL, 0, 0);
    pixRasterop(pix, 67, 14, 3, 3, PIX_SET, NULL, 0, 0);
    pen.gap = 16;
    fx_text(pix, "HHHHH", 88, 21, &pen, 0);
    check_one_line(pix, (OneLine){5, 80, 260, -1, 0}, "fifth piece");
    pixDestroy(&pix);
}

/* A short I written close after a letter, the name's next letters farther
 * on: it stands where a label's colon would, but after a single letter,
 * not a run of touching ones. Nothing is dropped (HARIEH kept its
 * I). */
static void seg_page_segment__short_i_after_single_letter__kept(void)
{
    FxPen pen = fx_pen(12);
    pen.gap = 16;
    PIX *pix = pixCreate(260, 26, 1);
    int x = fx_text(pix, "HH", 6, 21, &pen, 0);
    pixRasterop(pix, x + 3, 11, 2, 10, PIX_SET, NULL, 0, 0);
    fx_text(pix, "HHH", x + 21, 21, &pen, 0);
    check_one_line(pix, (OneLine){6, 0, 9, -1, 0}, "short I");
    pixDestroy(&pix);
}

/* "NOM : LERAT": the colon's lower dot, dropped as a speck, ends a
 * pixel below the label's letters (thresholded at twice the size). It
 * still ends the label ("VOM I ERAT" was read). */
static void seg_page_segment__colon_dot_below_label_rows__label_dropped(void)
{
    FxPen pen = fx_pen(12);
    PIX *pix = pixCreate(200, 26, 1);
    letter_run(pix, 6, 8, 24, 10, 2);
    pixRasterop(pix, 33, 11, 2, 2, PIX_SET, NULL, 0, 0);
    pixRasterop(pix, 33, 18, 2, 2, PIX_SET, NULL, 0, 0);
    pen.gap = 7;
    fx_text(pix, "HHHHH", 60, 21, &pen, 0);
    check_one_line(pix, (OneLine){5, 55, 200, -1, 0}, "dot below the label");
    pixDestroy(&pix);
}

/* "PRENOM : NAELYS" with the tops of the next line's letters along the
 * crop's bottom edge, under the name's baseline and the last far to the
 * right, and a timestamp printed up the form's edge, as tall as the crop:
 * the name's band takes the tops in, but they are the next line's. Kept,
 * the widest gap was the one before the last of them, the label went
 * unseen, and the crop read "FRENON Z II AD CL Y MS I". */
static void seg_page_segment__next_line_tops_along_bottom__dropped(void)
{
    FxPen pen = fx_pen(12);
    PIX *pix = pixCreate(342, 30, 1);
    pixRasterop(pix, 2, 1, 10, 28, PIX_SET, NULL, 0, 0); /* timestamp */
    for (int k = 0; k < 4; k++)
        pixRasterop(pix, 4, 3 + 7 * k, 6, k < 3 ? 5 : 3, PIX_CLR, NULL, 0,
                    0);
    for (int k = 0; k < 5; k++)
        pixRasterop(pix, 14 + 10 * k, 8, 9, 10, PIX_SET, NULL, 0, 0);
    pixRasterop(pix, 66, 9, 3, 3, PIX_SET, NULL, 0, 0);
    pixRasterop(pix, 66, 15, 3, 3, PIX_SET, NULL, 0, 0);
    pen.gap = 6;
    int x = fx_text(pix, "HHHHH", 92, 21, &pen, 0);
    pixRasterop(pix, 110, 24, 5, 6, PIX_SET, NULL, 0, 0);
    pixRasterop(pix, x - 20, 24, 6, 6, PIX_SET, NULL, 0, 0);
    pixRasterop(pix, x + 50, 24, 5, 6, PIX_SET, NULL, 0, 0);
    check_one_line(pix, (OneLine){5, 85, 100, -1, 0}, "next line's tops");
    pixDestroy(&pix);
}

/* A name that slopes down to the crop's bottom edge and ends in two
 * small letters: below the line's level, but on its sloping baseline.
 * They are the name's, not the next line's tops, and stay. */
static void seg_page_segment__sloping_name_small_last_letters__kept(void)
{
    FxPen pen = fx_pen(12), small = fx_pen(6);
    pen.gap = small.gap = 6;
    pen.slope = small.slope = 0.14f;
    PIX *pix = pixCreate(300, 60, 1);
    int x = fx_text(pix, "HHHHHHHH", 6, 26, &pen, 0);
    fx_text(pix, "HH", x + 6, 26 + (int)(0.14f * (x + 6 - 6)), &small, 0);
    check_one_line(pix, (OneLine){10, 0, 9, -1, 0}, "sloping name");
    pixDestroy(&pix);
}

/* A colon's bar must start below the label's top and be shorter than a
 * glyph: after a run of touching letters, a stroke as tall as the run (an
 * I), a short one from the run's top (an apostrophe), or a glyph-tall one
 * inside a run taller than the glyphs is no colon, and the run is
 * read. */
static void seg_page_segment__stroke_after_letter_run_not_colon__run_kept(void)
{
    static const char *what[] = {"full stroke", "apostrophe", "tall run"};
    FxPen pen = fx_pen(12);
    pen.gap = 16;
    for (int v = 0; v < 3; v++) {
        PIX *pix = pixCreate(240, 32, 1);
        if (v < 2)
            letter_run(pix, 4, 4, 40, 15, 4);
        else
            letter_run(pix, 4, 0, 40, 26, 4);
        if (v == 0)
            pixRasterop(pix, 46, 4, 2, 15, PIX_SET, NULL, 0, 0);
        else if (v == 1)
            pixRasterop(pix, 46, 4, 2, 8, PIX_SET, NULL, 0, 0);
        else
            pixRasterop(pix, 46, 6, 2, 18, PIX_SET, NULL, 0, 0);
        fx_text(pix, "HHHHH", 66, 24, &pen, 0);
        check_one_line(pix, (OneLine){-6, 0, 9, -1, 0}, what[v]);
        pixDestroy(&pix);
    }
}

/* A field cut tight: the bottom half of its printed label line along the
 * top edge, the name written down to the bottom edge, a speck between.
 * No piece is clear of both edges but the speck, which set the glyph
 * height to 3 px, and the field, 9 times as wide as tall, read as a page
 * of two lines ("FRENUM / MATAIL DE" for MATHILDE). */
static void seg_page_segment__name_on_bottom_edge_label_at_top__one_line(void)
{
    FxPen pen = fx_pen(12);
    pen.gap = 8;
    PIX *pix = pixCreate(284, 31, 1);
    for (int k = 0; k < 6; k++)
        pixRasterop(pix, 23 + 10 * k, 0, 9, 10, PIX_SET, NULL, 0, 0);
    pixRasterop(pix, 140, 16, 8, 3, PIX_SET, NULL, 0, 0);
    fx_text(pix, "HHHHHH", 30, 31, &pen, 0);
    check_one_line(pix, (OneLine){6, 25, 40, 3, 0}, "name on the edge");
    pixDestroy(&pix);
}

/* The field above at twice its size (568 x 62, glyphs 27 px): JPEG grains
 * are 5 px there, over the pixel floor, and three of them, with the
 * name's I the only pieces clear of both edges, set the glyph height to a
 * grain's; the field read as a page again ("YMENUM / MATAIL DE"). */
static void seg_page_segment__name_on_edge_twice_size_grains__one_line(void)
{
    FxPen pen = fx_pen(19);
    pen.gap = 16;
    PIX *pix = pixCreate(568, 62, 1);
    for (int k = 0; k < 6; k++)
        pixRasterop(pix, 46 + 20 * k, 0, 18, 14, PIX_SET, NULL, 0, 0);
    for (int k = 0; k < 3; k++) /* grains, clear of the edges */
        pixRasterop(pix, 400 + 40 * k, 40, 5, 5, PIX_SET, NULL, 0, 0);
    int x = fx_text(pix, "HHHH", 60, 62, &pen, 0);
    /* the I, ending 4 px above the bottom edge */
    pixRasterop(pix, x + 16, 34, 4, 24, PIX_SET, NULL, 0, 0);
    check_one_line(pix, (OneLine){-5, 50, 70, 6, 0}, "twice the size");
    pixDestroy(&pix);
}

/* A name crop at 1.5 times its size (ICHANTE): the label's colon is two
 * dots 3 px apart, the name's capitals taller than the label's, a box's
 * edge down the left side and the next line's tops along the bottom.
 * Most pieces are bits (the tops, the dots), and the tops counted in the
 * pieces' median height though dropped: the dots, 3 px apart, stayed two
 * pieces (on the real crop they went to the name's line as marks, made
 * its x-height 6 px, and its T's bar and stem were read as two glyphs).
 * At the crop's glyph height (23 px) they join as one colon. */
static void seg_page_segment__colon_dots_apart_at_glyph_scale__joined(void)
{
    FxPen label = fx_pen(11), hand = fx_pen(16);
    label.gap = 3;
    hand.gap = 12;
    PIX *pix = pixCreate(330, 56, 1);
    pixRasterop(pix, 0, 0, 3, 54, PIX_SET, NULL, 0, 0); /* a box's edge */
    for (int k = 0; k < 14; k++) /* the next line's tops, cut */
        pixRasterop(pix, 20 + 21 * k, 52, 8, 4, PIX_SET, NULL, 0, 0);
    fx_text(pix, "HHH", 15, 38, &label, 0);
    pixRasterop(pix, 66, 26, 4, 5, PIX_SET, NULL, 0, 0);
    pixRasterop(pix, 66, 34, 4, 4, PIX_SET, NULL, 0, 0);
    fx_text(pix, "HHHHHH", 132, 46, &hand, 0);
    SegPage *page = seg(pix, 0);
    CHECK(page != NULL);
    if (page) {
        /* the colon is the one broken glyph of the crop */
        CHECK(seg_page_get_stats(page)->n_fragments_merged == 1);
        seg_page_destroy(&page);
    }
    check_one_line(pix, (OneLine){6, 120, 140, 3, 0}, "colon at x1.5");
    pixDestroy(&pix);
}

/* A name whose letter is broken in two stacked strokes (a narrow piece of
 * two long runs, no colon's dots) keeps the letters before it. */
static void seg_page_segment__broken_stroke_after_first_letters__kept(void)
{
    FxPen pen = fx_pen(12);
    pen.gap = 16;
    PIX *pix = pixCreate(260, 26, 1);
    int x = fx_text(pix, "HH", 6, 21, &pen, 0);
    /* an I broken in the middle: two strokes of 7 px, 2 px apart */
    pixRasterop(pix, x + 16, 4, 2, 7, PIX_SET, NULL, 0, 0);
    pixRasterop(pix, x + 16, 13, 2, 7, PIX_SET, NULL, 0, 0);
    fx_text(pix, "HHH", x + 40, 21, &pen, 0);
    check_one_line(pix, (OneLine){-5, 0, 9, -1, 0}, "broken stroke");
    pixDestroy(&pix);
}

/* A name field cut with its printed label line above and the next line
 * cut by its bottom edge (the tops of its letters), 5.5 glyph heights tall
 * and three times as wide, as real name crops are; read alone, with 5 or
 * 20 px of white around it, one line. Only the field cut at 4 times as
 * wide as tall passed as a crop: with a margin, or trimmed, a real field
 * read as a page of three lines ("PRENOM / SAMUEL / DATE DE ..."). */
static void seg_page_segment__field_with_cut_line_and_margin__one_line(void)
{
    FxPen small = fx_pen(12), pen = fx_pen(26);
    small.gap = 2;
    PIX *pix = pixCreate(440, 150, 1);
    fx_text(pix, "nox", 30, 24, &small, 0);
    fx_text(pix, "nox xon", 40, 90, &pen, 0);
    for (int k = 0; k < 6; k++) /* the next line's tops, cut */
        pixRasterop(pix, 30 + 22 * k, 140, 12, 10, PIX_SET, NULL, 0, 0);
    static const int margins[] = {0, 5, 20};
    for (int i = 0; i < 3; i++) {
        PIX *pm = pixAddBorder(pix, margins[i], 0);
        char what[32];
        snprintf(what, sizeof what, "margin %d px", margins[i]);
        check_one_line(pm, (OneLine){6, 0, 480, 40 + margins[i], 0}, what);
        pixDestroy(&pm);
    }
    pixDestroy(&pix);
}

/* The same size of image with three whole lines of writing and white
 * around them is no crop: every line is read. */
static void seg_page_segment__three_whole_lines_small_image__all_read(void)
{
    FxPen pen = fx_pen(20);
    PIX *pix = pixCreate(440, 150, 1);
    fx_text(pix, "nox lov", 30, 40, &pen, 0);
    fx_text(pix, "xon vol", 30, 85, &pen, 0);
    fx_text(pix, "lov nox", 30, 130, &pen, 0);
    static const int margins[] = {0, 5, 20};
    for (int i = 0; i < 3; i++) {
        PIX *pm = pixAddBorder(pix, margins[i], 0);
        SegPage *page = seg(pm, 0);
        CHECK(page != NULL);
        if (page) {
            int nl;
            seg_page_get_lines(page, &nl);
            CHECK(nl == 3);
            if (test_case_failed) {
                printf("  margin %d px: %d lines\n", margins[i], nl);
                fx_dump(page);
            }
        }
        seg_page_destroy(&page);
        pixDestroy(&pm);
    }
    pixDestroy(&pix);
}

/* A digit field: a 1 (here an H), then the two dashes of a dashed divider
 * (2 px wide, 6 tall: no colon's dots), or two specks beside a narrow
 * glyph (a "4:"), then the other digits. The first glyph is no label. */
static void seg_page_segment__glyph_then_dashes_or_specks__glyph_kept(void)
{
    FxPen pen = fx_pen(12);
    pen.gap = 16;
    for (int v = 0; v < 2; v++) {
        PIX *pix = pixCreate(220, 26, 1);
        int x = fx_text(pix, "H", 6, 21, &pen, 0);
        if (v == 0) { /* dashes */
            pixRasterop(pix, x + 3, 5, 2, 6, PIX_SET, NULL, 0, 0);
            pixRasterop(pix, x + 3, 13, 2, 6, PIX_SET, NULL, 0, 0);
        } else { /* specks like a colon, the glyph before it alone */
            pixRasterop(pix, x + 3, 9, 3, 3, PIX_SET, NULL, 0, 0);
            pixRasterop(pix, x + 3, 14, 3, 3, PIX_SET, NULL, 0, 0);
        }
        fx_text(pix, "HHHH", x + 26, 21, &pen, 0);
        check_one_line(pix, (OneLine){-5, 0, 9, -1, 0},
                       v ? "specks" : "dashes");
        pixDestroy(&pix);
    }
}

/* A half-size name crop: the printed label line above is two runs of
 * touching letters ("PRE" "NOM") on one baseline, with more ink than the
 * three thin capitals written below it. The label is type; the name is the
 * main line ("MW" was read for AVRIL). */
static void seg_page_segment__label_of_two_letter_runs_above__name_read(void)
{
    FxPen pen = fx_pen(9);
    pen.gap = 10;
    PIX *pix = pixCreate(240, 46, 1);
    for (int r = 0; r < 2; r++) {
        int x0 = 20 + 30 * r;
        pixRasterop(pix, x0, 6, 28, 11, PIX_SET, NULL, 0, 0);
        for (int k = 0; k < 3; k++)
            pixRasterop(pix, x0 + 2 + 9 * k, 8, 5, 7, PIX_CLR, NULL, 0, 0);
    }
    fx_text(pix, "HHH", 24, 40, &pen, 0);
    check_one_line(pix, (OneLine){3, 0, 240, 18, 0}, "two letter runs");
    pixDestroy(&pix);
}

/* A half-size name crop: the printed label above the name is one piece,
 * its letters touching (4.7 times as wide as tall), with more ink than
 * the spaced capitals written below it. One wide piece beside a line of
 * three pieces or more is the label: the name is the main line (SELEN
 * read "AMAMA / E L E"). */
static void seg_page_segment__label_of_one_wide_piece_above__name_read(void)
{
    PIX *pix = pixCreate(240, 46, 1);
    pixRasterop(pix, 20, 8, 60, 13, PIX_SET, NULL, 0, 0);
    for (int k = 0; k < 6; k++) /* counters, the letters' bars kept */
        pixRasterop(pix, 23 + 9 * k, 11, 4, 7, PIX_CLR, NULL, 0, 0);
    for (int k = 0; k < 3; k++) { /* H H H, thin strokes */
        int x = 24 + 21 * k;
        pixRasterop(pix, x, 27, 2, 14, PIX_SET, NULL, 0, 0);
        pixRasterop(pix, x + 7, 27, 2, 14, PIX_SET, NULL, 0, 0);
        pixRasterop(pix, x, 33, 9, 2, PIX_SET, NULL, 0, 0);
    }
    check_one_line(pix, (OneLine){3, 0, 240, 21, 0}, "one wide piece");
    pixDestroy(&pix);
}

/* A name written low in its field, one letter on the crop's bottom edge,
 * under its printed label "NOM" (the line above cut by the top edge): the
 * name is whole, not the cut top of the next line, and it is the main
 * line (VATZIAS read "NOM"). */
static void seg_page_segment__name_touching_bottom_edge__name_read(void)
{
    FxPen label = fx_pen(8), hand = fx_pen(12);
    label.gap = 2;
    label.stroke = 3;
    hand.gap = 14;
    PIX *pix = pixCreate(284, 50, 1);
    for (int k = 0; k < 6; k++) /* the line above, cut: its bottoms */
        pixRasterop(pix, 150 + 18 * k, 0, 8, 5, PIX_SET, NULL, 0, 0);
    fx_text(pix, "HHHHHH", 30, 20, &label, 0);
    int x = fx_text(pix, "HHHH", 30, 46, &hand, 0);
    fx_text(pix, "H", x + 14, 50, &hand, 0);
    check_one_line(pix, (OneLine){5, 0, 284, 24, 0}, "name on the edge");
    pixDestroy(&pix);
}

/* A name field between two whole printed label lines, 3.9 times as wide
 * as tall (a real one of 284 x 71 px is 4.0, and 3.94 at half or 1.5
 * times its size): a strip, read as the name's line. The rule was 4
 * times as wide, and the field read as a page of three lines. */
static void seg_page_segment__field_just_under_four_times_as_wide__one_line(void)
{
    FxPen label = fx_pen(8), hand = fx_pen(12);
    label.gap = 2;
    hand.gap = 14;
    PIX *pix = pixCreate(440, 113, 1);
    fx_text(pix, "HHHH", 30, 20, &label, 0);
    fx_text(pix, "HHHHH", 30, 62, &hand, 0);
    fx_text(pix, "HHHHHH", 30, 100, &label, 0);
    check_one_line(pix, (OneLine){5, 0, 440, 30, 0}, "3.9 times as wide");
    pixDestroy(&pix);
}

/* A name crop with an I whose diaeresis is written low, two marks beside
 * the top of its stem (as ANAIS on a real crop): the marks are no i's
 * dot, and the I's glyph is its stem alone (joined, it read T). */
static void seg_page_segment__marks_at_top_of_capital_i__not_joined(void)
{
    FxPen pen = fx_pen(30);
    pen.gap = 30;
    PIX *pix = pixCreate(420, 80, 1);
    int x = fx_text(pix, "HH", 20, 64, &pen, 0) + 30;
    int top = 64 - 44;
    pixRasterop(pix, x, top, 5, 44, PIX_SET, NULL, 0, 0); /* the I */
    pixRasterop(pix, x - 5, top, 4, 4, PIX_SET, NULL, 0, 0);
    pixRasterop(pix, x + 6, top, 4, 4, PIX_SET, NULL, 0, 0);
    fx_text(pix, "HH", x + 35, 64, &pen, 0);
    /* bits of the lines above and below, cut by the crop's edges */
    for (int k = 0; k < 3; k++) {
        pixRasterop(pix, 300 + 20 * k, 0, 8, 3, PIX_SET, NULL, 0, 0);
        pixRasterop(pix, 300 + 20 * k, 76, 8, 4, PIX_SET, NULL, 0, 0);
    }
    SegPage *page = seg(pix, 300);
    CHECK(page != NULL);
    if (page) {
        int ng;
        const SegGlyph *g = seg_page_get_glyphs(page, &ng);
        CHECK(ng == 5);
        int stem = 0;
        for (int i = 0; i < ng; i++)
            stem += g[i].box.x == x && g[i].box.w == 5 && g[i].box.y == top;
        CHECK(stem == 1);
        if (test_case_failed) {
            fx_dump(page);
            fx_dump_glyphs(page);
        }
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

int main(void)
{
    RUN(seg_page_segment__printed_label_line_above__name_is_main_line);
    RUN(seg_page_segment__evenly_spaced_capitals__one_word);
    RUN(seg_page_segment__words_on_evenly_spaced_line__still_split);
    RUN(seg_page_segment__name_crop__one_line_without_label_or_cut_bits);
    RUN(seg_page_segment__file_says_72_dpi__scale_from_glyphs);
    RUN(seg_page_segment__name_crop_with_white_margin__same_line);
    RUN(seg_page_segment__name_crop_with_tall_white_margin__same_line);
    RUN(seg_page_segment__box_remnant_inside_edge__dropped);
    RUN(seg_page_segment__box_side_through_line_cut__dropped);
    RUN(seg_page_segment__thin_divider_off_crop_edges__dropped);
    RUN(seg_page_segment__dividers_of_a_turned_field__dropped);
    RUN(seg_page_segment__thin_broken_line_beside_glyph__dropped);
    RUN(seg_page_segment__crop_claiming_300_dpi__reads_as_unknown_dpi);
    RUN(seg_page_segment__label_colon_dots_apart__label_dropped);
    RUN(seg_page_segment__dots_at_crop_top_and_bottom__no_colon);
    RUN(seg_page_segment__crop_with_many_grains__still_a_crop);
    RUN(seg_page_segment__tops_of_next_line_under_name__name_read);
    RUN(seg_page_segment__half_size_label_of_one_piece__label_dropped);
    RUN(seg_page_segment__label_colon_then_spaced_capitals__label_dropped);
    RUN(seg_page_segment__label_colon_blurred_into_bar__label_dropped);
    RUN(seg_page_segment__three_pieces_before_label__label_dropped);
    RUN(seg_page_segment__short_i_after_single_letter__kept);
    RUN(seg_page_segment__colon_dot_below_label_rows__label_dropped);
    RUN(seg_page_segment__next_line_tops_along_bottom__dropped);
    RUN(seg_page_segment__name_on_bottom_edge_label_at_top__one_line);
    RUN(seg_page_segment__name_on_edge_twice_size_grains__one_line);
    RUN(seg_page_segment__colon_dots_apart_at_glyph_scale__joined);
    RUN(seg_page_segment__sloping_name_small_last_letters__kept);
    RUN(seg_page_segment__stroke_after_letter_run_not_colon__run_kept);
    RUN(seg_page_segment__broken_stroke_after_first_letters__kept);
    RUN(seg_page_segment__field_with_cut_line_and_margin__one_line);
    RUN(seg_page_segment__three_whole_lines_small_image__all_read);
    RUN(seg_page_segment__glyph_then_dashes_or_specks__glyph_kept);
    RUN(seg_page_segment__label_of_two_letter_runs_above__name_read);
    RUN(seg_page_segment__label_of_one_wide_piece_above__name_read);
    RUN(seg_page_segment__name_touching_bottom_edge__name_read);
    RUN(seg_page_segment__field_just_under_four_times_as_wide__one_line);
    RUN(seg_page_segment__marks_at_top_of_capital_i__not_joined);
    TEST_EXIT();
}
