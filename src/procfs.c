/*
 * procfs.c: the text files of /proc the model reproduces byte for byte
 * (fs/proc/task_mmu.c show_map_vma() and task_mem(), fs/proc/meminfo.c
 * and mm/hugetlb.c hugetlb_report_meminfo()), and the reverse: building an
 * address space from a /proc/PID/maps text.
 *
 * Not here: any rule of a system call. The importer only places VMAs and sets
 * the counters the kernel would have for them; it never runs mmap().
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "accounting.h"
#include "file.h"
#include "prctl.h"
#include "rss.h"
#include "vma.h"

/* ---- an snprintf-like writer ---- */

struct out {
	char *buf;
	size_t size; /* bytes of buf; at most size - 1 characters are stored */
	size_t len;  /* characters the whole text needs so far */
};

static void put_mem(struct out *o, const char *s, size_t n)
{
	if (o->size && o->len < o->size - 1) {
		size_t room = o->size - 1 - o->len;
		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void put_str(struct out *o, const char *s)
{
	put_mem(o, s, strlen(s));
}

static void put_char(struct out *o, char c)
{
	put_mem(o, &c, 1);
}

static void put_spaces(struct out *o, size_t n)
{
	while (n--)
		put_char(o, ' ');
}

/* lib/seq_file.c seq_put_hex_ll(): lower-case hex, zero padded to width. */
static void put_hex(struct out *o, uint64_t v, unsigned width)
{
	char tmp[16];
	unsigned n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v);
	while (width > n) {
		put_char(o, '0');
		width--;
	}
	while (n)
		put_char(o, tmp[--n]);
}

/* seq_put_decimal_ull_width(): decimal, space padded on the left to width. */
static void put_dec_width(struct out *o, uint64_t v, unsigned width)
{
	char tmp[20];
	unsigned n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (width > n)
		put_spaces(o, width - n);
	while (n)
		put_char(o, tmp[--n]);
}

static size_t out_finish(struct out *o)
{
	if (o->size)
		o->buf[o->len < o->size - 1 ? o->len : o->size - 1] = '\0';
	return o->len;
}

/* ---- /proc/PID/maps ---- */

/*
 * What the name column shows, in the order fs/proc/task_mmu.c
 * get_vma_name() tries: the file's path (or the shmem anon name), the
 * special mapping's name, [heap], [stack], then the anon name.
 */
struct vma_name {
	const char *pre;  /* "[anon:" and the like, or "" */
	const char *text; /* path or label */
	const char *post; /* "]" or " (deleted)" or "" */
	bool is_path;     /* seq_file_path(): '\n' is shown as \012 */
};

/* include/linux/mm.h vma_is_initial_heap(): strict overlap with the brk area. */
static bool vma_is_initial_heap(const struct vms_mm *mm, const struct vms_vma *v)
{
	return v->start < mm->brk && v->end > mm->start_brk;
}

/* include/linux/mm.h vma_is_initial_stack(): inclusive at both ends. */
static bool vma_is_initial_stack(const struct vms_mm *mm, const struct vms_vma *v)
{
	return v->start <= mm->start_stack && v->end >= mm->start_stack;
}

static bool get_vma_name(const struct vms_mm *mm, const struct vms_vma *v, struct vma_name *n)
{
	n->pre = n->post = "";
	n->is_path = false;
	if (v->file) {
		if (v->anon_name) {
			n->pre = "[anon_shmem:";
			n->text = v->anon_name->name;
			n->post = "]";
			return true;
		}
		/* d_path() of an unlinked dentry ends in " (deleted)". */
		n->text = v->file->inode->path;
		n->is_path = true;
		if (v->file->inode->flags & VMS_INODE_DELETED)
			n->post = " (deleted)";
		return true;
	}
	/* vm_ops->name(): special_mapping_name(). */
	switch (v->kind) {
	case VMA_VDSO:
		n->text = "[vdso]";
		return true;
	case VMA_VVAR:
		n->text = "[vvar]";
		return true;
	case VMA_VVAR_VCLOCK:
		n->text = "[vvar_vclock]";
		return true;
	default:
		break;
	}
	if (vma_is_initial_heap(mm, v)) {
		n->text = "[heap]";
		return true;
	}
	if (vma_is_initial_stack(mm, v)) {
		n->text = "[stack]";
		return true;
	}
	if (v->anon_name) {
		n->pre = "[anon:";
		n->text = v->anon_name->name;
		n->post = "]";
		return true;
	}
	return false;
}

static void put_name(struct out *o, const struct vma_name *n)
{
	put_str(o, n->pre);
	if (n->is_path) {
		for (const char *p = n->text; *p; p++) {
			if (*p == '\n')
				put_str(o, "\\012");
			else
				put_char(o, *p);
		}
	} else {
		put_str(o, n->text);
	}
	put_str(o, n->post);
}

/* 25 + sizeof(void *) * 6 - 1: the width show_vma_header_prefix() sets. */
#define MAPS_NAME_PAD 72

/* fs/proc/task_mmu.c show_vma_header_prefix() plus the seq_pad() before the
 * name: the header always ends in one space; a name is padded to column 72
 * and then one more space is put, so names start at byte 73. */
static void put_maps_line(struct out *o, uint64_t start, uint64_t end, uint64_t flags,
			  uint64_t pgoff_bytes, uint32_t major, uint32_t minor, uint64_t ino,
			  const struct vma_name *name)
{
	size_t line_start = o->len;
	put_hex(o, start, 8);
	put_char(o, '-');
	put_hex(o, end, 8);
	put_char(o, ' ');
	put_char(o, flags & VM_READ ? 'r' : '-');
	put_char(o, flags & VM_WRITE ? 'w' : '-');
	put_char(o, flags & VM_EXEC ? 'x' : '-');
	put_char(o, flags & VM_MAYSHARE ? 's' : 'p');
	put_char(o, ' ');
	put_hex(o, pgoff_bytes, 8);
	put_char(o, ' ');
	put_hex(o, major, 2);
	put_char(o, ':');
	put_hex(o, minor, 2);
	put_char(o, ' ');
	put_dec_width(o, ino, 0);
	put_char(o, ' ');
	if (name) {
		size_t used = o->len - line_start;
		if (used < MAPS_NAME_PAD)
			put_spaces(o, MAPS_NAME_PAD - used);
		put_char(o, ' ');
		put_name(o, name);
	}
	put_char(o, '\n');
}

/* The gate VMA (arch/x86/entry/vsyscall/vsyscall_64.c): not in the tree,
 * shown last; execute-only with CONFIG_LEGACY_VSYSCALL_XONLY. */
#define VSYSCALL_ADDR 0xffffffffff600000ULL

static void show_map_vma(struct out *o, const struct vms_mm *mm, const struct vms_vma *v)
{
	struct vma_name name;
	bool named = get_vma_name(mm, v, &name);
	uint64_t pgoff = 0;
	uint32_t major = 0, minor = 0;
	uint64_t ino = 0;
	/* show_map_vma(): the offset is shown only for a VMA with a file; a
	 * private anonymous VMA keeps addr >> PAGE_SHIFT inside but shows 0. */
	if (v->file) {
		const struct vms_inode *i = v->file->inode;
		pgoff = v->pgoff << PAGE_SHIFT;
		major = i->dev_major;
		minor = i->dev_minor;
		ino = i->ino;
	}
	put_maps_line(o, v->start, v->end, v->flags, pgoff, major, minor, ino,
		      named ? &name : NULL);
}

size_t vms_maps_text(const vms_mm *mm, char *buf, size_t size)
{
	struct out o = {buf, size, 0};
	struct vt_cursor c;
	for (const struct vms_vma *v = vt_first(&mm->tree, &c); v; v = vt_next(&c))
		show_map_vma(&o, mm, v);
	if (mm->has_gate) {
		struct vma_name gate = {"", "[vsyscall]", "", false};
		put_maps_line(&o, VSYSCALL_ADDR, VSYSCALL_ADDR + PAGE_SIZE, VM_EXEC, 0, 0, 0, 0,
			      &gate);
	}
	return out_finish(&o);
}

/* ---- /proc/PID/smaps and /proc/PID/smaps_rollup ---- */

/*
 * What smap_gather_stats() would count, from what the model tracks. Exact:
 * the header (the maps line), Size, KernelPageSize, MMUPageSize,
 * THPeligible, ProtectionKey, VmFlags, and which pages are resident and
 * whether each is anonymous (Rss, Anonymous, LazyFree) as far as the
 * resident set itself is (rss.h: pages present before an import are not in
 * it, and a THP fault maps one page where the kernel maps 512).
 * Approximations, because the model keeps no per-page state beyond the
 * residency type:
 * - dirty: anonymous pages are dirty, lazily freed ones clean (MADV_FREE
 *   cleaned them), shmem pages dirty, page cache pages clean (a page
 *   written through a shared file mapping is dirty in the kernel);
 * - mapcount: a page cache or shmem page is mapped by each VMA, of every
 *   process of the system, whose resident set holds it at that file
 *   offset; mappings by processes the model does not know (the host's libc
 *   in every process) are not counted; an anonymous page is always mapped
 *   once, so pages shared with a fork child show as private;
 * - Referenced: every resident page but a lazily freed one;
 * - never resident in the model, so always 0: KSM, AnonHugePages,
 *   ShmemPmdMapped, FilePmdMapped, Shared_Hugetlb and Private_Hugetlb
 *   (hugetlb pages in use are not tracked), Swap and SwapPss (reclaim drops
 *   pages from the resident set without remembering them).
 */
struct smap_stats {
	uint64_t resident, shared_clean, shared_dirty, private_clean, private_dirty;
	uint64_t referenced, anonymous, lazyfree, private_hugetlb, shared_hugetlb;
	/* PSS in bytes << PSS_SHIFT, as the kernel sums it before dividing. */
	uint64_t pss, pss_dirty, pss_anon, pss_file, pss_shmem, pss_locked;
};

#define PSS_SHIFT 12
#define PMD_ORDER (21 - PAGE_SHIFT) /* HPAGE_PMD_ORDER */

/* The mm's first resident range that ends above addr. */
static size_t resident_from(const struct vms_mm *mm, uint64_t addr)
{
	size_t lo = 0, hi = mm->nresident;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (mm->resident[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool maps_cache_page(int type)
{
	return type == RSS_FILE || type == RSS_SHMEM;
}

/* folio_precise_page_mapcount() of the page cache page at pgoff of the
 * inode: the VMAs of the inode's i_mmap (every process of the system) that
 * map it, that is, hold it resident and not a private copy of it. */
static uint64_t file_page_mapcount(const struct vms_inode *ino, uint64_t pgoff)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < ino->i_mmap_count; i++) {
		const struct vms_vma *w = ino->i_mmap[i].vma;
		if (pgoff < w->pgoff || pgoff - w->pgoff >= vma_pages(w))
			continue;
		uint64_t addr = w->start + ((pgoff - w->pgoff) << PAGE_SHIFT);
		if (maps_cache_page(rss_type_at(ino->i_mmap[i].mm, addr)))
			n++;
	}
	return n;
}

/* fs/proc/task_mmu.c smaps_page_accumulate() for pages of one type and
 * mapcount (the model's dirty, anonymous and referenced rules above). */
static void smaps_account(struct smap_stats *st, int type, uint64_t mapcount, uint64_t pages,
			  bool locked)
{
	uint64_t size = pages << PAGE_SHIFT;
	uint64_t pss = (size << PSS_SHIFT) / (mapcount >= 2 ? mapcount : 1);
	bool anon = type == RSS_ANON || type == RSS_LAZY;
	bool dirty = type == RSS_ANON || type == RSS_SHMEM;
	bool private = mapcount < 2;
	st->resident += size;
	if (anon) {
		st->anonymous += size;
		/* !folio_test_swapbacked() and clean: MADV_FREE'd. */
		if (type == RSS_LAZY)
			st->lazyfree += size;
	}
	if (type != RSS_LAZY)
		st->referenced += size;
	st->pss += pss;
	if (anon)
		st->pss_anon += pss;
	else if (type == RSS_SHMEM)
		st->pss_shmem += pss;
	else
		st->pss_file += pss;
	if (locked)
		st->pss_locked += pss;
	if (dirty) {
		st->pss_dirty += pss;
		*(private ? &st->private_dirty : &st->shared_dirty) += size;
	} else {
		*(private ? &st->private_clean : &st->shared_clean) += size;
	}
}

/* smap_gather_stats(): the walk of v's page tables, here of its resident
 * ranges. The zero page and guard markers are not pages (vm_normal_page()
 * gives none). Hugetlb pages go to the hugetlb fields only
 * (smaps_hugetlb_range()). */
static void smap_gather_stats(const struct vms_mm *mm, const struct vms_vma *v,
			      struct smap_stats *st)
{
	bool locked = (v->flags & VM_LOCKED) != 0;
	const struct vms_inode *ino = v->file ? v->file->inode : NULL;
	for (size_t i = resident_from(mm, v->start);
	     i < mm->nresident && mm->resident[i].start < v->end; i++) {
		const struct page_range *r = &mm->resident[i];
		uint64_t s = max_u64(r->start, v->start), e = min_u64(r->end, v->end);
		if (!rss_type_counts(r->type) || s >= e)
			continue;
		uint64_t pages = (e - s) >> PAGE_SHIFT;
		if (vma_is_hugetlb(v)) {
			*((v->flags & VM_MAYSHARE) && ino && ino->i_mmap_count > 1 ? &st->shared_hugetlb
									   : &st->private_hugetlb) +=
			    pages << PAGE_SHIFT;
			continue;
		}
		if (!ino || !maps_cache_page(r->type) || ino->i_mmap_count < 2) {
			smaps_account(st, r->type, 1, pages, locked);
			continue;
		}
		/* A page cache page other VMAs may map too: page by page. */
		uint64_t pgoff = v->pgoff + ((s - v->start) >> PAGE_SHIFT);
		for (uint64_t p = 0; p < pages; p++)
			smaps_account(st, r->type, file_page_mapcount(ino, pgoff + p), 1, locked);
	}
}

/* include/linux/huge_mm.h thp_vma_suitable_order() at vm_end - the block
 * size, in the kernel's unsigned arithmetic (a VMA ending below the block
 * size wraps and "fits"); a file VMA's pgoff must line up with the block. */
static bool thp_suitable_order(const struct vms_vma *v, unsigned order)
{
	uint64_t hsize = PAGE_SIZE << order;
	if (!vma_is_anonymous(v) &&
	    (((v->start >> PAGE_SHIFT) - v->pgoff) & ((hsize >> PAGE_SHIFT) - 1)) != 0)
		return false;
	uint64_t haddr = (v->end - hsize) & ~(hsize - 1);
	return haddr >= v->start && haddr + hsize <= v->end;
}

/*
 * THPeligible: mm/huge_memory.c thp_vma_allowable_orders(vma, vm_flags,
 * TVA_SMAPS, THP_ORDERS_ALL) != 0. The model knows the top-level setting
 * (vm.transparent_hugepage) and assumes the kernel's default per-size
 * settings (hugepages-2048kB "inherit", every other size "never"), shmem's
 * "never" (shmem_enabled and the per-size shmem settings: the host's) and
 * no CONFIG_READ_ONLY_THP_FOR_FS (the host's).
 */
static bool thp_eligible(const struct vms_mm *mm, const struct vms_vma *v)
{
	int mode = mm->sys->thp_mode;
	if (vma_is_anonymous(v)) {
		/* The early mask: only the PMD order, enabled by "always", or
		 * by "madvise" for a VM_HUGEPAGE VMA. */
		if (!(mode == 2 || (mode == 1 && (v->flags & VM_HUGEPAGE))))
			return false;
		if (vma_thp_disabled(mm, v->flags, false))
			return false;
		if (!thp_suitable_order(v, PMD_ORDER))
			return false;
		/* vma_is_temporary_stack(): exec's stack before setup_arg_pages()
		 * finishes (VM_STACK_INCOMPLETE_SETUP). */
		if ((v->flags & VM_GROWSDOWN) &&
		    (v->flags & (VM_SEQ_READ | VM_RAND_READ)) == (VM_SEQ_READ | VM_RAND_READ))
			return false;
		/* smaps shows 1 even before the first fault made the anon_vma. */
		return true;
	}
	/* File, shmem and special mappings: whatever orders fit, shmem then
	 * asks shmem_allowable_huge_orders() ("never": none), and any other
	 * needs a ->huge_fault (DAX only) or file_thp_enabled()
	 * (CONFIG_READ_ONLY_THP_FOR_FS): none either. */
	return false;
}

/* x86 VM_PKEY_BIT0..3: the VMA's protection key. */
static unsigned vma_pkey(const struct vms_vma *v)
{
	return (unsigned)((v->flags & VM_PKEY_MASK) >> VM_PKEY_SHIFT);
}

/* fs/proc/task_mmu.c show_smap_vma_flags(): two letters per set bit in bit
 * order, "??" for a bit without a mnemonic in this configuration (x86-64:
 * no soft dirty, no arm64 bits; the pkey bits print nothing, they have the
 * ProtectionKey line). */
static void show_smap_vma_flags(struct out *o, const struct vms_sys *sys, uint64_t flags)
{
	/* NULL: no mnemonic ("??"); "": printed as nothing. */
	static const char *const mnemonics[64] = {
	    [0] = "rd",	 [1] = "wr",  [2] = "ex",  [3] = "sh",	[4] = "mr",  [5] = "mw",
	    [6] = "me",	 [7] = "ms",  [8] = "gd",  [9] = "um",	[10] = "pf", [11] = "gu",
	    [12] = "uw", [13] = "lo", [14] = "io", [15] = "sr", [16] = "rr", [17] = "dc",
	    [18] = "de", [19] = "lf", [20] = "ac", [21] = "nr", [22] = "ht", [23] = "sf",
	    [24] = "ar", [25] = "wf", [26] = "dd", [28] = "mm", [29] = "hg", [30] = "nh",
	    [31] = "mg", [32] = "",   [33] = "",   [34] = "",	[35] = "",   [40] = "dp",
	    [41] = "ui", [42] = "sl",
	};
	put_str(o, "VmFlags: ");
	for (unsigned i = 0; i < 64; i++) {
		if (!(flags & (1ULL << i)))
			continue;
		const char *m = mnemonics[i];
		/* VM_SHADOW_STACK has its "ss" only with CONFIG_X86_USER_SHADOW_STACK. */
		if (i == 37 && sys->user_shstk_built)
			m = "ss";
		if (!m)
			m = "??";
		if (!m[0])
			continue;
		put_mem(o, m, 2);
		put_char(o, ' ');
	}
	put_char(o, '\n');
}

/* SEQ_PUT_DEC(): a byte count in kB, width 8, after its label. */
static void put_kb(struct out *o, const char *label, uint64_t bytes)
{
	put_str(o, label);
	put_dec_width(o, bytes >> 10, 8);
	put_str(o, " kB\n");
}

/* fs/proc/task_mmu.c __show_smap(); the rollup adds the Pss split. */
static void show_smap_stats(struct out *o, const struct smap_stats *st, bool rollup)
{
	put_kb(o, "Rss:            ", st->resident);
	put_kb(o, "Pss:            ", st->pss >> PSS_SHIFT);
	put_kb(o, "Pss_Dirty:      ", st->pss_dirty >> PSS_SHIFT);
	if (rollup) {
		put_kb(o, "Pss_Anon:       ", st->pss_anon >> PSS_SHIFT);
		put_kb(o, "Pss_File:       ", st->pss_file >> PSS_SHIFT);
		put_kb(o, "Pss_Shmem:      ", st->pss_shmem >> PSS_SHIFT);
	}
	put_kb(o, "Shared_Clean:   ", st->shared_clean);
	put_kb(o, "Shared_Dirty:   ", st->shared_dirty);
	put_kb(o, "Private_Clean:  ", st->private_clean);
	put_kb(o, "Private_Dirty:  ", st->private_dirty);
	put_kb(o, "Referenced:     ", st->referenced);
	put_kb(o, "Anonymous:      ", st->anonymous);
	put_kb(o, "KSM:            ", 0);
	put_kb(o, "LazyFree:       ", st->lazyfree);
	put_kb(o, "AnonHugePages:  ", 0);
	put_kb(o, "ShmemPmdMapped: ", 0);
	put_kb(o, "FilePmdMapped:  ", 0);
	put_kb(o, "Shared_Hugetlb: ", st->shared_hugetlb);
	/* One character longer a label, so width 7. */
	put_str(o, "Private_Hugetlb: ");
	put_dec_width(o, st->private_hugetlb >> 10, 7);
	put_str(o, " kB\n");
	put_kb(o, "Swap:           ", 0);
	put_kb(o, "SwapPss:        ", 0);
	put_kb(o, "Locked:         ", st->pss_locked >> PSS_SHIFT);
}

/* vma_kernel_pagesize() and vma_mmu_pagesize(): the huge page size of a
 * hugetlb VMA (the same for the MMU on x86), else the base page. */
static uint64_t vma_kernel_pagesize(const struct vms_vma *v)
{
	if (vma_is_hugetlb(v) && v->file && v->file->inode->hpage_size)
		return v->file->inode->hpage_size;
	return PAGE_SIZE;
}

/* The tail of show_smap() after the stats; the gate VMA's too. */
static void show_smap_tail(struct out *o, const struct vms_mm *mm, uint64_t flags, bool thp,
			   unsigned pkey)
{
	put_str(o, "THPeligible:    ");
	put_dec_width(o, thp ? 1 : 0, 8);
	put_char(o, '\n');
	/* arch_pkeys_enabled(): the CPU's OSPKE. */
	if (mm->sys->pku) {
		put_str(o, "ProtectionKey:  ");
		put_dec_width(o, pkey, 8);
		put_char(o, '\n');
	}
	show_smap_vma_flags(o, mm->sys, flags);
}

static void show_smap(struct out *o, const struct vms_mm *mm, const struct vms_vma *v)
{
	struct smap_stats st;
	memset(&st, 0, sizeof(st));
	smap_gather_stats(mm, v, &st);
	show_map_vma(o, mm, v);
	put_kb(o, "Size:           ", v->end - v->start);
	put_kb(o, "KernelPageSize: ", vma_kernel_pagesize(v));
	put_kb(o, "MMUPageSize:    ", vma_kernel_pagesize(v));
	show_smap_stats(o, &st, false);
	show_smap_tail(o, mm, v->flags, thp_eligible(mm, v), vma_pkey(v));
}

size_t vms_smaps_text(const vms_mm *mm, char *buf, size_t size)
{
	struct out o = {buf, size, 0};
	struct vt_cursor c;
	for (const struct vms_vma *v = vt_first(&mm->tree, &c); v; v = vt_next(&c))
		show_smap(&o, mm, v);
	if (mm->has_gate) {
		/* The gate VMA: no pages of the mm's, no THP (no vm_mm), key 0. */
		struct vma_name gate = {"", "[vsyscall]", "", false};
		struct smap_stats st;
		memset(&st, 0, sizeof(st));
		put_maps_line(&o, VSYSCALL_ADDR, VSYSCALL_ADDR + PAGE_SIZE, VM_EXEC, 0, 0, 0, 0,
			      &gate);
		put_kb(&o, "Size:           ", PAGE_SIZE);
		put_kb(&o, "KernelPageSize: ", PAGE_SIZE);
		put_kb(&o, "MMUPageSize:    ", PAGE_SIZE);
		show_smap_stats(&o, &st, false);
		show_smap_tail(&o, mm, VM_EXEC, false, 0);
	}
	return out_finish(&o);
}

/* fs/proc/task_mmu.c show_smaps_rollup(): every VMA's stats summed (not the
 * gate's), under a header from the first VMA's start to the last one's end
 * (0-0 for an empty mm). */
size_t vms_smaps_rollup_text(const vms_mm *mm, char *buf, size_t size)
{
	struct out o = {buf, size, 0};
	struct smap_stats st;
	struct vt_cursor c;
	uint64_t start = 0, end = 0;
	bool first = true;
	memset(&st, 0, sizeof(st));
	for (const struct vms_vma *v = vt_first(&mm->tree, &c); v; v = vt_next(&c)) {
		if (first)
			start = v->start;
		first = false;
		end = v->end;
		smap_gather_stats(mm, v, &st);
	}
	struct vma_name name = {"", "[rollup]", "", false};
	put_maps_line(&o, start, end, 0, 0, 0, 0, 0, &name);
	show_smap_stats(&o, &st, true);
	return out_finish(&o);
}

/* One VMA's line, as show_map_vma() prints it in the whole text: a program
 * that follows a few VMAs (cli/html.c) need not print all of them. */
size_t vms_vma_maps_text(const vms_mm *mm, const vms_vma *vma, char *buf, size_t size)
{
	struct out o = {buf, size, 0};
	show_map_vma(&o, mm, vma);
	return out_finish(&o);
}

/* ---- /proc/PID/status: the Vm and Rss lines ---- */

static void put_kb_line(struct out *o, const char *label, uint64_t kb)
{
	put_str(o, label);
	put_dec_width(o, kb, 8);
	put_str(o, " kB\n");
}

/*
 * VmPTE: the kernel prints mm_pgtables_bytes(), the PTE, PMD and PUD table
 * pages the mm holds (the PGD is not counted). The model has no page tables,
 * so it counts the tables that must exist for the pages now resident: one
 * PTE table per 2 MiB, one PMD table per 1 GiB and one PUD table per 512 GiB
 * region holding a resident page. That is exact while pages only ever became
 * resident (the notes' p1 process, with a resident page in each of its 2 MiB
 * regions, gives the 32 kB the kernel showed), and a lower bound after a
 * zap: the kernel keeps emptied tables until free_pgtables() at munmap.
 */
static uint64_t pgtables_bytes(const struct vms_mm *mm)
{
	static const unsigned shifts[] = {21, 30, 39};
	uint64_t tables = 0;
	for (unsigned s = 0; s < 3; s++) {
		/* Ranges are sorted, so a region shared with the previous
		 * range is always the previous range's last one. */
		uint64_t last = 0;
		bool have = false;
		for (size_t i = 0; i < mm->nresident; i++) {
			const struct page_range *r = &mm->resident[i];
			uint64_t first = r->start >> shifts[s], end = (r->end - 1) >> shifts[s];
			if (have && first <= last)
				first = last + 1;
			if (end >= first)
				tables += end - first + 1;
			last = end;
			have = true;
		}
	}
	return tables << PAGE_SHIFT;
}

/* mm/hugetlb.c hugetlb_report_usage(): hugetlb pages mapped by the mm. The
 * model keeps them in the resident set, inside VM_HUGETLB VMAs. */
static uint64_t hugetlb_usage_pages(const struct vms_mm *mm)
{
	uint64_t pages = 0;
	struct vt_cursor c;
	for (const struct vms_vma *v = vt_first(&mm->tree, &c); v; v = vt_next(&c))
		if (v->flags & VM_HUGETLB)
			pages += rss_count(mm, v->start, v->end);
	return pages;
}

size_t vms_status_text(const vms_mm *mm, char *buf, size_t size)
{
	struct out o = {buf, size, 0};
	/* fs/proc/task_mmu.c task_mem(). */
	uint64_t anon = mm->rss_anon, file = mm->rss_file, shmem = mm->rss_shmem;
	uint64_t total_rss = anon + file + shmem;
	uint64_t hiwater_vm = max_u64(mm->total_vm, mm->hiwater_vm);
	uint64_t hiwater_rss = max_u64(total_rss, mm->hiwater_rss);
	/* VmExe is the main image's text, capped by exec_vm; the rest of
	 * exec_vm (libraries, the vdso, anonymous r-x memory) is VmLib. The
	 * arithmetic is unsigned, as in the kernel. */
	uint64_t text = PAGE_ALIGN(mm->end_code) - (mm->start_code & PAGE_MASK);
	text = min_u64(text, mm->exec_vm << PAGE_SHIFT);
	uint64_t lib = (mm->exec_vm << PAGE_SHIFT) - text;
	const unsigned k = PAGE_SHIFT - 10;

	/* fs/proc/array.c task_state(): real, effective, saved and fs ids. */
	const struct vms_creds *cr = &mm->cred;
	const uint32_t ids[2][4] = {{cr->uid, cr->euid, cr->suid, cr->fsuid},
				    {cr->gid, cr->egid, cr->sgid, cr->fsgid}};
	for (int i = 0; i < 2; i++) {
		put_str(&o, i ? "Gid:" : "Uid:");
		for (int j = 0; j < 4; j++) {
			put_char(&o, '\t');
			put_dec_width(&o, ids[i][j], 0);
		}
		put_char(&o, '\n');
	}
	put_kb_line(&o, "VmPeak:\t", hiwater_vm << k);
	put_kb_line(&o, "VmSize:\t", mm->total_vm << k);
	put_kb_line(&o, "VmLck:\t", mm->locked_vm << k);
	put_kb_line(&o, "VmPin:\t", mm->pinned_vm << k);
	put_kb_line(&o, "VmHWM:\t", hiwater_rss << k);
	put_kb_line(&o, "VmRSS:\t", total_rss << k);
	put_kb_line(&o, "RssAnon:\t", anon << k);
	put_kb_line(&o, "RssFile:\t", file << k);
	put_kb_line(&o, "RssShmem:\t", shmem << k);
	put_kb_line(&o, "VmData:\t", mm->data_vm << k);
	put_kb_line(&o, "VmStk:\t", mm->stack_vm << k);
	put_kb_line(&o, "VmExe:\t", text >> 10);
	put_kb_line(&o, "VmLib:\t", lib >> 10);
	put_kb_line(&o, "VmPTE:\t", pgtables_bytes(mm) >> 10);
	/* No swap is modelled: MM_SWAPENTS stays 0. */
	put_kb_line(&o, "VmSwap:\t", 0);
	put_kb_line(&o, "HugetlbPages:\t", hugetlb_usage_pages(mm) << k);
	/* task_thp_status(): 0 only when PR_SET_THP_DISABLE took all of it. */
	put_str(&o, (mm->mmf & MMF_DISABLE_THP_COMPLETELY) ? "THP_enabled:\t0\n" : "THP_enabled:\t1\n");
	/* task_cap(): the capability sets, 16 hex digits each. */
	const struct {
		const char *label;
		uint64_t set;
	} caps[] = {{"CapInh:\t", cr->cap_inheritable}, {"CapPrm:\t", cr->cap_permitted},
		    {"CapEff:\t", cr->cap_effective},   {"CapBnd:\t", cr->cap_bset},
		    {"CapAmb:\t", cr->cap_ambient}};
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		put_str(&o, caps[i].label);
		put_hex(&o, caps[i].set, 16);
		put_char(&o, '\n');
	}
	return out_finish(&o);
}

/* ---- /proc/meminfo: the commit and hugetlb lines ---- */

/* fs/proc/meminfo.c show_val_kb(): label padded to 16, width-8 value. */
static void put_meminfo_kb(struct out *o, const char *label, uint64_t kb)
{
	put_str(o, label);
	size_t n = strlen(label);
	if (n < 16)
		put_spaces(o, 16 - n);
	put_dec_width(o, kb, 8);
	put_str(o, " kB\n");
}

static void put_meminfo_count(struct out *o, const char *label, uint64_t v)
{
	/* hugetlb_report_meminfo(): "HugePages_Total:   %5lu". */
	put_str(o, label);
	put_spaces(o, 19 - strlen(label));
	put_dec_width(o, v, 5);
	put_char(o, '\n');
}

size_t vms_meminfo_text(const vms_sys *sys, char *buf, size_t size)
{
	struct out o = {buf, size, 0};
	const unsigned k = PAGE_SHIFT - 10;
	/* vm_memory_committed(): the summed counter, never shown below 0. */
	uint64_t committed = sys->committed_pages;
	if ((int64_t)committed < 0)
		committed = 0;
	put_meminfo_kb(&o, "CommitLimit:", vm_commit_limit(sys) << k);
	put_meminfo_kb(&o, "Committed_AS:", committed << k);
	/* mm/hugetlb.c hugetlb_report_meminfo(): the counts of the default
	 * hstate, then the size of every pool together. No surplus pages are
	 * modelled. */
	const struct hugetlb_pool *def = &sys->huge[sys->huge[1].page_size == sys->hugetlb_default_size];
	uint64_t total_kb = 0;
	for (int i = 0; i < 2; i++)
		total_kb += sys->huge[i].total * (sys->huge[i].page_size >> 10);
	put_meminfo_count(&o, "HugePages_Total:", def->total);
	put_meminfo_count(&o, "HugePages_Free:", def->free);
	put_meminfo_count(&o, "HugePages_Rsvd:", def->rsvd);
	put_meminfo_count(&o, "HugePages_Surp:", 0);
	put_str(&o, "Hugepagesize:   ");
	put_dec_width(&o, def->page_size >> 10, 8);
	put_str(&o, " kB\n");
	put_meminfo_kb(&o, "Hugetlb:", total_kb);
	return out_finish(&o);
}

/* ---- importing a /proc/PID/maps text ---- */

/*
 * What a maps line cannot say, and what the importer assumes instead:
 *
 * - Flags beyond the four letters: VM_MAYREAD|VM_MAYWRITE|VM_MAYEXEC as
 *   mmap gives them (no noexec mounts, no MAP_NORESERVE, nothing locked,
 *   no madvise flags). A file mapped shared is taken to be open O_RDWR when
 *   any of its shared mappings is writable, else O_RDONLY, so a read-only
 *   shared mapping of it has neither VM_SHARED nor VM_MAYWRITE (do_mmap()).
 * - Private writable memory was charged (accountable_mapping()): VM_ACCOUNT
 *   and the system commit counter. [heap] and [stack] always are
 *   (do_brk_flags(), VM_STACK_FLAGS).
 * - anon_vma: the loader and the program wrote to every private writable
 *   VMA ([heap], [stack], rw-p anonymous memory and the rw-p data of ELF
 *   images), so each has an anon_vma, each its own: the text cannot say
 *   which VMAs were split from one. Two exceptions: adjacent [stack] lines
 *   (pieces of the one exec stack) share one, and RELRO (below).
 * - RELRO: a read-only private file VMA directly followed by a private
 *   writable VMA of the same file at the next offset was the front of that
 *   data mapping, written by the relocator and then made read-only by
 *   mprotect(), which keeps VM_ACCOUNT and the anon_vma (mprotect_fixup()).
 *   The live kernel shows exactly this ("ac" in smaps) for ld.so, libc and
 *   PIE executables.
 * - Two adjacent lines the kernel would have merged differ in something the
 *   text does not show. The importer makes them unmergeable the least
 *   surprising way: private ones get distinct anon_vmas, shared ones
 *   separate open files.
 * - [stack]: VM_GROWSDOWN; start_stack is 8 bytes below the VMA's end (an
 *   sp inside the VMA, so vma_is_initial_stack() holds, but not its end, so
 *   an anonymous VMA mapped right above it is not labelled too). Two
 *   adjacent [stack] lines are the halves of a split stack: start_stack is
 *   their boundary. vm_pgoff is what exec leaves: the one-page stack VMA at
 *   STACK_TOP_MAX has pgoff (STACK_TOP_MAX >> 12) - 1 and every page of
 *   growth lowers it by one (expand_downwards()), whatever the shift.
 * - [heap]: start_brk as given (0: the first [heap] line's start), brk the
 *   last [heap] line's end. Without a [heap] and without start_brk, both are
 *   the end of the main image's last VMA (or of the bss line right after).
 * - The main image is the file of the lowest file line. When the mm has no
 *   image yet (end_code == 0), its first executable line gives
 *   start_code/end_code and its writable lines start_data/end_data, so that
 *   VmExe and VmLib split exec_vm as the kernel's did.
 * - Special mappings take the flags 6.18 gives them (arch/x86/entry/vdso/
 *   vma.c, lib/vdso/datastore.c, plus VM_DONTEXPAND from
 *   _install_special_mapping()); the live smaps agrees: [vdso] "rd ex mr mw
 *   me de", [vvar] and [vvar_vclock] "rd mr pf io de dd".
 * - Shared memory files (device 00:01: "/dev/zero (deleted)", memfd, SysV)
 *   become private shmem inodes with the text's inode number; all but memfd
 *   (VM_NORESERVE) charge their size to the commit counter as
 *   shmem_acct_size() did.
 * - Nothing is resident: RSS starts at 0.
 * - Not importable (-EINVAL): hugetlb mappings (the pool's reservations
 *   cannot be known), other [bracketed] names, and a text whose names the
 *   model would not print back (for example an unnamed anonymous VMA that
 *   the [heap] rule would label): every accepted text prints back the same.
 */

enum line_kind {
	LK_ANON,
	LK_ANON_NAMED, /* [anon:NAME] */
	LK_HEAP,
	LK_STACK,
	LK_VDSO,
	LK_VVAR,
	LK_VVAR_VCLOCK,
	LK_FILE,
	LK_SHMEM_NAMED, /* [anon_shmem:NAME] */
};

struct maps_line {
	uint64_t start, end, offset, ino;
	uint32_t major, minor;
	uint64_t prot; /* VM_READ | VM_WRITE | VM_EXEC */
	bool shared;   /* 's' */
	const char *name; /* the name column, inside the text */
	size_t name_len;
	const char *label; /* NAME of [anon:NAME] / [anon_shmem:NAME] */
	size_t label_len;
	size_t path_len; /* the name without " (deleted)" */
	bool deleted;
	int lineno;
	enum line_kind kind;
	size_t fidx; /* the file table entry of a file line */
	bool relro;
};

struct import_file {
	uint32_t major, minor;
	uint64_t ino;
	const char *path; /* inside the text; NULL for a shmem seen only by anon name */
	size_t path_len;
	bool deleted;
	bool shmem; /* device 00:01: a private shmem inode */
	bool rw;    /* a shared writable mapping: opened O_RDWR */
	uint64_t extent;
	int first_line;
	struct vms_file *file; /* our open reference */
};

struct importer {
	struct vms_mm *mm;
	vms_sys *sys;
	struct maps_line *lines;
	size_t nlines, lines_cap;
	struct import_file *files;
	size_t nfiles, files_cap;
	bool gate;
	bool at_exec;     /* VMS_IMPORT_AT_EXEC: no RELRO yet (see mark_relro()) */
	uint64_t charged; /* pages added to the commit counter for VM_ACCOUNT */
	int bad_line;
};

#define VM_MAY_ALL (VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)
/* The gate line exactly as the kernel prints it, less the padding. */
#define GATE_FIELDS "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0"

static const char *parse_hex(const char *p, const char *end, uint64_t *v)
{
	uint64_t x = 0;
	const char *s = p;
	for (; p < end; p++) {
		int d;
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		if (p - s >= 16)
			return NULL;
		x = x << 4 | (uint64_t)d;
	}
	if (p == s)
		return NULL;
	*v = x;
	return p;
}

static const char *parse_dec(const char *p, const char *end, uint64_t *v)
{
	uint64_t x = 0;
	const char *s = p;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		uint64_t d = (uint64_t)(*p - '0');
		if (x > (UINT64_MAX - d) / 10)
			return NULL;
		x = x * 10 + d;
	}
	if (p == s)
		return NULL;
	*v = x;
	return p;
}

static const char *expect(const char *p, const char *end, char c)
{
	return p && p < end && *p == c ? p + 1 : NULL;
}

static bool name_is(const struct maps_line *l, const char *s)
{
	size_t n = strlen(s);
	return l->name_len == n && memcmp(l->name, s, n) == 0;
}

static bool name_starts(const struct maps_line *l, const char *s)
{
	size_t n = strlen(s);
	return l->name_len > n && memcmp(l->name, s, n) == 0 && l->name[l->name_len - 1] == ']';
}

/* Reads the fields of one line; false when it is not a maps line. */
static bool parse_fields(const char *p, const char *eol, struct maps_line *l)
{
	uint64_t major, minor;
	p = parse_hex(p, eol, &l->start);
	p = expect(p, eol, '-');
	p = p ? parse_hex(p, eol, &l->end) : NULL;
	p = expect(p, eol, ' ');
	if (!p || eol - p < 4)
		return false;
	if ((p[0] != 'r' && p[0] != '-') || (p[1] != 'w' && p[1] != '-') ||
	    (p[2] != 'x' && p[2] != '-') || (p[3] != 's' && p[3] != 'p'))
		return false;
	l->prot = (p[0] == 'r' ? VM_READ : 0) | (p[1] == 'w' ? VM_WRITE : 0) |
		  (p[2] == 'x' ? VM_EXEC : 0);
	l->shared = p[3] == 's';
	p = expect(p + 4, eol, ' ');
	p = p ? parse_hex(p, eol, &l->offset) : NULL;
	p = expect(p, eol, ' ');
	p = p ? parse_hex(p, eol, &major) : NULL;
	p = expect(p, eol, ':');
	p = p ? parse_hex(p, eol, &minor) : NULL;
	p = expect(p, eol, ' ');
	p = p ? parse_dec(p, eol, &l->ino) : NULL;
	/* MAJOR()/MINOR() of a dev_t: 12 and 20 bits. */
	if (!p || major > 0xfff || minor > 0xfffff)
		return false;
	l->major = (uint32_t)major;
	l->minor = (uint32_t)minor;
	l->name = eol;
	l->name_len = 0;
	if (p < eol) {
		if (*p != ' ')
			return false;
		while (p < eol && *p == ' ')
			p++;
		l->name = p;
		l->name_len = (size_t)(eol - p);
	}
	return true;
}

/* Sorts a line by its name; false for a name the model cannot hold. */
static bool classify(struct maps_line *l)
{
	static const char deleted[] = " (deleted)";
	const size_t dlen = sizeof(deleted) - 1;
	l->path_len = l->name_len;
	if (l->name_len == 0)
		l->kind = LK_ANON;
	else if (name_is(l, "[heap]"))
		l->kind = LK_HEAP;
	else if (name_is(l, "[stack]"))
		l->kind = LK_STACK;
	else if (name_is(l, "[vdso]"))
		l->kind = LK_VDSO;
	else if (name_is(l, "[vvar]"))
		l->kind = LK_VVAR;
	else if (name_is(l, "[vvar_vclock]"))
		l->kind = LK_VVAR_VCLOCK;
	else if (name_starts(l, "[anon:"))
		l->kind = LK_ANON_NAMED;
	else if (name_starts(l, "[anon_shmem:"))
		l->kind = LK_SHMEM_NAMED;
	else if (l->name[0] == '[')
		return false;
	else
		l->kind = LK_FILE;

	if (l->kind == LK_ANON_NAMED || l->kind == LK_SHMEM_NAMED) {
		size_t pre = l->kind == LK_ANON_NAMED ? 6 : 12;
		l->label = l->name + pre;
		l->label_len = l->name_len - pre - 1;
	}
	if (l->kind == LK_FILE) {
		if (l->name_len > dlen &&
		    memcmp(l->name + l->name_len - dlen, deleted, dlen) == 0) {
			l->deleted = true;
			l->path_len -= dlen;
		}
		/* hugetlb: the pool's reservations are not in the text. */
		if (l->path_len == 14 && memcmp(l->name, "/anon_hugepage", 14) == 0)
			return false;
		return offset_in_page(l->offset) == 0;
	}
	if (l->kind == LK_SHMEM_NAMED)
		return l->shared && offset_in_page(l->offset) == 0;
	/* Anonymous and special: no file, so offset, device and inode show 0,
	 * and a shared anonymous mapping always has its shmem file. */
	return !l->shared && l->offset == 0 && l->major == 0 && l->minor == 0 && l->ino == 0;
}

static int add_line(struct importer *im, const struct maps_line *l)
{
	if (im->nlines == im->lines_cap) {
		size_t cap = im->lines_cap ? im->lines_cap * 2 : 64;
		struct maps_line *n = sys_realloc(im->sys, im->lines, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		im->lines = n;
		im->lines_cap = cap;
	}
	im->lines[im->nlines++] = *l;
	return 0;
}

static int parse_text(struct importer *im, const char *text)
{
	const char *p = text;
	int lineno = 0;
	uint64_t prev_end = 0;
	while (*p) {
		const char *eol = strchr(p, '\n');
		const char *next = eol ? eol + 1 : p + strlen(p);
		if (!eol)
			eol = next;
		lineno++;
		struct maps_line l;
		memset(&l, 0, sizeof(l));
		l.lineno = lineno;
		im->bad_line = lineno;
		if (eol == p) { /* an empty line */
			p = next;
			continue;
		}
		if (im->gate) /* the gate line is the last one */
			return -EINVAL;
		if (!parse_fields(p, eol, &l))
			return -EINVAL;
		if (name_is(&l, "[vsyscall]")) {
			/* The gate VMA is not the mm's: only its exact line. */
			const size_t n = sizeof(GATE_FIELDS) - 1;
			if ((size_t)(eol - p) < n || memcmp(p, GATE_FIELDS, n) != 0)
				return -EINVAL;
			im->gate = true;
			p = next;
			continue;
		}
		if (!classify(&l))
			return -EINVAL;
		if (l.start >= l.end || offset_in_page(l.start) || offset_in_page(l.end) ||
		    l.end > im->mm->task_size)
			return -EINVAL;
		if (im->nlines && l.start < prev_end)
			return -EINVAL; /* overlapping or out of order */
		prev_end = l.end;
		if (add_line(im, &l))
			return -ENOMEM;
		p = next;
	}
	im->bad_line = 0;
	return 0;
}

static bool same_text(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* One entry per (device, inode) the text maps. */
static int collect_files(struct importer *im)
{
	for (size_t i = 0; i < im->nlines; i++) {
		struct maps_line *l = &im->lines[i];
		if (l->kind != LK_FILE && l->kind != LK_SHMEM_NAMED)
			continue;
		struct import_file *f = NULL;
		/* Lines of one file come together: try the last one first. */
		if (i && (im->lines[i - 1].kind == LK_FILE || im->lines[i - 1].kind == LK_SHMEM_NAMED)) {
			struct import_file *c = &im->files[im->lines[i - 1].fidx];
			if (c->major == l->major && c->minor == l->minor && c->ino == l->ino)
				f = c;
		}
		for (size_t j = 0; j < im->nfiles && !f; j++) {
			struct import_file *c = &im->files[j];
			if (c->major == l->major && c->minor == l->minor && c->ino == l->ino) {
				f = c;
				break;
			}
		}
		if (!f) {
			if (im->nfiles == im->files_cap) {
				size_t cap = im->files_cap ? im->files_cap * 2 : 16;
				struct import_file *n = sys_realloc(im->sys, im->files, cap * sizeof(*n));
				if (!n)
					return -ENOMEM;
				im->files = n;
				im->files_cap = cap;
			}
			f = &im->files[im->nfiles++];
			memset(f, 0, sizeof(*f));
			f->major = l->major;
			f->minor = l->minor;
			f->ino = l->ino;
			f->shmem = l->major == DEV_MAJOR(im->sys->shmem_dev) &&
				   l->minor == DEV_MINOR(im->sys->shmem_dev);
			f->first_line = l->lineno;
		}
		l->fidx = (size_t)(f - im->files);
		if (l->kind == LK_SHMEM_NAMED && !f->shmem) {
			im->bad_line = l->lineno;
			return -EINVAL;
		}
		if (l->kind == LK_FILE) {
			/* One inode, one path: the model keeps the path on the
			 * inode, so hard links seen under two names cannot be held. */
			if (f->path && (!same_text(f->path, f->path_len, l->name, l->path_len) ||
					f->deleted != l->deleted)) {
				im->bad_line = l->lineno;
				return -EINVAL;
			}
			f->path = l->name;
			f->path_len = l->path_len;
			f->deleted = l->deleted;
		}
		if (l->shared && (l->prot & VM_WRITE))
			f->rw = true;
		uint64_t extent = l->offset + (l->end - l->start);
		if (extent > f->extent)
			f->extent = extent;
	}
	return 0;
}

static char *dup_text(vms_sys *sys, const char *s, size_t n)
{
	char *p = sys_malloc(sys, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* shmem_zero_setup(), memfd_create(), shmget(): a private shmem inode
 * carrying the text's inode number, path and size. */
static int open_shmem(struct importer *im, struct import_file *f)
{
	vms_sys *sys = im->sys;
	uint64_t size = PAGE_ALIGN(f->extent);
	uint64_t next_ino = sys->next_shmem_ino;
	struct vms_file *file = file_new_shmem(sys, size);
	if (!file)
		return -ENOMEM;
	/* The inode takes the text's number, not one of the counter's. */
	sys->next_shmem_ino = next_ino;
	struct vms_inode *ino = file->inode;
	if (f->path && !same_text(f->path, f->path_len, ino->path, strlen(ino->path))) {
		char *path = dup_text(sys, f->path, f->path_len);
		if (!path) {
			file_put(file);
			return -ENOMEM;
		}
		sys_free(sys, ino->path);
		ino->path = path;
	}
	if (f->path && !f->deleted)
		ino->flags &= ~VMS_INODE_DELETED;
	ino->ino = f->ino;
	/* get_next_ino() keeps counting up from what the text has used. */
	if (f->ino >= sys->next_shmem_ino)
		sys->next_shmem_ino = f->ino + 1;
	/* shmem_acct_size(): charged at setup unless VM_NORESERVE (memfd). */
	bool memfd = f->path && f->path_len >= 7 && memcmp(f->path, "/memfd:", 7) == 0;
	if (!memfd) {
		ino->shmem_charged = size >> PAGE_SHIFT;
		sys->committed_pages += ino->shmem_charged;
	}
	f->file = file;
	return 0;
}

static int open_files(struct importer *im)
{
	for (size_t i = 0; i < im->nfiles; i++) {
		struct import_file *f = &im->files[i];
		im->bad_line = f->first_line;
		if (f->shmem) {
			int err = open_shmem(im, f);
			if (err)
				return err;
			continue;
		}
		char *path = dup_text(im->sys, f->path, f->path_len);
		if (!path)
			return -ENOMEM;
		struct vms_inode_info info = {
			.dev_major = f->major,
			.dev_minor = f->minor,
			.ino = f->ino,
			.size = f->extent,
			.path = path,
			.flags = f->deleted ? VMS_INODE_DELETED : 0,
		};
		struct vms_inode *ino = vms_inode_get(im->sys, &info);
		sys_free(im->sys, path);
		if (!ino)
			return -ENOMEM;
		/* An inode the system already had must be the one the text names. */
		if (!same_text(f->path, f->path_len, ino->path, strlen(ino->path)) ||
		    (!f->deleted && (ino->flags & VMS_INODE_DELETED)) ||
		    (ino->flags & (VMS_INODE_HUGETLBFS | VMS_INODE_DIRECTORY | VMS_INODE_NOMMAP)))
			return -EINVAL;
		if (f->deleted)
			ino->flags |= VMS_INODE_DELETED;
		f->file = vms_file_open(ino, f->rw ? VMS_O_RDWR : VMS_O_RDONLY);
		if (!f->file)
			return -ENOMEM;
	}
	im->bad_line = 0;
	return 0;
}

/* A read-only private file line that was the front of the data mapping
 * after it: see RELRO above. */
static void mark_relro(struct importer *im)
{
	/* Right after exec, the ELF loader (load_elf_binary() -> elf_load()) has
	 * mapped each PT_LOAD segment on its own and ld.so has not yet made any
	 * data read-only: a read-only line before the data is a segment of its
	 * own (no VM_ACCOUNT, no anon_vma). */
	if (im->at_exec)
		return;
	for (size_t i = 0; i + 1 < im->nlines; i++) {
		struct maps_line *a = &im->lines[i], *b = &im->lines[i + 1];
		if (a->kind == LK_FILE && b->kind == LK_FILE && a->fidx == b->fidx && !a->shared &&
		    !b->shared && !(a->prot & VM_WRITE) && (b->prot & VM_WRITE) &&
		    a->end == b->start && a->offset + (a->end - a->start) == b->offset)
			a->relro = true;
	}
}

static struct vms_anon_vma *new_anon_vma(vms_sys *sys)
{
	struct vms_anon_vma *av = anon_vma_alloc(sys);
	if (av)
		anon_vma_get(av); /* the importer's reference */
	return av;
}

static struct vms_anon_name *new_anon_name(vms_sys *sys, const char *s, size_t n)
{
	struct vms_anon_name *name = sys_malloc(sys, sizeof(*name) + n + 1);
	if (name) {
		name->refcount = 1;
		memcpy(name->name, s, n);
		name->name[n] = '\0';
	}
	return name;
}

/* mm/vma.c can_vma_merge_after(), as the model's vma.c applies it. */
static bool would_merge(const struct vms_vma *prev, const struct vms_vma *v)
{
	return prev && prev->end == v->start && !(v->flags & VM_SPECIAL) &&
	       !((prev->flags ^ v->flags) & ~VM_IGNORE_MERGE) && prev->file == v->file &&
	       prev->kind == v->kind && anon_name_eq(prev->anon_name, v->anon_name) &&
	       prev->pgoff + vma_pages(prev) == v->pgoff &&
	       (!prev->anon_vma || !v->anon_vma || prev->anon_vma == v->anon_vma);
}

/* The VMA a line describes, not yet linked: flags, pgoff, file and name. */
static void describe(const struct importer *im, const struct maps_line *l, struct vms_vma *v,
		     uint64_t stack_end)
{
	const struct vms_mm *mm = im->mm;
	v->start = l->start;
	v->end = l->end;
	v->flags = l->prot | VM_MAY_ALL;
	v->pgoff = l->start >> PAGE_SHIFT; /* insert_vm_struct(), mmap: anonymous */
	switch (l->kind) {
	case LK_ANON:
	case LK_ANON_NAMED:
		if (accountable_mapping(NULL, v->flags))
			v->flags |= VM_ACCOUNT;
		break;
	case LK_HEAP:
		v->flags |= VM_ACCOUNT; /* do_brk_flags() */
		break;
	case LK_STACK: {
		/* VM_STACK_FLAGS; exec's pgoff (see above). */
		uint64_t top = mm->sys->la57 ? TASK_SIZE_MAX_5LEVEL : DEFAULT_MAP_WINDOW;
		uint64_t below = (stack_end - l->start) >> PAGE_SHIFT;
		v->flags |= VM_GROWSDOWN | VM_ACCOUNT;
		v->pgoff = (top >> PAGE_SHIFT) > below ? (top >> PAGE_SHIFT) - below : 0;
		break;
	}
	case LK_VDSO:
		/* map_vdso(): MAYWRITE so that a debugger can COW it. */
		v->flags |= VM_DONTEXPAND;
		v->kind = VMA_VDSO;
		v->pgoff = 0;
		break;
	case LK_VVAR:
	case LK_VVAR_VCLOCK:
		v->flags = l->prot | VM_MAYREAD | VM_IO | VM_DONTDUMP | VM_PFNMAP | VM_DONTEXPAND;
		v->kind = l->kind == LK_VVAR ? VMA_VVAR : VMA_VVAR_VCLOCK;
		v->pgoff = 0;
		break;
	case LK_FILE:
	case LK_SHMEM_NAMED: {
		const struct import_file *f = &im->files[l->fidx];
		v->file = f->file;
		v->pgoff = l->offset >> PAGE_SHIFT;
		if (l->shared) {
			/* do_mmap(): an O_RDONLY file shared gives neither
			 * VM_SHARED nor VM_MAYWRITE. */
			v->flags |= VM_MAYSHARE;
			if (f->shmem || f->rw)
				v->flags |= VM_SHARED;
			else
				v->flags &= ~VM_MAYWRITE;
			if (f->shmem)
				v->kind = VMA_SHMEM;
		}
		if (accountable_mapping(v->file, v->flags) || l->relro)
			v->flags |= VM_ACCOUNT;
		break;
	}
	}
}

/* Does the line's VMA have an anon_vma of its own (see above)? */
static bool wants_anon_vma(const struct maps_line *l)
{
	if (l->shared)
		return false;
	switch (l->kind) {
	case LK_HEAP:
	case LK_STACK:
		return true;
	case LK_ANON:
	case LK_ANON_NAMED:
	case LK_FILE:
		return (l->prot & VM_WRITE) || l->relro;
	default:
		return false;
	}
}

static void put_av(vms_sys *sys, struct vms_anon_vma **av)
{
	if (*av)
		anon_vma_put(sys, *av);
	*av = NULL;
}

/* What build_vmas() carries from one line to the next. */
struct build_state {
	struct vms_vma *prev;            /* the VMA linked last */
	struct vms_anon_vma *carry;      /* for the next line: RELRO, split stack */
	uint64_t stack_end;              /* end of the current run of [stack] lines */
};

/* Does line i hand its anon_vma to line i + 1 (RELRO, or a split stack)? */
static bool shares_with_next(const struct importer *im, size_t i)
{
	const struct maps_line *l = &im->lines[i];
	return l->relro || (l->kind == LK_STACK && i + 1 < im->nlines &&
			    im->lines[i + 1].kind == LK_STACK && im->lines[i + 1].start == l->end);
}

/* Creates and links the VMA of line i, with its accounting. Everything that
 * can fail runs before mm_reserve(); after it nothing can. */
static int import_line(struct importer *im, size_t i, struct build_state *st)
{
	struct vms_mm *mm = im->mm;
	vms_sys *sys = im->sys;
	const struct maps_line *l = &im->lines[i];
	struct vms_vma *prev = st->prev;
	struct vms_anon_vma *av = NULL;
	struct vms_anon_name *name = NULL;
	struct vms_file *extra = NULL;
	struct vms_vma d, *v;
	int err = -ENOMEM;

	if (l->kind == LK_STACK && !(i && l[-1].kind == LK_STACK && l[-1].end == l->start)) {
		/* The first of a run of adjacent [stack] lines: find its end. */
		size_t j = i;
		while (l->kind == LK_STACK && shares_with_next(im, j))
			j++;
		st->stack_end = im->lines[j].end;
	}
	memset(&d, 0, sizeof(d));
	describe(im, l, &d, st->stack_end);

	if (st->carry && i && shares_with_next(im, i - 1)) {
		av = st->carry; /* the importer's reference moves here */
		st->carry = NULL;
	} else if (wants_anon_vma(l) && !(av = new_anon_vma(sys))) {
		goto out;
	}
	if (l->kind == LK_ANON_NAMED || l->kind == LK_SHMEM_NAMED) {
		name = new_anon_name(sys, l->label, l->label_len);
		if (!name)
			goto out;
	}
	d.anon_vma = av;
	d.anon_name = name;
	if (would_merge(prev, &d)) {
		/* Something the text does not show kept them apart. */
		if (d.flags & VM_MAYSHARE) {
			extra = vms_file_open(d.file->inode, d.file->oflags);
			if (!extra)
				goto out;
			d.file = extra;
		} else {
			if (!prev->anon_vma) {
				struct vms_anon_vma *pav = anon_vma_alloc(sys);
				if (!pav)
					goto out;
				anon_vma_get(pav);
				prev->anon_vma = pav;
				prev->avc_depth = 1;
			}
			if (!av || av == prev->anon_vma) {
				put_av(sys, &av);
				if (!(av = new_anon_vma(sys)))
					goto out;
				d.anon_vma = av;
			}
		}
	}
	err = mm_reserve(mm, d.file);
	if (err)
		goto out;

	v = vma_take(mm);
	*v = d;
	if (v->file)
		file_get(v->file);
	if (v->anon_vma) {
		anon_vma_get(v->anon_vma);
		v->avc_depth = 1;
	}
	name = NULL; /* the VMA owns it now */
	vma_link(mm, v);
	vm_stat_account(mm, v->flags, (int64_t)vma_pages(v));
	if (v->flags & VM_ACCOUNT) {
		sys->committed_pages += vma_pages(v);
		im->charged += vma_pages(v);
	}
	if (shares_with_next(im, i) && av) {
		st->carry = av; /* keep the importer's reference for it */
		av = NULL;
	}
	st->prev = v;
out:
	put_av(sys, &av);
	if (name)
		sys_free(sys, name);
	if (extra)
		vms_file_close(extra);
	return err;
}

static int build_vmas(struct importer *im)
{
	struct build_state st = {0};
	int err = 0;
	for (size_t i = 0; i < im->nlines && !err; i++) {
		im->bad_line = im->lines[i].lineno;
		err = import_line(im, i, &st);
	}
	put_av(im->sys, &st.carry);
	if (!err)
		im->bad_line = 0;
	return err;
}

/* The first file line's inode is taken to be the executable (see above). */
static const struct import_file *main_image(const struct importer *im, size_t *fidx)
{
	for (size_t i = 0; i < im->nlines; i++) {
		if (im->lines[i].kind == LK_FILE && !im->files[im->lines[i].fidx].shmem) {
			*fidx = im->lines[i].fidx;
			return &im->files[*fidx];
		}
	}
	return NULL;
}

/* start_code/end_code/start_data/end_data of the main image, and the brk
 * when the text has no [heap] and none was given. */
static void infer_image(struct importer *im, bool set_brk)
{
	struct vms_mm *mm = im->mm;
	size_t fidx;
	if (!main_image(im, &fidx))
		return;
	bool set_image = mm->start_code == 0 && mm->end_code == 0;
	bool have_code = false, have_data = false;
	uint64_t image_end = 0;
	size_t last = 0;
	for (size_t i = 0; i < im->nlines; i++) {
		const struct maps_line *l = &im->lines[i];
		if (l->kind != LK_FILE || l->fidx != fidx)
			continue;
		last = i;
		image_end = l->end;
		if (!set_image)
			continue;
		if ((l->prot & VM_EXEC) && !have_code) {
			mm->start_code = l->start;
			mm->end_code = l->end;
			have_code = true;
		}
		if (!l->shared && ((l->prot & VM_WRITE) || l->relro)) {
			if (!have_data)
				mm->start_data = l->start;
			mm->end_data = l->end;
			have_data = true;
		}
	}
	if (!set_brk)
		return;
	/* The bss: an anonymous rw-p line right after the image. */
	if (last + 1 < im->nlines) {
		const struct maps_line *b = &im->lines[last + 1];
		if (b->kind == LK_ANON && b->start == image_end && (b->prot & VM_WRITE))
			image_end = b->end;
	}
	mm->start_brk = mm->brk = image_end;
}

/* An address no line touches, even at an end, so that the inclusive
 * [stack] test labels nothing. */
static uint64_t untouched_addr(const struct importer *im)
{
	uint64_t a = 0;
	for (size_t i = 0; i < im->nlines && im->lines[i].start <= a; i++)
		if (im->lines[i].end >= a)
			a = im->lines[i].end + 1;
	return a;
}

static int place_brk_and_stack(struct importer *im, uint64_t start_brk)
{
	struct vms_mm *mm = im->mm;
	const struct maps_line *first_heap = NULL, *last_heap = NULL;
	const struct maps_line *stack = NULL;
	size_t nstack = 0;
	for (size_t i = 0; i < im->nlines; i++) {
		const struct maps_line *l = &im->lines[i];
		if (l->kind == LK_HEAP) {
			if (!first_heap)
				first_heap = l;
			last_heap = l;
		} else if (l->kind == LK_STACK) {
			if (!stack)
				stack = l;
			nstack++;
		}
	}
	if (first_heap) {
		mm->start_brk = start_brk ? start_brk : first_heap->start;
		mm->brk = last_heap->end;
		infer_image(im, false);
	} else if (start_brk) {
		mm->start_brk = mm->brk = start_brk;
		infer_image(im, false);
	} else {
		infer_image(im, true);
	}
	if (nstack == 0) {
		mm->start_stack = untouched_addr(im);
	} else if (nstack == 1) {
		mm->start_stack = stack->end - 8;
	} else {
		/* Only the two halves of a split stack share one start_stack. */
		const struct maps_line *second = stack + 1;
		if (nstack > 2 || second->kind != LK_STACK || second->start != stack->end) {
			im->bad_line = (nstack > 2 || second->kind != LK_STACK) ? stack->lineno
										 : second->lineno;
			return -EINVAL;
		}
		mm->start_stack = stack->end;
	}
	return 0;
}

/* Every line's name must be what the model prints for its VMA. */
static int check_names(struct importer *im)
{
	size_t longest = 0;
	for (size_t i = 0; i < im->nlines; i++)
		if (im->lines[i].name_len > longest)
			longest = im->lines[i].name_len;
	char *tmp = sys_malloc(im->sys, longest + 2);
	if (!tmp)
		return -ENOMEM;
	struct vt_cursor c;
	size_t i = 0;
	int err = 0;
	for (const struct vms_vma *v = vt_first(&im->mm->tree, &c); v; v = vt_next(&c), i++) {
		const struct maps_line *l = &im->lines[i];
		struct vma_name n;
		struct out o = {tmp, longest + 2, 0};
		if (get_vma_name(im->mm, v, &n))
			put_name(&o, &n);
		if (o.len != l->name_len || memcmp(tmp, l->name, o.len) != 0) {
			im->bad_line = l->lineno;
			err = -EINVAL;
			break;
		}
	}
	sys_free(im->sys, tmp);
	return err;
}

struct saved_mm {
	uint64_t total_vm, data_vm, exec_vm, stack_vm;
	uint64_t start_brk, brk, start_stack;
	uint64_t start_code, end_code, start_data, end_data;
	bool has_gate;
};

static void save_mm(const struct vms_mm *mm, struct saved_mm *s)
{
	*s = (struct saved_mm){mm->total_vm,   mm->data_vm,	 mm->exec_vm,	 mm->stack_vm,
			       mm->start_brk,  mm->brk,		 mm->start_stack, mm->start_code,
			       mm->end_code,   mm->start_data,	 mm->end_data,	 mm->has_gate};
}

static void undo_import(struct importer *im, const struct saved_mm *s)
{
	struct vms_mm *mm = im->mm;
	struct vms_vma *v;
	while ((v = vt_first(&mm->tree, NULL))) {
		vma_unlink(mm, v);
		vma_free(mm, v);
	}
	vm_unacct_memory(im->sys, im->charged);
	mm->total_vm = s->total_vm;
	mm->data_vm = s->data_vm;
	mm->exec_vm = s->exec_vm;
	mm->stack_vm = s->stack_vm;
	mm->start_brk = s->start_brk;
	mm->brk = s->brk;
	mm->start_stack = s->start_stack;
	mm->start_code = s->start_code;
	mm->end_code = s->end_code;
	mm->start_data = s->start_data;
	mm->end_data = s->end_data;
	mm->has_gate = s->has_gate;
}

int vms_mm_import_maps_flags(vms_mm *mm, const char *text, uint64_t start_brk, unsigned flags,
			     int *bad_line)
{
	struct importer im = {.mm = mm, .sys = mm->sys, .at_exec = flags & VMS_IMPORT_AT_EXEC};
	struct saved_mm saved;
	int err;

	if (bad_line)
		*bad_line = 0;
	if (!text || mm_map_count(mm) != 0)
		return -EINVAL;
	save_mm(mm, &saved);
	err = parse_text(&im, text);
	if (!err)
		err = collect_files(&im);
	if (!err) {
		mark_relro(&im);
		err = open_files(&im);
	}
	if (!err)
		err = build_vmas(&im);
	if (!err) {
		mm->has_gate = im.gate;
		err = place_brk_and_stack(&im, start_brk);
	}
	if (!err)
		err = check_names(&im);
	if (err)
		undo_import(&im, &saved);
	/* The VMAs hold their files now; drop the importer's opens. */
	for (size_t i = 0; i < im.nfiles; i++)
		if (im.files[i].file)
			vms_file_close(im.files[i].file);
	sys_free(im.sys, im.files);
	sys_free(im.sys, im.lines);
	if (err && bad_line && err != -ENOMEM)
		*bad_line = im.bad_line;
	return err;
}

int vms_mm_import_maps(vms_mm *mm, const char *text, uint64_t start_brk, int *bad_line)
{
	return vms_mm_import_maps_flags(mm, text, start_brk, 0, bad_line);
}
