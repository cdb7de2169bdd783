/*
 * alloc.c: every allocation the model makes, and the hook that makes one fail.
 * Slabs hand out fixed-size objects (VMAs, tree nodes) with no per-object
 * header, which keeps a VMA with its share of the index under 96 bytes.
 * Memory of a slab goes back to the host only when its system is freed.
 * Not here: what the objects are (vma.c, tree.c).
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

/*
 * Chunk sizes grow with the slab: the first SLAB_SMALL_CHUNKS chunks are
 * 64 KiB from malloc, so a small address space stays small; after that every
 * chunk is one 2 MiB-aligned huge-page-sized mapping marked MADV_HUGEPAGE. At a
 * million VMAs the VMAs and tree nodes fill ~100 MB, and a lookup at a random
 * address would otherwise take a TLB miss at every level of the tree and on
 * the VMA itself; with 2 MiB pages the whole index fits the second-level TLB.
 * The size of chunk i follows from i alone, so the chunk table needs no sizes.
 */
#define SLAB_SMALL_BYTES (64u * 1024u)
#define SLAB_SMALL_CHUNKS 16u
#define SLAB_HUGE_BYTES (2u * 1024u * 1024u)

static size_t chunk_bytes(size_t i)
{
	return i < SLAB_SMALL_CHUNKS ? SLAB_SMALL_BYTES : SLAB_HUGE_BYTES;
}

/* malloc's bookkeeping word in front of each block, counted as held. */
#define HEAP_HEADER sizeof(size_t)

bool sys_alloc_should_fail(vms_sys *sys)
{
	if (!sys || sys->fail_countdown == 0)
		return false;
	if (--sys->fail_countdown == 0)
		return true;
	return false;
}

static void heap_count(vms_sys *sys, void *p, bool add)
{
	if (!sys || !p)
		return;
	size_t n = malloc_usable_size(p) + HEAP_HEADER;
	if (add)
		sys->heap_bytes += n;
	else
		sys->heap_bytes -= n;
}

void *sys_malloc(vms_sys *sys, size_t size)
{
	if (sys_alloc_should_fail(sys))
		return NULL;
	void *p = malloc(size ? size : 1);
	heap_count(sys, p, true);
	return p;
}

void *sys_calloc(vms_sys *sys, size_t n, size_t size)
{
	if (sys_alloc_should_fail(sys))
		return NULL;
	void *p = calloc(n ? n : 1, size ? size : 1);
	heap_count(sys, p, true);
	return p;
}

void *sys_realloc(vms_sys *sys, void *p, size_t size)
{
	if (sys_alloc_should_fail(sys))
		return NULL;
	size_t old = p ? malloc_usable_size(p) + HEAP_HEADER : 0;
	void *n = realloc(p, size ? size : 1);
	if (n && sys) {
		sys->heap_bytes -= old;
		heap_count(sys, n, true);
	}
	return n;
}

void sys_free(vms_sys *sys, void *p)
{
	heap_count(sys, p, false);
	free(p);
}

/* A 2 MiB chunk on a 2 MiB boundary (so the kernel can back it with one huge
 * page), or NULL. */
static void *huge_chunk(void)
{
	size_t len = 2 * (size_t)SLAB_HUGE_BYTES;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	uintptr_t mask = SLAB_HUGE_BYTES - 1;
	char *a = (char *)(((uintptr_t)p + mask) & ~mask);
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (a + SLAB_HUGE_BYTES < p + len)
		munmap(a + SLAB_HUGE_BYTES, (size_t)(p + len - (a + SLAB_HUGE_BYTES)));
#ifdef MADV_HUGEPAGE
	/* Advice only: without THP the chunk works the same on small pages. */
	(void)madvise(a, SLAB_HUGE_BYTES, MADV_HUGEPAGE);
#endif
	return a;
}

void slab_init(struct slab *s, size_t obj_size)
{
	memset(s, 0, sizeof(*s));
	s->obj_size = obj_size < sizeof(void *) ? sizeof(void *) : obj_size;
	s->objs_per_chunk = SLAB_SMALL_BYTES / s->obj_size;
}

void slab_destroy(struct slab *s)
{
	for (size_t i = 0; i < s->nchunks; i++) {
		if (chunk_bytes(i) == SLAB_HUGE_BYTES)
			munmap(s->chunks[i], SLAB_HUGE_BYTES);
		else
			free(s->chunks[i]);
	}
	free(s->chunks);
	memset(s, 0, sizeof(*s));
}

/* Adds the next chunk as the fresh area; false when the host has no memory. */
static bool slab_grow(struct slab *s)
{
	if (s->nchunks == s->chunk_cap) {
		size_t cap = s->chunk_cap ? s->chunk_cap * 2 : 16;
		void **c = realloc(s->chunks, cap * sizeof(*c));
		if (!c)
			return false;
		s->chunks = c;
		s->chunk_cap = cap;
	}
	size_t bytes = chunk_bytes(s->nchunks);
	/* Cache-line aligned, so that a 64-byte VMA is one line, not two. */
	char *chunk = bytes == SLAB_HUGE_BYTES ? huge_chunk() : aligned_alloc(64, bytes);
	if (!chunk)
		return false;
	s->chunks[s->nchunks++] = chunk;
	s->fresh = chunk;
	s->fresh_end = chunk + bytes / s->obj_size * s->obj_size;
	return true;
}

void *slab_alloc(vms_sys *sys, struct slab *s)
{
	if (sys_alloc_should_fail(sys))
		return NULL;
	void *obj = s->free_list;
	if (obj) {
		s->free_list = *(void **)obj;
	} else {
		if (s->fresh == s->fresh_end && !slab_grow(s))
			return NULL;
		/* Lowest address first, so a bulk build lays objects out in order. */
		obj = s->fresh;
		s->fresh += s->obj_size;
	}
	s->in_use++;
	return obj;
}

void slab_free(struct slab *s, void *obj)
{
	if (!obj)
		return;
	*(void **)obj = s->free_list;
	s->free_list = obj;
	s->in_use--;
}

static size_t slab_bytes(const struct slab *s)
{
	size_t n = s->chunk_cap * sizeof(void *);
	for (size_t i = 0; i < s->nchunks; i++)
		n += chunk_bytes(i);
	return n;
}

size_t sys_bytes_held(const vms_sys *sys)
{
	return sys->heap_bytes + slab_bytes(&sys->vma_slab) + slab_bytes(&sys->leaf_slab) +
	       slab_bytes(&sys->branch_slab);
}
