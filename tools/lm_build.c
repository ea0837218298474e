/*
 * lm_build.c - build the character n-gram model (recognize/rec_lm.h) from
 * text files.
 *
 *   lm_build [--order N] -o OUT.lm FILE...
 *
 * Every FILE is read whole and counted as words (runs of letters and
 * digits, case-folded). models/en-fr.lm was built from Debian's word lists
 * and licence texts, ASCII-transliterated (docs/context.md gives the
 * command).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/binio.h"
#include "common/err.h"
#include "recognize/rec_lm.h"

int main(int argc, char **argv)
{
    int order = 4;
    const char *out = NULL;
    int i = 1;
    for (; i < argc; i++) {
        if (!strcmp(argv[i], "--order") && i + 1 < argc)
            order = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-o") && i + 1 < argc)
            out = argv[++i];
        else
            break;
    }
    if (!out || i >= argc) {
        fprintf(stderr, "usage: lm_build [--order N] -o OUT.lm FILE...\n");
        return 2;
    }
    char *all = NULL;
    size_t n = 0;
    for (; i < argc; i++) {
        size_t fn;
        unsigned char *d = binio_file_read(argv[i], (size_t)1 << 30, &fn);
        if (!d) {
            fprintf(stderr, "lm_build: %s\n", err_get());
            free(all);
            return 1;
        }
        char *na = realloc(all, n + fn + 1);
        if (!na) {
            fprintf(stderr, "lm_build: out of memory\n");
            free(d);
            free(all);
            return 1;
        }
        all = na;
        memcpy(all + n, d, fn);
        n += fn;
        all[n++] = '\n';
        free(d);
    }
    RecLm *lm = rec_lm_create_from_text(all, n, order);
    free(all);
    if (!lm || rec_lm_save(lm, out) < 0) {
        fprintf(stderr, "lm_build: %s\n", err_get());
        rec_lm_destroy(&lm);
        return 1;
    }
    printf("lm_build: %zu bytes of text, order %d -> %s\n", n, order, out);
    rec_lm_destroy(&lm);
    return 0;
}
