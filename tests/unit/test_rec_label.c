/* test_rec_label.c - rec_page_drop_label: a printed label read as the
 * first word of a crop is dropped, the page stays consistent
 * (out_page_check); names, pages and a label with nothing after it are
 * left alone. Pages from out_fixture.h (40 px glyphs on a 30 px grid),
 * made crop-sized (210 px tall: a strip of at most 10 glyph heights). */
#include "common/err.h"
#include "recognize/rec_page.h"
#include "tests/unit/out_fixture.h"
#include "tests/unit/test.h"

#include <stdio.h>
#include <string.h>

/* The page's text: words joined by ' ', lines by '/'. */
static void text_of(const OutPage *p, char *s, size_t n)
{
    size_t k = 0;
    for (int l = 0; l < p->n_lines; l++) {
        if (l && k + 1 < n)
            s[k++] = '/';
        for (int w = 0; w < p->lines[l].n_words; w++) {
            const OutWord *ow = &p->words[p->lines[l].first_word + w];
            if (w && k + 1 < n)
                s[k++] = ' ';
            for (int g = 0; g < ow->n_glyphs && k + 1 < n; g++)
                s[k++] = (char)p->glyphs[ow->first_glyph + g].codepoint;
        }
    }
    s[k] = 0;
}

/* Drop on a crop of these lines; the text after, the glyphs dropped. */
static int drop_on(const char *const *lines, int n, int height, char *out,
                   size_t on)
{
    OutPage *p = fixture_page("crop.jpg", 0, lines, NULL, n);
    if (!p)
        return -1;
    p->height = height;
    int d = rec_page_drop_label(p);
    CHECK(out_page_check(p) == 0);
    text_of(p, out, on);
    out_page_destroy(&p);
    return d;
}

static void rec_page_drop_label__prenom_then_name__label_dropped(void)
{
    const char *l[] = {"PRENOM SARAH"};
    char s[128];
    CHECK(drop_on(l, 1, 210, s, sizeof s) == 6);
    CHECK(strcmp(s, "SARAH") == 0);
}

/* One line read on a crop: want glyphs dropped, want_text left. */
static void check_drop(const char *line, int want, const char *want_text)
{
    const char *l[] = {line};
    char s[128];
    int got = drop_on(l, 1, 210, s, sizeof s);
    CHECK(got == want);
    CHECK(strcmp(s, want_text) == 0);
    if (got != want || strcmp(s, want_text) != 0)
        printf("  \"%s\": dropped %d, left \"%s\"\n", line, got, s);
}

static void rec_page_drop_label__misread_labels__dropped(void)
{
    check_drop("IRRENOMB ELOISE", 8, "ELOISE");
    check_drop("NOM D U P O N T", 3, "D U P O N T");
    check_drop("Prenoms Anne", 7, "Anne");
    check_drop("IWIRENOM M A R I A M", 8, "M A R I A M");
}

/* A mark at the crop's left edge (a box's corner, a cut letter) read
 * as one glyph before the label: "GNOM LEVY", "INOM SANCHEZ" (13 of the
 * 10,500 real name crops), and five glyphs before ENOM ("IZMIRENOM",
 * the label at 1.5x). A name with NOM second ("ANOMA", in no name of
 * the names list) of six glyphs or more stays. */
static void rec_page_drop_label__mark_before_label__dropped(void)
{
    check_drop("GNOM LEVY", 4, "LEVY");
    check_drop("INOMI LAQ I ER", 5, "LAQ I ER");
    check_drop("IZMIRENOM ELO I S E", 9, "ELO I S E");
    check_drop("ANOMALIE SARAH", 0, "ANOMALIE SARAH");
}

static void rec_page_drop_label__label_run_into_name__label_part_dropped(void)
{
    const char *l[] = {"RENOMICHIRINE I"};
    char s[128];
    CHECK(drop_on(l, 1, 210, s, sizeof s) == 5);
    CHECK(strcmp(s, "ICHIRINE I") == 0);
}

static void rec_page_drop_label__label_on_own_line__line_dropped(void)
{
    const char *l[] = {"PRENOM", "AVRIL"};
    char s[128];
    CHECK(drop_on(l, 2, 210, s, sizeof s) == 6);
    CHECK(strcmp(s, "AVRIL") == 0);
}

static void rec_page_drop_label__names_and_labels_elsewhere__kept(void)
{
    const char *a[] = {"NOEMIE MARTIN"}, *b[] = {"NOMBRE PAUL"},
               *c[] = {"SARAH PRENOM"}, *d[] = {"BENOIT NOM"};
    char s[128];
    CHECK(drop_on(a, 1, 210, s, sizeof s) == 0);
    CHECK(strcmp(s, "NOEMIE MARTIN") == 0);
    CHECK(drop_on(b, 1, 210, s, sizeof s) == 0);
    CHECK(drop_on(c, 1, 210, s, sizeof s) == 0);
    CHECK(drop_on(d, 1, 210, s, sizeof s) == 0);
    CHECK(strcmp(s, "BENOIT NOM") == 0);
}

static void rec_page_drop_label__nothing_else_left__kept(void)
{
    const char *l[] = {"PRENOM"};
    char s[128];
    CHECK(drop_on(l, 1, 210, s, sizeof s) == 0);
    CHECK(strcmp(s, "PRENOM") == 0);
}

static void rec_page_drop_label__page_not_crop__kept(void)
{
    const char *l[] = {"PRENOM SARAH", "NOM DUPONT"};
    char s[128];
    CHECK(drop_on(l, 2, 3508, s, sizeof s) == 0);
    CHECK(strcmp(s, "PRENOM SARAH/NOM DUPONT") == 0);
}

int main(void)
{
    RUN(rec_page_drop_label__prenom_then_name__label_dropped);
    RUN(rec_page_drop_label__misread_labels__dropped);
    RUN(rec_page_drop_label__mark_before_label__dropped);
    RUN(rec_page_drop_label__label_run_into_name__label_part_dropped);
    RUN(rec_page_drop_label__label_on_own_line__line_dropped);
    RUN(rec_page_drop_label__names_and_labels_elsewhere__kept);
    RUN(rec_page_drop_label__nothing_else_left__kept);
    RUN(rec_page_drop_label__page_not_crop__kept);
    TEST_EXIT();
}
