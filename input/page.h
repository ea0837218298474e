/*
 * page.h - pages of image files: which files are images, how many pages a
 * file has, one page decoded with a pixel limit.
 *
 * Files (prefix page_): page.c; page_png.c (fast path for common PNGs,
 * used by page_read); page_pdf.c (PDF pages: the scanned image taken out
 * of the file, or the page rendered by poppler); page_g4.c (a 1 bpp page
 * written as a G4 TIFF, the pipeline's binarised page).
 *
 * Design: the lowest layer of the page chain (chain.h): every path that
 * reads a scan comes through here, so a limit or a new input format is one
 * change. Nothing here knows about recognition, claims or workers.
 */
#ifndef INKPIPE_PAGE_H
#define INKPIPE_PAGE_H

#include <stdint.h>
#include <leptonica/allheaders.h>


/* 1 if the file name has an extension the pipeline reads (.tif, .tiff,
 * .png, .jpg, .jpeg, .pnm, .pbm, .pgm, .ppm, .bmp, .gif, .webp, .jp2,
 * .j2k, .pdf; any case). */
int page_is_image_name(const char *name);

/* Library warnings (Leptonica, libtiff, libjpeg) of a page read that
 * succeeded: path, 0-based page (-1 = the file as a whole), the warnings
 * joined into one line. Those of a failed read are in its error message. */
typedef void (*PageWarningFn)(const char *path, int page, const char *text);
void page_messages_init(void);
void page_set_warning_handler(PageWarningFn fn);

int page_count(const char *path, int *pn);
/* Page count and, for a TIFF, each page's directory offset (one walk);
 * for a PDF, each page's object (page_pdf_list). */
int page_list(const char *path, int max_pages, uint64_t **pifd, int *pn);
PIX *page_read(const char *path, int page, int64_t max_pixels);
/* page_read with the page's directory offset from page_list: constant
 * time per page of a multi-page TIFF. */
PIX *page_read_at(const char *path, int page, uint64_t ifd,
                  int64_t max_pixels);
void page_flatten_alpha(PIX *pix);
/* One 8-bit sample c with alpha a (0 transparent .. 255 opaque) put over
 * white paper, as image viewers show it; rounded. page_flatten_alpha() and
 * the PNG fast path both use it, so the two paths give the same pixels. */
static inline unsigned page_over_white(unsigned c, unsigned a)
{
    return (c * a + 255u * (255u - a) + 127u) / 255u;
}
/* NULL (no message) = not on the fast path: read it with pixRead. */
PIX *page_png_read(const char *path);

/* A 1 bpp page as a one-strip G4 TIFF (page_g4.c): the binarised page
 * between the pipeline's stages. */
unsigned char *page_g4_encode(PIX *pix, size_t *plen);
int page_g4_write(PIX *pix, const char *path);

/* PDF input (page_pdf.c); page_list / page_read_at call these for PDFs. */
int page_pdf_is(const char *path);
int page_pdf_list(const char *path, int max_pages, uint64_t **pref, int *pn);
PIX *page_pdf_read(const char *path, int page, uint64_t ref,
                   int64_t max_pixels);

#endif
