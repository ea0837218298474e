/*
 * seg_furniture.c - form furniture: printed box lines, underlines, comb
 * fields; removed before components are taken, with the strokes they cut
 * repaired.
 *
 * Design (all Leptonica morphology on the 1 bpp page):
 *   1. long horizontal runs: opening with a 1 x L SEL, L = max(0.35 in,
 *      3 glyph heights), so no handwritten stroke survives it;
 *   2. long vertical runs: opening with an L' x 1 SEL, L' = max(0.4 in,
 *      3 glyph heights); shorter ones (max(0.2 in, 1.8 glyph heights))
 *      only where they meet a horizontal line (box sides), since a lone
 *      vertical stroke of that length is usually a descender touching the
 *      ascender below it;
 *   3. comb fields: short straight vertical ticks that touch a horizontal
 *      rule, stand alone (a p's stem on an underline has its bowl beside
 *      it), are about equally tall and shorter than 0.8 glyph heights (a
 *      row of l's on an underline is not a comb; ticks between 0.8 and
 *      1.8 glyph heights count only with writing in the cells between
 *      them), and sit on a regular grid with >= 4 consecutive positions
 *      (pitch from the median gap); a handwritten 1 in a cell sits
 *      between grid positions and stays;
 *   3b. box rows (box_rows()): a horizontal rule and the nearest one
 *      below it bound a row of boxes; their sides and dividers, as tall
 *      as the digits in them, are found by the strip test (columns inked
 *      from rule to rule, on the cells' grid, the outer two at the rules'
 *      ends), however short;
 *   3c. fields: combs and rows of boxes whose cells are a glyph wide
 *      (cell_fields(), find_combs(), box_rows()) are reported to the word
 *      step: the writing in one is one word;
 *   4. repair: a glyph stroke that crossed a removed line lost the line's
 *      pixels. A vertical closing (line thickness + 3) of what is left,
 *      restricted to the removed horizontal-line pixels, puts them back
 *      exactly where ink lies on both sides of the line; the same with a
 *      horizontal closing for vertical lines and ticks. Ink touching a line
 *      from one side only (a glyph standing on an underline) is not
 *      extended into it.
 * Pages with more than 35% ink (photos, black pages) are left alone: long
 * runs there are not furniture.
 */
#include "segment/seg_internal.h"

#include "common/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A comb's shortest tick, in glyph heights (find_combs). */
#define SEG_TICK_MIN 0.3f

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Shortest runs that count as rules: horizontal, vertical, and vertical
 * where they meet a horizontal rule. */
static void rule_lengths(int dpi, float med_h, int *phlen, int *pvlen,
                         int *pvshort)
{
    if (med_h < 1)
        med_h = dpi / 10.0f;
    *phlen = (int)fmaxf(0.35f * dpi, 3.0f * med_h);
    *pvlen = (int)fmaxf(0.4f * dpi, 3.0f * med_h);
    *pvshort = (int)fmaxf(0.2f * dpi, 1.8f * med_h);
}

/* The longest a rule need be in a strip w px wide: a box round two or
 * three digits is under three glyph heights long, and its top and bottom
 * span the crop, or 3/5 of it with some paper around. */
static int strip_rule_cap(int hlen, int w)
{
    return hlen > 3 * w / 5 ? 3 * w / 5 : hlen;
}

/**
 * Can the page hold furniture at all? Only if some component is as long as
 * a rule, or (a strip: a field cut out of a form) two thin verticals span
 * its height.
 *
 * @param[in] ps     the page's components
 * @param[in] w      the page's width, px
 * @param[in] h      the page's height, px
 * @param[in] dpi    resolution
 * @param[in] med_h  median component height, px
 * @return 1 if seg__furniture_remove() may find something, else 0
 */
int seg__furniture_possible(const SegPieces *ps, int w, int h, int dpi,
                            float med_h)
{
    int hlen, vlen, vshort;
    rule_lengths(dpi, med_h, &hlen, &vlen, &vshort);
    if (vlen >= h)
        hlen = strip_rule_cap(hlen, w);
    /* A faint rule binarises into dashes: count the flat thin pieces
     * too, if together they are as long as a rule. */
    long flat = 0;
    int thin = (int)(0.3f * med_h) + 2, spans = 0;
    for (int i = 0; i < ps->n; i++) {
        const SegBox *b = &ps->v[i].box;
        if (b->w >= hlen || b->h >= vshort)
            return 1;
        if (vlen >= h && b->h >= h - 2 && 3 * b->w <= b->h && ++spans >= 2)
            return 1;
        if (b->h <= thin && b->w >= 4 * b->h)
            flat += b->w;
    }
    return flat >= hlen;
}

typedef struct {
    int x2;  /* twice the centre x, band coordinates */
    int box; /* index into the band's component boxes */
    int h;
} Tick;

static int cmp_tick(const void *a, const void *b)
{
    const Tick *p = a, *q = b;
    return (p->x2 > q->x2) - (p->x2 < q->x2);
}

/* Ticks of one comb: candidates (sorted by x) that sit on a regular grid
 * with at least four consecutive positions filled. Marks them in keep[]
 * and returns how many. */
static int comb_grid(const Tick *t, int n, float med_h, unsigned char *keep,
                     float *ppitch)
{
    memset(keep, 0, (size_t)n);
    if (n < 4)
        return 0;
    int *gaps = malloc((size_t)n * sizeof *gaps);
    if (!gaps)
        return 0;
    for (int i = 0; i + 1 < n; i++)
        gaps[i] = t[i + 1].x2 - t[i].x2;
    qsort(gaps, (size_t)(n - 1), sizeof *gaps, cmp_int);
    float s = 0.5f * gaps[(n - 1) / 2]; /* pitch, px */
    *ppitch = s;
    free(gaps);
    if (s < 0.5f * med_h)
        return 0;
    float tol = 0.12f * s + 1;
    int best_run = 0, best_a = -1;
    for (int a = 0; a < n; a++) {
        /* consecutive grid positions from anchor a */
        int run = 1, prev_k = 0;
        for (int i = a + 1; i < n; i++) {
            float k = (t[i].x2 - t[a].x2) * 0.5f / s;
            int kr = (int)lrintf(k);
            if (fabsf(k - kr) * s > tol)
                continue;
            if (kr == prev_k + 1) {
                run++;
                prev_k = kr;
            } else if (kr > prev_k + 1) {
                break;
            }
        }
        if (run > best_run) {
            best_run = run;
            best_a = a;
        }
    }
    if (best_run < 4)
        return 0;
    int cnt = 0;
    for (int i = 0; i < n; i++) {
        float k = (t[i].x2 - t[best_a].x2) * 0.5f / s;
        if (fabsf(k - lrintf(k)) * s <= tol) {
            keep[i] = 1;
            cnt++;
        }
    }
    return cnt;
}

/* The grid positions of a comb whose ticks failed the tests (a glyph
 * standing close above, a tick broken up): take the ink of sub in the
 * tick-sized box just above the rule (row ry in sub) at each position
 * along the rule into tmask (page offset ox, oy). */
static void comb_fill_grid(PIX *sub, PIX *tmask, int ox, int oy, int ry,
                           const Tick *t, int nk, const unsigned char *keep,
                           int anchor2, float pitch, int wmax, int hmax)
{
    int sw = pixGetWidth(sub);
    if (pitch < 2 || anchor2 < 0)
        return;
    float a = anchor2 * 0.5f;
    int kmin = (int)floorf(-a / pitch), kmax = (int)ceilf((sw - a) / pitch);
    for (int k = kmin; k <= kmax; k++) {
        float gx = a + k * pitch;
        int have = 0;
        for (int i = 0; i < nk && !have; i++)
            have = keep[i] && fabsf(t[i].x2 * 0.5f - gx) < 0.25f * pitch;
        int x0 = (int)lrintf(gx) - wmax / 2 - 2, y0 = ry - hmax - 1;
        int x1 = x0 + wmax + 4;
        if (have || x1 <= 0 || x0 >= sw)
            continue;
        /* down to 3 px into the rule's box: its top may lie up to 2 px
         * above the rule (the row added to line dashes up) */
        int y1 = ry + 3 < pixGetHeight(sub) ? ry + 3 : pixGetHeight(sub);
        x0 = x0 < 0 ? 0 : x0;
        x1 = x1 > sw ? sw : x1;
        y0 = y0 < 0 ? 0 : y0;
        if (y1 <= y0)
            continue;
        pixRasterop(tmask, ox + x0, oy + y0, x1 - x0, y1 - y0,
                    PIX_SRC | PIX_DST, sub, x0, y0);
    }
}

/* Do the cells between the tick candidates t[] (nk, sorted by x) hold
 * writing? Pieces of sub (the band around a rule whose top is row ry)
 * standing above the rule, at least 0.3 hm tall, centred between two
 * neighbouring candidates: in at least two gaps, and half of them. A row
 * of l's or 1's on an underline has nothing between its strokes. */
static int cells_hold_glyphs(PIX *sub, const Tick *t, int nk, int ry, int hm)
{
    BOXA *pb = pixConnCompBB(sub, 8);
    int np = pb ? boxaGetCount(pb) : 0, held = 0;
    for (int i = 0; i + 1 < nk; i++) {
        int in = 0;
        for (int j = 0; j < np && !in; j++) {
            l_int32 x, y, w, h;
            boxaGetBoxGeometry(pb, j, &x, &y, &w, &h);
            int c2 = 2 * x + w; /* twice the centre, as Tick.x2 */
            in = y + h <= ry + 3 && 10 * h >= 3 * hm && c2 > t[i].x2 + 4 &&
                 c2 < t[i + 1].x2 - 4;
        }
        held += in;
    }
    boxaDestroy(&pb);
    return held >= 2 && 2 * held >= nk - 1;
}

/* Are cells at this pitch a glyph wide (a comb's or a boxed field's, not
 * a table's): at most 3 glyph heights, or 2.5 times the height of the
 * verticals between them (a form's written cells are wider than its
 * printed labels are high)? */
static int cells_glyph_wide(float pitch, float med_h, float vert_h)
{
    return pitch <= fmaxf(3.0f * med_h, 2.5f * vert_h);
}

/* Add the field x, y, w, h to fields (seg__furniture_remove). 0, or -1
 * out of memory. */
static int field_add(BOXA *fields, int x, int y, int w, int h)
{
    BOX *b = boxCreate(x, y, w, h);
    if (!b || boxaAddBox(fields, b, L_INSERT) != 0) {
        boxDestroy(&b);
        return -1;
    }
    return 0;
}

/* Add to cells the cells between dividers or ticks centred at cx[0..n-1]
 * (in order; keep [optional]: only those marked) whose step is on the
 * grid: 0.75 to 1.25 times the median step (two cells where one divider
 * was missed are left out). Each spans rows y .. y + h - 1 and holds one
 * character (seg__glyphs_build). A grid needs two cells at least: one box
 * without dividers is an open field, written freely ("19" close together
 * in a census form's box is two digits). 0, or -1 out of memory. */
static int cells_add(BOXA *cells, const int *cx, const unsigned char *keep,
                     int n, int y, int h)
{
    if (!cells || n < 2)
        return 0;
    int *kx = malloc((size_t)2 * n * sizeof *kx); /* centres, steps */
    if (!kx)
        return -1;
    int *steps = kx + n, nk = 0;
    for (int i = 0; i < n; i++)
        if (!keep || keep[i])
            kx[nk++] = cx[i];
    int rc = 0;
    for (int i = 1; i < nk; i++)
        steps[i - 1] = kx[i] - kx[i - 1];
    if (nk >= 3) {
        qsort(steps, (size_t)(nk - 1), sizeof *steps, cmp_int);
        int g = steps[(nk - 1) / 2];
        for (int i = 1; rc == 0 && i < nk; i++) {
            int step = kx[i] - kx[i - 1];
            if (step > 2 && 4 * step >= 3 * g && 4 * step <= 5 * g)
                rc = field_add(cells, kx[i - 1] + 1, y, step - 1, h);
        }
    }
    free(kx);
    return rc;
}

/* Does vertical j of vrules stand on the rule lx, ly, lw, lh: its centre
 * over the rule, its top above it, its foot within tol px of it (its box
 * may hold the rule's)? Its box into v (x, y, w, h). */
static int stands_on(BOXA *vrules, int j, int lx, int ly, int lw, int lh,
                     int tol, l_int32 *v)
{
    if (boxaGetBoxGeometry(vrules, j, &v[0], &v[1], &v[2], &v[3]) != 0)
        return 0;
    int c = v[0] + v[2] / 2, bot = v[1] + v[3];
    return v[1] < ly && c >= lx && c < lx + lw && bot >= ly - tol &&
           bot <= ly + lh + tol;
}

/* The comb's ticks tall enough to have gone as box sides (the short
 * verticals of vrules standing on the rule lx, ly, lw, lh) hold their
 * grid positions: ticks about that tall, some over the length and some
 * under, left the comb's grid with holes. Appended to t[nk] (box -1:
 * gone already); returns the new count. */
static int ticks_gone(BOXA *vrules, int lx, int ly, int lw, int lh, float med_h,
                      Tick *t, int nk)
{
    int nv = vrules ? boxaGetCount(vrules) : 0;
    for (int j = 0; j < nv; j++) {
        l_int32 v[4];
        if (!stands_on(vrules, j, lx, ly, lw, lh, 4, v) ||
            v[2] > 0.25f * med_h + 3)
            continue;
        t[nk].x2 = 2 * (v[0] - lx) + v[2];
        t[nk].box = -1;
        t[nk].h = ly - v[1];
        nk++;
    }
    return nk;
}

/* Keep the candidate ticks t[] (nk, sorted by x) about as tall as the
 * median one, if ticks that tall may be ticks at all; sub is the band
 * around the rule whose top is row ry. Returns the new count. */
static int ticks_alike(PIX *sub, int ry, float med_h, int vlen_short, Tick *t,
                       int nk)
{
    int *hs = malloc((size_t)nk * sizeof *hs);
    if (!hs)
        return nk;
    for (int i = 0; i < nk; i++)
        hs[i] = t[i].h;
    qsort(hs, (size_t)nk, sizeof *hs, cmp_int);
    int hm = hs[nk / 2], k = 0;
    free(hs);
    /* Ticks are shorter than letters: a row of l's or i's written on an
     * underline is not a comb. Unless there is writing between them:
     * ticks half a box high beside small printed labels are as tall as
     * those, and about as tall as a box side (some of them went as
     * such). */
    int short_ok =
        (float)hm <= 0.8f * med_h ||
        ((float)hm <= fmaxf(1.8f * med_h, 1.25f * (float)vlen_short) &&
         cells_hold_glyphs(sub, t, nk, ry, hm));
    for (int i = 0; i < nk; i++)
        if (abs(t[i].h - hm) * 5 <= hm + 5 && short_ok)
            t[k++] = t[i];
    return k;
}

/* Find comb ticks along the horizontal rules (boxes in page coordinates);
 * OR them into tmask. rest = the page without rules.
 * A tick is a short straight vertical stroke that touches the rule, stands
 * alone (nothing else attached to it, unlike the stem of a p standing on
 * an underline), is about as tall as the other ticks, and sits on a
 * regular grid with at least four consecutive positions. */
static int find_combs(PIX *rest, BOXA *lines, BOXA *vrules, PIX *tmask,
                      float med_h, int vlen_short, BOXA *fields, BOXA *cells)
{
    if (!lines)
        return 0;
    int h = pixGetHeight(rest);
    /* the shortest tick: a third of a cell above the rule is about that
     * (0.35 glyph heights left ticks 14 px tall at 42 px glyphs right at
     * the limit; a tick whose foot the rule's removal took a pixel of,
     * on a page turned and deskewed, fell under it) */
    int vshort = (int)lrintf(SEG_TICK_MIN * med_h);
    if (vshort < 3)
        vshort = 3;
    int band = (int)(2.5f * med_h) + 2;
    int nl = boxaGetCount(lines);
    for (int li = 0; li < nl; li++) {
        l_int32 lx, ly, lw, lh;
        boxaGetBoxGeometry(lines, li, &lx, &ly, &lw, &lh);
        int y0 = ly - band < 0 ? 0 : ly - band;
        int y1 = ly + lh + band > h ? h : ly + lh + band;
        BOX *reg = boxCreate(lx, y0, lw, y1 - y0);
        PIX *sub = pixClipRectangle(rest, reg, NULL);
        boxDestroy(&reg);
        if (!sub)
            continue;
        /* faint ticks break up like faint rules: bridge short gaps first
         * (the ticks' pixels are cut back to the ink below) */
        int gap = (int)(0.08f * med_h) + 2;
        PIX *cl = pixCloseSafeBrick(NULL, sub, 1, gap);
        PIX *op = cl ? pixOpenBrick(NULL, cl, 1, vshort) : NULL;
        pixDestroy(&cl);
        BOXA *cb = op ? pixConnCompBB(op, 8) : NULL;
        int nc = cb ? boxaGetCount(cb) : 0;
        int nv = vrules ? boxaGetCount(vrules) : 0;
        Tick *t = malloc((size_t)(nc + nv + 1) * sizeof *t);
        unsigned char *keep = malloc((size_t)(nc + nv) + 1);
        int nk = 0;
        for (int i = 0; t && keep && i < nc; i++) {
            l_int32 bx, by, bw, bh;
            boxaGetBoxGeometry(cb, i, &bx, &by, &bw, &bh);
            int top = y0 + by, bot = top + bh; /* page rows [top, bot) */
            /* the rule's removal took up to 2 px more beside it */
            int touches = (bot >= ly - 4 && top < ly) ||
                          (top <= ly + lh + 3 && bot > ly + lh);
            if (!touches || bw > 0.25f * med_h + 3)
                continue;
            /* alone: the page holds little more ink beside it */
            l_int32 c_op = 0, c_all = 0;
            BOX *b = boxCreate(bx - 3, by, bw + 6, bh);
            pixCountPixelsInRect(op, b, &c_op, NULL);
            pixCountPixelsInRect(sub, b, &c_all, NULL);
            boxDestroy(&b);
            if (c_all > c_op + c_op / 4 + 2)
                continue;
            t[nk].x2 = 2 * bx + bw;
            t[nk].box = i;
            t[nk].h = bh;
            nk++;
        }
        if (t && keep)
            nk = ticks_gone(vrules, lx, ly, lw, lh, med_h, t, nk);
        if (nk >= 4) {
            qsort(t, (size_t)nk, sizeof *t, cmp_tick);
            nk = ticks_alike(sub, ly - y0, med_h, vlen_short, t, nk);
            float pitch = 0;
            if (comb_grid(t, nk, med_h, keep, &pitch) > 0) {
                pixAnd(op, op, sub);
                int anchor2 = -1, wmax = 0, hmax = 0, below = 0;
                int fx0 = -1, fx1 = -1;
                int *kx = malloc((size_t)nk * sizeof *kx); /* page x */
                for (int i = 0; i < nk; i++) {
                    if (!keep[i])
                        continue;
                    if (anchor2 < 0)
                        anchor2 = t[i].x2;
                    int cx = t[i].x2 / 2;
                    if (kx)
                        kx[i] = lx + cx;
                    fx0 = fx0 < 0 || cx < fx0 ? cx : fx0;
                    fx1 = cx > fx1 ? cx : fx1;
                    if (t[i].box < 0) { /* gone as a box side */
                        hmax = t[i].h > hmax ? t[i].h : hmax;
                        continue;
                    }
                    l_int32 bx, by, bw, bh;
                    boxaGetBoxGeometry(cb, t[i].box, &bx, &by, &bw, &bh);
                    /* the tick's own pixels: op within its box */
                    pixRasterop(tmask, lx + bx, y0 + by, bw, bh,
                                PIX_SRC | PIX_DST, op, bx, by);
                    wmax = bw > wmax ? bw : wmax;
                    hmax = bh > hmax ? bh : hmax;
                    below += y0 + by + bh > ly + 4;
                }
                /* ticks standing on the rule (the usual comb) only */
                if (!below)
                    comb_fill_grid(sub, tmask, lx, y0, ly - y0, t, nk, keep,
                                   anchor2, pitch, wmax, hmax);
                /* a comb of letter-sized cells (as cell_fields()): one
                 * field, one word */
                if (fields && !below && fx1 > fx0 && ly > y0 &&
                    cells_glyph_wide(pitch, med_h, (float)hmax)) {
                    field_add(fields, lx + fx0, y0, fx1 - fx0, ly - y0);
                    /* its cells, between the ticks kept (in x order) */
                    if (kx)
                        cells_add(cells, kx, keep, nk, y0, ly - y0);
                }
                free(kx);
            }
        }
        free(t);
        free(keep);
        boxaDestroy(&cb);
        pixDestroy(&op);
        pixDestroy(&sub);
    }
    return 0;
}

/* Fields of cells among the rules (boxes in page coordinates): at least
 * four vertical rules no taller than 3 glyph heights (a comb's ticks, a
 * boxed field's sides and dividers: tall ones are those too, but short
 * ones are no table) standing on one horizontal rule, their centres at a
 * regular pitch (each step within a quarter of the median step) from 0.5
 * glyph heights to 3 glyph heights or 2.5 times the verticals' height (a
 * form's written cells are wider than its printed labels are high).
 * Each run of them adds its box to fields: from the first to the last,
 * from the rule up to twice the tallest's height (a comb's ticks stand
 * half a cell high); and its cells to cells [optional]. 0, or -1 out of
 * memory. */
static int cell_fields(BOXA *hrules, BOXA *vrules, float med_h, BOXA *fields,
                       BOXA *cells)
{
    int nh = boxaGetCount(hrules), nv = boxaGetCount(vrules), rc = 0;
    int *cx = malloc((size_t)(nv + 1) * sizeof *cx);
    int *top = malloc((size_t)(nv + 1) * sizeof *top);
    if (!cx || !top) {
        free(cx);
        free(top);
        return -1;
    }
    for (int i = 0; rc == 0 && i < nh; i++) {
        l_int32 hx, hy, hw, hh;
        boxaGetBoxGeometry(hrules, i, &hx, &hy, &hw, &hh);
        int n = 0;
        for (int j = 0; j < nv; j++) {
            l_int32 v[4];
            if (!stands_on(vrules, j, hx, hy, hw, hh, 3, v) ||
                (float)(hy - v[1]) > 3.0f * med_h)
                continue;
            int c = v[0] + v[2] / 2, y = v[1];
            /* insertion by centre (few per rule) */
            int k = n++;
            while (k > 0 && cx[k - 1] > c) {
                cx[k] = cx[k - 1];
                top[k] = top[k - 1];
                k--;
            }
            cx[k] = c;
            top[k] = y;
        }
        if (n < 4)
            continue;
        int *g = malloc((size_t)n * sizeof *g);
        if (!g) {
            rc = -1;
            break;
        }
        for (int k = 0; k + 1 < n; k++)
            g[k] = cx[k + 1] - cx[k];
        qsort(g, (size_t)(n - 1), sizeof *g, cmp_int);
        float step = (float)g[(n - 2) / 2];
        for (int k = 0; k < n; k++)
            g[k] = hy - top[k];
        qsort(g, (size_t)n, sizeof *g, cmp_int);
        float vh = (float)g[n / 2]; /* the verticals' median height */
        free(g);
        if (step < 0.5f * med_h || !cells_glyph_wide(step, med_h, vh))
            continue;
        for (int a = 0; a + 1 < n;) {
            int b = a;
            while (b + 1 < n &&
                   fabsf((float)(cx[b + 1] - cx[b]) - step) <= 0.25f * step)
                b++;
            if (b - a >= 3 && cx[b] > cx[a]) {
                int t = top[a];
                for (int k = a; k <= b; k++)
                    t = top[k] < t ? top[k] : t;
                /* ticks half a cell high: the cell reaches as far again */
                t -= hy - t;
                t = t < 0 ? 0 : t;
                if (field_add(fields, cx[a], t, cx[b] - cx[a], hy - t) != 0 ||
                    cells_add(cells, cx + a, NULL, b - a + 1, t, hy - t) != 0) {
                    rc = -1;
                    break;
                }
            }
            a = b > a ? b : a + 1;
        }
    }
    free(cx);
    free(top);
    return rc;
}

/* r's opening by a len px line along the rule direction (the runs of at
 * least len px: seg_runs.c), over the box x, y, w, h only: the opening of
 * r cut around the box with len + 1 px more along that direction, which
 * is all the opening reads there (a run cut short by the cut still has
 * len px or more in it). NULL out of memory. */
static PIX *open_in_box(PIX *r, int x, int y, int w, int h, int len,
                        int horizontal)
{
    int rw = pixGetWidth(r), rh = pixGetHeight(r), pad = len + 1;
    int x0 = horizontal && x - pad > 0 ? x - pad : horizontal ? 0 : x;
    int y0 = !horizontal && y - pad > 0 ? y - pad : !horizontal ? 0 : y;
    int x1 = horizontal && x + w + pad < rw ? x + w + pad
             : horizontal                   ? rw
                                            : x + w;
    int y1 = !horizontal && y + h + pad < rh ? y + h + pad
             : !horizontal                   ? rh
                                             : y + h;
    BOX *cb = boxCreate(x0, y0, x1 - x0, y1 - y0);
    BOX *bb = boxCreate(x - x0, y - y0, w, h);
    PIX *c = cb ? pixClipRectangle(r, cb, NULL) : NULL;
    PIX *o = NULL;
    if (c)
        o = horizontal ? seg__open_rows(c, len) : seg__open_cols(c, len);
    PIX *t = o && bb ? pixClipRectangle(o, bb, NULL) : NULL;
    boxDestroy(&cb);
    boxDestroy(&bb);
    pixDestroy(&c);
    pixDestroy(&o);
    return t;
}
/* The ink of r under the long runs m (2x reduced) that lies in straight
 * pieces along the rule direction, opened in each run's box only. Returns
 * a new PIX or NULL. */
static PIX *straight_ink(PIX *m, PIX *r, float med_h, int horizontal)
{
    int seg = (int)(0.1f * med_h);
    if (seg < 3)
        seg = 3;
    PIX *o = pixCreateTemplate(m);
    BOXA *ba = o ? pixConnCompBB(m, 8) : NULL;
    int n = ba ? boxaGetCount(ba) : 0, ok = ba != NULL;
    for (int i = 0; ok && i < n; i++) {
        l_int32 x, y, w, h;
        boxaGetBoxGeometry(ba, i, &x, &y, &w, &h);
        PIX *t = open_in_box(r, x, y, w, h, seg, horizontal);
        if (t) {
            pixRasterop(t, 0, 0, w, h, PIX_SRC & PIX_DST, m, x, y);
            pixRasterop(o, x, y, w, h, PIX_SRC | PIX_DST, t, 0, 0);
        }
        ok = t != NULL;
        pixDestroy(&t);
    }
    boxaDestroy(&ba);
    if (!ok)
        pixDestroy(&o);
    return o;
}

/* The ink of r under the run pi (its box x, y, w, h) that is not joined
 * to ink beyond the run's rows (columns, when vertical) give or take one:
 * the dashes of a faint rule themselves, not the flat tops or bottoms of
 * a row of letters (whose bodies go on across the run). Counted within
 * 4 px across the run. The count, or -1 out of memory. */
static l_int32 thin_ink(PIX *r, PIX *pi, int x, int y, int w, int h,
                        int horizontal)
{
    int rw = pixGetWidth(r), rh = pixGetHeight(r), m = 4;
    int cx = horizontal ? x : x - m, cy = horizontal ? y - m : y;
    int cx1 = horizontal ? x + w : x + w + m,
        cy1 = horizontal ? y + h + m : y + h;
    cx = cx < 0 ? 0 : cx;
    cy = cy < 0 ? 0 : cy;
    cx1 = cx1 > rw ? rw : cx1;
    cy1 = cy1 > rh ? rh : cy1;
    BOX *cb = boxCreate(cx, cy, cx1 - cx, cy1 - cy);
    PIX *cl = cb ? pixClipRectangle(r, cb, NULL) : NULL;
    PIX *core = cl ? pixCreateTemplate(cl) : NULL;
    PIX *out = NULL, *conn = NULL;
    l_int32 n = -1;
    if (core) {
        pixRasterop(core, x - cx, y - cy, w, h, PIX_SRC, pi, 0, 0);
        if (horizontal)
            pixDilateBrick(core, core, 1, 3);
        else
            pixDilateBrick(core, core, 3, 1);
        out = pixSubtract(NULL, cl, core);
    }
    if (out)
        conn = pixSeedfillBinary(NULL, out, cl, 8);
    if (conn) {
        pixAnd(core, core, cl);
        pixSubtract(core, core, conn);
        pixCountPixels(core, &n, NULL);
    }
    boxDestroy(&cb);
    pixDestroy(&cl);
    pixDestroy(&core);
    pixDestroy(&out);
    pixDestroy(&conn);
    return n;
}

/* Drop the runs of m (2x reduced) that only bridging made long and that
 * are not thin lines: a rule has little ink beside it (glyph strokes
 * crossing it), the bottoms of a row of printed letters, lined up and
 * bridged across their gaps, have the letters right above them; and a
 * third of a rule's ink at least is its own dashes (thin_ink()), where
 * the flat tops of a row of printed letters are all letter. A run
 * that an unbridged run of len px touches is kept as it is (an unbridged
 * run lies within one run of m: the opening only grows with its image, so
 * it is looked for in each run's box alone). Returns 0/-1. */
static int keep_thin_runs(PIX *m, PIX *r, int len, int horizontal)
{
    PIXA *pa = NULL;
    BOXA *ba = pixConnComp(m, &pa, 8);
    int rc = (ba && pa) ? 0 : -1;
    int n = ba ? boxaGetCount(ba) : 0;
    int rw = pixGetWidth(r), rh = pixGetHeight(r);
    for (int i = 0; rc == 0 && i < n; i++) {
        l_int32 x, y, w, h, c_plain = 0, c_run = 0, c_band = 0;
        boxaGetBoxGeometry(ba, i, &x, &y, &w, &h);
        PIX *pi = pixaGetPix(pa, i, L_CLONE);
        BOX *b = boxCreate(x, y, w, h);
        PIX *t =
            pi && b ? open_in_box(r, x, y, w, h, len, horizontal) : NULL;
        PIX *u = pi && b ? pixClipRectangle(r, b, NULL) : NULL;
        if (t && u) {
            pixAnd(t, t, pi);
            pixCountPixels(t, &c_plain, NULL);
            pixAnd(u, u, pi);
            pixCountPixels(u, &c_run, NULL);
            /* the ink within 3 px (reduced) across the run */
            int bx = horizontal ? x : x - 3, by = horizontal ? y - 3 : y;
            int bw = horizontal ? w : w + 6, bh = horizontal ? h + 6 : h;
            bx = bx < 0 ? 0 : bx;
            by = by < 0 ? 0 : by;
            bw = bx + bw > rw ? rw - bx : bw;
            bh = by + bh > rh ? rh - by : bh;
            BOX *band = boxCreate(bx, by, bw, bh);
            if (band)
                pixCountPixelsInRect(r, band, &c_band, NULL);
            boxDestroy(&band);
            l_int32 thin = c_plain == 0 && c_band <= 2 * c_run
                               ? thin_ink(r, pi, x, y, w, h, horizontal)
                               : 0;
            if (thin < 0)
                rc = -1;
            else if (c_plain == 0 && (c_band > 2 * c_run || 3 * thin < c_run))
                pixRasterop(m, x, y, w, h, PIX_DST & PIX_NOT(PIX_SRC), pi, 0,
                            0);
        } else {
            rc = -1;
        }
        pixDestroy(&t);
        pixDestroy(&u);
        boxDestroy(&b);
        pixDestroy(&pi);
    }
    pixaDestroy(&pa);
    boxaDestroy(&ba);
    return rc;
}

/* Straight runs of a 2x-reduced page with short gaps bridged: an opening
 * along the rule direction by a fifth of a glyph height keeps straight
 * pieces, a closing by an eighth of a glyph height joins the dashes a
 * faint, noisy rule breaks into; the page itself is ORed back. Returns a
 * new PIX or NULL. */
static PIX *bridge_dashes(PIX *r, float med_h, int horizontal)
{
    int seg = (int)(0.1f * med_h), gap = (int)(0.0625f * med_h) + 1;
    if (seg < 3)
        seg = 3;
    if (gap < 2)
        gap = 2;
    /* run by run (seg_runs.c), the same as Leptonica's brick openings */
    PIX *o = horizontal ? seg__open_rows(r, seg) : seg__open_cols(r, seg);
    /* a dash a row off its neighbours still lines up with them */
    if (o &&
        !(horizontal ? pixDilateBrick(o, o, 1, 2) : pixDilateBrick(o, o, 2, 1)))
        pixDestroy(&o);
    if (!o)
        return NULL;
    PIX *c = horizontal ? seg__close_rows(o, gap + 1)
                        : seg__close_cols(o, gap + 1);
    pixDestroy(&o);
    if (c)
        pixOr(c, c, r);
    return c;
}

/* Scale the boxes of a 2x-reduced mask back to page coordinates. */
static BOXA *boxes_x2(PIX *mask_r, int w, int h)
{
    BOXA *br = pixConnCompBB(mask_r, 8);
    int n = br ? boxaGetCount(br) : 0;
    BOXA *b = boxaCreate(n + 1);
    for (int i = 0; b && i < n; i++) {
        l_int32 x, y, bw, bh;
        boxaGetBoxGeometry(br, i, &x, &y, &bw, &bh);
        int x1 = 2 * (x + bw) < w ? 2 * (x + bw) : w;
        int y1 = 2 * (y + bh) < h ? 2 * (y + bh) : h;
        boxaAddBox(b, boxCreate(2 * x, 2 * y, x1 - 2 * x, y1 - 2 * y),
                   L_INSERT);
    }
    boxaDestroy(&br);
    return b;
}

/* Page-size mask from a 2x-reduced one, restricted to the page's ink:
 * each piece of mask_r expanded over its own box only (a page is mostly
 * without rules; the whole page took ~1 ms). NULL out of memory. */
static PIX *expand_and(PIX *mask_r, PIX *pixb, int w, int h)
{
    PIX *m = pixCreate(w, h, 1);
    BOXA *ba = m ? pixConnCompBB(mask_r, 8) : NULL;
    int n = ba ? boxaGetCount(ba) : 0, ok = ba != NULL;
    for (int i = 0; ok && i < n; i++) {
        BOX *b = boxaGetBox(ba, i, L_CLONE);
        PIX *c = b ? pixClipRectangle(mask_r, b, NULL) : NULL;
        PIX *e = c ? pixExpandBinaryPower2(c, 2) : NULL;
        if (e) {
            int x = 2 * b->x, y = 2 * b->y;
            int bw = 2 * b->w < w - x ? 2 * b->w : w - x;
            int bh = 2 * b->h < h - y ? 2 * b->h : h - y;
            pixRasterop(e, 0, 0, bw, bh, PIX_SRC & PIX_DST, pixb, x, y);
            pixRasterop(m, x, y, bw, bh, PIX_SRC | PIX_DST, e, 0, 0);
        }
        ok = e != NULL;
        boxDestroy(&b);
        pixDestroy(&c);
        pixDestroy(&e);
    }
    boxaDestroy(&ba);
    if (!ok)
        pixDestroy(&m);
    return m;
}

/* The band within 3 px across the rule cores of hm_r (2x reduced,
 * horizontal: 7 rows tall) and vm_r (vertical: 7 columns wide), over the
 * page rectangle x0, y0 (even), w x h. NULL out of memory. */
static PIX *rule_band(PIX *hm_r, PIX *vm_r, int x0, int y0, int w, int h)
{
    int rw = pixGetWidth(hm_r), rh = pixGetHeight(hm_r);
    int cx = x0 / 2, cy = y0 / 2;
    int cw = (w + 1) / 2 < rw - cx ? (w + 1) / 2 : rw - cx;
    int ch = (h + 1) / 2 < rh - cy ? (h + 1) / 2 : rh - cy;
    BOX *b = boxCreate(cx, cy, cw, ch);
    PIX *band = pixCreate(w, h, 1);
    int ok = b && band;
    for (int k = 0; ok && k < 2; k++) {
        PIX *c = pixClipRectangle(k ? vm_r : hm_r, b, NULL);
        PIX *e = c ? pixExpandBinaryPower2(c, 2) : NULL;
        PIX *d = e ? (k ? pixDilateBrickDwa(NULL, e, 7, 1)
                        : pixDilateBrickDwa(NULL, e, 1, 7))
                   : NULL;
        if (d)
            pixRasterop(band, 0, 0, w, h, PIX_SRC | PIX_DST, d, 0, 0);
        ok = d != NULL;
        pixDestroy(&c);
        pixDestroy(&e);
        pixDestroy(&d);
    }
    boxDestroy(&b);
    if (!ok)
        pixDestroy(&band);
    return band;
}

/* Remove from out the pieces that lie wholly within 3 px of a rule core
 * (hm_r, vm_r: 2x-reduced rule masks). Each rule is looked at in its own
 * rectangle, 8 px around it (a piece inside a band joins a piece outside
 * it within a pixel of the band, so that is all the page it needs; the
 * whole page took 4.4 ms of the bench pages' 17 ms of furniture). A piece
 * that reaches the rectangle's edge inside a band (along a crossing rule)
 * is kept. */
static int drop_remnants(PIX *out, PIX *hm_r, PIX *vm_r)
{
    int w = pixGetWidth(out), h = pixGetHeight(out);
    PIX *all = pixOr(NULL, hm_r, vm_r);
    BOXA *rb = all ? pixConnCompBB(all, 8) : NULL;
    pixDestroy(&all);
    if (!rb)
        return -1;
    int rc = 0;
    for (int i = 0; rc == 0 && i < boxaGetCount(rb); i++) {
        l_int32 bx, by, bw, bh;
        boxaGetBoxGeometry(rb, i, &bx, &by, &bw, &bh);
        int x0 = 2 * bx - 8 > 0 ? 2 * bx - 8 : 0;
        int y0 = 2 * by - 8 > 0 ? 2 * by - 8 : 0;
        int x1 = 2 * (bx + bw) + 8 < w ? 2 * (bx + bw) + 8 : w;
        int y1 = 2 * (by + bh) + 8 < h ? 2 * (by + bh) + 8 : h;
        BOX *box = boxCreate(x0, y0, x1 - x0, y1 - y0);
        PIX *o = box ? pixClipRectangle(out, box, NULL) : NULL;
        PIX *band = rule_band(hm_r, vm_r, x0, y0, x1 - x0, y1 - y0);
        PIX *seed = o && band ? pixSubtract(NULL, o, band) : NULL;
        PIX *keep = NULL;
        boxDestroy(&box);
        if (seed) {
            /* the rectangle's edges, where not the page's, are seeds too */
            int ew = x1 - x0, eh = y1 - y0;
            if (x0 > 0)
                pixRasterop(seed, 0, 0, 1, eh, PIX_SRC | PIX_DST, o, 0, 0);
            if (x1 < w)
                pixRasterop(seed, ew - 1, 0, 1, eh, PIX_SRC | PIX_DST, o,
                            ew - 1, 0);
            if (y0 > 0)
                pixRasterop(seed, 0, 0, ew, 1, PIX_SRC | PIX_DST, o, 0, 0);
            if (y1 < h)
                pixRasterop(seed, 0, eh - 1, ew, 1, PIX_SRC | PIX_DST, o, 0,
                            eh - 1);
            keep = pixSeedfillBinary(NULL, seed, o, 8);
        }
        if (keep) {
            pixSubtract(o, o, keep); /* what goes */
            pixRasterop(out, x0, y0, x1 - x0, y1 - y0,
                        PIX_DST & PIX_NOT(PIX_SRC), o, 0, 0);
        } else {
            rc = -1;
        }
        pixDestroy(&o);
        pixDestroy(&band);
        pixDestroy(&seed);
        pixDestroy(&keep);
    }
    boxaDestroy(&rb);
    return rc;
}

/* Put back the pixels of each rule in `mask` where ink continues on both
 * sides of it: a closing across the rule (vertical for horizontal rules),
 * in a window around each rule only, restricted to the rule's pixels. */
static int repair_across(PIX *out, PIX *mask, BOXA *rules, int horizontal,
                         int cap)
{
    int w = pixGetWidth(out), h = pixGetHeight(out);
    int n = rules ? boxaGetCount(rules) : 0;
    for (int i = 0; i < n; i++) {
        l_int32 bx, by, bw, bh, cnt = 0;
        boxaGetBoxGeometry(rules, i, &bx, &by, &bw, &bh);
        BOX *rb = boxCreate(bx, by, bw, bh);
        pixCountPixelsInRect(mask, rb, &cnt, NULL);
        boxDestroy(&rb);
        int len = horizontal ? bw : bh;
        int t = len > 0 ? (cnt + len - 1) / len : 0;
        if (t <= 0)
            continue;
        int sz = (t < cap ? t : cap) + 3;
        /* window: the rule plus room for the closing on both sides */
        int x0 = horizontal ? bx : bx - sz - 2,
            y0 = horizontal ? by - sz - 2 : by;
        int x1 = horizontal ? bx + bw : bx + bw + sz + 2;
        int y1 = horizontal ? by + bh + sz + 2 : by + bh;
        x0 = x0 < 0 ? 0 : x0;
        y0 = y0 < 0 ? 0 : y0;
        x1 = x1 > w ? w : x1;
        y1 = y1 > h ? h : y1;
        BOX *box = boxCreate(x0, y0, x1 - x0, y1 - y0);
        PIX *o = pixClipRectangle(out, box, NULL);
        PIX *mk = pixClipRectangle(mask, box, NULL);
        boxDestroy(&box);
        PIX *c =
            o ? pixCloseBrick(NULL, o, horizontal ? 1 : sz, horizontal ? sz : 1)
              : NULL;
        if (!o || !mk || !c) {
            pixDestroy(&o);
            pixDestroy(&mk);
            pixDestroy(&c);
            return -1;
        }
        pixAnd(c, c, mk);
        pixRasterop(out, x0, y0, x1 - x0, y1 - y0, PIX_SRC | PIX_DST, c, 0, 0);
        pixDestroy(&o);
        pixDestroy(&mk);
        pixDestroy(&c);
    }
    return 0;
}

/* Of a strip's candidate dividers (column runs, centres cx[0..n-1] in
 * order), mark in keep[] those on the cells' grid: a neighbour at 0.75 to
 * 1.25 times the median gap. An upright 1 written in a cell halves the
 * gaps around it and is not kept. Returns how many are kept. */
static int strip_grid(const int *cx, int n, unsigned char *keep)
{
    if (n <= 2) {
        memset(keep, 1, (size_t)n);
        return n;
    }
    int gaps[64], ng = 0;
    for (int i = 1; i < n; i++)
        gaps[ng++] = cx[i] - cx[i - 1];
    qsort(gaps, (size_t)ng, sizeof gaps[0], cmp_int);
    int g = gaps[ng / 2], kept = 0;
    for (int i = 0; i < n; i++) {
        int ok = 0;
        if (i > 0 && 4 * (cx[i] - cx[i - 1]) >= 3 * g &&
            4 * (cx[i] - cx[i - 1]) <= 5 * g)
            ok = 1;
        if (i + 1 < n && 4 * (cx[i + 1] - cx[i]) >= 3 * g &&
            4 * (cx[i + 1] - cx[i]) <= 5 * g)
            ok = 1;
        keep[i] = (unsigned char)ok;
        kept += ok;
    }
    return kept;
}

/* Do at least 3 in 4 of the cells between a strip's kept dividers (column
 * runs x0s..x1s) hold ink (at least one ink pixel in 200)? */
static int strip_cells_inked(PIX *pixb, const int *x0s, const int *x1s,
                             const unsigned char *keep, int n)
{
    int h = pixGetHeight(pixb), cells = 0, inked = 0, prev = -1;
    for (int i = 0; i < n; i++) {
        if (!keep[i])
            continue;
        if (prev >= 0 && x0s[i] - x1s[prev] > 3) {
            BOX *b = boxCreate(x1s[prev] + 2, 0, x0s[i] - x1s[prev] - 3, h);
            l_int32 c = 0;
            pixCountPixelsInRect(pixb, b, &c, NULL);
            boxDestroy(&b);
            cells++;
            inked += 200 * c >= (x0s[i] - x1s[prev] - 3) * h;
        }
        prev = i;
    }
    return cells > 0 && 4 * inked >= 3 * cells;
}

/* Count a strip's ink per row (rowc) and find its rules: rows in the top
 * or bottom third with ink over at least half the width. *pt: the first
 * row below the top rule (0 without one); *pb: the first row of the
 * bottom rule (h without one). Returns how many of the two were found. */
static int strip_rules(PIX *pixb, int *rowc, int *pt, int *pb)
{
    int w = pixGetWidth(pixb), h = pixGetHeight(pixb);
    l_uint32 *data = pixGetData(pixb);
    int wpl = pixGetWpl(pixb);
    for (int y = 0; y < h; y++) {
        const l_uint32 *line = data + (size_t)y * wpl;
        int c = 0;
        for (int x = 0; x < w; x++)
            c += GET_DATA_BIT(line, x) != 0;
        rowc[y] = c;
    }
    *pt = 0;
    *pb = h;
    for (int y = 0; y < h / 3; y++)
        if (2 * rowc[y] >= w)
            *pt = y + 1;
    for (int y = h - 1; y >= h - h / 3; y--)
        if (2 * rowc[y] >= w)
            *pb = y;
    return (*pt > 0) + (*pb < h);
}

/* A strip's candidate runs (dividers, ticks): maximal runs of columns
 * with v[x] >= need and at most maxw wide, at most 64. First and last
 * column into x0s, x1s, the centre into cx, the least v over the run into
 * lo. Returns how many. */
static int strip_col_runs(const int *v, int w, int need, int maxw, int *x0s,
                          int *x1s, int *cx, int *lo)
{
    int n = 0;
    for (int x = 0; x < w && n < 64;) {
        if (v[x] < need) {
            x++;
            continue;
        }
        int x1 = x, least = v[x];
        while (x1 + 1 < w && v[x1 + 1] >= need) {
            x1++;
            least = v[x1] < least ? v[x1] : least;
        }
        if (x1 - x + 1 <= maxw) {
            x0s[n] = x;
            x1s[n] = x1;
            lo[n] = least;
            cx[n++] = (x + x1) / 2;
        }
        x = x1 + 1;
    }
    return n;
}

/* Of a strip's candidate ticks (centres cx[0..n-1] in order), mark in
 * keep[] those on the regular grid that fits them best: the pitch and
 * phase (through two candidates, k cells apart) with the most candidates
 * on a grid position (within 0.12 pitch + 1 px) less the positions left
 * empty between the first and the last of them. The stems of digits
 * crossing the rule stand off the grid; half the pitch would take some
 * of them but leave as many positions empty. Returns how many are kept. */
static int tick_grid(const int *cx, int n, unsigned char *keep)
{
    memset(keep, 0, (size_t)n);
    int best = 0;
    float best_p = 0, best_x = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            for (int k = 1; k <= 16; k++) {
                float p = (float)(cx[j] - cx[i]) / (float)k;
                if (p < 8.0f)
                    break;
                float tol = 0.12f * p + 1.0f;
                /* positions taken, each once (cx is in order) */
                int on = 0, lo = 1 << 30, hi = -(1 << 30);
                for (int m = 0; m < n; m++) {
                    float q = (float)(cx[m] - cx[i]) / p;
                    int r = (int)lrintf(q);
                    if (fabsf(q - (float)r) * p <= tol && (on == 0 || r > hi)) {
                        on++;
                        lo = r < lo ? r : lo;
                        hi = r;
                    }
                }
                int score = on - ((hi - lo + 1) - on);
                if (score > best || (score == best && p > best_p)) {
                    best = score;
                    best_p = p;
                    best_x = (float)cx[i];
                }
            }
    int kept = 0;
    for (int m = 0; best_p > 0 && m < n; m++) {
        float q = ((float)cx[m] - best_x) / best_p;
        if (fabsf(q - lrintf(q)) * best_p <= 0.12f * best_p + 1.0f) {
            keep[m] = 1;
            kept++;
        }
    }
    return kept;
}

/* A comb field's ticks in a strip with a bottom rule starting at row b:
 * runs of at most maxw columns whose ink goes straight up from the rule
 * for at least a sixth of the span, on the grid that fits them best
 * (tick_grid), at least 4. Their ink,
 * up to the median tick's height + 1 (a glyph resting on a tick keeps
 * its stroke), goes into tick; the cells between them,
 * up to row b, into cells [optional]. up: scratch, w ints. 0, or -1 out
 * of memory. */
static int strip_ticks(PIX *pixb, int b, int span, int maxw, int *up,
                       PIX *tick, BOXA *cells)
{
    int w = pixGetWidth(pixb), wpl = pixGetWpl(pixb);
    l_uint32 *data = pixGetData(pixb);
    int cx[64], x0s[64], x1s[64], ups[64], k0 = span / 6 > 3 ? span / 6 : 3;
    unsigned char keep[64];
    for (int x = 0; x < w; x++) {
        up[x] = 0;
        while (b - 1 - up[x] >= 0 &&
               GET_DATA_BIT(data + (size_t)(b - 1 - up[x]) * wpl, x))
            up[x]++;
    }
    int n = strip_col_runs(up, w, k0, maxw, x0s, x1s, cx, ups);
    if (tick_grid(cx, n, keep) < 4)
        return 0;
    int hs[64], nk = 0;
    for (int i = 0; i < n; i++)
        if (keep[i])
            hs[nk++] = ups[i];
    qsort(hs, (size_t)nk, sizeof hs[0], cmp_int);
    int th = hs[nk / 2] + 1 < b ? hs[nk / 2] + 1 : b;
    for (int i = 0; i < n; i++)
        if (keep[i])
            pixRasterop(tick, x0s[i], b - th, x1s[i] - x0s[i] + 1, th, PIX_SRC,
                        pixb, x0s[i], b - th);
    return cells_add(cells, cx, keep, n, 0, b);
}

/* The dividers strip_dividers() drew: how many, the first one's first
 * column and the last one's last column + 1. */
typedef struct {
    int n, x0, x1;
} StripDivs;

/**
 * Find the cell dividers and box sides of a strip: a boxed or comb field
 * cut out of a form, too short for seg__furniture_remove's vertical rules.
 *
 * @param[in]  pixb  1 bpp strip, ink = 1
 * @param[out] pdiv  new 1 bpp mask of the dividers' ink (empty if none)
 * @param[out] prow  [optional] new 1 bpp mask of the ink of its rules'
 *                   rows and of the 3 rows along its top and bottom edges
 *                   inked over a fifth of the width (what a cut along a
 *                   rule left): too broken for the opening, they join
 *                   every cell
 * @param[out] pbase [optional] new 1 bpp mask of the ink of the bottom
 *                   rule's rows alone (empty if none)
 * @param[out] ptick [optional] new 1 bpp mask of a comb's ticks
 *                   (strip_ticks; empty if none), used when the page's
 *                   comb search finds none
 * @param[out] sd    [optional] the dividers drawn into *pdiv: how many,
 *                   the first one's first column, the last one's last + 1
 * @param[out] cells [optional] the cells between the dividers drawn, or
 *                   between a comb's ticks, are added (strip coordinates;
 *                   one character each: seg__glyphs_build)
 * @return 0, or -1 out of memory
 *
 * Notes:
 *   (1) A divider is a run of at most max(3, span / 8) columns each inked
 *       over 90 % of the rows between the field's top and bottom rules
 *       (strip_rules), and on the cells' grid (strip_grid).
 *   (2) Without either rule (a field cut just inside its box), 96 % of
 *       the strip's height, at least 4 dividers on the grid and writing
 *       in most cells between them: the upright 1s of a tightly trimmed
 *       "1111" have only paper between them.
 *   (3) With no divider but a bottom rule: a comb's ticks (strip_ticks).
 *   (4) The repair across vertical rules (rules_remove) puts back a
 *       glyph's stroke where it crossed a divider.
 *   (5) Without dividers the caller takes out the bottom rule's rows
 *       alone (*pbase): a dotted field at half size, its dividers gone
 *       as dots, its base line blurred into dashes too short for the
 *       opening, each joining the digits on it into one glyph. The rows
 *       along the edges stay: a strip without dividers may be a name
 *       cut with its label's line above it.
 */
static int strip_dividers(PIX *pixb, PIX **pdiv, PIX **prow, PIX **pbase,
                          PIX **ptick, StripDivs *sd, BOXA *cells)
{
    int w = pixGetWidth(pixb), h = pixGetHeight(pixb);
    int *rowc = malloc((size_t)h * sizeof *rowc);
    int *colc = calloc((size_t)w, sizeof *colc);
    int cx[64], x0s[64], x1s[64], lo[64], n = 0;
    unsigned char keep[64];
    PIX *div = pixCreate(w, h, 1);
    PIX *row = prow ? pixCreate(w, h, 1) : NULL;
    PIX *base = pbase ? pixCreate(w, h, 1) : NULL;
    PIX *tick = ptick ? pixCreate(w, h, 1) : NULL;
    if (!rowc || !colc || !div || (prow && !row) || (pbase && !base) ||
        (ptick && !tick)) {
        free(rowc);
        free(colc);
        pixDestroy(&div);
        pixDestroy(&row);
        pixDestroy(&base);
        pixDestroy(&tick);
        return err_set("segment: out of memory (%dx%d field)", w, h);
    }
    int t, b, rules = strip_rules(pixb, rowc, &t, &b), span = b - t;
    int maxw = span / 8 > 3 ? span / 8 : 3;
    /* the rules' rows, and what a cut along a rule left at the edges */
    for (int y = 0; row && y < h; y++) {
        int edge = y < 3 || y >= h - 3;
        if ((y < t || y >= b || edge) && rowc[y] * (edge ? 5 : 2) >= w)
            pixRasterop(row, 0, y, w, 1, PIX_SRC, pixb, 0, y);
    }
    for (int y = b; base && y < h; y++)
        if (rowc[y] * 2 >= w)
            pixRasterop(base, 0, y, w, 1, PIX_SRC, pixb, 0, y);
    l_uint32 *data = pixGetData(pixb);
    int wpl = pixGetWpl(pixb);
    if (span >= 8) {
        for (int y = t; y < b; y++) {
            const l_uint32 *line = data + (size_t)y * wpl;
            for (int x = 0; x < w; x++)
                colc[x] += GET_DATA_BIT(line, x) != 0;
        }
        int need = rules ? (9 * span + 9) / 10 : (24 * span + 24) / 25;
        n = strip_col_runs(colc, w, need, maxw, x0s, x1s, cx, lo);
    }
    int kept = strip_grid(cx, n, keep);
    StripDivs drawn = {0, 0, 0};
    if (rules || (kept >= 4 && strip_cells_inked(pixb, x0s, x1s, keep, n)))
        for (int i = 0; i < n; i++)
            if (keep[i]) {
                /* and the column beside it inked over a third of the
                 * rows: the soft edge of a line scaled down (a box side
                 * 2.25 px wide at 3/4 size left a 1 px sliver, read as
                 * 1) */
                int a = x0s[i], z = x1s[i];
                a -= a > 0 && 3 * colc[a - 1] >= span;
                z += z + 1 < w && 3 * colc[z + 1] >= span;
                pixRasterop(div, a, 0, z - a + 1, h, PIX_SRC, pixb, a, 0);
                drawn.x0 = drawn.n++ ? drawn.x0 : a;
                drawn.x1 = z + 1;
            }
    int rc = drawn.n >= 2 ? cells_add(cells, cx, keep, n, 0, h) : 0;
    if (rc == 0 && tick && kept == 0 && b < h && span >= 8)
        rc = strip_ticks(pixb, b, span, maxw, colc, tick, cells);
    free(rowc);
    free(colc);
    if (rc != 0) {
        pixDestroy(&div);
        pixDestroy(&row);
        pixDestroy(&base);
        pixDestroy(&tick);
        return err_set("segment: out of memory (%dx%d field)", w, h);
    }
    *pdiv = div;
    if (prow)
        *prow = row;
    if (pbase)
        *pbase = base;
    if (ptick)
        *ptick = tick;
    if (sd)
        *sd = drawn;
    return 0;
}

/**
 * Find the sides and cell dividers of a page's box rows: boxed fields too
 * low for rules_reduced()'s box sides (1.8 glyph heights), whose sides
 * and dividers were read as 1s.
 *
 * @param[in]  pixb   1 bpp page, ink = 1
 * @param[in]  hm_r   its horizontal rules, 2x reduced (rules_reduced())
 * @param[in]  med_h  median component height, px
 * @param[out] div    page-size 1 bpp mask the dividers' ink is ORed into
 * @param[out] bands  the box rows found, 2x reduced (rules included)
 * @param[out] fields [optional] the rows whose cells are a glyph wide
 * @param[out] cells  [optional] and those rows' cells, one box each
 * @return 0, or -1 out of memory
 *
 * Notes:
 *   (1) A box row is a horizontal rule and the nearest one below it, 0.5
 *       to 4 glyph heights apart, overlapping over 3/4 of the shorter.
 *   (2) The band they bound (the rules included, 2 px wider than their
 *       overlap) is searched as a strip (strip_dividers(): columns inked
 *       over 90 % of the rows between the rules, on the cells' grid). Its
 *       dividers count only if the outer two stand at the band's ends:
 *       lines of writing on ruled paper, with a tall letter between two
 *       rules, have no sides. Two are an open box (a census form's field
 *       of digits written freely): its sides.
 *   (3) The repair across vertical rules (rules_remove()) puts back a
 *       digit's stroke where it crossed a divider.
 */
static int box_rows(PIX *pixb, PIX *hm_r, float med_h, PIX *div, BOXA *bands,
                    BOXA *fields, BOXA *cells)
{
    int pw = pixGetWidth(pixb), ph = pixGetHeight(pixb);
    BOXA *ba = pixConnCompBB(hm_r, 8);
    if (!ba)
        return -1;
    int n = boxaGetCount(ba), rc = 0;
    float lo = 0.25f * med_h, hi = 2.0f * med_h; /* the gap, reduced px */
    for (int i = 0; rc == 0 && i < n; i++) {
        l_int32 ax, ay, aw, ah, bx, by, bw, bh;
        boxaGetBoxGeometry(ba, i, &ax, &ay, &aw, &ah);
        int best = -1, best_y = 0, x0 = 0, x1 = 0;
        for (int j = 0; j < n; j++) {
            boxaGetBoxGeometry(ba, j, &bx, &by, &bw, &bh);
            int gap = by - (ay + ah);
            int o0 = ax > bx ? ax : bx;
            int o1 = ax + aw < bx + bw ? ax + aw : bx + bw;
            int shorter = aw < bw ? aw : bw;
            if (j == i || gap < lo || gap > hi || 4 * (o1 - o0) < 3 * shorter ||
                (best >= 0 && by >= best_y))
                continue;
            best = j;
            best_y = by;
            x0 = o0;
            x1 = o1;
        }
        if (best < 0)
            continue;
        boxaGetBoxGeometry(ba, best, &bx, &by, &bw, &bh);
        int fx0 = 2 * x0 - 2 > 0 ? 2 * x0 - 2 : 0;
        int fx1 = 2 * x1 + 2 < pw ? 2 * x1 + 2 : pw;
        int fy0 = 2 * ay, fy1 = 2 * (by + bh) < ph ? 2 * (by + bh) : ph;
        BOX *band = boxCreate(fx0, fy0, fx1 - fx0, fy1 - fy0);
        PIX *clip = band ? pixClipRectangle(pixb, band, NULL) : NULL;
        PIX *d = NULL;
        StripDivs sd;
        BOXA *bc = cells ? boxaCreate(8) : NULL; /* its cells, band's px */
        boxDestroy(&band);
        if (!clip || (cells && !bc) ||
            strip_dividers(clip, &d, NULL, NULL, NULL, &sd, bc) != 0)
            rc = -1;
        else if (sd.n >= 2 && sd.x0 <= 6 && sd.x1 >= fx1 - fx0 - 6) {
            /* the outer two at the band's ends: the sides (two: an open
             * box, written freely) */
            pixRasterop(div, fx0, fy0, fx1 - fx0, fy1 - fy0, PIX_SRC | PIX_DST,
                        d, 0, 0);
            /* a row of cells: its dividers replace the short verticals
             * of the rules (box_rows_clear); an open box's sides stay
             * there too, where they were found (their ink under the
             * column runs, to the last pixel) */
            int bx0 = x0 > 0 ? x0 - 1 : 0;
            if (sd.n >= 3)
                boxaAddBox(bands,
                           boxCreate(bx0, ay, x1 + 1 - bx0, by + bh - ay),
                           L_INSERT);
            /* cells a glyph wide: one field (one word), not a table */
            if (fields && sd.x1 > sd.x0 && fy1 > fy0 &&
                (float)(sd.x1 - sd.x0) <= 3.0f * med_h * (sd.n - 1)) {
                field_add(fields, fx0 + sd.x0, fy0, sd.x1 - sd.x0, fy1 - fy0);
                BOXA *pc = bc ? boxaTransform(bc, fx0, fy0, 1.0f, 1.0f) : NULL;
                if (pc)
                    boxaJoin(cells, pc, 0, -1);
                boxaDestroy(&pc);
            }
        }
        boxaDestroy(&bc);
        pixDestroy(&clip);
        pixDestroy(&d);
    }
    boxaDestroy(&ba);
    return rc;
}

/* In the box rows (bands, 2x reduced), box_rows() has the cells'
 * dividers: take out of the vertical rule runs vm and their ink vk the
 * shorter ones (under vlen_r) that lie within a row. They were box sides
 * by rules_reduced()'s rule (a short vertical meeting a horizontal
 * rule), which also takes a tall letter reaching up to the box's top. */
static int box_rows_clear(PIX *vm, PIX *vk, BOXA *bands, int vlen_r)
{
    int nb = boxaGetCount(bands);
    if (nb == 0)
        return 0;
    PIXA *pa = NULL;
    BOXA *cc = pixConnComp(vm, &pa, 8);
    if (!cc)
        return -1;
    for (int i = 0; i < boxaGetCount(cc); i++) {
        l_int32 x, y, w, h;
        boxaGetBoxGeometry(cc, i, &x, &y, &w, &h);
        for (int j = 0; h < vlen_r && j < nb; j++) {
            l_int32 bx, by, bw, bh;
            boxaGetBoxGeometry(bands, j, &bx, &by, &bw, &bh);
            if (x < bx || y < by || x + w > bx + bw || y + h > by + bh)
                continue;
            PIX *pi = pixaGetPix(pa, i, L_CLONE);
            if (!pi)
                break;
            pixRasterop(vm, x, y, w, h, PIX_DST & PIX_NOT(PIX_SRC), pi, 0, 0);
            pixRasterop(vk, x, y, w, h, PIX_DST & PIX_NOT(PIX_SRC), pi, 0, 0);
            pixDestroy(&pi);
            break;
        }
    }
    pixaDestroy(&pa);
    boxaDestroy(&cc);
    return 0;
}

/* The rules found on the 2x-reduced page (seg__furniture_remove). */
typedef struct {
    PIX *hm, *vm;   /* horizontal and vertical rule runs (vm with box sides) */
    PIX *hk, *vk;   /* the straight ink under them */
    int vlen_short; /* the shortest box side (rule_lengths), page px */
} RulesR;

static void rules_r_free(RulesR *rr)
{
    pixDestroy(&rr->hm);
    pixDestroy(&rr->vm);
    pixDestroy(&rr->hk);
    pixDestroy(&rr->vk);
}

/**
 * Find the rules of the 2x-reduced page r: long thin horizontal and
 * vertical runs, shorter verticals where they meet a horizontal rule, and
 * the straight ink under each.
 *
 * @param[in]  r       the page, 2x OR-reduced, ink = 1
 * @param[in]  med_h   median component height, px (full resolution)
 * @param[in]  bridge  1: bridge dashes first (handwriting-size glyphs)
 * @param[in]  hlen, vlen, vlen_short  rule lengths (rule_lengths())
 * @param[out] rr      the masks, at r's size, and vlen_short; the caller
 *                     frees the masks with rules_r_free(), also after an
 *                     error
 * @return 0, or -1 out of memory
 *
 * Notes:
 *   (1) Faint rules come out of the binariser as dashes. With bridge,
 *       short gaps in thin straight pieces are bridged (pieces shorter
 *       than a fifth of a glyph height, i.e. most handwriting, are dropped
 *       first) and the long runs of that taken. The rule masks are cut
 *       back to the page's ink later, so the bridged gaps remove nothing.
 *   (2) Shorter verticals count only where they meet a horizontal rule:
 *       the sides of boxes. A lone stroke that long is more likely two
 *       touching glyphs (a descender on an ascender). They meet it with
 *       their own ink next to the rule's, not across a bridged gap: the
 *       stem of an I written a few px above a box's bottom is no side.
 *   (3) The runs hold the bridged gaps and the row added to line dashes
 *       up: hk and vk keep only the straight ink under them (not a stroke
 *       crossing).
 */
static int rules_reduced(PIX *r, float med_h, int bridge, int hlen, int vlen,
                         int vlen_short, RulesR *rr)
{
    /* vlen 0: a strip, too short for a vertical rule (strip_dividers) */
    rr->vlen_short = vlen_short;
    PIX *hr = bridge ? bridge_dashes(r, med_h, 1) : pixCopy(NULL, r);
    PIX *vr = bridge && vlen ? bridge_dashes(r, med_h, 0) : pixCopy(NULL, r);
    PIX *vs_r = NULL, *seed = NULL, *boxes = NULL;
    int rc = -1;
    if (!hr || !vr)
        goto out;
    /* Leptonica's composite DWA openings, run by run (seg_runs.c) */
    int hkeep = seg__dwa_line_length(hlen / 2, 0);
    int vkeep = vlen ? seg__dwa_line_length(vlen / 2, 1) : 0;
    rr->hm = hkeep > 0 ? seg__open_rows(hr, hkeep) : NULL;
    rr->vm = !vlen     ? pixCreateTemplate(vr)
             : vkeep > 0 ? seg__open_cols(vr, vkeep)
                         : NULL;
    /* the lines the composite openings kept (seg__dwa_line_length) */
    if (!rr->hm || !rr->vm || keep_thin_runs(rr->hm, r, hkeep, 1) != 0 ||
        (vlen && keep_thin_runs(rr->vm, r, vkeep, 0) != 0))
        goto out;
    if (vlen && vlen_short < vlen) {
        int skeep = seg__dwa_line_length(vlen_short / 2, 1);
        vs_r = skeep > 0 ? seg__open_cols(vr, skeep) : NULL;
        seed = pixDilateBrick(NULL, rr->hm, 3, 3);
        if (!vs_r || !seed)
            goto out;
        pixSubtract(seed, seed, rr->hm);
        pixAnd(seed, seed, vs_r);
        pixAnd(seed, seed, r);
        if (!(boxes = pixSeedfillBinary(NULL, seed, vs_r, 8)))
            goto out;
        pixOr(rr->vm, rr->vm, boxes);
    }
    rr->hk = straight_ink(rr->hm, r, med_h, 1);
    rr->vk = straight_ink(rr->vm, r, med_h, 0);
    if (rr->hk && rr->vk)
        rc = 0;
out:
    pixDestroy(&hr);
    pixDestroy(&vr);
    pixDestroy(&vs_r);
    pixDestroy(&seed);
    pixDestroy(&boxes);
    return rc;
}

/* Add a strip's mask (optional) to a rule mask and its boxes to the
 * rules. 0, or -1 out of memory. */
static int strip_masks_add(PIX *m, PIX *mask, BOXA *rules)
{
    if (!m)
        return 0;
    BOXA *d = pixConnCompBB(m, 8);
    if (!d)
        return -1;
    boxaJoin(rules, d, 0, -1);
    boxaDestroy(&d);
    pixOr(mask, mask, m);
    return 0;
}

/* drop_remnants() around the rules of rr and a strip's or a box row's
 * dividers (full size; NULL: none): of a box side a pixel wider along
 * part of its height (a turned scan straightened), the strip test takes
 * the columns inked from rule to rule, and the one beside them was read
 * as a 1. */
static int remnants_drop(PIX *out, const RulesR *rr, PIX *dividers)
{
    if (!dividers)
        return drop_remnants(out, rr->hm, rr->vm);
    PIX *d = pixReduceRankBinary2(dividers, 1, NULL);
    PIX *vm = d ? pixCopy(NULL, rr->vm) : NULL;
    int rc = vm ? 0 : -1;
    if (vm) {
        pixRasterop(vm, 0, 0, pixGetWidth(d), pixGetHeight(d),
                    PIX_SRC | PIX_DST, d, 0, 0);
        rc = drop_remnants(out, rr->hm, vm);
    }
    pixDestroy(&d);
    pixDestroy(&vm);
    return rc;
}

/**
 * Take the rules of rr off the full-size page and repair the strokes they
 * cut.
 *
 * @param[in] pixb    1 bpp page, ink = 1; not modified
 * @param[in] rr      its rules at half size (rules_reduced())
 * @param[in] dividers, rows, ticks  [optional] a strip's cell dividers,
 *                    rule rows and comb ticks, full size (strip_dividers())
 * @param[in] med_h   median component height, px
 * @param[in] dpi     resolution (> 0)
 * @param[in] drop    1: the remnants of faint rules are dropped too
 * @param[out] fields, cells  [optional] as seg__furniture_remove
 * @return new 1 bpp PIX (caller owns), or NULL out of memory
 *
 * Notes:
 *   (1) The rule masks are mapped back to full size and intersected with
 *       the page's ink; a glyph pixel right against a rule may go with it.
 *   (2) A faint rule wanders a row or two off its straight core: what is
 *       left of it lies within 3 px of the core and does not leave that
 *       band (a stroke crossing the rule does). Only around glyphs large
 *       enough that none fits in that band (drop: glyphs of 12 px and
 *       more).
 *   (3) Comb ticks (find_combs()) go with the vertical rules, and strokes
 *       cut by a rule are repaired across it (repair_across()), bridging
 *       at most dpi / 10 px (at least 4).
 */
static PIX *rules_remove(PIX *pixb, const RulesR *rr, PIX *dividers, PIX *rows,
                         PIX *ticks, float med_h, int dpi, int drop,
                         BOXA *fields, BOXA *cells)
{
    int w = pixGetWidth(pixb), h = pixGetHeight(pixb);
    PIX *hmask = expand_and(rr->hk, pixb, w, h);
    PIX *vmask = expand_and(rr->vk, pixb, w, h);
    PIX *tmask = pixCreate(w, h, 1), *out = NULL;
    BOXA *hrules = boxes_x2(rr->hm, w, h);
    BOXA *vrules = boxes_x2(rr->vm, w, h);
    if (!hmask || !vmask || !tmask || !hrules || !vrules)
        goto fail;
    if (strip_masks_add(dividers, vmask, vrules) != 0 ||
        strip_masks_add(rows, hmask, hrules) != 0)
        goto fail;
    out = pixSubtract(NULL, pixb, hmask);
    if (!out || !pixSubtract(out, out, vmask))
        goto fail;
    if (drop && remnants_drop(out, rr, dividers) != 0)
        goto fail;
    find_combs(out, hrules, vrules, tmask, med_h, rr->vlen_short, fields,
               cells);
    if (fields && cell_fields(hrules, vrules, med_h, fields, cells) != 0)
        goto fail;
    l_int32 none = 1;
    pixZero(tmask, &none);
    if (none && ticks) /* a comb field cut out: its ticks by strip_ticks */
        pixOr(tmask, tmask, ticks);
    pixSubtract(out, out, tmask);

    int cap = dpi / 10 > 4 ? dpi / 10 : 4;
    if (repair_across(out, hmask, hrules, 1, cap) != 0)
        goto fail;
    pixOr(vmask, vmask, tmask);
    BOXA *trules = pixConnCompBB(tmask, 8);
    if (trules) {
        boxaJoin(vrules, trules, 0, -1);
        boxaDestroy(&trules);
    }
    if (repair_across(out, vmask, vrules, 0, cap) != 0)
        goto fail;
done:
    pixDestroy(&hmask);
    pixDestroy(&vmask);
    pixDestroy(&tmask);
    boxaDestroy(&hrules);
    boxaDestroy(&vrules);
    return out;
fail:
    pixDestroy(&out);
    goto done;
}

/* The page 2x OR-reduced, from a copy with a row and a column of paper
 * added where its height or width is odd: the reduction truncates, and
 * the last row of a field 29 px tall, the whole of its comb's base line,
 * was never looked at (the line joined every digit on it into one glyph).
 * NULL out of memory. */
static PIX *reduce2_even(PIX *pixb)
{
    int ow = pixGetWidth(pixb) & 1, oh = pixGetHeight(pixb) & 1;
    if (!ow && !oh)
        return pixReduceRankBinary2(pixb, 1, NULL);
    PIX *p = pixAddBorderGeneral(pixb, 0, ow, 0, oh, 0);
    PIX *r = p ? pixReduceRankBinary2(p, 1, NULL) : NULL;
    pixDestroy(&p);
    return r;
}

/**
 * Remove form furniture from a 1 bpp page and repair the strokes it cut.
 *
 * @param[in]  pixb      1 bpp page, ink = 1; not modified
 * @param[in]  dpi       resolution (> 0)
 * @param[in]  med_h     median component height, px (> 0)
 * @param[out] premoved  [optional] ink pixels removed
 * @param[out] fields    [optional] the boxes of the combs and box rows
 *                       found whose cells are a glyph wide (a pitch of at
 *                       most 3 glyph heights) are added: each is one
 *                       field, its writing one word
 * @param[out] cells     [optional] the cells of those fields and of a
 *                       boxed or comb field cut out (a strip) are added,
 *                       one box each: each holds one character
 *                       (seg__glyphs_build)
 * @return new 1 bpp PIX (caller owns), or NULL on error
 *
 * Notes:
 *   (1) Rules are found on a 2x OR-reduced copy (a quarter of the pixels,
 *       and a slightly tilted 1 px rule stays one run: rules_reduced()),
 *       then mapped back and intersected with the page's ink
 *       (rules_remove()); a glyph pixel right against a rule may go with
 *       it.
 *   (2) Returns a plain copy for pages with > 35% ink or no room for a
 *       rule SEL, and for pages where nothing like a rule is found.
 *   (3) Dash bridging only for glyphs of handwriting size (>= 2.5 mm)
 *       and >= 24 px (the smallest SELs, 6 px, stay a quarter of a
 *       glyph): printed text is denser, and the flat bottoms of a row of
 *       its letters, a few px apart, would be bridged into a rule.
 *       Remnant dropping (rules_remove()) from glyphs of 12 px: it takes
 *       only ink that lies wholly within 3 px of a rule's core, which no
 *       glyph that size fits in. A form card's median glyph is its
 *       printed labels' (20 px on a card at 170 dpi): the bits its faint
 *       rules left joined the writing in the boxes.
 */
PIX *seg__furniture_remove(PIX *pixb, int dpi, float med_h, int *premoved,
                           BOXA *fields, BOXA *cells)
{
    if (premoved)
        *premoved = 0;
    int w = pixGetWidth(pixb), h = pixGetHeight(pixb);
    l_int32 on = 0;
    if (seg__ink_extent(pixb, &on, NULL) < 0) /* a word at a time */
        pixCountPixels(pixb, &on, NULL);
    int hlen, vlen, vlen_short;
    rule_lengths(dpi, med_h, &hlen, &vlen, &vlen_short);
    /* a strip (a field or line cut out of a form) is too short for a
     * vertical rule: its box sides and cell dividers are found apart; its
     * writing, big for its size, may be dense; and its rules span at least
     * half its width (the middle bars of a bold printed label, 2x reduced,
     * touch over 3 glyph heights) */
    int strip = vlen >= h;
    if (strip)
        hlen = strip_rule_cap(hlen < w / 2 ? w / 2 : hlen, w);
    if (on == 0 || (double)on > (strip ? 0.5 : 0.35) * (double)w * h ||
        hlen >= w || hlen < 16 || vlen < 16 || w < 8 || h < 8)
        return pixCopy(NULL, pixb);

    int bridge = med_h >= 0.1f * dpi && med_h >= 24.0f;
    int drop = bridge || med_h >= 12.0f;
    RulesR rr = {0};
    PIX *out = NULL, *div = NULL, *rows = NULL, *base = NULL, *ticks = NULL;
    BOXA *bands = NULL;
    int ok = !strip || strip_dividers(pixb, &div, &rows, &base, &ticks, NULL,
                                      cells) == 0;
    PIX *r = ok ? reduce2_even(pixb) : NULL;
    if (r && rules_reduced(r, med_h, bridge, hlen, strip ? 0 : vlen, vlen_short,
                           &rr) == 0) {
        l_int32 hz = 1, vz = 1, dz = 1, rz = 1, tz = 1;
        pixZero(rr.hm, &hz);
        pixZero(rr.vm, &vz);
        if (!hz && !div)
            div = pixCreate(w, h, 1);
        if (!hz &&
            (!div || !(bands = boxaCreate(4)) ||
             box_rows(pixb, rr.hm, med_h, div, bands, fields, cells) != 0 ||
             box_rows_clear(rr.vm, rr.vk, bands, vlen / 2) != 0))
            goto done;
        if (div)
            pixZero(div, &dz);
        if (strip) {
            /* without dividers, of the rows only the bottom rule's: the
             * rows along the edges may be a cut label's */
            if (dz) {
                PIX *t = rows;
                rows = base;
                base = t;
            }
            pixZero(rows, &rz);
            pixZero(ticks, &tz);
        }
        if (hz && vz && dz && rz && tz) /* nothing like a rule */
            out = pixCopy(NULL, pixb);
        else
            out = rules_remove(pixb, &rr, dz ? NULL : div, rz ? NULL : rows,
                               tz ? NULL : ticks, med_h, dpi, drop, fields,
                               cells);
    }
done:
    boxaDestroy(&bands);
    pixDestroy(&r);
    pixDestroy(&div);
    pixDestroy(&rows);
    pixDestroy(&base);
    pixDestroy(&ticks);
    rules_r_free(&rr);
    if (!out) {
        err_set("segment: out of memory removing form lines (%dx%d page)", w,
                h);
        return NULL;
    }
    if (premoved) {
        l_int32 left = 0;
        if (seg__ink_extent(out, &left, NULL) < 0)
            pixCountPixels(out, &left, NULL);
        *premoved = on - left;
    }
    return out;
}

/* ---- dotted and dashed rules -------------------------------------------- */

/* A piece of a dotted rule: its centre (twice, along and across the rule)
 * and its ends along it. */
typedef struct {
    int along0, along1; /* first and last px along the rule */
    int across2;        /* twice the centre across it */
    int across;         /* its size across */
    int i;              /* index into the pieces */
    int next;           /* the following dot of its chain, -1 = none */
    int taken;          /* already some dot's next */
} Dot;

static int cmp_dot(const void *a, const void *b)
{
    const Dot *p = a, *q = b;
    return (p->along0 > q->along0) - (p->along0 < q->along0);
}

/* Link each dot of d (sorted along the rule) to the nearest dot after it
 * that starts within gap px of its end (gap 0: within twice the longer
 * of the two + 3 px, the two alike in size) and is centred within tol px
 * across (tol 0: half the wider + 1 px). Only the DOT_LOOK dots after it
 * in d are looked at: on a page of specks (a photo) the dots within
 * reach along are thousands, across the page. */
#define DOT_MIN_CHAIN 4 /* dots in a chain, judged at the glyph height */
#define DOT_MIN_ALONE 5 /* judged by the dots alone */
#define DOT_LOOK 256
static void dot_links(Dot *d, int n, int gap, int tol)
{
    for (int k = 0; k < n; k++) {
        int best = -1, bestg = 0;
        int lk = d[k].along1 - d[k].along0 + 1;
        int reach = gap ? gap : 2 * (lk > 15 ? lk : 15) + 3;
        for (int j = k + 1; j < n && j <= k + DOT_LOOK &&
                            d[j].along0 <= d[k].along1 + reach;
             j++) {
            int g = d[j].along0 - d[k].along1;
            int lj = d[j].along1 - d[j].along0 + 1;
            int wider = d[j].across > d[k].across ? d[j].across : d[k].across;
            int t = tol ? tol : wider / 2 + 1;
            if (d[j].taken || g < 1 ||
                abs(d[j].across2 - d[k].across2) > 2 * t)
                continue;
            if (!gap && (g > 2 * (lj > lk ? lj : lk) + 3 || lj > 3 * lk ||
                         lk > 3 * lj || d[j].across > 2 * d[k].across + 1 ||
                         d[k].across > 2 * d[j].across + 1))
                continue;
            if (best < 0 || g < bestg) {
                best = j;
                bestg = g;
            }
        }
        d[k].next = best;
        if (best >= 0)
            d[best].taken = 1;
    }
}

/* Clear piece p's ink from pix (the page it was found on). */
static void mask_clear(PIX *pix, const SegPiece *p)
{
    l_uint32 *data = pixGetData(pix);
    int wpl = pixGetWpl(pix);
    for (int y = 0; y < p->box.h; y++) {
        l_uint32 *line = data + (size_t)(p->box.y + y) * (size_t)wpl;
        for (int x = 0; x < p->box.w; x++)
            if (p->mask[(size_t)y * p->box.w + x])
                CLEAR_DATA_BIT(line, p->box.x + x);
    }
}

/* Flag piece p of a dotted rule (dot_chains()): SEG__DEAD drops it; with
 * src its ink is cleared from *pclear, a copy of src made on the first.
 * Returns its ink px, or -1 out of memory. */
static int dot_flag(SegPiece *p, unsigned flag, PIX *src, PIX **pclear)
{
    if (src && !*pclear && !(*pclear = pixCopy(NULL, src)))
        return err_set("segment: out of memory (a copy of the page)");
    int area = p->area;
    if (src && p->mask)
        mask_clear(*pclear, p);
    if (flag & SEG__DEAD)
        seg__piece_drop(p);
    else
        p->flags |= flag;
    return area;
}

/* A column of dots (rows y0..y1, centred at x2 / 2, the widest `wide` px
 * across, its steps `step` apart) goes on through thin solid pieces
 * above and below it: the dots a scaled-down divider blurred into a
 * stroke (at half size its upper half came out as one 1 px line, read as
 * 1), and the dots beyond the writing that touched it. Each piece no
 * wider than the widest dot and solid, or shorter than four steps and at
 * most 2 px wider (the last dots blurred into one where the divider meets
 * the base line), centred as the column within half a dot + 1 px,
 * starting within two steps + 2 px of an end, is flagged and extends that
 * end (at most 16 pieces an end). Returns the ink px flagged, or -1 out
 * of memory. */
static int dot_column_extend(SegPieces *ps, int y0, int y1, int x2, int wide,
                             int step, unsigned flag, PIX *src, PIX **pclear)
{
    int flagged = 0, reach = 2 * step + 2;
    for (int end = 0; end < 2; end++) {
        for (int k = 0; k < 16; k++) {
            int found = -1;
            for (int i = 0; i < ps->n && found < 0; i++) {
                const SegPiece *p = &ps->v[i];
                const SegBox *b = &p->box;
                int g = end ? b->y - y1 : y0 - (b->y + b->h - 1);
                /* thin and solid (a stroke), or short and a little
                 * wider (the last dots blurred together) */
                int line = b->w <= wide && 5 * p->area >= 3 * b->w * b->h;
                int blot = b->w <= wide + 2 && b->h - 1 < 2 * reach;
                if (!(p->flags & (SEG__DEAD | flag)) && (line || blot) &&
                    abs(2 * b->x + b->w - 1 - x2) <= wide + 2 && g >= 1 &&
                    g <= reach)
                    found = i;
            }
            if (found < 0)
                break;
            const SegBox *b = &ps->v[found].box;
            if (end)
                y1 = b->y + b->h - 1;
            else
                y0 = b->y;
            int f = dot_flag(&ps->v[found], flag, src, pclear);
            if (f < 0)
                return -1;
            flagged += f;
        }
    }
    return flagged;
}

/* A dotted rule dot_chains() found: twice its centre across, its first
 * and last px along, its widest dot, the median step between its dots. */
typedef struct {
    int c2, a0, a1, wide, step;
} DotRule;

#define DOT_RULES 64 /* the rules of one direction kept for dot_grid() */

/* The chains of at least min linked dots spaced alike (no step from a
 * dot's start to the next's over twice their median + 2 px: one dot
 * missing, or dots of a line binarised to 1 px and 3 px): each of their
 * pieces gets flag (SEG__DEAD: dropped, seg__piece_drop()), and in a
 * strip those that go on down a column (dot_column_extend()): on a page a
 * printed letter may stand in a line of dots, and along a crop's edge
 * the cut bits of a printed line go on from a row of them. With src, a
 * dropped dot's ink is cleared from *pclear, a copy of src made on the
 * first drop. The first DOT_RULES rules go into rules[] (*pnr of them).
 * Returns the ink px flagged, or -1 out of memory. */
static int dot_chains(SegPieces *ps, const Dot *d, int n, int min,
                      int vertical, int strip, unsigned flag, PIX *src,
                      PIX **pclear, DotRule *rules, int *pnr)
{
    int flagged = 0, steps[64];
    for (int k = 0; k < n; k++) {
        if (d[k].taken)
            continue; /* not a chain's first dot */
        int len = 0, ns = 0, last = k, wide = 0;
        for (int j = k; j >= 0; j = d[j].next, len++) {
            if (d[j].next >= 0 && ns < 64)
                steps[ns++] = d[d[j].next].along0 - d[j].along0;
            last = j;
            wide = d[j].across > wide ? d[j].across : wide;
        }
        if (len < min)
            continue;
        qsort(steps, (size_t)ns, sizeof *steps, cmp_int);
        if (steps[ns - 1] > 2 * steps[ns / 2] + 2)
            continue;
        for (int j = k; j >= 0; j = d[j].next) {
            int f = dot_flag(&ps->v[d[j].i], flag, src, pclear);
            if (f < 0)
                return -1;
            flagged += f;
        }
        int f = !strip || !vertical
                    ? 0
                    : dot_column_extend(ps, d[k].along0, d[last].along1,
                                        d[k].across2, wide, steps[ns / 2],
                                        flag, src, pclear);
        if (f < 0)
            return -1;
        flagged += f;
        if (*pnr < DOT_RULES)
            rules[(*pnr)++] = (DotRule){d[k].across2, d[k].along0,
                                        d[last].along1, wide, steps[ns / 2]};
    }
    return flagged;
}

static int cmp_rule(const void *a, const void *b)
{
    const DotRule *p = a, *q = b;
    return (p->c2 > q->c2) - (p->c2 < q->c2);
}

/* Does the pitch of the n rules (sorted across) hold for every gap
 * between them, within tol (gaps of two or more pitches: a rule
 * missing)? *ppitch gets the median gap; all in half px. */
static int rules_on_grid(const DotRule *r, int n, int tol, int *ppitch)
{
    int gaps[DOT_RULES], ng = 0;
    for (int i = 1; i < n; i++)
        gaps[ng++] = r[i].c2 - r[i - 1].c2;
    qsort(gaps, (size_t)ng, sizeof *gaps, cmp_int);
    int pitch = gaps[ng / 2];
    *ppitch = pitch;
    if (pitch <= 2 * tol)
        return 0;
    for (int i = 0; i < ng; i++) {
        int k = (gaps[i] + pitch / 2) / pitch;
        if (k < 1 || abs(gaps[i] - k * pitch) > tol)
            return 0;
    }
    return 1;
}

/* The dividers of a field parted by dotted lines stand on a grid: three
 * or more vertical dotted rules (r[0..n-1]) spaced alike. A thin solid
 * piece on that grid (within a tenth of the pitch, at least 2 px, of a
 * rule's place, or one pitch beyond the outer ones) and within their
 * rows is a divider whose dots a scaled-down page blurred into strokes
 * (read as 1s): it gets flag (dot_flag()). Returns the ink px flagged, or
 * -1 out of memory. */
static int dot_grid(SegPieces *ps, DotRule *r, int n, unsigned flag,
                    PIX *src, PIX **pclear)
{
    if (n < 3)
        return 0;
    qsort(r, (size_t)n, sizeof *r, cmp_rule);
    int wide = 0, a0 = r[0].a0, a1 = r[0].a1, reach = 0, pitch = 0;
    for (int i = 0; i < n; i++) {
        wide = r[i].wide > wide ? r[i].wide : wide;
        a0 = r[i].a0 < a0 ? r[i].a0 : a0;
        a1 = r[i].a1 > a1 ? r[i].a1 : a1;
        reach = 2 * r[i].step + 2 > reach ? 2 * r[i].step + 2 : reach;
    }
    if (!rules_on_grid(r, n, 4, &pitch))
        return 0;
    int tol = pitch / 10 > 4 ? pitch / 10 : 4;
    int kmax = (r[n - 1].c2 - r[0].c2 + pitch / 2) / pitch + 1, flagged = 0;
    for (int i = 0; i < ps->n; i++) {
        SegPiece *p = &ps->v[i];
        const SegBox *b = &p->box;
        if ((p->flags & (SEG__DEAD | flag)) || b->w > wide || b->h < 2 ||
            5 * p->area < 3 * b->w * b->h || b->y + b->h - 1 < a0 - reach ||
            b->y > a1 + reach)
            continue;
        int off = 2 * b->x + b->w - 1 - r[0].c2 + pitch; /* >= 0 from -1 */
        if (off < 0)
            continue;
        int k = (off + pitch / 2) / pitch - 1;
        if (k > kmax || abs(off - (k + 1) * pitch) > tol)
            continue;
        int f = dot_flag(p, flag, src, pclear);
        if (f < 0)
            return -1;
        flagged += f;
    }
    return flagged;
}

/* Find the dotted rules among the pieces (seg__dotted_drop, seg__dots_mark)
 * and flag their pieces (src, pclear: dot_chains()). med_h 0: by the dots
 * alone (alike in size, spaced by at most twice their length). w > 0:
 * pieces touching an edge of the w x h image are no dots of a rule along
 * that edge. strip (a field or line cut out): the strokes that go on from
 * a rule's dots and the dividers on the grid of its vertical rules too
 * (dot_column_extend(), dot_grid()). Returns the ink px flagged, or -1 out
 * of memory. */
static int dotted_find(SegPieces *ps, float med_h, int w, int h, int strip,
                       unsigned flag, PIX *src, PIX **pclear)
{
    int thin = med_h > 0 ? (int)(0.15f * med_h) + 2 : 12;
    int longest = med_h > 0 ? (int)(0.45f * med_h) : 30;
    int gap = med_h > 0 ? (int)(0.35f * med_h) : 0;
    int tol = med_h > 0 ? (int)(0.06f * med_h) : 0;
    if (med_h > 0 && tol < 2)
        tol = 2;
    Dot *d = malloc((size_t)ps->n * sizeof *d);
    if (!d)
        return err_set("segment: out of memory (%d pieces)", ps->n);
    int flagged = 0;
    DotRule rules[DOT_RULES];
    for (int vertical = 0; vertical < 2; vertical++) {
        int n = 0;
        for (int i = 0; i < ps->n; i++) {
            const SegPiece *p = &ps->v[i];
            const SegBox *b = &p->box;
            int along = vertical ? b->h : b->w, across = vertical ? b->w : b->h;
            if ((p->flags & (SEG__DEAD | flag)) || across > thin ||
                along > longest || 5 * p->area < 3 * b->w * b->h ||
                (w > 0 && (vertical ? b->x == 0 || b->x + b->w >= w
                                    : b->y == 0 || b->y + b->h >= h)))
                continue;
            int a0 = vertical ? b->y : b->x, c0 = vertical ? b->x : b->y;
            d[n++] = (Dot){a0, a0 + along - 1, 2 * c0 + across - 1, across,
                           i, -1, 0};
        }
        qsort(d, (size_t)n, sizeof *d, cmp_dot);
        dot_links(d, n, gap, tol);
        int min = med_h > 0 ? DOT_MIN_CHAIN : DOT_MIN_ALONE, nr = 0;
        int f = dot_chains(ps, d, n, min, vertical, strip, flag, src, pclear,
                           rules, &nr);
        int g = f < 0 || !vertical || !strip
                    ? 0
                    : dot_grid(ps, rules, nr, flag, src, pclear);
        if (f < 0 || g < 0) {
            free(d);
            return -1;
        }
        flagged += f + g;
    }
    free(d);
    return flagged;
}

/**
 * Mark the pieces that look like the dots of a dotted rule, before the
 * glyph height is known: a field parted by dotted lines has ten dots for
 * each digit, and its median piece is a dot.
 *
 * @param[in,out] ps  the page's pieces; a rule's get SEG__DOT
 *                    (median_height_pieces() may leave them out)
 * @param[in]     w   the page's width, px
 * @param[in]     h   the page's height, px
 * @return 0, or -1 out of memory
 *
 * Notes:
 *   (1) Judged by the dots alone: solid (ink over 3/5 of the box: a
 *       printed label's letters are as alike and evenly spaced), at most
 *       12 px across and 30 along, five or more in a row or a column,
 *       alike in size, each centred within half a dot's width of the
 *       last, spaced by at most twice their length + 3 px, the steps
 *       between them alike.
 *   (2) Pieces touching the page's top or bottom are no dots of a row,
 *       nor those touching its sides of a column: on a crop they are the
 *       bits of the lines above and below that its edge cut (seg_crop.c),
 *       a row of them as alike as dots. A column of dots that starts at
 *       the top (a field's divider, cut tight) keeps its first.
 *   (3) Only the dots themselves: the strokes a crop's dividers blurred
 *       into wait for seg__dotted_drop() (judged here, without the glyph
 *       height, the letters of real name crops went with them).
 */
int seg__dots_mark(SegPieces *ps, int w, int h)
{
    if (ps->n < DOT_MIN_ALONE)
        return 0;
    return dotted_find(ps, 0, w, h, 0, SEG__DOT, NULL, NULL) < 0 ? -1 : 0;
}

/**
 * Drop the dots and dashes of dotted and dashed rules: the lines some
 * forms part the cells of a field with, or write on. Each piece is small
 * and thin, and they stand in a row or a column, evenly spaced.
 *
 * @param[in,out] ps     the page's pieces; those of a rule are marked
 *                       SEG__DEAD (mask freed)
 * @param[in]     med_h  median glyph height, px
 * @param[in]     crop   1: a field or line cut out of a page (the rules'
 *                       dots go on through strokes, the dividers through
 *                       their grid: dotted_find())
 * @param[in]     src    [optional] the 1 bpp page the pieces were found
 *                       on
 * @param[in,out] pclear with src: NULL, or a copy of src; on the first
 *                       dot dropped it becomes a copy of src (caller
 *                       destroys), and the dropped dots' ink is cleared
 *                       from it (a page without dotted rules is not
 *                       copied)
 * @return the ink px dropped, or -1 out of memory
 *
 * Notes:
 *   (1) A dot is solid (ink over 3/5 of its box), at most 0.15 glyph
 *       heights + 2 px across the rule and 0.45 along it; the next dot
 *       starts within 0.35 glyph heights and is centred within 0.06 (at
 *       least 2 px) of it across; four in a chain, spaced alike. A
 *       word's i dots are a letter apart, a colon has two, a written
 *       stroke is longer: none of them is a chain.
 *   (2) Dots touching the writing are part of its pieces and stay.
 *   (3) Called before the furniture is removed (the dots cleared from
 *       the page it is removed from: in rows across a field's dividers
 *       they were taken for a faint horizontal rule, which cut every
 *       digit in slices) and after (the dashes its rules held).
 */
int seg__dotted_drop(SegPieces *ps, float med_h, int crop, PIX *src,
                     PIX **pclear)
{
    if (!(med_h >= 8) || ps->n < DOT_MIN_CHAIN)
        return 0;
    return dotted_find(ps, med_h, 0, 0, crop, SEG__DEAD, src, pclear);
}
