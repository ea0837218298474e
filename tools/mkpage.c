/*
 * mkpage.c - make test pages for the pipeline's CLI tests: text drawn with
 * a Hershey stroke font (hershey-fonts-data, the `test` dependency group)
 * in dark ink on light paper, jittered from a fixed seed. Hostile files
 * (decompression bomb, corrupt TIFF, truncated PNG) come from tools/hostile.
 *
 *   mkpage [--size WxH] [--dpi N] [--pages N] [--seed S] [--text T]
 *          [--truth FILE] [--font FILE.jhf]
 *          OUT.{png,tif,tiff,pgm,jpg,bmp,gif,webp,jp2}
 *
 * T holds the lines of a page separated by '|'; without --text each page
 * gets random words (classes 0-9 A-Z a-z) from the seed. --truth writes the
 * expected text (lines, '\f' between pages). A .tif gets every page; other
 * formats hold one page.
 */
#include "common/err.h"
#include "common/rng.h"
#include "train/train_strokes.h"

#include <leptonica/allheaders.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TEXT 4096

/* The page jitter and the random words: xorshift64 (common/rng.h), seeded
 * from --seed; the CLI tests' pages depend on this stream. */
static uint64_t rng_state;

/* Draw c with its left edge at x, baseline at y, scale s px per unit,
 * stroke width w; returns the advance in px. g is scratch for the glyph's
 * strokes (train/train_strokes.h: the one .jhf reader). */
static int draw_char(PIX *pix, const RecStrokeFont *f, RecStrokes *g, int c,
                     int x, int y, float s, int w)
{
    float left, right;
    rec_strokes_clear(g);
    if (rec_stroke_font_glyph(f, c, g, &left, &right) < 0)
        return (int)(16 * s);
    float slant = ((int)(rng_xorshift64(&rng_state) % 9) - 4) * 0.02f;
    for (int k = 0, i = 0; k < g->nstrokes; k++) {
        int px = 0, py = 0;
        for (int first = i; i < g->ends[k]; i++) {
            float hx = g->pts[i].x, hy = g->pts[i].y;
            /* baseline of the Hershey simplex fonts is at +9 */
            int X = x + (int)((hx - left) * s - (hy - 9) * s * slant);
            int Y = y + (int)((hy - 9) * s);
            if (i > first)
                pixRenderLine(pix, px, py, X, Y, w, L_SET_PIXELS);
            px = X;
            py = Y;
        }
    }
    return (int)((right - left) * s);
}

static void random_text(char *buf, size_t size, int lines)
{
    static const char cls[] =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    size_t k = 0;
    for (int l = 0; l < lines && k + 64 < size; l++) {
        int words = 2 + (int)(rng_xorshift64(&rng_state) % 3);
        for (int w = 0; w < words; w++) {
            int len = 2 + (int)(rng_xorshift64(&rng_state) % 4);
            for (int i = 0; i < len; i++)
                buf[k++] = cls[rng_xorshift64(&rng_state) % 62];
            buf[k++] = w + 1 < words ? ' ' : '|';
        }
    }
    if (k)
        k--;
    buf[k] = '\0';
}

/* Leptonica's output format for a file name's extension (PNG otherwise). */
static int format_of(const char *dot)
{
    static const struct {
        const char *ext;
        int format;
    } fmts[] = {{".pgm", IFF_PNM},  {".jpg", IFF_JFIF_JPEG},
                {".bmp", IFF_BMP},  {".gif", IFF_GIF},
                {".webp", IFF_WEBP}, {".jp2", IFF_JP2}};
    for (size_t i = 0; dot && i < sizeof fmts / sizeof fmts[0]; i++)
        if (!strcmp(dot, fmts[i].ext))
            return fmts[i].format;
    return IFF_PNG;
}

/* Render one page of text (lines split at '|') as 8 bpp grey. */
static PIX *render_page(const RecStrokeFont *f, RecStrokes *scratch,
                        const char *text, int w, int h, int dpi)
{
    PIX *ink = pixCreate(w, h, 1);
    float s = dpi / 300.0f * 2.6f;
    int stroke = dpi >= 200 ? 4 : 2;
    int line_h = (int)(48 * s), x0 = (int)(40 * s), y = (int)(60 * s);
    int x = x0;
    for (const char *p = text; *p; p++) {
        if (*p == '|') {
            y += line_h;
            x = x0;
            continue;
        }
        if (*p == ' ') {
            x += (int)(20 * s);
            continue;
        }
        int jitter = (int)(rng_xorshift64(&rng_state) % 5) - 2;
        x += draw_char(ink, f, scratch, (unsigned char)*p, x, y + jitter, s,
                       stroke) +
             (int)(6 * s);
    }
    /* light paper, dark ink, a little noise-free grey */
    PIX *g = pixConvert1To8(NULL, ink, 235, 30);
    pixDestroy(&ink);
    pixSetResolution(g, dpi, dpi);
    return g;
}

int main(int argc, char **argv)
{
    int w = 1000, h = 500, dpi = 300, pages = 1;
    const char *text = NULL, *truth = NULL, *out = NULL;
    const char *font = "/usr/share/hershey-fonts/futural.jhf";
    rng_state = 88172645463325252ULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--size") && i + 1 < argc) {
            if (sscanf(argv[++i], "%dx%d", &w, &h) != 2 || w < 16 || h < 16) {
                fprintf(stderr, "mkpage: bad --size\n");
                return 2;
            }
        } else if (!strcmp(a, "--dpi") && i + 1 < argc) {
            dpi = atoi(argv[++i]);
        } else if (!strcmp(a, "--pages") && i + 1 < argc) {
            pages = atoi(argv[++i]);
        } else if (!strcmp(a, "--seed") && i + 1 < argc) {
            rng_state = 88172645463325252ULL ^
                        (strtoull(argv[++i], NULL, 10) * 0x9E3779B97F4A7C15ULL);
        } else if (!strcmp(a, "--text") && i + 1 < argc) {
            text = argv[++i];
        } else if (!strcmp(a, "--truth") && i + 1 < argc) {
            truth = argv[++i];
        } else if (!strcmp(a, "--font") && i + 1 < argc) {
            font = argv[++i];
        } else if (a[0] == '-' || out) {
            fprintf(stderr, "mkpage: unexpected argument %s\n", a);
            return 2;
        } else {
            out = a;
        }
    }
    if (!out || pages < 1 || pages > 1000 || dpi < 50 || dpi > 1200) {
        fprintf(stderr, "usage: mkpage [options] OUT (see tools/mkpage.c)\n");
        return 2;
    }
    setMsgSeverity(L_SEVERITY_NONE);
    if (rng_state == 0)
        rng_state = 1;

    RecStrokeFont *f = rec_stroke_font_load(font);
    if (!f) {
        fprintf(stderr, "mkpage: %s\n", err_get());
        return 1;
    }
    RecStrokes g;
    rec_strokes_init(&g);
    const char *dot = strrchr(out, '.');
    int tiff = dot && (!strcmp(dot, ".tif") || !strcmp(dot, ".tiff"));
    if (!tiff)
        pages = 1;
    FILE *tf = truth ? fopen(truth, "w") : NULL;
    int rc = 0;
    for (int p = 0; p < pages && rc == 0; p++) {
        char buf[MAX_TEXT];
        if (text)
            snprintf(buf, sizeof buf, "%s", text);
        else
            random_text(buf, sizeof buf, 3);
        PIX *pix = render_page(f, &g, buf, w, h, dpi);
        if (tf) {
            if (p)
                fputc('\f', tf);
            for (char *c = buf; *c; c++)
                fputc(*c == '|' ? '\n' : *c, tf);
            fputc('\n', tf);
        }
        if (tiff)
            rc = pixWriteTiff(out, pix, IFF_TIFF_ZIP, p ? "a" : "w");
        else
            rc = pixWrite(out, pix, format_of(dot));
        pixDestroy(&pix);
    }
    if (tf)
        fclose(tf);
    rec_strokes_cleanup(&g);
    rec_stroke_font_destroy(&f);
    if (rc)
        fprintf(stderr, "mkpage: cannot write %s\n", out);
    return rc ? 1 : 0;
}
