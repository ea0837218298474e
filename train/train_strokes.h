/*
 * train_strokes.h - pen strokes, Hershey stroke fonts (.jhf) and the stroke
 * renderer.
 *
 * Used by training (pen trajectories of Chars74K and Hershey glyphs are
 * re-rendered with other pens, slants and jitter) and by tools that compose
 * test pages without any data set: load a font from
 * /usr/share/hershey-fonts (Debian hershey-fonts-data), then render a
 * character or a string as a grey PIX.
 *
 * Coordinates: x to the right, y down (image convention), in font units for
 * fonts and tablet units for trajectories. The renderer draws round-capped
 * segments anti-aliased (coverage = pen radius + 0.5 - distance, clamped).
 *
 * Threading: a loaded RecStrokeFont is read-only; rendering is reentrant.
 */
#ifndef INKPIPE_REC_STROKES_H
#define INKPIPE_REC_STROKES_H

#include <stdint.h>
#include <leptonica/allheaders.h>

typedef struct {
    float x, y;
} RecPoint;

/* A drawing: strokes one after another in pts; stroke i is
 * pts[i ? ends[i-1] : 0 .. ends[i]). Caller-owned struct (init/cleanup). */
typedef struct {
    RecPoint *pts;
    int *ends;
    int npts, nstrokes;
    int cap_pts, cap_strokes;
} RecStrokes;

void rec_strokes_init(RecStrokes *s);
void rec_strokes_cleanup(RecStrokes *s);
void rec_strokes_clear(RecStrokes *s); /* keeps the memory */
int rec_strokes_add_point(RecStrokes *s, float x, float y);
int rec_strokes_end_stroke(RecStrokes *s); /* no-op on an empty stroke */
int rec_strokes_copy(RecStrokes *dst, const RecStrokes *src);
/* Bounding box of the points; returns -1 when there are none. */
int rec_strokes_bounds(const RecStrokes *s, float *x0, float *y0, float *x1,
                       float *y1);

/* Draw s (already in pixel coordinates) into a w x h float canvas of ink
 * coverage in [0,1], taking the max with what is there. pen_width in
 * pixels (>= 0; a zero-width pen still draws a 1 px anti-aliased line). */
void rec_strokes_raster(const RecStrokes *s, float pen_width, float *cov, int w,
                        int h);

/* ---- Hershey fonts ---- */

typedef struct RecStrokeFont RecStrokeFont;

/* Load a .jhf file (glyphs in ASCII order from 32). NULL on error, with
 * file:line in the message. */
RecStrokeFont *rec_stroke_font_load(const char *path);
void rec_stroke_font_destroy(RecStrokeFont **pfont);
/* Base name without .jhf, e.g. "scripts". */
const char *rec_stroke_font_name(const RecStrokeFont *font);
/* Cap height and baseline of the font in font units (measured on 'H'). */
void rec_stroke_font_metrics(const RecStrokeFont *font, float *cap_height,
                             float *baseline);
/* Strokes of character ch in font units (appended to out) and its left and
 * right bounds. Returns 0, or -1 if the font has no such character. A space
 * has no strokes. */
int rec_stroke_font_glyph(const RecStrokeFont *font, int ch, RecStrokes *out,
                          float *pleft, float *pright);

typedef struct {
    float height;  /* cap height in pixels (default 32) */
    float pen;     /* pen width in pixels (default 3) */
    float slant;   /* horizontal shift per pixel above the baseline
                      (tan of the slant angle; + leans right; default 0) */
    float jitter;  /* random wobble of each vertex, in pixels (default 0) */
    uint64_t seed; /* draws the jitter */
    int margin;    /* paper around the text, in pixels (default 4) */
} RecStrokeStyle;

void rec_stroke_style_init(RecStrokeStyle *style);

/* Render one line of text as an 8 bpp PIX: paper 255, ink 0, anti-aliased.
 * *pbaseline [optional] gets the baseline's y in the PIX. Characters the
 * font lacks are an error (message names the character). NULL on error. */
PIX *rec_stroke_font_render(const RecStrokeFont *font, const char *text,
                            const RecStrokeStyle *style, int *pbaseline);

#endif
