/*
 * output.h - recognised pages as UTF-8 text, hOCR 1.2 and ALTO 4.4.
 *
 * Files (prefix out_):
 *   out_page.c   OutPage create/destroy, save/load of the recognised-page
 *                artifact (versioned, little-endian)
 *   out_text.c   plain UTF-8 text
 *   out_hocr.c   hOCR 1.2 (well-formed XHTML, everything escaped)
 *   out_alto.c   ALTO 4.4 XML (schema-valid, everything escaped)
 *   out_pdf.c    searchable PDF: each page's image under an invisible,
 *                word-by-word text layer
 *   out_json.c   the fields of a form page as JSON (jansson)
 *   out_files.c  the table of formats; the output files of one input, each
 *                published by temp file + rename
 *   out_hocr_read.c  our own hOCR read back into OutPage values
 *   out_review.c the review page: one static HTML file per job (boxes by
 *                confidence, items to check with their crops, glyphs
 *                grouped by character, corrections exported as CSV)
 *
 * Design: OutPage is a plain value type (lines -> words -> glyphs, by index
 * ranges) that the caller fills; writers take FILE* so the caller decides
 * where bytes go (temp file + rename in the pipeline).
 */
#ifndef INKPIPE_OUTPUT_H
#define INKPIPE_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

/* hOCR-style box: x0,y0 top-left inclusive; x1,y1 bottom-right exclusive. */
typedef struct {
    int x0, y0, x1, y1;
} OutBox;

typedef struct {
    OutBox box;
    uint32_t codepoint; /* Unicode scalar */
    float conf;         /* 0..1 */
} OutGlyph;

/* Machine print or handwriting (recognize/rec_hand.c); UNKNOWN = not
 * classified (a page built without the recogniser). */
typedef enum {
    OUT_WORD_UNKNOWN = 0,
    OUT_WORD_HAND,
    OUT_WORD_PRINTED
} OutWordKind;

typedef struct {
    OutBox box;
    int first_glyph, n_glyphs;
    OutWordKind kind;
    float printed; /* P(machine print) 0..1 when kind is set */
} OutWord;

typedef struct {
    OutBox box;
    float baseline_slope;  /* hOCR baseline p1 */
    float baseline_offset; /* hOCR baseline p0: px, relative to box bottom */
    float x_size;          /* line height estimate, px */
    int block;             /* text block index (ocr_carea / ocr_par) */
    int first_word, n_words;
} OutLine;

/* Alternatives kept per character of a field value. */
#define OUT_FIELD_ALTS 3

/* One character of a field value: its box, and the classifier's best
 * classes, most likely first (alt[0] is the character in the value). */
typedef struct {
    OutBox box;
    int n_alts;
    uint32_t alt[OUT_FIELD_ALTS];
    float alt_conf[OUT_FIELD_ALTS];
} OutFieldChar;

typedef enum {
    OUT_FIELD_HANDWRITTEN = 0,
    OUT_FIELD_PRINTED,
    OUT_FIELD_CHECKBOX
} OutFieldKind;

/* One field of a form page (forms/). Strings are owned UTF-8. */
typedef struct {
    char *name;
    char *label;        /* NULL = none */
    char *value;        /* "" when nothing is written */
    float conf;         /* 0..1 */
    OutBox box;         /* page pixels */
    OutFieldKind kind;
    int needs_review;
    OutFieldChar *chars;
    int n_chars;
} OutField;

typedef struct {
    char *image;  /* source path as written in hOCR `image` (owned) */
    int pageno;   /* 0-based page number within the source file */
    int width, height;
    int dpi;      /* 0 = unknown */
    OutLine *lines;
    int n_lines;
    OutWord *words;
    int n_words;
    OutGlyph *glyphs;
    int n_glyphs;
    /* Form fields (forms/), NULL / 0 when the page was not read as a form.
     * form: the template's name, NULL = none. Registration to the
     * template: reg_fit 1 = the page fits; reg_residual (template px),
     * reg_scale, reg_angle (degrees), reg_dx, reg_dy; reg_method how:
     * 0 the printed lines, 1 registration marks, 2 the lines because too
     * few marks were found (forms.h FormRegMethod). out_page_fields_free
     * frees them; out_page_destroy calls it. */
    char *form;
    OutField *fields;
    int n_fields;
    int reg_fit, reg_method;
    float reg_residual, reg_scale, reg_angle, reg_dx, reg_dy;
} OutPage;

/* New page with room for the given counts (arrays zeroed, counts set). */
OutPage *out_page_create(const char *image, int pageno, int width, int height,
                         int dpi, int n_lines, int n_words, int n_glyphs);
void out_page_destroy(OutPage **ppage);
/* Map a page read `factor` times enlarged back to its source's pixels. */
int out_page_shrink(OutPage *page, int factor);
/* Map a page read deskewed by angle_deg back to its image's pixels. */
int out_page_unskew(OutPage *page, float angle_deg);
/* Free the page's form part (form, fields) and zero it. */
void out_page_fields_free(OutPage *page);

/* Artifact format version written by out_page_save(). */
#define OUT_PAGE_VERSION 1
/* ... and for a page with form fields (out_page.c). */
#define OUT_PAGE_VERSION_FORMS 2

int out_page_save(const OutPage *page, const char *path);
OutPage *out_page_load(const char *path);

/* Check that counts, index ranges, boxes and numbers are consistent (the
 * writers and out_page_load() call it). Returns 0 or -1. */
int out_page_check(const OutPage *page);

/* Lines in reading order, words separated by one space, a blank line
 * between blocks, a form feed between pages. Returns 0 or -1. */
int out_text_write(FILE *fp, const OutPage *const *pages, int n_pages);

/* One hOCR document for the pages of one input file. Returns 0 or -1. */
int out_hocr_write(FILE *fp, const OutPage *const *pages, int n_pages);

/* One ALTO 4.4 document for the pages of one input file. Returns 0 or -1. */
int out_alto_write(FILE *fp, const OutPage *const *pages, int n_pages);

/* The image of one page, for formats that embed it (PDF). The boxes of the
 * OutPage are in its pixels. Filled by an OutImageSource; freed by
 * out_image_cleanup(). */
typedef struct {
    struct Pix *pix;     /* [optional] the page (Leptonica PIX: 1, 8 or
                          * 32 bpp, or colormapped), owned */
    unsigned char *jpeg; /* [optional] a JPEG file with exactly these pixels
                          * (the input's own bytes), owned; wins over pix */
    size_t jpeg_len;
} OutImage;

void out_image_cleanup(OutImage *img);

/* Where formats that embed page images get them: the layer that can read
 * inputs (chain/) supplies the function, so output/ reads no input files
 * itself. get() fills *img for one page (its image path and pageno say
 * which) and returns 0, or -1 with the reason in err_get(). */
typedef struct {
    int (*get)(void *ctx, const OutPage *page, OutImage *img);
    void *ctx;
} OutImageSource;

/* One searchable PDF for the pages of one input file: each page's image
 * (from images) under an invisible text layer. Returns 0 or -1. */
int out_pdf_write(FILE *fp, const OutPage *const *pages, int n_pages,
                  const OutImageSource *images);
/* The form fields of the pages of one input as one JSON document:
 * {"source", "template", "pages": [{"page", "registration", "fields"}]}
 * (docs/forms.md). Returns 0 or -1. */
int out_json_write(FILE *fp, const OutPage *const *pages, int n_pages);

/* Output formats (bits). The table in out_files.c names them. */
enum {
    OUT_FORMAT_TXT = 1,
    OUT_FORMAT_HOCR = 2,
    OUT_FORMAT_ALTO = 4,
    OUT_FORMAT_PDF = 8,
    OUT_FORMAT_JSON = 16
};

/* Parse "txt,hocr,alto" into OUT_FORMAT_* bits. Returns 0 or -1. */
int out_formats_parse(const char *list, int *pformats);
/* The known format names, comma-separated, for messages (static string). */
const char *out_formats_names(void);
/* Longest output name without its extension (bytes): NAME.alto.xml, the
 * longest, must fit in a file name (255 bytes). */
#define OUT_NAME_MAX 246
/* 0 when rel can name an input's outputs, else -1 saying why. */
int out_files_check_name(const char *rel);
/* Output names (paths without extension) for n inputs given by their
 * paths with extension; where two share a stem both keep the extension
 * ("scan.png", "scan.tif"). 0, or -1 with *pa, *pb the colliding inputs. */
int out_files_names(const char *const *paths, int n, char **names, int *pa,
                    int *pb);
/* Write OUT/rel.EXT for each format in formats, whole or not at all.
 * Returns 0 or -1. */
int out_files_write(int out_fd, const char *rel, const OutPage *const *pages,
                    int n, int formats);
/* The same, with the page images for formats that embed them (pdf);
 * images may be NULL when no such format is asked for. */
int out_files_write_images(int out_fd, const char *rel,
                           const OutPage *const *pages, int n, int formats,
                           const OutImageSource *images);

/* Read back an hOCR file that out_hocr_write() wrote: *ppages gets a new
 * array of *pn new pages. Returns 0 or -1 ("PATH: byte N: ..."). */
int out_hocr_read(const char *path, OutPage ***ppages, int *pn);

/* ---- The review page (out_review.c, docs/review.md) ----
 * A plain value the caller fills with out_review_add_*: pages, on each page
 * items (a word, or a form field), on each item its glyphs. Strings are
 * copied. Hrefs (page pictures, crops) are written as given, relative to
 * the HTML file; NULL = none. */
typedef struct {
    char *source;      /* input file (shown, escaped) */
    int pageno;        /* 0-based page within the source */
    int width, height; /* page pixels: boxes are in these */
    char *image;       /* href of the (downscaled) page picture, or NULL */
    int first_item, n_items;
} OutReviewPage;

typedef struct {
    char *name;       /* field name or label; NULL for an hOCR word */
    char *value;      /* the value read (UTF-8) */
    float conf;       /* 0..1 */
    int needs_review; /* shown in the list of items to check */
    OutBox box;       /* page pixels */
    int page;         /* index into pages */
    int first_glyph, n_glyphs;
    char *crop;       /* href of its crop, or NULL */
    int listed;       /* set by out_review_select: in the list to check */
} OutReviewItem;

typedef struct {
    uint32_t codepoint;
    float conf;
    OutBox box;
    int item;        /* index into items */
    char *crop;      /* href of its crop, or NULL */
    int grouped;     /* set by out_review_select: shown in the group view */
} OutReviewGlyph;

typedef struct {
    char *title;
    double threshold; /* confidence under which an item needs review */
    OutReviewPage *pages;
    int n_pages, cap_pages;
    OutReviewItem *items;
    int n_items, cap_items;
    OutReviewGlyph *glyphs;
    int n_glyphs, cap_glyphs;
} OutReview;

OutReview *out_review_create(const char *title, double threshold);
void out_review_destroy(OutReview **prv);
/* Append a page / an item of the last page / a glyph of the last item.
 * Return its index, or -1. */
int out_review_add_page(OutReview *rv, const char *source, int pageno,
                        int width, int height);
int out_review_add_item(OutReview *rv, const char *name, const char *value,
                        double conf, int needs_review, OutBox box);
int out_review_add_glyph(OutReview *rv, uint32_t codepoint, double conf,
                         OutBox box);
/* Replace an owned string (page image, item or glyph crop href). */
int out_review_set_href(char **slot, const char *href);
/* Choose what is shown with crops: the max_items least sure items that
 * need review (listed), and per character the per_char least sure glyphs
 * (grouped). Returns 0. */
int out_review_select(OutReview *rv, int max_items, int per_char);
/* Write the page (one HTML5 document, an inline style and script, nothing
 * fetched from the network). Returns 0 or -1. */
int out_review_write(FILE *fp, const OutReview *rv);
/* The OUT_FORMAT_* bits of formats whose file OUT/rel.EXT is missing. */
int out_files_missing(int out_fd, const char *rel, int formats);
/* Remove OUT/rel.EXT in every format. Returns 0 or -1. */
int out_files_remove(int out_fd, const char *rel, int *premoved);

#endif
