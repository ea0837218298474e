/*
 * test_rec_adapt.c - writer adaptation (rec_adapt.c) and the classifier's
 * penultimate-layer features (rec_net_classify_features()).
 *
 * Pages are built in code: feature vectors along a few fixed directions
 * (one per "hand-drawn shape") with small deterministic perturbations,
 * and posteriors chosen per case.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "recognize/rec_adapt.h"
#include "recognize/rec_lm.h"
#include "recognize/recognize.h"
#include "test.h"

#define DIM 16
#define MAXG 32

static int cls(char ch)
{
    return rec_class_of_char(ch);
}

/* A page under construction: features, posteriors, word ids. */
typedef struct {
    int n;
    float feats[MAXG * DIM];
    float probs[MAXG * REC_NCLASSES];
    int word[MAXG];
} Page;

/* Add a glyph whose features point along direction dir (0..DIM-1) with a
 * small perturbation, read as a with probability pa and b with pb (the
 * rest spread over all classes). Returns its index. */
static int add(Page *pg, int dir, float jitter, char a, float pa, char b,
               float pb, int word)
{
    int i = pg->n++;
    float *f = pg->feats + (size_t)i * DIM;
    for (int k = 0; k < DIM; k++)
        f[k] = 0.02f * (float)((i * 7 + k * 3) % 5);
    f[dir] = 1.0f;
    f[(dir + 1) % DIM] += jitter;
    float *p = pg->probs + (size_t)i * REC_NCLASSES;
    float rest = (1.0f - pa - pb) / REC_NCLASSES;
    for (int c = 0; c < REC_NCLASSES; c++)
        p[c] = rest;
    p[cls(a)] += pa;
    if (b)
        p[cls(b)] += pb;
    pg->word[i] = word;
    return i;
}

static int argmax(const float *p)
{
    int b = 0;
    for (int c = 1; c < REC_NCLASSES; c++)
        if (p[c] > p[b])
            b = c;
    return b;
}

static const float *row(const Page *pg, int i)
{
    return pg->probs + (size_t)i * REC_NCLASSES;
}

/* Sure e's and sure l's; one unsure glyph drawn like the e's but read as
 * l ahead of e: the page's e's make it an e. */
static void rec_adapt_page__unsure_glyph_near_sure_x__reads_x(void)
{
    Page pg = {0};
    for (int k = 0; k < 5; k++)
        add(&pg, 0, 0.05f * k, 'e', 0.9f, 0, 0, k);
    for (int k = 0; k < 5; k++)
        add(&pg, 5, 0.05f * k, 'l', 0.9f, 0, 0, 10 + k);
    int u = add(&pg, 0, 0.02f, 'l', 0.5f, 'e', 0.4f, 20);
    CHECK(argmax(row(&pg, u)) == cls('l'));
    int changed = -1;
    CHECK(rec_adapt_page(NULL, pg.feats, DIM, NULL, pg.word, NULL, pg.n,
                         pg.probs, &changed) == 0);
    CHECK(argmax(row(&pg, u)) == cls('e'));
    CHECK(changed == 1);
    /* the sure glyphs keep their reading */
    for (int i = 0; i < 10; i++)
        CHECK(argmax(row(&pg, i)) == cls(i < 5 ? 'e' : 'l'));
}

/* The same unsure glyph drawn unlike anything else on the page: its row
 * stays bit for bit, and so does every row of a page without likenesses. */
static void rec_adapt_page__no_alike_glyphs__rows_unchanged(void)
{
    Page pg = {0};
    for (int k = 0; k < 5; k++)
        add(&pg, k, 0.0f, 'e', 0.9f, 0, 0, k);
    add(&pg, 9, 0.0f, 'l', 0.5f, 'e', 0.4f, 9);
    Page before = pg;
    CHECK(rec_adapt_page(NULL, pg.feats, DIM, NULL, pg.word, NULL, pg.n,
                         pg.probs, NULL) == 0);
    CHECK(memcmp(before.probs, pg.probs, sizeof pg.probs) == 0);
}

/* Rows still sum to one; classes outside the charset (probability 0)
 * stay 0; digits keep their mass. */
static void rec_adapt_page__changed_rows__distributions_charset_kept(void)
{
    Page pg = {0};
    for (int k = 0; k < 4; k++)
        add(&pg, 0, 0.05f * k, 'E', 0.9f, 0, 0, k);
    int u = add(&pg, 0, 0.02f, 'L', 0.5f, 'E', 0.3f, 9);
    /* upper case only: zero every lower-case class, renormalise */
    for (int i = 0; i < pg.n; i++) {
        float *p = pg.probs + (size_t)i * REC_NCLASSES, s = 0.0f;
        for (int c = 36; c < REC_NCLASSES; c++)
            p[c] = 0.0f;
        for (int c = 0; c < REC_NCLASSES; c++)
            s += p[c];
        for (int c = 0; c < REC_NCLASSES; c++)
            p[c] /= s;
    }
    float digits_before = 0.0f;
    for (int c = 0; c < 10; c++)
        digits_before += row(&pg, u)[c];
    CHECK(rec_adapt_page(NULL, pg.feats, DIM, NULL, pg.word, NULL, pg.n,
                         pg.probs, NULL) == 0);
    const float *p = row(&pg, u);
    double sum = 0.0, digits = 0.0;
    for (int c = 0; c < REC_NCLASSES; c++)
        sum += p[c];
    for (int c = 0; c < 10; c++)
        digits += p[c];
    CHECK_NEAR(sum, 1.0, 1e-5);
    CHECK_NEAR(digits, digits_before, 1e-6);
    for (int c = 36; c < REC_NCLASSES; c++)
        CHECK(p[c] == 0.0f);
    CHECK(argmax(p) == cls('E'));
}

/* Glyphs read as digits, and letters in a word with a digit (a code), are
 * never changed, however alike the page's sure letters are. */
static void rec_adapt_page__digits_and_codes__unchanged(void)
{
    Page pg = {0};
    for (int k = 0; k < 5; k++)
        add(&pg, 0, 0.05f * k, 'o', 0.9f, 0, 0, k);
    int d = add(&pg, 0, 0.02f, '0', 0.5f, 'o', 0.4f, 9);
    int a = add(&pg, 0, 0.03f, 'l', 0.5f, 'o', 0.4f, 10);
    add(&pg, 7, 0.0f, '7', 0.9f, 0, 0, 10); /* same word: "l7" */
    Page before = pg;
    CHECK(rec_adapt_page(NULL, pg.feats, DIM, NULL, pg.word, NULL, pg.n,
                         pg.probs, NULL) == 0);
    CHECK(memcmp(row(&before, d), row(&pg, d), REC_NCLASSES * sizeof(float)) ==
          0);
    CHECK(memcmp(row(&before, a), row(&pg, a), REC_NCLASSES * sizeof(float)) ==
          0);
}

/* A writer whose e looks like c: every copy is read c slightly ahead of
 * e. Alone, neither the copies nor their posteriors settle it; the words
 * they are in ("thc", "whcn", "thcy" against "the", "when", "they") do,
 * and with a language model the copies hear each other's words. */
static void rec_adapt_page__language_model__words_settle_the_letter(void)
{
    static const char corpus[] =
        "the then they when where there here her he she we see see the "
        "they then when there where the the the these them then ";
    RecLm *lm = rec_lm_create_from_text(corpus, strlen(corpus), 4);
    CHECK(lm != NULL);
    if (!lm)
        return;
    static const char *words[] = {"thc", "whcn", "thcy", "hcr"};
    Page pg = {0};
    int copies[8], nc = 0;
    for (int w = 0; w < 4; w++)
        for (const char *s = words[w]; *s; s++) {
            if (*s == 'c') {
                copies[nc] = add(&pg, 0, 0.01f * nc, 'c', 0.46f, 'e', 0.44f, w);
                nc++;
            } else
                add(&pg, 2 + (int)(strchr("thwnyr", *s) - "thwnyr"), 0.0f, *s,
                    0.9f, 0, 0, w);
        }
    Page without = pg;
    CHECK(rec_adapt_page(NULL, without.feats, DIM, NULL, without.word, NULL,
                         without.n, without.probs, NULL) == 0);
    for (int k = 0; k < nc; k++)
        CHECK(argmax(row(&without, copies[k])) == cls('c'));
    CHECK(rec_adapt_page(NULL, pg.feats, DIM, NULL, pg.word, lm, pg.n, pg.probs,
                         NULL) == 0);
    for (int k = 0; k < nc; k++)
        CHECK(argmax(row(&pg, copies[k])) == cls('e'));
    rec_lm_destroy(&lm);
}

/* A 4-gram model of text (a check fails when it cannot be made). */
static RecLm *corpus_lm(const char *text)
{
    RecLm *lm = rec_lm_create_from_text(text, strlen(text), 4);
    CHECK(lm != NULL);
    return lm;
}

/* Page of the words ws, each glyph a sure reading of its letter except
 * the letter shape: every copy of it is read as read at 0.97 and as truth
 * at 0.005 (a writer who makes one letter look like another, every time).
 * The copies' indexes go to copies (*nc of them). */
static void sure_misreads(Page *pg, const char *const *ws, int nw,
                          char shape, char read, char truth, int *copies,
                          int *nc)
{
    *nc = 0;
    for (int w = 0; w < nw; w++)
        for (const char *s = ws[w]; *s; s++) {
            if (*s == shape) {
                copies[*nc] = add(pg, 0, 0.01f * *nc, read, 0.97f, truth,
                                  0.005f, w);
                (*nc)++;
            } else
                add(pg, 2 + (*s - 'a') % (DIM - 2), 0.0f, *s, 0.97f, 0, 0, w);
        }
}

/* The writer whose e reads as c: "thc", "whcn", "thcy", "hcr". */
static void thc_page(Page *pg, int *copies, int *nc)
{
    static const char *const ws[] = {"thc", "whcn", "thcy", "hcr"};
    sure_misreads(pg, ws, 4, 'c', 'c', 'e', copies, nc);
}

/* The writer's e is read as c almost surely, every time: the soft
 * re-reading cannot move it, but the words its copies stand in ("thc",
 * "whcn", "thcy", "hcr") all want an e, and they give the e half of
 * the copies' letter mass (the decoder then reads each word with both). */
static void rec_adapt_page__sure_misread_shape__words_settle_it(void)
{
    RecLm *lm = corpus_lm("the then they when where there here her he she we "
                          "see see the they then when there where the the "
                          "the these them then ");
    if (!lm)
        return;
    Page pg = {0};
    int copies[8], nc;
    thc_page(&pg, copies, &nc);
    static float before_probs[MAXG * REC_NCLASSES];
    memcpy(before_probs, pg.probs, sizeof before_probs);
    Page off = pg;
    RecAdaptOptions o;
    rec_adapt_options_init(&o);
    o.shape_min = 0;
    CHECK(rec_adapt_page(&o, off.feats, DIM, NULL, off.word, lm, off.n,
                         off.probs, NULL) == 0);
    for (int k = 0; k < nc; k++) {
        CHECK(argmax(row(&off, copies[k])) == cls('c'));
        CHECK(row(&off, copies[k])[cls('e')] < 0.2f);
    }
    CHECK(rec_adapt_page(NULL, pg.feats, DIM, NULL, pg.word, lm, pg.n, pg.probs,
                         NULL) == 0);
    for (int k = 0; k < nc; k++) {
        /* half the letter mass went to the words' verdict, half stayed,
         * and the soft re-reading that follows leans to the e: the c
         * keeps a share for the decoder */
        CHECK(argmax(row(&pg, copies[k])) == cls('e'));
        CHECK(row(&pg, copies[k])[cls('e')] > 0.5f);
        CHECK(row(&pg, copies[k])[cls('c')] > 0.1f);
    }
    /* with the verdict given all the mass, the copies read e */
    Page all = off;
    memcpy(all.probs, before_probs, sizeof all.probs);
    o.shape_min = 4;
    o.shape_share = 1.0f;
    int changed = -1;
    CHECK(rec_adapt_page(&o, all.feats, DIM, NULL, all.word, lm, all.n,
                         all.probs, &changed) == 0);
    for (int k = 0; k < nc; k++)
        CHECK(argmax(row(&all, copies[k])) == cls('e'));
    CHECK(changed == nc);
    rec_lm_destroy(&lm);
    /* without a language model nothing says so */
    Page fresh = {0};
    thc_page(&fresh, copies, &nc);
    CHECK(rec_adapt_page(NULL, fresh.feats, DIM, NULL, fresh.word, NULL,
                         fresh.n, fresh.probs, NULL) == 0);
    for (int k = 0; k < nc; k++)
        CHECK(argmax(row(&fresh, copies[k])) == cls('c'));
}

/* The same copies flagged as pieces of cut blobs (REC_ADAPT_PIECE): the
 * bits of a letter the segmenter cut are no letters of the hand, and the
 * page reads as without the shape step, bit for bit. */
static void rec_adapt_page__pieces_of_cut_blobs__not_settled(void)
{
    RecLm *lm = corpus_lm("the then they when where there here her he she we "
                          "see see the ");
    if (!lm)
        return;
    Page pg = {0};
    int copies[8], nc;
    thc_page(&pg, copies, &nc);
    unsigned char ok[MAXG];
    memset(ok, 1, sizeof ok);
    for (int k = 0; k < nc; k++)
        ok[copies[k]] = REC_ADAPT_PIECE;
    Page off = pg;
    RecAdaptOptions o;
    rec_adapt_options_init(&o);
    o.shape_min = 0;
    CHECK(rec_adapt_page(&o, off.feats, DIM, ok, off.word, lm, off.n,
                         off.probs, NULL) == 0);
    CHECK(rec_adapt_page(NULL, pg.feats, DIM, ok, pg.word, lm, pg.n, pg.probs,
                         NULL) == 0);
    CHECK(memcmp(off.probs, pg.probs, sizeof pg.probs) == 0);
    for (int k = 0; k < nc; k++)
        CHECK(argmax(row(&pg, copies[k])) == cls('c'));
    rec_lm_destroy(&lm);
}

/* A sure letter whose words would each read a little better with another
 * ("tom", "item", "name", "more" in a text that also has "tor", "iter",
 * "nare", "rore"): small gains do not outweigh a sure classifier. And
 * copies that stand in fewer than three different words (a form's
 * repeated "Namc") are no evidence of the hand, however sure the words. */
static void rec_adapt_page__small_gains_or_one_word__shape_kept(void)
{
    RecLm *lm =
        corpus_lm("tom tor tor item iter iter name nare nare more rore rore ");
    if (!lm)
        return;
    static const char *const ws[] = {"tom", "item", "name", "more"};
    Page pg = {0};
    int copies[8], nc;
    sure_misreads(&pg, ws, 4, 'm', 'm', 'r', copies, &nc);
    CHECK(rec_adapt_page(NULL, pg.feats, DIM, NULL, pg.word, lm, pg.n, pg.probs,
                         NULL) == 0);
    for (int k = 0; k < nc; k++)
        CHECK(argmax(row(&pg, copies[k])) == cls('m'));
    rec_lm_destroy(&lm);

    if (!(lm = corpus_lm("name name name name the then ")))
        return;
    static const char *const same[] = {"namc", "namc", "namc", "namc", "namc"};
    Page rep = {0};
    sure_misreads(&rep, same, 5, 'c', 'c', 'e', copies, &nc);
    CHECK(rec_adapt_page(NULL, rep.feats, DIM, NULL, rep.word, lm, rep.n,
                         rep.probs, NULL) == 0);
    for (int k = 0; k < nc; k++)
        CHECK(argmax(row(&rep, copies[k])) == cls('c'));
    rec_lm_destroy(&lm);
}

/* Copies of one misread letter in k different words: every e read as c
 * at 0.999 (the e at 1e-5), in "hc", "wc", "mc" ... whose words want an
 * e by a few nats each. Three words' mean gain does not outweigh so sure
 * a classifier; eight different words, each a witness of its own, do
 * (writer 008's e read as o, in every word of its pages). */
static void rec_adapt_page__sure_misread_in_many_words__settled(void)
{
    RecLm *lm = corpus_lm("he we me be ye she the yes men hen pet set ");
    if (!lm)
        return;
    static const char *const ws[] = {"hc",  "wc",  "mc",  "bc",
                                     "yc",  "shc", "thc", "ycs"};
    for (int nw = 3; nw <= 8; nw += 5) {
        Page pg = {0};
        int copies[16], nc = 0;
        for (int r = 0; r < (nw == 3 ? 3 : 1); r++)
            for (int w = 0; w < nw; w++)
                for (const char *c = ws[w]; *c; c++)
                    if (*c == 'c') {
                        int i = add(&pg, 0, 0.01f * nc, 'c', 0.999f, 'e',
                                    1e-5f, r * nw + w);
                        copies[nc++] = i;
                    } else
                        add(&pg, 2 + (*c - 'a') % (DIM - 2), 0.0f, *c, 0.97f,
                            0, 0, r * nw + w);
        int changed = -1;
        CHECK(rec_adapt_page(NULL, pg.feats, DIM, NULL, pg.word, lm, pg.n,
                             pg.probs, &changed) == 0);
        printf("  %d words: %d copies, %d re-weighed, copy 0 reads %c\n", nw,
               nc, changed, rec_class_chars[argmax(row(&pg, copies[0]))]);
        for (int k = 0; k < nc; k++)
            CHECK(argmax(row(&pg, copies[k])) == cls(nw == 3 ? 'c' : 'e'));
    }
    rec_lm_destroy(&lm);
}

/* A form repeats its labels: the Q of every "Qty" hears the other Q's, all
 * in the same word, which the language model dislikes ("sty" it knows).
 * The same word is no new evidence: the Q's stay Q's. */
static void rec_adapt_page__same_word_repeated__no_language_model_pull(void)
{
    static const char corpus[] = "sty sty style stay stay sty the they ";
    RecLm *lm = rec_lm_create_from_text(corpus, strlen(corpus), 4);
    CHECK(lm != NULL);
    if (!lm)
        return;
    Page pg = {0};
    int qs[4];
    for (int w = 0; w < 4; w++) {
        qs[w] = add(&pg, 0, 0.01f * w, 'Q', 0.55f, 'S', 0.35f, w);
        add(&pg, 2, 0.01f * w, 't', 0.9f, 0, 0, w);
        add(&pg, 3, 0.01f * w, 'y', 0.9f, 0, 0, w);
    }
    CHECK(rec_adapt_page(NULL, pg.feats, DIM, NULL, pg.word, lm, pg.n, pg.probs,
                         NULL) == 0);
    for (int w = 0; w < 4; w++)
        CHECK(argmax(row(&pg, qs[w])) == cls('Q'));
    rec_lm_destroy(&lm);
}

/* The result does not depend on the order of the glyphs (each is decided
 * from the posteriors before the step). */
static void rec_adapt_page__reversed_page__same_rows(void)
{
    Page pg = {0}, rev = {0};
    for (int k = 0; k < 4; k++)
        add(&pg, 0, 0.05f * k, 'n', 0.85f, 'r', 0.1f, k);
    add(&pg, 0, 0.03f, 'r', 0.45f, 'n', 0.4f, 7);
    add(&pg, 0, 0.04f, 'r', 0.5f, 'n', 0.4f, 8);
    rev.n = pg.n;
    for (int i = 0; i < pg.n; i++) {
        int j = pg.n - 1 - i;
        memcpy(rev.feats + (size_t)j * DIM, pg.feats + (size_t)i * DIM,
               DIM * sizeof(float));
        memcpy(rev.probs + (size_t)j * REC_NCLASSES,
               pg.probs + (size_t)i * REC_NCLASSES,
               REC_NCLASSES * sizeof(float));
        rev.word[j] = pg.word[i];
    }
    CHECK(rec_adapt_page(NULL, pg.feats, DIM, NULL, pg.word, NULL, pg.n,
                         pg.probs, NULL) == 0);
    CHECK(rec_adapt_page(NULL, rev.feats, DIM, NULL, rev.word, NULL, rev.n,
                         rev.probs, NULL) == 0);
    for (int i = 0; i < pg.n; i++)
        for (int c = 0; c < REC_NCLASSES; c++)
            CHECK_NEAR(row(&pg, i)[c], row(&rev, pg.n - 1 - i)[c], 1e-6);
}

/* Glyphs flagged without a reading are left alone and are nobody's
 * neighbour. */
static void rec_adapt_page__glyph_without_reading__ignored(void)
{
    Page pg = {0};
    for (int k = 0; k < 5; k++)
        add(&pg, 0, 0.05f * k, 'e', 0.9f, 0, 0, k);
    int u = add(&pg, 0, 0.02f, 'l', 0.5f, 'e', 0.4f, 9);
    unsigned char ok[MAXG];
    memset(ok, 1, sizeof ok);
    ok[u] = 0;
    Page before = pg;
    CHECK(rec_adapt_page(NULL, pg.feats, DIM, ok, pg.word, NULL, pg.n, pg.probs,
                         NULL) == 0);
    CHECK(memcmp(row(&before, u), row(&pg, u), REC_NCLASSES * sizeof(float)) ==
          0);
    /* with the flag set it would have changed (the first case) */
    ok[u] = 1;
    CHECK(rec_adapt_page(NULL, pg.feats, DIM, ok, pg.word, NULL, pg.n, pg.probs,
                         NULL) == 0);
    CHECK(argmax(row(&pg, u)) == cls('e'));
}

/* More glyphs than any written page (a dot storm's specks): all alike, one
 * unsure, which a page of that size would settle; the rows are left bit for
 * bit, without the n^2 cosines. */
static void rec_adapt_page__more_glyphs_than_a_page__rows_unchanged(void)
{
    int n = REC_ADAPT_MAX_GLYPHS + 1, dim = 4;
    float *f = calloc((size_t)n * dim, sizeof *f);
    float *p = malloc((size_t)n * REC_NCLASSES * sizeof *p);
    float *p0 = malloc((size_t)n * REC_NCLASSES * sizeof *p0);
    int *word = malloc((size_t)n * sizeof *word);
    CHECK(f && p && p0 && word);
    if (f && p && p0 && word) {
        for (int i = 0; i < n; i++) {
            f[(size_t)i * dim] = 1.0f;
            float *r = p + (size_t)i * REC_NCLASSES;
            for (int c = 0; c < REC_NCLASSES; c++)
                r[c] = 0.1f / REC_NCLASSES;
            r[cls(i ? 'e' : 'l')] += i ? 0.9f : 0.5f;
            if (!i)
                r[cls('e')] += 0.4f;
            word[i] = i;
        }
        memcpy(p0, p, (size_t)n * REC_NCLASSES * sizeof *p);
        int changed = -1;
        CHECK(rec_adapt_page(NULL, f, dim, NULL, word, NULL, n, p,
                             &changed) == 0);
        CHECK(changed == 0);
        CHECK(memcmp(p, p0, (size_t)n * REC_NCLASSES * sizeof *p) == 0);
    }
    free(f);
    free(p);
    free(p0);
    free(word);
}

static void rec_adapt_page__bad_arguments__error(void)
{
    float f[DIM] = {0}, p[REC_NCLASSES] = {0};
    CHECK(rec_adapt_page(NULL, f, 0, NULL, NULL, NULL, 1, p, NULL) == -1);
    CHECK(strstr(err_get(), "rec_adapt_page") != NULL);
    CHECK(rec_adapt_page(NULL, f, DIM, NULL, NULL, NULL, -1, p, NULL) == -1);
    CHECK(rec_adapt_page(NULL, f, DIM, NULL, NULL, NULL, 0, p, NULL) == 0);
}

/* Asking for the features changes no probability (fp32 and int8), the
 * features of a glyph are the same alone or in a batch, and int8's are
 * fp32's up to quantisation (one hidden dense layer: the same order). */
static void rec_net_classify_features__with_features__same_probs(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/adapt_feat.model", test_tmpdir());
    RecNet *net0 = rec_net_create(NULL, 42);
    CHECK(net0 != NULL && rec_net_save(net0, path) == 0);
    rec_net_destroy(&net0);
    RecNet *net = rec_net_load(path); /* batch norm folded: int8 can run */
    CHECK(net != NULL);
    if (!net)
        return;
    enum { N = 20 };
    static float in[N * REC_INPUT_SIZE * REC_INPUT_SIZE];
    unsigned s = 99;
    for (size_t j = 0; j < sizeof in / sizeof in[0]; j++) {
        s = s * 1103515245u + 12345u;
        in[j] = (float)((s >> 16) & 255) / 255.0f;
    }
    int dim = rec_net_feature_dim(net);
    CHECK(dim == 128); /* REC_ARCH_DEFAULT: ..., f128, d0.25, f62 */
    static float p0[N * REC_NCLASSES], p1[N * REC_NCLASSES], f[2][N * 128],
        f1[128], p2[REC_NCLASSES];
    RecPrecision precs[2] = {REC_PRECISION_FP32, REC_PRECISION_INT8};
    int ran = 0;
    for (int k = 0; k < 2; k++) {
        CHECK(rec_net_set_precision(net, precs[k]) == 0);
        CHECK(rec_net_precision(net) == precs[k]);
        CHECK(rec_net_classify(net, in, N, REC_CHARSET_ALL, p0) == 0);
        CHECK(rec_net_classify_features(net, in, N, REC_CHARSET_ALL, p1,
                                        f[k]) == 0);
        CHECK(memcmp(p0, p1, sizeof p0) == 0);
        int nonzero = 0;
        for (int j = 0; j < N * dim; j++) {
            CHECK(f[k][j] >= 0.0f); /* after a ReLU */
            nonzero += f[k][j] > 0.0f;
        }
        CHECK(nonzero > 0);
        CHECK(rec_net_classify_features(
                  net, in + 3 * REC_INPUT_SIZE * REC_INPUT_SIZE, 1,
                  REC_CHARSET_ALL, p2, f1) == 0);
        for (int j = 0; j < dim; j++)
            CHECK_NEAR(f1[j], f[k][3 * dim + j], 1e-4 * (1.0 + fabs(f1[j])));
        ran++;
    }
    CHECK(ran == 2);
    for (int g = 0; g < N; g++) {
        double dot = 0.0, a = 0.0, b = 0.0;
        for (int j = 0; j < dim; j++) {
            dot += (double)f[0][g * dim + j] * f[1][g * dim + j];
            a += (double)f[0][g * dim + j] * f[0][g * dim + j];
            b += (double)f[1][g * dim + j] * f[1][g * dim + j];
        }
        CHECK(dot / sqrt(a * b + 1e-30) > 0.95);
    }
    rec_net_destroy(&net);
    remove(path);
}

int main(void)
{
    RUN(rec_adapt_page__unsure_glyph_near_sure_x__reads_x);
    RUN(rec_adapt_page__no_alike_glyphs__rows_unchanged);
    RUN(rec_adapt_page__changed_rows__distributions_charset_kept);
    RUN(rec_adapt_page__digits_and_codes__unchanged);
    RUN(rec_adapt_page__language_model__words_settle_the_letter);
    RUN(rec_adapt_page__same_word_repeated__no_language_model_pull);
    RUN(rec_adapt_page__sure_misread_shape__words_settle_it);
    RUN(rec_adapt_page__pieces_of_cut_blobs__not_settled);
    RUN(rec_adapt_page__small_gains_or_one_word__shape_kept);
    RUN(rec_adapt_page__sure_misread_in_many_words__settled);
    RUN(rec_adapt_page__reversed_page__same_rows);
    RUN(rec_adapt_page__glyph_without_reading__ignored);
    RUN(rec_adapt_page__more_glyphs_than_a_page__rows_unchanged);
    RUN(rec_adapt_page__bad_arguments__error);
    RUN(rec_net_classify_features__with_features__same_probs);
    TEST_EXIT();
}
