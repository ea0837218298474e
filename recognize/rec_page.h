/*
 * rec_page.h - the recognize step of one page: SegPage in, OutPage out.
 *
 * Files (prefix rec_page_): rec_page.c (the step), rec_label.c (a printed
 * label read at the start of a crop is dropped).
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

/* Scorer for SegOptions.score: the classifier's best class probability
 * (over the charset) for a candidate glyph. ctx is a RecPageScorer. */
typedef struct {
    RecNet *net;
    RecCharset cs;
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

#endif
