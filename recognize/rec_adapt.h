/*
 * rec_adapt.h - adaptation to the page's writer (issue 13, item 4).
 *
 * Files (prefix rec_adapt_): rec_adapt.c.
 *
 * A page is usually written by one hand, and a hand writes each letter
 * alike all over the page. rec_adapt_page() finds, in the network's
 * penultimate-layer feature space (rec_net_classify_features()), the
 * glyphs of the page that look like each glyph, and re-reads the glyph
 * with all of them: their posteriors (the sure ones pull the unsure ones
 * their way) and, with a language model, the words they occur in (a
 * letter the writer makes look like another is settled by every word it
 * is in). No training and no state between pages: the same page always
 * gives the same result. Runs before the line context (rec_context.h).
 * A page of more than REC_ADAPT_MAX_GLYPHS glyphs is left as it is: it is
 * no handwriting (a dot storm of 90,000 specks), and the n^2 cosines took
 * minutes on it.
 *
 * Value types only; the function allocates one scratch block per page.
 * Reentrant.
 */
#ifndef INKPIPE_REC_ADAPT_H
#define INKPIPE_REC_ADAPT_H

#include "recognize/rec_lm.h"
#include "recognize/recognize.h"

typedef struct {
    float near;       /* glyphs whose features have a cosine below this
                         are not compared at all (default 0.85) */
    float temp;       /* a neighbour at cosine c counts exp((c - 1) / temp)
                         (default 0.04: 0.98 counts 0.61, 0.9 0.08) */
    float min_weight; /* glyphs whose neighbours count less in all are left
                         alone (default 0.5) */
    float lambda;     /* weight of the language model's log-probability
                         change in a neighbour's belief (default 0.3) */
    float weight;     /* share of the letters' posterior given to the
                         neighbours' belief, times W / (W + 1) for a total
                         neighbour count W (default 0.7) */
    float shape_near; /* shape mates: glyphs read as the same letter with
                         a cosine of at least this (default 0.9) */
    int shape_min;    /* mates (the glyph included) needed before their
                         words may settle their letter; 0 = never
                         (default 4) */
    int shape_words;  /* different words as read they must stand in
                         (default 3) */
    float shape_agree; /* share of the mates whose word must gain by the
                          new letter (default 0.9) */
    float shape_floor; /* the classifier's mean posteriors are floored
                          at this when weighed against the words
                          (default 0.001) */
    float shape_gain; /* nats a mate's word must gain on average, beyond
                         the classifier's log-odds against the letter
                         (default 5) */
    float shape_share; /* share of a settled glyph's letter mass given to
                          its mates' verdict (default 0.5) */
} RecAdaptOptions;

/* ok flag of rec_adapt_page(): a piece cut from a larger blob or touching
 * its neighbour; re-read, but never a shape mate. */
#define REC_ADAPT_PIECE 2

/* More glyphs than a written page holds (a dense A4 page: ~5,000): no
 * adaptation (10,000 glyphs cost about 0.4 s of cosines). */
#define REC_ADAPT_MAX_GLYPHS 10000

void rec_adapt_options_init(RecAdaptOptions *o);

int rec_adapt_page(const RecAdaptOptions *o, const float *feats, int dim,
                   const unsigned char *ok, const int *word, const RecLm *lm,
                   int n, float *probs, int *pn_changed);

#endif
