/*
 * test_worker.c - pipeline/worker.c: worker_run over a few pages, in this
 * process and in the sandbox child: every item done, a page that fails is
 * failed with its reason while the rest is done, a crash in the stage
 * process fails only its page, a missing model fails the recognize items,
 * a dead worker's claim is recovered, the stage mask, the stop flag (set
 * before and during the run), a full disk (the item stays queued; needs
 * root for a tmpfs mount, else SKIP) and worker_spool_idle.
 */
#include "tests/unit/spool_fixture.h"

#include <errno.h>
#include <sys/mount.h>
#include <sys/time.h>

#include "common/fsutil.h"
#include "pipeline/worker.h"

typedef struct {
    char dir[1000];
    char model[1200];
    Job *job;
    Spool *sp;
} Case;

/* Open the case's job (extra YAML) and spool, submit, save the model. */
static int case_open(Case *c, const char *extra)
{
    snprintf(c->model, sizeof c->model, "%s/tiny.model", c->dir);
    c->job = sfx_job(c->dir, extra);
    c->sp = c->job ? spool_open(c->job) : NULL;
    if (!c->sp || spool_submit(c->sp, NULL, NULL) < 0 ||
        sfx_model(c->model) < 0) {
        printf("  case setup: %s\n", err_get());
        CHECK(0);
        return -1;
    }
    return 0;
}

static void case_close(Case *c)
{
    spool_destroy(&c->sp);
    job_destroy(&c->job);
}

static void options(WorkerOptions *o, const Case *c, int in_process)
{
    worker_options_init(o);
    o->exit_when_idle = 1;
    o->in_process = in_process;
    o->model = c->model;
    o->precision = REC_PRECISION_FP32;
}

/* Items of stage st in state (queued, claimed, done, failed). */
static QueueCounts counts(Case *c, SpoolStage st)
{
    return sfx_counts(c->sp, st);
}

/* The reason of the one failed item of stage st (static), "" if none. */
static const char *failed_reason(Case *c, SpoolStage st, char *key,
                                 size_t key_size)
{
    static char reason[1024];
    QueueEntry *e = NULL;
    int n = 0;
    reason[0] = '\0';
    if (queue_list(spool_get_queue(c->sp, st), QUEUE_FAILED, &e, &n) == 0 &&
        n == 1) {
        snprintf(reason, sizeof reason, "%s", e[0].reason);
        if (key)
            snprintf(key, key_size, "%s", e[0].key);
    }
    queue_entries_destroy(&e, n);
    return reason;
}

static int claims_held(Case *c)
{
    int n = 0;
    for (int s = 0; s < STAGE_N; s++)
        n += counts(c, (SpoolStage)s).claimed;
    return n;
}

static void worker_run__in_process_three_files__every_item_done(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "all");
    sfx_png(c.dir, "a.png", 0);
    sfx_png(c.dir, "b.png", 1);
    sfx_png(c.dir, "sub/c.png", 2);
    if (case_open(&c, NULL) == 0) {
        WorkerOptions o;
        options(&o, &c, 1);
        char trace[1200];
        snprintf(trace, sizeof trace, "%s/trace", c.dir);
        o.trace = trace;
        WorkerStats st = {-1, -1};
        CHECK(worker_run(c.sp, &o, &st) == 0);
        CHECK(st.done == 15 && st.failed == 0); /* 3 files x 5 stages */
        for (int s = 0; s < STAGE_N; s++) {
            QueueCounts k = counts(&c, (SpoolStage)s);
            CHECK(k.done == 3 && k.total == 3 && k.failed == 0);
        }
        CHECK(sfx_exists(c.dir, "out/a.txt") && sfx_exists(c.dir, "out/a.hocr"));
        CHECK(sfx_exists(c.dir, "out/b.txt"));
        CHECK(sfx_exists(c.dir, "out/sub/c.hocr"));
        CHECK(worker_spool_idle(c.sp, 0) == 1);
        /* the trace: one line per completed item, by this process */
        size_t len = 0;
        char *t = sfx_slurp(trace, &len);
        int lines = 0;
        for (size_t i = 0; t && i < len; i++)
            lines += t[i] == '\n';
        CHECK(lines == 15);
        char want[64];
        snprintf(want, sizeof want, " %ld\n", (long)getpid());
        CHECK(t && strstr(t, "output f") && strstr(t, want));
        free(t);
        /* run again: nothing left to do */
        CHECK(worker_run(c.sp, &o, &st) == 0 && st.done == 0);
    }
    case_close(&c);
}

static void worker_run__one_page_fails__failed_with_reason_rest_done(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "onefails");
    int w[3] = {500, 900, 500}; /* page 2 over limits.max_pixels */
    sfx_tiff(c.dir, "scan.tif", 3, w);
    sfx_png(c.dir, "other.png", 1);
    sfx_file(c.dir, "junk.png", "not an image\n");
    if (case_open(&c, "limits:\n  max_pixels: 200000\n") == 0) {
        WorkerOptions o;
        options(&o, &c, 1);
        char *logbuf = NULL;
        size_t logsize = 0;
        o.log = open_memstream(&logbuf, &logsize);
        WorkerStats st = {-1, -1};
        CHECK(worker_run(c.sp, &o, &st) == 0);
        fclose(o.log);
        CHECK(st.failed == 2); /* junk.png at ingest, page 2 at binarize */
        /* ingest 3 - 1; pages 4 - 1 through binarize, segment, recognize;
         * output 2 */
        CHECK(st.done == 2 + 3 * 3 + 2);
        char key[64];
        const char *r = failed_reason(&c, STAGE_BINARIZE, key, sizeof key);
        CHECK(strstr(r, "in/scan.tif page 2") != NULL);
        CHECK(strstr(r, "pixels") != NULL);
        r = failed_reason(&c, STAGE_INGEST, NULL, 0);
        CHECK(strstr(r, "in/junk.png") != NULL);
        CHECK(counts(&c, STAGE_RECOGNIZE).done == 3);
        CHECK(counts(&c, STAGE_OUTPUT).done == 2);
        CHECK(sfx_exists(c.dir, "out/scan.txt"));
        CHECK(sfx_exists(c.dir, "out/other.txt"));
        CHECK(!sfx_exists(c.dir, "out/junk.txt"));
        /* the log names the stage, the item and the reason */
        char want[200];
        snprintf(want, sizeof want, "inkpipe: binarize %s failed: ", key);
        CHECK(logbuf && strstr(logbuf, want) != NULL);
        CHECK(logbuf && strstr(logbuf, "in/scan.tif page 2") != NULL);
        free(logbuf);
        CHECK(claims_held(&c) == 0);
    }
    case_close(&c);
}

static void worker_run__sandbox_crash_on_page__that_page_failed_rest_done(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "crash");
    int w[2] = {500, 460};
    sfx_tiff(c.dir, "scan.tif", 2, w);
    if (case_open(&c, NULL) == 0) {
        WorkerOptions o;
        options(&o, &c, 0);
        o.fault = "recognize:crash,page=2";
        WorkerStats st = {-1, -1};
        CHECK(worker_run(c.sp, &o, &st) == 0);
        CHECK(st.failed == 1);
        CHECK(st.done == 1 + 2 * 3 - 1 + 1);
        char key[64];
        const char *r = failed_reason(&c, STAGE_RECOGNIZE, key, sizeof key);
        /* SIGSEGV; under AddressSanitizer its handler aborts instead */
        CHECK(strncmp(r, "crashed: signal ", 16) == 0);
        CHECK(strlen(key) > 6 && !strcmp(key + strlen(key) - 6, "-p0001"));
        /* the next item got a fresh child: the output was written, the
         * crashed page an empty page of its size */
        CHECK(counts(&c, STAGE_OUTPUT).done == 1);
        char path[1400];
        snprintf(path, sizeof path, "%s/out/scan.hocr", c.dir);
        char *hocr = sfx_slurp(path, NULL);
        CHECK(hocr && strstr(hocr, "bbox 0 0 460 260") != NULL);
        free(hocr);
        CHECK(claims_held(&c) == 0);
    }
    case_close(&c);
}

static void worker_run__sandbox_timeout__page_failed_with_timeout(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "timeout");
    sfx_png(c.dir, "a.png", 0);
    if (case_open(&c, "limits:\n  page_timeout: 2\n") == 0) {
        WorkerOptions o;
        options(&o, &c, 0);
        o.fault = "segment:hang";
        WorkerStats st = {-1, -1};
        CHECK(worker_run(c.sp, &o, &st) == 0);
        CHECK(st.failed == 1 && st.done == 2);
        const char *r = failed_reason(&c, STAGE_SEGMENT, NULL, 0);
        CHECK(strstr(r, "timeout after 2s") != NULL);
        CHECK(counts(&c, STAGE_OUTPUT).total == 0); /* no page left */
    }
    case_close(&c);
}

static void worker_run__model_missing__recognize_failed_with_reason(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "nomodel");
    sfx_png(c.dir, "a.png", 0);
    if (case_open(&c, NULL) == 0) {
        WorkerOptions o;
        options(&o, &c, 1);
        char missing[1200];
        snprintf(missing, sizeof missing, "%s/missing.model", c.dir);
        o.model = missing;
        WorkerStats st = {-1, -1};
        CHECK(worker_run(c.sp, &o, &st) == 0);
        CHECK(st.failed == 1 && st.done == 3);
        const char *r = failed_reason(&c, STAGE_RECOGNIZE, NULL, 0);
        CHECK(strstr(r, "cannot load the model: ") != NULL);
        CHECK(strstr(r, "missing.model") != NULL);
        CHECK(counts(&c, STAGE_SEGMENT).done == 1); /* segment needs none */
    }
    case_close(&c);
}

static void worker_run__claim_of_dead_worker__recovered_and_done(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "recover");
    sfx_png(c.dir, "a.png", 0);
    if (case_open(&c, NULL) == 0) {
        pid_t pid = fork();
        if (pid == 0) {
            QueueItem *it = NULL;
            queue_claim(spool_get_queue(c.sp, STAGE_INGEST), &it);
            raise(SIGKILL);
            _exit(1);
        }
        int ws;
        waitpid(pid, &ws, 0);
        CHECK(counts(&c, STAGE_INGEST).claimed == 1);
        WorkerOptions o;
        options(&o, &c, 1);
        WorkerStats st = {-1, -1};
        CHECK(worker_run(c.sp, &o, &st) == 0);
        CHECK(st.done == 5 && st.failed == 0);
        CHECK(sfx_exists(c.dir, "out/a.txt"));
    }
    case_close(&c);
}

static void worker_run__stage_mask__only_those_stages_run(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "mask");
    sfx_png(c.dir, "a.png", 0);
    sfx_png(c.dir, "b.png", 1);
    if (case_open(&c, NULL) == 0) {
        WorkerOptions o;
        options(&o, &c, 1);
        o.stages = 1u << STAGE_INGEST | 1u << STAGE_BINARIZE;
        WorkerStats st = {-1, -1};
        CHECK(worker_run(c.sp, &o, &st) == 0);
        CHECK(st.done == 4);
        CHECK(counts(&c, STAGE_SEGMENT).queued == 2);
        CHECK(worker_spool_idle(c.sp, o.stages) == 1);
        CHECK(worker_spool_idle(c.sp, 0) == 0);
        o.stages = 0;
        CHECK(worker_run(c.sp, &o, &st) == 0 && st.done == 6);
        CHECK(worker_spool_idle(c.sp, 0) == 1);
    }
    case_close(&c);
}

static void worker_spool_idle__claim_held_anywhere__not_idle(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "idle");
    sfx_png(c.dir, "a.png", 0);
    if (case_open(&c, NULL) == 0) {
        unsigned others = 1u << STAGE_OUTPUT;
        CHECK(worker_spool_idle(c.sp, others) == 1);
        CHECK(worker_spool_idle(c.sp, 1u << STAGE_INGEST) == 0);
        QueueItem *it = NULL;
        Queue *q = spool_get_queue(c.sp, STAGE_INGEST);
        CHECK(queue_claim(q, &it) == 1);
        /* a claim counts whatever the mask: its item may enqueue more */
        CHECK(worker_spool_idle(c.sp, others) == 0);
        CHECK(queue_complete(q, it) == 0);
        queue_item_destroy(&it);
        CHECK(worker_spool_idle(c.sp, others) == 1);
        CHECK(worker_spool_idle(c.sp, 0) == 1);
    }
    case_close(&c);
}

static volatile sig_atomic_t stop_flag;
static void on_alarm(int sig)
{
    (void)sig;
    stop_flag = 1;
}

/* Run worker_run in a child process that a signal stops after delay_s
 * (0: the flag is set from the start); returns the child's exit status (0: worker_run returned 0 and the
 * stats were written to fd), or -1 if it was still running after limit_s
 * (then killed). */
static int run_stopped_child(Case *c, WorkerOptions *o, double delay_s,
                             double limit_s, WorkerStats *pst)
{
    int p[2];
    if (pipe(p) < 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_alarm;
        sigaction(SIGALRM, &sa, NULL);
        struct itimerval it = {{0, 0},
                               {(time_t)delay_s,
                                (long)((delay_s - (time_t)delay_s) * 1e6)}};
        stop_flag = delay_s <= 0;
        if (!stop_flag)
            setitimer(ITIMER_REAL, &it, NULL);
        o->stop = &stop_flag;
        WorkerStats st = {0, 0};
        int rc = worker_run(c->sp, o, &st);
        if (write(p[1], &st, sizeof st) != (ssize_t)sizeof st)
            _exit(3);
        _exit(rc == 0 ? 0 : 2);
    }
    close(p[1]);
    int status = -1;
    double waited = 0;
    while (waited < limit_s) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            break;
        usleep(20000);
        waited += 0.02;
    }
    if (waited >= limit_s) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        close(p[0]);
        return -1;
    }
    if (read(p[0], pst, sizeof *pst) != (ssize_t)sizeof *pst)
        pst->done = pst->failed = -1;
    close(p[0]);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

static void worker_run__stop_already_set__returns_claiming_nothing(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "stop0");
    sfx_png(c.dir, "a.png", 0);
    if (case_open(&c, NULL) == 0) {
        WorkerOptions o;
        options(&o, &c, 1);
        o.exit_when_idle = 0; /* only the flag can end it */
        WorkerStats st = {-1, -1};
        CHECK(run_stopped_child(&c, &o, 0, 10, &st) == 0);
        CHECK(st.done == 0 && st.failed == 0);
        CHECK(counts(&c, STAGE_INGEST).queued == 1);
    }
    case_close(&c);
}

static void worker_run__stop_set_while_idle__returns(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "stopidle");
    if (case_open(&c, NULL) == 0) {
        /* nothing to do and no exit_when_idle: only the flag ends it */
        WorkerOptions o;
        options(&o, &c, 1);
        o.exit_when_idle = 0;
        WorkerStats st = {-1, -1};
        CHECK(run_stopped_child(&c, &o, 0.3, 10, &st) == 0);
        CHECK(st.done == 0);
    }
    case_close(&c);
}

static void worker_run__stop_set_mid_item__item_finished_rest_left(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "stopmid");
    sfx_png(c.dir, "a.png", 0);
    if (case_open(&c, NULL) == 0) {
        WorkerOptions o;
        options(&o, &c, 0);
        o.exit_when_idle = 0;
        o.fault = "segment:sleep=1.5"; /* the stop arrives during it */
        WorkerStats st = {-1, -1};
        CHECK(run_stopped_child(&c, &o, 0.8, 20, &st) == 0);
        /* the worker finished the item it had (or had not begun one) and
         * returned: no claim held, the page not through */
        CHECK(claims_held(&c) == 0);
        CHECK(st.done >= 1 && st.done <= 3 && st.failed == 0);
        CHECK(counts(&c, STAGE_RECOGNIZE).done == 0);
        CHECK(counts(&c, STAGE_OUTPUT).done == 0);
        CHECK(!sfx_exists(c.dir, "out/a.txt"));
        if (st.done == 3) /* it was in segment when told: that finished */
            CHECK(counts(&c, STAGE_SEGMENT).done == 1);
    }
    case_close(&c);
}

static void worker_run__disk_full__item_stays_queued_worker_stops(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "diskfull");
    sfx_png(c.dir, "a.png", 0);
    /* the whole spool on a small tmpfs: artifacts are staged in the
     * stage's folder and renamed into art/, so both must be on it */
    char spool[1400], ballast[1500];
    snprintf(spool, sizeof spool, "%s/spool", c.dir);
    snprintf(ballast, sizeof ballast, "%s/ballast", spool);
    if (geteuid() != 0 || fs_mkdirs(spool) < 0 ||
        mount("tmpfs", spool, "tmpfs", 0, "size=512k") != 0) {
        printf("SKIP %s (needs root and a tmpfs mount)\n", __func__);
        return;
    }
    if (case_open(&c, NULL) == 0) {
        WorkerOptions o;
        options(&o, &c, 1);
        WorkerStats st = {-1, -1};
        o.stages = 1u << STAGE_INGEST;
        CHECK(worker_run(c.sp, &o, &st) == 0 && st.done == 1);
        /* now the spool is full: the binarised page cannot be written */
        int fd = open(ballast, O_WRONLY | O_CREAT, 0666);
        static char chunk[4096];
        while (fd >= 0 && write(fd, chunk, sizeof chunk) > 0)
            ;
        if (fd >= 0)
            close(fd);
        o.stages = 0;
        CHECK(worker_run(c.sp, &o, &st) == -1);
        CHECK(strstr(err_get(), "No space left on device") != NULL);
        CHECK(strstr(err_get(), "the item stays queued") != NULL);
        CHECK(st.failed == 0 && st.done == 0);
        QueueCounts b = counts(&c, STAGE_BINARIZE);
        CHECK(b.queued == 1 && b.claimed == 0 && b.failed == 0);
        /* room again: the same job finishes */
        unlink(ballast);
        CHECK(worker_run(c.sp, &o, &st) == 0 && st.done == 4);
        CHECK(sfx_exists(c.dir, "out/a.txt"));
    }
    case_close(&c);
    CHECK(umount(spool) == 0);
}

int main(void)
{
    fs_set_sync(0); /* tmp is not what is tested here: keep it quick */
    RUN(worker_run__in_process_three_files__every_item_done);
    RUN(worker_run__one_page_fails__failed_with_reason_rest_done);
    RUN(worker_run__sandbox_crash_on_page__that_page_failed_rest_done);
    RUN(worker_run__sandbox_timeout__page_failed_with_timeout);
    RUN(worker_run__model_missing__recognize_failed_with_reason);
    RUN(worker_run__claim_of_dead_worker__recovered_and_done);
    RUN(worker_run__stage_mask__only_those_stages_run);
    RUN(worker_spool_idle__claim_held_anywhere__not_idle);
    RUN(worker_run__stop_already_set__returns_claiming_nothing);
    RUN(worker_run__stop_set_while_idle__returns);
    RUN(worker_run__stop_set_mid_item__item_finished_rest_left);
    fs_set_sync(1);
    RUN(worker_run__disk_full__item_stays_queued_worker_stops);
    TEST_EXIT();
}
