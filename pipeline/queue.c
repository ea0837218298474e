/*
 * queue.c - on-disk stage queue: enqueue, claim, finish, recover (queue.h).
 *
 * Design: see queue.h for the layout. The moves, all single syscalls:
 *   enqueue   write tmp/T; link(T, seen/K) [EEXIST: known, stop];
 *             link(T, queued/K); unlink(T)
 *   claim     rename(queued/K, claimed/K~HOST~PID~START); touch
 *   complete  rename(claimed/C, done/K)
 *   fail      write reason/K; rename(claimed/C, failed/K)
 *   recover   claimed/C whose PID is dead on this host (or whose START
 *             differs: pid reused), or whose heartbeat is older than the
 *             lease on another host -> rename(claimed/C, queued/K);
 *             tmp/ files of dead enqueuers removed; seen/K with link count
 *             1 (enqueue cut short) -> link(seen/K, queued/K)
 *   retry     rename(failed/K, queued/K); unlink reason/K
 *   requeue   rename(done/K, queued/K) (its result went missing)
 *   forget    unlink seen/K, then K in every other state (its input
 *             changed or went away: it is enqueued again, or never)
 *   reopen    unlink seen/K; unlink done/K (a done item made stale; the
 *             next enqueue of K enqueues it again). Cut short in between,
 *             done/K stays until the next reopen, or until the new item's
 *             complete replaces it
 *   fenced enqueue (a stage enqueueing the next item on behalf of its
 *             claim C): write stage/K/T of C's queue; check claimed/C;
 *             then as enqueue. Another holder of C's item empties stage/K
 *             before it publishes, so a stale holder's T is gone (link
 *             fails) or was written after the takeover (check fails)
 *   crashed   count in crashes/K, rename(claimed/C, queued/K); at the
 *             max-th crash fail instead
 * A crash between any two steps leaves a state that recover repairs, and no
 * step can make an item appear in two states or in none.
 * Ownership: Queue keeps one fd per subfolder and a cached listing of
 * queued/ so that claiming is not a readdir per item.
 */
#include "pipeline/queue.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/fsutil.h"

#define QUEUE_MAX_ITEM (64 * 1024)

enum { QD_SEEN, QD_QUEUED, QD_CLAIMED, QD_DONE, QD_FAILED, QD_REASON, QD_TMP,
       QD_STAGE, QD_CRASHES, QD_N };
static const char *const qd_names[QD_N] = {"seen",   "queued", "claimed",
                                           "done",   "failed", "reason",
                                           "tmp",    "stage",  "crashes"};

struct Queue {
    char *dir;
    int fd[QD_N];
    char **cache; /* names listed from queued/, tried in order */
    int n_cache, i_cache;
    unsigned seq;
};

static char host_name[128]; /* queue_set_host(); "" = gethostname() */

/**
 * Set the host name written into claims (the command line passes
 * INKPIPE_HOST, so that tests can play several hosts on one machine).
 *
 * @param[in] name  [optional] the name; NULL or "" = gethostname()
 */
void queue_set_host(const char *name)
{
    snprintf(host_name, sizeof host_name, "%s", name ? name : "");
}

const char *queue_host(void)
{
    static char host[128];
    if (host_name[0])
        snprintf(host, sizeof host, "%s", host_name);
    else if (gethostname(host, sizeof host) < 0 || !host[0])
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    for (char *p = host; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
            *p = '_';
    return host;
}

int queue_key_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 200 || !strcmp(name, ".") || !strcmp(name, ".."))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return name[0] != '.';
}

/* Start time (clock ticks since boot) of a live process; 0 if the process
 * does not exist or is a zombie. */
static unsigned long long proc_start(long pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (!p)
        return 0;
    char state = 0;
    unsigned long long start = 0;
    /* after ")": state, then fields 4..21, then starttime (field 22) */
    if (sscanf(p + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u "
                      "%*d %*d %*d %*d %*d %*d %llu",
               &state, &start) != 2)
        return 0;
    if (state == 'Z' || state == 'X')
        return 0;
    return start ? start : 1;
}

/**
 * Is process pid alive on this host? A zombie counts as dead (here PID 1
 * may reap orphans late, so a killed worker can linger as one).
 *
 * @param[in] pid  process id
 * @return 1 alive, 0 dead or gone
 */
int queue_pid_alive(long pid)
{
    return pid > 0 && proc_start(pid) != 0;
}

/* This process's claim suffix "HOST~PID~START". */
static void my_ident(char *buf, size_t size)
{
    static long cached_pid;
    static unsigned long long cached_start;
    long pid = (long)getpid();
    if (pid != cached_pid) {
        cached_pid = pid;
        cached_start = proc_start(pid);
    }
    snprintf(buf, size, "%s~%ld~%llu", queue_host(), pid, cached_start);
}

/* Split "KEY~HOST~PID~START"; fields point into buf. Returns 0 or -1. */
static int parse_claim(char *buf, char **key, char **host, long *pid,
                       unsigned long long *start)
{
    char *a = strchr(buf, '~');
    char *b = a ? strchr(a + 1, '~') : NULL;
    char *c = b ? strchr(b + 1, '~') : NULL;
    if (!c)
        return -1;
    *a = *b = *c = '\0';
    char *end;
    *pid = strtol(b + 1, &end, 10);
    if (*end || *pid <= 0)
        return -1;
    *start = strtoull(c + 1, &end, 10);
    if (*end)
        return -1;
    *key = buf;
    *host = a + 1;
    return 0;
}

static void cache_clear(Queue *q)
{
    for (int i = 0; i < q->n_cache; i++)
        free(q->cache[i]);
    free(q->cache);
    q->cache = NULL;
    q->n_cache = q->i_cache = 0;
}

/**
 * Open (creating as needed) the queue in folder dir.
 *
 * @param[in] dir  the stage folder, e.g. SPOOL/binarize
 * @return new Queue (caller owns; queue_destroy()), or NULL on error
 *
 * Notes:
 *   (1) The subfolders are opened with O_NOFOLLOW: a symlink planted in
 *       their place is refused.
 */
Queue *queue_open(const char *dir)
{
    Queue *q = calloc(1, sizeof *q);
    if (!q) {
        err_set("out of memory");
        return NULL;
    }
    for (int i = 0; i < QD_N; i++)
        q->fd[i] = -1;
    q->dir = strdup(dir);
    int dfd = fs_open_dir(dir, 1);
    if (!q->dir || dfd < 0)
        goto fail;
    for (int i = 0; i < QD_N; i++) {
        q->fd[i] = fs_open_subdir(dfd, qd_names[i], 1);
        if (q->fd[i] < 0) {
            err_prefix("queue %s", dir);
            close(dfd);
            goto fail;
        }
    }
    close(dfd);
    return q;
fail:
    queue_destroy(&q);
    return NULL;
}

void queue_destroy(Queue **pq)
{
    if (!pq || !*pq)
        return;
    Queue *q = *pq;
    for (int i = 0; i < QD_N; i++)
        if (q->fd[i] >= 0)
            close(q->fd[i]);
    cache_clear(q);
    free(q->dir);
    free(q);
    *pq = NULL;
}

const char *queue_get_dir(const Queue *q)
{
    return q->dir;
}

/* The enqueue moves after the item's text is in tmp_dfd/tmp: link it into
 * seen/ (EEXIST: known) and queued/, then drop tmp. With owner, tmp is in
 * the owner's staging folder and the owner's claim is checked first; tmp
 * gone at the link means another holder of that claim swept the staging
 * folder (QUEUE_LOST). */
static int enqueue_link(Queue *q, const char *key, int tmp_dfd,
                        const char *tmp, Queue *owner_q,
                        const QueueItem *owner)
{
    int rc = 1;
    if (owner) {
        int held = queue_claim_held(owner_q, owner);
        if (held <= 0) {
            unlinkat(tmp_dfd, tmp, 0);
            return held < 0 ? -1 : QUEUE_LOST;
        }
    }
    if (linkat(tmp_dfd, tmp, q->fd[QD_SEEN], key, 0) < 0) {
        if (errno == ENOENT && owner) {
            err_set("%s: claim on %s lost before enqueueing %s (what it "
                    "staged was swept by the item's next holder)",
                    owner_q->dir, owner->key, key);
            return QUEUE_LOST;
        }
        rc = errno == EEXIST ? 0
                             : err_set_errno("%s: link seen/%s", q->dir, key);
    } else if (linkat(tmp_dfd, tmp, q->fd[QD_QUEUED], key, 0) < 0 &&
               errno != EEXIST && !(errno == ENOENT && owner)) {
        /* (tmp swept between the two links: the enqueue is cut short, and
         * queue_recover finishes it as after a kill) */
        rc = err_set_errno("%s: link queued/%s", q->dir, key);
    }
    unlinkat(tmp_dfd, tmp, 0);
    return rc;
}

/* Write text to a fresh file tmp (size >= 256) in dfd, fsync'ed when
 * fsync is on. 0 or -1 (nothing left behind). */
static int enqueue_write(Queue *q, const char *key, const char *text,
                         int dfd, char *tmp, int named)
{
    int fd;
    if (named) {
        char id[200];
        my_ident(id, sizeof id);
        snprintf(tmp, 256, "%s~%u", id, q->seq++);
        fd = openat(dfd, tmp,
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    0666);
        if (fd < 0)
            return err_set_errno("%s: create %s", q->dir, tmp);
    } else if ((fd = fs_create_temp_at(dfd, key, tmp)) < 0) {
        return err_prefix("%s", q->dir);
    }
    size_t n = strlen(text);
    if (fs_write_full(fd, text, n) < 0 ||
        (fs_sync_enabled() && fsync(fd) < 0)) {
        err_set_errno("%s: write item %s", q->dir, key);
        close(fd);
        unlinkat(dfd, tmp, 0);
        return -1;
    }
    close(fd);
    return 0;
}

/**
 * Add an item unless its key was ever enqueued.
 *
 * @param[in] q     queue
 * @param[in] key   plain name (queue_key_valid)
 * @param[in] text  the item's content
 * @return 1 enqueued, 0 already known (in any state), -1 error
 */
int queue_enqueue(Queue *q, const char *key, const char *text)
{
    if (!queue_key_valid(key))
        return err_set("bad queue key '%s'", key);
    char tmp[256];
    if (enqueue_write(q, key, text, q->fd[QD_TMP], tmp, 1) < 0)
        return -1;
    return enqueue_link(q, key, q->fd[QD_TMP], tmp, NULL, NULL);
}

/**
 * Add an item on behalf of a claimed item (a stage enqueueing the next
 * stage's item), fenced by that claim: nothing is enqueued once the claim
 * was taken over.
 *
 * @param[in] q         queue to add to
 * @param[in] key       plain name (queue_key_valid)
 * @param[in] text      the item's content
 * @param[in] owner_q   the queue of the claimed item
 * @param[in] owner     the claimed item
 * @param[in] stage_fd  the claimed item's staging folder (in the same
 *                      file system as q; see queue_get_stage_fd())
 * @return 1 enqueued, 0 already known, QUEUE_LOST when the claim is no
 *         longer held (nothing enqueued), -1 error
 *
 * Notes:
 *   (1) The text is written into the staging folder first, then the claim
 *       is checked, then linked into seen/ and queued/. The item's next
 *       holder empties the staging folder before it publishes anything
 *       (see stage.c), so a holder stopped past its lease either fails the
 *       check or finds its file gone at the link: its enqueue cannot land
 *       after the next holder started.
 */
int queue_enqueue_fenced(Queue *q, const char *key, const char *text,
                         Queue *owner_q, const QueueItem *owner, int stage_fd)
{
    if (!queue_key_valid(key))
        return err_set("bad queue key '%s'", key);
    char tmp[256];
    if (enqueue_write(q, key, text, stage_fd, tmp, 0) < 0)
        return -1;
    return enqueue_link(q, key, stage_fd, tmp, owner_q, owner);
}

/* Read a folder's plain names (sorted). Returns count or -1. */
static int list_dir(int dfd, char ***pnames)
{
    int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return err_set_errno("list queue folder");
    }
    char **names = NULL;
    int n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **nn = realloc(names, (size_t)cap * sizeof *nn);
            if (!nn)
                goto oom;
            names = nn;
        }
        if (!(names[n] = strdup(de->d_name)))
            goto oom;
        n++;
    }
    closedir(d);
    *pnames = names;
    return n;
oom:
    closedir(d);
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return err_set("out of memory");
}

static void names_free(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/**
 * Claim the next queued item.
 *
 * @param[in]  q      queue
 * @param[out] pitem  the claimed item (caller owns; queue_item_destroy())
 * @return 1 claimed, 0 nothing queued, -1 error
 *
 * Notes:
 *   (1) Exclusive: rename() of queued/K succeeds for exactly one claimer.
 *   (2) An item that is not a plain file (a planted symlink) is claimed and
 *       failed at once with its reason; the call goes on to the next one.
 */
int queue_claim(Queue *q, QueueItem **pitem)
{
    *pitem = NULL;
    for (int pass = 0; pass < 2; pass++) {
        if (q->i_cache >= q->n_cache) {
            cache_clear(q);
            char **names;
            int n = list_dir(q->fd[QD_QUEUED], &names);
            if (n < 0)
                return -1;
            if (n > 1)
                qsort(names, (size_t)n, sizeof *names, cmp_str);
            q->cache = names;
            q->n_cache = n;
            /* workers start at different places to spread contention */
            q->i_cache = n ? (int)(getpid() % n) : 0;
            if (n > 1) {
                /* rotate so every name is still tried once */
                char **rot = malloc((size_t)n * sizeof *rot);
                if (!rot)
                    return err_set("out of memory");
                for (int i = 0; i < n; i++)
                    rot[i] = names[(i + q->i_cache) % n];
                free(names);
                q->cache = rot;
            }
            q->i_cache = 0;
            if (n == 0)
                return 0;
        }
        while (q->i_cache < q->n_cache) {
            const char *key = q->cache[q->i_cache++];
            if (!queue_key_valid(key))
                continue;
            char id[200], claim[420];
            my_ident(id, sizeof id);
            snprintf(claim, sizeof claim, "%s~%s", key, id);
            if (renameat(q->fd[QD_QUEUED], key, q->fd[QD_CLAIMED], claim) < 0) {
                if (errno == ENOENT)
                    continue; /* another worker was first */
                return err_set_errno("%s: claim %s", q->dir, key);
            }
            /* the claim's mtime is its heartbeat */
            utimensat(q->fd[QD_CLAIMED], claim, NULL, AT_SYMLINK_NOFOLLOW);
            QueueItem *it = calloc(1, sizeof *it);
            if (!it)
                return err_set("out of memory");
            it->key = strdup(key);
            it->claim = strdup(claim);
            if (!it->key || !it->claim) {
                queue_item_destroy(&it);
                return err_set("out of memory");
            }
            it->text = fs_read_at(q->fd[QD_CLAIMED], claim, QUEUE_MAX_ITEM,
                                  NULL);
            if (!it->text) {
                char reason[512];
                snprintf(reason, sizeof reason, "bad queue item: %s",
                         err_get());
                queue_fail(q, it, reason);
                queue_item_destroy(&it);
                continue;
            }
            *pitem = it;
            return 1;
        }
    }
    return 0;
}

static int move_claim(Queue *q, const QueueItem *item, int to)
{
    if (renameat(q->fd[QD_CLAIMED], item->claim, q->fd[to], item->key) < 0) {
        if (errno == ENOENT)
            return err_set("%s: claim on %s was lost (lease expired and "
                           "another worker took it back)",
                           q->dir, item->key);
        return err_set_errno("%s: move %s to %s", q->dir, item->key,
                             qd_names[to]);
    }
    return 0;
}

/**
 * Move a claimed item to done/.
 *
 * @param[in] q     queue
 * @param[in] item  the claimed item
 * @return 0, or -1 (a lost claim says "lost")
 */
int queue_complete(Queue *q, const QueueItem *item)
{
    if (move_claim(q, item, QD_DONE) < 0)
        return -1;
    /* a crash it survived is forgotten */
    unlinkat(q->fd[QD_CRASHES], item->key, 0);
    return 0;
}

/**
 * Move a claimed item to failed/ with its reason.
 *
 * @param[in] q       queue
 * @param[in] item    the claimed item
 * @param[in] reason  one line; newlines are replaced by spaces
 * @return 0 or -1
 */
int queue_fail(Queue *q, const QueueItem *item, const char *reason)
{
    char line[1024];
    size_t n = 0;
    for (const char *p = reason; *p && n < sizeof line - 2; p++)
        line[n++] = (*p == '\n' || *p == '\r') ? ' ' : *p;
    line[n++] = '\n';
    /* a worker that lost its claim must not replace the reason the item's
     * next holder may have written (checked first: the window left is
     * between this check and the rename, and costs at most a wrong
     * reason, never a wrong state) */
    if (queue_claim_held(q, item) <= 0)
        return -1;
    if (fs_write_at(q->fd[QD_REASON], item->key, line, n, 0) < 0)
        return -1;
    if (move_claim(q, item, QD_FAILED) < 0)
        return -1;
    unlinkat(q->fd[QD_CRASHES], item->key, 0);
    return 0;
}

/**
 * Does this worker still hold its claim on item? A claim is taken over
 * only by queue_recover (dead holder, or lease expired), which renames it
 * away; the claim's name (KEY~HOST~PID~START) is never reused for another
 * claim while an attempt made under it is alive (a holder runs one item at
 * a time), so it is the fencing token of the attempt.
 *
 * @param[in] q     queue
 * @param[in] item  the claimed item
 * @return 1 held, 0 lost (message says so), -1 error
 */
int queue_claim_held(Queue *q, const QueueItem *item)
{
    struct stat st;
    if (!item->claim)
        return err_set("%s: %s is not a claimed item", q->dir, item->key);
    if (fstatat(q->fd[QD_CLAIMED], item->claim, &st, AT_SYMLINK_NOFOLLOW) ==
        0)
        return 1;
    if (errno == ENOENT) {
        err_set("%s: claim on %s was lost (lease expired and another worker "
                "took it back)",
                q->dir, item->key);
        return 0;
    }
    return err_set_errno("%s: claim %s", q->dir, item->key);
}

/**
 * The folder under which each claimed item may stage what it will publish
 * (STAGE_DIR/stage/KEY; see queue_enqueue_fenced() and stage.c).
 *
 * @param[in] q  queue
 * @return the folder's fd (owned by q; do not close)
 */
int queue_get_stage_fd(const Queue *q)
{
    return q->fd[QD_STAGE];
}

/**
 * Give back an item whose stage process was killed by a signal: a crash
 * is not the item's fault until it repeats (the OOM killer, an operator's
 * kill -9). The crash is counted in crashes/KEY; at the max-th crash in a
 * row the item fails instead, with reason and " (twice)" (or " (N times)").
 *
 * @param[in]     q       queue
 * @param[in]     item    the claimed item
 * @param[in,out] reason  "crashed: signal N (name)"; when the item fails,
 *                        the reason recorded ("... (twice)")
 * @param[in]     size    reason's size
 * @param[in]     max     crashes that fail the item (>= 1)
 * @return 1 requeued, 0 failed, -1 error (a lost claim says "lost")
 *
 * Notes:
 *   (1) complete and fail forget the count, so a retried item gets max
 *       tries again. A worker killed between counting and requeueing
 *       leaves the claim to queue_recover and the count one higher.
 */
int queue_retry_crashed(Queue *q, const QueueItem *item, char *reason,
                        size_t size, int max)
{
    int held = queue_claim_held(q, item);
    if (held <= 0)
        return -1;
    /* crashes/KEY: "COUNT\nFIRST REASON\n" */
    char *old = fs_read_at(q->fd[QD_CRASHES], item->key, 1024, NULL);
    int n = old ? atoi(old) : 0;
    const char *nl = old ? strchr(old, '\n') : NULL;
    char first[1024] = "", line[1100];
    if (nl)
        snprintf(first, sizeof first, "%.*s", (int)strcspn(nl + 1, "\n"),
                 nl + 1);
    free(old);
    if (n < 0)
        n = 0;
    if (n + 1 >= max) {
        if (n + 1 == 2)
            snprintf(line, sizeof line, "%s (twice%s%s)", reason,
                     first[0] && strcmp(first, reason) ? "; first: " : "",
                     first[0] && strcmp(first, reason) ? first : "");
        else
            snprintf(line, sizeof line, "%s (%d times)", reason, n + 1);
        if (queue_fail(q, item, line) < 0)
            return -1;
        snprintf(reason, size, "%s", line);
        return 0;
    }
    int len = snprintf(line, sizeof line, "%d\n%s\n", n + 1,
                       first[0] ? first : reason);
    if (len < 0 || (size_t)len >= sizeof line)
        len = (int)sizeof line - 1;
    if (fs_write_at(q->fd[QD_CRASHES], item->key, line, (size_t)len, 0) < 0)
        return -1;
    return queue_release(q, item) < 0 ? -1 : 1;
}

int queue_release(Queue *q, const QueueItem *item)
{
    cache_clear(q);
    return move_claim(q, item, QD_QUEUED);
}

int queue_heartbeat(Queue *q, const QueueItem *item)
{
    if (utimensat(q->fd[QD_CLAIMED], item->claim, NULL, AT_SYMLINK_NOFOLLOW) <
        0)
        return err_set_errno("%s: heartbeat %s", q->dir, item->key);
    return 0;
}

static double st_age(const struct stat *st)
{
    double m = (double)st->st_mtim.tv_sec + st->st_mtim.tv_nsec * 1e-9;
    double c = (double)st->st_ctim.tv_sec + st->st_ctim.tv_nsec * 1e-9;
    return clock_wall_s() - (m > c ? m : c);
}

/* 1 if the holder "HOST~PID~START" is gone (dead here, or silent for
 * longer than the lease on another host). */
static int holder_gone(const char *host, long pid, unsigned long long start,
                       int dfd, const char *name, double lease_s)
{
    if (!strcmp(host, queue_host())) {
        unsigned long long s = proc_start(pid);
        return s == 0 || (start && s != start);
    }
    struct stat st;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return 0;
    return st_age(&st) > lease_s;
}

/**
 * Give the claims of dead workers back and repair cut-short enqueues.
 *
 * @param[in]  q        queue
 * @param[in]  lease_s  a claim from another host is taken back after this
 *                      many seconds without heartbeat
 * @param[out] pn       [optional] number of items put back in queued/
 * @return 0 or -1
 *
 * Notes:
 *   (1) A claim by a dead pid on this host is taken back at once; a pid
 *       that was reused is told apart by its start time.
 *   (2) Concurrent recoverers are safe: each move is one rename().
 */
int queue_recover(Queue *q, double lease_s, int *pn)
{
    int count = 0;
    char **names;
    int n = list_dir(q->fd[QD_CLAIMED], &names);
    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        char buf[512], *key, *host;
        long pid;
        unsigned long long start;
        snprintf(buf, sizeof buf, "%s", names[i]);
        if (parse_claim(buf, &key, &host, &pid, &start) < 0 ||
            !queue_key_valid(key))
            continue;
        if (!holder_gone(host, pid, start, q->fd[QD_CLAIMED], names[i],
                         lease_s))
            continue;
        if (renameat(q->fd[QD_CLAIMED], names[i], q->fd[QD_QUEUED], key) == 0)
            count++;
    }
    names_free(names, n);

    /* temp files of enqueuers that died */
    n = list_dir(q->fd[QD_TMP], &names);
    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        char buf[512], *host, *dummy;
        long pid;
        unsigned long long start;
        /* tmp name: HOST~PID~START~SEQ; drop ~SEQ, parse as a claim */
        snprintf(buf, sizeof buf, "x~%s", names[i]);
        char *t = strrchr(buf, '~');
        if (!t)
            continue;
        *t = '\0';
        if (parse_claim(buf, &dummy, &host, &pid, &start) < 0)
            continue;
        if (holder_gone(host, pid, start, q->fd[QD_TMP], names[i], lease_s))
            unlinkat(q->fd[QD_TMP], names[i], 0);
    }
    names_free(names, n);

    /* enqueues cut short between seen/ and queued/ */
    n = list_dir(q->fd[QD_SEEN], &names);
    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        struct stat st;
        if (fstatat(q->fd[QD_SEEN], names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (S_ISREG(st.st_mode) && st.st_nlink == 1 &&
            linkat(q->fd[QD_SEEN], names[i], q->fd[QD_QUEUED], names[i], 0) ==
                0)
            count++;
    }
    names_free(names, n);

    if (count)
        cache_clear(q);
    if (pn)
        *pn = count;
    return 0;
}

/**
 * Put one failed item back in queued/.
 *
 * @param[in] q    queue
 * @param[in] key  the item's key
 * @return 1 if requeued, 0 if it was not failed (any more), -1 on error
 */
int queue_retry_key(Queue *q, const char *key)
{
    if (!queue_key_valid(key))
        return err_set("%s: bad key '%s'", q->dir, key);
    if (renameat(q->fd[QD_FAILED], key, q->fd[QD_QUEUED], key) < 0) {
        if (errno == ENOENT)
            return 0;
        return err_set_errno("%s: requeue %s", q->dir, key);
    }
    unlinkat(q->fd[QD_REASON], key, 0);
    cache_clear(q);
    return 1;
}

/**
 * Put every failed item back in queued/.
 *
 * @param[in]  q   queue
 * @param[out] pn  [optional] number of items requeued
 * @return 0 or -1
 */
int queue_retry(Queue *q, int *pn)
{
    char **names;
    int n = list_dir(q->fd[QD_FAILED], &names);
    if (n < 0)
        return -1;
    int count = 0;
    for (int i = 0; i < n; i++)
        if (queue_key_valid(names[i]) && queue_retry_key(q, names[i]) == 1)
            count++;
    names_free(names, n);
    if (pn)
        *pn = count;
    return 0;
}

/**
 * Read the text of a failed item.
 *
 * @param[in]  q      queue
 * @param[in]  key    the item's key
 * @param[out] ptext  its text (caller frees)
 * @return 0 or -1
 */
int queue_read_failed(Queue *q, const char *key, char **ptext)
{
    *ptext = NULL;
    if (!queue_key_valid(key))
        return err_set("%s: bad key '%s'", q->dir, key);
    *ptext = fs_read_at(q->fd[QD_FAILED], key, QUEUE_MAX_ITEM, NULL);
    return *ptext ? 0 : -1;
}

/**
 * Forget a done item, so that the next queue_enqueue() of its key enqueues
 * it again (its result became stale: e.g. a document's output written
 * without a page that is now being retried).
 *
 * @param[in] q    queue
 * @param[in] key  the item's key
 * @return 1 if it was done and is forgotten, 0 if it was not done, -1 on
 *         error
 *
 * Notes:
 *   (1) seen/K goes first, then done/K. Killed in between, done/K is left
 *       alone (counted done, not in total) until the next reopen, or until
 *       the item enqueued again completes and its rename replaces it.
 *   (2) An item queued or claimed is left alone.
 */
int queue_reopen(Queue *q, const char *key)
{
    struct stat st;
    if (!queue_key_valid(key))
        return err_set("%s: bad key '%s'", q->dir, key);
    if (fstatat(q->fd[QD_DONE], key, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : err_set_errno("%s: done/%s", q->dir, key);
    if (unlinkat(q->fd[QD_SEEN], key, 0) < 0 && errno != ENOENT)
        return err_set_errno("%s: unlink seen/%s", q->dir, key);
    if (unlinkat(q->fd[QD_DONE], key, 0) < 0 && errno != ENOENT)
        return err_set_errno("%s: unlink done/%s", q->dir, key);
    cache_clear(q);
    return 1;
}

/**
 * Put every done and every failed item back in queued/: the stage is done
 * again for all of them (its settings changed).
 *
 * @param[in]  q   queue
 * @param[out] pn  [optional] number of items requeued
 * @return 0 or -1
 *
 * Notes:
 *   (1) One rename() per item, so a kill in between leaves each item in
 *       exactly one state; calling it again finishes the job.
 */
int queue_requeue_all(Queue *q, int *pn)
{
    int count = 0;
    char **names;
    int n = list_dir(q->fd[QD_DONE], &names);
    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        if (!queue_key_valid(names[i]))
            continue;
        if (renameat(q->fd[QD_DONE], names[i], q->fd[QD_QUEUED], names[i]) ==
            0)
            count++;
        else if (errno != ENOENT) {
            err_set_errno("%s: requeue %s", q->dir, names[i]);
            names_free(names, n);
            return -1;
        }
    }
    names_free(names, n);
    n = list_dir(q->fd[QD_FAILED], &names);
    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        int r = queue_key_valid(names[i]) ? queue_retry_key(q, names[i]) : 0;
        if (r < 0) {
            names_free(names, n);
            return -1;
        }
        count += r;
    }
    names_free(names, n);
    cache_clear(q);
    if (pn)
        *pn = count;
    return 0;
}

/**
 * Forget every item of the queue, as if none had ever been enqueued (the
 * stage before it will enqueue them again).
 *
 * @param[in] q  queue
 * @return 0 or -1
 *
 * Notes:
 *   (1) The caller makes sure no live worker holds a claim here. Crash
 *       counts go too; what dead holders staged is swept when the key is
 *       claimed again (spool_stage_run).
 *   (2) seen/ goes first, so that queue_recover never relinks a forgotten
 *       item; killed midway, calling it again finishes the job.
 */
int queue_clear(Queue *q)
{
    static const int order[] = {QD_SEEN,   QD_QUEUED, QD_CLAIMED, QD_DONE,
                                QD_FAILED, QD_REASON, QD_CRASHES};
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        char **names;
        int n = list_dir(q->fd[order[k]], &names);
        if (n < 0)
            return -1;
        for (int i = 0; i < n; i++)
            if (unlinkat(q->fd[order[k]], names[i], 0) < 0 && errno != ENOENT) {
                err_set_errno("%s: remove %s/%s", q->dir, qd_names[order[k]],
                              names[i]);
                names_free(names, n);
                return -1;
            }
        names_free(names, n);
    }
    cache_clear(q);
    return 0;
}

/**
 * Put one done item back in queued/ (its result went missing, e.g. an
 * output file deleted: the stage is run again for it alone).
 *
 * @param[in] q    queue
 * @param[in] key  the item's key
 * @return 1 if requeued, 0 if it was not done, -1 on error
 *
 * Notes:
 *   (1) One rename(): the item stays in seen/ and is always in exactly one
 *       state, whatever kill comes.
 */
int queue_requeue_key(Queue *q, const char *key)
{
    if (!queue_key_valid(key))
        return err_set("%s: bad key '%s'", q->dir, key);
    if (renameat(q->fd[QD_DONE], key, q->fd[QD_QUEUED], key) < 0)
        return errno == ENOENT ? 0
                               : err_set_errno("%s: requeue %s", q->dir, key);
    cache_clear(q);
    return 1;
}

/**
 * Forget every item whose key match() accepts, as if it had never been
 * enqueued (its input changed or went away).
 *
 * @param[in]  q      queue
 * @param[in]  match  1 for a key to forget
 * @param[in]  arg    passed to match
 * @param[out] pn     [optional] items forgotten (counted in seen/)
 * @return 0 or -1
 *
 * Notes:
 *   (1) As queue_clear, but for some keys; the caller makes sure that no
 *       live worker holds a claim on them (a claim is left alone).
 *   (2) seen/ goes first, so that queue_recover never relinks a forgotten
 *       item; killed midway, calling it again finishes the job.
 */
int queue_forget_matching(Queue *q, int (*match)(const char *key, void *arg),
                          void *arg, int *pn)
{
    static const int order[] = {QD_SEEN, QD_QUEUED, QD_DONE,
                                QD_FAILED, QD_REASON, QD_CRASHES};
    int count = 0;
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        char **names;
        int n = list_dir(q->fd[order[k]], &names);
        if (n < 0)
            return -1;
        for (int i = 0; i < n; i++) {
            if (!match(names[i], arg))
                continue;
            if (unlinkat(q->fd[order[k]], names[i], 0) < 0) {
                if (errno == ENOENT)
                    continue;
                err_set_errno("%s: remove %s/%s", q->dir, qd_names[order[k]],
                              names[i]);
                names_free(names, n);
                return -1;
            }
            if (order[k] == QD_SEEN)
                count++;
        }
        names_free(names, n);
    }
    cache_clear(q);
    if (pn)
        *pn = count;
    return 0;
}

/**
 * Read the text of any item ever enqueued (seen/ links every item).
 *
 * @param[in]  q      queue
 * @param[in]  key    the item's key
 * @param[out] ptext  its text (caller frees)
 * @return 0 or -1
 */
int queue_read_item(Queue *q, const char *key, char **ptext)
{
    *ptext = NULL;
    if (!queue_key_valid(key))
        return err_set("%s: bad key '%s'", q->dir, key);
    *ptext = fs_read_at(q->fd[QD_SEEN], key, QUEUE_MAX_ITEM, NULL);
    return *ptext ? 0 : -1;
}

/**
 * The keys of every item ever enqueued (seen/), sorted.
 *
 * @param[in]  q       queue
 * @param[out] pkeys   array of n keys (caller frees each and the array)
 * @return n, or -1
 */
int queue_list_seen(Queue *q, char ***pkeys)
{
    int n = list_dir(q->fd[QD_SEEN], pkeys);
    if (n > 1)
        qsort(*pkeys, (size_t)n, sizeof **pkeys, cmp_str);
    return n;
}

static int count_dir(int dfd)
{
    char **names;
    int n = list_dir(dfd, &names);
    if (n > 0)
        names_free(names, n);
    return n;
}

int queue_get_counts(Queue *q, QueueCounts *pc)
{
    /* forward order of the moves, so an item in flight is seen at most
     * in a later state than the one it left */
    pc->total = count_dir(q->fd[QD_SEEN]);
    pc->queued = count_dir(q->fd[QD_QUEUED]);
    pc->claimed = count_dir(q->fd[QD_CLAIMED]);
    pc->done = count_dir(q->fd[QD_DONE]);
    pc->failed = count_dir(q->fd[QD_FAILED]);
    if (pc->total < 0 || pc->queued < 0 || pc->claimed < 0 || pc->done < 0 ||
        pc->failed < 0)
        return -1;
    return 0;
}

int queue_has_key(Queue *q, QueueState state, const char *key)
{
    static const int map[] = {QD_QUEUED, QD_CLAIMED, QD_DONE, QD_FAILED};
    struct stat st;
    if (state == QUEUE_CLAIMED)
        return -1; /* claims carry a suffix; use queue_list */
    return fstatat(q->fd[map[state]], key, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/**
 * List the items in one state.
 *
 * @param[in]  q         queue
 * @param[in]  state     which folder
 * @param[out] pentries  array of n entries (caller frees with
 *                       queue_entries_destroy()); claimed ones carry host,
 *                       pid, age; failed ones their reason
 * @param[out] pn        count
 * @return 0 or -1
 */
int queue_list(Queue *q, QueueState state, QueueEntry **pentries, int *pn)
{
    static const int map[] = {QD_QUEUED, QD_CLAIMED, QD_DONE, QD_FAILED};
    char **names;
    int n = list_dir(q->fd[map[state]], &names);
    if (n < 0)
        return -1;
    if (n > 1)
        qsort(names, (size_t)n, sizeof *names, cmp_str);
    QueueEntry *e = calloc((size_t)(n ? n : 1), sizeof *e);
    if (!e) {
        names_free(names, n);
        return err_set("out of memory");
    }
    int m = 0;
    for (int i = 0; i < n; i++) {
        QueueEntry *x = &e[m];
        if (state == QUEUE_CLAIMED) {
            char buf[512], *key, *host;
            long pid;
            unsigned long long start;
            struct stat st;
            snprintf(buf, sizeof buf, "%s", names[i]);
            if (parse_claim(buf, &key, &host, &pid, &start) < 0)
                continue;
            x->key = strdup(key);
            x->host = strdup(host);
            x->pid = pid;
            if (fstatat(q->fd[QD_CLAIMED], names[i], &st,
                        AT_SYMLINK_NOFOLLOW) == 0)
                x->age_s = st_age(&st);
        } else {
            x->key = strdup(names[i]);
            if (state == QUEUE_FAILED) {
                x->reason = fs_read_at(q->fd[QD_REASON], names[i], 4096, NULL);
                if (x->reason)
                    x->reason[strcspn(x->reason, "\n")] = '\0';
                else
                    x->reason = strdup("(no reason recorded)");
            }
        }
        m++;
    }
    names_free(names, n);
    *pentries = e;
    *pn = m;
    return 0;
}

void queue_entries_destroy(QueueEntry **pentries, int n)
{
    if (!pentries || !*pentries)
        return;
    for (int i = 0; i < n; i++) {
        free((*pentries)[i].key);
        free((*pentries)[i].host);
        free((*pentries)[i].reason);
    }
    free(*pentries);
    *pentries = NULL;
}

void queue_item_destroy(QueueItem **pitem)
{
    if (!pitem || !*pitem)
        return;
    free((*pitem)->key);
    free((*pitem)->claim);
    free((*pitem)->text);
    free(*pitem);
    *pitem = NULL;
}

char *queue_text_get(const char *text, const char *field)
{
    size_t fl = strlen(field);
    const char *p = text;
    while (p && *p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > fl && !strncmp(p, field, fl) && p[fl] == '=')
            return strndup(p + fl + 1, len - fl - 1);
        p = eol ? eol + 1 : NULL;
    }
    return NULL;
}
