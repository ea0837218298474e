/*
 * form_read.c - read the fields of a registered page (forms.h).
 *
 * Design: each field's template box is mapped onto the upright page
 * (form_register) and cut out with a small margin, so that its printed
 * lines are inside the cut. Then:
 *   - Printed lines go: long horizontal runs (an opening with a brick
 *     longer than any handwritten stroke: 1.5 box heights, at most 60% of
 *     the width) and straight vertical runs standing where the box's sides
 *     or the comb's cell walls are (an opening with a vertical brick, kept
 *     only in strips around those x positions), each grown by a pixel.
 *   - A comb field (cells: N) is read one cell at a time: the cell decides
 *     where the character is, so each non-empty cell is one glyph for the
 *     classifier (rec_net_classify over the field's charset); without a
 *     pattern the cells are then settled together by the line context's
 *     word model (digits among digits, capitals among capitals).
 *   - A pattern that is a fixed sequence of classes (FormField.pos) narrows
 *     each character to its position's classes: in a comb when as many
 *     cells are written as there are positions; in free text when the
 *     value read breaks the pattern and has as many glyphs as positions.
 *   - Any other text field is read as a crop through the page chain
 *     (chain_segment + chain_recognize: seg_crop.c's main-line logic, the
 *     line context, the language model) with the field's charset; each
 *     glyph is classified again on its own for its alternatives.
 *   - A checkbox is checked when the ink inside it (its box shrunk by a
 *     fifth on each side, so the printed square is outside) covers more
 *     than FORM_CHECK_INK of the area; the confidence grows from 0.5 at
 *     that fraction to 1 at 0 or twice it.
 * A field's confidence is the product of its characters' (the probability
 * that the whole value is right); an empty field is sure (1) when it holds
 * no ink at all. needs_review: the page does not fit the template, the
 * confidence is under the field's threshold (or the job's), or the value
 * does not match the field's pattern.
 */
#include "forms/forms.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "forms/form_int.h"
#include "recognize/rec_context.h"

#define FORM_CHECK_INK 0.06f

/** Defaults: needs_review under confidence 0.5; labels read by Tesseract
 * (docs/forms.md: right far more often, for about 0.1 s of CPU a card) in
 * French and English; a found field's charset guessed from its label. */
void form_options_init(FormOptions *fo)
{
    fo->threshold = 0.5f;
    fo->labels = FORM_LABELS_TESSERACT;
    snprintf(fo->labels_lang, sizeof fo->labels_lang, "%s", FORM_LANG_DEFAULT);
    fo->guess_charset = 1;
}

/* Field box on the upright page, clipped to it. */
static OutBox map_box(const FormReg *r, const FormField *f, int w, int h)
{
    OutBox b;
    b.x0 = (int)lround(r->scale * f->x0 + r->dx);
    b.y0 = (int)lround(r->scale * f->y0 + r->dy);
    b.x1 = (int)lround(r->scale * f->x1 + r->dx);
    b.y1 = (int)lround(r->scale * f->y1 + r->dy);
    b.x0 = b.x0 < 0 ? 0 : b.x0 > w ? w : b.x0;
    b.x1 = b.x1 < 0 ? 0 : b.x1 > w ? w : b.x1;
    b.y0 = b.y0 < 0 ? 0 : b.y0 > h ? h : b.y0;
    b.y1 = b.y1 < 0 ? 0 : b.y1 > h ? h : b.y1;
    return b;
}

static PIX *cut(PIX *pix, int x0, int y0, int x1, int y1)
{
    if (x1 - x0 < 1 || y1 - y0 < 1)
        return NULL;
    BOX *b = boxCreate(x0, y0, x1 - x0, y1 - y0);
    PIX *c = b ? pixClipRectangle(pix, b, NULL) : NULL;
    boxDestroy(&b);
    return c;
}

/* Remove the printed lines from a field cut (in place). walls: x positions
 * (cut px) of vertical lines to remove; min_v their least length. */
static int remove_lines(PIX *c, int box_h, const int *walls, int n_walls,
                        int min_v)
{
    int w = pixGetWidth(c), h = pixGetHeight(c);
    int lh = (int)fmin(1.5 * box_h, 0.6 * w);
    if (lh < 12)
        lh = 12;
    PIX *pc = pixCloseBrick(NULL, c, 5, 1);
    PIX *ph = pc ? pixOpenBrick(NULL, pc, lh, 1) : NULL;
    pixDestroy(&pc);
    if (!ph)
        return err_set("field: line removal failed");
    PIX *pv = pixOpenBrick(NULL, c, 1, min_v < 4 ? 4 : min_v);
    PIX *strips = pixCreate(w, h, 1);
    if (!pv || !strips) {
        pixDestroy(&ph);
        pixDestroy(&pv);
        pixDestroy(&strips);
        return err_set("field: line removal failed");
    }
    int tol = 3 + box_h / 20;
    for (int i = 0; i < n_walls; i++)
        pixRasterop(strips, walls[i] - tol, 0, 2 * tol + 1, h, PIX_SET, NULL, 0,
                    0);
    pixAnd(pv, pv, strips);
    pixOr(ph, ph, pv);
    PIX *grown = pixDilateBrick(NULL, ph, 3, 3);
    if (grown)
        pixSubtract(c, c, grown);
    pixDestroy(&grown);
    pixDestroy(&ph);
    pixDestroy(&pv);
    pixDestroy(&strips);
    return 0;
}

/* fc's alternatives: up to OUT_FIELD_ALTS classes of cs by probs (one
 * per class, REC_NCLASSES), best first, none under 0.001 but the first. */
static void set_alts(const float *probs, RecCharset cs, OutFieldChar *fc)
{
    fc->n_alts = 0;
    for (int a = 0; a < OUT_FIELD_ALTS; a++) {
        int best = -1;
        for (int k = 0; k < REC_NCLASSES; k++) {
            int used = 0;
            for (int u = 0; u < fc->n_alts; u++)
                used |= fc->alt[u] == (uint32_t)rec_class_chars[k];
            if (!used && (cs >> k & 1) && (best < 0 || probs[k] > probs[best]))
                best = k;
        }
        if (best < 0 || (a > 0 && probs[best] < 0.001f))
            break;
        fc->alt[fc->n_alts] = (uint32_t)rec_class_chars[best];
        fc->alt_conf[fc->n_alts++] = probs[best];
    }
}

/* Classify one glyph image into fc (set_alts); probs [optional]: room
 * for the posterior (REC_NCLASSES). Returns 0, 1 when there is no ink,
 * -1 on error. */
static int classify(RecNet *net, RecCharset cs, PIX *g, OutFieldChar *fc,
                    float *probs)
{
    float in[REC_INPUT_SIZE * REC_INPUT_SIZE], own[REC_NCLASSES];
    probs = probs ? probs : own;
    if (rec_glyph_normalize_pix(g, in) < 0)
        return 1;
    if (rec_net_classify(net, in, 1, cs, probs) < 0)
        return -1;
    set_alts(probs, cs, fc);
    return fc->n_alts ? 0 : 1;
}

/* Put alternative 0 = (cp, conf), keeping the others in order. */
static void set_first(OutFieldChar *fc, uint32_t cp, float conf)
{
    int at = -1;
    for (int u = 0; u < fc->n_alts; u++)
        if (fc->alt[u] == cp)
            at = u;
    if (at < 0)
        at = fc->n_alts < OUT_FIELD_ALTS ? fc->n_alts++ : OUT_FIELD_ALTS - 1;
    for (int u = at; u > 0; u--) {
        fc->alt[u] = fc->alt[u - 1];
        fc->alt_conf[u] = fc->alt_conf[u - 1];
    }
    fc->alt[0] = cp;
    fc->alt_conf[0] = conf;
}

typedef struct {
    char buf[1024];
    size_t len;
} Text;

static void text_put(Text *t, char ch)
{
    if (t->len + 1 < sizeof t->buf)
        t->buf[t->len++] = ch;
    t->buf[t->len] = '\0';
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* The written cells of a comb read without a pattern (n chars of of,
 * their posteriors probs, word ids wid: an empty cell between two parts
 * them, ink their ink's boxes on the page) settled together by the line
 * context (rec_context.c): "0F7o81" read cell by cell is "OF7081" as the
 * page reads it, a letter among digits a digit; the cells' heights
 * against the baseline of their bottoms tell case ("Po9136": PO9136).
 * 0, or -1 (out of memory). */
static int comb_context(RecCharset cs, const float *probs, const int *wid,
                        const OutBox *ink, int n, OutField *of)
{
    RecContextOptions opt;
    rec_context_options_init(&opt); /* geometry, words, own heights */
    RecContextGlyph *g = calloc((size_t)n, sizeof *g);
    int *cls = malloc((size_t)n * sizeof *cls);
    float *cf = malloc((size_t)n * sizeof *cf);
    float *q = malloc((size_t)n * REC_NCLASSES * sizeof *q);
    float *bot = malloc((size_t)n * sizeof *bot);
    int rc = g && cls && cf && q && bot ? 0 : err_set("out of memory");
    for (int i = 0; rc == 0 && i < n; i++) {
        g[i] = (RecContextGlyph){ink[i].x0, ink[i].y0, ink[i].x1 - ink[i].x0,
                                 ink[i].y1 - ink[i].y0, wid[i]};
        bot[i] = (float)ink[i].y1;
    }
    /* the baseline: the glyphs' bottoms (the row below the ink); heights
     * measured from the glyphs themselves */
    qsort(bot, (size_t)n, sizeof *bot, cmp_float);
    RecLineGeom geom = {.baseline_x0 = (float)ink[0].x0,
                        .baseline_y = bot[n / 2]};
    if (rc == 0)
        rc = rec_context_apply(&opt, &geom, g, probs, n, cs, cls, cf, q);
    for (int i = 0; rc == 0 && i < n; i++)
        set_alts(q + (size_t)i * REC_NCLASSES, cs, &of->chars[i]);
    free(g);
    free(cls);
    free(cf);
    free(q);
    free(bot);
    return rc;
}

/* A comb: one glyph per cell. When the pattern gives a class per position
 * and there are as many written cells as positions, cell j is read within
 * position j's classes; else the cells are settled together
 * (comb_context). */
static int read_comb(const FormField *f, RecNet *net, PIX *c, int ox, int oy,
                     const OutBox *pb, OutField *of, Text *val)
{
    int n = f->cells, pending_space = 0, written = 0, j = 0, w = 0;
    double cw = (double)(pb->x1 - pb->x0) / n;
    of->chars = calloc((size_t)n, sizeof *of->chars);
    PIX **cell = calloc((size_t)n, sizeof *cell);
    float *probs = malloc((size_t)n * REC_NCLASSES * sizeof *probs);
    int *wid = malloc((size_t)n * sizeof *wid);
    OutBox *ink = malloc((size_t)n * sizeof *ink);
    if (!of->chars || !cell || !probs || !wid || !ink) {
        free(cell);
        free(probs);
        free(wid);
        free(ink);
        return err_set("out of memory");
    }
    for (int k = 0; k < n; k++) {
        int x0 = (int)lround(pb->x0 + k * cw + 0.08 * cw) - ox;
        int x1 = (int)lround(pb->x0 + (k + 1) * cw - 0.08 * cw) - ox;
        cell[k] = cut(c, x0, 0, x1, pb->y1 - oy - 1);
        l_int32 ink = 0;
        if (cell[k])
            pixCountPixels(cell[k], &ink, NULL);
        if (ink < 12)
            pixDestroy(&cell[k]);
        else
            written++;
    }
    int by_pos = f->n_pos == written, rc = 0;
    for (int k = 0; k < n; k++) {
        int x0 = (int)lround(pb->x0 + k * cw + 0.08 * cw) - ox;
        int x1 = (int)lround(pb->x0 + (k + 1) * cw - 0.08 * cw) - ox;
        PIX *g = cell[k];
        OutFieldChar *fc = &of->chars[of->n_chars];
        RecCharset cs = g && by_pos ? f->pos[j++] : f->charset;
        /* after an error the cells left are only freed */
        int r = rc < 0 || !g ? 1
                             : classify(net, cs, g, fc,
                                        probs + (size_t)of->n_chars *
                                                    REC_NCLASSES);
        /* the ink's box on the page, for the heights (comb_context) */
        BOX *b = NULL;
        l_int32 bx = 0, by = 0, bw = 0, bh = 0;
        if (r == 0 && !by_pos && pixClipToForeground(g, NULL, &b) == 0 && b)
            boxGetGeometry(b, &bx, &by, &bw, &bh);
        boxDestroy(&b);
        ink[of->n_chars] = (OutBox){x0 + ox + bx, oy + by, x0 + ox + bx + bw,
                                    oy + by + bh};
        pixDestroy(&g);
        if (r < 0)
            rc = -1;
        if (r != 0) {
            pending_space = of->n_chars > 0;
            continue;
        }
        w += pending_space;
        pending_space = 0;
        wid[of->n_chars] = w;
        fc->box = (OutBox){x0 + ox, pb->y0, x1 + ox, pb->y1};
        of->n_chars++;
    }
    free(cell);
    if (rc >= 0 && !by_pos && of->n_chars >= 2)
        rc = comb_context(f->charset, probs, wid, ink, of->n_chars, of);
    double conf = 1.0;
    for (int i = 0; rc >= 0 && i < of->n_chars; i++) {
        if (i > 0 && wid[i] != wid[i - 1])
            text_put(val, ' ');
        text_put(val, (char)of->chars[i].alt[0]);
        conf *= of->chars[i].alt_conf[0];
    }
    free(probs);
    free(wid);
    free(ink);
    of->conf = (float)conf;
    return rc < 0 ? -1 : 0;
}

/* A word surely printed (a label caught in the cut): rec_hand.c says so
 * with P >= 0.9. */
static int word_is_label(const OutWord *w)
{
    return w->kind == OUT_WORD_PRINTED && w->printed >= 0.9f;
}

/* Does the crop hold a word that is not surely printed? */
static int has_hand_word(const OutPage *op)
{
    for (int w = 0; w < op->n_words; w++)
        if (op->words[w].n_glyphs > 0 && !word_is_label(&op->words[w]))
            return 1;
    return 0;
}

/* Free text: the cut read as a crop by the page chain; printed words
 * (labels) are left out of the value unless nothing else is written. */
static int read_text(const FormField *f, const FormTemplate *t, int fi,
                     const ChainOptions *o, RecNet *net, PIX *c, int ox,
                     int oy, int dpi, const char *src, int page, OutField *of,
                     Text *val)
{
    const int pad = 8;
    PIX *pp = pixAddBorder(c, pad, 0);
    if (!pp)
        return err_set("out of memory");
    ChainOptions fo = *o;
    fo.charset = f->charset;
    SegPage *sp = chain_segment(&fo, pp, dpi, net, src, page);
    OutPage *op = sp ? chain_recognize(&fo, sp, net, src, page, dpi) : NULL;
    seg_page_destroy(&sp);
    if (!op) {
        pixDestroy(&pp);
        return -1;
    }
    of->chars = calloc((size_t)op->n_glyphs + 1, sizeof *of->chars);
    if (!of->chars) {
        pixDestroy(&pp);
        out_page_destroy(&op);
        return err_set("out of memory");
    }
    double conf = 1.0;
    int keep_printed = !has_hand_word(op);
    for (int l = 0; l < op->n_lines; l++) {
        const OutLine *ln = &op->lines[l];
        for (int w = ln->first_word; w < ln->first_word + ln->n_words; w++) {
            const OutWord *wd = &op->words[w];
            if (!keep_printed && word_is_label(wd))
                continue;
            if (wd->n_glyphs && val->len)
                text_put(val, ' ');
            for (int g = wd->first_glyph; g < wd->first_glyph + wd->n_glyphs;
                 g++) {
                const OutGlyph *gl = &op->glyphs[g];
                OutFieldChar *fc = &of->chars[of->n_chars++];
                PIX *gp =
                    cut(pp, gl->box.x0, gl->box.y0, gl->box.x1, gl->box.y1);
                int rc = gp ? classify(net, f->charset, gp, fc, NULL) : 1;
                pixDestroy(&gp);
                if (rc < 0) {
                    pixDestroy(&pp);
                    out_page_destroy(&op);
                    return -1;
                }
                set_first(fc, gl->codepoint, gl->conf);
                fc->box =
                    (OutBox){gl->box.x0 - pad + ox, gl->box.y0 - pad + oy,
                             gl->box.x1 - pad + ox, gl->box.y1 - pad + oy};
                text_put(val, gl->codepoint < 128 ? (char)gl->codepoint : '?');
                conf *= gl->conf;
            }
        }
    }
    /* a value that breaks a fixed-sequence pattern with as many glyphs as
     * positions: each glyph again, within its position's classes */
    if (t && f->n_pos && f->n_pos == of->n_chars &&
        !form_template_match(t, fi, val->buf)) {
        val->len = 0;
        val->buf[0] = '\0';
        conf = 1.0;
        for (int k = 0; k < of->n_chars; k++) {
            OutFieldChar *fc = &of->chars[k];
            PIX *gp = cut(pp, fc->box.x0 - ox + pad, fc->box.y0 - oy + pad,
                          fc->box.x1 - ox + pad, fc->box.y1 - oy + pad);
            OutFieldChar nc = *fc;
            int rc = gp ? classify(net, f->pos[k], gp, &nc, NULL) : 1;
            pixDestroy(&gp);
            if (rc < 0) {
                pixDestroy(&pp);
                out_page_destroy(&op);
                return -1;
            }
            if (rc == 0)
                *fc = nc;
            text_put(val, fc->alt[0] < 128 ? (char)fc->alt[0] : '?');
            conf *= fc->alt_conf[0];
        }
    }
    l_int32 ink = 0;
    pixCountPixels(c, &ink, NULL);
    of->conf = of->n_chars ? (float)conf : ink < 20 ? 1.0f : 0.0f;
    pixDestroy(&pp);
    out_page_destroy(&op);
    return 0;
}

static int read_checkbox(PIX *up, const OutBox *pb, OutField *of, Text *val)
{
    int w = pb->x1 - pb->x0, h = pb->y1 - pb->y0;
    int m = (w < h ? w : h) / 5;
    PIX *in = cut(up, pb->x0 + m, pb->y0 + m, pb->x1 - m, pb->y1 - m);
    l_int32 ink = 0;
    if (in)
        pixCountPixels(in, &ink, NULL);
    double area = in ? (double)pixGetWidth(in) * pixGetHeight(in) : 1.0;
    pixDestroy(&in);
    double frac = ink / area;
    int checked = frac > FORM_CHECK_INK;
    of->conf = (float)(0.5 + 0.5 * fmin(1.0, fabs(frac - FORM_CHECK_INK) /
                                                 FORM_CHECK_INK));
    const char *s = checked ? "checked" : "unchecked";
    for (; *s; s++)
        text_put(val, *s);
    return 0;
}

/**
 * Read one field whose printed box lies at pb on the upright page: remove
 * its lines, read its comb cells, free text or checkbox (form_int.h).
 *
 * @param[in]  f    the field (charset, cells, type; pos/pattern only
 *                  with a template)
 * @param[in]  t    its template, or NULL (then f has no pattern)
 * @param[in]  fi   its index in t (unused without t)
 * @param[in]  o    page-chain options; net the classifier
 * @param[in]  up   the upright binarised page; pb the field's box on it
 * @param[in]  op   the page (file name and page number for messages)
 * @param[out] of   gets box, kind, value, conf, chars (not name, label,
 *                  needs_review)
 * @return 0, or -1 (message set, not yet naming the field)
 */
int form__read_box(const FormField *f, const FormTemplate *t, int fi,
                   const ChainOptions *o, RecNet *net, PIX *up,
                   const OutBox *box, int dpi, const OutPage *op, OutField *of)
{
    int W = pixGetWidth(up), H = pixGetHeight(up);
    OutBox pb = *box;
    Text val = {{0}, 0};
    of->box = pb;
    of->kind = f->type == FORM_FIELD_CHECKBOX ? OUT_FIELD_CHECKBOX
                                              : OUT_FIELD_HANDWRITTEN;
    int rc = 0, bw = pb.x1 - pb.x0, bh = pb.y1 - pb.y0;
    if (bw < 4 || bh < 4) {
        of->conf = 0; /* the field lies off the page */
    } else if (f->type == FORM_FIELD_CHECKBOX) {
        rc = read_checkbox(up, &pb, of, &val);
    } else {
        int mx = 3 + bw / 50, my = 3 + bh / 10;
        int ox = pb.x0 - mx < 0 ? 0 : pb.x0 - mx;
        int oy = pb.y0 - my < 0 ? 0 : pb.y0 - my;
        int ex = pb.x1 + mx > W ? W : pb.x1 + mx;
        int ey = pb.y1 + my > H ? H : pb.y1 + my;
        PIX *c = cut(up, ox, oy, ex, ey);
        int walls[202], nw = 0;
        walls[nw++] = pb.x0 - ox;
        walls[nw++] = pb.x1 - ox;
        for (int k = 1; k < f->cells && nw < 202; k++)
            walls[nw++] = (int)lround(pb.x0 - ox + (double)k * bw / f->cells);
        rc = c ? remove_lines(c, bh, walls, nw,
                              f->cells ? (int)(0.3 * bh) : (int)(0.6 * bh))
               : err_set("out of memory");
        if (rc == 0)
            rc = f->cells ? read_comb(f, net, c, ox, oy, &pb, of, &val)
                          : read_text(f, t, fi, o, net, c, ox, oy, dpi,
                                      op->image, op->pageno, of, &val);
        pixDestroy(&c);
    }
    if (rc < 0)
        return -1;
    if (!(of->value = strdup(val.buf)))
        return err_set("out of memory");
    return 0;
}

/* Read field i into of. */
static int read_field(const FormTemplate *t, int i, const FormOptions *fopt,
                      const ChainOptions *o, RecNet *net, PIX *up,
                      const FormReg *reg, int dpi, const OutPage *op,
                      OutField *of)
{
    const FormField *f = form_template_field(t, i);
    OutBox pb = map_box(reg, f, pixGetWidth(up), pixGetHeight(up));
    if (!(of->name = strdup(f->name)) ||
        (f->label && !(of->label = strdup(f->label))))
        return err_set("out of memory");
    if (form__read_box(f, t, i, o, net, up, &pb, dpi, op, of) < 0)
        return err_prefix("%s page %d: field '%s'", op->image, op->pageno + 1,
                          f->name);
    float thr = f->threshold >= 0 ? f->threshold : fopt->threshold;
    of->needs_review =
        !reg->fit || of->conf < thr || !form_template_match(t, i, of->value);
    return 0;
}

/**
 * Read every template field from a binarised page into op.
 *
 * @param[in]     t     template
 * @param[in]     fo    forms options (the job's review threshold)
 * @param[in]     o     page-chain options (segment, context, language
 *                      model); the charset is each field's own
 * @param[in]     net   classifier
 * @param[in]     pixb  the binarised page (1 bpp) op was read from
 * @param[in]     dpi   its resolution (0 = unknown)
 * @param[in,out] op    the recognised page: gets form, fields (template
 *                      order, all of them) and the registration
 * @return 0, or -1 (message names file, page and field)
 */
int form_read_page(const FormTemplate *t, const FormOptions *fo,
                   const ChainOptions *o, RecNet *net, PIX *pixb, int dpi,
                   OutPage *op)
{
    FormReg reg;
    PIX *up = NULL;
    if (form_register(t, pixb, &reg, &up) < 0)
        return err_prefix("%s page %d", op->image, op->pageno + 1);
    out_page_fields_free(op);
    int n = form_template_n_fields(t);
    op->fields = calloc((size_t)n, sizeof *op->fields);
    op->form = strdup(form_template_name(t));
    if (!op->fields || !op->form) {
        pixDestroy(&up);
        out_page_fields_free(op);
        return err_set("out of memory");
    }
    op->n_fields = n;
    op->reg_fit = reg.fit;
    op->reg_method = (int)reg.method;
    op->reg_residual = (float)reg.residual;
    op->reg_scale = (float)reg.scale;
    op->reg_angle = (float)reg.angle;
    op->reg_dx = (float)reg.dx;
    op->reg_dy = (float)reg.dy;
    for (int i = 0; i < n; i++)
        if (read_field(t, i, fo, o, net, up, &reg, dpi, op, &op->fields[i]) <
            0) {
            pixDestroy(&up);
            out_page_fields_free(op);
            return -1;
        }
    pixDestroy(&up);
    return 0;
}
