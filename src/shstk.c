/*
 * shstk.c: map_shadow_stack(2) (arch/x86/kernel/shstk.c, 6.18): a private
 * anonymous mapping above 4 GiB with VM_SHADOW_STACK, optionally with a
 * restore token written at its top. Without the syscall built in it is
 * ENOSYS, without the CPU feature EOPNOTSUPP (config.x86_user_shadow_stack,
 * cpu.user_shstk).
 *
 * Not here: enabling shadow stacks for a thread (arch_prctl), the one-page
 * start gap a new shadow stack keeps from the mapping below it when the
 * search places it (stack_guard_placement; the gap below an existing one is
 * kept, vm_start_gap), or MAP_ABOVE4G's placement (unmapped_area.c's).
 */
#include <errno.h>

#include "fault.h"
#include "vma.h"

#define MAP_ABOVE4G 0x80
#define SZ_4G (1ULL << 32)
#define SS_FRAME_SIZE 8

long vms_map_shadow_stack(vms_mm *mm, uint64_t addr, uint64_t size, uint64_t flags_in)
{
	if (!mm->sys->user_shstk_built)
		return -ENOSYS;
	if (!mm->sys->user_shstk)
		return -EOPNOTSUPP;
	unsigned flags = (unsigned)flags_in;
	bool set_tok = flags & VMS_SHADOW_STACK_SET_TOKEN;
	if (flags & ~(unsigned)VMS_SHADOW_STACK_SET_TOKEN)
		return -EINVAL;
	/* Room for the token. */
	if (set_tok && size < SS_FRAME_SIZE)
		return -ENOSPC;
	if (addr && (addr & (PAGE_SIZE - 1)))
		return -EINVAL;
	if (addr && addr < SZ_4G)
		return -ERANGE;
	uint64_t aligned = PAGE_ALIGN(size);
	if (aligned < size)
		return -EOVERFLOW;
	/* alloc_shstk(): PROT_READ with VM_WRITE added, never replacing. */
	unsigned long mflags = VMS_MAP_ANONYMOUS | VMS_MAP_PRIVATE | MAP_ABOVE4G;
	if (addr)
		mflags |= VMS_MAP_FIXED_NOREPLACE;
	long mapped = do_mmap_flags(mm, NULL, addr, aligned, VMS_PROT_READ, mflags,
				    VM_SHADOW_STACK | VM_WRITE, 0);
	if (!set_tok || IS_ERR_VALUE(mapped))
		return mapped;
	/* create_rstor_token(): the token sits just below addr + size, which
	 * must be 8-byte aligned; writing it faults the page in (WRUSS). */
	uint64_t ssp = (uint64_t)mapped + size;
	if (ssp & (SS_FRAME_SIZE - 1)) {
		(void)vms_munmap(mm, (uint64_t)mapped, aligned);
		return -EINVAL;
	}
	struct vms_vma *v = find_vma(mm, ssp - SS_FRAME_SIZE);
	if (v && populate_vma_range(mm, v, (ssp - SS_FRAME_SIZE) & PAGE_MASK,
				    ((ssp - SS_FRAME_SIZE) & PAGE_MASK) + PAGE_SIZE, true, false)) {
		(void)vms_munmap(mm, (uint64_t)mapped, aligned);
		return -EINVAL;
	}
	return mapped;
}
