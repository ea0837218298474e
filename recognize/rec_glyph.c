/*
 * rec_glyph.c - glyph normalisation shared by training and inference.
 *
 * Every glyph the network sees, in training or on a page, goes through
 * rec_glyph_normalize_mask(): crop to the ink, scale with the aspect ratio
 * kept so that the longer side fills REC_GLYPH_BOX pixels, area-sample to
 * grey and centre the ink box in REC_INPUT_SIZE^2 floats (ink = 1.0).
 *
 * Design:
 *   - Area sampling (not nearest / bilinear) keeps the stroke width
 *     relative to the glyph size: a small `c` written with the same pen as
 *     a big `C` comes out bolder, which is a real cue for case.
 *   - Thin glyphs (`1`, `l`, `I`) are scaled by their height only, never
 *     stretched sideways.
 *   - The mask core works on runs of ink: one source row is projected onto
 *     a 32-float row on the stack, then spread over the one or two output
 *     rows it overlaps. It allocates nothing (it runs ~500 times per page).
 *   - rec_glyph_normalize_grey() and rec_glyph_normalize_pix() binarise
 *     first (global Otsu; dark ink on light paper; uneven light divided
 *     out first), drop specks that are
 *     tiny next to the main ink, then call the same core. Augmented training
 *     samples are binarised through rec_glyph_normalize_grey(), so the
 *     network is trained on exactly what inference feeds it.
 *
 * Threading: no shared state; every function is reentrant.
 */
#include "recognize/rec_net_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "recognize/recognize.h"

/* Add the interval [a, b) (in output pixel units, 0 <= a < b <= n) to row. */
static void glyph_span_add(float *row, int n, float a, float b, float wgt)
{
    int c0 = (int)a;
    int c1 = (int)ceilf(b) - 1;
    if (c0 < 0)
        c0 = 0;
    if (c1 >= n)
        c1 = n - 1;
    if (c0 >= c1) {
        row[c0] += (b - a) * wgt;
        return;
    }
    row[c0] += ((float)(c0 + 1) - a) * wgt;
    for (int c = c0 + 1; c < c1; c++)
        row[c] += wgt;
    row[c1] += (b - (float)c1) * wgt;
}

/* The core: area-sample the ink box [x0,x1] x [y0,y1] of mask into dst. */
static void glyph_core(const unsigned char *mask, int stride, int x0, int y0,
                       int x1, int y1, float *dst)
{
    const int n = REC_INPUT_SIZE;
    int bw = x1 - x0 + 1, bh = y1 - y0 + 1;
    float s = (float)REC_GLYPH_BOX / (float)(bw > bh ? bw : bh);
    float offx = ((float)n - (float)bw * s) * 0.5f;
    float offy = ((float)n - (float)bh * s) * 0.5f;
    float row[REC_INPUT_SIZE];

    memset(dst, 0, sizeof(float) * (size_t)n * (size_t)n);
    for (int y = y0; y <= y1; y++) {
        const unsigned char *p = mask + (size_t)y * (size_t)stride;
        int any = 0;
        memset(row, 0, sizeof row);
        for (int x = x0; x <= x1;) {
            if (!p[x]) {
                x++;
                continue;
            }
            int xa = x;
            while (x <= x1 && p[x])
                x++;
            /* run [xa, x) */
            glyph_span_add(row, n, offx + (float)(xa - x0) * s,
                           offx + (float)(x - x0) * s, 1.0f);
            any = 1;
        }
        if (!any)
            continue;
        float a = offy + (float)(y - y0) * s, b = a + s;
        int r0 = (int)a, r1 = (int)ceilf(b) - 1;
        if (r0 < 0)
            r0 = 0;
        if (r1 >= n)
            r1 = n - 1;
        for (int r = r0; r <= r1; r++) {
            float lo = a > (float)r ? a : (float)r;
            float hi = b < (float)(r + 1) ? b : (float)(r + 1);
            float wgt = hi - lo;
            if (wgt <= 0.0f)
                continue;
            float *d = dst + (size_t)r * (size_t)n;
            for (int c = 0; c < n; c++)
                d[c] += row[c] * wgt;
        }
    }
    /* Rounding can push a fully covered pixel a hair over 1 (written
     * without a branch, so that it compiles to a vector minimum) */
    for (int i = 0; i < n * n; i++)
        dst[i] = 1.0f < dst[i] ? 1.0f : dst[i];
}

/**
 * Normalise one glyph mask for the network.
 *
 * @param[in]  mask    w x h bytes, nonzero = ink; not modified
 * @param[in]  w, h    size in pixels (> 0)
 * @param[in]  stride  bytes from one row to the next (>= w)
 * @param[out] dst     REC_INPUT_SIZE^2 floats, row-major, ink = 1.0
 * @return 0, or -1 if the mask holds no ink or the arguments are bad
 *         (message in err_get(); dst is then all zero when not NULL)
 *
 * Notes:
 *   (1) The ink box is scaled so that its longer side is REC_GLYPH_BOX
 *       pixels, aspect kept, and centred; each output pixel is the fraction
 *       of its area that the scaled ink covers.
 *   (2) Allocates nothing; about 1-3 us for a typical page glyph.
 */
int rec_glyph_normalize_mask(const unsigned char *mask, int w, int h,
                             int stride, float *dst)
{
    if (!dst)
        return err_set("rec_glyph_normalize_mask: dst is NULL");
    if (!mask || w <= 0 || h <= 0 || stride < w) {
        memset(dst, 0, sizeof(float) * REC_INPUT_SIZE * REC_INPUT_SIZE);
        return err_set("rec_glyph_normalize_mask: bad mask (%dx%d, stride %d)",
                       w, h, stride);
    }
    int x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (int y = 0; y < h; y++) {
        const unsigned char *p = mask + (size_t)y * (size_t)stride;
        int xa = -1, xb = -1;
        for (int x = 0; x < w; x++)
            if (p[x]) {
                xa = x;
                break;
            }
        if (xa < 0)
            continue;
        for (int x = w - 1; x >= xa; x--)
            if (p[x]) {
                xb = x;
                break;
            }
        if (xa < x0)
            x0 = xa;
        if (xb > x1)
            x1 = xb;
        if (y0 == h)
            y0 = y;
        y1 = y;
    }
    if (x1 < 0) {
        memset(dst, 0, sizeof(float) * REC_INPUT_SIZE * REC_INPUT_SIZE);
        return err_set("glyph has no ink (%dx%d mask)", w, h);
    }
    glyph_core(mask, stride, x0, y0, x1, y1, dst); /* clears dst first */
    return 0;
}

/* Otsu threshold over a 256-bin histogram: ink is grey <= returned value. */
int rec__glyph_otsu(const double *hist)
{
    double total = 0, sum = 0;
    for (int i = 0; i < 256; i++) {
        total += hist[i];
        sum += i * hist[i];
    }
    double wb = 0, sb = 0, best = -1;
    int t = 127;
    for (int i = 0; i < 255; i++) {
        wb += hist[i];
        if (wb <= 0)
            continue;
        double wf = total - wb;
        if (wf <= 0)
            break;
        sb += i * hist[i];
        double mb = sb / wb, mf = (sum - sb) / wf;
        double between = wb * wf * (mb - mf) * (mb - mf);
        if (between > best) {
            best = between;
            t = i;
        }
    }
    return t;
}

/**
 * Clear the 8-connected components of mask that are tiny next to the
 * largest one.
 *
 * @param[in,out] mask  w x h bytes (stride w), nonzero = ink
 * @param[in]     w, h  size
 * @param[in]     frac  components with area < frac * largest area are
 *                      cleared (e.g. REC_GLYPH_SPECK_FRAC)
 * @return number of components kept (0 if there was no ink), or -1 when
 *         out of memory
 *
 * Notes:
 *   (1) The dot of an i or j is 5-20 % of the stem; noise specks left by
 *       binarising paper texture are far smaller, so 2 % separates them.
 */
int rec_glyph_drop_specks(unsigned char *mask, int w, int h, float frac)
{
    size_t npix = (size_t)w * (size_t)h;
    int *label = calloc(npix, sizeof *label);
    int *stack = malloc(npix * sizeof *stack);
    int ncomp = 0, cap = 64;
    long *area = malloc((size_t)cap * sizeof *area);
    if (!label || !stack || !area) {
        free(label);
        free(stack);
        free(area);
        return err_set("rec_glyph_drop_specks: out of memory (%dx%d)", w, h);
    }
    for (size_t i = 0; i < npix; i++) {
        if (!mask[i] || label[i])
            continue;
        if (ncomp == cap) {
            cap *= 2;
            long *na = realloc(area, (size_t)cap * sizeof *area);
            if (!na) {
                free(label);
                free(stack);
                free(area);
                return err_set("rec_glyph_drop_specks: out of memory");
            }
            area = na;
        }
        int id = ++ncomp;
        long a = 0;
        size_t sp = 0;
        stack[sp++] = (int)i;
        label[i] = id;
        while (sp) {
            int p = stack[--sp];
            int px = p % w, py = p / w;
            a++;
            for (int dy = -1; dy <= 1; dy++) {
                int qy = py + dy;
                if (qy < 0 || qy >= h)
                    continue;
                for (int dx = -1; dx <= 1; dx++) {
                    int qx = px + dx;
                    if (qx < 0 || qx >= w)
                        continue;
                    size_t q = (size_t)qy * (size_t)w + (size_t)qx;
                    if (mask[q] && !label[q]) {
                        label[q] = id;
                        stack[sp++] = (int)q;
                    }
                }
            }
        }
        area[id - 1] = a;
    }
    long amax = 0;
    for (int c = 0; c < ncomp; c++)
        if (area[c] > amax)
            amax = area[c];
    int kept = 0;
    for (int c = 0; c < ncomp; c++) {
        if ((float)area[c] < frac * (float)amax)
            area[c] = -1;
        else
            kept++;
    }
    if (kept < ncomp)
        for (size_t i = 0; i < npix; i++)
            if (label[i] && area[label[i] - 1] < 0)
                mask[i] = 0;
    free(label);
    free(stack);
    free(area);
    return kept;
}

#define FLAT_CELLS 4  /* cells along the image's shorter side */
#define FLAT_PAPER 0.9 /* a cell's paper: this quantile of its grey */
#define FLAT_UNEVEN 6  /* flatten when the cells' paper spans more than
                          1/FLAT_UNEVEN of the image's contrast */
#define FLAT_MIN_CELL 8 /* px: smaller images are never flattened (a 28 x 28
                            digit's cells are mostly ink) */

/* The paper level of each cell of a gw x gh grid over the image (cells of
 * c x c pixels, the last row and column smaller): the FLAT_PAPER quantile
 * of its grey levels. */
static void paper_levels(const unsigned char *grey, int w, int h, int stride,
                         int c, int gw, int gh, float *paper)
{
    for (int cy = 0; cy < gh; cy++)
        for (int cx = 0; cx < gw; cx++) {
            int hist[256] = {0}, n = 0;
            for (int y = cy * c; y < h && y < (cy + 1) * c; y++)
                for (int x = cx * c; x < w && x < (cx + 1) * c; x++, n++)
                    hist[grey[(size_t)y * (size_t)stride + (size_t)x]]++;
            int k = 0, need = (int)(FLAT_PAPER * n);
            for (int acc = 0; k < 255 && acc + hist[k] <= need; k++)
                acc += hist[k];
            paper[cy * gw + cx] = (float)(k > 0 ? k : 1);
        }
}

/* Pixel p of an axis cut into n cells of c px: the two cells whose
 * centres it lies between (*i0, *i1) and its place t from the first to
 * the second; beyond the outer centres t runs past 0 or 1, so the paper
 * level is carried on along the last two cells' slope (light falling off
 * goes on falling off to the picture's edge). */
static float cell_at(int p, int c, int n, int *i0, int *i1)
{
    float f = ((float)p + 0.5f) / (float)c - 0.5f;
    if (n < 2) {
        *i0 = *i1 = 0;
        return 0.0f;
    }
    int k = f < 0.0f ? 0 : (int)f;
    k = k > n - 2 ? n - 2 : k;
    *i0 = k;
    *i1 = k + 1;
    return f - (float)k;
}

/* img (w x h) replaced by its 3x3 mean (the mean of the pixels inside
 * the image at the borders). 0, or -1 when out of memory. */
static int box3(unsigned char *img, int w, int h)
{
    unsigned short *rows = malloc((size_t)w * (size_t)h * sizeof *rows);
    if (!rows)
        return -1;
    for (int y = 0; y < h; y++) /* horizontal sums of 1..3 pixels */
        for (int x = 0; x < w; x++) {
            const unsigned char *p = img + (size_t)y * (size_t)w;
            rows[(size_t)y * (size_t)w + x] =
                (unsigned short)(p[x] + (x > 0 ? p[x - 1] : 0) +
                                 (x + 1 < w ? p[x + 1] : 0));
        }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int nx = 1 + (x > 0) + (x + 1 < w), ny = 1 + (y > 0) + (y + 1 < h);
            int sum = rows[(size_t)y * (size_t)w + x];
            if (y > 0)
                sum += rows[(size_t)(y - 1) * (size_t)w + x];
            if (y + 1 < h)
                sum += rows[(size_t)(y + 1) * (size_t)w + x];
            img[(size_t)y * (size_t)w + x] = (unsigned char)(sum / (nx * ny));
        }
    free(rows);
    return 0;
}

/* The image divided by its paper level, bilinear between the cells'
 * centres and carried on beyond them (cell_at(); 0..255, paper = 255):
 * light falling unevenly on a photographed glyph (a shadow across a
 * corner, a phone's vignetting) would otherwise give a global threshold
 * a dark corner as ink. Dividing
 * by a dark corner's paper level also raises its noise, so the result is
 * smoothed by a 3 x 3 mean (box3()); on phone-like pictures of pencil
 * glyphs that took the glyphs read right from 65-68 to 86 %, and the
 * level carried on past the outer cells' centres (cell_at()) to 87 %. NULL
 * (nothing to do) when the paper is even to 1/FLAT_UNEVEN of the
 * contrast hi - lo, as on a scan, so such images binarise as before;
 * also NULL when out of memory (the caller then thresholds the image as
 * it is). Caller frees. */
static unsigned char *flatten_light(const unsigned char *grey, int w, int h,
                                    int stride, int lo, int hi)
{
    int c = (w < h ? w : h) / FLAT_CELLS;
    if (c < FLAT_MIN_CELL)
        return NULL;
    int gw = (w + c - 1) / c, gh = (h + c - 1) / c;
    float *paper = malloc((size_t)gw * (size_t)gh * sizeof *paper);
    if (!paper)
        return NULL;
    paper_levels(grey, w, h, stride, c, gw, gh, paper);
    float pmin = 255.0f, pmax = 0.0f;
    for (int i = 0; i < gw * gh; i++) {
        pmin = paper[i] < pmin ? paper[i] : pmin;
        pmax = paper[i] > pmax ? paper[i] : pmax;
    }
    unsigned char *out = NULL;
    if (pmax - pmin > (float)(hi - lo) / FLAT_UNEVEN &&
        (out = malloc((size_t)w * (size_t)h)))
        for (int y = 0; y < h; y++) {
            int y0, y1, x0, x1;
            float ty = cell_at(y, c, gh, &y0, &y1), tx;
            for (int x = 0; x < w; x++) {
                tx = cell_at(x, c, gw, &x0, &x1);
                float top = paper[y0 * gw + x0] * (1 - tx) +
                            paper[y0 * gw + x1] * tx;
                float bot = paper[y1 * gw + x0] * (1 - tx) +
                            paper[y1 * gw + x1] * tx;
                float lev = top * (1 - ty) + bot * ty;
                float v = 255.0f * grey[(size_t)y * (size_t)stride + x] /
                          (lev < 1.0f ? 1.0f : lev);
                out[(size_t)y * (size_t)w + x] =
                    (unsigned char)(v > 255.0f ? 255 : v + 0.5f);
            }
        }
    free(paper);
    if (out && box3(out, w, h) < 0) {
        free(out);
        out = NULL;
    }
    return out;
}

/**
 * Binarise a grey glyph image (dark ink on light paper) and normalise it.
 *
 * @param[in]  grey    w x h bytes, 0 = black; not modified
 * @param[in]  w, h    size in pixels
 * @param[in]  stride  bytes between rows (>= w)
 * @param[out] dst     REC_INPUT_SIZE^2 floats, ink = 1.0
 * @return 0, or -1 if the image has no ink (too little contrast) or on
 *         out of memory (message in err_get())
 *
 * Notes:
 *   (1) Global Otsu threshold, then rec_glyph_drop_specks(), then the same
 *       core as rec_glyph_normalize_mask(). Where the paper is uneven
 *       (its level in a 4-cell grid over the shorter side spans more than
 *       a sixth of the contrast: a photographed glyph, a shadow), the
 *       image is first divided by the paper level (flatten_light()); an
 *       evenly lit image is thresholded as it is, bit for bit.
 *   (2) An image whose grey levels span less than REC_GLYPH_MIN_CONTRAST is
 *       blank paper: Otsu would split its noise into fake ink.
 */
int rec_glyph_normalize_grey(const unsigned char *grey, int w, int h,
                             int stride, float *dst)
{
    if (!dst)
        return err_set("rec_glyph_normalize_grey: dst is NULL");
    memset(dst, 0, sizeof(float) * REC_INPUT_SIZE * REC_INPUT_SIZE);
    if (!grey || w <= 0 || h <= 0 || stride < w)
        return err_set("rec_glyph_normalize_grey: bad image (%dx%d)", w, h);
    double hist[256] = {0};
    int lo = 255, hi = 0;
    for (int y = 0; y < h; y++) {
        const unsigned char *p = grey + (size_t)y * (size_t)stride;
        for (int x = 0; x < w; x++)
            hist[p[x]] += 1.0;
    }
    for (int i = 0; i < 256; i++)
        if (hist[i] > 0) {
            lo = i;
            break;
        }
    for (int i = 255; i >= 0; i--)
        if (hist[i] > 0) {
            hi = i;
            break;
        }
    if (hi - lo < REC_GLYPH_MIN_CONTRAST)
        return err_set("glyph has no ink (grey levels %d..%d, %dx%d)", lo, hi,
                       w, h);
    unsigned char *flat = flatten_light(grey, w, h, stride, lo, hi);
    if (flat) {
        grey = flat;
        stride = w;
        memset(hist, 0, sizeof hist);
        for (size_t i = 0; i < (size_t)w * (size_t)h; i++)
            hist[flat[i]] += 1.0;
    }
    int t = rec__glyph_otsu(hist);
    /* Label components inside the box of all ink only: on a mostly blank
     * 1200x900 picture that is a fraction of the pixels. */
    int x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (int y = 0; y < h; y++) {
        const unsigned char *p = grey + (size_t)y * (size_t)stride;
        for (int x = 0; x < w; x++)
            if (p[x] <= t) {
                if (x < x0)
                    x0 = x;
                if (x > x1)
                    x1 = x;
                if (y0 == h)
                    y0 = y;
                y1 = y;
            }
    }
    if (x1 < 0) {
        free(flat);
        return err_set("glyph has no ink (grey levels %d..%d, %dx%d)", lo, hi,
                       w, h);
    }
    int bw = x1 - x0 + 1, bh = y1 - y0 + 1;
    unsigned char *mask = malloc((size_t)bw * (size_t)bh);
    if (!mask) {
        free(flat);
        return err_set("rec_glyph_normalize_grey: out of memory (%dx%d)", bw,
                       bh);
    }
    for (int y = 0; y < bh; y++) {
        const unsigned char *p = grey + (size_t)(y + y0) * (size_t)stride + x0;
        unsigned char *m = mask + (size_t)y * (size_t)bw;
        for (int x = 0; x < bw; x++)
            m[x] = p[x] <= t;
    }
    free(flat);
    int rc = rec_glyph_drop_specks(mask, bw, bh, REC_GLYPH_SPECK_FRAC);
    if (rc >= 0)
        rc = rec_glyph_normalize_mask(mask, bw, bh, bw, dst);
    free(mask);
    return rc < 0 ? -1 : 0;
}

/**
 * Grey bytes of any PIX (colour, colour-mapped, 1 bpp: ink becomes 0; an
 * alpha channel is put over white).
 *
 * @param[in]  pix  image; not modified
 * @param[out] pw   width
 * @param[out] ph   height
 * @return new w x h bytes, row-major (caller frees), or NULL with the
 *         message set (unconvertible depth, out of memory)
 */
unsigned char *rec__pix_to_grey(PIX *pix, int *pw, int *ph)
{
    int w = (int)pixGetWidth(pix), h = (int)pixGetHeight(pix);
    /* RGBA (also how Leptonica decodes grey + alpha PNGs): over white, as
     * viewers show it; pixConvertTo8 alone ignores alpha, and a glyph drawn
     * in the alpha channel over black RGB would have no ink */
    PIX *flat = NULL;
    if (pixGetDepth(pix) == 32 && pixGetSpp(pix) == 4 &&
        !(flat = pixRemoveAlpha(pix))) {
        err_set("cannot remove the alpha channel (%dx%d image)", w, h);
        return NULL;
    }
    PIX *g = pixConvertTo8(flat ? flat : pix, 0);
    pixDestroy(&flat);
    if (!g) {
        err_set("cannot convert %d bpp image to grey", (int)pixGetDepth(pix));
        return NULL;
    }
    unsigned char *grey = malloc((size_t)w * (size_t)h);
    if (!grey) {
        pixDestroy(&g);
        err_set("out of memory (%dx%d image)", w, h);
        return NULL;
    }
    l_uint32 *data = pixGetData(g);
    int wpl = (int)pixGetWpl(g);
    for (int y = 0; y < h; y++) {
        l_uint32 *line = data + (size_t)y * (size_t)wpl;
        for (int x = 0; x < w; x++)
            grey[(size_t)y * (size_t)w + (size_t)x] =
                (unsigned char)GET_DATA_BYTE(line, x);
    }
    pixDestroy(&g);
    *pw = w;
    *ph = h;
    return grey;
}

/**
 * Normalise a glyph image of any depth for the network.
 *
 * @param[in]  pix  glyph image: 1 bpp (1 = ink) or grey/colour/colormapped
 *                  at any depth, dark ink on light paper, any margin;
 *                  not modified
 * @param[out] dst  REC_INPUT_SIZE^2 floats, ink = 1.0
 * @return 0, or -1 (no ink, unsupported image; message in err_get())
 *
 * Notes:
 *   (1) 1 bpp images skip the threshold; specks are dropped either way.
 *   (2) Other depths are converted to 8 bpp grey (colour by luminance) and
 *       go through rec_glyph_normalize_grey().
 */
int rec_glyph_normalize_pix(PIX *pix, float *dst)
{
    if (!dst)
        return err_set("rec_glyph_normalize_pix: dst is NULL");
    memset(dst, 0, sizeof(float) * REC_INPUT_SIZE * REC_INPUT_SIZE);
    if (!pix)
        return err_set("rec_glyph_normalize_pix: pix is NULL");
    int w = (int)pixGetWidth(pix), h = (int)pixGetHeight(pix);
    int d = (int)pixGetDepth(pix);
    if (w <= 0 || h <= 0)
        return err_set("rec_glyph_normalize_pix: empty image");
    if (d == 1 && !pixGetColormap(pix)) {
        unsigned char *mask = malloc((size_t)w * (size_t)h);
        if (!mask)
            return err_set("rec_glyph_normalize_pix: out of memory");
        l_uint32 *data = pixGetData(pix);
        int wpl = (int)pixGetWpl(pix);
        for (int y = 0; y < h; y++) {
            l_uint32 *line = data + (size_t)y * (size_t)wpl;
            for (int x = 0; x < w; x++)
                mask[(size_t)y * (size_t)w + (size_t)x] =
                    (unsigned char)GET_DATA_BIT(line, x);
        }
        int rc = rec_glyph_drop_specks(mask, w, h, REC_GLYPH_SPECK_FRAC);
        if (rc >= 0)
            rc = rec_glyph_normalize_mask(mask, w, h, w, dst);
        free(mask);
        return rc < 0 ? -1 : 0;
    }
    unsigned char *grey = rec__pix_to_grey(pix, &w, &h);
    if (!grey)
        return err_prefix("rec_glyph_normalize_pix");
    int rc = rec_glyph_normalize_grey(grey, w, h, w, dst);
    free(grey);
    return rc;
}
