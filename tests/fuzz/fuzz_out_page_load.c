/*
 * fuzz_out_page_load.c - libFuzzer harness: arbitrary bytes as a page
 * artifact. out_page_load must reject or accept without crashing, and an
 * accepted page must be writable as text and hOCR (to /dev/null). Inputs
 * of 52 bytes or more get their trailing CRC-32 recomputed, so mutations
 * reach the header and range checks instead of all dying at the checksum.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. \
 *       tests/fuzz/fuzz_out_page_load.c output/out_*.c common/err.c -lz -lm
 */
#include "common/binio.h"
#include "output/output.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    static FILE *devnull;
    FILE *fp;
    OutPage *page;

    if (!path[0])
        snprintf(path, sizeof path, "/tmp/fuzz_out_page.%d", (int)getpid());
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    fp = fopen(path, "wb");
    if (!fp)
        return 0;
    if (size >= 52) {
        uint8_t *buf = malloc(size);
        if (!buf) {
            fclose(fp);
            return 0;
        }
        memcpy(buf, data, size);
        binio_put_u32(buf + size - 4, binio_crc32(0, buf, size - 4));
        fwrite(buf, 1, size, fp);
        free(buf);
    } else {
        fwrite(data, 1, size, fp);
    }
    fclose(fp);
    page = out_page_load(path);
    if (page) {
        const OutPage *pp[] = {page};
        out_text_write(devnull, pp, 1);
        out_hocr_write(devnull, pp, 1);
        out_page_destroy(&page);
    }
    return 0;
}
