/* test_fork.c: one test per fork rule (kernel/fork.c dup_mm, mm/mmap.c dup_mmap,
 * mm/rmap.c anon_vma_fork). Attributes no public call sets yet (DONTFORK,
 * WIPEONFORK, a re-protect) are set through the model's internals. */
#include "t.h"

#include "internal.h"
#include "accounting.h"
#include "rss.h"
#include "vma.h"

#define PG 4096ULL
#define BASE 0x200000000ULL

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

static long rw_at(vms_mm *mm, uint64_t addr, uint64_t pages)
{
	return anon(mm, addr, pages * PG, VMS_PROT_READ | VMS_PROT_WRITE, VMS_MAP_FIXED);
}

static int count_vmas(const vms_mm *mm)
{
	int n = 0;
	for (const vms_vma *v = vms_vma_first(mm); v; v = vms_vma_next(mm, v))
		n++;
	return n;
}

static struct vms_vma_info info_at(const vms_mm *mm, uint64_t addr)
{
	struct vms_vma_info i = {0};
	const vms_vma *v = vms_find_vma(mm, addr);
	if (v)
		vms_vma_get_info(v, &i);
	return i;
}

static vms_mm *fork_ok(vms_mm *mm)
{
	int err = 1;
	vms_mm *c = vms_fork(mm, &err);
	if (c && err != 0)
		return NULL;
	return c;
}

/* Sets a flag on the whole VMA at addr the way madvise would, without
 * depending on madvise (DONTCOPY/WIPEONFORK change no counter). */
static void set_vma_flag(vms_mm *mm, uint64_t addr, uint64_t flag)
{
	find_vma(mm, addr)->flags |= flag;
}

/* mprotect() of [start, end) inside one VMA, built on vma_modify(): merge with
 * a neighbour if the kernel would, else split, then apply the flags. */
static int reprotect(vms_mm *mm, uint64_t start, uint64_t end, uint64_t access)
{
	if (mm_reserve_range(mm, NULL, start, end))
		return -1;
	struct vms_vma *mid = find_vma(mm, start);
	uint64_t old = mid->flags, flags = (old & ~VM_ACCESS_FLAGS) | access;
	struct vma_merge vmg = {.mm = mm, .middle = mid, .start = start, .end = end,
				.flags = flags, .anon_name = mid->anon_name};
	int err;
	struct vms_vma *v = vma_modify(&vmg, &err);
	if (!v)
		return err;
	/* A merged neighbour already has the new flags; a split piece gets them. */
	v->flags = flags;
	int64_t pages = (int64_t)((end - start) >> PAGE_SHIFT);
	vm_stat_account(mm, old, -pages);
	vm_stat_account(mm, flags, pages);
	return 0;
}

static int count_substr(const char *s, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* ---- layout and counters ---- */

TEST(fork_child_copies_layout)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE, .has_rlimits = 1,
				    .rlim_stack = {16 * PG, 32 * PG},
				    .rlim_data = {1ULL << 30, 1ULL << 31},
				    .rlim_as = {1ULL << 40, 1ULL << 41},
				    .rlim_memlock = {64 * PG, 64 * PG}};
	vms_mm *mm = vms_mm_new(sys, &cfg);
	vms_mm_set_brk_start(mm, 0x555555560000);
	vms_mm_set_image(mm, 0x555555554000, 0x555555556000, 0x555555557000, 0x555555558000,
			 0x7fffffffe000);
	CHECK_EQ(vms_brk(mm, 0x555555562000), 0x555555562000);
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	struct vms_mm_layout a, b;
	vms_mm_get_layout(mm, &a);
	vms_mm_get_layout(c, &b);
	CHECK_EQ(b.task_size, a.task_size);
	CHECK_EQ(b.mmap_base, a.mmap_base);
	CHECK_EQ(b.mmap_legacy_base, a.mmap_legacy_base);
	CHECK_EQ(b.topdown, a.topdown);
	CHECK_EQ(b.start_brk, a.start_brk);
	CHECK_EQ(b.brk, a.brk);
	CHECK_EQ(b.start_stack, a.start_stack);
	for (int res = 0; res < 10; res++) {
		struct vms_rlimit la, lb;
		if (vms_prlimit(mm, res, NULL, &la) != 0)
			continue;
		CHECK_EQ(vms_prlimit(c, res, NULL, &lb), 0);
		CHECK_EQ(la.cur, lb.cur);
		CHECK_EQ(la.max, lb.max);
	}
	CHECK_EQ(c->personality, mm->personality);
	CHECK_EQ(c->caps, mm->caps);
	CHECK_EQ(c->start_code, mm->start_code);
	CHECK_EQ(c->end_data, mm->end_data);
	CHECK_EQ(c->has_gate, mm->has_gate);
	CHECK_EQ(c->rng, mm->rng);
	VALID(c);
}

TEST(fork_child_maps_equal_parent_maps)
{
	vms_mm *mm = new_mm(sys);
	CHECK(rw_at(mm, BASE, 4) > 0);
	CHECK(anon(mm, BASE + 8 * PG, 2 * PG, VMS_PROT_READ, VMS_MAP_FIXED) > 0);
	CHECK(anon(mm, 0, 3 * PG, VMS_PROT_READ | VMS_PROT_EXEC, 0) > 0);
	CHECK(anon(mm, 0, 5 * PG, VMS_PROT_READ | VMS_PROT_WRITE, VMS_MAP_GROWSDOWN) > 0);
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	char a[4096], b[4096];
	vms_maps_text(mm, a, sizeof(a));
	vms_maps_text(c, b, sizeof(b));
	CHECK(!strcmp(a, b));
	struct vms_mm_counters ca, cb;
	vms_mm_get_counters(mm, &ca);
	vms_mm_get_counters(c, &cb);
	CHECK_EQ(cb.total_vm, ca.total_vm);
	CHECK_EQ(cb.data_vm, ca.data_vm);
	CHECK_EQ(cb.exec_vm, ca.exec_vm);
	CHECK_EQ(cb.stack_vm, ca.stack_vm);
	CHECK_EQ(cb.map_count, ca.map_count);
	VALID(c);
	VALID(mm);
}

TEST(fork_of_empty_mm_is_empty)
{
	vms_mm *mm = new_mm(sys);
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	CHECK_EQ(count_vmas(c), 0);
	VALID(c);
	vms_mm_free(c);
}

TEST(fork_dontcopy_vma_is_skipped_and_leaves_totals)
{
	vms_mm *mm = new_mm(sys);
	CHECK(rw_at(mm, BASE, 4) > 0);
	CHECK(anon(mm, BASE + 8 * PG, 2 * PG, VMS_PROT_READ | VMS_PROT_EXEC, VMS_MAP_FIXED) > 0);
	CHECK(rw_at(mm, BASE + 16 * PG, 3) > 0);
	set_vma_flag(mm, BASE, VM_DONTCOPY);
	set_vma_flag(mm, BASE + 8 * PG, VM_DONTCOPY);
	uint64_t committed = vms_sys_committed_pages(sys);
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	CHECK_EQ(count_vmas(c), 1);
	CHECK_EQ(info_at(c, 0).start, BASE + 16 * PG);
	struct vms_mm_counters cc;
	vms_mm_get_counters(c, &cc);
	CHECK_EQ(cc.total_vm, 3);
	CHECK_EQ(cc.data_vm, 3);
	CHECK_EQ(cc.exec_vm, 0);
	/* Only the copied accounted VMA is charged again. */
	CHECK_EQ(vms_sys_committed_pages(sys), committed + 3);
	CHECK_EQ(count_vmas(mm), 3);
	VALID(c);
	VALID(mm);
}

TEST(fork_child_has_no_mlock)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon(mm, BASE, 4 * PG, VMS_PROT_READ | VMS_PROT_WRITE,
		   VMS_MAP_FIXED | VMS_MAP_LOCKED) > 0);
	struct vms_mm_counters cp;
	vms_mm_get_counters(mm, &cp);
	CHECK_EQ(cp.locked_vm, 4);
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	struct vms_mm_counters cc;
	vms_mm_get_counters(c, &cc);
	CHECK_EQ(cc.locked_vm, 0);
	CHECK_EQ(cc.pinned_vm, 0);
	CHECK_EQ(info_at(c, BASE).vm_flags & VM_LOCKED_MASK, 0);
	CHECK(info_at(mm, BASE).vm_flags & VM_LOCKED);
	/* The locked pages were faulted in with an anon_vma: the child has them. */
	CHECK_EQ(cc.rss_anon, 4);
	VALID(c);
	VALID(mm);
}

TEST(fork_def_flags_keep_only_nohugepage)
{
	vms_mm *mm = new_mm(sys);
	/* mlockall(MCL_FUTURE) and PR_SET_THP_DISABLE as def_flags. */
	mm->def_flags = VM_LOCKED | VM_NOHUGEPAGE;
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	CHECK_EQ(c->def_flags, VM_NOHUGEPAGE);
	CHECK(anon(c, BASE, PG, VMS_PROT_READ | VMS_PROT_WRITE, VMS_MAP_FIXED) > 0);
	CHECK_EQ(info_at(c, BASE).vm_flags & VM_LOCKED, 0);
	VALID(c);
}

TEST(fork_high_water_marks_start_at_current)
{
	vms_mm *mm = new_mm(sys);
	CHECK(rw_at(mm, BASE, 8) > 0);
	for (int i = 0; i < 8; i++)
		CHECK_EQ(vms_fault(mm, BASE + i * PG, 1), 0);
	CHECK_EQ(vms_munmap(mm, BASE, 6 * PG), 0);
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	struct vms_mm_counters cc;
	vms_mm_get_counters(c, &cc);
	CHECK_EQ(cc.hiwater_vm, 2);
	CHECK_EQ(cc.hiwater_rss, 2);
	CHECK_EQ(c->hiwater_vm, 2);
	CHECK_EQ(c->hiwater_rss, 2);
	VALID(c);
}

/* ---- commit charge ---- */

TEST(fork_charges_commit_for_account_vmas)
{
	vms_mm *mm = new_mm(sys);
	CHECK(rw_at(mm, BASE, 10) > 0);
	CHECK(anon(mm, BASE + 16 * PG, 4 * PG, VMS_PROT_READ, VMS_MAP_FIXED) > 0);
	CHECK(vms_mmap(mm, BASE + 32 * PG, 4 * PG, VMS_PROT_READ | VMS_PROT_WRITE,
		       VMS_MAP_SHARED | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED, NULL, 0) > 0);
	uint64_t committed = vms_sys_committed_pages(sys);
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	/* The RW private VMA only: a shmem segment was charged once, at mmap. */
	CHECK_EQ(vms_sys_committed_pages(sys), committed + 10);
	vms_mm_free(c);
	CHECK_EQ(vms_sys_committed_pages(sys), committed);
}

TEST(fork_commit_limit_failure_changes_nothing)
{
	CHECK_EQ(vms_sysctl_set(sys, "vm.overcommit_memory", 2), 0);
	vms_sys_set_memory(sys, 64ULL << 20, 0);
	vms_mm *mm = new_mm(sys);
	/* 20 MiB fits the 32 MiB limit once but not twice. */
	CHECK(rw_at(mm, BASE, 5120) > 0);
	CHECK_EQ(vms_fault(mm, BASE, 1), 0);
	uint64_t committed = vms_sys_committed_pages(sys);
	size_t mms = sys->nmms, vmas = sys->vma_slab.in_use;
	char before[1024], after[1024];
	vms_maps_text(mm, before, sizeof(before));
	int err = 0;
	CHECK(vms_fork(mm, &err) == NULL);
	CHECK_EQ(err, -VMS_ENOMEM);
	CHECK_EQ(vms_sys_committed_pages(sys), committed);
	CHECK_EQ(sys->nmms, mms);
	CHECK_EQ(sys->vma_slab.in_use, vmas);
	vms_maps_text(mm, after, sizeof(after));
	CHECK(!strcmp(before, after));
	VALID(mm);
	/* Unmapping most of it lets the next fork through. */
	CHECK_EQ(vms_munmap(mm, BASE + PG, 5119 * PG), 0);
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	VALID(c);
}

/* Every allocation fork makes, failed in turn: -ENOMEM with the parent, the
 * commit counter, the files' i_mmap and the slab exactly as before. */
TEST(fork_alloc_failure_changes_nothing)
{
	vms_mm *mm = new_mm(sys);
	struct vms_inode_info ii = {.dev_major = 8, .dev_minor = 1, .ino = 42,
				    .size = 64 * PG, .path = "/lib/libx.so"};
	vms_inode *ino = vms_inode_get(sys, &ii);
	vms_file *f = vms_file_open(ino, VMS_O_RDONLY);
	CHECK(f);
	for (int i = 0; i < 6; i++) {
		CHECK(rw_at(mm, BASE + i * 2 * PG, 1) > 0);
		CHECK_EQ(vms_fault(mm, BASE + i * 2 * PG, i & 1), 0);
	}
	CHECK(vms_mmap(mm, BASE + 32 * PG, 4 * PG, VMS_PROT_READ, VMS_MAP_PRIVATE | VMS_MAP_FIXED,
		       f, 0) > 0);
	CHECK(vms_mmap(mm, BASE + 40 * PG, 4 * PG, VMS_PROT_READ, VMS_MAP_SHARED | VMS_MAP_FIXED,
		       f, 0) > 0);
	CHECK(vms_mmap(mm, BASE + 48 * PG, 4 * PG, VMS_PROT_READ | VMS_PROT_WRITE,
		       VMS_MAP_SHARED | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED, NULL, 0) > 0);
	CHECK_EQ(vms_fault(mm, BASE + 48 * PG, 1), 0);
	vms_file_close(f);
	char before[4096], after[4096];
	vms_maps_text(mm, before, sizeof(before));
	struct vms_mm_counters cb, ca;
	vms_mm_get_counters(mm, &cb);
	uint64_t committed = vms_sys_committed_pages(sys);
	size_t mapcount = vms_inode_mapcount(ino), mms = sys->nmms;
	size_t vmas = sys->vma_slab.in_use, leaves = sys->leaf_slab.in_use;
	int failures = 0;
	for (uint64_t n = 1; n < 200; n++) {
		int err = 0;
		vms_sys_fail_alloc_after(sys, n);
		vms_mm *c = vms_fork(mm, &err);
		vms_sys_fail_alloc_after(sys, 0);
		if (!c) {
			failures++;
			CHECK_EQ(err, -VMS_ENOMEM);
			vms_maps_text(mm, after, sizeof(after));
			CHECK(!strcmp(before, after));
			vms_mm_get_counters(mm, &ca);
			CHECK(!memcmp(&ca, &cb, sizeof(ca)));
			CHECK_EQ(vms_sys_committed_pages(sys), committed);
			CHECK_EQ(vms_inode_mapcount(ino), mapcount);
			CHECK_EQ(sys->nmms, mms);
			CHECK_EQ(sys->vma_slab.in_use, vmas);
			CHECK_EQ(sys->leaf_slab.in_use, leaves);
			VALID(mm);
			continue;
		}
		CHECK_EQ(err, 0);
		CHECK(failures >= 10);
		VALID(c);
		CHECK_EQ(vms_inode_mapcount(ino), 2 * mapcount);
		vms_mm_free(c);
		CHECK_EQ(vms_sys_committed_pages(sys), committed);
		CHECK_EQ(sys->vma_slab.in_use, vmas);
		return;
	}
	CHECK(!"fork never succeeded");
}

/* ---- anon_vma ---- */

TEST(fork_child_gets_own_anon_vma_one_per_vma)
{
	vms_mm *mm = new_mm(sys);
	CHECK(rw_at(mm, BASE, 4) > 0);
	CHECK_EQ(vms_fault(mm, BASE, 1), 0);
	/* Split before the fork: the parent's pieces share one anon_vma. */
	CHECK_EQ(reprotect(mm, BASE + PG, BASE + 2 * PG, VM_READ), 0);
	CHECK_EQ(count_vmas(mm), 3);
	uint64_t p0 = info_at(mm, BASE).anon_vma, p2 = info_at(mm, BASE + 2 * PG).anon_vma;
	CHECK(p0 != 0 && p0 == p2);
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	uint64_t c0 = info_at(c, BASE).anon_vma, c1 = info_at(c, BASE + PG).anon_vma;
	uint64_t c2 = info_at(c, BASE + 2 * PG).anon_vma;
	CHECK(c0 && c1 && c2);
	CHECK(c0 != p0 && c1 != p0 && c2 != p0);
	CHECK(c0 != c1 && c1 != c2 && c0 != c2);
	/* live: in the child the pieces do not re-merge; in the parent they do. */
	CHECK_EQ(reprotect(c, BASE + PG, BASE + 2 * PG, VM_READ | VM_WRITE), 0);
	CHECK_EQ(count_vmas(c), 3);
	CHECK_EQ(reprotect(mm, BASE + PG, BASE + 2 * PG, VM_READ | VM_WRITE), 0);
	CHECK_EQ(count_vmas(mm), 1);
	VALID(c);
	VALID(mm);
}

TEST(fork_child_anon_vma_chain_is_one_longer)
{
	vms_mm *mm = new_mm(sys);
	CHECK(rw_at(mm, BASE, 2) > 0);
	CHECK_EQ(vms_fault(mm, BASE, 1), 0);
	CHECK_EQ(find_vma(mm, BASE)->avc_depth, 1);
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	CHECK_EQ(find_vma(c, BASE)->avc_depth, 2);
	vms_mm *g = fork_ok(c);
	CHECK(g);
	CHECK_EQ(find_vma(g, BASE)->avc_depth, 3);
	CHECK_EQ(find_vma(mm, BASE)->avc_depth, 1);
	VALID(g);
}

TEST(fork_inherited_faulted_vma_refuses_clean_neighbour)
{
	vms_mm *mm = new_mm(sys);
	CHECK(rw_at(mm, BASE, 2) > 0);
	CHECK_EQ(vms_fault(mm, BASE, 1), 0);
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	CHECK(rw_at(c, BASE + 2 * PG, 1) > 0);
	CHECK_EQ(count_vmas(c), 2);
	/* The parent's chain is unchanged: it still merges (live F6). */
	CHECK(rw_at(mm, BASE + 2 * PG, 1) > 0);
	CHECK_EQ(count_vmas(mm), 1);
	VALID(c);
	VALID(mm);
}

TEST(fork_inherited_clean_vma_merges_in_child)
{
	vms_mm *mm = new_mm(sys);
	CHECK(rw_at(mm, BASE, 2) > 0);
	CHECK_EQ(vms_fault(mm, BASE, 0), 0); /* zero page: no anon_vma */
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	CHECK_EQ(info_at(c, BASE).anon_vma, 0);
	CHECK(rw_at(c, BASE + 2 * PG, 1) > 0);
	CHECK_EQ(count_vmas(c), 1);
	VALID(c);
}

TEST(fork_split_in_child_remerges)
{
	vms_mm *mm = new_mm(sys);
	CHECK(rw_at(mm, BASE, 4) > 0);
	CHECK_EQ(vms_fault(mm, BASE, 1), 0);
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	/* live F3: pieces split from one child VMA share its anon_vma. */
	CHECK_EQ(reprotect(c, BASE + PG, BASE + 2 * PG, VM_READ), 0);
	CHECK_EQ(count_vmas(c), 3);
	CHECK_EQ(reprotect(c, BASE + PG, BASE + 2 * PG, VM_READ | VM_WRITE), 0);
	CHECK_EQ(count_vmas(c), 1);
	VALID(c);
}

TEST(fork_child_heap_extension_is_second_heap_vma)
{
	vms_mm *mm = new_mm(sys);
	vms_mm_set_brk_start(mm, 0x555555559000);
	CHECK_EQ(vms_brk(mm, 0x55555555a000), 0x55555555a000);
	CHECK_EQ(vms_fault(mm, 0x555555559000, 1), 0);
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	CHECK_EQ(vms_brk(c, 0x55555557b000), 0x55555557b000);
	char t[1024];
	vms_maps_text(c, t, sizeof(t));
	/* live (f1): 555555559000-55555555a000 [heap], 55555555a000-55555557b000 [heap] */
	CHECK_EQ(count_substr(t, "[heap]"), 2);
	CHECK(strstr(t, "555555559000-55555555a000 rw-p") != NULL);
	CHECK(strstr(t, "55555555a000-55555557b000 rw-p") != NULL);
	CHECK_EQ(vms_brk(mm, 0x55555557b000), 0x55555557b000);
	vms_maps_text(mm, t, sizeof(t));
	CHECK_EQ(count_substr(t, "[heap]"), 1);
	VALID(c);
	VALID(mm);
}

TEST(fork_wipeonfork_child_has_no_anon_vma_and_no_pages)
{
	vms_mm *mm = new_mm(sys);
	CHECK(rw_at(mm, BASE, 4) > 0);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(vms_fault(mm, BASE + i * PG, 1), 0);
	set_vma_flag(mm, BASE, VM_WIPEONFORK);
	uint64_t committed = vms_sys_committed_pages(sys);
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	struct vms_vma_info i = info_at(c, BASE);
	CHECK_EQ(i.anon_vma, 0);
	CHECK(i.vm_flags & VM_WIPEONFORK);
	CHECK_EQ(find_vma(c, BASE)->avc_depth, 0);
	struct vms_mm_counters cc;
	vms_mm_get_counters(c, &cc);
	CHECK_EQ(cc.rss_anon, 0);
	CHECK_EQ(cc.total_vm, 4);
	/* The VMA is still copied, so still charged. */
	CHECK_EQ(vms_sys_committed_pages(sys), committed + 4);
	CHECK_EQ(info_at(mm, BASE).anon_vma != 0, 1);
	VALID(c);
}

/* ---- files, shmem, names ---- */

TEST(fork_file_vmas_join_the_inode_rmap)
{
	vms_mm *mm = new_mm(sys);
	struct vms_inode_info ii = {.dev_major = 8, .dev_minor = 1, .ino = 7, .size = 16 * PG,
				    .path = "/usr/lib/liba.so"};
	vms_inode *ino = vms_inode_get(sys, &ii);
	vms_file *f = vms_file_open(ino, VMS_O_RDWR);
	CHECK(vms_mmap(mm, BASE, 4 * PG, VMS_PROT_READ, VMS_MAP_PRIVATE | VMS_MAP_FIXED, f, 0) > 0);
	CHECK(vms_mmap(mm, BASE + 8 * PG, 4 * PG, VMS_PROT_READ | VMS_PROT_WRITE,
		       VMS_MAP_SHARED | VMS_MAP_FIXED, f, 4 * PG) > 0);
	vms_file_close(f);
	CHECK_EQ(vms_inode_mapcount(ino), 2);
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	CHECK_EQ(vms_inode_mapcount(ino), 4);
	CHECK_EQ(ino->i_mmap_writable, 2);
	CHECK(info_at(c, BASE).file == info_at(mm, BASE).file);
	CHECK_EQ(info_at(c, BASE + 8 * PG).pgoff, 4);
	VALID(c);
	vms_mm_free(c);
	CHECK_EQ(vms_inode_mapcount(ino), 2);
	CHECK_EQ(ino->i_mmap_writable, 1);
	/* The parent's mappings outlive the child's references. */
	CHECK_EQ(vms_munmap(mm, BASE, 16 * PG), 0);
	CHECK_EQ(vms_inode_mapcount(ino), 0);
	VALID(mm);
}

TEST(fork_shared_anon_stays_shared)
{
	vms_mm *mm = new_mm(sys);
	CHECK(vms_mmap(mm, BASE, 4 * PG, VMS_PROT_READ | VMS_PROT_WRITE,
		       VMS_MAP_SHARED | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED, NULL, 0) > 0);
	CHECK_EQ(vms_fault(mm, BASE, 1), 0);
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	struct vms_vma_info pi = info_at(mm, BASE), ci = info_at(c, BASE);
	CHECK(ci.file != NULL && ci.file == pi.file);
	CHECK_EQ(find_vma(c, BASE)->kind, VMA_SHMEM);
	char a[512], b[512];
	vms_maps_text(mm, a, sizeof(a));
	vms_maps_text(c, b, sizeof(b));
	CHECK(!strcmp(a, b));
	VALID(c);
	vms_mm_free(mm);
	/* The segment lives on in the child. */
	CHECK_EQ(vms_fault(c, BASE, 1), 0);
	VALID(c);
}

TEST(fork_anon_name_is_shared)
{
	vms_mm *mm = new_mm(sys);
	CHECK(rw_at(mm, BASE, 2) > 0);
	struct vms_anon_name *n = malloc(sizeof(*n) + 8);
	CHECK(n);
	n->refcount = 1;
	strcpy(n->name, "arena");
	find_vma(mm, BASE)->anon_name = n;
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	CHECK(find_vma(c, BASE)->anon_name == n);
	CHECK_EQ(n->refcount, 2);
	vms_mm_free(c);
	CHECK_EQ(n->refcount, 1);
}

/* ---- resident pages ---- */

TEST(fork_rss_copies_only_vmas_that_need_copy)
{
	vms_mm *mm = new_mm(sys);
	struct vms_inode_info ii = {.dev_major = 8, .dev_minor = 1, .ino = 9, .size = 16 * PG,
				    .path = "/data"};
	vms_inode *ino = vms_inode_get(sys, &ii);
	vms_file *f = vms_file_open(ino, VMS_O_RDWR);
	/* A: faulted anon, 3 pages resident. */
	CHECK(rw_at(mm, BASE, 4) > 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(vms_fault(mm, BASE + i * PG, 1), 0);
	/* B: private file, read only: no anon_vma, refaulted in the child. */
	CHECK(vms_mmap(mm, BASE + 8 * PG, 2 * PG, VMS_PROT_READ, VMS_MAP_PRIVATE | VMS_MAP_FIXED,
		       f, 0) > 0);
	CHECK_EQ(vms_fault(mm, BASE + 8 * PG, 0), 0);
	/* C: private file, one page read and one written: has an anon_vma, so
	 * both pages are copied, each keeping its type. */
	CHECK(vms_mmap(mm, BASE + 16 * PG, 2 * PG, VMS_PROT_READ | VMS_PROT_WRITE,
		       VMS_MAP_PRIVATE | VMS_MAP_FIXED, f, 8 * PG) > 0);
	CHECK_EQ(vms_fault(mm, BASE + 16 * PG, 0), 0);
	CHECK_EQ(vms_fault(mm, BASE + 17 * PG, 1), 0);
	/* D: shared file and E: shmem, touched: not copied (live: RssShmem 0). */
	CHECK(vms_mmap(mm, BASE + 24 * PG, 2 * PG, VMS_PROT_READ | VMS_PROT_WRITE,
		       VMS_MAP_SHARED | VMS_MAP_FIXED, f, 0) > 0);
	CHECK_EQ(vms_fault(mm, BASE + 24 * PG, 1), 0);
	CHECK(vms_mmap(mm, BASE + 32 * PG, 2 * PG, VMS_PROT_READ | VMS_PROT_WRITE,
		       VMS_MAP_SHARED | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED, NULL, 0) > 0);
	CHECK_EQ(vms_fault(mm, BASE + 32 * PG, 1), 0);
	vms_file_close(f);
	struct vms_mm_counters cp, cc;
	vms_mm_get_counters(mm, &cp);
	CHECK_EQ(cp.rss_anon, 4);
	CHECK_EQ(cp.rss_file, 3);
	CHECK_EQ(cp.rss_shmem, 1);
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	vms_mm_get_counters(c, &cc);
	CHECK_EQ(cc.rss_anon, 4);
	CHECK_EQ(cc.rss_file, 1);
	CHECK_EQ(cc.rss_shmem, 0);
	CHECK_EQ(rss_count(c, BASE, BASE + 4 * PG), 3);
	CHECK_EQ(rss_count(c, BASE + 16 * PG, BASE + 18 * PG), 2);
	VALID(c);
}

TEST(fork_rss_copies_guard_marked_file_vma)
{
	vms_mm *mm = new_mm(sys);
	struct vms_inode_info ii = {.dev_major = 8, .dev_minor = 1, .ino = 10, .size = 4 * PG,
				    .path = "/data"};
	vms_file *f = vms_file_open(vms_inode_get(sys, &ii), VMS_O_RDONLY);
	CHECK(vms_mmap(mm, BASE, 4 * PG, VMS_PROT_READ, VMS_MAP_SHARED | VMS_MAP_FIXED, f, 0) > 0);
	CHECK_EQ(vms_fault(mm, BASE, 0), 0);
	vms_file_close(f);
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	CHECK_EQ(c->rss_file, 0);
	/* VM_COPY_ON_FORK (6.18 stable): guard markers live in the page tables. */
	set_vma_flag(mm, BASE, VM_MAYBE_GUARD);
	vms_mm *c2 = fork_ok(mm);
	CHECK(c2);
	CHECK_EQ(c2->rss_file, 1);
	VALID(c2);
}

TEST(fork_child_loses_uffd_flags)
{
	vms_mm *mm = new_mm(sys);
	CHECK(rw_at(mm, BASE, 2) > 0);
	vms_uffd *u = NULL;
	CHECK_EQ(vms_userfaultfd(mm, VMS_UFFD_USER_MODE_ONLY, &u), 0);
	CHECK_EQ(vms_uffdio_api(u, VMS_UFFD_API, 0, NULL, NULL), 0);
	CHECK_EQ(vms_uffdio_register(u, BASE, 2 * PG, VMS_UFFDIO_REGISTER_MODE_MISSING |
			VMS_UFFDIO_REGISTER_MODE_WP, NULL), 0);
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	CHECK_EQ(info_at(c, BASE).vm_flags & (VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR), 0);
	CHECK(info_at(mm, BASE).vm_flags & VM_UFFD_WP);
}

TEST(fork_rss_range_spanning_vmas_is_clipped)
{
	vms_mm *mm = new_mm(sys);
	CHECK(rw_at(mm, BASE, 6) > 0);
	for (int i = 0; i < 6; i++)
		CHECK_EQ(vms_fault(mm, BASE + i * PG, 1), 0);
	/* One resident range over three VMAs; the middle one is not copied. */
	CHECK_EQ(reprotect(mm, BASE + 2 * PG, BASE + 4 * PG, VM_READ), 0);
	set_vma_flag(mm, BASE + 2 * PG, VM_WIPEONFORK);
	CHECK_EQ(mm->nresident, 1);
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	CHECK_EQ(c->nresident, 2);
	CHECK_EQ(rss_count(c, BASE, BASE + 6 * PG), 4);
	CHECK_EQ(rss_count(c, BASE + 2 * PG, BASE + 4 * PG), 0);
	VALID(c);
	/* Adjacent copied pieces join into one range again. */
	vms_mm *c2 = NULL;
	find_vma(mm, BASE + 2 * PG)->flags &= ~VM_WIPEONFORK;
	c2 = fork_ok(mm);
	CHECK(c2);
	CHECK_EQ(c2->nresident, 1);
	VALID(c2);
}

/* ---- scale ---- */

SLOW_TEST(fork_100k_vmas_smoke)
{
	CHECK_EQ(vms_sysctl_set(sys, "vm.max_map_count", 1 << 20), 0);
	vms_mm *mm = new_mm(sys);
	const uint64_t n = 100000;
	for (uint64_t i = 0; i < n; i++) {
		int prot = (i & 1) ? VMS_PROT_READ : VMS_PROT_READ | VMS_PROT_WRITE;
		CHECK(anon(mm, BASE + i * PG, PG, prot, VMS_MAP_FIXED) > 0);
		if (i % 7 == 0 && !(i & 1))
			CHECK_EQ(vms_fault(mm, BASE + i * PG, 1), 0);
	}
	CHECK_EQ(count_vmas(mm), (int)n);
	uint64_t committed = vms_sys_committed_pages(sys);
	vms_mm *c = fork_ok(mm);
	CHECK(c);
	CHECK_EQ(count_vmas(c), (int)n);
	CHECK_EQ(vms_sys_committed_pages(sys), committed + n / 2);
	struct vms_mm_counters cp, cc;
	vms_mm_get_counters(mm, &cp);
	vms_mm_get_counters(c, &cc);
	CHECK_EQ(cc.rss_anon, cp.rss_anon);
	CHECK_EQ(cc.total_vm, cp.total_vm);
	VALID(c);
	/* The child's index works: a lookup and an unmap in the middle. */
	CHECK_EQ(info_at(c, BASE + 5001 * PG).start, BASE + 5001 * PG);
	CHECK_EQ(vms_munmap(c, BASE + 5000 * PG, 3 * PG), 0);
	CHECK_EQ(count_vmas(c), (int)n - 3);
	VALID(c);
	vms_mm_free(c);
	CHECK_EQ(vms_sys_committed_pages(sys), committed);
	VALID(mm);
}
