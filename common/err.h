/*
 * err.h - one error shape for every inkpipe library.
 *
 * A function that fails sets the message once, where the fault is found,
 * with its context (file:line:col, file/page/glyph), and returns NULL or -1.
 * Callers only propagate; the CLI reads err_get() and chooses the words and
 * the exit code. The buffer is thread-local, so workers with threads do not
 * overwrite each other's messages.
 */
#ifndef INKPIPE_ERR_H
#define INKPIPE_ERR_H

#include <stdarg.h>

#if defined(__GNUC__)
#define ERR_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ERR_PRINTF(a, b)
#endif

/* Set the current error message (printf-style); always returns -1 so that
 * `return err_set(...)` reads naturally in int-returning functions. */
int err_set(const char *fmt, ...) ERR_PRINTF(1, 2);

/* Prefix the current message with context, e.g. err_prefix("%s", path)
 * turns "bad header" into "scan.tif: bad header". Returns -1. */
int err_prefix(const char *fmt, ...) ERR_PRINTF(1, 2);

/* Add to the end of the current message, e.g. err_append("; raise %s",
 * key) turns "out of memory" into "out of memory; raise KEY"; the errno
 * behind it is kept. Returns -1. */
int err_append(const char *fmt, ...) ERR_PRINTF(1, 2);

/* Set the message from errno: "<what>: <strerror(errno)>". Returns -1. */
int err_set_errno(const char *fmt, ...) ERR_PRINTF(1, 2);

/* The current message ("" when none). Valid until the next err_* call on
 * this thread. */
const char *err_get(void);

/* The errno behind the current message: set by err_set_errno(), kept by
 * err_prefix(), 0 after err_set() and err_clear(). Lets a caller tell an
 * environmental fault (ENOSPC) from a fault of the input. */
int err_get_errno(void);

/* Forget the current message. */
void err_clear(void);

#endif
