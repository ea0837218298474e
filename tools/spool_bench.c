/*
 * spool_bench.c - what one queue item costs on a filesystem (for sizing a
 * shared spool; see docs/slurm.md).
 *
 *   build/tools/spool_bench DIR [--items N] [--workers W] [--keep]
 *
 * Design: makes a fresh queue under DIR (pipeline/queue.h, the very code the
 * workers use), enqueues N items shaped like the pipeline's page items, then
 * forks W processes that each claim, heartbeat and complete items until the
 * queue is empty, the life of one item in one stage without the stage's own
 * work. Prints the time per enqueue, per claim+heartbeat+complete as seen
 * by one worker, and the items per second all W workers together get
 * through. Run it on the shared filesystem a cluster would use (an NFS or
 * Lustre mount) to see what the spool will cost there; $INKPIPE_FSYNC=0
 * shows how much of it is fsync. The queue is removed afterwards unless
 * --keep.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/fsutil.h"
#include "common/rng.h"
#include "pipeline/queue.h"

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: spool_bench DIR [--items N] [--workers W] [--keep]\n"
               "Time the queue operations of one pipeline stage on the\n"
               "filesystem holding DIR (a fresh queue is made under it).\n");
}

/* One worker: claim, heartbeat, complete until the queue is empty. Writes
 * "count seconds" to fd. */
static int bench_worker(const char *qdir, int fd)
{
    Queue *q = queue_open(qdir);
    QueueItem *it = NULL;
    int n = 0, r;
    double t0;
    char line[64];

    if (!q) {
        fprintf(stderr, "spool_bench: %s\n", err_get());
        return 1;
    }
    t0 = clock_mono_s();
    while ((r = queue_claim(q, &it)) == 1) {
        if (queue_heartbeat(q, it) < 0 || queue_complete(q, it) < 0) {
            fprintf(stderr, "spool_bench: %s\n", err_get());
            queue_item_destroy(&it);
            queue_destroy(&q);
            return 1;
        }
        queue_item_destroy(&it);
        n++;
    }
    if (r < 0) {
        fprintf(stderr, "spool_bench: %s\n", err_get());
        queue_destroy(&q);
        return 1;
    }
    snprintf(line, sizeof line, "%d %.9f\n", n, clock_mono_s() - t0);
    if (write(fd, line, strlen(line)) < 0) {
        queue_destroy(&q);
        return 1;
    }
    queue_destroy(&q);
    return 0;
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    int items = 1000, workers = 1, keep = 0, fds[2], failed = 0, total = 0;
    double t0, t_enq, t_all, busy = 0;
    char qdir[4096], key[64], text[256];
    Queue *q;
    FILE *res;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--items") && i + 1 < argc)
            items = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--workers") && i + 1 < argc)
            workers = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--keep"))
            keep = 1;
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] != '-' && !dir)
            dir = argv[i];
        else {
            usage(stderr);
            return 2;
        }
    }
    if (!dir || items < 1 || workers < 1 || workers > 256) {
        usage(stderr);
        return 2;
    }
    snprintf(qdir, sizeof qdir, "%s/spool-bench-%ld", dir, (long)getpid());
    if (fs_mkdirs(dir) < 0 || !(q = queue_open(qdir))) {
        fprintf(stderr, "spool_bench: %s\n", err_get());
        return 1;
    }
    /* Items shaped like the pipeline's: a hashed key, a few fields. */
    t0 = clock_mono_s();
    for (int i = 0; i < items; i++) {
        snprintf(key, sizeof key, "f%016llx-p%04d",
                 (unsigned long long)rng_mix((uint64_t)i, 0), 1);
        snprintf(text, sizeof text,
                 "src=/data/scans/box%03d/f%06d.tif\npage=1\nxres=300\n",
                 i / 1000, i);
        if (queue_enqueue(q, key, text) < 0) {
            fprintf(stderr, "spool_bench: %s\n", err_get());
            queue_destroy(&q);
            return 1;
        }
    }
    t_enq = clock_mono_s() - t0;
    queue_destroy(&q);

    if (pipe(fds) != 0) {
        perror("spool_bench: pipe");
        return 1;
    }
    t0 = clock_mono_s();
    for (int w = 0; w < workers; w++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("spool_bench: fork");
            return 1;
        }
        if (pid == 0) {
            close(fds[0]);
            _exit(bench_worker(qdir, fds[1]));
        }
    }
    close(fds[1]);
    for (int w = 0; w < workers; w++) {
        int st;
        if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            failed++;
    }
    t_all = clock_mono_s() - t0;
    res = fdopen(fds[0], "r");
    if (res) {
        int n;
        double s;
        while (fscanf(res, "%d %lf", &n, &s) == 2) {
            total += n;
            busy += s;
        }
        fclose(res);
    }
    printf("spool_bench: %s, %d items, %d worker(s), fsync %s\n", dir, items,
           workers, fs_sync_enabled() ? "on" : "off");
    printf("  enqueue                     %8.1f us/item\n",
           t_enq / items * 1e6);
    printf("  claim+heartbeat+complete    %8.1f us/item per worker\n",
           total ? busy / total * 1e6 : 0.0);
    printf("  throughput, all workers     %8.0f items/s\n",
           t_all > 0 ? total / t_all : 0.0);
    if (total != items || failed) {
        fprintf(stderr, "spool_bench: %d of %d items completed, %d worker(s) "
                        "failed\n", total, items, failed);
        return 1;
    }
    if (!keep && nftw(qdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "spool_bench: could not remove %s\n", qdir);
    return 0;
}
