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
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/err.h"
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
 * ingest (no pages to count), X pages failed in binarize, segment or
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
            k->c[STAGE_INGEST].failed, pg.total, done,
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
 * [{"stage", "key", "host", "pid", "heartbeat_age_s"}]}.
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
    if (!bad && (list_json(sp, QUEUE_FAILED, failed) < 0 ||
                 list_json(sp, QUEUE_CLAIMED, claims) < 0)) {
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
    char *out =
        bad ? NULL : json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_decref(root);
    if (!out)
        err_set("out of memory");
    return out;
}
