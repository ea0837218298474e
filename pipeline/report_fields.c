/*
 * report_fields.c - OUT/fields.csv at the end of a job read against a form
 * template (forms.template): one row per form page, one column per
 * template field (report.h).
 *
 * Design: the recognised-page artifacts (art/F-pNNNN.rec) of the spool carry
 * the fields (out_page.c, version 2), so the table is built from them, not from
 * the published JSON files (which only exist with -f json). Rows are sorted by
 * source path, then page; columns are "source", "page", the template's field
 * names in template order, then "_review": the names of the fields that need
 * review, separated by spaces ("_unregistered" first when the page did not fit
 * the template). Values are written as RFC 4180 CSV (quoted when they hold a
 * comma, quote, CR or LF). The file is published by temp file + rename, so a
 * reader sees the old table or the new one, never half of one.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/fsutil.h"
#include "pipeline/report.h"

typedef struct {
    const FormTemplate *t;
    OutPage **pages;
    int n;
} CsvCtx;

static void csv_cell(FILE *fp, const char *s)
{
    if (!s[strcspn(s, ",\"\r\n")]) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

static int csv_write(FILE *fp, void *ctx)
{
    const CsvCtx *c = ctx;
    int nf = form_template_n_fields(c->t);
    fputs("source,page", fp);
    for (int i = 0; i < nf; i++) {
        fputc(',', fp);
        csv_cell(fp, form_template_field(c->t, i)->name);
    }
    fputs(",_review\r\n", fp);
    for (int r = 0; r < c->n; r++) {
        const OutPage *p = c->pages[r];
        char review[8192] = "";
        size_t rl = 0;
        if (!p->reg_fit)
            rl += (size_t)snprintf(review, sizeof review, "_unregistered");
        csv_cell(fp, p->image);
        fprintf(fp, ",%d", p->pageno + 1);
        for (int i = 0; i < nf; i++) {
            const char *name = form_template_field(c->t, i)->name;
            const OutField *f = NULL;
            for (int j = 0; j < p->n_fields && !f; j++)
                if (!strcmp(p->fields[j].name, name))
                    f = &p->fields[j];
            fputc(',', fp);
            csv_cell(fp, f ? f->value : "");
            if ((!f || f->needs_review) &&
                rl + strlen(name) + 2 < sizeof review)
                rl += (size_t)snprintf(review + rl, sizeof review - rl, "%s%s",
                                       rl ? " " : "", name);
        }
        fputc(',', fp);
        csv_cell(fp, review);
        fputs("\r\n", fp);
    }
    return ferror(fp) ? err_set("write error") : 0;
}

static int page_cmp(const void *a, const void *b)
{
    const OutPage *x = *(OutPage *const *)a, *y = *(OutPage *const *)b;
    int c = strcmp(x->image, y->image);
    return c ? c : (x->pageno > y->pageno) - (x->pageno < y->pageno);
}

/**
 * Write OUT/fields.csv for a job with a form template.
 *
 * @param[in] sp  the job's spool
 * @return 0 (also when the job has no template: nothing is written), or -1
 *         with the reason
 *
 * Notes:
 *   (1) Pages recognised against another template (a job whose template
 *       was changed without a redo) are left out; pages that failed have
 *       no artifact and no row.
 */
int report_fields_csv(Spool *sp)
{
    const Job *job = spool_get_job(sp);
    if (!job->form)
        return 0;
    DIR *d = spool__art_opendir(sp);
    if (!d)
        return err_prefix("fields.csv");
    CsvCtx c = {job->form, NULL, 0};
    int cap = 0, rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (de->d_name[0] == '.' || l < 5 || strcmp(de->d_name + l - 4, ".rec"))
            continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", spool__art_dir(sp), de->d_name);
        OutPage *p = out_page_load(path);
        if (!p) {
            rc = err_prefix("fields.csv");
            break;
        }
        if (!p->form || strcmp(p->form, form_template_name(job->form))) {
            out_page_destroy(&p);
            continue;
        }
        if (c.n == cap) {
            cap = cap ? 2 * cap : 64;
            OutPage **np = realloc(c.pages, (size_t)cap * sizeof *np);
            if (!np) {
                out_page_destroy(&p);
                rc = err_set("fields.csv: out of memory");
                break;
            }
            c.pages = np;
        }
        c.pages[c.n++] = p;
    }
    closedir(d);
    if (rc == 0) {
        qsort(c.pages, (size_t)c.n, sizeof *c.pages, page_cmp);
        rc = fs_publish_stream_at(spool__out_fd(sp), "fields.csv", csv_write,
                                  &c);
        if (rc < 0)
            err_prefix("fields.csv");
    }
    for (int i = 0; i < c.n; i++)
        out_page_destroy(&c.pages[i]);
    free(c.pages);
    return rc;
}
