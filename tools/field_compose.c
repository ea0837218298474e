/*
 * field_compose.c - compose digit field crops (MNIST digits written into
 * drawn boxes and combs, as cut out of a form) with their ground truth.
 *
 *   build/tools/field_compose --idx IMAGES LABELS --out DIR [--fields N]
 *        [--seed S] [--first K] [--kinds LIST] [--format jpg|png]
 *        [--margin PX] [--page] [--rule-grey G]
 *
 * Writes DIR/fNNN_KIND.jpg (grey, JPEG quality 80; .png with --format png)
 * and DIR/truth.tsv (NAME TAB DIGITS, NAME without the extension).
 * --margin PX: PX px more paper around each field (what a
 * form reader's loose cut keeps; a box_in field is cut inside its box and
 * gets none). --page: the fields are not written one by one but pasted
 * ten to an A4 page at 300 dpi (2480 x 3508, field k of a page at x 300,
 * y 300 + 300 k), DIR/pNNN.jpg; truth.tsv then has one row per field
 * (pNNN_KK_KIND TAB DIGITS), in the page's reading order; box_in (a cut,
 * not a thing on a page) is refused there. The same seed
 * gives the same fields with any --margin and with or without --page.
 * --rule-grey G: the boxes' and combs' lines at grey G instead of 40 (a
 * form printed in a light colour, or faded: 190 is a light grey on the
 * paper's 235); the same fields otherwise.
 *
 * Design: the digits are real handwriting (MNIST test digits, the gz IDX
 * files read with zlib), the boxes are drawn here; the field is what a
 * form reader hands on as one field's crop, read by `inkpipe ocr --charset
 * digits` (tools/field_eval.sh). Field f has kind KINDS[f % number of
 * kinds]:
 *   box     a closed box with a divider between cells, margin 0-4 px
 *   comb    a base line with ticks a third of a cell high at every cell
 *           boundary
 *   box_in  a box cut just inside its outer lines (lw / 2 + 1 px off each
 *           side): remnants of the outer lines or none
 *   open    (only when asked for) one closed box without dividers, the
 *           digits written freely as on a census form: 2-10 digits, the
 *           box 48-80 px high inside, lines 2-4 px, the digits' ink
 *           0.45-0.85 of it high (each +-10 %), gaps between their ink
 *           of -0.06 to 0.45 ink heights (some touch), up and down by
 *           +-0.12 box heights (the tallest cross a line), 3 px to half
 *           a box of paper before the first and 3 px to a box after the
 *           last; compose_open()
 *   dotted  (only when asked for) the cells parted by dotted or dashed
 *           lines (dashes 1-5 px long, gaps 2-5 px, 1-2 px wide, grey
 *           40-130) over a base line, solid or dashed the same way, and
 *           no top line; dotted_lines()
 * Per box, comb, box_in and dotted field: 6-10 digits, cell 44-60 px
 * square, line width 2-3 px (grey 40; a dotted field's lines as above),
 * each digit scaled bilinearly to 1.0-1.25 x the
 * cell, centred in its cell with a jitter of -3..3 px across and -2..4 px
 * down; paper grey 235, ink 235 - 0.85 * v for MNIST values v > 30
 * (darker wins). The digits are drawn uniformly from samples K.. of the
 * files (default 8000: the last 2,000 MNIST test digits, which `inkpipe
 * train --idx-holdout 2000` keeps out of training, so the bundled model
 * never saw them). The geometry
 * follows the script the measurement was first made with; its numbers
 * differ (another random stream). Everything random comes from one
 * splitmix64 stream (common/rng.h) seeded by --seed: a seed fixes the
 * fields to the byte.
 *
 * Exit: 0 done, 1 a file could not be read or written, 2 usage.
 * MNIST: Y. LeCun, C. Cortes, C. J. C. Burges (CC BY-SA 3.0).
 */
#include "common/rng.h"

#include <errno.h>
#include <getopt.h>
#include <leptonica/allheaders.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define MN 28 /* MNIST side */
#define PAPER 235
#define LINE_GREY 40

/* The grey of the box and comb lines (--rule-grey; LINE_GREY). */
static int line_grey = LINE_GREY;
#define MAX_DIGITS 10

enum { K_BOX, K_COMB, K_BOX_IN, K_OPEN, K_DOTTED, K_COUNT };
static const char *const KIND_NAMES[K_COUNT] = {"box", "comb", "box_in",
                                                "open", "dotted"};

typedef struct {
    const char *images, *labels, *out;
    int fields, first, png, margin, page;
    unsigned long long seed;
    int kinds[K_COUNT], n_kinds;
} Opts;

/* The IDX files in memory: count 28 x 28 images (ink high) and labels. */
typedef struct {
    unsigned char *img, *lab;
    int count;
} Mnist;

static void usage(FILE *fp)
{
    fputs(
        "usage: field_compose --idx IMAGES LABELS --out DIR [--fields N]\n"
        "                     [--seed S] [--first K] [--kinds LIST]\n"
        "                     [--format jpg|png] [--margin PX] [--page]\n"
        "                     [--rule-grey G]\n"
        "Compose digit field crops: MNIST digits written into drawn boxes,\n"
        "as a form reader cuts one field out of a form.\n"
        "  --idx IMAGES LABELS  MNIST gz IDX files "
        "(t10k-images-idx3-ubyte.gz,\n"
        "                       t10k-labels-idx1-ubyte.gz)\n"
        "  --out DIR            where the fields and truth.tsv go (made)\n"
        "  --fields N           number of fields (default 60)\n"
        "  --seed S             random seed (default 7)\n"
        "  --first K            digits only from sample K on (default 8000:\n"
        "                       the 2,000 the bundled model never trains on)\n"
        "  --kinds LIST         comma list of box, comb, box_in, open,\n"
        "                       dotted\n"
        "                       (default box,comb,box_in; field f has the\n"
        "                       (f mod count)th kind)\n"
        "  --format jpg|png     JPEG quality 80 (default) or PNG\n"
        "  --margin PX          PX px more paper around each field\n"
        "                       (default 0; box_in fields get none)\n"
        "  --page               paste the fields ten to an A4 page at 300 dpi\n"
        "                       (DIR/pNNN.jpg; truth rows pNNN_KK_KIND)\n"
        "  --rule-grey G        box and comb lines at grey G, 0-230\n"
        "                       (default 40; 190: a form printed light)\n"
        "Writes DIR/fNNN_KIND.jpg and DIR/truth.tsv (NAME TAB DIGITS).\n"
        "Exit: 0 done, 1 a file could not be read or written, 2 usage.\n",
        fp);
}

/* Read exactly n bytes from g; 0, or -1 (short or failed read). */
static int gz_read_all(gzFile g, unsigned char *buf, size_t n)
{
    while (n > 0) {
        unsigned chunk = n > (1u << 30) ? (1u << 30) : (unsigned)n;
        int got = gzread(g, buf, chunk);
        if (got <= 0)
            return -1;
        buf += got;
        n -= (size_t)got;
    }
    return 0;
}

/*
 * Load one gz IDX file: the magic (0x0803 images of 28 x 28, or 0x0801
 * labels), the count and the payload.
 *
 * @param[in]  path    the file
 * @param[in]  images  1 for an image file, 0 for a label file
 * @param[out] pcount  number of samples
 * @return the payload (caller frees), or NULL after a message on stderr
 *         naming the file
 */
static unsigned char *idx_load(const char *path, int images, int *pcount)
{
    gzFile g = gzopen(path, "rb");
    if (!g) {
        fprintf(stderr, "field_compose: cannot open %s: %s\n", path,
                strerror(errno));
        return NULL;
    }
    unsigned char h[16];
    size_t hn = images ? 16 : 8;
    unsigned char *data = NULL;
    const char *why = "not a gz IDX file (short header)";
    if (gz_read_all(g, h, hn) == 0) {
        unsigned magic = (unsigned)h[2] << 8 | h[3];
        long n = (long)h[4] << 24 | (long)h[5] << 16 | (long)h[6] << 8 | h[7];
        long rows =
            images ? ((long)h[8] << 24 | h[9] << 16 | h[10] << 8 | h[11]) : 0;
        long cols =
            images ? ((long)h[12] << 24 | h[13] << 16 | h[14] << 8 | h[15]) : 0;
        size_t each = images ? MN * MN : 1;
        if (h[0] || h[1] || magic != (images ? 0x0803u : 0x0801u))
            why = images ? "not an IDX image file (magic is not 0x00000803)"
                         : "not an IDX label file (magic is not 0x00000801)";
        else if (images && (rows != MN || cols != MN))
            why = "images are not 28 x 28";
        else if (n < 1 || n > 10000000)
            why = "sample count out of range";
        else if (!(data = malloc((size_t)n * each)))
            why = "out of memory";
        else if (gz_read_all(g, data, (size_t)n * each) != 0) {
            free(data);
            data = NULL;
            why = "truncated (fewer samples than the header says)";
        } else
            *pcount = (int)n;
    }
    gzclose(g);
    if (!data)
        fprintf(stderr, "field_compose: %s: %s\n", path, why);
    return data;
}

/* Load both files into m; 0, or -1 after a message naming the file. */
static int mnist_load(Mnist *m, const char *images, const char *labels)
{
    int ni = 0, nl = 0;
    m->img = idx_load(images, 1, &ni);
    m->lab = m->img ? idx_load(labels, 0, &nl) : NULL;
    if (!m->lab)
        return -1;
    if (ni != nl) {
        fprintf(stderr, "field_compose: %s has %d images but %s %d labels\n",
                images, ni, labels, nl);
        return -1;
    }
    for (int i = 0; i < nl; i++)
        if (m->lab[i] > 9) {
            fprintf(stderr,
                    "field_compose: %s: label %d of sample %d is not a digit\n",
                    labels, m->lab[i], i);
            return -1;
        }
    m->count = ni;
    return 0;
}

/* Fill [x0, x1) x [y0, y1) of the 8 bpp pix with grey v (clipped). */
static void fill_rect(PIX *pix, int x0, int y0, int x1, int y1, int v)
{
    int w = (int)pixGetWidth(pix), h = (int)pixGetHeight(pix);
    l_uint32 *data = pixGetData(pix);
    int wpl = pixGetWpl(pix);
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < h; y++)
        for (int x = x0 < 0 ? 0 : x0; x < x1 && x < w; x++)
            SET_DATA_BYTE(data + y * wpl, x, v);
}

/*
 * Draw MNIST image d (28 x 28, ink high) scaled bilinearly to s x s with its
 * top-left at (left, top): ink 235 - 0.85 * v where the scaled v > 30 and
 * darker than what is there (pixel centres map to (y + 0.5) * 28 / s - 0.5,
 * clamped to the image).
 */
static void draw_digit(PIX *pix, const unsigned char *d, int s, int left,
                       int top)
{
    int w = (int)pixGetWidth(pix), h = (int)pixGetHeight(pix);
    l_uint32 *data = pixGetData(pix);
    int wpl = pixGetWpl(pix);
    for (int y = 0; y < s; y++) {
        double fy = (y + 0.5) * MN / s - 0.5;
        int y0 = fy < 0 ? 0 : (int)fy > MN - 1 ? MN - 1 : (int)fy;
        int y1 = y0 + 1 > MN - 1 ? MN - 1 : y0 + 1;
        double ay = fy - y0 < 0 ? 0 : fy - y0 > 1 ? 1 : fy - y0;
        for (int x = 0; x < s; x++) {
            double fx = (x + 0.5) * MN / s - 0.5;
            int x0 = fx < 0 ? 0 : (int)fx > MN - 1 ? MN - 1 : (int)fx;
            int x1 = x0 + 1 > MN - 1 ? MN - 1 : x0 + 1;
            double ax = fx - x0 < 0 ? 0 : fx - x0 > 1 ? 1 : fx - x0;
            double v =
                (d[y0 * MN + x0] * (1 - ax) + d[y0 * MN + x1] * ax) * (1 - ay) +
                (d[y1 * MN + x0] * (1 - ax) + d[y1 * MN + x1] * ax) * ay;
            int X = left + x, Y = top + y;
            if (v <= 30 || X < 0 || X >= w || Y < 0 || Y >= h)
                continue;
            int ink = (int)(PAPER - v * 0.85);
            l_uint32 *line = data + Y * wpl;
            if (ink < (int)GET_DATA_BYTE(line, X))
                SET_DATA_BYTE(line, X, ink);
        }
    }
}

/* The ink's bounding box of MNIST image d (values > 30) in its 28 x 28
 * grid, inclusive: b = {x0, y0, x1, y1}; the whole grid when it has none. */
static void ink_box(const unsigned char *d, int b[4])
{
    b[0] = b[1] = MN;
    b[2] = b[3] = -1;
    for (int y = 0; y < MN; y++)
        for (int x = 0; x < MN; x++)
            if (d[y * MN + x] > 30) {
                b[0] = x < b[0] ? x : b[0];
                b[1] = y < b[1] ? y : b[1];
                b[2] = x > b[2] ? x : b[2];
                b[3] = y > b[3] ? y : b[3];
            }
    if (b[2] < 0) {
        b[0] = b[1] = 0;
        b[2] = b[3] = MN - 1;
    }
}

/*
 * Compose an open field (kind open, see the top of the file): the digits
 * laid out by their ink from left to right, then the box drawn around
 * them with add px more paper around it.
 *
 * @return the field, or NULL after a message (out of memory)
 */
static PIX *compose_open(const Mnist *m, int first, int add, Rng *r,
                         char txt[MAX_DIGITS + 1])
{
    int n = rng_int_in(r, 2, MAX_DIGITS), H = rng_int_in(r, 48, 80);
    int lw = rng_int_in(r, 2, 4);
    double hgt = H * rng_range_d(r, 0.45, 0.85);
    int ids[MAX_DIGITS], s[MAX_DIGITS], left[MAX_DIGITS], top[MAX_DIGITS];
    double x = rng_int_in(r, 3, H / 2), last_gap = 0;
    for (int k = 0; k < n; k++) {
        int b[4];
        ids[k] = first + rng_int(r, m->count - first);
        txt[k] = (char)('0' + m->lab[ids[k]]);
        ink_box(m->img + (size_t)ids[k] * MN * MN, b);
        double sc = hgt * rng_range_d(r, 0.9, 1.1) / (b[3] - b[1] + 1);
        double cy = H * (0.5 + rng_range_d(r, -0.12, 0.12));
        s[k] = (int)(MN * sc + 0.5);
        left[k] = (int)(x - b[0] * sc + 0.5);
        top[k] = (int)(cy - (b[1] + b[3] + 1) * sc / 2 + 0.5);
        last_gap = rng_range_d(r, -0.06, 0.45) * hgt;
        x += (b[2] - b[0] + 1) * sc + last_gap;
    }
    txt[n] = 0;
    int W = (int)(x - last_gap) + rng_int_in(r, 3, H);
    int o = add + lw, pw = W + 2 * o, ph = H + 2 * o;
    PIX *pix = pixCreate(pw, ph, 8);
    if (!pix) {
        fprintf(stderr, "field_compose: out of memory\n");
        return NULL;
    }
    pixSetAllArbitrary(pix, PAPER);
    fill_rect(pix, add, add, pw - add, o, line_grey);
    fill_rect(pix, add, ph - o, pw - add, ph - add, line_grey);
    fill_rect(pix, add, add, o, ph - add, line_grey);
    fill_rect(pix, pw - o, add, pw - add, ph - add, line_grey);
    for (int k = 0; k < n; k++)
        draw_digit(pix, m->img + (size_t)ids[k] * MN * MN, s[k],
                   o + left[k], o + top[k]);
    return pix;
}

/* A dotted field's lines: cells of n x cell px from (ox, oy) parted by
 * dotted or dashed lines (dashes 1-5 px long, gaps 2-5 px, 1-2 px wide,
 * grey 40-130), over a base line, solid or dashed the same way, and no
 * top line: how forms part the letters of a name or the digits of a
 * number with a light hand. */
static void dotted_lines(PIX *pix, int ox, int oy, int n, int cell, Rng *r)
{
    int dash = rng_int_in(r, 1, 5), gap = rng_int_in(r, 2, 5);
    int lw = rng_int_in(r, 1, 2), grey = rng_int_in(r, 40, 130);
    int base_dashed = rng_int(r, 2), H = cell;
    for (int x = ox; x < ox + n * cell + lw; x += base_dashed ? dash + gap
                                                                : n * cell)
        fill_rect(pix, x, oy + H,
                  base_dashed ? x + dash : ox + n * cell + lw, oy + H + lw,
                  grey);
    for (int k = 0; k <= n; k++)
        for (int y = oy + rng_int(r, gap + 1); y < oy + H; y += dash + gap)
            fill_rect(pix, ox + k * cell, y, ox + k * cell + lw,
                      y + dash < oy + H ? y + dash : oy + H, grey);
}

/*
 * Compose field f: draw its lines and digits, cut box_in inside its outer
 * lines, write it and its truth line.
 *
 * @return 0, or -1 after a message naming the file that was not written
 */
static PIX *compose_field(const Opts *o, const Mnist *m, int f, Rng *r,
                          char txt[MAX_DIGITS + 1])
{
    int kind = o->kinds[f % o->n_kinds];
    if (kind == K_OPEN)
        return compose_open(m, o->first, o->margin, r, txt);
    int n = rng_int_in(r, 6, MAX_DIGITS), cell = rng_int_in(r, 44, 60);
    int lw = rng_int_in(r, 2, 3);
    int s = (int)(cell * rng_range_d(r, 1.0, 1.25));
    int mx = rng_int_in(r, 0, 4);
    int W = n * cell, H = cell, ox = mx, oy = mx;
    int pw = W + 2 * mx + lw, ph = H + 2 * mx + lw;
    int ids[MAX_DIGITS];
    for (int k = 0; k < n; k++) {
        ids[k] = o->first + rng_int(r, m->count - o->first);
        txt[k] = (char)('0' + m->lab[ids[k]]);
    }
    txt[n] = 0;
    /* the margin is paper added around: the random stream stays the same */
    int add = kind == K_BOX_IN ? 0 : o->margin;
    ox += add;
    oy += add;
    pw += 2 * add;
    ph += 2 * add;
    PIX *pix = pixCreate(pw, ph, 8);
    if (!pix) {
        fprintf(stderr, "field_compose: out of memory\n");
        return NULL;
    }
    pixSetAllArbitrary(pix, PAPER);
    int wall_top = kind == K_COMB ? oy + H - H / 3 : oy;
    if (kind == K_DOTTED) {
        dotted_lines(pix, ox, oy, n, cell, r);
    } else {
        if (kind != K_COMB)
            fill_rect(pix, ox, oy, ox + W + lw, oy + lw, line_grey);
        fill_rect(pix, ox, oy + H, ox + W + lw, oy + H + lw, line_grey);
        for (int k = 0; k <= n; k++)
            fill_rect(pix, ox + k * cell, wall_top, ox + k * cell + lw,
                      oy + H + lw, line_grey);
    }
    for (int k = 0; k < n; k++) {
        int cx = ox + k * cell + cell / 2 + rng_int_in(r, -3, 3);
        int cy = oy + H / 2 + rng_int_in(r, -2, 4);
        draw_digit(pix, m->img + (size_t)ids[k] * MN * MN, s, cx - s / 2,
                   cy - s / 2);
    }
    if (kind == K_BOX_IN) {
        int cut = lw / 2 + 1;
        BOX *b =
            boxCreate(ox + cut, oy + cut, W + lw - 2 * cut, H + lw - 2 * cut);
        PIX *c = b ? pixClipRectangle(pix, b, NULL) : NULL;
        boxDestroy(&b);
        pixDestroy(&pix);
        if (!c)
            fprintf(stderr, "field_compose: out of memory\n");
        pix = c;
    }
    return pix;
}

/* Write pix as DIR/NAME.jpg (or .png); 0, or -1 after a message. */
static int write_image(const Opts *o, const char *name, PIX *pix)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.%s", o->out, name,
             o->png ? "png" : "jpg");
    int bad =
        o->png ? pixWrite(path, pix, IFF_PNG) : pixWriteJpeg(path, pix, 80, 0);
    if (bad)
        fprintf(stderr, "field_compose: cannot write %s\n", path);
    return bad ? -1 : 0;
}

/* Compose all fields: one image each, or ten to an A4 page (--page).
 * 0, or -1 after a message. */
static int compose_all(const Opts *o, const Mnist *m, FILE *truth)
{
    Rng r;
    rng_seed(&r, o->seed);
    PIX *page = NULL;
    int rc = 0;
    for (int f = 0; rc == 0 && f < o->fields; f++) {
        char txt[MAX_DIGITS + 1], name[48];
        const char *kind = KIND_NAMES[o->kinds[f % o->n_kinds]];
        PIX *pix = compose_field(o, m, f, &r, txt);
        if (!pix)
            return -1;
        if (!o->page) {
            snprintf(name, sizeof name, "f%03d_%s", f, kind);
            rc = write_image(o, name, pix);
        } else {
            if (f % 10 == 0 && !(page = pixCreate(2480, 3508, 8))) {
                fprintf(stderr, "field_compose: out of memory (page)\n");
                rc = -1;
            }
            if (page) {
                if (f % 10 == 0)
                    pixSetAllArbitrary(page, PAPER);
                pixRasterop(page, 300, 300 + 300 * (f % 10), pixGetWidth(pix),
                            pixGetHeight(pix), PIX_SRC, pix, 0, 0);
            }
            snprintf(name, sizeof name, "p%03d_%02d_%s", f / 10, f % 10, kind);
        }
        pixDestroy(&pix);
        if (rc == 0)
            fprintf(truth, "%s\t%s\n", name, txt);
        if (rc == 0 && page && (f % 10 == 9 || f + 1 == o->fields)) {
            snprintf(name, sizeof name, "p%03d", f / 10);
            rc = write_image(o, name, page);
            pixDestroy(&page);
        }
    }
    pixDestroy(&page);
    return rc;
}

/* Parse a decimal integer in [lo, hi] for option opt; 0, or -1 after a
 * message naming the option. */
static int parse_int(const char *opt, const char *s, long lo, long hi,
                     long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr,
                "field_compose: %s '%s': expected a number from %ld to %ld\n",
                opt, s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

/* Parse --kinds LIST into o; 0, or -1 after a message naming the kind. */
static int parse_kinds(Opts *o, const char *list)
{
    char buf[256];
    if (strlen(list) >= sizeof buf) {
        fprintf(stderr, "field_compose: --kinds '%s': too long\n", list);
        return -1;
    }
    strcpy(buf, list);
    o->n_kinds = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        int k = 0;
        while (k < K_COUNT && strcmp(t, KIND_NAMES[k]))
            k++;
        if (k == K_COUNT || o->n_kinds == K_COUNT) {
            fprintf(stderr,
                    "field_compose: --kinds: '%s' is not one of box, comb, "
                    "box_in, open, dotted (each at most once)\n",
                    t);
            return -1;
        }
        for (int i = 0; i < o->n_kinds; i++)
            if (o->kinds[i] == k) {
                fprintf(stderr, "field_compose: --kinds: '%s' twice\n", t);
                return -1;
            }
        o->kinds[o->n_kinds++] = k;
    }
    if (o->n_kinds == 0) {
        fprintf(stderr, "field_compose: --kinds '%s': no kind\n", list);
        return -1;
    }
    return 0;
}

/* Parse the command line into o; 0 go on, 1 --help done, 2 usage error
 * (said on stderr). */
static int parse_opts(Opts *o, int argc, char **argv)
{
    static const struct option lo[] = {
        {"idx", 1, 0, 'i'},    {"out", 1, 0, 'o'},    {"fields", 1, 0, 'n'},
        {"seed", 1, 0, 's'},   {"first", 1, 0, 'k'},  {"kinds", 1, 0, 'K'},
        {"format", 1, 0, 'F'}, {"margin", 1, 0, 'm'}, {"page", 0, 0, 'p'},
        {"rule-grey", 1, 0, 'g'},
        {"help", 0, 0, 'h'},   {0, 0, 0, 0}};
    long v;
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "+", lo, NULL)) != -1) {
        switch (ch) {
        case 'i':
            if (optind >= argc || argv[optind][0] == '-') {
                fprintf(
                    stderr,
                    "field_compose: --idx needs two files: IMAGES LABELS\n");
                return 2;
            }
            o->images = optarg;
            o->labels = argv[optind++];
            break;
        case 'o':
            o->out = optarg;
            break;
        case 'n':
            if (parse_int("--fields", optarg, 1, 100000, &v))
                return 2;
            o->fields = (int)v;
            break;
        case 's':
            if (parse_int("--seed", optarg, 0, 2147483647L, &v))
                return 2;
            o->seed = (unsigned long long)v;
            break;
        case 'k':
            if (parse_int("--first", optarg, 0, 10000000, &v))
                return 2;
            o->first = (int)v;
            break;
        case 'K':
            if (parse_kinds(o, optarg))
                return 2;
            break;
        case 'F':
            if (strcmp(optarg, "jpg") && strcmp(optarg, "png")) {
                fprintf(stderr,
                        "field_compose: --format '%s': expected jpg or png\n",
                        optarg);
                return 2;
            }
            o->png = !strcmp(optarg, "png");
            break;
        case 'm':
            if (parse_int("--margin", optarg, 0, 400, &v))
                return 2;
            o->margin = (int)v;
            break;
        case 'p':
            o->page = 1;
            break;
        case 'g':
            if (parse_int("--rule-grey", optarg, 0, 230, &v))
                return 2;
            line_grey = (int)v;
            break;
        case 'h':
            usage(stdout);
            return 1;
        default:
            fprintf(stderr,
                    "field_compose: unknown option or missing value: '%s'\n",
                    argv[optind - 1]);
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "field_compose: unexpected argument '%s'\n",
                argv[optind]);
        return 2;
    }
    for (int k = 0; o->page && k < o->n_kinds; k++)
        if (o->kinds[k] == K_BOX_IN) {
            fprintf(stderr,
                    "field_compose: --page: box_in is a field cut "
                    "inside its box, not on a page (--kinds box,comb)\n");
            return 2;
        }
    if (!o->images || !o->out) {
        fprintf(stderr, "field_compose: %s is required\n",
                !o->images ? "--idx IMAGES LABELS" : "--out DIR");
        usage(stderr);
        return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    Opts o = {NULL, NULL, NULL, 60, 8000, 0, 0, 0, 7, {K_BOX, K_COMB, K_BOX_IN},
              3};
    int rc = parse_opts(&o, argc, argv);
    if (rc)
        return rc == 1 ? 0 : 2;
    Mnist m = {NULL, NULL, 0};
    if (mnist_load(&m, o.images, o.labels)) {
        free(m.img);
        free(m.lab);
        return 1;
    }
    if (o.first >= m.count) {
        fprintf(stderr, "field_compose: --first %d: %s has only %d samples\n",
                o.first, o.images, m.count);
        free(m.img);
        free(m.lab);
        return 2;
    }
    if (mkdir(o.out, 0777) && errno != EEXIST) {
        fprintf(stderr, "field_compose: cannot make %s: %s\n", o.out,
                strerror(errno));
        free(m.img);
        free(m.lab);
        return 1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/truth.tsv", o.out);
    FILE *truth = fopen(path, "w");
    rc = truth ? 0 : -1;
    if (!truth)
        fprintf(stderr, "field_compose: cannot write %s: %s\n", path,
                strerror(errno));
    if (rc == 0)
        rc = compose_all(&o, &m, truth);
    if (truth && fclose(truth) && rc == 0) {
        fprintf(stderr, "field_compose: cannot write %s\n", path);
        rc = -1;
    }
    free(m.img);
    free(m.lab);
    return rc ? 1 : 0;
}
