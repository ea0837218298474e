/*
 * selftrain_glyphs.c - labelled glyphs from unlabelled real crops
 * (self-training, issue 13): read each crop as `inkpipe ocr --charset
 * upper` does; a reading that is a known name, read with confidence, lends
 * its letters to the glyph boxes it came from.
 *
 *   build/tools/selftrain_glyphs --model M [--lm LM] --lexicon NAMES.tsv
 *       --list FILES.txt -o DIR [--min-conf C] [--min-count N]
 *       [--min-len L] [--max-per-class K] [--margin PX]
 *
 * Design: one process, the page chain (chain_page) with the line context
 * and the language model but never a lexicon (a lexicon would snap
 * readings to names and make the name test below say nothing). A crop is
 * accepted when
 *   - every glyph is a capital A-Z (charset upper) and there are >= L,
 *   - its letters, all lines and spaces joined, are a name of the lexicon
 *     with its spaces, hyphens and apostrophes removed, seen >= N times,
 *     and not a word printed on the forms (NOM, PRENOM, DATE, ...: the
 *     lexicon holds NOM and PRENOM too),
 *   - every glyph's confidence is >= C (the decoded, calibrated one of
 *     docs/context.md).
 * Each glyph of an accepted crop is cut from the grey crop at its box
 * (+ margin) and written as DIR/glyphs/FILE_NN_L.png; DIR/selftrain.csv
 * lists them as "glyphs/...,L" (what `inkpipe train --csv` reads) and
 * DIR/readings.tsv holds every crop's reading, its smallest confidence
 * and whether it was taken. At most K glyphs per letter are kept, in list
 * order, so frequent letters (A, E) do not swamp the rest.
 * The list file names the crops, one path a line: the caller decides
 * which crops may be used (tools/selftrain.sh leaves out the gold set).
 * Prints a summary on stdout; exit 0, 1 on an error, 2 on usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "chain/chain.h"
#include "common/err.h"
#include "recognize/rec_lm.h"
#include "recognize/recognize.h"

static const char usage[] =
    "usage: selftrain_glyphs --model M [--lm LM] --lexicon NAMES.tsv\n"
    "                        --list FILES.txt -o DIR [--min-conf C]\n"
    "                        [--min-count N] [--min-len L]\n"
    "                        [--max-per-class K] [--margin PX]\n"
    "Read each listed crop (charset upper, context, language model); a\n"
    "reading that is a lexicon name (seen >= N times, >= L letters) with\n"
    "every glyph's confidence >= C gives labelled glyph pictures:\n"
    "DIR/glyphs/*.png and DIR/selftrain.csv (for inkpipe train --csv),\n"
    "DIR/readings.tsv (every reading). Defaults: C 0.7, N 10, L 3, K 400,\n"
    "PX 1.\n";

/* The lexicon as sorted keys (letters only, upper case). */
typedef struct {
    char **key;
    int n;
} Names;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load "name<TAB>count" lines (a header line without a count is skipped);
 * keep names seen >= min_count, as keys without spaces, '-' and '\''.
 * 0 or -1. */
static int names_load(const char *path, int min_count, Names *nm)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return err_set("%s: %s", path, strerror(errno));
    char line[512];
    int cap = 0;
    nm->key = NULL;
    nm->n = 0;
    while (fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = 0;
        char *end;
        long cnt = strtol(tab + 1, &end, 10);
        if (end == tab + 1 || cnt < min_count)
            continue;
        char key[512];
        size_t k = 0;
        int ok = 1;
        for (const char *s = line; *s; s++) {
            if (*s >= 'A' && *s <= 'Z')
                key[k++] = *s;
            else if (*s != ' ' && *s != '-' && *s != '\'')
                ok = 0;
        }
        key[k] = 0;
        if (!ok || !k)
            continue;
        if (nm->n == cap) {
            cap = cap ? 2 * cap : 4096;
            char **nk = realloc(nm->key, (size_t)cap * sizeof *nk);
            if (!nk) {
                fclose(f);
                return err_set("out of memory");
            }
            nm->key = nk;
        }
        if (!(nm->key[nm->n++] = strdup(key))) {
            fclose(f);
            return err_set("out of memory");
        }
    }
    fclose(f);
    qsort(nm->key, (size_t)nm->n, sizeof *nm->key, cmp_str);
    return 0;
}

/* Words printed on the forms: a crop read as one of them read its label,
 * not a name (NOM and PRENOM are also in the lexicon). */
static const char *const form_words[] = {
    "NOM",    "PRENOM", "PRENOMS", "DATE",    "NAISSANCE",
    "CLASSE", "ECOLE",  "SEXE",    "ADRESSE", "NEE",
    "NE",     "LE",     "DE",      "NOMS",    "SIGNATURE"};

static int is_form_word(const char *key)
{
    for (size_t i = 0; i < sizeof form_words / sizeof *form_words; i++)
        if (!strcmp(key, form_words[i]))
            return 1;
    return 0;
}

static int names_has(const Names *nm, const char *key)
{
    return bsearch(&key, nm->key, (size_t)nm->n, sizeof *nm->key, cmp_str) !=
           NULL;
}

/* The base name without folder and extension. */
static void stem_of(const char *path, char *out, size_t n)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    snprintf(out, n, "%s", b);
    char *dot = strrchr(out, '.');
    if (dot)
        *dot = 0;
}

typedef struct {
    const char *model, *lm, *lexicon, *list, *out;
    double min_conf;
    int min_count, min_len, max_per_class, margin;
} Args;

static int parse_args(int argc, char **argv, Args *a)
{
    memset(a, 0, sizeof *a);
    a->min_conf = 0.7;
    a->min_count = 10;
    a->min_len = 3;
    a->max_per_class = 400;
    a->margin = 1;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
            fputs(usage, stdout);
            exit(0);
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "selftrain_glyphs: %s needs a value\n%s", o, usage);
            return -1;
        }
        const char *v = argv[++i];
        if (!strcmp(o, "--model"))
            a->model = v;
        else if (!strcmp(o, "--lm"))
            a->lm = v;
        else if (!strcmp(o, "--lexicon"))
            a->lexicon = v;
        else if (!strcmp(o, "--list"))
            a->list = v;
        else if (!strcmp(o, "-o"))
            a->out = v;
        else if (!strcmp(o, "--min-conf"))
            a->min_conf = atof(v);
        else if (!strcmp(o, "--min-count"))
            a->min_count = atoi(v);
        else if (!strcmp(o, "--min-len"))
            a->min_len = atoi(v);
        else if (!strcmp(o, "--max-per-class"))
            a->max_per_class = atoi(v);
        else if (!strcmp(o, "--margin"))
            a->margin = atoi(v);
        else {
            fprintf(stderr, "selftrain_glyphs: unknown option %s\n%s", o,
                    usage);
            return -1;
        }
    }
    if (!a->model || !a->lexicon || !a->list || !a->out) {
        fprintf(stderr,
                "selftrain_glyphs: --model, --lexicon, --list and -o "
                "are required\n%s",
                usage);
        return -1;
    }
    return 0;
}

/* Cut box (+ margin, clipped) out of grey and write it as a PNG. */
static int write_glyph(PIX *grey, const OutBox *b, int margin, const char *path)
{
    int w = pixGetWidth(grey), h = pixGetHeight(grey);
    int x0 = b->x0 - margin, y0 = b->y0 - margin;
    int x1 = b->x1 + margin, y1 = b->y1 + margin;
    if (x0 < 0)
        x0 = 0;
    if (y0 < 0)
        y0 = 0;
    if (x1 > w)
        x1 = w;
    if (y1 > h)
        y1 = h;
    if (x1 <= x0 || y1 <= y0)
        return err_set("%s: empty glyph box", path);
    BOX *box = boxCreate(x0, y0, x1 - x0, y1 - y0);
    PIX *g = box ? pixClipRectangle(grey, box, NULL) : NULL;
    boxDestroy(&box);
    int rc = g && pixWrite(path, g, IFF_PNG) == 0 ? 0 : -1;
    pixDestroy(&g);
    if (rc < 0)
        return err_set("%s: cannot write the glyph", path);
    return 0;
}

/* The reading of a page as a string of its glyphs into key (size bytes),
 * its least confidence into *minc. Returns 1 when every glyph is A-Z. */
static int reading_key(const OutPage *pg, char *key, size_t size,
                       double *minc)
{
    int k = 0, upper = 1;
    *minc = 1.0;
    for (int g = 0; g < pg->n_glyphs && k < (int)size - 1; g++) {
        uint32_t cp = pg->glyphs[g].codepoint;
        if (cp < 'A' || cp > 'Z')
            upper = 0;
        key[k++] = (char)cp;
        if (pg->glyphs[g].conf < *minc)
            *minc = pg->glyphs[g].conf;
    }
    key[k] = 0;
    return upper;
}

/* Counts of a self-training pass. */
typedef struct {
    int per[26];
    int crops, failed, named, taken, glyphs;
} Stats;

/* Cut the glyphs of crop file line (read as pg) into OUT/glyphs/ as
 * labelled examples, a row of csv each, at most a.max_per_class a letter.
 * 0, or -1 when the crop cannot be read again (said). */
static int take_glyphs(const Args *a, const char *line, const char *stem,
                       const OutPage *pg, FILE *csv, Stats *st)
{
    PIX *pix = pixRead(line);
    PIX *grey = pix ? pixConvertTo8(pix, 0) : NULL;
    pixDestroy(&pix);
    if (!grey) {
        fprintf(stderr, "selftrain_glyphs: %s: cannot read\n", line);
        st->failed++;
        return -1;
    }
    st->taken++;
    for (int g = 0; g < pg->n_glyphs; g++) {
        int c = (int)pg->glyphs[g].codepoint - 'A';
        if (st->per[c] >= a->max_per_class)
            continue;
        char rel[4200], path[8400];
        snprintf(rel, sizeof rel, "glyphs/%s_%02d_%c.png", stem, g, 'A' + c);
        snprintf(path, sizeof path, "%s/%s", a->out, rel);
        if (write_glyph(grey, &pg->glyphs[g].box, a->margin, path) < 0) {
            fprintf(stderr, "selftrain_glyphs: %s\n", err_get());
            st->failed++;
            continue;
        }
        fprintf(csv, "%s,%c\n", rel, 'A' + c);
        st->per[c]++;
        st->glyphs++;
    }
    pixDestroy(&grey);
    return 0;
}

/* Read every crop of list; a reading that is a known name (not a form
 * word) with every glyph at least a.min_conf sure gives its glyphs; every
 * reading goes to rd. */
static void selftrain(const Args *a, const Names *nm, const ChainOptions *co,
                      RecNet *net, FILE *list, FILE *csv, FILE *rd, Stats *st)
{
    char line[4096];
    while (fgets(line, sizeof line, list)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!*line)
            continue;
        st->crops++;
        OutPage *pg = chain_page(co, net, line, 0);
        if (!pg) {
            fprintf(stderr, "selftrain_glyphs: %s\n", err_get());
            st->failed++;
            continue;
        }
        char key[1024];
        double minc;
        int upper = reading_key(pg, key, sizeof key, &minc);
        int is_name = upper && (int)strlen(key) >= a->min_len &&
                      !is_form_word(key) && names_has(nm, key);
        int take = is_name && minc >= a->min_conf;
        st->named += is_name;
        char stem[4096];
        stem_of(line, stem, sizeof stem);
        fprintf(rd, "%s\t%s\t%.3f\t%d\n", stem, key, minc, take);
        if (take)
            take_glyphs(a, line, stem, pg, csv, st);
        out_page_destroy(&pg);
    }
}

int main(int argc, char **argv)
{
    Args a;
    if (parse_args(argc, argv, &a) < 0)
        return 2;
    Names nm = {NULL, 0};
    if (names_load(a.lexicon, a.min_count, &nm) < 0) {
        fprintf(stderr, "selftrain_glyphs: %s\n", err_get());
        return 1;
    }
    RecNet *net = rec_net_load(a.model);
    RecLm *lm = a.lm ? rec_lm_load(a.lm) : NULL;
    if (!net || (a.lm && !lm) ||
        rec_net_set_precision(net, REC_PRECISION_AUTO) < 0) {
        fprintf(stderr, "selftrain_glyphs: %s\n", err_get());
        return 1;
    }
    ChainOptions co;
    chain_options_init(&co);
    rec_charset_parse("upper", &co.charset);
    co.lm = lm;
    co.lm_path = NULL;

    char path[8400];
    snprintf(path, sizeof path, "%s/glyphs", a.out);
    mkdir(a.out, 0777);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/selftrain.csv", a.out);
    FILE *csv = fopen(path, "w");
    snprintf(path, sizeof path, "%s/readings.tsv", a.out);
    FILE *rd = fopen(path, "w");
    FILE *list = fopen(a.list, "r");
    if (!csv || !rd || !list) {
        fprintf(stderr,
                "selftrain_glyphs: cannot open %s or the outputs in "
                "%s: %s\n",
                a.list, a.out, strerror(errno));
        return 1;
    }
    fputs("path,char\n", csv);
    fputs("file\treading\tmin_conf\ttaken\n", rd);
    Stats st;
    memset(&st, 0, sizeof st);
    selftrain(&a, &nm, &co, net, list, csv, rd, &st);
    fclose(list);
    int bad = fclose(csv) != 0;
    bad |= fclose(rd) != 0;
    printf("crops %d (failed %d), read as a lexicon name %d, taken (min "
           "conf >= %.2f) %d, glyphs %d\nper letter:",
           st.crops, st.failed, st.named, a.min_conf, st.taken, st.glyphs);
    for (int c = 0; c < 26; c++)
        printf(" %c %d", 'A' + c, st.per[c]);
    printf("\n");
    for (int i = 0; i < nm.n; i++)
        free(nm.key[i]);
    free(nm.key);
    rec_lm_destroy(&lm);
    rec_net_destroy(&net);
    return bad ? 1 : 0;
}
