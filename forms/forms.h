/*
 * forms.h - forms: field values read from a page against a template.
 *
 * Files (prefix form_):
 *   form_template.c  the YAML template (libyaml): load, validate with
 *                    FILE:LINE:COL messages, accessors
 *   form_marks.c     registration marks: find the template's marks on a
 *                    page, fit a similarity, turn the page upright
 *   form_register.c  align a binarised page to the template from its
 *                    marks (form_marks.c) or from the form's printed
 *                    lines (skew, scale, shift; residual)
 *   form_read.c      cut each field from the registered page, remove its
 *                    box / comb / underline, read it with its own charset
 *                    (chain.h) or decide a checkbox; fill OutPage.fields
 *   form_find.c      without a template: find the printed boxes, combs,
 *                    underlines and checkboxes of a page and the printed
 *                    label next to each, read them in reading order
 *
 * Design: a layer between chain/ (which it calls to read a field crop the
 * way a page is read) and pipeline/ (whose job key forms.template loads a
 * template). A template is immutable once loaded, so one template may be
 * shared by threads; the reading functions own nothing between calls.
 * Coordinates: template pixels in the template; page pixels (of the
 * binarised, deskewed page, like hOCR boxes) in the results.
 */
#ifndef INKPIPE_FORMS_H
#define INKPIPE_FORMS_H

#include <leptonica/allheaders.h>

#include "chain/chain.h"
#include "output/output.h"
#include "recognize/recognize.h"

typedef enum { FORM_FIELD_TEXT = 0, FORM_FIELD_CHECKBOX } FormFieldType;

/* One field of a template (read-only to callers). */
typedef struct {
    char *name;
    char *label;        /* NULL = none given */
    int x0, y0, x1, y1; /* box, template px; x1, y1 exclusive */
    FormFieldType type;
    RecCharset charset;
    int cells;       /* comb: one character per cell; 0 = free text */
    char *pattern;   /* POSIX ERE the whole value must match; NULL */
    float threshold; /* < 0: the job's (FormOptions.threshold) */
    /* When the pattern is a fixed sequence of classes ("[A-Z]{2}[0-9]{4}"):
     * the classes allowed at each position (within charset); else 0. */
    int n_pos;
    RecCharset *pos;
    int line, col; /* where the field starts in the file */
} FormField;

/* The shape of a registration mark: a filled square or a filled disc. */
typedef enum { FORM_MARK_SQUARE = 0, FORM_MARK_CIRCLE } FormMarkShape;

/* One registration mark of a template (`marks:`): its centre and side (or
 * diameter), template px. */
typedef struct {
    int x, y, size;
    FormMarkShape shape;
    int line, col; /* where the mark starts in the file */
} FormMark;

typedef struct FormTemplate FormTemplate;

/* Load and validate a template. NULL on error ("FILE:LINE:COL: ..."). */
FormTemplate *form_template_load(const char *path);
void form_template_destroy(FormTemplate **pt);
const char *form_template_name(const FormTemplate *t);
void form_template_size(const FormTemplate *t, int *pw, int *ph);
int form_template_n_fields(const FormTemplate *t);
const FormField *form_template_field(const FormTemplate *t, int i);
/* Registration marks (0 when the template has none); mark i owned by t. */
int form_template_n_marks(const FormTemplate *t);
const FormMark *form_template_mark(const FormTemplate *t, int i);
/* 1 when value matches field i's pattern (or it has none), else 0. */
int form_template_match(const FormTemplate *t, int i, const char *value);

/* Where a page lies relative to the template: page = scale * template +
 * (dx, dy) on the page turned upright (by -angle degrees about its
 * centre, pixRotate's sense: the page's own rotation is angle). */
typedef enum {
    FORM_REG_LINES = 0,    /* from the printed lines (no marks in the
                            * template) */
    FORM_REG_MARKS,        /* from the registration marks */
    FORM_REG_LINES_FALLBACK /* the template has marks, but fewer than 3
                            * were found (or they did not fit): lines */
} FormRegMethod;

typedef struct {
    double scale, angle, dx, dy;
    double residual; /* RMS misfit of the matched lines (marks), template px */
    int matched;     /* template lines (marks) found and used */
    int expected;    /* template lines (marks) looked for */
    int fit;         /* 1 = the page fits the template */
    FormRegMethod method;
    int marks_found; /* marks found on the page (of the template's) */
} FormReg;

/* "lines" | "marks" | "lines-fallback". */
const char *form_reg_method_name(FormRegMethod m);

/* The largest residual (template px) of a page that fits. */
#define FORM_MAX_RESIDUAL 4.0

/* Register a 1 bpp page to the template; *pdeskewed = the page rotated
 * upright (caller owns). 0, or -1 on error (a page that does not fit is
 * not an error: reg->fit = 0; but a template with marks refuses a page
 * that neither its marks nor its lines fit: -1, naming the marks not
 * found). */
int form_register(const FormTemplate *t, PIX *pixb, FormReg *reg,
                  PIX **pdeskewed);

/* ---- Registration marks (form_marks.c) ---- */

/* Where a template mark was found on a page (page px). */
typedef struct {
    int found;   /* 1 = a mark of its shape and size near where expected */
    int used;    /* 1 = kept by the fit (not dropped as an outlier) */
    double x, y; /* its centre on the page */
} FormMarkHit;

/* A similarity: page = scale * R(angle) * template + (dx, dy), R turning
 * the way pixRotate does for a positive angle (degrees). */
typedef struct {
    double scale, angle, dx, dy;
    double residual; /* RMS misfit of the marks used, template px */
    int used;        /* marks the fit used */
} FormMarkFit;

/* Look for each of the n marks on a 1 bpp page near where it would be if
 * the page were the template scaled by scale0 (0 = page width / template
 * width tw). hits[n] out. Returns the count found, or -1 on error. */
int form_marks_find(const FormMark *marks, int n, int tw, PIX *pixb,
                    double scale0, FormMarkHit *hits);

/* Fit a similarity to the found marks (>= 3), dropping the worst while
 * the residual is over FORM_MAX_RESIDUAL and more than 3 are left. 0, or
 * -1 (no message) when fewer than 3 were found. */
int form_marks_fit(const FormMark *marks, int n, FormMarkHit *hits,
                   FormMarkFit *fit);

/* Register a page by the template's marks: 1 = registered (reg filled,
 * method FORM_REG_MARKS, *pdeskewed the page turned upright, caller
 * owns); 0 = too few marks found or they do not fit (reg->marks_found
 * set, hits tell which); -1 on error. hits has room for every mark. */
int form_marks_register(const FormTemplate *t, PIX *pixb, FormReg *reg,
                        PIX **pdeskewed, FormMarkHit *hits);

/* Who reads the printed labels of fields found without a template. */
typedef enum {
    FORM_LABELS_INKPIPE = 0, /* our classifier, every class */
    FORM_LABELS_TESSERACT    /* Tesseract (forms.labels_lang, LSTM, one line) */
} FormLabels;

/* "inkpipe" | "tesseract" -> *out; -1 (no message) for any other name. */
int form_labels_parse(const char *s, FormLabels *out);
const char *form_labels_name(FormLabels l);

/* Longest `forms.labels_lang` (with its NUL). */
#define FORM_LANG_MAX 64
/* The default label languages: French first, then English. */
#define FORM_LANG_DEFAULT "fra+eng"

/* Check a Tesseract language list ("fra+eng": names of letters, digits and
 * '_', joined by '+') and copy it into out (FORM_LANG_MAX bytes). 0, or -1
 * (message says what is wrong). */
int form_labels_lang_parse(const char *s, char *out);

/* 0 when Tesseract and the model of every language of langs can be
 * started here (the process's reader is started with them and kept), else
 * -1 (message names the missing traineddata and what to install). */
int form_tess_check(const char *langs);
/* End this process's Tesseract reader (started by the first label it
 * read); harmless when none was. */
void form_tess_release(void);

typedef struct {
    float threshold; /* needs_review below this (fields without their own) */
    FormLabels labels; /* `forms.labels`: who reads found fields' labels */
    /* `forms.labels_lang`: Tesseract's languages for them
     * (FORM_LANG_DEFAULT) */
    char labels_lang[FORM_LANG_MAX];
    /* `forms.guess_charset`: a found field's charset from its label's words
     * (form_label_charset), else the job's */
    int guess_charset;
} FormOptions;

void form_options_init(FormOptions *fo);

/* Read every field of the template from a binarised page and store them,
 * with the registration, in op (op->form, op->fields, op->reg_*). o gives
 * the page-chain options (its charset is replaced per field). 0 or -1
 * (message names file, page and field). */
int form_read_page(const FormTemplate *t, const FormOptions *fo,
                   const ChainOptions *o, RecNet *net, PIX *pixb, int dpi,
                   OutPage *op);

/* ---- Fields without a template (form_find.c) ---- */

typedef enum {
    FORM_FOUND_BOX = 0, /* a closed rectangle */
    FORM_FOUND_COMB,    /* a base line (or box) with evenly spaced walls */
    FORM_FOUND_LINE,    /* an underline */
    FORM_FOUND_CHECKBOX /* a small square */
} FormFoundKind;

/* A printed field found on a page (page px, x1, y1 exclusive). */
typedef struct {
    FormFoundKind kind;
    OutBox box;    /* the field: y1 is its base line's bottom; an underline's
                    * or comb's y0 is the top of the writing space above it */
    int cells;     /* comb: cell count; else 0 */
    int has_label; /* 1 = label is the printed text next to it */
    OutBox label;
} FormFound;

/* Find the fields of a binarised, upright page, in reading order (rows
 * top to bottom, left to right in a row). *pf (caller frees) may be NULL
 * when *pn = 0. dpi 0 = unknown (sizes then scale with the page width).
 * 0 or -1 (message set). */
int form_find_fields(PIX *pixb, int dpi, FormFound **pf, int *pn);

/* ---- Label text (form_label.c) ---- */

/* Clean a label read from the page, in place: trailing colon (" :") and
 * white space dropped, letters printed apart joined ("N O M", "P RENOM"). */
void form_label_clean(char *s);
/* The label as ASCII words: lower case, accents dropped ("Prénom" ->
 * "prenom"), runs of other characters one '_', none at the ends. */
void form_label_slug(const char *label, char *out, size_t n);
/* 1 and *out when the label's words ask for a charset (date, phone, code
 * postal... digits; nom, prénom, name... upper), else 0. */
int form_label_charset(const char *label, RecCharset *out);

/* A field name made from a label: its slug (form_label_slug); "field_N"
 * (N = index + 1) when nothing is left or label is NULL; "_2", "_3"...
 * appended while it equals one of used[0..n_used). Writes at most n bytes
 * into out. */
void form_find_name(const char *label, int index, char *const *used,
                    int n_used, char *out, size_t n);

/* Find the fields of a binarised page and read them (labels with the
 * recognizer, values with the field reader, charset o->charset) into op
 * (op->fields; op->form stays NULL). 0 or -1 (message names the page). */
int form_find_page(const FormOptions *fo, const ChainOptions *o, RecNet *net,
                   PIX *pixb, int dpi, OutPage *op);

#endif
