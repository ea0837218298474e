/*
 * queue.h - one on-disk work queue per pipeline stage, safe against
 * kill -9 at any instruction and shared by workers on several hosts.
 *
 * Files (prefix queue_):
 *   queue.c   open/destroy, enqueue, claim, complete/fail, heartbeat,
 *             recover, retry, reopen, requeue_all/clear (a stage redone),
 *             counts and listings
 *
 * Layout of STAGE_DIR (created by queue_open):
 *   seen/KEY      every item ever enqueued (hard link to the item's inode)
 *   queued/KEY    waiting
 *   claimed/KEY~HOST~PID~START   held by a worker (mtime = heartbeat)
 *   done/KEY      finished
 *   failed/KEY    failed; reason/KEY holds the reason (one line)
 *   tmp/          files being written (temp + rename / link)
 *   stage/KEY/    what the holder of KEY's claim stages before publishing
 *                 it (its next items, its artifacts; stage.c): emptied by
 *                 each new holder first, so a holder that lost its claim
 *                 cannot publish after the next one started
 *   crashes/KEY   how often KEY's stage process was killed by a signal
 * An item is one small immutable text file ("field=value" lines). It moves
 * between states only by rename(), which is atomic, so it is always in
 * exactly one state and two workers can never claim the same item. seen/
 * makes enqueue idempotent: link() into seen/ fails with EEXIST when the key
 * was ever enqueued. The item file's link count tells a lost enqueue (the
 * enqueuer died between seen/ and queued/) apart: queue_recover relinks it.
 * Only plain names ([A-Za-z0-9._-]) are accepted; every file is opened
 * relative to a directory fd with O_NOFOLLOW, so a symlink planted in the
 * spool is refused, never followed.
 * Threading: a Queue is used by one thread; any number of processes may
 * share the directory.
 */
#ifndef INKPIPE_QUEUE_H
#define INKPIPE_QUEUE_H

#include <stddef.h>
#include <sys/types.h>

typedef struct Queue Queue;

typedef struct {
    char *key;   /* item key */
    char *claim; /* name under claimed/ */
    char *text;  /* the item's content */
} QueueItem;

typedef struct {
    int queued, claimed, done, failed;
    int total; /* ever enqueued (seen/) */
} QueueCounts;

typedef enum {
    QUEUE_QUEUED,
    QUEUE_CLAIMED,
    QUEUE_DONE,
    QUEUE_FAILED
} QueueState;

/* One listed item: for claimed ones host/pid/age, for failed ones reason. */
typedef struct {
    char *key;
    char *host;     /* claimed: holder's host */
    long pid;       /* claimed: holder's pid */
    double age_s;   /* claimed: seconds since the last heartbeat */
    char *reason;   /* failed: the reason */
} QueueEntry;

Queue *queue_open(const char *dir);
void queue_destroy(Queue **pq);
const char *queue_get_dir(const Queue *q);

/* Returned by the fenced calls when the caller's claim was taken over:
 * it must publish nothing more and leave the item alone. */
#define QUEUE_LOST (-2)

int queue_enqueue(Queue *q, const char *key, const char *text);
int queue_enqueue_fenced(Queue *q, const char *key, const char *text,
                         Queue *owner_q, const QueueItem *owner,
                         int stage_fd);
int queue_claim(Queue *q, QueueItem **pitem);
int queue_complete(Queue *q, const QueueItem *item);
int queue_fail(Queue *q, const QueueItem *item, const char *reason);
int queue_heartbeat(Queue *q, const QueueItem *item);
/* Give a claimed item back to queued/ untouched (the worker could not run
 * it for a reason that is not the item's, e.g. a full disk). 0 or -1. */
int queue_release(Queue *q, const QueueItem *item);
int queue_claim_held(Queue *q, const QueueItem *item);
int queue_get_stage_fd(const Queue *q);
int queue_retry_crashed(Queue *q, const QueueItem *item, char *reason,
                        size_t size, int max);
int queue_recover(Queue *q, double lease_s, int *pn);
int queue_retry(Queue *q, int *pn);
int queue_retry_key(Queue *q, const char *key);
int queue_reopen(Queue *q, const char *key);
/* Put one done item back in queued/ (its result went missing): 1, 0 (not
 * done) or -1. */
int queue_requeue_key(Queue *q, const char *key);
/* Forget every item whose key match() accepts (its input changed or went
 * away); no live claim may hold one. 0 or -1. */
int queue_forget_matching(Queue *q, int (*match)(const char *key, void *arg),
                          void *arg, int *pn);
/* The text of any item ever enqueued (seen/); 0 or -1. */
int queue_read_item(Queue *q, const char *key, char **ptext);
/* Every key ever enqueued, sorted; the count or -1. */
int queue_list_seen(Queue *q, char ***pkeys);
/* Redo a stage: every done or failed item back to queued/. 0 or -1. */
int queue_requeue_all(Queue *q, int *pn);
/* Forget every item (claims included: none may be live). 0 or -1. */
int queue_clear(Queue *q);
int queue_read_failed(Queue *q, const char *key, char **ptext);
int queue_get_counts(Queue *q, QueueCounts *pc);
int queue_list(Queue *q, QueueState state, QueueEntry **pentries, int *pn);
void queue_entries_destroy(QueueEntry **pentries, int n);
int queue_has_key(Queue *q, QueueState state, const char *key);

void queue_item_destroy(QueueItem **pitem);

/* Value of "field=" in an item's text (caller frees), or NULL. */
char *queue_text_get(const char *text, const char *field);

/* This host's name as written into claims; queue_set_host() overrides
 * gethostname() (the command line passes INKPIPE_HOST). */
void queue_set_host(const char *name);
const char *queue_host(void);

/* 1 if name is a plain key: [A-Za-z0-9._-], 1..200 bytes, not "."/"..". */
int queue_key_valid(const char *name);

/* 1 if pid is a live (non-zombie) process on this host, else 0. */
int queue_pid_alive(long pid);

#endif
