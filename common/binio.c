/*
 * binio.c - little-endian fields, a bounds-checked reader cursor, a
 * growable write buffer, CRC-32 and whole-file reads for the binary
 * formats.
 *
 * Design: every inkpipe file format (recognize/rec_net.c model,
 * segment/seg_page_io.c segment artifact, output/out_page.c page artifact)
 * is a magic, a version, fixed-width little-endian fields and a trailing
 * zlib CRC-32. They share the code here so that the byte order, the float
 * encoding (IEEE-754 bits through memcpy) and the checks are written once.
 *   - binio_put_* / binio_get_*: one field at a known address; put returns
 *     the address after the field so writers can chain. The caller checks
 *     bounds (formats with an exact size computed up front).
 *   - BinReader: a cursor over a buffer; reading past the end sets a sticky
 *     error (the message names the file, its kind, the field and the byte
 *     offset, set once at the first failure) and returns 0, so a run of
 *     reads needs one check.
 *   - BinBuf: append-only buffer for writers that do not know the size in
 *     advance; out of memory is sticky and checked once at the end.
 *   - binio_crc32: the zlib CRC-32, computed by libdeflate (PCLMUL: about
 *     10x zlib 1.2's speed; a model load checks 3 MB).
 *   - binio_buf_crc32: the CRC-32 trailer every format ends with.
 *   - binio_file_read / binio_file_write: a whole file (read with an upper
 *     bound).
 * Big-endian u32 helpers are here for the test tools that forge PNG
 * chunks. No global state; all functions are thread-safe on distinct
 * objects. Errors go through err_set() (common/err.h).
 */
#include "common/binio.h"

#include "common/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <libdeflate.h>
#include <string.h>
#include <sys/stat.h>

/* ---- fields at a known address ---- */

/**
 * Store v little-endian at p.
 *
 * @param[out] p  at least 2 (u16), 4 (u32, i32, f32) or 8 (u64) bytes
 * @param[in]  v  value; f32 is stored as its IEEE-754 bits, i32 as two's
 *                complement
 * @return p + the field size
 */
unsigned char *binio_put_u16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    return p + 2;
}

unsigned char *binio_put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
    return p + 4;
}

unsigned char *binio_put_u64(unsigned char *p, uint64_t v)
{
    binio_put_u32(p, (uint32_t)v);
    return binio_put_u32(p + 4, (uint32_t)(v >> 32));
}

unsigned char *binio_put_i32(unsigned char *p, int32_t v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return binio_put_u32(p, u);
}

unsigned char *binio_put_f32(unsigned char *p, float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return binio_put_u32(p, u);
}

/**
 * Store v big-endian (network order, as in PNG chunks) at p.
 *
 * @param[out] p  at least 4 bytes
 * @param[in]  v  value
 * @return p + 4
 */
unsigned char *binio_put_u32be(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
    return p + 4;
}

/**
 * Read a little-endian field at p (the inverse of binio_put_*).
 *
 * @param[in] p  at least the field size readable
 * @return the value
 */
uint16_t binio_get_u16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t binio_get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

uint64_t binio_get_u64(const unsigned char *p)
{
    return (uint64_t)binio_get_u32(p) | (uint64_t)binio_get_u32(p + 4) << 32;
}

int32_t binio_get_i32(const unsigned char *p)
{
    uint32_t u = binio_get_u32(p);
    int32_t v;
    memcpy(&v, &u, sizeof v); /* two's complement on every target we build */
    return v;
}

float binio_get_f32(const unsigned char *p)
{
    uint32_t u = binio_get_u32(p);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

uint32_t binio_get_u32be(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

/* ---- CRC-32 ---- */

/**
 * Update a CRC-32 (zlib/PNG polynomial) with n bytes.
 *
 * @param[in] crc  0 to start, or the result of an earlier call
 * @param[in] p    [optional when n == 0] the bytes
 * @param[in] n    byte count; any size
 * @return the updated CRC
 *
 * Notes:
 *   (1) binio_crc32(0, p, n) equals zlib's crc32(0L, p, n), so files
 *       written before this module keep their checksums.
 */
uint32_t binio_crc32(uint32_t crc, const void *p, size_t n)
{
    return n ? libdeflate_crc32(crc, p, n) : crc;
}

/* ---- reader ---- */

/**
 * Start reading a buffer.
 *
 * @param[out] r     reader (caller-owned value; nothing to clean up)
 * @param[in]  p     the data (not copied: must outlive the reader)
 * @param[in]  n     bytes readable from p
 * @param[in]  name  [optional] file name for messages (not copied)
 * @param[in]  kind  [optional] what the data is, e.g. "model file"
 */
void binio_reader_init(BinReader *r, const void *p, size_t n,
                       const char *name, const char *kind)
{
    r->p = p;
    r->n = n;
    r->pos = 0;
    r->name = name ? name : "(buffer)";
    r->kind = kind ? kind : "data";
    r->failed = 0;
}

/**
 * Check that n more bytes can be read.
 *
 * @param[in,out] r     reader
 * @param[in]     n     bytes needed
 * @param[in]     what  the field, for the message
 * @return 0, or -1: r->failed is set and, at the first failure only, the
 *         message "NAME: truncated KIND: WHAT at byte POS needs N bytes,
 *         L left"
 */
int binio_read_need(BinReader *r, size_t n, const char *what)
{
    if (r->failed)
        return -1;
    if (r->pos > r->n || r->n - r->pos < n) {
        r->failed = 1;
        size_t left = r->pos > r->n ? 0 : r->n - r->pos;
        return err_set("%s: truncated %s: %s at byte %zu needs %zu bytes, "
                       "%zu left", r->name, r->kind, what, r->pos, n, left);
    }
    return 0;
}

/**
 * Take n bytes.
 *
 * @param[in,out] r     reader
 * @param[in]     n     byte count
 * @param[in]     what  the field, for the message
 * @return pointer to the bytes inside the buffer, or NULL after a short
 *         read (see binio_read_need())
 */
const unsigned char *binio_read_bytes(BinReader *r, size_t n,
                                      const char *what)
{
    if (binio_read_need(r, n, what) < 0)
        return NULL;
    const unsigned char *q = r->p + r->pos;
    r->pos += n;
    return q;
}

/**
 * Bytes left to read.
 *
 * @param[in] r  reader
 * @return r's readable bytes after the next one to read (0 past the end)
 */
size_t binio_read_left(const BinReader *r)
{
    return r->pos > r->n ? 0 : r->n - r->pos;
}

/**
 * End the readable data at byte end: the fields of a format stop before
 * its trailer (size, CRC), which the caller checked on its own.
 *
 * @param[in,out] r     reader
 * @param[in]     end   the new end, between the next byte to read and the
 *                      current end
 * @param[in]     what  the part that ends there, for the message
 * @return 0, or -1 (r->failed set, message naming the file) when end is
 *         outside that range
 */
int binio_reader_end_at(BinReader *r, size_t end, const char *what)
{
    if (r->failed)
        return -1;
    if (end < r->pos || end > r->n) {
        r->failed = 1;
        return err_set("%s: truncated %s: %s ends at byte %zu, outside bytes "
                       "%zu..%zu", r->name, r->kind, what, end, r->pos, r->n);
    }
    r->n = end;
    return 0;
}

/**
 * Read one little-endian field.
 *
 * @param[in,out] r     reader
 * @param[in]     what  the field, for the message
 * @return the value, or 0 after a short read (r->failed set; message as in
 *         binio_read_need())
 */
uint32_t binio_read_u32(BinReader *r, const char *what)
{
    const unsigned char *q = binio_read_bytes(r, 4, what);
    return q ? binio_get_u32(q) : 0;
}

uint64_t binio_read_u64(BinReader *r, const char *what)
{
    const unsigned char *q = binio_read_bytes(r, 8, what);
    return q ? binio_get_u64(q) : 0;
}

int32_t binio_read_i32(BinReader *r, const char *what)
{
    const unsigned char *q = binio_read_bytes(r, 4, what);
    return q ? binio_get_i32(q) : 0;
}

float binio_read_f32(BinReader *r, const char *what)
{
    const unsigned char *q = binio_read_bytes(r, 4, what);
    return q ? binio_get_f32(q) : 0.0f;
}

/* ---- write buffer ---- */

/**
 * Append n bytes.
 *
 * @param[in,out] b    buffer; start with BinBuf b = {0}
 * @param[in]     src  bytes to append
 * @param[in]     n    byte count
 *
 * Notes:
 *   (1) On allocation failure b->oom is set and this and every later write
 *       is dropped; the writer checks b->oom once before using b->p.
 */
/* Make room for n more bytes in b. 0, or -1 with b->oom set. */
static int buf_reserve(BinBuf *b, size_t n)
{
    if (b->oom)
        return -1;
    if (n > SIZE_MAX / 2 - b->n) {
        b->oom = 1;
        return -1;
    }
    if (b->n + n > b->cap) {
        size_t c = b->cap ? b->cap : 4096;
        while (c < b->n + n)
            c *= 2;
        unsigned char *q = realloc(b->p, c);
        if (!q) {
            b->oom = 1;
            return -1;
        }
        b->p = q;
        b->cap = c;
    }
    return 0;
}

void binio_buf_write(BinBuf *b, const void *src, size_t n)
{
    if (b->oom || n == 0 || buf_reserve(b, n) < 0)
        return;
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

/**
 * Append a string to a growable buffer with tabs, newlines, carriage
 * returns and backslashes escaped (\t \n \r \\), so that it fits in one
 * tab-separated field of a line.
 *
 * @param[in,out] b  buffer (sticky oom)
 * @param[in]     s  [optional] the string; NULL appends nothing
 *
 * Notes:
 *   (1) binio_unescape() gives the string back.
 */
void binio_buf_escaped(BinBuf *b, const char *s)
{
    for (; s && *s; s++) {
        const char *e = *s == '\t' ? "\\t" : *s == '\n' ? "\\n"
                      : *s == '\r' ? "\\r" : *s == '\\' ? "\\\\" : NULL;
        if (e)
            binio_buf_write(b, e, 2);
        else
            binio_buf_write(b, s, 1);
    }
}

/**
 * Undo binio_buf_escaped() on the field [s, s+len).
 *
 * @param[in] s    the escaped text (need not end in NUL)
 * @param[in] len  its length in bytes
 * @return a new NUL-terminated string (free() it), or NULL (out of
 *         memory; no message set)
 *
 * Notes:
 *   (1) A backslash before any other character stands for that
 *       character; a lone backslash at the end is kept.
 */
char *binio_unescape(const char *s, size_t len)
{
    char *o = malloc(len + 1), *t = o;
    if (!o)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\' && i + 1 < len) {
            char c = s[++i];
            *t++ = c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c;
        } else {
            *t++ = s[i];
        }
    }
    *t = '\0';
    return o;
}

/**
 * Append text formatted printf-style to a growable buffer, at any length.
 *
 * @param[in,out] b    buffer (sticky oom: nothing is appended after a
 *                     failed allocation)
 * @param[in]     fmt  printf format
 *
 * Notes:
 *   (1) The text is formatted straight into the buffer, which grows to
 *       fit; a NUL follows it (not counted in b->n), so a buffer of text
 *       only is a C string.
 *   (2) A format error counts as out of memory: b->oom is set.
 */
void binio_buf_printf(BinBuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0) {
        b->oom = 1;
        return;
    }
    if (buf_reserve(b, (size_t)k + 1) < 0)
        return;
    va_start(ap, fmt);
    vsnprintf((char *)b->p + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

/**
 * Append one little-endian field (see binio_put_*).
 *
 * @param[in,out] b  buffer
 * @param[in]     v  value
 */
void binio_buf_u32(BinBuf *b, uint32_t v)
{
    unsigned char x[4];
    binio_put_u32(x, v);
    binio_buf_write(b, x, 4);
}

void binio_buf_u64(BinBuf *b, uint64_t v)
{
    unsigned char x[8];
    binio_put_u64(x, v);
    binio_buf_write(b, x, 8);
}

void binio_buf_i32(BinBuf *b, int32_t v)
{
    unsigned char x[4];
    binio_put_i32(x, v);
    binio_buf_write(b, x, 4);
}

void binio_buf_f32(BinBuf *b, float v)
{
    unsigned char x[4];
    binio_put_f32(x, v);
    binio_buf_write(b, x, 4);
}

/**
 * Append the CRC-32 (binio_crc32) of the bytes written so far, as a u32:
 * the trailer that ends every inkpipe file format.
 *
 * @param[in,out] b  buffer
 *
 * Notes:
 *   (1) After an out-of-memory the buffer is incomplete and nothing is
 *       appended (b->oom stays set).
 */
void binio_buf_crc32(BinBuf *b)
{
    if (!b->oom)
        binio_buf_u32(b, binio_crc32(0, b->p, b->n));
}

/**
 * Free a buffer's memory and reset it to empty.
 *
 * @param[in,out] b  [optional] buffer; NULL is a no-op
 */
void binio_buf_cleanup(BinBuf *b)
{
    if (!b)
        return;
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* ---- whole files ---- */

/**
 * Read a whole file into memory.
 *
 * @param[in]  path  file to read
 * @param[in]  max   largest size accepted, in bytes
 * @param[out] pn    the file's size
 * @return new buffer (caller owns; free()), or NULL with a message naming
 *         path: cannot open (with errno), larger than max bytes, out of
 *         memory, read error
 *
 * Notes:
 *   (1) A file of 0 bytes gives a non-NULL buffer and *pn = 0.
 */
unsigned char *binio_file_read(const char *path, size_t max, size_t *pn)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        err_set_errno("%s: cannot open", path);
        return NULL;
    }
    /* sized from fstat, plus one byte to see a file that grew: one read
     * into one buffer (doubling from 64 KB copied a 2.5 MB model five
     * times over, into fresh pages each time) */
    size_t cap = 1 << 16, n = 0;
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (unsigned long long)st.st_size < SIZE_MAX / 2) {
        if ((unsigned long long)st.st_size > max) {
            err_set("%s: larger than %zu bytes", path, max);
            fclose(f);
            return NULL;
        }
        cap = (size_t)st.st_size + 1;
    }
    unsigned char *p = malloc(cap);
    for (;;) {
        if (!p) {
            err_set("%s: out of memory", path);
            break;
        }
        size_t got = fread(p + n, 1, cap - n, f);
        n += got;
        if (n > max) {
            err_set("%s: larger than %zu bytes", path, max);
            break;
        }
        if (n < cap) {
            if (ferror(f)) {
                err_set_errno("%s: read error", path);
                break;
            }
            fclose(f);
            *pn = n;
            return p;
        }
        unsigned char *q = cap <= SIZE_MAX / 2 ? realloc(p, cap * 2) : NULL;
        if (!q) {
            free(p);
            p = NULL;
            continue;
        }
        p = q;
        cap *= 2;
    }
    free(p);
    fclose(f);
    return NULL;
}

/**
 * Write a whole file.
 *
 * @param[in] path  file to create or truncate (written as given: callers
 *                  that need atomicity write a temporary name and rename)
 * @param[in] p     [optional when n == 0] the bytes
 * @param[in] n     byte count
 * @return 0, or -1 with a message naming path: cannot create (with errno),
 *         write failed (with errno; the file may be partly written)
 */
int binio_file_write(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return err_set_errno("%s: cannot create", path);
    int bad = (n > 0 && fwrite(p, 1, n, f) != n) || fflush(f) != 0;
    int e = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        errno = e;
        return err_set_errno("%s: write failed", path);
    }
    return 0;
}
