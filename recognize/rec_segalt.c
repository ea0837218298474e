/*
 * rec_segalt.c - segmentation alternatives chosen by a beam over each word
 * (rec_segalt.h).
 *
 * Design.
 *   Alternatives: for glyph i of a word, "merge" with i+1 when the two have
 *   a gap of at most merge_gap line heights (0.05: the pieces of a broken
 *   letter touch or overlap in x; at 0.12 "il" was read "u" on composed
 *   pages), their union is at most
 *   merge_width line heights wide, and one of them is narrow (<= 0.4
 *   height) or short (<= 0.5 height) or they overlap in x by 30 % of the
 *   narrower; also "merge" two whose boxes meet (gap <= 0, as the
 *   segmenter's cut of a wide piece leaves them) and whose union is at
 *   most cut_width line heights wide (1.6), whatever their shapes: the
 *   segmenter cuts a wide piece where the classifier is surer of the
 *   halves, without the word; a cursive e with its lead-in stroke came
 *   out "as", and in real name crops an F "TJ", a D "AX"; and a stem
 *   (at most 0.4 line heights wide, at least 0.7 tall) up to stem_gap
 *   line heights (0.1) from its neighbour: a capital's stem the pen
 *   left a pixel off the rest, an H read "LI" (THEO) or "FI"
 *   (CHEVEREAU) in name crops (at merge_gap, 0.05, under a pixel there);
 *   "split" when the glyph is at least split_width line heights
 *   wide and wider than tall (or not: split_square, digits only): cut at
 *   the column of least ink in its middle 40 % (ties: nearest the
 *   middle), each half cropped to its ink.
 *   Beam: per word, positions 0..k (glyphs consumed); a hypothesis carries
 *   its language-model history and is extended by keep (one character from
 *   the glyph), merge (one from the merged pair, to position +2) or split
 *   (two, from the halves). Each character scores log f + lambda log P_LM +
 *   char_bonus, f being the posterior folded over case (letters) over the
 *   unit's top-k symbols; merge and split add their prior. Hypotheses with
 *   equal history at one position are merged (exact Viterbi while the beam
 *   holds them all). Only the segmentation of the best path is kept.
 */
#include "recognize/rec_segalt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"

#define SA_MAX_K 4
#define SA_MAX_BEAM 32
#define SA_NSYM 36 /* folded: 0..9 digits, 10..35 letters a..z */
#define SA_FLOOR 1e-4f

enum { OP_KEEP, OP_MERGE, OP_MERGED, OP_SPLIT };

/** Fill o with the defaults (docs/context.md, "Segmentation
 *  alternatives"). */
void rec_segalt_options_init(RecSegAltOptions *o)
{
    o->topk = 3;
    o->beam = 16;
    o->lambda = 0.3f;
    o->char_bonus = 0.9f;
    o->merge_prior = -1.0f;
    o->split_prior = -1.0f;
    o->merge_gap = 0.05f;
    o->stem_gap = 0.1f;
    o->merge_width = 1.1f;
    o->cut_width = 1.6f;
    o->split_width = 1.15f;
    o->split_square = 0;
}

/**
 * Fit o to the characters a field may hold: with digits only, a split is
 * offered from 0.9 line heights wide, wider than tall or not. A written
 * digit is seldom that wide (MNIST's are 0.4-0.8 of their height), and
 * two touching digits often are no wider than tall: `49` and `99` read
 * as one digit. Letters are left as they are (wider splits cost the
 * name crops 0.5 points of CER: M, W and N are wide).
 *
 * @param[in,out] o   options (rec_segalt_options_init first); with
 *                    digits only, split_width and split_square are
 *                    overwritten; NULL does nothing
 * @param[in]     cs  the charset the words are read with (0, or any
 *                    letter in it: o is left as it is)
 */
void rec_segalt_options_set_charset(RecSegAltOptions *o, RecCharset cs)
{
    if (o && cs && !(cs & ~REC_CHARSET_DIGITS)) {
        o->split_width = 0.9f;
        o->split_square = 1;
    }
}

/** Free the arrays of a result (and zero it). */
void rec_segalt_result_free(RecSegAltResult *res)
{
    if (!res)
        return;
    free(res->box);
    free(res->word);
    free(res->probs);
    free(res->ok);
    memset(res, 0, sizeof *res);
}

/* One alternative: a merge of glyphs i, i+1 (one mask) or a split of
 * glyph i (two masks), masks m0.. in the page's batch. */
typedef struct {
    int kind, i, m0;
    SegBox box[2];
} Alt;

typedef struct {
    Alt *alt;
    int n_alt, cap_alt;
    unsigned char **mask;
    int *mw, *mh;
    int n_mask, cap_mask;
} AltSet;

static void altset_free(AltSet *s)
{
    for (int i = 0; i < s->n_mask; i++)
        free(s->mask[i]);
    free(s->mask);
    free(s->mw);
    free(s->mh);
    free(s->alt);
}

/* Append an alternative with nm masks (taken over: freed on failure). */
static int altset_add(AltSet *s, Alt a, unsigned char **m, const SegBox *b,
                      int nm)
{
    if (s->n_alt == s->cap_alt) {
        int c = s->cap_alt ? 2 * s->cap_alt : 16;
        Alt *v = realloc(s->alt, (size_t)c * sizeof *v);
        if (!v)
            goto oom;
        s->alt = v;
        s->cap_alt = c;
    }
    if (s->n_mask + nm > s->cap_mask) {
        int c = s->cap_mask ? 2 * s->cap_mask : 32;
        unsigned char **v = realloc(s->mask, (size_t)c * sizeof *v);
        if (v)
            s->mask = v;
        int *w = v ? realloc(s->mw, (size_t)c * sizeof *w) : NULL;
        if (w)
            s->mw = w;
        int *h = w ? realloc(s->mh, (size_t)c * sizeof *h) : NULL;
        if (!h)
            goto oom;
        s->mh = h;
        s->cap_mask = c;
    }
    a.m0 = s->n_mask;
    for (int k = 0; k < nm; k++) {
        a.box[k] = b[k];
        s->mask[s->n_mask] = m[k];
        s->mw[s->n_mask] = b[k].w;
        s->mh[s->n_mask++] = b[k].h;
    }
    s->alt[s->n_alt++] = a;
    return 0;
oom:
    for (int k = 0; k < nm; k++)
        free(m[k]);
    return err_set("segment alternatives: out of memory");
}

/* The union of glyphs a and b as one mask. */
static int add_merge(AltSet *s, const RecSegAltGlyph *g, int i)
{
    const SegBox *a = &g[i].box, *b = &g[i + 1].box;
    int x0 = a->x < b->x ? a->x : b->x, y0 = a->y < b->y ? a->y : b->y;
    int x1 = a->x + a->w > b->x + b->w ? a->x + a->w : b->x + b->w;
    int y1 = a->y + a->h > b->y + b->h ? a->y + a->h : b->y + b->h;
    SegBox u = {x0, y0, x1 - x0, y1 - y0};
    unsigned char *m = calloc((size_t)u.w * u.h, 1);
    if (!m)
        return err_set("segment alternatives: out of memory");
    for (int k = 0; k < 2; k++) {
        const RecSegAltGlyph *q = &g[i + k];
        for (int y = 0; y < q->box.h; y++)
            for (int x = 0; x < q->box.w; x++)
                if (q->mask[(size_t)y * q->box.w + x])
                    m[(size_t)(q->box.y - y0 + y) * u.w + q->box.x - x0 + x] = 1;
    }
    Alt alt = {OP_MERGE, i, 0, {u, u}};
    return altset_add(s, alt, &m, &u, 1);
}

/* Columns c0..c1-1 of mask (w x h) cropped to their ink: a new mask and
 * its box in page coordinates (origin ox, oy); NULL when under 4 px. */
static unsigned char *crop_cols(const unsigned char *mask, int w, int h,
                                int c0, int c1, int ox, int oy, SegBox *pb)
{
    int x0 = c1, x1 = c0 - 1, y0 = h, y1 = -1, n = 0;
    for (int y = 0; y < h; y++)
        for (int x = c0; x < c1; x++)
            if (mask[(size_t)y * w + x]) {
                n++;
                x0 = x < x0 ? x : x0;
                x1 = x > x1 ? x : x1;
                y0 = y < y0 ? y : y0;
                y1 = y > y1 ? y : y1;
            }
    if (n < 4)
        return NULL;
    SegBox b = {ox + x0, oy + y0, x1 - x0 + 1, y1 - y0 + 1};
    unsigned char *m = malloc((size_t)b.w * b.h);
    if (!m)
        return NULL;
    for (int y = 0; y < b.h; y++)
        memcpy(m + (size_t)y * b.w, mask + (size_t)(y0 + y) * w + x0,
               (size_t)b.w);
    *pb = b;
    return m;
}

/* Glyph i cut at the column of least ink in its middle 40 %. */
static int add_split(AltSet *s, const RecSegAltGlyph *g, int i)
{
    const SegBox *b = &g[i].box;
    int w = b->w, h = b->h, lo = (3 * w) / 10, hi = (7 * w + 9) / 10;
    int best = -1, bestv = 0;
    for (int x = lo; x < hi && x < w; x++) {
        int v = 0;
        for (int y = 0; y < h; y++)
            v += g[i].mask[(size_t)y * w + x];
        if (best < 0 || v < bestv ||
            (v == bestv && abs(2 * x - w) < abs(2 * best - w))) {
            best = x;
            bestv = v;
        }
    }
    if (best <= 0)
        return 0;
    SegBox pb[2];
    unsigned char *m[2];
    m[0] = crop_cols(g[i].mask, w, h, 0, best, b->x, b->y, &pb[0]);
    m[1] = m[0] ? crop_cols(g[i].mask, w, h, best, w, b->x, b->y, &pb[1])
                : NULL;
    if (!m[1]) {
        free(m[0]);
        return 0; /* a half without ink: no split */
    }
    Alt alt = {OP_SPLIT, i, 0, {pb[0], pb[1]}};
    return altset_add(s, alt, m, pb, 2);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The line's height: its cap height, else the median glyph height. */
static float line_height(const RecSegAltLine *ln, const RecSegAltGlyph *g)
{
    if (ln->height > 0)
        return ln->height;
    int *v = malloc((size_t)ln->n * sizeof *v);
    if (!v)
        return 0;
    for (int i = 0; i < ln->n; i++)
        v[i] = g[ln->first + i].box.h;
    qsort(v, (size_t)ln->n, sizeof *v, cmp_int);
    float hgt = (float)v[ln->n / 2];
    free(v);
    return hgt;
}

/* Offer the plausible alternatives of one line. */
static int line_alternatives(const RecSegAltOptions *o,
                             const RecSegAltLine *ln,
                             const RecSegAltGlyph *g, const unsigned char *ok,
                             AltSet *s)
{
    float H = ln->n > 0 ? line_height(ln, g) : 0;
    if (H <= 0)
        return 0;
    for (int i = ln->first; i < ln->first + ln->n; i++) {
        const SegBox *a = &g[i].box;
        if (!ok[i] || !g[i].mask)
            continue;
        if (a->w >= o->split_width * H && (o->split_square || a->w > a->h) &&
            add_split(s, g, i) < 0)
            return -1;
        if (i + 1 >= ln->first + ln->n || !ok[i + 1] || !g[i + 1].mask ||
            g[i + 1].word != g[i].word)
            continue;
        const SegBox *b = &g[i + 1].box;
        int gap = b->x - (a->x + a->w);
        int x1 = a->x + a->w > b->x + b->w ? a->x + a->w : b->x + b->w;
        int x0 = a->x < b->x ? a->x : b->x;
        int nw = a->w < b->w ? a->w : b->w, nh = a->h < b->h ? a->h : b->h;
        int cut = gap <= 0 && x1 - x0 <= o->cut_width * H;
        int stem = nw <= 0.4f * H && nh >= 0.7f * H && gap <= o->stem_gap * H;
        if (!cut && ((gap > o->merge_gap * H && !stem) ||
                     x1 - x0 > o->merge_width * H))
            continue;
        if ((cut || nw <= 0.4f * H || nh <= 0.5f * H || -gap >= 0.3f * nw) &&
            add_merge(s, g, i) < 0)
            return -1;
    }
    return 0;
}

/* ---- the beam ---------------------------------------------------------- */

typedef struct {
    float score;
    int h[4];          /* LM history, oldest first */
    short back;        /* index in the beam of the position it came from */
    unsigned char op;  /* OP_KEEP, OP_MERGE, OP_SPLIT */
} SHyp;

/* A unit's top-k folded symbols (0..9 digits, 10..35 letters): log f. */
typedef struct {
    int n;
    int sym[SA_MAX_K];
    float lf[SA_MAX_K];
} Top;

static void top_of(const float *p, int k, Top *t)
{
    float f[SA_NSYM];
    for (int s = 0; s < 10; s++)
        f[s] = p[s];
    for (int s = 0; s < 26; s++)
        f[10 + s] = p[10 + s] + p[36 + s];
    t->n = 0;
    for (; t->n < k; t->n++) {
        int b = 0;
        for (int s = 1; s < SA_NSYM; s++)
            if (f[s] > f[b])
                b = s;
        t->sym[t->n] = b;
        t->lf[t->n] = logf(f[b] > SA_FLOOR ? f[b] : SA_FLOOR);
        f[b] = -1.0f;
    }
}

/* LM symbol of a folded symbol. */
static int lm_sym(int s) { return s < 10 ? 27 : s - 10 + 1; }

typedef struct {
    const RecSegAltOptions *o;
    const RecLm *lm;
    int m;  /* history length used (order - 1, at most 4) */
    int B;  /* beam width */
} Beam;

/* Score of one more character s after history h; h is advanced. */
static float emit(const Beam *bm, int *h, int s, float lf)
{
    float v = lf + bm->o->char_bonus;
    if (bm->lm && bm->m > 0) {
        v += bm->o->lambda * rec_lm_logp(bm->lm, h, bm->m, lm_sym(s));
        memmove(h, h + 1, (size_t)(bm->m - 1) * sizeof *h);
        h[bm->m - 1] = lm_sym(s);
    }
    return v;
}

/* Put x into the beam cur (n hypotheses): merge on equal history, else
 * keep the B best. */
static void beam_put(const Beam *bm, SHyp *cur, int *n, const SHyp *x)
{
    for (int j = 0; j < *n; j++)
        if (!memcmp(cur[j].h, x->h, sizeof x->h)) {
            if (x->score > cur[j].score)
                cur[j] = *x;
            return;
        }
    if (*n < bm->B) {
        cur[(*n)++] = *x;
        return;
    }
    int w = 0;
    for (int j = 1; j < *n; j++)
        if (cur[j].score < cur[w].score)
            w = j;
    if (x->score > cur[w].score)
        cur[w] = *x;
}

/* Extend hypothesis a (index ia) by one unit of 1 or 2 characters (t0, t1)
 * into beam cur. */
static void extend(const Beam *bm, const SHyp *a, int ia, int op, float prior,
                   const Top *t0, const Top *t1, SHyp *cur, int *n)
{
    for (int u = 0; u < t0->n; u++) {
        SHyp x = *a;
        x.back = (short)ia;
        x.op = (unsigned char)op;
        x.score += prior + emit(bm, x.h, t0->sym[u], t0->lf[u]);
        if (!t1) {
            beam_put(bm, cur, n, &x);
            continue;
        }
        for (int v = 0; v < t1->n; v++) {
            SHyp y = x;
            y.score += emit(bm, y.h, t1->sym[v], t1->lf[v]);
            beam_put(bm, cur, n, &y);
        }
    }
}

/* Word of k glyphs from glyph s: choose ops[0..k) (OP_*). ai[j] = the
 * index of glyph s+j's merge (ai[2j]) and split (ai[2j+1]) alternative,
 * -1 none; ap = the alternatives' posteriors by mask. */
static void decode_word(const Beam *bm, const float *probs, int s, int k,
                        const int *ai, const Alt *alt, const float *ap,
                        SHyp *hy, int *nh, unsigned char *ops)
{
    const RecSegAltOptions *o = bm->o;
    int K = o->topk < 1 ? 1 : o->topk > SA_MAX_K ? SA_MAX_K : o->topk;
    memset(nh, 0, (size_t)(k + 1) * sizeof *nh);
    memset(&hy[0], 0, sizeof hy[0]);
    nh[0] = 1;
    for (int j = 0; j < k; j++) {
        Top t0, t1;
        const SHyp *prev = hy + (size_t)j * bm->B;
        SHyp *next = hy + (size_t)(j + 1) * bm->B;
        top_of(probs + (size_t)(s + j) * REC_NCLASSES, K, &t0);
        for (int a = 0; a < nh[j]; a++)
            extend(bm, &prev[a], a, OP_KEEP, 0, &t0, NULL, next, &nh[j + 1]);
        if (ai[2 * j + 1] >= 0) {
            const Alt *x = &alt[ai[2 * j + 1]];
            top_of(ap + (size_t)x->m0 * REC_NCLASSES, K, &t0);
            top_of(ap + (size_t)(x->m0 + 1) * REC_NCLASSES, K, &t1);
            for (int a = 0; a < nh[j]; a++)
                extend(bm, &prev[a], a, OP_SPLIT, o->split_prior, &t0, &t1,
                       next, &nh[j + 1]);
        }
        if (ai[2 * j] >= 0 && j + 1 < k) {
            top_of(ap + (size_t)alt[ai[2 * j]].m0 * REC_NCLASSES, K, &t0);
            for (int a = 0; a < nh[j]; a++)
                extend(bm, &prev[a], a, OP_MERGE, o->merge_prior, &t0, NULL,
                       hy + (size_t)(j + 2) * bm->B, &nh[j + 2]);
        }
    }
    SHyp *end = hy + (size_t)k * bm->B;
    int best = 0;
    for (int j = 0; j < nh[k]; j++) {
        if (bm->lm && bm->m > 0)
            end[j].score +=
                o->lambda * rec_lm_logp(bm->lm, end[j].h, bm->m, 0);
        if (end[j].score > end[best].score)
            best = j;
    }
    for (int j = k, b = best; j > 0;) {
        const SHyp *x = hy + (size_t)j * bm->B + b;
        b = x->back;
        if (x->op == OP_MERGE) {
            ops[j - 2] = OP_MERGE;
            ops[j - 1] = OP_MERGED;
            j -= 2;
        } else {
            ops[--j] = x->op;
        }
    }
}

/* ---- the page ---------------------------------------------------------- */

/* Decode every word that has an alternative; ops[i] for every glyph. */
static int choose(const RecSegAltOptions *o, const RecLm *lm, int n,
                  const float *probs, const AltSet *s, const float *ap,
                  const unsigned char *aok, const RecSegAltGlyph *g,
                  unsigned char *ops)
{
    int *ai = malloc((size_t)2 * n * sizeof *ai);
    int *nh = malloc((size_t)(n + 1) * sizeof *nh);
    SHyp *hy = NULL;
    Beam bm = {o, lm, lm ? rec_lm_order(lm) - 1 : 0,
               o->beam < 1 ? 1 : o->beam > SA_MAX_BEAM ? SA_MAX_BEAM : o->beam};
    if (bm.m > 4)
        bm.m = 4;
    if (ai && nh)
        hy = malloc((size_t)(n + 1) * bm.B * sizeof *hy);
    if (!hy) {
        free(ai);
        free(nh);
        return err_set("segment alternatives: out of memory for %d glyphs",
                       n);
    }
    for (int i = 0; i < 2 * n; i++)
        ai[i] = -1;
    memset(ops, OP_KEEP, (size_t)n);
    for (int a = 0; a < s->n_alt; a++) {
        const Alt *x = &s->alt[a];
        int okx = aok[x->m0] && (x->kind == OP_MERGE || aok[x->m0 + 1]);
        if (okx)
            ai[2 * x->i + (x->kind == OP_SPLIT)] = a;
    }
    for (int i0 = 0; i0 < n;) {
        int k = 1, any = ai[2 * i0] >= 0 || ai[2 * i0 + 1] >= 0;
        while (i0 + k < n && g[i0 + k].word == g[i0].word) {
            any |= ai[2 * (i0 + k)] >= 0 || ai[2 * (i0 + k) + 1] >= 0;
            k++;
        }
        if (any)
            decode_word(&bm, probs, i0, k, ai + 2 * i0, s->alt, ap, hy, nh,
                        ops + i0);
        i0 += k;
    }
    free(ai);
    free(nh);
    free(hy);
    return 0;
}

/* Build the result from the chosen ops. */
static int build(int n, const RecSegAltGlyph *g, const float *probs,
                 const unsigned char *ok, const AltSet *s, const float *ap,
                 const unsigned char *ops, RecSegAltResult *r)
{
    int m = 0, *alt_of = malloc((size_t)n * sizeof *alt_of);
    if (!alt_of)
        return err_set("segment alternatives: out of memory");
    for (int a = 0; a < s->n_alt; a++)
        if ((s->alt[a].kind == OP_MERGE && ops[s->alt[a].i] == OP_MERGE) ||
            (s->alt[a].kind == OP_SPLIT && ops[s->alt[a].i] == OP_SPLIT))
            alt_of[s->alt[a].i] = a;
    for (int i = 0; i < n; i++)
        m += ops[i] == OP_SPLIT ? 2 : ops[i] == OP_MERGED ? 0 : 1;
    r->box = malloc((size_t)(m ? m : 1) * sizeof *r->box);
    r->word = malloc((size_t)(m ? m : 1) * sizeof *r->word);
    r->probs = malloc((size_t)(m ? m : 1) * REC_NCLASSES * sizeof *r->probs);
    r->ok = malloc((size_t)(m ? m : 1));
    if (!r->box || !r->word || !r->probs || !r->ok) {
        free(alt_of);
        return err_set("segment alternatives: out of memory");
    }
    size_t row = REC_NCLASSES * sizeof(float);
    for (int i = 0, j = 0; i < n; i++) {
        if (ops[i] == OP_MERGED)
            continue;
        int parts = ops[i] == OP_SPLIT ? 2 : 1;
        for (int k = 0; k < parts; k++, j++) {
            r->word[j] = g[i].word;
            r->ok[j] = ops[i] == OP_KEEP ? ok[i] : 1;
            if (ops[i] == OP_KEEP) {
                r->box[j] = g[i].box;
                memcpy(r->probs + (size_t)j * REC_NCLASSES,
                       probs + (size_t)i * REC_NCLASSES, row);
                continue;
            }
            const Alt *x = &s->alt[alt_of[i]];
            r->box[j] = x->box[k];
            memcpy(r->probs + (size_t)j * REC_NCLASSES,
                   ap + (size_t)(x->m0 + k) * REC_NCLASSES, row);
        }
        r->n_merged += ops[i] == OP_MERGE;
        r->n_split += ops[i] == OP_SPLIT;
    }
    r->n = m;
    free(alt_of);
    return 0;
}

/**
 * Offer, classify and choose segmentation alternatives for a page.
 *
 * @param[in]  opt      [optional] options (NULL = defaults)
 * @param[in]  lm       [optional] language model; NULL = classifier and
 *                      priors only
 * @param[in]  g        n glyphs in reading order (words adjacent)
 * @param[in]  n        glyphs
 * @param[in]  probs    n x REC_NCLASSES posteriors of the glyphs
 * @param[in]  ok       n flags: 1 = the glyph was classified
 * @param[in]  lines    the lines (glyph ranges and heights)
 * @param[in]  n_lines  lines
 * @param[in]  classify classifier for the alternatives (one call a page)
 * @param[in]  ctx      its context
 * @param[out] res      the glyphs after the choice (caller frees with
 *                      rec_segalt_result_free())
 * @return 0, or -1 (out of memory, the classifier failed)
 *
 * Notes:
 *   (1) Words without any plausible alternative cost nothing but the
 *       geometry test; their glyphs are copied.
 *   (2) A merged glyph's box is the union of the two; a split glyph's
 *       halves are boxed by their own ink.
 */
int rec_segalt_page(const RecSegAltOptions *opt, const RecLm *lm,
                    const RecSegAltGlyph *g, int n, const float *probs,
                    const unsigned char *ok, const RecSegAltLine *lines,
                    int n_lines, RecSegAltClassify classify, void *ctx,
                    RecSegAltResult *res)
{
    RecSegAltOptions d;
    AltSet s = {0};
    float *ap = NULL;
    unsigned char *aok = NULL, *ops = NULL;
    int rc = -1;
    memset(res, 0, sizeof *res);
    if (n < 0 || (n > 0 && (!g || !probs || !ok || !classify)) ||
        (n_lines > 0 && !lines))
        return err_set("rec_segalt_page: bad arguments");
    if (!opt) {
        rec_segalt_options_init(&d);
        opt = &d;
    }
    for (int l = 0; l < n_lines; l++)
        if (lines[l].first >= 0 && lines[l].n > 0 &&
            lines[l].first + lines[l].n <= n &&
            line_alternatives(opt, &lines[l], g, ok, &s) < 0)
            goto out;
    ops = malloc((size_t)(n ? n : 1));
    ap = malloc((size_t)(s.n_mask ? s.n_mask : 1) * REC_NCLASSES * sizeof *ap);
    aok = calloc((size_t)(s.n_mask ? s.n_mask : 1), 1);
    if (!ops || !ap || !aok) {
        err_set("segment alternatives: out of memory");
        goto out;
    }
    if (s.n_mask > 0 &&
        classify(ctx, (const unsigned char *const *)s.mask, s.mw, s.mh,
                 s.n_mask, ap, aok) < 0)
        goto out;
    if (choose(opt, lm, n, probs, &s, ap, aok, g, ops) < 0 ||
        build(n, g, probs, ok, &s, ap, ops, res) < 0)
        goto out;
    res->n_alternatives = s.n_alt;
    rc = 0;
out:
    if (rc < 0)
        rec_segalt_result_free(res);
    altset_free(&s);
    free(ap);
    free(aok);
    free(ops);
    return rc;
}
