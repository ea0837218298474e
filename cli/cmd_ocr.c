/*
 * cmd_ocr.c - `inkpipe ocr`: one-shot OCR of image files, no job file, no
 * spool. The same page chain as the pipeline's stages (chain.h), run in
 * this process with the defaults of configs/reference.yaml.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "cli/cli.h"
#include "common/fsutil.h"
#include "pipeline/job.h"
#include "chain/chain.h"
#include "input/page.h"

static const char help_ocr[] =
    "usage: inkpipe ocr [-o DIR] [-f txt,hocr,alto] [--charset SET]\n"
    "                   [--model FILE] [--no-context] [--no-lm]\n"
    "                   [--lexicon FILE] IMAGE...\n"
    "\n"
    "OCR image files (TIFF incl. multi-page, PNG, JPEG, PNM) without a job\n"
    "file. For IMAGE x.png, writes DIR/x.txt and DIR/x.hocr (one hOCR page\n"
    "per image page; pages separated by a form feed in the text); with -f\n"
    "alto also DIR/x.alto.xml (ALTO 4.4, one Page per image page).\n"
    "\n"
    "  -o DIR          output folder (default: the current folder); -o -\n"
    "                  writes one format (txt unless -f names another) to\n"
    "                  stdout instead, hOCR and ALTO for one IMAGE only\n"
    "  -f LIST         formats, comma-separated: txt, hocr, alto (default\n"
    "                  txt,hocr)\n"
    "  --charset SET   digits, upper, lower, alpha, alnum (default) or a list\n"
    "                  of characters\n"
    "  --model FILE    classifier (default: the installed model)\n"
    "  --no-context    no line-context step: each glyph is the classifier's\n"
    "                  best class, without case from the line's geometry or\n"
    "                  look-alikes settled by the word\n"
    "  --no-lm         no character language model after the context step\n"
    "                  (en-fr.lm next to the classifier or the installed\n"
    "                  model; without one the step is skipped)\n"
    "  --lexicon FILE  words or names, one per line (optional TAB count): a\n"
    "                  word that the glyphs explain nearly as well as its\n"
    "                  reading is read as the entry\n"
    "\n"
    "The image path in hOCR and ALTO is relative to the output folder\n"
    "(to the current folder with -o -). For a folder of images, write a\n"
    "job file (see `inkpipe run --help`).\n"
    "\n"
    "Exit status: 0 all done, 1 some images failed, 2 bad usage.\n";

/* Write pages in the one format of bits to fp. 0 or -1 (message set). */
static int write_stream(FILE *fp, const OutPage *const *pages, int n, int bits)
{
    int rc = bits == OUT_FORMAT_HOCR   ? out_hocr_write(fp, pages, n)
             : bits == OUT_FORMAT_ALTO ? out_alto_write(fp, pages, n)
                                       : out_text_write(fp, pages, n);
    if (rc == 0 && fflush(fp) != 0)
        rc = err_set_errno("stdout");
    return rc;
}

/* OCR one file into out_fd (out_dir its path), or to stdout when out_fd
 * < 0; returns 0 or -1 (message set). */
static int ocr_file(const char *path, int out_fd, const char *out_dir,
                    const Job *d, RecNet *net)
{
    int n;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return err_set("%s is a folder: ocr takes image files (for a folder, "
                       "write a job file and use `inkpipe run`)",
                       path);
    if (page_count(path, &n) < 0)
        return -1;
    OutPage **pages = calloc((size_t)n, sizeof *pages);
    if (!pages)
        return err_set("out of memory");
    int rc = -1;
    for (int p = 0; p < n; p++)
        if (!(pages[p] = chain_page(&d->chain, net, path, p)))
            goto done;
    /* the image as seen from the output folder */
    for (int p = 0; p < n; p++) {
        char *img = fs_path_relative(path, out_dir);
        if (!img)
            goto done;
        free(pages[p]->image);
        pages[p]->image = img;
    }
    if (out_fd < 0) {
        rc = write_stream(stdout, (const OutPage *const *)pages, n,
                          d->formats);
        goto done;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char rel[1024];
    snprintf(rel, sizeof rel, "%s", base);
    char *dot = strrchr(rel, '.');
    if (dot && dot != rel)
        *dot = '\0';
    rc = out_files_write(out_fd, rel, (const OutPage *const *)pages, n,
                         d->formats);
done:
    for (int p = 0; p < n; p++)
        out_page_destroy(&pages[p]);
    free(pages);
    return rc;
}

/* 1 (after the message) when two of the n images have one base name:
 * they would overwrite each other's output files. */
static int same_outputs(char **img, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++) {
            const char *a = strrchr(img[i], '/'), *b = strrchr(img[j], '/');
            a = a ? a + 1 : img[i];
            b = b ? b + 1 : img[j];
            const char *da = strrchr(a, '.'), *db = strrchr(b, '.');
            size_t la = da && da != a ? (size_t)(da - a) : strlen(a);
            size_t lb = db && db != b ? (size_t)(db - b) : strlen(b);
            if (la == lb && !strncmp(a, b, la)) {
                fprintf(stderr,
                        "inkpipe: ocr: %s and %s would write the same "
                        "output files\n",
                        img[j], img[i]);
                return 1;
            }
        }
    return 0;
}

int cmd_ocr(int argc, char **argv)
{
    const char *outdir = ".", *model = NULL, *lexicon = NULL;
    int no_lm = 0;
    Job d;
    memset(&d, 0, sizeof d);
    job_init_defaults(&d);
    int first = argc, formats_given = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(help_ocr, stdout);
            return 0;
        } else if (!strcmp(a, "-o") && i + 1 < argc) {
            outdir = argv[++i];
        } else if (!strcmp(a, "-f") && i + 1 < argc) {
            formats_given = 1;
            if (out_formats_parse(argv[++i], &d.formats) < 0) {
                fprintf(stderr, "inkpipe: -f: %s\n%s", err_get(), help_ocr);
                return 2;
            }
        } else if (!strcmp(a, "--charset") && i + 1 < argc) {
            if (rec_charset_parse(argv[++i], &d.chain.charset) < 0) {
                fprintf(stderr, "inkpipe: --charset: %s\n", err_get());
                return 2;
            }
        } else if (!strcmp(a, "--no-context")) {
            d.chain.context = 0;
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
    if (same_outputs(argv + first, argc - first))
        return 2;
    int to_stdout = !strcmp(outdir, "-");
    if (to_stdout) {
        if (!formats_given)
            d.formats = OUT_FORMAT_TXT;
        if (d.formats & (d.formats - 1)) {
            fprintf(stderr, "inkpipe: ocr: -o - writes one format to stdout: "
                            "name one with -f (txt, hocr or alto)\n");
            return 2;
        }
        if (d.formats != OUT_FORMAT_TXT && argc - first > 1) {
            fprintf(stderr, "inkpipe: ocr: -o - writes hOCR or ALTO of one "
                            "IMAGE only (one document on stdout)\n");
            return 2;
        }
        outdir = ".";
    }
    if (!model)
        model = cli_default_model_path();
    RecNet *net = rec_net_load(model);
    if (!net) {
        fprintf(stderr, "inkpipe: cannot load the model: %s\n", err_get());
        return 1;
    }
    if (rec_net_set_precision(net, cli_env()->precision) < 0) {
        fprintf(stderr, "inkpipe: INKPIPE_PRECISION: %s\n", err_get());
        rec_net_destroy(&net);
        return 1;
    }
    RecLm *lm = NULL;
    RecLexicon *lex = NULL;
    const char *lmp = no_lm ? NULL : cli_lm_path(model);
    if (lmp && !(lm = rec_lm_load(lmp))) {
        fprintf(stderr, "inkpipe: cannot load the language model: %s "
                        "(--no-lm runs without)\n", err_get());
        rec_net_destroy(&net);
        return 1;
    }
    if (lexicon && !(lex = rec_lexicon_load(lexicon))) {
        fprintf(stderr, "inkpipe: --lexicon: %s\n", err_get());
        rec_lm_destroy(&lm);
        rec_net_destroy(&net);
        return 1;
    }
    d.chain.lm = lm;
    d.chain.lexicon = lex;
    int out_fd = to_stdout ? -1 : fs_open_dir(outdir, 1);
    if (out_fd < 0 && !to_stdout) {
        fprintf(stderr, "inkpipe: %s\n", err_get());
        rec_lm_destroy(&lm);
        rec_lexicon_destroy(&lex);
        rec_net_destroy(&net);
        return 1;
    }
    int failed = 0;
    for (int i = first; i < argc; i++) {
        if (ocr_file(argv[i], out_fd, outdir, &d, net) < 0) {
            fprintf(stderr, "inkpipe: %s\n", err_get());
            failed++;
        }
    }
    if (out_fd >= 0)
        close(out_fd);
    rec_lm_destroy(&lm);
    rec_lexicon_destroy(&lex);
    rec_net_destroy(&net);
    return failed ? 1 : 0;
}
