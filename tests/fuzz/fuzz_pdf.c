/*
 * fuzz_pdf.c - libFuzzer target for the PDF reader (input/page_pdf.c:
 * page_pdf_list, page_pdf_read under a pixel limit: qpdf's parse, the
 * content check, the JPEG / CCITT / Flate paths and poppler's rendering).
 * Any bytes must give pages or an error naming the file (and page), never
 * a crash; the page and pixel limits must hold.
 *   make fuzz   (seeds: tests/fuzz/corpus/pdf/)
 */
#include <assert.h>
#include <stdint.h>

#include "common/err.h"
#include "input/page.h"
#include "tests/fuzz/fuzz_util.h"

/* small enough that poppler renders a fuzzed page quickly: a page over
 * 300,000 pixels at 300 dpi (about 130 x 130 points) is refused */
#define FUZZ_MAX_PIXELS 300000
#define FUZZ_MAX_PAGES 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet) {
        setMsgSeverity(L_SEVERITY_NONE);
        quiet = 1;
    }
    char path[512];
    if (fuzz_to_file(data, size, ".pdf", path) < 0)
        return 0;
    int n = 0;
    uint64_t *ref = NULL;
    if (page_pdf_list(path, FUZZ_MAX_PAGES, &ref, &n) == 0) {
        assert(n >= 1 && n <= FUZZ_MAX_PAGES && ref);
        for (int p = 0; p < n && p < 3; p++) {
            /* by locator, and the first page also by index */
            for (int by_index = 0; by_index <= (p == 0); by_index++) {
                PIX *pix = page_pdf_read(path, p, by_index ? 0 : ref[p],
                                         FUZZ_MAX_PIXELS);
                if (!pix) {
                    assert(strstr(err_get(), path));
                    continue;
                }
                assert((int64_t)pixGetWidth(pix) * pixGetHeight(pix) <=
                       FUZZ_MAX_PIXELS);
                assert(pixGetXRes(pix) >= 0 && pixGetYRes(pix) >= 0);
                pixDestroy(&pix);
            }
        }
        free(ref);
    } else {
        assert(!ref && strstr(err_get(), path));
    }
    unlink(path);
    return 0;
}
