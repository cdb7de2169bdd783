/*
 * memfd.c: the files a program gets without a path: memfd_create(2) on the
 * kernel's internal shmem or hugetlbfs mount, memfd_secret(2) on secretmem's
 * (mm/memfd.c, mm/secretmem.c); ftruncate(2), which sets any file's size
 * within its filesystem's rules (fs/open.c do_ftruncate, mm/shmem.c
 * shmem_setattr, fs/hugetlbfs hugetlbfs_setattr, secretmem_setattr) and
 * takes the pages past a shrunk end out of every mapping; and the seals of
 * fcntl(F_ADD_SEALS, F_GET_SEALS); fallocate(2) (fs/open.c vfs_fallocate,
 * shmem_fallocate, hugetlbfs_fallocate), which grows a file or punches a
 * hole in it. What the seals do to mmap is in mmap.c.
 * Not here: file contents, RLIMIT_FSIZE, the pinned-page wait of F_SEAL_WRITE,
 * which shmem pages are allocated (tmpfs's space is not counted), and disk
 * filesystems' collapse, insert, unshare and write-zeroes ranges.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "file.h"
#include "mmap.h"
#include "rss.h"

#define MFD_ALL_FLAGS                                                                    \
	(VMS_MFD_CLOEXEC | VMS_MFD_ALLOW_SEALING | VMS_MFD_HUGETLB | VMS_MFD_NOEXEC_SEAL | \
	 VMS_MFD_EXEC)
#define MFD_HUGE_MASK 0x3fu
#define NAME_MAX 255
#define MFD_NAME_MAX_LEN (NAME_MAX - 6) /* "memfd:" */
#define F_ALL_SEALS                                                                      \
	(VMS_F_SEAL_SEAL | VMS_F_SEAL_EXEC | VMS_F_SEAL_SHRINK | VMS_F_SEAL_GROW |          \
	 VMS_F_SEAL_WRITE | VMS_F_SEAL_FUTURE_WRITE)
#define O_CLOEXEC_ 02000000u
#define MAX_LFS_FILESIZE ((uint64_t)INT64_MAX)

/* mm/memfd.c check_sysctl_memfd_noexec(): vm.memfd_noexec chooses for a
 * caller that chose neither, and at 2 refuses all but MFD_NOEXEC_SEAL. */
static int check_memfd_noexec(const vms_sys *sys, unsigned *flags)
{
	if (!(*flags & (VMS_MFD_EXEC | VMS_MFD_NOEXEC_SEAL)))
		*flags |= sys->memfd_noexec >= 1 ? VMS_MFD_NOEXEC_SEAL : VMS_MFD_EXEC;
	if (!(*flags & VMS_MFD_NOEXEC_SEAL) && sys->memfd_noexec >= 2)
		return -EACCES;
	return 0;
}

long vms_memfd_create(vms_sys *sys, const char *name, unsigned flags, vms_file **out)
{
	*out = NULL;
	/* sanitize_flags(): a huge page size only with MFD_HUGETLB. */
	unsigned allowed = MFD_ALL_FLAGS;
	if (flags & VMS_MFD_HUGETLB)
		allowed |= MFD_HUGE_MASK << VMS_MFD_HUGE_SHIFT;
	if (flags & ~allowed)
		return -EINVAL;
	if ((flags & VMS_MFD_EXEC) && (flags & VMS_MFD_NOEXEC_SEAL))
		return -EINVAL;
	int err = check_memfd_noexec(sys, &flags);
	if (err)
		return err;
	/* alloc_name(): the name with its NUL fits in MFD_NAME_MAX_LEN + 1. */
	if (!name)
		return -EFAULT;
	size_t len = strnlen(name, MFD_NAME_MAX_LEN + 1);
	if (len > MFD_NAME_MAX_LEN)
		return -EINVAL;
	char path[8 + MFD_NAME_MAX_LEN];
	snprintf(path, sizeof(path), "/memfd:%s", name);
	struct vms_file *f;
	if (flags & VMS_MFD_HUGETLB) {
		/* fs/hugetlbfs hugetlb_file_setup(): no such size is ENODEV. */
		unsigned log = (flags >> VMS_MFD_HUGE_SHIFT) & MFD_HUGE_MASK;
		uint64_t hps = log ? 1ULL << log : sys->hugetlb_default_size;
		if (!hugetlb_pool_of(sys, hps))
			return -ENODEV;
		f = file_new_internal(sys, path, hugetlb_dev_of(sys, hps), 0, VMS_INODE_HUGETLBFS);
		if (f)
			f->inode->hpage_size = hps;
	} else {
		f = file_new_internal(sys, path, sys->shmem_dev, 0, VMS_INODE_SHMEM);
	}
	if (!f)
		return -ENOMEM;
	/* shmem_file_setup(): S_IRWXUGO, sealed against sealing. */
	struct vms_inode *ino = f->inode;
	ino->mode = 0777;
	if (flags & VMS_MFD_NOEXEC_SEAL) {
		ino->mode &= ~0111u;
		ino->seals = (ino->seals & ~VMS_F_SEAL_SEAL) | VMS_F_SEAL_EXEC;
	} else if (flags & VMS_MFD_ALLOW_SEALING) {
		ino->seals &= ~VMS_F_SEAL_SEAL;
	}
	*out = f;
	return 0;
}

long vms_memfd_secret(vms_sys *sys, unsigned flags, vms_file **out)
{
	*out = NULL;
	if (!sys->secretmem)
		return -ENOSYS;
	if (flags & ~O_CLOEXEC_)
		return -EINVAL;
	/* secretmem's mount is noexec: no VM_MAYEXEC, and PROT_EXEC is EPERM. */
	struct vms_file *f = file_new_internal(sys, "/secretmem", sys->secretmem_dev, 0,
					       VMS_INODE_SECRETMEM | VMS_INODE_NOEXEC);
	if (!f)
		return -ENOMEM;
	*out = f;
	return 0;
}

/* mm/memfd.c memfd_file_seals_ptr(): only shmem and hugetlbfs files seal,
 * by their f_op: a device node or a directory there (/dev/zero on devtmpfs,
 * which is shmem) has its driver's or the directory's f_op, so EINVAL. */
static bool can_seal(const struct vms_inode *ino)
{
	if (ino->flags & (VMS_INODE_DEVZERO | VMS_INODE_NOMMAP | VMS_INODE_DIRECTORY))
		return false;
	return (ino->flags & (VMS_INODE_SHMEM | VMS_INODE_HUGETLBFS)) != 0;
}

static bool file_writable(const struct vms_file *f)
{
	int acc = f->oflags & 3;
	return acc == VMS_O_WRONLY || acc == VMS_O_RDWR;
}

long vms_add_seals(vms_file *file, unsigned seals)
{
	struct vms_inode *ino = file->inode;
	if (!file_writable(file))
		return -EPERM;
	if (seals & ~(unsigned)F_ALL_SEALS)
		return -EINVAL;
	if (!can_seal(ino))
		return -EINVAL;
	if (ino->seals & VMS_F_SEAL_SEAL)
		return -EPERM;
	/* F_SEAL_EXEC on an executable file implies the write seals (W^X),
	 * F_SEAL_WRITE's check included (live: EBUSY under a shared mapping). */
	if ((seals & VMS_F_SEAL_EXEC) && (ino->mode & 0111))
		seals |= VMS_F_SEAL_SHRINK | VMS_F_SEAL_GROW | VMS_F_SEAL_WRITE |
			 VMS_F_SEAL_FUTURE_WRITE;
	/* mapping_deny_writable(): a shared mapping that may write stands in
	 * the way of F_SEAL_WRITE (not of F_SEAL_FUTURE_WRITE). */
	if ((seals & VMS_F_SEAL_WRITE) && !(ino->seals & VMS_F_SEAL_WRITE) && ino->i_mmap_writable)
		return -EBUSY;
	ino->seals |= seals;
	return 0;
}

long vms_get_seals(const vms_file *file)
{
	return can_seal(file->inode) ? (long)file->inode->seals : -EINVAL;
}

/* The largest size the file's filesystem takes (sb->s_maxbytes): the
 * internal mounts and tmpfs allow MAX_LFS_FILESIZE; other files are taken
 * to live on ext4 with 4 KiB blocks, whose extent files end 4 KiB short of
 * 16 TiB (live: ftruncate to 2^44 is EFBIG, to 2^44 - 4096 is not). */
uint64_t inode_maxbytes(const struct vms_inode *ino)
{
	if (ino->dev_major == 0 ||
	    (ino->flags & (VMS_INODE_SHMEM | VMS_INODE_HUGETLBFS | VMS_INODE_SECRETMEM)))
		return MAX_LFS_FILESIZE;
	return (1ULL << 44) - 4096;
}

/* S_ISREG(): directories, devices and anonymous inodes are not regular
 * files; a pidfd's file (pidfs) is, though it has no mmap. */
static bool inode_regular(const struct vms_inode *ino)
{
	return !(ino->flags & (VMS_INODE_DIRECTORY | VMS_INODE_NOMMAP | VMS_INODE_DEVZERO)) ||
	       (ino->flags & VMS_INODE_PIDFS);
}

long vms_ftruncate(vms_file *file, int64_t length)
{
	struct vms_inode *ino = file->inode;
	/* do_sys_ftruncate(), do_ftruncate() */
	if (length < 0)
		return -EINVAL;
	bool pidfs = ino->flags & VMS_INODE_PIDFS;
	if (!inode_regular(ino) || !file_writable(file))
		return -EINVAL;
	/* a file opened without O_LARGEFILE (a pidfd's) stops at 2 GiB */
	if (pidfs && (uint64_t)length > 0x7fffffffULL)
		return -EINVAL;
	if (ino->flags & VMS_INODE_APPEND)
		return -EPERM;
	/* fs/pidfs.c pidfs_setattr(): refused before any size check (live) */
	if (pidfs)
		return -EOPNOTSUPP;
	uint64_t newsize = (uint64_t)length, oldsize = ino->size;
	/* setattr_prepare() -> inode_newsize_ok() */
	if (newsize > inode_maxbytes(ino))
		return -EFBIG;
	if (ino->flags & VMS_INODE_SECRETMEM) {
		/* secretmem_setattr(): the size is set once. */
		if (oldsize)
			return -EINVAL;
	} else if (ino->flags & VMS_INODE_HUGETLBFS) {
		if (newsize & (ino->hpage_size - 1))
			return -EINVAL;
	}
	if (can_seal(ino) && ((newsize < oldsize && (ino->seals & VMS_F_SEAL_SHRINK)) ||
			      (newsize > oldsize && (ino->seals & VMS_F_SEAL_GROW))))
		return -EPERM;
	uint64_t holebegin = PAGE_ALIGN(newsize);
	if (oldsize > holebegin) {
		/* unmap_mapping_range(holebegin, 0, even_cows): every mapping
		 * loses its pages past the new end, copies included. Room
		 * first, so that nothing fails half-way. */
		for (uint32_t i = 0; i < ino->i_mmap_count; i++)
			if (rss_reserve(ino->i_mmap[i].mm, ino->i_mmap_count + 1))
				return -ENOMEM;
		uint64_t first = holebegin >> PAGE_SHIFT;
		for (uint32_t i = 0; i < ino->i_mmap_count; i++) {
			struct vms_vma *m = ino->i_mmap[i].vma;
			uint64_t vend = m->pgoff + vma_pages(m);
			if (vend <= first)
				continue;
			uint64_t from = first > m->pgoff ? m->start + ((first - m->pgoff) << PAGE_SHIFT)
							 : m->start;
			rss_zap(ino->i_mmap[i].mm, from, m->end);
		}
	}
	ino->size = newsize;
	return 0;
}

#define FALLOC_FL_KEEP_SIZE 0x01
#define FALLOC_FL_PUNCH_HOLE 0x02
#define FALLOC_FL_COLLAPSE_RANGE 0x08
#define FALLOC_FL_ZERO_RANGE 0x10
#define FALLOC_FL_INSERT_RANGE 0x20
#define FALLOC_FL_UNSHARE_RANGE 0x40
#define FALLOC_FL_WRITE_ZEROES 0x80
#define FALLOC_FL_MODE_MASK                                                              \
	(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_ZERO_RANGE |          \
	 FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_WRITE_ZEROES)

/* A hole punched in [first, last) pages of the file: the file's pages leave
 * every mapping, COW copies stay (unmap_mapping_range(even_cows = 0)). */
static int punch_hole(struct vms_inode *ino, uint64_t first, uint64_t last)
{
	if (first >= last)
		return 0;
	for (uint32_t i = 0; i < ino->i_mmap_count; i++)
		if (rss_reserve(ino->i_mmap[i].mm, ino->i_mmap_count + 1))
			return -ENOMEM;
	for (uint32_t i = 0; i < ino->i_mmap_count; i++) {
		struct vms_vma *m = ino->i_mmap[i].vma;
		uint64_t vfirst = m->pgoff, vlast = m->pgoff + vma_pages(m);
		uint64_t f = max_u64(first, vfirst), l = min_u64(last, vlast);
		if (f < l)
			rss_zap_file(ino->i_mmap[i].mm, m->start + ((f - vfirst) << PAGE_SHIFT),
				     m->start + ((l - vfirst) << PAGE_SHIFT));
	}
	return 0;
}

long vms_fallocate(vms_file *file, int mode, int64_t offset, int64_t len)
{
	struct vms_inode *ino = file->inode;
	/* vfs_fallocate(): the arguments, then one mode at a time */
	if (offset < 0 || len <= 0)
		return -EINVAL;
	if ((unsigned)mode & ~(unsigned)(FALLOC_FL_MODE_MASK | FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	int kind = mode & FALLOC_FL_MODE_MASK;
	switch (kind) {
	case 0:
	case FALLOC_FL_UNSHARE_RANGE:
	case FALLOC_FL_ZERO_RANGE:
		break;
	case FALLOC_FL_PUNCH_HOLE:
		if (!(mode & FALLOC_FL_KEEP_SIZE))
			return -EOPNOTSUPP;
		break;
	case FALLOC_FL_COLLAPSE_RANGE:
	case FALLOC_FL_INSERT_RANGE:
	case FALLOC_FL_WRITE_ZEROES:
		if (mode & FALLOC_FL_KEEP_SIZE)
			return -EOPNOTSUPP;
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (!file_writable(file))
		return -EBADF;
	if ((mode & ~FALLOC_FL_KEEP_SIZE) && (ino->flags & VMS_INODE_APPEND))
		return -EPERM;
	if (ino->flags & VMS_INODE_DIRECTORY)
		return -EISDIR;
	if (!inode_regular(ino))
		return -ENODEV; /* a device, an anonymous inode */
	uint64_t end = (uint64_t)offset + (uint64_t)len;
	if (end > (uint64_t)INT64_MAX || end > inode_maxbytes(ino))
		return -EFBIG;
	if (ino->flags & (VMS_INODE_SECRETMEM | VMS_INODE_PIDFS))
		return -EOPNOTSUPP; /* no ->fallocate (live: pidfd, breadth seed 1013) */
	bool internal = (ino->flags & (VMS_INODE_SHMEM | VMS_INODE_HUGETLBFS)) != 0;
	/* shmem_fallocate(), hugetlbfs_fallocate(): a hole or space, nothing
	 * else; disk files are taken to be ext4's, which zeroes ranges too but
	 * has no unshare (live: EOPNOTSUPP); its collapse and insert ranges are
	 * not modelled (EOPNOTSUPP here). */
	if (kind & ~(internal ? FALLOC_FL_PUNCH_HOLE : FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE))
		return -EOPNOTSUPP;
	if (kind) {
		if (ino->seals & (VMS_F_SEAL_WRITE | VMS_F_SEAL_FUTURE_WRITE))
			return -EPERM;
		/* Whole pages only (whole huge pages on hugetlbfs); the parts
		 * of pages at the edges are zeroed, not unmapped. ext4's zero
		 * range takes the pages out as its punch does. */
		uint64_t unit = ino->hpage_size ? ino->hpage_size : PAGE_SIZE;
		uint64_t first = ((uint64_t)offset + unit - 1) / unit * (unit >> PAGE_SHIFT);
		uint64_t last = end / unit * (unit >> PAGE_SHIFT);
		int err = punch_hole(ino, first, last);
		if (err || kind == FALLOC_FL_PUNCH_HOLE)
			return err;
	}
	if ((ino->seals & VMS_F_SEAL_GROW) && end > ino->size)
		return -EPERM;
	if (ino->flags & VMS_INODE_HUGETLBFS) {
		/* Each huge page comes from the pool; which ones the file has
		 * is not tracked, so any page the pool cannot give is ENOSPC. */
		uint64_t hps = ino->hpage_size;
		uint64_t need = (end + hps - 1) / hps - (uint64_t)offset / hps;
		struct hugetlb_pool *pool = hugetlb_pool_of(ino->sys, hps);
		if (!pool || pool->free < pool->rsvd + need)
			return -ENOSPC;
	}
	if (!(mode & FALLOC_FL_KEEP_SIZE) && end > ino->size)
		ino->size = end;
	return 0;
}
