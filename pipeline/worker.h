/*
 * worker.h - a worker process: claims items from the spool's queues and
 * runs each one in a forked child under a time and memory limit.
 *
 * Files (prefix worker_): worker.c.
 *
 * Design: the worker claims items and hands each one to a sandbox: a child
 * process, forked once (after the model is loaded, so it shares the model's
 * pages) and fed items through a pipe. The child runs the stage under an
 * address-space limit; the worker heartbeats the claim while it waits and
 * kills the child with SIGKILL at limits.page_timeout. A crash, an abort or
 * a runaway allocation in a decoder therefore fails only that item, with
 * its reason, and the next item gets a fresh child. Forking per item was
 * measured at ~3.7 ms of CPU per fork here (the OpenBLAS and model mappings
 * make fork and exit expensive), about 19 ms a page over five stages
 * against a 170 ms budget; the persistent child costs one pipe round trip
 * (~0.1 ms) per item instead. A worker that runs segment or recognize
 * loads the model before it forks its first child (a child forked
 * earlier would be replaced at the first segment item, and the new one
 * pays for fresh memory again: ~70 ms of a one-page job). The child dies
 * with its worker
 * (PR_SET_PDEATHSIG), so a kill -9 of the worker never leaves a
 * half-finished child behind. Ingest (header reads only) is tried first so
 * that the page count is known early; then later stages before earlier
 * ones, so pages flow to the end before new pages start.
 */
#ifndef INKPIPE_WORKER_H
#define INKPIPE_WORKER_H

#include <signal.h>
#include <stdio.h>

#include "pipeline/spool.h"

typedef struct {
    unsigned stages;    /* bit (1u << SpoolStage) per stage; 0 = all */
    int exit_when_idle; /* 1 = return once nothing is queued or claimed */
    int in_process;     /* 1 = run stages in this process (no fork, no
                           limits; for debugging and measuring) */
    const char *model;  /* model file for recognize */
    RecPrecision precision; /* used when the job's recognize.precision is
                               auto (AUTO = int8 where the CPU runs it
                               fast, else fp32) */
    const char *fault;   /* [optional] test hook: make a stage process
                            fault, "STAGE:crash|abort|hang|stop|sleep=S
                            [,page=N][,at=publish]" (worker.c) */
    const char *trace;   /* [optional] file: "STAGE KEY PID" per completed
                            item */
    const char *timings; /* [optional] file: where each item's time went */
    FILE *log;          /* [optional] one line per failed item */
    volatile sig_atomic_t *stop; /* [optional] set to 1 to stop */
} WorkerOptions;

typedef struct {
    int done, failed;
} WorkerStats;

void worker_options_init(WorkerOptions *opt);
int worker_run(Spool *sp, const WorkerOptions *opt, WorkerStats *pstats);

/* 1 when no stage in mask has queued items and no stage has claims. */
int worker_spool_idle(Spool *sp, unsigned mask);

#endif
