/* test_queue.c - the on-disk queue: idempotent enqueue, exclusive claims
 * across processes, stale-claim recovery (dead pid, foreign host after the
 * lease), heartbeat, fail/retry, lost enqueues, planted symlinks; fencing
 * by the claim (held check, fenced enqueue) and crash counting. */
#include "common/err.h"
#include "pipeline/queue.h"
#include "tests/unit/test.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int n_dirs;

/* A fresh queue folder for one case. */
static void fresh_dir(char *buf, size_t size)
{
    snprintf(buf, size, "%s/queuetest.%ld.%d", test_tmpdir(), (long)getpid(),
             n_dirs++);
}

static int count_files(const char *dir, const char *sub)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        n += de->d_name[0] != '.';
    closedir(d);
    return n;
}

static void queue_enqueue__same_key_twice__second_is_noop(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    Queue *q = queue_open(dir);
    CHECK(q != NULL);
    if (!q)
        return;
    CHECK(queue_enqueue(q, "a", "src=x\n") == 1);
    CHECK(queue_enqueue(q, "a", "src=y\n") == 0);
    CHECK(queue_enqueue(q, "b", "src=z\n") == 1);
    QueueCounts c;
    CHECK(queue_get_counts(q, &c) == 0);
    CHECK(c.queued == 2 && c.total == 2 && c.claimed == 0);
    /* still a no-op once the item is done */
    QueueItem *it = NULL;
    CHECK(queue_claim(q, &it) == 1);
    CHECK(it && queue_complete(q, it) == 0);
    CHECK(queue_enqueue(q, it ? it->key : "a", "src=again\n") == 0);
    CHECK(queue_get_counts(q, &c) == 0 && c.queued == 1 && c.done == 1);
    CHECK(count_files(dir, "tmp") == 0);
    queue_item_destroy(&it);
    queue_destroy(&q);
    CHECK(q == NULL);
}

static void queue_enqueue__bad_key__refused(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    Queue *q = queue_open(dir);
    CHECK(queue_enqueue(q, "../x", "") == -1);
    CHECK(strstr(err_get(), "bad queue key") != NULL);
    CHECK(queue_enqueue(q, "a~b", "") == -1);
    CHECK(queue_enqueue(q, ".hidden", "") == -1);
    queue_destroy(&q);
}

static void queue_claim__item__text_and_claim_name(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    Queue *q = queue_open(dir);
    QueueItem *it = NULL;
    CHECK(queue_claim(q, &it) == 0 && it == NULL);
    queue_enqueue(q, "k1", "src=/a/b.png\npage=3\n");
    CHECK(queue_claim(q, &it) == 1);
    if (it) {
        CHECK(strcmp(it->key, "k1") == 0);
        char *v = queue_text_get(it->text, "page");
        CHECK(v && strcmp(v, "3") == 0);
        free(v);
        v = queue_text_get(it->text, "src");
        CHECK(v && strcmp(v, "/a/b.png") == 0);
        free(v);
        CHECK(queue_text_get(it->text, "nope") == NULL);
        char want[256];
        snprintf(want, sizeof want, "k1~%s~%ld~", queue_host(),
                 (long)getpid());
        CHECK(strncmp(it->claim, want, strlen(want)) == 0);
    }
    QueueEntry *e = NULL;
    int n = 0;
    CHECK(queue_list(q, QUEUE_CLAIMED, &e, &n) == 0 && n == 1);
    if (n == 1) {
        CHECK(strcmp(e[0].key, "k1") == 0);
        CHECK(e[0].pid == (long)getpid());
        CHECK(strcmp(e[0].host, queue_host()) == 0);
        CHECK(e[0].age_s < 5);
    }
    queue_entries_destroy(&e, n);
    queue_item_destroy(&it);
    CHECK(queue_claim(q, &it) == 0 && it == NULL);
    queue_destroy(&q);
}

/* Several processes claim from one queue at once: every item is claimed by
 * exactly one of them. */
static void queue_claim__forked_claimers__each_item_once(void)
{
    enum { N_ITEMS = 200, N_PROCS = 6 };
    char dir[600], name[32];
    fresh_dir(dir, sizeof dir);
    Queue *q = queue_open(dir);
    for (int i = 0; i < N_ITEMS; i++) {
        snprintf(name, sizeof name, "item%03d", i);
        queue_enqueue(q, name, "x=1\n");
    }
    queue_destroy(&q);
    int fds[N_PROCS][2];
    pid_t pids[N_PROCS];
    for (int p = 0; p < N_PROCS; p++) {
        if (pipe(fds[p]) < 0)
            return;
        pids[p] = fork();
        if (pids[p] == 0) {
            close(fds[p][0]);
            Queue *cq = queue_open(dir);
            QueueItem *it;
            while (cq && queue_claim(cq, &it) == 1) {
                char line[64];
                int len = snprintf(line, sizeof line, "%s\n", it->key);
                if (write(fds[p][1], line, (size_t)len) != len)
                    _exit(2);
                queue_complete(cq, it);
                queue_item_destroy(&it);
            }
            queue_destroy(&cq);
            _exit(0);
        }
        close(fds[p][1]);
    }
    int seen[N_ITEMS] = {0};
    int total = 0;
    for (int p = 0; p < N_PROCS; p++) {
        FILE *fp = fdopen(fds[p][0], "r");
        char line[64];
        while (fp && fgets(line, sizeof line, fp)) {
            int i = atoi(line + 4);
            if (i >= 0 && i < N_ITEMS)
                seen[i]++;
            total++;
        }
        if (fp)
            fclose(fp);
        int st;
        waitpid(pids[p], &st, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    int once = 0;
    for (int i = 0; i < N_ITEMS; i++)
        once += seen[i] == 1;
    CHECK(total == N_ITEMS);
    CHECK(once == N_ITEMS);
    CHECK(count_files(dir, "done") == N_ITEMS);
    CHECK(count_files(dir, "claimed") == 0);
}

static void queue_recover__dead_pid__claim_requeued(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    Queue *q = queue_open(dir);
    queue_enqueue(q, "a", "x=1\n");
    queue_enqueue(q, "b", "x=2\n");
    pid_t pid = fork();
    if (pid == 0) {
        Queue *cq = queue_open(dir);
        QueueItem *it;
        if (queue_claim(cq, &it) != 1)
            _exit(1);
        /* freeing memory does not give the claim back */
        queue_item_destroy(&it);
        queue_destroy(&cq);
        raise(SIGKILL); /* die holding the claim */
        _exit(2);
    }
    int st;
    waitpid(pid, &st, 0);
    CHECK(WIFSIGNALED(st));
    QueueCounts c;
    queue_get_counts(q, &c);
    CHECK(c.claimed == 1 && c.queued == 1);
    /* our own claim must survive recovery */
    QueueItem *mine = NULL;
    CHECK(queue_claim(q, &mine) == 1);
    int n = -1;
    CHECK(queue_recover(q, 3600, &n) == 0);
    CHECK(n == 1);
    queue_get_counts(q, &c);
    CHECK(c.claimed == 1 && c.queued == 1);
    CHECK(mine && queue_complete(q, mine) == 0);
    queue_item_destroy(&mine);
    queue_destroy(&q);
}

/* Make a claim as if another host held it, with its heartbeat age_s ago. */
static void plant_foreign_claim(const char *dir, const char *key, double age_s)
{
    char from[800], to[800];
    snprintf(from, sizeof from, "%s/queued/%s", dir, key);
    snprintf(to, sizeof to, "%s/claimed/%s~otherhost~12345~99", dir, key);
    rename(from, to);
    struct timespec ts[2];
    clock_gettime(CLOCK_REALTIME, &ts[0]);
    ts[0].tv_sec -= (time_t)age_s;
    ts[1] = ts[0];
    utimensat(AT_FDCWD, to, ts, 0);
}

static void queue_recover__foreign_host__only_after_lease(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    Queue *q = queue_open(dir);
    queue_enqueue(q, "a", "x=1\n");
    plant_foreign_claim(dir, "a", 0);
    int n = -1;
    /* pid 12345 may not exist here, but another host's pid means nothing:
     * only the lease counts */
    CHECK(queue_recover(q, 2, &n) == 0 && n == 0);
    /* ctime is now (rename + utimensat), so wait until the lease runs out */
    sleep(3);
    CHECK(queue_recover(q, 2, &n) == 0 && n == 1);
    QueueCounts c;
    queue_get_counts(q, &c);
    CHECK(c.queued == 1 && c.claimed == 0);
    queue_destroy(&q);
}

static void queue_heartbeat__claim__age_reset(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    Queue *q = queue_open(dir);
    queue_enqueue(q, "a", "x=1\n");
    QueueItem *it = NULL;
    CHECK(queue_claim(q, &it) == 1);
    if (!it)
        return;
    char path[900];
    snprintf(path, sizeof path, "%s/claimed/%s", dir, it->claim);
    struct timespec ts[2];
    clock_gettime(CLOCK_REALTIME, &ts[0]);
    ts[0].tv_sec -= 1000;
    ts[1] = ts[0];
    utimensat(AT_FDCWD, path, ts, 0);
    struct stat st;
    stat(path, &st);
    time_t old = st.st_mtime;
    CHECK(queue_heartbeat(q, it) == 0);
    stat(path, &st);
    CHECK(st.st_mtime >= old + 999);
    CHECK(queue_complete(q, it) == 0);
    CHECK(queue_heartbeat(q, it) == -1);
    queue_item_destroy(&it);
    queue_destroy(&q);
}

static void queue_fail__reason__listed_then_retried(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    Queue *q = queue_open(dir);
    queue_enqueue(q, "bad", "x=1\n");
    QueueItem *it = NULL;
    CHECK(queue_claim(q, &it) == 1);
    CHECK(it && queue_fail(q, it, "cannot decode\npage 2") == 0);
    queue_item_destroy(&it);
    QueueEntry *e = NULL;
    int n = 0;
    CHECK(queue_list(q, QUEUE_FAILED, &e, &n) == 0 && n == 1);
    if (n == 1) {
        CHECK(strcmp(e[0].key, "bad") == 0);
        CHECK(strcmp(e[0].reason, "cannot decode page 2") == 0);
    }
    queue_entries_destroy(&e, n);
    int r = -1;
    CHECK(queue_retry(q, &r) == 0 && r == 1);
    QueueCounts c;
    queue_get_counts(q, &c);
    CHECK(c.queued == 1 && c.failed == 0);
    CHECK(count_files(dir, "reason") == 0);
    CHECK(queue_claim(q, &it) == 1);
    queue_item_destroy(&it);
    queue_destroy(&q);
}

static void queue_complete__claim_taken_back__error(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    Queue *q = queue_open(dir);
    queue_enqueue(q, "a", "x=1\n");
    QueueItem *it = NULL;
    CHECK(queue_claim(q, &it) == 1);
    if (!it)
        return;
    char from[900], to[900];
    snprintf(from, sizeof from, "%s/claimed/%s", dir, it->claim);
    snprintf(to, sizeof to, "%s/queued/a", dir);
    rename(from, to); /* what another host's recover would do */
    CHECK(queue_complete(q, it) == -1);
    CHECK(strstr(err_get(), "lost") != NULL);
    queue_item_destroy(&it);
    queue_destroy(&q);
}

static void queue_release__claimed__queued_again_claimable(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    Queue *q = queue_open(dir);
    queue_enqueue(q, "a", "x=1\n");
    QueueItem *it = NULL;
    CHECK(queue_claim(q, &it) == 1);
    if (!it)
        return;
    CHECK(queue_release(q, it) == 0);
    QueueCounts c;
    CHECK(queue_get_counts(q, &c) == 0);
    CHECK(c.queued == 1 && c.claimed == 0 && c.failed == 0 && c.done == 0);
    queue_item_destroy(&it);
    CHECK(queue_claim(q, &it) == 1); /* and it can be claimed again */
    CHECK(it && !strcmp(it->key, "a") && !strcmp(it->text, "x=1\n"));
    queue_item_destroy(&it);
    queue_destroy(&q);
}

static void queue_recover__enqueue_cut_short__item_relinked(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    Queue *q = queue_open(dir);
    queue_enqueue(q, "a", "x=1\n");
    /* simulate a crash after link(seen) but before link(queued) */
    char path[900];
    snprintf(path, sizeof path, "%s/queued/a", dir);
    unlink(path);
    QueueCounts c;
    queue_get_counts(q, &c);
    CHECK(c.queued == 0 && c.total == 1);
    int n = -1;
    CHECK(queue_recover(q, 300, &n) == 0 && n == 1);
    queue_get_counts(q, &c);
    CHECK(c.queued == 1);
    CHECK(queue_recover(q, 300, &n) == 0 && n == 0);
    queue_destroy(&q);
}

static void queue_claim__planted_symlink__failed_not_followed(void)
{
    char dir[600], path[900];
    fresh_dir(dir, sizeof dir);
    Queue *q = queue_open(dir);
    snprintf(path, sizeof path, "%s/queued/evil", dir);
    CHECK(symlink("/etc/passwd", path) == 0);
    QueueItem *it = NULL;
    CHECK(queue_claim(q, &it) == 0);
    QueueEntry *e = NULL;
    int n = 0;
    CHECK(queue_list(q, QUEUE_FAILED, &e, &n) == 0 && n == 1);
    if (n == 1)
        CHECK(strstr(e[0].reason, "symlink") != NULL);
    queue_entries_destroy(&e, n);
    queue_destroy(&q);
}

static void queue_open__symlinked_subfolder__refused(void)
{
    char dir[600], path[900];
    fresh_dir(dir, sizeof dir);
    mkdir(dir, 0777);
    snprintf(path, sizeof path, "%s/queued", dir);
    CHECK(symlink("/tmp", path) == 0);
    Queue *q = queue_open(dir);
    CHECK(q == NULL);
    CHECK(strstr(err_get(), "queued") != NULL);
    queue_destroy(&q);
}

static void queue_reopen__done_item__enqueued_again_once(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    Queue *q = queue_open(dir);
    queue_enqueue(q, "f", "pages=3\n");
    QueueItem *it = NULL;
    CHECK(queue_claim(q, &it) == 1);
    CHECK(it && queue_complete(q, it) == 0);
    queue_item_destroy(&it);
    CHECK(queue_enqueue(q, "f", "pages=3\n") == 0); /* seen: a no-op */
    CHECK(queue_reopen(q, "f") == 1);
    QueueCounts c;
    CHECK(queue_get_counts(q, &c) == 0);
    CHECK(c.done == 0 && c.total == 0 && c.queued == 0);
    CHECK(queue_reopen(q, "f") == 0); /* nothing done any more */
    CHECK(queue_enqueue(q, "f", "pages=3\n") == 1);
    CHECK(queue_enqueue(q, "f", "pages=3\n") == 0);
    CHECK(queue_claim(q, &it) == 1);
    CHECK(it && queue_complete(q, it) == 0);
    queue_item_destroy(&it);
    CHECK(queue_get_counts(q, &c) == 0 && c.done == 1 && c.total == 1);
    queue_destroy(&q);
}

static void queue_reopen__queued_item__left_alone(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    Queue *q = queue_open(dir);
    queue_enqueue(q, "f", "x=1\n");
    CHECK(queue_reopen(q, "f") == 0);
    CHECK(queue_reopen(q, "../f") == -1);
    QueueCounts c;
    CHECK(queue_get_counts(q, &c) == 0 && c.queued == 1 && c.total == 1);
    queue_destroy(&q);
}

static void queue_reopen__cut_short__next_complete_replaces_done(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    Queue *q = queue_open(dir);
    queue_enqueue(q, "f", "old=1\n");
    QueueItem *it = NULL;
    CHECK(queue_claim(q, &it) == 1);
    CHECK(it && queue_complete(q, it) == 0);
    queue_item_destroy(&it);
    /* killed after unlink(seen/f), before unlink(done/f) */
    char path[900];
    snprintf(path, sizeof path, "%s/seen/f", dir);
    unlink(path);
    CHECK(queue_enqueue(q, "f", "new=1\n") == 1);
    CHECK(queue_claim(q, &it) == 1);
    CHECK(it && !strcmp(it->text, "new=1\n"));
    CHECK(it && queue_complete(q, it) == 0);
    queue_item_destroy(&it);
    QueueCounts c;
    CHECK(queue_get_counts(q, &c) == 0 && c.done == 1 && c.total == 1);
    queue_destroy(&q);
}

static void queue_retry_key__failed_and_not__1_then_0(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    Queue *q = queue_open(dir);
    queue_enqueue(q, "a", "x=1\n");
    QueueItem *it = NULL;
    CHECK(queue_claim(q, &it) == 1);
    CHECK(it && queue_fail(q, it, "broken") == 0);
    queue_item_destroy(&it);
    char *text = NULL;
    CHECK(queue_read_failed(q, "a", &text) == 0 && text &&
          !strcmp(text, "x=1\n"));
    free(text);
    CHECK(queue_retry_key(q, "a") == 1);
    CHECK(queue_retry_key(q, "a") == 0);
    CHECK(queue_read_failed(q, "a", &text) == -1 && text == NULL);
    CHECK(count_files(dir, "reason") == 0 && count_files(dir, "queued") == 1);
    queue_destroy(&q);
}

/* What another host's recover does to a claim: rename it back. */
static void take_back(const char *dir, const QueueItem *it)
{
    char from[900], to[900];
    snprintf(from, sizeof from, "%s/claimed/%s", dir, it->claim);
    snprintf(to, sizeof to, "%s/queued/%s", dir, it->key);
    rename(from, to);
}

static void queue_claim_held__taken_back__0_with_lost(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    Queue *q = queue_open(dir);
    queue_enqueue(q, "a", "x=1\n");
    QueueItem *it = NULL;
    CHECK(queue_claim(q, &it) == 1);
    if (!it)
        return;
    CHECK(queue_claim_held(q, it) == 1);
    take_back(dir, it);
    CHECK(queue_claim_held(q, it) == 0);
    CHECK(strstr(err_get(), "lost") != NULL);
    /* a worker that lost its claim cannot fail the item either */
    CHECK(queue_fail(q, it, "late") == -1);
    CHECK(count_files(dir, "reason") == 0 && count_files(dir, "queued") == 1);
    queue_item_destroy(&it);
    queue_destroy(&q);
}

static void queue_enqueue_fenced__claim_held__enqueued_staging_empty(void)
{
    char dir[600], next[700];
    fresh_dir(dir, sizeof dir);
    snprintf(next, sizeof next, "%s.next", dir);
    Queue *q = queue_open(dir), *nq = queue_open(next);
    queue_enqueue(q, "a", "x=1\n");
    QueueItem *it = NULL;
    CHECK(queue_claim(q, &it) == 1);
    if (!it || !nq)
        return;
    mkdirat(queue_get_stage_fd(q), "a", 0777);
    int sfd = openat(queue_get_stage_fd(q), "a", O_RDONLY | O_DIRECTORY);
    CHECK(queue_enqueue_fenced(nq, "a", "x=2\n", q, it, sfd) == 1);
    CHECK(queue_enqueue_fenced(nq, "a", "x=3\n", q, it, sfd) == 0);
    QueueCounts c;
    CHECK(queue_get_counts(nq, &c) == 0 && c.queued == 1 && c.total == 1);
    CHECK(count_files(dir, "stage/a") == 0);
    close(sfd);
    queue_item_destroy(&it);
    queue_destroy(&nq);
    queue_destroy(&q);
}

static void queue_enqueue_fenced__claim_taken_back__lost_nothing_enqueued(void)
{
    char dir[600], next[700];
    fresh_dir(dir, sizeof dir);
    snprintf(next, sizeof next, "%s.next", dir);
    Queue *q = queue_open(dir), *nq = queue_open(next);
    queue_enqueue(q, "a", "x=1\n");
    QueueItem *it = NULL;
    CHECK(queue_claim(q, &it) == 1);
    if (!it || !nq)
        return;
    mkdirat(queue_get_stage_fd(q), "a", 0777);
    int sfd = openat(queue_get_stage_fd(q), "a", O_RDONLY | O_DIRECTORY);
    take_back(dir, it);
    CHECK(queue_enqueue_fenced(nq, "a", "x=2\n", q, it, sfd) == QUEUE_LOST);
    QueueCounts c;
    CHECK(queue_get_counts(nq, &c) == 0 && c.queued == 0 && c.total == 0);
    CHECK(count_files(dir, "stage/a") == 0);
    close(sfd);
    queue_item_destroy(&it);
    queue_destroy(&nq);
    queue_destroy(&q);
}

static void queue_retry_crashed__twice__requeued_then_failed(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    Queue *q = queue_open(dir);
    queue_enqueue(q, "a", "x=1\n");
    QueueItem *it = NULL;
    char reason[1024];
    CHECK(queue_claim(q, &it) == 1);
    snprintf(reason, sizeof reason, "crashed: signal 9 (Killed)");
    CHECK(it && queue_retry_crashed(q, it, reason, sizeof reason, 2) == 1);
    queue_item_destroy(&it);
    QueueCounts c;
    CHECK(queue_get_counts(q, &c) == 0 && c.queued == 1 && c.failed == 0);
    CHECK(queue_claim(q, &it) == 1);
    snprintf(reason, sizeof reason, "crashed: signal 11 (Segmentation fault)");
    CHECK(it && queue_retry_crashed(q, it, reason, sizeof reason, 2) == 0);
    CHECK(strcmp(reason, "crashed: signal 11 (Segmentation fault) (twice; "
                         "first: crashed: signal 9 (Killed))") == 0);
    queue_item_destroy(&it);
    CHECK(queue_get_counts(q, &c) == 0 && c.queued == 0 && c.failed == 1);
    CHECK(count_files(dir, "crashes") == 0);
    /* retried, it gets two tries again */
    CHECK(queue_retry(q, NULL) == 0 && queue_claim(q, &it) == 1);
    CHECK(it && queue_retry_crashed(q, it, reason, sizeof reason, 2) == 1);
    queue_item_destroy(&it);
    queue_destroy(&q);
}

static void queue_complete__after_a_crash__count_forgotten(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    Queue *q = queue_open(dir);
    queue_enqueue(q, "a", "x=1\n");
    QueueItem *it = NULL;
    char reason[1024] = "crashed: signal 9 (Killed)";
    CHECK(queue_claim(q, &it) == 1);
    CHECK(it && queue_retry_crashed(q, it, reason, sizeof reason, 2) == 1);
    queue_item_destroy(&it);
    CHECK(count_files(dir, "crashes") == 1);
    CHECK(queue_claim(q, &it) == 1);
    CHECK(it && queue_complete(q, it) == 0);
    CHECK(count_files(dir, "crashes") == 0);
    queue_item_destroy(&it);
    queue_destroy(&q);
}

/* Claim and finish key (done, or failed when fail). */
static void claim_finish(Queue *q, int fail)
{
    QueueItem *it = NULL;
    if (queue_claim(q, &it) == 1) {
        if (fail)
            queue_fail(q, it, "bad");
        else
            queue_complete(q, it);
    }
    queue_item_destroy(&it);
}

static void queue_requeue_all__done_and_failed__queued_with_text(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    Queue *q = queue_open(dir);
    queue_enqueue(q, "a", "x=1\n");
    queue_enqueue(q, "b", "x=2\n");
    queue_enqueue(q, "c", "x=3\n");
    claim_finish(q, 0);
    claim_finish(q, 1);
    int n = -1;
    CHECK(queue_requeue_all(q, &n) == 0 && n == 2);
    QueueCounts c;
    CHECK(queue_get_counts(q, &c) == 0 && c.queued == 3 && c.done == 0 &&
          c.failed == 0 && c.total == 3);
    CHECK(count_files(dir, "reason") == 0);
    /* each comes back once, with its text; enqueue stays idempotent */
    CHECK(queue_enqueue(q, "a", "x=9\n") == 0);
    int got = 0;
    QueueItem *it = NULL;
    while (queue_claim(q, &it) == 1) {
        got += it->text[2] - '0';
        queue_complete(q, it);
        queue_item_destroy(&it);
    }
    CHECK(got == 6);
    queue_destroy(&q);
}

static void queue_clear__every_state__forgotten_then_enqueued_again(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    Queue *q = queue_open(dir);
    queue_enqueue(q, "a", "x=1\n");
    queue_enqueue(q, "b", "x=2\n");
    queue_enqueue(q, "c", "x=3\n");
    claim_finish(q, 0);
    claim_finish(q, 1);
    CHECK(queue_clear(q) == 0);
    QueueCounts c;
    CHECK(queue_get_counts(q, &c) == 0 && c.total == 0 && c.queued == 0 &&
          c.claimed == 0 && c.done == 0 && c.failed == 0);
    CHECK(count_files(dir, "reason") == 0);
    /* recover resurrects nothing; a new enqueue of the same key counts */
    int n = -1;
    CHECK(queue_recover(q, 300, &n) == 0 && n == 0);
    CHECK(queue_enqueue(q, "a", "x=1\n") == 1);
    CHECK(queue_get_counts(q, &c) == 0 && c.total == 1 && c.queued == 1);
    queue_destroy(&q);
}

static void queue_requeue_key__done_and_not__1_then_0(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    Queue *q = queue_open(dir);
    queue_enqueue(q, "a", "x=1\n");
    claim_finish(q, 0);
    CHECK(queue_requeue_key(q, "a") == 1);
    CHECK(queue_requeue_key(q, "a") == 0); /* queued now, not done */
    QueueCounts c;
    CHECK(queue_get_counts(q, &c) == 0 && c.total == 1 && c.queued == 1 &&
          c.done == 0);
    QueueItem *it = NULL;
    CHECK(queue_claim(q, &it) == 1 && it && !strcmp(it->text, "x=1\n"));
    queue_item_destroy(&it);
    queue_destroy(&q);
}

static int starts_with_f1(const char *key, void *arg)
{
    (void)arg;
    return !strncmp(key, "f1", 2);
}

static void queue_forget_matching__some_keys__only_they_forgotten(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    Queue *q = queue_open(dir);
    queue_enqueue(q, "f1-p0000", "x=1\n");
    claim_finish(q, 0); /* done */
    queue_enqueue(q, "f1-p0001", "x=2\n");
    claim_finish(q, 1); /* failed, with a reason */
    queue_enqueue(q, "f2-p0000", "x=3\n");
    int n = -1;
    CHECK(queue_forget_matching(q, starts_with_f1, NULL, &n) == 0 && n == 2);
    QueueCounts c;
    CHECK(queue_get_counts(q, &c) == 0 && c.total == 1 && c.queued == 1 &&
          c.done == 0 && c.failed == 0);
    CHECK(count_files(dir, "reason") == 0);
    CHECK(queue_recover(q, 300, &n) == 0 && n == 0);
    CHECK(queue_enqueue(q, "f1-p0000", "x=9\n") == 1);
    char *text = NULL;
    CHECK(queue_read_item(q, "f1-p0000", &text) == 0 && text &&
          !strcmp(text, "x=9\n"));
    free(text);
    char **keys = NULL;
    CHECK(queue_list_seen(q, &keys) == 2 && !strcmp(keys[0], "f1-p0000") &&
          !strcmp(keys[1], "f2-p0000"));
    for (int i = 0; keys && i < 2; i++)
        free(keys[i]);
    free(keys);
    queue_destroy(&q);
}

int main(void)
{
    RUN(queue_enqueue__same_key_twice__second_is_noop);
    RUN(queue_enqueue__bad_key__refused);
    RUN(queue_claim__item__text_and_claim_name);
    RUN(queue_claim__forked_claimers__each_item_once);
    RUN(queue_recover__dead_pid__claim_requeued);
    RUN(queue_recover__foreign_host__only_after_lease);
    RUN(queue_heartbeat__claim__age_reset);
    RUN(queue_fail__reason__listed_then_retried);
    RUN(queue_complete__claim_taken_back__error);
    RUN(queue_recover__enqueue_cut_short__item_relinked);
    RUN(queue_release__claimed__queued_again_claimable);
    RUN(queue_claim__planted_symlink__failed_not_followed);
    RUN(queue_open__symlinked_subfolder__refused);
    RUN(queue_reopen__done_item__enqueued_again_once);
    RUN(queue_reopen__queued_item__left_alone);
    RUN(queue_reopen__cut_short__next_complete_replaces_done);
    RUN(queue_retry_key__failed_and_not__1_then_0);
    RUN(queue_claim_held__taken_back__0_with_lost);
    RUN(queue_enqueue_fenced__claim_held__enqueued_staging_empty);
    RUN(queue_enqueue_fenced__claim_taken_back__lost_nothing_enqueued);
    RUN(queue_retry_crashed__twice__requeued_then_failed);
    RUN(queue_complete__after_a_crash__count_forgotten);
    RUN(queue_requeue_all__done_and_failed__queued_with_text);
    RUN(queue_clear__every_state__forgotten_then_enqueued_again);
    RUN(queue_requeue_key__done_and_not__1_then_0);
    RUN(queue_forget_matching__some_keys__only_they_forgotten);
    TEST_EXIT();
}
