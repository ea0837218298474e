/*
 * out_files.c - the output files of one input: OUT/rel.txt, OUT/rel.hocr,
 * OUT/rel.alto.xml, OUT/rel.pdf.
 *
 * Design: one table of formats (name, extension, writer on a FILE*) is all
 * that knows which formats exist: out_formats_parse() reads a list such as
 * "txt,hocr" against it, out_formats_names() lists them for messages, and
 * out_files_write() writes each chosen format by temp file + fsync + rename
 * (fs_publish_stream_at) in a folder reached without following symlinks.
 * Adding a format is a writer in its own file and a row in the table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/fsutil.h"
#include "output/output.h"

typedef struct {
    const char *name; /* in -f lists and output.formats */
    const char *ext;  /* file name extension, without the dot */
    int bit;          /* OUT_FORMAT_* */
    int (*write)(FILE *fp, const OutPage *const *pages, int n);
    /* formats that embed the page images have this writer instead */
    int (*write_img)(FILE *fp, const OutPage *const *pages, int n,
                     const OutImageSource *images);
} OutFormatDef;

static const OutFormatDef formats[] = {
    {"txt", "txt", OUT_FORMAT_TXT, out_text_write, NULL},
    {"hocr", "hocr", OUT_FORMAT_HOCR, out_hocr_write, NULL},
    {"alto", "alto.xml", OUT_FORMAT_ALTO, out_alto_write, NULL},
    {"pdf", "pdf", OUT_FORMAT_PDF, NULL, out_pdf_write},
    {"json", "json", OUT_FORMAT_JSON, out_json_write, NULL},
};
#define N_FORMATS ((int)(sizeof formats / sizeof formats[0]))

/** The format names, comma-separated, in table order ("txt, hocr, alto"). */
const char *out_formats_names(void)
{
    static char buf[128];
    if (!buf[0])
        for (int i = 0; i < N_FORMATS; i++) {
            size_t l = strlen(buf);
            snprintf(buf + l, sizeof buf - l, "%s%s", i ? ", " : "",
                     formats[i].name);
        }
    return buf;
}

/**
 * Parse a list of output formats, comma-separated ("txt,hocr").
 *
 * @param[in]  list      the list
 * @param[out] pformats  OUT_FORMAT_* bits
 * @return 0, or -1 (message names the unknown word and the known ones)
 */
int out_formats_parse(const char *list, int *pformats)
{
    int f = 0;
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        int i = 0;
        while (i < N_FORMATS && !(strlen(formats[i].name) == n &&
                                  !strncmp(p, formats[i].name, n)))
            i++;
        if (i == N_FORMATS)
            return err_set("unknown output format '%.*s'; expected %s",
                           (int)n, p, out_formats_names());
        f |= formats[i].bit;
        p += n;
        if (*p == ',')
            p++;
    }
    if (!f)
        return err_set("no output format; expected one or more of %s",
                       out_formats_names());
    *pformats = f;
    return 0;
}

typedef struct {
    const OutFormatDef *fmt;
    const OutPage *const *pages;
    int n;
    const OutImageSource *images;
} WriteCtx;

static int write_cb(FILE *fp, void *ctx)
{
    const WriteCtx *w = ctx;
    if (w->fmt->write_img)
        return w->fmt->write_img(fp, w->pages, w->n, w->images);
    return w->fmt->write(fp, w->pages, w->n);
}

/**
 * Whether rel can name an input's output files (out_files_write takes it).
 *
 * @param[in] rel  output path without extension ("2024/box1/f007")
 * @return 0, or -1 with what is wrong in err_get() (the name itself is not
 *         quoted: it may hold control characters; the caller escapes it)
 *
 * Notes:
 *   (1) Every component must be a plain name without control characters
 *       (nor "." or ".."), and the last at most OUT_NAME_MAX bytes, so that
 *       NAME.alto.xml fits in a file name (temporary files are named from
 *       a cut of NAME).
 */
int out_files_check_name(const char *rel)
{
    const char *slash = strrchr(rel, '/');
    const char *base = slash ? slash + 1 : rel;
    if (slash && (size_t)(slash - rel) >= 4096)
        return err_set("its folders are %zu bytes, at most 4095",
                       (size_t)(slash - rel));
    for (const char *p = rel;;) {
        size_t n = strcspn(p, "/");
        if (!fs_component_ok(p, n)) {
            for (size_t i = 0; i < n; i++)
                if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
                    return err_set("it contains a control character (byte "
                                   "0x%02x)",
                                   (unsigned char)p[i]);
            return err_set("it has an empty, '.' or '..' component");
        }
        if (!p[n])
            break;
        p += n + 1;
    }
    if (strlen(base) > OUT_NAME_MAX)
        return err_set("its name is %zu bytes without the extension, at most "
                       "%d",
                       strlen(base), OUT_NAME_MAX);
    return 0;
}

/**
 * Write the chosen formats of one input file.
 *
 * @param[in] out_fd   output folder
 * @param[in] rel      output path without extension, relative to out_fd
 *                     ("2024/box1/f007"); its folders are created
 * @param[in] pages    the input's pages in order
 * @param[in] n        their count
 * @param[in] formats  OUT_FORMAT_* bits
 * @return 0, or -1 (message starts with "output REL")
 *
 * Notes:
 *   (1) Folders are opened one component at a time without following
 *       symlinks, and ".." is refused, so nothing is written outside out_fd.
 *   (2) Each file appears whole (temp + rename) or not at all.
 */
int out_files_write(int out_fd, const char *rel, const OutPage *const *pages,
                    int n, int formats_bits)
{
    return out_files_write_images(out_fd, rel, pages, n, formats_bits, NULL);
}

/**
 * out_files_write() with the page images, for formats that embed them.
 *
 * @param[in] images  [optional] page images (chain_image_source() or a
 *                    test's); without it, asking for pdf is an error
 * (other parameters and the result as out_files_write)
 */
int out_files_write_images(int out_fd, const char *rel,
                           const OutPage *const *pages, int n,
                           int formats_bits, const OutImageSource *images)
{
    const char *slash = strrchr(rel, '/');
    const char *base = slash ? slash + 1 : rel;
    char dir[4096], name[300];
    size_t dlen = slash ? (size_t)(slash - rel) : 0;
    if (dlen >= sizeof dir || out_files_check_name(rel) < 0)
        return err_prefix("bad output name '%s'", rel);
    memcpy(dir, rel, dlen);
    dir[dlen] = '\0';
    int dfd = fs_open_subdir(out_fd, dir, 1);
    if (dfd < 0)
        return err_prefix("output %s", rel);
    int rc = 0;
    for (int i = 0; rc == 0 && i < N_FORMATS; i++) {
        if (!(formats_bits & formats[i].bit))
            continue;
        snprintf(name, sizeof name, "%s.%s", base, formats[i].ext);
        WriteCtx w = {&formats[i], pages, n, images};
        rc = fs_publish_stream_at(dfd, name, write_cb, &w);
    }
    close(dfd);
    if (rc != 0)
        err_prefix("output %s", rel);
    return rc;
}

/* The length of path without its extension: the last '.' of the last
 * component, unless that component starts with it (".profile"). */
static size_t stem_len(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? (size_t)(dot - path) : strlen(path);
}

typedef struct {
    const char *path;
    size_t len; /* bytes of path that name the output */
    int i;
} NameRef;

static int cmp_name(const void *a, const void *b)
{
    const NameRef *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->path, y->path, n);
    if (c)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->i - y->i;
}

static int same_name(const NameRef *x, const NameRef *y)
{
    return x->len == y->len && !memcmp(x->path, y->path, x->len);
}

/**
 * The output names of a set of inputs: each input's path without its
 * extension, or with it where two inputs would otherwise share a name.
 *
 * @param[in]  paths  n input paths relative to the output folder, with
 *                    their extensions ("2024/f007.tif")
 * @param[in]  n      their count
 * @param[out] names  n new strings, names[i] for paths[i] (caller frees
 *                    each, also after a collision; all NULL when out of
 *                    memory)
 * @param[out] pa     [optional] on a collision, the two inputs' indices
 *                    (names[*pa] is the name they share)
 * @param[out] pb     [optional]
 * @return 0, or -1 (a collision that keeping the extension does not
 *         settle, such as "a.png", "a.tif" and "a.png.tif"; or no memory)
 *
 * Notes:
 *   (1) "scan.png" and "scan.tif" in one folder give "scan.png" and
 *       "scan.tif" (outputs scan.png.txt, scan.tif.txt); a lone "scan.png"
 *       gives "scan". A name depends only on the set of inputs, so it is
 *       the same on every run over the same files.
 *   (2) Input paths that are equal (the same file reached twice) collide.
 */
int out_files_names(const char *const *paths, int n, char **names, int *pa,
                    int *pb)
{
    NameRef *v = malloc((size_t)(n > 0 ? n : 1) * sizeof *v);
    if (!v)
        return err_set("out of memory");
    for (int i = 0; i < n; i++) {
        v[i] = (NameRef){paths[i], stem_len(paths[i]), i};
        names[i] = NULL;
    }
    qsort(v, (size_t)n, sizeof *v, cmp_name);
    /* a run of equal stems: every one of them keeps its extension */
    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n && same_name(&v[i], &v[j]))
            j++;
        if (j - i > 1)
            for (int k = i; k < j; k++)
                v[k].len = strlen(v[k].path);
        i = j;
    }
    qsort(v, (size_t)n, sizeof *v, cmp_name);
    int rc = 0, oom = 0;
    for (int i = 0; i < n; i++) {
        char *s = malloc(v[i].len + 1);
        if (!s) {
            oom = 1;
            break;
        }
        memcpy(s, v[i].path, v[i].len);
        s[v[i].len] = '\0';
        names[v[i].i] = s;
    }
    for (int i = 1; !oom && rc == 0 && i < n; i++)
        if (same_name(&v[i - 1], &v[i])) {
            if (pa)
                *pa = v[i - 1].i;
            if (pb)
                *pb = v[i].i;
            rc = err_set("both would be written to %s.*", names[v[i].i]);
        }
    if (oom) {
        rc = err_set("out of memory");
        for (int i = 0; i < n; i++) {
            free(names[i]);
            names[i] = NULL;
        }
    }
    free(v);
    return rc;
}

/* Open the folder of rel below out_fd without creating it or following
 * symlinks; its base name into *pbase. The fd, or -1 (errno ENOENT: no
 * folder). */
static int open_rel_dir(int out_fd, const char *rel, const char **pbase)
{
    const char *slash = strrchr(rel, '/');
    char dir[4096];
    size_t dlen = slash ? (size_t)(slash - rel) : 0;
    *pbase = slash ? slash + 1 : rel;
    if (dlen >= sizeof dir)
        return err_set("output %s: path too long", rel);
    memcpy(dir, rel, dlen);
    dir[dlen] = '\0';
    return fs_open_subdir(out_fd, dir, 0);
}

/**
 * Which output files of one input exist.
 *
 * @param[in]  out_fd        output folder
 * @param[in]  rel           output path without extension
 * @param[in]  formats_bits  OUT_FORMAT_* bits to look for
 * @return the bits of formats_bits whose file is missing (0: all there)
 *
 * Notes:
 *   (1) A folder that cannot be opened counts as all missing; a symlink in
 *       place of a file counts as missing (it will be replaced).
 */
int out_files_missing(int out_fd, const char *rel, int formats_bits)
{
    const char *base;
    int dfd = open_rel_dir(out_fd, rel, &base);
    if (dfd < 0) {
        err_clear();
        return formats_bits;
    }
    int missing = 0;
    for (int i = 0; i < N_FORMATS; i++) {
        char name[300];
        struct stat st;
        if (!(formats_bits & formats[i].bit))
            continue;
        snprintf(name, sizeof name, "%s.%s", base, formats[i].ext);
        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
            !S_ISREG(st.st_mode))
            missing |= formats[i].bit;
    }
    close(dfd);
    return missing;
}

/**
 * Remove the output files of one input, in every format.
 *
 * @param[in]  out_fd    output folder
 * @param[in]  rel       output path without extension
 * @param[out] premoved  [optional] files removed
 * @return 0, or -1 (a file that could not be removed; none missing is an
 *         error)
 */
int out_files_remove(int out_fd, const char *rel, int *premoved)
{
    const char *base;
    int n = 0, rc = 0;
    int dfd = open_rel_dir(out_fd, rel, &base);
    if (dfd < 0) {
        if (premoved)
            *premoved = 0;
        if (err_get_errno() == ENOENT) {
            err_clear();
            return 0;
        }
        return err_prefix("output %s", rel);
    }
    for (int i = 0; i < N_FORMATS; i++) {
        char name[300];
        snprintf(name, sizeof name, "%s.%s", base, formats[i].ext);
        if (unlinkat(dfd, name, 0) == 0)
            n++;
        else if (errno != ENOENT)
            rc = err_set_errno("remove output %s.%s", rel, formats[i].ext);
    }
    close(dfd);
    if (premoved)
        *premoved = n;
    return rc;
}
