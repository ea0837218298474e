/*
 * test_rec_context.c - line context: case from geometry, look-alikes from
 * the word, charset, metrics, edge cases.
 *
 * Fixtures: a line with its baseline at y = 100, x-height 18 px, cap height
 * 30 px, descenders 10 px; glyphs are boxes placed on it and posteriors are
 * written by hand ("c:.5 C:.5"), the rest of the mass spread thin.
 */
#include "recognize/rec_context.h"

#include <string.h>

#include "common/err.h"
#include "test.h"

#define BASE 100
#define XH 18
#define CAP 30
#define DESC 10
#define MAXG 128

enum { SMALL, TALL, DESCENDER, HUGE_ };

typedef struct {
    RecLineGeom line;
    RecContextGlyph g[MAXG];
    float p[MAXG * REC_NCLASSES];
    int n;
    int cls[MAXG];
    float conf[MAXG];
    float out[MAXG * REC_NCLASSES];
} Fix;

static void fix_init(Fix *f, float xh, float cap)
{
    memset(f, 0, sizeof *f);
    f->line.baseline_x0 = 0;
    f->line.baseline_y = BASE;
    f->line.baseline_slope = 0;
    f->line.x_height = xh;
    f->line.cap_height = cap;
}

/* Append a glyph of the given height kind to word `word`; spec is a list of
 * "char:prob" items; the remaining mass (if any) is spread evenly. */
static void add(Fix *f, int word, int kind, const char *spec)
{
    RecContextGlyph *g = &f->g[f->n];
    float *p = f->p + (size_t)f->n * REC_NCLASSES, used = 0;
    const char *s = spec;
    int x = 10 + f->n * 25;
    float base = f->line.baseline_y + f->line.baseline_slope * (float)(x + 8);

    g->x = x;
    g->w = 16;
    g->word = word;
    switch (kind) {
    case SMALL: g->h = XH; g->y = (int)base - XH; break;
    case TALL: g->h = CAP; g->y = (int)base - CAP; break;
    case DESCENDER: g->h = XH + DESC; g->y = (int)base - XH; break;
    default: g->h = 2 * CAP; g->y = (int)base - 2 * CAP; break;
    }
    while (*s) {
        char ch = *s;
        float v = strtof(s + 2, (char **)&s);
        p[rec_class_of_char(ch)] += v;
        used += v;
        while (*s == ' ')
            s++;
    }
    if (used < 1.0f) {
        float rest = (1.0f - used) / REC_NCLASSES;
        for (int c = 0; c < REC_NCLASSES; c++)
            p[c] += rest;
    }
    f->n++;
}

static int run_ctx(Fix *f, const RecContextOptions *opt, RecCharset cs)
{
    return rec_context_apply(opt, &f->line, f->g, f->p, f->n, cs, f->cls,
                             f->conf, f->out);
}

/* The chosen characters as a string (static buffer). */
static const char *text(const Fix *f)
{
    static char buf[MAXG + 1];
    for (int i = 0; i < f->n; i++)
        buf[i] = rec_class_chars[f->cls[i]];
    buf[f->n] = '\0';
    return buf;
}

static void apply__lone_c_at_x_height__stays_lower(void)
{
    Fix f;
    fix_init(&f, XH, CAP);
    add(&f, 0, SMALL, "c:.45 C:.55");
    CHECK(run_ctx(&f, NULL, REC_CHARSET_ALL) == 0);
    CHECK(strcmp(text(&f), "c") == 0);
    CHECK(f.conf[0] > 0.8f);
}

static void apply__lone_c_at_cap_height__becomes_upper(void)
{
    Fix f;
    fix_init(&f, XH, CAP);
    add(&f, 0, TALL, "c:.55 C:.45");
    CHECK(run_ctx(&f, NULL, REC_CHARSET_ALL) == 0);
    CHECK(strcmp(text(&f), "C") == 0);
    CHECK(f.conf[0] > 0.8f);
}

static void apply__case_pairs_by_height__decided(void)
{
    /* o/O, s/S, x/X, z/Z, p/P, y/Y: each pair once small/descending, once
     * tall, each as its own word so that only geometry speaks. */
    static const char *pairs[] = {"oO", "sS", "xX", "zZ", "vV", "wW", "uU"};
    Fix f;
    char spec[32];
    fix_init(&f, XH, CAP);
    for (int i = 0; i < 7; i++) {
        snprintf(spec, sizeof spec, "%c:.5 %c:.5", pairs[i][0], pairs[i][1]);
        add(&f, 2 * i, SMALL, spec);
        add(&f, 2 * i + 1, TALL, spec);
    }
    add(&f, 20, DESCENDER, "p:.4 P:.6");
    add(&f, 21, TALL, "p:.6 P:.4");
    add(&f, 22, DESCENDER, "y:.4 Y:.6");
    add(&f, 23, TALL, "y:.6 Y:.4");
    CHECK(run_ctx(&f, NULL, REC_CHARSET_ALL) == 0);
    CHECK(strcmp(text(&f), "oOsSxXzZvVwWuUpPyY") == 0);
}

static void apply__digit_word_1O5__becomes_105(void)
{
    Fix f;
    fix_init(&f, XH, CAP);
    add(&f, 0, TALL, "1:.5 l:.3 I:.2");
    add(&f, 0, TALL, "O:.7 0:.2 o:.1");
    add(&f, 0, TALL, "5:.6 S:.3 s:.1");
    CHECK(run_ctx(&f, NULL, REC_CHARSET_ALL) == 0);
    CHECK(strcmp(text(&f), "105") == 0);
}

static void apply__digit_word_overconfident_net__mapped(void)
{
    /* The net is sure of 'O', 'S', 'B' and 'l': between digits they are
     * still 0, 5, 8 and 1 (look-alike smoothing + word model). */
    Fix f;
    fix_init(&f, XH, CAP);
    add(&f, 0, TALL, "2:.95");
    add(&f, 0, TALL, "O:.99");
    add(&f, 0, TALL, "3:.95");
    add(&f, 0, TALL, "S:.98");
    add(&f, 0, TALL, "4:.95");
    add(&f, 0, TALL, "B:.97");
    add(&f, 0, TALL, "7:.95");
    add(&f, 0, TALL, "l:.99");
    add(&f, 0, TALL, "6:.95");
    CHECK(run_ctx(&f, NULL, REC_CHARSET_ALL) == 0);
    CHECK(strcmp(text(&f), "203548716") == 0);
}

static void apply__letter_word_Hel1o__becomes_Hello(void)
{
    Fix f;
    fix_init(&f, XH, CAP);
    add(&f, 0, TALL, "H:.95");
    add(&f, 0, SMALL, "e:.9");
    add(&f, 0, TALL, "l:.5 1:.3 I:.2");
    add(&f, 0, TALL, "1:.7 l:.2 I:.1");
    add(&f, 0, SMALL, "o:.6 0:.3 O:.1");
    CHECK(run_ctx(&f, NULL, REC_CHARSET_ALL) == 0);
    CHECK(strcmp(text(&f), "Hello") == 0);
}

static void apply__letter_word_with_zero__small_o_large_O(void)
{
    /* "B0B" in capitals -> "BOB"; "b0b" written small -> "bob". */
    Fix f;
    fix_init(&f, XH, CAP);
    add(&f, 0, TALL, "B:.9");
    add(&f, 0, TALL, "0:.9");
    add(&f, 0, TALL, "B:.9");
    add(&f, 1, TALL, "b:.9");
    add(&f, 1, SMALL, "0:.9");
    add(&f, 1, TALL, "b:.9");
    CHECK(run_ctx(&f, NULL, REC_CHARSET_ALL) == 0);
    CHECK(strcmp(text(&f), "BOBbob") == 0);
}

static void apply__word_case_pattern__decides_same_height_pairs(void)
{
    /* k/K are both tall: the word decides. "OAK" in capitals, "oak" lower
     * case, "Oak" with an initial capital. */
    Fix f;
    fix_init(&f, XH, CAP);
    add(&f, 0, TALL, "O:.5 o:.5");
    add(&f, 0, TALL, "A:.9");
    add(&f, 0, TALL, "K:.5 k:.5");
    add(&f, 1, SMALL, "O:.5 o:.5");
    add(&f, 1, SMALL, "a:.9");
    add(&f, 1, TALL, "K:.5 k:.5");
    add(&f, 2, TALL, "O:.5 o:.5");
    add(&f, 2, SMALL, "a:.9");
    add(&f, 2, TALL, "K:.5 k:.5");
    CHECK(run_ctx(&f, NULL, REC_CHARSET_ALL) == 0);
    CHECK(strcmp(text(&f), "OAKoakOak") == 0);
}

static void apply__mixed_id_word__confident_letters_kept(void)
{
    Fix f;
    fix_init(&f, XH, CAP);
    add(&f, 0, TALL, "A:.9");
    add(&f, 0, TALL, "R:.9");
    add(&f, 0, TALL, "3:.9");
    add(&f, 0, TALL, "4:.9");
    add(&f, 0, TALL, "0:.6 O:.4");
    CHECK(run_ctx(&f, NULL, REC_CHARSET_ALL) == 0);
    CHECK(strcmp(text(&f), "AR340") == 0);
}

static void apply__id_letters_then_digits__prefix_kept_as_letters(void)
{
    /* A form id: two letters the net prefers (G Q) over their digit
     * look-alikes (6 0), then six sure digits. One switch from letters to
     * digits inside a word is common (ids, postcodes), so the digits that
     * follow do not turn the prefix into digits ("GQ267388", not
     * "60267388"). */
    Fix f;
    fix_init(&f, XH, CAP);
    add(&f, 0, TALL, "G:.72 6:.16");
    add(&f, 0, TALL, "Q:.8 0:.1");
    add(&f, 0, TALL, "2:.9");
    add(&f, 0, TALL, "6:.9");
    add(&f, 0, TALL, "7:.9");
    add(&f, 0, TALL, "3:.9");
    add(&f, 0, TALL, "8:.9");
    add(&f, 0, TALL, "8:.9");
    CHECK(run_ctx(&f, NULL, REC_CHARSET_ALL) == 0);
    CHECK(strcmp(text(&f), "GQ267388") == 0);
    if (test_case_failed)
        printf("  got %s\n", text(&f));
}

static void apply__distinct_shape_at_wrong_height__net_wins(void)
{
    /* A big 'a' (cap height) and a small 'A': the shapes differ, the net is
     * sure, geometry must not overturn it. */
    Fix f;
    fix_init(&f, XH, CAP);
    add(&f, 0, TALL, "a:.97 A:.01");
    add(&f, 1, SMALL, "A:.97 a:.01");
    CHECK(run_ctx(&f, NULL, REC_CHARSET_ALL) == 0);
    CHECK(strcmp(text(&f), "aA") == 0);
}

static void apply__charset_digits__only_digits_chosen(void)
{
    Fix f;
    RecCharset digits;
    CHECK(rec_charset_parse("digits", &digits) == 0);
    fix_init(&f, XH, CAP);
    add(&f, 0, TALL, "O:.9 0:.05");
    add(&f, 1, SMALL, "a:.99"); /* no digit mass at all: uniform */
    CHECK(run_ctx(&f, NULL, digits) == 0);
    CHECK(f.cls[0] == 0);
    CHECK(f.cls[1] < 10);
    for (int i = 0; i < f.n; i++)
        for (int c = 10; c < REC_NCLASSES; c++)
            CHECK(f.out[i * REC_NCLASSES + c] == 0.0f);
}

static void apply__charset_upper__lower_case_shape_becomes_upper(void)
{
    Fix f;
    RecCharset up;
    CHECK(rec_charset_parse("upper", &up) == 0);
    fix_init(&f, XH, CAP);
    add(&f, 0, SMALL, "c:.9 C:.1");
    CHECK(run_ctx(&f, NULL, up) == 0);
    CHECK(strcmp(text(&f), "C") == 0);
}

static void apply__empty_line__ok_nothing_written(void)
{
    Fix f;
    fix_init(&f, XH, CAP);
    f.cls[0] = -7;
    CHECK(run_ctx(&f, NULL, REC_CHARSET_ALL) == 0);
    CHECK(f.cls[0] == -7);
    CHECK(rec_context_apply(NULL, &f.line, NULL, NULL, 0, REC_CHARSET_ALL,
                            NULL, NULL, NULL) == 0);
}

static void apply__glyph_taller_than_cap__upper(void)
{
    Fix f;
    fix_init(&f, XH, CAP);
    add(&f, 0, HUGE_, "s:.6 S:.4");
    CHECK(run_ctx(&f, NULL, REC_CHARSET_ALL) == 0);
    CHECK(strcmp(text(&f), "S") == 0);
    CHECK(f.conf[0] <= 1.0f && f.conf[0] > 0.5f);
}

static void apply__no_heights_no_reference__net_argmax_kept(void)
{
    /* Neither the segmenter nor the line knows the x-height: a small glyph
     * must not be judged against a made-up scale. */
    Fix f;
    RecLineMetrics m;
    fix_init(&f, 0, 0);
    add(&f, 0, SMALL, "C:.6 c:.4");
    add(&f, 1, TALL, "o:.6 O:.4");
    CHECK(rec_context_line_metrics(NULL, &f.line, f.g, f.p, f.n, &m) == 0);
    CHECK(m.x_height == 0 && m.cap_height == 0);
    CHECK(run_ctx(&f, NULL, REC_CHARSET_ALL) == 0);
    CHECK(strcmp(text(&f), "Co") == 0);
}

static void line_metrics__no_given_heights__measured_from_glyphs(void)
{
    Fix f;
    RecLineMetrics m;
    fix_init(&f, 0, 0);
    add(&f, 0, TALL, "H:.9");
    add(&f, 0, SMALL, "a:.9");
    add(&f, 0, SMALL, "n:.9");
    add(&f, 1, TALL, "T:.9");
    add(&f, 1, SMALL, "e:.9");
    add(&f, 2, SMALL, "c:.5 C:.5");
    add(&f, 3, TALL, "c:.5 C:.5");
    CHECK(rec_context_line_metrics(NULL, &f.line, f.g, f.p, f.n, &m) == 0);
    CHECK_NEAR(m.x_height, XH, 0.01);
    CHECK_NEAR(m.cap_height, CAP, 0.01);
    CHECK(m.n_small == 3 && m.n_tall == 2);
    CHECK(run_ctx(&f, NULL, REC_CHARSET_ALL) == 0);
    CHECK(strcmp(text(&f), "HanTecC") == 0);
}

static void line_metrics__only_cap_known__x_height_derived(void)
{
    Fix f;
    RecLineMetrics m;
    RecContextOptions opt;
    rec_context_options_init(&opt);
    opt.own_metrics = 0;
    fix_init(&f, 0, CAP);
    CHECK(rec_context_line_metrics(&opt, &f.line, f.g, f.p, 0, &m) == 0);
    CHECK_NEAR(m.cap_height, CAP, 1e-4);
    CHECK_NEAR(m.x_height, 0.6 * CAP, 1e-4);
}

static void line_metrics__implausible_ratio__distrusted(void)
{
    Fix f;
    RecLineMetrics m;
    fix_init(&f, 29, CAP);
    CHECK(rec_context_line_metrics(NULL, &f.line, f.g, f.p, 0, &m) == 0);
    CHECK(m.x_height == 0 && m.cap_height == 0);
}

static void line_metrics__given_cap_is_x_height__own_x_wins(void)
{
    /* A line of x-height letters: the segmenter calls their height the cap
     * height. The line's own a/e/n say otherwise. */
    Fix f;
    RecLineMetrics m;
    fix_init(&f, 0, XH);
    add(&f, 0, SMALL, "n:.9");
    add(&f, 0, SMALL, "e:.9");
    add(&f, 0, SMALL, "w:.5 W:.5");
    CHECK(rec_context_line_metrics(NULL, &f.line, f.g, f.p, f.n, &m) == 0);
    CHECK_NEAR(m.x_height, XH, 1e-4);
    CHECK_NEAR(m.cap_height, XH / 0.6, 1e-3);
    CHECK(run_ctx(&f, NULL, REC_CHARSET_ALL) == 0);
    CHECK(strcmp(text(&f), "new") == 0);
}

static void line_metrics__baseline_off__shift_measured(void)
{
    /* The segmenter's baseline is 5 px too high; glyphs sit on y = 100. */
    Fix f;
    RecLineMetrics m;
    fix_init(&f, XH, CAP);
    add(&f, 0, TALL, "H:.9");
    add(&f, 0, SMALL, "a:.9");
    add(&f, 0, SMALL, "n:.9");
    add(&f, 0, TALL, "d:.9");
    add(&f, 0, SMALL, "p:.9"); /* a descender does not vote */
    f.line.baseline_y = BASE - 5;
    CHECK(rec_context_line_metrics(NULL, &f.line, f.g, f.p, f.n, &m) == 0);
    CHECK_NEAR(m.base_shift, 5, 1e-4);
    CHECK(m.n_base == 4);
    CHECK_NEAR(m.x_height, XH, 1e-4);
}

static void apply__sloped_baseline__follows_slope(void)
{
    Fix f;
    fix_init(&f, XH, CAP);
    f.line.baseline_slope = 0.1f; /* 1 px down per 10 px */
    for (int i = 0; i < 8; i++)
        add(&f, i, (i % 2) ? TALL : SMALL, "x:.5 X:.5");
    CHECK(run_ctx(&f, NULL, REC_CHARSET_ALL) == 0);
    CHECK(strcmp(text(&f), "xXxXxXxX") == 0);
}

static void apply__long_word__decoded_in_pieces(void)
{
    Fix f;
    fix_init(&f, XH, CAP);
    for (int i = 0; i < 100; i++)
        add(&f, 0, TALL, i == 70 ? "O:.8 0:.2" : "7:.9");
    CHECK(run_ctx(&f, NULL, REC_CHARSET_ALL) == 0);
    CHECK(f.cls[70] == 0);
    CHECK(f.cls[0] == 7 && f.cls[99] == 7);
}

static void apply__posteriors__normalised_and_conf_is_max(void)
{
    Fix f;
    fix_init(&f, XH, CAP);
    add(&f, 0, TALL, "H:.9");
    add(&f, 0, SMALL, "e:.9");
    add(&f, 0, TALL, "l:.5 1:.3 I:.2");
    add(&f, 1, SMALL, "c:.5 C:.5");
    add(&f, 1, SMALL, "a:.99");
    CHECK(run_ctx(&f, NULL, REC_CHARSET_ALL) == 0);
    for (int i = 0; i < f.n; i++) {
        double s = 0;
        float mx = 0;
        for (int c = 0; c < REC_NCLASSES; c++) {
            float v = f.out[i * REC_NCLASSES + c];
            CHECK(v >= 0 && v <= 1);
            s += v;
            mx = v > mx ? v : mx;
        }
        CHECK_NEAR(s, 1.0, 1e-4);
        CHECK(f.conf[i] == mx);
        CHECK(f.out[i * REC_NCLASSES + f.cls[i]] == f.conf[i]);
    }
    /* sure glyphs stay sure, an unsure one is less sure */
    CHECK(f.conf[4] > 0.95f);
    CHECK(f.conf[2] < f.conf[4]);
}

static void apply__in_place__same_result(void)
{
    Fix f;
    int cls2[MAXG];
    float conf2[MAXG];
    fix_init(&f, XH, CAP);
    add(&f, 0, TALL, "1:.5 l:.3 I:.2");
    add(&f, 0, TALL, "O:.7 0:.2 o:.1");
    add(&f, 1, SMALL, "c:.5 C:.5");
    CHECK(run_ctx(&f, NULL, REC_CHARSET_ALL) == 0);
    CHECK(rec_context_apply(NULL, &f.line, f.g, f.p, f.n, REC_CHARSET_ALL,
                            cls2, conf2, f.p) == 0);
    for (int i = 0; i < f.n; i++) {
        CHECK(cls2[i] == f.cls[i]);
        CHECK(conf2[i] == f.conf[i]);
    }
    CHECK(memcmp(f.p, f.out, (size_t)f.n * REC_NCLASSES * sizeof(float)) == 0);
}

static void apply__steps_off__net_argmax(void)
{
    Fix f;
    RecContextOptions opt;
    rec_context_options_init(&opt);
    opt.use_geometry = 0;
    opt.use_words = 0;
    fix_init(&f, XH, CAP);
    add(&f, 0, TALL, "H:.9");
    add(&f, 0, SMALL, "e:.9");
    add(&f, 0, TALL, "1:.6 l:.4");
    add(&f, 1, SMALL, "C:.6 c:.4");
    CHECK(run_ctx(&f, &opt, REC_CHARSET_ALL) == 0);
    CHECK(strcmp(text(&f), "He1C") == 0);
    /* geometry only: case fixed, look-alike digit stays */
    opt.use_geometry = 1;
    CHECK(run_ctx(&f, &opt, REC_CHARSET_ALL) == 0);
    CHECK(strcmp(text(&f), "He1c") == 0);
    /* words only: digit fixed, case of the lone C stays */
    opt.use_geometry = 0;
    opt.use_words = 1;
    CHECK(run_ctx(&f, &opt, REC_CHARSET_ALL) == 0);
    CHECK(strcmp(text(&f), "HelC") == 0);
}

static void apply__degenerate_glyph_and_bad_probs__handled(void)
{
    Fix f;
    fix_init(&f, XH, CAP);
    add(&f, 0, SMALL, "c:.3 C:.7");
    f.g[0].w = 0; /* no box: no geometry evidence */
    add(&f, 1, SMALL, "e:.9");
    for (int c = 0; c < REC_NCLASSES; c++)
        f.p[REC_NCLASSES + c] = (c % 2) ? -1.0f : NAN;
    CHECK(run_ctx(&f, NULL, REC_CHARSET_ALL) == 0);
    CHECK(f.cls[0] == rec_class_of_char('C'));
    CHECK(f.cls[1] >= 0 && f.cls[1] < REC_NCLASSES);
    CHECK(f.conf[1] >= 0 && f.conf[1] <= 1);
}

static void apply__bad_arguments__error_set(void)
{
    Fix f;
    fix_init(&f, XH, CAP);
    add(&f, 0, SMALL, "c:1");
    err_clear();
    CHECK(rec_context_apply(NULL, NULL, f.g, f.p, 1, REC_CHARSET_ALL, f.cls,
                            f.conf, NULL) == -1);
    CHECK(strstr(err_get(), "rec_context_apply") != NULL);
    CHECK(rec_context_apply(NULL, &f.line, f.g, f.p, -1, REC_CHARSET_ALL,
                            f.cls, f.conf, NULL) == -1);
    CHECK(rec_context_apply(NULL, &f.line, f.g, f.p, 1, 0, f.cls, f.conf,
                            NULL) == -1);
    CHECK(strstr(err_get(), "empty charset") != NULL);
    CHECK(rec_context_apply(NULL, &f.line, f.g, NULL, 1, REC_CHARSET_ALL,
                            f.cls, f.conf, NULL) == -1);
    CHECK(rec_context_line_metrics(NULL, &f.line, f.g, f.p, 1, NULL) == -1);
}

int main(void)
{
    RUN(apply__lone_c_at_x_height__stays_lower);
    RUN(apply__lone_c_at_cap_height__becomes_upper);
    RUN(apply__case_pairs_by_height__decided);
    RUN(apply__digit_word_1O5__becomes_105);
    RUN(apply__digit_word_overconfident_net__mapped);
    RUN(apply__letter_word_Hel1o__becomes_Hello);
    RUN(apply__letter_word_with_zero__small_o_large_O);
    RUN(apply__word_case_pattern__decides_same_height_pairs);
    RUN(apply__mixed_id_word__confident_letters_kept);
    RUN(apply__id_letters_then_digits__prefix_kept_as_letters);
    RUN(apply__distinct_shape_at_wrong_height__net_wins);
    RUN(apply__charset_digits__only_digits_chosen);
    RUN(apply__charset_upper__lower_case_shape_becomes_upper);
    RUN(apply__empty_line__ok_nothing_written);
    RUN(apply__glyph_taller_than_cap__upper);
    RUN(apply__no_heights_no_reference__net_argmax_kept);
    RUN(line_metrics__no_given_heights__measured_from_glyphs);
    RUN(line_metrics__only_cap_known__x_height_derived);
    RUN(line_metrics__implausible_ratio__distrusted);
    RUN(line_metrics__given_cap_is_x_height__own_x_wins);
    RUN(line_metrics__baseline_off__shift_measured);
    RUN(apply__sloped_baseline__follows_slope);
    RUN(apply__long_word__decoded_in_pieces);
    RUN(apply__posteriors__normalised_and_conf_is_max);
    RUN(apply__in_place__same_result);
    RUN(apply__steps_off__net_argmax);
    RUN(apply__degenerate_glyph_and_bad_probs__handled);
    RUN(apply__bad_arguments__error_set);
    TEST_EXIT();
}
