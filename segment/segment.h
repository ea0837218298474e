/*
 * segment.h - page binarisation and layout: lines, words and glyphs.
 *
 * Files (prefix seg_):
 *   seg_binarize.c  grey/colour -> 1 bpp (Sauvola / adaptive Otsu), deskew
 *   seg_page.c      seg_page_segment (the driver), SegPage create/destroy/get
 *   seg_page_io.c   save/load of the SegPage artifact
 *   seg_lines.c     text lines, baselines, x-height, reading order
 *   seg_glyphs.c    connected components -> glyphs: specks, i/j dots,
 *                   broken and touching characters, word breaks
 *   seg_furniture.c form furniture: box lines, underlines, comb fields
 *
 * Design: every function is a plain call on Leptonica PIXes; nothing here
 * knows about queues or job files. A SegPage is immutable once built and owns
 * one 0/1 byte mask per glyph, so recognition needs no image at all.
 * Threading: no global state; distinct SegPages may be used from distinct
 * threads.
 */
#ifndef INKPIPE_SEGMENT_H
#define INKPIPE_SEGMENT_H

#include <leptonica/allheaders.h>

/* A resolution below this in a file is taken as "unknown": 72 and 96 dpi
 * are what image software writes when it knows nothing; no scan read for
 * handwriting is that coarse. seg_page_segment then scales from the glyphs. */
#define SEG_MIN_DPI 100
/* The highest resolution seg_page_segment takes (0 = unknown is always
 * taken). */
#define SEG_MAX_DPI 4800

typedef enum {
    SEG_BINARIZE_SAUVOLA = 0,
    SEG_BINARIZE_OTSU = 1
} SegBinarizeMethod;

/* Settings for seg_page_binarize(); seg_binarize_options_init() fills the
 * defaults that configs/reference.yaml documents. */
typedef struct {
    SegBinarizeMethod method; /* default SAUVOLA */
    int window;               /* half-window in px; 0 = from the dpi, or
                               * from the glyphs when far from it */
    float k;                  /* Sauvola k; default 0.2 (docs/segment.md) */
    int deskew;               /* 1 = measure and remove skew (default 1) */
} SegBinarizeOptions;

void seg_binarize_options_init(SegBinarizeOptions *opt);

/* Binarise a page of any depth (1, 8, 16, 32 bpp, colormapped) to 1 bpp with
 * foreground (ink) = 1; deskew when opt->deskew. *pskew_deg [optional]
 * receives the skew that was removed. With pscale, small writing may come
 * back enlarged: *pscale times pixs's size (1 or 2). Returns a new PIX or
 * NULL on error. */
PIX *seg_page_binarize(PIX *pixs, int dpi, const SegBinarizeOptions *opt,
                       float *pskew_deg, int *pscale);

/* Settings for seg_page_segment(); 0 means "derive from the page". */
typedef struct {
    int min_speck_area;  /* components below this many px are specks */
    int remove_furniture; /* 1 = remove box lines, underlines, combs (default 1) */
    int split_touching;  /* 1 = split merged glyphs (default 1) */
    float word_gap;      /* gap (in x-heights) that breaks words; 0 = auto */
    /* [optional] classifier used to score candidate cuts of touching
     * characters: returns the best class confidence (0..1) for a 0/1 byte
     * mask of w x h pixels (row stride w). NULL = geometric cuts only. */
    float (*score)(void *ctx, const unsigned char *mask, int w, int h);
    void *score_ctx;
} SegOptions;

void seg_options_init(SegOptions *opt);

/* Axis-aligned box in page pixels; (x, y) is the top-left pixel. */
typedef struct {
    int x, y, w, h;
} SegBox;

typedef struct {
    SegBox box;
    int line; /* index into lines */
    int word; /* index into words */
} SegGlyph;

typedef struct {
    SegBox box;
    int first_glyph, n_glyphs;
} SegWord;

typedef struct {
    SegBox box;
    float baseline_slope; /* dy/dx of the baseline */
    float baseline_y;     /* baseline y at x = box.x, page pixels */
    float x_height;       /* px; 0 when unknown */
    float cap_height;     /* px above the baseline; 0 when unknown */
    int block;            /* text block (column / form region), reading order */
    int first_word, n_words;
} SegLine;

typedef struct SegPage SegPage;

/* Find lines, words and glyphs on a 1 bpp page (foreground = 1), all in
 * reading order. Returns a new SegPage (caller owns; seg_page_destroy()) or
 * NULL on error. A blank page gives a SegPage with no lines. */
SegPage *seg_page_segment(PIX *pixb, int dpi, const SegOptions *opt);

void seg_page_destroy(SegPage **ppage);

const SegLine *seg_page_get_lines(const SegPage *page, int *pn);
const SegWord *seg_page_get_words(const SegPage *page, int *pn);
const SegGlyph *seg_page_get_glyphs(const SegPage *page, int *pn);

/* The 0/1 byte mask of glyph i, box.w x box.h, row stride box.w; owned by
 * the page. Only the glyph's own components are set (a neighbour that
 * intrudes into the box is not). NULL if i is out of range. */
const unsigned char *seg_page_get_glyph_mask(const SegPage *page, int i);

void seg_page_get_size(const SegPage *page, int *pw, int *ph);

/* Resolution the page was segmented at: the dpi given, or the estimate from
 * glyph heights when the caller gave 0. */
int seg_page_get_dpi(const SegPage *page);

/* Is a w x h image with glyphs glyph_h tall sized as a field or line cut
 * out of a page (a crop, read as its main line) rather than a page? */
int seg_crop_sized(int w, int h, float glyph_h);

/* What segmentation did, for logs and tests (value type). */
typedef struct {
    int n_components;      /* connected components found (8-connectivity) */
    int n_specks;          /* components dropped as specks or stray marks */
    int n_dots_merged;     /* i/j dots and accents joined to their base */
    int n_fragments_merged;/* broken-stroke fragments joined */
    int n_splits;          /* cuts made between touching glyphs */
    int n_bridges_cut;     /* components cut because they joined two lines */
    int furniture_px;      /* ink pixels removed as form furniture */
    int dpi_estimated;     /* 1 when dpi was estimated from glyph heights */
} SegStats;

/* The page's SegStats (owned by the page; all zero for a loaded page except
 * what the artifact stores). */
const SegStats *seg_page_get_stats(const SegPage *page);

/* Artifact between the segment and recognize stages: a versioned,
 * little-endian file. save writes path as given (callers do temp+rename). */
int seg_page_save(const SegPage *page, const char *path);
SegPage *seg_page_load(const char *path);

#endif
