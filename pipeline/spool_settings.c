/*
 * spool_settings.c - the job settings a spool's results were made with,
 * and the redo of what a change makes stale (see spool.h).
 *
 * Design: SPOOL/settings records, one line each ("STAGE KEY=VALUE"), the
 * job settings that shape outputs, each under the first stage it changes:
 *   binarize   binarize.*, limits.max_pixels
 *   segment    segment.*, and the classifier that scores cuts of touching
 *              glyphs: recognize.model (size and FNV-1a hash of the file,
 *              not its path), recognize.charset, recognize.precision
 *   recognize  recognize.context, recognize.adapt, recognize.segalt,
 *              recognize.lexicon (the
 *              file), the
 *              language model that goes with the classifier (the file;
 *              recorded as recognize.lm), forms.template (the file),
 *              forms.find (json asked for without a template: the fields
 *              are found on each page),
 *              forms.threshold, forms.labels, forms.labels_lang,
 *              forms.guess_charset
 *   output     output.dir (real path), output.formats,
 *              output.image_paths
 * `run` and `submit` compare the job with it (spool_settings_sync). When
 * settings of stage S changed, S is redone for every page and the stages
 * after it start over: the later queues are cleared (the pages flow into
 * them again as S finishes them), the artifacts of S and later are
 * removed (so that no stale .rec settles a file early), and every done or
 * failed item of S goes back to queued/. Artifacts of the stages before S
 * are reused (unless `inkpipe clean` removed them: then binarize is
 * redone, from the input files, spool_clean.c). An output-only change
 * requeues the output items. The
 * previous stages' results stay valid, so the cost is what the change
 * needs, never more. `work` only checks (spool_settings_check): a worker
 * that would mix settings refuses, saying what changed and what to run.
 *
 * Crash safety: the new settings are written with "redo=S" before the
 * redo starts and without it once it is complete; a redo cut short is
 * finished by the next sync whatever the settings are then. A redo never
 * runs while another process holds a claim (it would finish an item with
 * the old settings); a file lock serialises concurrent syncs (two `run`
 * of an edited job at once).
 *
 * Not covered: settings of other processes' environment (INKPIPE_MODEL is
 * covered through the model file; INKPIPE_PRECISION when the job says
 * auto is recorded as the precision), a CPU that resolves precision auto
 * differently on another host, and limits.max_pages (applied when a file is
 * ingested: raise it, then `retry`, to let a refused file through).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/err.h"
#include "common/fsutil.h"
#include "output/output.h"
#include "pipeline/spool.h"

#define SETTINGS_FILE "settings"
#define SETTINGS_LOCK "settings.lock"
#define MAX_SETTINGS 32
#define VALUE_MAX 8400 /* a path, escaped */
#define FILE_MAX (MAX_SETTINGS * (VALUE_MAX + 64) + 512)

typedef struct {
    SpoolStage stage;
    const char *key;
    int is_file; /* value is a file's identity (file_identity) */
    char value[VALUE_MAX];
} Setting;

typedef struct {
    Setting v[MAX_SETTINGS];
    int n;
} Settings;

/* Append a setting (value printf-style; newlines and backslashes escaped,
 * so that the file stays one line per setting). */
static void settings_add(Settings *s, SpoolStage st, const char *key,
                         const char *fmt, ...) ERR_PRINTF(4, 5);

static void settings_add(Settings *s, SpoolStage st, const char *key,
                         const char *fmt, ...)
{
    if (s->n == MAX_SETTINGS)
        return;
    char raw[VALUE_MAX / 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    Setting *e = &s->v[s->n++];
    e->stage = st;
    e->key = key;
    e->is_file = 0;
    size_t n = 0;
    for (const char *p = raw; *p && n + 3 < sizeof e->value; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\\') {
            e->value[n++] = '\\';
            e->value[n++] = *p == '\n' ? 'n' : *p == '\r' ? 'r' : '\\';
        } else {
            e->value[n++] = *p;
        }
    }
    e->value[n] = '\0';
}

/* "SIZE bytes, fnv1a64 HEX" of a file (model, language model, lexicon),
 * "none" for no file, or why it cannot be read. */
static void file_identity(const char *path, char *buf, size_t size)
{
    if (!path) {
        snprintf(buf, size, "none");
        return;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(buf, size, "unreadable (%s)", strerror(errno));
        return;
    }
    unsigned long long h = 1469598103934665603ULL, total = 0;
    unsigned char chunk[65536];
    ssize_t r;
    while ((r = fs_read_full(fd, chunk, sizeof chunk)) > 0) {
        for (ssize_t i = 0; i < r; i++) {
            h ^= chunk[i];
            h *= 1099511628211ULL;
        }
        total += (unsigned long long)r;
        if ((size_t)r < sizeof chunk)
            break;
    }
    int e = errno;
    close(fd);
    if (r < 0)
        snprintf(buf, size, "unreadable (%s)", strerror(e));
    else
        snprintf(buf, size, "%llu bytes, fnv1a64 %016llx", total, h);
}

/* Add setting key = the identity of file path. */
static void settings_add_file(Settings *s, SpoolStage st, const char *key,
                              const char *path)
{
    char id[512];
    file_identity(path, id, sizeof id);
    settings_add(s, st, key, "%s", id);
    s->v[s->n - 1].is_file = 1;
}

/* The current settings of the job, with the model and language model
 * workers will load and the worker default for recognize.precision auto. */
static void settings_of_job(const Job *job, const char *model,
                            const char *lm, RecPrecision env_precision,
                            Settings *s)
{
    const ChainOptions *c = &job->chain;
    s->n = 0;
    settings_add(s, STAGE_BINARIZE, "binarize.method", "%s",
                 c->binarize.method == SEG_BINARIZE_OTSU ? "otsu" : "sauvola");
    settings_add(s, STAGE_BINARIZE, "binarize.window", "%d",
                 c->binarize.window);
    settings_add(s, STAGE_BINARIZE, "binarize.k", "%.7g",
                 (double)c->binarize.k);
    settings_add(s, STAGE_BINARIZE, "binarize.deskew", "%s",
                 c->binarize.deskew ? "true" : "false");
    settings_add(s, STAGE_BINARIZE, "limits.max_pixels", "%lld",
                 (long long)c->max_pixels);
    settings_add(s, STAGE_SEGMENT, "segment.min_speck_area", "%d",
                 c->segment.min_speck_area);
    settings_add(s, STAGE_SEGMENT, "segment.remove_furniture", "%s",
                 c->segment.remove_furniture ? "true" : "false");
    settings_add(s, STAGE_SEGMENT, "segment.split_touching", "%s",
                 c->segment.split_touching ? "true" : "false");
    settings_add(s, STAGE_SEGMENT, "segment.word_gap", "%.7g",
                 (double)c->segment.word_gap);
    settings_add_file(s, STAGE_SEGMENT, "recognize.model", model);
    settings_add(s, STAGE_SEGMENT, "recognize.charset", "%s",
                 job->charset_spec ? job->charset_spec : "alnum");
    RecPrecision p = job->precision;
    if (p == REC_PRECISION_AUTO)
        p = env_precision;
    settings_add(s, STAGE_SEGMENT, "recognize.precision", "%s",
                 rec_precision_name(p));
    settings_add(s, STAGE_RECOGNIZE, "recognize.context", "%s",
                 c->context ? "true" : "false");
    settings_add(s, STAGE_RECOGNIZE, "recognize.adapt", "%s",
                 c->adapt ? "true" : "false");
    settings_add(s, STAGE_RECOGNIZE, "recognize.segalt", "%s",
                 c->segalt ? "true" : "false");
    settings_add_file(s, STAGE_RECOGNIZE, "recognize.lexicon",
                      c->lexicon_path);
    settings_add_file(s, STAGE_RECOGNIZE, "recognize.lm", lm);
    settings_add_file(s, STAGE_RECOGNIZE, "forms.template",
                      job->forms_template);
    settings_add(s, STAGE_RECOGNIZE, "forms.threshold", "%.7g",
                 (double)job->forms.threshold);
    settings_add(s, STAGE_RECOGNIZE, "forms.labels", "%s",
                 form_labels_name(job->forms.labels));
    settings_add(s, STAGE_RECOGNIZE, "forms.labels_lang", "%s",
                 job->forms.labels_lang);
    settings_add(s, STAGE_RECOGNIZE, "forms.guess_charset", "%s",
                 job->forms.guess_charset ? "true" : "false");
    /* json without a template: recognize finds the fields (form_find) */
    settings_add(s, STAGE_RECOGNIZE, "forms.find", "%s",
                 !job->forms_template && (job->formats & OUT_FORMAT_JSON)
                     ? "true"
                     : "false");
    char real[PATH_MAX];
    settings_add(s, STAGE_OUTPUT, "output.dir", "%s",
                 realpath(job->output_dir, real) ? real : job->output_dir);
    /* the chosen formats by name, in the order of the format table */
    char formats[256] = "";
    for (const char *p = out_formats_names(); *p;) {
        size_t n = strcspn(p, ", ");
        char one[32];
        int bit;
        snprintf(one, sizeof one, "%.*s", (int)n, p);
        if (n && out_formats_parse(one, &bit) == 0 && (job->formats & bit) &&
            strlen(formats) + n + 2 < sizeof formats) {
            if (formats[0])
                strcat(formats, ",");
            strcat(formats, one);
        }
        p += n;
        p += strspn(p, ", ");
    }
    settings_add(s, STAGE_OUTPUT, "output.formats", "%s", formats);
    settings_add(s, STAGE_OUTPUT, "output.image_paths", "%s",
                 job->image_paths_absolute ? "absolute" : "relative");
}

/* The file's text for settings s; with redo < STAGE_N a "redo=" line. */
static void settings_format(const Settings *s, SpoolStage redo, char *buf,
                            size_t size)
{
    size_t n = (size_t)snprintf(
        buf, size,
        "# inkpipe: the job settings this spool's results were made with.\n"
        "# `inkpipe run` and `submit` compare the job with them and redo the\n"
        "# stages a change affects; do not edit.\n");
    if (redo < STAGE_N && n < size)
        n += (size_t)snprintf(buf + n, size - n, "redo=%s\n",
                              spool_stage_names[redo]);
    for (int i = 0; i < s->n && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s %s=%s\n",
                              spool_stage_names[s->v[i].stage], s->v[i].key,
                              s->v[i].value);
}

/* The recorded value of key in the file text, or NULL (static buffer). */
static const char *recorded_value(const char *text, const char *key)
{
    static char val[VALUE_MAX];
    size_t klen = strlen(key);
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        const char *sp = memchr(line, ' ', len);
        if (line[0] != '#' && sp && (size_t)(line + len - sp) > klen + 1 &&
            !strncmp(sp + 1, key, klen) && sp[1 + klen] == '=') {
            const char *v = sp + 2 + klen;
            size_t vlen = (size_t)(line + len - v);
            if (vlen >= sizeof val)
                vlen = sizeof val - 1;
            memcpy(val, v, vlen);
            val[vlen] = '\0';
            return val;
        }
        line = end ? end + 1 : NULL;
    }
    return NULL;
}

/* The stage of a "redo=STAGE" line, or STAGE_N. */
static SpoolStage recorded_redo(const char *text)
{
    const char *r = strstr(text, "\nredo=");
    if (!r)
        return STAGE_N;
    char name[32];
    snprintf(name, sizeof name, "%.*s", (int)strcspn(r + 6, "\n"), r + 6);
    int st = spool_stage_of_name(name);
    return st > STAGE_INGEST ? (SpoolStage)st : STAGE_BINARIZE;
}

/* Compare: the first stage whose settings changed (STAGE_N: none), and
 * "key old -> new, ..." in changes. A key the file does not have (written
 * by an older inkpipe) counts as unchanged. */
static SpoolStage settings_diff(const Settings *cur, const char *text,
                                char *changes, size_t size)
{
    SpoolStage first = STAGE_N;
    size_t n = 0;
    changes[0] = '\0';
    for (int i = 0; i < cur->n; i++) {
        const char *old = recorded_value(text, cur->v[i].key);
        if (!old || !strcmp(old, cur->v[i].value))
            continue;
        if (cur->v[i].stage < first)
            first = cur->v[i].stage;
        if (n < size) {
            /* a file replaced: its hash says nothing to a reader */
            if (cur->v[i].is_file && strstr(old, " bytes, ") &&
                strstr(cur->v[i].value, " bytes, "))
                n += (size_t)snprintf(changes + n, size - n,
                                      "%s%s (the file changed)",
                                      n ? ", " : "", cur->v[i].key);
            else
                n += (size_t)snprintf(changes + n, size - n, "%s%s %s -> %s",
                                      n ? ", " : "", cur->v[i].key, old,
                                      cur->v[i].value);
        }
    }
    return first;
}

/* Write the settings file: s, with a "redo=" line when redo < STAGE_N;
 * with old (the file's text, [optional]) only when it differs. */
static int settings_write(int dfd, const Settings *s, SpoolStage redo,
                          const char *old)
{
    char *buf = malloc(FILE_MAX);
    if (!buf)
        return err_set("out of memory");
    settings_format(s, redo, buf, FILE_MAX);
    int rc = 0;
    if ((!old || strcmp(old, buf)) &&
        fs_write_at(dfd, SETTINGS_FILE, buf, strlen(buf), 1) < 0)
        rc = err_prefix("spool settings");
    free(buf);
    return rc;
}

/* Remove art/F-pNNNN.EXT for the extensions of stages from..recognize. */
static int remove_artifacts(Spool *sp, SpoolStage from)
{
    static const char *const ext[STAGE_N] = {NULL, ".tif", ".seg", ".rec",
                                             NULL};
    DIR *d = spool__art_opendir(sp);
    if (!d)
        return -1;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *dot = strrchr(de->d_name, '.');
        if (de->d_name[0] == '.' || !dot)
            continue;
        for (int s = from; s <= STAGE_RECOGNIZE; s++)
            if (ext[s] && !strcmp(dot, ext[s]) &&
                unlinkat(spool__art_fd(sp), de->d_name, 0) < 0 &&
                errno != ENOENT) {
                rc = err_set_errno("remove %s/%s", spool__art_dir(sp),
                                   de->d_name);
                break;
            }
        if (rc < 0)
            break;
    }
    closedir(d);
    return rc;
}

/* Redo stage from and after (see the file header). */
static int redo_from(Spool *sp, SpoolStage from, int *pitems)
{
    int n = 0;
    if (from < STAGE_OUTPUT) {
        for (int s = STAGE_OUTPUT; s > (int)from; s--)
            if (queue_clear(spool_get_queue(sp, (SpoolStage)s)) < 0)
                return -1;
        if (remove_artifacts(sp, from) < 0)
            return -1;
    }
    if (queue_requeue_all(spool_get_queue(sp, from), &n) < 0)
        return -1;
    *pitems = n;
    return 0;
}

/* A claim that may be live (spool_recover took back the dead ones): its
 * description into buf; 0 when there is none, -1 on error. */
static int live_claim(Spool *sp, char *buf, size_t size)
{
    for (int s = 0; s < STAGE_N; s++) {
        QueueEntry *e;
        int n;
        if (queue_list(spool_get_queue(sp, (SpoolStage)s), QUEUE_CLAIMED, &e,
                       &n) < 0)
            return -1;
        if (n > 0)
            snprintf(buf, size, "%s %s, host %s pid %ld",
                     spool_stage_names[s], e[0].key, e[0].host, e[0].pid);
        queue_entries_destroy(&e, n);
        if (n > 0)
            return 1;
    }
    return 0;
}

static int settings_sync(Spool *sp, const char *model, const char *lm,
                         RecPrecision env, int apply, SpoolRedo *pr)
{
    const Job *job = spool_get_job(sp);
    char *old = NULL;
    int rc = -1, lock = -1;
    memset(pr, 0, sizeof *pr);
    pr->from = STAGE_N;
    Settings *cur = malloc(sizeof *cur);
    if (!cur)
        return err_set("out of memory");
    settings_of_job(job, model, lm, env, cur);
    int dfd = fs_open_dir(job->spool, 0);
    if (dfd < 0) {
        free(cur);
        return err_prefix("spool");
    }
    lock = openat(dfd, SETTINGS_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
                  0666);
    if (lock < 0 || flock(lock, LOCK_EX) < 0) {
        err_set_errno("spool %s: lock %s", job->spool, SETTINGS_LOCK);
        goto out;
    }
    old = fs_read_at(dfd, SETTINGS_FILE, 1 << 20, NULL);
    if (!old) {
        if (err_get_errno() != ENOENT)
            goto out;
        /* a new spool (or one older than this file): these are its
         * settings from now on */
        rc = settings_write(dfd, cur, STAGE_N, NULL);
        goto out;
    }
    SpoolStage first = settings_diff(cur, old, pr->changes,
                                     sizeof pr->changes);
    SpoolStage pending = recorded_redo(old);
    pr->from = first < pending ? first : pending;
    pr->interrupted = pending < STAGE_N;
    if (pr->from == STAGE_N) {
        /* nothing to redo; keys an older inkpipe did not record get in */
        rc = settings_write(dfd, cur, STAGE_N, old);
        goto out;
    }
    const char *what = pr->changes[0] ? pr->changes : "none";
    if (!apply) {
        err_set("the job's settings differ from those the spool's results "
                "were made with (changed: %s%s); run `inkpipe run` or "
                "`inkpipe submit` on the job first, which redoes the stages "
                "they affect, or restore the settings",
                what, pr->interrupted ? "; a redo was cut short" : "");
        goto out;
    }
    char claim[512];
    int live;
    if (spool_recover(sp, NULL) < 0 ||
        (live = live_claim(sp, claim, sizeof claim)) < 0)
        goto out;
    if (live) {
        err_set("the job's settings changed (%s), but items are being "
                "worked on (%s): let that run finish or stop it, then run "
                "the job again",
                what, claim);
        goto out;
    }
    /* the artifacts the redo would start from were removed by `inkpipe
     * clean`: start from the input files (binarize) instead */
    if (pr->from > STAGE_BINARIZE && pr->from <= STAGE_OUTPUT) {
        int cleaned = spool__stage_cleaned(sp, (SpoolStage)(pr->from - 1));
        if (cleaned < 0)
            goto out;
        if (cleaned)
            pr->from = STAGE_BINARIZE;
    }
    /* record the redo before starting it, so that one cut short is
     * finished next time */
    if (settings_write(dfd, cur, pr->from, NULL) < 0 ||
        redo_from(sp, pr->from, &pr->items) < 0 ||
        settings_write(dfd, cur, STAGE_N, NULL) < 0)
        goto out;
    rc = 0;
out:
    free(cur);
    free(old);
    if (lock >= 0)
        close(lock); /* releases the flock */
    close(dfd);
    return rc;
}

/**
 * Compare the job's settings with those the spool's results were made
 * with, and redo what a change makes stale.
 *
 * @param[in]  sp             spool
 * @param[in]  model          the model file workers will load ([optional]:
 *                            NULL = none)
 * @param[in]  lm             the language model file that goes with it
 *                            ([optional]: NULL = none)
 * @param[in]  env_precision  the worker default used when the job's
 *                            recognize.precision is auto
 * @param[out] pr             what was redone: pr->from = STAGE_N when
 *                            nothing; else the first stage redone, the
 *                            items requeued there and the changes as text
 * @return 0, or -1 (settings file unusable, a claim that may be live while
 *         a redo is needed: message says what to do)
 *
 * Notes:
 *   (1) The first call on a spool records the settings.
 *   (2) Called by `run`, `submit` and `slurm submit` before any worker of
 *       theirs starts; a redo cut short by a kill is finished by the next
 *       call.
 */
int spool_settings_sync(Spool *sp, const char *model, const char *lm,
                        RecPrecision env_precision, SpoolRedo *pr)
{
    return settings_sync(sp, model, lm, env_precision, 1, pr);
}

/**
 * Check, without changing anything, that the job's settings are those the
 * spool's results were made with (for `inkpipe work`).
 *
 * @param[in] sp             spool
 * @param[in] model          the model file this worker will load
 * @param[in] lm             [optional] its language model file
 * @param[in] env_precision  the worker default for precision auto
 * @return 0, or -1 with what changed and what to run (`run` or `submit`
 *         redoes it) in err_get()
 *
 * Notes:
 *   (1) On a spool without recorded settings it records them (as the
 *       first spool_settings_sync would).
 */
int spool_settings_check(Spool *sp, const char *model, const char *lm,
                         RecPrecision env_precision)
{
    SpoolRedo r;
    return settings_sync(sp, model, lm, env_precision, 0, &r);
}
