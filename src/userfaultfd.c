/*
 * userfaultfd.c: userfaultfd(2) contexts and their ranges (fs/userfaultfd.c
 * userfaultfd_api/register/unregister/release, dup_userfaultfd,
 * mremap_userfaultfd_prep; mm/userfaultfd.c userfaultfd_register_range,
 * userfaultfd_clear_vma, mfill_atomic; include/linux/userfaultfd_k.h
 * vma_can_userfault; 6.18).
 *
 * A registration is VMA state: the VM_UFFD_* modes in vm_flags and the
 * context (vms_vma.uffd, the context's number in its address space). Both
 * are merge conditions, so registering part of a VMA splits it and
 * unregistering merges it back. A fault in a registered range is answered
 * with SIGBUS (fault.c uffd_first_missing). Not here: faults delivered to a
 * handler, events and reads of the file (the model has no threads to wake), the
 * page-table side of write protection (UFFDIO_WRITEPROTECT), UFFDIO_CONTINUE
 * (needs the page cache's contents), UFFDIO_MOVE and UFFDIO_POISON.
 */
#include <errno.h>

#include "fault.h"
#include "accounting.h"
#include "rss.h"
#include "userfaultfd.h"
#include "vma.h"

#define UFFD_USER_MODE_ONLY 1
#define UFFD_SHARED_FCNTL_FLAGS (VMS_O_CLOEXEC | VMS_O_NONBLOCK)
#define UFFD_API_REGISTER_MODES                                                                  \
	(VMS_UFFDIO_REGISTER_MODE_MISSING | VMS_UFFDIO_REGISTER_MODE_WP |                        \
	 VMS_UFFDIO_REGISTER_MODE_MINOR)
#define IOC(n) (1ULL << VMS_UFFDIO_IOC_##n)
/* UFFD_API_IOCTLS: what UFFDIO_API reports for the file. */
#define UFFD_API_IOCTLS (IOC(REGISTER) | IOC(UNREGISTER) | IOC(API))
/* UFFD_API_RANGE_IOCTLS, and _BASIC for ranges with hugetlb VMAs. */
#define UFFD_API_RANGE_IOCTLS                                                                    \
	(IOC(WAKE) | IOC(COPY) | IOC(ZEROPAGE) | IOC(MOVE) | IOC(WRITEPROTECT) | IOC(CONTINUE) | \
	 IOC(POISON))
#define UFFD_API_RANGE_IOCTLS_BASIC                                                              \
	(IOC(WAKE) | IOC(COPY) | IOC(WRITEPROTECT) | IOC(CONTINUE) | IOC(POISON))
#define CAP_SYS_PTRACE 19
#ifndef VM_DROPPABLE
#define VM_DROPPABLE (1ULL << 40) /* MAP_DROPPABLE (include/linux/mm.h) */
#endif

struct vms_uffd *uffd_ctx(const struct vms_mm *mm, uint8_t id)
{
	if (!id)
		return NULL;
	for (struct vms_uffd *u = mm->sys->uffds; u; u = u->next)
		if (u->mm == mm && u->id == id)
			return u;
	return NULL;
}

/* A context for mm with the smallest free number, linked into the system. */
static struct vms_uffd *uffd_alloc(struct vms_mm *mm, long *err)
{
	vms_sys *sys = mm->sys;
	uint8_t used[256] = {0};
	for (struct vms_uffd *u = sys->uffds; u; u = u->next)
		if (u->mm == mm)
			used[u->id] = 1;
	unsigned id = 1;
	while (id < 256 && used[id])
		id++;
	if (id == 256) {
		*err = -EMFILE;
		return NULL;
	}
	struct vms_uffd *u = sys_calloc(sys, 1, sizeof(*u));
	if (!u) {
		*err = -ENOMEM;
		return NULL;
	}
	u->sys = sys;
	u->mm = mm;
	u->task_size = mm->task_size;
	u->id = (uint8_t)id;
	u->next = sys->uffds;
	sys->uffds = u;
	return u;
}

static void uffd_free(struct vms_uffd *u)
{
	vms_sys *sys = u->sys;
	for (struct vms_uffd **pp = &sys->uffds; *pp; pp = &(*pp)->next) {
		if (*pp == u) {
			*pp = u->next;
			break;
		}
	}
	sys_free(sys, u);
}

/* fs/userfaultfd.c userfaultfd_syscall_allowed(): user-mode-only faults are
 * always allowed; kernel-mode ones need CAP_SYS_PTRACE or the sysctl. */
static bool syscall_allowed(const struct vms_mm *mm, int flags)
{
	if (flags & UFFD_USER_MODE_ONLY)
		return true;
	if (mm->cred.cap_effective & (1ULL << CAP_SYS_PTRACE))
		return true;
	return mm->sys->unprivileged_userfaultfd;
}

long vms_userfaultfd(vms_mm *mm, int flags, vms_uffd **out)
{
	*out = NULL;
	if (!syscall_allowed(mm, flags))
		return -EPERM;
	/* new_userfaultfd(): only the fcntl flags and USER_MODE_ONLY. */
	if (flags & ~(UFFD_SHARED_FCNTL_FLAGS | UFFD_USER_MODE_ONLY))
		return -EINVAL;
	long err = 0;
	struct vms_uffd *u = uffd_alloc(mm, &err);
	if (!u)
		return err;
	u->flags = (unsigned)flags;
	u->open = true;
	*out = u;
	return 0;
}

long vms_uffdio_api(vms_uffd *u, uint64_t api, uint64_t features, uint64_t *features_out,
		    uint64_t *ioctls_out)
{
	uint64_t f_out = 0, i_out = 0;
	long ret = -EINVAL;
	const struct vms_mm *mm = u->mm;
	if (api != VMS_UFFD_API)
		goto out;
	/* Fork events hand the reader the child's memory. */
	ret = -EPERM;
	if ((features & VMS_UFFD_FEATURE_EVENT_FORK) &&
	    !(mm && (mm->cred.cap_effective & (1ULL << CAP_SYS_PTRACE))))
		goto out;
	/* WP_ASYNC relies on WP_UNPOPULATED, which is chosen with it. */
	if (features & VMS_UFFD_FEATURE_WP_ASYNC)
		features |= VMS_UFFD_FEATURE_WP_UNPOPULATED;
	ret = -EINVAL;
	if (features & ~(uint64_t)u->sys->uffd_features)
		goto out;
	/* The cmpxchg on ctx->features: only the first UFFDIO_API sets them. */
	if (u->initialized)
		goto out;
	u->initialized = true;
	u->features = (uint32_t)features;
	f_out = u->sys->uffd_features;
	i_out = UFFD_API_IOCTLS;
	ret = 0;
out:
	/* On an error the kernel clears the whole struct it hands back. */
	if (features_out)
		*features_out = f_out;
	if (ioctls_out)
		*ioctls_out = i_out;
	return ret;
}

uint64_t vms_uffd_features(const vms_uffd *u)
{
	return u->features;
}

/* fs/userfaultfd.c validate_unaligned_range(). */
static long validate_unaligned_range(const struct vms_uffd *u, uint64_t start, uint64_t len)
{
	if (len & ~PAGE_MASK)
		return -EINVAL;
	if (!len)
		return -EINVAL;
	if (start < u->sys->mmap_min_addr)
		return -EINVAL;
	if (start >= u->task_size)
		return -EINVAL;
	if (len > u->task_size - start)
		return -EINVAL;
	if (start + len <= start)
		return -EINVAL;
	return 0;
}

/* fs/userfaultfd.c validate_range(): the start page-aligned too. */
static long validate_range(const struct vms_uffd *u, uint64_t start, uint64_t len)
{
	if (start & ~PAGE_MASK)
		return -EINVAL;
	return validate_unaligned_range(u, start, len);
}

/* mm/shmem.c vma_is_shmem(): shared anonymous memory (shmem_anon_vm_ops)
 * and any mapping of a tmpfs file (shmem_vm_ops), private ones too; a System
 * V attach has shm_vm_ops and is not. */
static bool vma_is_shmem_any(const struct vms_vma *v)
{
	if (v->kind == VMA_SHMEM)
		return true;
	return v->kind == VMA_PLAIN && v->file && (v->file->inode->flags & VMS_INODE_SHMEM);
}

/* include/linux/userfaultfd_k.h vma_can_userfault(). */
static bool vma_can_userfault(const struct vms_vma *v, uint64_t vm_flags, bool wp_async,
			      uint32_t kernel_features)
{
	vm_flags &= VM_UFFD_FLAGS;
	/* MAP_DROPPABLE pages may vanish under the handler's feet. */
	if (v->flags & VM_DROPPABLE)
		return false;
	/* Minor faults need a page cache: shmem or hugetlbfs. */
	if ((vm_flags & VM_UFFD_MINOR) && !vma_is_hugetlb(v) && !vma_is_shmem_any(v))
		return false;
	/* Asynchronous write protection alone works on any memory. */
	if (wp_async && vm_flags == VM_UFFD_WP)
		return true;
	/* Without CONFIG_PTE_MARKER_UFFD_WP (the kernel then offers no
	 * WP_HUGETLBFS_SHMEM) write protection is for anonymous memory only. */
	if ((vm_flags & VM_UFFD_WP) && !(kernel_features & UFFD_FEATURE_WP_HUGETLBFS_SHMEM) &&
	    !vma_is_anonymous(v))
		return false;
	return vma_is_anonymous(v) || vma_is_hugetlb(v) || vma_is_shmem_any(v);
}

static uint64_t hpage_size_of(const struct vms_vma *v)
{
	return v->file ? v->file->inode->hpage_size : PMD_SIZE;
}

/* userfaultfd_set_ctx() / userfaultfd_reset_ctx(): the modes and the
 * context change together. */
static void set_ctx(struct vms_vma *v, uint8_t id, uint64_t modes)
{
	v->flags = (v->flags & ~VM_UFFD_FLAGS) | modes;
	v->uffd = id;
}

/*
 * vma_modify_flags_uffd(): [start, end) of v gets the modes and context,
 * merging or splitting as mprotect does. *out is the VMA that covers the
 * range afterwards. give_up_on_oom (a whole VMA being cleared): when the
 * model's reserve runs dry the VMA changes in place, without the merge.
 */
static int modify_uffd(struct vma_walk *w, struct vms_vma *v, uint64_t start, uint64_t end,
		       uint64_t modes, uint8_t id, bool give_up_on_oom, struct vms_vma **out)
{
	*out = v;
	int err = vma_walk_reserve(w);
	if (err) {
		if (!give_up_on_oom)
			return err;
		set_ctx(v, id, modes);
		return 0;
	}
	struct vma_merge vmg = {
		.mm = w->mm,
		.middle = v,
		.start = start,
		.end = end,
		.flags = (v->flags & ~VM_UFFD_FLAGS) | modes,
		.anon_name = v->anon_name,
		.mpol = v->mpol,
		.uffd = id,
	};
	struct vms_vma *r = vma_modify(&vmg, &err);
	if (!r)
		return err;
	set_ctx(r, id, modes);
	*out = r;
	return 0;
}

long vms_uffdio_register(vms_uffd *u, uint64_t start, uint64_t len, uint64_t mode,
			 uint64_t *ioctls_out)
{
	if (!u->initialized)
		return -EINVAL;
	if (!mode || (mode & ~UFFD_API_REGISTER_MODES))
		return -EINVAL;
	uint64_t vm_flags = 0;
	if (mode & VMS_UFFDIO_REGISTER_MODE_MISSING)
		vm_flags |= VM_UFFD_MISSING;
	if (mode & VMS_UFFDIO_REGISTER_MODE_WP)
		vm_flags |= VM_UFFD_WP;
	if (mode & VMS_UFFDIO_REGISTER_MODE_MINOR)
		vm_flags |= VM_UFFD_MINOR;
	long ret = validate_range(u, start, len);
	if (ret)
		return ret;
	uint64_t end = start + len;
	struct vms_mm *mm = u->mm;
	if (!mm)
		return -ENOMEM; /* mmget_not_zero() */
	bool wp_async = u->features & UFFD_FEATURE_WP_ASYNC;
	struct vms_vma *v = find_vma_intersection(mm, start, end);
	if (!v)
		return -EINVAL;
	/* A hugetlb range starts and ends on huge page boundaries. */
	if (vma_is_hugetlb(v) && (start & (hpage_size_of(v) - 1)))
		return -EINVAL;
	bool basic_ioctls = false;
	for (struct vms_vma *cur = v; cur && cur->start < end; cur = vma_next(mm, cur)) {
		if (!vma_can_userfault(cur, vm_flags, wp_async, u->sys->uffd_features))
			return -EINVAL;
		/* UFFDIO_COPY fills holes of a file even without PROT_WRITE:
		 * the file must be writable (and stay so: no write seal). */
		if (!(cur->flags & VM_MAYWRITE))
			return -EPERM;
		if (vma_is_hugetlb(cur) && end <= cur->end && end > cur->start &&
		    (end & (hpage_size_of(cur) - 1)))
			return -EINVAL;
		/* One context per VMA: faults must know whom to tell. */
		if (cur->uffd && cur->uffd != u->id)
			return -EBUSY;
		if (vma_is_hugetlb(cur))
			basic_ioctls = true;
	}

	/* mm/userfaultfd.c userfaultfd_register_range(). */
	struct vma_walk w = {.mm = mm, .start = start, .end = end};
	uint64_t cursor = start;
	while (v && v->start < end) {
		/* Already registered to this context with these modes (and
		 * maybe more): nothing to do. */
		if (!(v->uffd == u->id && (v->flags & vm_flags) == vm_flags)) {
			uint64_t s = max_u64(cursor, v->start), e = min_u64(end, v->end);
			struct vms_vma *r;
			ret = modify_uffd(&w, v, s, e, vm_flags, u->id, false, &r);
			if (ret)
				return ret;
			v = r;
		}
		cursor = v->end;
		if (cursor >= end)
			break;
		v = vma_next(mm, v);
	}
	uint64_t ioctls = basic_ioctls ? UFFD_API_RANGE_IOCTLS_BASIC : UFFD_API_RANGE_IOCTLS;
	/* WRITEPROTECT only for WP ranges, CONTINUE only for MINOR ones. */
	if (!(mode & VMS_UFFDIO_REGISTER_MODE_WP))
		ioctls &= ~IOC(WRITEPROTECT);
	if (!(mode & VMS_UFFDIO_REGISTER_MODE_MINOR))
		ioctls &= ~IOC(CONTINUE);
	if (ioctls_out)
		*ioctls_out = ioctls;
	return 0;
}

long vms_uffdio_unregister(vms_uffd *u, uint64_t start, uint64_t len)
{
	if (!u->initialized)
		return -EINVAL;
	long ret = validate_range(u, start, len);
	if (ret)
		return ret;
	uint64_t end = start + len;
	struct vms_mm *mm = u->mm;
	if (!mm)
		return -ENOMEM;
	bool wp_async = u->features & UFFD_FEATURE_WP_ASYNC;
	struct vms_vma *v = find_vma_intersection(mm, start, end);
	if (!v)
		return -EINVAL;
	if (vma_is_hugetlb(v) && (start & (hpage_size_of(v) - 1)))
		return -EINVAL;
	for (struct vms_vma *cur = v; cur && cur->start < end; cur = vma_next(mm, cur)) {
		/* Only the context that registered a VMA may unregister it. */
		if (cur->uffd && cur->uffd != u->id)
			return -EINVAL;
		/* Not strictly needed (such VMAs are never registered), but
		 * the kernel refuses them to catch mistakes. */
		if (!vma_can_userfault(cur, cur->flags, wp_async, u->sys->uffd_features))
			return -EINVAL;
	}
	struct vma_walk w = {.mm = mm, .start = start, .end = end};
	uint64_t cursor = start;
	while (v && v->start < end) {
		if (v->uffd) {
			/* userfaultfd_clear_vma(). */
			uint64_t s = max_u64(cursor, v->start), e = min_u64(end, v->end);
			bool whole = s == v->start && e == v->end;
			struct vms_vma *r;
			ret = modify_uffd(&w, v, s, e, 0, 0, whole, &r);
			if (ret)
				return ret;
			v = r;
		}
		cursor = v->end;
		if (cursor >= end)
			break;
		v = vma_next(mm, v);
	}
	return 0;
}

/* mm/userfaultfd.c userfaultfd_release_all(): every VMA of the context is
 * cleared whole, merging with its neighbours. */
static void release_all(struct vms_uffd *u)
{
	struct vms_mm *mm = u->mm;
	if (!mm)
		return;
	struct vma_walk w = {.mm = mm, .start = 0, .end = mm->task_size};
	for (struct vms_vma *v = find_vma(mm, 0); v; v = vma_next(mm, v)) {
		if (v->uffd != u->id)
			continue;
		struct vms_vma *r;
		/* Whole VMAs only: give_up_on_oom, so this cannot fail. */
		(void)modify_uffd(&w, v, v->start, v->end, 0, 0, true, &r);
		v = r;
	}
}

void vms_uffd_close(vms_uffd *u)
{
	if (!u)
		return;
	release_all(u);
	uffd_free(u);
}

vms_uffd *vms_vma_uffd(const vms_mm *mm, const vms_vma *vma)
{
	return uffd_ctx(mm, vma->uffd);
}

long vms_uffd_adopt(vms_uffd *u)
{
	if (u->open)
		return -EBUSY;
	u->open = true;
	return 0;
}

/* ---- UFFDIO_COPY, UFFDIO_ZEROPAGE (mm/userfaultfd.c mfill_atomic) ---- */

static long mfill(struct vms_uffd *u, uint64_t dst, uint64_t len, bool zeropage, bool wp,
		  int64_t *done)
{
	struct vms_mm *mm = u->mm;
	/* uffd_mfill_lock(): the VMA holding dst, prepared for anonymous
	 * pages when private (before the range is even checked). */
	struct vms_vma *v = find_vma(mm, dst);
	long err = -ENOENT;
	if (!v || v->start > dst)
		goto out;
	if (!(v->flags & VM_SHARED)) {
		if (anon_vma_prepare(mm, v)) {
			err = -ENOMEM;
			goto out;
		}
	}
	/* validate_dst_vma(): inside one VMA, and a registered one. */
	if (dst + len > v->end || !v->uffd)
		goto out;
	err = -EINVAL;
	if (wp && !(v->flags & VM_UFFD_WP))
		goto out;
	if (vma_is_hugetlb(v)) {
		err = -ENOSYS; /* not modelled: which huge pages are in use */
		goto out;
	}
	if (!vma_is_anonymous(v) && !vma_is_shmem_any(v))
		goto out;
	/* Page by page until one is already mapped (pte not none: a page,
	 * the zero page or a guard marker), or one of a file past its end
	 * (mfill_file_over_size, shmem_mfill_atomic_pte: EFAULT, checked
	 * first; breadth seed 4041). */
	uint64_t stop = dst, eof = vma_eof_addr(v);
	while (stop < dst + len && stop < eof && rss_type_at(mm, stop) < 0)
		stop += PAGE_SIZE;
	if (stop == dst) {
		err = dst >= eof ? -EFAULT : -EEXIST;
		goto out;
	}
	if (rss_reserve(mm, rss_ranges_in(mm, dst, stop) + 2)) {
		err = -ENOMEM;
		goto out;
	}
	/* A private mapping gets anonymous pages (or the zero page); a shared
	 * one pages of its shmem object (shmem_mfill_atomic_pte). */
	enum rss_type type;
	if (v->flags & VM_SHARED)
		type = RSS_SHMEM;
	else
		type = zeropage ? RSS_ZERO : RSS_ANON;
	rss_fill(mm, dst, stop, type);
	update_hiwater_rss(mm);
	*done = (int64_t)(stop - dst);
	return (long)(stop - dst);
out:
	*done = err;
	return err;
}

long vms_uffdio_copy(vms_uffd *u, uint64_t dst, uint64_t src, uint64_t len, uint64_t mode,
		     int64_t *done)
{
	int64_t dummy;
	if (!done)
		done = &dummy;
	if (!u->initialized)
		return -EINVAL;
	long ret = validate_unaligned_range(u, src, len);
	if (ret)
		return ret;
	ret = validate_range(u, dst, len);
	if (ret)
		return ret;
	if (mode & ~(VMS_UFFDIO_COPY_MODE_DONTWAKE | VMS_UFFDIO_COPY_MODE_WP))
		return -EINVAL;
	if (!u->mm)
		return -ESRCH;
	ret = mfill(u, dst, len, false, mode & VMS_UFFDIO_COPY_MODE_WP, done);
	if (ret < 0)
		return ret;
	return (uint64_t)ret == len ? 0 : -EAGAIN;
}

long vms_uffdio_zeropage(vms_uffd *u, uint64_t start, uint64_t len, uint64_t mode,
			 int64_t *done)
{
	int64_t dummy;
	if (!done)
		done = &dummy;
	if (!u->initialized)
		return -EINVAL;
	long ret = validate_range(u, start, len);
	if (ret)
		return ret;
	if (mode & ~VMS_UFFDIO_ZEROPAGE_MODE_DONTWAKE)
		return -EINVAL;
	if (!u->mm)
		return -ESRCH;
	ret = mfill(u, start, len, true, false, done);
	if (ret < 0)
		return ret;
	return (uint64_t)ret == len ? 0 : -EAGAIN;
}

/* ---- hooks: fork, mremap, exit ---- */

int uffd_fork_contexts(struct vms_mm *parent, struct vms_mm *child)
{
	uint8_t wanted[256] = {0};
	struct vt_cursor c;
	for (const struct vms_vma *v = vt_first(&parent->tree, &c); v; v = vt_next(&c))
		if (v->uffd && !(v->flags & VM_DONTCOPY))
			wanted[v->uffd] = 1;
	for (unsigned id = 1; id < 256; id++) {
		if (!wanted[id])
			continue;
		struct vms_uffd *o = uffd_ctx(parent, (uint8_t)id);
		if (!o || !(o->features & UFFD_FEATURE_EVENT_FORK))
			continue;
		/* The child's context keeps the number: the copied VMAs carry it. */
		struct vms_uffd *n = sys_calloc(parent->sys, 1, sizeof(*n));
		if (!n)
			return -ENOMEM;
		*n = *o;
		n->mm = child;
		n->open = false;
		n->next = parent->sys->uffds;
		parent->sys->uffds = n;
	}
	return 0;
}

void uffd_dup_vma(struct vms_mm *child, struct vms_vma *v)
{
	if (v->uffd && !uffd_ctx(child, v->uffd))
		set_ctx(v, 0, 0);
}

void uffd_mremap_prep(struct vms_mm *mm, struct vms_vma *v)
{
	struct vms_uffd *u = uffd_ctx(mm, v->uffd);
	if (u && !(u->features & UFFD_FEATURE_EVENT_REMAP))
		set_ctx(v, 0, 0);
}

void uffd_mm_exit(struct vms_mm *mm)
{
	struct vms_uffd **pp = &mm->sys->uffds;
	while (*pp) {
		struct vms_uffd *u = *pp;
		if (u->mm != mm) {
			pp = &u->next;
			continue;
		}
		u->mm = NULL;
		/* A fork context no file refers to dies with its mm. */
		if (!u->open) {
			*pp = u->next;
			sys_free(mm->sys, u);
			continue;
		}
		pp = &u->next;
	}
}

void uffd_sys_release(vms_sys *sys)
{
	while (sys->uffds) {
		struct vms_uffd *u = sys->uffds;
		sys->uffds = u->next;
		sys_free(sys, u);
	}
}
