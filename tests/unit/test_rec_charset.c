/*
 * test_rec_charset.c - class characters and charset specs.
 */
#include <string.h>

#include "common/err.h"
#include "recognize/recognize.h"
#include "test.h"

static int popcount64(uint64_t v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

static void rec_class_chars__all_classes__round_trip(void)
{
    CHECK(strlen(rec_class_chars) == REC_NCLASSES);
    for (int c = 0; c < REC_NCLASSES; c++)
        CHECK(rec_class_of_char(rec_class_chars[c]) == c);
    CHECK(rec_class_of_char('0') == 0);
    CHECK(rec_class_of_char('A') == 10);
    CHECK(rec_class_of_char('z') == 61);
}

static void rec_class_of_char__non_class__minus_one(void)
{
    const int bad[] = {' ', '!', '/', ':', '@', '[', '`', '{', 0, -1, 200,
                       0x41 + 256};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(rec_class_of_char(bad[i]) == -1);
}

static void rec_charset_parse__names__expected_sets(void)
{
    RecCharset s;
    CHECK(rec_charset_parse("digits", &s) == 0);
    CHECK(popcount64(s) == 10 && (s & 1) && (s >> 9 & 1));
    CHECK(rec_charset_parse("upper", &s) == 0);
    CHECK(popcount64(s) == 26 && (s >> rec_class_of_char('A') & 1) &&
          (s >> rec_class_of_char('Z') & 1) && !(s >> rec_class_of_char('a') & 1));
    CHECK(rec_charset_parse("lower", &s) == 0);
    CHECK(popcount64(s) == 26 && (s >> rec_class_of_char('a') & 1) &&
          (s >> rec_class_of_char('z') & 1));
    CHECK(rec_charset_parse("alpha", &s) == 0);
    CHECK(popcount64(s) == 52 && !(s & 0x3ff));
    CHECK(rec_charset_parse("alnum", &s) == 0);
    CHECK(s == REC_CHARSET_ALL);
}

static void rec_charset_parse__literal__exactly_those_classes(void)
{
    RecCharset s;
    CHECK(rec_charset_parse("0123456789ABCDEF", &s) == 0);
    CHECK(popcount64(s) == 16);
    for (const char *p = "0123456789ABCDEF"; *p; p++)
        CHECK(s >> rec_class_of_char(*p) & 1);
    CHECK(!(s >> rec_class_of_char('a') & 1));
    CHECK(rec_charset_parse("xx", &s) == 0); /* repeats are fine */
    CHECK(s == 1ULL << rec_class_of_char('x'));
    /* a name is a whole-word match only: "digit" is the letters d,i,g,t */
    CHECK(rec_charset_parse("digit", &s) == 0);
    CHECK(popcount64(s) == 4);
}

static void rec_charset_parse__bad_char__error_names_it(void)
{
    RecCharset s = 5;
    CHECK(rec_charset_parse("AB-C", &s) == -1);
    CHECK(strstr(err_get(), "'-'") != NULL);
    CHECK(strstr(err_get(), "position 3") != NULL);
    CHECK(s == 5); /* untouched on error */
    CHECK(rec_charset_parse("A\xc3\xa9", &s) == -1);
    CHECK(strstr(err_get(), "0xc3") != NULL);
    CHECK(rec_charset_parse("", &s) == -1);
    CHECK(strstr(err_get(), "empty") != NULL);
}

int main(void)
{
    RUN(rec_class_chars__all_classes__round_trip);
    RUN(rec_class_of_char__non_class__minus_one);
    RUN(rec_charset_parse__names__expected_sets);
    RUN(rec_charset_parse__literal__exactly_those_classes);
    RUN(rec_charset_parse__bad_char__error_names_it);
    TEST_EXIT();
}
