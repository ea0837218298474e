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

/* Run one item in a child; reason (size >= 1024) gets why it failed.
 * Returns 0 (stage succeeded) or -1. */
static int run_child(Spool *sp, SpoolStage st, const QueueItem *it,
                     RecNet *net, char *reason, size_t size)
{
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
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
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

static void handle_item(Spool *sp, const WorkerOptions *opt, WorkerModel *m,
                        SpoolStage st, QueueItem *it, WorkerStats *stats)
{
    Queue *q = spool_get_queue(sp, st);
    char reason[1024];
    int rc;
    if (st == STAGE_RECOGNIZE && !m->net_tried) {
        m->net_tried = 1;
        m->net = opt->model ? rec_net_load(opt->model) : NULL;
        if (!m->net)
            snprintf(m->net_err, sizeof m->net_err, "cannot load model %s: %s",
                     opt->model ? opt->model : "(none)", err_get());
        if (m->net) {
            /* One classification here, before any fork: OpenBLAS's first
             * sgemm mallocs its 128 MB work buffer, which a child under
             * limits.page_memory_mb may not get, and OpenBLAS retries a
             * failed buffer allocation forever. Children inherit it. */
            static float x[REC_INPUT_SIZE * REC_INPUT_SIZE];
            float p[REC_NCLASSES];
            rec_net_classify(m->net, x, 1, REC_CHARSET_ALL, p);
        }
    }
    if (st == STAGE_RECOGNIZE && !m->net) {
        snprintf(reason, sizeof reason, "%s", m->net_err);
        rc = -1;
    } else if (opt->in_process) {
        err_clear();
        rc = spool_stage_run(sp, st, it, m->net);
        snprintf(reason, sizeof reason, "%s", err_get());
    } else {
        rc = run_child(sp, st, it, m->net, reason, sizeof reason);
    }
    if (rc == 0) {
        if (queue_complete(q, it) == 0)
            stats->done++;
        else if (opt->log)
            fprintf(opt->log, "inkpipe: %s\n", err_get());
        return;
    }
    stats->failed++;
    if (opt->log)
        fprintf(opt->log, "inkpipe: %s %s failed: %s\n", spool_stage_names[st],
                it->key, reason);
    if (queue_fail(q, it, reason) < 0 && opt->log)
        fprintf(opt->log, "inkpipe: %s\n", err_get());
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
                handle_item(sp, opt, &model, (SpoolStage)s, it, &stats);
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
