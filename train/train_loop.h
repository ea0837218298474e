/*
 * train_loop.h - training the CNN (used by `inkpipe train`, tools, tests).
 *
 * A RecSource yields normalised samples (REC_INPUT_SIZE^2 floats, ink = 1)
 * with their class; the data side (rec_data.c, rec_augment.c) builds sources
 * from folders, CSV, IDX and pen trajectories, with augmentation drawn from
 * the seed it is given, so a run is reproducible.
 */
#ifndef INKPIPE_REC_TRAIN_H
#define INKPIPE_REC_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "recognize/recognize.h"

typedef struct {
    /* Fill x (REC_INPUT_SIZE^2 floats) and *label for sample i; seed varies
     * per epoch so augmentation differs. Return 0, or -1 (message set). */
    int (*get)(void *ctx, int64_t i, uint64_t seed, float *x, int *label);
    int64_t n; /* samples per epoch */
    void *ctx;
} RecSource;

typedef struct {
    int epoch, epochs;
    int64_t step, steps;     /* within the whole run */
    float train_loss;        /* running mean over the epoch */
    float train_acc;
    float val_acc;           /* -1 until measured */
    double elapsed_s, eta_s;
    int epoch_end;           /* 1 = the report after the epoch (0 inside) */
} RecTrainProgress;

typedef struct {
    int epochs;            /* default 30 */
    int batch;             /* default 128 */
    float lr;              /* peak learning rate */
    float weight_decay;
    float label_smoothing;
    uint64_t seed;
    int freeze_conv;       /* 1 = only the layers from the first dense one
                            * on are updated (fine-tuning: the convolutions
                            * keep their features; batch-norm running
                            * statistics, if any, still follow the data);
                            * default 0 */
    RecSource train;
    RecSource val;         /* n == 0: no validation */
    /* [optional] called after each epoch and every few hundred steps */
    void (*progress)(void *ctx, const RecTrainProgress *p);
    void *progress_ctx;
} RecTrainOptions;

void rec_train_options_init(RecTrainOptions *opt);

/* Train net in place. Returns 0 or -1. */
int rec_net_train(RecNet *net, const RecTrainOptions *opt);

#endif
