/*
 * train_recipe.c - the training recipe (train_recipe.h).
 *
 * Design: the writer split first (test writers are never loaded,
 * validation writers only into the validation set unless train_on_val),
 * then the data sets, loaded once per run or read back from the cache when
 * the data options match (the cache key lists them), then outline fonts
 * (never cached: they render in a second), then rec_net_train, the class
 * prior balancing and the metadata. Messages go to the note callback.
 */
#include "train/train_recipe.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/err.h"

/** Fill r with the defaults of `inkpipe train`. */
void train_recipe_init(TrainRecipe *r)
{
    memset(r, 0, sizeof *r);
    r->trajectories = 1;
    r->idx_holdout = 2000;
    r->idx_count = 8000;
    r->idx_quota = 1000;
    r->val_spec = "036-040";
    r->test_spec = "041-045";
    r->augment = 1;
    r->balance = 1;
    /* by RecSampleKind: image idx traj font ttf */
    static const int rep[REC_NKINDS] = {2, 1, 2, 2, 2};
    memcpy(r->rep, rep, sizeof r->rep);
    rec_train_options_init(&r->opt);
}

static void note(const TrainRecipe *r, const char *fmt, ...)
{
    if (!r->note)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    r->note(r->ctx, line);
}

/* Count samples of a kind in a set. */
static int count_kind(const RecSet *set, RecSampleKind k)
{
    int n = 0;
    for (int i = 0; i < rec_set_count(set); i++)
        n += rec_set_kind(set, i) == k;
    return n;
}

/* Keeps the best validation accuracy and passes progress on. */
typedef struct {
    const TrainRecipe *r;
    float best_val;
    int best_epoch;
} Tracker;

static void track_progress(void *ctx, const RecTrainProgress *p)
{
    Tracker *t = ctx;
    if (p->val_acc >= 0.0f && p->val_acc > t->best_val) {
        t->best_val = p->val_acc;
        t->best_epoch = p->epoch;
    }
    if (t->r->progress)
        t->r->progress(t->r->ctx, p);
}

/**
 * The writer split: which writers are validation and which are kept out of
 * training.
 *
 * @param[in]  r      recipe
 * @param[out] pval   validation writers
 * @param[out] pexcl  writers never trained on (test, and validation unless
 *                    train_on_val)
 * @return 0, or -1 (a bad list, or a writer in both lists)
 */
int train_recipe_split(const TrainRecipe *r, RecWriters *pval,
                       RecWriters *pexcl)
{
    RecWriters testw;
    if (rec_writers_parse(r->val_spec, pval) ||
        rec_writers_parse(r->test_spec, &testw))
        return -1;
    *pexcl = testw;
    for (int w = 0; w <= REC_MAX_WRITER; w++)
        if (pval->has[w] && testw.has[w])
            return err_set("writer %03d is both a validation and a test "
                           "writer",
                           w);
    for (int w = 0; w <= REC_MAX_WRITER; w++)
        if (pval->has[w] && !r->train_on_val && !pexcl->has[w]) {
            pexcl->has[w] = 1;
            pexcl->count++;
        }
    return 0;
}

/* The data sets of the recipe into *ptrain and *pval (empty sets on
 * entry; replaced by the cached ones when the cache matches). Returns 0 or
 * -1 (message set). */
static int load_sets(const TrainRecipe *r, const RecWriters *pvalw,
                     const RecWriters *pexcl, RecSet **ptrain, RecSet **pval)
{
    RecWriters valw = *pvalw, excl = *pexcl;
    RecSet *train = *ptrain, *val = *pval;
    int rc = -1;
    /* what is loaded, for the cache */
    char key[8192];
    size_t kn = (size_t)snprintf(
        key, sizeof key, "v1|%s|%d|%s|%s|%d|%d|%s|%s|%s|%s|%d",
        r->chars74k ? r->chars74k : "", r->trajectories,
        r->idx_images ? r->idx_images : "", r->idx_labels ? r->idx_labels : "",
        r->idx_count, r->idx_holdout, r->hershey ? r->hershey : "",
        r->fonts ? r->fonts : "", r->val_spec, r->test_spec, r->train_on_val);
    for (int k = 0; k < r->ncsv && kn < sizeof key; k++)
        kn += (size_t)snprintf(key + kn, sizeof key - kn, "|csv:%s", r->csv[k]);
    for (int k = 0; k < r->ndir && kn < sizeof key; k++)
        kn += (size_t)snprintf(key + kn, sizeof key - kn, "|dir:%s", r->dir[k]);
    char ctrain[4200], cval[4200];
    int cached = 0;
    if (r->cache) {
        snprintf(ctrain, sizeof ctrain, "%s.train", r->cache);
        snprintf(cval, sizeof cval, "%s.val", r->cache);
        RecSet *ct = rec_set_load(ctrain, key), *cv = NULL;
        if (ct)
            cv = rec_set_load(cval, key);
        if (ct && cv) {
            rec_set_destroy(&train);
            rec_set_destroy(&val);
            train = ct;
            val = cv;
            cached = 1;
            note(r, "loaded sets from cache %s.{train,val}\n", r->cache);
        } else {
            rec_set_destroy(&ct);
            note(r, "cache not used: %s\n", err_get());
        }
    }
    if (!cached) {
        RecLoadOptions lo, vlo;
        rec_load_options_init(&lo);
        lo.exclude = &excl;
        rec_load_options_init(&vlo);
        vlo.only = &valw;
        if (r->chars74k) {
            note(r, "loading %s ...\n", r->chars74k);
            lo.repeat = r->rep[REC_KIND_IMAGE];
            if (rec_set_add_chars74k(train, r->chars74k, 1, 0, &lo) < 0)
                goto out;
            lo.repeat = r->rep[REC_KIND_TRAJ];
            if (r->trajectories &&
                rec_set_add_chars74k(train, r->chars74k, 0, 1, &lo) < 0)
                goto out;
            if (valw.count) {
                RecLoadOptions vo;
                rec_load_options_init(&vo);
                vo.only = &valw;
                if (rec_set_add_chars74k(val, r->chars74k, 1, 0, &vo) < 0)
                    goto out;
            }
        }
        for (int k = 0; k < r->ncsv; k++) {
            lo.repeat = r->rep[REC_KIND_IMAGE];
            if (rec_set_add_csv(train, r->csv[k], &lo) < 0)
                goto out;
            if (valw.count && rec_set_add_csv(val, r->csv[k], &vlo) < 0)
                goto out;
        }
        for (int k = 0; k < r->ndir; k++) {
            lo.repeat = r->rep[REC_KIND_IMAGE];
            if (rec_set_add_dir(train, r->dir[k], &lo) < 0)
                goto out;
            if (valw.count && rec_set_add_dir(val, r->dir[k], &vlo) < 0)
                goto out;
        }
        if (r->idx_images) {
            RecLoadOptions io;
            rec_load_options_init(&io);
            io.repeat = r->rep[REC_KIND_IDX];
            int n = rec_idx_count(r->idx_images);
            if (n < 0)
                goto out;
            int usable = n - r->idx_holdout;
            if (usable > r->idx_count)
                usable = r->idx_count;
            if (usable > 0 && rec_set_add_idx(train, r->idx_images, r->idx_labels,
                                              0, usable, &io) < 0)
                goto out;
        }
        if (r->hershey) {
            RecLoadOptions fo;
            rec_load_options_init(&fo);
            fo.repeat = r->rep[REC_KIND_FONT];
            if (rec_set_add_hershey(train, r->hershey, r->fonts, &fo) < 0)
                goto out;
        }
        if (r->cache && (rec_set_save(train, ctrain, key) < 0 ||
                      rec_set_save(val, cval, key) < 0))
            note(r, "warning: cache not written: %s\n", err_get());
    }
    /* outline fonts render in a second: never cached, so a cache of the
     * other data serves runs with and without them */
    if (r->nttf) {
        RecLoadOptions to;
        rec_load_options_init(&to);
        to.repeat = r->rep[REC_KIND_TTF];
        RecTtfStats ts;
        memset(&ts, 0, sizeof ts);
        for (int k = 0; k < r->nttf; k++)
            if (rec_set_add_ttf(train, r->ttf[k], &to, &ts) < 0)
                goto out;
        note(r,
                "outline fonts: %d read, %d glyphs (skipped: %d "
                "missing, %d empty, %d duplicate, %d small capitals; "
                "%d repeated fonts)\n",
                ts.fonts, ts.glyphs, ts.missing, ts.empty, ts.dup,
                ts.caps, ts.dup_fonts);
    }
    rc = 0;
out:
    *ptrain = train;
    *pval = val;
    return rc;
}

/**
 * Load the data, train a net and balance its class priors.
 *
 * @param[in]  r        recipe (train_recipe_init, then the caller's choices)
 * @param[in]  command  the command line as typed, for the metadata
 * @param[out] res      [optional] sample count and best validation accuracy
 * @return new net with its metadata set (caller owns; rec_net_save() it),
 *         or NULL (message set)
 */
RecNet *train_recipe_run(const TrainRecipe *r, const char *command,
                         TrainRecipeResult *res)
{
    RecWriters valw, excl;
    if (train_recipe_split(r, &valw, &excl) < 0)
        return NULL;
    RecTrainOptions opt = r->opt;
    double t0 = clock_mono_s();
    RecSet *train = rec_set_create(), *val = rec_set_create();
    RecNet *net = NULL;
    if (!train || !val || load_sets(r, &valw, &excl, &train, &val) < 0)
        goto fail;
    for (int k = 0; k < REC_NKINDS; k++)
        rec_set_set_repeat(train, (RecSampleKind)k, r->rep[k]);
    if (r->idx_quota > 0 && rec_set_set_quota(train, REC_KIND_IDX, r->idx_quota) < 0)
        goto fail;
    int ntrain = rec_set_count(train);
    if (ntrain == 0) {
        err_set("no training samples left after the writer split");
        goto fail;
    }
    note(r,
            "loaded in %.0fs: train %d (pictures %d, r->trajectories %d, idx "
            "%d, fonts %d, outline fonts %d), validation %d (writers %s)\n",
            clock_mono_s() - t0, ntrain, count_kind(train, REC_KIND_IMAGE),
            count_kind(train, REC_KIND_TRAJ), count_kind(train, REC_KIND_IDX),
            count_kind(train, REC_KIND_FONT), count_kind(train, REC_KIND_TTF),
            rec_set_count(val),
            valw.count ? r->val_spec : "none");

    if (r->init) {
        /* fine-tuning: the model's weights, its biases back on the
         * training priors (they are balanced again at the end) */
        net = rec_net_load(r->init);
        if (!net)
            goto fail;
        if (r->balance && rec_set_unbalance_net(train, net) < 0)
            goto fail;
        note(r, "starting from %s\n", r->init);
    } else {
        net = rec_net_create(r->arch, opt.seed);
    }
    if (!net)
        goto fail;
    RecAugment aug;
    rec_augment_init(&aug);
    RecSetSource tctx, vctx;
    rec_set_source(&tctx, train, r->augment ? &aug : NULL, &opt.train);
    if (rec_set_count(val))
        rec_set_source(&vctx, val, NULL, &opt.val);
    Tracker tp = {r, -1.0f, 0};
    opt.progress = track_progress;
    opt.progress_ctx = &tp;
    note(r,
            "training %s (%zu parameters, %.2f MFLOP/glyph): %d epochs of "
            "%lld samples, seed %llu\n",
            rec_net_arch(net), rec_net_nparams(net), rec_net_flops(net) / 1e6,
            opt.epochs, (long long)opt.train.n, (unsigned long long)opt.seed);
    if (rec_net_train(net, &opt) < 0)
        goto fail;
    if (r->balance && rec_set_balance_net(train, net) < 0)
        goto fail;

    /* metadata: the command, the data, the validation result */
    char meta[4096];
    size_t m = 0;
    m += (size_t)snprintf(meta + m, sizeof meta - m, "command: %s", command);
    if (r->init && m < sizeof meta)
        m += (size_t)snprintf(meta + m, sizeof meta - m,
                              "\nfine-tuned from %s", r->init);
    if (m < sizeof meta)
        m += (size_t)snprintf(
            meta + m, sizeof meta - m,
            "\ntrain samples: %d (pictures %d, trajectories %d, idx %d, "
            "fonts %d, outline fonts %d); test writers %s never loaded%s\n",
            ntrain, count_kind(train, REC_KIND_IMAGE),
            count_kind(train, REC_KIND_TRAJ), count_kind(train, REC_KIND_IDX),
            count_kind(train, REC_KIND_FONT), count_kind(train, REC_KIND_TTF),
            r->test_spec,
            r->balance ? "; output biases balanced to equal class priors" : "");
    if (m < sizeof meta) {
        if (tp.best_val >= 0.0f)
            snprintf(meta + m, sizeof meta - m,
                     "validation writers %s%s: top-1 %.2f%% (epoch %d)\n",
                     r->val_spec, r->train_on_val ? " (also trained on)" : "",
                     100.0 * (double)tp.best_val, tp.best_epoch);
        else
            snprintf(meta + m, sizeof meta - m, "no validation set\n");
    }
    if (rec_net_set_meta(net, meta) < 0)
        goto fail;
    if (res) {
        res->ntrain = ntrain;
        res->best_val = tp.best_val;
        res->best_epoch = tp.best_epoch;
    }
    rec_set_destroy(&train);
    rec_set_destroy(&val);
    return net;
fail:
    rec_net_destroy(&net);
    rec_set_destroy(&train);
    rec_set_destroy(&val);
    return NULL;
}
