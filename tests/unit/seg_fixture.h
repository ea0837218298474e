/*
 * seg_fixture.h - pages for the segment tests, drawn in code with Leptonica.
 *
 * A "handwriting" line is a string: each letter is a glyph shape drawn with
 * pen strokes (pixRenderLine), ' ' is a word gap. Every shape except 'i' is
 * one 8-connected component, 'i' is a stem plus a dot, so the number of
 * glyphs and words a test expects follows from the string it drew.
 *   o  ellipse, x-height          n  stem + arch, x-height
 *   x  two diagonals, x-height    v  two diagonals meeting at the bottom
 *   l  ascender stem (1.7 xh)     p  descender stem + bowl
 *   i  stem + dot above           H  capital (1.5 xh)
 * Positions, sizes and gaps are in pixels; no randomness except where a test
 * seeds fx_rand() itself.
 */
#ifndef INKPIPE_SEG_FIXTURE_H
#define INKPIPE_SEG_FIXTURE_H

#include <leptonica/allheaders.h>
#include <math.h>
#include <string.h>

typedef struct {
    int xh;        /* x-height, px */
    int stroke;    /* pen width, px */
    int gap;       /* between letters of a word, px (may be negative) */
    int word_gap;  /* between words, px */
    float slope;   /* baseline dy/dx */
    float curve;   /* baseline bow: amplitude in px of a half sine */
} FxPen;

static unsigned fx_seed = 12345u;
static inline unsigned fx_rand(void)
{
    fx_seed = fx_seed * 1103515245u + 12345u;
    return (fx_seed >> 16) & 0x7fff;
}

static inline void fx_line(PIX *pix, float x1, float y1, float x2, float y2,
                           int width)
{
    pixRenderLine(pix, (int)lrintf(x1), (int)lrintf(y1), (int)lrintf(x2),
                  (int)lrintf(y2), width, L_SET_PIXELS);
}

static inline void fx_ellipse(PIX *pix, float cx, float cy, float rx,
                              float ry, int width)
{
    const int n = 24;
    for (int i = 0; i < n; i++) {
        float a0 = 2.0f * (float)M_PI * i / n, a1 = 2.0f * (float)M_PI * (i + 1) / n;
        fx_line(pix, cx + rx * cosf(a0), cy + ry * sinf(a0), cx + rx * cosf(a1),
                cy + ry * sinf(a1), width);
    }
}

static inline void fx_dot(PIX *pix, int cx, int cy, int r)
{
    pixRasterop(pix, cx - r, cy - r, 2 * r + 1, 2 * r + 1, PIX_SET, NULL, 0,
                0);
}

/* Width of a glyph shape for a pen. */
static inline int fx_glyph_width(char c, const FxPen *pen)
{
    switch (c) {
    case 'l':
    case 'i':
        return pen->stroke + 2;
    case 'H':
        return (int)(0.8f * pen->xh);
    default:
        return (int)(0.7f * pen->xh);
    }
}

/* Draw one glyph with its left edge at x and baseline at b (the last ink
 * row). */
static inline void fx_glyph(PIX *pix, char c, float x, float b,
                            const FxPen *pen)
{
    float xh = (float)pen->xh, s = (float)pen->stroke;
    float w = (float)fx_glyph_width(c, pen);
    float h2 = s / 2, L = x + h2, R = x + w - h2, B = b - h2, T = b - xh + h2;
    int sw = pen->stroke;
    switch (c) {
    case 'o':
        fx_ellipse(pix, x + w / 2, b - xh / 2, w / 2 - h2, xh / 2 - h2, sw);
        break;
    case 'n':
        fx_line(pix, L, B, L, T, sw);
        fx_line(pix, L, T, R, T + 0.2f * xh, sw);
        fx_line(pix, R, T + 0.2f * xh, R, B, sw);
        break;
    case 'x':
        fx_line(pix, L, T, R, B, sw);
        fx_line(pix, L, B, R, T, sw);
        break;
    case 'v':
        fx_line(pix, L, T, x + w / 2, B, sw);
        fx_line(pix, x + w / 2, B, R, T, sw);
        break;
    case 'l':
        fx_line(pix, x + w / 2, B, x + w / 2, b - 1.7f * xh + h2, sw);
        break;
    case 'H':
        fx_line(pix, L, B, L, b - 1.5f * xh + h2, sw);
        fx_line(pix, R, B, R, b - 1.5f * xh + h2, sw);
        fx_line(pix, L, b - 0.75f * xh, R, b - 0.75f * xh, sw);
        break;
    case 'p':
        fx_line(pix, L, T, L, b + 0.7f * xh - h2, sw);
        fx_ellipse(pix, x + w / 2, b - xh / 2, w / 2 - h2, xh / 2 - h2, sw);
        break;
    case 'i': {
        fx_line(pix, x + w / 2, B, x + w / 2, T, sw);
        int r = pen->stroke / 2 + 1;
        fx_dot(pix, (int)(x + w / 2), (int)(b - 1.45f * xh), r);
        break;
    }
    default:
        break;
    }
}

/* Draw a line of text starting at (x, b). Returns the x after the last
 * glyph. Glyphs follow pen->slope and pen->curve over `span` px. */
static inline int fx_text(PIX *pix, const char *s, int x, int b,
                          const FxPen *pen, int span)
{
    float fx = (float)x;
    for (const char *c = s; *c; c++) {
        if (*c == ' ') {
            fx += (float)(pen->word_gap - pen->gap);
            continue;
        }
        float dx = fx - x;
        float bb = b + pen->slope * dx;
        if (pen->curve != 0 && span > 0)
            bb += pen->curve * sinf((float)M_PI * dx / span);
        fx_glyph(pix, *c, fx, bb, pen);
        fx += (float)(fx_glyph_width(*c, pen) + pen->gap);
    }
    return (int)(fx - pen->gap);
}

static inline int fx_count_glyphs(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s != ' ';
    return n;
}

static inline int fx_count_words(const char *s)
{
    int n = 0, in = 0;
    for (; *s; s++) {
        if (*s != ' ' && !in)
            n++;
        in = *s != ' ';
    }
    return n;
}

static inline FxPen fx_pen(int xh)
{
    FxPen p = {xh, xh / 8 > 2 ? xh / 8 : 2, xh / 5, xh, 0.0f, 0.0f};
    return p;
}

/* Print what a page holds (shown only when a check fails, via run.sh). */
#include "segment/segment.h"
#include <stdio.h>
static inline void fx_dump(const SegPage *page)
{
    int nl, nw, ng;
    const SegLine *l = seg_page_get_lines(page, &nl);
    const SegWord *w = seg_page_get_words(page, &nw);
    const SegGlyph *g = seg_page_get_glyphs(page, &ng);
    printf("  page: %d lines %d words %d glyphs dpi %d\n", nl, nw, ng,
           seg_page_get_dpi(page));
    for (int i = 0; i < nl; i++) {
        printf("  line %d block %d box %d,%d %dx%d base %.1f slope %.3f "
               "xh %.1f cap %.1f:",
               i, l[i].block, l[i].box.x, l[i].box.y, l[i].box.w, l[i].box.h,
               (double)l[i].baseline_y, (double)l[i].baseline_slope,
               (double)l[i].x_height, (double)l[i].cap_height);
        for (int k = l[i].first_word; k < l[i].first_word + l[i].n_words;
             k++)
            printf(" [%d]", w[k].n_glyphs);
        printf("\n");
    }
    (void)g;
}

static inline void fx_dump_glyphs(const SegPage *page)
{
    int ng;
    const SegGlyph *g = seg_page_get_glyphs(page, &ng);
    fx_dump(page);
    for (int i = 0; i < ng; i++)
        printf("  glyph %d line %d word %d box %d,%d %dx%d\n", i, g[i].line,
               g[i].word, g[i].box.x, g[i].box.y, g[i].box.w, g[i].box.h);
}

/* Pixels of got that differ from the truth, over the truth's ink pixels
 * (both 1 bpp, same size). */
static inline double fx_ink_error(PIX *got, PIX *truth)
{
    PIX *x = pixXor(NULL, got, truth);
    l_int32 diff = 0, ink = 0;
    pixCountPixels(x, &diff, NULL);
    pixCountPixels(truth, &ink, NULL);
    pixDestroy(&x);
    return ink ? (double)diff / ink : (double)diff;
}

#endif
