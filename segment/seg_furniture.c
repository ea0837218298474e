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
 *      line and stand on a regular grid (>= 4 aligned, spacing from the
 *      median gap); a handwritten 1 in a cell sits between grid positions
 *      and stays;
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

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Largest thickness (area / length) of the components of a line mask. */
static int max_thickness(PIX *mask, int horizontal)
{
    BOXA *boxa = pixConnCompBB(mask, 8);
    int n = boxa ? boxaGetCount(boxa) : 0, best = 0;
    for (int i = 0; i < n; i++) {
        BOX *b = boxaGetBox(boxa, i, L_CLONE);
        l_int32 bx, by, bw, bh, cnt = 0;
        boxGetGeometry(b, &bx, &by, &bw, &bh);
        pixCountPixelsInRect(mask, b, &cnt, NULL);
        boxDestroy(&b);
        int len = horizontal ? bw : bh;
        int t = len > 0 ? (cnt + len - 1) / len : 0;
        if (t > best)
            best = t;
    }
    boxaDestroy(&boxa);
    return best;
}

/* Find comb ticks along the horizontal lines of hmask; OR them into tmask.
 * rest = the page without long lines. */
static int find_combs(PIX *rest, PIX *hmask, PIX *tmask, float med_h)
{
    BOXA *lines = pixConnCompBB(hmask, 8);
    if (!lines)
        return 0;
    int w = pixGetWidth(rest), h = pixGetHeight(rest);
    int vshort = (int)(0.35f * med_h);
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
        PIX *op = pixOpenBrick(NULL, sub, 1, vshort);
        BOXA *cb = op ? pixConnCompBB(op, 8) : NULL;
        int nc = cb ? boxaGetCount(cb) : 0;
        int *xs = malloc((size_t)(nc + 1) * sizeof *xs);
        int *ci = malloc((size_t)(nc + 1) * sizeof *ci);
        int nk = 0;
        for (int i = 0; xs && ci && i < nc; i++) {
            l_int32 bx, by, bw, bh;
            boxaGetBoxGeometry(cb, i, &bx, &by, &bw, &bh);
            int top = y0 + by, bot = top + bh; /* page rows [top, bot) */
            int touches = (bot >= ly - 1 && top < ly) ||
                          (top <= ly + lh && bot > ly + lh);
            if (!touches || bw > 0.25f * med_h + 3)
                continue;
            xs[nk] = 2 * bx + bw; /* twice the centre, in sub coords */
            ci[nk++] = i;
        }
        if (nk >= 4) {
            /* Grid spacing: median of the gaps between sorted centres. */
            int *sx = malloc((size_t)nk * sizeof *sx);
            if (sx) {
                memcpy(sx, xs, (size_t)nk * sizeof *sx);
                qsort(sx, (size_t)nk, sizeof *sx, cmp_int);
                int *gaps = malloc((size_t)nk * sizeof *gaps);
                if (gaps) {
                    for (int i = 0; i + 1 < nk; i++)
                        gaps[i] = sx[i + 1] - sx[i];
                    qsort(gaps, (size_t)(nk - 1), sizeof *gaps, cmp_int);
                    float s = 0.5f * gaps[(nk - 1) / 2]; /* px */
                    free(gaps);
                    if (s >= 0.5f * med_h) {
                        float tol = 0.12f * s + 1;
                        int best_a = -1, best_cnt = 0;
                        for (int a = 0; a < nk; a++) {
                            int cnt = 0;
                            for (int i = 0; i < nk; i++) {
                                float k = (xs[i] - xs[a]) * 0.5f / s;
                                if (fabsf(k - roundf(k)) * s <= tol)
                                    cnt++;
                            }
                            if (cnt > best_cnt) {
                                best_cnt = cnt;
                                best_a = a;
                            }
                        }
                        if (best_cnt >= 4) {
                            for (int i = 0; i < nk; i++) {
                                float k = (xs[i] - xs[best_a]) * 0.5f / s;
                                if (fabsf(k - roundf(k)) * s > tol)
                                    continue;
                                l_int32 bx, by, bw, bh;
                                boxaGetBoxGeometry(cb, ci[i], &bx, &by, &bw,
                                                   &bh);
                                /* the tick's own pixels: op within its box */
                                pixRasterop(tmask, lx + bx, y0 + by, bw, bh,
                                            PIX_SRC | PIX_DST, op, bx, by);
                            }
                        }
                    }
                }
                free(sx);
            }
        }
        free(xs);
        free(ci);
        boxaDestroy(&cb);
        pixDestroy(&op);
        pixDestroy(&sub);
    }
    (void)w;
    boxaDestroy(&lines);
    return 0;
}

/**
 * Remove form furniture from a 1 bpp page and repair the strokes it cut.
 *
 * @param[in]  pixb      1 bpp page, ink = 1; not modified
 * @param[in]  dpi       resolution (> 0)
 * @param[in]  med_h     median component height, px (> 0)
 * @param[out] premoved  [optional] ink pixels removed
 * @return new 1 bpp PIX (caller owns), or NULL on error
 *
 * Notes:
 *   (1) Returns a plain copy for pages with > 35% ink or no room for a
 *       line SEL.
 */
PIX *seg__furniture_remove(PIX *pixb, int dpi, float med_h, int *premoved)
{
    if (premoved)
        *premoved = 0;
    int w = pixGetWidth(pixb), h = pixGetHeight(pixb);
    l_int32 on = 0;
    pixCountPixels(pixb, &on, NULL);
    if (med_h < 1)
        med_h = dpi / 10.0f;
    int hlen = (int)fmaxf(0.35f * dpi, 3.0f * med_h);
    int vlen = (int)fmaxf(0.4f * dpi, 3.0f * med_h);
    int vlen_short = (int)fmaxf(0.2f * dpi, 1.8f * med_h);
    if (on == 0 || (double)on > 0.35 * (double)w * h || hlen >= w ||
        vlen >= h || hlen < 8 || vlen < 8)
        return pixCopy(NULL, pixb);

    PIX *hmask = pixOpenCompBrickExtendDwa(NULL, pixb, hlen, 1);
    PIX *vmask = pixOpenCompBrickExtendDwa(NULL, pixb, 1, vlen);
    PIX *tmask = pixCreate(w, h, 1);
    PIX *out = NULL, *rest = NULL, *r = NULL, *vshort = NULL, *seed = NULL;
    if (!hmask || !vmask || !tmask)
        goto fail;
    /* Shorter verticals count only where they meet a horizontal line: the
     * sides of boxes. A lone stroke that long is more likely two touching
     * glyphs (a descender on an ascender). */
    if (vlen_short < vlen) {
        vshort = pixOpenCompBrickExtendDwa(NULL, pixb, 1, vlen_short);
        seed = pixDilateBrick(NULL, hmask, 3, 3);
        if (!vshort || !seed)
            goto fail;
        pixAnd(seed, seed, vshort);
        PIX *boxes = pixSeedfillBinary(NULL, seed, vshort, 8);
        if (!boxes)
            goto fail;
        pixOr(vmask, vmask, boxes);
        pixDestroy(&boxes);
        pixDestroy(&vshort);
        pixDestroy(&seed);
    }
    rest = pixSubtract(NULL, pixb, hmask);
    if (!rest || !pixSubtract(rest, rest, vmask))
        goto fail;
    find_combs(rest, hmask, tmask, med_h);
    out = pixSubtract(NULL, rest, tmask);
    if (!out)
        goto fail;

    /* Repair across horizontal lines (vertical closing) ... */
    int th = max_thickness(hmask, 1);
    int cap = dpi / 10 > 4 ? dpi / 10 : 4;
    if (th > 0) {
        int sz = (th < cap ? th : cap) + 3;
        r = pixCloseBrick(NULL, out, 1, sz);
        if (!r)
            goto fail;
        pixAnd(r, r, hmask);
        pixOr(out, out, r);
        pixDestroy(&r);
    }
    /* ... and across vertical lines and ticks (horizontal closing). */
    pixOr(vmask, vmask, tmask);
    int tv = max_thickness(vmask, 0);
    if (tv > 0) {
        int sz = (tv < cap ? tv : cap) + 3;
        r = pixCloseBrick(NULL, out, sz, 1);
        if (!r)
            goto fail;
        pixAnd(r, r, vmask);
        pixOr(out, out, r);
        pixDestroy(&r);
    }
    l_int32 left = 0;
    pixCountPixels(out, &left, NULL);
    if (premoved)
        *premoved = on - left;
    pixDestroy(&hmask);
    pixDestroy(&vmask);
    pixDestroy(&tmask);
    pixDestroy(&rest);
    return out;
fail:
    pixDestroy(&vshort);
    pixDestroy(&seed);
    pixDestroy(&hmask);
    pixDestroy(&vmask);
    pixDestroy(&tmask);
    pixDestroy(&rest);
    pixDestroy(&out);
    err_set("segment: out of memory removing form lines (%dx%d page)", w, h);
    return NULL;
}
