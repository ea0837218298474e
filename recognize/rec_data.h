/*
 * rec_data.h - labelled glyph sets for training and evaluation, their
 * augmentation, and the grey-level entry points of glyph normalisation.
 *
 * Files (prefix rec_):
 *   rec_glyph.c    normalisation core (mask / grey / pix), speck removal
 *   rec_data.c     RecSet: Chars74K images and pen trajectories, IDX
 *                  (MNIST), CSV (path,char), class folders, Hershey fonts;
 *                  writer split; RecSource over a set
 *   rec_augment.c  on-the-fly augmentation drawn from a seed: affine,
 *                  elastic, stroke width, blur, paper, noise, then the
 *                  pipeline's binarisation
 *   rec_strokes.c  stroke fonts (.jhf) and the stroke renderer (rec_strokes.h)
 *
 * A RecSet holds every sample once, in memory, as a small ink-coverage crop
 * (images) or as pen strokes (trajectories, fonts). A RecSource built on a
 * set renders sample i afresh for every (i, seed): the same pair always gives
 * the same floats, so a training run is reproducible, and no augmented copy
 * is ever stored.
 *
 * Threading: a RecSet is read-only once built; RecSource.get may be called
 * from several threads at once.
 */
#ifndef INKPIPE_REC_DATA_H
#define INKPIPE_REC_DATA_H

#include <stdint.h>

#include "recognize/rec_train.h"
#include "recognize/recognize.h"

/* The ink box's longer side, in network input pixels (of REC_INPUT_SIZE). */
#define REC_GLYPH_BOX 26
/* Components smaller than this fraction of the largest are specks. */
#define REC_GLYPH_SPECK_FRAC 0.02f
/* Grey images whose levels span less than this hold no ink. */
#define REC_GLYPH_MIN_CONTRAST 32

/* ---- normalisation (rec_glyph.c); see also recognize.h ---- */

int rec_glyph_normalize_grey(const unsigned char *grey, int w, int h,
                             int stride, float *dst);
int rec_glyph_drop_specks(unsigned char *mask, int w, int h, float frac);

#endif
