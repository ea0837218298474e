/*
 * test_report.c - pipeline/report.c: the counts of every stage, failed and
 * left totals, the failure lines and the summary line of `inkpipe run` /
 * `inkpipe slurm wait`, on a spool whose items are moved by hand.
 */
#include "tests/unit/spool_fixture.h"

#include <limits.h>

#include "pipeline/report.h"

/* What fn printed into a memory stream (caller frees). */
static char *printed_failures(Spool *sp)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&buf, &size);
    if (!fp)
        return NULL;
    report_failures(sp, fp);
    fclose(fp);
    return buf;
}

static char *printed_summary(const char *who, const Job *job,
                             const ReportCounts *k, int n_new, double s,
                             int waited)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&buf, &size);
    if (!fp)
        return NULL;
    report_summary(fp, who, job, k, n_new, s, waited);
    fclose(fp);
    return buf;
}

/* Claim the next item of st and complete it. */
static void complete_next(Spool *sp, SpoolStage st)
{
    QueueItem *it = NULL;
    Queue *q = spool_get_queue(sp, st);
    if (queue_claim(q, &it) == 1)
        queue_complete(q, it);
    queue_item_destroy(&it);
}

#define FA "f00000000000000a1"
#define FB "f00000000000000b2"

/* A spool mid-job: file A (2 pages) all through and written; file B (3
 * pages): page 1 failed in binarize, page 2 failed in recognize, page 3
 * recognised, its output queued; file C failed at ingest; file D queued at
 * ingest, file E's ingest claimed. */
static Spool *mid_job(Job *job)
{
    Spool *sp = spool_open(job);
    if (!sp)
        return NULL;
    Queue *in = spool_get_queue(sp, STAGE_INGEST);
    queue_enqueue(in, FA, "src=/s/a.tif\nrel=a\nfile=" FA "\n");
    queue_enqueue(in, FB, "src=/s/b.tif\nrel=b\nfile=" FB "\n");
    complete_next(sp, STAGE_INGEST);
    complete_next(sp, STAGE_INGEST);
    queue_enqueue(in, "fc", "src=/s/c.png\nrel=c\nfile=fc\n");
    sfx_fail_next(sp, STAGE_INGEST, "/s/c.png: not an image file");
    queue_enqueue(in, "fd", "src=/s/d.png\nrel=d\nfile=fd\n");
    queue_enqueue(in, "fe", "src=/s/e.png\nrel=e\nfile=fe\n");
    QueueItem *held = NULL;
    queue_claim(in, &held); /* fd or fe: one queued, one claimed */
    queue_item_destroy(&held);
    for (int p = 0; p < 2; p++) {
        for (int s = STAGE_BINARIZE; s <= STAGE_RECOGNIZE; s++) {
            sfx_enqueue_page(sp, (SpoolStage)s, "/s/a.tif", "a", FA, p, 2);
            complete_next(sp, (SpoolStage)s);
        }
    }
    queue_enqueue(spool_get_queue(sp, STAGE_OUTPUT), FA,
                  "src=/s/a.tif\nrel=a\nfile=" FA "\npages=2\n");
    complete_next(sp, STAGE_OUTPUT);
    sfx_enqueue_page(sp, STAGE_BINARIZE, "/s/b.tif", "b", FB, 0, 3);
    sfx_fail_next(sp, STAGE_BINARIZE, "/s/b.tif page 1: image is too big");
    for (int s = STAGE_BINARIZE; s <= STAGE_RECOGNIZE; s++) {
        sfx_enqueue_page(sp, (SpoolStage)s, "/s/b.tif", "b", FB, 1, 3);
        if (s < STAGE_RECOGNIZE)
            complete_next(sp, (SpoolStage)s);
    }
    sfx_fail_next(sp, STAGE_RECOGNIZE, "crashed: signal 11\n(Segfault)");
    for (int s = STAGE_BINARIZE; s <= STAGE_RECOGNIZE; s++) {
        sfx_enqueue_page(sp, (SpoolStage)s, "/s/b.tif", "b", FB, 2, 3);
        complete_next(sp, (SpoolStage)s);
    }
    queue_enqueue(spool_get_queue(sp, STAGE_OUTPUT), FB,
                  "src=/s/b.tif\nrel=b\nfile=" FB "\npages=3\n");
    return sp;
}

static void report_counts__mid_job__every_stage_counted(void)
{
    char dir[1000];
    sfx_case(dir, sizeof dir, "counts");
    Job *job = sfx_job(dir, NULL);
    Spool *sp = job ? mid_job(job) : NULL;
    CHECK(sp != NULL);
    if (sp) {
        ReportCounts k;
        memset(&k, 0xff, sizeof k);
        CHECK(report_counts(sp, &k) == 0);
        const QueueCounts *c = k.c;
        CHECK(c[STAGE_INGEST].total == 5 && c[STAGE_INGEST].done == 2 &&
              c[STAGE_INGEST].failed == 1 && c[STAGE_INGEST].queued == 1 &&
              c[STAGE_INGEST].claimed == 1);
        CHECK(c[STAGE_BINARIZE].total == 5 && c[STAGE_BINARIZE].done == 4 &&
              c[STAGE_BINARIZE].failed == 1);
        CHECK(c[STAGE_SEGMENT].total == 4 && c[STAGE_SEGMENT].done == 4);
        CHECK(c[STAGE_RECOGNIZE].total == 4 &&
              c[STAGE_RECOGNIZE].done == 3 && c[STAGE_RECOGNIZE].failed == 1);
        CHECK(c[STAGE_OUTPUT].total == 2 && c[STAGE_OUTPUT].done == 1 &&
              c[STAGE_OUTPUT].queued == 1);
        CHECK(report_failed(&k) == 3);
        CHECK(report_left(&k) == 3); /* ingest queued + claimed, output */
    }
    spool_destroy(&sp);
    job_destroy(&job);
}

static void report_counts__fresh_spool__all_zero(void)
{
    char dir[1000];
    sfx_case(dir, sizeof dir, "fresh");
    Job *job = sfx_job(dir, NULL);
    Spool *sp = job ? spool_open(job) : NULL;
    CHECK(sp != NULL);
    if (sp) {
        ReportCounts k;
        CHECK(report_counts(sp, &k) == 0);
        CHECK(report_failed(&k) == 0 && report_left(&k) == 0);
        for (int s = 0; s < STAGE_N; s++)
            CHECK(k.c[s].total == 0);
        char *out = printed_failures(sp);
        CHECK(out && out[0] == '\0');
        free(out);
    }
    spool_destroy(&sp);
    job_destroy(&job);
}

static void report_failures__mid_job__one_line_per_failed_item(void)
{
    char dir[1000];
    sfx_case(dir, sizeof dir, "failures");
    Job *job = sfx_job(dir, NULL);
    Spool *sp = job ? mid_job(job) : NULL;
    char *out = sp ? printed_failures(sp) : NULL;
    CHECK(out != NULL);
    /* stage order, stage padded to 9, key, reason on one line */
    const char *want =
        "  failed ingest    fc: /s/c.png: not an image file\n"
        "  failed binarize  " FB "-p0000: /s/b.tif page 1: image is too big\n"
        "  failed recognize " FB "-p0001: crashed: signal 11 (Segfault)\n";
    CHECK(out && strcmp(out, want) == 0);
    if (out && strcmp(out, want))
        printf("  got:\n%s", out);
    free(out);
    spool_destroy(&sp);
    job_destroy(&job);
}

static void report_summary__working__files_pages_rate_and_real_dir(void)
{
    char dir[1000];
    sfx_case(dir, sizeof dir, "summary");
    /* the output folder given through ".." and a symlinked folder */
    char path[1400], link[1400];
    snprintf(path, sizeof path, "%s/real", dir);
    mkdir(path, 0777);
    snprintf(link, sizeof link, "%s/via", dir);
    CHECK(symlink(path, link) == 0);
    Job *job = sfx_job(dir, NULL);
    if (!job) {
        CHECK(0);
        return;
    }
    free(job->output_dir);
    snprintf(path, sizeof path, "%s/in/../via/out", dir);
    job->output_dir = strdup(path);
    Spool *sp = mid_job(job);
    ReportCounts k;
    CHECK(sp && report_counts(sp, &k) == 0);
    char real[PATH_MAX], want[PATH_MAX + 400];
    CHECK(realpath(path, real) != NULL);
    CHECK(strstr(real, "/real/out") != NULL);
    char *line = printed_summary("inkpipe", job, &k, 1, 2.0, 0);
    snprintf(want, sizeof want,
             "inkpipe: t: 5 files (1 new, 1 unreadable), 5 pages: 3 done, "
             "2 failed; 1 files written to %s in 2.0s (1.5 pages/s)\n",
             real);
    CHECK(line && strcmp(line, want) == 0);
    if (line && strcmp(line, want))
        printf("  got:  %s  want: %s", line, want);
    free(line);
    /* n_new -1: not shown; zero seconds: no division */
    line = printed_summary("inkpipe", job, &k, -1, 0.0, 0);
    CHECK(line && strstr(line, "5 files (1 unreadable)") != NULL);
    CHECK(line && strstr(line, " in 0.0s (0.0 pages/s)\n") != NULL);
    free(line);
    spool_destroy(&sp);
    job_destroy(&job);
}

static void report_summary__waited__time_as_waited_no_rate(void)
{
    char dir[1000];
    sfx_case(dir, sizeof dir, "waited");
    Job *job = sfx_job(dir, NULL);
    Spool *sp = job ? mid_job(job) : NULL;
    ReportCounts k;
    CHECK(sp && report_counts(sp, &k) == 0);
    if (sp) {
        char *line =
            printed_summary("inkpipe slurm wait", job, &k, -1, 12.34, 1);
        CHECK(line && strncmp(line, "inkpipe slurm wait: t: 5 files (", 32) ==
                          0);
        CHECK(line && strstr(line, " (waited 12.3s)\n") != NULL);
        CHECK(line && strstr(line, "pages/s") == NULL);
        free(line);
    }
    spool_destroy(&sp);
    job_destroy(&job);
}

static void report_summary__output_dir_missing__printed_as_given(void)
{
    char dir[1000];
    sfx_case(dir, sizeof dir, "nodir");
    Job *job = sfx_job(dir, NULL);
    if (!job) {
        CHECK(0);
        return;
    }
    ReportCounts k;
    memset(&k, 0, sizeof k);
    char given[1400];
    snprintf(given, sizeof given, "%s/in/../not-made", dir);
    free(job->output_dir);
    job->output_dir = strdup(given);
    char *line = printed_summary("inkpipe", job, &k, 0, 1.0, 0);
    char want[1600];
    snprintf(want, sizeof want,
             "inkpipe: t: 0 files (0 new, 0 unreadable), 0 pages: 0 done, 0 "
             "failed; 0 files written to %s in 1.0s (0.0 pages/s)\n",
             given);
    CHECK(line && strcmp(line, want) == 0);
    free(line);
    job_destroy(&job);
}

/* The run summary of run into a string (caller frees). */
static char *printed_run(const Job *job, const ReportRun *run)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&buf, &size);
    if (!fp)
        return NULL;
    report_run_summary(fp, "inkpipe", job, run);
    fclose(fp);
    return buf;
}

static void report_run_summary__rerun_nothing_done__zero_pages_no_rate(void)
{
    char dir[1000];
    sfx_case(dir, sizeof dir, "rerun");
    Job *job = sfx_job(dir, NULL);
    Spool *sp = job ? mid_job(job) : NULL;
    ReportRun run;
    memset(&run, 0, sizeof run);
    SpoolUpdate u;
    memset(&u, 0, sizeof u);
    u.inputs = 20;
    u.unchanged = 20;
    run.update = &u;
    CHECK(sp && report_counts(sp, &run.start) == 0);
    run.end = run.start; /* nothing happened: the old counts must not show */
    run.seconds = 0.5;
    char *line = sp ? printed_run(job, &run) : NULL;
    CHECK(line && strstr(line, "inkpipe: t: this run: 0 pages (20 "
                               "unchanged), 0 files written in 0.5s; "
                               "inputs: 20 files: 0 new, 0 changed, 20 "
                               "unchanged, 0 removed, 1 unreadable, 0 "
                               "skipped as unsupported; job: 5 pages: 3 "
                               "done, 2 failed; outputs in ") == line);
    CHECK(line && strstr(line, "pages/s") == NULL);
    if (line && strstr(line, "this run: 0 pages (20") == NULL)
        printf("  got: %s", line);
    free(line);
    spool_destroy(&sp);
    job_destroy(&job);
}

static void report_run_delta__work_done__end_minus_start(void)
{
    char dir[1000];
    sfx_case(dir, sizeof dir, "delta");
    Job *job = sfx_job(dir, NULL);
    Spool *sp = job ? mid_job(job) : NULL;
    ReportRun run;
    memset(&run, 0, sizeof run);
    CHECK(sp && report_counts(sp, &run.start) == 0);
    if (sp)
        complete_next(sp, STAGE_OUTPUT); /* file B written now */
    CHECK(sp && report_counts(sp, &run.end) == 0);
    /* as if 4 pages were recognised (the job's totals are not checked
     * against each other here) */
    run.end.c[STAGE_RECOGNIZE].done += 4;
    ReportDelta d = report_run_delta(&run);
    CHECK(d.pages_done == 4 && d.pages_failed == 0 && d.files_written == 1 &&
          d.files_unreadable == 0);
    run.seconds = 2.0;
    char *line = sp ? printed_run(job, &run) : NULL;
    CHECK(line && strstr(line, "this run: 4 pages done, 0 failed, 1 files "
                               "written in 2.0s (2.0 pages/s); job: 5 "
                               "pages: 7 done") != NULL);
    if (line && !strstr(line, "this run: 4 pages"))
        printf("  got: %s", line);
    free(line);
    /* the JSON report: this run's numbers and the failures */
    char *json = sp ? report_run_json(sp, &run) : NULL;
    CHECK(json && strstr(json, "\"this_run\":{\"pages_done\":4,") != NULL);
    CHECK(json && strstr(json, "\"failed\":[{\"stage\":") != NULL);
    free(json);
    spool_destroy(&sp);
    job_destroy(&job);
}

int main(void)
{
    RUN(report_counts__mid_job__every_stage_counted);
    RUN(report_counts__fresh_spool__all_zero);
    RUN(report_failures__mid_job__one_line_per_failed_item);
    RUN(report_summary__working__files_pages_rate_and_real_dir);
    RUN(report_summary__waited__time_as_waited_no_rate);
    RUN(report_summary__output_dir_missing__printed_as_given);
    RUN(report_run_summary__rerun_nothing_done__zero_pages_no_rate);
    RUN(report_run_delta__work_done__end_minus_start);
    TEST_EXIT();
}
