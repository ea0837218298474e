/* test_out_json.c - the form fields as JSON (output/out_json.c) and kept in
 * the page artifact (output/out_page.c, version 2). */
#include "common/err.h"
#include "output/output.h"
#include "tests/unit/test.h"

#include <jansson.h>
#include <string.h>
#include <unistd.h>

/* A page with two fields: a text field of two characters, a checkbox. */
static OutPage *form_page(const char *image)
{
    OutPage *p = out_page_create(image, 0, 1000, 1400, 200, 0, 0, 0);
    if (!p)
        return NULL;
    p->form = strdup("card");
    p->reg_fit = 1;
    p->reg_residual = 0.5f;
    p->reg_scale = 0.9f;
    p->n_fields = 2;
    p->fields = calloc(2, sizeof *p->fields);
    OutField *a = &p->fields[0], *b = &p->fields[1];
    a->name = strdup("zip");
    a->label = strdup("Post, code");
    a->value = strdup("42");
    a->conf = 0.81f;
    a->box = (OutBox){10, 20, 110, 60};
    a->kind = OUT_FIELD_HANDWRITTEN;
    a->n_chars = 2;
    a->chars = calloc(2, sizeof *a->chars);
    a->chars[0] =
        (OutFieldChar){{10, 20, 50, 60}, 2, {'4', '9', 0}, {0.9f, 0.1f, 0}};
    a->chars[1] =
        (OutFieldChar){{60, 20, 100, 60}, 1, {'2', 0, 0}, {0.9f, 0, 0}};
    b->name = strdup("consent");
    b->value = strdup("checked");
    b->conf = 1.0f;
    b->box = (OutBox){10, 100, 50, 140};
    b->kind = OUT_FIELD_CHECKBOX;
    b->needs_review = 1;
    return p;
}

static json_t *write_and_parse(const OutPage *const *pages, int n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    int rc = out_json_write(fp, pages, n);
    fclose(fp);
    json_error_t e;
    json_t *j = rc == 0 ? json_loadb(buf, len, 0, &e) : NULL;
    free(buf);
    return j;
}

static void out_json_write__form_page__shape_and_field_order(void)
{
    OutPage *p = form_page("scans/a\xff.png");
    CHECK(p != NULL);
    const OutPage *pages[1] = {p};
    json_t *j = write_and_parse(pages, 1);
    CHECK(j != NULL);
    if (j) {
        CHECK(!strcmp(json_string_value(json_object_get(j, "source")),
                      "scans/a\xef\xbf\xbd.png")); /* bad byte -> U+FFFD */
        CHECK(
            !strcmp(json_string_value(json_object_get(j, "template")), "card"));
        json_t *pg = json_array_get(json_object_get(j, "pages"), 0);
        CHECK(json_integer_value(json_object_get(pg, "page")) == 0);
        CHECK(json_is_true(
            json_object_get(json_object_get(pg, "registration"), "fit")));
        json_t *fs = json_object_get(pg, "fields");
        CHECK(json_array_size(fs) == 2);
        json_t *a = json_array_get(fs, 0), *b = json_array_get(fs, 1);
        CHECK(!strcmp(json_string_value(json_object_get(a, "name")), "zip"));
        CHECK(!strcmp(json_string_value(json_object_get(a, "label")),
                      "Post, code"));
        CHECK(!strcmp(json_string_value(json_object_get(a, "value")), "42"));
        CHECK_NEAR(json_real_value(json_object_get(a, "confidence")), 0.81,
                   1e-4);
        CHECK(!strcmp(json_string_value(json_object_get(a, "kind")),
                      "handwritten"));
        CHECK(json_is_false(json_object_get(a, "needs_review")));
        CHECK(json_integer_value(
                  json_array_get(json_object_get(a, "bbox"), 2)) == 110);
        json_t *c0 = json_array_get(json_object_get(a, "chars"), 0);
        json_t *alts = json_object_get(c0, "alternatives");
        CHECK(json_array_size(alts) == 2);
        CHECK(!strcmp(
            json_string_value(json_object_get(json_array_get(alts, 1), "char")),
            "9"));
        CHECK(
            !strcmp(json_string_value(json_object_get(b, "name")), "consent"));
        CHECK(json_is_null(json_object_get(b, "label")));
        CHECK(
            !strcmp(json_string_value(json_object_get(b, "kind")), "checkbox"));
        CHECK(json_is_true(json_object_get(b, "needs_review")));
        CHECK(json_array_size(json_object_get(b, "chars")) == 0);
    }
    json_decref(j);
    out_page_destroy(&p);
}

static void out_json_write__no_template__null_and_no_fields(void)
{
    OutPage *p = out_page_create("x.png", 0, 10, 10, 0, 0, 0, 0);
    const OutPage *pages[1] = {p};
    json_t *j = write_and_parse(pages, 1);
    CHECK(j != NULL);
    if (j) {
        CHECK(json_is_null(json_object_get(j, "template")));
        json_t *pg = json_array_get(json_object_get(j, "pages"), 0);
        CHECK(json_array_size(json_object_get(pg, "fields")) == 0);
    }
    json_decref(j);
    out_page_destroy(&p);
}

static void out_page_save__form_page__fields_round_trip(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/form.rec", test_tmpdir());
    OutPage *p = form_page("a.png"), *q = NULL;
    CHECK(out_page_save(p, path) == 0);
    CHECK((q = out_page_load(path)) != NULL);
    if (q) {
        CHECK(q->form && !strcmp(q->form, "card"));
        CHECK(q->reg_fit == 1 && fabsf(q->reg_scale - 0.9f) < 1e-6f);
        CHECK(q->n_fields == 2);
        CHECK(!strcmp(q->fields[0].label, "Post, code"));
        CHECK(q->fields[1].label == NULL);
        CHECK(!strcmp(q->fields[1].value, "checked"));
        CHECK(q->fields[1].needs_review == 1);
        CHECK(q->fields[0].n_chars == 2 && q->fields[0].chars[0].alt[1] == '9');
        CHECK(q->fields[0].chars[1].box.x1 == 100);
    } else {
        printf("  %s\n", err_get());
    }
    out_page_destroy(&q);
    /* a page without fields stays version 1 */
    OutPage *plain = out_page_create("b.png", 0, 10, 10, 0, 0, 0, 0);
    CHECK(out_page_save(plain, path) == 0);
    FILE *fp = fopen(path, "rb");
    unsigned char hdr[12] = {0};
    CHECK(fp && fread(hdr, 1, 12, fp) == 12);
    if (fp)
        fclose(fp);
    CHECK(hdr[8] == 1);
    /* a cut form block is refused */
    CHECK(out_page_save(p, path) == 0);
    fp = fopen(path, "r+b");
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fclose(fp);
    CHECK(truncate(path, n - 9) == 0);
    CHECK((q = out_page_load(path)) == NULL);
    out_page_destroy(&q);
    out_page_destroy(&plain);
    out_page_destroy(&p);
}

int main(void)
{
    RUN(out_json_write__form_page__shape_and_field_order);
    RUN(out_json_write__no_template__null_and_no_fields);
    RUN(out_page_save__form_page__fields_round_trip);
    TEST_EXIT();
}
