/* test_out_alto.c - ALTO 4.4 writer: structure, numbers (WC, CC, boxes,
 * SP), escaping, empty and multi-page documents, the `alto` format row.
 * Well-formedness is checked with xmllint (tools/deps.sh `test`); validity
 * against the ALTO 4.4 schema too when the schema is found: $ALTO_XSD, else
 * ../shared/schemas/alto-4-4.xsd from the repo top (where tests/run.sh
 * runs us); without it a "# SKIP" line says so. */
#include "output/output.h"
#include "common/err.h"
#include "tests/unit/out_fixture.h"
#include "tests/unit/test.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const LINES[] = {"Name Ada Lovelace", "Amount 1204.50",
                                    "Date 12 Mar"};
static const int BLOCKS[] = {0, 0, 1};

/* The ALTO schema, or NULL (a SKIP note printed once). */
static const char *schema_path(void)
{
    static int said;
    const char *env = getenv("ALTO_XSD");
    const char *p = env && *env ? env : "../shared/schemas/alto-4-4.xsd";
    if (access(p, R_OK) == 0)
        return p;
    if (!said++)
        printf("# SKIP schema validation: ALTO schema absent (%s)\n", p);
    return NULL;
}

/* Write pages to TEST_TMPDIR/name; returns 0 or -1. */
static int write_alto(const char *name, char *path, size_t n,
                      const OutPage *const *pages, int n_pages)
{
    FILE *fp;
    int rc;
    snprintf(path, n, "%s/%s", test_tmpdir(), name);
    fp = fopen(path, "wb");
    if (!fp)
        return -1;
    rc = out_alto_write(fp, pages, n_pages);
    if (fclose(fp) != 0)
        rc = -1;
    return rc;
}

/* Well-formed, and valid against the schema when it is there. */
static int xml_ok(const char *path)
{
    char cmd[1600];
    const char *xsd = schema_path();
    snprintf(cmd, sizeof cmd, "xmllint --noout --nonet '%s'", path);
    if (system(cmd) != 0)
        return 0;
    if (!xsd)
        return 1;
    snprintf(cmd, sizeof cmd, "xmllint --noout --nonet --schema '%s' '%s'", xsd,
             path);
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

/* 1 when xpath(path, expr) is exactly want. */
static int xpath_is(const char *path, const char *expr, const char *want)
{
    char *s = xpath(path, expr);
    int ok = s && strcmp(s, want) == 0;
    if (!ok)
        printf("  %s: got '%s', want '%s'\n", expr, s ? s : "(null)", want);
    free(s);
    return ok;
}

#define EL(name) "*[local-name()='" name "']"

static void out_alto_write__fixture__valid_with_structure(void)
{
    char path[512];
    char *doc;
    OutPage *p = fixture_page("scan.png", 0, LINES, BLOCKS, 3);
    const OutPage *pp[] = {p};
    CHECK(p && write_alto("s.alto.xml", path, sizeof path, pp, 1) == 0);
    CHECK(xml_ok(path));
    doc = fixture_slurp(path, NULL);
    CHECK(doc != NULL);
    if (doc) {
        CHECK(strncmp(doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 38) ==
              0);
        CHECK(strstr(doc, "<alto xmlns=\"http://www.loc.gov/standards/alto/"
                          "ns-v4#\"") != NULL);
        CHECK(strstr(doc, "SCHEMAVERSION=\"4.4\"") != NULL);
    }
    CHECK(xpath_is(path, "string(//" EL("MeasurementUnit") ")", "pixel"));
    CHECK(xpath_is(
        path, "string(//" EL("sourceImageInformation") "/" EL("fileName") ")",
        "scan.png"));
    CHECK(xpath_is(
        path,
        "string(//" EL("OCRProcessing") "/" EL("ocrProcessingStep") "/" EL(
            "processingSoftware") "/" EL("softwareName") ")",
        "inkpipe"));
    CHECK(xpath_is(path, "string(//" EL("Page") "/@WIDTH)", "2480"));
    CHECK(xpath_is(path, "string(//" EL("Page") "/@HEIGHT)", "3508"));
    CHECK(xpath_is(path, "string(//" EL("Page") "/@PHYSICAL_IMG_NR)", "1"));
    CHECK(count_of(path, "count(//" EL("Page") ")") == 1);
    CHECK(count_of(path, "count(//" EL("Page") "/" EL("PrintSpace") ")") == 1);
    CHECK(count_of(path, "count(//" EL("TextBlock") ")") == 2);
    CHECK(count_of(path,
                   "count(//" EL("TextBlock") "[1]/" EL("TextLine") ")") == 2);
    CHECK(count_of(path, "count(//" EL("TextLine") ")") == 3);
    CHECK(count_of(path, "count(//" EL("String") ")") == p->n_words);
    /* one SP between two words of a line: 3 + 2 + 3 words -> 2 + 1 + 2 */
    CHECK(count_of(path, "count(//" EL("SP") ")") == p->n_words - 3);
    CHECK(count_of(path,
                   "count(//" EL("TextLine") "/*[1][local-name()='SP'])") == 0);
    CHECK(xpath_is(
        path, "string(//" EL("TextLine") "[1]/" EL("String") "[3]/@CONTENT)",
        "Lovelace"));
    /* every ID is unique */
    CHECK(count_of(path, "count(//*[@ID][@ID = preceding::*/@ID])") == 0);
    free(doc);
    out_page_destroy(&p);
}

static void out_alto_write__numbers__boxes_wc_cc_sp(void)
{
    char path[512];
    const char *lines[] = {"ab cd"};
    OutPage *p = fixture_page("c.png", 0, lines, NULL, 1);
    const OutPage *pp[] = {p};
    if (!p) {
        CHECK(p != NULL);
        return;
    }
    p->glyphs[0].conf = 0.9f;     /* 9 * 0.1 = 0.9 -> 1 */
    p->glyphs[1].conf = 0.5f;     /* 4.5 -> 5 (half away from zero) */
    p->glyphs[2].conf = 1.00001f; /* softmax excess: sure, 0 */
    p->glyphs[3].conf = 0.0f;     /* unsure, 9 */
    CHECK(write_alto("c.alto.xml", path, sizeof path, pp, 1) == 0);
    CHECK(xml_ok(path));
    CHECK(xpath_is(path, "string(//" EL("String") "[1]/@CC)", "15"));
    CHECK(xpath_is(path, "string(//" EL("String") "[1]/@WC)", "0.45"));
    CHECK(xpath_is(path, "string(//" EL("String") "[2]/@CC)", "09"));
    CHECK(xpath_is(path, "string(//" EL("String") "[2]/@WC)", "0"));
    /* boxes: x0 y0 x1 y1 = 100 100 154 140 -> HPOS VPOS WIDTH HEIGHT */
    CHECK(
        xpath_is(
            path,
            "concat(//" EL("String") "[1]/@HPOS,' ',//" EL(
                "String") "[1]/@VPOS,' ',//" EL("String") "[1]/@WIDTH,' "
                                                          "',//" EL("String") "[1]/@HEIGHT)",
            "100 100 54 40"));
    CHECK(xpath_is(path, "string(//" EL("String") "[2]/@HPOS)", "190"));
    CHECK(xpath_is(
        path,
        "concat(//" EL("TextLine") "/@HPOS,' ',//" EL("TextLine") "/@WIDTH)",
        "100 144"));
    /* the SP is the gap 154..190, between the two Strings */
    CHECK(xpath_is(path,
                   "concat(//" EL("SP") "/@HPOS,' ',//" EL("SP") "/@WIDTH)",
                   "154 36"));
    CHECK(count_of(path, "count(//" EL("String") "[1]/following-sibling::*[1]"
                                                 "[local-name()='SP'])") == 1);
    /* all sure: WC 1, CC all zeros */
    p->glyphs[0].conf = p->glyphs[1].conf = 1.0f;
    CHECK(write_alto("c1.alto.xml", path, sizeof path, pp, 1) == 0);
    CHECK(xpath_is(path, "string(//" EL("String") "[1]/@WC)", "1"));
    CHECK(xpath_is(path, "string(//" EL("String") "[1]/@CC)", "00"));
    out_page_destroy(&p);
}

static void out_alto_write__hostile_name_and_glyphs__escaped_and_valid(void)
{
    char path[512];
    /* quotes, markup, backslash, invalid UTF-8 (lone 0xFF, truncated €) */
    const char *name = "dir/a\"b'<c>&d\\e\xff\xe2\x82.png";
    const char *lines[] = {"abcdefgh Gr\xc3\xbc\xc3\x9f\x65"};
    const uint32_t cps[] = {'<', '&', '>', '"', '\'', 0, 0xD800, 0x110000};
    OutPage *p = fixture_page(name, 0, lines, NULL, 1);
    const OutPage *pp[] = {p};
    int i;
    if (!p) {
        CHECK(p != NULL);
        return;
    }
    for (i = 0; i < 8; i++)
        p->glyphs[i].codepoint = cps[i];
    CHECK(write_alto("g.alto.xml", path, sizeof path, pp, 1) == 0);
    CHECK(xml_ok(path));
    CHECK(
        xpath_is(path, "string(//" EL("fileName") ")",
                 "dir/a\"b'<c>&d\\e\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD.png"));
    CHECK(xpath_is(path, "string(//" EL("String") "[1]/@CONTENT)",
                   "<&>\"'\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"));
    CHECK(xpath_is(path, "string(//" EL("String") "[2]/@CONTENT)",
                   "Gr\xc3\xbc\xc3\x9f\x65"));
    /* one CC digit per character, non-ASCII ones included */
    CHECK(xpath_is(path, "string-length(//" EL("String") "[1]/@CC)", "8"));
    CHECK(xpath_is(path, "string-length(//" EL("String") "[2]/@CC)", "5"));
    out_page_destroy(&p);
}

static void out_alto_write__empty_page__valid_page_without_blocks(void)
{
    char path[512];
    OutPage *p = out_page_create("blank.png", 0, 1240, 1754, 0, 0, 0, 0);
    /* a line whose only word has no glyphs: ALTO needs a String per line,
     * so neither the line nor its block may be written */
    OutPage *q = out_page_create("hollow.png", 0, 1240, 1754, 0, 1, 1, 0);
    const OutPage *pp[] = {p}, *qq[] = {q};
    CHECK(p && write_alto("e.alto.xml", path, sizeof path, pp, 1) == 0);
    CHECK(xml_ok(path));
    CHECK(count_of(path, "count(//" EL("Page") ")") == 1);
    CHECK(count_of(path, "count(//" EL("PrintSpace") ")") == 1);
    CHECK(count_of(path, "count(//" EL("TextBlock") ")") == 0);
    CHECK(xpath_is(path, "string(//" EL("PrintSpace") "/@WIDTH)", "1240"));
    if (q) {
        q->lines[0].n_words = 1;
        q->lines[0].box = (OutBox){10, 10, 50, 30};
        q->words[0].box = (OutBox){10, 10, 50, 30};
    }
    CHECK(q && write_alto("e2.alto.xml", path, sizeof path, qq, 1) == 0);
    CHECK(xml_ok(path));
    CHECK(count_of(path, "count(//" EL("TextLine") ")") == 0);
    CHECK(count_of(path, "count(//" EL("TextBlock") ")") == 0);
    out_page_destroy(&p);
    out_page_destroy(&q);
}

static void out_alto_write__three_pages__ids_and_physical_numbers(void)
{
    char path[512];
    OutPage *a = fixture_page("m.tif", 0, LINES, BLOCKS, 3);
    OutPage *b = fixture_page("m.tif", 1, LINES, BLOCKS, 2);
    OutPage *c = fixture_page("m.tif", 2, LINES, BLOCKS, 1);
    const OutPage *pp[] = {a, b, c};
    CHECK(a && b && c &&
          write_alto("m.alto.xml", path, sizeof path, pp, 3) == 0);
    CHECK(xml_ok(path));
    CHECK(count_of(path, "count(//" EL("Page") ")") == 3);
    CHECK(count_of(path, "count(//" EL("TextLine") ")") == 6);
    CHECK(count_of(path, "count(//*[@ID][@ID = preceding::*/@ID])") == 0);
    CHECK(xpath_is(
        path, "string(//" EL("Page") "[@ID='page_3']/@PHYSICAL_IMG_NR)", "3"));
    CHECK(xpath_is(path, "string(//*[@ID='string_2_2_1']/@CONTENT)", "Amount"));
    CHECK(count_of(path, "count(//" EL("Page") "[2]//" EL("TextBlock") ")") ==
          1);
    CHECK(count_of(path, "count(//" EL("sourceImageInformation") ")") == 1);
    out_page_destroy(&a);
    out_page_destroy(&b);
    out_page_destroy(&c);
}

static void out_alto_write__no_pages_or_bad_page__error(void)
{
    char path[512];
    OutPage *p = fixture_page("x.png", 4, LINES, BLOCKS, 3);
    const OutPage *pp[] = {p};
    CHECK(write_alto("n.alto.xml", path, sizeof path, pp, 0) == -1);
    CHECK(strstr(err_get(), "alto: need at least one page") != NULL);
    if (p)
        p->lines[0].first_word = -1;
    CHECK(write_alto("n.alto.xml", path, sizeof path, pp, 1) == -1);
    CHECK(strstr(err_get(), "alto") != NULL);
    CHECK(strstr(err_get(), "x.png page 4: line 0") != NULL);
    out_page_destroy(&p);
}

static void out_files_write__alto__name_alto_xml(void)
{
    char dir[512], path[600];
    int f = 0, fd;
    OutPage *p = fixture_page("scan.png", 0, LINES, BLOCKS, 3);
    const OutPage *pp[] = {p};
    CHECK(out_formats_parse("alto", &f) == 0 && f == OUT_FORMAT_ALTO);
    CHECK(out_formats_parse("txt,alto", &f) == 0 &&
          f == (OUT_FORMAT_TXT | OUT_FORMAT_ALTO));
    CHECK(strstr(out_formats_names(), "alto") != NULL);
    CHECK(out_formats_parse("altoxml", &f) == -1);
    snprintf(dir, sizeof dir, "%s/files", test_tmpdir());
    mkdir(dir, 0777);
    fd = open(dir, O_RDONLY | O_DIRECTORY);
    CHECK(fd >= 0 && p);
    if (fd >= 0 && p)
        CHECK(out_files_write(fd, "box/f007", pp, 1, OUT_FORMAT_ALTO) == 0);
    if (fd >= 0)
        close(fd);
    snprintf(path, sizeof path, "%s/box/f007.alto.xml", dir);
    CHECK(access(path, R_OK) == 0);
    CHECK(xml_ok(path));
    snprintf(path, sizeof path, "%s/box/f007.txt", dir);
    CHECK(access(path, F_OK) != 0); /* only the chosen format */
    out_page_destroy(&p);
}

int main(void)
{
    RUN(out_alto_write__fixture__valid_with_structure);
    RUN(out_alto_write__numbers__boxes_wc_cc_sp);
    RUN(out_alto_write__hostile_name_and_glyphs__escaped_and_valid);
    RUN(out_alto_write__empty_page__valid_page_without_blocks);
    RUN(out_alto_write__three_pages__ids_and_physical_numbers);
    RUN(out_alto_write__no_pages_or_bad_page__error);
    RUN(out_files_write__alto__name_alto_xml);
    TEST_EXIT();
}
