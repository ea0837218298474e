/*
 * rec_page.h - the recognize step of one page: SegPage in, OutPage out.
 *
 * Files (prefix rec_page_): rec_page.c (the step), rec_label.c (a printed
 * label read at the start of a crop is dropped), rec_hand.c (each word
 * machine print or handwriting, from its cues).
 *
 * Design: sits on top of the classifier (recognize.h) and the line context
 * (rec_context.h), with the writer adaptation (rec_adapt.h); its input is the segmenter's page (segment.h) and its
 * result the output library's page model (output.h), so it is the one place
 * where the three meet. Nothing here reads files or knows about queues.
 */
#ifndef INKPIPE_REC_PAGE_H
#define INKPIPE_REC_PAGE_H

#include "output/output.h"
#include "recognize/rec_adapt.h"
#include "recognize/rec_lm.h"
#include "recognize/rec_segalt.h"
#include "recognize/recognize.h"
#include "segment/segment.h"

/* The scores of the candidate glyphs of one page, by their masks: a cut
 * tried again (another split of the same piece shares a part) is not
 * classified again. */
typedef struct RecScoreMemo RecScoreMemo;
RecScoreMemo *rec_score_memo_create(void);
void rec_score_memo_destroy(RecScoreMemo **pmemo);
int rec_score_memo_count(const RecScoreMemo *memo);

/* Scorer for SegOptions.score: the classifier's best class probability
 * (over the charset) for a candidate glyph. ctx is a RecPageScorer; memo
 * is optional (NULL = every candidate classified). */
typedef struct {
    RecNet *net;
    RecCharset cs;
    RecScoreMemo *memo;
} RecPageScorer;
float rec_page_score_glyph(void *ctx, const unsigned char *mask, int w, int h);

OutPage *rec_page_recognize(const SegPage *sp, RecNet *net, RecCharset cs,
                            int context, const RecAdaptOptions *adapt,
                            const RecSegAltOptions *segalt, const RecLm *lm,
                            const RecLexicon *lex, const char *image,
                            int pageno, int dpi);

/* Drop a printed form label ("NOM", "PRENOM" and their misreadings) read
 * as the first word of a crop; the number of glyphs dropped. */
int rec_page_drop_label(OutPage *op);

/* The cues of one word that tell machine print from handwriting
 * (rec_hand.c). */
typedef struct {
    int n_glyphs;
    float stroke_cv;      /* std/mean of stroke half-widths (distance
                           * transform at ridge pixels) over the word */
    float stroke_between; /* std/mean of the glyphs' mean stroke widths */
    float stroke_width;   /* mean stroke width, px */
    float straight;       /* share of consecutive rows whose left (right)
                           * outline stays in the same column */
    float conf;           /* mean classifier confidence; -1 = not given */
    float bottom_dev;     /* median |bottom - median| / median height;
                           * -1 for one glyph */
    float top_shared;     /* share of glyphs whose top another shares to
                           * the pixel; -1 for one glyph */
    float height_shared;  /* the same for heights; -1 for one glyph */
    float gap;            /* median gap between glyphs / median height;
                           * -1 for one glyph */
} RecHandCues;

int rec_hand_cues(const SegPage *sp, int word, const float *conf,
                  RecHandCues *c);
float rec_hand_printed(const RecHandCues *c);
/* Set kind and printed of every word of op (recognised from sp). */
int rec_page_hand(const SegPage *sp, const float *conf, OutPage *op);

#endif
