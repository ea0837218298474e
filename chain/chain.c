/*
 * chain.c - the page chain, each step once (chain.h).
 */
#include "chain/chain.h"

#include "common/err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "input/page.h"
#include "recognize/rec_page.h"

/** Fill o with the defaults of configs/reference.yaml. */
void chain_options_init(ChainOptions *o)
{
    o->max_pixels = 100000000;
    seg_binarize_options_init(&o->binarize);
    seg_options_init(&o->segment);
    o->charset = REC_CHARSET_ALL;
    o->context = 1;
    o->adapt = 1;
    o->segalt = 1;
    o->lm = NULL;
    o->lexicon = NULL;
    o->lm_path = NULL;
    o->lexicon_path = NULL;
}

/**
 * Decode one page with the pixel limit checked from the header first.
 *
 * @param[in]  o     options (max_pixels)
 * @param[in]  path  image file
 * @param[in]  page  0-based page number
 * @param[out] pdpi  the page's resolution, 0 when the file gives none
 * @return new PIX (caller owns), or NULL (message names file and page)
 */
PIX *chain_read(const ChainOptions *o, const char *path, int page, int *pdpi)
{
    return chain_read_at(o, path, page, 0, pdpi);
}

/**
 * chain_read with the page's TIFF directory offset (page_list), so that a
 * page of a multi-page TIFF is found without walking the file.
 *
 * @param[in]  o     options (max_pixels)
 * @param[in]  path  image file
 * @param[in]  page  0-based page number
 * @param[in]  ifd   TIFF directory offset of the page; 0 = unknown
 * @param[out] pdpi  the page's resolution, 0 when the file gives none
 * @return new PIX (caller owns), or NULL (message names file and page)
 */
PIX *chain_read_at(const ChainOptions *o, const char *path, int page,
                   uint64_t ifd, int *pdpi)
{
    PIX *pix = page_read_at(path, page, ifd, o->max_pixels);
    if (pix)
        *pdpi = pixGetXRes(pix) > 0 ? pixGetXRes(pix) : 0;
    return pix;
}

/**
 * Binarise (Sauvola or Otsu) and deskew a decoded page.
 *
 * @param[in] o     options (binarize)
 * @param[in] pix   decoded page, any depth; not modified
 * @param[in] dpi   its resolution (0 = unknown)
 * @param[in] path  file, for messages
 * @param[in] page  0-based page, for messages
 * @param[out] pscale  [optional] how many times larger than pix the
 *                  result is: 1, or 2 for small writing (a crop scanned
 *                  small: seg_page_binarize note 5); NULL = pix's size
 * @param[out] pskew   [optional] the rotation that deskewed it (degrees,
 *                  clockwise positive; 0 = none): chain_to_source() maps
 *                  the page's boxes back to pix's pixels with it
 * @return new 1 bpp PIX with resolution chain_dpi(dpi, *pscale) (caller
 *         owns), or NULL
 */
PIX *chain_binarize(const ChainOptions *o, PIX *pix, int dpi,
                    const char *path, int page, int *pscale, float *pskew)
{
    /* An implausible dpi (SEG_MIN_DPI) would size the Sauvola window from
     * a scale the ink does not have: binarise as at an unknown dpi. */
    PIX *pixb = seg_page_binarize(pix, dpi < SEG_MIN_DPI ? 0 : dpi,
                                  &o->binarize, pskew, pscale);
    if (!pixb) {
        err_prefix("%s page %d", path, page + 1); /* "binarize: ..." */
        return NULL;
    }
    int sd = chain_dpi(dpi, pscale ? *pscale : 1);
    pixSetResolution(pixb, sd, sd);
    return pixb;
}

/**
 * The resolution of a page binarised enlarged (chain_binarize's pscale).
 *
 * @param[in] dpi    the source's resolution (0 = unknown)
 * @param[in] scale  how many times it was enlarged (1 = not)
 * @return dpi times scale; dpi itself when scale is 1; 0 (unknown) for
 *         an enlarged page whose dpi is unknown or implausible: under
 *         SEG_MIN_DPI (doubled, 72 would pass for a real resolution), or
 *         over SEG_MAX_DPI once multiplied (a crop of small writing
 *         claiming 3000 dpi would be refused by the segmenter)
 */
int chain_dpi(int dpi, int scale)
{
    if (scale <= 1)
        return dpi;
    return dpi >= SEG_MIN_DPI && dpi <= SEG_MAX_DPI / scale ? dpi * scale
                                                            : 0;
}

/**
 * Segment a binarised page into lines, words and glyphs.
 *
 * @param[in] o     options (segment, charset)
 * @param[in] pixb  1 bpp page; not modified
 * @param[in] dpi   its resolution (0 = unknown)
 * @param[in] net   [optional] classifier that scores candidate cuts of
 *                  touching glyphs; NULL = geometry only
 * @param[in] path  file, for messages
 * @param[in] page  0-based page, for messages
 * @return new SegPage (caller owns; seg_page_destroy()), or NULL
 */
SegPage *chain_segment(const ChainOptions *o, PIX *pixb, int dpi, RecNet *net,
                       const char *path, int page)
{
    SegOptions so = o->segment;
    /* a cut tried twice on the page is scored once (without memory for
     * the memo, every cut is scored) */
    RecPageScorer scorer = {net, o->charset, net ? rec_score_memo_create()
                                                 : NULL};
    if (net) {
        so.score = rec_page_score_glyph;
        so.score_ctx = &scorer;
    }
    SegPage *sp = seg_page_segment(pixb, dpi, &so);
    rec_score_memo_destroy(&scorer.memo);
    if (!sp)
        err_prefix("%s page %d: segment", path, page + 1);
    return sp;
}

/**
 * Recognise a segmented page (classifier, then line context).
 *
 * @param[in] o     options (charset, context, adapt, language model,
 *                  lexicon)
 * @param[in] sp    segmented page
 * @param[in] net   classifier, at the precision it was loaded with
 * @param[in] path  source file, written into the result (hOCR `image`)
 * @param[in] page  0-based page number
 * @param[in] dpi   resolution (0 = unknown)
 * @return new OutPage (caller owns; out_page_destroy()), or NULL
 */
OutPage *chain_recognize(const ChainOptions *o, const SegPage *sp,
                         RecNet *net, const char *path, int page, int dpi)
{
    RecLm *own_lm = NULL;
    RecLexicon *own_lex = NULL;
    const RecLm *lm = o->lm;
    const RecLexicon *lex = o->lexicon;
    if (!lm && o->lm_path && !(lm = own_lm = rec_lm_load(o->lm_path))) {
        err_prefix("%s page %d", path, page + 1);
        return NULL;
    }
    if (!lex && o->lexicon_path &&
        !(lex = own_lex = rec_lexicon_load(o->lexicon_path))) {
        err_prefix("%s page %d", path, page + 1);
        rec_lm_destroy(&own_lm);
        return NULL;
    }
    RecAdaptOptions ao;
    RecSegAltOptions so;
    rec_adapt_options_init(&ao);
    rec_segalt_options_init(&so);
    rec_segalt_options_set_charset(&so, o->charset);
    OutPage *op = rec_page_recognize(sp, net, o->charset, o->context,
                                     o->adapt ? &ao : NULL,
                                     o->segalt ? &so : NULL, lm, lex, path,
                                     page, dpi);
    rec_lm_destroy(&own_lm);
    rec_lexicon_destroy(&own_lex);
    return op;
}

/**
 * One page through every step in this process (no artifacts).
 *
 * @param[in] o     options
 * @param[in] net   classifier
 * @param[in] path  image file
 * @param[in] page  0-based page number
 * @return new OutPage (caller owns), or NULL (message names file and page)
 */
/* The bytes of path when it is a JPEG file of at most 512 MB (the
 * caller frees), else NULL (no message: the caller re-encodes instead). */
static unsigned char *read_jpeg_file(const char *path, size_t *plen)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    unsigned char *buf = NULL;
    unsigned char magic[3];
    long len = -1;
    if (fread(magic, 1, 3, fp) == 3 && magic[0] == 0xFF && magic[1] == 0xD8 &&
        magic[2] == 0xFF && fseek(fp, 0, SEEK_END) == 0)
        len = ftell(fp);
    if (len > 0 && len <= (512L << 20) && fseek(fp, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)len)) &&
        fread(buf, 1, (size_t)len, fp) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    *plen = buf ? (size_t)len : 0;
    return buf;
}

/**
 * Map a recognised page from the binarised page's pixels to its source
 * image's: turned back by the deskew angle (out_page_unskew), then shrunk
 * when it was read enlarged (out_page_shrink). Every output then refers
 * to the image file's own pixels, as hOCR's `image` names it.
 *
 * @param[in,out] op     the page (chain_recognize's, fields included)
 * @param[in]     skew   chain_binarize's *pskew
 * @param[in]     scale  chain_binarize's *pscale
 * @return 0, or -1 (message set)
 */
int chain_to_source(OutPage *op, float skew, int scale)
{
    if (out_page_unskew(op, skew) < 0 || out_page_shrink(op, scale) < 0)
        return -1;
    return 0;
}

/**
 * The image of one recognised page, for formats that embed it (an
 * OutImageSource's get()): the source page itself, whose pixels its boxes
 * refer to (chain_to_source).
 *
 * @param[in]  ctx   a const ChainImageSource *: the options the page was
 *                   recognised with, and the file it was read from
 * @param[in]  page  the page: its pageno (and, without ctx's src, its image
 *                   path) say what to read
 * @param[out] img   the image (caller frees with out_image_cleanup)
 * @return 0, or -1 with the reason (file and page named) in err_get()
 *
 * Notes:
 *   (1) A JPEG input's first page gives its own bytes (no second loss, no
 *       growth), when its header agrees with the decoded size and it is
 *       grey or RGB.
 */
int chain_page_image(void *ctx, const OutPage *page, OutImage *img)
{
    const ChainImageSource *is = ctx;
    const ChainOptions *o = is->opts;
    const char *src = is->src ? is->src : page->image;
    memset(img, 0, sizeof *img);
    int dpi = 0;
    PIX *pix = chain_read(o, src, page->pageno, &dpi);
    if (!pix)
        return -1;
    if (page->pageno == 0 && pixGetDepth(pix) > 1) {
        size_t len = 0;
        unsigned char *jpeg = read_jpeg_file(src, &len);
        l_int32 w, h, spp, cmyk;
        if (jpeg &&
            readHeaderMemJpeg(jpeg, len, &w, &h, &spp, NULL, &cmyk) == 0 &&
            (spp == 1 || spp == 3) && w == pixGetWidth(pix) &&
            h == pixGetHeight(pix)) {
            pixDestroy(&pix);
            img->jpeg = jpeg;
            img->jpeg_len = len;
            return 0;
        }
        free(jpeg);
    }
    img->pix = pix;
    return 0;
}

/**
 * One page through every step in this process (no artifacts).
 *
 * @param[in] o     options
 * @param[in] net   classifier
 * @param[in] path  image file
 * @param[in] page  0-based page number
 * @return new OutPage (caller owns), or NULL (message names file and page)
 */
OutPage *chain_page(const ChainOptions *o, RecNet *net, const char *path,
                    int page)
{
    int dpi = 0, scale = 1;
    float skew = 0.0f;
    PIX *pix = chain_read(o, path, page, &dpi);
    if (!pix)
        return NULL;
    PIX *pixb = chain_binarize(o, pix, dpi, path, page, &scale, &skew);
    pixDestroy(&pix);
    if (!pixb)
        return NULL;
    int sd = chain_dpi(dpi, scale);
    SegPage *sp = chain_segment(o, pixb, sd, net, path, page);
    pixDestroy(&pixb);
    if (!sp)
        return NULL;
    OutPage *op = chain_recognize(o, sp, net, path, page, sd);
    seg_page_destroy(&sp);
    if (op && chain_to_source(op, skew, scale) < 0)
        out_page_destroy(&op);
    return op;
}
