/*
 * hand_cues.c - the print/handwriting cues of every word of some pages, as
 * TSV (measuring recognize/rec_hand.c; docs/segment.md).
 *
 *   build/tools/hand_cues --model M [--charset SPEC] IMAGE...
 *
 * Prints one row per word: image, word, x0 y0 x1 y1, the classifier's
 * reading (argmax, no context), glyphs, each cue of rec_hand_cues() and
 * rec_hand_printed(). Pages are read through the page chain (chain.h)
 * with its defaults; the reading is the classifier's own (no line
 * context, so no label is dropped and word indices stay the segmenter's).
 */
#include "chain/chain.h"
#include "common/err.h"
#include "recognize/rec_page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int dump(const ChainOptions *co, RecNet *net, const char *path)
{
    int dpi = 0;
    PIX *pix = chain_read(co, path, 0, &dpi);
    PIX *pb = pix ? chain_binarize(co, pix, dpi, path, 0, NULL, NULL) : NULL;
    SegPage *sp = pb ? chain_segment(co, pb, dpi, net, path, 0) : NULL;
    OutPage *op = sp ? rec_page_recognize(sp, net, co->charset, 0, NULL, NULL,
                                          NULL, NULL, path, 0, dpi)
                     : NULL;
    int rc = op ? 0 : -1;
    float *conf = op ? malloc(((size_t)op->n_glyphs + 1) * sizeof *conf)
                     : NULL;
    for (int i = 0; conf && i < op->n_glyphs; i++)
        conf[i] = op->glyphs[i].conf;
    for (int w = 0; rc == 0 && conf && w < op->n_words; w++) {
        const OutWord *ow = &op->words[w];
        RecHandCues c;
        if (rec_hand_cues(sp, w, conf, &c) < 0) {
            rc = -1;
            break;
        }
        char text[64];
        int n = 0;
        for (int g = ow->first_glyph;
             g < ow->first_glyph + ow->n_glyphs && n < 63; g++) {
            uint32_t cp = op->glyphs[g].codepoint;
            text[n++] = cp > 32 && cp < 127 ? (char)cp : '?';
        }
        text[n] = 0;
        printf("%s\t%d\t%d\t%d\t%d\t%d\t%s\t%d\t%.4f\t%.4f\t%.3f\t%.4f\t"
               "%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\n",
               path, w, ow->box.x0, ow->box.y0, ow->box.x1, ow->box.y1, text,
               c.n_glyphs, c.stroke_cv, c.stroke_between, c.stroke_width,
               c.straight, c.conf, c.bottom_dev, c.top_shared,
               c.height_shared, c.gap, rec_hand_printed(&c));
    }
    free(conf);
    out_page_destroy(&op);
    seg_page_destroy(&sp);
    pixDestroy(&pb);
    pixDestroy(&pix);
    return rc;
}

int main(int argc, char **argv)
{
    const char *model = NULL, *charset = NULL;
    int i = 1;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (!strcmp(argv[i], "--model"))
            model = argv[i + 1];
        else if (!strcmp(argv[i], "--charset"))
            charset = argv[i + 1];
        else
            break;
    }
    if (!model || i >= argc) {
        fputs("usage: hand_cues --model M [--charset SPEC] IMAGE...\n",
              stderr);
        return 2;
    }
    RecNet *net = rec_net_load(model);
    ChainOptions co;
    chain_options_init(&co);
    if (!net || rec_net_set_precision(net, REC_PRECISION_AUTO) < 0 ||
        (charset && rec_charset_parse(charset, &co.charset) < 0)) {
        fprintf(stderr, "hand_cues: %s\n", err_get());
        return 1;
    }
    puts("image\tword\tx0\ty0\tx1\ty1\ttext\tn\tstroke_cv\tstroke_between\t"
         "stroke_width\tstraight\tconf\tbottom_dev\ttop_shared\t"
         "height_shared\tgap\tprinted");
    int bad = 0;
    for (; i < argc; i++)
        if (dump(&co, net, argv[i]) < 0) {
            fprintf(stderr, "hand_cues: %s\n", err_get());
            bad = 1;
        }
    rec_net_destroy(&net);
    return bad;
}
