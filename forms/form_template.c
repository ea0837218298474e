/*
 * form_template.c - the YAML form template (forms.h).
 *
 * Design: libyaml loads the whole (size-capped) file as one document;
 * every node keeps its start mark, so each error is set once as
 * "FILE:LINE:COL: what was expected", like job files. Keys are checked
 * against a fixed list per level; unknown keys, duplicates, a missing
 * `form`, `size` or `fields`, a box outside the page and a pattern that
 * does not compile are refused. The pattern is compiled anchored
 * ("^(P)$", POSIX extended), so it must match the whole value. A pattern
 * that is a fixed sequence of classes and characters, each repeated {n}
 * times at most ("[A-Z]{2}[0-9]{4}"), also gives the classes allowed at
 * each position (FormField.pos), which the reader uses. Registration marks
 * (`marks:`, at least 3, not on one line, inside the page, apart) are
 * checked once the page size is known; an error names the mark's index
 * (1-based) and key.
 * Ownership: form_template_load returns a template the caller frees with
 * form_template_destroy; it is read-only after that.
 */
#include "forms/forms.h"

#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "common/err.h"

#define FORM_MAX_FILE (1 << 20)
#define FORM_MAX_FIELDS 1000
#define FORM_MAX_DIM 100000
#define FORM_MAX_MARKS 64

struct FormTemplate {
    char *name;
    int width, height;
    FormField *fields;
    regex_t *re; /* per field; valid where fields[i].pattern */
    int n;
    FormMark *marks;
    int n_marks;
};

typedef struct {
    const char *file;
    yaml_document_t *doc;
} Ctx;

static int at(const Ctx *c, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Set "FILE:LINE:COL: msg" at node n; returns -1. */
static int at(const Ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set("%s:%zu:%zu: %s", c->file, n->start_mark.line + 1,
                   n->start_mark.column + 1, msg);
}

static const char *scalar(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value
                                       : NULL;
}

/* A non-empty string without control characters (names, labels). */
static int get_string(const Ctx *c, const yaml_node_t *n, const char *key,
                      char **pout)
{
    const char *s = scalar(n);
    if (!s || !*s)
        return at(c, n, "expected a non-empty string for %s", key);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return at(c, n, "%s contains a control character", key);
    free(*pout);
    if (!(*pout = strdup(s)))
        return err_set("out of memory");
    return 0;
}

static int get_int(const Ctx *c, const yaml_node_t *n, const char *key, long lo,
                   long hi, int *pout)
{
    const char *s = scalar(n);
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || !*s || *end || errno || v < lo || v > hi)
        return at(c, n, "expected an integer in [%ld, %ld] for %s", lo, hi,
                  key);
    *pout = (int)v;
    return 0;
}

/* A flow or block list of exactly n integers in [lo, hi]. */
static int get_ints(const Ctx *c, const yaml_node_t *n, const char *key,
                    int cnt, long lo, long hi, int *out)
{
    if (n->type != YAML_SEQUENCE_NODE ||
        n->data.sequence.items.top - n->data.sequence.items.start != cnt)
        return at(c, n, "expected a list of %d integers for %s", cnt, key);
    for (int i = 0; i < cnt; i++) {
        yaml_node_t *it =
            yaml_document_get_node(c->doc, n->data.sequence.items.start[i]);
        if (get_int(c, it, key, lo, hi, &out[i]) < 0)
            return -1;
    }
    return 0;
}

/* Names become CSV columns and JSON keys: letters, digits, _ - . only. */
static int name_ok(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.'))
            return 0;
    return 1;
}

/* The classes a bracket expression "[...]" at s allows (ranges and single
 * characters of our classes); *pend = after the ']'. 0 when unsupported. */
static RecCharset bracket_set(const char *s, const char **pend)
{
    RecCharset set = 0;
    const char *p = s + 1;
    if (*p == '^')
        return 0;
    for (; *p && *p != ']'; p++) {
        int a = (unsigned char)*p, b = a;
        if (p[1] == '-' && p[2] && p[2] != ']') {
            b = (unsigned char)p[2];
            p += 2;
        }
        for (int ch = a; ch <= b; ch++) {
            int k = rec_class_of_char(ch);
            if (k >= 0)
                set |= (RecCharset)1 << k;
        }
    }
    if (*p != ']')
        return 0;
    *pend = p + 1;
    return set;
}

/* Split a pattern made only of classes and letters/digits, each optionally
 * repeated {n} times, into per-position sets. Returns the count (<= max),
 * or 0 when the pattern is anything else (alternatives, *, +, ?, ...). */
static int pattern_positions(const char *pat, RecCharset cs, RecCharset *pos,
                             int max)
{
    int n = 0;
    for (const char *p = pat; *p;) {
        RecCharset set;
        const char *q;
        if (*p == '[') {
            if (!(set = bracket_set(p, &q)))
                return 0;
        } else if (rec_class_of_char((unsigned char)*p) >= 0) {
            set = (RecCharset)1 << rec_class_of_char((unsigned char)*p);
            q = p + 1;
        } else {
            return 0;
        }
        int rep = 1;
        if (*q == '{') {
            char *e;
            long r = strtol(q + 1, &e, 10);
            if (*e != '}' || r < 1 || r > max)
                return 0;
            rep = (int)r;
            q = e + 1;
        }
        if (n + rep > max || !(set & cs))
            return 0;
        for (int k = 0; k < rep; k++)
            pos[n++] = set & cs;
        p = q;
    }
    return n;
}

/* One key (index ki of the field keys) of field f, value node v. */
static int field_key(const Ctx *c, FormField *f, int ki, const yaml_node_t *v)
{
    int rc = 0;
    switch (ki) {
    case 0:
        rc = get_string(c, v, "name", &f->name);
        if (!rc && !name_ok(f->name))
            rc = at(c, v,
                    "field name '%s': use letters, digits, _ - . "
                    "only",
                    f->name);
        break;
    case 1:
        rc = get_ints(c, v, "box", 4, -FORM_MAX_DIM, FORM_MAX_DIM, &f->x0);
        break;
    case 2: {
        const char *s = scalar(v);
        if (!s || rec_charset_parse(s, &f->charset) < 0)
            rc = at(c, v, "bad charset: %s",
                    s ? err_get() : "expected a string");
        break;
    }
    case 3: {
        const char *s = scalar(v);
        if (s && !strcmp(s, "checkbox"))
            f->type = FORM_FIELD_CHECKBOX;
        else if (s && !strcmp(s, "text"))
            f->type = FORM_FIELD_TEXT;
        else
            rc = at(c, v, "expected text or checkbox for type");
        break;
    }
    case 4:
        rc = get_string(c, v, "pattern", &f->pattern);
        break;
    case 5: {
        const char *s = scalar(v);
        char *end;
        double d = s ? strtod(s, &end) : NAN;
        if (!s || !*s || *end || !(d >= 0 && d <= 1))
            rc = at(c, v, "expected a number in [0, 1] for threshold");
        f->threshold = (float)d;
        break;
    }
    case 6:
        rc = get_int(c, v, "cells", 1, 200, &f->cells);
        break;
    case 7:
        rc = get_string(c, v, "label", &f->label);
        break;
    }
    return rc;
}

static int field_load(const Ctx *c, FormTemplate *t, int idx,
                      const yaml_node_t *m)
{
    FormField *f = &t->fields[idx];
    const yaml_node_t *box_node = NULL, *type_node = NULL;
    f->line = (int)m->start_mark.line + 1;
    f->col = (int)m->start_mark.column + 1;
    f->threshold = -1.0f;
    f->charset = REC_CHARSET_ALL;
    if (m->type != YAML_MAPPING_NODE)
        return at(c, m, "expected a field (a mapping with name, box, ...)");
    unsigned seen = 0;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        static const char *const keys[] = {"name",  "box",     "charset",
                                           "type",  "pattern", "threshold",
                                           "cells", "label"};
        const char *ks = scalar(k);
        int ki = -1;
        for (int i = 0; ks && i < (int)(sizeof keys / sizeof keys[0]); i++)
            if (!strcmp(ks, keys[i]))
                ki = i;
        if (ki < 0)
            return at(c, k,
                      "unknown field key '%s'; expected name, box, "
                      "charset, type, pattern, threshold, cells, label",
                      ks ? ks : "?");
        if (seen & (1u << ki))
            return at(c, k, "duplicate key '%s'", ks);
        seen |= 1u << ki;
        if (ki == 1)
            box_node = v;
        if (ki == 3)
            type_node = v;
        int rc = field_key(c, f, ki, v);
        if (rc < 0)
            return -1;
    }
    if (!f->name)
        return at(c, m, "field %d has no name", idx + 1);
    for (int j = 0; j < idx; j++)
        if (!strcmp(t->fields[j].name, f->name))
            return at(c, m, "field '%s' is defined twice (first at line %d)",
                      f->name, t->fields[j].line);
    if (!box_node)
        return at(c, m, "field '%s' has no box", f->name);
    if (f->x0 < 0 || f->y0 < 0 || f->x1 > t->width || f->y1 > t->height ||
        f->x1 - f->x0 < 4 || f->y1 - f->y0 < 4)
        return at(c, box_node,
                  "field '%s': box [%d, %d, %d, %d] is not inside the page "
                  "[0, 0, %d, %d] (x0 < x1, y0 < y1, at least 4 px)",
                  f->name, f->x0, f->y0, f->x1, f->y1, t->width, t->height);
    if (f->type == FORM_FIELD_CHECKBOX && (f->cells || f->pattern))
        return at(c, type_node,
                  "field '%s': a checkbox has no cells or "
                  "pattern",
                  f->name);
    if (f->pattern) {
        size_t n = strlen(f->pattern);
        char *anch = malloc(n + 5);
        if (!anch)
            return err_set("out of memory");
        snprintf(anch, n + 5, "^(%s)$", f->pattern);
        int rc = regcomp(&t->re[idx], anch, REG_EXTENDED | REG_NOSUB);
        free(anch);
        if (rc != 0) {
            char eb[128];
            regerror(rc, &t->re[idx], eb, sizeof eb);
            free(f->pattern);
            f->pattern = NULL; /* nothing compiled to free */
            return at(c, m, "field '%s': bad pattern: %s", f->name, eb);
        }
        RecCharset pos[256];
        int np = pattern_positions(f->pattern, f->charset, pos, 256);
        if (np > 0) {
            if (!(f->pos = malloc((size_t)np * sizeof *f->pos)))
                return err_set("out of memory");
            memcpy(f->pos, pos, (size_t)np * sizeof *pos);
            f->n_pos = np;
        }
    }
    return 0;
}

/* One mark (index idx, 0-based) from its mapping node m; the page size is
 * checked later (mark_check). */
static int mark_load(const Ctx *c, FormMark *mk, int idx, const yaml_node_t *m)
{
    mk->line = (int)m->start_mark.line + 1;
    mk->col = (int)m->start_mark.column + 1;
    mk->shape = FORM_MARK_SQUARE;
    if (m->type != YAML_MAPPING_NODE)
        return at(c, m, "mark %d: expected a mapping {at: [x, y], size: N, "
                  "shape: square|circle}", idx + 1);
    unsigned seen = 0;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        static const char *const keys[] = {"at", "size", "shape"};
        const char *ks = scalar(k);
        int ki = -1;
        for (int i = 0; ks && i < 3; i++)
            if (!strcmp(ks, keys[i]))
                ki = i;
        if (ki < 0)
            return at(c, k, "mark %d: unknown key '%s'; expected at, size, "
                      "shape", idx + 1, ks ? ks : "?");
        if (seen & (1u << ki))
            return at(c, k, "mark %d: duplicate key '%s'", idx + 1, ks);
        seen |= 1u << ki;
        char key[32];
        snprintf(key, sizeof key, "mark %d %s", idx + 1, keys[ki]);
        int xy[2];
        if (ki == 0) {
            if (get_ints(c, v, key, 2, 0, FORM_MAX_DIM, xy) < 0)
                return -1;
            mk->x = xy[0];
            mk->y = xy[1];
        } else if (ki == 1) {
            if (get_int(c, v, key, 6, 1000, &mk->size) < 0)
                return -1;
        } else {
            const char *sv = scalar(v);
            if (sv && !strcmp(sv, "square"))
                mk->shape = FORM_MARK_SQUARE;
            else if (sv && !strcmp(sv, "circle"))
                mk->shape = FORM_MARK_CIRCLE;
            else
                return at(c, v, "mark %d: expected square or circle for shape",
                          idx + 1);
        }
    }
    if (!(seen & 1u))
        return at(c, m, "mark %d has no 'at' ([x, y], its centre)", idx + 1);
    if (!(seen & 2u))
        return at(c, m, "mark %d has no 'size' (side or diameter, px)",
                  idx + 1);
    return 0;
}

/* Check the loaded marks against the page and each other: inside the page,
 * apart, at least 3 and not all on one line. node = the `marks` list. */
static int marks_check(const Ctx *c, const FormTemplate *t,
                       const yaml_node_t *node)
{
    for (int i = 0; i < t->n_marks; i++) {
        const FormMark *a = &t->marks[i];
        yaml_node_t *it = yaml_document_get_node(
            c->doc, node->data.sequence.items.start[i]);
        int h = a->size / 2;
        if (a->x - h < 0 || a->y - h < 0 || a->x + h > t->width ||
            a->y + h > t->height)
            return at(c, it,
                      "mark %d: at [%d, %d] size %d is not inside the page "
                      "[0, 0, %d, %d]",
                      i + 1, a->x, a->y, a->size, t->width, t->height);
        for (int j = 0; j < i; j++) {
            const FormMark *b = &t->marks[j];
            if (abs(a->x - b->x) < (a->size + b->size) / 2 + 4 &&
                abs(a->y - b->y) < (a->size + b->size) / 2 + 4)
                return at(c, it, "mark %d: at overlaps mark %d", i + 1,
                          j + 1);
        }
    }
    if (t->n_marks < 3)
        return at(c, node,
                  "expected at least 3 marks (a fit needs 3), got %d",
                  t->n_marks);
    /* the largest triangle: marks on one line cannot give a rotation */
    double best = 0;
    for (int i = 0; i < t->n_marks; i++)
        for (int j = i + 1; j < t->n_marks; j++)
            for (int k = j + 1; k < t->n_marks; k++) {
                const FormMark *a = &t->marks[i], *b = &t->marks[j],
                               *d = &t->marks[k];
                double ar = fabs((double)(b->x - a->x) * (d->y - a->y) -
                                 (double)(d->x - a->x) * (b->y - a->y));
                best = fmax(best, ar);
            }
    double span = fmax(t->width, t->height);
    if (best < 0.01 * span * span)
        return at(c, node,
                  "marks: all on (nearly) one line; put at least one away "
                  "from the others (e.g. at three corners)");
    return 0;
}

/* The `marks` list into t->marks. */
static int marks_load(const Ctx *c, FormTemplate *t, const yaml_node_t *node)
{
    if (node->type != YAML_SEQUENCE_NODE)
        return at(c, node, "expected a list of marks for marks");
    long n = node->data.sequence.items.top - node->data.sequence.items.start;
    if (n > FORM_MAX_MARKS)
        return at(c, node, "more than %d marks", FORM_MAX_MARKS);
    t->marks = calloc((size_t)n + 1, sizeof *t->marks);
    if (!t->marks)
        return err_set("out of memory");
    for (int i = 0; i < n; i++) {
        yaml_node_t *it = yaml_document_get_node(
            c->doc, node->data.sequence.items.start[i]);
        if (mark_load(c, &t->marks[i], i, it) < 0)
            return -1;
        t->n_marks = i + 1;
    }
    return marks_check(c, t, node);
}

static int template_load_doc(const Ctx *c, FormTemplate *t)
{
    yaml_node_t *root = yaml_document_get_root_node(c->doc);
    if (!root)
        return err_set("%s: empty template", c->file);
    if (root->type != YAML_MAPPING_NODE)
        return at(c, root, "expected a mapping with form, size, fields");
    const yaml_node_t *fields = NULL, *size = NULL, *marks = NULL;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
         p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *ks = scalar(k);
        const yaml_node_t **slot = NULL;
        if (ks && !strcmp(ks, "form")) {
            if (t->name)
                return at(c, k, "duplicate key 'form'");
            if (get_string(c, v, "form", &t->name) < 0)
                return -1;
            continue;
        }
        if (ks && !strcmp(ks, "size"))
            slot = &size;
        else if (ks && !strcmp(ks, "fields"))
            slot = &fields;
        else if (ks && !strcmp(ks, "marks"))
            slot = &marks;
        else
            return at(c, k,
                      "unknown key '%s'; expected form, size, fields, marks",
                      ks ? ks : "?");
        if (*slot)
            return at(c, k, "duplicate key '%s'", ks);
        *slot = v;
    }
    if (!t->name)
        return at(c, root, "missing key 'form' (the template's name)");
    if (!size)
        return at(c, root, "missing key 'size' ([width, height] in px)");
    int wh[2];
    if (get_ints(c, size, "size", 2, 16, FORM_MAX_DIM, wh) < 0)
        return -1;
    t->width = wh[0];
    t->height = wh[1];
    if (!fields)
        return at(c, root, "missing key 'fields' (a list of fields)");
    if (fields->type != YAML_SEQUENCE_NODE ||
        fields->data.sequence.items.top == fields->data.sequence.items.start)
        return at(c, fields, "expected a non-empty list of fields");
    long n =
        fields->data.sequence.items.top - fields->data.sequence.items.start;
    if (n > FORM_MAX_FIELDS)
        return at(c, fields, "more than %d fields", FORM_MAX_FIELDS);
    t->fields = calloc((size_t)n, sizeof *t->fields);
    t->re = calloc((size_t)n, sizeof *t->re);
    if (!t->fields || !t->re)
        return err_set("out of memory");
    for (int i = 0; i < n; i++) {
        t->n = i + 1; /* destroy frees what was filled */
        yaml_node_t *it = yaml_document_get_node(
            c->doc, fields->data.sequence.items.start[i]);
        if (field_load(c, t, i, it) < 0)
            return -1;
    }
    return marks ? marks_load(c, t, marks) : 0;
}

/**
 * Load and validate a form template.
 *
 * @param[in] path  YAML file (at most 1 MiB)
 * @return new template (caller owns; form_template_destroy()), or NULL with
 *         "FILE:LINE:COL: what was expected" (or "FILE: why") in err_get()
 *
 * Notes:
 *   (1) Each field's box must lie inside [0, 0, W, H] of `size`: the error
 *       names the field and quotes the box.
 */
FormTemplate *form_template_load(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        err_set_errno("%s: cannot open the template", path);
        return NULL;
    }
    unsigned char *buf = malloc(FORM_MAX_FILE + 1);
    size_t len = buf ? fread(buf, 1, FORM_MAX_FILE + 1, fp) : 0;
    int rerr = ferror(fp);
    fclose(fp);
    if (!buf || rerr || len > FORM_MAX_FILE || len == 0) {
        err_set("%s: %s", path,
                !buf   ? "out of memory"
                : rerr ? "read error"
                : len  ? "template larger than 1 MiB"
                       : "empty template");
        free(buf);
        return NULL;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    FormTemplate *t = calloc(1, sizeof *t);
    if (!t || !yaml_parser_initialize(&parser)) {
        free(t);
        free(buf);
        err_set("out of memory");
        return NULL;
    }
    yaml_parser_set_input_string(&parser, buf, len);
    int ok = yaml_parser_load(&parser, &doc);
    if (!ok) {
        err_set("%s:%zu:%zu: %s", path, parser.problem_mark.line + 1,
                parser.problem_mark.column + 1,
                parser.problem ? parser.problem : "YAML error");
        yaml_parser_delete(&parser);
        free(buf);
        free(t);
        return NULL;
    }
    Ctx c = {path, &doc};
    int rc = template_load_doc(&c, t);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    free(buf);
    if (rc < 0)
        form_template_destroy(&t);
    return t;
}

/** Free a template; NULL or *pt NULL is a no-op. */
void form_template_destroy(FormTemplate **pt)
{
    if (!pt || !*pt)
        return;
    FormTemplate *t = *pt;
    for (int i = 0; i < t->n; i++) {
        if (t->fields[i].pattern)
            regfree(&t->re[i]);
        free(t->fields[i].name);
        free(t->fields[i].label);
        free(t->fields[i].pattern);
        free(t->fields[i].pos);
    }
    free(t->fields);
    free(t->re);
    free(t->marks);
    free(t->name);
    free(t);
    *pt = NULL;
}

/** The template's `form` name (owned by t). */
const char *form_template_name(const FormTemplate *t)
{
    return t->name;
}

/** The template's page size (`size`), template px. */
void form_template_size(const FormTemplate *t, int *pw, int *ph)
{
    *pw = t->width;
    *ph = t->height;
}

/** Number of registration marks (`marks:`; 0 = none). */
int form_template_n_marks(const FormTemplate *t)
{
    return t->n_marks;
}

/** Registration mark i (0-based, file order); owned by t. */
const FormMark *form_template_mark(const FormTemplate *t, int i)
{
    return &t->marks[i];
}

/** Number of fields. */
int form_template_n_fields(const FormTemplate *t)
{
    return t->n;
}

/** Field i (0-based, template order); owned by t. */
const FormField *form_template_field(const FormTemplate *t, int i)
{
    return &t->fields[i];
}

/**
 * Does a value match field i's pattern?
 *
 * @param[in] t      template
 * @param[in] i      field index
 * @param[in] value  the value read
 * @return 1 when it matches the whole pattern or the field has none, else 0
 */
int form_template_match(const FormTemplate *t, int i, const char *value)
{
    if (!t->fields[i].pattern)
        return 1;
    return regexec(&t->re[i], value, 0, NULL, 0) == 0;
}
