/*
 * seg_rotate.c - a grey page turned by a small angle as Leptonica's
 * 2-shear rotation turns a 1 bpp one, the shear along the rows
 * interpolated.
 *
 * Design: deskew turns the thresholded page by two shears of whole pixels
 * (rotate_binary). A comb's tick or a box's side scanned turned is a
 * staircase already; shifted by whole pixels at other rows than its own
 * steps, it jogs a pixel here and there, and a comb's tick 3 px wide
 * that jogs no longer stands alone: whole combs were read as 1s
 * (seg_page_binarize note 8). The grey page turned with each row shifted
 * by a fraction of a pixel (Catmull-Rom's cubic, 4 pixels: linear
 * interpolation blurred a tick into a fourth column of grey, which
 * thresholded did not stand alone either) keeps vertical strokes
 * straight once thresholded. Down the columns the shift stays whole
 * pixels: a rule a pixel out of line still goes as a rule, and copying
 * costs a fraction of interpolating. The same two shears as
 * pixRotate2Shear about the page's centre (w / 2, h / 2): first along the
 * rows,
 *   x' = x + tan(a) (yc - y),
 * then down the columns,
 *   y' = y + tan(a) (x - xc),
 * so that the page keeps its size and what is found on it maps back as
 * on the binary page turned (out_page). Rows are made one at a time
 * into a ring as the second shear needs them, so only the rows asked
 * for are turned (a band about a form's rules: seg_binarize.c).
 * Threading: no global state.
 */
#include "segment/seg_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Leptonica keeps the 4 pixels of a 32-bit word in memory in reverse
 * order on little-endian machines (GET_DATA_BYTE): pixel x is memory
 * byte x ^ 3 of its row there. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SEG_ROT_SWIZZLE 3
#else
#define SEG_ROT_SWIZZLE 0
#endif

/* Words n: each one's bytes reversed when SEG_ROT_SWIZZLE (pixel
 * order <-> memory order), else copied. */
static void words_swap(void *restrict dst, const void *restrict src, int n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    int i = 0;
    if (!SEG_ROT_SWIZZLE) {
        memcpy(dst, src, (size_t)n * 4);
        return;
    }
#if defined(__SSE2__)
    for (; i + 4 <= n; i += 4) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + 4 * i));
        v = _mm_or_si128(_mm_slli_epi16(v, 8), _mm_srli_epi16(v, 8));
        v = _mm_or_si128(_mm_slli_epi32(v, 16), _mm_srli_epi32(v, 16));
        _mm_storeu_si128((__m128i *)(void *)(d + 4 * i), v);
    }
#endif
    for (; i < n; i++) {
        uint32_t v;
        memcpy(&v, s + 4 * i, 4);
        v = __builtin_bswap32(v);
        memcpy(d + 4 * i, &v, 4);
    }
}

/* The shear along the rows: Catmull-Rom's cubic, 4 source pixels
 * (d - 1 .. d + 2 for a position d + f), weights in 64ths (a pixel times
 * the weights fits in 16 bits). */
#define SEG_ROT_TAPS 4
#define SEG_ROT_SHIFT 6

/* out[i] = sum_j wc[j] p[j][i] / 64, rounded and clamped to 0..255, for
 * i < n. */
static void blend(unsigned char *out, const unsigned char *const *p, int n,
                  const int *wc)
{
    int i = 0;
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128();
    const __m128i half = _mm_set1_epi16(1 << (SEG_ROT_SHIFT - 1));
    __m128i vw[SEG_ROT_TAPS];
    for (int j = 0; j < SEG_ROT_TAPS; j++)
        vw[j] = _mm_set1_epi16((short)wc[j]);
    for (; i + 16 <= n; i += 16) {
        __m128i lo = half, hi = half;
        for (int j = 0; j < SEG_ROT_TAPS; j++) {
            __m128i x = _mm_loadu_si128((const __m128i *)(p[j] + i));
            lo = _mm_add_epi16(
                lo, _mm_mullo_epi16(_mm_unpacklo_epi8(x, zero), vw[j]));
            hi = _mm_add_epi16(
                hi, _mm_mullo_epi16(_mm_unpackhi_epi8(x, zero), vw[j]));
        }
        _mm_storeu_si128((__m128i *)(out + i),
                         _mm_packus_epi16(_mm_srai_epi16(lo, SEG_ROT_SHIFT),
                                          _mm_srai_epi16(hi, SEG_ROT_SHIFT)));
    }
#endif
    for (; i < n; i++) {
        int v = 1 << (SEG_ROT_SHIFT - 1);
        for (int j = 0; j < SEG_ROT_TAPS; j++)
            v += wc[j] * p[j][i];
        v >>= SEG_ROT_SHIFT;
        out[i] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
}

/* Split the source position s of an output pixel: its whole part into
 * *pd, the weights (64ths, summing to 64) of pixels d - 1 .. d + 2 into
 * wt[]. */
static void split_pos(double s, int *pd, int *wt)
{
    double fl = floor(s), f = s - fl, f2 = f * f, f3 = f2 * f;
    double c[SEG_ROT_TAPS] = {(-f3 + 2 * f2 - f) / 2,
                              (3 * f3 - 5 * f2 + 2) / 2,
                              (-3 * f3 + 4 * f2 + f) / 2, (f3 - f2) / 2};
    int one = 1 << SEG_ROT_SHIFT, sum = 0;
    *pd = (int)fl;
    for (int j = 0; j < SEG_ROT_TAPS; j++)
        sum += wt[j] = (int)lrint(c[j] * one);
    /* what rounding lost, to the nearer of the two middle pixels */
    wt[f < 0.5 ? 1 : 2] += one - sum;
}

/* A part of a page being turned (seg__rotate_grey): columns x0 .. x0 +
 * nw - 1; the shear down the columns takes pixel x of its row y from the
 * row-sheared page's row y - t (x - xc), rounded: y + dm[x - x0] (runs
 * of columns with the same row, run[i] .. run[i + 1] - 1, i < nrun, one
 * copy each). Those rows, y + dlo .. y + dlo + k - 1, are sheared once
 * each as y moves down, into ring (k rows of nw pixels, in pixel order);
 * rows outside the page are paper (prow). in: a page row in pixel order
 * with pad px of paper on each side (pad: the largest shift along a row
 * + SEG_ROT_TAPS); lin: a row of the part, whole words. */
typedef struct {
    PIX *src;
    int x0, nw;
    double t, yc;
    int paper, pad;
    const int *dm, *run;
    int nrun, dlo, k;
    unsigned char *ring, *prow, *in, *lin;
} SegRot;

/* Row y of the page sheared along the rows, columns x0 .. x0 + nw - 1,
 * into out: the source row shifted right by t (yc - y) px, interpolated
 * (blend), paper where it comes from outside. */
static void shear_row(const SegRot *c, int y, unsigned char *out)
{
    int w = pixGetWidth(c->src), wpl = pixGetWpl(c->src);
    /* x takes src x - shift: about pixel x + d */
    int d, wt[SEG_ROT_TAPS];
    split_pos(-c->t * (c->yc - y), &d, wt);
    unsigned char *row = c->in + c->pad;
    words_swap(row, pixGetData(c->src) + (size_t)y * wpl, wpl);
    memset(row + w, c->paper, (size_t)(4 * wpl + c->pad - w));
    const unsigned char *p[SEG_ROT_TAPS];
    for (int j = 0; j < SEG_ROT_TAPS; j++)
        p[j] = row + c->x0 + d - 1 + j;
    blend(out, p, c->nw, wt);
}

/* Rows y0 .. y0 + dst's height - 1 of the part turned into dst. */
static void shear_both(const SegRot *c, PIX *dst, int y0)
{
    int h = pixGetHeight(c->src), y1 = y0 + pixGetHeight(dst);
    int dwpl = pixGetWpl(dst), nw = c->nw;
    l_uint32 *dd = pixGetData(dst);
    int made = y0 + c->dlo - 1; /* the last row sheared */
    memset(c->lin + nw, c->paper, (size_t)(4 * dwpl - nw));
    for (int y = y0; y < y1; y++) {
        int last = y + c->dlo + c->k - 1;
        for (int r = made + 1 > 0 ? made + 1 : 0; r <= last && r < h; r++)
            shear_row(c, r, c->ring + (size_t)(r % c->k) * nw);
        made = last;
        for (int i = 0; i < c->nrun; i++) {
            int x = c->run[i], r = y + c->dm[x];
            const unsigned char *p = r >= 0 && r < h
                                         ? c->ring + (size_t)(r % c->k) * nw
                                         : c->prow;
            memcpy(c->lin + x, p + x, (size_t)(c->run[i + 1] - x));
        }
        words_swap(dd + (size_t)(y - y0) * dwpl, c->lin, dwpl);
    }
}

/**
 * A part of an 8 bpp grey page turned about its centre by angle_deg
 * (clockwise positive, at most SEG_ROT_MAX_DEG), as pixRotateShearCenter
 * turns a 1 bpp page by that angle, each pixel interpolated along the
 * rows (see the file header): rows y0 .. y1 - 1 and columns x0 .. x1 - 1
 * of the page turned. Paper comes in from outside the page.
 *
 * @param[in] pixg       8 bpp grey page, no colormap; not modified
 * @param[in] angle_deg  degrees, |angle_deg| <= SEG_ROT_MAX_DEG
 * @param[in] box        the part: x0 = box[0], y0 = box[1], x1 = box[2],
 *                       y1 = box[3], 0 <= x0 < x1 <= width,
 *                       0 <= y0 < y1 <= height
 * @param[in] paper      the grey brought in (seg__paper_level)
 * @return new 8 bpp PIX, (x1 - x0) x (y1 - y0) (caller owns), or NULL
 *         (out of memory, or not such a page, angle or part)
 */
PIX *seg__rotate_grey(PIX *pixg, float angle_deg, const int *box, int paper)
{
    if (!pixg || !box || pixGetDepth(pixg) != 8 || pixGetColormap(pixg) ||
        !(fabsf(angle_deg) <= SEG_ROT_MAX_DEG))
        return NULL;
    int w = pixGetWidth(pixg), h = pixGetHeight(pixg), wpl = pixGetWpl(pixg);
    int x0 = box[0], y0 = box[1], x1 = box[2], y1 = box[3];
    if (x0 < 0 || x1 <= x0 || x1 > w || y0 < 0 || y1 <= y0 || y1 > h)
        return NULL;
    double t = tan(angle_deg * M_PI / 180.0);
    /* Leptonica's centre for pixRotateShearCenter: w / 2, h / 2 */
    double xc = (double)(w / 2);
    SegRot c = {.src = pixg, .x0 = x0, .nw = x1 - x0, .t = t,
                .yc = (double)(h / 2)};
    c.pad = (int)ceil(fabs(t) * (double)(h > w ? h : w)) + SEG_ROT_TAPS;
    c.paper = paper < 0 ? 0 : paper > 255 ? 255 : paper;
    int nw = c.nw;
    int *dm = malloc((size_t)(2 * nw + 1) * sizeof *dm), *run = dm + nw;
    PIX *dst = NULL;
    if (!dm)
        goto done;
    /* the second shear's source row, per column */
    int dlo = 0, dhi = 0;
    for (int x = 0; x < nw; x++) {
        int d = (int)lrint(-t * ((double)(x0 + x) - xc));
        dm[x] = d;
        dlo = x == 0 || d < dlo ? d : dlo;
        dhi = x == 0 || d > dhi ? d : dhi;
        if (x == 0 || d != dm[x - 1])
            run[c.nrun++] = x;
    }
    run[c.nrun] = nw;
    c.dm = dm;
    c.run = run;
    c.dlo = dlo;
    c.k = dhi - dlo + 1;
    /* the ring, a paper row, a page row with its pads, a row of dst */
    size_t nring = (size_t)c.k * nw, nin = (size_t)4 * wpl + 2 * c.pad;
    c.ring = malloc(nring + nw + nin + (size_t)nw + 4);
    dst = c.ring ? pixCreateNoInit(nw, y1 - y0, 8) : NULL;
    if (!dst)
        goto done;
    c.prow = c.ring + nring;
    c.in = c.prow + nw;
    c.lin = c.in + nin;
    memset(c.prow, c.paper, (size_t)nw + c.pad); /* and in's left pad */
    pixCopyResolution(dst, pixg);
    shear_both(&c, dst, y0);
done:
    free(c.ring);
    free(dm);
    return dst;
}
