/*
 * out_pdf.c - recognised pages as a searchable PDF: each page's image with
 * an invisible text layer placed word by word over it.
 *
 * Design: written by hand in one pass (PDF 1.7 is text and streams), with
 * fixed object numbers so that the page tree can name its kids before they
 * are written:
 *
 *   1 Catalog   2 Pages   3 Info (Producer)   4 XMP metadata
 *   5 Type0 font /Identity-H -> 6 CIDFontType2 (no glyphs, DW 500)
 *   7 ToUnicode CMap (CID -> UTF-16)          8 FontDescriptor
 *   9 + 3i Page i, 10 + 3i its content stream, 11 + 3i its image
 *
 * Text: the font has no glyph outlines and is drawn in render mode 3
 * (invisible), as OCR layers are. Each distinct code point of the document
 * gets a CID (1, 2, ... in code point order) and the ToUnicode CMap maps it
 * back, so copy, search and pdftotext give the words' UTF-8 whatever the
 * script (astral code points as surrogate pairs). Every glyph is 500/1000
 * em wide with ascent 800 and descent -200, so a word set at a font size
 * equal to its box height, with its baseline 0.2 em above the box bottom
 * and its horizontal scaling (Tz) chosen so that its glyphs span the box
 * width, covers exactly its hOCR box. A space ends every word but a
 * line's last, so readers split words where the recogniser did.
 *
 * Images come from the caller's OutImageSource one page at a time (only
 * one page's image is in memory): a JPEG with the page's pixels is copied
 * as is (DCTDecode); a 1 bpp page is CCITT G4 (Leptonica's G4 TIFF coder,
 * the strip taken out); grey or colour is JPEG-encoded (quality 75, as
 * scanners commonly write). The page is the image at its resolution (300
 * dpi when unknown).
 *
 * Deterministic: no dates, and the file ID is a hash of the file's bytes,
 * so the same pages give the same bytes (the pipeline's reruns rely on it).
 */
#include "output/output.h"
#include "output/out_int.h"
#include "common/binio.h"
#include "common/err.h"

#include <leptonica/allheaders.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define PDF_PRODUCER "inkpipe 0.1"
#define PDF_DEFAULT_DPI 300
#define PDF_JPEG_QUALITY 75
/* PDF's largest page side (ISO 32000 annex C, PDF/A), points */
#define PDF_MAX_SIDE 14400.0

enum {
    OBJ_CATALOG = 1,
    OBJ_PAGES,
    OBJ_INFO,
    OBJ_META,
    OBJ_FONT,
    OBJ_CIDFONT,
    OBJ_TOUNICODE,
    OBJ_FONTDESC,
    OBJ_PAGE0
};
#define OBJ_PAGE(i) (OBJ_PAGE0 + 3 * (i))
#define OBJ_CONTENT(i) (OBJ_PAGE0 + 3 * (i) + 1)
#define OBJ_IMAGE(i) (OBJ_PAGE0 + 3 * (i) + 2)

/* Glyph metrics of the text layer's font, 1/1000 em */
#define FONT_WIDTH 500
#define FONT_ASCENT 800
#define FONT_DESCENT (-200)

/* The output file: byte count (for xref offsets) and a running hash of
 * every byte (for /ID). */
typedef struct {
    FILE *fp;
    uint64_t pos;
    uint32_t crc, adler;
    uint64_t *xref; /* offset of each object, by number */
    int n_obj;
} Pdf;

static void pdf_put(Pdf *p, const void *s, size_t n)
{
    if (n == 0)
        return;
    fwrite(s, 1, n, p->fp);
    p->pos += n;
    p->crc = (uint32_t)crc32(p->crc, s, (uInt)n);
    p->adler = (uint32_t)adler32(p->adler, s, (uInt)n);
}

static void pdf_printf(Pdf *p, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k > 0)
        pdf_put(p, tmp, (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
}

static void pdf_obj(Pdf *p, int num)
{
    p->xref[num] = p->pos;
    pdf_printf(p, "%d 0 obj\n", num);
}

/* A whole stream object: dict holds the keys besides /Length. */
static void pdf_stream(Pdf *p, int num, const char *dict, const void *data,
                       size_t len)
{
    pdf_obj(p, num);
    pdf_printf(p, "<< /Length %zu %s >>\nstream\n", len, dict);
    pdf_put(p, data, len);
    pdf_printf(p, "\nendstream\nendobj\n");
}

/* A stream object, Flate-compressed (deterministic: zlib level 9). */
static int pdf_stream_flate(Pdf *p, int num, const char *dict,
                            const BinBuf *b)
{
    uLongf zn = compressBound((uLong)b->n);
    unsigned char *z = malloc(zn);
    if (!z)
        return err_set("pdf: out of memory");
    if (compress2(z, &zn, (const Bytef *)b->p, (uLong)b->n, 9) != Z_OK) {
        free(z);
        return err_set("pdf: cannot compress a stream");
    }
    char d[256];
    snprintf(d, sizeof d, "/Filter /FlateDecode %s", dict);
    pdf_stream(p, num, d, z, zn);
    free(z);
    return 0;
}

/* ---- the document's characters -------------------------------------- */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static uint32_t text_cp(uint32_t cp)
{
    return out__cp_printable(cp) ? cp : OUT_REPLACEMENT;
}

/* The distinct code points of all pages, sorted, U+0020 among them (the
 * word separator); CID = index + 1. */
static int collect_cps(const OutPage *const *pages, int n_pages,
                       uint32_t **pcps, int *pn)
{
    size_t total = 1;
    for (int i = 0; i < n_pages; i++)
        total += (size_t)pages[i]->n_glyphs;
    uint32_t *cps = malloc(total * sizeof *cps);
    if (!cps)
        return err_set("pdf: out of memory");
    size_t k = 0;
    cps[k++] = 0x20;
    for (int i = 0; i < n_pages; i++)
        for (int g = 0; g < pages[i]->n_glyphs; g++)
            cps[k++] = text_cp(pages[i]->glyphs[g].codepoint);
    qsort(cps, k, sizeof *cps, cmp_u32);
    size_t u = 0;
    for (size_t j = 0; j < k; j++)
        if (u == 0 || cps[u - 1] != cps[j])
            cps[u++] = cps[j];
    if (u > 0xFFFE) {
        free(cps);
        return err_set("pdf: %zu distinct characters, at most 65534", u);
    }
    *pcps = cps;
    *pn = (int)u;
    return 0;
}

static unsigned cid_of(const uint32_t *cps, int n, uint32_t cp)
{
    const uint32_t *hit = bsearch(&cp, cps, (size_t)n, sizeof *cps, cmp_u32);
    return hit ? (unsigned)(hit - cps) + 1 : 0;
}

/* UTF-16BE hex of cp (one unit or a surrogate pair). */
static void put_utf16(BinBuf *b, uint32_t cp)
{
    if (cp < 0x10000) {
        binio_buf_printf(b, "%04X", (unsigned)cp);
    } else {
        cp -= 0x10000;
        binio_buf_printf(b, "%04X%04X", (unsigned)(0xD800 + (cp >> 10)),
                   (unsigned)(0xDC00 + (cp & 0x3FF)));
    }
}

static int put_tounicode(Pdf *p, const uint32_t *cps, int n)
{
    BinBuf b = {0};
    binio_buf_printf(&b, "/CIDInit /ProcSet findresource begin\n"
                   "12 dict begin\n"
                   "begincmap\n"
                   "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) "
                   "/Supplement 0 >> def\n"
                   "/CMapName /Adobe-Identity-UCS def\n"
                   "/CMapType 2 def\n"
                   "1 begincodespacerange\n<0000> <FFFF>\n"
                   "endcodespacerange\n");
    /* at most 100 entries a block (PDF reference, 9.10.3) */
    for (int i = 0; i < n; i += 100) {
        int m = n - i < 100 ? n - i : 100;
        binio_buf_printf(&b, "%d beginbfchar\n", m);
        for (int j = i; j < i + m; j++) {
            binio_buf_printf(&b, "<%04X> <", (unsigned)(j + 1));
            put_utf16(&b, cps[j]);
            binio_buf_printf(&b, ">\n");
        }
        binio_buf_printf(&b, "endbfchar\n");
    }
    binio_buf_printf(&b, "endcmap\n"
                   "CMapName currentdict /CMap defineresource pop\n"
                   "end\nend\n");
    int rc = b.oom ? err_set("pdf: out of memory")
                   : pdf_stream_flate(p, OBJ_TOUNICODE, "", &b);
    binio_buf_cleanup(&b);
    return rc;
}

/* ---- document objects ------------------------------------------------ */

static void put_head(Pdf *p, int n_pages)
{
    /* a comment of bytes >= 128 on line 2 marks the file binary (PDF/A) */
    pdf_printf(p, "%%PDF-1.7\n%%\xE2\xE3\xCF\xD3\n");
    pdf_obj(p, OBJ_CATALOG);
    pdf_printf(p, "<< /Type /Catalog /Pages %d 0 R /Metadata %d 0 R >>\n"
                  "endobj\n",
               OBJ_PAGES, OBJ_META);
    pdf_obj(p, OBJ_PAGES);
    pdf_printf(p, "<< /Type /Pages /Count %d /Kids [", n_pages);
    for (int i = 0; i < n_pages; i++)
        pdf_printf(p, "%s%d 0 R", i % 10 ? " " : "\n", OBJ_PAGE(i));
    pdf_printf(p, "\n] >>\nendobj\n");
    pdf_obj(p, OBJ_INFO);
    pdf_printf(p, "<< /Producer (" PDF_PRODUCER ") >>\nendobj\n");
    static const char xmp[] =
        "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
        "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
        " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
        "  <rdf:Description rdf:about=\"\"\n"
        "    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n"
        "   <pdf:Producer>" PDF_PRODUCER "</pdf:Producer>\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        "<?xpacket end=\"w\"?>";
    pdf_stream(p, OBJ_META, "/Type /Metadata /Subtype /XML", xmp,
               sizeof xmp - 1);
    pdf_obj(p, OBJ_FONT);
    pdf_printf(p,
               "<< /Type /Font /Subtype /Type0 /BaseFont /InkpipeGlyphless "
               "/Encoding /Identity-H /DescendantFonts [%d 0 R] "
               "/ToUnicode %d 0 R >>\nendobj\n",
               OBJ_CIDFONT, OBJ_TOUNICODE);
    pdf_obj(p, OBJ_CIDFONT);
    pdf_printf(p,
               "<< /Type /Font /Subtype /CIDFontType2 /BaseFont "
               "/InkpipeGlyphless /CIDSystemInfo << /Registry (Adobe) "
               "/Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R "
               "/DW %d /CIDToGIDMap /Identity >>\nendobj\n",
               OBJ_FONTDESC, FONT_WIDTH);
    pdf_obj(p, OBJ_FONTDESC);
    pdf_printf(p,
               "<< /Type /FontDescriptor /FontName /InkpipeGlyphless "
               "/Flags 5 /FontBBox [0 %d %d %d] /ItalicAngle 0 /Ascent %d "
               "/Descent %d /CapHeight %d /StemV 80 >>\nendobj\n",
               FONT_DESCENT, FONT_WIDTH, FONT_ASCENT, FONT_ASCENT,
               FONT_DESCENT, FONT_ASCENT);
}

/* ---- one page -------------------------------------------------------- */

/* The page's text layer into b; s = points per pixel, hpt = page height. */
static void put_text(BinBuf *b, const OutPage *pg, const uint32_t *cps,
                     int ncp, double s, double hpt)
{
    char n1[32], n2[32], n3[32], n4[32];
    unsigned space = cid_of(cps, ncp, 0x20);
    binio_buf_printf(b, "BT\n3 Tr\n");
    for (int li = 0; li < pg->n_lines; li++) {
        const OutLine *l = &pg->lines[li];
        int last = -1;
        for (int wi = l->first_word; wi < l->first_word + l->n_words; wi++)
            if (pg->words[wi].n_glyphs > 0)
                last = wi;
        for (int wi = l->first_word; wi <= last; wi++) {
            const OutWord *w = &pg->words[wi];
            if (w->n_glyphs == 0)
                continue;
            int bw = w->box.x1 - w->box.x0, bh = w->box.y1 - w->box.y0;
            double fs = (bh > 0 ? bh : 1) * s;
            double wpt = (bw > 0 ? bw : 1) * s;
            double tz = 100.0 * wpt /
                        (w->n_glyphs * (FONT_WIDTH / 1000.0) * fs);
            double x = w->box.x0 * s;
            double y = hpt - w->box.y1 * s - (FONT_DESCENT / 1000.0) * fs;
            binio_buf_printf(b, "/F0 %s Tf %s Tz 1 0 0 1 %s %s Tm <",
                       out__fmt_num(fs, 3, n1), out__fmt_num(tz, 3, n2),
                       out__fmt_num(x, 3, n3), out__fmt_num(y, 3, n4));
            for (int g = w->first_glyph; g < w->first_glyph + w->n_glyphs;
                 g++)
                binio_buf_printf(b, "%04X",
                           cid_of(cps, ncp, text_cp(pg->glyphs[g].codepoint)));
            if (wi != last)
                binio_buf_printf(b, "%04X", space);
            binio_buf_printf(b, "> Tj\n");
        }
    }
    binio_buf_printf(b, "ET\n");
}

/* The image XObject of page i (data already encoded). */
static int put_image(Pdf *p, int i, const OutImage *img, int *pw, int *ph)
{
    char dict[256];
    if (img->jpeg) {
        l_int32 w, h, spp, cmyk;
        if (readHeaderMemJpeg(img->jpeg, img->jpeg_len, &w, &h, &spp, NULL,
                              &cmyk) != 0 ||
            (spp != 1 && spp != 3))
            return err_set("not a grey or RGB JPEG");
        snprintf(dict, sizeof dict,
                 "/Type /XObject /Subtype /Image /Width %d /Height %d "
                 "/ColorSpace /Device%s /BitsPerComponent 8 "
                 "/Filter /DCTDecode",
                 w, h, spp == 1 ? "Gray" : "RGB");
        pdf_stream(p, OBJ_IMAGE(i), dict, img->jpeg, img->jpeg_len);
        *pw = w;
        *ph = h;
        return 0;
    }
    PIX *pix = img->pix;
    int d = pixGetDepth(pix);
    PIX *conv = NULL;
    L_COMP_DATA *cid = NULL;
    if (d == 1 && !pixGetColormap(pix)) {
        if (pixGenerateCIData(pix, L_G4_ENCODE, 0, 0, &cid) != 0 || !cid)
            return err_set("cannot G4-encode the %dx%d image",
                           pixGetWidth(pix), pixGetHeight(pix));
        snprintf(dict, sizeof dict,
                 "/Type /XObject /Subtype /Image /Width %d /Height %d "
                 "/ColorSpace /DeviceGray /BitsPerComponent 1 "
                 "/Filter /CCITTFaxDecode /DecodeParms << /K -1 "
                 "/Columns %d /Rows %d%s >>",
                 cid->w, cid->h, cid->w, cid->h,
                 cid->minisblack ? " /BlackIs1 true" : "");
    } else {
        /* grey or colour: 8 bpp grey or 24-bit RGB, then JPEG */
        if (pixGetColormap(pix))
            conv = pixRemoveColormap(pix, REMOVE_CMAP_BASED_ON_SRC);
        else if (d == 32)
            conv = pixClone(pix);
        else
            conv = pixConvertTo8(pix, 0);
        if (conv && pixGetDepth(conv) != 8 && pixGetDepth(conv) != 32) {
            PIX *c8 = pixConvertTo8(conv, 0);
            pixDestroy(&conv);
            conv = c8;
        }
        if (conv && pixGetDepth(conv) == 32)
            pixSetSpp(conv, 3);
        if (!conv ||
            pixGenerateCIData(conv, L_JPEG_ENCODE, PDF_JPEG_QUALITY, 0,
                              &cid) != 0 ||
            !cid) {
            pixDestroy(&conv);
            return err_set("cannot JPEG-encode the %dx%d image",
                           pixGetWidth(pix), pixGetHeight(pix));
        }
        snprintf(dict, sizeof dict,
                 "/Type /XObject /Subtype /Image /Width %d /Height %d "
                 "/ColorSpace /Device%s /BitsPerComponent 8 "
                 "/Filter /DCTDecode",
                 cid->w, cid->h, cid->spp == 1 ? "Gray" : "RGB");
    }
    pdf_stream(p, OBJ_IMAGE(i), dict, cid->datacomp, cid->nbytescomp);
    *pw = cid->w;
    *ph = cid->h;
    l_CIDataDestroy(&cid);
    pixDestroy(&conv);
    return 0;
}

static int put_page(Pdf *p, int i, const OutPage *pg,
                    const OutImageSource *images, const uint32_t *cps,
                    int ncp)
{
    OutImage img = {0};
    int have = 0, rc = 0;
    if (pg->width > 0 && pg->height > 0) {
        if (images->get(images->ctx, pg, &img) == 0 && (img.pix || img.jpeg))
            have = 1;
        else if (pg->n_glyphs > 0) /* a recognised page must have its image */
            rc = err_prefix("pdf: page %d: image", i + 1);
        /* else: a failed page; a blank page stands for it */
    }
    int dpi = pg->dpi > 0 ? pg->dpi : PDF_DEFAULT_DPI;
    int side = pg->width > pg->height ? pg->width : pg->height;
    if (side * 72.0 / dpi > PDF_MAX_SIDE)
        dpi = (int)ceil(side * 72.0 / PDF_MAX_SIDE);
    double s = 72.0 / dpi;
    double wpt = pg->width * s, hpt = pg->height * s;
    if (!have) {
        wpt = pg->width > 0 ? wpt : 612;
        hpt = pg->height > 0 ? hpt : 792;
    }
    char n1[32], n2[32];
    BinBuf b = {0};
    if (rc == 0 && have) {
        binio_buf_printf(&b, "q %s 0 0 %s 0 0 cm /Im0 Do Q\n",
                   out__fmt_num(wpt, 3, n1), out__fmt_num(hpt, 3, n2));
        int iw = 0, ih = 0;
        if (put_image(p, i, &img, &iw, &ih) < 0)
            rc = err_prefix("pdf: page %d", i + 1);
        else if (iw != pg->width || ih != pg->height)
            rc = err_set("pdf: page %d: the image is %dx%d, the recognised "
                         "page %dx%d (has the input changed?)",
                         i + 1, iw, ih, pg->width, pg->height);
    }
    out_image_cleanup(&img);
    if (rc == 0) {
        put_text(&b, pg, cps, ncp, s, hpt);
        if (b.oom)
            rc = err_set("pdf: out of memory");
    }
    if (rc == 0)
        rc = pdf_stream_flate(p, OBJ_CONTENT(i), "", &b);
    binio_buf_cleanup(&b);
    if (rc < 0)
        return -1;
    pdf_obj(p, OBJ_PAGE(i));
    pdf_printf(p,
               "<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] "
               "/Resources << /Font << /F0 %d 0 R >>",
               OBJ_PAGES, out__fmt_num(wpt, 3, n1), out__fmt_num(hpt, 3, n2),
               OBJ_FONT);
    if (have)
        pdf_printf(p, " /XObject << /Im0 %d 0 R >>", OBJ_IMAGE(i));
    pdf_printf(p, " >> /Contents %d 0 R >>\nendobj\n", OBJ_CONTENT(i));
    return 0;
}

static void put_tail(Pdf *p)
{
    uint64_t xref = p->pos;
    uint32_t crc = p->crc, adler = p->adler;
    pdf_printf(p, "xref\n0 %d\n0000000000 65535 f \n", p->n_obj);
    for (int k = 1; k < p->n_obj; k++) {
        if (p->xref[k])
            pdf_printf(p, "%010llu 00000 n \n",
                       (unsigned long long)p->xref[k]);
        else /* an image object of a page without one */
            pdf_printf(p, "0000000000 65535 f \n");
    }
    /* the ID: a hash of every byte before the xref (same pages, same ID) */
    char id[40];
    snprintf(id, sizeof id, "%08X%08X%016llX", (unsigned)crc, (unsigned)adler,
             (unsigned long long)xref);
    pdf_printf(p,
               "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R "
               "/ID [<%s> <%s>] >>\nstartxref\n%llu\n%%%%EOF\n",
               p->n_obj, OBJ_CATALOG, OBJ_INFO, id, id,
               (unsigned long long)xref);
}

/**
 * Free what an OutImage holds and zero it.
 *
 * @param[in,out] img  [optional] the image; NULL is a no-op
 */
void out_image_cleanup(OutImage *img)
{
    if (!img)
        return;
    PIX *pix = img->pix;
    pixDestroy(&pix);
    free(img->jpeg);
    memset(img, 0, sizeof *img);
}

/**
 * Write the pages of one input file as one searchable PDF.
 *
 * @param[in] fp       output stream (not closed)
 * @param[in] pages    pages in order, one PDF page each
 * @param[in] n_pages  number of pages (>= 1)
 * @param[in] images   where each page's image comes from (required)
 * @return 0, or -1 with the message in err_get() (names the page)
 *
 * Notes:
 *   (1) All pages are checked (out_page_check) before anything is written;
 *       an image that cannot be had or does not match its page's size
 *       fails the whole file (the caller publishes nothing).
 *   (2) A page of size 0 x 0 (a page that failed before binarising) and a
 *       page without words whose image cannot be read (a failed page) are
 *       blank pages, so page numbers still match the input's.
 *   (3) The page size is the image at page->dpi (300 when unknown), raised
 *       where needed to keep sides within PDF's 14400 points.
 */
int out_pdf_write(FILE *fp, const OutPage *const *pages, int n_pages,
                  const OutImageSource *images)
{
    if (!fp || !pages || n_pages < 1)
        return err_set("pdf: need at least one page");
    if (!images || !images->get)
        return err_set("pdf: no page images given (the caller must supply "
                       "an image source)");
    for (int i = 0; i < n_pages; i++)
        if (out_page_check(pages[i]) < 0)
            return err_prefix("pdf");
    if (n_pages > (INT32_MAX - OBJ_PAGE0) / 3 - 1)
        return err_set("pdf: %d pages, too many", n_pages);
    uint32_t *cps = NULL;
    int ncp = 0;
    if (collect_cps(pages, n_pages, &cps, &ncp) < 0)
        return -1;
    Pdf p = {fp, 0, 0, 1, NULL, OBJ_PAGE(n_pages)};
    p.crc = (uint32_t)crc32(0, NULL, 0);
    p.xref = calloc((size_t)p.n_obj, sizeof *p.xref);
    if (!p.xref) {
        free(cps);
        return err_set("pdf: out of memory");
    }
    int rc = 0;
    put_head(&p, n_pages);
    if (put_tounicode(&p, cps, ncp) < 0)
        rc = -1;
    for (int i = 0; rc == 0 && i < n_pages; i++)
        rc = put_page(&p, i, pages[i], images, cps, ncp);
    if (rc == 0)
        put_tail(&p);
    free(p.xref);
    free(cps);
    if (rc == 0 && (fflush(fp) != 0 || ferror(fp)))
        return err_set_errno("pdf: write");
    return rc;
}
