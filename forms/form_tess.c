/*
 * form_tess.c - printed labels read by Tesseract (forms.h, docs/forms.md
 * "Labels read by Tesseract").
 *
 * Design: one TessBaseAPI per process (a worker is a process), created on
 * the first label and kept: initialising the LSTM models costs far more
 * than reading a label. It is initialised with the job's languages
 * (forms.labels_lang, "fra+eng" by default), the LSTM engine only, and
 * reads a single text line (PSM 7); it is given only a label's crop of the
 * binarised page (never a field's handwriting), with the page's
 * resolution. Tesseract's own messages go to /dev/null (debug_file), so
 * the library prints nothing; a failure is an err_set message. Tesseract
 * starts with only some of "a+b" when a model is missing (it says so on
 * its debug output and goes on); the reader checks the languages it
 * loaded and refuses the list, naming the missing traineddata.
 * libtesseract is opened with dlopen() on the first label, not linked: its
 * 50-odd shared libraries (curl, archive, TLS ...) took ~25 ms of every
 * inkpipe process's start, forms or not. A missing library is an error
 * that says what to install. The opening is common/dynlib.c's (once per
 * process, under its lock, a failure kept); this file has the table of
 * functions.
 */
#include "forms/forms.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>

#include "common/dynlib.h"
#include "common/err.h"
#include "forms/form_int.h"

/* The library's C API: each field is the function of the same name
 * (capi.h's prototypes; DYNLIB_SYM checks each against them), filled by
 * dynlib_once (common/dynlib.h) on the first label. */
static struct {
    TessBaseAPI *(*TessBaseAPICreate)(void);
    void (*TessBaseAPIDelete)(TessBaseAPI *);
    BOOL (*TessBaseAPISetVariable)(TessBaseAPI *, const char *, const char *);
    int (*TessBaseAPIInit2)(TessBaseAPI *, const char *, const char *,
                            TessOcrEngineMode);
    char **(*TessBaseAPIGetLoadedLanguagesAsVector)(const TessBaseAPI *);
    void (*TessBaseAPISetPageSegMode)(TessBaseAPI *, TessPageSegMode);
    void (*TessBaseAPISetImage2)(TessBaseAPI *, struct Pix *);
    void (*TessBaseAPISetSourceResolution)(TessBaseAPI *, int);
    char *(*TessBaseAPIGetUTF8Text)(TessBaseAPI *);
    void (*TessBaseAPIClear)(TessBaseAPI *);
    void (*TessBaseAPIEnd)(TessBaseAPI *);
    void (*TessDeleteText)(const char *);
    void (*TessDeleteTextArray)(char **);
} T;
static const DynlibSym tess_syms[] = {
    DYNLIB_SYM(T, TessBaseAPICreate),
    DYNLIB_SYM(T, TessBaseAPIDelete),
    DYNLIB_SYM(T, TessBaseAPISetVariable),
    DYNLIB_SYM(T, TessBaseAPIInit2),
    DYNLIB_SYM(T, TessBaseAPIGetLoadedLanguagesAsVector),
    DYNLIB_SYM(T, TessBaseAPISetPageSegMode),
    DYNLIB_SYM(T, TessBaseAPISetImage2),
    DYNLIB_SYM(T, TessBaseAPISetSourceResolution),
    DYNLIB_SYM(T, TessBaseAPIGetUTF8Text),
    DYNLIB_SYM(T, TessBaseAPIClear),
    DYNLIB_SYM(T, TessBaseAPIEnd),
    DYNLIB_SYM(T, TessDeleteText),
    DYNLIB_SYM(T, TessDeleteTextArray),
};
static const DynlibLib tess_lib[] = {
    DYNLIB_LIB("libtesseract.so.5", "libtesseract5", tess_syms),
};
static DynlibOnce tess_once = DYNLIB_ONCE(tess_lib);

static TessBaseAPI *tess_api; /* this process's reader; NULL until used */
static char tess_langs[FORM_LANG_MAX]; /* the languages it was started with */

/* libgomp (Debian's libtesseract is built with OpenMP): 0 active levels
 * runs every parallel region on the calling thread. Declared here rather
 * than from <omp.h>, which clang (the fuzz builds) does not ship. */
void omp_set_max_active_levels(int max_levels);

/**
 * Check a Tesseract language list (forms.h): one or more names of letters,
 * digits and '_' joined by '+', shorter than FORM_LANG_MAX.
 *
 * @return 0 (copied into out), or -1 (message quotes the list)
 */
int form_labels_lang_parse(const char *s, char *out)
{
    size_t n = strlen(s), word = 0;
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '+' || c == '\0') {
            if (!word)
                return err_set("expected Tesseract languages like fra+eng "
                               "(names joined by '+'), got '%s'", s);
            word = 0;
        } else if (isalnum(c) || c == '_') {
            word++;
        } else {
            return err_set("expected Tesseract languages like fra+eng "
                           "(letters, digits and _ joined by '+'), got '%s'",
                           s);
        }
    }
    if (n >= FORM_LANG_MAX)
        return err_set("Tesseract languages '%s': longer than %d characters",
                       s, FORM_LANG_MAX - 1);
    memcpy(out, s, n + 1);
    return 0;
}

/* The first language of langs ('+'-separated) that api did not load, into
 * miss (FORM_LANG_MAX bytes); 0 when every one was loaded. */
static int tess_missing(TessBaseAPI *api, const char *langs, char *miss)
{
    char **loaded = T.TessBaseAPIGetLoadedLanguagesAsVector(api);
    int missing = 0;
    for (const char *p = langs; *p && !missing;) {
        size_t len = strcspn(p, "+");
        int found = 0;
        for (char **l = loaded; l && *l && !found; l++)
            found = strlen(*l) == len && !strncmp(*l, p, len);
        if (!found) {
            missing = 1;
            snprintf(miss, FORM_LANG_MAX, "%.*s", (int)len, p);
        }
        p += len + (p[len] == '+');
    }
    if (loaded)
        T.TessDeleteTextArray(loaded);
    return missing;
}

/* A new reader of langs, or NULL (message names the missing model). */
static TessBaseAPI *tess_open(const char *langs)
{
    /* Tesseract's LSTM runs parallel regions of a few threads on every
     * line; for a label they cost more than they save, and the idle
     * threads spin (about 4x the CPU of reading without them; workers
     * are processes, one per core, already). */
    omp_set_max_active_levels(0);
    if (dynlib_once(&tess_once) < 0) {
        err_set("cannot load Tesseract for the printed labels (%s): "
                "install libtesseract5 (Debian), or read the labels with "
                "forms.labels: inkpipe / --labels inkpipe",
                tess_once.err);
        return NULL;
    }
    TessBaseAPI *api = T.TessBaseAPICreate();
    if (!api) {
        err_set("tesseract: out of memory");
        return NULL;
    }
    T.TessBaseAPISetVariable(api, "debug_file", "/dev/null");
    char miss[FORM_LANG_MAX];
    int rc = T.TessBaseAPIInit2(api, NULL, langs, OEM_LSTM_ONLY);
    if (rc != 0 || tess_missing(api, langs, miss)) {
        if (rc != 0) /* none loaded: name the first */
            snprintf(miss, sizeof miss, "%.*s", (int)strcspn(langs, "+"),
                     langs);
        char pkg[FORM_LANG_MAX];
        snprintf(pkg, sizeof pkg, "%s", miss);
        for (char *q = pkg; *q; q++)
            if (*q == '_')
                *q = '-';
        T.TessBaseAPIEnd(api);
        T.TessBaseAPIDelete(api);
        err_set("forms.labels_lang %s: cannot load Tesseract's model for "
                "'%s' (%s.traineddata; install tesseract-ocr-%s, set "
                "TESSDATA_PREFIX to the folder that holds it, name other "
                "languages with forms.labels_lang / --labels-lang, or read "
                "the labels with forms.labels: inkpipe / --labels inkpipe)",
                langs, miss, miss, pkg);
        return NULL;
    }
    T.TessBaseAPISetPageSegMode(api, PSM_SINGLE_LINE);
    return api;
}

/* This process's reader of langs: the one kept, or a new one when none
 * was started or it reads other languages. NULL (message set) on error. */
static TessBaseAPI *tess_reader(const char *langs)
{
    if (tess_api && strcmp(tess_langs, langs) != 0)
        form_tess_release();
    if (!tess_api && (tess_api = tess_open(langs)) != NULL)
        snprintf(tess_langs, sizeof tess_langs, "%s", langs);
    return tess_api;
}

/**
 * Whether labels can be read with Tesseract here: starts this process's
 * reader with the models of langs ("fra+eng"), and keeps it for the labels
 * to come (a job that asks for it checks when it is loaded, before any
 * page; a worker forked after that shares the loaded models).
 *
 * @return 0, or -1 (message names the missing model)
 */
int form_tess_check(const char *langs)
{
    return tess_reader(langs) ? 0 : -1;
}

/** End this process's Tesseract reader, if one was started. */
void form_tess_release(void)
{
    if (!tess_api)
        return;
    T.TessBaseAPIEnd(tess_api);
    T.TessBaseAPIDelete(tess_api);
    tess_api = NULL;
}

/**
 * Read one printed line with Tesseract.
 *
 * @param[in]  crop   the label's crop (1 bpp, ink = 1; or 8 bpp grey)
 * @param[in]  dpi    its resolution (0 = unknown: 200)
 * @param[in]  langs  Tesseract's languages ("fra+eng")
 * @param[out] ptext  the text, UTF-8, runs of white space made one space,
 *                    trimmed (owned; NULL when nothing was read)
 * @return 0, or -1 (message set)
 */
int form__tess_read(PIX *crop, int dpi, const char *langs, char **ptext)
{
    *ptext = NULL;
    if (!tess_reader(langs))
        return -1;
    T.TessBaseAPISetImage2(tess_api, crop);
    T.TessBaseAPISetSourceResolution(tess_api, dpi > 0 ? dpi : 200);
    char *t = T.TessBaseAPIGetUTF8Text(tess_api);
    T.TessBaseAPIClear(tess_api);
    if (!t)
        return err_set("tesseract: cannot read the label");
    size_t k = 0;
    for (const char *s = t; *s; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f') {
            if (k && t[k - 1] != ' ')
                t[k++] = ' ';
        } else {
            t[k++] = *s;
        }
    }
    while (k && t[k - 1] == ' ')
        k--;
    t[k] = '\0';
    int rc = 0;
    if (k && !(*ptext = strdup(t)))
        rc = err_set("out of memory");
    T.TessDeleteText(t);
    return rc;
}

/**
 * The label reader named s ("inkpipe" or "tesseract").
 *
 * @return 0, or -1 when s names none (no message)
 */
int form_labels_parse(const char *s, FormLabels *out)
{
    if (!strcmp(s, "inkpipe"))
        *out = FORM_LABELS_INKPIPE;
    else if (!strcmp(s, "tesseract"))
        *out = FORM_LABELS_TESSERACT;
    else
        return -1;
    return 0;
}

/** The name of label reader l. */
const char *form_labels_name(FormLabels l)
{
    return l == FORM_LABELS_TESSERACT ? "tesseract" : "inkpipe";
}
