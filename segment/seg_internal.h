/*
 * seg_internal.h - private to segment/: the SegPage layout and the working
 * types shared by seg_page.c, seg_pieces.c, seg_lines.c, seg_glyphs.c,
 * seg_furniture.c and
 * seg_page_io.c (and the helpers of seg_binarize.c, seg_runs.c and
 * seg_skew.c). Nothing outside segment/ includes this file.
 *
 * Design: segmentation works on "pieces": a box plus an owned 0/1 byte mask.
 * A piece starts as one connected component; merging (dots, broken strokes)
 * ORs masks into a union box, splitting (touching glyphs, components that
 * bridge two lines) slices a mask. Because a piece only ever holds pixels of
 * its own components, a glyph mask never shows a neighbour that intrudes into
 * its box.
 */
#ifndef INKPIPE_SEG_INTERNAL_H
#define INKPIPE_SEG_INTERNAL_H

#include "segment/segment.h"

#include <stddef.h>

/* Piece flags. */
#define SEG__DEAD 1u  /* merged into another piece or dropped */
#define SEG__SMALL 2u /* too small to seed a line (dots, accents, fragments) */
#define SEG__TALL 4u  /* taller than a line: may bridge two lines */
#define SEG__DOT 8u   /* a dot of a dotted rule: no glyph (seg__dots_mark) */

typedef struct {
    SegBox box;
    unsigned char *mask; /* box.w * box.h bytes, 0/1; owned */
    int area;            /* ink pixels */
    int line;            /* working line index, -1 = none */
    unsigned flags;
} SegPiece;

typedef struct {
    SegPiece *v;
    int n, cap;
} SegPieces;

/* A line while it is being built: indices into a SegPieces. */
typedef struct {
    int *idx;
    int n, cap;
    SegBox box;
    float slope, b;    /* baseline y = b + slope * x (page coordinates) */
    float x_height;    /* 0 = unknown */
    float cap_height;  /* 0 = unknown */
    float unit;        /* x-height, or its estimate when unknown */
    int block;
    int dead;          /* merged into another line */
} SegWLine;

typedef struct {
    SegWLine *v;
    int n, cap;
} SegWLines;

/* Page-wide measures that every step scales by. */
typedef struct {
    int dpi;          /* given or estimated */
    int dpi_given;    /* 1 when the caller gave it */
    float med_h;      /* median component height (px) */
    float glyph_h;    /* a crop's glyph height (seg__crop_detect), 0 on a
                       * page */
    float med_w;      /* median glyph width after merging (px) */
    int speck_area;   /* components below this many pixels are specks */
} SegMetrics;

struct SegPage {
    int w, h, dpi;
    SegLine *lines;
    int n_lines;
    SegWord *words;
    int n_words;
    SegGlyph *glyphs;
    int n_glyphs;
    size_t *mask_off;         /* n_glyphs offsets into mask_data */
    unsigned char *mask_data; /* all glyph masks, 0/1 bytes */
    size_t mask_bytes;
    SegStats stats;
};

/* seg_page.c */
SegPage *seg__page_alloc(int w, int h, int n_lines, int n_words,
                         int n_glyphs, size_t mask_bytes);

/* seg_pieces.c: runs of ink (a horizontal run in one row: [x0, x1)) */
typedef struct {
    int y, x0, x1;
} SegRun;

typedef struct {
    SegRun *v;
    int n, cap;
} SegRuns;
int seg__row_runs(const l_uint32 *line, int wpl, int w, int y, SegRuns *rs);

/* seg_pieces.c: pieces */
int seg__pieces_push(SegPieces *ps, const SegPiece *p);
void seg__pieces_cleanup(SegPieces *ps);
void seg__pieces_sort_x(const SegPieces *ps, int *idx, int n);
int seg__uf_find(int *parent, int i);
int seg__pieces_from_pix(PIX *pixb, SegPieces *ps);
void seg__piece_drop(SegPiece *p);
int seg__piece_merge(SegPiece *dst, SegPiece *src);
int seg__piece_sub(const SegPiece *p, int x0, int x1, int y0, int y1,
                   SegPiece *out);
int seg__piece_cut_cols(const SegPiece *p, int col, SegPiece *left,
                        SegPiece *right);
int seg__piece_cut_rows(const SegPiece *p, int row, SegPiece *top,
                        SegPiece *bottom);
int seg__pieces_join_stacked(SegPieces *ps, float med_h, SegStats *st);
int seg__glyphs_build(SegPieces *ps, SegWLines *ls, const SegMetrics *m,
                      const SegOptions *opt, const BOXA *cells, int crop,
                      SegStats *st);
int seg__words_mark(const SegPieces *ps, const SegWLines *ls,
                    const SegMetrics *m, const SegOptions *opt,
                    const BOXA *fields,
                    unsigned char *word_start);

/* seg_crop.c */
/* A crop's frame: the box of its ink (what a white margin added around it
 * does not change) and how near (px) a piece must come to a side of it to
 * touch that side. */
typedef struct {
    int x0, y0, x1, y1; /* ink box, x1/y1 exclusive */
    int tol;            /* touch band (px), >= 0 */
    int w, h;           /* the image's size */
} SegFrame;
void seg__crop_frame(const SegPieces *ps, int w, int h, float med_h,
                     SegFrame *f);
int seg__crop_detect(const SegPieces *ps, const SegFrame *f, float *pmed_h);
int seg__crop_main_line(SegPieces *ps, SegWLines *ls, const SegMetrics *m,
                        const SegFrame *f, SegStats *st);
void seg__crop_drop_edge_bits(SegPieces *ps, const SegFrame *f, float med_h,
                              SegStats *st);

/* seg_lines.c */
int seg__wline_push(SegWLine *l, int i);
void seg__wlines_cleanup(SegWLines *ls);
int seg__lines_find(SegPieces *ps, const SegMetrics *m, SegWLines *ls,
                    SegStats *st);
void seg__line_fit(const SegPieces *ps, SegWLine *l, const SegMetrics *m);
void seg__line_update_box(const SegPieces *ps, SegWLine *l);
int seg__lines_order(SegPieces *ps, SegWLines *ls, const SegMetrics *m);
float seg__line_base_at(const SegWLine *l, float x);

/* seg_binarize.c */
PIX *seg__sauvola(PIX *pixg, int half, float k, int skip_paper);
int seg__cell_sums(PIX *pixg, int cell, int nx, int ny, double *i1,
                   double *i2, unsigned char *wmin);
void seg__cell_thresholds(const double *i1, const double *i2, int nx, int ny,
                          int ty, int R, int cell, int w, int h, float k,
                          int simd, float *th);
int seg__ink_extent(PIX *pixb, l_int32 *pon, BOX **pbox);

/* seg_faint.c */
void seg__faint_strip(PIX *pixb, PIX *pixg, float med, int tilted);
int seg__paper_level(PIX *pixg);
int seg__faint_page(PIX *pixb, PIX *pixg, int dpi, float med,
                    float skew_deg);

/* seg_runs.c */
PIX *seg__open_rows(PIX *pixs, int len);
PIX *seg__close_rows(PIX *pixs, int len);
int seg__dwa_line_length(int size, int vertical);
PIX *seg__transpose(PIX *pixs);
PIX *seg__open_cols(PIX *pixs, int len);
PIX *seg__close_cols(PIX *pixs, int len);

/* seg_rotate.c: a grey page turned as the 1 bpp one is by deskew, with
 * interpolation (seg_page_binarize note 8); up to Leptonica's largest
 * 2-shear angle (0.06 rad). */
#define SEG_ROT_MAX_DEG 3.4f
PIX *seg__rotate_grey(PIX *pixg, float angle_deg, const int *box,
                      int paper);

/* seg_skew.c */
int seg__skew_score(PIX *pix, float radang, float *pscore);
int seg__skew_search(PIX *pixs, float *pangle, float *pconf, int red_sweep,
                     int red_search, float sweeprange, float sweepdelta,
                     float minbsdelta);

/* seg_furniture.c */
PIX *seg__furniture_remove(PIX *pixb, int dpi, float med_h, int *premoved,
                           BOXA *fields, BOXA *cells);
int seg__dotted_drop(SegPieces *ps, float med_h, int crop, PIX *src,
                     PIX **pclear);
int seg__dots_mark(SegPieces *ps, int w, int h);
int seg__furniture_possible(const SegPieces *ps, int w, int h, int dpi,
                            float med_h);

/* min/max without libm calls in hot loops (fminf is a call at -O2). */
static inline float seg__fmin(float a, float b) { return a < b ? a : b; }
static inline float seg__fmax(float a, float b) { return a > b ? a : b; }

/* Small helpers (seg_pieces.c). */
int seg__cmp_float(const void *a, const void *b); /* qsort, ascending */
float seg__median_f(float *v, int n); /* sorts v in place; 0 when n == 0 */
int seg__otsu_split_f(const float *sorted, int n, float *pthresh,
                      float *plo_mean, float *phi_mean);

#endif
