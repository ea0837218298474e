/* test_seg_random.c - the segmenter on thousands of small random pages.
 *
 * Pages are drawn in code from a fixed seed: glyph shapes (seg_fixture.h)
 * and random scribbles at x-heights from 2 to ~60 px, words close together
 * and far apart, one to four columns (so the reading-order XY cut nests),
 * boxes, underlines, comb fields, rules, specks, filled blobs and noise, on
 * pages from 16 px to a few hundred px. Most go straight to
 * seg_page_segment as 1 bpp; about 30% are made grey or colour with noise
 * and go through seg_page_binarize first; about a third are segmented with
 * the bundled classifier as the cut scorer (SegOptions.score), as the
 * pipeline does, and a quarter of those have all their glyphs classified
 * in one batch. Every page must segment without error
 * and give a well-formed SegPage (see check_page); a sample is segmented
 * twice and must come out identical, and saved and loaded back. Under ASan
 * + UBSan (make test) any stray read or write fails the program: this is
 * what caught the block map of the reading order (seg_lines.c) being sized
 * by lines, not by the blocks the XY cut made, and the touching-glyph split
 * (seg_glyphs.c) asking for more parts than a hairline-thin piece has
 * columns. Each has a small case of its own too.
 *
 * Counts are chosen to keep the program under ~20 s under ASan on the
 * shared 2-core machine (about 12 s CPU; 2.5 s plain); under valgrind it
 * takes 300 pages without the classifier (about 7 s CPU). */
#include "common/err.h"
#include "recognize/recognize.h"
#include "segment/segment.h"
#include "tests/unit/seg_fixture.h"
#include "tests/unit/test.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MODEL_PATH "models/inkpipe.model"
#ifndef VALGRIND_PAGES
#define VALGRIND_PAGES 300
#endif

/* Under valgrind (make valgrind) the random pages are fewer and go without
 * the classifier, so the program stays inside tests/run.sh's time limit. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define UNDER_VALGRIND() (RUNNING_ON_VALGRIND != 0)
#endif
#endif
#ifndef UNDER_VALGRIND
#define UNDER_VALGRIND() 0
#endif

/* ---- the page generator ------------------------------------------------- */

static uint64_t rng_state;

static void rng_seed(uint64_t s)
{
    rng_state = s * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;
    if (!rng_state)
        rng_state = 1;
}

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

/* Uniform in [lo, hi] (hi >= lo). */
static int rin(int lo, int hi)
{
    return hi <= lo ? lo : lo + (int)(rnd() % (uint32_t)(hi - lo + 1));
}

/* 1 with probability pct / 100. */
static int chance(int pct)
{
    return (int)(rnd() % 100) < pct;
}

/* A random scribble of 1-4 strokes inside a glyph box. */
static void scribble(PIX *pix, int x, int b, int w, int h, int sw)
{
    int n = rin(1, 4), px = x + rin(0, w), py = b - rin(0, h);
    for (int i = 0; i < n; i++) {
        int qx = x + rin(0, w), qy = b - rin(0, h);
        fx_line(pix, (float)px, (float)py, (float)qx, (float)qy, sw);
        px = qx;
        py = qy;
    }
}

/* One word of k glyphs from x on baseline b; returns the x after it. */
static int draw_word(PIX *pix, int x, int b, const FxPen *pen, int k)
{
    static const char shapes[] = "onxvlpiH";
    for (int i = 0; i < k; i++) {
        int w;
        if (chance(70)) {
            char c = shapes[rin(0, (int)sizeof shapes - 2)];
            fx_glyph(pix, c, (float)x, (float)b, pen);
            w = fx_glyph_width(c, pen);
        } else {
            w = rin(1, pen->xh + 2);
            scribble(pix, x, b, w, rin(1, 2 * pen->xh), pen->stroke);
        }
        x += w + pen->gap;
    }
    return x;
}

/* A comb field: a rule with short ticks at a regular pitch. */
static void comb(PIX *pix, int x0, int x1, int y, int pitch, int tick, int sw)
{
    fx_line(pix, (float)x0, (float)y, (float)x1, (float)y, sw);
    for (int x = x0; x <= x1 && pitch > 0; x += pitch)
        fx_line(pix, (float)x, (float)y, (float)x, (float)(y - tick), sw);
}

/* Draw a random page into a 1 bpp PIX (ink = 1). */
static PIX *random_page_1bpp(void)
{
    int w, h;
    int sz = rin(0, 99);
    if (sz < 50) {
        w = rin(16, 160);
        h = rin(16, 160);
    } else if (sz < 88) {
        w = rin(100, 320);
        h = rin(40, 240);
    } else {
        w = rin(200, 480);
        h = rin(100, 400);
    }
    PIX *pix = pixCreate(w, h, 1);
    if (!pix)
        return NULL;
    int xh = chance(15) ? rin(2, 6) : rin(4, 10 + h / 6);
    if (xh > 60)
        xh = 60;
    FxPen pen = fx_pen(xh);
    pen.stroke = chance(20) ? 1 : rin(1, xh / 5 + 2);
    pen.gap = rin(-2, xh / 3 + 1);
    pen.word_gap = rin(xh / 2, 2 * xh);
    if (chance(20))
        pen.slope = (float)rin(-8, 8) / 100.0f;
    int ncols = chance(35) ? rin(2, 4) : 1;
    int colw = w / ncols;
    for (int c = 0; c < ncols; c++) {
        int cx0 = c * colw + rin(0, xh), cx1 = (c + 1) * colw;
        /* columns may start at different heights and line pitches */
        int pitch =
            (int)(xh * (chance(70) ? 2.2f : 1.3f + (float)rin(0, 30) / 10));
        int b = rin(xh + 2, 2 * xh + 8);
        int nlines = rin(1, 12);
        for (int li = 0; li < nlines && b < h + xh; li++) {
            int x = cx0 + rin(0, xh);
            int nwords = rin(1, 5);
            for (int wi = 0; wi < nwords && x < cx1; wi++) {
                int x_end = draw_word(pix, x, b, &pen, rin(1, 6));
                if (chance(12)) /* underline, maybe a little long */
                    fx_line(pix, (float)(x - rin(0, 4)), (float)(b + rin(1, 4)),
                            (float)(x_end + rin(0, 8)), (float)(b + rin(1, 4)),
                            rin(1, 2));
                if (chance(8)) { /* a box around the word */
                    BOX *bx =
                        boxCreate(x - rin(1, 5), b - 2 * xh - rin(0, 4),
                                  x_end - x + rin(4, 12), 2 * xh + rin(4, 10));
                    pixRenderBox(pix, bx, rin(1, 2), L_SET_PIXELS);
                    boxDestroy(&bx);
                }
                /* next word: close, or far apart (a gutter of its own) */
                x = x_end +
                    (chance(25) ? rin(2 * xh, w / 2 + 2) : pen.word_gap);
            }
            b += pitch + rin(-xh / 4, xh / 4);
        }
    }
    /* furniture across the page */
    int nf = chance(30) ? rin(1, 4) : 0;
    for (int i = 0; i < nf; i++) {
        int y = rin(0, h - 1), x = rin(0, w - 1);
        switch (rin(0, 3)) {
        case 0: /* horizontal rule */
            fx_line(pix, (float)rin(-5, w / 3), (float)y,
                    (float)rin(w / 2, w + 5), (float)y, rin(1, 3));
            break;
        case 1: /* vertical rule */
            fx_line(pix, (float)x, (float)rin(-5, h / 3), (float)x,
                    (float)rin(h / 2, h + 5), rin(1, 3));
            break;
        case 2: /* comb field */
            comb(pix, rin(0, w / 3), rin(w / 2, w), y,
                 rin(xh / 2 + 2, 2 * xh + 4), rin(2, xh), rin(1, 2));
            break;
        default: { /* a grid cell or frame */
            BOX *bx =
                boxCreate(rin(-3, w / 2), rin(-3, h / 2), rin(8, w), rin(8, h));
            pixRenderBox(pix, bx, rin(1, 3), L_SET_PIXELS);
            boxDestroy(&bx);
        }
        }
    }
    /* specks */
    int ns = chance(50) ? rin(0, 60) : 0;
    for (int i = 0; i < ns; i++)
        fx_dot(pix, rin(0, w - 1), rin(0, h - 1), rin(0, 1));
    /* a filled blob (ink spill, photo) or a patch of noise */
    if (chance(6))
        pixRasterop(pix, rin(-10, w), rin(-10, h), rin(1, w), rin(1, h),
                    PIX_SET, NULL, 0, 0);
    if (chance(5)) {
        int x0 = rin(0, w - 1), y0 = rin(0, h - 1);
        int pw = rin(1, w), ph = rin(1, h), np = pw * ph / rin(2, 6);
        for (int i = 0; i < np; i++)
            pixSetPixel(pix, x0 + rin(0, pw - 1), y0 + rin(0, ph - 1), 1);
    }
    return pix;
}

/* A grey (or colour) rendering of a 1 bpp drawing: paper, ink, noise. */
static PIX *to_grey(PIX *pixb, int colour)
{
    int w = pixGetWidth(pixb), h = pixGetHeight(pixb);
    PIX *g = pixCreate(w, h, 8);
    if (!g)
        return NULL;
    int paper = rin(150, 250), ink = rin(0, paper - 40), noise = rin(0, 20);
    int grad = chance(30) ? rin(-60, 0) : 0; /* darker towards the right */
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            l_uint32 v;
            pixGetPixel(pixb, x, y, &v);
            int p = v ? ink : paper + grad * x / w;
            if (noise)
                p += rin(-noise, noise);
            p = p < 0 ? 0 : p > 255 ? 255 : p;
            pixSetPixel(g, x, y, (l_uint32)p);
        }
    if (!colour)
        return g;
    PIX *c = pixConvertGrayToColormap(g);
    PIX *rgb = c ? pixConvertTo32(c) : NULL;
    pixDestroy(&c);
    pixDestroy(&g);
    return rgb;
}

/* ---- checks -------------------------------------------------------------- */

static int n_reported;

/* Report a failing page once (the first few only), with how to get it. */
static void report(const char *what, uint64_t seed, const SegPage *page)
{
    test_case_failed = 1;
    if (n_reported++ >= 5)
        return;
    printf("  page seed %llu: %s\n", (unsigned long long)seed, what);
    if (page)
        fx_dump_glyphs(page);
}

static int box_inside(SegBox b, int w, int h)
{
    return b.w > 0 && b.h > 0 && b.x >= 0 && b.y >= 0 && b.x + b.w <= w &&
           b.y + b.h <= h;
}

static int box_contains(SegBox o, SegBox i)
{
    return i.x >= o.x && i.y >= o.y && i.x + i.w <= o.x + o.w &&
           i.y + i.h <= o.y + o.h;
}

/* Every invariant of a SegPage built from pixb. Returns 1 when it holds;
 * otherwise reports and returns 0. */
static int check_page(const SegPage *page, PIX *pixb, uint64_t seed)
{
    int W = pixGetWidth(pixb), H = pixGetHeight(pixb), pw, ph;
    seg_page_get_size(page, &pw, &ph);
    if (pw != W || ph != H) {
        report("page size differs from the image", seed, page);
        return 0;
    }
    int nl, nw, ng;
    const SegLine *l = seg_page_get_lines(page, &nl);
    const SegWord *wd = seg_page_get_words(page, &nw);
    const SegGlyph *g = seg_page_get_glyphs(page, &ng);
    if (nl < 0 || nw < 0 || ng < 0 || (nl == 0) != (ng == 0) ||
        (nl == 0) != (nw == 0) || nw > ng || nl > nw) {
        report("counts of lines, words and glyphs inconsistent", seed, page);
        return 0;
    }
    /* blocks: 0 first, each new block the next number, all numbered */
    int max_block = -1;
    for (int i = 0; i < nl; i++) {
        if (l[i].block < 0 || l[i].block > max_block + 1) {
            report("block numbers not 0..nblocks-1 in reading order", seed,
                   page);
            return 0;
        }
        if (l[i].block > max_block)
            max_block = l[i].block;
    }
    /* lines -> words -> glyphs: a partition, indices in range, boxes
     * inside the page and inside their word and line */
    int wexp = 0, gexp = 0;
    for (int i = 0; i < nl; i++) {
        if (!box_inside(l[i].box, W, H) || l[i].first_word != wexp ||
            l[i].n_words < 1 || l[i].first_word + l[i].n_words > nw ||
            !isfinite(l[i].baseline_y) || !isfinite(l[i].baseline_slope) ||
            !(l[i].x_height >= 0) || !(l[i].cap_height >= 0)) {
            report("bad line", seed, page);
            return 0;
        }
        wexp += l[i].n_words;
        for (int k = l[i].first_word; k < l[i].first_word + l[i].n_words; k++) {
            if (!box_inside(wd[k].box, W, H) || wd[k].first_glyph != gexp ||
                wd[k].n_glyphs < 1 || wd[k].first_glyph + wd[k].n_glyphs > ng ||
                !box_contains(l[i].box, wd[k].box)) {
                report("bad word", seed, page);
                return 0;
            }
            gexp += wd[k].n_glyphs;
            for (int j = wd[k].first_glyph;
                 j < wd[k].first_glyph + wd[k].n_glyphs; j++)
                if (g[j].line != i || g[j].word != k ||
                    !box_inside(g[j].box, W, H) ||
                    !box_contains(wd[k].box, g[j].box)) {
                    report("bad glyph", seed, page);
                    return 0;
                }
        }
    }
    if (wexp != nw || gexp != ng) {
        report("lines/words do not cover all words/glyphs", seed, page);
        return 0;
    }
    /* masks: ink only where the page has ink, no pixel in two glyphs,
     * no empty glyph */
    PIX *seen = pixCreate(W, H, 1);
    int ok = seen != NULL;
    for (int j = 0; ok && j < ng; j++) {
        const unsigned char *m = seg_page_get_glyph_mask(page, j);
        int ink = 0;
        for (int y = 0; m && ok && y < g[j].box.h; y++)
            for (int x = 0; ok && x < g[j].box.w; x++) {
                unsigned char v = m[(size_t)y * g[j].box.w + x];
                if (v > 1) {
                    ok = 0;
                    break;
                }
                if (!v)
                    continue;
                ink++;
                l_uint32 pv, sv;
                int px = g[j].box.x + x, py = g[j].box.y + y;
                pixGetPixel(pixb, px, py, &pv);
                pixGetPixel(seen, px, py, &sv);
                if (!pv || sv)
                    ok = 0;
                pixSetPixel(seen, px, py, 1);
            }
        if (!m || ink == 0)
            ok = 0;
    }
    pixDestroy(&seen);
    if (!ok) {
        report("glyph mask empty, off the page's ink, or shared", seed, page);
        return 0;
    }
    return 1;
}

/* Two pages are the same segmentation (lines, blocks, words, glyphs). */
static int same_page(const SegPage *a, const SegPage *b)
{
    int na, nb, wa, wb, ga, gb;
    const SegLine *la = seg_page_get_lines(a, &na),
                  *lb = seg_page_get_lines(b, &nb);
    const SegWord *xa = seg_page_get_words(a, &wa),
                  *xb = seg_page_get_words(b, &wb);
    const SegGlyph *ya = seg_page_get_glyphs(a, &ga),
                   *yb = seg_page_get_glyphs(b, &gb);
    if (na != nb || wa != wb || ga != gb)
        return 0;
    for (int i = 0; i < na; i++)
        if (memcmp(&la[i].box, &lb[i].box, sizeof la[i].box) ||
            la[i].block != lb[i].block ||
            la[i].first_word != lb[i].first_word ||
            la[i].n_words != lb[i].n_words ||
            la[i].baseline_y != lb[i].baseline_y ||
            la[i].x_height != lb[i].x_height)
            return 0;
    for (int i = 0; i < wa; i++)
        if (memcmp(&xa[i], &xb[i], sizeof xa[i]))
            return 0;
    for (int i = 0; i < ga; i++)
        if (memcmp(&ya[i], &yb[i], sizeof ya[i]) ||
            memcmp(seg_page_get_glyph_mask(a, i), seg_page_get_glyph_mask(b, i),
                   (size_t)ya[i].box.w * ya[i].box.h))
            return 0;
    return 1;
}

/* ---- the classifier, as the pipeline uses it ------------------------------
 */

typedef struct {
    RecNet *net;
} Scorer;

static float score_glyph(void *ctx, const unsigned char *mask, int w, int h)
{
    const Scorer *sc = ctx;
    float in[REC_INPUT_SIZE * REC_INPUT_SIZE], probs[REC_NCLASSES];
    if (rec_glyph_normalize_mask(mask, w, h, w, in) < 0 ||
        rec_net_classify(sc->net, in, 1, REC_CHARSET_ALL, probs) < 0)
        return 0.0f;
    float best = 0.0f;
    for (int c = 0; c < REC_NCLASSES; c++)
        best = probs[c] > best ? probs[c] : best;
    return best;
}

/* Classify every glyph of a page in one batch; 1 if the posteriors are
 * sane (finite, summing to 1) for every glyph that normalises. */
static int classify_page(RecNet *net, const SegPage *page)
{
    int ng;
    const SegGlyph *g = seg_page_get_glyphs(page, &ng);
    if (ng == 0)
        return 1;
    float *in =
        malloc((size_t)ng * REC_INPUT_SIZE * REC_INPUT_SIZE * sizeof *in);
    float *probs = malloc((size_t)ng * REC_NCLASSES * sizeof *probs);
    int ok = in && probs, n = 0;
    for (int j = 0; ok && j < ng; j++)
        if (rec_glyph_normalize_mask(seg_page_get_glyph_mask(page, j),
                                     g[j].box.w, g[j].box.h, g[j].box.w,
                                     in + (size_t)n * REC_INPUT_SIZE *
                                              REC_INPUT_SIZE) == 0)
            n++;
    if (ok && n > 0 &&
        rec_net_classify(net, in, n, REC_CHARSET_ALL, probs) != 0)
        ok = 0;
    for (int j = 0; ok && j < n; j++) {
        double s = 0;
        for (int c = 0; c < REC_NCLASSES; c++) {
            float p = probs[(size_t)j * REC_NCLASSES + c];
            if (!(p >= 0.0f && p <= 1.0f))
                ok = 0;
            s += p;
        }
        if (fabs(s - 1.0) > 1e-3)
            ok = 0;
    }
    free(in);
    free(probs);
    return ok;
}

/* ---- cases ----------------------------------------------------------------
 */

/* One random page: drawn, maybe turned grey and binarised, segmented with
 * random options; checked. Returns 1 if it went through. */
static int run_page(uint64_t seed, RecNet *net, int *pn_glyphs, int *pn_blocks)
{
    rng_seed(seed);
    PIX *draw = random_page_1bpp();
    if (!draw) {
        report("could not draw", seed, NULL);
        return 0;
    }
    int dpis[] = {0, 0, 150, 300, 600};
    int dpi = dpis[rin(0, 4)];
    PIX *pixb = NULL;
    if (chance(30)) {
        PIX *g = to_grey(draw, chance(15));
        SegBinarizeOptions bo;
        seg_binarize_options_init(&bo);
        bo.method = chance(30) ? SEG_BINARIZE_OTSU : SEG_BINARIZE_SAUVOLA;
        bo.deskew = chance(50);
        pixb = g ? seg_page_binarize(g, dpi, &bo, NULL, NULL) : NULL;
        pixDestroy(&g);
        if (!pixb) {
            report(err_get(), seed, NULL);
            pixDestroy(&draw);
            return 0;
        }
        if (pixGetDepth(pixb) != 1 || pixGetWidth(pixb) != pixGetWidth(draw) ||
            pixGetHeight(pixb) != pixGetHeight(draw)) {
            report("binarised page is not 1 bpp of the same size", seed, NULL);
            pixDestroy(&pixb);
            pixDestroy(&draw);
            return 0;
        }
    } else {
        pixb = pixClone(draw);
    }
    pixDestroy(&draw);
    SegOptions so;
    seg_options_init(&so);
    so.remove_furniture = chance(85);
    so.split_touching = chance(90);
    if (chance(10))
        so.word_gap = (float)rin(3, 20) / 10.0f;
    if (chance(10))
        so.min_speck_area = rin(1, 30);
    Scorer sc = {net};
    if (net && chance(35)) {
        so.score = score_glyph;
        so.score_ctx = &sc;
    }
    err_clear();
    SegPage *page = seg_page_segment(pixb, dpi, &so);
    int ok = 0;
    if (!page) {
        report(err_get(), seed, NULL);
    } else if (check_page(page, pixb, seed)) {
        ok = 1;
        int ng, nl;
        const SegLine *l = seg_page_get_lines(page, &nl);
        seg_page_get_glyphs(page, &ng);
        *pn_glyphs += ng;
        *pn_blocks += nl > 0 ? l[nl - 1].block + 1 : 0;
        if (net && so.score && seed % 4 == 0 && !classify_page(net, page)) {
            report("classifier posteriors not finite or not summing to 1", seed,
                   page);
            ok = 0;
        }
        if (seed % 8 == 0) { /* same page again: the same bytes */
            SegPage *again = seg_page_segment(pixb, dpi, &so);
            if (!again || !same_page(page, again)) {
                report("segmenting the same page twice differs", seed, page);
                ok = 0;
            }
            seg_page_destroy(&again);
        }
        if (seed % 16 == 0) { /* what it writes, the loader takes back */
            char path[1024];
            snprintf(path, sizeof path, "%s/test_seg_random_%d.seg",
                     test_tmpdir(), (int)getpid());
            SegPage *back = NULL;
            if (seg_page_save(page, path) != 0 ||
                !(back = seg_page_load(path)) || !same_page(page, back)) {
                report(err_get()[0] ? err_get() : "save/load differs", seed,
                       page);
                ok = 0;
            }
            seg_page_destroy(&back);
            remove(path);
        }
    }
    seg_page_destroy(&page);
    pixDestroy(&pixb);
    return ok;
}

static RecNet *net;

static void seg_page_segment__random_small_pages__well_formed(void)
{
    /* Under valgrind the classifier's float kernels alone take seconds a
     * page: fewer pages there, segmented without it (test_rec_* cover it
     * under valgrind). */
    const int n_pages = UNDER_VALGRIND() ? VALGRIND_PAGES : 2000;
    RecNet *scorer = UNDER_VALGRIND() ? NULL : net;
    int n_ok = 0, n_glyphs = 0, n_blocks = 0;
    n_reported = 0;
    for (int i = 0; i < n_pages; i++)
        n_ok += run_page((uint64_t)i + 1, scorer, &n_glyphs, &n_blocks);
    printf("  %d/%d pages well-formed, %d glyphs, %d blocks\n", n_ok, n_pages,
           n_glyphs, n_blocks);
    CHECK(n_ok == n_pages);
    /* the generator must still make pages worth segmenting */
    CHECK(n_glyphs > 20 * n_pages);
    CHECK(n_blocks > 2 * n_pages);
}

/* Two lines at different heights in two columns: the XY cut makes blocks
 * 1 and 2 for 2 lines (more block ids than lines), read as blocks 0, 1. */
static void seg_page_segment__two_columns_two_lines__blocks_0_1(void)
{
    FxPen pen = fx_pen(20);
    PIX *pix = pixCreate(600, 200, 1);
    fx_text(pix, "nox", 20, 60, &pen, 0);
    fx_text(pix, "vin", 400, 150, &pen, 0);
    SegPage *page = seg_page_segment(pix, 300, NULL);
    CHECK(page != NULL);
    int nl = 0;
    const SegLine *l = seg_page_get_lines(page, &nl);
    CHECK(nl == 2);
    if (nl == 2)
        CHECK(l[0].block == 0 && l[1].block == 1);
    if (page && !check_page(page, pix, 0))
        CHECK(0);
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

/* Nested cuts: a gutter splits the page into two columns; the left one
 * holds two short lines side by side whose x-height bands overlap a little
 * (no horizontal cut between them, and too little overlap to be one row),
 * so it is cut again. 3 lines, block ids 1..4 from the cut, read as blocks
 * 0, 1, 2. */
static void seg_page_segment__nested_columns__blocks_numbered_in_order(void)
{
    FxPen pen = fx_pen(24);
    PIX *pix = pixCreate(900, 400, 1);
    fx_text(pix, "nox", 20, 100, &pen, 0);
    fx_text(pix, "vin", 220, 117, &pen, 0);
    fx_text(pix, "oxn", 700, 300, &pen, 0);
    SegPage *page = seg_page_segment(pix, 300, NULL);
    CHECK(page != NULL);
    int nl = 0;
    const SegLine *l = seg_page_get_lines(page, &nl);
    CHECK(nl == 3);
    for (int i = 0; i < nl; i++)
        CHECK(l[i].block == i);
    if (page && !check_page(page, pix, 0))
        CHECK(0);
    if (test_case_failed && page)
        fx_dump(page);
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

static float score_const(void *ctx, const unsigned char *mask, int w, int h)
{
    (void)ctx;
    (void)mask;
    (void)w;
    (void)h;
    return 0.5f;
}

/* Hairline marks 1 px wide make the typical glyph width 1 px; a piece 8 px
 * wide is then "8 glyphs" and the scorer was asked about 9 parts of 8
 * columns: cuts fell left of the piece (seg_glyphs.c split_piece). The
 * piece must be cut into at most 8 parts of real columns. */
static void
seg_page_segment__hairline_glyphs_with_scorer__cuts_inside_piece(void)
{
    PIX *pix = pixCreate(120, 24, 1);
    for (int x = 4; x < 100; x += 3)
        pixRasterop(pix, x, 10, 1, 2, PIX_SET, NULL, 0, 0);
    pixRasterop(pix, 104, 8, 8, 4, PIX_SET, NULL, 0, 0);
    SegOptions so;
    seg_options_init(&so);
    so.min_speck_area = 1;
    so.score = score_const;
    SegPage *page = seg_page_segment(pix, 300, &so);
    CHECK(page != NULL);
    if (page && !check_page(page, pix, 0))
        CHECK(0);
    int ng = 0;
    const SegGlyph *g = seg_page_get_glyphs(page, &ng);
    int in_block = 0;
    for (int i = 0; i < ng; i++)
        in_block += g[i].box.x >= 104;
    CHECK(in_block >= 1 && in_block <= 8);
    seg_page_destroy(&page);
    pixDestroy(&pix);
}

int main(void)
{
    setMsgSeverity(L_SEVERITY_NONE);
    net = rec_net_load(MODEL_PATH);
    if (!net)
        printf("  %s: %s\n", MODEL_PATH, err_get());
    RUN(seg_page_segment__two_columns_two_lines__blocks_0_1);
    RUN(seg_page_segment__nested_columns__blocks_numbered_in_order);
    RUN(seg_page_segment__hairline_glyphs_with_scorer__cuts_inside_piece);
    RUN(seg_page_segment__random_small_pages__well_formed);
    /* the bundled model must load (run from the top of the repository) */
    test_case_failed = net == NULL;
    printf("%s rec_net_load__bundled_model__loads\n", net ? "PASS" : "FAIL");
    test_n_failed += test_case_failed;
    rec_net_destroy(&net);
    TEST_EXIT();
}
