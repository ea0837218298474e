/*
 * fuzz_model.c - libFuzzer target for the model loader (recognize/
 * rec_net.c). Each input is tried twice: as it is (the size and CRC-32
 * checks must refuse almost everything), and with its trailer rewritten
 * to the right size and CRC, so that the fields behind the checks (arch
 * string, shapes, tensor counts, floats) are fuzzed too. A model that
 * loads must classify a glyph without a memory error.
 *   make fuzz   (seeds: tests/fuzz/corpus/model/)
 */
#include <assert.h>
#include <stdint.h>

#include "common/binio.h"
#include "common/err.h"
#include "recognize/recognize.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void try_load(const uint8_t *data, size_t size)
{
    char path[512];
    if (fuzz_to_file(data, size, ".model", path) < 0)
        return;
    RecNet *net = rec_net_load(path);
    if (net) {
        static float x[REC_INPUT_SIZE * REC_INPUT_SIZE];
        float p[REC_NCLASSES];
        for (int i = 0; i < REC_INPUT_SIZE * REC_INPUT_SIZE; i++)
            x[i] = (i % 7 == 0) ? 1.0f : 0.0f;
        /* memory safety only: a well-formed model with absurd finite
         * weights (1e38) gives NaN probabilities; the pipeline refuses the
         * page downstream (out_page_save checks every confidence) */
        (void)rec_net_classify(net, x, 1, REC_CHARSET_ALL, p);
        rec_net_destroy(&net);
    } else {
        assert(strstr(err_get(), path));
    }
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    try_load(data, size);
    if (size < 24 || size > (1u << 24))
        return 0;
    /* trailer: u64 size, u32 CRC-32 of everything before the CRC (LE) */
    uint8_t *fixed = malloc(size);
    if (!fixed)
        return 0;
    memcpy(fixed, data, size);
    binio_put_u64(fixed + size - 12, size);
    binio_put_u32(fixed + size - 4, binio_crc32(0, fixed, size - 4));
    try_load(fixed, size);
    free(fixed);
    return 0;
}
