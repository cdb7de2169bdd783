/*
 * test_kdiff_policy.c: scripted live-kernel differential tests of the memory
 * policy, protection key, shadow stack, prctl, personality and credential
 * calls (kd_steps.h: every call runs on the helper and the model, and
 * results, maps, numa_maps policies, status and stat boundaries must agree).
 * Where the host lacks a feature (protection keys, shadow stacks) the test
 * checks the host's errno and prints the probe that decided it.
 *
 * Not for: rules the kernel cannot show here (16 protection keys, a second
 * NUMA node): test_policy.c checks those against the model alone.
 */
#include <stdio.h>

#include "../cli/kdiff.h"
#include "kd_steps.h"
#include "t.h"

#define P 4096ULL
#define MB (1ULL << 20)
#define R VMS_PROT_READ
#define RW (VMS_PROT_READ | VMS_PROT_WRITE)
#define RX (VMS_PROT_READ | VMS_PROT_EXEC)
#define RWX (VMS_PROT_READ | VMS_PROT_WRITE | VMS_PROT_EXEC)
#define PA (VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS)
#define SA (VMS_MAP_SHARED | VMS_MAP_ANONYMOUS)
#define FIX VMS_MAP_FIXED
#define NOFD KD_FD_NONE
#define BIND VMS_MPOL_BIND
#define STATIC VMS_MPOL_F_STATIC_NODES
#define RELATIVE VMS_MPOL_F_RELATIVE_NODES
#define KEEP ((uint64_t)(uint32_t)-1)
#define CAP_V3 0x20080522
#define CAP_IPC_LOCK_BIT (1ULL << 14)
#define CAP_SYS_RAWIO_BIT (1ULL << 17)
#define CAP_SYS_NICE_BIT (1ULL << 23)

/* KD_MBIND arguments: start, len, mode, mask word 0, maxnode, flags. */
#define MBIND(start, len, mode, w0, maxnode, flags)                                                \
	STEP(KD_MBIND, start, len, mode, w0, maxnode, flags, KD_PTR_BUF, 0)

/* The probed setting that decides what a test can expect of this host. */
static void print_host_setting(vms_sys *sys, const char *name)
{
	struct vms_setting_info in;
	for (size_t i = 0; vms_setting_info(sys, i, &in) == 0; i++)
		if (strcmp(in.name, name) == 0)
			printf("    host: %s=%llu (%s)\n", name, (unsigned long long)in.value,
			       in.probe);
}

static uint64_t setting(vms_sys *sys, const char *name)
{
	uint64_t v = 0;
	vms_sysctl_get(sys, name, &v);
	return v;
}

TEST(kdiff_mbind_splits_and_merges_match)
{
	KD_BEGIN;
	STEP(KD_MMAP, W, 16 * P, RW, PA | FIX, NOFD, 0);
	/* A policy on the middle splits the VMA in three; the same policy on a
	 * neighbour joins it; the default again merges everything back. */
	MBIND(W + 4 * P, 4 * P, BIND, 1, 2, 0);
	MBIND(W + 8 * P, 2 * P, BIND, 1, 64, 0);
	MBIND(W + 8 * P, 2 * P, BIND | STATIC, 3, 3, 0);
	MBIND(W, 16 * P, VMS_MPOL_INTERLEAVE, 1, 2, 0);
	MBIND(W + 2 * P, 2 * P, VMS_MPOL_PREFERRED, 0, 2, 0);
	MBIND(W + 3 * P, 2 * P, VMS_MPOL_LOCAL, 0, 0, 0);
	MBIND(W + 6 * P, P, VMS_MPOL_PREFERRED_MANY | VMS_MPOL_F_NUMA_BALANCING, 1, 2, 0);
	MBIND(W + 7 * P, P, VMS_MPOL_WEIGHTED_INTERLEAVE | RELATIVE, 2, 3, 0);
	MBIND(W, 16 * P, VMS_MPOL_DEFAULT, 0, 0, 0);
	/* A new mapping next to one with a policy stays apart (mmap has none). */
	MBIND(W, 16 * P, BIND, 1, 2, 0);
	STEP(KD_MMAP, W + 16 * P, 4 * P, RW, PA | FIX, NOFD, 0);
	STEP(KD_MBIND, W + 16 * P, 4 * P, BIND, 1, 2, 0, KD_PTR_BUF, 0);
	/* Splits copy the policy; mprotect back merges the pieces. */
	STEP(KD_MPROTECT, W + 2 * P, 2 * P, R);
	STEP(KD_MPROTECT, W + 2 * P, 2 * P, RW);
	/* mremap copies it to the moved VMA. */
	STEP(KD_TOUCH, W + 3 * P, 1);
	STEP(KD_MREMAP, W + 12 * P, 4 * P, 4 * P, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED,
	     W + 64 * P);
	STEP(KD_MREMAP, W + 64 * P, 4 * P, 8 * P, 0, 0);
	STEP(KD_GET_MEMPOLICY, 64, W + 65 * P, VMS_MPOL_F_ADDR, KD_PTR_BUF, 0, 0, KD_PTR_BUF);
	/* The home node splits too, and joins equal neighbours. */
	STEP(KD_HOME_NODE, W + 4 * P, P, 0, 0);
	STEP(KD_HOME_NODE, W + 5 * P, P, 0, 0);
	STEP(KD_HOME_NODE, W + 4 * P, 4 * P, 0, 0);
	MBIND(W + 4 * P, P, VMS_MPOL_INTERLEAVE, 1, 2, 0);
	STEP(KD_HOME_NODE, W + 3 * P, 4 * P, 0, 0);
	STEP(KD_HOME_NODE, W + 40 * P, 4 * P, 0, 0);
	STEP(KD_HOME_NODE, W + 4 * P, 4 * P, 1, 0);
	STEP(KD_HOME_NODE, W + 4 * P, 4 * P, 0, 1);
	STEP(KD_HOME_NODE, W + 4 * P + 1, 4 * P, 0, 0);
	STEP(KD_HOME_NODE, W + 4 * P, 0, 0, 0);
	/* brk's heap: a policy there keeps a later brk from joining it. */
	STEP(KD_BRK, 0);
	uint64_t b0 = (uint64_t)res;
	STEP(KD_BRK, b0 + 4 * P);
	STEP(KD_MBIND, b0 & ~(P - 1), P, BIND, 1, 2, 0, KD_PTR_BUF, 0);
	STEP(KD_BRK, b0 + 8 * P);
	KD_END;
}

TEST(kdiff_mbind_errors_match)
{
	KD_BEGIN;
	STEP(KD_MMAP, W, 8 * P, RW, PA | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 16 * P, 8 * P, RW, PA | FIX, NOFD, 0);
	/* Modes and flags (sanitize_mpol_flags, do_mbind). */
	MBIND(W, P, 7, 1, 2, 0);
	MBIND(W, P, BIND | STATIC | RELATIVE, 1, 2, 0);
	MBIND(W, P, VMS_MPOL_PREFERRED | VMS_MPOL_F_NUMA_BALANCING, 1, 2, 0);
	MBIND(W, P, BIND | (1 << 12), 1, 2, 0);
	MBIND(W, P, BIND, 1, 2, 8);
	MBIND(W + 1, P, BIND, 1, 2, 0);
	MBIND(W, 0, BIND, 0, 2, 0);
	MBIND(W, (uint64_t)-P, BIND, 1, 2, 0);
	/* Masks: empty, offline nodes only, past MAX_NUMNODES, too long. */
	MBIND(W, P, BIND, 0, 2, 0);
	MBIND(W, P, BIND, 2, 3, 0);
	MBIND(W, P, BIND | STATIC, 2, 3, 0);
	MBIND(W, P, BIND | RELATIVE, 2, 3, 0);
	MBIND(W, P, VMS_MPOL_DEFAULT, 1, 2, 0);
	MBIND(W, P, VMS_MPOL_LOCAL, 1, 2, 0);
	MBIND(W, P, VMS_MPOL_PREFERRED | STATIC, 0, 2, 0);
	MBIND(W, P, BIND, 1, 0, 0);
	MBIND(W, P, BIND, 1, 1, 0);
	MBIND(W, P, BIND, 1, 32769, 0);
	MBIND(W, P, BIND, 1, 32770, 0);
	STEP(KD_MBIND, W, P, BIND, 1, 1025, 0, KD_PTR_BUF, 1 + 1024);
	STEP(KD_MBIND, W, P, BIND, 1, 2048, 0, KD_PTR_BUF, 1 + 1030);
	STEP(KD_MBIND, W, P, BIND, 1, 1031, 0, KD_PTR_BUF, 1 + 1087);
	STEP(KD_MBIND, W, P, BIND, 1, 1025, 0, KD_PTR_BUF, 1 + 1023);
	STEP(KD_MBIND, W, P, BIND, 1, 64, 0, KD_PTR_BAD, 0);
	STEP(KD_MBIND, W, P, BIND, 1, 64, 0, KD_PTR_NULL, 0);
	STEP(KD_MBIND, W, P, VMS_MPOL_DEFAULT, 0, 64, 0, KD_PTR_NULL, 0);
	/* Holes: EFAULT before anything changes, except for MPOL_DEFAULT. */
	MBIND(W + 6 * P, 4 * P, BIND, 1, 2, 0);
	MBIND(W + 10 * P, 2 * P, BIND, 1, 2, 0);
	MBIND(W + 6 * P, 12 * P, BIND, 1, 2, 0);
	MBIND(W + 10 * P, 8 * P, BIND, 1, 2, 0);
	MBIND(W + 6 * P, 12 * P, VMS_MPOL_DEFAULT, 0, 0, 0);
	MBIND(W + 10 * P, 2 * P, VMS_MPOL_DEFAULT, 0, 0, 0);
	/* STRICT: resident pages off the mask are misplaced (EIO, nothing
	 * changed); MOVE migrates them; MOVE_ALL needs CAP_SYS_NICE. */
	STEP(KD_TOUCH, W + P, 1);
	MBIND(W, 4 * P, VMS_MPOL_LOCAL, 0, 0, VMS_MPOL_MF_STRICT);
	MBIND(W, 4 * P, BIND, 1, 2, VMS_MPOL_MF_STRICT);
	MBIND(W, 4 * P, VMS_MPOL_PREFERRED | RELATIVE, 2, 3, VMS_MPOL_MF_STRICT);
	MBIND(W, 4 * P, VMS_MPOL_LOCAL, 0, 0, VMS_MPOL_MF_MOVE);
	MBIND(W, 4 * P, VMS_MPOL_LOCAL, 0, 0, VMS_MPOL_MF_STRICT | VMS_MPOL_MF_MOVE);
	MBIND(W + 2 * P, 4 * P, VMS_MPOL_INTERLEAVE, 1, 2, VMS_MPOL_MF_MOVE_ALL);
	STEP(KD_CAPGET, CAP_V3, 0, KD_PTR_BUF);
	uint64_t eff = 0;
	{
		struct vms_creds cr;
		vms_mm_get_creds(kd.mm, &cr);
		eff = cr.cap_effective;
		STEP(KD_CAPSET, CAP_V3, 0, eff & ~CAP_SYS_NICE_BIT, cr.cap_permitted,
		     cr.cap_inheritable);
	}
	MBIND(W + 2 * P, 4 * P, VMS_MPOL_INTERLEAVE, 1, 2, VMS_MPOL_MF_MOVE_ALL);
	MBIND(W + 2 * P, 4 * P, VMS_MPOL_INTERLEAVE, 1, 2, VMS_MPOL_MF_MOVE);
	KD_END;
}

TEST(kdiff_mempolicy_task_and_queries_match)
{
	KD_BEGIN;
	STEP(KD_MMAP, W, 8 * P, RW, PA | FIX, NOFD, 0);
	MBIND(W, P, BIND | STATIC, 3, 3, 0);
	MBIND(W + P, P, VMS_MPOL_PREFERRED | RELATIVE, 2, 3, 0);
	/* NUMA_BALANCING keeps the user's mask too (mpol_store_user_nodemask). */
	MBIND(W + 2 * P, P, BIND | VMS_MPOL_F_NUMA_BALANCING, 3, 3, 0);
	STEP(KD_GET_MEMPOLICY, 64, W + 2 * P, 2, KD_PTR_BUF, 0, 0, KD_PTR_BUF);
	/* get_mempolicy: the task's, a VMA's, the node, the cpuset's nodes. */
	static const uint64_t flags[] = {0, 1, 2, 3, 4, 5, 6, 8};
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		STEP(KD_GET_MEMPOLICY, 64, flags[i] & 2 ? W : 0, flags[i], KD_PTR_BUF, 0, 0,
		     KD_PTR_BUF);
		STEP(KD_GET_MEMPOLICY, 64, W + P, flags[i], KD_PTR_BUF, 0, 0, KD_PTR_BUF);
	}
	static const uint64_t maxnodes[] = {0, 1, 2, 64, 65, 1025, 4097, 32769, 32770};
	for (size_t i = 0; i < sizeof(maxnodes) / sizeof(maxnodes[0]); i++)
		STEP(KD_GET_MEMPOLICY, maxnodes[i], 0, 0, KD_PTR_BUF, 0, 0, KD_PTR_BUF);
	STEP(KD_GET_MEMPOLICY, 0, 0, 0, KD_PTR_NULL, 0, 0, KD_PTR_NULL);
	STEP(KD_GET_MEMPOLICY, 64, 0, 0, KD_PTR_BUF, 0, 0, KD_PTR_BAD);
	STEP(KD_GET_MEMPOLICY, 64, W + 32 * P, 2, KD_PTR_BUF, 0, 0, KD_PTR_BUF);
	/* A node query faults the page in; PROT_NONE cannot be. */
	STEP(KD_GET_MEMPOLICY, 64, W + 2 * P, 3, KD_PTR_BUF, 0, 0, KD_PTR_BUF);
	STEP(KD_MPROTECT, W + 4 * P, P, VMS_PROT_NONE);
	STEP(KD_GET_MEMPOLICY, 64, W + 4 * P, 3, KD_PTR_BUF, 0, 0, KD_PTR_BUF);
	STEP(KD_MPROTECT, W + 4 * P, P, VMS_PROT_WRITE);
	STEP(KD_GET_MEMPOLICY, 64, W + 4 * P, 3, KD_PTR_BUF, 0, 0, KD_PTR_BUF);
	STEP(KD_TOUCH, W + 4 * P, 1);
	STEP(KD_GET_MEMPOLICY, 64, W + 4 * P, 3, KD_PTR_BUF, 0, 0, KD_PTR_BUF);
	/* The task policy: what VMAs without one show, and its own checks. */
	STEP(KD_SET_MEMPOLICY, VMS_MPOL_INTERLEAVE, 0, 0, 3, 3, 0, KD_PTR_BUF, 0);
	STEP(KD_GET_MEMPOLICY, 64, 0, 1, KD_PTR_BUF, 0, 0, KD_PTR_BUF);
	STEP(KD_SET_MEMPOLICY, VMS_MPOL_WEIGHTED_INTERLEAVE, 0, 0, 1, 2, 0, KD_PTR_BUF, 0);
	STEP(KD_GET_MEMPOLICY, 64, 0, 1, KD_PTR_BUF, 0, 0, KD_PTR_BUF);
	STEP(KD_SET_MEMPOLICY, BIND | RELATIVE, 0, 0, 2, 3, 0, KD_PTR_BUF, 0);
	STEP(KD_GET_MEMPOLICY, 64, 0, 0, KD_PTR_BUF, 0, 0, KD_PTR_BUF);
	STEP(KD_GET_MEMPOLICY, 64, 0, 1, KD_PTR_BUF, 0, 0, KD_PTR_BUF);
	STEP(KD_SET_MEMPOLICY, BIND, 0, 0, 2, 3, 0, KD_PTR_BUF, 0);
	STEP(KD_SET_MEMPOLICY, VMS_MPOL_LOCAL, 0, 0, 1, 2, 0, KD_PTR_BUF, 0);
	STEP(KD_SET_MEMPOLICY, VMS_MPOL_PREFERRED, 0, 0, 0, 2, 0, KD_PTR_BUF, 0);
	STEP(KD_GET_MEMPOLICY, 64, 0, 0, KD_PTR_BUF, 0, 0, KD_PTR_BUF);
	STEP(KD_SET_MEMPOLICY, 9, 0, 0, 1, 2, 0, KD_PTR_BUF, 0);
	STEP(KD_SET_MEMPOLICY, VMS_MPOL_DEFAULT, 0, 0, 0, 0, 0, KD_PTR_NULL, 0);
	STEP(KD_GET_MEMPOLICY, 64, 0, 0, KD_PTR_BUF, 0, 0, KD_PTR_BUF);
	KD_END;
}

TEST(kdiff_shmem_shared_policy_matches)
{
	KD_BEGIN;
	/* A policy set through one mapping of a shared anonymous object is
	 * the object's: another mapping of the same pages shows it. */
	STEP(KD_MMAP, W, 16 * P, RW, SA | FIX, NOFD, 0);
	STEP(KD_MREMAP, W + 8 * P, P, P,
	     VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED | VMS_MREMAP_DONTUNMAP, W + 64 * P);
	MBIND(W + 8 * P, 2 * P, VMS_MPOL_LOCAL, 0, 0, 0);
	STEP(KD_GET_MEMPOLICY, 64, W + 64 * P, 2, KD_PTR_BUF, 0, 0, KD_PTR_BUF);
	MBIND(W + 6 * P, 8 * P, BIND, 1, 2, 0);
	STEP(KD_SET_MEMPOLICY, VMS_MPOL_INTERLEAVE, 0, 0, 1, 2, 0, KD_PTR_BUF, 0);
	MBIND(W + 9 * P, P, VMS_MPOL_DEFAULT, 0, 0, 0);
	STEP(KD_GET_MEMPOLICY, 64, W + 9 * P, 2, KD_PTR_BUF, 0, 0, KD_PTR_BUF);
	/* Growing it: the new pages have no shared policy yet. */
	STEP(KD_MREMAP, W, 16 * P, 24 * P, 0, 0);
	STEP(KD_GET_MEMPOLICY, 64, W + 20 * P, 2, KD_PTR_BUF, 0, 0, KD_PTR_BUF);
	STEP(KD_MPROTECT, W + 7 * P, 2 * P, R);
	STEP(KD_MPROTECT, W + 7 * P, 2 * P, RW);
	STEP(KD_HOME_NODE, W, 24 * P, 0, 0);
	KD_END;
}

TEST(kdiff_protection_keys_match)
{
	KD_BEGIN;
	print_host_setting(kd.sys, "cpu.pku");
	STEP(KD_MMAP, W, 8 * P, RW, PA | FIX, NOFD, 0);
	STEP(KD_PKEY_MPROTECT, W, P, R, 0);
	STEP(KD_PKEY_MPROTECT, W, P, R, (uint64_t)-1);
	STEP(KD_PKEY_MPROTECT, W, P, R, (uint64_t)-2);
	STEP(KD_PKEY_MPROTECT, W, P, R, 1);
	STEP(KD_PKEY_ALLOC, 1, 0);
	STEP(KD_PKEY_ALLOC, 0, 4);
	STEP(KD_PKEY_ALLOC, 0, VMS_PKEY_DISABLE_ACCESS);
	uint64_t key = (uint64_t)res;
	STEP(KD_PKEY_ALLOC, 0, 0);
	STEP(KD_PKEY_MPROTECT, W + P, 2 * P, R, key);
	STEP(KD_PKEY_MPROTECT, W + 2 * P, 2 * P, RW, key);
	/* Execute-only memory gets the execute-only key where there is one. */
	STEP(KD_MMAP, W + 16 * P, P, VMS_PROT_EXEC, PA | FIX, NOFD, 0);
	STEP(KD_MPROTECT, W + 3 * P, P, VMS_PROT_EXEC);
	STEP(KD_MPROTECT, W + 3 * P, P, RX);
	STEP(KD_PKEY_FREE, key);
	STEP(KD_PKEY_FREE, 0);
	STEP(KD_PKEY_FREE, 15);
	STEP(KD_PKEY_FREE, (uint64_t)-1);
	STEP(KD_PKEY_ALLOC, 0, 0);
	KD_END;
}

TEST(kdiff_shadow_stack_matches)
{
	KD_BEGIN;
	print_host_setting(kd.sys, "config.x86_user_shadow_stack");
	print_host_setting(kd.sys, "cpu.user_shstk");
	STEP(KD_SHADOW_STACK, 0, 4 * P, 0);
	STEP(KD_SHADOW_STACK, 0, 4 * P, VMS_SHADOW_STACK_SET_TOKEN);
	STEP(KD_SHADOW_STACK, 0, 4, VMS_SHADOW_STACK_SET_TOKEN);
	STEP(KD_SHADOW_STACK, 0, 4 * P, 2);
	STEP(KD_SHADOW_STACK, 0x1000, 4 * P, 0);
	STEP(KD_SHADOW_STACK, W + 1, 4 * P, 0);
	STEP(KD_SHADOW_STACK, W, 4 * P + 4, VMS_SHADOW_STACK_SET_TOKEN);
	STEP(KD_SHADOW_STACK, W, (uint64_t)-1, 0);
	KD_END;
}

TEST(kdiff_thp_disable_matches)
{
	KD_BEGIN;
	print_host_setting(kd.sys, "vm.transparent_hugepage");
	const uint64_t A = W + 32 * MB; /* 2 MiB aligned */
	STEP(KD_PRCTL, VMS_PR_GET_THP_DISABLE, 0, 0, 0, 0);
	STEP(KD_PRCTL, VMS_PR_GET_THP_DISABLE, 1, 0, 0, 0);
	STEP(KD_PRCTL, VMS_PR_SET_THP_DISABLE, 1, 1, 0, 0);
	STEP(KD_PRCTL, VMS_PR_SET_THP_DISABLE, 0, 2, 0, 0);
	STEP(KD_PRCTL, VMS_PR_SET_THP_DISABLE, 1, 0, 1, 0);
	/* A read fault in MADV_HUGEPAGE memory takes the THP path and an
	 * anon_vma, which keeps a written neighbour from joining it later;
	 * with THP disabled for the process it does not. */
	for (int disable = 0; disable < 3; disable++) {
		const uint64_t B = A + (uint64_t)disable * 8 * MB;
		STEP(KD_PRCTL, VMS_PR_SET_THP_DISABLE, disable != 0, disable == 2 ? 2 : 0, 0, 0);
		STEP(KD_PRCTL, VMS_PR_GET_THP_DISABLE, 0, 0, 0, 0);
		STEP(KD_MMAP, B, 2 * MB, RW, PA | FIX, NOFD, 0);
		STEP(KD_MADVISE, B, 2 * MB, VMS_MADV_HUGEPAGE);
		STEP(KD_TOUCH, B + P, 0);
		STEP(KD_MMAP, B + 2 * MB, P, RW, PA | FIX, NOFD, 0);
		STEP(KD_TOUCH, B + 2 * MB, 1);
		STEP(KD_MADVISE, B + 2 * MB, P, VMS_MADV_HUGEPAGE);
		STEP(KD_TOUCH, B + 8 * P, 1);
		STEP(KD_MADVISE, B, 2 * MB, VMS_MADV_COLLAPSE);
	}
	STEP(KD_PRCTL, VMS_PR_SET_THP_DISABLE, 0, 0, 0, 0);
	KD_END;
}

TEST(kdiff_mdwe_matches)
{
	KD_BEGIN;
	STEP(KD_MMAP, W, 4 * P, RW, PA | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 8 * P, 2 * P, VMS_PROT_EXEC, PA | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 16 * P, 2 * P, R, PA | FIX, NOFD, 0);
	STEP(KD_PRCTL, VMS_PR_GET_MDWE, 0, 0, 0, 0);
	STEP(KD_PRCTL, VMS_PR_SET_MDWE, 2, 0, 0, 0);
	STEP(KD_PRCTL, VMS_PR_SET_MDWE, 4, 0, 0, 0);
	STEP(KD_PRCTL, VMS_PR_SET_MDWE, 1, 1, 0, 0);
	STEP(KD_PRCTL, VMS_PR_SET_MDWE, 1, 0, 0, 0);
	STEP(KD_PRCTL, VMS_PR_GET_MDWE, 0, 0, 0, 0);
	STEP(KD_PRCTL, VMS_PR_SET_MDWE, 3, 0, 0, 0);
	STEP(KD_PRCTL, VMS_PR_SET_MDWE, 0, 0, 0, 0);
	STEP(KD_PRCTL, VMS_PR_SET_MDWE, 1, 0, 0, 0);
	/* New W+X mappings and gaining X are refused; keeping X is not. */
	STEP(KD_MMAP, W + 32 * P, P, RWX, PA | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 32 * P, P, RX, PA | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 40 * P, P, VMS_PROT_WRITE | VMS_PROT_EXEC, SA | FIX, NOFD, 0);
	STEP(KD_MPROTECT, W, P, RX);
	STEP(KD_MPROTECT, W, 4 * P, R);
	STEP(KD_MPROTECT, W + 8 * P, P, RX);
	STEP(KD_MPROTECT, W + 8 * P, P, RWX);
	STEP(KD_MPROTECT, W + 8 * P, 2 * P, VMS_PROT_WRITE);
	STEP(KD_MPROTECT, W + 8 * P, 2 * P, VMS_PROT_EXEC);
	STEP(KD_MPROTECT, W + 16 * P, 2 * P, RX);
	/* A range whose second VMA gains X stops there, the first changed. */
	STEP(KD_MPROTECT, W + 8 * P, 2 * P, RX);
	STEP(KD_MMAP, W + 10 * P, P, R, PA | FIX, NOFD, 0);
	STEP(KD_MPROTECT, W + 8 * P, 3 * P, RX | VMS_PROT_WRITE);
	STEP(KD_MPROTECT, W + 8 * P, 3 * P, RX);
	/* READ_IMPLIES_EXEC under MDWE: a new r-x mapping is fine, a
	 * read-only one made readable again gains X and is refused. */
	STEP(KD_PERSONALITY, VMS_READ_IMPLIES_EXEC);
	STEP(KD_MMAP, W + 48 * P, P, R, PA | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 49 * P, P, RW, PA | FIX, NOFD, 0);
	STEP(KD_MPROTECT, W + 16 * P, P, R);
	STEP(KD_BRK, 0);
	uint64_t b0 = (uint64_t)res;
	STEP(KD_BRK, b0 + 4 * P);
	STEP(KD_PERSONALITY, 0);
	KD_END;
}

TEST(kdiff_set_mm_matches)
{
	KD_BEGIN;
	print_host_setting(kd.sys, "vm.mmap_min_addr");
	/* Single fields need CAP_SYS_RESOURCE (EPERM here without it). */
	STEP(KD_PRCTL, VMS_PR_SET_MM, VMS_PR_SET_MM_START_BRK, W, 0, 0);
	STEP(KD_PRCTL, VMS_PR_SET_MM, VMS_PR_SET_MM_ARG_START, W, 1, 0);
	STEP(KD_PRCTL, VMS_PR_SET_MM, VMS_PR_SET_MM_BRK, W, 0, 1);
	STEP(KD_PRCTL, VMS_PR_SET_MM, 99, W, 0, 0);
	STEP(KD_PRCTL, VMS_PR_SET_MM, VMS_PR_SET_MM_MAP_SIZE, 0, 0, 0);
	/* PR_SET_MM_MAP needs none: the boundaries move (stat, VmExe), and
	 * brk works from the new ones. */
	STEP(KD_MM_MAP, KD_MM_FIELDS, 0, KD_MM_FIELDS, 0, 104);
	STEP(KD_MM_MAP, KD_MM_FIELDS, 0, KD_MM_FIELDS, 0, 96);
	STEP(KD_BRK, 0);
	uint64_t b0 = (uint64_t)res;
	struct vms_prctl_mm_map m;
	vms_mm_get_mm_map(kd.mm, &m);
	STEP(KD_MM_MAP, 5, m.start_brk + 64 * P, KD_MM_FIELDS, 0, 104);
	STEP(KD_BRK, 0);
	STEP(KD_BRK, m.start_brk + 80 * P);
	STEP(KD_MM_MAP, 5, b0, KD_MM_FIELDS, 0, 104);
	STEP(KD_MM_MAP, 0, m.start_code - 2 * P, KD_MM_FIELDS, 0, 104);
	STEP(KD_MM_MAP, 1, m.start_code, KD_MM_FIELDS, 0, 104);
	STEP(KD_MM_MAP, 0, 0x1000, KD_MM_FIELDS, 0, 104);
	STEP(KD_MM_MAP, 10, kd.task_size, KD_MM_FIELDS, 0, 104);
	STEP(KD_MM_MAP, 10, kd.task_size - 1, KD_MM_FIELDS, 0, 104);
	STEP(KD_MM_MAP, 2, m.end_data + P, KD_MM_FIELDS, 0, 104);
	STEP(KD_MM_MAP, 7, m.arg_end + P, 8, m.arg_end + P, 104);
	/* The data the brk range and data segment hold stays in RLIMIT_DATA. */
	STEP(KD_PRLIMIT, VMS_RLIMIT_DATA, 16 * P, VMS_RLIM_INFINITY, 0);
	STEP(KD_MM_MAP, 5, m.start_brk + 64 * P, KD_MM_FIELDS, 0, 104);
	STEP(KD_PRLIMIT, VMS_RLIMIT_DATA, VMS_RLIM_INFINITY, VMS_RLIM_INFINITY, 0);
	STEP(KD_MM_MAP, 5, b0, KD_MM_FIELDS, 0, 104);
	KD_END;
}

TEST(kdiff_personality_matches)
{
	KD_BEGIN;
	STEP(KD_PERSONALITY, 0xffffffff);
	STEP(KD_PERSONALITY, VMS_READ_IMPLIES_EXEC);
	STEP(KD_PERSONALITY, 0xffffffff);
	/* READ_IMPLIES_EXEC: PROT_READ brings PROT_EXEC, at once. */
	STEP(KD_MMAP, W, P, R, PA | FIX, NOFD, 0);
	STEP(KD_MMAP, W + P, P, RW, PA | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 2 * P, P, VMS_PROT_NONE, PA | FIX, NOFD, 0);
	STEP(KD_MPROTECT, W + 2 * P, P, R);
	STEP(KD_BRK, 0);
	uint64_t b0 = (uint64_t)res;
	STEP(KD_BRK, b0 + 2 * P);
	/* The layout bits wait for exec; other bits are just kept. */
	STEP(KD_PERSONALITY, VMS_ADDR_COMPAT_LAYOUT | VMS_ADDR_NO_RANDOMIZE | 8);
	STEP(KD_MMAP, 0, P, RW, PA, NOFD, 0);
	STEP(KD_PERSONALITY, VMS_ADDR_LIMIT_3GB);
	STEP(KD_MMAP, 0, P, RW, PA, NOFD, 0);
	STEP(KD_PERSONALITY, 0x1fffffffeULL);
	STEP(KD_PERSONALITY, 0xffffffff);
	STEP(KD_PERSONALITY, 0);
	KD_END;
}

TEST(kdiff_memlock_without_capabilities_matches)
{
	KD_BEGIN;
	/* With CAP_IPC_LOCK RLIMIT_MEMLOCK does not bind; without it mlock,
	 * mlock2 and MAP_LOCKED are held to 256 KiB. */
	STEP(KD_PRLIMIT, VMS_RLIMIT_MEMLOCK, 256 * 1024, 256 * 1024, 0);
	STEP(KD_MMAP, W, 128 * P, RW, PA | FIX, NOFD, 0);
	STEP(KD_MLOCK, W, 128 * P);
	STEP(KD_MUNLOCK, W, 128 * P);
	struct vms_creds cr;
	vms_mm_get_creds(kd.mm, &cr);
	STEP(KD_CAPSET, CAP_V3, 0, 0, cr.cap_permitted, cr.cap_inheritable);
	STEP(KD_CAPGET, CAP_V3, 0, KD_PTR_BUF);
	STEP(KD_MLOCK, W, 128 * P);
	STEP(KD_MLOCK2, W, 128 * P, 0);
	STEP(KD_MLOCK2, W, 128 * P, 1);
	STEP(KD_MLOCK, W, 16 * P);
	STEP(KD_MLOCK2, W + 16 * P, 48 * P, 1);
	STEP(KD_MLOCK, W + 64 * P, P);
	STEP(KD_MMAP, W + 200 * P, 8 * P, RW, PA | FIX | VMS_MAP_LOCKED, NOFD, 0);
	STEP(KD_MUNLOCK, W, 128 * P);
	STEP(KD_MMAP, W + 200 * P, 8 * P, RW, PA | FIX | VMS_MAP_LOCKED, NOFD, 0);
	/* Below mmap_min_addr a fixed mapping needs CAP_SYS_RAWIO. */
	STEP(KD_MMAP, 0x1000, P, RW, PA | FIX, NOFD, 0);
	/* The effective set back from the permitted one. */
	STEP(KD_CAPSET, CAP_V3, 0, cr.cap_permitted, cr.cap_permitted, cr.cap_inheritable);
	STEP(KD_MLOCK, W, 128 * P);
	STEP(KD_MUNLOCK, W, 128 * P);
	STEP(KD_MMAP, 0x1000, P, RW, PA | FIX, NOFD, 0);
	STEP(KD_MUNMAP, 0x1000, P);
	/* Dropped from the permitted set, it is gone for good. */
	STEP(KD_CAPSET, CAP_V3, 0, cr.cap_permitted & ~CAP_IPC_LOCK_BIT,
	     cr.cap_permitted & ~CAP_IPC_LOCK_BIT, cr.cap_inheritable);
	STEP(KD_CAPSET, CAP_V3, 0, cr.cap_permitted, cr.cap_permitted, cr.cap_inheritable);
	STEP(KD_MLOCK, W, 128 * P);
	STEP(KD_CAPSET, CAP_V3, KD_SELF, 0, 0, 0);
	STEP(KD_CAPGET, CAP_V3, KD_SELF, KD_PTR_BUF);
	STEP(KD_CAPGET, 0x19980330, 0, KD_PTR_BUF);
	STEP(KD_CAPGET, 0x12345, 0, KD_PTR_BUF);
	STEP(KD_CAPGET, 0x12345, 0, KD_PTR_NULL);
	STEP(KD_CAPGET, CAP_V3, (uint64_t)-1, KD_PTR_BUF);
	STEP(KD_CAPSET, CAP_V3, 1, 0, 0, 0);
	STEP(KD_CAPSET, 0x12345, 0, 0, 0, 0);
	KD_END;
}

TEST(kdiff_setuid_drops_capabilities_matches)
{
	KD_BEGIN;
	STEP(KD_CAPGET, CAP_V3, 0, KD_PTR_BUF);
	STEP(KD_PRLIMIT, VMS_RLIMIT_MEMLOCK, 64 * 1024, 64 * 1024, 0);
	STEP(KD_MMAP, W, 64 * P, RW, PA | FIX, NOFD, 0);
	/* euid away from 0 empties the effective set, back refills it. */
	STEP(KD_SETRESUID, KEEP, 1000, KEEP);
	STEP(KD_CAPGET, CAP_V3, 0, KD_PTR_BUF);
	STEP(KD_MLOCK, W, 32 * P);
	STEP(KD_SETUID, 1000);
	STEP(KD_SETUID, (uint64_t)-1);
	STEP(KD_SETRESUID, KEEP, 0, KEEP);
	STEP(KD_CAPGET, CAP_V3, 0, KD_PTR_BUF);
	STEP(KD_MLOCK, W, 32 * P);
	STEP(KD_SETRESUID, KEEP, KEEP, KEEP);
	STEP(KD_SETGID, 1000);
	STEP(KD_SETRESGID, KEEP, 0, KEEP);
	STEP(KD_SETRESGID, 2000, 2000, 2000);
	STEP(KD_SETGID, (uint64_t)-1);
	/* All three uids away from 0: the capabilities go for good. */
	STEP(KD_SETRESUID, 1000, 1000, 1000);
	STEP(KD_CAPGET, CAP_V3, 0, KD_PTR_BUF);
	STEP(KD_MLOCK, W, 32 * P);
	STEP(KD_MLOCK, W, 8 * P);
	STEP(KD_SETUID, 0);
	STEP(KD_SETRESUID, 0, KEEP, KEEP);
	STEP(KD_SETRESUID, 1000, 1000, 1000);
	STEP(KD_SETGID, 1000);
	STEP(KD_SETGID, 2000);
	STEP(KD_PRLIMIT, VMS_RLIMIT_MEMLOCK, 128 * 1024, 128 * 1024, 0);
	KD_END;
}

TEST(kdiff_policy_random_calls_match)
{
	/* The random generator's share of these calls, on its own seeds. */
	char why[256];
	(void)sys;
	int r = kd_random_run(1301, 3000, 1, 20, why, sizeof(why));
	if (r < 0) {
		t_skip(why);
		return;
	}
	(void)setting;
	CHECK_EQ(r, 0);
}
