/*
 * fault.c: the parts of page-fault handling that change what the model
 * tracks: a first write to a private VMA gives it an anon_vma (which decides
 * later merges), pages become resident, and a touch below a stack grows it.
 * Not here: page contents or page tables.
 */
#include <errno.h>
#include <string.h>

#include "fault.h"
#include "accounting.h"
#include "prctl.h"
#include "rss.h"
#include "unmapped_area.h"
#include "vma.h"

/* mm/vma.c reusable_anon_vma()/anon_vma_compatible(): a neighbour with the
 * same memory policy (mpol_equal: equal policies share an id) that differs
 * only in access bits and continues v's pgoff can share. */
static bool anon_vma_compatible(const struct vms_vma *a, const struct vms_vma *b)
{
	return a->end == b->start && a->mpol == b->mpol && a->file == b->file &&
	       !((a->flags ^ b->flags) & ~(VM_ACCESS_FLAGS | VM_IGNORE_MERGE)) &&
	       b->pgoff == a->pgoff + vma_pages(a);
}

static struct vms_anon_vma *find_mergeable_anon_vma(const struct vms_mm *mm,
						    const struct vms_vma *v)
{
	struct vms_vma *next = vma_next(mm, v);
	if (next && anon_vma_compatible(v, next) && next->anon_vma && next->avc_depth == 1)
		return next->anon_vma;
	struct vms_vma *prev = vma_prev(mm, v);
	if (prev && anon_vma_compatible(prev, v) && prev->anon_vma && prev->avc_depth == 1)
		return prev->anon_vma;
	return NULL;
}

/* The anon_vma a VMA got, for an observer. */
static ev_cold void ev_anon_vma(const struct vms_mm *mm, const struct vms_vma *v, bool reused)
{
	struct vms_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.u.anon.reused = reused;
	ev.u.anon.id = v->anon_vma->id;
	ev_emit(mm, VMS_EV_ANON_VMA, "__anon_vma_prepare", v->start, v->end, &ev);
}

/* A stack's growth, for an observer. */
static ev_cold void ev_grow(const struct vms_mm *mm, const struct vms_vma *v, uint64_t grow)
{
	struct vms_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.u.grow.pages = grow;
	ev_emit(mm, VMS_EV_STACK_GROW, "expand_downwards", v->start, v->end, &ev);
}

int anon_vma_prepare(struct vms_mm *mm, struct vms_vma *v)
{
	if (v->anon_vma)
		return 0;
	struct vms_anon_vma *av = find_mergeable_anon_vma(mm, v);
	bool reused = av != NULL;
	if (!av) {
		av = anon_vma_alloc(mm->sys);
		if (!av)
			return -ENOMEM;
	}
	anon_vma_get(av);
	v->anon_vma = av;
	v->avc_depth = 1;
	if (ev_on(mm->sys))
		ev_anon_vma(mm, v, reused);
	return 0;
}

/* Whether a read fault on v allocates through the THP path, which prepares an
 * anon_vma even for the huge zero page (mm/huge_memory.c do_huge_pmd_anonymous_page). */
static bool thp_read_fault_prepares(const struct vms_mm *mm, const struct vms_vma *v,
				    uint64_t addr)
{
	if (!vma_is_anonymous(v) || (v->flags & (VM_NOHUGEPAGE | VM_SHARED)))
		return false;
	/* prctl(PR_SET_THP_DISABLE) takes the process out of THP. */
	if (vma_thp_disabled(mm, v->flags, false))
		return false;
	int mode = mm->sys->thp_mode;
	if (mode == 0 || (mode == 1 && !(v->flags & VM_HUGEPAGE)))
		return false;
	uint64_t haddr = addr & ~(PMD_SIZE - 1);
	return haddr >= v->start && haddr + PMD_SIZE <= v->end;
}

/* A hugetlb fault needs a huge page: a reservation made at mmap, or a free
 * unreserved page for a MAP_NORESERVE mapping; else SIGBUS (mm/hugetlb.c
 * alloc_hugetlb_folio). Huge pages are not RSS, and which ones are in use is
 * not tracked. */
static int hugetlb_fault_ok(const struct vms_mm *mm, const struct vms_vma *v)
{
	/* A System V segment reserved at shmget unless SHM_NORESERVE. */
	bool reserved = v->kind == VMA_SHM ? v->file->inode->huge_rsvd != 0
					   : !(v->flags & VM_NORESERVE);
	if (reserved)
		return 0;
	for (int i = 0; i < 2; i++) {
		const struct hugetlb_pool *p = &mm->sys->huge[i];
		if (p->page_size == v->file->inode->hpage_size && p->free > p->rsvd)
			return 0;
	}
	return -EFAULT;
}

/* One fault on an address inside v, access already allowed. */
/* Pages faulted in, for an observer. */
ev_cold static void ev_resident(const struct vms_mm *mm, uint64_t start, uint64_t end, bool write,
			const char *rule)
{
	struct vms_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.u.resident.pages = (end - start) >> PAGE_SHIFT;
	ev.u.resident.write = write;
	ev_emit(mm, VMS_EV_RESIDENT, rule, start, end, &ev);
}

/*
 * fs/userfaultfd.c handle_userfault(): a fault on a page that is not there,
 * in a VMA registered for missing faults (do_anonymous_page,
 * do_huge_pmd_anonymous_page, shmem_get_folio_gfp), goes to the context. The
 * model has no thread to answer it: it is taken as answered with SIGBUS, as
 * a context with UFFD_FEATURE_SIGBUS does (and a UFFD_USER_MODE_ONLY one to
 * a fault of the kernel's own, populate's), so a populate stops there with
 * EFAULT. The anonymous write path has prepared the anon_vma by then. For
 * shmem the page cache, which the model does not keep, is taken to be what
 * this address space has mapped. Returns the first such address in
 * [start, end), or end.
 */
static uint64_t uffd_first_missing(const struct vms_mm *mm, const struct vms_vma *v,
				   uint64_t start, uint64_t end)
{
	if (!(v->flags & VM_UFFD_MISSING))
		return end;
	for (uint64_t a = start; a < end; a += PAGE_SIZE)
		if (rss_type_at(mm, a) < 0)
			return a;
	return end;
}

static int fault_page(struct vms_mm *mm, struct vms_vma *v, uint64_t addr, bool write)
{
	addr &= PAGE_MASK;
	bool private = !(v->flags & VM_SHARED) && !(v->flags & VM_MAYSHARE);
	/* mm/hugetlb.c hugetlb_no_page(): past the end of the file is SIGBUS. */
	if (vma_is_hugetlb(v))
		return addr >= vma_eof_addr(v) ? -EFAULT : hugetlb_fault_ok(mm, v);
	/* A guard marker faults with SIGSEGV (mm/memory.c handle_pte_marker). */
	if (rss_first_guard(mm, addr, addr + PAGE_SIZE) == addr)
		return -EFAULT;
	if (rss_reserve(mm, 4))
		return -ENOMEM;
	/* do_anonymous_page(): a read maps the zero page where the kernel may
	 * use it; otherwise it allocates a page as a write does, and so
	 * prepares the anon_vma (mm.zero_page). */
	bool zero_page = !write && vma_is_anonymous(v) && private && mm->sys->zero_page;
	bool allocates = write || (!write && vma_is_anonymous(v) && private && !zero_page);
	if (private && (allocates || thp_read_fault_prepares(mm, v, addr))) {
		int err = anon_vma_prepare(mm, v);
		if (err)
			return err;
	}
	if (uffd_first_missing(mm, v, addr, addr + PAGE_SIZE) == addr)
		return -EFAULT;
	/* A file page past the end of the file is SIGBUS (the ->fault of
	 * filemap, shmem, secretmem); do_cow_fault() prepared the anon_vma
	 * before it asked. */
	if (!vma_is_anonymous(v) && addr >= vma_eof_addr(v))
		return -EFAULT;
	int now = rss_type_at(mm, addr);
	if (zero_page) {
		/* A read of untouched private anonymous memory maps the shared
		 * zero page, which no RSS counter counts; a page already there
		 * stays as it is. */
		if (now < 0) {
			rss_add(mm, addr, addr + PAGE_SIZE, RSS_ZERO);
			if (ev_on(mm->sys))
				ev_resident(mm, addr, addr + PAGE_SIZE, write, "do_anonymous_page");
		}
		return 0;
	}
	/* A present page serves the access, except that a write to a private
	 * VMA replaces the zero page or a page cache page by a page of its own
	 * (COW), and redirties a lazily freed one. */
	if (now >= 0 && now != RSS_ZERO &&
	    !(write && private && (v->file || now == RSS_LAZY)))
		return 0;
	rss_add(mm, addr, addr + PAGE_SIZE, rss_type_for(v, write));
	if (ev_on(mm->sys))
		ev_resident(mm, addr, addr + PAGE_SIZE, write, "handle_mm_fault");
	return 0;
}

int populate_vma_range(struct vms_mm *mm, struct vms_vma *v, uint64_t start, uint64_t end,
		       bool force_write, bool force_read)
{
	/* mm/gup.c populate_vma_page_range(): write-fault private writable
	 * mappings so COW happens now; PROT_NONE cannot be populated, nor can
	 * secretmem, which GUP refuses (check_vma_flags()). */
	if ((v->flags & (VM_IO | VM_PFNMAP)) ||
	    (v->file && (v->file->inode->flags & VMS_INODE_SECRETMEM)))
		return -EFAULT;
	bool write = force_write || (!force_read && (v->flags & (VM_WRITE | VM_SHARED)) == VM_WRITE);
	if (!(v->flags & VM_ACCESS_FLAGS))
		return -EFAULT;
	if (start >= end)
		return 0;
	if (vma_is_hugetlb(v))
		return vma_eof_addr(v) <= start ? -EFAULT : hugetlb_fault_ok(mm, v);
	if (rss_reserve(mm, rss_ranges_in(mm, start, end) + 4))
		return -ENOMEM;
	/* Pages fault in one by one: the first guard marker (SIGSEGV) or the
	 * first page past the end of the file (SIGBUS) ends it with -EFAULT. */
	uint64_t guard = rss_first_guard(mm, start, end);
	if (guard == start)
		return -EFAULT;
	uint64_t stop = min_u64(guard, max_u64(vma_eof_addr(v), start));
	stop = uffd_first_missing(mm, v, start, stop);
	/* do_cow_fault() prepares the anon_vma before it reads the file, so a
	 * write fault past EOF still leaves the VMA with one. */
	bool private = !(v->flags & VM_MAYSHARE);
	bool zero_page = !write && vma_is_anonymous(v) && private && mm->sys->zero_page;
	bool allocates = write || (!write && vma_is_anonymous(v) && private && !zero_page);
	if (private && (allocates || thp_read_fault_prepares(mm, v, start))) {
		int err = anon_vma_prepare(mm, v);
		if (err)
			return err;
	}
	/* A write gives every page one of its own; a read maps what is missing
	 * (the zero page, for untouched private anonymous memory) and leaves
	 * present pages as they are, copies and lazily freed pages included. */
	if (stop > start && write)
		rss_add(mm, start, stop, rss_type_for(v, true));
	else if (stop > start)
		rss_fill(mm, start, stop, zero_page ? RSS_ZERO : rss_type_for(v, false));
	if (ev_on(mm->sys) && stop > start)
		ev_resident(mm, start, stop, write, "populate_vma_page_range");
	return stop < end ? -EFAULT : 0;
}

uint64_t vma_eof_addr(const struct vms_vma *v)
{
	/* Anonymous memory (private /dev/zero too) has no end of file. */
	if (!v->file || vma_is_anonymous(v))
		return v->end;
	uint64_t size = v->file->inode->size;
	uint64_t eof_pg = (size >> PAGE_SHIFT) + (offset_in_page(size) ? 1 : 0);
	if (eof_pg <= v->pgoff)
		return v->start;
	if (eof_pg - v->pgoff >= vma_pages(v))
		return v->end;
	return v->start + ((eof_pg - v->pgoff) << PAGE_SHIFT);
}

int __mm_populate(struct vms_mm *mm, uint64_t start, uint64_t end, bool ignore_errors)
{
	/* mm/gup.c __mm_populate(): I/O and PFN mappings have no pages to fault
	 * in, lock-on-fault VMAs fault theirs later; with ignore_errors a VMA
	 * that fails is left and the walk goes on, else the first error ends it. */
	int ret = 0;
	for (uint64_t a = start; a < end;) {
		struct vms_vma *v = find_vma_intersection(mm, a, end);
		if (!v)
			break;
		uint64_t s = max_u64(a, v->start), e = min_u64(end, v->end);
		a = e;
		if (v->flags & (VM_IO | VM_PFNMAP | VM_LOCKONFAULT))
			continue;
		ret = populate_vma_range(mm, v, s, e, false, false);
		if (ret < 0) {
			if (!ignore_errors)
				break;
			ret = 0;
		}
	}
	return ret;
}

void mm_populate(struct vms_mm *mm, uint64_t start, uint64_t end)
{
	(void)__mm_populate(mm, start, end, true);
}

int expand_downwards(struct vms_mm *mm, struct vms_vma *v, uint64_t addr)
{
	addr &= PAGE_MASK;
	if (addr < effective_mmap_min_addr(mm->sys))
		return -EPERM;
	struct vms_vma *prev = vma_prev(mm, v);
	/* A non-stack neighbour that can be accessed keeps a guard gap away. */
	if (prev && !(prev->flags & VM_GROWSDOWN) && (prev->flags & VM_ACCESS_FLAGS) &&
	    addr - prev->end < mm->sys->stack_guard_gap)
		return -ENOMEM;
	if (prev && addr < prev->end)
		return -ENOMEM;
	int err = vt_preallocate(&mm->tree, 1);
	if (err)
		return err;
	/* The anon_vma comes first: it stays even when a limit refuses the
	 * growth below (mm/mmap.c expand_downwards()). */
	err = anon_vma_prepare(mm, v);
	if (err)
		return err;
	uint64_t grow = (v->start - addr) >> PAGE_SHIFT;
	uint64_t size = v->end - addr;
	if (grow > v->pgoff)
		return -ENOMEM;
	/* acct_stack_growth() */
	if (!may_expand_vm(mm, v->flags, grow))
		return -ENOMEM;
	if (ev_on(mm->sys))
		ev_limit(mm, "acct_stack_growth", VMS_LIMIT_STACK, size <= mm->rlim_stack.cur,
			 grow << PAGE_SHIFT, v->end - v->start, mm->rlim_stack.cur);
	if (size > mm->rlim_stack.cur)
		return -ENOMEM;
	if ((v->flags & VM_LOCKED) && !mlock_future_ok(mm, v->flags, grow << PAGE_SHIFT))
		return -ENOMEM;
	/* It charges every growth, accountable or not, so a stack that is not
	 * VM_ACCOUNT leaves its charge behind at unmap. */
	if (vm_enough_memory(mm, grow))
		return -ENOMEM;
	if (v->flags & VM_LOCKED)
		mm->locked_vm += grow;
	vm_stat_account(mm, v->flags, (int64_t)grow);
	vma_set_range(mm, v, addr, v->end, v->pgoff - grow);
	if (ev_on(mm->sys))
		ev_grow(mm, v, grow);
	return 0;
}

long vms_fault(vms_mm *mm, uint64_t addr, int write)
{
	struct vms_vma *v = find_vma(mm, addr);
	if (!v)
		return -EFAULT;
	if (addr < v->start) {
		/* lock_mm_and_find_vma(): only a stack grows to meet a fault. */
		if (!(v->flags & VM_GROWSDOWN))
			return -EFAULT;
		int err = expand_downwards(mm, v, addr);
		if (err)
			return -EFAULT;
	}
	/* arch/x86/mm/fault.c access_error(). */
	if (write ? !(v->flags & VM_WRITE) : !(v->flags & VM_ACCESS_FLAGS))
		return -EACCES;
	int err = fault_page(mm, v, addr, write != 0);
	return err ? err : 0;
}
