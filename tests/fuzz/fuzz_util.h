/*
 * fuzz_util.h - shared by the libFuzzer targets (tests/fuzz/fuzz_*.c): the
 * libraries under test read files by path, so each input is written to a
 * per-process temporary file first.
 */
#ifndef INKPIPE_FUZZ_UTIL_H
#define INKPIPE_FUZZ_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Write data to $TMPDIR/inkpipe-fuzz-PID<suffix>; the path goes to buf
 * (size >= 512). Returns 0, or -1 (then the input is skipped). */
static int fuzz_to_file(const unsigned char *data, size_t n,
                        const char *suffix, char *buf)
{
    const char *dir = getenv("TMPDIR");
    snprintf(buf, 512, "%s/inkpipe-fuzz-%ld%s", dir && *dir ? dir : "/tmp",
             (long)getpid(), suffix);
    FILE *fp = fopen(buf, "wb");
    if (!fp)
        return -1;
    int bad = n && fwrite(data, 1, n, fp) != n;
    bad |= fclose(fp) != 0;
    return bad ? -1 : 0;
}

#endif
