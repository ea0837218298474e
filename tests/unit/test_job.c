/* test_job.c - job files: validation messages with file:line:col, defaults,
 * relative paths, duplicates, aliases, bad bytes. */
#include "common/err.h"
#include "pipeline/job.h"
#include "tests/unit/test.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[512];
static char jobpath[600];

/* Write text as the job file (in dir, next to an "in" folder). */
static void write_job(const char *text, size_t len)
{
    FILE *fp = fopen(jobpath, "wb");
    if (!fp)
        return;
    fwrite(text, 1, len, fp);
    fclose(fp);
}

/* Load text; on success return NULL and destroy, else err_get(). */
static const char *load_err(const char *text)
{
    write_job(text, strlen(text));
    Job *job = job_load(jobpath);
    if (job) {
        job_destroy(&job);
        return NULL;
    }
    return err_get();
}

/* 1 if msg starts with "JOBPATH:line:col:" and contains want. */
static int err_is(const char *msg, int line, int col, const char *want)
{
    char prefix[700];
    snprintf(prefix, sizeof prefix, "%s:%d:%d: ", jobpath, line, col);
    if (!msg) {
        printf("  no error (wanted %s)\n", prefix);
        return 0;
    }
    int ok = strncmp(msg, prefix, strlen(prefix)) == 0 && strstr(msg, want);
    if (!ok)
        printf("  got: %s\n  want: %s...%s\n", msg, prefix, want);
    return ok;
}

#define MIN "input:\n  paths: [in]\noutput:\n  dir: out\n"

static void job_load__minimal__defaults_and_relative_paths(void)
{
    write_job(MIN, strlen(MIN));
    Job *job = job_load(jobpath);
    CHECK(job != NULL);
    if (!job)
        return;
    char want[700];
    CHECK(job->n_inputs == 1);
    snprintf(want, sizeof want, "%s/in", dir);
    CHECK(strcmp(job->inputs[0], want) == 0);
    snprintf(want, sizeof want, "%s/out", dir);
    CHECK(strcmp(job->output_dir, want) == 0);
    snprintf(want, sizeof want, "%s/spool/job", dir);
    CHECK(strcmp(job->spool, want) == 0);
    CHECK(strcmp(job->name, "job") == 0);
    CHECK(job->formats == (OUT_FORMAT_TXT | OUT_FORMAT_HOCR));
    CHECK(job->workers == 1);
    CHECK(job->model == NULL);
    CHECK(job->chain.charset == REC_CHARSET_ALL);
    CHECK(job->chain.max_pixels == 100000000);
    CHECK_NEAR(job->page_timeout, 60, 0);
    CHECK_NEAR(job->lease_seconds, 300, 0);
    CHECK(job->max_pages == 10000);
    job_destroy(&job);
    CHECK(job == NULL);
}

static void job_load__every_key__values_stored(void)
{
    const char *t = "name: demo\n"
                    "input:\n  paths:\n    - in\n    - /dev\n"
                    "spool: sp\n"
                    "output:\n  dir: /abs/out\n  formats: [txt]\n"
                    "  image_paths: absolute\n"
                    "workers: 4\n"
                    "clean: after-run\n"
                    "binarize:\n  method: otsu\n  window: 20\n  k: 0.2\n"
                    "  deskew: false\n"
                    "segment:\n  min_speck_area: 5\n  remove_furniture: false\n"
                    "  split_touching: false\n  word_gap: 1.5\n"
                    "recognize:\n  model: m/x.model\n  charset: digits\n"
                    "  precision: int8\n"
                    "limits:\n  max_pixels: 5000000\n  page_timeout: 2.5\n"
                    "  page_memory_mb: 256\n  max_pages: 77\n"
                    "lease:\n  seconds: 30\n";
    write_job(t, strlen(t));
    Job *job = job_load(jobpath);
    CHECK(job != NULL);
    if (!job) {
        printf("  %s\n", err_get());
        return;
    }
    char want[700];
    CHECK(strcmp(job->name, "demo") == 0);
    CHECK(job->n_inputs == 2 && strcmp(job->inputs[1], "/dev") == 0);
    snprintf(want, sizeof want, "%s/sp", dir);
    CHECK(strcmp(job->spool, want) == 0);
    CHECK(strcmp(job->output_dir, "/abs/out") == 0);
    CHECK(job->formats == OUT_FORMAT_TXT);
    CHECK(job->image_paths_absolute == 1);
    CHECK(job->workers == 4);
    CHECK(job->clean_after_run == 1);
    CHECK(job->chain.binarize.method == SEG_BINARIZE_OTSU);
    CHECK(job->chain.binarize.window == 20);
    CHECK_NEAR(job->chain.binarize.k, 0.2, 1e-6);
    CHECK(job->chain.binarize.deskew == 0);
    CHECK(job->chain.segment.min_speck_area == 5);
    CHECK(job->chain.segment.remove_furniture == 0);
    CHECK(job->chain.segment.split_touching == 0);
    CHECK_NEAR(job->chain.segment.word_gap, 1.5, 1e-6);
    snprintf(want, sizeof want, "%s/m/x.model", dir);
    CHECK(job->model && strcmp(job->model, want) == 0);
    CHECK(strcmp(job->charset_spec, "digits") == 0);
    CHECK(job->chain.charset != REC_CHARSET_ALL && job->chain.charset != 0);
    CHECK(job->precision == REC_PRECISION_INT8);
    CHECK(job->chain.max_pixels == 5000000);
    CHECK_NEAR(job->page_timeout, 2.5, 1e-9);
    CHECK(job->page_memory_mb == 256);
    CHECK(job->max_pages == 77);
    CHECK_NEAR(job->lease_seconds, 30, 0);
    job_destroy(&job);
}

static void job_load__lexicon__path_resolved_and_freed(void)
{
    const char *t = "name: lx\ninput:\n  paths:\n    - in\n"
                    "output:\n  dir: out\n"
                    "recognize:\n  lexicon: names.tsv\n";
    write_job(t, strlen(t));
    Job *job = job_load(jobpath);
    CHECK(job != NULL);
    if (!job)
        return;
    char want[700];
    snprintf(want, sizeof want, "%s/names.tsv", dir);
    CHECK(job->chain.lexicon_path && !strcmp(job->chain.lexicon_path, want));
    job_destroy(&job);
}

static void job_load__unknown_key__names_key_and_expected(void)
{
    CHECK(err_is(load_err(MIN "worker: 2\n"), 5, 1, "unknown key 'worker'"));
    CHECK(err_is(load_err(MIN "worker: 2\n"), 5, 1, "workers"));
    CHECK(err_is(load_err("input:\n  path: [in]\noutput:\n  dir: o\n"), 2, 3,
                 "unknown key 'path' in input; expected one of: paths"));
}

static void job_load__wrong_type__expected_type_named(void)
{
    CHECK(err_is(load_err(MIN "workers: many\n"), 5, 10,
                 "expected an integer for workers"));
    CHECK(err_is(load_err(MIN "workers: \"4\"\n"), 5, 10, "quoted string"));
    CHECK(err_is(load_err(MIN "workers: [1]\n"), 5, 10, "got a list"));
    CHECK(err_is(load_err(MIN "binarize: sauvola\n"), 5, 11,
                 "expected a mapping in binarize"));
    CHECK(err_is(load_err(MIN "binarize:\n  deskew: maybe\n"), 6, 11,
                 "expected true or false"));
    CHECK(err_is(load_err(MIN "limits:\n  page_timeout: soon\n"), 6, 17,
                 "expected a number for limits.page_timeout"));
}

static void job_load__bad_value__range_or_choices_named(void)
{
    CHECK(err_is(load_err(MIN "workers: 0\n"), 5, 10, "1..256"));
    CHECK(err_is(load_err(MIN "binarize:\n  method: niblack\n"), 6, 11,
                 "expected sauvola or otsu"));
    CHECK(err_is(load_err("input:\n  paths: [in]\noutput:\n  dir: o\n"
                          "  formats: [txt, djvu]\n"),
                 5, 18, "expected one of txt, hocr"));
    CHECK(err_is(load_err(MIN "recognize:\n  charset: \"a+\"\n"), 6, 12,
                 "recognize.charset"));
    CHECK(err_is(load_err(MIN "recognize:\n  precision: bf16\n"), 6, 14,
                 "expected fp32, int8 or auto for recognize.precision"));
    CHECK(err_is(load_err("input:\n  paths: [nothere]\noutput:\n  dir: o\n"), 2,
                 11, "cannot be read"));
    CHECK(err_is(load_err(MIN "limits:\n  max_pixels: -5\n"), 6, 15,
                 "must be in"));
    CHECK(err_is(load_err(MIN "clean: always\n"), 5, 8,
                 "expected never or after-run for clean"));
}

static void job_load__forms_label_keys__stored_or_refused(void)
{
    const char *t = MIN "forms:\n  labels_lang: eng\n  guess_charset: false\n";
    write_job(t, strlen(t));
    Job *job = job_load(jobpath);
    CHECK(job && !strcmp(job->forms.labels_lang, "eng") &&
          job->forms.guess_charset == 0);
    job_destroy(&job);
    write_job(MIN, strlen(MIN));
    job = job_load(jobpath);
    CHECK(job && !strcmp(job->forms.labels_lang, "fra+eng") &&
          job->forms.guess_charset == 1);
    job_destroy(&job);
    CHECK(err_is(load_err(MIN "forms:\n  labels_lang: \"fra eng\"\n"), 6, 16,
                 "forms.labels_lang: expected Tesseract languages"));
    CHECK(err_is(load_err(MIN "forms:\n  labels_lang: [fra, eng]\n"), 6, 16,
                 "forms.labels_lang"));
    CHECK(err_is(load_err(MIN "forms:\n  guess_charset: maybe\n"), 6, 18,
                 "expected true or false for forms.guess_charset"));
    /* json without a template reads labels: a missing model is refused at
     * load, at the key that names it */
    CHECK(err_is(load_err(MIN "  formats: [json]\nforms:\n  labels_lang: "
                              "eng+zzq\n"),
                 7, 16, "zzq.traineddata"));
}

static void job_load__missing_required__key_named(void)
{
    CHECK(err_is(load_err("output:\n  dir: o\n"), 1, 1,
                 "missing required key 'input.paths'"));
    CHECK(err_is(load_err("input:\n  paths: [in]\noutput:\n  formats: [txt]\n"),
                 3, 1, "missing required key 'output.dir'"));
}

static void job_load__duplicate_key__both_places_named(void)
{
    CHECK(err_is(load_err(MIN "workers: 2\nworkers: 3\n"), 6, 1,
                 "duplicate key 'workers' (first at line 5, column 1)"));
    CHECK(err_is(load_err("input:\n  paths: [in]\n  paths: [in]\noutput:\n"
                          "  dir: o\n"),
                 3, 3, "duplicate key 'input.paths'"));
}

static void job_load__alias_or_anchor__refused(void)
{
    CHECK(err_is(load_err("input:\n  paths: &p [in]\noutput:\n  dir: o\n"), 2,
                 10, "anchors and aliases"));
    CHECK(err_is(load_err("x: &a [1]\ninput:\n  paths: *a\noutput:\n  dir: o\n"),
                 1, 4, "anchors and aliases"));
}

static void job_load__empty_or_garbage__refused_with_position(void)
{
    CHECK(err_is(load_err(""), 1, 1, "empty job file"));
    CHECK(err_is(load_err("# only a comment\n"), 2, 1, "empty job file"));
    CHECK(err_is(load_err("- a\n- b\n"), 1, 1, "expected a mapping"));
    CHECK(err_is(load_err("input: [unclosed\n"), 2, 1, ""));
    CHECK(err_is(load_err(MIN "---\nx: 1\n"), 5, 1, "one YAML document"));
}

static void job_load__non_utf8__refused_with_position(void)
{
    const char t[] = "name: caf\xe9\ninput:\n  paths: [in]\n";
    write_job(t, sizeof t - 1);
    Job *job = job_load(jobpath);
    CHECK(job == NULL);
    CHECK(err_is(err_get(), 1, 11, "UTF-8"));
    job_destroy(&job);
}

static void job_load__huge_scalar__refused(void)
{
    size_t n = 10000;
    char *t = malloc(n + 64);
    if (!t)
        return;
    strcpy(t, "name: ");
    memset(t + 6, 'x', n);
    strcpy(t + 6 + n, "\n");
    CHECK(err_is(load_err(t), 1, 7, "longer than"));
    free(t);
}

static void job_load__deep_nesting__refused(void)
{
    char t[512] = "name: ";
    for (int i = 0; i < 40; i++)
        strcat(t, "[");
    CHECK(err_is(load_err(t), 1, 23, "nesting deeper than"));
}

static void job_load__missing_file__errno_message(void)
{
    Job *job = job_load("/nonexistent/job.yaml");
    CHECK(job == NULL);
    CHECK(strstr(err_get(), "/nonexistent/job.yaml") != NULL);
}

/* The committed configs load (run from the source tree, as run.sh does). */
static void job_load__committed_configs__valid(void)
{
    Job *job = job_load("configs/reference.yaml");
    CHECK(job != NULL);
    if (!job)
        printf("  %s\n", err_get());
    if (job) {
        /* the reference documents the defaults: they must match */
        Job d;
        memset(&d, 0, sizeof d);
        job_init_defaults(&d);
        CHECK(job->formats == d.formats && job->workers == d.workers);
        CHECK(job->chain.binarize.method == d.chain.binarize.method);
        CHECK(job->chain.binarize.window == d.chain.binarize.window);
        CHECK_NEAR(job->chain.binarize.k, d.chain.binarize.k, 1e-6);
        CHECK(job->chain.binarize.deskew == d.chain.binarize.deskew);
        CHECK(job->chain.segment.min_speck_area == d.chain.segment.min_speck_area);
        CHECK(job->chain.segment.remove_furniture == d.chain.segment.remove_furniture);
        CHECK(job->chain.segment.split_touching == d.chain.segment.split_touching);
        CHECK_NEAR(job->chain.segment.word_gap, d.chain.segment.word_gap, 1e-6);
        CHECK(job->chain.charset == d.chain.charset);
        CHECK(job->precision == d.precision);
        CHECK(job->chain.max_pixels == d.chain.max_pixels);
        CHECK_NEAR(job->page_timeout, d.page_timeout, 0);
        CHECK(job->page_memory_mb == d.page_memory_mb);
        CHECK(job->max_pages == d.max_pages);
        CHECK_NEAR(job->lease_seconds, d.lease_seconds, 0);
        CHECK(job->clean_after_run == d.clean_after_run);
        CHECK(job->image_paths_absolute == d.image_paths_absolute);
        CHECK(!strcmp(job->forms.labels_lang, d.forms.labels_lang));
        CHECK(job->forms.guess_charset == d.forms.guess_charset);
    }
    job_destroy(&job);
    job = job_load("configs/demo.yaml");
    CHECK(job != NULL && strstr(job->output_dir, "out/demo"));
    job_destroy(&job);
}

/* msg names both paths (as real paths under dir) and says "inside". */
static int overlap_is(const char *msg, int line, int col, const char *inner,
                      const char *outer)
{
    char a[700], b[700];
    snprintf(a, sizeof a, "'%s/%s' is inside", dir, inner);
    snprintf(b, sizeof b, "'%s%s%s'", dir, outer[0] ? "/" : "", outer);
    int ok = err_is(msg, line, col, a) && strstr(msg, b) != NULL;
    if (!ok)
        printf("  want: %s ... %s\n", a, b);
    return ok;
}

static void job_load__spool_inside_input__refused_naming_both(void)
{
    CHECK(overlap_is(load_err(MIN "spool: in/spool\n"), 5, 8, "in/spool",
                     "in"));
    /* the default spool, DIR/spool/job, is inside an input "." */
    const char *msg = load_err("input:\n  paths: [.]\noutput:\n  dir: /o\n");
    CHECK(overlap_is(msg, 2, 11, "spool/job", ""));
    CHECK(msg && strstr(msg, "default spool") && strstr(msg, "set `spool:`"));
    /* an input inside the spool */
    CHECK(overlap_is(load_err("input:\n  paths: [in]\noutput:\n  dir: /o\n"
                              "spool: .\n"),
                     2, 11, "in", ""));
}

static void job_load__output_and_input_nested__refused_naming_both(void)
{
    CHECK(overlap_is(load_err("input:\n  paths: [in]\noutput:\n"
                              "  dir: in/x/../out\n"),
                     4, 8, "in/out", "in"));
    CHECK(overlap_is(load_err("input:\n  paths: [in/sub]\noutput:\n"
                              "  dir: in\n"),
                     2, 11, "in/sub", "in"));
    CHECK(overlap_is(load_err("input:\n  paths: [in]\noutput:\n  dir: in\n"),
                     4, 8, "in", "in"));
}

static void job_load__spool_and_output_nested__refused(void)
{
    CHECK(overlap_is(load_err(MIN "spool: out/sp\n"), 5, 8, "out/sp", "out"));
    CHECK(overlap_is(load_err("input:\n  paths: [in]\noutput:\n"
                              "  dir: sp/o\nspool: sp\n"),
                     4, 8, "sp/o", "sp"));
}

static void job_load__overlap_through_symlink__refused(void)
{
    /* output.dir named through a symlink that points into the input */
    char link[700], target[700];
    snprintf(target, sizeof target, "%s/in", dir);
    snprintf(link, sizeof link, "%s/alias", dir);
    unlink(link);
    CHECK(symlink(target, link) == 0);
    CHECK(overlap_is(load_err("input:\n  paths: [in]\noutput:\n"
                              "  dir: alias/out\n"),
                     4, 8, "in/out", "in"));
    unlink(link);
}

static void job_load__sibling_with_common_prefix__accepted(void)
{
    /* "in" and "inx" share a prefix but not a component */
    CHECK(load_err("input:\n  paths: [in]\noutput:\n  dir: inx\n"
                   "spool: in2/sp\n") == NULL);
}

static void out_formats_parse__list__bits(void)
{
    int f = 0;
    CHECK(out_formats_parse("txt,hocr", &f) == 0 &&
          f == (OUT_FORMAT_TXT | OUT_FORMAT_HOCR));
    CHECK(out_formats_parse("hocr", &f) == 0 && f == OUT_FORMAT_HOCR);
    CHECK(out_formats_parse("djvu", &f) == -1 && strstr(err_get(), "djvu"));
    CHECK(out_formats_parse("hocr,pdf", &f) == 0 &&
          f == (OUT_FORMAT_HOCR | OUT_FORMAT_PDF));
    CHECK(out_formats_parse("", &f) == -1);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/jobtest.%ld", test_tmpdir(), (long)getpid());
    mkdir(dir, 0777);
    char in[600];
    snprintf(in, sizeof in, "%s/in", dir);
    mkdir(in, 0777);
    char sub[700];
    snprintf(sub, sizeof sub, "%s/sub", in);
    mkdir(sub, 0777);
    snprintf(jobpath, sizeof jobpath, "%s/job.yaml", dir);

    RUN(job_load__minimal__defaults_and_relative_paths);
    RUN(job_load__every_key__values_stored);
    RUN(job_load__lexicon__path_resolved_and_freed);
    RUN(job_load__unknown_key__names_key_and_expected);
    RUN(job_load__wrong_type__expected_type_named);
    RUN(job_load__bad_value__range_or_choices_named);
    RUN(job_load__forms_label_keys__stored_or_refused);
    RUN(job_load__missing_required__key_named);
    RUN(job_load__duplicate_key__both_places_named);
    RUN(job_load__alias_or_anchor__refused);
    RUN(job_load__empty_or_garbage__refused_with_position);
    RUN(job_load__non_utf8__refused_with_position);
    RUN(job_load__huge_scalar__refused);
    RUN(job_load__deep_nesting__refused);
    RUN(job_load__missing_file__errno_message);
    RUN(job_load__committed_configs__valid);
    RUN(job_load__spool_inside_input__refused_naming_both);
    RUN(job_load__output_and_input_nested__refused_naming_both);
    RUN(job_load__spool_and_output_nested__refused);
    RUN(job_load__overlap_through_symlink__refused);
    RUN(job_load__sibling_with_common_prefix__accepted);
    RUN(out_formats_parse__list__bits);

    unlink(jobpath);
    rmdir(sub);
    rmdir(in);
    rmdir(dir);
    TEST_EXIT();
}
