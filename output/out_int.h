/*
 * out_int.h - internals shared by the output/ files (not installed, not for
 * other modules).
 *
 * out_utf8.c: strict UTF-8 decoding with U+FFFD replacement, encoding of
 * scalars, XML escaping and number formatting shared by the text and hOCR
 * writers.
 */
#ifndef INKPIPE_OUT_INT_H
#define INKPIPE_OUT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "output/output.h"

#define OUT_REPLACEMENT 0xFFFDu

/* Nonzero when cp may appear in our text and XML output: a Unicode scalar,
 * allowed by XML 1.0, and not a C0/C1 control or DEL. */
int out__cp_printable(uint32_t cp);

/* Encode cp (U+FFFD when !out__cp_printable) into buf; returns 1..4. */
int out__utf8_encode(uint32_t cp, char buf[4]);

/* Decode the scalar at s[0..n) (n > 0); *padv gets the bytes consumed.
 * Invalid, overlong, surrogate or truncated sequences give U+FFFD and
 * consume one byte. */
uint32_t out__utf8_decode(const unsigned char *s, size_t n, size_t *padv);

/* Write cp to fp, XML-escaped (&amp; &lt; &gt; &quot; &apos;). */
void out__xml_put_cp(FILE *fp, uint32_t cp);
/* Write a byte string (UTF-8; bad bytes as U+FFFD) XML-escaped. */
void out__xml_put_bytes(FILE *fp, const char *s);
/* Grow *acc to cover b (hOCR and ALTO block boxes). */
void out__box_union(OutBox *acc, const OutBox *b);

/* Format v with at most `decimals` decimals, trailing zeros stripped and
 * no "-0"; non-finite values print as 0. buf must hold 32 bytes. */
const char *out__fmt_num(double v, int decimals, char buf[32]);

#endif
