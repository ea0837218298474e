/*
 * test_out_pdf.c - the searchable PDF writer (out_pdf.c), checked the way
 * users check it: qpdf --check, pdftotext (text and -bbox), pdfimages
 * -list (tools/deps.sh `test`: poppler-utils, qpdf). Fixture pages from
 * out_fixture.h (2480 x 3508 at 300 dpi); images made in code.
 */
#include "output/output.h"
#include "common/err.h"
#include "tests/unit/out_fixture.h"
#include "tests/unit/test.h"

#include <fcntl.h>
#include <leptonica/allheaders.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const LINES[] = {"Hello world", "café naïve",
                                    "Straße 12"};
static const int BLOCKS[] = {0, 0, 1};

/* The test image source: ctx points at the depth to make (1 or 8);
 * a page of the page's size with a black bar; a negative depth fails. */
static int get_image(void *ctx, const OutPage *page, OutImage *img)
{
    int d = *(const int *)ctx;
    memset(img, 0, sizeof *img);
    if (d < 0)
        return err_set("%s page %d: cannot decode", page->image,
                       page->pageno + 1);
    PIX *pix = pixCreate(page->width + (d == 2 ? 1 : 0), page->height,
                         d == 2 ? 1 : d);
    if (!pix)
        return err_set("out of memory");
    if (d == 8)
        pixSetAllArbitrary(pix, 200);
    pixRasterop(pix, 100, 100, 300, 40, PIX_SET, NULL, 0, 0);
    img->pix = pix;
    return 0;
}

static int write_pdf(const char *name, char *path, size_t n,
                     const OutPage *const *pages, int n_pages, int depth)
{
    OutImageSource src = {get_image, &depth};
    snprintf(path, n, "%s/%s", test_tmpdir(), name);
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return -1;
    int rc = out_pdf_write(fp, pages, n_pages, &src);
    if (fclose(fp) != 0)
        rc = -1;
    return rc;
}

/* Output of a shell command (heap string, caller frees), or NULL. */
static char *run(const char *cmd)
{
    FILE *fp = popen(cmd, "r");
    if (!fp)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf && n + 1 < cap) {
        size_t k = fread(buf + n, 1, cap - 1 - n, fp);
        if (k == 0)
            break;
        n += k;
    }
    if (pclose(fp) != 0) {
        free(buf);
        return NULL;
    }
    if (buf)
        buf[n] = '\0';
    return buf;
}

/* The non-whitespace bytes of s, in order (compare text modulo spaces). */
static void squeeze(char *s)
{
    char *o = s;
    for (; *s; s++)
        if (*s != ' ' && *s != '\n' && *s != '\f' && *s != '\t')
            *o++ = *s;
    *o = '\0';
}

static int qpdf_ok(const char *path)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "qpdf --check '%s' >/dev/null 2>&1", path);
    return system(cmd) == 0;
}

static void out_pdf_write__fixture__qpdf_clean_and_text_reads_back(void)
{
    char path[512], cmd[700], txt[512];
    OutPage *p = fixture_page("scan.tif", 0, LINES, BLOCKS, 3);
    const OutPage *pp[] = {p};
    CHECK(p && write_pdf("a.pdf", path, sizeof path, pp, 1, 1) == 0);
    CHECK(qpdf_ok(path));
    /* the text layer gives back the .txt text, accents included */
    snprintf(txt, sizeof txt, "%s/a.txt", test_tmpdir());
    FILE *fp = fopen(txt, "wb");
    CHECK(fp && out_text_write(fp, pp, 1) == 0);
    if (fp)
        fclose(fp);
    char *want = fixture_slurp(txt, NULL);
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' -", path);
    char *got = run(cmd);
    CHECK(want && got);
    if (want && got) {
        squeeze(want);
        squeeze(got);
        CHECK(strcmp(want, got) == 0);
        CHECK(strstr(got, "café") && strstr(got, "naïve") &&
              strstr(got, "Straße"));
    }
    free(want);
    free(got);
    /* the producer is named */
    snprintf(cmd, sizeof cmd, "pdfinfo '%s'", path);
    got = run(cmd);
    CHECK(got && strstr(got, "inkpipe"));
    free(got);
    out_page_destroy(&p);
}

static void out_pdf_write__words__bbox_within_1px_of_hocr_box(void)
{
    char path[512], cmd[700];
    OutPage *p = fixture_page("scan.tif", 0, LINES, BLOCKS, 3);
    const OutPage *pp[] = {p};
    CHECK(p && write_pdf("b.pdf", path, sizeof path, pp, 1, 1) == 0);
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 -bbox '%s' -", path);
    char *got = run(cmd);
    CHECK(got != NULL);
    int matched = 0;
    for (const char *s = got; s && (s = strstr(s, "<word ")); s++) {
        double x0, y0, x1, y1;
        if (sscanf(s, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" "
                      "yMax=\"%lf\"",
                   &x0, &y0, &x1, &y1) != 4)
            continue;
        /* points -> pixels at 300 dpi */
        double k = 300.0 / 72.0;
        x0 *= k, y0 *= k, x1 *= k, y1 *= k;
        for (int w = 0; p && w < p->n_words; w++) {
            const OutBox *b = &p->words[w].box;
            if (fabs(x0 - b->x0) < 1 && fabs(y0 - b->y0) < 1 &&
                fabs(x1 - b->x1) < 1 && fabs(y1 - b->y1) < 1) {
                matched++;
                break;
            }
        }
    }
    CHECK(p && matched == p->n_words);
    free(got);
    out_page_destroy(&p);
}

static void out_pdf_write__hostile_pages__empty_failed_astral(void)
{
    char path[512], cmd[700];
    static const char *const one[] = {"x"};
    OutPage *a = fixture_page("m.tif", 0, one, NULL, 1);
    OutPage *empty = out_page_create("m.tif", 1, 2480, 3508, 300, 0, 0, 0);
    OutPage *failed = out_page_create("m.tif", 2, 0, 0, 0, 0, 0, 0);
    const OutPage *pp[] = {a, empty, failed};
    CHECK(a && empty && failed);
    if (a)
        a->glyphs[0].codepoint = 0x1D11E; /* MUSICAL SYMBOL G CLEF */
    CHECK(write_pdf("c.pdf", path, sizeof path, pp, 3, 8) == 0);
    CHECK(qpdf_ok(path));
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' -", path);
    char *got = run(cmd);
    /* page 1 the astral glyph, pages 2 and 3 nothing: form feeds only */
    CHECK(got && strstr(got, "\xF0\x9D\x84\x9E") != NULL);
    if (got) {
        squeeze(got);
        CHECK(strcmp(got, "\xF0\x9D\x84\x9E") == 0);
    }
    free(got);
    snprintf(cmd, sizeof cmd, "pdfimages -list '%s'", path);
    got = run(cmd);
    /* pages 1 and 2 have their image (8 bpp: JPEG at 300 ppi), page 3
     * (failed, no size) none */
    CHECK(got && strstr(got, "   1     0 image    2480  3508  gray    1   8  jpeg"));
    CHECK(got && strstr(got, "   2     1 image    2480  3508  gray    1   8  jpeg"));
    CHECK(got && !strstr(got, "   3     2 image"));
    CHECK(got && strstr(got, "300   300"));
    free(got);
    snprintf(cmd, sizeof cmd, "pdfinfo '%s'", path);
    got = run(cmd);
    CHECK(got && strstr(got, "Pages:           3"));
    free(got);
    out_page_destroy(&a);
    out_page_destroy(&empty);
    out_page_destroy(&failed);
}

static void out_pdf_write__same_pages_twice__same_bytes(void)
{
    char p1[512], p2[512];
    OutPage *p = fixture_page("scan.tif", 0, LINES, BLOCKS, 3);
    const OutPage *pp[] = {p, p};
    CHECK(write_pdf("d1.pdf", p1, sizeof p1, pp, 2, 1) == 0);
    CHECK(write_pdf("d2.pdf", p2, sizeof p2, pp, 2, 1) == 0);
    size_t n1 = 0, n2 = 0;
    char *a = fixture_slurp(p1, &n1), *b = fixture_slurp(p2, &n2);
    CHECK(a && b && n1 == n2 && memcmp(a, b, n1) == 0);
    /* G4: one page of 1 bpp is far smaller than its raw bits */
    CHECK(n1 > 0 && n1 < 2480 / 8 * 3508 / 20);
    free(a);
    free(b);
    out_page_destroy(&p);
}

static void out_pdf_write__no_source_or_bad_image__error_names_page(void)
{
    char path[512];
    OutPage *p = fixture_page("scan.tif", 0, LINES, BLOCKS, 3);
    const OutPage *pp[] = {p, p};
    snprintf(path, sizeof path, "%s/e.pdf", test_tmpdir());
    FILE *fp = fopen(path, "wb");
    CHECK(fp && out_pdf_write(fp, pp, 1, NULL) == -1);
    CHECK(strstr(err_get(), "pdf: no page images") != NULL);
    if (fp)
        fclose(fp);
    /* an image of another size than the page's */
    CHECK(write_pdf("e.pdf", path, sizeof path, pp, 2, 2) == -1);
    CHECK(strstr(err_get(), "page 1: the image is 2481x3508") != NULL);
    /* a recognised page whose image cannot be read */
    CHECK(write_pdf("e.pdf", path, sizeof path, pp, 2, -1) == -1);
    CHECK(strstr(err_get(), "pdf: page 1: image: scan.tif page 1") != NULL);
    out_page_destroy(&p);
}

static void out_files_write_images__pdf__name_pdf(void)
{
    char dir[512], path[600];
    int f = 0, depth = 1, fd;
    OutPage *p = fixture_page("scan.png", 0, LINES, BLOCKS, 3);
    const OutPage *pp[] = {p};
    OutImageSource src = {get_image, &depth};
    CHECK(out_formats_parse("txt,pdf", &f) == 0 &&
          f == (OUT_FORMAT_TXT | OUT_FORMAT_PDF));
    CHECK(strstr(out_formats_names(), "pdf") != NULL);
    snprintf(dir, sizeof dir, "%s/files", test_tmpdir());
    mkdir(dir, 0777);
    fd = open(dir, O_RDONLY | O_DIRECTORY);
    CHECK(fd >= 0 && p);
    if (fd >= 0 && p) {
        CHECK(out_files_write_images(fd, "box/f007", pp, 1, OUT_FORMAT_PDF,
                                     &src) == 0);
        /* without images, pdf cannot be written, and nothing appears */
        CHECK(out_files_write(fd, "box/g", pp, 1, OUT_FORMAT_PDF) == -1);
        close(fd);
    }
    snprintf(path, sizeof path, "%s/box/f007.pdf", dir);
    CHECK(access(path, R_OK) == 0 && qpdf_ok(path));
    snprintf(path, sizeof path, "%s/box/g.pdf", dir);
    CHECK(access(path, F_OK) != 0);
    out_page_destroy(&p);
}

int main(void)
{
    RUN(out_pdf_write__fixture__qpdf_clean_and_text_reads_back);
    RUN(out_pdf_write__words__bbox_within_1px_of_hocr_box);
    RUN(out_pdf_write__hostile_pages__empty_failed_astral);
    RUN(out_pdf_write__same_pages_twice__same_bytes);
    RUN(out_pdf_write__no_source_or_bad_image__error_names_page);
    RUN(out_files_write_images__pdf__name_pdf);
    TEST_EXIT();
}
