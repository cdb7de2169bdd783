/*
 * mmap.c: the mmap and munmap system calls (arch/x86/kernel/sys_x86_64.c
 * sys_mmap, mm/mmap.c ksys_mmap_pgoff/do_mmap, mm/util.c vm_mmap_pgoff,
 * mm/vma.c __mmap_region), and remap_file_pages, which the kernel emulates
 * with mmap (mm/mmap.c). Checks run in the kernel's order so that the errno
 * matches when several things are wrong at once.
 */
#include <errno.h>
#include <string.h>

#include "accounting.h"
#include "fault.h"
#include "file.h"
#include "mmap.h"
#include "pkeys.h"
#include "prctl.h"
#include "rss.h"
#include "shm.h"
#include "unmapped_area.h"
#include "vma.h"

#define LEGACY_MAP_MASK                                                                      \
	(VMS_MAP_SHARED | VMS_MAP_PRIVATE | VMS_MAP_FIXED | VMS_MAP_ANONYMOUS |              \
	 VMS_MAP_DENYWRITE | VMS_MAP_EXECUTABLE | VMS_MAP_UNINITIALIZED | VMS_MAP_GROWSDOWN | \
	 VMS_MAP_LOCKED | VMS_MAP_NORESERVE | VMS_MAP_POPULATE | VMS_MAP_NONBLOCK |          \
	 VMS_MAP_STACK | VMS_MAP_HUGETLB | VMS_MAP_32BIT | MAP_ABOVE4G |                     \
	 VMS_MAP_HUGE_2MB | VMS_MAP_HUGE_1GB)
#define MAP_ABOVE4G 0x80
#define MAP_DROPPABLE 0x08
#define VM_DROPPABLE (1ULL << 40)

static uint64_t calc_vm_prot_bits(unsigned long prot)
{
	return (prot & VMS_PROT_READ ? VM_READ : 0) | (prot & VMS_PROT_WRITE ? VM_WRITE : 0) |
	       (prot & VMS_PROT_EXEC ? VM_EXEC : 0);
}

static uint64_t calc_vm_flag_bits(unsigned long flags)
{
	return (flags & VMS_MAP_GROWSDOWN ? VM_GROWSDOWN : 0) |
	       (flags & VMS_MAP_LOCKED ? VM_LOCKED : 0) | (flags & VMS_MAP_SYNC ? VM_SYNC : 0) |
	       (flags & VMS_MAP_STACK ? VM_NOHUGEPAGE : 0);
}

struct hugetlb_pool *hugetlb_pool_of(vms_sys *sys, uint64_t size)
{
	/* mm/hugetlb.c size_to_hstate(): a size the kernel has no hstate for
	 * (1 GiB without pdpe1gb, hugetlb.*.present) is no pool at all. */
	for (int i = 0; i < 2; i++)
		if (sys->huge[i].page_size == size && sys->huge[i].present)
			return &sys->huge[i];
	return NULL;
}

/* What the file's ->mmap (or ->mmap_prepare) makes of the VMA: the vm_ops
 * the kernel would give it. */
static uint8_t file_vma_kind(const struct vms_file *file, uint64_t vm_flags)
{
	if (file->shm)
		return VMA_SHM; /* ipc/shm.c shm_mmap() */
	if (file_is_hugetlb(file))
		return VMA_HUGETLB;
	/* drivers/char/mem.c mmap_zero(): a private (or read-only shared)
	 * mapping of /dev/zero is anonymous memory that keeps the file. */
	if ((file->inode->flags & VMS_INODE_DEVZERO) && !(vm_flags & VM_SHARED))
		return VMA_ANON_FILE;
	if (file_is_shmem(file))
		return VMA_SHMEM;
	return VMA_PLAIN;
}

/* The file's ->mmap hook, run after the old range is gone: hugetlbfs checks
 * alignment and reserves pages; secretmem wants a shared mapping it may lock;
 * filesystems without DAX refuse VM_SYNC. */
static int file_mmap_hook(struct vms_mm *mm, struct vms_file *file, uint64_t len, uint64_t pgoff,
			  uint64_t *vm_flags)
{
	struct vms_inode *ino = file->inode;
	/* ipc/shm.c shm_mmap() -> __shm_open(): remap_file_pages() of an
	 * attach whose segment was removed (IPC_RMID) finds no segment when
	 * the range it replaces held the last attach, closed before this
	 * hook (vms_clean_up_area): EINVAL, and the range is left a gap. */
	if (file->shm && !shm_attach_alive(mm->sys, file))
		return -EINVAL;
	if (file_is_hugetlb(file)) {
		uint64_t hps = ino->hpage_size;
		if (pgoff & ((hps >> PAGE_SHIFT) - 1))
			return -EINVAL;
		*vm_flags |= VM_HUGETLB | VM_DONTEXPAND;
		/* fs/hugetlbfs hugetlbfs_file_mmap(): a System V segment's file
		 * (S_PRIVATE) reserved its pages, or chose not to, at shmget. */
		if (!(*vm_flags & VM_NORESERVE) && !file->shm) {
			struct hugetlb_pool *p = hugetlb_pool_of(mm->sys, hps);
			uint64_t need = len / hps;
			bool ok = p && p->free >= p->rsvd + need;
			if (ev_on(mm->sys))
				ev_limit(mm, "hugetlb_reserve_pages", VMS_LIMIT_HUGETLB, ok, need,
					 p ? p->rsvd : 0, p ? p->free : 0);
			if (!ok)
				return -ENOMEM;
			p->rsvd += need;
			ino->huge_rsvd += need;
		}
		return 0;
	}
	if (ino->flags & VMS_INODE_SECRETMEM) {
		/* mm/secretmem.c secretmem_mmap_prepare() */
		if (!(*vm_flags & (VM_SHARED | VM_MAYSHARE)))
			return -EINVAL;
		if (!mlock_future_ok(mm, *vm_flags | VM_LOCKED, len))
			return -EAGAIN;
		*vm_flags |= VM_LOCKED | VM_DONTDUMP;
		return 0;
	}
	if ((*vm_flags & VM_SYNC) && ino->dev_major != 0 && !(ino->flags & VMS_INODE_DAX))
		return -EOPNOTSUPP;
	return 0;
}

/* mm/vma.c __mmap_region(): replace what [addr, addr+len) held, charge, then
 * merge with a neighbour or link a new VMA. */
static long mmap_region(struct vms_mm *mm, struct vms_file *file, uint64_t addr, uint64_t len,
			uint64_t vm_flags, uint64_t pgoff)
{
	uint64_t end = addr + len, pglen = len >> PAGE_SHIFT;
	struct vms_file *shmem = NULL;
	/* Memory-deny-write-execute (prctl PR_SET_MDWE): no new W+X mapping. */
	if (map_deny_write_exec(mm, vm_flags, vm_flags))
		return -EACCES;
	int err = mm_reserve_range(mm, file, addr, end);
	if (err)
		return err;
	/* drivers/char/mem.c mmap_zero(): a shared mapping of /dev/zero gets
	 * a shmem object as a shared anonymous one does (keeping its pgoff). */
	bool zero_setup = (vm_flags & VM_SHARED) &&
			  (!file || (file->inode->flags & VMS_INODE_DEVZERO));
	if (zero_setup) {
		/* shmem_zero_setup()'s file, made early so that running out of
		 * memory here changes nothing. */
		shmem = file_new_shmem(mm->sys, len);
		if (!shmem || file_rmap_reserve(shmem, 1)) {
			if (shmem)
				file_put(shmem);
			return -ENOMEM;
		}
	}
	struct munmap_tally t;
	err = munmap_gather(mm, addr, end, &t);
	if (err)
		goto out_shmem;
	if (!may_expand_vm(mm, vm_flags, pglen - t.nr_pages)) {
		err = -ENOMEM;
		goto out_shmem;
	}
	uint64_t charged = 0;
	if (accountable_mapping(file, vm_flags)) {
		charged = pglen - t.nr_accounted;
		if (charged && vm_enough_memory(mm, charged)) {
			err = -ENOMEM;
			goto out_shmem;
		}
		t.nr_accounted = 0;
		vm_flags |= VM_ACCOUNT;
	}
	/* From here the old range is gone whatever happens (vms_clean_up_area).
	 * A single VMA that covered exactly the range stays indexed as a
	 * placeholder until the new VMA is stored over it. */
	struct vms_vma *old;
	munmap_complete(mm, addr, end, &t, &old);
	if (file && !shmem) {
		err = file_mmap_hook(mm, file, len, pgoff, &vm_flags);
	} else if (shmem && !(vm_flags & VM_NORESERVE)) {
		/* shmem_acct_size(): shared anonymous memory is charged by shmem. */
		err = vm_enough_memory(mm, pglen);
		if (!err)
			shmem->inode->shmem_charged = pglen;
	}
	if (err) {
		if (old)
			vma_drop_placeholder(mm, old);
		vm_unacct_memory(mm->sys, charged);
		goto out_shmem;
	}
	struct vms_vma *vma = NULL, *prev, *next;
	if (old) {
		struct vt_cursor c, d;
		vt_find(&mm->tree, addr, &c);
		d = c;
		prev = vt_prev(&c);
		next = vt_next(&d);
	} else {
		prev = vma_before(mm, addr);
		next = find_vma(mm, end);
	}
	if ((prev || next) && !shmem) {
		/* Every member named: a partial initializer zero-fills the
		 * struct first with a slow string store. */
		struct vma_merge vmg = {
			.mm = mm,
			.prev = prev,
			.middle = NULL,
			.next = next,
			.target = NULL,
			.start = addr,
			.end = end,
			.pgoff = pgoff,
			.flags = vm_flags,
			.file = file,
			.anon_vma = NULL,
			.anon_name = NULL,
			.just_expand = false,
			.placeholder = old,
		};
		vma = vma_merge_new_range(&vmg);
		if (vma)
			old = NULL; /* merged away */
	}
	if (!vma) {
		vma = vma_take(mm);
		vma->start = addr;
		vma->end = end;
		vma->pgoff = pgoff;
		vma->flags = vm_flags;
		if (shmem) {
			vma->file = shmem;
			vma->kind = VMA_SHMEM;
			shmem = NULL;
		} else if (file) {
			vma->file = file;
			file_get(file);
			vma->kind = file_vma_kind(file, vm_flags);
		}
		if (old)
			vma_replace_placeholder(mm, old, vma);
		else
			vma_link(mm, vma);
		if (ev_on(mm->sys))
			ev_vma(mm, VMS_EV_VMA_NEW, vma, VMS_WHY_MMAP, "__mmap_region");
	}
	/* __mmap_complete(): what mlock_fixup() would not lock, MCL_FUTURE's
	 * VM_LOCKED does not lock either; a droppable mapping included (live,
	 * 6.18: mlockall(MCL_FUTURE) then mmap(MAP_DROPPABLE) has no "lo" in
	 * VmFlags and msync(MS_INVALIDATE) on it is 0, not EBUSY). */
	vm_stat_account(mm, vma->flags, (int64_t)pglen);
	if (vm_flags & VM_LOCKED) {
		if ((vm_flags & (VM_SPECIAL | VM_DROPPABLE)) || vma_is_hugetlb(vma))
			vma->flags &= ~(VM_LOCKED | VM_LOCKONFAULT);
		else
			mm->locked_vm += pglen;
	}
	return (long)addr;
out_shmem:
	if (shmem)
		file_put(shmem);
	return err;
}

/* What became of the caller's address, for an observer (VMS_EV_HINT). */
static ev_cold void ev_hint(const struct vms_mm *mm, int verdict, uint64_t addr, uint64_t len,
			    const struct vms_vma *in_way, const char *rule)
{
	struct vms_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.u.hint.verdict = verdict;
	ev.u.hint.floor = verdict == VMS_HINT_RAISED ? effective_mmap_min_addr(mm->sys) : 0;
	ev.u.hint.vma_start = in_way ? in_way->start : 0;
	ev_emit(mm, VMS_EV_HINT, rule, addr, addr + len, &ev);
}

/* mm/mmap.c round_hint_to_min(). */
static uint64_t round_hint_to_min(const vms_sys *sys, uint64_t hint)
{
	hint &= PAGE_MASK;
	uint64_t min = effective_mmap_min_addr(sys);
	if (hint && hint < min)
		return PAGE_ALIGN(min);
	return hint;
}

/* mm/memfd.c memfd_check_seals_mmap(): a write-sealed file takes no new
 * shared writable mapping, and a shared read-only one may never become one. */
static int check_write_seals(const struct vms_inode *ino, uint64_t *vm_flags)
{
	if (!(ino->seals & (VMS_F_SEAL_WRITE | VMS_F_SEAL_FUTURE_WRITE)) ||
	    !(*vm_flags & VM_SHARED))
		return 0;
	if (*vm_flags & VM_WRITE)
		return -EPERM;
	*vm_flags &= ~VM_MAYWRITE;
	return 0;
}

/* mm/mmap.c do_mmap(). vm_flags_in: flags the caller adds (a shadow stack's).
 * *populate is set to the length to fault in. */
long do_mmap(struct vms_mm *mm, struct vms_file *file, uint64_t addr, uint64_t len,
	     unsigned long prot, unsigned long flags, uint64_t vm_flags_in, uint64_t pgoff,
	     uint64_t *populate)
{
	vms_sys *sys = mm->sys;
	*populate = 0;
	if (!len)
		return -EINVAL;
	bool noexec = file && (file->inode->flags & VMS_INODE_NOEXEC);
	if ((prot & VMS_PROT_READ) && (mm->personality & VMS_READ_IMPLIES_EXEC) && !noexec)
		prot |= VMS_PROT_EXEC;
	if (flags & VMS_MAP_FIXED_NOREPLACE)
		flags |= VMS_MAP_FIXED;
	if (!(flags & VMS_MAP_FIXED)) {
		uint64_t hint = addr;
		addr = round_hint_to_min(sys, addr);
		if (ev_on(sys) && addr != (hint & PAGE_MASK))
			ev_hint(mm, VMS_HINT_RAISED, hint, PAGE_ALIGN(len), NULL, "round_hint_to_min");
	} else if (ev_on(sys) && !(flags & VMS_MAP_FIXED_NOREPLACE)) {
		ev_hint(mm, VMS_HINT_FIXED, addr, PAGE_ALIGN(len), NULL, "do_mmap");
	}
	len = PAGE_ALIGN(len);
	if (!len)
		return -ENOMEM;
	if (pgoff + (len >> PAGE_SHIFT) < pgoff)
		return -EOVERFLOW;
	if (mm_map_count(mm) > sys->max_map_count) {
		if (ev_on(sys))
			ev_limit(mm, "do_mmap", VMS_LIMIT_MAP_COUNT, 0, 1, mm_map_count(mm),
				 sys->max_map_count);
		return -ENOMEM;
	}
	uint64_t vm_flags = vm_flags_in | calc_vm_prot_bits(prot) | calc_vm_flag_bits(flags) |
			    mm->def_flags | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
	long r = get_unmapped_area(mm, file, addr, len, pgoff, flags, vm_flags);
	if (IS_ERR_VALUE(r))
		return r;
	addr = (uint64_t)r;
	if (flags & VMS_MAP_FIXED_NOREPLACE) {
		struct vms_vma *in_way = find_vma_intersection(mm, addr, addr + len);
		if (ev_on(sys))
			ev_hint(mm, in_way ? VMS_HINT_NOREPLACE : VMS_HINT_TAKEN, addr, len, in_way,
				"do_mmap");
		if (in_way)
			return -EEXIST;
	}
	/* Execute-only memory takes the execute-only protection key (allocated
	 * now, even if the mapping then fails). */
	if (prot == VMS_PROT_EXEC) {
		int pkey = execute_only_pkey(mm);
		vm_flags |= pkey_vm_flags(pkey < 0 ? 0 : pkey);
	}
	if ((flags & VMS_MAP_LOCKED) && !can_do_mlock(mm))
		return -EPERM;
	if (!mlock_future_ok(mm, vm_flags, len))
		return -EAGAIN;
	if (file) {
		struct vms_inode *ino = file->inode;
		int acc = file->oflags & 3;
		bool can_read = acc == VMS_O_RDONLY || acc == VMS_O_RDWR;
		bool can_write = acc == VMS_O_WRONLY || acc == VMS_O_RDWR;
		/* file_mmap_ok(): regular files end at MAX_LFS_FILESIZE. */
		const uint64_t maxsize = (uint64_t)INT64_MAX;
		if (len > maxsize || pgoff > (maxsize - len) >> PAGE_SHIFT)
			return -EOVERFLOW;
		/* Disk filesystems (ext4, xfs) declare FOP_MMAP_SYNC and refuse a
		 * non-DAX VM_SYNC later, in their ->mmap; tmpfs, hugetlbfs,
		 * secretmem and devices refuse it here. */
		unsigned long mask = LEGACY_MAP_MASK;
		if (ino->dev_major != 0 &&
		    !(ino->flags & (VMS_INODE_DIRECTORY | VMS_INODE_NOMMAP | VMS_INODE_SHMEM |
				    VMS_INODE_HUGETLBFS | VMS_INODE_DEVZERO | VMS_INODE_SECRETMEM)))
			mask |= VMS_MAP_SYNC;
		switch (flags & VMS_MAP_TYPE) {
		case VMS_MAP_SHARED:
			/* Unknown flags with plain MAP_SHARED are ignored for
			 * compatibility; MAP_SHARED_VALIDATE refuses them. */
			flags &= LEGACY_MAP_MASK;
			/* fallthrough */
		case VMS_MAP_SHARED_VALIDATE:
			if (flags & ~mask)
				return -EOPNOTSUPP;
			if ((prot & VMS_PROT_WRITE) && !can_write)
				return -EACCES;
			if ((ino->flags & VMS_INODE_APPEND) && can_write)
				return -EACCES;
			vm_flags |= VM_SHARED | VM_MAYSHARE;
			if (!can_write)
				vm_flags &= ~(VM_MAYWRITE | VM_SHARED);
			/* fallthrough */
		case VMS_MAP_PRIVATE:
			if (!can_read)
				return -EACCES;
			if (noexec) {
				if (vm_flags & VM_EXEC)
					return -EPERM;
				vm_flags &= ~VM_MAYEXEC;
			}
			if (ino->flags & (VMS_INODE_NOMMAP | VMS_INODE_DIRECTORY))
				return -ENODEV;
			if (vm_flags & VM_GROWSDOWN)
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
		int err = check_write_seals(ino, &vm_flags);
		if (err)
			return err;
	} else {
		switch (flags & VMS_MAP_TYPE) {
		case VMS_MAP_SHARED:
			if (vm_flags & VM_GROWSDOWN)
				return -EINVAL;
			pgoff = 0;
			vm_flags |= VM_SHARED | VM_MAYSHARE;
			break;
		case MAP_DROPPABLE:
			if (flags & (VMS_MAP_LOCKED | VMS_MAP_HUGETLB))
				return -EINVAL;
			if (vm_flags & VM_GROWSDOWN)
				return -EINVAL;
			vm_flags |= VM_DROPPABLE | VM_NORESERVE | VM_WIPEONFORK | VM_DONTDUMP;
			/* fallthrough */
		case VMS_MAP_PRIVATE:
			/* The anon_vma rmap wants pgoff to follow the address. */
			pgoff = addr >> PAGE_SHIFT;
			break;
		default:
			return -EINVAL;
		}
	}
	if (flags & VMS_MAP_NORESERVE) {
		if (sys->overcommit_memory != 2)
			vm_flags |= VM_NORESERVE;
		if (file && file_is_hugetlb(file))
			vm_flags |= VM_NORESERVE;
	}
	r = mmap_region(mm, file, addr, len, vm_flags, pgoff);
	if (!IS_ERR_VALUE(r) && ((vm_flags & VM_LOCKED) ||
		       (flags & (VMS_MAP_POPULATE | VMS_MAP_NONBLOCK)) == VMS_MAP_POPULATE))
		*populate = len;
	return r;
}

long vms_mmap(vms_mm *mm, uint64_t addr, uint64_t len, int prot_in, int flags_in, vms_file *file,
	      uint64_t offset)
{
	unsigned long prot = (unsigned int)prot_in, flags = (unsigned int)flags_in;
	/* sys_mmap(): the byte offset must be page aligned. */
	if (offset & ~PAGE_MASK)
		return -EINVAL;
	uint64_t pgoff = offset >> PAGE_SHIFT;
	struct vms_file *huge = NULL;
	/* ksys_mmap_pgoff() */
	if (!(flags & VMS_MAP_ANONYMOUS)) {
		if (!file)
			return -EBADF;
		if (file_is_hugetlb(file)) {
			uint64_t hps = file->inode->hpage_size;
			len = (len + hps - 1) & ~(hps - 1);
		} else if (flags & VMS_MAP_HUGETLB) {
			return -EINVAL;
		}
	} else {
		file = NULL;
		if (flags & VMS_MAP_HUGETLB) {
			unsigned log = (flags >> VMS_MAP_HUGE_SHIFT) & VMS_MAP_HUGE_MASK;
			uint64_t hps = log == 0 ? mm->sys->hugetlb_default_size
					       : log < 64 ? 1ULL << log : 0;
			if (!hugetlb_pool_of(mm->sys, hps))
				return -EINVAL;
			len = (len + hps - 1) & ~(hps - 1);
			if (!len)
				return -EINVAL;
			huge = file_new_hugetlb_anon(mm->sys, len, hps);
			if (!huge)
				return -ENOMEM;
			file = huge;
		}
	}
	uint64_t populate;
	long r = do_mmap(mm, file, addr, len, prot, flags, 0, pgoff, &populate);
	if (huge)
		file_put(huge);
	if (!IS_ERR_VALUE(r) && populate)
		mm_populate(mm, (uint64_t)r, (uint64_t)r + populate);
	return r;
}

long do_mmap_flags(struct vms_mm *mm, struct vms_file *file, uint64_t addr, uint64_t len,
		   unsigned long prot, unsigned long flags, uint64_t vm_flags, uint64_t pgoff)
{
	uint64_t unused;
	return do_mmap(mm, file, addr, len, prot, flags, vm_flags, pgoff, &unused);
}

long vms_munmap(vms_mm *mm, uint64_t start, uint64_t len)
{
	/* mm/vma.c do_vmi_munmap() */
	if (offset_in_page(start) || start > mm->task_size || len > mm->task_size - start)
		return -EINVAL;
	uint64_t end = start + PAGE_ALIGN(len);
	if (end == start)
		return -EINVAL;
	int err = mm_reserve_range(mm, NULL, start, end);
	if (err)
		return err;
	return unmap_range(mm, start, end);
}

/*
 * mm/mmap.c remap_file_pages(): the deprecated nonlinear-mapping call, which
 * the kernel emulates with an mmap of the same file over the range: the new
 * mapping takes the VMA's protection (prot must be 0), MAP_SHARED |
 * MAP_FIXED | MAP_POPULATE (MAP_NONBLOCK kept from flags, MAP_LOCKED from a
 * locked VMA) and the given pgoff, and replaces [start, start + size) like
 * any MAP_FIXED, seals included. start and size are rounded down to pages.
 */
long vms_remap_file_pages(vms_mm *mm, uint64_t start, uint64_t size, unsigned long prot,
			  uint64_t pgoff, unsigned long flags)
{
	if (prot)
		return -EINVAL;
	start &= PAGE_MASK;
	size &= PAGE_MASK;
	if (start + size <= start)
		return -EINVAL;
	if (pgoff + (size >> PAGE_SHIFT) < pgoff)
		return -EINVAL;
	/* Only a shared mapping (of a file opened for writing, or shmem). */
	struct vms_vma *v = find_vma(mm, start);
	if (!v || v->start > start || !(v->flags & VM_SHARED))
		return -EINVAL;
	prot = (v->flags & VM_READ ? VMS_PROT_READ : 0) | (v->flags & VM_WRITE ? VMS_PROT_WRITE : 0) |
	       (v->flags & VM_EXEC ? VMS_PROT_EXEC : 0);
	flags &= VMS_MAP_NONBLOCK;
	flags |= VMS_MAP_SHARED | VMS_MAP_FIXED | VMS_MAP_POPULATE;
	if (v->flags & VM_LOCKED)
		flags |= VMS_MAP_LOCKED;
	/* A range past the VMA must run on through VMAs of the same file and
	 * the same flags, with no hole. */
	if (start + size > v->end) {
		struct vms_vma *prev = v, *next = vma_next(mm, v);
		for (; next; prev = next, next = vma_next(mm, next)) {
			if (next->start != prev->end || next->file != v->file ||
			    next->flags != v->flags)
				return -EINVAL;
			if (start + size <= next->end)
				break;
		}
		if (!next)
			return -EINVAL;
	}
	/* The replaced VMAs may hold the last references to the file: held
	 * as get_file() holds it, which for a System V attach is not an
	 * attach (the segment may go with the VMAs replaced). */
	struct vms_file *file = v->file;
	file_get_ref(file);
	uint64_t populate;
	long r = do_mmap(mm, file, start, size, prot, flags, 0, pgoff, &populate);
	file_put_ref(file);
	if (IS_ERR_VALUE(r))
		return r;
	if (populate)
		mm_populate(mm, (uint64_t)r, (uint64_t)r + populate);
	return 0;
}
