/*
 * seg_scan.c - run binarize + segment over image files and report what was
 * found and how long each step took; or time and score both binarisers on a
 * composed A4 page.
 *
 *   seg_scan [--otsu] [--no-deskew] [--dpi N] [--repeat N] FILE...
 *   seg_scan --synthetic [--dpi N] [--repeat N]
 *
 * Per file: size, depth, binarise time (without deskew), deskew time, the
 * skew removed, segment time, lines / words / glyphs, specks, furniture
 * pixels. Unreadable files are reported and skipped (exit 1 at the end).
 * --synthetic composes an A4 page of handwriting-like glyphs (about 500,
 * fixed seed), renders it grey with uneven light and noise, and reports
 * for Sauvola and adaptive Otsu the time and the pixel error against the
 * drawing, then segment time and the glyph count against the drawn count.
 * Times are the best of --repeat runs (default 3), in process CPU time.
 */
#include "common/clock.h"
#include "common/err.h"
#include "segment/segment.h"
#include "tests/unit/seg_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static float opt_k = 0.2f;           /* --k */
static const char *opt_boxes = NULL; /* --boxes FILE */

/* CPU time of this process: the machine is shared, wall time is not what
 * the page costs. */
static double now_ms(void) { return clock_cpu_s() * 1e3; }

static void usage(FILE *f)
{
    fprintf(f,
            "usage: seg_scan [--otsu] [--no-deskew] [--dpi N] [--repeat N] "
            "FILE...\n"
            "       seg_scan --synthetic [--dpi N] [--repeat N]\n"
            "Binarise and segment each image; print times and counts.\n"
            "  --otsu       adaptive Otsu instead of Sauvola\n"
            "  --no-deskew  skip skew detection\n"
            "  --dpi N      resolution (default: the file's, else 300)\n"
            "  --repeat N   best of N runs (default 3)\n"
            "  --k K        Sauvola k (default 0.2)\n"
            "  --boxes FILE append each glyph (file line word x0 y0 x1 y1)\n"
            "  --synthetic  time and score both binarisers on a composed A4 "
            "page\n");
}

/* Best-of-n time of binarize; returns the last result. */
static PIX *time_binarize(PIX *pix, int dpi, const SegBinarizeOptions *opt,
                          int repeat, double *pms, float *pskew)
{
    PIX *b = NULL;
    *pms = 1e30;
    for (int r = 0; r < repeat; r++) {
        pixDestroy(&b);
        double t0 = now_ms();
        b = seg_page_binarize(pix, dpi, opt, pskew, NULL);
        double t = now_ms() - t0;
        if (!b)
            return NULL;
        if (t < *pms)
            *pms = t;
    }
    return b;
}

static SegPage *time_segment(PIX *b, int dpi, int repeat, double *pms)
{
    SegPage *page = NULL;
    *pms = 1e30;
    for (int r = 0; r < repeat; r++) {
        seg_page_destroy(&page);
        double t0 = now_ms();
        page = seg_page_segment(b, dpi, NULL);
        double t = now_ms() - t0;
        if (!page)
            return NULL;
        if (t < *pms)
            *pms = t;
    }
    return page;
}

static int scan_file(const char *path, int dpi_arg, int otsu, int deskew,
                     int repeat)
{
    PIX *pix = pixRead(path);
    if (!pix) {
        printf("%s: cannot read image\n", path);
        return -1;
    }
    int dpi = dpi_arg > 0 ? dpi_arg : pixGetXRes(pix);
    if (dpi < 50 || dpi > 2400)
        dpi = 300;
    SegBinarizeOptions opt;
    seg_binarize_options_init(&opt);
    opt.method = otsu ? SEG_BINARIZE_OTSU : SEG_BINARIZE_SAUVOLA;
    opt.deskew = 0;
    opt.k = opt_k;
    double t_bin, t_all = 0, t_seg;
    float skew = 0;
    PIX *b = time_binarize(pix, dpi, &opt, repeat, &t_bin, NULL);
    if (b && deskew) {
        pixDestroy(&b);
        opt.deskew = 1;
        b = time_binarize(pix, dpi, &opt, repeat, &t_all, &skew);
    }
    if (!b) {
        printf("%s: binarize failed: %s\n", path, err_get());
        pixDestroy(&pix);
        return -1;
    }
    SegPage *page = time_segment(b, dpi, repeat, &t_seg);
    if (!page) {
        printf("%s: segment failed: %s\n", path, err_get());
        pixDestroy(&b);
        pixDestroy(&pix);
        return -1;
    }
    int nl, nw, ng;
    seg_page_get_lines(page, &nl);
    seg_page_get_words(page, &nw);
    seg_page_get_glyphs(page, &ng);
    const SegStats *st = seg_page_get_stats(page);
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    printf("%-28s %5dx%-5d %2dbpp %4ddpi bin %7.1fms deskew %6.1fms "
           "(%+5.2fdeg) seg %7.1fms lines %4d words %5d glyphs %5d "
           "specks %5d furn %7d\n",
           name, pixGetWidth(pix), pixGetHeight(pix), pixGetDepth(pix), dpi,
           t_bin, deskew ? t_all - t_bin : 0.0, (double)skew, t_seg, nl, nw,
           ng, st->n_specks, st->furniture_px);
    if (opt_boxes) {
        /* one row per glyph: file line word x0 y0 x1 y1 (x1, y1 exclusive) */
        FILE *f = fopen(opt_boxes, "a");
        if (f) {
            const SegGlyph *g = seg_page_get_glyphs(page, &ng);
            for (int k = 0; k < ng; k++)
                fprintf(f, "%s\t%d\t%d\t%d\t%d\t%d\t%d\n", name, g[k].line,
                        g[k].word, g[k].box.x, g[k].box.y,
                        g[k].box.x + g[k].box.w, g[k].box.y + g[k].box.h);
            fclose(f);
        }
    }
    seg_page_destroy(&page);
    pixDestroy(&b);
    pixDestroy(&pix);
    return 0;
}

/* An A4 page of handwriting at dpi: 25 lines of ~20 glyphs. */
static PIX *a4_truth(int dpi, int *pglyphs)
{
    int w = (int)(8.27 * dpi), h = (int)(11.69 * dpi);
    PIX *pix = pixCreate(w, h, 1);
    FxPen pen = fx_pen((int)(2.6f * dpi / 25.4f));
    const char *alpha = "onxvlpiH";
    fx_seed = 2024;
    int total = 0, pitch = (int)(3.2f * pen.xh);
    for (int y = 2 * pen.xh + h / 12; y < h - h / 12 && total < 500;
         y += pitch) {
        char line[64];
        int n = 0;
        while (n < 26) {
            int wl = 2 + (int)(fx_rand() % 5);
            for (int k = 0; k < wl && n < 25; k++)
                line[n++] = alpha[fx_rand() % 8];
            line[n++] = ' ';
        }
        line[n] = '\0';
        fx_text(pix, line, w / 10, y, &pen, 0);
        total += fx_count_glyphs(line);
    }
    *pglyphs = total;
    return pix;
}

static int synthetic(int dpi, int repeat)
{
    int drawn;
    PIX *truth = a4_truth(dpi, &drawn);
    int w = pixGetWidth(truth), h = pixGetHeight(truth);
    /* grey: paper 225 darkening to 150 across the page, a shadow band
     * (-50) down the left margin, ink from pen-dark (60) to light pencil
     * (150) changing every few lines, noise +-15 */
    PIX *grey = pixCreate(w, h, 8);
    fx_seed = 77;
    for (int y = 0; y < h; y++) {
        l_uint32 *gl = pixGetData(grey) + (size_t)y * pixGetWpl(grey);
        l_uint32 *tl = pixGetData(truth) + (size_t)y * pixGetWpl(truth);
        int ink = 60 + 30 * ((y / (dpi / 2)) % 4);
        for (int x = 0; x < w; x++) {
            int paper = 225 - 75 * x / w - (x < w / 8 ? 50 * (w / 8 - x) / (w / 8) : 0);
            int v = GET_DATA_BIT(tl, x) ? (ink < paper - 40 ? ink : paper - 40)
                                        : paper;
            v += (int)(fx_rand() % 31) - 15;
            SET_DATA_BYTE(gl, x, v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
    l_int32 ink = 0;
    pixCountPixels(truth, &ink, NULL);
    printf("synthetic A4 %dx%d at %d dpi, %d glyphs drawn, %.1f Mpixel\n", w,
           h, dpi, drawn, w * (double)h / 1e6);
    for (int m = 0; m < 2; m++) {
        SegBinarizeOptions opt;
        seg_binarize_options_init(&opt);
        opt.method = m ? SEG_BINARIZE_OTSU : SEG_BINARIZE_SAUVOLA;
        opt.deskew = 0;
        opt.k = opt_k;
        double t_bin, t_all, t_seg;
        PIX *b = time_binarize(grey, dpi, &opt, repeat, &t_bin, NULL);
        if (!b) {
            printf("binarize failed: %s\n", err_get());
            return -1;
        }
        PIX *x = pixXor(NULL, b, truth);
        l_int32 diff = 0;
        pixCountPixels(x, &diff, NULL);
        pixDestroy(&x);
        pixDestroy(&b);
        opt.deskew = 1;
        float skew = 0;
        b = time_binarize(grey, dpi, &opt, repeat, &t_all, &skew);
        SegPage *page = b ? time_segment(b, dpi, repeat, &t_seg) : NULL;
        int ng = 0;
        if (page)
            seg_page_get_glyphs(page, &ng);
        printf("%-8s binarize %6.1f ms  pixel error %.4f of ink  deskew "
               "%5.1f ms (%+.2f deg)  segment %5.1f ms  glyphs %d / %d\n",
               m ? "otsu" : "sauvola", t_bin, (double)diff / ink,
               t_all - t_bin, (double)skew, page ? t_seg : -1.0, ng, drawn);
        seg_page_destroy(&page);
        pixDestroy(&b);
    }
    /* Leptonica's own binarisers on the same page, for reference */
    for (int m = 0; m < 2; m++) {
        double best = 1e30;
        PIX *b = NULL;
        for (int r = 0; r < repeat; r++) {
            pixDestroy(&b);
            double t0 = now_ms();
            if (m == 0)
                pixSauvolaBinarizeTiled(grey, dpi / 12, opt_k, 1, 1, NULL, &b);
            else
                pixOtsuAdaptiveThreshold(grey, dpi / 3, dpi / 3, 0, 0, 0.1f,
                                         NULL, &b);
            double t = now_ms() - t0;
            if (t < best)
                best = t;
        }
        if (!b)
            continue;
        PIX *x = pixXor(NULL, b, truth);
        l_int32 diff = 0;
        pixCountPixels(x, &diff, NULL);
        printf("leptonica %-14s %6.1f ms  pixel error %.4f of ink\n",
               m ? "otsu-adaptive" : "sauvola", best, (double)diff / ink);
        pixDestroy(&x);
        pixDestroy(&b);
    }
    /* segment alone on the clean drawing */
    double t_seg;
    SegPage *page = time_segment(truth, dpi, repeat, &t_seg);
    int ng = 0;
    if (page)
        seg_page_get_glyphs(page, &ng);
    printf("segment on the drawing: %.1f ms, glyphs %d / %d\n", t_seg, ng,
           drawn);
    seg_page_destroy(&page);
    pixDestroy(&grey);
    pixDestroy(&truth);
    return 0;
}

int main(int argc, char **argv)
{
    int otsu = 0, deskew = 1, dpi = 0, repeat = 3, synth = 0, i = 1, bad = 0;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--otsu"))
            otsu = 1;
        else if (!strcmp(argv[i], "--no-deskew"))
            deskew = 0;
        else if (!strcmp(argv[i], "--synthetic"))
            synth = 1;
        else if (!strcmp(argv[i], "--dpi") && i + 1 < argc)
            dpi = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--boxes") && i + 1 < argc)
            opt_boxes = argv[++i];
        else if (!strcmp(argv[i], "--k") && i + 1 < argc)
            opt_k = (float)atof(argv[++i]);
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (repeat < 1)
        repeat = 1;
    setMsgSeverity(L_SEVERITY_ERROR); /* the tool, not the library, decides */
    if (synth)
        return synthetic(dpi > 0 ? dpi : 300, repeat) ? 1 : 0;
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    for (; i < argc; i++)
        if (scan_file(argv[i], dpi, otsu, deskew, repeat) != 0)
            bad = 1;
    return bad;
}
