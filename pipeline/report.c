/*
 * report.c - the end report of `inkpipe run` and `inkpipe slurm wait`
 * (report.h).
 *
 * Design: the counts of all five queues are read once (report_counts);
 * the failures are listed from the failed/ folders, one line each with
 * stage, key and reason; the summary line names files, pages, failures
 * and the output folder as a real path (no `..`, no symlinks), so that it
 * can be pasted whatever folder the job file was read from. The status as
 * JSON (`inkpipe status --json`) is built and printed with jansson, so the
 * escaping of file names and reasons is the library's; bytes that are not
 * UTF-8 (a Latin-1 file name, a reason cut inside a character) become
 * U+FFFD, since JSON text must be UTF-8.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "common/err.h"
#include "common/fsutil.h"
#include "pipeline/report.h"

/**
 * Read the counts of every stage.
 *
 * @param[in]  sp  spool
 * @param[out] k   counts
 * @return 0 or -1 (err_get() says why)
 */
int report_counts(Spool *sp, ReportCounts *k)
{
    for (int s = 0; s < STAGE_N; s++)
        if (queue_get_counts(spool_get_queue(sp, (SpoolStage)s), &k->c[s]) < 0)
            return -1;
    k->unreadable = k->c[STAGE_INGEST].failed;
    if (!k->c[STAGE_BINARIZE].failed)
        return 0;
    /* a page whose image cannot be decoded (page_read_at: "cannot decode
     * the image", a truncated PNG) makes its file unreadable, as one that
     * fails at ingest; counted once per file (keys F-pNNNN are sorted) */
    QueueEntry *e;
    int n;
    if (queue_list(spool_get_queue(sp, STAGE_BINARIZE), QUEUE_FAILED, &e, &n) <
        0)
        return -1;
    const char *last = NULL;
    size_t last_len = 0;
    for (int i = 0; i < n; i++) {
        const char *dash = strrchr(e[i].key, '-');
        size_t len = dash ? (size_t)(dash - e[i].key) : strlen(e[i].key);
        if (!e[i].reason || !strstr(e[i].reason, REPORT_UNDECODABLE) ||
            (last && len == last_len && !strncmp(last, e[i].key, len)))
            continue;
        k->unreadable++;
        last = e[i].key;
        last_len = len;
    }
    queue_entries_destroy(&e, n);
    return 0;
}

/* Failed items, all stages together. */
int report_failed(const ReportCounts *k)
{
    int n = 0;
    for (int s = 0; s < STAGE_N; s++)
        n += k->c[s].failed;
    return n;
}

/**
 * Pages of the job: how many there are (known once their files are
 * ingested), recognised, and failed in a page stage. The one definition of
 * "pages done" that the progress line, the summary and status use.
 */
ReportPages report_pages(const ReportCounts *k)
{
    ReportPages p;
    p.total = k->c[STAGE_BINARIZE].total;
    p.done = k->c[STAGE_RECOGNIZE].done;
    /* a file that failed at ingest has no pages to count: it is reported
     * as an unreadable file instead */
    p.failed = k->c[STAGE_BINARIZE].failed + k->c[STAGE_SEGMENT].failed +
               k->c[STAGE_RECOGNIZE].failed;
    return p;
}

/* Items queued or claimed, all stages together. */
int report_left(const ReportCounts *k)
{
    int n = 0;
    for (int s = 0; s < STAGE_N; s++)
        n += k->c[s].queued + k->c[s].claimed;
    return n;
}

/**
 * Print every failed item with its reason, one line each.
 *
 * @param[in] sp  spool
 * @param[in] fp  where to print
 */
void report_failures(Spool *sp, FILE *fp)
{
    for (int s = 0; s < STAGE_N; s++) {
        QueueEntry *e = NULL;
        int n = 0;
        if (queue_list(spool_get_queue(sp, (SpoolStage)s), QUEUE_FAILED, &e,
                       &n) < 0)
            continue;
        for (int i = 0; i < n; i++)
            fprintf(fp, "  failed %-9s %s: %s\n", spool_stage_names[s],
                    e[i].key, e[i].reason);
        queue_entries_destroy(&e, n);
    }
}

/**
 * Print the summary line.
 *
 * @param[in] fp       where to print
 * @param[in] who      the line's prefix ("inkpipe", "inkpipe slurm wait")
 * @param[in] job      the job (name, output folder)
 * @param[in] k        counts (report_counts())
 * @param[in] n_new    files enqueued by this command; -1: not shown
 *
 * Prints "WHO: NAME: F files (N new, U unreadable), P pages: D done, X
 * failed; W files written to DIR in Ts (R pages/s)": U files failed at
 * ingest or with a page that cannot be decoded (report_counts), X pages
 * failed in binarize, segment or
 * recognize.
 * @param[in] seconds  time taken
 * @param[in] waited   1: the time was spent waiting for others ("waited
 *                     Ns"); 0: working ("in Ns (R pages/s)")
 *
 * Notes:
 *   (1) The output folder is printed as its realpath() when it exists,
 *       else as the job gave it.
 */
void report_summary(FILE *fp, const char *who, const Job *job,
                    const ReportCounts *k, int n_new, double seconds,
                    int waited)
{
    char real[PATH_MAX];
    const char *out =
        realpath(job->output_dir, real) ? real : job->output_dir;
    ReportPages pg = report_pages(k);
    int done = pg.done, pages_failed = pg.failed;
    fprintf(fp, "%s: %s: %d files (", who, job->name,
            k->c[STAGE_INGEST].total);
    if (n_new >= 0)
        fprintf(fp, "%d new, ", n_new);
    fprintf(fp, "%d unreadable), %d pages: %d done, %d failed; %d files "
                "written to %s",
            k->unreadable, pg.total, done,
            pages_failed, k->c[STAGE_OUTPUT].done, out);
    if (waited)
        fprintf(fp, " (waited %.1fs)\n", seconds);
    else
        fprintf(fp, " in %.1fs (%.1f pages/s)\n", seconds,
                seconds > 0 ? done / seconds : 0.0);
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if there is none:
 * the rules jansson checks (no overlong forms, no surrogates, nothing
 * above U+10FFFF). */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) /* also stops at the NUL */
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    return n;
}

/* A JSON string of s (NULL: JSON null), each byte that does not start a
 * valid UTF-8 sequence replaced by U+FFFD. New reference, or NULL when
 * memory runs out. */
static json_t *json_text(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    if (j)
        return j;
    /* not UTF-8 (or out of memory): at most 3 bytes out per byte in */
    size_t len = strlen(s);
    char *t = malloc(3 * len + 1), *o = t;
    if (!t)
        return NULL;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = utf8_len(p);
        if (n) {
            memcpy(o, p, n);
            o += n;
            p += n;
        } else {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            p++;
        }
    }
    *o = '\0';
    j = json_string(t);
    free(t);
    return j;
}

/* obj[key] = v (v's reference is taken, also on failure); 0 or -1. */
static int put(json_t *obj, const char *key, json_t *v)
{
    return json_object_set_new(obj, key, v);
}

/* The text of a report: root compact, reals to 12 digits (the keys keep
 * their order), or NULL with "out of memory" set when bad (a put failed)
 * or the text cannot be made. root is released either way. */
static char *report__dump(json_t *root, int bad)
{
    char *text =
        bad ? NULL : json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_decref(root);
    if (!text)
        err_set("out of memory");
    return text;
}

/* One failed item: stage, key, reason, and from the item itself the
 * input file and the 1-based page (null for a file-level item, or when
 * the item cannot be read: a concurrent retry, a damaged spool). */
static json_t *failed_json(Queue *q, const char *stage, const QueueEntry *e)
{
    char *text = NULL, *src = NULL, *page = NULL;
    if (queue_read_failed(q, e->key, &text) == 0) {
        src = queue_text_get(text, "src");
        page = queue_text_get(text, "page");
    }
    err_clear(); /* an unreadable item only lacks file and page */
    char *end = NULL;
    long pg = page ? strtol(page, &end, 10) : -1;
    if (!page || end == page || *end || pg < 0 || pg >= INT_MAX)
        pg = -1;
    json_t *o = json_object();
    int bad = !o;
    bad |= put(o, "stage", json_string(stage));
    bad |= put(o, "key", json_text(e->key));
    bad |= put(o, "reason", json_text(e->reason));
    bad |= put(o, "file", json_text(src));
    bad |= put(o, "page", pg >= 0 ? json_integer(pg + 1) : json_null());
    free(text);
    free(src);
    free(page);
    if (bad)
        json_decref(o);
    return bad ? NULL : o;
}

/* One claim: stage, key, holder's host and pid, heartbeat age (0.1 s). */
static json_t *claim_json(const char *stage, const QueueEntry *e)
{
    json_t *o = json_object();
    int bad = !o;
    bad |= put(o, "stage", json_string(stage));
    bad |= put(o, "key", json_text(e->key));
    bad |= put(o, "host", json_text(e->host));
    bad |= put(o, "pid", json_integer(e->pid));
    bad |= put(o, "heartbeat_age_s", json_real(round(e->age_s * 10) / 10));
    if (bad)
        json_decref(o);
    return bad ? NULL : o;
}

/* The failed or claimed items of every stage, appended to arr. */
static int list_json(Spool *sp, QueueState state, json_t *arr)
{
    for (int s = 0; s < STAGE_N; s++) {
        Queue *q = spool_get_queue(sp, (SpoolStage)s);
        QueueEntry *e = NULL;
        int n = 0;
        if (queue_list(q, state, &e, &n) < 0)
            return -1;
        int bad = 0;
        for (int i = 0; i < n && !bad; i++) {
            const char *stage = spool_stage_names[s];
            json_t *o = state == QUEUE_FAILED ? failed_json(q, stage, &e[i])
                                              : claim_json(stage, &e[i]);
            bad = json_array_append_new(arr, o) < 0;
        }
        queue_entries_destroy(&e, n);
        if (bad)
            return err_set("out of memory");
    }
    return 0;
}

static json_t *skipped_json(const SpoolSkipped *v, int n);

/* The inputs as SPOOL/inputs records them: {"recorded", "present",
 * "done", "failed", "pending", "removed", "skipped": [{"file",
 * "reason"}]}; NULL on error. */
static json_t *inputs_json(Spool *sp)
{
    SpoolInputs pi;
    if (spool_inputs_get(sp, &pi) < 0)
        return NULL;
    json_t *o = json_object();
    int bad = !o;
    bad |= put(o, "recorded", json_boolean(pi.recorded));
    bad |= put(o, "present", json_integer(pi.present));
    bad |= put(o, "done", json_integer(pi.done));
    bad |= put(o, "failed", json_integer(pi.failed));
    bad |= put(o, "pending", json_integer(pi.pending));
    bad |= put(o, "removed", json_integer(pi.gone));
    bad |= put(o, "skipped", skipped_json(pi.skipped, pi.n_skipped));
    spool_inputs_cleanup(&pi);
    if (bad) {
        json_decref(o);
        err_set("out of memory");
        return NULL;
    }
    return o;
}

/**
 * The status of a job's spool as one JSON object (`inkpipe status --json`).
 *
 * @param[in] sp  spool (its job gives name, spool and output folders)
 * @return new compact JSON text without a trailing newline (caller frees),
 *         or NULL (err_get() says why: a queue cannot be read, or memory)
 *
 * The object: {"job", "spool", "output": strings; "stages": {STAGE:
 * {"queued", "claimed", "done", "failed", "total"}} for the five stages in
 * order; "failed": [{"stage", "key", "reason", "file", "page"}]; "claims":
 * [{"stage", "key", "host", "pid", "heartbeat_age_s"}]; "inputs": per
 * input file, as the last `run`/`submit` found them: {"recorded",
 * "present", "done", "failed", "pending", "removed", "skipped": [{"file",
 * "reason"}]}}.
 *
 * Notes:
 *   (1) "file" is the input file as the job resolved it and "page" its
 *       1-based page; both are null for an item that is not a page (ingest,
 *       output: "page") or whose queue entry cannot be read.
 *   (2) Keys keep this order (jansson keeps insertion order) and the text
 *       has no spaces, so a line-oriented grep of it stays stable.
 *   (3) Strings that are not valid UTF-8 get U+FFFD for each bad byte.
 */
char *report_status_json(Spool *sp)
{
    const Job *job = spool_get_job(sp);
    ReportCounts k;
    if (report_counts(sp, &k) < 0)
        return NULL;
    json_t *root = json_object(), *stages = json_object();
    json_t *failed = json_array(), *claims = json_array();
    int bad = !root || !stages || !failed || !claims;
    for (int s = 0; s < STAGE_N && !bad; s++) {
        json_t *o = json_object();
        bad = !o;
        bad |= put(o, "queued", json_integer(k.c[s].queued));
        bad |= put(o, "claimed", json_integer(k.c[s].claimed));
        bad |= put(o, "done", json_integer(k.c[s].done));
        bad |= put(o, "failed", json_integer(k.c[s].failed));
        bad |= put(o, "total", json_integer(k.c[s].total));
        bad |= put(stages, spool_stage_names[s], o);
    }
    json_t *inputs = NULL;
    if (!bad && (list_json(sp, QUEUE_FAILED, failed) < 0 ||
                 list_json(sp, QUEUE_CLAIMED, claims) < 0 ||
                 !(inputs = inputs_json(sp)))) {
        json_decref(root);
        json_decref(stages);
        json_decref(failed);
        json_decref(claims);
        return NULL;
    }
    bad |= put(root, "job", json_text(job->name));
    bad |= put(root, "spool", json_text(job->spool));
    bad |= put(root, "output", json_text(job->output_dir));
    bad |= put(root, "stages", stages);
    bad |= put(root, "failed", failed);
    bad |= put(root, "claims", claims);
    bad |= put(root, "inputs", inputs);
    return report__dump(root, bad);
}

/* ---- one run -------------------------------------------------------- */

static int clamp0(int v)
{
    return v > 0 ? v : 0;
}

/**
 * What one run did: the difference of the counts at its end and once its
 * inputs were submitted (never what earlier runs did).
 *
 * @param[in] run  the run
 * @return pages recognised and failed, files written and unreadable
 *
 * Notes:
 *   (1) Other processes working on the same spool at the same time (a
 *       second `run`, `work` on other hosts) are counted too.
 */
ReportDelta report_run_delta(const ReportRun *run)
{
    ReportPages a = report_pages(&run->start), b = report_pages(&run->end);
    ReportDelta d;
    d.pages_done = clamp0(b.done - a.done);
    d.pages_failed = clamp0(b.failed - a.failed);
    d.files_written = clamp0(run->end.c[STAGE_OUTPUT].done -
                             run->start.c[STAGE_OUTPUT].done);
    d.files_unreadable = clamp0(run->end.unreadable - run->start.unreadable);
    return d;
}

/**
 * Print the summary line of one run.
 *
 * @param[in] fp   where to print
 * @param[in] who  the line's prefix ("inkpipe")
 * @param[in] job  the job (name, output folder)
 * @param[in] run  the run (run->update [optional])
 *
 * Prints "WHO: NAME: this run: P pages done, X failed, W files written in
 * Ts (R pages/s); inputs: N files: A new, C changed, U unchanged, G
 * removed, B unreadable, S skipped as unsupported; job: T pages: D done, F
 * failed; outputs in DIR". A run that recognised nothing says "this run:
 * 0 pages (U unchanged), W files written in Ts", without a rate.
 */
void report_run_summary(FILE *fp, const char *who, const Job *job,
                        const ReportRun *run)
{
    char real[PATH_MAX];
    const char *out =
        realpath(job->output_dir, real) ? real : job->output_dir;
    ReportDelta d = report_run_delta(run);
    ReportPages all = report_pages(&run->end);
    const SpoolUpdate *u = run->update;
    fprintf(fp, "%s: %s: this run: ", who, job->name);
    if (d.pages_done || d.pages_failed)
        fprintf(fp, "%d pages done, %d failed, %d files written in %.1fs "
                    "(%.1f pages/s)",
                d.pages_done, d.pages_failed, d.files_written, run->seconds,
                run->seconds > 0 ? d.pages_done / run->seconds : 0.0);
    else
        fprintf(fp, "0 pages (%d unchanged), %d files written in %.1fs",
                u ? u->unchanged : 0, d.files_written, run->seconds);
    if (u)
        fprintf(fp, "; inputs: %d files: %d new, %d changed, %d unchanged, "
                    "%d removed, %d unreadable, %d skipped as unsupported",
                u->inputs, u->n_new, u->changed, u->unchanged, u->removed,
                run->end.unreadable, u->n_skipped);
    fprintf(fp, "; job: %d pages: %d done, %d failed; outputs in %s",
            all.total, all.done, all.failed, out);
    if (run->review)
        fprintf(fp, "; review page %s: %d to check", run->review,
                run->review_to_check);
    fputc('\n', fp);
}

/* An ISO 8601 UTC time of t (seconds since the epoch), to the second. */
static void iso_time(double t, char *buf, size_t size)
{
    time_t s = (time_t)t;
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The skipped files [{"file", "reason"}] of an update (or of SPOOL/inputs
 * when u is NULL: see report_status_json). */
static json_t *skipped_json(const SpoolSkipped *v, int n)
{
    json_t *a = json_array();
    for (int i = 0; a && i < n; i++) {
        json_t *o = json_object();
        int bad = !o;
        bad |= put(o, "file", json_text(v[i].file));
        bad |= put(o, "reason", json_text(v[i].reason));
        if (bad || json_array_append_new(a, o) < 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/**
 * The JSON report of one run, kept in SPOOL/runs/ (report_run_save).
 *
 * @param[in] sp   spool
 * @param[in] run  the run
 * @return new compact JSON text (caller frees), or NULL (err_get())
 *
 * The object: {"job", "start", "end" (ISO 8601 UTC), "seconds",
 * "exit_code", "inputs": {"files", "new", "changed", "unchanged",
 * "touched", "removed", "pruned", "outputs_rewritten",
 * "failures_dropped", "deferred", "skipped": [{"file", "reason"}]},
 * "notes": [text], "this_run": {"pages_done", "pages_failed",
 * "files_written", "files_unreadable", "pages_per_s"}, "job_total":
 * {"files", "pages", "pages_done", "pages_failed", "files_written",
 * "files_unreadable"}, "failed": [as in status: {"stage", "key", "reason",
 * "file", "page"}], "peak_rss_kb": {"run", "workers"}}.
 */
char *report_run_json(Spool *sp, const ReportRun *run)
{
    const Job *job = spool_get_job(sp);
    const SpoolUpdate *u = run->update;
    ReportDelta d = report_run_delta(run);
    ReportPages all = report_pages(&run->end);
    char t0[32], t1[32];
    iso_time(run->t_start, t0, sizeof t0);
    iso_time(run->t_end, t1, sizeof t1);
    json_t *root = json_object(), *in = json_object(), *now = json_object();
    json_t *tot = json_object(), *mem = json_object(), *failed = json_array();
    json_t *notes = json_array();
    int bad = !root || !in || !now || !tot || !mem || !failed || !notes;
    if (!bad && u) {
        bad |= put(in, "files", json_integer(u->inputs));
        bad |= put(in, "new", json_integer(u->n_new));
        bad |= put(in, "changed", json_integer(u->changed));
        bad |= put(in, "unchanged", json_integer(u->unchanged));
        bad |= put(in, "touched", json_integer(u->touched));
        bad |= put(in, "removed", json_integer(u->removed));
        bad |= put(in, "pruned", json_integer(u->pruned));
        bad |= put(in, "outputs_rewritten",
                   json_integer(u->outputs_rewritten));
        bad |= put(in, "failures_dropped", json_integer(u->failures_dropped));
        bad |= put(in, "deferred", json_integer(u->deferred));
        bad |= put(in, "skipped", skipped_json(u->skipped, u->n_skipped));
        for (int i = 0; i < u->n_notes && !bad; i++)
            bad |= json_array_append_new(notes, json_text(u->notes[i]));
    }
    bad |= put(now, "pages_done", json_integer(d.pages_done));
    bad |= put(now, "pages_failed", json_integer(d.pages_failed));
    bad |= put(now, "files_written", json_integer(d.files_written));
    bad |= put(now, "files_unreadable", json_integer(d.files_unreadable));
    bad |= put(now, "pages_per_s",
               json_real(run->seconds > 0
                             ? round(d.pages_done / run->seconds * 10) / 10
                             : 0.0));
    bad |= put(tot, "files", json_integer(run->end.c[STAGE_INGEST].total));
    bad |= put(tot, "pages", json_integer(all.total));
    bad |= put(tot, "pages_done", json_integer(all.done));
    bad |= put(tot, "pages_failed", json_integer(all.failed));
    bad |= put(tot, "files_written",
               json_integer(run->end.c[STAGE_OUTPUT].done));
    bad |= put(tot, "files_unreadable",
               json_integer(run->end.unreadable));
    bad |= put(mem, "run", json_integer(run->peak_rss_kb));
    bad |= put(mem, "workers", json_integer(run->peak_rss_children_kb));
    if (!bad && list_json(sp, QUEUE_FAILED, failed) < 0) {
        json_decref(root);
        json_decref(in);
        json_decref(now);
        json_decref(tot);
        json_decref(mem);
        json_decref(failed);
        json_decref(notes);
        return NULL;
    }
    bad |= put(root, "job", json_text(job->name));
    bad |= put(root, "start", json_string(t0));
    bad |= put(root, "end", json_string(t1));
    bad |= put(root, "seconds", json_real(round(run->seconds * 100) / 100));
    bad |= put(root, "exit_code", json_integer(run->exit_code));
    bad |= put(root, "inputs", in);
    bad |= put(root, "notes", notes);
    bad |= put(root, "this_run", now);
    bad |= put(root, "job_total", tot);
    bad |= put(root, "failed", failed);
    bad |= put(root, "peak_rss_kb", mem);
    return report__dump(root, bad);
}

#define RUNS_KEPT 100

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Remove all but the newest RUNS_KEPT reports of folder fd. */
static void runs_trim(int fd)
{
    int dup_fd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
    if (!d) {
        if (dup_fd >= 0)
            close(dup_fd);
        return;
    }
    char **names = NULL;
    int n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (de->d_name[0] == '.' || l < 6 || strcmp(de->d_name + l - 5, ".json"))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 128;
            char **v = realloc(names, (size_t)cap * sizeof *v);
            if (!v)
                break;
            names = v;
        }
        if (!(names[n] = strdup(de->d_name)))
            break;
        n++;
    }
    closedir(d);
    if (n > 1)
        qsort(names, (size_t)n, sizeof *names, cmp_name);
    for (int i = 0; i < n; i++) {
        if (i < n - RUNS_KEPT)
            unlinkat(fd, names[i], 0);
        free(names[i]);
    }
    free(names);
}

/**
 * Write the JSON report of one run to SPOOL/runs/START-PID.json (START as
 * YYYYMMDDTHHMMSSZ, so that names sort by time); the newest 100 are kept.
 *
 * @param[in]  sp    spool
 * @param[in]  run   the run
 * @param[out] path  [optional] the report's path
 * @param[in]  size  size of path
 * @return 0 or -1 (err_get())
 */
int report_run_save(Spool *sp, const ReportRun *run, char *path, size_t size)
{
    const Job *job = spool_get_job(sp);
    char *text = report_run_json(sp, run);
    if (!text)
        return -1;
    char dir[4200], name[64];
    snprintf(dir, sizeof dir, "%s/runs", job->spool);
    time_t s = (time_t)run->t_start;
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(name, sizeof name, "%Y%m%dT%H%M%SZ", &tm);
    size_t l = strlen(name);
    snprintf(name + l, sizeof name - l, "-%ld.json", (long)getpid());
    int fd = fs_open_dir(dir, 1);
    int rc = -1;
    if (fd >= 0) {
        size_t n = strlen(text);
        text[n] = '\n'; /* (json_dumps leaves room: the NUL) */
        rc = fs_write_at(fd, name, text, n + 1, 0);
        runs_trim(fd);
        close(fd);
    }
    free(text);
    if (rc < 0)
        return err_prefix("run report %s/%s", dir, name);
    if (path)
        snprintf(path, size, "%s/%s", dir, name);
    return 0;
}
