/*
 * cmd_slurm.c - `inkpipe slurm submit|wait`: a job's workers as a Slurm array.
 *
 * Design: submit = validate the job file (exit 2 before Slurm hears of it),
 * enqueue its pages with the same code as `inkpipe submit`, and, if any work
 * is left, write SPOOL/slurm/job.sbatch (see slurm.c) and hand it to sbatch.
 * Each array task runs ordinary `inkpipe work --exit-when-idle` workers, so
 * nothing about Slurm leaks into the queues: a cancelled or lost task only
 * leaves claims that other workers recover (dead pid on the same host at
 * once, lease.seconds from another host). wait = poll the queues (backing
 * off to 2 s) until nothing is queued or claimed, then report like
 * `inkpipe run`: submit saves the start of the run (SPOOL/slurm/run,
 * slurm_run.c) and wait reports what was done since, with the JSON report
 * in SPOOL/runs/ (the whole job when a spool has no such record); if the
 * queues still hold work but none of the Slurm jobs recorded in
 * SPOOL/slurm/jobids is pending or running, nothing will finish it, so
 * wait says so (exit 1) instead of blocking forever.
 * Spool additions: SPOOL/slurm/{job.sbatch, jobids, run,
 * logs/ARRAYID_TASK.log}.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/err.h"
#include "cli/cli.h"
#include "common/fsutil.h"
#include "pipeline/job.h"
#include "pipeline/report.h"
#include "pipeline/review.h"
#include "pipeline/slurm.h"
#include "pipeline/spool.h"

#define SLURM_CMD_TIMEOUT 60.0 /* s to wait for sbatch / squeue */

static void slurm_usage(FILE *f)
{
    fprintf(f,
"usage: inkpipe slurm submit JOB.yaml [--tasks T] [--cpus-per-task C]\n"
"                            [--nodes N] [--partition P] [--time HH:MM:SS]\n"
"                            [--dry-run] [-- SBATCH_ARG...]\n"
"       inkpipe slurm wait JOB.yaml [--timeout SECONDS]\n"
"\n"
"Run a job's workers on a Slurm cluster. The job's spool and output folders\n"
"must be on a filesystem every node mounts, with atomic rename() (NFSv4,\n"
"Lustre, CephFS, GPFS); see docs/slurm.md.\n"
"\n"
"submit   check the job file (exit 2 if bad: nothing reaches Slurm), enqueue\n"
"         its pages as `inkpipe submit` does, write SPOOL/slurm/job.sbatch and\n"
"         submit it with sbatch; prints the Slurm job id. The script is a job\n"
"         array of T tasks; each task takes N nodes and runs one\n"
"         `inkpipe work JOB --exit-when-idle` per CPU (C per node). A task\n"
"         that dies loses nothing (its pages go back to the queue) and a task\n"
"         that finds no work exits 0 at once. A job with nothing left to do\n"
"         submits nothing (exit 0).\n"
"  --tasks T           array tasks (default: slurm.tasks, else 1)\n"
"  --cpus-per-task C   workers per node of a task (default: slurm.cpus_per_task,\n"
"                      else the job's `workers`)\n"
"  --nodes N           nodes per task (default: slurm.nodes, else Slurm's: 1)\n"
"  --partition P       partition (default: slurm.partition, else the cluster's)\n"
"  --time HH:MM:SS     time limit per task (default: slurm.time)\n"
"  --dry-run           print the script; enqueue and submit nothing\n"
"  -- SBATCH_ARG...    passed to sbatch as they are (after the job file's\n"
"                      slurm.sbatch options, so they win)\n"
"\n"
"wait     block until the job's queues are drained, then report the run\n"
"         the last submit began as `inkpipe run` does: the failed pages, one\n"
"         line counting what was done since that submit (\"this run: ...\"),\n"
"         a JSON report in SPOOL/runs/. Exit 0 when every page succeeded, 3\n"
"         when some failed. Exit 1 on --timeout, or when work is left but\n"
"         none of the Slurm jobs submitted for this spool is pending or\n"
"         running (submit again to finish it).\n"
"  --timeout SECONDS   give up after this long (default: no limit)\n");
}

/* Strict positive int for option `name`. Returns 0 or -1 (message set). */
static int slurm_parse_int(const char *name, const char *s, int *pv)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 1 || v > INT_MAX)
        return err_set("%s '%s': expected a whole number >= 1", name, s);
    *pv = (int)v;
    return 0;
}

/* path made absolute against the current folder (the script may run from
 * any folder); newly allocated, NULL with the message set on error. */
static char *slurm_abs(const char *path)
{
    char cwd[PATH_MAX] = "";
    size_t n;
    char *p;

    if (path[0] != '/' && !getcwd(cwd, sizeof cwd)) {
        err_set_errno("getcwd");
        return NULL;
    }
    n = strlen(cwd) + strlen(path) + 2;
    p = malloc(n);
    if (!p) {
        err_set("out of memory");
        return NULL;
    }
    snprintf(p, n, "%s%s%s", cwd, cwd[0] ? "/" : "", path);
    return p;
}

/* SPOOL/slurm[/NAME], absolute; newly allocated, NULL with the message
 * set on error. */
static char *slurm_path(const Job *job, const char *name)
{
    char *spool = slurm_abs(job->spool), *p;
    size_t n;

    if (!spool)
        return NULL;
    n = strlen(spool) + strlen(name) + 16;
    p = malloc(n);
    if (p)
        snprintf(p, n, "%s/slurm%s%s", spool, *name ? "/" : "", name);
    else
        err_set("out of memory");
    free(spool);
    return p;
}

/* ---- the pipeline side ---------------------------------------------- */

/* Work the queues hold, summed over every stage. */
typedef struct {
    int queued, claimed, failed; /* items, all stages */
    int files_done;              /* input files written (output stage) */
} SlurmProgress;

/* Count what the spool's queues hold. 0 or -1 (message set). */
static int slurm_progress(Spool *sp, SlurmProgress *pp)
{
    memset(pp, 0, sizeof *pp);
    for (int st = 0; st < STAGE_N; st++) {
        QueueCounts c;
        if (queue_get_counts(spool_get_queue(sp, (SpoolStage)st), &c) < 0)
            return -1;
        pp->queued += c.queued;
        pp->claimed += c.claimed;
        pp->failed += c.failed;
        if (st == STAGE_OUTPUT)
            pp->files_done = c.done;
    }
    return 0;
}

/* The end report of `inkpipe run` (report.h): the failures, fields.csv,
 * the review page, and the summary of the run that the last `slurm
 * submit` began (SPOOL/slurm/run, path run_path) with its JSON report in
 * SPOOL/runs/; without that record (a spool submitted by an older
 * inkpipe) the summary of the whole job. seconds: how long wait waited.
 * Returns the exit code: 0 all done, 3 some failed, 1 counts unreadable. */
static int slurm_report(Spool *sp, const Job *job, const char *run_path,
                        double seconds)
{
    const char *who = "inkpipe slurm wait";
    ReportCounts k;
    if (report_counts(sp, &k) < 0) {
        fprintf(stderr, "%s: %s\n", who, err_get());
        return 1;
    }
    int failed = report_failed(&k);
    int rc = failed ? 3 : 0;
    if (failed)
        report_failures(sp, stderr);
    if (report_fields_csv(sp) < 0) {
        fprintf(stderr, "%s: %s\n", who, err_get());
        return 1;
    }
    char review[8192];
    ReviewStats rs;
    int rv = review_run_end(job, report_pages(&k).done, review, sizeof review,
                            &rs);
    if (rv < 0) {
        fprintf(stderr, "%s: %s\n", who, err_get());
        rc = failed ? 3 : 1;
    }
    SlurmRun sr;
    int found = slurm_run_load(run_path, &sr);
    if (found < 0)
        fprintf(stderr, "%s: %s; reporting the whole job\n", who, err_get());
    if (found <= 0) {
        report_summary(stderr, who, job, &k, -1, seconds, 1);
        if (rv > 0)
            fprintf(stderr, "%s: review page %s: %d to check\n", who, review,
                    rs.to_check);
        return rc;
    }
    /* The run: from the submit's snapshot to now (wall clock: submit and
     * wait are two processes, maybe on two hosts). */
    ReportRun run;
    memset(&run, 0, sizeof run);
    run.update = &sr.update;
    run.start = sr.start;
    run.end = k;
    run.t_start = sr.t_start;
    run.t_end = clock_wall_s();
    run.seconds = run.t_end > run.t_start ? run.t_end - run.t_start : 0;
    run.exit_code = rc;
    if (rv > 0) {
        run.review = review;
        run.review_to_check = rs.to_check;
    }
    report_run_summary(stderr, who, job, &run);
    if (report_run_save(sp, &run, NULL, 0) < 0)
        fprintf(stderr, "%s: %s (the run itself is not affected)\n", who,
                err_get());
    slurm_run_cleanup(&sr);
    return rc;
}

/* ---- submit ----------------------------------------------------------- */

/* The command line of `inkpipe slurm submit`. */
typedef struct {
    const char *job_path;
    int tasks, cpus, nodes, dry_run; /* 0 = from the job file */
    const char *partition, *time_limit;
    char **extra; /* after `--`: sbatch's own options */
    int n_extra;
} SubmitArgs;

/* The value of a slurm_submit step that lets the command go on. */
#define SUBMIT_GO (-1)

/* Parse submit's arguments into a. SUBMIT_GO, or the exit code: 0 after
 * --help, 2 for bad usage (said on stderr). */
static int submit_args_parse(int argc, char **argv, SubmitArgs *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int *target = NULL;
        if (!strcmp(o, "--")) {
            a->extra = argv + i + 1;
            a->n_extra = argc - i - 1;
            break;
        } else if (!strcmp(o, "--dry-run")) {
            a->dry_run = 1;
            continue;
        } else if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
            slurm_usage(stdout);
            return 0;
        } else if (!strcmp(o, "--tasks")) {
            target = &a->tasks;
        } else if (!strcmp(o, "--cpus-per-task")) {
            target = &a->cpus;
        } else if (!strcmp(o, "--nodes")) {
            target = &a->nodes;
        } else if (!strcmp(o, "--partition") || !strcmp(o, "--time")) {
            if (!v)
                goto missing;
            *(o[2] == 'p' ? &a->partition : &a->time_limit) = v;
            i++;
            continue;
        } else if (o[0] == '-' && o[1]) {
            fprintf(stderr, "inkpipe slurm submit: unknown option %s "
                            "(see inkpipe slurm --help)\n", o);
            return 2;
        } else if (!a->job_path) {
            a->job_path = o;
            continue;
        } else {
            fprintf(stderr, "inkpipe slurm submit: one job file only (got %s "
                            "and %s)\n", a->job_path, o);
            return 2;
        }
        if (!v)
            goto missing;
        if (slurm_parse_int(o, v, target) < 0) {
            fprintf(stderr, "inkpipe slurm submit: %s\n", err_get());
            return 2;
        }
        i++;
        continue;
    missing:
        fprintf(stderr, "inkpipe slurm submit: %s needs a value\n", o);
        return 2;
    }
    if (!a->job_path) {
        fprintf(stderr, "inkpipe slurm submit: which job file? (see "
                        "inkpipe slurm --help)\n");
        return 2;
    }
    return SUBMIT_GO;
}

/* The Slurm request: the command line wins over the job file's slurm:
 * section; its sbatch options are split into *pjob_args (caller frees
 * with slurm_options_free). SUBMIT_GO, or 2 (said on stderr). */
static int submit_spec(const SubmitArgs *a, const Job *job, SlurmSpec *spec,
                       char ***pjob_args)
{
    memset(spec, 0, sizeof *spec);
    spec->tasks = a->tasks ? a->tasks : job->slurm_tasks ? job->slurm_tasks : 1;
    spec->cpus_per_task = a->cpus ? a->cpus
                          : job->slurm_cpus_per_task ? job->slurm_cpus_per_task
                                                     : job->workers;
    spec->nodes = a->nodes ? a->nodes : job->slurm_nodes;
    spec->partition = a->partition ? a->partition : job->slurm_partition;
    spec->time = a->time_limit ? a->time_limit : job->slurm_time;
    if (job->slurm_sbatch &&
        slurm_options_split(job->slurm_sbatch, pjob_args,
                            &spec->n_sbatch_args) < 0) {
        fprintf(stderr, "inkpipe slurm submit: %s: slurm.sbatch: %s\n",
                a->job_path, err_get());
        return 2;
    }
    spec->sbatch_args = (const char *const *)*pjob_args;
    if (slurm_spec_check(spec) < 0) {
        fprintf(stderr, "inkpipe slurm submit: %s\n", err_get());
        return 2;
    }
    return SUBMIT_GO;
}

/* Save the start of this run in SPOOL/slurm/run for `slurm wait`: the
 * counts now, t_start, what the update found (u is moved into the record:
 * emptied). 0 or -1 (message set). */
static int submit_save_run(Spool *sp, const Job *job, double t_start,
                           SpoolUpdate *u)
{
    SlurmRun run;
    memset(&run, 0, sizeof run);
    run.t_start = t_start;
    run.update = *u;
    memset(u, 0, sizeof *u);
    char *path = slurm_path(job, "run");
    int rc = path && report_counts(sp, &run.start) == 0 &&
                     slurm_run_save(path, &run) == 0
                 ? 0
                 : -1;
    free(path);
    slurm_run_cleanup(&run);
    return rc;
}

/* Enqueue the job's inputs (idempotent: `inkpipe submit`'s code; an edited
 * job redoes what its edit affects, as there) into the spool it opens
 * (*psp, caller destroys), record the start of the run (submit_save_run),
 * and see whether anything is left (*pr). SUBMIT_GO when there is, else
 * the exit code: 0 nothing left (said), 1 error, 2 the inputs cannot be
 * enqueued. */
static int submit_enqueue(const Job *job, const char *job_path, Spool **psp,
                          double t_start, int *pn_new, SlurmProgress *pr)
{
    SpoolUpdate upd;
    Spool *sp = *psp = spool_open(job);
    if (!sp) {
        fprintf(stderr, "inkpipe slurm submit: %s\n", err_get());
        return 1;
    }
    /* (the tasks' `inkpipe work` refuses a job that differs) */
    SpoolRedo redo;
    const char *model = job->model ? job->model : cli_default_model_path();
    if (spool_settings_sync(sp, model, cli_lm_path(model),
                            cli_env()->precision, &redo) < 0) {
        fprintf(stderr, "inkpipe slurm submit: %s: %s\n", job_path,
                err_get());
        return 1;
    }
    if (redo.from < STAGE_N)
        fprintf(stderr, "inkpipe slurm submit: %s: settings changed (%s): "
                        "%s and later stages redone (%d items)\n",
                job_path, redo.changes[0] ? redo.changes : "a redo cut short",
                spool_stage_names[redo.from], redo.items);
    if (spool_update(sp, 0, &upd) < 0) {
        /* as `inkpipe submit`: the job's inputs cannot be enqueued */
        fprintf(stderr, "inkpipe slurm submit: %s: %s\n", job_path,
                err_get());
        return 2;
    }
    *pn_new = upd.n_new + upd.changed;
    /* (a wait that cannot find it reports the whole job, as before) */
    if (submit_save_run(sp, job, t_start, &upd) < 0)
        fprintf(stderr, "inkpipe slurm submit: warning: %s (`inkpipe slurm "
                        "wait` will report the whole job, not this run)\n",
                err_get());
    if (slurm_progress(sp, pr) < 0) {
        fprintf(stderr, "inkpipe slurm submit: %s\n", err_get());
        return 1;
    }
    if (pr->queued + pr->claimed == 0) {
        fprintf(stderr, "inkpipe slurm submit: %s: nothing left to do "
                        "(%d file(s) written, %d item(s) failed); nothing "
                        "submitted\n", job->name, pr->files_done, pr->failed);
        if (pr->failed)
            fprintf(stderr, "  `inkpipe retry %s` puts the failed items back "
                            "in their queues\n", job_path);
        return 0;
    }
    return SUBMIT_GO;
}

/* `inkpipe slurm submit`: check the job and the Slurm values, enqueue,
 * write the batch script, sbatch it and record the job id (steps:
 * submit_args_parse, submit_spec, submit_enqueue). Returns the exit
 * code. */
static int slurm_submit(int argc, char **argv)
{
    SubmitArgs a;
    int rc = submit_args_parse(argc, argv, &a);
    if (rc != SUBMIT_GO)
        return rc;
    char **job_args = NULL;
    Spool *sp = NULL;
    int n_new = 0;
    SlurmSpec spec;
    SlurmScriptInfo info;
    SlurmProgress pr;
    char *inkpipe = NULL, *job_abs = NULL, *spool_abs = NULL, *logs = NULL,
         *script = NULL, *ids = NULL;
    long jobid = 0;
    double t_start = clock_wall_s();

    /* 1. The job file and every Slurm value are checked before anything
     *    touches the spool or Slurm. */
    Job *job = job_load(a.job_path);
    if (!job) {
        fprintf(stderr, "inkpipe slurm submit: %s\n", err_get());
        return 2;
    }
    rc = 1;
    int step = submit_spec(&a, job, &spec, &job_args);
    if (step != SUBMIT_GO) {
        rc = step;
        goto out;
    }
    inkpipe = realpath("/proc/self/exe", NULL);
    job_abs = realpath(a.job_path, NULL);
    spool_abs = slurm_abs(job->spool);
    logs = slurm_path(job, "logs");
    script = slurm_path(job, "job.sbatch");
    ids = slurm_path(job, "jobids");
    if (!inkpipe || !job_abs) {
        fprintf(stderr, "inkpipe slurm submit: %s: %s\n",
                inkpipe ? a.job_path : "/proc/self/exe", strerror(errno));
        goto out;
    }
    if (!spool_abs || !logs || !script || !ids) {
        fprintf(stderr, "inkpipe slurm submit: %s\n", err_get());
        goto out;
    }
    memset(&info, 0, sizeof info);
    info.inkpipe = inkpipe;
    info.job_path = job_abs;
    info.job_name = job->name;
    info.spool = spool_abs;
    info.log_dir = logs;
    info.submit_argv = (const char *const *)a.extra;
    info.n_submit_argv = a.n_extra;
    if (a.dry_run) {
        if (slurm_script_write(stdout, &spec, &info) < 0) {
            fprintf(stderr, "inkpipe slurm submit: %s\n", err_get());
            goto out;
        }
        rc = 0;
        goto out;
    }

    /* 2. Enqueue, then see whether anything is left. */
    step = submit_enqueue(job, a.job_path, &sp, t_start, &n_new, &pr);
    if (step != SUBMIT_GO) {
        rc = step;
        goto out;
    }

    /* 3. Script, sbatch, record. */
    if (fs_mkdirs(logs) < 0 || slurm_script_save(script, &spec, &info) < 0 ||
        slurm_sbatch("sbatch", script, (const char *const *)a.extra,
                     a.n_extra, SLURM_CMD_TIMEOUT, &jobid) < 0) {
        fprintf(stderr, "inkpipe slurm submit: %s\n", err_get());
        goto out;
    }
    if (slurm_jobids_append(ids, jobid) < 0)
        fprintf(stderr, "inkpipe slurm submit: warning: %s (`inkpipe slurm "
                        "wait` cannot watch job %ld)\n", err_get(), jobid);
    printf("%ld\n", jobid);
    fprintf(stderr, "inkpipe slurm submit: %s: Slurm job %ld, %d task(s) x "
                    "%d worker(s); %d new input(s), %d item(s) queued; "
                    "script %s\n",
            job->name, jobid, spec.tasks, spec.cpus_per_task, n_new,
            pr.queued, script);
    rc = 0;
out:
    free(inkpipe);
    free(job_abs);
    free(spool_abs);
    free(logs);
    free(script);
    free(ids);
    slurm_options_free(&job_args);
    spool_destroy(&sp);
    job_destroy(&job);
    return rc;
}

/* ---- wait ------------------------------------------------------------- */

/* 1 if some recorded Slurm job is still active, 0 if none, -1 if Slurm
 * cannot be asked (then the caller stops checking). */
static int slurm_any_active(const char *ids_path)
{
    long *ids = NULL;
    int n = 0, any = 0;

    if (slurm_jobids_load(ids_path, &ids, &n) < 0)
        return -1;
    if (n == 0) {
        free(ids);
        return err_set("%s: no Slurm job recorded", ids_path);
    }
    for (int i = n - 1; i >= 0 && !any; i--) {
        int active = 0;
        if (slurm_job_active("squeue", ids[i], SLURM_CMD_TIMEOUT, &active) <
            0) {
            free(ids);
            return -1;
        }
        any = active;
    }
    free(ids);
    return any;
}

static int slurm_wait(int argc, char **argv)
{
    const char *job_path = NULL;
    double timeout = 0, start, delay = 0.2, next_check;
    int rc = 1, check_slurm = 1;
    Job *job = NULL;
    Spool *sp = NULL;
    char *ids = NULL, *run = NULL;
    SlurmProgress pr;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            slurm_usage(stdout);
            return 0;
        } else if (!strcmp(a, "--timeout")) {
            char *end;
            if (i + 1 >= argc) {
                fprintf(stderr, "inkpipe slurm wait: --timeout needs a "
                                "value\n");
                return 2;
            }
            timeout = strtod(argv[++i], &end);
            if (end == argv[i] || *end || !(timeout > 0)) {
                fprintf(stderr, "inkpipe slurm wait: --timeout '%s': "
                                "expected seconds > 0\n", argv[i]);
                return 2;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "inkpipe slurm wait: unknown option %s\n", a);
            return 2;
        } else if (!job_path) {
            job_path = a;
        } else {
            fprintf(stderr, "inkpipe slurm wait: one job file only\n");
            return 2;
        }
    }
    if (!job_path) {
        fprintf(stderr, "inkpipe slurm wait: which job file?\n");
        return 2;
    }
    job = job_load(job_path);
    if (!job) {
        fprintf(stderr, "inkpipe slurm wait: %s\n", err_get());
        return 2;
    }
    ids = slurm_path(job, "jobids");
    run = ids ? slurm_path(job, "run") : NULL;
    sp = run ? spool_open(job) : NULL;
    if (!sp) {
        fprintf(stderr, "inkpipe slurm wait: %s\n", err_get());
        goto out;
    }
    start = clock_mono_s();
    next_check = start + 2;
    for (;;) {
        double now;
        if (slurm_progress(sp, &pr) < 0) {
            fprintf(stderr, "inkpipe slurm wait: %s\n", err_get());
            goto out;
        }
        if (pr.queued + pr.claimed == 0)
            break;
        now = clock_mono_s();
        if (timeout > 0 && now - start >= timeout) {
            fprintf(stderr, "inkpipe slurm wait: %s: %d queued, %d in "
                            "progress after %.0f s; giving up\n",
                    job->name, pr.queued, pr.claimed, timeout);
            goto out;
        }
        if (check_slurm && now >= next_check) {
            int any = slurm_any_active(ids);
            next_check = now + 2;
            if (any < 0) {
                fprintf(stderr, "inkpipe slurm wait: not watching Slurm: "
                                "%s\n", err_get());
                check_slurm = 0;
            } else if (any == 0) {
                /* The last task may have finished the work just now. */
                if (slurm_progress(sp, &pr) < 0) {
                    fprintf(stderr, "inkpipe slurm wait: %s\n", err_get());
                    goto out;
                }
                if (pr.queued + pr.claimed == 0)
                    break;
                fprintf(stderr,
                        "inkpipe slurm wait: %s: %d queued, %d in progress, "
                        "but no Slurm task of this job is pending or "
                        "running;\n  run `inkpipe slurm submit %s` to finish "
                        "it\n", job->name, pr.queued, pr.claimed, job_path);
                goto out;
            }
        }
        usleep((useconds_t)(delay * 1e6));
        if (delay < 2)
            delay *= 1.5;
    }
    rc = slurm_report(sp, job, run, clock_mono_s() - start);
out:
    free(run);
    free(ids);
    spool_destroy(&sp);
    job_destroy(&job);
    return rc;
}

/**
 * `inkpipe slurm SUBCOMMAND ...`: see slurm_usage().
 *
 * @param[in] argc  argument count, argv[0] = "slurm"
 * @param[in] argv  arguments
 * @return exit code: 0 ok, 1 failure (sbatch/queue error, wait gave up),
 *         2 bad usage or bad job file, 3 some pages failed (wait)
 */
int cmd_slurm(int argc, char **argv)
{
    if (argc < 2) {
        slurm_usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
        !strcmp(argv[1], "help")) {
        slurm_usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "submit"))
        return slurm_submit(argc - 1, argv + 1);
    if (!strcmp(argv[1], "wait"))
        return slurm_wait(argc - 1, argv + 1);
    fprintf(stderr, "inkpipe slurm: unknown subcommand '%s' (submit, wait)\n",
            argv[1]);
    return 2;
}
