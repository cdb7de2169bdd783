/*
 * accounting.c: whether an address space may grow, and what it is charged.
 * The commit counter is exact here; the kernel's is a per-CPU counter read
 * approximately, so results near the OVERCOMMIT_NEVER limit can differ from a
 * live kernel by its batch size.
 */
#include <errno.h>

#include "accounting.h"
#include "file.h"

uint64_t vm_commit_limit(const vms_sys *sys)
{
	uint64_t allowed;
	if (sys->overcommit_kbytes) {
		allowed = sys->overcommit_kbytes >> (PAGE_SHIFT - 10);
	} else {
		uint64_t huge = 0;
		for (int i = 0; i < 2; i++)
			huge += sys->huge[i].total * (sys->huge[i].page_size >> PAGE_SHIFT);
		uint64_t ram = sys->totalram_pages > huge ? sys->totalram_pages - huge : 0;
		allowed = ram * sys->overcommit_ratio / 100;
	}
	return allowed + sys->total_swap_pages;
}

/* What OVERCOMMIT_NEVER lets the system commit in all (pages). */
static inline int64_t commit_allowed(const struct vms_mm *mm)
{
	const vms_sys *sys = mm->sys;
	int64_t allowed = (int64_t)vm_commit_limit(sys);
	/* Reserve some for root (security/commoncap.c: cap_vm_enough_memory). */
	if (!(mm->caps & VMS_CAP_SYS_ADMIN))
		allowed -= (int64_t)(sys->admin_reserve_kbytes >> (PAGE_SHIFT - 10));
	/* Don't let a single process grow so big a user can't recover. */
	int64_t reserve = (int64_t)(sys->user_reserve_kbytes >> (PAGE_SHIFT - 10));
	int64_t share = (int64_t)(mm->total_vm / 32);
	allowed -= share < reserve ? share : reserve;
	return allowed;
}

static inline __attribute__((always_inline)) int vm_enough_memory_(struct vms_mm *mm, uint64_t pages)
{
	vms_sys *sys = mm->sys;
	sys->committed_pages += pages;
	if (sys->overcommit_memory == 1) /* OVERCOMMIT_ALWAYS */
		return 0;
	if (sys->overcommit_memory == 0) { /* OVERCOMMIT_GUESS */
		if (pages > sys->totalram_pages + sys->total_swap_pages)
			goto fail;
		return 0;
	}
	if ((int64_t)sys->committed_pages < commit_allowed(mm))
		return 0;
fail:
	sys->committed_pages -= pages;
	return -ENOMEM;
}

/* The check with its numbers for an observer: the policy, the pages asked,
 * what was committed before and what the policy allows. */
static ev_cold int vm_enough_memory_observed(struct vms_mm *mm, uint64_t pages)
{
	vms_sys *sys = mm->sys;
	uint64_t before = sys->committed_pages;
	int64_t allowed = sys->overcommit_memory == 0   ? (int64_t)(sys->totalram_pages +
									sys->total_swap_pages)
			  : sys->overcommit_memory == 2 ? commit_allowed(mm)
							: 0;
	int err = vm_enough_memory_(mm, pages);
	ev_limit(mm, "__vm_enough_memory", VMS_LIMIT_COMMIT, err == 0, pages, before,
		 allowed > 0 ? (uint64_t)allowed : 0);
	return err;
}

int vm_enough_memory(struct vms_mm *mm, uint64_t pages)
{
	if (ev_on(mm->sys))
		return vm_enough_memory_observed(mm, pages);
	return vm_enough_memory_(mm, pages);
}

void vm_unacct_memory(vms_sys *sys, uint64_t pages)
{
	sys->committed_pages -= pages;
}

bool is_exec_mapping(uint64_t flags)
{
	return (flags & (VM_EXEC | VM_WRITE | VM_STACK)) == VM_EXEC;
}

bool is_stack_mapping(uint64_t flags)
{
	return (flags & VM_STACK) == VM_STACK;
}

bool is_data_mapping(uint64_t flags)
{
	return (flags & (VM_WRITE | VM_SHARED | VM_STACK)) == VM_WRITE;
}

static inline __attribute__((always_inline)) bool may_expand_vm_(const struct vms_mm *mm, uint64_t vm_flags, uint64_t npages)
{
	if (mm->total_vm + npages > mm->rlim_as.cur >> PAGE_SHIFT)
		return false;
	if (is_data_mapping(vm_flags) && mm->data_vm + npages > mm->rlim_data.cur >> PAGE_SHIFT) {
		/* The kernel's workaround for Valgrind: a zero soft limit falls
		 * back to the hard one. */
		if (mm->rlim_data.cur == 0 && mm->data_vm + npages <= mm->rlim_data.max >> PAGE_SHIFT)
			return true;
		return false;
	}
	return true;
}

/* The limits may_expand_vm() compared, for an observer. */
static ev_cold void ev_may_expand(const struct vms_mm *mm, uint64_t vm_flags, uint64_t npages,
				  bool ok)
{
	bool as_ok = mm->total_vm + npages <= mm->rlim_as.cur >> PAGE_SHIFT;
	ev_limit(mm, "may_expand_vm", VMS_LIMIT_AS, as_ok, npages, mm->total_vm,
		 mm->rlim_as.cur >> PAGE_SHIFT);
	if (as_ok && is_data_mapping(vm_flags))
		ev_limit(mm, "may_expand_vm", VMS_LIMIT_DATA, ok, npages, mm->data_vm,
			 (mm->rlim_data.cur ? mm->rlim_data.cur : mm->rlim_data.max) >> PAGE_SHIFT);
}

bool may_expand_vm(const struct vms_mm *mm, uint64_t vm_flags, uint64_t npages)
{
	bool ok = may_expand_vm_(mm, vm_flags, npages);
	if (ev_on(mm->sys))
		ev_may_expand(mm, vm_flags, npages, ok);
	return ok;
}

void vm_stat_account(struct vms_mm *mm, uint64_t vm_flags, int64_t npages)
{
	mm->total_vm += (uint64_t)npages;
	if (is_exec_mapping(vm_flags))
		mm->exec_vm += (uint64_t)npages;
	else if (is_stack_mapping(vm_flags))
		mm->stack_vm += (uint64_t)npages;
	else if (is_data_mapping(vm_flags))
		mm->data_vm += (uint64_t)npages;
}

bool can_do_mlock(const struct vms_mm *mm)
{
	bool ok = mm->rlim_memlock.cur != 0 || (mm->caps & VMS_CAP_IPC_LOCK);
	if (ev_on(mm->sys) && !ok)
		ev_limit(mm, "can_do_mlock", VMS_LIMIT_MLOCK_CAP, 0, 0, 0, 0);
	return ok;
}

bool mlock_future_ok(const struct vms_mm *mm, uint64_t vm_flags, uint64_t bytes)
{
	if (!(vm_flags & VM_LOCKED) || (mm->caps & VMS_CAP_IPC_LOCK))
		return true;
	uint64_t locked = (bytes >> PAGE_SHIFT) + mm->locked_vm;
	bool ok = locked <= mm->rlim_memlock.cur >> PAGE_SHIFT;
	if (ev_on(mm->sys))
		ev_limit(mm, "mlock_future_ok", VMS_LIMIT_MEMLOCK, ok, bytes >> PAGE_SHIFT,
			 mm->locked_vm, mm->rlim_memlock.cur >> PAGE_SHIFT);
	return ok;
}

bool accountable_mapping(const struct vms_file *file, uint64_t vm_flags)
{
	/* hugetlb has its own reservation, not the commit counter. */
	if (file && file_is_hugetlb(file))
		return false;
	return (vm_flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE;
}

void update_hiwater_vm(struct vms_mm *mm)
{
	if (mm->total_vm > mm->hiwater_vm)
		mm->hiwater_vm = mm->total_vm;
}

uint64_t mm_rss(const struct vms_mm *mm)
{
	return mm->rss_anon + mm->rss_file + mm->rss_shmem;
}

void update_hiwater_rss(struct vms_mm *mm)
{
	uint64_t rss = mm_rss(mm);
	if (rss > mm->hiwater_rss)
		mm->hiwater_rss = rss;
}

uint64_t vms_sys_committed_pages(const vms_sys *sys)
{
	return sys->committed_pages;
}

uint64_t vms_sys_commit_limit_pages(const vms_sys *sys)
{
	return vm_commit_limit(sys);
}
