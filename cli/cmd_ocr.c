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
#include "forms/forms.h"
#include "input/page.h"

static const char help_ocr[] =
    "usage: inkpipe ocr [-o DIR] [-f txt,hocr,alto,pdf,json] [--charset SET]\n"
    "                   [--model FILE] [--no-context] [--no-adapt] [--no-lm]\n"
    "                   [--no-seg-alternatives]\n"
    "                   [--lexicon FILE] [--template T.yaml]\n"
    "                   [--threshold C] [--labels inkpipe|tesseract]\n"
    "                   [--labels-lang LANGS] [--no-guess-charset] IMAGE...\n"
    "\n"
    "OCR scans (multi-page TIFF and PDF, PNG, JPEG, PNM) without a job\n"
    "file. For IMAGE x.png, writes DIR/x.txt and DIR/x.hocr (one hOCR page\n"
    "per image page; pages separated by a form feed in the text); with -f\n"
    "alto also DIR/x.alto.xml (ALTO 4.4, one Page per image page); with\n"
    "-f pdf DIR/x.pdf (searchable PDF: each page's image under an\n"
    "invisible text layer, word by word). x.png and x.tif given together\n"
    "write x.png.txt and x.tif.txt (the extension kept where stems clash).\n"
    "With -f json also DIR/x.json (the form fields: docs/forms.md); without\n"
    "--template the fields are found on the page (boxes, combs, underlines,\n"
    "checkboxes, each named after the printed label next to it).\n"
    "\n"
    "  -o DIR          output folder (default: the current folder); -o -\n"
    "                  writes one format (txt unless -f names another; not\n"
    "                  pdf) to stdout instead, hOCR, ALTO and JSON for one\n"
    "                  IMAGE only\n"
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
    "  --no-seg-alternatives\n"
    "                  read the segmenter's glyphs as they are: the line\n"
    "                  decoder does not also try two touching pieces as one\n"
    "                  letter and a wide piece as two (recognize.segalt;\n"
    "                  docs/context.md); --seg-alternatives turns it on\n"
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
    "  --labels R      who reads the printed labels of fields found without\n"
    "                  a template (forms.labels): tesseract (the default:\n"
    "                  libtesseract, on the label crops only) or inkpipe\n"
    "                  (our classifier)\n"
    "  --labels-lang LANGS\n"
    "                  Tesseract's languages for the labels, joined by +\n"
    "                  (forms.labels_lang; default fra+eng: needs\n"
    "                  tesseract-ocr-fra and -eng; a missing one is an error\n"
    "                  naming its traineddata)\n"
    "  --no-guess-charset\n"
    "                  read every found field with --charset; by default a\n"
    "                  label's words narrow it (forms.guess_charset: nom,\n"
    "                  prenom, name -> upper; date, tel, phone, code postal\n"
    "                  -> digits; docs/forms.md)\n"
    "\n"
    "The image path in hOCR and ALTO is relative to the output folder\n"
    "(to the current folder with -o -). For a folder of images, write a\n"
    "job file (see `inkpipe run --help`). Options may stand before or\n"
    "after the images (`inkpipe ocr scan.png -o out`); after -- every\n"
    "word is an image.\n"
    "\n"
    "Exit status: 0 all done, 1 some images failed, 2 bad usage.\n";

/* One page through the chain, then its fields read from the binarised
 * page: against the template, or (json asked for, no template) found on
 * the page. NULL on error (message set). */
static OutPage *ocr_page(const Job *d, const FormTemplate *tpl,
                         const FormOptions *fo, RecNet *net, const char *path,
                         int p)
{
    int find = !tpl && (d->formats & OUT_FORMAT_JSON);
    if (!tpl && !find)
        return chain_page(&d->chain, net, path, p);
    int dpi = 0, scale = 1;
    float skew = 0.0f;
    PIX *pix = chain_read(&d->chain, path, p, &dpi);
    PIX *pixb = pix ? chain_binarize(&d->chain, pix, dpi, path, p, &scale,
                                     &skew)
                    : NULL;
    pixDestroy(&pix);
    dpi = chain_dpi(dpi, scale); /* of pixb: the boxes are mapped back */
    SegPage *sp = pixb ? chain_segment(&d->chain, pixb, dpi, net, path, p)
                       : NULL;
    OutPage *op = sp ? chain_recognize(&d->chain, sp, net, path, p, dpi)
                     : NULL;
    seg_page_destroy(&sp);
    if (op && ((tpl ? form_read_page(tpl, fo, &d->chain, net, pixb, dpi, op)
                    : form_find_page(fo, &d->chain, net, pixb, dpi, op)) < 0 ||
               chain_to_source(op, skew, scale) < 0))
        out_page_destroy(&op);
    pixDestroy(&pixb);
    return op;
}

/* Write pages in the one format of bits to fp. 0 or -1 (message set). */
static int write_stream(FILE *fp, const OutPage *const *pages, int n, int bits)
{
    int rc = bits == OUT_FORMAT_HOCR   ? out_hocr_write(fp, pages, n)
             : bits == OUT_FORMAT_ALTO ? out_alto_write(fp, pages, n)
             : bits == OUT_FORMAT_JSON ? out_json_write(fp, pages, n)
                                       : out_text_write(fp, pages, n);
    if (rc == 0 && fflush(fp) != 0)
        rc = err_set_errno("stdout");
    return rc;
}

/* How `ocr` reads and writes: the job defaults it runs with, the form
 * template (or NULL), where the outputs go (out_fd < 0: stdout). */
typedef struct {
    Job d;
    FormTemplate *tpl;
    FormOptions fo;
    RecNet *net;
    RecLm *lm;
    RecLexicon *lex;
    const char *outdir;
    int out_fd;
} OcrRun;

/* OCR one file as rel.EXT into the output folder, or to stdout; returns 0
 * or -1 (message set). */
static int ocr_file(const OcrRun *r, const char *path, const char *rel)
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
        if (!(pages[p] = ocr_page(&r->d, r->tpl, &r->fo, r->net, path, p)))
            goto done;
    /* the image as seen from the output folder */
    for (int p = 0; p < n; p++) {
        char *img = fs_path_relative(path, r->outdir);
        if (!img)
            goto done;
        free(pages[p]->image);
        pages[p]->image = img;
    }
    if (r->out_fd < 0) {
        rc = write_stream(stdout, (const OutPage *const *)pages, n,
                          r->d.formats);
        goto done;
    }
    ChainImageSource is = {&r->d.chain, path};
    OutImageSource images = {chain_page_image, &is};
    rc = out_files_write_images(r->out_fd, rel, (const OutPage *const *)pages,
                                n, r->d.formats, &images);
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

/* Parse the options of `ocr` into r (and the model, lexicon, template
 * paths, --no-lm); *pfirst the first IMAGE. 0 to go on, else the exit
 * code: -1 after printing the help (exit 0), 2 after saying what is wrong
 * on stderr. */
static int parse_args(int argc, char **argv, OcrRun *r, const char **model,
                      const char **lexicon, const char **tpath, int *no_lm,
                      int *pfirst)
{
    int formats_given = 0, n_img = 0;
    /* the images, in their order, wherever the options stand among them
     * (`inkpipe ocr scan.png -o out`), gathered at argv[1..] as they are
     * met (never past the one being read); after "--" everything is one */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(help_ocr, stdout);
            return -1;
        } else if (!strcmp(a, "-o") && i + 1 < argc) {
            r->outdir = argv[++i];
        } else if (!strcmp(a, "-f") && i + 1 < argc) {
            if (out_formats_parse(argv[++i], &r->d.formats) < 0) {
                fprintf(stderr, "inkpipe: -f: %s\n%s", err_get(), help_ocr);
                return 2;
            }
            formats_given = 1;
        } else if (!strcmp(a, "--template") && i + 1 < argc) {
            *tpath = argv[++i];
        } else if (!strcmp(a, "--threshold") && i + 1 < argc) {
            char *end;
            double t = strtod(argv[++i], &end);
            if (!*argv[i] || *end || !(t >= 0 && t <= 1)) {
                fprintf(stderr, "inkpipe: --threshold: expected a number in "
                                "[0, 1], got '%s'\n",
                        argv[i]);
                return 2;
            }
            r->fo.threshold = (float)t;
        } else if (!strcmp(a, "--labels") && i + 1 < argc) {
            if (form_labels_parse(argv[++i], &r->fo.labels) < 0) {
                fprintf(stderr, "inkpipe: --labels: expected inkpipe or "
                                "tesseract, got '%s'\n",
                        argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--labels-lang") && i + 1 < argc) {
            if (form_labels_lang_parse(argv[++i], r->fo.labels_lang) < 0) {
                fprintf(stderr, "inkpipe: --labels-lang: %s\n", err_get());
                return 2;
            }
        } else if (!strcmp(a, "--no-guess-charset")) {
            r->fo.guess_charset = 0;
        } else if (!strcmp(a, "--guess-charset")) {
            r->fo.guess_charset = 1;
        } else if (!strcmp(a, "--charset") && i + 1 < argc) {
            if (rec_charset_parse(argv[++i], &r->d.chain.charset) < 0) {
                fprintf(stderr, "inkpipe: --charset: %s\n", err_get());
                return 2;
            }
        } else if (!strcmp(a, "--no-context")) {
            r->d.chain.context = 0;
        } else if (!strcmp(a, "--no-adapt")) {
            r->d.chain.adapt = 0;
        } else if (!strcmp(a, "--seg-alternatives")) {
            r->d.chain.segalt = 1;
        } else if (!strcmp(a, "--no-seg-alternatives")) {
            r->d.chain.segalt = 0;
        } else if (!strcmp(a, "--no-lm")) {
            *no_lm = 1;
        } else if (!strcmp(a, "--lexicon") && i + 1 < argc) {
            *lexicon = argv[++i];
        } else if (!strcmp(a, "--model") && i + 1 < argc) {
            *model = argv[++i];
        } else if (!strcmp(a, "--")) {
            while (++i < argc)
                argv[1 + n_img++] = argv[i];
        } else if (a[0] == '-') {
            fprintf(stderr, "inkpipe: ocr: unknown option '%s'\n%s", a,
                    help_ocr);
            return 2;
        } else {
            argv[1 + n_img++] = argv[i];
        }
    }
    /* the images to the end of argv, from *pfirst on */
    *pfirst = argc - n_img;
    memmove(argv + *pfirst, argv + 1, (size_t)n_img * sizeof *argv);
    if (*pfirst >= argc) {
        fprintf(stderr, "inkpipe: ocr: no IMAGE given\n%s", help_ocr);
        return 2;
    }
    if (*tpath && !formats_given)
        r->d.formats |= OUT_FORMAT_JSON;
    if (strcmp(r->outdir, "-") != 0)
        return 0;
    /* -o -: one format on stdout */
    if (!formats_given && !*tpath)
        r->d.formats = OUT_FORMAT_TXT;
    else if (!formats_given)
        r->d.formats = OUT_FORMAT_JSON;
    if (r->d.formats & (r->d.formats - 1) || r->d.formats == OUT_FORMAT_PDF) {
        fprintf(stderr, "inkpipe: ocr: -o - writes one format to stdout: "
                        "name one with -f (txt, hocr, alto or json)\n");
        return 2;
    }
    if (r->d.formats != OUT_FORMAT_TXT && argc - *pfirst > 1) {
        fprintf(stderr, "inkpipe: ocr: -o - writes hOCR, ALTO or JSON of one "
                        "IMAGE only (one document on stdout)\n");
        return 2;
    }
    return 0;
}

/* Load the model, language model and lexicon into r. 0, or -1 (said). */
static int load_models(OcrRun *r, const char *model, const char *lexicon,
                       int no_lm)
{
    if (!model)
        model = cli_default_model_path();
    if (!(r->net = rec_net_load(model))) {
        fprintf(stderr, "inkpipe: cannot load the model: %s\n", err_get());
        return -1;
    }
    if (rec_net_set_precision(r->net, cli_env()->precision) < 0) {
        fprintf(stderr, "inkpipe: INKPIPE_PRECISION: %s\n", err_get());
        return -1;
    }
    const char *lmp = no_lm ? NULL : cli_lm_path(model);
    if (!no_lm && !lmp)
        fprintf(stderr, "inkpipe: no language model (en-fr.lm) beside %s "
                        "nor installed with inkpipe: reading without one "
                        "(--no-lm to say so)\n", model);
    if (lmp && !(r->lm = rec_lm_load(lmp))) {
        fprintf(stderr, "inkpipe: cannot load the language model: %s "
                        "(--no-lm runs without)\n", err_get());
        return -1;
    }
    if (lexicon && !(r->lex = rec_lexicon_load(lexicon))) {
        fprintf(stderr, "inkpipe: --lexicon: %s\n", err_get());
        return -1;
    }
    r->d.chain.lm = r->lm;
    r->d.chain.lexicon = r->lex;
    return 0;
}

int cmd_ocr(int argc, char **argv)
{
    const char *model = NULL, *lexicon = NULL, *tpath = NULL;
    int no_lm = 0, first;
    OcrRun r;
    memset(&r, 0, sizeof r);
    form_options_init(&r.fo);
    job_init_defaults(&r.d);
    r.outdir = ".";
    r.out_fd = -1;
    int rc = parse_args(argc, argv, &r, &model, &lexicon, &tpath, &no_lm,
                        &first);
    if (rc)
        return rc < 0 ? 0 : rc;
    int n_in = argc - first, to_stdout = !strcmp(r.outdir, "-");
    if (to_stdout)
        r.outdir = ".";
    char **rels = ocr_names(argv + first, n_in);
    if (!rels)
        return 2;
    rc = 1;
    if (tpath && !(r.tpl = form_template_load(tpath))) {
        fprintf(stderr, "inkpipe: --template: %s\n", err_get());
        rc = 2;
        goto out;
    }
    if (r.fo.labels == FORM_LABELS_TESSERACT && !r.tpl &&
        (r.d.formats & OUT_FORMAT_JSON) &&
        form_tess_check(r.fo.labels_lang) < 0) {
        fprintf(stderr, "inkpipe: ocr: %s\n", err_get());
        rc = 2;
        goto out;
    }
    if (load_models(&r, model, lexicon, no_lm) < 0)
        goto out;
    if (!to_stdout && (r.out_fd = fs_open_dir(r.outdir, 1)) < 0) {
        fprintf(stderr, "inkpipe: %s\n", err_get());
        goto out;
    }
    int failed = 0;
    for (int i = first; i < argc; i++) {
        if (ocr_file(&r, argv[i], rels[i - first]) < 0) {
            fprintf(stderr, "inkpipe: %s\n", err_get());
            failed++;
        }
    }
    rc = failed ? 1 : 0;
out:
    if (r.out_fd >= 0)
        close(r.out_fd);
    free_names(rels, n_in);
    form_template_destroy(&r.tpl);
    rec_lm_destroy(&r.lm);
    rec_lexicon_destroy(&r.lex);
    rec_net_destroy(&r.net);
    form_tess_release();
    return rc;
}
