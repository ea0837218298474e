/* test_seg_glyphs.c - glyphs from components: i/j dots, specks, broken and
 * touching characters, word breaks, glyph masks (segment/seg_glyphs.c). */
#include "common/err.h"
#include "segment/segment.h"
#include "segment/seg_internal.h" /* white-box: components */
#include "tests/unit/seg_fixture.h"
#include "tests/unit/test.h"

#include <stdlib.h>

static SegPage *seg_opt(PIX *pix, int dpi, const SegOptions *opt)
{
    SegPage *p = seg_page_segment(pix, dpi, opt);
    if (!p)
        printf("  seg_page_segment: %s\n", err_get());
    return p;
}

static int n_glyphs(const SegPage *page)
{
    int n = 0;
    seg_page_get_glyphs(page, &n);
    return n;
}

static int n_words(const SegPage *page)
{
    int n = 0;
    seg_page_get_words(page, &n);
    return n;
}

static void seg_page_segment__i_dots__merged_into_stems(void)
{
    FxPen pen = fx_pen(30);
    PIX *pix = pixCreate(900, 300, 1);
    const char *l1 = "nix iii oil", *l2 = "lii ixi vin";
    fx_text(pix, l1, 50, 100, &pen, 0);
    fx_text(pix, l2, 50, 210, &pen, 0);
    int dots = 0;
    for (const char *c = l1; *c; c++)
        dots += *c == 'i';
    for (const char *c = l2; *c; c++)
        dots += *c == 'i';
    SegPage *page = seg_opt(pix, 300, NULL);
    CHECK(page != NULL);
    if (page) {
        CHECK(n_glyphs(page) == fx_count_glyphs(l1) + fx_count_glyphs(l2));
        CHECK(n_words(page) == fx_count_words(l1) + fx_count_words(l2));
        CHECK(seg_page_get_stats(page)->n_dots_merged == dots);
        /* every glyph of x-height or less in its box top: the i's boxes
         * reach up to their dots */
        int ng;
        const SegGlyph *g = seg_page_get_glyphs(page, &ng);
        int tall = 0;
        for (int i = 0; i < ng; i++)
            tall += g[i].box.h > 40 && g[i].box.w < 10; /* i with dot, l */
        CHECK(tall == dots + 2); /* two l's */
        if (test_case_failed)
            fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__specks__dropped(void)
{
    FxPen pen = fx_pen(30);
    PIX *pix = pixCreate(900, 300, 1);
    const char *l1 = "nox lov", *l2 = "Hon vix";
    fx_text(pix, l1, 50, 100, &pen, 0);
    fx_text(pix, l2, 50, 210, &pen, 0);
    /* 200 specks of 1..2 px anywhere (some touch glyphs: harmless) */
    fx_seed = 7;
    for (int i = 0; i < 200; i++) {
        int x = (int)(fx_rand() % 900), y = (int)(fx_rand() % 300);
        int s = 1 + (int)(fx_rand() % 2);
        pixRasterop(pix, x, y, s, s, PIX_SET, NULL, 0, 0);
    }
    SegPage *page = seg_opt(pix, 300, NULL);
    CHECK(page != NULL);
    if (page) {
        int nl;
        seg_page_get_lines(page, &nl);
        CHECK(nl == 2);
        CHECK(n_glyphs(page) == fx_count_glyphs(l1) + fx_count_glyphs(l2));
        CHECK(seg_page_get_stats(page)->n_specks >= 150);
        if (test_case_failed)
            fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__broken_strokes__merged(void)
{
    /* Light pencil: every second glyph loses a 2 px band somewhere in its
     * x-height, so it falls into two pieces that overlap horizontally. */
    FxPen pen = fx_pen(30);
    PIX *pix = pixCreate(900, 200, 1);
    const char *text = "nHl onx lHn";
    float x = 50;
    int k = 0, broken = 0;
    for (const char *c = text; *c; c++) {
        if (*c == ' ') {
            x += pen.word_gap - pen.gap;
            continue;
        }
        fx_glyph(pix, *c, x, 120, &pen);
        int w = fx_glyph_width(*c, &pen);
        if (k++ % 2 == 0) {
            /* a band across the lower x-height, below the n's arch */
            int row = 120 - 8 - (k * 3) % 8;
            pixRasterop(pix, (int)x - 1, row, w + 2, 2, PIX_CLR, NULL, 0, 0);
            broken++;
        }
        x += w + pen.gap;
    }
    BOXA *cc = pixConnCompBB(pix, 8);
    int ncc = boxaGetCount(cc);
    boxaDestroy(&cc);
    CHECK(ncc >= fx_count_glyphs(text) + broken); /* the fixture is broken */
    SegPage *page = seg_opt(pix, 300, NULL);
    CHECK(page != NULL);
    if (page) {
        CHECK(n_glyphs(page) == fx_count_glyphs(text));
        CHECK(n_words(page) == fx_count_words(text));
        CHECK(seg_page_get_stats(page)->n_fragments_merged ==
              ncc - fx_count_glyphs(text));
        if (test_case_failed)
            fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

/* Words written with touching letters: gap = -stroke (they overlap). */
static PIX *touching_page(const char **words, int n, int *pexpect)
{
    FxPen pen = fx_pen(30);
    PIX *pix = pixCreate(1200, 200, 1);
    int x = 50;
    *pexpect = 0;
    for (int i = 0; i < n; i++) {
        FxPen tp = pen;
        tp.gap = (i % 2) ? -pen.stroke : pen.gap; /* odd words touch */
        x = fx_text(pix, words[i], x, 120, &tp, 0) + 40;
        *pexpect += fx_count_glyphs(words[i]);
    }
    return pix;
}

static void seg_page_segment__touching_glyphs__split(void)
{
    const char *words[6] = {"nox", "oo", "von", "xox", "nov", "noon"};
    int expect;
    PIX *pix = touching_page(words, 6, &expect);
    BOXA *cc = pixConnCompBB(pix, 8);
    int ncc = boxaGetCount(cc);
    boxaDestroy(&cc);
    CHECK(ncc < expect); /* the fixture really touches */
    SegPage *page = seg_opt(pix, 300, NULL);
    CHECK(page != NULL);
    if (page) {
        CHECK(n_glyphs(page) == expect);
        CHECK(n_words(page) == 6);
        CHECK(seg_page_get_stats(page)->n_splits == expect - ncc);
        if (test_case_failed)
            fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

/* A scorer that knows the fixture: a piece is a good glyph when its width
 * is that of one letter (0.7 xh = 21 px here). */
static int score_calls;
static float width_score(void *ctx, const unsigned char *mask, int w, int h)
{
    (void)mask;
    (void)h;
    score_calls++;
    float want = *(const float *)ctx;
    float d = fabsf((float)w - want) / want;
    return d > 1 ? 0.0f : 1.0f - d;
}

static void seg_page_segment__touching_with_scorer__scorer_used(void)
{
    const char *words[4] = {"nox", "oo", "von", "ovo"};
    int expect;
    PIX *pix = touching_page(words, 4, &expect);
    SegOptions opt;
    seg_options_init(&opt);
    float want = 21.0f;
    opt.score = width_score;
    opt.score_ctx = &want;
    score_calls = 0;
    SegPage *page = seg_opt(pix, 300, &opt);
    CHECK(page != NULL);
    if (page) {
        CHECK(n_glyphs(page) == expect);
        CHECK(score_calls > 0);
        if (test_case_failed)
            fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__wide_zero__not_cut_through_its_counter(void)
{
    /* A wide 0 (56 x 44 px, twice a letter's width) among letters, and a
     * scorer that likes letter-wide parts: cutting the 0 in two would
     * score better, but it would split its counter and leave two hooks
     * (read as "C7" or "17"). The touching "oo" beside it is still cut. */
    FxPen pen = fx_pen(30);
    PIX *pix = pixCreate(1000, 200, 1);
    int x = fx_text(pix, "nox nov", 50, 120, &pen, 0) + 40;
    fx_ellipse(pix, (float)x + 28, 120 - 22.5f, 27, 21, pen.stroke);
    x += 56 + 40;
    FxPen tp = pen;
    tp.gap = -pen.stroke;
    fx_text(pix, "oo", x, 120, &tp, 0);
    SegOptions opt;
    seg_options_init(&opt);
    float want = 21.0f;
    opt.score = width_score;
    opt.score_ctx = &want;
    SegPage *page = seg_opt(pix, 300, &opt);
    CHECK(page != NULL);
    if (page) {
        CHECK(n_glyphs(page) == 6 + 1 + 2);
        CHECK(n_words(page) == 4);
        /* one glyph holds the whole 0 */
        int ng, whole = 0;
        const SegGlyph *g = seg_page_get_glyphs(page, &ng);
        for (int i = 0; i < ng; i++)
            if (g[i].box.w >= 54 && g[i].box.h >= 42)
                whole++;
        CHECK(whole == 1);
        if (test_case_failed)
            fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__wide_letter_beside_small_print__not_cut(void)
{
    /* A form card: many lines of small print (x-height 16) and one short
     * written value over twice that size (x-height 40) with a wide letter in
     * it (41 x 33 px, an open 4 or a round o). Too few glyphs for a width
     * of its own, the line took the page's: the labels' letter width, a
     * quarter of the letter's, and the letter was cut in pieces ("RA4492"
     * read "RALfalh92"). Widths go by the line's x-height. */
    FxPen small = fx_pen(16), big = fx_pen(40);
    PIX *pix = pixCreate(900, 520, 1);
    for (int k = 0; k < 8; k++)
        fx_text(pix, "nox von xon", 40, 40 + 36 * k, &small, 0);
    int x = fx_text(pix, "nx", 60, 440, &big, 0) + 16;
    fx_ellipse(pix, (float)x + 20, 440 - 17.0f, 18, 14, big.stroke);
    fx_text(pix, "v", x + 40 + 16, 440, &big, 0);
    SegPage *page = seg_opt(pix, 300, NULL);
    CHECK(page != NULL);
    if (page) {
        int ng, big_line = 0, whole = 0;
        const SegGlyph *g = seg_page_get_glyphs(page, &ng);
        for (int i = 0; i < ng; i++) {
            big_line += g[i].box.y > 370;
            whole += g[i].box.y > 370 && g[i].box.w >= 40;
        }
        CHECK(big_line == 4);
        CHECK(whole == 1);
        if (test_case_failed)
            fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__split_off__touching_kept_whole(void)
{
    const char *words[2] = {"nox", "oo"};
    int expect;
    PIX *pix = touching_page(words, 2, &expect);
    SegOptions opt;
    seg_options_init(&opt);
    opt.split_touching = 0;
    SegPage *page = seg_opt(pix, 300, &opt);
    CHECK(page != NULL);
    if (page) {
        CHECK(n_glyphs(page) == expect - 1);
        CHECK(seg_page_get_stats(page)->n_splits == 0);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

/* Three lines of words; letter and word gaps in x-heights. */
static void check_words(float letter_gap, float word_gap)
{
    FxPen pen = fx_pen(30);
    pen.gap = (int)lrintf(letter_gap * pen.xh);
    pen.word_gap = (int)lrintf(word_gap * pen.xh);
    PIX *pix = pixCreate(1400, 400, 1);
    const char *text[3] = {"nox lov xon vol", "ovon xo lonx", "oxo nov lox von"};
    int words = 0;
    for (int i = 0; i < 3; i++) {
        fx_text(pix, text[i], 40, 100 + 110 * i, &pen, 0);
        words += fx_count_words(text[i]);
    }
    SegPage *page = seg_opt(pix, 300, NULL);
    CHECK(page != NULL);
    if (page) {
        int nl;
        const SegLine *l = seg_page_get_lines(page, &nl);
        CHECK(nl == 3);
        CHECK(n_words(page) == words);
        for (int i = 0; i < nl && i < 3; i++)
            CHECK(l[i].n_words == fx_count_words(text[i]));
        if (test_case_failed) {
            printf("  letter gap %.2f xh, word gap %.2f xh\n",
                   (double)letter_gap, (double)word_gap);
            fx_dump(page);
        }
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__tight_writer__words_found(void)
{
    check_words(0.07f, 0.45f);
}

static void seg_page_segment__loose_writer__words_found(void)
{
    check_words(0.4f, 1.6f);
}

static void seg_page_segment__single_word_lines__not_split(void)
{
    /* Loose letters but one word per line: no break inside a word. */
    FxPen pen = fx_pen(30);
    pen.gap = 12;
    PIX *pix = pixCreate(900, 400, 1);
    const char *text[3] = {"novox", "lonxo", "voxno"};
    for (int i = 0; i < 3; i++)
        fx_text(pix, text[i], 40, 100 + 110 * i, &pen, 0);
    SegPage *page = seg_opt(pix, 300, NULL);
    CHECK(page != NULL);
    if (page) {
        CHECK(n_words(page) == 3);
        if (test_case_failed)
            fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__one_wide_gap_in_line__words_still_split(void)
{
    /* A mark, a wide gap, then tightly set words (a checkbox's cross
     * before its label): the wide gap took the line's split between
     * letter and word gaps, and the label's words were read as one. */
    FxPen pen = fx_pen(30);
    pen.gap = 2;
    pen.word_gap = 14; /* 0.45 xh */
    PIX *pix = pixCreate(1400, 400, 1);
    const char *text = "nox lov xon vol";
    for (int i = 0; i < 3; i++) {
        int e = fx_text(pix, "x", 40, 100 + 110 * i, &pen, 0);
        fx_text(pix, text, e + 75, 100 + 110 * i, &pen, 0); /* 2.5 xh */
    }
    SegPage *page = seg_opt(pix, 300, NULL);
    CHECK(page != NULL);
    if (page) {
        int nl;
        const SegLine *l = seg_page_get_lines(page, &nl);
        CHECK(nl == 3);
        for (int i = 0; i < nl && i < 3; i++)
            CHECK(l[i].n_words == 1 + fx_count_words(text));
        if (test_case_failed)
            fx_dump(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_segment__word_gap_option__fixed_threshold(void)
{
    FxPen pen = fx_pen(30);
    pen.gap = 9;       /* 0.3 xh */
    pen.word_gap = 30; /* 1.0 xh */
    PIX *pix = pixCreate(900, 200, 1);
    fx_text(pix, "nox lov xon", 40, 100, &pen, 0);
    SegOptions opt;
    seg_options_init(&opt);
    opt.word_gap = 0.2f; /* every letter gap breaks */
    SegPage *page = seg_opt(pix, 300, &opt);
    CHECK(page != NULL);
    if (page)
        CHECK(n_words(page) == 9);
    seg_page_destroy(&page);
    opt.word_gap = 2.0f; /* nothing breaks */
    page = seg_opt(pix, 300, &opt);
    CHECK(page != NULL);
    if (page)
        CHECK(n_words(page) == 1);
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_get_glyph_mask__neighbour_intrudes__own_pixels_only(void)
{
    /* A slanted stroke of the next glyph reaches under the previous one's
     * box: its mask must not show it. */
    PIX *pix = pixCreate(400, 200, 1);
    FxPen pen = fx_pen(30);
    int x = fx_text(pix, "nov", 40, 100, &pen, 0); /* v ends at x */
    fx_glyph(pix, 'o', (float)(x + 10), 100, &pen);
    /* a tail from the o back into the empty lower-right corner of the v */
    fx_line(pix, (float)(x + 20), 98, (float)(x - 3), 98, 2);
    BOXA *cc = pixConnCompBB(pix, 8);
    CHECK(boxaGetCount(cc) == 4); /* the tail touches nothing of the v */
    boxaDestroy(&cc);
    SegPage *page = seg_opt(pix, 300, NULL);
    CHECK(page != NULL);
    if (page) {
        int ng;
        const SegGlyph *g = seg_page_get_glyphs(page, &ng);
        CHECK(ng == 4);
        for (int i = 0; i < ng; i++) {
            const unsigned char *m = seg_page_get_glyph_mask(page, i);
            int own = 0, in_box = 0;
            for (int k = 0; k < g[i].box.w * g[i].box.h; k++)
                own += m[k];
            BOX *b = boxCreate(g[i].box.x, g[i].box.y, g[i].box.w,
                               g[i].box.h);
            pixCountPixelsInRect(pix, b, &in_box, NULL);
            boxDestroy(&b);
            CHECK(own > 0 && own <= in_box);
            /* every mask pixel is ink on the page */
            int stray = 0;
            for (int y = 0; y < g[i].box.h; y++)
                for (int x = 0; x < g[i].box.w; x++) {
                    l_uint32 v;
                    pixGetPixel(pix, g[i].box.x + x, g[i].box.y + y, &v);
                    stray += m[y * g[i].box.w + x] && !v;
                }
            CHECK(stray == 0);
        }
        /* the x's box holds part of the tail, its mask does not */
        if (ng == 4) {
            const unsigned char *m = seg_page_get_glyph_mask(page, 2);
            int own = 0, in_box = 0;
            for (int k = 0; k < g[2].box.w * g[2].box.h; k++)
                own += m[k];
            BOX *b = boxCreate(g[2].box.x, g[2].box.y, g[2].box.w, g[2].box.h);
            pixCountPixelsInRect(pix, b, &in_box, NULL);
            boxDestroy(&b);
            CHECK(own < in_box);
        }
        CHECK(seg_page_get_glyph_mask(page, -1) == NULL);
        CHECK(seg_page_get_glyph_mask(page, ng) == NULL);
        if (test_case_failed)
            fx_dump_glyphs(page);
    }
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static int cmp_box(const void *a, const void *b)
{
    const int *p = a, *q = b;
    for (int i = 0; i < 5; i++)
        if (p[i] != q[i])
            return (p[i] > q[i]) - (p[i] < q[i]);
    return 0;
}

static void seg__pieces_from_pix__random_page__same_as_leptonica(void)
{
    /* Random strokes, blobs and single pixels, including runs that touch
     * only diagonally and ink in the last column and the word padding. */
    PIX *pix = pixCreate(1001, 700, 1);
    fx_seed = 4242;
    for (int i = 0; i < 400; i++) {
        int x = (int)(fx_rand() % 1001), y = (int)(fx_rand() % 700);
        int k = (int)(fx_rand() % 3);
        if (k == 0)
            fx_line(pix, (float)x, (float)y, (float)(x + (int)(fx_rand() % 80) - 40),
                    (float)(y + (int)(fx_rand() % 80) - 40), 1 + (int)(fx_rand() % 3));
        else if (k == 1)
            pixRasterop(pix, x, y, 1 + (int)(fx_rand() % 9), 1 + (int)(fx_rand() % 9),
                        PIX_SET, NULL, 0, 0);
        else
            pixSetPixel(pix, x, y, 1);
    }
    for (int y = 0; y < 700; y += 7)
        pixSetPixel(pix, 1000, y, 1);
    SegPieces ps = {0};
    CHECK(seg__pieces_from_pix(pix, &ps) == 0);
    PIXA *pixa = NULL;
    BOXA *boxa = pixConnComp(pix, &pixa, 8);
    int n = boxaGetCount(boxa);
    CHECK(ps.n == n);
    if (ps.n == n) {
        /* same boxes and areas (order may differ) */
        int *a = malloc((size_t)n * 5 * sizeof *a), *b = malloc((size_t)n * 5 * sizeof *b);
        for (int i = 0; i < n; i++) {
            l_int32 x, y, w, h, cnt;
            boxaGetBoxGeometry(boxa, i, &x, &y, &w, &h);
            PIX *c = pixaGetPix(pixa, i, L_CLONE);
            pixCountPixels(c, &cnt, NULL);
            pixDestroy(&c);
            int va[5] = {x, y, w, h, cnt};
            int vb[5] = {ps.v[i].box.x, ps.v[i].box.y, ps.v[i].box.w, ps.v[i].box.h,
                         ps.v[i].area};
            memcpy(a + 5 * i, va, sizeof va);
            memcpy(b + 5 * i, vb, sizeof vb);
        }
        qsort(a, (size_t)n, 5 * sizeof *a, cmp_box);
        qsort(b, (size_t)n, 5 * sizeof *b, cmp_box);
        CHECK(memcmp(a, b, (size_t)n * 5 * sizeof *a) == 0);
        free(a);
        free(b);
        /* masks hold exactly the component's pixels */
        int mask_sum_ok = 1;
        for (int i = 0; i < ps.n; i++) {
            int s = 0;
            for (int k = 0; k < ps.v[i].box.w * ps.v[i].box.h; k++)
                s += ps.v[i].mask[k];
            mask_sum_ok &= s == ps.v[i].area;
        }
        CHECK(mask_sum_ok);
    }
    boxaDestroy(&boxa);
    pixaDestroy(&pixa);
    seg__pieces_cleanup(&ps);
    pixDestroy(&pix);
}

int main(void)
{
    RUN(seg__pieces_from_pix__random_page__same_as_leptonica);
    RUN(seg_page_segment__i_dots__merged_into_stems);
    RUN(seg_page_segment__specks__dropped);
    RUN(seg_page_segment__broken_strokes__merged);
    RUN(seg_page_segment__touching_glyphs__split);
    RUN(seg_page_segment__touching_with_scorer__scorer_used);
    RUN(seg_page_segment__wide_letter_beside_small_print__not_cut);
    RUN(seg_page_segment__split_off__touching_kept_whole);
    RUN(seg_page_segment__wide_zero__not_cut_through_its_counter);
    RUN(seg_page_segment__tight_writer__words_found);
    RUN(seg_page_segment__loose_writer__words_found);
    RUN(seg_page_segment__single_word_lines__not_split);
    RUN(seg_page_segment__one_wide_gap_in_line__words_still_split);
    RUN(seg_page_segment__word_gap_option__fixed_threshold);
    RUN(seg_page_get_glyph_mask__neighbour_intrudes__own_pixels_only);
    TEST_EXIT();
}
