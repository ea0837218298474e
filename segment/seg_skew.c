/*
 * seg_skew.c - the page's skew by Leptonica's sweep and search, scored
 * without shearing the page.
 *
 * Design: Leptonica's pixFindSkewSweepAndSearch() shears a reduced page
 * about its left edge for each angle it tries (pixVShearCorner: bands of
 * columns moved up or down by whole rows, white brought in) and scores the
 * result by its row counts (pixFindDifferentialSquareSum: the sum of the
 * squared differences of neighbouring rows' ink). Only the row counts
 * matter, and a band moved by s rows adds its ink of row y to row y + s.
 * So seg__skew_search() keeps, for each row, the ink of the row's words
 * counted from its left (prefix counts, once a page), and for an angle
 * takes a band's ink in a row from the counts at its two edges: one masked
 * word popcount per band edge, where Leptonica copies every word of the
 * page and counts it again. The bands, the float sums, the sweep, the
 * interval-halving search and the confidence follow Leptonica 1.82 step
 * for step, so the angle and the confidence are Leptonica's bit for bit
 * (test_seg_skew compares them on pages of lines at many angles and
 * sizes, and the scores alone at any angle). The reductions are
 * Leptonica's own (pixReduceRankBinaryCascade).
 *
 * Threading: no shared state (the popcount choice is made once, and a
 * race on it writes the same value).
 */
#include "segment/seg_internal.h"

#include "common/err.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* Leptonica's skew.c constants (pixFindSkewSweepAndSearchScorePivot). */
#define SKEW_MIN_VALID_MAXSCORE 10000
#define SKEW_MINSCORE_THRESH_FACTOR 0.000002f

/* One page reduced for scoring: each row's ink left of each word. */
typedef struct {
    const l_uint32 *data;
    int w, h, wpl;
    uint32_t *pre; /* h * (wpl + 1): ink of row y in words < k */
} SkewRows;

/* A band edge: the ink left of pixel x of a row is pre[k] plus the top
 * `bits` bits of word k (MSB first, as Leptonica stores pixels). */
typedef struct {
    int k;
    int bits;
} SkewEdge;

/* Scratch for one scoring: band edges and shifts, and the row counts. */
typedef struct {
    SkewEdge *edge; /* nb + 1 */
    int *shift;     /* nb */
    int nb;
    uint32_t *count; /* h */
} SkewWork;

/* The bodies of the two counting loops are inlined into a popcnt build
 * and a generic one (the instruction is not in baseline x86-64). */
#if defined(__GNUC__)
#define SKEW_INLINE static inline __attribute__((always_inline))
#else
#define SKEW_INLINE static inline
#endif

SKEW_INLINE int pop32(uint32_t v) { return __builtin_popcount(v); }

SKEW_INLINE void rows_prefix_body(SkewRows *r)
{
    uint32_t last = r->w % 32 ? ~0u << (32 - r->w % 32) : ~0u;
    for (int y = 0; y < r->h; y++) {
        const l_uint32 *row = r->data + (size_t)y * r->wpl;
        uint32_t *pre = r->pre + (size_t)y * (r->wpl + 1);
        uint32_t on = 0;
        pre[0] = 0;
        for (int k = 0; k < r->wpl; k++) {
            uint32_t v = k == r->wpl - 1 ? row[k] & last : row[k];
            on += (uint32_t)pop32(v);
            pre[k + 1] = on;
        }
    }
}

SKEW_INLINE uint32_t edge_ink(const SkewEdge *e, const uint32_t *pre,
                                const l_uint32 *row)
{
    uint32_t v = e->bits ? (uint32_t)row[e->k] >> (32 - e->bits) : 0;
    return pre[e->k] + (uint32_t)pop32(v);
}

SKEW_INLINE void rows_count_body(const SkewRows *r, SkewWork *wk)
{
    int h = r->h, nb = wk->nb;
    for (int y = 0; y < h; y++)
        wk->count[y] = 0;
    for (int y = 0; y < h; y++) {
        const uint32_t *pre = r->pre + (size_t)y * (r->wpl + 1);
        if (!pre[r->wpl])
            continue; /* a row of paper */
        const l_uint32 *row = r->data + (size_t)y * r->wpl;
        uint32_t left = edge_ink(&wk->edge[0], pre, row);
        for (int b = 0; b < nb; b++) {
            uint32_t right = edge_ink(&wk->edge[b + 1], pre, row);
            int to = y + wk->shift[b];
            if (to >= 0 && to < h)
                wk->count[to] += right - left;
            left = right;
        }
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("popcnt"))) static void rows_prefix_popcnt(SkewRows *r)
{
    rows_prefix_body(r);
}

__attribute__((target("popcnt"))) static void
rows_count_popcnt(const SkewRows *r, SkewWork *wk)
{
    rows_count_body(r, wk);
}

static int have_popcnt(void)
{
    static int known = -1;
    if (known < 0)
        known = __builtin_cpu_supports("popcnt") ? 1 : 0;
    return known;
}
#endif

static void rows_prefix(SkewRows *r)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (have_popcnt()) {
        rows_prefix_popcnt(r);
        return;
    }
#endif
    rows_prefix_body(r);
}

static void rows_count(const SkewRows *r, SkewWork *wk)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (have_popcnt()) {
        rows_count_popcnt(r, wk);
        return;
    }
#endif
    rows_count_body(r, wk);
}

/* The rows of a 1 bpp PIX, counted. 0, or -1 out of memory. */
static int rows_init(SkewRows *r, PIX *pix)
{
    r->data = pixGetData(pix);
    r->w = pixGetWidth(pix);
    r->h = pixGetHeight(pix);
    r->wpl = pixGetWpl(pix);
    r->pre = malloc((size_t)r->h * (r->wpl + 1) * sizeof *r->pre);
    if (!r->pre)
        return err_set("deskew: out of memory (%dx%d page)", r->w, r->h);
    rows_prefix(r);
    return 0;
}

/* Add the band [x0, x1) moved by s rows. */
static void band_add(SkewWork *wk, int x0, int x1, int s)
{
    if (x1 <= x0)
        return;
    if (wk->nb == 0) {
        wk->edge[0].k = x0 >> 5;
        wk->edge[0].bits = x0 & 31;
    }
    wk->edge[wk->nb + 1].k = x1 >> 5;
    wk->edge[wk->nb + 1].bits = x1 & 31;
    wk->shift[wk->nb++] = s;
}

/* The bands of pixVShear(pixd, pixs, 0, radang, L_BRING_IN_WHITE) for a
 * page w wide and |radang| < pi / 2 - 0.04 (Leptonica then leaves the
 * angle as it is): the same float and double steps. The edges may end
 * at word wpl with no bits (x1 == w on a word boundary): edge_ink reads
 * no word then. */
static void shear_bands(SkewWork *wk, int w, l_float32 radang)
{
    wk->nb = 0;
    if (radang == 0.0 || tan(radang) == 0.0) {
        band_add(wk, 0, w, 0);
        return;
    }
    int sign = radang < 0 ? -1 : 1;
    l_float32 tanangle = (l_float32)tan(radang);
    double inv = 1. / tanangle;
    l_float32 invangle = (l_float32)(inv < 0 ? -inv : inv);
    if (invangle / 2. >= w) { /* one band (and no int overflow) */
        band_add(wk, 0, w, 0);
        return;
    }
    int initxincr = (int)(invangle / 2.);
    band_add(wk, 0, initxincr < w ? initxincr : w, 0);
    int x = initxincr;
    for (int vshift = 1; x < w; vshift++) {
        int xincr = (int)(invangle * (vshift + 0.5) + 0.5) - x;
        if (w - x < xincr)
            xincr = w - x;
        band_add(wk, x, x + xincr, sign * vshift);
        x += xincr;
    }
}

/* pixFindDifferentialSquareSum() of the sheared page, from its counts. */
static l_float32 diff_square_sum(const uint32_t *count, int w, int h)
{
    int skiph = (int)(0.05 * w);
    int skip = h / 10 < skiph ? h / 10 : skiph;
    int nskip = skip / 2 > 1 ? skip / 2 : 1;
    l_float32 sum = 0.0f;
    for (int i = nskip; i < h - nskip; i++) {
        l_float32 diff = (l_float32)count[i] - (l_float32)count[i - 1];
        sum += diff * diff;
    }
    return sum;
}

/* The score of the page sheared by radang about its left edge. */
static l_float32 shear_score(const SkewRows *r, SkewWork *wk,
                             l_float32 radang)
{
    shear_bands(wk, r->w, radang);
    rows_count(r, wk);
    return diff_square_sum(wk->count, r->w, r->h);
}

/* Scratch for pages up to w x h. 0, or -1 out of memory. */
static int work_init(SkewWork *wk, int w, int h)
{
    /* a band is at least a pixel wide, plus the first one */
    wk->edge = malloc((size_t)(w + 2) * sizeof *wk->edge);
    wk->shift = malloc((size_t)(w + 1) * sizeof *wk->shift);
    wk->count = malloc((size_t)h * sizeof *wk->count);
    wk->nb = 0;
    if (!wk->edge || !wk->shift || !wk->count)
        return err_set("deskew: out of memory (%dx%d page)", w, h);
    return 0;
}

static void work_cleanup(SkewWork *wk)
{
    free(wk->edge);
    free(wk->shift);
    free(wk->count);
}

/**
 * The score Leptonica gives a 1 bpp page sheared by radang about its left
 * edge: pixFindDifferentialSquareSum() of pixVShearCorner(), bit for bit,
 * without the sheared page. For the tests, and |radang| < pi / 2 - 0.04.
 *
 * @param pix     1 bpp page
 * @param radang  the shear, radians
 * @param pscore  [out] the score
 * @return 0, or -1 with err_last() set (out of memory, not 1 bpp)
 */
int seg__skew_score(PIX *pix, float radang, float *pscore)
{
    *pscore = 0.0f;
    if (!pix || pixGetDepth(pix) != 1)
        return err_set("deskew: the page is not 1 bpp");
    SkewRows r;
    SkewWork wk;
    int rc = -1;
    if (rows_init(&r, pix) == 0 &&
        work_init(&wk, r.w, r.h) == 0) {
        *pscore = shear_score(&r, &wk, radang);
        rc = 0;
    }
    if (r.pre)
        work_cleanup(&wk);
    free(r.pre);
    return rc;
}

/* pixReduceRankBinaryCascade by 1, 2, 4 or 8 at rank 1, as Leptonica's
 * skew search reduces (ratio 4 and 8 of the sweep to the search image:
 * the levels it uses for them). */
static PIX *reduce(PIX *pix, int by, int from_search)
{
    if (by == 1)
        return pixClone(pix);
    if (by == 2)
        return pixReduceRankBinaryCascade(pix, 1, 0, 0, 0);
    if (by == 4)
        return from_search ? pixReduceRankBinaryCascade(pix, 1, 2, 0, 0)
                           : pixReduceRankBinaryCascade(pix, 1, 1, 0, 0);
    return from_search ? pixReduceRankBinaryCascade(pix, 1, 2, 2, 0)
                       : pixReduceRankBinaryCascade(pix, 1, 1, 2, 0);
}

/* The search's scores' minimum, as numaGetMin finds it. */
static void min_add(l_float32 *min, l_float32 v)
{
    if (v < *min)
        *min = v;
}

/* The sweep: the angle of the best score (the first of equal ones, as
 * numaGetMax finds it) and the score; -1 when it is at an end of the
 * sweep, where Leptonica gives up. */
static int sweep(const SkewRows *r, SkewWork *wk, l_float32 sweeprange,
                 l_float32 sweepdelta, l_float32 deg2rad, l_float32 *pangle,
                 l_float32 *pscore)
{
    int nangles = (int)((2. * sweeprange) / sweepdelta + 1);
    l_float32 rangeleft = 0.0f - sweeprange;
    l_float32 maxscore = -1000000000.0f, maxangle = 0.0f;
    int maxindex = 0;
    for (int i = 0; i < nangles; i++) {
        l_float32 theta = rangeleft + i * sweepdelta;
        l_float32 sum = shear_score(r, wk, deg2rad * theta);
        if (sum > maxscore) {
            maxscore = sum;
            maxindex = i;
            maxangle = theta;
        }
    }
    *pangle = maxangle;
    *pscore = maxscore;
    return maxindex == 0 || maxindex == nangles - 1 ? -1 : maxindex;
}

/* The interval-halving search about the sweep's best angle (center, its
 * score maxscore); the confidence as Leptonica gives it. */
static void search(const SkewRows *r, SkewWork *wk, l_float32 center,
                   l_float32 maxscore, l_float32 sweeprange,
                   l_float32 sweepdelta, l_float32 minbsdelta,
                   l_float32 deg2rad, l_float32 *pangle, l_float32 *pconf)
{
    l_float32 s[5];
    l_float32 min = 1000000000.0f;
    s[2] = shear_score(r, wk, deg2rad * center);
    s[0] = shear_score(r, wk, deg2rad * (center - sweepdelta));
    s[4] = shear_score(r, wk, deg2rad * (center + sweepdelta));
    min_add(&min, s[2]);
    min_add(&min, s[0]);
    min_add(&min, s[4]);
    l_float32 delta = 0.5 * sweepdelta;
    while (delta >= minbsdelta) {
        s[1] = shear_score(r, wk, deg2rad * (center - delta));
        min_add(&min, s[1]);
        s[3] = shear_score(r, wk, deg2rad * (center + delta));
        min_add(&min, s[3]);
        maxscore = s[1];
        int maxindex = 1;
        for (int i = 2; i < 4; i++) {
            if (s[i] > maxscore) {
                maxscore = s[i];
                maxindex = i;
            }
        }
        l_float32 lt = s[maxindex - 1], rt = s[maxindex + 1];
        s[2] = maxscore;
        s[0] = lt;
        s[4] = rt;
        center = center + delta * (maxindex - 2);
        delta = 0.5 * delta;
    }
    *pangle = center;
    l_float32 minthresh =
        SKEW_MINSCORE_THRESH_FACTOR * r->w * r->w * r->h;
    *pconf = min > minthresh ? maxscore / min : 0.0f;
    l_float32 rangeleft = 0.0f - sweeprange;
    if (center > rangeleft + 2 * sweeprange - sweepdelta ||
        center < rangeleft + sweepdelta ||
        maxscore < SKEW_MIN_VALID_MAXSCORE)
        *pconf = 0.0f;
}

/**
 * The skew of a 1 bpp page as pixFindSkewSweepAndSearch() finds it (a
 * sweep about 0 on the page reduced red_sweep times, then a search on the
 * page reduced red_search times; shears about the left edge), bit for bit
 * and some times faster (see the file's comment).
 *
 * @param pixs        1 bpp page
 * @param pangle      [out] the angle that straightens it, degrees (0 when
 *                    not found)
 * @param pconf       [out] Leptonica's confidence (0 when not found)
 * @param red_sweep   1, 2, 4 or 8
 * @param red_search  1, 2, 4 or 8, at most red_sweep
 * @param sweeprange  half the sweep, degrees, under 45
 * @param sweepdelta  the sweep's step, degrees
 * @param minbsdelta  the search's last step, degrees
 * @return 0 when measured (Leptonica's 0, the best angle at an end of the
 *         sweep included, with angle and confidence 0), 1 when there is
 *         no ink to measure, -1 with err_last() set on bad arguments or
 *         out of memory
 */
int seg__skew_search(PIX *pixs, float *pangle, float *pconf, int red_sweep,
                     int red_search, float sweeprange, float sweepdelta,
                     float minbsdelta)
{
    *pangle = 0.0f;
    *pconf = 0.0f;
    int ok_red = (red_sweep == 1 || red_sweep == 2 || red_sweep == 4 ||
                  red_sweep == 8) &&
                 (red_search == 1 || red_search == 2 || red_search == 4 ||
                  red_search == 8) &&
                 red_search <= red_sweep;
    if (!pixs || pixGetDepth(pixs) != 1 || !ok_red || !(sweepdelta > 0) ||
        !(sweeprange >= 0 && sweeprange < 45) || !(minbsdelta > 0))
        return err_set("deskew: bad search (1 bpp page, reductions 1-8)");
    l_float32 deg2rad = 3.1415926535 / 180.;
    PIX *pixsch = reduce(pixs, red_search, 0);
    if (!pixsch)
        return err_set("deskew: out of memory");
    l_int32 zero = 1;
    pixZero(pixsch, &zero);
    if (zero) {
        pixDestroy(&pixsch);
        return 1;
    }
    PIX *pixsw = reduce(pixsch, red_sweep / red_search, 1);
    SkewRows rsw = {0}, rsch = {0};
    SkewWork wk = {0};
    int rc = -1;
    if (!pixsw) {
        err_set("deskew: out of memory");
        goto done;
    }
    if (rows_init(&rsw, pixsw) < 0 || rows_init(&rsch, pixsch) < 0 ||
        work_init(&wk, rsch.w > rsw.w ? rsch.w : rsw.w,
                  rsch.h > rsw.h ? rsch.h : rsw.h) < 0)
        goto done;
    l_float32 center, best;
    rc = 0;
    if (sweep(&rsw, &wk, sweeprange, sweepdelta, deg2rad, &center, &best) < 0)
        goto done;
    search(&rsch, &wk, center, best, sweeprange, sweepdelta, minbsdelta,
           deg2rad, pangle, pconf);
done:
    work_cleanup(&wk);
    free(rsw.pre);
    free(rsch.pre);
    pixDestroy(&pixsw);
    pixDestroy(&pixsch);
    return rc;
}
