/*
 * file.h: inodes, open files and the reverse map (fs/ and mm/rmap.c's i_mmap).
 */
#ifndef VMS_FILE_H
#define VMS_FILE_H

#include "internal.h"

/* A shared anonymous mapping's backing (mm/shmem.c shmem_zero_setup): a new
 * unlinked shmem inode "/dev/zero" on device 00:01, and an open file on it. */
struct vms_file *file_new_shmem(vms_sys *sys, uint64_t size);
/* MAP_HUGETLB without a file (fs/hugetlbfs hugetlb_file_setup): "anon_hugepage". */
struct vms_file *file_new_hugetlb_anon(vms_sys *sys, uint64_t size);
void file_get(struct vms_file *f);
void file_put(struct vms_file *f);
bool file_is_hugetlb(const struct vms_file *f);
bool file_is_shmem(const struct vms_file *f);
/* Room in the inode's i_mmap for n more VMAs, so linking cannot fail. */
int file_rmap_reserve(struct vms_file *f, unsigned n) __attribute__((warn_unused_result));
/* mm/vma.c vma_link_file / mm/mmap.c unlink_file_vma: keep i_mmap exact. */
void file_rmap_add(struct vms_mm *mm, struct vms_vma *v);
void file_rmap_remove(struct vms_vma *v);
/* After a VMA struct moved (not used: VMAs never move), or its mm changed. */
void file_rmap_set_mm(struct vms_vma *v, struct vms_mm *mm);
/* Frees every inode left in the system table (vms_sys_free). */
void file_sys_release(vms_sys *sys);

#define SHMEM_DEV_MINOR 1
#define HUGETLB_DEV_MINOR 0

#endif
