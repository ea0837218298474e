/*
 * dynlib.c - optional shared libraries opened with dlopen() on first use
 * (dynlib.h).
 *
 * Design: libraries are opened RTLD_NOW | RTLD_LOCAL (a missing function
 * of theirs fails at the open, not in the middle of a page; their symbols
 * do not leak into the next library's lookups). A symbol's address is
 * stored in the caller's function pointer by memcpy (POSIX: the address
 * dlsym gives for a function is the function's). The set's pointers are
 * all filled, or all NULL: nothing half loaded is left for a caller to
 * call into.
 *
 * Ownership and threads: a Dynlib owns its handles; dynlib_unload closes
 * them and clears the set's pointers. dynlib_once holds one lock of this
 * module while it checks or loads a set (a load is once per set and
 * process; afterwards the lock is held for a few instructions), so sets
 * may be first used from several threads at once.
 */
#include "common/dynlib.h"

#include <assert.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"

struct Dynlib {
    const DynlibLib *libs;
    size_t n_libs;
    void *handles[]; /* one per library, NULL until opened */
};

/* Set every function pointer of library l to NULL. */
static void syms_clear(const DynlibLib *l)
{
    for (size_t i = 0; i < l->n_syms; i++)
        memset(l->syms[i].field, 0, l->syms[i].size);
}

/* Open library l: the first of its sonames that opens (its index in
 * *pwhich). The handle, or NULL with a message naming the sonames, the
 * package and the first soname's reason (the one the build's headers
 * match). */
static void *lib_open(const DynlibLib *l, int *pwhich)
{
    char why[400] = "";
    assert(l->sonames[0] && l->package);
    for (int i = 0; i < DYNLIB_SONAMES && l->sonames[i]; i++) {
        void *h = dlopen(l->sonames[i], RTLD_NOW | RTLD_LOCAL);
        if (h) {
            *pwhich = i;
            return h;
        }
        const char *e = dlerror();
        if (i == 0)
            snprintf(why, sizeof why, "%s", e ? e : "cannot open it");
    }
    char names[256] = "";
    size_t n = 0;
    for (int i = 0; i < DYNLIB_SONAMES && l->sonames[i] && n < sizeof names;
         i++)
        n += (size_t)snprintf(names + n, sizeof names - n, "%s%s",
                              i ? " or " : "", l->sonames[i]);
    err_set("%s (Debian package %s): %s", names, l->package, why);
    return NULL;
}

/* Fill library l's function pointers from handle h, opened as soname
 * which. 0, or -1 with a message naming the library, its package and the
 * first missing function. */
static int lib_resolve(const DynlibLib *l, void *h, int which)
{
    for (size_t i = 0; i < l->n_syms; i++) {
        void *sym = dlsym(h, l->syms[i].name);
        if (!sym)
            return err_set("%s (Debian package %s): it has no %s",
                           l->sonames[which], l->package, l->syms[i].name);
        memcpy(l->syms[i].field, &sym, l->syms[i].size);
    }
    return 0;
}

/**
 * Open a set of libraries and fill their function pointers, all or
 * nothing.
 *
 * @param[in] libs    the libraries (static; must outlive the Dynlib)
 * @param[in] n_libs  how many
 * @return new Dynlib (caller owns; dynlib_unload()), or NULL with a message
 *         "SONAME (Debian package PKG): REASON" where REASON is dlerror()'s
 *         or "it has no FUNCTION"; every pointer of the set is then NULL
 *         and nothing stays open
 *
 * Notes:
 *   (1) Libraries are opened in order, each with RTLD_LOCAL: list a
 *       library before those that need its symbols only if it matters to
 *       the message (the dynamic loader finds dependencies itself).
 */
Dynlib *dynlib_load(const DynlibLib *libs, size_t n_libs)
{
    Dynlib *d = calloc(1, sizeof *d + n_libs * sizeof d->handles[0]);
    if (!d) {
        err_set("out of memory loading %s", n_libs ? libs[0].sonames[0] : "");
        return NULL;
    }
    d->libs = libs;
    d->n_libs = n_libs;
    for (size_t i = 0; i < n_libs; i++) {
        int which = 0;
        if (!(d->handles[i] = lib_open(&libs[i], &which)) ||
            lib_resolve(&libs[i], d->handles[i], which) < 0) {
            dynlib_unload(&d);
            return NULL;
        }
    }
    return d;
}

/**
 * Close a set's libraries and set its function pointers to NULL.
 *
 * @param[in,out] pd  [optional] the Dynlib; *pd is NULL after (NULL or *pd
 *                    NULL: nothing to do)
 */
void dynlib_unload(Dynlib **pd)
{
    if (!pd || !*pd)
        return;
    Dynlib *d = *pd;
    for (size_t i = 0; i < d->n_libs; i++) {
        syms_clear(&d->libs[i]);
        if (d->handles[i])
            dlclose(d->handles[i]);
    }
    free(d);
    *pd = NULL;
}

static pthread_mutex_t dynlib_lock = PTHREAD_MUTEX_INITIALIZER;

/* Load o's set with stdio's stderr on fd 2 (see dynlib_once, note 2). */
static void once_load(DynlibOnce *o)
{
    static FILE *fd2; /* opened once, never closed */
    FILE *saved = stderr;
    if (fileno(stderr) != STDERR_FILENO &&
        (fd2 || (fd2 = fdopen(STDERR_FILENO, "w")) ||
         (fd2 = fopen("/dev/null", "w"))))
        stderr = fd2;
    o->dl = dynlib_load(o->libs, o->n_libs);
    stderr = saved;
    o->state = o->dl ? 1 : -1;
    if (!o->dl)
        snprintf(o->err, sizeof o->err, "%s", err_get());
}

/**
 * Open a set of libraries on its first use, once per process.
 *
 * @param[in,out] o  the set (a static made with DYNLIB_ONCE)
 * @return 0 (its function pointers are filled, for the rest of the
 *         process), or -1 with dynlib_load's message (the same each call)
 *
 * Notes:
 *   (1) A failure is kept, not retried: each later call fails at once
 *       with the same message.
 *   (2) A C++ library with <iostream> binds std::cerr, when it starts, to
 *       stdio's `stderr` of that moment. The library messages of a page
 *       read point `stderr` at a memory stream that is closed after
 *       (input/page.c), and a std::cerr left on it crashed at exit (qpdf's
 *       logger flushes it). So the set is loaded with `stderr` on fd 2, as
 *       when the libraries were linked: a stream opened on it once and
 *       never closed.
 */
int dynlib_once(DynlibOnce *o)
{
    pthread_mutex_lock(&dynlib_lock);
    if (o->state == 0)
        once_load(o);
    int state = o->state;
    pthread_mutex_unlock(&dynlib_lock);
    return state > 0 ? 0 : err_set("%s", o->err);
}
