/*
 * test_rec_lm.c - character n-gram model (build, save, load refusals,
 * scoring), lexicon loading and the per-line decoder on crafted
 * posteriors.
 *
 * Fixtures: a model built in code from a small text; posteriors written
 * by hand ("a:.5 e:.5"), the rest of the mass spread thin.
 */
#include "recognize/rec_lm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "test.h"

#define MAXG 32

static const char corpus[] =
    "the cat sat on the mat the hat the that there then these theme "
    "other mother father brother weather feather leather thin think "
    "thomas anne marie pierre louis jean paul martin bernard "
    "hello help held helmet yellow fellow mellow gip gips";

static RecLm *small_lm(void)
{
    RecLm *lm = rec_lm_create_from_text(corpus, strlen(corpus), 4);
    CHECK(lm != NULL);
    return lm;
}

/* Posterior of one glyph: "c:p c:p ..." by character, the rest of the
 * mass spread over every other class. */
static void post(float *p, const char *spec)
{
    float used = 0;
    int nset = 0;
    for (int c = 0; c < REC_NCLASSES; c++)
        p[c] = -1;
    for (const char *s = spec; *s;) {
        int c = rec_class_of_char(s[0]);
        float v = strtof(s + 2, NULL);
        p[c] = v;
        used += v;
        nset++;
        s = strchr(s, ' ');
        if (!s)
            break;
        s++;
    }
    for (int c = 0; c < REC_NCLASSES; c++)
        if (p[c] < 0)
            p[c] = (1 - used) / (float)(REC_NCLASSES - nset);
}

static char *tmpfile_with(const char *name, const void *d, size_t n)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/test_rec_lm_%s", test_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    fwrite(d, 1, n, f);
    fclose(f);
    return path;
}

static unsigned char *slurp(const char *path, size_t *pn)
{
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *d = malloc((size_t)n);
    *pn = fread(d, 1, (size_t)n, f);
    fclose(f);
    return d;
}

static void rec_lm_load__saved__same_scores(void)
{
    RecLm *lm = small_lm(), *back;
    char path[512];
    snprintf(path, sizeof path, "%s/test_rec_lm.lm", test_tmpdir());
    CHECK(rec_lm_save(lm, path) == 0);
    back = rec_lm_load(path);
    CHECK(back != NULL);
    CHECK(rec_lm_order(back) == 4);
    CHECK_NEAR(rec_lm_score_text(lm, "the weather"),
               rec_lm_score_text(back, "the weather"), 1e-6);
    rec_lm_destroy(&lm);
    rec_lm_destroy(&back);
    CHECK(back == NULL);
    rec_lm_destroy(&back); /* NULL is a no-op */
}

static void rec_lm_load__bad_files__refused_named(void)
{
    RecLm *lm = small_lm();
    char path[512];
    size_t n;
    snprintf(path, sizeof path, "%s/test_rec_lm_ok.lm", test_tmpdir());
    CHECK(rec_lm_save(lm, path) == 0);
    rec_lm_destroy(&lm);
    unsigned char *d = slurp(path, &n);

    const char *p = tmpfile_with("magic.lm", "not a model at all.....", 23);
    CHECK(rec_lm_load(p) == NULL);
    CHECK(strstr(err_get(), p) && strstr(err_get(), "magic"));

    p = tmpfile_with("short.lm", d, n - 100);
    CHECK(rec_lm_load(p) == NULL);
    CHECK(strstr(err_get(), p) && strstr(err_get(), "truncated"));

    d[1000] ^= 1;
    p = tmpfile_with("crc.lm", d, n);
    CHECK(rec_lm_load(p) == NULL);
    CHECK(strstr(err_get(), p) && strstr(err_get(), "CRC"));
    d[1000] ^= 1;

    d[4] = 9; /* version */
    p = tmpfile_with("version.lm", d, n);
    CHECK(rec_lm_load(p) == NULL);
    CHECK(strstr(err_get(), p) && strstr(err_get(), "version 9"));
    free(d);

    CHECK(rec_lm_load("/nonexistent/x.lm") == NULL);
    CHECK(strstr(err_get(), "/nonexistent/x.lm") != NULL);
}

static void rec_lm_score_text__words_vs_junk__words_likelier(void)
{
    RecLm *lm = small_lm();
    CHECK(rec_lm_score_text(lm, "the weather") >
          rec_lm_score_text(lm, "tge wecther") + 3);
    CHECK(rec_lm_score_text(lm, "mother") > rec_lm_score_text(lm, "mlstiz"));
    /* case-folded: case does not change the score */
    CHECK_NEAR(rec_lm_score_text(lm, "Mother"),
               rec_lm_score_text(lm, "mOTHER"), 1e-6);
    CHECK(rec_lm_score_text(lm, "") == 0);
    rec_lm_destroy(&lm);
}

static void rec_lm_create_from_text__bad_order__error(void)
{
    CHECK(rec_lm_create_from_text("a", 1, 1) == NULL);
    CHECK(strstr(err_get(), "order") != NULL);
    CHECK(rec_lm_create_from_text("a", 1, 6) == NULL);
}

/* Decode one word given as per-glyph specs; result as a string. */
static void decode(const RecLm *lm, const RecLexicon *lex, const char **g,
                   int n, char *out, float *conf)
{
    float q[MAXG * REC_NCLASSES] = {0};
    int word[MAXG] = {0}, cls[MAXG];
    float cf[MAXG];
    for (int i = 0; i < n; i++) {
        post(q + i * REC_NCLASSES, g[i]);
        word[i] = 0;
    }
    CHECK(rec_lm_decode_line(lm, lex, NULL, q, word, n, cls, cf) == 0);
    for (int i = 0; i < n; i++)
        out[i] = rec_class_chars[cls[i]];
    out[n] = '\0';
    if (conf)
        memcpy(conf, cf, (size_t)n * sizeof *cf);
}

static void rec_lm_decode_line__ambiguous_glyph__resolved_by_lm(void)
{
    RecLm *lm = small_lm();
    /* "moth?r": the fifth glyph is 'c' by a hair, 'e' close behind */
    const char *g[] = {"m:.9", "o:.9", "t:.9", "h:.9", "c:.48 e:.42", "r:.9"};
    char out[MAXG];
    decode(NULL, NULL, g, 6, out, NULL);
    CHECK(!strcmp(out, "mothcr")); /* without the model: argmax */
    decode(lm, NULL, g, 6, out, NULL);
    CHECK(!strcmp(out, "mother"));
    rec_lm_destroy(&lm);
}

static void rec_lm_decode_line__confident_glyph__kept(void)
{
    RecLm *lm = small_lm();
    /* the glyph is clearly 'x': the model must not overrule it */
    const char *g[] = {"m:.9", "o:.9", "t:.9", "h:.9", "x:.97", "r:.9"};
    char out[MAXG];
    decode(lm, NULL, g, 6, out, NULL);
    CHECK(!strcmp(out, "mothxr"));
    rec_lm_destroy(&lm);
}

static void rec_lm_decode_line__code_and_date__untouched(void)
{
    RecLm *lm = small_lm();
    /* an id with letters and digits, some digits only just digits */
    const char *g[] = {"G:.9", "Q:.8", "2:.55 Z:.4", "6:.9", "7:.9",
                       "3:.9", "8:.5 B:.45", "8:.9"};
    const char *d[] = {"0:.6 O:.35", "1:.6 l:.35", "0:.9", "5:.55 S:.4"};
    char out[MAXG];
    decode(lm, NULL, g, 8, out, NULL);
    CHECK(!strcmp(out, "GQ267388"));
    decode(lm, NULL, d, 4, out, NULL);
    CHECK(!strcmp(out, "0105"));
    /* a short capitals-only code: 'B' is doubtful, "GIP" is likelier text */
    const char *c[] = {"G:.9", "B:.45 I:.4", "P:.9"};
    decode(lm, NULL, c, 3, out, NULL);
    CHECK(!strcmp(out, "GBP"));
    rec_lm_destroy(&lm);
}

static void rec_lm_decode_line__case__from_posterior(void)
{
    RecLm *lm = small_lm();
    /* upper case as the geometry said: the model picks letters only */
    const char *g[] = {"T:.9", "H:.9", "C:.5 E:.4", "M:.9"};
    char out[MAXG];
    decode(lm, NULL, g, 4, out, NULL);
    CHECK(!strcmp(out, "THEM"));
    rec_lm_destroy(&lm);
}

static void rec_lexicon__near_entry__snapped_far__kept(void)
{
    const char lx[] = "name\tcount\nTHOMAS\t438\nLEA\t393\nJEAN-PAUL\t3\n";
    const char *p = tmpfile_with("lex.tsv", lx, sizeof lx - 1);
    RecLexicon *lex = rec_lexicon_load(p);
    CHECK(lex != NULL);
    CHECK(rec_lexicon_size(lex) == 2); /* the hyphenated one is skipped */
    /* THOMAS with a poor 'O' (read as 'D') */
    const char *g[] = {"T:.9", "H:.9", "D:.7 O:.2", "M:.9", "A:.9", "S:.9"};
    /* a different word of the same length: far from THOMAS */
    const char *f[] = {"B:.9", "E:.9", "R:.9", "N:.9", "A:.9", "D:.9"};
    char out[MAXG];
    decode(NULL, NULL, g, 6, out, NULL);
    CHECK(!strcmp(out, "THDMAS"));
    decode(NULL, lex, g, 6, out, NULL);
    CHECK(!strcmp(out, "THOMAS"));
    decode(NULL, lex, f, 6, out, NULL);
    CHECK(!strcmp(out, "BERNAD"));
    rec_lexicon_destroy(&lex);
    CHECK(lex == NULL);
}

static void rec_lexicon_load__bad_count__error_names_line(void)
{
    const char lx[] = "THOMAS\t438\nLEA\tmany\n";
    const char *p = tmpfile_with("badlex.tsv", lx, sizeof lx - 1);
    CHECK(rec_lexicon_load(p) == NULL);
    CHECK(strstr(err_get(), p) && strstr(err_get(), ":2:"));
    CHECK(rec_lexicon_load("/nonexistent/lex.tsv") == NULL);
    CHECK(strstr(err_get(), "/nonexistent/lex.tsv") != NULL);
}

static void rec_lm_calibrate__identity_and_monotone(void)
{
    RecLmOptions o;
    rec_lm_options_init(&o);
    o.temp = 1;
    o.bias = 0;
    CHECK_NEAR(rec_lm_calibrate(&o, 0.8f), 0.8f, 1e-5);
    o.temp = 2;
    CHECK(rec_lm_calibrate(&o, 0.99f) < 0.99f);
    CHECK(rec_lm_calibrate(&o, 0.9f) < rec_lm_calibrate(&o, 0.99f));
    CHECK_NEAR(rec_lm_calibrate(&o, 0.5f), 0.5f, 1e-5);
}

int main(void)
{
    RUN(rec_lm_load__saved__same_scores);
    RUN(rec_lm_load__bad_files__refused_named);
    RUN(rec_lm_score_text__words_vs_junk__words_likelier);
    RUN(rec_lm_create_from_text__bad_order__error);
    RUN(rec_lm_decode_line__ambiguous_glyph__resolved_by_lm);
    RUN(rec_lm_decode_line__confident_glyph__kept);
    RUN(rec_lm_decode_line__code_and_date__untouched);
    RUN(rec_lm_decode_line__case__from_posterior);
    RUN(rec_lexicon__near_entry__snapped_far__kept);
    RUN(rec_lexicon_load__bad_count__error_names_line);
    RUN(rec_lm_calibrate__identity_and_monotone);
    TEST_EXIT();
}
