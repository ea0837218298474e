/* test_form_find.c - fields without a template (forms/form_find.c): a
 * small synthetic 200 dpi page drawn here with a box holding writing, a
 * comb, an underline, an empty box and a checkbox, their "printed" labels
 * left of or above them; the finder's kinds, order, cells and label
 * places; names made from labels; and the whole read (a random classifier:
 * only the shape of the result is checked). */
#include "common/err.h"
#include "forms/forms.h"
#include "forms/form_int.h"
#include "tests/unit/test.h"

#include <string.h>

static void rect(PIX *p, int x0, int y0, int x1, int y1)
{
    pixRasterop(p, x0, y0, x1 - x0, y1 - y0, PIX_SET, NULL, 0, 0);
}

/* A rectangle's outline, 3 px thick. */
static void frame(PIX *p, int x0, int y0, int x1, int y1)
{
    rect(p, x0, y0, x1, y0 + 3);
    rect(p, x0, y1 - 3, x1, y1);
    rect(p, x0, y0, x0 + 3, y1);
    rect(p, x1 - 3, y0, x1, y1);
}

/* "Printed text": n letter-sized blocks 12 x 20 from x, bottom at y. */
static void text(PIX *p, int x, int y, int n)
{
    for (int k = 0; k < n; k++)
        rect(p, x + k * 16, y - 20, x + k * 16 + 12, y);
}

/* "Handwriting": n crosses of 3 px strokes, 40 px high, from x, bottom y. */
static void writing(PIX *p, int x, int y, int n, int step)
{
    for (int k = 0; k < n; k++) {
        int x0 = x + k * step;
        pixRenderLine(p, x0, y - 40, x0 + 26, y, 3, L_SET_PIXELS);
        pixRenderLine(p, x0 + 26, y - 40, x0, y, 3, L_SET_PIXELS);
    }
}

static PIX *make_page(void)
{
    PIX *p = pixCreate(1400, 1100, 1);
    frame(p, 400, 100, 1200, 180); /* box, label left, written */
    text(p, 100, 160, 7);
    writing(p, 430, 165, 4, 50);
    rect(p, 400, 397, 800, 400); /* comb of 5 cells, label above */
    for (int k = 0; k <= 5; k++)
        rect(p, k == 5 ? 797 : 400 + k * 80, 360, (k == 5 ? 797 : 400 + k * 80) + 3,
             400);
    text(p, 400, 300, 8);
    writing(p, 427, 385, 2, 80);
    rect(p, 400, 597, 1000, 600); /* underline, label left, written */
    text(p, 100, 590, 5);
    writing(p, 420, 585, 3, 45);
    frame(p, 400, 760, 1000, 840); /* empty box, label above */
    text(p, 400, 735, 6);
    frame(p, 400, 930, 450, 980); /* checkbox, label right */
    text(p, 480, 970, 9);
    return p;
}

static void form_find_fields__page_with_five_fields__kinds_order_labels(void)
{
    PIX *p = make_page();
    FormFound *f = NULL;
    int n = -1;
    CHECK(form_find_fields(p, 200, &f, &n) == 0);
    CHECK(n == 5);
    if (n == 5) {
        const FormFoundKind want[5] = {FORM_FOUND_BOX, FORM_FOUND_COMB,
                                       FORM_FOUND_LINE, FORM_FOUND_BOX,
                                       FORM_FOUND_CHECKBOX};
        for (int i = 0; i < 5; i++) {
            CHECK(f[i].kind == want[i]);
            CHECK(f[i].has_label);
            /* a label never overlaps its field */
            CHECK(f[i].label.x1 <= f[i].box.x0 || f[i].label.x0 >= f[i].box.x1 ||
                  f[i].label.y1 <= f[i].box.y0);
        }
        CHECK(f[0].box.x0 == 400 && f[0].box.y0 == 100 && f[0].box.y1 == 180);
        CHECK(f[0].label.x0 == 100 && f[0].label.x1 == 100 + 6 * 16 + 12);
        CHECK(f[1].cells == 5);
        CHECK(f[1].box.y1 == 400 && f[1].box.y0 < 360); /* writing space */
        CHECK(f[1].label.y1 == 300 && f[1].label.x0 == 400);
        CHECK(f[2].box.x0 == 400 && f[2].box.x1 == 1000 && f[2].box.y1 == 600);
        CHECK(f[2].box.y0 <= 585 - 40 && f[2].box.y0 > 500);
        CHECK(f[2].label.x1 == 100 + 4 * 16 + 12 && f[2].label.y1 == 590);
        CHECK(f[3].label.y1 == 735);
        CHECK(f[4].label.x0 == 480 && f[4].label.x1 == 480 + 8 * 16 + 12);
    }
    free(f);
    pixDestroy(&p);
}

static void form_find_fields__blank_page__no_fields(void)
{
    PIX *p = pixCreate(800, 600, 1);
    text(p, 100, 100, 20); /* a line of text is not a rule */
    FormFound *f = NULL;
    int n = -1;
    CHECK(form_find_fields(p, 200, &f, &n) == 0);
    CHECK(n == 0);
    free(f);
    pixDestroy(&p);
}

static void form_find_fields__not_binarised__error(void)
{
    PIX *p = pixCreate(100, 100, 8);
    FormFound *f = NULL;
    int n = 0;
    CHECK(form_find_fields(p, 200, &f, &n) < 0);
    CHECK(strstr(err_get(), "not a binarised page") != NULL);
    pixDestroy(&p);
}

static void form_find_name__labels__lowercase_underscores_deduplicated(void)
{
    char out[64];
    char *used[3] = {"surname", "surname_2", "field_2"};
    form_find_name("Date of birth (DDMMYYYY)", 0, used, 0, out, sizeof out);
    CHECK(!strcmp(out, "date_of_birth_ddmmyyyy"));
    form_find_name("  Member no. ", 0, used, 0, out, sizeof out);
    CHECK(!strcmp(out, "member_no"));
    form_find_name("Surname", 3, used, 3, out, sizeof out);
    CHECK(!strcmp(out, "surname_3"));
    form_find_name(NULL, 1, used, 3, out, sizeof out);
    CHECK(!strcmp(out, "field_2_2"));
    form_find_name("(:)", 4, used, 3, out, sizeof out);
    CHECK(!strcmp(out, "field_5"));
}

static void form_find_page__random_net__every_field_named_empty_box_empty(void)
{
    PIX *p = make_page();
    RecNet *net = rec_net_create("c4,p,f62", 5);
    ChainOptions o;
    chain_options_init(&o);
    FormOptions fo;
    form_options_init(&fo);
    OutPage *op = out_page_create("synthetic.png", 0, 1400, 1100, 200, 0, 0, 0);
    CHECK(net && op);
    if (net && op) {
        CHECK(form_find_page(&fo, &o, net, p, 200, op) == 0);
        CHECK(op->n_fields == 5 && op->form == NULL);
        for (int i = 0; i < op->n_fields; i++) {
            const OutField *f = &op->fields[i];
            CHECK(f->name && f->name[0] && f->value);
            for (int j = 0; j < i; j++)
                CHECK(strcmp(f->name, op->fields[j].name) != 0);
        }
        if (op->n_fields == 5) {
            CHECK(!strcmp(op->fields[3].value, "")); /* the empty box */
            CHECK(op->fields[3].conf == 1.0f);
            CHECK(op->fields[4].kind == OUT_FIELD_CHECKBOX);
            CHECK(!strcmp(op->fields[4].value, "unchecked"));
            CHECK(op->fields[0].n_chars > 0); /* the written box */
        }
    }
    out_page_destroy(&op);
    rec_net_destroy(&net);
    pixDestroy(&p);
}

static void form_labels_parse__names__round_trip_others_refused(void)
{
    FormLabels l = FORM_LABELS_INKPIPE;
    CHECK(form_labels_parse("tesseract", &l) == 0 &&
          l == FORM_LABELS_TESSERACT);
    CHECK(!strcmp(form_labels_name(l), "tesseract"));
    CHECK(form_labels_parse("inkpipe", &l) == 0 && l == FORM_LABELS_INKPIPE);
    CHECK(!strcmp(form_labels_name(l), "inkpipe"));
    CHECK(form_labels_parse("Tesseract", &l) < 0 && l == FORM_LABELS_INKPIPE);
    CHECK(form_labels_parse("", &l) < 0);
}

/* Labels read by Tesseract (needs tesseract-ocr-eng): the same fields and
 * values as with inkpipe's labels (only the label crops go to Tesseract),
 * each named, twice in a row (the reader is reused). */
/* A language list one of whose models is missing: Tesseract itself starts
 * with the others; the check refuses it and names the traineddata and
 * the package; the reader then starts again with what is installed. */
static void form_tess_check__one_language_missing__error_names_it(void)
{
    CHECK(form_tess_check("eng+zzq") < 0);
    CHECK(strstr(err_get(), "'zzq'") && strstr(err_get(), "zzq.traineddata") &&
          strstr(err_get(), "tesseract-ocr-zzq"));
    CHECK(form_tess_check("zz_q+eng") < 0 &&
          strstr(err_get(), "tesseract-ocr-zz-q"));
    CHECK(form_tess_check("eng") == 0);
    CHECK(form_tess_check("fra+eng") == 0); /* another list: restarted */
    form_tess_release();
}

static void form_find_page__tesseract_labels__same_values_named(void)
{
    PIX *p = make_page();
    RecNet *net = rec_net_create("c4,p,f62", 5);
    ChainOptions o;
    chain_options_init(&o);
    FormOptions fo;
    form_options_init(&fo);
    OutPage *a = out_page_create("synthetic.png", 0, 1400, 1100, 200, 0, 0, 0);
    OutPage *b = out_page_create("synthetic.png", 0, 1400, 1100, 200, 0, 0, 0);
    CHECK(net && a && b && form_tess_check(fo.labels_lang) == 0);
    CHECK(fo.labels == FORM_LABELS_TESSERACT); /* the default */
    fo.guess_charset = 0; /* the charset would follow the labels read */
    if (net && a && b) {
        fo.labels = FORM_LABELS_INKPIPE;
        CHECK(form_find_page(&fo, &o, net, p, 200, a) == 0);
        fo.labels = FORM_LABELS_TESSERACT;
        for (int run = 0; run < 2; run++) {
            CHECK(form_find_page(&fo, &o, net, p, 200, b) == 0);
            CHECK(b->n_fields == a->n_fields);
            for (int i = 0; i < a->n_fields && i < b->n_fields; i++) {
                CHECK(!strcmp(a->fields[i].value, b->fields[i].value));
                CHECK(b->fields[i].name && b->fields[i].name[0]);
            }
        }
    }
    form_tess_release();
    form_tess_release(); /* harmless twice */
    out_page_destroy(&a);
    out_page_destroy(&b);
    rec_net_destroy(&net);
    pixDestroy(&p);
}

/* A field value v read as the classifier's best classes (conf 0.6,
 * each with its digit look-alike offered at 0.3 where it has one),
 * through the look-alike rule of fields found without a template. */
static void lookalikes_of(const char *v, char *out, size_t size)
{
    OutFieldChar fc[16];
    OutField of;
    memset(&of, 0, sizeof of);
    memset(fc, 0, sizeof fc);
    char value[32];
    snprintf(value, sizeof value, "%s", v);
    of.value = value;
    of.chars = fc;
    of.conf = 1.0f;
    for (const char *p = v; *p && of.n_chars < 16; p++) {
        if (*p == ' ')
            continue;
        OutFieldChar *c = &fc[of.n_chars++];
        c->n_alts = 1;
        c->alt[0] = (uint32_t)(unsigned char)*p;
        c->alt_conf[0] = 0.6f;
    }
    form__digit_lookalikes(&of);
    snprintf(out, size, "%s", of.value);
}

static void form_digit_lookalikes__digits_misread__digits_codes_kept(void)
{
    char got[32];
    /* digits with look-alike letters among them: digits */
    lookalikes_of("O1 2345", got, sizeof got);
    CHECK(strcmp(got, "01 2345") == 0);
    lookalikes_of("16O9I943", got, sizeof got);
    CHECK(strcmp(got, "16091943") == 0);
    /* another letter: a word, left as read */
    lookalikes_of("RH3637", got, sizeof got);
    CHECK(strcmp(got, "RH3637") == 0);
    /* two capitals and then only digits: a code, left as read (was
     * "068455") */
    lookalikes_of("OG8455", got, sizeof got);
    printf("  OG8455 -> %s\n", got);
    CHECK(strcmp(got, "OG8455") == 0);
    /* one capital before the digits is no code */
    lookalikes_of("O12345", got, sizeof got);
    CHECK(strcmp(got, "012345") == 0);
}

int main(void)
{
    RUN(form_find_fields__page_with_five_fields__kinds_order_labels);
    RUN(form_digit_lookalikes__digits_misread__digits_codes_kept);
    RUN(form_find_fields__blank_page__no_fields);
    RUN(form_find_fields__not_binarised__error);
    RUN(form_find_name__labels__lowercase_underscores_deduplicated);
    RUN(form_find_page__random_net__every_field_named_empty_box_empty);
    RUN(form_labels_parse__names__round_trip_others_refused);
    RUN(form_find_page__tesseract_labels__same_values_named);
    RUN(form_tess_check__one_language_missing__error_names_it);
    TEST_EXIT();
}
