/* test_mlock.c: one test per mlock/mlock2/munlock/mlockall/munlockall rule
 * (mm/mlock.c). Sequences marked "live" were run on the 6.18 kernel under
 * setarch -R and the observed smaps/status results are encoded here. */
#include "t.h"

#define PG 4096ULL
#define A 0x200000000ULL
#define RW (VMS_PROT_READ | VMS_PROT_WRITE)
#define RO VMS_PROT_READ

#define F_LOCKED 0x2000ULL
#define F_LOCKONFAULT 0x80000ULL

static vms_mm *mm_with(vms_sys *sys, unsigned caps, uint64_t memlock)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE, .caps = caps};
	vms_mm *mm = vms_mm_new(sys, &cfg);
	struct vms_rlimit lim = {memlock, memlock};
	if (mm && memlock != VMS_RLIM_INFINITY)
		vms_prlimit(mm, VMS_RLIMIT_MEMLOCK, &lim, NULL);
	return mm;
}

/* root: CAP_IPC_LOCK, default 8 MiB RLIMIT_MEMLOCK. */
static vms_mm *new_mm(vms_sys *sys)
{
	return mm_with(sys, VMS_CAP_SYS_ADMIN | VMS_CAP_IPC_LOCK, VMS_RLIM_INFINITY);
}

static long map_at(vms_mm *mm, uint64_t addr, uint64_t pages, int prot, int extra)
{
	return vms_mmap(mm, addr, pages * PG, prot,
			VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED | extra, NULL, 0);
}

static int count_vmas(vms_mm *mm)
{
	int n = 0;
	for (const vms_vma *v = vms_vma_first(mm); v; v = vms_vma_next(mm, v))
		n++;
	return n;
}

static uint64_t flags_at(vms_mm *mm, uint64_t addr)
{
	const vms_vma *v = vms_find_vma(mm, addr);
	struct vms_vma_info i;
	if (!v)
		return ~0ULL;
	vms_vma_get_info(v, &i);
	return i.start <= addr ? i.vm_flags : ~0ULL;
}

static int locked_at(vms_mm *mm, uint64_t addr)
{
	uint64_t f = flags_at(mm, addr);
	return f != ~0ULL && (f & F_LOCKED);
}

static struct vms_mm_counters counters(vms_mm *mm)
{
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	return c;
}

/* ---- start and length ---- */

TEST(mlock_unaligned_start_rounds_down_and_covers_the_tail)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 4, RW, 0) > 0);
	/* live: mlock(A+1, PG) locked [A, A+2p), populated it (Rss 8 kB). */
	CHECK_EQ(vms_mlock(mm, A + 1, PG), 0);
	CHECK_EQ(count_vmas(mm), 2);
	CHECK(locked_at(mm, A + PG));
	CHECK(!locked_at(mm, A + 2 * PG));
	CHECK_EQ(counters(mm).locked_vm, 2);
	CHECK_EQ(counters(mm).rss_anon, 2);
	VALID(mm);
}

TEST(mlock_len_wrapping_to_zero_returns_0)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 4, RW, 0) > 0);
	/* live: mlock(A, -1) and munlock(A, -1) -> 0, nothing locked. */
	CHECK_EQ(vms_mlock(mm, A, (uint64_t)-1), 0);
	CHECK_EQ(vms_munlock(mm, A, (uint64_t)-1), 0);
	CHECK_EQ(vms_mlock(mm, A, 0), 0);
	CHECK_EQ(counters(mm).locked_vm, 0);
	/* Nothing needs to be mapped for a zero length. */
	CHECK_EQ(vms_mlock(mm, A + 100 * PG, 0), 0);
}

TEST(mlock_end_wrapping_past_zero_is_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 4, RW, 0) > 0);
	/* live: mlock(A, -4096) -> EINVAL (end < start in apply_vma_lock_flags). */
	CHECK_EQ(vms_mlock(mm, A, (uint64_t)-4096), -VMS_EINVAL);
	CHECK_EQ(vms_munlock(mm, A, (uint64_t)-4096), -VMS_EINVAL);
}

/* ---- permission and RLIMIT_MEMLOCK ---- */

TEST(mlock_without_rlimit_or_cap_is_eperm_even_len_zero)
{
	vms_mm *mm = mm_with(sys, 0, 0);
	CHECK(map_at(mm, A, 4, RW, 0) > 0);
	/* live (uid nobody, RLIMIT_MEMLOCK 0): mlock -> EPERM, mlock(A, 0) ->
	 * EPERM, munlock -> 0, mlockall(MCL_FUTURE) -> EPERM, mlockall(0) -> EINVAL. */
	CHECK_EQ(vms_mlock(mm, A, PG), -VMS_EPERM);
	CHECK_EQ(vms_mlock(mm, A, 0), -VMS_EPERM);
	CHECK_EQ(vms_munlock(mm, A, PG), 0);
	CHECK_EQ(vms_mlockall(mm, VMS_MCL_FUTURE), -VMS_EPERM);
	CHECK_EQ(vms_mlockall(mm, 0), -VMS_EINVAL);
	/* CAP_IPC_LOCK alone is enough. */
	vms_mm *root = mm_with(sys, VMS_CAP_IPC_LOCK, 0);
	CHECK(map_at(root, A, 4, RW, 0) > 0);
	CHECK_EQ(vms_mlock(root, A, 4 * PG), 0);
	CHECK_EQ(counters(root).locked_vm, 4);
}

TEST(mlock_rlimit_counts_already_locked_pages_once)
{
	vms_mm *mm = mm_with(sys, 0, 4 * PG);
	CHECK(map_at(mm, A, 8, RW, 0) > 0);
	/* live, uid nobody, RLIMIT_MEMLOCK 16 kB:
	 * mlock(A, 2p) 0; mlock(A, 4p) 0 (the 2 locked pages are not counted
	 * again); mlock(A+p, 4p) ENOMEM (4 + 4 - 3 > 4); mlock(A+6p, p) ENOMEM;
	 * mlock(A+2p, -1) 0; VmLck stays 16 kB. */
	CHECK_EQ(vms_mlock(mm, A, 2 * PG), 0);
	CHECK_EQ(vms_mlock(mm, A, 4 * PG), 0);
	CHECK_EQ(counters(mm).locked_vm, 4);
	CHECK_EQ(vms_mlock(mm, A + PG, 4 * PG), -VMS_ENOMEM);
	CHECK_EQ(vms_mlock(mm, A + PG, 5 * PG), -VMS_ENOMEM);
	CHECK_EQ(vms_mlock(mm, A + 6 * PG, PG), -VMS_ENOMEM);
	CHECK_EQ(vms_mlock(mm, A + 2 * PG, (uint64_t)-1), 0);
	CHECK_EQ(counters(mm).locked_vm, 4);
	CHECK(!locked_at(mm, A + 4 * PG));
	VALID(mm);
}

/* ---- the VMA walk ---- */

TEST(mlock_hole_is_enomem_with_earlier_vmas_locked)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 2, RO, 0) > 0);
	CHECK(map_at(mm, A + 3 * PG, 2, RO, 0) > 0);
	/* live: mlock(A, 5p) -> ENOMEM; A "lo", B not; VmLck 8 kB. */
	CHECK_EQ(vms_mlock(mm, A, 5 * PG), -VMS_ENOMEM);
	CHECK(locked_at(mm, A));
	CHECK(!locked_at(mm, A + 3 * PG));
	CHECK_EQ(counters(mm).locked_vm, 2);
	/* live: munlock(A, 5p) -> ENOMEM with A unlocked again. */
	CHECK_EQ(vms_munlock(mm, A, 5 * PG), -VMS_ENOMEM);
	CHECK(!locked_at(mm, A));
	CHECK_EQ(counters(mm).locked_vm, 0);
	VALID(mm);
}

TEST(mlock_start_in_hole_is_enomem_nothing_changed)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 2, RO, 0) > 0);
	CHECK(map_at(mm, A + 3 * PG, 2, RO, 0) > 0);
	/* live: mlock(A+2p, 2p) -> ENOMEM, nothing locked. */
	CHECK_EQ(vms_mlock(mm, A + 2 * PG, 2 * PG), -VMS_ENOMEM);
	CHECK(!locked_at(mm, A + 3 * PG));
	CHECK_EQ(counters(mm).locked_vm, 0);
}

TEST(mlock_past_last_vma_is_enomem_after_locking)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 2, RW, 0) > 0);
	CHECK_EQ(vms_mlock(mm, A, 4 * PG), -VMS_ENOMEM);
	CHECK(locked_at(mm, A));
	/* The call failed before the fault-in. */
	CHECK_EQ(counters(mm).rss_anon, 0);
	VALID(mm);
}

TEST(munlock_splits_and_relock_merges)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 4, RW, 0) > 0);
	/* live: mlock(A+1, p) -> [A, A+2p) locked; munlock(A+p, p) ->
	 * [A, A+p) locked, [A+p, A+4p) not, VmLck 4 kB; mlock(A, 4p) -> one
	 * VMA again, VmLck 16 kB, Rss 16 kB. */
	CHECK_EQ(vms_mlock(mm, A + 1, PG), 0);
	CHECK_EQ(vms_munlock(mm, A + PG, PG), 0);
	CHECK_EQ(count_vmas(mm), 2);
	CHECK(locked_at(mm, A));
	CHECK(!locked_at(mm, A + PG));
	CHECK_EQ(counters(mm).locked_vm, 1);
	CHECK_EQ(vms_mlock(mm, A, 4 * PG), 0);
	CHECK_EQ(count_vmas(mm), 1);
	CHECK_EQ(counters(mm).locked_vm, 4);
	CHECK_EQ(counters(mm).rss_anon, 4);
	VALID(mm);
}

TEST(mlock_prot_none_locks_but_fault_in_fails_enomem)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 4, VMS_PROT_NONE, 0) > 0);
	/* live: mlock of PROT_NONE -> ENOMEM (gup's EFAULT), yet the VMA is
	 * "lo" and VmLck is 16 kB. */
	CHECK_EQ(vms_mlock(mm, A, 4 * PG), -VMS_ENOMEM);
	CHECK(locked_at(mm, A));
	CHECK_EQ(counters(mm).locked_vm, 4);
	VALID(mm);
}

TEST(mlock_read_only_anon_maps_zero_page_no_rss)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 4, RO, 0) > 0);
	/* live: Rss 0 after mlock of an untouched read-only anonymous VMA. */
	CHECK_EQ(vms_mlock(mm, A, 4 * PG), 0);
	CHECK_EQ(counters(mm).rss_anon, 0);
	CHECK_EQ(counters(mm).locked_vm, 4);
}

TEST(mlock2_onfault_sets_lf_and_does_not_populate)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 4, RW, 0) > 0);
	/* live: mlock2(A, 2p, ONFAULT) -> "lo lf" on [A, A+2p), VmLck 8 kB;
	 * mlock2(A, 0, 2) -> EINVAL (flags before len). */
	CHECK_EQ(vms_mlock2(mm, A, 2 * PG, VMS_MLOCK_ONFAULT), 0);
	CHECK_EQ(vms_mlock2(mm, A, 0, 2), -VMS_EINVAL);
	CHECK_EQ(flags_at(mm, A) & (F_LOCKED | F_LOCKONFAULT), F_LOCKED | F_LOCKONFAULT);
	CHECK_EQ(counters(mm).locked_vm, 2);
	CHECK_EQ(counters(mm).rss_anon, 0);
	/* live: a plain mlock over it clears "lf", merges, VmLck 16 kB. */
	CHECK_EQ(vms_mlock(mm, A, 4 * PG), 0);
	CHECK_EQ(count_vmas(mm), 1);
	CHECK_EQ(flags_at(mm, A) & F_LOCKONFAULT, 0);
	CHECK_EQ(counters(mm).locked_vm, 4);
	CHECK_EQ(counters(mm).rss_anon, 4);
	/* munlock clears both bits. */
	CHECK_EQ(vms_mlock2(mm, A, PG, VMS_MLOCK_ONFAULT), 0);
	CHECK_EQ(vms_munlock(mm, A, 4 * PG), 0);
	CHECK_EQ(flags_at(mm, A) & (F_LOCKED | F_LOCKONFAULT), 0);
	CHECK_EQ(count_vmas(mm), 1);
	CHECK_EQ(counters(mm).locked_vm, 0);
	VALID(mm);
}

static const char SPECIAL_MAPS[] =
	"7ffff7fc2000-7ffff7fc6000 r--p 00000000 00:00 0                          [vvar]\n"
	"7ffff7fc6000-7ffff7fc8000 r--p 00000000 00:00 0                          [vvar_vclock]\n"
	"7ffff7fc8000-7ffff7fca000 r-xp 00000000 00:00 0                          [vdso]\n";

TEST(mlock_skips_special_mappings_silently)
{
	vms_mm *mm = new_mm(sys);
	int line;
	CHECK_EQ(vms_mm_import_maps(mm, SPECIAL_MAPS, 0, &line), 0);
	/* live: mlock over [vvar]..[vdso] -> 0, no "lo" anywhere, VmLck 0; a
	 * part of [vdso] -> 0 (no split attempted). */
	CHECK_EQ(vms_mlock(mm, 0x7ffff7fc2000, 8 * PG), 0);
	CHECK(!locked_at(mm, 0x7ffff7fc2000));
	CHECK(!locked_at(mm, 0x7ffff7fc8000));
	CHECK_EQ(vms_mlock(mm, 0x7ffff7fc8000, PG), 0);
	CHECK_EQ(counters(mm).locked_vm, 0);
	CHECK_EQ(count_vmas(mm), 3);
	CHECK_EQ(vms_munlock(mm, 0x7ffff7fc2000, 8 * PG), 0);
	CHECK_EQ(vms_mlockall(mm, VMS_MCL_CURRENT), 0);
	CHECK_EQ(counters(mm).locked_vm, 0);
	VALID(mm);
}

TEST(mlock_split_at_map_count_limit_keeps_first_split)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 3, RW, 0) > 0);
	CHECK_EQ(vms_sysctl_set(sys, "vm.max_map_count", 2), 0);
	/* live (map_count notes): k=1, mlock of the middle page -> ENOMEM with
	 * one split left and nothing locked. */
	CHECK_EQ(vms_mlock(mm, A + PG, PG), -VMS_ENOMEM);
	CHECK_EQ(count_vmas(mm), 2);
	CHECK_EQ(counters(mm).locked_vm, 0);
	CHECK(!locked_at(mm, A + PG));
	VALID(mm);
}

/* ---- mlockall / munlockall ---- */

TEST(mlockall_flag_checks)
{
	vms_mm *mm = new_mm(sys);
	/* live: 0, MCL_ONFAULT alone and unknown bits -> EINVAL. */
	CHECK_EQ(vms_mlockall(mm, 0), -VMS_EINVAL);
	CHECK_EQ(vms_mlockall(mm, VMS_MCL_ONFAULT), -VMS_EINVAL);
	CHECK_EQ(vms_mlockall(mm, 8), -VMS_EINVAL);
	CHECK_EQ(vms_mlockall(mm, VMS_MCL_CURRENT | VMS_MCL_ONFAULT), 0);
}

TEST(mlockall_future_locks_new_mappings_and_munlockall_clears)
{
	vms_mm *mm = new_mm(sys);
	/* live: MCL_FUTURE -> new mapping "lo"; munlockall unlocks it and the
	 * next mapping merges with it; MCL_FUTURE|MCL_ONFAULT -> "lo lf". */
	CHECK_EQ(vms_mlockall(mm, VMS_MCL_FUTURE), 0);
	CHECK(map_at(mm, A, 2, RO, 0) > 0);
	CHECK(locked_at(mm, A));
	CHECK_EQ(counters(mm).locked_vm, 2);
	CHECK_EQ(vms_munlockall(mm), 0);
	CHECK(map_at(mm, A + 2 * PG, 2, RO, 0) > 0);
	CHECK_EQ(count_vmas(mm), 1);
	CHECK_EQ(counters(mm).locked_vm, 0);
	CHECK_EQ(vms_mlockall(mm, VMS_MCL_FUTURE | VMS_MCL_ONFAULT), 0);
	CHECK(map_at(mm, A + 4 * PG, 2, RO, 0) > 0);
	CHECK_EQ(flags_at(mm, A + 4 * PG) & (F_LOCKED | F_LOCKONFAULT), F_LOCKED | F_LOCKONFAULT);
	CHECK_EQ(flags_at(mm, A) & F_LOCKED, 0);
	CHECK_EQ(vms_munlockall(mm), 0);
	CHECK_EQ(count_vmas(mm), 1);
	VALID(mm);
}

/* __mmap_complete(): MCL_FUTURE does not lock a droppable mapping, as
 * mlock_fixup() would not (live: VmFlags "rd mr mw me nr wf dd dp", no
 * "lo"; msync(MS_INVALIDATE) over it is 0, over a locked one EBUSY). Found
 * by the breadth test (seed 1). */
TEST(mlockall_future_does_not_lock_a_droppable_mapping)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_mlockall(mm, VMS_MCL_FUTURE | VMS_MCL_ONFAULT), 0);
	CHECK_EQ(vms_mmap(mm, A, 2 * PG, RO, 0x08 /* MAP_DROPPABLE */ | VMS_MAP_ANONYMOUS |
					   VMS_MAP_FIXED, NULL, 0),
		 (long)A);
	CHECK_EQ(flags_at(mm, A) & (F_LOCKED | F_LOCKONFAULT), 0);
	CHECK_EQ(counters(mm).locked_vm, 0);
	CHECK_EQ(vms_msync(mm, A, PG, VMS_MS_INVALIDATE), 0);
	CHECK(map_at(mm, A + 4 * PG, 2, RO, 0) > 0);
	CHECK(locked_at(mm, A + 4 * PG));
	CHECK_EQ(vms_msync(mm, A + 4 * PG, PG, VMS_MS_INVALIDATE), -VMS_EBUSY);
	VALID(mm);
}

TEST(mlockall_current_locks_every_vma_and_populates)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 2, RW, 0) > 0);
	CHECK(map_at(mm, A + 4 * PG, 2, VMS_PROT_NONE, 0) > 0);
	CHECK(map_at(mm, A + 8 * PG, 2, RW, 0) > 0);
	/* A PROT_NONE VMA in between does not stop the fault-in (mm_populate
	 * ignores errors). */
	CHECK_EQ(vms_mlockall(mm, VMS_MCL_CURRENT), 0);
	CHECK(locked_at(mm, A) && locked_at(mm, A + 4 * PG) && locked_at(mm, A + 8 * PG));
	CHECK_EQ(counters(mm).locked_vm, 6);
	CHECK_EQ(counters(mm).rss_anon, 4);
	/* MCL_CURRENT alone leaves future mappings unlocked. */
	CHECK(map_at(mm, A + 12 * PG, 1, RW, 0) > 0);
	CHECK(!locked_at(mm, A + 12 * PG));
	VALID(mm);
}

TEST(mlockall_current_over_rlimit_is_enomem_future_then_mmap_eagain)
{
	vms_mm *mm = mm_with(sys, 0, 4 * PG);
	CHECK(map_at(mm, A, 8, RW, 0) > 0);
	CHECK_EQ(vms_mlock(mm, A, 4 * PG), 0);
	/* live, uid nobody, limit 16 kB, 16 kB locked: mlockall(MCL_CURRENT)
	 * -> ENOMEM (total_vm over the limit); mlockall(MCL_FUTURE) -> 0; a new
	 * mapping then -> EAGAIN; munlockall -> 0. */
	CHECK_EQ(vms_mlockall(mm, VMS_MCL_CURRENT), -VMS_ENOMEM);
	CHECK_EQ(vms_mlockall(mm, VMS_MCL_FUTURE), 0);
	CHECK_EQ(map_at(mm, A + 20 * PG, 1, RO, 0), -VMS_EAGAIN);
	CHECK_EQ(vms_munlockall(mm), 0);
	CHECK_EQ(counters(mm).locked_vm, 0);
	CHECK_EQ(map_at(mm, A + 20 * PG, 1, RO, 0), (long)(A + 20 * PG));
	VALID(mm);
}

/* Every allocation of a three-way lock split made to fail in turn: each
 * failure is -ENOMEM with the address space exactly as before (a failure in
 * the fault-in afterwards would be -EAGAIN with the lock applied). */
TEST(mlock_alloc_failure_changes_nothing)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 8, RW, 0) > 0);
	for (uint64_t n = 1; n < 40; n++) {
		struct t_snap before, after;
		t_snap_take(sys, mm, &before);
		vms_sys_fail_alloc_after(sys, n);
		long r = vms_mlock(mm, A + 2 * PG, 2 * PG);
		vms_sys_fail_alloc_after(sys, 0);
		if (r == -VMS_ENOMEM) {
			t_snap_take(sys, mm, &after);
			CHECK(t_snap_equal(&before, &after));
			VALID(mm);
			continue;
		}
		if (r == -VMS_EAGAIN) {
			CHECK_EQ(vms_munlock(mm, A, 8 * PG), 0);
			CHECK_EQ(count_vmas(mm), 1);
			VALID(mm);
			continue;
		}
		CHECK_EQ(r, 0);
		CHECK_EQ(count_vmas(mm), 3);
		CHECK(n > 1);
		VALID(mm);
		return;
	}
	CHECK(0);
}

TEST(mlock_file_past_eof_populates_to_eof_then_enomem)
{
	vms_mm *mm = new_mm(sys);
	struct vms_inode_info ii = {.dev_major = 8, .dev_minor = 1, .ino = 77, .size = 2 * PG + 10,
				    .path = "/tmp/small"};
	vms_file *f = vms_file_open(vms_inode_get(sys, &ii), VMS_O_RDONLY);
	CHECK_EQ(vms_mmap(mm, A, 8 * PG, RO, VMS_MAP_PRIVATE | VMS_MAP_FIXED, f, 0), (long)A);
	/* live: mlock of a file mapping reaching past EOF -> ENOMEM (the fault
	 * past EOF is SIGBUS, gup's EFAULT); the VMA is still locked and the
	 * pages up to EOF (3 here) are resident. */
	CHECK_EQ(vms_mlock(mm, A, 8 * PG), -VMS_ENOMEM);
	CHECK(locked_at(mm, A));
	CHECK_EQ(counters(mm).locked_vm, 8);
	CHECK_EQ(counters(mm).rss_file, 3);
	/* Inside the file it succeeds. */
	CHECK_EQ(vms_munlock(mm, A, 8 * PG), 0);
	CHECK_EQ(vms_mlock(mm, A, 3 * PG), 0);
	vms_file_close(f);
	VALID(mm);
}
