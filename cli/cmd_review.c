/*
 * cmd_review.c - `inkpipe review JOB.yaml`: the job's review page, one
 * static HTML file (pipeline/review.h, docs/review.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/err.h"
#include "pipeline/job.h"
#include "pipeline/review.h"

static const char help_review[] =
    "usage: inkpipe review JOB.yaml [-o FILE.html] [--threshold C]\n"
    "                      [--max-items N] [--per-char N] [--page-width PX]\n"
    "\n"
    "Write one static HTML page to check what a job read (after `inkpipe\n"
    "run`): every page picture with each word's or field's box coloured by\n"
    "its confidence; the items to check, least sure first, each with its\n"
    "crop beside the value read; and every character's glyphs side by\n"
    "side, least sure first, so that an odd one stands out. Items come from\n"
    "NAME.json (form fields) where the job wrote one, else from NAME.hocr.\n"
    "Pictures and crops go to a folder beside the page (FILE_files/); the\n"
    "page needs no server and no network. Typed corrections are exported\n"
    "from the page as the CSV that `inkpipe train --csv` reads. A job with\n"
    "`output.review: true` writes this page (default options, default\n"
    "place) at the end of every `inkpipe run`.\n"
    "\n"
    "  -o FILE.html      the page (default: OUTPUT_DIR/review.html)\n"
    "  --threshold C     a word (or a field without needs_review) under this\n"
    "                    confidence, 0-1, is to be checked (default 0.8)\n"
    "  --max-items N     list at most N items to check (default 500)\n"
    "  --per-char N      show at most N glyphs per character (default 60)\n"
    "  --page-width PX   page pictures at most PX wide (default 1000)\n"
    "\n"
    "Exit status: 0 written, 1 the outputs or the page could not be read or\n"
    "written, 2 bad usage or job file.\n";

static int usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "inkpipe review: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'inkpipe review --help'.\n");
    return 2;
}

static int int_arg(const char *s, int lo, int hi, int *v)
{
    char *e;
    long x = strtol(s, &e, 10);
    if (!*s || *e || x < lo || x > hi)
        return -1;
    *v = (int)x;
    return 0;
}

int cmd_review(int argc, char **argv)
{
    const char *path = NULL, *out = NULL;
    ReviewOptions o;
    review_options_init(&o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(help_review, stdout);
            return 0;
        }
        int has = i + 1 < argc;
        if (!strcmp(a, "-o") || !strcmp(a, "--threshold") ||
            !strcmp(a, "--max-items") || !strcmp(a, "--per-char") ||
            !strcmp(a, "--page-width")) {
            if (!has)
                return usage("%s needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "-o")) {
                out = v;
            } else if (!strcmp(a, "--threshold")) {
                char *e;
                o.threshold = strtod(v, &e);
                if (!*v || *e || !(o.threshold >= 0 && o.threshold <= 1))
                    return usage("--threshold '%s': expected 0 to 1", v);
            } else if (!strcmp(a, "--max-items")) {
                if (int_arg(v, 0, 1000000, &o.max_items) < 0)
                    return usage("--max-items '%s': expected 0 to 1000000",
                                 v);
            } else if (!strcmp(a, "--per-char")) {
                if (int_arg(v, 0, 100000, &o.per_char) < 0)
                    return usage("--per-char '%s': expected 0 to 100000", v);
            } else if (int_arg(v, 100, 10000, &o.page_width) < 0) {
                return usage("--page-width '%s': expected 100 to 10000", v);
            }
        } else if (a[0] == '-' || path) {
            return usage("unexpected argument '%s'", a);
        } else {
            path = a;
        }
    }
    if (!path)
        return usage("%s", "missing JOB.yaml");
    if (out) {
        size_t n = strlen(out);
        if (n < 6 || strcmp(out + n - 5, ".html"))
            return usage("-o '%s': the page must end in .html", out);
    }
    Job *job = job_load(path);
    if (!job) {
        fprintf(stderr, "inkpipe: %s\n", err_get());
        return 2;
    }
    char def[8192];
    if (!out) {
        if (review_default_path(job, def, sizeof def) < 0) {
            fprintf(stderr, "inkpipe: review: %s\n", err_get());
            job_destroy(&job);
            return 1;
        }
        out = def;
    }
    ReviewStats st;
    int rc = review_write(job, out, &o, &st);
    job_destroy(&job);
    if (rc < 0) {
        fprintf(stderr, "inkpipe: review: %s\n", err_get());
        return 1;
    }
    printf("%s: %d pages of %d files, %d items, %d to check, %d glyphs, %d "
           "crops\n",
           out, st.pages, st.inputs, st.items, st.to_check, st.glyphs,
           st.crops);
    if (st.missing_images)
        fprintf(stderr, "inkpipe: review: %d page%s without a picture (the "
                        "source image could not be read)\n",
                st.missing_images, st.missing_images == 1 ? "" : "s");
    return 0;
}
