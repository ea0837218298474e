/*
 * train_strokes.c - pen strokes, Hershey stroke fonts and the stroke renderer
 * (see rec_strokes.h).
 *
 * Design:
 *   - RecStrokes is a growable pair of arrays (points, stroke ends); the
 *     caller owns the struct, the functions own the arrays.
 *   - .jhf parsing: each glyph is "NNNNNCCCLR" followed by coordinate pairs;
 *     NNNNN is an id (ignored: the Debian files number every glyph 12345, so
 *     the order of the lines gives the character, ASCII from 32), CCC the
 *     number of pairs including the L/R pair, and each coordinate is a
 *     character minus 'R'. " R" lifts the pen. A glyph may continue on the
 *     next lines (the classic 72-column layout); reading stops when CCC
 *     pairs are read.
 *   - The rasteriser takes the max coverage of round-capped segments, so
 *     overlapping strokes do not darken; its output is the same float
 *     coverage canvas the augmenter composes onto paper.
 *
 * Threading: fonts are read-only after loading; everything is reentrant.
 */
#include "train/train_strokes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "train/train_data_int.h"

#define FONT_FIRST 32
#define FONT_MAX 96

void rec_strokes_init(RecStrokes *s)
{
    memset(s, 0, sizeof *s);
}

void rec_strokes_cleanup(RecStrokes *s)
{
    if (!s)
        return;
    free(s->pts);
    free(s->ends);
    memset(s, 0, sizeof *s);
}

void rec_strokes_clear(RecStrokes *s)
{
    s->npts = 0;
    s->nstrokes = 0;
}

int rec_strokes_add_point(RecStrokes *s, float x, float y)
{
    if (s->npts == s->cap_pts) {
        int cap = s->cap_pts ? 2 * s->cap_pts : 64;
        RecPoint *p = realloc(s->pts, (size_t)cap * sizeof *p);
        if (!p)
            return err_set("rec_strokes: out of memory");
        s->pts = p;
        s->cap_pts = cap;
    }
    s->pts[s->npts].x = x;
    s->pts[s->npts].y = y;
    s->npts++;
    return 0;
}

int rec_strokes_end_stroke(RecStrokes *s)
{
    int start = s->nstrokes ? s->ends[s->nstrokes - 1] : 0;
    if (s->npts == start)
        return 0;
    if (s->nstrokes == s->cap_strokes) {
        int cap = s->cap_strokes ? 2 * s->cap_strokes : 16;
        int *e = realloc(s->ends, (size_t)cap * sizeof *e);
        if (!e)
            return err_set("rec_strokes: out of memory");
        s->ends = e;
        s->cap_strokes = cap;
    }
    s->ends[s->nstrokes++] = s->npts;
    return 0;
}

int rec_strokes_copy(RecStrokes *dst, const RecStrokes *src)
{
    rec_strokes_clear(dst);
    for (int k = 0, i = 0; k < src->nstrokes; k++) {
        for (; i < src->ends[k]; i++)
            if (rec_strokes_add_point(dst, src->pts[i].x, src->pts[i].y))
                return -1;
        if (rec_strokes_end_stroke(dst))
            return -1;
    }
    return 0;
}

int rec_strokes_bounds(const RecStrokes *s, float *x0, float *y0, float *x1,
                       float *y1)
{
    if (s->npts == 0)
        return -1;
    float ax = s->pts[0].x, bx = ax, ay = s->pts[0].y, by = ay;
    for (int i = 1; i < s->npts; i++) {
        float x = s->pts[i].x, y = s->pts[i].y;
        ax = x < ax ? x : ax;
        bx = x > bx ? x : bx;
        ay = y < ay ? y : ay;
        by = y > by ? y : by;
    }
    *x0 = ax;
    *y0 = ay;
    *x1 = bx;
    *y1 = by;
    return 0;
}

/* Draw the round-capped segment p-q of radius r into cov. */
static void raster_segment(RecPoint p, RecPoint q, float r, float *cov, int w,
                           int h)
{
    float ext = r + 1.0f;
    int xa = (int)floorf(fminf(p.x, q.x) - ext);
    int xb = (int)ceilf(fmaxf(p.x, q.x) + ext);
    int ya = (int)floorf(fminf(p.y, q.y) - ext);
    int yb = (int)ceilf(fmaxf(p.y, q.y) + ext);
    if (xa < 0)
        xa = 0;
    if (ya < 0)
        ya = 0;
    if (xb > w - 1)
        xb = w - 1;
    if (yb > h - 1)
        yb = h - 1;
    float dx = q.x - p.x, dy = q.y - p.y;
    float len2 = dx * dx + dy * dy;
    float inv = len2 > 1e-12f ? 1.0f / len2 : 0.0f;
    for (int y = ya; y <= yb; y++) {
        float cy = (float)y + 0.5f - p.y;
        float *row = cov + (size_t)y * (size_t)w;
        for (int x = xa; x <= xb; x++) {
            float cx = (float)x + 0.5f - p.x;
            float t = (cx * dx + cy * dy) * inv;
            t = t < 0.0f ? 0.0f : t > 1.0f ? 1.0f : t;
            float ex = cx - t * dx, ey = cy - t * dy;
            float d = sqrtf(ex * ex + ey * ey);
            float c = r + 0.5f - d;
            if (c <= 0.0f)
                continue;
            if (c > 1.0f)
                c = 1.0f;
            if (c > row[x])
                row[x] = c;
        }
    }
}

/**
 * Draw strokes into a coverage canvas.
 *
 * @param[in]     s          strokes in pixel coordinates (pixel (x, y)
 *                           covers [x, x+1) x [y, y+1))
 * @param[in]     pen_width  pen diameter in pixels
 * @param[in,out] cov        w x h floats in [0,1]; max is taken
 * @param[in]     w, h       canvas size
 *
 * Notes:
 *   (1) Pens thinner than 1 px are drawn 1 px wide but fainter, so that a
 *       hairline keeps its lightness after area sampling.
 */
void rec_strokes_raster(const RecStrokes *s, float pen_width, float *cov, int w,
                        int h)
{
    float r = pen_width * 0.5f;
    float gain = 1.0f;
    if (pen_width < 1.0f) {
        gain = pen_width > 0.2f ? pen_width : 0.2f;
        r = 0.5f;
    }
    for (int k = 0, i = 0; k < s->nstrokes; k++) {
        int end = s->ends[k];
        if (i >= end)
            continue;
        if (end - i == 1)
            raster_segment(s->pts[i], s->pts[i], r, cov, w, h);
        for (; i + 1 < end; i++)
            raster_segment(s->pts[i], s->pts[i + 1], r, cov, w, h);
        i = end;
    }
    if (gain < 1.0f)
        for (int i = 0; i < w * h; i++)
            if (cov[i] > gain)
                cov[i] = gain;
}

/* ---- fonts ---- */

typedef struct {
    RecStrokes strokes;
    float left, right;
    int present;
} FontGlyph;

struct RecStrokeFont {
    char name[64];
    FontGlyph glyph[FONT_MAX];
    float cap_height, baseline;
};

void rec_stroke_font_destroy(RecStrokeFont **pfont)
{
    if (!pfont || !*pfont)
        return;
    for (int i = 0; i < FONT_MAX; i++)
        rec_strokes_cleanup(&(*pfont)->glyph[i].strokes);
    free(*pfont);
    *pfont = NULL;
}

/* Read one physical line into a growing buffer; returns length or -1 at EOF. */
static long font_getline(FILE *f, char **buf, size_t *cap)
{
    size_t n = 0;
    int c;
    while ((c = fgetc(f)) != EOF && c != '\n') {
        if (n + 2 > *cap) {
            size_t nc = *cap ? *cap * 2 : 256;
            char *b = realloc(*buf, nc);
            if (!b)
                return -2;
            *buf = b;
            *cap = nc;
        }
        if (c != '\r')
            (*buf)[n++] = (char)c;
    }
    if (c == EOF && n == 0)
        return -1;
    if (!*buf) {
        *buf = malloc(1);
        if (!*buf)
            return -2;
        *cap = 1;
    }
    (*buf)[n] = '\0';
    return (long)n;
}

/**
 * Load a Hershey font in .jhf format.
 *
 * @param[in] path  the .jhf file
 * @return new font (caller owns; rec_stroke_font_destroy()), or NULL with
 *         "path:line: ..." in err_get()
 *
 * Notes:
 *   (1) Glyph k (0-based, in file order) is character 32 + k; characters
 *       beyond '~' are ignored.
 *   (2) Cap height and baseline are measured on 'H' (else 'X', else the
 *       whole font).
 */
RecStrokeFont *rec_stroke_font_load(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        err_set_errno("%s", path);
        return NULL;
    }
    RecStrokeFont *font = calloc(1, sizeof *font);
    char *line = NULL;
    size_t cap = 0;
    if (!font)
        goto oom;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(font->name, sizeof font->name, "%s", base);
    char *dot = strstr(font->name, ".jhf");
    if (dot)
        *dot = '\0';

    int lineno = 0, k = 0;
    long n;
    while ((n = font_getline(f, &line, &cap)) >= 0) {
        lineno++;
        if (n == 0)
            continue;
        if (n < 10) {
            err_set("%s:%d: glyph header too short (%ld characters)", path,
                    lineno, n);
            goto fail;
        }
        char cnt[4] = {line[5], line[6], line[7], 0};
        char *end;
        long npairs = strtol(cnt, &end, 10);
        while (*end == ' ')
            end++;
        if (*end || npairs < 1) {
            err_set("%s:%d:6: bad vertex count '%s'", path, lineno, cnt);
            goto fail;
        }
        FontGlyph *g = k < FONT_MAX ? &font->glyph[k] : NULL;
        int startline = lineno;
        /* Pairs: the first is L/R; the rest are vertices or " R". */
        long got = 0;
        long pos = 8;
        int pen_up = 1;
        for (;;) {
            while (got < npairs && pos + 1 < n) {
                int cx = line[pos], cy = line[pos + 1];
                if (cx < ' ' || cx > '~' || cy < ' ' || cy > '~') {
                    err_set("%s:%d:%ld: bad coordinate character", path, lineno,
                            pos + 1);
                    goto fail;
                }
                if (g) {
                    if (got == 0) {
                        g->left = (float)(cx - 'R');
                        g->right = (float)(cy - 'R');
                    } else if (cx == ' ' && cy == 'R') {
                        if (!pen_up && rec_strokes_end_stroke(&g->strokes))
                            goto fail;
                        pen_up = 1;
                    } else {
                        if (rec_strokes_add_point(&g->strokes,
                                                  (float)(cx - 'R'),
                                                  (float)(cy - 'R')))
                            goto fail;
                        pen_up = 0;
                    }
                }
                got++;
                pos += 2;
            }
            if (got >= npairs)
                break;
            /* continued on the next line */
            n = font_getline(f, &line, &cap);
            if (n < 0) {
                err_set("%s:%d: glyph ends early (%ld of %ld pairs)", path,
                        startline, got, npairs);
                goto fail;
            }
            lineno++;
            pos = 0;
        }
        if (g) {
            if (rec_strokes_end_stroke(&g->strokes))
                goto fail;
            g->present = 1;
        }
        k++;
    }
    if (n == -2)
        goto oom;
    if (k == 0) {
        err_set("%s: no glyphs", path);
        goto fail;
    }
    fclose(f);
    free(line);

    const int probes[] = {'H', 'X', 'I'};
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    int found = 0;
    for (size_t i = 0; i < sizeof probes / sizeof probes[0] && !found; i++) {
        FontGlyph *g = &font->glyph[probes[i] - FONT_FIRST];
        if (g->present &&
            rec_strokes_bounds(&g->strokes, &x0, &y0, &x1, &y1) == 0 && y1 > y0)
            found = 1;
    }
    if (!found) {
        x0 = y0 = 1e9f;
        x1 = y1 = -1e9f;
        for (int i = 0; i < FONT_MAX; i++) {
            float a, b, c, d;
            if (font->glyph[i].present &&
                rec_strokes_bounds(&font->glyph[i].strokes, &a, &b, &c, &d) ==
                    0) {
                y0 = b < y0 ? b : y0;
                y1 = d > y1 ? d : y1;
                found = 1;
            }
        }
    }
    if (!found || y1 <= y0) {
        err_set("%s: font has no drawable glyphs", path);
        rec_stroke_font_destroy(&font);
        return NULL;
    }
    font->cap_height = y1 - y0;
    font->baseline = y1;
    return font;

oom:
    err_set("%s: out of memory", path);
fail:
    fclose(f);
    free(line);
    rec_stroke_font_destroy(&font);
    return NULL;
}

const char *rec_stroke_font_name(const RecStrokeFont *font)
{
    return font->name;
}

void rec_stroke_font_metrics(const RecStrokeFont *font, float *cap_height,
                             float *baseline)
{
    if (cap_height)
        *cap_height = font->cap_height;
    if (baseline)
        *baseline = font->baseline;
}

int rec_stroke_font_glyph(const RecStrokeFont *font, int ch, RecStrokes *out,
                          float *pleft, float *pright)
{
    if (ch < FONT_FIRST || ch >= FONT_FIRST + FONT_MAX ||
        !font->glyph[ch - FONT_FIRST].present)
        return err_set("font %s has no character 0x%02x", font->name, ch);
    const FontGlyph *g = &font->glyph[ch - FONT_FIRST];
    const RecStrokes *s = &g->strokes;
    for (int k = 0, i = 0; k < s->nstrokes; k++) {
        for (; i < s->ends[k]; i++)
            if (rec_strokes_add_point(out, s->pts[i].x, s->pts[i].y))
                return -1;
        if (rec_strokes_end_stroke(out))
            return -1;
    }
    if (pleft)
        *pleft = g->left;
    if (pright)
        *pright = g->right;
    return 0;
}

void rec_stroke_style_init(RecStrokeStyle *style)
{
    memset(style, 0, sizeof *style);
    style->height = 32.0f;
    style->pen = 3.0f;
    style->margin = 4;
}

/**
 * Render a line of text with a stroke font.
 *
 * @param[in]  font       loaded font
 * @param[in]  text       ASCII characters 32..126
 * @param[in]  style      [optional] NULL = rec_stroke_style_init() defaults
 * @param[out] pbaseline  [optional] baseline row in the returned PIX
 * @return 8 bpp PIX, paper 255 and ink 0 (caller owns), or NULL on error
 *         (unknown character, empty text, bad style; message in err_get())
 *
 * Notes:
 *   (1) The font's cap height is scaled to style->height pixels; the pen
 *       width is in pixels whatever the height.
 *   (2) Jitter moves each vertex by a normal offset of style->jitter pixels
 *       drawn from style->seed: the same seed gives the same image.
 */
PIX *rec_stroke_font_render(const RecStrokeFont *font, const char *text,
                            const RecStrokeStyle *style, int *pbaseline)
{
    RecStrokeStyle def;
    if (!style) {
        rec_stroke_style_init(&def);
        style = &def;
    }
    if (!font || !text || !*text) {
        err_set("rec_stroke_font_render: nothing to render");
        return NULL;
    }
    if (!(style->height > 0.0f) || style->height > 10000.0f ||
        style->pen < 0.0f || style->margin < 0) {
        err_set("rec_stroke_font_render: bad style (height %g, pen %g)",
                (double)style->height, (double)style->pen);
        return NULL;
    }
    float scale = style->height / font->cap_height;
    RecStrokes all, g;
    rec_strokes_init(&all);
    rec_strokes_init(&g);
    Rng rng = {style->seed};
    float cursor = 0.0f;
    PIX *pix = NULL;
    float *cov = NULL;
    for (const char *c = text; *c; c++) {
        float left, right;
        rec_strokes_clear(&g);
        if (rec_stroke_font_glyph(font, (unsigned char)*c, &g, &left, &right)) {
            err_prefix("rendering \"%s\" at offset %d", text, (int)(c - text));
            goto done;
        }
        for (int k = 0, i = 0; k < g.nstrokes; k++) {
            for (; i < g.ends[k]; i++) {
                float x = (g.pts[i].x - left + cursor) * scale;
                float y = (g.pts[i].y - font->baseline) * scale; /* <= 0 up */
                x += -y * style->slant;
                if (style->jitter > 0.0f) {
                    x += rng_normal(&rng) * style->jitter;
                    y += rng_normal(&rng) * style->jitter;
                }
                if (rec_strokes_add_point(&all, x, y))
                    goto done;
            }
            if (rec_strokes_end_stroke(&all))
                goto done;
        }
        cursor += right - left;
    }
    float x0, y0, x1, y1;
    float pad = style->pen * 0.5f + 1.0f + (float)style->margin;
    if (rec_strokes_bounds(&all, &x0, &y0, &x1, &y1)) {
        /* only spaces: paper of the right size */
        x0 = 0;
        x1 = cursor * scale;
        y0 = -style->height;
        y1 = 0;
    }
    if (y1 < 0.0f)
        y1 = 0.0f; /* keep the baseline inside */
    int w = (int)ceilf(x1 - x0 + 2.0f * pad);
    int h = (int)ceilf(y1 - y0 + 2.0f * pad);
    if (w < 1)
        w = 1;
    if (h < 1)
        h = 1;
    float sx = pad - x0, sy = pad - y0;
    for (int i = 0; i < all.npts; i++) {
        all.pts[i].x += sx;
        all.pts[i].y += sy;
    }
    cov = calloc((size_t)w * (size_t)h, sizeof *cov);
    pix = cov ? pixCreate(w, h, 8) : NULL;
    if (!pix) {
        err_set("rec_stroke_font_render: out of memory (%dx%d)", w, h);
        goto done;
    }
    rec_strokes_raster(&all, style->pen, cov, w, h);
    l_uint32 *data = pixGetData(pix);
    int wpl = (int)pixGetWpl(pix);
    for (int y = 0; y < h; y++) {
        l_uint32 *line = data + (size_t)y * (size_t)wpl;
        for (int x = 0; x < w; x++) {
            float v = 255.0f * (1.0f - cov[(size_t)y * (size_t)w + (size_t)x]);
            SET_DATA_BYTE(line, x, (l_uint32)lrintf(v));
        }
    }
    if (pbaseline)
        *pbaseline = (int)lrintf(sy);
done:
    free(cov);
    rec_strokes_cleanup(&all);
    rec_strokes_cleanup(&g);
    return pix;
}
