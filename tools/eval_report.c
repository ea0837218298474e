/*
 * eval_report.c - the HTML report of `make eval-real` (tools/eval_real.sh).
 *
 *   build/tools/eval_report [--glyphs F] [--writers F] [--summary F] -o OUT
 *
 * Design: the shell script runs the project's binaries (inkpipe eval,
 * classify, ocr; cer) and writes plain tables; this tool reads them and
 * writes one self-contained HTML file with inline SVG, no script and no
 * external file, so it opens anywhere and can be rendered to PNG:
 *   - per-writer accuracy bars (top-1 bar, merged look-alikes as a tick;
 *     writers a model trained on in grey, held-out writers in colour);
 *   - a confusion heatmap per glyph source (rows: true class, columns:
 *     answer; off-diagonal cells coloured by the share of the row, the
 *     diagonal outlined; each cell has a tooltip);
 *   - a reliability diagram (confidence calibration) per glyph source:
 *     glyphs in ten confidence bins, accuracy against mean confidence, the
 *     expected calibration error (ECE) in the legend;
 *   - the text summary of the script, verbatim.
 * It also prints one line per glyph source on stdout:
 *   CALIB <source> n=N top1=P merged=P ece=P mean_conf=P
 * Inputs (tab-separated, no header; '#' lines skipped):
 *   --glyphs   source, true char, answer char, confidence (0..1); true
 *              char "-" = the answer has no counterpart in the truth (an
 *              extra glyph of a reading aligned to its text): wrong, and
 *              left out of the confusion heatmap
 *   --writers  set, writer, glyphs, top-1 %, merged %, role
 *              (role "train": the model saw this writer; anything else is
 *              held out, and its text is shown)
 * Exit: 0, 1 (unreadable input, bad line: named with file:line), 2 usage.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NCLS 62
#define MAX_SRC 8
#define MAX_SETS 8
#define MAX_WR 128
#define NBINS 10

static const char classes[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* The letters whose upper and lower case share a shape (as `inkpipe eval`
 * merges them, EMNIST balanced). */
static const char merged_letters[] = "CIJKLMOPSUVWXYZ";

typedef struct {
    char name[64];
    long conf[NCLS][NCLS];
    long n, right, right_merged;
    long bin_n[NBINS], bin_right[NBINS];
    double bin_conf[NBINS], sum_conf;
} Source;

typedef struct {
    char name[96];
    int n;
    int writer[MAX_WR], glyphs[MAX_WR];
    double top1[MAX_WR], merged[MAX_WR];
    char role[MAX_WR][32];
} WriterSet;

static Source src[MAX_SRC];
static int nsrc;
static WriterSet sets[MAX_SETS];
static int nsets;

static int class_index(int c)
{
    const char *p = c ? strchr(classes, c) : NULL;
    return p ? (int)(p - classes) : -1;
}

/* Class after merging the shared-shape letters into their upper case. */
static int merge_class(int k)
{
    int c = classes[k];
    if (c >= 'a' && c <= 'z' && strchr(merged_letters, c - 'a' + 'A'))
        return class_index(c - 'a' + 'A');
    return k;
}

/* Split line at tabs in place into at most max fields; returns the count. */
static int split_tabs(char *line, char **f, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    char *p = line;
    while (n < max) {
        f[n++] = p;
        char *t = strchr(p, '\t');
        if (!t)
            break;
        *t = '\0';
        p = t + 1;
    }
    return n;
}

static Source *source_get(const char *name)
{
    for (int i = 0; i < nsrc; i++)
        if (!strcmp(src[i].name, name))
            return &src[i];
    if (nsrc == MAX_SRC)
        return NULL;
    Source *s = &src[nsrc++];
    snprintf(s->name, sizeof s->name, "%s", name);
    return s;
}

static WriterSet *set_get(const char *name)
{
    for (int i = 0; i < nsets; i++)
        if (!strcmp(sets[i].name, name))
            return &sets[i];
    if (nsets == MAX_SETS)
        return NULL;
    WriterSet *s = &sets[nsets++];
    snprintf(s->name, sizeof s->name, "%s", name);
    return s;
}

/* One row of a table: its fields, how many, and where it stands (for
 * messages). Returns 0 or -1 (message printed). */
typedef int (*RowFn)(char **f, int nf, const char *path, int ln);

/* Read a tab-separated table, '#' and empty lines skipped, each line split
 * into at most max fields (max <= 8) and given to row. Returns 0 or -1
 * (message printed). */
static int read_table(const char *path, int max, RowFn row)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        fprintf(stderr, "eval_report: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[1024];
    int ln = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, fp)) {
        ln++;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char *f[8];
        int nf = split_tabs(line, f, max);
        rc = row(f, nf, path, ln);
    }
    fclose(fp);
    return rc;
}

/* A row of the glyph table: source, true char, answer, confidence. */
static int glyph_row(char **f, int nf, const char *path, int ln)
{
    char *end = NULL;
    double conf = nf == 4 ? strtod(f[3], &end) : -1.0;
    /* true "-": the answer has no counterpart in the truth (an extra glyph
     * of a reading aligned to a text, or one aligned to a non-class
     * character): wrong, and outside the confusion table */
    int none = nf == 4 && !strcmp(f[1], "-");
    int t = nf == 4 && strlen(f[1]) == 1 ? class_index(f[1][0]) : -1;
    int a = nf == 4 && strlen(f[2]) == 1 ? class_index(f[2][0]) : -1;
    if (nf != 4 || (t < 0 && !none) || a < 0 || !end || *end || end == f[3] ||
        !(conf >= 0.0 && conf <= 1.0)) {
        fprintf(stderr,
                "eval_report: %s:%d: want source, true char, answer, "
                "confidence 0..1\n",
                path, ln);
        return -1;
    }
    Source *s = source_get(f[0]);
    if (!s) {
        fprintf(stderr, "eval_report: %s:%d: more than %d sources\n", path,
                ln, MAX_SRC);
        return -1;
    }
    int b = (int)(conf * NBINS);
    if (b >= NBINS)
        b = NBINS - 1;
    s->n++;
    s->bin_n[b]++;
    s->bin_conf[b] += conf;
    s->sum_conf += conf;
    if (none)
        return 0;
    s->conf[t][a]++;
    s->right += t == a;
    s->right_merged += merge_class(t) == merge_class(a);
    s->bin_right[b] += t == a;
    return 0;
}

/* A row of the per-writer table: set, writer, glyphs, top-1, merged, role. */
static int writer_row(char **f, int nf, const char *path, int ln)
{
    WriterSet *s = nf == 6 ? set_get(f[0]) : NULL;
    if (!s || s->n == MAX_WR) {
        fprintf(stderr,
                "eval_report: %s:%d: want set, writer, glyphs, top-1, "
                "merged, role (at most %d sets of %d writers)\n",
                path, ln, MAX_SETS, MAX_WR);
        return -1;
    }
    s->writer[s->n] = atoi(f[1]);
    s->glyphs[s->n] = atoi(f[2]);
    s->top1[s->n] = atof(f[3]);
    s->merged[s->n] = atof(f[4]);
    snprintf(s->role[s->n], sizeof s->role[0], "%s", f[5]);
    s->n++;
    return 0;
}

/* Write s with the HTML special characters escaped. */
static void put_escaped(FILE *o, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", o);
            break;
        case '<':
            fputs("&lt;", o);
            break;
        case '>':
            fputs("&gt;", o);
            break;
        case '"':
            fputs("&quot;", o);
            break;
        default:
            fputc(*s, o);
        }
    }
}

static double ece_of(const Source *s)
{
    double e = 0.0;
    for (int b = 0; b < NBINS; b++)
        if (s->bin_n[b])
            e += fabs((double)s->bin_right[b] / s->bin_n[b] -
                      s->bin_conf[b] / s->bin_n[b]) *
                 s->bin_n[b];
    return s->n ? 100.0 * e / s->n : 0.0;
}

/* Per-writer bars: one chart per set; y from 40 % (lower if a writer is
 * lower, in steps of 10) to 100 %. */
static void svg_writers(FILE *o, const WriterSet *s)
{
    const int left = 46, top = 24, ph = 220, bw = 14;
    int pw = s->n * bw, W = left + pw + 180, H = top + ph + 56;
    double lo = 40.0;
    for (int i = 0; i < s->n; i++) {
        double v = s->top1[i] < s->merged[i] ? s->top1[i] : s->merged[i];
        while (lo > 0.0 && v < lo)
            lo -= 10.0;
    }
    fprintf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
               "height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">\n",
            W, H);
    fprintf(o, "<text x=\"%d\" y=\"14\" font-size=\"13\" font-weight=\"bold\">",
            left);
    put_escaped(o, s->name);
    fputs("</text>\n", o);
    for (int g = (int)lo; g <= 100; g += 10) {
        double y = top + ph - (g - lo) / (100.0 - lo) * ph;
        fprintf(o,
                "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#ddd\"/><text x=\"%d\" y=\"%.1f\" "
                "text-anchor=\"end\">%d%%</text>\n",
                left, left + pw, y, y, left - 4, y + 4, g);
    }
    for (int i = 0; i < s->n; i++) {
        int train = !strcmp(s->role[i], "train");
        double v = s->top1[i] < lo ? lo : s->top1[i];
        double m = s->merged[i] < lo ? lo : s->merged[i];
        double y = top + ph - (v - lo) / (100.0 - lo) * ph;
        double ym = top + ph - (m - lo) / (100.0 - lo) * ph;
        int x = left + i * bw;
        fprintf(o,
                "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" "
                "fill=\"%s\"><title>writer %03d (%s): top-1 %.2f%%, merged "
                "%.2f%%, %d glyphs</title></rect>\n",
                x + 1, y, bw - 2, top + ph - y, train ? "#b8b8b8" : "#2b6cb0",
                s->writer[i], s->role[i], s->top1[i], s->merged[i],
                s->glyphs[i]);
        fprintf(o,
                "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#c05621\" stroke-width=\"2\"/>\n",
                x + 1, x + bw - 1, ym, ym);
        if (i % 5 == 0 || s->n <= 15)
            fprintf(o,
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%03d"
                    "</text>\n",
                    x + bw / 2, top + ph + 14, s->writer[i]);
    }
    int lx = left + pw + 12;
    fprintf(o,
            "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" "
            "fill=\"#2b6cb0\"/><text x=\"%d\" y=\"%d\">top-1, held out</text>\n"
            "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" "
            "fill=\"#b8b8b8\"/><text x=\"%d\" y=\"%d\">top-1, trained on</text>\n"
            "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#c05621\" "
            "stroke-width=\"2\"/><text x=\"%d\" y=\"%d\">merged look-alikes</text>\n",
            lx, top, lx + 16, top + 10, lx, top + 18, lx + 16, top + 28, lx,
            lx + 12, top + 42, top + 42, lx + 16, top + 46);
    fprintf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">writer</text>\n",
            left + pw / 2, top + ph + 32);
    fputs("</svg>\n", o);
}

/* Confusion heatmap of one source over the classes that occur in it. */
static void svg_confusion(FILE *o, const Source *s)
{
    int idx[NCLS], k = 0;
    for (int c = 0; c < NCLS; c++) {
        long any = 0;
        for (int j = 0; j < NCLS; j++)
            any += s->conf[c][j] + s->conf[j][c];
        if (any)
            idx[k++] = c;
    }
    const int cell = k > 30 ? 11 : 18, left = 30, top = 44;
    int W = left + k * cell + 20, H = top + k * cell + 40;
    if (W < 700) /* room for the caption */
        W = 700;
    fprintf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
               "height=\"%d\" font-family=\"monospace\" font-size=\"%d\">\n",
            W, H, cell - 2);
    fprintf(o,
            "<text x=\"%d\" y=\"14\" font-family=\"sans-serif\" "
            "font-size=\"13\" font-weight=\"bold\">",
            left);
    put_escaped(o, s->name);
    fputs(": true class (rows) -> answer (columns)</text>\n", o);
    for (int a = 0; a < k; a++) {
        fprintf(o,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%c</text>\n",
                left + a * cell + cell / 2, top - 4, classes[idx[a]]);
        fprintf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%c</text>\n",
                left - 3, top + a * cell + cell - 2, classes[idx[a]]);
    }
    for (int r = 0; r < k; r++) {
        long row = 0;
        for (int j = 0; j < NCLS; j++)
            row += s->conf[idx[r]][j];
        for (int c = 0; c < k; c++) {
            long v = s->conf[idx[r]][idx[c]];
            double f = row ? (double)v / row : 0.0;
            int x = left + c * cell, y = top + r * cell;
            if (r == c) {
                fprintf(o,
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                        "fill=\"#f4f4f4\" stroke=\"#999\"><title>%c: %ld of "
                        "%ld right (%.0f%%)</title></rect>\n",
                        x, y, cell, cell, classes[idx[r]], v, row, 100 * f);
            } else if (v) {
                /* white -> red by share of the row, saturating at 50 % */
                double t = f >= 0.5 ? 1.0 : f / 0.5;
                int g = (int)(235 - 200 * t), b = (int)(235 - 215 * t);
                fprintf(o,
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                        "fill=\"rgb(%d,%d,%d)\"><title>%c read as %c: %ld of "
                        "%ld (%.0f%%)</title></rect>\n",
                        x, y, cell, cell, 255, g < 0 ? 0 : g, b < 0 ? 0 : b,
                        classes[idx[r]], classes[idx[c]], v, row, 100 * f);
            }
        }
    }
    fprintf(o,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
            "stroke=\"#ccc\"/>\n",
            left, top, k * cell, k * cell);
    fprintf(o,
            "<text x=\"%d\" y=\"%d\" font-family=\"sans-serif\" "
            "font-size=\"11\">cell colour: share of the true class read as "
            "the column's class (full red = 50%% or more); grey diagonal = "
            "right</text>\n",
            left, top + k * cell + 18);
    fputs("</svg>\n", o);
}

/* Reliability diagram of every source in one chart. */
static void svg_calibration(FILE *o)
{
    static const char *colours[] = {"#2b6cb0", "#c05621", "#2f855a",
                                    "#6b46c1", "#b83280", "#4a5568",
                                    "#975a16", "#00838f"};
    const int left = 50, top = 24, ps = 300;
    int W = left + ps + 400, H = top + ps + 50;
    fprintf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
               "height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">\n",
            W, H);
    fprintf(o,
            "<text x=\"%d\" y=\"14\" font-size=\"13\" font-weight=\"bold\">"
            "Reliability: of glyphs at a confidence, the share that is "
            "right</text>\n",
            left);
    for (int g = 0; g <= 10; g += 2) {
        double p = g / 10.0;
        fprintf(o,
                "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#eee\"/><line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" "
                "y2=\"%d\" stroke=\"#eee\"/>\n"
                "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>"
                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.1f</text>\n",
                left, left + ps, top + ps - p * ps, top + ps - p * ps,
                left + p * ps, left + p * ps, top, top + ps, left - 4,
                top + ps - p * ps + 4, p, left + p * ps, top + ps + 14, p);
    }
    fprintf(o,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\" "
            "stroke-dasharray=\"4 3\"/>\n",
            left, top + ps, left + ps, top);
    fprintf(o,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">confidence "
            "(mean of the bin)</text>\n"
            "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" "
            "text-anchor=\"middle\">accuracy</text>\n",
            left + ps / 2, top + ps + 32, top + ps / 2, top + ps / 2);
    for (int i = 0; i < nsrc; i++) {
        const Source *s = &src[i];
        const char *col = colours[i % 8];
        fprintf(o, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                   "points=\"",
                col);
        for (int b = 0; b < NBINS; b++)
            if (s->bin_n[b])
                fprintf(o, "%.1f,%.1f ",
                        left + s->bin_conf[b] / s->bin_n[b] * ps,
                        top + ps - (double)s->bin_right[b] / s->bin_n[b] * ps);
        fputs("\"/>\n", o);
        for (int b = 0; b < NBINS; b++) {
            if (!s->bin_n[b])
                continue;
            double r = 2.0 + 6.0 * sqrt((double)s->bin_n[b] / s->n);
            fprintf(o,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\">"
                    "<title>",
                    left + s->bin_conf[b] / s->bin_n[b] * ps,
                    top + ps - (double)s->bin_right[b] / s->bin_n[b] * ps, r,
                    col);
            put_escaped(o, s->name);
            fprintf(o,
                    ": confidence %.1f-%.1f, %ld glyphs, %.1f%% right, mean "
                    "confidence %.3f</title></circle>\n",
                    b / 10.0, (b + 1) / 10.0, s->bin_n[b],
                    100.0 * s->bin_right[b] / s->bin_n[b],
                    s->bin_conf[b] / s->bin_n[b]);
        }
        int ly = top + 10 + i * 34;
        fprintf(o,
                "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" "
                "fill=\"%s\"/><text x=\"%d\" y=\"%d\">",
                left + ps + 16, ly - 10, col, left + ps + 32, ly);
        put_escaped(o, s->name);
        fprintf(o,
                "</text><text x=\"%d\" y=\"%d\" fill=\"#555\">n=%ld, "
                "top-1 %.1f%%, mean conf. %.1f%%, ECE %.1f%%</text>\n",
                left + ps + 32, ly + 14, s->n, 100.0 * s->right / s->n,
                100.0 * s->sum_conf / s->n, ece_of(s));
    }
    fprintf(o,
            "<text x=\"%d\" y=\"%d\" fill=\"#555\">dot area ~ glyphs in the "
            "bin; dashed: perfect calibration</text>\n",
            left + ps + 16, top + ps);
    fputs("</svg>\n", o);
}

/* The most frequent confusions of a source, as an HTML list. */
static void html_top_confusions(FILE *o, const Source *s, int max)
{
    int used[NCLS][NCLS];
    memset(used, 0, sizeof used);
    fputs("<p class=\"conf\">most frequent: ", o);
    for (int k = 0; k < max; k++) {
        long best = 0;
        int bt = -1, ba = -1;
        for (int t = 0; t < NCLS; t++)
            for (int a = 0; a < NCLS; a++)
                if (t != a && !used[t][a] && s->conf[t][a] > best) {
                    best = s->conf[t][a];
                    bt = t;
                    ba = a;
                }
        if (bt < 0)
            break;
        used[bt][ba] = 1;
        fprintf(o, "%s%c&rarr;%c %ld%s", k ? ", " : "", classes[bt],
                classes[ba], best,
                merge_class(bt) == merge_class(ba) ? " (look-alike)" : "");
    }
    fputs("</p>\n", o);
}

static void usage(FILE *fp)
{
    fputs("usage: eval_report [--glyphs F] [--writers F] [--summary F] -o "
          "OUT.html\n"
          "The HTML report of make eval-real (see tools/eval_real.sh):\n"
          "per-writer bars, confusion heatmaps and a reliability diagram as\n"
          "inline SVG, and the text summary.\n"
          "  --glyphs F   lines: source<TAB>true<TAB>answer<TAB>confidence\n"
          "               (true \"-\": no counterpart in the truth, wrong)\n"
          "  --writers F  lines: set<TAB>writer<TAB>glyphs<TAB>top-1 %<TAB>"
          "merged %<TAB>role\n"
          "               (role train = the model saw the writer)\n"
          "  --summary F  text shown verbatim\n"
          "Prints per glyph source: CALIB source n= top1= merged= ece= "
          "mean_conf=\n",
          fp);
}

int main(int argc, char **argv)
{
    const char *glyphs = NULL, *writers = NULL, *summary = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            usage(stderr);
            return 2;
        }
        if (!strcmp(a, "--glyphs"))
            glyphs = argv[++i];
        else if (!strcmp(a, "--writers"))
            writers = argv[++i];
        else if (!strcmp(a, "--summary"))
            summary = argv[++i];
        else if (!strcmp(a, "-o"))
            out = argv[++i];
        else {
            fprintf(stderr, "eval_report: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (!out) {
        usage(stderr);
        return 2;
    }
    if ((glyphs && read_table(glyphs, 4, glyph_row) < 0) ||
        (writers && read_table(writers, 6, writer_row) < 0))
        return 1;

    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    FILE *o = fopen(tmp, "w");
    if (!o) {
        fprintf(stderr, "eval_report: %s: %s\n", tmp, strerror(errno));
        return 1;
    }
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<title>inkpipe: accuracy on material it did not make</title>\n"
          "<style>body{font-family:sans-serif;max-width:1100px;margin:1em "
          "auto;color:#222}pre{background:#f7f7f7;padding:.8em;overflow-x:"
          "auto;font-size:12px}h2{margin-top:1.6em;border-bottom:1px solid "
          "#ddd}.conf{font-size:13px}</style></head><body>\n"
          "<h1>inkpipe: accuracy on material it did not make</h1>\n",
          o);
    if (nsets) {
        fputs("<h2>Per writer (Chars74K)</h2>\n<p>Blue: writers the model "
              "never saw; grey: writers it trained on (their numbers "
              "flatter it). Hover a bar for its numbers.</p>\n",
              o);
        for (int i = 0; i < nsets; i++)
            svg_writers(o, &sets[i]);
    }
    if (nsrc) {
        fputs("<h2>Confidence calibration</h2>\n", o);
        svg_calibration(o);
        fputs("<h2>Confusions</h2>\n", o);
        for (int i = 0; i < nsrc; i++) {
            svg_confusion(o, &src[i]);
            html_top_confusions(o, &src[i], 15);
        }
    }
    if (summary) {
        FILE *s = fopen(summary, "r");
        if (!s) {
            fprintf(stderr, "eval_report: %s: %s\n", summary, strerror(errno));
            fclose(o);
            remove(tmp);
            return 1;
        }
        fputs("<h2>Summary (text of make eval-real)</h2>\n<pre>", o);
        char line[4096];
        while (fgets(line, sizeof line, s))
            put_escaped(o, line);
        fclose(s);
        fputs("</pre>\n", o);
    }
    fputs("</body></html>\n", o);
    if (fclose(o) != 0 || rename(tmp, out) != 0) {
        fprintf(stderr, "eval_report: %s: %s\n", out, strerror(errno));
        remove(tmp);
        return 1;
    }
    for (int i = 0; i < nsrc; i++) {
        const Source *s = &src[i];
        printf("CALIB %s n=%ld top1=%.2f merged=%.2f ece=%.2f "
               "mean_conf=%.2f\n",
               s->name, s->n, 100.0 * s->right / s->n,
               100.0 * s->right_merged / s->n, ece_of(s),
               100.0 * s->sum_conf / s->n);
    }
    return 0;
}
