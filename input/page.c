/*
 * page.c - read pages of image files (see page.h).
 *
 * Design: page_count / page_read read the header first (Leptonica
 * readHeaderTiff / pixReadHeader) and check the pixel limit before any
 * decoding, then decode with pixReadTiff(path, n), the PNG fast path
 * (page_png.c) or pixRead; an alpha channel is then put over white paper.
 * Errors name the file and page ("scan.tif page 3: ...").
 */
#include "input/page.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/err.h"
#include "common/fsutil.h"

int page_is_image_name(const char *name)
{
    static const char *const exts[] = {
        ".tif", ".tiff", ".png", ".jpg", ".jpeg", ".pnm", ".pbm", ".pgm",
        ".ppm", ".bmp", ".gif", ".webp", ".jp2", ".j2k"};
    const char *dot = strrchr(name, '.');
    if (!dot)
        return 0;
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (!strcasecmp(dot, exts[i]))
            return 1;
    return 0;
}

static int is_tiff(int format)
{
    return format == IFF_TIFF || format == IFF_TIFF_PACKBITS ||
           format == IFF_TIFF_RLE || format == IFF_TIFF_G3 ||
           format == IFF_TIFF_G4 || format == IFF_TIFF_LZW ||
           format == IFF_TIFF_ZIP || format == IFF_TIFF_JPEG;
}

/* Leptonica's format of path, limited to the ones the pipeline accepts. */
static int page_format(const char *path, int *pformat)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return err_set_errno("%s", path);
    int format = IFF_UNKNOWN;
    int rc = findFileFormatStream(fp, &format);
    fclose(fp);
    if (rc != 0 || format == IFF_UNKNOWN)
        return err_set("%s: not an image file (unknown format)", path);
    if (!(is_tiff(format) || format == IFF_PNG || format == IFF_JFIF_JPEG ||
          format == IFF_PNM || format == IFF_BMP || format == IFF_GIF ||
          format == IFF_WEBP || format == IFF_JP2))
        return err_set("%s: unsupported image format (expected TIFF, PNG, "
                       "JPEG, PNM, BMP, GIF, WebP or JPEG 2000)",
                       path);
    *pformat = format;
    return 0;
}

/**
 * Number of pages of an image file, from its headers only.
 *
 * @param[in]  path  image file
 * @param[out] pn    pages (1 for all formats but TIFF)
 * @return 0, or -1 (not an image, unsupported format, unreadable)
 */
int page_count(const char *path, int *pn)
{
    int format;
    if (page_format(path, &format) < 0)
        return -1;
    if (!is_tiff(format)) {
        *pn = 1;
        return 0;
    }
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return err_set_errno("%s", path);
    int n = 0;
    int rc = tiffGetCount(fp, &n);
    fclose(fp);
    if (rc != 0 || n < 1)
        return err_set("%s: cannot read the TIFF directory (corrupt file?)",
                       path);
    *pn = n;
    return 0;
}

/**
 * Decode one page, refusing pages over the pixel limit before decoding.
 *
 * @param[in] path        image file
 * @param[in] page        0-based page (TIFF directory); 0 for other formats
 * @param[in] max_pixels  width * height above this fails
 * @return new PIX (caller owns; pixDestroy()), or NULL with a message that
 *         names file and page
 *
 * Notes:
 *   (1) The limit is checked on the header, so a small file that claims
 *       100000 x 100000 pixels fails at once instead of allocating.
 */
PIX *page_read(const char *path, int page, int64_t max_pixels)
{
    int format, w = 0, h = 0, bps = 0, spp = 0, res = 0, cmap = 0, fmt2 = 0;
    if (page_format(path, &format) < 0)
        return NULL;
    if (is_tiff(format)) {
        if (readHeaderTiff(path, page, &w, &h, &bps, &spp, &res, &cmap,
                           &fmt2) != 0) {
            err_set("%s page %d: cannot read the TIFF header (corrupt file or "
                    "no such page)",
                    path, page + 1);
            return NULL;
        }
    } else {
        if (page != 0) {
            err_set("%s page %d: the file has one page", path, page + 1);
            return NULL;
        }
        if (pixReadHeader(path, &fmt2, &w, &h, &bps, &spp, &cmap) != 0) {
            err_set("%s: cannot read the image header (corrupt file?)", path);
            return NULL;
        }
    }
    if (w <= 0 || h <= 0) {
        err_set("%s page %d: bad image size %d x %d", path, page + 1, w, h);
        return NULL;
    }
    if ((int64_t)w * h > max_pixels) {
        err_set("%s page %d: image is %d x %d = %lld pixels, over "
                "limits.max_pixels = %lld",
                path, page + 1, w, h, (long long)w * h,
                (long long)max_pixels);
        return NULL;
    }
    PIX *pix = NULL;
    if (is_tiff(format))
        pix = pixReadTiff(path, page);
    else if (format == IFF_PNG && (pix = page_png_read(path)) != NULL)
        ; /* the common PNGs, decoded as pixRead would, in half the time */
    else
        pix = pixRead(path);
    if (!pix) {
        err_set("%s page %d: cannot decode the image (corrupt or truncated "
                "file?)",
                path, page + 1);
        return NULL;
    }
    if (pixGetWidth(pix) != w || pixGetHeight(pix) != h) {
        pixDestroy(&pix);
        err_set("%s page %d: decoded size differs from the header", path,
                page + 1);
        return NULL;
    }
    /* ink in the alpha channel (a transparent PNG over black RGB) is what
     * the page shows on a screen: without this, all of it reads as black */
    page_flatten_alpha(pix);
    return pix;
}

/**
 * Put an image with an alpha channel over white paper, as viewers do.
 *
 * @param[in,out] pix  any PIX; a 32 bpp one with 4 samples per pixel
 *                     (RGBA, as Leptonica decodes grey + alpha and RGBA
 *                     PNGs, palette PNGs with tRNS, RGBA TIFFs) is
 *                     changed in place to RGB (spp 3, alpha byte 255)
 * Other images are left as they are; nothing can fail.
 *
 * Notes:
 *   (1) Each channel becomes page_over_white(c, alpha): transparent pixels
 *       white whatever their colour, opaque ones unchanged.
 *   (2) In place: pix must not be shared (a fresh decode is not).
 */
void page_flatten_alpha(PIX *pix)
{
    if (!pix || pixGetDepth(pix) != 32 || pixGetSpp(pix) != 4)
        return;
    int w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix);
    l_uint32 *data = pixGetData(pix);
    for (int y = 0; y < h; y++) {
        l_uint32 *line = data + (size_t)y * (size_t)wpl;
        for (int x = 0; x < w; x++) {
            l_uint32 v = line[x];
            unsigned a = v & 0xff;
            line[x] = (l_uint32)page_over_white(v >> 24, a) << 24 |
                      (l_uint32)page_over_white((v >> 16) & 0xff, a) << 16 |
                      (l_uint32)page_over_white((v >> 8) & 0xff, a) << 8 | 0xff;
        }
    }
    pixSetSpp(pix, 3);
}
