/*
 * rec_label.c - a printed form label read at the start of a crop ("PRENOM
 * SARAKI", "NOM DUPONT") is dropped from the reading.
 *
 * Design: the segmenter drops a label at the left of a crop only when it
 * sees the label's colon (seg_crop.c); many forms print "NOM" / "PRENOM"
 * without one, and then the label is read as letters in front of the name.
 * Only the reading can tell such a label, so this runs after the
 * recognition of a page, on the first word of its first line, and only
 * when the page is a crop (seg_crop_sized: the segmenter's rule on the
 * read glyphs' median height). A word is
 * a label when, folded to upper case, it is
 *   - NOM, or NOM and one more glyph (NOMS, a colon read as a letter),
 *     either after one more glyph (a mark at the crop's edge read as a
 *     letter: "GNOM", "INOMI");
 *   - at most 5 glyphs, then ENOM, then at most 2 glyphs: PRENOM, PRENOMS
 *     and how a scan reads them ("FRENOM", "IRRENOMB", "IWIRENOM",
 *     "IZMIRENOM"): the E before NOM is what the misreadings keep;
 * and the label alone is dropped when the word goes on with 3 or more
 * glyphs after ENOM ("RENOMICHIRINE": label and name run together).
 * Nothing is dropped when nothing else would be left. Known cost: a
 * surname like BENOMAR as the first of several words of a crop is read as
 * a label (3 of 34,868 names of the names lexicon match the pattern).
 */
#include <stdlib.h>
#include <string.h>

#include "recognize/rec_page.h"
#include "segment/segment.h"

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Is the page a crop, by the segmenter's rule (seg_crop_sized) on its
 * median glyph height? */
static int page_is_crop(const OutPage *op)
{
    if (op->n_glyphs == 0)
        return 0;
    int *h = malloc((size_t)op->n_glyphs * sizeof *h);
    if (!h)
        return 0;
    for (int i = 0; i < op->n_glyphs; i++)
        h[i] = op->glyphs[i].box.y1 - op->glyphs[i].box.y0;
    qsort(h, (size_t)op->n_glyphs, sizeof *h, cmp_int);
    int med = h[op->n_glyphs / 2];
    free(h);
    return med > 0 && seg_crop_sized(op->width, op->height, (float)med);
}

static OutBox box_union(OutBox a, OutBox b)
{
    if (b.x0 < a.x0)
        a.x0 = b.x0;
    if (b.y0 < a.y0)
        a.y0 = b.y0;
    if (b.x1 > a.x1)
        a.x1 = b.x1;
    if (b.y1 > a.y1)
        a.y1 = b.y1;
    return a;
}

/* Remove glyphs [first, first + n) of word w (all inside it); an emptied
 * word leaves its line, an emptied line leaves the page; boxes of the word
 * and its line are recomputed from what is left. */
static void drop_glyphs(OutPage *op, int line, int w, int first, int n)
{
    memmove(op->glyphs + first, op->glyphs + first + n,
            (size_t)(op->n_glyphs - first - n) * sizeof *op->glyphs);
    op->n_glyphs -= n;
    op->words[w].n_glyphs -= n;
    for (int i = w + 1; i < op->n_words; i++)
        op->words[i].first_glyph -= n;
    OutLine *ol = &op->lines[line];
    if (op->words[w].n_glyphs == 0) {
        memmove(op->words + w, op->words + w + 1,
                (size_t)(op->n_words - w - 1) * sizeof *op->words);
        op->n_words--;
        ol->n_words--;
        for (int i = line + 1; i < op->n_lines; i++)
            op->lines[i].first_word--;
        if (ol->n_words == 0) {
            memmove(op->lines + line, op->lines + line + 1,
                    (size_t)(op->n_lines - line - 1) * sizeof *op->lines);
            op->n_lines--;
            return;
        }
    } else {
        OutWord *ow = &op->words[w];
        ow->box = op->glyphs[ow->first_glyph].box;
        for (int g = 1; g < ow->n_glyphs; g++)
            ow->box = box_union(ow->box, op->glyphs[ow->first_glyph + g].box);
    }
    ol->box = op->words[ol->first_word].box;
    for (int k = 1; k < ol->n_words; k++)
        ol->box = box_union(ol->box, op->words[ol->first_word + k].box);
}

/**
 * Drop a printed label read at the start of a crop (see the file comment).
 *
 * @param[in,out] op  a recognised page
 * @return the number of glyphs dropped (0 when the page is not a crop, its
 *         first word is no label, or nothing else would be left)
 */
int rec_page_drop_label(OutPage *op)
{
    if (op->n_lines == 0 || op->lines[0].n_words == 0 || !page_is_crop(op))
        return 0;
    int w = op->lines[0].first_word;
    const OutWord *ow = &op->words[w];
    int n = ow->n_glyphs;
    char s[16];
    if (n < 3 || n > 40)
        return 0;
    int len = n < (int)sizeof s - 1 ? n : (int)sizeof s - 1;
    for (int i = 0; i < len; i++) {
        uint32_t cp = op->glyphs[ow->first_glyph + i].codepoint;
        s[i] = cp >= 'a' && cp <= 'z' ? (char)(cp - 'a' + 'A')
               : cp < 128             ? (char)cp
                                      : '?';
    }
    s[len] = 0;
    int drop = 0;
    const char *e = strstr(s, "ENOM");
    if ((strncmp(s, "NOM", 3) == 0 && n <= 4) ||
        (strncmp(s + 1, "NOM", 3) == 0 && n <= 5))
        drop = n;
    else if (e && e - s <= 5 && n - (int)(e - s) - 4 <= 2)
        drop = n;
    else if (e && e - s <= 5)
        drop = (int)(e - s) + 4;
    if (!drop || drop >= op->n_glyphs)
        return 0;
    drop_glyphs(op, 0, w, ow->first_glyph, drop);
    return drop;
}
