/*
 * review.h - the review page of a job (`inkpipe review`, docs/review.md).
 *
 * Files (prefix review_): review.c
 *
 * Design: works from the job's outputs only, after a run: every NAME.hocr
 * (words and glyphs) and NAME.json (form fields) under output.dir, and
 * the source images they name. It fills an OutReview (output/output.h),
 * cuts the crops and downscaled page pictures that the page shows into a
 * folder beside the HTML (FILE_files/), and writes FILE.html. The folder
 * and the HTML are each replaced whole; nothing is fetched at view time.
 */
#ifndef INKPIPE_REVIEW_H
#define INKPIPE_REVIEW_H

#include "pipeline/job.h"

typedef struct {
    double threshold; /* an hOCR word (or a field without needs_review) under
                         this confidence needs review; default 0.8 */
    int max_items;    /* at most this many items listed; default 500 */
    int per_char;     /* glyphs per character in the group view; default 60 */
    int page_width;   /* page pictures are at most this wide; default 1000 */
} ReviewOptions;

typedef struct {
    int inputs, pages, items, to_check, glyphs, crops;
    int missing_images; /* pages whose source image could not be read */
} ReviewStats;

void review_options_init(ReviewOptions *o);

/* Write html_path (and html_path minus ".html" + "_files/") for the job.
 * Returns 0 or -1 (message names the file). Warnings (an unreadable
 * source image) are counted in *st, not fatal. */
int review_write(const Job *job, const char *html_path,
                 const ReviewOptions *o, ReviewStats *st);

/* OUTPUT_DIR/review.html, the page's default place, into path (size
 * bytes). 0, or -1 when it does not fit. */
int review_default_path(const Job *job, char *path, size_t size);

/* The end of a run of a job with output.review: write the page at its
 * default place with the default options, once some page is done.
 * Returns 1 written (path, *st filled), 0 nothing to show yet, -1 error. */
int review_run_end(const Job *job, int pages_done, char *path, size_t size,
                   ReviewStats *st);

#endif
