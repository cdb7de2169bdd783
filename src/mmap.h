/*
 * mmap.h: the part of mmap.c that other system calls map through: shmat maps
 * a segment's attach file with do_mmap(), as ipc/shm.c does.
 */
#ifndef VMS_MMAP_H
#define VMS_MMAP_H

#include "internal.h"

/* mm/mmap.c do_mmap(): every check of mmap(2) after sys_mmap's, then
 * mmap_region(); vm_flags_in are flags the caller adds (a shadow stack's).
 * *populate gets the length the caller faults in (mm_populate), 0 for none.
 * Returns the address or -errno. */
long do_mmap(struct vms_mm *mm, struct vms_file *file, uint64_t addr, uint64_t len,
	     unsigned long prot, unsigned long flags, uint64_t vm_flags_in, uint64_t pgoff,
	     uint64_t *populate);

/* mm/hugetlb.c size_to_hstate(): the pool of that huge page size, or NULL
 * when the kernel has no such size. */
struct hugetlb_pool *hugetlb_pool_of(vms_sys *sys, uint64_t page_size);

#endif
