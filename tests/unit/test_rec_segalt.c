/*
 * test_rec_segalt.c - segmentation alternatives in the line decoder: a
 * split of two touching letters, a merge of a broken letter, two sure
 * narrow letters left alone, and the glyph boxes that follow the choice.
 *
 * Fixtures: masks drawn in code on a line 30 px high; a fake classifier
 * that reads a mask by its shape (a solid block is 'A', a frame is 'B',
 * two bars with a gap are 'H', one narrow bar is 'I' at sure_bar, a wide
 * blob, or two shapes joined by a one-pixel bridge, is 'M' at 0.3, a
 * frame open on one side (half a frame) is 'C' at 0.3), the rest of the
 * mass spread thin.
 */
#include "recognize/rec_segalt.h"

#include <stdlib.h>
#include <string.h>

#include "test.h"

#define H 30

static float sure_bar = 0.3f;

static void post1(float *p, char c, float v)
{
    for (int k = 0; k < REC_NCLASSES; k++)
        p[k] = (1 - v) / (REC_NCLASSES - 1);
    p[rec_class_of_char(c)] = v;
}

/* The fake classifier's reading of one mask. */
static void read_mask(const unsigned char *m, int w, int h, float *p)
{
    int ink = 0, empty_inner = 0, bridge = 0, thick = 0, thin_after = 0;
    for (int x = 0; x < w; x++) {
        int col = 0;
        for (int y = 0; y < h; y++)
            col += m[y * w + x];
        ink += col;
        empty_inner |= col == 0 && x > 0 && x < w - 1;
        /* a one-pixel column with thicker ones on both sides */
        bridge |= thin_after && col > 1;
        thin_after |= thick && col == 1;
        thick |= col > 1;
    }
    float dens = (float)ink / (float)(w * h);
    /* an open side: ink in the first or last column at the top and
     * bottom rows only */
    int first = 0, last = 0;
    for (int y = 1; y < h - 1; y++) {
        first += m[y * w];
        last += m[y * w + w - 1];
    }
    int open = (first == 0 && m[0] && m[(h - 1) * w]) ||
               (last == 0 && m[w - 1] && m[h * w - 1]);
    if (w >= 40 || (bridge && !empty_inner))
        post1(p, 'M', 0.3f);
    else if (dens <= 0.85f && w > 8 && open)
        post1(p, 'C', 0.3f);
    else if (empty_inner)
        post1(p, 'H', 0.95f);
    else if (w <= 8)
        post1(p, 'I', sure_bar);
    else if (dens > 0.85f)
        post1(p, 'A', 0.95f);
    else
        post1(p, 'B', 0.95f);
}

static int fake_classify(void *ctx, const unsigned char *const *mask,
                         const int *w, const int *h, int n, float *probs,
                         unsigned char *ok)
{
    int *calls = ctx;
    (*calls)++;
    for (int i = 0; i < n; i++) {
        read_mask(mask[i], w[i], h[i], probs + (size_t)i * REC_NCLASSES);
        ok[i] = 1;
    }
    return 0;
}

typedef struct {
    RecSegAltGlyph g[4];
    unsigned char *m[4];
    float probs[4 * REC_NCLASSES];
    unsigned char ok[4];
    int n;
} Line;

static unsigned char *add(Line *l, int x, int w)
{
    unsigned char *m = calloc((size_t)w * H, 1);
    l->m[l->n] = m;
    l->g[l->n] = (RecSegAltGlyph){{x, 10, w, H}, 0, m};
    l->ok[l->n] = 1;
    l->n++;
    return m;
}

static void fill(unsigned char *m, int w, int x0, int x1, int frame)
{
    for (int y = 0; y < H; y++)
        for (int x = x0; x < x1; x++)
            m[y * w + x] = !frame || y == 0 || y == H - 1 || x == x0 ||
                           x == x1 - 1;
}

/* Start l (cleared) with "A", a solid block 20 px wide at x 0. */
static void line_with_a(Line *l)
{
    memset(l, 0, sizeof *l);
    fill(add(l, 0, 20), 20, 0, 20, 0);
}

static void classify_line(Line *l)
{
    for (int i = 0; i < l->n; i++)
        read_mask(l->m[i], l->g[i].box.w, H,
                  l->probs + (size_t)i * REC_NCLASSES);
}

static void free_line(Line *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->m[i]);
}

static char best_char(const float *p)
{
    int b = 0;
    for (int c = 1; c < REC_NCLASSES; c++)
        if (p[c] > p[b])
            b = c;
    return rec_class_chars[b];
}

static int run_with(Line *l, const RecSegAltOptions *o, const RecLm *lm,
                    RecSegAltResult *r, char *text)
{
    RecSegAltLine ln = {0, l->n, H};
    int calls = 0;
    classify_line(l);
    CHECK(rec_segalt_page(o, lm, l->g, l->n, l->probs, l->ok, &ln, 1,
                          fake_classify, &calls, r) == 0);
    for (int i = 0; i < r->n; i++)
        text[i] = best_char(r->probs + (size_t)i * REC_NCLASSES);
    text[r->n] = 0;
    return calls;
}

static int run(Line *l, const RecLm *lm, RecSegAltResult *r, char *text)
{
    return run_with(l, NULL, lm, r, text);
}

/* "A" then a solid block and a frame joined by a one-pixel bridge. */
static void touching_line(Line *l)
{
    line_with_a(l);
    unsigned char *m = add(l, 25, 45);
    fill(m, 45, 0, 20, 0);
    fill(m, 45, 25, 45, 1);
    for (int x = 20; x < 25; x++)
        m[15 * 45 + x] = 1;
}

static void rec_segalt_page__touching_letters__split(void)
{
    Line l;
    RecSegAltResult r;
    char text[16];
    touching_line(&l);
    CHECK(run(&l, NULL, &r, text) == 1); /* one batch for the page */
    CHECK(!strcmp(text, "AAB"));
    CHECK(r.n_split == 1 && r.n_merged == 0);
    if (r.n == 3) { /* boxes follow: the halves are boxed by their ink */
        CHECK(r.box[0].x == 0 && r.box[0].w == 20);
        CHECK(r.box[1].x == 25);
        CHECK(r.box[2].x == r.box[1].x + r.box[1].w);
        CHECK(r.box[2].x + r.box[2].w == 70);
        CHECK(r.box[1].x + r.box[1].w >= 45 && r.box[2].x <= 50);
        CHECK(r.box[1].y == 10 && r.box[1].h == H);
        CHECK(r.word[1] == 0 && r.word[2] == 0 && r.ok[1] && r.ok[2]);
    }
    rec_segalt_result_free(&r);
    free_line(&l);
}

/* "A" then two bars gap px apart: one broken letter, or two letters. */
static void bars_line(Line *l, int gap)
{
    line_with_a(l);
    fill(add(l, 25, 6), 6, 0, 6, 0);
    fill(add(l, 31 + gap, 6), 6, 0, 6, 0);
}

/* Two unsure bars gap px apart must be read as one H, boxed by their
 * union. */
static void check_bars_merged(int gap)
{
    Line l;
    RecSegAltResult r;
    char text[16];
    sure_bar = 0.3f;
    bars_line(&l, gap);
    run(&l, NULL, &r, text);
    CHECK(!strcmp(text, "AH"));
    CHECK(r.n_merged == 1 && r.n_split == 0);
    if (r.n == 2) { /* the merged glyph's box is the union */
        CHECK(r.box[1].x == 25 && r.box[1].w == 12 + gap);
        CHECK(r.box[1].y == 10 && r.box[1].h == H);
    }
    rec_segalt_result_free(&r);
    free_line(&l);
}

static void rec_segalt_page__broken_letter__merged(void)
{
    check_bars_merged(1);
}

static void rec_segalt_page__sure_narrow_letters__kept(void)
{
    Line l;
    RecSegAltResult r;
    char text[16];
    sure_bar = 0.97f;
    bars_line(&l, 1);
    run(&l, NULL, &r, text);
    CHECK(!strcmp(text, "AII"));
    CHECK(r.n_merged == 0 && r.n == 3 && r.n_alternatives == 1);
    CHECK(r.box[1].x == 25 && r.box[1].w == 6 && r.box[2].x == 32);
    rec_segalt_result_free(&r);
    free_line(&l);
    sure_bar = 0.3f;
}

static void rec_segalt_page__with_lm__same_choices(void)
{
    static const char corpus[] = "aab ah aah ab ahh haha baa ab ah";
    RecLm *lm = rec_lm_create_from_text(corpus, strlen(corpus), 3);
    Line l;
    RecSegAltResult r;
    char text[16];
    CHECK(lm != NULL);
    touching_line(&l);
    run(&l, lm, &r, text);
    CHECK(!strcmp(text, "AAB"));
    rec_segalt_result_free(&r);
    free_line(&l);
    bars_line(&l, 1);
    run(&l, lm, &r, text);
    CHECK(!strcmp(text, "AH"));
    rec_segalt_result_free(&r);
    free_line(&l);
    rec_lm_destroy(&lm);
}

/* Two unsure bars 4 px (0.13 line height) apart: two letters side by
 * side, not the pieces of one (merge_gap 0.05; stem_gap 0.1 for two
 * stems: 3 px). */
static void rec_segalt_page__bars_apart__not_merged(void)
{
    Line l;
    RecSegAltResult r;
    char text[16];
    sure_bar = 0.3f;
    bars_line(&l, 4);
    CHECK(run(&l, NULL, &r, text) == 0);
    CHECK(!strcmp(text, "AII") && r.n_alternatives == 0);
    rec_segalt_result_free(&r);
    free_line(&l);
}

static void rec_segalt_page__nothing_plausible__copied_no_call(void)
{
    Line l;
    RecSegAltResult r;
    char text[16];
    line_with_a(&l);
    fill(add(&l, 30, 20), 20, 0, 20, 1); /* gap 10 px: no merge */
    CHECK(run(&l, NULL, &r, text) == 0);
    CHECK(!strcmp(text, "AB") && r.n_alternatives == 0);
    CHECK(r.box[1].x == 30 && r.box[1].w == 20);
    rec_segalt_result_free(&r);
    free_line(&l);
}

/* Two unsure bars 2 px (0.07 line height) apart, both as tall as the
 * line: a capital's stem the pen lifted off the rest (an H read "LI"),
 * joined though the gap is over merge_gap (0.05: 1.5 px). */
static void rec_segalt_page__stem_two_px_off__merged(void)
{
    check_bars_merged(2);
}

/* Half a frame w px wide: top, bottom and one side (the right one when
 * right), open on the other. */
static void half_frame(unsigned char *m, int w, int right)
{
    for (int y = 0; y < H; y++)
        for (int x = 0; x < w; x++)
            m[y * w + x] = y == 0 || y == H - 1 || x == (right ? w - 1 : 0);
}

/* "A", then a frame 36 px wide (1.2 line heights) cut in two halves
 * whose boxes meet: wider than a broken letter's pieces may be, the two
 * are offered whole again because they touch as the segmenter's cut
 * leaves them, and the sure whole wins over two unsure halves (a cursive
 * e cut in two read "as", an F in a real name crop "TJ"). */
static void rec_segalt_page__wide_letter_cut_in_two__merged(void)
{
    Line l;
    RecSegAltResult r;
    char text[16];
    line_with_a(&l);
    half_frame(add(&l, 25, 18), 18, 0);
    half_frame(add(&l, 43, 18), 18, 1);
    CHECK(run(&l, NULL, &r, text) == 1);
    CHECK(!strcmp(text, "AB"));
    CHECK(r.n_merged == 1);
    if (r.n == 2)
        CHECK(r.box[1].x == 25 && r.box[1].w == 36);
    rec_segalt_result_free(&r);
    free_line(&l);
}

/* Two digits that touch, a block and a frame joined by a one-pixel
 * bridge, 28 px wide on a line 30 px high: no wider than tall, so letters
 * keep it whole; read with digits only it is offered split, and the two
 * sure halves win over the unsure whole (a touching "49" read "4"). */
static void rec_segalt_page__digit_pair_as_wide_as_tall__split_for_digits(void)
{
    Line l;
    RecSegAltResult r;
    RecSegAltOptions o;
    char text[16];
    for (int digits = 0; digits < 2; digits++) {
        memset(&l, 0, sizeof l);
        unsigned char *m = add(&l, 0, 28);
        fill(m, 28, 0, 13, 0);
        fill(m, 28, 14, 28, 1);
        m[15 * 28 + 13] = 1;
        rec_segalt_options_init(&o);
        if (digits)
            rec_segalt_options_set_charset(&o, REC_CHARSET_DIGITS);
        run_with(&l, &o, NULL, &r, text);
        CHECK(!strcmp(text, digits ? "AB" : "M"));
        CHECK(r.n_split == digits);
        rec_segalt_result_free(&r);
        free_line(&l);
    }
    rec_segalt_options_init(&o); /* letters and digits: left as they are */
    rec_segalt_options_set_charset(&o, REC_CHARSET_ALL);
    CHECK(o.split_width == 1.15f && !o.split_square);
}

int main(void)
{
    RUN(rec_segalt_page__touching_letters__split);
    RUN(rec_segalt_page__broken_letter__merged);
    RUN(rec_segalt_page__sure_narrow_letters__kept);
    RUN(rec_segalt_page__with_lm__same_choices);
    RUN(rec_segalt_page__bars_apart__not_merged);
    RUN(rec_segalt_page__nothing_plausible__copied_no_call);
    RUN(rec_segalt_page__digit_pair_as_wide_as_tall__split_for_digits);
    RUN(rec_segalt_page__wide_letter_cut_in_two__merged);
    RUN(rec_segalt_page__stem_two_px_off__merged);
    TEST_EXIT();
}
