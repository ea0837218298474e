/*
 * test_slurm.c - pipeline/slurm.c: option checks, the sbatch script, and the
 * fork/exec of sbatch/squeue (against small fake programs written here, so
 * that no Slurm is needed; tests/slurm/ runs the real thing).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "pipeline/job.h"
#include "pipeline/slurm.h"
#include "tests/unit/test.h"

static char dir[512];

/* Make a fresh folder under TEST_TMPDIR for one case. */
static const char *case_dir(const char *name)
{
    char cmd[1200];
    snprintf(dir, sizeof dir, "%s/slurm-%s", test_tmpdir(), name);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    if (system(cmd) != 0)
        printf("  cannot create %s\n", dir);
    return dir;
}

/* Write an executable sh script at DIR/name; returns its path (static). */
static const char *fake_program(const char *name, const char *body)
{
    static char path[1024];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    if (!f)
        return path;
    fprintf(f, "#!/bin/sh\n%s\n", body);
    fclose(f);
    chmod(path, 0755);
    return path;
}

/* Read a whole file into a static buffer ("" when missing). */
static const char *slurp(const char *path)
{
    static char buf[16384];
    FILE *f = fopen(path, "r");
    size_t n = 0;
    buf[0] = '\0';
    if (!f)
        return buf;
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static SlurmSpec default_spec(void)
{
    SlurmSpec s = {.tasks = 4, .cpus_per_task = 2};
    return s;
}

static SlurmScriptInfo default_info(void)
{
    SlurmScriptInfo i = {.inkpipe = "/opt/inkpipe/bin/inkpipe",
                         .job_path = "/data/jobs/box1.yaml",
                         .job_name = "box1",
                         .spool = "/data/jobs/spool/box1",
                         .log_dir = "/data/jobs/spool/box1/slurm/logs"};
    return i;
}

static void slurm_time_check__slurm_forms__accepted(void)
{
    const char *ok[] = {"01:30:00", "90", "5:00", "1-00", "2-12:00",
                        "1-00:00:00", "100:00:00"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        if (slurm_time_check(ok[i]) != 0)
            printf("  rejected %s: %s\n", ok[i], err_get());
        CHECK(slurm_time_check(ok[i]) == 0);
    }
}

static void slurm_time_check__malformed__rejected_with_value(void)
{
    const char *bad[] = {"", "1h", "1:75:00", "1:5", "1:00:00:00", "a-1",
                         "-1", "1-", "01:30:", " 01:30:00"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = slurm_time_check(bad[i]);
        if (rc == 0)
            printf("  accepted '%s'\n", bad[i]);
        CHECK(rc == -1);
    }
    slurm_time_check("1h");
    CHECK(strstr(err_get(), "'1h'") != NULL);
    CHECK(strstr(err_get(), "HH:MM:SS") != NULL);
}

static void slurm_option_check__plain_option__accepted(void)
{
    CHECK(slurm_option_check("--account=ocr") == 0);
    CHECK(slurm_option_check("-A") == 0);
    CHECK(slurm_option_check("--mem-per-cpu=2G") == 0);
}

static void slurm_option_check__space_quote_or_no_dash__rejected(void)
{
    CHECK(slurm_option_check("--account=a b") == -1);
    CHECK(strstr(err_get(), "--account=a b") != NULL);
    CHECK(slurm_option_check("--comment=\"x\"") == -1);
    CHECK(slurm_option_check("--x=a\nb") == -1);
    CHECK(slurm_option_check("account=ocr") == -1);
    CHECK(slurm_option_check("-") == -1);
}

static void slurm_options_split__spaces__each_option(void)
{
    char **args = NULL;
    int n = -1;

    CHECK(slurm_options_split("  --account=ocr\t--qos=low ", &args, &n) == 0);
    CHECK(n == 2);
    if (n == 2 && args) {
        CHECK(strcmp(args[0], "--account=ocr") == 0);
        CHECK(strcmp(args[1], "--qos=low") == 0);
        CHECK(args[2] == NULL);
    }
    slurm_options_free(&args);
    CHECK(args == NULL);
    CHECK(slurm_options_split("", &args, &n) == 0);
    CHECK(n == 0 && args == NULL);
    CHECK(slurm_options_check("--a=1 b=2") == -1);
    CHECK(strstr(err_get(), "'b=2'") != NULL);
    CHECK(slurm_options_check("--a=\"x") == -1);
}

static void slurm_partition_check__bad_name__rejected(void)
{
    CHECK(slurm_partition_check("gpu-long_2") == 0);
    CHECK(slurm_partition_check("") == -1);
    CHECK(slurm_partition_check("a b") == -1);
    CHECK(strstr(err_get(), "'a b'") != NULL);
}

static void slurm_job_value_check__each_key__its_check(void)
{
    CHECK(slurm_job_value_check("slurm.time", "01:00:00") == 0);
    CHECK(slurm_job_value_check("slurm.time", "1h") == -1);
    CHECK(slurm_job_value_check("slurm.partition", "a;b") == -1);
    CHECK(slurm_job_value_check("slurm.sbatch", "--qos=low x") == -1);
    CHECK(slurm_job_value_check("slurm.sbatch", "--qos=low -Ax") == 0);
}

static void slurm_spec_check__bad_values__rejected(void)
{
    SlurmSpec s = default_spec();
    const char *args[] = {"--qos=low", "--account=my lab"};

    CHECK(slurm_spec_check(&s) == 0);
    s.tasks = 0;
    CHECK(slurm_spec_check(&s) == -1);
    CHECK(strstr(err_get(), "--tasks") != NULL);
    s = default_spec();
    s.cpus_per_task = 0;
    CHECK(slurm_spec_check(&s) == -1);
    s = default_spec();
    s.nodes = -1;
    CHECK(slurm_spec_check(&s) == -1);
    s = default_spec();
    s.partition = "debug;rm";
    CHECK(slurm_spec_check(&s) == -1);
    CHECK(strstr(err_get(), "debug;rm") != NULL);
    s = default_spec();
    s.time = "2 hours";
    CHECK(slurm_spec_check(&s) == -1);
    s = default_spec();
    s.sbatch_args = args;
    s.n_sbatch_args = 1;
    CHECK(slurm_spec_check(&s) == 0);
    s.n_sbatch_args = 2;
    CHECK(slurm_spec_check(&s) == -1);
    CHECK(strstr(err_get(), "my lab") != NULL);
}

static void slurm_script_write__full_spec__sbatch_lines(void)
{
    SlurmSpec s = default_spec();
    SlurmScriptInfo in = default_info();
    const char *args[] = {"--qos=low"};
    const char *sub[] = {"--account=x y"};
    char path[1024];
    FILE *f;
    const char *txt;

    case_dir("lines");
    s.nodes = 3;
    s.partition = "batch";
    s.time = "02:00:00";
    s.sbatch_args = args;
    s.n_sbatch_args = 1;
    in.submit_argv = sub;
    in.n_submit_argv = 1;
    snprintf(path, sizeof path, "%s/job.sbatch", dir);
    f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(slurm_script_write(f, &s, &in) == 0);
    fclose(f);
    txt = slurp(path);
    CHECK(strncmp(txt, "#!/bin/sh\n", 10) == 0);
    CHECK(strstr(txt, "\n#SBATCH --job-name=inkpipe-box1\n") != NULL);
    CHECK(strstr(txt, "\n#SBATCH --array=0-3\n") != NULL);
    CHECK(strstr(txt, "\n#SBATCH --nodes=3\n") != NULL);
    CHECK(strstr(txt, "\n#SBATCH --ntasks-per-node=2\n") != NULL);
    CHECK(strstr(txt, "\n#SBATCH --cpus-per-task=1\n") != NULL);
    CHECK(strstr(txt, "\n#SBATCH --partition=batch\n") != NULL);
    CHECK(strstr(txt, "\n#SBATCH --time=02:00:00\n") != NULL);
    CHECK(strstr(txt, "\n#SBATCH --qos=low\n") != NULL);
    CHECK(strstr(txt, "\n#SBATCH --requeue\n") != NULL);
    CHECK(strstr(txt, "\n#SBATCH --output=\"/data/jobs/spool/box1/slurm/logs/"
                      "%A_%a.log\"\n") != NULL);
    CHECK(strstr(txt, "sbatch --parsable '--account=x y' THIS_SCRIPT") !=
          NULL);
    CHECK(strstr(txt, "--exit-when-idle") != NULL);
    /* sbatch stops reading #SBATCH lines at the first command. */
    CHECK(strstr(txt, "#SBATCH --qos=low") < strstr(txt, "\nset -u"));
}

static void slurm_script_write__defaults__no_optional_lines(void)
{
    SlurmSpec s = default_spec();
    SlurmScriptInfo in = default_info();
    char path[1024];
    FILE *f;
    const char *txt;

    case_dir("defaults");
    snprintf(path, sizeof path, "%s/job.sbatch", dir);
    f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(slurm_script_write(f, &s, &in) == 0);
    fclose(f);
    txt = slurp(path);
    CHECK(strstr(txt, "--nodes") == NULL);
    CHECK(strstr(txt, "--partition") == NULL);
    CHECK(strstr(txt, "--time") == NULL);
}

/* The script, run with a fake srun first on PATH, must hand the exact
 * paths to inkpipe whatever characters they hold. */
static void slurm_script_write__odd_paths__reach_worker_verbatim(void)
{
    SlurmSpec s = default_spec();
    SlurmScriptInfo in = default_info();
    char path[1024], cmd[4096], want[2048];
    const char *got;

    case_dir("quoting");
    fake_program("srun", "for a in \"$@\"; do printf '[%s]\\n' \"$a\"; done "
                         ">\"$(dirname \"$0\")/srun.args\"");
    in.inkpipe = "/opt/it's $HOME/ink pipe";
    in.job_path = "/jobs/a \"b\" `c` $(d)/job's.yaml";
    in.job_name = "box 1/it's";
    in.log_dir = "/logs/100%";
    snprintf(path, sizeof path, "%s/job.sbatch", dir);
    CHECK(slurm_script_save(path, &s, &in) == 0);
    got = slurp(path);
    CHECK(strstr(got, "#SBATCH --job-name=inkpipe-box_1_it_s\n") != NULL);
    CHECK(strstr(got, "#SBATCH --output=\"/logs/100%%/%A_%a.log\"\n") !=
          NULL);
    snprintf(cmd, sizeof cmd, "PATH='%s':\"$PATH\" sh '%s' >/dev/null", dir,
             path);
    CHECK(system(cmd) == 0);
    snprintf(path, sizeof path, "%s/srun.args", dir);
    snprintf(want, sizeof want,
             "[--kill-on-bad-exit=0]\n[%s]\n[work]\n[%s]\n[--exit-when-idle]\n",
             in.inkpipe, in.job_path);
    got = slurp(path);
    if (strcmp(got, want) != 0)
        printf("  srun got:\n%s  want:\n%s", got, want);
    CHECK(strcmp(got, want) == 0);
}

/* A newline in a name or path must not end a comment line and run the rest
 * as a command. */
static void slurm_script_write__newline_in_names__stays_in_comment(void)
{
    SlurmSpec s = default_spec();
    SlurmScriptInfo in = default_info();
    const char *sub[] = {"--comment=x\ntouch \"$0.pwned3\""};
    char path[1024], cmd[2048], job[1024], spool[1024];
    struct stat st;

    case_dir("newline");
    fake_program("srun", "exit 0");
    snprintf(job, sizeof job, "%s/j\ntouch \"$0.pwned1\"\n.yaml", dir);
    snprintf(spool, sizeof spool, "%s/s\ntouch \"$0.pwned2\"", dir);
    in.job_path = job;
    in.spool = spool;
    in.job_name = "n\ntouch \"$0.pwned4\"";
    in.submit_argv = sub;
    in.n_submit_argv = 1;
    snprintf(path, sizeof path, "%s/job.sbatch", dir);
    CHECK(slurm_script_save(path, &s, &in) == 0);
    snprintf(cmd, sizeof cmd, "PATH='%s':\"$PATH\" sh '%s' >/dev/null", dir,
             path);
    CHECK(system(cmd) == 0);
    for (int k = 1; k <= 4; k++) {
        snprintf(cmd, sizeof cmd, "%s.pwned%d", path, k);
        CHECK(stat(cmd, &st) != 0);
    }
}

static void slurm_script_write__quote_in_log_dir__rejected(void)
{
    SlurmSpec s = default_spec();
    SlurmScriptInfo in = default_info();
    char path[1024];
    struct stat st;

    case_dir("badlog");
    in.log_dir = "/logs/a\"b";
    snprintf(path, sizeof path, "%s/job.sbatch", dir);
    CHECK(slurm_script_save(path, &s, &in) == -1);
    CHECK(strstr(err_get(), "/logs/a\"b") != NULL);
    CHECK(stat(path, &st) != 0); /* nothing left behind */
}

static void slurm_sbatch__parsable_output__job_id_and_argv(void)
{
    const char *sb, *extra[] = {"--qos=low", "--comment=a b"};
    char args[1024];
    long id = 0;

    case_dir("sbatch");
    snprintf(args, sizeof args,
             "for a in \"$@\"; do printf '[%%s]\\n' \"$a\"; done "
             ">'%s/sbatch.args'; echo '4242;cluster'",
             dir);
    sb = fake_program("sbatch", args);
    CHECK(slurm_sbatch(sb, "/x/job.sbatch", extra, 2, 10, &id) == 0);
    CHECK(id == 4242);
    snprintf(args, sizeof args, "%s/sbatch.args", dir);
    CHECK(strcmp(slurp(args), "[--parsable]\n[--qos=low]\n[--comment=a b]\n"
                              "[/x/job.sbatch]\n") == 0);
}

static void slurm_sbatch__sbatch_fails__error_nothing_submitted(void)
{
    const char *sb;
    long id = 0;

    case_dir("sbatchfail");
    sb = fake_program("sbatch", "echo 'sbatch: error: invalid partition' >&2; "
                                "exit 1");
    CHECK(slurm_sbatch(sb, "/x/job.sbatch", NULL, 0, 10, &id) == -1);
    CHECK(strstr(err_get(), "exit 1") != NULL);
    CHECK(id == 0);
}

static void slurm_sbatch__no_job_id__error(void)
{
    const char *sb;
    long id = 0;

    case_dir("sbatchgarbage");
    sb = fake_program("sbatch", "echo 'Submitted batch job'");
    CHECK(slurm_sbatch(sb, "/x/job.sbatch", NULL, 0, 10, &id) == -1);
    CHECK(strstr(err_get(), "expected a job id") != NULL);
}

static void slurm_sbatch__missing_program__cannot_run(void)
{
    long id = 0;
    CHECK(slurm_sbatch("/nonexistent/sbatch", "/x/job.sbatch", NULL, 0, 10,
                       &id) == -1);
    CHECK(strstr(err_get(), "cannot run /nonexistent/sbatch") != NULL);
}

static void slurm_sbatch__hangs__killed_after_timeout(void)
{
    const char *sb;
    long id = 0;
    time_t t0 = time(NULL);

    case_dir("sbatchhang");
    sb = fake_program("sbatch", "exec sleep 30");
    CHECK(slurm_sbatch(sb, "/x/job.sbatch", NULL, 0, 1, &id) == -1);
    CHECK(strstr(err_get(), "no answer") != NULL);
    CHECK(time(NULL) - t0 < 10);
}

static void slurm_job_active__squeue_answers__active_or_not(void)
{
    const char *sq;
    int active = -1;

    case_dir("squeue");
    sq = fake_program("squeue", "echo 77_1; echo 77_2");
    CHECK(slurm_job_active(sq, 77, 10, &active) == 0);
    CHECK(active == 1);
    sq = fake_program("squeue", "exit 0");
    CHECK(slurm_job_active(sq, 77, 10, &active) == 0);
    CHECK(active == 0);
    sq = fake_program("squeue", "echo 'slurm_load_jobs error: Invalid job id "
                                "specified' >&2; exit 1");
    active = -1;
    CHECK(slurm_job_active(sq, 77, 10, &active) == 0);
    CHECK(active == 0);
    sq = fake_program("squeue", "echo 'slurm_load_jobs error: Unable to "
                                "contact slurm controller' >&2; exit 1");
    CHECK(slurm_job_active(sq, 77, 10, &active) == -1);
    CHECK(strstr(err_get(), "Unable to contact") != NULL);
}

static void slurm_jobids__append_then_load__same_ids(void)
{
    char path[1024];
    long *ids = NULL;
    int n = -1;

    case_dir("jobids");
    snprintf(path, sizeof path, "%s/jobids", dir);
    CHECK(slurm_jobids_load(path, &ids, &n) == 0);
    CHECK(n == 0 && ids == NULL);
    CHECK(slurm_jobids_append(path, 12) == 0);
    CHECK(slurm_jobids_append(path, 3456789) == 0);
    CHECK(slurm_jobids_load(path, &ids, &n) == 0);
    CHECK(n == 2);
    if (n == 2)
        CHECK(ids[0] == 12 && ids[1] == 3456789);
    free(ids);
}

static void slurm_jobids_load__bad_line__error_with_line(void)
{
    char path[1024];
    long *ids = NULL;
    int n = -1;
    FILE *f;

    case_dir("jobidsbad");
    snprintf(path, sizeof path, "%s/jobids", dir);
    f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("12\nabc\n", f);
    fclose(f);
    CHECK(slurm_jobids_load(path, &ids, &n) == -1);
    CHECK(strstr(err_get(), "jobids:2:") != NULL);
    CHECK(ids == NULL && n == 0);
}

/* A SlurmRun with every count distinct and odd strings in its lists. */
static void run_fill(SlurmRun *r)
{
    memset(r, 0, sizeof *r);
    r->t_start = 1796359271.5;
    for (int s = 0; s < STAGE_N; s++) {
        r->start.c[s].queued = 10 * s + 1;
        r->start.c[s].claimed = 10 * s + 2;
        r->start.c[s].done = 10 * s + 3;
        r->start.c[s].failed = 10 * s + 4;
        r->start.c[s].total = 10 * s + 5;
    }
    r->start.unreadable = 7;
    SpoolUpdate *u = &r->update;
    u->inputs = 21, u->n_new = 22, u->changed = 23, u->unchanged = 24;
    u->touched = 25, u->outputs_rewritten = 26, u->removed = 27;
    u->gone_kept = 28, u->pruned = 29, u->pruned_files = 30;
    u->failures_dropped = 31, u->deferred = 32, u->legacy = 1;
    u->skipped = calloc(2, sizeof *u->skipped);
    u->notes = calloc(1, sizeof *u->notes);
    if (!u->skipped || !u->notes)
        return;
    u->n_skipped = 2;
    u->skipped[0].file = strdup("in/a\tb\nc\\d.doc");
    u->skipped[0].reason = strdup("not an image");
    u->skipped[1].file = strdup("in/x.txt");
    u->skipped[1].reason = strdup("");
    u->n_notes = 1;
    u->notes[0] = strdup("removed: in/old.png (outputs kept)");
}

static void slurm_run__save_then_load__same_run(void)
{
    char path[1024];
    SlurmRun a, b;
    case_dir("runsave");
    snprintf(path, sizeof path, "%s/slurm/run", dir); /* folder created */
    run_fill(&a);
    CHECK(slurm_run_save(path, &a) == 0);
    CHECK(slurm_run_load(path, &b) == 1);
    CHECK(b.t_start == a.t_start);
    CHECK(!memcmp(&a.start, &b.start, sizeof a.start));
    CHECK(b.update.inputs == 21 && b.update.n_new == 22 &&
          b.update.changed == 23 && b.update.unchanged == 24 &&
          b.update.touched == 25 && b.update.outputs_rewritten == 26 &&
          b.update.removed == 27 && b.update.gone_kept == 28 &&
          b.update.pruned == 29 && b.update.pruned_files == 30 &&
          b.update.failures_dropped == 31 && b.update.deferred == 32 &&
          b.update.legacy == 1);
    CHECK(b.update.n_skipped == 2 && b.update.n_notes == 1);
    if (b.update.n_skipped == 2 && b.update.n_notes == 1) {
        CHECK(!strcmp(b.update.skipped[0].file, "in/a\tb\nc\\d.doc"));
        CHECK(!strcmp(b.update.skipped[0].reason, "not an image"));
        CHECK(!strcmp(b.update.skipped[1].file, "in/x.txt"));
        CHECK(!strcmp(b.update.skipped[1].reason, ""));
        CHECK(!strcmp(b.update.notes[0], "removed: in/old.png (outputs kept)"));
    }
    /* (saved again: replaced, not appended) */
    CHECK(slurm_run_save(path, &a) == 0);
    slurm_run_cleanup(&b);
    CHECK(slurm_run_load(path, &b) == 1 && b.update.n_skipped == 2);
    slurm_run_cleanup(&b);
    slurm_run_cleanup(&a);
    CHECK(a.update.skipped == NULL && a.update.n_skipped == 0);
}

static void slurm_run_load__missing__zero_no_error(void)
{
    char path[1024];
    SlurmRun r;
    case_dir("runmissing");
    snprintf(path, sizeof path, "%s/run", dir);
    err_clear();
    CHECK(slurm_run_load(path, &r) == 0);
    CHECK(r.update.skipped == NULL && r.t_start == 0);
}

/* Write text to DIR/run and load it: -1 with where in the message. */
static void run_load_bad(const char *text, const char *where)
{
    char path[1024], want[1200];
    SlurmRun r;
    FILE *f;
    snprintf(path, sizeof path, "%s/run", dir);
    f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
    snprintf(want, sizeof want, "%s%s", path, where);
    CHECK(slurm_run_load(path, &r) == -1);
    if (!strstr(err_get(), want))
        printf("  got: %s (want %s)\n", err_get(), want);
    CHECK(strstr(err_get(), want) != NULL);
    CHECK(r.update.skipped == NULL && r.update.n_skipped == 0);
}

static void slurm_run_load__damaged__error_names_file_and_line(void)
{
    char path[1024], *text;
    size_t n;
    SlurmRun a;
    case_dir("rundamaged");
    snprintf(path, sizeof path, "%s/run", dir);
    run_fill(&a);
    CHECK(slurm_run_save(path, &a) == 0);
    slurm_run_cleanup(&a);
    text = strdup(slurp(path));
    CHECK(text != NULL);
    if (!text)
        return;
    n = strlen(text);
    run_load_bad("", ": not an inkpipe slurm run file");
    run_load_bad("# inkpipe slurm run 2\nend\n",
                 ": not an inkpipe slurm run file");
    /* cut before its end line, or inside a line */
    char *end = strstr(text, "end\n");
    CHECK(end != NULL);
    if (end) {
        *end = '\0';
        run_load_bad(text, ": cut short or incomplete (the end line missing)");
        *end = 'e';
    }
    text[n - 10] = '\0';
    run_load_bad(text, ":");
    run_load_bad("# inkpipe slurm run 1\nt_start 5\nstage ingest 1 2 x 4 5\n",
                 ":3: stage: expected NAME and 5 counts");
    run_load_bad("# inkpipe slurm run 1\nstage inkest 1 2 3 4 5\n",
                 ":2: stage 'inkest': no such stage");
    run_load_bad("# inkpipe slurm run 1\nt_start soon\n", ":2: t_start 'soon'");
    run_load_bad("# inkpipe slurm run 1\nupdate 1 2 3\n",
                 ":2: update: expected 13 counts");
    run_load_bad("# inkpipe slurm run 1\nskip\tfile-without-reason\n",
                 ":2: a skip line without a reason");
    run_load_bad("# inkpipe slurm run 1\nfoo 1\n", ":2: unknown record 'foo 1'");
    run_load_bad("# inkpipe slurm run 1\nt_start 5\nunreadable 0\nupdate 0 0 0 "
                 "0 0 0 0 0 0 0 0 0 0\nend\n",
                 ": cut short or incomplete (a stage missing)");
    free(text);
}

/* Write DIR/job.yaml (with an input folder DIR/in) and load it. */
static Job *load_job(const char *yaml, char *path, size_t size)
{
    FILE *f;
    char in[1100];
    snprintf(in, sizeof in, "%s/in", dir);
    mkdir(in, 0755);
    snprintf(path, size, "%s/job.yaml", dir);
    f = fopen(path, "w");
    if (!f)
        return NULL;
    fprintf(f, "input:\n  paths: [in]\noutput:\n  dir: out\n%s", yaml);
    fclose(f);
    return job_load(path);
}

static void job_load__slurm_section__defaults_read(void)
{
    char path[1100];
    Job *job;

    case_dir("jobkeys");
    job = load_job("slurm:\n  tasks: 8\n  nodes: 2\n  cpus_per_task: 16\n"
                   "  partition: batch\n  time: \"02:00:00\"\n"
                   "  sbatch: --account=ocr --qos=low\n",
                   path, sizeof path);
    CHECK(job != NULL);
    if (!job) {
        printf("  %s\n", err_get());
        return;
    }
    CHECK(job->slurm_tasks == 8);
    CHECK(job->slurm_nodes == 2);
    CHECK(job->slurm_cpus_per_task == 16);
    CHECK(job->slurm_partition && !strcmp(job->slurm_partition, "batch"));
    CHECK(job->slurm_time && !strcmp(job->slurm_time, "02:00:00"));
    CHECK(job->slurm_sbatch &&
          !strcmp(job->slurm_sbatch, "--account=ocr --qos=low"));
    job_destroy(&job);
    CHECK(job == NULL);
}

static void job_load__no_slurm_section__unset(void)
{
    char path[1100];
    Job *job;

    case_dir("jobnokeys");
    job = load_job("", path, sizeof path);
    CHECK(job != NULL);
    if (!job)
        return;
    CHECK(job->slurm_tasks == 0 && job->slurm_nodes == 0 &&
          job->slurm_cpus_per_task == 0);
    CHECK(!job->slurm_partition && !job->slurm_time && !job->slurm_sbatch);
    job_destroy(&job);
}

static void job_load__bad_slurm_values__file_line_col(void)
{
    char path[1100], want[1200];
    Job *job;

    case_dir("jobbadkeys");
    job = load_job("slurm:\n  tasks: 2\n  time: 1h\n", path, sizeof path);
    CHECK(job == NULL);
    snprintf(want, sizeof want, "%s:7:9: bad slurm.time:", path);
    if (!strstr(err_get(), want))
        printf("  got: %s\n  want: %s\n", err_get(), want);
    CHECK(strstr(err_get(), want) != NULL);
    job_destroy(&job);

    job = load_job("slurm:\n  sbatch: \"--qos=low x\"\n", path, sizeof path);
    CHECK(job == NULL);
    snprintf(want, sizeof want, "%s:6:11: bad slurm.sbatch:", path);
    CHECK(strstr(err_get(), want) != NULL);
    CHECK(strstr(err_get(), "'x'") != NULL);

    job = load_job("slurm:\n  partition: \"a b\"\n", path, sizeof path);
    CHECK(job == NULL);
    CHECK(strstr(err_get(), ":6:14: bad slurm.partition") != NULL);

    job = load_job("slurm:\n  tasks: 0\n", path, sizeof path);
    CHECK(job == NULL);
    CHECK(strstr(err_get(), ":6:10:") != NULL);

    job = load_job("slurm:\n  taks: 4\n", path, sizeof path);
    CHECK(job == NULL);
    CHECK(strstr(err_get(), ":6:3: unknown key 'taks'") != NULL);
}

int main(void)
{
    RUN(slurm_time_check__slurm_forms__accepted);
    RUN(slurm_time_check__malformed__rejected_with_value);
    RUN(slurm_option_check__plain_option__accepted);
    RUN(slurm_option_check__space_quote_or_no_dash__rejected);
    RUN(slurm_options_split__spaces__each_option);
    RUN(slurm_partition_check__bad_name__rejected);
    RUN(slurm_job_value_check__each_key__its_check);
    RUN(slurm_spec_check__bad_values__rejected);
    RUN(slurm_script_write__full_spec__sbatch_lines);
    RUN(slurm_script_write__defaults__no_optional_lines);
    RUN(slurm_script_write__odd_paths__reach_worker_verbatim);
    RUN(slurm_script_write__newline_in_names__stays_in_comment);
    RUN(slurm_script_write__quote_in_log_dir__rejected);
    RUN(slurm_sbatch__parsable_output__job_id_and_argv);
    RUN(slurm_sbatch__sbatch_fails__error_nothing_submitted);
    RUN(slurm_sbatch__no_job_id__error);
    RUN(slurm_sbatch__missing_program__cannot_run);
    RUN(slurm_sbatch__hangs__killed_after_timeout);
    RUN(slurm_job_active__squeue_answers__active_or_not);
    RUN(slurm_jobids__append_then_load__same_ids);
    RUN(slurm_jobids_load__bad_line__error_with_line);
    RUN(slurm_run__save_then_load__same_run);
    RUN(slurm_run_load__missing__zero_no_error);
    RUN(slurm_run_load__damaged__error_names_file_and_line);
    RUN(job_load__slurm_section__defaults_read);
    RUN(job_load__no_slurm_section__unset);
    RUN(job_load__bad_slurm_values__file_line_col);
    TEST_EXIT();
}
