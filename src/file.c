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

static struct vms_file *file_on(struct vms_inode *ino, int oflags)
{
	struct vms_file *f = sys_calloc(ino->sys, 1, sizeof(*f));
	if (!f)
		return NULL;
	f->inode = ino;
	f->oflags = oflags;
	f->refcount = 1;
	ino->refcount++;
	return f;
}

vms_file *vms_file_open(vms_inode *inode, int oflags)
{
	return file_on(inode, oflags);
}

void file_get(struct vms_file *f)
{
	f->refcount++;
}

void file_put(struct vms_file *f)
{
	if (--f->refcount)
		return;
	struct vms_inode *ino = f->inode;
	sys_free(ino->sys, f);
	inode_put(ino);
}

void vms_file_close(vms_file *file)
{
	if (file)
		file_put(file);
}

static struct vms_file *new_private_file(vms_sys *sys, const char *path, uint32_t minor,
					 uint64_t size, uint32_t flags)
{
	struct vms_inode_info info = {
		.dev_major = 0,
		.dev_minor = minor,
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
	return new_private_file(sys, "/dev/zero", SHMEM_DEV_MINOR, size, 0);
}

struct vms_file *file_new_hugetlb_anon(vms_sys *sys, uint64_t size)
{
	return new_private_file(sys, "/anon_hugepage", HUGETLB_DEV_MINOR, size,
				VMS_INODE_HUGETLBFS);
}

bool file_is_hugetlb(const struct vms_file *f)
{
	return (f->inode->flags & VMS_INODE_HUGETLBFS) != 0;
}

bool file_is_shmem(const struct vms_file *f)
{
	return f->inode->dev_major == 0 && f->inode->dev_minor == SHMEM_DEV_MINOR &&
	       !f->inode->in_table;
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
