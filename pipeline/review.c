/*
 * review.c - the review page of a job from its outputs (review.h).
 *
 * Design: three passes. (1) Walk output.dir (symlinks are not followed)
 * for NAME.json (form fields, preferred) and NAME.hocr (words); sorted by
 * name so the page is the same for the same outputs. (2) Fill an OutReview:
 * a field or a word is an item, its characters with boxes are glyphs;
 * out_review_select() picks what gets a crop. (3) Per page, decode the
 * source image once (input/page.h, the job's pixel limit), write a page
 * picture at most page_width wide (JPEG) and the crops (PNG, full
 * resolution: they are training material) into a fresh folder, swap it
 * for FILE_files/, then publish FILE.html by temp file + rename.
 *
 * Why files beside the HTML and not data: URIs: `inkpipe train --csv`
 * reads glyph pictures from files, so the corrections a person exports
 * must name files; a job of hundreds of pages would make a single HTML
 * file of hundreds of MB that browsers parse slowly; the browser loads
 * pictures lazily from files. The folder holds only what the page shows
 * (max_items, per_char caps), so it stays small.
 */
#include "pipeline/review.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/fsutil.h"
#include "input/page.h"
#include "output/output.h"

#define WALK_DEPTH 32
#define CROP_MARGIN 2

/** Defaults: threshold 0.8, 500 items, 60 glyphs per character, pictures
 * 1000 px wide. */
void review_options_init(ReviewOptions *o)
{
    o->threshold = 0.8;
    o->max_items = 500;
    o->per_char = 60;
    o->page_width = 1000;
}

/* ---- pass 1: the outputs ---- */

typedef struct {
    char *rel; /* without extension */
    int hocr, json;
} Entry;

typedef struct {
    Entry *e;
    int n, cap;
    dev_t skip_dev;
    ino_t skip_ino;
    int skip; /* the review's own folder (when it lies under output.dir) */
} Entries;

static int entry_add(Entries *es, const char *rel, size_t n, int json)
{
    for (int i = es->n - 1; i >= 0 && i >= es->n - 2; i--)
        if (strlen(es->e[i].rel) == n && !memcmp(es->e[i].rel, rel, n)) {
            *(json ? &es->e[i].json : &es->e[i].hocr) = 1;
            return 0;
        }
    if (es->n == es->cap) {
        int nc = es->cap ? es->cap * 2 : 64;
        Entry *q = realloc(es->e, (size_t)nc * sizeof *q);
        if (!q)
            return err_set("out of memory");
        es->e = q;
        es->cap = nc;
    }
    Entry *e = &es->e[es->n];
    memset(e, 0, sizeof *e);
    if (!(e->rel = strndup(rel, n)))
        return err_set("out of memory");
    *(json ? &e->json : &e->hocr) = 1;
    es->n++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    return n > k && !strcmp(s + n - k, suf);
}

/* Walk dfd (path rel, "" at the top) in name order. */
static int walk(int dfd, const char *rel, const char *top, Entries *es,
                int depth)
{
    if (depth > WALK_DEPTH)
        return err_set("%s/%s: folders nested deeper than %d", top, rel,
                       WALK_DEPTH);
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return err_set_errno("%s/%s", top, rel);
    }
    char **names = NULL;
    int n = 0, cap = 0, rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **q = realloc(names, (size_t)cap * sizeof *q);
            if (!q) {
                rc = err_set("out of memory");
                break;
            }
            names = q;
        }
        if (!(names[n] = strdup(de->d_name)))
            rc = err_set("out of memory");
        else
            n++;
    }
    if (rc == 0 && n > 0)
        qsort(names, (size_t)n, sizeof *names, cmp_str);
    for (int i = 0; rc == 0 && i < n; i++) {
        struct stat st;
        char sub[8192];
        snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", names[i]);
        if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue; /* vanished */
        if (S_ISDIR(st.st_mode)) {
            if (es->skip && st.st_dev == es->skip_dev &&
                st.st_ino == es->skip_ino)
                continue;
            int sfd = openat(dirfd(d), names[i],
                             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sfd < 0)
                rc = err_set_errno("%s/%s", top, sub);
            else
                rc = walk(sfd, sub, top, es, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            if (ends_with(sub, ".hocr"))
                rc = entry_add(es, sub, strlen(sub) - 5, 0);
            else if (ends_with(sub, ".json"))
                rc = entry_add(es, sub, strlen(sub) - 5, 1);
        }
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return rc;
}

/* ---- pass 2: items and glyphs ---- */

static int put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Add a page whose source image is src as written in the output file
 * out_path: a relative src is first taken from out_path's folder (hOCR,
 * ALTO and JSON name it from there), else kept as written (find_source
 * tries the current folder, then the job file's). Returns as
 * out_review_add_page. */
static int add_page_from(OutReview *rv, const char *out_path, const char *src,
                         int pageno, int w, int h)
{
    const char *slash = strrchr(out_path, '/');
    if (src && src[0] != '/' && slash) {
        char buf[8192];
        snprintf(buf, sizeof buf, "%.*s/%s", (int)(slash - out_path),
                 out_path, src);
        if (access(buf, R_OK) == 0)
            return out_review_add_page(rv, buf, pageno, w, h);
    }
    return out_review_add_page(rv, src, pageno, w, h);
}

static int add_hocr(OutReview *rv, const char *path, const ReviewOptions *o)
{
    OutPage **pages = NULL;
    int np = 0, rc = 0;
    if (out_hocr_read(path, &pages, &np) < 0)
        return -1;
    for (int pi = 0; rc == 0 && pi < np; pi++) {
        const OutPage *p = pages[pi];
        if (add_page_from(rv, path, p->image, p->pageno, p->width,
                          p->height) < 0) {
            rc = err_prefix("%s", path);
            break;
        }
        for (int wi = 0; rc == 0 && wi < p->n_words; wi++) {
            const OutWord *w = &p->words[wi];
            if (w->n_glyphs == 0)
                continue;
            char *val = malloc((size_t)w->n_glyphs * 4 + 1);
            if (!val) {
                rc = err_set("out of memory");
                break;
            }
            size_t k = 0;
            double conf = 1.0;
            for (int g = w->first_glyph; g < w->first_glyph + w->n_glyphs;
                 g++) {
                k += (size_t)put_utf8(val + k, p->glyphs[g].codepoint);
                conf *= p->glyphs[g].conf;
            }
            val[k] = '\0';
            rc = out_review_add_item(rv, NULL, val, conf, conf < o->threshold,
                                     w->box) < 0;
            free(val);
            for (int g = w->first_glyph;
                 rc == 0 && g < w->first_glyph + w->n_glyphs; g++)
                rc = out_review_add_glyph(rv, p->glyphs[g].codepoint,
                                          p->glyphs[g].conf,
                                          p->glyphs[g].box) < 0;
            if (rc)
                rc = -1;
        }
    }
    for (int i = 0; i < np; i++)
        out_page_destroy(&pages[i]);
    free(pages);
    return rc;
}

static int json_box(json_t *a, OutBox *b)
{
    double v[4];
    if (!json_is_array(a) || json_array_size(a) != 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        json_t *x = json_array_get(a, (size_t)i);
        if (!json_is_number(x))
            return -1;
        v[i] = json_number_value(x);
        if (!(v[i] >= 0 && v[i] < 1e7))
            return -1;
    }
    if (v[2] < v[0] || v[3] < v[1])
        return -1;
    *b = (OutBox){(int)v[0], (int)v[1], (int)v[2], (int)v[3]};
    return 0;
}

static double json_conf(json_t *o, int *ok)
{
    json_t *c = json_object_get(o, "confidence");
    if (!c)
        c = json_object_get(o, "conf");
    *ok = json_is_number(c) && json_number_value(c) >= 0 &&
          json_number_value(c) <= 1;
    return *ok ? json_number_value(c) : 0;
}

/* The character of one element of a field's "chars": "char" (or "c",
 * "value", "text"), else the first of "alternatives"; confidence likewise.
 * Returns 0 when it has a box and one character. */
static int json_char(json_t *c, uint32_t *cp, double *conf, OutBox *box)
{
    if (!json_is_object(c) || json_box(json_object_get(c, "bbox"), box) < 0)
        return -1;
    json_t *src = c, *alts = json_object_get(c, "alternatives");
    static const char *const keys[] = {"char", "c", "value", "text"};
    const char *s = NULL;
    for (int pass = 0; pass < 2 && !s; pass++) {
        for (size_t k = 0; k < 4 && !s; k++)
            s = json_string_value(json_object_get(src, keys[k]));
        if (!s && json_is_array(alts) && json_array_size(alts) > 0)
            src = json_array_get(alts, 0);
        else
            break;
    }
    if (!s || !*s)
        return -1;
    const unsigned char *u = (const unsigned char *)s;
    int len = u[0] < 0x80 ? 1 : u[0] >= 0xF0 ? 4 : u[0] >= 0xE0 ? 3 : 2;
    uint32_t v = len == 1 ? u[0] : (uint32_t)(u[0] & (0x3F >> (len - 1)));
    for (int i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return -1;
        v = (v << 6) | (u[i] & 0x3F);
    }
    if (u[len] != '\0')
        return -1;
    *cp = v;
    int ok;
    *conf = json_conf(src, &ok);
    if (!ok)
        *conf = json_conf(c, &ok);
    if (!ok)
        *conf = 1.0;
    return 0;
}

static int add_json(OutReview *rv, const char *path, const ReviewOptions *o)
{
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return err_set("%s:%d:%d: %s", path, je.line, je.column, je.text);
    int rc = 0;
    json_t *src = json_object_get(root, "source");
    json_t *pages = json_object_get(root, "pages");
    if (!json_is_object(root) || !json_is_string(src) ||
        !json_is_array(pages)) {
        rc = err_set("%s: expected {\"source\": PATH, \"pages\": [...]}",
                     path);
        goto done;
    }
    size_t pi;
    json_t *pg;
    json_array_foreach(pages, pi, pg)
    {
        json_t *no = json_object_get(pg, "page");
        json_t *fields = json_object_get(pg, "fields");
        if (!json_is_integer(no) || json_integer_value(no) < 0 ||
            json_integer_value(no) > 1000000 || !json_is_array(fields)) {
            rc = err_set("%s: pages[%zu]: expected {\"page\": N, \"fields\": "
                         "[...]}",
                         path, pi);
            goto done;
        }
        /* the page size is known when its image is read (pass 3); until
         * then the extent of its boxes */
        int w = 1, h = 1;
        size_t fi;
        json_t *f;
        json_array_foreach(fields, fi, f)
        {
            OutBox b;
            if (json_box(json_object_get(f, "bbox"), &b) == 0) {
                w = b.x1 > w ? b.x1 : w;
                h = b.y1 > h ? b.y1 : h;
            }
        }
        if (add_page_from(rv, path, json_string_value(src),
                          (int)json_integer_value(no), w, h) < 0) {
            rc = err_prefix("%s", path);
            goto done;
        }
        json_array_foreach(fields, fi, f)
        {
            OutBox b;
            int ok;
            double conf = json_conf(f, &ok);
            json_t *val = json_object_get(f, "value");
            json_t *nm = json_object_get(f, "name");
            json_t *lab = json_object_get(f, "label");
            json_t *nr = json_object_get(f, "needs_review");
            if (!json_is_object(f) ||
                json_box(json_object_get(f, "bbox"), &b) < 0 || !ok ||
                !(json_is_string(val) || json_is_null(val)) ||
                !(json_is_string(nm) || json_is_null(nm) || !nm)) {
                rc = err_set("%s: pages[%zu].fields[%zu]: expected \"value\" "
                             "(string or null), \"confidence\" (0-1) and "
                             "\"bbox\" [x0, y0, x1, y1]",
                             path, pi, fi);
                goto done;
            }
            /* "name (label)" when both are there and differ */
            const char *name = json_string_value(nm);
            const char *label = json_string_value(lab);
            char shown[1024];
            if (name && label && *label && strcmp(name, label)) {
                snprintf(shown, sizeof shown, "%s (%s)", name, label);
                name = shown;
            } else if (!name || !*name) {
                name = label && *label ? label : NULL;
            }
            int needs = json_is_boolean(nr) ? json_is_true(nr)
                                            : conf < o->threshold;
            if (out_review_add_item(rv, name,
                                    json_string_value(val), conf, needs,
                                    b) < 0) {
                rc = -1;
                goto done;
            }
            size_t ci;
            json_t *c;
            json_array_foreach(json_object_get(f, "chars"), ci, c)
            {
                uint32_t cp;
                double cc;
                OutBox cb;
                if (json_char(c, &cp, &cc, &cb) == 0 &&
                    out_review_add_glyph(rv, cp, cc, cb) < 0) {
                    rc = -1;
                    goto done;
                }
            }
        }
    }
done:
    json_decref(root);
    return rc;
}

/* ---- pass 3: pictures and crops ---- */

/* An 8-bit grey or 32-bit colour copy of pix without colormap. */
static PIX *viewable(PIX *pix)
{
    if (pixGetDepth(pix) == 32)
        return pixClone(pix);
    if (pixGetColormap(pix))
        return pixRemoveColormap(pix, REMOVE_CMAP_BASED_ON_SRC);
    return pixConvertTo8(pix, 0);
}

static int write_crop(PIX *page, OutBox b, int margin, const char *dir,
                      const char *name, const char *prefix, char **href,
                      ReviewStats *st)
{
    int w = pixGetWidth(page), h = pixGetHeight(page);
    int x0 = b.x0 - margin, y0 = b.y0 - margin;
    int x1 = b.x1 + margin, y1 = b.y1 + margin;
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > w ? w : x1;
    y1 = y1 > h ? h : y1;
    if (x1 - x0 < 1 || y1 - y0 < 1)
        return 0; /* outside the picture: no crop */
    BOX *box = boxCreate(x0, y0, x1 - x0, y1 - y0);
    PIX *c = box ? pixClipRectangle(page, box, NULL) : NULL;
    boxDestroy(&box);
    char path[8192], rel[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int bad = !c || pixWrite(path, c, IFF_PNG) != 0;
    pixDestroy(&c);
    if (bad)
        return err_set("%s: cannot write the crop", path);
    snprintf(rel, sizeof rel, "%s/%s", prefix, name);
    st->crops++;
    return out_review_set_href(href, rel);
}

/* The source image's path: as written, else relative to the job file. */
static const char *find_source(const Job *job, const char *src, char *buf,
                               size_t n)
{
    if (src[0] == '/' || access(src, R_OK) == 0)
        return src;
    snprintf(buf, n, "%s/%s", job->dir, src);
    return buf;
}

static int pictures(OutReview *rv, const Job *job, const ReviewOptions *o,
                    const char *dir, const char *prefix, ReviewStats *st)
{
    int ni = 0, ng = 0;
    for (int pi = 0; pi < rv->n_pages; pi++) {
        OutReviewPage *p = &rv->pages[pi];
        char buf[8192], name[64];
        const char *src = find_source(job, p->source, buf, sizeof buf);
        PIX *raw = page_read(src, p->pageno, job->chain.max_pixels);
        PIX *pix = raw ? viewable(raw) : NULL;
        pixDestroy(&raw);
        if (!pix) {
            st->missing_images++;
            err_clear();
            continue;
        }
        p->width = pixGetWidth(pix);
        p->height = pixGetHeight(pix);
        double s = p->width > o->page_width ? (double)o->page_width / p->width
                                            : 1.0;
        PIX *small = s < 1.0 ? pixScale(pix, (float)s, (float)s)
                             : pixClone(pix);
        snprintf(name, sizeof name, "p%04d.jpg", pi + 1);
        char path[8192], rel[1024];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        int bad = !small || pixWrite(path, small, IFF_JFIF_JPEG) != 0;
        pixDestroy(&small);
        if (bad) {
            pixDestroy(&pix);
            return err_set("%s: cannot write the page picture", path);
        }
        snprintf(rel, sizeof rel, "%s/%s", prefix, name);
        if (out_review_set_href(&p->image, rel) < 0) {
            pixDestroy(&pix);
            return -1;
        }
        int rc = 0;
        for (int i = p->first_item; rc == 0 && i < p->first_item + p->n_items;
             i++) {
            OutReviewItem *it = &rv->items[i];
            if (it->listed) {
                snprintf(name, sizeof name, "i%06d.png", ++ni);
                rc = write_crop(pix, it->box, CROP_MARGIN * 2, dir, name,
                                prefix, &it->crop, st);
            }
            for (int g = it->first_glyph;
                 rc == 0 && g < it->first_glyph + it->n_glyphs; g++) {
                OutReviewGlyph *x = &rv->glyphs[g];
                if (!it->listed && !x->grouped)
                    continue;
                snprintf(name, sizeof name, "g%06d.png", ++ng);
                rc = write_crop(pix, x->box, CROP_MARGIN, dir, name, prefix,
                                &x->crop, st);
            }
        }
        pixDestroy(&pix);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* Remove a flat folder of our pictures (no sub-folders). */
static void remove_flat(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            unlinkat(dirfd(d), de->d_name, 0);
    closedir(d);
    rmdir(dir);
}

static int write_cb(FILE *fp, void *ctx)
{
    return out_review_write(fp, ctx);
}

/**
 * Write the review page of a job (review.h).
 *
 * @param[in]  job        the loaded job (its output.dir is read)
 * @param[in]  html_path  the page to write, ending in ".html"
 * @param[in]  o          options (review_options_init)
 * @param[out] st         [optional] what was found and written
 * @return 0, or -1 with a message naming the file in err_get()
 *
 * Notes:
 *   (1) Pictures go to html_path without ".html" plus "_files/": written
 *       into a new folder first, which then replaces the old one, so
 *       crops of an earlier review never mix with this one's.
 *   (2) A source image that cannot be read leaves its page without a
 *       picture and crops (counted in st->missing_images); the page still
 *       lists its items.
 *   (3) A job without any .hocr or .json output is an error (run it first).
 */
int review_write(const Job *job, const char *html_path, const ReviewOptions *o,
                 ReviewStats *st)
{
    ReviewStats dummy;
    if (!st)
        st = &dummy;
    memset(st, 0, sizeof *st);
    if (!ends_with(html_path, ".html"))
        return err_set("%s: the review page must end in .html", html_path);
    const char *slash = strrchr(html_path, '/');
    const char *base = slash ? slash + 1 : html_path;
    char dir[4096], files[4096 + 300], tmp[4096 + 320], old[4096 + 320];
    char prefix[300];
    size_t dl = slash ? (size_t)(slash - html_path) : 0;
    if (dl >= sizeof dir || strlen(base) > 240)
        return err_set("%s: path too long", html_path);
    memcpy(dir, html_path, dl);
    dir[dl] = '\0';
    if (!slash)
        strcpy(dir, ".");
    else if (dl == 0)
        strcpy(dir, "/");
    snprintf(prefix, sizeof prefix, "%.*s_files", (int)(strlen(base) - 5),
             base);
    snprintf(files, sizeof files, "%s/%s", dir, prefix);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp-%ld", dir, prefix, (long)getpid());
    snprintf(old, sizeof old, "%s/.%s.old-%ld", dir, prefix, (long)getpid());

    Entries es = {0};
    struct stat fst;
    if (lstat(files, &fst) == 0) {
        if (!S_ISDIR(fst.st_mode))
            return err_set("%s exists and is not a folder", files);
        es.skip = 1;
        es.skip_dev = fst.st_dev;
        es.skip_ino = fst.st_ino;
    }
    int ofd = fs_open_dir(job->output_dir, 0);
    if (ofd < 0)
        return err_prefix("output.dir %s (run the job first)",
                          job->output_dir);
    int rc = walk(ofd, "", job->output_dir, &es, 0); /* closes ofd */
    OutReview *rv = NULL;
    if (rc == 0 && es.n == 0)
        rc = err_set("%s: no .hocr or .json outputs (run the job first, with "
                     "hocr among output.formats)",
                     job->output_dir);
    if (rc == 0 && !(rv = out_review_create(job->name, o->threshold)))
        rc = -1;
    for (int i = 0; rc == 0 && i < es.n; i++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s.%s", job->output_dir, es.e[i].rel,
                 es.e[i].json ? "json" : "hocr");
        rc = es.e[i].json ? add_json(rv, path, o) : add_hocr(rv, path, o);
        st->inputs++;
    }
    for (int i = 0; i < es.n; i++)
        free(es.e[i].rel);
    free(es.e);
    if (rc == 0)
        rc = out_review_select(rv, o->max_items, o->per_char);
    if (rc == 0 && mkdir(tmp, 0777) < 0)
        rc = err_set_errno("%s", tmp);
    if (rc == 0 && (rc = pictures(rv, job, o, tmp, prefix, st)) < 0)
        remove_flat(tmp);
    if (rc == 0) {
        int had = lstat(files, &fst) == 0;
        if (had && rename(files, old) < 0)
            rc = err_set_errno("%s", files);
        else if (rename(tmp, files) < 0)
            rc = err_set_errno("%s", files);
        if (had)
            remove_flat(old);
        if (rc < 0)
            remove_flat(tmp);
    }
    if (rc == 0) {
        int dfd = fs_open_dir(dir, 0);
        if (dfd < 0)
            rc = err_prefix("%s", dir);
        else {
            rc = fs_publish_stream_at(dfd, base, write_cb, rv);
            close(dfd);
            if (rc < 0)
                err_prefix("%s", html_path);
        }
    }
    if (rc == 0) {
        st->pages = rv->n_pages;
        st->items = rv->n_items;
        st->glyphs = rv->n_glyphs;
        for (int i = 0; i < rv->n_items; i++)
            st->to_check += rv->items[i].needs_review;
    }
    out_review_destroy(&rv);
    return rc < 0 ? -1 : 0;
}

/**
 * The default place of a job's review page: OUTPUT_DIR/review.html.
 *
 * @param[in]  job   the loaded job
 * @param[out] path  the page's path
 * @param[in]  size  bytes at path
 * @return 0, or -1 with a message when the path does not fit
 */
int review_default_path(const Job *job, char *path, size_t size)
{
    int n = snprintf(path, size, "%s/review.html", job->output_dir);
    if (n < 0 || (size_t)n >= size)
        return err_set("%s: path too long", job->output_dir);
    return 0;
}

/**
 * Write or refresh the review page at the end of a run (`output.review`).
 *
 * @param[in]  job         the loaded job; nothing is done without review
 * @param[in]  pages_done  pages of the job done so far (all runs)
 * @param[out] path        the page written (review_default_path)
 * @param[in]  size        bytes at path
 * @param[out] st          what was found and written
 * @return 1 written, 0 not written (no output.review, or no page done
 *         yet: there is nothing to show), -1 error (err_get names the file)
 *
 * Notes:
 *   (1) The page is made from the outputs alone (review_write): a rerun
 *       that changed no output writes the same bytes again, by temp file
 *       and rename, so a reader never sees half a page.
 */
int review_run_end(const Job *job, int pages_done, char *path, size_t size,
                   ReviewStats *st)
{
    memset(st, 0, sizeof *st);
    if (!job->review || pages_done <= 0)
        return 0;
    if (review_default_path(job, path, size) < 0)
        return -1;
    ReviewOptions o;
    review_options_init(&o);
    if (review_write(job, path, &o, st) < 0)
        return err_prefix("review page");
    return 1;
}
