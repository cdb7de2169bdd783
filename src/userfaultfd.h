/*
 * userfaultfd.h: userfaultfd contexts and the hooks other system calls call
 * (fs/userfaultfd.c, mm/userfaultfd.c, include/linux/userfaultfd_k.h).
 */
#ifndef VMS_USERFAULTFD_H
#define VMS_USERFAULTFD_H

#include "internal.h"

/* include/uapi/linux/userfaultfd.h features the model looks at. */
#define UFFD_FEATURE_EVENT_FORK (1u << 1)
#define UFFD_FEATURE_EVENT_REMAP (1u << 2)
#define UFFD_FEATURE_WP_HUGETLBFS_SHMEM (1u << 12)
#define UFFD_FEATURE_WP_UNPOPULATED (1u << 13)
#define UFFD_FEATURE_WP_ASYNC (1u << 15)

/* struct userfaultfd_ctx: one userfaultfd(2) file's context. */
struct vms_uffd {
	vms_sys *sys;
	struct vms_mm *mm;   /* ctx->mm; NULL once that address space is gone */
	uint64_t task_size;  /* ctx->mm->task_size (validate_range reads it even then) */
	uint8_t id;          /* the number VMAs registered to it carry (vms_vma.uffd) */
	unsigned flags;      /* userfaultfd(2) flags */
	uint32_t features;   /* the features UFFDIO_API enabled */
	bool initialized;    /* UFFDIO_API done (UFFD_FEATURE_INITIALIZED) */
	bool open;           /* a file descriptor refers to it (the caller's handle) */
	struct vms_uffd *next; /* sys->uffds */
};

/* The context numbered id of mm, or NULL. */
struct vms_uffd *uffd_ctx(const struct vms_mm *mm, uint8_t id);

/* kernel/fork.c dup_mmap() with fs/userfaultfd.c dup_userfaultfd(): makes the
 * child's context for every context of the parent that asked for
 * UFFD_EVENT_FORK and has a VMA the child copies. 0 or -ENOMEM (the contexts
 * made so far go with the child's mm). */
int uffd_fork_contexts(struct vms_mm *parent, struct vms_mm *child);
/* dup_userfaultfd() on one child VMA: keeps the registration when the child
 * has a context of that number, else userfaultfd_reset_ctx(). */
void uffd_dup_vma(struct vms_mm *child, struct vms_vma *v);
/* mremap_userfaultfd_prep(): a moved VMA of a context without
 * UFFD_EVENT_REMAP loses its registration (userfaultfd_reset_ctx). */
void uffd_mremap_prep(struct vms_mm *mm, struct vms_vma *v);
/* The address space is going (exit or exec's old mm): its contexts stay
 * for their files but no longer reach it (mmget_not_zero fails). */
void uffd_mm_exit(struct vms_mm *mm);
/* vms_sys_free(): every context left. */
void uffd_sys_release(vms_sys *sys);

#endif
