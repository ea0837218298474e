/* test_rec_hand.c - rec_hand_cues / rec_hand_printed / rec_page_hand: a
 * word drawn like type (straight strokes of one width, one baseline, one
 * height) is machine print; the same letters drawn like a hand (slanted,
 * wavering strokes, each glyph on its own baseline) are handwriting. The
 * words are drawn in the test (fixed seed) and found by seg_page_segment.
 */
#include "common/err.h"
#include "common/rng.h"
#include "recognize/rec_page.h"
#include "tests/unit/test.h"

#include <leptonica/allheaders.h>
#include <string.h>

#define H 30 /* glyph height, px */

/* Strokes of E, H, L, T, F, I in a 0..10 x 0..10 cell (x0 y0 x1 y1). */
static const int STROKES[6][4][4] = {
    {{0, 0, 0, 10}, {0, 0, 8, 0}, {0, 5, 7, 5}, {0, 10, 8, 10}}, /* E */
    {{0, 0, 0, 10}, {8, 0, 8, 10}, {0, 5, 8, 5}, {0, 0, 0, 10}}, /* H */
    {{0, 0, 0, 10}, {0, 10, 8, 10}, {0, 0, 0, 10}, {0, 0, 0, 10}}, /* L */
    {{0, 0, 8, 0}, {4, 0, 4, 10}, {4, 0, 4, 10}, {4, 0, 4, 10}},  /* T */
    {{0, 0, 0, 10}, {0, 0, 8, 0}, {0, 5, 6, 5}, {0, 0, 0, 10}},   /* F */
    {{4, 0, 4, 10}, {4, 0, 4, 10}, {4, 0, 4, 10}, {4, 0, 4, 10}}, /* I */
};

/* Draw a word of n letters at (x, base): hand = 0 type, 1 a hand. */
static int draw_word(PIX *p, const int *letters, int n, int x, int base,
                     int hand, Rng *r)
{
    for (int i = 0; i < n; i++) {
        const int(*s)[4] = STROKES[letters[i]];
        int dy = hand ? rng_int(r, 7) - 3 : 0;
        double sc = hand ? 0.85 + 0.3 * rng_range_d(r, 0, 1) : 1.0;
        /* type is set tight: 4 px between the ink of two letters */
        int mn = 10, mx = 0;
        for (int k = 0; k < 4; k++) {
            mn = s[k][0] < mn ? s[k][0] : mn;
            mx = s[k][2] > mx ? s[k][2] : mx;
        }
        int sx = hand ? 0 : mn;
        for (int k = 0; k < 4; k++) {
            int x0 = x + (int)((s[k][0] - sx) * 2.2 * sc),
                x1 = x + (int)((s[k][2] - sx) * 2.2 * sc);
            int y0 = base - H + dy + (int)(s[k][1] * (H - 3) / 10.0 * sc),
                y1 = base - H + dy + (int)(s[k][3] * (H - 3) / 10.0 * sc);
            if (hand) { /* slant and waver: the stroke in short pieces */
                int px = x0 + (base - y0) / 4, py = y0;
                for (int t = 1; t <= 6; t++) {
                    int qx = x0 + (x1 - x0) * t / 6 + (base - y1) / 4 +
                             rng_int(r, 3) - 1,
                        qy = y0 + (y1 - y0) * t / 6 + rng_int(r, 3) - 1;
                    pixRenderLine(p, px, py, qx, qy, 3 + rng_int(r, 2),
                                  L_SET_PIXELS);
                    px = qx;
                    py = qy;
                }
            } else { /* a 3 px bar is centred: up 1 px to end with the stems */
                int up = y0 == y1;
                pixRenderLine(p, x0, y0 - up, x1, y1 - up, 3, L_SET_PIXELS);
            }
        }
        x += hand ? 30 + rng_int(r, 8) : (int)((mx - mn) * 2.2) + 3 + 4;
    }
    return x;
}

/* A page with one word per line: type, hand, type, hand... The segmented
 * page. */
static SegPage *page_of_words(int n_lines, Rng *r)
{
    PIX *p = pixCreate(700, 60 * n_lines + 60, 1);
    for (int l = 0; l < n_lines; l++) {
        int letters[6];
        for (int i = 0; i < 6; i++)
            letters[i] = rng_int(r, 6);
        draw_word(p, letters, 4 + rng_int(r, 3), 40, 60 + 60 * l, l % 2, r);
    }
    SegOptions o;
    seg_options_init(&o);
    SegPage *sp = seg_page_segment(p, 300, &o);
    pixDestroy(&p);
    return sp;
}

static void rec_hand_printed__type_and_hand_words__told_apart(void)
{
    Rng r;
    rng_seed(&r, 14);
    SegPage *sp = page_of_words(20, &r);
    CHECK(sp != NULL);
    int nl, nw, right = 0, total = 0;
    const SegLine *lines = seg_page_get_lines(sp, &nl);
    seg_page_get_words(sp, &nw);
    CHECK(nl == 20);
    for (int l = 0; l < nl; l++) {
        const SegLine *ln = &lines[l];
        int drawn_hand = l % 2;
        for (int w = ln->first_word; w < ln->first_word + ln->n_words; w++) {
            RecHandCues c;
            CHECK(rec_hand_cues(sp, w, NULL, &c) == 0);
            if (c.n_glyphs < 2)
                continue;
            int printed = rec_hand_printed(&c) >= 0.5f;
            right += printed == !drawn_hand;
            total++;
            if (!drawn_hand) {
                CHECK(c.bottom_dev == 0.0f);
                CHECK(c.straight > 0.8f);
            }
        }
    }
    CHECK(total >= 20);
    CHECK(right >= total * 9 / 10);
    seg_page_destroy(&sp);
}

static void rec_page_hand__page__every_word_marked(void)
{
    Rng r;
    rng_seed(&r, 3);
    SegPage *sp = page_of_words(4, &r);
    CHECK(sp != NULL);
    int nl, nw, ng;
    seg_page_get_lines(sp, &nl);
    const SegWord *words = seg_page_get_words(sp, &nw);
    seg_page_get_glyphs(sp, &ng);
    OutPage *op = out_page_create("t.png", 0, 700, 300, 300, nl, nw, ng);
    CHECK(op != NULL);
    for (int w = 0; w < nw; w++) {
        op->words[w].first_glyph = words[w].first_glyph;
        op->words[w].n_glyphs = words[w].n_glyphs;
    }
    CHECK(rec_page_hand(sp, NULL, op) == 0);
    for (int w = 0; w < nw; w++) {
        CHECK(op->words[w].kind != OUT_WORD_UNKNOWN);
        CHECK(op->words[w].printed >= 0.0f && op->words[w].printed <= 1.0f);
        CHECK((op->words[w].kind == OUT_WORD_PRINTED) ==
              (op->words[w].printed >= 0.5f));
        /* the page's quick path (no stroke cues) decides as the full cues */
        RecHandCues c;
        CHECK(rec_hand_cues(sp, w, NULL, &c) == 0);
        CHECK(op->words[w].printed == rec_hand_printed(&c));
        CHECK(c.stroke_width > 0.0f);
    }
    out_page_destroy(&op);
    seg_page_destroy(&sp);
}

static void rec_hand_cues__bad_word__error(void)
{
    Rng r;
    rng_seed(&r, 1);
    SegPage *sp = page_of_words(1, &r);
    RecHandCues c;
    CHECK(rec_hand_cues(sp, 99, NULL, &c) == -1);
    CHECK(strstr(err_get(), "word 99") != NULL);
    seg_page_destroy(&sp);
}

int main(void)
{
    RUN(rec_hand_printed__type_and_hand_words__told_apart);
    RUN(rec_page_hand__page__every_word_marked);
    RUN(rec_hand_cues__bad_word__error);
    TEST_EXIT();
}
