/*
 * train_curves.h - the per-epoch training curves `inkpipe train` leaves
 * beside the model: MODEL.curves.tsv (one row per epoch) and
 * MODEL.curves.svg (loss and accuracy against the epoch).
 *
 * Files (prefix train_curves_): train_curves.c.
 *
 * Design: a TrainCurves collects the end-of-epoch RecTrainProgress reports
 * of rec_net_train (the reports every 200 steps inside an epoch are
 * ignored), so a progress callback only has to pass each report on. The
 * files are plain text: the TSV for scripts and spreadsheets, the SVG (no
 * script, no external file) for people. Each is written to a temporary
 * file and renamed into place.
 *
 * Threading: a TrainCurves belongs to one thread.
 */
#ifndef INKPIPE_TRAIN_CURVES_H
#define INKPIPE_TRAIN_CURVES_H

#include "train/train_loop.h"

typedef struct TrainCurves TrainCurves;

/* One epoch's row (accuracies 0..1; val_acc < 0 = no validation). */
typedef struct {
    int epoch;
    float train_loss, train_acc, val_acc;
    double elapsed_s;
} TrainCurveRow;

/* An empty collection. NULL on out of memory (message set). */
TrainCurves *train_curves_create(void);
/* Free *pc and set it to NULL; NULL is a no-op. */
void train_curves_destroy(TrainCurves **pc);
/* Keep p's numbers when it is an end-of-epoch report (p->epoch_end);
 * other reports are ignored. 0, or -1 (out of memory; message set). */
int train_curves_add(TrainCurves *c, const RecTrainProgress *p);
/* Rows kept so far. */
int train_curves_count(const TrainCurves *c);
/* Row i (0 <= i < count). */
const TrainCurveRow *train_curves_row(const TrainCurves *c, int i);
/* Write MODEL.curves.tsv and MODEL.curves.svg beside model_path. 0, or -1
 * (message names the file). */
int train_curves_save(const TrainCurves *c, const char *model_path);

#endif
