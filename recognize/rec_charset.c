/*
 * rec_charset.c - the 62 classes and charset restriction sets.
 *
 * Class order is digits, upper case, lower case; a RecCharset is a 64-bit
 * mask over class indices. Specs are names (digits, upper, lower, alpha,
 * alnum) or a literal list of class characters.
 */
#include "recognize/recognize.h"

#include <string.h>

#include "common/err.h"

const char rec_class_chars[REC_NCLASSES + 1] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * Class index of a character.
 * @param[in] c  a character (any int)
 * @return 0..61, or -1 when c is not one of the classes
 */
int rec_class_of_char(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return 10 + c - 'A';
    if (c >= 'a' && c <= 'z')
        return 36 + c - 'a';
    return -1;
}

/**
 * Parse a charset spec.
 *
 * @param[in]  spec  "digits", "upper", "lower", "alpha", "alnum", or a
 *                   literal list of class characters ("0123456789ABCDEF")
 * @param[out] pset  the set
 * @return 0, or -1 (empty spec, or a character that is not a class: the
 *         message names it and its position)
 */
int rec_charset_parse(const char *spec, RecCharset *pset)
{
    static const struct {
        const char *name;
        RecCharset set;
    } names[] = {
        {"digits", REC_CHARSET_DIGITS},
        {"upper", ((1ULL << 26) - 1) << 10},
        {"lower", ((1ULL << 26) - 1) << 36},
        {"alpha", ((1ULL << 52) - 1) << 10},
        {"alnum", REC_CHARSET_ALL},
    };
    if (!spec || !*spec)
        return err_set("empty charset");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(spec, names[i].name) == 0) {
            *pset = names[i].set;
            return 0;
        }
    RecCharset s = 0;
    for (size_t i = 0; spec[i]; i++) {
        unsigned char ch = (unsigned char)spec[i];
        int c = rec_class_of_char(ch);
        if (c < 0) {
            if (ch >= 0x20 && ch < 0x7f)
                return err_set("charset \"%s\": '%c' (position %zu) is not "
                               "one of 0-9 A-Z a-z; or use digits, upper, "
                               "lower, alpha, alnum", spec, ch, i + 1);
            return err_set("charset \"%s\": byte 0x%02x (position %zu) is "
                           "not one of 0-9 A-Z a-z", spec, ch, i + 1);
        }
        s |= 1ULL << c;
    }
    *pset = s;
    return 0;
}
