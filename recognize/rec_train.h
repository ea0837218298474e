/*
 * rec_train.h - training the CNN (used by `inkpipe train`, tools, tests).
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
} RecTrainProgress;

typedef struct {
    int epochs;            /* default 30 */
    int batch;             /* default 128 */
    float lr;              /* peak learning rate */
    float weight_decay;
    float label_smoothing;
    uint64_t seed;
    RecSource train;
    RecSource val;         /* n == 0: no validation */
    /* [optional] called after each epoch and every few hundred steps */
    void (*progress)(void *ctx, const RecTrainProgress *p);
    void *progress_ctx;
} RecTrainOptions;

void rec_train_options_init(RecTrainOptions *opt);

/* Default architecture: three conv (+ batch norm) blocks, dropout, two
 * dense layers; about 2.6 M multiply-adds per glyph. */
#define REC_ARCH_DEFAULT "c16b,p,c32b,p,c64b,p,d0.25,f128,d0.25,f62"

/* New net of the given architecture ("" or NULL = the default), weights
 * drawn from seed. Returns NULL on a bad spec. */
RecNet *rec_net_create(const char *arch, uint64_t seed);

/* Train net in place. Returns 0 or -1. */
int rec_net_train(RecNet *net, const RecTrainOptions *opt);

/* Accessors (rec_net.c). */
const char *rec_net_arch(const RecNet *net);
const char *rec_net_meta(const RecNet *net);      /* "" when none */
int rec_net_set_meta(RecNet *net, const char *meta); /* 0 or -1 */
double rec_net_flops(const RecNet *net);          /* per glyph, forward */
size_t rec_net_nparams(const RecNet *net);

#endif
