/*
 * test_events.c: decisions as events (include/vmspace.h, src/event.c): one
 * test per event kind, named for the kernel rule that decides it: each
 * vma_merge case 1-8 (mm/vma.c's merge left/right/both of a new or existing
 * range), each merge refusal, each limit, the placement of a mapping (top-down,
 * bottom-up, hints), faults, fork and exec; that a call failing for the
 * model's lack of memory emits no VMA change; and that with no observer
 * nothing is called.
 */
#include "t.h"

#define PG 4096ULL
#define X 0x100000000ULL /* a free stretch well below mmap_base */

#define MAXEV 4096
struct rec {
	struct vms_event ev[MAXEV];
	int n;
	char text[256];
};
static struct rec R;

static void record(void *arg, const struct vms_event *ev)
{
	struct rec *r = arg;
	if (r->n < MAXEV)
		r->ev[r->n++] = *ev;
	/* every event has a text, and a rule */
	vms_event_text(ev, r->text, sizeof(r->text));
}

static vms_mm *new_mm_cfg(vms_sys *sys, const struct vms_mm_config *cfg)
{
	vms_mm *mm = vms_mm_new(sys, cfg);
	R.n = 0;
	vms_sys_set_observer(sys, record, &R);
	return mm;
}

static vms_mm *new_mm(vms_sys *sys)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE,
				    .caps = VMS_CAP_SYS_ADMIN | VMS_CAP_IPC_LOCK};
	return new_mm_cfg(sys, &cfg);
}

static long anon_at(vms_mm *mm, uint64_t addr, uint64_t len, int prot)
{
	return vms_mmap(mm, addr, len, prot, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED,
			NULL, 0);
}

/* The last event of a kind, or NULL. */
static const struct vms_event *last(int kind)
{
	for (int i = R.n - 1; i >= 0; i--)
		if (R.ev[i].kind == kind)
			return &R.ev[i];
	return NULL;
}

static int count(int kind)
{
	int n = 0;
	for (int i = 0; i < R.n; i++)
		n += R.ev[i].kind == kind;
	return n;
}

static const struct vms_event *limit_of(int which)
{
	for (int i = R.n - 1; i >= 0; i--)
		if (R.ev[i].kind == VMS_EV_LIMIT && R.ev[i].u.limit.which == which)
			return &R.ev[i];
	return NULL;
}

#define RW (VMS_PROT_READ | VMS_PROT_WRITE)
#define RO VMS_PROT_READ
#define RX (VMS_PROT_READ | VMS_PROT_EXEC)

/* Checks the last merge: its seeds case, side(s), and what mm/vma.c calls it. */
#define CHECK_MERGE(case_, with_, existing_, rule_)                                         \
	do {                                                                                 \
		const struct vms_event *m_ = last(VMS_EV_VMA_MERGE);                         \
		CHECK(m_ != NULL);                                                           \
		CHECK_EQ(m_->u.merge.seeds_case, case_);                                     \
		CHECK_EQ(m_->u.merge.with, with_);                                           \
		CHECK_EQ(m_->u.merge.existing, existing_);                                   \
		CHECK(!strcmp(m_->rule, rule_));                                             \
		CHECK(m_->u.merge.vma_case && m_->u.merge.vma_case[0]);                      \
	} while (0)

/* ---- merges: vma_merge()'s eight cases ---- */

TEST(vma_merge_new_range_both_is_case_1)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(anon_at(mm, X, PG, RW), X);
	CHECK_EQ(anon_at(mm, X + 2 * PG, PG, RW), X + 2 * PG);
	R.n = 0;
	CHECK_EQ(anon_at(mm, X + PG, PG, RW), X + PG);
	CHECK_MERGE(1, VMS_MERGE_BOTH, 0, "vma_merge_new_range");
	const struct vms_event *m = last(VMS_EV_VMA_MERGE);
	CHECK_EQ(m->start, X);
	CHECK_EQ(m->end, X + 3 * PG);
	CHECK_EQ(m->u.merge.range_start, X + PG);
	CHECK_EQ(count(VMS_EV_VMA_NEW), 0);
}

TEST(vma_merge_new_range_left_is_case_2)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(anon_at(mm, X, PG, RW), X);
	R.n = 0;
	CHECK_EQ(anon_at(mm, X + PG, PG, RW), X + PG);
	CHECK_MERGE(2, VMS_MERGE_PREV, 0, "vma_merge_new_range");
}

TEST(vma_merge_new_range_right_is_case_3)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(anon_at(mm, X + PG, PG, RW), X + PG);
	R.n = 0;
	CHECK_EQ(anon_at(mm, X, PG, RW), X);
	CHECK_MERGE(3, VMS_MERGE_NEXT, 0, "vma_merge_new_range");
}

TEST(vma_merge_existing_range_right_partial_is_case_4)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(anon_at(mm, X, 2 * PG, RW), X);
	CHECK_EQ(anon_at(mm, X + 2 * PG, PG, RO), X + 2 * PG);
	R.n = 0;
	CHECK_EQ(vms_mprotect(mm, X + PG, PG, RO), 0);
	CHECK_MERGE(4, VMS_MERGE_NEXT, 1, "vma_merge_existing_range");
	CHECK_EQ(last(VMS_EV_VMA_MERGE)->u.merge.partial, 1);
}

TEST(vma_merge_existing_range_left_partial_is_case_5)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(anon_at(mm, X, PG, RO), X);
	CHECK_EQ(anon_at(mm, X + PG, 2 * PG, RW), X + PG);
	R.n = 0;
	CHECK_EQ(vms_mprotect(mm, X + PG, PG, RO), 0);
	CHECK_MERGE(5, VMS_MERGE_PREV, 1, "vma_merge_existing_range");
}

TEST(vma_merge_existing_range_both_is_case_6)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(anon_at(mm, X, PG, RO), X);
	CHECK_EQ(anon_at(mm, X + PG, PG, RW), X + PG);
	CHECK_EQ(anon_at(mm, X + 2 * PG, PG, RO), X + 2 * PG);
	R.n = 0;
	CHECK_EQ(vms_mprotect(mm, X + PG, PG, RO), 0);
	CHECK_MERGE(6, VMS_MERGE_BOTH, 1, "vma_merge_existing_range");
	CHECK_EQ(last(VMS_EV_VMA_MERGE)->end, X + 3 * PG);
}

TEST(vma_merge_existing_range_left_whole_is_case_7)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(anon_at(mm, X, PG, RO), X);
	CHECK_EQ(anon_at(mm, X + PG, PG, RW), X + PG);
	CHECK_EQ(anon_at(mm, X + 2 * PG, PG, RX), X + 2 * PG);
	R.n = 0;
	CHECK_EQ(vms_mprotect(mm, X + PG, PG, RO), 0);
	CHECK_MERGE(7, VMS_MERGE_PREV, 1, "vma_merge_existing_range");
	/* and why next did not join */
	const struct vms_event *r = last(VMS_EV_MERGE_REFUSED);
	CHECK(r != NULL);
	CHECK_EQ(r->u.refuse.side, VMS_MERGE_NEXT);
	CHECK_EQ(r->u.refuse.reason, VMS_REFUSE_FLAGS);
}

TEST(vma_merge_existing_range_right_whole_is_case_8)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(anon_at(mm, X, PG, RX), X);
	CHECK_EQ(anon_at(mm, X + PG, PG, RW), X + PG);
	CHECK_EQ(anon_at(mm, X + 2 * PG, PG, RO), X + 2 * PG);
	R.n = 0;
	CHECK_EQ(vms_mprotect(mm, X + PG, PG, RO), 0);
	CHECK_MERGE(8, VMS_MERGE_NEXT, 1, "vma_merge_existing_range");
}

TEST(do_brk_flags_expands_the_heap_as_case_2)
{
	vms_mm *mm = new_mm(sys);
	vms_mm_set_brk_start(mm, 0x555555559000ULL);
	CHECK_EQ(vms_brk(mm, 0x55555557a000ULL), 0x55555557a000LL);
	CHECK(last(VMS_EV_VMA_NEW) != NULL);
	CHECK_EQ(last(VMS_EV_VMA_NEW)->u.vma.why, VMS_WHY_BRK);
	R.n = 0;
	CHECK_EQ(vms_brk(mm, 0x55555559b000ULL), 0x55555559b000LL);
	CHECK_MERGE(2, VMS_MERGE_PREV, 0, "vma_merge_new_range");
}

/* ---- merge refusals: the first condition that failed ---- */

static int refusal(void)
{
	const struct vms_event *r = last(VMS_EV_MERGE_REFUSED);
	return r ? r->u.refuse.reason : 0;
}

TEST(is_mergeable_vma_refuses_other_flags)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(anon_at(mm, X, PG, RW), X);
	R.n = 0;
	CHECK_EQ(anon_at(mm, X + PG, PG, RO), X + PG);
	CHECK_EQ(refusal(), VMS_REFUSE_FLAGS);
	const struct vms_event *r = last(VMS_EV_MERGE_REFUSED);
	CHECK_EQ(r->u.refuse.side, VMS_MERGE_PREV);
	CHECK_EQ(r->u.refuse.vma_start, X);
	CHECK(!strcmp(vms_merge_refusal_name(r->u.refuse.reason), "flags"));
	CHECK_EQ(last(VMS_EV_VMA_NEW)->start, X + PG);
	CHECK_EQ(last(VMS_EV_VMA_NEW)->u.vma.why, VMS_WHY_MMAP);
}

static vms_file *test_file(vms_sys *sys, uint64_t ino)
{
	struct vms_inode_info info = {8, 1, ino, 64 * PG, "/t/file", 0};
	vms_inode *in = vms_inode_get(sys, &info);
	return in ? vms_file_open(in, VMS_O_RDWR) : NULL;
}

TEST(is_mergeable_vma_refuses_another_file)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = test_file(sys, 11);
	CHECK(f != NULL);
	CHECK_EQ(vms_mmap(mm, X, PG, RW, VMS_MAP_PRIVATE | VMS_MAP_FIXED, f, 0), X);
	R.n = 0;
	CHECK_EQ(anon_at(mm, X + PG, PG, RW), X + PG);
	CHECK_EQ(refusal(), VMS_REFUSE_FILE);
	vms_file_close(f);
}

TEST(can_vma_merge_after_refuses_a_pgoff_that_does_not_continue)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = test_file(sys, 12);
	CHECK(f != NULL);
	CHECK_EQ(vms_mmap(mm, X, PG, RO, VMS_MAP_PRIVATE | VMS_MAP_FIXED, f, 0), X);
	R.n = 0;
	CHECK_EQ(vms_mmap(mm, X + PG, PG, RO, VMS_MAP_PRIVATE | VMS_MAP_FIXED, f, 4 * PG), X + PG);
	CHECK_EQ(refusal(), VMS_REFUSE_PGOFF);
	/* the offset that continues merges */
	R.n = 0;
	CHECK_EQ(vms_mmap(mm, X + 2 * PG, PG, RO, VMS_MAP_PRIVATE | VMS_MAP_FIXED, f, 5 * PG),
		 X + 2 * PG);
	CHECK_MERGE(2, VMS_MERGE_PREV, 0, "vma_merge_new_range");
	vms_file_close(f);
}

TEST(is_mergeable_vma_refuses_another_anon_name)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(anon_at(mm, X, PG, RW), X);
	if (vms_set_anon_name(mm, X, PG, "one") != 0)
		t_skip("anon VMA names are not built in (config.anon_vma_name)");
	R.n = 0;
	CHECK_EQ(anon_at(mm, X + PG, PG, RW), X + PG);
	CHECK_EQ(refusal(), VMS_REFUSE_NAME);
}

TEST(is_mergeable_anon_vma_refuses_an_anon_vma_inherited_through_fork)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(anon_at(mm, X, PG, RW), X);
	CHECK_EQ(vms_fault(mm, X, 1), 0);
	int err = 0;
	vms_mm *child = vms_fork(mm, &err);
	CHECK(child != NULL);
	R.n = 0;
	CHECK_EQ(anon_at(child, X + PG, PG, RW), X + PG);
	CHECK_EQ(refusal(), VMS_REFUSE_ANON_VMA);
	vms_mm_free(child);
}

TEST(can_vma_merge_right_refuses_prev_and_next_with_different_anon_vmas)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(anon_at(mm, X, PG, RW), X);
	CHECK_EQ(anon_at(mm, X + 2 * PG, PG, RW), X + 2 * PG);
	CHECK_EQ(vms_fault(mm, X, 1), 0);
	CHECK_EQ(vms_fault(mm, X + 2 * PG, 1), 0);
	R.n = 0;
	CHECK_EQ(anon_at(mm, X + PG, PG, RW), X + PG);
	CHECK_MERGE(2, VMS_MERGE_PREV, 0, "vma_merge_new_range");
	CHECK_EQ(refusal(), VMS_REFUSE_ANON_PAIR);
}

TEST(is_mergeable_vma_refuses_another_memory_policy)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(anon_at(mm, X, PG, RW), X);
	uint64_t node0 = 1;
	if (vms_mbind(mm, X, PG, VMS_MPOL_BIND, &node0, 1, 64, 0) != 0)
		t_skip("mbind to node 0 refused on this model's machine");
	R.n = 0;
	CHECK_EQ(anon_at(mm, X + PG, PG, RW), X + PG);
	CHECK_EQ(refusal(), VMS_REFUSE_POLICY);
}

TEST(vma_merge_new_range_refuses_vm_special)
{
	/* hugetlb VMAs are VM_DONTEXPAND, one of the VM_SPECIAL bits */
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_sys_set_hugetlb_pool(sys, 2ULL << 20, 4), 0);
	uint64_t h = 0x200000000ULL;
	int fl = VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED | VMS_MAP_HUGETLB;
	CHECK_EQ(vms_mmap(mm, h, 2ULL << 20, RW, fl, NULL, 0), (long)h);
	R.n = 0;
	CHECK_EQ(vms_mmap(mm, h + (2ULL << 20), 2ULL << 20, RW, fl, NULL, 0), (long)(h + (2ULL << 20)));
	CHECK_EQ(refusal(), VMS_REFUSE_SPECIAL);
	/* the reservation was checked against the pool */
	const struct vms_event *l = limit_of(VMS_LIMIT_HUGETLB);
	CHECK(l != NULL);
	CHECK_EQ(l->u.limit.ok, 1);
	CHECK_EQ(l->u.limit.asked, 1);
}

/* ---- limits ---- */

TEST(may_expand_vm_refuses_past_rlimit_as)
{
	vms_mm *mm = new_mm(sys);
	struct vms_rlimit l = {16 * PG, VMS_RLIM_INFINITY};
	CHECK_EQ(vms_prlimit(mm, VMS_RLIMIT_AS, &l, NULL), 0);
	CHECK_EQ(vms_mmap(mm, 0, 8 * PG, RO, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0) > 0, 1);
	R.n = 0;
	CHECK_EQ(vms_mmap(mm, 0, 9 * PG, RO, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0), -12);
	const struct vms_event *e = limit_of(VMS_LIMIT_AS);
	CHECK(e != NULL);
	CHECK_EQ(e->u.limit.ok, 0);
	CHECK_EQ(e->u.limit.used, 8);
	CHECK_EQ(e->u.limit.asked, 9);
	CHECK_EQ(e->u.limit.max, 16);
	CHECK(!strcmp(e->rule, "may_expand_vm"));
	CHECK_EQ(count(VMS_EV_VMA_NEW), 0);
}

TEST(may_expand_vm_refuses_data_past_rlimit_data)
{
	vms_mm *mm = new_mm(sys);
	struct vms_rlimit l = {4 * PG, 4 * PG};
	CHECK_EQ(vms_prlimit(mm, VMS_RLIMIT_DATA, &l, NULL), 0);
	R.n = 0;
	CHECK_EQ(vms_mmap(mm, 0, 8 * PG, RW, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0), -12);
	const struct vms_event *e = limit_of(VMS_LIMIT_DATA);
	CHECK(e != NULL);
	CHECK_EQ(e->u.limit.ok, 0);
	CHECK_EQ(e->u.limit.max, 4);
}

TEST(acct_stack_growth_refuses_past_rlimit_stack)
{
	vms_mm *mm = new_mm(sys);
	struct vms_rlimit l = {4 * PG, 4 * PG};
	CHECK_EQ(vms_prlimit(mm, VMS_RLIMIT_STACK, &l, NULL), 0);
	uint64_t s = 0x300000000ULL;
	CHECK_EQ(vms_mmap(mm, s, 2 * PG, RW,
			  VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED | VMS_MAP_GROWSDOWN, NULL,
			  0),
		 (long)s);
	R.n = 0;
	CHECK_EQ(vms_fault(mm, s - PG, 1), 0);
	const struct vms_event *g = last(VMS_EV_STACK_GROW);
	CHECK(g != NULL);
	CHECK_EQ(g->start, s - PG);
	CHECK_EQ(g->u.grow.pages, 1);
	CHECK(!strcmp(g->rule, "expand_downwards"));
	R.n = 0;
	CHECK_EQ(vms_fault(mm, s - 4 * PG, 1), -14);
	const struct vms_event *e = limit_of(VMS_LIMIT_STACK);
	CHECK(e != NULL);
	CHECK_EQ(e->u.limit.ok, 0);
	CHECK_EQ(e->u.limit.max, 4 * PG);
	CHECK_EQ(count(VMS_EV_STACK_GROW), 0);
}

TEST(mlock_future_ok_refuses_past_rlimit_memlock)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE};
	vms_mm *mm = new_mm_cfg(sys, &cfg);
	struct vms_rlimit l = {2 * PG, 2 * PG};
	CHECK_EQ(vms_prlimit(mm, VMS_RLIMIT_MEMLOCK, &l, NULL), 0);
	R.n = 0;
	CHECK_EQ(vms_mmap(mm, 0, 4 * PG, RW, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_LOCKED,
			  NULL, 0),
		 -11);
	const struct vms_event *e = limit_of(VMS_LIMIT_MEMLOCK);
	CHECK(e != NULL);
	CHECK_EQ(e->u.limit.ok, 0);
	CHECK_EQ(e->u.limit.asked, 4);
	CHECK_EQ(e->u.limit.max, 2);
	/* do_mlock's own check */
	long a = vms_mmap(mm, 0, 4 * PG, RW, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0);
	CHECK(a > 0);
	R.n = 0;
	CHECK_EQ(vms_mlock(mm, (uint64_t)a, 4 * PG), -12);
	CHECK_EQ(limit_of(VMS_LIMIT_MEMLOCK)->u.limit.ok, 0);
	CHECK(!strcmp(limit_of(VMS_LIMIT_MEMLOCK)->rule, "do_mlock"));
}

TEST(can_do_mlock_refuses_without_memlock_or_cap_ipc_lock)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE};
	vms_mm *mm = new_mm_cfg(sys, &cfg);
	struct vms_rlimit l = {0, 0};
	CHECK_EQ(vms_prlimit(mm, VMS_RLIMIT_MEMLOCK, &l, NULL), 0);
	R.n = 0;
	CHECK_EQ(vms_mlockall(mm, 1), -1);
	CHECK(limit_of(VMS_LIMIT_MLOCK_CAP) != NULL);
	CHECK_EQ(limit_of(VMS_LIMIT_MLOCK_CAP)->u.limit.ok, 0);
}

TEST(split_vma_refuses_past_max_map_count)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(anon_at(mm, X, 4 * PG, RW), X);
	CHECK_EQ(vms_sysctl_set(sys, "vm.max_map_count", 1), 0);
	R.n = 0;
	CHECK_EQ(vms_mprotect(mm, X + PG, PG, RO), -12);
	const struct vms_event *e = limit_of(VMS_LIMIT_MAP_COUNT);
	CHECK(e != NULL);
	CHECK_EQ(e->u.limit.ok, 0);
	CHECK_EQ(e->u.limit.used, 1);
	CHECK_EQ(e->u.limit.max, 1);
	CHECK_EQ(count(VMS_EV_VMA_SPLIT), 0);
}

TEST(vm_enough_memory_refuses_past_the_commit_limit_with_overcommit_never)
{
	vms_mm *mm = new_mm(sys);
	vms_sys_set_memory(sys, 64ULL << 20, 0);
	CHECK_EQ(vms_sysctl_set(sys, "vm.overcommit_memory", 2), 0);
	R.n = 0;
	CHECK_EQ(vms_mmap(mm, 0, 1ULL << 30, RW, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0), -12);
	const struct vms_event *e = limit_of(VMS_LIMIT_COMMIT);
	CHECK(e != NULL);
	CHECK_EQ(e->u.limit.ok, 0);
	CHECK_EQ(e->u.limit.policy, 2);
	CHECK_EQ(e->u.limit.asked, (1ULL << 30) / PG);
	CHECK(e->u.limit.max < e->u.limit.asked);
	CHECK(!strcmp(e->rule, "__vm_enough_memory"));
	/* a small one passes, with its numbers */
	R.n = 0;
	CHECK(vms_mmap(mm, 0, 4 * PG, RW, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0) > 0);
	CHECK_EQ(limit_of(VMS_LIMIT_COMMIT)->u.limit.ok, 1);
	CHECK_EQ(limit_of(VMS_LIMIT_COMMIT)->u.limit.asked, 4);
}

TEST(hugetlb_reserve_pages_refuses_an_empty_pool)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_sys_set_hugetlb_pool(sys, 2ULL << 20, 0), 0);
	R.n = 0;
	CHECK_EQ(vms_mmap(mm, 0, 2ULL << 20, RW,
			  VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_HUGETLB, NULL, 0),
		 -12);
	const struct vms_event *e = limit_of(VMS_LIMIT_HUGETLB);
	CHECK(e != NULL);
	CHECK_EQ(e->u.limit.ok, 0);
}

/* ---- placement ---- */

TEST(unmapped_area_topdown_takes_the_highest_gap_below_mmap_base)
{
	vms_mm *mm = new_mm(sys);
	long a = vms_mmap(mm, 0, 2 * PG, RO, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0);
	const struct vms_event *p = last(VMS_EV_PLACE);
	CHECK(p != NULL);
	CHECK_EQ(p->u.place.topdown, 1);
	CHECK_EQ(p->start, (uint64_t)a);
	CHECK_EQ(p->end, (uint64_t)a + 2 * PG);
	CHECK_EQ(p->u.place.high, (uint64_t)a + 2 * PG); /* mmap_base */
	CHECK_EQ(p->u.place.length, 2 * PG);
	CHECK(!strcmp(p->rule, "unmapped_area_topdown"));
	CHECK_EQ(count(VMS_EV_HINT), 0);
}

TEST(unmapped_area_bottom_up_with_legacy_va_layout)
{
	CHECK_EQ(vms_sysctl_set(sys, "vm.legacy_va_layout", 1), 0);
	vms_mm *mm = new_mm(sys);
	long a = vms_mmap(mm, 0, PG, RO, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0);
	CHECK(a > 0);
	const struct vms_event *p = last(VMS_EV_PLACE);
	CHECK(p != NULL);
	CHECK_EQ(p->u.place.topdown, 0);
	CHECK_EQ(p->start, (uint64_t)a);
	CHECK_EQ(p->u.place.low, (uint64_t)a); /* the lowest gap: the window's start */
	CHECK(!strcmp(p->rule, "unmapped_area"));
}

TEST(unmapped_area_topdown_reports_no_gap)
{
	vms_mm *mm = new_mm(sys);
	CHECK(vms_mmap(mm, 0, 1ULL << 46, RO, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0) > 0);
	R.n = 0;
	CHECK_EQ(vms_mmap(mm, 0, (1ULL << 46) + (1ULL << 45), RO,
			  VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0),
		 -12);
	/* top-down failed, then bottom-up (arch_get_unmapped_area); THP's padded
	 * search (thp_get_unmapped_area) tried both first */
	CHECK_EQ(count(VMS_EV_PLACE), 4);
	const struct vms_event *p = last(VMS_EV_PLACE);
	CHECK_EQ(p->u.place.err, -12);
	CHECK_EQ(p->u.place.topdown, 0);
	CHECK_EQ(p->start, 0);
}

TEST(arch_get_unmapped_area_topdown_takes_a_free_hint)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_mmap(mm, X, PG, RO, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0), X);
	const struct vms_event *h = last(VMS_EV_HINT);
	CHECK(h != NULL);
	CHECK_EQ(h->u.hint.verdict, VMS_HINT_TAKEN);
	CHECK_EQ(h->start, X);
	CHECK_EQ(count(VMS_EV_PLACE), 0);
}

TEST(arch_get_unmapped_area_topdown_searches_past_an_overlapping_hint)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_mmap(mm, X, PG, RO, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0), X);
	R.n = 0;
	long a = vms_mmap(mm, X, PG, RW, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0);
	CHECK(a > 0 && (uint64_t)a != X);
	const struct vms_event *h = last(VMS_EV_HINT);
	CHECK_EQ(h->u.hint.verdict, VMS_HINT_OVERLAP);
	CHECK_EQ(h->u.hint.vma_start, X);
	CHECK_EQ(count(VMS_EV_PLACE), 1);
}

TEST(round_hint_to_min_raises_a_hint_below_mmap_min_addr)
{
	vms_mm *mm = new_mm(sys);
	long a = vms_mmap(mm, PG, PG, RO, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0);
	CHECK(a > 0);
	CHECK(R.n > 0);
	CHECK_EQ(R.ev[0].kind, VMS_EV_HINT);
	CHECK_EQ(R.ev[0].u.hint.verdict, VMS_HINT_RAISED);
	CHECK_EQ(R.ev[0].u.hint.floor, 0x10000);
	CHECK(!strcmp(R.ev[0].rule, "round_hint_to_min"));
}

TEST(mmap_address_hint_valid_ignores_a_hint_past_task_size)
{
	vms_mm *mm = new_mm(sys);
	long a = vms_mmap(mm, 1ULL << 57, PG, RO, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0);
	CHECK(a > 0);
	const struct vms_event *h = last(VMS_EV_HINT);
	CHECK(h != NULL);
	CHECK_EQ(h->u.hint.verdict, VMS_HINT_OUTSIDE);
	CHECK(!strcmp(h->rule, "mmap_address_hint_valid"));
}

TEST(do_mmap_map_fixed_takes_the_address_and_map_fixed_noreplace_refuses)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(anon_at(mm, X, 2 * PG, RW), X);
	CHECK_EQ(last(VMS_EV_HINT)->u.hint.verdict, VMS_HINT_FIXED);
	R.n = 0;
	CHECK_EQ(vms_mmap(mm, X + PG, PG, RW,
			  VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED_NOREPLACE, NULL, 0),
		 -17);
	CHECK_EQ(last(VMS_EV_HINT)->u.hint.verdict, VMS_HINT_NOREPLACE);
	CHECK_EQ(last(VMS_EV_HINT)->u.hint.vma_start, X);
	/* MAP_FIXED over the middle: split twice, the old piece removed */
	R.n = 0;
	CHECK_EQ(anon_at(mm, X + PG, PG, RO), X + PG);
	CHECK_EQ(count(VMS_EV_VMA_SPLIT), 1);
	CHECK_EQ(last(VMS_EV_VMA_SPLIT)->u.split.addr, X + PG);
	CHECK_EQ(last(VMS_EV_VMA_SPLIT)->u.split.why, VMS_WHY_MUNMAP);
	CHECK_EQ(count(VMS_EV_VMA_GONE), 1);
	CHECK_EQ(last(VMS_EV_VMA_GONE)->start, X + PG);
	CHECK_EQ(count(VMS_EV_VMA_NEW), 1);
}

TEST(vms_complete_munmap_vmas_reports_each_vma_removed)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(anon_at(mm, X, PG, RW), X);
	CHECK_EQ(anon_at(mm, X + PG, PG, RO), X + PG);
	CHECK_EQ(anon_at(mm, X + 2 * PG, PG, RW), X + 2 * PG);
	R.n = 0;
	CHECK_EQ(vms_munmap(mm, X, 3 * PG), 0);
	CHECK_EQ(count(VMS_EV_VMA_GONE), 3);
	CHECK_EQ(count(VMS_EV_VMA_SPLIT), 0);
	R.n = 0;
	CHECK_EQ(anon_at(mm, X, 4 * PG, RW), X);
	CHECK_EQ(vms_munmap(mm, X + PG, PG), 0);
	CHECK_EQ(count(VMS_EV_VMA_SPLIT), 2); /* a hole: both edges */
	CHECK_EQ(count(VMS_EV_VMA_GONE), 1);
}

/* ---- faults ---- */

TEST(anon_vma_prepare_creates_then_reuses_a_neighbours_anon_vma)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(anon_at(mm, X, PG, RW), X);
	CHECK_EQ(anon_at(mm, X + PG, PG, RW | VMS_PROT_EXEC), X + PG);
	R.n = 0;
	CHECK_EQ(vms_fault(mm, X, 1), 0);
	const struct vms_event *a = last(VMS_EV_ANON_VMA);
	CHECK(a != NULL);
	CHECK_EQ(a->u.anon.reused, 0);
	uint64_t id = a->u.anon.id;
	const struct vms_event *r = last(VMS_EV_RESIDENT);
	CHECK(r != NULL);
	CHECK_EQ(r->start, X);
	CHECK_EQ(r->u.resident.pages, 1);
	CHECK_EQ(r->u.resident.write, 1);
	R.n = 0;
	CHECK_EQ(vms_fault(mm, X + PG, 1), 0);
	a = last(VMS_EV_ANON_VMA);
	CHECK(a != NULL);
	CHECK_EQ(a->u.anon.reused, 1);
	CHECK_EQ(a->u.anon.id, id);
	/* a second touch of a resident page decides nothing */
	R.n = 0;
	CHECK_EQ(vms_fault(mm, X, 1), 0);
	CHECK_EQ(R.n, 0);
}

TEST(populate_vma_page_range_reports_the_pages_faulted_in)
{
	vms_mm *mm = new_mm(sys);
	R.n = 0;
	long a = vms_mmap(mm, 0, 4 * PG, RW, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_POPULATE,
			  NULL, 0);
	CHECK(a > 0);
	const struct vms_event *r = last(VMS_EV_RESIDENT);
	CHECK(r != NULL);
	CHECK_EQ(r->u.resident.pages, 4);
	CHECK(!strcmp(r->rule, "populate_vma_page_range"));
}

/* ---- fork and exec ---- */

TEST(dup_mmap_reports_each_vma_copied_or_skipped)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(anon_at(mm, X, PG, RW), X);
	CHECK_EQ(anon_at(mm, X + 2 * PG, PG, RW), X + 2 * PG);
	CHECK_EQ(vms_fault(mm, X, 1), 0);
	CHECK_EQ(vms_madvise(mm, X + 2 * PG, PG, VMS_MADV_DONTFORK), 0);
	R.n = 0;
	int err = 0;
	vms_mm *child = vms_fork(mm, &err);
	CHECK(child != NULL);
	CHECK_EQ(count(VMS_EV_FORK_VMA), 2);
	const struct vms_event *first = NULL;
	for (int i = 0; i < R.n && !first; i++)
		if (R.ev[i].kind == VMS_EV_FORK_VMA)
			first = &R.ev[i];
	CHECK_EQ(first->u.fork.copied, 1);
	CHECK_EQ(first->u.fork.anon_vma, 1);
	const struct vms_event *f = last(VMS_EV_FORK_VMA);
	CHECK_EQ(f->u.fork.copied, 0);
	CHECK_EQ(f->start, X + 2 * PG);
	vms_mm_free(child);
}

TEST(dup_mmap_failing_for_memory_reports_no_copy)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(anon_at(mm, X, PG, RW), X);
	CHECK_EQ(anon_at(mm, X + 2 * PG, PG, RW), X + 2 * PG);
	for (uint64_t n = 1; n < 64; n++) {
		R.n = 0;
		vms_sys_fail_alloc_after(sys, n);
		int err = 0;
		vms_mm *child = vms_fork(mm, &err);
		vms_sys_fail_alloc_after(sys, 0);
		if (child) {
			CHECK_EQ(count(VMS_EV_FORK_VMA), 2);
			vms_mm_free(child);
			return;
		}
		CHECK_EQ(count(VMS_EV_FORK_VMA), 0);
	}
	t_fail(__FILE__, __LINE__, "fork never succeeded");
}

TEST(elf_map_and_setup_arg_pages_report_what_exec_mapped)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE};
	const char *const argv[] = {"/usr/bin/true", NULL};
	struct vms_exec_args a = {"/usr/bin/true", argv, NULL, NULL, "/", NULL};
	struct vms_exec_stat st;
	char canon[256];
	if (vms_exec_host_fs()->stat(NULL, "/usr/bin/true", &st, canon, sizeof(canon)) != 0)
		t_skip("no /usr/bin/true on this host");
	R.n = 0;
	vms_sys_set_observer(sys, record, &R);
	long err = 0;
	vms_mm *mm = vms_execve(sys, NULL, &cfg, &a, NULL, &err);
	CHECK(mm != NULL);
	int seg = 0, stack = 0, special = 0;
	for (int i = 0; i < R.n; i++) {
		if (R.ev[i].kind != VMS_EV_EXEC_MAP)
			continue;
		seg += R.ev[i].u.exec.what == VMS_EXEC_SEGMENT;
		stack += R.ev[i].u.exec.what == VMS_EXEC_STACK;
		special += R.ev[i].u.exec.what == VMS_EXEC_SPECIAL;
	}
	CHECK(seg >= 2);
	CHECK_EQ(stack, 1);
	CHECK(special >= 1);
	vms_mm_free(mm);
}

/* ---- rollback, the text, and no observer ---- */

/* A call that fails for the model's own lack of memory changed nothing, so
 * it must report no VMA change: events are emitted only for changes that stay. */
TEST(events_of_a_call_failing_for_memory_claim_no_vma_change)
{
	static const int kinds[] = {VMS_EV_VMA_NEW, VMS_EV_VMA_GONE, VMS_EV_VMA_SPLIT,
				    VMS_EV_VMA_MERGE};
	for (int op = 0; op < 3; op++) {
		for (uint64_t n = 1; n < 200; n++) {
			vms_mm *mm = new_mm(sys);
			vms_file *f = test_file(sys, 20 + (uint64_t)op);
			CHECK(f != NULL);
			CHECK_EQ(vms_mmap(mm, X, 8 * PG, RW, VMS_MAP_PRIVATE | VMS_MAP_FIXED, f, 0), X);
			CHECK_EQ(anon_at(mm, X + 8 * PG, 2 * PG, RW), X + 8 * PG);
			struct t_snap before, after;
			t_snap_take(sys, mm, &before);
			R.n = 0;
			vms_sys_fail_alloc_after(sys, n);
			long r = op == 0   ? vms_mprotect(mm, X + 2 * PG, 2 * PG, RO)
				 : op == 1 ? anon_at(mm, X + 6 * PG, 3 * PG, RW)
					   : vms_munmap(mm, X + PG, PG);
			vms_sys_fail_alloc_after(sys, 0);
			int changes = 0;
			for (int i = 0; i < R.n; i++)
				for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
					changes += R.ev[i].kind == kinds[k];
			t_snap_take(sys, mm, &after);
			vms_file_close(f);
			if (r == -12) {
				CHECK(t_snap_equal(&before, &after));
				CHECK_EQ(changes, 0);
				vms_mm_free(mm);
				continue;
			}
			CHECK(r >= 0);
			CHECK(changes > 0);
			vms_mm_free(mm);
			break;
		}
	}
}

TEST(vms_event_text_says_each_kind_in_one_line_with_its_rule)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(anon_at(mm, X, PG, RW), X);
	CHECK_EQ(anon_at(mm, X + PG, PG, RW), X + PG);
	const struct vms_event *m = last(VMS_EV_VMA_MERGE);
	char buf[256];
	size_t n = vms_event_text(m, buf, sizeof(buf));
	CHECK_EQ(n, strlen(buf));
	CHECK(strstr(buf, "vma_merge case 2") != NULL);
	CHECK(strstr(buf, "[vma_merge_new_range]") != NULL);
	CHECK(!strchr(buf, '\n'));
	/* like snprintf: the length it needs, whatever the room */
	char small[8];
	CHECK_EQ(vms_event_text(m, small, sizeof(small)), n);
	CHECK_EQ(strlen(small), 7);
	CHECK_EQ(vms_event_text(m, NULL, 0), n);
	CHECK(!strcmp(vms_event_kind_name(VMS_EV_VMA_MERGE), "merge"));
	CHECK(!strcmp(vms_limit_name(VMS_LIMIT_AS), "RLIMIT_AS"));
}

static int calls;
static void counter(void *arg, const struct vms_event *ev)
{
	(void)arg;
	(void)ev;
	calls++;
}

TEST(vms_sys_set_observer_null_detaches)
{
	vms_mm *mm = vms_mm_new(sys, NULL);
	calls = 0;
	vms_sys_set_observer(sys, counter, NULL);
	CHECK(vms_mmap(mm, 0, PG, RW, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0) > 0);
	CHECK(calls > 0);
	int seen = calls;
	vms_sys_set_observer(sys, NULL, NULL);
	CHECK(vms_mmap(mm, 0, PG, RW, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0) > 0);
	CHECK_EQ(calls, seen);
}

TEST(check_mremap_params_refuses_a_fixed_move_near_max_map_count)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(anon_at(mm, X, 2 * PG, RW), X);
	CHECK_EQ(vms_sysctl_set(sys, "vm.max_map_count", 5), 0);
	R.n = 0;
	CHECK_EQ(vms_mremap(mm, X, 2 * PG, 2 * PG, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED,
			    X + 16 * PG),
		 -12);
	const struct vms_event *e = limit_of(VMS_LIMIT_MAP_COUNT);
	CHECK(e != NULL);
	CHECK_EQ(e->u.limit.ok, 0);
	CHECK_EQ(e->u.limit.max, 5);
	CHECK(!strcmp(e->rule, "check_mremap_params"));
}
