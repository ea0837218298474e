/*
 * seg_binarize.c - any page depth -> 1 bpp (ink = 1), then deskew.
 *
 * Design: the page is first reduced to 8 bpp grey (Leptonica converts
 * colormaps, 2/4/16/24/32 bpp); 1 bpp input is taken as it is. Two local
 * thresholds are offered:
 *   - Sauvola: threshold m * (1 + k (s / 128 - 1)) over a window derived
 *     from the dpi; flat background never turns to ink because s ~ 0 puts
 *     the threshold at (1 - k) m. The window statistics are taken on a grid
 *     of cells (a quarter of the half-window) with summed-area tables and
 *     the threshold is interpolated between cell centres: the same result
 *     as Leptonica's per-pixel pixSauvolaBinarize within a pixel or two of
 *     stroke edge, at a fraction of the cost (docs/segment.md).
 *   - adaptive Otsu: one Otsu threshold per tile (tile from the dpi), with a
 *     contrast guard: a tile whose two Otsu classes differ by less than
 *     SEG_OTSU_MIN_CONTRAST grey levels is all background, so blank paper and
 *     scanner noise give no ink. Thresholds are interpolated bilinearly
 *     between tile centres so that tile seams do not show in strokes.
 * Deskew finds the skew with Leptonica's sweep-and-search on a 4x/2x reduced
 * copy of the binary page (range +-5 degrees; seg_skew.c scores the shears
 * from row counts, with Leptonica's results) and turns the 1 bpp page by
 * two shears of whole pixels, bringing in white; on a form, the parts
 * about its rules are thresholded again from the grey page turned
 * (seg_rotate.c; seg_page_binarize note 8).
 * Sauvola's window comes from the dpi, then, when the glyphs the first
 * pass found are far from that scale (a crop, a page of small writing),
 * from the glyphs, in a second pass (binarize_sauvola_fit).
 * Threading: no global state.
 */
#include "segment/seg_internal.h"

#include "common/err.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SEG_OTSU_MIN_CONTRAST 28.0f
#define SEG_SKEW_RANGE_DEG 5.0f
#define SEG_SKEW_MIN_CONF 1.5f
#define SEG_SKEW_MIN_DEG 0.25f
/* Faint rules (note 7): how far (degrees) the skew measured with them
 * painted may move from the one they were searched along before they
 * are searched again along it. */
#define SEG_FAINT_RESKEW 0.2f
/* Deskew (seg_page_binarize note 8): a page turned holds rules (a form)
 * when SEG_RULE_ROWS of its rows, deskewed, hold a run of ink at least
 * SEG_RULE_INCH long (whole words of 32 px: 64 px at 300 dpi); the band
 * about each rule thresholded again from the grey page turned: glyph
 * heights above it (a comb's ticks, as the furniture step looks for
 * them; a box), at least an inch share, and below it. */
#define SEG_RULE_INCH 0.3f
#define SEG_RULE_ROWS 2
#define SEG_BAND_ABOVE 2.5f
#define SEG_BAND_INCH 0.3f
#define SEG_BAND_BELOW 0.5f
/* Sauvola half-window per typical glyph height (ink_median_height): the
 * dpi's 25 px at 300 dpi for the ~60 px that 300 dpi handprint measures
 * (68 on the 8x copy of an A4 page: 29);
 * how far (a factor) the glyphs' window must be from the first one before
 * the page is thresholded again with it; the smallest window; the pieces
 * needed to trust the height. */
#define SEG_WIN_PER_GLYPH 0.42f
#define SEG_WIN_FAR 2.0f
#define SEG_WIN_MIN 7
#define SEG_WIN_MIN_PIECES 5
#define SEG_WIN_FULL_PIXELS 1000000.0
/* Small writing: a page of at most SEG_WIN_FULL_PIXELS pixels whose
 * glyphs (ink_median_height) are under SEG_SMALL_GLYPH px is thresholded
 * again from its grey image enlarged SEG_UPSCALE times (when the caller
 * can take a larger page: seg_page_binarize's pscale). Measured on the
 * real name crops (docs/segment.md "Small writing"). */
#define SEG_SMALL_GLYPH 10.0f
#define SEG_UPSCALE 2

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
    opt->k = 0.2f; /* measured: docs/segment.md */
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

/* Are the 32-pixel words over pixels [xa, xb) all blank (blank: one
 * flag a word; NULL = none is)? */
static int span_blank(const unsigned char *blank, int xa, int xb)
{
    if (!blank || xb <= xa)
        return 0;
    for (int wi = xa / 32; wi <= (xb - 1) / 32; wi++)
        if (!blank[wi])
            return 0;
    return 1;
}

/* One row of thresholds from per-cell-column values rt (< 0 = none):
 * linear between cell centres, flat beyond the outer centres. The spans
 * between two centres that lie in blank words only (blank, optional: the
 * words apply_grid writes as paper) are left out; the others get the
 * same values as without blank (each span is worked out from its own
 * start). */
static void row_thresholds(const float *rt, int nx, int cell, int w,
                           const unsigned char *blank, short *thr)
{
    int c0 = cell / 2;
    for (int x = 0; x < c0 && x < w; x++)
        thr[x] = (short)(rt[0] < 0 ? -1 : (int)rt[0]);
    for (int k = 0; k + 1 < nx; k++) {
        int xa = k * cell + c0, xb = xa + cell > w ? w : xa + cell;
        if (span_blank(blank, xa, xb))
            continue;
        float a = rt[k], b = rt[k + 1];
        if (a >= 0 && b >= 0) {
            float t = a, dt = (b - a) / cell;
            for (int x = xa; x < xb; x++, t += dt)
                thr[x] = (short)t;
        } else {
            short v = (short)(a >= 0 ? (int)a : b >= 0 ? (int)b : -1);
            for (int x = xa; x < xb; x++)
                thr[x] = v;
        }
    }
    int xl = (nx - 1) * cell + c0;
    for (int x = xl < 0 ? 0 : xl; x < w; x++)
        thr[x] = (short)(rt[nx - 1] < 0 ? -1 : (int)rt[nx - 1]);
}

/* Thresholds of one row, in logical pixel order (thr) -> in the order of
 * the bytes in memory (Leptonica keeps the 4 bytes of a word in reverse
 * order on little-endian machines; GET_DATA_BYTE), for the 32-pixel
 * groups that are not blank (blank: NULL = none is). */
static void thr_to_memory_order(const short *restrict thr, int n,
                                const unsigned char *blank,
                                short *restrict tm)
{
    for (int g = 0; g < n / 32; g++) {
        if (blank && blank[g])
            continue;
        const short *t = thr + 32 * g;
        short *m = tm + 32 * g;
#ifdef L_BIG_ENDIAN
        memcpy(m, t, 32 * sizeof *m);
#else
        /* each group of 4 reversed, written out so that the compiler
         * vectorises it (the loop over x ^ 3 stayed scalar: ~1 ms of a
         * 300 dpi A4 page) */
        for (int x = 0; x < 32; x += 4) {
            m[x] = t[x + 3];
            m[x + 1] = t[x + 2];
            m[x + 2] = t[x + 1];
            m[x + 3] = t[x];
        }
#endif
    }
}

/* 32 compare results c[0..31] (0/1, in memory byte order) -> one word of
 * a 1 bpp row (logical pixel x at bit 31 - x). */
static inline l_uint32 pack_word(const unsigned char *c)
{
    l_uint32 word = 0;
    for (int q = 0; q < 4; q++) {
        uint64_t u;
        memcpy(&u, c + 8 * q, 8);
#ifdef L_BIG_ENDIAN
        /* bytes in logical order, byte j of u at bits 56 - 8j */
        u = u | u << 7 | u << 14 | u << 21 | u << 28 | u << 35 | u << 42 |
            u << 49;
        word |= (l_uint32)(u >> 56) << (24 - 8 * q);
#else
        /* memory bytes 4k+j hold logical pixels 4k+3-j: the low bits of
         * bytes 4k..4k+3 become one nibble, j at bit j */
        u = u | u >> 7 | u >> 14 | u >> 21;
        l_uint32 lo = (l_uint32)(u & 0xf), hi = (l_uint32)((u >> 32) & 0xf);
        word |= lo << (28 - 8 * q) | hi << (24 - 8 * q);
#endif
    }
    return word;
}

/* The 1 bpp words of cell row oy that no pixel can be ink in: blank[wi]
 * = 1 when the least grey of the word's pixels over the cell row
 * (wmin[oy], from seg__cell_sums) is above every threshold the word's pixels
 * can get. A pixel's threshold lies between the thresholds of the cells
 * next to its own (bilinear interpolation between cell centres, from the
 * cell rows and columns one either side), so the highest of those bounds
 * it; one grey level of margin covers the rounding of the interpolation.
 * Returns whether any word of the row is left to compare. */
static int blank_words(const float *th, int nx, int ny, int cell, int w,
                       int oy, const unsigned char *wmin, float *colmax,
                       unsigned char *blank)
{
    int nwords = (w + 31) / 32, any = 0;
    int r0 = oy > 0 ? oy - 1 : 0, r1 = oy + 1 < ny ? oy + 1 : ny - 1;
    for (int tx = 0; tx < nx; tx++) {
        float m = -1.0f;
        for (int r = r0; r <= r1; r++)
            if (th[(size_t)r * nx + tx] > m)
                m = th[(size_t)r * nx + tx];
        colmax[tx] = m;
    }
    for (int wi = 0; wi < nwords; wi++) {
        int xe = 32 * wi + 31 < w ? 32 * wi + 31 : w - 1;
        int c0 = 32 * wi / cell - 1, c1 = xe / cell + 1;
        if (c0 < 0)
            c0 = 0;
        if (c1 > nx - 1)
            c1 = nx - 1;
        float m = -1.0f;
        for (int c = c0; c <= c1; c++)
            if (colmax[c] > m)
                m = colmax[c];
        blank[wi] = m < 0 || (int)wmin[(size_t)oy * nwords + wi] >
                                 (int)floorf(m) + 1;
        any |= !blank[wi];
    }
    return any;
}

/* Apply a grid of thresholds (ny x nx cells of cell px; th < 0 = no ink
 * in that cell) to a grey page: thresholds are interpolated bilinearly
 * between cell centres (vertically in steps of 4 rows, which the smooth
 * statistics allow), from the cells that have one; a pixel in a cell
 * without a threshold is never ink. Ink = grey <= threshold. Each row is
 * compared 32 pixels at a time in memory byte order against thresholds
 * kept in that order, so the compiler can vectorise the compare. With
 * wmin (each cell row's least grey per 1 bpp word, seg__cell_sums), words
 * that cannot hold ink are written as paper without comparing
 * (blank_words), and rows of cells without any such word are skipped
 * whole: most of a page is paper. The result is the same with or
 * without wmin. */
static PIX *apply_grid(PIX *pixg, const float *th, int nx, int ny, int cell,
                       const unsigned char *wmin)
{
    int w = pixGetWidth(pixg), h = pixGetHeight(pixg);
    PIX *pixd = pixCreateNoInit(w, h, 1);
    float *rt = malloc((size_t)nx * sizeof *rt);
    int wpad = (w + 31) / 32 * 32;
    short *thr = malloc((size_t)(wpad + 32) * sizeof *thr);
    short *tm = malloc((size_t)(wpad + 32) * sizeof *tm);
    /* the grey row, padded to whole 32-pixel groups */
    unsigned char *gpad = calloc((size_t)wpad + 32, 1);
    float *colmax = malloc((size_t)nx * sizeof *colmax);
    unsigned char *blank = calloc((size_t)wpad / 32, 1);
    if (!pixd || !rt || !thr || !tm || !gpad || !colmax || !blank) {
        pixDestroy(&pixd);
        free(rt);
        free(thr);
        free(tm);
        free(gpad);
        free(colmax);
        free(blank);
        err_set("binarize: out of memory (%dx%d page)", w, h);
        return NULL;
    }
    /* pixels past w (padding) are never ink */
    for (int x = w; x < wpad + 32; x++)
        thr[x] = -1;
    l_uint32 *gdata = pixGetData(pixg), *ddata = pixGetData(pixd);
    int gwpl = pixGetWpl(pixg), dwpl = pixGetWpl(pixd);
    int step = cell < 4 ? cell : 4;
    int nfull = w / 32; /* groups read straight from the page */
    int any = 1; /* the current cell row has words to compare */
    for (int y = 0; y < h; y++) {
        l_uint32 *dl = ddata + (size_t)y * dwpl;
        if (wmin && y % cell == 0) {
            int oy = y / cell < ny ? y / cell : ny - 1;
            any = blank_words(th, nx, ny, cell, w, oy, wmin, colmax, blank);
        }
        if (!any) { /* thresholds are worked out again at the next cell
                     * row, which starts a step */
            memset(dl, 0, (size_t)dwpl * sizeof *dl);
            continue;
        }
        if (y % step == 0 || y % cell == 0) {
            float fy = ((float)y + 0.5f * step) / cell - 0.5f;
            int ty0 = (int)floorf(fy);
            float ay = fy - ty0;
            int ty1 = ty0 + 1;
            if (ty0 < 0) {
                ty0 = 0;
                ay = 0;
            }
            if (ty0 > ny - 1)
                ty0 = ny - 1;
            if (ty1 > ny - 1)
                ty1 = ny - 1;
            const float *r0 = th + (size_t)ty0 * nx, *r1 = th + (size_t)ty1 * nx;
            for (int tx = 0; tx < nx; tx++) {
                float a = r0[tx], b = r1[tx];
                rt[tx] = a >= 0 && b >= 0 ? a + (b - a) * ay
                         : a >= 0         ? a
                                          : b;
            }
            const unsigned char *bl = wmin ? blank : NULL;
            row_thresholds(rt, nx, cell, w, bl, thr);
            /* own cell without a threshold: no ink */
            int oy = y / cell < ny ? y / cell : ny - 1;
            const float *own = th + (size_t)oy * nx;
            for (int tx = 0; tx < nx; tx++)
                if (own[tx] < 0) {
                    int x1 = (tx + 1) * cell < w ? (tx + 1) * cell : w;
                    for (int x = tx * cell; x < x1; x++)
                        thr[x] = -1;
                }
            thr_to_memory_order(thr, wpad, bl, tm);
        }
        const unsigned char *gl = (const unsigned char *)(gdata + (size_t)y * gwpl);
        for (int wi = 0; wi < dwpl; wi++) {
            if (blank[wi]) {
                dl[wi] = 0;
                continue;
            }
            const unsigned char *g = gl + 32 * (size_t)wi;
            if (wi >= nfull) { /* last, partial group: copy what exists */
                size_t have = (size_t)gwpl * 4 - 32 * (size_t)wi;
                memcpy(gpad, g, have < 32 ? have : 32);
                g = gpad;
            }
            const short *t = tm + 32 * (size_t)wi;
            unsigned char c[32];
            for (int b = 0; b < 32; b++)
                c[b] = g[b] <= t[b];
            dl[wi] = pack_word(c);
        }
    }
    free(gpad);
    free(rt);
    free(thr);
    free(tm);
    free(colmax);
    free(blank);
    return pixd;
}

/* Per-cell sums of grey and grey^2 over cells of cell x cell px. The
 * rows of a cell row are added up column by column (memory byte order)
 * into 32-bit per-column sums (a column's sum of squares over a cell row
 * stays below 2^32 for cells up to 16 px); then the columns are summed
 * into their cells, pixel by pixel in registers (pixel x's column: memory
 * byte x ^ 3 on little-endian machines), and added to the tables as
 * doubles. The sums are exact, so the order does not change them. */

/* Over the rows rows of g (stride bytes apart), for each column i < n:
 * a1[i] = the sum of g[.][i], a2[i] = the sum of their squares, amin[i] =
 * their minimum. rows <= 16 (the sums of 8-bit values fit 16 bits). With
 * SSE2, 16 columns at a time, every row added in registers and each sum
 * stored once. */
static void add_rows(const unsigned char *g, size_t stride, int rows,
                     uint32_t *restrict a1, uint32_t *restrict a2,
                     unsigned char *restrict amin, size_t n)
{
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i z = _mm_setzero_si128();
    for (; i + 16 <= n; i += 16) {
        __m128i s1l = z, s1h = z, s2a = z, s2b = z, s2c = z, s2d = z;
        __m128i m = _mm_set1_epi8((char)-1);
        for (int r = 0; r < rows; r++) {
            __m128i v =
                _mm_loadu_si128((const __m128i *)(const void *)(g + (size_t)r *
                                                                stride + i));
            __m128i lo = _mm_unpacklo_epi8(v, z), hi = _mm_unpackhi_epi8(v, z);
            s1l = _mm_add_epi16(s1l, lo);
            s1h = _mm_add_epi16(s1h, hi);
            __m128i ql = _mm_mullo_epi16(lo, lo), qh = _mm_mullo_epi16(hi, hi);
            s2a = _mm_add_epi32(s2a, _mm_unpacklo_epi16(ql, z));
            s2b = _mm_add_epi32(s2b, _mm_unpackhi_epi16(ql, z));
            s2c = _mm_add_epi32(s2c, _mm_unpacklo_epi16(qh, z));
            s2d = _mm_add_epi32(s2d, _mm_unpackhi_epi16(qh, z));
            m = _mm_min_epu8(m, v);
        }
        __m128i *d1 = (__m128i *)(void *)(a1 + i);
        __m128i *d2 = (__m128i *)(void *)(a2 + i);
        _mm_storeu_si128(d1, _mm_unpacklo_epi16(s1l, z));
        _mm_storeu_si128(d1 + 1, _mm_unpackhi_epi16(s1l, z));
        _mm_storeu_si128(d1 + 2, _mm_unpacklo_epi16(s1h, z));
        _mm_storeu_si128(d1 + 3, _mm_unpackhi_epi16(s1h, z));
        _mm_storeu_si128(d2, s2a);
        _mm_storeu_si128(d2 + 1, s2b);
        _mm_storeu_si128(d2 + 2, s2c);
        _mm_storeu_si128(d2 + 3, s2d);
        _mm_storeu_si128((__m128i *)(void *)(amin + i), m);
    }
#endif
    for (; i < n; i++) {
        uint32_t s1 = 0, s2 = 0;
        unsigned char m = 255;
        for (int r = 0; r < rows; r++) {
            uint32_t v = g[(size_t)r * stride + i];
            s1 += v;
            s2 += v * v;
            m = (unsigned char)v < m ? (unsigned char)v : m;
        }
        a1[i] = s1;
        a2[i] = s2;
        amin[i] = m;
    }
}

/**
 * The summed-area tables of the page's cells, built row by row as each
 * cell row is summed (no per-cell table in between: two 7.7 MB tables of
 * doubles fewer to write and read on a 300 dpi A4 page with 3-pixel
 * cells).
 *
 * @param[in]  pixg    8 bpp page
 * @param[in]  cell    the cell's side, px (2..16)
 * @param[in]  nx, ny  cells across and down (the last ones may be cut)
 * @param[out] i1, i2  the tables of grey sums and sums of squares,
 *                     (nx + 1) x (ny + 1), row 0 and column 0 zero
 * @param[out] wmin    ny rows of one byte per 1 bpp word ((w + 31) / 32):
 *                     each cell row's least grey per word, for
 *                     apply_grid's skip of paper
 * @return 0, or -1 out of memory
 */
int seg__cell_sums(PIX *pixg, int cell, int nx, int ny, double *i1,
                   double *i2, unsigned char *wmin)
{
    int w = pixGetWidth(pixg), h = pixGetHeight(pixg);
    l_uint32 *gdata = pixGetData(pixg);
    int gwpl = pixGetWpl(pixg);
    size_t nb = (size_t)gwpl * 4;
    uint32_t *a1 = malloc(nb * sizeof *a1);
    uint32_t *a2 = malloc(nb * sizeof *a2);
    /* per-byte minimum over a cell row, for wmin (bytes past the row's own
     * stay 255) */
    size_t nwords = ((size_t)w + 31) / 32;
    unsigned char *amin = malloc(nwords * 32);
    if (!a1 || !a2 || !amin) {
        free(a1);
        free(a2);
        free(amin);
        return err_set("binarize: out of memory (%dx%d page)", w, h);
    }
    memset(amin, 255, nwords * 32); /* the bytes past nb stay 255 */
    size_t stride = (size_t)nx + 1;
    memset(i1, 0, stride * sizeof *i1);
    memset(i2, 0, stride * sizeof *i2);
    for (int y0 = 0; y0 < h; y0 += cell) {
        size_t ty = (size_t)(y0 / cell);
        add_rows((const unsigned char *)(gdata + (size_t)y0 * gwpl),
                 (size_t)gwpl * 4, y0 + cell <= h ? cell : h - y0, a1, a2,
                 amin, nb);
        /* memory bytes 32 wi .. 32 wi + 31 are the logical pixels of 1 bpp
         * word wi (the byte swap stays inside each 4 bytes); the row's
         * padding bytes (pixels past w, never ink) count too: whatever
         * they hold can only keep a word from being skipped */
        for (size_t wi = 0; wi < nwords; wi++) {
            unsigned char m = 255;
            for (int b = 0; b < 32; b++)
                m = amin[32 * wi + b] < m ? amin[32 * wi + b] : m;
            wmin[ty * nwords + wi] = m;
        }
        /* row ty + 1 of the tables: the one above plus this cell row's
         * running sums; a cell's sums are taken over its pixels in order
         * (memory byte of pixel x: x ^ 3 on little-endian machines) in
         * registers */
        const double *u1 = i1 + ty * stride, *u2 = i2 + ty * stride;
        double *r1 = i1 + (ty + 1) * stride, *r2 = i2 + (ty + 1) * stride;
        double a = 0, b = 0;
        r1[0] = 0;
        r2[0] = 0;
        int x = 0;
        for (int tx = 0; tx < nx; tx++) {
            uint32_t s1 = 0, s2 = 0;
            int xe = x + cell < w ? x + cell : w;
            for (; x < xe; x++) {
#ifdef L_BIG_ENDIAN
                size_t i = (size_t)x;
#else
                size_t i = (size_t)(x ^ 3);
#endif
                s1 += a1[i];
                s2 += a2[i];
            }
            a += s1;
            b += s2;
            r1[tx + 1] = u1[tx + 1] + a;
            r2[tx + 1] = u2[tx + 1] + b;
        }
    }
    (void)ny;
    free(a1);
    free(a2);
    free(amin);
    return 0;
}

/* 32 bpp RGB -> 8 bpp luminance with integer weights (0.30, 0.59, 0.11),
 * much cheaper than the float conversion. */
static PIX *rgb_to_grey(PIX *pixs)
{
    int w = pixGetWidth(pixs), h = pixGetHeight(pixs);
    PIX *pixg = pixCreate(w, h, 8);
    if (!pixg)
        return NULL;
    l_uint32 *sdata = pixGetData(pixs), *gdata = pixGetData(pixg);
    int swpl = pixGetWpl(pixs), gwpl = pixGetWpl(pixg);
    for (int y = 0; y < h; y++) {
        const l_uint32 *sl = sdata + (size_t)y * swpl;
        l_uint32 *gl = gdata + (size_t)y * gwpl;
        for (int x = 0; x < w; x++) {
            l_uint32 p = sl[x];
            unsigned r = p >> 24, g = (p >> 16) & 0xff, b = (p >> 8) & 0xff;
            SET_DATA_BYTE(gl, x, (77 * r + 151 * g + 28 * b) >> 8);
        }
    }
    pixCopyResolution(pixg, pixs);
    return pixg;
}

/* The window of cell row ty (R cells each side): its rows of the
 * summed-area tables and its height, px. */
typedef struct {
    const double *a1, *c1, *a2, *c2; /* i1, i2 at its top and bottom */
    int nx, R, cell, w;
    double rows; /* pixel rows */
    float k;
} CellRow;

/* Sauvola's thresholds of cells [t0, t1) of a row, one at a time. */
static void cell_thresholds_scalar(const CellRow *cr, int t0, int t1,
                                   float *th)
{
    for (int tx = t0; tx < t1; tx++) {
        int x0 = tx - cr->R < 0 ? 0 : tx - cr->R;
        int x1 = tx + cr->R + 1 > cr->nx ? cr->nx : tx + cr->R + 1;
        int px1 = x1 * cr->cell < cr->w ? x1 * cr->cell : cr->w;
        double cnt = (double)(px1 - x0 * cr->cell) * cr->rows;
        double sum = cr->c1[x1] - cr->a1[x1] - cr->c1[x0] + cr->a1[x0];
        double sq = cr->c2[x1] - cr->a2[x1] - cr->c2[x0] + cr->a2[x0];
        double m = sum / cnt, var = sq / cnt - m * m;
        double sd = var > 0 ? sqrt(var) : 0;
        th[tx] = (float)(m * (1.0 + cr->k * (sd / 128.0 - 1.0)));
    }
}

#if defined(__SSE2__)
/* The same for cells [t0, t1) whose window lies inside the page across
 * (2R + 1 whole cells), two at a time: the same IEEE operations in the
 * same order, so the same floats. Returns the first cell not done. */
static int cell_thresholds_sse2(const CellRow *cr, int t0, int t1, float *th)
{
    const __m128d cnt = _mm_set1_pd((double)((2 * cr->R + 1) * cr->cell) *
                                    cr->rows);
    const __m128d k = _mm_set1_pd((double)cr->k), one = _mm_set1_pd(1.0);
    const __m128d c128 = _mm_set1_pd(128.0), zero = _mm_setzero_pd();
    int tx = t0;
    for (; tx + 2 <= t1; tx += 2) {
        int x0 = tx - cr->R, x1 = tx + cr->R + 1;
        __m128d sum = _mm_add_pd(
            _mm_sub_pd(_mm_sub_pd(_mm_loadu_pd(cr->c1 + x1),
                                  _mm_loadu_pd(cr->a1 + x1)),
                       _mm_loadu_pd(cr->c1 + x0)),
            _mm_loadu_pd(cr->a1 + x0));
        __m128d sq = _mm_add_pd(
            _mm_sub_pd(_mm_sub_pd(_mm_loadu_pd(cr->c2 + x1),
                                  _mm_loadu_pd(cr->a2 + x1)),
                       _mm_loadu_pd(cr->c2 + x0)),
            _mm_loadu_pd(cr->a2 + x0));
        __m128d m = _mm_div_pd(sum, cnt);
        __m128d var = _mm_sub_pd(_mm_div_pd(sq, cnt), _mm_mul_pd(m, m));
        /* var > 0 ? sqrt(var) : 0 (a negative var's NaN is masked) */
        __m128d sd = _mm_and_pd(_mm_sqrt_pd(var), _mm_cmpgt_pd(var, zero));
        __m128d f = _mm_sub_pd(_mm_div_pd(sd, c128), one);
        __m128d t = _mm_mul_pd(m, _mm_add_pd(one, _mm_mul_pd(k, f)));
        _mm_storel_pi((__m64 *)(void *)(th + tx), _mm_cvtpd_ps(t));
    }
    return tx;
}
#endif

/**
 * Sauvola's thresholds of one row of cells from the summed-area tables.
 *
 * @param[in]  i1, i2  the tables of grey sums and sums of squares,
 *                     (nx + 1) x (ny + 1), as seg__cell_sums() fills them
 * @param[in]  nx, ny  cells across and down
 * @param[in]  ty      the row of cells
 * @param[in]  R       the window: R cells on each side
 * @param[in]  cell    the cell's side, px
 * @param[in]  w, h    the page's size, px (the last cells may be cut)
 * @param[in]  k       Sauvola's k
 * @param[in]  simd    1 = two cells at a time (SSE2) where the window lies
 *                     inside the page across; 0 = one at a time (for
 *                     tests: the two give the same floats)
 * @param[out] th      nx thresholds: m (1 + k (s / 128 - 1)) of the
 *                     window's mean m and deviation s
 */
void seg__cell_thresholds(const double *i1, const double *i2, int nx, int ny,
                          int ty, int R, int cell, int w, int h, float k,
                          int simd, float *th)
{
    int y0 = ty - R < 0 ? 0 : ty - R, y1 = ty + R + 1 > ny ? ny : ty + R + 1;
    int py1 = y1 * cell < h ? y1 * cell : h;
    size_t top = (size_t)y0 * (nx + 1), bottom = (size_t)y1 * (nx + 1);
    CellRow cr = {i1 + top, i1 + bottom, i2 + top, i2 + bottom,
                  nx,       R,           cell,     w,
                  (double)(py1 - y0 * cell), k};
    int tx = 0;
#if defined(__SSE2__)
    /* inside: x0 = tx - R >= 0 and x1 = tx + R + 1 <= nx - 1 */
    if (simd && R < nx - R - 1) {
        cell_thresholds_scalar(&cr, 0, R, th);
        tx = cell_thresholds_sse2(&cr, R, nx - R - 1, th);
    }
#else
    (void)simd;
#endif
    cell_thresholds_scalar(&cr, tx, nx, th);
}

/**
 * Sauvola on a grid: the 1 bpp page for an 8 bpp one. The window mean and
 * deviation are taken over whole cells (cell ~ half-window / 4) with
 * summed-area tables, the threshold m (1 + k (s / 128 - 1)) is computed
 * per cell and interpolated between cell centres. Flat paper gives t ~
 * (1 - k) m: no ink.
 *
 * @param[in] pixg        8 bpp grey page
 * @param[in] half        half-window in px
 * @param[in] k           Sauvola's k
 * @param[in] skip_paper  1 = words that cannot hold ink are not compared
 *                        (apply_grid); 0 = every pixel is (for tests: the
 *                        two give the same page)
 * @return a new 1 bpp PIX, or NULL out of memory (message set)
 */
PIX *seg__sauvola(PIX *pixg, int half, float k, int skip_paper)
{
    int w = pixGetWidth(pixg), h = pixGetHeight(pixg);
    int cell = half / 4 > 2 ? half / 4 : 2;
    if (cell > 16)
        cell = 16; /* 16-bit column sums in seg__cell_sums */
    int nx = (w + cell - 1) / cell, ny = (h + cell - 1) / cell;
    int R = (int)lrintf((float)half / cell);
    if (R < 1)
        R = 1;
    size_t n = (size_t)nx * ny, ni = (size_t)(nx + 1) * (ny + 1);
    /* summed-area tables over cells (filled whole by seg__cell_sums: no
     * calloc) */
    double *i1 = malloc(ni * sizeof *i1), *i2 = malloc(ni * sizeof *i2);
    float *th = malloc(n * sizeof *th);
    unsigned char *wmin = malloc((size_t)ny * ((w + 31) / 32));
    PIX *pixd = NULL;
    if (!i1 || !i2 || !th || !wmin) {
        err_set("binarize: out of memory (%dx%d page)", w, h);
        goto done;
    }
    if (seg__cell_sums(pixg, cell, nx, ny, i1, i2, wmin) != 0)
        goto done;
    for (int ty = 0; ty < ny; ty++)
        seg__cell_thresholds(i1, i2, nx, ny, ty, R, cell, w, h, k, 1,
                             th + (size_t)ty * nx);
    pixd = apply_grid(pixg, th, nx, ny, cell, skip_paper ? wmin : NULL);
done:
    free(i1);
    free(i2);
    free(th);
    free(wmin);
    return pixd;
}

/* Adaptive Otsu with a contrast guard; see the file header. */
static PIX *binarize_otsu(PIX *pixg, int tile)
{
    int w = pixGetWidth(pixg), h = pixGetHeight(pixg);
    int nx = (w + tile - 1) / tile, ny = (h + tile - 1) / tile;
    unsigned *hist = calloc((size_t)nx * 256, sizeof *hist);
    float *th = malloc((size_t)nx * ny * sizeof *th);
    if (!hist || !th) {
        free(hist);
        free(th);
        err_set("binarize: out of memory (%dx%d page)", w, h);
        return NULL;
    }
    l_uint32 *gdata = pixGetData(pixg);
    int gwpl = pixGetWpl(pixg);
    for (int ty = 0; ty < ny; ty++) {
        memset(hist, 0, (size_t)nx * 256 * sizeof *hist);
        int y1 = (ty + 1) * tile < h ? (ty + 1) * tile : h;
        for (int y = ty * tile; y < y1; y++) {
            const l_uint32 *line = gdata + (size_t)y * gwpl;
            for (int tx = 0; tx < nx; tx++) {
                unsigned *hh = hist + (size_t)tx * 256;
                int x1 = (tx + 1) * tile < w ? (tx + 1) * tile : w;
                for (int x = tx * tile; x < x1; x++)
                    hh[GET_DATA_BYTE(line, x)]++;
            }
        }
        for (int tx = 0; tx < nx; tx++) {
            float lo, hi;
            int t = otsu_hist(hist + (size_t)tx * 256, &lo, &hi);
            /* -1 = no ink in this tile */
            th[(size_t)ty * nx + tx] =
                (t < 0 || hi - lo < SEG_OTSU_MIN_CONTRAST) ? -1.0f : (float)t;
        }
    }
    free(hist);
    PIX *pixd = apply_grid(pixg, th, nx, ny, tile, NULL);
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

/* A piece of a page for the window: its height and weight. */
typedef struct {
    float h, wt;
} SegWinPiece;

static int cmp_win_piece(const void *a, const void *b)
{
    float x = ((const SegWinPiece *)a)->h, y = ((const SegWinPiece *)b)->h;
    return (x > y) - (x < y);
}

/* The weighted median height of m pieces (weights summing to total;
 * the order of pv changes), 0 under SEG_WIN_MIN_PIECES; red: the
 * OR-reduction they were measured at (ink_median_height). */
static float weighted_median_h(SegWinPiece *pv, int m, double total, int red)
{
    if (m < SEG_WIN_MIN_PIECES)
        return 0.0f;
    qsort(pv, (size_t)m, sizeof *pv, cmp_win_piece);
    double acc = 0;
    int i = 0;
    while (i < m - 1 && (acc += pv[i].wt) < 0.5 * total)
        i++;
    /* an OR-reduced piece of h rows spans (h - 1) red + 1 to h red rows
     * of the page */
    return red == 1 ? pv[i].h : (float)red * (pv[i].h - 0.5f);
}

/* Typical height (px) of the glyphs of a 1 bpp page, 0 when it has fewer
 * than SEG_WIN_MIN_PIECES pieces. Pieces are 8-connected components; the
 * height is their median weighted by h x min(w, 2h), so that specks and
 * grains (noise picked up inside a hollow stroke, JPEG grains: many, but
 * tiny), the flat cut bits of a neighbouring line along a crop's edge and
 * rules (thin) count little. A page of more than SEG_WIN_FULL_PIXELS
 * pixels is measured on a 4x OR-reduced copy, one of more than 4x that
 * on an 8x reduced one (heights scaled back, less half a reduced row:
 * OR-reducing rounds up): on a 300 dpi A4 page 64x fewer pixels to label
 * (0.65 ms instead of 1.05 at 4x), and handprint still spans 7+ rows.
 * *pinner [optional]: the same over the pieces that touch none of the
 * page's edges (from the same labelling). */
static float ink_median_height(PIX *pixb, float *pinner)
{
    if (pinner)
        *pinner = 0.0f;
    int w = pixGetWidth(pixb), h = pixGetHeight(pixb);
    double area = (double)w * h;
    int red = area > 4 * SEG_WIN_FULL_PIXELS ? 8
              : area > SEG_WIN_FULL_PIXELS   ? 4
                                             : 1;
    PIX *pixr = red == 1 ? pixClone(pixb)
                         : pixReduceRankBinaryCascade(pixb, 1, 1,
                                                      red == 8 ? 1 : 0, 0);
    if (!pixr)
        return 0.0f;
    int wr = pixGetWidth(pixr), hr = pixGetHeight(pixr);
    BOXA *boxa = pixConnCompBB(pixr, 8);
    pixDestroy(&pixr);
    int n = boxa ? boxaGetCount(boxa) : 0;
    /* all pieces in pv[0..m), those off the edges in pv[n..n + mi) */
    SegWinPiece *pv =
        n > 0 ? malloc((size_t)n * (pinner ? 2 : 1) * sizeof *pv) : NULL;
    int m = 0, mi = 0;
    double total = 0, total_in = 0;
    for (int i = 0; pv && i < n; i++) {
        l_int32 bx, by, bw, bh;
        if (boxaGetBoxGeometry(boxa, i, &bx, &by, &bw, &bh) != 0)
            continue;
        float fw = (float)bw, fh = (float)bh;
        SegWinPiece p = {fh, fh * (fw < 2 * fh ? fw : 2 * fh)};
        pv[m++] = p;
        total += p.wt;
        if (pinner && bx > 0 && by > 0 && bx + bw < wr && by + bh < hr) {
            pv[n + mi++] = p;
            total_in += p.wt;
        }
    }
    boxaDestroy(&boxa);
    float med = pv ? weighted_median_h(pv, m, total, red) : 0.0f;
    if (pv && pinner)
        *pinner = weighted_median_h(pv + n, mi, total_in, red);
    free(pv);
    return med;
}

/* Sauvola with the grey page padded by pad px of paper on each side (the
 * median grey: a crop is mostly paper), so that a crop cut tight to its
 * ink has the same window statistics at its edges as one with a margin;
 * pad 0 = as it is. */
static PIX *binarize_sauvola_padded(PIX *pixg, int half, float k, int pad)
{
    if (pad <= 0)
        return seg__sauvola(pixg, half, k, 1);
    l_int32 paper = 255;
    NUMA *na = pixGetGrayHistogram(pixg, 1);
    l_float32 fv = 255.0f;
    if (na && numaGetHistogramStats(na, 0.0f, 1.0f, NULL, &fv, NULL, NULL) == 0)
        paper = (l_int32)fv;
    numaDestroy(&na);
    PIX *pixp = pixAddBorder(pixg, pad, (l_uint32)paper);
    if (!pixp) {
        err_set("binarize: out of memory (padding a %dx%d page)",
                pixGetWidth(pixg), pixGetHeight(pixg));
        return NULL;
    }
    PIX *pixb = seg__sauvola(pixp, half, k, 1);
    pixDestroy(&pixp);
    if (!pixb)
        return NULL;
    PIX *pixd = pixRemoveBorder(pixb, pad);
    pixDestroy(&pixb);
    if (!pixd)
        err_set("binarize: out of memory (%dx%d page)", pixGetWidth(pixg),
                pixGetHeight(pixg));
    return pixd;
}

/* Padding for a page too small for half-window half: half px of paper
 * on each side when its shorter side is under one window (2 half + 3),
 * else 0. */
static int window_pad(int side, int half)
{
    return side < 2 * half + 3 ? half : 0;
}

/* Sauvola at half-window half (the dpi's, or opt->window), on the page
 * padded when it is too small for the window (binarize_sauvola_padded);
 * with fit (the window was not set), the window is then sized from the
 * glyphs the first pass found, SEG_WIN_PER_GLYPH x their height, and the
 * page is thresholded again with it when it is more than SEG_WIN_FAR
 * times larger or smaller than the first (a crop or a page whose
 * writing is far from the dpi's scale; a 300 dpi page of handprint is
 * not thresholded twice). *pmed [optional]: the glyphs' height the first
 * pass found (ink_median_height), 0 without fit; *pused [optional]: the
 * half-window of the page returned. */
static PIX *binarize_sauvola_fit(PIX *pixg, int half, float k, int fit,
                                 float *pmed, int *pused)
{
    if (pmed)
        *pmed = 0.0f;
    int w = pixGetWidth(pixg), h = pixGetHeight(pixg);
    int side = w < h ? w : h;
    int pad = window_pad(side, half);
    int lim = (side + 2 * pad - 3) / 2;
    int used = half < lim ? half : lim;
    if (pused)
        *pused = used;
    PIX *pixb = binarize_sauvola_padded(pixg, used, k, pad);
    if (!pixb || !fit)
        return pixb;
    float med = ink_median_height(pixb, NULL);
    if (pmed)
        *pmed = med;
    int want = (int)lrintf(SEG_WIN_PER_GLYPH * med);
    if (want < SEG_WIN_MIN)
        want = SEG_WIN_MIN;
    /* Above 4x SEG_WIN_FULL_PIXELS the heights come from the 8x copy,
     * where glyphs of under ~30 px span 4 rows or fewer: too coarse to
     * size a smaller window from (and a small window on a big page is
     * dear: ~38 ms on A4 at half-window 10), so only a larger one. */
    int coarse = (double)w * h > 4 * SEG_WIN_FULL_PIXELS;
    if (med <= 0.0f || (coarse && want < used) ||
        (want * SEG_WIN_FAR > used && want < used * SEG_WIN_FAR))
        return pixb;
    pad = window_pad(side, want);
    lim = (side + 2 * pad - 3) / 2;
    PIX *pix2 = binarize_sauvola_padded(pixg, want < lim ? want : lim, k, pad);
    if (!pix2)
        return pixb; /* out of memory: the first pass stands */
    if (pused)
        *pused = want < lim ? want : lim;
    pixDestroy(&pixb);
    return pix2;
}

/* Source pixels that make one pixel of the 2x enlargement (Lanczos-3:
 * each new pixel lies a quarter of a pixel from its nearest source pixel,
 * and takes the three on either side of its position). */
#define SEG_UP_TAPS 6

static double sinc(double x)
{
    return x == 0.0 ? 1.0 : sin(M_PI * x) / (M_PI * x);
}

/* Lanczos-3 weights for a new pixel at offset 0.25 from source pixel i
 * towards i + 1 (w[k] weighs pixel i - 2 + k); the one at 0.75 uses them
 * mirrored. Normalised to sum 1. */
static void up_weights(float *w)
{
    double sum = 0, v[SEG_UP_TAPS];
    for (int k = 0; k < SEG_UP_TAPS; k++) {
        double x = fabs(0.25 - (k - 2)); /* distance to pixel i - 2 + k */
        v[k] = x < 3.0 ? sinc(x) * sinc(x / 3.0) : 0.0;
        sum += v[k];
    }
    for (int k = 0; k < SEG_UP_TAPS; k++)
        w[k] = (float)(v[k] / sum);
}

/* One row or column of n source values (step apart) enlarged 2x into
 * out (2n values, step ostep apart): new pixel 2i lies at i - 0.25, 2i + 1
 * at i + 0.25; pixels beyond the ends repeat the end one. */
static void up_line(const float *in, int n, int step, float *out, int ostep,
                    const float *w)
{
    for (int i = 0; i < n; i++) {
        float a = 0, b = 0;
        for (int k = 0; k < SEG_UP_TAPS; k++) {
            int ja = i + 2 - k, jb = i - 2 + k; /* mirrored for 2i */
            ja = ja < 0 ? 0 : ja >= n ? n - 1 : ja;
            jb = jb < 0 ? 0 : jb >= n ? n - 1 : jb;
            a += w[k] * in[(size_t)ja * step];
            b += w[k] * in[(size_t)jb * step];
        }
        out[(size_t)(2 * i) * ostep] = a;
        out[(size_t)(2 * i + 1) * ostep] = b;
    }
}

/* An 8 bpp page enlarged 2x (Lanczos-3, separable), or NULL out of
 * memory. */
static PIX *upscale2_grey(PIX *pixg)
{
    int w = pixGetWidth(pixg), h = pixGetHeight(pixg);
    float wt[SEG_UP_TAPS];
    up_weights(wt);
    PIX *pixd = pixCreate(2 * w, 2 * h, 8);
    float *src = malloc((size_t)w * h * sizeof *src);
    float *mid = malloc((size_t)2 * w * h * sizeof *mid);
    float *col = malloc((size_t)4 * h * sizeof *col);
    if (!pixd || !src || !mid || !col) {
        pixDestroy(&pixd);
        goto done;
    }
    l_uint32 *gdata = pixGetData(pixg), *ddata = pixGetData(pixd);
    int gwpl = pixGetWpl(pixg), dwpl = pixGetWpl(pixd);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            src[(size_t)y * w + x] =
                (float)GET_DATA_BYTE(gdata + (size_t)y * gwpl, x);
    for (int y = 0; y < h; y++)
        up_line(src + (size_t)y * w, w, 1, mid + (size_t)y * 2 * w, 1, wt);
    for (int x = 0; x < 2 * w; x++) {
        up_line(mid + x, h, 2 * w, col, 1, wt);
        for (int y = 0; y < 2 * h; y++) {
            float v = col[y];
            int iv = v <= 0 ? 0 : v >= 255 ? 255 : (int)lrintf(v);
            SET_DATA_BYTE(ddata + (size_t)y * dwpl, x, iv);
        }
    }
    pixCopyResolution(pixd, pixg);
done:
    free(src);
    free(mid);
    free(col);
    return pixd;
}

/* Small writing (seg_page_binarize note 5): when the glyphs of *ppixb
 * (thresholded from pixg at half-window half) are under SEG_SMALL_GLYPH
 * px, as all its pieces (med) or those off its edges (inner) measure
 * (ink_median_height), *ppixb becomes pixg enlarged SEG_UPSCALE times and
 * thresholded (window from the glyphs again). 1 when so; 0 when the page
 * stays as it is (also out of memory: the first result stands). */
static int small_writing(PIX **ppixb, PIX *pixg, int half, float k,
                         float med, float inner)
{
    /* the smaller of the two heights: box remnants and cut neighbours
     * along a crop's edge can be most of its ink (a 12 px crop of 7 px
     * letters measured 12) */
    if (inner > 0.0f && inner < med)
        med = inner;
    if (med <= 0.0f || med >= SEG_SMALL_GLYPH)
        return 0;
    PIX *pixu = upscale2_grey(pixg);
    PIX *pixb = pixu ? binarize_sauvola_fit(pixu, half * SEG_UPSCALE, k, 1,
                                            NULL, NULL)
                     : NULL;
    pixDestroy(&pixu);
    if (!pixb) {
        err_clear();
        return 0;
    }
    pixDestroy(ppixb);
    *ppixb = pixb;
    return 1;
}

/* Rotate a 1 bpp page about its centre by angle_deg (clockwise positive),
 * bringing in white. Shear rotation is what Leptonica uses for 1 bpp. */
static PIX *rotate_binary(PIX *pixb, float angle_deg)
{
    /* Three-shear rotation about the centre is exact enough for +-5 deg and
     * keeps the page size; called directly, it logs nothing. */
    return pixRotateShearCenter(pixb, (float)(angle_deg * M_PI / 180.0),
                                L_BRING_IN_WHITE);
}

/* Is the 1 bpp page a strip (a field or line cut out: at least 3 times
 * as wide as high) with a row inked over 3/4 of its width: a level rule
 * (a box's top or bottom), which says the strip is straight? A rule t px
 * thick fills 3/4 of one row only if it climbs at most t px over 3/4 of
 * the width: on a field crop 500 px wide, 0.4 degree. A page is measured
 * as before: a scanner's dark edge is level while the paper may not be. */
static int level_rule(PIX *pixb)
{
    int w = pixGetWidth(pixb);
    if (3 * pixGetHeight(pixb) > w)
        return 0;
    NUMA *rows = pixCountPixelsByRow(pixb, NULL);
    l_float32 most = 0.0f;
    if (rows)
        numaGetMax(rows, &most, NULL);
    numaDestroy(&rows);
    return 4.0f * most >= 3.0f * (float)w;
}

/* The ink pixels of a 1 bpp page (*pon: what pixCountPixels counts) and,
 * when there are any, the box around them (*pbox, optional: what
 * pixClipToForeground clips to), in one pass over its words: most of a
 * page is paper, and a paper word costs one test (Leptonica counts and
 * then scans each side apart). The padding bits of each row's last word
 * are not looked at. 0, or -1 out of memory. */
int seg__ink_extent(PIX *pixb, l_int32 *pon, BOX **pbox)
{
    int w = pixGetWidth(pixb), h = pixGetHeight(pixb), wpl = pixGetWpl(pixb);
    l_uint32 *cols = calloc((size_t)wpl, sizeof *cols);
    if (!cols)
        return err_set("binarize: out of memory (%dx%d page)", w, h);
    if (pbox)
        *pbox = NULL;
    l_uint32 last = w % 32 ? ~0u << (32 - w % 32) : ~0u;
    const l_uint32 *data = pixGetData(pixb);
    long on = 0;
    int top = -1, bot = -1;
    for (int y = 0; y < h; y++) {
        const l_uint32 *row = data + (size_t)y * wpl;
        l_uint32 any = 0;
        for (int i = 0; i < wpl; i++) {
            l_uint32 v = i == wpl - 1 ? row[i] & last : row[i];
            if (!v)
                continue;
            cols[i] |= v;
            any |= v;
            on += __builtin_popcount(v);
        }
        if (any) {
            if (top < 0)
                top = y;
            bot = y;
        }
    }
    *pon = (l_int32)on;
    if (pbox && top >= 0) {
        int i0 = 0, i1 = wpl - 1;
        while (!cols[i0])
            i0++;
        while (!cols[i1])
            i1--;
        /* pixel x of word i is bit 31 - x % 32 */
        int x0 = 32 * i0 + __builtin_clz(cols[i0]);
        int x1 = 32 * i1 + 31 - __builtin_ctz(cols[i1]);
        *pbox = boxCreate(x0, top, x1 - x0 + 1, bot - top + 1);
    }
    free(cols);
    return 0;
}

/* Measure the skew of a 1 bpp page: the rotation (degrees, clockwise
 * positive) that straightens it; 0 when there is too little text to be
 * sure, or a level rule spans a strip (level_rule(): the projection
 * sweep, led by the writing of a field's box, tilted its level rules out
 * of a crop cut tight to them). */
static float find_skew(PIX *pixb, int dpi)
{
    l_int32 on = 0;
    int w = pixGetWidth(pixb), h = pixGetHeight(pixb);
    BOX *ink = NULL;
    if (seg__ink_extent(pixb, &on, &ink) < 0)
        return 0.0f;
    /* Blank, or nearly all ink (a black page): nothing to measure. */
    if (on < 50 || (double)on > 0.6 * (double)w * h || level_rule(pixb)) {
        boxDestroy(&ink);
        return 0.0f;
    }
    /* Measure on the inked region only: Leptonica's confidence compares
     * the score with the image area, so a little text on a big page would
     * never be trusted. */
    PIX *pixc = pixClipRectangle(pixb, ink, NULL);
    boxDestroy(&ink);
    if (!pixc)
        return 0.0f;
    w = pixGetWidth(pixc);
    h = pixGetHeight(pixc);
    float angle_out = 0.0f;
    if (w >= 64 && h >= 32) {
        /* Reduce so that handprint x-height stays >= ~7 px; a region as
         * big as most of a page has enough lines for a coarser sweep
         * (Leptonica's own default, 4x/2x at 300 dpi), a small one needs
         * the finer one to reach a confident peak. */
        int red_sweep = dpi >= 500 ? 4 : dpi >= 250 ? 2 : 1;
        if (w >= 1600 && h >= 1000 && dpi >= 250)
            red_sweep = dpi >= 500 ? 8 : 4;
        /* A wrong dpi in the file header must not make a huge page slow. */
        while (w / red_sweep > 2000 && red_sweep < 8)
            red_sweep *= 2;
        int red_search = red_sweep >= 2 ? red_sweep / 2 : 1;
        l_float32 angle = 0, conf = 0;
        /* Sweep a little past the range so a 5 degree page is not at the
         * sweep's edge. */
        if (seg__skew_search(pixc, &angle, &conf, red_sweep, red_search,
                             SEG_SKEW_RANGE_DEG + 2.0f, 1.0f, 0.01f) == 0 &&
            conf >= SEG_SKEW_MIN_CONF && fabsf(angle) >= SEG_SKEW_MIN_DEG &&
            fabsf(angle) <= SEG_SKEW_RANGE_DEG + 0.5f) {
            if (angle > SEG_SKEW_RANGE_DEG)
                angle = SEG_SKEW_RANGE_DEG;
            if (angle < -SEG_SKEW_RANGE_DEG)
                angle = -SEG_SKEW_RANGE_DEG;
            angle_out = angle;
        }
    }
    pixDestroy(&pixc);
    return angle_out;
}

/* Faint rules (seg_page_binarize note 7) of *ppixb (pixg thresholded,
 * glyphs med px high) painted in, along rows tilted by the skew when
 * deskew: the skew of the page as thresholded first; when rules were
 * painted, again with them (long straight lines: a surer angle, and a
 * page too little tilted for the first to see may show it now), and if
 * it moved by more than SEG_FAINT_RESKEW degrees the rules are searched
 * again along it. *pskew: the page's skew (0 without deskew);
 * *ppainted: the rules painted. Returns 1 (the skew is known), or 0 out
 * of memory (*ppixb destroyed, the error set). */
static int faint_tilted(PIX **ppixb, PIX *pixg, int dpi, float med,
                        int deskew, float *pskew, int *ppainted)
{
    *pskew = deskew ? find_skew(*ppixb, dpi) : 0.0f;
    int n = seg__faint_page(*ppixb, pixg, dpi, med, *pskew);
    if (n > 0 && deskew) {
        float again = find_skew(*ppixb, dpi);
        if (fabsf(again - *pskew) > SEG_FAINT_RESKEW)
            n = seg__faint_page(*ppixb, pixg, dpi, med, again);
        *pskew = again;
    }
    if (n < 0) {
        pixDestroy(ppixb);
        err_set("binarize: out of memory (%dx%d page, faint rules)",
                pixGetWidth(pixg), pixGetHeight(pixg));
        return 0;
    }
    *ppainted = n;
    return 1;
}

/* What thresholding a page found (binarize_sauvola_page), for deskew:
 * the skew, when the faint rules measured it (have); the glyphs' height
 * (ink_median_height, 0 unknown); Sauvola's half-window of the page
 * returned (0: not Sauvola's own page, an enlarged one); whether it was
 * searched as a strip too (note 6); the faint rules painted on it as a
 * page (note 7). */
typedef struct {
    float skew;
    int have;
    float med;
    int half;
    int strip;
    int faint;
} SegFirst;

/* Sauvola for seg_page_binarize (notes 5-7): pixg thresholded at
 * half-window half (sized from the glyphs without opt->window); then,
 * when the caller can take a larger page (pscale) and the page was grey,
 * a crop (at most SEG_WIN_FULL_PIXELS) of small writing is thresholded
 * again enlarged (*pscale = SEG_UPSCALE), or its faint rules painted as a
 * strip's and a page's; a page's faint rules painted. *fs: what it
 * found. Returns the 1 bpp page, or NULL (the error set, or left for the
 * caller). */
static PIX *binarize_sauvola_page(PIX *pixg, int half,
                                  const SegBinarizeOptions *opt, int dpi,
                                  int grey, int *pscale, SegFirst *fs)
{
    int w = pixGetWidth(pixg), h = pixGetHeight(pixg);
    PIX *pixb = binarize_sauvola_fit(pixg, half, opt->k, opt->window == 0,
                                     &fs->med, &fs->half);
    if (!pixb || !pscale || opt->window != 0 || !grey)
        return pixb;
    if ((double)w * h > SEG_WIN_FULL_PIXELS) {
        fs->have = faint_tilted(&pixb, pixg, dpi, fs->med, opt->deskew,
                                &fs->skew, &fs->faint);
        return pixb;
    }
    /* a crop: its glyphs' height, measured once for small writing and
     * faint rules */
    float inner;
    fs->med = ink_median_height(pixb, &inner);
    if (small_writing(&pixb, pixg, half, opt->k, fs->med, inner)) {
        *pscale = SEG_UPSCALE;
        fs->half = 0;
        return pixb;
    }
    /* the strip's rows and columns, then boxes and combs as on a page: a
     * field cut loose is mostly paper (its rows tilted as the crop is:
     * the skew first) */
    seg__faint_strip(pixb, pixg, fs->med, opt->deskew);
    fs->strip = 1;
    fs->have = faint_tilted(&pixb, pixg, dpi, fs->med, opt->deskew,
                            &fs->skew, &fs->faint);
    return pixb;
}

/* The rules of the 1 bpp page: its rows with a run of ink SEG_RULE_INCH
 * long or longer (whole 32-px words of ink: a rule printed on a form,
 * level once deskewed), counting a row and the one below it as one (a
 * faint rule painted along the page's tilt comes back from the shears
 * with 1-px jogs between the two, and the parts missed half of it: light
 * forms turned 1 degree read 46 of 60 fields, 57 so), each as its row
 * and the columns of its longest such run (3 ints: y, x0, x1), into a
 * new array (*pn of them; NULL out of memory). */
static int *rule_rows(PIX *pixb, int dpi, int *pn)
{
    int k = (int)(SEG_RULE_INCH * (float)dpi) / 32; /* whole words */
    if (k < 2)
        k = 2;
    int h = pixGetHeight(pixb), wpl = pixGetWpl(pixb);
    const l_uint32 *data = pixGetData(pixb);
    int *rows = malloc((size_t)3 * h * sizeof *rows);
    *pn = 0;
    for (int y = 0; rows && y < h; y++) {
        const l_uint32 *row = data + (size_t)y * wpl;
        const l_uint32 *next = y + 1 < h ? row + wpl : row;
        int best = 0, end = 0;
        for (int i = 0, run = 0; i < wpl; i++) {
            run = (row[i] | next[i]) == 0xffffffffu ? run + 1 : 0;
            if (run > best) {
                best = run;
                end = i + 1;
            }
        }
        if (best >= k) {
            int *r = rows + 3 * (*pn)++;
            r[0] = y;
            r[1] = 32 * (end - best);
            r[2] = 32 * end;
        }
    }
    return rows;
}

/* The part b (x0, y0, x1, y1) of the deskewed page pixr thresholded
 * again from the grey page pixg turned by angle (seg__rotate_grey), as
 * fs says the page was (its half-window; faint rules searched level,
 * where they were found on the page turned), from a half-window of grey
 * more all round; paper comes in from outside the page. 0, or -1 out of
 * memory. */
static int band_again(PIX *pixr, PIX *pixg, float angle, const int *b,
                      int dpi, float k, int paper, const SegFirst *fs)
{
    int w = pixGetWidth(pixg), h = pixGetHeight(pixg), m = fs->half + 2;
    int g[4] = {b[0] - m, b[1] - m, b[2] + m, b[3] + m};
    g[0] = g[0] < 0 ? 0 : g[0];
    g[1] = g[1] < 0 ? 0 : g[1];
    g[2] = g[2] > w ? w : g[2];
    g[3] = g[3] > h ? h : g[3];
    PIX *band = seg__rotate_grey(pixg, angle, g, paper);
    if (!band)
        return -1;
    /* the page's window, as its first pass took it (no fit) */
    PIX *bin = binarize_sauvola_fit(band, fs->half, k, 0, NULL, NULL);
    int rc = bin ? 0 : -1;
    if (bin && fs->strip)
        seg__faint_strip(bin, band, fs->med, 0.0f);
    if (bin && fs->faint > 0 &&
        seg__faint_page(bin, band, dpi, fs->med, 0.0f) < 0)
        rc = -1;
    if (rc == 0)
        pixRasterop(pixr, b[0], b[1], b[2] - b[0], b[3] - b[1], PIX_SRC, bin,
                    b[0] - g[0], b[1] - g[1]);
    pixDestroy(&bin);
    pixDestroy(&band);
    return rc;
}

/* The parts about the rules rows[] (n, rule_rows()) of a w x h page:
 * SEG_BAND_ABOVE glyph heights (med) above each, at least SEG_BAND_INCH,
 * SEG_BAND_BELOW below, a margin (mx) either side; parts that overlap
 * or nearly (within gap) made one. Into parts (4 ints each: x0, y0, x1,
 * y1; room for n), their count returned. */
static int rule_parts(const int *rows, int n, int w, int h, float med,
                      int dpi, int mx, int gap, int *parts)
{
    int above = (int)fmaxf(SEG_BAND_ABOVE * med, SEG_BAND_INCH * dpi);
    int below = (int)(SEG_BAND_BELOW * med) + 2, np = 0;
    for (int i = 0; i < n; i++) {
        const int *r = rows + 3 * i;
        int b[4] = {r[1] - mx, r[0] - above, r[2] + mx, r[0] + below + 1};
        b[0] = b[0] < 0 ? 0 : b[0];
        b[1] = b[1] < 0 ? 0 : b[1];
        b[2] = b[2] > w ? w : b[2];
        b[3] = b[3] > h ? h : b[3];
        memcpy(parts + 4 * np++, b, sizeof b);
        /* merge while any two overlap (the parts are few) */
        for (int merged = 1; merged;) {
            merged = 0;
            for (int a = 0; a < np && !merged; a++)
                for (int c = a + 1; c < np && !merged; c++) {
                    int *p = parts + 4 * a, *q = parts + 4 * c;
                    if (p[0] > q[2] + gap || q[0] > p[2] + gap ||
                        p[1] > q[3] + gap || q[1] > p[3] + gap)
                        continue;
                    p[0] = p[0] < q[0] ? p[0] : q[0];
                    p[1] = p[1] < q[1] ? p[1] : q[1];
                    p[2] = p[2] > q[2] ? p[2] : q[2];
                    p[3] = p[3] > q[3] ? p[3] : q[3];
                    memmove(q, q + 4, (size_t)(np - c - 1) * 4 * sizeof *q);
                    np--;
                    merged = 1;
                }
        }
    }
    return np;
}

/* Deskew (seg_page_binarize note 8): pixb turned by angle degrees; then,
 * when the page turned holds rules (SEG_RULE_ROWS rows of rule_rows())
 * and pixg [optional] is its grey page (Sauvola's, fs), the parts about
 * its rules (rule_parts) are thresholded again from the grey page turned
 * (band_again), so that box sides and a comb's ticks stay straight. Out
 * of memory there, a part stays as turned. A new PIX, or NULL (out of
 * memory). */
static PIX *deskew_page(PIX *pixb, PIX *pixg, float angle, int dpi,
                        float k, const SegFirst *fs)
{
    PIX *pixr = rotate_binary(pixb, angle);
    if (!pixr || !pixg || fabsf(angle) > SEG_ROT_MAX_DEG || fs->half <= 0)
        return pixr;
    int n = 0;
    int *rows = rule_rows(pixr, dpi, &n);
    int *parts = n >= SEG_RULE_ROWS ? malloc((size_t)4 * n * sizeof *parts)
                                    : NULL;
    if (parts) {
        int paper = seg__paper_level(pixg);
        paper = paper < 0 ? 255 : paper; /* out of memory */
        float med = fs->med > 0.0f ? fs->med : (float)dpi / 10.0f;
        /* rule_rows() finds whole words: up to 31 px of a rule's ends */
        int mx = 32 + fs->half;
        int np = rule_parts(rows, n, pixGetWidth(pixr), pixGetHeight(pixr),
                            med, dpi, mx, 2 * fs->half + 4, parts);
        for (int i = 0; i < np; i++)
            if (band_again(pixr, pixg, angle, parts + 4 * i, dpi, k, paper,
                           fs) != 0)
                err_clear();
    }
    free(parts);
    free(rows);
    return pixr;
}

/**
 * Binarise a page of any depth to 1 bpp with ink = 1, and deskew it.
 *
 * @param[in]  pixs       page: 1, 2, 4, 8, 16, 24 or 32 bpp, colormap allowed;
 *                        not modified
 * @param[in]  dpi        resolution; <= 0 means unknown (300 is assumed for
 *                        the window size)
 * @param[in]  opt        [optional] settings; NULL = defaults
 * @param[out] pskew_deg  [optional] rotation applied to straighten the page,
 *                        degrees, clockwise positive (a page scanned turned
 *                        2 degrees anticlockwise gives +2); 0 when none
 * @param[out] pscale     [optional] how many times larger than pixs the
 *                        result is (1, or SEG_UPSCALE for small writing:
 *                        note 5); NULL = the result is pixs's size
 * @return new 1 bpp PIX (caller owns; pixDestroy()), or NULL on error
 *
 * Notes:
 *   (1) 1 bpp input is copied, not re-thresholded: ink is already 1.
 *   (2) Window: opt->window, else dpi / 12 (25 px at 300 dpi), at least 7.
 *       A page shorter or narrower than the window (a crop) is padded
 *       with paper for Sauvola; Otsu's window is shrunk to fit. Pages
 *       smaller than 7 px either way get one global Otsu threshold.
 *   (3) Sauvola without opt->window: when the glyphs of the first pass
 *       (their typical height) ask for a window more than twice larger
 *       or smaller than the dpi's, the page is thresholded again with
 *       theirs (docs/segment.md "The window from the glyphs"); ordinary
 *       300 dpi handprint pages are thresholded once.
 *   (4) Blank, nearly blank and all-dark pages give a sane result (no ink,
 *       or what contrast there is) and never an error.
 *   (5) Small writing (Sauvola without opt->window, pscale given): a
 *       page of at most a million pixels whose glyphs measure under
 *       SEG_SMALL_GLYPH px (a name crop scanned at half size) is
 *       thresholded from its grey image enlarged SEG_UPSCALE times
 *       (Lanczos-3), so that strokes and the gaps between them keep the
 *       grey's detail; the result is that much larger, its resolution
 *       dpi times that, and *pscale says so: the caller maps the boxes
 *       it finds back (out_page_shrink). 1 bpp input is never enlarged.
 *   (6) Faint rules (Sauvola without opt->window, pscale given, not
 *       small writing, at most a million pixels and at least twice as
 *       wide as high: a field or line cut out, not a page): a row
 *       whose faint pixels (lighter than halfway from the paper to the
 *       ink, yet at least 1/8 of that contrast under the paper 2-5 px
 *       above and below, no dark pixel just above or below) span 0.4 of
 *       the width is a rule printed light (a form in a drop-out colour,
 *       or faded), and those pixels are painted ink; the same down the
 *       columns over max(0.35 of the height, 0.8 glyph heights). Sauvola
 *       keeps such a rule in bits, or thin and broken, and the furniture
 *       step took the bits for 1s; painted whole, it goes as a dark
 *       rule does. A pen stroke's grey edge beside its dark core is not
 *       painted; nothing is when such rows or columns are over 3/20 of
 *       them (a texture: a screen photographed), and not on a strip
 *       whose glyphs measure under SEG_FAINT_GLYPH px (a field scanned
 *       at half size, where a dotted divider blurs into a faint line).
 *       (segment/seg_faint.c, seg__faint_strip)
 *   (7) Faint rules on a page (Sauvola without opt->window, pscale
 *       given, grey input over a million pixels, glyphs of at least
 *       SEG_FAINT_GLYPH px as for (6)): a field's rules are
 *       too short against a page's width for (6), so runs of faint
 *       pixels along rows, at least 0.4 in long (bridging a stroke
 *       written across), are rules; the nearest rule below one that
 *       spans the same columns closes a box, whose sides and dividers
 *       are searched between them; short faint columns standing on a
 *       rule are a comb's ticks. All are painted ink, so a field on a
 *       page is read as its crop is (seg__faint_page). A strip (6) is
 *       searched so too after its own search: cut loose, with paper
 *       round it, its box's sides are short against its height. The
 *       skew is measured first (faint_tilted) and, from 0.75 degrees,
 *       the rows are searched tilted by it; with rules painted it is
 *       measured again, and deskew uses that.
 *   (8) Deskew of a form (grey input, Sauvola without opt->window, not
 *       enlarged, turned at most SEG_ROT_MAX_DEG): the page is turned
 *       by two shears of whole pixels (rotate_binary). A comb's tick or
 *       a box's side then jogs a pixel where the shear's steps miss the
 *       scan's own, and the furniture step, which wants a tick to stand
 *       alone, read whole combs as 1s. So when the page turned holds
 *       rules (SEG_RULE_ROWS rows with SEG_RULE_INCH of solid ink), the
 *       part about each rule (SEG_BAND_ABOVE glyph heights above it, at
 *       least SEG_BAND_INCH; SEG_BAND_BELOW below; merged where they
 *       meet) is thresholded again, as the page was, from the grey page
 *       turned with each row shifted by a fraction of a pixel
 *       (seg__rotate_grey), its faint rules searched level if the page
 *       had any, and pasted over the page turned. Pages without rules
 *       are turned as before (docs/segment.md "Turned forms").
 */
PIX *seg_page_binarize(PIX *pixs, int dpi, const SegBinarizeOptions *opt,
                       float *pskew_deg, int *pscale)
{
    SegBinarizeOptions def;
    if (pskew_deg)
        *pskew_deg = 0.0f;
    if (pscale)
        *pscale = 1;
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
    if (!(opt->k > 0.0f && opt->k <= 1.0f)) {
        err_set("binarize: Sauvola k must be in (0, 1], got %g",
                (double)opt->k);
        return NULL;
    }
    if (dpi <= 0)
        dpi = 300;

    PIX *pixb = NULL;
    /* the skew, when the faint rules needed it first (from the page
     * thresholded, before they are painted in) */
    SegFirst fs = {0};
    PIX *pixg = NULL; /* kept for deskew_page: a grey page, Sauvola's */
    if (d == 1 && !pixGetColormap(pixs)) {
        pixb = pixCopy(NULL, pixs);
    } else {
        /* 8 bpp grey is read, not modified: no copy */
        pixg = pixGetColormap(pixs) ? pixConvertTo8(pixs, 0)
                    : d == 8             ? pixClone(pixs)
                    : d == 32            ? rgb_to_grey(pixs)
                                         : pixConvertTo8(pixs, 0);
        if (!pixg) {
            err_set("binarize: cannot convert %d bpp page to grey", d);
            return NULL;
        }
        int half = opt->window > 0 ? opt->window : dpi / 12;
        if (half < SEG_WIN_MIN)
            half = SEG_WIN_MIN;
        int lim = ((w < h ? w : h) - 3) / 2;
        if (lim < 2) {
            pixb = binarize_global(pixg);
        } else if (opt->method == SEG_BINARIZE_SAUVOLA) {
            pixb = binarize_sauvola_page(pixg, half, opt, dpi, d != 1, pscale,
                                         &fs);
        } else {
            if (half > lim)
                half = lim;
            int tile = dpi / 3; /* ~ one line of handprint, 100 px at 300 */
            if (tile < 16)
                tile = 16;
            pixb = binarize_otsu(pixg, tile);
        }
        if (!pixb || opt->method != SEG_BINARIZE_SAUVOLA || lim < 2 ||
            d == 1 || !pscale || *pscale != 1 || opt->window != 0)
            pixDestroy(&pixg);
        if (!pixb) {
            if (!err_get()[0])
                err_set("binarize: thresholding failed (%dx%d)", w, h);
            return NULL;
        }
    }
    if (!pixb) {
        pixDestroy(&pixg);
        err_set("binarize: out of memory (%dx%d page)", w, h);
        return NULL;
    }
    if (pscale)
        dpi *= *pscale;
    pixSetResolution(pixb, dpi, dpi);

    if (opt->deskew) {
        float angle = fs.have ? fs.skew : find_skew(pixb, dpi);
        if (angle != 0.0f) {
            PIX *pixr = deskew_page(pixb, pixg, angle, dpi, opt->k, &fs);
            if (pixr) {
                pixDestroy(&pixb);
                pixb = pixr;
                if (pskew_deg)
                    *pskew_deg = angle;
            }
        }
    }
    pixDestroy(&pixg);
    return pixb;
}
