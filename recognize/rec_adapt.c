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
    o->shape_near = 0.9f;
    o->shape_min = 4;
    o->shape_words = 3;
    o->shape_agree = 0.9f;
    o->shape_floor = 1e-3f;
    o->shape_gain = 5.0f;
    o->shape_share = 0.5f;
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

/* The cosines of the block of glyphs from b0 (ADAPT_BLOCK of them, or
 * fewer at the end) with every glyph of the page: sim[bi * n + j] =
 * cos(glyph b0 + bi, glyph j), u holding the n unit features. Returns the
 * block's size. */
static int cos_block(const float *u, int dim, int n, int b0, float *sim)
{
    int bn = n - b0 < ADAPT_BLOCK ? n - b0 : ADAPT_BLOCK;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, bn, n, dim, 1.0f,
                u + (size_t)b0 * dim, dim, u, dim, 0.0f, sim, n);
    return bn;
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

/* The page as the shape step sees it (settle_shapes()): per glyph its
 * flags (ok, as rec_adapt_page() got them; use: it has features; inword:
 * in a word read as letters), best class, word-score changes (lmd, 26
 * per glyph), word key and posteriors; and the glyphs that may be shape
 * mates (read, in a letter word, not a piece) by the letter they read
 * as: mate[from[l] .. from[l + 1]) in page order (shape_buckets()). */
typedef struct {
    int n;
    const unsigned char *ok, *use, *inword;
    const int *best;
    const float *lmd;
    const uint64_t *key;
    const float *probs;
    const int *mate, *from;
} ShapePage;

/* May glyph i of pg settle or be settled by its shape (shape_mates())? */
static int shape_candidate(const ShapePage *pg, int i)
{
    return pg->use[i] && pg->inword[i] && letter_of(pg->best[i]) >= 0 &&
           !(pg->ok && pg->ok[i] == REC_ADAPT_PIECE);
}

/* pg's candidates by letter into mate (n ints) and from (27 ints), so a
 * glyph's mates are sought among the glyphs read as its letter only: a
 * scan of the whole page for every glyph would add a second n^2 loop to
 * the soft step's on every page. */
static void shape_buckets(const ShapePage *pg, int *mate, int *from)
{
    int fill[26] = {0};
    memset(from, 0, 27 * sizeof *from);
    for (int i = 0; i < pg->n; i++)
        if (shape_candidate(pg, i))
            from[letter_of(pg->best[i]) + 1]++;
    for (int l = 0; l < 26; l++)
        from[l + 1] += from[l];
    for (int i = 0; i < pg->n; i++)
        if (shape_candidate(pg, i)) {
            int l = letter_of(pg->best[i]);
            mate[from[l] + fill[l]++] = i;
        }
}

/* What the words of glyph i's shape mates say: mates are the glyphs
 * read as i's letter X (case folded), in words read as letters, not
 * pieces (REC_ADAPT_PIECE; pg->mate holds them by letter), whose
 * features have a cosine >= o->shape_near
 * with i's (row), i included. Fills the sums over the mates of each
 * letter's word-score change (g), how many mates' words gain by it (pos),
 * the mates' mean letter posterior (pbar) and the number of different
 * words as read they stand in (*pwords, counted up to 8); returns the
 * number of mates, or 0 when those words are fewer than o->shape_words. */
static int shape_mates(const RecAdaptOptions *o, const ShapePage *pg, int i,
                       const float *row, double *g, int *pos, double *pbar,
                       int *pwords)
{
    int x = letter_of(pg->best[i]), cnt = 0, nk = 0;
    uint64_t keys[8];
    memset(g, 0, 26 * sizeof *g);
    memset(pos, 0, 26 * sizeof *pos);
    memset(pbar, 0, 26 * sizeof *pbar);
    for (int t = pg->from[x]; t < pg->from[x + 1]; t++) {
        int j = pg->mate[t];
        if (j != i && row[j] < o->shape_near)
            continue;
        const float *p = pg->probs + (size_t)j * REC_NCLASSES;
        for (int l = 0; l < 26; l++) {
            float d = pg->lmd[(size_t)j * 26 + l];
            g[l] += d;
            pos[l] += d > 0.0f;
            pbar[l] += letter_p(p, l);
        }
        int seen = 0;
        for (int k = 0; k < nk && !seen; k++)
            seen = keys[k] == pg->key[j];
        if (!seen && nk < 8)
            keys[nk++] = pg->key[j];
        cnt++;
    }
    for (int l = 0; l < 26 && cnt; l++)
        pbar[l] /= cnt;
    *pwords = nk;
    return nk >= o->shape_words ? cnt : 0;
}

/* What glyph i's shape mates (shape_mates()) are, when their words
 * say so. Each letter L gets the score
 *
 *     s(L) = log pbar(L) + (g(L) / cnt) * (words / o->shape_words)
 *
 * (pbar floored at o->shape_floor): the classifier's say counts once,
 * as it errs alike on every copy of a writer's letter, and the words'
 * mean change counts once per o->shape_words different words the mates
 * stand in (words up to 8: at most 8/3 times). Different words are
 * independent witnesses where copies of one glyph are not; counted as
 * one word, 34 copies of writer 008's e read as o, in 8 words or more
 * that gained 7 nats on average, never outweighed the classifier's o
 * (stop 43, docs/context.md). When the best L != X, with words
 * gaining in o->shape_agree of the mates, beats X by o->shape_gain,
 * q gets exp(s) over the letters i may be (normalised; 0 outside the
 * charset) and L is returned; else -1. */
static int shape_letter(const RecAdaptOptions *o, const ShapePage *pg, int i,
                        const float *row, double *q)
{
    double g[26], pbar[26], fl = o->shape_floor, top = -HUGE_VAL, z = 0.0;
    int pos[26], x = letter_of(pg->best[i]), pick = -1, words = 0;
    int cnt = shape_mates(o, pg, i, row, g, pos, pbar, &words);
    if (cnt < o->shape_min)
        return -1;
    double wt = (double)words / (o->shape_words > 0 ? o->shape_words : 1);
    const float *p = pg->probs + (size_t)i * REC_NCLASSES;
    for (int l = 0; l < 26; l++) {
        q[l] = letter_p(p, l) > 0.0f
                   ? log(pbar[l] > fl ? pbar[l] : fl) + g[l] / cnt * wt
                   : -HUGE_VAL;
        if (l != x && q[l] > top && pos[l] >= o->shape_agree * cnt) {
            top = q[l];
            pick = l;
        }
    }
    if (pick < 0 || top - q[x] < o->shape_gain)
        return -1;
    for (int l = 0; l < 26; l++)
        z += q[l] = q[l] > -HUGE_VAL ? exp(q[l] - top) : 0.0;
    for (int l = 0; l < 26; l++)
        q[l] /= z;
    return pick;
}

/* Give the share o->shape_share of p's letter mass to q, each letter's
 * case split as the classifier split it (the line context settles case
 * later); the digits keep their mass. */
static void shape_mix(const RecAdaptOptions *o, const double *q, float *p)
{
    float mass = 0.0f;
    for (int l = 0; l < 26; l++)
        mass += letter_p(p, l);
    for (int l = 0; l < 26; l++) {
        float tot = letter_p(p, l), up = tot > 0.0f ? p[10 + l] / tot : 0.0f;
        float t = (1.0f - o->shape_share) * tot +
                  o->shape_share * mass * (float)q[l];
        p[10 + l] = t * up;
        p[36 + l] = t * (1.0f - up);
    }
}

/* Shape classes settled by their words: each glyph (not a piece) whose
 * shape mates' words want another letter (shape_letter()) is mixed with
 * their verdict (shape_mix()); the decoder still chooses per word among
 * the letters. u: the unit features (n x dim); sim: scratch of
 * ADAPT_BLOCK x n. Decided from pg->probs as they are, written to out (a
 * copy of them). Returns how many glyphs were re-weighed; *pflips counts
 * those that now read another class. */
static int settle_shapes(const RecAdaptOptions *o, const ShapePage *page,
                         const float *u, int dim, float *sim, float *out,
                         int *pflips)
{
    int changed = 0, n = page->n, from[27];
    int *mate = malloc((size_t)n * sizeof *mate);
    *pflips = 0;
    if (!mate)
        return 0; /* out of memory: the page is left to the soft step */
    ShapePage bucketed = *page, *pg = &bucketed;
    shape_buckets(pg, mate, from);
    pg->mate = mate;
    pg->from = from;
    for (int b0 = 0; b0 < n; b0 += ADAPT_BLOCK) {
        int bn = cos_block(u, dim, n, b0, sim);
        for (int bi = 0; bi < bn; bi++) {
            int i = b0 + bi;
            double q[26];
            if (!shape_candidate(pg, i) ||
                shape_letter(o, pg, i, sim + (size_t)bi * n, q) < 0)
                continue;
            float *p = out + (size_t)i * REC_NCLASSES;
            shape_mix(o, q, p);
            changed++;
            *pflips += argmax62(p) != pg->best[i];
        }
    }
    free(mate);
    return changed;
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
 *                            REC_ADAPT_PIECE = a piece cut from a larger
 *                            blob, or one touching its neighbour (re-read,
 *                            but no shape mate: note 3); other values =
 *                            read; NULL = all glyphs read
 * @param[in]     word        [optional] n word ids in reading order
 *                            (glyphs of one word consecutive); NULL = no
 *                            language-model term
 * @param[in]     lm          [optional] character language model; NULL =
 *                            the neighbours' posteriors only
 * @param[in]     n           glyphs on the page
 * @param[in,out] probs       n x REC_NCLASSES posteriors (each row sums
 *                            to 1, still does after)
 * @param[out]    pn_changed  [optional] changes of a glyph's best class
 *                            (by either step of note 3)
 * @return 0, or -1 (bad arguments, out of memory; message set)
 *
 * Notes:
 *   (1) Only letters change, within the letters the glyph already has
 *       mass for; case is kept in the classifier's proportion.
 *   (2) The language-model term needs word ids and a model; each word is
 *       then the glyphs with equal consecutive ids.
 *   (3) With both, shape classes are settled first (settle_shapes()):
 *       a glyph whose shape mates (alike glyphs read as the same letter,
 *       o->shape_near) stand in enough different words that all read
 *       far better with another letter has its letters re-weighed with
 *       the mates' words, the classifier counted once for all copies.
 *       This is for a writer whose letter the classifier reads surely
 *       wrong every time (an e read as c at 0.99): the soft re-reading
 *       that follows cannot move such a glyph, and the decoder sees only
 *       one word at a time. o->shape_min = 0 turns it off.
 */
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
    if (lm && word && o->shape_min > 0) {
        memcpy(newp, probs, nn * REC_NCLASSES * sizeof *newp);
        ShapePage pg = {n, ok, use, inword, best, lmd, key, probs, NULL, NULL};
        int flips;
        int settled = settle_shapes(o, &pg, u, dim, sim, newp, &flips);
        if (pn_changed)
            *pn_changed = flips;
        if (settled > 0) {
            /* the soft step below starts from the settled page */
            memcpy(probs, newp, nn * REC_NCLASSES * sizeof *newp);
            for (int i = 0; i < n; i++)
                best[i] = argmax62(probs + (size_t)i * REC_NCLASSES);
            memset(lmd, 0, nn * 26 * sizeof *lmd);
            word_deltas(lm, word, best, use, n, lmd, inword, key);
        }
    }
    beliefs(o, probs, lmd, n, lp);
    memcpy(newp, probs, nn * REC_NCLASSES * sizeof *newp);
    for (int b0 = 0; b0 < n; b0 += ADAPT_BLOCK) {
        int bn = cos_block(u, dim, n, b0, sim);
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
