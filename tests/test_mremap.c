/*
 * test_mremap.c: one test per mremap rule (Linux 6.18 mm/mremap.c), then
 * short sequences replayed against the live kernel (kdiff.h) that encode what
 * was observed there. Not for: munmap or merge rules on their own
 * (test_mmap.c) or random call streams (test_kdiff.c).
 */
#include "../cli/kdiff.h"
#include "kd_steps.h"
#include "t.h"

#define PG 4096ULL
#define MB (1ULL << 20)
#define A 0x200000000ULL
#define C 0x300000000ULL
#define TOP 0x7ffff7fff000ULL /* mmap_base with an 8 MiB stack and no ASLR */
#define R VMS_PROT_READ
#define RW (VMS_PROT_READ | VMS_PROT_WRITE)
#define MAYMOVE VMS_MREMAP_MAYMOVE
#define FIXED VMS_MREMAP_FIXED
#define DONTUNMAP VMS_MREMAP_DONTUNMAP
#define MOVE_TO (VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED)

static vms_mm *new_mm(vms_sys *sys)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE,
				    .caps = VMS_CAP_SYS_ADMIN | VMS_CAP_IPC_LOCK};
	return vms_mm_new(sys, &cfg);
}

static long anon_at(vms_mm *mm, uint64_t addr, uint64_t pages, int prot)
{
	return vms_mmap(mm, addr, pages * PG, prot,
			VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED, NULL, 0);
}

static long shared_at(vms_mm *mm, uint64_t addr, uint64_t pages, int prot)
{
	return vms_mmap(mm, addr, pages * PG, prot,
			VMS_MAP_SHARED | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED, NULL, 0);
}

static int count_vmas(vms_mm *mm)
{
	int n = 0;
	for (const vms_vma *v = vms_vma_first(mm); v; v = vms_vma_next(mm, v))
		n++;
	return n;
}

/* The VMA containing addr, or zeroed info (start == end == 0). */
static struct vms_vma_info at(vms_mm *mm, uint64_t addr)
{
	struct vms_vma_info i = {0};
	const vms_vma *v = vms_find_vma(mm, addr);
	if (v) {
		vms_vma_get_info(v, &i);
		if (i.start > addr)
			memset(&i, 0, sizeof(i));
	}
	return i;
}

static struct vms_mm_counters counters(vms_mm *mm)
{
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	return c;
}

#define VM_LOCKED_BIT 0x2000ULL
#define VM_ACCOUNT_BIT 0x100000ULL

/* ---- parameter checks (check_mremap_params) ---- */

TEST(mremap_unknown_flag_is_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2, RW) > 0);
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 2 * PG, 8, 0), -VMS_EINVAL);
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 2 * PG, -1, 0), -VMS_EINVAL);
}

TEST(mremap_unaligned_addr_is_einval_even_unmapped)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_mremap(mm, A + 1, PG, PG, 0, 0), -VMS_EINVAL);
}

TEST(mremap_new_len_zero_or_wrapping_is_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2, RW) > 0);
	CHECK_EQ(vms_mremap(mm, A, PG, 0, 0, 0), -VMS_EINVAL);
	/* PAGE_ALIGN(-100) wraps to 0. */
	CHECK_EQ(vms_mremap(mm, A, PG, (uint64_t)-100, 0, 0), -VMS_EINVAL);
}

TEST(mremap_new_len_above_task_size_is_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2, RW) > 0);
	CHECK_EQ(vms_mremap(mm, A, PG, 0x800000000000ULL, MAYMOVE, 0), -VMS_EINVAL);
	/* Exactly TASK_SIZE passes the check and fails later on the VMA. */
	CHECK_EQ(vms_mremap(mm, A, 4 * PG, 0x7ffffffff000ULL, MAYMOVE, 0), -VMS_EFAULT);
}

TEST(mremap_new_addr_ignored_without_fixed_or_dontunmap)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2, RW) > 0);
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 2 * PG, MAYMOVE, 0x123), (long)A);
}

TEST(mremap_fixed_checks_new_addr)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2, RW) > 0);
	CHECK_EQ(vms_mremap(mm, A, PG, PG, MOVE_TO, C + 1), -VMS_EINVAL);
	CHECK_EQ(vms_mremap(mm, A, PG, 2 * PG, MOVE_TO, 0x7ffffffff000ULL - PG), -VMS_EINVAL);
	CHECK_EQ(vms_mremap(mm, A, PG, PG, FIXED, C), -VMS_EINVAL);
	CHECK_EQ(vms_mremap(mm, A, PG, PG, DONTUNMAP, C), -VMS_EINVAL);
	CHECK_EQ(vms_mremap(mm, A, PG, 2 * PG, MAYMOVE | DONTUNMAP, C), -VMS_EINVAL);
}

TEST(mremap_fixed_overlap_is_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4, RW) > 0);
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 2 * PG, MOVE_TO, A + PG), -VMS_EINVAL);
	CHECK_EQ(vms_mremap(mm, A + 2 * PG, 2 * PG, 2 * PG, MOVE_TO, A + PG), -VMS_EINVAL);
	/* Touching is not overlapping. */
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 2 * PG, MOVE_TO, A + 2 * PG), (long)(A + 2 * PG));
	VALID(mm);
}

TEST(mremap_old_len_zero_can_overlap)
{
	/* vrm_overlaps() is the plain interval test: with old_len 0 a target
	 * that straddles addr still overlaps (live: EINVAL). */
	vms_mm *mm = new_mm(sys);
	CHECK(shared_at(mm, A + 4 * PG, 2, RW) > 0);
	CHECK_EQ(vms_mremap(mm, A + 4 * PG, 0, 2 * PG, MOVE_TO, A + 3 * PG), -VMS_EINVAL);
	CHECK_EQ(vms_mremap(mm, A + 4 * PG, 0, PG, MOVE_TO, A + 3 * PG), (long)(A + 3 * PG));
	CHECK_EQ(count_vmas(mm), 2);
	VALID(mm);
}

TEST(mremap_fixed_map_count_margin_beats_efault)
{
	/* map_count + 2 >= max - 3 is ENOMEM before the VMA lookup. */
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 1, RW) > 0);
	CHECK(anon_at(mm, A + 2 * PG, 1, R) > 0);
	CHECK_EQ(vms_sysctl_set(sys, "vm.max_map_count", 2 + 5), 0);
	CHECK_EQ(vms_mremap(mm, C, PG, PG, MOVE_TO, C + MB), -VMS_ENOMEM);
	CHECK_EQ(vms_mremap(mm, A, PG, PG, MAYMOVE | DONTUNMAP, 0), -VMS_ENOMEM);
	CHECK_EQ(vms_sysctl_set(sys, "vm.max_map_count", 2 + 6), 0);
	CHECK_EQ(vms_mremap(mm, C, PG, PG, MOVE_TO, C + MB), -VMS_EFAULT);
	CHECK_EQ(vms_mremap(mm, A, PG, PG, MOVE_TO, C), (long)C);
}

TEST(mremap_move_needs_map_count_below_max_minus_3)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 1, RW) > 0);
	CHECK(anon_at(mm, A + PG, 1, R) > 0);
	CHECK(anon_at(mm, A + 2 * PG, 1, RW) > 0);
	/* k = max - map_count = 3: a grow that must move fails. */
	CHECK_EQ(vms_sysctl_set(sys, "vm.max_map_count", 3 + 3), 0);
	CHECK_EQ(vms_mremap(mm, A + PG, PG, 2 * PG, MAYMOVE, 0), -VMS_ENOMEM);
	CHECK_EQ(vms_sysctl_set(sys, "vm.max_map_count", 3 + 4), 0);
	CHECK_EQ(vms_mremap(mm, A + PG, PG, 2 * PG, MAYMOVE, 0), (long)(TOP - 2 * PG));
	VALID(mm);
}

TEST(mremap_in_place_ops_have_no_map_count_check)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2, RW) > 0);
	CHECK(anon_at(mm, C, 2, R) > 0);
	CHECK_EQ(vms_sysctl_set(sys, "vm.max_map_count", 1), 0);
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 4 * PG, 0, 0), (long)A);
	CHECK_EQ(vms_mremap(mm, A, 4 * PG, 4 * PG, 0, 0), (long)A);
	VALID(mm);
}

/* ---- check_prep_vma ---- */

TEST(mremap_unmapped_addr_is_efault)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_mremap(mm, A, PG, PG, 0, 0), -VMS_EFAULT);
	CHECK_EQ(vms_mremap(mm, A, 0, PG, MAYMOVE, 0), -VMS_EFAULT);
	CHECK(anon_at(mm, A + PG, 1, RW) > 0);
	/* vma_lookup(): the next VMA above addr does not count. */
	CHECK_EQ(vms_mremap(mm, A, PG, PG, 0, 0), -VMS_EFAULT);
}

TEST(mremap_noop_does_not_check_vma_end)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2, RW) > 0);
	CHECK_EQ(vms_mremap(mm, A, 3 * PG, 3 * PG, 0, 0), (long)A);
	CHECK_EQ(vms_mremap(mm, A, 3 * PG, 3 * PG, MAYMOVE, 0), (long)A);
	/* With DONTUNMAP the same range is checked: EFAULT. */
	CHECK_EQ(vms_mremap(mm, A, 3 * PG, 3 * PG, MAYMOVE | DONTUNMAP, 0), -VMS_EFAULT);
}

TEST(mremap_grow_past_vma_end_is_efault)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2, RW) > 0);
	CHECK(anon_at(mm, A + 2 * PG, 2, R) > 0);
	CHECK_EQ(vms_mremap(mm, A, 3 * PG, 4 * PG, MAYMOVE, 0), -VMS_EFAULT);
	CHECK_EQ(vms_mremap(mm, A, 3 * PG, 4 * PG, MOVE_TO, C), -VMS_EFAULT);
}

TEST(mremap_private_duplicate_is_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2, RW) > 0);
	CHECK_EQ(vms_mremap(mm, A, 0, 2 * PG, MAYMOVE, 0), -VMS_EINVAL);
	/* PAGE_ALIGN(-100) is 0: the same duplicate request. */
	CHECK_EQ(vms_mremap(mm, A, (uint64_t)-100, 2 * PG, MAYMOVE, 0), -VMS_EINVAL);
}

TEST(mremap_shared_duplicate_maps_the_object_again)
{
	vms_mm *mm = new_mm(sys);
	CHECK(shared_at(mm, A, 2, RW) > 0);
	/* Without MAYMOVE there is nowhere to put it. */
	CHECK_EQ(vms_mremap(mm, A, 0, 2 * PG, 0, 0), -VMS_ENOMEM);
	long r = vms_mremap(mm, A, 0, 2 * PG, MAYMOVE, 0);
	CHECK_EQ(r, (long)(TOP - 2 * PG));
	struct vms_vma_info o = at(mm, A), n = at(mm, (uint64_t)r);
	CHECK(o.file && o.file == n.file);
	CHECK_EQ(count_vmas(mm), 2);
	CHECK_EQ(counters(mm).total_vm, 4);
	VALID(mm);
}

TEST(mremap_grow_memlock_limit_is_eagain)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE, .has_rlimits = 1};
	cfg.rlim_stack = (struct vms_rlimit){8 * MB, VMS_RLIM_INFINITY};
	cfg.rlim_data = cfg.rlim_as = (struct vms_rlimit){VMS_RLIM_INFINITY, VMS_RLIM_INFINITY};
	cfg.rlim_memlock = (struct vms_rlimit){4 * PG, 4 * PG};
	vms_mm *mm = vms_mm_new(sys, &cfg);
	CHECK(vms_mmap(mm, A, 2 * PG, RW,
		       VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED | VMS_MAP_LOCKED, NULL,
		       0) > 0);
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 5 * PG, MAYMOVE, 0), -VMS_EAGAIN);
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 4 * PG, MAYMOVE, 0), (long)A);
	VALID(mm);
}

TEST(mremap_grow_rlimit_as_is_enomem)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2, RW) > 0);
	struct vms_rlimit lim = {3 * PG, VMS_RLIM_INFINITY};
	CHECK_EQ(vms_prlimit(mm, VMS_RLIMIT_AS, &lim, NULL), 0);
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 4 * PG, MAYMOVE, 0), -VMS_ENOMEM);
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 3 * PG, MAYMOVE, 0), (long)A);
}

/* ---- no-op, shrink, grow in place (mremap_at) ---- */

TEST(mremap_shrink_unmaps_tail_across_holes_and_vmas)
{
	/* Live: A=[A,A+2p), hole, B=[A+3p,A+5p); mremap(A,5p,1p) unmapped the
	 * tail of A and all of B. */
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2, RW) > 0);
	CHECK(anon_at(mm, A + 3 * PG, 2, R) > 0);
	CHECK_EQ(vms_mremap(mm, A, 5 * PG, PG, 0, 0), (long)A);
	CHECK_EQ(count_vmas(mm), 1);
	CHECK_EQ(at(mm, A).end, A + PG);
	CHECK_EQ(counters(mm).total_vm, 1);
	VALID(mm);
}

TEST(mremap_shrink_with_huge_old_len_is_munmap_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2, RW) > 0);
	CHECK_EQ(vms_mremap(mm, A, 0x800000000000ULL, PG, 0, 0), -VMS_EINVAL);
	CHECK_EQ(count_vmas(mm), 1);
}

TEST(mremap_shrink_uncharges_the_tail)
{
	vms_mm *mm = new_mm(sys);
	uint64_t c0 = vms_sys_committed_pages(sys);
	CHECK(anon_at(mm, A, 8, RW) > 0);
	CHECK_EQ(vms_sys_committed_pages(sys), c0 + 8);
	CHECK_EQ(vms_mremap(mm, A, 8 * PG, 3 * PG, 0, 0), (long)A);
	CHECK_EQ(vms_sys_committed_pages(sys), c0 + 3);
	VALID(mm);
}

TEST(mremap_grow_in_place_charges_and_counts_growth)
{
	vms_mm *mm = new_mm(sys);
	uint64_t c0 = vms_sys_committed_pages(sys);
	CHECK(anon_at(mm, A, 2, RW) > 0);
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 5 * PG, 0, 0), (long)A);
	CHECK_EQ(at(mm, A).end, A + 5 * PG);
	CHECK_EQ(vms_sys_committed_pages(sys), c0 + 5);
	CHECK_EQ(counters(mm).total_vm, 5);
	CHECK_EQ(counters(mm).data_vm, 5);
	VALID(mm);
}

TEST(mremap_grow_in_place_merges_with_next)
{
	/* Live: [A,A+2p) grown to 4p against a compatible [A+4p,A+6p) -> one VMA. */
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2, RW) > 0);
	CHECK(anon_at(mm, A + 4 * PG, 2, RW) > 0);
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 4 * PG, 0, 0), (long)A);
	CHECK_EQ(count_vmas(mm), 1);
	CHECK_EQ(at(mm, A).end, A + 6 * PG);
	VALID(mm);
}

TEST(mremap_grow_in_place_ignores_stack_guard_gap)
{
	/* vma_expandable() only asks whether a VMA intersects (live: grew up to
	 * a MAP_GROWSDOWN VMA 2 pages away, then against it). */
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2, RW) > 0);
	CHECK(vms_mmap(mm, A + 6 * PG, 2 * PG, RW,
		       VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED | VMS_MAP_GROWSDOWN, NULL,
		       0) > 0);
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 4 * PG, 0, 0), (long)A);
	CHECK_EQ(vms_mremap(mm, A, 4 * PG, 6 * PG, 0, 0), (long)A);
	CHECK_EQ(count_vmas(mm), 2);
	VALID(mm);
}

TEST(mremap_grow_blocked_without_maymove_is_enomem)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4, RW) > 0);
	CHECK(anon_at(mm, A + 4 * PG, 1, R) > 0);
	CHECK_EQ(vms_mremap(mm, A, 4 * PG, 5 * PG, 0, 0), -VMS_ENOMEM);
	/* Not the end of the VMA: cannot grow in place either. */
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 3 * PG, 0, 0), -VMS_ENOMEM);
}

TEST(mremap_locked_grow_counts_and_populates_tail)
{
	vms_mm *mm = new_mm(sys);
	CHECK(vms_mmap(mm, A, 2 * PG, RW,
		       VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED | VMS_MAP_LOCKED, NULL,
		       0) > 0);
	CHECK_EQ(counters(mm).locked_vm, 2);
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 4 * PG, 0, 0), (long)A);
	CHECK_EQ(counters(mm).locked_vm, 4);
	CHECK_EQ(counters(mm).rss_anon, 4);
	/* A move that grows populates the new tail at the new place. */
	CHECK(anon_at(mm, A + 4 * PG, 1, R) > 0);
	long r = vms_mremap(mm, A, 4 * PG, 6 * PG, MAYMOVE, 0);
	CHECK_EQ(r, (long)(TOP - 6 * PG));
	CHECK_EQ(counters(mm).locked_vm, 6);
	CHECK_EQ(counters(mm).rss_anon, 6);
	VALID(mm);
}

TEST(mremap_dontexpand_grow_is_efault_and_dontunmap_einval)
{
	/* Live: growing [vdso] -> EFAULT; DONTUNMAP of it -> EINVAL; moving it
	 * whole at the same size works. */
	vms_mm *mm = vms_mm_new(sys, NULL);
	const char *maps = "7ffff7fc1000-7ffff7fc5000 r--p 00000000 00:00 0                          [vvar]\n"
			   "7ffff7fc5000-7ffff7fc7000 r-xp 00000000 00:00 0                          [vdso]\n";
	int bad = 0;
	CHECK_EQ(vms_mm_import_maps(mm, maps, 0, &bad), 0);
	uint64_t vdso = 0x7ffff7fc5000ULL;
	CHECK_EQ(vms_mremap(mm, vdso, 2 * PG, 3 * PG, MAYMOVE, 0), -VMS_EFAULT);
	CHECK_EQ(vms_mremap(mm, vdso, 2 * PG, 2 * PG, MAYMOVE | DONTUNMAP, 0), -VMS_EINVAL);
	/* Special mappings refuse a split: moving part of one is EINVAL. */
	CHECK_EQ(vms_mremap(mm, vdso, PG, PG, MOVE_TO, C), -VMS_EINVAL);
	CHECK_EQ(vms_mremap(mm, vdso, 2 * PG, 2 * PG, MOVE_TO, C), (long)C);
	CHECK_EQ(at(mm, C).end, C + 2 * PG);
	VALID(mm);
}

/* ---- moves ---- */

TEST(mremap_grow_move_goes_topdown_and_carries_pages)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4, RW) > 0);
	CHECK(anon_at(mm, A + 4 * PG, 1, R) > 0);
	CHECK_EQ(vms_fault(mm, A, 1), 0);
	CHECK_EQ(vms_fault(mm, A + 3 * PG, 1), 0);
	uint64_t c0 = vms_sys_committed_pages(sys);
	long r = vms_mremap(mm, A, 4 * PG, 6 * PG, MAYMOVE, 0);
	CHECK_EQ(r, (long)(TOP - 6 * PG));
	/* Only the growth is charged: the old charge moved with the pages. */
	CHECK_EQ(vms_sys_committed_pages(sys), c0 + 2);
	CHECK_EQ(at(mm, A).start, 0);
	CHECK_EQ(counters(mm).rss_anon, 2);
	CHECK_EQ(vms_fault(mm, (uint64_t)r + 3 * PG, 0), 0);
	CHECK_EQ(counters(mm).rss_anon, 2);
	CHECK((at(mm, (uint64_t)r).vm_flags & VM_ACCOUNT_BIT) != 0);
	CHECK_EQ(counters(mm).total_vm, 7);
	VALID(mm);
}

TEST(mremap_move_of_pmd_multiple_is_thp_aligned)
{
	/* Live: a 4 MiB move landed 2 MiB-aligned (0x7ffff7400000 below a real
	 * process's libraries); here it lands where a 4 MiB mmap would. */
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 512, RW) > 0);
	CHECK(anon_at(mm, A + 2 * MB, 1, R) > 0);
	CHECK_EQ(vms_mremap(mm, A, 2 * MB, 4 * MB, MAYMOVE, 0), 0x7ffff7a00000LL);
	vms_mm *other = new_mm(sys);
	CHECK_EQ(vms_mmap(other, 0, 4 * MB, RW, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0),
		 0x7ffff7a00000LL);
	VALID(mm);
}

TEST(mremap_move_middle_keeps_account_on_remaining_pieces)
{
	/* Live: moving the middle page of a 4-page VMA left [A,A+p) and
	 * [A+2p,A+4p), both `ac`, and Committed_AS unchanged. */
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4, RW) > 0);
	CHECK_EQ(vms_fault(mm, A, 1), 0);
	uint64_t c0 = vms_sys_committed_pages(sys);
	CHECK_EQ(vms_mremap(mm, A + PG, PG, PG, MOVE_TO, C), (long)C);
	CHECK_EQ(vms_sys_committed_pages(sys), c0);
	CHECK((at(mm, A).vm_flags & VM_ACCOUNT_BIT) != 0);
	CHECK((at(mm, A + 2 * PG).vm_flags & VM_ACCOUNT_BIT) != 0);
	CHECK((at(mm, C).vm_flags & VM_ACCOUNT_BIT) != 0);
	CHECK_EQ(at(mm, A).end, A + PG);
	CHECK_EQ(count_vmas(mm), 3);
	VALID(mm);
}

TEST(mremap_fixed_grow_of_prefix)
{
	/* Live: mremap(A, 2p, 3p, FIXED|MAYMOVE, C) of a touched 4-page VMA:
	 * [A+2p,A+4p) stays (Rss 8 kB), C..C+3p gets the 2 touched pages. */
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4, RW) > 0);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(vms_fault(mm, A + (uint64_t)i * PG, 1), 0);
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 3 * PG, MOVE_TO, C), (long)C);
	CHECK_EQ(at(mm, A).start, 0);
	CHECK_EQ(at(mm, A + 2 * PG).end, A + 4 * PG);
	CHECK_EQ(at(mm, C).end, C + 3 * PG);
	CHECK_EQ(counters(mm).rss_anon, 4);
	VALID(mm);
}

TEST(mremap_fixed_unmaps_target_first)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2, RW) > 0);
	CHECK(anon_at(mm, C - PG, 4, R) > 0);
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 2 * PG, MOVE_TO, C), (long)C);
	CHECK_EQ(at(mm, C - PG).end, C);
	CHECK_EQ(at(mm, C).end, C + 2 * PG);
	CHECK_EQ(at(mm, C + 2 * PG).end, C + 3 * PG);
	CHECK_EQ(counters(mm).total_vm, 4);
	VALID(mm);
}

TEST(mremap_fixed_shrink_move_charges_delta_again)
{
	/* Live (Committed_AS): 64 MiB mapped, FIXED move to 32 MiB: still +64 MiB;
	 * after unmapping the new 32 MiB, +32 MiB stays charged. */
	vms_mm *mm = new_mm(sys);
	uint64_t c0 = vms_sys_committed_pages(sys);
	CHECK(anon_at(mm, A, 16, RW) > 0);
	CHECK_EQ(vms_mremap(mm, A, 16 * PG, 8 * PG, MOVE_TO, C), (long)C);
	CHECK_EQ(vms_sys_committed_pages(sys), c0 + 16);
	CHECK_EQ(vms_munmap(mm, C, 8 * PG), 0);
	CHECK_EQ(vms_sys_committed_pages(sys), c0 + 8);
	VALID(mm);
}

TEST(mremap_fixed_shrink_across_hole)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2, RW) > 0);
	CHECK(anon_at(mm, A + 3 * PG, 2, R) > 0);
	CHECK_EQ(vms_mremap(mm, A, 5 * PG, PG, MOVE_TO, C), (long)C);
	CHECK_EQ(count_vmas(mm), 1);
	CHECK_EQ(at(mm, C).end, C + PG);
	VALID(mm);
}

TEST(mremap_unfaulted_anon_move_resets_pgoff_and_merges)
{
	/* Live: an untouched anon VMA moved next to a compatible untouched one
	 * merged with it. */
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2, RW) > 0);
	CHECK(anon_at(mm, C, 2, RW) > 0);
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 2 * PG, MOVE_TO, C + 2 * PG), (long)(C + 2 * PG));
	CHECK_EQ(count_vmas(mm), 1);
	CHECK_EQ(at(mm, C).end, C + 4 * PG);
	CHECK_EQ(at(mm, C).pgoff, C >> 12);
	VALID(mm);
}

TEST(mremap_faulted_anon_move_keeps_pgoff)
{
	/* Touched VMAs keep pgoff and anon_vma: no merge at the new place, but
	 * moving the piece back re-merges (live). */
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 6, RW) > 0);
	CHECK_EQ(vms_fault(mm, A + 2 * PG, 1), 0);
	CHECK(anon_at(mm, C + PG, 2, RW) > 0);
	CHECK_EQ(vms_mremap(mm, A + 2 * PG, PG, PG, MOVE_TO, C), (long)C);
	CHECK_EQ(count_vmas(mm), 4);
	CHECK_EQ(at(mm, C).pgoff, (A >> 12) + 2);
	CHECK_EQ(counters(mm).rss_anon, 1);
	CHECK_EQ(vms_mremap(mm, C, PG, PG, MOVE_TO, A + 2 * PG), (long)(A + 2 * PG));
	CHECK_EQ(count_vmas(mm), 2);
	CHECK_EQ(at(mm, A).end, A + 6 * PG);
	VALID(mm);
}

TEST(mremap_unfaulted_move_next_to_own_remainder_merges_with_it)
{
	/* Live: [A,A+4p) untouched; moving [A+2p,A+4p) to A+4p gives [A,A+2p)
	 * and [A+4p,A+6p); DONTUNMAP of that to A+6p merges into [A+4p,A+8p). */
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4, RW) > 0);
	CHECK_EQ(vms_mremap(mm, A + 2 * PG, 2 * PG, 2 * PG, MOVE_TO, A + 4 * PG), (long)(A + 4 * PG));
	CHECK_EQ(at(mm, A).end, A + 2 * PG);
	CHECK_EQ(at(mm, A + 4 * PG).end, A + 6 * PG);
	CHECK_EQ(vms_mremap(mm, A + 4 * PG, 2 * PG, 2 * PG, MOVE_TO | DONTUNMAP, A + 6 * PG),
		 (long)(A + 6 * PG));
	CHECK_EQ(count_vmas(mm), 2);
	CHECK_EQ(at(mm, A + 4 * PG).start, A + 4 * PG);
	CHECK_EQ(at(mm, A + 4 * PG).end, A + 8 * PG);
	VALID(mm);
}

TEST(mremap_faulted_copy_between_unfaulted_neighbours_takes_anon_vma)
{
	/* mm/vma.c vma_expand() copied_from: the merged VMA gets the moved
	 * pages' anon_vma even when neither neighbour had one. */
	vms_mm *mm = new_mm(sys);
	struct vms_inode_info ii = {.dev_major = 8, .ino = 42, .size = 16 * PG, .path = "/f"};
	vms_file *f = vms_file_open(vms_inode_get(sys, &ii), VMS_O_RDWR);
	CHECK(f);
	int fl = VMS_MAP_PRIVATE | VMS_MAP_FIXED;
	CHECK(vms_mmap(mm, A, PG, RW, fl, f, 0) > 0);
	CHECK(vms_mmap(mm, A + 2 * PG, PG, RW, fl, f, 2 * PG) > 0);
	CHECK(vms_mmap(mm, C, PG, RW, fl, f, PG) > 0);
	CHECK_EQ(vms_fault(mm, C, 1), 0);
	uint64_t av = at(mm, C).anon_vma;
	CHECK(av != 0);
	CHECK_EQ(vms_mremap(mm, C, PG, PG, MOVE_TO, A + PG), (long)(A + PG));
	CHECK_EQ(count_vmas(mm), 1);
	CHECK_EQ(at(mm, A).end, A + 3 * PG);
	CHECK_EQ(at(mm, A).anon_vma, av);
	CHECK_EQ(counters(mm).rss_anon, 1);
	vms_file_close(f);
	VALID(mm);
}

TEST(mremap_shared_move_keeps_flags_and_file)
{
	vms_mm *mm = new_mm(sys);
	CHECK(shared_at(mm, A, 2, RW) > 0);
	CHECK(anon_at(mm, A + 2 * PG, 1, R) > 0);
	CHECK_EQ(vms_fault(mm, A, 1), 0);
	long r = vms_mremap(mm, A, 2 * PG, 3 * PG, MAYMOVE, 0);
	CHECK_EQ(r, (long)(TOP - 3 * PG));
	struct vms_vma_info n = at(mm, (uint64_t)r);
	CHECK(n.file != NULL);
	CHECK_EQ(counters(mm).rss_shmem, 1);
	CHECK_EQ(count_vmas(mm), 2);
	VALID(mm);
}

TEST(mremap_move_never_adds_vm_account)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2, 0) > 0);
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 4 * PG, MOVE_TO, C), (long)C);
	CHECK_EQ(at(mm, C).vm_flags & VM_ACCOUNT_BIT, 0);
	VALID(mm);
}

/* ---- DONTUNMAP ---- */

TEST(mremap_dontunmap_keeps_old_vma_and_its_account)
{
	/* Live: old and new both `ac`; Committed_AS +2x until the old goes. */
	vms_mm *mm = new_mm(sys);
	uint64_t c0 = vms_sys_committed_pages(sys);
	CHECK(anon_at(mm, A, 4, RW) > 0);
	CHECK_EQ(vms_fault(mm, A, 1), 0);
	long r = vms_mremap(mm, A, 4 * PG, 4 * PG, MAYMOVE | DONTUNMAP, 0);
	CHECK_EQ(r, (long)(TOP - 4 * PG));
	CHECK_EQ(vms_sys_committed_pages(sys), c0 + 8);
	CHECK((at(mm, A).vm_flags & VM_ACCOUNT_BIT) != 0);
	CHECK((at(mm, (uint64_t)r).vm_flags & VM_ACCOUNT_BIT) != 0);
	/* The pages moved; the whole old VMA dropped its anon_vma. */
	CHECK_EQ(at(mm, A).anon_vma, 0);
	CHECK(at(mm, (uint64_t)r).anon_vma != 0);
	CHECK_EQ(counters(mm).rss_anon, 1);
	CHECK_EQ(counters(mm).total_vm, 8);
	CHECK_EQ(vms_munmap(mm, A, 4 * PG), 0);
	CHECK_EQ(vms_sys_committed_pages(sys), c0 + 4);
	VALID(mm);
}

TEST(mremap_dontunmap_unlocks_whole_old_vma_and_keeps_locked_vm)
{
	/* Live: 4 locked pages, DONTUNMAP of one: VmLck 16 -> 20 kB, the old VMA
	 * loses `lo` whole (no split), and VmLck stays 16 kB after both go. */
	vms_mm *mm = new_mm(sys);
	CHECK(vms_mmap(mm, A, 4 * PG, RW,
		       VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED | VMS_MAP_LOCKED, NULL,
		       0) > 0);
	CHECK_EQ(vms_mremap(mm, A + PG, PG, PG, MOVE_TO | DONTUNMAP, C), (long)C);
	CHECK_EQ(counters(mm).locked_vm, 5);
	CHECK_EQ(at(mm, A).end, A + 4 * PG);
	CHECK_EQ(at(mm, A).vm_flags & VM_LOCKED_BIT, 0);
	CHECK((at(mm, C).vm_flags & VM_LOCKED_BIT) != 0);
	CHECK_EQ(counters(mm).rss_anon, 4);
	VALID(mm);
	CHECK_EQ(vms_munmap(mm, A, 4 * PG), 0);
	CHECK_EQ(counters(mm).locked_vm, 5);
	CHECK_EQ(vms_munmap(mm, C, PG), 0);
	CHECK_EQ(counters(mm).locked_vm, 4);
	VALID(mm);
}

TEST(mremap_dontunmap_without_fixed_uses_hint)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2, RW) > 0);
	CHECK(anon_at(mm, C, 1, R) > 0);
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 2 * PG, MAYMOVE | DONTUNMAP, C + MB), (long)(C + MB));
	/* An occupied hint falls back to the top-down search. */
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 2 * PG, MAYMOVE | DONTUNMAP, C), (long)(TOP - 2 * PG));
	/* Unaligned hint: a parameter error. */
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 2 * PG, MAYMOVE | DONTUNMAP, C + 5), -VMS_EINVAL);
	VALID(mm);
}

TEST(mremap_dontunmap_works_on_shared_and_file)
{
	vms_mm *mm = new_mm(sys);
	CHECK(shared_at(mm, A, 2, RW) > 0);
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 2 * PG, MOVE_TO | DONTUNMAP, C), (long)C);
	CHECK_EQ(at(mm, A).file, at(mm, C).file);
	VALID(mm);
}

TEST(mremap_dontunmap_checks_rlimit_as)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2, RW) > 0);
	struct vms_rlimit lim = {3 * PG, VMS_RLIM_INFINITY};
	CHECK_EQ(vms_prlimit(mm, VMS_RLIMIT_AS, &lim, NULL), 0);
	CHECK_EQ(vms_mremap(mm, A, 2 * PG, 2 * PG, MAYMOVE | DONTUNMAP, 0), -VMS_ENOMEM);
	CHECK_EQ(vms_mremap(mm, A, PG, PG, MAYMOVE | DONTUNMAP, 0), (long)(TOP - PG));
}

/* ---- multi-VMA move (remap_move) ---- */

TEST(mremap_multi_vma_move_keeps_gaps_and_target_gaps)
{
	/* Live: [A,A+2p) rw, hole, [A+3p,A+5p) r moved onto an --x mapping of
	 * C..C+8p: the gap C+2p..C+3p keeps its old mapping. */
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2, RW) > 0);
	CHECK(anon_at(mm, A + 3 * PG, 2, R) > 0);
	CHECK(anon_at(mm, C, 8, VMS_PROT_EXEC) > 0);
	CHECK_EQ(vms_mremap(mm, A, 5 * PG, 5 * PG, MOVE_TO, C), (long)C);
	CHECK_EQ(at(mm, C).end, C + 2 * PG);
	CHECK_EQ(at(mm, C).vm_flags & 7, 3);
	CHECK_EQ(at(mm, C + 2 * PG).vm_flags & 7, 4);
	CHECK_EQ(at(mm, C + 2 * PG).end, C + 3 * PG);
	CHECK_EQ(at(mm, C + 3 * PG).vm_flags & 7, 1);
	CHECK_EQ(at(mm, C + 3 * PG).end, C + 5 * PG);
	CHECK_EQ(at(mm, C + 5 * PG).end, C + 8 * PG);
	CHECK_EQ(count_vmas(mm), 4);
	VALID(mm);
}

TEST(mremap_multi_vma_gap_at_start_is_efault)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A + PG, 2, RW) > 0);
	CHECK_EQ(vms_mremap(mm, A, 3 * PG, 3 * PG, MOVE_TO, C), -VMS_EFAULT);
	CHECK_EQ(vms_mremap(mm, A + 8 * PG, 3 * PG, 3 * PG, MOVE_TO, C), -VMS_EFAULT);
}

TEST(mremap_multi_vma_trailing_gap_moves_mapped_part)
{
	/* Live: mremap(A+p, 3p, 3p, FIXED|MAYMOVE) with only [A+p,A+3p) mapped
	 * succeeds; without FIXED it is a no-op; DONTUNMAP alone is EFAULT. */
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 3, RW) > 0);
	CHECK_EQ(vms_mremap(mm, A + PG, 3 * PG, 3 * PG, MAYMOVE, 0), (long)(A + PG));
	CHECK_EQ(vms_mremap(mm, A + PG, 3 * PG, 3 * PG, MAYMOVE | DONTUNMAP, 0), -VMS_EFAULT);
	CHECK_EQ(vms_mremap(mm, A + PG, 3 * PG, 3 * PG, MOVE_TO, C), (long)C);
	CHECK_EQ(at(mm, A).end, A + PG);
	CHECK_EQ(at(mm, C).end, C + 2 * PG);
	VALID(mm);
}

TEST(mremap_multi_vma_dontunmap_copies_each)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2, RW) > 0);
	CHECK(anon_at(mm, A + 2 * PG, 2, R) > 0);
	CHECK_EQ(vms_mremap(mm, A, 4 * PG, 4 * PG, MOVE_TO | DONTUNMAP, C), (long)C);
	CHECK_EQ(count_vmas(mm), 4);
	CHECK_EQ(at(mm, C + 2 * PG).vm_flags & 7, 1);
	VALID(mm);
}

TEST(mremap_multi_vma_error_leaves_earlier_moved)
{
	/* Live (with a sealed 2nd VMA): the first was already moved. Here the
	 * second is a special mapping cut in half: EINVAL after the first. */
	vms_mm *mm = vms_mm_new(sys, NULL);
	const char *maps = "200000000-200002000 rw-p 00000000 00:00 0 \n"
			   "200002000-200004000 r-xp 00000000 00:00 0                          [vdso]\n";
	int bad = 0;
	CHECK_EQ(vms_mm_import_maps(mm, maps, 0, &bad), 0);
	CHECK_EQ(vms_mremap(mm, A, 3 * PG, 3 * PG, MOVE_TO, C), -VMS_EINVAL);
	CHECK_EQ(at(mm, A).start, 0);
	CHECK_EQ(at(mm, C).end, C + 2 * PG);
	CHECK_EQ(at(mm, A + 2 * PG).end, A + 4 * PG);
	VALID(mm);
}

/* ---- hugetlb ---- */

TEST(mremap_hugetlb_rules)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_sys_set_hugetlb_pool(sys, 2 * MB, 8), 0);
	long h = vms_mmap(mm, 0, 4 * MB, RW, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_HUGETLB,
			  NULL, 0);
	CHECK(h > 0);
	uint64_t hb = (uint64_t)h;
	/* No growth, even by a page (lengths round up to huge pages). */
	CHECK_EQ(vms_mremap(mm, hb, 4 * MB, 4 * MB + PG, MAYMOVE, 0), -VMS_EINVAL);
	/* new_addr is checked for alignment even when it is not used. */
	CHECK_EQ(vms_mremap(mm, hb, 4 * MB, 4 * MB, 0, PG), -VMS_EINVAL);
	CHECK_EQ(vms_mremap(mm, hb, 4 * MB, 4 * MB, 0, 0), h);
	CHECK_EQ(vms_mremap(mm, hb + PG, PG, PG, 0, 0), -VMS_EINVAL);
	/* Shrink by a page rounds to no change; by a huge page unmaps it. */
	CHECK_EQ(vms_mremap(mm, hb, 4 * MB, 4 * MB - PG, 0, 0), h);
	CHECK_EQ(at(mm, hb).end, hb + 4 * MB);
	CHECK_EQ(vms_mremap(mm, hb, 4 * MB, 2 * MB, 0, 0), h);
	CHECK_EQ(at(mm, hb).end, hb + 2 * MB);
	CHECK_EQ(vms_mremap(mm, hb, 2 * MB, 2 * MB, MOVE_TO, 0x40000000ULL), 0x40000000LL);
	VALID(mm);
}

/* ---- the model's own allocator ---- */

struct snap {
	struct vms_vma_info v[32];
	int n;
	struct vms_mm_counters c;
	uint64_t committed;
};

static void take(vms_sys *sys, vms_mm *mm, struct snap *s)
{
	s->n = 0;
	for (const vms_vma *v = vms_vma_first(mm); v && s->n < 32; v = vms_vma_next(mm, v))
		vms_vma_get_info(v, &s->v[s->n++]);
	vms_mm_get_counters(mm, &s->c);
	s->committed = vms_sys_committed_pages(sys);
}

static int same(const struct snap *a, const struct snap *b)
{
	if (a->n != b->n || a->committed != b->committed || memcmp(&a->c, &b->c, sizeof(a->c)))
		return 0;
	for (int i = 0; i < a->n; i++)
		if (a->v[i].start != b->v[i].start || a->v[i].end != b->v[i].end ||
		    a->v[i].vm_flags != b->v[i].vm_flags || a->v[i].pgoff != b->v[i].pgoff ||
		    a->v[i].anon_vma != b->v[i].anon_vma)
			return 0;
	return 1;
}

/* Every form of the call: fail the Nth allocation for N = 1.. until it
 * succeeds; a model ENOMEM must leave everything as it was. */
static int alloc_failure_run(vms_sys *sys, int form)
{
	for (uint64_t n = 1; n < 80; n++) {
		vms_mm *mm = new_mm(sys);
		if (!mm)
			return -1;
		struct vms_inode_info ii = {.dev_major = 8, .ino = 7, .size = 64 * PG, .path = "/g"};
		vms_file *f = vms_file_open(vms_inode_get(sys, &ii), VMS_O_RDWR);
		if (!f || anon_at(mm, A, 8, RW) < 0 || anon_at(mm, C - PG, 6, R) < 0 ||
		    vms_mmap(mm, A + 16 * PG, 4 * PG, RW, VMS_MAP_SHARED | VMS_MAP_FIXED, f, 0) < 0 ||
		    vms_fault(mm, A + 2 * PG, 1) || vms_fault(mm, A + 5 * PG, 1))
			return -1;
		struct snap before, after;
		take(sys, mm, &before);
		vms_sys_fail_alloc_after(sys, n);
		long r;
		switch (form) {
		case 0:
			r = vms_mremap(mm, A + PG, 6 * PG, 3 * PG, MOVE_TO, C);
			break;
		case 1:
			r = vms_mremap(mm, A + PG, 4 * PG, 12 * PG, MAYMOVE, 0);
			break;
		case 2:
			r = vms_mremap(mm, A + 2 * PG, 4 * PG, 4 * PG, MAYMOVE | DONTUNMAP, 0);
			break;
		case 3:
			r = vms_mremap(mm, A + 16 * PG, 2 * PG, 2 * PG, MOVE_TO, C + PG);
			break;
		default:
			r = vms_mremap(mm, A, 8 * PG, 2 * PG, 0, 0);
			break;
		}
		vms_sys_fail_alloc_after(sys, 0);
		char why[200];
		if (vms_validate(mm, why, sizeof(why)))
			return -2;
		if (r == -VMS_ENOMEM) {
			take(sys, mm, &after);
			if (!same(&before, &after))
				return (int)n;
			vms_file_close(f);
			vms_mm_free(mm);
			continue;
		}
		vms_file_close(f);
		vms_mm_free(mm);
		return r > 0 ? 0 : -3;
	}
	return -4;
}

TEST(mremap_alloc_failure_changes_nothing)
{
	for (int form = 0; form < 5; form++) {
		int r = alloc_failure_run(sys, form);
		if (r) {
			t_fail(__FILE__, __LINE__, "form %d: %d", form, r);
			return;
		}
	}
}

/* ---- against the live kernel ---- */

#define P PG
#define PA (VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS)
#define SA (VMS_MAP_SHARED | VMS_MAP_ANONYMOUS)
#define FIX VMS_MAP_FIXED
#define NOFD KD_FD_NONE


TEST(kdiff_mremap_moves_match)
{
	KD_BEGIN;
	STEP(KD_MMAP, W, 8 * P, RW, PA | FIX, NOFD, 0);
	STEP(KD_TOUCH, W + 2 * P, 1);
	STEP(KD_MREMAP, W + P, 2 * P, 2 * P, MOVE_TO, W + 64 * P);
	STEP(KD_MREMAP, W + 64 * P, 2 * P, 2 * P, MOVE_TO, W + P);
	STEP(KD_MREMAP, W + 4 * P, 4 * P, 2 * P, MOVE_TO, W + 32 * P);
	STEP(KD_MREMAP, W, 4 * P, 6 * P, MAYMOVE, 0);
	STEP(KD_MMAP, W + 128 * P, 4 * P, RW, PA | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 136 * P, 4 * P, RW, PA | FIX, NOFD, 0);
	STEP(KD_MREMAP, W + 128 * P, 4 * P, 6 * P, 0, 0);
	STEP(KD_MREMAP, W + 128 * P, 6 * P, 8 * P, 0, 0);
	STEP(KD_MREMAP, W + 128 * P, 12 * P, 12 * P, MOVE_TO, W + 256 * P);
	STEP(KD_MREMAP, W + 256 * P, 12 * P, 3 * P, 0, 0);
	STEP(KD_MMAP, W + 300 * P, 2 * P, RW, PA | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 303 * P, 2 * P, R, PA | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 400 * P, 8 * P, VMS_PROT_EXEC, PA | FIX, NOFD, 0);
	STEP(KD_MREMAP, W + 300 * P, 5 * P, 5 * P, MOVE_TO, W + 400 * P);
	STEP(KD_MREMAP, W + 299 * P, 5 * P, 5 * P, MOVE_TO, W + 500 * P);
	KD_END;
}

TEST(kdiff_mremap_dontunmap_and_locked_match)
{
	KD_BEGIN;
	STEP(KD_MMAP, W, 4 * P, RW, PA | FIX | VMS_MAP_LOCKED, NOFD, 0);
	STEP(KD_MREMAP, W + P, P, P, MOVE_TO | DONTUNMAP, W + 64 * P);
	STEP(KD_MREMAP, W + 64 * P, P, 3 * P, MAYMOVE, 0);
	STEP(KD_MUNMAP, W, 4 * P);
	STEP(KD_MMAP, W + 8 * P, 4 * P, RW, SA | FIX, NOFD, 0);
	STEP(KD_MREMAP, W + 8 * P, 4 * P, 4 * P, MAYMOVE | DONTUNMAP, W + 128 * P);
	STEP(KD_MREMAP, W + 8 * P, 0, 2 * P, MOVE_TO, W + 140 * P);
	STEP(KD_MREMAP, W + 8 * P, 0, 2 * P, MOVE_TO, W + 7 * P);
	STEP(KD_MREMAP, W + 8 * P, 4 * P, 8 * P, 0, 0);
	STEP(KD_MMAP, W + 200 * P, 4 * P, RW, PA | FIX, NOFD, 0);
	STEP(KD_MREMAP, W + 202 * P, 2 * P, 2 * P, MOVE_TO, W + 204 * P);
	STEP(KD_MREMAP, W + 204 * P, 2 * P, 2 * P, MOVE_TO | DONTUNMAP, W + 206 * P);
	STEP(KD_MMAP, W + 220 * P, 2 * P, RW, PA | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 226 * P, 2 * P, RW, PA | VMS_MAP_GROWSDOWN | FIX, NOFD, 0);
	STEP(KD_MREMAP, W + 220 * P, 2 * P, 6 * P, 0, 0);
	KD_END;
}

TEST(kdiff_mremap_file_moves_match)
{
	enum { F_A_RO, F_A_RW };
	KD_BEGIN;
	STEP(KD_MMAP, W, 4 * P, RW, VMS_MAP_PRIVATE | FIX, F_A_RO, 0);
	STEP(KD_MMAP, W + 8 * P, 4 * P, RW, VMS_MAP_SHARED | FIX, F_A_RW, 4 * P);
	STEP(KD_TOUCH, W + P, 1);
	STEP(KD_TOUCH, W + 9 * P, 0);
	STEP(KD_MREMAP, W + P, 2 * P, 2 * P, MOVE_TO, W + 64 * P);
	STEP(KD_MREMAP, W + 64 * P, 2 * P, 2 * P, MOVE_TO, W + P);
	STEP(KD_MREMAP, W + 8 * P, 4 * P, 6 * P, MAYMOVE, 0);
	STEP(KD_MREMAP, W, 4 * P, 4 * P, MAYMOVE | DONTUNMAP, 0);
	STEP(KD_MREMAP, W, 4 * P, 4 * P, MOVE_TO | DONTUNMAP, W + 32 * P);
	KD_END;
}
