/* test_train_curves.c - per-epoch training curves: only end-of-epoch
 * reports are kept, the TSV has a header and one row per epoch ("-" without
 * validation), the SVG has a polyline per series, a missing folder is an
 * error naming the file. Files go to TEST_TMPDIR. */
#include "common/err.h"
#include "train/train_curves.h"
#include "tests/unit/test.h"

#include <string.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static RecTrainProgress report(int epoch, int end, float loss, float acc,
                               float val)
{
    RecTrainProgress p;
    memset(&p, 0, sizeof p);
    p.epoch = epoch;
    p.epochs = 3;
    p.epoch_end = end;
    p.train_loss = loss;
    p.train_acc = acc;
    p.val_acc = val;
    p.elapsed_s = 10.0 * epoch;
    return p;
}

static void train_curves_add__inside_epoch_reports__ignored(void)
{
    TrainCurves *c = train_curves_create();
    CHECK(c != NULL);
    for (int e = 1; e <= 3; e++) {
        RecTrainProgress in = report(e, 0, 9.0f, 0.1f, -1.0f);
        RecTrainProgress end = report(e, 1, 2.0f / e, 0.3f * e, 0.25f * e);
        CHECK(train_curves_add(c, &in) == 0);
        CHECK(train_curves_add(c, &in) == 0);
        CHECK(train_curves_add(c, &end) == 0);
    }
    CHECK(train_curves_count(c) == 3);
    CHECK(train_curves_row(c, 2)->epoch == 3);
    CHECK_NEAR(train_curves_row(c, 0)->train_loss, 2.0, 1e-6);
    CHECK_NEAR(train_curves_row(c, 1)->val_acc, 0.5, 1e-6);
    train_curves_destroy(&c);
    CHECK(c == NULL);
    train_curves_destroy(&c); /* NULL is a no-op */
}

static void train_curves_save__three_epochs__tsv_rows_and_svg(void)
{
    TrainCurves *c = train_curves_create();
    for (int e = 1; e <= 3; e++) {
        RecTrainProgress end = report(e, 1, 2.0f / e, 0.3f * e, 0.25f * e);
        train_curves_add(c, &end);
    }
    char model[1024], path[1100];
    snprintf(model, sizeof model, "%s/c3.model", test_tmpdir());
    CHECK(train_curves_save(c, model) == 0);
    snprintf(path, sizeof path, "%s.curves.tsv", model);
    char *tsv = slurp(path);
    CHECK(tsv != NULL);
    if (tsv) {
        CHECK(strncmp(tsv,
                      "epoch\ttrain_loss\ttrain_acc_pct\tval_acc_pct\t"
                      "elapsed_s\n",
                      45) == 0);
        CHECK(count_lines(tsv) == 4);
        CHECK(strstr(tsv, "\n2\t1.0000\t60.00\t50.00\t20.0\n") != NULL);
        CHECK(strstr(tsv, "\n3\t0.6667\t90.00\t75.00\t30.0\n") != NULL);
    }
    snprintf(path, sizeof path, "%s.curves.svg", model);
    char *svg = slurp(path);
    CHECK(svg != NULL);
    if (svg) {
        CHECK(strncmp(svg, "<svg ", 5) == 0);
        CHECK(strstr(svg, "</svg>\n") != NULL);
        /* loss, train accuracy, validation accuracy */
        int lines = 0;
        for (const char *s = svg; (s = strstr(s, "<polyline")); s++)
            lines++;
        CHECK(lines == 3);
        CHECK(strstr(svg, "validation") != NULL);
    }
    train_curves_destroy(&c);
}

static void train_curves_save__no_validation__dash_and_two_series(void)
{
    TrainCurves *c = train_curves_create();
    RecTrainProgress end = report(1, 1, 3.5f, 0.05f, -1.0f);
    train_curves_add(c, &end);
    char model[1024], path[1100];
    snprintf(model, sizeof model, "%s/c1.model", test_tmpdir());
    CHECK(train_curves_save(c, model) == 0);
    snprintf(path, sizeof path, "%s.curves.tsv", model);
    char *tsv = slurp(path);
    CHECK(tsv && strstr(tsv, "\n1\t3.5000\t5.00\t-\t10.0\n") != NULL);
    snprintf(path, sizeof path, "%s.curves.svg", model);
    char *svg = slurp(path);
    int lines = 0;
    for (const char *s = svg ? svg : ""; (s = strstr(s, "<polyline")); s++)
        lines++;
    CHECK(lines == 2);
    train_curves_destroy(&c);
}

static void train_curves_save__missing_folder__error_names_file(void)
{
    TrainCurves *c = train_curves_create();
    char model[1024];
    snprintf(model, sizeof model, "%s/no/such/dir/m.model", test_tmpdir());
    CHECK(train_curves_save(c, model) == -1);
    CHECK(strstr(err_get(), "m.model.curves.tsv") != NULL);
    train_curves_destroy(&c);
}

int main(void)
{
    RUN(train_curves_add__inside_epoch_reports__ignored);
    RUN(train_curves_save__three_epochs__tsv_rows_and_svg);
    RUN(train_curves_save__no_validation__dash_and_two_series);
    RUN(train_curves_save__missing_folder__error_names_file);
    TEST_EXIT();
}
