/*
 * out_json.c - the form fields of one input file as JSON (`-f json`).
 *
 * Design: one document per input, built with jansson and dumped at once:
 *
 *   {"source": PATH, "template": NAME-or-null,
 *    "pages": [{"page": 0, "registration": {...} or null,
 *               "fields": [FIELD, ...]}, ...]}
 *
 * FIELD is {"name", "label" (or null), "value", "confidence" (0-1),
 * "bbox" [x0, y0, x1, y1] (page pixels), "kind" (handwritten, printed,
 * checkbox), "needs_review", "chars": [{"char", "confidence", "bbox",
 * "alternatives": [{"char", "confidence"}, ...]}]}. Fields are written in
 * the page's order (the template's order when there is one, else reading
 * order). Every string
 * goes through strict UTF-8 decoding (bad bytes become U+FFFD), so any file
 * name gives valid JSON. A page without form fields has "fields": [].
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "output/out_int.h"
#include "output/output.h"

/* A JSON string from bytes that may not be UTF-8 (NULL -> null). */
static json_t *jstr(const char *s)
{
    if (!s)
        return json_null();
    size_t n = strlen(s), k = 0;
    char *t = malloc(n * 3 + 1);
    if (!t)
        return NULL;
    for (size_t i = 0; i < n;) {
        size_t adv;
        uint32_t cp =
            out__utf8_decode((const unsigned char *)s + i, n - i, &adv);
        k += (size_t)out__utf8_encode(cp, t + k);
        i += adv;
    }
    t[k] = '\0';
    json_t *j = json_stringn(t, k);
    free(t);
    return j;
}

static json_t *jcp(uint32_t cp)
{
    char b[5];
    int n = out__utf8_encode(cp, b);
    return json_stringn(b, (size_t)n);
}

/* A confidence rounded to 4 decimals, within [0, 1]. */
static json_t *jconf(float c)
{
    double v = isfinite(c) ? c : 0.0;
    v = v < 0 ? 0 : v > 1 ? 1 : v;
    return json_real(round(v * 1e4) / 1e4);
}

static json_t *jbox(const OutBox *b)
{
    return json_pack("[iiii]", b->x0, b->y0, b->x1, b->y1);
}

static const char *kind_name(OutFieldKind k)
{
    return k == OUT_FIELD_CHECKBOX  ? "checkbox"
           : k == OUT_FIELD_PRINTED ? "printed"
                                    : "handwritten";
}

static json_t *char_json(const OutFieldChar *c)
{
    json_t *alts = json_array();
    for (int a = 0; alts && a < c->n_alts; a++)
        json_array_append_new(alts,
                              json_pack("{s:o,s:o}", "char", jcp(c->alt[a]),
                                        "confidence", jconf(c->alt_conf[a])));
    return json_pack("{s:o,s:o,s:o,s:o}", "char",
                     c->n_alts ? jcp(c->alt[0]) : json_string(""), "confidence",
                     jconf(c->n_alts ? c->alt_conf[0] : 0.f), "bbox",
                     jbox(&c->box), "alternatives", alts);
}

static json_t *field_json(const OutField *f)
{
    json_t *chars = json_array();
    for (int i = 0; chars && i < f->n_chars; i++)
        json_array_append_new(chars, char_json(&f->chars[i]));
    return json_pack("{s:o,s:o,s:o,s:o,s:o,s:s,s:b,s:o}", "name",
                     jstr(f->name ? f->name : ""), "label", jstr(f->label),
                     "value", jstr(f->value ? f->value : ""), "confidence",
                     jconf(f->conf), "bbox", jbox(&f->box), "kind",
                     kind_name(f->kind), "needs_review", f->needs_review,
                     "chars", chars);
}

static json_t *page_json(const OutPage *p)
{
    json_t *fields = json_array(), *reg = json_null();
    for (int i = 0; fields && i < p->n_fields; i++)
        json_array_append_new(fields, field_json(&p->fields[i]));
    if (p->form)
        reg = json_pack("{s:b,s:s,s:f,s:f,s:f,s:f,s:f}", "fit", p->reg_fit,
                        "method",
                        p->reg_method == 1   ? "marks"
                        : p->reg_method == 2 ? "lines-fallback"
                                             : "lines",
                        "residual", round(p->reg_residual * 100.0) / 100.0,
                        "scale", round(p->reg_scale * 1e4) / 1e4, "angle",
                        round(p->reg_angle * 100.0) / 100.0, "dx",
                        round(p->reg_dx * 10.0) / 10.0, "dy",
                        round(p->reg_dy * 10.0) / 10.0);
    return json_pack("{s:i,s:o,s:o}", "page", p->pageno, "registration", reg,
                     "fields", fields);
}

/**
 * Write the form fields of an input's pages as one JSON document.
 *
 * @param[in] fp       destination
 * @param[in] pages    the input's pages in order (>= 1)
 * @param[in] n_pages  their count
 * @return 0, or -1 (nothing sensible written; message set)
 *
 * Notes:
 *   (1) "source" is the first page's image path; "template" the first
 *       page's form name, or null when the pages were not read against a
 *       template (then "fields" are the ones found on the page, in
 *       reading order: forms/form_find.c, or [] when none were looked for).
 */
int out_json_write(FILE *fp, const OutPage *const *pages, int n_pages)
{
    if (n_pages < 1)
        return err_set("json: no page");
    json_t *arr = json_array();
    for (int i = 0; arr && i < n_pages; i++) {
        json_t *pj = page_json(pages[i]);
        if (!pj || json_array_append_new(arr, pj) < 0) {
            json_decref(arr);
            return err_set("json: page %d: out of memory", i + 1);
        }
    }
    json_t *doc = json_pack("{s:o,s:o,s:o}", "source", jstr(pages[0]->image),
                            "template", jstr(pages[0]->form), "pages", arr);
    if (!doc)
        return err_set("json: out of memory");
    int rc = json_dumpf(doc, fp, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (rc != 0 || fputc('\n', fp) == EOF)
        return err_set("json: write failed");
    return 0;
}
