/*
 * output.h - recognised pages as UTF-8 text, hOCR 1.2 and ALTO 4.4.
 *
 * Files (prefix out_):
 *   out_page.c   OutPage create/destroy, save/load of the recognised-page
 *                artifact (versioned, little-endian)
 *   out_text.c   plain UTF-8 text
 *   out_hocr.c   hOCR 1.2 (well-formed XHTML, everything escaped)
 *   out_alto.c   ALTO 4.4 XML (schema-valid, everything escaped)
 *   out_files.c  the table of formats; the output files of one input, each
 *                published by temp file + rename
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

typedef struct {
    OutBox box;
    int first_glyph, n_glyphs;
} OutWord;

typedef struct {
    OutBox box;
    float baseline_slope;  /* hOCR baseline p1 */
    float baseline_offset; /* hOCR baseline p0: px, relative to box bottom */
    float x_size;          /* line height estimate, px */
    int block;             /* text block index (ocr_carea / ocr_par) */
    int first_word, n_words;
} OutLine;

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
} OutPage;

/* New page with room for the given counts (arrays zeroed, counts set). */
OutPage *out_page_create(const char *image, int pageno, int width, int height,
                         int dpi, int n_lines, int n_words, int n_glyphs);
void out_page_destroy(OutPage **ppage);

/* Artifact format version written by out_page_save(). */
#define OUT_PAGE_VERSION 1

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

/* Output formats (bits). The table in out_files.c names them. */
enum {
    OUT_FORMAT_TXT = 1,
    OUT_FORMAT_HOCR = 2,
    OUT_FORMAT_ALTO = 4
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
/* Write OUT/rel.EXT for each format in formats, whole or not at all.
 * Returns 0 or -1. */
int out_files_write(int out_fd, const char *rel, const OutPage *const *pages,
                    int n, int formats);
/* The OUT_FORMAT_* bits of formats whose file OUT/rel.EXT is missing. */
int out_files_missing(int out_fd, const char *rel, int formats);
/* Remove OUT/rel.EXT in every format. Returns 0 or -1. */
int out_files_remove(int out_fd, const char *rel, int *premoved);

#endif
