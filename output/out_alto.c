/*
 * out_alto.c - recognised pages as ALTO 4.4 XML (Library of Congress).
 *
 * Design: a single streaming pass, no DOM, like out_hocr.c. Structure:
 *
 *   alto (namespace ns-v4#, SCHEMAVERSION 4.4)
 *    Description        MeasurementUnit pixel; sourceImageInformation/
 *                       fileName (first page's image); OCRProcessing/
 *                       ocrProcessingStep/processingSoftware (inkpipe)
 *    Layout
 *     Page#page_P        WIDTH, HEIGHT, PHYSICAL_IMG_NR (pageno + 1)
 *      PrintSpace#ps_P   the whole page
 *       TextBlock#block_P_B      one per run of lines with the same block
 *        TextLine#line_P_L       HPOS VPOS WIDTH HEIGHT of the line box
 *         String#string_P_L_W    box, CONTENT, WC, CC
 *         SP                     between two Strings (the gap)
 *
 * P, B, L, W count from 1 (L within the page, W within the line), so IDs
 * are unique in the document. Boxes become HPOS = x0, VPOS = y0,
 * WIDTH = x1 - x0, HEIGHT = y1 - y0 (pixels, MeasurementUnit pixel).
 * ALTO requires at least one String per TextLine, so words without glyphs
 * are skipped, lines without such words too, and blocks left empty too.
 * Everything textual goes through out__xml_put_cp (strict UTF-8 decoding
 * of byte strings, U+FFFD for anything not printable), so any file name or
 * glyph gives well-formed, schema-valid output.
 */
#include "output/output.h"
#include "output/out_int.h"
#include "common/err.h"

#include <math.h>
#include <string.h>

#define OUT_ALTO_SOFTWARE "inkpipe"
#define OUT_ALTO_VERSION "0.1"

/* HPOS VPOS WIDTH HEIGHT of a box, with a leading space. */
static void put_box(FILE *fp, const OutBox *b)
{
    fprintf(fp, " HPOS=\"%d\" VPOS=\"%d\" WIDTH=\"%d\" HEIGHT=\"%d\"", b->x0,
            b->y0, b->x1 - b->x0, b->y1 - b->y0);
}

/* Nonzero when the line has a word with glyphs (ALTO needs one String). */
static int line_has_text(const OutPage *page, const OutLine *l)
{
    int wi;

    for (wi = l->first_word; wi < l->first_word + l->n_words; wi++)
        if (page->words[wi].n_glyphs > 0)
            return 1;
    return 0;
}

/**
 * ALTO character confidence digit of a glyph confidence.
 *
 * @param[in] conf  glyph confidence, 0 (unsure) .. 1 (sure)
 * @return '0' (sure) .. '9' (unsure): round(9 * (1 - conf))
 *
 * Notes:
 *   (1) conf is clamped to [0, 1] first (a softmax may exceed 1 by 1e-4).
 */
static char cc_digit(float conf)
{
    double c = fmin(1.0, fmax(0.0, (double)conf));
    return (char)('0' + (int)lround(9.0 * (1.0 - c)));
}

static void put_string(FILE *fp, const OutPage *page, const OutWord *w, int pn,
                       int ln, int wn)
{
    char num[32];
    double p = 1.0;
    int i;

    fprintf(fp, "            <String ID=\"string_%d_%d_%d\"", pn, ln, wn);
    put_box(fp, &w->box);
    fputs(" CONTENT=\"", fp);
    for (i = w->first_glyph; i < w->first_glyph + w->n_glyphs; i++) {
        out__xml_put_cp(fp, page->glyphs[i].codepoint);
        p *= fmin(1.0, page->glyphs[i].conf);
    }
    /* WC as in hOCR's x_wconf: the product of the glyph confidences. */
    fprintf(fp, "\" WC=\"%s\" CC=\"", out__fmt_num(p, 2, num));
    for (i = w->first_glyph; i < w->first_glyph + w->n_glyphs; i++)
        fputc(cc_digit(page->glyphs[i].conf), fp);
    fputs("\"/>\n", fp);
}

static void put_line(FILE *fp, const OutPage *page, const OutLine *l, int pn,
                     int ln)
{
    const OutWord *prev = NULL;
    int wi, wn = 0;

    fprintf(fp, "          <TextLine ID=\"line_%d_%d\"", pn, ln);
    put_box(fp, &l->box);
    fputs(">\n", fp);
    for (wi = l->first_word; wi < l->first_word + l->n_words; wi++) {
        const OutWord *w = &page->words[wi];
        if (w->n_glyphs == 0)
            continue;
        if (prev) {
            /* the gap between the two words; 0 wide when they touch or
             * overlap (WIDTH must not be negative) */
            int gap = w->box.x0 - prev->box.x1;
            fprintf(fp,
                    "            <SP HPOS=\"%d\" VPOS=\"%d\" "
                    "WIDTH=\"%d\"/>\n",
                    prev->box.x1, l->box.y0, gap > 0 ? gap : 0);
        }
        put_string(fp, page, w, pn, ln, ++wn);
        prev = w;
    }
    fputs("          </TextLine>\n", fp);
}

static void put_page(FILE *fp, const OutPage *page, int pn)
{
    int li, end, k, bn = 0, any;
    OutBox area = {0, 0, 0, 0};

    fprintf(fp,
            "    <Page ID=\"page_%d\" WIDTH=\"%d\" HEIGHT=\"%d\" "
            "PHYSICAL_IMG_NR=\"%d\">\n"
            "      <PrintSpace ID=\"ps_%d\" HPOS=\"0\" VPOS=\"0\" "
            "WIDTH=\"%d\" HEIGHT=\"%d\">\n",
            pn, page->width, page->height, page->pageno + 1, pn, page->width,
            page->height);
    for (li = 0; li < page->n_lines; li = end) {
        end = li + 1;
        while (end < page->n_lines &&
               page->lines[end].block == page->lines[li].block)
            end++;
        any = 0;
        for (k = li; k < end; k++) {
            if (!line_has_text(page, &page->lines[k]))
                continue;
            if (!any)
                area = page->lines[k].box;
            else
                out__box_union(&area, &page->lines[k].box);
            any = 1;
        }
        if (!any)
            continue;
        fprintf(fp, "        <TextBlock ID=\"block_%d_%d\"", pn, ++bn);
        put_box(fp, &area);
        fputs(">\n", fp);
        for (k = li; k < end; k++)
            if (line_has_text(page, &page->lines[k]))
                put_line(fp, page, &page->lines[k], pn, k + 1);
        fputs("        </TextBlock>\n", fp);
    }
    fputs("      </PrintSpace>\n    </Page>\n", fp);
}

/**
 * Write the pages of one input file as one ALTO 4.4 document.
 *
 * @param[in] fp       output stream (not closed)
 * @param[in] pages    pages in order; page->pageno + 1 goes to
 *                     PHYSICAL_IMG_NR
 * @param[in] n_pages  number of pages (>= 1: ALTO requires a Page)
 * @return 0, or -1 with the message in err_get()
 *
 * Notes:
 *   (1) All pages are checked (out_page_check) before anything is written.
 *   (2) The output validates against the ALTO 4.4 schema for any input
 *       bytes: see the file header for escaping and skipped empty parts.
 *   (3) fileName is the first page's image (all pages of one input share
 *       it).
 */
int out_alto_write(FILE *fp, const OutPage *const *pages, int n_pages)
{
    int i;

    if (!fp || !pages || n_pages < 1)
        return err_set("alto: need at least one page");
    for (i = 0; i < n_pages; i++)
        if (out_page_check(pages[i]) < 0)
            return err_prefix("alto");
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<alto xmlns=\"http://www.loc.gov/standards/alto/ns-v4#\"\n"
          "      xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
          "      xsi:schemaLocation=\"http://www.loc.gov/standards/alto/ns-v4# "
          "http://www.loc.gov/alto/v4/alto-4-4.xsd\"\n"
          "      SCHEMAVERSION=\"4.4\">\n"
          "  <Description>\n"
          "    <MeasurementUnit>pixel</MeasurementUnit>\n"
          "    <sourceImageInformation>\n"
          "      <fileName>",
          fp);
    out__xml_put_bytes(fp, pages[0]->image);
    fputs("</fileName>\n"
          "    </sourceImageInformation>\n"
          "    <OCRProcessing ID=\"OCR_0\">\n"
          "      <ocrProcessingStep>\n"
          "        <processingSoftware>\n"
          "          <softwareName>" OUT_ALTO_SOFTWARE "</softwareName>\n"
          "          <softwareVersion>" OUT_ALTO_VERSION "</softwareVersion>\n"
          "        </processingSoftware>\n"
          "      </ocrProcessingStep>\n"
          "    </OCRProcessing>\n"
          "  </Description>\n"
          "  <Layout>\n",
          fp);
    for (i = 0; i < n_pages; i++)
        put_page(fp, pages[i], i + 1);
    fputs("  </Layout>\n</alto>\n", fp);
    if (fflush(fp) != 0 || ferror(fp))
        return err_set_errno("alto: write");
    return 0;
}
