/*
 * worker.c - claim, fork, limit, heartbeat, complete or fail (worker.h).
 *
 * Design: one loop. Each turn claims one item (last stage first), sends it
 * to the sandbox child (see worker.h) and moves the claim to done/ or
 * failed/ with the child's reason: its error message (sent back through
 * the reply pipe), "crashed: signal N (name)" or "timeout after Ns". A
 * child that crashed or was killed is replaced on the next item. While
 * idle the worker recovers claims of dead workers every second and, with
 * exit_when_idle, returns once no stage has queued or claimed items.
 * Ownership: the model is loaded on the first recognize item and kept; a
 * model that cannot be loaded fails each recognize item with the reason.
 */
#include "pipeline/worker.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/fsutil.h"

#if defined(__SANITIZE_ADDRESS__)
#define WORKER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WORKER_ASAN 1
#endif
#endif
#ifndef WORKER_ASAN
#define WORKER_ASAN 0
#endif

void worker_options_init(WorkerOptions *opt)
{
    memset(opt, 0, sizeof *opt);
}

/* Cap the child's address space at what it has now plus mb megabytes
 * (mb <= 0: no cap); not under AddressSanitizer (which reserves terabytes
 * of shadow). */
static void limit_memory(int mb)
{
    if (WORKER_ASAN || mb <= 0)
        return;
    FILE *fp = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (fp) {
        if (fscanf(fp, "%lu", &pages) != 1)
            pages = 0;
        fclose(fp);
    }
    rlim_t cur = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE);
    struct rlimit rl;
    rl.rlim_cur = rl.rlim_max = cur + (rlim_t)mb * 1024 * 1024;
    setrlimit(RLIMIT_AS, &rl);
}

/* Testing aids, off unless WorkerOptions sets them (the command line
 * takes them from the environment, cli/env.c):
 *   fault    (INKPIPE_FAULT) STAGE:crash|abort|hang|stop|sleep=S
 *                                   [,page=N][,at=publish]
 *                                         the child of that stage faults
 *                                         or is slow (to test crash,
 *                                         timeout and heartbeat handling
 *                                         without a hostile file; stop:
 *                                         SIGSTOP itself, for a test to
 *                                         resume or kill); with
 *                                         ",page=N" only on page N (1-based)
 *                                         of each file; with ",at=publish"
 *                                         not before the stage but once its
 *                                         result is staged, just before it
 *                                         checks its claim and publishes
 *                                         (to stop or kill it there)
 *   trace    (INKPIPE_TRACE) FILE         one line "STAGE KEY PID" appended
 *                                         per completed item (to check
 *                                         that each item completes once)
 *   timings  (INKPIPE_TIMINGS) FILE       where each item's time went
 *                                         (timing_log(); for make bench) */
/* The options of the worker running in this process (worker_run sets
 * them; the stage process forked from it inherits them): the test hooks
 * below read their fault, trace and timings fields. */
static const WorkerOptions *wopt;

static void fault_inject(SpoolStage st, const char *key, int at_publish)
{
    const char *f = wopt ? wopt->fault : NULL;
    size_t n = strlen(spool_stage_names[st]);
    if (!f || strncmp(f, spool_stage_names[st], n) || f[n] != ':')
        return;
    f += n + 1;
    if ((strstr(f, ",at=publish") != NULL) != (at_publish != 0))
        return;
    char mode[64];
    snprintf(mode, sizeof mode, "%.*s", (int)strcspn(f, ","), f);
    const char *pg = strstr(f, ",page=");
    if (pg) {
        char suffix[32];
        snprintf(suffix, sizeof suffix, "-p%04ld", atol(pg + 6) - 1);
        size_t kl = strlen(key), sl = strlen(suffix);
        if (kl < sl || strcmp(key + kl - sl, suffix))
            return;
    }
    if (!strcmp(mode, "crash"))
        raise(SIGSEGV);
    else if (!strcmp(mode, "abort"))
        abort();
    else if (!strcmp(mode, "hang"))
        for (;;)
            pause();
    else if (!strcmp(mode, "stop"))
        raise(SIGSTOP); /* a paused VM, at this very point: tests SIGCONT */
    else if (!strncmp(mode, "sleep=", 6))
        clock_sleep_s(atof(mode + 6));
}

/* spool_set_stage_hook: the ",at=publish" faults. */
static void fault_at_publish(SpoolStage st, const char *key)
{
    fault_inject(st, key, 1);
}

static void trace_done(SpoolStage st, const QueueItem *it)
{
    const char *path = wopt ? wopt->trace : NULL;
    if (!path || !*path)
        return;
    FILE *fp = fopen(path, "a");
    if (!fp)
        return;
    fprintf(fp, "%s %s %ld\n", spool_stage_names[st], it->key,
            (long)getpid());
    fclose(fp);
}

/* 1 for the faults of the place, not of the item: the item must wait for
 * space instead of failing. */
static int no_space(int e)
{
    return e == ENOSPC || e == EDQUOT;
}

/* timings: append "WHAT STAGE KEY WALL_MS CPU_MS". The stage
 * process writes "stage" lines (the stage itself: wall and its own CPU);
 * the worker writes "item" lines (from the start of the claim to the end
 * of the completion, wall, and the worker's own CPU: claim, request,
 * heartbeat, complete; with --in-process the stage's CPU too). item -
 * stage is the queue overhead. */
static void timing_log(const char *what, SpoolStage st, const char *key,
                       double wall_s, double cpu_s)
{
    const char *path = wopt ? wopt->timings : NULL;
    if (!path || !*path)
        return;
    FILE *fp = fopen(path, "a");
    if (!fp)
        return;
    fprintf(fp, "%s %s %s %.3f %.3f\n", what, spool_stage_names[st], key,
            1e3 * wall_s, 1e3 * cpu_s);
    fclose(fp);
}

/* spool_stage_run with a "stage" timing line. */
static int stage_run_timed(Spool *sp, SpoolStage st, const QueueItem *it,
                           RecNet *net)
{
    double t0 = clock_mono_s(), c0 = clock_cpu_s();
    int rc = spool_stage_run(sp, st, it, net);
    timing_log("stage", st, it->key, clock_mono_s() - t0, clock_cpu_s() - c0);
    return rc;
}

static int unsigned_mask_has(unsigned mask, int st)
{
    return mask == 0 || (mask & (1u << st));
}

int worker_spool_idle(Spool *sp, unsigned mask)
{
    for (int s = 0; s < STAGE_N; s++) {
        QueueCounts c;
        if (queue_get_counts(spool_get_queue(sp, (SpoolStage)s), &c) < 0)
            return 0;
        if (c.claimed > 0 || (unsigned_mask_has(mask, s) && c.queued > 0))
            return 0;
    }
    return 1;
}

/* A stage process killed by a signal this many times in a row on one
 * item fails it ("crashed: signal N (name) (twice)"). */
#define WORKER_MAX_CRASHES 2

/* How one item went: the child's reply, or what the worker saw. */
enum {
    RUN_OK = 0,
    RUN_FAILED = -1,  /* the item's fault: it fails with the reason */
    RUN_NOSPACE = -2, /* a full disk, not the item's fault: given back */
    RUN_LOST = -3,    /* the claim was taken over: nothing published */
    RUN_CRASHED = -4  /* the stage process died by a signal not ours */
};

/* spool_stage_run's result (err_get() set) as a RUN_ code. */
static int run_code(int rc)
{
    if (rc == SPOOL_LOST)
        return RUN_LOST;
    if (rc < 0)
        return no_space(err_get_errno()) ? RUN_NOSPACE : RUN_FAILED;
    return RUN_OK;
}

/* ---- the sandbox: a child that runs items until it faults ------------- */

/* Request: SbHead, then key, claim, text bytes. Reply: int32 rc, uint32
 * reason length, reason bytes. */
typedef struct {
    int32_t stage;
    uint32_t key_len, claim_len, text_len;
} SbHead;

typedef struct {
    pid_t pid;   /* 0 = no child */
    int to, from; /* request / reply pipe ends */
} Sandbox;

/* Blocking read of exactly n bytes (child side). 0, or -1 on EOF/error. */
static int read_all(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static char *read_str(int fd, uint32_t n)
{
    if (n > (1u << 20))
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s || read_all(fd, s, n) < 0) {
        free(s);
        return NULL;
    }
    s[n] = '\0';
    return s;
}

/* The child: run requests until the worker closes the pipe. */
static void sandbox_main(Spool *sp, RecNet *net, int in, int out)
{
    for (;;) {
        SbHead h;
        if (read_all(in, &h, sizeof h) < 0)
            _exit(0);
        QueueItem it = {0};
        it.key = read_str(in, h.key_len);
        it.claim = read_str(in, h.claim_len);
        it.text = read_str(in, h.text_len);
        if (!it.key || !it.claim || !it.text || h.stage < 0 ||
            h.stage >= STAGE_N)
            _exit(112);
        err_clear();
        fault_inject((SpoolStage)h.stage, it.key, 0);
        int32_t rc = stage_run_timed(sp, (SpoolStage)h.stage, &it, net);
        rc = run_code(rc);
        const char *msg = rc < 0 ? (err_get()[0] ? err_get() : "failed (no "
                                                               "reason)")
                                 : "";
        uint32_t len = (uint32_t)strlen(msg);
        free(it.key);
        free(it.claim);
        free(it.text);
        if (fs_write_full(out, &rc, sizeof rc) < 0 ||
            fs_write_full(out, &len, sizeof len) < 0 ||
            fs_write_full(out, msg, len) < 0)
            _exit(113);
    }
}

static int sandbox_start(Sandbox *sb, Spool *sp, RecNet *net)
{
    int req[2], rep[2];
    if (pipe(req) < 0)
        return err_set_errno("worker: pipe");
    if (pipe(rep) < 0) {
        close(req[0]);
        close(req[1]);
        return err_set_errno("worker: pipe");
    }
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(req[0]);
        close(req[1]);
        close(rep[0]);
        close(rep[1]);
        return err_set_errno("worker: fork");
    }
    if (pid == 0) {
        close(req[1]);
        close(rep[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        /* a stop (Ctrl-C reaches the whole process group) is the worker's
         * to handle: it lets the item in hand finish, then stops */
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
        if (getppid() != parent)
            _exit(111); /* the worker died before prctl took effect */
        limit_memory(spool_get_job(sp)->page_memory_mb);
        sandbox_main(sp, net, req[0], rep[1]);
        _exit(0);
    }
    close(req[0]);
    close(rep[1]);
    sb->pid = pid;
    sb->to = req[1];
    sb->from = rep[0];
    return 0;
}

/* Stop the child (kill when kill_it) and reap it; *pstatus gets its wait
 * status. */
static void sandbox_stop(Sandbox *sb, int kill_it, int *pstatus)
{
    int status = 0;
    if (!sb->pid)
        return;
    close(sb->to);
    if (kill_it)
        kill(sb->pid, SIGKILL);
    while (waitpid(sb->pid, &status, 0) < 0 && errno == EINTR)
        ;
    close(sb->from);
    sb->pid = 0;
    if (pstatus)
        *pstatus = status;
}

/* Read n reply bytes before deadline, heartbeating the claim. Returns 0,
 * -1 on EOF (child died), -2 on timeout. */
static int sandbox_read(Sandbox *sb, Spool *sp, SpoolStage st,
                        const QueueItem *it, void *buf, size_t n,
                        double deadline, double *next_hb, double hb_every)
{
    char *p = buf;
    while (n) {
        double now = clock_mono_s();
        if (now >= deadline)
            return -2;
        if (now >= *next_hb) {
            queue_heartbeat(spool_get_queue(sp, st), it);
            *next_hb = now + hb_every;
        }
        double wait = deadline - now;
        if (*next_hb - now < wait)
            wait = *next_hb - now;
        struct pollfd pfd = {sb->from, POLLIN, 0};
        int pr = poll(&pfd, 1, (int)(wait * 1000) + 1);
        if (pr < 0 && errno != EINTR)
            return -1;
        if (pr <= 0)
            continue;
        ssize_t r = read(sb->from, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Send one request (header, key, claim, text) to the child. 0 or -1. */
static int sandbox_send(Sandbox *sb, const SbHead *h, const QueueItem *it)
{
    return fs_write_full(sb->to, h, sizeof *h) < 0 ||
                   fs_write_full(sb->to, it->key, h->key_len) < 0 ||
                   fs_write_full(sb->to, it->claim, h->claim_len) < 0 ||
                   fs_write_full(sb->to, it->text, h->text_len) < 0
               ? -1
               : 0;
}

/* Run one item in the sandbox child (started when needed); reason (size
 * >= 1024) gets why it failed. Returns a RUN_ code; *pdead gets the pid of
 * a stage process that died or was killed on this item (else 0), whose
 * staged files the caller sweeps. */
static int sandbox_run(Sandbox *sb, Spool *sp, SpoolStage st,
                       const QueueItem *it, RecNet *net, char *reason,
                       size_t size, pid_t *pdead)
{
    const Job *job = spool_get_job(sp);
    reason[0] = '\0';
    *pdead = 0;
    if (!sb->pid && sandbox_start(sb, sp, net) < 0) {
        snprintf(reason, size, "%s", err_get());
        return RUN_FAILED;
    }
    SbHead h = {(int32_t)st, (uint32_t)strlen(it->key),
                (uint32_t)strlen(it->claim), (uint32_t)strlen(it->text)};
    int status = 0;
    if (sandbox_send(sb, &h, it) < 0) {
        /* the child died between items (e.g. killed from outside): start
         * a fresh one and try once more */
        sandbox_stop(sb, 1, NULL);
        if (sandbox_start(sb, sp, net) < 0 || sandbox_send(sb, &h, it) < 0) {
            snprintf(reason, size, "worker: cannot start the stage process");
            sandbox_stop(sb, 1, NULL);
            return RUN_FAILED;
        }
    }
    double hb_every = job->lease_seconds / 3;
    if (hb_every > 30)
        hb_every = 30;
    double next_hb = clock_mono_s() + hb_every;
    double deadline = clock_mono_s() + job->page_timeout;
    int32_t rc;
    uint32_t len;
    int r = sandbox_read(sb, sp, st, it, &rc, sizeof rc, deadline, &next_hb,
                         hb_every);
    if (r == 0)
        r = sandbox_read(sb, sp, st, it, &len, sizeof len, deadline, &next_hb,
                         hb_every);
    if (r == 0) {
        char buf[1024];
        size_t keep = len < sizeof buf - 1 ? len : sizeof buf - 1;
        r = sandbox_read(sb, sp, st, it, buf, keep, deadline, &next_hb,
                         hb_every);
        /* drop the rest of an over-long reason */
        for (uint32_t left = len - (uint32_t)keep; r == 0 && left > 0;) {
            char junk[256];
            size_t n = left < sizeof junk ? left : sizeof junk;
            r = sandbox_read(sb, sp, st, it, junk, n, deadline, &next_hb,
                             hb_every);
            left -= (uint32_t)n;
        }
        if (r == 0) {
            buf[keep] = '\0';
            snprintf(reason, size, "%s", buf);
            return rc == RUN_OK || rc == RUN_NOSPACE || rc == RUN_LOST
                       ? rc
                       : RUN_FAILED;
        }
    }
    *pdead = sb->pid;
    if (r == -2) {
        sandbox_stop(sb, 1, NULL);
        snprintf(reason, size, "timeout after %gs (limits.page_timeout)",
                 job->page_timeout);
        return RUN_FAILED;
    }
    sandbox_stop(sb, 0, &status);
    if (WIFSIGNALED(status)) {
        snprintf(reason, size, "crashed: signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
        return RUN_CRASHED;
    }
    snprintf(reason, size, "stage process exited with status %d",
             WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return RUN_FAILED;
}

typedef struct {
    RecNet *net;
    char net_err[1024];
    int net_tried;
    Sandbox sb;
} WorkerModel;

/**
 * Load the model once, before the first segment or recognise item.
 *
 * @param[in]     sp   spool (its job's recognize.precision)
 * @param[in]     opt  worker options (the model's path, the default
 *                     precision)
 * @param[in,out] m    the worker's model: net, or net_err saying why not;
 *                     net_tried set
 *
 * Notes:
 *   (1) The sandbox child must be forked after the model is loaded: a
 *       running one is stopped here.
 *   (2) One classification here, before any fork: OpenBLAS's first sgemm
 *       mallocs its 128 MB work buffer, which a child under
 *       limits.page_memory_mb may not get, and OpenBLAS retries a failed
 *       buffer allocation forever. Children inherit it.
 *   (3) The precision is settled once, here: the job's
 *       recognize.precision, else the worker's default.
 */
static void worker_model_load(Spool *sp, const WorkerOptions *opt,
                              WorkerModel *m)
{
    m->net_tried = 1;
    sandbox_stop(&m->sb, 0, NULL);
    m->net = opt->model ? rec_net_load(opt->model) : NULL;
    if (!m->net) {
        /* rec_net_load's message names the file */
        snprintf(m->net_err, sizeof m->net_err, "cannot load the model: %s",
                 opt->model ? err_get() : "no model given");
        return;
    }
    static float x[REC_INPUT_SIZE * REC_INPUT_SIZE];
    float p[REC_NCLASSES];
    rec_net_set_precision(m->net, REC_PRECISION_FP32);
    rec_net_classify(m->net, x, 1, REC_CHARSET_ALL, p);
    RecPrecision prec = spool_get_job(sp)->precision;
    if (prec == REC_PRECISION_AUTO)
        prec = opt->precision;
    if (rec_net_set_precision(m->net, prec) < 0) {
        snprintf(m->net_err, sizeof m->net_err, "recognize.precision: %s",
                 err_get());
        rec_net_destroy(&m->net);
    }
}

/**
 * Settle the claim of an item whose stage failed or crashed.
 *
 * @param[in]     sp      spool
 * @param[in]     opt     worker options (the log)
 * @param[in]     st      the item's stage
 * @param[in]     it      the claimed item
 * @param[in]     rc      RUN_CRASHED or RUN_FAILED
 * @param[in,out] reason  why (size bytes); a second crash ends in "(twice)"
 * @param[in,out] stats   failed counted
 * @return 0, or -1 when the worker must stop (the item went back to
 *         queued/, message in err_get())
 *
 * Notes:
 *   (1) A crash (a signal the worker did not send: a decoder's crash, the
 *       OOM killer, kill -9) is not the page's fault until it repeats: the
 *       item is run again once (WORKER_MAX_CRASHES).
 *   (2) A claim taken over while this worker was stopped is left to its
 *       new holder. A failure or crash that cannot be recorded (disk
 *       full?) gives the item back for the next run rather than hold its
 *       claim forever, and stops the worker.
 *   (3) A failed page may settle its file: the output goes on without it.
 */
static int settle_failed(Spool *sp, const WorkerOptions *opt, SpoolStage st,
                         QueueItem *it, int rc, char *reason, size_t size,
                         WorkerStats *stats)
{
    Queue *q = spool_get_queue(sp, st);
    if (rc == RUN_CRASHED) {
        int r = queue_retry_crashed(q, it, reason, size, WORKER_MAX_CRASHES);
        if (r == 1) {
            if (opt->log)
                fprintf(opt->log, "inkpipe: %s %s: %s; the item is run "
                        "again\n", spool_stage_names[st], it->key, reason);
            return 0;
        }
        if (r < 0) {
            char why[1024];
            snprintf(why, sizeof why, "%s", err_get());
            if (queue_claim_held(q, it) == 0) {
                if (opt->log)
                    fprintf(opt->log, "inkpipe: %s %s: %s, but %s\n",
                            spool_stage_names[st], it->key, reason, why);
                return 0;
            }
            queue_release(q, it);
            return err_set("%s %s: %s, and the crash cannot be recorded: %s. "
                           "Stopped; the item stays queued",
                           spool_stage_names[st], it->key, reason, why);
        }
        /* failed, reason now ending in "(twice)" */
    } else if (queue_fail(q, it, reason) < 0) {
        if (queue_claim_held(q, it) == 0) {
            if (opt->log)
                fprintf(opt->log, "inkpipe: %s %s failed (%s), but %s\n",
                        spool_stage_names[st], it->key, reason, err_get());
            return 0;
        }
        char why[1024];
        snprintf(why, sizeof why, "%s", err_get());
        queue_release(q, it);
        return err_set("%s %s failed (%s) and the failure cannot be recorded: "
                       "%s. Stopped; the item stays queued",
                       spool_stage_names[st], it->key, reason, why);
    }
    stats->failed++;
    if (spool_page_failed(sp, st, it) < 0 && opt->log)
        fprintf(opt->log, "inkpipe: %s\n", err_get());
    if (opt->log)
        fprintf(opt->log, "inkpipe: %s %s failed: %s\n", spool_stage_names[st],
                it->key, reason);
    return 0;
}

/* Run one claimed item and settle its claim. Returns 0, or -1 when the
 * worker must stop (disk full: the item went back to queued/, message in
 * err_get()). */
static int handle_item(Spool *sp, const WorkerOptions *opt, WorkerModel *m,
                       SpoolStage st, QueueItem *it, WorkerStats *stats)
{
    Queue *q = spool_get_queue(sp, st);
    char reason[1024];
    int rc;
    /* The model is loaded before the first stage child is forked when
     * this worker will run segment or recognize at all: loading it later
     * restarts the child, and the new one pays for its first page's fresh
     * memory again (~40 ms of page faults here) */
    int wants_net = st == STAGE_RECOGNIZE || st == STAGE_SEGMENT ||
                    (!m->sb.pid && !opt->in_process &&
                     (unsigned_mask_has(opt->stages, STAGE_SEGMENT) ||
                      unsigned_mask_has(opt->stages, STAGE_RECOGNIZE)));
    if (wants_net && !m->net_tried)
        worker_model_load(sp, opt, m);
    pid_t dead = 0;
    if (st == STAGE_RECOGNIZE && !m->net) {
        snprintf(reason, sizeof reason, "%s", m->net_err);
        rc = RUN_FAILED;
    } else if (opt->in_process) {
        err_clear();
        rc = run_code(stage_run_timed(sp, st, it, m->net));
        snprintf(reason, sizeof reason, "%s", err_get());
    } else {
        rc = sandbox_run(&m->sb, sp, st, it, m->net, reason, sizeof reason,
                         &dead);
    }
    if (dead) {
        /* The stage process died on this item (crash, kill -9, timeout):
         * remove what it staged. Holding the claim, everything staged for
         * the item may go (a holder stopped past its lease leaves files
         * there too); otherwise only the dead process's own. */
        int all = queue_claim_held(q, it) == 1;
        spool_stage_sweep(sp, st, it, (long)dead, all);
    }
    if (rc == RUN_OK) {
        if (queue_complete(q, it) == 0) {
            stats->done++;
            trace_done(st, it);
        }
        else if (opt->log)
            fprintf(opt->log, "inkpipe: %s\n", err_get());
        return 0;
    }
    if (rc == RUN_NOSPACE) {
        /* A full disk fails every item alike: give this one back and stop,
         * so that `inkpipe run` finishes the job once there is space. */
        queue_release(q, it);
        return err_set("%s %s: %s; the item stays queued. Stopped: free some "
                       "space, then run the job again",
                       spool_stage_names[st], it->key, reason);
    }
    if (rc == RUN_LOST) {
        /* Nothing was published. Still holding the claim (a worker stopped
         * past its lease swept what this one staged): run it again. */
        int back = queue_release(q, it) == 0;
        if (opt->log)
            fprintf(opt->log, "inkpipe: %s %s: %s; %s\n",
                    spool_stage_names[st], it->key, reason,
                    back ? "the item is run again"
                         : "its result was discarded");
        return 0;
    }
    return settle_failed(sp, opt, st, it, rc, reason, sizeof reason, stats);
}

/**
 * Work on the spool until stopped (or, with exit_when_idle, until idle).
 *
 * @param[in]  sp      spool
 * @param[in]  opt     options (worker_options_init() for defaults)
 * @param[out] pstats  [optional] items done / failed by this worker
 * @return 0, or -1 when the spool itself cannot be used
 *
 * Notes:
 *   (1) Failures of items are not errors of the worker: they go to the
 *       stage's failed/ with their reason.
 *   (2) Claims of dead workers on this host are taken back at start and
 *       every second while idle; claims of other hosts after the lease.
 */
int worker_run(Spool *sp, const WorkerOptions *opt, WorkerStats *pstats)
{
    WorkerStats stats = {0, 0};
    WorkerModel model = {0};
    int rc = 0;
    wopt = opt;
    spool_set_stage_hook(opt->fault ? fault_at_publish : NULL);
    if (spool_recover(sp, NULL) < 0 || spool_settle_failed(sp) < 0)
        return -1;
    double last_recover = clock_mono_s();
    while (!(opt->stop && *opt->stop)) {
        int claimed = 0;
        double t0 = clock_mono_s(), cpu0 = clock_cpu_s();
        /* ingest first (cheap, header reads only: the page count is known
         * early, for progress and ETA), then the later stages first so that
         * pages flow to the end before new pages start */
        static const int order[STAGE_N] = {STAGE_INGEST, STAGE_OUTPUT,
                                           STAGE_RECOGNIZE, STAGE_SEGMENT,
                                           STAGE_BINARIZE};
        for (int k = 0; k < STAGE_N && !claimed; k++) {
            int s = order[k];
            if (!unsigned_mask_has(opt->stages, s))
                continue;
            QueueItem *it = NULL;
            int c = queue_claim(spool_get_queue(sp, (SpoolStage)s), &it);
            if (c < 0) {
                rc = -1;
                goto out;
            }
            if (c == 1) {
                int hr = handle_item(sp, opt, &model, (SpoolStage)s, it, &stats);
                timing_log("item", (SpoolStage)s, it->key, clock_mono_s() - t0,
                           clock_cpu_s() - cpu0);
                queue_item_destroy(&it);
                if (hr < 0) {
                    rc = -1;
                    goto out;
                }
                claimed = 1;
            }
        }
        if (claimed)
            continue;
        if (clock_mono_s() - last_recover >= 1.0) {
            int n = 0;
            if (spool_recover(sp, &n) < 0) {
                rc = -1;
                goto out;
            }
            last_recover = clock_mono_s();
            if (n > 0)
                continue;
        }
        if (opt->exit_when_idle && worker_spool_idle(sp, opt->stages)) {
            /* a last look for dead workers' claims before leaving */
            int n = 0;
            if (spool_recover(sp, &n) < 0) {
                rc = -1;
                goto out;
            }
            if (n == 0 && worker_spool_idle(sp, opt->stages))
                break;
            continue;
        }
        clock_sleep_s(0.05);
    }
out:
    sandbox_stop(&model.sb, 0, NULL);
    rec_net_destroy(&model.net);
    if (pstats)
        *pstats = stats;
    return rc;
}
