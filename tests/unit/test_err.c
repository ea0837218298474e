/* test_err.c - the error buffer: set, prefix, append, errno, clear. */
#include "common/err.h"
#include "tests/unit/test.h"

#include <errno.h>
#include <string.h>

static void err_set__format__message_stored(void)
{
    CHECK(err_set("bad %s at %d", "key", 7) == -1);
    CHECK(strcmp(err_get(), "bad key at 7") == 0);
}

static void err_prefix__existing_message__context_prepended(void)
{
    err_set("truncated");
    err_prefix("%s page %d", "a.tif", 2);
    CHECK(strcmp(err_get(), "a.tif page 2: truncated") == 0);
}

static void err_append__existing_message__hint_added_errno_kept(void)
{
    errno = ENOMEM;
    err_set_errno("a.png page 1: binarize");
    err_append("; raise %s", "limits.page_memory_mb");
    CHECK(strstr(err_get(), "a.png page 1: binarize: ") == err_get());
    const char *end = strstr(err_get(), "; raise limits.page_memory_mb");
    CHECK(end != NULL && end[strlen(end) - 1] == 'b');
    CHECK(err_get_errno() == ENOMEM);
}

static void err_append__message_near_full__truncated_not_overrun(void)
{
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    err_set("%s", big);
    size_t before = strlen(err_get());
    err_append("; %s", big);
    CHECK(strlen(err_get()) >= before);
    CHECK(strncmp(err_get(), big, before) == 0);
}

static void err_set_errno__enoent__strerror_appended(void)
{
    errno = ENOENT;
    err_set_errno("open %s", "x.png");
    CHECK(strstr(err_get(), "open x.png: ") == err_get());
    CHECK(strstr(err_get(), strerror(ENOENT)) != NULL);
}

static void err_clear__after_set__empty(void)
{
    err_set("x");
    err_clear();
    CHECK(err_get()[0] == '\0');
}

static void err_get_errno__set_errno_prefix_set__kept_then_cleared(void)
{
    errno = ENOSPC;
    err_set_errno("write %s", "out.txt");
    CHECK(err_get_errno() == ENOSPC);
    err_prefix("page %d", 3); /* context keeps the cause */
    CHECK(err_get_errno() == ENOSPC);
    err_set("bad header"); /* a new message without errno */
    CHECK(err_get_errno() == 0);
    errno = EDQUOT;
    err_set_errno("x");
    err_clear();
    CHECK(err_get_errno() == 0);
}

int main(void)
{
    RUN(err_set__format__message_stored);
    RUN(err_prefix__existing_message__context_prepended);
    RUN(err_append__existing_message__hint_added_errno_kept);
    RUN(err_append__message_near_full__truncated_not_overrun);
    RUN(err_set_errno__enoent__strerror_appended);
    RUN(err_clear__after_set__empty);
    RUN(err_get_errno__set_errno_prefix_set__kept_then_cleared);
    TEST_EXIT();
}
