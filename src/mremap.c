/*
 * mremap.c: the mremap system call as Linux 6.18 mm/mremap.c does it:
 * parameter checks (check_mremap_params), the per-VMA checks (check_prep_vma),
 * no-op / shrink / grow in place (mremap_at, expand_vma), moves to a new or
 * fixed address (mremap_to, move_vma, copy_vma), MREMAP_DONTUNMAP, and the
 * multi-VMA MREMAP_FIXED move (remap_move).
 * Not here: how a range is unmapped or merged (vma.c) or where a moved range
 * lands when the caller leaves it open (unmapped_area.c).
 */
#include <errno.h>

#include "accounting.h"
#include "fault.h"
#include "file.h"
#include "rss.h"
#include "userfaultfd.h"
#include "tree.h"
#include "unmapped_area.h"
#include "vma.h"

#define MREMAP_VALID (VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED | VMS_MREMAP_DONTUNMAP)

enum remap_type { REMAP_NO_RESIZE, REMAP_SHRINK, REMAP_EXPAND };

/* The kernel's struct vma_remap_struct: one request, as it is refined. */
struct remap {
	struct vms_mm *mm;
	uint64_t addr, old_len, new_len, new_addr, delta;
	int flags;
	struct vms_vma *vma;
	enum remap_type type;
	uint64_t charged;     /* pages vm_enough_memory() charged for this move */
	bool populate_expand; /* a VM_LOCKED VMA grew: fault the new tail in */
};

/* vrm_implies_new_addr(): FIXED and DONTUNMAP both name (or hint) a target. */
static bool implies_new_addr(const struct remap *r)
{
	return r->flags & (VMS_MREMAP_FIXED | VMS_MREMAP_DONTUNMAP);
}

/* vma_lookup(): the VMA containing addr, not merely the next one. */
static struct vms_vma *vma_lookup(struct vms_mm *mm, uint64_t addr)
{
	struct vms_vma *v = find_vma(mm, addr);
	return v && v->start <= addr ? v : NULL;
}

static uint64_t hpage_size(const struct vms_vma *v)
{
	return v->file && v->file->inode->hpage_size ? v->file->inode->hpage_size : PMD_SIZE;
}

/*
 * Room for the whole of one mremap step up front, so that running out of the
 * model's memory changes nothing: a FIXED move may split both edges of the
 * target, both edges of a shrink and both edges of the source, and link one
 * new VMA (each split's VMA struct comes back when the middle is freed).
 */
static int remap_reserve(struct remap *r)
{
	struct vms_mm *mm = r->mm;
	uint64_t src_end = r->addr + max_u64(r->old_len, r->new_len);
	if (src_end < r->addr)
		src_end = mm->task_size;
	int err = mm_reserve_range(mm, r->vma ? r->vma->file : NULL, r->addr, src_end);
	if (!err && implies_new_addr(r) && r->new_addr < mm->task_size)
		err = mm_reserve_range(mm, NULL, r->new_addr,
				       min_u64(r->new_addr + r->new_len, mm->task_size));
	if (!err)
		err = vt_preallocate(&mm->tree, 2 * MM_RESERVE_VMAS);
	if (!err && r->vma && r->vma->file)
		err = file_rmap_reserve(r->vma->file, 2 * MM_RESERVE_VMAS);
	if (!err && r->vma)
		err = rss_reserve(mm, rss_ranges_in(mm, r->addr, r->addr + r->old_len) + 8);
	return err;
}

/* mm/vma.c do_vmi_munmap() as mremap calls it (the reserve is already made). */
static int remap_munmap(struct vms_mm *mm, uint64_t start, uint64_t len)
{
	if (offset_in_page(start) || start > mm->task_size || len > mm->task_size - start)
		return -EINVAL;
	uint64_t end = start + PAGE_ALIGN(len);
	if (end == start)
		return -EINVAL;
	return unmap_range(mm, start, end);
}

/* check_mremap_params(): everything that needs no VMA. All EINVAL but the
 * last, so their order among themselves cannot show. */
static long check_params(struct remap *r)
{
	struct vms_mm *mm = r->mm;
	if (r->flags & ~MREMAP_VALID)
		return -EINVAL;
	if (offset_in_page(r->addr))
		return -EINVAL;
	/* old_len 0 is the "duplicate a shared mapping" case; new_len 0 is not. */
	if (!r->new_len)
		return -EINVAL;
	if (r->new_len > mm->task_size)
		return -EINVAL;
	if (!implies_new_addr(r))
		return 0;
	if (r->new_addr > mm->task_size - r->new_len)
		return -EINVAL;
	if (offset_in_page(r->new_addr))
		return -EINVAL;
	if (!(r->flags & VMS_MREMAP_MAYMOVE))
		return -EINVAL;
	if ((r->flags & VMS_MREMAP_DONTUNMAP) && r->old_len != r->new_len)
		return -EINVAL;
	/* vrm_overlaps(): the plain interval test, so even old_len 0 can overlap. */
	if (r->addr + r->old_len > r->new_addr && r->new_addr + r->new_len > r->addr)
		return -EINVAL;
	/* Both the target and the source may split in three: keep the move_vma()
	 * check below from failing after something was unmapped (6.18 still has
	 * this pre-check, for FIXED and DONTUNMAP only). */
	if ((int64_t)mm_map_count(mm) + 2 >= (int64_t)mm->sys->max_map_count - 3) {
		if (ev_on(mm->sys))
			ev_limit(mm, "check_mremap_params", VMS_LIMIT_MAP_COUNT, 0, 3, mm_map_count(mm),
				 mm->sys->max_map_count);
		return -ENOMEM;
	}
	return 0;
}

/* check_prep_vma(): the checks against the VMA at addr. */
static long check_prep_vma(struct remap *r)
{
	struct vms_mm *mm = r->mm;
	struct vms_vma *v = r->vma;
	if (!v)
		return -EFAULT;
	if (v->flags & VM_SEALED)
		return -EPERM;
	if (v->flags & VM_HUGETLB) {
		/* align_hugetlb(): whole huge pages, aligned addresses (new_addr
		 * too, even unused), and no growth: the reservation cannot split. */
		uint64_t hps = hpage_size(v);
		r->old_len = (r->old_len + hps - 1) & ~(hps - 1);
		r->new_len = (r->new_len + hps - 1) & ~(hps - 1);
		if ((r->addr & (hps - 1)) || (r->new_addr & (hps - 1)) || r->new_len > r->old_len)
			return -EINVAL;
	}
	r->delta = r->old_len > r->new_len ? r->old_len - r->new_len : r->new_len - r->old_len;
	r->type = !r->delta ? REMAP_NO_RESIZE :
		  r->old_len > r->new_len ? REMAP_SHRINK : REMAP_EXPAND;
	if (!implies_new_addr(r))
		r->new_addr = r->addr;
	/* A no-op or a plain shrink checks nothing more, not even that old_len
	 * fits in the VMA. */
	if (r->type != REMAP_EXPAND && !implies_new_addr(r))
		return 0;
	uint64_t old_len = r->old_len, new_len = r->new_len;
	if (!old_len && !(v->flags & (VM_SHARED | VM_MAYSHARE)))
		return -EINVAL;
	if ((r->flags & VMS_MREMAP_DONTUNMAP) && (v->flags & (VM_DONTEXPAND | VM_PFNMAP)))
		return -EINVAL;
	/* The part a shrink unmaps may cross VMA boundaries; what is kept may not. */
	if (r->type == REMAP_SHRINK)
		old_len = new_len;
	if (old_len > v->end - r->addr)
		return -EFAULT;
	if (new_len == old_len)
		return 0;
	if (v->flags & VM_LOCKED)
		r->populate_expand = true;
	uint64_t pgoff = v->pgoff + ((r->addr - v->start) >> PAGE_SHIFT);
	if (pgoff + (new_len >> PAGE_SHIFT) < pgoff)
		return -EINVAL;
	if (v->flags & (VM_DONTEXPAND | VM_PFNMAP))
		return -EFAULT;
	if (!mlock_future_ok(mm, v->flags, r->delta))
		return -EAGAIN;
	if (!may_expand_vm(mm, v->flags, r->delta >> PAGE_SHIFT))
		return -ENOMEM;
	return 0;
}

/* vrm_calc_charge(): a VM_ACCOUNT VMA is charged what the move adds: the
 * growth, or the whole copy when the source stays (DONTUNMAP). */
static bool calc_charge(struct remap *r)
{
	if (!(r->vma->flags & VM_ACCOUNT))
		return true;
	uint64_t pages = (r->flags & VMS_MREMAP_DONTUNMAP) ? r->new_len >> PAGE_SHIFT :
							      r->delta >> PAGE_SHIFT;
	if (vm_enough_memory(r->mm, pages))
		return false;
	r->charged = pages;
	return true;
}

/* vrm_stat_account(): the counters follow the VMA's flags. */
static void stat_account(struct remap *r, uint64_t bytes)
{
	uint64_t pages = bytes >> PAGE_SHIFT;
	vm_stat_account(r->mm, r->vma->flags, (int64_t)pages);
	if (r->vma->flags & VM_LOCKED)
		r->mm->locked_vm += pages;
}

/* shrink_vma(): unmap [addr+new_len, addr+old_len), whatever it holds. */
static long shrink_vma(struct remap *r, bool relookup)
{
	int err = remap_munmap(r->mm, r->addr + r->new_len, r->delta);
	r->vma = NULL;
	if (err)
		return err;
	if (relookup) {
		r->vma = vma_lookup(r->mm, r->addr);
		if (!r->vma)
			return -EFAULT;
	}
	return 0;
}

/* vma_expandable(): only an intersecting VMA (no stack guard gap) or the end
 * of the address space stops growth in place. */
static bool vma_expandable(struct vms_mm *mm, struct vms_vma *v, uint64_t delta)
{
	uint64_t end = v->end + delta;
	if (end < v->end)
		return false;
	if (find_vma_intersection(mm, v->end, end))
		return false;
	return get_unmapped_area(mm, NULL, v->start, end - v->start, 0, VMS_MAP_FIXED, 0) >= 0;
}

/* expand_vma_in_place() with mm/vma.c vma_merge_extend(): the VMA absorbs
 * the growth and, if it now touches a compatible next VMA, that one too. */
static long expand_in_place(struct remap *r)
{
	struct vms_vma *v = r->vma;
	if (!calc_charge(r))
		return -ENOMEM;
	struct vma_merge vmg = {
		.mm = r->mm,
		.prev = v,
		.next = vma_next(r->mm, v),
		.start = v->end,
		.end = v->end + r->delta,
		.pgoff = v->pgoff + vma_pages(v),
		.flags = v->flags,
		.file = v->file,
		.anon_vma = v->anon_vma,
		.anon_name = v->anon_name,
		.mpol = v->mpol,
		.uffd = v->uffd,
	};
	v = vma_merge_new_range(&vmg);
	if (!v) {
		/* VM_IO/VM_MIXEDMAP never merge, so never grow in place. */
		vm_unacct_memory(r->mm->sys, r->charged);
		return -ENOMEM;
	}
	r->vma = v;
	stat_account(r, r->delta);
	return 0;
}

/* vrm_set_new_addr(): the target, chosen like an mmap of the moved range. */
static long set_new_addr(struct remap *r)
{
	struct vms_vma *v = r->vma;
	uint64_t pgoff = v->pgoff + ((r->addr - v->start) >> PAGE_SHIFT);
	unsigned long map_flags = 0;
	if (r->flags & VMS_MREMAP_FIXED)
		map_flags |= VMS_MAP_FIXED;
	if (v->flags & VM_MAYSHARE)
		map_flags |= VMS_MAP_SHARED;
	long res = get_unmapped_area(r->mm, v->file, implies_new_addr(r) ? r->new_addr : 0,
				     r->new_len, pgoff, map_flags, 0);
	if (res < 0)
		return res;
	r->new_addr = (uint64_t)res;
	return 0;
}

/* prep_move_vma(): the map_count margin and the special mappings' may_split. */
static long prep_move(struct remap *r)
{
	struct vms_mm *mm = r->mm;
	struct vms_vma *v = r->vma;
	if ((int64_t)mm_map_count(mm) >= (int64_t)mm->sys->max_map_count - 3) {
		if (ev_on(mm->sys))
			ev_limit(mm, "move_vma", VMS_LIMIT_MAP_COUNT, 0, 4, mm_map_count(mm),
				 mm->sys->max_map_count);
		return -ENOMEM;
	}
	uint64_t edges[2] = {r->addr, r->addr + r->old_len};
	for (int i = 0; i < 2; i++) {
		if (edges[i] == (i ? v->end : v->start))
			continue;
		if (vma_is_special_mapping(v))
			return -EINVAL;
		if ((v->flags & VM_HUGETLB) && (edges[i] & (hpage_size(v) - 1)))
			return -EINVAL;
	}
	return 0;
}

/*
 * mm/vma.c copy_vma(): the VMA that will hold [new_addr, new_addr+new_len).
 * It joins a compatible neighbour when it can (vma_merge_copied_range), else
 * it is a copy of the source. An anonymous VMA never faulted has no pages
 * tied to its offsets, so its pgoff follows the new address, which lets it
 * merge there. Returns the VMA, and in *src the source VMA, which a merge
 * may have replaced.
 */
static struct vms_vma *copy_vma(struct remap *r, struct vms_vma **src)
{
	struct vms_mm *mm = r->mm;
	struct vms_vma *v = r->vma;
	uint64_t vma_start = v->start;
	uint64_t pgoff = v->pgoff + ((r->addr - v->start) >> PAGE_SHIFT);
	uint64_t start = r->new_addr, end = r->new_addr + r->new_len;
	if (vma_is_anonymous(v) && !v->anon_vma)
		pgoff = start >> PAGE_SHIFT;
	struct vms_vma *nv = NULL;
	struct vms_vma *prev = vma_before(mm, start), *next = find_vma(mm, start);
	if (prev || next) {
		struct vma_merge vmg = {
			.mm = mm,
			.prev = prev,
			.middle = v, /* copied_from: its fork ancestry decides */
			.next = next,
			.start = start,
			.end = end,
			.pgoff = pgoff,
			.flags = v->flags,
			.file = v->file,
			.anon_vma = v->anon_vma,
			.anon_name = v->anon_name,
			.mpol = v->mpol,
			.uffd = v->uffd,
		};
		nv = vma_merge_new_range(&vmg);
	}
	if (nv) {
		/* Merged with the source itself (an unfaulted anon VMA moved next
		 * to its own remainder): carry on with the merged VMA. */
		if (vma_start >= nv->start && vma_start < nv->end)
			v = nv;
	} else {
		nv = vma_dup(mm, v);
		nv->start = start;
		nv->end = end;
		nv->pgoff = pgoff;
		vma_link(mm, nv);
		if (ev_on(mm->sys))
			ev_vma(mm, VMS_EV_VMA_NEW, nv, VMS_WHY_MREMAP, "copy_vma");
	}
	*src = v;
	return nv;
}

/* unmap_source_vma(): the old range goes, but its charge moved with the
 * pages: VM_ACCOUNT is cleared for the unmap and put back on what is left. */
static void unmap_source(struct remap *r)
{
	struct vms_mm *mm = r->mm;
	struct vms_vma *v = r->vma;
	uint64_t addr = r->addr, end = r->addr + r->old_len;
	bool accountable = (v->flags & VM_ACCOUNT) && !(r->flags & VMS_MREMAP_DONTUNMAP);
	uint64_t vm_start = v->start, vm_end = v->end;
	if (accountable)
		v->flags &= ~VM_ACCOUNT;
	int err = remap_munmap(mm, addr, r->old_len);
	r->vma = NULL;
	if (err) {
		/* Only old_len 0 (the shared duplicate) gets here: nothing to undo
		 * beyond the kernel's vm_acct_memory(0). */
		return;
	}
	if (!accountable)
		return;
	if (vm_start < addr) {
		struct vms_vma *prev = vma_before(mm, addr);
		prev->flags |= VM_ACCOUNT;
	}
	if (vm_end > end) {
		struct vms_vma *next = find_vma(mm, end);
		next->flags |= VM_ACCOUNT;
	}
}

/* dontunmap_complete(): the old VMA stays, empty. It loses VM_LOCKED over
 * its whole length (locked_vm is not lowered: those pages stay counted) and,
 * when all of it moved, its anon_vma. 6.18 keeps its VM_ACCOUNT (live). */
static void dontunmap_complete(struct remap *r, struct vms_vma *nv)
{
	struct vms_vma *v = r->vma;
	if (v->flags & VM_LOCKED)
		r->mm->locked_vm_unbacked += vma_pages(v);
	v->flags &= ~VM_LOCKED_MASK;
	if (nv != v && r->addr == v->start && r->addr + r->old_len == v->end && v->anon_vma) {
		anon_vma_put(r->mm->sys, v->anon_vma);
		v->anon_vma = NULL;
		v->avc_depth = 0;
	}
}

/* move_vma(): copy the VMA to new_addr, move the pages, drop the source. */
static long move_vma(struct remap *r)
{
	struct vms_mm *mm = r->mm;
	long err = prep_move(r);
	if (err)
		return err;
	if (!calc_charge(r))
		return -ENOMEM;
	struct vms_vma *src;
	struct vms_vma *nv = copy_vma(r, &src);
	r->vma = src;
	/* mremap_userfaultfd_prep(): without UFFD_EVENT_REMAP the moved VMA
	 * (with whatever it merged into) is no longer registered. */
	uffd_mremap_prep(mm, nv);
	/* move_page_tables(): the resident pages travel with the mapping. */
	rss_move(mm, r->addr, r->addr + r->old_len, r->new_addr);
	/* The moved range is not new memory: keep it out of hiwater_vm. */
	uint64_t hiwater_vm = mm->hiwater_vm;
	stat_account(r, r->new_len);
	if (r->flags & VMS_MREMAP_DONTUNMAP)
		dontunmap_complete(r, nv);
	else
		unmap_source(r);
	mm->hiwater_vm = hiwater_vm;
	return (long)r->new_addr;
}

/* mremap_to(): FIXED (target unmapped first) or DONTUNMAP (target hinted). */
static long mremap_to(struct remap *r)
{
	struct vms_mm *mm = r->mm;
	long err;
	if (r->flags & VMS_MREMAP_FIXED) {
		err = remap_munmap(mm, r->new_addr, r->new_len);
		r->vma = NULL;
		if (err)
			return err;
		r->vma = vma_lookup(mm, r->addr);
		if (!r->vma)
			return -EFAULT;
	}
	if (r->type == REMAP_SHRINK) {
		err = shrink_vma(r, true);
		if (err)
			return err;
		/* delta keeps the shrink's size: a VM_ACCOUNT move still charges
		 * it (live: Committed_AS keeps it after everything is unmapped). */
		r->old_len = r->new_len;
	}
	if ((r->flags & VMS_MREMAP_DONTUNMAP) &&
	    !may_expand_vm(mm, r->vma->flags, r->old_len >> PAGE_SHIFT))
		return -ENOMEM;
	err = set_new_addr(r);
	if (err)
		return err;
	return move_vma(r);
}

/* mremap_at(): no target given. */
static long mremap_at(struct remap *r)
{
	long err;
	switch (r->type) {
	case REMAP_NO_RESIZE:
		return (long)r->addr;
	case REMAP_SHRINK:
		err = shrink_vma(r, false);
		return err ? err : (long)r->addr;
	case REMAP_EXPAND:
		break;
	}
	/* expand_vma(): in place when [addr, addr+old_len) ends the VMA and the
	 * space after it is free; else move, if allowed. */
	if (r->vma->end - r->addr == r->old_len && vma_expandable(r->mm, r->vma, r->delta)) {
		err = expand_in_place(r);
		return err ? err : (long)r->addr;
	}
	if (!(r->flags & VMS_MREMAP_MAYMOVE))
		return -ENOMEM;
	err = set_new_addr(r);
	if (err)
		return err;
	return move_vma(r);
}

/* mm/mremap.c vma_multi_allowed(): a file whose own get_unmapped_area might
 * not honour MAP_FIXED moves alone. Anonymous memory, shmem, hugetlb and
 * files of thp_get_unmapped_area (ordinary files) or of none (secretmem) are
 * fine; a System V attach (shm_get_unmapped_area) and a private /dev/zero
 * mapping (get_unmapped_area_zero) are not, nor a registered VMA. */
static bool vma_multi_allowed(const struct vms_vma *v)
{
	/* userfaultfd_armed(): the REMAP event of each move would have to
	 * drop the mmap lock in the middle of the walk. */
	if (v->flags & VM_UFFD_FLAGS)
		return false;
	if (v->kind == VMA_SHM)
		return vma_is_hugetlb(v);
	return v->kind != VMA_ANON_FILE;
}

/*
 * remap_move(): MREMAP_FIXED with old_len == new_len moves every VMA in
 * [addr, addr+old_len) (6.17+). Gaps between source VMAs are kept at the
 * target and the target's gaps are not unmapped; a gap at the start is
 * EFAULT; an error leaves the VMAs already moved where they went.
 */
static long remap_move(struct remap *r)
{
	struct vms_mm *mm = r->mm;
	uint64_t start = r->addr, end = r->addr + r->old_len;
	uint64_t target = r->new_addr, last_end = 0, cursor = start;
	long res = -EFAULT;
	bool seen = false;
	struct vms_vma *v;
	while ((v = find_vma_intersection(mm, cursor, end))) {
		uint64_t a = max_u64(v->start, start);
		uint64_t len = min_u64(end, v->end) - a;
		if (!seen && start < v->start)
			return -EFAULT;
		uint64_t offset = seen ? v->start - last_end : 0;
		last_end = v->end;
		/* The walk goes on after this VMA's extent as it was found. */
		cursor = v->end;
		/* One that may not move with others is EFAULT when it is not
		 * the first, or when more of the range follows it. */
		if (!vma_multi_allowed(v) && (seen || v->end < end))
			return -EFAULT;
		struct remap step = {
			.mm = mm,
			.addr = a,
			.old_len = len,
			.new_len = len,
			.new_addr = target + offset,
			.flags = r->flags,
			.vma = v,
		};
		long err = check_prep_vma(&step);
		if (!err)
			err = remap_reserve(&step);
		if (err)
			return err;
		long got = mremap_to(&step);
		if (got < 0)
			return got;
		if (!seen)
			res = got;
		seen = true;
		target = (uint64_t)got + step.new_len;
	}
	return res;
}

long vms_mremap(vms_mm *mm, uint64_t old_addr, uint64_t old_len, uint64_t new_len, int flags,
		uint64_t new_addr)
{
	/* do_mremap(): lengths are page-aligned first, so huge values wrap to 0. */
	struct remap r = {
		.mm = mm,
		.addr = old_addr,
		.old_len = PAGE_ALIGN(old_len),
		.new_len = PAGE_ALIGN(new_len),
		.flags = flags,
		.new_addr = new_addr,
	};
	long res = check_params(&r);
	if (res)
		return res;
	if ((r.flags & VMS_MREMAP_FIXED) && r.old_len == r.new_len) {
		res = remap_move(&r);
	} else {
		r.vma = vma_lookup(mm, r.addr);
		res = check_prep_vma(&r);
		if (!res && (r.type != REMAP_NO_RESIZE || implies_new_addr(&r)))
			res = remap_reserve(&r);
		if (!res)
			res = implies_new_addr(&r) ? mremap_to(&r) : mremap_at(&r);
	}
	/* The grown tail of a VM_LOCKED VMA is faulted in after the lock drops. */
	if (res >= 0 && r.populate_expand)
		mm_populate(mm, r.new_addr + r.old_len, r.new_addr + r.old_len + r.delta);
	return res;
}
