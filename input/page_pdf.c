/*
 * page_pdf.c - pages of PDF files (page.h): each page is one page of the
 * scan, as a page of a multi-page TIFF is.
 *
 * Design: qpdf (C API, qpdf-c.h) parses the file. A page that is one image
 * drawn over the whole page (what scanners and MFPs write: content
 * "q W 0 0 H 0 0 cm /Im0 Do Q") is taken straight out of the file, never
 * rasterised:
 *   DCTDecode        the JPEG bytes -> Leptonica (pixReadMemJpeg)
 *   CCITTFaxDecode   the G4 bytes wrapped in a minimal TIFF in memory
 *                    (Columns, Rows, BlackIs1) -> pixReadMemTiff
 *   FlateDecode/none raw samples (1/2/4/8-bit grey, 8-bit RGB) inflated
 *                    here with zlib under a cap, PNG/TIFF predictors
 *   JBIG2Decode      jbig2dec (with /JBIG2Globals), under a memory cap
 * Every other page (vector text, several images, rotations or offsets in
 * the content, masks, CMYK, G3, JPX, palettes) is rendered by poppler
 * (poppler-glib + cairo) at the page image's own resolution, or 300 dpi.
 * The page's resolution is its image's size against the MediaBox (points,
 * 72 per inch); /Rotate is applied.
 *
 * Hostile files: the pixel limit is checked on the image dictionary (or
 * the JPEG header, or the rendered size, or before rendering the sizes
 * every image and JBIG2 stream declares: images_fit()) before anything is
 * decoded; Flate
 * data is inflated to at most the size the image needs (a deflate bomb
 * stops there); page counts are capped by page_pdf_list's max_pages. Each
 * page is read on its own (the file is opened again), so a broken page
 * fails alone; messages name the file and page. Poppler renders in a
 * child process under a CPU and wall time limit (render()): a file that
 * makes it loop or crash fails its page, not the process.
 *
 * Page locator: page_pdf_list returns for each page its object number and
 * generation (number << 16 | generation), which page_pdf_read uses instead
 * of walking the page tree; 0 = unknown (found by index).
 *
 * The libraries are opened with dlopen() when a PDF needs them, not
 * linked: qpdf on the first PDF, jbig2dec on the first JBIG2 page image,
 * poppler-glib, glib and cairo on the first page rendered. Linked, they
 * and what they pull in (libstdc++, NSS, GnuTLS, X11 ...) cost every
 * inkpipe process ~23 ms of CPU at start, PDF or not. A library that cannot
 * be opened fails the PDF (or the page) naming it and its Debian package.
 * The opening is common/dynlib.c's (once per process, under its lock; a
 * failure is kept); this file has the tables: the functions, their
 * libraries, the three sets.
 */
#define _GNU_SOURCE /* memfd_create */
#include "input/page.h"
#include "input/page_int.h"

#include <cairo.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <poppler.h>
#include <qpdf/qpdf-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "common/dynlib.h"
#include "common/err.h"

/* last: jbig2.h defines `inline` away when it is not a macro (as in C11,
 * where it is a keyword); undone at once */
#include <jbig2.h>
#undef inline

#define PDF_MAX_CONTENT 65536 /* a one-image page's content is ~50 bytes */
#define PDF_RENDER_DPI 300
/* the rendering child's CPU time: this many seconds to open the file and
 * the page, one more per PDF_RENDER_PX_PER_S pixels drawn (an A4 page at
 * 300 dpi: 18 s; poppler takes well under one on a scanned or typed page);
 * its wall time: PDF_RENDER_WALL times that */
#define PDF_RENDER_CPU_S 10
#define PDF_RENDER_PX_PER_S 1000000
#define PDF_RENDER_WALL 4
#define PDF_MAX_BOX 14400.0 /* the largest page PDF allows: 200 in */
/* objects looked at for JBIG2 streams before a page is rendered */
#define PDF_MAX_OBJECTS 1000000

/* ---- the libraries, opened on first use --------------------------------- */

/* Their functions: each field is the library function of the same name
 * (prototypes as in the headers; DYNLIB_SYM checks each against them).
 * Filled by dynlib_once (common/dynlib.h) on a set's first use. */
static struct {
    /* qpdf */
    qpdf_data (*qpdf_init)(void);
    void (*qpdf_cleanup)(qpdf_data *);
    void (*qpdf_silence_errors)(qpdf_data);
    void (*qpdf_set_suppress_warnings)(qpdf_data, QPDF_BOOL);
    QPDF_ERROR_CODE (*qpdf_read)(qpdf_data, char const *, char const *);
    QPDF_ERROR_CODE (*qpdf_read_memory)(qpdf_data, char const *,
                                        char const *, unsigned long long,
                                        char const *);
    QPDF_BOOL (*qpdf_has_error)(qpdf_data);
    qpdf_error (*qpdf_get_error)(qpdf_data);
    char const *(*qpdf_get_error_message_detail)(qpdf_data, qpdf_error);
    int (*qpdf_get_num_pages)(qpdf_data);
    qpdf_oh (*qpdf_get_page_n)(qpdf_data, size_t);
    qpdf_oh (*qpdf_get_object_by_id)(qpdf_data, int, int);
    qpdf_oh (*qpdf_get_trailer)(qpdf_data);
    void (*qpdf_oh_release)(qpdf_data, qpdf_oh);
    qpdf_oh (*qpdf_oh_new_null)(qpdf_data);
    int (*qpdf_oh_get_object_id)(qpdf_data, qpdf_oh);
    int (*qpdf_oh_get_generation)(qpdf_data, qpdf_oh);
    QPDF_BOOL (*qpdf_oh_is_null)(qpdf_data, qpdf_oh);
    QPDF_BOOL (*qpdf_oh_is_bool)(qpdf_data, qpdf_oh);
    QPDF_BOOL (*qpdf_oh_is_integer)(qpdf_data, qpdf_oh);
    QPDF_BOOL (*qpdf_oh_is_number)(qpdf_data, qpdf_oh);
    QPDF_BOOL (*qpdf_oh_is_name)(qpdf_data, qpdf_oh);
    QPDF_BOOL (*qpdf_oh_is_array)(qpdf_data, qpdf_oh);
    QPDF_BOOL (*qpdf_oh_is_dictionary)(qpdf_data, qpdf_oh);
    QPDF_BOOL (*qpdf_oh_is_stream)(qpdf_data, qpdf_oh);
    QPDF_BOOL (*qpdf_oh_is_name_and_equals)(qpdf_data, qpdf_oh, char const *);
    QPDF_BOOL (*qpdf_oh_is_dictionary_of_type)(qpdf_data, qpdf_oh,
                                               char const *, char const *);
    QPDF_BOOL (*qpdf_oh_get_bool_value)(qpdf_data, qpdf_oh);
    long long (*qpdf_oh_get_int_value)(qpdf_data, qpdf_oh);
    double (*qpdf_oh_get_numeric_value)(qpdf_data, qpdf_oh);
    char const *(*qpdf_oh_get_name)(qpdf_data, qpdf_oh);
    int (*qpdf_oh_get_array_n_items)(qpdf_data, qpdf_oh);
    qpdf_oh (*qpdf_oh_get_array_item)(qpdf_data, qpdf_oh, int);
    QPDF_BOOL (*qpdf_oh_has_key)(qpdf_data, qpdf_oh, char const *);
    qpdf_oh (*qpdf_oh_get_key)(qpdf_data, qpdf_oh, char const *);
    qpdf_oh (*qpdf_oh_get_dict)(qpdf_data, qpdf_oh);
    QPDF_ERROR_CODE (*qpdf_oh_get_stream_data)(qpdf_data, qpdf_oh,
                                               enum qpdf_stream_decode_level_e,
                                               QPDF_BOOL *, unsigned char **,
                                               size_t *);
    QPDF_ERROR_CODE (*qpdf_oh_get_page_content_data)(qpdf_data, qpdf_oh,
                                                     unsigned char **,
                                                     size_t *);
    /* jbig2dec */
    Jbig2Ctx *(*jbig2_ctx_new_imp)(Jbig2Allocator *, Jbig2Options,
                                   Jbig2GlobalCtx *, Jbig2ErrorCallback,
                                   void *, int, int);
    Jbig2Allocator *(*jbig2_ctx_free)(Jbig2Ctx *);
    Jbig2GlobalCtx *(*jbig2_make_global_ctx)(Jbig2Ctx *);
    Jbig2Allocator *(*jbig2_global_ctx_free)(Jbig2GlobalCtx *);
    int (*jbig2_data_in)(Jbig2Ctx *, const unsigned char *, size_t);
    int (*jbig2_complete_page)(Jbig2Ctx *);
    Jbig2Image *(*jbig2_page_out)(Jbig2Ctx *);
    void (*jbig2_release_page)(Jbig2Ctx *, Jbig2Image *);
    /* poppler-glib, glib, gobject */
    PopplerDocument *(*poppler_document_new_from_file)(const char *,
                                                       const char *,
                                                       GError **);
    int (*poppler_document_get_n_pages)(PopplerDocument *);
    PopplerPage *(*poppler_document_get_page)(PopplerDocument *, int);
    void (*poppler_page_get_size)(PopplerPage *, double *, double *);
    void (*poppler_page_render)(PopplerPage *, cairo_t *);
    gchar *(*g_canonicalize_filename)(const gchar *, const gchar *);
    gchar *(*g_filename_to_uri)(const gchar *, const gchar *, GError **);
    void (*g_free)(gpointer);
    /* cairo */
    cairo_surface_t *(*cairo_image_surface_create_for_data)(
        unsigned char *, cairo_format_t, int, int, int);
    int (*cairo_format_stride_for_width)(cairo_format_t, int);
    void (*cairo_surface_flush)(cairo_surface_t *);
    cairo_t *(*cairo_create)(cairo_surface_t *);
    void (*cairo_set_source_rgb)(cairo_t *, double, double, double);
    void (*cairo_paint)(cairo_t *);
    void (*cairo_scale)(cairo_t *, double, double);
    cairo_status_t (*cairo_status)(cairo_t *);
    const char *(*cairo_status_to_string)(cairo_status_t);
} L;

/* Each library's functions in L (DYNLIB_SYM checks each field against
 * the header's prototype). */
static const DynlibSym qpdf_syms[] = {
    DYNLIB_SYM(L, qpdf_init),
    DYNLIB_SYM(L, qpdf_cleanup),
    DYNLIB_SYM(L, qpdf_silence_errors),
    DYNLIB_SYM(L, qpdf_set_suppress_warnings),
    DYNLIB_SYM(L, qpdf_read),
    DYNLIB_SYM(L, qpdf_read_memory),
    DYNLIB_SYM(L, qpdf_has_error),
    DYNLIB_SYM(L, qpdf_get_error),
    DYNLIB_SYM(L, qpdf_get_error_message_detail),
    DYNLIB_SYM(L, qpdf_get_num_pages),
    DYNLIB_SYM(L, qpdf_get_page_n),
    DYNLIB_SYM(L, qpdf_get_object_by_id),
    DYNLIB_SYM(L, qpdf_get_trailer),
    DYNLIB_SYM(L, qpdf_oh_release),
    DYNLIB_SYM(L, qpdf_oh_new_null),
    DYNLIB_SYM(L, qpdf_oh_get_object_id),
    DYNLIB_SYM(L, qpdf_oh_get_generation),
    DYNLIB_SYM(L, qpdf_oh_is_null),
    DYNLIB_SYM(L, qpdf_oh_is_bool),
    DYNLIB_SYM(L, qpdf_oh_is_integer),
    DYNLIB_SYM(L, qpdf_oh_is_number),
    DYNLIB_SYM(L, qpdf_oh_is_name),
    DYNLIB_SYM(L, qpdf_oh_is_array),
    DYNLIB_SYM(L, qpdf_oh_is_dictionary),
    DYNLIB_SYM(L, qpdf_oh_is_stream),
    DYNLIB_SYM(L, qpdf_oh_is_name_and_equals),
    DYNLIB_SYM(L, qpdf_oh_is_dictionary_of_type),
    DYNLIB_SYM(L, qpdf_oh_get_bool_value),
    DYNLIB_SYM(L, qpdf_oh_get_int_value),
    DYNLIB_SYM(L, qpdf_oh_get_numeric_value),
    DYNLIB_SYM(L, qpdf_oh_get_name),
    DYNLIB_SYM(L, qpdf_oh_get_array_n_items),
    DYNLIB_SYM(L, qpdf_oh_get_array_item),
    DYNLIB_SYM(L, qpdf_oh_has_key),
    DYNLIB_SYM(L, qpdf_oh_get_key),
    DYNLIB_SYM(L, qpdf_oh_get_dict),
    DYNLIB_SYM(L, qpdf_oh_get_stream_data),
    DYNLIB_SYM(L, qpdf_oh_get_page_content_data),
};
static const DynlibSym jbig2_syms[] = {
    DYNLIB_SYM(L, jbig2_ctx_new_imp),
    DYNLIB_SYM(L, jbig2_ctx_free),
    DYNLIB_SYM(L, jbig2_make_global_ctx),
    DYNLIB_SYM(L, jbig2_global_ctx_free),
    DYNLIB_SYM(L, jbig2_data_in),
    DYNLIB_SYM(L, jbig2_complete_page),
    DYNLIB_SYM(L, jbig2_page_out),
    DYNLIB_SYM(L, jbig2_release_page),
};
static const DynlibSym poppler_syms[] = {
    DYNLIB_SYM(L, poppler_document_new_from_file),
    DYNLIB_SYM(L, poppler_document_get_n_pages),
    DYNLIB_SYM(L, poppler_document_get_page),
    DYNLIB_SYM(L, poppler_page_get_size),
    DYNLIB_SYM(L, poppler_page_render),
};
static const DynlibSym glib_syms[] = {
    DYNLIB_SYM(L, g_canonicalize_filename),
    DYNLIB_SYM(L, g_filename_to_uri),
    DYNLIB_SYM(L, g_free),
};
static const DynlibSym cairo_syms[] = {
    DYNLIB_SYM(L, cairo_image_surface_create_for_data),
    DYNLIB_SYM(L, cairo_format_stride_for_width),
    DYNLIB_SYM(L, cairo_surface_flush),
    DYNLIB_SYM(L, cairo_create),
    DYNLIB_SYM(L, cairo_set_source_rgb),
    DYNLIB_SYM(L, cairo_paint),
    DYNLIB_SYM(L, cairo_scale),
    DYNLIB_SYM(L, cairo_status),
    DYNLIB_SYM(L, cairo_status_to_string),
};

/* The shared libraries (the sonames the build's headers match, the Debian
 * packages that have them) in three sets, each opened on its first use:
 * qpdf for every PDF, jbig2dec for JBIG2 page images, the rest for
 * rendering. */
static const DynlibLib qpdf_lib[] = {
    DYNLIB_LIB("libqpdf.so.29", "libqpdf29", qpdf_syms),
};
static const DynlibLib jbig2_lib[] = {
    DYNLIB_LIB("libjbig2dec.so.0", "libjbig2dec0", jbig2_syms),
};
static const DynlibLib render_libs[] = {
    DYNLIB_LIB("libpoppler-glib.so.8", "libpoppler-glib8", poppler_syms),
    DYNLIB_LIB("libglib-2.0.so.0", "libglib2.0-0", glib_syms),
    DYNLIB_LIB("libcairo.so.2", "libcairo2", cairo_syms),
};
static DynlibOnce pdf_qpdf = DYNLIB_ONCE(qpdf_lib);
static DynlibOnce pdf_jbig2 = DYNLIB_ONCE(jbig2_lib);
static DynlibOnce pdf_render = DYNLIB_ONCE(render_libs);

/**
 * 1 if the file is a PDF: "%PDF-" within its first 1024 bytes (where
 * readers look for it).
 *
 * @param[in] path  any file
 * @return 1 or 0 (also 0 when it cannot be read)
 */
int page_pdf_is(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    for (size_t i = 0; i + 5 <= n; i++)
        if (!memcmp(buf + i, "%PDF-", 5))
            return 1;
    return 0;
}

/* ---- qpdf --------------------------------------------------------------- */

/* Files up to this size are read into memory for qpdf: it parses the
 * cross-reference table with a seek and a read per entry, which cost
 * 100 ms per page of a 200-page scan through stdio. Larger files are read
 * through the file (no copy against the stage's address-space limit; no
 * mapping, which a file truncated under it would turn into SIGBUS). */
#define PDF_MEMORY_MAX (64u << 20)

/* The whole file when it is small (NULL otherwise, or on error). */
static unsigned char *slurp(const char *path, size_t *plen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    unsigned char *buf = NULL;
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) == 0 && st.st_size > 0 &&
        (uint64_t)st.st_size <= PDF_MEMORY_MAX &&
        (buf = malloc((size_t)st.st_size))) {
        size_t n = (size_t)st.st_size, got = 0;
        while (got < n) {
            ssize_t r = pread(fd, buf + got, n - got, (off_t)got);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            got += (size_t)r;
        }
        if (got == n) {
            *plen = n;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    close(fd);
    return buf;
}

/* Open path with qpdf, quietly; *pmem is what qpdf reads from memory
 * (free it after qpdf_cleanup). NULL with the message set. */
static qpdf_data pdf_open(const char *path, unsigned char **pmem)
{
    size_t len = 0;
    *pmem = NULL;
    if (dynlib_once(&pdf_qpdf) < 0) {
        err_set("%s: PDF input needs %s", path, pdf_qpdf.err);
        return NULL;
    }
    qpdf_data q = L.qpdf_init();
    if (!q) {
        err_set("%s: out of memory opening the PDF", path);
        return NULL;
    }
    L.qpdf_silence_errors(q);
    L.qpdf_set_suppress_warnings(q, QPDF_TRUE);
    unsigned char *mem = slurp(path, &len);
    QPDF_ERROR_CODE rc =
        mem ? L.qpdf_read_memory(q, path, (const char *)mem, len, NULL)
            : L.qpdf_read(q, path, NULL);
    if (rc & QPDF_ERRORS) {
        qpdf_error e = L.qpdf_get_error(q);
        const char *detail = e ? L.qpdf_get_error_message_detail(q, e) : NULL;
        err_set("%s: cannot read the PDF (%s)", path,
                detail && detail[0] ? detail : "corrupt or truncated file");
        L.qpdf_cleanup(&q);
        free(mem);
        return NULL;
    }
    *pmem = mem;
    return q;
}

/* The error qpdf recorded since the last call, as text ("" if none). */
static const char *pdf_error(qpdf_data q)
{
    if (!L.qpdf_has_error(q))
        return "";
    qpdf_error e = L.qpdf_get_error(q);
    const char *d = e ? L.qpdf_get_error_message_detail(q, e) : NULL;
    return d && d[0] ? d : "corrupt PDF object";
}

/**
 * Pages of a PDF: their count and, when pref is given, each page's
 * locator for page_pdf_read.
 *
 * @param[in]  path       PDF file
 * @param[in]  max_pages  more pages than this fail (limits.max_pages);
 *                        0 = no limit
 * @param[out] pref       [optional] each page's object number << 16 |
 *                        generation (caller frees), 0 where unknown
 * @param[out] pn         pages (>= 1)
 * @return 0, or -1 (unreadable, no pages, too many pages: the message
 *         names the file)
 */
int page_pdf_list(const char *path, int max_pages, uint64_t **pref, int *pn)
{
    if (pref)
        *pref = NULL;
    unsigned char *mem;
    qpdf_data q = pdf_open(path, &mem);
    if (!q)
        return -1;
    int n = L.qpdf_get_num_pages(q), rc = 0;
    uint64_t *ref = NULL;
    if (n < 0 || L.qpdf_has_error(q))
        rc = err_set("%s: cannot read the PDF's page tree (%s)", path,
                     pdf_error(q));
    else if (n == 0)
        rc = err_set("%s: the PDF has no pages", path);
    else if (max_pages > 0 && n > max_pages)
        rc = err_set("%s: %d pages, more than limits.max_pages = %d", path,
                     n, max_pages);
    else if (pref && !(ref = calloc((size_t)n, sizeof *ref)))
        rc = err_set("%s: out of memory for %d page references", path, n);
    for (int p = 0; rc == 0 && ref && p < n; p++) {
        qpdf_oh h = L.qpdf_get_page_n(q, (size_t)p);
        int id = L.qpdf_oh_get_object_id(q, h);
        int gen = L.qpdf_oh_get_generation(q, h);
        if (id > 0 && gen >= 0 && gen <= 0xffff && !L.qpdf_has_error(q))
            ref[p] = (uint64_t)id << 16 | (uint64_t)gen;
        L.qpdf_oh_release(q, h);
    }
    L.qpdf_cleanup(&q);
    free(mem);
    if (rc < 0) {
        free(ref);
        return -1;
    }
    if (pref)
        *pref = ref;
    *pn = n;
    return 0;
}

/* What reading a page needs, and the place for its messages. */
typedef struct {
    qpdf_data q;
    unsigned char *mem; /* the file, when qpdf reads it from memory */
    const char *path;
    int page;           /* 0-based */
    int64_t max_pixels;
    double box[4];      /* MediaBox, normalised: llx lly urx ury */
    int rotate;         /* 0, 90, 180, 270 */
    int hint_dpi;       /* the image's resolution when the layout is one
                         * image but its encoding is not read here */
} PdfPage;

static int page_err(const PdfPage *pg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int page_err(const PdfPage *pg, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set("%s page %d: %s", pg->path, pg->page + 1, msg);
}

/* key of the page or the nearest Pages node above it (inheritable page
 * attributes); a null handle when none has it. */
static qpdf_oh inherited(qpdf_data q, qpdf_oh page, const char *key)
{
    qpdf_oh node = page;
    for (int depth = 0; depth < 64 && L.qpdf_oh_is_dictionary(q, node);
         depth++) {
        if (L.qpdf_oh_has_key(q, node, key))
            return L.qpdf_oh_get_key(q, node, key);
        node = L.qpdf_oh_get_key(q, node, "/Parent");
    }
    return L.qpdf_oh_new_null(q);
}

/* n numbers of an array into v; 0 or -1. */
static int numbers(qpdf_data q, qpdf_oh a, double *v, int n)
{
    if (!L.qpdf_oh_is_array(q, a) || L.qpdf_oh_get_array_n_items(q, a) != n)
        return -1;
    for (int i = 0; i < n; i++) {
        qpdf_oh x = L.qpdf_oh_get_array_item(q, a, i);
        if (!L.qpdf_oh_is_number(q, x))
            return -1;
        v[i] = L.qpdf_oh_get_numeric_value(q, x);
        if (!isfinite(v[i]))
            return -1;
    }
    return 0;
}

/* An integer entry of a dictionary, or def when absent. -1 when present
 * but not an integer in [lo, hi]. */
static int dict_int(qpdf_data q, qpdf_oh d, const char *key, long long def,
                    long long lo, long long hi, long long *pv)
{
    *pv = def;
    if (!L.qpdf_oh_is_dictionary(q, d) || !L.qpdf_oh_has_key(q, d, key))
        return 0;
    qpdf_oh v = L.qpdf_oh_get_key(q, d, key);
    if (L.qpdf_oh_is_null(q, v))
        return 0;
    if (!L.qpdf_oh_is_integer(q, v))
        return -1;
    long long x = L.qpdf_oh_get_int_value(q, v);
    if (x < lo || x > hi)
        return -1;
    *pv = x;
    return 0;
}

static int dict_bool(qpdf_data q, qpdf_oh d, const char *key, int def)
{
    if (!L.qpdf_oh_is_dictionary(q, d) || !L.qpdf_oh_has_key(q, d, key))
        return def;
    qpdf_oh v = L.qpdf_oh_get_key(q, d, key);
    return L.qpdf_oh_is_bool(q, v) ? L.qpdf_oh_get_bool_value(q, v) : def;
}

/* ---- the content stream: one image over the page? ----------------------- */

typedef struct {
    double a, b, c, d, e, f;
} Mat;

static Mat mat_mul(Mat m, Mat t)
{
    Mat r = {m.a * t.a + m.b * t.c, m.a * t.b + m.b * t.d,
             m.c * t.a + m.d * t.c, m.c * t.b + m.d * t.d,
             m.e * t.a + m.f * t.c + t.e, m.e * t.b + m.f * t.d + t.f};
    return r;
}

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\0';
}

static int is_delim(int c)
{
    return strchr("()<>[]{}/%", c) != NULL;
}

/* Whether content s[0..n) only draws one XObject: operators q Q cm gs Do
 * with numbers and names, exactly one Do. Then *pctm is the matrix it is
 * drawn with and name its resource name (with the slash). 1 yes, 0 no. */
static int one_xobject(const char *s, size_t n, Mat *pctm, char *name,
                       size_t name_size)
{
    Mat stack[32], ctm = {1, 0, 0, 1, 0, 0};
    int depth = 0, nnum = 0, ndo = 0;
    double num[6];
    char last[128] = "";
    size_t i = 0;
    while (i < n) {
        int c = (unsigned char)s[i];
        if (is_space(c)) {
            i++;
            continue;
        }
        if (c == '%') {
            while (i < n && s[i] != '\n' && s[i] != '\r')
                i++;
            continue;
        }
        size_t j = i + 1;
        while (j < n && !is_space((unsigned char)s[j]) &&
               !is_delim((unsigned char)s[j]))
            j++;
        size_t len = j - i;
        if (c == '/') {
            if (len >= sizeof last)
                return 0;
            memcpy(last, s + i, len);
            last[len] = '\0';
            nnum = 0;
        } else if (strchr("+-.0123456789", c)) {
            char buf[40];
            if (len >= sizeof buf || nnum == 6)
                return 0;
            memcpy(buf, s + i, len);
            buf[len] = '\0';
            char *end;
            double v = strtod(buf, &end);
            if (*end || !isfinite(v))
                return 0;
            num[nnum++] = v;
        } else if (is_delim(c)) {
            return 0; /* strings, arrays, dictionaries, inline images */
        } else if (len == 1 && c == 'q') {
            if (depth == 32)
                return 0;
            stack[depth++] = ctm;
        } else if (len == 1 && c == 'Q') {
            if (depth == 0)
                return 0;
            ctm = stack[--depth];
        } else if (len == 2 && !memcmp(s + i, "cm", 2)) {
            if (nnum != 6)
                return 0;
            Mat m = {num[0], num[1], num[2], num[3], num[4], num[5]};
            ctm = mat_mul(m, ctm);
        } else if (len == 2 && !memcmp(s + i, "Do", 2)) {
            if (!last[0] || ndo++)
                return 0;
            *pctm = ctm;
            snprintf(name, name_size, "%s", last);
        } else if (!(len == 2 && !memcmp(s + i, "gs", 2))) {
            return 0; /* text, paths, colours: not one image */
        }
        if (c != '/' && !strchr("+-.0123456789", c)) {
            nnum = 0; /* an operator takes its operands */
            last[0] = '\0';
        }
        i = j;
    }
    return ndo == 1;
}

/* ---- decoding one image XObject ----------------------------------------- */

/* The filter of a stream: "" when none, the name of a single filter, or
 * NULL when there are several (or the entry is odd). */
static const char *single_filter(qpdf_data q, qpdf_oh dict, qpdf_oh *pparms)
{
    qpdf_oh f = L.qpdf_oh_get_key(q, dict, "/Filter");
    qpdf_oh p = L.qpdf_oh_get_key(q, dict, "/DecodeParms");
    if (L.qpdf_oh_is_array(q, f)) {
        if (L.qpdf_oh_get_array_n_items(q, f) == 0) {
            *pparms = L.qpdf_oh_new_null(q);
            return "";
        }
        if (L.qpdf_oh_get_array_n_items(q, f) != 1)
            return NULL;
        f = L.qpdf_oh_get_array_item(q, f, 0);
        if (L.qpdf_oh_is_array(q, p))
            p = L.qpdf_oh_get_array_item(q, p, 0);
    }
    *pparms = p;
    if (L.qpdf_oh_is_null(q, f))
        return "";
    return L.qpdf_oh_is_name(q, f) ? L.qpdf_oh_get_name(q, f) : NULL;
}

/* Components of a colour space the raw-sample path reads (grey 1, RGB
 * 3), 0 for the others (CMYK, Lab, Indexed, Separation...). */
static int color_components(qpdf_data q, qpdf_oh cs)
{
    if (L.qpdf_oh_is_array(q, cs) && L.qpdf_oh_get_array_n_items(q, cs) == 2) {
        qpdf_oh fam = L.qpdf_oh_get_array_item(q, cs, 0);
        qpdf_oh arg = L.qpdf_oh_get_array_item(q, cs, 1);
        if (L.qpdf_oh_is_name_and_equals(q, fam, "/CalGray"))
            return 1;
        if (L.qpdf_oh_is_name_and_equals(q, fam, "/CalRGB"))
            return 3;
        if (L.qpdf_oh_is_name_and_equals(q, fam, "/ICCBased") &&
            L.qpdf_oh_is_stream(q, arg)) {
            long long nc;
            if (dict_int(q, L.qpdf_oh_get_dict(q, arg), "/N", 0, 0, 4, &nc) < 0)
                return 0;
            return nc == 1 || nc == 3 ? (int)nc : 0;
        }
        return 0;
    }
    if (L.qpdf_oh_is_name_and_equals(q, cs, "/DeviceGray") ||
        L.qpdf_oh_is_name_and_equals(q, cs, "/G"))
        return 1;
    if (L.qpdf_oh_is_name_and_equals(q, cs, "/DeviceRGB") ||
        L.qpdf_oh_is_name_and_equals(q, cs, "/RGB"))
        return 3;
    return 0;
}

/* /Decode: 0 absent or the default, 1 inverted ([1 0] on one grey
 * component), -1 anything else. */
static int decode_array(qpdf_data q, qpdf_oh dict, int comps)
{
    qpdf_oh d = L.qpdf_oh_get_key(q, dict, "/Decode");
    if (L.qpdf_oh_is_null(q, d))
        return 0;
    double v[6];
    if (comps > 3 || numbers(q, d, v, 2 * comps) < 0)
        return -1;
    int dflt = 1, inv = comps == 1;
    for (int i = 0; i < comps; i++) {
        dflt &= v[2 * i] == 0 && v[2 * i + 1] == 1;
        inv &= v[2 * i] == 1 && v[2 * i + 1] == 0;
    }
    return dflt ? 0 : inv ? 1 : -1;
}

/* The raw (still encoded) bytes of a stream; -1 with the message set. */
static int stream_bytes(const PdfPage *pg, qpdf_oh st, unsigned char **pbuf,
                        size_t *plen)
{
    *pbuf = NULL;
    *plen = 0;
    if (L.qpdf_oh_get_stream_data(pg->q, st, qpdf_dl_none, NULL, pbuf, plen) &
            QPDF_ERRORS ||
        L.qpdf_has_error(pg->q)) {
        free(*pbuf);
        *pbuf = NULL;
        return page_err(pg, "cannot read the image data (%s)",
                        pdf_error(pg->q));
    }
    return 0;
}

/* CCITT G4 data as a one-strip TIFF in memory (page__g4_tiff), read. */
static PIX *ccitt_read(const unsigned char *data, size_t len, int w, int h,
                       int photometric)
{
    size_t n = 0;
    unsigned char *t = page__g4_tiff(data, len, w, h, photometric, 0, 0, &n);
    if (!t)
        return NULL;
    PIX *pix = pixReadMemTiff(t, n, 0);
    free(t);
    return pix;
}

/* PNG predictor (rows of 1 + rowbytes bytes, filter byte first) undone
 * in place into out (rows of rowbytes). bpp: bytes per pixel, >= 1. */
static int png_unpredict(const unsigned char *in, unsigned char *out,
                         size_t rowbytes, int h, int bpp)
{
    for (int y = 0; y < h; y++) {
        const unsigned char *src = in + (size_t)y * (rowbytes + 1);
        unsigned char *row = out + (size_t)y * rowbytes;
        const unsigned char *up = y ? row - rowbytes : NULL;
        int type = src[0];
        src++;
        for (size_t x = 0; x < rowbytes; x++) {
            int a = x >= (size_t)bpp ? row[x - bpp] : 0;
            int b = up ? up[x] : 0;
            int c = up && x >= (size_t)bpp ? up[x - bpp] : 0;
            int v = src[x];
            switch (type) {
            case 0: break;
            case 1: v += a; break;
            case 2: v += b; break;
            case 3: v += (a + b) / 2; break;
            case 4: {
                int p = a + b - c, pa = abs(p - a), pb = abs(p - b),
                    pc = abs(p - c);
                v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                break;
            }
            default: return -1;
            }
            row[x] = (unsigned char)v;
        }
    }
    return 0;
}

/* Inflate exactly want bytes (more input is ignored); 0, or -1 when the
 * data is corrupt or ends early. */
static int inflate_capped(const unsigned char *in, size_t inlen,
                          unsigned char *out, size_t want)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit(&zs) != Z_OK)
        return -1;
    size_t done = 0, used = 0;
    int zrc = Z_OK;
    while (done < want && zrc == Z_OK) {
        uInt ai = inlen - used > 1u << 30 ? 1u << 30 : (uInt)(inlen - used);
        uInt ao = want - done > 1u << 30 ? 1u << 30 : (uInt)(want - done);
        zs.next_in = (Bytef *)(in + used);
        zs.avail_in = ai;
        zs.next_out = out + done;
        zs.avail_out = ao;
        zrc = inflate(&zs, Z_NO_FLUSH);
        used += ai - zs.avail_in;
        done += ao - zs.avail_out;
        if (zrc == Z_BUF_ERROR && zs.avail_in == 0)
            break;
    }
    inflateEnd(&zs);
    return done == want ? 0 : -1;
}

/* Raw samples (no filter or FlateDecode) into a PIX: grey 1/2/4/8 bits,
 * RGB 8 bits. *pnot = 1 (and NULL) for layouts read by the fallback. */
static PIX *raw_read(const PdfPage *pg, qpdf_oh img, const char *filter,
                     qpdf_oh parms, int w, int h, int bpc, int comps,
                     int invert, int *pnot)
{
    qpdf_data q = pg->q;
    *pnot = 1;
    if (!(comps == 1 && (bpc == 1 || bpc == 2 || bpc == 4 || bpc == 8)) &&
        !(comps == 3 && bpc == 8))
        return NULL;
    long long pred, colors, pbpc, cols;
    if (dict_int(q, parms, "/Predictor", 1, 1, 15, &pred) < 0 ||
        dict_int(q, parms, "/Colors", 1, 1, 4, &colors) < 0 ||
        dict_int(q, parms, "/BitsPerComponent", 8, 1, 16, &pbpc) < 0 ||
        dict_int(q, parms, "/Columns", 1, 1, 1 << 30, &cols) < 0)
        return NULL;
    if (pred > 1 && (colors != comps || pbpc != bpc || cols != w))
        return NULL;
    if (pred == 2 && bpc != 8)
        return NULL;
    if (pred > 2 && pred < 10)
        return NULL;
    if (!*filter && pred > 1)
        return NULL;
    *pnot = 0;
    size_t rowbytes = ((size_t)w * (size_t)comps * (size_t)bpc + 7) / 8;
    size_t inrow = rowbytes + (pred >= 10 ? 1 : 0);
    size_t need = inrow * (size_t)h;
    unsigned char *raw = NULL, *samples = NULL, *dec = NULL;
    size_t rawlen;
    PIX *pix = NULL;
    if (stream_bytes(pg, img, &raw, &rawlen) < 0)
        return NULL;
    if (!*filter) {
        if (rawlen < need) {
            page_err(pg, "the image data is short (%zu of %zu bytes)",
                     rawlen, need);
            goto done;
        }
        samples = raw;
    } else {
        if (!(dec = malloc(need ? need : 1))) {
            page_err(pg, "out of memory for the %d x %d image; raise "
                         "limits.page_memory_mb",
                     w, h);
            goto done;
        }
        if (inflate_capped(raw, rawlen, dec, need) < 0) {
            page_err(pg, "cannot decode the image (corrupt or truncated "
                         "Flate data)");
            goto done;
        }
        samples = dec;
        if (pred >= 10) {
            /* undone into raw's room would need rawlen >= need: use a
             * second buffer */
            unsigned char *un = malloc(rowbytes * (size_t)h + 1);
            int bpp = (comps * bpc + 7) / 8;
            if (!un || png_unpredict(dec, un, rowbytes, h, bpp) < 0) {
                free(un);
                page_err(pg, "cannot decode the image (bad PNG predictor "
                             "data)");
                goto done;
            }
            free(dec);
            samples = dec = un;
        } else if (pred == 2) {
            for (int y = 0; y < h; y++) {
                unsigned char *row = dec + (size_t)y * rowbytes;
                for (size_t x = (size_t)comps; x < rowbytes; x++)
                    row[x] = (unsigned char)(row[x] + row[x - comps]);
            }
        }
    }
    pix = pixCreate(w, h, comps == 3 ? 32 : bpc);
    if (!pix) {
        page_err(pg, "out of memory for the %d x %d image; raise "
                     "limits.page_memory_mb",
                 w, h);
        goto done;
    }
    l_uint32 *data = pixGetData(pix);
    int wpl = pixGetWpl(pix);
    for (int y = 0; y < h; y++) {
        const unsigned char *row = samples + (size_t)y * rowbytes;
        l_uint32 *line = data + (size_t)y * (size_t)wpl;
        if (comps == 3) {
            for (int x = 0; x < w; x++)
                line[x] = (l_uint32)row[3 * x] << 24 |
                          (l_uint32)row[3 * x + 1] << 16 |
                          (l_uint32)row[3 * x + 2] << 8 | 0xff;
            continue;
        }
        /* Leptonica's words hold their first pixel in the high bits */
        unsigned char *bytes = (unsigned char *)line;
        memcpy(bytes, row, rowbytes);
        memset(bytes + rowbytes, 0, (size_t)wpl * 4 - rowbytes);
    }
    if (comps == 1) {
        pixEndianByteSwap(pix);
        /* PDF grey: 0 is black. Leptonica 1 bpp: 1 is black; 2..8 bpp
         * grey: 0 is black. */
        if ((bpc == 1) != (invert == 1))
            pixInvert(pix, pix);
    } else {
        pixSetSpp(pix, 3);
    }
done:
    free(dec);
    free(raw);
    return pix;
}

/* jbig2dec's memory, capped: a stream that claims a huge page or
 * symbol dictionary fails instead of allocating. Each block carries its
 * size in front (jbig2dec frees without one). */
typedef struct {
    Jbig2Allocator a; /* first: jbig2dec passes &a back */
    size_t used, cap;
} CapAlloc;

#define CAP_HEAD 16 /* keeps malloc's alignment */

static void *cap_alloc(Jbig2Allocator *al, size_t n)
{
    CapAlloc *c = (CapAlloc *)al;
    if (n > c->cap - c->used)
        return NULL;
    unsigned char *p = malloc(n + CAP_HEAD);
    if (!p)
        return NULL;
    memcpy(p, &n, sizeof n);
    c->used += n;
    return p + CAP_HEAD;
}

static void cap_free(Jbig2Allocator *al, void *ptr)
{
    if (!ptr)
        return;
    CapAlloc *c = (CapAlloc *)al;
    unsigned char *p = (unsigned char *)ptr - CAP_HEAD;
    size_t n;
    memcpy(&n, p, sizeof n);
    c->used -= n;
    free(p);
}

static void *cap_realloc(Jbig2Allocator *al, void *ptr, size_t n)
{
    if (!ptr)
        return cap_alloc(al, n);
    CapAlloc *c = (CapAlloc *)al;
    unsigned char *p = (unsigned char *)ptr - CAP_HEAD;
    size_t old;
    memcpy(&old, p, sizeof old);
    if (n > old && n - old > c->cap - c->used)
        return NULL;
    unsigned char *q = realloc(p, n + CAP_HEAD);
    if (!q)
        return NULL;
    memcpy(q, &n, sizeof n);
    c->used = c->used - old + n;
    return q + CAP_HEAD;
}

/* jbig2dec's messages: the first fatal one is kept for ours. */
static void jbig2_error(void *data, const char *msg, Jbig2Severity severity,
                        uint32_t seg_idx)
{
    char *keep = data;
    (void)seg_idx;
    if (severity == JBIG2_SEVERITY_FATAL && keep && !keep[0] && msg)
        snprintf(keep, 200, "%s", msg);
}

/* A JBIG2 page (embedded stream, optional unfiltered /JBIG2Globals) into
 * a 1 bpp PIX. *pnot = 1 (and NULL) for layouts left to the fallback. */
static PIX *jbig2_read(const PdfPage *pg, qpdf_oh xo, qpdf_oh parms, int w,
                       int h, int invert, int *pnot)
{
    qpdf_data q = pg->q;
    *pnot = 1;
    qpdf_oh gs = L.qpdf_oh_get_key(q, parms, "/JBIG2Globals");
    int has_globals = L.qpdf_oh_is_stream(q, gs);
    if (!has_globals && !L.qpdf_oh_is_null(q, gs))
        return NULL;
    if (has_globals &&
        !L.qpdf_oh_is_null(q, L.qpdf_oh_get_key(q, L.qpdf_oh_get_dict(q, gs),
                                            "/Filter")))
        return NULL; /* compressed globals: poppler's decoder */
    *pnot = 0;
    if (dynlib_once(&pdf_jbig2) < 0) {
        page_err(pg, "JBIG2 page images need %s", pdf_jbig2.err);
        return NULL;
    }
    /* the page bitmap, a copy of it, and room for symbols and regions */
    size_t bitmap = ((size_t)w + 7) / 8 * (size_t)h;
    CapAlloc ca = {{cap_alloc, cap_free, cap_realloc}, 0,
                   3 * bitmap + (64u << 20)};
    char why[200] = "";
    unsigned char *g = NULL, *data = NULL;
    size_t glen = 0, len = 0;
    Jbig2GlobalCtx *gctx = NULL;
    Jbig2Ctx *ctx = NULL;
    Jbig2Image *img = NULL;
    PIX *pix = NULL;
    if (has_globals) {
        if (stream_bytes(pg, gs, &g, &glen) < 0)
            goto done;
        Jbig2Ctx *g0 = L.jbig2_ctx_new_imp(
            &ca.a, JBIG2_OPTIONS_EMBEDDED, NULL, jbig2_error, why,
            JBIG2_VERSION_MAJOR, JBIG2_VERSION_MINOR);
        if (!g0 || L.jbig2_data_in(g0, g, glen) < 0 ||
            !(gctx = L.jbig2_make_global_ctx(g0))) {
            if (g0 && !gctx)
                L.jbig2_ctx_free(g0);
            page_err(pg, "cannot decode the JBIG2 globals (%s)",
                     why[0] ? why : "corrupt data");
            goto done;
        }
    }
    if (stream_bytes(pg, xo, &data, &len) < 0)
        goto done;
    ctx = L.jbig2_ctx_new_imp(&ca.a, JBIG2_OPTIONS_EMBEDDED, gctx,
                              jbig2_error, why, JBIG2_VERSION_MAJOR,
                              JBIG2_VERSION_MINOR);
    if (!ctx || L.jbig2_data_in(ctx, data, len) < 0 ||
        L.jbig2_complete_page(ctx) < 0 || !(img = L.jbig2_page_out(ctx))) {
        page_err(pg, "cannot decode the page image (JBIG2Decode data: %s)",
                 why[0] ? why : "corrupt or truncated");
        goto done;
    }
    if (img->width != (uint32_t)w || img->height != (uint32_t)h) {
        page_err(pg, "the JBIG2 page is %u x %u, its PDF entry says %d x %d",
                 img->width, img->height, w, h);
        goto done;
    }
    if (!(pix = pixCreate(w, h, 1))) {
        page_err(pg, "out of memory for the %d x %d image; raise "
                     "limits.page_memory_mb",
                 w, h);
        goto done;
    }
    /* JBIG2 and Leptonica: 1 is black, first pixel in the high bit */
    l_uint32 *pd = pixGetData(pix);
    int wpl = pixGetWpl(pix);
    size_t rowbytes = ((size_t)w + 7) / 8;
    for (int y = 0; y < h; y++)
        memcpy(pd + (size_t)y * (size_t)wpl, img->data + (size_t)y * img->stride,
               rowbytes);
    pixEndianByteSwap(pix);
    if (invert)
        pixInvert(pix, pix);
    pixSetPadBits(pix, 0);
done:
    if (img)
        L.jbig2_release_page(ctx, img);
    if (ctx)
        L.jbig2_ctx_free(ctx);
    if (gctx)
        L.jbig2_global_ctx_free(gctx);
    free(g);
    free(data);
    return pix;
}

static void page_set_dpi(PIX *pix, int w, int h, const Mat *ctm)
{
    int xres = (int)lround(w * 72.0 / ctm->a);
    int yres = (int)lround(h * 72.0 / ctm->d);
    pixSetResolution(pix, xres, yres);
}

/* The page's one image XObject, if the page is one image drawn upright
 * over the whole MediaBox: 1 (*pxo, *pctm set) or 0. */
static int page_image(const PdfPage *pg, qpdf_oh page, qpdf_oh *pxo,
                      Mat *pctm)
{
    qpdf_data q = pg->q;
    unsigned char *content = NULL;
    size_t clen = 0;
    if (L.qpdf_oh_get_page_content_data(q, page, &content, &clen) &
            QPDF_ERRORS ||
        L.qpdf_has_error(q)) {
        free(content);
        (void)pdf_error(q);
        return 0; /* odd contents: the renderer has its own rules */
    }
    Mat ctm = {1, 0, 0, 1, 0, 0};
    char name[128];
    int one = clen <= PDF_MAX_CONTENT &&
              one_xobject((const char *)content, clen, &ctm, name,
                          sizeof name);
    free(content);
    if (!one)
        return 0;
    qpdf_oh res = inherited(q, page, "/Resources");
    qpdf_oh xo = L.qpdf_oh_get_key(q, L.qpdf_oh_get_key(q, res, "/XObject"),
                                 name);
    if (!L.qpdf_oh_is_stream(q, xo) ||
        !L.qpdf_oh_is_name_and_equals(
            q, L.qpdf_oh_get_key(q, L.qpdf_oh_get_dict(q, xo), "/Subtype"),
            "/Image"))
        return 0;
    /* axis-aligned, upright, covering the MediaBox */
    const double *b = pg->box;
    double bw = b[2] - b[0], bh = b[3] - b[1];
    double tx = bw / 100 > 2 ? bw / 100 : 2, ty = bh / 100 > 2 ? bh / 100 : 2;
    if (fabs(ctm.b) > 1e-6 || fabs(ctm.c) > 1e-6 || ctm.a <= 0 ||
        ctm.d <= 0 || fabs(ctm.e - b[0]) > tx || fabs(ctm.f - b[1]) > ty ||
        fabs(ctm.e + ctm.a - b[2]) > tx || fabs(ctm.f + ctm.d - b[3]) > ty)
        return 0;
    *pxo = xo;
    *pctm = ctm;
    return 1;
}

/* A DCTDecode image: 1 (*ppix, or NULL when Leptonica cannot decode
 * it), 0 (rendered instead) or -1. */
static int dct_read(const PdfPage *pg, qpdf_oh xo, long long w, long long h,
                    PIX **ppix)
{
    unsigned char *raw;
    size_t len;
    if (stream_bytes(pg, xo, &raw, &len) < 0)
        return -1;
    int jw, jh, spp, cmyk = 0;
    /* JPEGs that libjpeg takes only from poppler's DCT reader (table and
     * image SOIs both kept, as tiff2pdf -j writes them), and CMYK with
     * its inverted Adobe samples: rendered */
    if (readHeaderMemJpeg(raw, len, &jw, &jh, &spp, NULL, &cmyk) != 0 ||
        cmyk || spp == 4) {
        free(raw);
        return 0;
    }
    if (jw != w || jh != h || (int64_t)jw * jh > pg->max_pixels) {
        free(raw);
        return page_err(pg, "the JPEG is %d x %d, its PDF entry says %lld x "
                            "%lld",
                        jw, jh, w, h);
    }
    *ppix = pixReadMemJpeg(raw, len, 0, 1, NULL, 0);
    free(raw);
    return 1;
}

/* A CCITTFaxDecode image: as dct_read. */
static int ccitt_page(const PdfPage *pg, qpdf_oh xo, qpdf_oh parms,
                      long long w, long long h, int invert, PIX **ppix)
{
    qpdf_data q = pg->q;
    long long k, cols, rows;
    if (dict_int(q, parms, "/K", 0, -1000000, 1000000, &k) < 0 ||
        dict_int(q, parms, "/Columns", 1728, 1, 1 << 30, &cols) < 0 ||
        dict_int(q, parms, "/Rows", h, 0, 1 << 30, &rows) < 0)
        return 0;
    if (rows == 0)
        rows = h;
    /* G3 (K >= 0: libtiff wants the EOLs PDF makes optional), byte
     * alignment, unusual sizes: the renderer knows them */
    if (k >= 0 || cols != w || rows != h ||
        dict_bool(q, parms, "/EncodedByteAlign", 0) ||
        !dict_bool(q, parms, "/EndOfBlock", 1))
        return 0;
    /* BlackIs1 false (the default): 0 bits are black, as CCITT codes them
     * with TIFF's WhiteIsZero; true flips that, as does /Decode [1 0] */
    int black1 = dict_bool(q, parms, "/BlackIs1", 0);
    int photometric = (black1 != invert) ? 1 : 0;
    unsigned char *raw;
    size_t len;
    if (stream_bytes(pg, xo, &raw, &len) < 0)
        return -1;
    *ppix = ccitt_read(raw, len, (int)w, (int)h, photometric);
    free(raw);
    return 1;
}

/* Take the page's one image straight out of the file. 1 = *ppix is the
 * page; 0 = not a page this reads (use the fallback); -1 = error. */
static int direct_read(PdfPage *pg, qpdf_oh page, PIX **ppix)
{
    qpdf_data q = pg->q;
    qpdf_oh xo;
    Mat ctm;
    *ppix = NULL;
    if (!page_image(pg, page, &xo, &ctm))
        return 0;
    qpdf_oh img = L.qpdf_oh_get_dict(q, xo);
    long long w, h, bpc;
    if (dict_int(q, img, "/Width", 0, 1, 1 << 30, &w) < 0 ||
        dict_int(q, img, "/Height", 0, 1, 1 << 30, &h) < 0 || w == 0 ||
        h == 0)
        return page_err(pg, "the page image has no valid /Width and "
                            "/Height");
    if (w * h > pg->max_pixels)
        return page_err(pg,
                        "image is %lld x %lld = %lld pixels, over "
                        "limits.max_pixels = %lld",
                        w, h, w * h, (long long)pg->max_pixels);
    /* whatever the fallback renders, at this image's resolution */
    double dpi = w * 72.0 / ctm.a;
    pg->hint_dpi = dpi < 50 ? 50 : dpi > 1200 ? 1200 : (int)lround(dpi);
    if (dict_bool(q, img, "/ImageMask", 0) ||
        L.qpdf_oh_has_key(q, img, "/SMask") || L.qpdf_oh_has_key(q, img, "/Mask"))
        return 0;
    qpdf_oh parms;
    const char *filter = single_filter(q, img, &parms);
    if (!filter)
        return 0;
    int comps = color_components(q, L.qpdf_oh_get_key(q, img, "/ColorSpace"));
    if (!strcmp(filter, "/CCITTFaxDecode") || !strcmp(filter, "/JBIG2Decode"))
        comps = 1; /* bilevel whatever the entry says */
    if (comps == 0)
        return 0;
    int invert = decode_array(q, img, comps);
    if (invert < 0 ||
        dict_int(q, img, "/BitsPerComponent", 8, 1, 16, &bpc) < 0)
        return 0;
    PIX *pix = NULL;
    int rc, not_here = 0;
    if (!strcmp(filter, "/DCTDecode")) {
        if (invert)
            return 0;
        rc = dct_read(pg, xo, w, h, &pix);
    } else if (!strcmp(filter, "/CCITTFaxDecode")) {
        rc = ccitt_page(pg, xo, parms, w, h, invert, &pix);
    } else if (!*filter || !strcmp(filter, "/FlateDecode") ||
               !strcmp(filter, "/Fl")) {
        pix = raw_read(pg, xo, filter, parms, (int)w, (int)h, (int)bpc, comps,
                       invert, &not_here);
        if (!pix)
            return not_here ? 0 : -1;
        rc = 1;
    } else if (!strcmp(filter, "/JBIG2Decode")) {
        pix = jbig2_read(pg, xo, parms, (int)w, (int)h, invert, &not_here);
        if (!pix)
            return not_here ? 0 : -1;
        rc = 1;
    } else {
        return 0; /* JPX, LZW, RunLength...: rendered */
    }
    if (rc <= 0)
        return rc;
    if (!pix)
        return page_err(pg, "cannot decode the page image (%s data; "
                            "corrupt or truncated file?)",
                        filter + 1);
    if (pixGetWidth(pix) != w || pixGetHeight(pix) != h) {
        pixDestroy(&pix);
        return page_err(pg, "decoded image size differs from its PDF entry");
    }
    page_set_dpi(pix, (int)w, (int)h, &ctm);
    *ppix = pix;
    return 1;
}

/* ---- poppler: everything else ------------------------------------------- */

/* Big-endian 32-bit value at p. */
static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

/* The largest bitmap (pixels) a JBIG2 stream (embedded: segments without
 * a file header) declares: its page information segments' page sizes and
 * its region segments' region sizes (ITU T.88 7.2-7.4: segment number,
 * flags, referred-to segments, page association, data length, then the
 * data; a region's data starts with its width and height). A page of
 * unknown height (0xffffffff, striped) counts its width only. Parsing
 * stops at a segment of unknown length or the end of the data. */
static uint64_t jbig2_largest(const unsigned char *d, size_t n)
{
    uint64_t most = 0;
    size_t at = 0;
    while (at + 6 <= n) {
        uint32_t num = be32(d + at);
        int type = d[at + 4] & 63, wide_page = d[at + 4] & 64;
        at += 5;
        uint32_t refs = d[at] >> 5;
        if (refs == 7) { /* long form: 29-bit count, retention bits */
            if (at + 4 > n)
                break;
            refs = be32(d + at) & 0x1fffffff;
            at += 4 + (refs + 8) / 8;
        } else {
            at += 1;
        }
        size_t rsize = num <= 256 ? 1 : num <= 65536 ? 2 : 4;
        if (refs > n || at + (size_t)refs * rsize + (wide_page ? 4 : 1) + 4 > n)
            break;
        at += (size_t)refs * rsize + (wide_page ? 4 : 1);
        uint32_t len = be32(d + at);
        at += 4;
        /* page information (48); text, halftone, generic and generic
         * refinement regions (4-43 but for the dictionaries and ends) */
        int region = type == 4 || type == 6 || type == 7 || type == 20 ||
                     type == 22 || type == 23 || type == 36 ||
                     type == 38 || type == 39 || type == 40 || type == 42 ||
                     type == 43;
        if ((type == 48 || region) && at + 8 <= n) {
            uint64_t w = be32(d + at), h = be32(d + at + 4);
            uint64_t px = w * (type == 48 && h == 0xffffffffu ? 1 : h);
            most = px > most ? px : most;
        }
        if (len == 0xffffffffu || len > n - at)
            break;
        at += len;
    }
    return most;
}

/* Before poppler decodes the file: every image qpdf finds in it is at
 * most max_pixels by its /Width and /Height (poppler decodes an image
 * whole however small it is drawn), and every JBIG2 stream (and its
 * /JBIG2Globals) declares no page or region over that (poppler allocates
 * what the stream declares: a region of 268 million by 61 pixels in a
 * 203 x 61 image took 2 GB). Objects of generation 0, up to the
 * trailer's /Size, PDF_MAX_OBJECTS and a quarter of the file's bytes.
 * 0, or -1 with the message set. */
static int images_fit(const PdfPage *pg)
{
    qpdf_data q = pg->q;
    long long size = 0;
    if (dict_int(q, L.qpdf_get_trailer(q), "/Size", 0, 0, PDF_MAX_OBJECTS,
                 &size) < 0)
        size = PDF_MAX_OBJECTS;
    /* an object takes 4 bytes at the least (in an object stream): a
     * small file that claims a big /Size is not walked for it */
    struct stat st;
    if (stat(pg->path, &st) == 0 && st.st_size / 4 + 1 < size)
        size = st.st_size / 4 + 1;
    int rc = 0;
    for (int id = 1; rc == 0 && id < size; id++) {
        qpdf_oh o = L.qpdf_get_object_by_id(q, id, 0), parms;
        int stream = L.qpdf_oh_is_stream(q, o);
        qpdf_oh d = stream ? L.qpdf_oh_get_dict(q, o) : 0;
        long long w = 0, h = 0;
        /* any image: poppler decodes it whole, however small it is drawn */
        if (stream &&
            L.qpdf_oh_is_name_and_equals(q, L.qpdf_oh_get_key(q, d, "/Subtype"),
                                         "/Image") &&
            dict_int(q, d, "/Width", 0, 0, 1 << 30, &w) == 0 &&
            dict_int(q, d, "/Height", 0, 0, 1 << 30, &h) == 0 &&
            w * h > pg->max_pixels) {
            rc = page_err(pg,
                          "an image of the file (object %d) is %lld x %lld = "
                          "%lld pixels, over limits.max_pixels = %lld",
                          id, w, h, w * h, (long long)pg->max_pixels);
            L.qpdf_oh_release(q, o);
            break;
        }
        const char *f = stream ? single_filter(q, d, &parms) : NULL;
        for (int k = 0; rc == 0 && f && !strcmp(f, "/JBIG2Decode") && k < 2;
             k++) {
            qpdf_oh st = k ? L.qpdf_oh_get_key(q, parms, "/JBIG2Globals") : o;
            unsigned char *buf = NULL;
            size_t len = 0;
            if (!L.qpdf_oh_is_stream(q, st) ||
                L.qpdf_oh_get_stream_data(q, st, qpdf_dl_none, NULL, &buf,
                                          &len) &
                    QPDF_ERRORS) {
                free(buf);
                continue;
            }
            uint64_t px = jbig2_largest(buf, len);
            free(buf);
            if (px > (uint64_t)pg->max_pixels)
                rc = page_err(pg,
                              "JBIG2 image (object %d) declares %llu pixels, "
                              "over limits.max_pixels = %lld",
                              id, (unsigned long long)px,
                              (long long)pg->max_pixels);
        }
        L.qpdf_oh_release(q, o);
    }
    (void)pdf_error(q);
    return rc;
}

/* What the rendering child sends down the pipe when it is done. */
typedef struct {
    int ok;        /* 1: the memory file holds h rows of stride bytes,
                    * CAIRO_FORMAT_RGB24 (0x00RRGGBB) */
    int w, h, dpi, stride;
    char msg[512]; /* when !ok: the message, file and page named */
} RenderHead;

/* CPU seconds the rendering child may use (RLIMIT_CPU: SIGXCPU then; a
 * second under a lower hard limit, which kills), and PDF_RENDER_WALL times
 * that of wall time (SIGALRM). */
static void render_limit(rlim_t seconds)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_CPU, &rl) == 0) {
        rl.rlim_cur = seconds;
        if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max <= seconds)
            rl.rlim_cur = rl.rlim_max > 1 ? rl.rlim_max - 1 : 1;
        (void)setrlimit(RLIMIT_CPU, &rl);
    }
    alarm((unsigned)(PDF_RENDER_WALL * seconds)); /* a child that waits */
}

/* The rendering child: poppler draws the page into the memory file mfd,
 * then the child writes a RenderHead to fd and exits (what it holds goes
 * with it). On failure the head carries the message. */
static _Noreturn void render_child(const PdfPage *pg, int mfd, int fd)
{
    RenderHead head = {0, 0, 0, 0, 0, ""};
    GError *ge = NULL;
    gchar *abs = L.g_canonicalize_filename(pg->path, NULL);
    gchar *uri = abs ? L.g_filename_to_uri(abs, NULL, &ge) : NULL;
    PopplerDocument *doc =
        uri ? L.poppler_document_new_from_file(uri, NULL, &ge) : NULL;
    PopplerPage *pp = NULL;
    if (!doc) {
        page_err(pg, "cannot render the page (%s)",
                 ge && ge->message ? ge->message : "poppler refused the file");
        goto send;
    }
    if (pg->page >= L.poppler_document_get_n_pages(doc) ||
        !(pp = L.poppler_document_get_page(doc, pg->page))) {
        page_err(pg, "cannot render the page (poppler finds no such page)");
        goto send;
    }
    double pw, ph;
    L.poppler_page_get_size(pp, &pw, &ph);
    int dpi = pg->hint_dpi ? pg->hint_dpi : PDF_RENDER_DPI;
    double fw = ceil(pw * dpi / 72.0 - 1e-6), fh = ceil(ph * dpi / 72.0 - 1e-6);
    if (!(fw >= 1 && fh >= 1 && fw < 1e6 && fh < 1e6)) {
        page_err(pg, "bad page size %.1f x %.1f points", pw, ph);
        goto send;
    }
    int w = (int)fw, h = (int)fh;
    if ((int64_t)w * h > pg->max_pixels) {
        page_err(pg,
                 "rendered at %d dpi the page is %d x %d = %lld pixels, over "
                 "limits.max_pixels = %lld",
                 dpi, w, h, (long long)w * h, (long long)pg->max_pixels);
        goto send;
    }
    render_limit(PDF_RENDER_CPU_S + (rlim_t)w * h / PDF_RENDER_PX_PER_S);
    int stride = L.cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, w);
    size_t size = (size_t)stride * (size_t)h;
    void *mem = MAP_FAILED;
    if (stride <= 0 || ftruncate(mfd, (off_t)size) < 0 ||
        (mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_POPULATE, mfd, 0)) == MAP_FAILED) {
        page_err(pg, "out of memory rendering the %d x %d page; raise "
                     "limits.page_memory_mb",
                 w, h);
        goto send;
    }
    cairo_surface_t *s = L.cairo_image_surface_create_for_data(
        mem, CAIRO_FORMAT_RGB24, w, h, stride);
    cairo_t *cr = L.cairo_create(s);
    L.cairo_set_source_rgb(cr, 1, 1, 1);
    L.cairo_paint(cr);
    L.cairo_scale(cr, w / pw, h / ph);
    L.poppler_page_render(pp, cr);
    L.cairo_surface_flush(s);
    if (L.cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        page_err(pg, "cannot render the page (%s)",
                 L.cairo_status_to_string(L.cairo_status(cr)));
        goto send;
    }
    head = (RenderHead){1, w, h, dpi, stride, ""};
send:
    if (!head.ok)
        snprintf(head.msg, sizeof head.msg, "%s", err_get());
    const char *p = (const char *)&head;
    size_t n = sizeof head;
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            _exit(1);
        p += k;
        n -= (size_t)k;
    }
    _exit(0);
}

/* The page's pixels from the memory file the child drew them in:
 * 0x00RRGGBB -> 0xRRGGBBff. NULL with the message set. */
static PIX *render_take(const PdfPage *pg, const RenderHead *head, int mfd)
{
    struct stat st;
    size_t size = (size_t)head->stride * (size_t)head->h;
    if (head->w < 1 || head->h < 1 || head->stride < 4 * head->w ||
        (int64_t)head->w * head->h > pg->max_pixels || fstat(mfd, &st) < 0 ||
        (uint64_t)st.st_size < size) {
        page_err(pg, "cannot render the page (the renderer sent a bad size)");
        return NULL;
    }
    const unsigned char *src =
        mmap(NULL, size, PROT_READ, MAP_SHARED | MAP_POPULATE, mfd, 0);
    PIX *pix = src == MAP_FAILED ? NULL : pixCreate(head->w, head->h, 32);
    if (!pix) {
        page_err(pg, "out of memory for the %d x %d page; raise "
                     "limits.page_memory_mb",
                 head->w, head->h);
    } else {
        pixSetSpp(pix, 3);
        pixSetResolution(pix, head->dpi, head->dpi);
        l_uint32 *dst = pixGetData(pix);
        int wpl = pixGetWpl(pix);
        for (int y = 0; y < head->h; y++) {
            const uint32_t *row =
                (const uint32_t *)(src + (size_t)y * head->stride);
            l_uint32 *line = dst + (size_t)y * (size_t)wpl;
            for (int x = 0; x < head->w; x++)
                line[x] = (l_uint32)(row[x] << 8) | 0xff;
        }
    }
    if (src != MAP_FAILED)
        munmap((void *)src, size);
    return pix;
}

/* Render the page with poppler, in a child process: a damaged file that
 * makes poppler loop (a JBIG2 stream whose last segment runs past the
 * file's end: poppler reads on past EOF a byte at a time) or crash costs
 * this page an error, not the process. The child has PDF_RENDER_CPU_S CPU
 * seconds, one more per PDF_RENDER_PX_PER_S pixels of the page, and
 * PDF_RENDER_WALL times that of wall time; it dies with its parent. It
 * draws into a memory file (memfd) the parent maps when it is done, so
 * the pixels are not copied through a pipe. */
static PIX *render(const PdfPage *pg)
{
    if (dynlib_once(&pdf_render) < 0) {
        page_err(pg, "rendering the page needs %s", pdf_render.err);
        return NULL;
    }
    int fds[2] = {-1, -1};
    int mfd = memfd_create("inkpipe-page", MFD_CLOEXEC);
    if (mfd < 0 || pipe(fds) < 0) {
        page_err(pg, "cannot render the page (%s)", strerror(errno));
        if (mfd >= 0)
            close(mfd);
        return NULL;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
        /* its limits end it, not handlers it inherited (a fuzzer's) */
        signal(SIGALRM, SIG_DFL);
        signal(SIGXCPU, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        render_limit(PDF_RENDER_CPU_S);
        render_child(pg, mfd, fds[1]);
    }
    int fork_errno = errno;
    close(fds[1]);
    RenderHead head;
    char *p = (char *)&head;
    size_t n = pid < 0 ? 0 : sizeof head;
    while (n > 0) {
        ssize_t k = read(fds[0], p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        p += k;
        n -= (size_t)k;
    }
    close(fds[0]);
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    PIX *pix = NULL;
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    if (pid < 0)
        page_err(pg, "cannot render the page (fork: %s)",
                 strerror(fork_errno));
    else if (n == 0 && !head.ok) {
        head.msg[sizeof head.msg - 1] = 0;
        err_set("%s", head.msg);
    } else if (n == 0)
        pix = render_take(pg, &head, mfd);
    else if (sig == SIGXCPU || sig == SIGALRM)
        page_err(pg,
                 "poppler did not render the page within its time limit "
                 "(%d s of CPU, 1 more per %d pixels); the file may be "
                 "damaged",
                 PDF_RENDER_CPU_S, PDF_RENDER_PX_PER_S);
    else if (sig)
        page_err(pg, "poppler crashed rendering the page (signal %d)", sig);
    else
        page_err(pg, "rendering the page ended early (exit status %d)",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    close(mfd);
    return pix;
}

/**
 * Decode one page of a PDF: its image taken straight out of the file when
 * the page is one image, else rendered by poppler.
 *
 * @param[in] path        PDF file
 * @param[in] page        0-based page
 * @param[in] ref         the page's locator from page_pdf_list; 0 =
 *                        unknown (found by index)
 * @param[in] max_pixels  width * height above this fails, before decoding
 * @return new PIX with the page's resolution set (caller owns), or NULL
 *         with a message that names file and page
 *
 * Notes:
 *   (1) A ref that no longer names a page (the file changed) is ignored.
 *   (2) /Rotate is applied: the PIX is upright as a viewer shows it.
 */
PIX *page_pdf_read(const char *path, int page, uint64_t ref,
                   int64_t max_pixels)
{
    PdfPage pg = {NULL, NULL, path, page, max_pixels, {0, 0, 0, 0}, 0, 0};
    if (page < 0) {
        err_set("%s page %d: no such page", path, page + 1);
        return NULL;
    }
    if (!(pg.q = pdf_open(path, &pg.mem)))
        return NULL;
    qpdf_data q = pg.q;
    PIX *pix = NULL;
    qpdf_oh h = 0;
    if (ref) {
        h = L.qpdf_get_object_by_id(q, (int)(ref >> 16), (int)(ref & 0xffff));
        if (!L.qpdf_oh_is_dictionary_of_type(q, h, "/Page", ""))
            h = 0;
        (void)pdf_error(q);
    }
    if (!h) {
        int n = L.qpdf_get_num_pages(q);
        if (n < 0 || L.qpdf_has_error(q)) {
            page_err(&pg, "cannot read the PDF's page tree (%s)",
                     pdf_error(q));
            goto done;
        }
        if (page >= n) {
            page_err(&pg, "no such page (the PDF has %d)", n);
            goto done;
        }
        h = L.qpdf_get_page_n(q, (size_t)page);
    }
    double box[4];
    if (numbers(q, inherited(q, h, "/MediaBox"), box, 4) < 0) {
        page_err(&pg, "the page has no valid /MediaBox");
        goto done;
    }
    pg.box[0] = fmin(box[0], box[2]);
    pg.box[1] = fmin(box[1], box[3]);
    pg.box[2] = fmax(box[0], box[2]);
    pg.box[3] = fmax(box[1], box[3]);
    if (pg.box[2] - pg.box[0] < 1 || pg.box[3] - pg.box[1] < 1 ||
        pg.box[2] - pg.box[0] > PDF_MAX_BOX ||
        pg.box[3] - pg.box[1] > PDF_MAX_BOX) {
        page_err(&pg, "bad /MediaBox %.1f x %.1f points (1 to %.0f allowed)",
                 pg.box[2] - pg.box[0], pg.box[3] - pg.box[1], PDF_MAX_BOX);
        goto done;
    }
    qpdf_oh rot = inherited(q, h, "/Rotate");
    if (L.qpdf_oh_is_integer(q, rot)) {
        long long r = L.qpdf_oh_get_int_value(q, rot) % 360;
        pg.rotate = (int)(r < 0 ? r + 360 : r) / 90 * 90;
    }
    int rc = direct_read(&pg, h, &pix);
    (void)pdf_error(q);
    if (rc < 0)
        goto done;
    if (rc == 0) {
        if (images_fit(&pg) < 0)
            goto done;
        /* poppler reads the file itself; qpdf's copy is done with */
        L.qpdf_cleanup(&pg.q);
        free(pg.mem);
        return render(&pg);
    }
    if (pg.rotate) {
        PIX *r = pixRotateOrth(pix, pg.rotate / 90);
        if (!r) {
            pixDestroy(&pix);
            page_err(&pg, "out of memory rotating the page");
            goto done;
        }
        if (pg.rotate != 180)
            pixSetResolution(r, pixGetYRes(pix), pixGetXRes(pix));
        pixDestroy(&pix);
        pix = r;
    }
done:
    L.qpdf_cleanup(&pg.q);
    free(pg.mem);
    return pix;
}
