/*
 * worker.c - claim, fork, limit, heartbeat, complete or fail (worker.h).
 *
 * Design: one loop. Each turn claims one item (last stage first), runs it
 * in a child, and moves the claim to done/ or failed/ with the child's
 * reason: its error message (sent back through a pipe), "crashed: signal N
 * (name)" or "timeout after Ns". While idle the worker recovers claims of
 * dead workers every second and, with exit_when_idle, returns once no
 * stage has queued or claimed items.
 * Ownership: the model is loaded on the first recognize item and kept; a
 * model that cannot be loaded fails each recognize item with the reason.
 */
#include "pipeline/worker.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"

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

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Cap the child's address space at what it has now plus mb megabytes.
 * Under AddressSanitizer (which reserves terabytes of shadow) no cap. */
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

/* Testing aids, both off unless set in the environment:
 *   INKPIPE_FAULT=STAGE:crash|abort|hang  the child of that stage faults
 *                                         (to test crash and timeout
 *                                         handling without a hostile file)
 *   INKPIPE_TRACE=FILE                    one line "STAGE KEY PID" appended
 *                                         per completed item (to check
 *                                         that each item completes once)
 *   INKPIPE_TIMINGS=FILE                  one line per item (done or
 *                                         failed): "STAGE KEY ITEM_MS
 *                                         CHILD_MS CHILD_CPU_MS
 *                                         PARENT_CPU_MS" (see
 *                                         timing_log(); for make bench) */
static void fault_inject(SpoolStage st)
{
    const char *f = getenv("INKPIPE_FAULT");
    size_t n = strlen(spool_stage_names[st]);
    if (!f || strncmp(f, spool_stage_names[st], n) || f[n] != ':')
        return;
    f += n + 1;
    if (!strcmp(f, "crash"))
        raise(SIGSEGV);
    else if (!strcmp(f, "abort"))
        abort();
    else if (!strcmp(f, "hang"))
        for (;;)
            pause();
}

static void trace_done(SpoolStage st, const QueueItem *it)
{
    const char *path = getenv("INKPIPE_TRACE");
    if (!path || !*path)
        return;
    FILE *fp = fopen(path, "a");
    if (!fp)
        return;
    fprintf(fp, "%s %s %ld\n", spool_stage_names[st], it->key,
            (long)getpid());
    fclose(fp);
}

static double rusage_s(const struct rusage *ru)
{
    return (double)ru->ru_utime.tv_sec + 1e-6 * (double)ru->ru_utime.tv_usec +
           (double)ru->ru_stime.tv_sec + 1e-6 * (double)ru->ru_stime.tv_usec;
}

static double self_cpu_s(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? rusage_s(&ru) : 0.0;
}

/* Where an item's time went, for INKPIPE_TIMINGS: item_s from the start of
 * the claim to the end of its completion (wall), child_s the stage itself
 * (wall, fork to reap), child_cpu_s the child's user + system CPU, and
 * parent_cpu_s the worker's own CPU for the item (claim, fork, heartbeat,
 * complete). item_s - child_s is the queue overhead. */
static void timing_log(SpoolStage st, const QueueItem *it, double item_s,
                       double child_s, double child_cpu_s, double parent_cpu_s)
{
    const char *path = getenv("INKPIPE_TIMINGS");
    if (!path || !*path)
        return;
    FILE *fp = fopen(path, "a");
    if (!fp)
        return;
    fprintf(fp, "%s %s %.3f %.3f %.3f %.3f\n", spool_stage_names[st], it->key,
            1e3 * item_s, 1e3 * child_s, 1e3 * child_cpu_s, 1e3 * parent_cpu_s);
    fclose(fp);
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

/* Run one item in a child; reason (size >= 1024) gets why it failed;
 * *pcpu_s the child's CPU time (user + system). Returns 0 (stage
 * succeeded) or -1. */
static int run_child(Spool *sp, SpoolStage st, const QueueItem *it,
                     RecNet *net, char *reason, size_t size, double *pcpu_s)
{
    *pcpu_s = 0.0;
    const Job *job = spool_get_job(sp);
    int fds[2];
    if (pipe(fds) < 0) {
        snprintf(reason, size, "worker: pipe: %s", strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(reason, size, "worker: fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(111); /* the worker died before prctl took effect */
        limit_memory(job->page_memory_mb);
        fault_inject(st);
        int rc = spool_stage_run(sp, st, it, net);
        if (rc < 0) {
            const char *msg = err_get()[0] ? err_get() : "failed (no reason)";
            ssize_t w = write(fds[1], msg, strlen(msg));
            (void)w;
        }
        _exit(rc < 0 ? 1 : 0);
    }
    close(fds[1]);
    double start = mono_s();
    double hb_every = job->lease_seconds / 3;
    if (hb_every > 30)
        hb_every = 30;
    double next_hb = start + hb_every;
    size_t got = 0;
    int timed_out = 0, open_pipe = 1;
    reason[0] = '\0';
    while (open_pipe) {
        double now = mono_s();
        if (now - start >= job->page_timeout) {
            kill(pid, SIGKILL);
            timed_out = 1;
            break;
        }
        if (now >= next_hb) {
            queue_heartbeat(spool_get_queue(sp, st), it);
            next_hb = now + hb_every;
        }
        double wait = job->page_timeout - (now - start);
        if (next_hb - now < wait)
            wait = next_hb - now;
        struct pollfd pfd = {fds[0], POLLIN, 0};
        int pr = poll(&pfd, 1, (int)(wait * 1000) + 1);
        if (pr < 0 && errno != EINTR)
            break;
        if (pr > 0) {
            char buf[512];
            ssize_t r = read(fds[0], buf, sizeof buf);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                open_pipe = 0;
            } else if (got + 1 < size) {
                size_t n = (size_t)r < size - 1 - got ? (size_t)r
                                                      : size - 1 - got;
                memcpy(reason + got, buf, n);
                got += n;
                reason[got] = '\0';
            }
        }
    }
    close(fds[0]);
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
        ;
    *pcpu_s = rusage_s(&ru);
    if (timed_out) {
        snprintf(reason, size, "timeout after %gs (limits.page_timeout)",
                 job->page_timeout);
        return -1;
    }
    if (WIFSIGNALED(status)) {
        char extra[700];
        snprintf(extra, sizeof extra, "%s", reason);
        snprintf(reason, size, "crashed: signal %d (%s)%s%s", WTERMSIG(status),
                 strsignal(WTERMSIG(status)), extra[0] ? ": " : "", extra);
        return -1;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (!reason[0])
        snprintf(reason, size, "exited with status %d",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return -1;
}

typedef struct {
    RecNet *net;
    char net_err[1024];
    int net_tried;
} WorkerModel;

/* t0/cpu0: wall and worker CPU time when the claim began (timings). */
static void handle_item(Spool *sp, const WorkerOptions *opt, WorkerModel *m,
                        SpoolStage st, QueueItem *it, WorkerStats *stats,
                        double t0, double cpu0)
{
    Queue *q = spool_get_queue(sp, st);
    char reason[1024];
    int rc;
    double c0 = 0.0, c1 = 0.0, child_cpu = 0.0;
    if (st == STAGE_RECOGNIZE && !m->net_tried) {
        m->net_tried = 1;
        m->net = opt->model ? rec_net_load(opt->model) : NULL;
        if (!m->net)
            snprintf(m->net_err, sizeof m->net_err, "cannot load model %s: %s",
                     opt->model ? opt->model : "(none)", err_get());
    }
    if (st == STAGE_RECOGNIZE && !m->net) {
        snprintf(reason, sizeof reason, "%s", m->net_err);
        rc = -1;
    } else if (opt->in_process) {
        err_clear();
        c0 = mono_s();
        double cs = self_cpu_s();
        rc = spool_stage_run(sp, st, it, m->net);
        child_cpu = self_cpu_s() - cs;
        cpu0 += child_cpu; /* not the worker's own overhead */
        c1 = mono_s();
        snprintf(reason, sizeof reason, "%s", err_get());
    } else {
        c0 = mono_s();
        rc = run_child(sp, st, it, m->net, reason, sizeof reason, &child_cpu);
        c1 = mono_s();
    }
    if (rc == 0) {
        if (queue_complete(q, it) == 0) {
            stats->done++;
            trace_done(st, it);
        }
        else if (opt->log)
            fprintf(opt->log, "inkpipe: %s\n", err_get());
        timing_log(st, it, mono_s() - t0, c1 - c0, child_cpu,
                   self_cpu_s() - cpu0);
        return;
    }
    stats->failed++;
    if (opt->log)
        fprintf(opt->log, "inkpipe: %s %s failed: %s\n", spool_stage_names[st],
                it->key, reason);
    if (queue_fail(q, it, reason) < 0 && opt->log)
        fprintf(opt->log, "inkpipe: %s\n", err_get());
    timing_log(st, it, mono_s() - t0, c1 - c0, child_cpu, self_cpu_s() - cpu0);
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
    if (spool_recover(sp, NULL) < 0)
        return -1;
    double last_recover = mono_s();
    while (!(opt->stop && *opt->stop)) {
        int claimed = 0;
        double t0 = mono_s(), cpu0 = self_cpu_s();
        for (int s = STAGE_N - 1; s >= 0 && !claimed; s--) {
            if (!unsigned_mask_has(opt->stages, s))
                continue;
            QueueItem *it = NULL;
            int c = queue_claim(spool_get_queue(sp, (SpoolStage)s), &it);
            if (c < 0) {
                rc = -1;
                goto out;
            }
            if (c == 1) {
                handle_item(sp, opt, &model, (SpoolStage)s, it, &stats, t0,
                            cpu0);
                queue_item_destroy(&it);
                claimed = 1;
            }
        }
        if (claimed)
            continue;
        if (mono_s() - last_recover >= 1.0) {
            int n = 0;
            if (spool_recover(sp, &n) < 0) {
                rc = -1;
                goto out;
            }
            last_recover = mono_s();
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
        sleep_s(0.05);
    }
out:
    rec_net_destroy(&model.net);
    if (pstats)
        *pstats = stats;
    return rc;
}
