/*
 * out_utf8.c - UTF-8, XML escaping and number formatting for the writers.
 *
 * Design: every byte the text and hOCR writers emit passes through here, so
 * well-formedness is decided in one place: code points that XML 1.0 forbids
 * or that would break the line structure of text (controls) become U+FFFD,
 * and byte strings (file names) are decoded strictly, one U+FFFD per bad
 * byte. Stateless and thread-safe.
 */
#include "output/out_int.h"

#include <math.h>
#include <string.h>

int out__cp_printable(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
        return 0;
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return 0;
    if (cp == 0xFFFE || cp == 0xFFFF || cp > 0x10FFFF)
        return 0;
    return 1;
}

int out__utf8_encode(uint32_t cp, char buf[4])
{
    if (!out__cp_printable(cp))
        cp = OUT_REPLACEMENT;
    if (cp < 0x80) {
        buf[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        buf[0] = (char)(0xC0 | (cp >> 6));
        buf[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        buf[0] = (char)(0xE0 | (cp >> 12));
        buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    buf[0] = (char)(0xF0 | (cp >> 18));
    buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

uint32_t out__utf8_decode(const unsigned char *s, size_t n, size_t *padv)
{
    uint32_t cp, min;
    size_t len, i;
    unsigned char c = s[0];

    *padv = 1;
    if (c < 0x80)
        return c;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2; cp = c & 0x1F; min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3; cp = c & 0x0F; min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4; cp = c & 0x07; min = 0x10000;
    } else {
        return OUT_REPLACEMENT; /* continuation byte, C0/C1, F5..FF */
    }
    if (n < len)
        return OUT_REPLACEMENT;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return OUT_REPLACEMENT;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return OUT_REPLACEMENT;
    *padv = len;
    return cp;
}

void out__xml_put_cp(FILE *fp, uint32_t cp)
{
    char buf[4];
    int n;

    switch (cp) {
    case '&': fputs("&amp;", fp); return;
    case '<': fputs("&lt;", fp); return;
    case '>': fputs("&gt;", fp); return;
    case '"': fputs("&quot;", fp); return;
    case '\'': fputs("&apos;", fp); return;
    default: break;
    }
    n = out__utf8_encode(cp, buf);
    fwrite(buf, 1, (size_t)n, fp);
}

const char *out__fmt_num(double v, int decimals, char buf[32])
{
    size_t n;

    if (!isfinite(v) || fabs(v) > 1e12)
        v = 0.0;
    snprintf(buf, 32, "%.*f", decimals, v);
    if (strchr(buf, '.')) {
        n = strlen(buf);
        while (n > 0 && buf[n - 1] == '0')
            buf[--n] = '\0';
        if (n > 0 && buf[n - 1] == '.')
            buf[--n] = '\0';
    }
    if (strcmp(buf, "-0") == 0)
        strcpy(buf, "0");
    return buf;
}

/** Write a byte string as XML text or attribute value: UTF-8 decoded (bad
 * bytes become U+FFFD), every character escaped as out__xml_put_cp does. */
void out__xml_put_bytes(FILE *fp, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), adv;

    while (n > 0) {
        out__xml_put_cp(fp, out__utf8_decode(u, n, &adv));
        u += adv;
        n -= adv;
    }
}

/** Grow *acc to cover b. */
void out__box_union(OutBox *acc, const OutBox *b)
{
    if (b->x0 < acc->x0)
        acc->x0 = b->x0;
    if (b->y0 < acc->y0)
        acc->y0 = b->y0;
    if (b->x1 > acc->x1)
        acc->x1 = b->x1;
    if (b->y1 > acc->y1)
        acc->y1 = b->y1;
}
