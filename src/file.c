/*
 * file.c: inodes (identity, size, where they live), open files (access mode),
 * and each inode's i_mmap: the list of every VMA, in every address space, that
 * maps it. Unlinking is by index so that removing a VMA is O(1), which is what
 * the kernel's unlink_file_vma_batch buys with batching.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "shm.h"
#include "mempolicy.h"

static char *dup_str(vms_sys *sys, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = sys_malloc(sys, n);
	if (p)
		memcpy(p, s, n);
	return p;
}

static struct vms_inode *inode_new(vms_sys *sys, const struct vms_inode_info *info)
{
	struct vms_inode *ino = sys_calloc(sys, 1, sizeof(*ino));
	if (!ino)
		return NULL;
	ino->path = dup_str(sys, info->path ? info->path : "");
	if (!ino->path) {
		sys_free(sys, ino);
		return NULL;
	}
	ino->sys = sys;
	ino->dev_major = info->dev_major;
	ino->dev_minor = info->dev_minor;
	ino->ino = info->ino;
	ino->size = info->size;
	ino->flags = info->flags;
	ino->hpage_size = (info->flags & VMS_INODE_HUGETLBFS) ? PMD_SIZE : 0;
	/* shmem_get_inode(), hugetlbfs_get_inode(): no seals may be added
	 * unless memfd_create(MFD_ALLOW_SEALING) takes this one away. */
	if (info->flags & (VMS_INODE_SHMEM | VMS_INODE_HUGETLBFS))
		ino->seals = VMS_F_SEAL_SEAL;
	return ino;
}

static void inode_free(struct vms_inode *ino)
{
	vms_sys *sys = ino->sys;
	/* The last reference gives back what shmem and hugetlb reserved. */
	sys->committed_pages -= ino->shmem_charged;
	for (int i = 0; i < 2 && ino->huge_rsvd; i++)
		if (sys->huge[i].page_size == ino->hpage_size)
			sys->huge[i].rsvd -= ino->huge_rsvd;
	shared_policy_free(sys, ino);
	sys_free(ino->sys, ino->i_mmap);
	sys_free(ino->sys, ino->path);
	sys_free(ino->sys, ino);
}

static void inode_put(struct vms_inode *ino)
{
	if (--ino->refcount == 0 && !ino->in_table)
		inode_free(ino);
}

vms_inode *vms_inode_get(vms_sys *sys, const struct vms_inode_info *info)
{
	for (struct vms_inode *i = sys->inodes; i; i = i->next)
		if (i->dev_major == info->dev_major && i->dev_minor == info->dev_minor &&
		    i->ino == info->ino)
			return i;
	struct vms_inode *ino = inode_new(sys, info);
	if (!ino)
		return NULL;
	ino->in_table = true;
	ino->next = sys->inodes;
	sys->inodes = ino;
	return ino;
}

void vms_inode_set_size(vms_inode *inode, uint64_t size)
{
	inode->size = size;
}

void vms_inode_unlink(vms_inode *inode)
{
	inode->flags |= VMS_INODE_DELETED;
}

size_t vms_inode_mapcount(const vms_inode *inode)
{
	return inode->i_mmap_count;
}

vms_inode *vms_file_inode(const vms_file *file)
{
	return file->inode;
}

long vms_inode_set_ino(vms_inode *inode, uint64_t ino)
{
	if (inode->in_table)
		return -EINVAL;
	inode->ino = ino;
	return 0;
}

static struct vms_file *file_on(struct vms_inode *ino, int oflags)
{
	struct vms_file *f = sys_calloc(ino->sys, 1, sizeof(*f));
	if (!f)
		return NULL;
	f->inode = ino;
	f->oflags = oflags;
	f->refcount = 1;
	ino->refcount++;
	if ((oflags & 3) == VMS_O_WRONLY || (oflags & 3) == VMS_O_RDWR)
		ino->i_writecount++;
	return f;
}

vms_file *vms_file_open(vms_inode *inode, int oflags)
{
	return file_on(inode, oflags);
}

void file_get(struct vms_file *f)
{
	f->refcount++;
	/* ipc/shm.c shm_open(): every VMA of an attach is one more attach. */
	if (f->shm)
		f->shm->nattch++;
}

void file_get_ref(struct vms_file *f)
{
	f->refcount++;
}

void file_put_ref(struct vms_file *f)
{
	if (--f->refcount == 0) {
		struct vms_inode *ino = f->inode;
		if ((f->oflags & 3) == VMS_O_WRONLY || (f->oflags & 3) == VMS_O_RDWR)
			ino->i_writecount--;
		sys_free(ino->sys, f);
		inode_put(ino);
	}
}

void file_put(struct vms_file *f)
{
	struct shm_seg *seg = f->shm;
	file_put_ref(f);
	/* ipc/shm.c shm_close(): the segment may go with its last attach. */
	if (seg)
		shm_nattch_put(seg);
}

void vms_file_close(vms_file *file)
{
	if (file)
		file_put(file);
}

struct vms_file *file_new_internal(vms_sys *sys, const char *path, uint64_t dev, uint64_t size,
				   uint32_t flags)
{
	struct vms_inode_info info = {
		.dev_major = DEV_MAJOR(dev),
		.dev_minor = DEV_MINOR(dev),
		.ino = sys->next_shmem_ino,
		.size = size,
		.path = path,
		.flags = flags | VMS_INODE_DELETED,
	};
	struct vms_inode *ino = inode_new(sys, &info);
	if (!ino)
		return NULL;
	struct vms_file *f = file_on(ino, VMS_O_RDWR);
	if (!f) {
		inode_free(ino);
		return NULL;
	}
	sys->next_shmem_ino++;
	return f;
}

struct vms_file *file_new_shmem(vms_sys *sys, uint64_t size)
{
	return file_new_internal(sys, "/dev/zero", sys->shmem_dev, size, VMS_INODE_SHMEM);
}

uint64_t hugetlb_dev_of(const vms_sys *sys, uint64_t hpage_size)
{
	return hpage_size == PUD_SIZE ? sys->hugetlb_dev[1] : sys->hugetlb_dev[0];
}

struct vms_file *file_new_hugetlb_anon(vms_sys *sys, uint64_t size, uint64_t hpage_size)
{
	struct vms_file *f = file_new_internal(sys, "/anon_hugepage",
					       hugetlb_dev_of(sys, hpage_size), size,
					       VMS_INODE_HUGETLBFS);
	if (f)
		f->inode->hpage_size = hpage_size;
	return f;
}

bool file_is_hugetlb(const struct vms_file *f)
{
	return (f->inode->flags & VMS_INODE_HUGETLBFS) != 0;
}

bool file_is_shmem(const struct vms_file *f)
{
	return (f->inode->flags & (VMS_INODE_SHMEM | VMS_INODE_HUGETLBFS)) == VMS_INODE_SHMEM;
}

int file_rmap_reserve(struct vms_file *f, unsigned n)
{
	struct vms_inode *ino = f->inode;
	if (ino->i_mmap_count + n <= ino->i_mmap_cap)
		return 0;
	uint32_t cap = ino->i_mmap_cap ? ino->i_mmap_cap : 4;
	while (cap < ino->i_mmap_count + n)
		cap *= 2;
	struct rmap_entry *e = sys_realloc(ino->sys, ino->i_mmap, cap * sizeof(*e));
	if (!e)
		return -ENOMEM;
	ino->i_mmap = e;
	ino->i_mmap_cap = cap;
	return 0;
}

void file_rmap_add(struct vms_mm *mm, struct vms_vma *v)
{
	struct vms_inode *ino = v->file->inode;
	/* file_rmap_reserve() ran before the operation changed anything. */
	if (ino->i_mmap_count >= ino->i_mmap_cap)
		__builtin_trap();
	v->rmap_slot = ino->i_mmap_count;
	ino->i_mmap[ino->i_mmap_count++] = (struct rmap_entry){v, mm};
	if ((v->flags & (VM_SHARED | VM_MAYWRITE)) == (VM_SHARED | VM_MAYWRITE))
		ino->i_mmap_writable++;
}

void file_rmap_remove(struct vms_vma *v)
{
	struct vms_inode *ino = v->file->inode;
	uint32_t last = --ino->i_mmap_count;
	if (v->rmap_slot != last) {
		ino->i_mmap[v->rmap_slot] = ino->i_mmap[last];
		ino->i_mmap[v->rmap_slot].vma->rmap_slot = v->rmap_slot;
	}
	if ((v->flags & (VM_SHARED | VM_MAYWRITE)) == (VM_SHARED | VM_MAYWRITE))
		ino->i_mmap_writable--;
}

void file_rmap_set_mm(struct vms_vma *v, struct vms_mm *mm)
{
	v->file->inode->i_mmap[v->rmap_slot].mm = mm;
}

void file_sys_release(vms_sys *sys)
{
	struct vms_inode *i = sys->inodes;
	while (i) {
		struct vms_inode *next = i->next;
		inode_free(i);
		i = next;
	}
	sys->inodes = NULL;
}
