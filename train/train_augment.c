/*
 * train_augment.c - on-the-fly augmentation: every training sample is drawn
 * afresh from (sample, seed) as a scanner or camera would have seen it,
 * then binarised and normalised exactly like a glyph on a page.
 *
 * Design (one render):
 *   1. size: the glyph's longer side becomes T pixels, T log-uniform in
 *      [min_size, max_size] (tiny T = coarse, jagged scans);
 *   2. geometry: rotation, shear and aspect change, scaled to T, plus an
 *      elastic displacement (a smooth field from a 4x4 grid of random
 *      vectors, bilinearly interpolated);
 *   3. ink coverage on a float canvas: pictures are sampled back through
 *      the inverse map (bilinear, supersampled when shrinking); strokes are
 *      moved forward (subdivided first, so the elastic field bends them)
 *      and drawn with a pen that is a random multiple of the sample's
 *      nominal pen, in the sample's own units (so a small letter stays
 *      bolder than a big one, as on paper);
 *   4. stroke width of pictures: an optional blur, then the edge is moved
 *      by re-thresholding the coverage at a random level;
 *   5. paper: grey level, a linear shading, ink level, noise, a few specks;
 *   6. rec_glyph_normalize_grey(): Otsu, speck removal, the shared core.
 *
 * The random generator is seeded by the caller per (sample, epoch), so a
 * render is a pure function of its inputs. aug == NULL gives the clean
 * rendering of strokes (T = 48, nominal pen, no distortion).
 *
 * Threading: reentrant; scratch is allocated per call.
 */
#include "train/train_data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "train/train_data_int.h"

#define GRID 4

void rec_augment_init(RecAugment *aug)
{
    aug->rotate_deg = 10.0f;
    aug->shear = 0.3f;
    aug->scale_aspect = 0.2f;
    aug->elastic = 0.06f;
    aug->min_size = 14.0f;
    aug->max_size = 64.0f;
    aug->width_var = 0.4f;
    aug->blur_p = 0.3f;
    aug->noise = 12.0f;
    aug->paper_min = 150.0f;
    aug->pen_min = 0.3f;
    aug->pen_max = 1.6f;
    aug->jitter = 0.01f;
}

typedef struct {
    float a, b, c, d; /* forward linear map: x' = a x + b y, y' = c x + d y */
    float tx, ty;     /* then + (tx, ty) */
    float ex[GRID][GRID], ey[GRID][GRID]; /* elastic field at grid nodes */
    float gw, gh;                         /* canvas size the grid spans */
    int elastic;
} Geom;

static void geom_disp(const Geom *g, float x, float y, float *dx, float *dy)
{
    if (!g->elastic) {
        *dx = *dy = 0.0f;
        return;
    }
    float u = x / g->gw * (GRID - 1), v = y / g->gh * (GRID - 1);
    u = u < 0 ? 0 : u > GRID - 1.001f ? GRID - 1.001f : u;
    v = v < 0 ? 0 : v > GRID - 1.001f ? GRID - 1.001f : v;
    int i = (int)u, j = (int)v;
    float fu = u - (float)i, fv = v - (float)j;
    *dx = (1 - fv) * ((1 - fu) * g->ex[j][i] + fu * g->ex[j][i + 1]) +
          fv * ((1 - fu) * g->ex[j + 1][i] + fu * g->ex[j + 1][i + 1]);
    *dy = (1 - fv) * ((1 - fu) * g->ey[j][i] + fu * g->ey[j][i + 1]) +
          fv * ((1 - fu) * g->ey[j + 1][i] + fu * g->ey[j + 1][i + 1]);
}

/* Bilinear sample of the coverage crop at (x, y) in crop pixel units. */
static float crop_sample(const RecSample *s, float x, float y)
{
    x -= 0.5f;
    y -= 0.5f;
    int i = (int)floorf(x), j = (int)floorf(y);
    float fx = x - (float)i, fy = y - (float)j;
    float v = 0.0f;
    for (int dj = 0; dj < 2; dj++) {
        int yy = j + dj;
        if (yy < 0 || yy >= s->ch)
            continue;
        float wy = dj ? fy : 1.0f - fy;
        for (int di = 0; di < 2; di++) {
            int xx = i + di;
            if (xx < 0 || xx >= s->cw)
                continue;
            float wx = di ? fx : 1.0f - fx;
            v += wx * wy *
                 (float)s->cov[(size_t)yy * (size_t)s->cw + (size_t)xx];
        }
    }
    return v * (1.0f / 255.0f);
}

/* 3x3 [1 2 1]^2 / 16 blur in place (tmp: w*h floats). */
static void blur3(float *c, float *tmp, int w, int h)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float l = c[y * w + (x > 0 ? x - 1 : x)];
            float r = c[y * w + (x < w - 1 ? x + 1 : x)];
            tmp[y * w + x] = 0.25f * l + 0.5f * c[y * w + x] + 0.25f * r;
        }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float u = tmp[(y > 0 ? y - 1 : y) * w + x];
            float d = tmp[(y < h - 1 ? y + 1 : y) * w + x];
            c[y * w + x] = 0.25f * u + 0.5f * tmp[y * w + x] + 0.25f * d;
        }
}

/* The source box of a sample (strokes: their bounds widened by half the
 * pen; pictures: the ink crop) as x0, y0, x1, y1. Returns 0 or -1 (message
 * set) for a stroke sample without strokes. */
static int source_box(const RecSample *s, int strokes, float box[4])
{
    if (strokes) {
        if (rec_strokes_bounds(&s->strokes, &box[0], &box[1], &box[2],
                               &box[3]))
            return err_set("sample has no strokes");
        float p = s->pen * 0.5f;
        box[0] -= p;
        box[1] -= p;
        box[2] += p;
        box[3] += p;
    } else {
        box[0] = box[1] = 0.0f;
        box[2] = (float)s->cw;
        box[3] = (float)s->ch;
    }
    return 0;
}

/* The picture a sample is drawn into: glyph size T in pixels, source to
 * picture scale, picture size W x H. */
typedef struct {
    float T, scale;
    int W, H;
} Frame;

/* Steps 1-2: the glyph's size and geometry (rotation, shear, aspect, the
 * scale that fits the mapped source box into T, the elastic field). With
 * aug NULL: size 48, no distortion. Draws from r in a fixed order. */
static void geom_make(Rng *r, const RecAugment *aug, const float box[4],
                      Geom *g, Frame *f)
{
    float T = 48.0f;
    memset(g, 0, sizeof *g);
    g->a = g->d = 1.0f;
    if (aug) {
        T = expf(rng_range(r, logf(aug->min_size), logf(aug->max_size)));
        float th = rng_range(r, -aug->rotate_deg, aug->rotate_deg) *
                   3.14159265f / 180.0f;
        float sh = rng_range(r, -aug->shear, aug->shear);
        float asp = expf(rng_range(r, -aug->scale_aspect, aug->scale_aspect));
        /* R(th) * [1 sh; 0 1] * diag(asp, 1/asp) */
        float ct = cosf(th), st = sinf(th);
        float m00 = asp, m01 = sh / asp, m10 = 0.0f, m11 = 1.0f / asp;
        g->a = ct * m00 - st * m10;
        g->b = ct * m01 - st * m11;
        g->c = st * m00 + ct * m10;
        g->d = st * m01 + ct * m11;
    }
    /* extent of the mapped source box */
    float hx = 0.5f * (box[2] - box[0]), hy = 0.5f * (box[3] - box[1]);
    float ex = fabsf(g->a) * hx + fabsf(g->b) * hy;
    float ey = fabsf(g->c) * hx + fabsf(g->d) * hy;
    float scale = T / (2.0f * (ex > ey ? ex : ey));
    g->a *= scale;
    g->b *= scale;
    g->c *= scale;
    g->d *= scale;
    float el = aug ? aug->elastic * T : 0.0f;
    int margin = 3 + (int)ceilf(2.0f * el);
    int W = (int)ceilf(2.0f * ex * scale) + 2 * margin;
    int H = (int)ceilf(2.0f * ey * scale) + 2 * margin;
    g->tx = 0.5f * (float)W;
    g->ty = 0.5f * (float)H;
    g->gw = (float)W;
    g->gh = (float)H;
    if (aug && el > 0.0f && rng_uniform(r) < 0.8f) {
        g->elastic = 1;
        for (int j = 0; j < GRID; j++)
            for (int i = 0; i < GRID; i++) {
                g->ex[j][i] = el * rng_normal(r);
                g->ey[j][i] = el * rng_normal(r);
            }
    }
    f->T = T;
    f->scale = scale;
    f->W = W;
    f->H = H;
}

/* Step 3 for stroke samples: the strokes mapped by g (with vertex jitter
 * for fonts), subdivided so that the elastic field bends them, into moved,
 * then drawn with a (randomly thinner or thicker) pen into cov. Returns 0
 * or -1 (message set). */
static int cover_strokes(Rng *r, const RecSample *s, const RecAugment *aug,
                         const Geom *g, const Frame *f, float cx, float cy,
                         RecStrokes *moved, float *cov)
{
    float pen = s->pen * f->scale;
    if (aug)
        pen *= expf(rng_range(r, logf(aug->pen_min), logf(aug->pen_max)));
    float jit = aug ? aug->jitter * f->T : 0.0f;
    float step = f->T / 24.0f; /* subdivision for the elastic field */
    for (int k = 0, i = 0; k < s->strokes.nstrokes; k++) {
        int end = s->strokes.ends[k];
        float px = 0, py = 0;
        for (int first = 1; i < end; i++, first = 0) {
            float ux = s->strokes.pts[i].x - cx;
            float uy = s->strokes.pts[i].y - cy;
            float x = g->a * ux + g->b * uy + g->tx;
            float y = g->c * ux + g->d * uy + g->ty;
            if (jit > 0.0f && s->kind == REC_KIND_FONT) {
                x += jit * rng_normal_fast(r);
                y += jit * rng_normal_fast(r);
            }
            int nsub = 1;
            if (!first) {
                float dl = hypotf(x - px, y - py);
                nsub = (int)ceilf(dl / step);
                nsub = nsub < 1 ? 1 : nsub > 64 ? 64 : nsub;
            }
            for (int q = first ? 0 : 1; q <= nsub; q++) {
                float t = first ? 1.0f : (float)q / (float)nsub;
                float qx = first ? x : px + t * (x - px);
                float qy = first ? y : py + t * (y - py);
                float dx, dy;
                geom_disp(g, qx, qy, &dx, &dy);
                if (rec_strokes_add_point(moved, qx + dx, qy + dy))
                    return -1;
            }
            px = x;
            py = y;
        }
        if (rec_strokes_end_stroke(moved))
            return -1;
    }
    rec_strokes_raster(moved, pen, cov, f->W, f->H);
    return 0;
}

/* Step 3 for picture samples: each output pixel sampled back through the
 * inverse of g (supersampled when shrinking) from the ink crop. */
static void cover_crop(const RecSample *s, const Geom *g, const Frame *f,
                       float cx, float cy, float *cov)
{
    int W = f->W, H = f->H;
    float det = g->a * g->d - g->b * g->c;
    float ia = g->d / det, ib = -g->b / det, ic = -g->c / det,
          id = g->a / det;
    int ss = (int)ceilf(1.0f / f->scale);
    ss = ss < 1 ? 1 : ss > 3 ? 3 : ss;
    float inv_ss2 = 1.0f / (float)(ss * ss);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            float acc = 0.0f;
            for (int sj = 0; sj < ss; sj++)
                for (int si = 0; si < ss; si++) {
                    float qx = (float)x + ((float)si + 0.5f) / (float)ss;
                    float qy = (float)y + ((float)sj + 0.5f) / (float)ss;
                    float dx, dy;
                    geom_disp(g, qx, qy, &dx, &dy);
                    qx += dx - g->tx;
                    qy += dy - g->ty;
                    acc += crop_sample(s, ia * qx + ib * qy + cx,
                                       ic * qx + id * qy + cy);
                }
            cov[(size_t)y * (size_t)W + (size_t)x] = acc * inv_ss2;
        }
}

/* Step 4: a blur or two, and for pictures a random stroke width (a
 * threshold moved up or down). */
static void cover_adjust(Rng *r, const RecAugment *aug, int strokes,
                         const Frame *f, float *cov, float *tmp)
{
    int W = f->W, H = f->H;
    if (f->T > 24.0f && rng_uniform(r) < aug->blur_p) {
        blur3(cov, tmp, W, H);
        if (f->T > 40.0f && rng_uniform(r) < 0.5f)
            blur3(cov, tmp, W, H);
    }
    if (!strokes && aug->width_var > 0.0f) {
        float L = 0.5f + rng_range(r, -0.5f, 0.5f) * aug->width_var;
        for (int i = 0; i < W * H; i++) {
            float v = (cov[i] - L) * 2.5f + 0.5f;
            cov[i] = v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
        }
    }
}

/* Step 5: the coverage as grey on paper: paper and ink levels, a shading
 * gradient, noise and a few specks (aug NULL: black on white, clean). */
static void grey_render(Rng *r, const RecAugment *aug, const Frame *f,
                        const float *cov, unsigned char *grey)
{
    int W = f->W, H = f->H;
    float paper = 255.0f, ink = 0.0f, gx = 0.0f, gy = 0.0f, sigma = 0.0f;
    if (aug) {
        paper = rng_range(r, aug->paper_min, 255.0f);
        ink = rng_range(r, 0.0f, fmaxf(0.0f, paper - 120.0f));
        gx = rng_range(r, -20.0f, 20.0f);
        gy = rng_range(r, -20.0f, 20.0f);
        sigma = rng_range(r, 0.0f, aug->noise);
    }
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            float p = paper + gx * ((float)x / (float)W - 0.5f) +
                      gy * ((float)y / (float)H - 0.5f);
            float c = cov[(size_t)y * (size_t)W + (size_t)x];
            float v = p - (p - ink) * c;
            if (sigma > 0.0f)
                v += sigma * rng_normal_fast(r);
            grey[(size_t)y * (size_t)W + (size_t)x] =
                (unsigned char)(v < 0.0f     ? 0
                                : v > 255.0f ? 255
                                             : (int)v);
        }
    if (aug && f->T >= 32.0f && rng_uniform(r) < 0.2f) {
        int n = 1 + rng_int(r, 4);
        for (int k = 0; k < n; k++)
            grey[(size_t)rng_int(r, H) * (size_t)W + (size_t)rng_int(r, W)] =
                (unsigned char)ink;
    }
}

int rec__augment_render(const RecSample *s, const RecAugment *aug,
                        uint64_t seed, float *dst)
{
    Rng r = {seed};
    int strokes = s->kind == REC_KIND_TRAJ || s->kind == REC_KIND_FONT;
    float box[4];
    if (source_box(s, strokes, box) < 0)
        return -1;
    float cx = 0.5f * (box[0] + box[2]), cy = 0.5f * (box[1] + box[3]);
    Geom g;
    Frame f;
    geom_make(&r, aug, box, &g, &f);

    float *cov = calloc((size_t)f.W * (size_t)f.H * 2, sizeof *cov);
    unsigned char *grey = malloc((size_t)f.W * (size_t)f.H);
    RecStrokes moved;
    rec_strokes_init(&moved);
    int rc = -1;
    if (!cov || !grey) {
        err_set("augment: out of memory (%dx%d)", f.W, f.H);
        goto done;
    }
    if (strokes) {
        if (cover_strokes(&r, s, aug, &g, &f, cx, cy, &moved, cov) < 0)
            goto done;
    } else {
        cover_crop(s, &g, &f, cx, cy, cov);
    }
    if (aug)
        cover_adjust(&r, aug, strokes, &f, cov, cov + (size_t)f.W * f.H);
    grey_render(&r, aug, &f, cov, grey);
    /* 6: binarise and normalise like the pipeline */
    rc = rec_glyph_normalize_grey(grey, f.W, f.H, f.W, dst);
done:
    free(cov);
    free(grey);
    rec_strokes_cleanup(&moved);
    return rc;
}
