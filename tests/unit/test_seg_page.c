/* test_seg_page.c - the SegPage artifact: save/load round trip, and
 * truncated, corrupt, foreign and missing files rejected with the file
 * named (segment/seg_page_io.c); accessors and options. */
#include "common/err.h"
#include "segment/seg_internal.h"
#include "segment/segment.h"
#include "tests/unit/seg_fixture.h"
#include "tests/unit/test.h"

#include <stdlib.h>
#include <string.h>

static SegPage *sample_page(void)
{
    FxPen pen = fx_pen(30);
    PIX *pix = pixCreate(700, 300, 1);
    fx_text(pix, "nix Hol", 40, 100, &pen, 0);
    fx_text(pix, "pov lox in", 40, 220, &pen, 0);
    SegPage *page = seg_page_segment(pix, 300, NULL);
    if (!page)
        printf("  seg_page_segment: %s\n", err_get());
    pixDestroy(&pix);
    return page;
}

static void tmp_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", test_tmpdir(), name);
}

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

/* Rewrite path keeping its first n bytes, optionally flipping byte at
 * flip (-1 = none). */
static int rewrite(const char *path, long n, long flip)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    unsigned char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    if ((long)got != n) {
        free(buf);
        return -1;
    }
    if (flip >= 0 && flip < n)
        buf[flip] ^= 0x5a;
    f = fopen(path, "wb");
    fwrite(buf, 1, (size_t)n, f);
    fclose(f);
    free(buf);
    return 0;
}

static int pages_equal(const SegPage *a, const SegPage *b)
{
    int w1, h1, w2, h2, n1, n2;
    seg_page_get_size(a, &w1, &h1);
    seg_page_get_size(b, &w2, &h2);
    if (w1 != w2 || h1 != h2 || seg_page_get_dpi(a) != seg_page_get_dpi(b))
        return 0;
    const SegLine *l1 = seg_page_get_lines(a, &n1), *l2 = seg_page_get_lines(b, &n2);
    if (n1 != n2 || (n1 && memcmp(l1, l2, (size_t)n1 * sizeof *l1) != 0))
        return 0;
    const SegWord *w_1 = seg_page_get_words(a, &n1), *w_2 = seg_page_get_words(b, &n2);
    if (n1 != n2 || (n1 && memcmp(w_1, w_2, (size_t)n1 * sizeof *w_1) != 0))
        return 0;
    const SegGlyph *g1 = seg_page_get_glyphs(a, &n1), *g2 = seg_page_get_glyphs(b, &n2);
    if (n1 != n2 || (n1 && memcmp(g1, g2, (size_t)n1 * sizeof *g1) != 0))
        return 0;
    for (int i = 0; i < n1; i++)
        if (memcmp(seg_page_get_glyph_mask(a, i), seg_page_get_glyph_mask(b, i),
                   (size_t)g1[i].box.w * g1[i].box.h) != 0)
            return 0;
    if (memcmp(seg_page_get_stats(a), seg_page_get_stats(b), sizeof(SegStats)))
        return 0;
    return 1;
}

static void seg_page_save__round_trip__identical_page(void)
{
    char path[512];
    tmp_path(path, sizeof path, "page.seg");
    SegPage *page = sample_page();
    CHECK(page != NULL);
    if (!page)
        return;
    int ng;
    seg_page_get_glyphs(page, &ng);
    CHECK(ng == 14); /* "nix Hol" + "pov lox in" */
    CHECK(seg_page_save(page, path) == 0);
    SegPage *back = seg_page_load(path);
    if (!back)
        printf("  load: %s\n", err_get());
    CHECK(back != NULL);
    if (back)
        CHECK(pages_equal(page, back));
    /* saving the loaded page gives the same bytes */
    char path2[512];
    tmp_path(path2, sizeof path2, "page2.seg");
    if (back) {
        CHECK(seg_page_save(back, path2) == 0);
        CHECK(file_size(path) == file_size(path2));
    }
    seg_page_destroy(&back);
    seg_page_destroy(&page);
    CHECK(page == NULL);
    seg_page_destroy(&page); /* NULL is a no-op */
    seg_page_destroy(NULL);
}

/* The masks are packed row by row, first pixel in the top bit, each
 * glyph from a byte boundary, any non-zero byte ink; they load as 0/1. */
static void seg_page_save__any_mask_bytes__packed_msb_first(void)
{
    char path[512];
    tmp_path(path, sizeof path, "masks.seg");
    SegPage *page = sample_page();
    CHECK(page != NULL);
    if (!page)
        return;
    unsigned s = 9;
    size_t packed = 0;
    for (size_t i = 0; i < page->mask_bytes; i++) {
        s = s * 1103515245u + 12345u;
        unsigned v = (s >> 16) & 0xff;
        page->mask_data[i] = (unsigned char)(v < 128 ? 0 : v); /* 0, 128-255 */
    }
    for (int i = 0; i < page->n_glyphs; i++)
        packed += ((size_t)page->glyphs[i].box.w * page->glyphs[i].box.h +
                   7) / 8;
    unsigned char *want = calloc(packed + 1, 1), *got = NULL;
    size_t at = 0;
    for (int i = 0; i < page->n_glyphs; i++) {
        size_t n = (size_t)page->glyphs[i].box.w * page->glyphs[i].box.h;
        const unsigned char *m = page->mask_data + page->mask_off[i];
        for (size_t k = 0; k < n; k++)
            if (m[k])
                want[at + k / 8] |= (unsigned char)(0x80u >> (k % 8));
        at += (n + 7) / 8;
    }
    CHECK(seg_page_save(page, path) == 0);
    long len = file_size(path);
    FILE *f = fopen(path, "rb");
    if (f && len > (long)packed + 4) {
        got = malloc(packed + 1);
        fseek(f, len - 4 - (long)packed, SEEK_SET);
        CHECK(fread(got, 1, packed, f) == packed);
    }
    if (f)
        fclose(f);
    CHECK(got && !memcmp(got, want, packed));
    SegPage *back = seg_page_load(path);
    int same = back != NULL;
    for (size_t i = 0; back && i < page->mask_bytes; i++)
        same &= back->mask_data[i] == (page->mask_data[i] != 0);
    CHECK(same);
    free(want);
    free(got);
    seg_page_destroy(&back);
    seg_page_destroy(&page);
}

static void seg_page_save__blank_page__round_trip(void)
{
    char path[512];
    tmp_path(path, sizeof path, "blank.seg");
    PIX *pix = pixCreate(320, 200, 1);
    SegPage *page = seg_page_segment(pix, 150, NULL);
    CHECK(page != NULL);
    CHECK(page && seg_page_save(page, path) == 0);
    SegPage *back = seg_page_load(path);
    CHECK(back != NULL);
    if (back && page) {
        CHECK(pages_equal(page, back));
        int w, h;
        seg_page_get_size(back, &w, &h);
        CHECK(w == 320 && h == 200);
    }
    seg_page_destroy(&back);
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static void seg_page_load__truncated_file__rejected_with_name(void)
{
    char path[512];
    tmp_path(path, sizeof path, "trunc.seg");
    SegPage *page = sample_page();
    CHECK(page && seg_page_save(page, path) == 0);
    long n = file_size(path);
    CHECK(n > 100);
    /* every cut: inside the header, the records, the masks, the CRC */
    long cuts[5] = {0, 10, 60, n / 2, n - 1};
    for (int i = 0; i < 5; i++) {
        CHECK(page && seg_page_save(page, path) == 0);
        CHECK(rewrite(path, cuts[i], -1) == 0);
        err_clear();
        SegPage *back = seg_page_load(path);
        CHECK(back == NULL);
        CHECK(strstr(err_get(), path) != NULL);
        CHECK(strstr(err_get(), "truncated") != NULL);
        seg_page_destroy(&back);
    }
    seg_page_destroy(&page);
}

static void seg_page_load__cut_inside_a_field__message_names_field(void)
{
    char path[512];
    tmp_path(path, sizeof path, "cutfield.seg");
    SegPage *page = sample_page();
    /* magic 0-3, version 4-7, width 8-11, ..., then the records at 68 */
    static const struct {
        long cut;
        const char *field;
    } cuts[] = {{2, "magic"}, {10, "width"}, {30, "glyph count"},
                {70, "lines, words, glyphs, masks and CRC"}};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        CHECK(page && seg_page_save(page, path) == 0);
        CHECK(rewrite(path, cuts[i].cut, -1) == 0);
        err_clear();
        SegPage *back = seg_page_load(path);
        CHECK(back == NULL);
        CHECK(strstr(err_get(), path) != NULL);
        CHECK(strstr(err_get(), "truncated segment file") != NULL);
        CHECK(strstr(err_get(), cuts[i].field) != NULL);
        seg_page_destroy(&back);
    }
    seg_page_destroy(&page);
}

static void seg_page_load__corrupt_byte__rejected(void)
{
    char path[512];
    tmp_path(path, sizeof path, "corrupt.seg");
    SegPage *page = sample_page();
    CHECK(page && seg_page_save(page, path) == 0);
    long n = file_size(path);
    long flips[4] = {5, 100, n / 2, n - 10};
    for (int i = 0; i < 4; i++) {
        CHECK(page && seg_page_save(page, path) == 0);
        CHECK(rewrite(path, n, flips[i]) == 0);
        err_clear();
        SegPage *back = seg_page_load(path);
        CHECK(back == NULL);
        CHECK(strstr(err_get(), path) != NULL);
        seg_page_destroy(&back);
    }
    seg_page_destroy(&page);
}

static void seg_page_load__foreign_and_missing__rejected(void)
{
    char path[512];
    tmp_path(path, sizeof path, "foreign.seg");
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        for (int i = 0; i < 200; i++)
            fputc("PNG not a segment file "[i % 23], f);
        fclose(f);
    }
    err_clear();
    CHECK(seg_page_load(path) == NULL);
    CHECK(strstr(err_get(), "magic") != NULL);
    CHECK(strstr(err_get(), path) != NULL);
    tmp_path(path, sizeof path, "missing.seg");
    err_clear();
    CHECK(seg_page_load(path) == NULL);
    CHECK(strstr(err_get(), path) != NULL);
    CHECK(seg_page_save(NULL, path) == -1);
}

static void seg_page_load__newer_version__rejected(void)
{
    char path[512];
    tmp_path(path, sizeof path, "version.seg");
    SegPage *page = sample_page();
    CHECK(page && seg_page_save(page, path) == 0);
    long n = file_size(path);
    CHECK(rewrite(path, n, 4) == 0); /* version field's low byte */
    err_clear();
    CHECK(seg_page_load(path) == NULL);
    CHECK(strstr(err_get(), "version") != NULL);
    seg_page_destroy(&page);
}

static void seg_page_save__unwritable_path__error(void)
{
    SegPage *page = sample_page();
    err_clear();
    CHECK(seg_page_save(page, "/nonexistent-dir/x.seg") == -1);
    CHECK(strstr(err_get(), "/nonexistent-dir/x.seg") != NULL);
    seg_page_destroy(&page);
}

static void seg_page_get__indices__consistent(void)
{
    SegPage *page = sample_page();
    CHECK(page != NULL);
    if (!page)
        return;
    int nl, nw, ng;
    const SegLine *l = seg_page_get_lines(page, &nl);
    const SegWord *w = seg_page_get_words(page, &nw);
    const SegGlyph *g = seg_page_get_glyphs(page, &ng);
    CHECK(nl == 2 && nw == 5 && ng == 14);
    int wexp = 0;
    for (int i = 0; i < nl; i++) {
        CHECK(l[i].first_word == wexp);
        wexp += l[i].n_words;
        for (int k = l[i].first_word; k < l[i].first_word + l[i].n_words; k++)
            for (int j = w[k].first_glyph; j < w[k].first_glyph + w[k].n_glyphs;
                 j++)
                CHECK(g[j].line == i && g[j].word == k);
    }
    CHECK(wexp == nw);
    /* glyphs in reading order: x grows within a word */
    for (int k = 0; k < nw; k++)
        for (int j = w[k].first_glyph + 1; j < w[k].first_glyph + w[k].n_glyphs;
             j++)
            CHECK(g[j].box.x >= g[j - 1].box.x);
    seg_page_destroy(&page);
    CHECK(seg_page_get_lines(NULL, &nl) == NULL && nl == 0);
    CHECK(seg_page_get_dpi(NULL) == 0);
}

static void seg_options_init__defaults__documented_values(void)
{
    SegOptions opt;
    memset(&opt, 0x7f, sizeof opt);
    seg_options_init(&opt);
    CHECK(opt.min_speck_area == 0);
    CHECK(opt.remove_furniture == 1);
    CHECK(opt.split_touching == 1);
    CHECK(opt.word_gap == 0.0f);
    CHECK(opt.score == NULL && opt.score_ctx == NULL);
}

static void seg_page_segment__bad_options__error(void)
{
    PIX *pix = pixCreate(100, 100, 1);
    SegOptions opt;
    seg_options_init(&opt);
    opt.word_gap = -1;
    err_clear();
    CHECK(seg_page_segment(pix, 300, &opt) == NULL);
    CHECK(strstr(err_get(), "word_gap") != NULL);
    err_clear();
    CHECK(seg_page_segment(pix, -5, NULL) == NULL);
    CHECK(strstr(err_get(), "dpi") != NULL);
    CHECK(seg_page_segment(NULL, 300, NULL) == NULL);
    pixDestroy(&pix);
}

int main(void)
{
    RUN(seg_page_save__round_trip__identical_page);
    RUN(seg_page_save__any_mask_bytes__packed_msb_first);
    RUN(seg_page_save__blank_page__round_trip);
    RUN(seg_page_load__truncated_file__rejected_with_name);
    RUN(seg_page_load__cut_inside_a_field__message_names_field);
    RUN(seg_page_load__corrupt_byte__rejected);
    RUN(seg_page_load__foreign_and_missing__rejected);
    RUN(seg_page_load__newer_version__rejected);
    RUN(seg_page_save__unwritable_path__error);
    RUN(seg_page_get__indices__consistent);
    RUN(seg_options_init__defaults__documented_values);
    RUN(seg_page_segment__bad_options__error);
    TEST_EXIT();
}
