/*
 * dynlib.h - optional shared libraries opened with dlopen() on first use,
 * their functions resolved into a table of function pointers.
 *
 * A caller describes each library once, as static data: the sonames to
 * try (the first that opens is used), the Debian package that has it, and
 * the functions it needs ({name, &pointer}, built with DYNLIB_SYM so that
 * each pointer's type is checked against the library's header). A set of
 * libraries is loaded all or nothing: on any failure every pointer of the
 * set is NULL again, what was opened is closed, and the message names the
 * library, its package and what is missing.
 *
 * Two levels: dynlib_load / dynlib_unload open and close a set (a Dynlib,
 * opaque); dynlib_once opens a set once per process on its first use and
 * keeps it (and keeps a failure: it is not retried), which is what a
 * library of inkpipe wants on its lazy path (input/page_pdf.c: qpdf,
 * jbig2dec, poppler; forms/form_tess.c: libtesseract). dynlib_once is
 * thread-safe (one lock for the module); dynlib_load / dynlib_unload of
 * one set must not race with each other.
 */
#ifndef INKPIPE_DYNLIB_H
#define INKPIPE_DYNLIB_H

#include <stddef.h>

/* One function of a library: its symbol and the function pointer it fills
 * (size: the pointer's sizeof). */
typedef struct {
    const char *name;
    void *field;
    size_t size;
} DynlibSym;

/* A row of a DynlibSym table: the function `name` into the field of the
 * same name of struct s. The sizeof is never evaluated (no reference to
 * the library's symbol) but does not compile, with -Wall warns, when the
 * field's type is not the header's prototype. */
#define DYNLIB_SYM(s, name) {#name, &(s).name, sizeof((s).name = name)}

#define DYNLIB_SONAMES 4 /* candidate sonames of one library, at most */

/* One library: candidates tried in order (unused ones NULL), the Debian
 * package named when none opens, and its functions. */
typedef struct {
    const char *sonames[DYNLIB_SONAMES];
    const char *package;
    const DynlibSym *syms;
    size_t n_syms;
} DynlibLib;

/* A DynlibLib of one soname, its package and the static array syms. */
#define DYNLIB_LIB(soname, package, syms)                                      \
    {{(soname)}, (package), (syms), sizeof(syms) / sizeof((syms)[0])}

/* Opened libraries of one set (opaque). */
typedef struct Dynlib Dynlib;

Dynlib *dynlib_load(const DynlibLib *libs, size_t n_libs);
void dynlib_unload(Dynlib **pd);

/* A set opened once per process (a static of the caller, made with
 * DYNLIB_ONCE). The fields after n_libs are dynlib_once's; once it has
 * failed, err is its message, for a caller that words its own around it
 * (err_get() is the same text). */
typedef struct {
    const DynlibLib *libs;
    size_t n_libs;
    int state; /* 0 not tried, 1 open, -1 failed */
    Dynlib *dl;
    char err[512];
} DynlibOnce;

/* A DynlibOnce of the static array libs. */
#define DYNLIB_ONCE(libs)                                                      \
    {(libs), sizeof(libs) / sizeof((libs)[0]), 0, NULL, ""}

int dynlib_once(DynlibOnce *o);

#endif
