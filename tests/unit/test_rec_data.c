/* test_rec_data.c - labelled sets: writer lists, .jhf fonts and the stroke
 * renderer, .m trajectories, IDX, CSV, class folders, a miniature Chars74K
 * tree (writer split), augmentation determinism, the source, the cache.
 * Every input file is written here, into TEST_TMPDIR. */
#include "common/binio.h"
#include "common/err.h"
#include "train/train_data.h"
#include "train/train_strokes.h"
#include "tests/unit/test.h"

#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define NIN (REC_INPUT_SIZE * REC_INPUT_SIZE)

static char path_buf[4][1024];

static const char *tmp_path(int slot, const char *name)
{
    snprintf(path_buf[slot], sizeof path_buf[slot], "%s/%s", test_tmpdir(),
             name);
    return path_buf[slot];
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
}

static float sum_of(const float *v)
{
    float s = 0;
    for (int i = 0; i < NIN; i++)
        s += v[i];
    return s;
}

/* A grey glyph picture: a ring (class-ish shape varies with k). */
static PIX *glyph_pix(int w, int h, int k)
{
    PIX *p = pixCreate(w, h, 8);
    pixSetAllArbitrary(p, 230);
    float cx = w * 0.5f, cy = h * 0.5f, r1 = (float)(h < w ? h : w) * 0.35f;
    float r0 = r1 * (0.5f + 0.1f * (float)(k % 4));
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float dx = (float)x - cx, dy = (float)y - cy;
            float d2 = dx * dx + dy * dy;
            if ((d2 <= r1 * r1 && d2 >= r0 * r0) || (k % 2 && x == (int)cx))
                pixSetPixel(p, x, y, 20);
        }
    return p;
}

/* ---- writers ---- */

static void writers_parse__ranges_and_lists__members(void)
{
    RecWriters w;
    CHECK(rec_writers_parse("041-045", &w) == 0);
    CHECK(w.count == 5);
    CHECK(rec_writers_has(&w, 41) && rec_writers_has(&w, 45));
    CHECK(!rec_writers_has(&w, 40) && !rec_writers_has(&w, 46));
    CHECK(rec_writers_parse("1,3,7-9", &w) == 0 && w.count == 5);
    CHECK(rec_writers_has(&w, 8) && !rec_writers_has(&w, 2));
    CHECK(rec_writers_parse("none", &w) == 0 && w.count == 0);
    CHECK(!rec_writers_has(&w, -1));
}

static void writers_parse__bad__error(void)
{
    RecWriters w;
    CHECK(rec_writers_parse("x", &w) == -1);
    CHECK(strstr(err_get(), "'x'") != NULL);
    CHECK(rec_writers_parse("5-3", &w) == -1);
    CHECK(rec_writers_parse("1;2", &w) == -1);
    CHECK(rec_writers_parse("2000", &w) == -1);
}

/* ---- .jhf fonts ---- */

/* A font with glyphs for ' ' .. 'H': '!'..'G' are a short bar; 'A' is a
 * tent drawn as two strokes; 'H' spans y -10..20; the line of 'B' wraps
 * onto a second line as in the classic 72-column files. */
static const char *write_font(void)
{
    const char *path = tmp_path(0, "mini.jhf");
    FILE *f = fopen(path, "w");
    if (!f)
        return path;
    for (int c = 32; c <= 'H'; c++) {
        if (c == ' ')
            fputs("12345  1JZ\n", f);
        else if (c == 'A') /* L/R, (-5,10) (0,-10) (5,10), up, (-3,3) (3,3) */
            fputs("12345  7JZMfRHWf RObUb\n", f);
        else if (c == 'B')
            fputs("12345  4JZNH\nNfVf\n", f);
        else if (c == 'H') /* (-5,-10)..(-5,20), up, (5,-10)..(5,20) */
            fputs("12345  6JZMHMf RWHWf\n", f);
        else
            fputs("12345  3JZRNRV\n", f);
    }
    fclose(f);
    return path;
}

static void stroke_font_load__mini_font__glyphs_and_metrics(void)
{
    RecStrokeFont *font = rec_stroke_font_load(write_font());
    CHECK(font != NULL);
    if (!font)
        return;
    CHECK(strcmp(rec_stroke_font_name(font), "mini") == 0);
    float cap, base;
    rec_stroke_font_metrics(font, &cap, &base);
    CHECK_NEAR(cap, 30.0, 1e-6);
    CHECK_NEAR(base, 20.0, 1e-6);
    RecStrokes s;
    rec_strokes_init(&s);
    float l, r;
    CHECK(rec_stroke_font_glyph(font, 'A', &s, &l, &r) == 0);
    CHECK(s.nstrokes == 2 && s.npts == 5);
    CHECK(s.ends[0] == 3 && s.ends[1] == 5);
    CHECK_NEAR(s.pts[1].x, 0.0, 1e-6);
    CHECK_NEAR(s.pts[1].y, -10.0, 1e-6);
    CHECK_NEAR(l, -8.0, 1e-6);
    CHECK_NEAR(r, 8.0, 1e-6);
    rec_strokes_clear(&s);
    CHECK(rec_stroke_font_glyph(font, 'B', &s, NULL, NULL) == 0);
    CHECK(s.npts == 3 && s.nstrokes == 1); /* wrapped line read whole */
    rec_strokes_clear(&s);
    CHECK(rec_stroke_font_glyph(font, ' ', &s, NULL, NULL) == 0);
    CHECK(s.npts == 0);
    CHECK(rec_stroke_font_glyph(font, 'Z', &s, NULL, NULL) == -1);
    rec_strokes_cleanup(&s);
    rec_stroke_font_destroy(&font);
    CHECK(font == NULL);
}

static void stroke_font_load__bad_count__error_with_line(void)
{
    const char *path = tmp_path(1, "bad.jhf");
    write_file(path, "12345  1JZ\n12345  xJZRNRV\n");
    err_clear();
    RecStrokeFont *font = rec_stroke_font_load(path);
    CHECK(font == NULL);
    CHECK(strstr(err_get(), "bad.jhf:2") != NULL);
    write_file(path, "12345  1JZ\n12345  9JZRNRV\n");
    font = rec_stroke_font_load(path);
    CHECK(font == NULL);
    CHECK(strstr(err_get(), "ends early") != NULL);
    CHECK(rec_stroke_font_load(tmp_path(1, "missing.jhf")) == NULL);
}

static void stroke_font_render__text__size_baseline_and_seeded_jitter(void)
{
    RecStrokeFont *font = rec_stroke_font_load(write_font());
    CHECK(font != NULL);
    if (!font)
        return;
    RecStrokeStyle st;
    rec_stroke_style_init(&st);
    st.height = 40;
    st.pen = 3;
    st.margin = 2;
    int base = -1;
    PIX *p = rec_stroke_font_render(font, "AH", &st, &base);
    CHECK(p != NULL);
    if (p) {
        /* cap height 40 px + pen + margins; nothing below the baseline */
        CHECK(pixGetHeight(p) >= 40 && pixGetHeight(p) <= 52);
        CHECK(base >= 40 && base <= (int)pixGetHeight(p) - 2);
        l_uint32 v;
        pixGetPixel(p, 0, 0, &v);
        CHECK(v == 255);
        float dst[NIN];
        CHECK(rec_glyph_normalize_pix(p, dst) == 0);
    }
    st.jitter = 1.5f;
    st.seed = 7;
    PIX *a = rec_stroke_font_render(font, "AH", &st, NULL);
    PIX *b = rec_stroke_font_render(font, "AH", &st, NULL);
    st.seed = 8;
    PIX *c = rec_stroke_font_render(font, "AH", &st, NULL);
    l_int32 same_ab = 0, same_ac = 1;
    if (a && b && c) {
        pixEqual(a, b, &same_ab);
        pixEqual(a, c, &same_ac);
    }
    CHECK(same_ab && !same_ac);
    err_clear();
    CHECK(rec_stroke_font_render(font, "AZ", &st, NULL) == NULL);
    CHECK(strstr(err_get(), "0x5a") != NULL);
    pixDestroy(&p);
    pixDestroy(&a);
    pixDestroy(&b);
    pixDestroy(&c);
    rec_stroke_font_destroy(&font);
}

static void strokes_raster__segment__covers_pen_width(void)
{
    RecStrokes s;
    rec_strokes_init(&s);
    rec_strokes_add_point(&s, 5.0f, 10.0f);
    rec_strokes_add_point(&s, 25.0f, 10.0f);
    rec_strokes_end_stroke(&s);
    float cov[30 * 20];
    memset(cov, 0, sizeof cov);
    rec_strokes_raster(&s, 4.0f, cov, 30, 20);
    float col = 0; /* column 15: 4 px of ink */
    for (int y = 0; y < 20; y++)
        col += cov[y * 30 + 15];
    CHECK_NEAR(col, 4.0, 0.6);
    CHECK(cov[10 * 30 + 15] == 1.0f && cov[0] == 0.0f);
    rec_strokes_cleanup(&s);
}

/* ---- trajectories ---- */

static void add_trajectory__two_strokes__loaded_and_rendered(void)
{
    const char *path = tmp_path(0, "img012_003.m");
    write_file(path, "rows = {[1.0e+002\n2.0e+002\n3.0e+002\n];\n[1.5e+002\n"
                     "1.5e+002\n];\n};\n\ncols = {[1.0e+002\n1.5e+002\n"
                     "2.0e+002\n];\n[1.2e+002\n1.8e+002\n];\n};\n");
    RecSet *set = rec_set_create();
    CHECK(rec_set_add_trajectory(set, path, 11, 3, NULL) == 0);
    CHECK(rec_set_count(set) == 1);
    CHECK(rec_set_label(set, 0) == 11 && rec_set_writer(set, 0) == 3);
    CHECK(rec_set_kind(set, 0) == REC_KIND_TRAJ);
    CHECK(sum_of(rec_set_input(set, 0)) > 20.0f);
    rec_set_destroy(&set);
}

static void add_trajectory__shape_mismatch__error_names_file(void)
{
    const char *path = tmp_path(0, "bad.m");
    write_file(path, "rows = {[1\n2\n];\n};\ncols = {[1\n2\n3\n];\n};\n");
    RecSet *set = rec_set_create();
    err_clear();
    CHECK(rec_set_add_trajectory(set, path, 0, 1, NULL) == -1);
    CHECK(strstr(err_get(), "bad.m") != NULL);
    write_file(path, "rows = {[1\n2\n];\ncols = {[1\n2\n];\n};\n");
    CHECK(rec_set_add_trajectory(set, path, 0, 1, NULL) == -1);
    write_file(path, "rows = {[1\nx\n]};\ncols = {[1\n2\n]};\n");
    CHECK(rec_set_add_trajectory(set, path, 0, 1, NULL) == -1);
    CHECK(strstr(err_get(), "bad.m:2") != NULL);
    CHECK(rec_set_count(set) == 0);
    rec_set_destroy(&set);
}

/* ---- IDX ---- */

static void write_idx(const char *images, const char *labels, int gz, int n,
                      unsigned magic)
{
    unsigned char hdr[16] = {0,
                             0,
                             (unsigned char)(magic >> 8),
                             (unsigned char)magic,
                             0,
                             0,
                             0,
                             (unsigned char)n,
                             0,
                             0,
                             0,
                             12,
                             0,
                             0,
                             0,
                             10};
    unsigned char img[12 * 10];
    gzFile fi = gzopen(images, gz ? "wb" : "wbT");
    gzFile fl = gzopen(labels, gz ? "wb" : "wbT");
    if (!fi || !fl)
        return;
    gzwrite(fi, hdr, 16);
    unsigned char lh[8] = {0, 0, 8, 1, 0, 0, 0, (unsigned char)n};
    gzwrite(fl, lh, 8);
    for (int k = 0; k < n; k++) {
        memset(img, 0, sizeof img);
        for (int y = 2; y < 10; y++) /* white bar on black, moves with k */
            img[y * 10 + 2 + k % 5] = img[y * 10 + 3 + k % 5] = 255;
        gzwrite(fi, img, sizeof img);
        unsigned char l = (unsigned char)(k % 10);
        gzwrite(fl, &l, 1);
    }
    gzclose(fi);
    gzclose(fl);
}

static void add_idx__gz_and_raw__range_loaded_inverted(void)
{
    for (int gz = 0; gz < 2; gz++) {
        const char *im = tmp_path(0, gz ? "i.idx.gz" : "i.idx");
        const char *lb = tmp_path(1, gz ? "l.idx.gz" : "l.idx");
        write_idx(im, lb, gz, 7, 0x803);
        CHECK(rec_idx_count(im) == 7);
        RecSet *set = rec_set_create();
        CHECK(rec_set_add_idx(set, im, lb, 2, 3, NULL) == 3);
        CHECK(rec_set_count(set) == 3);
        CHECK(rec_set_label(set, 0) == 2 && rec_set_label(set, 2) == 4);
        CHECK(rec_set_writer(set, 0) == -1);
        /* a vertical bar: ink in the centre column after normalisation */
        const float *x = rec_set_input(set, 0);
        CHECK(x[16 * REC_INPUT_SIZE + 16] > 0.5f && x[16] == 0.0f);
        CHECK(rec_set_add_idx(set, im, lb, 5, -1, NULL) == 2);
        rec_set_destroy(&set);
    }
}

static void add_idx__bad_magic__error(void)
{
    const char *im = tmp_path(0, "bad.idx"), *lb = tmp_path(1, "badl.idx");
    write_idx(im, lb, 0, 3, 0x802);
    RecSet *set = rec_set_create();
    err_clear();
    CHECK(rec_set_add_idx(set, im, lb, 0, -1, NULL) == -1);
    CHECK(strstr(err_get(), "magic") != NULL);
    CHECK(rec_set_add_idx(set, tmp_path(2, "none.idx"), lb, 0, -1, NULL) == -1);
    rec_set_destroy(&set);
}

/* ---- CSV and folders ---- */

static void add_csv__header_relative_paths_writers__loaded(void)
{
    PIX *a = glyph_pix(40, 50, 0), *b = glyph_pix(30, 30, 1);
    pixWrite(tmp_path(0, "img011-007.png"), a, IFF_PNG);
    pixWrite(tmp_path(0, "other.png"), b, IFF_PNG);
    const char *csv = tmp_path(1, "labels.csv");
    write_file(csv, "image,char,class\nimg011-007.png,A,10\r\nother.png,z\n");
    RecSet *set = rec_set_create();
    CHECK(rec_set_add_csv(set, csv, NULL) == 2);
    CHECK(rec_set_label(set, 0) == 10 && rec_set_writer(set, 0) == 7);
    CHECK(rec_set_label(set, 1) == 61 && rec_set_writer(set, 1) == -1);
    /* the clean input is exactly the pipeline's normalisation */
    float ref[NIN];
    CHECK(rec_glyph_normalize_pix(a, ref) == 0);
    CHECK(memcmp(ref, rec_set_input(set, 0), sizeof ref) == 0);
    RecWriters only;
    rec_writers_parse("7", &only);
    RecLoadOptions lo;
    rec_load_options_init(&lo);
    lo.only = &only;
    CHECK(rec_set_add_csv(set, csv, &lo) == 1);
    rec_set_destroy(&set);
    pixDestroy(&a);
    pixDestroy(&b);
}

static void add_csv__bad_char__error_with_line(void)
{
    const char *csv = tmp_path(1, "bad.csv");
    write_file(csv, "other.png,A\nother.png,#\n");
    RecSet *set = rec_set_create();
    err_clear();
    CHECK(rec_set_add_csv(set, csv, NULL) == -1);
    CHECK(strstr(err_get(), "bad.csv:2") != NULL);
    write_file(csv, "missing.png,A\n");
    CHECK(rec_set_add_csv(set, csv, NULL) == -1);
    CHECK(strstr(err_get(), "bad.csv:1") != NULL);
    rec_set_destroy(&set);
}

static void add_dir__class_folders__labels_from_names(void)
{
    const char *root = tmp_path(0, "classes");
    char sub[1100], file[1200];
    mkdir(root, 0755);
    const char *names[] = {"A", "lower_b", "Sample003"};
    for (int k = 0; k < 3; k++) {
        snprintf(sub, sizeof sub, "%s/%s", root, names[k]);
        mkdir(sub, 0755);
        for (int j = 0; j < 2; j++) {
            PIX *p = glyph_pix(24 + j, 30, k);
            snprintf(file, sizeof file, "%s/g%d.png", sub, j);
            pixWrite(file, p, IFF_PNG);
            pixDestroy(&p);
        }
        snprintf(file, sizeof file, "%s/readme.txt", sub);
        write_file(file, "not an image");
    }
    RecSet *set = rec_set_create();
    CHECK(rec_set_add_dir(set, root, NULL) == 6);
    int counts[REC_NCLASSES] = {0};
    for (int i = 0; i < rec_set_count(set); i++)
        counts[rec_set_label(set, i)]++;
    CHECK(counts[10] == 2 && counts[37] == 2 && counts[2] == 2);
    snprintf(sub, sizeof sub, "%s/notaclass", root);
    mkdir(sub, 0755);
    err_clear();
    CHECK(rec_set_add_dir(set, root, NULL) == -1);
    CHECK(strstr(err_get(), "notaclass") != NULL);
    rmdir(sub);
    rec_set_destroy(&set);
}

/* ---- a miniature Chars74K ---- */

static const char *write_chars74k(int writers)
{
    const char *root = tmp_path(2, "c74k");
    char d[1100], f[1200];
    mkdir(root, 0755);
    snprintf(d, sizeof d, "%s/Img", root);
    mkdir(d, 0755);
    snprintf(d, sizeof d, "%s/Trj", root);
    mkdir(d, 0755);
    for (int c = 1; c <= REC_NCLASSES; c++) {
        for (int t = 0; t < 2; t++) {
            snprintf(d, sizeof d, "%s/%s/Sample%03d", root, t ? "Trj" : "Img",
                     c);
            mkdir(d, 0755);
        }
        for (int w = 1; w <= writers; w++) {
            PIX *p = glyph_pix(30 + w, 36, c + w);
            snprintf(f, sizeof f, "%s/Img/Sample%03d/img%03d-%03d.png", root, c,
                     c, w);
            pixWrite(f, p, IFF_PNG);
            pixDestroy(&p);
            snprintf(f, sizeof f, "%s/Trj/Sample%03d/img%03d_%03d.m", root, c,
                     c, w);
            char text[256];
            snprintf(text, sizeof text,
                     "rows = {[10\n%d\n];\n};\ncols = {[10\n%d\n];\n};\n",
                     40 + c, 20 + w);
            write_file(f, text);
        }
    }
    return root;
}

static void add_chars74k__writer_split__never_mixes_writers(void)
{
    const char *root = write_chars74k(4);
    RecWriters held;
    rec_writers_parse("003-004", &held);
    RecLoadOptions tr, te;
    rec_load_options_init(&tr);
    rec_load_options_init(&te);
    tr.exclude = &held;
    te.only = &held;
    RecSet *train = rec_set_create(), *test = rec_set_create();
    CHECK(rec_set_add_chars74k(train, root, 1, 1, &tr) == 2 * 2 * 62);
    CHECK(rec_set_add_chars74k(test, root, 1, 0, &te) == 2 * 62);
    int seen_train[8] = {0}, seen_test[8] = {0};
    for (int i = 0; i < rec_set_count(train); i++) {
        int w = rec_set_writer(train, i);
        CHECK(w >= 1 && w <= 4);
        seen_train[w & 7]++;
    }
    for (int i = 0; i < rec_set_count(test); i++)
        seen_test[rec_set_writer(test, i) & 7]++;
    for (int w = 0; w < 8; w++)
        CHECK(!(seen_train[w] && seen_test[w]));
    CHECK(seen_train[1] == 124 && seen_test[3] == 62);
    /* class from the folder: Sample011 is 'A' */
    int found = 0;
    for (int i = 0; i < rec_set_count(test); i++)
        if (strstr(rec_set_name(test, i), "img011-003.png"))
            found = rec_set_label(test, i) == 10;
    CHECK(found);
    rec_set_destroy(&train);
    rec_set_destroy(&test);
}

static void add_chars74k__missing_folder__error(void)
{
    RecSet *set = rec_set_create();
    err_clear();
    CHECK(rec_set_add_chars74k(set, tmp_path(0, "nowhere"), 1, 0, NULL) == -1);
    CHECK(strstr(err_get(), "Sample001") != NULL);
    rec_set_destroy(&set);
}

/* ---- augmentation, source, cache ---- */

static RecSet *small_set(void)
{
    RecSet *set = rec_set_create();
    for (int k = 0; k < 4; k++) {
        PIX *p = glyph_pix(60 + 10 * k, 70, k);
        rec_set_add_pix(set, p, k, k, REC_KIND_IMAGE, "fixture", NULL);
        pixDestroy(&p);
    }
    const char *path = tmp_path(0, "t.m");
    write_file(path, "rows = {[100\n300\n300\n];\n};\ncols = {[100\n100\n"
                     "200\n];\n};\n");
    rec_set_add_trajectory(set, path, 21, 9, NULL);
    return set;
}

static void render__same_seed__identical_other_seed__differs(void)
{
    RecSet *set = small_set();
    CHECK(rec_set_count(set) == 5);
    RecAugment aug;
    rec_augment_init(&aug);
    for (int i = 0; i < rec_set_count(set); i++) {
        float a[NIN], b[NIN], c[NIN];
        CHECK(rec_set_render(set, i, &aug, 1234, a) == 0);
        CHECK(rec_set_render(set, i, &aug, 1234, b) == 0);
        CHECK(rec_set_render(set, i, &aug, 999, c) == 0);
        CHECK(memcmp(a, b, sizeof a) == 0);
        CHECK(memcmp(a, c, sizeof a) != 0);
        CHECK(sum_of(a) > 10.0f);
        /* clean render = the stored input */
        CHECK(rec_set_render(set, i, NULL, 5, a) == 0);
        CHECK(memcmp(a, rec_set_input(set, i), sizeof a) == 0);
    }
    float x[NIN];
    CHECK(rec_set_render(set, 5, &aug, 1, x) == -1);
    rec_set_destroy(&set);
}

static void source__repeat__maps_epoch_samples_to_set(void)
{
    RecSet *set = small_set();
    rec_set_set_repeat(set, REC_KIND_IMAGE, 3);
    RecSetSource ctx;
    RecSource src;
    RecAugment aug;
    rec_augment_init(&aug);
    rec_set_source(&ctx, set, &aug, &src);
    CHECK(src.n == 4 * 3 + 1);
    int label = -1;
    float x[NIN], y[NIN];
    CHECK(src.get(src.ctx, 0, 7, x, &label) == 0 && label == 0);
    CHECK(src.get(src.ctx, 5, 7, x, &label) == 0 && label == 1);
    CHECK(src.get(src.ctx, 12, 7, x, &label) == 0 && label == 21);
    /* copies of one sample differ within an epoch, repeat across runs */
    CHECK(src.get(src.ctx, 3, 7, x, &label) == 0);
    CHECK(src.get(src.ctx, 4, 7, y, &label) == 0);
    CHECK(memcmp(x, y, sizeof x) != 0);
    CHECK(src.get(src.ctx, 4, 7, x, &label) == 0);
    CHECK(memcmp(x, y, sizeof x) == 0);
    CHECK(src.get(src.ctx, 13, 7, x, &label) == -1);
    rec_set_destroy(&set);
}

static void source__quota__draws_per_epoch_from_pool(void)
{
    RecSet *set = small_set(); /* 4 pictures, 1 trajectory */
    CHECK(rec_set_set_quota(set, REC_KIND_IMAGE, 10) == 0);
    RecSetSource ctx;
    RecSource src;
    rec_set_source(&ctx, set, NULL, &src);
    CHECK(src.n == 1 + 10);
    int label = -1, hist[4] = {0};
    float x[NIN];
    CHECK(src.get(src.ctx, 0, 3, x, &label) == 0 && label == 21);
    for (int k = 1; k < 11; k++) {
        CHECK(src.get(src.ctx, k, 3, x, &label) == 0);
        CHECK(label >= 0 && label < 4);
        if (label >= 0 && label < 4)
            hist[label]++;
    }
    CHECK(hist[0] + hist[1] + hist[2] + hist[3] == 10);
    /* another epoch seed draws another selection somewhere */
    int differ = 0, l2;
    for (int k = 1; k < 11; k++) {
        src.get(src.ctx, k, 3, x, &label);
        src.get(src.ctx, k, 4, x, &l2);
        differ |= label != l2;
    }
    CHECK(differ);
    CHECK(src.get(src.ctx, 11, 3, x, &label) == -1);
    CHECK(rec_set_set_quota(set, REC_KIND_IMAGE, 0) == 0);
    rec_set_source(&ctx, set, NULL, &src);
    CHECK(src.n == 5);
    rec_set_destroy(&set);
}

static void set_balance_net__frequent_class__prior_divided_out(void)
{
    RecSet *set = small_set(); /* labels 0,1,2,3 (pictures), 21 (strokes) */
    rec_set_set_repeat(set, REC_KIND_IMAGE, 1);
    /* class 0 three times as often as classes 1..3 and 21 */
    for (int k = 0; k < 2; k++) {
        PIX *p = glyph_pix(50, 50, 0);
        rec_set_add_pix(set, p, 0, 1, REC_KIND_IMAGE, "extra", NULL);
        pixDestroy(&p);
    }
    RecNet *net = rec_net_create("c4,p,f62", 5);
    CHECK(net != NULL);
    if (!net) {
        rec_set_destroy(&set);
        return;
    }
    const float *x = rec_set_input(set, 0);
    float before[REC_NCLASSES], after[REC_NCLASSES];
    CHECK(rec_net_classify(net, x, 1, REC_CHARSET_ALL, before) == 0);
    CHECK(rec_set_balance_net(set, net) == 0);
    CHECK(rec_net_classify(net, x, 1, REC_CHARSET_ALL, after) == 0);
    /* odds of class 0 against 1 fall by 3; 1 vs 2 unchanged; classes the
     * set never shows keep their odds against each other */
    CHECK_NEAR((after[0] / after[1]) / (before[0] / before[1]), 1.0 / 3.0,
               1e-3);
    CHECK_NEAR((after[1] / after[2]) / (before[1] / before[2]), 1.0, 1e-3);
    CHECK_NEAR((after[40] / after[50]) / (before[40] / before[50]), 1.0, 1e-3);
    rec_net_destroy(&net);
    rec_set_destroy(&set);
}

static void set_unbalance_net__after_balance__same_outputs(void)
{
    RecSet *set = small_set();
    rec_set_set_repeat(set, REC_KIND_IMAGE, 1);
    for (int k = 0; k < 2; k++) {
        PIX *p = glyph_pix(50, 50, 0);
        rec_set_add_pix(set, p, 0, 1, REC_KIND_IMAGE, "extra", NULL);
        pixDestroy(&p);
    }
    RecNet *net = rec_net_create("c4,p,f62", 5);
    CHECK(net != NULL);
    if (!net) {
        rec_set_destroy(&set);
        return;
    }
    const float *x = rec_set_input(set, 0);
    float before[REC_NCLASSES], mid[REC_NCLASSES], after[REC_NCLASSES];
    CHECK(rec_net_classify(net, x, 1, REC_CHARSET_ALL, before) == 0);
    CHECK(rec_set_balance_net(set, net) == 0);
    CHECK(rec_net_classify(net, x, 1, REC_CHARSET_ALL, mid) == 0);
    CHECK(rec_set_unbalance_net(set, net) == 0);
    CHECK(rec_net_classify(net, x, 1, REC_CHARSET_ALL, after) == 0);
    /* balancing moved class 0; undoing it gives the first outputs back */
    CHECK(fabs((double)mid[0] - (double)before[0]) > 1e-4);
    for (int c = 0; c < REC_NCLASSES; c++)
        CHECK_NEAR(after[c], before[c], 1e-5);
    rec_net_destroy(&net);
    rec_set_destroy(&set);
}

static void set_save_load__roundtrip__same_samples_key_checked(void)
{
    RecSet *set = small_set();
    const char *path = tmp_path(3, "set.cache");
    CHECK(rec_set_save(set, path, "key1") == 0);
    RecSet *back = rec_set_load(path, "key1");
    CHECK(back != NULL);
    if (back) {
        CHECK(rec_set_count(back) == rec_set_count(set));
        RecAugment aug;
        rec_augment_init(&aug);
        for (int i = 0; i < rec_set_count(set); i++) {
            float a[NIN], b[NIN];
            CHECK(rec_set_label(back, i) == rec_set_label(set, i));
            CHECK(rec_set_writer(back, i) == rec_set_writer(set, i));
            rec_set_render(set, i, &aug, 42, a);
            rec_set_render(back, i, &aug, 42, b);
            CHECK(memcmp(a, b, sizeof a) == 0);
        }
    }
    err_clear();
    CHECK(rec_set_load(path, "key2") == NULL);
    CHECK(strstr(err_get(), "other data") != NULL);
    write_file(path, "INKPSET1garbage");
    CHECK(rec_set_load(path, "key1") == NULL);
    rec_set_destroy(&back);
    rec_set_destroy(&set);
}

static void set_save__any_host__little_endian_versioned_with_crc(void)
{
    RecSet *set = small_set();
    const char *path = tmp_path(3, "le.cache");
    CHECK(rec_set_save(set, path, "key1") == 0);
    size_t n = 0;
    unsigned char *p = binio_file_read(path, (size_t)1 << 30, &n);
    CHECK(p != NULL && n > 100);
    if (p && n > 100) {
        CHECK(memcmp(p, "INKPSET\0", 8) == 0);
        CHECK(binio_get_u32(p + 8) == 2); /* version */
        CHECK(binio_get_u32(p + 12) == 4 && memcmp(p + 16, "key1", 4) == 0);
        CHECK(binio_get_u32(p + 20) == (uint32_t)rec_set_count(set));
        /* first sample: label, writer, repeat, kind as i32 LE */
        CHECK(binio_get_u32(p + 24) == (uint32_t)rec_set_label(set, 0));
        CHECK(binio_get_u32(p + 28) == (uint32_t)rec_set_writer(set, 0));
        CHECK(binio_get_u32(p + 32) == 1);
        CHECK(binio_get_u32(p + 36) == (uint32_t)rec_set_kind(set, 0));
        CHECK(binio_get_u32(p + n - 4) ==
              (uint32_t)crc32(0L, p, (uInt)(n - 4)));
    }
    free(p);
    rec_set_destroy(&set);
}

static void set_load__version_1_or_damaged__refused_with_reason(void)
{
    RecSet *set = small_set();
    const char *path = tmp_path(3, "bad.cache");
    /* the native-endian format of before: refused by its version */
    write_file(path, "INKPSET1\004\0\0\0key1\0\0\0\0");
    err_clear();
    CHECK(rec_set_load(path, "key1") == NULL);
    CHECK(strstr(err_get(), path) != NULL);
    CHECK(strstr(err_get(), "version 1") != NULL);
    /* one flipped bit anywhere: the CRC catches it */
    CHECK(rec_set_save(set, path, "key1") == 0);
    size_t n = 0;
    unsigned char *p = binio_file_read(path, (size_t)1 << 30, &n);
    CHECK(p != NULL);
    if (p) {
        size_t at[3] = {20, n / 2, n - 5};
        for (int i = 0; i < 3; i++) {
            p[at[i]] ^= 0x10;
            binio_file_write(path, p, n);
            p[at[i]] ^= 0x10;
            err_clear();
            CHECK(rec_set_load(path, "key1") == NULL);
            CHECK(strstr(err_get(), path) != NULL);
            CHECK(strstr(err_get(), "damaged") != NULL);
        }
        /* cut short: refused, naming the file */
        binio_file_write(path, p, n / 3);
        err_clear();
        CHECK(rec_set_load(path, "key1") == NULL);
        CHECK(strstr(err_get(), path) != NULL);
        /* intact again: loads */
        binio_file_write(path, p, n);
        RecSet *back = rec_set_load(path, "key1");
        CHECK(back != NULL && rec_set_count(back) == rec_set_count(set));
        rec_set_destroy(&back);
    }
    free(p);
    rec_set_destroy(&set);
}

int main(void)
{
    RUN(writers_parse__ranges_and_lists__members);
    RUN(writers_parse__bad__error);
    RUN(stroke_font_load__mini_font__glyphs_and_metrics);
    RUN(stroke_font_load__bad_count__error_with_line);
    RUN(stroke_font_render__text__size_baseline_and_seeded_jitter);
    RUN(strokes_raster__segment__covers_pen_width);
    RUN(add_trajectory__two_strokes__loaded_and_rendered);
    RUN(add_trajectory__shape_mismatch__error_names_file);
    RUN(add_idx__gz_and_raw__range_loaded_inverted);
    RUN(add_idx__bad_magic__error);
    RUN(add_csv__header_relative_paths_writers__loaded);
    RUN(add_csv__bad_char__error_with_line);
    RUN(add_dir__class_folders__labels_from_names);
    RUN(add_chars74k__writer_split__never_mixes_writers);
    RUN(add_chars74k__missing_folder__error);
    RUN(render__same_seed__identical_other_seed__differs);
    RUN(source__repeat__maps_epoch_samples_to_set);
    RUN(source__quota__draws_per_epoch_from_pool);
    RUN(set_balance_net__frequent_class__prior_divided_out);
    RUN(set_unbalance_net__after_balance__same_outputs);
    RUN(set_save_load__roundtrip__same_samples_key_checked);
    RUN(set_save__any_host__little_endian_versioned_with_crc);
    RUN(set_load__version_1_or_damaged__refused_with_reason);
    TEST_EXIT();
}
