/* test_seg_lines.c - lines, baselines, x-height, reading order, dpi
 * estimate, blank and black pages (segment/seg_lines.c, seg_page.c). */
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

/* Count the glyphs of line i of a page. */
static int line_glyphs(const SegPage *page, int i)
{
    int nl, nw;
    const SegLine *l = seg_page_get_lines(page, &nl);
    const SegWord *w = seg_page_get_words(page, &nw);
    int n = 0;
    for (int k = l[i].first_word; k < l[i].first_word + l[i].n_words; k++)
        n += w[k].n_glyphs;
    return n;
}

static void seg_page_segment__three_lines__lines_in_order(void)
{
    const char *text[3] = {"nox lov", "xxon vol ox", "HoH nix"};
    FxPen pen = fx_pen(30);
    PIX *pix = pixCreate(900, 400, 1);
    for (int i = 0; i < 3; i++)
        fx_text(pix, text[i], 60, 90 + 100 * i, &pen, 0);
    SegPage *page = seg(pix, 300);
    CHECK(page != NULL);
    if (page) {
        int nl;
        const SegLine *l = seg_page_get_lines(page, &nl);
        CHECK(nl == 3);
        for (int i = 0; i < nl && i < 3; i++) {
            CHECK(line_glyphs(page, i) == fx_count_glyphs(text[i]));
            CHECK(l[i].n_words == fx_count_words(text[i]));
            CHECK_NEAR(l[i].baseline_y, 90 + 100 * i, 2.5);
            CHECK_NEAR(l[i].baseline_slope, 0, 0.01);
            CHECK(l[i].block == 0);
        }
        if (nl == 3)
            CHECK(l[0].box.y < l[1].box.y && l[1].box.y < l[2].box.y);
        if (test_case_failed)
            fx_dump(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__ascenders_and_capitals__xheight_and_cap(void)
{
    FxPen pen = fx_pen(30);
    PIX *pix = pixCreate(900, 200, 1);
    const char *text = "nol Hox lon ovH";
    fx_text(pix, text, 40, 120, &pen, 0);
    SegPage *page = seg(pix, 300);
    CHECK(page != NULL);
    if (page) {
        int nl;
        const SegLine *l = seg_page_get_lines(page, &nl);
        CHECK(nl == 1);
        if (nl == 1) {
            CHECK_NEAR(l[0].x_height, 30, 3);
            CHECK_NEAR(l[0].cap_height, 45, 4); /* H is 1.5 xh */
        }
        if (test_case_failed)
            fx_dump(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__touching_ascenders_descenders__separated(void)
{
    /* Line 1 has descenders (p), line 2 ascenders (l) right below them; the
     * line pitch is chosen so that each p tail overlaps an l top. */
    FxPen pen = fx_pen(30);
    PIX *pix = pixCreate(800, 260, 1);
    const char *l1 = "pop nop pop", *l2 = "lol lnl lol";
    int b1 = 80, b2 = b1 + 66; /* p tail ends ~b1+19, l top ~b2-49 */
    fx_text(pix, l1, 40, b1, &pen, 0);
    fx_text(pix, l2, 40, b2, &pen, 0);
    /* Check the fixture: the lines really touch (fewer components than
     * glyphs). */
    BOXA *cc = pixConnCompBB(pix, 8);
    int ncc = boxaGetCount(cc);
    boxaDestroy(&cc);
    CHECK(ncc < fx_count_glyphs(l1) + fx_count_glyphs(l2));
    SegPage *page = seg(pix, 300);
    CHECK(page != NULL);
    if (page) {
        int nl;
        seg_page_get_lines(page, &nl);
        CHECK(nl == 2);
        if (nl == 2) {
            CHECK(line_glyphs(page, 0) == fx_count_glyphs(l1));
            CHECK(line_glyphs(page, 1) == fx_count_glyphs(l2));
        }
        CHECK(seg_page_get_stats(page)->n_bridges_cut >= 1);
        if (test_case_failed)
            fx_dump(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__sloping_and_curved_lines__followed(void)
{
    FxPen pen = fx_pen(28);
    PIX *pix = pixCreate(1200, 500, 1);
    const char *text = "nox vol xon lov nox von";
    pen.slope = 0.035f; /* 2 degrees, not deskewed */
    int end = fx_text(pix, text, 40, 100, &pen, 0);
    pen.slope = 0;
    pen.curve = 14; /* bows down by half an x-height mid-line */
    fx_text(pix, text, 40, 230, &pen, end - 40);
    pen.curve = -14;
    fx_text(pix, text, 40, 370, &pen, end - 40);
    SegPage *page = seg(pix, 300);
    CHECK(page != NULL);
    if (page) {
        int nl;
        const SegLine *l = seg_page_get_lines(page, &nl);
        CHECK(nl == 3);
        for (int i = 0; i < nl && i < 3; i++)
            CHECK(line_glyphs(page, i) == fx_count_glyphs(text));
        if (nl >= 1)
            CHECK_NEAR(l[0].baseline_slope, 0.035, 0.006);
        if (test_case_failed)
            fx_dump(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__two_columns__left_column_first(void)
{
    FxPen pen = fx_pen(26);
    PIX *pix = pixCreate(1000, 500, 1);
    const char *left[4] = {"nox lov", "ovon xo", "lox nov", "von lo"};
    const char *right[3] = {"HH xo", "ooo nn", "vvx lo"};
    for (int i = 0; i < 4; i++)
        fx_text(pix, left[i], 40, 80 + 90 * i, &pen, 0);
    /* right column lines sit between the left ones: no shared rows */
    for (int i = 0; i < 3; i++)
        fx_text(pix, right[i], 560, 120 + 110 * i, &pen, 0);
    SegPage *page = seg(pix, 300);
    CHECK(page != NULL);
    if (page) {
        int nl;
        const SegLine *l = seg_page_get_lines(page, &nl);
        CHECK(nl == 7);
        for (int i = 0; i < nl && i < 7; i++) {
            int is_left = i < 4;
            CHECK(is_left ? l[i].box.x < 500 : l[i].box.x > 500);
            CHECK(line_glyphs(page, i) ==
                  fx_count_glyphs(is_left ? left[i] : right[i - 4]));
        }
        if (nl == 7) {
            CHECK(l[0].block == l[3].block);
            CHECK(l[4].block == l[6].block);
            CHECK(l[0].block < l[4].block);
        }
        if (test_case_failed)
            fx_dump(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__wide_gap_in_one_line__one_line(void)
{
    /* A single column where one line has a gap of 4 glyph heights: the two
     * parts are one line, read left to right. */
    FxPen pen = fx_pen(26);
    PIX *pix = pixCreate(1000, 400, 1);
    fx_text(pix, "nox lov xon vol nox lov", 40, 80, &pen, 0);
    int e = fx_text(pix, "nox", 40, 170, &pen, 0);
    fx_text(pix, "lov", e + 4 * 40, 170, &pen, 0);
    fx_text(pix, "nox lov xon vol nox lov", 40, 260, &pen, 0);
    SegPage *page = seg(pix, 300);
    CHECK(page != NULL);
    if (page) {
        int nl;
        seg_page_get_lines(page, &nl);
        CHECK(nl == 3);
        if (nl == 3)
            CHECK(line_glyphs(page, 1) == 6);
        if (test_case_failed)
            fx_dump(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__blank_page__no_lines(void)
{
    PIX *pix = pixCreate(2480 / 4, 3508 / 4, 1);
    SegPage *page = seg(pix, 75);
    CHECK(page != NULL);
    if (page) {
        int nl, ng;
        seg_page_get_lines(page, &nl);
        seg_page_get_glyphs(page, &ng);
        CHECK(nl == 0);
        CHECK(ng == 0);
        CHECK(seg_page_get_glyph_mask(page, 0) == NULL);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__all_black_page__no_crash(void)
{
    PIX *pix = pixCreate(600, 800, 1);
    pixSetAll(pix);
    SegPage *page = seg(pix, 0);
    CHECK(page != NULL);
    if (page) {
        int ng;
        seg_page_get_glyphs(page, &ng);
        CHECK(ng <= 1);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__grey_page__error(void)
{
    PIX *pix = pixCreate(100, 100, 8);
    err_clear();
    SegPage *page = seg_page_segment(pix, 300, NULL);
    CHECK(page == NULL);
    CHECK(strstr(err_get(), "1 bpp") != NULL);
    pixDestroy(&pix);
}

/* Build a page "scanned" at dpi: glyph x-height 2.6 mm, capitals and
 * ascenders taller, so the median height is the 3.5 mm the estimate
 * assumes only roughly. */
static void check_dpi_estimate(int dpi)
{
    float px_mm = dpi / 25.4f;
    FxPen pen = fx_pen((int)lrintf(2.6f * px_mm));
    int W = (int)(180 * px_mm), H = (int)(80 * px_mm);
    PIX *pix = pixCreate(W, H, 1);
    const char *text[4] = {"Hol lon Hix", "nox Hil lov", "lHl nov Hol",
                           "loH Hin lol"};
    for (int i = 0; i < 4; i++)
        fx_text(pix, text[i], (int)(10 * px_mm), (int)((15 + 15 * i) * px_mm),
                &pen, 0);
    SegPage *page = seg(pix, 0);
    CHECK(page != NULL);
    if (page) {
        int est = seg_page_get_dpi(page);
        CHECK(seg_page_get_stats(page)->dpi_estimated == 1);
        if (abs(est - dpi) > dpi / 5)
            printf("  dpi %d estimated as %d\n", dpi, est);
        CHECK(abs(est - dpi) <= dpi / 5);
        int nl;
        seg_page_get_lines(page, &nl);
        CHECK(nl == 4);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__dpi_unknown__estimated_from_glyphs(void)
{
    check_dpi_estimate(150);
    check_dpi_estimate(300);
    check_dpi_estimate(600);
}

static void seg_page_segment__dotted_line_beside_glyphs__dpi_from_glyphs(
    void)
{
    /* A field crop of four glyphs with a dotted line beside them (the
     * remnant of a form's rule): the dots outnumber the glyphs, so the
     * median piece was a dot and the dpi was estimated at the lowest
     * allowed (75), and the field was cut and read at that scale. */
    float px_mm = 300 / 25.4f;
    FxPen pen = fx_pen((int)lrintf(2.6f * px_mm));
    PIX *pix = pixCreate((int)(60 * px_mm), (int)(10 * px_mm), 1);
    fx_text(pix, "Hol n", (int)(3 * px_mm), (int)(9 * px_mm), &pen, 0);
    SegPage *clean = seg(pix, 0);
    for (int k = 0; k < 9; k++)
        fx_dot(pix, (int)(45 * px_mm), (int)(1.5f * px_mm) + 10 * k, 2);
    SegPage *dotted = seg(pix, 0);
    CHECK(clean != NULL && dotted != NULL);
    if (clean && dotted) {
        int a = seg_page_get_dpi(clean), b = seg_page_get_dpi(dotted);
        if (abs(a - b) > a / 10)
            printf("  dpi %d without the dots, %d with them\n", a, b);
        CHECK(abs(a - b) <= a / 10);
    }
    seg_page_destroy(&clean);
    seg_page_destroy(&dotted);
    pixDestroy(&pix);
}

/* The same handwriting drawn at 150, 300 and 600 dpi (x-height 2.5 mm)
 * gives the same lines, words and glyphs. */
static void seg_page_segment__150_to_600_dpi__same_structure(void)
{
    const char *text[3] = {"nox lov Hin", "pol vix", "Hoxn lo vin"};
    int dpis[3] = {150, 300, 600};
    for (int k = 0; k < 3; k++) {
        int dpi = dpis[k];
        float px_mm = dpi / 25.4f;
        FxPen pen = fx_pen((int)lrintf(2.5f * px_mm));
        PIX *pix = pixCreate((int)(120 * px_mm), (int)(50 * px_mm), 1);
        for (int i = 0; i < 3; i++)
            fx_text(pix, text[i], (int)(8 * px_mm), (int)((12 + 13 * i) * px_mm),
                    &pen, 0);
        for (int given = 0; given < 2; given++) {
            SegPage *page = seg(pix, given ? dpi : 0);
            CHECK(page != NULL);
            if (!page)
                continue;
            int nl, nw, ng;
            seg_page_get_lines(page, &nl);
            seg_page_get_words(page, &nw);
            seg_page_get_glyphs(page, &ng);
            int ok = nl == 3 &&
                     nw == fx_count_words(text[0]) + fx_count_words(text[1]) +
                               fx_count_words(text[2]) &&
                     ng == fx_count_glyphs(text[0]) + fx_count_glyphs(text[1]) +
                               fx_count_glyphs(text[2]);
            if (!ok) {
                printf("  dpi %d (%s)\n", dpi, given ? "given" : "estimated");
                fx_dump(page);
            }
            CHECK(ok);
            seg_page_destroy(&page);
        }
        pixDestroy(&pix);
    }
}

static void seg_page_segment__big_writing_among_small_print__one_line(void)
{
    /* A form page: many lines of small printed labels set the page's
     * median height; a written value three times as tall beside them was
     * taken for pieces bridging lines, and each letter that bridged none
     * made a line of its own. */
    FxPen small = fx_pen(10), big = fx_pen(32);
    PIX *pix = pixCreate(1400, 900, 1);
    for (int k = 0; k < 8; k++)
        fx_text(pix, "nox von xon vox", 40, 60 + 40 * k, &small, 0);
    const char *value = "Hollon";
    fx_text(pix, value, 500, 700, &big, 0);
    SegPage *p = seg(pix, 300);
    CHECK(p != NULL);
    if (p) {
        int nl, found = 0;
        const SegLine *l = seg_page_get_lines(p, &nl);
        for (int i = 0; i < nl; i++)
            if (l[i].box.y > 600) {
                found++;
                CHECK(line_glyphs(p, i) == 6);
            }
        CHECK(found == 1);
        if (test_case_failed)
            fx_dump_glyphs(p);
    }
    seg_page_destroy(&p);
    pixDestroy(&pix);
}

static void seg_page_segment__labels_left_of_values__row_by_row(void)
{
    /* A form: a column of small printed labels, each with its written
     * value far to its right on the same row. The gutter between them is
     * not one between columns of text: label, value, label, value. */
    FxPen small = fx_pen(10), big = fx_pen(30);
    PIX *pix = pixCreate(1200, 800, 1);
    const char *labels[3] = {"Hox nox xon", "nox lon xon", "lox nox xon"};
    const char *values[3] = {"Hollon", "nox lov", "Hox"};
    for (int i = 0; i < 3; i++) {
        fx_text(pix, labels[i], 40, 150 + 200 * i, &small, 0);
        fx_text(pix, values[i], 400, 150 + 200 * i, &big, 0);
    }
    SegPage *page = seg(pix, 300);
    CHECK(page != NULL);
    if (page) {
        int nl;
        const SegLine *l = seg_page_get_lines(page, &nl);
        CHECK(nl == 6);
        for (int i = 0; i < nl && i < 6; i++) {
            /* a label and its value: lines of their own, in row order */
            CHECK((i % 2 == 0) ? l[i].box.x < 200 : l[i].box.x > 300);
            CHECK(line_glyphs(page, i) ==
                  fx_count_glyphs(i % 2 ? values[i / 2] : labels[i / 2]));
            CHECK(i == 0 || l[i].box.y + l[i].box.h > l[i - 1].box.y);
        }
        if (test_case_failed)
            fx_dump(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

int main(void)
{
    RUN(seg_page_segment__150_to_600_dpi__same_structure);
    RUN(seg_page_segment__three_lines__lines_in_order);
    RUN(seg_page_segment__ascenders_and_capitals__xheight_and_cap);
    RUN(seg_page_segment__touching_ascenders_descenders__separated);
    RUN(seg_page_segment__sloping_and_curved_lines__followed);
    RUN(seg_page_segment__two_columns__left_column_first);
    RUN(seg_page_segment__wide_gap_in_one_line__one_line);
    RUN(seg_page_segment__blank_page__no_lines);
    RUN(seg_page_segment__all_black_page__no_crash);
    RUN(seg_page_segment__grey_page__error);
    RUN(seg_page_segment__dpi_unknown__estimated_from_glyphs);
    RUN(seg_page_segment__dotted_line_beside_glyphs__dpi_from_glyphs);
    RUN(seg_page_segment__big_writing_among_small_print__one_line);
    RUN(seg_page_segment__labels_left_of_values__row_by_row);
    TEST_EXIT();
}
