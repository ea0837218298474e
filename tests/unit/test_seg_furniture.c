/* test_seg_furniture.c - form furniture: box lines, underlines and comb
 * fields removed, the glyph strokes they crossed kept whole
 * (segment/seg_furniture.c through seg_page_segment, and
 * seg__dotted_drop). */
#include "common/err.h"
#include "segment/seg_internal.h"
#include "segment/segment.h"
#include "tests/unit/seg_fixture.h"
#include "tests/unit/test.h"

#include <stdlib.h>
#include <string.h>

static SegPage *seg_opt(PIX *pix, const SegOptions *opt)
{
    SegPage *p = seg_page_segment(pix, 300, opt);
    if (!p)
        printf("  seg_page_segment: %s\n", err_get());
    return p;
}

static void rect(PIX *pix, int x, int y, int w, int h, int t)
{
    pixRasterop(pix, x, y, w, t, PIX_SET, NULL, 0, 0);
    pixRasterop(pix, x, y + h - t, w, t, PIX_SET, NULL, 0, 0);
    pixRasterop(pix, x, y, t, h, PIX_SET, NULL, 0, 0);
    pixRasterop(pix, x + w - t, y, t, h, PIX_SET, NULL, 0, 0);
}

/* No glyph may look like a piece of a line: thin and long (a box edge read
 * as 1 / l / I) or flat and wide (an underline read as -). */
static int line_like_glyphs(const SegPage *page, int xh)
{
    int ng, bad = 0;
    const SegGlyph *g = seg_page_get_glyphs(page, &ng);
    for (int i = 0; i < ng; i++) {
        const SegBox *b = &g[i].box;
        if ((b->w <= 6 && b->h > 2 * xh) || (b->h <= 6 && b->w > 2 * xh))
            bad++;
    }
    return bad;
}

/* Height of the tallest glyph whose box contains column x. */
static int glyph_height_at(const SegPage *page, int x)
{
    int ng, best = 0;
    const SegGlyph *g = seg_page_get_glyphs(page, &ng);
    for (int i = 0; i < ng; i++)
        if (g[i].box.x <= x && x < g[i].box.x + g[i].box.w &&
            g[i].box.h > best)
            best = g[i].box.h;
    return best;
}

/* n lines of small print (x-height 16) from baseline y, 40 px apart: a
 * form card's labels, which set the page's glyph height. */
static void small_print(PIX *pix, int n, int y)
{
    FxPen small = fx_pen(16);
    for (int k = 0; k < n; k++)
        fx_text(pix, "nox von xon", 40, y + 40 * k, &small, 0);
}

/* A comb from x0 on a rule t px thick just under baseline base: cells of
 * pitch px holding one glyph of cells each (pen), ticks t px wide, the
 * even ones tick_even px high, the odd ones tick_odd. Returns the number
 * of cells. */
static int draw_comb(PIX *pix, const char *cells, int x0, int base, int pitch,
                     int tick_even, int tick_odd, int t, const FxPen *pen)
{
    int n = (int)strlen(cells);
    pixRasterop(pix, x0, base + 6, n * pitch + t, t, PIX_SET, NULL, 0, 0);
    for (int i = 0; i <= n; i++) {
        int tick = i % 2 ? tick_odd : tick_even;
        pixRasterop(pix, x0 + i * pitch, base + 6 - tick, t, tick, PIX_SET,
                    NULL, 0, 0);
    }
    for (int i = 0; i < n; i++) {
        int w = fx_glyph_width(cells[i], pen);
        fx_glyph(pix, cells[i],
                 (float)(x0 + i * pitch + (pitch - w) / 2 + t / 2), (float)base,
                 pen);
    }
    return n;
}

/* The glyphs whose top lies below row y. */
static int glyphs_below(const SegPage *page, int y)
{
    int ng, n = 0;
    const SegGlyph *g = seg_page_get_glyphs(page, &ng);
    for (int k = 0; k < ng; k++)
        n += g[k].box.y > y;
    return n;
}

/* 8 lines of print 22 px high: a card's labels at 300 dpi. */
static void labels_300dpi(PIX *pix)
{
    FxPen small = fx_pen(22);
    for (int k = 0; k < 8; k++)
        fx_text(pix, "nox von xon", 40, 40 + 50 * k, &small, 0);
}

static void seg_page_segment__boxed_field__box_removed_strokes_kept(void)
{
    /* Two form boxes (3 px rules) with handwriting; the p's descenders
     * cross the bottom rule of the first box. */
    FxPen pen = fx_pen(30);
    PIX *pix = pixCreate(1000, 400, 1);
    const char *t1 = "pop nox", *t2 = "Hol lov";
    int b1 = 120, b2 = 280;
    int e1 = fx_text(pix, t1, 80, b1, &pen, 0);
    int e2 = fx_text(pix, t2, 80, b2, &pen, 0);
    rect(pix, 50, b1 - 70, e1 - 50 + 40, 70 + 8, 3); /* bottom rule at b1+5 */
    rect(pix, 50, b2 - 70, e2 - 50 + 40, 70 + 12, 3);
    SegPage *page = seg_opt(pix, NULL);
    CHECK(page != NULL);
    if (page) {
        int ng, nl, nw;
        seg_page_get_glyphs(page, &ng);
        seg_page_get_lines(page, &nl);
        seg_page_get_words(page, &nw);
        CHECK(ng == fx_count_glyphs(t1) + fx_count_glyphs(t2));
        CHECK(nl == 2);
        CHECK(nw == 4);
        CHECK(line_like_glyphs(page, 30) == 0);
        CHECK(seg_page_get_stats(page)->furniture_px > 0);
        /* the first p kept its whole descender across the rule: height
         * x-height + 0.7 x-height */
        CHECK(glyph_height_at(page, 82) >= 48);
        if (test_case_failed)
            fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__furniture_off__box_edges_are_glyphs(void)
{
    /* The same box without furniture removal: its edges come back as
     * glyphs, which is what the removal exists to prevent. */
    FxPen pen = fx_pen(30);
    PIX *pix = pixCreate(1000, 250, 1);
    const char *t1 = "nox lov";
    int e1 = fx_text(pix, t1, 80, 120, &pen, 0);
    rect(pix, 50, 50, e1 - 50 + 40, 85, 3);
    SegOptions opt;
    seg_options_init(&opt);
    opt.remove_furniture = 0;
    SegPage *page = seg_opt(pix, &opt);
    CHECK(page != NULL);
    if (page) {
        int ng;
        seg_page_get_glyphs(page, &ng);
        CHECK(ng != fx_count_glyphs(t1));
        CHECK(seg_page_get_stats(page)->furniture_px == 0);
    }
    seg_page_destroy(&page);
    opt.remove_furniture = 1;
    page = seg_opt(pix, &opt);
    CHECK(page != NULL);
    if (page) {
        int ng;
        seg_page_get_glyphs(page, &ng);
        CHECK(ng == fx_count_glyphs(t1));
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__underlined_words__underline_removed(void)
{
    /* Underline touching the glyph bottoms and cut by the descenders. */
    FxPen pen = fx_pen(30);
    PIX *pix = pixCreate(1000, 250, 1);
    const char *t = "pop nox lop";
    int b = 120;
    int e = fx_text(pix, t, 60, b, &pen, 0);
    pixRasterop(pix, 40, b + 1, e - 40 + 20, 4, PIX_SET, NULL, 0, 0);
    SegPage *page = seg_opt(pix, NULL);
    CHECK(page != NULL);
    if (page) {
        int ng, nl, nw;
        const SegLine *l = seg_page_get_lines(page, &nl);
        seg_page_get_glyphs(page, &ng);
        seg_page_get_words(page, &nw);
        CHECK(ng == fx_count_glyphs(t));
        CHECK(nw == fx_count_words(t));
        CHECK(nl == 1);
        CHECK(line_like_glyphs(page, 30) == 0);
        if (nl == 1)
            CHECK_NEAR(l[0].baseline_y, b, 3);
        /* descenders crossed the line: the p's are still whole */
        CHECK(glyph_height_at(page, 62) >= 48);
        if (test_case_failed)
            fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__comb_field__ticks_removed(void)
{
    /* A comb: a base rule with ticks every 40 px rising 20 px; one glyph
     * per cell, some of them stems (l) like the ticks. */
    FxPen pen = fx_pen(28);
    PIX *pix = pixCreate(800, 250, 1);
    const char *cells = "lonlxvlon";
    int n = (int)strlen(cells), pitch = 40, x0 = 60, base = 150;
    pixRasterop(pix, x0, base + 4, n * pitch + 3, 3, PIX_SET, NULL, 0, 0);
    for (int i = 0; i <= n; i++)
        pixRasterop(pix, x0 + i * pitch, base + 4 - 20, 3, 20, PIX_SET, NULL,
                    0, 0);
    for (int i = 0; i < n; i++) {
        int w = fx_glyph_width(cells[i], &pen);
        fx_glyph(pix, cells[i], (float)(x0 + i * pitch + (pitch - w) / 2 + 1),
                 (float)base, &pen);
    }
    SegPage *page = seg_opt(pix, NULL);
    CHECK(page != NULL);
    if (page) {
        int ng;
        const SegGlyph *g = seg_page_get_glyphs(page, &ng);
        CHECK(ng == n);
        /* no glyph sits on a tick position */
        int on_tick = 0;
        for (int k = 0; k < ng; k++)
            for (int i = 0; i <= n; i++) {
                int tx = x0 + i * pitch + 1;
                if (g[k].box.x <= tx && tx < g[k].box.x + g[k].box.w &&
                    g[k].box.w < 10)
                    on_tick++;
            }
        CHECK(on_tick == 0);
        CHECK(line_like_glyphs(page, 28) == 0);
        if (test_case_failed)
            fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__tall_comb_ticks_beside_small_print__removed(
    void)
{
    /* A form card's comb: ticks half the box high, 1.5 times the page's
     * glyph height (its small printed labels'), with a digit-sized glyph
     * in every cell. Ticks that tall were taken for letters (a row of l's
     * on an underline) and read as 1s between the digits. */
    FxPen pen = fx_pen(28);
    PIX *pix = pixCreate(900, 700, 1);
    small_print(pix, 10, 40);
    int n = draw_comb(pix, "onxvonxo", 60, 560, 48, 24, 24, 3, &pen);
    SegPage *page = seg_opt(pix, NULL);
    CHECK(page != NULL);
    if (page) {
        CHECK(glyphs_below(page, 480) == n);
        if (test_case_failed)
            fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__stems_on_underline__not_a_comb(void)
{
    /* l's and i's written on an underline at a regular pitch look like
     * comb ticks but are letters. */
    FxPen pen = fx_pen(30);
    PIX *pix = pixCreate(900, 250, 1);
    const char *t = "lllll iiiii";
    int b = 120;
    FxPen wide = pen;
    wide.gap = 30;
    int e = fx_text(pix, t, 60, b, &wide, 0);
    pixRasterop(pix, 40, b + 1, e - 40 + 20, 3, PIX_SET, NULL, 0, 0);
    SegPage *page = seg_opt(pix, NULL);
    CHECK(page != NULL);
    if (page) {
        int ng;
        seg_page_get_glyphs(page, &ng);
        CHECK(ng == fx_count_glyphs(t));
        CHECK(line_like_glyphs(page, 30) == 0);
        if (test_case_failed)
            fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__table_grid__cells_read(void)
{
    /* A 3 x 2 grid of cells (2 px rules) with one word per cell; a glyph
     * stroke crosses a vertical rule. */
    FxPen pen = fx_pen(26);
    PIX *pix = pixCreate(900, 400, 1);
    const char *words[6] = {"nox", "lov", "Hon", "vix", "pol", "oxo"};
    int cw = 250, ch = 110, gx = 50, gy = 60;
    for (int r = 0; r <= 2; r++)
        pixRasterop(pix, gx, gy + r * ch, 3 * cw + 2, 2, PIX_SET, NULL, 0, 0);
    for (int c = 0; c <= 3; c++)
        pixRasterop(pix, gx + c * cw, gy, 2, 2 * ch + 2, PIX_SET, NULL, 0, 0);
    int expect = 0;
    for (int i = 0; i < 6; i++) {
        int r = i / 3, c = i % 3;
        fx_text(pix, words[i], gx + c * cw + 40, gy + r * ch + 75, &pen, 0);
        expect += fx_count_glyphs(words[i]);
    }
    /* an x whose stroke runs across the rule between cells 0 and 1 */
    FxPen wide = pen;
    fx_line(pix, (float)(gx + cw - 12), (float)(gy + 50),
            (float)(gx + cw + 12), (float)(gy + 75), wide.stroke);
    fx_line(pix, (float)(gx + cw - 12), (float)(gy + 75),
            (float)(gx + cw + 12), (float)(gy + 50), wide.stroke);
    expect++;
    SegPage *page = seg_opt(pix, NULL);
    CHECK(page != NULL);
    if (page) {
        int ng;
        seg_page_get_glyphs(page, &ng);
        CHECK(ng == expect);
        CHECK(line_like_glyphs(page, 26) == 0);
        if (test_case_failed)
            fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

/* A faint rule as the binariser leaves it: 2 px thick dashes 10-40 px
 * long with 2-5 px gaps, each dash a row off now and then. */
static void dashed(PIX *pix, int x, int y, int len, int horizontal)
{
    int at = 0;
    while (at < len) {
        int d = 10 + (int)(fx_rand() % 31), off = (int)(fx_rand() % 3) - 1;
        if (at + d > len)
            d = len - at;
        if (horizontal)
            pixRasterop(pix, x + at, y + off, d, 2, PIX_SET, NULL, 0, 0);
        else
            pixRasterop(pix, x + off, y + at, 2, d, PIX_SET, NULL, 0, 0);
        at += d + 2 + (int)(fx_rand() % 4);
    }
}

static void seg_page_segment__faint_broken_furniture__removed(void)
{
    /* A box, an underline and a comb drawn as broken dashes (what a light
     * 2 px rule under blur and noise becomes): none of their pieces is as
     * long as a rule, yet all must go, and no dash or tick may be read as
     * a glyph or glued to one. */
    fx_seed = 4242u;
    FxPen pen = fx_pen(30);
    PIX *pix = pixCreate(1100, 520, 1);
    const char *t1 = "nox lov", *t2 = "Hol vox", *cells = "onxvon";
    int b1 = 110, b2 = 260, b3 = 420;
    int e1 = fx_text(pix, t1, 80, b1, &pen, 0);
    int e2 = fx_text(pix, t2, 80, b2, &pen, 0);
    /* box around line 1: top 65 px above the baseline, bottom 25 below */
    int bx = 55, bw = e1 - bx + 30, by = b1 - 65, bh = 90;
    dashed(pix, bx, by, bw, 1);
    dashed(pix, bx, by + bh, bw, 1);
    dashed(pix, bx, by, bh, 0);
    dashed(pix, bx + bw, by, bh + 2, 0);
    /* underline 6 px below line 2 */
    dashed(pix, 60, b2 + 6, e2 - 40, 1);
    /* comb: base 6 px below the baseline, ticks rising 14 px, pitch 40 */
    int n = (int)strlen(cells), pitch = 40, x0 = 60;
    dashed(pix, x0, b3 + 6, n * pitch + 2, 1);
    for (int i = 0; i <= n; i++) {
        int tx = x0 + i * pitch;
        pixRasterop(pix, tx, b3 + 6 - 14, 2, 6, PIX_SET, NULL, 0, 0);
        pixRasterop(pix, tx, b3 + 6 - 6, 2, 6, PIX_SET, NULL, 0, 0);
    }
    for (int i = 0; i < n; i++) {
        int w = fx_glyph_width(cells[i], &pen);
        fx_glyph(pix, cells[i], (float)(x0 + i * pitch + (pitch - w) / 2 + 1),
                 (float)b3, &pen);
    }
    /* 200 dpi: the 30 px x-height is handwriting size (3.8 mm); faint
     * rules are bridged only around glyphs that large */
    SegPage *page = seg_page_segment(pix, 200, NULL);
    CHECK(page != NULL);
    if (page) {
        int ng, nl;
        const SegGlyph *g = seg_page_get_glyphs(page, &ng);
        seg_page_get_lines(page, &nl);
        CHECK(nl == 3);
        CHECK(ng == fx_count_glyphs(t1) + fx_count_glyphs(t2) + n);
        CHECK(line_like_glyphs(page, 30) == 0);
        CHECK(seg_page_get_stats(page)->furniture_px > 0);
        /* no glyph reaches down onto a rule: every glyph of these texts
         * ends at most a stroke's width below the baseline (no
         * descenders in them) */
        int low = 0;
        for (int k = 0; k < ng; k++) {
            int bot = g[k].box.y + g[k].box.h;
            int base = bot < b1 + 80 ? b1 : bot < b2 + 80 ? b2 : b3;
            if (bot > base + 4)
                low++;
        }
        CHECK(low == 0);
        if (test_case_failed)
            fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__comb_ticks_under_wide_glyphs__removed(void)
{
    /* A comb whose last cells hold glyphs with a foot over the grid line:
     * it comes within 4 px of the tick top, so those ticks do not stand
     * alone. The grid of the free ticks still takes them: no tick is left
     * to be read as 1, l or I. */
    FxPen pen = fx_pen(28);
    PIX *pix = pixCreate(800, 250, 1);
    const char *cells = "onxvonxv";
    int n = (int)strlen(cells), pitch = 40, x0 = 60, base = 150;
    int rule = base + 24, tick = 20; /* rule top; ticks rise 20 px */
    pixRasterop(pix, x0, rule, n * pitch + 3, 3, PIX_SET, NULL, 0, 0);
    for (int i = 0; i <= n; i++)
        pixRasterop(pix, x0 + i * pitch, rule - tick, 3, tick, PIX_SET, NULL,
                    0, 0);
    int feet = rule - tick - 4; /* glyph bottoms, 4 px above the ticks */
    for (int i = 0; i < n; i++) {
        int cx = x0 + i * pitch;
        if (i < 5) {
            int w = fx_glyph_width(cells[i], &pen);
            fx_glyph(pix, cells[i], (float)(cx + (pitch - w) / 2 + 1),
                     (float)feet, &pen);
        } else { /* a U whose foot overhangs the grid line on its left */
            fx_line(pix, (float)(cx + 3), (float)(feet - 28), (float)(cx + 3),
                    (float)feet, pen.stroke);
            fx_line(pix, (float)(cx + 20), (float)(feet - 28),
                    (float)(cx + 20), (float)feet, pen.stroke);
            pixRasterop(pix, cx - 3, feet - 2, 25, 3, PIX_SET, NULL, 0, 0);
        }
    }
    SegPage *page = seg_opt(pix, NULL);
    CHECK(page != NULL);
    if (page) {
        int ng, thin = 0, low = 0;
        const SegGlyph *g = seg_page_get_glyphs(page, &ng);
        for (int k = 0; k < ng; k++) {
            thin += g[k].box.w < 8;
            /* nothing of a tick glued under a glyph either */
            low += g[k].box.y + g[k].box.h > feet + 2;
        }
        CHECK(ng == n);
        CHECK(thin == 0);
        CHECK(low == 0);
        if (test_case_failed)
            fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

/* A boxed field cut out of a form: glyphs one per cell (an l among them,
 * as tall as a divider), 3 px rules, margin px of paper around the box
 * (negative: cut that far inside it). The field's cells are as tall as its
 * glyphs, so its dividers are shorter than any vertical rule of a page. */
static PIX *boxed_field(const char *cells, int margin, int touch,
                        FxPen *pen)
{
    int n = (int)strlen(cells), pitch = 40, ch = 52, t = 3;
    int bw = n * pitch + t, w = bw + 2 * margin, h = ch + 2 * margin;
    PIX *pix = pixCreate(w, h, 1);
    /* touch: the glyphs stand on the bottom rule (the field one piece) */
    int ox = margin, oy = margin, base = oy + ch - (touch ? 3 : 8);
    pixRasterop(pix, ox, oy, bw, t, PIX_SET, NULL, 0, 0);
    pixRasterop(pix, ox, oy + ch - t, bw, t, PIX_SET, NULL, 0, 0);
    for (int i = 0; i <= n; i++)
        pixRasterop(pix, ox + i * pitch, oy, t, ch, PIX_SET, NULL, 0, 0);
    for (int i = 0; i < n; i++) {
        int gw = fx_glyph_width(cells[i], pen);
        fx_glyph(pix, cells[i], (float)(ox + i * pitch + (pitch - gw) / 2 + 1),
                 (float)base, pen);
    }
    return pix;
}

/* Segment a field crop at 300 dpi and at an unknown dpi; each must give
 * the n glyphs of its cells and nothing like a piece of a line. */
static void check_field(PIX *pix, int n, int xh)
{
    for (int k = 0; k < 2; k++) {
        SegPage *p = seg_page_segment(pix, k ? 0 : 300, NULL);
        CHECK(p != NULL);
        if (!p) {
            printf("  seg_page_segment: %s\n", err_get());
            continue;
        }
        int ng;
        seg_page_get_glyphs(p, &ng);
        CHECK(ng == n);
        CHECK(line_like_glyphs(p, xh) == 0);
        if (test_case_failed)
            fx_dump_glyphs(p);
        seg_page_destroy(&p);
    }
}

static void seg_page_segment__boxed_field_crop__dividers_removed(void)
{
    /* Read as a page, the box joined all cells into one glyph: its
     * dividers (cell-tall) are no vertical rules at a page's scale. */
    FxPen pen = fx_pen(24);
    const char *cells = "onlxHvo";
    PIX *pix = boxed_field(cells, 2, 0, &pen);
    check_field(pix, (int)strlen(cells), 24);
    pixDestroy(&pix);
}

static void seg_page_segment__boxed_field_one_piece__dividers_removed(void)
{
    /* Every glyph stands on the bottom rule: the field is one piece,
     * wider than a rule's 8:1, so it gave no glyph height at all. With a
     * blot in a cell (k 1), the blot's height was the field's glyph
     * height: its box read as glyphs 5 px tall (20 glyphs here; a real
     * boxed field at half size read as 24 digits for 10). */
    FxPen pen = fx_pen(24);
    const char *cells = "onxvononxvon";
    for (int k = 0; k < 2; k++) {
        PIX *pix = boxed_field(cells, 2, 1, &pen);
        if (k)
            pixRasterop(pix, 2 + 40 + 26, 10, 8, 5, PIX_SET, NULL, 0, 0);
        SegPage *p = seg_page_segment(pix, 0, NULL);
        int ng = 0;
        if (p)
            seg_page_get_glyphs(p, &ng);
        if (ng != (int)strlen(cells))
            printf("  blot %d: %d glyphs\n", k, ng);
        CHECK(ng == (int)strlen(cells));
        seg_page_destroy(&p);
        if (!k)
            check_field(pix, (int)strlen(cells), 24);
        pixDestroy(&pix);
    }
}

static void seg_page_segment__field_cut_inside_box__dividers_removed(void)
{
    /* Cut 4 px inside the box: no rule left, only the dividers spanning
     * the crop's height (read as 1s between the glyphs before). */
    FxPen pen = fx_pen(24);
    const char *cells = "onlxHvo";
    PIX *whole = boxed_field(cells, 0, 0, &pen);
    BOX *in = boxCreate(4, 4, pixGetWidth(whole) - 8, pixGetHeight(whole) - 8);
    PIX *pix = pixClipRectangle(whole, in, NULL);
    check_field(pix, (int)strlen(cells), 24);
    boxDestroy(&in);
    pixDestroy(&pix);
    pixDestroy(&whole);
}

/* A comb field cut out tight: base rule and ticks a third of a cell of 40
 * px, one glyph of cells in each. */
static PIX *comb_crop(const char *cells, FxPen *pen)
{
    int n = (int)strlen(cells), pitch = 40, base = 44;
    PIX *pix = pixCreate(n * pitch + 5, 50, 1);
    pixRasterop(pix, 1, base + 2, n * pitch + 3, 3, PIX_SET, NULL, 0, 0);
    for (int i = 0; i <= n; i++)
        pixRasterop(pix, 1 + i * pitch, base - 12, 3, 16, PIX_SET, NULL, 0, 0);
    for (int i = 0; i < n; i++) {
        int gw = fx_glyph_width(cells[i], pen);
        fx_glyph(pix, cells[i], (float)(1 + i * pitch + (pitch - gw) / 2 + 1),
                 (float)base - 2, pen);
    }
    return pix;
}

static void seg_page_segment__comb_field_crop__ticks_removed(void)
{
    FxPen pen = fx_pen(24);
    const char *cells = "onxvon";
    PIX *pix = comb_crop(cells, &pen);
    check_field(pix, (int)strlen(cells), 24);
    pixDestroy(&pix);
}

/* The comb field above at half size, cut 27 px tall (odd), its base rule
 * 1 px thick in the crop's last row and every glyph standing on it: the
 * rules are looked for on the page 2x reduced, which left the last row
 * out, so the rule was never seen and joined the glyphs into one (a
 * field of 9 MNIST digits at half size read "3"). */
static void seg_page_segment__comb_rule_in_odd_last_row__removed(void)
{
    FxPen pen = fx_pen(12);
    pen.stroke = 2;
    const char *cells = "onxvonxv";
    int n = (int)strlen(cells), pitch = 20;
    PIX *pix = pixCreate(n * pitch + 3, 27, 1);
    pixRasterop(pix, 1, 26, n * pitch + 1, 1, PIX_SET, NULL, 0, 0);
    for (int i = 0; i <= n; i++)
        pixRasterop(pix, 1 + i * pitch, 19, 1, 8, PIX_SET, NULL, 0, 0);
    for (int i = 0; i < n; i++) {
        int gw = fx_glyph_width(cells[i], &pen);
        fx_glyph(pix, cells[i], (float)(1 + i * pitch + (pitch - gw) / 2),
                 26.0f, &pen);
    }
    check_field(pix, n, 12);
    pixDestroy(&pix);
}

/* Cut the glyph of cell k (pitch 40 from x0) in two halves side by side,
 * neither over the other (a 4 written in two strokes, a 3 broken at its
 * waist): 3 columns of paper through its middle, rows y0 .. y1. */
static void cell_glyph_halved(PIX *pix, int x0, int k, int y0, int y1)
{
    pixRasterop(pix, x0 + 40 * k + 20, y0, 3, y1 - y0, PIX_CLR, NULL, 0, 0);
}

static void seg_page_segment__boxed_field_glyph_in_two_pieces__one_glyph(
    void)
{
    /* A cell holds one character: its two pieces are one glyph (they
     * were read as two, "4" as "21"). */
    FxPen pen = fx_pen(24);
    const char *cells = "onoxvo";
    PIX *pix = boxed_field(cells, 2, 0, &pen);
    cell_glyph_halved(pix, 2, 2, 5, pixGetHeight(pix) - 5);
    check_field(pix, (int)strlen(cells), 24);
    pixDestroy(&pix);
}

static void seg_page_segment__comb_crop_stems_across_rule__ticks_removed(
    void)
{
    /* Digits whose stems cross the comb's rule off the grid (a 7, a 9),
     * and three glyphs that touch their ticks (which the page's comb
     * search then misses): the strip's tick search must still find the grid,
     * and take the ticks the stems stood between (they read as 1s). */
    FxPen pen = fx_pen(24);
    const char *cells = "nnonnnn";
    PIX *pix = comb_crop(cells, &pen);
    int stems[] = {0, 4, 5, 6};
    for (int i = 0; i < 4; i++) /* a stem from the glyph down across it */
        pixRasterop(pix, 1 + 40 * stems[i] + 27, 30, 3, 20, PIX_SET, NULL, 0,
                    0);
    int touch[] = {2, 3, 5};
    for (int i = 0; i < 3; i++) /* a stroke reaching the cell's left tick */
        pixRasterop(pix, 1 + 40 * touch[i] + 2, 36, 10, 5, PIX_SET, NULL, 0,
                    0);
    check_field(pix, (int)strlen(cells), 24);
    pixDestroy(&pix);
}

static void seg_page_segment__two_characters_in_one_cell__kept_two(void)
{
    /* Smaller writing, two characters to the cell: together they are
     * wider than tall, so they are not one character. */
    FxPen pen = fx_pen(24), small = fx_pen(16);
    PIX *pix = boxed_field("on vo", 2, 0, &pen);
    int wo = fx_glyph_width('o', &small), wx = fx_glyph_width('x', &small);
    int x = 2 + 2 * 40 + (40 - wo - wx - 4) / 2;
    fx_glyph(pix, 'o', (float)x, 46.0f, &small);
    fx_glyph(pix, 'x', (float)(x + wo + 4), 46.0f, &small);
    check_field(pix, 6, 24);
    pixDestroy(&pix);
}

/* An open field cut out tight: one closed box of 3 px rules, h px high,
 * no dividers, the glyphs of text written from pad px in with gap px
 * between them, and w px wide (at least pad px of paper after them). */
static PIX *open_box(const char *text, int gap, int pad, int w, int h,
                     FxPen *pen)
{
    int x = pad + 3, need = x + pad + 3;
    for (const char *c = text; *c; c++)
        need += fx_glyph_width(*c, pen) + (c[1] ? gap : 0);
    PIX *pix = pixCreate(w > need ? w : need, h, 1);
    rect(pix, 0, 0, (int)pixGetWidth(pix), h, 3);
    for (const char *c = text; *c; c++) {
        fx_glyph(pix, *c, (float)x, (float)(h / 2 + 12), pen);
        x += fx_glyph_width(*c, pen) + gap;
    }
    return pix;
}

static void seg_page_segment__short_open_box_crop__box_removed(void)
{
    /* Two glyphs in their box, under three glyph heights long: shorter
     * than a rule, so the box stayed, one glyph with both inside it (a
     * census form's "19" read as "0"). */
    FxPen pen = fx_pen(24);
    PIX *pix = open_box("on", 8, 8, 0, 44, &pen);
    check_field(pix, 2, 24);
    pixDestroy(&pix);
}

static void seg_page_segment__open_box_glyphs_close__kept_apart(void)
{
    /* A box without dividers holds free writing, not one character: two
     * glyphs close together, narrower than tall together, are two (they
     * were merged as the pieces of one cell, "19" read as "3"). */
    FxPen pen = fx_pen(24);
    PIX *pix = open_box("lo", 4, 8, 170, 60, &pen);
    check_field(pix, 2, 24);
    pixDestroy(&pix);
}

static void seg_page_segment__box_side_soft_edge__no_sliver(void)
{
    /* A box scaled to 3/4 has sides 2.25 px wide: the column beside each
     * thresholds to ink over part of the rows only (here 24 of 64, in one
     * run, as beside a dark digit), missed the divider test's 90 % and
     * stayed as a 1 px sliver, read as 1. */
    FxPen pen = fx_pen(24);
    PIX *pix = open_box("onxo", 12, 12, 0, 64, &pen);
    int w = pixGetWidth(pix);
    pixRasterop(pix, 3, 20, 1, 24, PIX_SET, NULL, 0, 0);
    pixRasterop(pix, w - 4, 20, 1, 24, PIX_SET, NULL, 0, 0);
    check_field(pix, 4, 24);
    pixDestroy(&pix);
}

static void seg_page_segment__comb_field_glyph_in_two_pieces__one_glyph(void)
{
    FxPen pen = fx_pen(24);
    const char *cells = "onoxvo";
    PIX *pix = comb_crop(cells, &pen);
    cell_glyph_halved(pix, 1, 2, 0, 46);
    cell_glyph_halved(pix, 1, 5, 0, 46);
    check_field(pix, (int)strlen(cells), 24);
    pixDestroy(&pix);
}

static void seg_page_segment__trimmed_upright_stems__kept(void)
{
    /* A line of upright l's trimmed tight above and below, evenly spaced:
     * every stem spans the crop's height like a divider, but only paper
     * lies between them, so they are writing ("1111"), not a field's
     * cells. (At the left and right image edge such a stem is taken for a
     * box remnant by the crop rules: 10 px of paper there.) */
    FxPen pen = fx_pen(24);
    PIX *big = pixCreate(400, 80, 1);
    /* an o at each end, clear of the top and bottom: the glyph scale */
    fx_glyph(big, 'o', 10.0f, 56.0f, &pen);
    int x = fx_text(big, "l l l l l l", 40, 60, &pen, 0);
    fx_glyph(big, 'o', (float)(x + 14), 56.0f, &pen);
    BOX *bb = NULL;
    pixClipToForeground(big, NULL, &bb);
    boxAdjustSides(bb, bb, -10, 10, 0, 0);
    PIX *pix = pixClipRectangle(big, bb, NULL);
    for (int k = 0; k < 2; k++) {
        SegPage *p = seg_page_segment(pix, k ? 0 : 300, NULL);
        CHECK(p != NULL);
        if (p) {
            int ng;
            seg_page_get_glyphs(p, &ng);
            CHECK(ng == 8);
            CHECK(seg_page_get_stats(p)->furniture_px == 0);
            if (test_case_failed)
                fx_dump_glyphs(p);
        }
        seg_page_destroy(&p);
    }
    boxDestroy(&bb);
    pixDestroy(&pix);
    pixDestroy(&big);
}

/* How many glyphs lie wholly inside box b. */
static int glyphs_in(const SegPage *page, int x, int y, int w, int h)
{
    int ng, n = 0;
    const SegGlyph *g = seg_page_get_glyphs(page, &ng);
    for (int i = 0; i < ng; i++)
        n += g[i].box.x >= x && g[i].box.y >= y &&
             g[i].box.x + g[i].box.w <= x + w &&
             g[i].box.y + g[i].box.h <= y + h;
    return n;
}

static void seg_page_segment__boxed_field_with_margin__dividers_removed(void)
{
    /* Cut out with 40 px of paper around the box: taller than the box,
     * the crop's own height no longer tells its dividers from glyphs;
     * its two rules, one above the other, do. */
    FxPen pen = fx_pen(24);
    const char *cells = "onlxHvo";
    PIX *pix = boxed_field(cells, 40, 0, &pen);
    check_field(pix, (int)strlen(cells), 24);
    pixDestroy(&pix);
}

/* A low boxed field of cells on a page of writing, the glyph of cell
 * halve (-1: none) cut in two: the field must hold one glyph a cell and
 * nothing like a piece of a line. */
/* Paste field at (300, 300) on a 300 dpi page between lines of print and
 * segment it: the field must give n glyphs, none like a piece of a line. */
static void check_on_page(PIX *field, int n)
{
    FxPen pen = fx_pen(24);
    PIX *pix = pixCreate(1400, 700, 1);
    fx_text(pix, "Name of the holder", 60, 100, &pen, 0);
    fx_text(pix, "written in full", 60, 200, &pen, 0);
    int fw = pixGetWidth(field), fh = pixGetHeight(field);
    pixRasterop(pix, 300, 300, fw, fh, PIX_SRC, field, 0, 0);
    fx_text(pix, "and the date below", 60, 500, &pen, 0);
    SegPage *p = seg_opt(pix, NULL);
    CHECK(p != NULL);
    if (p) {
        CHECK(glyphs_in(p, 296, 296, fw + 8, fh + 8) == n);
        CHECK(line_like_glyphs(p, 24) == 0);
        if (test_case_failed)
            fx_dump_glyphs(p);
    }
    seg_page_destroy(&p);
    pixDestroy(&pix);
}

static void check_field_on_page(const char *cells, int halve)
{
    FxPen pen = fx_pen(24);
    PIX *field = boxed_field(cells, 0, 0, &pen);
    if (halve >= 0)
        cell_glyph_halved(field, 0, halve, 3, pixGetHeight(field) - 3);
    check_on_page(field, (int)strlen(cells));
    pixDestroy(&field);
}

static void seg_page_segment__boxed_field_on_page__dividers_removed(void)
{
    /* Its sides and dividers, shorter than the box sides a page's rules
     * allow (1.8 glyph heights), were read as 1s between the letters. */
    check_field_on_page("onlxHvo", -1);
}

static void seg_page_segment__boxed_field_on_page_glyph_in_two__one_glyph(
    void)
{
    check_field_on_page("onoxvo", 2);
}

static void seg_page_segment__open_box_on_page__sides_removed(void)
{
    /* A box without dividers, its sides shorter than a page's box sides
     * (1.8 glyph heights): they were read as 1s around the writing. */
    FxPen pen = fx_pen(24);
    PIX *field = open_box("onxo", 10, 10, 300, 44, &pen);
    check_on_page(field, 4);
    pixDestroy(&field);
}

static void seg_page_segment__box_side_wider_below_on_page__no_sliver(void)
{
    /* A box turned a degree and straightened again comes back with its
     * sides a pixel wider along part of their height (deskew's shears,
     * the scan's threshold). The strip test took the columns inked from
     * rule to rule; the column left beside them, a third of the side
     * tall, was read as a 1 after the last digit. */
    FxPen pen = fx_pen(24);
    const char *cells = "onxHvo";
    PIX *box = boxed_field(cells, 0, 0, &pen);
    PIX *field = pixAddBorderGeneral(box, 0, 1, 0, 0, 0);
    int x = pixGetWidth(box), h = pixGetHeight(box);
    pixRasterop(field, x, 2 * h / 3, 1, h - 2 * h / 3, PIX_SET, NULL, 0, 0);
    pixDestroy(&box);
    check_on_page(field, (int)strlen(cells));
    pixDestroy(&field);
}

static void seg_page_segment__ruled_lines_tall_letters__kept(void)
{
    /* Writing between the rules of ruled paper, its tall letters spanning
     * from one rule to the next: no box sides (they would stand at the
     * rules' ends, 3 or more on a grid), so every letter stays. */
    FxPen pen = fx_pen(24);
    PIX *pix = pixCreate(1200, 400, 1);
    for (int y = 100; y <= 320; y += 44)
        pixRasterop(pix, 20, y, 1160, 3, PIX_SET, NULL, 0, 0);
    const char *txt = "Hill loll Hill";
    int n = 0;
    for (const char *c = txt; *c; c++)
        n += *c != ' ';
    fx_text(pix, txt, 60, 144 - 2, &pen, 0);
    SegPage *p = seg_opt(pix, NULL);
    CHECK(p != NULL);
    if (p) {
        CHECK(glyphs_in(p, 0, 96, 1200, 54) == n);
        if (test_case_failed)
            fx_dump_glyphs(p);
    }
    seg_page_destroy(&p);
    pixDestroy(&pix);
}

static void seg_page_segment__tilted_box_beside_small_print__no_dashes(
    void)
{
    /* A form card: small printed labels set the page's glyph height
     * (under the 24 px from which faint rules are bridged); a box drawn a
     * degree off level around a written word. The long-run opening takes
     * only the rows it holds and leaves bits of the box's edges, each
     * wholly within a few px of the rule: they must go, not join the
     * letters or be read as glyphs. */
    FxPen big = fx_pen(26);
    PIX *pix = pixCreate(1300, 700, 1);
    small_print(pix, 10, 60);
    const char *word = "Hoxon nox";
    int e = fx_text(pix, word, 520, 560, &big, 0);
    /* box: 20 px left of the word to 60 px past it, its top 3 px above
     * the capitals (39 px), its bottom 4 px below the baseline; it drops
     * 1 px every 40 */
    int x0 = 500, x1 = e + 60, yt = 560 - 39 - 4, yb = 564;
    int d = (x1 - x0) / 40;
    fx_line(pix, (float)x0, (float)yt, (float)x1, (float)(yt + d), 3);
    fx_line(pix, (float)x0, (float)yb, (float)x1, (float)(yb + d), 3);
    /* the edges wander a row or two off their core in short bits, as a
     * faint rule does after binarisation */
    for (int x = x0 + 5; x + 24 < x1; x += 40)
        for (int k = 0; k < 2; k++) {
            int y = (k ? yb : yt) + (x - x0) / 40, up = (x / 40) % 2;
            pixRasterop(pix, x, up ? y - 3 : y + 2, 24, 2, PIX_SET, NULL, 0,
                        0);
        }
    fx_line(pix, (float)x0, (float)yt, (float)x0, (float)yb, 3);
    fx_line(pix, (float)x1, (float)(yt + d), (float)x1, (float)(yb + d), 3);
    SegPage *page = seg_page_segment(pix, 170, NULL);
    CHECK(page != NULL);
    if (page) {
        int ng, nl, in_box = 0;
        const SegGlyph *g = seg_page_get_glyphs(page, &ng);
        seg_page_get_lines(page, &nl);
        for (int i = 0; i < ng; i++)
            if (g[i].box.y > 450)
                in_box++;
        CHECK(in_box == fx_count_glyphs(word));
        CHECK(line_like_glyphs(page, 26) == 0);
        CHECK(seg_page_get_stats(page)->furniture_px > 0);
        if (test_case_failed)
            fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__checkbox_squares__dropped_marks_kept(void)
{
    /* Checkboxes before their labels: the squares are furniture (read as
     * glyphs they came out as D or O), the cross in one is kept; a
     * written o as big as a box is no square and stays. */
    FxPen small = fx_pen(16), mark = fx_pen(22), big = fx_pen(40);
    PIX *pix = pixCreate(900, 700, 1);
    small_print(pix, 6, 40);
    const char *label = "nox von";
    int base[3] = {380, 480, 580};
    for (int r = 0; r < 3; r++) {
        if (r < 2)
            rect(pix, 40, base[r] - 38, 44, 44, 3);
        else
            fx_glyph(pix, 'o', 42.0f, (float)base[r] + 2, &big);
        fx_text(pix, label, 120, base[r], &small, 0);
    }
    int w = fx_glyph_width('x', &mark);
    fx_glyph(pix, 'x', (float)(40 + (44 - w) / 2), (float)base[0] - 6, &mark);
    SegPage *page = seg_opt(pix, NULL);
    CHECK(page != NULL);
    if (page) {
        int ng, row[3] = {0, 0, 0};
        const SegGlyph *g = seg_page_get_glyphs(page, &ng);
        for (int k = 0; k < ng; k++)
            for (int r = 0; r < 3; r++)
                row[r] += g[k].box.y > base[r] - 60 && g[k].box.y < base[r];
        CHECK(row[0] == 1 + fx_count_glyphs(label)); /* the cross */
        CHECK(row[1] == fx_count_glyphs(label));
        CHECK(row[2] == 1 + fx_count_glyphs(label)); /* the o */
        CHECK(seg_page_get_stats(page)->furniture_px > 0);
        if (test_case_failed)
            fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

/* A row of n printed letters with flat tops (a sans serif's n, m, r at
 * 300 dpi: a 5 px bar over two 5 px legs, 22 x 34 px), 5 px apart, from
 * x, its baseline at y. */
static void flat_top_row(PIX *pix, int n, int x, int y)
{
    for (int k = 0; k < n; k++) {
        int gx = x + 27 * k;
        pixRasterop(pix, gx, y - 34, 22, 5, PIX_SET, NULL, 0, 0);
        pixRasterop(pix, gx, y - 34, 5, 34, PIX_SET, NULL, 0, 0);
        pixRasterop(pix, gx + 17, y - 34, 5, 34, PIX_SET, NULL, 0, 0);
    }
}

static void seg_page_segment__flat_letter_tops_beside_a_box__kept(void)
{
    /* Printed labels at 300 dpi are as tall as handwriting (34 px), so a
     * faint rule's dashes are bridged; the flat tops of a row of their
     * letters, a few px apart, line up like dashes. Bridged, they made a
     * rule and went with it: each letter fell apart into its legs
     * ("Surname" read "Surliallic"). */
    PIX *pix = pixCreate(1000, 600, 1);
    for (int r = 0; r < 4; r++)
        flat_top_row(pix, 10, 40, 80 + 90 * r);
    rect(pix, 40, 450, 700, 100, 3);
    SegPage *page = seg_opt(pix, NULL);
    CHECK(page != NULL);
    if (page) {
        int ng, whole = 0;
        const SegGlyph *g = seg_page_get_glyphs(page, &ng);
        for (int k = 0; k < ng; k++)
            whole += g[k].box.y < 420 && g[k].box.w >= 20 && g[k].box.h >= 32;
        CHECK(whole == 40);
        CHECK(seg_page_get_stats(page)->furniture_px > 0);
        if (test_case_failed)
            fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__tall_letter_just_above_box_bottom__kept(void)
{
    /* A form card at 300 dpi: printed labels 34 px high, a written I
     * 66 px high in a box (6 px rules), its foot 5 px above the box's
     * bottom. Bridged
     * down to the rule across that gap, its stem met the rule like a box
     * side and was taken out, leaving two bars. */
    PIX *pix = pixCreate(1000, 700, 1);
    for (int r = 0; r < 4; r++)
        flat_top_row(pix, 10, 40, 80 + 90 * r);
    int bx = 300, by = 460, bw = 400, bh = 130;
    rect(pix, bx, by, bw, bh, 6);
    int iy1 = by + bh - 6 - 5, iy0 = iy1 - 66, ix = bx + 150;
    pixRasterop(pix, ix - 10, iy0, 26, 8, PIX_SET, NULL, 0, 0);
    pixRasterop(pix, ix, iy0, 8, 66, PIX_SET, NULL, 0, 0);
    pixRasterop(pix, ix - 10, iy1 - 8, 26, 8, PIX_SET, NULL, 0, 0);
    SegPage *page = seg_opt(pix, NULL);
    CHECK(page != NULL);
    if (page) {
        CHECK(glyph_height_at(page, ix + 3) >= 64);
        CHECK(line_like_glyphs(page, 34) == 0);
        CHECK(seg_page_get_stats(page)->furniture_px > 0);
        if (test_case_failed)
            fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__comb_cells_wider_than_print__one_word(void)
{
    /* A form card's comb at 300 dpi: printed labels 22 px high, ticks
     * 64 px (taken out as box sides where they meet the rule), cells
     * 90 px wide with a letter each. The gaps between the letters are
     * over 1.5 x-heights, which breaks a word unless the line's other
     * gaps are as wide; the longer word written beside the comb makes
     * them narrow (a postcode read "49 196 Madrid"). A comb's cells are
     * one field: one word. */
    FxPen big = fx_pen(40);
    PIX *pix = pixCreate(1000, 700, 1);
    labels_300dpi(pix);
    int n = draw_comb(pix, "nvnon", 60, 600, 90, 64, 64, 4, &big);
    int city = 60 + n * 90 + 60;
    fx_text(pix, "noxonvoxon", city, 600, &big, 0);
    SegPage *page = seg_opt(pix, NULL);
    CHECK(page != NULL);
    if (page) {
        int ng, in_comb = 0, words = 0, last = -1;
        const SegGlyph *g = seg_page_get_glyphs(page, &ng);
        for (int k = 0; k < ng; k++)
            if (g[k].box.y > 480 && g[k].box.x < city - 20) {
                in_comb++;
                words += g[k].word != last;
                last = g[k].word;
            }
        CHECK(in_comb == n);
        CHECK(words == 1);
        /* the word beside it is one of its own */
        int beside = -1;
        for (int k = 0; k < ng; k++)
            if (g[k].box.y > 480 && g[k].box.x >= city - 20 && beside < 0)
                beside = g[k].word;
        CHECK(beside >= 0 && beside != last);
        CHECK(line_like_glyphs(page, 22) == 0);
        if (test_case_failed)
            fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__comb_ticks_about_box_side_length__all_removed(
    void)
{
    /* A comb at 300 dpi beside printed labels 22 px high: its ticks are
     * about as long as the shortest box side (60 px here), some over
     * (taken out as box sides) and some under. The ones under were left:
     * the comb search saw only them, every other grid position empty,
     * and found no comb. They read as 1s or split the line. */
    FxPen big = fx_pen(40);
    PIX *pix = pixCreate(1000, 700, 1);
    labels_300dpi(pix);
    int n = draw_comb(pix, "nvnon", 60, 600, 90, 54, 62, 4, &big);
    SegPage *page = seg_opt(pix, NULL);
    CHECK(page != NULL);
    if (page) {
        CHECK(glyphs_below(page, 480) == n);
        CHECK(line_like_glyphs(page, 22) == 0);
        if (test_case_failed)
            fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

/* A field whose cells are parted by dotted lines (dashes dash px long,
 * gap px apart, 2 px wide) over a dotted base line, no top: how forms
 * part the digits of a number with a light hand. */
static PIX *dotted_field(const char *cells, int dash, int gap, FxPen *pen)
{
    int n = (int)strlen(cells), pitch = 40, ch = 50;
    PIX *pix = pixCreate(n * pitch + 12, ch + 12, 1);
    int ox = 4, oy = 4;
    for (int x = ox; x < ox + n * pitch + 2; x += dash + gap)
        pixRasterop(pix, x, oy + ch, dash, 2, PIX_SET, NULL, 0, 0);
    for (int i = 0; i <= n; i++)
        for (int y = oy; y < oy + ch - dash; y += dash + gap)
            pixRasterop(pix, ox + i * pitch, y, 2, dash, PIX_SET, NULL, 0, 0);
    for (int i = 0; i < n; i++) {
        int gw = fx_glyph_width(cells[i], pen);
        fx_glyph(pix, cells[i], (float)(ox + i * pitch + (pitch - gw) / 2 + 1),
                 (float)(oy + ch - 10), pen);
    }
    return pix;
}

static void seg_page_segment__dotted_dividers_field__dots_dropped(void)
{
    /* Eleven dots a divider outnumber the glyphs: the median piece was a
     * dot, the field's scale a tenth of its glyphs', and the dots were
     * read as 1s and 7s ("1 / 5 / 1 0 / 51 ..." for 06577968). Dots and
     * dashes, at 300 dpi and at an unknown dpi, cut out and on a page. */
    FxPen pen = fx_pen(24);
    const char *cells = "onxvonox";
    int dash[3] = {2, 3, 5}, gap[3] = {3, 2, 4};
    for (int k = 0; k < 3; k++) {
        PIX *pix = dotted_field(cells, dash[k], gap[k], &pen);
        check_field(pix, (int)strlen(cells), 24);
        check_on_page(pix, (int)strlen(cells));
        pixDestroy(&pix);
    }
}

static void seg_page_segment__dotted_dividers_broken_by_writing__one_line(
    void)
{
    /* Writing that touches a divider takes a dash into its piece and
     * leaves the divider's other dashes too few for a rule of dots alone:
     * as many dashes as glyphs, the median piece fell halfway between
     * the two, the field was no crop but a page, and its dashes lines of
     * their own (ten digits read as thirty). Here two of the nine
     * dividers lost their second dash; 1 and 2 px wide dashes. */
    FxPen pen = fx_pen(24);
    const char *cells = "onxvonox";
    int n = (int)strlen(cells);
    for (int w = 1; w <= 2; w++) {
        PIX *pix = dotted_field(cells, 5, 5, &pen);
        if (w == 1) /* 1 px wide dashes: clear their right column */
            for (int i = 0; i <= n; i++)
                pixRasterop(pix, 4 + i * 40 + 1, 0, 1, 54, PIX_CLR, NULL, 0,
                            0);
        for (int i = 1; i <= n; i += 4)
            pixRasterop(pix, 4 + i * 40, 14, 2, 5, PIX_CLR, NULL, 0, 0);
        check_field(pix, n, 24);
        pixDestroy(&pix);
    }
}

static void seg_page_segment__broken_base_rule_no_dividers__removed(void)
{
    /* A dotted field at half size: the dividers' dots are dropped as
     * dots, its base line comes out of the binariser as long dashes
     * (none half the field long: no rule for the opening) with the
     * digits standing on them. The rule's rows were taken out only with
     * dividers: each dash joined the digits on it into one glyph. */
    FxPen pen = fx_pen(24);
    const char *cells = "onxvonox";
    int n = (int)strlen(cells), pitch = 40, ch = 50, ox = 4, oy = 4;
    PIX *pix = pixCreate(n * pitch + 12, ch + 12, 1);
    for (int x = ox; x < ox + n * pitch; x += 70)
        pixRasterop(pix, x, oy + ch, 62, 2, PIX_SET, NULL, 0, 0);
    for (int i = 0; i < n; i++) {
        int gw = fx_glyph_width(cells[i], &pen);
        fx_glyph(pix, cells[i], (float)(ox + i * pitch + (pitch - gw) / 2 + 1),
                 (float)(oy + ch), &pen);
    }
    check_field(pix, n, 24);
    pixDestroy(&pix);
}

static void seg_page_segment__dotted_divider_part_solid__dropped(void)
{
    /* At half size the dots of a divider blur into strokes: part of a
     * column solid (a 1 px line, read as 1 between two digits), a
     * divider solid over most of its height where the dividers beside
     * it stayed dots. Both go with the dotted rules around them. */
    FxPen pen = fx_pen(24);
    const char *cells = "onxvonox";
    int n = (int)strlen(cells);
    for (int k = 0; k < 2; k++) {
        PIX *pix = dotted_field(cells, 2, 3, &pen);
        if (k == 0) /* the upper half of the third divider */
            pixRasterop(pix, 4 + 2 * 40, 4, 2, 25, PIX_SET, NULL, 0, 0);
        else { /* the fifth divider, dots gone, one stroke 30 px */
            pixRasterop(pix, 4 + 4 * 40, 0, 2, 60, PIX_CLR, NULL, 0, 0);
            pixRasterop(pix, 4 + 4 * 40, 10, 2, 30, PIX_SET, NULL, 0, 0);
        }
        check_field(pix, n, 24);
        pixDestroy(&pix);
    }
}

static void seg__dotted_drop__strokes_going_on_down_dots__dropped(void)
{
    /* Where a dotted divider's dots blurred into a stroke, the stroke
     * goes on down the column from the dots: a thin one of any length
     * and a short blot a little wider (the last dots run together) are
     * the rule's in a crop; a pen-wide stroke there is writing. On a
     * page (crop 0) only the dots go. */
    for (int crop = 0; crop < 2; crop++) {
        PIX *pix = pixCreate(200, 100, 1);
        for (int c = 0; c < 3; c++)
            for (int y = 10; y < 40; y += 5)
                pixRasterop(pix, 20 + 60 * c, y, 2, 2, PIX_SET, NULL, 0, 0);
        pixRasterop(pix, 20, 44, 2, 40, PIX_SET, NULL, 0, 0);  /* thin */
        pixRasterop(pix, 79, 44, 4, 14, PIX_SET, NULL, 0, 0);  /* blot */
        pixRasterop(pix, 138, 44, 6, 40, PIX_SET, NULL, 0, 0); /* a pen's */
        SegPieces ps = {0};
        CHECK(seg__pieces_from_pix(pix, &ps) == 0);
        CHECK(seg__dotted_drop(&ps, 24.0f, crop, NULL, NULL) > 0);
        int thin = 0, blot = 0, pen = 0, dots = 0;
        for (int i = 0; i < ps.n; i++) {
            const SegBox *b = &ps.v[i].box;
            int gone = (ps.v[i].flags & SEG__DEAD) != 0;
            if (b->h == 2)
                dots += gone;
            else if (b->x == 20)
                thin = gone;
            else if (b->x == 79)
                blot = gone;
            else
                pen = gone;
        }
        CHECK(dots == 18);
        if (!(thin == crop && blot == crop && !pen))
            printf("  crop %d: thin %d blot %d pen %d dots %d\n", crop, thin,
                   blot, pen, dots);
        CHECK(thin == crop && blot == crop && !pen);
        seg__pieces_cleanup(&ps);
        pixDestroy(&pix);
    }
}

int main(void)
{
    RUN(seg_page_segment__boxed_field__box_removed_strokes_kept);
    RUN(seg_page_segment__furniture_off__box_edges_are_glyphs);
    RUN(seg_page_segment__underlined_words__underline_removed);
    RUN(seg_page_segment__comb_field__ticks_removed);
    RUN(seg_page_segment__tall_comb_ticks_beside_small_print__removed);
    RUN(seg_page_segment__stems_on_underline__not_a_comb);
    RUN(seg_page_segment__table_grid__cells_read);
    RUN(seg_page_segment__faint_broken_furniture__removed);
    RUN(seg_page_segment__comb_ticks_under_wide_glyphs__removed);
    RUN(seg_page_segment__boxed_field_crop__dividers_removed);
    RUN(seg_page_segment__boxed_field_one_piece__dividers_removed);
    RUN(seg_page_segment__field_cut_inside_box__dividers_removed);
    RUN(seg_page_segment__comb_field_crop__ticks_removed);
    RUN(seg_page_segment__comb_rule_in_odd_last_row__removed);
    RUN(seg_page_segment__boxed_field_glyph_in_two_pieces__one_glyph);
    RUN(seg_page_segment__comb_field_glyph_in_two_pieces__one_glyph);
    RUN(seg_page_segment__two_characters_in_one_cell__kept_two);
    RUN(seg_page_segment__comb_crop_stems_across_rule__ticks_removed);
    RUN(seg_page_segment__short_open_box_crop__box_removed);
    RUN(seg_page_segment__open_box_glyphs_close__kept_apart);
    RUN(seg_page_segment__box_side_soft_edge__no_sliver);
    RUN(seg_page_segment__trimmed_upright_stems__kept);
    RUN(seg_page_segment__boxed_field_with_margin__dividers_removed);
    RUN(seg_page_segment__boxed_field_on_page__dividers_removed);
    RUN(seg_page_segment__boxed_field_on_page_glyph_in_two__one_glyph);
    RUN(seg_page_segment__open_box_on_page__sides_removed);
    RUN(seg_page_segment__box_side_wider_below_on_page__no_sliver);
    RUN(seg_page_segment__ruled_lines_tall_letters__kept);
    RUN(seg_page_segment__tilted_box_beside_small_print__no_dashes);
    RUN(seg_page_segment__checkbox_squares__dropped_marks_kept);
    RUN(seg_page_segment__flat_letter_tops_beside_a_box__kept);
    RUN(seg_page_segment__tall_letter_just_above_box_bottom__kept);
    RUN(seg_page_segment__comb_cells_wider_than_print__one_word);
    RUN(seg_page_segment__comb_ticks_about_box_side_length__all_removed);
    RUN(seg_page_segment__dotted_dividers_field__dots_dropped);
    RUN(seg_page_segment__dotted_dividers_broken_by_writing__one_line);
    RUN(seg_page_segment__broken_base_rule_no_dividers__removed);
    RUN(seg_page_segment__dotted_divider_part_solid__dropped);
    RUN(seg__dotted_drop__strokes_going_on_down_dots__dropped);
    TEST_EXIT();
}
