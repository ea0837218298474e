/*
 * compose.c - compose test pages of handprinted text from real glyph images,
 * with the ground-truth text beside each page (issue 4).
 *
 *   build/tools/compose --out DIR [--pages N] [--seed S] [--writers 041-045]
 *                       [--source chars74k|hershey] [--format png|jpeg|tiff|g4]
 *                       [--multipage] [--skew DEG] [--noise SIGMA] ...
 *
 * Design: a page is drawn in three layers.
 *   1. Ink layer (8 bpp, 255 = no ink): lines of form-like text (labelled
 *      fields, dates, amounts, ids, short sentences) drawn glyph by glyph on
 *      baselines. Each glyph comes from the glyph source (Chars74K images of
 *      the chosen writers, cropped to their ink and scaled to a case
 *      dependent height; or a Hershey stroke font rendered with a jittered
 *      pen), gets a small random scale, rotation and baseline wobble, and is
 *      darkened onto the layer at the line's ink level. Boxes, underlines
 *      and comb fields around some values, and specks, go on the same layer.
 *   2. The ink layer is rotated by the page skew, then multiplied onto the
 *      paper (white, or grey with a smooth low-frequency variation).
 *   3. Blur, then Gaussian sensor noise, then the file format (grey PNG,
 *      JPEG, grey TIFF, bilevel G4 TIFF; optionally one multi-page TIFF).
 * The ground truth holds exactly the characters drawn, one text line per
 * line, words separated by one space; pages of a multi-page TIFF are
 * separated by a form feed (the same convention as `inkpipe ocr` text).
 *
 * Everything random is drawn from one splitmix64 stream seeded by --seed,
 * so a command line always produces the same pages. Only 0-9 A-Z a-z and
 * spaces are ever written: the recogniser's 62 classes.
 *
 * Chars74K: T. E. de Campos, B. R. Babu, M. Varma, "Character recognition
 * in natural images", VISAPP 2009 (ODbL 1.0).
 */
#include "common/err.h"
#include "common/rng.h"
#include "train/train_strokes.h"

#include <errno.h>
#include <getopt.h>
#include <leptonica/allheaders.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_WRITERS 64
#define N_CLASSES 62
#define MAX_WORDS 16
#define MAX_WORD_LEN 24
#define MAX_LINE_CHARS 256

static const char CLASS_CHARS[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* ---- options ---- */

enum { SRC_CHARS74K, SRC_HERSHEY };
enum { FMT_PNG, FMT_JPEG, FMT_TIFF, FMT_G4 };

typedef struct {
    const char *out_dir;
    const char *name;
    const char *data;  /* Chars74K root */
    const char *fonts; /* Hershey font folder */
    const char *font;  /* Hershey font name */
    uint64_t seed;
    int pages;
    int writers[MAX_WRITERS];
    int n_writers;
    int dpi;
    int lines; /* 0 = fill the page */
    int source;
    int format;
    int multipage;
    int glyph_boxes; /* write NAME.boxes.tsv */
    int small;
    int grey_paper;
    double skew;   /* max |degrees| */
    double noise;  /* sigma in grey levels */
    double blur;   /* box blur half-width in px */
    int specks;    /* per page */
    double boxes;  /* probability that a field value is boxed/underlined/combed */
    double height; /* cap height in mm */
} Opts;

static void usage(FILE *fp)
{
    fputs(
        "usage: compose --out DIR [options]\n"
        "Compose pages of handprinted text from real glyph images, with the\n"
        "ground truth beside each page (NAME.gt.txt: one text line per line;\n"
        "a form feed between the pages of a multi-page TIFF).\n"
        "\n"
        "  --out DIR            output folder (created if missing)\n"
        "  --name PREFIX        file name prefix (default page): PREFIX-001.png\n"
        "  --pages N            number of pages (default 1)\n"
        "  --seed S             random seed (default 1); same seed, same pages\n"
        "  --source SRC         chars74k (default) or hershey\n"
        "  --writers LIST       Chars74K writers, e.g. 041-045 or 1,7,40-45\n"
        "                       (default 041-045, held out from training)\n"
        "  --data DIR           Chars74K root (default\n"
        "                       ../shared/data/chars74k-hnd or $INKPIPE_CHARS74K)\n"
        "  --font LIST          Hershey fonts, comma-separated, one picked per\n"
        "                       line (default futural,rowmans); --fonts DIR\n"
        "                       (default /usr/share/hershey-fonts)\n"
        "  --dpi N              resolution (default 300)\n"
        "  --size a4|small      A4 portrait (default) or half an A4 (A5 landscape)\n"
        "  --lines N            text lines per page (default: as many as fit)\n"
        "  --height MM          cap height of the writing in mm (default 4.5)\n"
        "  --paper white|grey   paper colour (default white)\n"
        "  --skew DEG           page rotated by a random angle in [-DEG, DEG] (max 5)\n"
        "  --blur R             box blur of half-width R px (default 0)\n"
        "  --noise SIGMA        Gaussian pixel noise, grey levels (default 0)\n"
        "  --specks N           dark specks per page (default 0)\n"
        "  --boxes P            probability that a field value gets a box,\n"
        "                       underline or comb field (default 0)\n"
        "  --format FMT         png (grey, default), jpeg, tiff (grey, deflate)\n"
        "                       or g4 (bilevel CCITT G4 TIFF)\n"
        "  --multipage          all pages in one TIFF (needs --format tiff or g4)\n"
        "  --glyph-boxes        also write NAME.boxes.tsv: page, line, word, char,\n"
        "                       x0 y0 x1 y1 of every drawn glyph (after skew)\n"
        "  --help               this text\n",
        fp);
}

/* Parse "041-045" / "1,7,40-45" into o->writers. */
static int parse_writers(const char *s, Opts *o)
{
    const char *p = s;
    char *end;
    long a, b, i;

    o->n_writers = 0;
    while (*p) {
        a = strtol(p, &end, 10);
        if (end == p)
            return err_set("--writers '%s': expected a number at '%s'", s, p);
        b = a;
        p = end;
        if (*p == '-') {
            p++;
            b = strtol(p, &end, 10);
            if (end == p)
                return err_set("--writers '%s': expected a number after '-'", s);
            p = end;
        }
        if (a < 1 || b > 999 || b < a)
            return err_set("--writers '%s': bad range %ld-%ld", s, a, b);
        for (i = a; i <= b; i++) {
            if (o->n_writers == MAX_WRITERS)
                return err_set("--writers '%s': more than %d writers", s,
                               MAX_WRITERS);
            o->writers[o->n_writers++] = (int)i;
        }
        if (*p == ',')
            p++;
        else if (*p)
            return err_set("--writers '%s': unexpected '%c'", s, *p);
    }
    if (o->n_writers == 0)
        return err_set("--writers: empty list");
    return 0;
}

static int parse_num(const char *opt, const char *s, double lo, double hi,
                     double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    if (end == s || *end || errno || !(*v >= lo && *v <= hi))
        return err_set("%s '%s': expected a number in [%g, %g]", opt, s, lo, hi);
    return 0;
}

static int parse_args(int argc, char **argv, Opts *o)
{
    static const struct option longopts[] = {
        {"out", required_argument, 0, 'o'},
        {"name", required_argument, 0, 'n'},
        {"pages", required_argument, 0, 'p'},
        {"seed", required_argument, 0, 's'},
        {"source", required_argument, 0, 'S'},
        {"writers", required_argument, 0, 'w'},
        {"data", required_argument, 0, 'D'},
        {"font", required_argument, 0, 'F'},
        {"fonts", required_argument, 0, 'G'},
        {"dpi", required_argument, 0, 'd'},
        {"size", required_argument, 0, 'z'},
        {"lines", required_argument, 0, 'l'},
        {"height", required_argument, 0, 'H'},
        {"paper", required_argument, 0, 'P'},
        {"skew", required_argument, 0, 'k'},
        {"blur", required_argument, 0, 'b'},
        {"noise", required_argument, 0, 'N'},
        {"specks", required_argument, 0, 'x'},
        {"boxes", required_argument, 0, 'B'},
        {"format", required_argument, 0, 'f'},
        {"multipage", no_argument, 0, 'm'},
        {"glyph-boxes", no_argument, 0, 'g'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *env = getenv("INKPIPE_CHARS74K");
    double v;
    int c;

    memset(o, 0, sizeof *o);
    o->name = "page";
    o->data = env && *env ? env : "../shared/data/chars74k-hnd";
    o->fonts = "/usr/share/hershey-fonts";
    o->font = "futural,rowmans";
    o->seed = 1;
    o->pages = 1;
    o->dpi = 300;
    o->height = 4.5;
    parse_writers("041-045", o);
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': o->out_dir = optarg; break;
        case 'n':
            if (!*optarg || strchr(optarg, '/'))
                return err_set("--name '%s': must be a plain file name", optarg);
            o->name = optarg;
            break;
        case 'p':
            if (parse_num("--pages", optarg, 1, 10000, &v) < 0) return -1;
            o->pages = (int)v;
            break;
        case 's':
            if (parse_num("--seed", optarg, 0, 1e15, &v) < 0) return -1;
            o->seed = (uint64_t)v;
            break;
        case 'S':
            if (strcmp(optarg, "chars74k") == 0) o->source = SRC_CHARS74K;
            else if (strcmp(optarg, "hershey") == 0) o->source = SRC_HERSHEY;
            else return err_set("--source '%s': expected chars74k or hershey", optarg);
            break;
        case 'w':
            if (parse_writers(optarg, o) < 0) return -1;
            break;
        case 'D': o->data = optarg; break;
        case 'F': o->font = optarg; break;
        case 'G': o->fonts = optarg; break;
        case 'd':
            if (parse_num("--dpi", optarg, 50, 1200, &v) < 0) return -1;
            o->dpi = (int)v;
            break;
        case 'z':
            if (strcmp(optarg, "a4") == 0) o->small = 0;
            else if (strcmp(optarg, "small") == 0) o->small = 1;
            else return err_set("--size '%s': expected a4 or small", optarg);
            break;
        case 'l':
            if (parse_num("--lines", optarg, 1, 200, &v) < 0) return -1;
            o->lines = (int)v;
            break;
        case 'H':
            if (parse_num("--height", optarg, 1.5, 20, &o->height) < 0) return -1;
            break;
        case 'P':
            if (strcmp(optarg, "white") == 0) o->grey_paper = 0;
            else if (strcmp(optarg, "grey") == 0 || strcmp(optarg, "gray") == 0)
                o->grey_paper = 1;
            else return err_set("--paper '%s': expected white or grey", optarg);
            break;
        case 'k':
            if (parse_num("--skew", optarg, 0, 5, &o->skew) < 0) return -1;
            break;
        case 'b':
            if (parse_num("--blur", optarg, 0, 5, &o->blur) < 0) return -1;
            break;
        case 'N':
            if (parse_num("--noise", optarg, 0, 64, &o->noise) < 0) return -1;
            break;
        case 'x':
            if (parse_num("--specks", optarg, 0, 100000, &v) < 0) return -1;
            o->specks = (int)v;
            break;
        case 'B':
            if (parse_num("--boxes", optarg, 0, 1, &o->boxes) < 0) return -1;
            break;
        case 'f':
            if (strcmp(optarg, "png") == 0) o->format = FMT_PNG;
            else if (strcmp(optarg, "jpeg") == 0 || strcmp(optarg, "jpg") == 0)
                o->format = FMT_JPEG;
            else if (strcmp(optarg, "tiff") == 0) o->format = FMT_TIFF;
            else if (strcmp(optarg, "g4") == 0) o->format = FMT_G4;
            else return err_set("--format '%s': expected png, jpeg, tiff or g4", optarg);
            break;
        case 'm': o->multipage = 1; break;
        case 'g': o->glyph_boxes = 1; break;
        case 'h': return 1;
        default:
            return err_set("unknown or incomplete option '%s' (see --help)",
                           argv[optind - 1]);
        }
    }
    if (optind < argc)
        return err_set("unexpected argument '%s' (see --help)", argv[optind]);
    if (!o->out_dir)
        return err_set("--out DIR is required (see --help)");
    if (o->multipage && o->format != FMT_TIFF && o->format != FMT_G4)
        return err_set("--multipage needs --format tiff or g4");
    return 0;
}

/* ---- glyph sources ---- */

/* A glyph ready to place: 8 bpp, 255 = paper, tight around the ink. */
typedef struct {
    PIX *pix;
    int base; /* baseline row, counted from the top row of pix */
} Glyph;

/* The hand that writes one line: who, how big, how slanted, which pen. */
typedef struct {
    int writer;   /* index into Opts.writers (Chars74K) or Opts.font list */
    double cap;   /* cap height in px */
    double slant; /* Hershey: tan of the slant angle */
    double pen;   /* Hershey: pen width relative to the cap height */
} Hand;

#define MAX_FONTS 8

typedef struct {
    const Opts *o;
    PIX *cache[MAX_WRITERS][N_CLASSES]; /* Chars74K, cropped originals */
    RecStrokeFont *fonts[MAX_FONTS];
    int n_fonts;
} Source;

static int class_of(int ch)
{
    const char *p = ch ? strchr(CLASS_CHARS, ch) : NULL;
    return p ? (int)(p - CLASS_CHARS) : -1;
}

/* Crop an 8 bpp image to its ink (grey < 200); NULL when there is none. */
static PIX *crop_ink(PIX *pix8)
{
    PIX *pix1 = pixThresholdToBinary(pix8, 200), *out = NULL;
    BOX *box = NULL;
    if (!pix1)
        return NULL;
    if (pixClipToForeground(pix1, NULL, &box) == 0 && box) {
        out = pixClipRectangle(pix8, box, NULL);
        boxDestroy(&box);
    }
    pixDestroy(&pix1);
    return out;
}

static PIX *chars74k_load(Source *src, int wi, int cls)
{
    char path[1024];
    PIX *pix, *pix8;

    if (src->cache[wi][cls])
        return src->cache[wi][cls];
    snprintf(path, sizeof path, "%s/Img/Sample%03d/img%03d-%03d.png",
             src->o->data, cls + 1, cls + 1, src->o->writers[wi]);
    pix = pixRead(path);
    if (!pix) {
        err_set("%s: cannot read (Chars74K glyph '%c' of writer %03d; see "
                "--data, --writers)", path, CLASS_CHARS[cls],
                src->o->writers[wi]);
        return NULL;
    }
    pix8 = pixConvertTo8(pix, 0);
    pixDestroy(&pix);
    if (!pix8) {
        err_set("%s: cannot convert to grey", path);
        return NULL;
    }
    src->cache[wi][cls] = crop_ink(pix8);
    pixDestroy(&pix8);
    if (!src->cache[wi][cls])
        err_set("%s: no ink", path);
    return src->cache[wi][cls];
}

/* Height of ch relative to the cap height, and how far below the baseline
 * its bottom lies (also relative to the cap height). */
static void case_metrics(int ch, double *ph, double *pdesc)
{
    *pdesc = 0.0;
    if (strchr("gpqy", ch)) {
        *ph = 0.95;
        *pdesc = 0.35;
    } else if (ch == 'j') {
        *ph = 1.15;
        *pdesc = 0.35;
    } else if (strchr("it", ch)) {
        *ph = 0.8;
    } else if (strchr("bdfhkl", ch) || !(ch >= 'a' && ch <= 'z')) {
        *ph = 1.0; /* ascenders, capitals, digits */
    } else {
        *ph = 0.6; /* x-height letters */
    }
}

/* Rotate an 8 bpp glyph by deg degrees without clipping its corners. */
static PIX *rotate_glyph(PIX *pix, double deg)
{
    int pad = (pixGetWidth(pix) + pixGetHeight(pix)) / 4 + 2;
    PIX *big = pixAddBorder(pix, pad, 255), *rot, *out;
    if (!big)
        return NULL;
    rot = pixRotate(big, (float)(deg * M_PI / 180.0), L_ROTATE_AREA_MAP,
                    L_BRING_IN_WHITE, 0, 0);
    pixDestroy(&big);
    if (!rot)
        return NULL;
    out = crop_ink(rot);
    pixDestroy(&rot);
    return out;
}

static int glyph_chars74k(Source *src, int ch, const Hand *hand, Rng *r,
                          Glyph *g)
{
    double hrel, desc, target, scale, cap = hand->cap;
    PIX *orig = chars74k_load(src, hand->writer, class_of(ch)), *scaled, *rot;
    int h;

    if (!orig)
        return -1;
    case_metrics(ch, &hrel, &desc);
    target = cap * hrel * rng_range_d(r, 0.92, 1.08);
    scale = target / pixGetHeight(orig);
    /* very wide shapes (a flat 'm', 'w') would dwarf their neighbours */
    if (pixGetWidth(orig) * scale > 1.4 * cap)
        scale = 1.4 * cap / pixGetWidth(orig);
    scaled = pixScale(orig, (float)scale, (float)scale);
    if (!scaled)
        return err_set("scaling glyph '%c' failed", ch);
    rot = rotate_glyph(scaled, rng_range_d(r, -3.0, 3.0));
    pixDestroy(&scaled);
    if (!rot)
        return err_set("rotating glyph '%c' failed", ch);
    h = pixGetHeight(rot);
    g->pix = rot;
    g->base = (int)lround(h - desc * cap + rng_range_d(r, -0.03, 0.03) * cap);
    return 0;
}

static int glyph_hershey(Source *src, int ch, const Hand *hand, Rng *r,
                         Glyph *g)
{
    double cap = hand->cap;
    RecStrokeStyle st;
    char text[2] = {(char)ch, 0};
    PIX *pix, *crop, *pix1;
    BOX *box = NULL;
    int base = 0;

    rec_stroke_style_init(&st);
    st.height = (float)(cap * rng_range_d(r, 0.92, 1.08));
    st.pen = (float)fmax(1.0, cap * hand->pen * rng_range_d(r, 0.95, 1.05));
    st.slant = (float)(hand->slant + rng_range_d(r, -0.03, 0.03));
    st.jitter = (float)(cap * 0.025);
    st.seed = rng_next(r);
    st.margin = 4;
    pix = rec_stroke_font_render(src->fonts[hand->writer], text, &st, &base);
    if (!pix)
        return err_prefix("hershey glyph '%c'", ch);
    pix1 = pixThresholdToBinary(pix, 200);
    if (!pix1 || pixClipToForeground(pix1, NULL, &box) != 0 || !box) {
        pixDestroy(&pix1);
        pixDestroy(&pix);
        return err_set("hershey glyph '%c': no ink", ch);
    }
    crop = pixClipRectangle(pix, box, NULL);
    g->pix = crop;
    g->base = base - box->y + (int)lround(rng_range_d(r, -0.03, 0.03) * cap);
    boxDestroy(&box);
    pixDestroy(&pix1);
    pixDestroy(&pix);
    return crop ? 0 : err_set("hershey glyph '%c': crop failed", ch);
}

static int source_glyph(Source *src, int ch, const Hand *hand, Rng *r,
                        Glyph *g)
{
    g->pix = NULL;
    if (class_of(ch) < 0)
        return err_set("no glyph for character 0x%02x", ch & 0xff);
    if (src->o->source == SRC_HERSHEY)
        return glyph_hershey(src, ch, hand, r, g);
    return glyph_chars74k(src, ch, hand, r, g);
}

static int source_init(Source *src, const Opts *o)
{
    char path[1024];
    int wi, c;

    memset(src, 0, sizeof *src);
    src->o = o;
    if (o->source == SRC_HERSHEY) {
        /* --font is a comma-separated list; each line picks one */
        const char *f = o->font;
        while (*f) {
            size_t n = strcspn(f, ",");
            if (src->n_fonts == MAX_FONTS)
                return err_set("--font: more than %d fonts", MAX_FONTS);
            snprintf(path, sizeof path, "%s/%.*s.jhf", o->fonts, (int)n, f);
            src->fonts[src->n_fonts] = rec_stroke_font_load(path);
            if (!src->fonts[src->n_fonts])
                return -1;
            src->n_fonts++;
            f += n;
            if (*f == ',')
                f++;
        }
        return src->n_fonts > 0 ? 0 : err_set("--font: no font named");
    }
    /* Check every file now, so a missing one fails before any output;
     * decoding waits until a glyph is needed (most pages use a fraction). */
    for (wi = 0; wi < o->n_writers; wi++)
        for (c = 0; c < N_CLASSES; c++) {
            struct stat st;
            snprintf(path, sizeof path, "%s/Img/Sample%03d/img%03d-%03d.png",
                     o->data, c + 1, c + 1, o->writers[wi]);
            if (stat(path, &st) != 0)
                return err_set_errno("%s (Chars74K glyph '%c' of writer "
                                     "%03d; see --data, --writers)",
                                     path, CLASS_CHARS[c], o->writers[wi]);
        }
    return 0;
}

static void source_cleanup(Source *src)
{
    int wi, c;
    for (wi = 0; wi < MAX_WRITERS; wi++)
        for (c = 0; c < N_CLASSES; c++)
            pixDestroy(&src->cache[wi][c]);
    for (wi = 0; wi < MAX_FONTS; wi++)
        rec_stroke_font_destroy(&src->fonts[wi]);
}

/* ---- text: a small built-in vocabulary of form-like content ---- */

static const char *const FIRST[] = {
    "Ada", "Alan", "Maria", "John", "Grace", "Lena", "Omar", "Sofia", "Peter",
    "Nina", "Karl", "Emma", "Lucas", "Hanna", "Ivan", "Julia", "Marc", "Ruth",
    "Tom", "Clara", "Felix", "Irene", "Hugo", "Zoe", "Victor", "Mia"};
static const char *const LAST[] = {
    "Lovelace", "Turing", "Curie", "Smith", "Hopper", "Meyer", "Haddad",
    "Rossi", "Novak", "Berg", "Jensen", "Keller", "Dubois", "Nilsson",
    "Petrov", "Wagner", "Moreau", "Quinn", "Young", "Garcia", "Fischer",
    "Brown", "Okafor", "Larsen", "Weber", "Kowalski"};
static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const CITIES[] = {
    "London", "Paris", "Berlin", "Madrid", "Oslo", "Vienna", "Dublin", "Rome",
    "Prague", "Lisbon", "Zurich", "Leeds", "Bristol", "Lyon", "Munich",
    "Krakow", "Bergen", "Gent"};
static const char *const STREETS[] = {"Road", "Street", "Lane", "Avenue",
                                      "Way", "Close", "Hill", "Park"};
static const char *const ITEMS[] = {
    "Chairs", "Paper", "Toner", "Cables", "Lamps", "Desks", "Boxes", "Tape",
    "Pens", "Folders", "Screws", "Paint", "Gloves", "Bulbs"};
static const char *const WORDS[] = {
    "the", "parcel", "was", "sent", "on", "time", "please", "call", "me",
    "after", "five", "we", "need", "two", "more", "copies", "of", "this",
    "form", "by", "next", "week", "thank", "you", "for", "your", "order",
    "all", "items", "arrived", "in", "good", "shape", "and", "were", "checked",
    "kept", "at", "front", "desk", "signed", "received", "with", "care", "new",
    "address", "from", "May", "invoice", "paid", "cash", "bank", "transfer",
    "room", "key", "left", "door", "open", "quiet", "hours", "only", "return",
    "to", "sender", "if", "not", "found", "see", "notes", "below", "ok"};

#define N_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define PICK(r, a) ((a)[rng_int_in((r), 0, N_OF(a) - 1)])

enum { DECO_NONE, DECO_BOX, DECO_UNDERLINE, DECO_COMB };

typedef struct {
    char words[MAX_WORDS][MAX_WORD_LEN];
    int n;
    int value_from; /* first word of the field value (n = no field) */
    int comb_ok;    /* value is one short word: a comb field can hold it */
} TextLine;

static void tl_add(TextLine *t, const char *w)
{
    if (t->n < MAX_WORDS) {
        snprintf(t->words[t->n], MAX_WORD_LEN, "%s", w);
        t->n++;
    }
}

static void tl_addf_digits(TextLine *t, Rng *r, int n_digits)
{
    char buf[MAX_WORD_LEN];
    int i;
    for (i = 0; i < n_digits && i < MAX_WORD_LEN - 1; i++)
        buf[i] = (char)('0' + rng_int_in(r, i == 0 ? 1 : 0, 9));
    buf[i] = '\0';
    tl_add(t, buf);
}

static void make_line(Rng *r, TextLine *t)
{
    char buf[MAX_WORD_LEN];
    int kind = rng_int_in(r, 0, 9), i, n;

    memset(t, 0, sizeof *t);
    switch (kind) {
    case 0:
        tl_add(t, "Name");
        t->value_from = t->n;
        tl_add(t, PICK(r, FIRST));
        tl_add(t, PICK(r, LAST));
        break;
    case 1:
        tl_add(t, rng_int_in(r, 0, 1) ? "Date" : "Due");
        t->value_from = t->n;
        snprintf(buf, sizeof buf, "%d", rng_int_in(r, 1, 28));
        tl_add(t, buf);
        tl_add(t, PICK(r, MONTHS));
        snprintf(buf, sizeof buf, "%d", rng_int_in(r, 1990, 2029));
        tl_add(t, buf);
        break;
    case 2:
        tl_add(t, rng_int_in(r, 0, 1) ? "Amount" : "Total");
        t->value_from = t->n;
        tl_addf_digits(t, r, rng_int_in(r, 2, 6));
        tl_add(t, rng_int_in(r, 0, 1) ? "EUR" : "GBP");
        break;
    case 3:
        tl_add(t, rng_int_in(r, 0, 1) ? "Ref" : "Account");
        t->value_from = t->n;
        buf[0] = (char)('A' + rng_int_in(r, 0, 25));
        buf[1] = (char)('A' + rng_int_in(r, 0, 25));
        for (i = 2; i < 8; i++)
            buf[i] = (char)('0' + rng_int_in(r, 0, 9));
        buf[8] = '\0';
        tl_add(t, buf);
        t->comb_ok = 1;
        break;
    case 4:
        tl_add(t, "Phone");
        t->value_from = t->n;
        tl_addf_digits(t, r, 4);
        tl_addf_digits(t, r, 6);
        break;
    case 5:
        tl_add(t, "Street");
        t->value_from = t->n;
        snprintf(buf, sizeof buf, "%d", rng_int_in(r, 1, 240));
        tl_add(t, buf);
        tl_add(t, PICK(r, LAST));
        tl_add(t, PICK(r, STREETS));
        break;
    case 6:
        tl_add(t, "City");
        t->value_from = t->n;
        tl_add(t, PICK(r, CITIES));
        tl_addf_digits(t, r, 5);
        break;
    case 7:
        tl_add(t, rng_int_in(r, 0, 1) ? "Item" : "Qty");
        t->value_from = t->n;
        snprintf(buf, sizeof buf, "%d", rng_int_in(r, 1, 500));
        tl_add(t, buf);
        tl_add(t, PICK(r, ITEMS));
        break;
    default: /* a short sentence */
        n = rng_int_in(r, 3, 9);
        for (i = 0; i < n; i++) {
            snprintf(buf, sizeof buf, "%s", PICK(r, WORDS));
            if (i == 0 && buf[0] >= 'a' && buf[0] <= 'z')
                buf[0] = (char)(buf[0] - 'a' + 'A');
            tl_add(t, buf);
        }
        t->value_from = t->n;
        break;
    }
}

/* ---- drawing on the ink layer (8 bpp, 255 = no ink) ---- */

/* Ground-truth box of one drawn glyph (page coordinates, x1/y1
 * exclusive); line and word count from 1 within the page / line. */
typedef struct {
    int line, word;
    char ch;
    int x0, y0, x1, y1;
} GtBox;

typedef struct {
    GtBox *v;
    int n, cap;
} GtBoxes;

static int boxes_add(GtBoxes *b, const GtBox *box)
{
    if (b->n == b->cap) {
        int nc = b->cap ? b->cap * 2 : 1024;
        GtBox *nv = realloc(b->v, (size_t)nc * sizeof *nv);
        if (!nv)
            return err_set("out of memory (glyph boxes)");
        b->v = nv;
        b->cap = nc;
    }
    b->v[b->n++] = *box;
    return 0;
}

typedef struct {
    l_uint32 *data;
    int wpl, w, h;
    GtBoxes *boxes; /* [optional] where drawn glyphs are recorded */
    int line;       /* current line number (from 1) */
} Canvas;

static void canvas_from(Canvas *c, PIX *pix)
{
    c->data = pixGetData(pix);
    c->wpl = pixGetWpl(pix);
    c->w = pixGetWidth(pix);
    c->h = pixGetHeight(pix);
    c->boxes = NULL;
    c->line = 0;
}

/* Darken the canvas with a glyph whose top-left is at (x, y); ink is the
 * grey level of full coverage. */
static void blit_glyph(Canvas *c, PIX *g, int x, int y, int ink)
{
    l_uint32 *gd = pixGetData(g), *row, *grow;
    int gw = pixGetWidth(g), gh = pixGetHeight(g), gwpl = pixGetWpl(g);
    int i, j, v, cov, old;

    for (i = 0; i < gh; i++) {
        if (y + i < 0 || y + i >= c->h)
            continue;
        row = c->data + (size_t)(y + i) * c->wpl;
        grow = gd + (size_t)i * gwpl;
        for (j = 0; j < gw; j++) {
            if (x + j < 0 || x + j >= c->w)
                continue;
            cov = 255 - GET_DATA_BYTE(grow, j);
            if (cov <= 0)
                continue;
            v = 255 - (cov * (255 - ink) + 127) / 255;
            old = GET_DATA_BYTE(row, x + j);
            if (v < old)
                SET_DATA_BYTE(row, x + j, v);
        }
    }
}

static void fill_rect(Canvas *c, int x0, int y0, int x1, int y1, int ink)
{
    int x, y;
    l_uint32 *row;
    if (x0 < 0) x0 = 0;
    if (y0 < 0) y0 = 0;
    if (x1 > c->w) x1 = c->w;
    if (y1 > c->h) y1 = c->h;
    for (y = y0; y < y1; y++) {
        row = c->data + (size_t)y * c->wpl;
        for (x = x0; x < x1; x++)
            if (ink < (int)GET_DATA_BYTE(row, x))
                SET_DATA_BYTE(row, x, ink);
    }
}

static void draw_speck(Canvas *c, Rng *r, int dpi)
{
    double rad = rng_range_d(r, 0.6, 1.0 + dpi / 150.0);
    int cx = rng_int_in(r, 0, c->w - 1), cy = rng_int_in(r, 0, c->h - 1);
    int ink = rng_int_in(r, 30, 150), x, y, R = (int)ceil(rad);
    l_uint32 *row;

    for (y = cy - R; y <= cy + R; y++) {
        if (y < 0 || y >= c->h)
            continue;
        row = c->data + (size_t)y * c->wpl;
        for (x = cx - R; x <= cx + R; x++) {
            double d = hypot(x - cx, y - cy);
            if (x < 0 || x >= c->w || d > rad)
                continue;
            if (ink < (int)GET_DATA_BYTE(row, x))
                SET_DATA_BYTE(row, x, ink);
        }
    }
}

/* ---- one page ---- */

typedef struct {
    Glyph g[MAX_WORD_LEN];
    int n;
    int width; /* with the gaps between letters */
    int gaps[MAX_WORD_LEN];
} WordGlyphs;

static void word_free(WordGlyphs *w)
{
    int i;
    for (i = 0; i < w->n; i++)
        pixDestroy(&w->g[i].pix);
    w->n = 0;
}

static int word_make(Source *src, const char *text, const Hand *hand,
                     Rng *r, WordGlyphs *w)
{
    int i;
    w->n = 0;
    w->width = 0;
    for (i = 0; text[i] && i < MAX_WORD_LEN; i++) {
        if (source_glyph(src, (unsigned char)text[i], hand, r, &w->g[i]) < 0) {
            word_free(w);
            return -1;
        }
        w->n++;
        w->gaps[i] = (int)lround(hand->cap * rng_range_d(r, 0.10, 0.22));
        w->width += pixGetWidth(w->g[i].pix) + (i ? w->gaps[i] : 0);
    }
    return 0;
}

/* Draw the words of one line on the baseline; returns the ground truth
 * (what was drawn) in gt, or -1 on error. */
static int draw_line(Source *src, Canvas *c, const TextLine *t, int x0,
                     int xmax, int baseline, const Hand *hand, int ink,
                     int deco, Rng *r, const Opts *o, char *gt, size_t gtcap)
{
    WordGlyphs w;
    int x = x0, wi, i, vx0 = -1, vx1 = -1, cell = 0, n_drawn = 0;
    int th = o->dpi >= 200 ? o->dpi / 150 : 1, line_ink = rng_int_in(r, 40, 110);
    size_t len = 0;
    double cap = hand->cap;

    gt[0] = '\0';
    for (wi = 0; wi < t->n; wi++) {
        int comb = deco == DECO_COMB && wi >= t->value_from;
        if (word_make(src, t->words[wi], hand, r, &w) < 0)
            return -1;
        if (comb)
            cell = (int)lround(cap * 0.95);
        if (wi == t->value_from && deco != DECO_NONE)
            x += (int)(cap * 0.4); /* room for the box's left edge */
        {
            int need = comb ? cell * w.n : w.width;
            if (x + need > xmax) {
                word_free(&w);
                break;
            }
        }
        if (wi >= t->value_from && vx0 < 0)
            vx0 = x;
        for (i = 0; i < w.n; i++) {
            PIX *p = w.g[i].pix;
            int gx;
            if (comb)
                gx = x + i * cell + (cell - pixGetWidth(p)) / 2;
            else {
                gx = x;
                x += pixGetWidth(p) + (i + 1 < w.n ? w.gaps[i + 1] : 0);
            }
            blit_glyph(c, p, gx, baseline - w.g[i].base, ink);
            if (c->boxes) {
                GtBox b = {c->line, n_drawn + 1, t->words[wi][i], gx,
                           baseline - w.g[i].base, gx + pixGetWidth(p),
                           baseline - w.g[i].base + pixGetHeight(p)};
                if (boxes_add(c->boxes, &b) < 0) {
                    word_free(&w);
                    return -1;
                }
            }
        }
        if (comb)
            x += cell * w.n;
        if (wi >= t->value_from)
            vx1 = x;
        len += (size_t)snprintf(gt + len, gtcap - len, "%s%s",
                                n_drawn ? " " : "", t->words[wi]);
        n_drawn++;
        word_free(&w);
        x += (int)lround(cap * rng_range_d(r, 0.55, 0.85));
    }
    if (vx0 >= 0 && vx1 > vx0) {
        int pad = (int)(cap * 0.3);
        int top = baseline - (int)(cap * 1.35), bot = baseline + (int)(cap * 0.6);
        switch (deco) {
        case DECO_BOX:
            fill_rect(c, vx0 - pad, top, vx1 + pad, top + th, line_ink);
            fill_rect(c, vx0 - pad, bot, vx1 + pad, bot + th, line_ink);
            fill_rect(c, vx0 - pad, top, vx0 - pad + th, bot + th, line_ink);
            fill_rect(c, vx1 + pad - th, top, vx1 + pad, bot + th, line_ink);
            break;
        case DECO_UNDERLINE:
            fill_rect(c, vx0 - pad, bot, vx1 + pad, bot + th, line_ink);
            break;
        case DECO_COMB:
            fill_rect(c, vx0, bot, vx1, bot + th, line_ink);
            for (i = vx0; i <= vx1; i += cell)
                fill_rect(c, i, bot - (int)(cap * 0.45), i + th, bot + th,
                          line_ink);
            break;
        default:
            break;
        }
    }
    return 0;
}

static void page_size(const Opts *o, int *pw, int *ph)
{
    double wmm = o->small ? 210.0 : 210.0, hmm = o->small ? 148.5 : 297.0;
    *pw = (int)lround(wmm / 25.4 * o->dpi);
    *ph = (int)lround(hmm / 25.4 * o->dpi);
}

/* Compose one page; returns the final 8 bpp page and its ground truth
 * (appended to gt, one line per text line). */
/* Map boxes through Leptonica's rotation of a w x h image about its
 * centre by deg degrees (clockwise positive, y down), clipped to the page. */
static void boxes_rotate(GtBoxes *b, int from, double deg, int w, int h)
{
    double a = deg * M_PI / 180.0, cs = cos(a), sn = sin(a);
    double cx = w / 2.0, cy = h / 2.0;
    int i, k;

    for (i = from; i < b->n; i++) {
        GtBox *bx = &b->v[i];
        double xs[4] = {bx->x0, bx->x1, bx->x0, bx->x1};
        double ys[4] = {bx->y0, bx->y0, bx->y1, bx->y1};
        double mnx = 1e18, mny = 1e18, mxx = -1e18, mxy = -1e18;
        for (k = 0; k < 4; k++) {
            double dx = xs[k] - cx, dy = ys[k] - cy;
            double X = cx + dx * cs - dy * sn, Y = cy + dx * sn + dy * cs;
            mnx = fmin(mnx, X); mxx = fmax(mxx, X);
            mny = fmin(mny, Y); mxy = fmax(mxy, Y);
        }
        bx->x0 = (int)fmax(0, floor(mnx));
        bx->y0 = (int)fmax(0, floor(mny));
        bx->x1 = (int)fmin(w, ceil(mxx));
        bx->y1 = (int)fmin(h, ceil(mxy));
    }
}

static PIX *compose_page(Source *src, const Opts *o, Rng *r, char **gt,
                         size_t *gtlen, GtBoxes *boxes)
{
    int pw, ph, margin, baseline, n = 0, ink, deco, i, x, y, box_from;
    double cap0;
    Hand hand;
    PIX *inkl, *rot, *page;
    Canvas c;
    TextLine t;
    char line[MAX_LINE_CHARS * 2];
    size_t need;

    page_size(o, &pw, &ph);
    margin = (int)lround(15.0 / 25.4 * o->dpi);
    cap0 = o->height / 25.4 * o->dpi;
    inkl = pixCreate(pw, ph, 8);
    if (!inkl) {
        err_set("cannot allocate a %dx%d page", pw, ph);
        return NULL;
    }
    pixSetAll(inkl);
    canvas_from(&c, inkl);
    c.boxes = boxes;
    box_from = boxes ? boxes->n : 0;

    baseline = margin + (int)(cap0 * 1.5);
    while (baseline + cap0 * 0.6 < ph - margin &&
           (o->lines == 0 || n < o->lines)) {
        hand.cap = cap0 * rng_range_d(r, 0.9, 1.1);
        hand.writer = rng_int_in(r, 0, (o->source == SRC_HERSHEY ? src->n_fonts
                                                              : o->n_writers) - 1);
        hand.slant = rng_range_d(r, -0.08, 0.25);
        hand.pen = rng_range_d(r, 0.07, 0.12);
        ink = rng_int_in(r, 10, 70);
        make_line(r, &t);
        deco = DECO_NONE;
        if (t.value_from < t.n && rng_uniform_d(r) < o->boxes)
            deco = t.comb_ok && rng_uniform_d(r) < 0.5 ? DECO_COMB
                                                  : rng_int_in(r, DECO_BOX, DECO_UNDERLINE);
        x = margin + (int)(hand.cap * rng_range_d(r, 0.0, 2.0));
        c.line = n + 1;
        if (draw_line(src, &c, &t, x, pw - margin, baseline, &hand, ink,
                      deco, r, o, line, sizeof line) < 0) {
            pixDestroy(&inkl);
            return NULL;
        }
        if (line[0]) {
            need = *gtlen + strlen(line) + 2;
            char *ng = realloc(*gt, need + 1);
            if (!ng) {
                pixDestroy(&inkl);
                err_set("out of memory");
                return NULL;
            }
            *gt = ng;
            *gtlen += (size_t)sprintf(*gt + *gtlen, "%s\n", line);
            n++;
        }
        baseline += (int)(cap0 * rng_range_d(r, 2.1, 2.5));
        if (rng_uniform_d(r) < 0.2) /* a new block */
            baseline += (int)(cap0 * rng_range_d(r, 1.0, 2.0));
    }
    for (i = 0; i < o->specks; i++)
        draw_speck(&c, r, o->dpi);

    /* skew: rotate the ink, not the paper */
    if (o->skew > 0) {
        double deg = rng_range_d(r, -o->skew, o->skew);
        rot = pixRotate(inkl, (float)(deg * M_PI / 180.0), L_ROTATE_AREA_MAP,
                        L_BRING_IN_WHITE, 0, 0);
        pixDestroy(&inkl);
        if (!rot) {
            err_set("page rotation failed");
            return NULL;
        }
        inkl = rot;
        if (boxes)
            boxes_rotate(boxes, box_from, deg, pw, ph);
    } else {
        (void)rng_next(r); /* keep the stream aligned across --skew 0/x */
    }

    /* paper: white, or grey with a smooth variation from a coarse grid */
    page = pixCreate(pw, ph, 8);
    if (!page) {
        pixDestroy(&inkl);
        err_set("cannot allocate a %dx%d page", pw, ph);
        return NULL;
    }
    {
        enum { GX = 6, GY = 8 };
        double grid[GY + 1][GX + 1], base = o->grey_paper ? rng_range_d(r, 212, 232) : 255;
        l_uint32 *prow, *irow;
        int gx, gy;
        for (gy = 0; gy <= GY; gy++)
            for (gx = 0; gx <= GX; gx++)
                grid[gy][gx] = o->grey_paper ? base + rng_range_d(r, -7, 7) : 255;
        for (y = 0; y < ph; y++) {
            double fy = (double)y / ph * GY;
            int y0 = (int)fy;
            double ty = fy - y0;
            if (y0 >= GY) { y0 = GY - 1; ty = 1.0; }
            prow = pixGetData(page) + (size_t)y * pixGetWpl(page);
            irow = pixGetData(inkl) + (size_t)y * pixGetWpl(inkl);
            for (x = 0; x < pw; x++) {
                double fx = (double)x / pw * GX, tx, p;
                int x0 = (int)fx;
                if (x0 >= GX) x0 = GX - 1;
                tx = fx - x0;
                p = (grid[y0][x0] * (1 - tx) + grid[y0][x0 + 1] * tx) * (1 - ty) +
                    (grid[y0 + 1][x0] * (1 - tx) + grid[y0 + 1][x0 + 1] * tx) * ty;
                p = p * GET_DATA_BYTE(irow, x) / 255.0;
                SET_DATA_BYTE(prow, x, (int)lround(fmin(255.0, fmax(0.0, p))));
            }
        }
    }
    pixDestroy(&inkl);

    if (o->blur > 0) {
        int br = (int)lround(o->blur);
        PIX *b = br > 0 ? pixBlockconv(page, br, br) : NULL;
        if (b) {
            pixDestroy(&page);
            page = b;
        }
    }
    if (o->noise > 0) {
        l_uint32 *prow;
        for (y = 0; y < ph; y++) {
            prow = pixGetData(page) + (size_t)y * pixGetWpl(page);
            for (x = 0; x < pw; x++) {
                double v = GET_DATA_BYTE(prow, x) + o->noise * rng_normal_d_clamp(r);
                SET_DATA_BYTE(prow, x, (int)lround(fmin(255.0, fmax(0.0, v))));
            }
        }
    }
    pixSetResolution(page, o->dpi, o->dpi);
    return page;
}

/* ---- files ---- */

static int write_text(const char *path, const char *text, size_t len)
{
    FILE *fp = fopen(path, "wb");
    int rc = 0;
    if (!fp)
        return err_set_errno("%s", path);
    if (fwrite(text, 1, len, fp) != len)
        rc = err_set_errno("%s: write", path);
    if (fclose(fp) != 0 && rc == 0)
        rc = err_set_errno("%s: close", path);
    return rc;
}

static int write_boxes(const char *path, const GtBoxes *b, const int *pages)
{
    FILE *fp = fopen(path, "wb");
    int i, rc = 0;
    if (!fp)
        return err_set_errno("%s", path);
    fputs("# page\tline\tword\tchar\tx0\ty0\tx1\ty1 "
          "(pixels, x1 y1 exclusive; page/line/word from 1)\n", fp);
    for (i = 0; i < b->n; i++)
        fprintf(fp, "%d\t%d\t%d\t%c\t%d\t%d\t%d\t%d\n", pages[i],
                b->v[i].line, b->v[i].word, b->v[i].ch, b->v[i].x0,
                b->v[i].y0, b->v[i].x1, b->v[i].y1);
    if (ferror(fp))
        rc = err_set_errno("%s: write", path);
    if (fclose(fp) != 0 && rc == 0)
        rc = err_set_errno("%s: close", path);
    return rc;
}

static int write_page(const Opts *o, PIX *page, const char *path, int first)
{
    PIX *pix1;
    int rc;

    switch (o->format) {
    case FMT_PNG:
        rc = pixWrite(path, page, IFF_PNG);
        break;
    case FMT_JPEG:
        rc = pixWriteJpeg(path, page, 80, 0);
        break;
    case FMT_TIFF:
        rc = pixWriteTiff(path, page, IFF_TIFF_ZIP, first ? "w" : "a");
        break;
    default:
        /* ink is <= ~150 even when blurred at its core; paper >= ~200 */
        pix1 = pixThresholdToBinary(page, 160);
        if (!pix1)
            return err_set("%s: binarisation failed", path);
        pixSetResolution(pix1, o->dpi, o->dpi);
        rc = pixWriteTiff(path, pix1, IFF_TIFF_G4, first ? "w" : "a");
        pixDestroy(&pix1);
        break;
    }
    return rc ? err_set("%s: cannot write image", path) : 0;
}

static const char *ext_of(int format)
{
    switch (format) {
    case FMT_PNG: return "png";
    case FMT_JPEG: return "jpg";
    default: return "tif";
    }
}

static int run(const Opts *o)
{
    Source src;
    Rng r = {o->seed * 0x2545F4914F6CDD1Dull + 1};
    char img[2048], gtp[2048], bxp[2048];
    char *gt = NULL;
    size_t gtlen = 0;
    GtBoxes boxes = {NULL, 0, 0};
    int *box_pages = NULL, p, rc = -1, i, from;
    PIX *page;

    if (mkdir(o->out_dir, 0777) != 0 && errno != EEXIST)
        return err_set_errno("%s", o->out_dir);
    if (source_init(&src, o) < 0)
        goto done;
    for (p = 0; p < o->pages; p++) {
        if (o->multipage) {
            snprintf(img, sizeof img, "%s/%s.tif", o->out_dir, o->name);
            snprintf(gtp, sizeof gtp, "%s/%s.gt.txt", o->out_dir, o->name);
            snprintf(bxp, sizeof bxp, "%s/%s.boxes.tsv", o->out_dir, o->name);
            if (p > 0) {
                char *ng = realloc(gt, gtlen + 2);
                if (!ng) {
                    err_set("out of memory");
                    goto done;
                }
                gt = ng;
                gt[gtlen++] = '\f';
                gt[gtlen] = '\0';
            }
        } else {
            snprintf(img, sizeof img, "%s/%s-%03d.%s", o->out_dir, o->name,
                     p + 1, ext_of(o->format));
            snprintf(gtp, sizeof gtp, "%s/%s-%03d.gt.txt", o->out_dir, o->name,
                     p + 1);
            snprintf(bxp, sizeof bxp, "%s/%s-%03d.boxes.tsv", o->out_dir,
                     o->name, p + 1);
            gtlen = 0;
            boxes.n = 0;
        }
        from = boxes.n;
        page = compose_page(&src, o, &r, &gt, &gtlen,
                            o->glyph_boxes ? &boxes : NULL);
        if (!page) {
            err_prefix("page %d", p + 1);
            goto done;
        }
        rc = write_page(o, page, img, p == 0);
        pixDestroy(&page);
        if (rc < 0)
            goto done;
        rc = -1;
        if (o->glyph_boxes) {
            int *np = realloc(box_pages, (size_t)(boxes.cap + 1) * sizeof *np);
            if (!np) {
                err_set("out of memory");
                goto done;
            }
            box_pages = np;
            for (i = from; i < boxes.n; i++)
                box_pages[i] = o->multipage ? p + 1 : 1;
        }
        if (!o->multipage || p == o->pages - 1) {
            if (write_text(gtp, gt ? gt : "", gtlen) < 0)
                goto done;
            if (o->glyph_boxes && write_boxes(bxp, &boxes, box_pages) < 0)
                goto done;
        }
        if (!o->multipage || p == o->pages - 1)
            printf("%s\n", img);
    }
    rc = 0;
done:
    free(gt);
    free(boxes.v);
    free(box_pages);
    source_cleanup(&src);
    return rc;
}

int main(int argc, char **argv)
{
    Opts o;
    int rc;

    setMsgSeverity(L_SEVERITY_ERROR);
    rc = parse_args(argc, argv, &o);
    if (rc == 1) {
        usage(stdout);
        return 0;
    }
    if (rc < 0) {
        fprintf(stderr, "compose: %s\n", err_get());
        return 2;
    }
    if (run(&o) < 0) {
        fprintf(stderr, "compose: %s\n", err_get());
        return 1;
    }
    return 0;
}
