/*
 * out_fixture.h - builds OutPage fixtures for the output tests from lines
 * of text: words split on spaces, glyphs on a regular grid (30 px pitch,
 * 60 px line pitch), confidences from a fixed-seed LCG in [0.5, 1].
 * Text is ASCII or UTF-8 of 2-byte sequences (enough for the tests).
 */
#ifndef INKPIPE_OUT_FIXTURE_H
#define INKPIPE_OUT_FIXTURE_H

#include "output/output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline uint32_t fixture_next(const char **ps)
{
    const unsigned char *s = (const unsigned char *)*ps;
    if (s[0] >= 0xC0 && s[1]) {
        *ps += 2;
        return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    }
    *ps += 1;
    return s[0];
}

/* lines[i] is in block blocks[i]. */
static inline OutPage *fixture_page(const char *image, int pageno,
                             const char *const *lines, const int *blocks,
                             int n_lines)
{
    int nw = 0, ng = 0, li, wi = 0, gi = 0;
    unsigned seed = 12345u;
    OutPage *p;

    for (li = 0; li < n_lines; li++) {
        const char *s = lines[li];
        int in_word = 0;
        while (*s) {
            if (*s == ' ') {
                in_word = 0;
                s++;
                continue;
            }
            if (!in_word)
                nw++;
            in_word = 1;
            fixture_next(&s);
            ng++;
        }
    }
    p = out_page_create(image, pageno, 2480, 3508, 300, n_lines, nw, ng);
    if (!p)
        return NULL;
    for (li = 0; li < n_lines; li++) {
        const char *s = lines[li];
        OutLine *l = &p->lines[li];
        int col = 0, y0 = 100 + li * 60;
        l->block = blocks ? blocks[li] : 0;
        l->first_word = wi;
        l->baseline_slope = 0.0125f;
        l->baseline_offset = -8.0f;
        l->x_size = 24.5f;
        l->box = (OutBox){100, y0, 100, y0 + 40};
        while (*s) {
            OutWord *w;
            if (*s == ' ') {
                s++;
                col++;
                continue;
            }
            w = &p->words[wi++];
            l->n_words++;
            w->first_glyph = gi;
            w->box = (OutBox){100 + col * 30, y0, 100 + col * 30, y0 + 40};
            while (*s && *s != ' ') {
                OutGlyph *g = &p->glyphs[gi++];
                g->codepoint = fixture_next(&s);
                g->box = (OutBox){100 + col * 30, y0, 124 + col * 30, y0 + 40};
                seed = seed * 1103515245u + 12345u;
                g->conf = 0.5f + 0.5f * (float)((seed >> 16) & 0x7FFF) / 32767.0f;
                w->n_glyphs++;
                w->box.x1 = g->box.x1;
                col++;
            }
            l->box.x1 = w->box.x1;
        }
    }
    return p;
}

/* Read a whole file into a NUL-terminated heap string (NULL on error). */
static inline char *fixture_slurp(const char *path, size_t *plen)
{
    FILE *fp = fopen(path, "rb");
    char *buf;
    long n;
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    if (buf) {
        buf[n] = '\0';
        if (plen)
            *plen = (size_t)n;
    }
    return buf;
}

#endif
