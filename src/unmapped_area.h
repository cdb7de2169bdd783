/*
 * unmapped_area.h: choosing where a mapping goes (mm/mmap.c
 * __get_unmapped_area, arch/x86/kernel/sys_x86_64.c, mm/vma.c unmapped_area*).
 */
#ifndef VMS_UNMAPPED_AREA_H
#define VMS_UNMAPPED_AREA_H

#include "internal.h"

/* The kernel's effective floor for hints and searches: the larger of the
 * vm.mmap_min_addr sysctl and CONFIG_LSM_MMAP_MIN_ADDR (the setting config.lsm_mmap_min_addr). */
uint64_t effective_mmap_min_addr(const vms_sys *sys);

/* __get_unmapped_area(): an address for [addr, addr+len) or -errno. */
long get_unmapped_area(struct vms_mm *mm, const struct vms_file *file, uint64_t addr,
		       uint64_t len, uint64_t pgoff, unsigned long flags, uint64_t vm_flags);

struct vm_unmapped_area_info {
	bool topdown;
	uint64_t length, low_limit, high_limit, align_mask, align_offset, start_gap;
};
/* vm_unmapped_area(): a search of the gaps, or -ENOMEM. */
long vm_unmapped_area(const struct vms_mm *mm, const struct vm_unmapped_area_info *info);

#endif
