/*
 * rec_lm.h - a character n-gram language model, per-job lexicons and the
 * line decoder that weighs the classifier's top-k per glyph against them
 * (issue 13, item 5).
 *
 * Files (prefix rec_lm_, rec_lexicon_): rec_lm.c.
 *
 * Design: the model is a dense table of quantised log2 P(s | previous
 * order-1 symbols) over 28 case-folded symbols (word boundary, a-z, "a
 * digit"); one byte per entry, so an order-4 model is 28^4 = 615 KB and a
 * lookup is one index. rec_lm_decode_line() runs after the line-context
 * step (rec_context.c), which keeps deciding case (geometry) and digit vs
 * letter (word model): the decoder only chooses among letters for glyphs
 * of all-letter words, and leaves words with a digit as they are, so ids,
 * codes and dates are never forced into words. A lexicon (one entry per
 * line, optional TAB count) is given per job or per call, never built in.
 *
 * Ownership: RecLm and RecLexicon are immutable after load and may be
 * shared by threads; the decoder allocates per line only.
 */
#ifndef INKPIPE_REC_LM_H
#define INKPIPE_REC_LM_H

#include <stddef.h>

#include "recognize/recognize.h"

#define REC_LM_NSYM 28 /* 0 = word boundary, 1..26 = a..z, 27 = digit */

typedef struct RecLm RecLm;
typedef struct RecLexicon RecLexicon;

RecLm *rec_lm_create_from_text(const char *text, size_t n, int order);
RecLm *rec_lm_load(const char *path);
int rec_lm_save(const RecLm *lm, const char *path);
void rec_lm_destroy(RecLm **plm);
int rec_lm_order(const RecLm *lm);

int rec_lm_symbol(int ch);
float rec_lm_logp(const RecLm *lm, const int *hist, int nhist, int sym);
double rec_lm_score_text(const RecLm *lm, const char *s);

RecLexicon *rec_lexicon_load(const char *path);
void rec_lexicon_destroy(RecLexicon **plex);
int rec_lexicon_size(const RecLexicon *lex);

typedef struct {
    int topk;        /* letter candidates per glyph (default 4) */
    int beam;        /* hypotheses kept per glyph (default 16) */
    float lambda;    /* weight of log P_LM against log P(glyph) (0.3) */
    float lex_bonus; /* nats a lexicon entry gets over the free reading */
    float temp;      /* confidence calibration: p' = sigmoid((logit p) / temp
                        + bias) (fitted on held-out pages, docs/context.md) */
    float bias;
} RecLmOptions;

void rec_lm_options_init(RecLmOptions *o);

int rec_lm_decode_line(const RecLm *lm, const RecLexicon *lex,
                       const RecLmOptions *opt, const float *q,
                       const int *word, int n, int *cls, float *conf);

float rec_lm_calibrate(const RecLmOptions *opt, float p);

#endif
