/*
 * cmd_train.c - `inkpipe train` and `inkpipe eval`.
 *
 * train: loads the labelled sets named on the command line once (RecSet),
 * splits Chars74K by writer (validation writers and test writers never
 * reach the training set), trains a RecNet on augmented renders
 * (rec_augment.c) and writes the model; the command line, the data counts
 * and the best validation accuracy go into the model's metadata.
 *
 * eval: classifies held-out data with a model and prints accuracy per
 * writer and overall (62 classes, and with the 15 upper/lower look-alike
 * pairs merged as in EMNIST balanced), digits-only accuracy, per-class
 * accuracy and the most frequent confusions.
 *
 * Both print progress and reports on stdout/stderr only here: the library
 * (recognize/) never prints.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/err.h"
#include "train/train_curves.h"
#include "train/train_data.h"
#include "train/train_loop.h"
#include "train/train_recipe.h"
#include "recognize/recognize.h"

#define NIN (REC_INPUT_SIZE * REC_INPUT_SIZE)
#define MAX_LIST TRAIN_MAX_LIST

/* Upper/lower pairs that share a shape (EMNIST balanced merges these). */
static const char merged_letters[] = "CIJKLMOPSUVWXYZ";

/* Class after merging the look-alike pairs (lower -> upper). */
static int merge_class(int c)
{
    char ch = rec_class_chars[c];
    if (ch >= 'a' && ch <= 'z' && strchr(merged_letters, ch - 'a' + 'A'))
        return rec_class_of_char(ch - 'a' + 'A');
    return c;
}

/* Shared data options of train and eval. */
typedef struct {
    const char *chars74k;
    const char *idx_images, *idx_labels;
    int idx_holdout; /* last N IDX samples are for eval only */
    int idx_count;   /* train: use at most N (before the hold-out) */
    const char *csv[MAX_LIST];
    int ncsv;
    const char *dir[MAX_LIST];
    int ndir;
    const char *hershey;
    const char *fonts;
} DataArgs;

static int need(int i, int argc, char **argv, int n)
{
    if (i + n >= argc) {
        fprintf(stderr, "inkpipe: %s needs %d argument%s\n", argv[i], n,
                n > 1 ? "s" : "");
        return 0;
    }
    return 1;
}

static int parse_int(const char *opt, const char *s, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "inkpipe: %s wants an integer in %d..%d, not '%s'\n",
                opt, lo, hi, s);
        return 0;
    }
    *out = (int)v;
    return 1;
}

/* Consume a data option at argv[*pi]; 1 if it was one, 0 if not, -1 on a
 * usage error. */
static int parse_data_arg(int *pi, int argc, char **argv, DataArgs *d)
{
    int i = *pi;
    const char *a = argv[i];
    if (strcmp(a, "--chars74k") == 0) {
        if (!need(i, argc, argv, 1))
            return -1;
        d->chars74k = argv[++i];
    } else if (strcmp(a, "--idx") == 0) {
        if (!need(i, argc, argv, 2))
            return -1;
        d->idx_images = argv[++i];
        d->idx_labels = argv[++i];
    } else if (strcmp(a, "--idx-holdout") == 0) {
        if (!need(i, argc, argv, 1) ||
            !parse_int(a, argv[++i], 0, 100000000, &d->idx_holdout))
            return -1;
    } else if (strcmp(a, "--csv") == 0) {
        if (!need(i, argc, argv, 1))
            return -1;
        if (d->ncsv == MAX_LIST) {
            fprintf(stderr, "inkpipe: at most %d --csv\n", MAX_LIST);
            return -1;
        }
        d->csv[d->ncsv++] = argv[++i];
    } else if (strcmp(a, "--dir") == 0) {
        if (!need(i, argc, argv, 1))
            return -1;
        if (d->ndir == MAX_LIST) {
            fprintf(stderr, "inkpipe: at most %d --dir\n", MAX_LIST);
            return -1;
        }
        d->dir[d->ndir++] = argv[++i];
    } else {
        return 0;
    }
    *pi = i;
    return 1;
}

/* ------------------------------------------------------------------ */
/* train                                                              */
/* ------------------------------------------------------------------ */

static void train_usage(FILE *f)
{
    /* clang-format off */
    fprintf(f,
"usage: inkpipe train [DATA...] [OPTIONS] [-o MODEL]\n"
"Train the glyph classifier (62 classes 0-9 A-Z a-z) on augmented renders\n"
"of labelled glyphs and write a model file.\n"
"\n"
"Data (any mix; at least one):\n"
"  --chars74k DIR        Chars74K EnglishHnd folder (Img/ pictures and Trj/\n"
"                        pen trajectories; writer = SSS of imgCCC-SSS)\n"
"  --no-trajectories     do not use Chars74K Trj/ (pictures only)\n"
"  --idx IMAGES LABELS   IDX files (MNIST layout, .gz or raw; white on black)\n"
"  --idx-holdout N       keep the last N IDX samples out of training; they\n"
"                        are what `inkpipe eval --idx` measures (2000)\n"
"  --idx-count N         train on at most the first N IDX samples (8000)\n"
"  --idx-quota N         draw N of them per epoch, a new draw each epoch, so\n"
"                        digits do not outweigh letters (1000; 0 = use all,\n"
"                        with --repeat idx=N)\n"
"  --csv FILE            lines \"path,char\" (header optional), repeatable\n"
"  --dir DIR             one sub-folder per class (A, a, 7, upper_A,\n"
"                        lower_a or SampleNNN) of glyph images, repeatable\n"
"  --hershey DIR         synthetic glyphs from Hershey stroke fonts (e.g.\n"
"                        /usr/share/hershey-fonts)\n"
"  --fonts LIST          which .jhf fonts (default %s)\n"
"  --ttf FILE|DIR        synthetic glyphs from an outline font (.ttf/.otf)\n"
"                        or every .ttf/.otf in a folder (e.g. Debian's\n"
"                        handwriting fonts: /usr/share/fonts/truetype/\n"
"                        fifthhorseman); rendered with FreeType, augmented\n"
"                        like pictures; missing, empty and duplicate glyphs\n"
"                        are skipped; repeatable\n"
"\n"
"Split (writer ids from Chars74K-style names imgCCC-SSS):\n"
"  --val-writers LIST    validation writers, not trained on (036-040)\n"
"  --test-writers LIST   held out from training and validation (041-045)\n"
"  --train-on-val        also train on the validation writers\n"
"\n"
"Training:\n"
"  --epochs N            passes over the data (30)\n"
"  --arch SPEC           network, e.g. %s\n"
"  --init MODEL          fine-tune: start from MODEL's weights (and its\n"
"                        network) instead of random ones; use a lower --lr\n"
"                        and a few --epochs\n"
"  --freeze-conv         update only the dense layers (with --init: keep\n"
"                        the convolutions' features, fine-tune the rest)\n"
"  --seed N              seed for weights, order and augmentation (1)\n"
"  --batch N             batch size (128)\n"
"  --lr X                peak learning rate (0.002)\n"
"  --repeat KIND=N       copies per epoch of each picture/trajectory/font/\n"
"                        idx/outline-font sample (image=2 traj=2 font=2\n"
"                        idx=1 ttf=2)\n"
"  --no-augment          train on clean renders only\n"
"  --no-balance          keep the class frequencies of the training data as\n"
"                        priors (default: output biases are shifted so every\n"
"                        class has the same prior; see docs/model.md)\n"
"  --cache FILE          keep the loaded sets in FILE.train / FILE.val and\n"
"                        reuse them when the data options match\n"
"  -o MODEL              output (models/inkpipe.model); written atomically\n"
"\n"
"Progress (epoch, loss, accuracy, validation accuracy, time left) goes to\n"
"stderr. The model's metadata records the command and validation accuracy.\n"
"Beside the model, MODEL.curves.tsv (one row per epoch: loss, training and\n"
"validation accuracy, seconds) and MODEL.curves.svg (the same as a chart).\n",
            REC_HERSHEY_FONTS, REC_ARCH_DEFAULT);
    /* clang-format on */
}

/* Progress: a line on stderr, and the epoch's row into the curves (ctx);
 * a failed row (out of memory) is only counted, the training goes on. */
typedef struct {
    TrainCurves *curves;
    int lost;
} TrainWatch;

static void train_progress(void *ctx, const RecTrainProgress *p)
{
    TrainWatch *w = ctx;
    if (w && w->curves && train_curves_add(w->curves, p) < 0)
        w->lost++;
    int eta = (int)(p->eta_s + 0.5);
    if (p->val_acc >= 0.0f) {
        fprintf(stderr,
                "epoch %3d/%d  loss %.4f  train %.2f%%  val %.2f%%  "
                "%.0fs elapsed, %dm%02ds left\n",
                p->epoch, p->epochs, (double)p->train_loss,
                100.0 * (double)p->train_acc, 100.0 * (double)p->val_acc,
                p->elapsed_s, eta / 60, eta % 60);
    } else {
        fprintf(stderr,
                "epoch %3d/%d  step %lld/%lld  loss %.4f  train %.2f%%  "
                "%dm%02ds left\n",
                p->epoch, p->epochs, (long long)p->step, (long long)p->steps,
                (double)p->train_loss, 100.0 * (double)p->train_acc, eta / 60,
                eta % 60);
    }
    fflush(stderr);
}


/* One option of train with its value; 0, or -1 (message printed). */
static int train_option(const char *a, const char *v, DataArgs *d,
                        TrainRecipe *r, const char **pout)
{
    char *end;
    if (strcmp(a, "--hershey") == 0) {
        d->hershey = v;
    } else if (strcmp(a, "--fonts") == 0) {
        d->fonts = v;
    } else if (strcmp(a, "--ttf") == 0) {
        if (r->nttf == TRAIN_MAX_LIST) {
            fprintf(stderr, "inkpipe: at most %d --ttf\n", TRAIN_MAX_LIST);
            return -1;
        }
        r->ttf[r->nttf++] = v;
    } else if (strcmp(a, "--idx-count") == 0) {
        if (!parse_int(a, v, 0, 100000000, &d->idx_count))
            return -1;
    } else if (strcmp(a, "--val-writers") == 0) {
        r->val_spec = v;
    } else if (strcmp(a, "--test-writers") == 0) {
        r->test_spec = v;
    } else if (strcmp(a, "--epochs") == 0) {
        if (!parse_int(a, v, 1, 100000, &r->opt.epochs))
            return -1;
    } else if (strcmp(a, "--batch") == 0) {
        if (!parse_int(a, v, 1, 65536, &r->opt.batch))
            return -1;
    } else if (strcmp(a, "--seed") == 0) {
        r->opt.seed = strtoull(v, &end, 10);
        if (*end || end == v) {
            fprintf(stderr, "inkpipe: --seed wants a number\n");
            return -1;
        }
    } else if (strcmp(a, "--lr") == 0) {
        r->opt.lr = strtof(v, &end);
        if (*end || end == v || !(r->opt.lr > 0.0f)) {
            fprintf(stderr, "inkpipe: --lr wants a positive number\n");
            return -1;
        }
    } else if (strcmp(a, "--arch") == 0) {
        r->arch = v;
    } else if (strcmp(a, "--init") == 0) {
        r->init = v;
    } else if (strcmp(a, "--cache") == 0) {
        r->cache = v;
    } else if (strcmp(a, "--idx-quota") == 0) {
        if (!parse_int(a, v, 0, 100000000, &r->idx_quota))
            return -1;
    } else if (strcmp(a, "--repeat") == 0) {
        static const char *kinds[REC_NKINDS] = {"image=", "idx=", "traj=",
                                                "font=", "ttf="};
        int k;
        for (k = 0; k < REC_NKINDS; k++)
            if (strncmp(v, kinds[k], strlen(kinds[k])) == 0)
                break;
        if (k == REC_NKINDS) {
            fprintf(stderr, "inkpipe: --repeat wants image=N, traj=N, "
                            "font=N, idx=N or ttf=N\n");
            return -1;
        }
        if (!parse_int("--repeat", v + strlen(kinds[k]), 1, 1000, &r->rep[k]))
            return -1;
    } else {
        *pout = v;
    }
    return 0;
}

static void train_note(void *ctx, const char *line)
{
    (void)ctx;
    fputs(line, stderr);
}

/* An option of train without a value (--no-trajectories, --train-on-val,
 * --freeze-conv, --no-augment, --no-balance) set in r: 1, or 0 when a is
 * none of them. */
static int train_flag(const char *a, TrainRecipe *r)
{
    if (strcmp(a, "--no-trajectories") == 0)
        r->trajectories = 0;
    else if (strcmp(a, "--train-on-val") == 0)
        r->train_on_val = 1;
    else if (strcmp(a, "--freeze-conv") == 0)
        r->opt.freeze_conv = 1;
    else if (strcmp(a, "--no-augment") == 0)
        r->augment = 0;
    else if (strcmp(a, "--no-balance") == 0)
        r->balance = 0;
    else
        return 0;
    return 1;
}

/* The data sources of the command line (d) into the recipe. */
static void recipe_take_data(TrainRecipe *r, const DataArgs *d)
{
    r->chars74k = d->chars74k;
    r->idx_images = d->idx_images;
    r->idx_labels = d->idx_labels;
    r->idx_holdout = d->idx_holdout;
    r->idx_count = d->idx_count;
    memcpy(r->csv, d->csv, sizeof r->csv);
    r->ncsv = d->ncsv;
    memcpy(r->dir, d->dir, sizeof r->dir);
    r->ndir = d->ndir;
    r->hershey = d->hershey;
    r->fonts = d->fonts;
}

int cmd_train(int argc, char **argv)
{
    DataArgs d;
    memset(&d, 0, sizeof d);
    d.idx_holdout = 2000;
    d.idx_count = 8000;
    TrainRecipe r;
    train_recipe_init(&r);
    const char *out = "models/inkpipe.model";

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int rc = parse_data_arg(&i, argc, argv, &d);
        if (rc < 0)
            return 2;
        if (rc > 0)
            continue;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            train_usage(stdout);
            return 0;
        }
        if (train_flag(a, &r))
            continue;
        static const char *with_value[] = {
            "--hershey",      "--fonts",  "--idx-count", "--val-writers",
            "--test-writers", "--epochs", "--batch",     "--seed",
            "--lr",           "--arch",   "--repeat",    "--cache",
            "--idx-quota",    "--ttf",    "--init",      "-o"};
        int known = 0;
        for (size_t k = 0; k < sizeof with_value / sizeof *with_value; k++)
            known |= strcmp(a, with_value[k]) == 0;
        if (!known) {
            fprintf(stderr,
                    "inkpipe train: %s '%s'\nTry 'inkpipe train "
                    "--help'.\n",
                    a[0] == '-' ? "unknown option" : "unexpected argument", a);
            return 2;
        }
        if (!need(i, argc, argv, 1))
            return 2;
        if (train_option(a, argv[++i], &d, &r, &out) < 0)
            return 2;
    }
    if (!d.chars74k && !d.idx_images && !d.ncsv && !d.ndir && !d.hershey &&
        !r.nttf) {
        fprintf(stderr, "inkpipe train: no training data (give --chars74k, "
                        "--idx, --csv, --dir, --hershey or --ttf)\n"
                        "Try 'inkpipe train --help'.\n");
        return 2;
    }
    if (r.init && r.arch) {
        fprintf(stderr, "inkpipe train: --init takes the network of its "
                        "model; do not give --arch too\n");
        return 2;
    }
    RecWriters valw, excl;
    if (train_recipe_split(&r, &valw, &excl) < 0) {
        fprintf(stderr, "inkpipe train: %s\n", err_get());
        return 2;
    }
    recipe_take_data(&r, &d);
    r.note = train_note;
    r.progress = train_progress;
    TrainWatch watch = {train_curves_create(), 0};
    if (!watch.curves) {
        fprintf(stderr, "inkpipe train: %s\n", err_get());
        return 1;
    }
    r.ctx = &watch;

    char command[4096];
    size_t m = (size_t)snprintf(command, sizeof command, "inkpipe");
    for (int i = 0; i < argc && m < sizeof command - 64; i++)
        m += (size_t)snprintf(command + m, sizeof command - m, " %s", argv[i]);
    double t0 = clock_mono_s();
    TrainRecipeResult res;
    RecNet *net = train_recipe_run(&r, command, &res);
    if (!net || rec_net_save(net, out) < 0) {
        fprintf(stderr, "inkpipe train: %s\n", err_get());
        rec_net_destroy(&net);
        train_curves_destroy(&watch.curves);
        return 1;
    }
    if (watch.lost || train_curves_save(watch.curves, out) < 0) {
        fprintf(stderr, "inkpipe train: curves: %s\n",
                watch.lost ? "rows lost (out of memory)" : err_get());
        rec_net_destroy(&net);
        train_curves_destroy(&watch.curves);
        return 1;
    }
    train_curves_destroy(&watch.curves);
    fprintf(stderr, "wrote %s (best validation %.2f%%) in %.1f min\n", out,
            100.0 * (double)(res.best_val > 0 ? res.best_val : 0),
            (clock_mono_s() - t0) / 60.0);
    rec_net_destroy(&net);
    return 0;
}

/* ------------------------------------------------------------------ */
/* eval                                                               */
/* ------------------------------------------------------------------ */

static void eval_usage(FILE *f)
{
    /* clang-format off */
    fprintf(f,
"usage: inkpipe eval [--model MODEL] [--charset SET] [--precision P] DATA...\n"
"Measure a model on held-out labelled glyphs.\n"
"\n"
"  --model MODEL         model file (default: $INKPIPE_MODEL, else the\n"
"                        installed/bundled models/inkpipe.model)\n"
"  --charset SET         restrict the classes (digits, upper, lower, alpha,\n"
"                        alnum or a list of characters); glyphs whose label\n"
"                        is outside SET are skipped\n"
"  --chars74k DIR        Chars74K EnglishHnd pictures of the writers in\n"
"  --writers LIST        (041-045: the writers `inkpipe train` holds out)\n"
"  --idx IMAGES LABELS   IDX files; the last N samples are evaluated\n"
"  --idx-holdout N       N (2000: the part `inkpipe train` holds out)\n"
"  --csv FILE            lines \"path,char\", repeatable\n"
"  --dir DIR             class sub-folders of glyph images, repeatable\n"
"  --confusions N        how many confusions to list (20)\n"
"  --precision P         fp32, int8 or auto (default: $INKPIPE_PRECISION,\n"
"                        else int8 where the CPU has AVX-512 VNNI or AVX2)\n"
"\n"
"For each data set: top-1 accuracy per writer and overall over the 62\n"
"classes, the same with the 15 look-alike letter pairs merged (C I J K L M O\n"
"P S U V W X Y Z, as EMNIST balanced), digits-only accuracy (digit glyphs,\n"
"charset digits), per-class accuracy and the most frequent confusions.\n"
"The last lines, one per set, read\n"
"  RESULT <set> n=N top1=P merged=P digits=P\n");
    /* clang-format on */
}

typedef struct {
    int n, ok, okm;
} Tally;

static double pct(int a, int b)
{
    return b ? 100.0 * a / b : 0.0;
}

/* Evaluate one set; prints the report; fills the RESULT line. */
static int eval_set(RecNet *net, const RecSet *set, const char *title,
                    RecCharset cs, int nconf, char *result, size_t rsz)
{
    int n = rec_set_count(set);
    float *x = malloc((size_t)(n ? n : 1) * NIN * sizeof *x);
    float *pr = malloc((size_t)(n ? n : 1) * REC_NCLASSES * sizeof *pr);
    float *prd = malloc((size_t)(n ? n : 1) * REC_NCLASSES * sizeof *prd);
    int *idx = malloc((size_t)(n ? n : 1) * sizeof *idx);
    int *nd = malloc((size_t)(n ? n : 1) * sizeof *nd);
    static int conf[REC_NCLASSES][REC_NCLASSES];
    Tally writer[REC_MAX_WRITER + 2], cls[REC_NCLASSES], all = {0, 0, 0},
                                                         dig = {0, 0, 0};
    int rc = -1;
    if (!x || !pr || !prd || !idx || !nd) {
        err_set("out of memory for %d glyphs", n);
        goto done;
    }
    memset(conf, 0, sizeof conf);
    memset(writer, 0, sizeof writer);
    memset(cls, 0, sizeof cls);
    /* glyphs whose label is in the charset; digits separately */
    int m = 0, md = 0;
    for (int i = 0; i < n; i++) {
        int c = rec_set_label(set, i);
        if (!(cs >> c & 1))
            continue;
        memcpy(x + (size_t)m * NIN, rec_set_input(set, i), NIN * sizeof(float));
        idx[m++] = i;
    }
    if (m == 0) {
        err_set("%s: no glyphs with labels in the charset", title);
        goto done;
    }
    if (rec_net_classify(net, x, m, cs, pr) < 0)
        goto done;
    for (int k = 0; k < m; k++) {
        int i = idx[k], c = rec_set_label(set, i);
        const float *p = pr + (size_t)k * REC_NCLASSES;
        int best = 0;
        for (int j = 1; j < REC_NCLASSES; j++)
            if (p[j] > p[best])
                best = j;
        int ok = best == c, okm = merge_class(best) == merge_class(c);
        int w = rec_set_writer(set, i);
        Tally *tw =
            &writer[w >= 0 && w <= REC_MAX_WRITER ? w : REC_MAX_WRITER + 1];
        tw->n++;
        tw->ok += ok;
        tw->okm += okm;
        cls[c].n++;
        cls[c].ok += ok;
        all.n++;
        all.ok += ok;
        all.okm += okm;
        conf[c][best]++;
        if (c < 10)
            nd[md++] = k;
    }
    /* digits-only: the digit glyphs with the charset digits */
    if (md > 0) {
        for (int k = 0; k < md; k++)
            memmove(x + (size_t)k * NIN, x + (size_t)nd[k] * NIN,
                    NIN * sizeof(float));
        if (rec_net_classify(net, x, md, cs & ((1ULL << 10) - 1), prd) < 0)
            goto done;
        for (int k = 0; k < md; k++) {
            const float *p = prd + (size_t)k * REC_NCLASSES;
            int best = 0;
            for (int j = 1; j < 10; j++)
                if (p[j] > p[best])
                    best = j;
            dig.n++;
            dig.ok += best == rec_set_label(set, idx[nd[k]]);
        }
    }

    printf("== %s: %d glyphs ==\n", title, all.n);
    int nwriters = 0;
    for (int w = 0; w <= REC_MAX_WRITER; w++)
        nwriters += writer[w].n > 0;
    if (nwriters > 1)
        for (int w = 0; w <= REC_MAX_WRITER; w++)
            if (writer[w].n)
                printf("  writer %03d: %4d glyphs  top-1 %6.2f%%  merged "
                       "%6.2f%%\n",
                       w, writer[w].n, pct(writer[w].ok, writer[w].n),
                       pct(writer[w].okm, writer[w].n));
    printf("  top-1 (%d classes): %.2f%% (%d/%d)\n", __builtin_popcountll(cs),
           pct(all.ok, all.n), all.ok, all.n);
    printf("  merged look-alikes: %.2f%% (%d/%d)\n", pct(all.okm, all.n),
           all.okm, all.n);
    if (dig.n)
        printf("  digits-only:        %.2f%% (%d/%d)\n", pct(dig.ok, dig.n),
               dig.ok, dig.n);
    printf("  per class:");
    int col = 0;
    for (int c = 0; c < REC_NCLASSES; c++) {
        if (!cls[c].n)
            continue;
        if (col++ % 8 == 0)
            printf("\n   ");
        printf(" %c %5.1f%%", rec_class_chars[c], pct(cls[c].ok, cls[c].n));
    }
    printf("\n  top confusions (true -> read: count):\n");
    for (int k = 0; k < nconf; k++) {
        int bt = -1, bp = -1, bc = 0;
        for (int t = 0; t < REC_NCLASSES; t++)
            for (int p = 0; p < REC_NCLASSES; p++)
                if (t != p && conf[t][p] > bc) {
                    bc = conf[t][p];
                    bt = t;
                    bp = p;
                }
        if (bc == 0)
            break;
        printf("    %c -> %c: %d%s\n", rec_class_chars[bt], rec_class_chars[bp],
               bc, merge_class(bt) == merge_class(bp) ? " (look-alike)" : "");
        conf[bt][bp] = 0;
    }
    snprintf(result, rsz, "RESULT %s n=%d top1=%.2f merged=%.2f digits=%.2f",
             title, all.n, pct(all.ok, all.n), pct(all.okm, all.n),
             dig.n ? pct(dig.ok, dig.n) : -1.0);
    rc = 0;
done:
    free(x);
    free(pr);
    free(prd);
    free(idx);
    free(nd);
    return rc;
}

int cmd_eval(int argc, char **argv)
{
    DataArgs d;
    memset(&d, 0, sizeof d);
    d.idx_holdout = 2000;
    const char *model = cli_default_model_path(), *writers = "041-045";
    const char *charset = NULL;
    int nconf = 20;
    RecPrecision prec = REC_PRECISION_AUTO;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r = parse_data_arg(&i, argc, argv, &d);
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            eval_usage(stdout);
            return 0;
        }
        if (strcmp(a, "--model") && strcmp(a, "--writers") &&
            strcmp(a, "--charset") && strcmp(a, "--confusions") &&
            strcmp(a, "--precision")) {
            fprintf(stderr,
                    "inkpipe eval: %s '%s'\nTry 'inkpipe eval "
                    "--help'.\n",
                    a[0] == '-' ? "unknown option" : "unexpected argument", a);
            return 2;
        }
        if (!need(i, argc, argv, 1))
            return 2;
        const char *v = argv[++i];
        if (strcmp(a, "--model") == 0)
            model = v;
        else if (strcmp(a, "--writers") == 0)
            writers = v;
        else if (strcmp(a, "--charset") == 0)
            charset = v;
        else if (strcmp(a, "--precision") == 0) {
            if (rec_precision_parse(v, &prec) < 0) {
                fprintf(stderr, "inkpipe eval: --precision: %s\n", err_get());
                return 2;
            }
        } else if (!parse_int(a, v, 0, REC_NCLASSES * REC_NCLASSES, &nconf))
            return 2;
    }
    if (!d.chars74k && !d.idx_images && !d.ncsv && !d.ndir) {
        fprintf(stderr, "inkpipe eval: no data (give --chars74k, --idx, "
                        "--csv or --dir)\nTry 'inkpipe eval --help'.\n");
        return 2;
    }
    RecCharset cs = REC_CHARSET_ALL;
    RecWriters only;
    if (charset && rec_charset_parse(charset, &cs) < 0) {
        fprintf(stderr, "inkpipe eval: --charset: %s\n", err_get());
        return 2;
    }
    if (rec_writers_parse(writers, &only) < 0) {
        fprintf(stderr, "inkpipe eval: --writers: %s\n", err_get());
        return 2;
    }
    RecNet *net = rec_net_load(model);
    if (!net) {
        fprintf(stderr, "inkpipe eval: %s\n", err_get());
        return 1;
    }
    if (prec == REC_PRECISION_AUTO) /* INKPIPE_PRECISION, else the CPU's */
        prec = cli_env()->precision;
    if (rec_net_set_precision(net, prec) < 0) {
        fprintf(stderr, "inkpipe eval: --precision %s: %s\n",
                rec_precision_name(prec), err_get());
        rec_net_destroy(&net);
        return 1;
    }
    printf("model %s (%s), precision %s\n", model, rec_net_arch(net),
           rec_precision_name(rec_net_precision(net)));
    char results[4][1024];
    int nres = 0, rc = 0;
    for (int part = 0; part < 4 && rc == 0; part++) {
        RecSet *set = rec_set_create();
        char title[256];
        int r = 0;
        if (!set) {
            rc = 1;
            break;
        }
        RecLoadOptions lo;
        rec_load_options_init(&lo);
        if (part == 0 && d.chars74k) {
            lo.only = &only;
            snprintf(title, sizeof title, "chars74k-writers-%s", writers);
            r = rec_set_add_chars74k(set, d.chars74k, 1, 0, &lo);
        } else if (part == 1 && d.idx_images) {
            int n = rec_idx_count(d.idx_images);
            int first = n - d.idx_holdout < 0 ? 0 : n - d.idx_holdout;
            snprintf(title, sizeof title, "idx-last-%d", n - first);
            r = n < 0 ? -1
                      : rec_set_add_idx(set, d.idx_images, d.idx_labels, first,
                                        -1, &lo);
        } else if (part == 2 && d.ncsv) {
            snprintf(title, sizeof title, "csv");
            for (int k = 0; k < d.ncsv && r >= 0; k++)
                r = rec_set_add_csv(set, d.csv[k], &lo);
        } else if (part == 3 && d.ndir) {
            snprintf(title, sizeof title, "dir");
            for (int k = 0; k < d.ndir && r >= 0; k++)
                r = rec_set_add_dir(set, d.dir[k], &lo);
        } else {
            rec_set_destroy(&set);
            continue;
        }
        if (r < 0 || eval_set(net, set, title, cs, nconf, results[nres],
                              sizeof results[nres]) < 0) {
            fprintf(stderr, "inkpipe eval: %s\n", err_get());
            rc = 1;
        } else {
            nres++;
        }
        rec_set_destroy(&set);
    }
    /* place for the line-context CER on composed pages (added later) */
    for (int k = 0; k < nres; k++)
        printf("%s\n", results[k]);
    rec_net_destroy(&net);
    return rc;
}
