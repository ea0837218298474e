/*
 * train_data.c - labelled glyph sets: Chars74K images and pen trajectories,
 * IDX (MNIST), CSV, class folders and Hershey fonts; writer ranges; the
 * RecSource over a set.
 *
 * Design:
 *   - Every sample is loaded once. Pictures are kept as their ink box
 *     (ink coverage 0..255, at most REC__CROP pixels on a side: the
 *     1200x900 Chars74K PNGs are mostly blank) plus the clean network input
 *     the pipeline would compute from the original picture
 *     (rec_glyph_normalize_pix). Strokes are kept as points with a nominal
 *     pen width in their own units (tablet units, font units).
 *   - The ink box is found exactly as inference finds it (Otsu, specks
 *     dropped), and coverage is (paper - grey) / (paper - ink) with the two
 *     levels measured on either side of the threshold, so grey photos and
 *     clean renders end up on the same scale.
 *   - Writers come from Chars74K names (imgCCC-SSS); a split by writer is
 *     done at load time (RecLoadOptions), never by image.
 *   - Errors name the file and line (CSV, .m) and stop the load: a training
 *     set with an unreadable file is a bug to fix, not to skip.
 *
 * Threading: building a set is single-threaded; a built set is read-only
 * and rec_set_render / the source's get are reentrant.
 */
#include "train/train_data.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/binio.h"
#include "common/err.h"
#include "train/train_data_int.h"
#include "recognize/rec_net_internal.h"

#define NIN (REC_INPUT_SIZE * REC_INPUT_SIZE)

/* ---- writers ---- */

/**
 * Parse a writer list.
 *
 * @param[in]  spec  "041-045", "1,3,7-9", "" or "none"
 * @param[out] w     the set
 * @return 0, or -1 (message names the bad part)
 */
int rec_writers_parse(const char *spec, RecWriters *w)
{
    memset(w, 0, sizeof *w);
    if (!spec || !*spec || strcmp(spec, "none") == 0)
        return 0;
    const char *p = spec;
    while (*p) {
        char *end;
        long a = strtol(p, &end, 10), b;
        if (end == p || a < 0 || a > REC_MAX_WRITER)
            return err_set("bad writer list '%s' at '%s' (want e.g. 041-045)",
                           spec, p);
        b = a;
        p = end;
        if (*p == '-') {
            p++;
            b = strtol(p, &end, 10);
            if (end == p || b < a || b > REC_MAX_WRITER)
                return err_set("bad writer range in '%s' at '%s'", spec, p);
            p = end;
        }
        for (long k = a; k <= b; k++)
            if (!w->has[k]) {
                w->has[k] = 1;
                w->count++;
            }
        if (*p == ',')
            p++;
        else if (*p)
            return err_set("bad writer list '%s' at '%s'", spec, p);
    }
    return 0;
}

int rec_writers_has(const RecWriters *w, int writer)
{
    return w && writer >= 0 && writer <= REC_MAX_WRITER && w->has[writer];
}

/* ---- the set ---- */

RecSet *rec_set_create(void)
{
    RecSet *set = calloc(1, sizeof *set);
    if (!set)
        err_set("rec_set_create: out of memory");
    return set;
}

static void sample_cleanup(RecSample *s)
{
    free(s->name);
    free(s->input);
    free(s->cov);
    rec_strokes_cleanup(&s->strokes);
}

void rec_set_destroy(RecSet **pset)
{
    if (!pset || !*pset)
        return;
    RecSet *set = *pset;
    for (int i = 0; i < set->n; i++)
        sample_cleanup(&set->s[i]);
    free(set->s);
    free(set->cum);
    for (int k = 0; k < REC_NKINDS; k++)
        free(set->pool[k]);
    free(set);
    *pset = NULL;
}

void rec_load_options_init(RecLoadOptions *lo)
{
    memset(lo, 0, sizeof *lo);
    lo->repeat = 1;
}

static int keep_writer(const RecLoadOptions *lo, int writer)
{
    if (!lo)
        return 1;
    if (lo->only && !rec_writers_has(lo->only, writer))
        return 0;
    if (lo->exclude && rec_writers_has(lo->exclude, writer))
        return 0;
    return 1;
}

/* Append a zeroed sample (name copied); NULL when out of memory. */
static RecSample *set_push(RecSet *set, int label, int writer,
                           RecSampleKind kind, const char *name,
                           const RecLoadOptions *lo)
{
    if (set->n == set->cap) {
        int cap = set->cap ? 2 * set->cap : 256;
        RecSample *s = realloc(set->s, (size_t)cap * sizeof *s);
        int64_t *c = realloc(set->cum, (size_t)cap * sizeof *c);
        if (s)
            set->s = s;
        if (c)
            set->cum = c;
        if (!s || !c) {
            err_set("out of memory for %d samples", cap);
            return NULL;
        }
        set->cap = cap;
    }
    RecSample *s = &set->s[set->n];
    memset(s, 0, sizeof *s);
    s->label = label;
    s->writer = writer;
    s->kind = kind;
    s->repeat = lo && lo->repeat > 1 ? lo->repeat : 1;
    s->name = strdup(name ? name : "");
    s->input = malloc(NIN * sizeof(float));
    rec_strokes_init(&s->strokes);
    if (!s->name || !s->input) {
        sample_cleanup(s);
        err_set("out of memory");
        return NULL;
    }
    return s;
}

/* Commit the sample pushed last. */
static void set_commit(RecSet *set)
{
    RecSample *s = &set->s[set->n];
    int r = set->quota[s->kind] > 0 ? 0 : s->repeat;
    set->cum[set->n] = (set->n ? set->cum[set->n - 1] : 0) + r;
    set->n++;
}

/* Recompute cum after repeats or quotas changed. */
static void set_recount(RecSet *set)
{
    for (int i = 0; i < set->n; i++) {
        const RecSample *s = &set->s[i];
        int r = set->quota[s->kind] > 0 ? 0 : s->repeat;
        set->cum[i] = (i ? set->cum[i - 1] : 0) + r;
    }
}

/* Area-resample a float image (sw x sh) to dw x dh. */
static void area_resample(const float *src, int sw, int sh, float *dst, int dw,
                          int dh)
{
    float fx = (float)sw / (float)dw, fy = (float)sh / (float)dh;
    for (int y = 0; y < dh; y++) {
        float ya = (float)y * fy, yb = ya + fy;
        for (int x = 0; x < dw; x++) {
            float xa = (float)x * fx, xb = xa + fx;
            float acc = 0;
            for (int sy = (int)ya; sy < sh && (float)sy < yb; sy++) {
                float wy = fminf(yb, (float)(sy + 1)) - fmaxf(ya, (float)sy);
                if (wy <= 0)
                    continue;
                const float *row = src + (size_t)sy * (size_t)sw;
                for (int sx = (int)xa; sx < sw && (float)sx < xb; sx++) {
                    float wx =
                        fminf(xb, (float)(sx + 1)) - fmaxf(xa, (float)sx);
                    if (wx > 0)
                        acc += wx * wy * row[sx];
                }
            }
            dst[(size_t)y * (size_t)dw + (size_t)x] = acc / (fx * fy);
        }
    }
}

/* Fill s->cov / cw / ch from a grey picture (dark ink on light paper). */
static int sample_crop(RecSample *s, const unsigned char *grey, int w, int h)
{
    double hist[256] = {0};
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++)
        hist[grey[i]] += 1.0;
    int t = rec__glyph_otsu(hist);
    /* components are labelled inside the box of all ink only */
    int ax0 = w, ay0 = h, ax1 = -1, ay1 = -1;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (grey[(size_t)y * (size_t)w + (size_t)x] <= t) {
                ax0 = x < ax0 ? x : ax0;
                ax1 = x > ax1 ? x : ax1;
                ay0 = y < ay0 ? y : ay0;
                ay1 = y;
            }
    if (ax1 < 0)
        return err_set("glyph has no ink");
    int aw = ax1 - ax0 + 1, ah = ay1 - ay0 + 1;
    unsigned char *mask = malloc((size_t)aw * (size_t)ah);
    if (!mask)
        return err_set("out of memory");
    for (int y = 0; y < ah; y++)
        for (int x = 0; x < aw; x++)
            mask[(size_t)y * (size_t)aw + (size_t)x] =
                grey[(size_t)(y + ay0) * (size_t)w + (size_t)(x + ax0)] <= t;
    if (rec_glyph_drop_specks(mask, aw, ah, REC_GLYPH_SPECK_FRAC) <= 0) {
        free(mask);
        return err_set("glyph has no ink");
    }
    int x0 = w, y0 = h, x1 = -1, y1 = -1;
    double ink = 0, nink = 0;
    for (int y = 0; y < ah; y++)
        for (int x = 0; x < aw; x++)
            if (mask[(size_t)y * (size_t)aw + (size_t)x]) {
                int gx = x + ax0, gy = y + ay0;
                x0 = gx < x0 ? gx : x0;
                x1 = gx > x1 ? gx : x1;
                y0 = gy < y0 ? gy : y0;
                y1 = gy > y1 ? gy : y1;
                ink += grey[(size_t)gy * (size_t)w + (size_t)gx];
                nink++;
            }
    free(mask);
    /* paper level: mean of the light class */
    double paper = 0, npaper = 0;
    for (int i = t + 1; i < 256; i++) {
        paper += i * hist[i];
        npaper += hist[i];
    }
    float lp = npaper > 0 ? (float)(paper / npaper) : 255.0f;
    float li = (float)(ink / nink);
    if (lp - li < 1.0f)
        lp = li + 1.0f;
    /* the box with a 1 px margin, as coverage */
    x0 = x0 > 0 ? x0 - 1 : 0;
    y0 = y0 > 0 ? y0 - 1 : 0;
    x1 = x1 < w - 1 ? x1 + 1 : w - 1;
    y1 = y1 < h - 1 ? y1 + 1 : h - 1;
    int bw = x1 - x0 + 1, bh = y1 - y0 + 1;
    float *f = malloc((size_t)bw * (size_t)bh * sizeof *f);
    if (!f)
        return err_set("out of memory");
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < bw; x++) {
            float g = grey[(size_t)(y + y0) * (size_t)w + (size_t)(x + x0)];
            float c = (lp - g) / (lp - li);
            f[(size_t)y * (size_t)bw + (size_t)x] = c < 0.0f   ? 0.0f
                                                    : c > 1.0f ? 1.0f
                                                               : c;
        }
    int big = bw > bh ? bw : bh;
    int cw = bw, ch = bh;
    float *g = f;
    if (big > REC__CROP) {
        cw = (int)lrintf((float)bw * REC__CROP / (float)big);
        ch = (int)lrintf((float)bh * REC__CROP / (float)big);
        cw = cw < 1 ? 1 : cw;
        ch = ch < 1 ? 1 : ch;
        g = malloc((size_t)cw * (size_t)ch * sizeof *g);
        if (!g) {
            free(f);
            return err_set("out of memory");
        }
        area_resample(f, bw, bh, g, cw, ch);
    }
    s->cov = malloc((size_t)cw * (size_t)ch);
    if (!s->cov) {
        if (g != f)
            free(g);
        free(f);
        return err_set("out of memory");
    }
    for (int i = 0; i < cw * ch; i++)
        s->cov[i] = (unsigned char)lrintf(255.0f * g[i]);
    s->cw = cw;
    s->ch = ch;
    if (g != f)
        free(g);
    free(f);
    return 0;
}

/**
 * Add one glyph picture.
 *
 * @param[in,out] set     the set
 * @param[in]     pix     glyph image, dark ink on light paper; not modified
 * @param[in]     label   class 0..REC_NCLASSES-1
 * @param[in]     writer  writer id or -1
 * @param[in]     kind    REC_KIND_IMAGE, REC_KIND_IDX or REC_KIND_TTF
 * @param[in]     name    [optional] file name for messages
 * @param[in]     lo      [optional] repeat count (writer filters are the
 *                        loaders' business and are not applied here)
 * @return 0, or -1 (no ink, out of memory; message names the image)
 */
int rec_set_add_pix(RecSet *set, PIX *pix, int label, int writer,
                    RecSampleKind kind, const char *name,
                    const RecLoadOptions *lo)
{
    if (label < 0 || label >= REC_NCLASSES)
        return err_set("%s: label %d outside 0..%d", name ? name : "image",
                       label, REC_NCLASSES - 1);
    RecSample *s = set_push(set, label, writer, kind, name, lo);
    if (!s)
        return -1;
    int w, h;
    unsigned char *grey = NULL;
    /* the clean input is what rec_glyph_normalize_pix() gives; for grey
     * and colour pictures that is rec_glyph_normalize_grey() of the grey
     * conversion made here anyway */
    int d1 = pixGetDepth(pix) == 1 && !pixGetColormap(pix);
    if (!(grey = rec__pix_to_grey(pix, &w, &h)) ||
        (d1 ? rec_glyph_normalize_pix(pix, s->input)
            : rec_glyph_normalize_grey(grey, w, h, w, s->input)) < 0 ||
        sample_crop(s, grey, w, h)) {
        free(grey);
        sample_cleanup(s);
        return err_prefix("%s", name ? name : "image");
    }
    free(grey);
    set_commit(set);
    return 0;
}

/* ---- pen trajectories (.m) ---- */

/* Parse "NAME = {[v;v;...];[...]};" starting at the first NAME in text.
 * Appends one vector per stroke to vals with lengths in lens. */
static int traj_parse_cell(const char *path, const char *text, const char *name,
                           float **vals, int *nvals, int **lens, int *nlens)
{
    const char *p = strstr(text, name);
    if (!p)
        return err_set("%s: no '%s = {...}' cell array", path, name);
    int line = 1;
    for (const char *q = text; q < p; q++)
        line += *q == '\n';
    p = strchr(p, '{');
    if (!p)
        return err_set("%s:%d: '%s' has no '{'", path, line, name);
    int capv = 256, capl = 8;
    *vals = malloc((size_t)capv * sizeof **vals);
    *lens = malloc((size_t)capl * sizeof **lens);
    *nvals = *nlens = 0;
    if (!*vals || !*lens)
        return err_set("%s: out of memory", path);
    int in_vec = 0, cur = 0;
    for (p++; *p; p++) {
        char c = *p;
        if (c == '\n')
            line++;
        if (c == '}' && !in_vec)
            return 0;
        if (c == '[') {
            if (in_vec)
                return err_set("%s:%d: nested '['", path, line);
            in_vec = 1;
            cur = 0;
        } else if (c == ']') {
            if (!in_vec)
                return err_set("%s:%d: ']' without '['", path, line);
            in_vec = 0;
            if (*nlens == capl) {
                capl *= 2;
                int *nl = realloc(*lens, (size_t)capl * sizeof *nl);
                if (!nl)
                    return err_set("%s: out of memory", path);
                *lens = nl;
            }
            (*lens)[(*nlens)++] = cur;
        } else if (in_vec && (isdigit((unsigned char)c) || c == '-' ||
                              c == '+' || c == '.')) {
            char *end;
            double v = strtod(p, &end);
            if (end == p)
                return err_set("%s:%d: bad number", path, line);
            if (*nvals == capv) {
                capv *= 2;
                float *nv = realloc(*vals, (size_t)capv * sizeof *nv);
                if (!nv)
                    return err_set("%s: out of memory", path);
                *vals = nv;
            }
            (*vals)[(*nvals)++] = (float)v;
            cur++;
            p = end - 1;
        } else if (!(isspace((unsigned char)c) || c == ';' || c == ',')) {
            return err_set("%s:%d: unexpected '%c' in '%s'", path, line, c,
                           name);
        }
    }
    return err_set("%s:%d: '%s' is not closed with '}'", path, line, name);
}

/* Read a whole (small) file; NULL with message on error. */
static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        err_set_errno("%s", path);
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (n + 1 < cap)
            break;
        cap *= 2;
        char *nb = realloc(buf, cap);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
    }
    if (!buf)
        err_set("%s: out of memory", path);
    else if (ferror(f)) {
        err_set_errno("%s: read", path);
        free(buf);
        buf = NULL;
    } else
        buf[n] = '\0';
    fclose(f);
    return buf;
}

/**
 * Load one pen trajectory (Chars74K Trj .m file) as a sample.
 *
 * @param[in,out] set     the set
 * @param[in]     path    "rows = {[y...];...}; cols = {[x...];...};"
 * @param[in]     label   class
 * @param[in]     writer  writer id or -1
 * @param[in]     lo      [optional] repeat count
 * @return 0, or -1 with "path:line: ..." in err_get()
 *
 * Notes:
 *   (1) Stroke k pairs rows{k}(j) (y) with cols{k}(j) (x); the two cell
 *       arrays must agree in shape.
 *   (2) The nominal pen is a constant in tablet units (REC__TRAJ_PEN,
 *       about the pen of the Chars74K pictures), not a fraction of the
 *       glyph, so a small letter keeps its bolder look.
 */
int rec_set_add_trajectory(RecSet *set, const char *path, int label, int writer,
                           const RecLoadOptions *lo)
{
    char *text = read_text(path);
    if (!text)
        return -1;
    float *ys = NULL, *xs = NULL;
    int *ly = NULL, *lx = NULL;
    int ny, nx, nly, nlx, rc = -1;
    if (traj_parse_cell(path, text, "rows", &ys, &ny, &ly, &nly) ||
        traj_parse_cell(path, text, "cols", &xs, &nx, &lx, &nlx))
        goto done;
    if (nly != nlx || ny != nx) {
        err_set("%s: rows has %d strokes / %d points but cols %d / %d", path,
                nly, ny, nlx, nx);
        goto done;
    }
    if (ny == 0) {
        err_set("%s: no points", path);
        goto done;
    }
    for (int k = 0; k < nly; k++)
        if (ly[k] != lx[k]) {
            err_set("%s: stroke %d has %d rows but %d cols", path, k + 1, ly[k],
                    lx[k]);
            goto done;
        }
    if (label < 0 || label >= REC_NCLASSES) {
        err_set("%s: label %d outside 0..%d", path, label, REC_NCLASSES - 1);
        goto done;
    }
    RecSample *s = set_push(set, label, writer, REC_KIND_TRAJ, path, lo);
    if (!s)
        goto done;
    for (int k = 0, i = 0; k < nly; k++) {
        for (int j = 0; j < ly[k]; j++, i++)
            if (rec_strokes_add_point(&s->strokes, xs[i], ys[i]))
                goto fail;
        if (rec_strokes_end_stroke(&s->strokes))
            goto fail;
    }
    s->pen = REC__TRAJ_PEN;
    if (rec__augment_render(s, NULL, 0, s->input) < 0) {
        err_prefix("%s", path);
        goto fail;
    }
    set_commit(set);
    rc = 0;
    goto done;
fail:
    sample_cleanup(s);
done:
    free(text);
    free(xs);
    free(ys);
    free(lx);
    free(ly);
    return rc;
}

/* ---- Chars74K ---- */

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/**
 * Load the Chars74K EnglishHnd set.
 *
 * @param[in,out] set           the set
 * @param[in]     dir           folder holding Img/ and Trj/
 * @param[in]     images        load Img/SampleNNN/imgNNN-SSS.png
 * @param[in]     trajectories  load Trj/SampleNNN/imgNNN_SSS.m
 * @param[in]     lo            [optional] writer filters, repeat
 * @return samples added, or -1 (message names the file)
 *
 * Notes:
 *   (1) Class = NNN - 1 (Sample001-010 digits, 011-036 A-Z, 037-062 a-z);
 *       writer = SSS.
 */
int rec_set_add_chars74k(RecSet *set, const char *dir, int images,
                         int trajectories, const RecLoadOptions *lo)
{
    int added = 0;
    char path[4096];
    for (int pass = 0; pass < 2; pass++) {
        if ((pass == 0 && !images) || (pass == 1 && !trajectories))
            continue;
        const char *sub = pass == 0 ? "Img" : "Trj";
        for (int cls = 0; cls < REC_NCLASSES; cls++) {
            char folder[2048];
            snprintf(folder, sizeof folder, "%s/%s/Sample%03d", dir, sub,
                     cls + 1);
            struct dirent **ents;
            int ne = scandir(folder, &ents, NULL, name_cmp);
            if (ne < 0)
                return err_set_errno("Chars74K folder %s", folder);
            int rc = 0;
            for (int e = 0; e < ne; e++) {
                const char *nm = ents[e]->d_name;
                int c, wr;
                char sep = pass == 0 ? '-' : '_';
                char tail[8];
                if (rc == 0 && strlen(nm) >= 12 &&
                    sscanf(nm, "img%3d%*c%3d.%4s", &c, &wr, tail) == 3 &&
                    nm[6] == sep &&
                    strcmp(tail, pass == 0 ? "png" : "m") == 0) {
                    if (c != cls + 1) {
                        rc = err_set("%s/%s: class %d in the name, folder "
                                     "says %d",
                                     folder, nm, c, cls + 1);
                    } else if (keep_writer(lo, wr)) {
                        snprintf(path, sizeof path, "%s/%s", folder, nm);
                        if (pass == 0) {
                            PIX *pix = pixRead(path);
                            if (!pix)
                                rc = err_set("%s: cannot read image", path);
                            else
                                rc = rec_set_add_pix(set, pix, cls, wr,
                                                     REC_KIND_IMAGE, path, lo);
                            pixDestroy(&pix);
                        } else {
                            rc = rec_set_add_trajectory(set, path, cls, wr, lo);
                        }
                        added += rc == 0;
                    }
                }
                free(ents[e]);
            }
            free(ents);
            if (rc)
                return -1;
        }
    }
    return added;
}

/* ---- IDX ---- */

static int idx_header(gzFile f, const char *path, unsigned magic, int ndims,
                      int *dims)
{
    unsigned char hdr[16];
    int need = 4 + 4 * ndims;
    if (gzread(f, hdr, (unsigned)need) != need)
        return err_set("%s: truncated IDX header", path);
    unsigned m = (unsigned)hdr[0] << 24 | (unsigned)hdr[1] << 16 |
                 (unsigned)hdr[2] << 8 | hdr[3];
    if (m != magic)
        return err_set("%s: IDX magic 0x%08x, expected 0x%08x", path, m, magic);
    for (int d = 0; d < ndims; d++) {
        const unsigned char *b = hdr + 4 + 4 * d;
        unsigned long v = (unsigned long)b[0] << 24 |
                          (unsigned long)b[1] << 16 | (unsigned long)b[2] << 8 |
                          b[3];
        if (v == 0 || v > 100000000UL)
            return err_set("%s: IDX dimension %d is %lu", path, d, v);
        dims[d] = (int)v;
    }
    return 0;
}

/**
 * Number of images in an IDX3 file (gzip or raw).
 *
 * @param[in] images  IDX3 ubyte file
 * @return the count, or -1 (unreadable, bad magic; message set)
 */
int rec_idx_count(const char *images)
{
    gzFile f = gzopen(images, "rb");
    if (!f)
        return err_set_errno("%s", images);
    int dims[3];
    int rc = idx_header(f, images, 0x803, 3, dims);
    gzclose(f);
    return rc < 0 ? -1 : dims[0];
}

/**
 * Load IDX images and labels (MNIST layout; gzip or raw).
 *
 * @param[in,out] set     the set
 * @param[in]     images  IDX3 ubyte file (magic 0x803), white ink on black
 * @param[in]     labels  IDX1 ubyte file (magic 0x801), class indices
 * @param[in]     first   first sample to load
 * @param[in]     count   how many (< 0: to the end)
 * @param[in]     lo      [optional] repeat count
 * @return samples added, or -1 (message names the file and sample)
 *
 * Notes:
 *   (1) Labels are class indices, so MNIST's 0..9 are the digit classes.
 *   (2) Images are inverted to dark-on-light and go through the same path
 *       as any picture. Writers are unknown (-1).
 */
int rec_set_add_idx(RecSet *set, const char *images, const char *labels,
                    int first, int count, const RecLoadOptions *lo)
{
    gzFile fi = gzopen(images, "rb"), fl = gzopen(labels, "rb");
    int dims[3], nl, added = 0, rc = -1;
    unsigned char *buf = NULL, *lab = NULL;
    PIX *pix = NULL;
    if (!fi || !fl) {
        err_set_errno("%s", !fi ? images : labels);
        goto done;
    }
    if (idx_header(fi, images, 0x803, 3, dims) ||
        idx_header(fl, labels, 0x801, 1, &nl))
        goto done;
    if (nl != dims[0]) {
        err_set("%s has %d images but %s has %d labels", images, dims[0],
                labels, nl);
        goto done;
    }
    if (first < 0 || first > nl) {
        err_set("%s: first sample %d outside 0..%d", images, first, nl);
        goto done;
    }
    if (count < 0 || first + count > nl)
        count = nl - first;
    int w = dims[2], h = dims[1];
    size_t isz = (size_t)w * (size_t)h;
    buf = malloc(isz);
    lab = malloc((size_t)nl);
    pix = pixCreate(w, h, 8);
    if (!buf || !lab || !pix) {
        err_set("out of memory");
        goto done;
    }
    if (gzread(fl, lab, (unsigned)nl) != nl) {
        err_set("%s: truncated labels", labels);
        goto done;
    }
    if (first > 0 &&
        gzseek(fi, (z_off_t)(16 + isz * (size_t)first), SEEK_SET) < 0) {
        err_set("%s: cannot seek to sample %d", images, first);
        goto done;
    }
    for (int i = first; i < first + count; i++) {
        char name[4200];
        snprintf(name, sizeof name, "%s[%d]", images, i);
        if (gzread(fi, buf, (unsigned)isz) != (int)isz) {
            err_set("%s: truncated at image %d", images, i);
            goto done;
        }
        if (lab[i] >= REC_NCLASSES) {
            err_set("%s: label %d of sample %d outside 0..%d", labels, lab[i],
                    i, REC_NCLASSES - 1);
            goto done;
        }
        l_uint32 *data = pixGetData(pix);
        int wpl = (int)pixGetWpl(pix);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                SET_DATA_BYTE(data + (size_t)y * (size_t)wpl, x,
                              255u - buf[(size_t)y * (size_t)w + (size_t)x]);
        if (rec_set_add_pix(set, pix, lab[i], -1, REC_KIND_IDX, name, lo))
            goto done;
        added++;
    }
    rc = 0;
done:
    if (fi)
        gzclose(fi);
    if (fl)
        gzclose(fl);
    free(buf);
    free(lab);
    pixDestroy(&pix);
    return rc < 0 ? -1 : added;
}

/* ---- CSV and folders ---- */

/* Writer from a Chars74K-style name ".../imgCCC-SSS.ext"; -1 otherwise. */
static int writer_of_path(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    int c, w;
    if (strncmp(b, "img", 3) == 0 && sscanf(b, "img%3d-%3d", &c, &w) == 2)
        return w;
    return -1;
}

static int add_image_file(RecSet *set, const char *path, int label,
                          const RecLoadOptions *lo, int *added)
{
    int wr = writer_of_path(path);
    if (!keep_writer(lo, wr))
        return 0;
    PIX *pix = pixRead(path);
    if (!pix)
        return err_set("%s: cannot read image", path);
    int rc = rec_set_add_pix(set, pix, label, wr, REC_KIND_IMAGE, path, lo);
    pixDestroy(&pix);
    *added += rc == 0;
    return rc;
}

/**
 * Load glyph pictures listed in a CSV file.
 *
 * @param[in,out] set  the set
 * @param[in]     csv  lines "path,char[,more columns]"; a first line whose
 *                     char column is not one character is a header
 * @param[in]     lo   [optional] writer filters (writers come from
 *                     imgCCC-SSS names), repeat
 * @return samples added, or -1 with "csv:line: ..." in err_get()
 */
int rec_set_add_csv(RecSet *set, const char *csv, const RecLoadOptions *lo)
{
    char *text = read_text(csv);
    if (!text)
        return -1;
    char base[4096];
    snprintf(base, sizeof base, "%s", csv);
    char *slash = strrchr(base, '/');
    if (slash)
        slash[1] = '\0';
    else
        base[0] = '\0';
    int added = 0, line = 0, rc = 0;
    for (char *p = text, *nl; p && *p && rc == 0; p = nl) {
        nl = strchr(p, '\n');
        if (nl)
            *nl++ = '\0';
        line++;
        size_t len = strlen(p);
        if (len && p[len - 1] == '\r')
            p[--len] = '\0';
        if (len == 0 || p[0] == '#')
            continue;
        char *comma = strchr(p, ',');
        if (!comma) {
            rc = err_set("%s:%d: expected \"path,char\"", csv, line);
            break;
        }
        *comma = '\0';
        char *ch = comma + 1;
        char *end = strchr(ch, ',');
        if (end)
            *end = '\0';
        /* "," itself cannot be a class, so the char column is plain */
        if (strlen(ch) != 1) {
            if (line == 1 && added == 0)
                continue; /* header */
            rc = err_set("%s:%d:%d: char column '%s' is not one character", csv,
                         line, (int)(ch - p) + 1, ch);
            break;
        }
        int cls = rec_class_of_char((unsigned char)ch[0]);
        if (cls < 0) {
            rc = err_set("%s:%d:%d: '%s' is not one of the %d classes "
                         "(0-9 A-Z a-z)",
                         csv, line, (int)(ch - p) + 1, ch, REC_NCLASSES);
            break;
        }
        char path[8192];
        if (p[0] == '/')
            snprintf(path, sizeof path, "%s", p);
        else
            snprintf(path, sizeof path, "%s%s", base, p);
        if (add_image_file(set, path, cls, lo, &added))
            rc = err_prefix("%s:%d", csv, line);
    }
    free(text);
    return rc ? -1 : added;
}

static int is_image_name(const char *nm)
{
    static const char *ext[] = {".png",  ".jpg", ".jpeg", ".tif",
                                ".tiff", ".pnm", ".pgm",  ".pbm",
                                ".ppm",  ".bmp", ".gif",  ".webp"};
    const char *dot = strrchr(nm, '.');
    if (!dot)
        return 0;
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (strcasecmp(dot, ext[i]) == 0)
            return 1;
    return 0;
}

/* Class of a folder name, or -1. */
static int class_of_folder(const char *nm)
{
    int n;
    if (strlen(nm) == 1)
        return rec_class_of_char((unsigned char)nm[0]);
    if (strncmp(nm, "upper_", 6) == 0 && strlen(nm) == 7 &&
        isupper((unsigned char)nm[6]))
        return rec_class_of_char((unsigned char)nm[6]);
    if (strncmp(nm, "lower_", 6) == 0 && strlen(nm) == 7 &&
        islower((unsigned char)nm[6]))
        return rec_class_of_char((unsigned char)nm[6]);
    if (strncmp(nm, "Sample", 6) == 0 && sscanf(nm + 6, "%d", &n) == 1 &&
        n >= 1 && n <= REC_NCLASSES)
        return n - 1;
    return -1;
}

/**
 * Load a folder of class sub-folders.
 *
 * @param[in,out] set  the set
 * @param[in]     dir  root; sub-folders "A", "a", "7", "upper_A",
 *                     "lower_a" or "SampleNNN"; image files inside
 *                     (png, jpg, tif, pnm, bmp, gif, webp)
 * @param[in]     lo   [optional] writer filters, repeat
 * @return samples added, or -1 (an unknown sub-folder name is an error)
 */
int rec_set_add_dir(RecSet *set, const char *dir, const RecLoadOptions *lo)
{
    struct dirent **ents;
    int ne = scandir(dir, &ents, NULL, name_cmp);
    if (ne < 0)
        return err_set_errno("%s", dir);
    int added = 0, rc = 0, seen = 0;
    char sub[4096], path[8192];
    for (int e = 0; e < ne; e++) {
        const char *nm = ents[e]->d_name;
        if (rc == 0 && nm[0] != '.') {
            snprintf(sub, sizeof sub, "%s/%s", dir, nm);
            struct dirent **fs;
            int nf = scandir(sub, &fs, NULL, name_cmp);
            if (nf >= 0) {
                int cls = class_of_folder(nm);
                if (cls < 0)
                    rc = err_set("%s: folder name is not a class (want one "
                                 "character 0-9 A-Z a-z, upper_X, lower_x "
                                 "or SampleNNN)",
                                 sub);
                for (int f = 0; f < nf; f++) {
                    if (rc == 0 && is_image_name(fs[f]->d_name)) {
                        seen++;
                        snprintf(path, sizeof path, "%s/%s", sub,
                                 fs[f]->d_name);
                        rc = add_image_file(set, path, cls, lo, &added);
                    }
                    free(fs[f]);
                }
                free(fs);
            }
        }
        free(ents[e]);
    }
    free(ents);
    if (rc == 0 && seen == 0)
        return err_set("%s: no glyph images in class sub-folders", dir);
    return rc ? -1 : added;
}

/* ---- Hershey fonts ---- */

/**
 * Add the 62 classes of Hershey stroke fonts.
 *
 * @param[in,out] set    the set
 * @param[in]     dir    folder of .jhf files (/usr/share/hershey-fonts)
 * @param[in]     fonts  [optional] comma-separated base names;
 *                       NULL = REC_HERSHEY_FONTS
 * @param[in]     lo     [optional] repeat
 * @return samples added, or -1 (a missing or bad font names the file)
 *
 * Notes:
 *   (1) The nominal pen is 1/10 of the font's cap height, in font units,
 *       the same for every character, so lower case comes out bolder
 *       relative to its size, as from a real pen.
 */
int rec_set_add_hershey(RecSet *set, const char *dir, const char *fonts,
                        const RecLoadOptions *lo)
{
    char list[1024], path[4096];
    snprintf(list, sizeof list, "%s", fonts ? fonts : REC_HERSHEY_FONTS);
    int added = 0;
    char *save = NULL;
    for (char *nm = strtok_r(list, ",", &save); nm;
         nm = strtok_r(NULL, ",", &save)) {
        snprintf(path, sizeof path, "%s/%s.jhf", dir, nm);
        RecStrokeFont *font = rec_stroke_font_load(path);
        if (!font)
            return -1;
        float cap;
        rec_stroke_font_metrics(font, &cap, NULL);
        for (int cls = 0; cls < REC_NCLASSES; cls++) {
            RecStrokes tmp;
            rec_strokes_init(&tmp);
            int ok = rec_stroke_font_glyph(font, rec_class_chars[cls], &tmp,
                                           NULL, NULL) == 0 &&
                     tmp.npts > 0;
            rec_strokes_cleanup(&tmp);
            if (!ok)
                continue;
            char name[4200];
            snprintf(name, sizeof name, "%s:%c", path, rec_class_chars[cls]);
            RecSample *s = set_push(set, cls, -1, REC_KIND_FONT, name, lo);
            if (!s) {
                rec_stroke_font_destroy(&font);
                return -1;
            }
            s->pen = cap / 10.0f;
            if (rec_stroke_font_glyph(font, rec_class_chars[cls], &s->strokes,
                                      NULL, NULL) ||
                rec__augment_render(s, NULL, 0, s->input) < 0) {
                err_prefix("%s", name);
                sample_cleanup(s);
                rec_stroke_font_destroy(&font);
                return -1;
            }
            set_commit(set);
            added++;
        }
        rec_stroke_font_destroy(&font);
    }
    return added;
}

/* ---- cache ----
 *
 * Format (version 2), every field little-endian, no padding:
 *   u8[8]  magic "INKPSET\0"
 *   u32    version (2)
 *   u32    key length K, u8[K] key (what was loaded; no NUL)
 *   u32    sample count N
 *   N x    i32 label, writer, repeat, kind, cw, ch, npts, nstrokes
 *          f32 pen
 *          u32 name length L, u8[L] name
 *          f32[REC_INPUT_SIZE^2] clean input
 *          u8[cw * ch] ink coverage
 *          f32[2 * npts] stroke points (x, y)
 *          i32[nstrokes] stroke ends
 *   u32    CRC-32 (zlib) of everything before it
 * Version 1 ("INKPSET1") was the same records in the writer's native byte
 * order, without the version field and the CRC; it is refused (the caller
 * rebuilds the cache). */

#define CACHE_MAGIC "INKPSET" /* + NUL: 8 bytes */
#define CACHE_VERSION 2u
#define CACHE_MAX_FILE (SIZE_MAX / 4) /* records bound the real size */
#define CACHE_MAX_KEY 1000000u
#define CACHE_MAX_NAME 4199u

static void cache_put_str(BinBuf *b, const char *s)
{
    size_t n = strlen(s);
    binio_buf_u32(b, (uint32_t)n);
    binio_buf_write(b, s, n);
}

/**
 * Save a loaded set to a cache file.
 *
 * @param[in] set   the set
 * @param[in] path  file to write (path.tmp, then renamed)
 * @param[in] key   what was loaded (checked by rec_set_load)
 * @return 0, or -1 with a message naming the file
 *
 * Notes:
 *   (1) Format version 2 (above): little-endian, with a CRC, the same
 *       bytes on every machine.
 */
int rec_set_save(const RecSet *set, const char *path, const char *key)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return err_set("%s: path too long", path);
    BinBuf b = {0};
    binio_buf_write(&b, CACHE_MAGIC, 8);
    binio_buf_u32(&b, CACHE_VERSION);
    cache_put_str(&b, key);
    binio_buf_u32(&b, (uint32_t)set->n);
    for (int i = 0; i < set->n; i++) {
        const RecSample *s = &set->s[i];
        const int32_t hdr[8] = {
            s->label, s->writer, s->repeat,       (int32_t)s->kind,
            s->cw,    s->ch,     s->strokes.npts, s->strokes.nstrokes};
        for (int k = 0; k < 8; k++)
            binio_buf_i32(&b, hdr[k]);
        binio_buf_f32(&b, s->pen);
        cache_put_str(&b, s->name);
        for (int k = 0; k < NIN; k++)
            binio_buf_f32(&b, s->input[k]);
        binio_buf_write(&b, s->cov, (size_t)s->cw * (size_t)s->ch);
        for (int k = 0; k < s->strokes.npts; k++) {
            binio_buf_f32(&b, s->strokes.pts[k].x);
            binio_buf_f32(&b, s->strokes.pts[k].y);
        }
        for (int k = 0; k < s->strokes.nstrokes; k++)
            binio_buf_i32(&b, s->strokes.ends[k]);
    }
    binio_buf_crc32(&b);
    int rc = b.oom ? err_set("%s: out of memory", path)
                   : binio_file_write(tmp, b.p, b.n);
    binio_buf_cleanup(&b);
    if (rc < 0) {
        remove(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        remove(tmp);
        return err_set_errno("rename %s", path);
    }
    return 0;
}

/* Append stroke end e to s (the ends are stored as saved, not recomputed
 * from end_stroke). Returns 0 or -1 (out of memory). */
static int strokes_push_end(RecStrokes *s, int e)
{
    if (s->nstrokes == s->cap_strokes) {
        int cap = s->cap_strokes ? 2 * s->cap_strokes : 16;
        int *ne = realloc(s->ends, (size_t)cap * sizeof *ne);
        if (!ne)
            return -1;
        s->ends = ne;
        s->cap_strokes = cap;
    }
    s->ends[s->nstrokes++] = e;
    return 0;
}

/* Read one sample's record into set. Returns 0; -1 when the record is
 * damaged (a short read: r->failed and its message set; or a field out of
 * range: no message); -2 out of memory (message set). */
static int cache_get_sample(BinReader *r, RecSet *set)
{
    int32_t hdr[8];
    for (int k = 0; k < 8; k++)
        hdr[k] = binio_read_i32(r, "sample header");
    float pen = binio_read_f32(r, "pen width");
    uint32_t nl = binio_read_u32(r, "name length");
    if (r->failed || nl > CACHE_MAX_NAME)
        return -1;
    const unsigned char *nm = binio_read_bytes(r, nl, "name");
    if (!nm)
        return -1;
    char name[CACHE_MAX_NAME + 1];
    memcpy(name, nm, nl);
    name[nl] = '\0';
    if (hdr[0] < 0 || hdr[0] >= REC_NCLASSES || hdr[4] < 0 || hdr[5] < 0 ||
        hdr[4] > 100000 || hdr[5] > 100000 || hdr[6] < 0 || hdr[7] < 0 ||
        hdr[6] > 10000000 || hdr[7] > hdr[6] || hdr[3] < 0 ||
        hdr[3] >= REC_NKINDS)
        return -1;
    RecLoadOptions lo;
    rec_load_options_init(&lo);
    lo.repeat = hdr[2];
    RecSample *s =
        set_push(set, hdr[0], hdr[1], (RecSampleKind)hdr[3], name, &lo);
    if (!s)
        return -2;
    s->pen = pen;
    s->cw = hdr[4];
    s->ch = hdr[5];
    int rc = 0;
    for (int k = 0; k < NIN; k++)
        s->input[k] = binio_read_f32(r, "input");
    size_t cs = (size_t)s->cw * (size_t)s->ch;
    if (cs) {
        const unsigned char *c = binio_read_bytes(r, cs, "ink coverage");
        if (!c)
            rc = -1;
        else if (!(s->cov = malloc(cs)))
            rc = -2;
        else
            memcpy(s->cov, c, cs);
    }
    for (int j = 0; rc == 0 && j < hdr[6]; j++) {
        float x = binio_read_f32(r, "stroke point");
        float y = binio_read_f32(r, "stroke point");
        if (r->failed)
            rc = -1;
        else if (rec_strokes_add_point(&s->strokes, x, y))
            rc = -2;
    }
    for (int j = 0; rc == 0 && j < hdr[7]; j++) {
        int32_t e = binio_read_i32(r, "stroke end");
        if (r->failed || e <= 0 || e > hdr[6])
            rc = -1;
        else if (strokes_push_end(&s->strokes, e))
            rc = -2;
    }
    if (rc == 0 && r->failed)
        rc = -1;
    if (rc == -2)
        err_set("out of memory");
    if (rc < 0) {
        sample_cleanup(s);
        return rc;
    }
    set_commit(set);
    return 0;
}

/**
 * Load a set saved by rec_set_save().
 *
 * @param[in] path  cache file
 * @param[in] key   what the caller would load; must equal the saved key
 * @return new set (caller owns; rec_set_destroy()), or NULL with a message
 *         naming path: missing, not a set cache, another format version
 *         (e.g. 1, the native-endian one: rebuild it), cache of other data
 *         (another key), damaged (CRC, a field out of range, short)
 */
RecSet *rec_set_load(const char *path, const char *key)
{
    size_t size = 0;
    unsigned char *buf = binio_file_read(path, CACHE_MAX_FILE, &size);
    if (!buf)
        return NULL;
    RecSet *set = NULL;
    BinReader r;
    binio_reader_init(&r, buf, size, path, "set cache");
    const unsigned char *magic = binio_read_bytes(&r, 8, "magic");
    if (!magic || memcmp(magic, CACHE_MAGIC, 7) != 0 ||
        (magic[7] != '\0' && magic[7] != '1')) {
        err_set("%s: not a set cache", path);
        goto fail;
    }
    uint32_t version = magic[7] == '1' ? 1 : binio_read_u32(&r, "version");
    if (r.failed)
        goto fail;
    if (version != CACHE_VERSION) {
        err_set("%s: set cache version %u, this build reads %u", path,
                version, CACHE_VERSION);
        goto fail;
    }
    if (size - r.pos < 4 ||
        binio_crc32(0, buf, size - 4) != binio_get_u32(buf + size - 4)) {
        err_set("%s: damaged set cache (checksum mismatch)", path);
        goto fail;
    }
    /* The records, on a reader that ends where the CRC begins. */
    size_t start = r.pos;
    binio_reader_init(&r, buf, size - 4, path, "set cache");
    binio_read_bytes(&r, start, "header");
    uint32_t kl = binio_read_u32(&r, "key length");
    const unsigned char *k = kl <= CACHE_MAX_KEY
                                 ? binio_read_bytes(&r, kl, "key") : NULL;
    if (!k)
        goto bad;
    if (kl != strlen(key) || memcmp(k, key, kl) != 0) {
        err_set("%s: cache of other data", path);
        goto fail;
    }
    uint32_t n = binio_read_u32(&r, "sample count");
    if (r.failed)
        goto bad;
    if (!(set = rec_set_create())) {
        err_set("%s: out of memory", path);
        goto fail;
    }
    for (uint32_t i = 0; i < n; i++) {
        int rc = cache_get_sample(&r, set);
        if (rc == -2) {
            err_prefix("%s", path);
            goto fail;
        }
        if (rc < 0)
            goto bad;
    }
    if (r.pos != size - 4)
        goto bad; /* bytes after the last sample */
    free(buf);
    return set;
bad:
    /* a short read has set "PATH: truncated set cache: FIELD at byte N" */
    if (!r.failed)
        err_set("%s: damaged set cache", path);
fail:
    free(buf);
    rec_set_destroy(&set);
    return NULL;
}

void rec_set_set_repeat(RecSet *set, RecSampleKind kind, int repeat)
{
    for (int i = 0; i < set->n; i++)
        if (set->s[i].kind == kind)
            set->s[i].repeat = repeat < 1 ? 1 : repeat;
    set_recount(set);
}

int rec_set_set_quota(RecSet *set, RecSampleKind kind, int quota)
{
    if ((int)kind < 0 || (int)kind >= REC_NKINDS || quota < 0)
        return err_set("rec_set_set_quota: bad kind %d or quota %d", (int)kind,
                       quota);
    free(set->pool[kind]);
    set->pool[kind] = NULL;
    set->npool[kind] = 0;
    set->quota[kind] = 0;
    if (quota > 0) {
        int n = 0;
        for (int i = 0; i < set->n; i++)
            n += set->s[i].kind == kind;
        if (n > 0) {
            set->pool[kind] = malloc((size_t)n * sizeof(int));
            if (!set->pool[kind])
                return err_set("rec_set_set_quota: out of memory");
            for (int i = 0; i < set->n; i++)
                if (set->s[i].kind == kind)
                    set->pool[kind][set->npool[kind]++] = i;
            set->quota[kind] = quota;
        }
    }
    set_recount(set);
    return 0;
}

/* ---- class priors ---- */

/**
 * Balance a trained net's output biases against the class frequencies of
 * its training set.
 *
 * @param[in]     set  the training set, with its repeats and quotas
 * @param[in,out] net  trained net; its last dense layer's biases change
 * @return 0, or -1 (net without a dense output layer, empty set)
 *
 * Notes:
 *   (1) Frequencies per epoch: each sample's repeat count; a quota kind
 *       spreads its quota over its pool's classes.
 *   (2) b_c -= log p_c - mean(log p); the arg-max then follows the
 *       likelihood under equal priors, which is how eval counts (every
 *       class equally) and close to text, where letters outnumber digits.
 *       --charset digits is unaffected when the digits share one prior.
 */
static int balance_net(const RecSet *set, RecNet *net, double sign)
{
    double cnt[REC_NCLASSES] = {0};
    int kind_n[REC_NKINDS] = {0};
    for (int i = 0; i < set->n; i++)
        kind_n[set->s[i].kind]++;
    for (int i = 0; i < set->n; i++) {
        const RecSample *s = &set->s[i];
        if (set->quota[s->kind] > 0)
            cnt[s->label] +=
                (double)set->quota[s->kind] / (double)kind_n[s->kind];
        else
            cnt[s->label] += s->repeat;
    }
    int last = -1;
    for (int i = 0; i < net->nl; i++)
        if (net->l[i].type == REC__DENSE)
            last = i;
    if (last < 0 || net->l[last].cout != REC_NCLASSES)
        return err_set("rec_set_balance_net: net has no %d-way output layer",
                       REC_NCLASSES);
    double tot = 0, mean = 0;
    int present = 0;
    for (int c = 0; c < REC_NCLASSES; c++)
        tot += cnt[c];
    if (tot <= 0)
        return err_set("rec_set_balance_net: empty set");
    for (int c = 0; c < REC_NCLASSES; c++)
        if (cnt[c] > 0) {
            mean += log(cnt[c] / tot);
            present++;
        }
    mean /= present;
    float *b = net->params + net->l[last].b_off;
    for (int c = 0; c < REC_NCLASSES; c++)
        if (cnt[c] > 0)
            b[c] -= (float)(sign * (log(cnt[c] / tot) - mean));
    return 0;
}

int rec_set_balance_net(const RecSet *set, RecNet *net)
{
    return balance_net(set, net, 1.0);
}

/**
 * Undo rec_set_balance_net(set, net): add the set's centred log class
 * frequencies back to the output biases.
 *
 * @param[in]     set  the training set the net will be fine-tuned on
 * @param[in,out] net  a net with a 62-way last dense layer
 * @return 0, or -1 (no such layer, empty set; message set)
 *
 * Notes:
 *   (1) Used by `inkpipe train --init`: a bundled model's biases were
 *       shifted to equal priors; training on from them with the shift in
 *       place and balancing again at the end would shift twice.
 */
int rec_set_unbalance_net(const RecSet *set, RecNet *net)
{
    return balance_net(set, net, -1.0);
}

/* ---- accessors and the source ---- */

int rec_set_count(const RecSet *set)
{
    return set->n;
}

int rec_set_label(const RecSet *set, int i)
{
    return set->s[i].label;
}

int rec_set_writer(const RecSet *set, int i)
{
    return set->s[i].writer;
}

RecSampleKind rec_set_kind(const RecSet *set, int i)
{
    return set->s[i].kind;
}

const char *rec_set_name(const RecSet *set, int i)
{
    return set->s[i].name;
}

const float *rec_set_input(const RecSet *set, int i)
{
    return set->s[i].input;
}

/**
 * Render sample i, augmented or clean.
 *
 * @param[in]  set   the set
 * @param[in]  i     sample index
 * @param[in]  aug   [optional] augmentation ranges; NULL = clean input
 * @param[in]  seed  draws the augmentation
 * @param[out] dst   REC_INPUT_SIZE^2 floats
 * @return 0, or -1 (bad index)
 *
 * Notes:
 *   (1) A draw so extreme that nothing survives binarisation falls back to
 *       the clean input, so a long training run never stops on one sample.
 */
int rec_set_render(const RecSet *set, int i, const RecAugment *aug,
                   uint64_t seed, float *dst)
{
    if (i < 0 || i >= set->n)
        return err_set("sample %d outside 0..%d", i, set->n - 1);
    const RecSample *s = &set->s[i];
    if (aug && rec__augment_render(s, aug, seed, dst) == 0)
        return 0;
    memcpy(dst, s->input, NIN * sizeof(float));
    return 0;
}

static int set_source_get(void *ctx, int64_t k, uint64_t seed, float *x,
                          int *label)
{
    const RecSetSource *ss = ctx;
    const RecSet *set = ss->set;
    int64_t base = set->n ? set->cum[set->n - 1] : 0;
    if (k >= base && k >= 0) {
        /* quota draws, kind by kind */
        int64_t j = k - base;
        for (int kind = 0; kind < REC_NKINDS; kind++) {
            if (!set->quota[kind])
                continue;
            if (j < set->quota[kind]) {
                uint64_t h = rng_mix2(seed ^ 0x51ED27ULL, (uint64_t)k);
                int i = set->pool[kind][h % (uint64_t)set->npool[kind]];
                *label = set->s[i].label;
                return rec_set_render(set, i, ss->aug,
                                      rng_mix2(seed, (uint64_t)k), x);
            }
            j -= set->quota[kind];
        }
    }
    if (k < 0 || k >= base)
        return err_set("source sample %lld out of range", (long long)k);
    /* first i with cum[i] > k */
    int lo = 0, hi = set->n - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (set->cum[mid] > k)
            hi = mid;
        else
            lo = mid + 1;
    }
    *label = set->s[lo].label;
    return rec_set_render(set, lo, ss->aug, rng_mix2(seed, (uint64_t)k), x);
}

void rec_set_source(RecSetSource *ctx, const RecSet *set, const RecAugment *aug,
                    RecSource *src)
{
    ctx->set = set;
    ctx->aug = aug;
    src->get = set_source_get;
    src->ctx = ctx;
    src->n = set->n ? set->cum[set->n - 1] : 0;
    for (int k = 0; k < REC_NKINDS; k++)
        src->n += set->quota[k];
}
