/* test_form_template.c - form templates (forms/form_template.c): parse and
 * validation errors with FILE:LINE:COL, patterns; registration of a page to
 * its template (forms/form_register.c) under a known shift, scale and
 * rotation. */
#include "common/err.h"
#include "common/rng.h"
#include "forms/forms.h"
#include "tests/unit/test.h"
#include "tests/unit/tpl_fixture.h"

#include <string.h>

/* Write text to TEST_TMPDIR/tpl.yaml and load it. */
static FormTemplate *load_text(const char *text)
{
    return tpl_load_text("tpl.yaml", text);
}

static const char GOOD[] = "form: census-1992\n"
                           "size: [1000, 1400]\n"
                           "fields:\n"
                           "  - name: surname\n"
                           "    box: [100, 100, 800, 160]\n"
                           "    charset: upper\n"
                           "  - name: birth_date\n"
                           "    label: Date of birth\n"
                           "    box: [100, 300, 500, 360]\n"
                           "    charset: digits\n"
                           "    cells: 8\n"
                           "    pattern: '[0-9]{8}'\n"
                           "    threshold: 0.8\n"
                           "  - name: consent\n"
                           "    box: [100, 500, 140, 540]\n"
                           "    type: checkbox\n";

static void form_template_load__valid__fields_in_order(void)
{
    FormTemplate *t = load_text(GOOD);
    CHECK(t != NULL);
    if (!t) {
        printf("  %s\n", err_get());
        return;
    }
    int w, h;
    form_template_size(t, &w, &h);
    CHECK(!strcmp(form_template_name(t), "census-1992"));
    CHECK(w == 1000 && h == 1400);
    CHECK(form_template_n_fields(t) == 3);
    const FormField *a = form_template_field(t, 0),
                    *b = form_template_field(t, 1),
                    *c = form_template_field(t, 2);
    CHECK(!strcmp(a->name, "surname") && a->label == NULL);
    CHECK(a->x0 == 100 && a->y0 == 100 && a->x1 == 800 && a->y1 == 160);
    CHECK(a->type == FORM_FIELD_TEXT && a->threshold < 0 && a->cells == 0);
    RecCharset up;
    rec_charset_parse("upper", &up);
    CHECK(a->charset == up);
    CHECK(!strcmp(b->name, "birth_date") && !strcmp(b->label, "Date of birth"));
    CHECK(b->cells == 8 && fabsf(b->threshold - 0.8f) < 1e-6f);
    CHECK(c->type == FORM_FIELD_CHECKBOX);
    CHECK(c->line == 14 && c->col == 5);
    form_template_destroy(&t);
    CHECK(t == NULL);
}

static void form_template_match__pattern__whole_value_only(void)
{
    FormTemplate *t = load_text(GOOD);
    CHECK(t != NULL);
    if (!t)
        return;
    CHECK(form_template_match(t, 1, "12031990") == 1);
    CHECK(form_template_match(t, 1, "1203199") == 0);
    CHECK(form_template_match(t, 1, "120319901") == 0);
    CHECK(form_template_match(t, 1, "") == 0);
    CHECK(form_template_match(t, 0, "ANYTHING") == 1); /* no pattern */
    form_template_destroy(&t);
}

static void form_template_load__fixed_pattern__classes_per_position(void)
{
    FormTemplate *t =
        load_text("form: f\nsize: [100, 100]\nfields:\n"
                  "  - {name: a, box: [1, 1, 50, 50], charset: alnum,"
                  " pattern: '[A-Z]{2}[0-9]{3}X'}\n"
                  "  - {name: b, box: [1, 1, 50, 50], charset: digits,"
                  " pattern: '[0-9]{4}|[0-9]{6}'}\n"
                  "  - {name: c, box: [1, 1, 50, 50], charset: digits,"
                  " pattern: '[0-9]+'}\n");
    CHECK(t != NULL);
    if (!t) {
        printf("  %s\n", err_get());
        return;
    }
    RecCharset up, dig, x;
    rec_charset_parse("upper", &up);
    rec_charset_parse("digits", &dig);
    rec_charset_parse("X", &x);
    const FormField *a = form_template_field(t, 0);
    CHECK(a->n_pos == 6);
    if (a->n_pos == 6)
        CHECK(a->pos[0] == up && a->pos[1] == up && a->pos[2] == dig &&
              a->pos[4] == dig && a->pos[5] == x);
    CHECK(form_template_field(t, 1)->n_pos == 0); /* alternatives */
    CHECK(form_template_field(t, 2)->n_pos == 0); /* any length */
    CHECK(form_template_match(t, 1, "123456") &&
          !form_template_match(t, 1, "12345"));
    form_template_destroy(&t);
}

static void form_template_load__box_outside_page__names_field_at_box(void)
{
    FormTemplate *t = load_text("form: f\n"
                                "size: [1000, 1400]\n"
                                "fields:\n"
                                "  - name: ok\n"
                                "    box: [0, 0, 100, 50]\n"
                                "  - name: phone\n"
                                "    box: [900, 100, 1200, 160]\n");
    CHECK(t == NULL);
    CHECK(tpl_err_at(7, 10,
                 "field 'phone': box [900, 100, 1200, 160] is not "
                 "inside the page [0, 0, 1000, 1400]"));
}

static void form_template_load__unknown_key__file_line_col(void)
{
    FormTemplate *t = load_text("form: f\nsize: [100, 100]\nfields:\n"
                                "  - name: a\n    box: [1, 1, 50, 50]\n"
                                "    colour: red\n");
    CHECK(t == NULL);
    CHECK(tpl_err_at(6, 5, "unknown field key 'colour'"));
}

static void form_template_load__bad_values__file_line_col(void)
{
    CHECK(load_text("form: f\nfields:\n  - name: a\n    box: [1,1,5,5]\n") ==
          NULL);
    CHECK(tpl_err_at(1, 1, "missing key 'size'"));
    CHECK(load_text("form: f\nsize: [100, 100]\nfields:\n  - name: a\n"
                    "    box: [1, 1, 50]\n") == NULL);
    CHECK(tpl_err_at(5, 10, "expected a list of 4 integers for box"));
    CHECK(load_text("form: f\nsize: [100, 100]\nfields:\n  - name: a\n"
                    "    box: [1, 1, 50, 50]\n    charset: 'ab#'\n") == NULL);
    CHECK(tpl_err_at(6, 14, "bad charset"));
    CHECK(load_text("form: f\nsize: [100, 100]\nfields:\n  - name: a\n"
                    "    box: [1, 1, 50, 50]\n    pattern: '[0-9'\n") == NULL);
    CHECK(tpl_err_at(4, 5, "field 'a': bad pattern"));
    CHECK(load_text("form: f\nsize: [100, 100]\nfields:\n  - name: a\n"
                    "    box: [1, 1, 50, 50]\n  - name: a\n"
                    "    box: [1, 1, 50, 50]\n") == NULL);
    CHECK(tpl_err_at(6, 5, "field 'a' is defined twice"));
    CHECK(load_text("form: f\nsize: [100, 100]\nfields:\n  - name: a\n"
                    "    box: [1, 1, 50, 50]\n    threshold: 2\n") == NULL);
    CHECK(tpl_err_at(6, 16, "expected a number in [0, 1] for threshold"));
    CHECK(load_text("form: f\nsize: [100, 100]\nfields: [\n") == NULL);
    CHECK(strstr(err_get(), tpl_path) != NULL);
    CHECK(load_text("form: f\nsize: [100, 100]\nfields:\n  - name: 'a b'\n"
                    "    box: [1, 1, 50, 50]\n") == NULL);
    CHECK(tpl_err_at(4, 11, "use letters, digits"));
}

static void form_template_load__missing_file__names_it(void)
{
    CHECK(form_template_load("/nonexistent/t.yaml") == NULL);
    CHECK(strstr(err_get(), "/nonexistent/t.yaml") != NULL);
}

/* A synthetic page of the template GOOD-like layout below: each field's
 * bottom line drawn at page = s * template + (dx, dy), then the page rotated
 * by deg about its centre, with specks of "handwriting". */
static const char LINES[] =
    "form: lines\n"
    "size: [1000, 1400]\n"
    "fields:\n"
    "  - {name: a, box: [100, 100, 800, 160]}\n"
    "  - {name: b, box: [100, 300, 500, 360], cells: 8}\n"
    "  - {name: c, box: [560, 300, 900, 360]}\n"
    "  - {name: d, box: [100, 500, 700, 560]}\n"
    "  - {name: e, box: [150, 800, 450, 860]}\n"
    "  - {name: f, box: [500, 1000, 950, 1060]}\n"
    "  - {name: g, box: [100, 1200, 140, 1240], type: checkbox}\n";

static PIX *lines_page(const FormTemplate *t, double s, double dx, double dy,
                       double deg)
{
    int w = (int)(1000 * s), h = (int)(1400 * s);
    PIX *p = pixCreate(w, h, 1);
    Rng r;
    rng_seed(&r, 11);
    for (int i = 0; i < form_template_n_fields(t); i++) {
        const FormField *f = form_template_field(t, i);
        if (f->type == FORM_FIELD_CHECKBOX)
            continue;
        int x0 = (int)lround(s * f->x0 + dx), x1 = (int)lround(s * f->x1 + dx);
        int y1 = (int)lround(s * f->y1 + dy);
        pixRasterop(p, x0, y1 - 3, x1 - x0, 3, PIX_SET, NULL, 0, 0);
        /* "writing" standing on the line */
        for (int k = 0; k < 6; k++)
            pixRasterop(p, x0 + 20 + k * 40, y1 - 40, 6, 36, PIX_SET, NULL, 0,
                        0);
    }
    for (int k = 0; k < 300; k++) /* specks */
        pixRasterop(p, rng_int(&r, w - 4), rng_int(&r, h - 4), 3, 3, PIX_SET,
                    NULL, 0, 0);
    if (deg == 0)
        return p;
    PIX *rot = pixRotate(p, (float)(deg * M_PI / 180.0), L_ROTATE_SAMPLING,
                         L_BRING_IN_WHITE, 0, 0);
    pixDestroy(&p);
    return rot;
}

static void form_register__known_shift_scale_rotation__recovered(void)
{
    FormTemplate *t = load_text(LINES);
    CHECK(t != NULL);
    if (!t) {
        printf("  %s\n", err_get());
        return;
    }
    const double cases[][4] = {{1.0, 0, 0, 0},
                               {1.0, 25, -18, 0},
                               {1.5, -30, 40, 0},
                               {0.8, 12, 7, 1.5},
                               {1.2, -20, 15, -2.0}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const double *k = cases[c];
        PIX *p = lines_page(t, k[0], k[1], k[2], k[3]), *up = NULL;
        FormReg reg;
        CHECK(form_register(t, p, &reg, &up) == 0);
        CHECK(reg.fit == 1);
        CHECK(reg.matched == 6 && reg.expected == 6);
        CHECK_NEAR(reg.angle, k[3], 0.15);
        CHECK_NEAR(reg.scale, k[0], 0.005);
        /* within a few px of where the lines were drawn (the rotation
         * back by a sampled angle moves them by a pixel or two) */
        CHECK_NEAR(reg.dx, k[1], 4.0);
        CHECK_NEAR(reg.dy, k[2], 4.0);
        CHECK(reg.residual < 2.0);
        pixDestroy(&p);
        pixDestroy(&up);
    }
    form_template_destroy(&t);
}

static void form_register__blank_page__does_not_fit(void)
{
    FormTemplate *t = load_text(LINES);
    CHECK(t != NULL);
    if (!t)
        return;
    PIX *p = pixCreate(1000, 1400, 1), *up = NULL;
    FormReg reg;
    CHECK(form_register(t, p, &reg, &up) == 0);
    CHECK(reg.fit == 0 && reg.matched == 0);
    pixDestroy(&p);
    pixDestroy(&up);
    form_template_destroy(&t);
}

int main(void)
{
    setMsgSeverity(L_SEVERITY_NONE);
    RUN(form_template_load__valid__fields_in_order);
    RUN(form_template_match__pattern__whole_value_only);
    RUN(form_template_load__fixed_pattern__classes_per_position);
    RUN(form_template_load__box_outside_page__names_field_at_box);
    RUN(form_template_load__unknown_key__file_line_col);
    RUN(form_template_load__bad_values__file_line_col);
    RUN(form_template_load__missing_file__names_it);
    RUN(form_register__known_shift_scale_rotation__recovered);
    RUN(form_register__blank_page__does_not_fit);
    TEST_EXIT();
}
