/*
 * test_policy.c: one test per rule of the memory policy, protection key,
 * shadow stack, prctl, personality and credential calls, against the model
 * alone: the rules the live kernel of a test machine may not show (a second
 * NUMA node, protection keys, shadow stacks, CAP_SYS_RESOURCE), and every
 * call's injected allocation failure. test_kdiff_policy.c compares the same
 * calls with the live kernel.
 */
#include "cred.h"
#include "t.h"

#define PG 4096ULL
#define A 0x200000000ULL
#define R VMS_PROT_READ
#define RW (VMS_PROT_READ | VMS_PROT_WRITE)
#define RX (VMS_PROT_READ | VMS_PROT_EXEC)
#define PA (VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS)
#define SA (VMS_MAP_SHARED | VMS_MAP_ANONYMOUS)
#define FIX VMS_MAP_FIXED
#define KEEP ((uint32_t)-1)
#define VM_PKEY_SHIFT 32
#define VM_SHADOW_STACK (1ULL << 37)
#define ALL_CAPS ((1ULL << 41) - 1)
#define CAP_SETUID_BIT (1ULL << 7)
#define CAP_IPC_LOCK_BIT (1ULL << 14)

static vms_mm *new_mm(vms_sys *sys)
{
	struct vms_mm_config cfg = {
	    .personality = VMS_ADDR_NO_RANDOMIZE,
	    .has_creds = 1,
	    .creds = {.cap_effective = ALL_CAPS, .cap_permitted = ALL_CAPS, .cap_bset = ALL_CAPS}};
	return vms_mm_new(sys, &cfg);
}

static long map(vms_mm *mm, uint64_t addr, uint64_t pages, int prot)
{
	return vms_mmap(mm, addr, pages * PG, prot, PA | FIX, NULL, 0);
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

/* The policy column numa_maps shows for the VMA starting at addr. */
static const char *policy_at(vms_mm *mm, uint64_t addr)
{
	static char text[8192], line[128];
	vms_numa_maps_text(mm, text, sizeof(text));
	char want[32];
	snprintf(want, sizeof(want), "%08llx ", (unsigned long long)addr);
	const char *p = strstr(text, want);
	if (!p)
		return "(no VMA)";
	p += strlen(want);
	size_t n = strcspn(p, "\n");
	snprintf(line, sizeof(line), "%.*s", (int)n, p);
	return line;
}

#define CHECK_POLICY(mm, addr, want)                                                               \
	do {                                                                                       \
		const char *got_ = policy_at(mm, addr);                                            \
		if (strcmp(got_, want) != 0) {                                                     \
			t_fail(__FILE__, __LINE__, "policy at %#llx: '%s', not '%s'",              \
			       (unsigned long long)(addr), got_, want);                            \
			return;                                                                    \
		}                                                                                  \
	} while (0)

static long mbind1(vms_mm *mm, uint64_t start, uint64_t len, uint64_t mode, uint64_t w0,
		   unsigned flags)
{
	uint64_t mask[2] = {w0, 0};
	return vms_mbind(mm, start, len, mode, mask, 2, 65, flags);
}

/* Two NUMA nodes, both online, with memory and allowed. */
static void two_nodes(vms_sys *sys)
{
	vms_sysctl_set(sys, "numa.nodes_online", 3);
	vms_sysctl_set(sys, "numa.nodes_possible", 3);
	vms_sysctl_set(sys, "numa.nodes_memory", 3);
	vms_sysctl_set(sys, "numa.mems_allowed", 3);
}

/* ---- memory policy ---- */

TEST(mbind_policy_splits_the_vma_and_keeps_neighbours_apart)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(map(mm, A, 16, RW), (long)A);
	CHECK_EQ(mbind1(mm, A + 4 * PG, 4 * PG, VMS_MPOL_BIND, 1, 0), 0);
	CHECK_EQ(count_vmas(mm), 3);
	CHECK_POLICY(mm, A + 4 * PG, "bind:0");
	CHECK_POLICY(mm, A, "default");
	/* mm/vma.c is_mergeable_vma(): mpol_equal, so an equal policy joins. */
	CHECK_EQ(mbind1(mm, A + 8 * PG, 2 * PG, VMS_MPOL_BIND, 1, 0), 0);
	CHECK_EQ(count_vmas(mm), 3);
	CHECK_EQ(mbind1(mm, A + 10 * PG, 2 * PG, VMS_MPOL_BIND | VMS_MPOL_F_STATIC_NODES, 1, 0), 0);
	CHECK_EQ(count_vmas(mm), 4);
	/* A mapping's policy is its own: mmap next to it does not join. */
	CHECK_EQ(map(mm, A + 16 * PG, 4, RW), (long)(A + 16 * PG));
	CHECK_EQ(mbind1(mm, A, 16 * PG, VMS_MPOL_DEFAULT, 0, 0), 0);
	CHECK_EQ(count_vmas(mm), 1);
	VALID(mm);
}

/* mm/vma.c anon_vma_compatible(): a neighbour's anon_vma is shared only
 * under an equal policy (mpol_equal). Guard markers prepare an anon_vma in
 * each VMA they touch: the default-policy VMA and the bound one get their
 * own, so when the bound one returns to the default it merges with the
 * neighbour that has none, not with the one whose anon_vma differs (live,
 * 6.18: kdiff commit seed 417177061922648 under ASan). */
TEST(anon_vma_is_not_shared_across_a_policy_boundary)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(map(mm, A, 16, VMS_PROT_READ), (long)A);
	CHECK_EQ(mbind1(mm, A + 8 * PG, 2 * PG, VMS_MPOL_INTERLEAVE, 1, 0), 0);
	CHECK_EQ(count_vmas(mm), 3);
	CHECK_EQ(vms_madvise(mm, A + 6 * PG, 3 * PG, VMS_MADV_GUARD_INSTALL), 0);
	CHECK_EQ(mbind1(mm, A + 4 * PG, 8 * PG, VMS_MPOL_DEFAULT, 0, 0), 0);
	CHECK_EQ(count_vmas(mm), 2);
	struct vms_vma_info i;
	vms_vma_get_info(vms_find_vma(mm, A + 8 * PG), &i);
	CHECK_EQ(i.start, A + 8 * PG);
	CHECK_EQ(i.end, A + 16 * PG);
	VALID(mm);
}

/* mm/gup.c check_vma_flags(): get_user_pages never takes secret memory, so
 * get_mempolicy(MPOL_F_NODE | MPOL_F_ADDR) in a memfd_secret mapping is
 * EFAULT, its page touched or not (live, 6.18: both EFAULT; kdiff commit
 * seed 370711670365421). */
TEST(get_mempolicy_node_of_secret_memory_is_efault)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = NULL;
	CHECK(vms_memfd_secret(sys, 0, &f) >= 0 && f);
	CHECK_EQ(vms_ftruncate(f, 2 * PG), 0);
	long a = vms_mmap(mm, 0, 2 * PG, RW, VMS_MAP_SHARED, f, 0);
	CHECK(a > 0);
	CHECK_EQ(vms_fault(mm, (uint64_t)a, 1), 0);
	int node = -1;
	CHECK_EQ(vms_get_mempolicy(mm, &node, NULL, 0, 0, (uint64_t)a, VMS_MPOL_F_NODE | VMS_MPOL_F_ADDR),
		 -VMS_EFAULT);
	CHECK_EQ(vms_get_mempolicy(mm, &node, NULL, 0, 0, (uint64_t)a + PG,
				   VMS_MPOL_F_NODE | VMS_MPOL_F_ADDR),
		 -VMS_EFAULT);
	vms_file_close(f);
	VALID(mm);
}

TEST(mbind_hole_is_efault_before_any_change_but_default_skips_holes)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(map(mm, A, 4, RW), (long)A);
	CHECK_EQ(map(mm, A + 8 * PG, 4, RW), (long)(A + 8 * PG));
	/* queue_pages_test_walk(): head, middle and tail holes. */
	CHECK_EQ(mbind1(mm, A - PG, 2 * PG, VMS_MPOL_BIND, 1, 0), -VMS_EFAULT);
	CHECK_EQ(mbind1(mm, A, 12 * PG, VMS_MPOL_BIND, 1, 0), -VMS_EFAULT);
	CHECK_EQ(mbind1(mm, A + 2 * PG, 4 * PG, VMS_MPOL_BIND, 1, 0), -VMS_EFAULT);
	CHECK_EQ(count_vmas(mm), 2);
	CHECK_POLICY(mm, A, "default");
	/* MPOL_DEFAULT walks discontiguous ranges, but not an empty one. */
	CHECK_EQ(mbind1(mm, A + 2 * PG, 8 * PG, VMS_MPOL_DEFAULT, 0, 0), 0);
	CHECK_EQ(mbind1(mm, A + 4 * PG, 4 * PG, VMS_MPOL_DEFAULT, 0, 0), -VMS_EFAULT);
	VALID(mm);
}

TEST(mbind_strict_with_misplaced_pages_is_eio_and_move_is_not)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(map(mm, A, 4, RW), (long)A);
	/* No page yet: nothing misplaced. */
	CHECK_EQ(mbind1(mm, A, 4 * PG, VMS_MPOL_LOCAL, 0, VMS_MPOL_MF_STRICT), 0);
	CHECK_EQ(mbind1(mm, A, 4 * PG, VMS_MPOL_DEFAULT, 0, 0), 0);
	CHECK_EQ(vms_fault(mm, A + PG, 1), 0);
	/* MPOL_LOCAL's mask is empty: every page is off it (MPOL_MF_INVERT). */
	CHECK_EQ(mbind1(mm, A, 4 * PG, VMS_MPOL_LOCAL, 0, VMS_MPOL_MF_STRICT), -VMS_EIO);
	CHECK_POLICY(mm, A, "default");
	CHECK_EQ(mbind1(mm, A, 4 * PG, VMS_MPOL_BIND, 1, VMS_MPOL_MF_STRICT), 0);
	CHECK_EQ(mbind1(mm, A, 4 * PG, VMS_MPOL_LOCAL, 0, VMS_MPOL_MF_MOVE), 0);
	CHECK_POLICY(mm, A, "local");
	/* MPOL_DEFAULT drops STRICT. */
	CHECK_EQ(mbind1(mm, A, 4 * PG, VMS_MPOL_DEFAULT, 0, VMS_MPOL_MF_STRICT), 0);
	VALID(mm);
}

TEST(mbind_checks_mode_flags_and_move_all_needs_cap_sys_nice)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(map(mm, A, 4, RW), (long)A);
	CHECK_EQ(mbind1(mm, A, PG, 7, 1, 0), -VMS_EINVAL);
	CHECK_EQ(mbind1(mm, A, PG,
			VMS_MPOL_BIND | VMS_MPOL_F_STATIC_NODES | VMS_MPOL_F_RELATIVE_NODES, 1, 0),
		 -VMS_EINVAL);
	/* NUMA_BALANCING goes with BIND and PREFERRED_MANY only. */
	CHECK_EQ(mbind1(mm, A, PG, VMS_MPOL_INTERLEAVE | VMS_MPOL_F_NUMA_BALANCING, 1, 0),
		 -VMS_EINVAL);
	CHECK_EQ(mbind1(mm, A, PG, VMS_MPOL_BIND | VMS_MPOL_F_NUMA_BALANCING, 1, 0), 0);
	CHECK_POLICY(mm, A, "bind=balancing:0");
	CHECK_EQ(mbind1(mm, A, PG, VMS_MPOL_BIND, 1, 8), -VMS_EINVAL);
	CHECK_EQ(mbind1(mm, A + 1, PG, VMS_MPOL_BIND, 1, 0), -VMS_EINVAL);
	/* A zero length succeeds before the nodes are looked at. */
	CHECK_EQ(mbind1(mm, A, 0, VMS_MPOL_BIND, 0, 0), 0);
	CHECK_EQ(mbind1(mm, A, PG, VMS_MPOL_BIND, 0, 0), -VMS_EINVAL);
	CHECK_EQ(mbind1(mm, A, PG, VMS_MPOL_LOCAL, 1, 0), -VMS_EINVAL);
	CHECK_EQ(mbind1(mm, A, PG, VMS_MPOL_DEFAULT, 1, 0), -VMS_EINVAL);
	CHECK_EQ(mbind1(mm, A, PG, VMS_MPOL_INTERLEAVE, 1, VMS_MPOL_MF_MOVE_ALL), 0);
	struct vms_creds cr;
	vms_mm_get_creds(mm, &cr);
	struct vms_cap_data d = {cr.cap_effective & ~(1ULL << 23), cr.cap_permitted,
				 cr.cap_inheritable};
	CHECK_EQ(vms_capset(mm, VMS_CAP_VERSION_3, 0, 1, &d), 0);
	CHECK_EQ(mbind1(mm, A, PG, VMS_MPOL_INTERLEAVE, 1, VMS_MPOL_MF_MOVE_ALL), -VMS_EPERM);
	VALID(mm);
}

TEST(get_nodes_bits_past_max_numnodes_must_be_zero)
{
	CHECK_EQ(vms_sysctl_set(sys, "config.max_numnodes", 64), 0);
	CHECK_EQ(vms_sysctl_set(sys, "config.max_numnodes", 96), -VMS_EINVAL);
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(map(mm, A, 4, RW), (long)A);
	uint64_t mask[4] = {1, 0, 0, 0};
	CHECK_EQ(vms_mbind(mm, A, PG, VMS_MPOL_BIND, mask, 4, 129, 0), 0);
	mask[1] = 1;
	CHECK_EQ(vms_mbind(mm, A, PG, VMS_MPOL_BIND, mask, 4, 129, 0), -VMS_EINVAL);
	/* Only maxnode - 1 bits count... except in a word checked whole. */
	mask[1] = 1ULL << 40;
	CHECK_EQ(vms_mbind(mm, A, PG, VMS_MPOL_BIND, mask, 4, 66, 0), -VMS_EINVAL);
	mask[1] = 0;
	/* Reading past the readable words is EFAULT; longer than a page EINVAL. */
	CHECK_EQ(vms_mbind(mm, A, PG, VMS_MPOL_BIND, mask, 1, 129, 0), -VMS_EFAULT);
	CHECK_EQ(vms_mbind(mm, A, PG, VMS_MPOL_BIND, mask, 0, 2, 0), -VMS_EFAULT);
	CHECK_EQ(vms_mbind(mm, A, PG, VMS_MPOL_BIND, mask, 4, 32770, 0), -VMS_EINVAL);
	CHECK_EQ(vms_mbind(mm, A, PG, VMS_MPOL_BIND, NULL, 0, 64, 0), -VMS_EINVAL);
	CHECK_EQ(vms_mbind(mm, A, PG, VMS_MPOL_DEFAULT, NULL, 0, 64, 0), 0);
	VALID(mm);
}

TEST(policy_nodes_are_cut_to_allowed_nodes_and_relative_ones_folded)
{
	two_nodes(sys);
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(map(mm, A, 8, RW), (long)A);
	/* mpol_set_nodemask(): the cut, then the mode's create(). */
	CHECK_EQ(mbind1(mm, A, PG, VMS_MPOL_BIND, 0x7, 0), 0);
	CHECK_POLICY(mm, A, "bind:0-1");
	CHECK_EQ(mbind1(mm, A + PG, PG, VMS_MPOL_PREFERRED, 0x6, 0), 0);
	CHECK_POLICY(mm, A + PG, "prefer:1");
	CHECK_EQ(mbind1(mm, A + 2 * PG, PG, VMS_MPOL_BIND, 0x4, 0), -VMS_EINVAL);
	/* RELATIVE: node n is the (n mod 2)-th allowed node. */
	CHECK_EQ(mbind1(mm, A + 2 * PG, PG, VMS_MPOL_BIND | VMS_MPOL_F_RELATIVE_NODES, 0x4, 0), 0);
	CHECK_POLICY(mm, A + 2 * PG, "bind=relative:0");
	CHECK_EQ(
	    mbind1(mm, A + 3 * PG, PG, VMS_MPOL_INTERLEAVE | VMS_MPOL_F_RELATIVE_NODES, 0x8, 0), 0);
	CHECK_POLICY(mm, A + 3 * PG, "interleave=relative:1");
	/* STATIC keeps the user's mask for get_mempolicy. */
	CHECK_EQ(mbind1(mm, A + 4 * PG, PG, VMS_MPOL_BIND | VMS_MPOL_F_STATIC_NODES, 0x5, 0), 0);
	CHECK_POLICY(mm, A + 4 * PG, "bind=static:0");
	int mode = -1;
	uint64_t out[2] = {0, 0};
	CHECK_EQ(vms_get_mempolicy(mm, &mode, out, 2, 64, A + 4 * PG, VMS_MPOL_F_ADDR), 0);
	CHECK_EQ(mode, VMS_MPOL_BIND | VMS_MPOL_F_STATIC_NODES);
	CHECK_EQ(out[0], 0x5);
	/* A cpuset with node 1 only: node 0's policies fail. */
	CHECK_EQ(vms_sysctl_set(sys, "numa.mems_allowed", 2), 0);
	CHECK_EQ(mbind1(mm, A + 5 * PG, PG, VMS_MPOL_BIND, 0x1, 0), -VMS_EINVAL);
	CHECK_EQ(mbind1(mm, A + 5 * PG, PG, VMS_MPOL_PREFERRED_MANY, 0x3, 0), 0);
	CHECK_POLICY(mm, A + 5 * PG, "prefer (many):1");
	VALID(mm);
}

TEST(preferred_without_nodes_is_local_and_local_takes_none)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(map(mm, A, 4, RW), (long)A);
	CHECK_EQ(mbind1(mm, A, PG, VMS_MPOL_PREFERRED, 0, 0), 0);
	CHECK_POLICY(mm, A, "local");
	CHECK_EQ(mbind1(mm, A, PG, VMS_MPOL_PREFERRED | VMS_MPOL_F_STATIC_NODES, 0, 0),
		 -VMS_EINVAL);
	CHECK_EQ(mbind1(mm, A + PG, PG, VMS_MPOL_LOCAL, 0, 0), 0);
	/* Both are MPOL_LOCAL, so they are equal and merge. */
	CHECK_EQ(count_vmas(mm), 2);
	VALID(mm);
}

TEST(home_node_needs_bind_or_preferred_many_and_an_online_node)
{
	two_nodes(sys);
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(map(mm, A, 8, RW), (long)A);
	CHECK_EQ(vms_set_mempolicy_home_node(mm, A, PG, 0, 0), -VMS_ENOENT);
	CHECK_EQ(vms_set_mempolicy_home_node(mm, A, PG, 2, 0), -VMS_EINVAL);
	CHECK_EQ(vms_set_mempolicy_home_node(mm, A, PG, 0, 1), -VMS_EINVAL);
	CHECK_EQ(vms_set_mempolicy_home_node(mm, A + 1, PG, 0, 0), -VMS_EINVAL);
	CHECK_EQ(mbind1(mm, A, 4 * PG, VMS_MPOL_BIND, 3, 0), 0);
	CHECK_EQ(mbind1(mm, A + 4 * PG, 2 * PG, VMS_MPOL_INTERLEAVE, 3, 0), 0);
	/* The home node is part of the policy: it splits, and equal ones join. */
	CHECK_EQ(vms_set_mempolicy_home_node(mm, A + PG, PG, 1, 0), 0);
	CHECK_EQ(count_vmas(mm), 5);
	CHECK_EQ(vms_set_mempolicy_home_node(mm, A, 4 * PG, 1, 0), 0);
	CHECK_EQ(count_vmas(mm), 3);
	/* INTERLEAVE stops the walk with the VMAs before it changed. */
	CHECK_EQ(vms_set_mempolicy_home_node(mm, A, 6 * PG, 0, 0), -VMS_EOPNOTSUPP);
	CHECK_EQ(count_vmas(mm), 3);
	VALID(mm);
}

TEST(task_policy_shows_for_vmas_without_one_and_get_mempolicy_reads_it)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(map(mm, A, 4, RW), (long)A);
	uint64_t m[1] = {1};
	CHECK_EQ(vms_set_mempolicy(mm, VMS_MPOL_INTERLEAVE, m, 1, 2), 0);
	CHECK_POLICY(mm, A, "interleave:0");
	int mode = -1;
	uint64_t out[16];
	memset(out, 0xaa, sizeof(out));
	CHECK_EQ(vms_get_mempolicy(mm, &mode, out, 16, 1025, 0, 0), 0);
	CHECK_EQ(mode, VMS_MPOL_INTERLEAVE);
	/* copy_nodes_to_user(): nr_node_ids' word, then zeroes up to maxnode. */
	CHECK_EQ(out[0], 1);
	CHECK_EQ(out[15], 0);
	/* MPOL_F_NODE: the next interleave node. MPOL_F_ADDR: the VMA's
	 * policy, without falling back to the task's. */
	CHECK_EQ(vms_get_mempolicy(mm, &mode, NULL, 0, 0, 0, VMS_MPOL_F_NODE), 0);
	CHECK_EQ(mode, 0);
	CHECK_EQ(vms_get_mempolicy(mm, &mode, NULL, 0, 0, A, VMS_MPOL_F_ADDR), 0);
	CHECK_EQ(mode, VMS_MPOL_DEFAULT);
	CHECK_EQ(vms_get_mempolicy(mm, &mode, NULL, 0, 0, A, 0), -VMS_EINVAL);
	CHECK_EQ(vms_get_mempolicy(mm, &mode, NULL, 0, 0, A + 8 * PG, VMS_MPOL_F_ADDR),
		 -VMS_EFAULT);
	CHECK_EQ(vms_get_mempolicy(mm, &mode, out, 16, 0, 0, 0), -VMS_EINVAL);
	CHECK_EQ(vms_get_mempolicy(mm, &mode, out, 16, 4097 * 8, 0, 0), -VMS_EINVAL);
	CHECK_EQ(vms_get_mempolicy(mm, &mode, out, 0, 64, 0, 0), -VMS_EFAULT);
	CHECK_EQ(vms_get_mempolicy(mm, &mode, NULL, 0, 0, 0, VMS_MPOL_F_MEMS_ALLOWED), 0);
	CHECK_EQ(
	    vms_get_mempolicy(mm, &mode, NULL, 0, 0, A, VMS_MPOL_F_MEMS_ALLOWED | VMS_MPOL_F_ADDR),
	    -VMS_EINVAL);
	/* A node query of a page faults it in (get_user_pages_fast). */
	struct vms_mm_counters c;
	CHECK_EQ(vms_get_mempolicy(mm, &mode, NULL, 0, 0, A, VMS_MPOL_F_NODE | VMS_MPOL_F_ADDR), 0);
	CHECK_EQ(vms_mprotect(mm, A + PG, PG, VMS_PROT_NONE), 0);
	CHECK_EQ(
	    vms_get_mempolicy(mm, &mode, NULL, 0, 0, A + PG, VMS_MPOL_F_NODE | VMS_MPOL_F_ADDR),
	    -VMS_EFAULT);
	vms_mm_get_counters(mm, &c);
	CHECK_EQ(c.rss_anon, 0); /* the zero page */
	CHECK_EQ(vms_set_mempolicy(mm, VMS_MPOL_BIND, m, 1, 2), 0);
	CHECK_EQ(vms_get_mempolicy(mm, &mode, NULL, 0, 0, 0, VMS_MPOL_F_NODE), -VMS_EINVAL);
	CHECK_EQ(vms_set_mempolicy(mm, VMS_MPOL_DEFAULT, NULL, 0, 0), 0);
	CHECK_POLICY(mm, A, "default");
	VALID(mm);
}

TEST(fork_and_mremap_copy_policies)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(map(mm, A, 8, RW), (long)A);
	uint64_t m[1] = {1};
	CHECK_EQ(vms_set_mempolicy(mm, VMS_MPOL_PREFERRED, m, 1, 2), 0);
	CHECK_EQ(mbind1(mm, A, 4 * PG, VMS_MPOL_BIND, 1, 0), 0);
	int err;
	vms_mm *child = vms_fork(mm, &err);
	CHECK(child);
	CHECK_POLICY(child, A, "bind:0");
	CHECK_POLICY(child, A + 4 * PG, "prefer:0");
	/* A moved VMA keeps its policy (copy_vma: vma_dup_policy). */
	CHECK_EQ(
	    vms_mremap(mm, A, 4 * PG, 4 * PG, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED, A + 64 * PG),
	    (long)(A + 64 * PG));
	CHECK_POLICY(mm, A + 64 * PG, "bind:0");
	vms_mm_free(child);
	VALID(mm);
}

TEST(shmem_policy_belongs_to_the_object_and_every_mapping_sees_it)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_mmap(mm, A, 8 * PG, RW, SA | FIX, NULL, 0), (long)A);
	int err;
	vms_mm *child = vms_fork(mm, &err);
	CHECK(child);
	/* shmem_set_policy(): set in the parent, the child's mapping of the
	 * same pages sees it (shmem_get_policy), although its VMA has none. */
	CHECK_EQ(mbind1(mm, A + 2 * PG, 2 * PG, VMS_MPOL_BIND, 1, 0), 0);
	CHECK_POLICY(child, A, "default");
	CHECK_EQ(vms_mprotect(child, A + 2 * PG, PG, R), 0);
	CHECK_POLICY(child, A + 2 * PG, "bind:0");
	int mode = -1;
	CHECK_EQ(vms_get_mempolicy(child, &mode, NULL, 0, 0, A + 3 * PG, VMS_MPOL_F_ADDR), 0);
	CHECK_EQ(mode, VMS_MPOL_BIND);
	/* MPOL_DEFAULT takes it out of the object again. */
	CHECK_EQ(mbind1(mm, A, 8 * PG, VMS_MPOL_DEFAULT, 0, 0), 0);
	CHECK_EQ(vms_get_mempolicy(child, &mode, NULL, 0, 0, A + 3 * PG, VMS_MPOL_F_ADDR), 0);
	CHECK_EQ(mode, VMS_MPOL_DEFAULT);
	vms_mm_free(child);
	VALID(mm);
}

TEST(policy_calls_out_of_memory_change_nothing)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(map(mm, A, 16, RW), (long)A);
	CHECK_EQ(vms_mmap(mm, A + 32 * PG, 8 * PG, RW, SA | FIX, NULL, 0), (long)(A + 32 * PG));
	CHECK_EQ(mbind1(mm, A + 8 * PG, 2 * PG, VMS_MPOL_BIND, 1, 0), 0);
	static char before_text[4096], after_text[4096];
	int done = 0;
	for (uint64_t n = 1; n < 60 && done < 4; n++) {
		struct t_snap before, after;
		t_snap_take(sys, mm, &before);
		vms_numa_maps_text(mm, before_text, sizeof(before_text));
		vms_sys_fail_alloc_after(sys, n);
		long r;
		switch (done) {
		case 0:
			r = mbind1(mm, A + 2 * PG, 2 * PG, VMS_MPOL_INTERLEAVE, 1, 0);
			break;
		case 1:
			r = vms_set_mempolicy_home_node(mm, A + 8 * PG, 2 * PG, 0, 0);
			break;
		case 2:
			r = mbind1(mm, A + 34 * PG, 2 * PG, VMS_MPOL_PREFERRED, 1, 0);
			break;
		default: {
			uint64_t m[1] = {1};
			r = vms_set_mempolicy(mm, VMS_MPOL_BIND | VMS_MPOL_F_STATIC_NODES, m, 1, 2);
			break;
		}
		}
		vms_sys_fail_alloc_after(sys, 0);
		if (r == -VMS_ENOMEM) {
			t_snap_take(sys, mm, &after);
			vms_numa_maps_text(mm, after_text, sizeof(after_text));
			CHECK(t_snap_equal(&before, &after));
			CHECK_EQ(strcmp(before_text, after_text), 0);
			VALID(mm);
			continue;
		}
		CHECK_EQ(r, 0);
		done++;
		n = 0;
	}
	CHECK_EQ(done, 4);
	VALID(mm);
}

/* ---- protection keys ---- */

TEST(pkey_alloc_without_pku_takes_key_0_once_then_has_no_space)
{
	vms_mm *mm = new_mm(sys);
	/* The failed PKRU update frees the key, which key 0 never is. */
	CHECK_EQ(vms_pkey_alloc(mm, 0, 0), -VMS_EINVAL);
	CHECK_EQ(vms_pkey_alloc(mm, 0, 0), -VMS_ENOSPC);
	CHECK_EQ(vms_pkey_alloc(mm, 1, 0), -VMS_EINVAL);
	CHECK_EQ(vms_pkey_alloc(mm, 0, 4), -VMS_EINVAL);
	CHECK_EQ(vms_pkey_free(mm, 0), -VMS_EINVAL);
	int err;
	vms_mm *child = vms_fork(mm, &err);
	CHECK(child);
	CHECK_EQ(vms_pkey_alloc(child, 0, 0), -VMS_ENOSPC);
	vms_mm_free(child);
	/* A fresh address space (exec) starts over. */
	vms_mm *fresh = new_mm(sys);
	CHECK_EQ(vms_pkey_alloc(fresh, 0, 0), -VMS_EINVAL);
	CHECK_EQ(map(mm, A, 1, RW), (long)A);
	CHECK_EQ(vms_pkey_mprotect(mm, A, PG, R, 0), -VMS_EINVAL);
	CHECK_EQ(vms_pkey_mprotect(mm, A, PG, R, -1), 0);
}

TEST(pkey_alloc_with_pku_hands_out_keys_1_to_15)
{
	CHECK_EQ(vms_sysctl_set(sys, "cpu.pku", 1), 0);
	vms_mm *mm = new_mm(sys);
	for (long k = 1; k < 16; k++)
		CHECK_EQ(vms_pkey_alloc(mm, 0, VMS_PKEY_DISABLE_WRITE), k);
	CHECK_EQ(vms_pkey_alloc(mm, 0, 0), -VMS_ENOSPC);
	CHECK_EQ(vms_pkey_free(mm, 7), 0);
	CHECK_EQ(vms_pkey_free(mm, 7), -VMS_EINVAL);
	CHECK_EQ(vms_pkey_free(mm, 0), -VMS_EINVAL);
	CHECK_EQ(vms_pkey_free(mm, 16), -VMS_EINVAL);
	CHECK_EQ(vms_pkey_alloc(mm, 0, 0), 7);
	int err;
	vms_mm *child = vms_fork(mm, &err);
	CHECK(child);
	CHECK_EQ(vms_pkey_alloc(child, 0, 0), -VMS_ENOSPC);
	vms_mm_free(child);
}

TEST(pkey_mprotect_sets_the_key_bits_and_keys_keep_vmas_apart)
{
	CHECK_EQ(vms_sysctl_set(sys, "cpu.pku", 1), 0);
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(map(mm, A, 8, RW), (long)A);
	CHECK_EQ(vms_pkey_mprotect(mm, A, PG, R, 3), -VMS_EINVAL);
	long k = vms_pkey_alloc(mm, 0, 0);
	CHECK_EQ(k, 1);
	CHECK_EQ(vms_pkey_mprotect(mm, A + 2 * PG, 2 * PG, RW, (int)k), 0);
	CHECK_EQ(count_vmas(mm), 3);
	CHECK_EQ((flags_at(mm, A + 2 * PG) >> VM_PKEY_SHIFT) & 0xf, 1);
	/* A plain mprotect keeps the VMA's key (vma_pkey). */
	CHECK_EQ(vms_mprotect(mm, A + 2 * PG, PG, R), 0);
	CHECK_EQ((flags_at(mm, A + 2 * PG) >> VM_PKEY_SHIFT) & 0xf, 1);
	CHECK_EQ(vms_pkey_mprotect(mm, A, 8 * PG, RW, 0), 0);
	CHECK_EQ(count_vmas(mm), 1);
	VALID(mm);
}

TEST(execute_only_memory_takes_the_execute_only_key_with_pku)
{
	CHECK_EQ(vms_sysctl_set(sys, "cpu.pku", 1), 0);
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(map(mm, A, 2, VMS_PROT_EXEC), (long)A);
	/* __execute_only_pkey(): the first free key, allocated once. */
	CHECK_EQ((flags_at(mm, A) >> VM_PKEY_SHIFT) & 0xf, 1);
	CHECK_EQ(vms_pkey_alloc(mm, 0, 0), 2);
	/* It is taken, yet not "allocated" for the user's calls. */
	CHECK_EQ(vms_pkey_mprotect(mm, A, PG, VMS_PROT_EXEC, 1), -VMS_EINVAL);
	CHECK_EQ(vms_pkey_free(mm, 1), -VMS_EINVAL);
	CHECK_EQ(map(mm, A + 4 * PG, 1, RW), (long)(A + 4 * PG));
	CHECK_EQ(vms_mprotect(mm, A + 4 * PG, PG, VMS_PROT_EXEC), 0);
	CHECK_EQ((flags_at(mm, A + 4 * PG) >> VM_PKEY_SHIFT) & 0xf, 1);
	/* Readable again: back to key 0 (vma_is_pkey_exec_only). */
	CHECK_EQ(vms_mprotect(mm, A, PG, RX), 0);
	CHECK_EQ((flags_at(mm, A) >> VM_PKEY_SHIFT) & 0xf, 0);
	/* Without OSPKE execute-only memory has key 0. */
	vms_sys *plain = vms_sys_new();
	vms_mm *m2 = new_mm(plain);
	CHECK_EQ(map(m2, A, 1, VMS_PROT_EXEC), (long)A);
	CHECK_EQ(flags_at(m2, A) >> VM_PKEY_SHIFT & 0xf, 0);
	vms_sys_free(plain);
	VALID(mm);
}

/* ---- map_shadow_stack ---- */

TEST(map_shadow_stack_is_enosys_unbuilt_and_eopnotsupp_without_the_cpu)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_map_shadow_stack(mm, 0, 4 * PG, 0), -VMS_EOPNOTSUPP);
	CHECK_EQ(vms_sysctl_set(sys, "config.x86_user_shadow_stack", 0), 0);
	CHECK_EQ(vms_map_shadow_stack(mm, 0, 4 * PG, 0), -VMS_ENOSYS);
}

TEST(map_shadow_stack_maps_a_shadow_stack_above_4g_with_its_token)
{
	CHECK_EQ(vms_sysctl_set(sys, "cpu.user_shstk", 1), 0);
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_map_shadow_stack(mm, 0, 4 * PG, 2), -VMS_EINVAL);
	CHECK_EQ(vms_map_shadow_stack(mm, 0, 4, VMS_SHADOW_STACK_SET_TOKEN), -VMS_ENOSPC);
	CHECK_EQ(vms_map_shadow_stack(mm, A + 1, 4 * PG, 0), -VMS_EINVAL);
	CHECK_EQ(vms_map_shadow_stack(mm, 0x10000000, 4 * PG, 0), -VMS_ERANGE);
	CHECK_EQ(vms_map_shadow_stack(mm, A, (uint64_t)-1, 0), -VMS_EOVERFLOW);
	CHECK_EQ(vms_map_shadow_stack(mm, A, 4 * PG, VMS_SHADOW_STACK_SET_TOKEN), (long)A);
	uint64_t f = flags_at(mm, A);
	CHECK((f & VM_SHADOW_STACK) && (f & 0x3) == 0x3);
	/* The restore token at the top was written: that page is resident. */
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	CHECK_EQ(c.rss_anon, 1);
	/* Never over an existing mapping (MAP_FIXED_NOREPLACE). */
	CHECK_EQ(vms_map_shadow_stack(mm, A, 4 * PG, 0), -VMS_EEXIST);
	/* A token needs an 8-byte aligned top: the mapping goes again. */
	CHECK_EQ(vms_map_shadow_stack(mm, A + 8 * PG, 4 * PG + 4, VMS_SHADOW_STACK_SET_TOKEN),
		 -VMS_EINVAL);
	CHECK_EQ(count_vmas(mm), 1);
	/* stack_guard_start_gap(): a page below it stays free for hints. */
	CHECK(vms_mmap(mm, A - PG, PG, RW, PA, NULL, 0) != (long)(A - PG));
	VALID(mm);
}

/* ---- prctl and personality ---- */

TEST(thp_disable_flags_and_what_get_returns)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_prctl(mm, VMS_PR_GET_THP_DISABLE, 0, 0, 0, 0), 0);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_THP_DISABLE, 0, 2, 0, 0), -VMS_EINVAL);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_THP_DISABLE, 1, 1, 0, 0), -VMS_EINVAL);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_THP_DISABLE, 1, 0, 0, 1), -VMS_EINVAL);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_THP_DISABLE, 1, 2, 0, 0), 0);
	CHECK_EQ(vms_prctl(mm, VMS_PR_GET_THP_DISABLE, 0, 0, 0, 0), 3);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_THP_DISABLE, 7, 0, 0, 0), 0);
	CHECK_EQ(vms_prctl(mm, VMS_PR_GET_THP_DISABLE, 0, 0, 0, 0), 1);
	CHECK_EQ(vms_prctl(mm, VMS_PR_GET_THP_DISABLE, 0, 0, 1, 0), -VMS_EINVAL);
	char buf[2048];
	vms_status_text(mm, buf, sizeof(buf));
	CHECK(strstr(buf, "THP_enabled:\t0\n"));
	/* Inherited over fork (mmf_init_flags keeps it). */
	int err;
	vms_mm *child = vms_fork(mm, &err);
	CHECK(child);
	CHECK_EQ(vms_prctl(child, VMS_PR_GET_THP_DISABLE, 0, 0, 0, 0), 1);
	vms_mm_free(child);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_THP_DISABLE, 0, 0, 0, 0), 0);
	vms_status_text(mm, buf, sizeof(buf));
	CHECK(strstr(buf, "THP_enabled:\t1\n"));
}

TEST(thp_disable_takes_read_faults_off_the_huge_path)
{
	vms_mm *mm = new_mm(sys);
	uint64_t B = 0x400000000ULL;
	for (int disable = 0; disable < 2; disable++, B += 0x1000000) {
		CHECK_EQ(vms_prctl(mm, VMS_PR_SET_THP_DISABLE, disable, 0, 0, 0), 0);
		CHECK_EQ(vms_mmap(mm, B, 2 << 20, RW, PA | FIX, NULL, 0), (long)B);
		CHECK_EQ(vms_madvise(mm, B, 2 << 20, VMS_MADV_HUGEPAGE), 0);
		CHECK_EQ(vms_fault(mm, B, 0), 0);
		struct vms_vma_info i;
		vms_vma_get_info(vms_find_vma(mm, B), &i);
		/* do_huge_pmd_anonymous_page() prepares an anon_vma even for
		 * the huge zero page; the zero page itself needs none. */
		CHECK_EQ(i.anon_vma != 0, !disable);
		/* MADV_COLLAPSE is refused while THP is disabled completely. */
		CHECK_EQ(vms_fault(mm, B + PG, 1), 0);
		CHECK_EQ(vms_madvise(mm, B, 2 << 20, VMS_MADV_COLLAPSE) == -VMS_EINVAL, disable);
	}
	VALID(mm);
}

TEST(mdwe_refuses_new_write_exec_and_exec_gain_and_cannot_be_cleared)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(map(mm, A, 2, RW), (long)A);
	CHECK_EQ(map(mm, A + 4 * PG, 2, VMS_PROT_EXEC), (long)(A + 4 * PG));
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_MDWE, VMS_PR_MDWE_NO_INHERIT, 0, 0, 0), -VMS_EINVAL);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_MDWE, 1, 1, 0, 0), -VMS_EINVAL);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_MDWE, 1, 0, 0, 0), 0);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_MDWE, 0, 0, 0, 0), -VMS_EPERM);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_MDWE, 3, 0, 0, 0), -VMS_EPERM);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_MDWE, 1, 0, 0, 0), 0);
	CHECK_EQ(vms_prctl(mm, VMS_PR_GET_MDWE, 0, 0, 0, 0), 1);
	/* include/linux/mman.h map_deny_write_exec() */
	CHECK_EQ(map(mm, A + 8 * PG, 1, RW | VMS_PROT_EXEC), -VMS_EACCES);
	CHECK_EQ(map(mm, A + 8 * PG, 1, RX), (long)(A + 8 * PG));
	CHECK_EQ(vms_mprotect(mm, A, PG, RX), -VMS_EACCES);
	CHECK_EQ(vms_mprotect(mm, A + 4 * PG, PG, RX), 0);
	CHECK_EQ(vms_mprotect(mm, A + 4 * PG, PG, RW | VMS_PROT_EXEC), -VMS_EACCES);
	/* Inherited over fork, but not with NO_INHERIT. */
	int err;
	vms_mm *child = vms_fork(mm, &err);
	CHECK(child);
	CHECK_EQ(vms_prctl(child, VMS_PR_GET_MDWE, 0, 0, 0, 0), 1);
	vms_mm_free(child);
	vms_mm *other = new_mm(sys);
	CHECK_EQ(vms_prctl(other, VMS_PR_SET_MDWE, 3, 0, 0, 0), 0);
	child = vms_fork(other, &err);
	CHECK(child);
	CHECK_EQ(vms_prctl(child, VMS_PR_GET_MDWE, 0, 0, 0, 0), 0);
	vms_mm_free(child);
	VALID(mm);
}

TEST(set_mm_needs_cap_sys_resource_and_validates_the_boundaries)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE,
				    .caps = VMS_CAP_SYS_RESOURCE};
	vms_mm *mm = vms_mm_new(sys, &cfg);
	vms_mm_set_brk_start(mm, 0x555555560000ULL);
	vms_mm_set_image(mm, 0x555555554000ULL, 0x555555556000ULL, 0x555555557000ULL,
			 0x555555558000ULL, 0x7ffffffde000ULL);
	CHECK_EQ(vms_mmap(mm, 0x7ffffffd0000ULL, 16 * PG, RW, PA | FIX, NULL, 0),
		 (long)0x7ffffffd0000ULL);
	/* What exec leaves: every boundary inside the address space. */
	struct vms_prctl_mm_map start;
	vms_mm_get_mm_map(mm, &start);
	start.arg_start = start.arg_end = 0x7ffffffdd000ULL;
	start.env_start = start.env_end = 0x7ffffffdd800ULL;
	CHECK_EQ(vms_prctl_set_mm_map(mm, &start), 0);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_MM, VMS_PR_SET_MM_START_BRK, 0x555555570000ULL, 1, 0),
		 -VMS_EINVAL);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_MM, VMS_PR_SET_MM_BRK, 0x555555580000ULL, 0, 0), 0);
	CHECK_EQ(vms_brk(mm, 0), 0x555555580000LL);
	/* validate_prctl_map_addr(): order and range of every boundary. */
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_MM, VMS_PR_SET_MM_START_BRK, 0x555555590000ULL, 0, 0),
		 -VMS_EINVAL);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_MM, VMS_PR_SET_MM_END_CODE, 0x555555554000ULL, 0, 0),
		 -VMS_EINVAL);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_MM, VMS_PR_SET_MM_START_CODE, 0x1000, 0, 0), -VMS_EINVAL);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_MM, 99, 0x555555554000ULL, 0, 0), -VMS_EINVAL);
	/* The argument boundaries need a VMA at or above them. */
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_MM, VMS_PR_SET_MM_ARG_START, 0x7ffffffd4000ULL, 0, 0), 0);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_MM, VMS_PR_SET_MM_ARG_END, 0x7ffffffd4000ULL, 0, 0), 0);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_MM, VMS_PR_SET_MM_ENV_END, 0x7ffffffe9000ULL, 0, 0),
		 -VMS_EFAULT);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_MM, VMS_PR_SET_MM_ENV_START, 0x7ffffffe8000ULL, 0, 0),
		 -VMS_EINVAL);
	/* RLIMIT_DATA bounds the heap plus the data segment. */
	struct vms_rlimit lim = {PG, VMS_RLIM_INFINITY};
	CHECK_EQ(vms_prlimit(mm, VMS_RLIMIT_DATA, &lim, NULL), 0);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_MM, VMS_PR_SET_MM_BRK, 0x555555570000ULL, 0, 0),
		 -VMS_EINVAL);
	/* Without CAP_SYS_RESOURCE: EPERM, but PR_SET_MM_MAP needs none. */
	vms_mm *user = new_mm(sys);
	struct vms_creds cr;
	vms_mm_get_creds(user, &cr);
	struct vms_cap_data d = {cr.cap_effective & ~(1ULL << 24), cr.cap_permitted, 0};
	CHECK_EQ(vms_capset(user, VMS_CAP_VERSION_3, 0, 1, &d), 0);
	CHECK_EQ(vms_prctl(user, VMS_PR_SET_MM, VMS_PR_SET_MM_BRK, 0x555555580000ULL, 0, 0),
		 -VMS_EPERM);
	struct vms_prctl_mm_map m;
	vms_mm_get_mm_map(mm, &m);
	CHECK_EQ(vms_prctl_set_mm_map(user, &m), 0);
	m.start_code = m.end_code;
	CHECK_EQ(vms_prctl_set_mm_map(user, &m), -VMS_EINVAL);
	VALID(mm);
}

TEST(personality_read_implies_exec_applies_at_once_and_layout_bits_wait)
{
	vms_mm *mm = new_mm(sys);
	struct vms_mm_layout before, after;
	vms_mm_get_layout(mm, &before);
	CHECK_EQ(vms_personality(mm, 0xffffffff), VMS_ADDR_NO_RANDOMIZE);
	CHECK_EQ(vms_personality(mm, VMS_READ_IMPLIES_EXEC | VMS_ADDR_COMPAT_LAYOUT),
		 VMS_ADDR_NO_RANDOMIZE);
	CHECK_EQ(map(mm, A, 1, R), (long)A);
	CHECK(flags_at(mm, A) & VMS_PROT_EXEC);
	vms_mm_get_layout(mm, &after);
	CHECK_EQ(after.topdown, before.topdown);
	CHECK_EQ(after.mmap_base, before.mmap_base);
	/* An unsigned int: the top half of the argument is dropped. */
	CHECK_EQ(vms_personality(mm, 0x1fffffffeULL),
		 VMS_READ_IMPLIES_EXEC | VMS_ADDR_COMPAT_LAYOUT);
	CHECK_EQ(vms_personality(mm, 0), 0xfffffffeLL);
}

/* ---- credentials ---- */

TEST(capset_may_only_narrow_and_keeps_effective_within_permitted)
{
	vms_mm *mm = new_mm(sys);
	struct vms_cap_data d = {ALL_CAPS, ALL_CAPS & ~CAP_IPC_LOCK_BIT, 0};
	CHECK_EQ(vms_capset(mm, VMS_CAP_VERSION_3, 0, 1, &d), -VMS_EPERM);
	d.effective = d.permitted;
	CHECK_EQ(vms_capset(mm, VMS_CAP_VERSION_3, 0, 1, &d), 0);
	d.permitted = ALL_CAPS;
	CHECK_EQ(vms_capset(mm, VMS_CAP_VERSION_3, 0, 1, &d), -VMS_EPERM);
	CHECK_EQ(vms_capset(mm, VMS_CAP_VERSION_3, 2, 1, &d), -VMS_EPERM);
	CHECK_EQ(vms_capset(mm, 0x12345, 0, 1, &d), -VMS_EINVAL);
	/* Version 1 carries 32 bits: the upper capabilities are dropped. */
	struct vms_cap_data v1 = {0xffffffff & ~CAP_IPC_LOCK_BIT, 0xffffffff & ~CAP_IPC_LOCK_BIT,
				  0};
	CHECK_EQ(vms_capset(mm, VMS_CAP_VERSION_1, 0, 1, &v1), 0);
	struct vms_cap_data out;
	uint32_t ver;
	CHECK_EQ(vms_capget(mm, VMS_CAP_VERSION_3, 0, 1, &out, &ver), 0);
	CHECK_EQ(out.permitted, 0xffffffffULL & ~CAP_IPC_LOCK_BIT);
	CHECK_EQ(vms_capget(mm, 0x12345, 0, 1, &out, &ver), -VMS_EINVAL);
	CHECK_EQ(ver, VMS_CAP_VERSION_3);
	CHECK_EQ(vms_capget(mm, 0x12345, 0, 1, NULL, &ver), 0);
	CHECK_EQ(vms_capget(mm, VMS_CAP_VERSION_3, -1, 1, &out, &ver), -VMS_EINVAL);
	/* The inheritable set: within permitted without CAP_SETPCAP (bit 8). */
	struct vms_cap_data in = {0xff, 0xff, 0};
	CHECK_EQ(vms_capset(mm, VMS_CAP_VERSION_3, 0, 1, &in), 0);
	in.inheritable = 0x100;
	CHECK_EQ(vms_capset(mm, VMS_CAP_VERSION_3, 0, 1, &in), -VMS_EPERM);
	in.inheritable = 0x80;
	CHECK_EQ(vms_capset(mm, VMS_CAP_VERSION_3, 0, 1, &in), 0);
}

TEST(without_cap_ipc_lock_rlimit_memlock_binds_mlock_and_mlock2)
{
	vms_mm *mm = new_mm(sys);
	struct vms_rlimit lim = {256 * 1024, 256 * 1024};
	CHECK_EQ(vms_prlimit(mm, VMS_RLIMIT_MEMLOCK, &lim, NULL), 0);
	CHECK_EQ(map(mm, A, 128, RW), (long)A);
	CHECK_EQ(vms_mlock(mm, A, 128 * PG), 0);
	CHECK_EQ(vms_munlock(mm, A, 128 * PG), 0);
	struct vms_cap_data d = {0, ALL_CAPS, 0};
	CHECK_EQ(vms_capset(mm, VMS_CAP_VERSION_3, 0, 1, &d), 0);
	CHECK_EQ(vms_mlock(mm, A, 128 * PG), -VMS_ENOMEM);
	CHECK_EQ(vms_mlock2(mm, A, 128 * PG, VMS_MLOCK_ONFAULT), -VMS_ENOMEM);
	CHECK_EQ(vms_mlock(mm, A, 64 * PG), 0);
	CHECK_EQ(vms_mmap(mm, A + 256 * PG, PG, RW, PA | FIX | VMS_MAP_LOCKED, NULL, 0),
		 -VMS_EAGAIN);
	/* Below vm.mmap_min_addr MAP_FIXED needs CAP_SYS_RAWIO. */
	CHECK_EQ(vms_sysctl_set(sys, "vm.mmap_min_addr", 65536), 0);
	CHECK_EQ(vms_mmap(mm, 0x1000, PG, RW, PA | FIX, NULL, 0), -VMS_EPERM);
	VALID(mm);
}

TEST(setuid_away_from_root_drops_capabilities_as_commoncap_says)
{
	vms_mm *mm = new_mm(sys);
	struct vms_creds c;
	/* euid only: the effective set goes and comes back. */
	CHECK_EQ(vms_setresuid(mm, KEEP, 1000, KEEP), 0);
	vms_mm_get_creds(mm, &c);
	CHECK_EQ(c.cap_effective, 0);
	CHECK_EQ(c.cap_permitted, ALL_CAPS);
	CHECK_EQ(c.fsuid, 1000);
	CHECK_EQ(vms_setuid(mm, 2000), -VMS_EPERM);
	CHECK_EQ(vms_setresuid(mm, KEEP, 0, KEEP), 0);
	vms_mm_get_creds(mm, &c);
	CHECK_EQ(c.cap_effective, ALL_CAPS);
	CHECK_EQ(vms_setuid(mm, KEEP), -VMS_EINVAL);
	/* KEEP_CAPS keeps the permitted set when all uids leave 0. */
	struct vms_mm_config kc = {.has_creds = 1,
				   .creds = {.cap_effective = ALL_CAPS,
					     .cap_permitted = ALL_CAPS,
					     .cap_bset = ALL_CAPS,
					     .securebits = 1u << 4}};
	vms_mm *keep = vms_mm_new(sys, &kc);
	CHECK_EQ(vms_setuid(keep, 1000), 0);
	vms_mm_get_creds(keep, &c);
	CHECK_EQ(c.cap_permitted, ALL_CAPS);
	CHECK_EQ(c.cap_effective, 0);
	/* Without it they go for good; the saved uid 1000 lets it back to
	 * 1000 only. */
	CHECK_EQ(vms_setuid(mm, 1000), 0);
	vms_mm_get_creds(mm, &c);
	CHECK_EQ(c.cap_permitted, 0);
	CHECK_EQ(c.uid, 1000);
	CHECK_EQ(c.suid, 1000);
	CHECK_EQ(vms_setuid(mm, 0), -VMS_EPERM);
	CHECK_EQ(vms_setresuid(mm, 1000, 1000, 1000), 0);
	CHECK_EQ(vms_setgid(mm, 5), -VMS_EPERM);
	/* Children share the credentials (copy_creds). */
	int err;
	vms_mm *child = vms_fork(mm, &err);
	CHECK(child);
	vms_mm_get_creds(child, &c);
	CHECK_EQ(c.euid, 1000);
	vms_mm_free(child);
}

TEST(setgid_needs_cap_setgid_for_a_new_group)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_setresgid(mm, 10, 10, 10), 0);
	struct vms_cap_data d = {ALL_CAPS & ~(1ULL << 6), ALL_CAPS & ~(1ULL << 6), 0};
	CHECK_EQ(vms_capset(mm, VMS_CAP_VERSION_3, 0, 1, &d), 0);
	CHECK_EQ(vms_setgid(mm, 20), -VMS_EPERM);
	CHECK_EQ(vms_setgid(mm, 10), 0);
	CHECK_EQ(vms_setresgid(mm, KEEP, 20, KEEP), -VMS_EPERM);
	CHECK_EQ(vms_setresgid(mm, KEEP, KEEP, KEEP), 0);
	char buf[4096];
	vms_status_text(mm, buf, sizeof(buf));
	CHECK(strstr(buf, "Gid:\t10\t10\t10\t10\n"));
	CHECK(strstr(buf, "CapEff:\t000001ffffffffbf\n"));
}

TEST(credentials_from_config_without_creds_come_from_caps)
{
	struct vms_mm_config cfg = {.caps = VMS_CAP_IPC_LOCK | VMS_CAP_SYS_RESOURCE};
	vms_mm *mm = vms_mm_new(sys, &cfg);
	struct vms_creds c;
	vms_mm_get_creds(mm, &c);
	CHECK_EQ(c.cap_effective, CAP_IPC_LOCK_BIT | (1ULL << 24));
	/* The bounding set is the same: an exec gives root nothing more. */
	CHECK_EQ(c.cap_bset, CAP_IPC_LOCK_BIT | (1ULL << 24));
	CHECK_EQ(c.uid, 0);
	(void)CAP_SETUID_BIT;
}

TEST(cred_exec_gives_root_its_bounding_set_and_others_their_ambient_set)
{
	(void)sys;
	struct vms_creds root = {.cap_bset = ALL_CAPS, .cap_inheritable = 0, .cap_effective = 0};
	cred_exec(&root);
	CHECK_EQ(root.cap_permitted, ALL_CAPS);
	CHECK_EQ(root.cap_effective, ALL_CAPS);
	/* uid 0 with another euid: permitted, but nothing effective. */
	struct vms_creds real_root = {.euid = 1000, .cap_bset = ALL_CAPS};
	cred_exec(&real_root);
	CHECK_EQ(real_root.cap_permitted, ALL_CAPS);
	CHECK_EQ(real_root.cap_effective, 0);
	CHECK_EQ(real_root.suid, 1000);
	struct vms_creds user = {.uid = 1000,
				 .euid = 1000,
				 .suid = 1000,
				 .fsuid = 1000,
				 .cap_permitted = CAP_IPC_LOCK_BIT,
				 .cap_effective = CAP_IPC_LOCK_BIT,
				 .cap_inheritable = CAP_IPC_LOCK_BIT,
				 .cap_ambient = CAP_IPC_LOCK_BIT,
				 .cap_bset = ALL_CAPS,
				 .securebits = 1u << 4};
	cred_exec(&user);
	CHECK_EQ(user.cap_permitted, CAP_IPC_LOCK_BIT);
	CHECK_EQ(user.cap_effective, CAP_IPC_LOCK_BIT);
	CHECK_EQ(user.securebits, 0);
	user.cap_ambient = 0;
	cred_exec(&user);
	CHECK_EQ(user.cap_permitted, 0);
}

/* mm/mempolicy.c lookup_node(): get_user_pages_fast() of a page in a VMA
 * without VM_READ takes a present page of its own, but the zero page's PTE
 * is special and goes to the slow walk, whose check_vma_flags() refuses the
 * read: EFAULT (live: kdiff commit seed 409937612669107, an exec-only VMA
 * mlocked, so populated with the zero page). */
TEST(get_mempolicy_node_of_a_zero_page_without_read_is_efault)
{
	vms_mm *mm = new_mm(sys);
	int mode = -1;
	const unsigned node_addr = VMS_MPOL_F_NODE | VMS_MPOL_F_ADDR;
	CHECK_EQ(map(mm, A, 2, VMS_PROT_EXEC), (long)A);
	CHECK_EQ(vms_mlock(mm, A, 2 * PG), 0); /* read faults: the zero page */
	CHECK_EQ(vms_get_mempolicy(mm, &mode, NULL, 0, 0, A, node_addr), -VMS_EFAULT);
	/* a page of its own, written before the VMA lost VM_WRITE */
	CHECK_EQ(map(mm, A + 4 * PG, 1, VMS_PROT_WRITE), (long)(A + 4 * PG));
	CHECK_EQ(vms_fault(mm, A + 4 * PG, 1), 0);
	CHECK_EQ(vms_mprotect(mm, A + 4 * PG, PG, VMS_PROT_EXEC), 0);
	CHECK_EQ(vms_get_mempolicy(mm, &mode, NULL, 0, 0, A + 4 * PG, node_addr), 0);
	CHECK_EQ(mode, 0);
	vms_mm_free(mm);
}

/* ipc/shm.c shm_set_policy()/shm_get_policy(): a System V attach forwards to
 * its segment's shmem file, so mbind sets the object's shared policy by page
 * offset and a piece mremap moves elsewhere shows the policy of its own
 * offsets, not the VMA's (live: kdiff commit seeds 409937612669103..114). */
TEST(mbind_of_a_sysv_attach_sets_the_segments_shared_policy)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 8 * PG, 0600), 0);
	long a = vms_shmat(mm, 0, A, 0);
	CHECK_EQ(a, (long)A);
	CHECK_EQ(mbind1(mm, A + 2 * PG, 2 * PG, VMS_MPOL_BIND, 1, 0), 0);
	CHECK_POLICY(mm, A + 2 * PG, "bind:0");
	/* pages 2-3 and 4-7 of the segment go elsewhere: the first keeps the
	 * segment's policy, the second has none (the task's default) */
	CHECK_EQ(vms_mremap(mm, A + 2 * PG, 2 * PG, 2 * PG, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED,
			    A + 32 * PG),
		 (long)(A + 32 * PG));
	CHECK_POLICY(mm, A + 32 * PG, "bind:0");
	CHECK_EQ(vms_mremap(mm, A + 4 * PG, 4 * PG, 4 * PG, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED,
			    A + 64 * PG),
		 (long)(A + 64 * PG));
	CHECK_POLICY(mm, A + 64 * PG, "default");
	/* a second attach sees the same object's policy */
	long b = vms_shmat(mm, 0, A + 128 * PG, 0);
	CHECK_EQ(b, (long)(A + 128 * PG));
	CHECK_POLICY(mm, A + 128 * PG, "default");
	CHECK_EQ(vms_munmap(mm, A + 128 * PG, 2 * PG), 0);
	CHECK_POLICY(mm, A + 130 * PG, "bind:0");
	vms_mm_free(mm);
}
