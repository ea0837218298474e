/*
 * out_hocr_read.c - read back the hOCR that out_hocr_write() writes, into
 * OutPage values (for `inkpipe review`, which works from a job's outputs).
 *
 * Design: not a general hOCR or XML parser. It walks the start tags of the
 * file and reads the class and title attributes of the elements our writer
 * emits (ocr_page, ocr_carea, ocr_line, ocrx_word, ocrx_cinfo) and the one
 * character inside each ocrx_cinfo; everything else is skipped. Entities
 * (the five named ones and numeric references) are decoded; the image
 * path is un-quoted (hOCR `\"` and `\\`). Every page read back is checked
 * with out_page_check(), so a hand-edited file that breaks the model is
 * refused with the file and byte offset, never half-read.
 */
#include "output/output.h"
#include "output/out_int.h"
#include "common/err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The largest hOCR file read back (a 10,000-page TIFF is ~1 GB of hOCR;
 * review jobs of that size should be split). */
#define HOCR_READ_MAX ((size_t)512 << 20)

typedef struct {
    OutLine *lines;
    OutWord *words;
    OutGlyph *glyphs;
    int nl, nw, ng, cl, cw, cg;
} Build;

static int grow(void **p, int *cap, int n, size_t sz)
{
    if (n < *cap)
        return 0;
    int nc = *cap ? *cap * 2 : 64;
    void *q = realloc(*p, (size_t)nc * sz);
    if (!q)
        return err_set("out of memory");
    *p = q;
    *cap = nc;
    return 0;
}

/* Decode XML text s[0..n) (entities) into a new NUL-terminated string. */
static char *xml_unescape(const char *s, size_t n)
{
    char *o = malloc(n + 1), *q = o;
    if (!o)
        return NULL;
    for (size_t i = 0; i < n;) {
        if (s[i] != '&') {
            *q++ = s[i++];
            continue;
        }
        const char *semi = memchr(s + i, ';', n - i);
        size_t el = semi ? (size_t)(semi - (s + i)) + 1 : 0;
        static const struct { const char *e; char c; } ents[] = {
            {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'},
            {"&quot;", '"'}, {"&apos;", '\''}};
        int done = 0;
        for (size_t k = 0; !done && k < 5; k++)
            if (el == strlen(ents[k].e) && !memcmp(s + i, ents[k].e, el)) {
                *q++ = ents[k].c;
                done = 1;
            }
        if (!done && el > 3 && s[i + 1] == '#') {
            unsigned long cp = s[i + 2] == 'x' || s[i + 2] == 'X'
                                   ? strtoul(s + i + 3, NULL, 16)
                                   : strtoul(s + i + 2, NULL, 10);
            char b[4];
            int k = out__utf8_encode(cp > 0x10FFFF ? OUT_REPLACEMENT
                                                   : (uint32_t)cp, b);
            memcpy(q, b, (size_t)k); /* an entity is >= 4 bytes: fits */
            q += k;
            done = 1;
        }
        if (!done) {
            *q++ = '&';
            i++;
            continue;
        }
        i += el;
    }
    *q = '\0';
    return o;
}

/* The value of attribute name in the tag [t, end), unescaped; NULL if
 * absent (or out of memory). */
static char *attr(const char *t, const char *end, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = t + 1; p + nl + 2 < end; p++) {
        if ((p[-1] == ' ' || p[-1] == '\n' || p[-1] == '\t') &&
            !memcmp(p, name, nl) && p[nl] == '=' &&
            (p[nl + 1] == '"' || p[nl + 1] == '\'')) {
            const char *v = p + nl + 2;
            const char *ve = memchr(v, p[nl + 1], (size_t)(end - v));
            if (!ve)
                return NULL;
            return xml_unescape(v, (size_t)(ve - v));
        }
    }
    return NULL;
}

/* The numbers after "key " in a title ("bbox 1 2 3 4; x_wconf 9"). */
static int title_nums(const char *title, const char *key, double *v, int n)
{
    size_t kl = strlen(key);
    for (const char *p = title; (p = strstr(p, key)); p += kl) {
        if ((p != title && p[-1] != ' ' && p[-1] != ';') || p[kl] != ' ')
            continue;
        const char *s = p + kl;
        for (int i = 0; i < n; i++) {
            char *e;
            errno = 0;
            v[i] = strtod(s, &e);
            if (e == s || errno)
                return -1;
            s = e;
        }
        return 0;
    }
    return -1;
}

static int title_box(const char *title, const char *key, OutBox *b)
{
    double v[4];
    if (title_nums(title, key, v, 4) < 0)
        return -1;
    for (int i = 0; i < 4; i++)
        if (v[i] < -1e9 || v[i] > 1e9)
            return -1;
    *b = (OutBox){(int)v[0], (int)v[1], (int)v[2], (int)v[3]};
    return 0;
}

/* image "PATH" from a page title, un-quoted; NULL when absent. */
static char *title_image(const char *title)
{
    const char *p = strstr(title, "image \"");
    if (!p)
        return NULL;
    p += 7;
    char *o = malloc(strlen(p) + 1), *q = o;
    if (!o)
        return NULL;
    for (; *p && *p != '"'; p++) {
        if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
            p++;
        *q++ = *p;
    }
    *q = '\0';
    return o;
}

typedef struct {
    const char *file;
    OutPage **pages;
    int n, cap;
    char *image;
    int pageno, width, height, dpi, block, open;
    Build b;
} Reader;

static void build_free(Build *b)
{
    free(b->lines);
    free(b->words);
    free(b->glyphs);
    memset(b, 0, sizeof *b);
}

/* Finish the open page into an OutPage. */
static int end_page(Reader *r)
{
    if (!r->open)
        return 0;
    r->open = 0;
    Build *b = &r->b;
    OutPage *p = out_page_create(r->image ? r->image : "", r->pageno,
                                 r->width, r->height, r->dpi, b->nl, b->nw,
                                 b->ng);
    free(r->image);
    r->image = NULL;
    if (!p) {
        build_free(b);
        return -1;
    }
    if (b->nl)
        memcpy(p->lines, b->lines, (size_t)b->nl * sizeof *b->lines);
    if (b->nw)
        memcpy(p->words, b->words, (size_t)b->nw * sizeof *b->words);
    if (b->ng)
        memcpy(p->glyphs, b->glyphs, (size_t)b->ng * sizeof *b->glyphs);
    build_free(b);
    if (out_page_check(p) < 0 ||
        grow((void **)&r->pages, &r->cap, r->n, sizeof *r->pages) < 0) {
        int e = err_prefix("page %d", r->n + 1);
        out_page_destroy(&p);
        return e;
    }
    r->pages[r->n++] = p;
    return 0;
}

static int has_class(const char *cls, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = cls; (p = strstr(p, name)); p += n)
        if ((p == cls || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
    return 0;
}

/* One start tag [t, end) with its class and title; txt = what follows the
 * tag (the glyph of an ocrx_cinfo). */
static int on_tag(Reader *r, const char *cls, const char *title,
                  const char *txt, const char *limit)
{
    Build *b = &r->b;
    double v[2];
    if (has_class(cls, "ocr_page")) {
        if (end_page(r) < 0)
            return -1;
        OutBox box;
        if (!title || title_box(title, "bbox", &box) < 0)
            return err_set("ocr_page without a bbox");
        r->open = 1;
        r->image = title_image(title);
        r->width = box.x1;
        r->height = box.y1;
        r->pageno = title_nums(title, "ppageno", v, 1) == 0 ? (int)v[0] : r->n;
        r->dpi = title_nums(title, "scan_res", v, 1) == 0 ? (int)v[0] : 0;
        r->block = -1;
        return 0;
    }
    if (!r->open)
        return 0;
    if (has_class(cls, "ocr_carea")) {
        r->block++;
        return 0;
    }
    if (has_class(cls, "ocr_line")) {
        if (grow((void **)&b->lines, &b->cl, b->nl, sizeof *b->lines) < 0)
            return -1;
        OutLine *l = &b->lines[b->nl];
        memset(l, 0, sizeof *l);
        if (!title || title_box(title, "bbox", &l->box) < 0)
            return err_set("ocr_line without a bbox");
        if (title_nums(title, "baseline", v, 2) == 0) {
            l->baseline_slope = (float)v[0];
            l->baseline_offset = (float)v[1];
        }
        if (title_nums(title, "x_size", v, 1) == 0)
            l->x_size = (float)v[0];
        l->block = r->block < 0 ? 0 : r->block;
        l->first_word = b->nw;
        b->nl++;
        return 0;
    }
    if (has_class(cls, "ocrx_word")) {
        if (!b->nl)
            return err_set("ocrx_word outside an ocr_line");
        if (grow((void **)&b->words, &b->cw, b->nw, sizeof *b->words) < 0)
            return -1;
        OutWord *w = &b->words[b->nw];
        memset(w, 0, sizeof *w);
        if (!title || title_box(title, "bbox", &w->box) < 0)
            return err_set("ocrx_word without a bbox");
        /* x_hand 1/0 (out_hocr.c): the probability is not written */
        if (title_nums(title, "x_hand", v, 1) == 0) {
            w->kind = v[0] != 0 ? OUT_WORD_HAND : OUT_WORD_PRINTED;
            w->printed = v[0] != 0 ? 0.0f : 1.0f;
        }
        w->first_glyph = b->ng;
        b->nw++;
        b->lines[b->nl - 1].n_words++;
        return 0;
    }
    if (has_class(cls, "ocrx_cinfo")) {
        if (!b->nw)
            return err_set("ocrx_cinfo outside an ocrx_word");
        if (grow((void **)&b->glyphs, &b->cg, b->ng, sizeof *b->glyphs) < 0)
            return -1;
        OutGlyph *g = &b->glyphs[b->ng];
        memset(g, 0, sizeof *g);
        if (!title || title_box(title, "x_bboxes", &g->box) < 0)
            return err_set("ocrx_cinfo without x_bboxes");
        if (title_nums(title, "x_confs", v, 1) < 0 || !(v[0] >= 0) ||
            v[0] > 100.01)
            return err_set("ocrx_cinfo without x_confs in 0..100");
        g->conf = (float)(v[0] / 100.0);
        if (g->conf > 1.0f)
            g->conf = 1.0f;
        const char *te = memchr(txt, '<', (size_t)(limit - txt));
        char *s = xml_unescape(txt, te ? (size_t)(te - txt) : 0);
        if (!s)
            return err_set("out of memory");
        size_t adv;
        g->codepoint = s[0] ? out__utf8_decode((const unsigned char *)s,
                                               strlen(s), &adv)
                            : OUT_REPLACEMENT;
        free(s);
        b->ng++;
        b->words[b->nw - 1].n_glyphs++;
    }
    return 0;
}

/**
 * Read an hOCR file written by out_hocr_write() back into pages.
 *
 * @param[in]  path     the .hocr file
 * @param[out] ppages   new array of new pages (free each with
 *                      out_page_destroy, then the array with free)
 * @param[out] pn       their count (>= 1)
 * @return 0, or -1 with "PATH: byte N: what" (or "PATH: page P: ...") in
 *         err_get()
 *
 * Notes:
 *   (1) Lines, words and glyphs come back with the boxes, confidences
 *       (to the 2 decimals written), baselines and blocks of the writer;
 *       the block index counts ocr_carea elements from 0 within a page.
 *   (2) Files over 512 MB are refused.
 */
int out_hocr_read(const char *path, OutPage ***ppages, int *pn)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return err_set_errno("%s", path);
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 65536 + 1 > cap) {
            cap = cap ? cap * 2 : 1 << 20;
            char *q = cap > HOCR_READ_MAX + 65536 + 1 ? NULL : realloc(buf, cap);
            if (!q) {
                free(buf);
                fclose(fp);
                return err_set("%s: too big to read back (at most %zu MB)",
                               path, HOCR_READ_MAX >> 20);
            }
            buf = q;
        }
        size_t k = fread(buf + n, 1, 65536, fp);
        n += k;
        if (k == 0)
            break;
    }
    int ferr = ferror(fp);
    fclose(fp);
    if (ferr) {
        free(buf);
        return err_set("%s: read error", path);
    }
    buf[n] = '\0';
    Reader r = {.file = path};
    int rc = 0;
    const char *end = buf + n;
    for (const char *p = buf; rc == 0 && (p = memchr(p, '<', (size_t)(end - p)));) {
        const char *te = memchr(p, '>', (size_t)(end - p));
        if (!te)
            break;
        if (p[1] != '/' && p[1] != '?' && p[1] != '!') {
            char *cls = attr(p, te, "class");
            if (cls) {
                char *title = attr(p, te, "title");
                rc = on_tag(&r, cls, title ? title : NULL, te + 1, end);
                if (rc < 0)
                    err_prefix("%s: byte %ld", path, (long)(p - buf));
                free(title);
                free(cls);
            }
        }
        p = te + 1;
    }
    if (rc == 0 && end_page(&r) < 0)
        rc = err_prefix("%s", path);
    if (rc == 0 && r.n == 0)
        rc = err_set("%s: no ocr_page (not an hOCR file?)", path);
    free(buf);
    free(r.image);
    build_free(&r.b);
    if (rc < 0) {
        for (int i = 0; i < r.n; i++)
            out_page_destroy(&r.pages[i]);
        free(r.pages);
        return -1;
    }
    *ppages = r.pages;
    *pn = r.n;
    return 0;
}
