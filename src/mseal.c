/*
 * mseal.c: the mseal system call (mm/mseal.c do_mseal, 6.18): VM_SEALED on
 * every VMA of a range with no holes, split and merged like any other flag
 * change (sealed VMAs merge only with sealed neighbours of equal flags).
 *
 * Not here: what a seal forbids. Each call that a seal refuses says so where
 * its own rule lives: munmap and everything that unmaps on the way (MAP_FIXED,
 * mremap's target and shrink, brk) in vma.c munmap_gather(), mremap's source
 * in mremap.c check_prep_vma(), mprotect in mprotect.c mprotect_fixup(), the
 * discarding advice on read-only anonymous memory in madvise.c
 * can_madvise_modify(). fork copies the flag with the rest (fork.c).
 */
#include <errno.h>

#include "vma.h"

/* mm/mseal.c range_contains_unmapped(): a hole anywhere in [start, end),
 * past TASK_SIZE included, refuses the whole call before anything changes. */
static bool range_contains_unmapped(const struct vms_mm *mm, uint64_t start, uint64_t end)
{
	uint64_t prev_end = start;
	for (struct vms_vma *v = find_vma_intersection(mm, start, end); v && v->start < end;
	     v = vma_next(mm, v)) {
		if (v->start > prev_end)
			return true;
		prev_end = v->end;
	}
	return prev_end < end;
}

/*
 * mm/mseal.c mseal_apply(): each VMA not yet sealed takes VM_SEALED over its
 * part of the range (vma_modify_flags). A split refused (max_map_count, or a
 * special mapping's may_split) stops the walk with the VMAs before it sealed,
 * as the kernel leaves them.
 */
static int mseal_apply(struct vms_mm *mm, uint64_t start, uint64_t end)
{
	struct vma_walk w = {.mm = mm, .start = start, .end = end};
	uint64_t cur = start;
	while (cur < end) {
		struct vms_vma *v = find_vma(mm, cur);
		uint64_t seg_end = min_u64(v->end, end);
		if (!(v->flags & VM_SEALED)) {
			int err = vma_walk_reserve(&w);
			if (err)
				return err;
			struct vma_merge vmg = {
				.mm = mm,
				.middle = v,
				.start = cur,
				.end = seg_end,
				.flags = v->flags | VM_SEALED,
				.anon_name = v->anon_name,
				/* vma_modify_flags() keeps the policy and the
				 * userfaultfd context: a neighbour must agree. */
				.mpol = v->mpol,
				.uffd = v->uffd,
			};
			struct vms_vma *r = vma_modify(&vmg, &err);
			if (!r)
				return err;
			r->flags |= VM_SEALED;
			/* A merge may have carried the range past seg_end. */
			seg_end = min_u64(r->end, end);
		}
		cur = seg_end;
	}
	return 0;
}

long vms_mseal(vms_mm *mm, uint64_t start, uint64_t len_in, unsigned long flags)
{
	/* do_mseal(): every argument check before the range is looked at. */
	if (flags)
		return -EINVAL;
	if (offset_in_page(start))
		return -EINVAL;
	uint64_t len = PAGE_ALIGN(len_in);
	/* A length of -4095..-1 rounds up to zero. */
	if (len_in && !len)
		return -EINVAL;
	uint64_t end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	if (range_contains_unmapped(mm, start, end))
		return -ENOMEM;
	return mseal_apply(mm, start, end);
}
