/*
 * slurm_run.c - the start of a Slurm run: what `inkpipe slurm submit` saw,
 * kept in SPOOL/slurm/run for `inkpipe slurm wait` (slurm.h).
 *
 * Design: `inkpipe run` holds the start of its run in memory (the counts
 * once its inputs were submitted, the time, what the submit found) and
 * reports the difference at its end. Under Slurm the start and the end are
 * two processes, submit and wait, so the start goes through a small file:
 * a text format in the style of SPOOL/inputs (a magic line, one record per
 * line, tabs/newlines/backslashes in strings escaped, an `end` line last so
 * that a cut file is told from a whole one), written to a temporary file
 * and renamed. Each submit replaces it; wait only reads it, so any number
 * of waits report the same run.
 * Ownership: SlurmRun owns the skipped files and notes of its update
 * (slurm_run_cleanup). Not thread-safe on one SlurmRun.
 */
#include "pipeline/slurm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/binio.h"
#include "common/err.h"
#include "common/fsutil.h"

#define SLURM_RUN_MAGIC "# inkpipe slurm run 1"
#define SLURM_RUN_MAX (64u << 20) /* bytes: a run file is far smaller */

/**
 * Save the start of a Slurm run (temporary file + rename, so that a reader
 * sees the old file or the new one, never a part).
 *
 * @param[in] path  the file (SPOOL/slurm/run); its folder is created
 * @param[in] run   the start; run->update's skipped files and notes are
 *                  kept too
 * @return 0, or -1 (message in err_get(), naming the file)
 */
int slurm_run_save(const char *path, const SlurmRun *run)
{
    const SpoolUpdate *u = &run->update;
    const char *slash = strrchr(path, '/');
    char dir[4096];
    const char *name = slash ? slash + 1 : path;
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else
        snprintf(dir, sizeof dir, ".");
    if (!*name || strlen(path) >= sizeof dir)
        return err_set("%s: not a file name", path);

    BinBuf b = {0};
    binio_buf_printf(&b, "%s\n", SLURM_RUN_MAGIC);
    binio_buf_printf(&b, "# Written by `inkpipe slurm submit`, read by "
                         "`inkpipe slurm wait`; do not edit.\n");
    binio_buf_printf(&b, "t_start %.6f\n", run->t_start);
    for (int s = 0; s < STAGE_N; s++) {
        const QueueCounts *c = &run->start.c[s];
        binio_buf_printf(&b, "stage %s %d %d %d %d %d\n", spool_stage_names[s],
                         c->queued, c->claimed, c->done, c->failed, c->total);
    }
    binio_buf_printf(&b, "unreadable %d\n", run->start.unreadable);
    binio_buf_printf(&b, "update %d %d %d %d %d %d %d %d %d %d %d %d %d\n",
                     u->inputs, u->n_new, u->changed, u->unchanged, u->touched,
                     u->outputs_rewritten, u->removed, u->gone_kept, u->pruned,
                     u->pruned_files, u->failures_dropped, u->deferred,
                     u->legacy);
    for (int i = 0; i < u->n_skipped; i++) {
        binio_buf_write(&b, "skip\t", 5);
        binio_buf_escaped(&b, u->skipped[i].file);
        binio_buf_write(&b, "\t", 1);
        binio_buf_escaped(&b, u->skipped[i].reason);
        binio_buf_write(&b, "\n", 1);
    }
    for (int i = 0; i < u->n_notes; i++) {
        binio_buf_write(&b, "note\t", 5);
        binio_buf_escaped(&b, u->notes[i]);
        binio_buf_write(&b, "\n", 1);
    }
    binio_buf_printf(&b, "end\n");
    int rc = -1;
    if (b.oom) {
        err_set("out of memory");
    } else {
        int fd = fs_open_dir(dir, 1);
        if (fd >= 0) {
            rc = fs_write_at(fd, name, b.p, b.n, 1);
            close(fd);
        }
    }
    binio_buf_cleanup(&b);
    if (rc < 0)
        return err_prefix("%s", path);
    return 0;
}

/* Append a copy of [s, s+len) unescaped to the string array *pv (*pn
 * items). 0 or -1 (out of memory, message set). */
static int run_push(char ***pv, int *pn, const char *s, size_t len)
{
    char **v = realloc(*pv, ((size_t)*pn + 1) * sizeof *v);
    if (!v)
        return err_set("out of memory");
    *pv = v;
    if (!(v[*pn] = binio_unescape(s, len)))
        return err_set("out of memory");
    (*pn)++;
    return 0;
}

/* Parse one line [s, s+len) (no newline) into run; *pseen collects the
 * records found (bits). 0, 1 at the `end` line, or -1 (message set without
 * the file name, which the caller adds). */
static int run_parse_line(const char *s, size_t len, SlurmRun *run,
                          unsigned *pseen)
{
    char line[512];
    SpoolUpdate *u = &run->update;
    int n = 0;

    if (len >= 5 && (!strncmp(s, "skip\t", 5) || !strncmp(s, "note\t", 5))) {
        const char *f = s + 5, *tab;
        size_t fl = len - 5;
        if (s[0] == 'n')
            return run_push(&u->notes, &u->n_notes, f, fl);
        tab = memchr(f, '\t', fl);
        if (!tab)
            return err_set("a skip line without a reason");
        SpoolSkipped *v = realloc(u->skipped,
                                  ((size_t)u->n_skipped + 1) * sizeof *v);
        if (!v)
            return err_set("out of memory");
        u->skipped = v;
        v[u->n_skipped].file = binio_unescape(f, (size_t)(tab - f));
        v[u->n_skipped].reason =
            binio_unescape(tab + 1, fl - (size_t)(tab - f) - 1);
        u->n_skipped++;
        if (!v[u->n_skipped - 1].file || !v[u->n_skipped - 1].reason)
            return err_set("out of memory");
        return 0;
    }
    if (len >= sizeof line)
        return err_set("line too long");
    memcpy(line, s, len);
    line[len] = '\0';
    if (line[0] == '#' || line[0] == '\0')
        return 0;
    if (!strcmp(line, "end")) {
        *pseen |= 1u << 0;
        return 1;
    }
    if (!strncmp(line, "t_start ", 8)) {
        char *end;
        errno = 0;
        run->t_start = strtod(line + 8, &end);
        if (errno || end == line + 8 || *end || !(run->t_start >= 0))
            return err_set("t_start '%s': expected seconds since the epoch",
                           line + 8);
        *pseen |= 1u << 1;
        return 0;
    }
    if (!strncmp(line, "unreadable ", 11)) {
        if (sscanf(line + 11, "%d%n", &run->start.unreadable, &n) != 1 ||
            line[11 + n] || run->start.unreadable < 0)
            return err_set("unreadable: expected a count");
        *pseen |= 1u << 2;
        return 0;
    }
    if (!strncmp(line, "update ", 7)) {
        if (sscanf(line + 7, "%d %d %d %d %d %d %d %d %d %d %d %d %d%n",
                   &u->inputs, &u->n_new, &u->changed, &u->unchanged,
                   &u->touched, &u->outputs_rewritten, &u->removed,
                   &u->gone_kept, &u->pruned, &u->pruned_files,
                   &u->failures_dropped, &u->deferred, &u->legacy,
                   &n) != 13 || line[7 + n])
            return err_set("update: expected 13 counts");
        *pseen |= 1u << 3;
        return 0;
    }
    if (!strncmp(line, "stage ", 6)) {
        char name[32];
        QueueCounts c;
        if (sscanf(line + 6, "%31s %d %d %d %d %d%n", name, &c.queued,
                   &c.claimed, &c.done, &c.failed, &c.total, &n) != 6 ||
            line[6 + n])
            return err_set("stage: expected NAME and 5 counts");
        int st = spool_stage_of_name(name);
        if (st < 0)
            return err_set("stage '%s': no such stage", name);
        if (c.queued < 0 || c.claimed < 0 || c.done < 0 || c.failed < 0 ||
            c.total < 0)
            return err_set("stage %s: a negative count", name);
        run->start.c[st] = c;
        *pseen |= 1u << (4 + st);
        return 0;
    }
    return err_set("unknown record '%.40s'", line);
}

/**
 * Read the start of a Slurm run saved by slurm_run_save().
 *
 * @param[in]  path    the file (SPOOL/slurm/run)
 * @param[out] run     the start (slurm_run_cleanup() when 1 is returned;
 *                     zeroed otherwise)
 * @return 1 read, 0 no such file (a spool submitted by an older inkpipe,
 *         or never submitted), or -1 (message in err_get(): the file and
 *         line, when the file is damaged or cannot be read)
 */
int slurm_run_load(const char *path, SlurmRun *run)
{
    size_t n = 0;
    memset(run, 0, sizeof *run);
    unsigned char *text = binio_file_read(path, SLURM_RUN_MAX, &n);
    if (!text) {
        if (err_get_errno() == ENOENT) {
            err_clear();
            return 0;
        }
        return -1;
    }
    const char *p = (const char *)text, *end = p + n;
    size_t ml = strlen(SLURM_RUN_MAGIC);
    int lineno = 1, rc = 0;
    unsigned seen = 0, want = (1u << (4 + STAGE_N)) - 1;
    if (n < ml + 1 || memcmp(p, SLURM_RUN_MAGIC, ml) || p[ml] != '\n') {
        err_set("%s: not an inkpipe slurm run file (the first line is not "
                "'%s'); `inkpipe slurm submit` writes it again",
                path, SLURM_RUN_MAGIC);
        goto fail;
    }
    p += ml + 1;
    while (p < end && rc == 0) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        lineno++;
        if (!nl) {
            err_set("%s:%d: cut short (no newline)", path, lineno);
            goto fail;
        }
        if (memchr(p, '\0', (size_t)(nl - p)) ||
            (rc = run_parse_line(p, (size_t)(nl - p), run, &seen)) < 0) {
            if (rc == 0)
                err_set("a NUL byte");
            err_prefix("%s:%d", path, lineno);
            goto fail;
        }
        p = nl + 1;
    }
    if (rc == 1 && p != end) {
        err_set("%s:%d: text after the end line", path, lineno + 1);
        goto fail;
    }
    if (seen != want) {
        err_set("%s: cut short or incomplete (%s missing); `inkpipe slurm "
                "submit` writes it again", path,
                !(seen & 1u) ? "the end line" : !(seen & 2u) ? "t_start"
                : !(seen & 4u) ? "unreadable" : !(seen & 8u) ? "update"
                               : "a stage");
        goto fail;
    }
    free(text);
    return 1;
fail:
    free(text);
    slurm_run_cleanup(run);
    return -1;
}

/**
 * Free what a SlurmRun owns and zero it (NULL is a no-op).
 *
 * @param[in,out] run  [optional] the run
 */
void slurm_run_cleanup(SlurmRun *run)
{
    if (!run)
        return;
    spool_update_cleanup(&run->update);
    memset(run, 0, sizeof *run);
}
