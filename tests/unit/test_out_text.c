/* test_out_text.c - plain UTF-8 text writer. */
#include "output/output.h"
#include "common/err.h"
#include "tests/unit/out_fixture.h"
#include "tests/unit/test.h"

#include <stdlib.h>
#include <string.h>

/* Render pages to a heap string (caller frees); NULL when the writer
 * failed. */
static char *render(const OutPage *const *pages, int n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    int rc;
    if (!fp)
        return NULL;
    rc = out_text_write(fp, pages, n);
    fclose(fp);
    if (rc < 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void out_text_write__one_block__lines_and_single_spaces(void)
{
    const char *lines[] = {"Name  Ada Lovelace", "Total 12.50"};
    OutPage *p = fixture_page("a.png", 0, lines, NULL, 2);
    const OutPage *pp[] = {p};
    char *s = render(pp, 1);
    CHECK(s != NULL);
    if (s)
        CHECK(strcmp(s, "Name Ada Lovelace\nTotal 12.50\n") == 0);
    free(s);
    out_page_destroy(&p);
}

static void out_text_write__block_change__blank_line_between(void)
{
    const char *lines[] = {"one", "two", "three", "four"};
    const int blocks[] = {0, 0, 1, 4};
    OutPage *p = fixture_page("a.png", 0, lines, blocks, 4);
    const OutPage *pp[] = {p};
    char *s = render(pp, 1);
    CHECK(s != NULL);
    if (s)
        CHECK(strcmp(s, "one\ntwo\n\nthree\n\nfour\n") == 0);
    free(s);
    out_page_destroy(&p);
}

static void out_text_write__three_pages__form_feed_between(void)
{
    const char *l1[] = {"page one"}, *l3[] = {"page three"};
    OutPage *a = fixture_page("m.tif", 0, l1, NULL, 1);
    OutPage *b = fixture_page("m.tif", 1, NULL, NULL, 0); /* empty page */
    OutPage *c = fixture_page("m.tif", 2, l3, NULL, 1);
    const OutPage *pp[] = {a, b, c};
    char *s = render(pp, 3);
    CHECK(s != NULL);
    if (s)
        CHECK(strcmp(s, "page one\n\f\fpage three\n") == 0);
    free(s);
    out_page_destroy(&a);
    out_page_destroy(&b);
    out_page_destroy(&c);
}

static void out_text_write__empty_word__skipped_without_double_space(void)
{
    const char *lines[] = {"ab cd ef"};
    OutPage *p = fixture_page("a.png", 0, lines, NULL, 1);
    const OutPage *pp[] = {p};
    char *s;
    p->words[1].n_glyphs = 0;
    s = render(pp, 1);
    CHECK(s != NULL);
    if (s)
        CHECK(strcmp(s, "ab ef\n") == 0);
    free(s);
    out_page_destroy(&p);
}

static void out_text_write__line_without_glyphs__skipped(void)
{
    const char *lines[] = {"one", "two", "three"};
    const int blocks[] = {0, 1, 1};
    OutPage *p = fixture_page("a.png", 0, lines, blocks, 3);
    const OutPage *pp[] = {p};
    char *s;
    p->words[0].n_glyphs = 0; /* line 0 (block 0) is left empty */
    p->lines[2].n_words = 0;  /* line 2 has no words */
    s = render(pp, 1);
    CHECK(s != NULL);
    if (s)
        CHECK(strcmp(s, "two\n") == 0);
    free(s);
    out_page_destroy(&p);
}

static void out_text_write__unprintable_codepoints__replacement_char(void)
{
    const char *lines[] = {"abcdef"};
    OutPage *p = fixture_page("a.png", 0, lines, NULL, 1);
    const OutPage *pp[] = {p};
    char *s;
    p->glyphs[0].codepoint = '\n';
    p->glyphs[1].codepoint = 0xD800;   /* surrogate */
    p->glyphs[2].codepoint = 0x110000; /* beyond Unicode */
    p->glyphs[3].codepoint = 0xE9;     /* é */
    p->glyphs[4].codepoint = 0x20AC;   /* € */
    p->glyphs[5].codepoint = 0x1F600;  /* 4-byte */
    s = render(pp, 1);
    CHECK(s != NULL);
    if (s)
        CHECK(strcmp(s, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xC3\xA9"
                        "\xE2\x82\xAC\xF0\x9F\x98\x80\n") == 0);
    free(s);
    out_page_destroy(&p);
}

static void out_text_write__bad_range__error_and_nothing_written(void)
{
    const char *lines[] = {"ok", "bad"};
    OutPage *a = fixture_page("good.png", 0, lines, NULL, 2);
    OutPage *b = fixture_page("bad.png", 1, lines, NULL, 2);
    const OutPage *pp[] = {a, b};
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    b->words[1].first_glyph = 1000;
    CHECK(fp && out_text_write(fp, pp, 2) == -1);
    if (fp)
        fclose(fp);
    CHECK(len == 0);
    CHECK(strstr(err_get(), "bad.png page 1: word 1: glyphs") != NULL);
    free(buf);
    out_page_destroy(&a);
    out_page_destroy(&b);
}

static void out_text_write__zero_pages__empty_output(void)
{
    char *s = render(NULL, 0);
    CHECK(s != NULL);
    if (s)
        CHECK(s[0] == '\0');
    free(s);
}

int main(void)
{
    RUN(out_text_write__one_block__lines_and_single_spaces);
    RUN(out_text_write__block_change__blank_line_between);
    RUN(out_text_write__three_pages__form_feed_between);
    RUN(out_text_write__empty_word__skipped_without_double_space);
    RUN(out_text_write__line_without_glyphs__skipped);
    RUN(out_text_write__unprintable_codepoints__replacement_char);
    RUN(out_text_write__bad_range__error_and_nothing_written);
    RUN(out_text_write__zero_pages__empty_output);
    TEST_EXIT();
}
