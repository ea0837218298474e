/*
 * out_hocr.c - recognised pages as hOCR 1.2 (XHTML 1.0 Transitional).
 *
 * Design: a single streaming pass, no DOM. Structure per page:
 *
 *   div.ocr_page#page_P          image, bbox, ppageno, scan_res
 *    div.ocr_carea#block_P_B     one per run of lines with the same block
 *     p.ocr_par#par_P_B          same box as the carea
 *      span.ocr_line#line_P_L    bbox, baseline p1 p0, x_size
 *       span.ocrx_word#word_P_L_W  bbox, x_wconf
 *        span.ocrx_cinfo         x_bboxes, x_confs (one per glyph)
 *
 * P, B, L, W count from 1 (L within the page, W within the line), so ids
 * are unique in the document. Escaping happens in two layers: the image
 * path is first a hOCR quoted string (backslash before '\' and '"'), then
 * an XML attribute value (&amp; &lt; &gt; &quot; &apos;). Byte strings are
 * decoded strictly: each invalid UTF-8 byte becomes U+FFFD, so any file
 * name yields well-formed output. Empty words are not written.
 */
#include "output/output.h"
#include "output/out_int.h"
#include "common/err.h"

#include <math.h>
#include <string.h>

#define OUT_OCR_SYSTEM "inkpipe 0.1"
#define OUT_CAPABILITIES                                                       \
    "ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrx_cinfo ocrp_wconf "   \
    "x_hand"

/* A byte string as hOCR-quoted, XML-escaped UTF-8 (the quotes themselves
 * are written by the caller). */
static void put_quoted_path(FILE *fp, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), adv;
    uint32_t cp;

    while (n > 0) {
        cp = out__utf8_decode(u, n, &adv);
        if (cp == '\\' || cp == '"')
            fputc('\\', fp);
        out__xml_put_cp(fp, cp);
        u += adv;
        n -= adv;
    }
}

static void put_box(FILE *fp, const OutBox *b)
{
    fprintf(fp, "%d %d %d %d", b->x0, b->y0, b->x1, b->y1);
}

/* Word confidence 0..100: the product of its glyph confidences, i.e. the
 * probability that every glyph is right if errors are independent (the
 * spec asks for values that approximate posterior probabilities). */
static int word_conf(const OutPage *page, const OutWord *w)
{
    double p = 1.0;
    int i;

    for (i = w->first_glyph; i < w->first_glyph + w->n_glyphs; i++)
        p *= fmin(1.0, page->glyphs[i].conf);
    return (int)lround(p * 100.0);
}

static void put_word(FILE *fp, const OutPage *page, const OutWord *w, int pn,
                     int ln, int wn)
{
    char num[32];
    int i;

    fprintf(fp, "      <span class=\"ocrx_word\" id=\"word_%d_%d_%d\" "
                "title=\"bbox ", pn, ln, wn);
    put_box(fp, &w->box);
    fprintf(fp, "; x_wconf %d", word_conf(page, w));
    /* hOCR 1.2 has no property for handwriting: an engine-specific one,
     * declared in ocr-capabilities */
    if (w->kind != OUT_WORD_UNKNOWN)
        fprintf(fp, "; x_hand %d", w->kind == OUT_WORD_HAND);
    fputs("\">", fp);
    for (i = w->first_glyph; i < w->first_glyph + w->n_glyphs; i++) {
        const OutGlyph *g = &page->glyphs[i];
        fputs("<span class=\"ocrx_cinfo\" title=\"x_bboxes ", fp);
        put_box(fp, &g->box);
        fprintf(fp, "; x_confs %s\">",
                out__fmt_num(fmin(1.0, g->conf) * 100.0, 2, num));
        out__xml_put_cp(fp, g->codepoint);
        fputs("</span>", fp);
    }
    fputs("</span>\n", fp);
}

static void put_line(FILE *fp, const OutPage *page, const OutLine *l, int pn,
                     int ln)
{
    char a[32], b[32], c[32];
    int wi, wn = 0;

    fprintf(fp, "     <span class=\"ocr_line\" id=\"line_%d_%d\" title=\"bbox ",
            pn, ln);
    put_box(fp, &l->box);
    fprintf(fp, "; baseline %s %s; x_size %s\">\n",
            out__fmt_num(l->baseline_slope, 4, a),
            out__fmt_num(l->baseline_offset, 1, b),
            out__fmt_num(l->x_size, 1, c));
    for (wi = l->first_word; wi < l->first_word + l->n_words; wi++)
        if (page->words[wi].n_glyphs > 0)
            put_word(fp, page, &page->words[wi], pn, ln, ++wn);
    fputs("     </span>\n", fp);
}

static void put_page(FILE *fp, const OutPage *page, int pn)
{
    int li, end, k, bn = 0;
    OutBox area;

    /* The hOCR string quotes are '"', which inside the XML attribute must
     * be written as &quot;. */
    fprintf(fp, "  <div class=\"ocr_page\" id=\"page_%d\" "
                "title=\"image &quot;", pn);
    put_quoted_path(fp, page->image);
    fprintf(fp, "&quot;; bbox 0 0 %d %d; ppageno %d", page->width,
            page->height, page->pageno);
    if (page->dpi > 0)
        fprintf(fp, "; scan_res %d %d", page->dpi, page->dpi);
    fputs("\">\n", fp);

    for (li = 0; li < page->n_lines; li = end) {
        end = li + 1;
        while (end < page->n_lines &&
               page->lines[end].block == page->lines[li].block)
            end++;
        area = page->lines[li].box;
        for (k = li + 1; k < end; k++)
            out__box_union(&area, &page->lines[k].box);
        bn++;
        fprintf(fp, "   <div class=\"ocr_carea\" id=\"block_%d_%d\" "
                    "title=\"bbox ", pn, bn);
        put_box(fp, &area);
        fprintf(fp, "\">\n    <p class=\"ocr_par\" id=\"par_%d_%d\" "
                    "title=\"bbox ", pn, bn);
        put_box(fp, &area);
        fputs("\">\n", fp);
        for (k = li; k < end; k++)
            put_line(fp, page, &page->lines[k], pn, k + 1);
        fputs("    </p>\n   </div>\n", fp);
    }
    fputs("  </div>\n", fp);
}

/**
 * Write the pages of one input file as one hOCR 1.2 document.
 *
 * @param[in] fp       output stream (not closed)
 * @param[in] pages    pages in order; page->pageno goes to ppageno
 * @param[in] n_pages  number of pages (>= 1: hOCR requires an ocr_page)
 * @return 0, or -1 with the message in err_get()
 *
 * Notes:
 *   (1) All pages are checked (out_page_check) before anything is written.
 *   (2) The output is well-formed XML for any input bytes: see the file
 *       header for the escaping rules.
 *   (3) The capabilities list is fixed: it names everything this writer
 *       can emit, as the spec requires, whether or not a page uses it.
 */
int out_hocr_write(FILE *fp, const OutPage *const *pages, int n_pages)
{
    int i;

    if (!fp || !pages || n_pages < 1)
        return err_set("hocr: need at least one page");
    for (i = 0; i < n_pages; i++)
        if (out_page_check(pages[i]) < 0)
            return err_prefix("hocr");
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n"
          "    \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
          "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" "
          "lang=\"en\">\n"
          " <head>\n  <title>",
          fp);
    out__xml_put_bytes(fp, pages[0]->image);
    fprintf(fp,
            "</title>\n"
            "  <meta http-equiv=\"Content-Type\" "
            "content=\"text/html;charset=utf-8\" />\n"
            "  <meta name=\"ocr-system\" content=\"%s\" />\n"
            "  <meta name=\"ocr-capabilities\" content=\"%s\" />\n"
            "  <meta name=\"ocr-number-of-pages\" content=\"%d\" />\n"
            " </head>\n <body>\n",
            OUT_OCR_SYSTEM, OUT_CAPABILITIES, n_pages);
    for (i = 0; i < n_pages; i++)
        put_page(fp, pages[i], i + 1);
    fputs(" </body>\n</html>\n", fp);
    if (fflush(fp) != 0 || ferror(fp))
        return err_set_errno("hocr: write");
    return 0;
}
