/*
 * seg_page.c - seg_page_segment (the driver) and the SegPage accessors.
 *
 * Design: the driver runs the steps in a fixed order, each in its own file:
 *   measure glyph height (and dpi when unknown or implausible; a crop's
 *   edge bits dropped first) -> remove form furniture
 *   (seg_furniture.c) -> connected components -> drop specks -> lines
 *   (seg_lines.c) -> reading order -> glyphs: dots, fragments, touching
 *   glyphs (seg_glyphs.c) -> word breaks -> one immutable SegPage.
 * Every length is scaled by the page's median component height, so the
 * same settings hold from 150 to 600 dpi; the dpi itself only sets the
 * speck size and the furniture SELs.
 * A SegPage owns flat arrays of lines, words and glyphs and one block with
 * all glyph masks; it is never changed after it is built, so it may be read
 * from several threads.
 */
#include "segment/seg_internal.h"

#include "common/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Resolution estimate when the dpi is unknown: first from the median
 * component height (mostly x-height letters in running text: ~3 mm), which
 * sizes specks and furniture SELs; then, once lines are found, from the
 * median cap height (capitals, digits, ascenders: ~4 mm in handprint),
 * which is what the page reports. */
#define SEG_GLYPH_MM 3.0f
#define SEG_CAP_MM 4.0f

/**
 * Fill segmentation settings with the defaults (see docs/segment.md).
 *
 * @param[out] opt  settings to fill
 */
void seg_options_init(SegOptions *opt)
{
    if (!opt)
        return;
    memset(opt, 0, sizeof *opt);
    opt->min_speck_area = 0;
    opt->remove_furniture = 1;
    opt->split_touching = 1;
    opt->word_gap = 0.0f;
    opt->score = NULL;
    opt->score_ctx = NULL;
}

SegPage *seg__page_alloc(int w, int h, int n_lines, int n_words,
                         int n_glyphs, size_t mask_bytes)
{
    SegPage *p = calloc(1, sizeof *p);
    if (!p) {
        err_set("segment: out of memory (page)");
        return NULL;
    }
    p->w = w;
    p->h = h;
    p->n_lines = n_lines;
    p->n_words = n_words;
    p->n_glyphs = n_glyphs;
    p->mask_bytes = mask_bytes;
    p->lines = calloc((size_t)n_lines + 1, sizeof *p->lines);
    p->words = calloc((size_t)n_words + 1, sizeof *p->words);
    p->glyphs = calloc((size_t)n_glyphs + 1, sizeof *p->glyphs);
    p->mask_off = calloc((size_t)n_glyphs + 1, sizeof *p->mask_off);
    p->mask_data = malloc(mask_bytes + 1);
    if (!p->lines || !p->words || !p->glyphs || !p->mask_off ||
        !p->mask_data) {
        seg_page_destroy(&p);
        err_set("segment: out of memory (page of %d glyphs)", n_glyphs);
        return NULL;
    }
    return p;
}

/**
 * Free a SegPage.
 *
 * @param[in,out] ppage  page to free; set to NULL. NULL or *ppage NULL is a
 *                       no-op.
 */
void seg_page_destroy(SegPage **ppage)
{
    if (!ppage || !*ppage)
        return;
    SegPage *p = *ppage;
    free(p->lines);
    free(p->words);
    free(p->glyphs);
    free(p->mask_off);
    free(p->mask_data);
    free(p);
    *ppage = NULL;
}

const SegLine *seg_page_get_lines(const SegPage *page, int *pn)
{
    if (pn)
        *pn = page ? page->n_lines : 0;
    return page ? page->lines : NULL;
}

const SegWord *seg_page_get_words(const SegPage *page, int *pn)
{
    if (pn)
        *pn = page ? page->n_words : 0;
    return page ? page->words : NULL;
}

const SegGlyph *seg_page_get_glyphs(const SegPage *page, int *pn)
{
    if (pn)
        *pn = page ? page->n_glyphs : 0;
    return page ? page->glyphs : NULL;
}

const unsigned char *seg_page_get_glyph_mask(const SegPage *page, int i)
{
    if (!page || i < 0 || i >= page->n_glyphs)
        return NULL;
    return page->mask_data + page->mask_off[i];
}

void seg_page_get_size(const SegPage *page, int *pw, int *ph)
{
    if (pw)
        *pw = page ? page->w : 0;
    if (ph)
        *ph = page ? page->h : 0;
}

int seg_page_get_dpi(const SegPage *page)
{
    return page ? page->dpi : 0;
}

const SegStats *seg_page_get_stats(const SegPage *page)
{
    return page ? &page->stats : NULL;
}

/* Median height of the pieces that are not specks (w or h >= 4 px), not
 * rules (aspect beyond 8:1) and not the dots of a dotted rule (SEG__DOT,
 * seg__dots_mark(): a field parted by dotted lines has ten dots a digit);
 * in a strip whose specks outnumber its glyphs, of the pieces a quarter
 * as tall as the tall ones. */
static float median_height_pieces(const SegPieces *ps)
{
    float *hs = malloc((size_t)2 * (ps->n + 1) * sizeof *hs);
    float *gs = hs ? hs + ps->n + 1 : NULL; /* glyph-shaped: w >= h / 4 */
    int k = 0, ng = 0, y0 = 0, y1 = 0; /* their ink's rows */
    for (int i = 0; hs && i < ps->n; i++) {
        int w = ps->v[i].box.w, h = ps->v[i].box.h, y = ps->v[i].box.y;
        if (ps->v[i].flags & (SEG__DEAD | SEG__DOT))
            continue;
        if ((w >= 4 || h >= 4) && h >= 3 && h < 8 * w + 8 && w < 8 * h + 8) {
            y0 = k == 0 || y < y0 ? y : y0;
            y1 = k == 0 || y + h > y1 ? y + h : y1;
            hs[k++] = (float)h;
            if (4 * w >= h)
                gs[ng++] = (float)h;
        }
    }
    float med = seg__median_f(hs, k); /* sorts hs */
    /* a strip (a field or line cut out: its ink at most 4 tall pieces
     * high, whatever paper was left around it) where a third or more of
     * the pieces are specks (the dots of a dotted line beside six digits
     * in a field; the dashes of dividers that writing broke off their
     * rules): the median is a speck's, or halfway between a speck and a
     * glyph. Specks are the pieces under a quarter of the tall
     * glyph-shaped pieces (the 90th percentile's: a barcode's bars are
     * not, and its printed label stays its glyphs); take the median of
     * the pieces at least that tall. Fewer specks leave the median where
     * it was (a name's i dots and broken strokes). A page is left as it
     * was: its specks are a photo's texture. */
    if (ng >= 4) {
        qsort(gs, (size_t)ng, sizeof *gs, seg__cmp_float);
        float tall = gs[(9 * ng) / 10], floor_h = 0.25f * tall;
        int j = 0; /* hs is sorted: the pieces from j on */
        while (j < k && hs[j] < floor_h)
            j++;
        if (3 * j >= k && j < k && (float)(y1 - y0) <= 4.0f * tall)
            med = seg__median_f(hs + j, k - j);
    }
    free(hs);
    return med;
}

/* Drop piece p as form furniture, counting its ink. */
static void furniture_drop(SegPiece *p, SegStats *st)
{
    st->furniture_px += p->area;
    seg__piece_drop(p);
}

/* A page (or a field cut out) that holds nothing but the dots of dotted
 * rules, and specks: an empty field parted or underlined by dotted lines.
 * Its dots are dropped as furniture; read, they were a row of 0s or Ws. */
static void dots_only_drop(SegPieces *ps, SegStats *st)
{
    for (int i = 0; i < ps->n; i++) {
        SegPiece *p = &ps->v[i];
        if ((p->flags & (SEG__DEAD | SEG__DOT)) == SEG__DOT)
            furniture_drop(p, st);
    }
}

/* Lay the built lines/words/glyphs out as a SegPage. */
static SegPage *page_assemble(int w, int h, const SegPieces *ps,
                              const SegWLines *ls,
                              const unsigned char *word_start)
{
    int nl = 0, nw = 0, ng = 0;
    size_t mb = 0;
    for (int i = 0; i < ls->n; i++) {
        const SegWLine *l = &ls->v[i];
        if (l->n == 0)
            continue;
        nl++;
        for (int k = 0; k < l->n; k++) {
            const SegPiece *p = &ps->v[l->idx[k]];
            ng++;
            nw += word_start[l->idx[k]] || k == 0;
            mb += (size_t)p->box.w * p->box.h;
        }
    }
    SegPage *page = seg__page_alloc(w, h, nl, nw, ng, mb);
    if (!page)
        return NULL;
    int li = 0, wi = -1, gi = 0;
    size_t off = 0;
    for (int i = 0; i < ls->n; i++) {
        const SegWLine *l = &ls->v[i];
        if (l->n == 0)
            continue;
        SegLine *out = &page->lines[li];
        out->box = l->box;
        out->baseline_slope = l->slope;
        out->baseline_y = seg__line_base_at(l, (float)l->box.x);
        out->x_height = l->x_height;
        out->cap_height = l->cap_height;
        out->block = l->block;
        out->first_word = wi + 1;
        for (int k = 0; k < l->n; k++) {
            const SegPiece *p = &ps->v[l->idx[k]];
            if (k == 0 || word_start[l->idx[k]]) {
                wi++;
                page->words[wi].box = p->box;
                page->words[wi].first_glyph = gi;
            }
            SegWord *wd = &page->words[wi];
            int x0 = wd->box.x < p->box.x ? wd->box.x : p->box.x;
            int y0 = wd->box.y < p->box.y ? wd->box.y : p->box.y;
            int x1 = wd->box.x + wd->box.w > p->box.x + p->box.w
                         ? wd->box.x + wd->box.w
                         : p->box.x + p->box.w;
            int y1 = wd->box.y + wd->box.h > p->box.y + p->box.h
                         ? wd->box.y + wd->box.h
                         : p->box.y + p->box.h;
            wd->box = (SegBox){x0, y0, x1 - x0, y1 - y0};
            wd->n_glyphs++;
            SegGlyph *g = &page->glyphs[gi];
            g->box = p->box;
            g->line = li;
            g->word = wi;
            page->mask_off[gi] = off;
            memcpy(page->mask_data + off, p->mask,
                   (size_t)p->box.w * p->box.h);
            off += (size_t)p->box.w * p->box.h;
            gi++;
        }
        out->n_words = wi + 1 - out->first_word;
        li++;
    }
    return page;
}

/* The arguments of seg_page_segment checked: 0, or -1 with the reason. */
static int segment_args_check(PIX *pixb, int dpi, const SegOptions *opt)
{
    if (!pixb)
        return err_set("segment: no image");
    if (pixGetDepth(pixb) != 1)
        return err_set("segment: page must be 1 bpp (got %d bpp): binarize "
                       "first", pixGetDepth(pixb));
    if (dpi < 0 || dpi > SEG_MAX_DPI)
        return err_set("segment: dpi %d out of range (0 = unknown, up to "
                       "%d)", dpi, SEG_MAX_DPI);
    if (opt->min_speck_area < 0 || opt->word_gap < 0 ||
        !isfinite(opt->word_gap))
        return err_set("segment: min_speck_area and word_gap must be >= 0");
    return 0;
}

/* The page's dpi: the given one unless the ink contradicts it (72 and 96
 * are what image software writes when it knows nothing, and glyphs
 * smaller than 0.8 mm or larger than 12 mm are not handwriting at that
 * dpi), else estimated from the median glyph height m->med_h (clamped to
 * 75..1200; st->dpi_estimated set). Sets m->dpi_given and m->dpi. */
static int page_dpi(int dpi, SegMetrics *m, SegStats *st)
{
    if (dpi > 0 && (dpi < SEG_MIN_DPI ||
                    (m->med_h > 0 && (m->med_h * 25.4f / dpi < 0.8f ||
                                      m->med_h * 25.4f / dpi > 12.0f)))) {
        dpi = 0;
    }
    m->dpi_given = dpi > 0;
    if (dpi == 0) {
        dpi = m->med_h > 0 ? (int)lrintf(m->med_h * 25.4f / SEG_GLYPH_MM)
                           : 300;
        if (dpi < 75)
            dpi = 75;
        if (dpi > 1200)
            dpi = 1200;
        st->dpi_estimated = 1;
    }
    m->dpi = dpi;
    return dpi;
}

/* Remove ruled lines and boxes from pixb into *ppixc (caller destroys),
 * only where a component is long enough to hold a rule: most handwritten
 * pages have none and skip the morphology entirely. When furniture went,
 * the pieces are found again on the cleaned page (and a crop's edge bits
 * dropped again). 0, or -1 on error. */
static int furniture_remove(PIX *pixb, const SegOptions *opt, int crop,
                            const SegFrame *f, float all_h,
                            const SegMetrics *m, SegStats *st, SegPieces *ps,
                            PIX **ppixc, BOXA *fields, BOXA *cells)
{
    /* a crop whose pieces all touch its frame or look like rules (a boxed
     * field: one piece, wider than 8 heights) has no glyph height of its
     * own: the pieces' median height then, or the tallest piece's; */
    float mh = m->med_h > 0 ? m->med_h : crop ? all_h : 0;
    for (int i = 0; crop && !(mh > 0) && i < ps->n; i++)
        if (!(ps->v[i].flags & SEG__DEAD) && ps->v[i].box.h > mh)
            mh = (float)ps->v[i].box.h;
    /* nor when that median rests on a speck or two beside such a piece
     * (a boxed field at half size, a 9x5 blot in a cell: the box taken
     * as 5 px glyphs read as 24 digits): the tallest piece's */
    int live = 0;
    float tallest = 0;
    for (int i = 0; crop && i < ps->n; i++)
        if (!(ps->v[i].flags & SEG__DEAD)) {
            live++;
            tallest = ps->v[i].box.h > tallest ? ps->v[i].box.h : tallest;
        }
    if (live <= 3 && tallest >= 3.0f * mh)
        mh = tallest;
    if (!opt->remove_furniture || !(mh > 0) ||
        !seg__furniture_possible(ps, pixGetWidth(pixb), pixGetHeight(pixb),
                                 m->dpi, mh))
        return 0;
    *ppixc =
        seg__furniture_remove(pixb, m->dpi, mh, &st->furniture_px, fields,
                              cells);
    if (!*ppixc)
        return -1;
    if (st->furniture_px > 0) {
        seg__pieces_cleanup(ps);
        if (seg__pieces_from_pix(*ppixc, ps) != 0)
            return -1;
        if (crop)
            seg__crop_drop_edge_bits(ps, f, m->med_h, st);
    }
    return 0;
}

/* The median height of the live pieces. -1 (with the reason) when out of
 * memory. */
static int live_median_height(const SegPieces *ps, float *pmed)
{
    float *hs = malloc((size_t)(ps->n + 1) * sizeof *hs);
    if (!hs)
        return err_set("segment: out of memory (%d components)", ps->n);
    int nh = 0;
    for (int i = 0; i < ps->n; i++)
        if (!(ps->v[i].flags & SEG__DEAD))
            hs[nh++] = (float)ps->v[i].box.h;
    *pmed = seg__median_f(hs, nh);
    free(hs);
    return 0;
}

/* Is piece p an empty square (a form's checkbox, its mark apart): about
 * as wide as tall, 1.2 to 5 glyph heights, all its ink within an eighth
 * of its side from its box's edges, and each of the four sides inked
 * along 90% of its length? A written 0 or D has no square corners. */
static int empty_square(const SegPiece *p, float med_h)
{
    int w = p->box.w, h = p->box.h, s = w > h ? w : h, m = w < h ? w : h;
    if ((float)m < 1.2f * med_h || (float)s > 5.0f * med_h ||
        20 * (s - m) > 3 * s)
        return 0;
    int b = s / 8 > 2 ? s / 8 : 2, in = 0;
    int cover[4] = {0, 0, 0, 0}; /* top, bottom, left, right */
    for (int x = 0; x < w; x++) {
        int t = 0, u = 0;
        for (int y = 0; y < b; y++) {
            t |= p->mask[y * w + x];
            u |= p->mask[(h - 1 - y) * w + x];
        }
        cover[0] += t;
        cover[1] += u;
    }
    for (int y = 0; y < h; y++) {
        int l = 0, r = 0;
        for (int x = 0; x < b; x++) {
            l |= p->mask[y * w + x];
            r |= p->mask[y * w + w - 1 - x];
        }
        cover[2] += l;
        cover[3] += r;
        for (int x = 0; x < w; x++)
            in += p->mask[y * w + x] &&
                  (y < b || y >= h - b || x < b || x >= w - b);
    }
    return 100 * in >= 97 * p->area && 10 * cover[0] >= 9 * w &&
           10 * cover[1] >= 9 * w && 10 * cover[2] >= 9 * h &&
           10 * cover[3] >= 9 * h;
}

/* Drop the checkboxes' squares (empty_square()) as furniture: read as a
 * glyph, a box came out as D or O before its label. A mark inside that
 * does not touch the square stays (a cross reads as X). */
static void checkboxes_drop(SegPieces *ps, float med_h, SegStats *st)
{
    for (int i = 0; med_h > 0 && i < ps->n; i++) {
        SegPiece *p = &ps->v[i];
        if (!(p->flags & SEG__DEAD) && empty_square(p, med_h))
            furniture_drop(p, st);
    }
}

/* Drop the specks: pieces under 0.25 mm square at the page's dpi (a
 * crop's: the dpi its glyph height gives, whatever the file claims), or 8%
 * of a glyph height squared, whichever is larger (opt->min_speck_area
 * when set); m->speck_area is that size and m->med_h becomes the median
 * height of the pieces kept. Returns how many were kept, or -1 on
 * error. */
static int specks_drop(SegPieces *ps, const SegOptions *opt, int crop,
                       SegMetrics *m, SegStats *st)
{
    if (opt->min_speck_area > 0) {
        m->speck_area = opt->min_speck_area;
    } else {
        /* a crop: the dpi its glyphs show, not the file's claim */
        float dpi = crop && m->med_h > 0 ? m->med_h * 25.4f / SEG_GLYPH_MM
                                         : (float)m->dpi;
        float side = 0.25f * dpi / 25.4f, rel = 0.08f * m->med_h;
        float s = side > rel ? side : rel;
        m->speck_area = (int)lrintf(s * s);
        if (m->speck_area < 2)
            m->speck_area = 2;
    }
    float *hs = malloc((size_t)(ps->n + 1) * sizeof *hs);
    if (!hs)
        return err_set("segment: out of memory (%d components)", ps->n);
    int nh = 0;
    for (int i = 0; i < ps->n; i++) {
        SegPiece *p = &ps->v[i];
        if (p->flags & SEG__DEAD)
            continue;
        if (p->area < m->speck_area) {
            seg__piece_drop(p);
            st->n_specks++;
        } else {
            hs[nh++] = (float)p->box.h;
        }
    }
    m->med_h = seg__median_f(hs, nh);
    free(hs);
    return nh;
}

/* The lines of a page with ink: stacked fragments joined, lines found (a
 * crop keeps its main line), put in reading order, cut into glyphs. With
 * an estimated dpi, *pdpi is estimated again from the lines' cap height.
 * cells: a field's cells, one character each (seg__furniture_remove).
 * 0, or -1 on error. */
static int lines_build(SegPieces *ps, SegMetrics *m, const SegOptions *opt,
                       int crop, const SegFrame *f, const BOXA *cells,
                       SegStats *st, SegWLines *ls, int *pdpi)
{
    /* a crop: the glyph height (glyph_h, 0 on a page), not the median of
     * pieces that are as often bits of letters (seg__pieces_join_stacked
     * note 1) */
    float scale = m->glyph_h > m->med_h ? m->glyph_h : m->med_h;
    if (seg__pieces_join_stacked(ps, scale, st) != 0)
        return -1;
    /* Joined fragments change the typical height. */
    if (live_median_height(ps, &m->med_h) < 0)
        return -1;
    if (seg__lines_find(ps, m, ls, st) != 0)
        return -1;
    if (crop && seg__crop_main_line(ps, ls, m, f, st) != 0)
        return -1;
    if (seg__lines_order(ps, ls, m) != 0 ||
        seg__glyphs_build(ps, ls, m, opt, cells, crop, st) != 0)
        return -1;
    for (int i = 0; i < ls->n; i++)
        seg__line_update_box(ps, &ls->v[i]);
    if (st->dpi_estimated && ls->n > 0) {
        float *caps = malloc((size_t)ls->n * sizeof *caps);
        int nc = 0;
        for (int i = 0; caps && i < ls->n; i++)
            if (ls->v[i].n >= 2)
                caps[nc++] = ls->v[i].cap_height;
        float cap = seg__median_f(caps, nc);
        free(caps);
        if (cap > 0) {
            int dpi = (int)lrintf(cap * 25.4f / SEG_CAP_MM);
            *pdpi = dpi < 75 ? 75 : dpi > 1200 ? 1200 : dpi;
        }
    }
    return 0;
}

/**
 * Find lines, words and glyphs on a binarised page, in reading order.
 *
 * @param[in] pixb  1 bpp page, ink = 1 (seg_page_binarize()); not modified
 * @param[in] dpi   resolution; 0 = unknown (estimated from glyph heights)
 * @param[in] opt   [optional] settings; NULL = defaults (seg_options_init)
 * @return new SegPage (caller owns; seg_page_destroy()), or NULL on error
 *         with the message in err_get()
 *
 * Notes:
 *   (1) A blank page gives a SegPage with no lines; an all-black page gives
 *       whatever components there are (usually one big glyph), never an
 *       error.
 *   (2) The estimate assumes handprint with capitals ~4 mm tall (x-height
 *       letters ~3 mm) and is clamped to 75..1200 dpi; seg_page_get_dpi()
 *       reports it.
 *   (3) A dpi below SEG_MIN_DPI, or one that makes the median glyph
 *       smaller than 0.8 mm or larger than 12 mm, is treated as 0.
 *   (4) A crop (an image a few glyph heights tall, seg_crop.c) is read as
 *       its main line: cut bits of neighbouring lines, a label line and
 *       box-line remnants are dropped.
 *   (5) opt->score, when set, is called with 0/1 masks of candidate pieces
 *       of touching glyphs; it must not keep the pointer.
 *   (6) The steps: pieces, crop edge bits, page_dpi, furniture_remove,
 *       specks_drop, lines_build, words (seg__words_mark), page_assemble.
 */
SegPage *seg_page_segment(PIX *pixb, int dpi, const SegOptions *opt)
{
    SegOptions def;
    if (!opt) {
        seg_options_init(&def);
        opt = &def;
    }
    if (segment_args_check(pixb, dpi, opt) < 0)
        return NULL;
    int w = pixGetWidth(pixb), h = pixGetHeight(pixb);
    SegStats st = {0};
    SegMetrics m = {0};
    SegPieces ps = {0};
    SegWLines ls = {0};
    SegPage *page = NULL;
    PIX *pixc = NULL, *pixd = NULL;
    BOXA *fields = NULL, *cells = NULL;
    unsigned char *word_start = NULL;

    if (seg__pieces_from_pix(pixb, &ps) != 0 || seg__dots_mark(&ps, w, h) != 0)
        goto done;
    m.med_h = median_height_pieces(&ps);
    if (!(m.med_h > 0))
        dots_only_drop(&ps, &st);
    float all_h = m.med_h;
    /* A crop (a field or line cut out of a page): the bits of neighbouring
     * lines cut by its top/bottom edge go first, as they would otherwise
     * set the glyph scale (seg_crop.c). */
    SegFrame frame;
    seg__crop_frame(&ps, w, h, m.med_h, &frame);
    int crop = seg__crop_detect(&ps, &frame, &m.med_h);
    if (crop) {
        m.glyph_h = m.med_h;
        seg__crop_drop_edge_bits(&ps, &frame, m.med_h, &st);
        m.med_h = median_height_pieces(&ps);
    }
    dpi = page_dpi(dpi, &m, &st);
    if (!(fields = boxaCreate(4)) || !(cells = boxaCreate(4))) {
        err_set("segment: out of memory (fields)");
        goto done;
    }
    /* dotted rules go before the furniture is looked for (in rows across
     * a field's dotted dividers their dots looked like a faint rule), and
     * after it (the dashes its rules held) */
    int dots = 0;
    if (opt->remove_furniture &&
        (dots = seg__dotted_drop(&ps, m.med_h, crop, pixb, &pixd)) < 0)
        goto done;
    st.furniture_px += dots;
    if (furniture_remove(pixd ? pixd : pixb, opt, crop, &frame, all_h, &m,
                         &st, &ps, &pixc, fields, cells) < 0)
        goto done;
    st.n_components = ps.n;
    if (opt->remove_furniture) {
        checkboxes_drop(&ps, m.med_h, &st);
        if ((dots = seg__dotted_drop(&ps, m.med_h, crop, NULL, NULL)) < 0)
            goto done;
        st.furniture_px += dots;
    }
    int nh = specks_drop(&ps, opt, crop, &m, &st);
    if (nh < 0)
        goto done;
    if (nh > 0 && lines_build(&ps, &m, opt, crop, &frame, cells, &st, &ls,
                              &dpi) < 0)
        goto done;
    word_start = calloc((size_t)ps.n + 1, 1);
    if (!word_start) {
        err_set("segment: out of memory (words)");
        goto done;
    }
    if (seg__words_mark(&ps, &ls, &m, opt, fields, word_start) != 0)
        goto done;
    page = page_assemble(w, h, &ps, &ls, word_start);
    if (page) {
        page->dpi = dpi;
        page->stats = st;
    }
done:
    free(word_start);
    boxaDestroy(&fields);
    boxaDestroy(&cells);
    seg__wlines_cleanup(&ls);
    seg__pieces_cleanup(&ps);
    pixDestroy(&pixc);
    pixDestroy(&pixd);
    return page;
}
