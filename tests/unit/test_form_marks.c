/* test_form_marks.c - registration marks (forms/form_marks.c): the
 * template key `marks:` and its errors (forms/form_template.c), finding
 * marks on a page (again from those found when the scale guess is off),
 * the similarity fit and its outlier rule, and
 * form_register's choice between marks and lines (forms/form_register.c):
 * marks first, lines when too few marks are found, the page refused when
 * neither fits. */
#include "common/err.h"
#include "common/rng.h"
#include "forms/forms.h"
#include "tests/unit/test.h"
#include "tests/unit/tpl_fixture.h"

#include <math.h>
#include <string.h>

/* Write text to TEST_TMPDIR/marks.yaml and load it. */
static FormTemplate *load_text(const char *text)
{
    return tpl_load_text("marks.yaml", text);
}

#define HEAD                                                                   \
    "form: m\n"                                                                \
    "size: [1000, 1400]\n"                                                     \
    "fields:\n"                                                                \
    "  - {name: a, box: [100, 200, 800, 260]}\n"                               \
    "  - {name: b, box: [100, 500, 500, 560], cells: 8}\n"                     \
    "  - {name: c, box: [560, 500, 900, 560]}\n"                               \
    "  - {name: d, box: [100, 800, 700, 860]}\n"                               \
    "  - {name: e, box: [150, 1000, 450, 1060]}\n"

/* Four squares near the corners, one disc. */
static const char MARKS[] =
    HEAD "marks:\n"
         "  - {at: [60, 60], size: 40}\n"
         "  - {at: [940, 60], size: 40, shape: square}\n"
         "  - {at: [60, 1340], size: 40}\n"
         "  - {at: [940, 1340], size: 40}\n"
         "  - {at: [500, 1340], size: 36, shape: circle}\n";

static void form_template_load__marks__in_file_order(void)
{
    FormTemplate *t = load_text(MARKS);
    CHECK(t != NULL);
    if (!t) {
        printf("  %s\n", err_get());
        return;
    }
    CHECK(form_template_n_marks(t) == 5);
    const FormMark *m = form_template_mark(t, 1);
    CHECK(m->x == 940 && m->y == 60 && m->size == 40 &&
          m->shape == FORM_MARK_SQUARE && m->line == 11);
    CHECK(form_template_mark(t, 4)->shape == FORM_MARK_CIRCLE);
    form_template_destroy(&t);
    t = load_text(HEAD);
    CHECK(t != NULL && form_template_n_marks(t) == 0);
    form_template_destroy(&t);
}

static void form_template_load__bad_marks__mark_index_and_key_at_line_col(void)
{
    static const struct {
        const char *marks;
        int line, col;
        const char *what;
    } cases[] = {
        {"  - {at: [60, 60], size: 40}\n  - {at: [940, 60], sise: 40}\n", 11,
         21, "mark 2: unknown key 'sise'"},
        {"  - {at: [60, 60], size: 40}\n  - {at: [940], size: 40}\n", 11, 10,
         "mark 2 at"},
        {"  - {at: [60, 60], size: 4}\n", 10, 26, "mark 1 size"},
        {"  - {at: [60, 60], size: 40, shape: star}\n", 10, 37,
         "mark 1: expected square or circle"},
        {"  - {at: [60, 60]}\n", 10, 5, "mark 1 has no 'size'"},
        {"  - {size: 40}\n", 10, 5, "mark 1 has no 'at'"},
        {"  - {at: [60, 60], size: 40}\n  - {at: [990, 60], size: 40}\n", 11, 5,
         "mark 2: at [990, 60] size 40 is not inside the page"},
        {"  - {at: [60, 60], size: 40}\n  - {at: [70, 70], size: 40}\n", 11, 5,
         "mark 2: at overlaps mark 1"},
        {"  - {at: [60, 60], size: 40}\n  - {at: [940, 60], size: 40}\n", 10, 3,
         "at least 3 marks"},
        {"  - {at: [60, 60], size: 40}\n  - {at: [500, 60], size: 40}\n"
         "  - {at: [940, 62], size: 40}\n",
         10, 3, "one line"},
        {"  - 7\n", 10, 5, "mark 1: expected a mapping"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[2048];
        snprintf(text, sizeof text, HEAD "marks:\n%s", cases[i].marks);
        FormTemplate *t = load_text(text);
        CHECK(t == NULL);
        CHECK(tpl_err_at(cases[i].line, cases[i].col, cases[i].what));
        form_template_destroy(&t);
    }
}

/* Draw template t's marks (and, with lines, each field's bottom line) at
 * page = s * template + (dx, dy) on a page of the template's size * s,
 * then rotate it by deg (pixRotate's sense) about its centre. Specks of
 * "handwriting" everywhere, and a bar next to every mark. */
static PIX *marks_page(const FormTemplate *t, double s, double dx, double dy,
                       double deg, int lines)
{
    int tw, th;
    form_template_size(t, &tw, &th);
    PIX *p = pixCreate((int)(tw * s), (int)(th * s), 1);
    for (int i = 0; i < form_template_n_marks(t); i++) {
        const FormMark *m = form_template_mark(t, i);
        double h = m->size * s / 2, cx = s * m->x + dx, cy = s * m->y + dy;
        for (int y = (int)floor(cy - h); y <= (int)ceil(cy + h); y++)
            for (int x = (int)floor(cx - h); x <= (int)ceil(cx + h); x++) {
                double ux = x + 0.5 - cx, uy = y + 0.5 - cy;
                int in = m->shape == FORM_MARK_CIRCLE
                             ? ux * ux + uy * uy <= h * h
                             : fabs(ux) <= h && fabs(uy) <= h;
                if (in)
                    pixSetPixel(p, x, y, 1);
            }
        pixRasterop(p, (int)(cx + 2 * h), (int)(cy - h), 4, (int)(2 * h),
                    PIX_SET, NULL, 0, 0);
    }
    for (int i = 0; lines && i < form_template_n_fields(t); i++) {
        const FormField *f = form_template_field(t, i);
        int x0 = (int)lround(s * f->x0 + dx), x1 = (int)lround(s * f->x1 + dx);
        int y1 = (int)lround(s * f->y1 + dy);
        pixRasterop(p, x0, y1 - 3, x1 - x0, 3, PIX_SET, NULL, 0, 0);
    }
    Rng r;
    rng_seed(&r, 5);
    for (int k = 0; k < 400; k++)
        pixRasterop(p, rng_int(&r, pixGetWidth(p) - 4),
                    rng_int(&r, pixGetHeight(p) - 4), 3, 3, PIX_SET, NULL, 0,
                    0);
    if (deg == 0)
        return p;
    PIX *rot = pixRotate(p, (float)(deg * M_PI / 180.0), L_ROTATE_SAMPLING,
                         L_BRING_IN_WHITE, 0, 0);
    pixDestroy(&p);
    return rot;
}

static void form_marks_find__shifted_scaled_page__centres_within_a_pixel(void)
{
    FormTemplate *t = load_text(MARKS);
    CHECK(t != NULL);
    if (!t)
        return;
    int n = form_template_n_marks(t), tw, th;
    form_template_size(t, &tw, &th);
    PIX *p = marks_page(t, 1.25, 30, -20, 0, 0);
    FormMarkHit hits[8];
    CHECK(form_marks_find(form_template_mark(t, 0), n, tw, p, 0, hits) == n);
    for (int i = 0; i < n; i++) {
        const FormMark *m = form_template_mark(t, i);
        CHECK(hits[i].found);
        CHECK_NEAR(hits[i].x, 1.25 * m->x + 30, 1.0);
        CHECK_NEAR(hits[i].y, 1.25 * m->y - 20, 1.0);
    }
    FormMarkFit fit;
    CHECK(form_marks_fit(form_template_mark(t, 0), n, hits, &fit) == 0);
    CHECK(fit.used == n);
    CHECK_NEAR(fit.scale, 1.25, 0.002);
    CHECK_NEAR(fit.angle, 0, 0.05);
    CHECK_NEAR(fit.dx, 30, 1.0);
    CHECK_NEAR(fit.dy, -20, 1.0);
    CHECK(fit.residual < 0.5);
    pixDestroy(&p);
    form_template_destroy(&t);
}

static void form_marks_find__scale_guess_off__far_marks_found_from_near(void)
{
    FormTemplate *t = load_text(MARKS);
    CHECK(t != NULL);
    if (!t)
        return;
    /* expected at 1.1 x, drawn at 1 x: the bottom marks lie 130-150 px
     * from where the guess puts them, cut by the edges of the first
     * windows; the two top marks are found, and tell where the others
     * are */
    PIX *p = marks_page(t, 1.0, 0, 0, 0, 0);
    FormMarkHit hits[8];
    CHECK(form_marks_find(form_template_mark(t, 0), 5, 1000, p, 1.1, hits) ==
          5);
    for (int i = 0; i < 5; i++) {
        CHECK_NEAR(hits[i].x, form_template_mark(t, i)->x, 1.0);
        CHECK_NEAR(hits[i].y, form_template_mark(t, i)->y, 1.0);
    }
    pixDestroy(&p);
    form_template_destroy(&t);
}

static void form_marks_find__blank_page__none_found(void)
{
    FormTemplate *t = load_text(MARKS);
    CHECK(t != NULL);
    if (!t)
        return;
    PIX *p = pixCreate(1000, 1400, 1);
    FormMarkHit hits[8];
    FormMarkFit fit;
    CHECK(form_marks_find(form_template_mark(t, 0), 5, 1000, p, 0, hits) == 0);
    CHECK(form_marks_fit(form_template_mark(t, 0), 5, hits, &fit) == -1);
    pixDestroy(&p);
    form_template_destroy(&t);
}

static void form_marks_find__square_where_disc_expected__not_taken(void)
{
    static const FormMark disc = {100, 100, 40, FORM_MARK_CIRCLE, 1, 1},
                          square = {100, 100, 40, FORM_MARK_SQUARE, 1, 1};
    PIX *p = pixCreate(1000, 1400, 1);
    pixRasterop(p, 80, 80, 40, 40, PIX_SET, NULL, 0, 0);
    FormMarkHit hit;
    CHECK(form_marks_find(&disc, 1, 1000, p, 0, &hit) == 0);
    CHECK(form_marks_find(&square, 1, 1000, p, 0, &hit) == 1);
    CHECK_NEAR(hit.x, 100, 0.01);
    CHECK_NEAR(hit.y, 100, 0.01);
    /* a square twice the size is no mark */
    pixClearAll(p);
    pixRasterop(p, 60, 60, 80, 80, PIX_SET, NULL, 0, 0);
    CHECK(form_marks_find(&square, 1, 1000, p, 0, &hit) == 0);
    pixDestroy(&p);
}

static void form_marks_fit__one_blot_among_five__dropped(void)
{
    static const FormMark m[5] = {{60, 60, 40, 0, 1, 1},
                                  {940, 60, 40, 0, 1, 1},
                                  {60, 1340, 40, 0, 1, 1},
                                  {940, 1340, 40, 0, 1, 1},
                                  {500, 1340, 40, 0, 1, 1}};
    FormMarkHit h[5];
    double a = 2.0 * M_PI / 180;
    for (int i = 0; i < 5; i++) {
        h[i].found = 1;
        h[i].x = 0.9 * (cos(a) * m[i].x - sin(a) * m[i].y) + 12;
        h[i].y = 0.9 * (sin(a) * m[i].x + cos(a) * m[i].y) - 7;
    }
    h[4].x += 30; /* a blot of the right size next to the mark */
    FormMarkFit fit;
    CHECK(form_marks_fit(m, 5, h, &fit) == 0);
    CHECK(fit.used == 4 && h[4].used == 0 && h[0].used == 1);
    CHECK_NEAR(fit.angle, 2.0, 1e-6);
    CHECK_NEAR(fit.scale, 0.9, 1e-9);
    CHECK_NEAR(fit.dx, 12, 1e-6);
    CHECK_NEAR(fit.dy, -7, 1e-6);
    CHECK(fit.residual < 1e-6);
    /* with only 3 found the blot cannot be outvoted: kept, residual high */
    h[0].found = h[1].found = 0;
    CHECK(form_marks_fit(m, 5, h, &fit) == 0);
    CHECK(fit.used == 3 && fit.residual > FORM_MAX_RESIDUAL);
    h[2].found = 0;
    CHECK(form_marks_fit(m, 5, h, &fit) == -1);
}

static void form_register__marks_page_rotated__recovered_by_marks(void)
{
    FormTemplate *t = load_text(MARKS);
    CHECK(t != NULL);
    if (!t)
        return;
    const double cases[][4] = {{1.0, 0, 0, 0},
                               {1.2, 25, -18, 0},
                               {0.8, 12, 7, 2.5},
                               {1.1, -20, 15, -3.0}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const double *k = cases[c];
        /* no printed lines: only the marks can register it */
        PIX *p = marks_page(t, k[0], k[1], k[2], k[3], 0), *up = NULL;
        FormReg reg;
        CHECK(form_register(t, p, &reg, &up) == 0);
        CHECK(reg.fit == 1 && reg.method == FORM_REG_MARKS);
        /* the rotated cases turn a corner mark partly off the page (mark
         * 2, mark 1): left out, the fit made of the other four */
        CHECK(reg.marks_found == (c >= 2 ? 4 : 5));
        CHECK(reg.matched == reg.marks_found && reg.expected == 5);
        CHECK_NEAR(reg.angle, k[3], 0.05);
        CHECK_NEAR(reg.scale, k[0], 0.003);
        CHECK_NEAR(reg.dx, k[1], 2.0);
        CHECK_NEAR(reg.dy, k[2], 2.0);
        CHECK(reg.residual < 1.0);
        CHECK(up != NULL);
        pixDestroy(&p);
        pixDestroy(&up);
    }
    form_template_destroy(&t);
}

static void form_register__wide_margin_right__marks_found_at_height_ratio(void)
{
    FormTemplate *t = load_text(MARKS);
    CHECK(t != NULL);
    if (!t)
        return;
    /* the form at 1 x with 300 px of paper beyond its right edge: the
     * width ratio (1.3) misses all but mark 1, the height ratio finds all */
    PIX *f = marks_page(t, 1.0, 0, 0, 0, 0), *up = NULL;
    PIX *p = pixCreate(1300, 1400, 1);
    pixRasterop(p, 0, 0, 1000, 1400, PIX_SRC, f, 0, 0);
    FormReg reg;
    CHECK(form_register(t, p, &reg, &up) == 0);
    CHECK(reg.fit == 1 && reg.method == FORM_REG_MARKS);
    CHECK(reg.marks_found == 5);
    CHECK_NEAR(reg.scale, 1.0, 0.002);
    CHECK_NEAR(reg.dx, 0, 1.0);
    CHECK_NEAR(reg.dy, 0, 1.0);
    pixDestroy(&f);
    pixDestroy(&p);
    pixDestroy(&up);
    form_template_destroy(&t);
}

static void
form_register__marks_missing_lines_printed__falls_back_to_lines(void)
{
    FormTemplate *t = load_text(MARKS), *lt = load_text(HEAD);
    CHECK(t != NULL && lt != NULL);
    if (!t || !lt)
        return;
    /* the page of the template without marks: lines only */
    PIX *p = marks_page(lt, 1.1, 10, 5, 0, 1), *up = NULL;
    FormReg reg;
    CHECK(form_register(t, p, &reg, &up) == 0);
    CHECK(reg.fit == 1 && reg.method == FORM_REG_LINES_FALLBACK);
    CHECK(reg.marks_found == 0 && reg.matched == 5);
    CHECK_NEAR(reg.scale, 1.1, 0.005);
    CHECK(!strcmp(form_reg_method_name(reg.method), "lines-fallback"));
    pixDestroy(&up);
    /* and the template without marks: plain lines */
    CHECK(form_register(lt, p, &reg, &up) == 0);
    CHECK(reg.fit == 1 && reg.method == FORM_REG_LINES);
    pixDestroy(&p);
    pixDestroy(&up);
    form_template_destroy(&t);
    form_template_destroy(&lt);
}

static void form_register__neither_marks_nor_lines__refused_naming_marks(void)
{
    FormTemplate *t = load_text(MARKS);
    CHECK(t != NULL);
    if (!t)
        return;
    /* two marks of five, no lines */
    PIX *p = pixCreate(1000, 1400, 1), *up = NULL;
    pixRasterop(p, 40, 40, 40, 40, PIX_SET, NULL, 0, 0);    /* mark 1 */
    pixRasterop(p, 920, 1320, 40, 40, PIX_SET, NULL, 0, 0); /* mark 4 */
    FormReg reg;
    CHECK(form_register(t, p, &reg, &up) == -1);
    CHECK(up == NULL);
    CHECK(strstr(err_get(),
                 "registration marks not found: 2 [940, 60], "
                 "3 [60, 1340], 5 [500, 1340] (2 of 5 found)") != NULL);
    CHECK(strstr(err_get(), "printed lines do not fit either") != NULL);
    if (!strstr(err_get(), "2 of 5"))
        printf("  got: %s\n", err_get());
    pixDestroy(&p);
    form_template_destroy(&t);
}

int main(void)
{
    setMsgSeverity(L_SEVERITY_NONE);
    RUN(form_template_load__marks__in_file_order);
    RUN(form_template_load__bad_marks__mark_index_and_key_at_line_col);
    RUN(form_marks_find__shifted_scaled_page__centres_within_a_pixel);
    RUN(form_marks_find__scale_guess_off__far_marks_found_from_near);
    RUN(form_marks_find__blank_page__none_found);
    RUN(form_marks_find__square_where_disc_expected__not_taken);
    RUN(form_marks_fit__one_blot_among_five__dropped);
    RUN(form_register__marks_page_rotated__recovered_by_marks);
    RUN(form_register__wide_margin_right__marks_found_at_height_ratio);
    RUN(form_register__marks_missing_lines_printed__falls_back_to_lines);
    RUN(form_register__neither_marks_nor_lines__refused_naming_marks);
    TEST_EXIT();
}
