/*
 * mempolicy.h: NUMA memory policy objects (include/linux/mempolicy.h's
 * struct mempolicy) and the table that shares them by content. VMAs
 * (vms_vma.mpol) and processes (vms_mm.task_mpol) hold ids into the table,
 * so mm/vma.c's mpol_equal() merge condition is a comparison of ids.
 * Not here: the system calls that make and read policies (mempolicy.c).
 */
#ifndef VMS_MEMPOLICY_H
#define VMS_MEMPOLICY_H

#include "internal.h"

/* MAX_NUMNODES is at most 1 << 10 on x86-64 (CONFIG_NODES_SHIFT <= 10). */
#define NODEMASK_WORDS 16
#define NODEMASK_BITS (NODEMASK_WORDS * 64)

struct nodemask {
	uint64_t w[NODEMASK_WORDS];
};

/* MPOL_* modes and flags (include/uapi/linux/mempolicy.h) */
enum {
	MPOL_DEFAULT,
	MPOL_PREFERRED,
	MPOL_BIND,
	MPOL_INTERLEAVE,
	MPOL_LOCAL,
	MPOL_PREFERRED_MANY,
	MPOL_WEIGHTED_INTERLEAVE,
	MPOL_MAX,
};
#define MPOL_F_NUMA_BALANCING (1 << 13)
#define MPOL_F_RELATIVE_NODES (1 << 14)
#define MPOL_F_STATIC_NODES (1 << 15)
#define MPOL_MODE_FLAGS (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES | MPOL_F_NUMA_BALANCING)
/* Internal flags NUMA_BALANCING adds (MPOL_F_MOF, MPOL_F_MORON). */
#define MPOL_F_MOF (1 << 3)
#define MPOL_F_MORON (1 << 4)
#define NUMA_NO_NODE (-1)

/*
 * A policy. mpol_equal() compares mode, flags, home node, the nodes, and
 * the user's node mask of policies with a mode flag (STATIC, RELATIVE, and
 * NUMA_BALANCING too: mpol_store_user_nodemask); the cpuset mask the kernel
 * keeps in the other policies' w.cpuset_mems_allowed is not compared, so it
 * is not kept (user_nodes stays zero).
 */
struct mpol {
	uint16_t mode;
	uint16_t flags;
	int32_t home_node;
	struct nodemask nodes;
	struct nodemask user_nodes;
	uint32_t refcount;
};

/* The id of a policy equal to *want (a new one if none is), with a
 * reference taken: 0, or -ENOMEM with nothing changed. */
int mpol_intern(vms_sys *sys, const struct mpol *want, uint16_t *id)
    __attribute__((warn_unused_result));
/* Another reference to id / drop one (id 0, no policy, is ignored). */
void mpol_get(vms_sys *sys, uint16_t id);
void mpol_put(vms_sys *sys, uint16_t id);
/* The policy behind id, NULL for 0. */
const struct mpol *mpol_of(const vms_sys *sys, uint16_t id);
void mpol_table_free(vms_sys *sys);
/* Drops a shmem object's shared policy (its inode goes). */
void shared_policy_free(vms_sys *sys, struct vms_inode *ino);

#endif
