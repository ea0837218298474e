/*
 * seg_crop.c - a single field or line cut out of a page (a "crop") is read
 * as its main text line, not as a page.
 *
 * Design: a crop is an image at most a few glyph heights tall (see
 * seg__is_crop). After the line finder has run, the line with the most ink,
 * weighted by how near it sits to the crop's vertical centre and lowered
 * when it is cut by the top or bottom edge only, is the main line. Pieces
 * of other "lines" whose centre lies inside the main line's band are the
 * same written line split apart (spaced capitals, a sloping hand) and are
 * joined to it; everything else (fragments of the neighbouring lines cut at
 * the top/bottom edge, a printed label on its own line above) is dropped.
 * Box-line remnants are dropped too: thin vertical runs standing on the
 * left/right edge, thin flat runs longer than a glyph, thin specks
 * touching an edge, and, anywhere along the line, a box's side that the
 * crop's top and bottom cut through (a line cut out of a page by its
 * glyphs' box, through a field's box): straight, the crop's whole height
 * and thinner than half the pen's stroke, so that an l or a 1 written
 * with the pen stays.
 * "Edge" means the crop's frame (seg__crop_frame: the box of its ink,
 * with a touch band of 5 % of the glyph height) as well as the image's
 * edge, so a crop reads the same with a white margin of any width around
 * it: the cut bits still touch the frame. At the frame only, a line counts
 * as cut when its glyphs are low and at least half touch the side, and a
 * vertical remnant must be taller than 1.5 glyphs (a thin I beginning the
 * name touches the frame too).
 */
#include "segment/seg_internal.h"

#include "common/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Does box b touch the top / bottom / left or right side of frame f? */
static int at_top(const SegBox *b, const SegFrame *f)
{
    return b->y <= f->y0 + f->tol;
}

static int at_bot(const SegBox *b, const SegFrame *f)
{
    return b->y + b->h >= f->y1 - f->tol;
}

static int at_lr(const SegBox *b, const SegFrame *f)
{
    return b->x <= f->x0 + f->tol || b->x + b->w >= f->x1 - f->tol;
}

/* Does box b touch the image's own left or right edge (within 1 px)? */
static int at_image_lr(const SegBox *b, const SegFrame *f)
{
    return b->x <= 1 || b->x + b->w >= f->w - 1;
}

/* The rows [*py0, *py1) of line l's glyph-sized pieces (live, not
 * SMALL); 0 when it has none (*py0, *py1 untouched). */
static int glyph_rows(const SegPieces *ps, const SegWLine *l, int *py0,
                      int *py1)
{
    int any = 0;
    for (int k = 0; k < l->n; k++) {
        const SegBox *b = &ps->v[l->idx[k]].box;
        if (ps->v[l->idx[k]].flags & (SEG__DEAD | SEG__SMALL))
            continue;
        if (!any || b->y < *py0)
            *py0 = b->y;
        if (!any || b->y + b->h > *py1)
            *py1 = b->y + b->h;
        any = 1;
    }
    return any;
}

/* Is line l cut by the top (side 0) or bottom (side 1) of the crop: it
 * touches the image edge there (its pieces that are not SMALL, if it has
 * any), or (short: its glyphs are lower than the
 * crop's tallest line's, as the bits of a line cut flat are) at least half
 * of its live pieces (2 or more) touch the frame's side. A written line
 * whose glyphs rest on the frame's bottom is not short. */
static int line_cut_at(const SegPieces *ps, const SegWLine *l,
                       const SegFrame *f, int side, int short_line)
{
    /* the extent of its glyph-sized pieces: a line's small ones (the
     * bits of a line below, cut by the edge) do not cut it */
    int y0 = l->box.y, y1 = l->box.y + l->box.h;
    glyph_rows(ps, l, &y0, &y1);
    int img = side == 0 ? y0 <= 0 : y1 >= f->h;
    if (img && short_line)
        return 1;
    if (!img && !short_line)
        return 0;
    int n = 0, t = 0;
    for (int k = 0; k < l->n; k++) {
        const SegPiece *p = &ps->v[l->idx[k]];
        const SegBox *b = &p->box;
        if (p->flags & (SEG__DEAD | (img ? SEG__SMALL : 0)))
            continue;
        n++;
        if (img)
            t += side == 0 ? b->y <= 0 : b->y + b->h >= f->h;
        else
            t += side == 0 ? at_top(b, f) : at_bot(b, f);
    }
    /* at the image's edge, a line of full-size glyphs only one or two of
     * which touch it is a name written low (VATZIAS, its S on the edge,
     * lost to its label NOM), not a neighbour cut */
    if (img)
        return 2 * t >= n || t > 2;
    return t >= 2 && 2 * t >= n;
}

/**
 * The frame of a possible crop: the box of its ink, ignoring pieces of
 * under 3 pixels (scan noise in a margin). A crop read with a white margin
 * added around it has the same frame as without, so the pieces the crop's
 * edge cut (a neighbouring line, a label, a box line) touch the frame's
 * sides either way. The touch band is 1 px, or 5 % of the glyph height
 * when that is more (a box remnant a pixel or two in from the edge).
 *
 * @param[in]  ps     pieces, as found
 * @param[in]  w      image width (px)
 * @param[in]  h      image height (px)
 * @param[in]  med_h  median piece height (px), 0 = unknown
 * @param[out] f      the frame; the whole image when there is no ink
 */
void seg__crop_frame(const SegPieces *ps, int w, int h, float med_h,
                     SegFrame *f)
{
    int x0 = w, y0 = h, x1 = 0, y1 = 0;
    for (int i = 0; i < ps->n; i++) {
        const SegBox *b = &ps->v[i].box;
        if ((ps->v[i].flags & SEG__DEAD) || ps->v[i].area < 3)
            continue;
        x0 = b->x < x0 ? b->x : x0;
        y0 = b->y < y0 ? b->y : y0;
        x1 = b->x + b->w > x1 ? b->x + b->w : x1;
        y1 = b->y + b->h > y1 ? b->y + b->h : y1;
    }
    if (x1 <= x0 || y1 <= y0) {
        x0 = y0 = 0;
        x1 = w;
        y1 = h;
    }
    f->x0 = x0;
    f->y0 = y0;
    f->x1 = x1;
    f->y1 = y1;
    f->w = w;
    f->h = h;
    f->tol = (int)(0.05f * med_h);
    if (f->tol < 1)
        f->tol = 1;
}

/**
 * The crop rule: is a w x h image with glyphs glyph_h tall sized as a
 * field or line cut out of a page rather than a page? At most 4 glyph
 * heights tall, or a strip (at least 3.8 times as wide as tall: a real
 * name field of 284 x 71 px, a label line above the name and one below,
 * is 4.0, and 3.94 at half its size or at 1.5 times, where it read as a
 * page of three lines) at most 10. The recogniser asks the same question
 * of a read page (rec_label.c).
 *
 * @param[in] w        image width (px)
 * @param[in] h        image height (px), or the height of its ink
 * @param[in] glyph_h  median glyph height (px)
 * @return 1 when sized as a crop, else 0
 */
int seg_crop_sized(int w, int h, float glyph_h)
{
    return (float)h <= 4.0f * glyph_h ||
           (19 * h <= 5 * w && (float)h <= 10.0f * glyph_h);
}

/* Is a line cut by the frame's top or bottom edge: 3 or more pieces
 * lower than 0.6 glyph heights (med) touching that edge and not the
 * other, the tops of the next line's letters or the bottoms of the line
 * before? Only a cut-out image has them; a page's, or a snippet's, first
 * and last lines are whole. */
static int edge_cut(const SegPieces *ps, const SegFrame *f, float med)
{
    int top = 0, bot = 0;
    for (int i = 0; i < ps->n; i++) {
        const SegBox *b = &ps->v[i].box;
        if ((ps->v[i].flags & SEG__DEAD) || (float)b->h >= 0.6f * med ||
            ps->v[i].area < 3)
            continue;
        top += at_top(b, f) && !at_bot(b, f);
        bot += at_bot(b, f) && !at_top(b, f);
    }
    return top >= 3 || bot >= 3;
}

/* The crop rule for an image with a cut line along its top or bottom
 * (edge_cut): up to 2 + 2 w / h glyph heights tall (at least 4, at most
 * 10). A name with its printed label line above and the next label cut
 * below is 5-6 glyph heights tall and three times as wide: a strip by
 * seg_crop_sized when the field is cut at 284 x 66 px, not with 5 px of
 * white around it (294 x 76), or trimmed to its ink (196 x 61), which
 * then read as a page of three lines. Without a cut line the rule stays
 * seg_crop_sized: three typed lines on a small image are a page. The
 * frame's height is weighed against the image's width: a field is often
 * blank to the right of the name, so its ink is narrower than it. */
static int cut_field_sized(int w, int h, float med)
{
    float lim = h > 0 ? 2.0f + 2.0f * (float)w / (float)h : 4.0f;
    if (lim < 4.0f)
        lim = 4.0f;
    if (lim > 10.0f)
        lim = 10.0f;
    return (float)h <= lim * med;
}

/**
 * Is this image a crop (a field or line cut out of a page) rather than a
 * page? The rule holds for the image, or for its frame (its ink) when the
 * white above and below the frame is at most 8 glyph heights, so a white
 * margin does not change the answer. The glyph height used is the median
 * over pieces that do not touch only the top or only the bottom of the
 * frame: the cut bits of a printed line along the edge can outnumber the
 * glyphs; nor pieces under 0.4 times the 80th percentile height (grains,
 * dots), so that the answer is the same at x1 and x2. When fewer than 3
 * pieces are clear of the edges, not counting those under 0.4 times the
 * tallest of them (grains: at x1 under the pixel floor below, at x2 5-7
 * px), the pieces touching one edge that are taller than all of them
 * (and at least 3 px tall, 4 px one way) count too: a name written down
 * to the crop's bottom edge, under its label's cut bits along the top,
 * left a 3 px speck, and the field, 9 times as wide as tall, read as a
 * page of two lines (at x2: three JPEG grains and the name's I).
 *
 * @param[in]     ps     pieces, as found
 * @param[in]     f      the frame (seg__crop_frame)
 * @param[in,out] pmed_h median piece height (px); replaced by the median
 *                       above (without the edge pieces, or with the
 *                       taller ones) when the image is a crop and it is
 *                       larger
 * @return 1 when the image or its frame is sized as a crop
 *         (seg_crop_sized; cut_field_sized when a line along its top or
 *         bottom is cut, edge_cut)
 */
int seg__crop_detect(const SegPieces *ps, const SegFrame *f, float *pmed_h)
{
    float *v = malloc((size_t)(ps->n + 1) * sizeof *v);
    int k = 0, big = 0; /* big: pieces clear of both edges, not grains */
    float tall = 0;     /* the tallest piece clear of both edges */
    for (int pass = 0; pass < 2 && (pass == 0 || big < 3); pass++) {
        for (int i = 0; v && i < ps->n; i++) {
            const SegBox *b = &ps->v[i].box;
            if ((ps->v[i].flags & SEG__DEAD) || !(b->w >= 4 || b->h >= 4) ||
                b->h < 3 || (at_top(b, f) != at_bot(b, f)) != pass ||
                (pass == 1 && (float)b->h <= tall))
                continue;
            v[k++] = (float)b->h;
            tall = pass == 0 && b->h > tall ? (float)b->h : tall;
        }
        for (int j = 0; pass == 0 && j < k; j++)
            big += v[j] >= 0.4f * tall;
    }
    float med = seg__median_f(v, k); /* sorts v */
    /* Pieces under 0.4 of the tall ones (the 80th percentile) are grains or
     * dots at any scale: the pixel floor above drops a JPEG's 2-3 px grains
     * at x1, but at x2 they are 5-7 px and would pull the median down. */
    if (k >= 3) {
        float cut = 0.4f * v[(int)(0.8f * (float)(k - 1))];
        int j = 0;
        while (j < k && v[j] < cut)
            j++;
        if (j > 0 && j < k)
            med = seg__median_f(v + j, k - j);
    }
    free(v);
    if (med <= 0)
        med = *pmed_h;
    if (med <= 0)
        return 0;
    /* the frame counts when the white above and below it is a margin (at
     * most 8 glyph heights), not a page with a short text on it; a field
     * is often blank to the right of the name */
    float mg = 8.0f * med;
    int margin = f->y0 <= mg && f->h - f->y1 <= mg;
    int crop = seg_crop_sized(f->w, f->h, med) ||
               (margin && seg_crop_sized(f->x1 - f->x0, f->y1 - f->y0, med));
    if (!crop && edge_cut(ps, f, med))
        crop = cut_field_sized(f->w, f->h, med) ||
               (margin && cut_field_sized(f->w, f->y1 - f->y0, med));
    if (crop && med > *pmed_h)
        *pmed_h = med;
    return crop;
}

static void piece_drop(SegPiece *p, SegStats *st)
{
    seg__piece_drop(p);
    p->line = -1;
    st->n_specks++;
}

/* Median height of a line's live pieces that are not small. */
static float line_med_h(const SegPieces *ps, const SegWLine *l)
{
    float *v = malloc((size_t)(l->n + 1) * sizeof *v);
    int k = 0;
    for (int i = 0; v && i < l->n; i++) {
        const SegPiece *p = &ps->v[l->idx[i]];
        if (!(p->flags & (SEG__DEAD | SEG__SMALL)))
            v[k++] = (float)p->box.h;
    }
    float med = seg__median_f(v, k);
    free(v);
    return med;
}

/* The longer run of ink rows of piece p when it is a colon for glyph
 * height glyph_h: narrow (at most 0.4 glyph heights), shorter than a
 * glyph, its ink in exactly two runs of rows with a gap between (the two
 * dots, joined as a broken glyph); 0 when it is not. */
static int colon_runs(const SegPiece *p, float glyph_h)
{
    if (!p->mask || p->box.w > 0.4f * glyph_h + 1 || p->box.h >= glyph_h)
        return 0;
    int runs = 0, in = 0, len = 0, longest = 0;
    for (int y = 0; y < p->box.h; y++) {
        int ink = 0;
        for (int x = 0; x < p->box.w && !ink; x++)
            ink = p->mask[(size_t)y * p->box.w + x];
        if (ink && !in) {
            runs++;
            len = 0;
        }
        len = ink ? len + 1 : len;
        longest = len > longest ? len : longest;
        in = ink;
    }
    return runs == 2 ? longest : 0;
}

/* A plain colon: a colon (colon_runs) whose dots are each at most 0.3
 * glyph heights + 1 px tall, and at most 1.5 times as tall as the piece
 * is wide + 1 px: no stroke broken in two, no dashes of a dashed rule (a
 * comb field's dashed divider after a 1 stood for a colon, and the 1
 * went as a label). */
static int colon_plain(const SegPiece *p, float glyph_h)
{
    int run = colon_runs(p, glyph_h);
    return run > 0 && (float)run <= 0.3f * glyph_h + 1 &&
           (float)run <= 1.5f * (float)p->box.w + 1;
}

/* A colon: narrow (at most 0.4 glyph heights), shorter than a glyph, its
 * ink in exactly two runs of rows with a gap between (the two dots, joined
 * as a broken glyph). */
static int is_colon(const SegPiece *p, float glyph_h)
{
    return colon_runs(p, glyph_h) > 0;
}

/* Is piece p a dot of a colon for glyph height glyph_h: at most 0.4
 * glyph heights wide and tall (at half a crop's size a dot can be one
 * pixel), and about as wide as tall (no dash of a dashed rule)? */
static int colon_dot(const SegPiece *p, float glyph_h)
{
    float dot = 0.4f * glyph_h + 1;
    const SegBox *b = &p->box;
    return !(p->flags & SEG__DOT) && b->w <= dot && b->h <= dot &&
           b->h <= 2 * b->w + 1 && b->w <= 2 * b->h + 1;
}

/* Do a and b stand one above the other as a colon's dots (b below a, a
 * gap of white between, overlapping by half the narrower width, both
 * within glyph height glyph_h)? */
static int colon_stacked(const SegBox *a, const SegBox *b, float glyph_h)
{
    if (b->y <= a->y + a->h)
        return 0;
    /* a colon spans about an x-height: the bits of a light divider at a
     * crop's top and bottom, farther apart than the glyphs are tall, are
     * no colon (at 0.8 glyph heights a printed "PRENOM :" beside small
     * capitals was none either) */
    if ((float)(b->y + b->h - a->y) > glyph_h)
        return 0;
    int r = a->x + a->w < b->x + b->w ? a->x + a->w : b->x + b->w;
    int ov = r - (a->x > b->x ? a->x : b->x);
    int mw = a->w < b->w ? a->w : b->w;
    return 2 * ov >= mw;
}

/* A colon before x1: a small piece of ml lying in [x0, x1) that is a
 * plain colon (colon_plain: the two dots joined as stacked fragments), or
 * two dots (colon_dot) one above the other (colon_stacked; at a larger
 * scale the dots no longer join), each a live piece of ml lying in
 * [x0, x1) or any piece, dropped or not, lying in the gap [gx0, x1)
 * between rows y0 and y1 (the label's, and a little more): at half a
 * name crop's size a colon's dots are 1-2 px, and the line finder drops
 * them as specks when the gap holds no other ink. */
static int colon_pair(const SegPieces *ps, const SegWLine *ml, int x0, int x1,
                      int gx0, int y0, int y1, float glyph_h)
{
    int *c = malloc((size_t)(ml->n + ps->n + 1) * sizeof *c);
    int n = 0, found = 0;
    for (int i = 0; c && i < ml->n; i++) {
        const SegPiece *p = &ps->v[ml->idx[i]];
        if ((p->flags & SEG__DEAD) || p->box.x < x0 ||
            p->box.x + p->box.w > x1)
            continue;
        if (colon_plain(p, glyph_h))
            found = 1; /* a small piece of two dots, joined as stacked */
        else if (colon_dot(p, glyph_h))
            c[n++] = ml->idx[i];
    }
    for (int i = 0; c && i < ps->n; i++) {
        const SegBox *b = &ps->v[i].box;
        if ((ps->v[i].flags & SEG__DEAD) && b->x >= gx0 && b->x + b->w <= x1 &&
            b->y >= y0 && b->y + b->h <= y1 && colon_dot(&ps->v[i], glyph_h))
            c[n++] = i;
    }
    for (int i = 0; i < n && !found; i++)
        for (int j = 0; j < n && !found; j++)
            found = j != i && colon_stacked(&ps->v[c[i]].box, &ps->v[c[j]].box,
                                            glyph_h);
    free(c);
    return found;
}

/* The right edge of the pieces idx[0..k]. */
static int right_of(const SegPieces *ps, const int *idx, int k)
{
    int r = 0;
    for (int i = 0; i <= k; i++) {
        const SegBox *b = &ps->v[idx[i]].box;
        r = b->x + b->w > r ? b->x + b->w : r;
    }
    return r;
}

/* A colon blurred into one bar, glyph height glyph_h: at half a name
 * crop's size the two dots of "PRENOM :" are one column 1-3 px wide.
 * Piece p, right after piece q (the label's last), is narrow (at most a
 * quarter of a glyph height + 1 px wide and twice as tall as wide), 0.35
 * to 0.8 glyph heights tall, and lies within q's rows with its top at
 * least 0.2 glyph heights below q's top (a colon stands from the x-height
 * to the baseline; its bottom may be 1 px below q's); q is a run of
 * touching letters, at least 1.5 times as wide as tall (a label's word at
 * that size). A written I or 1 that is short stands after a single
 * letter: HARIEH kept its I. */
static int colon_bar(const SegPiece *p, const SegPiece *q, float glyph_h)
{
    const SegBox *b = &p->box, *a = &q->box;
    float h = (float)b->h;
    return (float)b->w <= 0.25f * glyph_h + 1 && b->h >= 2 * b->w &&
           h >= 0.35f * glyph_h && h <= 0.8f * glyph_h &&
           (float)(b->y - a->y) >= 0.2f * glyph_h &&
           b->y + b->h <= a->y + a->h + 1 && 2 * a->w >= 3 * a->h;
}

/* A label ended by a plain colon (colon_plain) or a colon blurred into a
 * bar (colon_bar) among the first five pieces idx[0..n) of a line (glyph
 * height lh; a rotated timestamp printed at the form's edge can make up
 * to three pieces before the label), nearer the piece before it than the
 * one after, the gap after it at least med, and 2 or more pieces after
 * it: the index of the first piece after the colon, or 0. At half size
 * the spaced capitals of a name stand as far apart as the label from the
 * name, so the widest gap does not tell ("PRENOM : E L I S E" was read
 * "APRINKXVI E L G S L"). */
static int plain_colon_at(const SegPieces *ps, const int *idx, int n,
                          float med, float lh)
{
    for (int k = 1; k <= 4 && k + 2 < n; k++) {
        const SegPiece *p = &ps->v[idx[k]];
        if (!colon_plain(p, lh) && !colon_bar(p, &ps->v[idx[k - 1]], lh))
            continue;
        int before = ps->v[idx[k]].box.x - right_of(ps, idx, k - 1);
        int after = ps->v[idx[k + 1]].box.x - right_of(ps, idx, k);
        if (after > before && (float)after >= med)
            return k + 1;
    }
    return 0;
}

/* A printed label at the left of the main line ("PRENOM :", "NOM :"):
 * the pieces left of the line's widest gap, when that gap is more than
 * twice the median gap, there are at least 2 full-size pieces right of
 * it and one left of it (at half size "NOM" is one piece, its letters
 * touching), and one of the last two left of it is a colon (one piece,
 * or two dots apart: colon_pair); or the pieces up to a plain colon or a
 * colon's bar (plain_colon_at); and the label with its colon is at least
 * 1.25 glyph heights wide. (Size alone does not tell a label: "nox nov
 * 0oo" has smaller letters on the left too.) */
static void drop_left_label(SegPieces *ps, SegWLine *ml, SegStats *st)
{
    int n = 0;
    int *idx = malloc((size_t)(ml->n + 1) * sizeof *idx);
    float *g = malloc((size_t)(ml->n + 1) * sizeof *g);
    if (!idx || !g)
        goto done;
    for (int k = 0; k < ml->n; k++)
        if (!(ps->v[ml->idx[k]].flags & (SEG__DEAD | SEG__SMALL)))
            idx[n++] = ml->idx[k];
    if (n < 5)
        goto done;
    seg__pieces_sort_x(ps, idx, n);
    int at = -1, right = 0;
    float best = 0;
    for (int k = 1; k < n; k++) {
        const SegBox *a = &ps->v[idx[k - 1]].box;
        right = a->x + a->w > right ? a->x + a->w : right;
        g[k - 1] = (float)(ps->v[idx[k]].box.x - right);
        if (g[k - 1] > best) {
            best = g[k - 1];
            at = k;
        }
    }
    float med = seg__median_f(g, n - 1); /* sorts g */
    int colon = 0;
    if (at >= 1 && n - at >= 2 && best > 2.0f * (med > 1 ? med : 1)) {
        for (int k = at; k < n; k++)
            g[k - at] = (float)ps->v[idx[k]].box.h;
        float mr_h = seg__median_f(g, n - at);
        int k0 = at - 2 > 0 ? at - 2 : 0;
        int gx0 = right_of(ps, idx, at - 1);
        int y0 = ps->v[idx[0]].box.y, y1 = y0;
        for (int k = 0; k < at; k++) {
            const SegBox *b = &ps->v[idx[k]].box;
            y0 = b->y < y0 ? b->y : y0;
            y1 = b->y + b->h > y1 ? b->y + b->h : y1;
            /* a colon of one piece: one of the last two, and not alone */
            if (k >= k0 && at >= 2)
                colon |= is_colon(&ps->v[idx[k]], mr_h);
        }
        /* a dot may reach past the label's rows by a pixel or two (the
         * lower dot of LERAT's "NOM :" ended 1 px below the letters) */
        int t = (y1 - y0) / 8 + 1;
        if (!colon)
            colon = colon_pair(ps, ml, ps->v[idx[k0]].box.x,
                               ps->v[idx[at]].box.x, gx0, y0 - t, y1 + t,
                               mr_h);
    }
    float lh = line_med_h(ps, ml);
    if (!colon) {
        at = plain_colon_at(ps, idx, n, med, lh);
        colon = at > 0;
    }
    /* a label is a word: with its colon at least 1.25 glyph heights wide
     * ("NOM :" is 1.7 on real crops; a 4 and two specks after it in a
     * digit field, 0.85, is none) */
    if (!colon ||
        (float)(right_of(ps, idx, at - 1) - ps->v[idx[0]].box.x) < 1.25f * lh)
        goto done;
    float xcut = (float)ps->v[idx[at]].box.x;
    for (int k = 0; k < ml->n; k++) {
        SegPiece *p = &ps->v[ml->idx[k]];
        if (!(p->flags & SEG__DEAD) && (float)(p->box.x + p->box.w) <= xcut)
            piece_drop(p, st);
    }
done:
    free(idx);
    free(g);
}

/* Count the lengths of the ink runs in row y of p into hist (lengths
 * clamped to nh - 1); returns how many runs. */
static int row_runs_at(const SegPiece *p, int y, int *hist, int nh)
{
    int n = 0;
    const unsigned char *r = p->mask + (size_t)y * p->box.w;
    for (int x = 0; x < p->box.w; x++) {
        if (!r[x] || (x > 0 && r[x - 1]))
            continue;
        int e = x;
        while (e < p->box.w && r[e])
            e++;
        hist[e - x < nh ? e - x : nh - 1]++;
        n++;
    }
    return n;
}

/* The same over all of p's rows. */
static int row_runs(const SegPiece *p, int *hist, int nh)
{
    int n = 0;
    for (int y = 0; y < p->box.h; y++)
        n += row_runs_at(p, y, hist, nh);
    return n;
}

/* The median of n counts in hist. */
static int hist_median(const int *hist, int nh, int n)
{
    int seen = 0;
    for (int k = 0; k < nh; k++)
        if ((seen += hist[k]) * 2 >= n)
            return k;
    return nh - 1;
}

#define SEG_RUN_HIST 64

/* Is box b thin and upright for glyphs lh px high: at most a fifth of
 * a glyph wide, three times as tall (a box's side, a divider; an l or a
 * 1)? */
static int thin_upright(const SegBox *b, float lh)
{
    return b->w <= 0.2f * lh + 1 && b->h >= 3 * b->w;
}

/* The line's pen stroke across: the median length of the ink runs in the
 * rows of its glyph-sized pieces but those thin, upright and taller than
 * its glyphs (a letter's bars are a few long runs among many of its
 * stems' width; a field cut inside its box turned has nine dividers
 * taller than its digits, and their runs made the pen 2 px, too thin to
 * tell them from it; a thin 1 as tall as the digits still counts, or
 * the pen got wide enough to take it for a divider). 0 when it has
 * none. */
static int line_pen(const SegPieces *ps, const SegWLine *ml, float lh)
{
    int hist[SEG_RUN_HIST] = {0}, n = 0;
    for (int k = 0; k < ml->n; k++) {
        const SegPiece *p = &ps->v[ml->idx[k]];
        if (!(p->flags & (SEG__DEAD | SEG__SMALL)) && p->box.h >= 0.5f * lh &&
            !(thin_upright(&p->box, lh) && p->box.h >= 1.15f * lh))
            n += row_runs(p, hist, SEG_RUN_HIST);
    }
    return n ? hist_median(hist, SEG_RUN_HIST, n) : 0;
}

/* Is p a thin straight line down: at most one ink run in each row, ink in
 * 7 of 10 of its rows (a light rule thresholded in bits), the runs at
 * most half the pen's stroke? */
static int thin_straight(const SegPiece *p, int pen)
{
    int hist[SEG_RUN_HIST] = {0}, rows = 0;
    for (int y = 0; y < p->box.h; y++) {
        int n = row_runs_at(p, y, hist, SEG_RUN_HIST);
        if (n > 1)
            return 0;
        rows += n;
    }
    return 10 * rows >= 7 * p->box.h &&
           2 * hist_median(hist, SEG_RUN_HIST, rows) <= pen;
}

/* Is p a bit of a line thinner than the writing (pen px): at most a
 * pen wide, not flat, its rows' ink runs at most half the pen (rounded
 * up: a 1 px line blurred by a scan is 3 px where the pen is 5)? */
static int thin_bit(const SegPiece *p, int pen)
{
    const SegBox *b = &p->box;
    if ((p->flags & SEG__DEAD) || b->w > pen || b->h < b->w)
        return 0;
    int hist[SEG_RUN_HIST] = {0};
    int n = row_runs(p, hist, SEG_RUN_HIST);
    return n > 0 && 2 * hist_median(hist, SEG_RUN_HIST, n) <= pen + 1;
}

/* Drop a stray line thinner than the writing on the main line (glyph
 * height lh, pen stroke pen px, 4 px or more), thresholded in bits: two
 * or more thin bits stacked in one column at most a pen wide, spanning
 * half a glyph or more, one of them at least twice as tall as wide (a
 * colon's round dots are no line). A stray stroke beside a scanned digit
 * (a box's remnant in NIST's fields, kept in MNIST's 1s and 7s) was read
 * as a 1 or 3 of its own. A whole thin piece is left to the side test:
 * taken here too, a 1 written light and thin was lost. */
static void drop_bit_columns(SegPieces *ps, SegWLine *ml, float lh, int pen,
                             SegStats *st)
{
    unsigned char *bit = pen >= 4 ? malloc((size_t)ml->n + 1) : NULL;
    if (!bit)
        return; /* (out of memory: nothing dropped) */
    for (int k = 0; k < ml->n; k++)
        bit[k] = (unsigned char)thin_bit(&ps->v[ml->idx[k]], pen);
    for (int k = 0; k < ml->n; k++) {
        const SegBox *a = &ps->v[ml->idx[k]].box;
        if (!bit[k])
            continue;
        int x0 = a->x, x1 = a->x + a->w, y0 = a->y, y1 = a->y + a->h, n = 1;
        int tall = a->h >= 2 * a->w;
        for (int j = 0; j < ml->n; j++) {
            const SegBox *b = &ps->v[ml->idx[j]].box;
            if (j == k || !bit[j] || b->x >= x1 || b->x + b->w <= x0)
                continue;
            x0 = b->x < x0 ? b->x : x0;
            x1 = b->x + b->w > x1 ? b->x + b->w : x1;
            y0 = b->y < y0 ? b->y : y0;
            y1 = b->y + b->h > y1 ? b->y + b->h : y1;
            tall |= b->h >= 2 * b->w;
            n++;
        }
        if (n < 2 || !tall || x1 - x0 > pen || y1 - y0 < 0.5f * lh)
            continue;
        for (int j = 0; j < ml->n; j++) {
            SegPiece *q = &ps->v[ml->idx[j]];
            if (bit[j] && q->box.x < x1 && q->box.x + q->box.w > x0) {
                piece_drop(q, st);
                bit[j] = 0;
            }
        }
    }
    free(bit);
}

/* Box-line remnants on the main line (glyph height lh): thin verticals
 * on the left/right edge, flat thin runs longer than a glyph, specks at
 * any edge; and pieces below its glyphs cut by the bottom edge (the tops
 * of the next line's letters): small ones below all of its glyph-sized
 * pieces (joined to this one as small marks at a larger scale), and ones
 * at most 0.6 glyph heights tall below its fitted baseline there (a
 * sloping line's last letters stay): those were glyph-sized themselves,
 * so the first test never held for them, and three of them after NAELYS
 * made the widest gap the last one, so its label "PRENOM" went unseen
 * (read "FRENON Z II AD CL Y MS I"). */
static void drop_remnants(SegPieces *ps, SegWLine *ml, const SegFrame *f,
                          float lh, SegStats *st)
{
    /* the bottom of the line's glyph-sized pieces */
    int top = 0, body = -1;
    glyph_rows(ps, ml, &top, &body);
    int pen = line_pen(ps, ml, lh);
    for (int k = 0; k < ml->n; k++) {
        SegPiece *p = &ps->v[ml->idx[k]];
        if (p->flags & SEG__DEAD)
            continue;
        const SegBox *b = &p->box;
        int img_lr = at_image_lr(b, f);
        int tb = at_top(b, f) || at_bot(b, f);
        int thin_v = thin_upright(b, lh);
        /* at the ink's side but not the image's: taller than the line
         * (a box line), not a thin letter (I, 1) that begins the name */
        int lr = img_lr || (at_lr(b, f) && b->h >= 1.5f * lh);
        int flat = b->h <= 0.2f * lh + 1 && b->w >= 1.5f * lh &&
                   b->w >= 4 * b->h;
        int speck = b->w <= 0.25f * lh + 1 && b->h <= 0.25f * lh + 1;
        /* below the line's glyphs or its baseline, cut by the bottom:
         * the tops of the line below */
        int below = 0;
        if (at_bot(b, f)) {
            float base = seg__line_base_at(ml, b->x + 0.5f * b->w);
            below = (body >= 0 && (p->flags & SEG__SMALL) && b->y >= body) ||
                    (b->h <= 0.6f * lh && (float)b->y >= base);
        }
        /* a box's side cut through by the crop's top and bottom, in the
         * line (a line cut out of a page by its glyphs' box): straight,
         * at most half as wide as the pen's stroke (3 px or more: under
         * that a thin pen and a box line look alike), the crop's whole
         * height */
        int side = 0;
        if (thin_v && pen >= 3 && at_top(b, f) && at_bot(b, f) &&
            b->h >= lh) {
            int hist[SEG_RUN_HIST] = {0};
            int runs = row_runs(p, hist, SEG_RUN_HIST);
            side = runs >= b->h - 1 &&
                   2 * hist_median(hist, SEG_RUN_HIST, runs) <= pen;
        }
        /* the same side or a divider, light on the form and thresholded
         * in bits (thin, broken, off the crop's edges): at least 3/4 of a
         * glyph high, or half a glyph cut by the top or bottom */
        if (!side && thin_v && pen >= 3 &&
            (b->h >= 0.75f * lh ||
             ((at_top(b, f) || at_bot(b, f)) && b->h >= 0.5f * lh)))
            side = thin_straight(p, pen);
        if ((lr && thin_v) || flat || ((img_lr || tb) && speck) || below ||
            side)
            piece_drop(p, st);
    }
    drop_bit_columns(ps, ml, lh, pen, st);
}

static int cmp_box_x(const void *a, const void *b)
{
    const SegBox *x = a, *y = b;
    return (x->x > y->x) - (x->x < y->x);
}

/* Does line l look machine printed (1), handwritten (0), or is it too
 * short to tell (-1)? Printed: at least 3 full-size pieces whose
 * bottoms sit on one baseline (median deviation at most 3 % of the glyph
 * height lh: type to the pixel, where a hand wanders by 5-15 %) and are
 * set close (median gap at most 0.35 lh; names in boxes are written as
 * spaced capitals)? The cues rec_hand.c weighs per word, here on pieces,
 * before anything is read. */
static int line_printed(const SegPieces *ps, const SegWLine *l, float lh,
                        int *pn)
{
    SegBox *b = malloc((size_t)(l->n + 1) * sizeof *b);
    float *v = malloc((size_t)(2 * l->n + 2) * sizeof *v);
    int n = 0, printed = -1;
    for (int i = 0; b && v && lh > 0 && i < l->n; i++) {
        const SegPiece *p = &ps->v[l->idx[i]];
        if (!(p->flags & (SEG__DEAD | SEG__SMALL)) && p->box.h >= 0.6f * lh)
            b[n++] = p->box;
    }
    if (n >= 3) {
        float *a = v + n;
        for (int i = 0; i < n; i++)
            v[i] = (float)(b[i].y + b[i].h);
        memcpy(a, v, (size_t)n * sizeof *a);
        float mb = seg__median_f(a, n);
        for (int i = 0; i < n; i++)
            a[i] = fabsf(v[i] - mb);
        float dev = seg__median_f(a, n) / lh;
        qsort(b, (size_t)n, sizeof *b, cmp_box_x);
        for (int i = 1; i < n; i++)
            v[i - 1] = (float)(b[i].x - (b[i - 1].x + b[i - 1].w));
        float gap = seg__median_f(v, n - 1) / lh;
        printed = dev <= 0.03f && gap <= 0.35f;
    } else if (n == 2 && b[0].w >= 1.5f * b[0].h && b[1].w >= 1.5f * b[1].h) {
        /* at half size a label's letters touch: two runs of letters on one
         * baseline (to the pixel), set close */
        qsort(b, 2, sizeof *b, cmp_box_x);
        int d = (b[0].y + b[0].h) - (b[1].y + b[1].h);
        float gap = (float)(b[1].x - (b[0].x + b[0].w));
        float tol = 0.03f * lh > 1 ? 0.03f * lh : 1;
        printed = (float)abs(d) <= tol && gap <= 0.35f * lh;
    }
    free(b);
    free(v);
    *pn = n;
    return printed;
}

/* Is line l (glyph height lh) one wide piece: its only piece of 0.6 glyph
 * heights or more at least 3.5 times as wide as tall? At half a name
 * crop's size the printed label "PRENOM" above the name is one such piece,
 * its letters touching. */
static int one_wide_piece(const SegPieces *ps, const SegWLine *l, float lh)
{
    for (int k = 0; k < l->n; k++) {
        const SegPiece *p = &ps->v[l->idx[k]];
        if (!(p->flags & (SEG__DEAD | SEG__SMALL)) && p->box.h >= 0.6f * lh)
            return 2 * p->box.w >= 7 * p->box.h;
    }
    return 0;
}

/* Score each line of a crop (ink times glyph height, weighed about the
 * centre; a line cut by one edge counts less, and so does a label, printed
 * or one wide piece, when a whole handwritten line is there too):
 * score[i], its median glyph height lmh[i] and cut[i] (bit 1: cut by one
 * edge; bit 2: printed; bit 4: one wide piece). Returns the best line
 * (its score in *pbest_s), or -1 when every line is empty. */
static int score_lines(SegPieces *ps, SegWLines *ls, const SegFrame *f,
                       float *score, float *lmh, unsigned char *cut,
                       float *pbest_s)
{
    /* Lines are weighed about the image's centre, or the frame's when
     * white of about equal height lies above and below the ink (a margin
     * added around a crop): then the margin's width does not matter. */
    int gt = f->y0, gb = f->h - f->y1;
    int even = gt > 0 && gb > 0 && abs(gt - gb) <= (gt + gb) / 4 + 1;
    int h = even ? f->y1 - f->y0 : f->h, c0 = even ? f->y0 : 0;
    int best = -1, hand3 = 0; /* a whole handwritten line of 3 pieces */
    unsigned printed = 0;
    float hand_h = 0; /* tallest handwritten line's glyph height */
    float best_s = 0, top_h = 0;
    for (int i = 0; i < ls->n; i++) {
        SegWLine *l = &ls->v[i];
        if (l->n == 0)
            continue;
        seg__line_update_box(ps, l);
        lmh[i] = line_med_h(ps, l);
        top_h = lmh[i] > top_h ? lmh[i] : top_h;
    }
    for (int i = 0; i < ls->n; i++) {
        SegWLine *l = &ls->v[i];
        if (l->n == 0)
            continue;
        float ink = 0;
        for (int k = 0; k < l->n; k++) {
            const SegPiece *p = &ps->v[l->idx[k]];
            if (!(p->flags & SEG__DEAD))
                ink += (float)p->area;
        }
        /* the image's centre: a margin added on all sides keeps it */
        float cy = l->box.y - c0 + 0.5f * l->box.h;
        float d = cy - 0.5f * h;
        d = d < 0 ? -d : d;
        /* ink times glyph height: a printed label is smaller than the
         * handwriting it names */
        float s = ink * lmh[i] * (1.0f - 0.9f * d / (0.5f * h + 1));
        int low = lmh[i] < 0.75f * top_h;
        cut[i] = line_cut_at(ps, l, f, 0, low) != line_cut_at(ps, l, f, 1, low);
        if (cut[i])
            s *= 0.4f; /* cut by one edge: a neighbouring line */
        score[i] = s;
        /* printed: a label or form text; handwritten: a candidate value */
        int nf = 0, pr = line_printed(ps, l, lmh[i], &nf);
        printed |= (unsigned)(pr == 1);
        if (pr != 1 && nf >= 2 && !cut[i] && lmh[i] > hand_h)
            hand_h = lmh[i];
        hand3 |= pr != 1 && nf >= 3 && !cut[i];
        cut[i] |= (unsigned char)((pr == 1) << 1);
        cut[i] |= (unsigned char)((nf == 1 && one_wide_piece(ps, l, lmh[i]))
                                  << 2);
    }
    for (int i = 0; i < ls->n; i++) {
        if (ls->v[i].n == 0)
            continue;
        /* beside a whole handwritten line at least as tall, a printed
         * one is the label */
        if (printed && (cut[i] & 2) && lmh[i] <= 1.1f * hand_h)
            score[i] *= 0.3f;
        /* beside a whole handwritten line of three pieces or more, one
         * wide piece is a label whose letters touch (half size: "PRENOM"
         * above "S E L E N", read "AMAMA") */
        if (hand3 && (cut[i] & 4))
            score[i] *= 0.3f;
        if (best < 0 || score[i] > best_s) {
            best = i;
            best_s = score[i];
        }
    }
    *pbest_s = best_s;
    return best;
}

/* The main line's band [*py0, *py1]: where its full-size pieces lie (its
 * box when it has none). */
static void main_band(const SegPieces *ps, const SegWLine *ml,
                      const SegFrame *f, int *py0, int *py1)
{
    int y0 = f->y1, y1 = 0;
    for (int k = 0; k < ml->n; k++) {
        const SegPiece *p = &ps->v[ml->idx[k]];
        if (p->flags & (SEG__DEAD | SEG__SMALL))
            continue;
        y0 = p->box.y < y0 ? p->box.y : y0;
        y1 = p->box.y + p->box.h > y1 ? p->box.y + p->box.h : y1;
    }
    if (y1 <= y0) {
        y0 = ml->box.y;
        y1 = ml->box.y + ml->box.h;
    }
    *py0 = y0;
    *py1 = y1;
}

/* Every line but the main one (best) and those kept: its pieces inside
 * the band [y0, y1] and not a full line's height (glyph height lh) tall
 * join the main line, the others are dropped. 0, or -1 (out of memory). */
static int fold_into_main(SegPieces *ps, SegWLines *ls, int best, int y0,
                          int y1, float lh, const unsigned char *keep,
                          SegStats *st)
{
    SegWLine *ml = &ls->v[best];
    for (int i = 0; i < ls->n; i++) {
        SegWLine *l = &ls->v[i];
        if (i == best || l->n == 0 || keep[i])
            continue;
        for (int k = 0; k < l->n; k++) {
            SegPiece *p = &ps->v[l->idx[k]];
            if (p->flags & SEG__DEAD)
                continue;
            float cy = p->box.y + 0.5f * p->box.h;
            if (cy >= y0 && cy <= y1 && p->box.h <= 2.0f * lh) {
                p->line = best;
                if (seg__wline_push(ml, l->idx[k]) != 0)
                    return -1;
            } else {
                piece_drop(p, st);
            }
        }
        l->n = 0;
    }
    return 0;
}

/**
 * Reduce a crop to its main text line (see the file comment).
 *
 * @param[in,out] ps  pieces (dropped ones are marked dead)
 * @param[in,out] ls  lines from seg__lines_find; all but one end empty
 * @param[in]     m   page metrics
 * @param[in]     f   the crop's frame (seg__crop_frame)
 * @param[in,out] st  stats (dropped pieces count as specks)
 * @return 0, or -1 on error
 */
int seg__crop_main_line(SegPieces *ps, SegWLines *ls, const SegMetrics *m,
                        const SegFrame *f, SegStats *st)
{
    float *score = calloc((size_t)ls->n + 1, sizeof *score);
    float *lmh = calloc((size_t)ls->n + 1, sizeof *lmh);
    unsigned char *cut = calloc((size_t)ls->n + 1, 1);
    int rc = 0;
    if (!score || !lmh || !cut) {
        rc = err_set("segment: out of memory (crop, %d lines)", ls->n);
        goto out;
    }
    float best_s;
    int best = score_lines(ps, ls, f, score, lmh, cut, &best_s);
    if (best < 0)
        goto out;
    SegWLine *ml = &ls->v[best];
    float lh = line_med_h(ps, ml);
    if (lh <= 0)
        lh = m->med_h;
    int y0, y1;
    main_band(ps, ml, f, &y0, &y1);
    /* Another full line outside the main band, of the same glyph size and
     * nearly as good a score (a crop of two written lines), stays; a
     * label (printed, or one wide piece) beside a main line that is none
     * does not. */
    unsigned char *keep = cut; /* reused: 1 = keep line i */
    int main_label = cut[best] & 6;
    for (int i = 0; i < ls->n; i++) {
        const SegBox *b = &ls->v[i].box;
        float cy = b->y + 0.5f * b->h;
        int label = (cut[i] & 6) && !main_label;
        keep[i] = i != best && ls->v[i].n > 0 && !(cut[i] & 1) && !label &&
                  (cy < y0 || cy > y1) && lmh[i] >= 0.9f * lh &&
                  score[i] >= 0.8f * best_s;
    }
    if (fold_into_main(ps, ls, best, y0, y1, lh, keep, st) < 0) {
        rc = -1;
        goto out;
    }
    drop_remnants(ps, ml, f, lh, st);
    drop_left_label(ps, ml, st);
    /* Keep only the live pieces on the line. */
    int n = 0;
    for (int k = 0; k < ml->n; k++)
        if (!(ps->v[ml->idx[k]].flags & SEG__DEAD))
            ml->idx[n++] = ml->idx[k];
    ml->n = n;
    if (n > 0) {
        seg__pieces_sort_x(ps, ml->idx, n);
        seg__line_fit(ps, ml, m);
        seg__line_update_box(ps, ml);
    }
out:
    free(score);
    free(lmh);
    free(cut);
    return rc;
}

/**
 * Drop the bits of neighbouring lines that a crop's top or bottom edge cut
 * off: pieces touching the top or bottom of the crop's frame (not both;
 * with or without a margin around the crop), lower than half a
 * glyph and flat (wider than 1.5 times their height, or at most 2 px
 * tall). Left alone they outnumber the glyphs and pull the median glyph
 * height, which every length is scaled by, down to a pixel or two. A dot
 * (about as wide as tall) is kept.
 *
 * @param[in,out] ps     pieces (dropped ones are marked dead)
 * @param[in]     f      the crop's frame (seg__crop_frame)
 * @param[in]     med_h  median component height before any step
 * @param[in,out] st     stats (dropped pieces count as specks)
 */
void seg__crop_drop_edge_bits(SegPieces *ps, const SegFrame *f, float med_h,
                              SegStats *st)
{
    for (int i = 0; i < ps->n; i++) {
        SegPiece *p = &ps->v[i];
        if (p->flags & SEG__DEAD)
            continue;
        const SegBox *b = &p->box;
        if (at_top(b, f) != at_bot(b, f) && b->h < 0.5f * med_h &&
            (b->w * 2 > 3 * b->h || b->h <= 2))
            piece_drop(p, st);
    }
}
