/*
 * heap.c - fresh heap memory backed by transparent huge pages (heap.h).
 */
#include "common/heap.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#if defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define HEAP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HEAP_ASAN 1
#endif
#endif
#ifndef HEAP_ASAN
#define HEAP_ASAN 0
#endif

#define HEAP_HUGE ((uintptr_t)2 << 20) /* x86-64's PMD page */
#define HEAP_TOP_PAD_DEFAULT (128 * 1024) /* glibc's M_TOP_PAD default */

/* The heap below the first huge page of the last reserve: allocated, never
 * touched, so never resident (kept here so that it is not a leak). */
static void *heap_head;

/**
 * Grow the heap by about bytes, untouched, and ask for transparent huge
 * pages on it; the next allocations come from there.
 *
 * @param[in] bytes  how much fresh heap to add (at most INT_MAX)
 * @return the bytes the request covers (whole 2 MiB pages inside the new
 *         part), 0 when nothing was done: not glibc, AddressSanitizer,
 *         brk refused, or the kernel refused the request
 *
 * Notes:
 *   (1) The heap's top chunk plus a page is asked for (or, when a free
 *       chunk elsewhere held that, all free bytes plus a page) with
 *       M_TOP_PAD = bytes, so glibc extends the heap by bytes and more;
 *       the chunk is freed at once and goes back to the top. The 2 MiB
 *       range where glibc wrote the next chunk's header is left out.
 *       Only the part above the old break gets the request: what was
 *       there before may already be backed by small pages.
 *   (2) The memory stays in the heap only while the top is not trimmed
 *       (cli/main.c sets M_TRIM_THRESHOLD to 512 MB); trimmed, it simply
 *       goes back to the system.
 *   (3) The new part below its first 2 MiB boundary (up to 2 MiB) is
 *       kept allocated and untouched, so that the next allocations start
 *       on a huge page instead of filling small pages first.
 *   (4) It adds to the address space at once (RLIMIT_AS), not to the
 *       resident memory until used; a huge page is resident whole once
 *       touched.
 */
size_t heap_reserve_huge(size_t bytes)
{
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE) && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    if (HEAP_ASAN || bytes < 2 * HEAP_HUGE || bytes > (size_t)INT32_MAX)
        return 0;
    char *brk0 = sbrk(0);
    struct mallinfo2 mi = mallinfo2();
    if (brk0 == (char *)-1 || mi.fordblks > bytes)
        return 0;
    mallopt(M_TOP_PAD, (int)bytes);
    /* the top chunk and a page: unless a free chunk elsewhere is larger,
     * that extends the heap; else more than all free bytes together */
    size_t ask = mi.keepcost + 4096;
    void *p = malloc(ask), *q = NULL;
    if (p && sbrk(0) == brk0) {
        ask = mi.fordblks + 4096;
        q = malloc(ask);
    }
    char *brk1 = sbrk(0);
    mallopt(M_TOP_PAD, HEAP_TOP_PAD_DEFAULT);
    uintptr_t at = (uintptr_t)(q ? q : p);
    free(p);
    free(q);
    if (!at || brk1 == (char *)-1 || brk1 <= brk0)
        return 0; /* p came from elsewhere (mmap): the heap did not grow */
    /* above the old break and above the header glibc wrote after p (a
     * touched 4 KiB page makes its 2 MiB range small pages for good) */
    uintptr_t lo = at + ask + 64;
    if (lo < (uintptr_t)brk0)
        lo = (uintptr_t)brk0;
    uintptr_t a = (lo + HEAP_HUGE - 1) & ~(HEAP_HUGE - 1);
    uintptr_t b = (uintptr_t)brk1 & ~(HEAP_HUGE - 1);
    if (b <= a || madvise((void *)a, b - a, MADV_HUGEPAGE) != 0)
        return 0;
    /* the top now starts at p, below a, in small pages (~1 MiB on
     * average): hold that part, so that the next allocations start at a */
    if (a - at > 64) {
        void *head = malloc(a - at - 48);
        if ((uintptr_t)head == at)
            heap_head = head;
        else
            free(head); /* a free chunk elsewhere was taken */
    }
    return b - a;
#else
    (void)bytes;
    return 0;
#endif
}
