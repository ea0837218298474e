/*
 * seg_glyphs.c - a line's pieces -> glyphs: i/j dots and
 * accents, broken strokes, touching characters, word breaks.
 *
 * Design: the page's pieces (seg_pieces.c) are grouped into lines by
 * seg_lines.c; once lines are known, each line's pieces are turned into
 * glyphs in three passes:
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

/* Is mark d, above the line (baseline at base), an accent or a speck at
 * the top of a tall stem b rather than the dot of an i or a j? b is
 * narrow (at most a third as wide as tall) and reaches the cap height
 * (0.85 of it; or 1.3 x-heights when the cap height is unknown; or 0.85
 * of the line's unit when neither is known), as I, l and 1 do (the stems
 * of i and j stop at the x-height); d is small (at
 * most half the stem's height wide, 0.3 of it tall) and ends in the top
 * 30 % of the stem. */
static int accent_on_stem(const SegPiece *b, const SegPiece *d,
                          const SegWLine *l, float base)
{
    float top = base - (float)b->box.y, h = (float)b->box.h;
    /* no x-height found: a line of capitals, whose unit is their height */
    float tall = l->cap_height > 0   ? 0.85f * l->cap_height
                 : l->x_height > 0 ? 1.3f * l->x_height
                                   : 0.85f * l->unit;
    return 3 * b->box.w <= b->box.h && top >= tall &&
           (float)(d->box.y + d->box.h) <= (float)b->box.y + 0.3f * h &&
           (float)d->box.w <= 0.5f * h && (float)d->box.h <= 0.3f * h;
}

/* Pass 1: dots and accents; tiny marks on the baseline are dropped. In a
 * crop (a name field: capitals), a mark at the top of a tall stem is an
 * accent or a speck and is dropped, not joined (accent_on_stem): joined,
 * an I with a diaeresis read T (ANAIS). On a page an i may be written as
 * tall, and its dot must stay. */
static int join_dots(SegPieces *ps, SegWLine *l, int crop, SegStats *st)
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
        /* an accent on a capital's stem goes with the specks */
        if (best >= 0 && crop && above &&
            accent_on_stem(&ps->v[best], d, l, base))
            best = -1;
        if (best >= 0) {
            if (seg__piece_merge(&ps->v[best], d) != 0)
                return -1;
            if (above)
                st->n_dots_merged++;
            else
                st->n_fragments_merged++;
        } else if (above || (d->box.w < 0.35f * u && d->box.h < 0.35f * u)) {
            seg__piece_drop(d);
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

/* The index of the cell of cells that holds b: 3/4 of its width and its
 * middle row; -1 for none. */
static int cell_of(const BOXA *cells, const SegBox *b)
{
    int n = boxaGetCount((BOXA *)cells);
    float cy = (float)b->y + 0.5f * (float)b->h;
    for (int i = 0; i < n; i++) {
        l_int32 x, y, w, h;
        boxaGetBoxGeometry((BOXA *)cells, i, &x, &y, &w, &h);
        int x0 = b->x > x ? b->x : x;
        int x1 = b->x + b->w < x + w ? b->x + b->w : x + w;
        if (4 * (x1 - x0) >= 3 * b->w && cy >= (float)y && cy < (float)(y + h))
            return i;
    }
    return -1;
}

/* Is the union of boxes a and b wider than 1.2 times its height? */
static int too_wide(const SegBox *a, const SegBox *b)
{
    int x0 = a->x < b->x ? a->x : b->x, y0 = a->y < b->y ? a->y : b->y;
    int x1 = a->x + a->w > b->x + b->w ? a->x + a->w : b->x + b->w;
    int y1 = a->y + a->h > b->y + b->h ? a->y + a->h : b->y + b->h;
    return 5 * (x1 - x0) > 6 * (y1 - y0);
}

/* Pass 4: a field's cells hold one character each, so the pieces in one
 * cell (the two strokes of a 4, a 5's flag, a 3 cut in two) are merged,
 * unless together they are wider than 1.2 times their height: two
 * characters written in one wide cell ("12" in a day's box) stay two. */
static int join_cells(SegPieces *ps, SegWLine *l, const BOXA *cells,
                      SegStats *st)
{
    int cur = -1, cur_cell = -1;
    for (int i = 0; i < l->n; i++) {
        SegPiece *b = &ps->v[l->idx[i]];
        int c = cell_of(cells, &b->box);
        if (cur >= 0 && c >= 0 && c == cur_cell &&
            !too_wide(&ps->v[cur].box, &b->box)) {
            if (seg__piece_merge(&ps->v[cur], b) != 0)
                return -1;
            st->n_fragments_merged++;
            continue;
        }
        cur = l->idx[i];
        cur_cell = c;
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

/* The score of a cut into parts[0..n): its weakest part's. Once a part
 * scores no better than best (the best so far) the cut cannot win, so the
 * rest are not scored and a value <= best comes back: the choice is the
 * same, the CNN runs less. The smallest parts go first, since a sliver is
 * the likeliest to read badly and end the scoring early. */
static float cut_score(const SegOptions *opt, const SegPiece *parts, int n,
                       float best)
{
    int order[SEG_MAX_PARTS];
    for (int k = 0; k < n; k++) {
        int j = k;
        while (j > 0 && parts[order[j - 1]].area > parts[k].area) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = k;
    }
    float s = 1.0f;
    for (int k = 0; k < n && s > best; k++) {
        float sk = score_piece(opt, &parts[order[k]]);
        if (sk < s)
            s = sk;
    }
    return s;
}

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
        if (seg__piece_sub(p, x0, x1, 0, p->box.h, &parts[k]) != 0) {
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
            float s = cut_score(opt, parts, cn, best_s);
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

/* Pass 3 over all lines: pieces wider than two glyphs cut (split_piece). */
static int split_touching(SegPieces *ps, SegWLines *ls, const SegOptions *opt,
                          SegStats *st)
{
    int total = 0;
    for (int i = 0; i < ls->n; i++)
        total += ls->v[i].n;
    /* Typical glyph width, in x-heights of its line: widths of
     * glyph-high pieces, page-wide (a form's values are written twice as
     * big as its printed labels: their glyphs are twice as wide). */
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
                wv[nw++] = (float)p->box.w / l->unit;
        }
    }
    float page_twu = seg__median_f(wv, nw);
    for (int i = 0; i < ls->n; i++) {
        SegWLine *l = &ls->v[i];
        /* A line with enough glyphs of its own uses its own width, so a
         * writer who prints wide on one line is not cut everywhere. */
        float tw = page_twu * l->unit;
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
 * @param[in]     cells [optional] the cells of a boxed or comb field
 *                     (seg__furniture_remove): the pieces in one cell
 *                     become one glyph, after the cuts
 * @param[in]     crop 1 when the image is a crop (seg__crop_detect): marks
 *                     at the top of a tall stem are accents (join_dots)
 * @param[in,out] st   counters
 * @return 0, or -1 on error (out of memory)
 */
int seg__glyphs_build(SegPieces *ps, SegWLines *ls, const SegMetrics *m,
                      const SegOptions *opt, const BOXA *cells, int crop,
                      SegStats *st)
{
    (void)m;
    int total = 0;
    for (int i = 0; i < ls->n; i++) {
        SegWLine *l = &ls->v[i];
        line_sort_live(ps, l);
        if (join_dots(ps, l, crop, st) != 0 ||
            join_fragments(ps, l, st) != 0)
            return -1;
        total += l->n;
    }
    if (opt->split_touching && total > 0 &&
        split_touching(ps, ls, opt, st) != 0)
        return -1;
    for (int i = 0; cells && boxaGetCount((BOXA *)cells) > 0 && i < ls->n; i++)
        if (join_cells(ps, &ls->v[i], cells, st) != 0)
            return -1;
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

/* Do the centres of a and b lie in one of the boxes of fields? */
static int one_field(const BOXA *fields, const SegBox *a, const SegBox *b)
{
    int n = boxaGetCount((BOXA *)fields);
    float ax = a->x + a->w / 2, ay = a->y + a->h / 2;
    float bx = b->x + b->w / 2, by = b->y + b->h / 2;
    for (int i = 0; i < n; i++) {
        BOX *f = boxaGetBox((BOXA *)fields, i, L_CLONE);
        l_int32 in_a = 0, in_b = 0;
        if (f) {
            boxContainsPt(f, ax, ay, &in_a);
            boxContainsPt(f, bx, by, &in_b);
        }
        boxDestroy(&f);
        if (in_a && in_b)
            return 1;
    }
    return 0;
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
 * @param[in]  fields      [optional] boxes of comb and boxed fields
 *                         (seg__furniture_remove)
 * @param[out] word_start  one byte per piece (ps->n), all written
 * @return 0, or -1 on error
 *
 * Notes:
 *   (1) A gap >= 1.5 x-heights breaks and one <= 0.12 never does,
 *       whatever the two-class split says; but on a line of 3 or more
 *       gaps no gap up to twice the line's median gap breaks (evenly
 *       spaced capitals are one word, however wide their spacing).
 *   (2) Two neighbours whose centres lie in one of fields are one word,
 *       whatever their gap: a comb's or a boxed field's characters, one
 *       a cell (a narrow 1 centred in its cell leaves a gap wider than
 *       the others, and a postcode read "49 196").
 */
int seg__words_mark(const SegPieces *ps, const SegWLines *ls,
                    const SegMetrics *m, const SegOptions *opt,
                    const BOXA *fields, unsigned char *word_start)
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
    qsort(all, (size_t)na, sizeof *all, seg__cmp_float);
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
            qsort(all, (size_t)ng, sizeof *all, seg__cmp_float);
            /* the split among the gaps under 1.5 x-heights (those break
             * anyway): one wide gap (a checkbox's mark before its label,
             * a tab) would take the split and leave the words joined */
            int nb = ng;
            while (nb > 4 && all[nb - 1] >= 1.5f)
                nb--;
            if (seg__otsu_split_f(all, nb, &t, &lo, &hi) == 0 &&
                split_is_real(lo, hi))
                line_t = t;
            else if (all[nb - 1] < page_t)
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
            if (brk && fields &&
                one_field(fields, &ps->v[l->idx[k]].box,
                          &ps->v[l->idx[k + 1]].box))
                brk = 0;
            if (brk)
                word_start[l->idx[k + 1]] = 1;
        }
    }
    free(all);
    free(gaps);
    return 0;
}
