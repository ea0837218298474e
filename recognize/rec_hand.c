/*
 * rec_hand.c - machine print or handwriting, per word, from measurable
 * cues of its glyphs.
 *
 * Design: a printed word is one font at one size: its strokes have one
 * width (distance transform), its glyphs' bottoms sit on one baseline and
 * their tops on a few shared levels to the pixel, their heights come in a
 * few exact values, their outlines run straight for many rows, its
 * letters are set close, and the classifier reads it with high
 * confidence. Handwriting varies in all of
 * these. rec_hand_cues() measures each cue on one word of a SegPage (the
 * glyph masks) with the classifier's per-glyph confidences;
 * rec_hand_printed() combines the three that work (baseline to the pixel,
 * straight outlines, letters set close; measured on composed form cards and real printed
 * pages: docs/segment.md, "Printed or handwritten");
 * rec_page_hand() marks every word of a recognised page from those three
 * only (no distance transform). Nothing here allocates per glyph beyond
 * one distance-transform buffer per word.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "recognize/rec_page.h"

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static float median(float *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_float);
    return n % 2 ? v[n / 2] : 0.5f * (v[n / 2 - 1] + v[n / 2]);
}

/* City-block distance of every ink pixel of mask (w x h) to the nearest
 * background pixel (outside the box counts as background) into d. */
static void distance_transform(const unsigned char *mask, int w, int h,
                               int *d)
{
    const int inf = w + h;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int i = y * w + x;
            if (!mask[i]) {
                d[i] = 0;
                continue;
            }
            int up = y > 0 ? d[i - w] : 0, left = x > 0 ? d[i - 1] : 0;
            d[i] = (up < left ? up : left) + 1;
            if (d[i] > inf)
                d[i] = inf;
        }
    for (int y = h - 1; y >= 0; y--)
        for (int x = w - 1; x >= 0; x--) {
            int i = y * w + x;
            if (!d[i])
                continue;
            int dn = y < h - 1 ? d[i + w] : 0, rt = x < w - 1 ? d[i + 1] : 0;
            int m = (dn < rt ? dn : rt) + 1;
            if (m < d[i])
                d[i] = m;
        }
}

/* Stroke-width samples of one glyph: the distance at ridge pixels (no
 * 4-neighbour deeper). Adds to *ps, *pss, *pn; returns the glyph's mean
 * ridge distance (0 when it has none). */
static float glyph_strokes(const unsigned char *mask, int w, int h, int *d,
                           double *ps, double *pss, int *pn)
{
    distance_transform(mask, w, h, d);
    double s = 0;
    int n = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int i = y * w + x, v = d[i];
            if (!v || (x > 0 && d[i - 1] > v) || (x < w - 1 && d[i + 1] > v) ||
                (y > 0 && d[i - w] > v) || (y < h - 1 && d[i + w] > v))
                continue;
            s += v;
            *pss += (double)v * v;
            n++;
        }
    *ps += s;
    *pn += n;
    return n ? (float)(s / n) : 0.0f;
}

/* Straightness of one glyph's outline: of the pairs of consecutive rows
 * with ink, those whose leftmost (and, separately, rightmost) ink pixel
 * is in the same column. Adds to *pstraight and *ppairs. */
static void glyph_edges(const unsigned char *mask, int w, int h,
                        int *pstraight, int *ppairs)
{
    int pl = -1, pr = -1;
    for (int y = 0; y < h; y++) {
        const unsigned char *row = mask + (size_t)y * w;
        int l = -1, r = -1;
        for (int x = 0; x < w; x++)
            if (row[x]) {
                l = x;
                break;
            }
        for (int x = w - 1; l >= 0 && x >= l; x--)
            if (row[x]) {
                r = x;
                break;
            }
        if (l >= 0 && pl >= 0) {
            *pstraight += (l == pl) + (r == pr);
            *ppairs += 2;
        }
        pl = l;
        pr = r;
    }
}

/* Of the n values v, the share that has another value within tol. */
static float shared_share(const float *v, int n, float tol)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            if (j != i && fabsf(v[i] - v[j]) <= tol) {
                k++;
                break;
            }
    return n ? (float)k / (float)n : 0.0f;
}

/* Geometry cues of a word from its glyph boxes: bottom deviation (median
 * |bottom - median bottom| / median height) and the shares of glyphs whose
 * top, and whose height, another glyph shares to the pixel (tolerance 1 px
 * or 3% of the median height); the median gap between glyphs / median
 * height. */
static void word_geometry(const SegGlyph *g, int n, float *tmp, RecHandCues *c)
{
    float *v = tmp, *a = tmp + n;
    for (int i = 0; i < n; i++)
        v[i] = (float)g[i].box.h;
    memcpy(a, v, (size_t)n * sizeof *a);
    float mh = median(a, n);
    float tol = fmaxf(1.0f, 0.03f * mh);
    c->height_shared = shared_share(v, n, tol);
    for (int i = 0; i < n; i++)
        v[i] = (float)g[i].box.y;
    c->top_shared = shared_share(v, n, tol);
    for (int i = 0; i < n; i++)
        v[i] = (float)(g[i].box.y + g[i].box.h);
    memcpy(a, v, (size_t)n * sizeof *a);
    float mb = median(a, n);
    for (int i = 0; i < n; i++)
        a[i] = fabsf(v[i] - mb);
    c->bottom_dev = mh > 0 ? median(a, n) / mh : 0.0f;
    for (int i = 1; i < n; i++)
        a[i - 1] = (float)(g[i].box.x - (g[i - 1].box.x + g[i - 1].box.w));
    c->gap = mh > 0 ? median(a, n - 1) / mh : 0.0f;
}

/* The cues of one word (rec_hand_cues); with strokes == 0 the stroke
 * cues (a distance transform of every glyph, the dearest part) are not
 * measured and are -1. */
static int hand_cues(const SegPage *sp, int word, const float *conf,
                     int strokes, RecHandCues *c)
{
    int nw, ng;
    const SegWord *words = seg_page_get_words(sp, &nw);
    const SegGlyph *glyphs = seg_page_get_glyphs(sp, &ng);
    if (word < 0 || word >= nw)
        return err_set("rec_hand_cues: word %d of %d", word, nw);
    const SegWord *wd = &words[word];
    int g0 = wd->first_glyph, n = wd->n_glyphs, maxa = 1;
    memset(c, 0, sizeof *c);
    c->n_glyphs = n;
    for (int i = g0; i < g0 + n; i++)
        if (glyphs[i].box.w * glyphs[i].box.h > maxa)
            maxa = glyphs[i].box.w * glyphs[i].box.h;
    int *d = strokes ? malloc((size_t)maxa * sizeof *d) : NULL;
    float *tmp = malloc((size_t)(2 * n + 2) * sizeof *tmp);
    if ((strokes && !d) || !tmp) {
        free(d);
        free(tmp);
        return err_set("rec_hand_cues: out of memory");
    }
    double s = 0, ss = 0, cs = 0;
    int ns = 0, straight = 0, pairs = 0, nm = 0;
    for (int i = g0; i < g0 + n; i++) {
        const SegBox *b = &glyphs[i].box;
        const unsigned char *m = seg_page_get_glyph_mask(sp, i);
        if (conf)
            cs += conf[i];
        if (!m)
            continue;
        float gw = strokes ? glyph_strokes(m, b->w, b->h, d, &s, &ss, &ns) : 0;
        if (gw > 0)
            tmp[nm++] = gw;
        glyph_edges(m, b->w, b->h, &straight, &pairs);
    }
    double mu = ns ? s / ns : 0;
    c->stroke_cv = mu > 0 ? (float)(sqrt(fmax(0, ss / ns - mu * mu)) / mu)
                          : 1.0f;
    c->stroke_width = (float)(2 * mu - 1);
    double gm = 0, gv = 0;
    for (int i = 0; i < nm; i++)
        gm += tmp[i] / nm;
    for (int i = 0; i < nm; i++)
        gv += (tmp[i] - gm) * (tmp[i] - gm) / nm;
    c->stroke_between = gm > 0 ? (float)(sqrt(gv) / gm) : 0.0f;
    if (!strokes)
        c->stroke_cv = c->stroke_width = c->stroke_between = -1.0f;
    c->straight = pairs ? (float)straight / (float)pairs : 0.0f;
    c->conf = conf && n ? (float)(cs / n) : -1.0f;
    if (n >= 2)
        word_geometry(glyphs + g0, n, tmp, c);
    else
        c->height_shared = c->top_shared = c->bottom_dev = c->gap = -1.0f;
    free(d);
    free(tmp);
    return 0;
}

/**
 * Measure the print/handwriting cues of one word.
 *
 * @param[in]  sp     segmented page (glyph boxes and masks)
 * @param[in]  word   index of the word in sp
 * @param[in]  conf   [optional] the classifier's confidence of each glyph
 *                    of sp (indexed like its glyphs); NULL = no
 *                    confidence cue (c->conf = -1)
 * @param[out] c      the cues
 * @return 0, or -1 (word out of range, out of memory)
 *
 * Notes:
 *   (1) The alignment cues need two glyphs: with one, height_shared,
 *       top_shared and bottom_dev are -1.
 */
int rec_hand_cues(const SegPage *sp, int word, const float *conf,
                  RecHandCues *c)
{
    return hand_cues(sp, word, conf, 1, c);
}

/**
 * Probability that a word is machine print, from its cues.
 *
 * @param[in] c  cues of rec_hand_cues()
 * @return P(printed), 0..1: the product of a soft "its glyphs sit on one
 *         baseline to the pixel" (bottom_dev at most about 0.015), a soft
 *         "its outlines run straight" (straight at least about 0.45) and a
 *         soft "its letters are set close" (gap at most about a quarter of
 *         the glyph height)
 *
 * Notes:
 *   (1) These three cues and their thresholds are the ones that told print
 *       from handwriting best on composed form cards and real name crops
 *       (docs/segment.md has the measurements of every cue); stroke width
 *       regularity, top and height sharing and the classifier's
 *       confidence added nothing there.
 *   (2) A single glyph has no baseline or spacing of its own: it is
 *       handwriting (0.25), since a printed label is a word.
 */
float rec_hand_printed(const RecHandCues *c)
{
    if (c->n_glyphs < 2 || c->bottom_dev < 0)
        return 0.25f;
    float base = 1.0f / (1.0f + expf(-(0.015f - c->bottom_dev) * 300.0f));
    float edge = 1.0f / (1.0f + expf(-(c->straight - 0.45f) * 20.0f));
    float set = 1.0f / (1.0f + expf(-(0.25f - c->gap) * 40.0f));
    return base * edge * set;
}

/**
 * Mark every word of a recognised page as printed or handwritten.
 *
 * @param[in]     sp    the segmented page op was recognised from (its
 *                      words and glyphs are op's, index for index)
 * @param[in]     conf  [optional] per-glyph classifier confidence
 * @param[in,out] op    the page: each word's kind and printed are set
 * @return 0, or -1 (out of memory)
 *
 * Notes:
 *   (1) Only the cues rec_hand_printed() uses are measured: the stroke
 *       cues (a distance transform of every glyph) took ~3.5 ms of a
 *       300 dpi page's ~20 ms recognise step and decide nothing.
 */
int rec_page_hand(const SegPage *sp, const float *conf, OutPage *op)
{
    for (int w = 0; w < op->n_words; w++) {
        RecHandCues c;
        if (hand_cues(sp, w, conf, 0, &c) < 0)
            return -1;
        float p = rec_hand_printed(&c);
        op->words[w].printed = p;
        op->words[w].kind = p >= 0.5f ? OUT_WORD_PRINTED : OUT_WORD_HAND;
    }
    return 0;
}
