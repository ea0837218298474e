/*
 * hostile.c - hostile fixtures for the robustness tests: image files that
 * are empty, cut short, lie about their size or format, or use pixel layouts
 * a scanner rarely produces. (Seeded model files: rec_model create.)
 *
 *   hostile --list                 the fixture names, one a line
 *   hostile DIR                    write every image fixture into DIR
 *                                  (but the slow ones)
 *   hostile --one NAME OUT         write one fixture to OUT
 *
 * Design: every fixture is built here in code from a fixed seed (no files
 * from outside), small (a few KB), and named after what is wrong with it.
 * Leptonica writes the ordinary encodings; libpng, libtiff and hand-made
 * chunks make what Leptonica would refuse to write (16-bit, CMYK, a header
 * that claims 100000 x 100000, a broken page in the middle of a TIFF).
 * This is a test tool: it prints and exits, unlike library code.
 */
#include <leptonica/allheaders.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>
#include <zlib.h>

#include "common/binio.h"

static uint64_t rng = 0x1234567887654321ULL;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static int write_bytes(const char *path, const void *p, size_t n)
{
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        perror(path);
        return -1;
    }
    int bad = fwrite(p, 1, n, fp) != n;
    bad |= fclose(fp) != 0;
    if (bad)
        fprintf(stderr, "hostile: cannot write %s\n", path);
    return bad ? -1 : 0;
}

/* A small grey page with a few dark strokes, so it has "ink". */
static PIX *ink_page(int w, int h)
{
    PIX *pix = pixCreate(w, h, 8);
    pixSetAllArbitrary(pix, 235);
    for (int k = 0; k < 12; k++) {
        int x = 10 + (int)(rnd() % (unsigned)(w > 40 ? w - 40 : 1));
        int y = 10 + (int)(rnd() % (unsigned)(h > 40 ? h - 40 : 1));
        BOX *b = boxCreate(x, y, 4 + (int)(rnd() % 14), 18 + (int)(rnd() % 8));
        pixSetInRectArbitrary(pix, b, 20);
        boxDestroy(&b);
    }
    return pix;
}

/* Write pix in format to path, then keep only the first half of it. */
static int write_truncated(const char *path, PIX *pix, int format)
{
    if (pixWrite(path, pix, format) != 0)
        return -1;
    size_t n;
    unsigned char *p = binio_file_read(path, (size_t)1 << 30, &n);
    if (!p)
        return -1;
    int rc = write_bytes(path, p, n / 2);
    free(p);
    return rc;
}

/* One PNG chunk at p; returns its size. */
static size_t png_chunk(unsigned char *p, const char *type,
                        const unsigned char *data, uint32_t n)
{
    binio_put_u32be(p, n);
    memcpy(p + 4, type, 4);
    if (n)
        memcpy(p + 8, data, n);
    binio_put_u32be(p + 8 + n, binio_crc32(0, p + 4, (size_t)n + 4));
    return 12 + n;
}

/* A 1 KB PNG whose IHDR claims 100000 x 100000 8-bit grey pixels (10 GB
 * decoded); the IDAT holds a few compressed rows of zeros. */
static int write_bomb_png(const char *path)
{
    static unsigned char buf[8192];
    unsigned char ihdr[13], raw[4096], z[2048];
    size_t n = 0;
    memcpy(buf, "\x89PNG\r\n\x1a\n", 8);
    n = 8;
    binio_put_u32be(ihdr, 100000);
    binio_put_u32be(ihdr + 4, 100000);
    ihdr[8] = 8;  /* bit depth */
    ihdr[9] = 0;  /* grey */
    ihdr[10] = ihdr[11] = ihdr[12] = 0;
    n += png_chunk(buf + n, "IHDR", ihdr, 13);
    memset(raw, 0, sizeof raw);
    uLongf zn = sizeof z;
    if (compress2(z, &zn, raw, sizeof raw, 9) != Z_OK)
        return -1;
    n += png_chunk(buf + n, "IDAT", z, (uint32_t)zn);
    n += png_chunk(buf + n, "IEND", NULL, 0);
    return write_bytes(path, buf, n);
}

/* A TIFF whose one strip claims 100000 x 100000 1-bit pixels. */
static int write_bomb_tiff(const char *path)
{
    TIFF *t = TIFFOpen(path, "w");
    if (!t)
        return -1;
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, 100000);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, 100000);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 1);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 100000);
    TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    unsigned char junk[64];
    memset(junk, 0, sizeof junk);
    TIFFWriteRawStrip(t, 0, junk, sizeof junk);
    TIFFClose(t);
    return 0;
}

/* 16-bit grey PNG through libpng (Leptonica reads 16 bpp but writes it
 * only on some builds). */
static int write_png16(const char *path, int w, int h)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return -1;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL,
                                              NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    unsigned char *row = malloc((size_t)w * 2);
    if (!png || !info || !row || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(row);
        fclose(fp);
        return -1;
    }
    png_init_io(png, fp);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 16,
                 PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            int ink = (x / 12 + y / 20) % 5 == 0 && y % 20 < 16;
            unsigned v = ink ? 3000 : 60000;
            row[2 * x] = (unsigned char)(v >> 8);
            row[2 * x + 1] = (unsigned char)v;
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(row);
    return fclose(fp) == 0 ? 0 : -1;
}

/* CMYK (separated, 4 samples) TIFF through libtiff. */
static int write_cmyk_tiff(const char *path, int w, int h)
{
    TIFF *t = TIFFOpen(path, "w");
    if (!t)
        return -1;
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, w);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, h);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 4);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_SEPARATED);
    TIFFSetField(t, TIFFTAG_INKSET, INKSET_CMYK);
    TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 16);
    unsigned char *row = malloc((size_t)w * 4);
    int rc = row ? 0 : -1;
    for (int y = 0; rc == 0 && y < h; y++) {
        for (int x = 0; x < w; x++) {
            int ink = (x / 10 + y / 24) % 4 == 0 && y % 24 < 18;
            row[4 * x] = row[4 * x + 1] = row[4 * x + 2] = 0;
            row[4 * x + 3] = ink ? 230 : 10; /* K */
        }
        if (TIFFWriteScanline(t, row, (uint32_t)y, 0) < 0)
            rc = -1;
    }
    free(row);
    TIFFClose(t);
    return rc;
}

/* Three-page G4 TIFF whose second page's strip offset points past the end
 * of the file: pages 1 and 3 decode, page 2 cannot be read. */
static int write_multipage_broken(const char *path)
{
    TIFF *t = TIFFOpen(path, "w");
    if (!t)
        return -1;
    const int w = 240, h = 120;
    int rc = 0;
    for (int page = 0; page < 3 && rc == 0; page++) {
        TIFFSetField(t, TIFFTAG_IMAGEWIDTH, w);
        TIFFSetField(t, TIFFTAG_IMAGELENGTH, h);
        TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 1);
        TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
        TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
        TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
        TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
        TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, h);
        TIFFSetField(t, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
        TIFFSetField(t, TIFFTAG_PAGENUMBER, page, 3);
        unsigned char row[240 / 8];
        for (int y = 0; y < h && rc == 0; y++) {
            for (int x = 0; x < w / 8; x++)
                row[x] = (y / 20) % 2 && x % 5 == 1 ? 0xff : 0;
            if (TIFFWriteScanline(t, row, (uint32_t)y, 0) < 0)
                rc = -1;
        }
        if (rc == 0 && !TIFFWriteDirectory(t))
            rc = -1;
    }
    TIFFClose(t);
    if (rc != 0)
        return -1;
    /* Walk to the second directory (little-endian, classic TIFF) and point
     * its one strip far beyond the end of the file. */
    size_t n;
    unsigned char *p = binio_file_read(path, (size_t)1 << 30, &n);
    if (!p || n < 8 || memcmp(p, "II*", 4) != 0) {
        free(p);
        return -1;
    }
    uint32_t off = binio_get_u32(p + 4);
    rc = -1;
    for (int dir = 0; dir < 2 && off + 2 <= n; dir++) {
        unsigned cnt = binio_get_u16(p + off);
        if (off + 2 + 12 * (size_t)cnt + 4 > n)
            break;
        if (dir == 1) {
            for (unsigned e = 0; e < cnt; e++) {
                unsigned char *ent = p + off + 2 + 12 * e;
                if (binio_get_u16(ent) == TIFFTAG_STRIPOFFSETS) {
                    ent[8] = 0x00, ent[9] = 0xff, ent[10] = 0xff;
                    ent[11] = 0x7f;
                    rc = 0;
                }
            }
            break;
        }
        off = binio_get_u32(p + off + 2 + 12 * cnt);
    }
    if (rc == 0)
        rc = write_bytes(path, p, n);
    free(p);
    return rc;
}

typedef int (*MakeFn)(const char *path);

static int mk_zero(const char *path) { return write_bytes(path, "", 0); }

/* TIFF magic and byte order, then 500 seeded random bytes: no valid IFD. */
static int mk_corrupt_tif(const char *path)
{
    unsigned char buf[4 + 500];
    memcpy(buf, "II*\0", 4);
    for (size_t i = 4; i < sizeof buf; i++)
        buf[i] = (unsigned char)(rnd() & 0xff);
    return write_bytes(path, buf, sizeof buf);
}

static int mk_text_png(const char *path)
{
    static const char text[] = "This is a text file, not a PNG image.\n";
    return write_bytes(path, text, sizeof text - 1);
}

static int mk_pix(const char *path, PIX *pix, int format)
{
    if (!pix)
        return -1;
    int rc = pixWrite(path, pix, format) == 0 ? 0 : -1;
    pixDestroy(&pix);
    return rc;
}

static int mk_trunc(const char *path, int format)
{
    PIX *pix = ink_page(320, 200);
    int rc = write_truncated(path, pix, format);
    pixDestroy(&pix);
    return rc;
}

static int mk_trunc_png(const char *path) { return mk_trunc(path, IFF_PNG); }
static int mk_trunc_jpg(const char *path)
{
    return mk_trunc(path, IFF_JFIF_JPEG);
}
static int mk_trunc_tif(const char *path)
{
    PIX *pix = ink_page(320, 200);
    PIX *pixb = pixThresholdToBinary(pix, 128);
    int rc = write_truncated(path, pixb, IFF_TIFF_G4);
    pixDestroy(&pix);
    pixDestroy(&pixb);
    return rc;
}

static int mk_1x1(const char *path)
{
    PIX *pix = pixCreate(1, 1, 8);
    pixSetAllArbitrary(pix, 0);
    return mk_pix(path, pix, IFF_PNG);
}

static int mk_blank(const char *path)
{
    PIX *pix = pixCreate(400, 300, 8);
    pixSetAllArbitrary(pix, 255);
    return mk_pix(path, pix, IFF_PNG);
}

static int mk_black(const char *path)
{
    PIX *pix = pixCreate(400, 300, 8);
    pixSetAllArbitrary(pix, 0);
    return mk_pix(path, pix, IFF_PNG);
}

static int mk_png16(const char *path) { return write_png16(path, 300, 160); }

static int mk_palette(const char *path)
{
    PIX *g = ink_page(300, 160);
    PIX *pix = pixConvertGrayToColormap8(g, 2);
    pixDestroy(&g);
    return mk_pix(path, pix, IFF_PNG);
}

static int mk_alpha(const char *path)
{
    PIX *g = ink_page(300, 160);
    PIX *rgb = pixConvert8To32(g);
    pixDestroy(&g);
    if (!rgb)
        return -1;
    /* alpha: opaque left half, transparent right half */
    PIX *a = pixCreate(300, 160, 8);
    pixSetAllArbitrary(a, 255);
    BOX *b = boxCreate(150, 0, 150, 160);
    pixSetInRectArbitrary(a, b, 0);
    boxDestroy(&b);
    pixSetRGBComponent(rgb, a, L_ALPHA_CHANNEL);
    pixSetSpp(rgb, 4);
    pixDestroy(&a);
    return mk_pix(path, rgb, IFF_PNG);
}

static int mk_cmyk(const char *path) { return write_cmyk_tiff(path, 300, 160); }

/* 3000 x 3000 page of 90 000 glyph-sized dots: a few KB as PNG, but every
 * dot is a glyph candidate, so segmentation and recognition take long and
 * need much memory (for the per-page time and memory limits). */
static int mk_dot_storm(const char *path)
{
    const int w = 3000, h = 3000;
    PIX *pix = pixCreate(w, h, 8);
    pixSetAllArbitrary(pix, 240);
    for (int y = 4; y + 8 < h; y += 10)
        for (int x = 3; x + 6 < w; x += 10) {
            BOX *b = boxCreate(x, y, 5, 7);
            pixSetInRectArbitrary(pix, b, 15);
            boxDestroy(&b);
        }
    return mk_pix(path, pix, IFF_PNG);
}

static const struct {
    const char *name; /* file name: the extension is part of the lie */
    MakeFn make;
    const char *what;
    int slow; /* 1 = only with --one (not written by `hostile DIR`) */
} fixtures[] = {
    {"zero-bytes.png", mk_zero, "empty file", 0},
    {"truncated-png.png", mk_trunc_png, "PNG cut in half", 0},
    {"truncated-tif.tif", mk_trunc_tif, "G4 TIFF cut in half", 0},
    {"truncated-jpg.jpg", mk_trunc_jpg, "JPEG cut in half", 0},
    {"text-named.png", mk_text_png, "text file named .png", 0},
    {"one-pixel.png", mk_1x1, "1 x 1 pixel", 0},
    {"blank.png", mk_blank, "white page", 0},
    {"all-black.png", mk_black, "black page", 0},
    {"grey16.png", mk_png16, "16-bit grey", 0},
    {"palette.png", mk_palette, "colour-mapped", 0},
    {"alpha.png", mk_alpha, "RGBA with transparency", 0},
    {"cmyk.tif", mk_cmyk, "CMYK TIFF", 0},
    {"multipage-broken.tif", write_multipage_broken,
     "3-page TIFF, page 2 broken", 0},
    {"bomb-png.png", write_bomb_png, "1 KB PNG claiming 100000 x 100000", 0},
    {"bomb-tif.tif", write_bomb_tiff, "tiny TIFF claiming 100000 x 100000", 0},
    /* after the others: it draws from the shared seed stream */
    {"corrupt-tif.tif", mk_corrupt_tif, "TIFF header, then random bytes", 0},
    {"dot-storm.png", mk_dot_storm, "90 000 glyph-sized dots (slow, big)", 1},
};
#define N_FIXTURES (int)(sizeof fixtures / sizeof fixtures[0])

static void usage(void)
{
    fprintf(stderr,
            "usage: hostile DIR | --list | --one NAME OUT\n");
}

int main(int argc, char **argv)
{
    setMsgSeverity(L_SEVERITY_NONE);
    TIFFSetWarningHandler(NULL);
    TIFFSetErrorHandler(NULL);
    if (argc == 2 && !strcmp(argv[1], "--list")) {
        for (int i = 0; i < N_FIXTURES; i++)
            printf("%s\t%s\n", fixtures[i].name, fixtures[i].what);
        return 0;
    }
    if (argc == 4 && !strcmp(argv[1], "--one")) {
        for (int i = 0; i < N_FIXTURES; i++)
            if (!strcmp(fixtures[i].name, argv[2]))
                return fixtures[i].make(argv[3]) == 0 ? 0 : 1;
        fprintf(stderr, "hostile: no fixture %s (see --list)\n", argv[2]);
        return 2;
    }
    if (argc != 2 || argv[1][0] == '-') {
        usage();
        return 2;
    }
    int bad = 0;
    for (int i = 0; i < N_FIXTURES; i++) {
        char path[4096];
        if (fixtures[i].slow)
            continue;
        snprintf(path, sizeof path, "%s/%s", argv[1], fixtures[i].name);
        if (fixtures[i].make(path) != 0) {
            fprintf(stderr, "hostile: cannot make %s\n", path);
            bad = 1;
        }
    }
    return bad;
}
