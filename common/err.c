/*
 * err.c - thread-local error message buffer (see err.h).
 */
#include "common/err.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define ERR_MAX 1024

static _Thread_local char err_buf[ERR_MAX];
static _Thread_local int err_errno;

int err_set(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err_buf, sizeof err_buf, fmt, ap);
    va_end(ap);
    err_errno = 0;
    return -1;
}

int err_prefix(const char *fmt, ...)
{
    char prefix[ERR_MAX];
    char old[ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    size_t n;
    memcpy(old, err_buf, sizeof old);
    /* Truncation is acceptable: the context comes first, where it matters. */
    n = strlen(prefix);
    if (n > sizeof err_buf - 3)
        n = sizeof err_buf - 3;
    memcpy(err_buf, prefix, n);
    memcpy(err_buf + n, ": ", 2);
    n += 2;
    memcpy(err_buf + n, old, strnlen(old, sizeof err_buf - n - 1));
    err_buf[n + strnlen(old, sizeof err_buf - n - 1)] = '\0';
    return -1;
}

int err_append(const char *fmt, ...)
{
    size_t n = strnlen(err_buf, sizeof err_buf - 1);
    va_list ap;
    va_start(ap, fmt);
    /* truncated at the buffer's end, as err_prefix truncates */
    vsnprintf(err_buf + n, sizeof err_buf - n, fmt, ap);
    va_end(ap);
    return -1;
}

int err_set_errno(const char *fmt, ...)
{
    int saved = errno;
    char what[ERR_MAX / 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(err_buf, sizeof err_buf, "%s: %s", what, strerror(saved));
    err_errno = saved;
    errno = saved;
    return -1;
}

const char *err_get(void)
{
    return err_buf;
}

int err_get_errno(void)
{
    return err_errno;
}

void err_clear(void)
{
    err_buf[0] = '\0';
    err_errno = 0;
}
