/*
 * rec_context.c - line context: case and look-alikes from the line's
 * geometry and the glyph's neighbours (issue 3).
 *
 * Design: a small probabilistic model over one text line, three steps.
 *   1. Look-alike smoothing. The network's posterior p(c) is taken as
 *      evidence about the *shape*; a shape that the network calls 'O' could
 *      still be 'o' or '0'. Each class receives a share REC__LOOK of the
 *      mass of its look-alikes (0/O/o, 1/I/l, 5/S/s, 2/Z/z, 6/G, 6/b, 8/B,
 *      9/g/q, and the case pairs that share a shape). An overconfident net
 *      then still leaves the line something to decide.
 *   2. Geometry likelihood. For every glyph, the height of its top above
 *      the baseline and the depth of its bottom below it, in units of the
 *      line's cap height, against what each class expects: x-height
 *      letters (a c e m n o r s u v w x z), tall ones (capitals, digits,
 *      b d f h k l), in between (i t), descenders (g p q y, and j).
 *      Student-t densities (3 degrees of freedom) on features clamped to
 *      [x-height, cap height] and [0, descender depth], so a badly
 *      segmented glyph moves the odds by a bounded factor and never
 *      outvotes a confident network on shapes that differ.
 *      x-height, cap height and a baseline offset are measured from the
 *      line's own unambiguous glyphs (medians) when it has enough of them,
 *      else taken from the segmenter; with neither, geometry is skipped.
 *   3. Word model. A three-state hidden Markov model over the glyphs of a
 *      word, states digit / upper / lower, emission = posterior mass of the
 *      state's classes; transitions favour staying in one kind and allow
 *      upper -> lower (an initial capital). Forward-backward gives each
 *      glyph's state marginal; the class posterior is the state marginal
 *      times the class's share of the state's mass. "Hel1o" becomes
 *      "Hello", "1O5" becomes "105", "EUR" stays upper case.
 * The output class is the argmax of that posterior and the confidence is
 * its value, so the confidence stays a probability under the model.
 *
 * Memory: nothing is allocated; a word is processed in chunks of
 * REC__CHUNK glyphs with fixed buffers on the stack (~17 KB).
 * Threading: no state; reentrant.
 */
#include "recognize/rec_context.h"

#include <math.h>
#include <string.h>

#include "common/err.h"

#define REC__CHUNK 64       /* glyphs per forward-backward pass */
#define REC__LOOK 0.1f      /* share of a look-alike's mass */
#define REC__XRATIO 0.6f    /* x-height / cap height when one is unknown */
#define REC__DESC 0.35f     /* descender depth / cap height */
#define REC__MIN_SAMPLES 2  /* own measurements needed to trust them */

enum { ST_DIGIT, ST_UPPER, ST_LOWER, ST_N };

/* Geometry kinds of classes. */
enum { G_SMALL, G_TALL, G_MID, G_SMALL_DESC, G_MID_DESC, G_TALL_MAYBE_DESC };

/* Pairs of classes whose shapes the glyph alone may not separate. */
static const char *const lookalike_pairs[] = {
    "0O", "0o", "Oo", "1I", "1l", "Il", "2Z", "2z", "Zz", "5S", "5s",
    "Ss", "6G", "6b", "8B", "9g", "9q", "gq", "Cc", "Kk", "Jj", "Mm",
    "Pp", "Uu", "Vv", "Ww", "Xx", "Yy"};

/* Classes whose tops measure the x-height / cap height without doubt: no
 * look-alike of theirs has another height. */
static const char small_ref[] = "aenr";
static const char tall_ref[] = "134678ABDEFGHKLNQRTbdhkl";
/* Classes that (or whose look-alikes) may reach below the baseline: they
 * do not measure it. */
static const char base_skip[] = "9JPQYfgjpqy";

/* Transition probabilities of the word model: start, from the first glyph
 * to the second (an initial capital is common: "Hello"), then from -> to
 * inside the word (a capital followed by lower case is rare: "HeLlo"; a
 * run of capitals followed by digits is not: ids and postcodes like
 * "GQ267388", so upper -> digit is 0.25 and a letter prefix does not turn
 * the digits after it into look-alike letters, nor they it into digits). */
static const float st_start[ST_N] = {0.34f, 0.33f, 0.33f};
static const float st_first[ST_N][ST_N] = {
    {0.90f, 0.05f, 0.05f}, /* digit -> digit, upper, lower */
    {0.04f, 0.36f, 0.60f}, /* upper -> ... */
    {0.03f, 0.03f, 0.94f}, /* lower -> ... */
};
static const float st_trans[ST_N][ST_N] = {
    {0.90f, 0.05f, 0.05f},
    {0.25f, 0.62f, 0.13f},
    {0.03f, 0.03f, 0.94f},
};

static int state_of(int c)
{
    return c < 10 ? ST_DIGIT : c < 36 ? ST_UPPER : ST_LOWER;
}

/* Geometry kind per class, in rec_class_chars order: s = x-height,
 * T = tall, m = between (i t), g = x-height + descender (g p q y),
 * j = between + descender, D = tall, may descend (J Q f). */
static const char kind_of_class[] =
    "TTTTTTTTTT"                 /* 0-9 */
    "TTTTTTTTTDTTTTTTDTTTTTTTTT" /* A-Z */
    "sTsTsDgTmjTTsssggssmssssgs"; /* a-z */
_Static_assert(sizeof kind_of_class == REC_NCLASSES + 1,
               "one geometry kind per class");

static int geom_kind(int c)
{
    switch (kind_of_class[c]) {
    case 's': return G_SMALL;
    case 'm': return G_MID;
    case 'g': return G_SMALL_DESC;
    case 'j': return G_MID_DESC;
    case 'D': return G_TALL_MAYBE_DESC;
    default: return G_TALL;
    }
}

/**
 * Fill the defaults: geometry, word model and own metrics all on.
 *
 * @param[out] opt  options to fill
 */
void rec_context_options_init(RecContextOptions *opt)
{
    opt->use_geometry = 1;
    opt->use_words = 1;
    opt->own_metrics = 1;
}

/* Argmax of one glyph's posterior and its value. */
static int argmax(const float *p, float *pv)
{
    int best = 0;
    for (int c = 1; c < REC_NCLASSES; c++)
        if (p[c] > p[best])
            best = c;
    *pv = p[best];
    return best;
}

static float line_base_at(const RecLineGeom *line, float x)
{
    return line->baseline_y + line->baseline_slope * (x - line->baseline_x0);
}

/* Median of v[0..n-1] (n >= 1), sorting v in place (n is small). */
static float median(float *v, int n)
{
    for (int i = 1; i < n; i++) {
        float t = v[i];
        int j = i;
        for (; j > 0 && v[j - 1] > t; j--)
            v[j] = v[j - 1];
        v[j] = t;
    }
    return n % 2 ? v[n / 2] : 0.5f * (v[n / 2 - 1] + v[n / 2]);
}

/* Median over a possibly long line from a fixed buffer: the first
 * REC__CHUNK samples are enough for a median of glyph heights. */
typedef struct {
    float v[REC__CHUNK];
    int n;
} Samples;

static void samples_add(Samples *s, float x)
{
    if (s->n < REC__CHUNK)
        s->v[s->n++] = x;
}

/**
 * Measure the line's x-height, cap height and baseline offset.
 *
 * @param[in]  opt     [optional] options (NULL = defaults)
 * @param[in]  line    line geometry from the segmenter
 * @param[in]  glyphs  n glyphs in reading order
 * @param[in]  probs   n x REC_NCLASSES posteriors (rec_net_classify())
 * @param[in]  n       number of glyphs (0 is fine)
 * @param[out] pm      the metrics used by rec_context_apply()
 * @return 0, or -1 on a NULL argument or n < 0
 *
 * Notes:
 *   (1) Only glyphs whose best class has posterior >= 0.5 and belongs to
 *       small_ref (a e n r) or tall_ref (capitals and digits with no
 *       look-alike of another height) are measured; the medians of their
 *       tops above the baseline are the x-height and cap height. The
 *       baseline offset is the median bottom of at least 3 confident
 *       glyphs that cannot descend (else 0).
 *   (2) With fewer than REC__MIN_SAMPLES own measurements (or own_metrics
 *       off) the segmenter's value is used; a missing one of the two is
 *       derived from the other with the ratio 0.6; both missing gives
 *       x_height = cap_height = 0 (geometry is then skipped).
 *   (3) An x-height that is not between 0.35 and 0.85 of the cap height is
 *       inconsistent: the value measured on the line wins and the other is
 *       derived from it; when both (or neither) were measured here, both
 *       are reported as 0. (The segmenter reports the median height of a
 *       line of one height class as its cap height, which on a line of
 *       x-height letters is the x-height.)
 */
int rec_context_line_metrics(const RecContextOptions *opt,
                             const RecLineGeom *line,
                             const RecContextGlyph *glyphs, const float *probs,
                             int n, RecLineMetrics *pm)
{
    RecContextOptions def;
    Samples small = {{0}, 0}, tall = {{0}, 0}, base = {{0}, 0};
    float x = 0, cap = 0, shift = 0;
    int own_x, own_cap;

    if (!line || !pm || n < 0 || (n > 0 && (!glyphs || !probs)))
        return err_set("rec_context_line_metrics: bad arguments");
    if (!opt) {
        rec_context_options_init(&def);
        opt = &def;
    }
    memset(pm, 0, sizeof *pm);

    if (opt->own_metrics) {
        for (int i = 0; i < n; i++) {
            const RecContextGlyph *g = &glyphs[i];
            float pv, by;
            int c;
            if (g->w <= 0 || g->h <= 0)
                continue;
            c = argmax(probs + (size_t)i * REC_NCLASSES, &pv);
            if (pv < 0.5f || strchr(base_skip, rec_class_chars[c]))
                continue;
            by = line_base_at(line, (float)g->x + 0.5f * (float)g->w);
            samples_add(&base, (float)(g->y + g->h) - by);
        }
        if (base.n >= 3)
            shift = median(base.v, base.n);
        for (int i = 0; i < n; i++) {
            const RecContextGlyph *g = &glyphs[i];
            float pv, by;
            int c, ch;
            if (g->w <= 0 || g->h <= 0)
                continue;
            c = argmax(probs + (size_t)i * REC_NCLASSES, &pv);
            if (pv < 0.5f)
                continue;
            ch = rec_class_chars[c];
            by = line_base_at(line, (float)g->x + 0.5f * (float)g->w) + shift;
            if (strchr(small_ref, ch))
                samples_add(&small, by - (float)g->y);
            else if (strchr(tall_ref, ch))
                samples_add(&tall, by - (float)g->y);
        }
    }
    pm->n_small = small.n;
    pm->n_tall = tall.n;
    pm->n_base = base.n;
    pm->base_shift = shift;

    own_x = small.n >= REC__MIN_SAMPLES;
    own_cap = tall.n >= REC__MIN_SAMPLES;
    x = own_x ? median(small.v, small.n) : line->x_height;
    cap = own_cap ? median(tall.v, tall.n) : line->cap_height;
    if (!(x > 0))
        x = 0;
    if (!(cap > 0))
        cap = 0;
    if (x > 0 && cap > 0 && (x < 0.35f * cap || x > 0.85f * cap)) {
        /* inconsistent: keep what the line itself measured */
        if (own_x && !own_cap)
            cap = 0;
        else if (own_cap && !own_x)
            x = 0;
        else
            x = cap = 0;
    }
    if (x > 0 && cap == 0)
        cap = x / REC__XRATIO;
    else if (cap > 0 && x == 0)
        x = cap * REC__XRATIO;
    pm->x_height = x;
    pm->cap_height = cap;
    return 0;
}

/* Student-t density (3 degrees of freedom), up to a constant. */
static float t3(float z, float sigma)
{
    float u = 1.0f + z * z / 3.0f;
    return 1.0f / (sigma * u * u);
}

/* Geometry likelihood of every class for one glyph; g[c] = 1 everywhere
 * when the glyph or the line has no usable geometry. */
static void geom_likelihood(const RecLineGeom *line, const RecLineMetrics *m,
                            const RecContextGlyph *gl, float *g)
{
    float cap = m->cap_height, r, by, t, d, st, et[6], ed[6], sd[6], stk[6];
    float lt[6];

    if (cap <= 0 || gl->w <= 0 || gl->h <= 0) {
        for (int c = 0; c < REC_NCLASSES; c++)
            g[c] = 1.0f;
        return;
    }
    r = m->x_height / cap;
    by = line_base_at(line, (float)gl->x + 0.5f * (float)gl->w) +
         m->base_shift;
    /* Clamp: a glyph above the cap height is tall, one below the x-height
     * is small, whatever the amount. */
    t = fminf(fmaxf((by - (float)gl->y) / cap, r), 1.0f);
    d = fminf(fmaxf(((float)(gl->y + gl->h) - by) / cap, 0.0f), REC__DESC);
    st = fmaxf(0.25f * (1.0f - r), 0.05f);

    /* expected top, its spread, expected depth, its spread per kind */
    et[G_SMALL] = r;          stk[G_SMALL] = st;
    et[G_TALL] = 1.0f;        stk[G_TALL] = st;
    et[G_MID] = 0.5f * (1.0f + r); stk[G_MID] = 1.5f * st;
    et[G_SMALL_DESC] = r;     stk[G_SMALL_DESC] = st;
    et[G_MID_DESC] = 0.5f * (1.0f + r); stk[G_MID_DESC] = 1.5f * st;
    et[G_TALL_MAYBE_DESC] = 1.0f; stk[G_TALL_MAYBE_DESC] = st;
    ed[G_SMALL] = ed[G_TALL] = ed[G_MID] = 0.0f;
    sd[G_SMALL] = sd[G_TALL] = sd[G_MID] = 0.12f;
    ed[G_SMALL_DESC] = ed[G_MID_DESC] = REC__DESC;
    sd[G_SMALL_DESC] = sd[G_MID_DESC] = 0.12f;
    ed[G_TALL_MAYBE_DESC] = 0.1f;
    sd[G_TALL_MAYBE_DESC] = 0.2f;
    for (int k = 0; k < 6; k++)
        lt[k] = t3((t - et[k]) / stk[k], stk[k]) *
                t3((d - ed[k]) / sd[k], sd[k]);
    for (int c = 0; c < REC_NCLASSES; c++)
        g[c] = lt[geom_kind(c)];
}

/* Smoothed, geometry-weighted, charset-restricted posterior of one glyph,
 * normalised to sum 1. */
static void glyph_posterior(const RecContextOptions *opt,
                            const RecLineGeom *line, const RecLineMetrics *m,
                            const RecContextGlyph *gl, const float *p,
                            RecCharset cs, float *q)
{
    float g[REC_NCLASSES];
    double sum = 0;

    for (int c = 0; c < REC_NCLASSES; c++)
        q[c] = p[c] > 0 ? p[c] : 0.0f; /* NaN and negatives -> 0 */
    for (size_t k = 0; k < sizeof lookalike_pairs / sizeof *lookalike_pairs;
         k++) {
        int a = rec_class_of_char(lookalike_pairs[k][0]);
        int b = rec_class_of_char(lookalike_pairs[k][1]);
        float pa = p[a] > 0 ? p[a] : 0, pb = p[b] > 0 ? p[b] : 0;
        q[a] += REC__LOOK * pb;
        q[b] += REC__LOOK * pa;
    }
    if (opt->use_geometry) {
        geom_likelihood(line, m, gl, g);
        for (int c = 0; c < REC_NCLASSES; c++)
            q[c] *= g[c];
    }
    for (int c = 0; c < REC_NCLASSES; c++) {
        if (!(cs >> c & 1))
            q[c] = 0;
        sum += q[c];
    }
    if (!(sum > 0)) { /* no evidence at all: uniform over the charset */
        int nc = 0;
        for (int c = 0; c < REC_NCLASSES; c++)
            nc += (int)(cs >> c & 1);
        for (int c = 0; c < REC_NCLASSES; c++)
            q[c] = (cs >> c & 1) ? 1.0f / (float)nc : 0.0f;
        return;
    }
    for (int c = 0; c < REC_NCLASSES; c++)
        q[c] = (float)(q[c] / sum);
}

/* Forward-backward over the glyph posteriors q[0..n-1] of one word chunk;
 * turns q into class marginals in place. */
static void word_decode(float (*q)[REC_NCLASSES], int n)
{
    float e[REC__CHUNK][ST_N], a[REC__CHUNK][ST_N], b[ST_N], nb[ST_N];

    for (int i = 0; i < n; i++) {
        e[i][0] = e[i][1] = e[i][2] = 0;
        for (int c = 0; c < REC_NCLASSES; c++)
            e[i][state_of(c)] += q[i][c];
    }
    /* forward, normalised at every step */
    for (int i = 0; i < n; i++) {
        float s = 0;
        for (int t = 0; t < ST_N; t++) {
            float v = 0;
            if (i == 0)
                v = st_start[t];
            else
                for (int f = 0; f < ST_N; f++)
                    v += a[i - 1][f] * (i == 1 ? st_first : st_trans)[f][t];
            a[i][t] = v * e[i][t];
            s += a[i][t];
        }
        for (int t = 0; t < ST_N; t++)
            a[i][t] = s > 0 ? a[i][t] / s : 1.0f / ST_N;
    }
    /* backward, combining with forward into marginals as we go */
    b[0] = b[1] = b[2] = 1.0f;
    for (int i = n - 1; i >= 0; i--) {
        float gam[ST_N], s = 0;
        for (int t = 0; t < ST_N; t++) {
            gam[t] = a[i][t] * b[t];
            s += gam[t];
        }
        for (int t = 0; t < ST_N; t++)
            gam[t] = s > 0 ? gam[t] / s : 1.0f / ST_N;
        for (int c = 0; c < REC_NCLASSES; c++) {
            int t = state_of(c);
            q[i][c] = e[i][t] > 0 ? gam[t] * q[i][c] / e[i][t] : 0.0f;
        }
        if (i == 0)
            break;
        s = 0;
        for (int f = 0; f < ST_N; f++) {
            nb[f] = 0;
            for (int t = 0; t < ST_N; t++)
                nb[f] += (i == 1 ? st_first : st_trans)[f][t] * e[i][t] * b[t];
            s += nb[f];
        }
        for (int f = 0; f < ST_N; f++)
            b[f] = s > 0 ? nb[f] / s : 1.0f / ST_N;
    }
}

/**
 * Choose each glyph's class from its posterior, the line's geometry and its
 * word.
 *
 * @param[in]  opt        [optional] options (NULL = all steps on)
 * @param[in]  line       the line's baseline, x-height and cap height
 * @param[in]  glyphs     n glyphs in reading order, with boxes and word ids
 * @param[in]  probs      n x REC_NCLASSES posteriors from rec_net_classify()
 * @param[in]  n          number of glyphs; 0 is a no-op
 * @param[in]  cs         allowed classes; others are never chosen
 * @param[out] cls        n chosen class indices
 * @param[out] conf       n confidences (posterior of the chosen class, 0..1)
 * @param[out] probs_out  [optional] n x REC_NCLASSES re-weighted posteriors;
 *                        may be the same array as probs
 * @return 0, or -1 (NULL arguments, n < 0, empty charset)
 *
 * Notes:
 *   (1) A word is a run of consecutive glyphs with the same word id. Words
 *       longer than 64 glyphs are decoded in pieces of 64.
 *   (2) A glyph with w or h <= 0 gets no geometry evidence; a glyph whose
 *       posterior is all zero on the charset gets a uniform one.
 *   (3) With use_geometry and use_words both off, the result is the argmax
 *       of the look-alike-smoothed posterior, which equals the network's
 *       argmax except for exact ties.
 */
int rec_context_apply(const RecContextOptions *opt, const RecLineGeom *line,
                      const RecContextGlyph *glyphs, const float *probs, int n,
                      RecCharset cs, int *cls, float *conf, float *probs_out)
{
    RecContextOptions def;
    RecLineMetrics m;
    float q[REC__CHUNK][REC_NCLASSES];

    if (!line || n < 0 || (n > 0 && (!glyphs || !probs || !cls || !conf)))
        return err_set("rec_context_apply: bad arguments");
    cs &= REC_CHARSET_ALL;
    if (!cs)
        return err_set("rec_context_apply: empty charset");
    if (!opt) {
        rec_context_options_init(&def);
        opt = &def;
    }
    if (rec_context_line_metrics(opt, line, glyphs, probs, n, &m) < 0)
        return -1;

    for (int i0 = 0; i0 < n;) {
        int k = 1;
        /* the chunk: the rest of this word, at most REC__CHUNK glyphs */
        while (i0 + k < n && k < REC__CHUNK &&
               glyphs[i0 + k].word == glyphs[i0].word)
            k++;
        for (int j = 0; j < k; j++)
            glyph_posterior(opt, line, &m, &glyphs[i0 + j],
                            probs + (size_t)(i0 + j) * REC_NCLASSES, cs, q[j]);
        if (opt->use_words)
            word_decode(q, k);
        for (int j = 0; j < k; j++) {
            cls[i0 + j] = argmax(q[j], &conf[i0 + j]);
            if (probs_out)
                memcpy(probs_out + (size_t)(i0 + j) * REC_NCLASSES, q[j],
                       sizeof q[j]);
        }
        i0 += k;
    }
    return 0;
}
