/*
 * out_text.c - recognised pages as plain UTF-8 text.
 *
 * Design: one pass over lines -> words -> glyphs in the order the caller
 * stored them (reading order is decided upstream). A line is its non-empty
 * words joined by one space and ended by "\n"; a change of block index
 * between consecutive lines inserts one blank line; pages after the first
 * start with a form feed. Unprintable code points become U+FFFD so the
 * line structure can never be broken by glyph content.
 */
#include "output/output.h"
#include "output/out_int.h"
#include "common/err.h"

#include <errno.h>

static void put_page(FILE *fp, const OutPage *page)
{
    int li, wi, gi, prev_block = -1, written;
    char buf[4];

    for (li = 0; li < page->n_lines; li++) {
        const OutLine *l = &page->lines[li];
        written = 0;
        for (wi = l->first_word; wi < l->first_word + l->n_words; wi++)
            written += page->words[wi].n_glyphs > 0;
        if (!written)
            continue; /* an empty line would read as a block break */
        if (prev_block >= 0 && l->block != prev_block)
            fputc('\n', fp);
        prev_block = l->block;
        written = 0;
        for (wi = l->first_word; wi < l->first_word + l->n_words; wi++) {
            const OutWord *w = &page->words[wi];
            if (w->n_glyphs == 0)
                continue;
            if (written++)
                fputc(' ', fp);
            for (gi = w->first_glyph; gi < w->first_glyph + w->n_glyphs; gi++)
                fwrite(buf, 1,
                       (size_t)out__utf8_encode(page->glyphs[gi].codepoint,
                                                buf),
                       fp);
        }
        fputc('\n', fp);
    }
}

/**
 * Write pages as UTF-8 text.
 *
 * @param[in] fp       output stream (not closed)
 * @param[in] pages    pages of one input file, in page order
 * @param[in] n_pages  number of pages (0 writes nothing)
 * @return 0, or -1 with the message in err_get() (inconsistent page, or a
 *         write error)
 *
 * Notes:
 *   (1) Every line ends with "\n", also the last; a page with no lines
 *       contributes nothing but its form feed.
 *   (2) Words with no glyphs are skipped (no double spaces), and so are
 *       lines without any glyph (they would read as a block break).
 *   (3) All pages are checked before the first byte is written.
 */
int out_text_write(FILE *fp, const OutPage *const *pages, int n_pages)
{
    int i;

    if (!fp || (n_pages > 0 && !pages) || n_pages < 0)
        return err_set("out_text_write: bad arguments");
    for (i = 0; i < n_pages; i++)
        if (out_page_check(pages[i]) < 0)
            return err_prefix("text");
    for (i = 0; i < n_pages; i++) {
        if (i > 0)
            fputc('\f', fp);
        put_page(fp, pages[i]);
    }
    if (fflush(fp) != 0 || ferror(fp))
        return err_set_errno("text: write");
    return 0;
}
