/*
 * pidset.h: a set of pids with constant-time membership (open addressing).
 * A log of a long shell loop names tens of thousands of processes, and the
 * joiner and the replay ask of every clone whether its pid was seen before:
 * a list made that quadratic. Pids are never removed: both users ask "was it
 * ever seen". Header-only: the parser is also built alone (fuzz_strace, and
 * the unit tests include it whole).
 */
#ifndef VMSPACE_PIDSET_H
#define VMSPACE_PIDSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

struct pidset {
	unsigned *slot; /* pid + 1; 0 is an empty slot */
	size_t n, cap;  /* cap is 0 or a power of two */
};

static inline size_t pidset_home_(unsigned key, size_t cap)
{
	/* Fibonacci hashing: successive pids spread over the table */
	return (size_t)((key * 2654435769u) & (unsigned)(cap - 1));
}

static inline void pidset_put_(unsigned *slot, size_t cap, unsigned key)
{
	size_t i = pidset_home_(key, cap);
	while (slot[i])
		i = (i + 1) & (cap - 1);
	slot[i] = key;
}

static inline bool pidset_has(const struct pidset *s, int pid)
{
	unsigned key = (unsigned)pid + 1;
	if (!s->cap || pid < 0)
		return false;
	for (size_t i = pidset_home_(key, s->cap);; i = (i + 1) & (s->cap - 1)) {
		if (s->slot[i] == key)
			return true;
		if (!s->slot[i])
			return false;
	}
}

/* 1 if pid was added, 0 if it was there, -1 when out of memory (the set is
 * unchanged then) or pid is negative. */
static inline int pidset_add(struct pidset *s, int pid)
{
	unsigned key = (unsigned)pid + 1;
	if (pid < 0)
		return -1; /* not a pid */
	if (pidset_has(s, pid))
		return 0;
	/* at most half full, so that probes stay short */
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		unsigned *v = calloc(cap, sizeof(*v));
		if (!v)
			return -1;
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i])
				pidset_put_(v, cap, s->slot[i]);
		free(s->slot);
		s->slot = v;
		s->cap = cap;
	}
	pidset_put_(s->slot, s->cap, key);
	s->n++;
	return 1;
}

static inline void pidset_free(struct pidset *s)
{
	free(s->slot);
	s->slot = NULL;
	s->n = s->cap = 0;
}

#endif
