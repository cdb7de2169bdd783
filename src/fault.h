/*
 * fault.h: what a page fault does to the model (mm/memory.c, mm/rmap.c,
 * mm/gup.c populate, mm/mmap.c stack expansion).
 */
#ifndef VMS_FAULT_H
#define VMS_FAULT_H

#include "internal.h"

/* mm/rmap.c anon_vma_prepare(): gives v an anon_vma, reusing a compatible
 * neighbour's (find_mergeable_anon_vma). 0 or -ENOMEM (nothing changed). */
int anon_vma_prepare(struct vms_mm *mm, struct vms_vma *v) __attribute__((warn_unused_result));
/* The end of the part of v that the file backs (pages past EOF SIGBUS). */
uint64_t vma_eof_addr(const struct vms_vma *v);
/* mm/gup.c __mm_populate(): faults in [start, end) as mlock/MAP_POPULATE do;
 * errors are ignored as the callers ignore them. */
void mm_populate(struct vms_mm *mm, uint64_t start, uint64_t end);
/* The same walk; without ignore_errors the first error ends it and is
 * returned (mlock reports it). */
int __mm_populate(struct vms_mm *mm, uint64_t start, uint64_t end, bool ignore_errors);
/* populate_vma_page_range() for one VMA; returns 0 or -errno (MADV_POPULATE). */
int populate_vma_range(struct vms_mm *mm, struct vms_vma *v, uint64_t start, uint64_t end,
		       bool force_write, bool force_read);
/* mm/mmap.c expand_downwards(): grows a VM_GROWSDOWN VMA down to addr. */
int expand_downwards(struct vms_mm *mm, struct vms_vma *v, uint64_t addr);

#endif
