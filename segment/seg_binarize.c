/*
 * seg_binarize.c - any page depth -> 1 bpp (ink = 1), then deskew.
 *
 * Design: the page is first reduced to 8 bpp grey (Leptonica converts
 * colormaps, 2/4/16/24/32 bpp); 1 bpp input is taken as it is. Two local
 * thresholds are offered:
 *   - Sauvola (Leptonica pixSauvolaBinarizeTiled): threshold
 *     m * (1 + k (s / 128 - 1)) over a window derived from the dpi; flat
 *     background never turns to ink because s ~ 0 puts the threshold at
 *     (1 - k) m.
 *   - adaptive Otsu: one Otsu threshold per tile (tile from the dpi), with a
 *     contrast guard: a tile whose two Otsu classes differ by less than
 *     SEG_OTSU_MIN_CONTRAST grey levels is all background, so blank paper and
 *     scanner noise give no ink. Thresholds are interpolated bilinearly
 *     between tile centres so that tile seams do not show in strokes.
 * Deskew finds the skew with Leptonica's sweep-and-search on a 4x/2x reduced
 * copy of the binary page (range +-5 degrees) and rotates the 1 bpp page by
 * sampling, bringing in white.
 * Threading: no global state.
 */
#include "segment/seg_internal.h"

#include "common/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SEG_OTSU_MIN_CONTRAST 28.0f
#define SEG_SKEW_RANGE_DEG 5.0f
#define SEG_SKEW_MIN_CONF 2.5f
#define SEG_SKEW_MIN_DEG 0.08f

/**
 * Fill binarisation settings with the defaults (see docs/segment.md).
 *
 * @param[out] opt  settings to fill
 */
void seg_binarize_options_init(SegBinarizeOptions *opt)
{
    if (!opt)
        return;
    memset(opt, 0, sizeof *opt);
    opt->method = SEG_BINARIZE_SAUVOLA;
    opt->window = 0;
    opt->k = 0.34f;
    opt->deskew = 1;
}

/* Otsu threshold of a 256-bin histogram. Returns the threshold t (ink is
 * grey < t... i.e. <= t) and the two class means through plo/phi.
 * Returns -1 for an empty histogram. */
static int otsu_hist(const unsigned *hist, float *plo, float *phi)
{
    double total = 0, sum = 0;
    for (int i = 0; i < 256; i++) {
        total += hist[i];
        sum += (double)i * hist[i];
    }
    if (total <= 0)
        return -1;
    double w0 = 0, sum0 = 0, best = -1;
    int t = 0;
    float lo = 0, hi = 0;
    for (int i = 0; i < 255; i++) {
        w0 += hist[i];
        sum0 += (double)i * hist[i];
        double w1 = total - w0;
        if (w0 <= 0 || w1 <= 0)
            continue;
        double m0 = sum0 / w0, m1 = (sum - sum0) / w1;
        double var = w0 * w1 * (m0 - m1) * (m0 - m1);
        if (var > best) {
            best = var;
            t = i;
            lo = (float)m0;
            hi = (float)m1;
        }
    }
    if (best < 0) { /* one grey level only */
        for (int i = 0; i < 256; i++)
            if (hist[i]) {
                t = i;
                lo = hi = (float)i;
                break;
            }
    }
    *plo = lo;
    *phi = hi;
    return t;
}

/* Adaptive Otsu with a contrast guard; see the file header. */
static PIX *binarize_otsu(PIX *pixg, int tile)
{
    int w = pixGetWidth(pixg), h = pixGetHeight(pixg);
    int nx = (w + tile - 1) / tile, ny = (h + tile - 1) / tile;
    unsigned *hist = calloc((size_t)nx * 256, sizeof *hist);
    float *th = malloc((size_t)nx * ny * sizeof *th);
    PIX *pixd = pixCreate(w, h, 1);
    if (!hist || !th || !pixd) {
        free(hist);
        free(th);
        pixDestroy(&pixd);
        err_set("binarize: out of memory (%dx%d page)", w, h);
        return NULL;
    }
    l_uint32 *gdata = pixGetData(pixg);
    int gwpl = pixGetWpl(pixg);
    for (int ty = 0; ty < ny; ty++) {
        memset(hist, 0, (size_t)nx * 256 * sizeof *hist);
        int y1 = (ty + 1) * tile < h ? (ty + 1) * tile : h;
        for (int y = ty * tile; y < y1; y++) {
            l_uint32 *line = gdata + (size_t)y * gwpl;
            for (int x = 0; x < w; x++)
                hist[(size_t)(x / tile) * 256 + GET_DATA_BYTE(line, x)]++;
        }
        for (int tx = 0; tx < nx; tx++) {
            float lo, hi;
            int t = otsu_hist(hist + (size_t)tx * 256, &lo, &hi);
            /* -1 = no ink in this tile */
            th[ty * nx + tx] = (t < 0 || hi - lo < SEG_OTSU_MIN_CONTRAST)
                                   ? -1.0f
                                   : (float)t;
        }
    }
    /* A tile without contrast next to one with ink takes no threshold of
     * its own; interpolation uses -1 there, which keeps the blank side
     * clean while a stroke crossing the seam stays (its own tile has one). */
    l_uint32 *ddata = pixGetData(pixd);
    int dwpl = pixGetWpl(pixd);
    for (int y = 0; y < h; y++) {
        float fy = ((float)y + 0.5f) / tile - 0.5f;
        int ty0 = (int)floorf(fy);
        float ay = fy - ty0;
        int ty1 = ty0 + 1;
        if (ty0 < 0)
            ty0 = 0;
        if (ty1 > ny - 1)
            ty1 = ny - 1;
        l_uint32 *gl = gdata + (size_t)y * gwpl;
        l_uint32 *dl = ddata + (size_t)y * dwpl;
        const float *r0 = th + ty0 * nx, *r1 = th + ty1 * nx;
        int own_ty = y / tile;
        for (int x = 0; x < w; x++) {
            int own = own_ty * nx + x / tile;
            if (th[own] < 0)
                continue;
            float fx = ((float)x + 0.5f) / tile - 0.5f;
            int tx0 = (int)floorf(fx);
            float ax = fx - tx0;
            int tx1 = tx0 + 1;
            if (tx0 < 0)
                tx0 = 0;
            if (tx1 > nx - 1)
                tx1 = nx - 1;
            /* Interpolate over the neighbours that have a threshold. */
            float v[4] = {r0[tx0], r0[tx1], r1[tx0], r1[tx1]};
            float wt[4] = {(1 - ax) * (1 - ay), ax * (1 - ay), (1 - ax) * ay,
                           ax * ay};
            float s = 0, ws = 0;
            for (int k = 0; k < 4; k++)
                if (v[k] >= 0) {
                    s += v[k] * wt[k];
                    ws += wt[k];
                }
            float t = ws > 0 ? s / ws : th[own];
            if ((float)GET_DATA_BYTE(gl, x) <= t)
                SET_DATA_BIT(dl, x);
        }
    }
    free(hist);
    free(th);
    return pixd;
}

/* Global Otsu for pages too small for a local window. */
static PIX *binarize_global(PIX *pixg)
{
    unsigned hist[256] = {0};
    int w = pixGetWidth(pixg), h = pixGetHeight(pixg);
    for (int y = 0; y < h; y++) {
        l_uint32 *line = pixGetData(pixg) + (size_t)y * pixGetWpl(pixg);
        for (int x = 0; x < w; x++)
            hist[GET_DATA_BYTE(line, x)]++;
    }
    float lo, hi;
    int t = otsu_hist(hist, &lo, &hi);
    if (t < 0 || hi - lo < SEG_OTSU_MIN_CONTRAST)
        return pixCreate(w, h, 1);
    return pixThresholdToBinary(pixg, t + 1);
}

/* Rotate a 1 bpp page by -angle (degrees) about its centre, white in. */
static PIX *rotate_binary(PIX *pixb, float angle_deg)
{
    return pixRotate(pixb, (float)(angle_deg * M_PI / 180.0),
                     L_ROTATE_SAMPLING, L_BRING_IN_WHITE, 0, 0);
}

/* Measure the skew of a 1 bpp page. Returns the angle in degrees (0 when
 * there is too little text to be sure). */
static float find_skew(PIX *pixb)
{
    int w = pixGetWidth(pixb), h = pixGetHeight(pixb);
    if (w < 64 || h < 64)
        return 0.0f;
    l_int32 on = 0;
    pixCountPixels(pixb, &on, NULL);
    /* Blank, or nearly all ink (a black page): nothing to measure. */
    if (on < 50 || (double)on > 0.6 * (double)w * h)
        return 0.0f;
    int red_sweep = w >= 1000 ? 4 : (w >= 400 ? 2 : 1);
    int red_search = red_sweep >= 2 ? red_sweep / 2 : 1;
    l_float32 angle = 0, conf = 0;
    if (pixFindSkewSweepAndSearch(pixb, &angle, &conf, red_sweep, red_search,
                                  SEG_SKEW_RANGE_DEG, 1.0f, 0.01f) != 0)
        return 0.0f;
    if (conf < SEG_SKEW_MIN_CONF || fabsf(angle) < SEG_SKEW_MIN_DEG)
        return 0.0f;
    if (angle > SEG_SKEW_RANGE_DEG)
        angle = SEG_SKEW_RANGE_DEG;
    if (angle < -SEG_SKEW_RANGE_DEG)
        angle = -SEG_SKEW_RANGE_DEG;
    return angle;
}

/**
 * Binarise a page of any depth to 1 bpp with ink = 1, and deskew it.
 *
 * @param[in]  pixs       page: 1, 2, 4, 8, 16, 24 or 32 bpp, colormap allowed;
 *                        not modified
 * @param[in]  dpi        resolution; <= 0 means unknown (300 is assumed for
 *                        the window size)
 * @param[in]  opt        [optional] settings; NULL = defaults
 * @param[out] pskew_deg  [optional] skew that was removed, degrees (positive:
 *                        the text rose to the right... as Leptonica measures)
 * @return new 1 bpp PIX (caller owns; pixDestroy()), or NULL on error
 *
 * Notes:
 *   (1) 1 bpp input is copied, not re-thresholded: ink is already 1.
 *   (2) Window: opt->window, else dpi / 12 (25 px at 300 dpi), at least 7,
 *       and shrunk to fit small pages. Pages smaller than 16 px either way
 *       get one global Otsu threshold.
 *   (3) Blank, nearly blank and all-dark pages give a sane result (no ink,
 *       or what contrast there is) and never an error.
 */
PIX *seg_page_binarize(PIX *pixs, int dpi, const SegBinarizeOptions *opt,
                       float *pskew_deg)
{
    SegBinarizeOptions def;
    if (pskew_deg)
        *pskew_deg = 0.0f;
    if (!opt) {
        seg_binarize_options_init(&def);
        opt = &def;
    }
    if (!pixs) {
        err_set("binarize: no image");
        return NULL;
    }
    int w = pixGetWidth(pixs), h = pixGetHeight(pixs), d = pixGetDepth(pixs);
    if (w < 1 || h < 1) {
        err_set("binarize: empty image (%dx%d)", w, h);
        return NULL;
    }
    if (d != 1 && d != 2 && d != 4 && d != 8 && d != 16 && d != 24 &&
        d != 32) {
        err_set("binarize: unsupported depth %d bpp", d);
        return NULL;
    }
    if (opt->method != SEG_BINARIZE_SAUVOLA &&
        opt->method != SEG_BINARIZE_OTSU) {
        err_set("binarize: unknown method %d", (int)opt->method);
        return NULL;
    }
    if (!(opt->k > 0.0f && opt->k < 1.0f)) {
        err_set("binarize: Sauvola k must be in (0, 1), got %g",
                (double)opt->k);
        return NULL;
    }
    if (dpi <= 0)
        dpi = 300;

    PIX *pixb = NULL;
    if (d == 1 && !pixGetColormap(pixs)) {
        pixb = pixCopy(NULL, pixs);
    } else {
        PIX *pixg = pixConvertTo8(pixs, 0);
        if (!pixg) {
            err_set("binarize: cannot convert %d bpp page to grey", d);
            return NULL;
        }
        int half = opt->window > 0 ? opt->window : dpi / 12;
        if (half < 7)
            half = 7;
        int lim = ((w < h ? w : h) - 3) / 2;
        if (half > lim)
            half = lim;
        if (half < 2) {
            pixb = binarize_global(pixg);
        } else if (opt->method == SEG_BINARIZE_SAUVOLA) {
            /* Tiles keep Leptonica's accumulators small on big pages. */
            int nx = w / 1200 + 1, ny = h / 1200 + 1;
            while (nx > 1 && w / nx < 2 * half + 3)
                nx--;
            while (ny > 1 && h / ny < 2 * half + 3)
                ny--;
            if (pixSauvolaBinarizeTiled(pixg, half, opt->k, nx, ny, NULL,
                                        &pixb) != 0)
                pixb = NULL;
        } else {
            int tile = dpi / 3; /* ~ one line of handprint, 100 px at 300 */
            if (tile < 16)
                tile = 16;
            pixb = binarize_otsu(pixg, tile);
        }
        pixDestroy(&pixg);
        if (!pixb) {
            if (!err_get()[0])
                err_set("binarize: thresholding failed (%dx%d)", w, h);
            return NULL;
        }
    }
    if (!pixb) {
        err_set("binarize: out of memory (%dx%d page)", w, h);
        return NULL;
    }
    pixSetResolution(pixb, dpi, dpi);

    if (opt->deskew) {
        float angle = find_skew(pixb);
        if (angle != 0.0f) {
            PIX *pixr = rotate_binary(pixb, angle);
            if (pixr) {
                pixDestroy(&pixb);
                pixb = pixr;
                if (pskew_deg)
                    *pskew_deg = angle;
            }
        }
    }
    return pixb;
}
