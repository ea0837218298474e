/*
 * binio.h - fixed-width binary fields, a bounds-checked reader, a growable
 * write buffer and CRC-32: the plumbing shared by inkpipe's versioned file
 * formats (model, segment artifact, recognised-page artifact) and by the
 * test tools that forge or patch image files.
 *
 * See binio.c for the design and the function docs.
 */
#ifndef INKPIPE_BINIO_H
#define INKPIPE_BINIO_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* ---- fields at a known address (the caller has checked the bounds) ---- */

unsigned char *binio_put_u16(unsigned char *p, uint16_t v);
unsigned char *binio_put_u32(unsigned char *p, uint32_t v);
unsigned char *binio_put_u64(unsigned char *p, uint64_t v);
unsigned char *binio_put_i32(unsigned char *p, int32_t v);
unsigned char *binio_put_f32(unsigned char *p, float v);
unsigned char *binio_put_u32be(unsigned char *p, uint32_t v);

uint16_t binio_get_u16(const unsigned char *p);
uint32_t binio_get_u32(const unsigned char *p);
uint64_t binio_get_u64(const unsigned char *p);
int32_t binio_get_i32(const unsigned char *p);
float binio_get_f32(const unsigned char *p);
uint32_t binio_get_u32be(const unsigned char *p);

/* ---- CRC-32 (zlib's polynomial) over buffers of any size ---- */

uint32_t binio_crc32(uint32_t crc, const void *p, size_t n);

/* ---- bounds-checked reader with a sticky error ---- */

/* Small value type: fields are read-only for callers except through the
 * functions below. */
typedef struct BinReader {
    const unsigned char *p; /* start of the data (not owned) */
    size_t n;               /* readable bytes */
    size_t pos;             /* next byte to read */
    const char *name;       /* file name for messages (not owned) */
    const char *kind;       /* what the data is, e.g. "model file" */
    int failed;             /* 1 after the first short read */
} BinReader;

void binio_reader_init(BinReader *r, const void *p, size_t n,
                       const char *name, const char *kind);
int binio_read_need(BinReader *r, size_t n, const char *what);
const unsigned char *binio_read_bytes(BinReader *r, size_t n,
                                      const char *what);
uint32_t binio_read_u32(BinReader *r, const char *what);
uint64_t binio_read_u64(BinReader *r, const char *what);
int32_t binio_read_i32(BinReader *r, const char *what);
float binio_read_f32(BinReader *r, const char *what);
size_t binio_read_left(const BinReader *r);
int binio_reader_end_at(BinReader *r, size_t end, const char *what);

/* ---- growable write buffer with a sticky out-of-memory flag ---- */

typedef struct BinBuf {
    unsigned char *p; /* owned; free() it (or binio_buf_cleanup()) */
    size_t n, cap;
    int oom; /* 1 after a failed allocation: later writes are dropped */
} BinBuf;

void binio_buf_write(BinBuf *b, const void *src, size_t n);
void binio_buf_u32(BinBuf *b, uint32_t v);
void binio_buf_u64(BinBuf *b, uint64_t v);
void binio_buf_i32(BinBuf *b, int32_t v);
void binio_buf_f32(BinBuf *b, float v);
void binio_buf_escaped(BinBuf *b, const char *s);
char *binio_unescape(const char *s, size_t len);
/* Append text formatted printf-style, at any length (no NUL counted in
 * b->n; p is NUL-terminated after it when memory allowed). */
void binio_buf_printf(BinBuf *b, const char *fmt, ...) ERR_PRINTF(2, 3);
/* Append the CRC-32 of everything in b so far: the trailer of every
 * inkpipe format. */
void binio_buf_crc32(BinBuf *b);
void binio_buf_cleanup(BinBuf *b);

/* ---- whole files ---- */

unsigned char *binio_file_read(const char *path, size_t max, size_t *pn);
int binio_file_write(const char *path, const void *p, size_t n);

#endif
