/* tpl_fixture.h - form template tests: write a template's text to a file
 * under TEST_TMPDIR, load it, and check where an error points. Header-only
 * (each test file has its own copy of tpl_path). */
#ifndef INKPIPE_TPL_FIXTURE_H
#define INKPIPE_TPL_FIXTURE_H

#include "common/err.h"
#include "forms/forms.h"
#include "tests/unit/test.h"

#include <stdio.h>
#include <string.h>

static char tpl_path[512];

/* Write text to TEST_TMPDIR/name and load it as a template. */
static inline FormTemplate *tpl_load_text(const char *name, const char *text)
{
    snprintf(tpl_path, sizeof tpl_path, "%s/%s", test_tmpdir(), name);
    FILE *fp = fopen(tpl_path, "w");
    if (!fp)
        return NULL;
    fputs(text, fp);
    fclose(fp);
    return form_template_load(tpl_path);
}

/* 1 when err_get() is "TPL:LINE:COL: ..." and contains what. */
static inline int tpl_err_at(int line, int col, const char *what)
{
    char want[600];
    snprintf(want, sizeof want, "%s:%d:%d: ", tpl_path, line, col);
    int ok = !strncmp(err_get(), want, strlen(want)) &&
             strstr(err_get(), what) != NULL;
    if (!ok)
        printf("  got: %s\n  want: %s...%s\n", err_get(), want, what);
    return ok;
}

#endif
