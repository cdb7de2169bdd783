/*
 * pkeys.c: the pkey_alloc and pkey_free system calls and the key choices
 * mmap and mprotect make (arch/x86/include/asm/pkeys.h, arch/x86/mm/pkeys.c,
 * mm/mprotect.c pkey_alloc/pkey_free).
 *
 * Live, without OSPKE (cpu.pku 0): the mm has one key and allocates key 0
 * on the first pkey_alloc, whose PKRU update then fails (EINVAL); freeing
 * key 0 is refused, so the key stays taken and every later pkey_alloc is
 * ENOSPC, in fork children too (dup_mm copies the map). Key 0 is never
 * usable there: the zeroed execute-only key is 0, and the execute-only key
 * does not count as allocated.
 *
 * Not here: PKRU itself (pkeys.h).
 */
#include <errno.h>

#include "pkeys.h"

#define PKEY_ACCESS_MASK (VMS_PKEY_DISABLE_ACCESS | VMS_PKEY_DISABLE_WRITE)

/* arch_max_pkey(): 16 keys with OSPKE, else one. */
static int arch_max_pkey(const struct vms_mm *mm)
{
	return mm->sys->pku ? 16 : 1;
}

void pkeys_init(struct vms_mm *mm)
{
	mm->pkey_allocation_map = mm->sys->pku ? 1 : 0;
	mm->execute_only_pkey = mm->sys->pku ? -1 : 0;
}

bool mm_pkey_is_allocated(const struct vms_mm *mm, int pkey)
{
	if (pkey < 0 || pkey >= arch_max_pkey(mm))
		return false;
	if (pkey == mm->execute_only_pkey)
		return false;
	return (mm->pkey_allocation_map >> pkey) & 1;
}

/* mm_pkey_alloc(): the lowest free key, or -1. */
static int mm_pkey_alloc(struct vms_mm *mm)
{
	uint16_t all = (uint16_t)((1u << arch_max_pkey(mm)) - 1);
	if (mm->pkey_allocation_map == all)
		return -1;
	int key = __builtin_ctz(~(unsigned)mm->pkey_allocation_map);
	mm->pkey_allocation_map |= (uint16_t)(1u << key);
	return key;
}

/* mm_pkey_free(): key 0 never goes back. */
static int mm_pkey_free(struct vms_mm *mm, int pkey)
{
	if (!pkey || !mm_pkey_is_allocated(mm, pkey))
		return -EINVAL;
	mm->pkey_allocation_map &= (uint16_t) ~(1u << pkey);
	return 0;
}

int execute_only_pkey(struct vms_mm *mm)
{
	if (!mm->sys->pku)
		return 0;
	/* __execute_only_pkey(): allocated once, then reused; setting PKRU
	 * cannot fail with OSPKE. */
	if (mm->execute_only_pkey == -1) {
		int key = mm_pkey_alloc(mm);
		if (key < 0)
			return -1;
		mm->execute_only_pkey = (int8_t)key;
	}
	return mm->execute_only_pkey;
}

int arch_override_mprotect_pkey(struct vms_mm *mm, const struct vms_vma *v, unsigned long prot,
				int pkey)
{
	if (!mm->sys->pku)
		return 0;
	/* __arch_override_mprotect_pkey(): pkey_mprotect's key is the user's. */
	if (pkey != -1)
		return pkey;
	int vma_pkey = (int)((v->flags & VM_PKEY_MASK) >> VM_PKEY_SHIFT);
	if (prot == VMS_PROT_EXEC) {
		int key = execute_only_pkey(mm);
		if (key > 0)
			return key;
	} else if ((v->flags & VM_ACCESS_FLAGS) == VM_EXEC && vma_pkey == mm->execute_only_pkey) {
		/* An execute-only mapping becoming readable goes back to key 0. */
		return 0;
	}
	return vma_pkey;
}

long vms_pkey_alloc(vms_mm *mm, uint64_t flags, uint64_t init_val)
{
	/* mm/mprotect.c pkey_alloc(): no flags are defined yet. */
	if (flags)
		return -EINVAL;
	if (init_val & ~(uint64_t)PKEY_ACCESS_MASK)
		return -EINVAL;
	int pkey = mm_pkey_alloc(mm);
	if (pkey == -1)
		return -ENOSPC;
	/* arch_set_user_pkey_access() fails without OSPKE; the key is then
	 * freed again, which key 0 never is (mm_pkey_free). */
	if (!mm->sys->pku) {
		(void)mm_pkey_free(mm, pkey);
		return -EINVAL;
	}
	return pkey;
}

long vms_pkey_free(vms_mm *mm, int pkey)
{
	return mm_pkey_free(mm, pkey);
}
