/*
 * mkmodel.c - write an untrained model (weights drawn from a seed) for
 * tests that exercise the pipeline's plumbing and need some model file,
 * independent of the trained models/inkpipe.model.
 *
 *   mkmodel OUT.model [--arch SPEC] [--seed S]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "recognize/rec_train.h"

int main(int argc, char **argv)
{
    const char *out = NULL, *arch = NULL;
    unsigned long long seed = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--arch") && i + 1 < argc)
            arch = argv[++i];
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (argv[i][0] != '-' && !out)
            out = argv[i];
        else {
            fprintf(stderr, "usage: mkmodel OUT.model [--arch SPEC] "
                            "[--seed S]\n");
            return 2;
        }
    }
    if (!out) {
        fprintf(stderr, "usage: mkmodel OUT.model [--arch SPEC] [--seed S]\n");
        return 2;
    }
    RecNet *net = rec_net_create(arch, seed);
    if (!net || rec_net_save(net, out) < 0) {
        fprintf(stderr, "mkmodel: %s\n", err_get());
        rec_net_destroy(&net);
        return 1;
    }
    rec_net_destroy(&net);
    return 0;
}
