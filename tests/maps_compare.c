/* maps_compare.c: see maps_compare.h. */
#define _GNU_SOURCE
#include "maps_compare.h"

#include <stdio.h>
#include <string.h>

/* The length of a maps line up to its inode field ("start-end perms offset
 * dev "), for a line whose inode is a counter of the kernel's; else 0. */
static size_t before_counter_inode(const char *l, size_t n, bool shmem_inodes)
{
	static const char *const names[] = {" /dev/zero (deleted)", " /SYSV", " /memfd:",
					    " /secretmem", "/#", " /anon_hugepage (deleted)"};
	size_t k, nk = shmem_inodes ? sizeof(names) / sizeof(names[0]) : 1;
	for (k = 0; k < nk; k++) {
		size_t sl = strlen(names[k]);
		if (k == 0 ? n > sl && !memcmp(l + n - sl, names[k], sl)
			   : memmem(l, n, names[k], sl) != NULL)
			break;
	}
	if (k == nk)
		return 0;
	size_t spaces = 0, i = 0;
	while (i < n && spaces < 4)
		spaces += l[i++] == ' ';
	return i;
}

int maps_equal_but_counters(const char *a, const char *b, bool shmem_inodes, char *why,
			    size_t whysz)
{
	int line = 1;
	while (*a || *b) {
		const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
		size_t na = ea ? (size_t)(ea - a) : strlen(a), nb = eb ? (size_t)(eb - b) : strlen(b);
		const char *ca = a, *cb = b;
		size_t la = na, lb = nb;
		if (na > 7 && nb > 7 && !memcmp(a + na - 7, "[stack]", 7) &&
		    !memcmp(b + nb - 7, "[stack]", 7)) {
			const char *da = memchr(a, '-', na), *db = memchr(b, '-', nb);
			if (da && db) {
				ca = da, la = na - (size_t)(da - a);
				cb = db, lb = nb - (size_t)(db - b);
			}
		}
		size_t sa = before_counter_inode(a, na, shmem_inodes);
		size_t sb = before_counter_inode(b, nb, shmem_inodes);
		if (sa && sa == sb && !memcmp(a, b, sa))
			la = lb = 0;
		if (la != lb || memcmp(ca, cb, la)) {
			snprintf(why, whysz, "line %d: model '%.*s' vs kernel '%.*s'", line, (int)na,
				 a, (int)nb, b);
			return 0;
		}
		a += na + (ea ? 1 : 0);
		b += nb + (eb ? 1 : 0);
		line++;
	}
	return 1;
}
