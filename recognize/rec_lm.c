/*
 * rec_lm.c - character n-gram model (build, save, load, score), lexicons
 * and the per-line decoder (rec_lm.h).
 *
 * Design.
 *   Model: symbols are case-folded (the line's geometry decides case, not
 *   the model): 0 = word boundary, 1..26 = a..z, 27 = any digit. Words are
 *   modelled one at a time: the history restarts (all boundary symbols) at
 *   every word, and the word's end is predicted as symbol 0, so a line's
 *   score is the sum of its words' scores and the decoder can work word by
 *   word. Probabilities are interpolated absolute discounting (D = 0.75,
 *   "Kneser-Ney lite": lower orders use plain counts), add-one at order 1,
 *   computed once at build time for every history and quantised to one
 *   byte: q = round(-16 log2 P), P >= 2^-16.
 *   File (little-endian): u32 magic "IKLM", u32 version 1, u32 order, u32
 *   nsym (28), nsym^order bytes, u32 CRC-32 of everything before it.
 *   Decoder: per word, a beam (hypotheses with equal history merged: exact
 *   Viterbi while the beam holds every history) over the top-k letters of
 *   each glyph, scored log f(letter) + lambda log P_LM, where f is the
 *   context step's posterior folded over case. Only words whose every
 *   glyph the context step read as a letter are decoded; the others keep
 *   their reading. A lexicon entry of the word's length replaces the
 *   reading when its score under the same terms plus lex_bonus (and a
 *   small log-count prior) beats the reading's.
 *
 * Threading: RecLm and RecLexicon are read-only after creation.
 */
#include "recognize/rec_lm.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/binio.h"
#include "common/err.h"

#define LM_MAGIC 0x4D4C4B49u /* "IKLM" little-endian */
#define LM_VERSION 1u
#define LM_MAX_ORDER 5
#define LM_QSCALE 16.0f
#define LM_DISCOUNT 0.75
#define LM_MAX_FILE (64u << 20)
#define LEX_MAX_LEN 48
#define DEC_MAX_K 8
#define DEC_MAX_BEAM 64
#define REC_LM_CODE_LEN 3 /* capitals-only words this short are codes */
#define DEC_FLOOR 1e-4f /* a glyph's folded posterior is at least this */

struct RecLm {
    int order;
    size_t n;             /* REC_LM_NSYM^order */
    unsigned char *table; /* quantised -log2 P, index = history..., symbol */
};

typedef struct {
    char *text;      /* as in the file (owned) */
    unsigned char sym[LEX_MAX_LEN]; /* folded: 1..26 letter, 27+d digit d */
    int len;
    float prior;     /* log((count + 1) / (max count + 1)) */
} LexEntry;

struct RecLexicon {
    LexEntry *e; /* sorted by length */
    int n;
    int first[LEX_MAX_LEN + 2]; /* entries of length L: first[L]..first[L+1] */
};

/** Symbol of an ASCII character: 1..26 letters (either case), 27 digits,
 *  0 anything else (a word boundary). */
int rec_lm_symbol(int ch)
{
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 1;
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A' + 1;
    if (ch >= '0' && ch <= '9')
        return 27;
    return 0;
}

/** Order of the model (2..5). */
int rec_lm_order(const RecLm *lm) { return lm->order; }

static size_t ipow(int b, int e)
{
    size_t r = 1;
    while (e-- > 0)
        r *= (size_t)b;
    return r;
}

/* Counts of every k-gram (k = 1..order) of the word stream; cnt[k] has
 * NSYM^k entries indexed oldest symbol first. */
static int count_text(const char *text, size_t n, int order, uint32_t **cnt)
{
    int hist[LM_MAX_ORDER] = {0}; /* last order-1 symbols, oldest first */
    int in_word = 0;
    for (size_t i = 0; i <= n; i++) {
        int s = i < n ? rec_lm_symbol((unsigned char)text[i]) : 0;
        if (s == 0 && !in_word)
            continue; /* runs of separators are one boundary */
        /* count s after hist for every order */
        for (int k = 1; k <= order; k++) {
            size_t idx = 0;
            for (int j = order - k; j < order - 1; j++)
                idx = idx * REC_LM_NSYM + (size_t)hist[j];
            idx = idx * REC_LM_NSYM + (size_t)s;
            if (cnt[k][idx] < UINT32_MAX)
                cnt[k][idx]++;
        }
        if (s == 0) {
            memset(hist, 0, sizeof hist);
            in_word = 0;
        } else {
            for (int j = 0; j + 1 < order - 1; j++)
                hist[j] = hist[j + 1];
            if (order > 1)
                hist[order - 2] = s;
            in_word = 1;
        }
    }
    return 0;
}

/**
 * Build a model from text.
 *
 * @param[in] text   any bytes; letters, digits and separators count (see
 *                   rec_lm_symbol()), a dictionary is one word per line
 * @param[in] n      length of text
 * @param[in] order  2..5 (the table has 28^order bytes)
 * @return new model (caller owns; rec_lm_destroy()), or NULL (bad order,
 *         out of memory)
 */
RecLm *rec_lm_create_from_text(const char *text, size_t n, int order)
{
    if (order < 2 || order > LM_MAX_ORDER || (!text && n)) {
        err_set("language model: order %d not in 2..%d", order,
                LM_MAX_ORDER);
        return NULL;
    }
    uint32_t *cnt[LM_MAX_ORDER + 1] = {0};
    double *p[LM_MAX_ORDER + 1] = {0};
    RecLm *lm = calloc(1, sizeof *lm);
    int ok = lm != NULL;
    for (int k = 1; ok && k <= order; k++) {
        cnt[k] = calloc(ipow(REC_LM_NSYM, k), sizeof *cnt[k]);
        p[k] = calloc(ipow(REC_LM_NSYM, k), sizeof *p[k]);
        ok = cnt[k] && p[k];
    }
    if (ok) {
        lm->order = order;
        lm->n = ipow(REC_LM_NSYM, order);
        lm->table = malloc(lm->n);
        ok = lm->table != NULL;
    }
    if (!ok) {
        err_set("language model: out of memory");
        goto fail;
    }
    count_text(text, n, order, cnt);
    /* order 1: add-one */
    double tot = 0;
    for (int s = 0; s < REC_LM_NSYM; s++)
        tot += cnt[1][s];
    for (int s = 0; s < REC_LM_NSYM; s++)
        p[1][s] = (cnt[1][s] + 1.0) / (tot + REC_LM_NSYM);
    /* higher orders: interpolated absolute discounting */
    for (int k = 2; k <= order; k++) {
        size_t nh = ipow(REC_LM_NSYM, k - 1), nlow = ipow(REC_LM_NSYM, k - 2);
        for (size_t h = 0; h < nh; h++) {
            const uint32_t *c = cnt[k] + h * REC_LM_NSYM;
            const double *low = p[k - 1] + (h % nlow) * REC_LM_NSYM;
            double ch = 0, t = 0;
            for (int s = 0; s < REC_LM_NSYM; s++) {
                ch += c[s];
                t += c[s] > 0;
            }
            for (int s = 0; s < REC_LM_NSYM; s++)
                p[k][h * REC_LM_NSYM + s] =
                    ch > 0 ? (fmax(c[s] - LM_DISCOUNT, 0) +
                              LM_DISCOUNT * t * low[s]) / ch
                           : low[s];
        }
    }
    for (size_t i = 0; i < lm->n; i++) {
        double q = -LM_QSCALE * log2(p[order][i]);
        lm->table[i] = (unsigned char)(q > 255 ? 255 : q < 0 ? 0 : lround(q));
    }
    for (int k = 1; k <= order; k++) {
        free(cnt[k]);
        free(p[k]);
    }
    return lm;
fail:
    for (int k = 1; k <= order; k++) {
        free(cnt[k]);
        free(p[k]);
    }
    rec_lm_destroy(&lm);
    return NULL;
}

/**
 * Write a model file (format in the file header).
 *
 * @param[in] lm    model
 * @param[in] path  file to write (replaced)
 * @return 0, or -1 (message names the file)
 */
int rec_lm_save(const RecLm *lm, const char *path)
{
    BinBuf b = {0};
    binio_buf_u32(&b, LM_MAGIC);
    binio_buf_u32(&b, LM_VERSION);
    binio_buf_u32(&b, (uint32_t)lm->order);
    binio_buf_u32(&b, REC_LM_NSYM);
    binio_buf_write(&b, lm->table, lm->n);
    if (!b.oom)
        binio_buf_u32(&b, binio_crc32(0, b.p, b.n));
    if (b.oom) {
        binio_buf_cleanup(&b);
        return err_set("%s: out of memory", path);
    }
    FILE *f = fopen(path, "wb");
    int rc = 0;
    if (!f || fwrite(b.p, 1, b.n, f) != b.n)
        rc = err_set("%s: cannot write the language model", path);
    if (f && fclose(f) != 0 && rc == 0)
        rc = err_set("%s: cannot write the language model", path);
    binio_buf_cleanup(&b);
    return rc;
}

/**
 * Load a model file.
 *
 * @param[in] path  file written by rec_lm_save() (tools/lm_build)
 * @return new model (caller owns; rec_lm_destroy()), or NULL with a
 *         message naming the file and what is wrong (not a model, version,
 *         order, symbol count, size, CRC)
 */
RecLm *rec_lm_load(const char *path)
{
    size_t n;
    unsigned char *d = binio_file_read(path, LM_MAX_FILE, &n);
    if (!d)
        return NULL;
    RecLm *lm = NULL;
    if (n < 20 || binio_get_u32(d) != LM_MAGIC) {
        err_set("%s: not an inkpipe language model (bad magic)", path);
        goto out;
    }
    uint32_t ver = binio_get_u32(d + 4), order = binio_get_u32(d + 8),
             nsym = binio_get_u32(d + 12);
    if (ver != LM_VERSION) {
        err_set("%s: language model version %u, expected %u", path, ver,
                LM_VERSION);
        goto out;
    }
    if (order < 2 || order > LM_MAX_ORDER || nsym != REC_LM_NSYM) {
        err_set("%s: language model order %u / %u symbols not supported",
                path, order, nsym);
        goto out;
    }
    size_t tn = ipow(REC_LM_NSYM, (int)order);
    if (n != 16 + tn + 4) {
        err_set("%s: language model is %zu bytes, expected %zu (truncated?)",
                path, n, 16 + tn + 4);
        goto out;
    }
    if (binio_crc32(0, d, n - 4) != binio_get_u32(d + n - 4)) {
        err_set("%s: language model CRC mismatch (corrupt file)", path);
        goto out;
    }
    lm = calloc(1, sizeof *lm);
    if (!lm || !(lm->table = malloc(tn))) {
        err_set("%s: out of memory", path);
        free(lm);
        lm = NULL;
        goto out;
    }
    lm->order = (int)order;
    lm->n = tn;
    memcpy(lm->table, d + 16, tn);
out:
    free(d);
    return lm;
}

/** Free a model; *plm = NULL; NULL is a no-op. */
void rec_lm_destroy(RecLm **plm)
{
    if (!plm || !*plm)
        return;
    free((*plm)->table);
    free(*plm);
    *plm = NULL;
}

/* log P(s | the last order-1 symbols of h) in nats; h oldest first,
 * padded on the left with boundary symbols. */
static float lm_logp_hist(const RecLm *lm, const unsigned char *h, int s)
{
    size_t idx = 0;
    for (int j = 0; j < lm->order - 1; j++)
        idx = idx * REC_LM_NSYM + h[j];
    idx = idx * REC_LM_NSYM + (size_t)s;
    return -(float)lm->table[idx] * (float)(M_LN2 / LM_QSCALE);
}

/**
 * log P(sym | history) in nats.
 *
 * @param[in] lm     model
 * @param[in] hist   [optional] the word's previous symbols, oldest first
 * @param[in] nhist  how many (only the last order-1 count; fewer are padded
 *                   with the word boundary)
 * @param[in] sym    0..27
 * @return the log probability (<= 0)
 */
float rec_lm_logp(const RecLm *lm, const int *hist, int nhist, int sym)
{
    unsigned char h[LM_MAX_ORDER] = {0};
    int m = lm->order - 1;
    for (int j = 0; j < m; j++) {
        int k = nhist - m + j;
        h[j] = (unsigned char)(k >= 0 ? hist[k] : 0);
    }
    return lm_logp_hist(lm, h, sym < 0 || sym >= REC_LM_NSYM ? 0 : sym);
}

/**
 * log P of a text in nats: every word (run of letters and digits) and its
 * end.
 *
 * @param[in] lm  model
 * @param[in] s   NUL-terminated text
 * @return the sum of log probabilities (0 for no words)
 */
double rec_lm_score_text(const RecLm *lm, const char *s)
{
    unsigned char h[LM_MAX_ORDER] = {0};
    int m = lm->order - 1, in_word = 0;
    double sum = 0;
    for (;; s++) {
        int c = rec_lm_symbol((unsigned char)*s);
        if (c == 0 && in_word) {
            sum += lm_logp_hist(lm, h, 0);
            memset(h, 0, sizeof h);
            in_word = 0;
        } else if (c) {
            sum += lm_logp_hist(lm, h, c);
            memmove(h, h + 1, (size_t)(m - 1));
            h[m - 1] = (unsigned char)c;
            in_word = 1;
        }
        if (!*s)
            break;
    }
    return sum;
}

/* ---- lexicon ---- */

static int lex_cmp(const void *a, const void *b)
{
    return ((const LexEntry *)a)->len - ((const LexEntry *)b)->len;
}

/**
 * Load a lexicon: one entry per line, optionally followed by a TAB and a
 * count; a first line "name<TAB>count" (a header) and blank lines are
 * skipped.
 *
 * @param[in] path  text file
 * @return new lexicon (caller owns; rec_lexicon_destroy()), or NULL (file
 *         unreadable, a bad count (message names file and line), no entry)
 *
 * Notes:
 *   (1) Entries with a character other than a letter or a digit, or longer
 *       than 48, cannot match a glyph sequence and are skipped.
 */
RecLexicon *rec_lexicon_load(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        err_set("%s: cannot open the lexicon", path);
        return NULL;
    }
    RecLexicon *lex = calloc(1, sizeof *lex);
    char line[512];
    int cap = 0, lineno = 0;
    double *cnt = NULL, maxc = 0;
    if (!lex)
        goto oom;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        char *tab = strchr(line, '\t');
        double c = 0;
        if (tab) {
            *tab = '\0';
            char *end;
            c = strtod(tab + 1, &end);
            if (end == tab + 1 || *end || c < 0) {
                if (lineno == 1)
                    continue; /* header */
                err_set("%s:%d: bad count '%s'", path, lineno, tab + 1);
                goto fail;
            }
        }
        int len = (int)strlen(line), good = len > 0 && len <= LEX_MAX_LEN;
        for (int i = 0; good && i < len; i++)
            good = isalnum((unsigned char)line[i]) && !(line[i] & 0x80);
        if (!good)
            continue;
        if (lex->n == cap) {
            cap = cap ? 2 * cap : 1024;
            LexEntry *ne = realloc(lex->e, (size_t)cap * sizeof *ne);
            double *nc = realloc(cnt, (size_t)cap * sizeof *nc);
            if (ne)
                lex->e = ne;
            if (nc)
                cnt = nc;
            if (!ne || !nc)
                goto oom;
        }
        LexEntry *e = &lex->e[lex->n];
        if (!(e->text = strdup(line)))
            goto oom;
        e->len = len;
        for (int i = 0; i < len; i++) {
            int ch = (unsigned char)line[i];
            e->sym[i] = (unsigned char)(isdigit(ch) ? 27 + (ch - '0')
                                                    : rec_lm_symbol(ch));
        }
        cnt[lex->n++] = c;
        if (c > maxc)
            maxc = c;
    }
    if (ferror(f)) {
        err_set("%s: read error", path);
        goto fail;
    }
    if (lex->n == 0) {
        err_set("%s: the lexicon has no usable entry", path);
        goto fail;
    }
    for (int i = 0; i < lex->n; i++)
        lex->e[i].prior = (float)log((cnt[i] + 1) / (maxc + 1));
    qsort(lex->e, (size_t)lex->n, sizeof *lex->e, lex_cmp);
    for (int L = 0, i = 0; L <= LEX_MAX_LEN + 1; L++) {
        while (i < lex->n && lex->e[i].len < L)
            i++;
        lex->first[L] = i;
    }
    free(cnt);
    fclose(f);
    return lex;
oom:
    err_set("%s: out of memory", path);
fail:
    free(cnt);
    fclose(f);
    rec_lexicon_destroy(&lex);
    return NULL;
}

/** Free a lexicon; *plex = NULL; NULL is a no-op. */
void rec_lexicon_destroy(RecLexicon **plex)
{
    if (!plex || !*plex)
        return;
    for (int i = 0; i < (*plex)->n; i++)
        free((*plex)->e[i].text);
    free((*plex)->e);
    free(*plex);
    *plex = NULL;
}

/** Number of entries. */
int rec_lexicon_size(const RecLexicon *lex) { return lex ? lex->n : 0; }

/* ---- decoder ---- */

/** Defaults: top 4 letters, beam 16, lambda 0.3 (dev pages: 0.2-0.3 best, 0.8 worse than none), lexicon bonus 3 nats,
 *  the calibration fitted on held-out bench pages (docs/context.md). */
void rec_lm_options_init(RecLmOptions *o)
{
    o->topk = 4;
    o->beam = 16;
    o->lambda = 0.3f;
    o->lex_bonus = 3.0f;
    /* fitted by log loss on 6 composed pages (BENCH_SEED=7, 2124 glyphs on
     * lines that align with the ground truth), not the bench pages */
    o->temp = 0.5f;
    o->bias = 2.7f;
}

/**
 * Calibrated confidence: sigmoid(logit(p) / temp + bias).
 *
 * @param[in] opt  [optional] options (NULL = defaults)
 * @param[in] p    a posterior, 0..1
 * @return the calibrated value, 0..1
 */
float rec_lm_calibrate(const RecLmOptions *opt, float p)
{
    RecLmOptions d;
    if (!opt) {
        rec_lm_options_init(&d);
        opt = &d;
    }
    float e = 1e-6f;
    p = fminf(fmaxf(p, e), 1.0f - e);
    float z = logf(p / (1.0f - p)) / opt->temp + opt->bias;
    return 1.0f / (1.0f + expf(-z));
}

typedef struct {
    float score;
    short back;                    /* hypothesis at the previous glyph */
    unsigned char cand;            /* candidate of this glyph */
    unsigned char h[LM_MAX_ORDER]; /* history after this glyph */
} Hyp;

typedef struct {
    unsigned char sym;
    short cls;
    float logf; /* log of the folded posterior */
} Cand;

static int argmax62(const float *p)
{
    int b = 0;
    for (int c = 1; c < REC_NCLASSES; c++)
        if (p[c] > p[b])
            b = c;
    return b;
}

/* Folded posterior of symbol s (1..26 letter, 27+d digit d) for glyph p. */
static float fold(const float *p, int s)
{
    if (s >= 27)
        return p[s - 27];
    return p[10 + s - 1] + p[36 + s - 1];
}

/* The class of folded symbol s that the glyph's posterior prefers. */
static int unfold(const float *p, int s)
{
    if (s >= 27)
        return s - 27;
    int u = 10 + s - 1, l = 36 + s - 1;
    return p[l] > p[u] ? l : u;
}

static float logfl(float v) { return logf(v > DEC_FLOOR ? v : DEC_FLOOR); }

/* Beam over one all-letter word of k glyphs; writes the classes of the
 * best reading to cls and returns its score. */
static float decode_word(const RecLm *lm, const RecLmOptions *o,
                         const float *q, int k, int *cls, Hyp *hy, Cand *cd)
{
    int topk = o->topk < 1 ? 1 : o->topk > DEC_MAX_K ? DEC_MAX_K : o->topk;
    int B = o->beam < 1 ? 1 : o->beam > DEC_MAX_BEAM ? DEC_MAX_BEAM : o->beam;
    int m = lm->order - 1;
    int nprev = 1;
    Hyp start = {0, -1, 0, {0}};
    const Hyp *prev = &start;
    for (int i = 0; i < k; i++) {
        const float *p = q + (size_t)i * REC_NCLASSES;
        Cand *c = cd + (size_t)i * DEC_MAX_K;
        int nc = 0;
        float f[27];
        for (int s = 1; s <= 26; s++)
            f[s] = fold(p, s);
        for (; nc < topk; nc++) { /* the top-k letters, best first */
            int b = 0;
            for (int s = 1; s <= 26; s++)
                if (f[s] >= 0 && (b == 0 || f[s] > f[b]))
                    b = s;
            c[nc] = (Cand){(unsigned char)b, (short)unfold(p, b), logfl(f[b])};
            f[b] = -1.0f;
        }
        Hyp *cur = hy + (size_t)i * DEC_MAX_BEAM;
        int ncur = 0;
        for (int a = 0; a < nprev; a++)
            for (int b = 0; b < nc; b++) {
                Hyp h;
                h.score = prev[a].score + c[b].logf +
                          o->lambda * lm_logp_hist(lm, prev[a].h, c[b].sym);
                memcpy(h.h, prev[a].h, sizeof h.h);
                memmove(h.h, h.h + 1, (size_t)(m - 1));
                h.h[m - 1] = c[b].sym;
                if (i == k - 1) /* the word's end */
                    h.score += o->lambda * lm_logp_hist(lm, h.h, 0);
                h.back = (short)a;
                h.cand = (unsigned char)b;
                /* merge with an equal history, else keep the B best */
                int j;
                for (j = 0; j < ncur; j++)
                    if (!memcmp(cur[j].h, h.h, (size_t)m))
                        break;
                if (j < ncur) {
                    if (h.score > cur[j].score)
                        cur[j] = h;
                    continue;
                }
                if (ncur < B) {
                    cur[ncur++] = h;
                    continue;
                }
                int w = 0;
                for (j = 1; j < ncur; j++)
                    if (cur[j].score < cur[w].score)
                        w = j;
                if (h.score > cur[w].score)
                    cur[w] = h;
            }
        prev = cur;
        nprev = ncur;
    }
    int best = 0;
    for (int j = 1; j < nprev; j++)
        if (prev[j].score > prev[best].score)
            best = j;
    float score = prev[best].score;
    for (int i = k - 1, j = best; i >= 0; i--) {
        const Hyp *h = hy + (size_t)i * DEC_MAX_BEAM + j;
        cls[i] = cd[(size_t)i * DEC_MAX_K + h->cand].cls;
        j = h->back;
    }
    return score;
}

/* Score of a reading given as symbols (1..26 letter, 27+d digit d). */
static float reading_score(const RecLm *lm, const RecLmOptions *o,
                           const float *q, const unsigned char *sym, int k)
{
    unsigned char h[LM_MAX_ORDER] = {0};
    int m = lm ? lm->order - 1 : 0;
    float s = 0;
    for (int i = 0; i < k; i++) {
        int ls = sym[i] >= 27 ? 27 : sym[i];
        s += logfl(fold(q + (size_t)i * REC_NCLASSES, sym[i]));
        if (lm) {
            s += o->lambda * lm_logp_hist(lm, h, ls);
            memmove(h, h + 1, (size_t)(m - 1));
            h[m - 1] = (unsigned char)ls;
        }
    }
    if (lm)
        s += o->lambda * lm_logp_hist(lm, h, 0);
    return s;
}

/* Replace the reading cls[0..k-1] of a word by the best lexicon entry of
 * its length that beats it. */
static void lexicon_snap(const RecLm *lm, const RecLexicon *lex,
                         const RecLmOptions *o, const float *q, int k,
                         int *cls)
{
    unsigned char sym[LEX_MAX_LEN];
    if (k > LEX_MAX_LEN)
        return;
    for (int i = 0; i < k; i++)
        sym[i] = (unsigned char)(cls[i] < 10 ? 27 + cls[i]
                                 : rec_lm_symbol(rec_class_chars[cls[i]]));
    float base = reading_score(lm, o, q, sym, k), best = base;
    const LexEntry *win = NULL;
    for (int e = lex->first[k]; e < lex->first[k + 1]; e++) {
        const LexEntry *x = &lex->e[e];
        float s = o->lex_bonus + 0.25f * x->prior;
        for (int i = 0; i < k && s > best; i++)
            s += logfl(fold(q + (size_t)i * REC_NCLASSES, x->sym[i]));
        if (s <= best)
            continue;
        s += reading_score(lm, o, q, x->sym, k) -
             reading_score(NULL, o, q, x->sym, k);
        if (s > best) {
            best = s;
            win = x;
        }
    }
    if (win)
        for (int i = 0; i < k; i++)
            cls[i] = unfold(q + (size_t)i * REC_NCLASSES, win->sym[i]);
}

/**
 * Decode one line: each all-letter word by beam search over its glyphs'
 * top-k letters under the language model, then the lexicon.
 *
 * @param[in]  lm     [optional] model; NULL = no beam (lexicon only)
 * @param[in]  lex    [optional] lexicon; NULL = none
 * @param[in]  opt    [optional] options (NULL = defaults)
 * @param[in]  q      n x REC_NCLASSES posteriors after the context step
 *                    (rec_context_apply()'s probs_out)
 * @param[in]  word   n word ids; a word is a run of equal ids
 * @param[in]  n      glyphs (0 is a no-op)
 * @param[out] cls    n classes
 * @param[out] conf   n calibrated confidences (rec_lm_calibrate() of the
 *                    chosen class's posterior)
 * @return 0, or -1 (bad arguments, out of memory)
 *
 * Notes:
 *   (1) A word with a glyph whose best class is a digit is not decoded by
 *       the model (ids, codes, dates stay as the context step read them);
 *       the lexicon may still replace it when an entry explains the
 *       glyphs better, by lex_bonus, than the reading does.
 *   (2) A word of at most 3 capitals (GBP, EUR, USA) is a code: not
 *       decoded by the model either.
 *   (3) The model decides letters, never case: the chosen case is the one
 *       the context posterior (geometry) prefers.
 */
int rec_lm_decode_line(const RecLm *lm, const RecLexicon *lex,
                       const RecLmOptions *opt, const float *q,
                       const int *word, int n, int *cls, float *conf)
{
    RecLmOptions d;
    if (n < 0 || (n > 0 && (!q || !word || !cls || !conf)))
        return err_set("rec_lm_decode_line: bad arguments");
    if (!opt) {
        rec_lm_options_init(&d);
        opt = &d;
    }
    if (n == 0)
        return 0;
    Hyp *hy = malloc((size_t)n * DEC_MAX_BEAM * sizeof *hy);
    Cand *cd = malloc((size_t)n * DEC_MAX_K * sizeof *cd);
    if (!hy || !cd) {
        free(hy);
        free(cd);
        return err_set("rec_lm_decode_line: out of memory for %d glyphs", n);
    }
    for (int i = 0; i < n; i++)
        cls[i] = argmax62(q + (size_t)i * REC_NCLASSES);
    for (int i0 = 0; i0 < n;) {
        int k = 1, letters = cls[i0] >= 10, upper = cls[i0] < 36;
        while (i0 + k < n && word[i0 + k] == word[i0]) {
            letters &= cls[i0 + k] >= 10;
            upper &= cls[i0 + k] < 36;
            k++;
        }
        if (upper && k <= REC_LM_CODE_LEN)
            letters = 0; /* GBP, EUR, USA: a code, not a word */
        const float *qw = q + (size_t)i0 * REC_NCLASSES;
        if (lm && letters)
            decode_word(lm, opt, qw, k, cls + i0, hy, cd);
        if (lex)
            lexicon_snap(lm, lex, opt, qw, k, cls + i0);
        i0 += k;
    }
    for (int i = 0; i < n; i++)
        conf[i] = rec_lm_calibrate(opt, q[(size_t)i * REC_NCLASSES + cls[i]]);
    free(hy);
    free(cd);
    return 0;
}
