/*
 * form_compose.c - compose filled-in form pages with their template and
 * ground truth (issue 14: measuring the forms reader).
 *
 *   build/tools/form_compose --out DIR [--pages N] [--seed S]
 *        [--writers 041-045] [--data CHARS74K] [--font TTF]
 *        [--shift PX] [--scale F] [--rotate DEG] [--format png|g4]
 *        [--lang en|fr]
 *        [--marks] [--line-gray G] [--line-gaps P]
 *
 * Writes DIR/form.yaml (the template, one for every page),
 * DIR/form-NNN.png (or .tif), DIR/form-NNN.truth.tsv (field TAB value, in
 * template order; checkboxes "checked"/"unchecked") and
 * DIR/form-NNN.xf ("scale angle dx dy": where the template lies on the
 * page, after the page is turned upright by -angle degrees about its
 * centre), DIR/form-NNN.gt.txt (the page's text, row by row: title,
 * labels and written values, for the page's CER when read as a page) and
 * DIR/writers.tsv (form-NNN TAB the writer of its handwriting).
 *
 * Design: one fixed form (registration card, 1700 x 2200 px, 200 dpi):
 * printed labels drawn with a TrueType font (FreeType; Debian's DejaVu by
 * default) above or left of each field; fields drawn as boxes, combs (a
 * base line and cell walls half the box high) and underlines; values
 * handwritten glyph by glyph from the Chars74K images of the chosen
 * writers (one writer a page; each glyph cropped to its ink, scaled to the
 * field's writing height with a small random jitter). The page is then
 * scaled (another dpi), shifted and rotated by random amounts up to
 * --scale, --shift and --rotate, and a little Gaussian noise added. Values
 * use only the recogniser's classes. --lang fr prints the labels in
 * French (UTF-8: accents, "N°"), a label left of its field followed by
 * " :" as French forms do; the template's label (the truth) is the label
 * without the colon. Everything random comes from one
 * splitmix64 stream seeded by --seed.
 * --marks prints four filled black squares (40 px) near the corners and
 * writes them into form.yaml (`marks:`); --line-gray G draws the printed
 * lines (boxes, combs, underlines, checkboxes) in grey G (0 black .. 255
 * paper; default 0) and --line-gaps P breaks them into dashes with about
 * P% of their length missing (gaps 6-30 px): forms whose lines do not
 * survive binarisation, to measure registration by marks (docs/forms.md).
 *
 * Chars74K: T. E. de Campos, B. R. Babu, M. Varma, VISAPP 2009 (ODbL 1.0).
 */
#include "common/rng.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include <getopt.h>
#include <leptonica/allheaders.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TW 1700
#define TH 2200

typedef enum { F_BOX, F_COMB, F_LINE, F_CHECK } Style;

typedef struct {
    const char *name, *label, *charset, *pattern;
    Style style;
    int x0, y0, x1, y1, cells;
    int label_left; /* label left of the box (else above) */
} FieldDef;

/* The form. Every text field's bottom edge is a printed line. */
static const FieldDef FIELDS[] = {
    {"surname", "Surname", "upper", NULL, F_BOX, 380, 300, 1300, 380, 0, 1},
    {"first_name", "First name", "upper", NULL, F_LINE, 380, 440, 1300, 520, 0,
     1},
    {"birth_date", "Date of birth (DDMMYYYY)", "digits", "[0-9]{8}", F_COMB,
     380, 640, 1020, 720, 8, 0},
    {"postcode", "Postcode", "digits", "[0-9]{5}", F_COMB, 380, 840, 780, 920,
     5, 0},
    {"city", "City", "alpha", NULL, F_LINE, 900, 840, 1600, 920, 0, 0},
    {"phone", "Telephone", "digits", "[0-9]{10}", F_BOX, 380, 1040, 1200, 1120,
     0, 1},
    {"member_id", "Member no.", "alnum", "[A-Z]{2}[0-9]{4}", F_COMB, 380, 1240,
     860, 1320, 6, 1},
    {"amount", "Amount paid", "digits", NULL, F_LINE, 380, 1440, 800, 1520, 0,
     1},
    {"consent", "I agree to the terms", NULL, NULL, F_CHECK, 380, 1640, 430,
     1690, 0, 0},
    {"newsletter", "Send me the newsletter", NULL, NULL, F_CHECK, 380, 1760,
     430, 1810, 0, 0},
};
#define N_FIELDS ((int)(sizeof FIELDS / sizeof FIELDS[0]))

/* --lang fr: the labels of FIELDS, in order (UTF-8) */
static const char *const LABELS_FR[] = {
    "Nom",
    "Prénom",
    "Date de naissance (JJMMAAAA)",
    "Code postal",
    "Ville",
    "Téléphone",
    "N° d'adhérent",
    "Montant payé",
    "J'accepte les conditions",
    "Recevoir la lettre d'information",
};

static const char *const FIRST[] = {
    "ADA",   "ALAN", "MARIA", "JOHN",  "GRACE", "LENA",  "OMAR", "SOFIA",
    "PETER", "NINA", "KARL",  "EMMA",  "LUCAS", "HANNA", "IVAN", "JULIA",
    "MARC",  "RUTH", "TOM",   "CLARA", "FELIX", "IRENE", "HUGO", "ZOE"};
static const char *const LAST[] = {
    "LOVELACE", "TURING", "CURIE",  "SMITH",  "HOPPER",  "MEYER",  "HADDAD",
    "ROSSI",    "NOVAK",  "BERG",   "JENSEN", "KELLER",  "DUBOIS", "NILSSON",
    "PETROV",   "WAGNER", "MOREAU", "QUINN",  "YOUNG",   "GARCIA", "FISCHER",
    "BROWN",    "OKAFOR", "LARSEN", "WEBER",  "KOWALSKI"};
static const char *const CITIES[] = {
    "London", "Paris",  "Berlin", "Madrid", "Oslo",  "Vienna", "Dublin",
    "Rome",   "Prague", "Lisbon", "Zurich", "Leeds", "Lyon",   "Munich",
    "Bergen", "Ghent",  "Turin",  "Porto",  "Brno",  "Graz"};

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

typedef struct {
    const char *out, *data, *font, *format;
    int french; /* --lang fr */
    int pages, writers[64], n_writers;
    uint64_t seed;
    double shift, scale, rotate;
    int marks, line_gray;
    double line_gaps; /* percent of each line missing */
} Opts;

/* The registration marks --marks prints: centres, side (template px). */
static const int MARKS[4][2] = {
    {100, 100}, {1600, 100}, {100, 2100}, {1600, 2100}};
#define MARK_SIZE 40

static const char CLASS_CHARS[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* Field i's label in the page's language (the template's label). */
static const char *label_of(const Opts *o, int i)
{
    return o->french ? LABELS_FR[i] : FIELDS[i].label;
}

/* The code point at *ps (UTF-8), *ps moved past it; a malformed byte is
 * itself. */
static unsigned long utf8_take(const char **ps)
{
    const unsigned char *u = (const unsigned char *)*ps;
    if (u[0] >= 0xC2 && u[0] < 0xE0 && (u[1] & 0xC0) == 0x80) {
        *ps += 2;
        return (unsigned long)(u[0] & 0x1F) << 6 | (u[1] & 0x3F);
    }
    if (u[0] >= 0xE0 && u[0] < 0xF0 && (u[1] & 0xC0) == 0x80 &&
        (u[2] & 0xC0) == 0x80) {
        *ps += 3;
        return (unsigned long)(u[0] & 0x0F) << 12 |
               (unsigned long)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
    }
    *ps += 1;
    return u[0];
}

/* ---- drawing on an 8 bpp canvas (255 = paper) ---- */

static void fill(PIX *c, int x0, int y0, int x1, int y1)
{
    pixRasterop(c, x0, y0, x1 - x0, y1 - y0, PIX_CLR, NULL, 0, 0);
}

/* Darken c with glyph g (8 bpp, dark ink) placed at (x, y). */
static void blit(PIX *c, PIX *g, int x, int y)
{
    int w = pixGetWidth(g), h = pixGetHeight(g);
    int cw = pixGetWidth(c), ch = pixGetHeight(c);
    for (int j = 0; j < h; j++)
        for (int i = 0; i < w; i++) {
            if (x + i < 0 || y + j < 0 || x + i >= cw || y + j >= ch)
                continue;
            l_uint32 a, b;
            pixGetPixel(g, i, j, &a);
            pixGetPixel(c, x + i, y + j, &b);
            if (a < b)
                pixSetPixel(c, x + i, y + j, a);
        }
}

static int draw_text(FT_Face face, PIX *c, const char *s, int x, int base,
                     int px)
{
    if (FT_Set_Pixel_Sizes(face, 0, (FT_UInt)px))
        return -1;
    while (*s) {
        if (FT_Load_Char(face, utf8_take(&s), FT_LOAD_RENDER))
            return -1;
        FT_GlyphSlot g = face->glyph;
        for (unsigned j = 0; j < g->bitmap.rows; j++)
            for (unsigned i = 0; i < g->bitmap.width; i++) {
                int v = g->bitmap.buffer[j * (unsigned)g->bitmap.pitch + i];
                int xx = x + g->bitmap_left + (int)i,
                    yy = base - g->bitmap_top + (int)j;
                l_uint32 b;
                if (v < 40 || xx < 0 || yy < 0 || xx >= pixGetWidth(c) ||
                    yy >= pixGetHeight(c))
                    continue;
                pixGetPixel(c, xx, yy, &b);
                if ((l_uint32)(255 - v) < b)
                    pixSetPixel(c, xx, yy, (l_uint32)(255 - v));
            }
        x += (int)(g->advance.x >> 6);
    }
    return 0;
}

/* A handwritten glyph: writer's Chars74K image cropped to ink, scaled so
 * that its height is h (lower-case x-height letters smaller). */
static PIX *hand_glyph(const Opts *o, int writer, int ch, double h, Rng *r)
{
    const char *p = strchr(CLASS_CHARS, ch);
    if (!p || !ch)
        return NULL;
    int cls = (int)(p - CLASS_CHARS);
    char path[1024];
    snprintf(path, sizeof path, "%s/Img/Sample%03d/img%03d-%03d.png", o->data,
             cls + 1, cls + 1, writer);
    PIX *pix = pixRead(path);
    if (!pix) {
        fprintf(stderr, "form_compose: cannot read %s\n", path);
        return NULL;
    }
    PIX *g8 = pixConvertTo8(pix, 0);
    pixDestroy(&pix);
    PIX *b = pixThresholdToBinary(g8, 200);
    BOX *box = NULL;
    PIX *crop = NULL;
    if (b && pixClipToForeground(b, NULL, &box) == 0 && box)
        crop = pixClipRectangle(g8, box, NULL);
    boxDestroy(&box);
    pixDestroy(&b);
    pixDestroy(&g8);
    if (!crop)
        return NULL;
    double rel = strchr("acemnorsuvwxz", ch) ? 0.62 : 1.0;
    double s = h * rel * rng_range_d(r, 0.9, 1.08) / pixGetHeight(crop);
    if (pixGetWidth(crop) * s > 1.2 * h)
        s = 1.2 * h / pixGetWidth(crop);
    PIX *sc = pixScale(crop, (float)s, (float)s);
    pixDestroy(&crop);
    return sc;
}

/* Write value by hand into the field: per cell in a comb, else left to
 * right from a random start, standing on the bottom line. */
static int write_value(const Opts *o, PIX *c, const FieldDef *f, const char *v,
                       int writer, Rng *r)
{
    int bh = f->y1 - f->y0;
    double h = bh * 0.55;
    int n = (int)strlen(v);
    double x = f->x0 + rng_range_d(r, 0.04, 0.12) * bh + 6;
    for (int k = 0; k < n; k++) {
        if (v[k] == ' ') {
            x += 0.45 * h;
            continue;
        }
        PIX *g = hand_glyph(o, writer, v[k], h, r);
        if (!g)
            return -1;
        int gw = pixGetWidth(g), gh = pixGetHeight(g);
        int base = f->y1 - 6 - (int)(rng_range_d(r, 0.05, 0.15) * bh);
        int gx;
        if (f->style == F_COMB) {
            double cw = (double)(f->x1 - f->x0) / f->cells;
            gx = (int)(f->x0 + (k + 0.5) * cw - gw / 2.0 +
                       rng_range_d(r, -0.08, 0.08) * cw);
        } else {
            gx = (int)x;
            x += gw + rng_range_d(r, 0.12, 0.3) * h;
        }
        blit(c, g, gx, base - gh);
        pixDestroy(&g);
    }
    return 0;
}

/* A printed line: the rectangle [x0, x1) x [y0, y1) in grey o->line_gray,
 * broken along its length into dashes when o->line_gaps > 0. */
static void line_rect(const Opts *o, Rng *r, PIX *c, int x0, int y0, int x1,
                      int y1)
{
    int horiz = x1 - x0 >= y1 - y0, len = horiz ? x1 - x0 : y1 - y0;
    for (int a = 0; a < len;) {
        int run = len - a, gap = 0;
        if (o->line_gaps > 0) {
            gap = rng_int_in(r, 6, 30);
            run = (int)lround(gap * (100.0 - o->line_gaps) / o->line_gaps *
                              rng_range_d(r, 0.6, 1.4));
            run = run < 1 ? 1 : run > len - a ? len - a : run;
        }
        BOX *b = horiz ? boxCreate(x0 + a, y0, run, y1 - y0)
                       : boxCreate(x0, y0 + a, x1 - x0, run);
        pixSetInRectArbitrary(c, b, (l_uint32)o->line_gray);
        boxDestroy(&b);
        a += run + gap;
    }
}

static void draw_field(const Opts *o, Rng *r, PIX *c, const FieldDef *f)
{
    int t = 3; /* line thickness */
    switch (f->style) {
    case F_BOX:
    case F_CHECK:
        line_rect(o, r, c, f->x0, f->y0, f->x1, f->y0 + t);
        line_rect(o, r, c, f->x0, f->y1 - t, f->x1, f->y1);
        line_rect(o, r, c, f->x0, f->y0, f->x0 + t, f->y1);
        line_rect(o, r, c, f->x1 - t, f->y0, f->x1, f->y1);
        break;
    case F_COMB: {
        line_rect(o, r, c, f->x0, f->y1 - t, f->x1, f->y1);
        int wall = (f->y1 - f->y0) / 2;
        for (int k = 0; k <= f->cells; k++) {
            int x = f->x0 + (int)lround((double)k * (f->x1 - f->x0) / f->cells);
            x = x - t / 2 < f->x0 ? f->x0 : x + t > f->x1 ? f->x1 - t : x - 1;
            line_rect(o, r, c, x, f->y1 - wall, x + t, f->y1);
        }
        break;
    }
    case F_LINE:
        line_rect(o, r, c, f->x0, f->y1 - t, f->x1, f->y1);
        break;
    }
}

static void make_value(const FieldDef *f, Rng *r, char *v, size_t n)
{
    if (!strcmp(f->name, "surname"))
        snprintf(v, n, "%s", LAST[rng_int(r, NELEM(LAST))]);
    else if (!strcmp(f->name, "first_name"))
        snprintf(v, n, "%s", FIRST[rng_int(r, NELEM(FIRST))]);
    else if (!strcmp(f->name, "birth_date"))
        snprintf(v, n, "%02d%02d%04d", rng_int_in(r, 1, 28),
                 rng_int_in(r, 1, 12), rng_int_in(r, 1930, 2009));
    else if (!strcmp(f->name, "postcode"))
        snprintf(v, n, "%05d", rng_int_in(r, 1000, 99999));
    else if (!strcmp(f->name, "city"))
        snprintf(v, n, "%s", CITIES[rng_int(r, NELEM(CITIES))]);
    else if (!strcmp(f->name, "phone")) {
        snprintf(v, n, "0%d", rng_int_in(r, 1, 9));
        for (int k = 2; k < 10; k++)
            v[k] = (char)('0' + rng_int(r, 10));
        v[10] = '\0';
    } else if (!strcmp(f->name, "member_id"))
        snprintf(v, n, "%c%c%04d", 'A' + rng_int(r, 26), 'A' + rng_int(r, 26),
                 rng_int_in(r, 0, 9999));
    else if (!strcmp(f->name, "amount"))
        snprintf(v, n, "%d", rng_int_in(r, 5, 9999));
    else
        snprintf(v, n, "%s", rng_int(r, 2) ? "checked" : "unchecked");
}

static int write_template(const Opts *o)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/form.yaml", o->out);
    FILE *fp = fopen(path, "w");
    if (!fp)
        return -1;
    fprintf(fp,
            "# written by tools/form_compose\nform: %s\n"
            "size: [%d, %d]\nfields:\n",
            o->french ? "fiche-inscription" : "registration-card", TW, TH);
    for (int i = 0; i < N_FIELDS; i++) {
        const FieldDef *f = &FIELDS[i];
        fprintf(fp,
                "  - name: %s\n    label: \"%s\"\n    box: [%d, %d, %d, %d]\n",
                f->name, label_of(o, i), f->x0, f->y0, f->x1, f->y1);
        if (f->style == F_CHECK)
            fprintf(fp, "    type: checkbox\n");
        else
            fprintf(fp, "    charset: %s\n", f->charset);
        if (f->cells)
            fprintf(fp, "    cells: %d\n", f->cells);
        if (f->pattern)
            fprintf(fp, "    pattern: '%s'\n", f->pattern);
    }
    if (o->marks) {
        fprintf(fp, "marks:\n");
        for (int i = 0; i < 4; i++)
            fprintf(fp, "  - {at: [%d, %d], size: %d, shape: square}\n",
                    MARKS[i][0], MARKS[i][1], MARK_SIZE);
    }
    return fclose(fp);
}

/* A line of print or writing on the card: where it lies (the row's y and
 * its left x on the template) and its text. */
typedef struct {
    int y, x;
    const char *text;
} TextItem;

static int cmp_item(const void *a, const void *b)
{
    const TextItem *p = a, *q = b;
    return p->y != q->y ? (p->y > q->y) - (p->y < q->y)
                        : (p->x > q->x) - (p->x < q->x);
}

/* DIR/form-NNN.gt.txt: the card's text as a reader would say it, row by
 * row from the top, left to right within a row (the items of one y), the
 * title, the labels and the written values (a checkbox's cross is no
 * text). 0, or -1 (file not written). */
static int write_transcript(const Opts *o, int pg, TextItem *items, int n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/form-%03d.gt.txt", o->out, pg);
    FILE *fp = fopen(path, "w");
    if (!fp)
        return -1;
    qsort(items, (size_t)n, sizeof *items, cmp_item);
    for (int i = 0; i < n; i++)
        fprintf(fp, "%s%s", items[i].text,
                i + 1 == n || items[i + 1].y != items[i].y ? "\n" : " ");
    return fclose(fp);
}

static int compose_page(const Opts *o, FT_Face face, int pg, Rng *r,
                        FILE *writers)
{
    PIX *c = pixCreate(TW, TH, 8);
    if (!c)
        return -1;
    pixSetAllArbitrary(c, 255);
    const char *title =
        o->french ? "FICHE D'INSCRIPTION" : "MEMBERSHIP REGISTRATION CARD";
    draw_text(face, c, title, 380, 180, 44);
    for (int i = 0; o->marks && i < 4; i++)
        fill(c, MARKS[i][0] - MARK_SIZE / 2, MARKS[i][1] - MARK_SIZE / 2,
             MARKS[i][0] + MARK_SIZE / 2, MARKS[i][1] + MARK_SIZE / 2);
    int writer = o->writers[rng_int(r, o->n_writers)];
    if (fprintf(writers, "form-%03d\t%03d\n", pg, writer) < 0)
        return -1;
    char truth[4096] = "";
    size_t tl = 0;
    TextItem items[2 * N_FIELDS + 1];
    char values[N_FIELDS][64], labels[N_FIELDS][128];
    int ni = 0;
    items[ni++] = (TextItem){180, 380, title};
    for (int i = 0; i < N_FIELDS; i++) {
        const FieldDef *f = &FIELDS[i];
        char v[64];
        draw_field(o, r, c, f);
        char *lab = labels[i]; /* French: "Nom :" left of its field */
        snprintf(lab, sizeof labels[i], "%s%s", label_of(o, i),
                 o->french && f->label_left ? " :" : "");
        if (f->label_left)
            draw_text(face, c, lab, 80, f->y1 - 14, 30);
        else if (f->style == F_CHECK)
            draw_text(face, c, lab, f->x1 + 30, f->y1 - 10, 30);
        else
            draw_text(face, c, lab, f->x0, f->y0 - 18, 30);
        make_value(f, r, v, sizeof v);
        /* a label left of its field or right of its box is on its row */
        int mid = (f->y0 + f->y1) / 2,
            beside = f->label_left || f->style == F_CHECK;
        items[ni++] = (TextItem){beside ? mid : f->y0 - 30,
                                 f->label_left ? 80 : f->x0, lab};
        if (f->style != F_CHECK)
            items[ni++] = (TextItem){mid, f->x0 + 1, values[i]};
        if (f->style == F_CHECK) {
            if (!strcmp(v, "checked")) { /* a hand-drawn cross */
                int m = 8, w = f->x1 - f->x0;
                for (int k = m; k < w - m; k++)
                    for (int d = -2; d <= 2; d++) {
                        pixSetPixel(c, f->x0 + k, f->y0 + k + d, 30);
                        pixSetPixel(c, f->x1 - k, f->y0 + k + d, 30);
                    }
            }
        } else if (write_value(o, c, f, v, writer, r) < 0) {
            pixDestroy(&c);
            return -1;
        }
        tl += (size_t)snprintf(truth + tl, sizeof truth - tl, "%s\t%s\n",
                               f->name, v);
        snprintf(values[i], sizeof values[i], "%s", v);
    }
    /* another dpi, shift, rotation */
    double s = 1.0 + rng_range_d(r, -o->scale, o->scale);
    double dx = rng_range_d(r, -o->shift, o->shift);
    double dy = rng_range_d(r, -o->shift, o->shift);
    double ang = rng_range_d(r, -o->rotate, o->rotate);
    PIX *sc = pixScale(c, (float)s, (float)s);
    pixDestroy(&c);
    int idx = (int)lround(dx), idy = (int)lround(dy);
    PIX *sh = pixCreate(pixGetWidth(sc), pixGetHeight(sc), 8);
    pixSetAllArbitrary(sh, 255);
    pixRasterop(sh, idx, idy, pixGetWidth(sc), pixGetHeight(sc), PIX_SRC, sc, 0,
                0);
    pixDestroy(&sc);
    PIX *rot = fabs(ang) > 1e-3
                   ? pixRotate(sh, (float)(ang * M_PI / 180.0),
                               L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0)
                   : pixClone(sh);
    pixDestroy(&sh);
    /* a little sensor noise */
    for (int k = 0; k < pixGetWidth(rot) * pixGetHeight(rot) / 400; k++) {
        int x = rng_int(r, pixGetWidth(rot)), y = rng_int(r, pixGetHeight(rot));
        l_uint32 v;
        pixGetPixel(rot, x, y, &v);
        int nv = (int)v + (int)lround(rng_normal_d(r) * 20);
        pixSetPixel(rot, x, y, (l_uint32)(nv < 0 ? 0 : nv > 255 ? 255 : nv));
    }
    char path[4096];
    int rc;
    if (!strcmp(o->format, "g4")) {
        PIX *b = pixThresholdToBinary(rot, 160);
        pixSetResolution(b, (int)lround(200 * s), (int)lround(200 * s));
        snprintf(path, sizeof path, "%s/form-%03d.tif", o->out, pg);
        rc = pixWriteTiff(path, b, IFF_TIFF_G4, "w");
        pixDestroy(&b);
    } else {
        pixSetResolution(rot, (int)lround(200 * s), (int)lround(200 * s));
        snprintf(path, sizeof path, "%s/form-%03d.png", o->out, pg);
        rc = pixWrite(path, rot, IFF_PNG);
    }
    pixDestroy(&rot);
    if (rc)
        return -1;
    snprintf(path, sizeof path, "%s/form-%03d.truth.tsv", o->out, pg);
    FILE *fp = fopen(path, "w");
    if (!fp || fputs(truth, fp) == EOF)
        return -1;
    fclose(fp);
    if (write_transcript(o, pg, items, ni) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/form-%03d.xf", o->out, pg);
    fp = fopen(path, "w");
    if (!fp)
        return -1;
    fprintf(fp, "%.5f %.4f %.2f %.2f\n", s, ang, dx, dy);
    return fclose(fp);
}

static void usage(FILE *fp)
{
    fputs(
        "usage: form_compose --out DIR [--pages N] [--seed S]\n"
        "         [--writers 041-045] [--data CHARS74K] [--font TTF]\n"
        "         [--shift PX] [--scale F] [--rotate DEG] [--format png|g4]\n"
        "         [--lang en|fr] [--marks] [--line-gray G] [--line-gaps P]\n",
        fp);
}

int main(int argc, char **argv)
{
    Opts o = {NULL,
              "../shared/data/chars74k-hnd",
              "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
              "png",
              0,
              3,
              {0},
              0,
              1,
              30,
              0.1,
              2.0,
              0,
              0,
              0.0};
    const char *writers = "041-045";
    static const struct option lo[] = {
        {"out", 1, 0, 'o'},     {"pages", 1, 0, 'n'}, {"seed", 1, 0, 's'},
        {"writers", 1, 0, 'w'}, {"data", 1, 0, 'd'},  {"font", 1, 0, 'f'},
        {"shift", 1, 0, 'x'},   {"scale", 1, 0, 'k'}, {"rotate", 1, 0, 'r'},
        {"format", 1, 0, 'F'},  {"help", 0, 0, 'h'},  {"lang", 1, 0, 'l'},
        {"marks", 0, 0, 'M'},   {"line-gray", 1, 0, 'G'},
        {"line-gaps", 1, 0, 'P'}, {0, 0, 0, 0}};
    const char *lang = "en";
    int ch;
    while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (ch) {
        case 'o':
            o.out = optarg;
            break;
        case 'n':
            o.pages = atoi(optarg);
            break;
        case 's':
            o.seed = strtoull(optarg, NULL, 10);
            break;
        case 'w':
            writers = optarg;
            break;
        case 'd':
            o.data = optarg;
            break;
        case 'f':
            o.font = optarg;
            break;
        case 'x':
            o.shift = atof(optarg);
            break;
        case 'k':
            o.scale = atof(optarg);
            break;
        case 'r':
            o.rotate = atof(optarg);
            break;
        case 'F':
            o.format = optarg;
            break;
        case 'l':
            lang = optarg;
            break;
        case 'M':
            o.marks = 1;
            break;
        case 'G':
            o.line_gray = atoi(optarg);
            break;
        case 'P':
            o.line_gaps = atof(optarg);
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    int a, b;
    if (!o.out || o.pages < 1 || o.pages > 10000 ||
        sscanf(writers, "%d-%d", &a, &b) != 2 || a < 1 || b < a ||
        b - a >= 64 || (strcmp(o.format, "png") && strcmp(o.format, "g4")) ||
        (strcmp(lang, "en") && strcmp(lang, "fr")) || o.line_gray < 0 ||
        o.line_gray > 255 || !(o.line_gaps >= 0) || o.line_gaps > 90) {
        usage(stderr);
        return 2;
    }
    o.french = !strcmp(lang, "fr");
    for (int w = a; w <= b; w++)
        o.writers[o.n_writers++] = w;
    mkdir(o.out, 0777);
    FT_Library lib;
    FT_Face face;
    if (FT_Init_FreeType(&lib) || FT_New_Face(lib, o.font, 0, &face)) {
        fprintf(stderr, "form_compose: cannot load the font %s\n", o.font);
        return 1;
    }
    Rng r;
    rng_seed(&r, o.seed);
    int rc = write_template(&o);
    char wpath[4096];
    snprintf(wpath, sizeof wpath, "%s/writers.tsv", o.out);
    FILE *wfp = rc == 0 ? fopen(wpath, "w") : NULL;
    rc = wfp ? 0 : -1;
    for (int p = 0; rc == 0 && p < o.pages; p++)
        rc = compose_page(&o, face, p, &r, wfp);
    if (wfp && fclose(wfp) != 0)
        rc = -1;
    FT_Done_Face(face);
    FT_Done_FreeType(lib);
    if (rc) {
        fprintf(stderr, "form_compose: cannot write into %s\n", o.out);
        return 1;
    }
    return 0;
}
