/*
 * form_marks.c - registration marks: find a template's marks on a page and
 * register the page by them (forms.h).
 *
 * Design: a mark is a filled square or disc printed at a known place
 * (template `marks:`). Each is looked for only in a window around where it
 * would be if the page were the template scaled by the page/template width
 * ratio; the window's half-side is the mark's size plus 6% of the page's
 * longer side, which covers another dpi (the ratio), a shift of a few
 * dozen px and a rotation of a few degrees (2 degrees move a corner of an
 * A4 page at 200 dpi by about 40 px). In the window, the connected
 * components of the mark's size (0.6 to 1.45 times, so up to about 10
 * degrees of rotation), area and fill (a square fills >= 72% of its box,
 * a disc 60-90% and is round) are candidates, unless cut by the window's
 * or the page's edge (the centroid would be off: better one mark fewer);
 * the nearest to the expected place wins and its centroid is the mark's
 * centre. When at least 2 but not all were found, those tell where the
 * others are (a scan with a wide margin beyond the form makes the width
 * ratio a poor guess) and they are looked for again there, in a smaller
 * window. So the cost is a few small windows of the page, whatever the
 * page holds.
 * The fit is the least-squares similarity (scale, rotation, shift; closed
 * form) over the found marks; while its RMS residual is over
 * FORM_MAX_RESIDUAL and more than 3 are left, the worst is dropped (a
 * blot taken for a mark). The page is then turned upright by the fitted
 * angle about its centre, as pixRotate turns, and the transform restated
 * on the upright page the way FormReg states it, without a second fit.
 * Nothing is kept between calls; thread-safe.
 */
#include "forms/forms.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"

/* Is a component of cnt pixels in a w x h box a mark of shape and side sz
 * (page px)? */
static int mark_like(FormMarkShape shape, double sz, int w, int h, int cnt)
{
    if (w < 0.6 * sz || h < 0.6 * sz || w > 1.45 * sz || h > 1.45 * sz)
        return 0;
    double fill = (double)cnt / ((double)w * h);
    double want = shape == FORM_MARK_CIRCLE ? M_PI / 4 * sz * sz : sz * sz;
    if (cnt < 0.55 * want || cnt > 1.6 * want)
        return 0;
    if (shape == FORM_MARK_SQUARE)
        return fill >= 0.72;
    return fill >= 0.6 && fill <= 0.9 && abs(w - h) <= 0.2 * (w > h ? w : h);
}

/* Find one mark of side sz (page px) in the window [x0, y0, x1, y1) of
 * pixb nearest (ex, ey); *hit out. 0, or -1 on error. */
static int find_one(PIX *pixb, FormMarkShape shape, double sz, int x0, int y0,
                    int x1, int y1, double ex, double ey, FormMarkHit *hit)
{
    hit->found = hit->used = 0;
    if (x1 - x0 < 4 || y1 - y0 < 4)
        return 0;
    BOX *win = boxCreate(x0, y0, x1 - x0, y1 - y0);
    PIX *clip = win ? pixClipRectangle(pixb, win, NULL) : NULL;
    boxDestroy(&win);
    PIXA *pixa = NULL;
    BOXA *ba = clip ? pixConnComp(clip, &pixa, 8) : NULL;
    pixDestroy(&clip);
    if (!ba) {
        pixaDestroy(&pixa);
        return err_set("marks: out of memory");
    }
    double best = 0;
    for (int i = 0; i < boxaGetCount(ba); i++) {
        l_int32 bx, by, bw, bh, cnt = 0;
        boxaGetBoxGeometry(ba, i, &bx, &by, &bw, &bh);
        /* cut by the window or the page edge: its centroid would be off */
        if (bx == 0 || by == 0 || bx + bw == x1 - x0 || by + bh == y1 - y0 ||
            bw < 0.6 * sz || bh < 0.6 * sz || bw > 1.45 * sz || bh > 1.45 * sz)
            continue;
        PIX *pc = pixaGetPix(pixa, i, L_CLONE);
        l_float32 cx = 0, cy = 0;
        if (pc && pixCountPixels(pc, &cnt, NULL) == 0 &&
            mark_like(shape, sz, bw, bh, cnt) &&
            pixCentroid(pc, NULL, NULL, &cx, &cy) == 0) {
            double x = x0 + bx + cx + 0.5, y = y0 + by + cy + 0.5;
            double d = hypot(x - ex, y - ey);
            if (!hit->found || d < best) {
                hit->found = 1;
                hit->x = x;
                hit->y = y;
                best = d;
            }
        }
        pixDestroy(&pc);
    }
    boxaDestroy(&ba);
    pixaDestroy(&pixa);
    return 0;
}

/* Least-squares similarity over the hits with used set; fit out (residual
 * in template px). -1 when fewer than min are used or it degenerates. */
static int fit_used(const FormMark *marks, int n, const FormMarkHit *hits,
                    int min, FormMarkFit *fit)
{
    double mx = 0, my = 0, px = 0, py = 0;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (hits[i].used) {
            mx += marks[i].x;
            my += marks[i].y;
            px += hits[i].x;
            py += hits[i].y;
            k++;
        }
    if (k < min || k < 2)
        return -1;
    mx /= k, my /= k, px /= k, py /= k;
    double sa = 0, sb = 0, nn = 0;
    for (int i = 0; i < n; i++)
        if (hits[i].used) {
            double ax = marks[i].x - mx, ay = marks[i].y - my;
            double bx = hits[i].x - px, by = hits[i].y - py;
            sa += ax * bx + ay * by;
            sb += ax * by - ay * bx;
            nn += ax * ax + ay * ay;
        }
    if (nn < 1e-9)
        return -1;
    double a = sa / nn, b = sb / nn, s = hypot(a, b);
    if (!(s > 0.1 && s < 10))
        return -1;
    fit->scale = s;
    fit->angle = atan2(b, a) * 180.0 / M_PI;
    fit->dx = px - (a * mx - b * my);
    fit->dy = py - (b * mx + a * my);
    double ss = 0;
    for (int i = 0; i < n; i++)
        if (hits[i].used) {
            double ex = a * marks[i].x - b * marks[i].y + fit->dx - hits[i].x;
            double ey = b * marks[i].x + a * marks[i].y + fit->dy - hits[i].y;
            ss += ex * ex + ey * ey;
        }
    fit->residual = sqrt(ss / k) / s;
    fit->used = k;
    return 0;
}

/* Look for mark m of side sz (page px) within r px of (ex, ey). */
static int find_near(PIX *pixb, const FormMark *m, double sz, double ex,
                     double ey, int r, FormMarkHit *hit)
{
    int W = pixGetWidth(pixb), H = pixGetHeight(pixb);
    int x0 = (int)ex - r, y0 = (int)ey - r, x1 = (int)ex + r, y1 = (int)ey + r;
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > W ? W : x1;
    y1 = y1 > H ? H : y1;
    return find_one(pixb, m->shape, sz, x0, y0, x1, y1, ex, ey, hit);
}

/**
 * Look for each registration mark near its expected place on a page.
 *
 * @param[in]  marks   the template's marks (template px)
 * @param[in]  n       their count
 * @param[in]  tw      the template's width (px)
 * @param[in]  pixb    1 bpp page (ink = 1); not modified
 * @param[in]  scale0  page px per template px to expect (0 = page width /
 *                     tw)
 * @param[out] hits    n entries: found (1/0), centre on the page
 * @return the number found, or -1 on error (message set)
 *
 * Notes:
 *   (1) A mark is a component of its shape whose size is 0.6-1.45 times
 *       its size * scale0, within (size + 6% of the page's longer side)
 *       of where it is expected; the nearest such wins.
 *   (2) When at least 2 but not all were found, the similarity of those
 *       found tells where the others are (a page with a wide margin
 *       beyond the form makes the width ratio a poor guess): each missing
 *       one is looked for again there, within its size + 2% of the
 *       longer side.
 *   (3) Centres are in pixel-centre coordinates (the centre of pixel 0
 *       is 0.5), like the template's.
 */
int form_marks_find(const FormMark *marks, int n, int tw, PIX *pixb,
                    double scale0, FormMarkHit *hits)
{
    if (!pixb || pixGetDepth(pixb) != 1 || tw <= 0)
        return err_set("marks: expected a 1 bpp page");
    int W = pixGetWidth(pixb), H = pixGetHeight(pixb), found = 0;
    int side = W > H ? W : H;
    double s0 = scale0 > 0 ? scale0 : (double)W / tw;
    for (int i = 0; i < n; i++) {
        double sz = marks[i].size * s0;
        if (find_near(pixb, &marks[i], sz, marks[i].x * s0, marks[i].y * s0,
                      (int)lround(sz + 0.06 * side), &hits[i]) < 0)
            return -1;
        found += hits[i].found;
    }
    FormMarkFit f;
    for (int i = 0; i < n; i++)
        hits[i].used = hits[i].found;
    if (found < 2 || found == n || fit_used(marks, n, hits, 2, &f) < 0)
        return found;
    double a = f.scale * cos(f.angle * M_PI / 180.0),
           b = f.scale * sin(f.angle * M_PI / 180.0);
    for (int i = 0; i < n; i++) {
        if (hits[i].found)
            continue;
        double sz = marks[i].size * f.scale;
        double ex = a * marks[i].x - b * marks[i].y + f.dx,
               ey = b * marks[i].x + a * marks[i].y + f.dy;
        if (find_near(pixb, &marks[i], sz, ex, ey,
                      (int)lround(sz + 0.02 * side), &hits[i]) < 0)
            return -1;
        found += hits[i].found;
    }
    return found;
}

/**
 * Fit a similarity (scale, rotation, shift) to the marks found.
 *
 * @param[in]     marks  the template's marks
 * @param[in]     n      their count
 * @param[in,out] hits   from form_marks_find(); used set to 1 for the marks
 *                       the fit kept, 0 for the others
 * @param[out]    fit    the transform and its residual (template px)
 * @return 0, or -1 (no message) when fewer than 3 marks were found or they
 *         give no transform (all at one place)
 *
 * Notes:
 *   (1) While the residual is over FORM_MAX_RESIDUAL and more than 3 are
 *       used, the mark with the largest misfit is dropped and the rest
 *       refitted: a blot of the right size near a corner costs one mark,
 *       not the page.
 */
int form_marks_fit(const FormMark *marks, int n, FormMarkHit *hits,
                   FormMarkFit *fit)
{
    for (int i = 0; i < n; i++)
        hits[i].used = hits[i].found;
    if (fit_used(marks, n, hits, 3, fit) < 0)
        return -1;
    while (fit->residual > FORM_MAX_RESIDUAL && fit->used > 3) {
        double a = fit->scale * cos(fit->angle * M_PI / 180.0),
               b = fit->scale * sin(fit->angle * M_PI / 180.0), worst = -1;
        int wi = -1;
        for (int i = 0; i < n; i++) {
            if (!hits[i].used)
                continue;
            double e =
                hypot(a * marks[i].x - b * marks[i].y + fit->dx - hits[i].x,
                      b * marks[i].x + a * marks[i].y + fit->dy - hits[i].y);
            if (e > worst) {
                worst = e;
                wi = i;
            }
        }
        hits[wi].used = 0;
        FormMarkFit f2;
        if (fit_used(marks, n, hits, 3, &f2) < 0) {
            hits[wi].used = 1;
            break;
        }
        *fit = f2;
    }
    return 0;
}

/**
 * Register a page to its template by the template's registration marks.
 *
 * @param[in]  t          template with marks
 * @param[in]  pixb       1 bpp page (ink = 1); not modified
 * @param[out] reg        on success: scale, angle, dx, dy on the upright
 *                        page (as FormReg states them), residual, matched
 *                        (marks used), expected (marks), fit 1, method
 *                        FORM_REG_MARKS; always: marks_found
 * @param[out] pdeskewed  on success the page turned upright (caller owns);
 *                        else NULL
 * @param[out] hits       one per mark: found / used, centre on the page
 * @return 1 registered, 0 fewer than 3 marks found or their fit's residual
 *         is over FORM_MAX_RESIDUAL (nothing else changed in reg), -1 on
 *         error
 *
 * Notes:
 *   (1) The marks are looked for at the page/template width ratio; when
 *       not all are found and the height ratio differs (by > 2%), again at
 *       that one (a scan with a margin beyond the form on one side), and
 *       the try that found more is kept.
 *   (2) The page is turned by -angle about (w/2, h/2) (pixRotate's
 *       centre) when |angle| >= 0.05 degrees; a point p of the page then
 *       lies at C + R(-angle)(p - C), so on the upright page
 *       page = scale * template + C + R(-angle)(shift - C).
 */
int form_marks_register(const FormTemplate *t, PIX *pixb, FormReg *reg,
                        PIX **pdeskewed, FormMarkHit *hits)
{
    int n = form_template_n_marks(t), tw, th;
    form_template_size(t, &tw, &th);
    *pdeskewed = NULL;
    const FormMark *marks = n ? form_template_mark(t, 0) : NULL;
    int found = form_marks_find(marks, n, tw, pixb, 0, hits);
    if (found < 0)
        return -1;
    double sw = (double)pixGetWidth(pixb) / tw,
           sh = (double)pixGetHeight(pixb) / th;
    if (found < n && fabs(sh - sw) > 0.02 * sw) {
        /* a margin beyond the form on one side: the other ratio */
        FormMarkHit *h2 = malloc((size_t)n * sizeof *h2);
        if (!h2)
            return err_set("marks: out of memory");
        int f2 = form_marks_find(marks, n, tw, pixb, sh, h2);
        if (f2 > found) {
            memcpy(hits, h2, (size_t)n * sizeof *h2);
            found = f2;
        }
        free(h2);
        if (f2 < 0)
            return -1;
    }
    reg->marks_found = found;
    FormMarkFit fit;
    if (found < 3 || form_marks_fit(marks, n, hits, &fit) < 0 ||
        fit.residual > FORM_MAX_RESIDUAL)
        return 0;
    double ang = fabs(fit.angle) >= 0.05 ? fit.angle : 0.0;
    PIX *up = ang != 0.0 ? pixRotate(pixb, (l_float32)(-ang * M_PI / 180.0),
                                     L_ROTATE_SAMPLING, L_BRING_IN_WHITE, 0, 0)
                         : pixClone(pixb);
    if (!up)
        return err_set("marks: cannot rotate the page upright");
    double cx = pixGetWidth(pixb) / 2, cy = pixGetHeight(pixb) / 2;
    double c = cos(-ang * M_PI / 180.0), s = sin(-ang * M_PI / 180.0);
    double ux = fit.dx - cx, uy = fit.dy - cy;
    reg->scale = fit.scale;
    reg->angle = ang;
    reg->dx = cx + c * ux - s * uy;
    reg->dy = cy + s * ux + c * uy;
    reg->residual = fit.residual;
    reg->matched = fit.used;
    reg->expected = n;
    reg->fit = 1;
    reg->method = FORM_REG_MARKS;
    *pdeskewed = up;
    return 1;
}
