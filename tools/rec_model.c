/*
 * rec_model.c - create and inspect model files.
 *
 *   build/tools/rec_model info FILE
 *       architecture, parameters, FLOPs per glyph, metadata
 *   build/tools/rec_model create [--arch ARCH] [--seed N] [--meta TEXT] OUT
 *       an untrained net with seeded He initialisation (for tests and for
 *       checking an architecture's size and speed before training)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "train/train_loop.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: rec_model info FILE\n"
               "       rec_model create [--arch ARCH] [--seed N] "
               "[--meta TEXT] OUT\n"
               "Default architecture: %s\n", REC_ARCH_DEFAULT);
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage(stdout);
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "info")) {
        RecNet *net = rec_net_load(argv[2]);
        if (!net) {
            fprintf(stderr, "rec_model: %s\n", err_get());
            return 1;
        }
        printf("file: %s\narch: %s\nparameters: %zu\nMFLOP/glyph: %.3f\n"
               "meta: %s\n", argv[2], rec_net_arch(net), rec_net_nparams(net),
               rec_net_flops(net) * 1e-6, rec_net_meta(net));
        rec_net_destroy(&net);
        return 0;
    }
    if (argc >= 3 && !strcmp(argv[1], "create")) {
        const char *arch = NULL, *meta = NULL, *out = NULL;
        unsigned long long seed = 1;
        for (int i = 2; i < argc; i++) {
            if (!strcmp(argv[i], "--arch") && i + 1 < argc)
                arch = argv[++i];
            else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
                seed = strtoull(argv[++i], NULL, 10);
            else if (!strcmp(argv[i], "--meta") && i + 1 < argc)
                meta = argv[++i];
            else if (argv[i][0] != '-' && !out)
                out = argv[i];
            else {
                usage(stderr);
                return 2;
            }
        }
        if (!out) {
            usage(stderr);
            return 2;
        }
        RecNet *net = rec_net_create(arch, seed);
        if (!net || (meta && rec_net_set_meta(net, meta) < 0) ||
            rec_net_save(net, out) < 0) {
            fprintf(stderr, "rec_model: %s\n", err_get());
            rec_net_destroy(&net);
            return 1;
        }
        rec_net_destroy(&net);
        return 0;
    }
    usage(stderr);
    return 2;
}
