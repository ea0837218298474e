/*
 * cmd_ocr.c - `inkpipe ocr`: one-shot OCR of image files, no job file, no
 * spool. The same page chain as the pipeline's stages (chain.h), run in
 * this process with the defaults of configs/reference.yaml.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "cli/cli.h"
#include "common/fsutil.h"
#include "pipeline/job.h"
#include "chain/chain.h"
#include "forms/forms.h"
#include "input/page.h"

static const char help_ocr[] =
    "usage: inkpipe ocr [-o DIR] [-f txt,hocr,alto,pdf,json] [--charset SET]\n"
    "                   [--model FILE] [--no-context] [--no-adapt] [--no-lm]\n"
    "                   [--lexicon FILE] [--template T.yaml]\n"
    "                   [--threshold C] IMAGE...\n"
    "\n"
    "OCR scans (multi-page TIFF and PDF, PNG, JPEG, PNM) without a job\n"
    "file. For IMAGE x.png, writes DIR/x.txt and DIR/x.hocr (one hOCR page\n"
    "per image page; pages separated by a form feed in the text); with -f\n"
    "alto also DIR/x.alto.xml (ALTO 4.4, one Page per image page); with\n"
    "-f pdf DIR/x.pdf (searchable PDF: each page's image under an\n"
    "invisible text layer, word by word). x.png and x.tif given together\n"
    "write x.png.txt and x.tif.txt (the extension kept where stems clash).\n"
    "With -f json also DIR/x.json (the form fields: docs/forms.md).\n"
    "\n"
    "  -o DIR          output folder (default: the current folder)\n"
    "  -f LIST         formats, comma-separated: txt, hocr, alto, pdf, json\n"
    "                  (default txt,hocr; json is added by --template)\n"
    "  --charset SET   digits, upper, lower, alpha, alnum (default) or a list\n"
    "                  of characters\n"
    "  --model FILE    classifier (default: the installed model)\n"
    "  --no-context    no line-context step: each glyph is the classifier's\n"
    "                  best class, without case from the line's geometry or\n"
    "                  look-alikes settled by the word\n"
    "  --no-adapt      do not re-read each letter with the glyphs of its page\n"
    "                  that look like it (adaptation to the writer;\n"
    "                  docs/context.md)\n"
    "  --no-lm         no character language model after the context step\n"
    "                  (en-fr.lm next to the classifier or the installed\n"
    "                  model; without one the step is skipped)\n"
    "  --lexicon FILE  words or names, one per line (optional TAB count): a\n"
    "                  word that the glyphs explain nearly as well as its\n"
    "                  reading is read as the entry\n"
    "  --template T    read each page as the form T.yaml: register it to the\n"
    "                  template, read every field with its own charset and\n"
    "                  write DIR/x.json (docs/forms.md)\n"
    "  --threshold C   fields read with a confidence under C (0-1, default\n"
    "                  0.5) need review, unless the template sets their own\n"
    "\n"
    "Exit status: 0 all done, 1 some images failed, 2 bad usage.\n";

/* One page through the chain, then (with a template) its fields read from
 * the binarised page. NULL on error (message set). */
static OutPage *ocr_page(const Job *d, const FormTemplate *tpl,
                         const FormOptions *fo, RecNet *net, const char *path,
                         int p)
{
    if (!tpl)
        return chain_page(&d->chain, net, path, p);
    int dpi = 0;
    PIX *pix = chain_read(&d->chain, path, p, &dpi);
    PIX *pixb = pix ? chain_binarize(&d->chain, pix, dpi, path, p) : NULL;
    pixDestroy(&pix);
    SegPage *sp = pixb ? chain_segment(&d->chain, pixb, dpi, net, path, p)
                       : NULL;
    OutPage *op = sp ? chain_recognize(&d->chain, sp, net, path, p, dpi)
                     : NULL;
    seg_page_destroy(&sp);
    if (op && form_read_page(tpl, fo, &d->chain, net, pixb, dpi, op) < 0)
        out_page_destroy(&op);
    pixDestroy(&pixb);
    return op;
}

/* OCR one file into out_fd as rel.EXT; returns 0 or -1 (message set). */
static int ocr_file(const char *path, const char *rel, int out_fd,
                    const Job *d, const FormTemplate *tpl,
                    const FormOptions *fo, RecNet *net)
{
    int n;
    if (page_count(path, &n) < 0)
        return -1;
    OutPage **pages = calloc((size_t)n, sizeof *pages);
    if (!pages)
        return err_set("out of memory");
    int rc = -1;
    for (int p = 0; p < n; p++)
        if (!(pages[p] = ocr_page(d, tpl, fo, net, path, p)))
            goto done;
    OutImageSource images = {chain_page_image, (void *)&d->chain};
    rc = out_files_write_images(out_fd, rel, (const OutPage *const *)pages,
                                n, d->formats, &images);
done:
    for (int p = 0; p < n; p++)
        out_page_destroy(&pages[p]);
    free(pages);
    return rc;
}

/* Output names for the n IMAGE arguments: the base name without its
 * extension, or with it when two share a stem (x.png, x.tif -> x.png.txt,
 * x.tif.txt). NULL, having said why, when two have one base name
 * (a/x.png, b/x.png). Caller frees with free_names. */
static char **ocr_names(char *const *args, int n)
{
    int ca = 0, cb = 0;
    const char **bases = malloc((size_t)n * sizeof *bases);
    char **rels = calloc((size_t)n, sizeof *rels);
    if (!bases || !rels) {
        free(bases);
        free(rels);
        fprintf(stderr, "inkpipe: out of memory\n");
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        const char *b = strrchr(args[i], '/');
        bases[i] = b ? b + 1 : args[i];
    }
    int rc = out_files_names(bases, n, rels, &ca, &cb);
    free(bases);
    if (rc == 0)
        return rels;
    if (strstr(err_get(), "both would be written"))
        fprintf(stderr,
                "inkpipe: ocr: %s and %s would write the same output files\n",
                args[ca], args[cb]);
    else
        fprintf(stderr, "inkpipe: ocr: %s\n", err_get());
    for (int i = 0; i < n; i++)
        free(rels[i]);
    free(rels);
    return NULL;
}

static void free_names(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int cmd_ocr(int argc, char **argv)
{
    const char *outdir = ".", *model = NULL, *lexicon = NULL, *tpath = NULL;
    int no_lm = 0, formats_given = 0;
    FormOptions fo;
    form_options_init(&fo);
    Job d;
    memset(&d, 0, sizeof d);
    job_init_defaults(&d);
    int first = argc;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(help_ocr, stdout);
            return 0;
        } else if (!strcmp(a, "-o") && i + 1 < argc) {
            outdir = argv[++i];
        } else if (!strcmp(a, "-f") && i + 1 < argc) {
            if (out_formats_parse(argv[++i], &d.formats) < 0) {
                fprintf(stderr, "inkpipe: -f: %s\n%s", err_get(), help_ocr);
                return 2;
            }
            formats_given = 1;
        } else if (!strcmp(a, "--template") && i + 1 < argc) {
            tpath = argv[++i];
        } else if (!strcmp(a, "--threshold") && i + 1 < argc) {
            char *end;
            double t = strtod(argv[++i], &end);
            if (!*argv[i] || *end || !(t >= 0 && t <= 1)) {
                fprintf(stderr, "inkpipe: --threshold: expected a number in "
                                "[0, 1], got '%s'\n",
                        argv[i]);
                return 2;
            }
            fo.threshold = (float)t;
        } else if (!strcmp(a, "--charset") && i + 1 < argc) {
            if (rec_charset_parse(argv[++i], &d.chain.charset) < 0) {
                fprintf(stderr, "inkpipe: --charset: %s\n", err_get());
                return 2;
            }
        } else if (!strcmp(a, "--no-context")) {
            d.chain.context = 0;
        } else if (!strcmp(a, "--no-adapt")) {
            d.chain.adapt = 0;
        } else if (!strcmp(a, "--no-lm")) {
            no_lm = 1;
        } else if (!strcmp(a, "--lexicon") && i + 1 < argc) {
            lexicon = argv[++i];
        } else if (!strcmp(a, "--model") && i + 1 < argc) {
            model = argv[++i];
        } else if (!strcmp(a, "--")) {
            first = i + 1;
            break;
        } else if (a[0] == '-') {
            fprintf(stderr, "inkpipe: ocr: unknown option '%s'\n%s", a,
                    help_ocr);
            return 2;
        } else {
            first = i;
            break;
        }
    }
    if (first >= argc) {
        fprintf(stderr, "inkpipe: ocr: no IMAGE given\n%s", help_ocr);
        return 2;
    }
    int n_in = argc - first;
    char **rels = ocr_names(argv + first, n_in);
    if (!rels)
        return 2;
    FormTemplate *tpl = NULL;
    if (tpath) {
        if (!(tpl = form_template_load(tpath))) {
            fprintf(stderr, "inkpipe: --template: %s\n", err_get());
            free_names(rels, n_in);
            return 2;
        }
        if (!formats_given)
            d.formats |= OUT_FORMAT_JSON;
    }
    if (!model)
        model = cli_default_model_path();
    RecNet *net = rec_net_load(model);
    if (!net) {
        fprintf(stderr, "inkpipe: cannot load the model: %s\n", err_get());
        free_names(rels, n_in);
        form_template_destroy(&tpl);
        return 1;
    }
    if (rec_net_set_precision(net, cli_env()->precision) < 0) {
        fprintf(stderr, "inkpipe: INKPIPE_PRECISION: %s\n", err_get());
        rec_net_destroy(&net);
        free_names(rels, n_in);
        form_template_destroy(&tpl);
        return 1;
    }
    RecLm *lm = NULL;
    RecLexicon *lex = NULL;
    const char *lmp = no_lm ? NULL : cli_lm_path(model);
    if (lmp && !(lm = rec_lm_load(lmp))) {
        fprintf(stderr, "inkpipe: cannot load the language model: %s "
                        "(--no-lm runs without)\n", err_get());
        rec_net_destroy(&net);
        free_names(rels, n_in);
        form_template_destroy(&tpl);
        return 1;
    }
    if (lexicon && !(lex = rec_lexicon_load(lexicon))) {
        fprintf(stderr, "inkpipe: --lexicon: %s\n", err_get());
        rec_lm_destroy(&lm);
        rec_net_destroy(&net);
        free_names(rels, n_in);
        form_template_destroy(&tpl);
        return 1;
    }
    d.chain.lm = lm;
    d.chain.lexicon = lex;
    int out_fd = fs_open_dir(outdir, 1);
    if (out_fd < 0) {
        fprintf(stderr, "inkpipe: %s\n", err_get());
        rec_lm_destroy(&lm);
        rec_lexicon_destroy(&lex);
        rec_net_destroy(&net);
        free_names(rels, n_in);
        form_template_destroy(&tpl);
        return 1;
    }
    int failed = 0;
    for (int i = first; i < argc; i++) {
        if (ocr_file(argv[i], rels[i - first], out_fd, &d, tpl, &fo,
                     net) < 0) {
            fprintf(stderr, "inkpipe: %s\n", err_get());
            failed++;
        }
    }
    close(out_fd);
    free_names(rels, n_in);
    form_template_destroy(&tpl);
    rec_lm_destroy(&lm);
    rec_lexicon_destroy(&lex);
    rec_net_destroy(&net);
    return failed ? 1 : 0;
}
