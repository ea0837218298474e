/*
 * env.c - the environment, read once (cli.h).
 *
 * Design: main() calls cli_env_load() before any command runs; it is the
 * only place in the program (libraries included) that reads INKPIPE_*
 * variables. What belongs to one library is handed to it here
 * (fs_set_sync, queue_set_host); the rest is kept in one CliEnv value that
 * the commands read with cli_env() and pass down in their options.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/err.h"
#include "common/fsutil.h"
#include "pipeline/queue.h"

static CliEnv env;

static const char *var(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/**
 * Read the environment into the process-wide CliEnv and apply what belongs
 * to the libraries.
 *
 * @return 0, or -1 when a variable has a value that means nothing
 *         (message names it)
 */
int cli_env_load(void)
{
    memset(&env, 0, sizeof env);
    env.model = var("INKPIPE_MODEL");
    env.fault = var("INKPIPE_FAULT");
    env.trace = var("INKPIPE_TRACE");
    env.timings = var("INKPIPE_TIMINGS");
    const char *fs = var("INKPIPE_FSYNC");
    fs_set_sync(!(fs && !strcmp(fs, "0")));
    queue_set_host(var("INKPIPE_HOST"));
    const char *nv = var("INKPIPE_NO_VNNI");
    rec_qgemm_skip_vnni(nv && strcmp(nv, "0") != 0);
    env.precision = REC_PRECISION_AUTO;
    const char *p = var("INKPIPE_PRECISION");
    if (p && rec_precision_parse(p, &env.precision) < 0)
        return err_prefix("INKPIPE_PRECISION");
    return 0;
}

/** The environment as cli_env_load() read it. */
const CliEnv *cli_env(void) { return &env; }
