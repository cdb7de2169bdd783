/*
 * alloc.c: every allocation the model makes, and the hook that makes one fail.
 * Slabs hand out fixed-size objects (VMAs, tree nodes) with no per-object
 * header, which keeps a VMA with its share of the index under 96 bytes.
 * Memory of a slab goes back to the host only when its system is freed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define SLAB_CHUNK_BYTES (64u * 1024u)

bool sys_alloc_should_fail(vms_sys *sys)
{
	if (!sys || sys->fail_countdown == 0)
		return false;
	if (--sys->fail_countdown == 0)
		return true;
	return false;
}

void *sys_malloc(vms_sys *sys, size_t size)
{
	if (sys_alloc_should_fail(sys))
		return NULL;
	return malloc(size ? size : 1);
}

void *sys_calloc(vms_sys *sys, size_t n, size_t size)
{
	if (sys_alloc_should_fail(sys))
		return NULL;
	return calloc(n ? n : 1, size ? size : 1);
}

void *sys_realloc(vms_sys *sys, void *p, size_t size)
{
	if (sys_alloc_should_fail(sys))
		return NULL;
	return realloc(p, size ? size : 1);
}

void sys_free(vms_sys *sys, void *p)
{
	(void)sys;
	free(p);
}

void slab_init(struct slab *s, size_t obj_size)
{
	memset(s, 0, sizeof(*s));
	s->obj_size = obj_size < sizeof(void *) ? sizeof(void *) : obj_size;
	s->objs_per_chunk = SLAB_CHUNK_BYTES / s->obj_size;
}

void slab_destroy(struct slab *s)
{
	for (size_t i = 0; i < s->nchunks; i++)
		free(s->chunks[i]);
	free(s->chunks);
	memset(s, 0, sizeof(*s));
}

void *slab_alloc(vms_sys *sys, struct slab *s)
{
	if (sys_alloc_should_fail(sys))
		return NULL;
	if (!s->free_list) {
		if (s->nchunks == s->chunk_cap) {
			size_t cap = s->chunk_cap ? s->chunk_cap * 2 : 16;
			void **c = realloc(s->chunks, cap * sizeof(*c));
			if (!c)
				return NULL;
			s->chunks = c;
			s->chunk_cap = cap;
		}
		char *chunk = malloc(s->objs_per_chunk * s->obj_size);
		if (!chunk)
			return NULL;
		s->chunks[s->nchunks++] = chunk;
		/* Thread the new objects onto the free list, lowest address first. */
		for (size_t i = s->objs_per_chunk; i-- > 0;) {
			void *obj = chunk + i * s->obj_size;
			*(void **)obj = s->free_list;
			s->free_list = obj;
		}
	}
	void *obj = s->free_list;
	s->free_list = *(void **)obj;
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
