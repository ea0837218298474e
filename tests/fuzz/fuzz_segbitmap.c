/*
 * fuzz_segbitmap.c - libFuzzer target for binarisation and segmentation on
 * raw page bitmaps (seg_page_binarize, seg_page_segment; segment/). The
 * image decoders have their own targets; this one hands the segmenter the
 * pages no decoder test would draw: any size from 1 x 1, any ink pattern,
 * 1 bpp straight in or 8 bpp grey through the binariser, every option
 * switched. Whatever comes in, the result must be a well-formed SegPage
 * (boxes inside the page, indices in range, blocks 0..n-1 in reading
 * order), never a crash or a stray read under ASan + UBSan.
 *
 * Input layout (all bytes optional; missing pixels are paper):
 *   byte 0  flags: bit 0 8 bpp (else 1 bpp), bit 1 deskew, bit 2 Otsu
 *           (else Sauvola), bit 3 no furniture removal, bit 4 no
 *           touching-glyph split, bit 5 cut scorer set, bits 6-7 scale
 *           1..4 (pixels replicated, so small inputs make glyph-sized ink)
 *   byte 1  dpi: 0 (estimate), 75, 150, 300, 600 or 1200 (value % 6)
 *   byte 2  width - 1 (1..256 before scaling)
 *   byte 3  height - 1
 *   then    rows of pixels: 1 bpp packed MSB first (ink = 1), row stride
 *           (w + 7) / 8 bytes; 8 bpp one byte each (0 = black)
 * The seeds (tests/fuzz/corpus/segbitmap/) are small pages in this layout:
 * words far apart in two columns and nested, hairline marks beside a wide
 * blob, grey text with noise, a box with a word in it, a row of boxes one
 * glyph tall under writing and over ruled lines; regress_*.bin are
 * what this target found within seconds on the code before issue 12's fix
 * (the XY-cut block map read past its end: two_columns.bin finds that too;
 * the touching-glyph split cut left of a piece).
 *   make fuzz   (or build build-fuzz/fuzz/fuzz_segbitmap and run it alone)
 */
#include <assert.h>
#include <math.h>
#include <stdint.h>

#include "common/err.h"
#include "segment/segment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A cut scorer that costs nothing but still varies with the piece, so the
 * classifier-driven split paths are explored without loading a model. */
static float score_hash(void *ctx, const unsigned char *mask, int w, int h)
{
    (void)ctx;
    uint32_t x = 2166136261u ^ (uint32_t)w ^ ((uint32_t)h << 16);
    for (size_t i = 0; i < (size_t)w * h; i++)
        x = (x ^ mask[i]) * 16777619u;
    return (float)(x >> 8 & 0xffff) / 65535.0f;
}

static PIX *make_pix(const uint8_t *data, size_t size, int *pdpi, int *pflags)
{
    static const int dpis[6] = {0, 75, 150, 300, 600, 1200};
    int flags = size > 0 ? data[0] : 0;
    int dpi = size > 1 ? dpis[data[1] % 6] : 0;
    int w = size > 2 ? data[2] + 1 : 1, h = size > 3 ? data[3] + 1 : 1;
    int grey = flags & 1;
    const uint8_t *px = size > 4 ? data + 4 : NULL;
    size_t npx = size > 4 ? size - 4 : 0;
    PIX *pix = pixCreate(w, h, grey ? 8 : 1);
    if (!pix)
        return NULL;
    if (grey)
        pixSetAll(pix);
    size_t stride = grey ? (size_t)w : ((size_t)w + 7) / 8;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t at = (size_t)y * stride + (grey ? (size_t)x : (size_t)x / 8);
            if (at >= npx)
                break;
            if (grey)
                pixSetPixel(pix, x, y, px[at]);
            else if (px[at] >> (7 - x % 8) & 1)
                pixSetPixel(pix, x, y, 1);
        }
    int scale = 1 + (flags >> 6 & 3);
    if (scale > 1) {
        PIX *big = pixExpandReplicate(pix, scale);
        pixDestroy(&pix);
        pix = big;
    }
    *pdpi = dpi;
    *pflags = flags;
    return pix;
}

static int inside(SegBox b, int w, int h)
{
    return b.w > 0 && b.h > 0 && b.x >= 0 && b.y >= 0 && b.x + b.w <= w &&
           b.y + b.h <= h;
}

/* The SegPage invariants (tests/unit/test_seg_random.c checks more). */
static void check_page(const SegPage *page, int W, int H)
{
    int pw, ph, nl, nw, ng;
    seg_page_get_size(page, &pw, &ph);
    assert(pw == W && ph == H);
    const SegLine *l = seg_page_get_lines(page, &nl);
    const SegWord *wd = seg_page_get_words(page, &nw);
    const SegGlyph *g = seg_page_get_glyphs(page, &ng);
    int wexp = 0, gexp = 0, max_block = -1;
    for (int i = 0; i < nl; i++) {
        assert(l[i].block >= 0 && l[i].block <= max_block + 1);
        max_block = l[i].block > max_block ? l[i].block : max_block;
        assert(inside(l[i].box, W, H));
        assert(isfinite(l[i].baseline_y) && isfinite(l[i].baseline_slope));
        assert(l[i].first_word == wexp && l[i].n_words >= 1);
        wexp += l[i].n_words;
        assert(wexp <= nw);
        for (int k = l[i].first_word; k < wexp; k++) {
            assert(inside(wd[k].box, W, H));
            assert(wd[k].first_glyph == gexp && wd[k].n_glyphs >= 1);
            gexp += wd[k].n_glyphs;
            assert(gexp <= ng);
            for (int j = wd[k].first_glyph; j < gexp; j++) {
                assert(g[j].line == i && g[j].word == k);
                assert(inside(g[j].box, W, H));
                const unsigned char *m = seg_page_get_glyph_mask(page, j);
                assert(m);
                volatile unsigned char last =
                    m[(size_t)g[j].box.w * g[j].box.h - 1];
                (void)last;
            }
        }
    }
    assert(wexp == nw && gexp == ng);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet) {
        setMsgSeverity(L_SEVERITY_NONE);
        quiet = 1;
    }
    int dpi = 0, flags = 0;
    PIX *pix = make_pix(data, size, &dpi, &flags);
    if (!pix)
        return 0;
    PIX *pixb = NULL;
    if (flags & 1) {
        SegBinarizeOptions bo;
        seg_binarize_options_init(&bo);
        bo.deskew = (flags >> 1) & 1;
        bo.method = flags & 4 ? SEG_BINARIZE_OTSU : SEG_BINARIZE_SAUVOLA;
        int scale = 0;
        pixb = seg_page_binarize(pix, dpi, &bo, NULL, &scale);
        /* a valid page never fails to binarise; small writing comes back
         * enlarged by the scale it reports */
        assert(pixb && pixGetDepth(pixb) == 1);
        assert(scale == 1 || scale == 2);
        assert(pixGetWidth(pixb) == scale * pixGetWidth(pix) &&
               pixGetHeight(pixb) == scale * pixGetHeight(pix));
        dpi *= scale;
    } else {
        pixb = pixClone(pix);
    }
    SegOptions so;
    seg_options_init(&so);
    so.remove_furniture = !(flags & 8);
    so.split_touching = !(flags & 16);
    if (flags & 32)
        so.score = score_hash;
    SegPage *page = seg_page_segment(pixb, dpi, &so);
    assert(page); /* only bad arguments or out of memory give NULL */
    check_page(page, pixGetWidth(pixb), pixGetHeight(pixb));
    seg_page_destroy(&page);
    pixDestroy(&pixb);
    pixDestroy(&pix);
    return 0;
}
