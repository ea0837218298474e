/* test_out_hocr.c - hOCR 1.2 writer: structure, escaping, well-formedness
 * (checked with xmllint, a test dependency in tools/deps.sh `test`). */
#include "output/output.h"
#include "common/err.h"
#include "tests/unit/out_fixture.h"
#include "tests/unit/test.h"

#include <stdlib.h>
#include <string.h>

static const char *const LINES[] = {"Name Ada Lovelace", "Amount 1204.50",
                                    "Date 12 Mar"};
static const int BLOCKS[] = {0, 0, 1};

/* Write pages to TEST_TMPDIR/name; returns 0 or -1. */
static int write_hocr(const char *name, char *path, size_t n,
                      const OutPage *const *pages, int n_pages)
{
    FILE *fp;
    int rc;
    snprintf(path, n, "%s/%s", test_tmpdir(), name);
    fp = fopen(path, "wb");
    if (!fp)
        return -1;
    rc = out_hocr_write(fp, pages, n_pages);
    if (fclose(fp) != 0)
        rc = -1;
    return rc;
}

static int xmllint_ok(const char *path)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "xmllint --noout --nonet '%s'", path);
    return system(cmd) == 0;
}

/* Evaluate an XPath expression with xmllint; returns heap string (caller
 * frees) of its output, or NULL. */
static char *xpath(const char *path, const char *expr)
{
    char cmd[1600];
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    FILE *pp;
    snprintf(cmd, sizeof cmd, "xmllint --nonet --xpath \"%s\" '%s' 2>&1", expr,
             path);
    pp = popen(cmd, "r");
    if (!pp)
        return NULL;
    do {
        if (n + 1024 >= cap) {
            char *nb = realloc(buf, cap + 4096);
            if (!nb)
                break;
            buf = nb;
            cap += 4096;
        }
        got = fread(buf + n, 1, cap - n - 1, pp);
        n += got;
    } while (got > 0);
    pclose(pp);
    if (buf) {
        buf[n] = '\0';
        if (n > 0 && buf[n - 1] == '\n') /* xmllint ends with a newline */
            buf[n - 1] = '\0';
    }
    return buf;
}

static int count_of(const char *path, const char *expr)
{
    char *s = xpath(path, expr);
    int v = s ? atoi(s) : -1;
    free(s);
    return v;
}

static void out_hocr_write__fixture__well_formed_with_structure(void)
{
    char path[512];
    char *doc;
    OutPage *p = fixture_page("scan.png", 0, LINES, BLOCKS, 3);
    const OutPage *pp[] = {p};
    CHECK(p && write_hocr("s.hocr", path, sizeof path, pp, 1) == 0);
    CHECK(xmllint_ok(path));
    doc = fixture_slurp(path, NULL);
    CHECK(doc != NULL);
    if (doc) {
        CHECK(strncmp(doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 38) == 0);
        CHECK(strstr(doc, "<meta name=\"ocr-system\" content=\"inkpipe ") != NULL);
        CHECK(strstr(doc, "content=\"ocr_page ocr_carea ocr_par ocr_line "
                          "ocrx_word ocrx_cinfo ocrp_wconf x_hand\"") != NULL);
        CHECK(strstr(doc, "title=\"image &quot;scan.png&quot;; bbox 0 0 2480 "
                          "3508; ppageno 0; scan_res 300 300\"") != NULL);
        CHECK(strstr(doc, "id=\"line_1_3\"") != NULL);
        CHECK(strstr(doc, "id=\"word_1_2_2\"") != NULL);
        CHECK(strstr(doc, "baseline 0.0125 -8; x_size 24.5") != NULL);
    }
    CHECK(count_of(path, "count(//*[@class='ocr_page'])") == 1);
    CHECK(count_of(path, "count(//*[@class='ocr_carea'])") == 2);
    CHECK(count_of(path, "count(//*[@class='ocr_par'])") == 2);
    CHECK(count_of(path, "count(//*[@class='ocr_line'])") == 3);
    CHECK(count_of(path, "count(//*[@class='ocrx_word'])") == p->n_words);
    CHECK(count_of(path, "count(//*[@class='ocrx_cinfo'])") == p->n_glyphs);
    CHECK(count_of(path, "count(//*[@class='ocr_carea'][1]//*[@class='ocr_line'])") == 2);
    /* every id is unique */
    CHECK(count_of(path, "count(//*[@id][@id = preceding::*/@id])") == 0);
    free(doc);
    out_page_destroy(&p);
}

static void out_hocr_write__confidences__word_is_product_of_glyphs(void)
{
    char path[512];
    char *s;
    const char *lines[] = {"ab"};
    OutPage *p = fixture_page("c.png", 0, lines, NULL, 1);
    const OutPage *pp[] = {p};
    if (!p) {
        CHECK(p != NULL);
        return;
    }
    p->glyphs[0].conf = 0.9f;
    p->glyphs[1].conf = 0.5f;
    CHECK(write_hocr("c.hocr", path, sizeof path, pp, 1) == 0);
    s = xpath(path, "string(//*[@class='ocrx_cinfo'][1]/@title)");
    CHECK(s && strcmp(s, "x_bboxes 100 100 124 140; x_confs 90") == 0);
    free(s);
    s = xpath(path, "string(//*[@class='ocrx_word']/@title)");
    CHECK(s && strcmp(s, "bbox 100 100 154 140; x_wconf 45") == 0);
    free(s);
    s = xpath(path, "string(//*[@class='ocrx_cinfo'][2]/@title)");
    CHECK(s && strcmp(s, "x_bboxes 130 100 154 140; x_confs 50") == 0);
    free(s);
    /* a softmax rounding excess above 1 is accepted and written as 100 */
    p->glyphs[0].conf = 1.00001f;
    p->glyphs[1].conf = 1.0f;
    CHECK(write_hocr("c1.hocr", path, sizeof path, pp, 1) == 0);
    s = xpath(path, "string(//*[@class='ocrx_word']/@title)");
    CHECK(s && strcmp(s, "bbox 100 100 154 140; x_wconf 100") == 0);
    free(s);
    s = xpath(path, "string(//*[@class='ocrx_cinfo'][1]/@title)");
    CHECK(s && strcmp(s, "x_bboxes 100 100 124 140; x_confs 100") == 0);
    free(s);
    out_page_destroy(&p);
}

static void out_hocr_write__word_kinds__x_hand_and_capability(void)
{
    char path[512];
    char *s;
    const char *lines[] = {"NOM DUPONT"};
    OutPage *p = fixture_page("k.png", 0, lines, NULL, 1);
    const OutPage *pp[] = {p};
    if (!p) {
        CHECK(p != NULL);
        return;
    }
    p->words[0].kind = OUT_WORD_PRINTED;
    p->words[0].printed = 0.97f;
    p->words[1].kind = OUT_WORD_HAND;
    p->words[1].printed = 0.02f;
    CHECK(write_hocr("k.hocr", path, sizeof path, pp, 1) == 0);
    CHECK(xmllint_ok(path));
    s = xpath(path, "string(//*[@class='ocrx_word'][1]/@title)");
    CHECK(s && strstr(s, "; x_hand 0") != NULL);
    free(s);
    s = xpath(path, "string(//*[@class='ocrx_word'][2]/@title)");
    CHECK(s && strstr(s, "; x_hand 1") != NULL);
    free(s);
    s = xpath(path, "string(//*[local-name()='meta'][@name='ocr-capabilities']/@content)");
    CHECK(s && strstr(s, " x_hand") != NULL);
    free(s);
    /* a word nobody classified carries no marking */
    p->words[1].kind = OUT_WORD_UNKNOWN;
    CHECK(write_hocr("k2.hocr", path, sizeof path, pp, 1) == 0);
    s = xpath(path, "string(//*[@class='ocrx_word'][2]/@title)");
    CHECK(s && strstr(s, "x_hand") == NULL);
    free(s);
    out_page_destroy(&p);
}

static void out_hocr_write__hostile_image_name__two_layer_escaping(void)
{
    char path[512];
    char *s;
    /* quotes, markup, backslash, invalid UTF-8 (lone 0xFF, truncated €) */
    const char *name = "dir/a\"b'<c>&d\\e\xff\xe2\x82.png";
    OutPage *p = fixture_page(name, 0, LINES, BLOCKS, 3);
    const OutPage *pp[] = {p};
    CHECK(p && write_hocr("h.hocr", path, sizeof path, pp, 1) == 0);
    CHECK(xmllint_ok(path));
    s = xpath(path, "string(//*[@class='ocr_page']/@title)");
    CHECK(s != NULL);
    if (s)
        CHECK(strncmp(s, "image \"dir/a\\\"b'<c>&d\\\\e\xEF\xBF\xBD\xEF\xBF\xBD"
                         "\xEF\xBF\xBD.png\"; bbox", 40) == 0);
    free(s);
    out_page_destroy(&p);
}

static void out_hocr_write__hostile_glyphs__escaped_and_well_formed(void)
{
    char path[512];
    char *s;
    const char *lines[] = {"abcdefgh"};
    const uint32_t cps[] = {'<', '&', '>', '"', '\'', 0, 0xD800, 0x110000};
    OutPage *p = fixture_page("g.png", 0, lines, NULL, 1);
    const OutPage *pp[] = {p};
    int i;
    if (!p) {
        CHECK(p != NULL);
        return;
    }
    for (i = 0; i < 8; i++)
        p->glyphs[i].codepoint = cps[i];
    CHECK(write_hocr("g.hocr", path, sizeof path, pp, 1) == 0);
    CHECK(xmllint_ok(path));
    s = xpath(path, "string(//*[@class='ocrx_word'])");
    CHECK(s && strcmp(s, "<&>\"'\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD") == 0);
    free(s);
    out_page_destroy(&p);
}

static void out_hocr_write__empty_page__valid_page_without_lines(void)
{
    char path[512];
    OutPage *p = out_page_create("blank.png", 0, 1240, 1754, 0, 0, 0, 0);
    const OutPage *pp[] = {p};
    char *doc;
    CHECK(p && write_hocr("e.hocr", path, sizeof path, pp, 1) == 0);
    CHECK(xmllint_ok(path));
    CHECK(count_of(path, "count(//*[@class='ocr_page'])") == 1);
    CHECK(count_of(path, "count(//*[@class='ocr_line'])") == 0);
    doc = fixture_slurp(path, NULL);
    /* dpi 0 (unknown): no scan_res */
    CHECK(doc && strstr(doc, "bbox 0 0 1240 1754; ppageno 0\"") != NULL);
    free(doc);
    out_page_destroy(&p);
}

static void out_hocr_write__three_pages__ids_and_ppageno(void)
{
    char path[512];
    char *s;
    OutPage *a = fixture_page("m.tif", 0, LINES, BLOCKS, 3);
    OutPage *b = fixture_page("m.tif", 1, LINES, BLOCKS, 2);
    OutPage *c = fixture_page("m.tif", 2, LINES, BLOCKS, 1);
    const OutPage *pp[] = {a, b, c};
    CHECK(a && b && c && write_hocr("m.hocr", path, sizeof path, pp, 3) == 0);
    CHECK(xmllint_ok(path));
    CHECK(count_of(path, "count(//*[@class='ocr_page'])") == 3);
    CHECK(count_of(path, "count(//*[@class='ocr_line'])") == 6);
    CHECK(count_of(path, "count(//*[@id][@id = preceding::*/@id])") == 0);
    s = xpath(path, "string(//*[@id='page_3']/@title)");
    CHECK(s && strstr(s, "ppageno 2") != NULL);
    free(s);
    s = xpath(path, "string(//*[@id='word_2_2_1'])");
    CHECK(s && strcmp(s, "Amount") == 0);
    free(s);
    s = xpath(path, "string(//*[@name='ocr-number-of-pages']/@content)");
    CHECK(s && strcmp(s, "3") == 0);
    free(s);
    out_page_destroy(&a);
    out_page_destroy(&b);
    out_page_destroy(&c);
}

static void out_hocr_write__no_pages_or_bad_page__error(void)
{
    char path[512];
    OutPage *p = fixture_page("x.png", 4, LINES, BLOCKS, 3);
    const OutPage *pp[] = {p};
    CHECK(write_hocr("n.hocr", path, sizeof path, pp, 0) == -1);
    CHECK(strstr(err_get(), "at least one page") != NULL);
    if (p)
        p->lines[0].first_word = -1;
    CHECK(write_hocr("n.hocr", path, sizeof path, pp, 1) == -1);
    CHECK(strstr(err_get(), "x.png page 4: line 0") != NULL);
    out_page_destroy(&p);
}

int main(void)
{
    RUN(out_hocr_write__fixture__well_formed_with_structure);
    RUN(out_hocr_write__confidences__word_is_product_of_glyphs);
    RUN(out_hocr_write__word_kinds__x_hand_and_capability);
    RUN(out_hocr_write__hostile_image_name__two_layer_escaping);
    RUN(out_hocr_write__hostile_glyphs__escaped_and_well_formed);
    RUN(out_hocr_write__empty_page__valid_page_without_lines);
    RUN(out_hocr_write__three_pages__ids_and_ppageno);
    RUN(out_hocr_write__no_pages_or_bad_page__error);
    TEST_EXIT();
}
