/*
 * page.h - one page through the stages, without queues: reading with a pixel
 * limit, recognising a segmented page, writing the outputs of one input.
 *
 * Files (prefix page_): page.c; page_png.c (fast path for common PNGs,
 * used by page_read).
 *
 * Design: the spool stages (stage.c) and the one-shot `inkpipe ocr` share
 * these functions, so both give the same result for the same page. Nothing
 * here knows about claims or workers.
 */
#ifndef INKPIPE_PAGE_H
#define INKPIPE_PAGE_H

#include <stdint.h>
#include <leptonica/allheaders.h>

#include "output/output.h"
#include "recognize/recognize.h"
#include "segment/segment.h"

/* 1 if the file name has an image extension the pipeline reads (.tif,
 * .tiff, .png, .jpg, .jpeg, .pnm, .pbm, .pgm, .ppm; any case). */
int page_is_image_name(const char *name);

/* Scorer for SegOptions.score: the classifier's best class probability
 * (over the charset) for a candidate glyph. ctx is a PageScorer. */
typedef struct {
    RecNet *net;
    RecCharset cs;
} PageScorer;
float page_score_glyph(void *ctx, const unsigned char *mask, int w, int h);

int page_count(const char *path, int *pn);
PIX *page_read(const char *path, int page, int64_t max_pixels);
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
OutPage *page_recognize(const SegPage *sp, RecNet *net, RecCharset cs,
                        int context, const char *image, int pageno, int dpi);
int page_write_outputs(int out_fd, const char *rel,
                       const OutPage *const *pages, int n, int formats);

#endif
