/* test_out_page.c - OutPage create/destroy/check and artifact save/load. */
#include "output/output.h"

#include <leptonica/allheaders.h>
#include "common/err.h"
#include "tests/unit/out_fixture.h"
#include "tests/unit/test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static const char *const LINES[] = {"Name: Ada Lovelace", "Amount 1204.50",
                                    "Date 12 Mar 2024"};
static const int BLOCKS[] = {0, 0, 1};

static void tmp_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", test_tmpdir(), name);
}

static int write_bytes(const char *path, const void *buf, size_t n)
{
    FILE *fp = fopen(path, "wb");
    int ok;
    if (!fp)
        return -1;
    ok = fwrite(buf, 1, n, fp) == n;
    return (fclose(fp) == 0 && ok) ? 0 : -1;
}

static int pages_equal(const OutPage *a, const OutPage *b)
{
    return strcmp(a->image, b->image) == 0 && a->pageno == b->pageno &&
           a->width == b->width && a->height == b->height &&
           a->dpi == b->dpi && a->n_lines == b->n_lines &&
           a->n_words == b->n_words && a->n_glyphs == b->n_glyphs &&
           memcmp(a->lines, b->lines, sizeof *a->lines * (size_t)a->n_lines) == 0 &&
           memcmp(a->words, b->words, sizeof *a->words * (size_t)a->n_words) == 0 &&
           memcmp(a->glyphs, b->glyphs,
                  sizeof *a->glyphs * (size_t)a->n_glyphs) == 0;
}

static void out_page_create__negative_count__null_with_message(void)
{
    OutPage *p = out_page_create("a.png", 0, 10, 10, 300, -1, 0, 0);
    CHECK(p == NULL);
    CHECK(strstr(err_get(), "bad size") != NULL);
}

static void out_page_create__counts__zeroed_arrays(void)
{
    OutPage *p = out_page_create(NULL, 2, 100, 50, 0, 2, 3, 4);
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK(strcmp(p->image, "") == 0);
    CHECK(p->pageno == 2 && p->n_lines == 2 && p->n_words == 3 &&
          p->n_glyphs == 4);
    CHECK(p->lines[1].n_words == 0 && p->words[2].n_glyphs == 0 &&
          p->glyphs[3].codepoint == 0);
    CHECK(out_page_check(p) == 0);
    out_page_destroy(&p);
    CHECK(p == NULL);
    out_page_destroy(&p); /* NULL is a no-op */
    out_page_destroy(NULL);
}

static void out_page_check__word_range_past_end__error_names_line(void)
{
    OutPage *p = fixture_page("scan.tif", 1, LINES, BLOCKS, 3);
    CHECK(p != NULL);
    if (!p)
        return;
    p->lines[2].n_words = 99;
    CHECK(out_page_check(p) == -1);
    CHECK(strstr(err_get(), "scan.tif page 1: line 2: words") != NULL);
    out_page_destroy(&p);
}

static void out_page_check__nan_confidence__error_names_glyph(void)
{
    OutPage *p = fixture_page("scan.tif", 0, LINES, BLOCKS, 3);
    CHECK(p != NULL);
    if (!p)
        return;
    p->glyphs[5].conf = nanf("");
    CHECK(out_page_check(p) == -1);
    CHECK(strstr(err_get(), "glyph 5") != NULL);
    p->glyphs[5].conf = 1.5f;
    CHECK(out_page_check(p) == -1);
    p->glyphs[5].conf = 1.0f;
    p->glyphs[5].box.x1 = p->glyphs[5].box.x0 - 1;
    CHECK(out_page_check(p) == -1);
    CHECK(strstr(err_get(), "bad box") != NULL);
    out_page_destroy(&p);
}

static void out_page_save_load__fixture__round_trip_identical(void)
{
    char path[512];
    OutPage *p = fixture_page("in/we\"ird <&>\xff.png", 3, LINES, BLOCKS, 3);
    OutPage *q;
    CHECK(p != NULL);
    if (!p)
        return;
    p->lines[1].baseline_slope = -0.031f;
    p->glyphs[0].codepoint = 0x1F600;
    tmp_path(path, sizeof path, "page.art");
    CHECK(out_page_save(p, path) == 0);
    q = out_page_load(path);
    CHECK(q != NULL);
    if (q)
        CHECK(pages_equal(p, q));
    out_page_destroy(&p);
    out_page_destroy(&q);
}

static void out_page_save_load__empty_page__round_trip(void)
{
    char path[512];
    OutPage *p = out_page_create("blank.png", 0, 1240, 1754, 150, 0, 0, 0);
    OutPage *q;
    tmp_path(path, sizeof path, "blank.art");
    CHECK(p && out_page_save(p, path) == 0);
    q = out_page_load(path);
    CHECK(q != NULL);
    if (p && q)
        CHECK(pages_equal(p, q));
    out_page_destroy(&p);
    out_page_destroy(&q);
}

/* Save a fixture and return its bytes (caller frees). */
static unsigned char *saved_fixture(const char *path, size_t *pn)
{
    OutPage *p = fixture_page("scan.png", 0, LINES, BLOCKS, 3);
    char *buf = NULL;
    if (p && out_page_save(p, path) == 0)
        buf = fixture_slurp(path, pn);
    out_page_destroy(&p);
    return (unsigned char *)buf;
}

static void out_page_load__every_truncation__rejected_naming_file(void)
{
    char path[512], cut[512];
    size_t n = 0, len;
    unsigned char *buf;
    int bad = 0;
    OutPage *q;

    tmp_path(path, sizeof path, "full.art");
    tmp_path(cut, sizeof cut, "cut.art");
    buf = saved_fixture(path, &n);
    CHECK(buf != NULL && n > 48);
    if (!buf)
        return;
    for (len = 0; len < n; len++) {
        CHECK(write_bytes(cut, buf, len) == 0);
        q = out_page_load(cut);
        if (q || !strstr(err_get(), cut))
            bad++;
        if (len >= 48 && !strstr(err_get(), "truncated"))
            bad++;
        out_page_destroy(&q);
    }
    CHECK(bad == 0);
    free(buf);
}

static void out_page_load__flipped_byte__checksum_error(void)
{
    char path[512];
    size_t n = 0;
    unsigned char *buf;
    OutPage *q;

    tmp_path(path, sizeof path, "flip.art");
    buf = saved_fixture(path, &n);
    if (!buf) {
        CHECK(buf != NULL);
        return;
    }
    buf[n - 30] ^= 0x10;
    CHECK(write_bytes(path, buf, n) == 0);
    q = out_page_load(path);
    CHECK(q == NULL);
    CHECK(strstr(err_get(), "checksum") != NULL);
    CHECK(strstr(err_get(), path) != NULL);
    out_page_destroy(&q);
    free(buf);
}

static void out_page_save_load__word_kinds__round_trip_and_flag(void)
{
    char path[512];
    OutPage *p = fixture_page("scan.png", 0, LINES, BLOCKS, 3);
    CHECK(p != NULL);
    if (!p)
        return;
    tmp_path(path, sizeof path, "kinds.art");
    CHECK(out_page_save(p, path) == 0);
    size_t n0 = 0, n1 = 0;
    char *b0 = fixture_slurp(path, &n0);
    CHECK(b0 && b0[12] == 0); /* no kinds: flags 0, the old layout */
    for (int i = 0; i < p->n_words; i++) {
        p->words[i].kind = i % 2 ? OUT_WORD_PRINTED : OUT_WORD_HAND;
        p->words[i].printed = i % 2 ? 0.75f : 0.125f;
    }
    CHECK(out_page_save(p, path) == 0);
    char *b1 = fixture_slurp(path, &n1);
    CHECK(b1 && b1[12] == 1 && n1 == n0 + 8 * (size_t)p->n_words);
    OutPage *q = out_page_load(path);
    CHECK(q != NULL);
    for (int i = 0; q && i < q->n_words; i++) {
        CHECK(q->words[i].kind == p->words[i].kind);
        CHECK(q->words[i].printed == p->words[i].printed);
    }
    out_page_destroy(&q);
    if (b1) {
        b1[12] = 3; /* an unknown flag bit */
        CHECK(write_bytes(path, b1, n1) == 0);
        CHECK(out_page_load(path) == NULL);
        CHECK(strstr(err_get(), "unknown flags 0x3") != NULL);
    }
    p->words[0].printed = 1.5f;
    CHECK(out_page_check(p) == -1);
    CHECK(strstr(err_get(), "word 0: bad kind") != NULL);
    free(b0);
    free(b1);
    out_page_destroy(&p);
}

static void out_page_load__bad_magic_version_trailing__rejected(void)
{
    char path[512];
    size_t n = 0;
    unsigned char *buf, *big;
    OutPage *q;

    tmp_path(path, sizeof path, "hdr.art");
    buf = saved_fixture(path, &n);
    if (!buf) {
        CHECK(buf != NULL);
        return;
    }
    buf[0] = 'X';
    CHECK(write_bytes(path, buf, n) == 0);
    CHECK((q = out_page_load(path)) == NULL);
    CHECK(strstr(err_get(), "bad magic") != NULL);
    buf[0] = 'I';
    buf[8] = 3; /* version 3 */
    CHECK(write_bytes(path, buf, n) == 0);
    CHECK((q = out_page_load(path)) == NULL);
    CHECK(strstr(err_get(), "version 3") != NULL);
    buf[8] = 1;
    big = calloc(n + 3, 1);
    if (big) {
        memcpy(big, buf, n);
        CHECK(write_bytes(path, big, n + 3) == 0);
        CHECK((q = out_page_load(path)) == NULL);
        CHECK(strstr(err_get(), "3 trailing bytes") != NULL);
    }
    free(big);
    free(buf);
}

static void out_page_load__bad_range_with_valid_checksum__rejected(void)
{
    char path[512];
    size_t n = 0;
    unsigned char *buf;
    uint32_t crc;
    OutPage *q;

    tmp_path(path, sizeof path, "range.art");
    buf = saved_fixture(path, &n);
    if (!buf) {
        CHECK(buf != NULL);
        return;
    }
    /* first line's n_words (header 48 + image "scan.png" 8 + 36) */
    buf[48 + 8 + 36] = 0x7f;
    crc = (uint32_t)crc32(0L, buf, (uInt)(n - 4));
    buf[n - 4] = (unsigned char)crc;
    buf[n - 3] = (unsigned char)(crc >> 8);
    buf[n - 2] = (unsigned char)(crc >> 16);
    buf[n - 1] = (unsigned char)(crc >> 24);
    CHECK(write_bytes(path, buf, n) == 0);
    q = out_page_load(path);
    CHECK(q == NULL);
    CHECK(strstr(err_get(), "line 0: words 0+127 out of range") != NULL);
    CHECK(strstr(err_get(), path) != NULL);
    out_page_destroy(&q);
    free(buf);
}

static void out_page_load__missing_file__errno_message(void)
{
    OutPage *q = out_page_load("/nonexistent/inkpipe/x.art");
    CHECK(q == NULL);
    CHECK(strstr(err_get(), "/nonexistent/inkpipe/x.art: ") != NULL);
}

static void out_page_save__unwritable_path__error(void)
{
    OutPage *p = out_page_create("a.png", 0, 1, 1, 0, 0, 0, 0);
    CHECK(p && out_page_save(p, "/nonexistent/inkpipe/x.art") == -1);
    CHECK(strstr(err_get(), "save /nonexistent/inkpipe/x.art") != NULL);
    out_page_destroy(&p);
}

/* A page read from its image deskewed by Leptonica's rotation about the
 * centre (what seg_page_binarize does) maps back to the image's pixels:
 * each mark's box, found on the turned page, holds the mark where the
 * image has it, and is at most the box around the turned box; a line
 * level on the image gets a level baseline through it; 0 changes nothing
 * and a wild angle is refused. */
static void out_page_unskew__marks_on_a_turned_page__image_pixels(void)
{
    static const int at[][2] = {{40, 30}, {560, 30}, {300, 200},
                                {40, 360}, {560, 360}};
    int w = 600, h = 400, n = 5, ok = 1;
    for (int sgn = -1; sgn <= 1; sgn += 2) {
        float deg = 2.5f * (float)sgn;
        PIX *src = pixCreate(w, h, 1);
        for (int i = 0; i < n; i++)
            pixRasterop(src, at[i][0], at[i][1], 8, 8, PIX_SET, NULL, 0, 0);
        pixRasterop(src, 100, 300, 400, 3, PIX_SET, NULL, 0, 0); /* a rule */
        PIX *rot = pixRotateShearCenter(src, deg * 3.14159265f / 180.0f,
                                        L_BRING_IN_WHITE);
        BOXA *found = rot ? pixConnCompBB(rot, 8) : NULL;
        OutPage *p = out_page_create("a.png", 0, w, h, 300, 1, 0, n);
        if (!found || boxaGetCount(found) != n + 1 || !p) {
            ok = 0;
        } else {
            int g = 0;
            for (int k = 0; k <= n; k++) {
                l_int32 x, y, bw, bh;
                boxaGetBoxGeometry(found, k, &x, &y, &bw, &bh);
                OutBox b = {x, y, x + bw, y + bh};
                if (bw > 50) { /* the rule: a line along it */
                    p->lines[0].box = b;
                    p->lines[0].baseline_slope = tanf(deg * 3.14159265f /
                                                      180.0f);
                    p->lines[0].baseline_offset =
                        deg > 0 ? -(float)(bh - 2) : -1.0f;
                } else if (g < n) {
                    p->glyphs[g++].box = b;
                }
            }
            CHECK(out_page_unskew(p, deg) == 0);
            for (int i = 0; i < n; i++) {
                /* the glyph whose box holds mark i, and not too big */
                int hit = 0;
                for (int k = 0; k < n; k++) {
                    OutBox b = p->glyphs[k].box;
                    hit |= b.x0 <= at[i][0] && b.y0 <= at[i][1] &&
                           b.x1 >= at[i][0] + 8 && b.y1 >= at[i][1] + 8 &&
                           b.x1 - b.x0 <= 14 && b.y1 - b.y0 <= 14;
                }
                ok &= hit;
                if (!hit)
                    printf("  %g deg: mark %d at %d,%d not held\n",
                           (double)deg, i, at[i][0], at[i][1]);
            }
            OutLine *l = &p->lines[0];
            float y0 = l->box.y1 + l->baseline_offset;
            CHECK(fabsf(l->baseline_slope) < 0.003f);
            CHECK(y0 > 299.0f && y0 < 304.0f);
            CHECK(l->box.x0 >= 98 && l->box.x0 <= 100 && l->box.x1 >= 500 &&
                  l->box.x1 <= 502);
        }
        boxaDestroy(&found);
        pixDestroy(&rot);
        pixDestroy(&src);
        out_page_destroy(&p);
    }
    CHECK(ok);
    OutPage *p = fixture_page("a.png", 0, LINES, BLOCKS, 3);
    OutBox before = p ? p->words[0].box : (OutBox){0, 0, 0, 0};
    CHECK(p && out_page_unskew(p, 0.0f) == 0 &&
          !memcmp(&p->words[0].box, &before, sizeof before));
    CHECK(p && out_page_unskew(p, 90.0f) == -1 &&
          strstr(err_get(), "angle"));
    out_page_destroy(&p);
}

/* A page read from its source enlarged twice (small writing) maps back
 * to the source's pixels: size and dpi halved, every box the smallest
 * one holding the pixels it covered (an odd edge rounds outwards), the
 * baselines, line heights, fields and registration with it; factor 1
 * changes nothing, factor 0 is refused. */
static void out_page_shrink__enlarged_twice__source_pixels(void)
{
    OutPage *p = fixture_page("a.png", 0, LINES, BLOCKS, 3);
    CHECK(p != NULL);
    if (!p)
        return;
    p->glyphs[0].box = (OutBox){101, 101, 125, 141};
    p->fields = calloc(1, sizeof *p->fields);
    CHECK(p->fields != NULL);
    if (p->fields) {
        p->n_fields = 1;
        p->fields[0].name = strdup("surname");
        p->fields[0].value = strdup("");
        p->fields[0].box = (OutBox){200, 300, 601, 361};
        p->fields[0].chars = calloc(1, sizeof *p->fields[0].chars);
        p->fields[0].n_chars = p->fields[0].chars ? 1 : 0;
        if (p->fields[0].chars)
            p->fields[0].chars[0].box = (OutBox){210, 301, 231, 360};
    }
    p->reg_scale = 2.0f;
    p->reg_dx = 40.0f;
    p->reg_dy = -6.0f;
    OutLine l0 = p->lines[0];
    CHECK(out_page_shrink(p, 1) == 0 && p->width == 2480 &&
          p->glyphs[0].box.x0 == 101);
    CHECK(out_page_shrink(p, 2) == 0);
    CHECK(p->width == 1240 && p->height == 1754 && p->dpi == 150);
    OutBox g = p->glyphs[0].box;
    CHECK(g.x0 == 50 && g.y0 == 50 && g.x1 == 63 && g.y1 == 71);
    CHECK(p->lines[0].box.x0 == l0.box.x0 / 2 &&
          p->lines[0].box.x1 == l0.box.x1 / 2);
    CHECK(p->lines[0].baseline_offset == l0.baseline_offset / 2 &&
          p->lines[0].x_size == l0.x_size / 2 &&
          p->lines[0].baseline_slope == l0.baseline_slope);
    if (p->n_fields == 1 && p->fields[0].n_chars == 1) {
        OutBox f = p->fields[0].box, c = p->fields[0].chars[0].box;
        CHECK(f.x0 == 100 && f.y0 == 150 && f.x1 == 301 && f.y1 == 181);
        CHECK(c.x0 == 105 && c.y0 == 150 && c.x1 == 116 && c.y1 == 180);
    }
    CHECK(p->reg_scale == 1.0f && p->reg_dx == 20.0f && p->reg_dy == -3.0f);
    CHECK(out_page_check(p) == 0);
    CHECK(out_page_shrink(p, 0) == -1 && strstr(err_get(), "factor"));
    out_page_destroy(&p);
}

int main(void)
{
    RUN(out_page_create__negative_count__null_with_message);
    RUN(out_page_create__counts__zeroed_arrays);
    RUN(out_page_check__word_range_past_end__error_names_line);
    RUN(out_page_check__nan_confidence__error_names_glyph);
    RUN(out_page_save_load__fixture__round_trip_identical);
    RUN(out_page_save_load__empty_page__round_trip);
    RUN(out_page_save_load__word_kinds__round_trip_and_flag);
    RUN(out_page_load__every_truncation__rejected_naming_file);
    RUN(out_page_load__flipped_byte__checksum_error);
    RUN(out_page_load__bad_magic_version_trailing__rejected);
    RUN(out_page_load__bad_range_with_valid_checksum__rejected);
    RUN(out_page_load__missing_file__errno_message);
    RUN(out_page_save__unwritable_path__error);
    RUN(out_page_shrink__enlarged_twice__source_pixels);
    RUN(out_page_unskew__marks_on_a_turned_page__image_pixels);
    TEST_EXIT();
}
