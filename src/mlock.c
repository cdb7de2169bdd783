/*
 * mlock.c: the mlock, mlock2, munlock, mlockall and munlockall system calls
 * (mm/mlock.c do_mlock, apply_vma_lock_flags, mlock_fixup,
 * apply_mlockall_flags) and the fault-in that follows a lock (mm/gup.c
 * __mm_populate). What it tracks: VM_LOCKED/VM_LOCKONFAULT, locked_vm,
 * mm->def_flags and which pages become resident. Not here: the mlock LRU or
 * per-page mlock counts, which the model does not keep.
 */
#include <errno.h>

#include "accounting.h"
#include "fault.h"
#include "vma.h"

#define MLOCK_ONFAULT 0x01
#define MCL_CURRENT 1
#define MCL_FUTURE 2
#define MCL_ONFAULT 4

#ifndef VM_DROPPABLE
#define VM_DROPPABLE (1ULL << 40)
#endif

static bool vma_is_dax(const struct vms_vma *v)
{
	return v->file && (v->file->inode->flags & VMS_INODE_DAX);
}

/*
 * mm/mlock.c mlock_fixup(): gives [start, end) of v the lock bits in newflags
 * and keeps locked_vm in step. *out is the VMA that covers [start, end)
 * afterwards; the caller continues from its end.
 */
static int mlock_fixup(struct vma_walk *c, struct vms_vma *v, uint64_t start, uint64_t end,
		       uint64_t newflags, struct vms_vma **out)
{
	struct vms_mm *mm = c->mm;
	uint64_t oldflags = v->flags;
	*out = v;
	/* Special, hugetlb, DAX, secretmem and droppable mappings are silently
	 * left as they are and uncounted (the gate VMA is not in the tree). */
	if (newflags == oldflags || (oldflags & (VM_SPECIAL | VM_HUGETLB | VM_DROPPABLE)) ||
	    vma_is_dax(v) || (v->file && (v->file->inode->flags & VMS_INODE_SECRETMEM)))
		return 0;
	int err = vma_walk_reserve(c);
	if (err)
		return err;
	struct vma_merge vmg = {
		.mm = mm,
		.middle = v,
		.start = start,
		.end = end,
		.pgoff = v->pgoff + ((start - v->start) >> PAGE_SHIFT),
		.flags = newflags,
		.file = v->file,
		.anon_vma = v->anon_vma,
		.anon_name = v->anon_name,
		.mpol = v->mpol,
		.uffd = v->uffd,
	};
	struct vms_vma *r = vma_modify(&vmg, &err);
	if (!r)
		return err;
	*out = r;
	uint64_t nr_pages = (end - start) >> PAGE_SHIFT;
	if (!(newflags & VM_LOCKED))
		mm->locked_vm -= nr_pages;
	else if (!(oldflags & VM_LOCKED))
		mm->locked_vm += nr_pages;
	r->flags = vma_modified_flags(r, newflags);
	return 0;
}

/* mm/mlock.c apply_vma_lock_flags(): start and len are page aligned. */
static int apply_vma_lock_flags(struct vms_mm *mm, uint64_t start, uint64_t len, uint64_t flags)
{
	uint64_t end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	/* The VMA must contain start itself: a range starting in a hole fails
	 * before anything changes. */
	struct vms_vma *v = find_vma(mm, start);
	if (!v || v->start > start)
		return -ENOMEM;
	struct vma_walk c = {.mm = mm, .start = start, .end = end};
	uint64_t nstart = start, tmp = v->start;
	for (; v && v->start < end; v = vma_next(mm, v)) {
		/* A hole stops the walk; the VMAs before it stay changed. */
		if (v->start != tmp)
			return -ENOMEM;
		uint64_t newflags = (v->flags & ~VM_LOCKED_MASK) | flags;
		tmp = min_u64(v->end, end);
		int err = mlock_fixup(&c, v, nstart, tmp, newflags, &v);
		if (err)
			return err;
		tmp = v->end;
		nstart = tmp;
	}
	if (tmp < end)
		return -ENOMEM;
	return 0;
}

/* mm/mlock.c __mlock_posix_error_return(): gup errors in POSIX terms. */
static long mlock_posix_error(int err)
{
	if (err == -EFAULT)
		return -ENOMEM;
	if (err == -ENOMEM)
		return -EAGAIN;
	return err;
}

/* mm/mlock.c count_mm_mlocked_page_nr(): pages of [start, start+len) that
 * are already locked, so that locking them again is not counted twice. */
static uint64_t count_mm_mlocked_page_nr(const struct vms_mm *mm, uint64_t start, uint64_t len)
{
	uint64_t end = UINT64_MAX - len < start ? UINT64_MAX : start + len;
	uint64_t count = 0;
	for (struct vms_vma *v = find_vma_intersection(mm, start, end); v && v->start < end;
	     v = vma_next(mm, v)) {
		if (!(v->flags & VM_LOCKED))
			continue;
		if (start > v->start)
			count -= start - v->start;
		if (end < v->end) {
			count += end - v->start;
			break;
		}
		count += v->end - v->start;
	}
	return count >> PAGE_SHIFT;
}

/* mm/mlock.c do_mlock(). */
static long do_mlock(struct vms_mm *mm, uint64_t start, uint64_t len, uint64_t flags)
{
	if (!can_do_mlock(mm))
		return -EPERM;
	/* An unaligned start locks from its page; a length that wraps to 0
	 * locks nothing and succeeds. */
	len = PAGE_ALIGN(len + offset_in_page(start));
	start &= PAGE_MASK;
	uint64_t lock_limit = mm->rlim_memlock.cur >> PAGE_SHIFT;
	uint64_t locked = (len >> PAGE_SHIFT) + mm->locked_vm;
	bool cap = (mm->caps & VMS_CAP_IPC_LOCK) != 0;
	if (locked > lock_limit && !cap)
		locked -= count_mm_mlocked_page_nr(mm, start, len);
	if (ev_on(mm->sys) && !cap)
		ev_limit(mm, "do_mlock", VMS_LIMIT_MEMLOCK, locked <= lock_limit,
			 locked - mm->locked_vm, mm->locked_vm, lock_limit);
	if (locked > lock_limit && !cap)
		return -ENOMEM;
	int err = apply_vma_lock_flags(mm, start, len, flags);
	if (err)
		return err;
	err = __mm_populate(mm, start, start + len, false);
	if (err)
		return mlock_posix_error(err);
	return 0;
}

long vms_mlock(vms_mm *mm, uint64_t addr, uint64_t len)
{
	return do_mlock(mm, addr, len, VM_LOCKED);
}

long vms_mlock2(vms_mm *mm, uint64_t addr, uint64_t len, int flags)
{
	/* The flags are checked before anything else, even a zero length. */
	if ((unsigned)flags & ~(unsigned)MLOCK_ONFAULT)
		return -EINVAL;
	uint64_t vm_flags = VM_LOCKED;
	if (flags & MLOCK_ONFAULT)
		vm_flags |= VM_LOCKONFAULT;
	return do_mlock(mm, addr, len, vm_flags);
}

long vms_munlock(vms_mm *mm, uint64_t addr, uint64_t len)
{
	/* No capability or rlimit is needed to unlock. */
	len = PAGE_ALIGN(len + offset_in_page(addr));
	addr &= PAGE_MASK;
	return apply_vma_lock_flags(mm, addr, len, 0);
}

/*
 * mm/mlock.c apply_mlockall_flags(): sets the lock bits for future mappings
 * and applies them to every VMA. Whole VMAs never split, so nothing here can
 * fail; a merge may join a VMA with its neighbour.
 */
static int apply_mlockall_flags(struct vms_mm *mm, int flags)
{
	uint64_t to_add = 0;
	mm->def_flags &= ~VM_LOCKED_MASK;
	if (flags & MCL_FUTURE) {
		mm->def_flags |= VM_LOCKED;
		if (flags & MCL_ONFAULT)
			mm->def_flags |= VM_LOCKONFAULT;
		if (!(flags & MCL_CURRENT))
			return 0;
	}
	if (flags & MCL_CURRENT) {
		to_add |= VM_LOCKED;
		if (flags & MCL_ONFAULT)
			to_add |= VM_LOCKONFAULT;
	}
	struct vma_walk c = {.mm = mm, .start = 0, .end = 0};
	/* Merges only free VMAs; reserve anyway so that vma_modify() always
	 * has what it may take, and skip the walk if even that fails (the
	 * kernel ignores per-VMA errors here too). */
	if (vma_walk_reserve(&c))
		return 0;
	for (struct vms_vma *v = find_vma(mm, 0); v; v = vma_next(mm, v)) {
		uint64_t newflags = (v->flags & ~VM_LOCKED_MASK) | to_add;
		struct vms_vma *r;
		/* Errors are ignored and the walk goes on after this VMA. */
		if (mlock_fixup(&c, v, v->start, v->end, newflags, &r) == 0)
			v = r;
	}
	return 0;
}

long vms_mlockall(vms_mm *mm, int flags)
{
	unsigned f = (unsigned)flags;
	if (!f || (f & ~(unsigned)(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || f == MCL_ONFAULT)
		return -EINVAL;
	if (!can_do_mlock(mm))
		return -EPERM;
	uint64_t lock_limit = mm->rlim_memlock.cur >> PAGE_SHIFT;
	/* The whole address space must fit under RLIMIT_MEMLOCK, whatever is
	 * already locked. */
	if ((f & MCL_CURRENT) && !(mm->caps & VMS_CAP_IPC_LOCK) && ev_on(mm->sys))
		ev_limit(mm, "mlockall", VMS_LIMIT_MEMLOCK, mm->total_vm <= lock_limit, mm->total_vm,
			 0, lock_limit);
	if ((f & MCL_CURRENT) && mm->total_vm > lock_limit && !(mm->caps & VMS_CAP_IPC_LOCK))
		return -ENOMEM;
	int ret = apply_mlockall_flags(mm, flags);
	if (!ret && (f & MCL_CURRENT))
		(void)__mm_populate(mm, 0, mm->task_size, true);
	return ret;
}

long vms_munlockall(vms_mm *mm)
{
	return apply_mlockall_flags(mm, 0);
}
