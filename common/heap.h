/*
 * heap.h - fresh heap memory backed by transparent huge pages.
 *
 * Files (prefix heap_): heap.c.
 *
 * On a virtual machine a first touch of a 4 KiB page can cost ~11 us (the
 * fault, not the zeroing): a stage process that touches ~30 MB of fresh
 * heap for its first pages paid ~85 ms for ~7,700 faults. A 2 MiB huge
 * page is one fault. The kernel gives them to regions that ask
 * (madvise(MADV_HUGEPAGE); THP mode "madvise", Debian's default), and the
 * heap grows with brk, whose new regions do not inherit the request: so
 * the heap is grown once, ahead of use, and the request made on that
 * part (see heap_reserve_huge).
 * Threading: call before any other thread allocates (it changes glibc's
 * M_TOP_PAD for the duration of one malloc).
 */
#ifndef INKPIPE_HEAP_H
#define INKPIPE_HEAP_H

#include <stddef.h>

size_t heap_reserve_huge(size_t bytes);

#endif
