/*
 * cmd_job.c - the job subcommands: run, submit, work, status, retry,
 * clean.
 *
 * Design: each command loads and validates the job file first (exit 2 on
 * any problem, with file:line:col), opens the spool, and then does one
 * thing with it. `run` = submit + N worker processes that exit when the
 * queues drain + a summary; concurrent runs and extra `work` processes on
 * other hosts share the queues safely (queue.h). `run` and `submit` first
 * compare the job's settings with the spool's and redo what a change
 * affects (spool_settings_sync); `work` refuses a job that differs. Exit
 * codes (cli.h): 0 all pages done, 1 the spool or outputs cannot be used
 * (a full disk included), 2 bad usage or job file, 3 some items failed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/err.h"
#include "cli/cli.h"
#include "pipeline/job.h"
#include "pipeline/report.h"
#include "pipeline/review.h"
#include "pipeline/spool.h"
#include "pipeline/worker.h"

/* Worker defaults with what the environment adds (cli_env()). */
static void cli_worker_options_init(WorkerOptions *wo)
{
    const CliEnv *env = cli_env();
    worker_options_init(wo);
    wo->precision = env->precision;
    wo->fault = env->fault;
    wo->trace = env->trace;
    wo->timings = env->timings;
}

static const char help_run[] =
    "usage: inkpipe run JOB.yaml [--workers N] [--prune] [--quiet]\n"
    "\n"
    "Enqueue every page of the job's inputs and run all stages (ingest,\n"
    "binarize, segment, recognize, output) with N worker processes until the\n"
    "queues drain. Incremental: new input files and changed ones (size or\n"
    "mtime, then the content) are done, unchanged ones cost a stat; an\n"
    "output file that went missing is written again; a removed input is\n"
    "reported and its failures dropped. Files of the input folders that are\n"
    "not read (.txt, .pdf, no extension ...) are listed with the reason.\n"
    "Claims left by killed workers are taken back. On a terminal, progress\n"
    "goes to stderr. A JSON report of each run is kept in SPOOL/runs/.\n"
    "After an edit of the job's settings, the stages they affect are redone\n"
    "for every page (binarize.* from binarize on, segment.* and the model\n"
    "from segment, output.* only the output); earlier results are reused.\n"
    "\n"
    "  --workers N   worker processes (default: `workers` in the job, 1)\n"
    "  --prune       remove the outputs of inputs that were removed\n"
    "  --quiet       no progress line and no summary\n"
    "\n"
    "SIGINT (Ctrl-C) or SIGTERM stops the workers after the page in hand\n"
    "(a second signal kills them; their pages go back to the queue), says\n"
    "how many pages were done and how many are left, and exits 130 or 143;\n"
    "`inkpipe run JOB.yaml` again continues where it stopped.\n"
    "\n"
    "Exit status: 0 every present input has current outputs, 3 some\n"
    "failed (listed with reasons),\n"
    "2 bad job file or usage, 1 spool or output folder unusable (or full),\n"
    "130 stopped by SIGINT, 143 stopped by SIGTERM.\n";

static const char help_submit[] =
    "usage: inkpipe submit JOB.yaml [--prune]\n"
    "\n"
    "Only enqueue the job's input files (one ingest item each): new ones and\n"
    "changed ones (as `run` does; unchanged ones are skipped, so submitting\n"
    "twice adds nothing). --prune removes the outputs of removed inputs.\n"
    "Workers (`inkpipe work`) then process them. Like `run`, it first\n"
    "requeues what an edit of the job's settings affects.\n";

static const char help_work[] =
    "usage: inkpipe work JOB.yaml [--stage NAME] [--exit-when-idle]\n"
    "\n"
    "Run one worker on the job's spool. Any number of workers may run at\n"
    "once, on this machine or on others that share the spool folder (over a\n"
    "network filesystem); each item is claimed by exactly one of them.\n"
    "A job whose settings differ from the spool's is refused (exit 1): run\n"
    "`inkpipe submit JOB.yaml` first, which redoes what they affect.\n"
    "\n"
    "  --stage NAME       only this stage (ingest, binarize, segment,\n"
    "                     recognize, output); may be repeated\n"
    "  --exit-when-idle   stop when nothing is queued or claimed\n"
    "  --model FILE       classifier (default: recognize.model, else the\n"
    "                     installed model)\n";

static const char help_status[] =
    "usage: inkpipe status JOB.yaml [--json]\n"
    "\n"
    "Per stage: items queued, in progress (claimed), done and failed; the\n"
    "reason of each failure; which host and pid hold each claim (a claim\n"
    "of a dead worker of this host is counted as queued: the next run or\n"
    "work takes it back); per input file (as the last run or submit found\n"
    "them): done, failed, pending, removed, and the files skipped with the\n"
    "reason. A job never run (no spool) is said so, exit 1; status creates\n"
    "no folder then.\n"
    "\n"
    "  --json   one JSON object on stdout\n";

static const char help_retry[] =
    "usage: inkpipe retry JOB.yaml\n"
    "\n"
    "Put every failed item back in its queue (its reason is forgotten).\n"
    "Then `inkpipe run JOB.yaml` or `inkpipe work JOB.yaml` processes them.\n"
    "A file written without a failed page is written again, whole, once\n"
    "the page goes through.\n";

static const char help_clean[] =
    "usage: inkpipe clean JOB.yaml\n"
    "\n"
    "Remove the spool's intermediate files (art/: binarised, segmented and\n"
    "recognised pages) of every input file that is finished: output\n"
    "written, no page failed or pending. Kept: the queue items and the input\n"
    "record (what incremental runs need). Later runs need no more work for\n"
    "unchanged inputs; an output file that went missing, or a settings edit,\n"
    "redoes the pages from the input file instead of from the removed\n"
    "files. A job with forms.template keeps the recognised pages (fields.csv\n"
    "is made from them). Prints the files removed and the bytes the spool\n"
    "holds, in all and per page, before and after. The job key\n"
    "`clean: after-run` does this after each run that ends with exit 0.\n"
    "\n"
    "Exit status: 0 done, 1 the job was never run (no spool; nothing is\n"
    "created) or a run is in progress (workers hold claims), 2 bad job file\n"
    "or usage.\n";

static int is_help(const char *a)
{
    return !strcmp(a, "--help") || !strcmp(a, "-h");
}

static int usage(const char *help, const char *fmt, const char *arg)
{
    fprintf(stderr, "inkpipe: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", help);
    return 2;
}

/* 1 (after saying so) when job file path names a spool that does not
 * exist: status then looks and creates nothing. 2 for a bad job file. */
static int status_no_spool(const char *path)
{
    Job *job = job_load(path);
    if (!job) {
        fprintf(stderr, "inkpipe: %s\n", err_get());
        return 2;
    }
    struct stat st;
    int rc = 0;
    if (stat(job->spool, &st) < 0 && errno == ENOENT) {
        fprintf(stderr, "inkpipe: %s: the spool %s does not exist: the job "
                        "was never run (`inkpipe run %s` starts it)\n",
                path, job->spool, path);
        rc = 1;
    }
    job_destroy(&job);
    return rc;
}

/* Load the job and open its spool; prints the error. Returns 0, 1 or 2.
 * With existing, a spool that does not exist is an error (1, said) and
 * nothing is created (spool_open_existing): status and clean. */
static int open_job(const char *path, int existing, Job **pjob, Spool **psp)
{
    if (existing) {
        int rc = status_no_spool(path);
        if (rc)
            return rc;
    }
    *pjob = job_load(path);
    if (!*pjob) {
        fprintf(stderr, "inkpipe: %s\n", err_get());
        return 2;
    }
    *psp = existing ? spool_open_existing(*pjob) : spool_open(*pjob);
    if (!*psp) {
        fprintf(stderr, "inkpipe: %s\n", err_get());
        job_destroy(pjob);
        return 1;
    }
    return 0;
}

/* For commands whose one argument is JOB.yaml (besides --help): parse
 * argv, load the job and open its spool (existing: open_job()). Returns
 * -1 when they are open, else the exit code (0 after --help; the error is
 * printed). */
static int open_job_arg(int argc, char **argv, const char *help,
                        int existing, const char **ppath, Job **pjob,
                        Spool **psp)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        } else if (argv[i][0] == '-' || path) {
            return usage(help, "unexpected argument '%s'", argv[i]);
        }
        path = argv[i];
    }
    if (!path)
        return usage(help, "%s", "missing JOB.yaml");
    *ppath = path;
    int rc = open_job(path, existing, pjob, psp);
    return rc ? rc : -1;
}

static const char *job_model(const Job *job)
{
    return job->model ? job->model : cli_default_model_path();
}

/* Print the error of a spool that could not be written; on a full disk
 * with what to do (as a worker says it). */
static void spool_failed(const char *path)
{
    int e = err_get_errno();
    if (e == ENOSPC || e == EDQUOT)
        fprintf(stderr, "inkpipe: %s: %s. Stopped: free some space, then "
                        "run (or submit) the job again\n",
                path, err_get());
    else
        fprintf(stderr, "inkpipe: %s: %s\n", path, err_get());
}

/* Redo what a change of the job's settings makes stale (run, submit);
 * says what it does on stderr. 0, or the exit code (1) after the error. */
static int sync_settings(const char *path, Spool *sp, const Job *job)
{
    SpoolRedo r;
    const char *model = job_model(job);
    if (spool_settings_sync(sp, model, cli_lm_path(model),
                            cli_env()->precision, &r) < 0) {
        spool_failed(path);
        return 1;
    }
    if (r.from == STAGE_N)
        return 0;
    fprintf(stderr, "inkpipe: %s: %s%s%s; ", path,
            r.changes[0] ? "settings changed since the last run: " : "",
            r.changes,
            r.interrupted ? (r.changes[0] ? " (and a redo was cut short)"
                                          : "finishing a redo that was cut "
                                            "short")
                          : "");
    if (r.from == STAGE_OUTPUT)
        fprintf(stderr, "the output of %d files is written again\n", r.items);
    else
        fprintf(stderr, "%s and the stages after it are redone (%d items "
                        "requeued), the results of earlier stages are "
                        "reused\n",
                spool_stage_names[r.from], r.items);
    return 0;
}

/* After spool_submit failed: the words and the exit code. A full disk (or
 * a spool that cannot be written) is not the job file's fault: 1, with
 * what to do; anything else is a problem of the inputs: 2. */
static int submit_failed(const char *path)
{
    int e = err_get_errno();
    spool_failed(path);
    return e == ENOSPC || e == EDQUOT || e == EROFS || e == EIO ? 1 : 2;
}

/* The progress line: the job's pages, this run's count and rate (pages
 * recognised since start0, over the time since t0). */
static void progress_line(const ReportCounts *k, const ReportCounts *start0,
                          double t0)
{
    ReportPages pg = report_pages(k), p0 = report_pages(start0);
    int total = pg.total, done = pg.done, failed = pg.failed;
    int now = done - p0.done > 0 ? done - p0.done : 0;
    double el = clock_mono_s() - t0;
    double rate = el > 0 ? now / el : 0;
    int left = total - done - failed;
    char eta[32] = "?";
    if (rate > 0 && left >= 0)
        snprintf(eta, sizeof eta, "%.0fs", left / rate);
    fprintf(stderr,
            "\r\033[Kpages %d/%d done, %d failed; this run %d pages, %.1f "
            "pages/s, ETA %s",
            done, total, failed, now, rate, eta);
    fflush(stderr);
}

/* Print what submit found: its notes, the files skipped (the first 20),
 * a word on an old spool. */
static void print_update(const char *path, const SpoolUpdate *u)
{
    if (u->legacy)
        fprintf(stderr, "inkpipe: %s: the spool was made by an older "
                        "inkpipe: its inputs are recorded as they are now "
                        "(a file changed before this run is not redone; "
                        "`retry` redoes failures)\n",
                path);
    for (int i = 0; i < u->n_notes; i++)
        fprintf(stderr, "inkpipe: %s\n", u->notes[i]);
    int shown = u->n_skipped < 20 ? u->n_skipped : 20;
    for (int i = 0; i < shown; i++)
        fprintf(stderr, "  skipped %s: %s\n", u->skipped[i].file,
                u->skipped[i].reason);
    if (shown < u->n_skipped)
        fprintf(stderr, "  ... and %d more skipped (`inkpipe status` lists "
                        "them all)\n",
                u->n_skipped - shown);
    if (u->pruned)
        fprintf(stderr, "inkpipe: --prune: %d output files of %d removed "
                        "inputs removed\n",
                u->pruned_files, u->pruned);
    if (u->outputs_rewritten)
        fprintf(stderr, "inkpipe: %d unchanged inputs had an output file "
                        "missing: written again\n",
                u->outputs_rewritten);
}

/* Peak resident memory (KB) of this process and of its largest waited-for
 * child. */
static void peak_rss(long *self, long *children)
{
    struct rusage ru;
    *self = getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
    *children = getrusage(RUSAGE_CHILDREN, &ru) == 0 ? ru.ru_maxrss : 0;
}

static volatile sig_atomic_t work_stop;

static void on_term(int sig)
{
    (void)sig;
    work_stop = 1;
}

/* SIGINT/SIGTERM received by `run` (the last one) and how many. */
static volatile sig_atomic_t run_signal, run_signals;

static void on_run_signal(int sig)
{
    run_signal = sig;
    run_signals++;
}

/* Catch SIGINT and SIGTERM with handler (no SA_RESTART: waits wake up). */
static void catch_stop_signals(void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
}

/* The language model and lexicon of a worker's recognize items, loaded
 * once here (the stage process forked later inherits them), not for each
 * page by chain_recognize (~0.6 ms a page for the 600 KB en-fr.lm). */
typedef struct {
    RecLm *lm;
    RecLexicon *lex;
} WorkerLm;

/* Load the job's language model and lexicon (their paths set in
 * job->chain) into w. A file that cannot be loaded is left to the pages:
 * its path stays set, so each recognize item fails naming it, as before. */
static void worker_lm_load(Job *job, WorkerLm *w)
{
    w->lm = NULL;
    w->lex = NULL;
    if (job->chain.lm_path && (w->lm = rec_lm_load(job->chain.lm_path)))
        job->chain.lm = w->lm;
    if (job->chain.lexicon_path &&
        (w->lex = rec_lexicon_load(job->chain.lexicon_path)))
        job->chain.lexicon = w->lex;
    err_clear();
}

/* Undo worker_lm_load. */
static void worker_lm_free(Job *job, WorkerLm *w)
{
    job->chain.lm = NULL;
    job->chain.lexicon = NULL;
    rec_lm_destroy(&w->lm);
    rec_lexicon_destroy(&w->lex);
}

/* Fork one worker that drains the queues; returns its pid or -1. The
 * worker stops after the item in hand on SIGINT/SIGTERM (which `run`
 * forwards, or a terminal's Ctrl-C sends to the whole group) and when
 * `run` dies, however it dies (PR_SET_PDEATHSIG): never an orphan. */
static pid_t spawn_worker(Job *job, Spool *sp, pid_t *pids)
{
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "inkpipe: fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid > 0)
        return pid;
    catch_stop_signals(on_term);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
        work_stop = 1; /* `run` died before prctl took effect */
    if (run_signal)
        work_stop = 1; /* stopped while forking */
    WorkerOptions wo;
    cli_worker_options_init(&wo);
    wo.exit_when_idle = 1;
    wo.stop = &work_stop;
    wo.model = job_model(job);
    /* the language model goes with the classifier; the recognize stage
     * finds it in the job's page-chain options */
    WorkerLm wl;
    job->chain.lm_path = cli_lm_path(wo.model);
    worker_lm_load(job, &wl);
    int wrc = worker_run(sp, &wo, NULL);
    if (wrc < 0)
        fprintf(stderr, "inkpipe: worker %ld: %s\n", (long)getpid(),
                err_get());
    worker_lm_free(job, &wl);
    spool_destroy(&sp);
    job_destroy(&job);
    free(pids);
    exit(wrc < 0 ? 1 : 0);
}

/* Seconds since the epoch, now. */
static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* `inkpipe clean` on an open spool (also `clean: after-run`): remove the
 * artifacts of finished files and print what was removed and the spool's
 * bytes before and after, in all and per page, on fp ([optional]: NULL =
 * quiet). 0 or 1 (the error said). */
static int clean_spool(const char *path, Spool *sp, const Job *job, FILE *fp)
{
    long long before, after;
    ReportCounts k;
    SpoolClean c;
    if (spool_disk_usage(job->spool, &before) < 0 ||
        report_counts(sp, &k) < 0) {
        fprintf(stderr, "inkpipe: %s: %s\n", path, err_get());
        return 1;
    }
    if (spool_clean(sp, &c) < 0) {
        fprintf(stderr, "inkpipe: %s: clean refused: %s\n", path, err_get());
        return 1;
    }
    if (spool_disk_usage(job->spool, &after) < 0) {
        fprintf(stderr, "inkpipe: %s: %s\n", path, err_get());
        return 1;
    }
    int pages = report_pages(&k).total;
    if (!fp)
        return 0;
    fprintf(fp, "%s: clean: %d files removed (of %d input files, %lld "
                "bytes); spool %lld bytes before, %lld after",
            job->name, c.removed, c.files, c.bytes_removed, before, after);
    if (pages > 0)
        fprintf(fp, "; per page (%d pages): %lld before, %lld after", pages,
                before / pages, after / pages);
    fputc('\n', fp);
    return 0;
}

/* The end of `run`: failures, summary, what was left, the JSON report in
 * SPOOL/runs/. Returns the exit code. */
static int finish_run(Spool *sp, const Job *job, ReportRun *run, double t0,
                      int quiet, int tty, int worker_err)
{
    ReportCounts k;
    if (report_counts(sp, &k) < 0) {
        fprintf(stderr, "inkpipe: %s\n", err_get());
        return 1;
    }
    if (tty)
        fprintf(stderr, "\r\033[K");
    int failed = report_failed(&k);
    if (failed)
        report_failures(sp, stderr);
    int left = report_left(&k);
    int rc = failed ? 3 : left ? 1 : 0;
    if (report_fields_csv(sp) < 0) {
        fprintf(stderr, "inkpipe: %s\n", err_get());
        rc = 1;
    }
    char review[8192];
    ReviewStats rs;
    int rv = review_run_end(job, report_pages(&k).done, review, sizeof review,
                            &rs);
    if (rv < 0) {
        fprintf(stderr, "inkpipe: %s\n", err_get());
        rc = rc ? rc : 1;
    } else if (rv > 0) {
        run->review = review;
        run->review_to_check = rs.to_check;
        if (rs.missing_images)
            fprintf(stderr, "inkpipe: review: %d page(s) without a picture "
                            "(the source image could not be read)\n",
                    rs.missing_images);
    }
    run->end = k;
    run->seconds = clock_mono_s() - t0;
    run->t_end = wall_now();
    run->exit_code = rc;
    peak_rss(&run->peak_rss_kb, &run->peak_rss_children_kb);
    if (!quiet)
        report_run_summary(stderr, "inkpipe", job, run);
    if (left)
        fprintf(stderr, "inkpipe: %d items left unfinished%s\n", left,
                worker_err ? " (workers died)" : " (claimed elsewhere)");
    if (report_run_save(sp, run, NULL, 0) < 0)
        fprintf(stderr, "inkpipe: %s (the run itself is not affected)\n",
                err_get());
    run->review = NULL; /* review[] ends here */
    return rc;
}

/* Spawn the workers of `run` into pids[workers] and wait for them:
 * replace one killed from outside while there is work left, forward a
 * stop (SIGINT/SIGTERM) to them, show progress on a terminal (tty; this
 * run's part from its start counts).
 * Returns 1 when a worker could not start or died, else 0. */
static int run_workers(Job *job, Spool *sp, pid_t *pids, int workers, int tty,
                       const ReportCounts *start, double t0)
{
    int alive = 0, respawns = 0, worker_err = 0, forwarded = 0;
    for (int w = 0; w < workers && !run_signal; w++)
        if ((pids[w] = spawn_worker(job, sp, pids)) > 0)
            alive++;
        else
            worker_err = 1;
    double last = 0;
    while (alive > 0) {
        int status;
        /* stop: the workers finish the item in hand (a second signal
         * kills them: their claims go back to the queue, as after a
         * crash); they get the signal `run` got */
        if (run_signals > forwarded) {
            forwarded = run_signals;
            for (int w = 0; w < workers; w++)
                if (pids[w] > 0)
                    kill(pids[w], forwarded > 1 ? SIGKILL : run_signal);
        }
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid > 0) {
            for (int w = 0; w < workers; w++) {
                if (pids[w] != pid)
                    continue;
                pids[w] = 0;
                alive--;
                if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                    break;
                /* a worker killed from outside: its claim is recovered by
                 * the others; replace it while there is work left */
                worker_err = 1;
                /* a worker that stopped itself (disk full, spool unusable)
                 * said why; a new one would only say it again */
                if (WIFSIGNALED(status) && !run_signal &&
                    respawns < 3 * workers &&
                    !worker_spool_idle(sp, 0)) {
                    respawns++;
                    if ((pids[w] = spawn_worker(job, sp, pids)) > 0)
                        alive++;
                }
            }
            continue;
        }
        if (pid < 0 && errno == ECHILD)
            break;
        if (tty && clock_mono_s() - last >= 0.5) {
            ReportCounts k;
            if (report_counts(sp, &k) == 0)
                progress_line(&k, start, t0);
            last = clock_mono_s();
        }
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return worker_err;
}

int cmd_run(int argc, char **argv)
{
    const char *path = NULL;
    int workers = 0, quiet = 0, prune = 0;
    for (int i = 1; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(help_run, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--prune")) {
            prune = 1;
        } else if (!strcmp(argv[i], "--workers") && i + 1 < argc) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 1 || v > 256)
                return usage(help_run, "--workers wants 1..256, not '%s'",
                             argv[i]);
            workers = (int)v;
        } else if (!strcmp(argv[i], "--quiet")) {
            quiet = 1;
        } else if (argv[i][0] == '-' || path) {
            return usage(help_run, "unexpected argument '%s'", argv[i]);
        } else {
            path = argv[i];
        }
    }
    if (!path)
        return usage(help_run, "%s", "missing JOB.yaml");
    Job *job;
    Spool *sp;
    int rc = open_job(path, 0, &job, &sp);
    if (rc)
        return rc;
    if (!workers)
        workers = job->workers;
    double t0 = clock_mono_s();
    ReportRun run;
    memset(&run, 0, sizeof run);
    run.t_start = wall_now();
    SpoolUpdate upd;
    memset(&upd, 0, sizeof upd);
    if ((rc = sync_settings(path, sp, job)) != 0)
        goto out;
    if (spool_update(sp, prune, &upd) < 0) {
        rc = submit_failed(path);
        goto out;
    }
    run.update = &upd;
    if (!quiet)
        print_update(path, &upd);
    if (report_counts(sp, &run.start) < 0) {
        fprintf(stderr, "inkpipe: %s\n", err_get());
        rc = 1;
        goto out;
    }
    /* nothing to do: no worker (and no model load) at all. What a worker
     * does first is done here then: take back dead claims, and enqueue
     * the output of a file whose last page failed as its worker was
     * killed (worker_run) */
    if (worker_spool_idle(sp, 0) &&
        (spool_recover(sp, NULL) < 0 || spool_settle_failed(sp) < 0)) {
        spool_failed(path);
        rc = 1;
        goto out;
    }
    if (worker_spool_idle(sp, 0))
        workers = 0;
    pid_t *pids = calloc((size_t)(workers ? workers : 1), sizeof *pids);
    if (!pids) {
        fprintf(stderr, "inkpipe: out of memory\n");
        rc = 1;
        goto out;
    }
    ReportPages pg0 = report_pages(&run.start);
    catch_stop_signals(on_run_signal);
    int tty = !quiet && isatty(STDERR_FILENO);
    int worker_err = run_workers(job, sp, pids, workers, tty, &run.start, t0);
    free(pids);
    if (run_signal) {
        ReportCounts k;
        if (report_counts(sp, &k) < 0) {
            fprintf(stderr, "inkpipe: %s\n", err_get());
            rc = 1;
            goto out;
        }
        if (tty)
            fprintf(stderr, "\r\033[K");
        ReportPages pg = report_pages(&k);
        fprintf(stderr, "inkpipe: stopped: %d pages done this run, %d left; "
                        "rerun `inkpipe run %s` to continue\n",
                pg.done - pg0.done, pg.total - pg.done - pg.failed, path);
        rc = 128 + run_signal;
        goto out;
    }
    rc = finish_run(sp, job, &run, t0, quiet, tty, worker_err);
    /* (a clean refused, say by a worker of another host that claimed an
     * item meanwhile, is said; the run's outputs are current all the same:
     * the exit code stays) */
    if (rc == 0 && job->clean_after_run)
        clean_spool(path, sp, job, quiet ? NULL : stderr);
out:
    spool_update_cleanup(&upd);
    spool_destroy(&sp);
    job_destroy(&job);
    return rc;
}

int cmd_submit(int argc, char **argv)
{
    const char *path = NULL;
    int prune = 0;
    for (int i = 1; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(help_submit, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--prune")) {
            prune = 1;
        } else if (argv[i][0] == '-' || path) {
            return usage(help_submit, "unexpected argument '%s'", argv[i]);
        } else {
            path = argv[i];
        }
    }
    if (!path)
        return usage(help_submit, "%s", "missing JOB.yaml");
    Job *job;
    Spool *sp;
    int rc = open_job(path, 0, &job, &sp);
    if (rc)
        return rc;
    SpoolUpdate u;
    memset(&u, 0, sizeof u);
    rc = sync_settings(path, sp, job);
    if (rc == 0 && spool_update(sp, prune, &u) < 0)
        rc = submit_failed(path);
    else if (rc == 0) {
        print_update(path, &u);
        printf("%s: enqueued %d new files (%d already known); %d new, %d "
               "changed, %d unchanged, %d removed, %d skipped as "
               "unsupported\n",
               job->name, u.n_new + u.changed, u.unchanged, u.n_new,
               u.changed, u.unchanged, u.removed, u.n_skipped);
    }
    spool_update_cleanup(&u);
    spool_destroy(&sp);
    job_destroy(&job);
    return rc;
}

int cmd_work(int argc, char **argv)
{
    const char *path = NULL, *model = NULL;
    WorkerOptions wo;
    cli_worker_options_init(&wo);
    for (int i = 1; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(help_work, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--stage") && i + 1 < argc) {
            int s = spool_stage_of_name(argv[++i]);
            if (s < 0)
                return usage(help_work, "unknown stage '%s'", argv[i]);
            wo.stages |= 1u << s;
        } else if (!strcmp(argv[i], "--exit-when-idle")) {
            wo.exit_when_idle = 1;
        } else if (!strcmp(argv[i], "--in-process")) {
            wo.in_process = 1;
        } else if (!strcmp(argv[i], "--model") && i + 1 < argc) {
            model = argv[++i];
        } else if (argv[i][0] == '-' || path) {
            return usage(help_work, "unexpected argument '%s'", argv[i]);
        } else {
            path = argv[i];
        }
    }
    if (!path)
        return usage(help_work, "%s", "missing JOB.yaml");
    Job *job;
    Spool *sp;
    int rc = open_job(path, 0, &job, &sp);
    if (rc)
        return rc;
    wo.model = model ? model : job_model(job);
    /* the language model goes with the classifier; the recognize stage
     * finds it in the job's page-chain options */
    job->chain.lm_path = cli_lm_path(wo.model);
    if (spool_settings_check(sp, wo.model, job->chain.lm_path,
                             cli_env()->precision) < 0) {
        fprintf(stderr, "inkpipe: %s: %s\n", path, err_get());
        spool_destroy(&sp);
        job_destroy(&job);
        return 1;
    }
    wo.log = stderr;
    wo.stop = &work_stop;
    catch_stop_signals(on_term);
    WorkerLm wl;
    worker_lm_load(job, &wl);
    WorkerStats st;
    if (worker_run(sp, &wo, &st) < 0) {
        fprintf(stderr, "inkpipe: %s\n", err_get());
        rc = 1;
    } else {
        fprintf(stderr, "inkpipe: worker %ld: %d items done, %d failed\n",
                (long)getpid(), st.done, st.failed);
        rc = st.failed ? 3 : 0;
    }
    worker_lm_free(job, &wl);
    spool_destroy(&sp);
    job_destroy(&job);
    return rc;
}

/* 1 when the claim's holder is a process of this host that is gone. */
static int claim_dead(const QueueEntry *e)
{
    return e->host && !strcmp(e->host, queue_host()) && e->pid > 0 &&
           !queue_pid_alive(e->pid);
}

/* status: the input files as the last run or submit found them. 0 or -1
 * (said). */
static int print_inputs(Spool *sp)
{
    SpoolInputs pi;
    if (spool_inputs_get(sp, &pi) < 0) {
        fprintf(stderr, "inkpipe: %s\n", err_get());
        return -1;
    }
    if (pi.recorded) {
        printf("\ninputs: %d files: %d done, %d failed, %d pending; %d "
               "removed (outputs kept); %d skipped as unsupported\n",
               pi.present, pi.done, pi.failed, pi.pending, pi.gone,
               pi.n_skipped);
        for (int i = 0; i < pi.n_skipped; i++)
            printf("  skipped %s: %s\n", pi.skipped[i].file,
                   pi.skipped[i].reason);
    }
    spool_inputs_cleanup(&pi);
    return 0;
}

/* status: the claims of every stage, a dead worker's (of this host) said
 * so: it goes back to the queue at the next run or work. */
static void print_claims(QueueEntry *const *claims, const int *nc)
{
    int any = 0;
    for (int s = 0; s < STAGE_N; s++)
        for (int i = 0; i < nc[s]; i++) {
            const QueueEntry *c = &claims[s][i];
            if (claim_dead(c)) {
                printf("%s  %-9s %s: held by dead worker (host %s pid "
                       "%ld); queued again at the next run\n",
                       any++ ? "" : "\nin progress:\n",
                       spool_stage_names[s], c->key, c->host, c->pid);
                continue;
            }
            if (!any++)
                printf("\nin progress:\n");
            printf("  %-9s %s: host %s pid %ld, heartbeat %.0fs ago\n",
                   spool_stage_names[s], c->key, c->host, c->pid, c->age_s);
        }
}

/* status as text: counts per stage (a dead worker's claim counted as
 * queued), failures with reasons, inputs, claims. 0 or 1. */
static int print_status(Spool *sp, const Job *job)
{
    ReportCounts k;
    if (report_counts(sp, &k) < 0) {
        fprintf(stderr, "inkpipe: %s\n", err_get());
        return 1;
    }
    QueueEntry *failed[STAGE_N] = {0}, *claims[STAGE_N] = {0};
    int nf[STAGE_N] = {0}, nc[STAGE_N] = {0}, rc = 0;
    for (int s = 0; s < STAGE_N; s++) {
        Queue *q = spool_get_queue(sp, (SpoolStage)s);
        if (queue_list(q, QUEUE_FAILED, &failed[s], &nf[s]) < 0 ||
            queue_list(q, QUEUE_CLAIMED, &claims[s], &nc[s]) < 0) {
            fprintf(stderr, "inkpipe: %s\n", err_get());
            rc = 1;
        }
    }
    if (rc == 0) {
        printf("job %s\nspool %s\noutput %s\n\n", job->name, job->spool,
               job->output_dir);
        int dead[STAGE_N] = {0};
        for (int s = 0; s < STAGE_N; s++)
            for (int i = 0; i < nc[s]; i++)
                dead[s] += claim_dead(&claims[s][i]);
        printf("%-10s %8s %8s %8s %8s\n", "stage", "queued", "running", "done",
               "failed");
        for (int s = 0; s < STAGE_N; s++)
            printf("%-10s %8d %8d %8d %8d\n", spool_stage_names[s],
                   k.c[s].queued + dead[s], k.c[s].claimed - dead[s],
                   k.c[s].done, k.c[s].failed);
        int any = 0;
        for (int s = 0; s < STAGE_N; s++)
            for (int i = 0; i < nf[s]; i++) {
                if (!any++)
                    printf("\nfailed:\n");
                printf("  %-9s %s: %s\n", spool_stage_names[s],
                       failed[s][i].key, failed[s][i].reason);
            }
        if (print_inputs(sp) < 0)
            rc = 1;
        print_claims(claims, nc);
    }
    for (int s = 0; s < STAGE_N; s++) {
        queue_entries_destroy(&failed[s], nf[s]);
        queue_entries_destroy(&claims[s], nc[s]);
    }
    return rc;
}

int cmd_status(int argc, char **argv)
{
    const char *path = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(help_status, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (argv[i][0] == '-' || path) {
            return usage(help_status, "unexpected argument '%s'", argv[i]);
        } else {
            path = argv[i];
        }
    }
    if (!path)
        return usage(help_status, "%s", "missing JOB.yaml");
    Job *job;
    Spool *sp;
    /* (creates nothing: not the output folder either) */
    int rc = open_job(path, 1, &job, &sp);
    if (rc)
        return rc;
    if (json) {
        char *text = report_status_json(sp);
        if (text) {
            puts(text);
            free(text);
        } else {
            fprintf(stderr, "inkpipe: %s\n", err_get());
            rc = 1;
        }
    } else {
        rc = print_status(sp, job);
    }
    spool_destroy(&sp);
    job_destroy(&job);
    return rc;
}

int cmd_clean(int argc, char **argv)
{
    const char *path;
    Job *job;
    Spool *sp;
    int rc = open_job_arg(argc, argv, help_clean, 1, &path, &job, &sp);
    if (rc >= 0)
        return rc;
    rc = clean_spool(path, sp, job, stdout);
    spool_destroy(&sp);
    job_destroy(&job);
    return rc;
}

int cmd_retry(int argc, char **argv)
{
    const char *path;
    Job *job;
    Spool *sp;
    int rc = open_job_arg(argc, argv, help_retry, 0, &path, &job, &sp);
    if (rc >= 0)
        return rc;
    rc = 0;
    int total = 0;
    if (spool_retry(sp, &total) < 0) {
        fprintf(stderr, "inkpipe: %s\n", err_get());
        rc = 1;
    }
    printf("%s: requeued %d failed items\n", job->name, total);
    spool_destroy(&sp);
    job_destroy(&job);
    return rc;
}
