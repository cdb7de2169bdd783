/*
 * file.h: inodes, open files and the reverse map (fs/ and mm/rmap.c's i_mmap).
 */
#ifndef VMS_FILE_H
#define VMS_FILE_H

#include "internal.h"

/* A new unlinked inode of one of the kernel's internal mounts (shmem,
 * hugetlbfs, secretmem: dev is the setting dev.*), numbered by the system's
 * get_next_ino() counter, and a read-write file on it; NULL on no memory. */
struct vms_file *file_new_internal(vms_sys *sys, const char *path, uint64_t dev, uint64_t size,
				   uint32_t flags);
/* A shared anonymous mapping's backing (mm/shmem.c shmem_zero_setup): a new
 * unlinked shmem inode "/dev/zero" on the shmem mount, and an open file on it. */
struct vms_file *file_new_shmem(vms_sys *sys, uint64_t size);
/* MAP_HUGETLB without a file (fs/hugetlbfs hugetlb_file_setup): "anon_hugepage"
 * with huge pages of hpage_size. */
struct vms_file *file_new_hugetlb_anon(vms_sys *sys, uint64_t size, uint64_t hpage_size);
/* The device of the hugetlbfs mount for a huge page size (dev.hugetlb.*). */
uint64_t hugetlb_dev_of(const vms_sys *sys, uint64_t hpage_size);
void file_get(struct vms_file *f);
void file_put(struct vms_file *f);
/* get_file()/fput() of a System V attach file as such, not an attach: no
 * shm_open()/shm_close(), so the segment may go while the file is held
 * (remap_file_pages). For other files the same as file_get/file_put. */
void file_get_ref(struct vms_file *f);
void file_put_ref(struct vms_file *f);
bool file_is_hugetlb(const struct vms_file *f);
/* The file lives on tmpfs (shmem): VMAs of it are vma_is_shmem(). */
bool file_is_shmem(const struct vms_file *f);
/* The largest size the inode's file system takes (sb->s_maxbytes): what
 * ftruncate, fallocate and MADV_REMOVE check against (memfd.c). */
uint64_t inode_maxbytes(const struct vms_inode *ino);
/* Room in the inode's i_mmap for n more VMAs, so linking cannot fail. */
int file_rmap_reserve(struct vms_file *f, unsigned n) __attribute__((warn_unused_result));
/* mm/vma.c vma_link_file / mm/mmap.c unlink_file_vma: keep i_mmap exact. */
void file_rmap_add(struct vms_mm *mm, struct vms_vma *v);
void file_rmap_remove(struct vms_vma *v);
/* After a VMA struct moved (not used: VMAs never move), or its mm changed. */
void file_rmap_set_mm(struct vms_vma *v, struct vms_mm *mm);
/* Frees every inode left in the system table (vms_sys_free). */
void file_sys_release(vms_sys *sys);

/* include/linux/kdev_t.h MKDEV()/MAJOR()/MINOR(): how the dev.* settings
 * hold a device. */
#define DEV_MAJOR(dev) ((uint32_t)((dev) >> 20))
#define DEV_MINOR(dev) ((uint32_t)((dev) & 0xfffff))

#endif
