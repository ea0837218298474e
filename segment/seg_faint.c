/*
 * seg_faint.c - rules printed light (a form in a drop-out colour, or
 * faded) found in the grey image and painted whole into the binary one.
 *
 * Design: Sauvola keeps a light rule in bits, or thin and broken; the
 * furniture step needs a long, whole rule to find one, so the bits were
 * read as 1s. A faint rule pixel lies between the ink and the paper, is
 * well under the paper 2-5 px on both sides across the rule, and has no
 * dark pixel just beside it across the rule (a pen stroke's grey edge);
 * painted ink, the rule goes as a dark rule does. Two searches:
 *   - a strip (a field or line cut out; seg__faint_strip, seg_page_binarize
 *     note 6): rows and columns spanning most of the strip;
 *   - a page (seg__faint_page, note 7): runs of such pixels along each
 *     row (tilted by the page's skew), at least SEG_FAINT_PAGE_INCH long,
 *     stacked rows merged into one rule; two rules one above the other
 *     make a box, whose columns between them are searched for its sides
 *     and dividers. A field on a page so gets the rules its crop would
 *     get.
 * Threading: no global state.
 */
#include "segment/seg_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Faint rules (seg_page_binarize note 6): the mean length of the runs
 * of faint pixels along a line that make it a solid rule. */
#define SEG_FAINT_RUN 6
/* ... and the glyph height (ink_median_height) under which a strip is not
 * looked at: at half size a dotted divider blurs into a faint line, and
 * painted it was read as 1s. */
#define SEG_FAINT_GLYPH 30.0f
/* Faint rules on a page (seg_page_binarize note 7): the shortest rule,
 * in inches (a field of two or three boxes); the paper pixels in a row
 * (a flicker) and the darker ones (a stroke across it, in inches) a rule
 * bridges; the share of a run that must be
 * faint rule pixels; how far apart (in inches) a box's top and bottom
 * rules may be; the share of a box's height its sides must span. */
#define SEG_FAINT_PAGE_INCH 0.4f
#define SEG_FAINT_GAP 4
#define SEG_FAINT_INK_INCH 0.1f
#define SEG_FAINT_FILL 0.6f
#define SEG_FAINT_BOX_MIN 0.04f
#define SEG_FAINT_BOX_MAX 0.6f
#define SEG_FAINT_SIDE 0.6f
/* A comb's ticks (seg_page_binarize note 7): the longest searched and
 * the shortest painted, in inches, from the rule they stand on. */
#define SEG_FAINT_TICK_MAX 0.12f
/* Rows searched tilted by the page's skew from this many degrees on. */
#define SEG_FAINT_LEVEL_DEG 0.75f
#define SEG_FAINT_TICK_MIN 0.03f
/* A strip's tilt (strip_tilt): the step of the angles tried, in degrees,
 * and how many times the level rows' most light pixels the best tilted
 * row must hold. */
#define SEG_FAINT_TILT_STEP 0.5
#define SEG_FAINT_TILT_GAIN 1.25

/* A grey image searched for faint rules, and its levels: a faint pixel
 * lies between mid and lite (paper - d) and d under the paper beside it
 * (rule_faint). */
typedef struct {
    const l_uint32 *data;
    int wpl, w, h;
    int mid, d, lite;
    const int *dy; /* a page's tilt: row y's pixel x is at y + dy[x]; NULL:
                    * level (seg__faint_page) */
    const int *sx, *sdy; /* the whole words in spans of one dy: span k is
                          * pixels sx[k]..sx[k+1]-1, dy sdy[k] */
    int nspan;
} Faint;

/* The row of f's pixel x on the (tilted) row y. */
static inline int tilt(const Faint *f, int x, int y)
{
    return f->dy ? y + f->dy[x] : y;
}

/* The rise of pixel (x, y) over the paper on both sides of it across a
 * line (step dx, dy): the smaller of the brightest pixel 2-5 px before it
 * and the brightest 2-5 px after it, minus its own grey (at the image's
 * edge, the side that is on it). */
static int rule_rise(const Faint *f, int x, int y, int dx, int dy)
{
    int g = GET_DATA_BYTE(f->data + (size_t)y * f->wpl, x), side[2];
    for (int k = 0; k < 2; k++) {
        int sgn = k ? 1 : -1, best = -1;
        for (int o = 2; o <= 5; o++) {
            int xx = x + sgn * o * dx, yy = y + sgn * o * dy;
            if (xx < 0 || yy < 0 || xx >= f->w || yy >= f->h)
                break;
            int v = GET_DATA_BYTE(f->data + (size_t)yy * f->wpl, xx);
            best = v > best ? v : best;
        }
        side[k] = best;
    }
    if (side[0] < 0 && side[1] < 0)
        return 0;
    if (side[0] < 0 || side[1] < 0) /* at the image's edge: one side */
        return (side[0] > side[1] ? side[0] : side[1]) - g;
    return (side[0] < side[1] ? side[0] : side[1]) - g;
}

/* Is grey g as light as a rule: between ink and paper (mid..lite)? */
static inline int faint_level(const Faint *f, int g)
{
    return g >= f->mid && g <= f->lite;
}

/* Is (x, y) a pixel of a faint rule across step (dx, dy): between mid and
 * lite, at least d under the paper on both sides, and no dark pixel
 * (under mid) beside it along the rule's width (the grey edge of a pen
 * stroke)? */
static int rule_faint(const Faint *f, int x, int y, int dx, int dy)
{
    int g = GET_DATA_BYTE(f->data + (size_t)y * f->wpl, x);
    if (!faint_level(f, g))
        return 0; /* ink, or paper: most pixels */
    for (int k = -1; k <= 1; k += 2) {
        int xx = x + k * dx, yy = y + k * dy;
        if (xx >= 0 && yy >= 0 && xx < f->w && yy < f->h &&
            GET_DATA_BYTE(f->data + (size_t)yy * f->wpl, xx) < f->mid)
            return 0;
    }
    return rule_rise(f, x, y, dx, dy) >= f->d;
}

/* How many pixels of line l (a row when horizontal, tilted as f is,
 * else a column) are faint rule pixels across it (rule_faint), 0 when
 * they are not in runs of SEG_FAINT_RUN on average (a dotted or dashed
 * rule, blurred: painted, its dots were glyph pieces). */
static int faint_count(const Faint *f, int horizontal, int l)
{
    int len = horizontal ? f->w : f->h, n = 0, runs = 0, prev = 0;
    for (int i = 0; i < len; i++) {
        int y = horizontal ? tilt(f, i, l) : i;
        int on = y >= 0 && y < f->h &&
                 (horizontal ? rule_faint(f, i, y, 0, 1)
                             : rule_faint(f, l, i, 1, 0));
        n += on;
        runs += on && !prev;
        prev = on;
    }
    return n >= SEG_FAINT_RUN * runs ? n : 0;
}

/* Faint rules (seg_page_binarize note 6): the rows of f (tilted as f
 * is) with at least hneed faint pixels across them (rule_faint) and the
 * columns with vneed hold light rules; their faint pixels, and where a
 * row and a column of them cross the pixels between mid and lite (as
 * light as a rule), are painted ink into pixb (f's image thresholded).
 * Returns the rows found (0 also out of memory, or a texture). */
static int faint_paint(PIX *pixb, const Faint *f, int hneed, int vneed)
{
    int w = f->w, h = f->h, bwpl = pixGetWpl(pixb), dlo = 0, dhi = 0;
    for (int x = 0; f->dy && x < w; x++) {
        dlo = f->dy[x] < dlo ? f->dy[x] : dlo;
        dhi = f->dy[x] > dhi ? f->dy[x] : dhi;
    }
    /* tilted row y (-dhi .. h-dlo-1) is row[y + dhi] */
    int nrow = h + dhi - dlo;
    l_uint32 *bdata = pixGetData(pixb);
    unsigned char *row = calloc((size_t)nrow, 1), *col = calloc((size_t)w, 1);
    int *rlev = calloc((size_t)nrow, sizeof *rlev);
    int *clev = calloc((size_t)w, sizeof *clev);
    int nr = 0, nc = 0;
    /* a line needs as many pixels between mid and lite as faint ones:
     * one pass counts them, and only lines with enough are looked at */
    for (int y = 0; rlev && clev && y < h; y++)
        for (int x = 0; x < w; x++) {
            int g = GET_DATA_BYTE(f->data + (size_t)y * f->wpl, x);
            int lev = faint_level(f, g);
            rlev[y - (f->dy ? f->dy[x] : 0) + dhi] += lev;
            clev[x] += lev;
        }
    for (int r = 0; row && rlev && clev && r < nrow; r++)
        nr += row[r] = rlev[r] >= hneed && faint_count(f, 1, r - dhi) >= hneed;
    for (int x = 0; col && rlev && clev && x < w; x++)
        nc += col[x] = clev[x] >= vneed && faint_count(f, 0, x) >= vneed;
    free(rlev);
    free(clev);
    /* rules are a few lines of the crop; many are a texture (the lines
     * of a screen photographed, paper's grain): nothing is painted */
    int any = nr + nc > 0 && 20 * nr <= 3 * h && 20 * nc <= 3 * w;
    for (int y = 0; row && col && any && y < h; y++)
        for (int x = 0; x < w; x++) {
            int on = row[y - (f->dy ? f->dy[x] : 0) + dhi];
            if (!on && !col[x])
                continue;
            int g = GET_DATA_BYTE(f->data + (size_t)y * f->wpl, x);
            int paint = (on && col[x] && faint_level(f, g)) ||
                        (on && rule_faint(f, x, y, 0, 1)) ||
                        (col[x] && rule_faint(f, x, y, 1, 0));
            if (paint)
                SET_DATA_BIT(bdata + (size_t)y * bwpl, x);
        }
    free(row);
    free(col);
    return any ? nr : 0;
}

static int *tilt_make(Faint *f, double t, int *pdlo, int *pdhi);

/* The most of the m points (xs, ys) of a w x h image on one row tilted
 * by t (going down t a column); d: room for w ints, cnt for h + 2 span
 * (span: the most any tilt climbs, plus one). */
static int tilt_most(const int *xs, const int *ys, size_t m, int w, int h,
                     double t, int span, int *d, int *cnt)
{
    for (int x = 0; x < w; x++)
        d[x] = span - (int)lrint(t * x);
    memset(cnt, 0, (size_t)(h + 2 * span) * sizeof *cnt);
    int most = 0;
    for (size_t i = 0; i < m; i++) {
        int r = ys[i] + d[xs[i]];
        most = ++cnt[r] > most ? cnt[r] : most;
    }
    return most;
}

/* The tilt (rows go down by t a column) along which f's pixels as light
 * as a rule (faint_level) line up best: of the angles up to
 * SEG_ROT_MAX_DEG, by SEG_FAINT_TILT_STEP degrees and then half that
 * either side of the best, the one whose fullest row holds the most of
 * them, when that row holds SEG_FAINT_TILT_GAIN times what the fullest
 * level row does and climbs 2 px or more across the strip; else 0
 * (level, or out of memory). */
static double strip_tilt(const Faint *f)
{
    int w = f->w, h = f->h, n = (int)(SEG_ROT_MAX_DEG / SEG_FAINT_TILT_STEP);
    int span = (int)ceil(tan(SEG_ROT_MAX_DEG * M_PI / 180.0) * w) + 1;
    size_t m = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            m += faint_level(f, GET_DATA_BYTE(f->data + (size_t)y * f->wpl,
                                              x));
    /* the light pixels (rules, strokes' edges), then a row count for each
     * tilt */
    int *xs = malloc((2 * m + 1) * sizeof *xs), *ys = xs ? xs + m : NULL;
    int *d = malloc(((size_t)w + h + 2 * span) * sizeof *d);
    if (!xs || !d) {
        free(xs);
        free(d);
        return 0.0;
    }
    for (int y = 0, i = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (faint_level(f, GET_DATA_BYTE(f->data + (size_t)y * f->wpl,
                                             x))) {
                xs[i] = x;
                ys[i++] = y;
            }
    int *cnt = d + w, level = tilt_most(xs, ys, m, w, h, 0.0, span, d, cnt);
    int best = 0;
    double abest = 0.0;
    for (int k = -n; k <= n; k++) {
        double a = k * SEG_FAINT_TILT_STEP;
        int most = k ? tilt_most(xs, ys, m, w, h, tan(a * M_PI / 180.0),
                                 span, d, cnt) : 0;
        if (most > best) {
            best = most;
            abest = a;
        }
    }
    for (int k = -1; best > 0 && k <= 1; k += 2) {
        double a = abest + k * SEG_FAINT_TILT_STEP / 2.0;
        int most = tilt_most(xs, ys, m, w, h, tan(a * M_PI / 180.0), span,
                             d, cnt);
        if (most > best && fabs(a) <= SEG_ROT_MAX_DEG) {
            best = most;
            abest = a;
        }
    }
    free(xs);
    free(d);
    double t = tan(abest * M_PI / 180.0);
    return best >= SEG_FAINT_TILT_GAIN * level && fabs(t) * w >= 2.0 ? t
                                                                     : 0.0;
}

/**
 * Paint the faint rules of a strip (a field or line cut out: at least
 * twice as wide as high; seg_page_binarize note 6) into its binary image.
 * The paper is the grey's 90th percentile, the ink its 1st; rows whose
 * faint pixels span 0.4 of the width, and columns whose faint pixels
 * span max(0.35 of the height, 0.8 glyph heights), are rules.
 *
 * @param[in,out] pixb  pixg thresholded at its size (1 bpp)
 * @param[in]     pixg  the strip's grey image (8 bpp)
 * @param[in]     med   the strip's glyph height in px (ink_median_height);
 *                      under SEG_FAINT_GLYPH nothing is painted
 * @param[in]     tilted  whether rows are searched tilted too (a strip
 *                      that may be turned: deskew): when no level row
 *                      holds a rule and the pixels as light as a rule
 *                      line up best along a tilt that climbs 2 px or more
 *                      across the strip (strip_tilt), rows are searched
 *                      along it too (a field cut from a form scanned
 *                      turned 2 degrees, 300 px wide, climbs 11 px: no
 *                      level row held 0.4 of its rule)
 */
void seg__faint_strip(PIX *pixb, PIX *pixg, float med, int tilted)
{
    int w = pixGetWidth(pixg), h = pixGetHeight(pixg);
    if (w < 2 * h || h < 16 || med < SEG_FAINT_GLYPH)
        return;
    NUMA *na = pixGetGrayHistogram(pixg, 1);
    if (!na)
        return;
    l_float32 paper = 0, dark = 0;
    numaHistogramGetValFromRank(na, 0.9f, &paper);
    numaHistogramGetValFromRank(na, 0.01f, &dark);
    numaDestroy(&na);
    int contrast = (int)(paper - dark);
    if (contrast < 80)
        return;
    Faint f = {pixGetData(pixg), pixGetWpl(pixg), w, h, 0, 0, 0,
               NULL, NULL, NULL, 0};
    f.mid = (int)(dark + paper) / 2;
    f.d = contrast / 8;
    f.lite = (int)paper - f.d;
    int vneed = (int)(0.35f * h);
    if (vneed < (int)(0.8f * med))
        vneed = (int)(0.8f * med);
    /* level first; turned, a strip's rows are searched along its tilt
     * only when no level row held a rule (a straight strip pays nothing
     * more) */
    if (faint_paint(pixb, &f, (int)(0.4f * w), vneed) > 0 || !tilted)
        return;
    double t = strip_tilt(&f);
    int dlo = 0, dhi = 0;
    int *dy = t != 0.0 ? tilt_make(&f, t, &dlo, &dhi) : NULL;
    if (dy)
        faint_paint(pixb, &f, (int)(0.4f * w), vneed);
    free(dy);
}


/* A faint rule on a page: rows y0..y1, columns x0..x1. */
typedef struct {
    int x0, x1, y0, y1;
} FaintRule;

typedef struct {
    FaintRule *v;
    int n, cap;
} FaintRules;

/* Add the run x0..x1 of row y to rs: it thickens a rule that ends on
 * one of the two rows above and overlaps it by half the shorter, else it
 * starts one. Returns 0, or -1 out of memory. */
static int rules_add(FaintRules *rs, int x0, int x1, int y)
{
    for (int i = rs->n - 1; i >= 0; i--) {
        FaintRule *r = &rs->v[i];
        if (r->y1 < y - 2)
            continue;
        int lo = x0 > r->x0 ? x0 : r->x0, hi = x1 < r->x1 ? x1 : r->x1;
        int shorter = x1 - x0 < r->x1 - r->x0 ? x1 - x0 : r->x1 - r->x0;
        if (2 * (hi - lo) < shorter)
            continue;
        r->x0 = x0 < r->x0 ? x0 : r->x0;
        r->x1 = x1 > r->x1 ? x1 : r->x1;
        r->y1 = y;
        return 0;
    }
    if (rs->n == rs->cap) {
        int cap = rs->cap ? 2 * rs->cap : 16;
        FaintRule *v = realloc(rs->v, (size_t)cap * sizeof *v);
        if (!v)
            return -1;
        rs->v = v;
        rs->cap = cap;
    }
    rs->v[rs->n++] = (FaintRule){x0, x1, y, y};
    return 0;
}

/* How many pixels of (tilted) row y may be faint rule pixels across it:
 * as light as a rule (faint_level) and at least d under the pixels 4
 * rows above and below (one of them at the page's edge), as rule_rise
 * asks of the brightest 2-5 rows away. A pen stroke's grey edge rarely
 * has paper on both sides; a rule's pixels have. The whole words span
 * by span (f->sx: each on one image row; a level page is one span), 16
 * bytes at a time (SSE2; their order in a word does not matter to a
 * count), the rest one by one. */
/* Span k of (tilted) row y (Faint.sx; a level page's one span is its
 * whole words): its pixels *pi..*pi1-1, and the image row it lies on. */
static inline int span_at(const Faint *f, int y, int k, int *pi, int *pi1)
{
    *pi = f->dy ? f->sx[k] : 0;
    *pi1 = f->dy ? f->sx[k + 1] : f->w / 4 * 4;
    return f->dy ? y + f->sdy[k] : y;
}

static int row_gate_count(const Faint *f, int y);

/* How many pixels of (tilted) row y are as light as a rule (faint_level)
 * in its whole words, 16 at a time (SSE2): one row read, where the screen
 * reads three; a row without need of them is no rule's. */
static int row_level_count(const Faint *f, int y)
{
    int n = 0, ns = f->dy ? f->nspan : 1;
    int lo = f->mid, span = f->lite - f->mid;
#if defined(__SSE2__)
    const __m128i vlo = _mm_set1_epi8((char)lo);
    const __m128i vspan = _mm_set1_epi8((char)span);
    const __m128i one = _mm_set1_epi8(1), zero = _mm_setzero_si128();
    __m128i acc = zero;
#endif
    for (int k = 0; k < ns; k++) {
        int i, i1, yy = span_at(f, y, k, &i, &i1);
        if (yy < 0 || yy >= f->h)
            continue;
        const unsigned char *b =
            (const unsigned char *)(f->data + (size_t)yy * f->wpl);
#if defined(__SSE2__)
        for (; i + 16 <= i1; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(b + i));
            __m128i in = _mm_sub_epi8(v, vlo);
            in = _mm_cmpeq_epi8(_mm_max_epu8(in, vspan), vspan);
            acc = _mm_add_epi64(acc,
                                _mm_sad_epu8(_mm_and_si128(in, one), zero));
        }
#endif
        for (; i < i1; i++)
            n += (unsigned)(b[i] - lo) <= (unsigned)span;
    }
#if defined(__SSE2__)
    n += _mm_cvtsi128_si32(acc) +
         _mm_cvtsi128_si32(_mm_unpackhi_epi64(acc, acc));
#endif
    return n;
}

static int row_gate_count(const Faint *f, int y)
{
    int full = f->w / 4 * 4, n = 0;
    int lo = f->mid, span = f->lite - f->mid;
#if defined(__SSE2__)
    /* (b - lo) as unsigned bytes is at most span when max(b - lo, span)
     * == span; a >= b + d (saturated) when max(a, b + d) == a; the
     * matches summed by psadbw */
    const __m128i vlo = _mm_set1_epi8((char)lo);
    const __m128i vspan = _mm_set1_epi8((char)span);
    const __m128i vd = _mm_set1_epi8((char)f->d);
    const __m128i one = _mm_set1_epi8(1), zero = _mm_setzero_si128();
    __m128i acc = zero;
#endif
    int ns = f->dy ? f->nspan : 1;
    for (int k = 0; k < ns; k++) {
        int i, i1, yy = span_at(f, y, k, &i, &i1);
        int ya = yy >= 4 ? yy - 4 : yy + 4;
        int yb = yy + 4 < f->h ? yy + 4 : yy - 4;
        if (yy < 0 || yy >= f->h || ya >= f->h || yb < 0)
            continue; /* off the page, or a page under 5 rows */
        const unsigned char *b =
            (const unsigned char *)(f->data + (size_t)yy * f->wpl);
        const unsigned char *pa =
            (const unsigned char *)(f->data + (size_t)ya * f->wpl);
        const unsigned char *pb =
            (const unsigned char *)(f->data + (size_t)yb * f->wpl);
#if defined(__SSE2__)
        for (; i + 16 <= i1; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(b + i));
            __m128i u = _mm_loadu_si128((const __m128i *)(pa + i));
            __m128i w = _mm_loadu_si128((const __m128i *)(pb + i));
            __m128i vup = _mm_adds_epu8(v, vd);
            __m128i in = _mm_sub_epi8(v, vlo);
            in = _mm_cmpeq_epi8(_mm_max_epu8(in, vspan), vspan);
            in = _mm_and_si128(in, _mm_cmpeq_epi8(_mm_max_epu8(u, vup), u));
            in = _mm_and_si128(in, _mm_cmpeq_epi8(_mm_max_epu8(w, vup), w));
            in = _mm_and_si128(in, one);
            acc = _mm_add_epi64(acc, _mm_sad_epu8(in, zero));
        }
#endif
        for (; i < i1; i++)
            n += (unsigned)(b[i] - lo) <= (unsigned)span &&
                 pa[i] >= b[i] + f->d && pb[i] >= b[i] + f->d;
    }
#if defined(__SSE2__)
    n += _mm_cvtsi128_si32(acc) +
         _mm_cvtsi128_si32(_mm_unpackhi_epi64(acc, acc));
#endif
    for (int x = full; x < f->w; x++) {
        int yy = tilt(f, x, y), ya = yy >= 4 ? yy - 4 : yy + 4;
        int yb = yy + 4 < f->h ? yy + 4 : yy - 4;
        if (yy < 0 || yy >= f->h || ya >= f->h || yb < 0)
            continue;
        int g = GET_DATA_BYTE(f->data + (size_t)yy * f->wpl, x);
        n += faint_level(f, g) &&
             (int)GET_DATA_BYTE(f->data + (size_t)ya * f->wpl, x) >=
                 g + f->d &&
             (int)GET_DATA_BYTE(f->data + (size_t)yb * f->wpl, x) >= g + f->d;
    }
    return n;
}

/* The runs of faint rule pixels along row y (rule_faint across it) with
 * at least need of them, added to rs (rules_add). Between two faint rule
 * pixels a run bridges up to SEG_FAINT_GAP pixels of paper (lighter than
 * lite) in a row, and up to inkgap darker ones (a stroke written across
 * the rule, with its grey edges; where a side meets the rule); it needs
 * SEG_FAINT_FILL of its length faint and runs of SEG_FAINT_RUN on
 * average (a dotted rule is no rule).
 * Returns 0, or -1 out of memory. */
static int row_rules(const Faint *f, int y, int need, int inkgap,
                     FaintRules *rs)
{
    int start = -1, last = -1, on = 0, runs = 0, prev = 0;
    int paper = 0, covered = 0;
    for (int x = 0; x <= f->w; x++) {
        int yy = x < f->w ? tilt(f, x, y) : -1;
        int g = yy >= 0 && yy < f->h
                    ? (int)GET_DATA_BYTE(f->data + (size_t)yy * f->wpl, x)
                    : 255; /* off the page: paper */
        if (g < 255 && faint_level(f, g) && rule_faint(f, x, yy, 0, 1)) {
            if (start < 0)
                start = x, on = runs = 0;
            on++;
            runs += !prev;
            prev = 1;
            last = x;
            paper = covered = 0;
            continue;
        }
        prev = 0;
        if (start < 0)
            continue;
        if (x < f->w) {
            if (g > f->lite)
                paper++;
            else
                covered++, paper = 0;
            if (paper <= SEG_FAINT_GAP && covered <= inkgap)
                continue;
        }
        if (on >= need && on >= SEG_FAINT_RUN * runs &&
            on >= SEG_FAINT_FILL * (float)(last - start + 1) &&
            rules_add(rs, start, last, y) < 0)
            return -1;
        start = -1;
    }
    return 0;
}

/* Paint rule r: every pixel of its rows and span at most as light as a
 * rule (lite): under a stroke that ends on the rule its pixels are faint
 * across neither way, and the rule must stay whole. */
static void rule_paint(PIX *pixb, const Faint *f, const FaintRule *r)
{
    l_uint32 *bdata = pixGetData(pixb);
    int bwpl = pixGetWpl(pixb);
    for (int y = r->y0; y <= r->y1; y++)
        for (int x = r->x0; x <= r->x1; x++) {
            int yy = tilt(f, x, y);
            if (yy >= 0 && yy < f->h &&
                (int)GET_DATA_BYTE(f->data + (size_t)yy * f->wpl, x) <=
                    f->lite)
                SET_DATA_BIT(bdata + (size_t)yy * bwpl, x);
        }
}

/* The sides and dividers of the box between rules a (above) and b: each
 * column over their spans (3 px more each way) whose faint pixels
 * across it (rule_faint, left to right) cover SEG_FAINT_SIDE of the rows
 * between the rules, in runs of SEG_FAINT_RUN on average, is a side.
 * Between the rules every pixel of it at most as light as a rule is
 * painted (beside a digit that touches it, it is faint across neither
 * way, and the furniture step needs it whole), and where it meets a or b
 * (the corner) the pixels as light as a rule. */
static void box_sides(PIX *pixb, const Faint *f, const FaintRule *a,
                      const FaintRule *b)
{
    l_uint32 *bdata = pixGetData(pixb);
    int bwpl = pixGetWpl(pixb);
    int x0 = (a->x0 < b->x0 ? a->x0 : b->x0) - 3;
    int x1 = (a->x1 > b->x1 ? a->x1 : b->x1) + 3;
    x0 = x0 < 0 ? 0 : x0;
    x1 = x1 >= f->w ? f->w - 1 : x1;
    for (int x = x0; x <= x1; x++) {
        int y0 = tilt(f, x, a->y1 + 1), y1 = tilt(f, x, b->y0 - 1);
        int top = tilt(f, x, a->y0 - 2), bot = tilt(f, x, b->y1 + 2);
        top = top < 0 ? 0 : top;
        bot = bot >= f->h ? f->h - 1 : bot;
        if (y0 < 0 || y1 >= f->h)
            continue;
        int on = 0, runs = 0, prev = 0;
        for (int y = y0; y <= y1; y++) {
            int hit = rule_faint(f, x, y, 1, 0);
            on += hit;
            runs += hit && !prev;
            prev = hit;
        }
        if (on < SEG_FAINT_SIDE * (float)(y1 - y0 + 1) ||
            on < SEG_FAINT_RUN * runs)
            continue;
        for (int y = top; y <= bot; y++) {
            int g = GET_DATA_BYTE(f->data + (size_t)y * f->wpl, x);
            int in = y >= y0 && y <= y1;
            if (in ? g <= f->lite : faint_level(f, g))
                SET_DATA_BIT(bdata + (size_t)y * bwpl, x);
        }
    }
}

/* The ticks of a comb on rule r: each column over its span (3 px more
 * each way: a tick at its end) whose faint
 * pixels across it (rule_faint, left to right) start on the row next to
 * r, above or below it, and go on for at least SEG_FAINT_TICK_MIN inches
 * (with gaps of a pixel) is a tick, up to SEG_FAINT_TICK_MAX inches:
 * its pixels at most as light as a rule are painted, and where it meets
 * r the pixels as light as a rule. */
static void rule_ticks(PIX *pixb, const Faint *f, const FaintRule *r,
                       int dpi)
{
    l_uint32 *bdata = pixGetData(pixb);
    int bwpl = pixGetWpl(pixb);
    int tmax = (int)(SEG_FAINT_TICK_MAX * dpi);
    int tmin = (int)(SEG_FAINT_TICK_MIN * dpi);
    int x0 = r->x0 - 3 < 0 ? 0 : r->x0 - 3;
    int x1 = r->x1 + 3 >= f->w ? f->w - 1 : r->x1 + 3;
    for (int x = x0; x <= x1; x++)
        for (int dir = -1; dir <= 1; dir += 2) {
            int ry0 = tilt(f, x, r->y0), ry1 = tilt(f, x, r->y1);
            int from = dir < 0 ? ry0 - 1 : ry1 + 1;
            int y = from, end = y, miss = 0;
            for (int k = 0; k < tmax && y >= 0 && y < f->h && miss < 2;
                 k++, y += dir) {
                if (rule_faint(f, x, y, 1, 0))
                    end = y, miss = 0;
                else
                    miss++;
            }
            int len = dir * (end - from) + 1;
            if (len < tmin)
                continue;
            int lo = dir < 0 ? end : ry0, hi = dir < 0 ? ry1 : end;
            lo = lo < 0 ? 0 : lo;
            hi = hi >= f->h ? f->h - 1 : hi;
            for (int yy = lo; yy <= hi; yy++) {
                int g = GET_DATA_BYTE(f->data + (size_t)yy * f->wpl, x);
                int on = yy < ry0 || yy > ry1 ? g <= f->lite
                                              : faint_level(f, g);
                if (on)
                    SET_DATA_BIT(bdata + (size_t)yy * bwpl, x);
            }
        }
}

/* The box under rule a: the nearest rule below it, SEG_FAINT_BOX_MIN to
 * SEG_FAINT_BOX_MAX inches away, that shares 0.7 of the shorter's span;
 * -1 when there is none. */
static int box_below(const FaintRules *rs, int a, int dpi)
{
    const FaintRule *r = &rs->v[a];
    int best = -1, gmin = (int)(SEG_FAINT_BOX_MIN * dpi);
    int gmax = (int)(SEG_FAINT_BOX_MAX * dpi);
    for (int i = 0; i < rs->n; i++) {
        const FaintRule *q = &rs->v[i];
        int gap = q->y0 - r->y1;
        if (i == a || gap < gmin || gap > gmax)
            continue;
        int lo = q->x0 > r->x0 ? q->x0 : r->x0;
        int hi = q->x1 < r->x1 ? q->x1 : r->x1;
        int shorter = q->x1 - q->x0 < r->x1 - r->x0 ? q->x1 - q->x0
                                                    : r->x1 - r->x0;
        if (hi - lo < 0.7f * (float)shorter)
            continue;
        if (best < 0 || q->y0 < rs->v[best].y0)
            best = i;
    }
    return best;
}

/**
 * The paper's grey of an 8 bpp page: the 90th percentile of every 16th
 * pixel's in every 16th row (Leptonica's histogram).
 *
 * @param[in] pixg  8 bpp grey page
 * @return 0..255, or -1 out of memory
 */
int seg__paper_level(PIX *pixg)
{
    NUMA *na = pixGetGrayHistogram(pixg, 16);
    if (!na)
        return -1;
    l_float32 paper = 0;
    numaHistogramGetValFromRank(na, 0.9f, &paper);
    numaDestroy(&na);
    return (int)paper;
}

/* The page's levels for the search (Faint): the paper is the 90th
 * percentile of the grey of every 16th pixel of every 16th row, the ink
 * the 10th percentile of the grey under the ink of pixb (every 8th
 * row): on a page the ink is too little of the pixels for a percentile
 * of them all. Returns 0 when
 * the contrast is under 80 levels (nothing to look for), else 1. */
static int page_levels(PIX *pixb, PIX *pixg, Faint *f)
{
    int paper = seg__paper_level(pixg);
    if (paper < 0)
        return 0;
    unsigned hist[256] = {0}, n = 0;
    const l_uint32 *bd = pixGetData(pixb);
    int bwpl = pixGetWpl(pixb);
    for (int y = 0; y < f->h; y += 8) {
        const l_uint32 *bl = bd + (size_t)y * bwpl;
        const l_uint32 *gl = f->data + (size_t)y * f->wpl;
        for (int j = 0; j < bwpl; j++)
            for (l_uint32 wd = bl[j]; wd;) { /* its ink, bit by bit */
                int k = __builtin_clz(wd), x = 32 * j + k;
                wd &= ~(0x80000000u >> k);
                if (x < f->w) {
                    hist[GET_DATA_BYTE(gl, x)]++;
                    n++;
                }
            }
    }
    if (n < 100)
        return 0;
    unsigned want = n / 10, acc = 0;
    int dark = 0;
    while (dark < 255 && (acc += hist[dark]) < want)
        dark++;
    int contrast = paper - dark;
    if (contrast < 80)
        return 0;
    f->mid = (dark + paper) / 2;
    f->d = contrast / 8;
    f->lite = paper - f->d;
    return 1;
}

/* The tilt of f (Faint.dy, sx, sdy, nspan) for a page whose rules go
 * down by t a column: dy, then the spans of whole words (16 pixels at a
 * time) on one image row, for the screen. *pdlo, *pdhi: the least and
 * greatest dy. Returns the one block that holds them all (free() it),
 * or NULL out of memory. */
static int *tilt_make(Faint *f, double t, int *pdlo, int *pdhi)
{
    int w = f->w, full = w / 4 * 4, nb = (full + 15) / 16;
    int *dy = malloc((size_t)(w + 2 * (nb + 1)) * sizeof *dy);
    if (!dy)
        return NULL;
    int *sx = dy + w, *sdy = sx + nb + 1, ns = 0, dlo = 0, dhi = 0;
    for (int x = 0; x < w; x++) {
        dy[x] = (int)lrint(t * x);
        dlo = dy[x] < dlo ? dy[x] : dlo;
        dhi = dy[x] > dhi ? dy[x] : dhi;
    }
    for (int i = 0; i < full; i += 16)
        if (ns == 0 || dy[i] != sdy[ns - 1]) {
            sx[ns] = i;
            sdy[ns++] = dy[i];
        }
    sx[ns] = full;
    f->dy = dy;
    f->sx = sx;
    f->sdy = sdy;
    f->nspan = ns;
    *pdlo = dlo;
    *pdhi = dhi;
    return dy;
}

/* The rules of f's (tilted) rows -dhi..h-dlo-1 into rs: every other row
 * is screened (and the rows 4 away: the page read half), and where one
 * may hold a rule, it and the rows beside it are searched (row_rules): a
 * rule 2 px thick is never missed. Returns 0, or -1 out of memory. */
static int rules_find(const Faint *f, int need, int inkgap, int dlo,
                      int dhi, FaintRules *rs)
{
    for (int y = -dhi, done = -dhi - 1; y < f->h - dlo; y += 2) {
        if (row_level_count(f, y) < need - 4 || row_gate_count(f, y) < need)
            continue;
        for (int yy = y - 1 > done ? y - 1 : done + 1;
             yy <= y + 1 && yy < f->h - dlo; yy++)
            if (row_rules(f, yy, need, inkgap, rs) < 0)
                return -1;
        done = y + 1;
    }
    return 0;
}

/**
 * Paint the faint rules of a page (seg_page_binarize note 7) into its
 * binary image: rows' runs of faint rule pixels at least
 * SEG_FAINT_PAGE_INCH long (bridging a stroke written across), stacked
 * into rules; under each rule the nearest one that spans the same columns
 * closes a box, whose sides and dividers are painted too. Nothing is
 * painted when the rules' rows are over 3/20 of the page's (a texture).
 *
 * @param[in,out] pixb  pixg thresholded (1 bpp, pixg's size)
 * @param[in]     pixg  the page's grey image (8 bpp)
 * @param[in]     dpi   the page's resolution (> 0)
 * @param[in]     med   the page's glyph height in px (ink_median_height);
 *                      under SEG_FAINT_GLYPH nothing is painted, as on a
 *                      strip: a form scanned at half size loses its light
 *                      lines to Sauvola, and painted they stayed as 1s
 * @param[in]     skew_deg  the page's skew (the angle that straightens it,
 *                      clockwise positive; find_skew): rows are searched
 *                      tilted by it, since the rules are turned with the
 *                      page and deskew comes after
 * @return the rules painted (0: none), or -1 out of memory (pixb is then
 *         as it was, or has some of the rules painted)
 */
int seg__faint_page(PIX *pixb, PIX *pixg, int dpi, float med,
                    float skew_deg)
{
    int w = pixGetWidth(pixg), h = pixGetHeight(pixg);
    Faint f = {pixGetData(pixg), pixGetWpl(pixg), w, h, 0, 0, 0,
               NULL, NULL, NULL, 0};
    if (med < SEG_FAINT_GLYPH || pixGetWidth(pixb) != w ||
        pixGetHeight(pixb) != h || !page_levels(pixb, pixg, &f))
        return 0;
    int need = (int)(SEG_FAINT_PAGE_INCH * dpi);
    int inkgap = (int)(SEG_FAINT_INK_INCH * dpi);
    FaintRules rs = {NULL, 0, 0};
    int *dy = NULL, dlo = 0, dhi = 0, rc = rules_find(&f, need, inkgap, 0,
                                                      0, &rs);
    /* a page turned by skew_deg: its rules go down by -tan(skew) a
     * column. The rows are searched again tilted so when the level rows
     * found some and the page is turned by SEG_FAINT_LEVEL_DEG or more
     * (within that angle a 3 px rule stays 340 px on a level row, and
     * those pages read better so), or found none and a rule climbs 2 px
     * within SEG_FAINT_PAGE_INCH, so that no level row could hold one
     * (about 1 degree: a light form turned 1.5 degrees read 0 of 60
     * fields). Tilted, the screen costs some three times as much: a page
     * turned less, or with faint rules level, does not pay it. */
    double t = -tan((double)skew_deg * M_PI / 180.0);
    if (rc == 0 && fabs(t) * w >= 1.0 &&
        ((rs.n > 0 && fabsf(skew_deg) >= SEG_FAINT_LEVEL_DEG) ||
         (rs.n == 0 && fabs(t) * need >= 2.0))) {
        dy = tilt_make(&f, t, &dlo, &dhi);
        rs.n = 0;
        rc = dy ? rules_find(&f, need, inkgap, dlo, dhi, &rs) : -1;
    }
    if (rc < 0) {
        free(rs.v);
        free(dy);
        return -1;
    }
    long rows = 0;
    for (int i = 0; i < rs.n; i++)
        rows += rs.v[i].y1 - rs.v[i].y0 + 1;
    int painted = 20 * rows <= 3L * h ? rs.n : 0;
    if (painted)
        for (int i = 0; i < rs.n; i++) {
            rule_paint(pixb, &f, &rs.v[i]);
            rule_ticks(pixb, &f, &rs.v[i], dpi);
            int j = box_below(&rs, i, dpi);
            if (j >= 0)
                box_sides(pixb, &f, &rs.v[i], &rs.v[j]);
        }
    free(rs.v);
    free(dy);
    return painted;
}
