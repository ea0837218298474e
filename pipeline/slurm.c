/*
 * slurm.c - the Slurm side of `inkpipe slurm`: checks, script, sbatch, squeue.
 *
 * Design (see slurm.h): an array task is nothing but a group of ordinary
 * queue workers, so this file only has to (1) check what will be written on
 * #SBATCH lines, (2) write a script a person can read and resubmit by hand,
 * (3) run sbatch / squeue without a shell and with a bounded wait, and
 * (4) remember which Slurm jobs were submitted for a spool, so that
 * `inkpipe slurm wait` can tell "still running" from "nothing left that
 * could finish the work".
 * Ownership: nothing here keeps state between calls; strings in SlurmSpec
 * and SlurmScriptInfo are borrowed. Not thread-safe (fork, SIGPIPE-free
 * pipes), which the CLI does not need.
 */
#include "pipeline/slurm.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/err.h"

/* Characters that may appear on an #SBATCH line unquoted. */
static int slurm__plain(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= ' ' || c == '"' || c == '\'' || c == '\\' || c == 0x7f)
            return 0;
    }
    return 1;
}

static int slurm__digits(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/**
 * Check a Slurm time limit.
 *
 * @param[in] s  "HH:MM:SS", or any form sbatch --time takes: "MM",
 *               "MM:SS", "HH:MM:SS", "D-HH", "D-HH:MM", "D-HH:MM:SS"
 * @return 0, or -1 (message in err_get()) when s is not one of those forms
 *
 * Notes:
 *   (1) Fields after the first must have two digits and be below 60, so a
 *       typo such as "1:5" or "1:75:00" is caught before Slurm sees it.
 */
int slurm_time_check(const char *s)
{
    const char *p = s;
    const char *dash = strchr(s, '-');
    int fields = 0;

    if (dash) {
        if (!slurm__digits(s, (size_t)(dash - s)))
            goto bad;
        p = dash + 1;
    }
    for (;;) {
        size_t n = strcspn(p, ":");
        if (!slurm__digits(p, n))
            goto bad;
        if (fields > 0 && (n != 2 || (p[0] - '0') * 10 + (p[1] - '0') >= 60))
            goto bad;
        fields++;
        if (p[n] == '\0')
            break;
        p += n + 1;
    }
    if (fields > 3)
        goto bad;
    return 0;
bad:
    return err_set("time limit '%s': expected HH:MM:SS (or D-HH:MM:SS, or "
                   "minutes)", s);
}

/**
 * Check one extra sbatch option for an #SBATCH line.
 *
 * @param[in] opt  e.g. "--account=ocr" or "--qos=low"
 * @return 0, or -1 (message in err_get()) if it does not start with '-' or
 *         holds whitespace, quotes, a backslash or a control character
 */
int slurm_option_check(const char *opt)
{
    if (opt[0] != '-' || opt[1] == '\0')
        return err_set("sbatch option '%s': expected an option such as "
                       "--account=NAME", opt);
    if (!slurm__plain(opt))
        return err_set("sbatch option '%s': no spaces, quotes or backslashes "
                       "allowed (write --opt=value)", opt);
    return 0;
}

/**
 * Check a partition name.
 *
 * @param[in] name  e.g. "batch"
 * @return 0, or -1 (message in err_get()) unless it is a non-empty run of
 *         letters, digits and _ . , -
 */
int slurm_partition_check(const char *name)
{
    const char *p = name;
    if (!*p)
        return err_set("empty partition name");
    for (; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_.,-", *p))
            return err_set("partition '%s': expected a partition name "
                           "(letters, digits, _ . , -)", name);
    return 0;
}

/**
 * Split a space-separated list of sbatch options (the job file's
 * slurm.sbatch) and check each with slurm_option_check().
 *
 * @param[in]  list   e.g. "--account=ocr --qos=low"
 * @param[out] pargs  [optional] new NULL-terminated array of new strings
 *                    (caller frees with slurm_options_free())
 * @param[out] pn     [optional] number of options
 * @return 0, or -1 (message in err_get()) on a bad option
 */
int slurm_options_split(const char *list, char ***pargs, int *pn)
{
    char **args = NULL;
    int n = 0;
    const char *p = list;

    if (pargs)
        *pargs = NULL;
    if (pn)
        *pn = 0;
    for (;;) {
        size_t len;
        char *opt, **grown;

        p += strspn(p, " \t");
        if (!*p)
            break;
        len = strcspn(p, " \t");
        opt = strndup(p, len);
        if (!opt) {
            slurm_options_free(&args);
            return err_set("out of memory");
        }
        if (slurm_option_check(opt) < 0) {
            free(opt);
            slurm_options_free(&args);
            return -1;
        }
        grown = realloc(args, ((size_t)n + 2) * sizeof *args);
        if (!grown) {
            free(opt);
            slurm_options_free(&args);
            return err_set("out of memory");
        }
        args = grown;
        args[n++] = opt;
        args[n] = NULL;
        p += len;
    }
    if (pargs)
        *pargs = args;
    else
        slurm_options_free(&args);
    if (pn)
        *pn = n;
    return 0;
}

/* Free what slurm_options_split() returned; sets *pargs = NULL. */
void slurm_options_free(char ***pargs)
{
    if (!pargs || !*pargs)
        return;
    for (char **a = *pargs; *a; a++)
        free(*a);
    free(*pargs);
    *pargs = NULL;
}

/* slurm_options_split() as a check only (for the job file schema). */
int slurm_options_check(const char *list)
{
    return slurm_options_split(list, NULL, NULL);
}

/**
 * Check the value of a job file's slurm.partition / slurm.time /
 * slurm.sbatch key (called by the job file schema in job.c).
 *
 * @param[in] key    the dotted key, e.g. "slurm.time"
 * @param[in] value  its string value
 * @return 0, or -1 (message in err_get(); the caller adds file:line:col)
 */
int slurm_job_value_check(const char *key, const char *value)
{
    if (!strcmp(key, "slurm.partition"))
        return slurm_partition_check(value);
    if (!strcmp(key, "slurm.time"))
        return slurm_time_check(value);
    if (!strcmp(key, "slurm.sbatch"))
        return slurm_options_check(value);
    return 0;
}

/**
 * Check a SlurmSpec before anything is written or submitted.
 *
 * @param[in] spec  what to ask for
 * @return 0, or -1 (message in err_get()) naming the bad value
 */
int slurm_spec_check(const SlurmSpec *spec)
{
    if (spec->tasks < 1)
        return err_set("--tasks %d: expected at least 1", spec->tasks);
    if (spec->nodes < 0)
        return err_set("--nodes %d: expected at least 1", spec->nodes);
    if (spec->cpus_per_task < 1)
        return err_set("--cpus-per-task %d: expected at least 1",
                       spec->cpus_per_task);
    if (spec->partition && slurm_partition_check(spec->partition) < 0)
        return -1;
    if (spec->time && slurm_time_check(spec->time) < 0)
        return -1;
    for (int i = 0; i < spec->n_sbatch_args; i++)
        if (slurm_option_check(spec->sbatch_args[i]) < 0)
            return -1;
    return 0;
}

/* Write s single-quoted for sh: every ' becomes '\''. */
static void slurm__sh_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputs("'\\''", f);
        else
            fputc(*s, f);
    }
    fputc('\'', f);
}

/* Write s into a comment line: a control character (a newline would end
 * the comment and turn the rest into a command) is written as '?'. */
static void slurm__comment(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        fputc(c < ' ' || c == 0x7f ? '?' : c, f);
    }
}

/* Like slurm__sh_quote, for a comment (control characters as '?'). */
static void slurm__comment_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\'')
            fputs("'\\''", f);
        else
            fputc(c < ' ' || c == 0x7f ? '?' : c, f);
    }
    fputc('\'', f);
}

/* Write a name for --job-name: anything but [A-Za-z0-9_.-] becomes '_'. */
static void slurm__name(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        fputc(isalnum(c) || c == '_' || c == '.' || c == '-' ? c : '_', f);
    }
}

/**
 * Write the sbatch script for a job.
 *
 * @param[in] f     where to write
 * @param[in] spec  what to ask Slurm for (checked with slurm_spec_check)
 * @param[in] info  paths and names the script uses
 * @return 0, or -1 (message in err_get()) if the log folder cannot be put on
 *         an #SBATCH line (it holds a double quote, backslash or newline) or
 *         a write fails
 *
 * Notes:
 *   (1) The task body is `exec srun inkpipe work JOB --exit-when-idle`
 *       with --ntasks-per-node = cpus_per_task and --cpus-per-task=1, so
 *       srun starts exactly one single-threaded worker per CPU on every
 *       node of the task.
 *   (2) The log path goes on an #SBATCH line inside double quotes (sbatch
 *       strips them); '%' in it is doubled because sbatch expands %A, %a...
 */
int slurm_script_write(FILE *f, const SlurmSpec *spec,
                       const SlurmScriptInfo *info)
{
    const char *p;

    for (p = info->log_dir; *p; p++)
        if (*p == '"' || *p == '\\' || *p == '\n' || *p == '\r')
            return err_set("%s: a Slurm log folder cannot hold quotes, "
                           "backslashes or newlines", info->log_dir);

    fprintf(f, "#!/bin/sh\n");
    fprintf(f, "# inkpipe job ");
    slurm__comment(f, info->job_name);
    fprintf(f, " as a Slurm job array (written by `inkpipe slurm submit`).\n#\n");
    fprintf(f, "# Each of the %d array task(s) takes %d node(s) and starts "
               "one `inkpipe work\n", spec->tasks,
            spec->nodes > 0 ? spec->nodes : 1);
    fprintf(f, "# --exit-when-idle` per CPU (%d per node, started by srun). "
               "The workers share\n", spec->cpus_per_task);
    fprintf(f,
            "# the job's on-disk queues in the spool: each page is claimed "
            "by an atomic\n"
            "# rename, so tasks may start in any order, die (scancel, lost "
            "node) or find\n"
            "# nothing left to do (they exit 0 at once) without a page being "
            "lost or done\n"
            "# twice. The claims of a dead worker are taken over by other "
            "workers: at once\n"
            "# on the same host, after the job's lease.seconds from another "
            "host.\n"
            "# Requires: the spool and output folders on a filesystem that "
            "every node\n"
            "# mounts, with atomic rename() (NFSv4, Lustre, CephFS, GPFS); "
            "see docs/slurm.md.\n#\n");
    fprintf(f, "#   job file: ");
    slurm__comment(f, info->job_path);
    fprintf(f, "\n#   spool:    ");
    slurm__comment(f, info->spool);
    fprintf(f, "\n#   logs:     ");
    slurm__comment(f, info->log_dir);
    fprintf(f, "\n#\n");
    fprintf(f, "# Submitted as: sbatch --parsable");
    for (int i = 0; i < info->n_submit_argv; i++) {
        fputc(' ', f);
        slurm__comment_quote(f, info->submit_argv[i]);
    }
    fprintf(f, " THIS_SCRIPT\n");
    fprintf(f, "# Watch: inkpipe status JOB   Wait: inkpipe slurm wait JOB\n");
    fprintf(f, "# More tasks later: inkpipe slurm submit JOB (submits nothing "
               "when the job is done)\n#\n");

    fprintf(f, "#SBATCH --job-name=inkpipe-");
    slurm__name(f, info->job_name);
    fprintf(f, "\n#SBATCH --array=0-%d\n", spec->tasks - 1);
    if (spec->nodes > 0)
        fprintf(f, "#SBATCH --nodes=%d\n", spec->nodes);
    fprintf(f, "#SBATCH --ntasks-per-node=%d\n", spec->cpus_per_task);
    fprintf(f, "#SBATCH --cpus-per-task=1\n");
    if (spec->partition)
        fprintf(f, "#SBATCH --partition=%s\n", spec->partition);
    if (spec->time)
        fprintf(f, "#SBATCH --time=%s\n", spec->time);
    /* A task on a node that is lost runs again elsewhere: it is one more
     * worker, which the queues make harmless. Append, so its log is kept. */
    fprintf(f, "#SBATCH --requeue\n#SBATCH --open-mode=append\n");
    fprintf(f, "#SBATCH --output=\"");
    for (p = info->log_dir; *p; p++) {
        if (*p == '%')
            fputc('%', f);
        fputc(*p, f);
    }
    fprintf(f, "/%%A_%%a.log\"\n");
    for (int i = 0; i < spec->n_sbatch_args; i++)
        fprintf(f, "#SBATCH %s\n", spec->sbatch_args[i]);

    fprintf(f, "\nset -u\n");
    fprintf(f, "# One BLAS thread per worker: the parallelism is the workers.\n");
    fprintf(f, "export OPENBLAS_NUM_THREADS=1\n");
    fprintf(f, "inkpipe=");
    slurm__sh_quote(f, info->inkpipe);
    fprintf(f, "\njob=");
    slurm__sh_quote(f, info->job_path);
    fprintf(f, "\necho \"inkpipe: array task ${SLURM_ARRAY_TASK_ID:-?} of "
               "job ${SLURM_ARRAY_JOB_ID:-?} on $(hostname):"
               " ${SLURM_NTASKS:-1} worker(s)\"\n");
    fprintf(f, "exec srun --kill-on-bad-exit=0 \"$inkpipe\" work \"$job\" "
               "--exit-when-idle\n");
    if (ferror(f))
        return err_set("writing the sbatch script failed");
    return 0;
}

/**
 * Write the sbatch script to a file, atomically (temp file + rename).
 *
 * @param[in] path  where the script goes (mode 0755)
 * @param[in] spec  see slurm_script_write()
 * @param[in] info  see slurm_script_write()
 * @return 0, or -1 (message in err_get())
 */
int slurm_script_save(const char *path, const SlurmSpec *spec,
                      const SlurmScriptInfo *info)
{
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    FILE *f = NULL;
    int fd = -1;

    if (!tmp)
        return err_set("out of memory");
    snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
              0755);
    if (fd < 0) {
        err_set_errno("%s", tmp);
        goto fail;
    }
    f = fdopen(fd, "w");
    if (!f) {
        err_set_errno("%s", tmp);
        close(fd);
        goto fail;
    }
    if (slurm_script_write(f, spec, info) < 0) {
        err_prefix("%s", path);
        goto fail;
    }
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        err_set_errno("%s", tmp);
        goto fail;
    }
    if (fclose(f) != 0) {
        f = NULL;
        err_set_errno("%s", tmp);
        goto fail;
    }
    f = NULL;
    if (rename(tmp, path) != 0) {
        err_set_errno("%s", path);
        goto fail;
    }
    free(tmp);
    return 0;
fail:
    if (f)
        fclose(f);
    unlink(tmp);
    free(tmp);
    return -1;
}

/*
 * Run argv (no shell) and collect its stdout (and stderr too when
 * merge_stderr) into out (NUL-terminated, truncated to cap - 1 bytes).
 * Waits at most timeout seconds, then kills the child. *pstatus gets the
 * waitpid status. Returns 0, or -1 when the program could not be started,
 * did not finish in time, or was killed.
 */
static int slurm__run(const char *const *argv, int merge_stderr, char *out,
                      size_t cap, double timeout, int *pstatus)
{
    int fds[2], errfds[2], status = 0, err_no = 0;
    size_t len = 0;
    double deadline = clock_mono_s() + timeout;
    pid_t pid;
    ssize_t r;

    if (pipe(fds) != 0)
        return err_set_errno("%s: pipe", argv[0]);
    /* A second, close-on-exec pipe carries errno back if exec fails. */
    if (pipe(errfds) != 0) {
        close(fds[0]);
        close(fds[1]);
        return err_set_errno("%s: pipe", argv[0]);
    }
    fcntl(errfds[1], F_SETFD, FD_CLOEXEC);
    pid = fork();
    if (pid < 0) {
        err_set_errno("%s: fork", argv[0]);
        close(fds[0]);
        close(fds[1]);
        close(errfds[0]);
        close(errfds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        close(errfds[0]);
        dup2(fds[1], STDOUT_FILENO);
        if (merge_stderr)
            dup2(fds[1], STDERR_FILENO);
        close(fds[1]);
        execvp(argv[0], (char *const *)argv);
        err_no = errno;
        if (write(errfds[1], &err_no, sizeof err_no) < 0) {
            /* nothing more to do: the parent reports exit 127 */
        }
        _exit(127);
    }
    close(fds[1]);
    close(errfds[1]);

    for (;;) {
        double left = deadline - clock_mono_s();
        struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
        char buf[512];
        int pr;

        if (left <= 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            close(fds[0]);
            close(errfds[0]);
            return err_set("%s: no answer after %.0f s (killed)", argv[0],
                           timeout);
        }
        pr = poll(&pfd, 1, (int)(left * 1000) + 1);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            continue;
        r = read(fds[0], buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        for (ssize_t i = 0; i < r && len + 1 < cap; i++)
            out[len++] = buf[i];
    }
    out[len] = '\0';
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    r = read(errfds[0], &err_no, sizeof err_no);
    close(errfds[0]);
    if (r == (ssize_t)sizeof err_no) {
        errno = err_no;
        return err_set_errno("cannot run %s", argv[0]);
    }
    if (WIFSIGNALED(status))
        return err_set("%s: killed by signal %d", argv[0], WTERMSIG(status));
    *pstatus = status;
    return 0;
}

/**
 * Submit a script with sbatch (fork/exec, no shell) and read the job id.
 *
 * @param[in]  sbatch   the sbatch program ("sbatch", found on PATH)
 * @param[in]  script   the script to submit
 * @param[in]  extra    [optional] more sbatch arguments, placed before the
 *                      script (they override its #SBATCH lines)
 * @param[in]  n_extra  number of extra arguments
 * @param[in]  timeout  seconds to wait for sbatch before killing it
 * @param[out] pjobid   the Slurm job id
 * @return 0, or -1 (message in err_get()) if sbatch cannot be run, fails
 *         (its own message has gone to stderr) or prints no job id
 *
 * Notes:
 *   (1) Runs `sbatch --parsable EXTRA... SCRIPT`; --parsable prints
 *       "ID" or "ID;CLUSTER".
 */
int slurm_sbatch(const char *sbatch, const char *script,
                 const char *const *extra, int n_extra, double timeout,
                 long *pjobid)
{
    const char **argv = calloc((size_t)n_extra + 4, sizeof *argv);
    char out[512], *end;
    int status = 0, n = 0;
    long id;

    if (!argv)
        return err_set("out of memory");
    argv[n++] = sbatch;
    argv[n++] = "--parsable";
    for (int i = 0; i < n_extra; i++)
        argv[n++] = extra[i];
    argv[n++] = script;
    argv[n] = NULL;
    if (slurm__run(argv, 0, out, sizeof out, timeout, &status) < 0) {
        free(argv);
        return -1;
    }
    free(argv);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return err_set("%s failed (exit %d); nothing was submitted", sbatch,
                       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    errno = 0;
    id = strtol(out, &end, 10);
    if (errno || end == out || id <= 0 ||
        (*end != '\0' && *end != ';' && *end != '\n'))
        return err_set("%s: expected a job id, got '%.60s'", sbatch, out);
    *pjobid = id;
    return 0;
}

/**
 * Ask squeue whether any task of a Slurm job is still pending or running.
 *
 * @param[in]  squeue   the squeue program ("squeue", found on PATH)
 * @param[in]  jobid    a job id returned by slurm_sbatch()
 * @param[in]  timeout  seconds to wait for squeue
 * @param[out] pactive  1 if some task is pending/running/completing, else 0
 * @return 0, or -1 (message in err_get()) if squeue cannot be asked
 *
 * Notes:
 *   (1) A job that slurmctld has already forgotten (past MinJobAge) makes
 *       squeue fail with "Invalid job id"; that means not active.
 */
int slurm_job_active(const char *squeue, long jobid, double timeout,
                     int *pactive)
{
    char idbuf[32], out[4096];
    const char *argv[] = {squeue, "-h", "-o", "%i", "-j", idbuf, NULL};
    int status = 0;

    snprintf(idbuf, sizeof idbuf, "%ld", jobid);
    if (slurm__run(argv, 1, out, sizeof out, timeout, &status) < 0)
        return -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        *pactive = out[strspn(out, " \t\r\n")] != '\0';
        return 0;
    }
    if (strstr(out, "Invalid job id")) {
        *pactive = 0;
        return 0;
    }
    out[strcspn(out, "\n")] = '\0';
    return err_set("%s -j %ld failed: %s", squeue, jobid, out);
}

/**
 * Record a submitted job id (one line per submission, appended).
 *
 * @param[in] path   the record file (created if missing)
 * @param[in] jobid  the id to add
 * @return 0, or -1 (message in err_get())
 */
int slurm_jobids_append(const char *path, long jobid)
{
    char line[32];
    int n = snprintf(line, sizeof line, "%ld\n", jobid);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
                  0644);

    if (fd < 0)
        return err_set_errno("%s", path);
    if (write(fd, line, (size_t)n) != n) {
        err_set_errno("%s", path);
        close(fd);
        return -1;
    }
    if (close(fd) != 0)
        return err_set_errno("%s", path);
    return 0;
}

/**
 * Read the job ids recorded by slurm_jobids_append().
 *
 * @param[in]  path  the record file; a missing file means no ids
 * @param[out] pids  new array of ids (caller frees; NULL when none)
 * @param[out] pn    number of ids
 * @return 0, or -1 (message in err_get(), with the line number) on a line
 *         that is not a job id or a read error
 */
int slurm_jobids_load(const char *path, long **pids, int *pn)
{
    FILE *f = fopen(path, "r");
    char line[64];
    long *ids = NULL;
    int n = 0, lineno = 0;

    *pids = NULL;
    *pn = 0;
    if (!f)
        return errno == ENOENT ? 0 : err_set_errno("%s", path);
    while (fgets(line, sizeof line, f)) {
        char *end;
        long id, *grown;

        lineno++;
        errno = 0;
        id = strtol(line, &end, 10);
        if (errno || end == line || id <= 0 || (*end != '\n' && *end))
            goto bad;
        grown = realloc(ids, ((size_t)n + 1) * sizeof *ids);
        if (!grown) {
            err_set("out of memory");
            goto fail;
        }
        ids = grown;
        ids[n++] = id;
    }
    if (ferror(f)) {
        err_set_errno("%s", path);
        goto fail;
    }
    fclose(f);
    *pids = ids;
    *pn = n;
    return 0;
bad:
    err_set("%s:%d: expected a Slurm job id", path, lineno);
fail:
    fclose(f);
    free(ids);
    return -1;
}
