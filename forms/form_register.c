/*
 * form_register.c - align a binarised page to its template (forms.h).
 *
 * Design: the template's own geometry is the reference. Every text field's
 * box has its bottom edge on a printed line (a box's bottom side, a comb's
 * base line or an underline: the line the writing stands on), running from
 * x0 to x1 at y1. So:
 *   1. Deskew: Leptonica's pixFindSkew on the page (text and lines), the
 *      page rotated upright when the skew is at least 0.05 degrees.
 *   2. Lines: a horizontal closing (bridges gaps of a few px) then an
 *      opening with a long horizontal brick keeps only long horizontal
 *      runs; each connected component is a segment (x0, x1, y).
 *   3. Fit: every pair (template line i, page segment j) proposes a scale
 *      (length ratio) and shift; the proposal that matches the most
 *      template lines (ends and height within a tolerance) wins, then a
 *      least-squares fit of scale and shift over its matches, repeated
 *      with the refined transform. The residual is the RMS misfit in
 *      template px. A page fits when at least 60% (and 2) of the lines are
 *      found and the residual is under FORM_MAX_RESIDUAL.
 * Templates without a line long enough to use (checkboxes only) fall back
 * to the page/template width ratio, and are reported as not fitting.
 * A template with registration marks is registered by them instead
 * (form_marks.c); the lines are the fallback when fewer than 3 are found.
 */
#include "forms/forms.h"

#include <math.h>
#include <stdlib.h>

#include "common/err.h"

typedef struct {
    double a0, a1, c; /* along the line: start, end; across: position */
} Seg;

/* Long horizontal segments of a 1 bpp page; *pn their count. NULL + *pn 0
 * when there are none; NULL with *pn -1 on error. */
static Seg *find_hsegs(PIX *pixb, int minlen, int *pn)
{
    *pn = -1;
    PIX *pc = pixCloseBrick(NULL, pixb, 5, 1);
    PIX *po = pc ? pixOpenBrick(NULL, pc, minlen, 1) : NULL;
    pixDestroy(&pc);
    BOXA *ba = po ? pixConnComp(po, NULL, 8) : NULL;
    pixDestroy(&po);
    if (!ba)
        return NULL;
    int nb = boxaGetCount(ba), k = 0;
    Seg *v = malloc((size_t)(nb + 1) * sizeof *v);
    for (int i = 0; v && i < nb; i++) {
        l_int32 x, y, w, h;
        boxaGetBoxGeometry(ba, i, &x, &y, &w, &h);
        if (w < minlen || h > minlen / 2 + 4)
            continue;
        v[k].a0 = x;
        v[k].a1 = x + w;
        v[k].c = y + h / 2.0;
        k++;
    }
    boxaDestroy(&ba);
    if (v)
        *pn = k;
    return v;
}

typedef struct {
    double s, dx, dy;
} Xf;

/* Match each model line to the nearest page segment under xf; match[i] =
 * page index or -1. Returns the count; *perr the summed misfit. */
static int match_lines(const Seg *m, int nm, const Seg *p, int np, Xf xf,
                       int *match, double *perr)
{
    int cnt = 0;
    double tot = 0;
    for (int i = 0; i < nm; i++) {
        double y = xf.s * m[i].c + xf.dy, x0 = xf.s * m[i].a0 + xf.dx,
               x1 = xf.s * m[i].a1 + xf.dx;
        double tol_y = 3.0 + 3.0 * xf.s, tol_x = 4.0 + 0.03 * (x1 - x0);
        int best = -1;
        double be = 0;
        for (int j = 0; j < np; j++) {
            double ey = fabs(p[j].c - y), e0 = fabs(p[j].a0 - x0),
                   e1 = fabs(p[j].a1 - x1);
            if (ey > tol_y || e0 > tol_x || e1 > tol_x)
                continue;
            double e = ey + 0.5 * (e0 + e1);
            if (best < 0 || e < be) {
                best = j;
                be = e;
            }
        }
        match[i] = best;
        if (best >= 0) {
            cnt++;
            tot += be;
        }
    }
    *perr = tot;
    return cnt;
}

/* Least squares of page = s * model + (dx, dy) over the matched lines (two
 * ends in x, the position in y); *pres = RMS residual in template px. */
static int fit_lines(const Seg *m, int nm, const Seg *p, const int *match,
                     Xf *xf, double *pres)
{
    /* unknowns (s, dx, dy); rows [mx 1 0 | px] and [my 0 1 | py] */
    double a[3][3] = {{0}}, b[3] = {0};
    int rows = 0;
    for (int i = 0; i < nm; i++) {
        if (match[i] < 0)
            continue;
        const Seg *q = &p[match[i]];
        double r[3][4] = {{m[i].a0, 1, 0, q->a0},
                          {m[i].a1, 1, 0, q->a1},
                          {m[i].c, 0, 1, q->c}};
        for (int k = 0; k < 3; k++, rows++)
            for (int u = 0; u < 3; u++) {
                b[u] += r[k][u] * r[k][3];
                for (int w = 0; w < 3; w++)
                    a[u][w] += r[k][u] * r[k][w];
            }
    }
    if (rows < 6)
        return -1;
    double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
                 a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
                 a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    if (fabs(det) < 1e-9)
        return -1;
    double sol[3];
    for (int c = 0; c < 3; c++) {
        double t[3][3];
        for (int u = 0; u < 3; u++)
            for (int w = 0; w < 3; w++)
                t[u][w] = w == c ? b[u] : a[u][w];
        sol[c] = (t[0][0] * (t[1][1] * t[2][2] - t[1][2] * t[2][1]) -
                  t[0][1] * (t[1][0] * t[2][2] - t[1][2] * t[2][0]) +
                  t[0][2] * (t[1][0] * t[2][1] - t[1][1] * t[2][0])) /
                 det;
    }
    if (!(sol[0] > 0.1))
        return -1;
    xf->s = sol[0];
    xf->dx = sol[1];
    xf->dy = sol[2];
    double ss = 0;
    for (int i = 0; i < nm; i++) {
        if (match[i] < 0)
            continue;
        const Seg *q = &p[match[i]];
        double e0 = q->a0 - (xf->s * m[i].a0 + xf->dx),
               e1 = q->a1 - (xf->s * m[i].a1 + xf->dx),
               ey = q->c - (xf->s * m[i].c + xf->dy);
        ss += e0 * e0 + e1 * e1 + ey * ey;
    }
    *pres = sqrt(ss / rows) / xf->s;
    return 0;
}

/* The template's lines: each text field's bottom edge. */
static Seg *model_lines(const FormTemplate *t, int *pn)
{
    int n = form_template_n_fields(t), k = 0;
    Seg *m = malloc((size_t)(n + 1) * sizeof *m);
    for (int i = 0; m && i < n; i++) {
        const FormField *f = form_template_field(t, i);
        if (f->type == FORM_FIELD_CHECKBOX || f->x1 - f->x0 < 24)
            continue;
        m[k].a0 = f->x0;
        m[k].a1 = f->x1;
        m[k].c = f->y1;
        k++;
    }
    *pn = k;
    return m;
}

/* Rotate a 1 bpp page upright; *pangle = the rotation it has (degrees,
 * as pixRotate turns: the page is turned back by -*pangle). */
static PIX *deskew(PIX *pixb, double *pangle)
{
    l_float32 angle = 0, conf = 0;
    *pangle = 0;
    if (pixFindSkew(pixb, &angle, &conf) != 0 || conf < 2.0f ||
        fabsf(angle) < 0.05f)
        return pixClone(pixb);
    *pangle = -angle; /* pixFindSkew gives the correction */
    return pixRotate(pixb, (l_float32)(angle * M_PI / 180.0), L_ROTATE_SAMPLING,
                     L_BRING_IN_WHITE, 0, 0);
}

/* Register by the printed lines (the steps of the file header); reg
 * initialised by the caller. 0 or -1. */
static int lines_register(const FormTemplate *t, PIX *pixb, FormReg *reg,
                          PIX **pdeskewed)
{
    int nm = 0, np = 0;
    PIX *up = deskew(pixb, &reg->angle);
    if (!up)
        return err_set("register: cannot rotate the page upright");
    Seg *m = model_lines(t, &nm);
    reg->expected = nm;
    double shortest = 1e9;
    for (int i = 0; i < nm; i++)
        shortest = fmin(shortest, m[i].a1 - m[i].a0);
    int minlen = (int)fmax(20.0, 0.5 * shortest * reg->scale);
    Seg *p = nm ? find_hsegs(up, minlen, &np) : NULL;
    int *match = malloc((size_t)(nm + 1) * sizeof *match);
    if (!m || !match || (nm && np < 0)) {
        free(m);
        free(p);
        free(match);
        pixDestroy(&up);
        return err_set("register: out of memory");
    }
    /* the proposal that matches the most lines */
    Xf best = {reg->scale, 0, 0};
    int best_n = 0;
    double best_e = 0;
    for (int i = 0; i < nm; i++)
        for (int j = 0; j < np; j++) {
            double s = (p[j].a1 - p[j].a0) / (m[i].a1 - m[i].a0);
            if (s < 0.25 || s > 4.0)
                continue;
            Xf xf = {s, p[j].a0 - s * m[i].a0, p[j].c - s * m[i].c};
            double e;
            int n = match_lines(m, nm, p, np, xf, match, &e);
            if (n > best_n || (n == best_n && n && e < best_e)) {
                best = xf;
                best_n = n;
                best_e = e;
            }
        }
    double res = 0;
    int fitted = 0;
    for (int it = 0; best_n >= 2 && it < 3; it++) {
        double e;
        Xf xf = best;
        int n = match_lines(m, nm, p, np, xf, match, &e);
        if (n < 2 || fit_lines(m, nm, p, match, &xf, &res) < 0)
            break;
        best = xf;
        best_n = n;
        fitted = 1;
    }
    if (fitted) {
        reg->scale = best.s;
        reg->dx = best.dx;
        reg->dy = best.dy;
        reg->residual = res;
        reg->matched = best_n;
        reg->fit =
            best_n >= 2 && best_n * 10 >= nm * 6 && res <= FORM_MAX_RESIDUAL;
    }
    free(m);
    free(p);
    free(match);
    *pdeskewed = up;
    return 0;
}

/* "1 [x, y], 3 [x, y]": the marks of t not found (hits), into buf. */
static void marks_missing(const FormTemplate *t, const FormMarkHit *hits,
                          char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < form_template_n_marks(t) && k + 1 < n; i++) {
        const FormMark *m = form_template_mark(t, i);
        if (hits[i].found)
            continue;
        int w = snprintf(buf + k, n - k, "%s%d [%d, %d]", k ? ", " : "",
                         i + 1, m->x, m->y);
        k += w > 0 ? (size_t)w : 0;
    }
}

/** The JSON name of a registration method. */
const char *form_reg_method_name(FormRegMethod m)
{
    return m == FORM_REG_MARKS            ? "marks"
           : m == FORM_REG_LINES_FALLBACK ? "lines-fallback"
                                          : "lines";
}

/**
 * Register a binarised page to the template.
 *
 * @param[in]  t          template
 * @param[in]  pixb       1 bpp page (ink = 1); not modified
 * @param[out] reg        the transform, residual, whether the page fits
 *                        and how it was registered (method)
 * @param[out] pdeskewed  the page rotated upright (caller owns; the field
 *                        boxes are mapped into it); NULL on error
 * @return 0 (also for a page that does not fit: reg->fit 0), or -1 on
 *         error
 *
 * Notes:
 *   (1) A template with marks is registered by them (form_marks.c); when
 *       fewer than 3 are found, or they do not fit, by its lines
 *       (method FORM_REG_LINES_FALLBACK); when those do not fit either,
 *       the page is refused: -1, the message lists the marks not found
 *       ("1 [x, y], ...", 1-based, template px) and the lines matched.
 */
int form_register(const FormTemplate *t, PIX *pixb, FormReg *reg,
                  PIX **pdeskewed)
{
    int tw, th, nk = form_template_n_marks(t);
    form_template_size(t, &tw, &th);
    *pdeskewed = NULL;
    if (!pixb || pixGetDepth(pixb) != 1)
        return err_set("register: expected a 1 bpp page");
    reg->angle = 0;
    reg->scale = (double)pixGetWidth(pixb) / tw;
    reg->dx = reg->dy = 0;
    reg->residual = 0;
    reg->matched = reg->expected = 0;
    reg->fit = 0;
    reg->method = FORM_REG_LINES;
    reg->marks_found = 0;
    if (nk == 0)
        return lines_register(t, pixb, reg, pdeskewed);
    FormMarkHit *hits = calloc((size_t)nk, sizeof *hits);
    if (!hits)
        return err_set("register: out of memory");
    int rc = form_marks_register(t, pixb, reg, pdeskewed, hits);
    if (rc == 0) {
        reg->method = FORM_REG_LINES_FALLBACK;
        rc = lines_register(t, pixb, reg, pdeskewed);
        if (rc == 0 && !reg->fit) {
            char miss[512];
            marks_missing(t, hits, miss, sizeof miss);
            pixDestroy(pdeskewed);
            rc = err_set("registration marks not found: %s (%d of %d found"
                         "%s); the printed lines do not fit either (%d of "
                         "%d matched)",
                         *miss ? miss : "none", reg->marks_found, nk,
                         reg->marks_found >= 3 ? ", but they do not fit" : "",
                         reg->matched, reg->expected);
        }
    } else if (rc > 0) {
        rc = 0;
    }
    free(hits);
    return rc;
}
