/* test_dynlib.c - optional libraries by dlopen: a set loaded all or nothing,
 * messages naming library, package and function, once per process. Uses
 * libm and libz, which every build has (linked by the Makefile's LIBS). */
#include "common/dynlib.h"
#include "common/err.h"
#include "tests/unit/test.h"

#include <pthread.h>
#include <string.h>
#include <zlib.h>

/* The functions the cases resolve: fields named as the functions, as the
 * callers of dynlib.h write them (DYNLIB_SYM checks their types). */
static struct {
    double (*cos)(double);
    double (*sqrt)(double);
} M;
static struct {
    const char *(*zlibVersion)(void);
    void (*missing)(void);
} Z;

static const DynlibSym m_syms[] = {DYNLIB_SYM(M, cos), DYNLIB_SYM(M, sqrt)};
static const DynlibSym z_syms[] = {DYNLIB_SYM(Z, zlibVersion)};
static const DynlibSym z_bad_syms[] = {
    DYNLIB_SYM(Z, zlibVersion),
    {"inkpipe_no_such_function", &Z.missing, sizeof Z.missing},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void dynlib_load__libm_by_soname__functions_callable(void)
{
    const DynlibLib libs[] = {{{"libm.so.6"}, "libc6", m_syms, N(m_syms)}};
    Dynlib *d = dynlib_load(libs, N(libs));
    CHECK(d != NULL);
    CHECK(M.cos && M.cos(0.0) == 1.0);
    CHECK(M.sqrt && M.sqrt(16.0) == 4.0);
    dynlib_unload(&d);
    CHECK(d == NULL);
    CHECK(M.cos == NULL && M.sqrt == NULL); /* nothing left to call */
    dynlib_unload(&d);                      /* NULL: a no-op */
}

static void dynlib_load__first_soname_missing__next_candidate_used(void)
{
    const DynlibLib libs[] = {
        {{"libinkpipe-none.so.0", "libz.so.1"}, "zlib1g", z_syms, N(z_syms)}};
    Dynlib *d = dynlib_load(libs, N(libs));
    CHECK(d != NULL);
    CHECK(Z.zlibVersion && strcmp(Z.zlibVersion(), zlibVersion()) == 0);
    dynlib_unload(&d);
    CHECK(Z.zlibVersion == NULL);
}

static void dynlib_load__missing_symbol__names_it_nothing_half_loaded(void)
{
    /* libm resolves, then libz lacks a function: the set is all or none */
    const DynlibLib libs[] = {
        {{"libm.so.6"}, "libc6", m_syms, N(m_syms)},
        {{"libz.so.1"}, "zlib1g", z_bad_syms, N(z_bad_syms)},
    };
    err_clear();
    CHECK(dynlib_load(libs, N(libs)) == NULL);
    CHECK(strcmp(err_get(), "libz.so.1 (Debian package zlib1g): it has no "
                            "inkpipe_no_such_function") == 0);
    CHECK(M.cos == NULL && M.sqrt == NULL);
    CHECK(Z.zlibVersion == NULL && Z.missing == NULL);
}

static void dynlib_load__missing_library__names_soname_and_package(void)
{
    const DynlibLib one[] = {
        {{"libinkpipe-none.so.0"}, "inkpipe-none0", z_syms, N(z_syms)}};
    CHECK(dynlib_load(one, N(one)) == NULL);
    const char *e = err_get();
    const char *want = "libinkpipe-none.so.0 (Debian package inkpipe-none0): ";
    CHECK(strncmp(e, want, strlen(want)) == 0);
    CHECK(strstr(e + strlen(want), "libinkpipe-none.so.0") != NULL); /* dlerror */
    const DynlibLib two[] = {{{"libinkpipe-none.so.0", "libinkpipe-none.so.1"},
                              "inkpipe-none",
                              z_syms,
                              N(z_syms)}};
    CHECK(dynlib_load(two, N(two)) == NULL);
    CHECK(strstr(err_get(), "libinkpipe-none.so.0 or libinkpipe-none.so.1 "
                            "(Debian package inkpipe-none): ") == err_get());
    CHECK(Z.zlibVersion == NULL);
}

static void dynlib_once__failure__kept_with_the_same_message(void)
{
    static const DynlibLib libs[] = {
        {{"libinkpipe-none.so.0"}, "inkpipe-none0", z_syms, N(z_syms)}};
    static DynlibOnce once = DYNLIB_ONCE(libs);
    CHECK(dynlib_once(&once) == -1);
    char first[512];
    snprintf(first, sizeof first, "%s", err_get());
    CHECK(strstr(first, "(Debian package inkpipe-none0)") != NULL);
    err_set("something else");
    CHECK(dynlib_once(&once) == -1);
    CHECK(strcmp(err_get(), first) == 0);
}

static DynlibOnce thread_once; /* set up by the case below */

static void *once_thread(void *arg)
{
    (void)arg;
    return dynlib_once(&thread_once) == 0 && M.cos && M.cos(0.0) == 1.0
               ? (void *)1
               : NULL;
}

static void dynlib_once__four_threads__all_see_the_functions(void)
{
    static const DynlibLib libs[] = {
        {{"libm.so.6"}, "libc6", m_syms, N(m_syms)}};
    thread_once = (DynlibOnce)DYNLIB_ONCE(libs);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        CHECK(pthread_create(&t[i], NULL, once_thread, NULL) == 0);
    for (int i = 0; i < 4; i++) {
        void *ok = NULL;
        CHECK(pthread_join(t[i], &ok) == 0);
        CHECK(ok == (void *)1);
    }
    CHECK(dynlib_once(&thread_once) == 0);
    dynlib_unload(&thread_once.dl); /* only so valgrind sees none left */
}

static void dynlib_once__stderr_redirected__restored_after(void)
{
    static const DynlibLib libs[] = {
        {{"libz.so.1"}, "zlib1g", z_syms, N(z_syms)}};
    static DynlibOnce once = DYNLIB_ONCE(libs);
    char *buf = NULL;
    size_t len = 0;
    FILE *saved = stderr, *mem = open_memstream(&buf, &len);
    CHECK(mem != NULL);
    if (!mem)
        return;
    stderr = mem;
    CHECK(dynlib_once(&once) == 0);
    CHECK(stderr == mem); /* fd 2 only while the libraries start */
    stderr = saved;
    fclose(mem);
    free(buf);
    CHECK(Z.zlibVersion && Z.zlibVersion()[0] == '1');
    dynlib_unload(&once.dl);
}

int main(void)
{
    RUN(dynlib_load__libm_by_soname__functions_callable);
    RUN(dynlib_load__first_soname_missing__next_candidate_used);
    RUN(dynlib_load__missing_symbol__names_it_nothing_half_loaded);
    RUN(dynlib_load__missing_library__names_soname_and_package);
    RUN(dynlib_once__failure__kept_with_the_same_message);
    RUN(dynlib_once__four_threads__all_see_the_functions);
    RUN(dynlib_once__stderr_redirected__restored_after);
    TEST_EXIT();
}
