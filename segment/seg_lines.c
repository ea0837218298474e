/*
 * seg_lines.c - text lines, baselines, x-height and reading order.
 *
 * Design: lines are found from glyph-sized pieces only. Pieces are visited
 * left to right and each joins the line whose recent pieces (a window of
 * four) have their centres closest to its own centre, within half a glyph
 * height; a line that has seen nothing for three glyph heights is closed.
 * Tracking the recent centres, not one straight line, follows gently curved
 * and sloping lines. Then:
 *   - pieces taller than ~2 glyph heights that cross the x-height bands of
 *     two or more lines (an ascender touching the descender above) are cut
 *     at the emptiest row between the lines;
 *   - small pieces (dots, accents, fragments) join the line whose x-height
 *     band is nearest, counting distance above the band at 0.6 (dots sit
 *     above their letters);
 *   - each line gets a baseline fitted by least squares to the piece
 *     bottoms, twice dropping descenders, and x-height / cap height from a
 *     two-class split of heights above the baseline.
 * Reading order is a recursive XY cut on the lines: a vertical cut where a
 * gutter of at least two glyph heights runs through all lines (columns, form
 * regions: each side becomes a new block), else horizontal cuts between
 * x-height bands (which never overlap between lines, whatever the ascenders
 * do). Line pieces that end up next to each other in reading order on the
 * same row (one line with a wide gap) are joined again.
 * Cost: the tracker looks only at open lines whose band lies near the
 * piece's rows (row buckets), and the bridging and small-piece steps look
 * up lines by row the same way; the rest is linear in pieces, and the
 * reading order is quadratic in lines at worst, never in pieces.
 */
#include "segment/seg_internal.h"

#include "common/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SEG_TRACK_WIN 4

int seg__wline_push(SegWLine *l, int i)
{
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 16;
        int *v = realloc(l->idx, (size_t)cap * sizeof *v);
        if (!v)
            return err_set("segment: out of memory (line of %d)", cap);
        l->idx = v;
        l->cap = cap;
    }
    l->idx[l->n++] = i;
    return 0;
}

void seg__wlines_cleanup(SegWLines *ls)
{
    if (!ls)
        return;
    for (int i = 0; i < ls->n; i++)
        free(ls->v[i].idx);
    free(ls->v);
    memset(ls, 0, sizeof *ls);
}

static SegWLine *wlines_add(SegWLines *ls)
{
    if (ls->n == ls->cap) {
        int cap = ls->cap ? 2 * ls->cap : 32;
        SegWLine *v = realloc(ls->v, (size_t)cap * sizeof *v);
        if (!v) {
            err_set("segment: out of memory (%d lines)", cap);
            return NULL;
        }
        ls->v = v;
        ls->cap = cap;
    }
    SegWLine *l = &ls->v[ls->n++];
    memset(l, 0, sizeof *l);
    return l;
}

float seg__line_base_at(const SegWLine *l, float x)
{
    return l->b + l->slope * x;
}

void seg__line_update_box(const SegPieces *ps, SegWLine *l)
{
    int x0 = 0, y0 = 0, x1 = 0, y1 = 0, any = 0;
    for (int i = 0; i < l->n; i++) {
        const SegPiece *p = &ps->v[l->idx[i]];
        if (p->flags & SEG__DEAD)
            continue;
        if (!any || p->box.x < x0)
            x0 = p->box.x;
        if (!any || p->box.y < y0)
            y0 = p->box.y;
        if (!any || p->box.x + p->box.w > x1)
            x1 = p->box.x + p->box.w;
        if (!any || p->box.y + p->box.h > y1)
            y1 = p->box.y + p->box.h;
        any = 1;
    }
    l->box = (SegBox){x0, y0, x1 - x0, y1 - y0};
}

/* Least-squares line through (x[i], y[i]) for the used points. */
static void fit_ls(const float *x, const float *y, const unsigned char *use,
                   int n, float *pslope, float *pb)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (use[i]) {
            sx += x[i];
            sy += y[i];
            sxx += (double)x[i] * x[i];
            sxy += (double)x[i] * y[i];
            k++;
        }
    if (k == 0)
        return;
    double den = k * sxx - sx * sx;
    double xr = 0;
    /* Slope only when the points spread over more than a glyph or two. */
    if (k >= 3 && den > 1e-6) {
        double mx = sx / k;
        xr = sqrt(fmax(0.0, sxx / k - mx * mx));
    }
    if (xr > 0) {
        double s = (k * sxy - sx * sy) / den;
        if (s > 0.15)
            s = 0.15;
        if (s < -0.15)
            s = -0.15;
        *pslope = (float)s;
        *pb = (float)((sy - s * sx) / k);
    } else {
        /* Few points: flat, at the median-ish (lowest non-descender) row. */
        *pslope = 0.0f;
        *pb = (float)(sy / k);
    }
}

/**
 * Fit a line's baseline, x-height and cap height from its pieces.
 *
 * @param[in]     ps  pieces
 * @param[in,out] l   line: slope, b, x_height, cap_height, unit, box set
 * @param[in]     m   page metrics (med_h)
 *
 * Notes:
 *   (1) Descenders are pieces whose bottom lies more than 0.18 glyph
 *       heights below the fit; they are dropped and the fit repeated.
 *   (2) One class of heights (all capitals, digits) gives x_height = 0
 *       (unknown) and cap_height = their median; unit is then 0.7 of it.
 */
void seg__line_fit(const SegPieces *ps, SegWLine *l, const SegMetrics *m)
{
    float H = m->med_h > 0 ? m->med_h : 10.0f;
    seg__line_update_box(ps, l);
    int n = l->n;
    float *x = malloc((size_t)(n + 1) * 3 * sizeof *x);
    unsigned char *use = malloc((size_t)n + 1);
    if (!x || !use) {
        free(x);
        free(use);
        /* Out of memory here only costs precision: a flat fit. */
        l->slope = 0;
        l->b = (float)(l->box.y + l->box.h - 1);
        l->cap_height = (float)l->box.h;
        l->x_height = 0;
        l->unit = 0.7f * l->box.h;
        return;
    }
    float *y = x + n + 1, *top = y + n + 1;
    int k = 0;
    for (int pass = 0; pass < 2 && k == 0; pass++)
        for (int i = 0; i < n; i++) {
            const SegPiece *p = &ps->v[l->idx[i]];
            if (p->flags & SEG__DEAD)
                continue;
            /* first pass: glyph-sized pieces only; else anything */
            if (pass == 0 && (p->flags & (SEG__SMALL | SEG__TALL)))
                continue;
            x[k] = p->box.x + 0.5f * p->box.w;
            y[k] = (float)(p->box.y + p->box.h - 1);
            top[k] = (float)p->box.y;
            use[k] = 1;
            k++;
        }
    l->slope = 0;
    l->b = (float)(l->box.y + l->box.h - 1);
    if (k > 0) {
        /* Slope from the piece centres (ascenders and descenders pull both
         * ways), then the baseline offset from the bottoms with that slope
         * removed: when they fall in two clear groups the upper group is
         * the baseline and the lower one descenders, even where descenders
         * are the majority ("pop pop"). */
        float *ctr = malloc((size_t)k * 2 * sizeof *ctr);
        if (ctr) {
            float *r = ctr + k;
            for (int i = 0; i < k; i++)
                ctr[i] = 0.5f * (y[i] + top[i]);
            fit_ls(x, ctr, use, k, &l->slope, &l->b);
            for (int i = 0; i < k; i++)
                r[i] = y[i] - l->slope * x[i];
            memcpy(ctr, r, (size_t)k * sizeof *ctr);
            float med = seg__median_f(ctr, k), t, lo, hi, b0 = med;
            if (seg__otsu_split_f(ctr, k, &t, &lo, &hi) == 0 &&
                hi - lo >= 0.2f * H) {
                int nlo = 0;
                while (nlo < k && ctr[nlo] <= t)
                    nlo++;
                b0 = seg__median_f(ctr, nlo);
            }
            for (int i = 0; i < k; i++)
                use[i] = r[i] - b0 <= 0.15f * H && r[i] - b0 >= -0.3f * H;
            free(ctr);
        }
        fit_ls(x, y, use, k, &l->slope, &l->b);
        for (int it = 0; it < 2; it++) {
            int changed = 0;
            for (int i = 0; i < k; i++) {
                float rr = y[i] - seg__line_base_at(l, x[i]);
                unsigned char u = rr <= 0.15f * H && rr >= -0.3f * H;
                changed |= u != use[i];
                use[i] = u;
            }
            int any = 0;
            for (int i = 0; i < k; i++)
                any |= use[i];
            if (!any) {
                /* All rejected: the highest bottom is the baseline. */
                int hi = 0;
                for (int i = 1; i < k; i++)
                    if (y[i] < y[hi])
                        hi = i;
                use[hi] = 1;
            }
            if (!changed)
                break;
            fit_ls(x, y, use, k, &l->slope, &l->b);
        }
    }
    /* Heights above the baseline of the non-descender pieces. */
    int nh = 0;
    for (int i = 0; i < k; i++)
        if (use[i])
            top[nh++] = seg__line_base_at(l, x[i]) - top[i] + 1;
    float *hs = top;
    l->x_height = 0;
    l->cap_height = 0;
    if (nh > 0) {
        float t, lo, hi;
        float med = seg__median_f(hs, nh); /* sorts hs */
        if (seg__otsu_split_f(hs, nh, &t, &lo, &hi) == 0 && lo > 0 &&
            hi >= 1.28f * lo && hs[0] < t && hs[nh - 1] > t) {
            /* medians of the two classes */
            int nlo = 0;
            while (nlo < nh && hs[nlo] <= t)
                nlo++;
            l->x_height = seg__median_f(hs, nlo);
            l->cap_height = seg__median_f(hs + nlo, nh - nlo);
        } else {
            l->cap_height = med;
        }
    }
    if (l->cap_height <= 0)
        l->cap_height = (float)l->box.h;
    l->unit = l->x_height > 0 ? l->x_height : 0.7f * l->cap_height;
    if (l->unit < 0.3f * H)
        l->unit = 0.3f * H;
    free(x);
    free(use);
}

/* ---- line finding ------------------------------------------------------- */

typedef struct {
    float top[SEG_TRACK_WIN], bot[SEG_TRACK_WIN];
    int k, nfill;
    int x1;
    int line;
    int bucket, pos; /* where the track sits in the row buckets */
} Track;

/* Open tracks bucketed by the row of their band's centre, so that a piece
 * is compared only with the tracks near its rows, not every open line. */
typedef struct {
    int *v;
    int n, cap;
} IntVec;

static int bk_insert(IntVec *bk, Track *tr, int ti, int b)
{
    IntVec *v = &bk[b];
    if (v->n == v->cap) {
        int cap = v->cap ? 2 * v->cap : 8;
        int *nv = realloc(v->v, (size_t)cap * sizeof *nv);
        if (!nv)
            return err_set("segment: out of memory (line tracker)");
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n] = ti;
    tr[ti].bucket = b;
    tr[ti].pos = v->n++;
    return 0;
}

static void bk_remove(IntVec *bk, Track *tr, int ti)
{
    IntVec *v = &bk[tr[ti].bucket];
    int last = v->v[--v->n];
    v->v[tr[ti].pos] = last;
    tr[last].pos = tr[ti].pos;
    tr[ti].bucket = -1;
}

static void track_band(const Track *t, float *pt, float *pb)
{
    float bt = t->top[0], bb = t->bot[0];
    for (int i = 1; i < t->nfill; i++) {
        bt = t->top[i] < bt ? t->top[i] : bt;
        bb = t->bot[i] > bb ? t->bot[i] : bb;
    }
    *pt = bt;
    *pb = bb;
}

/* How well a piece [top, bot] fits a line's recent band: the overlap over
 * the smaller height (1 = one contains the other). */
static float track_fit(const Track *t, float top, float bot, float *pdc)
{
    /* The union of the recent pieces: fragments of broken glyphs (top
     * halves, bottom halves) still fall inside it. */
    float bt, bb;
    track_band(t, &bt, &bb);
    float ov = seg__fmin(bot, bb) - seg__fmax(top, bt);
    float mh = seg__fmin(bot - top, bb - bt);
    *pdc = fabsf(0.5f * (top + bot) - 0.5f * (bt + bb));
    return mh > 0 ? ov / mh : 0;
}

/* The x-height band [top, bottom] of a line at x. */
static void core_at(const SegWLine *l, float x, float *ptop, float *pbot)
{
    float b = seg__line_base_at(l, x);
    *ptop = b - l->unit;
    *pbot = b;
}

/* Cut a tall piece into the lines whose x-height bands it crosses. */
static int cut_tall(SegPieces *ps, SegWLines *ls, int pi, const int *cand,
                    int nc, SegStats *st)
{
    /* cand holds line indices sorted by baseline, top to bottom. */
    int cur = pi;
    for (int c = 0; c + 1 < nc; c++) {
        SegPiece *p = &ps->v[cur];
        SegWLine *a = &ls->v[cand[c]], *b = &ls->v[cand[c + 1]];
        float cx = p->box.x + 0.5f * p->box.w;
        float lo = seg__line_base_at(a, cx) + 1;
        float hi = seg__line_base_at(b, cx) - b->unit;
        int r0 = (int)floorf(lo) - p->box.y, r1 = (int)ceilf(hi) - p->box.y;
        if (r0 < 1)
            r0 = 1;
        if (r1 > p->box.h - 1)
            r1 = p->box.h - 1;
        if (r1 < r0) { /* bands too close: cut midway */
            r0 = r1 = (int)(0.5f * (lo + hi)) - p->box.y;
            if (r0 < 1 || r0 > p->box.h - 1)
                break;
        }
        int best = r0, bestc = 1 << 30;
        int mid = (r0 + r1) / 2;
        for (int r = r0; r <= r1; r++) {
            int cnt = 0;
            const unsigned char *row = p->mask + (size_t)r * p->box.w;
            for (int x = 0; x < p->box.w; x++)
                cnt += row[x];
            /* ties go to the row nearest the middle of the gap */
            if (cnt < bestc || (cnt == bestc && abs(r - mid) < abs(best - mid))) {
                bestc = cnt;
                best = r;
            }
        }
        SegPiece top, bot;
        if (seg__piece_cut_rows(p, best, &top, &bot) != 0)
            return -1;
        if (top.area == 0 || bot.area == 0) {
            free(top.mask);
            free(bot.mask);
            break;
        }
        free(p->mask);
        top.line = cand[c];
        ps->v[cur] = top;
        if (seg__wline_push(&ls->v[cand[c]], cur) != 0) {
            free(bot.mask);
            return -1;
        }
        if (seg__pieces_push(ps, &bot) != 0) {
            free(bot.mask);
            return -1;
        }
        cur = ps->n - 1;
        st->n_bridges_cut++;
        if (c + 1 == nc - 1) {
            ps->v[cur].line = cand[c + 1];
            return seg__wline_push(&ls->v[cand[c + 1]], cur);
        }
    }
    /* Not cut (or the rest): it belongs with the line whose band it
     * overlaps first. */
    ps->v[cur].flags &= ~SEG__TALL;
    int li = cand[0];
    for (int c = 0; c < nc; c++) {
        float t, b, cx = ps->v[cur].box.x + 0.5f * ps->v[cur].box.w;
        core_at(&ls->v[cand[c]], cx, &t, &b);
        if (b >= ps->v[cur].box.y) {
            li = cand[c];
            break;
        }
    }
    ps->v[cur].line = li;
    return seg__wline_push(&ls->v[li], cur);
}

/* Lines bucketed by the rows they can claim pieces from (x-height band
 * from 2.5 x-heights above to 1.5 below), so that a piece is compared with
 * the lines near its rows only, not with every line of the page. */
typedef struct {
    int *head;  /* nb + 1 offsets into items */
    int *items; /* line indices */
    int *stamp; /* per line: last query that returned it */
    int nb, query;
    float y0, bh;
} YIndex;

static void yindex_cleanup(YIndex *yi)
{
    free(yi->head);
    free(yi->items);
    free(yi->stamp);
    memset(yi, 0, sizeof *yi);
}

static void line_reach(const SegWLine *l, float *pt, float *pb)
{
    float b0 = seg__line_base_at(l, (float)l->box.x);
    float b1 = seg__line_base_at(l, (float)(l->box.x + l->box.w));
    *pt = (b0 < b1 ? b0 : b1) - 3.5f * l->unit;
    *pb = (b0 > b1 ? b0 : b1) + 1.5f * l->unit;
}

static int yindex_build(YIndex *yi, const SegWLines *ls, int n, float bh)
{
    yindex_cleanup(yi);
    if (bh < 1)
        bh = 1;
    float lo = 1e30f, hi = -1e30f;
    for (int i = 0; i < n; i++) {
        float t, b;
        line_reach(&ls->v[i], &t, &b);
        lo = t < lo ? t : lo;
        hi = b > hi ? b : hi;
    }
    if (n == 0) {
        lo = 0;
        hi = 1;
    }
    yi->y0 = lo;
    yi->bh = bh;
    yi->nb = (int)((hi - lo) / bh) + 1;
    yi->head = calloc((size_t)yi->nb + 1, sizeof *yi->head);
    yi->stamp = calloc((size_t)n + 1, sizeof *yi->stamp);
    if (!yi->head || !yi->stamp)
        return err_set("segment: out of memory (line index)");
    size_t total = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            for (int b = 0; b < yi->nb; b++)
                yi->head[b + 1] += yi->head[b];
            total = (size_t)yi->head[yi->nb];
            yi->items = malloc((total + 1) * sizeof *yi->items);
            if (!yi->items)
                return err_set("segment: out of memory (line index)");
        }
        int *fill = pass == 1 ? calloc((size_t)yi->nb + 1, sizeof *fill) : NULL;
        if (pass == 1 && !fill)
            return err_set("segment: out of memory (line index)");
        for (int i = 0; i < n; i++) {
            float t, b;
            line_reach(&ls->v[i], &t, &b);
            int b0 = (int)((t - lo) / bh), b1 = (int)((b - lo) / bh);
            for (int k = b0; k <= b1 && k < yi->nb; k++) {
                if (pass == 0)
                    yi->head[k + 1]++;
                else
                    yi->items[yi->head[k] + fill[k]++] = i;
            }
        }
        free(fill);
    }
    return 0;
}

/* Lines whose reach meets rows [y0, y1]; returns the count (out holds at
 * most the number of indexed lines, each once). */
static int yindex_query(YIndex *yi, float y0, float y1, int *out)
{
    int n = 0;
    yi->query++;
    int b0 = (int)floorf((y0 - yi->y0) / yi->bh);
    int b1 = (int)floorf((y1 - yi->y0) / yi->bh);
    if (b0 < 0)
        b0 = 0;
    if (b1 > yi->nb - 1)
        b1 = yi->nb - 1;
    for (int b = b0; b <= b1; b++)
        for (int k = yi->head[b]; k < yi->head[b + 1]; k++) {
            int li = yi->items[k];
            if (yi->stamp[li] != yi->query) {
                yi->stamp[li] = yi->query;
                out[n++] = li;
            }
        }
    return n;
}

/* Lines (among the first nbase) whose x-height band the piece covers by at
 * least half an x-height, within slack px of the line's x-range. */
static int bridged_lines(const SegPieces *ps, const SegWLines *ls, YIndex *yi,
                         int pi, float slack, int *cand)
{
    const SegPiece *p = &ps->v[pi];
    int nq = yindex_query(yi, (float)p->box.y, (float)(p->box.y + p->box.h - 1),
                          cand);
    int nc = 0;
    float cx = p->box.x + 0.5f * p->box.w;
    for (int q = 0; q < nq; q++) {
        int li = cand[q];
        const SegWLine *l = &ls->v[li];
        if (l->box.x > p->box.x + p->box.w + slack ||
            l->box.x + l->box.w + slack < p->box.x)
            continue;
        float t, b;
        core_at(l, cx, &t, &b);
        float lo = (float)p->box.y, hi = (float)(p->box.y + p->box.h - 1);
        float ov = (b < hi ? b : hi) - (t > lo ? t : lo);
        if (ov >= 0.5f * l->unit)
            cand[nc++] = li;
    }
    return nc;
}

static _Thread_local const SegWLines *sort_ls;

static int cmp_line_base(const void *a, const void *b)
{
    const SegWLine *p = &sort_ls->v[*(const int *)a];
    const SegWLine *q = &sort_ls->v[*(const int *)b];
    float x = p->b + p->slope * (p->box.x + 0.5f * p->box.w);
    float y = q->b + q->slope * (q->box.x + 0.5f * q->box.w);
    return (x > y) - (x < y);
}

/* Mark the live pieces SMALL (under 0.45 x med_h) or TALL (over 2.5 x the
 * 30th percentile height, about the x-height: a page full of ascenders and
 * descenders has a tall median, and a piece that bridges two lines must
 * not seed a line's band); the others, the ones that seed lines, go to
 * order[] sorted by x, their count to *pno. 0, or -1 on error. */
static int pieces_by_height(SegPieces *ps, float H, int *order, int *pno)
{
    int n0 = ps->n;
    float *hq = malloc((size_t)(n0 + 1) * sizeof *hq);
    if (!hq)
        return err_set("segment: out of memory (%d pieces)", n0);
    int nq = 0;
    for (int i = 0; i < n0; i++) {
        const SegPiece *p = &ps->v[i];
        if (!(p->flags & SEG__DEAD) && p->box.h >= 0.45f * H)
            hq[nq++] = (float)p->box.h;
    }
    seg__median_f(hq, nq); /* sorts */
    float h30 = nq > 0 ? hq[(int)(0.3f * (nq - 1))] : H;
    free(hq);
    int no = 0;
    for (int i = 0; i < n0; i++) {
        SegPiece *p = &ps->v[i];
        if (p->flags & SEG__DEAD)
            continue;
        if (p->box.h < 0.45f * H)
            p->flags |= SEG__SMALL;
        else if (p->box.h > 2.5f * h30)
            p->flags |= SEG__TALL;
        else
            order[no++] = i;
    }
    seg__pieces_sort_x(ps, order, no);
    *pno = no;
    return 0;
}

/* A track that a piece's band overlaps enough to join. */
typedef struct {
    int ti;
    float f, dc;
} TrackCand;

/* The line tracker: open tracks (one per line being built), bucketed by
 * the y of their band's centre so that a piece looks only at the tracks
 * near it. */
typedef struct {
    Track *tr;
    int ntr, cap;
    IntVec *bk; /* bucket b: the tracks whose centre is in [b, b+1) x bh */
    int nb;
    float bh, max_band, maxgap;
    TrackCand *cands; /* scratch of tracker_best */
    int ccap;
} Tracker;

/* Set up k for pieces up to y = maxy on a page of median height H. 0, or
 * -1 on error (tracker_cleanup in both cases). */
static int tracker_init(Tracker *k, float H, int maxy)
{
    memset(k, 0, sizeof *k);
    k->cap = 64;
    k->bh = H > 1 ? H : 1;
    k->maxgap = 3.0f * H;
    k->nb = (int)(maxy / k->bh) + 2;
    k->tr = malloc((size_t)k->cap * sizeof *k->tr);
    k->bk = calloc((size_t)k->nb, sizeof *k->bk);
    if (!k->tr || !k->bk)
        return err_set("segment: out of memory (line tracker)");
    return 0;
}

static void tracker_cleanup(Tracker *k)
{
    for (int b = 0; k->bk && b < k->nb; b++)
        free(k->bk[b].v);
    free(k->bk);
    free(k->tr);
    free(k->cands);
}

/* The track piece p joins: the best overlap; near-ties (within 0.05) go
 * to the nearer centre, then to the older track, independent of the
 * visiting order. Tracks that ended more than maxgap left of p are closed
 * on the way. Returns the track, -1 when none fits, -2 on error. */
static int tracker_best(Tracker *k, const SegPiece *p)
{
    float top = (float)p->box.y, bot = (float)(p->box.y + p->box.h);
    /* tracks whose band could overlap: centres within half the two
     * heights */
    float pc = 0.5f * (top + bot),
          rad = 0.5f * ((bot - top) + k->max_band) + 1;
    int b0 = (int)((pc - rad) / k->bh), b1 = (int)((pc + rad) / k->bh);
    b0 = b0 < 0 ? 0 : b0;
    b1 = b1 > k->nb - 1 ? k->nb - 1 : b1;
    int nc = 0;
    float fmax = 0;
    for (int b = b0; b <= b1; b++) {
        IntVec *v = &k->bk[b];
        for (int j = 0; j < v->n;) {
            int ti = v->v[j];
            Track *t = &k->tr[ti];
            if ((float)t->x1 < (float)p->box.x - k->maxgap) {
                bk_remove(k->bk, k->tr, ti); /* closed for good: x only grows */
                continue;
            }
            j++;
            float dc, f = track_fit(t, top, bot, &dc);
            if (f < 0.55f)
                continue;
            if (nc == k->ccap) {
                int ccap = k->ccap ? 2 * k->ccap : 16;
                TrackCand *nv = realloc(k->cands, (size_t)ccap * sizeof *nv);
                if (!nv) {
                    err_set("segment: out of memory (line tracker)");
                    return -2;
                }
                k->cands = nv;
                k->ccap = ccap;
            }
            k->cands[nc++] = (TrackCand){ti, f, dc};
            fmax = f > fmax ? f : fmax;
        }
    }
    int best = -1;
    float bestdc = 1e30f;
    for (int c = 0; c < nc; c++)
        if (k->cands[c].f >= fmax - 0.05f &&
            (k->cands[c].dc < bestdc ||
             (k->cands[c].dc == bestdc && k->cands[c].ti < best))) {
            bestdc = k->cands[c].dc;
            best = k->cands[c].ti;
        }
    return best;
}

/* A new track with a new, empty line in ls. The track, or -1 on error. */
static int tracker_open(Tracker *k, SegWLines *ls)
{
    if (k->ntr == k->cap) {
        Track *v = realloc(k->tr, (size_t)(2 * k->cap) * sizeof *v);
        if (!v)
            return err_set("segment: out of memory (line tracker)");
        k->tr = v;
        k->cap *= 2;
    }
    if (!wlines_add(ls))
        return -1;
    int ti = k->ntr++;
    memset(&k->tr[ti], 0, sizeof k->tr[ti]);
    k->tr[ti].line = ls->n - 1;
    k->tr[ti].bucket = -1;
    return ti;
}

/* Add piece pi to track ti and its line: the track's window of piece
 * bands, its right end and its bucket follow. 0, or -1 on error. */
static int tracker_extend(Tracker *k, int ti, SegPieces *ps, int pi,
                          SegWLines *ls)
{
    SegPiece *p = &ps->v[pi];
    Track *t = &k->tr[ti];
    t->top[t->k] = (float)p->box.y;
    t->bot[t->k] = (float)(p->box.y + p->box.h);
    t->k = (t->k + 1) % SEG_TRACK_WIN;
    if (t->nfill < SEG_TRACK_WIN)
        t->nfill++;
    if (p->box.x + p->box.w > t->x1)
        t->x1 = p->box.x + p->box.w;
    float bt, bb;
    track_band(t, &bt, &bb);
    k->max_band = bb - bt > k->max_band ? bb - bt : k->max_band;
    int nbkt = (int)(0.5f * (bt + bb) / k->bh);
    nbkt = nbkt < 0 ? 0 : nbkt > k->nb - 1 ? k->nb - 1 : nbkt;
    if (t->bucket != nbkt) {
        if (t->bucket >= 0)
            bk_remove(k->bk, k->tr, ti);
        if (bk_insert(k->bk, k->tr, ti, nbkt) != 0)
            return -1;
    }
    p->line = t->line;
    return seg__wline_push(&ls->v[t->line], pi);
}

/* Seed the lines: the no pieces of order[] (sorted by x) each join the
 * track whose band they overlap best, or open a new one; then every line
 * is fitted. 0, or -1 on error. */
static int lines_track(SegPieces *ps, const int *order, int no,
                       const SegMetrics *m, SegWLines *ls)
{
    int maxy = 0;
    for (int oi = 0; oi < no; oi++) {
        const SegBox *b = &ps->v[order[oi]].box;
        maxy = b->y + b->h > maxy ? b->y + b->h : maxy;
    }
    Tracker k;
    int rc = tracker_init(&k, m->med_h, maxy);
    for (int oi = 0; rc == 0 && oi < no; oi++) {
        int best = tracker_best(&k, &ps->v[order[oi]]);
        if (best == -1)
            best = tracker_open(&k, ls);
        rc = best < 0 ? -1 : tracker_extend(&k, best, ps, order[oi], ls);
    }
    tracker_cleanup(&k);
    if (rc < 0)
        return -1;
    for (int i = 0; i < ls->n; i++)
        seg__line_fit(ps, &ls->v[i], m);
    return 0;
}

/* Cut piece i where it bridges the nc lines of cand[] (sorted here by
 * their base line). 0, or -1 on error. */
static int cut_bridging(SegPieces *ps, SegWLines *ls, int i, int *cand,
                        int nc, SegStats *st)
{
    sort_ls = ls;
    qsort(cand, (size_t)nc, sizeof *cand, cmp_line_base);
    sort_ls = NULL;
    return cut_tall(ps, ls, i, cand, nc, st);
}

/* The line among cand[] (nc) that piece pi belongs to, though TALL: one
 * as tall as the piece (at least 1/1.3 of it), whose box holds it give or
 * take a fifth of its height (capitals written into a form, big beside
 * its printed labels: some over the TALL height, some under, these making
 * lines that the others would be cut across); the nearest across. -1 if
 * none. */
static int line_holding(const SegPieces *ps, const SegWLines *ls, int pi,
                        const int *cand, int nc)
{
    const SegBox *p = &ps->v[pi].box;
    int best = -1, bestd = 0;
    for (int q = 0; q < nc; q++) {
        const SegBox *b = &ls->v[cand[q]].box;
        float slack = 0.2f * (float)b->h;
        if (1.3f * (float)b->h < (float)p->h || (float)p->y < b->y - slack ||
            (float)(p->y + p->h) > b->y + b->h + slack)
            continue;
        int d = p->x > b->x + b->w ? p->x - (b->x + b->w)
                : b->x > p->x + p->w ? b->x - (p->x + p->w)
                                     : 0;
        if (best < 0 || d < bestd) {
            best = cand[q];
            bestd = d;
        }
    }
    return best;
}

/* TALL pieces that bridge no line (ns of them, solo[]): a long stroke or a
 * margin mark, or the writing of a form page, big beside its printed
 * labels (the page's median height is the labels'): tracked into lines of
 * their own like the line seeds, at the scale of their median height, so
 * that a written value is one line and not a line per letter. 0, or -1 on
 * error. */
static int lines_of_solo(SegPieces *ps, const SegMetrics *m, int *solo,
                         int ns, SegWLines *ls)
{
    if (ns == 0)
        return 0;
    float *h = malloc((size_t)ns * sizeof *h);
    if (!h)
        return err_set("segment: out of memory (%d tall pieces)", ns);
    for (int k = 0; k < ns; k++) {
        ps->v[solo[k]].flags &= ~SEG__TALL;
        h[k] = (float)ps->v[solo[k]].box.h;
    }
    SegMetrics ms = *m;
    ms.med_h = seg__median_f(h, ns);
    free(h);
    seg__pieces_sort_x(ps, solo, ns);
    return lines_track(ps, solo, ns, &ms, ls);
}

/* Tall pieces: cut where they bridge lines. Glyph-sized pieces that reach
 * well into the x-height bands of two lines (the median glyph may itself
 * be tall when a page is full of ascenders and descenders) are taken out
 * of their line and cut; TALL pieces are cut across the lines they bridge,
 * or, bridging none, make lines of their own (lines_of_solo()).
 * 0, or -1 on error. */
static int lines_cut_tall(SegPieces *ps, const SegMetrics *m, SegWLines *ls,
                          SegStats *st)
{
    float H = m->med_h, maxgap = 3.0f * H;
    int n0 = ps->n, nbase = ls->n, rc = -1, ns = 0;
    YIndex yi = {0};
    int *cand = malloc((size_t)(nbase + 1) * sizeof *cand);
    int *solo = malloc((size_t)(n0 + 1) * sizeof *solo);
    if (!cand || !solo) {
        err_set("segment: out of memory (tall pieces)");
        goto done;
    }
    if (yindex_build(&yi, ls, nbase, H) != 0)
        goto done;
    for (int li = 0; li < nbase; li++) {
        int n_orig = ls->v[li].n;
        for (int k = 0; k < n_orig; k++) {
            int i = ls->v[li].idx[k];
            int nc = bridged_lines(ps, ls, &yi, i, 0.0f, cand);
            if (nc < 2)
                continue;
            ls->v[li].idx[k] = -1;
            if (cut_bridging(ps, ls, i, cand, nc, st) != 0)
                goto done;
        }
        int kk = 0;
        for (int k = 0; k < ls->v[li].n; k++)
            if (ls->v[li].idx[k] >= 0)
                ls->v[li].idx[kk++] = ls->v[li].idx[k];
        ls->v[li].n = kk;
    }
    for (int i = 0; i < n0; i++) {
        SegPiece *p = &ps->v[i];
        if ((p->flags & SEG__DEAD) || !(p->flags & SEG__TALL))
            continue;
        int nc = bridged_lines(ps, ls, &yi, i, maxgap, cand);
        if (nc == 0) {
            solo[ns++] = i;
            continue;
        }
        int in = line_holding(ps, ls, i, cand, nc);
        if (in >= 0) {
            p->flags &= ~SEG__TALL;
            if (seg__wline_push(&ls->v[in], i) != 0)
                goto done;
            continue;
        }
        if (cut_bridging(ps, ls, i, cand, nc, st) != 0)
            goto done;
    }
    rc = lines_of_solo(ps, m, solo, ns, ls);
done:
    free(cand);
    free(solo);
    yindex_cleanup(&yi);
    return rc;
}

/* Small pieces: each joins the line whose x-height band is nearest (within
 * 1.5 units, above the band counting 0.6); one near no line is a speck and
 * is dropped. 0, or -1 on error. */
static int lines_add_small(SegPieces *ps, const SegMetrics *m, SegWLines *ls,
                           SegStats *st)
{
    int n0 = ps->n, rc = -1;
    YIndex yi = {0};
    int *cand = malloc((size_t)(ls->n + 1) * sizeof *cand);
    if (!cand || yindex_build(&yi, ls, ls->n, m->med_h) != 0) {
        if (!err_get()[0])
            err_set("segment: out of memory (small pieces)");
        goto done;
    }
    for (int i = 0; i < n0; i++) {
        SegPiece *p = &ps->v[i];
        if ((p->flags & SEG__DEAD) || !(p->flags & SEG__SMALL))
            continue;
        float cx = p->box.x + 0.5f * p->box.w, cy = p->box.y + 0.5f * p->box.h;
        int best = -1;
        float bestd = 1e30f;
        int nq = yindex_query(&yi, cy, cy, cand);
        for (int q = 0; q < nq; q++) {
            int li = cand[q];
            SegWLine *l = &ls->v[li];
            float slack = 0.6f * l->unit;
            if (cx < l->box.x - slack || cx > l->box.x + l->box.w + slack)
                continue;
            float t, b, d;
            core_at(l, cx, &t, &b);
            if (cy < t)
                d = 0.6f * (t - cy);
            else if (cy > b)
                d = cy - b;
            else
                d = 0;
            if (d <= 1.5f * l->unit && (d < bestd || (d == bestd && li < best))) {
                bestd = d;
                best = li;
            }
        }
        if (best < 0) {
            seg__piece_drop(p);
            st->n_specks++;
            continue;
        }
        p->line = best;
        if (seg__wline_push(&ls->v[best], i) != 0)
            goto done;
    }
    rc = 0;
done:
    free(cand);
    yindex_cleanup(&yi);
    return rc;
}

/**
 * Group live pieces into lines (not yet in reading order).
 *
 * @param[in,out] ps  pieces; SMALL/TALL flags set, tall pieces may be cut,
 *                    stray small marks dropped
 * @param[in]     m   page metrics (med_h)
 * @param[out]    ls  lines, fitted
 * @param[in,out] st  counters
 * @return 0, or -1 on error
 *
 * Notes:
 *   (1) Four steps: pieces_by_height (SMALL / TALL / line seeds),
 *       lines_track (the seeds into lines), lines_cut_tall (pieces that
 *       bridge lines), lines_add_small (dots, accents, punctuation).
 */
int seg__lines_find(SegPieces *ps, const SegMetrics *m, SegWLines *ls,
                    SegStats *st)
{
    int n0 = ps->n, no = 0;
    int *order = malloc((size_t)(n0 + 1) * sizeof *order);
    if (!order)
        return err_set("segment: out of memory (%d pieces)", n0);
    int rc = pieces_by_height(ps, m->med_h, order, &no);
    if (rc == 0)
        rc = lines_track(ps, order, no, m, ls);
    free(order);
    if (rc == 0)
        rc = lines_cut_tall(ps, m, ls, st);
    if (rc == 0)
        rc = lines_add_small(ps, m, ls, st);
    if (rc < 0)
        return -1;
    for (int i = 0; i < ls->n; i++)
        seg__line_update_box(ps, &ls->v[i]);
    return 0;
}

/* ---- reading order ------------------------------------------------------ */

typedef struct {
    const SegWLines *ls;
    float *ctop, *cbot; /* x-height band extent of each line */
    int *out, nout;
    int *blk;       /* per line: the block id its leaf of the cut got */
    int next_block; /* ids handed out so far: every blk[] < next_block */
    unsigned char *form; /* per block id: inside a form's rows */
    float colgap;
} XYCut;

static _Thread_local XYCut *sort_xy;

static int cmp_by_x0(const void *a, const void *b)
{
    const SegBox *p = &sort_xy->ls->v[*(const int *)a].box;
    const SegBox *q = &sort_xy->ls->v[*(const int *)b].box;
    return (p->x > q->x) - (p->x < q->x);
}

static int cmp_by_ctop(const void *a, const void *b)
{
    int i = *(const int *)a, j = *(const int *)b;
    float p = sort_xy->ctop[i], q = sort_xy->ctop[j];
    if (p != q)
        return (p > q) - (p < q);
    return (sort_xy->ls->v[i].box.x > sort_xy->ls->v[j].box.x) -
           (sort_xy->ls->v[i].box.x < sort_xy->ls->v[j].box.x);
}

static int cmp_by_cmid(const void *a, const void *b)
{
    int i = *(const int *)a, j = *(const int *)b;
    float p = sort_xy->ctop[i] + sort_xy->cbot[i];
    float q = sort_xy->ctop[j] + sort_xy->cbot[j];
    if (p != q)
        return (p > q) - (p < q);
    return (sort_xy->ls->v[i].box.x > sort_xy->ls->v[j].box.x) -
           (sort_xy->ls->v[i].box.x < sort_xy->ls->v[j].box.x);
}

static int ls_x(const XYCut *c, int i) { return c->ls->v[i].box.x; }

/* Do the x-height bands of lines i and j overlap by half the smaller? */
static int same_row(const XYCut *c, int i, int j)
{
    float ov = seg__fmin(c->cbot[i], c->cbot[j]) -
               seg__fmax(c->ctop[i], c->ctop[j]);
    return ov >= 0.5f * seg__fmin(c->cbot[i] - c->ctop[i],
                                  c->cbot[j] - c->ctop[j]);
}

/* The end of the row that starts at ids[s] (ids: n lines sorted by band
 * top): the lines after it whose x-height bands overlap the row's so far
 * (chained). */
static int row_end(const XYCut *c, const int *ids, int n, int s)
{
    float bot = c->cbot[ids[s]];
    int e = s + 1;
    for (; e < n && c->ctop[ids[e]] <= bot; e++)
        if (c->cbot[ids[e]] > bot)
            bot = c->cbot[ids[e]];
    return e;
}

/* Is the gutter through the n lines idx[] (sorted by left edge) that of a
 * form, labels left of their fields, rather than between two columns of
 * text? Each side of the gutter is a group. The lines are put into rows
 * (x-height bands chained by overlap); a row holding lines of two or more
 * groups is mixed, and clean when none of its groups has two lines one
 * above the other (columns of text set at different leading chain their
 * lines into tall rows; side by side, they are pieces of one line) and it
 * lies at least 2.5 glyph heights below the mixed row before it (the
 * lines of text columns follow at 1-2). It is a form when at least two
 * mixed rows, and two thirds of them, are clean (a comb whose digits came
 * apart spoils its own row only): its rows are read one after the other,
 * a label with its field; text columns one after the other. */
static int form_rows(XYCut *c, const int *idx, int n)
{
    const SegWLines *ls = c->ls;
    /* grp: the side of the gutter, per line index; ids: the lines by
     * band top */
    int *grp = malloc((size_t)ls->n * sizeof *grp);
    int *ids = malloc((size_t)n * sizeof *ids);
    if (!grp || !ids) {
        free(grp);
        free(ids);
        return 0; /* out of memory: read as columns, as before */
    }
    int g = 0, right = ls->v[idx[0]].box.x + ls->v[idx[0]].box.w;
    for (int i = 0; i < n; i++) {
        const SegBox *b = &ls->v[idx[i]].box;
        if (i > 0 && (float)(b->x - right) >= c->colgap)
            g++;
        if (b->x + b->w > right)
            right = b->x + b->w;
        grp[idx[i]] = g;
        ids[i] = idx[i];
    }
    sort_xy = c;
    qsort(ids, (size_t)n, sizeof *ids, cmp_by_ctop);
    int mixed = 0, clean = 0;
    float last = 0, minpitch = 2.5f * c->colgap / 2.0f;
    for (int s = 0, e; s < n; s = e) {
        e = row_end(c, ids, n, s);
        int groups = 0, twice = 0;
        for (int a = s; a < e; a++) {
            int first = 1;
            const SegBox *ba = &ls->v[ids[a]].box;
            for (int b = s; b < a; b++) {
                const SegBox *bb = &ls->v[ids[b]].box;
                if (grp[ids[b]] != grp[ids[a]])
                    continue;
                first = 0;
                if (ba->x < bb->x + bb->w && bb->x < ba->x + ba->w)
                    twice = 1; /* stacked, not side by side */
            }
            groups += first;
        }
        if (groups >= 2) {
            float top = c->ctop[ids[s]];
            clean += !twice && (mixed == 0 || top - last >= minpitch);
            last = top;
            mixed++;
        }
    }
    free(grp);
    free(ids);
    return clean >= 2 && 3 * clean >= 2 * mixed;
}

/* Recursive XY cut of the n lines idx[] (reordered in place) inside block
 * id `block`: appends them to c->out in reading order and sets c->blk. A
 * vertical cut gives each side a fresh id from c->next_block, so the ids
 * made can outnumber the lines (a sparse page with far-apart words, nested
 * columns): at most 2n - 1 in all. */
static void xycut(XYCut *c, int *idx, int n, int block, int depth)
{
    int form = c->form[block];
    if (n <= 1 || depth > 64) {
        sort_xy = c;
        qsort(idx, (size_t)n, sizeof *idx, cmp_by_cmid);
        /* lines of one row (bands overlapping by half the smaller one)
         * left to right: pieces of a written line that a wide gap split */
        for (int i = 1; i < n; i++)
            for (int j = i; j > 0 && same_row(c, idx[j - 1], idx[j]) &&
                            ls_x(c, idx[j]) < ls_x(c, idx[j - 1]);
                 j--) {
                int t = idx[j];
                idx[j] = idx[j - 1];
                idx[j - 1] = t;
            }
        for (int i = 0; i < n; i++) {
            c->out[c->nout++] = idx[i];
            c->blk[idx[i]] = block;
        }
        return;
    }
    const SegWLines *ls = c->ls;
    /* Vertical cut: gutters through all lines. */
    sort_xy = c;
    qsort(idx, (size_t)n, sizeof *idx, cmp_by_x0);
    int right = ls->v[idx[0]].box.x + ls->v[idx[0]].box.w, cuts = 0;
    for (int i = 1; i < n; i++) {
        const SegBox *b = &ls->v[idx[i]].box;
        if ((float)(b->x - right) >= c->colgap)
            cuts++;
        if (b->x + b->w > right)
            right = b->x + b->w;
    }
    if (cuts > 0 && !form && form_rows(c, idx, n)) {
        cuts = 0; /* a form's label column: read row by row instead */
        form = 1;
    } else if (cuts > 0) {
        int start = 0;
        right = ls->v[idx[0]].box.x + ls->v[idx[0]].box.w;
        for (int i = 1; i <= n; i++) {
            const SegBox *b = i < n ? &ls->v[idx[i]].box : NULL;
            if (!b || (float)(b->x - right) >= c->colgap) {
                c->form[c->next_block] = (unsigned char)form;
                xycut(c, idx + start, i - start, c->next_block++, depth + 1);
                start = i;
            }
            if (b && b->x + b->w > right)
                right = b->x + b->w;
        }
        return;
    }
    /* Horizontal cuts between x-height bands. */
    sort_xy = c;
    qsort(idx, (size_t)n, sizeof *idx, cmp_by_ctop);
    if (row_end(c, idx, n, 0) == n) {
        xycut(c, idx, n, block, 65); /* no cut: centre order */
        return;
    }
    for (int s = 0, e; s < n; s = e) {
        e = row_end(c, idx, n, s); /* before the call reorders the row */
        /* a form's rows: blocks of their own, not cut as a form again */
        int row = block;
        if (form && !c->form[block]) {
            row = c->next_block++;
            c->form[row] = 1;
        }
        xycut(c, idx + s, e - s, row, depth + 1);
    }
}

/**
 * Put lines in reading order, number their blocks, and join pieces of one
 * row that a wide gap had split.
 *
 * @param[in,out] ps  pieces (line indices rewritten)
 * @param[in,out] ls  lines; on return compacted, in reading order, fitted
 * @param[in]     m   page metrics
 * @return 0, or -1 on error
 */
int seg__lines_order(SegPieces *ps, SegWLines *ls, const SegMetrics *m)
{
    int n = ls->n;
    if (n == 0)
        return 0;
    XYCut c = {0};
    c.ls = ls;
    c.ctop = malloc((size_t)n * sizeof *c.ctop);
    c.cbot = malloc((size_t)n * sizeof *c.cbot);
    c.out = malloc((size_t)n * sizeof *c.out);
    c.blk = malloc((size_t)n * sizeof *c.blk);
    /* ids: a node of the cut each, every inner node with 2+ children */
    c.form = calloc((size_t)2 * n + 1, 1);
    int *idx = malloc((size_t)n * sizeof *idx);
    int *remap = NULL; /* cut's block id -> block number in reading order */
    SegWLine *nv = malloc((size_t)n * sizeof *nv);
    int rc = -1, nn = 0;
    if (!c.ctop || !c.cbot || !c.out || !c.blk || !c.form || !idx || !nv) {
        err_set("segment: out of memory (reading order, %d lines)", n);
        goto done;
    }
    c.colgap = 2.0f * m->med_h;
    c.next_block = 1; /* 0 is the whole page */
    int k = 0;
    for (int i = 0; i < n; i++) {
        SegWLine *l = &ls->v[i];
        if (l->n == 0)
            continue;
        float b0 = seg__line_base_at(l, (float)l->box.x);
        float b1 = seg__line_base_at(l, (float)(l->box.x + l->box.w));
        c.cbot[i] = seg__fmax(b0, b1);
        c.ctop[i] = seg__fmin(b0, b1) - l->unit;
        idx[k++] = i;
    }
    xycut(&c, idx, k, 0, 0);

    /* Join consecutive pieces of one row; renumber blocks in order. The
     * cut's block ids run over [0, c.next_block), which is not bounded by
     * the number of lines (each vertical cut gives every side a new id,
     * and nested cuts keep counting): the map is sized by the ids made. */
    remap = malloc((size_t)c.next_block * sizeof *remap);
    if (!remap) {
        err_set("segment: out of memory (reading order, %d blocks)",
                c.next_block);
        goto done;
    }
    for (int i = 0; i < c.next_block; i++)
        remap[i] = -1;
    int nblocks = 0;
    for (int o = 0; o < c.nout; o++) {
        int li = c.out[o];
        SegWLine *l = &ls->v[li];
        if (nn > 0) {
            SegWLine *p = &nv[nn - 1];
            float pt = p->b + p->slope * (p->box.x + p->box.w) - p->unit;
            float pb = pt + p->unit;
            float lt = seg__line_base_at(l, (float)l->box.x) - l->unit;
            float lb = lt + l->unit;
            float ov = seg__fmin(pb, lb) - seg__fmax(pt, lt);
            float mu = seg__fmin(p->unit, l->unit);
            /* not print and writing (a label and the value beside it) */
            if (ov >= 0.5f * mu && seg__fmax(p->unit, l->unit) <= 1.6f * mu &&
                (float)l->box.x >= p->box.x + p->box.w - 0.5f * mu) {
                for (int j = 0; j < l->n; j++)
                    if (seg__wline_push(p, l->idx[j]) != 0)
                        goto done;
                free(l->idx);
                l->idx = NULL;
                l->n = 0;
                seg__line_fit(ps, p, m);
                continue;
            }
        }
        if (remap[c.blk[li]] < 0)
            remap[c.blk[li]] = nblocks++;
        nv[nn] = *l;
        nv[nn].block = remap[c.blk[li]];
        nn++;
        l->idx = NULL; /* moved */
    }
    for (int i = 0; i < n; i++)
        free(ls->v[i].idx);
    free(ls->v);
    ls->v = nv;
    ls->n = nn;
    ls->cap = n;
    nv = NULL;
    for (int i = 0; i < ls->n; i++)
        for (int j = 0; j < ls->v[i].n; j++)
            ps->v[ls->v[i].idx[j]].line = i;
    rc = 0;
done:
    free(c.ctop);
    free(c.cbot);
    free(c.out);
    free(c.blk);
    free(c.form);
    free(idx);
    free(remap);
    if (nv) {
        /* On error nv holds the lines moved so far: free their pieces. */
        for (int i = 0; i < nn; i++)
            free(nv[i].idx);
        free(nv);
    }
    return rc;
}
