/*
 * spool_inputs.c - the job's input files against what the spool has done:
 * new, changed, unchanged, removed, skipped (see spool.h).
 *
 * Design: submit walks input.paths (folders recursively, symlinked folders
 * not walked so that a loop cannot hang it), keeps the image files, computes
 * each one's output path (its path below the input folder, without the
 * extension, or with it when two inputs share a stem: out_files_names),
 * refuses two inputs that still share an output path, and compares
 * each file with SPOOL/inputs, the record of every input the spool knows:
 * its key, size, mtime, a content hash (64 bits, content_hash) and its
 * paths.
 *   new        not recorded: one ingest item is enqueued
 *   unchanged  same size and mtime (one stat, nothing read); if its output
 *              item is done but an output file is missing, that item alone
 *              is run again (queue_requeue_key)
 *   touched    size or mtime differ, the content hash does not: recorded
 *              anew, nothing redone
 *   changed    the content differs: every item of the file (ingest, its
 *              pages, its output; failed ones included) and its artifacts
 *              are forgotten, and a new ingest item is enqueued. The old
 *              outputs stay until the new ones replace them (renames)
 *   removed    recorded, no longer among the inputs: its items are
 *              forgotten (a failure of a file that is gone is dropped,
 *              with a note) and it is recorded as gone; its outputs stay
 *              unless `prune` is asked, which removes them and the record
 *   skipped    a file in an input folder that is not read (not an image
 *              type, no extension, hidden, a symlinked folder ...): listed
 *              with the reason in SPOOL/inputs and the result
 * A file an item of which is claimed by a live worker is left as it is
 * (deferred, with a note): the next submit looks at it again.
 * Keys are hashes of the output path. A file whose name cannot name an
 * output (control characters, over OUT_NAME_MAX bytes) is enqueued with its
 * name escaped and a refuse= reason, so that its ingest fails and the run
 * counts it, instead of the output failing at the end.
 *
 * Crash safety: the items are forgotten and enqueued first, SPOOL/inputs is
 * written last (temp + rename): killed before, the next submit sees the
 * same differences and does the same again (forget and enqueue are
 * idempotent); an item enqueued but not recorded is taken as unchanged.
 * A file lock (SPOOL/inputs.lock) serialises two submits.
 * Old spools (no SPOOL/inputs): every input the ingest queue has seen is
 * taken as it is now (recorded with its size, mtime and hash; a file
 * changed before this first run is not noticed), and the inputs the queue
 * has seen that are gone are treated as removed.
 */
#include "pipeline/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/binio.h"
#include "common/err.h"
#include "common/fsutil.h"
#include "input/page.h"
#include "output/output.h"

#define INPUTS_FILE "inputs"
#define INPUTS_LOCK "inputs.lock"
#define INPUTS_MAGIC "# inkpipe inputs 2"
/* Version 1 is read too: the same lines, its hashes byte-wise FNV-1a 64
 * (a file recorded by it whose size or mtime changes is redone once) */
#define INPUTS_MAGIC_V1 "# inkpipe inputs 1"
#define ALL_FORMATS                                                           \
    (OUT_FORMAT_TXT | OUT_FORMAT_HOCR | OUT_FORMAT_ALTO | OUT_FORMAT_PDF |    \
     OUT_FORMAT_JSON)

/* ---- input expansion ------------------------------------------------- */

typedef struct {
    char *src; /* path to read */
    char *rel; /* output path: with the extension until inputs_name names
                * the outputs (out_files_names), then without it (unless
                * another input shares the stem) */
    long long size, mtime_ns;
    char key[24];
} Input;

typedef struct {
    Input *v;
    int n, cap;
    SpoolSkipped *skip;
    int n_skip, cap_skip;
} Inputs;

static int inputs_add(Inputs *in, const char *src, const char *rel_with_ext,
                      const struct stat *st)
{
    if (in->n == in->cap) {
        int cap = in->cap ? 2 * in->cap : 64;
        Input *v = realloc(in->v, (size_t)cap * sizeof *v);
        if (!v)
            return err_set("out of memory");
        in->v = v;
        in->cap = cap;
    }
    char *rel = strdup(rel_with_ext);
    char *s = strdup(src);
    if (!rel || !s) {
        free(rel);
        free(s);
        return err_set("out of memory");
    }
    Input *e = &in->v[in->n++];
    memset(e, 0, sizeof *e);
    e->src = s;
    e->rel = rel;
    e->size = (long long)st->st_size;
    e->mtime_ns =
        (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
    return 0;
}

static int skipped_add(Inputs *in, const char *src, const char *fmt, ...)
    ERR_PRINTF(3, 4);

/* Note a file of an input folder that is not read, and why. */
static int skipped_add(Inputs *in, const char *src, const char *fmt, ...)
{
    if (in->n_skip == in->cap_skip) {
        int cap = in->cap_skip ? 2 * in->cap_skip : 16;
        SpoolSkipped *v = realloc(in->skip, (size_t)cap * sizeof *v);
        if (!v)
            return err_set("out of memory");
        in->skip = v;
        in->cap_skip = cap;
    }
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    SpoolSkipped *e = &in->skip[in->n_skip];
    e->file = strdup(src);
    e->reason = strdup(why);
    if (!e->file || !e->reason) {
        free(e->file);
        free(e->reason);
        return err_set("out of memory");
    }
    in->n_skip++;
    return 0;
}

static void skipped_free(SpoolSkipped *v, int n)
{
    for (int i = 0; i < n; i++) {
        free(v[i].file);
        free(v[i].reason);
    }
    free(v);
}

static void inputs_free(Inputs *in)
{
    for (int i = 0; i < in->n; i++) {
        free(in->v[i].src);
        free(in->v[i].rel);
    }
    free(in->v);
    skipped_free(in->skip, in->n_skip);
    memset(in, 0, sizeof *in);
}

/* Why a regular file named name is not read (it is not an image name). */
static int skip_unsupported(Inputs *in, const char *src, const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name)
        return skipped_add(in, src, "no extension: not read (name it "
                                    ".tif, .png, .jpg ... for its type)");
    return skipped_add(in, src, "%.32s is not an image type inkpipe reads",
                       dot);
}

/* Add the image files under folder dfd (path src, output prefix rel); note
 * every other entry as skipped. */
static int walk(Inputs *in, int dfd, const char *src, const char *rel,
                int depth)
{
    if (depth > 64)
        return err_set("%s: folders nested more than 64 deep", src);
    int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return err_set_errno("list %s", src);
    }
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d))) {
        const char *name = de->d_name;
        if (!strcmp(name, ".") || !strcmp(name, ".."))
            continue;
        struct stat lst, st;
        char csrc[4096], crel[4096];
        if ((size_t)snprintf(csrc, sizeof csrc, "%s/%s", src, name) >=
                sizeof csrc ||
            (size_t)snprintf(crel, sizeof crel, "%s%s%s", rel,
                             rel[0] ? "/" : "", name) >= sizeof crel) {
            rc = err_set("%s/%s: path too long", src, name);
            break;
        }
        if (fstatat(dfd, name, &lst, AT_SYMLINK_NOFOLLOW) < 0) {
            rc = skipped_add(in, csrc, "cannot be read: %s", strerror(errno));
            continue;
        }
        if (name[0] == '.') {
            rc = skipped_add(in, csrc, S_ISDIR(lst.st_mode)
                                           ? "hidden folder: not searched"
                                           : "hidden file: not read");
            continue;
        }
        if (S_ISDIR(lst.st_mode)) {
            int sub = openat(dfd, name,
                             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub < 0) {
                rc = err_set_errno("open %s", csrc);
                break;
            }
            rc = walk(in, sub, csrc, crel, depth + 1);
            close(sub);
            continue;
        }
        /* a symlink to a file is read; a symlink to a folder is not
         * walked (loops) */
        int is_link = S_ISLNK(lst.st_mode);
        if (is_link && fstatat(dfd, name, &st, 0) < 0)
            rc = skipped_add(in, csrc, "symlink to nothing (%s)",
                             strerror(errno));
        else if (is_link && S_ISDIR(st.st_mode))
            rc = skipped_add(in, csrc, "symlink to a folder: not followed");
        else if (!S_ISREG(is_link ? st.st_mode : lst.st_mode))
            rc = skipped_add(in, csrc, "not a regular file");
        else if (!page_is_image_name(name))
            rc = skip_unsupported(in, csrc, name);
        else
            rc = inputs_add(in, csrc, crel, is_link ? &st : &lst);
    }
    closedir(d);
    return rc;
}

static int cmp_input(const void *a, const void *b)
{
    return strcmp(((const Input *)a)->rel, ((const Input *)b)->rel);
}

static int cmp_skipped(const void *a, const void *b)
{
    return strcmp(((const SpoolSkipped *)a)->file,
                  ((const SpoolSkipped *)b)->file);
}

static unsigned long long fnv1a(const char *s)
{
    unsigned long long h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* Replace each input's rel (with extension) by its output name, sorted;
 * -1 (message set) when two inputs would still write the same files. */
static int inputs_name(const Job *job, Inputs *in)
{
    const char **paths = malloc((size_t)(in->n ? in->n : 1) * sizeof *paths);
    char **names = malloc((size_t)(in->n ? in->n : 1) * sizeof *names);
    int a = -1, b = -1, rc = 0;
    if (!paths || !names)
        rc = err_set("out of memory");
    for (int i = 0; rc == 0 && i < in->n; i++)
        paths[i] = in->v[i].rel;
    if (rc == 0 && out_files_names(paths, in->n, names, &a, &b) < 0) {
        rc = -1;
        if (a >= 0 && names[a])
            err_set("inputs %s and %s would both be written to %s/%s.*; "
                    "rename one",
                    in->v[a].src, in->v[b].src, job->output_dir, names[a]);
    }
    for (int i = 0; names && paths && i < in->n; i++) {
        if (rc == 0) {
            free(in->v[i].rel);
            in->v[i].rel = names[i];
        } else {
            free(names[i]);
        }
    }
    free(paths);
    free(names);
    if (rc == 0 && in->n > 1)
        qsort(in->v, (size_t)in->n, sizeof *in->v, cmp_input);
    return rc;
}

static int inputs_expand(const Job *job, Inputs *in)
{
    for (int i = 0; i < job->n_inputs; i++) {
        const char *p = job->inputs[i];
        struct stat st;
        if (stat(p, &st) < 0)
            return err_set_errno("input %s", p);
        if (S_ISDIR(st.st_mode)) {
            int dfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (dfd < 0)
                return err_set_errno("input %s", p);
            int rc = walk(in, dfd, p, "", 0);
            close(dfd);
            if (rc < 0)
                return -1;
        } else {
            const char *base = strrchr(p, '/');
            base = base ? base + 1 : p;
            /* a file named explicitly is taken whatever its extension; an
             * unsupported one fails at ingest with its reason */
            if (inputs_add(in, p, base, &st) < 0)
                return -1;
        }
    }
    if (in->n_skip > 1)
        qsort(in->skip, (size_t)in->n_skip, sizeof *in->skip, cmp_skipped);
    if (inputs_name(job, in) < 0)
        return -1;
    for (int i = 0; i < in->n; i++)
        snprintf(in->v[i].key, sizeof in->v[i].key, "f%016llx",
                 fnv1a(in->v[i].rel));
    return 0;
}

/**
 * Enqueue an item whose text is formatted printf-style, at any length.
 *
 * @param[in] q    queue
 * @param[in] key  item key (queue_key_valid)
 * @param[in] fmt  format of the item's text ("field=value" lines)
 * @return as queue_enqueue(): 1 enqueued, 0 already known, -1 error
 *
 * Notes:
 *   (1) The text is formatted into a buffer of its own size, so no stage
 *       keeps a fixed buffer that a long path could overrun or cut.
 */
int spool__enqueuef(Queue *q, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return err_set("queue item %s: cannot format its text", key);
    char *text = malloc((size_t)n + 1);
    if (!text)
        return err_set("queue item %s: out of memory", key);
    va_start(ap, fmt);
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = queue_enqueue(q, key, text);
    free(text);
    return rc;
}

/* s with control bytes and backslashes escaped (\t, \n, \r, \\, \xHH),
 * cut with "..." to fit buf. */
static void escape_name(const char *s, char *buf, size_t size)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char e[8];
        if (*p == '\t')
            strcpy(e, "\\t");
        else if (*p == '\n')
            strcpy(e, "\\n");
        else if (*p == '\r')
            strcpy(e, "\\r");
        else if (*p == '\\')
            strcpy(e, "\\\\");
        else if (*p < 0x20 || *p == 0x7f)
            snprintf(e, sizeof e, "\\x%02x", *p);
        else {
            e[0] = (char)*p;
            e[1] = '\0';
        }
        size_t l = strlen(e);
        if (n + l + 4 > size) {
            strcpy(buf + n, "...");
            return;
        }
        memcpy(buf + n, e, l);
        n += l;
    }
    buf[n] = '\0';
}

/* The part of src after the job file's folder, when src is relative
 * (the job file named relative to the folder submit was started in); NULL
 * for an absolute src. */
static const char *job_relative(const Job *job, const char *src)
{
    size_t n = strlen(job->dir);
    if (src[0] == '/')
        return NULL;
    if (n == 0)
        return src;
    return strncmp(src, job->dir, n) || src[n] != '/' ? NULL : src + n + 1;
}

/* Enqueue input's ingest item (key F): src, rel, file, and for a
 * relative src jobrel= (the path from the job file's folder, that
 * workers started in other folders read it by); for a name no output can
 * have, escaped, with the reason in refuse=. As queue_enqueue: 1, 0 or
 * -1. */
static int enqueue_ingest(Queue *q, const Job *job, const Input *in)
{
    int bad_rel = out_files_check_name(in->rel) < 0;
    const char *jrel = job_relative(job, in->src);
    if (!bad_rel && !strpbrk(in->src, "\n\r"))
        return spool__enqueuef(q, in->key, "src=%s\nrel=%s\nfile=%s\n"
                               "%s%s%s", in->src, in->rel, in->key,
                               SPOOL__JOBREL(jrel));
    char src[1024], rel[1024], why[256];
    snprintf(why, sizeof why, "%s",
             bad_rel ? err_get() : "it contains a control character");
    escape_name(in->src, src, sizeof src);
    escape_name(in->rel, rel, sizeof rel);
    return spool__enqueuef(q, in->key,
                           "src=%s\nrel=%s\nfile=%s\nrefuse=input file name "
                           "'%s' cannot name its outputs: %s; rename the "
                           "file\n",
                           src, rel, in->key, src, why);
}

/* ---- SPOOL/inputs ---------------------------------------------------- */

/* One recorded input. */
typedef struct {
    char key[24];
    long long size, mtime_ns; /* size -1: not known (an old spool) */
    unsigned long long hash;
    int gone;   /* removed from the inputs; outputs kept */
    char *src, *rel;
    int matched; /* (this submit) a current input has this key */
} Known;

typedef struct {
    Known *v;
    int n, cap;
    int legacy; /* no SPOOL/inputs: built from the ingest queue */
} Record;

static void record_free(Record *r)
{
    for (int i = 0; i < r->n; i++) {
        free(r->v[i].src);
        free(r->v[i].rel);
    }
    free(r->v);
    memset(r, 0, sizeof *r);
}

static Known *record_add(Record *r, const char *key)
{
    if (r->n == r->cap) {
        int cap = r->cap ? 2 * r->cap : 64;
        Known *v = realloc(r->v, (size_t)cap * sizeof *v);
        if (!v) {
            err_set("out of memory");
            return NULL;
        }
        r->v = v;
        r->cap = cap;
    }
    Known *k = &r->v[r->n++];
    memset(k, 0, sizeof *k);
    snprintf(k->key, sizeof k->key, "%s", key);
    k->size = -1;
    return k;
}

static int cmp_known(const void *a, const void *b)
{
    return strcmp(((const Known *)a)->key, ((const Known *)b)->key);
}

/* The record of key among the first n (sorted) of r, or NULL. */
static Known *record_find_n(Record *r, const char *key, int n)
{
    Known probe;
    snprintf(probe.key, sizeof probe.key, "%s", key);
    return n > 0 ? bsearch(&probe, r->v, (size_t)n, sizeof *r->v, cmp_known)
                 : NULL;
}


/* The n tab-separated fields of line [s, s+len) into f/fl; returns the
 * count found (at most n). */
static int split_tabs(const char *s, size_t len, const char **f, size_t *fl,
                      int n)
{
    int k = 0;
    const char *end = s + len;
    while (k < n) {
        const char *t = memchr(s, '\t', (size_t)(end - s));
        f[k] = s;
        fl[k] = t ? (size_t)(t - s) : (size_t)(end - s);
        k++;
        if (!t)
            break;
        s = t + 1;
    }
    return k;
}

/* Parse SPOOL/inputs (text) into r and, when pskip, the skipped files.
 * Lines: "in KEY SIZE MTIME HASH p|g<TAB>SRC<TAB>REL" and
 * "skip<TAB>FILE<TAB>REASON". 0, or -1 naming the line. */
static int record_parse(const char *text, const char *path, Record *r,
                        SpoolSkipped **pskip, int *pn_skip)
{
    Inputs sk = {0};
    if (strncmp(text, INPUTS_MAGIC, strlen(INPUTS_MAGIC)) &&
        strncmp(text, INPUTS_MAGIC_V1, strlen(INPUTS_MAGIC_V1)))
        return err_set("%s: not an inputs record of this inkpipe (first "
                       "line is not '%s'); remove the spool folder to start "
                       "the job afresh",
                       path, INPUTS_MAGIC);
    int lineno = 0;
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        lineno++;
        const char *f[3];
        size_t fl[3];
        if (len && line[0] != '#') {
            int nf = split_tabs(line, len, f, fl, 3);
            if (nf == 3 && fl[0] == 4 && !strncmp(f[0], "skip", 4)) {
                if (pskip) {
                    char *file = binio_unescape(f[1], fl[1]);
                    char *why = binio_unescape(f[2], fl[2]);
                    int rc = file && why
                                 ? skipped_add(&sk, file, "%s", why)
                                 : err_set("out of memory");
                    free(file);
                    free(why);
                    if (rc < 0)
                        goto fail;
                }
            } else {
                char key[24], st = 0;
                long long size, mt;
                unsigned long long h;
                char head[128];
                snprintf(head, sizeof head, "%.*s", (int)fl[0], f[0]);
                Known *k;
                if (nf != 3 ||
                    sscanf(head, "in %20s %lld %lld %llx %c", key, &size, &mt,
                           &h, &st) != 5 ||
                    (st != 'p' && st != 'g') || !queue_key_valid(key)) {
                    err_set("%s:%d: damaged line; remove the spool folder "
                            "to start the job afresh",
                            path, lineno);
                    goto fail;
                }
                if (!(k = record_add(r, key)))
                    goto fail;
                k->size = size;
                k->mtime_ns = mt;
                k->hash = h;
                k->gone = st == 'g';
                k->src = binio_unescape(f[1], fl[1]);
                k->rel = binio_unescape(f[2], fl[2]);
                if (!k->src || !k->rel) {
                    err_set("out of memory");
                    goto fail;
                }
            }
        }
        line = nl ? nl + 1 : line + len;
    }
    if (r->n > 1)
        qsort(r->v, (size_t)r->n, sizeof *r->v, cmp_known);
    if (pskip) {
        *pskip = sk.skip;
        *pn_skip = sk.n_skip;
    }
    return 0;
fail:
    skipped_free(sk.skip, sk.n_skip);
    return -1;
}

/* Build the record of an old spool from its ingest items (src=, rel=):
 * each one known, its size not (taken as it is now when it is seen). */
static int record_from_queue(Spool *sp, Record *r)
{
    Queue *q = spool_get_queue(sp, STAGE_INGEST);
    char **keys;
    int n = queue_list_seen(q, &keys);
    if (n < 0)
        return -1;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        char *text = NULL;
        if (queue_read_item(q, keys[i], &text) < 0) {
            err_clear(); /* a damaged item is simply not recorded */
            continue;
        }
        Known *k = record_add(r, keys[i]);
        if (!k)
            rc = -1;
        else {
            k->src = queue_text_get(text, "src");
            k->rel = queue_text_get(text, "rel");
            if (!k->src || !k->rel) {
                free(k->src);
                free(k->rel);
                r->n--;
            }
        }
        free(text);
    }
    for (int i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
    if (r->n > 1)
        qsort(r->v, (size_t)r->n, sizeof *r->v, cmp_known);
    r->legacy = 1;
    return rc;
}

/* Read SPOOL/inputs (dfd: the spool folder) into r; an old spool without
 * one gets its record from the ingest queue. 0 or -1. */
static int record_load(Spool *sp, int dfd, Record *r, SpoolSkipped **pskip,
                       int *pn_skip)
{
    const Job *job = spool_get_job(sp);
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", job->spool, INPUTS_FILE);
    char *text = fs_read_at(dfd, INPUTS_FILE, 1u << 30, NULL);
    if (!text) {
        if (err_get_errno() != ENOENT)
            return err_prefix("spool");
        err_clear();
        return record_from_queue(sp, r);
    }
    int rc = record_parse(text, path, r, pskip, pn_skip);
    free(text);
    return rc;
}

/* Write the record r and the skipped files (temp + rename). 0 or -1. */
static int record_save(int dfd, const Record *r, const SpoolSkipped *skip,
                       int n_skip)
{
    BinBuf b = {0};
    binio_buf_printf(&b, "%s\n", INPUTS_MAGIC);
    binio_buf_printf(&b, "# in KEY SIZE MTIME_NS HASH64 p(resent)|g(one)<TAB>SRC"
                   "<TAB>REL; skip<TAB>FILE<TAB>REASON. Written by `inkpipe "
                   "run`/`submit`; do not edit.\n");
    for (int i = 0; i < r->n; i++) {
        const Known *k = &r->v[i];
        binio_buf_printf(&b, "in %s %lld %lld %016llx %c\t", k->key, k->size,
                   k->mtime_ns, k->hash, k->gone ? 'g' : 'p');
        binio_buf_escaped(&b, k->src);
        binio_buf_write(&b, "\t", 1);
        binio_buf_escaped(&b, k->rel);
        binio_buf_write(&b, "\n", 1);
    }
    for (int i = 0; i < n_skip; i++) {
        binio_buf_write(&b, "skip\t", 5);
        binio_buf_escaped(&b, skip[i].file);
        binio_buf_write(&b, "\t", 1);
        binio_buf_escaped(&b, skip[i].reason);
        binio_buf_write(&b, "\n", 1);
    }
    int rc = b.oom ? err_set("out of memory")
                   : fs_write_at(dfd, INPUTS_FILE, b.p, b.n, 1);
    if (rc < 0)
        err_prefix("spool %s", INPUTS_FILE);
    binio_buf_cleanup(&b);
    return rc;
}

/* Content hash: four 64-bit lanes, each taking every fourth 8-byte
 * little-endian word of the content (xor, multiply, fold the high half
 * down), the tail bytes and the length mixed in at the end. Four
 * independent multiply chains: ~1 cycle a byte, where byte-wise
 * FNV-1a (SPOOL/inputs version 1) took ~4 and was 4 % of a page's CPU. */
typedef struct {
    unsigned long long lane[4], n;
} ContentHash;

#define CH_MUL 0x9e3779b97f4a7c15ULL

static unsigned long long ch_mix(unsigned long long h, unsigned long long w)
{
    h = (h ^ w) * CH_MUL;
    return h ^ (h >> 32);
}

/* The little-endian 8-byte word at p. One unaligned load where the host
 * is little-endian: GCC does not merge the byte loop into a load, which
 * made the byte loop ~3/4 of the hash's time (~4 ms of a 5 MB page). */
static unsigned long long ch_word(const unsigned char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t w;
    memcpy(&w, p, sizeof w);
    return w;
#else
    unsigned long long w = 0;
    for (int i = 7; i >= 0; i--)
        w = w << 8 | p[i];
    return w;
#endif
}

/* Add len bytes; every call but the last must add a multiple of 32. The
 * lanes are kept in locals: p is a char pointer, which may alias c, so
 * updating c->lane in the loop made every step a store and a reload
 * (~2.3 cycles a byte instead of ~1). */
static void ch_add(ContentHash *c, const unsigned char *p, size_t len)
{
    unsigned long long l0 = c->lane[0], l1 = c->lane[1], l2 = c->lane[2],
                       l3 = c->lane[3];
    size_t i = 0;
    for (; i + 32 <= len; i += 32) {
        l0 = ch_mix(l0, ch_word(p + i));
        l1 = ch_mix(l1, ch_word(p + i + 8));
        l2 = ch_mix(l2, ch_word(p + i + 16));
        l3 = ch_mix(l3, ch_word(p + i + 24));
    }
    for (; i < len; i++) /* the tail: the last call only */
        l0 = ch_mix(l0, p[i] | 0x100ULL);
    c->lane[0] = l0;
    c->lane[1] = l1;
    c->lane[2] = l2;
    c->lane[3] = l3;
    c->n += len;
}

static unsigned long long ch_end(const ContentHash *c)
{
    unsigned long long h = c->n;
    for (int l = 0; l < 4; l++)
        h = ch_mix(h, c->lane[l]);
    return h;
}

/* The content hash of a file into *ph. 0 or -1 (naming the file). */
static int content_hash(const char *path, unsigned long long *ph)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set_errno("input %s", path);
    ContentHash c = {{1, 2, 3, 4}, 0};
    enum { CHUNK = 1 << 16 };
    unsigned char *chunk = malloc(CHUNK);
    if (!chunk) {
        close(fd);
        return err_set("out of memory");
    }
    size_t have = 0; /* bytes in chunk not yet hashed (< 32 between reads) */
    ssize_t r;
    while ((r = read(fd, chunk + have, CHUNK - have)) != 0) {
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int rc = err_set_errno("read input %s", path);
            free(chunk);
            close(fd);
            return rc;
        }
        have += (size_t)r;
        size_t whole = have & ~(size_t)31;
        ch_add(&c, chunk, whole);
        memmove(chunk, chunk + whole, have - whole);
        have -= whole;
    }
    ch_add(&c, chunk, have);
    free(chunk);
    close(fd);
    *ph = ch_end(&c);
    return 0;
}

/* ---- the comparison -------------------------------------------------- */

/* A sorted set of file keys (F). */
typedef struct {
    char (*v)[24];
    int n, cap;
} KeySet;

static int keyset_add(KeySet *s, const char *key)
{
    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 32;
        void *v = realloc(s->v, (size_t)cap * sizeof *s->v);
        if (!v)
            return err_set("out of memory");
        s->v = v;
        s->cap = cap;
    }
    snprintf(s->v[s->n++], sizeof s->v[0], "%s", key);
    return 0;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static void keyset_sort(KeySet *s)
{
    if (s->n > 1)
        qsort(s->v, (size_t)s->n, sizeof s->v[0], cmp_key);
}

/* 1 when the file part of key (F of F, F-pNNNN, F-pNNNN.ext) is in s. */
static int keyset_match(const char *key, void *arg)
{
    const KeySet *s = arg;
    char f[24];
    size_t n = strcspn(key, "-.");
    if (n == 0 || n >= sizeof f || !s->n)
        return 0;
    memcpy(f, key, n);
    f[n] = '\0';
    return bsearch(f, s->v, (size_t)s->n, sizeof s->v[0], cmp_key) != NULL;
}

/* The files that have an item claimed (after recovering dead claims). */
static int claimed_files(Spool *sp, KeySet *s)
{
    if (spool_recover(sp, NULL) < 0)
        return -1;
    for (int st = 0; st < STAGE_N; st++) {
        QueueEntry *e;
        int n;
        if (queue_list(spool_get_queue(sp, (SpoolStage)st), QUEUE_CLAIMED, &e,
                       &n) < 0)
            return -1;
        int rc = 0;
        for (int i = 0; i < n && rc == 0; i++) {
            char f[24];
            size_t len = strcspn(e[i].key, "-");
            if (len < sizeof f) {
                memcpy(f, e[i].key, len);
                f[len] = '\0';
                rc = keyset_add(s, f);
            }
        }
        queue_entries_destroy(&e, n);
        if (rc < 0)
            return -1;
    }
    keyset_sort(s);
    return 0;
}

static int note(SpoolUpdate *u, const char *fmt, ...) ERR_PRINTF(2, 3);

/* Add a line for the operator to u->notes. 0 or -1. */
static int note(SpoolUpdate *u, const char *fmt, ...)
{
    char **v = realloc(u->notes, (size_t)(u->n_notes + 1) * sizeof *v);
    if (!v)
        return err_set("out of memory");
    u->notes = v;
    char line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (!(v[u->n_notes] = strdup(line)))
        return err_set("out of memory");
    u->n_notes++;
    return 0;
}

/* Notes for the failed items of the files in drop (removed inputs), as
 * "STAGE KEY: REASON", before they are forgotten; their paths from the
 * first n_known (sorted) records of r. */
static int note_dropped_failures(Spool *sp, const KeySet *drop, Record *r,
                                 int n_known, SpoolUpdate *u)
{
    for (int st = 0; st < STAGE_N && drop->n; st++) {
        QueueEntry *e;
        int n;
        if (queue_list(spool_get_queue(sp, (SpoolStage)st), QUEUE_FAILED, &e,
                       &n) < 0)
            return -1;
        int rc = 0;
        for (int i = 0; i < n && rc == 0; i++) {
            if (!keyset_match(e[i].key, (void *)drop))
                continue;
            char f[24];
            size_t len = strcspn(e[i].key, "-");
            snprintf(f, sizeof f, "%.*s", (int)len, e[i].key);
            Known *k = record_find_n(r, f, n_known);
            rc = note(u, "%s is gone: its failure dropped (%s %s: %s)",
                      k && k->src ? k->src : f, spool_stage_names[st],
                      e[i].key, e[i].reason);
            u->failures_dropped++;
        }
        queue_entries_destroy(&e, n);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* Remove art/F-p* of the files in s. 0 or -1. */
static int forget_artifacts(Spool *sp, const KeySet *s)
{
    DIR *d = spool__art_opendir(sp);
    if (!d)
        return -1;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d)) && rc == 0)
        if (de->d_name[0] != '.' && keyset_match(de->d_name, (void *)s) &&
            unlinkat(spool__art_fd(sp), de->d_name, 0) < 0 && errno != ENOENT)
            rc = err_set_errno("remove %s/%s", spool__art_dir(sp), de->d_name);
    closedir(d);
    return rc;
}

/* Forget every item and artifact of the files in s. 0 or -1. */
static int forget_files(Spool *sp, const KeySet *s)
{
    if (!s->n)
        return 0;
    for (int st = 0; st < STAGE_N; st++)
        if (queue_forget_matching(spool_get_queue(sp, (SpoolStage)st),
                                  keyset_match, (void *)s, NULL) < 0)
            return -1;
    return forget_artifacts(sp, s);
}

/* 1 when the artifacts an output item of file key reads were removed by
 * `inkpipe clean` (spool_clean.c), 0 when not, -1 on error. */
static int output_cleaned(Spool *sp, const char *key)
{
    char *text = NULL;
    if (queue_read_item(spool_get_queue(sp, STAGE_OUTPUT), key, &text) < 0)
        return -1;
    char *v = queue_text_get(text, "pages");
    int pages = v ? atoi(v) : 0;
    free(v);
    free(text);
    return spool__file_cleaned(sp, key, pages);
}

/* Fill k (a current input's record) from in, with hash h. */
static int known_set(Known *k, const Input *in, unsigned long long h)
{
    char *src = strdup(in->src), *rel = strdup(in->rel);
    if (!src || !rel) {
        free(src);
        free(rel);
        return err_set("out of memory");
    }
    free(k->src);
    free(k->rel);
    k->src = src;
    k->rel = rel;
    k->size = in->size;
    k->mtime_ns = in->mtime_ns;
    k->hash = h;
    k->gone = 0;
    return 0;
}

/* One comparison: the inputs now, the record, and the file sets it
 * builds. */
typedef struct {
    Spool *sp;
    SpoolUpdate *u;
    Inputs in;
    Record r;
    int n_known0; /* records read (sorted); later ones are new */
    KeySet busy;  /* files a live worker holds */
    KeySet forget; /* files whose items and artifacts go */
    KeySet drop;  /* of those, the removed ones */
    KeySet enq;   /* files to enqueue */
} Cmp;

/* An unchanged input: if its output item is done and a file of it is
 * missing, run that item again; if `inkpipe clean` removed what that item
 * reads, redo the file from its ingest instead (as a changed one, though
 * counted as an output rewritten). 0 or -1. */
static int check_outputs(Cmp *c, const Known *k)
{
    Spool *sp = c->sp;
    Queue *outq = spool_get_queue(sp, STAGE_OUTPUT);
    if (queue_has_key(outq, QUEUE_DONE, k->key) != 1)
        return 0;
    int missing = out_files_missing(spool__out_fd(sp), k->rel,
                                    spool_get_job(sp)->formats);
    if (!missing)
        return 0;
    int cleaned = keyset_match(k->key, &c->busy) ? 0
                                                 : output_cleaned(sp, k->key);
    if (cleaned < 0)
        return -1;
    if (cleaned) {
        c->u->outputs_rewritten++;
        return keyset_add(&c->forget, k->key) < 0 ||
                       keyset_add(&c->enq, k->key) < 0
                   ? -1
                   : 0;
    }
    int rc = queue_requeue_key(outq, k->key);
    if (rc > 0)
        c->u->outputs_rewritten++;
    return rc < 0 ? -1 : 0;
}

/* Compare one current input with its record (see the top of the file).
 * 0 or -1. */
static int compare_one(Cmp *c, Input *cur)
{
    SpoolUpdate *u = c->u;
    /* (records added by this pass are not sorted: not searched) */
    Known *k = record_find_n(&c->r, cur->key, c->n_known0);
    unsigned long long h = 0;
    if (!k) {
        /* not recorded: new, or enqueued by a submit killed before it
         * recorded it: then taken as it is */
        Queue *ingest = spool_get_queue(c->sp, STAGE_INGEST);
        int known = queue_has_key(ingest, QUEUE_DONE, cur->key) == 1 ||
                    queue_has_key(ingest, QUEUE_QUEUED, cur->key) == 1 ||
                    queue_has_key(ingest, QUEUE_FAILED, cur->key) == 1 ||
                    keyset_match(cur->key, &c->busy);
        Known *nk = record_add(&c->r, cur->key);
        if (!nk || content_hash(cur->src, &h) < 0 || known_set(nk, cur, h) < 0)
            return -1;
        nk->matched = 1;
        if (known) {
            u->unchanged++;
            return 0;
        }
        u->n_new++;
        return keyset_add(&c->enq, cur->key);
    }
    k->matched = 1;
    if (k->gone) { /* came back: as new */
        u->n_new++;
        return content_hash(cur->src, &h) < 0 || known_set(k, cur, h) < 0 ||
                       keyset_add(&c->forget, cur->key) < 0 ||
                       keyset_add(&c->enq, cur->key) < 0
                   ? -1
                   : 0;
    }
    if (k->size < 0 || /* an old spool's input: taken as it is now */
        (k->size == cur->size && k->mtime_ns == cur->mtime_ns)) {
        u->unchanged++;
        if (k->size < 0 &&
            (content_hash(cur->src, &h) < 0 || known_set(k, cur, h) < 0))
            return -1;
        return check_outputs(c, k);
    }
    if (content_hash(cur->src, &h) < 0)
        return -1;
    if (h == k->hash && k->size == cur->size) { /* touched only */
        u->unchanged++;
        u->touched++;
        return known_set(k, cur, h) < 0 ? -1 : check_outputs(c, k);
    }
    if (keyset_match(cur->key, &c->busy)) {
        u->deferred++; /* the record keeps the old state */
        return note(u, "%s changed, but a worker is on it: it is redone by "
                       "the next run",
                    cur->src);
    }
    u->changed++;
    return known_set(k, cur, h) < 0 || keyset_add(&c->forget, cur->key) < 0 ||
                   keyset_add(&c->enq, cur->key) < 0
               ? -1
               : 0;
}

/* A recorded input that is not among the inputs: removed now (its items
 * go) or before; its outputs removed with prune. 0 or -1. */
static int compare_gone(Cmp *c, Known *k, int prune)
{
    SpoolUpdate *u = c->u;
    Spool *sp = c->sp;
    if (!k->gone) {
        if (keyset_match(k->key, &c->busy)) {
            u->deferred++;
            return note(u, "%s is gone, but a worker is on it: it is "
                           "dropped by the next run",
                        k->src);
        }
        if (keyset_add(&c->drop, k->key) < 0 ||
            keyset_add(&c->forget, k->key) < 0)
            return -1;
        k->gone = 1;
        u->removed++;
        int none = k->rel && out_files_missing(spool__out_fd(sp), k->rel,
                                               ALL_FORMATS) == ALL_FORMATS;
        if (note(u, "%s was removed from the inputs%s", k->src,
                 none ? " (it had no outputs)"
                 : prune ? ": its outputs are removed (--prune)"
                         : "; its outputs stay (--prune removes them)") < 0)
            return -1;
    }
    if (!prune) {
        u->gone_kept++;
        return 0;
    }
    int n = 0;
    if (out_files_remove(spool__out_fd(sp), k->rel, &n) < 0)
        return -1;
    u->pruned++;
    u->pruned_files += n;
    k->matched = -1; /* dropped from the record */
    return 0;
}

/* The record without the pruned inputs, sorted again. */
static void record_compact(Record *r)
{
    int w = 0;
    for (int i = 0; i < r->n; i++) {
        if (r->v[i].matched == -1) {
            free(r->v[i].src);
            free(r->v[i].rel);
            continue;
        }
        r->v[w++] = r->v[i];
    }
    r->n = w;
    if (r->n > 1)
        qsort(r->v, (size_t)r->n, sizeof *r->v, cmp_known);
}

/* The comparison itself, under the lock (see the top of the file). */
static int update(Spool *sp, int dfd, int prune, SpoolUpdate *u)
{
    Cmp c;
    memset(&c, 0, sizeof c);
    c.sp = sp;
    c.u = u;
    int rc = -1;
    if (inputs_expand(spool_get_job(sp), &c.in) < 0 ||
        record_load(sp, dfd, &c.r, NULL, NULL) < 0 ||
        claimed_files(sp, &c.busy) < 0)
        goto out;
    u->legacy = c.r.legacy && c.r.n;
    c.n_known0 = c.r.n;
    for (int i = 0; i < c.in.n; i++)
        if (compare_one(&c, &c.in.v[i]) < 0)
            goto out;
    for (int i = 0; i < c.n_known0; i++)
        if (!c.r.v[i].matched && compare_gone(&c, &c.r.v[i], prune) < 0)
            goto out;
    keyset_sort(&c.forget);
    keyset_sort(&c.drop);
    keyset_sort(&c.enq);
    if (note_dropped_failures(sp, &c.drop, &c.r, c.n_known0, u) < 0 ||
        forget_files(sp, &c.forget) < 0)
        goto out;
    Queue *ingest = spool_get_queue(sp, STAGE_INGEST);
    for (int i = 0; i < c.in.n; i++)
        if (keyset_match(c.in.v[i].key, &c.enq) &&
            enqueue_ingest(ingest, spool_get_job(sp), &c.in.v[i]) < 0)
            goto out;
    record_compact(&c.r);
    if (record_save(dfd, &c.r, c.in.skip, c.in.n_skip) < 0)
        goto out;
    u->inputs = c.in.n;
    u->skipped = c.in.skip;
    u->n_skipped = c.in.n_skip;
    c.in.skip = NULL;
    c.in.n_skip = 0;
    rc = 0;
out:
    inputs_free(&c.in);
    record_free(&c.r);
    free(c.busy.v);
    free(c.forget.v);
    free(c.drop.v);
    free(c.enq.v);
    return rc;
}

/**
 * Bring the spool up to date with the job's inputs: enqueue new and
 * changed files, forget removed ones, run again the output of a file whose
 * output went missing (see the top of this file).
 *
 * @param[in]  sp     spool
 * @param[in]  prune  1 = remove the outputs of removed inputs (and forget
 *                    them)
 * @param[out] u      what was found and done (spool_update_cleanup())
 * @return 0, or -1 (nothing is enqueued when the inputs are inconsistent:
 *         two inputs with one output path, an input that cannot be read)
 *
 * Notes:
 *   (1) An unchanged file costs one stat (and, when its output is done, one
 *       per output file): nothing is read.
 *   (2) Safe with workers running: a file one of whose items is claimed is
 *       left alone (u->deferred) and looked at again next time.
 */
int spool_update(Spool *sp, int prune, SpoolUpdate *u)
{
    memset(u, 0, sizeof *u);
    const Job *job = spool_get_job(sp);
    int dfd = fs_open_dir(job->spool, 0);
    if (dfd < 0)
        return err_prefix("spool");
    int lock = openat(dfd, INPUTS_LOCK,
                      O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
    int rc;
    if (lock < 0 || flock(lock, LOCK_EX) < 0)
        rc = err_set_errno("spool %s: lock %s", job->spool, INPUTS_LOCK);
    else
        rc = update(sp, dfd, prune, u);
    if (lock >= 0)
        close(lock);
    close(dfd);
    if (rc < 0)
        spool_update_cleanup(u); /* (frees only: the message stays) */
    return rc;
}

void spool_update_cleanup(SpoolUpdate *u)
{
    if (!u)
        return;
    for (int i = 0; i < u->n_notes; i++)
        free(u->notes[i]);
    free(u->notes);
    skipped_free(u->skipped, u->n_skipped);
    memset(u, 0, sizeof *u);
}

/**
 * Enqueue what is new or changed among the job's inputs (spool_update
 * without pruning, for callers that need only the counts).
 *
 * @param[in]  sp      spool
 * @param[out] pnew    [optional] files enqueued now (new or changed)
 * @param[out] pknown  [optional] files already known and unchanged
 * @return 0, or -1 (nothing is enqueued when the inputs are inconsistent)
 */
int spool_submit(Spool *sp, int *pnew, int *pknown)
{
    SpoolUpdate u;
    if (spool_update(sp, 0, &u) < 0)
        return -1;
    if (pnew)
        *pnew = u.n_new + u.changed;
    if (pknown)
        *pknown = u.unchanged;
    spool_update_cleanup(&u);
    return 0;
}

/**
 * What the spool knows of its inputs, for `status`: the inputs recorded
 * by the last `run`/`submit`, present or gone, and the files it skipped.
 *
 * @param[in]  sp       spool
 * @param[out] pi       counts; pi->files and pi->failed_files of present
 *                      inputs; skipped list (spool_inputs_cleanup())
 * @return 0, or -1 (a damaged record)
 *
 * Notes:
 *   (1) Before the first `run`/`submit` of this inkpipe (an old spool or a
 *       new one), pi->recorded is 0 and the counts are 0.
 */
int spool_inputs_get(Spool *sp, SpoolInputs *pi)
{
    memset(pi, 0, sizeof *pi);
    const Job *job = spool_get_job(sp);
    int dfd = fs_open_dir(job->spool, 0);
    if (dfd < 0)
        return err_prefix("spool");
    char *text = fs_read_at(dfd, INPUTS_FILE, 1u << 30, NULL);
    close(dfd);
    if (!text) {
        if (err_get_errno() == ENOENT) {
            err_clear();
            return 0;
        }
        return err_prefix("spool");
    }
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", job->spool, INPUTS_FILE);
    Record r = {0};
    int rc = record_parse(text, path, &r, &pi->skipped, &pi->n_skipped);
    free(text);
    if (rc < 0)
        return -1;
    pi->recorded = 1;
    /* per present input: failed (an item of it failed), done (its output
     * written), else pending */
    KeySet failed = {0};
    for (int st = 0; st < STAGE_N && rc == 0; st++) {
        QueueEntry *e;
        int n;
        if (queue_list(spool_get_queue(sp, (SpoolStage)st), QUEUE_FAILED, &e,
                       &n) < 0) {
            rc = -1;
            break;
        }
        for (int i = 0; i < n && rc == 0; i++) {
            char f[24];
            size_t len = strcspn(e[i].key, "-");
            snprintf(f, sizeof f, "%.*s", (int)len, e[i].key);
            rc = keyset_add(&failed, f);
        }
        queue_entries_destroy(&e, n);
    }
    keyset_sort(&failed);
    Queue *outq = spool_get_queue(sp, STAGE_OUTPUT);
    for (int i = 0; i < r.n && rc == 0; i++) {
        if (r.v[i].gone) {
            pi->gone++;
            continue;
        }
        pi->present++;
        if (keyset_match(r.v[i].key, &failed))
            pi->failed++;
        else if (queue_has_key(outq, QUEUE_DONE, r.v[i].key) == 1)
            pi->done++;
        else
            pi->pending++;
    }
    free(failed.v);
    record_free(&r);
    if (rc < 0)
        spool_inputs_cleanup(pi);
    return rc;
}

void spool_inputs_cleanup(SpoolInputs *pi)
{
    if (!pi)
        return;
    skipped_free(pi->skipped, pi->n_skipped);
    memset(pi, 0, sizeof *pi);
}
