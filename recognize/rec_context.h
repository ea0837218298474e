/*
 * rec_context.h - line context for the recogniser: the line settles case
 * and look-alikes that the glyph alone cannot (issue 3).
 *
 * A glyph's height and position against the line's baseline, x-height and
 * cap height separate c/C, o/O, s/S, x/X, p/P, ...; its neighbours in the
 * word separate 0/O, 1/l/I, 5/S, 2/Z, 8/B, 9/g in a word of digits or of
 * letters. rec_context_apply() re-weights each glyph's class posterior (as
 * given by rec_net_classify()) with a geometry likelihood and a small
 * per-word model of character kinds (digit, upper, lower), and returns the
 * class with the highest posterior and that posterior as confidence.
 *
 * Value types only; nothing is allocated. Reentrant.
 */
#ifndef INKPIPE_REC_CONTEXT_H
#define INKPIPE_REC_CONTEXT_H

#include "recognize/recognize.h"

/* Line geometry in page pixels (y grows downwards). */
typedef struct {
    float baseline_x0;    /* x at which baseline_y is measured */
    float baseline_y;     /* baseline y at x = baseline_x0 */
    float baseline_slope; /* dy/dx */
    float x_height;       /* px above the baseline; 0 = unknown */
    float cap_height;     /* px above the baseline; 0 = unknown */
} RecLineGeom;

/* One glyph of the line, in reading order. */
typedef struct {
    int x, y, w, h; /* ink box; (x, y) is the top-left pixel */
    int word;       /* word id; glyphs of one word are consecutive */
} RecContextGlyph;

typedef struct {
    int use_geometry; /* 1 = case from height/baseline (default 1) */
    int use_words;    /* 1 = digit/letter/case model over words (default 1) */
    int own_metrics;  /* 1 = measure x-height and cap height from the line's
                         own unambiguous glyphs when it has enough of them,
                         else use RecLineGeom's (default 1) */
} RecContextOptions;

void rec_context_options_init(RecContextOptions *opt);

/* x-height, cap height and baseline correction that rec_context_apply()
 * used for a line (rec_context_line_metrics() fills it). */
typedef struct {
    float x_height;    /* px; 0 = unknown */
    float cap_height;  /* px; 0 = unknown */
    float base_shift;  /* px added to the given baseline (y down) */
    int n_small;       /* unambiguous x-height glyphs measured */
    int n_tall;        /* unambiguous tall glyphs measured */
    int n_base;        /* glyphs that measured the baseline */
} RecLineMetrics;

int rec_context_line_metrics(const RecContextOptions *opt,
                             const RecLineGeom *line,
                             const RecContextGlyph *glyphs, const float *probs,
                             int n, RecLineMetrics *pm);

int rec_context_apply(const RecContextOptions *opt, const RecLineGeom *line,
                      const RecContextGlyph *glyphs, const float *probs, int n,
                      RecCharset cs, int *cls, float *conf, float *probs_out);

#endif
