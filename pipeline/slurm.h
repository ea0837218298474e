/*
 * slurm.h - run a job's workers as a Slurm job array (used by cmd_slurm.c).
 *
 * Files (prefix slurm_):
 *   slurm.c   option checks, the sbatch script, fork/exec of sbatch and
 *             squeue, the record of submitted job ids
 *   slurm_run.c  SPOOL/slurm/run: the start of the run that submit begins
 *             and wait reports
 *
 * Design: Slurm only supplies processes. Every array task starts one
 * `inkpipe work JOB --exit-when-idle` per CPU (with srun, so that a task
 * that spans several nodes gets workers on each), and the workers drain the
 * job's shared on-disk queues exactly as local workers do; all the
 * crash-safety lives in the queues (claims by rename, recovery of dead or
 * expired claims), none in Slurm. Hence a task may die, run twice, or find
 * nothing to do, and nothing is lost or done twice.
 * No user string ever reaches a shell: sbatch and squeue are run with
 * fork/exec, and every path written into the script is single-quoted.
 * Values written on #SBATCH lines are checked first (no whitespace, quotes
 * or newlines), since sbatch reads those lines with its own tokenizer.
 */
#ifndef INKPIPE_SLURM_H
#define INKPIPE_SLURM_H

#include <stdio.h>

#include "pipeline/report.h"
#include "pipeline/spool.h"

/* What to ask Slurm for. A plain value; strings are borrowed. */
typedef struct {
    int tasks;             /* array tasks, >= 1 */
    int nodes;             /* nodes per task; 0 = not given (Slurm: 1) */
    int cpus_per_task;     /* workers (CPUs) per node of a task, >= 1 */
    const char *partition; /* NULL = the cluster's default partition */
    const char *time;      /* time limit per task; NULL = partition default */
    const char *const *sbatch_args; /* [optional] more #SBATCH options */
    int n_sbatch_args;
} SlurmSpec;

/* Everything the script names. Strings are borrowed; paths absolute. */
typedef struct {
    const char *inkpipe;  /* the inkpipe binary the tasks run */
    const char *job_path; /* the job file */
    const char *job_name; /* the job's `name` (Slurm job name inkpipe-NAME) */
    const char *spool;    /* the job's spool (for the comments) */
    const char *log_dir;  /* where each task's stdout/stderr goes */
    const char *const *submit_argv; /* [optional] extra sbatch command-line
                                       arguments, recorded in a comment */
    int n_submit_argv;
} SlurmScriptInfo;

int slurm_spec_check(const SlurmSpec *spec);
int slurm_time_check(const char *s);
int slurm_option_check(const char *opt);
int slurm_partition_check(const char *name);
int slurm_options_split(const char *list, char ***pargs, int *pn);
void slurm_options_free(char ***pargs);
int slurm_options_check(const char *list);
int slurm_job_value_check(const char *key, const char *value);
int slurm_script_write(FILE *f, const SlurmSpec *spec,
                       const SlurmScriptInfo *info);
int slurm_script_save(const char *path, const SlurmSpec *spec,
                      const SlurmScriptInfo *info);
int slurm_sbatch(const char *sbatch, const char *script,
                 const char *const *extra, int n_extra, double timeout,
                 long *pjobid);
int slurm_job_active(const char *squeue, long jobid, double timeout,
                     int *pactive);
int slurm_jobids_append(const char *path, long jobid);
int slurm_jobids_load(const char *path, long **pids, int *pn);

/* The start of one Slurm run, saved by `slurm submit` once the spool is
 * updated and read by `slurm wait` to report the run as `inkpipe run`
 * does (slurm_run.c). */
typedef struct {
    double t_start;     /* wall clock at submit, seconds since the epoch */
    ReportCounts start; /* counts once the inputs were submitted */
    SpoolUpdate update; /* what submit found (owned: skipped, notes) */
} SlurmRun;

int slurm_run_save(const char *path, const SlurmRun *run);
int slurm_run_load(const char *path, SlurmRun *run);
void slurm_run_cleanup(SlurmRun *run);

#endif
