/* test_page_pdf.c - PDF pages (input/page_pdf.c): raw and Flate samples
 * (every PNG predictor, TIFF predictor, grey 1/8 bits with and without
 * /Decode [1 0], RGB) taken out of the file pixel for pixel, the
 * resolution from the MediaBox, /Rotate, an image not covering the page
 * rendered by poppler instead, a deflate bomb stopped at the image's
 * size, short data failing naming file and page, JBIG2 (an MMR generic
 * region made from Leptonica's G4 data) read by jbig2dec, page locators
 * and the page limit, a damaged file poppler never finishes stopped by
 * the renderer's time limit. PDFs are written here, object by object,
 * with a correct cross-reference table. */
#include "common/err.h"
#include "input/page.h"
#include "tests/unit/test.h"

#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <tiffio.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

static unsigned rng = 11;
static unsigned rnd(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 16;
}

static char *tmp_path(const char *name)
{
    static char buf[8][1024];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, 1024, "%s/test_page_pdf_%d_%s", test_tmpdir(), (int)getpid(),
             name);
    return p;
}

/* One page: an image XObject (dict entries after /Subtype /Image, and its
 * stream bytes) drawn with content (default: over the whole MediaBox). */
typedef struct {
    double mw, mh;         /* MediaBox */
    const char *page_keys; /* extra page entries ("/Rotate 90"), or NULL */
    const char *dict;
    const unsigned char *data;
    size_t len;
    const char *content; /* NULL = "q mw 0 0 mh 0 0 cm /Im0 Do Q" */
} TPage;

/* Write a PDF of n pages; 0 or -1. */
static int write_pdf(const char *path, const TPage *pg, int n)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return -1;
    long off[64];
    int nobj = 2 + 3 * n;
    fputs("%PDF-1.4\n%\342\343\317\323\n", fp);
    off[1] = ftell(fp);
    fputs("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n", fp);
    off[2] = ftell(fp);
    fputs("2 0 obj\n<< /Type /Pages /Kids [", fp);
    for (int k = 0; k < n; k++)
        fprintf(fp, " %d 0 R", 3 + 3 * k);
    fprintf(fp, " ] /Count %d >>\nendobj\n", n);
    for (int k = 0; k < n; k++) {
        int p = 3 + 3 * k;
        char content[256];
        if (pg[k].content)
            snprintf(content, sizeof content, "%s", pg[k].content);
        else
            snprintf(content, sizeof content, "q %g 0 0 %g 0 0 cm /Im0 Do Q",
                     pg[k].mw, pg[k].mh);
        off[p] = ftell(fp);
        fprintf(fp,
                "%d 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g "
                "%g] %s /Resources << /XObject << /Im0 %d 0 R >> >> "
                "/Contents %d 0 R >>\nendobj\n",
                p, pg[k].mw, pg[k].mh,
                pg[k].page_keys ? pg[k].page_keys : "", p + 2, p + 1);
        off[p + 1] = ftell(fp);
        fprintf(fp, "%d 0 obj\n<< /Length %zu >>\nstream\n%s\nendstream\n"
                    "endobj\n",
                p + 1, strlen(content), content);
        off[p + 2] = ftell(fp);
        fprintf(fp,
                "%d 0 obj\n<< /Type /XObject /Subtype /Image %s /Length %zu "
                ">>\nstream\n",
                p + 2, pg[k].dict, pg[k].len);
        fwrite(pg[k].data, 1, pg[k].len, fp);
        fputs("\nendstream\nendobj\n", fp);
    }
    long xref = ftell(fp);
    fprintf(fp, "xref\n0 %d\n0000000000 65535 f \n", nobj + 1);
    for (int i = 1; i <= nobj; i++)
        fprintf(fp, "%010ld 00000 n \n", off[i]);
    fprintf(fp, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%ld\n%%%%EOF\n",
            nobj + 1, xref);
    return fclose(fp) == 0 ? 0 : -1;
}

static unsigned char *deflate_buf(const unsigned char *in, size_t n,
                                  size_t *pout)
{
    uLongf cap = compressBound(n);
    unsigned char *out = malloc(cap);
    if (out && compress2(out, &cap, in, n, 6) != Z_OK) {
        free(out);
        return NULL;
    }
    *pout = cap;
    return out;
}

/* PNG-filter rows of w grey bytes with filter type y % 5. */
static unsigned char *png_filter(const unsigned char *img, int w, int h)
{
    unsigned char *out = malloc((size_t)(w + 1) * h);
    for (int y = 0; y < h; y++) {
        const unsigned char *row = img + (size_t)y * w;
        const unsigned char *up = y ? row - w : NULL;
        unsigned char *o = out + (size_t)y * (w + 1);
        int t = y % 5;
        o[0] = (unsigned char)t;
        for (int x = 0; x < w; x++) {
            int a = x ? row[x - 1] : 0, b = up ? up[x] : 0,
                c = up && x ? up[x - 1] : 0, pr;
            switch (t) {
            case 0: pr = 0; break;
            case 1: pr = a; break;
            case 2: pr = b; break;
            case 3: pr = (a + b) / 2; break;
            default: {
                int p = a + b - c, pa = abs(p - a), pb = abs(p - b),
                    pc = abs(p - c);
                pr = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
            }
            }
            o[1 + x] = (unsigned char)(row[x] - pr);
        }
    }
    return out;
}

static int same_grey(PIX *pix, const unsigned char *img, int w, int h)
{
    if (!pix || pixGetDepth(pix) != 8 || pixGetWidth(pix) != w ||
        pixGetHeight(pix) != h)
        return 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            l_uint32 v;
            pixGetPixel(pix, x, y, &v);
            if (v != img[(size_t)y * w + x])
                return 0;
        }
    return 1;
}

static void page_pdf_read__flate_png_and_tiff_predictors__exact_pixels(void)
{
    enum { W = 37, H = 23 };
    unsigned char img[W * H];
    for (int i = 0; i < W * H; i++)
        img[i] = (unsigned char)rnd();
    unsigned char *f = png_filter(img, W, H);
    size_t zn, tn;
    unsigned char *z = deflate_buf(f, (size_t)(W + 1) * H, &zn);
    /* TIFF predictor 2: each byte minus the one on its left */
    unsigned char tp[W * H];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            tp[y * W + x] = (unsigned char)(img[y * W + x] -
                                            (x ? img[y * W + x - 1] : 0));
    unsigned char *tz = deflate_buf(tp, sizeof tp, &tn);
    /* 100 dpi across, 50 dpi down */
    TPage pg[2] = {
        {W * 0.72, H * 1.44, NULL,
         "/Width 37 /Height 23 /ColorSpace /DeviceGray /BitsPerComponent 8 "
         "/Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors 1 "
         "/BitsPerComponent 8 /Columns 37 >>",
         z, zn, NULL},
        {W * 0.72, H * 0.72, NULL,
         "/Width 37 /Height 23 /ColorSpace [/CalGray << /WhitePoint [1 1 1] "
         ">>] /BitsPerComponent 8 /Filter [/FlateDecode] /DecodeParms "
         "[<< /Predictor 2 /Colors 1 /BitsPerComponent 8 /Columns 37 >>]",
         tz, tn, NULL}};
    const char *path = tmp_path("pred.pdf");
    CHECK(write_pdf(path, pg, 2) == 0);
    PIX *a = page_pdf_read(path, 0, 0, 100000000);
    if (!a)
        printf("  %s\n", err_get());
    CHECK(same_grey(a, img, W, H));
    CHECK(a && pixGetXRes(a) == 100 && pixGetYRes(a) == 50);
    PIX *b = page_pdf_read(path, 1, 0, 100000000);
    CHECK(same_grey(b, img, W, H));
    CHECK(b && pixGetXRes(b) == 100 && pixGetYRes(b) == 100);
    pixDestroy(&a);
    pixDestroy(&b);
    free(f);
    free(z);
    free(tz);
    unlink(path);
}

static void page_pdf_read__raw_rgb_and_bilevel_decode__exact_pixels(void)
{
    enum { W = 19, H = 7 };
    unsigned char rgb[W * H * 3], bits[3 * H]; /* 19 bits: 3 bytes a row */
    for (size_t i = 0; i < sizeof rgb; i++)
        rgb[i] = (unsigned char)rnd();
    for (size_t i = 0; i < sizeof bits; i++)
        bits[i] = (unsigned char)rnd();
    TPage pg[3] = {
        {W, H, NULL, "/Width 19 /Height 7 /ColorSpace /DeviceRGB "
                     "/BitsPerComponent 8",
         rgb, sizeof rgb, NULL},
        {W, H, NULL, "/Width 19 /Height 7 /ColorSpace /DeviceGray "
                     "/BitsPerComponent 1",
         bits, sizeof bits, NULL},
        {W, H, NULL, "/Width 19 /Height 7 /ColorSpace /DeviceGray "
                     "/BitsPerComponent 1 /Decode [1 0]",
         bits, sizeof bits, NULL}};
    const char *path = tmp_path("raw.pdf");
    CHECK(write_pdf(path, pg, 3) == 0);
    PIX *c = page_pdf_read(path, 0, 0, 100000000);
    CHECK(c && pixGetDepth(c) == 32 && pixGetWidth(c) == W);
    int same = c != NULL;
    for (int y = 0; same && y < H; y++)
        for (int x = 0; x < W; x++) {
            int r, g, b;
            pixGetRGBPixel(c, x, y, &r, &g, &b);
            const unsigned char *s = rgb + 3 * (y * W + x);
            same &= r == s[0] && g == s[1] && b == s[2];
        }
    CHECK(same);
    CHECK(c && pixGetXRes(c) == 72);
    PIX *plain = page_pdf_read(path, 1, 0, 100000000);
    PIX *inv = page_pdf_read(path, 2, 0, 100000000);
    CHECK(plain && inv && pixGetDepth(plain) == 1 && pixGetDepth(inv) == 1);
    /* PDF grey 1 bit: 0 is black; with /Decode [1 0], 1 is black */
    same = plain && inv;
    for (int y = 0; same && y < H; y++)
        for (int x = 0; x < W; x++) {
            int bit = bits[y * 3 + x / 8] >> (7 - x % 8) & 1;
            l_uint32 p, q;
            pixGetPixel(plain, x, y, &p);
            pixGetPixel(inv, x, y, &q);
            same &= (int)p == !bit && (int)q == bit;
        }
    CHECK(same);
    pixDestroy(&c);
    pixDestroy(&plain);
    pixDestroy(&inv);
    unlink(path);
}

static void page_pdf_read__rotate_90__turned_and_resolution_swapped(void)
{
    enum { W = 20, H = 10 };
    unsigned char img[W * H];
    for (int i = 0; i < W * H; i++)
        img[i] = (unsigned char)(i % W == 0 ? 0 : 255); /* dark left column */
    /* 100 dpi across, 200 down */
    TPage pg = {W * 0.72, H * 0.36, "/Rotate 90",
                "/Width 20 /Height 10 /ColorSpace /DeviceGray "
                "/BitsPerComponent 8",
                img, sizeof img, NULL};
    const char *path = tmp_path("rot.pdf");
    CHECK(write_pdf(path, &pg, 1) == 0);
    PIX *p = page_pdf_read(path, 0, 0, 100000000);
    CHECK(p && pixGetWidth(p) == H && pixGetHeight(p) == W);
    CHECK(p && pixGetXRes(p) == 200 && pixGetYRes(p) == 100);
    /* turned clockwise, as viewers show it: the left column is on top */
    l_uint32 top, bottom;
    if (p) {
        pixGetPixel(p, 5, 0, &top);
        pixGetPixel(p, 5, W - 1, &bottom);
        CHECK(top == 0 && bottom == 255);
    }
    pixDestroy(&p);
    unlink(path);
}

static void page_pdf_read__image_not_covering_page__rendered_by_poppler(void)
{
    enum { W = 10, H = 10 };
    unsigned char img[W * H];
    memset(img, 0, sizeof img); /* black */
    TPage pg = {100, 50, NULL,
                "/Width 10 /Height 10 /ColorSpace /DeviceGray "
                "/BitsPerComponent 8",
                img, sizeof img, "q 20 0 0 20 10 10 cm /Im0 Do Q"};
    const char *path = tmp_path("offset.pdf");
    CHECK(write_pdf(path, &pg, 1) == 0);
    PIX *p = page_pdf_read(path, 0, 0, 100000000);
    if (!p)
        printf("  %s\n", err_get());
    /* 100 x 50 points at 300 dpi */
    CHECK(p && pixGetWidth(p) == 417 && pixGetHeight(p) == 209);
    CHECK(p && pixGetXRes(p) == 300);
    if (p) {
        int r, g, b;
        /* the square is black, from (10, 10) to (30, 30) points up */
        pixGetRGBPixel(p, 80, 208 - 80, &r, &g, &b);
        CHECK(r < 50 && g < 50 && b < 50);
        pixGetRGBPixel(p, 300, 100, &r, &g, &b);
        CHECK(r == 255 && g == 255 && b == 255);
    }
    pixDestroy(&p);
    /* and refused when the rendering would be over the pixel limit */
    CHECK(page_pdf_read(path, 0, 0, 50000) == NULL);
    CHECK(strstr(err_get(), "offset.pdf page 1: rendered at 300 dpi the "
                            "page is 417 x 209") != NULL);
    CHECK(strstr(err_get(), "limits.max_pixels = 50000") != NULL);
    unlink(path);
}

static void page_pdf_read__flate_bomb_and_short_data__capped_or_named(void)
{
    size_t big = 64u << 20, zn, sn;
    unsigned char *zeros = calloc(1, big);
    unsigned char *z = deflate_buf(zeros, big, &zn); /* ~64 KB */
    unsigned char *s = deflate_buf(zeros, 50, &sn);
    free(zeros);
    TPage pg[2] = {{72, 72, NULL,
                    "/Width 100 /Height 100 /ColorSpace /DeviceGray "
                    "/BitsPerComponent 8 /Filter /FlateDecode",
                    z, zn, NULL},
                   {72, 72, NULL,
                    "/Width 100 /Height 100 /ColorSpace /DeviceGray "
                    "/BitsPerComponent 8 /Filter /FlateDecode",
                    s, sn, NULL}};
    const char *path = tmp_path("bomb.pdf");
    CHECK(write_pdf(path, pg, 2) == 0);
    PIX *p = page_pdf_read(path, 0, 0, 100000000);
    CHECK(p && pixGetWidth(p) == 100 && pixGetDepth(p) == 8);
    pixDestroy(&p);
    CHECK(page_pdf_read(path, 1, 0, 100000000) == NULL);
    CHECK(strstr(err_get(), "bomb.pdf page 2: cannot decode the image") !=
          NULL);
    CHECK(page_pdf_read(path, 0, 0, 9999) == NULL);
    CHECK(strstr(err_get(), "bomb.pdf page 1: image is 100 x 100 = 10000 "
                            "pixels, over limits.max_pixels = 9999") != NULL);
    free(z);
    free(s);
    unlink(path);
}

static void page_pdf_list__three_pages__locators_read_them_and_limit_holds(void)
{
    unsigned char img[3][64];
    TPage pg[3];
    for (int k = 0; k < 3; k++) {
        memset(img[k], 40 * k, sizeof img[k]);
        static char dict[3][128];
        snprintf(dict[k], sizeof dict[k],
                 "/Width %d /Height %d /ColorSpace /DeviceGray "
                 "/BitsPerComponent 8",
                 8 * (k + 1), 8 / (k + 1));
        pg[k] = (TPage){72, 72, NULL, dict[k], img[k], sizeof img[k], NULL};
    }
    const char *path = tmp_path("three.pdf");
    CHECK(write_pdf(path, pg, 3) == 0);
    uint64_t *ref = NULL;
    int n = 0;
    CHECK(page_list(path, 0, &ref, &n) == 0 && n == 3 && ref);
    int count = 0;
    CHECK(page_count(path, &count) == 0 && count == 3);
    for (int k = 0; ref && k < 3; k++) {
        CHECK(ref[k] == (uint64_t)(3 + 3 * k) << 16);
        PIX *a = page_read_at(path, k, ref[k], 100000000);
        PIX *b = page_read(path, k, 100000000);
        CHECK(a && b && pixGetWidth(a) == 8 * (k + 1) &&
              pixGetWidth(b) == 8 * (k + 1));
        pixDestroy(&a);
        pixDestroy(&b);
    }
    /* a locator that names no page (the file changed): read by index */
    PIX *c = page_read_at(path, 1, (uint64_t)1 << 16, 100000000);
    CHECK(c && pixGetWidth(c) == 16);
    pixDestroy(&c);
    free(ref);
    CHECK(page_list(path, 2, &ref, &n) == -1 && ref == NULL);
    CHECK(strstr(err_get(), "three.pdf: 3 pages, more than "
                            "limits.max_pages = 2") != NULL);
    CHECK(page_read(path, 3, 100000000) == NULL);
    CHECK(strstr(err_get(), "three.pdf page 4: no such page") != NULL);
    CHECK(page_is_image_name("Scan.PDF") && page_is_image_name("a.pdf"));
    unlink(path);
}

/* The G4 data of a 1 bpp PIX (Leptonica writes one strip). */
static unsigned char *g4_bytes(PIX *pix, size_t *plen)
{
    const char *path = tmp_path("g4.tif");
    unsigned char *b = NULL;
    *plen = 0;
    if (pixWriteTiff(path, pix, IFF_TIFF_G4, "w") != 0)
        return NULL;
    TIFF *t = TIFFOpen(path, "r");
    if (t && TIFFNumberOfStrips(t) == 1) {
        tmsize_t n = TIFFRawStripSize(t, 0);
        if (n > 0 && (b = malloc((size_t)n)) &&
            TIFFReadRawStrip(t, 0, b, n) == n)
            *plen = (size_t)n;
    }
    if (t)
        TIFFClose(t);
    unlink(path);
    return b;
}

static unsigned char *be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
    return p + 4;
}

/* Segment header: number, type, no referred segments, page 1, length. */
static unsigned char *jb2_seg(unsigned char *p, uint32_t num, int type,
                              uint32_t len)
{
    p = be32(p, num);
    *p++ = (unsigned char)type;
    *p++ = 0;
    *p++ = 1;
    return be32(p, len);
}

/* An embedded JBIG2 stream (PDF's JBIG2Decode): page information, one
 * immediate lossless generic region over the page coded with MMR (T.6,
 * the G4 of TIFF), end of page. */
static unsigned char *jbig2_stream(const unsigned char *mmr, size_t n, int w,
                                   int h, size_t *plen)
{
    unsigned char *b = calloc(1, 3 * 11 + 19 + 18 + n), *p = b;
    p = jb2_seg(p, 0, 48, 19); /* page information */
    p = be32(p, (uint32_t)w);
    p = be32(p, (uint32_t)h);
    p = be32(p, 0);
    p = be32(p, 0);
    *p++ = 0;
    *p++ = 0;
    *p++ = 0;
    p = jb2_seg(p, 1, 39, (uint32_t)(18 + n)); /* immediate lossless generic */
    p = be32(p, (uint32_t)w);
    p = be32(p, (uint32_t)h);
    p = be32(p, 0);
    p = be32(p, 0);
    *p++ = 0; /* OR */
    *p++ = 1; /* MMR */
    memcpy(p, mmr, n);
    p += n;
    p = jb2_seg(p, 2, 49, 0); /* end of page */
    *plen = (size_t)(p - b);
    return b;
}

static void page_pdf_read__jbig2_mmr_page__pixels_of_the_bitmap(void)
{
    enum { W = 203, H = 61 };
    PIX *ref = pixCreate(W, H, 1);
    for (int i = 0; i < 40; i++)
        pixRasterop(ref, (int)(rnd() % W), (int)(rnd() % H),
                    (int)(rnd() % 30 + 1), (int)(rnd() % 12 + 1), PIX_SET,
                    NULL, 0, 0);
    size_t gn, jn, cut;
    unsigned char *g4 = g4_bytes(ref, &gn);
    CHECK(g4 && gn > 0);
    unsigned char *jb = jbig2_stream(g4, gn, W, H, &jn);
    /* the region cut short: the end-of-page segment and most of the
     * data gone */
    cut = 11 + 19 + 11 + 18 + gn / 4;
    const char *dict = "/Width 203 /Height 61 /ColorSpace /DeviceGray "
                       "/BitsPerComponent 1 /Filter /JBIG2Decode";
    TPage pg[3] = {{W * 0.72, H * 0.72, NULL, dict, jb, jn, NULL},
                   {W * 0.72, H * 0.72, NULL,
                    "/Width 203 /Height 61 /ColorSpace /DeviceGray "
                    "/BitsPerComponent 1 /Filter /JBIG2Decode "
                    "/Decode [1 0]",
                    jb, jn, NULL},
                   {W * 0.72, H * 0.72, NULL, dict, jb, cut, NULL}};
    const char *path = tmp_path("jbig2.pdf");
    CHECK(write_pdf(path, pg, 3) == 0);
    PIX *p = page_pdf_read(path, 0, 0, 100000000);
    if (!p)
        printf("  %s\n", err_get());
    int same = -1;
    CHECK(p && pixEqual(p, ref, &same) == 0 && same == 1);
    CHECK(p && pixGetXRes(p) == 100);
    PIX *inv = page_pdf_read(path, 1, 0, 100000000);
    PIX *neg = pixInvert(NULL, ref);
    same = -1;
    CHECK(inv && pixEqual(inv, neg, &same) == 0 && same == 1);
    PIX *bad = page_pdf_read(path, 2, 0, 100000000);
    if (bad) {
        /* jbig2dec may finish a short region with white rows: then it
         * must not be the whole page */
        same = -1;
        CHECK(pixEqual(bad, ref, &same) == 0 && same == 0);
    } else {
        CHECK(strstr(err_get(), "jbig2.pdf page 3:") != NULL);
    }
    pixDestroy(&p);
    pixDestroy(&inv);
    pixDestroy(&neg);
    pixDestroy(&bad);
    pixDestroy(&ref);
    free(g4);
    free(jb);
    unlink(path);
}

static void page_pdf_read__jbig2_region_over_limit__refused_before_render(
    void)
{
    /* A JBIG2 image drawn off the page's corner goes to poppler, which
     * allocates what the stream declares: a generic region 268 million
     * pixels wide in a 203 x 61 image took 2 GB (found by fuzz_pdf). The
     * declared sizes are checked against the pixel limit first. */
    enum { W = 203, H = 61 };
    PIX *ref = pixCreate(W, H, 1);
    pixRasterop(ref, 20, 10, 50, 20, PIX_SET, NULL, 0, 0);
    size_t gn, jn;
    unsigned char *g4 = g4_bytes(ref, &gn);
    unsigned char *jb = g4 ? jbig2_stream(g4, gn, W, H, &jn) : NULL;
    CHECK(jb != NULL);
    if (jb)
        be32(jb + 11 + 19 + 11, 0x100000cbu); /* the region's width */
    TPage pg = {300, 100, NULL,
                "/Width 203 /Height 61 /ColorSpace /DeviceGray "
                "/BitsPerComponent 1 /Filter /JBIG2Decode",
                jb, jb ? jn : 0, "q 146 0 0 44 10 10 cm /Im0 Do Q"};
    const char *path = tmp_path("jbig2big.pdf");
    CHECK(jb && write_pdf(path, &pg, 1) == 0);
    PIX *p = page_pdf_read(path, 0, 0, 100000000);
    CHECK(p == NULL);
    CHECK(strstr(err_get(), "jbig2big.pdf page 1: JBIG2 image (object") !=
          NULL);
    CHECK(strstr(err_get(), "declares 16374575199 pixels, over "
                            "limits.max_pixels = 100000000") != NULL);
    if (!test_case_failed) {
        /* the same image with its true width renders */
        be32(jb + 11 + 19 + 11, W);
        CHECK(write_pdf(path, &pg, 1) == 0);
        p = page_pdf_read(path, 0, 0, 100000000);
        if (!p)
            printf("  %s\n", err_get());
        CHECK(p != NULL);
    }
    pixDestroy(&p);
    pixDestroy(&ref);
    free(g4);
    free(jb);
    unlink(path);
}

static void page_pdf_read__huge_image_elsewhere__refused_before_render(void)
{
    /* poppler decodes an image whole however small it is drawn: a page
     * that goes to poppler is refused when an image of the file is over
     * the pixel limit by its /Width and /Height. */
    unsigned char img[100];
    memset(img, 0, sizeof img);
    TPage pg[2] = {{100, 50, NULL,
                    "/Width 10 /Height 10 /ColorSpace /DeviceGray "
                    "/BitsPerComponent 8",
                    img, sizeof img, "q 20 0 0 20 10 10 cm /Im0 Do Q"},
                   {100, 50, NULL,
                    "/Width 20000 /Height 20000 /ColorSpace /DeviceGray "
                    "/BitsPerComponent 8",
                    img, sizeof img, "q 20 0 0 20 10 10 cm /Im0 Do Q"}};
    const char *path = tmp_path("hugeimg.pdf");
    CHECK(write_pdf(path, pg, 2) == 0);
    CHECK(page_pdf_read(path, 0, 0, 100000000) == NULL);
    CHECK(strstr(err_get(), "hugeimg.pdf page 1: an image of the file "
                            "(object") != NULL);
    CHECK(strstr(err_get(), "is 20000 x 20000 = 400000000 pixels, over "
                            "limits.max_pixels = 100000000") != NULL);
    /* under a limit it fits, the page renders */
    PIX *p = page_pdf_read(path, 0, 0, 500000000);
    CHECK(p != NULL);
    pixDestroy(&p);
    unlink(path);
}

static void page_pdf_read__poppler_never_finishes__page_fails_in_time(void)
{
    /* A damaged file fuzz_pdf found (minimised): its JBIG2 stream has no
     * end, and poppler decodes on past the end of the file without end.
     * poppler renders in a child under a CPU limit: the page fails naming
     * file and page, the caller goes on. The test runs it in a child of
     * its own whose hard CPU limit of 3 s caps the renderer's to 2 s. */
    static const char pdf[] =
        "%PDF-\n"
        "1 0 obj<<///Pages 2 0 R>>\n"
        "2 0 obj<<///Kids[3 0 R]/Count 3>>\n"
        "3 0 obj<</MediaBox[0 0 6 2]/Resources<</XObject<</Im0 5 0R>>>"
        ">/Contents 4 0R>>\n"
        "4 0 obj<<>>stream\n"
        "/Im0 Do\n"
        "5 0 obj<<///Subtype/Image/W 2/Height 6/ColorSpace/DeviceGray/"
        "BitsPerComponent 1/Filter/JBIG2Decode>>stream\n"
        "\x00\x00\x00\x00"
        "0\x00\x01\x00\x00\x00\x13\x00\x00\x00\xcb\x00\x00\x00=\x00\x00"
        "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01'\x00\x01"
        "\x00\x00\x00\xa4\x00\x00\x00\xcb\x00"
        "D\n"
        "trailer<<  /Root 1 0 R>>";
    const char *path = tmp_path("endless.pdf");
    FILE *fp = fopen(path, "wb");
    CHECK(fp && fwrite(pdf, 1, sizeof pdf - 1, fp) == sizeof pdf - 1);
    if (fp)
        fclose(fp);
    fflush(NULL);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit rl = {3, 3};
        setrlimit(RLIMIT_CPU, &rl);
        PIX *p = page_pdf_read(path, 0, 0, 100000000);
        int ok = !p && strstr(err_get(),
                              "endless.pdf page 1: poppler did not render "
                              "the page within its time limit") != NULL;
        if (!ok)
            printf("  %s\n", err_get());
        fflush(stdout);
        _exit(ok ? 0 : 1);
    }
    int status = -1;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    double secs = (double)(t1.tv_sec - t0.tv_sec) +
                  1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    CHECK(secs < 30);
    unlink(path);
}

static void page_list__garbage_after_pdf_header__error_names_file(void)
{
    const char *path = tmp_path("garbage.pdf");
    FILE *fp = fopen(path, "wb");
    fputs("%PDF-1.7\nthis is not a PDF at all\n", fp);
    fclose(fp);
    int n;
    CHECK(page_count(path, &n) == -1);
    CHECK(strstr(err_get(), "garbage.pdf: cannot read the PDF") != NULL);
    CHECK(page_read(path, 0, 100000000) == NULL);
    CHECK(strstr(err_get(), "garbage.pdf") != NULL);
    unlink(path);
}

int main(void)
{
    setMsgSeverity(L_SEVERITY_NONE);
    RUN(page_pdf_read__flate_png_and_tiff_predictors__exact_pixels);
    RUN(page_pdf_read__raw_rgb_and_bilevel_decode__exact_pixels);
    RUN(page_pdf_read__rotate_90__turned_and_resolution_swapped);
    RUN(page_pdf_read__image_not_covering_page__rendered_by_poppler);
    RUN(page_pdf_read__flate_bomb_and_short_data__capped_or_named);
    RUN(page_pdf_read__jbig2_mmr_page__pixels_of_the_bitmap);
    RUN(page_pdf_read__jbig2_region_over_limit__refused_before_render);
    RUN(page_pdf_read__huge_image_elsewhere__refused_before_render);
    RUN(page_pdf_read__poppler_never_finishes__page_fails_in_time);
    RUN(page_pdf_list__three_pages__locators_read_them_and_limit_holds);
    RUN(page_list__garbage_after_pdf_header__error_names_file);
    TEST_EXIT();
}
