/*
 * form_tess.c - printed labels read by Tesseract (forms.h, docs/forms.md
 * "Labels read by Tesseract").
 *
 * Design: one TessBaseAPI per process (a worker is a process), created on
 * the first label and kept: initialising the English LSTM model costs far
 * more than reading a label. It is initialised with "eng", the LSTM engine
 * only, and reads a single text line (PSM 7); it is given only a label's
 * crop of the binarised page (never a field's handwriting), with the page's
 * resolution. Tesseract's own messages go to /dev/null (debug_file), so the
 * library prints nothing; a failure is an err_set message.
 */
#include "forms/forms.h"

#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>

#include "common/err.h"
#include "forms/form_int.h"

static TessBaseAPI *tess_api; /* this process's reader; NULL until used */

/* libgomp (Debian's libtesseract is built with OpenMP): 0 active levels
 * runs every parallel region on the calling thread. Declared here rather
 * than from <omp.h>, which clang (the fuzz builds) does not ship. */
void omp_set_max_active_levels(int max_levels);

/* A new reader, or NULL (message set). */
static TessBaseAPI *tess_open(void)
{
    /* Tesseract's LSTM runs parallel regions of a few threads on every
     * line; for a label they cost more than they save, and the idle
     * threads spin (about 4x the CPU of reading without them; workers
     * are processes, one per core, already). */
    omp_set_max_active_levels(0);
    TessBaseAPI *api = TessBaseAPICreate();
    if (!api) {
        err_set("tesseract: out of memory");
        return NULL;
    }
    TessBaseAPISetVariable(api, "debug_file", "/dev/null");
    if (TessBaseAPIInit2(api, NULL, "eng", OEM_LSTM_ONLY) != 0) {
        TessBaseAPIDelete(api);
        err_set("forms.labels tesseract: cannot load Tesseract's English "
                "model (eng.traineddata; install tesseract-ocr-eng, set "
                "TESSDATA_PREFIX to the folder that holds it, or read the "
                "labels with forms.labels: inkpipe / --labels inkpipe)");
        return NULL;
    }
    TessBaseAPISetPageSegMode(api, PSM_SINGLE_LINE);
    return api;
}

/**
 * Whether labels can be read with Tesseract here: starts this process's
 * reader with the English model, and keeps it for the labels to come (a
 * job that asks for it checks when it is loaded, before any page; a worker
 * forked after that shares the loaded model).
 *
 * @return 0, or -1 (message names the missing model)
 */
int form_tess_check(void)
{
    if (!tess_api && !(tess_api = tess_open()))
        return -1;
    return 0;
}

/** End this process's Tesseract reader, if one was started. */
void form_tess_release(void)
{
    if (!tess_api)
        return;
    TessBaseAPIEnd(tess_api);
    TessBaseAPIDelete(tess_api);
    tess_api = NULL;
}

/**
 * Read one printed line with Tesseract.
 *
 * @param[in]  crop   the label's crop (1 bpp, ink = 1; or 8 bpp grey)
 * @param[in]  dpi    its resolution (0 = unknown: 200)
 * @param[out] ptext  the text, UTF-8, runs of white space made one space,
 *                    trimmed (owned; NULL when nothing was read)
 * @return 0, or -1 (message set)
 */
int form__tess_read(PIX *crop, int dpi, char **ptext)
{
    *ptext = NULL;
    if (!tess_api && !(tess_api = tess_open()))
        return -1;
    TessBaseAPISetImage2(tess_api, crop);
    TessBaseAPISetSourceResolution(tess_api, dpi > 0 ? dpi : 200);
    char *t = TessBaseAPIGetUTF8Text(tess_api);
    TessBaseAPIClear(tess_api);
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
    TessDeleteText(t);
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
