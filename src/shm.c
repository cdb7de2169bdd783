/*
 * shm.c: System V shared memory (ipc/shm.c, ipc/util.c). The segments belong
 * to the system, as to one IPC namespace: their ids (index and sequence, as
 * ipc_idr_alloc() hands them out), keys, the shm_tot and shmmni limits, and
 * each segment's file on the internal shmem or hugetlbfs mount, named
 * "/SYSV<key>" with the id as its inode number. shmat maps that file through
 * an attach file of its own (shm_file_data), so two attaches never merge;
 * every reference to an attach file is one attach (shm_nattch), which is how
 * splits, fork and mremap count, and the last one to go destroys a removed
 * segment. shmdt finds the attach's VMAs as ksys_shmdt() does.
 *
 * Not here: supplementary groups, user namespaces, SELinux, the segment's
 * page contents.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "accounting.h"
#include "fault.h"
#include "file.h"
#include "mmap.h"
#include "rss.h"
#include "shm.h"
#include "vma.h"

#define SHMMIN 1
#define IPC_MIN_CYCLE 64 /* RADIX_TREE_MAP_SIZE */
#define MAX_LFS_FILESIZE ((uint64_t)INT64_MAX)
#define SHM_HUGE_MASK 0x3f
#define S_IRWXUGO 0777
#define S_IRUGO 0444
#define S_IWUGO 0222
#define S_IXUGO 0111

/* ipc/util.h ipcmni_seq_shift(): ids are idx + (seq << shift). */
static unsigned seq_shift(const vms_sys *sys)
{
	return sys->ipcmni_extend ? 24 : 15;
}

uint64_t shm_ipc_mni(const vms_sys *sys)
{
	return 1ULL << seq_shift(sys);
}

static struct shm_seg *seg_at(const struct shm_ids *ids, uint64_t idx)
{
	return idx < ids->cap ? ids->by_idx[idx] : NULL;
}

/* ipc/util.c ipc_obtain_object_check(): by index, and the whole id (its
 * sequence number) must match. */
static struct shm_seg *obtain_check(vms_sys *sys, int id)
{
	struct shm_seg *s = seg_at(&sys->shm, (uint32_t)id & (shm_ipc_mni(sys) - 1));
	return s && s->id == id ? s : NULL;
}

/* ipc/util.c ipcperms(): the owner's bits for the owner or creator, the
 * group's for a member of the owner's or creator's group (in_group_p: the
 * fsgid), the others' for the rest; CAP_IPC_OWNER passes anyway. */
static bool ipcperms_ok(const struct vms_mm *mm, const struct shm_seg *s, int flag)
{
	unsigned requested = (unsigned)((flag >> 6) | (flag >> 3) | flag) & 7;
	unsigned granted = s->mode;
	uint32_t euid = mm->cred.euid, fsgid = mm->cred.fsgid;
	if (euid == s->cuid || euid == s->uid)
		granted >>= 6;
	else if (fsgid == s->cgid || fsgid == s->gid)
		granted >>= 3;
	return !(requested & ~granted & 7) || (mm->caps & VMS_CAP_IPC_OWNER);
}

/* ipc/util.c ipcctl_obtain_check(): IPC_SET and IPC_RMID are for the owner,
 * the creator or CAP_SYS_ADMIN. */
static bool may_change(const struct vms_mm *mm, const struct shm_seg *s)
{
	uint32_t euid = mm->cred.euid;
	return euid == s->cuid || euid == s->uid || (mm->caps & VMS_CAP_SYS_ADMIN);
}

/* idr_alloc_u32(): the lowest free index in [from, max]. */
static int64_t lowest_free(const struct shm_ids *ids, uint64_t from, uint64_t max)
{
	for (uint64_t i = from; i <= max; i++)
		if (!seg_at(ids, i))
			return (int64_t)i;
	return -1;
}

/* ipc/util.c ipc_idr_alloc() without changing anything: the index and
 * sequence the next segment gets. */
static int64_t pick_idx(const vms_sys *sys, uint32_t *seq)
{
	const struct shm_ids *ids = &sys->shm;
	uint64_t mni = shm_ipc_mni(sys);
	if (ids->next_id >= 0) {
		/* kernel.shm_next_id: idr_alloc() from its index, its sequence. */
		*seq = (uint32_t)((uint64_t)ids->next_id >> seq_shift(sys));
		return lowest_free(ids, (uint64_t)ids->next_id & (mni - 1), mni - 1);
	}
	uint64_t end = max_u64((uint64_t)ids->in_use * 3 / 2, IPC_MIN_CYCLE);
	end = min_u64(end, mni);
	/* lib/idr.c idr_alloc_cyclic(): from the cursor, then from 0. */
	int64_t idx = ids->idr_next <= end - 1 ? lowest_free(ids, ids->idr_next, end - 1) : -1;
	if (idx < 0 && ids->idr_next > 0)
		idx = lowest_free(ids, 0, end - 1);
	if (idx < 0)
		return -ENOSPC;
	*seq = ids->seq;
	if (idx <= ids->last_idx && ++*seq >= (uint32_t)(INT32_MAX >> seq_shift(sys)))
		*seq = 0;
	return idx;
}

/* Room in the index array for idx. */
static int ids_reserve(vms_sys *sys, uint64_t idx)
{
	struct shm_ids *ids = &sys->shm;
	if (idx < ids->cap)
		return 0;
	uint64_t cap = ids->cap ? ids->cap : 64;
	while (cap <= idx)
		cap *= 2;
	struct shm_seg **v = sys_realloc(sys, ids->by_idx, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	memset(v + ids->cap, 0, (cap - ids->cap) * sizeof(*v));
	ids->by_idx = v;
	ids->cap = (uint32_t)cap;
	return 0;
}

/* ipc/util.c ipc_rmid(): the id and the key go; max_idx follows. */
static void ids_remove(vms_sys *sys, struct shm_seg *s)
{
	struct shm_ids *ids = &sys->shm;
	int64_t idx = (uint32_t)s->id & (shm_ipc_mni(sys) - 1);
	ids->by_idx[idx] = NULL;
	ids->in_use--;
	if (idx == ids->max_idx) {
		while (--idx >= 0 && !ids->by_idx[idx])
			;
		ids->max_idx = (int32_t)idx;
	}
}

/* mm/mlock.c user_shm_lock()/user_shm_unlock(): the user's locked shm
 * pages against RLIMIT_MEMLOCK, unless CAP_IPC_LOCK. */
static bool user_shm_lock(struct vms_mm *mm, uint64_t bytes)
{
	uint64_t pages = (bytes + PAGE_SIZE - 1) >> PAGE_SHIFT;
	uint64_t limit = mm->rlim_memlock.cur;
	if (limit != VMS_RLIM_INFINITY)
		limit >>= PAGE_SHIFT;
	uint64_t locked = mm->sys->shm.locked_shm + pages;
	if (!(mm->caps & VMS_CAP_IPC_LOCK) && limit != VMS_RLIM_INFINITY && locked > limit)
		return false;
	mm->sys->shm.locked_shm = locked;
	return true;
}

static void user_shm_unlock(vms_sys *sys, uint64_t bytes)
{
	sys->shm.locked_shm -= (bytes + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

/* ipc/shm.c shm_destroy(): the id goes now, the file with its last user. */
static void shm_destroy(vms_sys *sys, struct shm_seg *s)
{
	sys->shm.shm_tot -= (s->segsz + PAGE_SIZE - 1) >> PAGE_SHIFT;
	ids_remove(sys, s);
	if (s->locked_user)
		user_shm_unlock(sys, s->file->inode->size);
	file_put(s->file);
	sys_free(sys, s);
}

/* ipc/shm.c shm_may_destroy(). */
static bool shm_may_destroy(const vms_sys *sys, const struct shm_seg *s)
{
	return s->nattch == 0 && (sys->shm_rmid_forced || (s->mode & VMS_SHM_DEST));
}

bool shm_attach_alive(const vms_sys *sys, const struct vms_file *f)
{
	/* The attach file holds the segment's inode, which no later segment
	 * can have: the segment is alive while an id still names it (the
	 * kernel's shm_lock() by id, then shm_file == sfd->file). */
	const struct shm_ids *ids = &sys->shm;
	for (uint32_t i = 0; ids->in_use && i < ids->cap; i++)
		if (ids->by_idx[i] && ids->by_idx[i]->file->inode == f->inode)
			return true;
	return false;
}

void shm_nattch_put(struct shm_seg *seg)
{
	vms_sys *sys = seg->file->inode->sys;
	seg->nattch--;
	if (shm_may_destroy(sys, seg))
		shm_destroy(sys, seg);
}

void shm_exit(struct vms_mm *mm)
{
	vms_sys *sys = mm->sys;
	struct shm_ids *ids = &sys->shm;
	for (uint32_t i = 0; ids->in_use && i < ids->cap; i++) {
		struct shm_seg *s = ids->by_idx[i];
		if (!s || s->creator != mm)
			continue;
		/* Without shm_rmid_forced the segment only becomes an orphan. */
		s->creator = NULL;
		if (sys->shm_rmid_forced && shm_may_destroy(sys, s))
			shm_destroy(sys, s);
	}
}

void vms_exec_commit(vms_mm *mm, vms_mm *old)
{
	/* The kernel's creator is the task, which an exec keeps. */
	struct shm_ids *ids = &mm->sys->shm;
	for (uint32_t i = 0; ids->in_use && i < ids->cap; i++) {
		struct shm_seg *s = ids->by_idx[i];
		if (s && s->creator == old)
			s->creator = mm;
	}
}

void shm_destroy_orphaned(vms_sys *sys)
{
	struct shm_ids *ids = &sys->shm;
	for (uint32_t i = 0; ids->in_use && i < ids->cap; i++) {
		struct shm_seg *s = ids->by_idx[i];
		if (s && !s->creator && shm_may_destroy(sys, s))
			shm_destroy(sys, s);
	}
}

void shm_sys_release(vms_sys *sys)
{
	struct shm_ids *ids = &sys->shm;
	for (uint32_t i = 0; i < ids->cap; i++)
		if (ids->by_idx[i])
			shm_destroy(sys, ids->by_idx[i]);
	sys_free(sys, ids->by_idx);
	ids->by_idx = NULL;
	ids->cap = 0;
}

/* ---- shmget ---- */

/* ipc/shm.c newseg(): a segment of size bytes for key, in the kernel's order
 * of checks; the model's own allocations come first so that running out of
 * memory changes nothing. */
static long newseg(struct vms_mm *mm, int32_t key, uint64_t size, int shmflg)
{
	vms_sys *sys = mm->sys;
	uint64_t numpages = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	if (size < SHMMIN || size > sys->shmmax)
		return -EINVAL;
	if (numpages << PAGE_SHIFT < size)
		return -ENOSPC;
	if (sys->shm.shm_tot + numpages < sys->shm.shm_tot ||
	    sys->shm.shm_tot + numpages > sys->shmall)
		return -ENOSPC;
	bool huge = (shmflg & VMS_SHM_HUGETLB) != 0;
	uint64_t hps = 0, fsize = size;
	struct hugetlb_pool *pool = NULL;
	if (huge) {
		/* mm/hugetlb.c hstate_sizelog(): 0 is the default size. */
		unsigned log = ((unsigned)shmflg >> VMS_SHM_HUGE_SHIFT) & SHM_HUGE_MASK;
		hps = log ? (log < 64 ? 1ULL << log : 0) : sys->hugetlb_default_size;
		pool = hugetlb_pool_of(sys, hps);
		if (!pool)
			return -EINVAL;
		fsize = (size + hps - 1) & ~(hps - 1);
	} else if (size > MAX_LFS_FILESIZE) {
		/* shmem_kernel_file_setup() */
		return -EINVAL;
	}
	struct shm_seg *s = sys_calloc(sys, 1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	char name[16];
	snprintf(name, sizeof(name), "/SYSV%08x", (uint32_t)key);
	struct vms_file *f =
		huge ? file_new_internal(sys, name, hugetlb_dev_of(sys, hps), fsize,
					 VMS_INODE_HUGETLBFS)
		     : file_new_internal(sys, name, sys->shmem_dev, fsize, VMS_INODE_SHMEM);
	uint32_t seq = 0;
	int64_t idx = f ? pick_idx(sys, &seq) : -ENOMEM;
	if (idx >= 0 && ids_reserve(sys, (uint64_t)idx))
		idx = -ENOMEM;
	if (idx == -ENOMEM) {
		if (f)
			file_put(f);
		sys_free(sys, s);
		return -ENOMEM;
	}
	long err = 0;
	if (huge) {
		f->inode->hpage_size = hps;
		/* fs/hugetlbfs hugetlb_file_setup(): SHM_HUGETLB needs
		 * can_do_hugetlb_shm() — CAP_IPC_LOCK or membership of
		 * vm.hugetlb_shm_group (in_group_p: the fsgid here) — else
		 * EPERM whatever RLIMIT_MEMLOCK says; then the pages are
		 * reserved unless SHM_NORESERVE. */
		if (!(mm->caps & VMS_CAP_IPC_LOCK) && mm->cred.fsgid != sys->hugetlb_shm_group) {
			err = -EPERM;
			goto out;
		}
		if (!(shmflg & VMS_SHM_NORESERVE)) {
			uint64_t need = fsize / hps;
			if (pool->free < pool->rsvd + need) {
				err = -ENOMEM;
				goto out;
			}
			pool->rsvd += need;
			f->inode->huge_rsvd = need;
		}
	} else if (!(shmflg & VMS_SHM_NORESERVE) || sys->overcommit_memory == 2) {
		/* mm/shmem.c shmem_acct_size(): OVERCOMMIT_NEVER ignores
		 * SHM_NORESERVE. */
		if (vm_enough_memory(mm, numpages)) {
			err = -ENOMEM;
			goto out;
		}
		f->inode->shmem_charged = numpages;
	}
	/* ipc/util.c ipc_addid() */
	if (sys->shm.in_use >= min_u64(sys->shmmni, shm_ipc_mni(sys))) {
		err = -ENOSPC;
		goto out;
	}
	if (idx < 0) {
		err = idx;
		goto out;
	}
	struct shm_ids *ids = &sys->shm;
	if (ids->next_id >= 0) {
		ids->next_id = -1;
	} else {
		ids->seq = seq;
		ids->last_idx = (int32_t)idx;
		ids->idr_next = (uint32_t)idx + 1;
	}
	s->id = (int32_t)(((uint64_t)seq << seq_shift(sys)) + (uint64_t)idx);
	s->key = key;
	s->mode = (uint32_t)shmflg & S_IRWXUGO;
	s->segsz = size;
	s->file = f;
	s->creator = mm;
	/* ipc_addid(): current_euid_egid() owns and created it. */
	s->cuid = s->uid = mm->cred.euid;
	s->cgid = s->gid = mm->cred.egid;
	ids->by_idx[idx] = s;
	ids->in_use++;
	if (idx > ids->max_idx)
		ids->max_idx = (int32_t)idx;
	/* "shmid gets reported as inode# in /proc/pid/maps" */
	f->inode->ino = (uint64_t)(uint32_t)s->id;
	ids->shm_tot += numpages;
	return s->id;
out:
	if (s->locked_user)
		user_shm_unlock(sys, fsize);
	file_put(f); /* gives back the reservation or the charge */
	sys_free(sys, s);
	return err;
}

/* ipc/util.c ipc_findkey(): removed segments have lost their key. */
static struct shm_seg *find_key(const vms_sys *sys, int32_t key)
{
	const struct shm_ids *ids = &sys->shm;
	for (uint32_t i = 0, seen = 0; seen < ids->in_use && i < ids->cap; i++) {
		struct shm_seg *s = ids->by_idx[i];
		if (!s)
			continue;
		seen++;
		if (s->key == key && key != VMS_IPC_PRIVATE)
			return s;
	}
	return NULL;
}

long vms_shmget(vms_mm *mm, int32_t key, uint64_t size, int shmflg)
{
	/* ipc/util.c ipcget(): IPC_PRIVATE always makes a new segment. */
	if (key == VMS_IPC_PRIVATE)
		return newseg(mm, key, size, shmflg);
	struct shm_seg *s = find_key(mm->sys, key);
	if (!s)
		return (shmflg & VMS_IPC_CREAT) ? newseg(mm, key, size, shmflg) : -ENOENT;
	if ((shmflg & VMS_IPC_CREAT) && (shmflg & VMS_IPC_EXCL))
		return -EEXIST;
	/* shm_more_checks() */
	if (s->segsz < size)
		return -EINVAL;
	if (!ipcperms_ok(mm, s, shmflg))
		return -EACCES;
	return s->id;
}

/* ---- shmat, shmdt ---- */

long vms_shmat(vms_mm *mm, int shmid, uint64_t addr, int shmflg)
{
	/* arch/x86: SHMLBA is PAGE_SIZE. */
	const uint64_t shmlba = PAGE_SIZE;
	unsigned long flags = VMS_MAP_SHARED;
	if (shmid < 0)
		return -EINVAL;
	if (addr) {
		if (addr & (shmlba - 1)) {
			if (!(shmflg & VMS_SHM_RND))
				return -EINVAL;
			addr &= ~(shmlba - 1);
			/* A rounding that reaches 0 may not replace what is there. */
			if (!addr && (shmflg & VMS_SHM_REMAP))
				return -EINVAL;
		}
		flags |= VMS_MAP_FIXED;
	} else if (shmflg & VMS_SHM_REMAP) {
		return -EINVAL;
	}
	unsigned long prot = VMS_PROT_READ;
	int acc_mode = S_IRUGO, f_flags = VMS_O_RDONLY;
	if (!(shmflg & VMS_SHM_RDONLY)) {
		prot |= VMS_PROT_WRITE;
		acc_mode |= S_IWUGO;
		f_flags = VMS_O_RDWR;
	}
	if (shmflg & VMS_SHM_EXEC) {
		prot |= VMS_PROT_EXEC;
		acc_mode |= S_IXUGO;
	}
	struct shm_seg *s = obtain_check(mm->sys, shmid);
	if (!s)
		return -EINVAL;
	if (!ipcperms_ok(mm, s, acc_mode))
		return -EACCES;
	/* alloc_file_clone(): an attach file of the segment's inode, whose
	 * own reference is do_shmat()'s shm_nattch++ until the end. */
	struct vms_file *f = vms_file_open(s->file->inode, f_flags);
	if (!f)
		return -ENOMEM;
	f->shm = s;
	s->nattch++;
	uint64_t size = s->file->inode->size;
	long r;
	if (addr && !(shmflg & VMS_SHM_REMAP) &&
	    (addr + size < addr || find_vma_intersection(mm, addr, addr + size))) {
		r = -EINVAL;
	} else {
		uint64_t populate;
		r = do_mmap(mm, f, addr, size, prot, flags, 0, 0, &populate);
		if (!IS_ERR_VALUE(r) && populate)
			mm_populate(mm, (uint64_t)r, (uint64_t)r + populate);
	}
	file_put(f);
	return r;
}

/* ksys_shmdt(): (vm_start - addr) / PAGE_SIZE == vm_pgoff in unsigned
 * arithmetic, so a VMA below addr never matches. */
static bool shm_vma_at(const struct vms_vma *v, uint64_t addr)
{
	return v->kind == VMA_SHM && (v->start - addr) / PAGE_SIZE == v->pgoff;
}

long vms_shmdt(vms_mm *mm, uint64_t addr)
{
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	/* ksys_shmdt(): the first shm VMA above addr whose offset says it
	 * started at addr names the attach and its size; then every VMA of
	 * that attach that still fits in [addr, addr + size) with such an
	 * offset goes too (pieces left by munmap, mprotect or mremap). The
	 * VMAs are found first and unmapped after: unmapping a whole VMA
	 * changes no other. */
	struct vms_vma *v = find_vma(mm, addr);
	while (v && !shm_vma_at(v, addr))
		v = vma_next(mm, v);
	if (!v)
		return -EINVAL;
	struct vms_file *file = v->file;
	uint64_t size = PAGE_ALIGN(file->inode->size);
	size_t n = 1;
	for (struct vms_vma *w = vma_next(mm, v); w && w->end - addr <= size; w = vma_next(mm, w))
		if (shm_vma_at(w, addr) && w->file == file)
			n++;
	uint64_t(*ranges)[2] = sys_malloc(mm->sys, n * sizeof(*ranges));
	if (!ranges)
		return -ENOMEM;
	n = 0;
	for (struct vms_vma *w = v; w && (w == v || w->end - addr <= size); w = vma_next(mm, w)) {
		if (w == v || (shm_vma_at(w, addr) && w->file == file)) {
			ranges[n][0] = w->start;
			ranges[n][1] = w->end;
			n++;
		}
	}
	/* Each unmap of a whole VMA may split a resident range in two. */
	int err = mm_reserve(mm, NULL);
	if (!err && rss_reserve(mm, n + 4))
		err = -ENOMEM;
	if (err) {
		sys_free(mm->sys, ranges);
		return err;
	}
	/* The segment may go with the last VMA: the attach file's reference
	 * keeps it until the walk is over. */
	file_get(file);
	for (size_t i = 0; i < n; i++) {
		int e = unmap_range(mm, ranges[i][0], ranges[i][1]);
		(void)e; /* whole VMAs: nothing to split, so nothing fails */
	}
	sys_free(mm->sys, ranges);
	file_put(file);
	return 0;
}

/* ---- shmctl ---- */

static void fill_stat(const struct shm_seg *s, struct vms_shmid_ds *buf)
{
	memset(buf, 0, sizeof(*buf));
	buf->key = s->key;
	buf->mode = s->mode;
	buf->segsz = s->segsz;
	buf->nattch = s->nattch;
	buf->uid = s->uid;
	buf->gid = s->gid;
	buf->cuid = s->cuid;
	buf->cgid = s->cgid;
}

/* ipc/util.c ipc_get_maxidx(). */
static int64_t get_maxidx(const vms_sys *sys)
{
	if (sys->shm.in_use == 0)
		return -1;
	if (sys->shm.in_use == shm_ipc_mni(sys))
		return (int64_t)shm_ipc_mni(sys) - 1;
	return sys->shm.max_idx;
}

/* ipc/shm.c shmctl_do_lock(): SHM_LOCK marks the segment (its pages stay
 * in memory), SHM_UNLOCK unmarks it; hugetlb segments are always resident. */
static long shm_do_lock(struct vms_mm *mm, struct shm_seg *s, int cmd)
{
	/* Without CAP_IPC_LOCK only the owner or creator may, and SHM_LOCK
	 * needs a nonzero RLIMIT_MEMLOCK. */
	if (!(mm->caps & VMS_CAP_IPC_LOCK)) {
		uint32_t euid = mm->cred.euid;
		if (euid != s->uid && euid != s->cuid)
			return -EPERM;
		if (cmd == VMS_SHM_LOCK && mm->rlim_memlock.cur == 0)
			return -EPERM;
	}
	if (file_is_hugetlb(s->file))
		return 0;
	uint64_t size = s->file->inode->size;
	if (cmd == VMS_SHM_LOCK) {
		/* mm/shmem.c shmem_lock(): charged once. */
		if (!(s->mode & VMS_SHM_LOCKED)) {
			if (!user_shm_lock(mm, size))
				return -ENOMEM;
			s->mode |= VMS_SHM_LOCKED;
			s->locked_user = true;
		}
		return 0;
	}
	if (s->mode & VMS_SHM_LOCKED) {
		user_shm_unlock(mm->sys, size);
		s->mode &= ~(uint32_t)VMS_SHM_LOCKED;
		s->locked_user = false;
	}
	return 0;
}

long vms_shmctl(vms_mm *mm, int shmid, int cmd, struct vms_shmid_ds *buf)
{
	vms_sys *sys = mm->sys;
	struct vms_shmid_ds dummy;
	if (!buf)
		buf = &dummy;
	if (cmd < 0 || shmid < 0)
		return -EINVAL;
	struct shm_seg *s;
	switch (cmd) {
	case VMS_IPC_INFO:
	case VMS_SHM_INFO: {
		int64_t maxidx = get_maxidx(sys);
		memset(buf, 0, sizeof(*buf));
		if (cmd == VMS_IPC_INFO) {
			buf->shmmni = sys->shmmni;
			buf->shmmax = sys->shmmax;
			buf->shmall = sys->shmall;
			buf->shmmin = SHMMIN;
		} else {
			buf->used_ids = sys->shm.in_use;
			buf->shm_tot = sys->shm.shm_tot;
		}
		return maxidx < 0 ? 0 : maxidx;
	}
	case VMS_SHM_STAT:
	case VMS_SHM_STAT_ANY:
		/* By index, without the sequence check; returns the full id. */
		s = seg_at(&sys->shm, (uint64_t)shmid);
		if (!s)
			return -EINVAL;
		if (cmd == VMS_SHM_STAT && !ipcperms_ok(mm, s, S_IRUGO))
			return -EACCES;
		fill_stat(s, buf);
		return s->id;
	case VMS_IPC_STAT:
		s = obtain_check(sys, shmid);
		if (!s)
			return -EINVAL;
		if (!ipcperms_ok(mm, s, S_IRUGO))
			return -EACCES;
		fill_stat(s, buf);
		return 0;
	case VMS_IPC_SET:
	case VMS_IPC_RMID:
		/* shmctl_down(): the owner may (ipcctl_obtain_check()); IPC_SET
		 * sets the owner and the mode's permission bits. */
		s = obtain_check(sys, shmid);
		if (!s)
			return -EINVAL;
		if (!may_change(mm, s))
			return -EPERM;
		if (cmd == VMS_IPC_SET) {
			/* ipc_update_perm(): the new owner, who must be a valid id. */
			if (buf->uid == UINT32_MAX || buf->gid == UINT32_MAX)
				return -EINVAL;
			s->uid = buf->uid;
			s->gid = buf->gid;
			s->mode = (s->mode & ~(uint32_t)S_IRWXUGO) | (buf->mode & S_IRWXUGO);
			return 0;
		}
		/* do_shm_rmid(): an attached segment stays, without its key,
		 * until its last attach goes. */
		if (s->nattch) {
			s->mode |= VMS_SHM_DEST;
			s->key = VMS_IPC_PRIVATE;
		} else {
			shm_destroy(sys, s);
		}
		return 0;
	case VMS_SHM_LOCK:
	case VMS_SHM_UNLOCK:
		s = obtain_check(sys, shmid);
		if (!s)
			return -EINVAL;
		return shm_do_lock(mm, s, cmd);
	default:
		return -EINVAL;
	}
}
