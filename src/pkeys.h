/*
 * pkeys.h: x86 memory protection keys (arch/x86/include/asm/pkeys.h,
 * arch/x86/mm/pkeys.c): the per-mm allocation map and execute-only key that
 * mmap and mprotect consult. Not here: PKRU, the per-thread rights register
 * (the model assumes the rights the kernel set stay as it set them).
 */
#ifndef VMS_PKEYS_H
#define VMS_PKEYS_H

#include "internal.h"

/* init_new_context(): with OSPKE key 0 is allocated and no execute-only key
 * exists yet; without it mm_alloc()'s zeroes stay (execute-only key 0). */
void pkeys_init(struct vms_mm *mm);
/* mm_pkey_is_allocated(): keys pkey_alloc handed out, and key 0 with OSPKE;
 * never the execute-only key. */
bool mm_pkey_is_allocated(const struct vms_mm *mm, int pkey);
/* execute_only_pkey(): the key for PROT_EXEC-only memory, allocated at
 * first use; 0 without OSPKE, -1 when all keys are taken. */
int execute_only_pkey(struct vms_mm *mm);
/* arch_override_mprotect_pkey(): the key [a part of] v gets from mprotect
 * with prot (pkey -1) or pkey_mprotect with pkey. */
int arch_override_mprotect_pkey(struct vms_mm *mm, const struct vms_vma *v, unsigned long prot,
				int pkey);
/* arch_calc_vm_prot_bits(): the key as VM_PKEY_BIT0..3. */
static inline uint64_t pkey_vm_flags(int pkey)
{
	return ((uint64_t)pkey << VM_PKEY_SHIFT) & VM_PKEY_MASK;
}

#endif
