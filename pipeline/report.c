/*
 * report.c - the end report of `inkpipe run` and `inkpipe slurm wait`
 * (report.h).
 *
 * Design: the counts of all five queues are read once (report_counts);
 * the failures are listed from the failed/ folders, one line each with
 * stage, key and reason; the summary line names files, pages, failures
 * and the output folder as a real path (no `..`, no symlinks), so that it
 * can be pasted whatever folder the job file was read from.
 */
#include <limits.h>
#include <stdlib.h>

#include "pipeline/report.h"

/**
 * Read the counts of every stage.
 *
 * @param[in]  sp  spool
 * @param[out] k   counts
 * @return 0 or -1 (err_get() says why)
 */
int report_counts(Spool *sp, ReportCounts *k)
{
    for (int s = 0; s < STAGE_N; s++)
        if (queue_get_counts(spool_get_queue(sp, (SpoolStage)s), &k->c[s]) < 0)
            return -1;
    return 0;
}

/* Failed items, all stages together. */
int report_failed(const ReportCounts *k)
{
    int n = 0;
    for (int s = 0; s < STAGE_N; s++)
        n += k->c[s].failed;
    return n;
}

/* Items queued or claimed, all stages together. */
int report_left(const ReportCounts *k)
{
    int n = 0;
    for (int s = 0; s < STAGE_N; s++)
        n += k->c[s].queued + k->c[s].claimed;
    return n;
}

/**
 * Print every failed item with its reason, one line each.
 *
 * @param[in] sp  spool
 * @param[in] fp  where to print
 */
void report_failures(Spool *sp, FILE *fp)
{
    for (int s = 0; s < STAGE_N; s++) {
        QueueEntry *e = NULL;
        int n = 0;
        if (queue_list(spool_get_queue(sp, (SpoolStage)s), QUEUE_FAILED, &e,
                       &n) < 0)
            continue;
        for (int i = 0; i < n; i++)
            fprintf(fp, "  failed %-9s %s: %s\n", spool_stage_names[s],
                    e[i].key, e[i].reason);
        queue_entries_destroy(&e, n);
    }
}

/**
 * Print the summary line.
 *
 * @param[in] fp       where to print
 * @param[in] who      the line's prefix ("inkpipe", "inkpipe slurm wait")
 * @param[in] job      the job (name, output folder)
 * @param[in] k        counts (report_counts())
 * @param[in] n_new    files enqueued by this command; -1: not shown
 *
 * Prints "WHO: NAME: F files (N new, U unreadable), P pages: D done, X
 * failed; W files written to DIR in Ts (R pages/s)": U files failed at
 * ingest (no pages to count), X pages failed in binarize, segment or
 * recognize.
 * @param[in] seconds  time taken
 * @param[in] waited   1: the time was spent waiting for others ("waited
 *                     Ns"); 0: working ("in Ns (R pages/s)")
 *
 * Notes:
 *   (1) The output folder is printed as its realpath() when it exists,
 *       else as the job gave it.
 */
void report_summary(FILE *fp, const char *who, const Job *job,
                    const ReportCounts *k, int n_new, double seconds,
                    int waited)
{
    char real[PATH_MAX];
    const char *out =
        realpath(job->output_dir, real) ? real : job->output_dir;
    int done = k->c[STAGE_RECOGNIZE].done;
    /* pages that failed in a page stage; a file that failed at ingest has
     * no pages to count, so it is reported as an unreadable file */
    int pages_failed = k->c[STAGE_BINARIZE].failed +
                       k->c[STAGE_SEGMENT].failed +
                       k->c[STAGE_RECOGNIZE].failed;
    fprintf(fp, "%s: %s: %d files (", who, job->name,
            k->c[STAGE_INGEST].total);
    if (n_new >= 0)
        fprintf(fp, "%d new, ", n_new);
    fprintf(fp, "%d unreadable), %d pages: %d done, %d failed; %d files "
                "written to %s",
            k->c[STAGE_INGEST].failed, k->c[STAGE_BINARIZE].total, done,
            pages_failed, k->c[STAGE_OUTPUT].done, out);
    if (waited)
        fprintf(fp, " (waited %.1fs)\n", seconds);
    else
        fprintf(fp, " in %.1fs (%.1f pages/s)\n", seconds,
                seconds > 0 ? done / seconds : 0.0);
}
