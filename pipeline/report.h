/*
 * report.h - the end report shared by `inkpipe run` and `inkpipe slurm
 * wait` (internal to the CLI commands): the failed items with their
 * reasons, then one summary line; and the status of a spool as JSON
 * (`inkpipe status --json`).
 *
 * Files (prefix report_):
 *   report.c   counts of every stage, failures, summary line, status JSON
 *   report_fields.c  OUT/fields.csv: the form fields of every page
 */
#ifndef INKPIPE_REPORT_H
#define INKPIPE_REPORT_H

#include <stdio.h>

#include "pipeline/job.h"
#include "pipeline/spool.h"

/* The counts of every stage's queue. */
typedef struct {
    QueueCounts c[STAGE_N];
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

#endif
