/* test_heap.c - common/heap: fresh heap on transparent huge pages. */
#include "common/heap.h"
#include "tests/unit/test.h"

#include <malloc.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#ifndef TEST_ASAN
#define TEST_ASAN 0
#endif

#define MB ((size_t)1 << 20)

static void heap_reserve_huge__under_two_huge_pages__does_nothing(void)
{
    char *brk0 = sbrk(0);
    CHECK(heap_reserve_huge(3 * MB) == 0);
    CHECK(sbrk(0) == brk0);
}

static void heap_reserve_huge__16mb__next_allocation_starts_on_a_huge_page(void)
{
    /* as cli/main.c: big buffers from the heap, the top never trimmed */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    free(malloc(100000)); /* a heap with a little in it, as a process has */
    char *brk0 = sbrk(0);
    size_t got = heap_reserve_huge(16 * MB);
    if (TEST_ASAN) {
        CHECK(got == 0); /* AddressSanitizer's heap is not brk's */
        return;
    }
    /* 0 only where the kernel refuses MADV_HUGEPAGE (no THP) */
    if (got == 0) {
        printf("  (no transparent huge pages here: nothing to check)\n");
        return;
    }
    char *brk1 = sbrk(0);
    CHECK(got % (2 * MB) == 0);
    CHECK(got >= 12 * MB && got <= 16 * MB);
    CHECK(brk1 >= brk0 + 16 * MB);
    unsigned char *p = malloc(4 * MB);
    CHECK(p != NULL);
    if (!p)
        return;
    /* from the new part, its header just below a 2 MiB boundary */
    CHECK((char *)p >= brk0 && (char *)p + 4 * MB <= brk1);
    CHECK(((uintptr_t)p + 64) % (2 * MB) < 128);
    memset(p, 1, 4 * MB);
    CHECK(p[4 * MB - 1] == 1);
    free(p);
}

int main(void)
{
    RUN(heap_reserve_huge__under_two_huge_pages__does_nothing);
    RUN(heap_reserve_huge__16mb__next_allocation_starts_on_a_huge_page);
    TEST_EXIT();
}
