/* test_arena.c - the fixed-buffer allocator behind wolfSSL (src/arena.c)
 *
 * Everything goes through wolfSSL_Malloc / wolfSSL_Free / wolfSSL_Realloc,
 * so the hooks wolfSSL really calls are the ones under test.
 */
#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/memory.h>

#include "unit.h"

#include "stc_int.h"

#include <stdint.h>
#include <stdlib.h>

#define ARENA_SIZE (64u * 1024u)

static uint8_t mem[ARENA_SIZE + 64];

/* fresh - re-initialise the arena over mem (offset to test alignment) */
static void fresh(size_t offset, size_t size)
{
    CHECK_EQ(stc_arena_init(mem + offset, size), STC_OK);
}

/* in_use - current bytes in use */
static size_t in_use(void)
{
    stc_arena_stats_t s;
    stc_arena_stats(&s);
    return s.in_use;
}

/* test_init_args - bad arguments are refused */
static void test_init_args(void)
{
    CHECK_EQ(stc_arena_init(NULL, 4096), STC_EINVAL);
    CHECK_EQ(stc_arena_init(mem, 16), STC_EINVAL);
    fresh(0, ARENA_SIZE);
}

/* test_hooks - wolfSSL hands back our hooks */
static void test_hooks(void)
{
    wolfSSL_Malloc_cb mf = NULL;
    wolfSSL_Free_cb ff = NULL;
    wolfSSL_Realloc_cb rf = NULL;
    void *p;

    fresh(0, ARENA_SIZE);
    CHECK_EQ(wolfSSL_GetAllocators(&mf, &ff, &rf), 0);
    CHECK(mf != NULL && ff != NULL && rf != NULL);
    p = wolfSSL_Malloc(100);
    CHECK(p != NULL);
    CHECK((uint8_t *)p >= mem && (uint8_t *)p < mem + sizeof mem);
    wolfSSL_Free(p);
    CHECK_EQ(in_use(), 0);
}

/* test_alignment - every payload is 16-byte aligned, whatever the buffer */
static void test_alignment(void)
{
    size_t off, i;

    for (off = 0; off < 16; off += 3) {
        void *p[20];
        fresh(off, ARENA_SIZE);
        for (i = 0; i < 20; i++) {
            p[i] = wolfSSL_Malloc(i * 7 + 1);
            CHECK(p[i] != NULL);
            CHECK_EQ((uintptr_t)p[i] % 16, 0);
            memset(p[i], 0xA5, i * 7 + 1);
        }
        for (i = 0; i < 20; i += 2)
            wolfSSL_Free(p[i]);
        for (i = 1; i < 20; i += 2)
            wolfSSL_Free(p[i]);
        CHECK_EQ(in_use(), 0);
    }
}

/* test_zero_and_null - free(NULL) is a no-op; malloc(0) is a usable block */
static void test_zero_and_null(void)
{
    void *p;
    stc_arena_stats_t s;

    fresh(0, ARENA_SIZE);
    wolfSSL_Free(NULL);
    CHECK_EQ(in_use(), 0);
    p = wolfSSL_Malloc(0);
    CHECK(p != NULL);
    wolfSSL_Free(p);
    /* A pointer not from the arena and a double free are ignored. */
    {
        static int outside;
        p = wolfSSL_Malloc(32);
        wolfSSL_Free(p);
        wolfSSL_Free(p);
        wolfSSL_Free(&outside);
        wolfSSL_Free(mem + 8); /* inside but not a block start */
    }
    CHECK_EQ(in_use(), 0);
    /* Double free of a block that was merged into its free predecessor. */
    {
        void *a = wolfSSL_Malloc(64), *b = wolfSSL_Malloc(64), *c = wolfSSL_Malloc(64);
        size_t one = in_use() / 3;
        wolfSSL_Free(a);
        wolfSSL_Free(b);
        wolfSSL_Free(b);
        wolfSSL_Free(a);
        CHECK_EQ(in_use(), one);
        wolfSSL_Free(c);
        CHECK_EQ(in_use(), 0);
        stc_arena_stats(&s);
        p = wolfSSL_Malloc(s.size - 16); /* still one whole free block */
        CHECK(p != NULL);
        wolfSSL_Free(p);
    }
    stc_arena_stats(&s);
    CHECK_EQ(s.failures, 0);
}

/* test_coalesce - freeing in any order gives back one block of everything */
static void test_coalesce(void)
{
    enum { N = 64 };
    void *p[N];
    size_t i, big, order[N];
    stc_arena_stats_t s;
    unsigned seed = 12345;

    fresh(0, ARENA_SIZE);
    stc_arena_stats(&s);
    big = s.size - 16; /* the whole arena minus one header */
    p[0] = wolfSSL_Malloc(big);
    CHECK(p[0] != NULL);
    wolfSSL_Free(p[0]);

    for (i = 0; i < N; i++) {
        p[i] = wolfSSL_Malloc(100 + i * 13);
        CHECK(p[i] != NULL);
        order[i] = i;
    }
    /* Shuffle the order of frees (deterministic). */
    for (i = N - 1; i > 0; i--) {
        size_t j, t;
        seed = seed * 1103515245u + 12345u;
        j = (seed >> 8) % (i + 1);
        t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (i = 0; i < N; i++)
        wolfSSL_Free(p[order[i]]);
    CHECK_EQ(in_use(), 0);
    /* Only full coalescing leaves room for this again. */
    p[0] = wolfSSL_Malloc(big);
    CHECK(p[0] != NULL);
    wolfSSL_Free(p[0]);

    /* Holes: free every other block, then ask for something bigger than
     * any hole: it must come from the tail, and the holes are reused. */
    for (i = 0; i < N; i++)
        p[i] = wolfSSL_Malloc(256);
    for (i = 0; i < N; i += 2)
        wolfSSL_Free(p[i]);
    {
        void *q = wolfSSL_Malloc(200); /* fits the first hole exactly-ish */
        CHECK(q == p[0]);
        wolfSSL_Free(q);
    }
    for (i = 1; i < N; i += 2)
        wolfSSL_Free(p[i]);
    CHECK_EQ(in_use(), 0);
    p[0] = wolfSSL_Malloc(big);
    CHECK(p[0] != NULL);
    wolfSSL_Free(p[0]);
}

/* test_realloc - grow in place, move, shrink, NULL and content kept */
static void test_realloc(void)
{
    uint8_t *a, *b, *c;
    size_t i;

    fresh(0, ARENA_SIZE);
    a = wolfSSL_Realloc(NULL, 40); /* realloc(NULL) = malloc */
    CHECK(a != NULL);
    for (i = 0; i < 40; i++)
        a[i] = (uint8_t)i;
    /* Nothing after a: grows in place. */
    b = wolfSSL_Realloc(a, 4000);
    CHECK(b == a);
    for (i = 0; i < 40; i++)
        if (b[i] != (uint8_t)i)
            break;
    CHECK_EQ(i, 40);
    /* Shrink in place, the tail goes back. */
    c = wolfSSL_Realloc(b, 64);
    CHECK(c == b);
    CHECK(in_use() <= 64 + 16 + 16);
    /* Block in the way: moves, content kept. */
    b = wolfSSL_Malloc(10);
    a = wolfSSL_Realloc(c, 10000);
    CHECK(a != NULL && a != c);
    for (i = 0; i < 40; i++)
        if (a[i] != (uint8_t)i)
            break;
    CHECK_EQ(i, 40);
    /* Too big: NULL, the old block is untouched. */
    c = wolfSSL_Realloc(a, ARENA_SIZE * 2);
    CHECK(c == NULL);
    CHECK_EQ(a[39], 39);
    wolfSSL_Free(a);
    wolfSSL_Free(b);
    CHECK_EQ(in_use(), 0);
    /* Grow into a freed neighbour. */
    a = wolfSSL_Malloc(100);
    b = wolfSSL_Malloc(1000);
    c = wolfSSL_Malloc(100);
    wolfSSL_Free(b);
    b = wolfSSL_Realloc(a, 600);
    CHECK(b == a);
    b = wolfSSL_Realloc(a, 1100 + 16 - 16);
    CHECK(b == a);
    wolfSSL_Free(b);
    wolfSSL_Free(c);
    CHECK_EQ(in_use(), 0);
    b = wolfSSL_Malloc(ARENA_SIZE - 64);
    CHECK(b != NULL);
    wolfSSL_Free(b);
}

/* test_exhaustion - running out is NULL and counted, never a crash */
static void test_exhaustion(void)
{
    void *p[4096];
    size_t n = 0, i;
    stc_arena_stats_t s;

    fresh(0, ARENA_SIZE);
    while (n < 4096 && (p[n] = wolfSSL_Malloc(1000)) != NULL)
        n++;
    CHECK(n > 50 && n < 4096);
    stc_arena_stats(&s);
    CHECK_EQ(s.failures, 1);
    CHECK(s.in_use <= s.size);
    CHECK(s.peak == s.in_use);
    CHECK(wolfSSL_Malloc((size_t)-1) == NULL);
    CHECK(wolfSSL_Malloc((size_t)-1 - 8) == NULL);
    for (i = 0; i < n; i++)
        wolfSSL_Free(p[i]);
    stc_arena_stats(&s);
    CHECK_EQ(s.in_use, 0);
    CHECK_EQ(s.failures, 3);
    CHECK(s.peak > 50 * 1000);
    stc_arena_reset_peak();
    stc_arena_stats(&s);
    CHECK_EQ(s.peak, 0);
}

/* test_fail_after - the Nth allocation from now and all later ones fail */
static void test_fail_after(void)
{
    void *a, *b, *c;
    unsigned long base;

    fresh(0, ARENA_SIZE);
    base = stc_arena_allocs();
    stc_arena_fail_after(3);
    a = wolfSSL_Malloc(10);
    b = wolfSSL_Malloc(10);
    c = wolfSSL_Malloc(10);
    CHECK(a != NULL && b != NULL);
    CHECK(c == NULL);
    CHECK(wolfSSL_Malloc(1) == NULL);
    CHECK(wolfSSL_Realloc(a, 5000) == NULL); /* growing counts as allocating */
    CHECK(wolfSSL_Realloc(a, 8) == a);       /* shrinking never fails */
    CHECK_EQ(stc_arena_allocs() - base, 5);
    stc_arena_fail_after(0);
    c = wolfSSL_Malloc(10);
    CHECK(c != NULL);
    wolfSSL_Free(a);
    wolfSSL_Free(b);
    wolfSSL_Free(c);
    CHECK_EQ(in_use(), 0);
    stc_arena_fail_after(1);
    CHECK(wolfSSL_Malloc(1) == NULL);
    stc_arena_fail_after(0);
}

/* test_random - random alloc/realloc/free against a shadow; contents kept */
static void test_random(void)
{
    enum { SLOTS = 200 };
    uint8_t *p[SLOTS] = {0};
    size_t len[SLOTS] = {0};
    unsigned seed = 99, round;
    size_t i, bad = 0, misaligned = 0;

    fresh(5, ARENA_SIZE - 5);
    for (round = 0; round < 200000; round++) {
        size_t k, n, j;
        seed = seed * 1103515245u + 12345u;
        k = (seed >> 8) % SLOTS;
        seed = seed * 1103515245u + 12345u;
        n = ((seed >> 8) % 3 == 0) ? (seed >> 12) % 2000 : (seed >> 12) % 200;
        if (p[k]) {
            for (j = 0; j < len[k]; j++)
                if (p[k][j] != (uint8_t)(k + j))
                    bad++;
        }
        switch ((seed >> 4) % 3) {
        case 0:
            wolfSSL_Free(p[k]);
            p[k] = NULL;
            len[k] = 0;
            break;
        case 1:
            if (!p[k]) {
                p[k] = wolfSSL_Malloc(n);
                len[k] = p[k] ? n : 0;
            }
            break;
        default: {
            uint8_t *q = wolfSSL_Realloc(p[k], n);
            if (q) {
                p[k] = q;
                len[k] = n;
            }
            break;
        }
        }
        if (p[k]) {
            if ((uintptr_t)p[k] % 16 != 0)
                misaligned++;
            for (j = 0; j < len[k]; j++)
                p[k][j] = (uint8_t)(k + j);
        }
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(misaligned, 0);
    for (i = 0; i < SLOTS; i++)
        wolfSSL_Free(p[i]);
    CHECK_EQ(in_use(), 0);
    {
        stc_arena_stats_t s;
        stc_arena_stats(&s);
        CHECK(wolfSSL_Malloc(s.size - 16) != NULL); /* all merged back */
    }
}

int main(void)
{
    unit_name = "test_arena";
    RUN(test_init_args);
    RUN(test_hooks);
    RUN(test_alignment);
    RUN(test_zero_and_null);
    RUN(test_coalesce);
    RUN(test_realloc);
    RUN(test_exhaustion);
    RUN(test_fail_after);
    RUN(test_random);
    return unit_done();
}
