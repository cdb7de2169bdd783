/* test_mmap.c: one test per mmap/munmap/brk rule (mm/mmap.c, mm/vma.c). */
#include "t.h"

#define PG 4096ULL
#define TOP 0x7ffff7fff000ULL /* mmap_base with an 8 MiB stack and no ASLR */

static vms_mm *new_mm(vms_sys *sys)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE,
				    .caps = VMS_CAP_SYS_ADMIN | VMS_CAP_IPC_LOCK};
	return vms_mm_new(sys, &cfg);
}

static long anon(vms_mm *mm, uint64_t addr, uint64_t len, int prot, int extra)
{
	return vms_mmap(mm, addr, len, prot, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | extra, NULL, 0);
}

static int count_vmas(vms_mm *mm)
{
	int n = 0;
	for (const vms_vma *v = vms_vma_first(mm); v; v = vms_vma_next(mm, v))
		n++;
	return n;
}

TEST(mmap_topdown_lands_just_below_mmap_base)
{
	vms_mm *mm = new_mm(sys);
	struct vms_mm_layout l;
	vms_mm_get_layout(mm, &l);
	CHECK_EQ(l.mmap_base, TOP);
	CHECK_EQ(anon(mm, 0, PG, VMS_PROT_READ, 0), TOP - PG);
	CHECK_EQ(anon(mm, 0, 3 * PG, VMS_PROT_READ | VMS_PROT_WRITE, 0), TOP - 4 * PG);
	VALID(mm);
}

TEST(mmap_len_zero_is_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(anon(mm, 0, 0, VMS_PROT_READ, 0), -VMS_EINVAL);
}

TEST(mmap_unaligned_offset_is_einval_before_ebadf)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_mmap(mm, 0, PG, VMS_PROT_READ, VMS_MAP_PRIVATE, NULL, 1), -VMS_EINVAL);
	CHECK_EQ(vms_mmap(mm, 0, PG, VMS_PROT_READ, VMS_MAP_PRIVATE, NULL, 0), -VMS_EBADF);
}

TEST(mmap_anon_shared_validate_is_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_mmap(mm, 0, PG, VMS_PROT_READ, VMS_MAP_SHARED_VALIDATE | VMS_MAP_ANONYMOUS,
			  NULL, 0),
		 -VMS_EINVAL);
}

TEST(mmap_adjacent_anon_merge)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon(mm, 0, PG, VMS_PROT_READ | VMS_PROT_WRITE, 0) > 0);
	CHECK(anon(mm, 0, PG, VMS_PROT_READ | VMS_PROT_WRITE, 0) > 0);
	CHECK_EQ(count_vmas(mm), 1);
	CHECK(anon(mm, 0, PG, VMS_PROT_READ, 0) > 0);
	CHECK_EQ(count_vmas(mm), 2);
	VALID(mm);
}

TEST(mmap_thp_aligns_pmd_multiple_anon)
{
	vms_mm *mm = new_mm(sys);
	/* The padded search puts the mapping on the first 2 MiB boundary below the
	 * top of the gap (mm/huge_memory.c __thp_get_unmapped_area). */
	CHECK_EQ(anon(mm, 0, 2 << 20, VMS_PROT_READ, 0), 0x7ffff7c00000LL);
	/* 3 MiB is not a multiple of the PMD size: plain placement. */
	CHECK_EQ(anon(mm, 0, 3 << 20, VMS_PROT_READ, 0), 0x7ffff7c00000LL - (3 << 20));
	VALID(mm);
}

TEST(mmap_hint_below_min_is_raised_to_lsm_floor)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(anon(mm, 0x1000, PG, VMS_PROT_READ, 0), 0x10000);
}

TEST(mmap_fixed_noreplace_overlap_is_eexist)
{
	vms_mm *mm = new_mm(sys);
	long a = anon(mm, 0x200000000, 4 * PG, VMS_PROT_READ, VMS_MAP_FIXED);
	CHECK_EQ(a, 0x200000000);
	CHECK_EQ(anon(mm, a + PG, PG, VMS_PROT_READ, VMS_MAP_FIXED_NOREPLACE), -VMS_EEXIST);
}

TEST(mmap_fixed_replaces_middle_and_splits)
{
	vms_mm *mm = new_mm(sys);
	long a = anon(mm, 0x200000000, 4 * PG, VMS_PROT_READ, VMS_MAP_FIXED);
	CHECK_EQ(anon(mm, a + PG, PG, VMS_PROT_READ | VMS_PROT_WRITE, VMS_MAP_FIXED), a + (long)PG);
	CHECK_EQ(count_vmas(mm), 3);
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	CHECK_EQ(c.total_vm, 4);
	CHECK_EQ(c.data_vm, 1);
	VALID(mm);
}

TEST(mmap_map_count_limit_is_strictly_greater)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_sysctl_set(sys, "vm.max_map_count", 3), 0);
	for (int i = 0; i < 3; i++)
		CHECK(anon(mm, 0x200000000 + (uint64_t)i * 2 * PG, PG, VMS_PROT_READ, VMS_MAP_FIXED) > 0);
	/* At the limit one more VMA is still allowed (do_mmap checks '>'). */
	CHECK(anon(mm, 0x300000000, PG, VMS_PROT_READ, VMS_MAP_FIXED) > 0);
	CHECK_EQ(anon(mm, 0x400000000, PG, VMS_PROT_READ, VMS_MAP_FIXED), -VMS_ENOMEM);
	VALID(mm);
}

TEST(munmap_hole_at_map_count_limit_is_enomem)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_sysctl_set(sys, "vm.max_map_count", 1), 0);
	long a = anon(mm, 0x200000000, 3 * PG, VMS_PROT_READ, VMS_MAP_FIXED);
	CHECK_EQ(vms_munmap(mm, (uint64_t)a + PG, PG), -VMS_ENOMEM);
	/* Trimming an end needs no new VMA and is allowed. */
	CHECK_EQ(vms_munmap(mm, (uint64_t)a, PG), 0);
	VALID(mm);
}

TEST(munmap_argument_checks)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_munmap(mm, 0x1001, PG), -VMS_EINVAL);
	CHECK_EQ(vms_munmap(mm, 0x1000, 0), -VMS_EINVAL);
	CHECK_EQ(vms_munmap(mm, 0x1000, (uint64_t)-4096), -VMS_EINVAL);
	CHECK_EQ(vms_munmap(mm, 0x1000, PG), 0);
}

TEST(mmap_rlimit_as_failure_leaves_fixed_split)
{
	vms_mm *mm = new_mm(sys);
	long a = anon(mm, 0x200000000, 3 * PG, VMS_PROT_READ, VMS_MAP_FIXED);
	struct vms_rlimit lim = {3 * PG, 3 * PG};
	CHECK_EQ(vms_prlimit(mm, VMS_RLIMIT_AS, &lim, NULL), 0);
	/* Replacing 2 pages by 3 needs one more page than RLIMIT_AS allows; the
	 * kernel has already split the old VMA and leaves it split. */
	CHECK_EQ(anon(mm, (uint64_t)a + PG, 3 * PG, VMS_PROT_READ, VMS_MAP_FIXED), -VMS_ENOMEM);
	CHECK_EQ(count_vmas(mm), 2);
	VALID(mm);
}

TEST(brk_grows_merges_and_returns_old_on_failure)
{
	vms_mm *mm = new_mm(sys);
	vms_mm_set_brk_start(mm, 0x555555560000);
	CHECK_EQ(vms_brk(mm, 0), 0x555555560000);
	CHECK_EQ(vms_brk(mm, 0x555555561000), 0x555555561000);
	CHECK_EQ(vms_brk(mm, 0x555555563000), 0x555555563000);
	CHECK_EQ(count_vmas(mm), 1);
	/* Below start_brk: the old break comes back. */
	CHECK_EQ(vms_brk(mm, 0x555555550000), 0x555555563000);
	CHECK_EQ(vms_brk(mm, 0x555555561800), 0x555555561800);
	CHECK_EQ(count_vmas(mm), 1);
	VALID(mm);
}

/* Every allocation of a MAP_FIXED split made to fail in turn: each failure is
 * -ENOMEM with the address space exactly as before. */
TEST(mmap_alloc_failure_changes_nothing)
{
	vms_mm *mm = new_mm(sys);
	long a = anon(mm, 0x200000000, 8 * PG, VMS_PROT_READ, VMS_MAP_FIXED);
	CHECK(a > 0);
	for (uint64_t n = 1; n < 40; n++) {
		struct t_snap before, after;
		t_snap_take(sys, mm, &before);
		vms_sys_fail_alloc_after(sys, n);
		long r = vms_mmap(mm, (uint64_t)a + 2 * PG, PG, VMS_PROT_READ | VMS_PROT_WRITE,
				  VMS_MAP_SHARED | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED, NULL, 0);
		vms_sys_fail_alloc_after(sys, 0);
		if (r == -VMS_ENOMEM) {
			t_snap_take(sys, mm, &after);
			CHECK(t_snap_equal(&before, &after));
			VALID(mm);
			continue;
		}
		CHECK_EQ(r, a + 2 * (long)PG);
		VALID(mm);
		break;
	}
}
