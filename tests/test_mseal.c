/* test_mseal.c: one test per mseal rule (mm/mseal.c, and the checks a seal
 * adds to munmap, mremap, mprotect, mmap, madvise, brk and fork), with what
 * the live 6.18 kernel showed for each. */
#include "t.h"

#define PG 4096ULL
#define A 0x200000000ULL
#define R VMS_PROT_READ
#define RW (VMS_PROT_READ | VMS_PROT_WRITE)
#define PA (VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS)
#define VM_RAND_READ_ 0x10000ULL
#define VM_LOCKED_ 0x2000ULL

static vms_mm *new_mm(vms_sys *sys)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE,
				    .caps = VMS_CAP_IPC_LOCK};
	return vms_mm_new(sys, &cfg);
}

static int anon_at(vms_mm *mm, uint64_t a, uint64_t len, int prot)
{
	return vms_mmap(mm, a, len, prot, PA | VMS_MAP_FIXED, NULL, 0) == (long)a;
}

static struct vms_vma_info info_at(vms_mm *mm, uint64_t addr)
{
	struct vms_vma_info i = {0};
	const vms_vma *v = vms_find_vma(mm, addr);
	if (v)
		vms_vma_get_info(v, &i);
	if (i.start > addr)
		memset(&i, 0, sizeof(i));
	return i;
}

static int sealed_at(vms_mm *mm, uint64_t addr)
{
	return (info_at(mm, addr).vm_flags & VMS_VM_SEALED) != 0;
}

static int count_vmas(vms_mm *mm)
{
	int n = 0;
	for (const vms_vma *v = vms_vma_first(mm); v; v = vms_vma_next(mm, v))
		n++;
	return n;
}

/* ---- the call's own checks (do_mseal) ---- */

/* live: flags 1 -> EINVAL, checked before the alignment. */
TEST(mseal_flags_must_be_zero)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG, RW));
	CHECK_EQ(vms_mseal(mm, A, PG, 1), -VMS_EINVAL);
	CHECK_EQ(vms_mseal(mm, A + 1, PG, 1), -VMS_EINVAL);
	CHECK(!sealed_at(mm, A));
}

TEST(mseal_start_must_be_page_aligned)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG, RW));
	CHECK_EQ(vms_mseal(mm, A + 1, PG, 0), -VMS_EINVAL);
}

/* live: len 0 -> 0 anywhere (even at 0xfffffffffffff000); -1 and -4095 round
 * to 0 -> EINVAL; -4096 and a wrap past the top -> EINVAL. */
TEST(mseal_length_rounding_and_wrap)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG, RW));
	CHECK_EQ(vms_mseal(mm, A, 0, 0), 0);
	CHECK_EQ(vms_mseal(mm, 0xfffffffffffff000ULL, 0, 0), 0);
	CHECK_EQ(vms_mseal(mm, A, (uint64_t)-1, 0), -VMS_EINVAL);
	CHECK_EQ(vms_mseal(mm, A, (uint64_t)-4095, 0), -VMS_EINVAL);
	CHECK_EQ(vms_mseal(mm, A, (uint64_t)-4096, 0), -VMS_EINVAL);
	CHECK_EQ(vms_mseal(mm, 0xfffffffffffff000ULL, PG, 0), -VMS_EINVAL);
	/* live: 2 pages less 100 bytes seal 2 pages */
	CHECK_EQ(vms_mseal(mm, A + PG, 2 * PG - 100, 0), 0);
	CHECK(sealed_at(mm, A + PG) && sealed_at(mm, A + 2 * PG) && !sealed_at(mm, A + 3 * PG));
	VALID(mm);
}

/* mm/mseal.c range_contains_unmapped(): a hole before, inside or after the
 * VMAs (or past TASK_SIZE) is ENOMEM and nothing is sealed. */
TEST(mseal_range_with_a_hole_is_enomem_and_seals_nothing)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG, RW));
	CHECK(anon_at(mm, A + 5 * PG, 2 * PG, RW));
	CHECK_EQ(vms_mseal(mm, A - PG, 2 * PG, 0), -VMS_ENOMEM);
	CHECK_EQ(vms_mseal(mm, A, 7 * PG, 0), -VMS_ENOMEM);
	CHECK_EQ(vms_mseal(mm, A + 5 * PG, 3 * PG, 0), -VMS_ENOMEM);
	CHECK_EQ(vms_mseal(mm, 0x7ffffffff000ULL, PG, 0), -VMS_ENOMEM);
	CHECK_EQ(vms_mseal(mm, 0x800000000000ULL, PG, 0), -VMS_ENOMEM);
	CHECK(!sealed_at(mm, A) && !sealed_at(mm, A + 5 * PG));
	CHECK_EQ(count_vmas(mm), 2);
}

/* mseal_apply(): VM_SEALED is a flag like any other: the VMA splits around
 * the range, and sealing the rest later merges the pieces back (live: two
 * seals of [1,3) and [3,4) leave one sealed VMA [1,4)). */
TEST(mseal_splits_then_equal_sealed_neighbours_merge)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 8 * PG, RW));
	CHECK_EQ(vms_mseal(mm, A + PG, 2 * PG, 0), 0);
	CHECK_EQ(count_vmas(mm), 3);
	CHECK_EQ(info_at(mm, A + PG).start, A + PG);
	CHECK_EQ(info_at(mm, A + PG).end, A + 3 * PG);
	CHECK_EQ(vms_mseal(mm, A + 3 * PG, PG, 0), 0);
	CHECK_EQ(count_vmas(mm), 3);
	CHECK_EQ(info_at(mm, A + PG).end, A + 4 * PG);
	/* sealing again is no change at all */
	CHECK_EQ(vms_mseal(mm, A + PG, 3 * PG, 0), 0);
	CHECK_EQ(count_vmas(mm), 3);
	VALID(mm);
}

/* live: an unsealed VMA mapped next to a sealed one stays apart; once sealed
 * too, both merge (and a third below joins them). */
TEST(mseal_sealed_vma_merges_only_with_sealed)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2 * PG, RW));
	CHECK_EQ(vms_mseal(mm, A, 2 * PG, 0), 0);
	CHECK(anon_at(mm, A + 2 * PG, 2 * PG, RW));
	CHECK_EQ(count_vmas(mm), 2);
	CHECK_EQ(vms_mseal(mm, A + 2 * PG, 2 * PG, 0), 0);
	CHECK_EQ(count_vmas(mm), 1);
	CHECK(anon_at(mm, A - 2 * PG, 2 * PG, RW));
	CHECK_EQ(vms_mseal(mm, A - 2 * PG, 4 * PG, 0), 0);
	CHECK_EQ(count_vmas(mm), 1);
	CHECK_EQ(info_at(mm, A).start, A - 2 * PG);
	CHECK_EQ(info_at(mm, A).end, A + 4 * PG);
	VALID(mm);
}

/* live: one seal across rw | r | rw seals each piece, splitting the ends. */
TEST(mseal_across_vmas_seals_each)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 6 * PG, RW));
	CHECK_EQ(vms_mprotect(mm, A + 2 * PG, 2 * PG, R), 0);
	CHECK_EQ(vms_mseal(mm, A + PG, 4 * PG, 0), 0);
	CHECK_EQ(count_vmas(mm), 5);
	CHECK(!sealed_at(mm, A) && sealed_at(mm, A + PG) && sealed_at(mm, A + 2 * PG) &&
	      sealed_at(mm, A + 4 * PG) && !sealed_at(mm, A + 5 * PG));
	VALID(mm);
}

/* A split refused by max_map_count: ENOMEM (not EAGAIN), the VMAs before
 * the one that could not split stay sealed. */
TEST(mseal_split_over_max_map_count_is_enomem)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG, RW));
	CHECK(anon_at(mm, A + 4 * PG, 4 * PG, R));
	CHECK_EQ(vms_sysctl_set(sys, "vm.max_map_count", 2), 0);
	CHECK_EQ(vms_mseal(mm, A, 6 * PG, 0), -VMS_ENOMEM);
	CHECK(sealed_at(mm, A) && !sealed_at(mm, A + 4 * PG));
	VALID(mm);
}

/* special_mapping_split(): part of [vvar] cannot be sealed (live: EINVAL),
 * all of it can. */
TEST(mseal_part_of_a_special_mapping_is_einval)
{
	vms_mm *mm = new_mm(sys);
	static const char maps[] =
		"7ffff7fc1000-7ffff7fc5000 r--p 00000000 00:00 0                          [vvar]\n";
	int bad = 0;
	CHECK_EQ(vms_mm_import_maps(mm, maps, 0, &bad), 0);
	CHECK_EQ(vms_mseal(mm, 0x7ffff7fc1000ULL, PG, 0), -VMS_EINVAL);
	CHECK_EQ(vms_mseal(mm, 0x7ffff7fc1000ULL, 4 * PG, 0), 0);
	CHECK(sealed_at(mm, 0x7ffff7fc1000ULL));
	VALID(mm);
}

TEST(mseal_alloc_failure_changes_nothing)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 8 * PG, RW));
	long r = -VMS_ENOMEM;
	for (uint64_t n = 1; n < 100; n++) {
		struct t_snap a, b;
		t_snap_take(sys, mm, &a);
		vms_sys_fail_alloc_after(sys, n);
		r = vms_mseal(mm, A + PG, 2 * PG, 0);
		vms_sys_fail_alloc_after(sys, 0);
		if (r != -VMS_ENOMEM)
			break;
		t_snap_take(sys, mm, &b);
		CHECK(t_snap_equal(&a, &b));
		VALID(mm);
	}
	CHECK_EQ(r, 0);
	CHECK(sealed_at(mm, A + PG));
	VALID(mm);
}

/* ---- what a seal forbids ---- */

/* mm/vma.c vms_gather_munmap_vmas(): a sealed first VMA is refused before
 * its split; one further in stops the gather with the earlier splits kept
 * (live: munmap [1,5) over rw [0,4) + sealed [4,8) leaves [0,1) [1,4)). */
TEST(sealed_vma_refuses_munmap_keeping_earlier_splits)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 8 * PG, RW));
	CHECK_EQ(vms_mseal(mm, A + 4 * PG, 4 * PG, 0), 0);
	CHECK_EQ(vms_munmap(mm, A + 5 * PG, PG), -VMS_EPERM);
	CHECK_EQ(vms_munmap(mm, A + 4 * PG, 4 * PG), -VMS_EPERM);
	CHECK_EQ(count_vmas(mm), 2);
	CHECK_EQ(vms_munmap(mm, A + PG, 4 * PG), -VMS_EPERM);
	CHECK_EQ(count_vmas(mm), 3);
	CHECK_EQ(info_at(mm, A + PG).start, A + PG);
	CHECK_EQ(info_at(mm, A + PG).end, A + 4 * PG);
	CHECK_EQ(vms_munmap(mm, A, 2 * PG), 0);
	VALID(mm);
}

/* live: mprotect of a sealed VMA is EPERM even to the protection it has;
 * the unsealed VMAs before it in the range are already changed. */
TEST(sealed_vma_refuses_mprotect_after_earlier_vmas_changed)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG, RW));
	CHECK_EQ(vms_mseal(mm, A + PG, 3 * PG, 0), 0);
	CHECK_EQ(vms_mprotect(mm, A + PG, PG, RW), -VMS_EPERM);
	CHECK_EQ(vms_mprotect(mm, A, 2 * PG, R), -VMS_EPERM);
	CHECK_EQ(info_at(mm, A).vm_flags & 0x3, R);
	CHECK_EQ(info_at(mm, A + PG).vm_flags & 0x3, RW);
	/* a zero length and bad prot bits are refused first */
	CHECK_EQ(vms_mprotect(mm, A + PG, 0, R), 0);
	CHECK_EQ(vms_mprotect(mm, A + PG, PG, 0x10), -VMS_EINVAL);
	CHECK_EQ(vms_pkey_mprotect(mm, A + PG, PG, R, -1), -VMS_EPERM);
	VALID(mm);
}

/* live: MAP_FIXED over a sealed VMA is EPERM; MAP_FIXED_NOREPLACE EEXIST. */
TEST(sealed_vma_refuses_map_fixed)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG, RW));
	CHECK_EQ(vms_mseal(mm, A + PG, PG, 0), 0);
	CHECK_EQ(vms_mmap(mm, A + PG, PG, R, PA | VMS_MAP_FIXED, NULL, 0), -VMS_EPERM);
	CHECK_EQ(vms_mmap(mm, A, 2 * PG, R, PA | VMS_MAP_FIXED, NULL, 0), -VMS_EPERM);
	CHECK_EQ(vms_mmap(mm, A + PG, PG, R, PA | VMS_MAP_FIXED_NOREPLACE, NULL, 0),
		 -VMS_EEXIST);
	CHECK(sealed_at(mm, A + PG));
	VALID(mm);
}

/* mm/mremap.c check_prep_vma(): a sealed source is EPERM for every kind of
 * mremap (no-op, grow, move, DONTUNMAP, old_len 0); a sealed target of
 * MREMAP_FIXED and a shrink over a sealed VMA fail in the munmap. Parameter
 * errors come first (live: flags 0x100 and an unaligned address EINVAL). */
TEST(sealed_vma_refuses_mremap_as_source_and_target)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 8 * PG, RW));
	CHECK_EQ(vms_mseal(mm, A + PG, 3 * PG, 0), 0);
	CHECK_EQ(vms_mremap(mm, A + PG, PG, PG, 0, 0), -VMS_EPERM);
	CHECK_EQ(vms_mremap(mm, A + PG, PG, 2 * PG, 0, 0), -VMS_EPERM);
	CHECK_EQ(vms_mremap(mm, A + PG, 3 * PG, PG, 0, 0), -VMS_EPERM);
	CHECK_EQ(vms_mremap(mm, A + PG, 0, PG, VMS_MREMAP_MAYMOVE, 0), -VMS_EPERM);
	CHECK_EQ(vms_mremap(mm, A + PG, PG, PG, VMS_MREMAP_MAYMOVE | VMS_MREMAP_DONTUNMAP, 0),
		 -VMS_EPERM);
	CHECK_EQ(vms_mremap(mm, A + PG, PG, PG, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED,
			    A + 40 * PG),
		 -VMS_EPERM);
	CHECK_EQ(vms_mremap(mm, A + PG, PG, PG, 0x100, 0), -VMS_EINVAL);
	CHECK_EQ(vms_mremap(mm, A + PG + 1, PG, PG, 0, 0), -VMS_EINVAL);
	CHECK_EQ(vms_mremap(mm, A + 5 * PG, PG, PG, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED,
			    A + 3 * PG),
		 -VMS_EPERM);
	/* live: a shrink of [0,8) to 2 pages over sealed [4,8) splits at 2 first */
	CHECK(anon_at(mm, A + 64 * PG, 8 * PG, RW));
	CHECK_EQ(vms_mseal(mm, A + 68 * PG, 4 * PG, 0), 0);
	CHECK_EQ(vms_mremap(mm, A + 64 * PG, 8 * PG, 2 * PG, 0, 0), -VMS_EPERM);
	CHECK_EQ(info_at(mm, A + 64 * PG).end, A + 66 * PG);
	CHECK_EQ(info_at(mm, A + 66 * PG).end, A + 68 * PG);
	VALID(mm);
}

/* mm/madvise.c can_madvise_modify(): on a sealed VMA the discarding advice
 * (FREE, DONTNEED, DONTNEED_LOCKED, REMOVE, DONTFORK, WIPEONFORK,
 * GUARD_INSTALL) is EPERM on private anonymous memory without write
 * permission (read-only or PROT_NONE); writable, shared and file memory may
 * discard, and every other advice is allowed (the live table). */
TEST(sealed_readonly_anon_refuses_discarding_advice)
{
	static const int discard[] = {VMS_MADV_FREE,	   VMS_MADV_DONTNEED,
				      VMS_MADV_DONTNEED_LOCKED, VMS_MADV_REMOVE,
				      VMS_MADV_DONTFORK,   VMS_MADV_WIPEONFORK,
				      VMS_MADV_GUARD_INSTALL};
	for (size_t i = 0; i < sizeof(discard) / sizeof(discard[0]); i++) {
		for (int prot = 0; prot < 4; prot++) {
			vms_mm *mm = new_mm(sys);
			CHECK(anon_at(mm, A, 4 * PG, prot));
			CHECK_EQ(vms_mseal(mm, A, 4 * PG, 0), 0);
			long r = vms_madvise(mm, A, 4 * PG, discard[i]);
			if (!(prot & VMS_PROT_WRITE))
				CHECK_EQ(r, -VMS_EPERM);
			else
				CHECK(r != -VMS_EPERM);
			vms_mm_free(mm);
		}
	}
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG, R));
	CHECK(vms_mmap(mm, A + 8 * PG, 4 * PG, R, VMS_MAP_SHARED | VMS_MAP_ANONYMOUS |
			       VMS_MAP_FIXED, NULL, 0) == (long)(A + 8 * PG));
	CHECK_EQ(vms_mseal(mm, A, 4 * PG, 0), 0);
	CHECK_EQ(vms_mseal(mm, A + 8 * PG, 4 * PG, 0), 0);
	CHECK_EQ(vms_madvise(mm, A + 8 * PG, 4 * PG, VMS_MADV_DONTNEED), 0);
	CHECK_EQ(vms_madvise(mm, A + 8 * PG, 4 * PG, VMS_MADV_REMOVE), 0);
	static const int other[] = {VMS_MADV_NORMAL,   VMS_MADV_RANDOM,	 VMS_MADV_WILLNEED,
				    VMS_MADV_DOFORK,   VMS_MADV_DONTDUMP, VMS_MADV_KEEPONFORK,
				    VMS_MADV_COLD,     VMS_MADV_PAGEOUT,	 VMS_MADV_POPULATE_READ,
				    VMS_MADV_GUARD_REMOVE};
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		CHECK_EQ(vms_madvise(mm, A, 4 * PG, other[i]), 0);
	VALID(mm);
}

/* live: advice that only changes flags still splits a sealed VMA, and the
 * pieces merge back when the flag goes; mlock likewise. */
TEST(sealed_vma_takes_flag_advice_and_mlock)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 8 * PG, RW));
	CHECK_EQ(vms_mseal(mm, A, 8 * PG, 0), 0);
	CHECK_EQ(vms_madvise(mm, A + PG, PG, VMS_MADV_RANDOM), 0);
	CHECK_EQ(vms_mlock(mm, A + 3 * PG, PG), 0);
	CHECK_EQ(count_vmas(mm), 5);
	CHECK(info_at(mm, A + PG).vm_flags & VM_RAND_READ_);
	CHECK(info_at(mm, A + 3 * PG).vm_flags & VM_LOCKED_);
	CHECK(sealed_at(mm, A + PG) && sealed_at(mm, A + 3 * PG));
	CHECK_EQ(vms_munlock(mm, A + 3 * PG, PG), 0);
	CHECK_EQ(vms_madvise(mm, A + PG, PG, VMS_MADV_NORMAL), 0);
	CHECK_EQ(count_vmas(mm), 1);
	VALID(mm);
}

/* live: brk cannot shrink the heap over a sealed part (the old break comes
 * back); growing it adds an unsealed VMA after the sealed one. */
TEST(sealed_heap_refuses_brk_shrink)
{
	vms_mm *mm = new_mm(sys);
	const uint64_t b0 = 0x555555559000ULL;
	vms_mm_set_brk_start(mm, b0);
	CHECK_EQ(vms_brk(mm, b0 + 8 * PG), (long)(b0 + 8 * PG));
	CHECK_EQ(vms_mseal(mm, b0, 4 * PG, 0), 0);
	CHECK_EQ(vms_brk(mm, b0 + 2 * PG), (long)(b0 + 8 * PG));
	CHECK_EQ(vms_brk(mm, b0 + 6 * PG), (long)(b0 + 6 * PG));
	CHECK_EQ(vms_brk(mm, b0 + 12 * PG), (long)(b0 + 12 * PG));
	CHECK_EQ(vms_brk(mm, b0 + 3 * PG), (long)(b0 + 12 * PG));
	CHECK_EQ(count_vmas(mm), 2);
	CHECK(sealed_at(mm, b0) && !sealed_at(mm, b0 + 4 * PG));
	VALID(mm);
}

/* dup_mmap() copies vm_flags: the child's VMA is sealed too (live: the
 * child's smaps shows "sl", and its munmap and MADV_DONTNEED are EPERM). */
TEST(sealed_vma_stays_sealed_in_the_fork_child)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG, R));
	CHECK_EQ(vms_mseal(mm, A, 4 * PG, 0), 0);
	int err = 0;
	vms_mm *c = vms_fork(mm, &err);
	CHECK(c != NULL);
	CHECK(sealed_at(c, A));
	CHECK_EQ(vms_munmap(c, A, PG), -VMS_EPERM);
	CHECK_EQ(vms_madvise(c, A, PG, VMS_MADV_DONTNEED), -VMS_EPERM);
	VALID(c);
	vms_mm_free(c);
}

/* mm/madvise.c can_madvise_modify(): a sealed VMA refuses discarding advice
 * unless it is not anonymous or writable, checked before the advice's own
 * rules: private /dev/zero is anonymous (vma_is_anonymous), so a sealed,
 * read-only, mlocked one is EPERM for MADV_DONTNEED, not the EINVAL of
 * locked memory (live: kdiff commit seed 343023380293633). */
TEST(madvise_discard_of_sealed_private_dev_zero_is_eperm_before_locked_einval)
{
	vms_mm *mm = vms_mm_new(sys, NULL);
	struct vms_inode_info zi = {.path = "/dev/zero", .dev_major = 0, .dev_minor = 6, .ino = 4,
				    .flags = VMS_INODE_DEVZERO};
	vms_inode *ino = vms_inode_get(sys, &zi);
	vms_file *f = ino ? vms_file_open(ino, VMS_O_RDWR) : NULL;
	CHECK(f != NULL);
	if (!f)
		return;
	long a = vms_mmap(mm, 0x400000000000ULL, 0x31000, VMS_PROT_EXEC, VMS_MAP_PRIVATE, f, 0);
	CHECK_EQ(a, 0x400000000000L);
	CHECK_EQ(vms_mseal(mm, (uint64_t)a, 0x31000, 0), 0);
	CHECK_EQ(vms_mlock(mm, (uint64_t)a, 0x31000), 0);
	CHECK_EQ(vms_madvise(mm, (uint64_t)a + 0x2e000, 0x2000, VMS_MADV_DONTNEED), -VMS_EPERM);
	vms_file_close(f);
	vms_mm_free(mm);
}
