/*
 * out_review.c - the review page of a job: one static HTML5 file that a
 * person opens in any browser to check what was read (docs/review.md).
 *
 * Design: OutReview is a plain value (pages -> items -> glyphs by index
 * ranges) that the caller fills; out_review_select() decides what is shown
 * with a crop, out_review_write() streams the document. Sections:
 *
 *   #review   the items (words or form fields) that need review, least
 *             sure first: crop, the value read in a text box, confidence
 *   #groups   per character, its glyphs side by side, least sure first,
 *             each with a one-character box to correct it
 *   #pages    each page picture with every item's box coloured by its
 *             confidence (red 0.5 and under .. green 1)
 *
 * A small inline script (no network, nothing fetched) marks edited boxes
 * and turns the edits into the CSV "path,char" that `inkpipe train --csv`
 * reads, one row per glyph crop (docs/review.md). Everything that comes
 * from inputs (file names, values, labels) is HTML-escaped; hrefs are
 * percent-encoded byte by byte except [A-Za-z0-9._~/-].
 */
#include "output/output.h"
#include "output/out_int.h"
#include "common/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s, int *bad)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *bad = 1;
    return d;
}

static int grow(void **p, int *cap, int n, size_t sz)
{
    if (n < *cap)
        return 0;
    int nc = *cap ? *cap * 2 : 16;
    void *q = realloc(*p, (size_t)nc * sz);
    if (!q)
        return err_set("out of memory");
    *p = q;
    *cap = nc;
    return 0;
}

static float clamp01(double c)
{
    return !(c > 0) ? 0.0f : c > 1 ? 1.0f : (float)c;
}

/**
 * A new, empty review.
 *
 * @param[in] title      shown as the page title (escaped), e.g. the job name
 * @param[in] threshold  confidence under which an item needs review (shown)
 * @return the review, or NULL (out of memory)
 */
OutReview *out_review_create(const char *title, double threshold)
{
    OutReview *rv = calloc(1, sizeof *rv);
    if (!rv || !(rv->title = strdup(title ? title : ""))) {
        free(rv);
        err_set("out of memory");
        return NULL;
    }
    rv->threshold = threshold;
    return rv;
}

/** Free a review and everything it owns; *prv becomes NULL. */
void out_review_destroy(OutReview **prv)
{
    OutReview *rv = prv ? *prv : NULL;
    if (!rv)
        return;
    for (int i = 0; i < rv->n_pages; i++) {
        free(rv->pages[i].source);
        free(rv->pages[i].image);
    }
    for (int i = 0; i < rv->n_items; i++) {
        free(rv->items[i].name);
        free(rv->items[i].value);
        free(rv->items[i].crop);
    }
    for (int i = 0; i < rv->n_glyphs; i++)
        free(rv->glyphs[i].crop);
    free(rv->pages);
    free(rv->items);
    free(rv->glyphs);
    free(rv->title);
    free(rv);
    *prv = NULL;
}

/**
 * Append a page.
 *
 * @param[in,out] rv      the review
 * @param[in]     source  the input file it comes from
 * @param[in]     pageno  0-based page in that file
 * @param[in]     width, height  page size in pixels (> 0)
 * @return the page's index, or -1
 */
int out_review_add_page(OutReview *rv, const char *source, int pageno,
                        int width, int height)
{
    if (width <= 0 || height <= 0)
        return err_set("review: page %d of %s is %dx%d", pageno, source,
                       width, height);
    if (grow((void **)&rv->pages, &rv->cap_pages, rv->n_pages,
             sizeof *rv->pages) < 0)
        return -1;
    OutReviewPage *p = &rv->pages[rv->n_pages];
    memset(p, 0, sizeof *p);
    int bad = 0;
    p->source = dup_or_null(source ? source : "", &bad);
    if (bad)
        return err_set("out of memory");
    p->pageno = pageno;
    p->width = width;
    p->height = height;
    p->first_item = rv->n_items;
    return rv->n_pages++;
}

/**
 * Append an item (a word or a field) to the last page.
 *
 * @param[in] name          field name or label, NULL for a word
 * @param[in] value         the value read (UTF-8; bad bytes shown as U+FFFD)
 * @param[in] conf          confidence 0..1 (clamped)
 * @param[in] needs_review  nonzero: a candidate for the list to check
 * @param[in] box           page pixels
 * @return the item's index, or -1 (no page yet, out of memory)
 */
int out_review_add_item(OutReview *rv, const char *name, const char *value,
                        double conf, int needs_review, OutBox box)
{
    if (rv->n_pages == 0)
        return err_set("review: an item before any page");
    if (grow((void **)&rv->items, &rv->cap_items, rv->n_items,
             sizeof *rv->items) < 0)
        return -1;
    OutReviewItem *it = &rv->items[rv->n_items];
    memset(it, 0, sizeof *it);
    int bad = 0;
    it->name = dup_or_null(name, &bad);
    it->value = dup_or_null(value ? value : "", &bad);
    if (bad) {
        free(it->name);
        free(it->value);
        return err_set("out of memory");
    }
    it->conf = clamp01(conf);
    it->needs_review = needs_review != 0;
    it->box = box;
    it->page = rv->n_pages - 1;
    it->first_glyph = rv->n_glyphs;
    rv->pages[rv->n_pages - 1].n_items++;
    return rv->n_items++;
}

/**
 * Append a glyph to the last item.
 *
 * @return the glyph's index, or -1 (no item yet, out of memory)
 */
int out_review_add_glyph(OutReview *rv, uint32_t codepoint, double conf,
                         OutBox box)
{
    if (rv->n_items == 0)
        return err_set("review: a glyph before any item");
    if (grow((void **)&rv->glyphs, &rv->cap_glyphs, rv->n_glyphs,
             sizeof *rv->glyphs) < 0)
        return -1;
    OutReviewGlyph *g = &rv->glyphs[rv->n_glyphs];
    memset(g, 0, sizeof *g);
    g->codepoint = codepoint;
    g->conf = clamp01(conf);
    g->box = box;
    g->item = rv->n_items - 1;
    rv->items[rv->n_items - 1].n_glyphs++;
    return rv->n_glyphs++;
}

/** Replace the owned string *slot by a copy of href (NULL clears). */
int out_review_set_href(char **slot, const char *href)
{
    char *d = NULL;
    if (href && !(d = strdup(href)))
        return err_set("out of memory");
    free(*slot);
    *slot = d;
    return 0;
}

/* Sorting: qsort gets indices; the review is reached through a file-scope
 * pointer (single-threaded by design: the writer is called once per job). */
static const OutReview *sort_rv;

static int cmp_item(const void *a, const void *b)
{
    const OutReviewItem *x = &sort_rv->items[*(const int *)a];
    const OutReviewItem *y = &sort_rv->items[*(const int *)b];
    if (x->conf != y->conf)
        return x->conf < y->conf ? -1 : 1;
    return *(const int *)a - *(const int *)b;
}

static int cmp_glyph(const void *a, const void *b)
{
    const OutReviewGlyph *x = &sort_rv->glyphs[*(const int *)a];
    const OutReviewGlyph *y = &sort_rv->glyphs[*(const int *)b];
    if (x->codepoint != y->codepoint)
        return x->codepoint < y->codepoint ? -1 : 1;
    if (x->conf != y->conf)
        return x->conf < y->conf ? -1 : 1;
    return *(const int *)a - *(const int *)b;
}

/* Items that need review, least sure first (n in *pn); NULL if none or no
 * memory (check *pn). */
static int *review_order(const OutReview *rv, int *pn)
{
    int *o = malloc(((size_t)rv->n_items + 1) * sizeof *o), n = 0;
    if (!o)
        return NULL;
    for (int i = 0; i < rv->n_items; i++)
        if (rv->items[i].needs_review)
            o[n++] = i;
    sort_rv = rv;
    qsort(o, (size_t)n, sizeof *o, cmp_item);
    *pn = n;
    return o;
}

/* All glyphs by character, then confidence (least sure first). */
static int *glyph_order(const OutReview *rv)
{
    int *o = malloc(((size_t)rv->n_glyphs + 1) * sizeof *o);
    if (!o)
        return NULL;
    for (int i = 0; i < rv->n_glyphs; i++)
        o[i] = i;
    sort_rv = rv;
    qsort(o, (size_t)rv->n_glyphs, sizeof *o, cmp_glyph);
    return o;
}

/**
 * Choose what the page shows with crops.
 *
 * @param[in,out] rv         the review (sets items[].listed, glyphs[].grouped)
 * @param[in]     max_items  at most this many items in the list to check,
 *                           the least sure ones (< 0: all)
 * @param[in]     per_char   at most this many glyphs per character in the
 *                           group view, the least sure ones (< 0: all)
 * @return 0, or -1 (out of memory)
 *
 * Notes:
 *   (1) The caller then makes a crop for every listed item, every glyph of
 *       a listed item (the CSV export needs them) and every grouped glyph.
 */
int out_review_select(OutReview *rv, int max_items, int per_char)
{
    int n = 0;
    int *o = review_order(rv, &n);
    int *g = glyph_order(rv);
    if (!o || !g) {
        free(o);
        free(g);
        return err_set("out of memory");
    }
    for (int i = 0; i < rv->n_items; i++)
        rv->items[i].listed = 0;
    for (int i = 0; i < n && (max_items < 0 || i < max_items); i++)
        rv->items[o[i]].listed = 1;
    for (int i = 0, run = 0; i < rv->n_glyphs; i++) {
        OutReviewGlyph *x = &rv->glyphs[g[i]];
        if (i == 0 || x->codepoint != rv->glyphs[g[i - 1]].codepoint)
            run = 0;
        x->grouped = per_char < 0 || run < per_char;
        run++;
    }
    free(o);
    free(g);
    return 0;
}

/* href: percent-encode every byte but unreserved ones and '/'. */
static void put_href(FILE *fp, const char *s)
{
    for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
        if ((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') ||
            (*u >= '0' && *u <= '9') || strchr("-._~/", *u))
            fputc(*u, fp);
        else
            fprintf(fp, "%%%02X", *u);
    }
}

/* A confidence as a percentage with at most one decimal (99.6, 100). */
static void put_pct(FILE *fp, double c)
{
    char num[32];
    fputs(out__fmt_num(c * 100.0, 1, num), fp);
}

/* Border colour of a box: hue from red (confidence <= 0.5) to green (1). */
static void put_colour(FILE *fp, double c)
{
    double t = (c - 0.5) / 0.5;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    fprintf(fp, "hsl(%d,85%%,40%%)", (int)lround(120.0 * t));
}

static void put_where(FILE *fp, const OutReview *rv, const OutReviewItem *it)
{
    const OutReviewPage *p = &rv->pages[it->page];
    fprintf(fp, "<a href=\"#b%d\">", (int)(it - rv->items) + 1);
    out__xml_put_bytes(fp, p->source);
    fprintf(fp, " p.%d</a>", p->pageno + 1);
    if (it->name) {
        fputs(" <span class=\"name\">", fp);
        out__xml_put_bytes(fp, it->name);
        fputs("</span>", fp);
    }
}

static void put_review(FILE *fp, const OutReview *rv, const int *o, int n)
{
    int shown = 0;
    for (int i = 0; i < n; i++)
        shown += rv->items[o[i]].listed;
    fprintf(fp, "<section id=\"review\">\n<h2>To check: %d item%s", n,
            n == 1 ? "" : "s");
    if (shown < n)
        fprintf(fp, " (the %d least sure shown)", shown);
    fputs("</h2>\n", fp);
    if (n == 0) {
        fputs("<p class=\"none\">Nothing is under the threshold.</p>\n"
              "</section>\n",
              fp);
        return;
    }
    fputs("<table>\n<thead><tr><th>#</th><th>crop</th><th>read (edit to "
          "correct)</th><th>confidence</th><th>where</th></tr></thead>\n"
          "<tbody>\n",
          fp);
    for (int i = 0, k = 0; i < n; i++) {
        const OutReviewItem *it = &rv->items[o[i]];
        if (!it->listed)
            continue;
        fprintf(fp, "<tr class=\"item\" data-conf=\"%.4f\"><td>%d</td><td>",
                it->conf, ++k);
        if (it->crop) {
            fputs("<img class=\"crop\" src=\"", fp);
            put_href(fp, it->crop);
            fputs("\" alt=\"crop\">", fp);
        }
        fputs("</td><td><input class=\"iv\" type=\"text\" value=\"", fp);
        out__xml_put_bytes(fp, it->value);
        fputs("\" data-orig=\"", fp);
        out__xml_put_bytes(fp, it->value);
        fputs("\" data-crops=\"", fp);
        for (int g = it->first_glyph; g < it->first_glyph + it->n_glyphs;
             g++) {
            if (g > it->first_glyph)
                fputc(' ', fp);
            put_href(fp, rv->glyphs[g].crop ? rv->glyphs[g].crop : "-");
        }
        fputs("\"></td><td class=\"conf\">", fp);
        put_pct(fp, it->conf);
        fputs("&#160;%</td><td>", fp);
        put_where(fp, rv, it);
        fputs("</td></tr>\n", fp);
    }
    fputs("</tbody>\n</table>\n</section>\n", fp);
}

static void put_groups(FILE *fp, const OutReview *rv, const int *g)
{
    fputs("<section id=\"groups\">\n<h2>Glyphs by character, least sure "
          "first</h2>\n",
          fp);
    for (int i = 0; i < rv->n_glyphs;) {
        uint32_t cp = rv->glyphs[g[i]].codepoint;
        int e = i, shown = 0;
        while (e < rv->n_glyphs && rv->glyphs[g[e]].codepoint == cp)
            shown += rv->glyphs[g[e++]].grouped;
        fputs("<div class=\"group\" data-char=\"", fp);
        out__xml_put_cp(fp, cp);
        fputs("\"><h3><span class=\"ch\">", fp);
        out__xml_put_cp(fp, cp);
        fprintf(fp, "</span> <small>%d glyph%s", e - i, e - i == 1 ? "" : "s");
        if (shown < e - i)
            fprintf(fp, ", the %d least sure shown", shown);
        fputs("</small></h3>\n<div class=\"cells\">", fp);
        for (int k = i; k < e; k++) {
            const OutReviewGlyph *x = &rv->glyphs[g[k]];
            if (!x->grouped)
                continue;
            fprintf(fp, "<figure class=\"cell\" data-conf=\"%.4f\">",
                    x->conf);
            if (x->crop) {
                fputs("<img class=\"crop\" src=\"", fp);
                put_href(fp, x->crop);
                fputs("\" alt=\"", fp);
                out__xml_put_cp(fp, cp);
                fputs("\">", fp);
            }
            fputs("<figcaption>", fp);
            put_pct(fp, x->conf);
            fputs("</figcaption><input class=\"gv\" type=\"text\" "
                  "maxlength=\"1\" value=\"",
                  fp);
            out__xml_put_cp(fp, cp);
            fputs("\" data-orig=\"", fp);
            out__xml_put_cp(fp, cp);
            fputs("\" data-crop=\"", fp);
            put_href(fp, x->crop ? x->crop : "-");
            fputs("\"></figure>", fp);
        }
        fputs("</div></div>\n", fp);
        i = e;
    }
    if (rv->n_glyphs == 0)
        fputs("<p class=\"none\">No glyphs.</p>\n", fp);
    fputs("</section>\n", fp);
}

static void put_pages(FILE *fp, const OutReview *rv)
{
    fputs("<section id=\"pages\">\n<h2>Pages</h2>\n", fp);
    for (int pi = 0; pi < rv->n_pages; pi++) {
        const OutReviewPage *p = &rv->pages[pi];
        fprintf(fp, "<figure class=\"page\" id=\"page-%d\"><figcaption>",
                pi + 1);
        out__xml_put_bytes(fp, p->source);
        fprintf(fp, " p.%d (%d&#215;%d)</figcaption>\n<div class=\"sheet\" "
                    "style=\"aspect-ratio:%d/%d\">",
                p->pageno + 1, p->width, p->height, p->width, p->height);
        if (p->image) {
            fputs("<img src=\"", fp);
            put_href(fp, p->image);
            fputs("\" alt=\"page\">", fp);
        }
        for (int i = p->first_item; i < p->first_item + p->n_items; i++) {
            const OutReviewItem *it = &rv->items[i];
            const OutBox *b = &it->box;
            fprintf(fp, "\n<div class=\"box%s\" id=\"b%d\" style=\"left:%.3f%%;top:%.3f%%;"
                        "width:%.3f%%;height:%.3f%%;border-color:",
                    it->needs_review ? " low" : "", i + 1,
                    100.0 * b->x0 / p->width, 100.0 * b->y0 / p->height,
                    100.0 * (b->x1 - b->x0) / p->width,
                    100.0 * (b->y1 - b->y0) / p->height);
            put_colour(fp, it->conf);
            fputs("\" title=\"", fp);
            if (it->name) {
                out__xml_put_bytes(fp, it->name);
                fputs(": ", fp);
            }
            out__xml_put_bytes(fp, it->value);
            fputs(" (", fp);
            put_pct(fp, it->conf);
            fputs(" %)\"></div>", fp);
        }
        fputs("</div></figure>\n", fp);
    }
    fputs("</section>\n", fp);
}

static const char STYLE[] =
    "body{font:14px/1.4 sans-serif;margin:1em;color:#222;background:#fff}\n"
    "h1{font-size:1.4em}h2{font-size:1.2em;border-bottom:1px solid #ccc}\n"
    "h3{font-size:1em;margin:.6em 0 .2em}.ch{font:bold 1.3em monospace}\n"
    "table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:"
    "3px 6px;vertical-align:middle}\n"
    "img.crop{max-height:64px;max-width:400px;background:#fff;"
    "border:1px solid #999;image-rendering:auto}\n"
    ".cells{display:flex;flex-wrap:wrap;gap:4px}\n"
    ".cell{margin:0;padding:2px;border:1px solid #ccc;text-align:center;"
    "font-size:11px;min-width:36px}\n"
    ".cell img.crop{height:40px;max-width:80px;display:block;margin:auto}\n"
    ".cell input{width:2em;text-align:center;font:bold 13px monospace}\n"
    "input.changed{background:#ffe08a}\n"
    ".sheet{position:relative;width:100%;max-width:1000px;background:#f4f4f4;"
    "border:1px solid #999}\n"
    ".sheet img{position:absolute;left:0;top:0;width:100%;height:100%}\n"
    ".box{position:absolute;border:2px solid;box-sizing:border-box}\n"
    ".box.low{border-width:3px;background:rgba(255,0,0,.12)}\n"
    ".box:target{outline:4px solid #06f;outline-offset:3px}\n"
    "figure.page{margin:1em 0}\n"
    "#export textarea{width:100%;max-width:1000px;height:6em;"
    "font:12px monospace}\n"
    ".legend span{display:inline-block;width:1em;height:1em;vertical-align:"
    "middle;border:2px solid}\n";

/* The script: only DOM calls, no network. The CSV is what
 * rec_set_add_csv reads: "path,char", a header line, paths absolute when
 * the page is opened from a file (else relative to the HTML's folder). */
static const char SCRIPT[] =
    "(function(){\n"
    "'use strict';\n"
    "var OK=/^[0-9A-Za-z]$/;\n"
    "function base(){if(location.protocol!=='file:')return '';"
    "var p=decodeURIComponent(location.pathname);"
    "return p.slice(0,p.lastIndexOf('/')+1);}\n"
    "function mark(e){var i=e.target;"
    "i.classList.toggle('changed',i.value!==i.getAttribute('data-orig'));}\n"
    "var ins=document.querySelectorAll('input.iv,input.gv');\n"
    "for(var k=0;k<ins.length;k++)ins[k].addEventListener('input',mark);\n"
    "function exportCsv(){\n"
    " var map=new Map(),notes=[],b=base();\n"
    " if(/[,\\r\\n]/.test(b)){notes.push('the folder of this page has a "
    "comma in its path: paths are relative, save the CSV beside the HTML "
    "file');b='';}\n"
    " var iv=document.querySelectorAll('input.iv');\n"
    " for(var i=0;i<iv.length;i++){var x=iv[i];"
    "if(x.value===x.getAttribute('data-orig'))continue;\n"
    "  var crops=x.getAttribute('data-crops').split(' ').filter(Boolean);\n"
    "  var c=Array.from(x.value.replace(/\\s+/g,''));\n"
    "  if(c.length!==crops.length){notes.push('\\u201c'+x.value+'\\u201d: '+"
    "c.length+' characters for '+crops.length+' glyphs, not exported');"
    "continue;}\n"
    "  for(var j=0;j<c.length;j++)map.set(crops[j],c[j]);}\n"
    " var gv=document.querySelectorAll('input.gv');\n"
    " for(var i2=0;i2<gv.length;i2++){var y=gv[i2];"
    "if(y.value!==y.getAttribute('data-orig'))"
    "map.set(y.getAttribute('data-crop'),y.value.trim());}\n"
    " var rows=['path,char'];\n"
    " map.forEach(function(ch,crop){if(crop==='-')return;"
    "if(!OK.test(ch)){notes.push('\\u201c'+ch+'\\u201d is not one of 0-9 "
    "A-Z a-z: not exported');return;}"
    "rows.push(b+decodeURIComponent(crop)+','+ch);});\n"
    " var text=rows.join('\\n')+'\\n';\n"
    " document.getElementById('csv').value=text;\n"
    " var a=document.getElementById('csv-link');\n"
    " a.href=URL.createObjectURL(new Blob([text],{type:'text/csv'}));\n"
    " a.textContent='corrections.csv ('+(rows.length-1)+' glyph'+"
    "(rows.length===2?'':'s')+')';\n"
    " document.getElementById('csv-notes').textContent=notes.join('; ');\n"
    " return text;}\n"
    "document.getElementById('export-btn').addEventListener('click',"
    "exportCsv);\n"
    "window.inkpipeExportCsv=exportCsv;\n"
    "})();\n";

/**
 * Write the review page.
 *
 * @param[in] fp  output stream (not closed)
 * @param[in] rv  the review, after out_review_select() (without it nothing
 *                is listed or grouped)
 * @return 0, or -1 with the message in err_get()
 *
 * Notes:
 *   (1) One HTML5 document in UTF-8 with an inline style and script; the
 *       only other files it names are the hrefs given (pictures, crops).
 *   (2) Every string from the inputs is escaped (& < > " '), bad UTF-8
 *       bytes become U+FFFD, hrefs are percent-encoded.
 */
int out_review_write(FILE *fp, const OutReview *rv)
{
    if (!fp || !rv)
        return err_set("review: nothing to write");
    int n_review = 0;
    int *o = review_order(rv, &n_review);
    int *g = glyph_order(rv);
    if (!o || !g) {
        free(o);
        free(g);
        return err_set("out of memory");
    }
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
          "charset=\"utf-8\">\n<meta name=\"generator\" content=\"inkpipe "
          "review\">\n<title>inkpipe review: ",
          fp);
    out__xml_put_bytes(fp, rv->title);
    fprintf(fp, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n"
                "<h1>Review: ",
            STYLE);
    out__xml_put_bytes(fp, rv->title);
    char num[32];
    fprintf(fp, "</h1>\n<p class=\"summary\">%d page%s, %d item%s, %d to "
                "check (confidence under %s %%), %d glyph%s.</p>\n",
            rv->n_pages, rv->n_pages == 1 ? "" : "s", rv->n_items,
            rv->n_items == 1 ? "" : "s", n_review,
            out__fmt_num(rv->threshold * 100.0, 1, num), rv->n_glyphs,
            rv->n_glyphs == 1 ? "" : "s");
    fputs("<p class=\"legend\">Boxes by confidence: <span style=\"border-"
          "color:hsl(0,85%,40%)\"></span> 50&#160;% or less "
          "<span style=\"border-color:hsl(60,85%,40%)\"></span> 75&#160;% "
          "<span style=\"border-color:hsl(120,85%,40%)\"></span> 100&#160;%; "
          "items to check are shaded.</p>\n"
          "<div id=\"export\"><p>Correct a value in the list or a character "
          "in the groups, then <button id=\"export-btn\" type=\"button\">"
          "export the corrections</button> <a id=\"csv-link\" "
          "download=\"corrections.csv\"></a> as the CSV that "
          "<code>inkpipe train --csv</code> reads.</p>\n"
          "<textarea id=\"csv\" readonly></textarea>\n<p id=\"csv-notes\">"
          "</p></div>\n</header>\n",
          fp);
    put_review(fp, rv, o, n_review);
    put_groups(fp, rv, g);
    put_pages(fp, rv);
    fprintf(fp, "<script>\n%s</script>\n</body>\n</html>\n", SCRIPT);
    free(o);
    free(g);
    if (fflush(fp) != 0 || ferror(fp))
        return err_set_errno("review: write");
    return 0;
}
