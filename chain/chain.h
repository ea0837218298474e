/*
 * chain.h - the page chain: one page of a scan through read -> binarize ->
 * segment -> recognize, written once.
 *
 * Files (prefix chain_): chain.c.
 *
 * Design: every caller that turns a page into an OutPage — the spool's
 * stages (pipeline/stage.c, one step per stage with artifacts between
 * them), `inkpipe ocr` (all steps in one process) and the benchmarks —
 * calls these functions with one ChainOptions value, so they cannot drift
 * apart. Each step names the file and page in its error message. The
 * classifier's precision is not an option here: it is a property of the
 * loaded RecNet, resolved once when the model is loaded (rec_net_load +
 * rec_net_set_precision by whoever loads it).
 */
#ifndef INKPIPE_CHAIN_H
#define INKPIPE_CHAIN_H

#include <stdint.h>
#include <leptonica/allheaders.h>

#include "output/output.h"
#include "recognize/rec_lm.h"
#include "recognize/recognize.h"
#include "segment/segment.h"

/* Everything that shapes what a page reads as (the job keys binarize.*,
 * segment.*, recognize.charset, recognize.context, recognize.adapt,
 * recognize.segalt,
 * limits.max_pixels). */
typedef struct {
    int64_t max_pixels;           /* pages over this are refused unread */
    SegBinarizeOptions binarize;
    SegOptions segment;           /* score/score_ctx are set by the chain */
    RecCharset charset;
    int context;                  /* 1 = line-context step */
    int adapt;                    /* 1 = adapt to the page's writer
                                   * (recognize.adapt, rec_adapt.h) */
    int segalt;                   /* 1 = segmentation alternatives (merge,
                                   * split) in the line decoder
                                   * (recognize.segalt, rec_segalt.h) */
    /* Language model and lexicon (rec_lm.h), used after the context step.
     * The loaded pointers win; else the paths are loaded for each call of
     * chain_recognize (a few ms). NULL = none. Nothing here is owned by
     * the options except lexicon_path, which job_free() frees. */
    const RecLm *lm;
    const RecLexicon *lexicon;
    const char *lm_path;
    char *lexicon_path;           /* recognize.lexicon, resolved */
} ChainOptions;

/* The defaults of configs/reference.yaml. */
void chain_options_init(ChainOptions *o);

/* Decode page `page` (0-based) of path; *pdpi = its resolution (0 =
 * unknown). NULL on error (message names file and page). */
PIX *chain_read(const ChainOptions *o, const char *path, int page, int *pdpi);
/* The same, given the page's TIFF directory offset (page_list; 0 =
 * unknown): no walk through the pages before it. */
PIX *chain_read_at(const ChainOptions *o, const char *path, int page,
                   uint64_t ifd, int *pdpi);
/* Binarise (and deskew) a decoded page; the result carries dpi as its
 * resolution. pix is not modified. With pscale, small writing may come
 * back enlarged *pscale times, at that many times the dpi: segment and
 * recognise it at chain_dpi(dpi, *pscale). *pskew (optional) gets the
 * rotation that deskewed it. Map the OutPage back to pix's pixels with
 * chain_to_source. NULL on error. */
PIX *chain_binarize(const ChainOptions *o, PIX *pix, int dpi,
                    const char *path, int page, int *pscale, float *pskew);
/* A recognised page's boxes from the binarised page's pixels to the
 * source's: turned back by skew, shrunk by scale. 0 or -1. */
int chain_to_source(OutPage *op, float skew, int scale);
/* The dpi of a page binarised `scale` times enlarged (unknown, or under
 * SEG_MIN_DPI or over SEG_MAX_DPI once enlarged: 0). */
int chain_dpi(int dpi, int scale);
/* Segment a binarised page; with net, candidate cuts of touching glyphs are
 * scored by the classifier. NULL on error. */
SegPage *chain_segment(const ChainOptions *o, PIX *pixb, int dpi, RecNet *net,
                       const char *path, int page);
/* Recognise a segmented page. NULL on error. */
OutPage *chain_recognize(const ChainOptions *o, const SegPage *sp,
                         RecNet *net, const char *path, int page, int dpi);
/* The context of chain_page_image: the options the pages were recognised
 * with, and the file they were read from (NULL: each page's image path,
 * which is only right when it was not made relative to an output folder). */
typedef struct {
    const ChainOptions *opts;
    const char *src;
} ChainImageSource;
/* An OutImageSource get() (ctx: a const ChainImageSource *): the image of
 * page->pageno of the source file (its boxes refer to its pixels). 0 or
 * -1. */
int chain_page_image(void *ctx, const OutPage *page, OutImage *img);
/* All four steps in this process. NULL on error. */
OutPage *chain_page(const ChainOptions *o, RecNet *net, const char *path,
                    int page);

#endif
