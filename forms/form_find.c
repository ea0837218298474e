/*
 * form_find.c - the fields of a form page without a template (forms.h,
 * docs/forms.md "Fields without a template").
 *
 * Design: geometry first, reading after.
 *   - Printed lines: long horizontal runs (a 5 px closing, then an opening
 *     with a brick of half an inch, 100 px at 200 dpi), one segment per
 *     connected run no thicker than a rule and inked in 95% of its columns
 *     on the page itself (the closing runs a printed text line together).
 *   - Box: a segment with another of the same extent above it (12 px to
 *     1.25 inch higher), joined at both ends by vertical sides that cover
 *     90% of the height (within 4 px + 3% of an inch of the ends). A box whose inside has evenly spaced walls at
 *     least 80% of its height is a comb box.
 *   - Comb: a remaining segment with 3 or more walls (vertical runs of
 *     12 px or more standing on it) at both ends and evenly spaced (each
 *     gap within 20% of their mean); otherwise the segment is an underline.
 *     The writing space above a comb or underline reaches up twice the
 *     walls' height (an underline: 0.4 inch), further when ink standing on
 *     the line (its bottom in the lower 60% of that space) is taller, but
 *     never above a rule over it (a ruled table's rows), and down far
 *     enough that the reader's margin (a tenth of the height) leaves out
 *     ink above it that does not stand on the line (a label over it).
 *   - Checkbox: a connected component 14 to 90 px (at 200 dpi) square,
 *     whose four edges are straight (a band of an eighth of its side inked
 *     across 85% of it) and whose area is at most half ink.
 *   - Label: the printed text next to the field, from the page without its
 *     lines and fields: the components on the field's row left of it (the
 *     nearest within 1.6 inch, then leftwards while the gaps are at most a text height: word
 *     gaps), else the nearest text line just above it (within 0.9 field
 *     heights) that starts at most 0.2 inch left of it; a checkbox looks to
 *     its right first.
 *   - Reading order: rows by base line (fields whose base lines are within
 *     half a field height are one row), left to right in a row.
 * Each field is then read by form__read_box (its lines removed, comb cells
 * one character each, the job's charset) and its label through the page
 * chain with every class (the classifier is trained on handprint but reads
 * printed capitals; the label only names the field); a value that is
 * mostly digits and otherwise only letters that look like digits is read
 * as digits (digit_lookalikes; flagged for review when the classifier did
 * not offer the digit). Empty fields are
 * kept, with an empty value (a checkbox: "unchecked"), so that a form
 * always gives all its fields.
 */
#include "forms/forms.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "forms/form_int.h"

typedef struct {
    int x0, x1, y0, y1; /* x1, y1 exclusive */
    int used;
} Seg;

typedef struct {
    PIX *pix; /* the page, 1 bpp */
    l_uint32 *data;
    int wpl, w, h;
    double u; /* size unit: 1 at 200 dpi */
    Seg *seg;
    int n_seg;
    FormFound *f;
    int n, cap;
} Finder;

static int ink(const Finder *F, int x, int y)
{
    if (x < 0 || y < 0 || x >= F->w || y >= F->h)
        return 0;
    return GET_DATA_BIT(F->data + (size_t)y * F->wpl, x);
}

static int push(Finder *F, const FormFound *ff)
{
    if (F->n == F->cap) {
        int cap = F->cap ? 2 * F->cap : 16;
        FormFound *nf = realloc(F->f, (size_t)cap * sizeof *nf);
        if (!nf)
            return err_set("out of memory");
        F->f = nf;
        F->cap = cap;
    }
    F->f[F->n++] = *ff;
    return 0;
}

/* 1 when 95% of the columns [x0, x1) have ink in rows [y0, y1): a rule,
 * not a line of printed text that the closing ran together. */
static int solid(const Finder *F, int x0, int x1, int y0, int y1)
{
    int hit = 0;
    for (int x = x0; x < x1; x++)
        for (int y = y0; y < y1; y++)
            if (ink(F, x, y)) {
                hit++;
                break;
            }
    return hit >= 0.95 * (x1 - x0);
}

/* One rule that came out as two runs one above the other (a thick or
 * slanted line): overlapping in x by half the shorter, at most 3 px apart
 * in y; merged into one segment. */
static void merge_segments(Finder *F)
{
    for (int i = 0; i < F->n_seg; i++)
        for (int j = i + 1; j < F->n_seg; j++) {
            Seg *a = &F->seg[i], *b = &F->seg[j];
            int ov = (a->x1 < b->x1 ? a->x1 : b->x1) -
                     (a->x0 > b->x0 ? a->x0 : b->x0);
            int la = a->x1 - a->x0, lb = b->x1 - b->x0;
            int gap = a->y0 > b->y1 ? a->y0 - b->y1 : b->y0 - a->y1;
            if (ov < 0.5 * (la < lb ? la : lb) || gap > 3)
                continue;
            a->x0 = a->x0 < b->x0 ? a->x0 : b->x0;
            a->x1 = a->x1 > b->x1 ? a->x1 : b->x1;
            a->y0 = a->y0 < b->y0 ? a->y0 : b->y0;
            a->y1 = a->y1 > b->y1 ? a->y1 : b->y1;
            F->seg[j--] = F->seg[--F->n_seg];
        }
}

/* The horizontal rules of the page; *prules (caller owns) their image. */
static int find_segments(Finder *F, PIX **prules)
{
    int lh = (int)fmax(40, 100 * F->u);
    PIX *pc = pixCloseBrick(NULL, F->pix, 5, 1);
    PIX *ph = pc ? pixOpenBrick(NULL, pc, lh, 1) : NULL;
    pixDestroy(&pc);
    BOXA *ba = ph ? pixConnComp(ph, NULL, 8) : NULL;
    if (!ba) {
        pixDestroy(&ph);
        return err_set("finding fields: line search failed");
    }
    int n = boxaGetCount(ba);
    F->seg = calloc((size_t)n + 1, sizeof *F->seg);
    if (!F->seg) {
        boxaDestroy(&ba);
        pixDestroy(&ph);
        return err_set("out of memory");
    }
    PIX *rules = pixCreate(F->w, F->h, 1);
    for (int i = 0; rules && i < n; i++) {
        l_int32 x, y, w, h;
        boxaGetBoxGeometry(ba, i, &x, &y, &w, &h);
        if (h > 12 * F->u + 4 || !solid(F, x, x + w, y, y + h))
            continue;
        F->seg[F->n_seg++] = (Seg){x, x + w, y, y + h, 0};
        pixRasterop(rules, x, y, w, h, PIX_SRC, ph, x, y);
    }
    boxaDestroy(&ba);
    pixDestroy(&ph);
    if (!rules)
        return err_set("out of memory");
    *prules = rules;
    merge_segments(F);
    return 0;
}

/* Fraction of the rows [y0, y1) with ink within tol px of column x. */
static double side_cover(const Finder *F, int x, int y0, int y1, int tol)
{
    int hit = 0;
    for (int y = y0; y < y1; y++)
        for (int d = -tol; d <= tol; d++)
            if (ink(F, x + d, y)) {
                hit++;
                break;
            }
    return y1 > y0 ? (double)hit / (y1 - y0) : 0;
}

/* Walls standing on the base line at ybase (its top row) between x0 and
 * x1: vertical runs of at least minh px, no wider than a rule. Their
 * centres go into wx (at most maxw), the mean height into *ph. */
static int find_walls(const Finder *F, int x0, int x1, int ybase, int minh,
                      int *wx, int maxw, double *ph)
{
    int n = 0, start = -1, sum_h = 0, cols = 0;
    double tot_h = 0;
    int maxwide = (int)(8 * F->u) + 4;
    for (int x = x0 - 3; x <= x1 + 3; x++) {
        int y = ybase - 1, run = 0;
        if (!ink(F, x, y) && ink(F, x, y - 1))
            y--;
        while (ink(F, x, y - run) && run < 4 * minh + 200)
            run++;
        int is_wall = run >= minh && x <= x1 + 2;
        if (is_wall && start < 0) {
            start = x;
            sum_h = cols = 0;
        }
        if (is_wall) {
            sum_h += run;
            cols++;
        }
        if (!is_wall && start >= 0) {
            if (x - start <= maxwide && n < maxw) {
                wx[n++] = (start + x - 1) / 2;
                tot_h += (double)sum_h / cols;
            }
            start = -1;
        }
    }
    *ph = n ? tot_h / n : 0;
    return n;
}

/* Cells of a comb whose walls are wx[0..n): walls at both ends (within
 * tol of x0, x1), evenly spaced; 0 when they are not a comb. */
static int comb_cells(const int *wx, int n, int x0, int x1, int tol)
{
    if (n < 3 || abs(wx[0] - x0) > tol || abs(wx[n - 1] - x1) > tol)
        return 0;
    double m = (double)(wx[n - 1] - wx[0]) / (n - 1);
    for (int k = 0; k + 1 < n; k++)
        if (fabs(wx[k + 1] - wx[k] - m) > 0.2 * m + 2)
            return 0;
    return n - 1;
}

/* Boxes: pairs of segments of one extent joined by vertical sides. */
static int find_boxes(Finder *F)
{
    int tol = (int)(4 + 6 * F->u);
    for (int b = 0; b < F->n_seg; b++) {
        Seg *sb = &F->seg[b];
        int best = -1;
        for (int a = 0; a < F->n_seg; a++) {
            Seg *sa = &F->seg[a];
            int gap = sb->y0 - sa->y1;
            if (a == b || sa->used || gap < 12 * F->u || gap > 250 * F->u ||
                abs(sa->x0 - sb->x0) > tol || abs(sa->x1 - sb->x1) > tol)
                continue;
            if (best < 0 || sa->y0 > F->seg[best].y0)
                best = a;
        }
        if (best < 0 || sb->used)
            continue;
        Seg *sa = &F->seg[best];
        int x0 = sa->x0 < sb->x0 ? sa->x0 : sb->x0;
        int x1 = sa->x1 > sb->x1 ? sa->x1 : sb->x1;
        if (side_cover(F, (sa->x0 + sb->x0) / 2 + 1, sa->y0, sb->y1, tol) <
                0.9 ||
            side_cover(F, (sa->x1 + sb->x1) / 2 - 2, sa->y0, sb->y1, tol) < 0.9)
            continue;
        sa->used = sb->used = 1;
        FormFound ff = {FORM_FOUND_BOX, {x0, sa->y0, x1, sb->y1}, 0, 0, {0}};
        int wx[201];
        double wh;
        int nw = find_walls(F, x0, x1, sb->y0, (int)(0.8 * (sb->y0 - sa->y1)),
                            wx, 201, &wh);
        if ((ff.cells = comb_cells(wx, nw, x0, x1, tol)) > 0)
            ff.kind = FORM_FOUND_COMB;
        if (push(F, &ff) < 0)
            return -1;
    }
    return 0;
}

/* Is component (x, y, w, h) a checkbox: square, straight edges, hollow? */
static int is_checkbox(const Finder *F, int x, int y, int w, int h)
{
    int big = w > h ? w : h, small = w < h ? w : h;
    if (small < 14 * F->u || big > 90 * F->u || small < 0.8 * big)
        return 0;
    int bx = w / 8 > 2 ? w / 8 : 2, by = h / 8 > 2 ? h / 8 : 2;
    int top = 0, bot = 0, left = 0, right = 0, total = 0;
    for (int i = 0; i < w; i++) {
        int t = 0, b = 0;
        for (int d = 0; d < by; d++) {
            t |= ink(F, x + i, y + d);
            b |= ink(F, x + i, y + h - 1 - d);
        }
        top += t;
        bot += b;
    }
    for (int j = 0; j < h; j++) {
        int l = 0, r = 0;
        for (int d = 0; d < bx; d++) {
            l |= ink(F, x + d, y + j);
            r |= ink(F, x + w - 1 - d, y + j);
        }
        left += l;
        right += r;
        for (int i = 0; i < w; i++)
            total += ink(F, x + i, y + j);
    }
    return top >= 0.85 * w && bot >= 0.85 * w && left >= 0.85 * h &&
           right >= 0.85 * h && total <= 0.5 * w * h;
}

static int find_checkboxes(Finder *F)
{
    BOXA *ba = pixConnComp(F->pix, NULL, 8);
    if (!ba)
        return err_set("finding fields: component search failed");
    int n = boxaGetCount(ba), rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        l_int32 x, y, w, h;
        boxaGetBoxGeometry(ba, i, &x, &y, &w, &h);
        if (!is_checkbox(F, x, y, w, h))
            continue;
        FormFound ff = {FORM_FOUND_CHECKBOX, {x, y, x + w, y + h}, 0, 0, {0}};
        rc = push(F, &ff);
    }
    boxaDestroy(&ba);
    return rc;
}

/* Combs and underlines: the segments that are not part of a box; the
 * writing space above each from the ink standing on it (comps: the page
 * without its rules). */
static int find_lines(Finder *F, BOXA *comps)
{
    int tol = (int)(4 + 6 * F->u);
    for (int s = 0; s < F->n_seg; s++) {
        Seg *sg = &F->seg[s];
        if (sg->used)
            continue;
        int wx[201];
        double wh;
        int nw = find_walls(F, sg->x0, sg->x1, sg->y0, (int)(12 * F->u), wx,
                            201, &wh);
        FormFound ff = {FORM_FOUND_LINE, {sg->x0, 0, sg->x1, sg->y1}, 0, 0,
                        {0}};
        ff.cells = comb_cells(wx, nw, sg->x0, sg->x1, tol);
        double hdef = 80 * F->u;
        if (ff.cells) {
            ff.kind = FORM_FOUND_COMB;
            hdef = fmax(2 * wh, 40 * F->u);
        }
        int top = (int)(sg->y0 - hdef), wtop = sg->y0, above = -1;
        for (int i = 0; i < boxaGetCount(comps); i++) {
            l_int32 x, y, w, h;
            boxaGetBoxGeometry(comps, i, &x, &y, &w, &h);
            int cx = x + w / 2;
            if (x + w <= sg->x0 || x >= sg->x1 || y + h > sg->y1 + 4)
                continue;
            if (y + h < sg->y0 - 0.6 * hdef) { /* not standing on the line */
                above = y + h > above ? y + h : above;
            } else if (cx >= sg->x0 && cx < sg->x1 && y >= sg->y0 - 2 * hdef) {
                wtop = y < wtop ? y : wtop;
                if (y - 4 * F->u < top)
                    top = (int)(y - 4 * F->u);
            }
        }
        /* the reader cuts a tenth of the height more: keep ink above (a
         * label) out of that margin, unless the writing reaches it */
        int m = 5 + (sg->y1 - top) / 10;
        if (above >= 0 && above + m > top)
            top = above + m < wtop ? above + m : wtop;
        for (int o = 0; o < F->n_seg; o++) { /* not above the rule over it */
            const Seg *r = &F->seg[o];
            int ov = (r->x1 < sg->x1 ? r->x1 : sg->x1) -
                     (r->x0 > sg->x0 ? r->x0 : sg->x0);
            if (o != s && r->y1 <= sg->y0 && r->y1 > top &&
                ov > 0.3 * (sg->x1 - sg->x0))
                top = r->y1;
        }
        ff.box.y0 = top < 0 ? 0 : top;
        sg->used = 1;
        if (push(F, &ff) < 0)
            return -1;
    }
    return 0;
}

typedef struct {
    int x0, y0, x1, y1;
} Rect;

/* The text of the page: components of the page without rules and fields. */
static Rect *text_comps(const Finder *F, PIX *rest, int *pn)
{
    PIX *t = pixCopy(NULL, rest);
    if (!t)
        return NULL;
    int m = (int)(2 * F->u) + 1;
    for (int i = 0; i < F->n; i++) {
        const OutBox *b = &F->f[i].box;
        BOX *bx = boxCreate(b->x0 - m, b->y0 - m, b->x1 - b->x0 + 2 * m,
                            b->y1 - b->y0 + 2 * m);
        if (bx)
            pixClearInRect(t, bx);
        boxDestroy(&bx);
    }
    BOXA *ba = pixConnComp(t, NULL, 8);
    pixDestroy(&t);
    if (!ba)
        return NULL;
    int n = boxaGetCount(ba), k = 0;
    Rect *r = calloc((size_t)n + 1, sizeof *r);
    for (int i = 0; r && i < n; i++) {
        l_int32 x, y, w, h;
        boxaGetBoxGeometry(ba, i, &x, &y, &w, &h);
        if (w + h >= 6) /* not a speck of noise */
            r[k++] = (Rect){x, y, x + w, y + h};
    }
    boxaDestroy(&ba);
    *pn = k;
    return r;
}

static void rect_add(OutBox *b, const Rect *r, int *has)
{
    if (!*has) {
        *b = (OutBox){r->x0, r->y0, r->x1, r->y1};
        *has = 1;
        return;
    }
    b->x0 = r->x0 < b->x0 ? r->x0 : b->x0;
    b->y0 = r->y0 < b->y0 ? r->y0 : b->y0;
    b->x1 = r->x1 > b->x1 ? r->x1 : b->x1;
    b->y1 = r->y1 > b->y1 ? r->y1 : b->y1;
}

/* The label on the field's row, beside it: dir -1 left, +1 right. The
 * nearest component within reach, then on while the gaps are word gaps;
 * limit: another field's near edge on the row (no label beyond it). */
static int label_side(const Finder *F, const FormFound *ff, const Rect *t,
                      int nt, int dir, OutBox *lb)
{
    const OutBox *b = &ff->box;
    int limit = dir < 0 ? 0 : F->w, fh = b->y1 - b->y0;
    for (int i = 0; i < F->n; i++) {
        const OutBox *o = &F->f[i].box;
        if (&F->f[i] == ff || o->y1 <= b->y0 || o->y0 >= b->y1)
            continue;
        if (dir < 0 && o->x1 <= b->x0 && o->x1 > limit)
            limit = o->x1;
        if (dir > 0 && o->x0 >= b->x1 && o->x0 < limit)
            limit = o->x0;
    }
    int has = 0, edge = dir < 0 ? b->x0 : b->x1;
    double reach = 320 * F->u, gap = 0;
    for (;;) {
        int best = -1, bd = 0;
        for (int i = 0; i < nt; i++) {
            const Rect *r = &t[i];
            int cy = (r->y0 + r->y1) / 2;
            if (cy < b->y0 - 2 || cy > b->y1 + 2 || r->y1 - r->y0 > fh + 10 ||
                (dir < 0 ? r->x0 < limit || r->x1 > edge + 2
                         : r->x1 > limit || r->x0 < edge - 2) ||
                (has && r->x0 >= lb->x0 && r->x1 <= lb->x1))
                continue;
            int d = dir < 0 ? edge - r->x1 : r->x0 - edge;
            if (best < 0 || d < bd) {
                best = i;
                bd = d;
            }
        }
        /* a word gap: under a text height, the label's so far or this
         * piece's (a label's first piece may be the dot of a colon) */
        if (best < 0 ||
            bd > (has ? fmax(gap, t[best].y1 - t[best].y0) : reach))
            break;
        rect_add(lb, &t[best], &has);
        edge = dir < 0 ? lb->x0 : lb->x1;
        gap = fmax(10 * F->u, 1.0 * (lb->y1 - lb->y0));
    }
    return has;
}

/* The label above the field: the nearest text line over it. */
static int label_above(const Finder *F, const FormFound *ff, const Rect *t,
                       int nt, OutBox *lb)
{
    const OutBox *b = &ff->box;
    double maxv = fmax(30 * F->u, 0.9 * (b->y1 - b->y0));
    int near = -1;
    for (int i = 0; i < nt; i++) {
        const Rect *r = &t[i];
        if (r->y1 > b->y0 + 4 * F->u || b->y0 - r->y1 > maxv ||
            r->x1 <= b->x0 - 40 * F->u || r->x0 >= b->x1 ||
            r->y1 - r->y0 < 6 * F->u)
            continue;
        if (near < 0 || r->y1 > t[near].y1)
            near = i;
    }
    if (near < 0)
        return 0;
    const Rect *n = &t[near];
    int has = 0, edge = (int)(b->x0 - 40 * F->u);
    double gap = 0;
    for (;;) { /* rightwards along the line from its left end */
        int best = -1;
        for (int i = 0; i < nt; i++) {
            const Rect *r = &t[i];
            int lo = r->y0 > n->y0 ? r->y0 : n->y0;
            int hi = r->y1 < n->y1 ? r->y1 : n->y1;
            int mh = r->y1 - r->y0 < n->y1 - n->y0 ? r->y1 - r->y0
                                                   : n->y1 - n->y0;
            if (hi - lo <= 0.3 * mh || r->x0 < edge || r->x0 >= b->x1 ||
                (has && r->x1 <= lb->x1))
                continue;
            if (best < 0 || r->x0 < t[best].x0)
                best = i;
        }
        if (best < 0 || (has && t[best].x0 - lb->x1 > gap))
            break;
        rect_add(lb, &t[best], &has);
        edge = lb->x0;
        gap = fmax(10 * F->u, 1.0 * (lb->y1 - lb->y0));
    }
    return has;
}

/* Rows top to bottom by base line, left to right within a row. */
static int by_base(const void *a, const void *b)
{
    const FormFound *p = a, *q = b;
    return p->box.y1 != q->box.y1 ? p->box.y1 - q->box.y1
                                  : p->box.x0 - q->box.x0;
}

static void reading_order(FormFound *f, int n)
{
    if (n < 2)
        return; /* (qsort takes no NULL, even for 0 elements) */
    qsort(f, (size_t)n, sizeof *f, by_base);
    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n) {
            int hi = f[i].box.y1 - f[i].box.y0, hj = f[j].box.y1 - f[j].box.y0;
            if (f[j].box.y1 - f[i].box.y1 > 0.5 * (hi < hj ? hi : hj))
                break;
            j++;
        }
        for (int a = i + 1; a < j; a++) /* insertion sort by x0 */
            for (int c = a; c > i && f[c].box.x0 < f[c - 1].box.x0; c--) {
                FormFound tmp = f[c];
                f[c] = f[c - 1];
                f[c - 1] = tmp;
            }
        i = j;
    }
}

/* Labels of every field, from the page without its rules (rest). */
static int find_labels(Finder *F, PIX *rest)
{
    int nt = 0;
    Rect *t = text_comps(F, rest, &nt);
    if (!t)
        return err_set("finding fields: label search failed");
    for (int i = 0; i < F->n; i++) {
        FormFound *ff = &F->f[i];
        OutBox lb;
        int has = 0;
        if (ff->kind == FORM_FOUND_CHECKBOX)
            has = label_side(F, ff, t, nt, +1, &lb);
        if (!has)
            has = label_side(F, ff, t, nt, -1, &lb);
        if (!has)
            has = label_above(F, ff, t, nt, &lb);
        ff->has_label = has;
        if (has)
            ff->label = lb;
    }
    free(t);
    return 0;
}

/**
 * Find the printed fields of a page and their labels (docs at the top of
 * this file), in reading order.
 *
 * @param[in]  pixb  binarised page, upright (1 bpp; ink = 1)
 * @param[in]  dpi   its resolution; 0 = unknown (sizes from the width, as
 *                   if the page were 8.5 inches wide; so too when dpi
 *                   makes the page under 4 inches wide)
 * @param[out] pf    the fields (caller frees; NULL when none)
 * @param[out] pn    their count
 * @return 0, or -1 (message set)
 */
int form_find_fields(PIX *pixb, int dpi, FormFound **pf, int *pn)
{
    *pf = NULL;
    *pn = 0;
    if (!pixb || pixGetDepth(pixb) != 1)
        return err_set("finding fields: not a binarised page");
    Finder F = {0};
    F.pix = pixb;
    F.data = pixGetData(pixb);
    F.wpl = pixGetWpl(pixb);
    F.w = pixGetWidth(pixb);
    F.h = pixGetHeight(pixb);
    /* a resolution that makes the page under 4 inches wide is not the
     * scan's (a reduced copy that kept its header): sizes from the width */
    F.u = dpi > 0 && F.w >= 4 * dpi ? dpi / 200.0 : F.w / 1700.0;
    PIX *rules = NULL, *rest = NULL, *grown = NULL;
    BOXA *comps = NULL;
    int rc = find_segments(&F, &rules);
    if (rc == 0 && (!(grown = pixDilateBrick(NULL, rules, 3, 3)) ||
                    !(rest = pixSubtract(NULL, pixb, grown)) ||
                    !(comps = pixConnComp(rest, NULL, 8))))
        rc = err_set("finding fields: out of memory");
    if (rc == 0)
        rc = find_boxes(&F);
    if (rc == 0)
        rc = find_lines(&F, comps);
    if (rc == 0)
        rc = find_checkboxes(&F);
    if (rc == 0)
        rc = find_labels(&F, rest);
    if (rc == 0)
        reading_order(F.f, F.n);
    boxaDestroy(&comps);
    pixDestroy(&rules);
    pixDestroy(&grown);
    pixDestroy(&rest);
    free(F.seg);
    if (rc < 0) {
        free(F.f);
        return -1;
    }
    *pf = F.f;
    *pn = F.n;
    return 0;
}

/**
 * A field name from its label (forms.h).
 *
 * @param[in]  label   the label text, or NULL
 * @param[in]  index   the field's index (for "field_N")
 * @param[in]  used    names given so far; n_used their count
 * @param[out] out     the name (at most n bytes, NUL-terminated)
 */
void form_find_name(const char *label, int index, char *const *used,
                    int n_used, char *out, size_t n)
{
    char base[96];
    form_label_slug(label, base, sizeof base);
    if (!base[0])
        snprintf(base, sizeof base, "field_%d", index + 1);
    snprintf(out, n, "%s", base);
    for (int suffix = 2;; suffix++) {
        int clash = 0;
        for (int i = 0; i < n_used && !clash; i++)
            clash = used[i] && !strcmp(used[i], out);
        if (!clash)
            return;
        snprintf(out, n, "%s_%d", base, suffix);
    }
}

/* The label's text: its box (with a margin) read by Tesseract when
 * fo->labels says so, else through the page chain with every class.
 * *ptext: owned, NULL when nothing was read. */
static int read_label(const FormOptions *fo, const ChainOptions *o,
                      RecNet *net, PIX *pixb, const OutBox *lb, int dpi,
                      const OutPage *op, char **ptext)
{
    *ptext = NULL;
    int m = 4, W = pixGetWidth(pixb), H = pixGetHeight(pixb);
    int x0 = lb->x0 - m < 0 ? 0 : lb->x0 - m, y0 = lb->y0 - m < 0 ? 0 : lb->y0 - m;
    int x1 = lb->x1 + m > W ? W : lb->x1 + m, y1 = lb->y1 + m > H ? H : lb->y1 + m;
    BOX *bx = boxCreate(x0, y0, x1 - x0, y1 - y0);
    PIX *c = bx ? pixClipRectangle(pixb, bx, NULL) : NULL;
    boxDestroy(&bx);
    PIX *pp = c ? pixAddBorder(c, 8, 0) : NULL;
    pixDestroy(&c);
    if (!pp)
        return err_set("out of memory");
    if (fo->labels == FORM_LABELS_TESSERACT) {
        int rc = form__tess_read(pp, dpi, fo->labels_lang, ptext);
        pixDestroy(&pp);
        return rc;
    }
    ChainOptions lo = *o;
    lo.charset = REC_CHARSET_ALL;
    SegPage *sp = chain_segment(&lo, pp, dpi, net, op->image, op->pageno);
    OutPage *lp =
        sp ? chain_recognize(&lo, sp, net, op->image, op->pageno, dpi) : NULL;
    seg_page_destroy(&sp);
    pixDestroy(&pp);
    if (!lp)
        return -1;
    char buf[512];
    size_t k = 0;
    for (int w = 0; w < lp->n_words; w++) {
        const OutWord *wd = &lp->words[w];
        if (wd->n_glyphs && k && k + 1 < sizeof buf)
            buf[k++] = ' ';
        for (int g = wd->first_glyph;
             g < wd->first_glyph + wd->n_glyphs && k + 1 < sizeof buf; g++) {
            uint32_t cp = lp->glyphs[g].codepoint;
            buf[k++] = cp < 128 ? (char)cp : '?';
        }
    }
    buf[k] = '\0';
    out_page_destroy(&lp);
    if (k && !(*ptext = strdup(buf)))
        return err_set("out of memory");
    return 0;
}

/* The digit a letter is often read for (0 when none). */
static uint32_t lookalike_digit(uint32_t c)
{
    static const char from[] = "ODQoIliZzSsGbBgqy", to[] = "00001112255668999";
    const char *p = c && c < 128 ? strchr(from, (int)c) : NULL;
    return p ? (uint32_t)to[p - from] : 0;
}

/* Index of the alternative of fc that is want, or -1. */
static int alt_index(const OutFieldChar *fc, uint32_t want)
{
    for (int a = 1; want && a < fc->n_alts; a++)
        if (fc->alt[a] == want)
            return a;
    return -1;
}

/* The confidence of a look-alike digit the classifier did not offer: so
 * low that the field needs review. */
#define LOOKALIKE_CONF 0.001f

/* Without a template the charset is unknown: a value of at least two
 * digits, half of its characters or more, in which every other character
 * is a letter that looks like a digit (O 0, I 1, Z 2, S 5, G 6, B 8, g y
 * 9...) is read as digits; the field's confidence takes the digits'
 * confidences (LOOKALIKE_CONF for a digit the classifier did not offer).
 * A value with any other letter stays as read, and so does a code: two
 * capitals or more and then only digits ("OG8455", "BI3403": a member or
 * file number; the word model already made a lone letter among digits a
 * digit). of->value holds of->n_chars characters and spaces (none
 * other). */
void form__digit_lookalikes(OutField *of)
{
    int digits = 0, n = 0, k;
    const char *p = of->value;
    while (*p >= 'A' && *p <= 'Z')
        p++;
    if (p - of->value >= 2 && *p >= '0' && *p <= '9' &&
        strspn(p, "0123456789") == strlen(p))
        return;
    for (const char *v = of->value; *v; v++)
        if (*v != ' ')
            n++;
    if (n != of->n_chars)
        return;
    for (const char *v = of->value; *v; v++) {
        if (*v == ' ')
            continue;
        if (*v >= '0' && *v <= '9')
            digits++;
        else if (!lookalike_digit((unsigned char)*v))
            return;
    }
    if (digits < 2 || 2 * digits < n)
        return;
    k = 0;
    for (char *v = of->value; *v; v++) {
        if (*v == ' ')
            continue;
        OutFieldChar *fc = &of->chars[k++];
        if (*v >= '0' && *v <= '9')
            continue;
        uint32_t d = lookalike_digit((unsigned char)*v);
        int a = alt_index(fc, d);
        if (a < 0) { /* not offered: the digit, with LOOKALIKE_CONF */
            a = fc->n_alts < OUT_FIELD_ALTS ? fc->n_alts++ : OUT_FIELD_ALTS - 1;
            fc->alt[a] = d;
            fc->alt_conf[a] = LOOKALIKE_CONF;
        }
        if (fc->alt_conf[0] > 0)
            of->conf *= fc->alt_conf[a] / fc->alt_conf[0];
        OutFieldChar old = *fc;
        fc->alt[0] = old.alt[a];
        fc->alt_conf[0] = old.alt_conf[a];
        fc->alt[a] = old.alt[0];
        fc->alt_conf[a] = old.alt_conf[0];
        *v = (char)fc->alt[0];
    }
}

/* Read found field ff into of (names[0..i) are the names given so far). */
static int read_found(const FormOptions *fo, const ChainOptions *o,
                      RecNet *net, PIX *pixb, int dpi, const OutPage *op,
                      const FormFound *ff, int i, OutField *of)
{
    FormField f;
    memset(&f, 0, sizeof f);
    f.type = ff->kind == FORM_FOUND_CHECKBOX ? FORM_FIELD_CHECKBOX
                                             : FORM_FIELD_TEXT;
    f.charset = o->charset;
    f.cells = ff->cells;
    f.threshold = -1;
    if (ff->has_label &&
        read_label(fo, o, net, pixb, &ff->label, dpi, op, &of->label) < 0)
        return -1;
    if (of->label) { /* cleaned: the JSON's label and the name's source */
        form_label_clean(of->label);
        if (!of->label[0]) {
            free(of->label);
            of->label = NULL;
        }
    }
    /* the label's charset narrows the job's (never widens it) */
    RecCharset g = 0;
    int guessed = f.type == FORM_FIELD_TEXT && fo->guess_charset &&
                  form_label_charset(of->label, &g) && (g & o->charset);
    if (guessed)
        f.charset = g & o->charset;
    char name[128];
    char **used = malloc(((size_t)i + 1) * sizeof *used);
    if (!used)
        return err_set("out of memory");
    for (int k = 0; k < i; k++)
        used[k] = op->fields[k].name;
    form_find_name(of->label, i, used, i, name, sizeof name);
    free(used);
    if (!(of->name = strdup(name)))
        return err_set("out of memory");
    if (form__read_box(&f, NULL, 0, o, net, pixb, &ff->box, dpi, op, of) < 0)
        return -1;
    if (f.type == FORM_FIELD_TEXT && !guessed)
        form__digit_lookalikes(of);
    of->needs_review = of->conf < fo->threshold;
    return 0;
}

/**
 * Find the fields of a page and read them into op (forms.h).
 *
 * @param[in]     fo    forms options (the review threshold)
 * @param[in]     o     page-chain options; values are read with o->charset
 * @param[in]     net   classifier
 * @param[in]     pixb  the binarised page op was read from (upright)
 * @param[in]     dpi   its resolution (0 = unknown)
 * @param[in,out] op    gets fields (reading order; op->form stays NULL)
 * @return 0, or -1 (message names file, page and field)
 */
int form_find_page(const FormOptions *fo, const ChainOptions *o, RecNet *net,
                   PIX *pixb, int dpi, OutPage *op)
{
    FormFound *ff = NULL;
    int n = 0;
    if (form_find_fields(pixb, dpi, &ff, &n) < 0)
        return err_prefix("%s page %d", op->image, op->pageno + 1);
    out_page_fields_free(op);
    op->fields = calloc((size_t)n + 1, sizeof *op->fields);
    if (!op->fields) {
        free(ff);
        return err_set("out of memory");
    }
    op->n_fields = n;
    for (int i = 0; i < n; i++)
        if (read_found(fo, o, net, pixb, dpi, op, &ff[i], i, &op->fields[i]) <
            0) {
            err_prefix("%s page %d: field %d at [%d, %d, %d, %d]", op->image,
                       op->pageno + 1, i + 1, ff[i].box.x0, ff[i].box.y0,
                       ff[i].box.x1, ff[i].box.y1);
            free(ff);
            out_page_fields_free(op);
            return -1;
        }
    free(ff);
    return 0;
}
