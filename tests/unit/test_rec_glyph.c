/* test_rec_glyph.c - glyph normalisation: crop, aspect, centring, specks,
 * margins, grey vs binary, colour, no ink. Fixtures are drawn in code. */
#include "common/err.h"
#include "train/train_data.h"
#include "recognize/recognize.h"
#include "tests/unit/test.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N REC_INPUT_SIZE

/* A ring (annulus) of radii r0..r1 centred at (cx, cy) into a byte mask. */
static void draw_ring(unsigned char *m, int w, int h, float cx, float cy,
                      float r0, float r1)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float dx = (float)x + 0.5f - cx, dy = (float)y + 0.5f - cy;
            float d2 = dx * dx + dy * dy;
            if (d2 >= r0 * r0 && d2 <= r1 * r1)
                m[y * w + x] = 1;
        }
}

static float sum_of(const float *v)
{
    float s = 0;
    for (int i = 0; i < N * N; i++)
        s += v[i];
    return s;
}

static float max_diff(const float *a, const float *b)
{
    float m = 0;
    for (int i = 0; i < N * N; i++) {
        float d = fabsf(a[i] - b[i]);
        if (d > m)
            m = d;
    }
    return m;
}

/* Bounding box of output pixels above 0.05. */
static void ink_box(const float *v, int *x0, int *y0, int *x1, int *y1)
{
    *x0 = *y0 = N;
    *x1 = *y1 = -1;
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++)
            if (v[y * N + x] > 0.05f) {
                if (x < *x0)
                    *x0 = x;
                if (x > *x1)
                    *x1 = x;
                if (y < *y0)
                    *y0 = y;
                if (y > *y1)
                    *y1 = y;
            }
}

static PIX *pix_from_mask(const unsigned char *m, int w, int h)
{
    PIX *p = pixCreate(w, h, 1);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (m[y * w + x])
                pixSetPixel(p, x, y, 1);
    return p;
}

/* Grey rendering of a mask: ink 40, paper 210, +-noise from a fixed LCG. */
static PIX *pix_grey_from_mask(const unsigned char *m, int w, int h, int noise)
{
    PIX *p = pixCreate(w, h, 8);
    uint32_t s = 12345;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            s = s * 1664525u + 1013904223u;
            int n = noise ? (int)(s >> 24) % (2 * noise + 1) - noise : 0;
            int v = (m[y * w + x] ? 40 : 210) + n;
            pixSetPixel(p, x, y, (l_uint32)(v < 0 ? 0 : v > 255 ? 255 : v));
        }
    return p;
}

static void normalize_mask__margin_and_position__same_output(void)
{
    enum { W = 120, H = 90 };
    static unsigned char a[W * H], b[W * H];
    float va[N * N], vb[N * N];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    draw_ring(a, W, H, 20.0f, 20.0f, 8.0f, 14.0f);
    draw_ring(b, W, H, 90.0f, 60.0f, 8.0f, 14.0f);
    CHECK(rec_glyph_normalize_mask(a, W, H, W, va) == 0);
    CHECK(rec_glyph_normalize_mask(b, W, H, W, vb) == 0);
    CHECK(max_diff(va, vb) < 1e-5f);
    /* The same ring in a tight 28x28 mask: crop removes every margin. */
    static unsigned char c[28 * 28];
    memset(c, 0, sizeof c);
    draw_ring(c, 28, 28, 14.0f, 14.0f, 8.0f, 14.0f);
    float vc[N * N];
    CHECK(rec_glyph_normalize_mask(c, 28, 28, 28, vc) == 0);
    CHECK(max_diff(va, vc) < 1e-5f);
}

static void normalize_mask__wide_box__longer_side_fills_box_centred(void)
{
    enum { W = 60, H = 20 };
    static unsigned char m[W * H];
    memset(m, 0, sizeof m);
    for (int y = 5; y < 15; y++) /* 40 x 10 block */
        for (int x = 10; x < 50; x++)
            m[y * W + x] = 1;
    float v[N * N];
    CHECK(rec_glyph_normalize_mask(m, W, H, W, v) == 0);
    int x0, y0, x1, y1;
    ink_box(v, &x0, &y0, &x1, &y1);
    CHECK(x1 - x0 + 1 == REC_GLYPH_BOX);
    /* 10/40 * 26 = 6.5 px tall: 7 or 8 rows touched */
    CHECK(y1 - y0 + 1 >= 7 && y1 - y0 + 1 <= 8);
    CHECK_NEAR((x0 + x1 + 1) * 0.5, N / 2.0, 0.5);
    CHECK_NEAR((y0 + y1 + 1) * 0.5, N / 2.0, 0.5);
    /* area sampling: total ink = 26 * 6.5 */
    CHECK_NEAR(sum_of(v), 26.0 * 6.5, 0.01);
}

static void normalize_mask__thin_bar__not_stretched_sideways(void)
{
    enum { W = 10, H = 60 };
    static unsigned char m[W * H];
    memset(m, 0, sizeof m);
    for (int y = 0; y < H; y++) /* a 3 px wide `l` */
        for (int x = 4; x < 7; x++)
            m[y * W + x] = 1;
    float v[N * N];
    CHECK(rec_glyph_normalize_mask(m, W, H, W, v) == 0);
    int x0, y0, x1, y1;
    ink_box(v, &x0, &y0, &x1, &y1);
    CHECK(y1 - y0 + 1 == REC_GLYPH_BOX);
    CHECK(x1 - x0 + 1 <= 3); /* 3/60*26 = 1.3 px */
    CHECK_NEAR(sum_of(v), 26.0 * 1.3, 0.01);
}

static void normalize_mask__same_pen_small_glyph__bolder(void)
{
    /* A big and a small ring drawn with the same 4 px pen. */
    enum { W = 100, H = 100 };
    static unsigned char big[W * H], small[W * H];
    memset(big, 0, sizeof big);
    memset(small, 0, sizeof small);
    draw_ring(big, W, H, 50, 50, 36, 40);
    draw_ring(small, W, H, 50, 50, 11, 15);
    float vb[N * N], vs[N * N];
    CHECK(rec_glyph_normalize_mask(big, W, H, W, vb) == 0);
    CHECK(rec_glyph_normalize_mask(small, W, H, W, vs) == 0);
    CHECK(sum_of(vs) > 1.8f * sum_of(vb));
}

static void normalize_mask__no_ink__error_and_zero(void)
{
    unsigned char m[16 * 16];
    memset(m, 0, sizeof m);
    float v[N * N];
    v[0] = 5.0f;
    err_clear();
    CHECK(rec_glyph_normalize_mask(m, 16, 16, 16, v) == -1);
    CHECK(strstr(err_get(), "no ink") != NULL);
    CHECK(v[0] == 0.0f);
    CHECK(rec_glyph_normalize_mask(NULL, 16, 16, 16, v) == -1);
    CHECK(rec_glyph_normalize_mask(m, 16, 16, 8, v) == -1);
}

static void normalize_mask__stride__respected(void)
{
    enum { W = 20, H = 20, S = 32 };
    static unsigned char a[W * H], b[S * H];
    memset(a, 0, sizeof a);
    memset(b, 0xff, sizeof b); /* padding full of "ink" must be ignored */
    draw_ring(a, W, H, 10, 10, 4, 8);
    for (int y = 0; y < H; y++)
        memcpy(b + y * S, a + y * W, W);
    float va[N * N], vb[N * N];
    CHECK(rec_glyph_normalize_mask(a, W, H, W, va) == 0);
    CHECK(rec_glyph_normalize_mask(b, W, H, S, vb) == 0);
    CHECK(max_diff(va, vb) < 1e-6f);
}

static void normalize_pix__speck__dropped(void)
{
    enum { W = 100, H = 80 };
    static unsigned char a[W * H];
    memset(a, 0, sizeof a);
    draw_ring(a, W, H, 40, 40, 12, 20);
    PIX *clean = pix_from_mask(a, W, H);
    a[5 * W + 95] = 1; /* a 2-pixel speck far from the glyph */
    a[5 * W + 96] = 1;
    PIX *specked = pix_from_mask(a, W, H);
    float vc[N * N], vs[N * N], vm[N * N];
    CHECK(rec_glyph_normalize_pix(clean, vc) == 0);
    CHECK(rec_glyph_normalize_pix(specked, vs) == 0);
    CHECK(max_diff(vc, vs) < 1e-6f);
    /* the mask variant keeps it (segment already dropped specks): differs */
    CHECK(rec_glyph_normalize_mask(a, W, H, W, vm) == 0);
    CHECK(max_diff(vc, vm) > 0.1f);
    pixDestroy(&clean);
    pixDestroy(&specked);
}

static void normalize_pix__i_dot__kept(void)
{
    enum { W = 20, H = 60 };
    static unsigned char a[W * H];
    memset(a, 0, sizeof a);
    for (int y = 20; y < 60; y++)
        for (int x = 8; x < 11; x++)
            a[y * W + x] = 1;
    for (int y = 8; y < 12; y++) /* 4x4 dot: 16 px next to a 120 px stem */
        for (int x = 8; x < 12; x++)
            a[y * W + x] = 1;
    PIX *p = pix_from_mask(a, W, H);
    float vp[N * N], vm[N * N];
    CHECK(rec_glyph_normalize_pix(p, vp) == 0);
    CHECK(rec_glyph_normalize_mask(a, W, H, W, vm) == 0);
    CHECK(max_diff(vp, vm) < 1e-6f);
    pixDestroy(&p);
}

static void normalize_pix__grey_noisy__close_to_binary(void)
{
    enum { W = 90, H = 70 };
    static unsigned char a[W * H];
    memset(a, 0, sizeof a);
    draw_ring(a, W, H, 45, 35, 15, 24);
    PIX *pb = pix_from_mask(a, W, H);
    PIX *pg = pix_grey_from_mask(a, W, H, 30);
    float vb[N * N], vg[N * N];
    CHECK(rec_glyph_normalize_pix(pb, vb) == 0);
    CHECK(rec_glyph_normalize_pix(pg, vg) == 0);
    CHECK(max_diff(vb, vg) < 1e-6f); /* noise 30 < contrast/2: exact */
    pixDestroy(&pb);
    pixDestroy(&pg);
}

static void normalize_pix__colour_and_margin__same_as_grey(void)
{
    enum { W = 60, H = 60 };
    static unsigned char a[W * H];
    memset(a, 0, sizeof a);
    draw_ring(a, W, H, 30, 30, 10, 18);
    PIX *pg = pix_grey_from_mask(a, W, H, 0);
    PIX *pc = pixConvertTo32(pg);
    PIX *pm = pixAddBorder(pg, 200, 210); /* wide paper margin */
    float vg[N * N], vc[N * N], vm[N * N];
    CHECK(rec_glyph_normalize_pix(pg, vg) == 0);
    CHECK(rec_glyph_normalize_pix(pc, vc) == 0);
    CHECK(rec_glyph_normalize_pix(pm, vm) == 0);
    CHECK(max_diff(vg, vc) < 1e-6f);
    CHECK(max_diff(vg, vm) < 1e-6f);
    pixDestroy(&pg);
    pixDestroy(&pc);
    pixDestroy(&pm);
}

/* Share of output pixels on which a and b disagree by more than 0.5. */
static float disagree(const float *a, const float *b)
{
    int k = 0;
    for (int i = 0; i < N * N; i++)
        k += fabsf(a[i] - b[i]) > 0.5f;
    return (float)k / (N * N);
}

/* Mask a (w x h) drawn at grey ink on grey paper under light falling off
 * from 1 at the top left by dx per column and dy per row, with noise of
 * +-noise (a fixed LCG); normalised, it must give the mask's own output:
 * the same ink box to a pixel, under 5 % of the pixels apart. */
static void check_shaded_as_mask(const unsigned char *a, int w, int h,
                                 int ink, int paper, float dx, float dy,
                                 int noise)
{
    PIX *pb = pix_from_mask(a, w, h);
    PIX *pg = pixCreate(w, h, 8);
    uint32_t s = 777;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            s = s * 1664525u + 1013904223u;
            float light = 1.0f - dx * (float)x - dy * (float)y;
            int n = noise ? (int)(s >> 24) % (2 * noise + 1) - noise : 0;
            int v = (int)((a[y * w + x] ? ink : paper) * light) + n;
            pixSetPixel(pg, x, y, (l_uint32)(v < 0 ? 0 : v > 255 ? 255 : v));
        }
    float vb[N * N], vg[N * N];
    CHECK(rec_glyph_normalize_pix(pb, vb) == 0);
    CHECK(rec_glyph_normalize_pix(pg, vg) == 0);
    int bx0, by0, bx1, by1, gx0, gy0, gx1, gy1;
    ink_box(vb, &bx0, &by0, &bx1, &by1);
    ink_box(vg, &gx0, &gy0, &gx1, &gy1);
    CHECK(abs(bx0 - gx0) <= 1 && abs(by0 - gy0) <= 1);
    CHECK(abs(bx1 - gx1) <= 1 && abs(by1 - gy1) <= 1);
    CHECK(disagree(vb, vg) < 0.05f);
    pixDestroy(&pb);
    pixDestroy(&pg);
}

/* A glyph photographed in uneven light: pencil grey on grey paper, the
 * light falling from 100 % at the top left to 50 % at the bottom right,
 * and noise. A global threshold took the dark corner as ink; divided by
 * the paper level first it reads as the evenly lit glyph. */
static void normalize_pix__shadow_across_the_glyph__as_evenly_lit(void)
{
    enum { W = 120, H = 90 };
    static unsigned char a[W * H];
    memset(a, 0, sizeof a);
    draw_ring(a, W, H, 60, 45, 16, 26);
    float step = 0.5f / (float)(W + H - 2);
    check_shaded_as_mask(a, W, H, 110, 200, step, step, 12);
}

/* The light falls off down to the picture's bottom edge, past the last
 * cells' centres, and the glyph is a small part of the picture: the
 * paper level is carried on to the edge, not held at the last centre's
 * (which left the bottom rows darker than the rest, and a global
 * threshold took them for the glyph). */
static void normalize_pix__shade_to_the_edge__small_glyph_found(void)
{
    enum { W = 300, H = 200 };
    static unsigned char a[W * H];
    memset(a, 0, sizeof a);
    draw_ring(a, W, H, 150, 100, 8, 13);
    check_shaded_as_mask(a, W, H, 20, 250, 0.0f, 0.75f / (float)(H - 1), 0);
}

/* A digit as small as MNIST's (28 x 28) with a cell of solid ink: its
 * cells are too small to tell paper from ink, and it is thresholded as it
 * is, exactly like its binary mask. */
static void normalize_pix__small_glyph_solid_corner__not_flattened(void)
{
    enum { W = 28, H = 28 };
    static unsigned char a[W * H];
    memset(a, 0, sizeof a);
    for (int y = 2; y < 26; y++)
        for (int x = 5; x < 16; x++)
            a[y * W + x] = 1; /* a bar down the left, 11 px thick */
    for (int y = 18; y < 26; y++)
        for (int x = 5; x < 24; x++)
            a[y * W + x] = 1; /* and along the bottom: an L */
    PIX *pb = pix_from_mask(a, W, H);
    PIX *pg = pix_grey_from_mask(a, W, H, 10);
    float vb[N * N], vg[N * N];
    CHECK(rec_glyph_normalize_pix(pb, vb) == 0);
    CHECK(rec_glyph_normalize_pix(pg, vg) == 0);
    CHECK(max_diff(vb, vg) < 1e-6f);
    pixDestroy(&pb);
    pixDestroy(&pg);
}

static void normalize_pix__blank_paper__error(void)
{
    PIX *p = pixCreate(50, 40, 8);
    pixSetAllArbitrary(p, 200);
    for (int x = 0; x < 50; x += 7) /* faint texture, no ink */
        pixSetPixel(p, x, 3, 190);
    float v[N * N];
    err_clear();
    CHECK(rec_glyph_normalize_pix(p, v) == -1);
    CHECK(strstr(err_get(), "no ink") != NULL);
    PIX *b = pixCreate(30, 30, 1);
    CHECK(rec_glyph_normalize_pix(b, v) == -1);
    CHECK(rec_glyph_normalize_pix(NULL, v) == -1);
    pixDestroy(&p);
    pixDestroy(&b);
}

static void drop_specks__two_blobs__small_one_cleared(void)
{
    enum { W = 40, H = 20 };
    unsigned char m[W * H];
    memset(m, 0, sizeof m);
    for (int y = 2; y < 18; y++)
        for (int x = 2; x < 18; x++)
            m[y * W + x] = 1; /* 256 px */
    m[10 * W + 30] = 1;       /* 1 px < 2 % of 256 */
    m[3 * W + 25] = 1;
    m[4 * W + 26] = 1; /* diagonal pair: one 8-connected component */
    CHECK(rec_glyph_drop_specks(m, W, H, REC_GLYPH_SPECK_FRAC) == 1);
    CHECK(m[10 * W + 30] == 0 && m[3 * W + 25] == 0 && m[2 * W + 2] == 1);
}

int main(void)
{
    RUN(normalize_mask__margin_and_position__same_output);
    RUN(normalize_mask__wide_box__longer_side_fills_box_centred);
    RUN(normalize_mask__thin_bar__not_stretched_sideways);
    RUN(normalize_mask__same_pen_small_glyph__bolder);
    RUN(normalize_mask__no_ink__error_and_zero);
    RUN(normalize_mask__stride__respected);
    RUN(normalize_pix__speck__dropped);
    RUN(normalize_pix__i_dot__kept);
    RUN(normalize_pix__grey_noisy__close_to_binary);
    RUN(normalize_pix__colour_and_margin__same_as_grey);
    RUN(normalize_pix__shadow_across_the_glyph__as_evenly_lit);
    RUN(normalize_pix__shade_to_the_edge__small_glyph_found);
    RUN(normalize_pix__small_glyph_solid_corner__not_flattened);
    RUN(normalize_pix__blank_paper__error);
    RUN(drop_specks__two_blobs__small_one_cleared);
    TEST_EXIT();
}
