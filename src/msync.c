/*
 * msync.c: the msync system call (mm/msync.c, 6.18). msync changes nothing
 * the model keeps: since 2.6.19 MS_ASYNC starts no writeback and
 * MS_INVALIDATE drops no pages, and MS_SYNC's fsync of a shared file mapping
 * (vfs_fsync_range) succeeds on disk files, shmem and hugetlbfs, and is
 * EINVAL on secretmem, whose file has no ->fsync. What remains are the
 * errors, in the kernel's order.
 * Not here: dirty pages or I/O errors, which the model does not keep.
 */
#include <errno.h>

#include "file.h"
#include "vma.h"

#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4

long vms_msync(vms_mm *mm, uint64_t start, uint64_t len, int flags)
{
	if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -EINVAL;
	if (offset_in_page(start))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	/* Unlike madvise, a length of -4095..-1 rounds to zero and succeeds;
	 * one that wraps the address space is ENOMEM. */
	len = (len + PAGE_SIZE - 1) & PAGE_MASK;
	uint64_t end = start + len;
	if (end < start)
		return -ENOMEM;
	if (end == start)
		return 0;
	/* The walk skips holes and reports them at the end, except that plain
	 * MS_ASYNC has nothing to do and stops at the first one. */
	long unmapped_error = 0;
	struct vms_vma *v = find_vma(mm, start);
	for (;;) {
		if (!v)
			return -ENOMEM;
		if (start < v->start) {
			if (flags == MS_ASYNC)
				return -ENOMEM;
			start = v->start;
			if (start >= end)
				return -ENOMEM;
			unmapped_error = -ENOMEM;
		}
		/* Invalidating locked pages would break the lock's promise. */
		if ((flags & MS_INVALIDATE) && (v->flags & VM_LOCKED))
			return -EBUSY;
		start = v->end;
		/* vfs_fsync_range() of a file without ->fsync (secretmem_fops)
		 * fails, and that error ends the walk at once. */
		if ((flags & MS_SYNC) && v->file && (v->flags & VM_SHARED) &&
		    (v->file->inode->flags & VMS_INODE_SECRETMEM))
			return -EINVAL;
		if (start >= end)
			return unmapped_error;
		v = vma_next(mm, v);
	}
}
