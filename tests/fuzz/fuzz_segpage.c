/*
 * fuzz_segpage.c - libFuzzer target for the segmented-page artifact read
 * back from the spool (seg_page_load, segment/seg_page_io.c). A spool
 * damaged by a disk or a hand must give an error naming the file, never a
 * crash. Each input is tried as it is and with its trailing CRC-32
 * recomputed, so that mutations reach the size, index and box checks; a
 * page that loads must hand out every glyph mask. (The recognised-page
 * artifact has its own target: fuzz_out_page_load.c.)
 *   make fuzz   (seeds: tests/fuzz/corpus/segpage/)
 */
#include <assert.h>
#include <stdint.h>

#include "common/binio.h"
#include "common/err.h"
#include "segment/segment.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void try_load(const uint8_t *data, size_t size)
{
    char path[512];
    if (fuzz_to_file(data, size, ".seg", path) < 0)
        return;
    SegPage *sp = seg_page_load(path);
    if (sp) {
        int n = 0, w = 0, h = 0;
        const SegGlyph *g = seg_page_get_glyphs(sp, &n);
        seg_page_get_size(sp, &w, &h);
        for (int i = 0; i < n; i++) {
            const unsigned char *m = seg_page_get_glyph_mask(sp, i);
            if (m && g[i].box.w > 0 && g[i].box.h > 0) {
                volatile unsigned char last =
                    m[(size_t)g[i].box.w * g[i].box.h - 1];
                (void)last;
            }
        }
        seg_page_destroy(&sp);
    } else {
        assert(strstr(err_get(), path));
    }
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    try_load(data, size);
    if (size < 8 || size > (1u << 24))
        return 0;
    uint8_t *fixed = malloc(size);
    if (!fixed)
        return 0;
    memcpy(fixed, data, size);
    binio_put_u32(fixed + size - 4, binio_crc32(0, fixed, size - 4));
    try_load(fixed, size);
    free(fixed);
    return 0;
}
