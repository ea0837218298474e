/*
 * rec_page.c - recognise a segmented page: every glyph of the page through
 * the classifier in one batch, then the line-context step, into an OutPage.
 *
 * Design: every glyph mask is normalised into one batch and classified by
 * one rec_net_classify call per page; the OutPage is built from the
 * SegPage's lines, words and glyphs. The same function serves the spool's
 * recognize stage, `inkpipe ocr` and the benchmarks (chain.h), so all give
 * the same result for the same page. rec_page_score_glyph() lets the
 * segmenter score candidate cuts of touching glyphs with the classifier.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "recognize/rec_adapt.h"
#include "recognize/rec_context.h"
#include "recognize/rec_page.h"
#include "recognize/rec_segalt.h"

/* Score memo: an open-addressed table of (hash, size, mask bits, score),
 * at most half full (it doubles from MEMO_MIN_SLOTS); the masks' bits are
 * kept in one pool, so a hit is told by comparing the masks themselves,
 * not only their hashes. Bounded: past MEMO_MAX_ENTRIES or MEMO_MAX_BITS
 * bytes of masks, candidates are classified without being kept. */
#define MEMO_MIN_SLOTS 256 /* powers of two */
#define MEMO_MAX_ENTRIES 32768
#define MEMO_MAX_BITS ((size_t)8 << 20)

typedef struct {
    uint64_t hash; /* 0 = empty slot */
    int w, h;
    size_t off; /* into bits */
    float score;
} MemoEntry;

struct RecScoreMemo {
    MemoEntry *slot;
    size_t nslots; /* a power of two, at least twice n */
    unsigned char *bits;
    size_t used, cap; /* bytes of bits */
    int n;
};

/**
 * A memo of candidate glyph scores for one page (rec_page_score_glyph).
 *
 * @return new memo (rec_score_memo_destroy()), or NULL out of memory (the
 *         scorer then classifies every candidate)
 */
RecScoreMemo *rec_score_memo_create(void)
{
    RecScoreMemo *m = calloc(1, sizeof *m);
    if (m && !(m->slot = calloc(MEMO_MIN_SLOTS, sizeof *m->slot))) {
        free(m);
        m = NULL;
    }
    if (m)
        m->nslots = MEMO_MIN_SLOTS;
    return m;
}

/** Free a memo and set *pmemo to NULL; NULL and *pmemo NULL are no-ops. */
void rec_score_memo_destroy(RecScoreMemo **pmemo)
{
    if (!pmemo || !*pmemo)
        return;
    free((*pmemo)->slot);
    free((*pmemo)->bits);
    free(*pmemo);
    *pmemo = NULL;
}

/** The number of masks a memo keeps (0 for NULL). */
int rec_score_memo_count(const RecScoreMemo *memo)
{
    return memo ? memo->n : 0;
}

/* The w x h mask as bits (nonzero = 1: all that normalisation reads) into
 * out ((w h + 7) / 8 bytes), and their hash with the size (never 0). */
static uint64_t memo_pack(const unsigned char *mask, int w, int h,
                          unsigned char *out)
{
    size_t n = (size_t)w * h;
    uint64_t x = 1469598103934665603ull ^ ((uint64_t)(unsigned)w << 32 |
                                           (unsigned)h);
    memset(out, 0, (n + 7) / 8);
    for (size_t i = 0; i < n; i++)
        if (mask[i])
            out[i >> 3] |= (unsigned char)(1u << (i & 7));
    for (size_t i = 0; i < (n + 7) / 8; i++) {
        x ^= out[i];
        x *= 1099511628211ull;
    }
    return x ? x : 1;
}

/* The slot of (hash, w, h, bits): the entry's, or the empty one where it
 * goes. */
static MemoEntry *memo_find(RecScoreMemo *m, uint64_t hash, int w, int h,
                            const unsigned char *bits)
{
    size_t nb = ((size_t)w * h + 7) / 8, mask = m->nslots - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        MemoEntry *e = &m->slot[i];
        if (!e->hash || (e->hash == hash && e->w == w && e->h == h &&
                         memcmp(m->bits + e->off, bits, nb) == 0))
            return e;
    }
}

/* Double the table (the entries' hashes are all different masks, so each
 * goes to the first free slot from its hash). 0, or -1 out of memory. */
static int memo_grow(RecScoreMemo *m)
{
    size_t n = 2 * m->nslots, mask = n - 1;
    MemoEntry *slot = calloc(n, sizeof *slot);
    if (!slot)
        return -1;
    for (size_t j = 0; j < m->nslots; j++) {
        const MemoEntry *e = &m->slot[j];
        if (!e->hash)
            continue;
        size_t i = (size_t)e->hash & mask;
        while (slot[i].hash)
            i = (i + 1) & mask;
        slot[i] = *e;
    }
    free(m->slot);
    m->slot = slot;
    m->nslots = n;
    return 0;
}

/* Keep the score of bits (a free slot e of memo_find) if there is room. */
static void memo_keep(RecScoreMemo *m, MemoEntry *e, uint64_t hash, int w,
                      int h, const unsigned char *bits, float score)
{
    size_t nb = ((size_t)w * h + 7) / 8;
    if (m->n >= MEMO_MAX_ENTRIES || m->used + nb > MEMO_MAX_BITS)
        return;
    if ((size_t)(m->n + 1) * 2 > m->nslots) { /* e moves with the table */
        if (memo_grow(m) < 0)
            return;
        e = memo_find(m, hash, w, h, bits);
    }
    if (m->used + nb > m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 65536;
        while (cap < m->used + nb)
            cap *= 2;
        unsigned char *b = realloc(m->bits, cap);
        if (!b)
            return;
        m->bits = b;
        m->cap = cap;
    }
    memcpy(m->bits + m->used, bits, nb);
    *e = (MemoEntry){hash, w, h, m->used, score};
    m->used += nb;
    m->n++;
}

/* The classifier's best class probability for one mask; 0 when it cannot
 * be normalised or classified. */
static float score_glyph(const RecPageScorer *sc, const unsigned char *mask,
                         int w, int h)
{
    float in[REC_INPUT_SIZE * REC_INPUT_SIZE], probs[REC_NCLASSES];
    if (rec_glyph_normalize_mask(mask, w, h, w, in) < 0 ||
        rec_net_classify(sc->net, in, 1, sc->cs, probs) < 0)
        return 0.0f;
    float best = 0.0f;
    for (int c = 0; c < REC_NCLASSES; c++)
        if (probs[c] > best)
            best = probs[c];
    return best;
}

/**
 * Score a candidate glyph for the segmenter's cuts of touching characters.
 *
 * @param[in] ctx   a RecPageScorer (net, charset, optional memo)
 * @param[in] mask  w x h bytes, nonzero = ink
 * @param[in] w     width
 * @param[in] h     height
 * @return the best class probability (0..1); 0 when the mask cannot be
 *         normalised or classified
 *
 * Notes:
 *   (1) With a memo, a mask scored before on the page (the same size and
 *       ink, compared bit for bit) gets its kept score: the classifier
 *       gives a glyph the same bits whatever else it classifies, so the
 *       cuts chosen are those without the memo.
 */
float rec_page_score_glyph(void *ctx, const unsigned char *mask, int w, int h)
{
    const RecPageScorer *sc = ctx;
    RecScoreMemo *m = sc->memo;
    size_t nb = w > 0 && h > 0 ? ((size_t)w * h + 7) / 8 : 0;
    unsigned char stack[512], *bits = nb <= sizeof stack ? stack : malloc(nb);
    if (!m || !mask || !nb || !bits) {
        if (bits != stack)
            free(bits);
        return score_glyph(sc, mask, w, h);
    }
    uint64_t hash = memo_pack(mask, w, h, bits);
    MemoEntry *e = memo_find(m, hash, w, h, bits);
    float score;
    if (e->hash) {
        score = e->score;
    } else {
        score = score_glyph(sc, mask, w, h);
        memo_keep(m, e, hash, w, h, bits, score);
    }
    if (bits != stack)
        free(bits);
    return score;
}

static OutBox box_of(SegBox b)
{
    OutBox o = {b.x, b.y, b.x + b.w, b.y + b.h};
    return o;
}

/* The glyphs the page is read as: the segmenter's, or the segmentation
 * alternatives' choice (rec_segalt.h). Words are runs of equal word ids;
 * wfirst/wn are each word's glyph range. */
typedef struct {
    int n;
    const SegBox *box;
    const int *word;
    const float *probs;
    const unsigned char *ok;
    int *wfirst, *wn; /* n_words (owned) */
} GlyphView;

/* Line context (rec_context.c) over every line of the page: re-chooses the
 * class and confidence of each glyph in op from the posteriors, the line's
 * geometry and the glyph's word. Glyphs that could not be normalised keep
 * U+FFFD. A line of one glyph is given no x-height or cap height: the
 * segmenter took them from that glyph, so a lone x-height letter looked as
 * tall as a capital ("o" read "O" or "0"; glyph pictures read with
 * `inkpipe ocr` lost 16 points against the classifier alone); its case is
 * then the classifier's. Returns 0 or -1. */
static int rec_page_context(const SegPage *sp, const GlyphView *v,
                            RecCharset cs, const RecLm *lm,
                            const RecLexicon *lex, OutPage *op)
{
    int n_lines, n_glyphs = v->n;
    const SegLine *lines = seg_page_get_lines(sp, &n_lines);
    RecContextGlyph *cg = malloc((size_t)n_glyphs * sizeof *cg);
    int *cls = malloc((size_t)n_glyphs * sizeof *cls);
    float *conf = malloc((size_t)n_glyphs * sizeof *conf);
    int *wid = malloc((size_t)n_glyphs * sizeof *wid);
    float *q = malloc((size_t)n_glyphs * REC_NCLASSES * sizeof *q);
    int rc = -1;

    if (!cg || !cls || !conf || !wid || !q) {
        err_set("out of memory for %d glyphs", n_glyphs);
        goto out;
    }
    for (int i = 0; i < n_glyphs; i++) {
        const SegBox *b = &v->box[i];
        cg[i] = (RecContextGlyph){b->x, b->y, v->ok[i] ? b->w : 0, b->h,
                                  v->word[i]};
    }
    for (int l = 0; l < n_lines; l++) {
        const SegLine *ln = &lines[l];
        if (ln->n_words <= 0)
            continue;
        int w0 = ln->first_word, w1 = ln->first_word + ln->n_words - 1;
        int g0 = v->wfirst[w0], n = v->wfirst[w1] + v->wn[w1] - g0;
        /* segment's baseline is the last ink row; ours the row below it */
        RecLineGeom geom = {(float)ln->box.x,
                            ln->baseline_y > 0
                                ? ln->baseline_y + 1.0f
                                : (float)(ln->box.y + ln->box.h),
                            ln->baseline_slope, ln->x_height, ln->cap_height};
        if (n <= 0 || g0 < 0 || g0 + n > n_glyphs)
            continue;
        if (n == 1) /* the segmenter measured the line on that glyph */
            geom.x_height = geom.cap_height = 0.0f;
        if (rec_context_apply(NULL, &geom, cg + g0,
                              v->probs + (size_t)g0 * REC_NCLASSES, n, cs,
                              cls + g0, conf + g0,
                              q + (size_t)g0 * REC_NCLASSES) < 0)
            goto out;
        for (int i = g0; i < g0 + n; i++)
            wid[i] = v->word[i];
        /* the decoder reads the context step's posteriors: case stays the
         * geometry's, digits stay digits (rec_lm.h) */
        if (rec_lm_decode_line(lm, lex, NULL, q + (size_t)g0 * REC_NCLASSES,
                               wid + g0, n, cls + g0, conf + g0) < 0)
            goto out;
        for (int i = g0; i < g0 + n; i++)
            if (v->ok[i]) {
                op->glyphs[i].codepoint =
                    (uint32_t)(unsigned char)rec_class_chars[cls[i]];
                op->glyphs[i].conf = conf[i];
            }
    }
    rc = 0;
out:
    free(cg);
    free(cls);
    free(conf);
    free(wid);
    free(q);
    return rc;
}

/* Writer adaptation (rec_adapt.c) over the whole page, with the glyphs'
 * word ids. A glyph whose box touches or overlaps its neighbour's in the
 * word, or stands a pixel from it (the pieces of a blob the segmenter
 * cut, or two letters that touch), is flagged REC_ADAPT_PIECE: its shape
 * is no letter of the hand to settle others by. Returns 0 or -1. */
static int adapt_page(const RecAdaptOptions *o, const SegGlyph *glyphs,
                      const float *feats, int dim, const unsigned char *ok,
                      const RecLm *lm, int n, float *probs, int *pn_changed)
{
    int *wid = malloc((size_t)n * sizeof *wid);
    unsigned char *flag = malloc((size_t)n);
    if (!wid || !flag) {
        free(wid);
        free(flag);
        return err_set("out of memory for %d glyphs", n);
    }
    for (int i = 0; i < n; i++) {
        wid[i] = glyphs[i].word;
        flag[i] = ok[i];
    }
    for (int i = 0; i + 1 < n; i++) {
        const SegBox *a = &glyphs[i].box, *b = &glyphs[i + 1].box;
        if (wid[i] == wid[i + 1] && b->x <= a->x + a->w + 1 && flag[i] &&
            flag[i + 1])
            flag[i] = flag[i + 1] = REC_ADAPT_PIECE;
    }
    int rc = rec_adapt_page(o, feats, dim, flag, wid, lm, n, probs,
                            pn_changed);
    free(wid);
    free(flag);
    return rc;
}

/* Each word printed or handwritten (rec_hand.c), with the classifier's
 * own confidence of each of sp's glyphs (probs and ok index sp's glyphs,
 * not op's, which the segmentation alternatives may have merged or split).
 * Returns 0 or -1. */
static int hand_page(const SegPage *sp, const float *probs,
                     const unsigned char *ok, OutPage *op)
{
    int n;
    seg_page_get_glyphs(sp, &n);
    float *conf = malloc(((size_t)n + 1) * sizeof *conf);
    if (!conf)
        return err_set("out of memory for %d glyphs", n);
    for (int i = 0; i < n; i++) {
        const float *p = probs + (size_t)i * REC_NCLASSES;
        float best = 0.0f;
        for (int c = 0; ok[i] && c < REC_NCLASSES; c++)
            if (p[c] > best)
                best = p[c];
        conf[i] = best;
    }
    int rc = rec_page_hand(sp, conf, op);
    free(conf);
    return rc;
}

/* RecSegAltClassify over the page's classifier: one batch. */
static int segalt_classify(void *ctx, const unsigned char *const *mask,
                           const int *w, const int *h, int n, float *probs,
                           unsigned char *ok)
{
    const RecPageScorer *sc = ctx;
    size_t isz = (size_t)REC_INPUT_SIZE * REC_INPUT_SIZE;
    float *in = calloc((size_t)n * isz, sizeof *in);
    if (!in)
        return err_set("out of memory for %d alternative glyphs", n);
    for (int i = 0; i < n; i++)
        ok[i] = rec_glyph_normalize_mask(mask[i], w[i], h[i], w[i],
                                         in + (size_t)i * isz) == 0;
    int rc = rec_net_classify(sc->net, in, n, sc->cs, probs);
    free(in);
    return rc;
}

/* Segmentation alternatives (rec_segalt.h) for the whole page into res. */
static int segalt_page(const SegPage *sp, RecNet *net, RecCharset cs,
                       const RecSegAltOptions *o, const RecLm *lm,
                       const float *probs, const unsigned char *ok,
                       RecSegAltResult *res)
{
    int n_lines, n_words, n;
    const SegLine *lines = seg_page_get_lines(sp, &n_lines);
    const SegWord *words = seg_page_get_words(sp, &n_words);
    const SegGlyph *glyphs = seg_page_get_glyphs(sp, &n);
    RecSegAltGlyph *g = malloc((size_t)(n ? n : 1) * sizeof *g);
    RecSegAltLine *ls = malloc((size_t)(n_lines ? n_lines : 1) * sizeof *ls);
    RecPageScorer sc = {net, cs, NULL};
    int rc = -1;
    if (!g || !ls) {
        err_set("out of memory for %d glyphs", n);
        goto out;
    }
    for (int i = 0; i < n; i++)
        g[i] = (RecSegAltGlyph){glyphs[i].box, glyphs[i].word,
                                seg_page_get_glyph_mask(sp, i)};
    for (int l = 0; l < n_lines; l++) {
        const SegLine *ln = &lines[l];
        ls[l] = (RecSegAltLine){0, 0, ln->cap_height};
        if (ln->n_words > 0) {
            const SegWord *w0 = &words[ln->first_word];
            const SegWord *w1 = &words[ln->first_word + ln->n_words - 1];
            ls[l].first = w0->first_glyph;
            ls[l].n = w1->first_glyph + w1->n_glyphs - w0->first_glyph;
        }
    }
    rc = rec_segalt_page(o, lm, g, n, probs, ok, ls, n_lines,
                         segalt_classify, &sc, res);
out:
    free(g);
    free(ls);
    return rc;
}

/* Each word's glyph range in v: the segmenter's (words), or with words
 * NULL from v's word ids. */
static int view_words(GlyphView *v, const SegWord *words, int n_words)
{
    v->wfirst = calloc((size_t)(n_words ? n_words : 1), sizeof *v->wfirst);
    v->wn = calloc((size_t)(n_words ? n_words : 1), sizeof *v->wn);
    if (!v->wfirst || !v->wn)
        return err_set("out of memory for %d words", n_words);
    for (int i = 0; words && i < n_words; i++) {
        v->wfirst[i] = words[i].first_glyph;
        v->wn[i] = words[i].n_glyphs;
    }
    for (int i = v->n - 1; !words && i >= 0; i--)
        if (v->word[i] >= 0 && v->word[i] < n_words) {
            v->wfirst[v->word[i]] = i;
            v->wn[v->word[i]]++;
        }
    return 0;
}

/* The OutPage of view v: glyphs (the classifier's best class, or U+FFFD),
 * words and lines; then the line context. NULL on error. */
static OutPage *page_of_view(const SegPage *sp, const GlyphView *v,
                             const float *sprobs, const unsigned char *sok,
                             RecCharset cs, int context, const RecLm *lm,
                             const RecLexicon *lex, const char *image,
                             int pageno, int dpi)
{
    int n_lines, n_words, w, h;
    const SegLine *lines = seg_page_get_lines(sp, &n_lines);
    const SegWord *words = seg_page_get_words(sp, &n_words);
    seg_page_get_size(sp, &w, &h);
    OutPage *op = out_page_create(image, pageno, w, h, dpi, n_lines, n_words,
                                  v->n);
    if (!op)
        return NULL;
    for (int i = 0; i < v->n; i++) {
        const float *p = v->probs + (size_t)i * REC_NCLASSES;
        int best = 0;
        for (int c = 1; c < REC_NCLASSES; c++)
            if (p[c] > p[best])
                best = c;
        op->glyphs[i].box = box_of(v->box[i]);
        op->glyphs[i].codepoint =
            v->ok[i] ? (uint32_t)(unsigned char)rec_class_chars[best] : 0xFFFD;
        op->glyphs[i].conf = v->ok[i] ? p[best] : 0.0f;
    }
    if (context && v->n > 0 && rec_page_context(sp, v, cs, lm, lex, op) < 0) {
        err_prefix("%s page %d: line context", image, pageno + 1);
        out_page_destroy(&op);
        return NULL;
    }
    for (int i = 0; i < n_words; i++) {
        op->words[i].box = box_of(words[i].box);
        op->words[i].first_glyph = v->wfirst[i];
        op->words[i].n_glyphs = v->wn[i];
    }
    for (int i = 0; i < n_lines; i++) {
        OutLine *ol = &op->lines[i];
        ol->box = box_of(lines[i].box);
        ol->baseline_slope = lines[i].baseline_slope;
        /* hOCR p0: baseline relative to the bottom of the line box */
        ol->baseline_offset =
            lines[i].baseline_y ? lines[i].baseline_y - (float)ol->box.y1 : 0;
        ol->x_size = (float)lines[i].box.h;
        ol->block = lines[i].block;
        ol->first_word = lines[i].first_word;
        ol->n_words = lines[i].n_words;
    }
    if (hand_page(sp, sprobs, sok, op) < 0) {
        err_prefix("%s page %d: printed or handwritten", image, pageno + 1);
        out_page_destroy(&op);
        return NULL;
    }
    if (context)
        rec_page_drop_label(op);
    return op;
}

/* Every glyph of sp normalised and classified in one batch (and adapted
 * with adapt): probs (n x REC_NCLASSES) and ok, allocated here. */
static int classify_page(const SegPage *sp, RecNet *net, RecCharset cs,
                         const RecAdaptOptions *adapt, const RecLm *lm,
                         float **pprobs, unsigned char **pok)
{
    int n;
    const SegGlyph *glyphs = seg_page_get_glyphs(sp, &n);
    int dim = adapt ? rec_net_feature_dim(net) : 0, rc = -1;
    size_t isz = (size_t)REC_INPUT_SIZE * REC_INPUT_SIZE;
    float *in = calloc((size_t)(n ? n : 1) * isz, sizeof *in), *feats = NULL;
    float *probs = calloc((size_t)(n ? n : 1) * REC_NCLASSES, sizeof *probs);
    unsigned char *ok = calloc((size_t)(n ? n : 1), 1);
    if (dim > 0 && n > 0)
        feats = malloc((size_t)n * dim * sizeof *feats);
    if (!in || !probs || !ok || (dim > 0 && n > 0 && !feats)) {
        err_set("out of memory for %d glyphs", n);
        goto out;
    }
    for (int i = 0; i < n; i++) {
        const SegBox *b = &glyphs[i].box;
        const unsigned char *m = seg_page_get_glyph_mask(sp, i);
        ok[i] = m && rec_glyph_normalize_mask(m, b->w, b->h, b->w,
                                              in + (size_t)i * isz) == 0;
    }
    if (n > 0 &&
        (rec_net_classify_features(net, in, n, cs, probs, feats) < 0 ||
         (feats &&
          adapt_page(adapt, glyphs, feats, dim, ok, lm, n, probs, NULL) < 0)))
        goto out;
    rc = 0;
out:
    free(in);
    free(feats);
    if (rc < 0) {
        free(probs);
        free(ok);
        probs = NULL;
        ok = NULL;
    }
    *pprobs = probs;
    *pok = ok;
    return rc;
}

/**
 * Recognise a segmented page: one batch, one classifier call.
 *
 * @param[in] sp      segmented page
 * @param[in] net     classifier (its scratch memory is used)
 * @param[in] cs      allowed classes
 * @param[in] context 1 = line-context step (case and look-alikes from the
 *                    line's geometry and the word; rec_context.h)
 * @param[in] adapt   [optional] adaptation to the page's writer before the
 *                    context step (rec_adapt.h); NULL = none
 * @param[in] segalt  [optional] segmentation alternatives (merge, split,
 *                    keep) chosen before the context step (rec_segalt.h);
 *                    NULL = the segmenter's glyphs
 * @param[in] lm      [optional] language model for the decoder after the
 *                    context step (rec_lm.h); NULL = none
 * @param[in] lex     [optional] lexicon for the decoder; NULL = none
 * @param[in] image   source path written into the result (hOCR `image`)
 * @param[in] pageno  0-based page number
 * @param[in] dpi     resolution; 0 = unknown
 * @return new OutPage (caller owns; out_page_destroy()), or NULL
 *
 * Notes:
 *   (1) A glyph that cannot be normalised (no ink) becomes U+FFFD with
 *       confidence 0 rather than failing the page.
 *   (2) The line-context step runs between the classifier's choice and the
 *       OutPage; without it each glyph is the classifier's argmax (and the
 *       language model, lexicon and segmentation alternatives are not used
 *       either).
 *   (3) With context, confidences are calibrated (rec_lm_calibrate()).
 *   (4) With adapt, the classifier also returns each glyph's
 *       penultimate-layer features, and each letter's posterior is
 *       re-weighted by the alike glyphs of the page and their words
 *       (rec_adapt_page(), with lm when given) before anything reads it;
 *       without it the posteriors are the classifier's, bit for bit.
 *   (5) With context, a printed label read as the first word of a crop
 *       ("PRENOM SARAKI") is dropped (rec_page_drop_label(), rec_label.c).
 *   (6) With segalt and context, the glyph boxes follow the chosen
 *       segmentation: a merged glyph is boxed by the union, split halves
 *       by their own ink; words and lines keep the segmenter's boxes.
 *   (7) Every word is marked machine print or handwriting
 *       (OutWord.kind, .printed; rec_page_hand()) from the segmenter's
 *       glyphs of the word and the classifier's confidence before the
 *       context step and before (5).
 */
OutPage *rec_page_recognize(const SegPage *sp, RecNet *net, RecCharset cs,
                            int context, const RecAdaptOptions *adapt,
                            const RecSegAltOptions *segalt, const RecLm *lm,
                            const RecLexicon *lex, const char *image,
                            int pageno, int dpi)
{
    int n_words, n_glyphs;
    const SegGlyph *glyphs = seg_page_get_glyphs(sp, &n_glyphs);
    const SegWord *words = seg_page_get_words(sp, &n_words);
    float *probs = NULL;
    unsigned char *ok = NULL;
    int *wid = malloc((size_t)(n_glyphs ? n_glyphs : 1) * sizeof *wid);
    SegBox *box = malloc((size_t)(n_glyphs ? n_glyphs : 1) * sizeof *box);
    RecSegAltResult alt = {0};
    GlyphView v = {0};
    OutPage *op = NULL;
    if (!wid || !box) {
        err_set("%s page %d: out of memory for %d glyphs", image, pageno + 1,
                n_glyphs);
        goto out;
    }
    if (classify_page(sp, net, cs, adapt, lm, &probs, &ok) < 0) {
        err_prefix("%s page %d", image, pageno + 1);
        goto out;
    }
    for (int i = 0; i < n_glyphs; i++) {
        wid[i] = glyphs[i].word;
        box[i] = glyphs[i].box;
    }
    v = (GlyphView){n_glyphs, box, wid, probs, ok, NULL, NULL};
    if (segalt && context && n_glyphs > 0) {
        if (segalt_page(sp, net, cs, segalt, lm, probs, ok, &alt) < 0) {
            err_prefix("%s page %d: segmentation alternatives", image,
                       pageno + 1);
            goto out;
        }
        v = (GlyphView){alt.n, alt.box, alt.word, alt.probs, alt.ok, NULL,
                        NULL};
        words = NULL;
    }
    if (view_words(&v, words, n_words) < 0) {
        err_prefix("%s page %d", image, pageno + 1);
        goto out;
    }
    op = page_of_view(sp, &v, probs, ok, cs, context, lm, lex, image, pageno,
                      dpi);
out:
    free(v.wfirst);
    free(v.wn);
    rec_segalt_result_free(&alt);
    free(wid);
    free(box);
    free(probs);
    free(ok);
    return op;
}
