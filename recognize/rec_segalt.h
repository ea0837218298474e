/*
 * rec_segalt.h - segmentation alternatives in the line decoder (issue 13,
 * item 5): for each glyph of a line, "keep", "merge with the next" (two
 * components that are one letter: a broken stroke, a letter cut by a box
 * line) and "split" (one component that is two touching letters, cut at
 * the best column of its ink profile), each alternative classified, and a
 * beam over the line choosing among them by classifier score + language
 * model + a small geometry prior.
 *
 * Files (prefix rec_segalt_): rec_segalt.c.
 *
 * Design: alternatives are offered only where the geometry makes them
 * plausible (a wide component; two narrow or stacked neighbours with
 * almost no gap), so most glyphs cost nothing; all alternatives of a page
 * are classified in one call of the caller's classifier. The beam decides
 * the segmentation only: the result is a new glyph list (boxes, word ids,
 * posteriors) on which the line-context step and rec_lm_decode_line() run
 * as before. Merges stay inside a word.
 *
 * Ownership: the result owns its arrays (rec_segalt_result_free()).
 */
#ifndef INKPIPE_REC_SEGALT_H
#define INKPIPE_REC_SEGALT_H

#include "recognize/rec_lm.h"
#include "recognize/recognize.h"
#include "segment/segment.h"

typedef struct {
    int topk;          /* classes per unit tried by the beam (3) */
    int beam;          /* hypotheses kept per position (16) */
    float lambda;      /* weight of log P_LM (0.3, as rec_lm) */
    float char_bonus;  /* nats per emitted character: offsets the LM's cost
                          of one more character */
    float merge_prior; /* nats added for a merge (<= 0) */
    float split_prior; /* nats added for a split (<= 0) */
    float merge_gap;   /* a merge needs a gap <= this x line height */
    float stem_gap;    /* ... or this, when one of the two is a stem (at
                        * most 0.4 line heights wide, at least 0.7 tall) */
    float merge_width; /* ... and a merged width <= this x line height */
    float cut_width;   /* two glyphs whose boxes meet (gap <= 0, as a
                        * segmenter's cut leaves them): merged width <=
                        * this x line height, whatever their shapes */
    float split_width; /* a split needs a width >= this x line height */
    int split_square;  /* 1: the width alone decides (digits);
                          0: the glyph must also be wider than tall */
} RecSegAltOptions;

void rec_segalt_options_init(RecSegAltOptions *o);
void rec_segalt_options_set_charset(RecSegAltOptions *o, RecCharset cs);

/* One glyph of the page as the segmenter gave it. */
typedef struct {
    SegBox box;
    int word;                   /* word index; glyphs of a word are adjacent */
    const unsigned char *mask;  /* 0/1 bytes, box.w x box.h; NULL = none */
} RecSegAltGlyph;

/* Classify n masks (0/1 bytes, w[i] x h[i], row stride w[i]) into
 * n x REC_NCLASSES posteriors; ok[i] = 0 for a mask that could not be
 * classified. Returns 0 or -1 (err_set). */
typedef int (*RecSegAltClassify)(void *ctx, const unsigned char *const *mask,
                                 const int *w, const int *h, int n,
                                 float *probs, unsigned char *ok);

typedef struct {
    int n;              /* glyphs after the choice */
    SegBox *box;        /* n */
    int *word;          /* n word indices */
    float *probs;       /* n x REC_NCLASSES */
    unsigned char *ok;  /* n: 1 = classified */
    int n_merged;       /* merges chosen */
    int n_split;        /* splits chosen */
    int n_alternatives; /* alternatives classified */
} RecSegAltResult;

/* A line: glyphs first..first+n-1, and its height (cap height; 0 = the
 * median glyph height is used). */
typedef struct {
    int first, n;
    float height;
} RecSegAltLine;

int rec_segalt_page(const RecSegAltOptions *opt, const RecLm *lm,
                    const RecSegAltGlyph *g, int n, const float *probs,
                    const unsigned char *ok, const RecSegAltLine *lines,
                    int n_lines, RecSegAltClassify classify, void *ctx,
                    RecSegAltResult *res);

void rec_segalt_result_free(RecSegAltResult *res);

#endif
