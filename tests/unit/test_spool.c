/*
 * test_spool.c - pipeline/spool.c: opening a job's spool, expanding and
 * submitting its inputs, recovering claims (dead pid here, live pid, other
 * host after the lease) and the temp files of dead writers, settling the
 * files of failed pages, retry, and the counts that status shows.
 */
#include "tests/unit/spool_fixture.h"

#include <errno.h>

#include "common/fsutil.h"

/* The one ingest item's text whose rel= is rel (caller frees), or NULL. */
static char *ingest_text_of(Spool *sp, const char *rel, char *key,
                            size_t key_size)
{
    Queue *q = spool_get_queue(sp, STAGE_INGEST);
    QueueEntry *e = NULL;
    int n = 0;
    char *found = NULL;
    if (queue_list(q, QUEUE_QUEUED, &e, &n) < 0)
        return NULL;
    for (int i = 0; i < n && !found; i++) {
        char path[1400];
        snprintf(path, sizeof path, "%s/queued/%s", queue_get_dir(q),
                 e[i].key);
        char *text = sfx_slurp(path, NULL);
        char *r = text ? queue_text_get(text, "rel") : NULL;
        if (r && !strcmp(r, rel)) {
            found = text;
            text = NULL;
            snprintf(key, key_size, "%s", e[i].key);
        }
        free(r);
        free(text);
    }
    queue_entries_destroy(&e, n);
    return found;
}

/* 1 if key is "f" and 16 lower-case hex digits. */
static int is_file_key(const char *key)
{
    if (key[0] != 'f' || strlen(key) != 17)
        return 0;
    for (int i = 1; i < 17; i++)
        if (!strchr("0123456789abcdef", key[i]))
            return 0;
    return 1;
}

static void spool_stage_of_name__every_stage__its_index(void)
{
    for (int s = 0; s < STAGE_N; s++)
        CHECK(spool_stage_of_name(spool_stage_names[s]) == s);
    CHECK(spool_stage_of_name("recognise") == -1);
    CHECK(spool_stage_of_name("") == -1);
    CHECK(strcmp(spool_stage_names[STAGE_BINARIZE], "binarize") == 0);
}

static void spool_open__fresh_job__queues_art_and_output_made(void)
{
    char dir[1000], path[1400];
    sfx_case(dir, sizeof dir, "open");
    Job *job = sfx_job(dir, NULL);
    Spool *sp = job ? spool_open(job) : NULL;
    CHECK(sp != NULL);
    if (!sp) {
        job_destroy(&job);
        return;
    }
    CHECK(spool_get_job(sp) == job);
    for (int s = 0; s < STAGE_N; s++) {
        snprintf(path, sizeof path, "spool/%s/queued", spool_stage_names[s]);
        CHECK(sfx_exists(dir, path));
        snprintf(path, sizeof path, "%s/spool/%s", dir, spool_stage_names[s]);
        CHECK(strcmp(queue_get_dir(spool_get_queue(sp, (SpoolStage)s)),
                     path) == 0);
        QueueCounts c = sfx_counts(sp, (SpoolStage)s);
        CHECK(c.total == 0 && c.queued == 0);
    }
    CHECK(sfx_exists(dir, "spool/art"));
    CHECK(sfx_exists(dir, "out"));
    snprintf(path, sizeof path, "%s/spool/art", dir);
    CHECK(strcmp(spool__art_dir(sp), path) == 0);
    CHECK(spool__art_fd(sp) >= 0 && spool__out_fd(sp) >= 0);
    spool_destroy(&sp);
    CHECK(sp == NULL);
    spool_destroy(&sp); /* NULL: no-op */
    /* opened again: the same spool */
    sp = spool_open(job);
    CHECK(sp != NULL);
    spool_destroy(&sp);
    job_destroy(&job);
}

static void spool_open__art_is_symlink__refused_naming_spool(void)
{
    char dir[1000], path[1400], target[1400];
    sfx_case(dir, sizeof dir, "artlink");
    Job *job = sfx_job(dir, NULL);
    snprintf(path, sizeof path, "%s/spool", dir);
    mkdir(path, 0777);
    snprintf(target, sizeof target, "%s/elsewhere", dir);
    mkdir(target, 0777);
    snprintf(path, sizeof path, "%s/spool/art", dir);
    CHECK(symlink(target, path) == 0);
    Spool *sp = job ? spool_open(job) : NULL;
    CHECK(sp == NULL);
    CHECK(strstr(err_get(), "spool") && strstr(err_get(), "'art'"));
    spool_destroy(&sp);
    job_destroy(&job);
}

static void spool_open__output_dir_is_a_file__refused(void)
{
    char dir[1000], path[1400];
    sfx_case(dir, sizeof dir, "outfile");
    Job *job = sfx_job(dir, NULL);
    snprintf(path, sizeof path, "%s/out", dir);
    FILE *fp = fopen(path, "w");
    if (fp)
        fclose(fp);
    Spool *sp = job ? spool_open(job) : NULL;
    CHECK(sp == NULL);
    CHECK(strncmp(err_get(), "output.dir", 10) == 0);
    spool_destroy(&sp);
    job_destroy(&job);
}

static void spool_submit__folder_tree__one_ingest_item_per_image(void)
{
    char dir[1000], key[64], want[1400];
    sfx_case(dir, sizeof dir, "submit");
    CHECK(sfx_png(dir, "a.png", 0) == 0);
    CHECK(sfx_png(dir, "box/b.PNG", 1) == 0); /* any case */
    CHECK(sfx_png(dir, "box/deep/c.png", 2) == 0);
    CHECK(sfx_file(dir, "notes.txt", "not an image\n") == 0);
    CHECK(sfx_png(dir, ".hidden.png", 3) == 0);
    Job *job = sfx_job(dir, NULL);
    Spool *sp = job ? spool_open(job) : NULL;
    if (!sp) {
        job_destroy(&job);
        CHECK(0);
        return;
    }
    int n_new = -1, n_known = -1;
    CHECK(spool_submit(sp, &n_new, &n_known) == 0);
    CHECK(n_new == 3 && n_known == 0);
    QueueCounts c = sfx_counts(sp, STAGE_INGEST);
    CHECK(c.queued == 3 && c.total == 3);
    /* the output path is the path below the input folder without the
     * extension; the key is the file's; the item names its source */
    char *text = ingest_text_of(sp, "box/deep/c", key, sizeof key);
    CHECK(text != NULL);
    if (text) {
        CHECK(is_file_key(key));
        char *v = queue_text_get(text, "file");
        CHECK(v && !strcmp(v, key));
        free(v);
        v = queue_text_get(text, "src");
        snprintf(want, sizeof want, "%s/in/box/deep/c.png", dir);
        CHECK(v && !strcmp(v, want));
        free(v);
    }
    free(text);
    char key2[64];
    text = ingest_text_of(sp, "box/b", key2, sizeof key2);
    CHECK(text != NULL && strcmp(key, key2) != 0);
    free(text);
    text = ingest_text_of(sp, "a", key2, sizeof key2);
    CHECK(text != NULL);
    free(text);
    CHECK(ingest_text_of(sp, "notes", key2, sizeof key2) == NULL);
    CHECK(ingest_text_of(sp, ".hidden", key2, sizeof key2) == NULL);
    spool_destroy(&sp);
    job_destroy(&job);
}

static void spool_submit__again__only_new_files_enqueued(void)
{
    char dir[1000], k1[64], k2[64];
    sfx_case(dir, sizeof dir, "resubmit");
    sfx_png(dir, "a.png", 0);
    sfx_png(dir, "b.png", 1);
    Job *job = sfx_job(dir, NULL);
    Spool *sp = job ? spool_open(job) : NULL;
    if (!sp) {
        job_destroy(&job);
        CHECK(0);
        return;
    }
    int n_new = -1, n_known = -1;
    CHECK(spool_submit(sp, &n_new, &n_known) == 0 && n_new == 2);
    char *t = ingest_text_of(sp, "a", k1, sizeof k1);
    free(t);
    CHECK(spool_submit(sp, &n_new, &n_known) == 0);
    CHECK(n_new == 0 && n_known == 2);
    /* a file added later is the only one enqueued; the old keys stay */
    sfx_png(dir, "c.png", 2);
    CHECK(spool_submit(sp, &n_new, &n_known) == 0);
    CHECK(n_new == 1 && n_known == 2);
    t = ingest_text_of(sp, "a", k2, sizeof k2);
    free(t);
    CHECK(!strcmp(k1, k2));
    /* still known once the item is done (seen/), whatever state it is in */
    QueueItem *it = NULL;
    Queue *q = spool_get_queue(sp, STAGE_INGEST);
    CHECK(queue_claim(q, &it) == 1 && queue_complete(q, it) == 0);
    queue_item_destroy(&it);
    CHECK(spool_submit(sp, &n_new, NULL) == 0 && n_new == 0);
    QueueCounts c = sfx_counts(sp, STAGE_INGEST);
    CHECK(c.total == 3 && c.queued == 2 && c.done == 1);
    spool_destroy(&sp);
    job_destroy(&job);
}

static void spool_submit__same_stem__both_keep_their_extension(void)
{
    char dir[1000], key[64], key2[64];
    sfx_case(dir, sizeof dir, "stem");
    sfx_png(dir, "a.png", 0);
    sfx_png(dir, "x.png", 1);
    sfx_tiff(dir, "x.tif", 1, NULL);
    Job *job = sfx_job(dir, NULL);
    Spool *sp = job ? spool_open(job) : NULL;
    if (!sp) {
        job_destroy(&job);
        CHECK(0);
        return;
    }
    int n_new = -1, n_known = -1;
    CHECK(spool_submit(sp, &n_new, NULL) == 0);
    CHECK(n_new == 3);
    char *a = ingest_text_of(sp, "a", key, sizeof key);
    char *x1 = ingest_text_of(sp, "x.png", key, sizeof key);
    char *x2 = ingest_text_of(sp, "x.tif", key2, sizeof key2);
    CHECK(a && x1 && x2);
    CHECK(x1 && strstr(x1, "in/x.png\n"));
    CHECK(x2 && strstr(x2, "in/x.tif\n"));
    free(a);
    free(x1);
    free(x2);
    /* the same names on the next submit: nothing new */
    CHECK(spool_submit(sp, &n_new, &n_known) == 0);
    CHECK(n_new == 0 && n_known == 3);
    spool_destroy(&sp);
    job_destroy(&job);
}

/* The content hash recorded in SPOOL/inputs is part of the spool format:
 * a spool written by an earlier build must find its inputs unchanged.
 * The expected value is the hash (four lanes of little-endian words, the
 * tail bytes, the length) of these 1000 bytes as every build since
 * SPOOL/inputs version 2 has written it. */
static void spool_submit__known_bytes__content_hash_as_earlier_builds(void)
{
    char dir[1000], path[1400];
    sfx_case(dir, sizeof dir, "hash");
    snprintf(path, sizeof path, "%s/in/h.png", dir);
    FILE *fp = fopen(path, "wb");
    CHECK(fp != NULL);
    if (!fp)
        return;
    for (int i = 0; i < 1000; i++) /* 31 words of 32 bytes and a tail */
        fputc((i * 7 + 3) & 0xff, fp);
    fclose(fp);
    Job *job = sfx_job(dir, NULL);
    Spool *sp = job ? spool_open(job) : NULL;
    int n_new = -1;
    CHECK(sp && spool_submit(sp, &n_new, NULL) == 0 && n_new == 1);
    snprintf(path, sizeof path, "%s/spool/inputs", dir);
    char *rec = sfx_slurp(path, NULL);
    CHECK(rec && strstr(rec, " 1000 ") &&
          strstr(rec, " faca143e64f72e0a p\t"));
    free(rec);
    spool_destroy(&sp);
    job_destroy(&job);
}

static void spool_submit__two_inputs_same_output__refused_nothing_enqueued(void)
{
    char dir[1000];
    sfx_case(dir, sizeof dir, "clash");
    sfx_png(dir, "a.png", 0);
    sfx_png(dir, "x.png", 1);
    sfx_tiff(dir, "x.tif", 1, NULL);
    /* x.png.tif keeps the name x.png, and so does x.png beside x.tif */
    sfx_tiff(dir, "x.png.tif", 1, NULL);
    Job *job = sfx_job(dir, NULL);
    Spool *sp = job ? spool_open(job) : NULL;
    if (!sp) {
        job_destroy(&job);
        CHECK(0);
        return;
    }
    int n_new = -1;
    CHECK(spool_submit(sp, &n_new, NULL) == -1);
    CHECK(strstr(err_get(), "in/x.png and") && strstr(err_get(), "in/x.png.tif"));
    CHECK(strstr(err_get(), "/x.png.*; rename one") != NULL);
    CHECK(n_new == -1); /* not written on error */
    QueueCounts c = sfx_counts(sp, STAGE_INGEST);
    CHECK(c.total == 0); /* not even a.png */
    spool_destroy(&sp);
    job_destroy(&job);
}

static void spool_submit__symlinks__folder_skipped_file_read(void)
{
    char dir[1000], path[1400], target[1400], key[64];
    sfx_case(dir, sizeof dir, "links");
    sfx_png(dir, "a.png", 0);
    /* a loop: in/loop -> in */
    snprintf(path, sizeof path, "%s/in/loop", dir);
    snprintf(target, sizeof target, "%s/in", dir);
    CHECK(symlink(target, path) == 0);
    /* a symlinked file elsewhere is read */
    snprintf(target, sizeof target, "%s/real.png", dir);
    snprintf(path, sizeof path, "%s/in/a.png", dir);
    CHECK(link(path, target) == 0);
    snprintf(path, sizeof path, "%s/in/linked.png", dir);
    CHECK(symlink(target, path) == 0);
    /* a dangling symlink is skipped */
    snprintf(path, sizeof path, "%s/in/dangling.png", dir);
    CHECK(symlink("/nonexistent/x.png", path) == 0);
    Job *job = sfx_job(dir, NULL);
    Spool *sp = job ? spool_open(job) : NULL;
    if (!sp) {
        job_destroy(&job);
        CHECK(0);
        return;
    }
    int n_new = -1;
    CHECK(spool_submit(sp, &n_new, NULL) == 0);
    CHECK(n_new == 2);
    char *t = ingest_text_of(sp, "linked", key, sizeof key);
    CHECK(t != NULL);
    free(t);
    spool_destroy(&sp);
    job_destroy(&job);
}

static void spool_submit__input_missing__error_names_path(void)
{
    char dir[1000];
    sfx_case(dir, sizeof dir, "missing");
    Job *job = sfx_job(dir, NULL);
    char path[1400];
    snprintf(path, sizeof path, "%s/in", dir);
    rmdir(path);
    Spool *sp = job ? spool_open(job) : NULL;
    if (!sp) {
        job_destroy(&job);
        CHECK(0);
        return;
    }
    CHECK(spool_submit(sp, NULL, NULL) == -1);
    CHECK(strstr(err_get(), "input ") && strstr(err_get(), path));
    CHECK(err_get_errno() == ENOENT);
    spool_destroy(&sp);
    job_destroy(&job);
}

static void spool_submit__file_named_in_job__taken_whatever_extension(void)
{
    char dir[1000], key[64];
    sfx_case(dir, sizeof dir, "named");
    sfx_file(dir, "scan.dat", "whatever\n");
    char path[1200];
    snprintf(path, sizeof path, "%s/job.yaml", dir);
    FILE *fp = fopen(path, "w");
    if (fp) {
        fputs("input:\n  paths: [in/scan.dat]\noutput:\n  dir: out\n", fp);
        fclose(fp);
    }
    Job *job = job_load(path);
    Spool *sp = job ? spool_open(job) : NULL;
    if (!sp) {
        job_destroy(&job);
        CHECK(0);
        return;
    }
    int n_new = -1;
    CHECK(spool_submit(sp, &n_new, NULL) == 0 && n_new == 1);
    char *t = ingest_text_of(sp, "scan", key, sizeof key);
    CHECK(t != NULL);
    free(t);
    spool_destroy(&sp);
    job_destroy(&job);
}

/* A spool with n page items queued at stage st (file key fF, pages
 * p0000..), for the recovery cases. */
static Spool *spool_with_items(char *dir, size_t size, const char *name,
                               const char *extra, Job **pjob, SpoolStage st,
                               int n)
{
    sfx_case(dir, size, name);
    *pjob = sfx_job(dir, extra);
    Spool *sp = *pjob ? spool_open(*pjob) : NULL;
    for (int p = 0; sp && p < n; p++)
        sfx_enqueue_page(sp, st, "/x/a.tif", "a", "f00000000000000aa", p, n);
    return sp;
}

static void spool_recover__claim_of_dead_pid__requeued(void)
{
    char dir[1000];
    Job *job = NULL;
    Spool *sp = spool_with_items(dir, sizeof dir, "dead", NULL, &job,
                                 STAGE_SEGMENT, 2);
    CHECK(sp != NULL);
    if (!sp) {
        job_destroy(&job);
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        QueueItem *it = NULL;
        if (queue_claim(spool_get_queue(sp, STAGE_SEGMENT), &it) != 1)
            _exit(1);
        raise(SIGKILL); /* die holding the claim */
        _exit(2);
    }
    int st;
    waitpid(pid, &st, 0);
    CHECK(WIFSIGNALED(st));
    QueueCounts c = sfx_counts(sp, STAGE_SEGMENT);
    CHECK(c.claimed == 1 && c.queued == 1);
    int n = -1;
    CHECK(spool_recover(sp, &n) == 0);
    CHECK(n == 1);
    c = sfx_counts(sp, STAGE_SEGMENT);
    CHECK(c.claimed == 0 && c.queued == 2);
    CHECK(spool_recover(sp, &n) == 0 && n == 0);
    CHECK(spool_recover(sp, NULL) == 0);
    spool_destroy(&sp);
    job_destroy(&job);
}

static void spool_recover__claim_of_live_pid__kept(void)
{
    char dir[1000];
    Job *job = NULL;
    Spool *sp = spool_with_items(dir, sizeof dir, "live", NULL, &job,
                                 STAGE_RECOGNIZE, 1);
    CHECK(sp != NULL);
    if (!sp) {
        job_destroy(&job);
        return;
    }
    int ready[2];
    CHECK(pipe(ready) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        /* another live worker: claims, says so, then waits to be killed */
        QueueItem *it = NULL;
        char ok = queue_claim(spool_get_queue(sp, STAGE_RECOGNIZE), &it) == 1
                      ? 'y'
                      : 'n';
        if (write(ready[1], &ok, 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    char ok = 0;
    CHECK(read(ready[0], &ok, 1) == 1 && ok == 'y');
    int n = -1;
    CHECK(spool_recover(sp, &n) == 0 && n == 0);
    QueueCounts c = sfx_counts(sp, STAGE_RECOGNIZE);
    CHECK(c.claimed == 1 && c.queued == 0);
    /* once it dies, its claim comes back */
    kill(pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    CHECK(spool_recover(sp, &n) == 0 && n == 1);
    c = sfx_counts(sp, STAGE_RECOGNIZE);
    CHECK(c.claimed == 0 && c.queued == 1);
    close(ready[0]);
    close(ready[1]);
    spool_destroy(&sp);
    job_destroy(&job);
}

/* Rename CASE/spool/STAGE/queued/KEY to a claim named KEY~HOLDER. */
static void plant_claim(const char *dir, SpoolStage st, const char *key,
                        const char *holder)
{
    char from[1400], to[1600];
    snprintf(from, sizeof from, "%s/spool/%s/queued/%s", dir,
             spool_stage_names[st], key);
    snprintf(to, sizeof to, "%s/spool/%s/claimed/%s~%s", dir,
             spool_stage_names[st], key, holder);
    if (rename(from, to) < 0)
        printf("  cannot plant claim %s\n", to);
}

static void spool_recover__claim_of_reused_pid__requeued(void)
{
    char dir[1000], holder[400];
    Job *job = NULL;
    Spool *sp = spool_with_items(dir, sizeof dir, "reused", NULL, &job,
                                 STAGE_BINARIZE, 1);
    CHECK(sp != NULL);
    if (!sp) {
        job_destroy(&job);
        return;
    }
    /* our own pid, but a start time that is not ours: the holder died and
     * the pid was given to this process */
    snprintf(holder, sizeof holder, "%s~%ld~1", queue_host(), (long)getpid());
    plant_claim(dir, STAGE_BINARIZE, "f00000000000000aa-p0000", holder);
    int n = -1;
    CHECK(spool_recover(sp, &n) == 0 && n == 1);
    QueueCounts c = sfx_counts(sp, STAGE_BINARIZE);
    CHECK(c.claimed == 0 && c.queued == 1);
    spool_destroy(&sp);
    job_destroy(&job);
}

static void spool_recover__claim_of_other_host__only_after_lease(void)
{
    char dir[1000];
    Job *job = NULL;
    Spool *sp = spool_with_items(dir, sizeof dir, "foreign",
                                 "lease:\n  seconds: 1\n", &job,
                                 STAGE_OUTPUT, 1);
    CHECK(sp != NULL);
    if (!sp) {
        job_destroy(&job);
        return;
    }
    /* a pid that is dead here means nothing for another host */
    char holder[200];
    snprintf(holder, sizeof holder, "otherhost~%ld~99", sfx_dead_pid());
    plant_claim(dir, STAGE_OUTPUT, "f00000000000000aa-p0000", holder);
    int n = -1;
    CHECK(spool_recover(sp, &n) == 0 && n == 0);
    CHECK(sfx_counts(sp, STAGE_OUTPUT).claimed == 1);
    /* the rename set its ctime to now: wait out the 1 s lease */
    usleep(1300 * 1000);
    CHECK(spool_recover(sp, &n) == 0 && n == 1);
    QueueCounts c = sfx_counts(sp, STAGE_OUTPUT);
    CHECK(c.claimed == 0 && c.queued == 1);
    spool_destroy(&sp);
    job_destroy(&job);
}

/* Create CASE/REL empty. */
static void touch(const char *dir, const char *rel)
{
    char path[1400];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *fp = fopen(path, "w");
    if (fp)
        fclose(fp);
}

static void spool_recover__art_temps__only_old_ones_of_dead_writers_removed(void)
{
    char dir[1000], dead_old[200], dead_young[200], live_old[200];
    Job *job = NULL;
    Spool *sp = spool_with_items(dir, sizeof dir, "arttemps", NULL, &job,
                                 STAGE_BINARIZE, 0);
    CHECK(sp != NULL);
    if (!sp) {
        job_destroy(&job);
        return;
    }
    long dead = sfx_dead_pid();
    snprintf(dead_old, sizeof dead_old, "spool/art/.f1-p0000.tif.tmp.%ld.0",
             dead);
    snprintf(dead_young, sizeof dead_young,
             "spool/art/.f1-p0001.tif.tmp.%ld.1", dead);
    snprintf(live_old, sizeof live_old, "spool/art/.f1-p0002.tif.tmp.%ld.2",
             (long)getpid());
    touch(dir, dead_old);
    touch(dir, dead_young);
    touch(dir, live_old);
    touch(dir, "spool/art/f1-p0003.tif"); /* a published artifact */
    touch(dir, "spool/art/f1-p0004.tif");
    /* older than the page timeout (60 s) plus a minute */
    sfx_age(dir, dead_old, 200);
    sfx_age(dir, live_old, 200);
    sfx_age(dir, "spool/art/f1-p0003.tif", 10000);
    sfx_age(dir, dead_young, 30);
    int n = -1;
    CHECK(spool_recover(sp, &n) == 0 && n == 0);
    CHECK(!sfx_exists(dir, dead_old));
    CHECK(sfx_exists(dir, dead_young)); /* a slow writer elsewhere? */
    CHECK(sfx_exists(dir, live_old));   /* its writer is alive */
    CHECK(sfx_exists(dir, "spool/art/f1-p0003.tif"));
    CHECK(sfx_exists(dir, "spool/art/f1-p0004.tif"));
    spool_destroy(&sp);
    job_destroy(&job);
}

static void spool_recover__output_claim_of_dead_worker__requeued_tree_untouched(void)
{
    char dir[1000], dead_tmp[200], live_tmp[200], holder[200], path[1400];
    Job *job = NULL;
    Spool *sp = spool_with_items(dir, sizeof dir, "outtemps", NULL, &job,
                                 STAGE_OUTPUT, 1);
    CHECK(sp != NULL);
    if (!sp) {
        job_destroy(&job);
        return;
    }
    long dead = sfx_dead_pid();
    snprintf(path, sizeof path, "%s/out/box/deep", dir);
    CHECK(fs_mkdirs(path) == 0);
    snprintf(dead_tmp, sizeof dead_tmp, "out/box/deep/.c.hocr.tmp.%ld.0",
             dead);
    snprintf(live_tmp, sizeof live_tmp, "out/box/.b.txt.tmp.%ld.0",
             (long)getpid());
    touch(dir, dead_tmp);
    touch(dir, live_tmp);
    touch(dir, "out/box/b.txt");
    /* a healthy recover does not walk the output tree */
    int n = -1;
    CHECK(spool_recover(sp, &n) == 0 && n == 0);
    CHECK(sfx_exists(dir, dead_tmp));
    /* an output worker died holding its claim: the claim is taken back;
     * the output tree is not walked (a worker on another host may be
     * writing there): what the dead worker staged is swept by the next
     * holder of the item (test_stage, tests/cli/test_crash.sh) */
    snprintf(holder, sizeof holder, "%s~%ld~0", queue_host(), dead);
    plant_claim(dir, STAGE_OUTPUT, "f00000000000000aa-p0000", holder);
    CHECK(spool_recover(sp, &n) == 0 && n == 1);
    CHECK(sfx_exists(dir, dead_tmp));
    CHECK(sfx_exists(dir, live_tmp));
    CHECK(sfx_exists(dir, "out/box/b.txt"));
    spool_destroy(&sp);
    job_destroy(&job);
}

#define FK "f0123456789abcdef"

/* Make art/F-pNNNN.rec (a recognised page, as far as settling goes). */
static void fake_rec(const char *dir, int page)
{
    char rel[200];
    snprintf(rel, sizeof rel, "spool/art/%s-p%04d.rec", FK, page);
    touch(dir, rel);
}

static void spool_settle_failed__last_page_failed__output_enqueued(void)
{
    char dir[1000];
    sfx_case(dir, sizeof dir, "settle");
    Job *job = sfx_job(dir, NULL);
    Spool *sp = job ? spool_open(job) : NULL;
    if (!sp) {
        job_destroy(&job);
        CHECK(0);
        return;
    }
    /* page 1 of 3 recognised, page 2 failed in segment, page 3 failed in
     * binarize */
    fake_rec(dir, 0);
    sfx_enqueue_page(sp, STAGE_SEGMENT, "/s/a.tif", "sub/a", FK, 1, 3);
    CHECK(sfx_fail_next(sp, STAGE_SEGMENT, "no ink") == 0);
    CHECK(spool_settle_failed(sp) == 0);
    /* page 3 still pending: not settled */
    CHECK(sfx_counts(sp, STAGE_OUTPUT).total == 0);
    sfx_enqueue_page(sp, STAGE_BINARIZE, "/s/a.tif", "sub/a", FK, 2, 3);
    CHECK(sfx_fail_next(sp, STAGE_BINARIZE, "too big") == 0);
    CHECK(spool_settle_failed(sp) == 0);
    QueueCounts c = sfx_counts(sp, STAGE_OUTPUT);
    CHECK(c.total == 1 && c.queued == 1);
    QueueItem *it = NULL;
    CHECK(queue_claim(spool_get_queue(sp, STAGE_OUTPUT), &it) == 1);
    if (it) {
        CHECK(strcmp(it->key, FK) == 0);
        CHECK(strcmp(it->text, "src=/s/a.tif\nrel=sub/a\nfile=" FK
                               "\npages=3\n") == 0);
    }
    queue_item_destroy(&it);
    /* settling again enqueues nothing new */
    CHECK(spool_settle_failed(sp) == 0);
    CHECK(sfx_counts(sp, STAGE_OUTPUT).total == 1);
    spool_destroy(&sp);
    job_destroy(&job);
}

static void spool_settle_failed__every_page_failed__no_output(void)
{
    char dir[1000];
    sfx_case(dir, sizeof dir, "allfailed");
    Job *job = sfx_job(dir, NULL);
    Spool *sp = job ? spool_open(job) : NULL;
    if (!sp) {
        job_destroy(&job);
        CHECK(0);
        return;
    }
    sfx_enqueue_page(sp, STAGE_RECOGNIZE, "/s/a.tif", "a", FK, 0, 2);
    sfx_enqueue_page(sp, STAGE_RECOGNIZE, "/s/a.tif", "a", FK, 1, 2);
    CHECK(sfx_fail_next(sp, STAGE_RECOGNIZE, "x") == 0);
    CHECK(sfx_fail_next(sp, STAGE_RECOGNIZE, "y") == 0);
    CHECK(spool_settle_failed(sp) == 0);
    CHECK(sfx_counts(sp, STAGE_OUTPUT).total == 0);
    /* spool_page_failed on a stage without pages: nothing to do */
    QueueItem it = {"f1", NULL, "src=/a\nrel=a\nfile=f1\n"};
    CHECK(spool_page_failed(sp, STAGE_INGEST, &it) == 0);
    CHECK(spool_page_failed(sp, STAGE_OUTPUT, &it) == 0);
    /* a page item with fields missing is an error naming the key */
    QueueItem bad = {"f1-p0000", NULL, "src=/a\nfile=f1\n"};
    CHECK(spool_page_failed(sp, STAGE_SEGMENT, &bad) == -1);
    CHECK(strstr(err_get(), "bad queue item f1-p0000") != NULL);
    spool_destroy(&sp);
    job_destroy(&job);
}

static void spool_retry__failed_page__requeued_and_output_reopened(void)
{
    char dir[1000];
    sfx_case(dir, sizeof dir, "retry");
    Job *job = sfx_job(dir, NULL);
    Spool *sp = job ? spool_open(job) : NULL;
    if (!sp) {
        job_destroy(&job);
        CHECK(0);
        return;
    }
    /* file FK: page 1 recognised, page 2 failed in recognize, output done
     * without it; another file failed at ingest */
    fake_rec(dir, 0);
    sfx_enqueue_page(sp, STAGE_RECOGNIZE, "/s/a.tif", "a", FK, 1, 2);
    CHECK(sfx_fail_next(sp, STAGE_RECOGNIZE, "crashed: signal 11") == 0);
    CHECK(spool_settle_failed(sp) == 0);
    Queue *outq = spool_get_queue(sp, STAGE_OUTPUT);
    QueueItem *it = NULL;
    CHECK(queue_claim(outq, &it) == 1 && queue_complete(outq, it) == 0);
    queue_item_destroy(&it);
    queue_enqueue(spool_get_queue(sp, STAGE_INGEST), "f2",
                  "src=/s/b.png\nrel=b\nfile=f2\n");
    CHECK(sfx_fail_next(sp, STAGE_INGEST, "cannot decode") == 0);

    int n = -1;
    CHECK(spool_retry(sp, &n) == 0);
    CHECK(n == 2);
    QueueCounts r = sfx_counts(sp, STAGE_RECOGNIZE);
    CHECK(r.queued == 1 && r.failed == 0);
    QueueCounts i = sfx_counts(sp, STAGE_INGEST);
    CHECK(i.queued == 1 && i.failed == 0);
    /* the output is to be written again, whole, once the page is through */
    QueueCounts o = sfx_counts(sp, STAGE_OUTPUT);
    CHECK(o.done == 0 && o.total == 0);
    CHECK(spool_retry(sp, &n) == 0 && n == 0);
    spool_destroy(&sp);
    job_destroy(&job);
}

static void spool_counts__a_job_in_progress__per_stage_states(void)
{
    char dir[1000];
    sfx_case(dir, sizeof dir, "counts");
    sfx_png(dir, "a.png", 0);
    sfx_png(dir, "b.png", 1);
    sfx_png(dir, "c.png", 2);
    Job *job = sfx_job(dir, NULL);
    Spool *sp = job ? spool_open(job) : NULL;
    if (!sp) {
        job_destroy(&job);
        CHECK(0);
        return;
    }
    CHECK(spool_submit(sp, NULL, NULL) == 0);
    Queue *q = spool_get_queue(sp, STAGE_INGEST);
    QueueItem *a = NULL, *b = NULL;
    CHECK(queue_claim(q, &a) == 1 && queue_complete(q, a) == 0);
    CHECK(queue_claim(q, &b) == 1 && queue_fail(q, b, "bad") == 0);
    queue_item_destroy(&a);
    queue_item_destroy(&b);
    CHECK(queue_claim(q, &a) == 1); /* held */
    QueueCounts c = sfx_counts(sp, STAGE_INGEST);
    CHECK(c.total == 3 && c.done == 1 && c.failed == 1 && c.claimed == 1 &&
          c.queued == 0);
    for (int s = STAGE_BINARIZE; s < STAGE_N; s++) {
        c = sfx_counts(sp, (SpoolStage)s);
        CHECK(c.total == 0);
    }
    CHECK(queue_release(q, a) == 0);
    queue_item_destroy(&a);
    c = sfx_counts(sp, STAGE_INGEST);
    CHECK(c.claimed == 0 && c.queued == 1);
    spool_destroy(&sp);
    job_destroy(&job);
}

int main(void)
{
    RUN(spool_stage_of_name__every_stage__its_index);
    RUN(spool_open__fresh_job__queues_art_and_output_made);
    RUN(spool_open__art_is_symlink__refused_naming_spool);
    RUN(spool_open__output_dir_is_a_file__refused);
    RUN(spool_submit__folder_tree__one_ingest_item_per_image);
    RUN(spool_submit__again__only_new_files_enqueued);
    RUN(spool_submit__same_stem__both_keep_their_extension);
    RUN(spool_submit__known_bytes__content_hash_as_earlier_builds);
    RUN(spool_submit__two_inputs_same_output__refused_nothing_enqueued);
    RUN(spool_submit__symlinks__folder_skipped_file_read);
    RUN(spool_submit__input_missing__error_names_path);
    RUN(spool_submit__file_named_in_job__taken_whatever_extension);
    RUN(spool_recover__claim_of_dead_pid__requeued);
    RUN(spool_recover__claim_of_live_pid__kept);
    RUN(spool_recover__claim_of_reused_pid__requeued);
    RUN(spool_recover__claim_of_other_host__only_after_lease);
    RUN(spool_recover__art_temps__only_old_ones_of_dead_writers_removed);
    RUN(spool_recover__output_claim_of_dead_worker__requeued_tree_untouched);
    RUN(spool_settle_failed__last_page_failed__output_enqueued);
    RUN(spool_settle_failed__every_page_failed__no_output);
    RUN(spool_retry__failed_page__requeued_and_output_reopened);
    RUN(spool_counts__a_job_in_progress__per_stage_states);
    TEST_EXIT();
}
