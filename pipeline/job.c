/*
 * job.c - load and validate a job file (see job.h).
 *
 * Design: three passes over one file.
 *   1. read: the file into memory (size-capped; empty refused).
 *   2. tree: libyaml events -> JNode tree (scalars, sequences, mappings),
 *      each node with its 1-based line:column. Anchors and aliases, more
 *      than one document, scalars over JOB_MAX_SCALAR bytes and nesting
 *      deeper than JOB_MAX_DEPTH are refused here; libyaml's reader refuses
 *      bytes that are not UTF-8.
 *   3. check: every mapping key against the schema table `job_fields`
 *      (dotted key -> type, range, where it goes in Job); sections are the
 *      dotted prefixes. Duplicates and missing required keys are found
 *      here; relative paths are resolved against the job file's folder.
 *   4. overlap: the spool, output.dir and each input path, resolved to real
 *      paths (realpath of the longest existing prefix), must not contain
 *      one another (prefixes compared on component boundaries).
 * Every error is set once, as "FILE:LINE:COL: what was expected".
 * Ownership: job_load returns a Job the caller frees with job_destroy.
 */
#include "pipeline/job.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "common/err.h"
#include "pipeline/slurm.h"
#include "pipeline/queue.h"

#define JOB_MAX_FILE (1 << 20)
#define JOB_MAX_SCALAR 4096
#define JOB_MAX_DEPTH 16
#define JOB_MAX_NODES 20000

typedef enum { JN_SCALAR, JN_SEQ, JN_MAP } JNodeKind;

typedef struct JNode {
    JNodeKind kind;
    int line, col;
    char *value; /* scalar text */
    int plain;   /* scalar written without quotes */
    struct JNode **kids; /* seq: items; map: key, value, key, value ... */
    int n, cap;
} JNode;

typedef struct {
    yaml_parser_t parser;
    const char *file;
    const unsigned char *buf; /* the whole file, for reader-error offsets */
    size_t len;
    int n_nodes;
} JParse;

static void jnode_free(JNode *n)
{
    if (!n)
        return;
    for (int i = 0; i < n->n; i++)
        jnode_free(n->kids[i]);
    free(n->kids);
    free(n->value);
    free(n);
}

static int jnode_push(JNode *n, JNode *kid)
{
    if (n->n == n->cap) {
        int cap = n->cap ? 2 * n->cap : 8;
        JNode **k = realloc(n->kids, (size_t)cap * sizeof *k);
        if (!k)
            return err_set("out of memory");
        n->kids = k;
        n->cap = cap;
    }
    n->kids[n->n++] = kid;
    return 0;
}

static int jparse_event(JParse *p, yaml_event_t *ev)
{
    if (yaml_parser_parse(&p->parser, ev))
        return 0;
    const char *what = p->parser.problem ? p->parser.problem : "syntax error";
    yaml_mark_t m = p->parser.problem_mark;
    if (p->parser.error == YAML_READER_ERROR) {
        /* the reader reports a byte offset, not a mark: count lines */
        size_t off = p->parser.problem_offset, line = 0, col = 0;
        for (size_t i = 0; i < off && i < p->len; i++) {
            if (p->buf[i] == '\n') {
                line++;
                col = 0;
            } else if ((p->buf[i] & 0xC0) != 0x80) {
                col++;
            }
        }
        return err_set("%s:%zu:%zu: %s (the file must be UTF-8 text)",
                       p->file, line + 1, col + 1, what);
    }
    if (p->parser.context)
        return err_set("%s:%zu:%zu: %s %s", p->file, m.line + 1, m.column + 1,
                       what, p->parser.context);
    return err_set("%s:%zu:%zu: %s", p->file, m.line + 1, m.column + 1, what);
}

static const unsigned char *event_anchor(const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        return ev->data.scalar.anchor;
    case YAML_SEQUENCE_START_EVENT:
        return ev->data.sequence_start.anchor;
    case YAML_MAPPING_START_EVENT:
        return ev->data.mapping_start.anchor;
    default:
        return NULL;
    }
}

/* Build the node that starts with *ev (consumed here, deleted by caller). */
static JNode *jparse_node(JParse *p, yaml_event_t *ev, int depth)
{
    int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
    if (ev->type == YAML_ALIAS_EVENT || event_anchor(ev)) {
        err_set("%s:%d:%d: anchors and aliases are not allowed in a job file",
                p->file, line, col);
        return NULL;
    }
    if (depth > JOB_MAX_DEPTH) {
        err_set("%s:%d:%d: nesting deeper than %d levels", p->file, line, col,
                JOB_MAX_DEPTH);
        return NULL;
    }
    if (++p->n_nodes > JOB_MAX_NODES) {
        err_set("%s:%d:%d: more than %d values in a job file", p->file, line,
                col, JOB_MAX_NODES);
        return NULL;
    }
    JNode *n = calloc(1, sizeof *n);
    if (!n) {
        err_set("out of memory");
        return NULL;
    }
    n->line = line;
    n->col = col;
    if (ev->type == YAML_SCALAR_EVENT) {
        n->kind = JN_SCALAR;
        if (ev->data.scalar.length > JOB_MAX_SCALAR) {
            err_set("%s:%d:%d: value longer than %d bytes", p->file, line, col,
                    JOB_MAX_SCALAR);
            goto fail;
        }
        if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length)) {
            err_set("%s:%d:%d: value contains a NUL character", p->file, line,
                    col);
            goto fail;
        }
        n->value = strdup((const char *)ev->data.scalar.value);
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        if (!n->value) {
            err_set("out of memory");
            goto fail;
        }
        return n;
    }
    yaml_event_type_t end;
    if (ev->type == YAML_SEQUENCE_START_EVENT) {
        n->kind = JN_SEQ;
        end = YAML_SEQUENCE_END_EVENT;
    } else if (ev->type == YAML_MAPPING_START_EVENT) {
        n->kind = JN_MAP;
        end = YAML_MAPPING_END_EVENT;
    } else {
        err_set("%s:%d:%d: unexpected YAML event", p->file, line, col);
        goto fail;
    }
    for (;;) {
        yaml_event_t kid_ev;
        if (jparse_event(p, &kid_ev) < 0)
            goto fail;
        if (kid_ev.type == end) {
            yaml_event_delete(&kid_ev);
            return n;
        }
        JNode *kid = jparse_node(p, &kid_ev, depth + 1);
        yaml_event_delete(&kid_ev);
        if (!kid)
            goto fail;
        if (jnode_push(n, kid) < 0) {
            jnode_free(kid);
            goto fail;
        }
    }
fail:
    jnode_free(n);
    return NULL;
}

static JNode *jparse_document(const char *file, const unsigned char *buf,
                              size_t len)
{
    JParse p = {.file = file, .buf = buf, .len = len};
    JNode *root = NULL;
    yaml_event_t ev;
    int state = 0; /* 0 stream start, 1 doc start, 2 root, 3 doc end, 4 end */

    if (!yaml_parser_initialize(&p.parser)) {
        err_set("out of memory");
        return NULL;
    }
    yaml_parser_set_input_string(&p.parser, buf, len);
    while (state < 5) {
        if (jparse_event(&p, &ev) < 0)
            goto fail;
        int line = (int)ev.start_mark.line + 1;
        int col = (int)ev.start_mark.column + 1;
        switch (state) {
        case 0:
            state = 1; /* STREAM_START */
            break;
        case 1:
            if (ev.type == YAML_STREAM_END_EVENT) {
                err_set("%s:%d:%d: empty job file; expected a mapping with "
                        "input.paths and output.dir",
                        file, line, col);
                yaml_event_delete(&ev);
                goto fail;
            }
            state = 2;
            break;
        case 2:
            root = jparse_node(&p, &ev, 0);
            if (!root) {
                yaml_event_delete(&ev);
                goto fail;
            }
            state = 3;
            break;
        case 3:
            state = 4; /* DOCUMENT_END */
            break;
        case 4:
            if (ev.type != YAML_STREAM_END_EVENT) {
                err_set("%s:%d:%d: a job file holds one YAML document; "
                        "expected the end of the file",
                        file, line, col);
                yaml_event_delete(&ev);
                goto fail;
            }
            state = 5;
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p.parser);
    return root;
fail:
    jnode_free(root);
    yaml_parser_delete(&p.parser);
    return NULL;
}

/* ---- schema ---------------------------------------------------------- */

typedef enum {
    JT_STR,
    JT_PATH,
    JT_PATHS,
    JT_INT,
    JT_INT64,
    JT_FLOAT,
    JT_DOUBLE,
    JT_BOOL,
    JT_METHOD,
    JT_PRECISION, /* fp32 | int8 | auto */
    JT_LABELS,    /* inkpipe | tesseract */
    JT_LANGS,     /* Tesseract languages: fra+eng */
    JT_FORMATS,
    JT_CLEAN, /* never | after-run */
    JT_IMAGE_PATHS, /* relative | absolute */
    JT_CHARSET,
    JT_SLURM /* a string checked by slurm_job_value_check() */
} JType;

typedef struct {
    const char *key; /* dotted */
    JType type;
    size_t off;      /* into Job */
    double min, max; /* numbers */
    int required;
} JField;

#define OFF(f) offsetof(Job, f)
static const JField job_fields[] = {
    {"name", JT_STR, OFF(name), 0, 0, 0},
    {"input.paths", JT_PATHS, OFF(inputs), 0, 0, 1},
    {"spool", JT_PATH, OFF(spool), 0, 0, 0},
    {"output.dir", JT_PATH, OFF(output_dir), 0, 0, 1},
    {"output.formats", JT_FORMATS, OFF(formats), 0, 0, 0},
    {"output.review", JT_BOOL, OFF(review), 0, 0, 0},
    {"output.image_paths", JT_IMAGE_PATHS, OFF(image_paths_absolute), 0, 0, 0},
    {"workers", JT_INT, OFF(workers), 1, 256, 0},
    {"clean", JT_CLEAN, OFF(clean_after_run), 0, 0, 0},
    {"binarize.method", JT_METHOD, OFF(chain.binarize.method), 0, 0, 0},
    {"binarize.window", JT_INT, OFF(chain.binarize.window), 0, 2000, 0},
    {"binarize.k", JT_FLOAT, OFF(chain.binarize.k), 0.01, 1.0, 0},
    {"binarize.deskew", JT_BOOL, OFF(chain.binarize.deskew), 0, 0, 0},
    {"segment.min_speck_area", JT_INT, OFF(chain.segment.min_speck_area), 0, 100000,
     0},
    {"segment.remove_furniture", JT_BOOL, OFF(chain.segment.remove_furniture), 0, 0,
     0},
    {"segment.split_touching", JT_BOOL, OFF(chain.segment.split_touching), 0, 0, 0},
    {"segment.word_gap", JT_FLOAT, OFF(chain.segment.word_gap), 0, 100, 0},
    {"recognize.model", JT_PATH, OFF(model), 0, 0, 0},
    {"recognize.charset", JT_CHARSET, OFF(charset_spec), 0, 0, 0},
    {"recognize.context", JT_BOOL, OFF(chain.context), 0, 0, 0},
    {"recognize.adapt", JT_BOOL, OFF(chain.adapt), 0, 0, 0},
    {"recognize.segalt", JT_BOOL, OFF(chain.segalt), 0, 0, 0},
    {"recognize.lexicon", JT_PATH, OFF(chain.lexicon_path), 0, 0, 0},
    {"recognize.precision", JT_PRECISION, OFF(precision), 0, 0, 0},
    {"limits.max_pixels", JT_INT64, OFF(chain.max_pixels), 1, 1e12, 0},
    {"limits.page_timeout", JT_DOUBLE, OFF(page_timeout), 0.1, 86400, 0},
    {"limits.page_memory_mb", JT_INT, OFF(page_memory_mb), 16, 1048576, 0},
    {"limits.max_pages", JT_INT, OFF(max_pages), 1, 100000, 0},
    {"lease.seconds", JT_DOUBLE, OFF(lease_seconds), 1, 604800, 0},
    {"forms.template", JT_PATH, OFF(forms_template), 0, 0, 0},
    {"forms.threshold", JT_FLOAT, OFF(forms.threshold), 0, 1, 0},
    {"forms.labels", JT_LABELS, OFF(forms.labels), 0, 0, 0},
    {"forms.labels_lang", JT_LANGS, OFF(forms.labels_lang), 0, 0, 0},
    {"forms.guess_charset", JT_BOOL, OFF(forms.guess_charset), 0, 0, 0},
    {"slurm.tasks", JT_INT, OFF(slurm_tasks), 1, 1000000, 0},
    {"slurm.nodes", JT_INT, OFF(slurm_nodes), 1, 100000, 0},
    {"slurm.cpus_per_task", JT_INT, OFF(slurm_cpus_per_task), 1, 4096, 0},
    {"slurm.partition", JT_SLURM, OFF(slurm_partition), 0, 0, 0},
    {"slurm.time", JT_SLURM, OFF(slurm_time), 0, 0, 0},
    {"slurm.sbatch", JT_SLURM, OFF(slurm_sbatch), 0, 0, 0},
};
#define N_FIELDS (int)(sizeof job_fields / sizeof job_fields[0])

typedef struct {
    Job *job;
    const char *file;
    char seen[N_FIELDS];
    const JNode *node[N_FIELDS]; /* the value of each key given */
} JCheck;

static int jerr(const JCheck *c, const JNode *n, const char *fmt, ...)
    ERR_PRINTF(3, 4);

static int jerr(const JCheck *c, const JNode *n, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set("%s:%d:%d: %s", c->file, n ? n->line : 1, n ? n->col : 1,
                   msg);
}

static const char *kind_name(const JNode *n)
{
    return n->kind == JN_MAP ? "a mapping"
           : n->kind == JN_SEQ ? "a list"
                               : "a scalar";
}

/* Join dir and path unless path is absolute. Caller frees. */
static char *resolve_path(const char *dir, const char *path)
{
    if (path[0] == '/' || !dir[0])
        return strdup(path);
    size_t n = strlen(dir) + strlen(path) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s", dir, path);
    return s;
}

/**
 * A path as the job file names it, seen from the folder the caller runs
 * in: joined to the job file's folder unless absolute (what input.paths
 * and every other path in the job become on loading).
 *
 * @param[in] job   a loaded job
 * @param[in] path  a path as written in the job file, or relative to it
 * @return a new string (caller frees), or NULL with the message set
 */
char *job_path(const Job *job, const char *path)
{
    char *s = resolve_path(job->dir, path);
    if (!s)
        err_set("out of memory");
    return s;
}

static int parse_int64(const char *s, long long *pv)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return -1;
    *pv = v;
    return 0;
}

static int parse_double(const char *s, double *pv)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v))
        return -1;
    *pv = v;
    return 0;
}

static int check_scalar(const JCheck *c, const JField *f, const JNode *v,
                        const char *what)
{
    if (v->kind != JN_SCALAR)
        return jerr(c, v, "expected %s for %s, got %s", what, f->key,
                    kind_name(v));
    return 0;
}

static int check_plain(const JCheck *c, const JField *f, const JNode *v,
                       const char *what)
{
    if (check_scalar(c, f, v, what) < 0)
        return -1;
    if (!v->plain)
        return jerr(c, v, "expected %s for %s, got the quoted string \"%s\"",
                    what, f->key, v->value);
    return 0;
}

/* A string field (JT_STR, JT_SLURM, JT_CHARSET, JT_PATH) into dst (a
 * char *, replaced): non-empty; a name is one plain component, a Slurm
 * value passes slurm_job_value_check, a charset parses (and is set in the
 * job's chain options), a path is resolved against the job's folder.
 * 0, or -1 with the position. */
static int check_string(JCheck *c, const JField *f, const JNode *v,
                        char *dst)
{
    Job *job = c->job;
    if (check_scalar(c, f, v, "a string") < 0)
        return -1;
    if (!v->value[0])
        return jerr(c, v, "expected a non-empty string for %s", f->key);
    if (f->type == JT_SLURM && slurm_job_value_check(f->key, v->value) < 0)
        return jerr(c, v, "bad %s: %s", f->key, err_get());
    /* the name becomes a folder of the default spool: one plain
     * component, so "../x" cannot move the spool elsewhere */
    if (f->type == JT_STR && !queue_key_valid(v->value))
        return jerr(c, v, "expected a plain name for %s (letters, "
                          "digits, '.', '_', '-'; not starting with "
                          "'.'), got '%s'", f->key, v->value);
    char *s;
    if (f->type == JT_CHARSET) {
        RecCharset cs;
        if (rec_charset_parse(v->value, &cs) < 0)
            return jerr(c, v, "bad recognize.charset: %s; expected "
                              "digits, upper, lower, alpha, alnum or a "
                              "list of characters",
                        err_get());
        job->chain.charset = cs;
    }
    s = f->type == JT_PATH ? resolve_path(job->dir, v->value)
                           : strdup(v->value);
    if (!s)
        return err_set("out of memory");
    free(*(char **)dst);
    *(char **)dst = s;
    return 0;
}

/* JT_PATHS: one name or a list of files or folders, each resolved against
 * the job's folder and existing, into the job's inputs. 0, or -1 with the
 * position. */
static int check_paths(JCheck *c, const JField *f, const JNode *v)
{
    Job *job = c->job;
    const JNode *const *items = (const JNode *const *)&v;
    int n = 1;
    if (v->kind == JN_SEQ) {
        items = (const JNode *const *)v->kids;
        n = v->n;
    }
    if (v->kind == JN_MAP || n == 0)
        return jerr(c, v, "expected a list of files or folders for %s",
                    f->key);
    char **paths = calloc((size_t)n, sizeof *paths);
    if (!paths)
        return err_set("out of memory");
    for (int i = 0; i < n; i++) {
        const JNode *it = items[i];
        struct stat st;
        if (it->kind != JN_SCALAR || !it->value[0]) {
            jerr(c, it, "expected a file or folder name in %s, got %s",
                 f->key, kind_name(it));
            goto paths_fail;
        }
        paths[i] = resolve_path(job->dir, it->value);
        if (!paths[i]) {
            err_set("out of memory");
            goto paths_fail;
        }
        if (stat(paths[i], &st) < 0) {
            jerr(c, it, "input path '%s' cannot be read: %s", paths[i],
                 strerror(errno));
            goto paths_fail;
        }
        if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
            jerr(c, it, "input path '%s' is not a file or folder",
                 paths[i]);
            goto paths_fail;
        }
        continue;
    paths_fail:
        for (int j = 0; j <= i; j++)
            free(paths[j]);
        free(paths);
        return -1;
    }
    job->inputs = paths;
    job->n_inputs = n;
    return 0;
}

/* A number field (JT_INT, JT_INT64, JT_FLOAT, JT_DOUBLE) into dst: a plain
 * scalar that parses, within the field's range. 0, or -1 with the
 * position. */
static int check_number(JCheck *c, const JField *f, const JNode *v,
                        char *dst)
{
    char range[96];
    snprintf(range, sizeof range, "%g..%g", f->min, f->max);
    if (f->type == JT_INT || f->type == JT_INT64) {
        long long iv;
        if (check_plain(c, f, v, "an integer") < 0)
            return -1;
        if (parse_int64(v->value, &iv) < 0)
            return jerr(c, v, "expected an integer for %s, got '%s'", f->key,
                        v->value);
        if (iv < f->min || iv > f->max)
            return jerr(c, v, "%s must be in %s, got %lld", f->key, range, iv);
        if (f->type == JT_INT)
            *(int *)dst = (int)iv;
        else
            *(int64_t *)dst = iv;
        return 0;
    }
    double dv;
    if (check_plain(c, f, v, "a number") < 0)
        return -1;
    if (parse_double(v->value, &dv) < 0)
        return jerr(c, v, "expected a number for %s, got '%s'", f->key,
                    v->value);
    if (dv < f->min || dv > f->max)
        return jerr(c, v, "%s must be in %s, got %g", f->key, range, dv);
    if (f->type == JT_FLOAT)
        *(float *)dst = (float)dv;
    else
        *(double *)dst = dv;
    return 0;
}

/* JT_FORMATS: one output format or a list of them, as bits into dst (an
 * int). 0, or -1 with the position. */
static int check_formats(JCheck *c, const JField *f, const JNode *v,
                         char *dst)
{
    int bits = 0;
    if (v->kind == JN_MAP || (v->kind == JN_SEQ && v->n == 0))
        return jerr(c, v, "expected a list of formats (%s) for %s",
                    out_formats_names(), f->key);
    int n = v->kind == JN_SEQ ? v->n : 1;
    for (int i = 0; i < n; i++) {
        const JNode *it = v->kind == JN_SEQ ? v->kids[i] : v;
        int b;
        if (it->kind != JN_SCALAR)
            return jerr(c, it, "expected one of %s in %s, got %s",
                        out_formats_names(), f->key, kind_name(it));
        if (strchr(it->value, ',') || !*it->value ||
            out_formats_parse(it->value, &b) < 0)
            return jerr(c, it, "expected one of %s in %s, got '%s'",
                        out_formats_names(), f->key, it->value);
        bits |= b;
    }
    *(int *)dst = bits;
    return 0;
}

/* Check node v against the schema row f and store its value in the job
 * (the field at f->off), by the row's type. 0, or -1 with the position. */
static int check_field(JCheck *c, const JField *f, const JNode *v)
{
    char *dst = (char *)c->job + f->off;
    switch (f->type) {
    case JT_STR:
    case JT_SLURM:
    case JT_CHARSET:
    case JT_PATH:
        return check_string(c, f, v, dst);
    case JT_PATHS:
        return check_paths(c, f, v);
    case JT_INT:
    case JT_INT64:
    case JT_FLOAT:
    case JT_DOUBLE:
        return check_number(c, f, v, dst);
    case JT_BOOL:
        if (check_plain(c, f, v, "true or false") < 0)
            return -1;
        if (!strcmp(v->value, "true"))
            *(int *)dst = 1;
        else if (!strcmp(v->value, "false"))
            *(int *)dst = 0;
        else
            return jerr(c, v, "expected true or false for %s, got '%s'",
                        f->key, v->value);
        return 0;
    case JT_METHOD:
        if (check_scalar(c, f, v, "sauvola or otsu") < 0)
            return -1;
        if (!strcmp(v->value, "sauvola"))
            *(SegBinarizeMethod *)dst = SEG_BINARIZE_SAUVOLA;
        else if (!strcmp(v->value, "otsu"))
            *(SegBinarizeMethod *)dst = SEG_BINARIZE_OTSU;
        else
            return jerr(c, v, "expected sauvola or otsu for %s, got '%s'",
                        f->key, v->value);
        return 0;
    case JT_PRECISION:
        if (check_scalar(c, f, v, "fp32, int8 or auto") < 0)
            return -1;
        if (rec_precision_parse(v->value, (RecPrecision *)dst) < 0)
            return jerr(c, v, "expected fp32, int8 or auto for %s, got '%s'",
                        f->key, v->value);
        return 0;
    case JT_LABELS:
        if (check_scalar(c, f, v, "inkpipe or tesseract") < 0)
            return -1;
        if (form_labels_parse(v->value, (FormLabels *)dst) < 0)
            return jerr(c, v, "expected inkpipe or tesseract for %s, got '%s'",
                        f->key, v->value);
        return 0;
    case JT_LANGS:
        if (check_scalar(c, f, v, "Tesseract languages like fra+eng") < 0)
            return -1;
        if (form_labels_lang_parse(v->value, (char *)dst) < 0)
            return jerr(c, v, "%s: %s", f->key, err_get());
        return 0;
    case JT_FORMATS:
        return check_formats(c, f, v, dst);
    case JT_IMAGE_PATHS:
        if (check_scalar(c, f, v, "relative or absolute") < 0)
            return -1;
        if (strcmp(v->value, "relative") && strcmp(v->value, "absolute"))
            return jerr(c, v, "expected relative or absolute for %s, got '%s'",
                        f->key, v->value);
        *(int *)dst = !strcmp(v->value, "absolute");
        return 0;
    case JT_CLEAN:
        if (check_scalar(c, f, v, "never or after-run") < 0)
            return -1;
        if (strcmp(v->value, "never") && strcmp(v->value, "after-run"))
            return jerr(c, v, "expected never or after-run for %s, got '%s'",
                        f->key, v->value);
        *(int *)dst = !strcmp(v->value, "after-run");
        return 0;
    }
    return jerr(c, v, "internal: unknown field type");
}

/* Keys allowed directly under prefix ("" = top level), comma-separated. */
static void expected_keys(const char *prefix, char *buf, size_t size)
{
    size_t plen = strlen(prefix), used = 0;
    buf[0] = '\0';
    for (int i = 0; i < N_FIELDS; i++) {
        const char *k = job_fields[i].key;
        if (strncmp(k, prefix, plen))
            continue;
        k += plen;
        size_t n = strcspn(k, ".");
        /* skip a section already listed */
        int dup = 0;
        for (int j = 0; j < i; j++) {
            const char *q = job_fields[j].key;
            if (!strncmp(q, prefix, plen) && !strncmp(q + plen, k, n) &&
                (q[plen + n] == '.' || q[plen + n] == '\0'))
                dup = 1;
        }
        if (dup)
            continue;
        int w = snprintf(buf + used, size - used, "%s%.*s", used ? ", " : "",
                         (int)n, k);
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
}

static int check_map(JCheck *c, const JNode *map, const char *prefix)
{
    char where[128];
    snprintf(where, sizeof where, "%s%.*s", prefix[0] ? "in " : "at the top",
             prefix[0] ? (int)strlen(prefix) - 1 : 0, prefix);
    if (map->kind != JN_MAP) {
        char keys[512];
        expected_keys(prefix, keys, sizeof keys);
        return jerr(c, map, "expected a mapping %s (keys: %s), got %s", where,
                    keys, kind_name(map));
    }
    for (int i = 0; i + 1 < map->n; i += 2) {
        const JNode *k = map->kids[i], *v = map->kids[i + 1];
        if (k->kind != JN_SCALAR)
            return jerr(c, k, "expected a key name %s, got %s", where,
                        kind_name(k));
        for (int j = 0; j < i; j += 2)
            if (map->kids[j]->kind == JN_SCALAR &&
                !strcmp(map->kids[j]->value, k->value))
                return jerr(c, k, "duplicate key '%s%s' (first at line %d, "
                                  "column %d)",
                            prefix, k->value, map->kids[j]->line,
                            map->kids[j]->col);
        char full[256];
        if ((size_t)snprintf(full, sizeof full, "%s%s", prefix, k->value) >=
            sizeof full)
            return jerr(c, k, "key too long");
        int leaf = -1, section = 0;
        size_t flen = strlen(full);
        for (int f = 0; f < N_FIELDS; f++) {
            if (!strcmp(job_fields[f].key, full))
                leaf = f;
            else if (!strncmp(job_fields[f].key, full, flen) &&
                     job_fields[f].key[flen] == '.')
                section = 1;
        }
        if (leaf >= 0) {
            if (check_field(c, &job_fields[leaf], v) < 0)
                return -1;
            c->seen[leaf] = 1;
            c->node[leaf] = v;
        } else if (section) {
            strcat(full, ".");
            if (check_map(c, v, full) < 0)
                return -1;
        } else {
            char keys[512];
            expected_keys(prefix, keys, sizeof keys);
            return jerr(c, k, "unknown key '%s' %s; expected one of: %s",
                        k->value, where, keys);
        }
    }
    return 0;
}

/* Where to point for a missing key: the section's mapping, else the root. */
static const JNode *find_section(const JNode *root, const char *key)
{
    size_t n = strcspn(key, ".");
    if (!key[n] || root->kind != JN_MAP)
        return root;
    for (int i = 0; i + 1 < root->n; i += 2)
        if (root->kids[i]->kind == JN_SCALAR &&
            strlen(root->kids[i]->value) == n &&
            !strncmp(root->kids[i]->value, key, n))
            return root->kids[i];
    return root;
}

void job_init_defaults(Job *job)
{
    job->formats = OUT_FORMAT_TXT | OUT_FORMAT_HOCR;
    job->workers = 1;
    chain_options_init(&job->chain);
    job->page_timeout = 60;
    job->page_memory_mb = 1024;
    job->max_pages = 10000;
    job->lease_seconds = 300;
    form_options_init(&job->forms);
}

/* ---- overlap of the spool, output.dir and input.paths ------------------ */

/* Append component comp (n bytes) to the absolute path in buf, applying
 * "." and "..". 0, or -1 when it does not fit. */
static int path_push(char *buf, size_t size, const char *comp, size_t n)
{
    size_t len = strlen(buf);
    if (n == 0 || (n == 1 && comp[0] == '.'))
        return 0;
    if (n == 2 && comp[0] == '.' && comp[1] == '.') {
        char *slash = strrchr(buf, '/');
        if (slash)
            slash[slash == buf] = '\0';
        return 0;
    }
    if (len + n + 2 > size)
        return -1;
    if (len > 1)
        buf[len++] = '/';
    memcpy(buf + len, comp, n);
    buf[len + n] = '\0';
    return 0;
}

/* The real path of path, which need not exist: realpath() of its longest
 * existing prefix, then the rest with "." and ".." applied. Relative paths
 * are taken from the current folder. Caller frees; NULL on error. */
static char *real_path(const char *path)
{
    char abs[PATH_MAX], cwd[PATH_MAX], out[PATH_MAX];
    if (path[0] == '/')
        snprintf(abs, sizeof abs, "%s", path);
    else if (!getcwd(cwd, sizeof cwd) ||
             (size_t)snprintf(abs, sizeof abs, "%s/%s", cwd, path) >=
                 sizeof abs)
        return NULL;
    /* cut components off the end until realpath() finds what is left */
    size_t keep = strlen(abs);
    for (;;) {
        char prefix[PATH_MAX];
        memcpy(prefix, abs, keep);
        prefix[keep] = '\0';
        if (!prefix[0])
            strcpy(prefix, "/");
        if (realpath(prefix, out))
            break;
        if (errno != ENOENT && errno != ENOTDIR)
            return NULL;
        while (keep > 0 && abs[keep - 1] != '/')
            keep--;
        while (keep > 0 && abs[keep - 1] == '/')
            keep--;
    }
    for (const char *p = abs + keep; *p;) {
        size_t n = strcspn(p, "/");
        if (path_push(out, sizeof out, p, n) < 0)
            return NULL;
        p += n;
        while (*p == '/')
            p++;
    }
    return strdup(out);
}

/* 1 when inner is outer or below it (component boundaries). */
static int path_within(const char *inner, const char *outer)
{
    size_t n = strlen(outer);
    if (n == 1 && outer[0] == '/')
        return 1;
    return !strncmp(inner, outer, n) && (inner[n] == '\0' || inner[n] == '/');
}

/* The schema index of a key. */
static int field_index(const char *key)
{
    for (int f = 0; f < N_FIELDS; f++)
        if (!strcmp(job_fields[f].key, key))
            return f;
    return -1;
}

/* "a_what 'a' is inside b_what 'b' (why)" at node n. */
static int overlap_err(const JCheck *c, const JNode *n, const char *a_what,
                       const char *a, const char *b_what, const char *b,
                       const char *why)
{
    return jerr(c, n,
                "%s '%s' is inside %s '%s' (%s); the spool, output.dir and "
                "input.paths must not contain one another%s",
                a_what, a, b_what, b, why,
                strstr(a_what, "default spool") || strstr(b_what,
                                                          "default spool")
                    ? ": set `spool:` to a folder outside them"
                    : "");
}

/* Refuse a spool, output.dir and input paths that contain one another. */
static int check_overlap(const JCheck *c, const JNode *root)
{
    const Job *job = c->job;
    int f_in = field_index("input.paths"), f_sp = field_index("spool"),
        f_out = field_index("output.dir");
    const JNode *n_in = c->node[f_in], *n_sp = c->node[f_sp],
                *n_out = c->node[f_out];
    char *sp = real_path(job->spool), *out = real_path(job->output_dir);
    int rc = 0;
    if (!sp || !out) {
        rc = jerr(c, root, "cannot resolve the spool or output.dir path: %s",
                  strerror(errno));
        goto done;
    }
    const char *sp_what = n_sp ? "the spool" : "the default spool";
    const char *mix = "outputs and queue files would mix";
    if (path_within(sp, out)) {
        rc = overlap_err(c, n_sp ? n_sp : n_out, sp_what, sp, "output.dir",
                         out, mix);
        goto done;
    }
    if (path_within(out, sp)) {
        rc = overlap_err(c, n_out, "output.dir", out, sp_what, sp, mix);
        goto done;
    }
    for (int i = 0; i < job->n_inputs; i++) {
        const JNode *n_item =
            n_in && n_in->kind == JN_SEQ && i < n_in->n ? n_in->kids[i] : n_in;
        char *in = real_path(job->inputs[i]);
        if (!in) {
            rc = jerr(c, n_item, "cannot resolve input path '%s': %s",
                      job->inputs[i], strerror(errno));
            goto done;
        }
        if (path_within(sp, in))
            rc = overlap_err(c, n_sp ? n_sp : n_item, sp_what, sp,
                             "input path", in,
                             "every run would read the spool's own files as "
                             "new pages");
        else if (path_within(in, sp))
            rc = overlap_err(c, n_item, "input path", in, sp_what, sp,
                             "the spool's files would be read as pages");
        else if (path_within(out, in))
            rc = overlap_err(c, n_out, "output.dir", out, "input path", in,
                             "outputs would be written among the inputs");
        else if (path_within(in, out))
            rc = overlap_err(c, n_item, "input path", in, "output.dir", out,
                             "outputs would be written among the inputs");
        free(in);
        if (rc < 0)
            goto done;
    }
done:
    free(sp);
    free(out);
    return rc;
}

static char *read_file(const char *path, size_t *plen)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        err_set_errno("%s", path);
        return NULL;
    }
    char *buf = malloc(JOB_MAX_FILE + 1);
    if (!buf) {
        fclose(fp);
        err_set("out of memory");
        return NULL;
    }
    size_t n = fread(buf, 1, JOB_MAX_FILE + 1, fp);
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        err_set("%s: read error", path);
        return NULL;
    }
    if (n > JOB_MAX_FILE) {
        free(buf);
        err_set("%s:1:1: job file larger than %d bytes", path, JOB_MAX_FILE);
        return NULL;
    }
    buf[n] = '\0';
    *plen = n;
    return buf;
}

/**
 * Load and validate a job file.
 *
 * @param[in] path  the YAML job file
 * @return new Job (caller owns; job_destroy()), or NULL with the message
 *         "PATH:LINE:COL: what was expected" in err_get()
 *
 * Notes:
 *   (1) Every key is checked before the function returns; nothing runs on a
 *       partly valid job.
 *   (2) Relative paths (input.paths, spool, output.dir, recognize.model)
 *       are resolved against the folder that holds the job file; input
 *       paths must exist.
 *   (3) The spool (also the default one, spool/NAME next to the job file),
 *       output.dir and every input path are compared as real paths: one
 *       inside another is refused, naming both.
 */
Job *job_load(const char *path)
{
    size_t len = 0;
    char *buf = read_file(path, &len);
    if (!buf)
        return NULL;
    Job *job = calloc(1, sizeof *job);
    JNode *root = NULL;
    if (!job) {
        free(buf);
        err_set("out of memory");
        return NULL;
    }
    job_init_defaults(job);
    job->path = strdup(path);
    const char *slash = strrchr(path, '/');
    job->dir = slash ? strndup(path, (size_t)(slash - path + (slash == path)))
                     : strdup("");
    if (!job->path || !job->dir) {
        err_set("out of memory");
        goto fail;
    }
    if (len == 0) {
        err_set("%s:1:1: empty job file; expected a mapping with input.paths "
                "and output.dir",
                path);
        goto fail;
    }
    root = jparse_document(path, (const unsigned char *)buf, len);
    if (!root)
        goto fail;
    JCheck c = {.job = job, .file = path};
    if (root->kind == JN_SCALAR && !root->plain && !root->value[0]) {
        jerr(&c, root, "empty job file; expected a mapping");
        goto fail;
    }
    if (check_map(&c, root, "") < 0)
        goto fail;
    for (int f = 0; f < N_FIELDS; f++)
        if (job_fields[f].required && !c.seen[f]) {
            jerr(&c, find_section(root, job_fields[f].key),
                 "missing required key '%s'", job_fields[f].key);
            goto fail;
        }
    if (!job->name) {
        const char *base = slash ? slash + 1 : path;
        size_t n = strcspn(base, ".");
        job->name = strndup(base, n ? n : strlen(base));
    }
    if (!job->charset_spec)
        job->charset_spec = strdup("alnum");
    if (!job->spool) {
        size_t n = strlen(job->dir) + strlen(job->name) + 16;
        job->spool = malloc(n);
        if (job->spool)
            snprintf(job->spool, n, "%s%sspool/%s", job->dir,
                     job->dir[0] ? "/" : "", job->name);
    }
    if (!job->name || !job->charset_spec || !job->spool) {
        err_set("out of memory");
        goto fail;
    }
    if (check_overlap(&c, root) < 0)
        goto fail;
    if (job->review && !(job->formats & (OUT_FORMAT_HOCR | OUT_FORMAT_JSON))) {
        jerr(&c, c.node[field_index("output.review")],
             "output.review needs hocr or json among output.formats (the "
             "review page is made from them)");
        goto fail;
    }
    if (job->forms_template &&
        !(job->form = form_template_load(job->forms_template))) {
        err_prefix("%s: forms.template", path);
        goto fail;
    }
    /* labels are read only for fields found without a template */
    if (job->forms.labels == FORM_LABELS_TESSERACT && !job->forms_template &&
        (job->formats & OUT_FORMAT_JSON) &&
        form_tess_check(job->forms.labels_lang) < 0) {
        int k = field_index("forms.labels_lang");
        jerr(&c, c.node[c.node[k] ? k : field_index("forms.labels")], "%s",
             err_get());
        goto fail;
    }
    jnode_free(root);
    free(buf);
    return job;
fail:
    jnode_free(root);
    free(buf);
    job_destroy(&job);
    return NULL;
}

void job_destroy(Job **pjob)
{
    if (!pjob || !*pjob)
        return;
    Job *job = *pjob;
    for (int i = 0; i < job->n_inputs; i++)
        free(job->inputs[i]);
    free(job->inputs);
    free(job->path);
    free(job->dir);
    free(job->name);
    free(job->spool);
    free(job->output_dir);
    free(job->model);
    free(job->chain.lexicon_path);
    free(job->forms_template);
    form_template_destroy(&job->form);
    free(job->charset_spec);
    free(job->slurm_partition);
    free(job->slurm_time);
    free(job->slurm_sbatch);
    free(job);
    *pjob = NULL;
}
