/*
 * cli.h - the inkpipe subcommands. main.c dispatches argv[1] to one of these;
 * each gets argc/argv starting at the subcommand name, prints its own
 * --help, and returns the process exit code (0 ok, 1 some inputs failed,
 * 2 bad usage or bad job file, 3 some pages failed).
 *
 * Files: main.c (dispatch, `inkpipe help`), env.c (the environment, read
 * once), cli.c (the default model), cmd_job.c (run, submit, work, status,
 * retry, clean), cmd_ocr.c, cmd_classify.c, cmd_train.c (train, eval),
 * cmd_slurm.c, cmd_review.c.
 *
 * Design: the top layer. A command parses its arguments, calls the
 * libraries below (pipeline/, chain/, train/, recognize/ ...) and prints;
 * it holds no logic of its own that another command or a test would need.
 */
#ifndef INKPIPE_CLI_H
#define INKPIPE_CLI_H

#include "recognize/recognize.h"

/* Every INKPIPE_* variable the program honours, read once by main(). */
typedef struct {
    const char *model;      /* INKPIPE_MODEL: the default model file */
    RecPrecision precision; /* INKPIPE_PRECISION: fp32|int8|auto (auto) */
    const char *fault;      /* INKPIPE_FAULT: test hook (worker.h) */
    const char *trace;      /* INKPIPE_TRACE: test hook (worker.h) */
    const char *timings;    /* INKPIPE_TIMINGS: per-item times (worker.h) */
    /* INKPIPE_FSYNC=0 (fs_set_sync), INKPIPE_HOST (queue_set_host) and
     * INKPIPE_NO_VNNI=1 (rec_qgemm_skip_vnni) go straight to their
     * libraries */
} CliEnv;

/* Read the environment (main does, once). Returns 0 or -1 (message). */
int cli_env_load(void);
const CliEnv *cli_env(void);

int cmd_run(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_work(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_retry(int argc, char **argv);
int cmd_clean(int argc, char **argv);
int cmd_ocr(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_slurm(int argc, char **argv);
int cmd_review(int argc, char **argv);

/* Path of the default model: $INKPIPE_MODEL, else models/inkpipe.model next
 * to the binary (source tree), else PREFIX/share/inkpipe/inkpipe.model
 * relative to the binary, else INKPIPE_PREFIX/share/inkpipe/inkpipe.model.
 * Returns a static string (never NULL; may name a file that does not exist). */
const char *cli_default_model_path(void);
/* The language model that goes with a classifier: en-fr.lm next to it,
 * else next to the installed model; NULL when there is none. Static
 * buffer. */
const char *cli_lm_path(const char *model);

#endif
