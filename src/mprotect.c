/*
 * mprotect.c: the mprotect and pkey_mprotect system calls (mm/mprotect.c
 * do_mprotect_pkey, mprotect_fixup). Checks run in the kernel's order so the
 * errno matches when several things are wrong at once, and a failure part-way
 * through a range leaves the VMAs before it changed, as the kernel does.
 * Not here: page-table contents (the PTE bits are derived from vm_flags by
 * vma_page_prot()) or the merge/split machinery itself (vma.c).
 */
#include <errno.h>

#include "accounting.h"
#include "fault.h"
#include "pkeys.h"
#include "prctl.h"
#include "vma.h"

/* x86 has no VM_GROWSUP: PROT_GROWSUP can never match a VMA. */
#define VM_GROWSUP VM_NONE

/* calc_vm_prot_bits() without a protection key: PROT_* to VM_* access bits. */
static uint64_t prot_to_vm_flags(unsigned long prot)
{
	return (prot & VMS_PROT_READ ? VM_READ : 0) | (prot & VMS_PROT_WRITE ? VM_WRITE : 0) |
	       (prot & VMS_PROT_EXEC ? VM_EXEC : 0);
}

/*
 * mm/mprotect.c mprotect_fixup(): gives [start, end) of v the flags newflags.
 * *out is the VMA that covers [start, end) afterwards (it may reach further
 * after a merge); the caller continues from its end.
 */
static int mprotect_fixup(struct vma_walk *c, struct vms_vma *v, uint64_t start, uint64_t end,
			  uint64_t newflags, struct vms_vma **out)
{
	struct vms_mm *mm = c->mm;
	uint64_t oldflags = v->flags;
	uint64_t nrpages = (end - start) >> PAGE_SHIFT;
	uint64_t charged = 0;
	*out = v;
	/* can_modify_vma(): a sealed VMA refuses even a change to what it has. */
	if (oldflags & VM_SEALED)
		return -EPERM;
	if (newflags == oldflags)
		return 0;
	int err = vma_walk_reserve(c);
	if (err)
		return err;
	if (newflags & VM_WRITE) {
		/* The range turns into data: RLIMIT_DATA may refuse it, but only
		 * when the old flags would not have been refused as well. */
		if (!may_expand_vm(mm, newflags, nrpages) && may_expand_vm(mm, oldflags, nrpages))
			return -ENOMEM;
		/* A private mapping becoming writable is charged now; hugetlb,
		 * shared and NORESERVE memory is never charged here. */
		if (!(oldflags & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB | VM_SHARED | VM_NORESERVE))) {
			charged = nrpages;
			if (vm_enough_memory(mm, charged))
				return -ENOMEM;
			newflags |= VM_ACCOUNT;
		}
	} else if ((oldflags & VM_ACCOUNT) && vma_is_anonymous(v) && !v->anon_vma) {
		/* Untouched anonymous memory made read-only gives its charge
		 * back; once an anon_vma exists the charge stays. */
		newflags &= ~VM_ACCOUNT;
	}
	/* Every member named: a partial initializer zero-fills the struct
	 * first with a slow string store. */
	struct vma_merge vmg = {
		.mm = mm,
		.prev = NULL,
		.middle = v,
		.next = NULL,
		.target = NULL,
		.start = start,
		.end = end,
		.pgoff = v->pgoff + ((start - v->start) >> PAGE_SHIFT),
		.flags = newflags,
		.file = v->file,
		.anon_vma = v->anon_vma,
		.anon_name = v->anon_name,
		.mpol = v->mpol,
		.uffd = v->uffd,
		.just_expand = false,
		.placeholder = NULL,
	};
	struct vms_vma *r = vma_modify(&vmg, &err);
	if (!r) {
		vm_unacct_memory(mm->sys, charged);
		return err;
	}
	*out = r;
	r->flags = vma_modified_flags(r, newflags);
	if ((oldflags & VM_ACCOUNT) && !(newflags & VM_ACCOUNT))
		vm_unacct_memory(mm->sys, nrpages);
	/* A locked private VMA becoming writable breaks COW now so that the
	 * locked pages stay resident; populate_vma_page_range() leaves
	 * lock-on-fault VMAs alone. Errors are ignored, as the kernel does. */
	if ((oldflags & (VM_WRITE | VM_SHARED | VM_LOCKED)) == VM_LOCKED && (newflags & VM_WRITE) &&
	    !(newflags & VM_LOCKONFAULT)) {
		(void)populate_vma_range(mm, r, start, end, false, false);
	}
	vm_stat_account(mm, oldflags, -(int64_t)nrpages);
	vm_stat_account(mm, newflags, (int64_t)nrpages);
	return 0;
}

/* mm/mprotect.c do_mprotect_pkey(). */
static long do_mprotect_pkey(struct vms_mm *mm, uint64_t start, uint64_t len, unsigned long prot,
			     int pkey)
{
	const unsigned long grows = prot & (VMS_PROT_GROWSDOWN | VMS_PROT_GROWSUP);
	/* READ_IMPLIES_EXEC looks at the prot the caller passed. */
	const bool rier = (mm->personality & VMS_READ_IMPLIES_EXEC) && (prot & VMS_PROT_READ);
	prot &= ~(unsigned long)(VMS_PROT_GROWSDOWN | VMS_PROT_GROWSUP);
	if (grows == (VMS_PROT_GROWSDOWN | VMS_PROT_GROWSUP))
		return -EINVAL;
	if (offset_in_page(start))
		return -EINVAL;
	/* A zero length succeeds before prot is even looked at. */
	if (!len)
		return 0;
	len = PAGE_ALIGN(len);
	uint64_t end = start + len;
	if (end <= start)
		return -ENOMEM;
	/* arch_validate_prot() (generic): PROT_SEM is accepted and ignored. */
	if (prot & ~(unsigned long)(VMS_PROT_READ | VMS_PROT_WRITE | VMS_PROT_EXEC | VMS_PROT_SEM))
		return -EINVAL;
	/* Checked before the lookup: an unallocated key fails on any range. */
	if (pkey != -1 && !mm_pkey_is_allocated(mm, pkey))
		return -EINVAL;
	struct vms_vma *v = find_vma_intersection(mm, start, end);
	if (!v)
		return -ENOMEM;
	if (grows & VMS_PROT_GROWSDOWN) {
		/* The change reaches down to the stack VMA's start, even when
		 * start lies in the hole below it. */
		start = v->start;
		if (!(v->flags & VM_GROWSDOWN))
			return -EINVAL;
	} else {
		if (v->start > start)
			return -ENOMEM;
		if (grows & VMS_PROT_GROWSUP) {
			end = v->end;
			if (!(v->flags & VM_GROWSUP))
				return -EINVAL;
		}
	}
	struct vma_walk c = {.mm = mm, .start = start, .end = end};
	uint64_t nstart = start, tmp = v->start;
	int error = 0;
	while (v && v->start < end) {
		/* A hole: the VMAs before it keep their new protection. */
		if (v->start != tmp) {
			error = -ENOMEM;
			break;
		}
		unsigned long p = prot;
		if (rier && (v->flags & VM_MAYEXEC))
			p |= VMS_PROT_EXEC;
		/* Each call passes all of r/w/x: what is not asked for is
		 * cleared, and the protection key is chosen anew. */
		int new_vma_pkey = arch_override_mprotect_pkey(mm, v, p, pkey);
		uint64_t newflags = prot_to_vm_flags(p) | pkey_vm_flags(new_vma_pkey) |
				    (v->flags & ~(VM_ACCESS_FLAGS | VM_PKEY_MASK));
		/* VM_MAY* sit 4 bits above VM_*: each asked-for bit needs its MAY. */
		if (newflags & ~(newflags >> 4) & VM_ACCESS_FLAGS) {
			error = -EACCES;
			break;
		}
		if (map_deny_write_exec(mm, v->flags, newflags)) {
			error = -EACCES;
			break;
		}
		tmp = min_u64(v->end, end);
		struct vms_vma *r;
		error = mprotect_fixup(&c, v, nstart, tmp, newflags, &r);
		if (error)
			break;
		tmp = r->end;
		nstart = tmp;
		/* for_each_vma_range() stops at the range's end without looking
		 * at the next VMA (a cache miss when there are many). */
		if (tmp >= end)
			break;
		v = vma_next(mm, r);
	}
	/* The range runs past the last VMA. */
	if (!error && tmp < end)
		error = -ENOMEM;
	return error;
}

long vms_mprotect(vms_mm *mm, uint64_t addr, uint64_t len, unsigned long prot)
{
	return do_mprotect_pkey(mm, addr, len, prot, -1);
}

long vms_pkey_mprotect(vms_mm *mm, uint64_t addr, uint64_t len, unsigned long prot, int pkey)
{
	return do_mprotect_pkey(mm, addr, len, prot, pkey);
}
