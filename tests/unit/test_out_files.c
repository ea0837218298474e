/*
 * test_out_files.c - output names of a set of inputs (out_files_names in
 * output/out_files.c): stems, the extension kept where stems clash,
 * collisions that remain.
 */
#include "output/output.h"
#include "common/err.h"
#include "tests/unit/test.h"

#include <stdlib.h>
#include <string.h>

static int names_of(const char *const *paths, int n, char **names, int *pa,
                    int *pb)
{
    return out_files_names(paths, n, names, pa, pb);
}

static void free_all(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
}

static void out_files_names__unique_stems__extension_dropped(void)
{
    const char *paths[] = {"b/f007.tif", "a.png", ".profile", "c/d.e/x"};
    char *names[4];
    CHECK(names_of(paths, 4, names, NULL, NULL) == 0);
    CHECK(!strcmp(names[0], "b/f007") && !strcmp(names[1], "a"));
    CHECK(!strcmp(names[2], ".profile") && !strcmp(names[3], "c/d.e/x"));
    free_all(names, 4);
}

static void out_files_names__same_stem__both_keep_extension(void)
{
    const char *paths[] = {"scan.tif", "y.png", "scan.png", "sub/scan.jpg"};
    char *names[4];
    CHECK(names_of(paths, 4, names, NULL, NULL) == 0);
    CHECK(!strcmp(names[0], "scan.tif") && !strcmp(names[2], "scan.png"));
    /* another folder: no clash; the lone y.png keeps its short name */
    CHECK(!strcmp(names[1], "y") && !strcmp(names[3], "sub/scan"));
    free_all(names, 4);
    /* the same set in another order: the same names (stable reruns) */
    const char *again[] = {"sub/scan.jpg", "scan.png", "y.png", "scan.tif"};
    CHECK(names_of(again, 4, names, NULL, NULL) == 0);
    CHECK(!strcmp(names[1], "scan.png") && !strcmp(names[3], "scan.tif"));
    free_all(names, 4);
}

static void out_files_names__unsettled__error_names_both(void)
{
    const char *paths[] = {"x.png", "x.tif", "x.png.tif", "a/b.png",
                           "a/b.png"};
    char *names[5];
    int a = -1, b = -1;
    CHECK(names_of(paths, 3, names, &a, &b) == -1);
    CHECK(((a == 0 && b == 2) || (a == 2 && b == 0)));
    CHECK(strstr(err_get(), "both would be written to x.png.*") != NULL);
    free_all(names, 3);
    CHECK(names_of(paths + 3, 2, names, &a, &b) == -1);
    CHECK(a + b == 1);
    free_all(names, 2);
}

int main(void)
{
    RUN(out_files_names__unique_stems__extension_dropped);
    RUN(out_files_names__same_stem__both_keep_extension);
    RUN(out_files_names__unsettled__error_names_both);
    TEST_EXIT();
}
