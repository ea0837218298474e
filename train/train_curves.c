/*
 * train_curves.c - per-epoch training curves beside the model
 * (train_curves.h).
 *
 * Design: rows are kept in a growing array; saving formats the whole TSV
 * or SVG into a memory stream first, then writes it under a temporary name
 * in the model's folder and renames it, so a reader never sees half a
 * file. The SVG has two panels with the same epoch axis: the training loss
 * (mean over the epoch, augmented samples), and the training and
 * validation top-1 accuracy. Its axes are chosen from the data (the loss
 * from 0, the accuracy from the tens below its lowest value), so a flat
 * curve near 90 % is still readable.
 */
#include "train/train_curves.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"

struct TrainCurves {
    TrainCurveRow *rows;
    int n, cap;
};

/** A new, empty collection (caller owns; train_curves_destroy()), or NULL
 * on out of memory (message set). */
TrainCurves *train_curves_create(void)
{
    TrainCurves *c = calloc(1, sizeof *c);
    if (!c)
        err_set("out of memory for training curves");
    return c;
}

/** Free *pc and set it to NULL; NULL or *pc NULL is a no-op. */
void train_curves_destroy(TrainCurves **pc)
{
    if (!pc || !*pc)
        return;
    free((*pc)->rows);
    free(*pc);
    *pc = NULL;
}

/**
 * Keep an end-of-epoch progress report.
 *
 * @param[in,out] c  collection
 * @param[in]     p  a report of rec_net_train
 * @return 0 (also when p is a report inside an epoch, which is ignored), or
 *         -1 on out of memory (message set)
 */
int train_curves_add(TrainCurves *c, const RecTrainProgress *p)
{
    if (!p->epoch_end)
        return 0;
    if (c->n == c->cap) {
        int cap = c->cap ? 2 * c->cap : 32;
        TrainCurveRow *r = realloc(c->rows, (size_t)cap * sizeof *r);
        if (!r)
            return err_set("out of memory for training curves");
        c->rows = r;
        c->cap = cap;
    }
    TrainCurveRow *r = &c->rows[c->n++];
    r->epoch = p->epoch;
    r->train_loss = p->train_loss;
    r->train_acc = p->train_acc;
    r->val_acc = p->val_acc;
    r->elapsed_s = p->elapsed_s;
    return 0;
}

/** Rows kept so far. */
int train_curves_count(const TrainCurves *c)
{
    return c->n;
}

/** Row i, 0 <= i < train_curves_count(c). */
const TrainCurveRow *train_curves_row(const TrainCurves *c, int i)
{
    return &c->rows[i];
}

/* The TSV: a header, then one row per epoch (percentages; "-" where there
 * was no validation). */
static void put_tsv(FILE *f, const TrainCurves *c)
{
    fputs("epoch\ttrain_loss\ttrain_acc_pct\tval_acc_pct\telapsed_s\n", f);
    for (int i = 0; i < c->n; i++) {
        const TrainCurveRow *r = &c->rows[i];
        fprintf(f, "%d\t%.4f\t%.2f\t", r->epoch, (double)r->train_loss,
                100.0 * (double)r->train_acc);
        if (r->val_acc >= 0.0f)
            fprintf(f, "%.2f", 100.0 * (double)r->val_acc);
        else
            fputc('-', f);
        fprintf(f, "\t%.1f\n", r->elapsed_s);
    }
}

/* Plot geometry of one panel. */
typedef struct {
    double x0, y0, w, h; /* plot area, px */
    double e0, e1;       /* epoch range */
    double v0, v1;       /* value range */
} Panel;

static double px_x(const Panel *p, double e)
{
    if (p->e1 <= p->e0)
        return p->x0 + p->w / 2;
    return p->x0 + (e - p->e0) / (p->e1 - p->e0) * p->w;
}

static double px_y(const Panel *p, double v)
{
    return p->y0 + p->h - (v - p->v0) / (p->v1 - p->v0) * p->h;
}

/* Axes, grid and labels of a panel; ticks every vstep on the value axis. */
static void put_axes(FILE *f, const Panel *p, double vstep, const char *title,
                     const char *unit)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"t\">%s</text>\n", p->x0,
            p->y0 - 8, title);
    for (double v = p->v0; v <= p->v1 + 1e-9; v += vstep) {
        double y = px_y(p, v);
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "class=\"g\"/><text x=\"%.1f\" y=\"%.1f\" class=\"l\" "
                "text-anchor=\"end\">%g%s</text>\n",
                p->x0, y, p->x0 + p->w, y, p->x0 - 4, y + 4, v, unit);
    }
    int ne = (int)(p->e1 - p->e0) + 1;
    int estep = ne <= 10 ? 1 : (ne + 9) / 10;
    for (int e = (int)p->e0; e <= (int)p->e1; e += estep)
        fprintf(f,
                "<text x=\"%.1f\" y=\"%.1f\" class=\"l\" "
                "text-anchor=\"middle\">%d</text>\n",
                px_x(p, e), p->y0 + p->h + 14, e);
    fprintf(f,
            "<text x=\"%.1f\" y=\"%.1f\" class=\"l\" "
            "text-anchor=\"middle\">epoch</text>\n"
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
            "class=\"a\"/>\n",
            p->x0 + p->w / 2, p->y0 + p->h + 28, p->x0, p->y0, p->w, p->h);
}

/* One series: a polyline and a dot per epoch. which: 0 loss, 1 train
 * accuracy, 2 validation accuracy (rows without validation skipped). */
static void put_series(FILE *f, const Panel *p, const TrainCurves *c, int which,
                       const char *colour)
{
    fprintf(f,
            "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
            "points=\"",
            colour);
    for (int i = 0; i < c->n; i++) {
        const TrainCurveRow *r = &c->rows[i];
        double v = which == 0   ? (double)r->train_loss
                   : which == 1 ? 100.0 * (double)r->train_acc
                                : 100.0 * (double)r->val_acc;
        if (which == 2 && r->val_acc < 0.0f)
            continue;
        fprintf(f, "%.1f,%.1f ", px_x(p, r->epoch), px_y(p, v));
    }
    fputs("\"/>\n", f);
    for (int i = 0; i < c->n; i++) {
        const TrainCurveRow *r = &c->rows[i];
        double v = which == 0   ? (double)r->train_loss
                   : which == 1 ? 100.0 * (double)r->train_acc
                                : 100.0 * (double)r->val_acc;
        if (which == 2 && r->val_acc < 0.0f)
            continue;
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>\n",
                px_x(p, r->epoch), px_y(p, v), colour);
    }
}

/* The SVG: loss panel on the left, accuracy panel on the right. */
static void put_svg(FILE *f, const TrainCurves *c)
{
    double lmax = 0, amin = 100;
    int has_val = 0;
    int e0 = c->n ? c->rows[0].epoch : 1, e1 = e0;
    for (int i = 0; i < c->n; i++) {
        const TrainCurveRow *r = &c->rows[i];
        if ((double)r->train_loss > lmax && isfinite(r->train_loss))
            lmax = (double)r->train_loss;
        if (100.0 * (double)r->train_acc < amin)
            amin = 100.0 * (double)r->train_acc;
        if (r->val_acc >= 0.0f) {
            has_val = 1;
            if (100.0 * (double)r->val_acc < amin)
                amin = 100.0 * (double)r->val_acc;
        }
        if (r->epoch < e0)
            e0 = r->epoch;
        if (r->epoch > e1)
            e1 = r->epoch;
    }
    /* loss axis: 0 to a round step above the largest loss */
    double lstep = lmax > 2 ? 1 : lmax > 1 ? 0.5 : lmax > 0.4 ? 0.2 : 0.1;
    double ltop = lstep * ceil(lmax / lstep + 1e-9);
    if (ltop <= 0)
        ltop = lstep;
    double abot = 10.0 * floor(amin / 10.0);
    if (abot > 90)
        abot = 90;
    Panel pl = {60, 30, 280, 200, e0, e1, 0, ltop};
    Panel pa = {420, 30, 280, 200, e0, e1, abot, 100};
    fputs("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"740\" "
          "height=\"290\" viewBox=\"0 0 740 290\" font-family=\"sans-serif\">\n"
          "<style>.t{font-size:13px;font-weight:bold}.l{font-size:11px;"
          "fill:#333}.g{stroke:#ddd}.a{fill:none;stroke:#444}</style>\n"
          "<rect width=\"740\" height=\"290\" fill=\"white\"/>\n",
          f);
    put_axes(f, &pl, lstep, "training loss (mean over the epoch)", "");
    put_series(f, &pl, c, 0, "#c0392b");
    put_axes(f, &pa, 10, "top-1 accuracy", "%");
    put_series(f, &pa, c, 1, "#2471a3");
    fprintf(f, "<text x=\"430\" y=\"276\" class=\"l\"><tspan "
               "fill=\"#2471a3\">&#9632;</tspan> train (augmented)</text>\n");
    if (has_val) {
        put_series(f, &pa, c, 2, "#229954");
        fprintf(f, "<text x=\"570\" y=\"276\" class=\"l\"><tspan "
                   "fill=\"#229954\">&#9632;</tspan> validation</text>\n");
    }
    fputs("</svg>\n", f);
}

/* Format with put into a memory stream and publish it as path (temporary
 * name + rename). 0 or -1 (message names path). */
static int save_one(const TrainCurves *c, const char *path,
                    void (*put)(FILE *, const TrainCurves *))
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return err_set("%s: out of memory", path);
    put(m, c);
    if (fclose(m) != 0) {
        free(buf);
        return err_set("%s: out of memory", path);
    }
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 8);
    if (!tmp) {
        free(buf);
        return err_set("%s: out of memory", path);
    }
    snprintf(tmp, pl + 8, "%s.tmp", path);
    int rc = -1;
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        err_set("%s: cannot write (%s)", tmp, strerror(errno));
    } else if (fwrite(buf, 1, len, f) != len) {
        err_set("%s: write failed (%s)", tmp, strerror(errno));
        fclose(f);
        remove(tmp);
    } else if (fclose(f) != 0) {
        err_set("%s: write failed (%s)", tmp, strerror(errno));
        remove(tmp);
    } else if (rename(tmp, path) != 0) {
        err_set("%s: cannot rename to %s (%s)", tmp, path, strerror(errno));
        remove(tmp);
    } else {
        rc = 0;
    }
    free(tmp);
    free(buf);
    return rc;
}

/**
 * Write the curves beside a model.
 *
 * @param[in] c           collection (may be empty: a header-only TSV and
 *                        empty panels)
 * @param[in] model_path  the model file; MODEL.curves.tsv and
 *                        MODEL.curves.svg are written next to it
 * @return 0, or -1 (message names the file)
 */
int train_curves_save(const TrainCurves *c, const char *model_path)
{
    size_t n = strlen(model_path) + 16;
    char *path = malloc(n);
    if (!path)
        return err_set("%s: out of memory", model_path);
    snprintf(path, n, "%s.curves.tsv", model_path);
    int rc = save_one(c, path, put_tsv);
    if (rc == 0) {
        snprintf(path, n, "%s.curves.svg", model_path);
        rc = save_one(c, path, put_svg);
    }
    free(path);
    return rc;
}
