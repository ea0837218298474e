/*
 * main.c - the inkpipe command line: dispatch argv[1] to a subcommand
 * (cli.h), `inkpipe help [COMMAND]`.
 *
 * Design: process-wide settings are made here once: OpenBLAS runs one
 * thread per process (parallelism comes from worker processes: see
 * blas_one_thread), and
 * Leptonica's own stderr messages are silenced (every failure is reported
 * by inkpipe with its file and page; LEPT_MSG_SEVERITY overrides), and the
 * environment is read, once, into cli_env() (env.c).
 * Memory: a page's big buffers (the decoded page, thresholds, the CNN's
 * scratch) are tens of MB. glibc would mmap and munmap each of them, so
 * every page touched fresh memory again, and on a virtual machine a 4 KiB
 * page fault costs ~10-15 us (docs/bench.md). Buffers up to 32 MB (glibc's
 * largest mmap threshold) come from the heap instead, and the heap is not
 * trimmed, so the stage process reuses the same pages for every page.
 */
#include <cblas.h>
#include <dlfcn.h>
#include <leptonica/allheaders.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/err.h"
#include "input/page.h"

#ifndef INKPIPE_VERSION
#define INKPIPE_VERSION "unknown"
#endif

typedef struct {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} Command;

static void usage(FILE *fp, const Command *cmds, int n)
{
    fprintf(fp, "usage: inkpipe COMMAND [ARGS]\n\n"
                "Scanned pages of handprinted text in; UTF-8 text and hOCR "
                "out.\n\ncommands:\n");
    for (int i = 0; i < n; i++)
        fprintf(fp, "  %-9s %s\n", cmds[i].name, cmds[i].summary);
    fprintf(fp, "\n`inkpipe COMMAND --help` or `inkpipe help COMMAND` "
                "describes one command; `inkpipe --version` the build.\n");
}

/* A library warning of a page read that succeeded, on one line with the
 * file and page (page_set_warning_handler). */
static void print_page_warning(const char *path, int page, const char *text)
{
    if (page >= 0)
        fprintf(stderr, "inkpipe: %s page %d: warning: %s\n", path, page + 1,
                text);
    else
        fprintf(stderr, "inkpipe: %s: warning: %s\n", path, text);
}

/* One OpenBLAS thread. The pthreads build of OpenBLAS (Debian's default)
 * starts its thread pool in a library constructor, before main, unless
 * OPENBLAS_NUM_THREADS says 1; lowering the count afterwards leaves the
 * pool's threads spinning on sched_yield for ~0.1 s (measured 58 ms of CPU
 * in every `inkpipe run`, 5 % of a 10-page job). So the pool is also shut
 * down, with the call OpenBLAS's own fork handler makes, looked up by name
 * because the serial and OpenMP builds may not have it. */
static void blas_one_thread(void)
{
    openblas_set_num_threads(1);
    int (*shutdown)(void);
    *(void **)&shutdown = dlsym(RTLD_DEFAULT, "blas_thread_shutdown_");
    if (shutdown)
        shutdown();
}

int main(int argc, char **argv)
{
    const Command cmds[] = {
        {"run", cmd_run, "run a job to the end with N workers"},
        {"submit", cmd_submit, "only enqueue a job's input files"},
        {"work", cmd_work, "one worker on a job's spool"},
        {"status", cmd_status, "queued / running / done / failed per stage"},
        {"retry", cmd_retry, "put failed items back in their queues"},
        {"clean", cmd_clean, "remove the spool files of finished pages"},
        {"ocr", cmd_ocr, "OCR image files now, no job file"},
        {"classify", cmd_classify, "classify single glyph images"},
        {"train", cmd_train, "train the glyph classifier"},
        {"eval", cmd_eval, "evaluate a model on labelled glyphs"},
        {"slurm", cmd_slurm, "run a job's workers as a Slurm array"},
        {"review", cmd_review, "an HTML page to check and correct a job"},
    };
    const int n = (int)(sizeof cmds / sizeof cmds[0]);

    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    blas_one_thread();
    page_messages_init();
    page_set_warning_handler(print_page_warning);
    if (!getenv("LEPT_MSG_SEVERITY"))
        setMsgSeverity(L_SEVERITY_NONE);
    if (cli_env_load() < 0) {
        fprintf(stderr, "inkpipe: %s\n", err_get());
        return 2;
    }

    if (argc < 2) {
        usage(stderr, cmds, n);
        return 2;
    }
    const char *name = argv[1];
    int help = 0;
    if (!strcmp(name, "--version") || !strcmp(name, "version")) {
        printf("inkpipe %s\n", INKPIPE_VERSION);
        return 0;
    }
    if (!strcmp(name, "help") || !strcmp(name, "--help") ||
        !strcmp(name, "-h")) {
        if (argc < 3) {
            usage(stdout, cmds, n);
            return 0;
        }
        name = argv[2];
        help = 1;
    }
    for (int i = 0; i < n; i++) {
        if (strcmp(name, cmds[i].name))
            continue;
        if (help) {
            char *hargv[] = {argv[2], "--help", NULL};
            return cmds[i].fn(2, hargv);
        }
        return cmds[i].fn(argc - 1, argv + 1);
    }
    fprintf(stderr, "inkpipe: unknown command '%s'\n", name);
    usage(stderr, cmds, n);
    return 2;
}
