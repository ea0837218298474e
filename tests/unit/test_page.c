/* test_page.c - page_read and its PNG fast path (input/page.c,
 * input/page_png.c): the same PIX as Leptonica's pixRead for every PNG
 * colour type, bit depth, filter and interlace (an alpha channel put over
 * white paper on both paths, as viewers show it); the same failures for
 * truncated and corrupt files, with the file named; the pixel limit checked
 * from the header. PNGs are written here with libpng (every filter forced
 * in turn) or chunk by chunk with zlib for the damaged ones. Multi-page
 * TIFFs (written with libtiff: classic and BigTIFF, either byte order):
 * page_list's directory offsets give page_read_at the page pixReadTiff
 * gives, without walking the pages before it; limits.max_pages; a decode
 * that runs out of memory says so. */
#include "common/err.h"
#include "input/page.h"
#include "tests/unit/test.h"

#include <fcntl.h>
#include <png.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <tiffio.h>
#include <unistd.h>
#include <zlib.h>

static unsigned rng = 7;
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
    snprintf(p, 1024, "%s/test_page_%d_%s", test_tmpdir(), (int)getpid(), name);
    return p;
}

/* Run f(path) with stderr sent to /dev/null (libpng prints its errors). */
static PIX *quiet_read(PIX *(*f)(const char *), const char *path)
{
    fflush(stderr);
    int saved = dup(2), nul = open("/dev/null", O_WRONLY);
    dup2(nul, 2);
    PIX *pix = f(path);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(nul);
    return pix;
}

static PIX *read_default(const char *path)
{
    return page_read(path, 0, 100000000);
}

typedef struct {
    int ctype, depth, interlace, filter;
    int ppm, unit;    /* pHYs (unit 0 = none written when ppm == 0) */
    const char *text; /* tEXt "Comment" */
    int trns, ztxt;   /* tRNS / zTXt chunks */
    int idat_size;    /* compression buffer: IDAT chunk size; 0 = default */
} PngSpec;

/* Write a w x h PNG of smooth ramps plus noise (so that every filter has
 * something to do) with libpng. Returns 0 or -1. */
static int write_png(const char *path, int w, int h, const PngSpec *s)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return -1;
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    int chans = s->ctype == PNG_COLOR_TYPE_RGB          ? 3
                : s->ctype == PNG_COLOR_TYPE_RGB_ALPHA  ? 4
                : s->ctype == PNG_COLOR_TYPE_GRAY_ALPHA ? 2
                                                        : 1;
    size_t rowbytes = ((size_t)w * chans * s->depth + 7) / 8;
    unsigned char *row = calloc(rowbytes + 8, 1);
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        fclose(fp);
        free(row);
        return -1;
    }
    png_init_io(png, fp);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, s->depth, s->ctype,
                 s->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_filter(png, 0, s->filter ? s->filter : PNG_ALL_FILTERS);
    if (s->idat_size)
        png_set_compression_buffer_size(png, (size_t)s->idat_size);
    if (s->ppm || s->unit)
        png_set_pHYs(png, info, (png_uint_32)s->ppm, (png_uint_32)s->ppm,
                     s->unit);
    if (s->ctype == PNG_COLOR_TYPE_PALETTE) {
        png_color pal[256];
        for (int i = 0; i < 256; i++)
            pal[i] = (png_color){(png_byte)i, (png_byte)(255 - i),
                                 (png_byte)(i * 7)};
        png_set_PLTE(png, info, pal, 1 << s->depth);
    }
    if (s->trns) {
        png_byte alpha[2] = {0, 128};
        png_color_16 tc = {0, 10, 20, 30, 10};
        if (s->ctype == PNG_COLOR_TYPE_PALETTE)
            png_set_tRNS(png, info, alpha, 2, NULL);
        else
            png_set_tRNS(png, info, NULL, 0, &tc);
    }
    png_text txt[2];
    int ntxt = 0;
    if (s->text)
        txt[ntxt++] = (png_text){PNG_TEXT_COMPRESSION_NONE,
                                 "Comment",
                                 (char *)s->text,
                                 strlen(s->text),
                                 0,
                                 NULL,
                                 NULL};
    if (s->ztxt)
        txt[ntxt++] = (png_text){PNG_TEXT_COMPRESSION_zTXt,
                                 "Software",
                                 "inkpipe test fixture",
                                 20,
                                 0,
                                 NULL,
                                 NULL};
    if (ntxt)
        png_set_text(png, info, txt, ntxt);
    png_write_info(png, info);
    int passes = s->interlace ? png_set_interlace_handling(png) : 1;
    for (int pass = 0; pass < passes; pass++) {
        rng = 1234;
        for (int y = 0; y < h; y++) {
            int maxv = (1 << s->depth) - 1;
            for (int x = 0; x < w * chans; x++) {
                int v = (x * 5 + y * 3 + (int)(rnd() % 9)) % (maxv + 1);
                if (s->depth == 16) {
                    row[2 * x] = (unsigned char)(v >> 8);
                    row[2 * x + 1] = (unsigned char)(v ^ (int)(rnd() & 0xff));
                } else if (s->depth == 8) {
                    row[x] = (unsigned char)v;
                } else {
                    int per = 8 / s->depth, bit = (x % per) * s->depth;
                    if (x % per == 0)
                        row[x / per] = 0;
                    row[x / per] |=
                        (unsigned char)((v & maxv) << (8 - s->depth - bit));
                }
            }
            png_write_row(png, row);
        }
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(row);
    return fclose(fp) == 0 ? 0 : -1;
}

/* 1 when a and b are the same PIX, down to the padding bits. */
static int same_pix(PIX *a, PIX *b)
{
    if (!a || !b)
        return 0;
    if (pixGetWidth(a) != pixGetWidth(b) ||
        pixGetHeight(a) != pixGetHeight(b) ||
        pixGetDepth(a) != pixGetDepth(b) || pixGetSpp(a) != pixGetSpp(b) ||
        pixGetXRes(a) != pixGetXRes(b) || pixGetYRes(a) != pixGetYRes(b) ||
        pixGetInputFormat(a) != pixGetInputFormat(b) ||
        !pixGetColormap(a) != !pixGetColormap(b))
        return 0;
    const char *ta = pixGetText(a), *tb = pixGetText(b);
    if (!ta != !tb || (ta && strcmp(ta, tb)))
        return 0;
    size_t n = (size_t)pixGetWpl(a) * pixGetHeight(a) * 4;
    return memcmp(pixGetData(a), pixGetData(b), n) == 0;
}

/* Leptonica leaves the padding bits at the end of each row undefined for
 * some conversions: set them to 0 in a PIX that came from pixRead. */
static void clear_pad(PIX *pix)
{
    if (pix && pixGetDepth(pix) < 32)
        pixSetPadBits(pix, 0);
}

/* Write the spec at w x h, then check the fast path takes it (or not, by
 * `fast`) and that page_read gives exactly pixRead's PIX (with any alpha
 * channel put over white by page_flatten_alpha). */
static void check_spec(int w, int h, const PngSpec *s, int fast)
{
    const char *path = tmp_path("spec.png");
    CHECK(write_png(path, w, h, s) == 0);
    PIX *ref = quiet_read(pixRead, path);
    page_flatten_alpha(ref);
    PIX *f = page_png_read(path);
    PIX *p = quiet_read(read_default, path);
    CHECK(ref != NULL);
    CHECK(!f == !fast);
    /* the fast path's own padding must already be 0 */
    clear_pad(ref);
    if (!fast)
        clear_pad(p);
    if (f && !same_pix(f, ref))
        printf("  differs: %dx%d ctype %d depth %d filter %d\n", w, h, s->ctype,
               s->depth, s->filter);
    CHECK(!f || same_pix(f, ref));
    if (s->interlace && s->depth < 8) {
        /* pixRead's own result for these holds bits that valgrind sees as
         * undefined (libpng's sub-byte interlace): the same PIX, not the
         * same bytes, is all that can be checked */
        CHECK(p && ref && pixGetWidth(p) == pixGetWidth(ref) &&
              pixGetHeight(p) == pixGetHeight(ref) &&
              pixGetDepth(p) == pixGetDepth(ref));
    } else {
        CHECK(same_pix(p, ref));
    }
    pixDestroy(&ref);
    pixDestroy(&f);
    pixDestroy(&p);
    unlink(path);
}

static void page_png_read__grey8_every_filter_and_width__equals_pixread(void)
{
    static const int filters[] = {PNG_FILTER_NONE,  PNG_FILTER_SUB,
                                  PNG_FILTER_UP,    PNG_FILTER_AVG,
                                  PNG_FILTER_PAETH, 0};
    static const int widths[] = {1, 2, 3, 4, 5, 7, 33, 100};
    for (size_t f = 0; f < sizeof filters / sizeof *filters; f++)
        for (size_t i = 0; i < sizeof widths / sizeof *widths; i++) {
            PngSpec s = {
                PNG_COLOR_TYPE_GRAY, 8, 0, filters[f], 11811, 1, NULL, 0, 0, 0};
            check_spec(widths[i], 9, &s, 1);
        }
}

static void page_png_read__grey16_rgb8_rgb16__equals_pixread(void)
{
    static const int filters[] = {PNG_FILTER_SUB, PNG_FILTER_AVG,
                                  PNG_FILTER_PAETH, 0};
    for (size_t f = 0; f < sizeof filters / sizeof *filters; f++) {
        PngSpec g16 = {
            PNG_COLOR_TYPE_GRAY, 16, 0, filters[f], 0, 0, NULL, 0, 0, 0};
        PngSpec rgb8 = {
            PNG_COLOR_TYPE_RGB, 8, 0, filters[f], 2835, 1, NULL, 0, 0, 0};
        PngSpec rgb16 = {
            PNG_COLOR_TYPE_RGB, 16, 0, filters[f], 0, 0, NULL, 0, 0, 0};
        check_spec(13, 6, &g16, 1);
        check_spec(13, 6, &rgb8, 1);
        check_spec(5, 6, &rgb16, 1);
    }
}

static void page_png_read__many_idat_chunks_phys_text__equals_pixread(void)
{
    /* IDATs of 100 bytes; pHYs in metres and with no unit; a tEXt */
    PngSpec a = {PNG_COLOR_TYPE_GRAY, 8, 0, 0,  3937, 1,
                 "scanned by test",   0, 0, 100};
    PngSpec b = {PNG_COLOR_TYPE_GRAY, 8, 0, 0, 5000, 0, NULL, 0, 0, 0};
    PngSpec c = {PNG_COLOR_TYPE_GRAY, 8, 0, 0, 0, 0, NULL, 0, 0, 0};
    check_spec(120, 50, &a, 1);
    check_spec(20, 5, &b, 1);
    check_spec(20, 5, &c, 1);
}

static void page_read__other_png_kinds__declined_and_equal_pixread(void)
{
    const PngSpec specs[] = {
        {PNG_COLOR_TYPE_GRAY, 1, 0, 0, 0, 0, NULL, 0, 0, 0},
        {PNG_COLOR_TYPE_GRAY, 2, 0, 0, 0, 0, NULL, 0, 0, 0},
        {PNG_COLOR_TYPE_GRAY, 4, 0, 0, 0, 0, NULL, 0, 0, 0},
        {PNG_COLOR_TYPE_PALETTE, 1, 0, 0, 0, 0, NULL, 0, 0, 0},
        {PNG_COLOR_TYPE_PALETTE, 2, 0, 0, 0, 0, NULL, 0, 0, 0},
        {PNG_COLOR_TYPE_PALETTE, 4, 0, 0, 0, 0, NULL, 0, 0, 0},
        {PNG_COLOR_TYPE_PALETTE, 8, 0, 0, 0, 0, NULL, 0, 0, 0},
        {PNG_COLOR_TYPE_PALETTE, 8, 0, 0, 0, 0, NULL, 1, 0, 0},
        {PNG_COLOR_TYPE_GRAY_ALPHA, 8, 1, 0, 0, 0, NULL, 0, 0, 0},
        {PNG_COLOR_TYPE_RGB_ALPHA, 16, 1, 0, 0, 0, NULL, 0, 0, 0},
        {PNG_COLOR_TYPE_GRAY, 8, 1, 0, 0, 0, NULL, 0, 0, 0},
        {PNG_COLOR_TYPE_GRAY, 16, 1, 0, 0, 0, NULL, 0, 0, 0},
        {PNG_COLOR_TYPE_RGB, 8, 1, 0, 0, 0, NULL, 0, 0, 0},
        {PNG_COLOR_TYPE_GRAY, 1, 1, 0, 0, 0, NULL, 0, 0, 0},
        {PNG_COLOR_TYPE_GRAY, 8, 0, 0, 0, 0, NULL, 1, 0, 0},
        {PNG_COLOR_TYPE_RGB, 8, 0, 0, 0, 0, NULL, 1, 0, 0},
        {PNG_COLOR_TYPE_GRAY, 8, 0, 0, 0, 0, NULL, 0, 1, 0},
    };
    for (size_t i = 0; i < sizeof specs / sizeof *specs; i++)
        check_spec(11, 7, &specs[i], 0);
}

static void page_png_read__grey_alpha_rgba_8_16__flattened_equals_pixread(void)
{
    static const int filters[] = {PNG_FILTER_NONE, PNG_FILTER_SUB,
                                  PNG_FILTER_UP,   PNG_FILTER_AVG,
                                  PNG_FILTER_PAETH, 0};
    for (size_t f = 0; f < sizeof filters / sizeof *filters; f++) {
        PngSpec ga8 = {
            PNG_COLOR_TYPE_GRAY_ALPHA, 8, 0, filters[f], 0, 0, NULL, 0, 0, 0};
        PngSpec ga16 = {
            PNG_COLOR_TYPE_GRAY_ALPHA, 16, 0, filters[f], 0, 0, NULL, 0, 0, 0};
        PngSpec rgba8 = {
            PNG_COLOR_TYPE_RGB_ALPHA, 8, 0, filters[f], 2835, 1, NULL, 0, 0, 0};
        PngSpec rgba16 = {
            PNG_COLOR_TYPE_RGB_ALPHA, 16, 0, filters[f], 0, 0, NULL, 0, 0, 0};
        check_spec(13, 6, &ga8, 1);
        check_spec(7, 6, &ga16, 1);
        check_spec(13, 6, &rgba8, 1);
        check_spec(5, 6, &rgba16, 1);
    }
}

/* A CoMNIST-style glyph: colour 0 (black) everywhere, the ink in the alpha
 * channel: a filled 6 x 4 block at (2, 1) opaque, column 10 half
 * transparent (alpha 128), the rest transparent. */
static int write_alpha_ink_png(const char *path, int ctype, int depth,
                               int interlace)
{
    const int w = 12, h = 6;
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return -1;
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    int chans = ctype == PNG_COLOR_TYPE_RGB_ALPHA ? 4 : 2, bps = depth / 8;
    unsigned char row[12 * 4 * 2];
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        fclose(fp);
        return -1;
    }
    png_init_io(png, fp);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, depth, ctype,
                 interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    int passes = interlace ? png_set_interlace_handling(png) : 1;
    for (int pass = 0; pass < passes; pass++)
        for (int y = 0; y < h; y++) {
            memset(row, 0, sizeof row);
            for (int x = 0; x < w; x++) {
                int a = (x >= 2 && x < 8 && y >= 1 && y < 5) ? 255
                        : x == 10                            ? 128
                                                             : 0;
                /* 16 bit: the high byte carries the value */
                row[((size_t)x * chans + chans - 1) * bps] = (unsigned char)a;
            }
            png_write_row(png, row);
        }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return fclose(fp) == 0 ? 0 : -1;
}

static void page_read__ink_in_alpha_over_black__dark_on_white(void)
{
    const int kinds[][2] = {{PNG_COLOR_TYPE_GRAY_ALPHA, 8},
                            {PNG_COLOR_TYPE_GRAY_ALPHA, 16},
                            {PNG_COLOR_TYPE_RGB_ALPHA, 8},
                            {PNG_COLOR_TYPE_RGB_ALPHA, 16}};
    const char *path = tmp_path("alpha_ink.png");
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
        for (int interlace = 0; interlace <= 1; interlace++) {
            /* interlaced files are not on the fast path: Leptonica's path */
            CHECK(write_alpha_ink_png(path, kinds[k][0], kinds[k][1],
                                      interlace) == 0);
            PIX *p = quiet_read(read_default, path);
            CHECK(p != NULL);
            if (!p)
                continue;
            CHECK(pixGetDepth(p) == 32 && pixGetSpp(p) == 3);
            l_uint32 paper = 0, ink = 0, half = 0;
            pixGetPixel(p, 0, 0, &paper);
            pixGetPixel(p, 4, 2, &ink);
            pixGetPixel(p, 10, 3, &half);
            if (paper >> 8 != 0xffffff || ink >> 8 != 0 ||
                half >> 8 != 0x7f7f7f)
                printf("  ctype %d depth %d interlace %d: paper %08x ink "
                       "%08x half %08x\n",
                       kinds[k][0], kinds[k][1], interlace, (unsigned)paper,
                       (unsigned)ink, (unsigned)half);
            CHECK(paper >> 8 == 0xffffff); /* transparent black -> white */
            CHECK(ink >> 8 == 0);          /* opaque black stays black */
            CHECK(half >> 8 == 0x7f7f7f);  /* 255 * 127 / 255, rounded */
            /* the whole page: 24 ink pixels, the half column, white */
            PIX *g = pixConvertRGBToLuminance(p);
            l_int32 dark = 0;
            PIX *b = g ? pixThresholdToBinary(g, 100) : NULL;
            if (b)
                pixCountPixels(b, &dark, NULL);
            CHECK(dark == 24);
            pixDestroy(&b);
            pixDestroy(&g);
            pixDestroy(&p);
        }
    unlink(path);
}

/* ---- hand-made files for damage ---------------------------------------- */

static unsigned char *put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
    return p + 4;
}

static unsigned char *chunk(unsigned char *p, const char *type,
                            const unsigned char *data, uint32_t len)
{
    p = put32(p, len);
    memcpy(p, type, 4);
    if (len)
        memcpy(p + 4, data, len);
    uLong c = crc32(0, p, len + 4);
    return put32(p + 4 + len, (uint32_t)c);
}

/* An 8-bit grey PNG of w x h (claimed) from raw filtered rows raw[rawlen],
 * zlib-compressed; returns the file size written to buf. */
static size_t make_png(unsigned char *buf, uint32_t w, uint32_t h,
                       const unsigned char *raw, size_t rawlen)
{
    static const unsigned char sig[8] = {137, 'P', 'N', 'G', 13, 10, 26, 10};
    unsigned char ihdr[13], *p = buf;
    put32(ihdr, w);
    put32(ihdr + 4, h);
    ihdr[8] = 8;
    ihdr[9] = ihdr[10] = ihdr[11] = ihdr[12] = 0;
    memcpy(p, sig, 8);
    p = chunk(p + 8, "IHDR", ihdr, 13);
    uLongf zlen = compressBound(rawlen);
    unsigned char *z = malloc(zlen);
    compress2(z, &zlen, raw, rawlen, 6);
    p = chunk(p, "IDAT", z, (uint32_t)zlen);
    free(z);
    p = chunk(p, "IEND", NULL, 0);
    return (size_t)(p - buf);
}

static void write_file(const char *path, const unsigned char *b, size_t n)
{
    FILE *fp = fopen(path, "wb");
    fwrite(b, 1, n, fp);
    fclose(fp);
}

/* page_read must give what pixRead gives: the same PIX or, when pixRead
 * fails, NULL with a message naming the file. Returns 1 if it decoded. */
static int check_same_as_pixread(const char *path)
{
    PIX *ref = quiet_read(pixRead, path);
    PIX *p = quiet_read(read_default, path);
    CHECK(!ref == !p);
    clear_pad(ref);
    clear_pad(p);
    if (ref && p)
        CHECK(same_pix(p, ref));
    if (!p)
        CHECK(strstr(err_get(), path) != NULL);
    int ok = p != NULL;
    pixDestroy(&ref);
    pixDestroy(&p);
    return ok;
}

/* Grey rows with a filter type drawn per row (0-4, as a scanner's encoder
 * picks them) are unfiltered 16 at a time (unfilter_wave): every mix of
 * types in a group, widths on both sides of 16 and of the in-place rule
 * (w % 4), heights with and without a partial last group, and a bad type
 * inside a group. Raw random bytes make every prediction matter. */
static void page_png_read__grey8_rows_of_mixed_filters__equals_pixread(void)
{
    static const uint32_t widths[] = {15, 16, 17, 31, 32, 35, 100, 257};
    static const uint32_t heights[] = {16, 17, 33, 48};
    const char *path = tmp_path("mixed.png");
    uint32_t seed = 12345;
    for (size_t i = 0; i < sizeof widths / sizeof *widths; i++)
        for (size_t j = 0; j < sizeof heights / sizeof *heights; j++)
            for (int mode = 0; mode < 6; mode++) {
                uint32_t w = widths[i], h = heights[j];
                size_t stride = (size_t)w + 1, len = stride * h;
                unsigned char *raw = malloc(len);
                unsigned char *file = malloc(2 * len + 4096);
                CHECK(raw && file);
                if (!raw || !file) {
                    free(raw);
                    free(file);
                    return;
                }
                for (size_t k = 0; k < len; k++) {
                    seed = seed * 1103515245u + 12345u;
                    raw[k] = (unsigned char)(seed >> 16);
                }
                for (uint32_t y = 0; y < h; y++) {
                    seed = seed * 1103515245u + 12345u;
                    /* 0: all Average, 1: no Paeth, 2: all Paeth, 3-5:
                     * any type */
                    unsigned t = (seed >> 16) % (mode == 1 ? 4u : 5u);
                    raw[y * stride] =
                        (unsigned char)(mode == 0 ? 3 : mode == 2 ? 4 : t);
                }
                if (mode == 3 && h > 20)
                    raw[20 * stride] = 7; /* bad type inside the 2nd group */
                size_t n = make_png(file, w, h, raw, len);
                write_file(path, file, n);
                PIX *f = page_png_read(path);
                CHECK(!f == (mode == 3 && h > 20));
                pixDestroy(&f);
                CHECK(check_same_as_pixread(path) == !(mode == 3 && h > 20));
                free(raw);
                free(file);
            }
    unlink(path);
}

static void page_read__truncated_png__fails_like_pixread(void)
{
    PngSpec s = {PNG_COLOR_TYPE_GRAY, 8, 0, 0, 11811, 1, NULL, 0, 0, 300};
    const char *src = tmp_path("whole.png"), *cut = tmp_path("cut.png");
    CHECK(write_png(src, 64, 40, &s) == 0);
    FILE *fp = fopen(src, "rb");
    unsigned char buf[65536];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    CHECK(n > 1000 && n < sizeof buf);
    int decoded = 0, tried = 0;
    for (size_t len = 0; len < n; len += len < 80 ? 5 : 97) {
        write_file(cut, buf, len);
        decoded += check_same_as_pixread(cut);
        tried++;
    }
    /* just before IEND, and IEND cut short */
    write_file(cut, buf, n - 12);
    decoded += check_same_as_pixread(cut);
    write_file(cut, buf, n - 1);
    decoded += check_same_as_pixread(cut);
    CHECK(tried > 10);
    CHECK(decoded == 0); /* every cut file fails, as with pixRead */
    unlink(src);
    unlink(cut);
}

static void page_read__corrupt_png__fails_like_pixread(void)
{
    const char *path = tmp_path("bad.png");
    uint32_t w = 16, h = 8;
    unsigned char raw[8 * 17], file[4096];
    for (uint32_t y = 0; y < h; y++) {
        raw[y * 17] = (unsigned char)(y % 5);
        for (uint32_t x = 0; x < w; x++)
            raw[y * 17 + 1 + x] = (unsigned char)(x * 9 + y);
    }
    /* the intact file decodes on the fast path */
    size_t n = make_png(file, w, h, raw, sizeof raw);
    write_file(path, file, n);
    PIX *f = page_png_read(path);
    CHECK(f != NULL);
    pixDestroy(&f);
    CHECK(check_same_as_pixread(path) == 1);

    /* a chunk type that is not four letters (libpng: error), valid CRC */
    {
        unsigned char two[2] = {1, 2};
        unsigned char *q = chunk(file + n - 12, "bKG;", two, 2);
        q = chunk(q, "IEND", NULL, 0);
        write_file(path, file, (size_t)(q - file));
        CHECK(page_png_read(path) == NULL);
        check_same_as_pixread(path);
        n = make_png(file, w, h, raw, sizeof raw);
    }

    /* a flipped byte in the image data: CRC mismatch */
    file[8 + 25 + 8 + 5] ^= 0x40;
    write_file(path, file, n);
    CHECK(page_png_read(path) == NULL);
    CHECK(check_same_as_pixread(path) == 0);

    /* bad filter type 7 (valid zlib, valid CRC) */
    raw[3 * 17] = 7;
    n = make_png(file, w, h, raw, sizeof raw);
    write_file(path, file, n);
    CHECK(page_png_read(path) == NULL);
    CHECK(check_same_as_pixread(path) == 0);
    raw[3 * 17] = 1;

    /* too little image data: the header claims one more row */
    n = make_png(file, w, h + 1, raw, sizeof raw);
    write_file(path, file, n);
    CHECK(page_png_read(path) == NULL);
    CHECK(check_same_as_pixread(path) == 0);

    /* too much image data: libpng warns and decodes; so must we */
    n = make_png(file, w, h - 1, raw, sizeof raw);
    write_file(path, file, n);
    CHECK(page_png_read(path) == NULL);
    check_same_as_pixread(path);

    /* garbage instead of a zlib stream, with a valid CRC */
    unsigned char *p = file + 8 + 25;
    uint32_t zl = (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
    memset(p + 8, 0xA5, zl);
    chunk(p, "IDAT", p + 8, zl);
    write_file(path, file, n);
    CHECK(page_png_read(path) == NULL);
    CHECK(check_same_as_pixread(path) == 0);
    unlink(path);
}

static void page_read__png_header_over_limit__refused_before_decoding(void)
{
    /* 100000 x 100000 claimed, one row of data */
    const char *path = tmp_path("bomb.png");
    unsigned char raw[2] = {0, 0}, file[512];
    size_t n = make_png(file, 100000, 100000, raw, sizeof raw);
    write_file(path, file, n);
    err_clear();
    PIX *p = page_read(path, 0, 50000000);
    CHECK(p == NULL);
    CHECK(strstr(err_get(), path) != NULL);
    CHECK(strstr(err_get(), "limits.max_pixels") != NULL);
    pixDestroy(&p);
    unlink(path);
}

/* Write an n-page grey TIFF with libtiff (mode "w", plus "8" BigTIFF, "b"
 * big-endian); page p is (20 + 3p) x (10 + p) pixels at 100 + p dpi, each
 * filled from a seed. Returns 0 or -1. */
static int write_tiff(const char *path, const char *mode, int n)
{
    TIFF *t = TIFFOpen(path, mode);
    if (!t)
        return -1;
    for (int p = 0; p < n; p++) {
        int w = 20 + 3 * p, h = 10 + p;
        TIFFSetField(t, TIFFTAG_IMAGEWIDTH, w);
        TIFFSetField(t, TIFFTAG_IMAGELENGTH, h);
        TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
        TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
        TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
        TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
        TIFFSetField(t, TIFFTAG_COMPRESSION,
                     p % 2 ? COMPRESSION_ADOBE_DEFLATE : COMPRESSION_NONE);
        TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, h);
        TIFFSetField(t, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
        TIFFSetField(t, TIFFTAG_XRESOLUTION, (float)(100 + p));
        TIFFSetField(t, TIFFTAG_YRESOLUTION, (float)(100 + p));
        TIFFSetField(t, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
        unsigned char row[64];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++)
                row[x] = (unsigned char)(rnd() + p * 40);
            TIFFWriteScanline(t, row, (uint32_t)y, 0);
        }
        TIFFWriteDirectory(t);
    }
    TIFFClose(t);
    return 0;
}

static void page_list__multipage_tiff__offsets_read_the_pages_pixreadtiff_reads(void)
{
    static const char *const modes[] = {"w", "wb", "w8", "w8b"};
    for (int m = 0; m < 4; m++) {
        const char *path = tmp_path("multi.tif");
        CHECK(write_tiff(path, modes[m], 7) == 0);
        uint64_t *ifd = NULL;
        int n = 0;
        CHECK(page_list(path, 0, &ifd, &n) == 0);
        CHECK(n == 7 && ifd != NULL);
        int count = 0;
        CHECK(page_count(path, &count) == 0 && count == 7);
        for (int p = 0; ifd && p < n; p++) {
            PIX *a = page_read_at(path, p, ifd[p], 100000000);
            PIX *b = pixReadTiff(path, p);
            CHECK(a && b && same_pix(a, b));
            CHECK(a && pixGetWidth(a) == 20 + 3 * p);
            CHECK(a && b && pixGetXRes(a) == pixGetXRes(b) &&
                  pixGetXRes(a) == 100 + p);
            pixDestroy(&a);
            pixDestroy(&b);
        }
        if (test_case_failed)
            printf("  mode %s\n", modes[m]);
        free(ifd);
        unlink(path);
    }
}

/* The page is read from its offset, not found by walking: with the
 * directory of page 2 destroyed, pixReadTiff cannot reach page 5, but the
 * offset page_list gave before still reads it. */
static void page_read_at__earlier_directory_broken__page_still_read(void)
{
    const char *path = tmp_path("walk.tif");
    CHECK(write_tiff(path, "w", 6) == 0);
    uint64_t *ifd = NULL;
    int n = 0;
    CHECK(page_list(path, 0, &ifd, &n) == 0 && n == 6);
    if (!ifd || n != 6)
        return;
    PIX *want = pixReadTiff(path, 4);
    /* page 2's directory: an entry count of 0xFFFF and garbage */
    FILE *fp = fopen(path, "r+b");
    unsigned char junk[16];
    memset(junk, 0xFF, sizeof junk);
    fseek(fp, (long)ifd[1], SEEK_SET);
    fwrite(junk, 1, sizeof junk, fp);
    fclose(fp);
    PIX *walked = pixReadTiff(path, 4);
    CHECK(walked == NULL);
    PIX *got = page_read_at(path, 4, ifd[4], 100000000);
    CHECK(got && want && same_pix(got, want));
    pixDestroy(&walked);
    pixDestroy(&got);
    pixDestroy(&want);
    free(ifd);
    unlink(path);
}

static void page_list__over_max_pages__refused_naming_count_and_key(void)
{
    const char *path = tmp_path("many.tif");
    CHECK(write_tiff(path, "w", 9) == 0);
    uint64_t *ifd = (uint64_t *)1;
    int n = -1;
    err_clear();
    CHECK(page_list(path, 4, &ifd, &n) == -1);
    CHECK(ifd == NULL);
    CHECK(strstr(err_get(), path) != NULL);
    CHECK(strstr(err_get(), "9 pages") != NULL);
    CHECK(strstr(err_get(), "limits.max_pages = 4") != NULL);
    CHECK(page_list(path, 9, &ifd, &n) == 0 && n == 9);
    free(ifd);
    /* not a TIFF: one page, no offsets */
    const char *png = tmp_path("one.png");
    PIX *pix = pixCreate(8, 8, 8);
    pixWrite(png, pix, IFF_PNG);
    pixDestroy(&pix);
    CHECK(page_list(png, 1, &ifd, &n) == 0 && n == 1 && ifd == NULL);
    unlink(png);
    unlink(path);
}

static void page_read_at__offset_outside_file__fails_naming_file(void)
{
    const char *path = tmp_path("bad-ifd.tif");
    CHECK(write_tiff(path, "w", 2) == 0);
    err_clear();
    PIX *p = page_read_at(path, 1, 1u << 30, 100000000);
    CHECK(p == NULL);
    CHECK(strstr(err_get(), path) != NULL && strstr(err_get(), "page 2"));
    p = page_read_at(path, 1, 3, 100000000); /* inside the header */
    CHECK(p == NULL);
    pixDestroy(&p);
    unlink(path);
}

/* Decoding a page in a process whose address space is capped (as a
 * worker's stage under limits.page_memory_mb) says it ran out of memory
 * and names the key, not "corrupt". Not under AddressSanitizer (it needs
 * terabytes of address space). */
static void page_read__out_of_memory__says_so_and_names_key(void)
{
#if defined(__SANITIZE_ADDRESS__)
    printf("  skipped under AddressSanitizer\n");
    return;
#endif
    const char *path = tmp_path("big.png");
    PIX *pix = pixCreate(3000, 3000, 8);
    pixSetAllArbitrary(pix, 200);
    pixWrite(path, pix, IFF_PNG);
    pixDestroy(&pix);
    int fds[2];
    CHECK(pipe(fds) == 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        FILE *fp = fopen("/proc/self/statm", "r");
        unsigned long pages = 0;
        if (!fp || fscanf(fp, "%lu", &pages) != 1)
            _exit(2);
        fclose(fp);
        struct rlimit rl;
        rl.rlim_cur = rl.rlim_max =
            (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + 4u * 1024 * 1024;
        setrlimit(RLIMIT_AS, &rl);
        PIX *p = quiet_read(read_default, path);
        const char *msg = p ? "decoded" : err_get();
        if (write(fds[1], msg, strlen(msg)) < 0)
            _exit(3);
        _exit(0);
    }
    close(fds[1]);
    char msg[1024] = "";
    ssize_t r = read(fds[0], msg, sizeof msg - 1);
    msg[r > 0 ? r : 0] = '\0';
    close(fds[0]);
    waitpid(pid, NULL, 0);
    CHECK(strstr(msg, path) != NULL);
    CHECK(strstr(msg, "out of memory") != NULL);
    CHECK(strstr(msg, "limits.page_memory_mb") != NULL);
    if (test_case_failed)
        printf("  got: %s\n", msg);
    unlink(path);
}

static void page_png_read__not_a_png__null(void)
{
    const char *path = tmp_path("not.png");
    write_file(path, (const unsigned char *)"GIF89a not a png at all, no no",
               31);
    CHECK(page_png_read(path) == NULL);
    CHECK(page_png_read(tmp_path("missing.png")) == NULL);
    unlink(path);
}

int main(void)
{
    setMsgSeverity(L_SEVERITY_NONE);
    RUN(page_png_read__grey8_every_filter_and_width__equals_pixread);
    RUN(page_png_read__grey8_rows_of_mixed_filters__equals_pixread);
    RUN(page_png_read__grey16_rgb8_rgb16__equals_pixread);
    RUN(page_png_read__many_idat_chunks_phys_text__equals_pixread);
    RUN(page_png_read__grey_alpha_rgba_8_16__flattened_equals_pixread);
    RUN(page_read__ink_in_alpha_over_black__dark_on_white);
    RUN(page_read__other_png_kinds__declined_and_equal_pixread);
    RUN(page_read__truncated_png__fails_like_pixread);
    RUN(page_read__corrupt_png__fails_like_pixread);
    RUN(page_read__png_header_over_limit__refused_before_decoding);
    RUN(page_png_read__not_a_png__null);
    RUN(page_list__multipage_tiff__offsets_read_the_pages_pixreadtiff_reads);
    RUN(page_read_at__earlier_directory_broken__page_still_read);
    RUN(page_list__over_max_pages__refused_naming_count_and_key);
    RUN(page_read_at__offset_outside_file__fails_naming_file);
    RUN(page_read__out_of_memory__says_so_and_names_key);
    TEST_EXIT();
}
