/*
 * test_stage.c - pipeline/stage.c: spool_stage_run on each of the five
 * stages with pages drawn in code and a tiny random model: the artifact
 * each stage publishes and the item it enqueues, idempotence (the same item
 * run twice writes the same bytes and enqueues nothing new), the file
 * settling into its output item, failed pages in the output, and errors
 * that name the file and the page.
 */
#include "tests/unit/spool_fixture.h"

#include "common/fsutil.h"
#include "segment/segment.h"

/* Run every queued item of stage st as a worker would: complete it, or
 * fail it with its reason (and settle its file). Returns the items run;
 * *pfailed (optional) gets how many failed. */
static int drain(Spool *sp, SpoolStage st, RecNet *net, int *pfailed)
{
    Queue *q = spool_get_queue(sp, st);
    QueueItem *it = NULL;
    int n = 0, failed = 0;
    while (queue_claim(q, &it) == 1) {
        err_clear();
        if (spool_stage_run(sp, st, it, net) == 0) {
            queue_complete(q, it);
        } else {
            failed++;
            queue_fail(q, it, err_get());
            spool_page_failed(sp, st, it);
        }
        queue_item_destroy(&it);
        n++;
    }
    if (pfailed)
        *pfailed = failed;
    return n;
}

/* A case: folder, job (extra YAML), spool with its inputs submitted. */
typedef struct {
    char dir[1000];
    Job *job;
    Spool *sp;
    RecNet *net;
} Case;

static int case_open(Case *c, const char *extra)
{
    c->job = sfx_job(c->dir, extra);
    c->sp = c->job ? spool_open(c->job) : NULL;
    c->net = sfx_net();
    if (!c->sp || !c->net || spool_submit(c->sp, NULL, NULL) < 0) {
        printf("  case setup: %s\n", err_get());
        return -1;
    }
    return 0;
}

static void case_close(Case *c)
{
    spool_destroy(&c->sp);
    job_destroy(&c->job);
    rec_net_destroy(&c->net);
}

/* Claim the next item of st (the caller runs it; NULL when none). */
static QueueItem *claim(Case *c, SpoolStage st)
{
    QueueItem *it = NULL;
    if (queue_claim(spool_get_queue(c->sp, st), &it) != 1)
        return NULL;
    return it;
}

/* The content of CASE/REL (caller frees), NULL when missing. */
static char *slurp_rel(const Case *c, const char *rel, size_t *plen)
{
    char path[2200];
    snprintf(path, sizeof path, "%s/%s", c->dir, rel);
    return sfx_slurp(path, plen);
}

/* Files in CASE/spool/art whose name holds ".tmp.". */
static int art_temps(const Case *c)
{
    char path[2200];
    snprintf(path, sizeof path, "%s/spool/art", c->dir);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        n += strstr(de->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

/* The key of the one file of the case (from its ingest item's done/). */
static int file_key(const Case *c, char *key, size_t size)
{
    QueueEntry *e = NULL;
    int n = 0;
    Queue *q = spool_get_queue(c->sp, STAGE_INGEST);
    if (queue_list(q, QUEUE_QUEUED, &e, &n) < 0 || n < 1) {
        queue_entries_destroy(&e, n);
        if (queue_list(q, QUEUE_DONE, &e, &n) < 0 || n < 1) {
            queue_entries_destroy(&e, n);
            return -1;
        }
    }
    snprintf(key, size, "%s", e[0].key);
    queue_entries_destroy(&e, n);
    return 0;
}

/* Run the item of stage st twice; the artifact art/KEY-p0000.EXT must have
 * the same bytes both times and the next stage's queue the same counts. */
static void run_twice_same(Case *c, SpoolStage st, const char *ext,
                           SpoolStage next)
{
    char key[64], rel[200];
    CHECK(file_key(c, key, sizeof key) == 0);
    snprintf(rel, sizeof rel, "spool/art/%s-p0000.%s", key, ext);
    QueueItem *it = claim(c, st);
    CHECK(it != NULL);
    if (!it)
        return;
    CHECK(spool_stage_run(c->sp, st, it, c->net) == 0);
    size_t n1 = 0, n2 = 0;
    char *a = slurp_rel(c, rel, &n1);
    QueueCounts before = sfx_counts(c->sp, next);
    /* as after a crash between the artifact and complete() */
    CHECK(spool_stage_run(c->sp, st, it, c->net) == 0);
    char *b = slurp_rel(c, rel, &n2);
    QueueCounts after = sfx_counts(c->sp, next);
    CHECK(a && b && n1 > 0 && n1 == n2 && memcmp(a, b, n1) == 0);
    CHECK(before.total == 1 && after.total == 1 && after.queued == 1);
    CHECK(art_temps(c) == 0);
    CHECK(queue_complete(spool_get_queue(c->sp, st), it) == 0);
    queue_item_destroy(&it);
    free(a);
    free(b);
}

static void spool_stage_run__ingest_multipage_tiff__one_item_per_page(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "ingest");
    CHECK(sfx_tiff(c.dir, "scan.tif", 3, NULL) == 0);
    if (case_open(&c, NULL) == 0) {
        char key[64];
        file_key(&c, key, sizeof key);
        QueueItem *it = claim(&c, STAGE_INGEST);
        CHECK(it && spool_stage_run(c.sp, STAGE_INGEST, it, NULL) == 0);
        QueueCounts b = sfx_counts(c.sp, STAGE_BINARIZE);
        CHECK(b.queued == 3 && b.total == 3);
        /* again (crash before complete): nothing new */
        CHECK(it && spool_stage_run(c.sp, STAGE_INGEST, it, NULL) == 0);
        b = sfx_counts(c.sp, STAGE_BINARIZE);
        CHECK(b.total == 3);
        queue_item_destroy(&it);
        /* page items carry the file's fields, page and page count */
        char want[200];
        snprintf(want, sizeof want, "%s-p0002", key);
        CHECK(queue_has_key(spool_get_queue(c.sp, STAGE_BINARIZE),
                            QUEUE_QUEUED, want) == 1);
        char path[2200];
        snprintf(path, sizeof path, "%s/spool/binarize/queued/%s", c.dir,
                 want);
        char *text = sfx_slurp(path, NULL);
        char *v = text ? queue_text_get(text, "page") : NULL;
        CHECK(v && !strcmp(v, "2"));
        free(v);
        v = text ? queue_text_get(text, "pages") : NULL;
        CHECK(v && !strcmp(v, "3"));
        free(v);
        v = text ? queue_text_get(text, "rel") : NULL;
        CHECK(v && !strcmp(v, "scan"));
        free(v);
        free(text);
    }
    case_close(&c);
}

static void spool_stage_run__ingest_unreadable__error_names_file(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "ingestbad");
    sfx_file(c.dir, "junk.png", "this is not a PNG at all\n");
    if (case_open(&c, NULL) == 0) {
        QueueItem *it = claim(&c, STAGE_INGEST);
        CHECK(it && spool_stage_run(c.sp, STAGE_INGEST, it, NULL) == -1);
        CHECK(strstr(err_get(), "in/junk.png") != NULL);
        CHECK(sfx_counts(c.sp, STAGE_BINARIZE).total == 0);
        queue_item_destroy(&it);
    }
    case_close(&c);
}

static void spool_stage_run__binarize__g4_page_and_segment_item(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "binarize");
    sfx_png(c.dir, "a.png", 0);
    if (case_open(&c, NULL) == 0) {
        char key[64], path[2200];
        file_key(&c, key, sizeof key);
        drain(c.sp, STAGE_INGEST, NULL, NULL);
        run_twice_same(&c, STAGE_BINARIZE, "tif", STAGE_SEGMENT);
        snprintf(path, sizeof path, "%s/spool/art/%s-p0000.tif", c.dir, key);
        PIX *pix = pixRead(path);
        CHECK(pix && pixGetDepth(pix) == 1 && pixGetWidth(pix) == 500 &&
              pixGetXRes(pix) == 300);
        int format = 0;
        findFileFormat(path, &format);
        CHECK(format == IFF_TIFF_G4);
        /* ink where the text was drawn */
        l_int32 black = 0;
        if (pix)
            pixCountPixels(pix, &black, NULL);
        CHECK(black > 500);
        pixDestroy(&pix);
        /* the segment item learnt the resolution */
        snprintf(path, sizeof path, "%s/spool/segment/queued/%s-p0000", c.dir,
                 key);
        char *text = sfx_slurp(path, NULL);
        char *dpi = text ? queue_text_get(text, "dpi") : NULL;
        CHECK(dpi && !strcmp(dpi, "300"));
        free(dpi);
        free(text);
    }
    case_close(&c);
}

static void spool_stage_run__segment__seg_artifact_and_recognize_item(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "segment");
    sfx_png(c.dir, "a.png", 1);
    if (case_open(&c, NULL) == 0) {
        char key[64], path[2200];
        file_key(&c, key, sizeof key);
        drain(c.sp, STAGE_INGEST, NULL, NULL);
        drain(c.sp, STAGE_BINARIZE, NULL, NULL);
        run_twice_same(&c, STAGE_SEGMENT, "seg", STAGE_RECOGNIZE);
        snprintf(path, sizeof path, "%s/spool/art/%s-p0000.seg", c.dir, key);
        SegPage *page = seg_page_load(path);
        CHECK(page != NULL);
        int nl = 0, ng = 0;
        if (page) {
            seg_page_get_lines(page, &nl);
            seg_page_get_glyphs(page, &ng);
        }
        CHECK(nl == 2);
        CHECK(ng >= 8); /* "pov lox in" + "Hiv on", give or take cuts */
        seg_page_destroy(&page);
    }
    case_close(&c);
}

/* Run stage st's item it on sp and return art/KEY-p0000.EXT's bytes
 * (caller frees; NULL when the run failed). */
static char *run_art(Case *c, Spool *sp, SpoolStage st, QueueItem *it,
                     const char *key, const char *ext, size_t *plen)
{
    char rel[200];
    snprintf(rel, sizeof rel, "spool/art/%s-p0000.%s", key, ext);
    err_clear();
    if (spool_stage_run(sp, st, it, c->net) != 0) {
        printf("  %s: %s\n", spool_stage_names[st], err_get());
        return NULL;
    }
    return slurp_rel(c, rel, plen);
}

static void spool_stage_run__segment_after_binarize__kept_page_as_file(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "keptbin");
    sfx_png(c.dir, "a.png", 1);
    Spool *fresh = NULL;
    QueueItem *it = NULL;
    if (case_open(&c, NULL) == 0 && (fresh = spool_open(c.job)) &&
        drain(c.sp, STAGE_INGEST, NULL, NULL) == 1 &&
        drain(c.sp, STAGE_BINARIZE, NULL, NULL) == 1 &&
        (it = claim(&c, STAGE_SEGMENT))) {
        char key[64], tif[2200];
        file_key(&c, key, sizeof key);
        snprintf(tif, sizeof tif, "%s/spool/art/%s-p0000.tif", c.dir, key);
        /* the page kept by the process that binarised it, and the file
         * read by another: the same .seg */
        size_t n1 = 0, n2 = 0, n3 = 0, n4 = 0;
        char *kept = run_art(&c, c.sp, STAGE_SEGMENT, it, key, "seg", &n1);
        char *read = run_art(&c, fresh, STAGE_SEGMENT, it, key, "seg", &n2);
        CHECK(kept && read && n1 == n2 && !memcmp(kept, read, n1));
        /* the kept page is used while art/KEY.tif is the file written:
         * garbled in place, its size and time put back, it still reads */
        struct stat st;
        FILE *fp = NULL;
        CHECK(stat(tif, &st) == 0 && (fp = fopen(tif, "r+")) != NULL);
        if (fp) {
            fseek(fp, 8, SEEK_SET);
            for (int i = 0; i < 64; i++)
                fputc(0x5a, fp);
            fclose(fp);
        }
        struct timespec times[2] = {st.st_atim, st.st_mtim};
        CHECK(utimensat(AT_FDCWD, tif, times, 0) == 0);
        char *again = run_art(&c, c.sp, STAGE_SEGMENT, it, key, "seg", &n3);
        CHECK(again && n3 == n1 && !memcmp(again, kept, n1));
        /* another file renamed over it (a retry, another worker): read */
        char other[2300];
        snprintf(other, sizeof other, "%s.other", tif);
        PIX *blank = pixCreate(500, 200, 1);
        CHECK(blank && pixWriteTiff(other, blank, IFF_TIFF_G4, "w") == 0);
        CHECK(rename(other, tif) == 0);
        char *none = run_art(&c, c.sp, STAGE_SEGMENT, it, key, "seg", &n4);
        snprintf(other, sizeof other, "%s/spool/art/%s-p0000.seg", c.dir, key);
        SegPage *page = none ? seg_page_load(other) : NULL;
        int nl = -1;
        if (page)
            seg_page_get_lines(page, &nl);
        CHECK(none && nl == 0); /* the blank page's: no lines */
        seg_page_destroy(&page);
        pixDestroy(&blank);
        free(kept);
        free(read);
        free(again);
        free(none);
    }
    queue_item_destroy(&it);
    spool_destroy(&fresh);
    case_close(&c);
}

static void spool_stage_run__segment_without_model__geometry_only(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "segnonet");
    sfx_png(c.dir, "a.png", 2);
    if (case_open(&c, NULL) == 0) {
        drain(c.sp, STAGE_INGEST, NULL, NULL);
        drain(c.sp, STAGE_BINARIZE, NULL, NULL);
        int failed = -1;
        CHECK(drain(c.sp, STAGE_SEGMENT, NULL, &failed) == 1 && failed == 0);
        CHECK(sfx_counts(c.sp, STAGE_RECOGNIZE).queued == 1);
    }
    case_close(&c);
}

static void spool_stage_run__recognize_last_page__rec_and_output_item(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "recognize");
    sfx_png(c.dir, "a.png", 3);
    if (case_open(&c, NULL) == 0) {
        char key[64], path[2200];
        file_key(&c, key, sizeof key);
        drain(c.sp, STAGE_INGEST, NULL, NULL);
        drain(c.sp, STAGE_BINARIZE, NULL, NULL);
        drain(c.sp, STAGE_SEGMENT, c.net, NULL);
        run_twice_same(&c, STAGE_RECOGNIZE, "rec", STAGE_OUTPUT);
        snprintf(path, sizeof path, "%s/spool/art/%s-p0000.rec", c.dir, key);
        OutPage *op = out_page_load(path);
        CHECK(op != NULL);
        out_page_destroy(&op);
        QueueItem *it = claim(&c, STAGE_OUTPUT);
        CHECK(it && !strcmp(it->key, key));
        CHECK(it && strstr(it->text, "pages=1\n") != NULL);
        queue_item_destroy(&it);
    }
    case_close(&c);
}

static void spool_stage_run__recognize_without_model__refused(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "recnonet");
    sfx_png(c.dir, "a.png", 3);
    if (case_open(&c, NULL) == 0) {
        drain(c.sp, STAGE_INGEST, NULL, NULL);
        drain(c.sp, STAGE_BINARIZE, NULL, NULL);
        drain(c.sp, STAGE_SEGMENT, NULL, NULL);
        QueueItem *it = claim(&c, STAGE_RECOGNIZE);
        CHECK(it && spool_stage_run(c.sp, STAGE_RECOGNIZE, it, NULL) == -1);
        CHECK(strcmp(err_get(), "no model loaded") == 0);
        CHECK(sfx_counts(c.sp, STAGE_OUTPUT).total == 0);
        queue_item_destroy(&it);
    }
    case_close(&c);
}

static void spool_stage_run__output__text_and_hocr_same_bytes_twice(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "output");
    sfx_png(c.dir, "box/a.png", 4);
    if (case_open(&c, NULL) == 0) {
        for (int s = STAGE_INGEST; s < STAGE_OUTPUT; s++)
            drain(c.sp, (SpoolStage)s, c.net, NULL);
        QueueItem *it = claim(&c, STAGE_OUTPUT);
        CHECK(it && spool_stage_run(c.sp, STAGE_OUTPUT, it, NULL) == 0);
        size_t nt = 0, nh = 0, nt2 = 0, nh2 = 0;
        char *txt = slurp_rel(&c, "out/box/a.txt", &nt);
        char *hocr = slurp_rel(&c, "out/box/a.hocr", &nh);
        CHECK(txt && hocr);
        CHECK(hocr && strstr(hocr, "ocr_page") && strstr(hocr, "in/box/a.png"));
        CHECK(hocr && strstr(hocr, "bbox 0 0 500 260") != NULL);
        CHECK(it && spool_stage_run(c.sp, STAGE_OUTPUT, it, NULL) == 0);
        char *txt2 = slurp_rel(&c, "out/box/a.txt", &nt2);
        char *hocr2 = slurp_rel(&c, "out/box/a.hocr", &nh2);
        CHECK(txt && txt2 && nt == nt2 && memcmp(txt, txt2, nt) == 0);
        CHECK(hocr && hocr2 && nh == nh2 && memcmp(hocr, hocr2, nh) == 0);
        CHECK(!sfx_exists(c.dir, "out/box/.a.txt.tmp.0"));
        free(txt);
        free(hocr);
        free(txt2);
        free(hocr2);
        queue_item_destroy(&it);
    }
    case_close(&c);
}

static void spool_stage_run__output_txt_only__no_hocr(void)
{
    Case d = {0};
    sfx_case(d.dir, sizeof d.dir, "txtonly");
    sfx_png(d.dir, "a.png", 5);
    /* sfx_job writes its own output: block; this job is written here */
    char path[2200];
    snprintf(path, sizeof path, "%s/job.yaml", d.dir);
    FILE *fp = fopen(path, "w");
    if (fp) {
        fputs("input:\n  paths: [in]\noutput:\n  dir: out\n  formats: "
              "[txt]\nspool: spool\n",
              fp);
        fclose(fp);
    }
    d.job = job_load(path);
    d.sp = d.job ? spool_open(d.job) : NULL;
    d.net = sfx_net();
    if (d.sp && spool_submit(d.sp, NULL, NULL) == 0) {
        for (int s = STAGE_INGEST; s < STAGE_N; s++)
            drain(d.sp, (SpoolStage)s, d.net, NULL);
        CHECK(sfx_exists(d.dir, "out/a.txt"));
        CHECK(!sfx_exists(d.dir, "out/a.hocr"));
        CHECK(sfx_counts(d.sp, STAGE_OUTPUT).done == 1);
    } else {
        CHECK(0);
    }
    case_close(&d);
}

static void spool_stage_run__pages_settle__output_once_after_last_page(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "settle");
    sfx_tiff(c.dir, "two.tif", 2, NULL);
    if (case_open(&c, NULL) == 0) {
        drain(c.sp, STAGE_INGEST, NULL, NULL);
        drain(c.sp, STAGE_BINARIZE, NULL, NULL);
        drain(c.sp, STAGE_SEGMENT, c.net, NULL);
        QueueItem *p0 = claim(&c, STAGE_RECOGNIZE);
        QueueItem *p1 = claim(&c, STAGE_RECOGNIZE);
        CHECK(p0 && p1);
        if (p0 && p1) {
            CHECK(spool_stage_run(c.sp, STAGE_RECOGNIZE, p0, c.net) == 0);
            CHECK(sfx_counts(c.sp, STAGE_OUTPUT).total == 0); /* p1 left */
            CHECK(spool_stage_run(c.sp, STAGE_RECOGNIZE, p1, c.net) == 0);
            CHECK(sfx_counts(c.sp, STAGE_OUTPUT).total == 1);
            /* the first page run again (crash before complete): no
             * second output item */
            CHECK(spool_stage_run(c.sp, STAGE_RECOGNIZE, p0, c.net) == 0);
            CHECK(sfx_counts(c.sp, STAGE_OUTPUT).total == 1);
        }
        queue_item_destroy(&p0);
        queue_item_destroy(&p1);
    }
    case_close(&c);
}

static void spool_stage_run__page_over_max_pixels__fails_output_keeps_rest(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "bigpage");
    /* page 2 is wider than limits.max_pixels allows */
    int w[3] = {500, 900, 500};
    sfx_tiff(c.dir, "scan.tif", 3, w);
    if (case_open(&c, "limits:\n  max_pixels: 200000\n") == 0) {
        drain(c.sp, STAGE_INGEST, NULL, NULL);
        int failed = -1;
        CHECK(drain(c.sp, STAGE_BINARIZE, NULL, &failed) == 3 && failed == 1);
        QueueEntry *e = NULL;
        int n = 0;
        queue_list(spool_get_queue(c.sp, STAGE_BINARIZE), QUEUE_FAILED, &e,
                   &n);
        CHECK(n == 1);
        if (n == 1) {
            CHECK(strstr(e[0].reason, "in/scan.tif page 2") != NULL);
            CHECK(strstr(e[0].reason, "234000") != NULL); /* 900 x 260 */
        }
        queue_entries_destroy(&e, n);
        drain(c.sp, STAGE_SEGMENT, c.net, NULL);
        drain(c.sp, STAGE_RECOGNIZE, c.net, NULL);
        CHECK(drain(c.sp, STAGE_OUTPUT, NULL, &failed) == 1 && failed == 0);
        /* three pages in the hOCR; the failed one empty, 0 x 0 (never
         * binarised) */
        char *hocr = slurp_rel(&c, "out/scan.hocr", NULL);
        int pages = 0;
        for (const char *p = hocr; p && (p = strstr(p, "class='ocr_page'"));
             p++)
            pages++;
        for (const char *p = hocr; p && (p = strstr(p, "class=\"ocr_page\""));
             p++)
            pages++;
        CHECK(pages == 3);
        CHECK(hocr && strstr(hocr, "bbox 0 0 0 0") != NULL);
        if (!hocr || pages != 3)
            printf("  hocr: %.600s\n", hocr ? hocr : "(none)");
        free(hocr);
    }
    case_close(&c);
}

static void spool_stage_run__segment_without_tif__error_names_file_page(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "notif");
    sfx_tiff(c.dir, "scan.tif", 2, NULL);
    if (case_open(&c, NULL) == 0) {
        char key[64], rel[2200];
        file_key(&c, key, sizeof key);
        drain(c.sp, STAGE_INGEST, NULL, NULL);
        drain(c.sp, STAGE_BINARIZE, NULL, NULL);
        snprintf(rel, sizeof rel, "%s/spool/art/%s-p0001.tif", c.dir, key);
        CHECK(unlink(rel) == 0);
        int failed = -1;
        CHECK(drain(c.sp, STAGE_SEGMENT, c.net, &failed) == 2 && failed == 1);
        QueueEntry *e = NULL;
        int n = 0;
        queue_list(spool_get_queue(c.sp, STAGE_SEGMENT), QUEUE_FAILED, &e, &n);
        CHECK(n == 1);
        if (n == 1) {
            CHECK(strstr(e[0].reason, "in/scan.tif page 2: cannot read the "
                                      "binarised page") != NULL);
            CHECK(strstr(e[0].reason, "-p0001.tif") != NULL);
        }
        queue_entries_destroy(&e, n);
    }
    case_close(&c);
}

static void spool_stage_run__recognize_corrupt_seg__error_names_file_page(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "badseg");
    int w[2] = {500, 460};
    sfx_tiff(c.dir, "scan.tif", 2, w);
    if (case_open(&c, NULL) == 0) {
        char key[64], path[2200];
        file_key(&c, key, sizeof key);
        drain(c.sp, STAGE_INGEST, NULL, NULL);
        drain(c.sp, STAGE_BINARIZE, NULL, NULL);
        drain(c.sp, STAGE_SEGMENT, c.net, NULL);
        snprintf(path, sizeof path, "%s/spool/art/%s-p0001.seg", c.dir, key);
        FILE *fp = fopen(path, "r+b");
        if (fp) {
            fseek(fp, 12, SEEK_SET);
            fputs("garbage garbage garbage", fp);
            fclose(fp);
        }
        int failed = -1;
        CHECK(drain(c.sp, STAGE_RECOGNIZE, c.net, &failed) == 2 &&
              failed == 1);
        QueueEntry *e = NULL;
        int n = 0;
        queue_list(spool_get_queue(c.sp, STAGE_RECOGNIZE), QUEUE_FAILED, &e,
                   &n);
        CHECK(n == 1 && strstr(e[0].reason, "in/scan.tif page 2") != NULL);
        queue_entries_destroy(&e, n);
        /* the failed page settled the file: output goes on without it,
         * an empty page of the binarised size */
        CHECK(drain(c.sp, STAGE_OUTPUT, NULL, &failed) == 1 && failed == 0);
        char *hocr = slurp_rel(&c, "out/scan.hocr", NULL);
        CHECK(hocr && strstr(hocr, "bbox 0 0 500 260") != NULL);
        CHECK(hocr && strstr(hocr, "bbox 0 0 460 260") != NULL);
        free(hocr);
    }
    case_close(&c);
}

static void spool_stage_run__output_page_pending__error_says_retry(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "pending");
    sfx_tiff(c.dir, "scan.tif", 2, NULL);
    if (case_open(&c, NULL) == 0) {
        char key[64], text[2200];
        file_key(&c, key, sizeof key);
        for (int s = STAGE_INGEST; s < STAGE_OUTPUT; s++)
            drain(c.sp, (SpoolStage)s, c.net, NULL);
        /* page 2's .rec vanished (retried while the output was queued) */
        snprintf(text, sizeof text, "%s/spool/art/%s-p0001.rec", c.dir, key);
        CHECK(unlink(text) == 0);
        QueueItem *it = claim(&c, STAGE_OUTPUT);
        CHECK(it && spool_stage_run(c.sp, STAGE_OUTPUT, it, NULL) == -1);
        CHECK(strstr(err_get(), "in/scan.tif page 2 is neither recognised "
                                "nor failed") != NULL);
        CHECK(strstr(err_get(), "inkpipe retry") != NULL);
        CHECK(!sfx_exists(c.dir, "out/scan.txt"));
        queue_item_destroy(&it);
    }
    case_close(&c);
}

static void spool_stage_run__bad_item__error_names_key(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "baditem");
    if (case_open(&c, NULL) == 0) {
        QueueItem missing = {"f1-p0000", "claim", "src=/a.png\nfile=f1\n"};
        CHECK(spool_stage_run(c.sp, STAGE_BINARIZE, &missing, c.net) == -1);
        CHECK(strstr(err_get(), "bad queue item f1-p0000") != NULL);
        QueueItem beyond = {"f1-p0005", "claim",
                            "src=/a.png\nrel=a\nfile=f1\npage=5\npages=2\n"};
        CHECK(spool_stage_run(c.sp, STAGE_SEGMENT, &beyond, c.net) == -1);
        CHECK(strstr(err_get(), "bad queue item f1-p0005") != NULL);
        QueueItem badfile = {"x", "claim",
                             "src=/a.png\nrel=a\nfile=../x\npage=0\npages=1\n"};
        CHECK(spool_stage_run(c.sp, STAGE_RECOGNIZE, &badfile, c.net) == -1);
        CHECK(strstr(err_get(), "bad queue item x") != NULL);
        QueueItem nopages = {"f1", "claim", "src=/a.png\nrel=a\nfile=f1\n"};
        CHECK(spool_stage_run(c.sp, STAGE_OUTPUT, &nopages, NULL) == -1);
        CHECK(strstr(err_get(), "bad queue item f1 (pages)") != NULL);
        CHECK(spool_stage_run(c.sp, STAGE_N, &nopages, NULL) == -1);
        CHECK(strstr(err_get(), "unknown stage") != NULL);
        /* nothing was enqueued anywhere */
        for (int s = STAGE_BINARIZE; s < STAGE_N; s++)
            CHECK(sfx_counts(c.sp, (SpoolStage)s).total == 0);
    }
    case_close(&c);
}

static void spool_stage_run__source_gone__error_names_file_page(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "gone");
    sfx_png(c.dir, "a.png", 0);
    if (case_open(&c, NULL) == 0) {
        drain(c.sp, STAGE_INGEST, NULL, NULL);
        char path[2200];
        snprintf(path, sizeof path, "%s/in/a.png", c.dir);
        unlink(path);
        QueueItem *it = claim(&c, STAGE_BINARIZE);
        CHECK(it && spool_stage_run(c.sp, STAGE_BINARIZE, it, NULL) == -1);
        CHECK(strstr(err_get(), path) != NULL);
        CHECK(art_temps(&c) == 0);
        CHECK(sfx_counts(c.sp, STAGE_SEGMENT).total == 0);
        queue_item_destroy(&it);
    }
    case_close(&c);
}

/* A page whose rel is longer than the 9000-byte item buffers the stages
 * used to have: every item after it carries the whole rel and its fields
 * (the buffers cut the text, losing rel's end and page=/pages=), and the
 * output stage either writes the file or fails naming it. */
static void spool_stage_run__rel_over_9000_bytes__items_carry_whole_rel(void)
{
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "longrel");
    sfx_png(c.dir, "a.png", 5);
    if (case_open(&c, NULL) == 0) {
        enum { DEPTH = 1000 };
        char *rel = malloc(DEPTH * 10 + 2);
        for (int i = 0; i < DEPTH; i++)
            memcpy(rel + i * 10, "longfolde/", 10);
        strcpy(rel + DEPTH * 10, "a");
        char src[2200];
        snprintf(src, sizeof src, "%s/in/a.png", c.dir);
        const char *file = "f00000000000000aa";
        size_t size = strlen(src) + strlen(rel) + 100;
        char *text = malloc(size);
        snprintf(text, size,
                 "src=%s\nrel=%s\nfile=%s\npage=0\npages=1\ndpi=300\n", src,
                 rel, file);
        CHECK(queue_enqueue(spool_get_queue(c.sp, STAGE_BINARIZE),
                            "f00000000000000aa-p0000", text) == 1);
        free(text);
        CHECK(drain(c.sp, STAGE_BINARIZE, NULL, NULL) == 1);
        QueueItem *it = claim(&c, STAGE_SEGMENT);
        char *v = it ? queue_text_get(it->text, "rel") : NULL;
        CHECK(v && !strcmp(v, rel));
        free(v);
        CHECK(it && strstr(it->text, "\npage=0\npages=1\ndpi=") != NULL);
        if (it) {
            CHECK(spool_stage_run(c.sp, STAGE_SEGMENT, it, c.net) == 0);
            queue_complete(spool_get_queue(c.sp, STAGE_SEGMENT), it);
        }
        queue_item_destroy(&it);
        int failed = -1;
        CHECK(drain(c.sp, STAGE_RECOGNIZE, c.net, &failed) == 1 &&
              failed == 0);
        it = claim(&c, STAGE_OUTPUT);
        v = it ? queue_text_get(it->text, "rel") : NULL;
        CHECK(v && !strcmp(v, rel));
        free(v);
        CHECK(it && strstr(it->text, "\npages=1\n") != NULL);
        if (it) {
            err_clear();
            if (spool_stage_run(c.sp, STAGE_OUTPUT, it, NULL) < 0)
                CHECK(strstr(err_get(), "longfolde/longfolde/") != NULL);
        }
        queue_item_destroy(&it);
        free(rel);
    }
    case_close(&c);
}

/* The stage hook of the next test: a holder stopped past its lease wakes
 * and sweeps the item's staging folder (spool_stage_run's first step)
 * while this holder is about to publish. */
static Spool *swept_sp;
static const QueueItem *swept_it;

static void sweep_hook(SpoolStage st, const char *key)
{
    (void)key;
    spool_stage_sweep(swept_sp, st, swept_it, 0, 1);
}

static void spool_stage_run__staging_swept_by_stopped_holder__run_again(void)
{
    /* The new holder's write or fsync of its staged file then fails with
     * ENOENT: the item is run again (SPOOL_LOST), not failed (a chaos run
     * saw "recognize: failed 1" after such a race). */
    Case c = {0};
    sfx_case(c.dir, sizeof c.dir, "swept");
    sfx_png(c.dir, "a.png", 1);
    if (case_open(&c, NULL) == 0) {
        drain(c.sp, STAGE_INGEST, NULL, NULL);
        drain(c.sp, STAGE_BINARIZE, NULL, NULL);
        QueueItem *it = claim(&c, STAGE_SEGMENT);
        CHECK(it != NULL);
        if (it) {
            int sync = fs_sync_enabled();
            fs_set_sync(1); /* the fsync before the rename meets ENOENT */
            swept_sp = c.sp;
            swept_it = it;
            spool_set_stage_hook(sweep_hook);
            err_clear();
            int rc = spool_stage_run(c.sp, STAGE_SEGMENT, it, c.net);
            spool_set_stage_hook(NULL);
            fs_set_sync(sync);
            CHECK(rc == SPOOL_LOST);
            CHECK(strstr(err_get(), "swept") != NULL);
            if (test_case_failed)
                printf("  rc %d: %s\n", rc, err_get());
            /* run again, it publishes */
            CHECK(spool_stage_run(c.sp, STAGE_SEGMENT, it, c.net) == 0);
            CHECK(art_temps(&c) == 0);
            queue_item_destroy(&it);
        }
    }
    case_close(&c);
}

int main(void)
{
    RUN(spool_stage_run__ingest_multipage_tiff__one_item_per_page);
    RUN(spool_stage_run__ingest_unreadable__error_names_file);
    RUN(spool_stage_run__binarize__g4_page_and_segment_item);
    RUN(spool_stage_run__segment__seg_artifact_and_recognize_item);
    RUN(spool_stage_run__staging_swept_by_stopped_holder__run_again);
    RUN(spool_stage_run__segment_after_binarize__kept_page_as_file);
    RUN(spool_stage_run__segment_without_model__geometry_only);
    RUN(spool_stage_run__recognize_last_page__rec_and_output_item);
    RUN(spool_stage_run__recognize_without_model__refused);
    RUN(spool_stage_run__output__text_and_hocr_same_bytes_twice);
    RUN(spool_stage_run__output_txt_only__no_hocr);
    RUN(spool_stage_run__pages_settle__output_once_after_last_page);
    RUN(spool_stage_run__page_over_max_pixels__fails_output_keeps_rest);
    RUN(spool_stage_run__segment_without_tif__error_names_file_page);
    RUN(spool_stage_run__recognize_corrupt_seg__error_names_file_page);
    RUN(spool_stage_run__output_page_pending__error_says_retry);
    RUN(spool_stage_run__bad_item__error_names_key);
    RUN(spool_stage_run__source_gone__error_names_file_page);
    RUN(spool_stage_run__rel_over_9000_bytes__items_carry_whole_rel);
    TEST_EXIT();
}
