/*
 * seg_pieces.c - the page's ink as pieces: connected components with their
 * own masks, and what can be done to a piece (merge, cut, sort), before
 * lines are known; plus the small statistics helpers of the segmenter.
 *
 * Design: the page's 8-connected components become SegPieces (box + own
 * 0/1 mask), found from the row runs of the 1 bpp page with a union-find.
 * Stacked fragments of one character (a broken vertical stroke) are joined
 * before lines are found. seg_lines.c groups pieces into lines and
 * seg_glyphs.c turns each line's pieces into glyphs; this file calls
 * neither, so the three form a chain, not a circle:
 *   seg_pieces.c <- seg_lines.c <- seg_glyphs.c <- seg_page.c
 */
#include "segment/seg_internal.h"

#include "common/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ---------------------------------------------------- */

int seg__cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

float seg__median_f(float *v, int n)
{
    if (n <= 0)
        return 0.0f;
    qsort(v, (size_t)n, sizeof *v, seg__cmp_float);
    return n % 2 ? v[n / 2] : 0.5f * (v[n / 2 - 1] + v[n / 2]);
}

/* Drop piece p: its mask freed, marked SEG__DEAD (furniture, a speck). */
void seg__piece_drop(SegPiece *p)
{
    free(p->mask);
    p->mask = NULL;
    p->flags |= SEG__DEAD;
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

/**
 * Append the runs of ink of one 1 bpp row to rs.
 *
 * @param[in]     line  the row's words (Leptonica's: pixel x is bit 31 - x %
 *                      32 of word x / 32)
 * @param[in]     wpl   words in the row
 * @param[in]     w     pixels in the row (the padding bits past it are
 *                      not read as ink)
 * @param[in]     y     the row, stored with each run
 * @param[in,out] rs    runs, appended in order of x
 * @return 0, or -1 out of memory
 */
int seg__row_runs(const l_uint32 *line, int wpl, int w, int y, SegRuns *rs)
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
        if (seg__row_runs(data + (size_t)y * wpl, wpl, w, y, &rs) != 0)
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
int seg__piece_sub(const SegPiece *p, int x0, int x1, int y0, int y1,
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
    if (seg__piece_sub(p, 0, col, 0, p->box.h, left) != 0)
        return -1;
    if (seg__piece_sub(p, col, p->box.w, 0, p->box.h, right) != 0) {
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
    if (seg__piece_sub(p, 0, p->box.w, 0, row, top) != 0)
        return -1;
    if (seg__piece_sub(p, 0, p->box.w, row, p->box.h, bottom) != 0) {
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
 * @param[in]     med_h  the glyph scale, px: the median piece height (a
 *                       crop: its glyph height, seg__crop_detect's)
 * @param[in,out] st     counters (n_fragments_merged)
 * @return 0, or -1 on error
 *
 * Notes:
 *   (1) Two pieces join when they overlap horizontally by half the narrower
 *       width and the vertical gap between them is at most
 *       max(2, 0.15 med_h): an i's dot is further than that from its stem.
 *       A crop's pieces are half letters as often as letters (the label's
 *       cut bits, a name's broken strokes), so their median is not its
 *       glyph height, and a gap that grows with the scan's resolution
 *       would join at one resolution and not at the next.
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
