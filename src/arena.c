/* arena.c - fixed-buffer allocator behind wolfSSL (first fit, coalescing)
 *
 * The library never calls malloc: every wolfSSL allocation is served from
 * one caller buffer through wolfSSL_SetAllocators. Those hooks take no user
 * pointer, so the arena is process-wide state (one per process, not locked:
 * use it from one thread).
 *
 * Layout: the buffer is a sequence of blocks in address order. Each block
 * starts with a 16-byte header holding its size (header included, a
 * multiple of 16; bit 0 = in use) and the size of the block physically
 * before it (0 for the first), so both neighbours are found in O(1) when a
 * block is freed and free neighbours merge at once. Free blocks are also
 * on a doubly linked list kept in address order; allocation takes the first
 * free block that fits (address-ordered first fit fragments least under
 * wolfSSL's out-of-order frees) and splits off the rest when it can hold a
 * block of its own. Payloads are 16-byte aligned.
 *
 * Statistics count whole blocks (headers and rounding included): that is
 * what the buffer must hold.
 */
#include "wolf.h"

#include <wolfssl/wolfcrypt/memory.h>

#include "stc_int.h"

#include <string.h>

#define ALIGN 16u
#define HDR 16u /* header size; keeps payloads aligned */
#define USED 1u

typedef struct hdr {
    size_t size; /* block bytes incl. header; bit 0 = in use */
    size_t prev; /* size of the physically previous block, 0 = first */
} hdr_t;

/* Free-list links live in a free block's payload. */
typedef struct links {
    hdr_t *next, *prev;
} links_t;

/* Smallest block: a header plus room for the free-list links. */
#define MIN_BLOCK (HDR + ((sizeof(links_t) + ALIGN - 1) & ~(size_t)(ALIGN - 1)))

typedef char hdr_fits_[(sizeof(hdr_t) <= HDR) ? 1 : -1];

static struct {
    uint8_t *base, *end;   /* aligned bounds of the block area */
    hdr_t *free_head;      /* address-ordered free list */
    size_t size, in_use, peak, failures;
    unsigned long allocs;  /* allocations served (fault-injection index) */
    unsigned long fail_at; /* allocs value from which all fail; 0 = off */
} A;

/* bsize - size of a block without the in-use bit */
static size_t bsize(const hdr_t *h)
{
    return h->size & ~(size_t)USED;
}

/* links_of - the free-list links stored in a free block */
static links_t *links_of(hdr_t *h)
{
    return (links_t *)(void *)((uint8_t *)h + HDR);
}

/* next_phys - the block after h, or NULL at the end */
static hdr_t *next_phys(hdr_t *h)
{
    uint8_t *p = (uint8_t *)h + bsize(h);
    return p < A.end ? (hdr_t *)(void *)p : NULL;
}

/* prev_phys - the block before h, or NULL for the first */
static hdr_t *prev_phys(hdr_t *h)
{
    return h->prev ? (hdr_t *)(void *)((uint8_t *)h - h->prev) : NULL;
}

/* set_size - write a block's size and tell its successor */
static void set_size(hdr_t *h, size_t size, unsigned used)
{
    hdr_t *n;

    h->size = size | used;
    n = next_phys(h);
    if (n)
        n->prev = size;
}

/* list_remove - unlink a free block */
static void list_remove(hdr_t *h)
{
    links_t *l = links_of(h);

    if (l->prev)
        links_of(l->prev)->next = l->next;
    else
        A.free_head = l->next;
    if (l->next)
        links_of(l->next)->prev = l->prev;
}

/* list_insert_after - link free block h after `at` (NULL = at the head) */
static void list_insert_after(hdr_t *at, hdr_t *h)
{
    links_t *l = links_of(h);

    l->prev = at;
    l->next = at ? links_of(at)->next : A.free_head;
    if (l->next)
        links_of(l->next)->prev = h;
    if (at)
        links_of(at)->next = h;
    else
        A.free_head = h;
}

/* list_replace - put free block h in old's place on the list */
static void list_replace(hdr_t *old, hdr_t *h)
{
    links_t *o = links_of(old), *l = links_of(h);
    hdr_t *prev = o->prev, *next = o->next;

    l->prev = prev;
    l->next = next;
    if (prev)
        links_of(prev)->next = h;
    else
        A.free_head = h;
    if (next)
        links_of(next)->prev = h;
}

/* need_for - block size for a payload of n bytes, 0 on overflow */
static size_t need_for(size_t n)
{
    size_t need;

    if (n > (size_t)-1 - HDR - ALIGN)
        return 0;
    need = (n + HDR + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    return need < MIN_BLOCK ? MIN_BLOCK : need;
}

/* account - add a block to the in-use statistics */
static void account(size_t bytes)
{
    A.in_use += bytes;
    if (A.in_use > A.peak)
        A.peak = A.in_use;
}

/* may_alloc - count one allocation; 0 when the fault hook says fail */
static int may_alloc(void)
{
    A.allocs++;
    if (A.fail_at != 0 && A.allocs >= A.fail_at) {
        A.failures++;
        return 0;
    }
    return 1;
}

/* carve - take `need` bytes from free block h (on the list), split the rest */
static void *carve(hdr_t *h, size_t need)
{
    size_t have = bsize(h);

    if (have - need >= MIN_BLOCK) {
        hdr_t *rest = (hdr_t *)(void *)((uint8_t *)h + need);
        rest->prev = need;
        list_replace(h, rest);
        set_size(rest, have - need, 0);
        h->size = need | USED;
    } else {
        list_remove(h);
        set_size(h, have, USED);
        need = have;
    }
    account(need);
    return (uint8_t *)h + HDR;
}

/* arena_get - first fit from the address-ordered free list; the payload is
 * zeroed. Measured on wolfSSL 5.5.4 (Debian): when an allocation inside
 * ConfirmSignature fails, its clean-up runs wc_FreeRsaKey on an RsaKey it
 * allocated but never initialised; the key's stale sizes (old arena
 * contents) make it zero memory far past the key and free stale pointers,
 * wiping block headers: every later allocation failed. Zeroed memory reads
 * as an empty key, whose clean-up does nothing. */
static void *arena_get(size_t n)
{
    size_t need = need_for(n);
    hdr_t *h;

    if (need == 0) {
        A.failures++;
        return NULL;
    }
    for (h = A.free_head; h; h = links_of(h)->next)
        if (bsize(h) >= need)
            return memset(carve(h, need), 0, n);
    A.failures++;
    return NULL;
}

/* block_of - the header of payload p, or NULL when p is not a live block of
 * ours (a pointer from elsewhere or a double free is ignored, not trusted) */
static hdr_t *block_of(void *p)
{
    uint8_t *u = (uint8_t *)p;
    hdr_t *h;

    if (!p || !A.base || u < A.base + HDR || u >= A.end
        || ((size_t)(u - A.base) % ALIGN) != 0)
        return NULL;
    h = (hdr_t *)(void *)(u - HDR);
    if (!(h->size & USED) || bsize(h) < MIN_BLOCK || bsize(h) > (size_t)(A.end - (uint8_t *)h))
        return NULL;
    return h;
}

/* arena_put - free a block and merge it with free neighbours */
static void arena_put(hdr_t *h)
{
    size_t size = bsize(h);
    hdr_t *p = prev_phys(h), *n = next_phys(h);
    hdr_t *at;

    A.in_use -= size;
    h->size = size; /* not in use: a second free of h is ignored */
    if (p && !(p->size & USED)) {
        /* p keeps its list position; absorb h (and n). */
        size += bsize(p);
        if (n && !(n->size & USED)) {
            list_remove(n);
            size += bsize(n);
        }
        set_size(p, size, 0);
        return;
    }
    if (n && !(n->size & USED)) {
        /* h sits right before n: it takes n's list position. */
        list_replace(n, h);
        set_size(h, size + bsize(n), 0);
        return;
    }
    /* No free neighbour: find the free block just before h. */
    at = NULL;
    if (A.free_head && A.free_head < h) {
        at = A.free_head;
        while (links_of(at)->next && links_of(at)->next < h)
            at = links_of(at)->next;
    }
    set_size(h, size, 0);
    list_insert_after(at, h);
}

/* a_malloc_impl - wolfSSL's malloc hook (NULL when the arena is full) */
static void *a_malloc_impl(size_t n)
{
    if (!A.base || !may_alloc()) {
        if (!A.base)
            A.failures++;
        return NULL;
    }
    return arena_get(n);
}

/* a_free_impl - wolfSSL's free hook; free(NULL) is a no-op */
static void a_free_impl(void *p)
{
    hdr_t *h = block_of(p);

    if (h)
        arena_put(h);
}

/* a_realloc_impl - grow in place into a free successor when possible */
static void *a_realloc_impl(void *p, size_t n)
{
    hdr_t *h, *nx;
    size_t need, have;
    void *q;

    if (!p)
        return a_malloc_impl(n);
    h = block_of(p);
    if (!h)
        return NULL;
    need = need_for(n);
    if (need == 0) {
        A.failures++;
        return NULL;
    }
    have = bsize(h);
    if (need <= have) {
        /* Shrink: give the tail back when it can stand alone. */
        if (have - need >= MIN_BLOCK) {
            hdr_t *rest = (hdr_t *)(void *)((uint8_t *)h + need);
            h->size = need | USED;
            rest->prev = need;
            rest->size = (have - need) | USED; /* still counted: arena_put uncounts it */
            arena_put(rest);
        }
        return p;
    }
    if (!may_alloc())
        return NULL;
    nx = next_phys(h);
    if (nx && !(nx->size & USED) && have + bsize(nx) >= need) {
        size_t total = have + bsize(nx);
        if (total - need >= MIN_BLOCK) {
            /* The remainder lies inside nx: it takes nx's list position
             * (links first: its header may overlap nx's old links). */
            hdr_t *rest = (hdr_t *)(void *)((uint8_t *)h + need);
            list_replace(nx, rest);
            h->size = need | USED;
            rest->prev = need;
            set_size(rest, total - need, 0);
            account(need - have);
        } else {
            list_remove(nx);
            set_size(h, total, USED);
            account(total - have);
        }
        return p;
    }
    q = arena_get(n);
    if (!q)
        return NULL;
    memcpy(q, p, have - HDR);
    arena_put(h);
    return q;
}

/* The hook signatures depend on how wolfSSL was configured (memory.h). */
#if defined(WOLFSSL_STATIC_MEMORY) && defined(WOLFSSL_DEBUG_MEMORY)
#define XARGS , void *heap, int type, const char *func, unsigned int line
#define XUNUSED ((void)heap, (void)type, (void)func, (void)line)
#elif defined(WOLFSSL_STATIC_MEMORY)
#define XARGS , void *heap, int type
#define XUNUSED ((void)heap, (void)type)
#elif defined(WOLFSSL_DEBUG_MEMORY)
#define XARGS , const char *func, unsigned int line
#define XUNUSED ((void)func, (void)line)
#else
#define XARGS
#define XUNUSED ((void)0)
#endif

/* a_malloc - malloc hook in wolfSSL's signature */
static void *a_malloc(size_t n XARGS)
{
    XUNUSED;
    return a_malloc_impl(n);
}

/* a_free - free hook in wolfSSL's signature */
static void a_free(void *p XARGS)
{
    XUNUSED;
    a_free_impl(p);
}

/* a_realloc - realloc hook in wolfSSL's signature */
static void *a_realloc(void *p, size_t n XARGS)
{
    XUNUSED;
    return a_realloc_impl(p, n);
}

/* stc_arena_init - route wolfSSL's allocations into mem[0..size) */
int stc_arena_init(void *mem, size_t size)
{
    wolfSSL_Malloc_cb mf = NULL;
    wolfSSL_Free_cb ff = NULL;
    wolfSSL_Realloc_cb rf = NULL;
    uintptr_t a, b;
    hdr_t *h;

    if (!mem || size < 4 * MIN_BLOCK)
        return STC_EINVAL;
    a = ((uintptr_t)mem + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
    b = ((uintptr_t)mem + size) & ~(uintptr_t)(ALIGN - 1);
    if (b <= a || b - a < 4 * MIN_BLOCK)
        return STC_EINVAL;
    memset(&A, 0, sizeof A);
    A.base = (uint8_t *)a;
    A.end = (uint8_t *)b;
    A.size = (size_t)(b - a);
    h = (hdr_t *)(void *)A.base;
    h->prev = 0;
    h->size = A.size;
    links_of(h)->next = links_of(h)->prev = NULL;
    A.free_head = h;
    if (wolfSSL_SetAllocators(a_malloc, a_free, a_realloc) != 0)
        return STC_EINVAL;
    /* A wolfSSL built without user allocators would silently keep malloc. */
    if (wolfSSL_GetAllocators(&mf, &ff, &rf) != 0 || mf != a_malloc || ff != a_free
        || rf != a_realloc)
        return STC_EINVAL;
    return STC_OK;
}

/* stc_arena_fail_after - fault injection: the nth allocation from now fails */
void stc_arena_fail_after(unsigned long n)
{
    A.fail_at = n ? A.allocs + n : 0;
}

/* stc_arena_allocs - allocations served since init */
unsigned long stc_arena_allocs(void)
{
    return A.allocs;
}

/* stc_arena_stats - size, bytes in use, high-water mark, failed requests */
void stc_arena_stats(stc_arena_stats_t *s)
{
    s->size = A.size;
    s->in_use = A.in_use;
    s->peak = A.peak;
    s->failures = A.failures;
}

/* stc_arena_reset_peak - restart the high-water mark from the current use */
void stc_arena_reset_peak(void)
{
    A.peak = A.in_use;
}
