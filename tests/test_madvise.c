/* test_madvise.c: one test per madvise rule (mm/madvise.c, 6.18), with the
 * live kernel's observations (docs/kernel/mprotect_mremap_madvise.md §3). */
#include "t.h"

#define PG 4096ULL
#define A 0x200000000ULL
#define RW (VMS_PROT_READ | VMS_PROT_WRITE)
#define HUGE (2ULL << 20)
#define VVAR_LINE                                                                            \
	"7ffff7fc1000-7ffff7fc5000 r--p 00000000 00:00 0                          [vvar]\n"

static vms_mm *new_mm(vms_sys *sys)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE,
				    .caps = VMS_CAP_SYS_ADMIN | VMS_CAP_IPC_LOCK};
	return vms_mm_new(sys, &cfg);
}

/* A fixed mapping at a, which must land there. */
static int map_at(vms_mm *mm, uint64_t a, uint64_t len, int prot, int flags, vms_file *f)
{
	return vms_mmap(mm, a, len, prot, flags | VMS_MAP_FIXED, f, 0) == (long)a;
}

static int anon_at(vms_mm *mm, uint64_t a, uint64_t len, int prot)
{
	return map_at(mm, a, len, prot, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL);
}

static vms_file *file_of(vms_sys *sys, uint64_t size, int oflags)
{
	struct vms_inode_info info = {.dev_major = 8, .dev_minor = 1, .ino = 42, .size = size,
				      .path = "/tmp/f"};
	vms_inode *ino = vms_inode_get(sys, &info);
	return ino ? vms_file_open(ino, oflags) : NULL;
}

static const vms_vma *vma_at(vms_mm *mm, uint64_t addr)
{
	const vms_vma *v = vms_find_vma(mm, addr);
	struct vms_vma_info i;
	if (!v)
		return NULL;
	vms_vma_get_info(v, &i);
	return i.start <= addr ? v : NULL;
}

static uint64_t flags_at(vms_mm *mm, uint64_t addr)
{
	const vms_vma *v = vma_at(mm, addr);
	struct vms_vma_info i = {0};
	if (v)
		vms_vma_get_info(v, &i);
	return i.vm_flags;
}

static uint64_t end_of(vms_mm *mm, uint64_t addr)
{
	struct vms_vma_info i = {0};
	vms_vma_get_info(vma_at(mm, addr), &i);
	return i.end;
}

static int count_vmas(vms_mm *mm)
{
	int n = 0;
	for (const vms_vma *v = vms_vma_first(mm); v; v = vms_vma_next(mm, v))
		n++;
	return n;
}

static uint64_t rss_anon(vms_mm *mm)
{
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	return c.rss_anon;
}

static uint64_t rss_file(vms_mm *mm)
{
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	return c.rss_file;
}

static uint64_t rss_shmem(vms_mm *mm)
{
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	return c.rss_shmem;
}

static void touch(vms_mm *mm, uint64_t a, uint64_t pages)
{
	for (uint64_t i = 0; i < pages; i++)
		vms_fault(mm, a + i * PG, 1);
}

#define VM_MAYBE_GUARD_ 0x800ULL
#define VM_LOCKED_ 0x2000ULL
#define VM_SEQ_READ_ 0x8000ULL
#define VM_RAND_READ_ 0x10000ULL
#define VM_DONTCOPY_ 0x20000ULL
#define VM_WIPEONFORK_ 0x2000000ULL
#define VM_DONTDUMP_ 0x4000000ULL
#define VM_HUGEPAGE_ 0x20000000ULL
#define VM_NOHUGEPAGE_ 0x40000000ULL
#define VM_MERGEABLE_ 0x80000000ULL

/* ---- §3.1 valid advice ---- */

TEST(madvise_valid_advice_with_len_zero_is_zero)
{
	vms_mm *mm = new_mm(sys);
	static const int ok[] = {0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
				 18, 19, 20, 21, 22, 23, 24, 25, 102, 103};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		CHECK_EQ(vms_madvise(mm, A, 0, ok[i]), 0);
}

TEST(madvise_invalid_advice_is_einval_first)
{
	vms_mm *mm = new_mm(sys);
	/* HWPOISON/SOFT_OFFLINE: no CONFIG_MEMORY_FAILURE on this kernel (live). */
	static const int bad[] = {5, 6, 7, 26, 99, 100, 101, 104, -1};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(vms_madvise(mm, A, 0, bad[i]), -VMS_EINVAL);
		CHECK_EQ(vms_madvise(mm, A + 1, 0, bad[i]), -VMS_EINVAL);
	}
}

/* ---- §3.2 range checks ---- */

TEST(madvise_unaligned_start_is_einval_even_with_len_zero)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_madvise(mm, A + 1, 0, VMS_MADV_NORMAL), -VMS_EINVAL);
}

TEST(madvise_len_rounding_to_zero_is_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_madvise(mm, A, (uint64_t)-1, VMS_MADV_NORMAL), -VMS_EINVAL);
	CHECK_EQ(vms_madvise(mm, A, (uint64_t)-4095, VMS_MADV_NORMAL), -VMS_EINVAL);
}

TEST(madvise_wrapping_range_is_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_madvise(mm, A, (uint64_t)-4096, VMS_MADV_NORMAL), -VMS_EINVAL);
}

TEST(madvise_len_zero_is_zero_even_unmapped)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_madvise(mm, A, 0, VMS_MADV_DONTNEED), 0);
}

TEST(madvise_unmapped_range_is_enomem)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_NORMAL), -VMS_ENOMEM);
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_DONTNEED), -VMS_ENOMEM);
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_POPULATE_READ), -VMS_ENOMEM);
	/* No TASK_SIZE check (live). */
	CHECK_EQ(vms_madvise(mm, 0x7ffffffff000ULL, 2 * PG, VMS_MADV_NORMAL), -VMS_ENOMEM);
}

/* ---- §3.3 walk ---- */

TEST(madvise_hole_is_skipped_and_reported_after_applying)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2 * PG, RW));
	CHECK(anon_at(mm, A + 3 * PG, 2 * PG, RW));
	/* live: DONTFORK over A, hole, B -> ENOMEM, both get dc. */
	CHECK_EQ(vms_madvise(mm, A, 6 * PG, VMS_MADV_DONTFORK), -VMS_ENOMEM);
	CHECK(flags_at(mm, A) & VM_DONTCOPY_);
	CHECK(flags_at(mm, A + 3 * PG) & VM_DONTCOPY_);
	CHECK_EQ(end_of(mm, A + 3 * PG), A + 5 * PG);
	VALID(mm);
}

TEST(madvise_start_in_hole_changes_the_next_vma)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2 * PG, RW));
	CHECK(anon_at(mm, A + 3 * PG, 2 * PG, RW));
	CHECK_EQ(vms_madvise(mm, A, 6 * PG, VMS_MADV_DONTFORK), -VMS_ENOMEM);
	/* live: DOFORK over [hole, first page of B) splits B. */
	CHECK_EQ(vms_madvise(mm, A + 2 * PG, 2 * PG, VMS_MADV_DOFORK), -VMS_ENOMEM);
	CHECK(!(flags_at(mm, A + 3 * PG) & VM_DONTCOPY_));
	CHECK_EQ(end_of(mm, A + 3 * PG), A + 4 * PG);
	CHECK(flags_at(mm, A + 4 * PG) & VM_DONTCOPY_);
	VALID(mm);
}

TEST(madvise_trailing_hole_is_enomem_for_every_walked_advice)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2 * PG, RW));
	static const int adv[] = {VMS_MADV_DONTNEED, VMS_MADV_WILLNEED, VMS_MADV_COLD,
				  VMS_MADV_FREE, VMS_MADV_GUARD_INSTALL, VMS_MADV_GUARD_REMOVE,
				  VMS_MADV_POPULATE_WRITE};
	for (size_t i = 0; i < sizeof(adv) / sizeof(adv[0]); i++)
		CHECK_EQ(vms_madvise(mm, A, 4 * PG, adv[i]), -VMS_ENOMEM);
	VALID(mm);
}

TEST(madvise_error_in_a_vma_stops_with_earlier_vmas_changed)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2 * PG, RW));
	CHECK(map_at(mm, A + 2 * PG, 2 * PG, RW, VMS_MAP_SHARED | VMS_MAP_ANONYMOUS, NULL));
	CHECK(anon_at(mm, A + 4 * PG, 2 * PG, RW));
	/* live: private anon got wf, shared -> EINVAL, third untouched. */
	CHECK_EQ(vms_madvise(mm, A, 6 * PG, VMS_MADV_WIPEONFORK), -VMS_EINVAL);
	CHECK(flags_at(mm, A) & VM_WIPEONFORK_);
	CHECK(!(flags_at(mm, A + 2 * PG) & VM_WIPEONFORK_));
	CHECK(!(flags_at(mm, A + 4 * PG) & VM_WIPEONFORK_));
	VALID(mm);
}

TEST(madvise_error_before_a_hole_wins_over_enomem)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 2 * PG, RW, VMS_MAP_SHARED | VMS_MAP_ANONYMOUS, NULL));
	CHECK_EQ(vms_madvise(mm, A, 4 * PG, VMS_MADV_WIPEONFORK), -VMS_EINVAL);
	CHECK(anon_at(mm, A + 3 * PG, PG, RW));
	CHECK_EQ(vms_madvise(mm, A + 2 * PG, 3 * PG, VMS_MADV_FREE), -VMS_ENOMEM);
	CHECK_EQ(vms_madvise(mm, A, 4 * PG, VMS_MADV_FREE), -VMS_EINVAL);
}

/* ---- §3.5 flag advice ---- */

TEST(madvise_sequential_random_normal_set_read_hints)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG, RW));
	CHECK_EQ(vms_madvise(mm, A, 4 * PG, VMS_MADV_SEQUENTIAL), 0);
	CHECK_EQ(flags_at(mm, A) & (VM_SEQ_READ_ | VM_RAND_READ_), VM_SEQ_READ_);
	CHECK_EQ(vms_madvise(mm, A, 4 * PG, VMS_MADV_RANDOM), 0);
	CHECK_EQ(flags_at(mm, A) & (VM_SEQ_READ_ | VM_RAND_READ_), VM_RAND_READ_);
	CHECK_EQ(vms_madvise(mm, A, 4 * PG, VMS_MADV_NORMAL), 0);
	CHECK_EQ(flags_at(mm, A) & (VM_SEQ_READ_ | VM_RAND_READ_), 0);
	CHECK_EQ(count_vmas(mm), 1);
	VALID(mm);
}

TEST(madvise_flag_change_splits_middle_and_merges_back)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG, RW));
	CHECK_EQ(vms_madvise(mm, A + PG, PG, VMS_MADV_DONTDUMP), 0);
	CHECK_EQ(count_vmas(mm), 3);
	CHECK(flags_at(mm, A + PG) & VM_DONTDUMP_);
	CHECK(!(flags_at(mm, A) & VM_DONTDUMP_));
	CHECK_EQ(vms_madvise(mm, A + PG, PG, VMS_MADV_DODUMP), 0);
	CHECK_EQ(count_vmas(mm), 1);
	VALID(mm);
}

TEST(madvise_no_flag_change_does_not_split)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG, RW));
	CHECK_EQ(vms_madvise(mm, A + PG, PG, VMS_MADV_NORMAL), 0);
	CHECK_EQ(vms_madvise(mm, A + PG, PG, VMS_MADV_DOFORK), 0);
	CHECK_EQ(count_vmas(mm), 1);
}

TEST(madvise_split_at_map_count_limit_is_eagain)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG, RW));
	CHECK_EQ(vms_sysctl_set(sys, "vm.max_map_count", 1), 0);
	/* live: k <= 0 -> EAGAIN, nothing changed. */
	CHECK_EQ(vms_madvise(mm, A + PG, PG, VMS_MADV_DONTFORK), -VMS_EAGAIN);
	CHECK_EQ(count_vmas(mm), 1);
	CHECK(!(flags_at(mm, A) & VM_DONTCOPY_));
	/* A whole-VMA change needs no split. */
	CHECK_EQ(vms_madvise(mm, A, 4 * PG, VMS_MADV_DONTFORK), 0);
	VALID(mm);
}

TEST(madvise_second_split_failing_leaves_the_first)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG, RW));
	CHECK_EQ(vms_sysctl_set(sys, "vm.max_map_count", 2), 0);
	/* live: k = 1 -> EAGAIN with one split left behind, flags unchanged. */
	CHECK_EQ(vms_madvise(mm, A + PG, PG, VMS_MADV_DONTFORK), -VMS_EAGAIN);
	CHECK_EQ(count_vmas(mm), 2);
	CHECK(!(flags_at(mm, A + PG) & VM_DONTCOPY_));
	VALID(mm);
}

TEST(madvise_dofork_on_vm_io_is_einval)
{
	vms_mm *mm = new_mm(sys);
	const char *maps = VVAR_LINE;
	int bad = 0;
	CHECK_EQ(vms_mm_import_maps(mm, maps, 0, &bad), 0);
	CHECK_EQ(vms_madvise(mm, 0x7ffff7fc1000ULL, 4 * PG, VMS_MADV_DOFORK), -VMS_EINVAL);
	/* DONTFORK has no such check. */
	CHECK_EQ(vms_madvise(mm, 0x7ffff7fc1000ULL, 4 * PG, VMS_MADV_DONTFORK), 0);
	CHECK(flags_at(mm, 0x7ffff7fc1000ULL) & VM_DONTCOPY_);
}

TEST(madvise_dodump_on_special_mapping_is_einval)
{
	vms_mm *mm = new_mm(sys);
	const char *maps = VVAR_LINE;
	int bad = 0;
	CHECK_EQ(vms_mm_import_maps(mm, maps, 0, &bad), 0);
	CHECK_EQ(vms_madvise(mm, 0x7ffff7fc1000ULL, 4 * PG, VMS_MADV_DODUMP), -VMS_EINVAL);
	CHECK(anon_at(mm, A, PG, RW));
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_DONTDUMP), 0);
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_DODUMP), 0);
	CHECK(!(flags_at(mm, A) & VM_DONTDUMP_));
}

TEST(madvise_wipeonfork_only_on_private_anonymous)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = file_of(sys, 4 * PG, VMS_O_RDWR);
	CHECK(f);
	CHECK(map_at(mm, A, PG, RW, VMS_MAP_SHARED | VMS_MAP_ANONYMOUS, NULL));
	CHECK(map_at(mm, A + 2 * PG, PG, RW, VMS_MAP_PRIVATE, f));
	CHECK(anon_at(mm, A + 4 * PG, PG, RW));
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_WIPEONFORK), -VMS_EINVAL);
	CHECK_EQ(vms_madvise(mm, A + 2 * PG, PG, VMS_MADV_WIPEONFORK), -VMS_EINVAL);
	CHECK_EQ(vms_madvise(mm, A + 4 * PG, PG, VMS_MADV_WIPEONFORK), 0);
	CHECK(flags_at(mm, A + 4 * PG) & VM_WIPEONFORK_);
	vms_file_close(f);
}

TEST(madvise_keeponfork_succeeds_on_any_vma)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, PG, RW, VMS_MAP_SHARED | VMS_MAP_ANONYMOUS, NULL));
	CHECK(anon_at(mm, A + 2 * PG, PG, RW));
	CHECK_EQ(vms_madvise(mm, A + 2 * PG, PG, VMS_MADV_WIPEONFORK), 0);
	CHECK_EQ(vms_madvise(mm, A, 3 * PG, VMS_MADV_KEEPONFORK), -VMS_ENOMEM);
	CHECK(!(flags_at(mm, A + 2 * PG) & VM_WIPEONFORK_));
}

TEST(madvise_mergeable_sets_mg_on_private_memory_only)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = file_of(sys, 4 * PG, VMS_O_RDWR);
	CHECK(f);
	CHECK(anon_at(mm, A, PG, RW));
	CHECK(map_at(mm, A + 2 * PG, PG, RW, VMS_MAP_SHARED | VMS_MAP_ANONYMOUS, NULL));
	CHECK(map_at(mm, A + 4 * PG, PG, RW, VMS_MAP_PRIVATE, f));
	CHECK_EQ(vms_madvise(mm, A, 5 * PG, VMS_MADV_MERGEABLE), -VMS_ENOMEM);
	CHECK(flags_at(mm, A) & VM_MERGEABLE_);
	/* live: shared anonymous -> 0 and no mg; private file gets mg. */
	CHECK(!(flags_at(mm, A + 2 * PG) & VM_MERGEABLE_));
	CHECK(flags_at(mm, A + 4 * PG) & VM_MERGEABLE_);
	CHECK_EQ(vms_madvise(mm, A, 5 * PG, VMS_MADV_UNMERGEABLE), -VMS_ENOMEM);
	CHECK(!(flags_at(mm, A) & VM_MERGEABLE_));
	CHECK(!(flags_at(mm, A + 4 * PG) & VM_MERGEABLE_));
	vms_file_close(f);
}

TEST(madvise_hugepage_and_nohugepage_exclude_each_other)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, PG, RW, VMS_MAP_SHARED | VMS_MAP_ANONYMOUS, NULL));
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_HUGEPAGE), 0);
	CHECK_EQ(flags_at(mm, A) & (VM_HUGEPAGE_ | VM_NOHUGEPAGE_), VM_HUGEPAGE_);
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_NOHUGEPAGE), 0);
	CHECK_EQ(flags_at(mm, A) & (VM_HUGEPAGE_ | VM_NOHUGEPAGE_), VM_NOHUGEPAGE_);
}

/* ---- §3.5 page advice ---- */

TEST(madvise_dontneed_drops_resident_pages)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 8 * PG, RW));
	touch(mm, A, 8);
	CHECK_EQ(rss_anon(mm), 8);
	CHECK_EQ(vms_madvise(mm, A + 2 * PG, 4 * PG, VMS_MADV_DONTNEED), 0);
	CHECK_EQ(rss_anon(mm), 4);
	CHECK_EQ(count_vmas(mm), 1);
	VALID(mm);
}

TEST(madvise_dontneed_on_locked_is_einval_but_dontneed_locked_works)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 4 * PG, RW, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_LOCKED,
		     NULL));
	CHECK_EQ(rss_anon(mm), 4);
	CHECK_EQ(vms_madvise(mm, A, 4 * PG, VMS_MADV_DONTNEED), -VMS_EINVAL);
	CHECK_EQ(vms_madvise(mm, A, 4 * PG, VMS_MADV_FREE), -VMS_EINVAL);
	CHECK_EQ(vms_madvise(mm, A, 4 * PG, VMS_MADV_DONTNEED_LOCKED), 0);
	CHECK_EQ(rss_anon(mm), 0);
	CHECK(flags_at(mm, A) & VM_LOCKED_);
	VALID(mm);
}

TEST(madvise_dontneed_on_shmem_drops_shmem_rss)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 8 * PG, RW, VMS_MAP_SHARED | VMS_MAP_ANONYMOUS, NULL));
	touch(mm, A, 8);
	CHECK_EQ(rss_shmem(mm), 8);
	CHECK_EQ(vms_madvise(mm, A, 2 * PG, VMS_MADV_DONTNEED), 0);
	CHECK_EQ(rss_shmem(mm), 6);
}

TEST(madvise_free_keeps_pages_resident)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 8 * PG, RW));
	touch(mm, A, 8);
	/* live: RssAnon unchanged after MADV_FREE (lazy free until reclaim). */
	CHECK_EQ(vms_madvise(mm, A, 8 * PG, VMS_MADV_FREE), 0);
	CHECK_EQ(rss_anon(mm), 8);
}

TEST(madvise_free_only_on_anonymous_memory)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = file_of(sys, 4 * PG, VMS_O_RDWR);
	CHECK(f);
	CHECK(map_at(mm, A, PG, RW, VMS_MAP_SHARED | VMS_MAP_ANONYMOUS, NULL));
	CHECK(map_at(mm, A + 2 * PG, PG, RW, VMS_MAP_PRIVATE, f));
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_FREE), -VMS_EINVAL);
	CHECK_EQ(vms_madvise(mm, A + 2 * PG, PG, VMS_MADV_FREE), -VMS_EINVAL);
	vms_file_close(f);
}

TEST(madvise_remove_rules)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = file_of(sys, 4 * PG, VMS_O_RDWR);
	CHECK(f);
	CHECK(anon_at(mm, A, PG, RW));
	CHECK(map_at(mm, A + 2 * PG, PG, RW, VMS_MAP_PRIVATE, f));
	CHECK(map_at(mm, A + 4 * PG, PG, VMS_PROT_READ, VMS_MAP_SHARED | VMS_MAP_ANONYMOUS, NULL));
	/* live: private anon EINVAL, private file EACCES, RO shared anon 0. */
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_REMOVE), -VMS_EINVAL);
	CHECK_EQ(vms_madvise(mm, A + 2 * PG, PG, VMS_MADV_REMOVE), -VMS_EACCES);
	CHECK_EQ(vms_madvise(mm, A + 4 * PG, PG, VMS_MADV_REMOVE), 0);
	vms_file_close(f);
}

TEST(madvise_remove_on_shared_read_only_file_is_eacces)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = file_of(sys, 4 * PG, VMS_O_RDONLY);
	CHECK(f);
	CHECK(map_at(mm, A, PG, VMS_PROT_READ, VMS_MAP_SHARED, f));
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_REMOVE), -VMS_EACCES);
	vms_file_close(f);
}

TEST(madvise_remove_past_the_file_size_limit_is_efbig)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = file_of(sys, 4 * PG, VMS_O_RDWR);
	CHECK(f);
	/* kdiff (live, ext4): a hole punched at offset 2^62 -> EFBIG. */
	CHECK_EQ(vms_mmap(mm, A, PG, VMS_PROT_READ, VMS_MAP_SHARED | VMS_MAP_FIXED, f,
			  0x3fffffffffffe000ULL), (long)A);
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_REMOVE), -27 /* EFBIG */);
	vms_file_close(f);
}

TEST(madvise_remove_on_locked_is_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, PG, RW, VMS_MAP_SHARED | VMS_MAP_ANONYMOUS | VMS_MAP_LOCKED, NULL));
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_REMOVE), -VMS_EINVAL);
}

TEST(madvise_remove_unmaps_file_pages_in_every_mapping)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = file_of(sys, 10 * PG, VMS_O_RDWR);
	CHECK(f);
	CHECK(map_at(mm, A, 10 * PG, RW, VMS_MAP_SHARED, f));
	CHECK(map_at(mm, A + 16 * PG, 10 * PG, RW, VMS_MAP_PRIVATE, f));
	touch(mm, A, 10);
	for (uint64_t i = 0; i < 10; i++)
		vms_fault(mm, A + 16 * PG + i * PG, i < 2); /* 2 COW copies, 8 file pages */
	CHECK_EQ(rss_file(mm), 18);
	CHECK_EQ(rss_anon(mm), 2);
	CHECK_EQ(vms_madvise(mm, A, 4 * PG, VMS_MADV_REMOVE), 0);
	/* live: the shared mapping lost the 4 pages; the private one keeps its
	 * COW copies (unmap_mapping_range without even_cows) and loses 2 file pages. */
	CHECK_EQ(rss_file(mm), 18 - 4 - 2);
	CHECK_EQ(rss_anon(mm), 2);
	vms_file_close(f);
	VALID(mm);
}

TEST(madvise_cold_and_pageout_on_locked_are_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, PG, RW, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_LOCKED, NULL));
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_COLD), -VMS_EINVAL);
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_PAGEOUT), -VMS_EINVAL);
}

TEST(madvise_pageout_without_swap_keeps_anon_and_drops_file_and_shmem)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = file_of(sys, 10 * PG, VMS_O_RDWR);
	CHECK(f);
	CHECK(anon_at(mm, A, 4 * PG, RW));
	CHECK(map_at(mm, A + 8 * PG, 4 * PG, RW, VMS_MAP_SHARED | VMS_MAP_ANONYMOUS, NULL));
	CHECK(map_at(mm, A + 16 * PG, 10 * PG, RW, VMS_MAP_PRIVATE, f));
	touch(mm, A, 4);
	touch(mm, A + 8 * PG, 4);
	for (uint64_t i = 0; i < 10; i++)
		vms_fault(mm, A + 16 * PG + i * PG, i < 4);
	CHECK_EQ(vms_madvise(mm, A, 26 * PG, VMS_MADV_PAGEOUT), -VMS_ENOMEM);
	/* live: anon stays (no swap), shmem and page cache are unmapped, the
	 * private file mapping's COW copies stay. */
	CHECK_EQ(rss_anon(mm), 8);
	CHECK_EQ(rss_shmem(mm), 0);
	CHECK_EQ(rss_file(mm), 0);
	vms_file_close(f);
}

TEST(madvise_cold_and_willneed_change_nothing)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG, RW));
	touch(mm, A, 4);
	struct t_snap a, b;
	t_snap_take(sys, mm, &a);
	CHECK_EQ(vms_madvise(mm, A, 4 * PG, VMS_MADV_COLD), 0);
	CHECK_EQ(vms_madvise(mm, A, 4 * PG, VMS_MADV_WILLNEED), 0);
	t_snap_take(sys, mm, &b);
	CHECK(t_snap_equal(&a, &b));
}

/* ---- §3.4 populate ---- */

TEST(madvise_populate_needs_the_access)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, PG, VMS_PROT_NONE));
	CHECK(anon_at(mm, A + 2 * PG, PG, VMS_PROT_READ));
	CHECK(anon_at(mm, A + 4 * PG, PG, VMS_PROT_WRITE));
	CHECK(anon_at(mm, A + 6 * PG, PG, VMS_PROT_EXEC));
	/* live: PROT_NONE, R + WRITE, W-only + READ, X-only + READ -> EINVAL. */
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_POPULATE_READ), -VMS_EINVAL);
	CHECK_EQ(vms_madvise(mm, A + 2 * PG, PG, VMS_MADV_POPULATE_WRITE), -VMS_EINVAL);
	CHECK_EQ(vms_madvise(mm, A + 4 * PG, PG, VMS_MADV_POPULATE_READ), -VMS_EINVAL);
	CHECK_EQ(vms_madvise(mm, A + 6 * PG, PG, VMS_MADV_POPULATE_READ), -VMS_EINVAL);
	CHECK_EQ(vms_madvise(mm, A + 4 * PG, PG, VMS_MADV_POPULATE_WRITE), 0);
	CHECK_EQ(rss_anon(mm), 1);
}

TEST(madvise_populate_write_faults_pages_in)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 8 * PG, RW));
	CHECK_EQ(vms_madvise(mm, A, 8 * PG, VMS_MADV_POPULATE_WRITE), 0);
	CHECK_EQ(rss_anon(mm), 8);
	struct vms_vma_info i;
	vms_vma_get_info(vma_at(mm, A), &i);
	CHECK(i.anon_vma != 0);
	VALID(mm);
}

TEST(madvise_populate_read_of_anonymous_memory_maps_the_zero_page)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 8 * PG, RW));
	CHECK_EQ(vms_madvise(mm, A, 8 * PG, VMS_MADV_POPULATE_READ), 0);
	CHECK_EQ(rss_anon(mm), 0);
}

TEST(madvise_populate_stops_at_a_hole_with_enomem)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG, RW));
	CHECK(anon_at(mm, A + 5 * PG, 4 * PG, RW));
	/* live: the part before the hole is populated. */
	CHECK_EQ(vms_madvise(mm, A, 9 * PG, VMS_MADV_POPULATE_WRITE), -VMS_ENOMEM);
	CHECK_EQ(rss_anon(mm), 4);
	CHECK_EQ(vms_madvise(mm, A + 4 * PG, 2 * PG, VMS_MADV_POPULATE_WRITE), -VMS_ENOMEM);
	CHECK_EQ(rss_anon(mm), 4);
}

TEST(madvise_populate_past_end_of_file_is_efault)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = file_of(sys, 10 * PG, VMS_O_RDWR);
	CHECK(f);
	CHECK(map_at(mm, A, 16 * PG, RW, VMS_MAP_PRIVATE, f));
	/* live: EFAULT with the 10 pages inside the file populated. */
	CHECK_EQ(vms_madvise(mm, A, 16 * PG, VMS_MADV_POPULATE_READ), -VMS_EFAULT);
	CHECK_EQ(rss_file(mm), 10);
	CHECK_EQ(vms_madvise(mm, A, 4 * PG, VMS_MADV_POPULATE_WRITE), 0);
	CHECK_EQ(rss_anon(mm), 4);
	CHECK_EQ(rss_file(mm), 6);
	CHECK_EQ(vms_madvise(mm, A + 12 * PG, PG, VMS_MADV_POPULATE_READ), -VMS_EFAULT);
	vms_file_close(f);
}

TEST(madvise_populate_changes_no_flags)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG, RW));
	uint64_t before = flags_at(mm, A);
	CHECK_EQ(vms_madvise(mm, A + PG, PG, VMS_MADV_POPULATE_WRITE), 0);
	CHECK_EQ(flags_at(mm, A), before);
	CHECK_EQ(count_vmas(mm), 1);
}

/* ---- collapse ---- */

TEST(madvise_collapse_needs_a_whole_pmd_in_the_vma)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 6 * PG, RW));
	touch(mm, A, 6);
	/* live: a 6-page range over small VMAs -> EINVAL. */
	CHECK_EQ(vms_madvise(mm, A, 6 * PG, VMS_MADV_COLLAPSE), -VMS_EINVAL);
}

TEST(madvise_collapse_fills_a_written_block_and_fails_an_empty_one)
{
	vms_mm *mm = new_mm(sys);
	uint64_t H = 0x400000000ULL;
	CHECK(anon_at(mm, H, 2 * HUGE, RW));
	/* live: an empty block fails, a block with written pages becomes a THP. */
	CHECK_EQ(vms_madvise(mm, H, 2 * HUGE, VMS_MADV_COLLAPSE), -VMS_EINVAL);
	CHECK_EQ(rss_anon(mm), 0);
	touch(mm, H, 3);
	CHECK_EQ(vms_madvise(mm, H, 2 * HUGE, VMS_MADV_COLLAPSE), -VMS_EINVAL);
	CHECK_EQ(rss_anon(mm), 512);
	/* A range holding no whole block does nothing and succeeds. */
	CHECK_EQ(vms_madvise(mm, H + PG, HUGE, VMS_MADV_COLLAPSE), 0);
	CHECK_EQ(vms_madvise(mm, H + HUGE, PG, VMS_MADV_COLLAPSE), 0);
	CHECK_EQ(rss_anon(mm), 512);
	CHECK_EQ(vms_madvise(mm, H, HUGE, VMS_MADV_COLLAPSE), 0);
	VALID(mm);
}

TEST(madvise_collapse_inside_one_block_is_einval_across_a_boundary_is_zero)
{
	vms_mm *mm = new_mm(sys);
	uint64_t H = 0x400000000ULL;
	CHECK(anon_at(mm, H, 4 * HUGE, VMS_PROT_WRITE | VMS_PROT_EXEC));
	/* live (/tmp/lc/d.c): inside one 2 MiB block -> EINVAL, written or not;
	 * across a block boundary with no whole block inside -> 0. */
	CHECK_EQ(vms_madvise(mm, H + 3 * HUGE + PG, 8 * PG, VMS_MADV_COLLAPSE), -VMS_EINVAL);
	touch(mm, H, 1);
	CHECK_EQ(vms_madvise(mm, H + PG, 8 * PG, VMS_MADV_COLLAPSE), -VMS_EINVAL);
	CHECK_EQ(vms_madvise(mm, H + HUGE - 3 * PG, 6 * PG, VMS_MADV_COLLAPSE), 0);
}

TEST(madvise_collapse_on_shmem_needs_a_whole_block)
{
	vms_mm *mm = new_mm(sys);
	uint64_t H = 0x400000000ULL;
	CHECK(map_at(mm, H, 2 * HUGE, RW, VMS_MAP_SHARED | VMS_MAP_ANONYMOUS, NULL));
	/* live: no whole block -> EINVAL, touched or not; a block with a
	 * resident page collapses. */
	CHECK_EQ(vms_madvise(mm, H + PG, 8 * PG, VMS_MADV_COLLAPSE), -VMS_EINVAL);
	CHECK_EQ(vms_madvise(mm, H, HUGE, VMS_MADV_COLLAPSE), -VMS_EINVAL);
	touch(mm, H, 1);
	CHECK_EQ(vms_madvise(mm, H + PG, 8 * PG, VMS_MADV_COLLAPSE), -VMS_EINVAL);
	CHECK_EQ(vms_madvise(mm, H, HUGE, VMS_MADV_COLLAPSE), 0);
	CHECK_EQ(rss_shmem(mm), 512);
}

TEST(madvise_collapse_on_nohugepage_is_einval)
{
	vms_mm *mm = new_mm(sys);
	uint64_t H = 0x400000000ULL;
	CHECK(anon_at(mm, H, 2 * HUGE, RW));
	touch(mm, H, 1);
	CHECK_EQ(vms_madvise(mm, H, 2 * HUGE, VMS_MADV_NOHUGEPAGE), 0);
	CHECK_EQ(vms_madvise(mm, H, HUGE, VMS_MADV_COLLAPSE), -VMS_EINVAL);
	CHECK_EQ(rss_anon(mm), 1);
}

/* ---- guard regions (§3.6) ---- */

TEST(madvise_guard_install_sets_gu_on_the_whole_vma_without_split)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 8 * PG, RW));
	touch(mm, A, 8);
	CHECK_EQ(vms_madvise(mm, A + 2 * PG, PG, VMS_MADV_GUARD_INSTALL), 0);
	CHECK_EQ(count_vmas(mm), 1);
	CHECK(flags_at(mm, A) & VM_MAYBE_GUARD_);
	/* live: the guarded pages are zapped. */
	CHECK_EQ(rss_anon(mm), 7);
	/* live: GUARD_REMOVE does not clear gu. */
	CHECK_EQ(vms_madvise(mm, A + 2 * PG, PG, VMS_MADV_GUARD_REMOVE), 0);
	CHECK(flags_at(mm, A) & VM_MAYBE_GUARD_);
	VALID(mm);
}

TEST(madvise_guard_install_prepares_the_anon_vma)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 2 * PG, RW));
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_GUARD_INSTALL), 0);
	struct vms_vma_info i;
	vms_vma_get_info(vma_at(mm, A), &i);
	CHECK(i.anon_vma != 0);
}

TEST(madvise_guard_install_on_locked_is_einval_remove_is_not)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, PG, RW, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_LOCKED, NULL));
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_GUARD_INSTALL), -VMS_EINVAL);
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_GUARD_REMOVE), 0);
}

TEST(madvise_guard_on_special_mapping_is_einval)
{
	vms_mm *mm = new_mm(sys);
	const char *maps = VVAR_LINE;
	int bad = 0;
	CHECK_EQ(vms_mm_import_maps(mm, maps, 0, &bad), 0);
	CHECK_EQ(vms_madvise(mm, 0x7ffff7fc1000ULL, PG, VMS_MADV_GUARD_INSTALL), -VMS_EINVAL);
	CHECK_EQ(vms_madvise(mm, 0x7ffff7fc1000ULL, PG, VMS_MADV_GUARD_REMOVE), -VMS_EINVAL);
}

TEST(madvise_guard_works_on_shmem)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 2 * PG, RW, VMS_MAP_SHARED | VMS_MAP_ANONYMOUS, NULL));
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_GUARD_INSTALL), 0);
	CHECK(flags_at(mm, A) & VM_MAYBE_GUARD_);
}

/* ---- hugetlb ---- */

TEST(madvise_dontneed_on_hugetlb_needs_an_aligned_start)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_sys_set_hugetlb_pool(sys, HUGE, 4), 0);
	uint64_t H = 0x400000000ULL;
	CHECK(map_at(mm, H, 2 * HUGE, RW,
		     VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_HUGETLB, NULL));
	CHECK_EQ(vms_madvise(mm, H + PG, PG, VMS_MADV_DONTNEED), -VMS_EINVAL);
	CHECK_EQ(vms_madvise(mm, H, PG, VMS_MADV_DONTNEED), 0);
	CHECK_EQ(vms_madvise(mm, H, HUGE, VMS_MADV_FREE), -VMS_EINVAL);
	CHECK_EQ(vms_madvise(mm, H, HUGE, VMS_MADV_COLD), -VMS_EINVAL);
	CHECK_EQ(vms_madvise(mm, H, HUGE, VMS_MADV_GUARD_INSTALL), -VMS_EINVAL);
	CHECK_EQ(vms_madvise(mm, H, HUGE, VMS_MADV_DODUMP), 0);
}

/* ---- allocation failure ---- */

TEST(madvise_alloc_failure_changes_nothing)
{
	static const int adv[] = {VMS_MADV_DONTFORK, VMS_MADV_DONTNEED, VMS_MADV_POPULATE_WRITE,
				  VMS_MADV_GUARD_INSTALL};
	for (size_t k = 0; k < sizeof(adv) / sizeof(adv[0]); k++) {
		vms_mm *mm = new_mm(sys);
		CHECK(anon_at(mm, A, 4 * PG, RW));
		CHECK(anon_at(mm, A + 4 * PG, 4 * PG, VMS_PROT_READ));
		touch(mm, A, 2);
		CHECK(vms_madvise(mm, A, 8 * PG, VMS_MADV_SEQUENTIAL) == 0);
		long r = -VMS_ENOMEM;
		for (uint64_t n = 1; n < 100; n++) {
			struct t_snap a, b;
			t_snap_take(sys, mm, &a);
			vms_sys_fail_alloc_after(sys, n);
			r = vms_madvise(mm, A + PG, 2 * PG, adv[k]);
			vms_sys_fail_alloc_after(sys, 0);
			if (r != -VMS_ENOMEM && r != -VMS_EAGAIN)
				break;
			t_snap_take(sys, mm, &b);
			CHECK(t_snap_equal(&a, &b));
			VALID(mm);
		}
		CHECK_EQ(r, 0);
		VALID(mm);
		vms_mm_free(mm);
	}
}
