/*
 * cli.c - helpers shared by the subcommands: where the model is.
 */
#include "cli/cli.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef INKPIPE_PREFIX
#define INKPIPE_PREFIX "/usr/local"
#endif

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/**
 * Path of the default model (see cli.h for the search order).
 *
 * @return a static string, never NULL; it may name a missing file (the
 *         last candidate), so that the caller's error names where it looked
 *
 * Notes:
 *   (1) The binary's folder comes from /proc/self/exe, so an installed
 *       PREFIX/bin/inkpipe finds PREFIX/share/inkpipe/inkpipe.model
 *       wherever PREFIX is, and ./inkpipe in the source tree (or
 *       build-asan/inkpipe) finds models/inkpipe.model.
 */
/**
 * The language model for a classifier file (docs/context.md): en-fr.lm in
 * the classifier's folder, else models/en-fr.lm in the tree or
 * PREFIX/share/inkpipe/en-fr.lm beside the executable.
 *
 * @param[in] model  classifier path
 * @return path in a static buffer, or NULL when no such file exists (OCR
 *         then runs without the language model)
 */
const char *cli_lm_path(const char *model)
{
    static char buf[PATH_MAX + 64];
    const char *sl = strrchr(model, '/');
    snprintf(buf, sizeof buf, "%.*s%s", sl ? (int)(sl - model + 1) : 0,
             model, "en-fr.lm");
    if (is_file(buf))
        return buf;
    char exe[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k <= 0)
        return NULL;
    exe[k] = '\0';
    char *s = strrchr(exe, '/');
    if (s)
        *s = '\0';
    static const char *const rel[] = {"models/en-fr.lm", "../models/en-fr.lm",
                                      "../share/inkpipe/en-fr.lm"};
    for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
        snprintf(buf, sizeof buf, "%s/%s", exe, rel[i]);
        if (is_file(buf))
            return buf;
    }
    return NULL;
}

const char *cli_default_model_path(void)
{
    static char path[PATH_MAX + 64];
    const char *env = cli_env()->model;
    if (env) {
        snprintf(path, sizeof path, "%s", env);
        return path;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        static const char *const rel[] = {
            "models/inkpipe.model",               /* ./inkpipe in the tree */
            "../models/inkpipe.model",            /* build-asan/inkpipe */
            "../share/inkpipe/inkpipe.model",     /* PREFIX/bin/inkpipe */
        };
        for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
            char cand[PATH_MAX + 64];
            snprintf(cand, sizeof cand, "%s/%s", exe, rel[i]);
            if (is_file(cand)) {
                /* "bin/../share/..." reads better as "share/..." */
                if (!realpath(cand, path))
                    snprintf(path, sizeof path, "%s", cand);
                return path;
            }
        }
    }
    snprintf(path, sizeof path, "%s/share/inkpipe/inkpipe.model",
             INKPIPE_PREFIX);
    return path;
}
