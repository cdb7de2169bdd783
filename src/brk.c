/*
 * brk.c: the brk system call (mm/mmap.c SYSCALL_DEFINE1(brk), do_brk_flags).
 * brk never reports an errno: it returns the new break, or the old one when
 * anything refuses.
 */
#include <errno.h>

#include "accounting.h"
#include "exec.h"
#include "fault.h"
#include "unmapped_area.h"
#include "vma.h"

#define VM_DATA_DEFAULT_FLAGS (VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)

/* include/linux/mm.h check_data_rlimit(): the heap plus the data segment. */
static bool data_rlimit_exceeded(const struct vms_mm *mm, uint64_t brk)
{
	uint64_t rlim = mm->rlim_data.cur;
	if (rlim >= VMS_RLIM_INFINITY)
		return false;
	return (brk - mm->start_brk) + (mm->end_data - mm->start_data) > rlim;
}

/* do_brk_flags(): extend the heap VMA before addr, or add a new one;
 * extra_flags is what vm_brk_flags() passes (VM_EXEC for an executable bss). */
static int do_brk_flags(struct vms_mm *mm, struct vms_vma *brkvma, uint64_t addr, uint64_t len,
			uint64_t extra_flags)
{
	uint64_t pages = len >> PAGE_SHIFT;
	uint64_t flags = extra_flags | VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT | mm->def_flags;
	if (mm->personality & VMS_READ_IMPLIES_EXEC)
		flags |= VM_EXEC;
	if (!may_expand_vm(mm, flags, pages))
		return -ENOMEM;
	if (mm_map_count(mm) > mm->sys->max_map_count) {
		if (ev_on(mm->sys))
			ev_limit(mm, "do_brk_flags", VMS_LIMIT_MAP_COUNT, 0, 1, mm_map_count(mm),
				 mm->sys->max_map_count);
		return -ENOMEM;
	}
	if (vm_enough_memory(mm, pages))
		return -ENOMEM;
	struct vms_vma *v = NULL;
	if (brkvma && brkvma->end == addr) {
		/* Every member named: a partial initializer zero-fills the
		 * struct first with a slow string store. */
		struct vma_merge vmg = {
			.mm = mm,
			.prev = brkvma,
			.middle = NULL,
			.next = NULL,
			.target = NULL,
			.start = addr,
			.end = addr + len,
			.pgoff = addr >> PAGE_SHIFT,
			.flags = flags,
			.file = NULL,
			.anon_vma = NULL,
			.anon_name = NULL,
			.just_expand = true,
			.placeholder = NULL,
		};
		v = vma_merge_new_range(&vmg);
	}
	if (!v) {
		v = vma_take(mm);
		v->start = addr;
		v->end = addr + len;
		v->pgoff = addr >> PAGE_SHIFT;
		v->flags = flags;
		vma_link(mm, v);
		if (ev_on(mm->sys))
			ev_vma(mm, VMS_EV_VMA_NEW, v, VMS_WHY_BRK, "do_brk_flags");
	}
	mm->total_vm += pages;
	mm->data_vm += pages;
	if (flags & VM_LOCKED)
		mm->locked_vm += pages;
	return 0;
}

long vms_brk(vms_mm *mm, uint64_t brk)
{
	uint64_t origbrk = mm->brk;
	if (brk < mm->start_brk)
		return (long)origbrk;
	if (data_rlimit_exceeded(mm, brk)) {
		if (ev_on(mm->sys))
			ev_limit(mm, "check_data_rlimit", VMS_LIMIT_DATA, 0,
				 (brk - mm->start_brk) >> PAGE_SHIFT,
				 (mm->end_data - mm->start_data) >> PAGE_SHIFT,
				 mm->rlim_data.cur >> PAGE_SHIFT);
		return (long)origbrk;
	}
	uint64_t newbrk = PAGE_ALIGN(brk), oldbrk = PAGE_ALIGN(mm->brk);
	if (oldbrk == newbrk) {
		mm->brk = brk;
		return (long)brk;
	}
	if (mm_reserve_range(mm, NULL, newbrk < oldbrk ? newbrk : oldbrk,
			     newbrk < oldbrk ? oldbrk : newbrk))
		return (long)origbrk;
	if (brk <= mm->brk) {
		/* Shrinking is always allowed, if the heap is really there. */
		struct vms_vma *v = find_vma_intersection(mm, newbrk, oldbrk);
		if (!v)
			return (long)origbrk;
		if (unmap_range(mm, newbrk, oldbrk))
			return (long)origbrk;
		mm->brk = brk;
		return (long)brk;
	}
	/* check_brk_limits(): the range must be mappable at all, and lockable
	 * if every new mapping is locked (mlockall MCL_FUTURE). */
	if (get_unmapped_area(mm, NULL, oldbrk, newbrk - oldbrk, 0, VMS_MAP_FIXED, 0) < 0)
		return (long)origbrk;
	if (!mlock_future_ok(mm, mm->def_flags, newbrk - oldbrk))
		return (long)origbrk;
	/* Keep a page, and a stack's guard gap, between the heap and the next VMA. */
	struct vms_vma *next = find_vma_intersection(mm, oldbrk,
						     newbrk + PAGE_SIZE + mm->sys->stack_guard_gap);
	if (next && newbrk + PAGE_SIZE > vm_start_gap(mm, next))
		return (long)origbrk;
	/* vma_prev_limit(start_brk): the heap VMA, if one ends at the break. */
	struct vms_vma *brkvma = vma_before(mm, oldbrk);
	if (brkvma && brkvma->end <= mm->start_brk)
		brkvma = NULL;
	if (do_brk_flags(mm, brkvma, oldbrk, newbrk - oldbrk, 0))
		return (long)origbrk;
	mm->brk = brk;
	if (mm->def_flags & VM_LOCKED)
		mm_populate(mm, oldbrk, newbrk);
	return (long)brk;
}

int vm_brk_flags(struct vms_mm *mm, uint64_t addr, uint64_t request, uint64_t flags)
{
	uint64_t len = PAGE_ALIGN(request);
	if (len < request)
		return -ENOMEM;
	if (!len)
		return 0;
	/* Only VM_EXEC may be asked for. */
	if (flags & ~VM_EXEC)
		return -EINVAL;
	/* check_brk_limits() */
	long r = get_unmapped_area(mm, NULL, addr, len, 0, VMS_MAP_FIXED, 0);
	if (IS_ERR_VALUE(r))
		return (int)r;
	if (!mlock_future_ok(mm, mm->def_flags, len))
		return -EAGAIN;
	/* do_vmi_munmap(): whatever was there goes first. */
	if (addr > mm->task_size || len > mm->task_size - addr)
		return -EINVAL;
	int err = mm_reserve_range(mm, NULL, addr, addr + len);
	if (err)
		return err;
	err = unmap_range(mm, addr, addr + len);
	if (err)
		return err;
	err = mm_reserve(mm, NULL);
	if (err)
		return err;
	err = do_brk_flags(mm, vma_before(mm, addr), addr, len, flags);
	if (!err && (mm->def_flags & VM_LOCKED))
		mm_populate(mm, addr, addr + len);
	return err;
}
