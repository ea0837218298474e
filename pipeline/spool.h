/*
 * spool.h - a job's spool: one queue per stage, the artifacts between
 * stages, and the stage functions that turn one item into the next.
 *
 * Files (prefix spool_):
 *   spool.c    open/destroy, input expansion, submit, recover, retry
 *   spool_settings.c  the job settings the results were made with
 *              (SPOOL/settings), and the redo of the stages a change
 *              makes stale
 *   stage.c    the five stages: ingest, binarize, segment, recognize, output
 *
 * Layout of SPOOL:
 *   ingest/ binarize/ segment/ recognize/ output/   queues (queue.h)
 *   art/KEY.tif   binarised page, 1 bpp G4 TIFF (binarize -> segment)
 *   art/KEY.seg   segmented page (segment -> recognize)
 *   art/KEY.rec   recognised page (recognize -> output)
 *   settings      the settings that shaped the results (spool_settings.c)
 * Keys: an input file is F = "f" + 16 hex digits (hash of its output path);
 * its page n is "F-pNNNN". Every artifact is written to a temporary name,
 * fsync'ed and renamed into place before the next item is enqueued, so a
 * later stage never reads a half-written file; enqueue is idempotent, so a
 * stage that runs twice (after a crash) changes nothing.
 */
#ifndef INKPIPE_SPOOL_H
#define INKPIPE_SPOOL_H

#include "common/err.h"
#include "pipeline/job.h"
#include "pipeline/queue.h"
#include "recognize/recognize.h"

typedef enum {
    STAGE_INGEST,
    STAGE_BINARIZE,
    STAGE_SEGMENT,
    STAGE_RECOGNIZE,
    STAGE_OUTPUT,
    STAGE_N
} SpoolStage;

extern const char *const spool_stage_names[STAGE_N];

/* Stage index of a name, or -1. */
int spool_stage_of_name(const char *name);

typedef struct Spool Spool;

Spool *spool_open(const Job *job);
void spool_destroy(Spool **psp);
Queue *spool_get_queue(Spool *sp, SpoolStage st);
const Job *spool_get_job(const Spool *sp);

int spool_submit(Spool *sp, int *pnew, int *pknown);
int spool_recover(Spool *sp, int *pn);
int spool_retry(Spool *sp, int *pn);
/* Enqueue the output of every file its failed pages have settled
 * (stage.c). 0 or -1. */
int spool_settle_failed(Spool *sp);

/* What spool_settings_sync redid. */
typedef struct {
    SpoolStage from;     /* first stage redone; STAGE_N = nothing */
    int items;           /* its items put back in its queue */
    int interrupted;     /* 1 = a redo cut short before was finished */
    char changes[2048];  /* "key old -> new, ..." ("" = none) */
} SpoolRedo;

/* Compare the job's settings with the spool's and redo the stages a
 * change affects (run, submit); 0 or -1 (spool_settings.c). */
int spool_settings_sync(Spool *sp, const char *model, const char *lm,
                        RecPrecision env_precision, SpoolRedo *pr);
/* The same comparison without a redo (work): -1 on any difference. */
int spool_settings_check(Spool *sp, const char *model, const char *lm,
                         RecPrecision env_precision);

/* spool_stage_run's result when the item's claim was taken over before
 * the stage could publish (stage.c: fencing). */
#define SPOOL_LOST QUEUE_LOST

/* Run one claimed item of stage st (stage.c). net is needed by recognize
 * only. Returns 0, SPOOL_LOST, or -1 with the reason in err_get(). */
int spool_stage_run(Spool *sp, SpoolStage st, const QueueItem *item,
                    RecNet *net);

/* Remove what stage process pid (all = 1: anyone) staged for item
 * (stage.c). 0 or -1. */
int spool_stage_sweep(Spool *sp, SpoolStage st, const QueueItem *item,
                      long pid, int all);

/* Test aid: hook called when a stage has staged its result, just before
 * it checks its claim and publishes (stage.c). */
typedef void (*SpoolStageHook)(SpoolStage st, const char *key);
void spool_set_stage_hook(SpoolStageHook hook);

/* After item of stage st failed: enqueue its file's output item if every
 * page is now recognised or failed (stage.c). 0 or -1. */
int spool_page_failed(Spool *sp, SpoolStage st, const QueueItem *item);

/* Internals shared by spool.c and stage.c. */
/* queue_enqueue() of a printf-formatted item text of any length (spool.c).
 * Returns 1, 0 (already known) or -1. */
int spool__enqueuef(Queue *q, const char *key, const char *fmt, ...)
    ERR_PRINTF(3, 4);
int spool__art_fd(const Spool *sp);
const char *spool__art_dir(const Spool *sp);
int spool__out_fd(const Spool *sp);

#endif
