/*
 * rec_adapt.c - adaptation to the page's writer: each glyph re-read with
 * the glyphs of the same page that look like it (rec_adapt.h).
 *
 * Design: one hand writes its letters alike all over a page, and the
 * network's penultimate-layer features (rec_net_classify_features()) put
 * alike glyphs close together. Every glyph j first gets a belief over the
 * 26 letters (case folded) that takes its word into account:
 *
 *     b_j(L) ~ P_j(L) exp(lambda (log P_LM(word of j with j := L)
 *                                 - log P_LM(word of j as read)))
 *
 * scaled to sum to j's letter mass (a glyph read as a digit says little
 * about letters)
 * (P_j the classifier's posterior; the language model of rec_lm.h scores
 * the word read as each glyph's best class; without a model, or outside
 * words read as letters only, b_j is just P_j over the letters). A glyph i
 * then hears its neighbours: every other glyph j whose features have a
 * cosine c >= o->near with i's counts w = exp((c - 1) / o->temp), and
 * their weighted mean belief pi_i, with W the sum of the w, replaces the
 * share a = o->weight W / (W + 1) of i's letter posterior:
 *
 *     P'_i(L) ~ (1 - a) P_i(L) + a m_i pi_i(L)      (m_i: i's letter mass)
 *
 * rescaled to i's letter mass m_i (digits keep their mass) and split
 * between L's cases as the classifier split them. So the sure copies
 * of a letter pull an unsure one their way, and a letter the writer makes
 * look like another is settled by all the words it occurs in, not only
 * by its own (which the decoder, rec_lm_decode_line(), reads afterwards
 * anyway: a glyph never hears its own word here). It is soft: a glyph
 * among alike glyphs of two letters keeps most of its own reading, and
 * the near ones (copies) count far more than the merely similar.
 *
 * Only glyphs read as letters in words read as letters throughout change;
 * digits and words with a digit (codes, dates) are left alone, and case,
 * digit-versus-letter and the look-alikes stay the line context's business
 * (rec_context.c), which runs after this step. Letters outside the
 * charset keep probability 0. Every glyph is decided from the posteriors
 * as they were before the step, so the order of the glyphs does not
 * matter; glyphs with less than o->min_weight of neighbours are left as
 * they are.
 *
 * Cost: the cosines come from one sgemm per block of 64 glyphs against
 * the page (n^2 x dim multiply-adds: 64 M for 500 glyphs and 256
 * features, about 1 ms); the beliefs re-score each all-letter word 26
 * times per glyph (table lookups). Scratch: one block per page (n x dim
 * + 64 x n + n x 88 floats), freed before returning.
 */
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "recognize/rec_adapt.h"

#define ADAPT_BLOCK 64    /* glyphs per sgemm block of cosines */
#define ADAPT_MAX_WORD 64 /* longer words get no language-model term */

/** Fill o with the defaults (the values measured in docs/context.md). */
void rec_adapt_options_init(RecAdaptOptions *o)
{
    o->near = 0.85f;
    o->temp = 0.04f;
    o->min_weight = 0.5f;
    o->lambda = 0.3f;
    o->weight = 0.7f;
}

/* Letter 0..25 of class c (case folded), or -1 for a digit. */
static int letter_of(int c)
{
    return c >= 36 ? c - 36 : c >= 10 ? c - 10 : -1;
}

/* Posterior of letter l (both cases). */
static float letter_p(const float *p, int l)
{
    return p[10 + l] + p[36 + l];
}

static int argmax62(const float *p)
{
    int b = 0;
    for (int c = 1; c < REC_NCLASSES; c++)
        if (p[c] > p[b])
            b = c;
    return b;
}

/* Scale v (dim floats) to unit length; returns 0 when it is all zero. */
static int unit(float *v, int dim)
{
    double ss = 0.0;
    for (int k = 0; k < dim; k++)
        ss += (double)v[k] * v[k];
    if (ss <= 0.0)
        return 0;
    float inv = (float)(1.0 / sqrt(ss));
    for (int k = 0; k < dim; k++)
        v[k] *= inv;
    return 1;
}

/* lmd[i * 26 + l]: change of the language-model score of glyph i's word
 * when i reads as letter l, the rest of the word as read; 0 without a
 * model. inword[i] = 1 when glyph i is in a word read as letters only;
 * key[i] identifies its word as read (case folded) and its place in it. */
static void word_deltas(const RecLm *lm, const int *word, const int *best,
                        const unsigned char *use, int n, float *lmd,
                        unsigned char *inword, uint64_t *key)
{
    char buf[ADAPT_MAX_WORD + 1];
    for (int a = 0; a < n;) {
        int b = a + 1;
        while (b < n && word && word[b] == word[a])
            b++;
        int len = b - a, letters = len <= ADAPT_MAX_WORD;
        for (int i = a; i < b && letters; i++)
            letters = use[i] && letter_of(best[i]) >= 0;
        uint64_t h = 1469598103934665603ULL; /* FNV-1a of the reading */
        for (int i = a; i < b; i++) {
            inword[i] = (unsigned char)letters;
            h = (h ^ (uint64_t)(letter_of(best[i]) + 1)) * 1099511628211ULL;
        }
        for (int i = a; i < b; i++)
            key[i] = (h ^ (uint64_t)(i - a)) * 1099511628211ULL;
        if (letters && lm) {
            for (int i = a; i < b; i++)
                buf[i - a] = (char)('a' + letter_of(best[i]));
            buf[len] = '\0';
            double base = rec_lm_score_text(lm, buf);
            for (int i = a; i < b; i++) {
                char keep = buf[i - a];
                for (int l = 0; l < 26; l++) {
                    buf[i - a] = (char)('a' + l);
                    lmd[(size_t)i * 26 + l] =
                        (float)(rec_lm_score_text(lm, buf) - base);
                }
                buf[i - a] = keep;
            }
        }
        a = b;
    }
}

/**
 * Re-read a page's letters with the glyphs that look like them.
 *
 * @param[in]     o           [optional] options; NULL = the defaults
 * @param[in]     feats       n x dim penultimate-layer features
 *                            (rec_net_classify_features())
 * @param[in]     dim         features per glyph (> 0)
 * @param[in]     ok          [optional] n flags: 0 = the glyph has no
 *                            reading (left alone, nobody's neighbour);
 *                            NULL = all glyphs
 * @param[in]     word        [optional] n word ids in reading order
 *                            (glyphs of one word consecutive); NULL = no
 *                            language-model term
 * @param[in]     lm          [optional] character language model; NULL =
 *                            the neighbours' posteriors only
 * @param[in]     n           glyphs on the page
 * @param[in,out] probs       n x REC_NCLASSES posteriors (each row sums
 *                            to 1, still does after)
 * @param[out]    pn_changed  [optional] glyphs whose best class changed
 * @return 0, or -1 (bad arguments, out of memory; message set)
 *
 * Notes:
 *   (1) Only letters change, within the letters the glyph already has
 *       mass for; case is kept in the classifier's proportion.
 *   (2) The language-model term needs word ids and a model; each word is
 *       then the glyphs with equal consecutive ids.
 */
/* Each glyph's belief in its letters, its word considered (lp[j*52]):
 * P(L) exp(lambda dLM(L)), scaled to the glyph's letter mass (a glyph read
 * as a digit says little about letters); and without its word
 * (lp[j*52 + 26]), for neighbours in the same word as the glyph that hears
 * them: that word is no new evidence, and the decoder reads it anyway. */
static void beliefs(const RecAdaptOptions *o, const float *probs,
                    const float *lmd, int n, float *lp)
{
    for (int j = 0; j < n; j++) {
        float *b = lp + (size_t)j * 52, *b0 = b + 26;
        const float *p = probs + (size_t)j * REC_NCLASSES;
        double z = 0.0, m = 0.0;
        for (int l = 0; l < 26; l++) {
            m += b0[l] = letter_p(p, l);
            z += b[l] = b0[l] * expf(o->lambda * lmd[(size_t)j * 26 + l]);
        }
        for (int l = 0; l < 26; l++)
            b[l] = z > 0.0 ? (float)(b[l] * m / z) : 0.0f;
    }
}

/* Move glyph i's letter posterior p (its row of 62) toward the beliefs of
 * its alike neighbours (row: its cosine to every glyph), weighted by
 * likeness; case split and digit mass kept. Nothing when the neighbours
 * weigh under o->min_weight. */
static void adapt_glyph(const RecAdaptOptions *o, int i, const float *row,
                        int n, const unsigned char *use, const uint64_t *key,
                        const float *lp, float *p)
{
    /* the neighbours' beliefs, weighted by likeness */
    float pi[26] = {0};
    double wsum = 0.0;
    for (int j = 0; j < n; j++) {
        if (j == i || !use[j] || row[j] < o->near)
            continue;
        float w = expf((row[j] - 1.0f) / o->temp);
        const float *b = lp + (size_t)j * 52;
        if (key[j] == key[i])
            b += 26; /* the same word: no new evidence */
        for (int l = 0; l < 26; l++)
            pi[l] += w * b[l];
        wsum += w;
    }
    if (wsum < o->min_weight)
        return;
    float mass = 0.0f; /* digits keep theirs */
    for (int l = 0; l < 26; l++)
        mass += letter_p(p, l);
    float a = o->weight * (float)(wsum / (wsum + 1.0)), t[26];
    double tsum = 0.0;
    for (int l = 0; l < 26; l++) {
        float tot = p[36 + l] + p[10 + l];
        /* a letter the glyph has no mass for (charset) gets none */
        t[l] = tot > 0.0f ? (1.0f - a) * tot + a * mass * (float)(pi[l] / wsum)
                          : 0.0f;
        tsum += t[l];
    }
    for (int l = 0; l < 26 && tsum > 0.0; l++) {
        float lo = p[36 + l], up = p[10 + l], tot = lo + up;
        if (tot <= 0.0f)
            continue;
        float tl = (float)(t[l] * mass / tsum);
        p[36 + l] = tl * (lo / tot);
        p[10 + l] = tl * (up / tot);
    }
}

int rec_adapt_page(const RecAdaptOptions *o, const float *feats, int dim,
                   const unsigned char *ok, const int *word, const RecLm *lm,
                   int n, float *probs, int *pn_changed)
{
    RecAdaptOptions def;
    if (!o) {
        rec_adapt_options_init(&def);
        o = &def;
    }
    if (pn_changed)
        *pn_changed = 0;
    if (n < 0 || dim <= 0 || !(o->temp > 0.0f))
        return err_set("rec_adapt_page: bad arguments (n %d, dim %d, "
                       "temp %g)",
                       n, dim, (double)o->temp);
    if (n < 2 || n > REC_ADAPT_MAX_GLYPHS)
        return 0;
    size_t nn = (size_t)n;
    float *u = malloc(nn * dim * sizeof *u);
    float *sim = malloc((size_t)ADAPT_BLOCK * nn * sizeof *sim);
    float *lmd = calloc(nn * 26, sizeof *lmd);
    float *lp = malloc(nn * 52 * sizeof *lp);
    uint64_t *key = malloc(nn * sizeof *key);
    float *newp = malloc(nn * REC_NCLASSES * sizeof *newp);
    int *best = malloc(nn * sizeof *best);
    unsigned char *use = malloc(nn), *inword = malloc(nn);
    int rc = -1;
    if (!u || !sim || !lmd || !lp || !newp || !best || !use || !inword ||
        !key) {
        err_set("rec_adapt_page: out of memory for %d glyphs", n);
        goto out;
    }
    for (int i = 0; i < n; i++) {
        const float *p = probs + (size_t)i * REC_NCLASSES;
        memcpy(u + (size_t)i * dim, feats + (size_t)i * dim,
               (size_t)dim * sizeof *u);
        use[i] = (!ok || ok[i]) && unit(u + (size_t)i * dim, dim);
        best[i] = argmax62(p);
    }
    word_deltas(lm, word, best, use, n, lmd, inword, key);
    beliefs(o, probs, lmd, n, lp);
    memcpy(newp, probs, nn * REC_NCLASSES * sizeof *newp);
    for (int b0 = 0; b0 < n; b0 += ADAPT_BLOCK) {
        int bn = n - b0 < ADAPT_BLOCK ? n - b0 : ADAPT_BLOCK;
        /* sim[bi][j] = cos(glyph b0 + bi, glyph j) */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, bn, n, dim, 1.0f,
                    u + (size_t)b0 * dim, dim, u, dim, 0.0f, sim, n);
        for (int bi = 0; bi < bn; bi++) {
            int i = b0 + bi;
            if (!use[i] || !inword[i] || letter_of(best[i]) < 0)
                continue;
            float *p = newp + (size_t)i * REC_NCLASSES;
            adapt_glyph(o, i, sim + (size_t)bi * n, n, use, key, lp, p);
            if (pn_changed && argmax62(p) != best[i])
                (*pn_changed)++;
        }
    }
    memcpy(probs, newp, nn * REC_NCLASSES * sizeof *newp);
    rc = 0;
out:
    free(u);
    free(sim);
    free(lmd);
    free(lp);
    free(newp);
    free(best);
    free(use);
    free(inword);
    free(key);
    return rc;
}
