/*
 * test_rec_page.c - the scorer the segmenter's cuts of touching glyphs
 * use: with a memo, a mask scored before on the page gets the score the
 * classifier gives it, without being classified again.
 *
 * Fixtures: an untrained network saved and loaded (batch norm folded, so
 * int8 runs as on a page); masks drawn from a seeded generator.
 */
#include "recognize/rec_page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

static unsigned seed = 7;

static unsigned next(void)
{
    seed = seed * 1103515245u + 12345u;
    return seed >> 16;
}

/* A w x h mask of blobs (0/1 bytes, or 0/255 when big is set). */
static void draw(unsigned char *m, int w, int h, int big)
{
    for (int i = 0; i < w * h; i++)
        m[i] = next() % 3 ? (unsigned char)(big ? 255 : 1) : 0;
}

static RecNet *test_net(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/page_score.model", test_tmpdir());
    RecNet *net0 = rec_net_create(NULL, 11);
    CHECK(net0 != NULL && rec_net_save(net0, path) == 0);
    rec_net_destroy(&net0);
    return rec_net_load(path);
}

static void rec_page_score_glyph__memo__same_scores_each_mask_kept_once(void)
{
    RecNet *net = test_net();
    CHECK(net != NULL);
    if (!net)
        return;
    RecCharset cs = REC_CHARSET_ALL;
    RecPageScorer plain = {net, cs, NULL};
    RecPageScorer memo = {net, cs, rec_score_memo_create()};
    CHECK(memo.memo != NULL);
    enum { N = 12 };
    static const int sizes[N][2] = {{5, 9},   {20, 31}, {1, 1},  {64, 40},
                                    {3, 200}, {31, 17}, {8, 8},  {9, 8},
                                    {40, 64}, {2, 2},   {17, 33}, {100, 90}};
    unsigned char *masks[N];
    float first[N];
    for (int i = 0; i < N; i++) {
        masks[i] = malloc((size_t)sizes[i][0] * sizes[i][1]);
        CHECK(masks[i] != NULL);
        if (!masks[i])
            return;
        draw(masks[i], sizes[i][0], sizes[i][1], i % 2);
    }
    int same = 0;
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < N; i++) {
            int w = sizes[i][0], h = sizes[i][1];
            float a = rec_page_score_glyph(&memo, masks[i], w, h);
            float b = rec_page_score_glyph(&plain, masks[i], w, h);
            if (round == 0)
                first[i] = a;
            same += a == b && a == first[i];
        }
    CHECK(same == 3 * N);
    CHECK(rec_score_memo_count(memo.memo) == N);
    /* the same ink as 0/255 instead of 0/1 bytes is the same mask */
    unsigned char *big = malloc((size_t)20 * 31);
    CHECK(big != NULL);
    if (big) {
        for (int i = 0; i < 20 * 31; i++)
            big[i] = masks[1][i] ? 255 : 0;
        CHECK(rec_page_score_glyph(&memo, big, 20, 31) == first[1]);
        CHECK(rec_score_memo_count(memo.memo) == N);
        /* one pixel more is another mask: scored afresh and kept */
        big[0] = big[0] ? 0 : 255;
        float fresh = rec_page_score_glyph(&plain, big, 20, 31);
        CHECK(rec_page_score_glyph(&memo, big, 20, 31) == fresh);
        CHECK(rec_score_memo_count(memo.memo) == N + 1);
        /* the same bytes as another size are another mask too */
        float other = rec_page_score_glyph(&plain, big, 31, 20);
        CHECK(rec_page_score_glyph(&memo, big, 31, 20) == other);
        CHECK(rec_score_memo_count(memo.memo) == N + 2);
        free(big);
    }
    for (int i = 0; i < N; i++)
        free(masks[i]);
    rec_score_memo_destroy(&memo.memo);
    CHECK(memo.memo == NULL);
    rec_score_memo_destroy(&memo.memo); /* a no-op */
    rec_net_destroy(&net);
}

/* Past its first table (256 slots, at most half full) the memo grows:
 * 300 masks, then each again, all found with their first scores. */
static void rec_page_score_glyph__memo_grown__every_mask_found(void)
{
    RecNet *net = test_net();
    CHECK(net != NULL);
    if (!net)
        return;
    RecPageScorer memo = {net, REC_CHARSET_ALL, rec_score_memo_create()};
    enum { N = 300, W = 12, H = 10 };
    static unsigned char masks[N][W * H];
    static float first[N];
    int same = 0;
    for (int i = 0; i < N; i++) {
        draw(masks[i], W, H, 0);
        masks[i][0] = 1; /* never blank */
        first[i] = rec_page_score_glyph(&memo, masks[i], W, H);
    }
    int kept = rec_score_memo_count(memo.memo);
    for (int i = N - 1; i >= 0; i--)
        same += rec_page_score_glyph(&memo, masks[i], W, H) == first[i];
    CHECK(kept > 256 / 2); /* it grew (random masks may repeat) */
    CHECK(same == N);
    CHECK(rec_score_memo_count(memo.memo) == kept);
    rec_score_memo_destroy(&memo.memo);
    rec_net_destroy(&net);
}

/* Past its bound the memo keeps nothing more, and every score is still
 * the classifier's. */
static void rec_page_score_glyph__memo_full__scores_still_right(void)
{
    RecNet *net = test_net();
    CHECK(net != NULL);
    if (!net)
        return;
    RecPageScorer plain = {net, REC_CHARSET_ALL, NULL};
    RecPageScorer memo = {net, REC_CHARSET_ALL, rec_score_memo_create()};
    /* 2 MB masks: four fill the 8 MB of mask bits */
    int w = 4096, h = 4096, same = 0;
    unsigned char *m = malloc((size_t)w * h);
    CHECK(m != NULL && memo.memo != NULL);
    if (!m || !memo.memo) {
        free(m);
        rec_score_memo_destroy(&memo.memo);
        rec_net_destroy(&net);
        return;
    }
    for (int i = 0; i < 6; i++) {
        memset(m, 0, (size_t)w * h);
        for (int k = 0; k <= i; k++) /* a different blob each time */
            memset(m + (size_t)(100 + 300 * k) * w + 50, 1, 2000);
        same += rec_page_score_glyph(&memo, m, w, h) ==
                rec_page_score_glyph(&plain, m, w, h);
    }
    CHECK(same == 6);
    CHECK(rec_score_memo_count(memo.memo) == 4);
    free(m);
    rec_score_memo_destroy(&memo.memo);
    rec_net_destroy(&net);
}

int main(void)
{
    RUN(rec_page_score_glyph__memo__same_scores_each_mask_kept_once);
    RUN(rec_page_score_glyph__memo_grown__every_mask_found);
    RUN(rec_page_score_glyph__memo_full__scores_still_right);
    TEST_EXIT();
}
