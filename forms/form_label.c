/*
 * form_label.c - the text of a printed label as a field's name (forms.h,
 * docs/forms.md "Fields without a template"): the label cleaned of its
 * trailing colon and of spaces between kerned letters, the field name made
 * from it (an ASCII slug: accents dropped), and the charset guessed from
 * its words.
 *
 * Design: all three work on UTF-8 text and need no state; the name and the
 * guess both see the label through one ASCII folding (Latin-1 letters and
 * oe/ae to their base letters, everything else not a letter or digit a
 * separator), so "Prénom :" names the field "prenom" and is guessed
 * "upper" by the same word.
 */
#include "forms/forms.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The code point at s (UTF-8) and its length in *plen; a malformed byte
 * is itself (length 1). */
static uint32_t utf8_next(const char *s, int *plen)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] >= 0xC2 && u[0] < 0xE0 && (u[1] & 0xC0) == 0x80) {
        *plen = 2;
        return (uint32_t)(u[0] & 0x1F) << 6 | (u[1] & 0x3F);
    }
    if (u[0] >= 0xE0 && u[0] < 0xF0 && (u[1] & 0xC0) == 0x80 &&
        (u[2] & 0xC0) == 0x80) {
        *plen = 3;
        return (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 |
               (u[2] & 0x3F);
    }
    *plen = 1;
    return u[0];
}

/* The ASCII letters of a Latin letter cp (lower case), or NULL when cp is
 * no letter or digit we fold (then it separates words). */
static const char *fold_latin(uint32_t cp, char buf[2])
{
    /* U+00C0..U+00FF; '-' = not a letter (multiplication, division) */
    static const char base[] = "aaaaaa_ceeeeiiiidnooooo-ouuuuyts"
                               "aaaaaa_ceeeeiiiidnooooo-ouuuuyty";
    if (cp < 128) {
        if (!isalnum((int)cp))
            return NULL;
        buf[0] = (char)tolower((int)cp);
        buf[1] = '\0';
        return buf;
    }
    if (cp == 0xC6 || cp == 0xE6)
        return "ae";
    if (cp == 0xDF)
        return "ss";
    if (cp == 0xDE || cp == 0xFE)
        return "th";
    if (cp == 0x152 || cp == 0x153)
        return "oe";
    if (cp >= 0xC0 && cp <= 0xFF && base[cp - 0xC0] != '-') {
        buf[0] = base[cp - 0xC0];
        buf[1] = '\0';
        return buf;
    }
    return NULL;
}

/**
 * The label folded to ASCII words: lower case, accents dropped (é -> e,
 * œ -> oe), each run of other characters one '_', none at either end.
 *
 * @param[in]  label  UTF-8 text (NULL = "")
 * @param[out] out    the slug (n bytes at most, NUL-terminated; "" when
 *                    no letter or digit)
 */
void form_label_slug(const char *label, char *out, size_t n)
{
    size_t k = 0;
    if (!n)
        return;
    for (const char *s = label ? label : ""; *s;) {
        int len;
        char buf[2];
        const char *f = fold_latin(utf8_next(s, &len), buf);
        s += len;
        if (!f) {
            if (k && out[k - 1] != '_' && k + 1 < n)
                out[k++] = '_';
            continue;
        }
        for (; *f && k + 1 < n; f++)
            out[k++] = *f;
    }
    while (k && out[k - 1] == '_')
        k--;
    out[k] = '\0';
}

/* Whether token t (len bytes, no space) is one letter: one ASCII letter or
 * one 2-byte UTF-8 Latin letter. */
static int one_letter(const char *t, size_t len)
{
    char buf[2];
    int l;
    if (len == 1)
        return isalpha((unsigned char)t[0]);
    return len == 2 && fold_latin(utf8_next(t, &l), buf) && l == 2;
}

/* Whether token t (len bytes) has a letter and no lower-case ASCII letter
 * (a word printed in capitals). */
static int capitals(const char *t, size_t len)
{
    int letter = 0, l;
    for (size_t i = 0; i < len; i += (size_t)l) {
        uint32_t cp = utf8_next(t + i, &l);
        if ((cp >= 'a' && cp <= 'z') || (cp >= 0xDF && cp <= 0xFF) ||
            cp == 0x153)
            return 0;
        letter |= (cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp < 0xDF) ||
                  cp == 0x152;
    }
    return letter;
}

/* Single letters that are words (English a, I, O; French a, à, y). */
static int letter_word(const char *t, size_t len)
{
    return (len == 1 && strchr("AaIOoYy", t[0])) ||
           (len == 2 &&
            (!memcmp(t, "\xC3\x80", 2) || !memcmp(t, "\xC3\xA0", 2)));
}

/**
 * Clean a label read from the page, in place: white space trimmed, a
 * trailing colon or semicolon (French " :" with its space) dropped, and
 * letters printed apart joined: a run of three or more one-letter words
 * ("N O M" -> "NOM"), and, in a word printed in capitals, one capital
 * letter split off its front ("P RENOM" -> "PRENOM"; not a letter that is
 * a word itself: A, I, O, Y, À).
 *
 * @param[in,out] s  UTF-8 text, NUL-terminated
 */
void form_label_clean(char *s)
{
    enum { MAXT = 64 };
    size_t n = strlen(s), at[MAXT], len[MAXT];
    int nt = 0, one[MAXT];
    while (n && strchr(" \t:;", s[n - 1]))
        n--;
    s[n] = '\0';
    for (size_t i = 0; i < n && nt < MAXT;) {
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i == n)
            break;
        at[nt] = i;
        while (i < n && s[i] != ' ' && s[i] != '\t')
            i++;
        len[nt] = i - at[nt];
        one[nt] = one_letter(s + at[nt], len[nt]);
        nt++;
    }
    if (!nt || at[nt - 1] + len[nt - 1] < n) /* empty, or too many words */
        return;
    /* run[t]: one-letter tokens in the run that holds t (0 if not one);
     * join[t]: no space between t and t + 1 */
    int run[MAXT], join[MAXT];
    for (int t = 0; t < nt;) {
        if (!one[t]) {
            run[t++] = 0;
            continue;
        }
        int e = t;
        while (e < nt && one[e])
            e++;
        for (int q = t; q < e; q++)
            run[q] = e - t;
        t = e;
    }
    for (int t = 0; t + 1 < nt; t++)
        join[t] = (run[t] >= 3 && one[t + 1]) ||
                  (run[t] == 1 && !one[t + 1] &&
                   !letter_word(s + at[t], len[t]) &&
                   capitals(s + at[t], len[t]) &&
                   capitals(s + at[t + 1], len[t + 1]));
    size_t k = 0;
    for (int t = 0; t < nt; t++) {
        memmove(s + k, s + at[t], len[t]);
        k += len[t];
        if (t + 1 < nt && !join[t])
            s[k++] = ' ';
    }
    s[k] = '\0';
}

/* The words of the charset table: a label whose slug has one of these as
 * its words (each "_"-joined phrase must match whole words) gets that
 * charset. Digits are tried first ("Date de naissance" is a date). */
static const char *const DIGIT_WORDS[] = {
    "date", "ne_le", "nee_le", "ne_e_le", "born", "phone", "telephone",
    "tel", "portable", "mobile", "code_postal", "postcode", "post_code",
    "zip", "zip_code", NULL};
static const char *const UPPER_WORDS[] = {
    "nom", "prenom", "prenoms", "name", "surname", "forename", "firstname",
    "lastname", NULL};

/* Whether the slug has phrase w as whole words. */
static int has_words(const char *slug, const char *w)
{
    size_t lw = strlen(w);
    for (const char *p = slug; (p = strstr(p, w)) != NULL; p++)
        if ((p == slug || p[-1] == '_') && (p[lw] == '\0' || p[lw] == '_'))
            return 1;
    return 0;
}

/**
 * The charset a field's label asks for, from a small table of French and
 * English words (docs/forms.md): date, né(e) le, born, phone, téléphone,
 * tel, portable, mobile, code postal, postcode, zip -> digits; nom,
 * prénom, name, surname, forename -> upper.
 *
 * @param[in]  label  the label text (UTF-8; NULL = none)
 * @param[out] out    the charset when one is guessed
 * @return 1 when guessed, 0 when the label names none of them
 */
int form_label_charset(const char *label, RecCharset *out)
{
    char slug[256];
    form_label_slug(label, slug, sizeof slug);
    for (int i = 0; DIGIT_WORDS[i]; i++)
        if (has_words(slug, DIGIT_WORDS[i]))
            return rec_charset_parse("digits", out) == 0;
    for (int i = 0; UPPER_WORDS[i]; i++)
        if (has_words(slug, UPPER_WORDS[i]))
            return rec_charset_parse("upper", out) == 0;
    return 0;
}
