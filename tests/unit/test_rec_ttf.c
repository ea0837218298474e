/* test_rec_ttf.c - outline-font glyphs (rec_ttf.c): errors on missing
 * paths, folders without fonts and files that are no font (no font needed);
 * with DejaVu Sans (fonts-dejavu-core, in Debian's base image) the 62
 * classes, their pictures, augmentation, a repeated font read once and the
 * set cache. The DejaVu cases print "SKIP name (reason)" when the font is
 * not installed. */
#include "common/err.h"
#include "train/train_data.h"
#include "tests/unit/test.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NIN (REC_INPUT_SIZE * REC_INPUT_SIZE)
#define DEJAVU "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

static char path_buf[4][1024];

static const char *tmp_path(int slot, const char *name)
{
    snprintf(path_buf[slot], sizeof path_buf[slot], "%s/%s", test_tmpdir(),
             name);
    return path_buf[slot];
}

static void write_bytes(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return;
    fwrite(p, 1, n, f);
    fclose(f);
}

static int copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    int ok = a && b;
    char buf[65536];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, a)) > 0)
        ok = fwrite(buf, 1, n, b) == n;
    if (a)
        fclose(a);
    if (b)
        fclose(b);
    return ok;
}

static int have_dejavu(const char *name)
{
    if (access(DEJAVU, R_OK) == 0)
        return 1;
    printf("SKIP %s (%s not installed: apt-get install fonts-dejavu-core)\n",
           name, DEJAVU);
    return 0;
}

static float ink_of(const float *v)
{
    float s = 0;
    for (int i = 0; i < NIN; i++)
        s += v[i];
    return s;
}

static float diff_of(const float *a, const float *b)
{
    float s = 0;
    for (int i = 0; i < NIN; i++)
        s += fabsf(a[i] - b[i]);
    return s;
}

static void add_ttf__missing_path__error_names_path(void)
{
    RecSet *set = rec_set_create();
    const char *p = tmp_path(0, "no-such-font.ttf");
    unlink(p);
    CHECK(rec_set_add_ttf(set, p, NULL, NULL) == -1);
    CHECK(strstr(err_get(), "no-such-font.ttf") != NULL);
    CHECK(rec_set_count(set) == 0);
    rec_set_destroy(&set);
}

static void add_ttf__folder_without_fonts__error(void)
{
    const char *dir = tmp_path(0, "ttf-empty");
    mkdir(dir, 0755);
    char txt[1200];
    snprintf(txt, sizeof txt, "%s/README.txt", dir);
    write_bytes(txt, "not a font\n", 11);
    RecSet *set = rec_set_create();
    CHECK(rec_set_add_ttf(set, dir, NULL, NULL) == -1);
    CHECK(strstr(err_get(), "no .ttf or .otf") != NULL);
    CHECK(strstr(err_get(), "ttf-empty") != NULL);
    rec_set_destroy(&set);
    unlink(txt);
    rmdir(dir);
}

static void add_ttf__not_a_font__error_names_file(void)
{
    const char *dir = tmp_path(0, "ttf-junk");
    mkdir(dir, 0755);
    char junk[1200];
    snprintf(junk, sizeof junk, "%s/broken.ttf", dir);
    unsigned char bytes[256];
    for (int i = 0; i < 256; i++)
        bytes[i] = (unsigned char)(i * 37 + 11);
    write_bytes(junk, bytes, sizeof bytes);
    RecSet *set = rec_set_create();
    CHECK(rec_set_add_ttf(set, dir, NULL, NULL) == -1);
    CHECK(strstr(err_get(), "broken.ttf") != NULL);
    CHECK(strstr(err_get(), "not a font") != NULL);
    CHECK(rec_set_count(set) == 0);
    /* the file by name: the same error */
    CHECK(rec_set_add_ttf(set, junk, NULL, NULL) == -1);
    CHECK(strstr(err_get(), "broken.ttf") != NULL);
    rec_set_destroy(&set);
    unlink(junk);
    rmdir(dir);
}

static void add_ttf__dejavu_sans__62_classes_with_ink(void)
{
    if (!have_dejavu(__func__))
        return;
    RecSet *set = rec_set_create();
    RecTtfStats st;
    memset(&st, 0, sizeof st);
    RecLoadOptions lo;
    rec_load_options_init(&lo);
    lo.repeat = 3;
    CHECK(rec_set_add_ttf(set, DEJAVU, &lo, &st) == REC_NCLASSES);
    CHECK(st.fonts == 1 && st.glyphs == REC_NCLASSES);
    CHECK(st.missing == 0 && st.empty == 0 && st.dup == 0 && st.caps == 0);
    int seen[REC_NCLASSES] = {0};
    for (int i = 0; i < rec_set_count(set); i++) {
        int c = rec_set_label(set, i);
        CHECK(c >= 0 && c < REC_NCLASSES);
        if (c >= 0 && c < REC_NCLASSES)
            seen[c]++;
        CHECK(rec_set_kind(set, i) == REC_KIND_TTF);
        CHECK(rec_set_writer(set, i) == -1);
        CHECK(ink_of(rec_set_input(set, i)) > 20.0f);
        char want[8];
        snprintf(want, sizeof want, ":%c", rec_class_chars[c]);
        CHECK(strstr(rec_set_name(set, i), "DejaVuSans.ttf") != NULL);
        CHECK(strstr(rec_set_name(set, i), want) != NULL);
    }
    for (int c = 0; c < REC_NCLASSES; c++)
        CHECK(seen[c] == 1);
    /* distinct shapes: 'A' and 'a', '1' and '7' */
    int iA = -1, ia = -1, i1 = -1, i7 = -1;
    for (int i = 0; i < rec_set_count(set); i++) {
        int ch = rec_class_chars[rec_set_label(set, i)];
        iA = ch == 'A' ? i : iA;
        ia = ch == 'a' ? i : ia;
        i1 = ch == '1' ? i : i1;
        i7 = ch == '7' ? i : i7;
    }
    CHECK(iA >= 0 && ia >= 0 && i1 >= 0 && i7 >= 0);
    if (iA >= 0 && ia >= 0 && i1 >= 0 && i7 >= 0) {
        CHECK(diff_of(rec_set_input(set, iA), rec_set_input(set, ia)) > 50);
        CHECK(diff_of(rec_set_input(set, i1), rec_set_input(set, i7)) > 50);
    }
    /* repeat applies: 3 copies of each per epoch */
    RecSetSource ctx;
    RecSource src;
    rec_set_source(&ctx, set, NULL, &src);
    CHECK(src.n == 3 * REC_NCLASSES);
    rec_set_destroy(&set);
}

static void add_ttf__augmented__deterministic_and_varied(void)
{
    if (!have_dejavu(__func__))
        return;
    RecSet *set = rec_set_create();
    CHECK(rec_set_add_ttf(set, DEJAVU, NULL, NULL) == REC_NCLASSES);
    RecAugment aug;
    rec_augment_init(&aug);
    float a[NIN], b[NIN], c[NIN];
    int i = 20; /* 'K' */
    CHECK(rec_set_render(set, i, &aug, 77, a) == 0);
    CHECK(rec_set_render(set, i, &aug, 77, b) == 0);
    CHECK(rec_set_render(set, i, &aug, 78, c) == 0);
    CHECK(diff_of(a, b) == 0.0f);
    CHECK(diff_of(a, c) > 1.0f);
    CHECK(diff_of(a, rec_set_input(set, i)) > 1.0f);
    CHECK(ink_of(a) > 20.0f);
    rec_set_destroy(&set);
}

static void add_ttf__same_font_twice_in_folder__read_once(void)
{
    if (!have_dejavu(__func__))
        return;
    const char *dir = tmp_path(0, "ttf-twice");
    mkdir(dir, 0755);
    char f1[1200], f2[1200], f3[1200];
    snprintf(f1, sizeof f1, "%s/a.ttf", dir);
    snprintf(f2, sizeof f2, "%s/b.TTF", dir);
    snprintf(f3, sizeof f3, "%s/notes.txt", dir);
    CHECK(copy_file(DEJAVU, f1) && copy_file(DEJAVU, f2));
    write_bytes(f3, "x", 1);
    RecSet *set = rec_set_create();
    RecTtfStats st;
    memset(&st, 0, sizeof st);
    CHECK(rec_set_add_ttf(set, dir, NULL, &st) == REC_NCLASSES);
    CHECK(st.fonts == 1 && st.dup_fonts == 1);
    /* the first in name order is the one read */
    CHECK(rec_set_count(set) > 0 &&
          strstr(rec_set_name(set, 0), "/a.ttf:") != NULL);
    rec_set_destroy(&set);
    unlink(f1);
    unlink(f2);
    unlink(f3);
    rmdir(dir);
}

static void add_ttf__cache_roundtrip__kind_kept(void)
{
    if (!have_dejavu(__func__))
        return;
    RecSet *set = rec_set_create();
    CHECK(rec_set_add_ttf(set, DEJAVU, NULL, NULL) == REC_NCLASSES);
    const char *p = tmp_path(1, "ttf.cache");
    CHECK(rec_set_save(set, p, "k") == 0);
    RecSet *back = rec_set_load(p, "k");
    CHECK(back != NULL);
    if (back) {
        CHECK(rec_set_count(back) == REC_NCLASSES);
        for (int i = 0; i < rec_set_count(back); i++) {
            CHECK(rec_set_kind(back, i) == REC_KIND_TTF);
            CHECK(diff_of(rec_set_input(back, i), rec_set_input(set, i)) ==
                  0.0f);
        }
    }
    rec_set_destroy(&back);
    rec_set_destroy(&set);
    unlink(p);
}

int main(void)
{
    RUN(add_ttf__missing_path__error_names_path);
    RUN(add_ttf__folder_without_fonts__error);
    RUN(add_ttf__not_a_font__error_names_file);
    RUN(add_ttf__dejavu_sans__62_classes_with_ink);
    RUN(add_ttf__augmented__deterministic_and_varied);
    RUN(add_ttf__same_font_twice_in_folder__read_once);
    RUN(add_ttf__cache_roundtrip__kind_kept);
    TEST_EXIT();
}
