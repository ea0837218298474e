/*
 * train_recipe.h - the training recipe: which data, which writers are kept
 * out, the loading cache, the run, the model's metadata.
 *
 * Files (prefix train_recipe_): train_recipe.c.
 *
 * Design: everything `inkpipe train` does between parsing its arguments
 * and writing the model lives here, so a test or a tool can train exactly
 * as the command does. The recipe prints nothing: what a person would want
 * to read while it runs (what is loaded, the cache, progress per epoch)
 * goes to the caller's callbacks.
 */
#ifndef INKPIPE_TRAIN_RECIPE_H
#define INKPIPE_TRAIN_RECIPE_H

#include "train/train_data.h"
#include "train/train_loop.h"

#define TRAIN_MAX_LIST 16

typedef struct {
    /* data (any mix; at least one) */
    const char *chars74k;  /* Chars74K folder */
    int trajectories;      /* 1 = also its pen trajectories (default) */
    const char *idx_images, *idx_labels; /* MNIST-layout IDX files */
    int idx_holdout;       /* last N IDX samples never trained on (2000) */
    int idx_count;         /* train on at most the first N (8000) */
    int idx_quota;         /* IDX draws per epoch (1000; 0 = all) */
    const char *csv[TRAIN_MAX_LIST];
    int ncsv;
    const char *dir[TRAIN_MAX_LIST];
    int ndir;
    const char *hershey;   /* Hershey font folder */
    const char *fonts;     /* which .jhf fonts; NULL = REC_HERSHEY_FONTS */
    const char *ttf[TRAIN_MAX_LIST]; /* outline fonts or folders of them */
    int nttf;
    /* writer split */
    const char *val_spec;  /* validation writers ("036-040") */
    const char *test_spec; /* never loaded ("041-045") */
    int train_on_val;      /* 1 = also train on the validation writers */
    /* training */
    const char *arch;      /* NULL = REC_ARCH_DEFAULT */
    const char *init;      /* [optional] start from this model's weights
                            * (fine-tuning; its architecture is used) */
    int augment;           /* 1 = augmented renders (default) */
    int balance;           /* 1 = equal class priors (default) */
    int rep[REC_NKINDS];   /* copies per epoch, by RecSampleKind */
    const char *cache;     /* [optional] FILE.train / FILE.val cache */
    RecTrainOptions opt;   /* epochs, batch, seed, lr (progress: below) */
    /* [optional] reporting */
    void (*note)(void *ctx, const char *line);   /* what is happening */
    void (*progress)(void *ctx, const RecTrainProgress *p);
    void *ctx;
} TrainRecipe;

/* What a finished run reports (also written into the model's metadata). */
typedef struct {
    int ntrain;        /* training samples */
    float best_val;    /* best validation top-1 (0..1), -1 = no validation */
    int best_epoch;
} TrainRecipeResult;

/* The writer split (validation writers; writers never trained on). Returns
 * 0, or -1 on a bad list or a writer in both lists (message set). */
int train_recipe_split(const TrainRecipe *r, RecWriters *pval,
                       RecWriters *pexcl);
/* The defaults of `inkpipe train`. */
void train_recipe_init(TrainRecipe *r);
/* Load, train and balance a net as r says; command (the command line as
 * typed) goes into the metadata. NULL on error (message set). */
RecNet *train_recipe_run(const TrainRecipe *r, const char *command,
                         TrainRecipeResult *res);

#endif
