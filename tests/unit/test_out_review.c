/* test_out_review.c - the review page writer (out_review.c) and the hOCR
 * reader it is fed from (out_hocr_read.c). */
#include "output/output.h"
#include "common/err.h"
#include "tests/unit/out_fixture.h"
#include "tests/unit/test.h"

#include <stdlib.h>
#include <string.h>

static const char *const LINES[] = {"Name Ada Lovelace", "Amount 1204.50",
                                    "Date 12 M\xc3\xa4r"};
static const int BLOCKS[] = {0, 0, 1};

static char *write_review(const OutReview *rv, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", test_tmpdir(), name);
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return NULL;
    int rc = out_review_write(fp, rv);
    fclose(fp);
    return rc == 0 ? fixture_slurp(path, NULL) : NULL;
}

static void out_hocr_read__written_pages__same_pages_back(void)
{
    const char *img = "dir/a\"b\\c<&>'.png";
    OutPage *p[2] = {fixture_page(img, 0, LINES, BLOCKS, 3),
                     fixture_page("two.tif", 1, LINES, NULL, 2)};
    char path[1024];
    snprintf(path, sizeof path, "%s/rt.hocr", test_tmpdir());
    FILE *fp = fopen(path, "wb");
    CHECK(fp && out_hocr_write(fp, (const OutPage *const *)p, 2) == 0);
    if (fp)
        fclose(fp);
    OutPage **q = NULL;
    int n = 0;
    CHECK(out_hocr_read(path, &q, &n) == 0);
    CHECK(n == 2);
    for (int k = 0; k < n && k < 2; k++) {
        const OutPage *a = p[k], *b = q[k];
        CHECK(strcmp(a->image, b->image) == 0);
        CHECK(a->pageno == b->pageno && a->width == b->width &&
              a->height == b->height && a->dpi == b->dpi);
        CHECK(a->n_lines == b->n_lines && a->n_words == b->n_words &&
              a->n_glyphs == b->n_glyphs);
        for (int i = 0; i < a->n_lines && i < b->n_lines; i++) {
            CHECK(!memcmp(&a->lines[i].box, &b->lines[i].box, sizeof(OutBox)));
            CHECK(a->lines[i].block == b->lines[i].block);
            CHECK(a->lines[i].n_words == b->lines[i].n_words);
            CHECK_NEAR(a->lines[i].x_size, b->lines[i].x_size, 0.05);
        }
        for (int i = 0; i < a->n_glyphs && i < b->n_glyphs; i++) {
            CHECK(a->glyphs[i].codepoint == b->glyphs[i].codepoint);
            CHECK(!memcmp(&a->glyphs[i].box, &b->glyphs[i].box,
                          sizeof(OutBox)));
            CHECK_NEAR(a->glyphs[i].conf, b->glyphs[i].conf, 0.00006);
        }
    }
    for (int k = 0; k < n; k++)
        out_page_destroy(&q[k]);
    free(q);
    out_page_destroy(&p[0]);
    out_page_destroy(&p[1]);
}

static void out_hocr_read__not_hocr_or_broken__error_names_file(void)
{
    char path[1024];
    OutPage **q = NULL;
    int n = 0;
    snprintf(path, sizeof path, "%s/not.hocr", test_tmpdir());
    FILE *fp = fopen(path, "wb");
    fputs("<html><body><p>hello</p></body></html>\n", fp);
    fclose(fp);
    CHECK(out_hocr_read(path, &q, &n) == -1);
    CHECK(strstr(err_get(), "not.hocr") && strstr(err_get(), "no ocr_page"));
    fp = fopen(path, "wb");
    fputs("<div class='ocr_page' title='bbox 0 0 10 10'><span "
          "class='ocrx_word' title='bbox 0 0 5 5'></span></div>\n",
          fp);
    fclose(fp);
    CHECK(out_hocr_read(path, &q, &n) == -1);
    CHECK(strstr(err_get(), "byte") && strstr(err_get(), "ocr_line"));
    CHECK(out_hocr_read("/nonexistent/x.hocr", &q, &n) == -1);
    CHECK(strstr(err_get(), "/nonexistent/x.hocr") != NULL);
}

/* Glyphs 'a' with confidences 0.9 0.2 0.6 and 'b' 0.5; items with
 * confidences 0.3 (to check), 0.95 (fine), 0.1 (to check). */
static OutReview *small_review(void)
{
    OutReview *rv = out_review_create("job <1> & \"x\"", 0.8);
    OutBox b = {10, 10, 20, 20};
    out_review_add_page(rv, "in/p<&>\".png", 0, 100, 50);
    out_review_add_item(rv, "name<i>", "a<b>&\"c'", 0.3, 1, b);
    out_review_add_glyph(rv, 'a', 0.9, b);
    out_review_add_glyph(rv, 'a', 0.2, b);
    out_review_add_glyph(rv, 'b', 0.5, b);
    out_review_add_item(rv, NULL, "aa", 0.95, 0, b);
    out_review_add_glyph(rv, 'a', 0.6, b);
    out_review_add_page(rv, "two.png", 3, 100, 50);
    out_review_add_item(rv, NULL, "zz", 0.1, 1, b);
    return rv;
}

static void out_review_select__caps__least_sure_chosen(void)
{
    OutReview *rv = small_review();
    CHECK(rv && rv->n_pages == 2 && rv->n_items == 3 && rv->n_glyphs == 4);
    CHECK(out_review_select(rv, 1, 2) == 0);
    CHECK(!rv->items[0].listed && !rv->items[1].listed && rv->items[2].listed);
    /* per character the 2 least sure: a 0.2 and 0.6, b 0.5 */
    CHECK(!rv->glyphs[0].grouped && rv->glyphs[1].grouped);
    CHECK(rv->glyphs[2].grouped && rv->glyphs[3].grouped);
    CHECK(out_review_select(rv, -1, -1) == 0);
    CHECK(rv->items[0].listed && !rv->items[1].listed && rv->items[2].listed);
    CHECK(rv->glyphs[0].grouped);
    out_review_destroy(&rv);
    CHECK(rv == NULL);
}

static void out_review_write__inputs__escaped_everywhere(void)
{
    OutReview *rv = small_review();
    out_review_select(rv, -1, -1);
    out_review_set_href(&rv->pages[0].image, "r_files/p 1#?.jpg");
    char *h = write_review(rv, "esc.html");
    CHECK(h != NULL);
    if (h) {
        CHECK(strstr(h, "job &lt;1&gt; &amp; &quot;x&quot;") != NULL);
        CHECK(strstr(h, "in/p&lt;&amp;&gt;&quot;.png") != NULL);
        CHECK(strstr(h, "value=\"a&lt;b&gt;&amp;&quot;c&apos;\"") != NULL);
        CHECK(strstr(h, "name&lt;i&gt;") != NULL);
        CHECK(strstr(h, "<i>") == NULL && strstr(h, "<b>") == NULL);
        CHECK(strstr(h, "p<&>") == NULL && strstr(h, "<1>") == NULL);
        CHECK(strstr(h, "src=\"r_files/p%201%23%3F.jpg\"") != NULL);
        CHECK(strstr(h, "http") == NULL); /* nothing from the network */
    }
    free(h);
    out_review_destroy(&rv);
}

/* The data-conf values of section id in document order. */
static int confs(const char *h, const char *from, const char *to,
                 double *v, int max)
{
    const char *s = strstr(h, from), *e = strstr(h, to);
    int n = 0;
    for (const char *p = s; p && p < e && n < max;
         p = strstr(p + 1, "data-conf=\"")) {
        if (p != s)
            v[n++] = atof(p + 11);
    }
    return n;
}

static void out_review_write__lists__least_sure_first(void)
{
    OutReview *rv = small_review();
    out_review_select(rv, -1, -1);
    char *h = write_review(rv, "order.html");
    CHECK(h != NULL);
    if (h) {
        double v[16];
        int n = confs(h, "id=\"review\"", "id=\"groups\"", v, 16);
        CHECK(n == 2 && v[0] == 0.1 && v[1] == 0.3);
        n = confs(h, "data-char=\"a\"", "data-char=\"b\"", v, 16);
        CHECK(n == 3 && v[0] == 0.2 && v[1] == 0.6 && v[2] == 0.9);
        CHECK(strstr(h, "data-char=\"b\"") > strstr(h, "data-char=\"a\""));
        CHECK(strstr(h, "To check: 2 items") != NULL);
        CHECK(strstr(h, "id=\"page-2\"") != NULL);
        /* a box per item, the ones to check marked */
        int boxes = 0, low = 0;
        for (const char *p = h; (p = strstr(p, "class=\"box")); p++) {
            boxes++;
            low += !strncmp(p, "class=\"box low\"", 15);
        }
        CHECK(boxes == 3 && low == 2);
        /* the place of a listed item links to its box on the page */
        CHECK(strstr(h, "<a href=\"#b3\">two.png p.4</a>") != NULL);
        CHECK(strstr(h, "class=\"box low\" id=\"b3\"") != NULL);
    }
    free(h);
    out_review_destroy(&rv);
}

static void out_review_add__out_of_order_or_bad_size__error(void)
{
    OutReview *rv = out_review_create("t", 0.5);
    OutBox b = {0, 0, 1, 1};
    CHECK(out_review_add_item(rv, NULL, "x", 1, 0, b) == -1);
    CHECK(out_review_add_page(rv, "a.png", 0, 0, 10) == -1);
    CHECK(strstr(err_get(), "a.png") != NULL);
    CHECK(out_review_add_page(rv, "a.png", 0, 10, 10) == 0);
    CHECK(out_review_add_glyph(rv, 'x', 1, b) == -1);
    out_review_destroy(&rv);
}

int main(void)
{
    RUN(out_hocr_read__written_pages__same_pages_back);
    RUN(out_hocr_read__not_hocr_or_broken__error_names_file);
    RUN(out_review_select__caps__least_sure_chosen);
    RUN(out_review_write__inputs__escaped_everywhere);
    RUN(out_review_write__lists__least_sure_first);
    RUN(out_review_add__out_of_order_or_bad_size__error);
    TEST_EXIT();
}
