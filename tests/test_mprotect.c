/* test_mprotect.c: one test per mprotect/pkey_mprotect rule (mm/mprotect.c).
 * Sequences marked "live" were run on the 6.18 kernel under setarch -R and the
 * observed maps/smaps/meminfo results are encoded here. */
#include "t.h"

#define PG 4096ULL
#define A 0x200000000ULL
#define RW (VMS_PROT_READ | VMS_PROT_WRITE)
#define RO VMS_PROT_READ

/* VM_* bits the tests look at (include/linux/mm.h). */
#define F_WRITE 0x2ULL
#define F_EXEC 0x4ULL
#define F_GROWSDOWN 0x100ULL
#define F_LOCKED 0x2000ULL
#define F_ACCOUNT 0x100000ULL

static vms_mm *new_mm(vms_sys *sys)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE,
				    .caps = VMS_CAP_SYS_ADMIN | VMS_CAP_IPC_LOCK};
	return vms_mm_new(sys, &cfg);
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

/* The VMA containing addr (NULL if none). */
static int info_at(vms_mm *mm, uint64_t addr, struct vms_vma_info *out)
{
	const vms_vma *v = vms_find_vma(mm, addr);
	if (!v)
		return 0;
	vms_vma_get_info(v, out);
	return out->start <= addr;
}

static struct vms_mm_counters counters(vms_mm *mm)
{
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	return c;
}

/* ---- argument checks, in the kernel's order ---- */

TEST(mprotect_unaligned_start_is_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 2, RO, 0) > 0);
	CHECK_EQ(vms_mprotect(mm, A + 1, PG, RO), -VMS_EINVAL);
	/* live: an unaligned start fails even with len 0. */
	CHECK_EQ(vms_mprotect(mm, A + 1, 0, 0x10), -VMS_EINVAL);
}

TEST(mprotect_growsdown_with_growsup_is_einval_even_len_zero)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_mprotect(mm, A, 0, RO | VMS_PROT_GROWSDOWN | VMS_PROT_GROWSUP), -VMS_EINVAL);
}

TEST(mprotect_len_zero_succeeds_without_checking_prot)
{
	vms_mm *mm = new_mm(sys);
	/* live: mprotect(A, 0, 0x10) -> 0, nothing mapped needed. */
	CHECK_EQ(vms_mprotect(mm, A, 0, 0x10), 0);
}

TEST(mprotect_len_overflow_is_enomem_before_prot_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 2, RO, 0) > 0);
	/* live: mprotect(A, -1, 0x10) -> ENOMEM (PAGE_ALIGN wraps to 0). */
	CHECK_EQ(vms_mprotect(mm, A, (uint64_t)-1, 0x10), -VMS_ENOMEM);
	CHECK_EQ(vms_mprotect(mm, A, (uint64_t)-A, RO), -VMS_ENOMEM);
}

TEST(mprotect_unknown_prot_bits_einval_prot_sem_accepted)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 2, RO, 0) > 0);
	CHECK_EQ(vms_mprotect(mm, A, PG, 0x10), -VMS_EINVAL);
	/* Before the lookup: an unmapped range still gives EINVAL. */
	CHECK_EQ(vms_mprotect(mm, A + 100 * PG, PG, 0x10), -VMS_EINVAL);
	CHECK_EQ(vms_mprotect(mm, A, PG, RO | VMS_PROT_SEM), 0);
	CHECK_EQ(count_vmas(mm), 1);
}

TEST(pkey_mprotect_without_pku_only_minus_one_is_valid)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 2, RO, 0) > 0);
	/* live: no PKU on this CPU, so even key 0 is unallocated. */
	CHECK_EQ(vms_pkey_mprotect(mm, A, PG, RO, 0), -VMS_EINVAL);
	CHECK_EQ(vms_pkey_mprotect(mm, A, PG, RO, 3), -VMS_EINVAL);
	/* live: checked before the lookup, so an unmapped range is EINVAL too. */
	CHECK_EQ(vms_pkey_mprotect(mm, A + 20 * PG, PG, RO, 3), -VMS_EINVAL);
	CHECK_EQ(vms_pkey_mprotect(mm, A, PG, RW, -1), 0);
	struct vms_vma_info i;
	CHECK(info_at(mm, A, &i));
	CHECK(i.vm_flags & F_WRITE);
	VALID(mm);
}

TEST(mprotect_start_in_hole_is_enomem_nothing_changed)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A + PG, 2, RO, 0) > 0);
	CHECK_EQ(vms_mprotect(mm, A, 3 * PG, RW), -VMS_ENOMEM);
	struct vms_vma_info i;
	CHECK(info_at(mm, A + PG, &i));
	CHECK(!(i.vm_flags & F_WRITE));
	CHECK_EQ(vms_mprotect(mm, A + 10 * PG, PG, RW), -VMS_ENOMEM);
}

/* ---- PROT_GROWSDOWN / PROT_GROWSUP ---- */

TEST(mprotect_growsdown_may_start_in_hole_below_stack)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A + 8 * PG, 2, RO, VMS_MAP_GROWSDOWN) > 0);
	/* live: mprotect(A+6p, 3p, RW|GROWSDOWN) changed [A+8p, A+9p) only. */
	CHECK_EQ(vms_mprotect(mm, A + 6 * PG, 3 * PG, RW | VMS_PROT_GROWSDOWN), 0);
	struct vms_vma_info i;
	CHECK(info_at(mm, A + 8 * PG, &i));
	CHECK_EQ(i.start, A + 8 * PG);
	CHECK_EQ(i.end, A + 9 * PG);
	CHECK(i.vm_flags & F_WRITE);
	CHECK(info_at(mm, A + 9 * PG, &i));
	CHECK(!(i.vm_flags & F_WRITE));
	CHECK(i.vm_flags & F_GROWSDOWN);
	CHECK(!info_at(mm, A + 7 * PG, &i));
	VALID(mm);
}

TEST(mprotect_growsdown_extends_start_to_vma_start)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 4, RO, VMS_MAP_GROWSDOWN) > 0);
	CHECK_EQ(vms_mprotect(mm, A + 2 * PG, PG, RW | VMS_PROT_GROWSDOWN), 0);
	struct vms_vma_info i;
	CHECK(info_at(mm, A, &i));
	CHECK_EQ(i.start, A);
	CHECK_EQ(i.end, A + 3 * PG);
	CHECK(i.vm_flags & F_WRITE);
	VALID(mm);
}

TEST(mprotect_growsdown_on_plain_vma_is_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 2, RO, 0) > 0);
	CHECK_EQ(vms_mprotect(mm, A, PG, RW | VMS_PROT_GROWSDOWN), -VMS_EINVAL);
	/* Nothing mapped in the range at all: ENOMEM. */
	CHECK_EQ(vms_mprotect(mm, A + 10 * PG, PG, RW | VMS_PROT_GROWSDOWN), -VMS_ENOMEM);
}

TEST(mprotect_growsup_is_einval_on_x86_once_start_is_mapped)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 2, RO, VMS_MAP_GROWSDOWN) > 0);
	CHECK_EQ(vms_mprotect(mm, A + PG, PG, RO | VMS_PROT_GROWSUP), -VMS_EINVAL);
	/* live: unmapped start -> ENOMEM wins. */
	CHECK_EQ(vms_mprotect(mm, A + 20 * PG, PG, RO | VMS_PROT_GROWSUP), -VMS_ENOMEM);
}

/* ---- the VMA walk ---- */

TEST(mprotect_hole_is_enomem_after_changing_earlier_vmas)
{
	vms_mm *mm = new_mm(sys);
	/* live: [A, A+2p) hole [A+3p, A+5p); mprotect(A, 5p, RW) -> ENOMEM with
	 * the first VMA RW and the second unchanged. */
	CHECK(map_at(mm, A, 2, RO, 0) > 0);
	CHECK(map_at(mm, A + 3 * PG, 2, RO, 0) > 0);
	CHECK_EQ(vms_mprotect(mm, A, 5 * PG, RW), -VMS_ENOMEM);
	struct vms_vma_info i;
	CHECK(info_at(mm, A, &i));
	CHECK(i.vm_flags & F_WRITE);
	CHECK(info_at(mm, A + 3 * PG, &i));
	CHECK(!(i.vm_flags & F_WRITE));
	CHECK_EQ(counters(mm).data_vm, 2);
	VALID(mm);
}

TEST(mprotect_past_last_vma_is_enomem_after_change)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 2, RO, 0) > 0);
	CHECK_EQ(vms_mprotect(mm, A, 4 * PG, RW), -VMS_ENOMEM);
	struct vms_vma_info i;
	CHECK(info_at(mm, A, &i));
	CHECK(i.vm_flags & F_WRITE);
	VALID(mm);
}

TEST(mprotect_across_adjacent_vmas_merges_them)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 2, RO, 0) > 0);
	CHECK(map_at(mm, A + 2 * PG, 2, VMS_PROT_NONE, 0) > 0);
	CHECK(map_at(mm, A + 4 * PG, 2, RO | VMS_PROT_EXEC, 0) > 0);
	CHECK_EQ(count_vmas(mm), 3);
	CHECK_EQ(vms_mprotect(mm, A, 6 * PG, RO), 0);
	CHECK_EQ(count_vmas(mm), 1);
	VALID(mm);
}

TEST(mprotect_without_maywrite_is_eacces_after_earlier_vmas)
{
	vms_mm *mm = new_mm(sys);
	struct vms_inode_info ii = {.dev_major = 8, .dev_minor = 1, .ino = 42, .size = 16 * PG,
				    .path = "/tmp/f"};
	vms_inode *ino = vms_inode_get(sys, &ii);
	vms_file *f = vms_file_open(ino, VMS_O_RDONLY);
	CHECK(map_at(mm, A, 2, RO, 0) > 0);
	/* A shared mapping of a read-only fd has no VM_MAYWRITE. */
	CHECK_EQ(vms_mmap(mm, A + 2 * PG, 2 * PG, RO, VMS_MAP_SHARED | VMS_MAP_FIXED, f, 0),
		 (long)(A + 2 * PG));
	/* live: the first VMA became RW, then EACCES. */
	CHECK_EQ(vms_mprotect(mm, A, 4 * PG, RW), -VMS_EACCES);
	struct vms_vma_info i;
	CHECK(info_at(mm, A, &i));
	CHECK(i.vm_flags & F_WRITE);
	CHECK(info_at(mm, A + 2 * PG, &i));
	CHECK(!(i.vm_flags & F_WRITE));
	/* PROT_EXEC is still allowed (VM_MAYEXEC). */
	CHECK_EQ(vms_mprotect(mm, A + 2 * PG, 2 * PG, RO | VMS_PROT_EXEC), 0);
	vms_file_close(f);
	VALID(mm);
}

TEST(mprotect_private_readonly_file_can_become_writable_with_account)
{
	vms_mm *mm = new_mm(sys);
	struct vms_inode_info ii = {.dev_major = 8, .dev_minor = 1, .ino = 43, .size = 16 * PG,
				    .path = "/tmp/g"};
	vms_file *f = vms_file_open(vms_inode_get(sys, &ii), VMS_O_RDONLY);
	CHECK_EQ(vms_mmap(mm, A, 2 * PG, RO, VMS_MAP_PRIVATE | VMS_MAP_FIXED, f, 0), (long)A);
	uint64_t c0 = vms_sys_committed_pages(sys);
	/* live: keeps VM_MAYWRITE and gains "ac". */
	CHECK_EQ(vms_mprotect(mm, A, 2 * PG, RW), 0);
	struct vms_vma_info i;
	CHECK(info_at(mm, A, &i));
	CHECK(i.vm_flags & F_ACCOUNT);
	CHECK_EQ(vms_sys_committed_pages(sys), c0 + 2);
	/* Back to RO: a file VMA is not anonymous, so the charge stays. */
	CHECK_EQ(vms_mprotect(mm, A, 2 * PG, RO), 0);
	CHECK(info_at(mm, A, &i));
	CHECK(i.vm_flags & F_ACCOUNT);
	CHECK_EQ(vms_sys_committed_pages(sys), c0 + 2);
	vms_file_close(f);
	VALID(mm);
}

/* ---- mprotect_fixup accounting ---- */

TEST(mprotect_ro_to_rw_charges_commit_and_splits)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 4, RO, 0) > 0);
	uint64_t c0 = vms_sys_committed_pages(sys);
	/* live: middle page RW -> 3 VMAs, the middle one "ac", Committed +4 kB. */
	CHECK_EQ(vms_mprotect(mm, A + PG, PG, RW), 0);
	CHECK_EQ(count_vmas(mm), 3);
	CHECK_EQ(vms_sys_committed_pages(sys), c0 + 1);
	struct vms_vma_info i;
	CHECK(info_at(mm, A + PG, &i));
	CHECK_EQ(i.start, A + PG);
	CHECK_EQ(i.end, A + 2 * PG);
	CHECK(i.vm_flags & F_ACCOUNT);
	CHECK_EQ(i.pgoff, (A + PG) >> 12);
	CHECK(info_at(mm, A, &i));
	CHECK(!(i.vm_flags & F_ACCOUNT));
	VALID(mm);
}

TEST(mprotect_rw_to_ro_untouched_anon_drops_account_and_remerges)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 4, RO, 0) > 0);
	uint64_t c0 = vms_sys_committed_pages(sys);
	CHECK_EQ(vms_mprotect(mm, A + PG, PG, RW), 0);
	/* live: back to R while untouched: "ac" dropped, one VMA, dC 0. */
	CHECK_EQ(vms_mprotect(mm, A + PG, PG, RO), 0);
	CHECK_EQ(count_vmas(mm), 1);
	CHECK_EQ(vms_sys_committed_pages(sys), c0);
	VALID(mm);
}

TEST(mprotect_rw_to_ro_with_anon_vma_keeps_account_no_merge)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 4, RO, 0) > 0);
	uint64_t c0 = vms_sys_committed_pages(sys);
	/* live: RW all, touch page 0, then page 1 back to R: three VMAs, all
	 * "ac", Committed +16 kB. */
	CHECK_EQ(vms_mprotect(mm, A, 4 * PG, RW), 0);
	CHECK_EQ(vms_fault(mm, A, 1), 0);
	CHECK_EQ(vms_mprotect(mm, A + PG, PG, RO), 0);
	CHECK_EQ(count_vmas(mm), 3);
	struct vms_vma_info i;
	CHECK(info_at(mm, A + PG, &i));
	CHECK(i.vm_flags & F_ACCOUNT);
	CHECK_EQ(vms_sys_committed_pages(sys), c0 + 4);
	/* Writable again: already accounted, so no new charge, and it merges. */
	CHECK_EQ(vms_mprotect(mm, A + PG, PG, RW), 0);
	CHECK_EQ(count_vmas(mm), 1);
	CHECK_EQ(vms_sys_committed_pages(sys), c0 + 4);
	VALID(mm);
}

TEST(mprotect_noreserve_made_writable_is_not_charged)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 2, RO, VMS_MAP_NORESERVE) > 0);
	uint64_t c0 = vms_sys_committed_pages(sys);
	CHECK_EQ(vms_mprotect(mm, A, 2 * PG, RW), 0);
	struct vms_vma_info i;
	CHECK(info_at(mm, A, &i));
	CHECK(!(i.vm_flags & F_ACCOUNT));
	CHECK_EQ(vms_sys_committed_pages(sys), c0);
}

TEST(mprotect_shared_made_writable_is_not_charged)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_mmap(mm, A, 2 * PG, RO,
			  VMS_MAP_SHARED | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED, NULL, 0),
		 (long)A);
	uint64_t c0 = vms_sys_committed_pages(sys);
	CHECK_EQ(vms_mprotect(mm, A, 2 * PG, RW), 0);
	CHECK_EQ(vms_sys_committed_pages(sys), c0);
	CHECK_EQ(counters(mm).data_vm, 0);
	VALID(mm);
}

TEST(mprotect_commit_refused_is_enomem)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_sysctl_set(sys, "vm.overcommit_memory", 2), 0);
	vms_sys_set_memory(sys, 64 * PG, 0);
	CHECK(map_at(mm, A, 200, RO, 0) > 0);
	struct t_snap before, after;
	t_snap_take(sys, mm, &before);
	CHECK_EQ(vms_mprotect(mm, A + PG, 100 * PG, RW), -VMS_ENOMEM);
	t_snap_take(sys, mm, &after);
	CHECK(t_snap_equal(&before, &after));
	VALID(mm);
}

TEST(mprotect_rlimit_data_refuses_ro_to_rw)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 4, RW, 0) > 0);
	CHECK(map_at(mm, A + 10 * PG, 1, RO, 0) > 0);
	struct vms_rlimit lim = {4 * PG, VMS_RLIM_INFINITY};
	CHECK_EQ(vms_prlimit(mm, VMS_RLIMIT_DATA, &lim, NULL), 0);
	/* live (layout notes item 10): VmData at the limit, mprotect of an RO
	 * page to RW -> ENOMEM; a shared mapping is not data and passes. */
	CHECK_EQ(vms_mprotect(mm, A + 10 * PG, PG, RW), -VMS_ENOMEM);
	CHECK_EQ(vms_mprotect(mm, A + 10 * PG, PG, RO | VMS_PROT_EXEC), 0);
	CHECK_EQ(vms_mmap(mm, A + 12 * PG, PG, RO,
			  VMS_MAP_SHARED | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED, NULL, 0),
		 (long)(A + 12 * PG));
	CHECK_EQ(vms_mprotect(mm, A + 12 * PG, PG, RW), 0);
	/* Already data: a change that keeps it data is not checked again. */
	CHECK_EQ(vms_mprotect(mm, A, 4 * PG, RW | VMS_PROT_EXEC), 0);
	VALID(mm);
}

TEST(mprotect_moves_pages_between_stat_counters)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 4, RO, 0) > 0);
	struct vms_mm_counters c = counters(mm);
	CHECK_EQ(c.data_vm + c.exec_vm, 0);
	CHECK_EQ(vms_mprotect(mm, A, 2 * PG, RW), 0);
	CHECK_EQ(counters(mm).data_vm, 2);
	CHECK_EQ(vms_mprotect(mm, A + 2 * PG, 2 * PG, RO | VMS_PROT_EXEC), 0);
	CHECK_EQ(counters(mm).exec_vm, 2);
	CHECK_EQ(vms_mprotect(mm, A, 4 * PG, VMS_PROT_NONE), 0);
	c = counters(mm);
	CHECK_EQ(c.data_vm + c.exec_vm, 0);
	CHECK_EQ(c.total_vm, 4);
	VALID(mm);
}

TEST(mprotect_same_flags_is_a_noop_without_split)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 4, RW, 0) > 0);
	uint64_t c0 = vms_sys_committed_pages(sys);
	CHECK_EQ(vms_mprotect(mm, A + PG, PG, RW), 0);
	CHECK_EQ(count_vmas(mm), 1);
	CHECK_EQ(vms_sys_committed_pages(sys), c0);
}

/* vma_modify(): a change strictly inside one VMA splits it below and above
 * (__split_vma twice, done as one index step): the VMA keeps the middle, the
 * outer pieces get the file offsets of where they start, and the file maps
 * all three; changing it back merges the three into one again. */
TEST(mprotect_inside_a_vma_splits_in_three_keeping_offsets)
{
	vms_mm *mm = new_mm(sys);
	struct vms_inode_info ii = {.dev_major = 8, .dev_minor = 1, .ino = 44, .size = 16 * PG,
				    .path = "/tmp/h"};
	vms_inode *ino = vms_inode_get(sys, &ii);
	vms_file *f = vms_file_open(ino, VMS_O_RDONLY);
	CHECK_EQ(vms_mmap(mm, A, 4 * PG, RO, VMS_MAP_PRIVATE | VMS_MAP_FIXED, f, 2 * PG), (long)A);
	const vms_vma *orig = vms_find_vma(mm, A);
	CHECK_EQ(vms_mprotect(mm, A + PG, 2 * PG, VMS_PROT_NONE), 0);
	CHECK_EQ(count_vmas(mm), 3);
	CHECK(vms_find_vma(mm, A + PG) == orig);
	struct vms_vma_info i;
	static const uint64_t starts[3] = {A, A + PG, A + 3 * PG}, ends[3] = {A + PG, A + 3 * PG,
										A + 4 * PG};
	static const uint64_t pgoffs[3] = {2, 3, 5};
	for (int k = 0; k < 3; k++) {
		CHECK(info_at(mm, starts[k], &i));
		CHECK_EQ(i.start, starts[k]);
		CHECK_EQ(i.end, ends[k]);
		CHECK_EQ(i.pgoff, pgoffs[k]);
		CHECK(i.file == f);
	}
	CHECK_EQ(vms_inode_mapcount(ino), 3);
	CHECK_EQ(vms_mprotect(mm, A + PG, 2 * PG, RO), 0);
	CHECK_EQ(count_vmas(mm), 1);
	CHECK(info_at(mm, A, &i));
	CHECK_EQ(i.end, A + 4 * PG);
	CHECK_EQ(i.pgoff, 2);
	CHECK_EQ(vms_inode_mapcount(ino), 1);
	vms_file_close(f);
	VALID(mm);
	vms_mm_free(mm);
}

TEST(mprotect_split_at_map_count_limit_keeps_first_split)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 3, RO, 0) > 0);
	CHECK_EQ(vms_sysctl_set(sys, "vm.max_map_count", 2), 0);
	uint64_t c0 = vms_sys_committed_pages(sys);
	/* live Q1: at map_count == max-1 the middle page gives ENOMEM and
	 * leaves [1 page][2 pages], flags unchanged, nothing charged. */
	CHECK_EQ(vms_mprotect(mm, A + PG, PG, RW), -VMS_ENOMEM);
	CHECK_EQ(count_vmas(mm), 2);
	struct vms_vma_info i;
	CHECK(info_at(mm, A + PG, &i));
	CHECK_EQ(i.start, A + PG);
	CHECK_EQ(i.end, A + 3 * PG);
	CHECK(!(i.vm_flags & F_WRITE));
	CHECK_EQ(vms_sys_committed_pages(sys), c0);
	VALID(mm);
}

TEST(mprotect_locked_private_becoming_writable_populates)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 4, RO, 0) > 0);
	CHECK_EQ(vms_mlock(mm, A, 4 * PG), 0);
	/* live: read-only anonymous lock maps the zero page: Rss 0. */
	CHECK_EQ(counters(mm).rss_anon, 0);
	CHECK_EQ(vms_mprotect(mm, A + PG, 2 * PG, RW), 0);
	/* live: the middle VMA is "lo ac" with Rss 8 kB. */
	struct vms_vma_info i;
	CHECK(info_at(mm, A + PG, &i));
	CHECK(i.vm_flags & F_LOCKED);
	CHECK(i.vm_flags & F_ACCOUNT);
	CHECK_EQ(counters(mm).rss_anon, 2);
	CHECK_EQ(counters(mm).locked_vm, 4);
	VALID(mm);
}

TEST(mprotect_read_implies_exec_adds_exec_with_read)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE | VMS_READ_IMPLIES_EXEC};
	vms_mm *mm = vms_mm_new(sys, &cfg);
	CHECK(map_at(mm, A, 4, VMS_PROT_NONE, 0) > 0);
	/* live: R -> r-x, W alone -> -w-. */
	CHECK_EQ(vms_mprotect(mm, A + PG, PG, RO), 0);
	CHECK_EQ(vms_mprotect(mm, A + 2 * PG, PG, VMS_PROT_WRITE), 0);
	struct vms_vma_info i;
	CHECK(info_at(mm, A + PG, &i));
	CHECK(i.vm_flags & F_EXEC);
	CHECK(info_at(mm, A + 2 * PG, &i));
	CHECK(!(i.vm_flags & F_EXEC));
	VALID(mm);
}

TEST(mprotect_page_prot_follows_new_flags)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 1, RO, 0) > 0);
	struct vms_vma_info i;
	CHECK(info_at(mm, A, &i));
	CHECK(i.page_prot >> 63); /* NX */
	CHECK_EQ(vms_mprotect(mm, A, PG, RO | VMS_PROT_EXEC), 0);
	CHECK(info_at(mm, A, &i));
	CHECK(!(i.page_prot >> 63));
	CHECK_EQ(vms_mprotect(mm, A, PG, VMS_PROT_NONE), 0);
	CHECK(info_at(mm, A, &i));
	CHECK_EQ(i.page_prot, 0x120);
}

static const char SPECIAL_MAPS[] =
	"7ffff7fc2000-7ffff7fc6000 r--p 00000000 00:00 0                          [vvar]\n"
	"7ffff7fc6000-7ffff7fc8000 r--p 00000000 00:00 0                          [vvar_vclock]\n"
	"7ffff7fc8000-7ffff7fca000 r-xp 00000000 00:00 0                          [vdso]\n";

TEST(mprotect_special_mappings_follow_their_may_bits)
{
	vms_mm *mm = new_mm(sys);
	int line;
	CHECK_EQ(vms_mm_import_maps(mm, SPECIAL_MAPS, 0, &line), 0);
	uint64_t vd = 0x7ffff7fc8000, vv = 0x7ffff7fc2000;
	/* live: [vvar] has no VM_MAYWRITE -> EACCES; [vdso] has it -> 0. */
	CHECK_EQ(vms_mprotect(mm, vv, PG, RW), -VMS_EACCES);
	CHECK_EQ(vms_mprotect(mm, vd, 2 * PG, RO), 0);
	CHECK_EQ(vms_mprotect(mm, vd, 2 * PG, RW), 0);
	CHECK_EQ(vms_mprotect(mm, vd, 2 * PG, RO | VMS_PROT_EXEC), 0);
	/* Same flags: no split needed -> 0; a real change of one page needs a
	 * split, which a special mapping refuses. */
	CHECK_EQ(vms_mprotect(mm, vd, PG, RO | VMS_PROT_EXEC), 0);
	CHECK_EQ(vms_mprotect(mm, vd, PG, RO), -VMS_EINVAL);
	VALID(mm);
}

/* Every allocation of a three-way split made to fail in turn: each failure is
 * -ENOMEM with the address space exactly as before. */
TEST(mprotect_alloc_failure_changes_nothing)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 8, RO, 0) > 0);
	for (uint64_t n = 1; n < 40; n++) {
		struct t_snap before, after;
		t_snap_take(sys, mm, &before);
		vms_sys_fail_alloc_after(sys, n);
		long r = vms_mprotect(mm, A + 2 * PG, 2 * PG, RW);
		vms_sys_fail_alloc_after(sys, 0);
		if (r == -VMS_ENOMEM) {
			t_snap_take(sys, mm, &after);
			CHECK(t_snap_equal(&before, &after));
			VALID(mm);
			continue;
		}
		CHECK_EQ(r, 0);
		CHECK_EQ(count_vmas(mm), 3);
		/* At least one allocation was made to fail. */
		CHECK(n > 1);
		VALID(mm);
		return;
	}
	CHECK(0);
}
