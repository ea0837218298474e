/*
 * job.h - job files: a YAML description of what to OCR and where to put it.
 *
 * Files (prefix job_):
 *   job.c   job_load (libyaml event API -> small node tree -> schema check),
 *           defaults, path resolution, job_destroy
 *
 * Design: the whole file is read into a tree of nodes that remember their
 * line:column, then every key is checked against one table (the schema) so
 * that an unknown key, a wrong type, a bad value, a duplicate or a missing
 * required key is reported as `file:line:column: what was expected` before
 * anything runs. Aliases and anchors are refused, scalars are capped in size,
 * the nesting depth is capped, and libyaml's reader rejects non-UTF-8 input.
 * A Job is a plain value once loaded (fields visible, read-only for callers).
 * The spool, output.dir and input.paths must not contain one another
 * (checked on their real paths), so a run never reads its own files as
 * pages nor writes among its inputs.
 */
#ifndef INKPIPE_JOB_H
#define INKPIPE_JOB_H

#include <stdint.h>

#include "chain/chain.h"
#include "forms/forms.h"
#include "recognize/recognize.h"

typedef struct {
    char *path;       /* the job file as given */
    char *dir;        /* its directory: base of relative paths */
    char *name;       /* `name`; default: job file name without extension */
    char **inputs;    /* `input.paths`, resolved */
    int n_inputs;
    char *spool;      /* `spool`, resolved; default DIR/spool/NAME */
    char *output_dir; /* `output.dir`, resolved */
    int formats;      /* `output.formats`: OUT_FORMAT_* bits; default both */
    int review;       /* `output.review`: `run` writes OUT/review.html at its
                         end (review.h); default 0 */
    int image_paths_absolute; /* `output.image_paths`: 1 = absolute, 0 =
                                 relative to the output file (default) */
    int workers;      /* `workers`; default 1 */
    int clean_after_run; /* `clean`: 1 = after-run, 0 = never (default):
                            `inkpipe clean` after each run that ends 0 */
    /* binarize.*, segment.*, recognize.charset and .context,
     * limits.max_pixels: what the page chain needs (chain.h) */
    ChainOptions chain;
    char *model;         /* `recognize.model`, resolved; NULL = default */
    char *charset_spec;  /* `recognize.charset`; default "alnum" */
    RecPrecision precision; /* `recognize.precision`; default auto */
    double page_timeout; /* `limits.page_timeout` s; default 60 */
    int page_memory_mb;  /* `limits.page_memory_mb`; default 1024 */
    int max_pages;       /* `limits.max_pages` per input file; default 10000 */
    double lease_seconds; /* `lease.seconds`; default 300 */
    /* `forms.template` (resolved; NULL = pages are not forms), the template
     * loaded from it, and `forms.threshold`, `forms.labels`,
     * `forms.labels_lang`, `forms.guess_charset` */
    char *forms_template;
    FormTemplate *form;
    FormOptions forms;
    /* `slurm.*`: defaults for `inkpipe slurm submit` (0 / NULL = not set) */
    int slurm_tasks;
    int slurm_nodes;
    int slurm_cpus_per_task;
    char *slurm_partition;
    char *slurm_time;   /* HH:MM:SS, D-HH:MM:SS or minutes */
    char *slurm_sbatch; /* more #SBATCH options, space-separated */
} Job;

Job *job_load(const char *path);
void job_destroy(Job **pjob);
char *job_path(const Job *job, const char *path);

/* Defaults for everything but the required keys (used by `inkpipe ocr`). */
void job_init_defaults(Job *job);


#endif
