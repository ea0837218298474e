/*
 * seg_glyphs.c - connected components -> glyphs: pieces, i/j dots and
 * accents, broken strokes, touching characters, word breaks.
 *
 * Design: the page's 8-connected components become SegPieces (box + own
 * 0/1 mask). Once lines are known (seg_lines.c), each line's pieces are
 * turned into glyphs in three passes:
 *   1. small pieces above the x-height band (dots, accents) join the piece
 *      below them that overlaps them most; tiny marks on the baseline
 *      (full stops, specks) that join nothing are dropped, since the
 *      classifier has no class for them;
 *   2. pieces that overlap horizontally by at least half the narrower width
 *      are fragments of one character (light pencil, broken strokes) and
 *      are merged;
 *   3. pieces much wider than the page's typical glyph are cut at column
 *      projection minima near the expected glyph boundary; with a scorer
 *      (the classifier's confidence) the candidate cuts are ranked by the
 *      confidence of the two halves and a cut is kept only when it beats the
 *      uncut piece.
 * Word breaks come from each line's gap distribution in x-height units: a
 * two-class Otsu split of the gaps, accepted only when the classes are well
 * apart; lines with too few gaps, or one class only, use the page's pooled
 * threshold. Every pass is linear in the pieces of a line (plus a sort).
 */
#include "segment/seg_internal.h"

#include "common/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ---------------------------------------------------- */

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

float seg__median_f(float *v, int n)
{
    if (n <= 0)
        return 0.0f;
    qsort(v, (size_t)n, sizeof *v, cmp_float);
    return n % 2 ? v[n / 2] : 0.5f * (v[n / 2 - 1] + v[n / 2]);
}

/* Two-class Otsu split of sorted values. Returns 0 and the threshold (a
 * value between the classes) with both class means, or -1 when n < 2. */
int seg__otsu_split_f(const float *sorted, int n, float *pthresh,
                      float *plo_mean, float *phi_mean)
{
    if (n < 2)
        return -1;
    double total = 0;
    for (int i = 0; i < n; i++)
        total += sorted[i];
    double s0 = 0, best = -1;
    int bi = 0;
    for (int i = 0; i < n - 1; i++) {
        s0 += sorted[i];
        int n0 = i + 1, n1 = n - n0;
        double m0 = s0 / n0, m1 = (total - s0) / n1;
        double var = (double)n0 * n1 * (m1 - m0) * (m1 - m0);
        if (var > best) {
            best = var;
            bi = i;
        }
    }
    double s = 0;
    for (int i = 0; i <= bi; i++)
        s += sorted[i];
    *plo_mean = (float)(s / (bi + 1));
    *phi_mean = (float)((total - s) / (n - bi - 1));
    *pthresh = 0.5f * (sorted[bi] + sorted[bi + 1]);
    return 0;
}

/* ---- pieces ----------------------------------------------------------- */

int seg__pieces_push(SegPieces *ps, const SegPiece *p)
{
    if (ps->n == ps->cap) {
        int cap = ps->cap ? 2 * ps->cap : 256;
        SegPiece *v = realloc(ps->v, (size_t)cap * sizeof *v);
        if (!v)
            return err_set("segment: out of memory (%d pieces)", cap);
        ps->v = v;
        ps->cap = cap;
    }
    ps->v[ps->n++] = *p;
    return 0;
}

void seg__pieces_cleanup(SegPieces *ps)
{
    if (!ps)
        return;
    for (int i = 0; i < ps->n; i++)
        free(ps->v[i].mask);
    free(ps->v);
    memset(ps, 0, sizeof *ps);
}

/* A horizontal run of ink in one row: [x0, x1). */
typedef struct {
    int y, x0, x1;
} SegRun;

typedef struct {
    SegRun *v;
    int n, cap;
} SegRuns;

static int runs_push(SegRuns *rs, int y, int x0, int x1)
{
    if (rs->n == rs->cap) {
        int cap = rs->cap ? 2 * rs->cap : 4096;
        SegRun *v = realloc(rs->v, (size_t)cap * sizeof *v);
        if (!v)
            return -1;
        rs->v = v;
        rs->cap = cap;
    }
    rs->v[rs->n++] = (SegRun){y, x0, x1};
    return 0;
}

/* Append the runs of one 1 bpp row (MSB-first words). */
static int row_runs(const l_uint32 *line, int wpl, int w, int y, SegRuns *rs)
{
    int in = 0, start = 0;
    for (int wi = 0; wi < wpl; wi++) {
        l_uint32 v = line[wi];
        int base = wi * 32;
        if ((!in && v == 0) || (in && v == 0xffffffffu))
            continue;
        int b = 0;
        while (b < 32) {
            if (!in) {
                l_uint32 rem = v << b;
                if (rem == 0)
                    break;
                b += __builtin_clz(rem);
                start = base + b;
                in = 1;
            } else {
                l_uint32 rem = ~v << b; /* shifted-in zeros: still ink */
                if (rem == 0)
                    break;
                b += __builtin_clz(rem);
                in = 0;
                if (start < w &&
                    runs_push(rs, y, start, base + b < w ? base + b : w) != 0)
                    return -1;
            }
        }
    }
    if (in && start < w && runs_push(rs, y, start, w) != 0)
        return -1;
    return 0;
}

/**
 * Root of i in a union-find forest, halving the path on the way.
 *
 * @param[in,out] parent  parent[k] == k for roots; paths are shortened
 * @param[in]     i       element
 * @return the root
 */
int seg__uf_find(int *parent, int i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

static _Thread_local const SegPieces *sort_ps;

static int cmp_piece_x(const void *a, const void *b)
{
    const SegBox *p = &sort_ps->v[*(const int *)a].box;
    const SegBox *q = &sort_ps->v[*(const int *)b].box;
    if (p->x != q->x)
        return (p->x > q->x) - (p->x < q->x);
    return (p->y > q->y) - (p->y < q->y);
}

/**
 * Sort piece indices left to right (ties: top to bottom).
 *
 * @param[in]     ps   pieces the indices refer to
 * @param[in,out] idx  n indices into ps->v, sorted in place
 * @param[in]     n    count
 *
 * Notes:
 *   (1) qsort has no context argument: the pieces go through a
 *       thread-local pointer, so concurrent pages on threads are safe.
 */
void seg__pieces_sort_x(const SegPieces *ps, int *idx, int n)
{
    sort_ps = ps;
    qsort(idx, (size_t)n, sizeof *idx, cmp_piece_x);
    sort_ps = NULL;
}

/**
 * Every 8-connected component of a 1 bpp page becomes a piece with its own
 * 0/1 mask.
 *
 * @param[in]  pixb  1 bpp page, ink = 1
 * @param[out] ps    pieces appended, in the order of their first pixel
 *                   (top to bottom, left to right)
 * @return 0, or -1 on error (out of memory)
 *
 * Notes:
 *   (1) Run-based labelling: the rows are cut into runs of ink (whole
 *       words of paper are skipped), runs that touch a run of the row
 *       above (8-connectivity: their x-ranges overlap when widened by one)
 *       are joined with union-find, and each component's mask is painted
 *       from its runs. Cost is linear in words plus runs, with no
 *       per-component pass over the page.
 */
int seg__pieces_from_pix(PIX *pixb, SegPieces *ps)
{
    int w = pixGetWidth(pixb), h = pixGetHeight(pixb), wpl = pixGetWpl(pixb);
    l_uint32 *data = pixGetData(pixb);
    SegRuns rs = {0};
    int *parent = NULL, *comp = NULL;
    int rc = -1;
    for (int y = 0; y < h; y++)
        if (row_runs(data + (size_t)y * wpl, wpl, w, y, &rs) != 0)
            goto oom;
    parent = malloc((size_t)(rs.n + 1) * sizeof *parent);
    if (!parent)
        goto oom;
    for (int i = 0; i < rs.n; i++)
        parent[i] = i;
    /* Join runs with the touching runs of the row above: both rows' runs
     * are sorted by x, so one merge-like sweep per row pair suffices. */
    {
        int a0 = 0; /* first run of the row above */
        int i = 0;
        while (i < rs.n) {
            int y = rs.v[i].y, r0 = i;
            while (i < rs.n && rs.v[i].y == y)
                i++;
            int r1 = i; /* this row: [r0, r1) */
            /* the row above is [a0, r0) when it is y - 1 */
            if (r0 > 0 && rs.v[r0 - 1].y == y - 1) {
                int q = a0;
                for (int r = r0; r < r1; r++) {
                    const SegRun *rr = &rs.v[r];
                    while (q < r0 && rs.v[q].x1 < rr->x0) /* ends left */
                        q++;
                    for (int k = q; k < r0 && rs.v[k].x0 <= rr->x1; k++) {
                        int ra = seg__uf_find(parent, r);
                        int rb = seg__uf_find(parent, k);
                        if (ra != rb) {
                            if (ra < rb)
                                parent[rb] = ra;
                            else
                                parent[ra] = rb;
                        }
                    }
                }
            }
            a0 = r0;
        }
    }
    /* Components in order of their first run; boxes and areas. */
    comp = malloc((size_t)(rs.n + 1) * sizeof *comp);
    if (!comp)
        goto oom;
    int nc = 0, base = ps->n;
    for (int i = 0; i < rs.n; i++) {
        int r = seg__uf_find(parent, i);
        if (r == i) {
            comp[i] = nc++;
            SegPiece p = {{rs.v[i].x0, rs.v[i].y, 0, 0}, NULL, 0, -1, 0};
            p.box.w = rs.v[i].x1 - rs.v[i].x0; /* grown below */
            p.box.h = 1;
            if (seg__pieces_push(ps, &p) != 0)
                goto oom;
        } else {
            comp[i] = comp[r];
        }
        SegPiece *p = &ps->v[base + comp[i]];
        const SegRun *u = &rs.v[i];
        int x0 = p->box.x < u->x0 ? p->box.x : u->x0;
        int x1 = p->box.x + p->box.w > u->x1 ? p->box.x + p->box.w : u->x1;
        int y1 = p->box.y + p->box.h > u->y + 1 ? p->box.y + p->box.h : u->y + 1;
        p->box.x = x0;
        p->box.w = x1 - x0;
        p->box.h = y1 - p->box.y;
        p->area += u->x1 - u->x0;
    }
    for (int c = 0; c < nc; c++) {
        SegPiece *p = &ps->v[base + c];
        p->mask = calloc((size_t)p->box.w * p->box.h, 1);
        if (!p->mask)
            goto oom;
    }
    for (int i = 0; i < rs.n; i++) {
        SegPiece *p = &ps->v[base + comp[i]];
        const SegRun *u = &rs.v[i];
        memset(p->mask + (size_t)(u->y - p->box.y) * p->box.w +
                   (u->x0 - p->box.x),
               1, (size_t)(u->x1 - u->x0));
    }
    rc = 0;
    goto done;
oom:
    err_set("segment: out of memory (connected components of a %dx%d page)",
            w, h);
done:
    free(rs.v);
    free(parent);
    free(comp);
    return rc;
}

/* OR src into dst (dst's box grows to the union); src is marked dead and its
 * mask freed. */
int seg__piece_merge(SegPiece *dst, SegPiece *src)
{
    int x0 = dst->box.x < src->box.x ? dst->box.x : src->box.x;
    int y0 = dst->box.y < src->box.y ? dst->box.y : src->box.y;
    int x1a = dst->box.x + dst->box.w, x1b = src->box.x + src->box.w;
    int y1a = dst->box.y + dst->box.h, y1b = src->box.y + src->box.h;
    int x1 = x1a > x1b ? x1a : x1b, y1 = y1a > y1b ? y1a : y1b;
    int w = x1 - x0, h = y1 - y0;
    unsigned char *m = calloc((size_t)w * h, 1);
    if (!m)
        return err_set("segment: out of memory merging pieces");
    const SegPiece *ps[2] = {dst, src};
    for (int k = 0; k < 2; k++) {
        const SegPiece *p = ps[k];
        for (int y = 0; y < p->box.h; y++) {
            const unsigned char *s = p->mask + (size_t)y * p->box.w;
            unsigned char *d = m + (size_t)(p->box.y - y0 + y) * w +
                               (p->box.x - x0);
            for (int x = 0; x < p->box.w; x++)
                d[x] |= s[x];
        }
    }
    free(dst->mask);
    dst->mask = m;
    dst->box = (SegBox){x0, y0, w, h};
    dst->area += src->area;
    dst->flags &= ~SEG__SMALL;
    if (dst->box.h > 0 && (src->flags & SEG__TALL))
        dst->flags |= SEG__TALL;
    free(src->mask);
    src->mask = NULL;
    src->area = 0;
    src->flags |= SEG__DEAD;
    return 0;
}

/* Copy the sub-rectangle [x0,x1) x [y0,y1) of p into out, trimmed to its
 * ink. out->area == 0 (and no mask) when the rectangle holds no ink. */
static int piece_sub(const SegPiece *p, int x0, int x1, int y0, int y1,
                     SegPiece *out)
{
    int minx = x1, maxx = x0 - 1, miny = y1, maxy = y0 - 1, area = 0;
    for (int y = y0; y < y1; y++) {
        const unsigned char *r = p->mask + (size_t)y * p->box.w;
        for (int x = x0; x < x1; x++)
            if (r[x]) {
                area++;
                if (x < minx)
                    minx = x;
                if (x > maxx)
                    maxx = x;
                if (y < miny)
                    miny = y;
                if (y > maxy)
                    maxy = y;
            }
    }
    memset(out, 0, sizeof *out);
    out->line = p->line;
    out->flags = p->flags & ~(SEG__DEAD | SEG__TALL | SEG__SMALL);
    if (area == 0)
        return 0;
    int w = maxx - minx + 1, h = maxy - miny + 1;
    out->mask = malloc((size_t)w * h);
    if (!out->mask)
        return err_set("segment: out of memory cutting a piece");
    for (int y = 0; y < h; y++)
        memcpy(out->mask + (size_t)y * w,
               p->mask + (size_t)(miny + y) * p->box.w + minx, (size_t)w);
    out->box = (SegBox){p->box.x + minx, p->box.y + miny, w, h};
    out->area = area;
    return 0;
}

/* Cut p at mask column col: left = [0, col), right = [col, w). */
int seg__piece_cut_cols(const SegPiece *p, int col, SegPiece *left,
                        SegPiece *right)
{
    if (piece_sub(p, 0, col, 0, p->box.h, left) != 0)
        return -1;
    if (piece_sub(p, col, p->box.w, 0, p->box.h, right) != 0) {
        free(left->mask);
        left->mask = NULL;
        return -1;
    }
    return 0;
}

/* Cut p at mask row row: top = [0, row), bottom = [row, h). */
int seg__piece_cut_rows(const SegPiece *p, int row, SegPiece *top,
                        SegPiece *bottom)
{
    if (piece_sub(p, 0, p->box.w, 0, row, top) != 0)
        return -1;
    if (piece_sub(p, 0, p->box.w, row, p->box.h, bottom) != 0) {
        free(top->mask);
        top->mask = NULL;
        return -1;
    }
    return 0;
}

/* ---- stacked fragments (before lines) ------------------------------------ */

/**
 * Join pieces of one character broken across its height (a light pencil
 * stroke that fades out) before lines are looked for, so that the halves
 * cannot start lines of their own.
 *
 * @param[in,out] ps     pieces (joined ones are marked dead)
 * @param[in]     med_h  median piece height, px
 * @param[in,out] st     counters (n_fragments_merged)
 * @return 0, or -1 on error
 *
 * Notes:
 *   (1) Two pieces join when they overlap horizontally by half the narrower
 *       width and the vertical gap between them is at most
 *       max(2, 0.15 med_h): an i's dot is further than that from its stem.
 *       A descender that nearly touches the ascender below may join; the
 *       line step cuts such a piece again.
 *   (2) A sweep over pieces sorted by x: each piece is compared only with
 *       the pieces that start inside its own x-range.
 */
int seg__pieces_join_stacked(SegPieces *ps, float med_h, SegStats *st)
{
    int n = ps->n;
    if (n < 2)
        return 0;
    int *order = malloc((size_t)n * sizeof *order);
    int *parent = malloc((size_t)n * sizeof *parent);
    if (!order || !parent) {
        free(order);
        free(parent);
        return err_set("segment: out of memory (%d pieces)", n);
    }
    int no = 0;
    for (int i = 0; i < n; i++) {
        parent[i] = i;
        if (!(ps->v[i].flags & SEG__DEAD))
            order[no++] = i;
    }
    seg__pieces_sort_x(ps, order, no);
    float gmax = seg__fmax(2.0f, 0.15f * med_h);
    for (int a = 0; a < no; a++) {
        const SegBox *p = &ps->v[order[a]].box;
        for (int b = a + 1; b < no; b++) {
            const SegBox *q = &ps->v[order[b]].box;
            if (q->x >= p->x + p->w)
                break;
            int ov = (p->x + p->w < q->x + q->w ? p->x + p->w : q->x + q->w) -
                     q->x;
            int mw = p->w < q->w ? p->w : q->w;
            int gap = q->y >= p->y ? q->y - (p->y + p->h) : p->y - (q->y + q->h);
            if (2 * ov >= mw && gap >= 0 && (float)gap <= gmax) {
                int ra = seg__uf_find(parent, order[a]);
                int rb = seg__uf_find(parent, order[b]);
                if (ra != rb)
                    parent[rb] = ra;
            }
        }
    }
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        int r = seg__uf_find(parent, i);
        if (r != i && !(ps->v[i].flags & SEG__DEAD)) {
            rc = seg__piece_merge(&ps->v[r], &ps->v[i]);
            st->n_fragments_merged++;
        }
    }
    free(order);
    free(parent);
    return rc;
}

/* ---- per-line glyph passes --------------------------------------------- */


/* Sort a line's pieces by left edge and drop the dead ones. */
static void line_sort_live(SegPieces *ps, SegWLine *l)
{
    int k = 0;
    for (int i = 0; i < l->n; i++)
        if (!(ps->v[l->idx[i]].flags & SEG__DEAD))
            l->idx[k++] = l->idx[i];
    l->n = k;
    seg__pieces_sort_x(ps, l->idx, l->n);
}

/* Pass 1: dots and accents; tiny marks on the baseline are dropped. */
static int join_dots(SegPieces *ps, SegWLine *l, SegStats *st)
{
    float u = l->unit;
    for (int i = 0; i < l->n; i++) {
        SegPiece *d = &ps->v[l->idx[i]];
        if ((d->flags & SEG__DEAD) || !(d->flags & SEG__SMALL))
            continue;
        float cx = d->box.x + 0.5f * d->box.w;
        float base = seg__line_base_at(l, cx);
        int above = (float)(d->box.y + d->box.h) <= base - 0.45f * u;
        float tol = above ? 0.35f * u : 0.0f;
        int best = -1;
        float best_d = 1e30f;
        /* Neighbours in x order: a base glyph lies within a few entries.
         * A dot goes to the piece whose x-range is nearest its centre (ties:
         * nearest centre); a low fragment to the one it overlaps most. */
        for (int j = i - 6 < 0 ? 0 : i - 6; j < l->n && j <= i + 6; j++) {
            SegPiece *b = &ps->v[l->idx[j]];
            if (j == i || (b->flags & (SEG__DEAD | SEG__SMALL)))
                continue;
            float d_;
            if (above) {
                float bx0 = (float)b->box.x, bx1 = (float)(b->box.x + b->box.w);
                float out = seg__fmax(0.0f, seg__fmax(bx0 - cx, cx - bx1));
                d_ = out * 1000.0f + fabsf(cx - 0.5f * (bx0 + bx1));
                if (out > tol)
                    continue;
            } else {
                float ov = seg__fmin((float)(d->box.x + d->box.w),
                                 (float)(b->box.x + b->box.w)) -
                           seg__fmax((float)d->box.x, (float)b->box.x);
                if (ov < 0.5f * d->box.w)
                    continue; /* a fragment must lie over its base */
                d_ = -ov;
            }
            if (d_ < best_d) {
                best_d = d_;
                best = l->idx[j];
            }
        }
        if (best >= 0) {
            if (seg__piece_merge(&ps->v[best], d) != 0)
                return -1;
            if (above)
                st->n_dots_merged++;
            else
                st->n_fragments_merged++;
        } else if (above || (d->box.w < 0.35f * u && d->box.h < 0.35f * u)) {
            free(d->mask);
            d->mask = NULL;
            d->flags |= SEG__DEAD;
            st->n_specks++;
        } else {
            d->flags &= ~SEG__SMALL; /* a small glyph in its own right */
        }
    }
    line_sort_live(ps, l);
    return 0;
}

/* Pass 2: horizontally overlapping fragments of one character. */
static int join_fragments(SegPieces *ps, SegWLine *l, SegStats *st)
{
    int cur = -1;
    for (int i = 0; i < l->n; i++) {
        SegPiece *b = &ps->v[l->idx[i]];
        if (cur >= 0) {
            SegPiece *a = &ps->v[cur];
            int ov = (a->box.x + a->box.w < b->box.x + b->box.w
                          ? a->box.x + a->box.w
                          : b->box.x + b->box.w) -
                     (a->box.x > b->box.x ? a->box.x : b->box.x);
            int mw = a->box.w < b->box.w ? a->box.w : b->box.w;
            int y0 = a->box.y < b->box.y ? a->box.y : b->box.y;
            int y1 = a->box.y + a->box.h > b->box.y + b->box.h
                         ? a->box.y + a->box.h
                         : b->box.y + b->box.h;
            /* Not two whole glyphs stacked: the union stays glyph-sized. */
            if (2 * ov >= mw && (float)(y1 - y0) <= 2.6f * l->unit + 2) {
                if (seg__piece_merge(a, b) != 0)
                    return -1;
                st->n_fragments_merged++;
                continue;
            }
        }
        cur = l->idx[i];
    }
    line_sort_live(ps, l);
    return 0;
}

/* Column ink counts of a piece, smoothed over 3 columns. */
static void col_profile(const SegPiece *p, float *prof)
{
    int w = p->box.w, h = p->box.h;
    for (int x = 0; x < w; x++)
        prof[x] = 0;
    for (int y = 0; y < h; y++) {
        const unsigned char *r = p->mask + (size_t)y * w;
        for (int x = 0; x < w; x++)
            prof[x] += r[x];
    }
    float prev = prof[0];
    for (int x = 1; x < w - 1; x++) {
        float cur = prof[x];
        prof[x] = (prev + 2 * cur + prof[x + 1]) * 0.25f;
        prev = cur;
    }
}

static float score_piece(const SegOptions *opt, const SegPiece *p)
{
    if (!p->mask || p->area == 0)
        return 0.0f;
    return opt->score(opt->score_ctx, p->mask, p->box.w, p->box.h);
}

#define SEG_MAX_PARTS 12

/* Mark in nocut[0..w) the middle columns of p's big holes: background
 * regions the piece encloses that span at least 45% of its height and
 * 0.6 of a typical glyph width tw (the counter of a wide 0, O, D, o).
 * Cutting there breaks one round glyph into two hooks (0 -> "C7", "17");
 * what two touching glyphs enclose between them is narrower (the wedge of
 * an x against an o). Returns 0/-1. */
static int big_hole_cols(const SegPiece *p, float tw, unsigned char *nocut)
{
    int w = p->box.w, h = p->box.h;
    size_t n = (size_t)w * h;
    memset(nocut, 0, (size_t)w);
    if (w < 3 || h < 3)
        return 0;
    /* lab: 0 = unvisited background, 1 = ink, 2 = outside, 3 = hole */
    unsigned char *lab = malloc(n);
    int *stack = malloc(n * sizeof *stack);
    if (!lab || !stack) {
        free(lab);
        free(stack);
        return err_set("segment: out of memory splitting a glyph");
    }
    for (size_t i = 0; i < n; i++)
        lab[i] = p->mask[i] ? 1 : 0;
    for (int pass = 0; pass < 2; pass++) {
        /* pass 0: fill from the border (outside); pass 1: each hole */
        for (size_t s0 = 0; s0 < n; s0++) {
            int x = (int)(s0 % (size_t)w), y = (int)(s0 / (size_t)w);
            int border = x == 0 || y == 0 || x == w - 1 || y == h - 1;
            if (lab[s0] != 0 || (pass == 0 && !border))
                continue;
            int sp = 0, x0 = x, x1 = x, y0 = y, y1 = y;
            lab[s0] = pass == 0 ? 2 : 3;
            stack[sp++] = (int)s0;
            while (sp > 0) {
                int q = stack[--sp], qx = q % w, qy = q / w;
                if (qx < x0) x0 = qx;
                if (qx > x1) x1 = qx;
                if (qy < y0) y0 = qy;
                if (qy > y1) y1 = qy;
                int nb[4] = {qx > 0 ? q - 1 : -1, qx < w - 1 ? q + 1 : -1,
                             qy > 0 ? q - w : -1, qy < h - 1 ? q + w : -1};
                for (int k = 0; k < 4; k++)
                    if (nb[k] >= 0 && lab[nb[k]] == 0) {
                        lab[nb[k]] = lab[s0];
                        stack[sp++] = nb[k];
                    }
            }
            /* only the middle half of the hole: two touching glyphs may
             * enclose a tall wedge between them (an x against an o), and
             * the cut between them runs along its edge */
            int hw = x1 - x0 + 1;
            if (pass == 1 && (y1 - y0 + 1) * 20 >= 9 * h &&
                (float)hw >= 0.6f * tw)
                memset(nocut + x0 + hw / 4, 1, (size_t)(hw - 2 * (hw / 4)));
        }
    }
    free(lab);
    free(stack);
    return 0;
}

/* 1 if any of the n - 1 cuts falls in a marked column. */
static int cuts_cross(const int *cuts, int n, const unsigned char *nocut)
{
    for (int k = 0; k + 1 < n; k++)
        if (nocut[cuts[k]] || nocut[cuts[k] - 1])
            return 1;
    return 0;
}

/* Narrowest part a cut may leave, px: 0.3 of a typical glyph width. */
static int part_min_width(float tw)
{
    return (int)(0.3f * tw) > 1 ? (int)(0.3f * tw) : 1;
}

/* Cut columns for splitting p into n parts: near each expected boundary
 * k * w / n, the emptiest column when it is clearly emptier than the
 * average column (a thin join), else the boundary itself (strokes that
 * touch by overlapping make the junction heavy and leave the emptiest
 * columns inside round glyphs). cuts gets n - 1 increasing columns in
 * [1, w - 1]; the caller keeps n * part_min_width(tw) <= w (with more
 * parts than columns the cuts would run off the piece's left edge). */
static void find_cuts(const float *prof, int w, int n, float tw,
                      const unsigned char *nocut, int *cuts)
{
    float mean = 0;
    for (int x = 0; x < w; x++)
        mean += prof[x];
    mean /= w;
    int minw = part_min_width(tw);
    int prev = 0;
    for (int k = 1; k < n; k++) {
        float t = (float)w * k / n;
        int lo = (int)ceilf(t - 0.35f * tw), hi = (int)floorf(t + 0.35f * tw);
        if (lo < prev + minw)
            lo = prev + minw;
        int last = w - (n - k) * minw;
        if (hi > last)
            hi = last;
        int c = (int)lrintf(t);
        if (lo <= hi) {
            int best = lo;
            for (int x = lo; x <= hi; x++) {
                if (nocut && nocut[x] && !nocut[best]) /* keep round glyphs whole */
                    continue;
                if ((nocut && nocut[best] && !nocut[x]) || prof[x] < prof[best] ||
                    (prof[x] == prof[best] && fabsf(x - t) < fabsf(best - t)))
                    best = x;
            }
            if (prof[best] <= 0.5f * mean && !(nocut && nocut[best]))
                c = best;
        }
        if (c <= prev)
            c = prev + 1;
        if (c >= w - (n - k))
            c = w - (n - k);
        cuts[k - 1] = c;
        prev = c;
    }
}

/* Cut p into n parts at cuts; parts[] get owned masks (some may be empty). */
static int cut_parts(const SegPiece *p, int n, const int *cuts,
                     SegPiece *parts)
{
    for (int k = 0; k < n; k++) {
        int x0 = k == 0 ? 0 : cuts[k - 1], x1 = k == n - 1 ? p->box.w : cuts[k];
        if (piece_sub(p, x0, x1, 0, p->box.h, &parts[k]) != 0) {
            for (int j = 0; j < k; j++)
                free(parts[j].mask);
            return -1;
        }
    }
    return 0;
}

static void free_parts(SegPiece *parts, int n)
{
    for (int k = 0; k < n; k++) {
        free(parts[k].mask);
        parts[k].mask = NULL;
    }
}

/* Pass 3: cut p (which may be too wide) into glyphs; the first part
 * replaces p, the others are pushed onto ps and l. Returns 0/-1. */
static int split_piece(SegPieces *ps, SegWLine *l, int pi, float tw,
                       const SegOptions *opt, SegStats *st)
{
    const SegPiece *p = &ps->v[pi];
    int w = p->box.w, h = p->box.h;
    /* Without a classifier, only pieces both much wider than a glyph and
     * wider than tall: capitals (C, A, W, 4) are wide but tall too. */
    float thresh = opt->score ? 1.45f : 1.7f;
    float aspect = opt->score ? 0.75f : 1.15f;
    if (w < thresh * tw || (float)w < aspect * h || w < 6)
        return 0;
    /* At most as many parts as fit at the narrowest part width: on a page
     * of tiny marks tw can be below 1 px, and a 6 px piece asked for 12
     * parts had cuts at negative columns. */
    int max_parts = w / part_min_width(tw);
    if (max_parts > SEG_MAX_PARTS)
        max_parts = SEG_MAX_PARTS;
    if (max_parts < 2)
        return 0;
    int n_exp = (int)lrintf(w / tw);
    if (n_exp < 2)
        n_exp = 2;
    if (n_exp > max_parts)
        n_exp = max_parts;
    float *prof = malloc((size_t)w * sizeof *prof);
    unsigned char *nocut = malloc((size_t)w);
    if (!prof || !nocut || big_hole_cols(p, tw, nocut) != 0) {
        free(prof);
        free(nocut);
        return err_set("segment: out of memory splitting a glyph");
    }
    col_profile(p, prof);
    int cuts[SEG_MAX_PARTS];
    SegPiece parts[SEG_MAX_PARTS];
    int n = n_exp;
    if (opt->score) {
        /* Let the classifier choose the number of parts: the weakest
         * part's confidence decides, and the whole piece competes. */
        float best_s = score_piece(opt, p);
        int best_n = 1;
        for (int cn = n_exp - 1; cn <= n_exp + 1 && cn <= max_parts; cn++) {
            if (cn < 2 || (float)w / cn < 0.3f * tw)
                continue;
            find_cuts(prof, w, cn, tw, nocut, cuts);
            if (cuts_cross(cuts, cn, nocut))
                continue;
            if (cut_parts(p, cn, cuts, parts) != 0) {
                free(prof);
                free(nocut);
                return -1;
            }
            float s = 1.0f;
            for (int k = 0; k < cn; k++) {
                float sk = score_piece(opt, &parts[k]);
                if (sk < s)
                    s = sk;
            }
            free_parts(parts, cn);
            if (s > best_s) {
                best_s = s;
                best_n = cn;
            }
        }
        if (best_n == 1 && w < 2.4f * tw) {
            free(prof);
            free(nocut);
            return 0;
        }
        n = best_n > 1 ? best_n : n_exp;
    }
    /* Without a classifier the cuts stay where they were (measured on
     * printed pages, keeping counters whole there lost more real splits
     * than it saved). */
    find_cuts(prof, w, n, tw, opt->score ? nocut : NULL, cuts);
    free(prof);
    int crosses = opt->score && cuts_cross(cuts, n, nocut);
    free(nocut);
    if (crosses)
        return 0;
    if (cut_parts(p, n, cuts, parts) != 0)
        return -1;
    /* Empty parts (a cut through white) are dropped; if fewer than two
     * remain there is nothing to split. */
    int nk = 0;
    for (int k = 0; k < n; k++) {
        if (parts[k].area * 25 < p->area) {
            free(parts[k].mask);
            continue;
        }
        parts[nk++] = parts[k];
    }
    if (nk < 2) {
        free_parts(parts, nk);
        return 0;
    }
    int line = p->line;
    free(ps->v[pi].mask);
    ps->v[pi] = parts[0];
    ps->v[pi].line = line;
    for (int k = 1; k < nk; k++) {
        parts[k].line = line;
        if (seg__pieces_push(ps, &parts[k]) != 0) {
            free_parts(parts + k, nk - k);
            return -1;
        }
        if (seg__wline_push(l, ps->n - 1) != 0) {
            free_parts(parts + k + 1, nk - k - 1);
            return -1;
        }
    }
    st->n_splits += nk - 1;
    return 0;
}

/**
 * Turn each line's pieces into glyphs: dots, fragments, touching glyphs.
 *
 * @param[in,out] ps   all pieces; merged ones are marked dead, cut ones
 *                     replaced and appended
 * @param[in,out] ls   lines in reading order; each line's idx ends sorted
 *                     by x and holds live pieces only
 * @param[in]     m    page metrics (med_w is computed here and read back
 *                     through the const pointer's owner)
 * @param[in]     opt  settings (split_touching, score)
 * @param[in,out] st   counters
 * @return 0, or -1 on error (out of memory)
 */
int seg__glyphs_build(SegPieces *ps, SegWLines *ls, const SegMetrics *m,
                      const SegOptions *opt, SegStats *st)
{
    (void)m;
    int total = 0;
    for (int i = 0; i < ls->n; i++) {
        SegWLine *l = &ls->v[i];
        line_sort_live(ps, l);
        if (join_dots(ps, l, st) != 0 || join_fragments(ps, l, st) != 0)
            return -1;
        total += l->n;
    }
    if (!opt->split_touching || total == 0)
        return 0;
    /* Typical glyph width: widths of glyph-high pieces, page-wide. */
    float *wv = malloc((size_t)total * sizeof *wv);
    if (!wv)
        return err_set("segment: out of memory (%d glyphs)", total);
    /* Narrow glyphs (i, l, 1: a stem) say nothing about letter width. */
    int nw = 0;
    for (int i = 0; i < ls->n; i++) {
        SegWLine *l = &ls->v[i];
        for (int k = 0; k < l->n; k++) {
            const SegPiece *p = &ps->v[l->idx[k]];
            if (p->box.h >= 0.6f * l->unit && p->box.w >= 0.35f * l->unit)
                wv[nw++] = (float)p->box.w;
        }
    }
    float page_tw = seg__median_f(wv, nw);
    for (int i = 0; i < ls->n; i++) {
        SegWLine *l = &ls->v[i];
        /* A line with enough glyphs of its own uses its own width, so a
         * writer who prints wide on one line is not cut everywhere. */
        float tw = page_tw;
        nw = 0;
        for (int k = 0; k < l->n; k++) {
            const SegPiece *p = &ps->v[l->idx[k]];
            if (p->box.h >= 0.6f * l->unit && p->box.w >= 0.35f * l->unit)
                wv[nw++] = (float)p->box.w;
        }
        if (nw >= 8)
            tw = seg__median_f(wv, nw);
        if (tw < 0.5f * l->unit)
            tw = 0.5f * l->unit;
        int n0 = l->n;
        for (int k = 0; k < n0; k++)
            if (split_piece(ps, l, l->idx[k], tw, opt, st) != 0) {
                free(wv);
                return -1;
            }
        line_sort_live(ps, l);
    }
    free(wv);
    return 0;
}

/* ---- words ------------------------------------------------------------ */

/* Gaps of one line in units of its x-height, in glyph order; returns the
 * count. gaps must hold l->n entries. */
static int line_gaps(const SegPieces *ps, const SegWLine *l, float *gaps)
{
    int n = 0;
    if (l->n < 2)
        return 0;
    int right = ps->v[l->idx[0]].box.x + ps->v[l->idx[0]].box.w;
    for (int k = 1; k < l->n; k++) {
        const SegBox *b = &ps->v[l->idx[k]].box;
        gaps[n++] = (float)(b->x - right) / l->unit;
        if (b->x + b->w > right)
            right = b->x + b->w;
    }
    return n;
}

/* Is a two-class split of these (sorted, x-height unit) gaps real? */
static int split_is_real(float lo, float hi)
{
    return hi - lo >= 0.25f && hi >= 2.0f * (lo > 0 ? lo : 0) + 0.15f;
}

/**
 * Mark word starts: word_start[i] = 1 for each piece that begins a word.
 *
 * @param[in]  ps          pieces
 * @param[in]  ls          lines in reading order, idx sorted by x, live only
 * @param[in]  m           page metrics
 * @param[in]  opt         settings (word_gap > 0 fixes the threshold)
 * @param[out] word_start  one byte per piece (ps->n), all written
 * @return 0, or -1 on error
 *
 * Notes:
 *   (1) A gap >= 1.5 x-heights breaks and one <= 0.12 never does,
 *       whatever the two-class split says; but on a line of 3 or more
 *       gaps no gap up to twice the line's median gap breaks (evenly
 *       spaced capitals are one word, however wide their spacing).
 */
int seg__words_mark(const SegPieces *ps, const SegWLines *ls,
                    const SegMetrics *m, const SegOptions *opt,
                    unsigned char *word_start)
{
    (void)m;
    memset(word_start, 0, (size_t)ps->n);
    int total = 0;
    for (int i = 0; i < ls->n; i++)
        total += ls->v[i].n;
    float *all = malloc((size_t)(total + 1) * sizeof *all);
    float *gaps = malloc((size_t)(total + 1) * sizeof *gaps);
    if (!all || !gaps) {
        free(all);
        free(gaps);
        return err_set("segment: out of memory (word gaps)");
    }
    /* Page threshold from all gaps pooled. */
    int na = 0;
    for (int i = 0; i < ls->n; i++)
        na += line_gaps(ps, &ls->v[i], all + na);
    qsort(all, (size_t)na, sizeof *all, cmp_float);
    float page_t = 0.8f, t, lo, hi;
    if (seg__otsu_split_f(all, na, &t, &lo, &hi) == 0 && split_is_real(lo, hi))
        page_t = t;
    for (int i = 0; i < ls->n; i++) {
        const SegWLine *l = &ls->v[i];
        if (l->n == 0)
            continue;
        word_start[l->idx[0]] = 1;
        int ng = line_gaps(ps, l, gaps);
        float line_t = page_t;
        if (opt->word_gap > 0) {
            line_t = opt->word_gap;
        } else if (ng >= 4) {
            memcpy(all, gaps, (size_t)ng * sizeof *all);
            qsort(all, (size_t)ng, sizeof *all, cmp_float);
            if (seg__otsu_split_f(all, ng, &t, &lo, &hi) == 0 &&
                split_is_real(lo, hi))
                line_t = t;
            else if (all[ng - 1] < page_t)
                line_t = page_t; /* one class: a single word, or all loose */
        }
        /* Evenly spaced letters (capitals in a comb or boxed name field,
         * spaced handprint) are one word: with 3 or more gaps, only a gap
         * more than twice the line's median gap can break. */
        float min_brk = 0;
        if (opt->word_gap <= 0 && ng >= 3) {
            memcpy(all, gaps, (size_t)ng * sizeof *all);
            float med = seg__median_f(all, ng);
            min_brk = 2.0f * (med > 0.12f ? med : 0.12f);
        }
        for (int k = 0; k < ng; k++) {
            int brk = gaps[k] > line_t;
            if (opt->word_gap <= 0) {
                if (gaps[k] >= 1.5f)
                    brk = 1;
                if (gaps[k] <= 0.12f || gaps[k] <= min_brk)
                    brk = 0;
            }
            if (brk)
                word_start[l->idx[k + 1]] = 1;
        }
    }
    free(all);
    free(gaps);
    return 0;
}
