/*
 * cmd_classify.c - `inkpipe classify`: one glyph per image file.
 *
 * Every image is read with Leptonica (any format and depth it reads),
 * normalised with rec_glyph_normalize_pix() exactly as training data was,
 * and all readable images go through the net in one batch. Output, one line
 * per readable image in argument order: PATH<TAB>CHAR<TAB>CONFIDENCE. An
 * image that cannot be read or holds no ink gets a message on stderr naming
 * it; the others still go through, and the exit code is then 1.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>

#include "common/err.h"
#include "recognize/recognize.h"

static void classify_usage(FILE *f)
{
    fprintf(f,
            "usage: inkpipe classify [--model FILE] [--charset SET] "
            "[--precision P] IMAGE...\n"
            "\n"
            "Classify images that each hold one handprinted glyph (any size\n"
            "from 16x16 up, grey or colour, dark ink on light paper, any\n"
            "margin). Prints one line per image:\n"
            "  PATH<TAB>CHAR<TAB>CONFIDENCE   (confidence 0..1)\n"
            "\n"
            "  --model FILE    model file (default: %s)\n"
            "  --charset SET   restrict the answer to digits, upper, lower,\n"
            "                  alpha, alnum (default) or a literal list such\n"
            "                  as 0123456789ABCDEF; probabilities are\n"
            "                  renormalised over the set\n"
            "  --precision P   fp32, int8 or auto (default: $INKPIPE_PRECISION,\n"
            "                  else int8 where the CPU has AVX-512 VNNI or AVX2)\n"
            "  -h, --help      this text\n"
            "\n"
            "Exit: 0 all classified, 1 some images failed (named on stderr),\n"
            "2 bad usage or unusable model.\n",
            cli_default_model_path());
}

/* Value of --opt VALUE or --opt=VALUE at argv[*pi]; NULL if not this opt. */
static const char *opt_value(int argc, char **argv, int *pi, const char *opt,
                             int *pmissing)
{
    const char *a = argv[*pi];
    size_t n = strlen(opt);
    if (strncmp(a, opt, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*pi + 1 >= argc) {
        *pmissing = 1;
        return NULL;
    }
    return argv[++*pi];
}

/**
 * `inkpipe classify`: see classify_usage().
 *
 * @param[in] argc, argv  arguments starting at "classify"
 * @return 0 all images classified, 1 some failed, 2 bad usage or model
 */
int cmd_classify(int argc, char **argv)
{
    const char *model = NULL, *charset = NULL, *precision = NULL;
    int first = argc;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int missing = 0;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            classify_usage(stdout);
            return 0;
        } else if ((v = opt_value(argc, argv, &i, "--model", &missing))) {
            model = v;
        } else if ((v = opt_value(argc, argv, &i, "--precision", &missing))) {
            precision = v;
        } else if ((v = opt_value(argc, argv, &i, "--charset", &missing))) {
            charset = v;
        } else if (missing) {
            fprintf(stderr, "inkpipe classify: %s needs a value\n", argv[i]);
            return 2;
        } else if (!strcmp(argv[i], "--")) {
            first = i + 1;
            break;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "inkpipe classify: unknown option %s\n"
                            "Try 'inkpipe classify --help'.\n", argv[i]);
            return 2;
        } else {
            first = i;
            break;
        }
    }
    int n = argc - first;
    if (n <= 0) {
        fprintf(stderr, "inkpipe classify: no images given\n"
                        "Try 'inkpipe classify --help'.\n");
        return 2;
    }

    RecCharset cs = REC_CHARSET_ALL;
    if (charset && rec_charset_parse(charset, &cs) < 0) {
        fprintf(stderr, "inkpipe classify: --charset: %s\n", err_get());
        return 2;
    }
    RecPrecision prec = REC_PRECISION_AUTO;
    if (precision && rec_precision_parse(precision, &prec) < 0) {
        fprintf(stderr, "inkpipe classify: --precision: %s\n", err_get());
        return 2;
    }
    if (!model)
        model = cli_default_model_path();
    RecNet *net = rec_net_load(model);
    if (!net) {
        fprintf(stderr, "inkpipe classify: %s\n", err_get());
        return 2;
    }
    if (prec == REC_PRECISION_AUTO) /* INKPIPE_PRECISION, else the CPU's */
        prec = cli_env()->precision;
    if (rec_net_set_precision(net, prec) < 0) {
        fprintf(stderr, "inkpipe classify: --precision %s: %s\n", precision,
                err_get());
        rec_net_destroy(&net);
        return 2;
    }

    size_t isz = (size_t)REC_INPUT_SIZE * REC_INPUT_SIZE;
    float *x = malloc((size_t)n * isz * sizeof(float));
    float *probs = malloc((size_t)n * REC_NCLASSES * sizeof(float));
    int *ok = calloc((size_t)n, sizeof(int));
    if (!x || !probs || !ok) {
        fprintf(stderr, "inkpipe classify: out of memory for %d images\n", n);
        free(x);
        free(probs);
        free(ok);
        rec_net_destroy(&net);
        return 2;
    }
    /* Leptonica reports read errors on stderr itself; ours name the file. */
    l_int32 sev = setMsgSeverity(L_SEVERITY_NONE);
    int nok = 0, failed = 0;
    for (int k = 0; k < n; k++) {
        const char *path = argv[first + k];
        PIX *pix = pixRead(path);
        if (!pix) {
            fprintf(stderr, "inkpipe classify: %s: cannot read image\n", path);
            failed++;
            continue;
        }
        if (pixGetWidth(pix) < 4 || pixGetHeight(pix) < 4) {
            fprintf(stderr, "inkpipe classify: %s: image is %dx%d, too small "
                    "for a glyph\n", path, pixGetWidth(pix),
                    pixGetHeight(pix));
            failed++;
        } else if (rec_glyph_normalize_pix(pix, x + (size_t)nok * isz) < 0) {
            fprintf(stderr, "inkpipe classify: %s: %s\n", path, err_get());
            failed++;
        } else {
            ok[k] = 1;
            nok++;
        }
        pixDestroy(&pix);
    }
    setMsgSeverity(sev);

    int rc = failed ? 1 : 0;
    if (nok > 0 && rec_net_classify(net, x, nok, cs, probs) < 0) {
        fprintf(stderr, "inkpipe classify: %s\n", err_get());
        rc = 2;
    } else {
        for (int k = 0, j = 0; k < n; k++) {
            if (!ok[k])
                continue;
            const float *p = probs + (size_t)j++ * REC_NCLASSES;
            int best = 0;
            for (int c = 1; c < REC_NCLASSES; c++)
                if (p[c] > p[best])
                    best = c;
            printf("%s\t%c\t%.4f\n", argv[first + k], rec_class_chars[best],
                   (double)p[best]);
        }
        if (fflush(stdout) != 0) {
            fprintf(stderr, "inkpipe classify: write error on stdout\n");
            rc = 2;
        }
    }
    free(x);
    free(probs);
    free(ok);
    rec_net_destroy(&net);
    return rc;
}
