/*
 * prctl.h: the per-process switches prctl(2) sets that memory rules ask
 * about (kernel/sys.c; include/linux/mm_types.h MMF_* flags): THP disabled
 * for the process, memory-deny-write-execute. Not here: the rules
 * themselves (fault.c, madvise.c for THP; mmap.c, mprotect.c for MDWE).
 */
#ifndef VMS_PRCTL_H
#define VMS_PRCTL_H

#include "internal.h"

#define MMF_DISABLE_THP_COMPLETELY (1u << 0)
#define MMF_DISABLE_THP_EXCEPT_ADVISED (1u << 1)
#define MMF_HAS_MDWE (1u << 2)
#define MMF_HAS_MDWE_NO_INHERIT (1u << 3)

/* kernel/fork.c mmf_init_flags(): what a child's (and exec's new) mm takes
 * from its parent's: THP disabled and MDWE, but not MDWE with NO_INHERIT. */
static inline uint32_t mmf_init_flags(uint32_t flags)
{
	if (flags & MMF_HAS_MDWE_NO_INHERIT)
		flags &= ~(MMF_HAS_MDWE | MMF_HAS_MDWE_NO_INHERIT);
	return flags;
}

/* include/linux/mm.h VM_INIT_DEF_MASK: what of def_flags a new mm keeps
 * (kernel/fork.c mm_init, for a fork child and exec's new mm alike), so
 * mlockall(MCL_FUTURE) is not inherited. */
#define VM_INIT_DEF_MASK VM_NOHUGEPAGE

/* include/linux/huge_mm.h vma_thp_disabled(): VM_NOHUGEPAGE, the process
 * disabling THP completely, or except where MADV_HUGEPAGE (or a forced
 * collapse, MADV_COLLAPSE) asked for them. */
static inline bool vma_thp_disabled(const struct vms_mm *mm, uint64_t vm_flags,
				    bool forced_collapse)
{
	if (vm_flags & VM_NOHUGEPAGE)
		return true;
	if (mm->mmf & MMF_DISABLE_THP_COMPLETELY)
		return true;
	if ((vm_flags & VM_HUGEPAGE) || forced_collapse)
		return false;
	return (mm->mmf & MMF_DISABLE_THP_EXCEPT_ADVISED) != 0;
}

/* include/linux/mman.h map_deny_write_exec(): under MDWE no mapping may
 * become writable and executable, nor executable when it was not. */
static inline bool map_deny_write_exec(const struct vms_mm *mm, uint64_t old, uint64_t new)
{
	if (!(mm->mmf & MMF_HAS_MDWE) || !(new &VM_EXEC))
		return false;
	return (new &VM_WRITE) || !(old & VM_EXEC);
}

#endif
