/* test_binio.c - common/binio: field byte order, the bounds-checked reader,
 * the write buffer, CRC-32 (against zlib and the standard check value) and
 * whole-file reads. */
#include "common/binio.h"
#include "common/err.h"
#include "tests/unit/test.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static void binio_put__known_values__little_endian_bytes(void)
{
    unsigned char b[32];
    unsigned char *p = b;
    p = binio_put_u16(p, 0x1234);
    p = binio_put_u32(p, 0xA1B2C3D4u);
    p = binio_put_u64(p, 0x0102030405060708ull);
    p = binio_put_i32(p, -2);
    p = binio_put_f32(p, 1.0f);
    p = binio_put_u32be(p, 0xA1B2C3D4u);
    static const unsigned char want[] = {
        0x34, 0x12, 0xD4, 0xC3, 0xB2, 0xA1, 0x08, 0x07, 0x06, 0x05, 0x04,
        0x03, 0x02, 0x01, 0xFE, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x80, 0x3F,
        0xA1, 0xB2, 0xC3, 0xD4};
    CHECK(p - b == (long)sizeof want);
    CHECK(memcmp(b, want, sizeof want) == 0);
}

static void binio_get__put_values__same_values_back(void)
{
    unsigned char b[8];
    binio_put_u16(b, 0xBEEF);
    CHECK(binio_get_u16(b) == 0xBEEF);
    binio_put_u32(b, 0xFFFFFFFFu);
    CHECK(binio_get_u32(b) == 0xFFFFFFFFu);
    binio_put_u64(b, 0xFEDCBA9876543210ull);
    CHECK(binio_get_u64(b) == 0xFEDCBA9876543210ull);
    binio_put_i32(b, INT32_MIN);
    CHECK(binio_get_i32(b) == INT32_MIN);
    binio_put_i32(b, -123456);
    CHECK(binio_get_i32(b) == -123456);
    binio_put_f32(b, -3.25e-7f);
    CHECK(binio_get_f32(b) == -3.25e-7f);
    binio_put_u32be(b, 0x01020304u);
    CHECK(binio_get_u32be(b) == 0x01020304u);
    CHECK(binio_get_u32(b) == 0x04030201u);
}

static void binio_crc32__check_string__standard_value(void)
{
    /* the CRC-32 check value of "123456789" */
    CHECK(binio_crc32(0, "123456789", 9) == 0xCBF43926u);
    CHECK(binio_crc32(0, NULL, 0) == 0);
}

static void binio_crc32__split_updates__same_as_one_call(void)
{
    unsigned char buf[1000];
    uint32_t s = 7;
    for (size_t i = 0; i < sizeof buf; i++) {
        s = s * 1103515245u + 12345u;
        buf[i] = (unsigned char)(s >> 16);
    }
    uint32_t whole = binio_crc32(0, buf, sizeof buf);
    uint32_t part = binio_crc32(binio_crc32(0, buf, 333), buf + 333, 667);
    CHECK(whole == part);
    CHECK(whole == (uint32_t)crc32(0L, buf, sizeof buf));
}

static void binio_read__fields_in_bounds__values_and_position(void)
{
    unsigned char b[20];
    unsigned char *p = binio_put_u32(b, 42);
    p = binio_put_i32(p, -7);
    p = binio_put_f32(p, 0.5f);
    p = binio_put_u64(p, 1ull << 40);
    BinReader r;
    binio_reader_init(&r, b, (size_t)(p - b), "x.bin", "test file");
    CHECK(binio_read_u32(&r, "a") == 42);
    CHECK(binio_read_i32(&r, "b") == -7);
    CHECK(binio_read_f32(&r, "c") == 0.5f);
    CHECK(binio_read_u64(&r, "d") == 1ull << 40);
    CHECK(!r.failed);
    CHECK(r.pos == 20);
}

static void binio_read__past_end__sticky_error_naming_file_and_field(void)
{
    unsigned char b[6] = {1, 0, 0, 0, 9, 9};
    BinReader r;
    binio_reader_init(&r, b, sizeof b, "m.model", "model file");
    CHECK(binio_read_u32(&r, "version") == 1);
    err_clear();
    CHECK(binio_read_u32(&r, "flags") == 0);
    CHECK(r.failed);
    CHECK(strcmp(err_get(), "m.model: truncated model file: flags at byte 4 "
                            "needs 4 bytes, 2 left") == 0);
    /* later reads fail too and keep the first message */
    CHECK(binio_read_bytes(&r, 1, "other") == NULL);
    CHECK(binio_read_f32(&r, "other") == 0.0f);
    CHECK(strstr(err_get(), "flags") != NULL);
    CHECK(r.pos == 4);
}

static void binio_read_need__huge_count__fails_without_overflow(void)
{
    unsigned char b[4] = {0};
    BinReader r;
    binio_reader_init(&r, b, sizeof b, NULL, NULL);
    CHECK(binio_read_need(&r, SIZE_MAX, "blob") == -1);
    CHECK(strstr(err_get(), "blob") != NULL);
}

static void binio_buf__appends__bytes_in_order(void)
{
    BinBuf b = {0};
    binio_buf_write(&b, "AB", 2);
    binio_buf_u32(&b, 0x01020304u);
    binio_buf_u64(&b, 5);
    binio_buf_f32(&b, 2.0f);
    static const unsigned char want[] = {'A', 'B', 4, 3, 2, 1, 5, 0, 0, 0,
                                         0,   0,   0, 0, 0, 0, 0, 0x40};
    CHECK(!b.oom);
    CHECK(b.n == sizeof want);
    CHECK(b.p && memcmp(b.p, want, sizeof want) == 0);
    /* grow past the first block */
    for (int i = 0; i < 5000; i++)
        binio_buf_u32(&b, (uint32_t)i);
    CHECK(b.n == sizeof want + 20000);
    CHECK(binio_get_u32(b.p + sizeof want + 4 * 4999) == 4999);
    binio_buf_cleanup(&b);
    CHECK(b.p == NULL && b.n == 0);
    binio_buf_cleanup(NULL);
}

static void binio_buf_printf__long_text__whole_and_nul_terminated(void)
{
    BinBuf b = {0};
    binio_buf_write(&b, "X", 1);
    char big[10000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    binio_buf_printf(&b, "<%s>%d", big, 42);
    CHECK(!b.oom);
    CHECK(b.n == 1 + 1 + 9999 + 1 + 2);
    CHECK(b.p[0] == 'X' && b.p[1] == '<' && b.p[10001] == '>');
    CHECK(memcmp(b.p + b.n - 2, "42", 2) == 0 && b.p[b.n] == '\0');
    binio_buf_printf(&b, "%s", "");
    CHECK(b.n == 10004);
    binio_buf_cleanup(&b);
}

static void binio_buf_escaped__tabs_newlines_backslashes__one_field_round_trip(void)
{
    const char *in = "a\tb\nc\rd\\e f";
    BinBuf b = {0};
    binio_buf_escaped(&b, in);
    binio_buf_escaped(&b, NULL);
    CHECK(!b.oom && b.n == strlen("a\\tb\\nc\\rd\\\\e f"));
    CHECK(memcmp(b.p, "a\\tb\\nc\\rd\\\\e f", b.n) == 0);
    CHECK(memchr(b.p, '\t', b.n) == NULL && memchr(b.p, '\n', b.n) == NULL);
    char *out = binio_unescape((const char *)b.p, b.n);
    CHECK(out && strcmp(out, in) == 0);
    free(out);
    out = binio_unescape("x\\", 2); /* a lone backslash at the end stays */
    CHECK(out && strcmp(out, "x\\") == 0);
    free(out);
    binio_buf_cleanup(&b);
}

static void binio_buf_i32__negative__twos_complement_read_back(void)
{
    BinBuf b = {0};
    binio_buf_i32(&b, -2);
    binio_buf_i32(&b, INT32_MIN);
    static const unsigned char want[] = {0xfe, 0xff, 0xff, 0xff,
                                         0,    0,    0,    0x80};
    CHECK(!b.oom && b.n == sizeof want);
    CHECK(b.p && memcmp(b.p, want, sizeof want) == 0);
    BinReader r;
    binio_reader_init(&r, b.p, b.n, NULL, NULL);
    CHECK(binio_read_i32(&r, "a") == -2);
    CHECK(binio_read_i32(&r, "b") == INT32_MIN);
    binio_buf_cleanup(&b);
}

static void binio_buf_crc32__after_fields__trailer_is_crc_of_the_rest(void)
{
    BinBuf b = {0};
    binio_buf_write(&b, "123456789", 9);
    binio_buf_crc32(&b);
    CHECK(!b.oom && b.n == 13);
    CHECK(b.p && binio_get_u32(b.p + 9) == 0xCBF43926u); /* check value */
    binio_buf_cleanup(&b);
    BinBuf full = {0};
    full.oom = 1; /* an incomplete buffer gets no trailer */
    binio_buf_crc32(&full);
    CHECK(full.n == 0 && full.p == NULL);
}

static void binio_file_write__then_read__same_bytes(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/binio-write.bin", test_tmpdir());
    static const unsigned char data[5] = {0, 1, 2, 0xfe, 0xff};
    CHECK(binio_file_write(path, data, sizeof data) == 0);
    size_t n = 0;
    unsigned char *p = binio_file_read(path, 100, &n);
    CHECK(p && n == sizeof data && memcmp(p, data, n) == 0);
    free(p);
    CHECK(binio_file_write(path, NULL, 0) == 0); /* truncates */
    p = binio_file_read(path, 100, &n);
    CHECK(p && n == 0);
    free(p);
    unlink(path);
}

static void binio_file_write__missing_folder__message_names_file(void)
{
    CHECK(binio_file_write("/nonexistent/inkpipe/x.bin", "x", 1) == -1);
    CHECK(strstr(err_get(), "/nonexistent/inkpipe/x.bin: cannot create") ==
          err_get());
}

static void binio_file_read__small_file__whole_content(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/binio_%ld.bin", test_tmpdir(),
             (long)getpid());
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    for (int i = 0; i < 70000; i++) /* more than the first read block */
        fputc(i & 0xff, f);
    fclose(f);
    size_t n = 0;
    unsigned char *p = binio_file_read(path, 1 << 20, &n);
    CHECK(p != NULL && n == 70000);
    CHECK(p && p[69999] == (69999 & 0xff));
    free(p);
    p = binio_file_read(path, 1000, &n);
    CHECK(p == NULL);
    CHECK(strstr(err_get(), path) && strstr(err_get(), "larger than 1000"));
    unlink(path);
}

static void binio_file_read__missing__message_names_file(void)
{
    size_t n;
    CHECK(binio_file_read("/nonexistent/inkpipe/x.bin", 100, &n) == NULL);
    CHECK(strstr(err_get(), "/nonexistent/inkpipe/x.bin: cannot open") ==
          err_get());
}

static void binio_reader_end_at__before_trailer__reads_stop_there(void)
{
    unsigned char b[12] = {7, 0, 0, 0, 8, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
    BinReader r;
    binio_reader_init(&r, b, sizeof b, "t.bin", "test file");
    CHECK(binio_read_bytes(&r, 4, "magic") != NULL);
    CHECK(binio_read_left(&r) == 8);
    CHECK(binio_reader_end_at(&r, 8, "fields") == 0);
    CHECK(binio_read_left(&r) == 4);
    CHECK(binio_read_u32(&r, "a") == 8);
    CHECK(binio_read_left(&r) == 0);
    err_clear();
    CHECK(binio_read_u32(&r, "trailer") == 0 && r.failed);
}

static void binio_reader_end_at__outside__fails_naming_file(void)
{
    unsigned char b[8] = {0};
    BinReader r;
    binio_reader_init(&r, b, sizeof b, "t.bin", "test file");
    binio_read_u32(&r, "a");
    err_clear();
    CHECK(binio_reader_end_at(&r, 2, "fields") == -1 && r.failed);
    CHECK(strstr(err_get(), "t.bin") != NULL);
    binio_reader_init(&r, b, sizeof b, "t.bin", "test file");
    CHECK(binio_reader_end_at(&r, 9, "fields") == -1 && r.failed);
    CHECK(binio_read_left(&r) == 8);
}

int main(void)
{
    RUN(binio_put__known_values__little_endian_bytes);
    RUN(binio_get__put_values__same_values_back);
    RUN(binio_crc32__check_string__standard_value);
    RUN(binio_crc32__split_updates__same_as_one_call);
    RUN(binio_read__fields_in_bounds__values_and_position);
    RUN(binio_read__past_end__sticky_error_naming_file_and_field);
    RUN(binio_read_need__huge_count__fails_without_overflow);
    RUN(binio_buf__appends__bytes_in_order);
    RUN(binio_buf_printf__long_text__whole_and_nul_terminated);
    RUN(binio_buf_escaped__tabs_newlines_backslashes__one_field_round_trip);
    RUN(binio_buf_i32__negative__twos_complement_read_back);
    RUN(binio_file_read__small_file__whole_content);
    RUN(binio_file_read__missing__message_names_file);
    RUN(binio_buf_crc32__after_fields__trailer_is_crc_of_the_rest);
    RUN(binio_file_write__then_read__same_bytes);
    RUN(binio_file_write__missing_folder__message_names_file);
    RUN(binio_reader_end_at__before_trailer__reads_stop_there);
    RUN(binio_reader_end_at__outside__fails_naming_file);
    TEST_EXIT();
}
