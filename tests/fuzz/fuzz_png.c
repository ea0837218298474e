/*
 * fuzz_png.c - libFuzzer target for the PNG fast path (page_png_read,
 * input/page_png.c), differential against Leptonica: whatever the fast
 * path decodes, pixRead must decode to the very same PIX (after
 * page_flatten_alpha, which page_read applies to both), and a file it
 * declines must not crash it. Each input is tried as it is and with every
 * chunk CRC recomputed, so that mutations reach the header, chunk and zlib
 * checks instead of stopping at the first CRC.
 *   make fuzz   (seeds: tests/fuzz/corpus/png/)
 */
#include <assert.h>
#include <stdint.h>

#include <zlib.h>

#include "input/page.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_pix(PIX *a, PIX *b)
{
    if (pixGetWidth(a) != pixGetWidth(b) ||
        pixGetHeight(a) != pixGetHeight(b) ||
        pixGetDepth(a) != pixGetDepth(b) || pixGetSpp(a) != pixGetSpp(b) ||
        pixGetXRes(a) != pixGetXRes(b) || pixGetYRes(a) != pixGetYRes(b))
        return 0;
    size_t n = (size_t)pixGetWpl(a) * pixGetHeight(a) * 4;
    return memcmp(pixGetData(a), pixGetData(b), n) == 0;
}

static void try_read(const uint8_t *data, size_t size)
{
    char path[512];
    if (fuzz_to_file(data, size, ".png", path) < 0)
        return;
    PIX *f = page_png_read(path);
    if (f) {
        PIX *ref = pixRead(path);
        page_flatten_alpha(ref); /* page_read's alpha over white paper */
        assert(ref && same_pix(f, ref));
        pixDestroy(&ref);
        pixDestroy(&f);
    }
    unlink(path);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet) {
        setMsgSeverity(L_SEVERITY_NONE);
        quiet = 1;
    }
    /* keep pages small: the fuzzer looks for bugs, not big images */
    if (size >= 24 && (be32(data + 16) > 4096 || be32(data + 20) > 4096))
        return 0;
    try_read(data, size);
    if (size < 8 || size > (1u << 20))
        return 0;
    uint8_t *fixed = malloc(size);
    if (!fixed)
        return 0;
    memcpy(fixed, data, size);
    for (size_t pos = 8; pos + 12 <= size;) {
        uint32_t len = be32(fixed + pos);
        if (len > size - pos - 12)
            break;
        uint32_t c = (uint32_t)crc32(0, fixed + pos + 4, len + 4);
        uint8_t *q = fixed + pos + 8 + len;
        q[0] = (uint8_t)(c >> 24);
        q[1] = (uint8_t)(c >> 16);
        q[2] = (uint8_t)(c >> 8);
        q[3] = (uint8_t)c;
        pos += (size_t)len + 12;
    }
    try_read(fixed, size);
    free(fixed);
    return 0;
}
