/*
 * report.h - the end report shared by `inkpipe run` and `inkpipe slurm
 * wait` (internal to the CLI commands): the failed items with their
 * reasons, then one summary line; and the status of a spool as JSON
 * (`inkpipe status --json`).
 *
 * Files (prefix report_):
 *   report.c   counts of every stage, failures, summary line, status JSON,
 *              the per-run summary and JSON report (SPOOL/runs/)
 *   report_fields.c  OUT/fields.csv: the form fields of every page
 */
#ifndef INKPIPE_REPORT_H
#define INKPIPE_REPORT_H

#include <stdio.h>

#include "pipeline/job.h"
#include "pipeline/spool.h"

/* What the reason of a page that failed because its image cannot be
 * decoded says (input/page.c, page_pdf.c): its file counts as unreadable. */
#define REPORT_UNDECODABLE "cannot decode the "

/* The counts of every stage's queue, and the input files that cannot be
 * decoded (report_counts). */
typedef struct {
    QueueCounts c[STAGE_N];
    int unreadable;
} ReportCounts;

typedef struct {
    int total, done, failed; /* pages */
} ReportPages;

int report_counts(Spool *sp, ReportCounts *k);
ReportPages report_pages(const ReportCounts *k);
int report_failed(const ReportCounts *k);
int report_left(const ReportCounts *k);
void report_failures(Spool *sp, FILE *fp);
void report_summary(FILE *fp, const char *who, const Job *job,
                    const ReportCounts *k, int n_new, double seconds,
                    int waited);
char *report_status_json(Spool *sp);
/* OUT/fields.csv of a job with forms.template (report_fields.c). 0 or -1. */
int report_fields_csv(Spool *sp);

/* One `inkpipe run`: what it found among the inputs and what it did. */
typedef struct {
    const SpoolUpdate *update; /* [optional] what submit found */
    ReportCounts start;  /* counts once the inputs were submitted */
    ReportCounts end;    /* counts at the end */
    double t_start, t_end; /* wall clock, seconds since the epoch */
    double seconds;      /* monotonic duration */
    long peak_rss_kb;    /* getrusage: this process */
    long peak_rss_children_kb; /* getrusage: its workers (largest) */
    int exit_code;
    const char *review;  /* [optional] the review page written (output.review) */
    int review_to_check; /* its items to check */
} ReportRun;

/* Pages recognised and failed, files written and unreadable during the
 * run (end - start). */
typedef struct {
    int pages_done, pages_failed, files_written, files_unreadable;
} ReportDelta;

ReportDelta report_run_delta(const ReportRun *run);
void report_run_summary(FILE *fp, const char *who, const Job *job,
                        const ReportRun *run);
char *report_run_json(Spool *sp, const ReportRun *run);
int report_run_save(Spool *sp, const ReportRun *run, char *path,
                    size_t size);

#endif
