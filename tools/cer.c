/*
 * cer.c - character and word error rates of OCR text against ground truth.
 *
 *   build/tools/cer [options] GT OCR [GT OCR ...]
 *
 * Design: both files are decoded from UTF-8 to Unicode scalars (invalid
 * UTF-8 is an error naming the file, byte offset and line), a leading BOM is
 * dropped, every run of whitespace (including line breaks and form feeds)
 * becomes one space and the ends are trimmed. CER is the Levenshtein
 * distance between the two scalar sequences divided by the number of
 * ground-truth scalars (spaces included, unless --no-space); WER is the
 * Levenshtein distance between the word sequences (words interned to
 * integers) divided by the number of ground-truth words. The alignment also
 * gives substitutions, deletions (in GT, missing from OCR) and insertions.
 * Totals over several pairs are ratios of sums, not means of ratios.
 *
 * The distance is computed in a diagonal band that doubles until the
 * distance fits inside it (Ukkonen), so time is O((n + m) * d) and memory
 * O(d): whole books with few errors are cheap.
 *
 * Output: one line per pair and a total line, human-readable by default;
 * --tsv (header + rows) and --json for programs. Exit: 0 ok, 1 a file could
 * not be read or decoded, 2 usage, 3 total CER above --max-cer.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"

typedef struct {
    int ignore_case;
    int no_space;
    int format; /* FMT_TEXT, FMT_TSV, FMT_JSON */
    int quiet;
    double max_cer; /* < 0: no limit */
} Opts;

enum { FMT_TEXT, FMT_TSV, FMT_JSON };

/* Edit counts of one alignment. */
typedef struct {
    long sub, del, ins;
} Edits;

typedef struct {
    long gt_chars, ocr_chars, gt_words, ocr_words;
    Edits ce, we;
} Score;

static void usage(FILE *fp)
{
    fputs(
        "usage: cer [options] GT OCR [GT OCR ...]\n"
        "Character and word error rates of OCR text against ground truth.\n"
        "Files are UTF-8 ('-' reads standard input, once); whitespace runs\n"
        "(spaces, tabs, line breaks, form feeds) count as one space, ends\n"
        "are trimmed. CER = Levenshtein distance over Unicode characters /\n"
        "ground-truth characters (spaces included); WER = the same over\n"
        "words. With several pairs the total is sum(errors) / sum(length).\n"
        "\n"
        "  --ignore-case   fold case (ASCII, Latin-1, Latin Extended-A,\n"
        "                  Greek, Cyrillic) before comparing\n"
        "  --no-space      ignore whitespace for CER (WER is unchanged)\n"
        "  --tsv           tab-separated: a header line, one row per pair,\n"
        "                  a row named TOTAL\n"
        "  --json          one JSON object: {\"pairs\": [...], \"total\": {...}}\n"
        "  --quiet         print the total only\n"
        "  --max-cer X     exit 3 when the total CER exceeds X (0..1)\n"
        "  --help          this text\n"
        "\n"
        "Columns/keys: gt, ocr, gt_chars, ocr_chars, char_errors, char_sub,\n"
        "char_del, char_ins, cer, gt_words, ocr_words, word_errors, word_sub,\n"
        "word_del, word_ins, wer. Rates are fractions (0.0123 = 1.23%); with\n"
        "an empty ground truth a rate is 0 when the OCR text is empty too,\n"
        "else 1. Exit status: 0 ok, 1 unreadable or invalid file, 2 usage,\n"
        "3 total CER above --max-cer.\n",
        fp);
}

/* ---- reading and decoding ------------------------------------------- */

static int stdin_used;

/* Whole file (or stdin for "-") into a new buffer. */
static char *read_all(const char *path, size_t *plen)
{
    FILE *fp;
    char *buf = NULL, *nb;
    size_t len = 0, cap = 0, got;

    if (strcmp(path, "-") == 0) {
        if (stdin_used++) {
            err_set("-: standard input can be read only once");
            return NULL;
        }
        fp = stdin;
    } else if (!(fp = fopen(path, "rb"))) {
        err_set_errno("%s", path);
        return NULL;
    }
    do {
        if (cap - len < 65536) {
            cap = cap ? 2 * cap : 65536;
            if (!(nb = realloc(buf, cap))) {
                err_set("%s: out of memory", path);
                goto fail;
            }
            buf = nb;
        }
        got = fread(buf + len, 1, cap - len, fp);
        len += got;
    } while (got > 0);
    if (ferror(fp)) {
        err_set_errno("%s: read error", path);
        goto fail;
    }
    if (fp != stdin)
        fclose(fp);
    *plen = len;
    return buf;
fail:
    if (fp != stdin)
        fclose(fp);
    free(buf);
    return NULL;
}

/* Decode UTF-8 into scalars; out must hold len entries. Returns the count
 * or -1 (message: file, byte offset, line). */
static long utf8_decode(const char *path, const unsigned char *s, size_t len,
                        uint32_t *out)
{
    size_t i = 0;
    long n = 0, line = 1;

    while (i < len) {
        uint32_t c = s[i], min;
        int k;
        if (c < 0x80) {
            k = 0;
            min = 0;
        } else if ((c & 0xE0) == 0xC0) {
            k = 1;
            c &= 0x1F;
            min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            k = 2;
            c &= 0x0F;
            min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            k = 3;
            c &= 0x07;
            min = 0x10000;
        } else {
            return err_set("%s: byte %zu (line %ld): invalid UTF-8 lead byte "
                           "0x%02X", path, i, line, s[i]);
        }
        if (k && i + (size_t)k >= len)
            return err_set("%s: byte %zu (line %ld): truncated UTF-8 "
                           "sequence at end of file", path, i, line);
        for (int j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return err_set("%s: byte %zu (line %ld): invalid UTF-8 "
                               "continuation byte 0x%02X", path, i + j, line,
                               s[i + j]);
            c = (c << 6) | (s[i + j] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return err_set("%s: byte %zu (line %ld): invalid UTF-8 (overlong, "
                           "surrogate or out of range)", path, i, line);
        if (c == '\n')
            line++;
        out[n++] = c;
        i += (size_t)k + 1;
    }
    return n;
}

static int is_space(uint32_t c)
{
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
           c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Simple case folding for the common alphabets (no locale). */
static uint32_t fold(uint32_t c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7))
        return c + 32;
    if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 &&
        c != 0x138 && c != 0x149 && c != 0x17F) {
        /* Latin Extended-A: pairs, even = upper, except 0x139-0x148 and
         * 0x179-0x17E where odd = upper. */
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
            return (c & 1) ? c + 1 : c;
        return (c & 1) ? c : c + 1;
    }
    if ((c >= 0x391 && c <= 0x3A9 && c != 0x3A2) || (c >= 0x410 && c <= 0x42F))
        return c + 32;
    if (c >= 0x400 && c <= 0x40F)
        return c + 80;
    return c;
}

/* Normalise in place: BOM dropped, whitespace runs -> one space (or none
 * with drop_space), ends trimmed, optional case folding. Returns the new
 * length. */
static long normalise(uint32_t *s, long n, int ignore_case, int drop_space)
{
    long o = 0, i = 0;
    int pending = 0;

    if (n > 0 && s[0] == 0xFEFF)
        i = 1;
    for (; i < n; i++) {
        uint32_t c = s[i];
        if (is_space(c)) {
            pending = o > 0;
            continue;
        }
        if (pending && !drop_space)
            s[o++] = ' ';
        pending = 0;
        s[o++] = ignore_case ? fold(c) : c;
    }
    return o;
}

/* ---- words ---------------------------------------------------------- */

/* Intern table: open addressing over (hash of scalars) -> id; words are
 * compared by their scalars. */
typedef struct {
    const uint32_t *start;
    long len;
    uint32_t id;
} Slot;

typedef struct {
    Slot *slots;
    size_t cap;
    uint32_t next;
} Interner;

static uint64_t word_hash(const uint32_t *w, long len)
{
    uint64_t h = 1469598103934665603ULL;
    for (long i = 0; i < len; i++) {
        h ^= w[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static uint32_t intern(Interner *t, const uint32_t *w, long len)
{
    size_t i = (size_t)word_hash(w, len) & (t->cap - 1);
    for (;; i = (i + 1) & (t->cap - 1)) {
        Slot *s = &t->slots[i];
        if (!s->start) {
            s->start = w;
            s->len = len;
            s->id = t->next++;
            return s->id;
        }
        if (s->len == len && memcmp(s->start, w, (size_t)len * 4) == 0)
            return s->id;
    }
}

/* Split normalised text (single spaces) into word ids; ids must hold n/2+1
 * entries. Returns the word count. */
static long words_of(Interner *t, const uint32_t *s, long n, uint32_t *ids)
{
    long nw = 0, i = 0;
    while (i < n) {
        long j = i;
        while (j < n && s[j] != ' ')
            j++;
        if (j > i)
            ids[nw++] = intern(t, s + i, j - i);
        i = j + 1;
    }
    return nw;
}

/* ---- Levenshtein in a doubling band --------------------------------- */

typedef struct {
    long d, sub, del, ins;
} Cell;

#define FAR ((long)1 << 60)

/* Distance of a[0..n) -> b[0..m) restricted to |i - j| <= k (rows i of a,
 * columns j of b). Returns the distance (FAR if the band is too narrow to
 * connect the corners) and the edit counts of one optimal alignment. */
static long band_lev(const uint32_t *a, long n, const uint32_t *b, long m,
                     long k, Cell *prev, Cell *cur, Edits *pe)
{
    long w = 2 * k + 1;
    /* row i, column j lives at index j - i + k */
    for (long x = 0; x < w; x++) {
        long j = x - k;
        prev[x].d = FAR;
        if (j >= 0 && j <= m) {
            prev[x].d = j;
            prev[x].sub = prev[x].del = 0;
            prev[x].ins = j;
        }
    }
    for (long i = 1; i <= n; i++) {
        for (long x = 0; x < w; x++) {
            long j = i + x - k;
            Cell c = {FAR, 0, 0, 0};
            if (j < 0 || j > m) {
                cur[x] = c;
                continue;
            }
            if (j == 0) {
                c.d = i;
                c.del = i;
                cur[x] = c;
                continue;
            }
            /* diagonal (i-1, j-1): same x in prev */
            if (prev[x].d < FAR) {
                int s = a[i - 1] != b[j - 1];
                c = prev[x];
                c.d += s;
                c.sub += s;
            }
            /* up (i-1, j): x + 1 in prev: a[i-1] deleted */
            if (x + 1 < w && prev[x + 1].d < FAR && prev[x + 1].d + 1 < c.d) {
                c = prev[x + 1];
                c.d++;
                c.del++;
            }
            /* left (i, j-1): x - 1 in cur: b[j-1] inserted */
            if (x > 0 && cur[x - 1].d < FAR && cur[x - 1].d + 1 < c.d) {
                c = cur[x - 1];
                c.d++;
                c.ins++;
            }
            cur[x] = c;
        }
        Cell *t = prev;
        prev = cur;
        cur = t;
    }
    {
        long x = m - n + k;
        if (x < 0 || x >= w || prev[x].d >= FAR)
            return FAR;
        pe->sub = prev[x].sub;
        pe->del = prev[x].del;
        pe->ins = prev[x].ins;
        return prev[x].d;
    }
}

/* Exact Levenshtein distance with edit counts. Returns the distance or -1
 * (out of memory). */
static long lev(const uint32_t *a, long n, const uint32_t *b, long m,
                Edits *pe)
{
    long diff = n > m ? n - m : m - n, k = diff > 16 ? diff : 16, d;
    long max = n > m ? n : m;

    for (;;) {
        Cell *rows;
        if (k > max)
            k = max;
        rows = malloc(2 * (size_t)(2 * k + 1) * sizeof *rows);
        if (!rows)
            return err_set("out of memory (band of %ld)", k);
        d = band_lev(a, n, b, m, k, rows, rows + 2 * k + 1, pe);
        free(rows);
        /* Any alignment of cost d <= k stays within the band. */
        if (d <= k || k >= max)
            return d;
        k *= 2;
    }
}

/* ---- one pair ------------------------------------------------------- */

static int score_pair(const char *gt_path, const char *ocr_path,
                      const Opts *o, Score *sc)
{
    const char *path[2] = {gt_path, ocr_path};
    char *raw[2] = {NULL, NULL};
    uint32_t *txt[2] = {NULL, NULL}, *ids[2] = {NULL, NULL};
    uint32_t *nsp[2] = {NULL, NULL};
    long n[2], nw[2], nn[2];
    Interner it = {NULL, 0, 0};
    int rc = -1;

    memset(sc, 0, sizeof *sc);
    for (int f = 0; f < 2; f++) {
        size_t len;
        if (!(raw[f] = read_all(path[f], &len)))
            goto out;
        if (!(txt[f] = malloc((len + 1) * sizeof(uint32_t))) ||
            !(ids[f] = malloc((len / 2 + 2) * sizeof(uint32_t)))) {
            err_set("%s: out of memory", path[f]);
            goto out;
        }
        if ((n[f] = utf8_decode(path[f], (unsigned char *)raw[f], len,
                                txt[f])) < 0)
            goto out;
        n[f] = normalise(txt[f], n[f], o->ignore_case, 0);
    }
    /* words */
    it.cap = 64;
    while (it.cap < (size_t)(n[0] + n[1]) + 64)
        it.cap *= 2;
    if (!(it.slots = calloc(it.cap, sizeof *it.slots))) {
        err_set("out of memory");
        goto out;
    }
    for (int f = 0; f < 2; f++)
        nw[f] = words_of(&it, txt[f], n[f], ids[f]);
    /* characters: optionally without spaces */
    for (int f = 0; f < 2; f++) {
        if (!o->no_space) {
            nsp[f] = txt[f];
            nn[f] = n[f];
            continue;
        }
        if (!(nsp[f] = malloc(((size_t)n[f] + 1) * sizeof(uint32_t)))) {
            err_set("out of memory");
            goto out;
        }
        nn[f] = 0;
        for (long i = 0; i < n[f]; i++)
            if (txt[f][i] != ' ')
                nsp[f][nn[f]++] = txt[f][i];
    }
    if (lev(nsp[0], nn[0], nsp[1], nn[1], &sc->ce) < 0 ||
        lev(ids[0], nw[0], ids[1], nw[1], &sc->we) < 0) {
        err_prefix("%s vs %s", gt_path, ocr_path);
        goto out;
    }
    sc->gt_chars = nn[0];
    sc->ocr_chars = nn[1];
    sc->gt_words = nw[0];
    sc->ocr_words = nw[1];
    rc = 0;
out:
    for (int f = 0; f < 2; f++) {
        if (nsp[f] != txt[f])
            free(nsp[f]);
        free(raw[f]);
        free(txt[f]);
        free(ids[f]);
    }
    free(it.slots);
    return rc;
}

/* ---- output --------------------------------------------------------- */

static long edits_total(const Edits *e)
{
    return e->sub + e->del + e->ins;
}

static double rate(long errors, long len)
{
    if (len == 0)
        return errors ? 1.0 : 0.0;
    return (double)errors / (double)len;
}

static void json_string(FILE *fp, const char *s)
{
    fputc('"', fp);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(fp, "\\%c", c);
        else if (c < 0x20)
            fprintf(fp, "\\u%04x", c);
        else
            fputc(c, fp);
    }
    fputc('"', fp);
}

/* TSV fields must not contain tabs or newlines. */
static void tsv_string(FILE *fp, const char *s)
{
    for (; *s; s++)
        fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, fp);
}

static void print_row(FILE *fp, const Opts *o, const char *gt,
                      const char *ocr, const Score *s, int first)
{
    long ce = edits_total(&s->ce), we = edits_total(&s->we);
    double cer = rate(ce, s->gt_chars), wer = rate(we, s->gt_words);

    switch (o->format) {
    case FMT_TSV:
        tsv_string(fp, gt);
        fputc('\t', fp);
        tsv_string(fp, ocr ? ocr : "");
        fprintf(fp, "\t%ld\t%ld\t%ld\t%ld\t%ld\t%ld\t%.6f\t%ld\t%ld\t%ld\t%ld"
                    "\t%ld\t%ld\t%.6f\n",
                s->gt_chars, s->ocr_chars, ce, s->ce.sub, s->ce.del,
                s->ce.ins, cer, s->gt_words, s->ocr_words, we, s->we.sub,
                s->we.del, s->we.ins, wer);
        break;
    case FMT_JSON:
        fputs(first ? "{" : ",\n{", fp);
        if (ocr) {
            fputs("\"gt\": ", fp);
            json_string(fp, gt);
            fputs(", \"ocr\": ", fp);
            json_string(fp, ocr);
            fputs(", ", fp);
        }
        fprintf(fp, "\"gt_chars\": %ld, \"ocr_chars\": %ld, "
                    "\"char_errors\": %ld, \"char_sub\": %ld, \"char_del\": "
                    "%ld, \"char_ins\": %ld, \"cer\": %.6f, \"gt_words\": %ld, "
                    "\"ocr_words\": %ld, \"word_errors\": %ld, \"word_sub\": "
                    "%ld, \"word_del\": %ld, \"word_ins\": %ld, \"wer\": %.6f}",
                s->gt_chars, s->ocr_chars, ce, s->ce.sub, s->ce.del,
                s->ce.ins, cer, s->gt_words, s->ocr_words, we, s->we.sub,
                s->we.del, s->we.ins, wer);
        break;
    default:
        fprintf(fp, "%s%s%s  CER %6.2f%% (%ld/%ld: %ld sub, %ld del, %ld ins)"
                    "  WER %6.2f%% (%ld/%ld)\n",
                gt, ocr ? " vs " : "", ocr ? ocr : "", 100 * cer, ce, s->gt_chars,
                s->ce.sub, s->ce.del, s->ce.ins, 100 * wer, we, s->gt_words);
    }
}

static int parse_args(int argc, char **argv, Opts *o, int *pfirst)
{
    int i;
    memset(o, 0, sizeof *o);
    o->max_cer = -1;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-' || a[1] == '\0')
            break;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else if (strcmp(a, "--ignore-case") == 0) {
            o->ignore_case = 1;
        } else if (strcmp(a, "--no-space") == 0) {
            o->no_space = 1;
        } else if (strcmp(a, "--tsv") == 0) {
            o->format = FMT_TSV;
        } else if (strcmp(a, "--json") == 0) {
            o->format = FMT_JSON;
        } else if (strcmp(a, "--quiet") == 0) {
            o->quiet = 1;
        } else if (strcmp(a, "--max-cer") == 0) {
            char *end;
            if (i + 1 >= argc)
                return err_set("--max-cer needs a value");
            errno = 0;
            o->max_cer = strtod(argv[++i], &end);
            if (errno || *end || end == argv[i] || !(o->max_cer >= 0) ||
                o->max_cer > 1)
                return err_set("--max-cer '%s': expected a number in 0..1",
                               argv[i]);
        } else {
            return err_set("unknown option '%s'", a);
        }
    }
    if (argc - i < 2 || (argc - i) % 2)
        return err_set("expected GT OCR file pairs, got %d file name%s",
                       argc - i, argc - i == 1 ? "" : "s");
    *pfirst = i;
    return 0;
}

int main(int argc, char **argv)
{
    Opts o;
    Score tot, *sc;
    int first = 0, npairs, rc = 0;
    double tcer;

    if (parse_args(argc, argv, &o, &first) < 0) {
        fprintf(stderr, "cer: %s\nusage: cer [options] GT OCR [GT OCR ...]"
                        " (cer --help for more)\n", err_get());
        return 2;
    }
    npairs = (argc - first) / 2;
    if (!(sc = calloc((size_t)npairs, sizeof *sc))) {
        fprintf(stderr, "cer: out of memory\n");
        return 1;
    }
    /* Score everything first: a bad file fails the run before any output,
     * so a consumer never parses half a table. */
    memset(&tot, 0, sizeof tot);
    for (int p = 0; p < npairs; p++) {
        if (score_pair(argv[first + 2 * p], argv[first + 2 * p + 1], &o,
                       &sc[p]) < 0) {
            fprintf(stderr, "cer: %s\n", err_get());
            free(sc);
            return 1;
        }
        tot.gt_chars += sc[p].gt_chars;
        tot.ocr_chars += sc[p].ocr_chars;
        tot.gt_words += sc[p].gt_words;
        tot.ocr_words += sc[p].ocr_words;
        tot.ce.sub += sc[p].ce.sub;
        tot.ce.del += sc[p].ce.del;
        tot.ce.ins += sc[p].ce.ins;
        tot.we.sub += sc[p].we.sub;
        tot.we.del += sc[p].we.del;
        tot.we.ins += sc[p].we.ins;
    }
    if (o.format == FMT_TSV)
        fputs("gt\tocr\tgt_chars\tocr_chars\tchar_errors\tchar_sub\tchar_del"
              "\tchar_ins\tcer\tgt_words\tocr_words\tword_errors\tword_sub"
              "\tword_del\tword_ins\twer\n", stdout);
    if (o.format == FMT_JSON)
        fputs("{\"pairs\": [", stdout);
    for (int p = 0; p < npairs && !o.quiet; p++) {
        if (o.format == FMT_JSON && p == 0)
            fputc('\n', stdout);
        print_row(stdout, &o, argv[first + 2 * p], argv[first + 2 * p + 1],
                  &sc[p], p == 0);
    }
    if (o.format == FMT_JSON) {
        fputs("],\n\"total\": ", stdout);
        print_row(stdout, &o, "TOTAL", NULL, &tot, 1);
        fputs("}\n", stdout);
    } else {
        print_row(stdout, &o, o.format == FMT_TSV ? "TOTAL" : "total", NULL,
                  &tot, 1);
    }
    free(sc);
    tcer = rate(edits_total(&tot.ce), tot.gt_chars);
    if (o.max_cer >= 0 && tcer > o.max_cer) {
        fprintf(stderr, "cer: total CER %.4f above --max-cer %.4f\n", tcer,
                o.max_cer);
        rc = 3;
    }
    return rc;
}
