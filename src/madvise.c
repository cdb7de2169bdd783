/*
 * madvise.c: the madvise system call and prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME)
 * (mm/madvise.c do_madvise, madvise_walk_vmas, madvise_vma_behavior,
 * madvise_populate, madvise_set_anon_name; kernel/sys.c prctl_set_vma) and
 * process_madvise (vector_madvise: madvise once per iovec segment), for
 * this kernel's configuration: KSM and THP built in, no CONFIG_MEMORY_FAILURE.
 *
 * What the model keeps of each advice: VMA flags (with split and merge), the
 * anon name, and what each page table entry holds (rss.h: resident pages, the
 * zero page, lazily freed pages, guard markers). What it does not keep: page
 * contents, which pages are shared with a fork child (MADV_FREE and
 * MADV_PAGEOUT skip those), KSM merging, swap. Sealing (mseal.c) refuses only the discarding advice on
 * read-only private anonymous memory (can_madvise_modify).
 */
#include <errno.h>
#include <string.h>

#include "accounting.h"
#include "cred.h"
#include "fault.h"
#include "file.h"
#include "prctl.h"
#include "rss.h"
#include "vma.h"

#ifndef VM_DROPPABLE
#define VM_DROPPABLE (1ULL << 40)
#endif

/* include/uapi/linux/prctl.h and kernel/sys.c. */
#define ANON_VMA_NAME_MAX_LEN 80
/* mm/madvise.c: the internal advice used by the anon name walk. */
#define MADV_SET_ANON_VMA_NAME (-1)

struct madv_call {
	struct vma_walk w;		 /* mm and the whole request */
	int behavior;
	struct vms_anon_name *anon_name; /* MADV_SET_ANON_VMA_NAME: NULL clears */
};

/* mm/madvise.c madvise_behavior_valid() with CONFIG_KSM=y,
 * CONFIG_TRANSPARENT_HUGEPAGE=y and CONFIG_MEMORY_FAILURE unset. */
static bool madvise_behavior_valid(int behavior)
{
	switch (behavior) {
	case VMS_MADV_NORMAL:
	case VMS_MADV_RANDOM:
	case VMS_MADV_SEQUENTIAL:
	case VMS_MADV_WILLNEED:
	case VMS_MADV_DONTNEED:
	case VMS_MADV_FREE:
	case VMS_MADV_REMOVE:
	case VMS_MADV_DONTFORK:
	case VMS_MADV_DOFORK:
	case VMS_MADV_MERGEABLE:
	case VMS_MADV_UNMERGEABLE:
	case VMS_MADV_HUGEPAGE:
	case VMS_MADV_NOHUGEPAGE:
	case VMS_MADV_DONTDUMP:
	case VMS_MADV_DODUMP:
	case VMS_MADV_WIPEONFORK:
	case VMS_MADV_KEEPONFORK:
	case VMS_MADV_COLD:
	case VMS_MADV_PAGEOUT:
	case VMS_MADV_POPULATE_READ:
	case VMS_MADV_POPULATE_WRITE:
	case VMS_MADV_DONTNEED_LOCKED:
	case VMS_MADV_COLLAPSE:
	case VMS_MADV_GUARD_INSTALL:
	case VMS_MADV_GUARD_REMOVE:
		return true;
	default:
		return false;
	}
}

/* mm/madvise.c is_discard(): the advice a sealed read-only anonymous VMA refuses. */
static bool is_discard(int behavior)
{
	switch (behavior) {
	case VMS_MADV_FREE:
	case VMS_MADV_DONTNEED:
	case VMS_MADV_DONTNEED_LOCKED:
	case VMS_MADV_REMOVE:
	case VMS_MADV_DONTFORK:
	case VMS_MADV_WIPEONFORK:
	case VMS_MADV_GUARD_INSTALL:
		return true;
	default:
		return false;
	}
}

/* mm/madvise.c can_madvise_modify(): file-backed, shared and writable VMAs
 * could be changed by other means anyway, so only those are let through. */
static bool can_madvise_modify(const struct vms_vma *v, int behavior)
{
	if (!(v->flags & VM_SEALED) || !is_discard(behavior))
		return true;
	/* File-backed memory loses nothing; private /dev/zero is anonymous
	 * (vma_is_anonymous), so it is refused like any. */
	if (!vma_is_anonymous(v))
		return true;
	return (v->flags & VM_WRITE) != 0;
}

/* include/linux/shmem_fs.h shmem_file(vma->vm_file): the file's pages are
 * shmem's, which THP asks rather than vma_is_shmem(): a System V attach's
 * file shares its segment's shmem mapping. */
static uint64_t hpage_size_of(const struct vms_vma *v)
{
	return v->file && v->file->inode->hpage_size ? v->file->inode->hpage_size : PMD_SIZE;
}

/* What reclaim leaves in place (rss_drop_unless()): dirty anonymous memory
 * without swap, the zero page and guard markers. */
static bool survives_reclaim_without_swap(int type)
{
	return type == RSS_ANON || type == RSS_ZERO || type == RSS_GUARD;
}

static bool survives_reclaim_with_swap(int type)
{
	return type == RSS_ZERO || type == RSS_GUARD;
}

/* ---- advice that leaves the VMAs alone ---- */

/* mm/madvise.c madvise_dontneed_free_valid_vma() and the callers after it.
 * *end may be rounded down (hugetlb). */
static int madvise_dontneed_free(struct madv_call *c, struct vms_vma *v, uint64_t start,
				 uint64_t *end)
{
	int behavior = c->behavior;
	if (!(v->flags & VM_HUGETLB)) {
		uint64_t forbidden = VM_PFNMAP;
		/* DONTNEED_LOCKED exists to drop the pages of mlocked memory. */
		if (behavior != VMS_MADV_DONTNEED_LOCKED)
			forbidden |= VM_LOCKED;
		if (v->flags & forbidden)
			return -EINVAL;
	} else {
		if (behavior == VMS_MADV_FREE)
			return -EINVAL;
		uint64_t hps = hpage_size_of(v);
		if (start & (hps - 1))
			return -EINVAL;
		/* Callers think in small pages: never free a partly named huge page. */
		*end &= ~(hps - 1);
	}
	if (start >= *end)
		return 0;
	if (behavior == VMS_MADV_FREE) {
		/* madvise_free_single_vma(): only anonymous memory is lazily freed.
		 * The pages stay mapped and counted until reclaim takes them, so
		 * RSS does not change (live: RssAnon unchanged after MADV_FREE),
		 * but they are clean now: MADV_PAGEOUT frees them even without
		 * swap unless a write comes first (live, mincore). The zero page
		 * is no page of the process and stays. */
		if (!vma_is_anonymous(v))
			return -EINVAL;
		rss_retype(c->w.mm, start, *end, RSS_ANON, RSS_LAZY);
		return 0;
	}
	/* madvise_dontneed_single_vma(): zap_page_range_single(); guard
	 * markers survive it. */
	rss_zap(c->w.mm, start, *end);
	return 0;
}

/* mm/madvise.c madvise_remove(): punches a hole in the file under a shared
 * writable mapping; every mapping of those file pages loses them. */
static int madvise_remove(struct vms_vma *v, uint64_t start, uint64_t end)
{
	if (v->flags & VM_LOCKED)
		return -EINVAL;
	if (!v->file)
		return -EINVAL;
	/* vma_is_shared_maywrite(): a private mapping, or a shared one of a
	 * read-only file, may not punch holes (live: private file -> EACCES). */
	if ((v->flags & (VM_SHARED | VM_MAYWRITE)) != (VM_SHARED | VM_MAYWRITE))
		return -EACCES;
	struct vms_inode *ino = v->file->inode;
	uint64_t first = v->pgoff + ((start - v->start) >> PAGE_SHIFT);
	uint64_t last = first + ((end - start) >> PAGE_SHIFT);
	/* fs/open.c vfs_fallocate(): offset + len past s_maxbytes (or past
	 * loff_t) is EFBIG (kdiff: on /tmp's ext4 a hole punched up to 2^44
	 * gave EFBIG, one up to 2^44 - 4096 did not); then a file system
	 * without ->fallocate, secretmem's, is EOPNOTSUPP: reached in a fork
	 * child, whose copy of the VMA lost VM_LOCKED (breadth seed 4068). */
	uint64_t maxbytes = inode_maxbytes(ino);
	if (first > maxbytes >> PAGE_SHIFT || (last << PAGE_SHIFT) > maxbytes)
		return -EFBIG;
	if (ino->flags & VMS_INODE_SECRETMEM)
		return -EOPNOTSUPP;
	/* shmem_fallocate(), hugetlbfs_punch_hole(): a write-sealed file
	 * keeps its pages. */
	if (ino->seals & (VMS_F_SEAL_WRITE | VMS_F_SEAL_FUTURE_WRITE))
		return -EPERM;
	if (ino->hpage_size) {
		/* hugetlbfs_punch_hole() only frees whole huge pages. */
		uint64_t hp = ino->hpage_size >> PAGE_SHIFT;
		first = (first + hp - 1) & ~(hp - 1);
		last &= ~(hp - 1);
	}
	if (first >= last)
		return 0;
	/* The allocations first: one extra range per zapped mapping at most. */
	for (uint32_t i = 0; i < ino->i_mmap_count; i++)
		if (rss_reserve(ino->i_mmap[i].mm, ino->i_mmap_count + 1))
			return -ENOMEM;
	/* truncate_pagecache_range() -> unmap_mapping_range(even_cows = 0). */
	for (uint32_t i = 0; i < ino->i_mmap_count; i++) {
		struct vms_vma *m = ino->i_mmap[i].vma;
		uint64_t vfirst = m->pgoff, vlast = m->pgoff + vma_pages(m);
		uint64_t f = max_u64(first, vfirst), l = min_u64(last, vlast);
		if (f >= l)
			continue;
		rss_zap_file(ino->i_mmap[i].mm, m->start + ((f - vfirst) << PAGE_SHIFT),
			       m->start + ((l - vfirst) << PAGE_SHIFT));
	}
	return 0;
}

/* mm/madvise.c can_madv_lru_vma(). */
static bool can_madv_lru_vma(const struct vms_vma *v)
{
	return !(v->flags & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB));
}

/*
 * mm/madvise.c madvise_pageout(): reclaims the range now. Live, with no swap:
 * page cache and shmem pages are unmapped (RssFile/RssShmem drop), dirty
 * anonymous pages stay and lazily freed (MADV_FREE) ones are freed; with swap
 * (or MAP_DROPPABLE) the anonymous pages go as well. The zero page is never
 * reclaimed. Pages
 * shared with other processes are skipped by the kernel; the model does not
 * know which pages are shared, and it assumes the caller may write the file
 * (can_do_file_pageout() holds for root).
 */
static int madvise_pageout(struct madv_call *c, struct vms_vma *v, uint64_t start, uint64_t end)
{
	if (!can_madv_lru_vma(v))
		return -EINVAL;
	/* MAP_DROPPABLE pages are never swap-backed: reclaim discards them
	 * even when dirty, as it would with swap (live, mincore). */
	bool as_with_swap = c->w.mm->sys->total_swap_pages || (v->flags & VM_DROPPABLE);
	rss_drop_unless(c->w.mm, start, end,
			as_with_swap ? survives_reclaim_with_swap : survives_reclaim_without_swap);
	return 0;
}

/*
 * mm/khugepaged.c madvise_collapse(): thp_vma_allowable_order() for a forced
 * collapse ignores the sysfs setting but not VM_NOHUGEPAGE, and needs room
 * for one aligned PMD in the VMA. The model collapses anonymous and shmem
 * memory; a regular file needs CONFIG_READ_ONLY_THP_FOR_FS, which it treats
 * as absent.
 */
static bool collapse_allowed(const struct vms_mm *mm, const struct vms_vma *v)
{
	/* A droppable VMA is private anonymous memory to khugepaged (live:
	 * MADV_COLLAPSE after a write succeeds). */
	if (v->flags & (VM_SPECIAL | VM_HUGETLB | VM_NOHUGEPAGE))
		return false;
	/* PR_SET_THP_DISABLE: completely refuses it, except-advised does not
	 * (a forced collapse is advice enough). */
	if (vma_thp_disabled(mm, v->flags, true))
		return false;
	if (!vma_is_anonymous(v) && !vma_shmem_file(v))
		return false;
	/* __thp_vma_allowable_orders(): outside a fault, anonymous memory
	 * that was never written has nothing to collapse (kdiff: a fresh
	 * VMA gives EINVAL even for a range holding no whole block). */
	if (vma_is_anonymous(v) && !v->anon_vma)
		return false;
	/* thp_vma_suitable_order() at vm_end - PMD_SIZE, in the kernel's
	 * unsigned arithmetic: for a VMA smaller than a PMD that starts at 0 the
	 * address wraps and the block "fits" (live: MADV_COLLAPSE there is not
	 * EINVAL). Only a file VMA's pgoff must line up with the block. */
	uint64_t haddr = (v->end - PMD_SIZE) & ~(PMD_SIZE - 1);
	if (haddr < v->start || haddr + PMD_SIZE > v->end)
		return false;
	if (vma_is_anonymous(v))
		return true;
	return (((v->start >> PAGE_SHIFT) - v->pgoff) & ((PMD_SIZE >> PAGE_SHIFT) - 1)) == 0;
}

/*
 * Each whole PMD block of [start, end) is collapsed on its own; a failed
 * block does not stop the rest, and the call fails with the last block's
 * error. Live: an empty block fails (EINVAL: no page table), a block with a
 * written page becomes a fully resident huge page, and a range holding no
 * whole block succeeds with nothing done. The model says a block collapses
 * when it holds a resident page it may write (anonymous: the VMA is
 * writable; shmem: any resident page).
 */
static int madvise_collapse(struct madv_call *c, struct vms_vma *v, uint64_t start, uint64_t end)
{
	struct vms_mm *mm = c->w.mm;
	if (!collapse_allowed(c->w.mm, v))
		return -EINVAL;
	uint64_t hstart = (start + PMD_SIZE - 1) & ~(PMD_SIZE - 1);
	uint64_t hend = end & ~(PMD_SIZE - 1);
	/* The kernel compares the blocks collapsed with (hend - hstart) / PMD:
	 * a range that crosses a block boundary but holds no whole block asks
	 * for zero and gets 0; one inside a single block makes that count wrap,
	 * so it fails with the initial SCAN_FAIL, EINVAL (live, both). */
	if (hstart > hend)
		return -EINVAL;
	if (hstart == hend)
		return 0;
	if (rss_reserve(mm, 2 * ((hend - hstart) / PMD_SIZE) + 2))
		return -ENOMEM;
	int err = 0;
	enum rss_type type = vma_shmem_file(v) ? RSS_SHMEM : RSS_ANON;
	bool writable = vma_shmem_file(v) || (v->flags & VM_WRITE);
	for (uint64_t a = hstart; a < hend; a += PMD_SIZE) {
		uint64_t n = rss_count(mm, a, a + PMD_SIZE);
		if (!n || !writable) {
			err = -EINVAL;
			continue;
		}
		if (n != PMD_SIZE >> PAGE_SHIFT)
			rss_add(mm, a, a + PMD_SIZE, type);
	}
	return err;
}

/* mm/madvise.c is_valid_guard_vma(). */
static bool is_valid_guard_vma(const struct vms_vma *v, bool allow_locked)
{
	uint64_t disallowed = VM_SPECIAL | VM_HUGETLB;
	/* Zapping mlocked pages is refused; removing markers is not. */
	if (!allow_locked)
		disallowed |= VM_LOCKED;
	return !(v->flags & disallowed);
}

/*
 * mm/madvise.c madvise_guard_install(): live, the whole VMA gets the sticky
 * VM_MAYBE_GUARD (no split, even for one page), an anonymous VMA gets its
 * anon_vma, and the range's pages are zapped for the markers. The kernel
 * sets the flag before anon_vma_prepare(); the model prepares first so that
 * its own -ENOMEM changes nothing. That error is not turned into EAGAIN.
 */
static int madvise_guard_install(struct madv_call *c, struct vms_vma *v, uint64_t start,
				 uint64_t end)
{
	if (!is_valid_guard_vma(v, false))
		return -EINVAL;
	if (vma_is_anonymous(v)) {
		int err = anon_vma_prepare(c->w.mm, v);
		if (err)
			return err;
	}
	v->flags |= VM_MAYBE_GUARD;
	/* The pages are zapped and a marker takes each one's place. */
	rss_add(c->w.mm, start, end, RSS_GUARD);
	return 0;
}

/* ---- advice that changes the VMA ---- */

static void set_anon_name_of(struct vms_mm *mm, struct vms_vma *v, struct vms_anon_name *name)
{
	/* mm/madvise.c replace_anon_vma_name(). */
	struct vms_anon_name *old = v->anon_name;
	if (name && anon_name_eq(old, name))
		return;
	if (name)
		anon_name_get(name);
	v->anon_name = name;
	if (old)
		anon_name_put(mm->sys, old);
}

/* mm/madvise.c madvise_update_vma(): split or merge so that exactly
 * [start, end) takes the new flags (or name). *out is the VMA covering the
 * range afterwards. */
static int madvise_update_vma(struct madv_call *c, struct vms_vma *v, uint64_t start, uint64_t end,
			      uint64_t new_flags, struct vms_vma **out)
{
	bool set_name = c->behavior == MADV_SET_ANON_VMA_NAME;
	*out = v;
	if (new_flags == v->flags && (!set_name || anon_name_eq(v->anon_name, c->anon_name)))
		return 0;
	int err = vma_walk_reserve(&c->w);
	if (err)
		return err;
	struct vma_merge vmg = {
		.mm = c->w.mm,
		.middle = v,
		.start = start,
		.end = end,
		.flags = new_flags,
		.anon_name = set_name ? c->anon_name : v->anon_name,
		.mpol = v->mpol,
		.uffd = v->uffd,
	};
	struct vms_vma *r = vma_modify(&vmg, &err);
	if (!r)
		return err;
	*out = r;
	r->flags = vma_modified_flags(r, new_flags);
	if (set_name)
		set_anon_name_of(c->w.mm, r, c->anon_name);
	return 0;
}

/* mm/ksm.c ksm_madvise() and vma_ksm_compatible(): advice on memory KSM can
 * never merge is ignored without an error (live: shared anon -> 0, no mg). */
static uint64_t ksm_flags(const struct vms_vma *v, int behavior, uint64_t flags)
{
	if (behavior == VMS_MADV_MERGEABLE) {
		if (flags & VM_MERGEABLE)
			return flags;
		if (flags & (VM_SHARED | VM_MAYSHARE | VM_PFNMAP | VM_IO | VM_DONTEXPAND |
			     VM_HUGETLB | VM_MIXEDMAP | VM_DROPPABLE))
			return flags;
		if (v->file && (v->file->inode->flags & VMS_INODE_DAX))
			return flags;
		return flags | VM_MERGEABLE;
	}
	/* Unmerging copies merged pages back; none are merged in the model. */
	return flags & ~VM_MERGEABLE;
}

/*
 * mm/madvise.c madvise_vma_behavior(): the advice for [start, end) of v.
 * *out is the VMA to continue from (it may cover more than the range after a
 * merge).
 */
static int madvise_vma_behavior(struct madv_call *c, struct vms_vma *v, uint64_t start,
				uint64_t *end, struct vms_vma **out)
{
	uint64_t new_flags = v->flags;
	int err;
	*out = v;
	if (!can_madvise_modify(v, c->behavior))
		return -EPERM;
	switch (c->behavior) {
	case VMS_MADV_REMOVE:
		return madvise_remove(v, start, *end);
	case VMS_MADV_WILLNEED:
		/* Readahead or swap-in: nothing the model tracks changes. */
		return 0;
	case VMS_MADV_COLD:
		/* Deactivates the pages; they stay resident. */
		return can_madv_lru_vma(v) ? 0 : -EINVAL;
	case VMS_MADV_PAGEOUT:
		return madvise_pageout(c, v, start, *end);
	case VMS_MADV_FREE:
	case VMS_MADV_DONTNEED:
	case VMS_MADV_DONTNEED_LOCKED:
		return madvise_dontneed_free(c, v, start, end);
	case VMS_MADV_COLLAPSE:
		return madvise_collapse(c, v, start, *end);
	case VMS_MADV_GUARD_INSTALL:
		return madvise_guard_install(c, v, start, *end);
	case VMS_MADV_GUARD_REMOVE:
		/* Markers go; VM_MAYBE_GUARD stays (live). */
		if (!is_valid_guard_vma(v, true))
			return -EINVAL;
		rss_unguard(c->w.mm, start, *end);
		return 0;
	case VMS_MADV_NORMAL:
		new_flags &= ~(VM_RAND_READ | VM_SEQ_READ);
		break;
	case VMS_MADV_SEQUENTIAL:
		new_flags = (new_flags & ~VM_RAND_READ) | VM_SEQ_READ;
		break;
	case VMS_MADV_RANDOM:
		new_flags = (new_flags & ~VM_SEQ_READ) | VM_RAND_READ;
		break;
	case VMS_MADV_DONTFORK:
		new_flags |= VM_DONTCOPY;
		break;
	case VMS_MADV_DOFORK:
		/* I/O mappings must never be copied into a child. */
		if (new_flags & VM_IO)
			return -EINVAL;
		new_flags &= ~VM_DONTCOPY;
		break;
	case VMS_MADV_WIPEONFORK:
		/* Only private anonymous memory can be wiped (shmem has a file). */
		if (v->file || (new_flags & VM_SHARED))
			return -EINVAL;
		new_flags |= VM_WIPEONFORK;
		break;
	case VMS_MADV_KEEPONFORK:
		if (new_flags & VM_DROPPABLE)
			return -EINVAL;
		new_flags &= ~VM_WIPEONFORK;
		break;
	case VMS_MADV_DONTDUMP:
		new_flags |= VM_DONTDUMP;
		break;
	case VMS_MADV_DODUMP:
		/* Special mappings are never dumped; hugetlb sets VM_DONTEXPAND
		 * but may be dumped. */
		if ((!(new_flags & VM_HUGETLB) && (new_flags & VM_SPECIAL)) ||
		    (new_flags & VM_DROPPABLE))
			return -EINVAL;
		new_flags &= ~VM_DONTDUMP;
		break;
	case VMS_MADV_MERGEABLE:
	case VMS_MADV_UNMERGEABLE:
		new_flags = ksm_flags(v, c->behavior, new_flags);
		break;
	case VMS_MADV_HUGEPAGE:
		/* mm/huge_memory.c hugepage_madvise(): no error on x86. */
		new_flags = (new_flags & ~VM_NOHUGEPAGE) | VM_HUGEPAGE;
		break;
	case VMS_MADV_NOHUGEPAGE:
		new_flags = (new_flags & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
		break;
	case MADV_SET_ANON_VMA_NAME:
		/* Only anonymous memory is named, shared anonymous too: shmem
		 * unlinked when it was mapped (vma_is_anon_shmem(), which memfd
		 * and /dev/zero are); not private /dev/zero, which has a file. */
		if (v->file && !(vma_is_shmem(v) && (v->file->inode->flags & VMS_INODE_DELETED)))
			return -EBADF;
		break;
	}
	err = madvise_update_vma(c, v, start, *end, new_flags, out);
	/* madvise() reports a kernel allocation failure (a split) as EAGAIN. */
	return err == -ENOMEM ? -EAGAIN : err;
}

/* mm/madvise.c madvise_walk_vmas(): holes are skipped and reported at the
 * end; an error in a VMA stops the walk with earlier VMAs already changed. */
static long madvise_walk_vmas(struct madv_call *c)
{
	struct vms_mm *mm = c->w.mm;
	uint64_t start = c->w.start, end = c->w.end;
	long unmapped_error = 0;
	struct vms_vma *v = find_vma(mm, start);
	for (;;) {
		if (!v)
			return -ENOMEM;
		if (start < v->start) {
			unmapped_error = -ENOMEM;
			start = v->start;
			if (start >= end)
				break;
		}
		uint64_t seg_end = min_u64(v->end, end);
		struct vms_vma *out;
		int err = madvise_vma_behavior(c, v, start, &seg_end, &out);
		if (err)
			return err;
		if (seg_end < out->end)
			seg_end = out->end;
		if (seg_end >= end)
			break;
		v = find_vma(mm, seg_end);
		start = seg_end;
	}
	return unmapped_error;
}

/* An upper bound on the resident ranges a walk over [start, end) can add:
 * one per VMA it touches (a zap of a range's middle splits that range). */
static size_t vmas_in_range(const struct vms_mm *mm, uint64_t start, uint64_t end)
{
	size_t n = 0;
	for (struct vms_vma *v = find_vma_intersection(mm, start, end); v && v->start < end;
	     v = vma_next(mm, v))
		n++;
	return n;
}

/*
 * mm/madvise.c madvise_populate() over mm/gup.c faultin_page_range(): VMA by
 * VMA, a hole is ENOMEM, a VMA the access is not allowed on is EINVAL
 * (check_vma_flags() without FOLL_FORCE: I/O or PFN maps, no VM_WRITE for a
 * write, no VM_READ for a read; live: PROT_NONE, R + POPULATE_WRITE, W-only +
 * POPULATE_READ, X-only + POPULATE_READ), a page past the end of the file is
 * SIGBUS, so EFAULT. The pages before the failure stay populated (live).
 */
static long madvise_populate(struct vms_mm *mm, uint64_t start, uint64_t end, bool write)
{
	if (rss_reserve(mm, 2 * vmas_in_range(mm, start, end) + 4))
		return -ENOMEM;
	while (start < end) {
		struct vms_vma *v = find_vma(mm, start);
		if (!v || v->start > start)
			return -ENOMEM;
		if (v->flags & (VM_IO | VM_PFNMAP))
			return -EINVAL;
		if (!(v->flags & (write ? VM_WRITE : VM_READ)))
			return -EINVAL;
		/* check_vma_flags() refuses secretmem too. */
		if (v->file && (v->file->inode->flags & VMS_INODE_SECRETMEM))
			return -EINVAL;
		uint64_t e = min_u64(end, v->end);
		int err = populate_vma_range(mm, v, start, e, write, !write);
		if (err)
			return err;
		start = e;
	}
	return 0;
}

/* mm/madvise.c is_valid_madvise() and madvise_should_skip(). Returns 1 when
 * the call goes on, else the result. */
static long check_range(uint64_t start, uint64_t len_in, uint64_t *end)
{
	if (offset_in_page(start))
		return -EINVAL;
	uint64_t len = PAGE_ALIGN(len_in);
	/* A length of -4095..-1 rounds up to zero. */
	if (len_in && !len)
		return -EINVAL;
	if (start + len < start)
		return -EINVAL;
	if (!len)
		return 0;
	*end = start + len;
	return 1;
}

long vms_madvise(vms_mm *mm, uint64_t addr, uint64_t len, int advice)
{
	/* mm/madvise.c do_madvise(): the advice is checked before the range. */
	if (!madvise_behavior_valid(advice))
		return -EINVAL;
	uint64_t end = 0;
	long r = check_range(addr, len, &end);
	if (r != 1)
		return r;
	if (advice == VMS_MADV_POPULATE_READ || advice == VMS_MADV_POPULATE_WRITE)
		return madvise_populate(mm, addr, end, advice == VMS_MADV_POPULATE_WRITE);
	/* A zap, retype or reclaim adds at most two resident ranges per VMA;
	 * reserve before any change. */
	if (rss_reserve(mm, 2 * vmas_in_range(mm, addr, end) + 2))
		return -ENOMEM;
	struct madv_call c = {.w = {.mm = mm, .start = addr, .end = end}, .behavior = advice};
	return madvise_walk_vmas(&c);
}

/* mm/madvise.c process_madvise_remote_valid(): the advice another process
 * may be given, none of which destroys data. */
static bool process_madvise_remote_valid(int behavior)
{
	switch (behavior) {
	case VMS_MADV_COLD:
	case VMS_MADV_PAGEOUT:
	case VMS_MADV_WILLNEED:
	case VMS_MADV_COLLAPSE:
		return true;
	default:
		return false;
	}
}

/* include/linux/fs.h MAX_RW_COUNT and include/uapi/linux/uio.h UIO_MAXIOV. */
#define MAX_RW_COUNT (0x7fffffffULL & PAGE_MASK)
#define UIO_MAXIOV 1024

/*
 * lib/iov_iter.c __import_iovec(): a negative length anywhere is EINVAL;
 * then each segment in turn must lie in user space, all of it (EFAULT), and
 * is cut so that the total stays within MAX_RW_COUNT; a single segment
 * (__import_iovec_ubuf, import_ubuf) is cut to MAX_RW_COUNT first and only
 * the cut part is checked (live: kdiff commit seed 449651192395081).
 * lens gets the cut lengths; returns the total or -errno.
 */
static long import_iovec(const vms_sys *sys, const struct vms_iovec *iov, uint64_t vlen,
			 uint64_t *lens)
{
	if (vlen > UIO_MAXIOV)
		return -EINVAL;
	if (!vlen)
		return 0;
	if (!iov)
		return -EFAULT;
	for (uint64_t i = 0; i < vlen; i++)
		if ((int64_t)iov[i].len < 0)
			return -EINVAL;
	uint64_t total = 0;
	/* One segment goes through import_ubuf(): cut, then checked. */
	if (vlen == 1) {
		lens[0] = min_u64(iov[0].len, MAX_RW_COUNT);
		return access_ok(sys, iov[0].base, lens[0]) ? (long)lens[0] : -EFAULT;
	}
	for (uint64_t i = 0; i < vlen; i++) {
		/* access_ok() of the whole segment, before the cut */
		if (!access_ok(sys, iov[i].base, iov[i].len))
			return -EFAULT;
		lens[i] = min_u64(iov[i].len, MAX_RW_COUNT - total);
		total += lens[i];
	}
	return (long)total;
}

long vms_process_madvise(vms_mm *mm, vms_mm *target, long lookup_err,
			 const struct vms_iovec *iov, uint64_t vlen, int advice, unsigned flags)
{
	uint64_t lens[UIO_MAXIOV];
	if (flags)
		return -EINVAL;
	long total = import_iovec(mm->sys, iov, vlen, lens);
	if (total < 0)
		return total;
	/* pidfd_get_task() and mm_access(): the caller's lookup of the pidfd. */
	if (!target)
		return lookup_err ? lookup_err : -ESRCH;
	if (!ptrace_may_read(mm, target))
		return -EACCES; /* mm_access() */
	if (target != mm && !process_madvise_remote_valid(advice))
		return -EINVAL;
	if (target != mm && !(mm->caps & VMS_CAP_SYS_NICE))
		return -EPERM;
	/*
	 * vector_madvise(): each segment is one madvise() on the target, and
	 * the first error ends the walk. The result is the bytes of the
	 * segments done, or the error when none was. The iterator starts at
	 * the first segment even when it is empty (its start is still
	 * checked), and steps over empty ones after a segment it finished.
	 */
	long done = 0, ret = 0;
	for (uint64_t i = 0; done < total;) {
		ret = vms_madvise(target, iov[i].base, lens[i], advice);
		if (ret < 0)
			break;
		done += (long)lens[i];
		for (i++; i < vlen && !lens[i]; i++)
			;
	}
	return done ? done : ret;
}

/* kernel/sys.c is_valid_name_char(): printable ASCII, and nothing that
 * would confuse a reader of /proc/PID/maps. */
static bool is_valid_name_char(char ch)
{
	return ch > 0x1f && ch < 0x7f && !strchr("\\`$[]", ch);
}

long vms_set_anon_name(vms_mm *mm, uint64_t addr, uint64_t len, const char *name)
{
	/* CONFIG_ANON_VMA_NAME=n: prctl_set_vma() is a stub (live: EINVAL). */
	if (!mm->sys->anon_vma_name_enabled)
		return -EINVAL;
	struct vms_anon_name *anon_name = NULL;
	if (name) {
		/* strndup_user(name, 80): the NUL must fit in 80 bytes. */
		size_t n = strnlen(name, ANON_VMA_NAME_MAX_LEN);
		if (n >= ANON_VMA_NAME_MAX_LEN)
			return -EINVAL;
		for (size_t i = 0; i < n; i++)
			if (!is_valid_name_char(name[i]))
				return -EINVAL;
		/* anon_vma_name_alloc(): before the range is even looked at. */
		anon_name = sys_malloc(mm->sys, sizeof(*anon_name) + n + 1);
		if (!anon_name)
			return -ENOMEM;
		anon_name->refcount = 1;
		memcpy(anon_name->name, name, n + 1);
	}
	/* mm/madvise.c madvise_set_anon_name(). */
	uint64_t end = 0;
	long r = check_range(addr, len, &end);
	if (r == 1) {
		struct madv_call c = {.w = {.mm = mm, .start = addr, .end = end},
				      .behavior = MADV_SET_ANON_VMA_NAME,
				      .anon_name = anon_name};
		r = madvise_walk_vmas(&c);
	}
	if (anon_name)
		anon_name_put(mm->sys, anon_name);
	return r;
}
