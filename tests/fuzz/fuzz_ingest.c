/*
 * fuzz_ingest.c - libFuzzer target for image ingest (input/page.c:
 * page_count, page_read under a pixel limit) and, for small pages, the
 * binarisation that follows (segment/). Any bytes must give pages or an
 * error naming the file, never a crash; the pixel limit must hold before
 * decoding (a header that claims a huge image fails fast, no allocation).
 *   make fuzz   (seeds: tests/fuzz/corpus/ingest/)
 */
#include <assert.h>
#include <stdint.h>

#include "common/err.h"
#include "input/page.h"
#include "segment/segment.h"
#include "tests/fuzz/fuzz_util.h"

#define FUZZ_MAX_PIXELS 4000000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet) {
        setMsgSeverity(L_SEVERITY_NONE);
        quiet = 1;
    }
    char path[512];
    if (fuzz_to_file(data, size, ".img", path) < 0)
        return 0;
    int n = 0;
    if (page_count(path, &n) == 0) {
        assert(n >= 1);
        for (int p = 0; p < n && p < 4; p++) {
            PIX *pix = page_read(path, p, FUZZ_MAX_PIXELS);
            if (!pix) {
                assert(strstr(err_get(), path));
                continue;
            }
            int w = pixGetWidth(pix), h = pixGetHeight(pix);
            assert((int64_t)w * h <= FUZZ_MAX_PIXELS);
            if ((int64_t)w * h <= 250000) {
                SegBinarizeOptions opt;
                seg_binarize_options_init(&opt);
                int scale = 0;
                PIX *pixb = seg_page_binarize(pix, 300, &opt, NULL, &scale);
                if (pixb)
                    assert(pixGetDepth(pixb) == 1 &&
                           pixGetWidth(pixb) == scale * w);
                pixDestroy(&pixb);
            }
            pixDestroy(&pix);
        }
    } else {
        assert(strstr(err_get(), path));
    }
    unlink(path);
    return 0;
}
