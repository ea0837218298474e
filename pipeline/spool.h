/*
 * spool.h - a job's spool: one queue per stage, the artifacts between
 * stages, and the stage functions that turn one item into the next.
 *
 * Files (prefix spool_):
 *   spool.c    open/destroy, recover, retry
 *   spool_inputs.c  input expansion and submit: the inputs compared with
 *              what the spool has done (SPOOL/inputs): new, changed,
 *              unchanged, removed, skipped
 *   spool_settings.c  the job settings the results were made with
 *              (SPOOL/settings), and the redo of the stages a change
 *              makes stale
 *   spool_clean.c  `inkpipe clean`: the artifacts of finished files
 *              removed; what a redo does without them
 *   stage.c    the five stages: ingest, binarize, segment, recognize, output
 *
 * Layout of SPOOL:
 *   ingest/ binarize/ segment/ recognize/ output/   queues (queue.h)
 *   art/KEY.tif   binarised page, 1 bpp G4 TIFF (binarize -> segment)
 *   art/KEY.seg   segmented page (segment -> recognize)
 *   art/KEY.rec   recognised page (recognize -> output)
 *   settings      the settings that shaped the results (spool_settings.c)
 *   inputs        every input known: size, mtime, content hash, paths, and
 *                 the files skipped with the reason (spool_inputs.c)
 *   runs/         one JSON report per `inkpipe run` (report.c)
 * Keys: an input file is F = "f" + 16 hex digits (hash of its output path);
 * its page n is "F-pNNNN". Every artifact is written to a temporary name,
 * fsync'ed and renamed into place before the next item is enqueued, so a
 * later stage never reads a half-written file; enqueue is idempotent, so a
 * stage that runs twice (after a crash) changes nothing.
 */
#ifndef INKPIPE_SPOOL_H
#define INKPIPE_SPOOL_H

#include <dirent.h>

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
Spool *spool_open_existing(const Job *job);
void spool_destroy(Spool **psp);
Queue *spool_get_queue(Spool *sp, SpoolStage st);
const Job *spool_get_job(const Spool *sp);

/* A file of an input folder that is not read, and why. */
typedef struct {
    char *file;
    char *reason;
} SpoolSkipped;

/* What spool_update found and did (spool_inputs.c). */
typedef struct {
    int inputs;        /* input files now */
    int n_new;         /* enqueued for the first time (or back after a
                          removal) */
    int changed;       /* content changed: redone */
    int unchanged;     /* known, same content (touched included) */
    int touched;       /* of those: size or mtime changed, content not */
    int outputs_rewritten; /* unchanged, an output file missing: its
                              output item runs again */
    int removed;       /* gone since the last submit: items forgotten */
    int gone_kept;     /* removed (now or before), outputs kept */
    int pruned;        /* removed inputs whose outputs were removed */
    int pruned_files;  /* output files removed */
    int failures_dropped; /* failed items of removed inputs forgotten */
    int deferred;      /* changed or removed while a worker is on them */
    int legacy;        /* 1: the spool had no input record (older
                          inkpipe): the inputs were taken as they are */
    SpoolSkipped *skipped; /* sorted by file */
    int n_skipped;
    char **notes;      /* lines for the operator (removed, dropped ...) */
    int n_notes;
} SpoolUpdate;

int spool_update(Spool *sp, int prune, SpoolUpdate *u);
void spool_update_cleanup(SpoolUpdate *u);
int spool_submit(Spool *sp, int *pnew, int *pknown);

/* What SPOOL/inputs says, per input (spool_inputs.c; for `status`). */
typedef struct {
    int recorded;      /* 0: no record yet (no run/submit of this inkpipe) */
    int present, done, failed, pending; /* inputs present at the last
                                           submit, by state */
    int gone;          /* removed, outputs kept */
    SpoolSkipped *skipped;
    int n_skipped;
} SpoolInputs;

int spool_inputs_get(Spool *sp, SpoolInputs *pi);
void spool_inputs_cleanup(SpoolInputs *pi);
int spool_recover(Spool *sp, int *pn);
int spool_retry(Spool *sp, int *pn);
/* Enqueue the output of every file its failed pages have settled
 * (stage.c). 0 or -1. */
int spool_settle_failed(Spool *sp);

/* What spool_clean did (spool_clean.c). */
typedef struct {
    int files;         /* input files whose artifacts were removed */
    int removed;       /* artifacts (files) removed */
    long long bytes_removed; /* their size on disk */
} SpoolClean;

/* Remove the artifacts of finished input files (spool_clean.c). 0, or -1
 * (a run in progress: message says so). */
int spool_clean(Spool *sp, SpoolClean *pc);
/* Bytes the folder tree dir holds on disk, each file counted once however
 * many hard links it has (spool_clean.c). 0 or -1. */
int spool_disk_usage(const char *dir, long long *pbytes);

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
/* An item's jobrel= line (the input's path from the job file's folder;
 * NULL: none) as three strings for "%s%s%s" (spool_inputs.c writes it,
 * stage.c passes it on). */
#define SPOOL__JOBREL(jr)                                                     \
    (jr) ? "jobrel=" : "", (jr) ? (jr) : "", (jr) ? "\n" : ""
/* queue_enqueue() of a printf-formatted item text of any length (spool.c).
 * Returns 1, 0 (already known) or -1. */
int spool__enqueuef(Queue *q, const char *key, const char *fmt, ...)
    ERR_PRINTF(3, 4);
int spool__art_fd(const Spool *sp);
const char *spool__art_dir(const Spool *sp);
/* A listing of SPOOL/art/ (closedir() it), or NULL with the reason, naming
 * the folder, set. */
DIR *spool__art_opendir(const Spool *sp);
int spool__out_fd(const Spool *sp);
/* The binarised page last published by this process, kept for the
 * segment and recognize items of that page (spool.c). */
struct stat;
void spool__bin_keep(Spool *sp, const char *name, PIX *pix,
                     const struct stat *st);
PIX *spool__bin_get(Spool *sp, const char *name);
/* 1 when a page of file (pages pages) is recognised but its art/.rec was
 * removed by spool_clean, 0 when all are there, -1 on error. */
int spool__file_cleaned(Spool *sp, const char *file, int pages);
/* 1 when a done item of stage st (binarize, segment, recognize) has no
 * artifact (removed by spool_clean), else 0; -1 on error. */
int spool__stage_cleaned(Spool *sp, SpoolStage st);

#endif
