/*
 * mempolicy.c: NUMA memory policies (mm/mempolicy.c, 6.18): mbind,
 * set_mempolicy, get_mempolicy, set_mempolicy_home_node, the table that
 * shares equal policies, and the policy column of /proc/PID/numa_maps.
 *
 * A VMA's policy is part of what decides merges (mm/vma.c is_mergeable_vma:
 * mpol_equal), so mbind splits VMAs and a differing policy keeps neighbours
 * apart; splits, mremap copies and fork copy it (vma_dup_policy).
 *
 * Not here: where pages land. The model places every page on the local
 * node, the first node that has memory and that the cpuset allows; that is
 * exact on a machine with one node (where every node question has one
 * answer) and an approximation on others.
 *
 * Shared anonymous memory (shmem) keeps a policy in its object too
 * (shmem_set_policy, struct shared_policy): mbind sets it for the object's
 * pages the VMA maps, and every mapping of those pages (a fork child, an
 * mremap copy) reads it from there (shmem_get_policy); the VMA's own
 * policy still decides merges.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fault.h"
#include "mempolicy.h"
#include "rss.h"
#include "vma.h"

/* ---- node masks (include/linux/nodemask.h) ---- */

static bool node_isset(const struct nodemask *m, unsigned n)
{
	return n < NODEMASK_BITS && (m->w[n / 64] >> (n % 64)) & 1;
}

static void node_set(struct nodemask *m, unsigned n)
{
	m->w[n / 64] |= 1ULL << (n % 64);
}

static bool nodes_empty(const struct nodemask *m)
{
	for (int i = 0; i < NODEMASK_WORDS; i++)
		if (m->w[i])
			return false;
	return true;
}

static unsigned nodes_weight(const struct nodemask *m)
{
	unsigned n = 0;
	for (int i = 0; i < NODEMASK_WORDS; i++)
		n += (unsigned)__builtin_popcountll(m->w[i]);
	return n;
}

/* The first node set, or NODEMASK_BITS. */
static unsigned first_node(const struct nodemask *m)
{
	for (int i = 0; i < NODEMASK_WORDS; i++)
		if (m->w[i])
			return (unsigned)(i * 64 + __builtin_ctzll(m->w[i]));
	return NODEMASK_BITS;
}

static void nodes_and(struct nodemask *d, const struct nodemask *a, const struct nodemask *b)
{
	for (int i = 0; i < NODEMASK_WORDS; i++)
		d->w[i] = a->w[i] & b->w[i];
}

/* A machine's node set (a setting: nodes 0-63). */
static struct nodemask nodes_of(uint64_t mask)
{
	struct nodemask m = {{0}};
	m.w[0] = mask;
	return m;
}

/* lib/bitmap.c bitmap_fold() then bitmap_onto(): MPOL_F_RELATIVE_NODES
 * reads node n of the user's mask as the (n mod weight)-th allowed node
 * (mm/mempolicy.c mpol_relative_nodemask). */
static void nodes_relative(struct nodemask *d, const struct nodemask *orig,
			   const struct nodemask *rel)
{
	unsigned w = nodes_weight(rel);
	struct nodemask folded = {{0}};
	memset(d, 0, sizeof(*d));
	if (!w)
		return;
	for (unsigned n = 0; n < NODEMASK_BITS; n++)
		if (node_isset(orig, n))
			node_set(&folded, n % w);
	unsigned ord = 0;
	for (unsigned n = 0; n < NODEMASK_BITS; n++) {
		if (!node_isset(rel, n))
			continue;
		if (node_isset(&folded, ord))
			node_set(d, n);
		ord++;
	}
}

/* ---- the policy table ---- */

static bool mpol_same(const struct mpol *a, const struct mpol *b)
{
	return a->mode == b->mode && a->flags == b->flags && a->home_node == b->home_node &&
	       memcmp(&a->nodes, &b->nodes, sizeof(a->nodes)) == 0 &&
	       memcmp(&a->user_nodes, &b->user_nodes, sizeof(a->user_nodes)) == 0;
}

/*
 * The ids fit the VMA's 16 bits; a system with every id in use refuses a
 * new distinct policy with -ENOMEM, as it would for lack of memory (each
 * distinct policy costs 280 bytes, so 65535 of them is 18 MiB).
 */
int mpol_intern(vms_sys *sys, const struct mpol *want, uint16_t *id)
{
	uint32_t free_slot = UINT32_MAX;
	for (uint32_t i = 0; i < sys->nmpols; i++) {
		struct mpol *p = sys->mpols[i];
		if (!p) {
			if (free_slot == UINT32_MAX)
				free_slot = i;
			continue;
		}
		if (mpol_same(p, want)) {
			p->refcount++;
			*id = (uint16_t)(i + 1);
			return 0;
		}
	}
	if (free_slot == UINT32_MAX && sys->nmpols >= UINT16_MAX)
		return -ENOMEM;
	if (free_slot == UINT32_MAX && sys->nmpols == sys->mpols_cap) {
		uint32_t cap = sys->mpols_cap ? sys->mpols_cap * 2 : 8;
		if (cap > UINT16_MAX)
			cap = UINT16_MAX;
		struct mpol **t = sys_realloc(sys, sys->mpols, cap * sizeof(*t));
		if (!t)
			return -ENOMEM;
		sys->mpols = t;
		sys->mpols_cap = cap;
	}
	struct mpol *p = sys_malloc(sys, sizeof(*p));
	if (!p)
		return -ENOMEM;
	*p = *want;
	p->refcount = 1;
	uint32_t slot = free_slot != UINT32_MAX ? free_slot : sys->nmpols++;
	sys->mpols[slot] = p;
	*id = (uint16_t)(slot + 1);
	return 0;
}

void mpol_get(vms_sys *sys, uint16_t id)
{
	if (id)
		sys->mpols[id - 1]->refcount++;
}

void mpol_put(vms_sys *sys, uint16_t id)
{
	if (!id)
		return;
	struct mpol *p = sys->mpols[id - 1];
	if (--p->refcount == 0) {
		sys_free(sys, p);
		sys->mpols[id - 1] = NULL;
	}
}

const struct mpol *mpol_of(const vms_sys *sys, uint16_t id)
{
	return id ? sys->mpols[id - 1] : NULL;
}

void mpol_table_free(vms_sys *sys)
{
	for (uint32_t i = 0; i < sys->nmpols; i++)
		if (sys->mpols[i])
			sys_free(sys, sys->mpols[i]);
	sys_free(sys, sys->mpols);
	sys->mpols = NULL;
	sys->nmpols = sys->mpols_cap = 0;
}

/* ---- shmem's shared policies (mm/mempolicy.c shared_policy_replace) ---- */

/* shmem_vm_ops has set_policy/get_policy (shared anonymous memory, tmpfs
 * and memfd files), and shm_vm_ops forwards a System V attach's to its
 * segment's shmem file; hugetlbfs keeps VMA policies. */
static bool vma_has_shared_policy(const struct vms_vma *v)
{
	return vma_shmem_file(v) && v->file;
}

void shared_policy_free(vms_sys *sys, struct vms_inode *ino)
{
	for (uint32_t i = 0; i < ino->nsp; i++)
		mpol_put(sys, ino->sp[i].mpol);
	sys_free(sys, ino->sp);
	ino->sp = NULL;
	ino->nsp = ino->sp_cap = 0;
}

/* Room for more ranges, so that sp_replace() cannot fail. */
static int sp_reserve(vms_sys *sys, struct vms_inode *ino, uint32_t more)
{
	if (ino->nsp + more <= ino->sp_cap)
		return 0;
	uint32_t cap = ino->nsp + more + 4;
	struct sp_range *t = sys_realloc(sys, ino->sp, cap * sizeof(*t));
	if (!t)
		return -ENOMEM;
	ino->sp = t;
	ino->sp_cap = cap;
	return 0;
}

static void sp_insert(struct vms_inode *ino, uint32_t at, struct sp_range r)
{
	memmove(&ino->sp[at + 1], &ino->sp[at], (ino->nsp - at) * sizeof(ino->sp[0]));
	ino->sp[at] = r;
	ino->nsp++;
}

/*
 * shared_policy_replace(): pages [start, end) of the object take policy id
 * (0: none); ranges it overlaps are cut back, and one that holds it inside
 * is split in two. Needs room for two more ranges (sp_reserve).
 */
static void sp_replace(vms_sys *sys, struct vms_inode *ino, uint64_t start, uint64_t end,
		       uint16_t id)
{
	uint32_t i = 0;
	while (i < ino->nsp && ino->sp[i].end <= start)
		i++;
	while (i < ino->nsp && ino->sp[i].start < end) {
		struct sp_range *r = &ino->sp[i];
		if (r->start < start && r->end > end) {
			/* The old range goes on after the new one. */
			mpol_get(sys, r->mpol);
			sp_insert(ino, i + 1, (struct sp_range){end, r->end, r->mpol});
			r->end = start;
			i++;
			break;
		}
		if (r->start < start) {
			r->end = start;
			i++;
		} else if (r->end > end) {
			r->start = end;
			break;
		} else {
			mpol_put(sys, r->mpol);
			memmove(r, r + 1, (ino->nsp - i - 1) * sizeof(*r));
			ino->nsp--;
		}
	}
	if (id) {
		mpol_get(sys, id);
		sp_insert(ino, i, (struct sp_range){start, end, id});
	}
}

/* mpol_shared_policy_lookup(): the policy of one page of the object. */
static uint16_t sp_lookup(const struct vms_inode *ino, uint64_t idx)
{
	for (uint32_t i = 0; i < ino->nsp && ino->sp[i].start <= idx; i++)
		if (idx < ino->sp[i].end)
			return ino->sp[i].mpol;
	return 0;
}

/* __get_vma_policy(): the policy at addr of v: shmem's from its object. */
static uint16_t vma_policy_at(const struct vms_vma *v, uint64_t addr)
{
	if (vma_has_shared_policy(v))
		return sp_lookup(v->file->inode, v->pgoff + ((addr - v->start) >> PAGE_SHIFT));
	return v->mpol;
}

/* Room in the objects of the shmem VMAs of [start, end) for the ranges a
 * policy change there may add: two per such VMA. */
static int sp_reserve_range(struct vms_mm *mm, uint64_t start, uint64_t end)
{
	uint32_t n = 0;
	for (struct vms_vma *v = find_vma_intersection(mm, start, end); v && v->start < end;
	     v = vma_next(mm, v))
		n += vma_has_shared_policy(v);
	for (struct vms_vma *v = find_vma_intersection(mm, start, end); n && v && v->start < end;
	     v = vma_next(mm, v))
		if (vma_has_shared_policy(v) && sp_reserve(mm->sys, v->file->inode, 2 * n))
			return -ENOMEM;
	return 0;
}

/* ---- building a policy from the caller's arguments ---- */

/* mm/mempolicy.c sanitize_mpol_flags(): splits the mode flags off. */
static int sanitize_mpol_flags(int *mode, unsigned *flags)
{
	*flags = (unsigned)*mode & MPOL_MODE_FLAGS;
	*mode &= ~MPOL_MODE_FLAGS;
	if ((unsigned)*mode >= MPOL_MAX)
		return -EINVAL;
	if ((*flags & MPOL_F_STATIC_NODES) && (*flags & MPOL_F_RELATIVE_NODES))
		return -EINVAL;
	if (*flags & MPOL_F_NUMA_BALANCING) {
		if (*mode != MPOL_BIND && *mode != MPOL_PREFERRED_MANY)
			return -EINVAL;
		*flags |= MPOL_F_MOF | MPOL_F_MORON;
	}
	return 0;
}

/* One word of the user's mask, or -EFAULT past what is readable. */
static int read_word(const uint64_t *nmask, size_t words, uint64_t i, uint64_t *out)
{
	if (i >= words)
		return -EFAULT;
	*out = nmask[i];
	return 0;
}

/* mm/mempolicy.c get_bitmap(): the first bits of the mask, the last word
 * cut to them. */
static int get_bitmap(uint64_t *dst, const uint64_t *nmask, size_t words, uint64_t from,
		      uint64_t bits)
{
	uint64_t nlongs = (bits + 63) / 64;
	for (uint64_t i = 0; i < nlongs; i++)
		if (read_word(nmask, words, from + i, &dst[i]))
			return -EFAULT;
	if (bits % 64)
		dst[nlongs - 1] &= (1ULL << (bits % 64)) - 1;
	return 0;
}

/*
 * mm/mempolicy.c get_nodes(): maxnode - 1 bits of the user's mask. Past
 * MAX_NUMNODES the words must be zero, checked from the last one down (a
 * whole word at a time, even its bits past maxnode), before the rest is
 * read.
 */
static int get_nodes(const vms_sys *sys, struct nodemask *nodes, const uint64_t *nmask,
		     size_t words, uint64_t maxnode)
{
	const uint64_t max = sys->max_numnodes;
	--maxnode;
	memset(nodes, 0, sizeof(*nodes));
	if (maxnode == 0 || !nmask)
		return 0;
	if (maxnode > PAGE_SIZE * 8)
		return -EINVAL;
	while (maxnode > max) {
		uint64_t bits = maxnode < 64 ? maxnode : 64, t;
		if (get_bitmap(&t, nmask, words, (maxnode - 1) / 64, bits))
			return -EFAULT;
		if (maxnode - bits >= max) {
			maxnode -= bits;
		} else {
			maxnode = max;
			t &= ~((1ULL << (max % 64)) - 1);
		}
		if (t)
			return -EINVAL;
	}
	return get_bitmap(nodes->w, nmask, words, 0, maxnode);
}

/* mm/mempolicy.c mpol_new(): the checks of the mode against the nodes.
 * *none: MPOL_DEFAULT, which is no policy at all. */
static int mpol_new(struct mpol *p, int mode, unsigned flags, const struct nodemask *nodes,
		    bool *none)
{
	*none = false;
	if (mode == MPOL_DEFAULT) {
		if (!nodes_empty(nodes))
			return -EINVAL;
		*none = true;
		return 0;
	}
	if (mode == MPOL_PREFERRED) {
		if (nodes_empty(nodes)) {
			if (flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES))
				return -EINVAL;
			mode = MPOL_LOCAL;
		}
	} else if (mode == MPOL_LOCAL) {
		if (!nodes_empty(nodes) || (flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES)))
			return -EINVAL;
	} else if (nodes_empty(nodes)) {
		return -EINVAL;
	}
	memset(p, 0, sizeof(*p));
	p->mode = (uint16_t)mode;
	p->flags = (uint16_t)flags;
	p->home_node = NUMA_NO_NODE;
	return 0;
}

/* The nodes a policy may use: the cpuset's, with memory (N_MEMORY). */
static struct nodemask allowed_nodes(const vms_sys *sys)
{
	return nodes_of(sys->numa_mems_allowed & sys->numa_memory);
}

/* mm/mempolicy.c mpol_set_nodemask() and the modes' create(): the nodes
 * cut to the allowed ones (or mapped onto them, RELATIVE). */
static int mpol_set_nodemask(const vms_sys *sys, struct mpol *p, const struct nodemask *nodes)
{
	if (p->mode == MPOL_LOCAL)
		return 0;
	struct nodemask allowed = allowed_nodes(sys), cut;
	if (p->flags & MPOL_F_RELATIVE_NODES)
		nodes_relative(&cut, nodes, &allowed);
	else
		nodes_and(&cut, nodes, &allowed);
	/* mpol_store_user_nodemask(): any mode flag, NUMA_BALANCING too. */
	if (p->flags & MPOL_MODE_FLAGS)
		p->user_nodes = *nodes;
	if (nodes_empty(&cut))
		return -EINVAL;
	if (p->mode == MPOL_PREFERRED) {
		memset(&p->nodes, 0, sizeof(p->nodes));
		node_set(&p->nodes, first_node(&cut));
	} else {
		p->nodes = cut;
	}
	return 0;
}

/*
 * kernel_mbind()/kernel_set_mempolicy() up to the new policy: the mode and
 * its flags, the user's mask, then the policy itself. *id is 0 for
 * MPOL_DEFAULT (no policy); otherwise a reference the caller drops. The
 * user's mask (before the cut) is left in *nodes for mbind's page checks.
 * *early: an error that comes before the caller's own checks (mode and mask).
 */
struct new_policy {
	int mode;
	unsigned mode_flags;
	struct nodemask nodes;
};

static int parse_policy(const vms_sys *sys, struct new_policy *np, int mode, const uint64_t *nmask,
			size_t words, uint64_t maxnode)
{
	np->mode = mode;
	int err = sanitize_mpol_flags(&np->mode, &np->mode_flags);
	if (err)
		return err;
	return get_nodes(sys, &np->nodes, nmask, words, maxnode);
}

static int make_policy(vms_sys *sys, const struct new_policy *np, uint16_t *id)
{
	struct mpol p;
	bool none;
	*id = 0;
	int err = mpol_new(&p, np->mode, np->mode_flags, &np->nodes, &none);
	if (err || none)
		return err;
	err = mpol_set_nodemask(sys, &p, &np->nodes);
	if (err)
		return err;
	return mpol_intern(sys, &p, id);
}

/* ---- set_mempolicy ---- */

long vms_set_mempolicy(vms_mm *mm, int mode, const uint64_t *nmask, size_t nmask_words,
		       uint64_t maxnode)
{
	struct new_policy np;
	int err = parse_policy(mm->sys, &np, mode, nmask, nmask_words, maxnode);
	if (err)
		return err;
	/* mm/mempolicy.c do_set_mempolicy() */
	uint16_t id;
	err = make_policy(mm->sys, &np, &id);
	if (err)
		return err;
	mpol_put(mm->sys, mm->task_mpol);
	mm->task_mpol = id;
	return 0;
}

/* ---- mbind ---- */

#define MPOL_MF_STRICT 1
#define MPOL_MF_MOVE 2
#define MPOL_MF_MOVE_ALL 4
#define MPOL_MF_VALID (MPOL_MF_STRICT | MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)

/* The node the model puts pages on (see the top of the file). */
static unsigned local_node(const vms_sys *sys)
{
	struct nodemask a = allowed_nodes(sys);
	unsigned n = first_node(&a);
	return n < NODEMASK_BITS ? n : 0;
}

/* mm/mempolicy.c vma_migratable(): special mappings and DAX pages stay. */
static bool vma_migratable(const struct vms_vma *v)
{
	if (v->flags & (VM_IO | VM_PFNMAP) || vma_is_special_mapping(v))
		return false;
	return !(v->file && (v->file->inode->flags & VMS_INODE_DAX));
}

/*
 * mm/mempolicy.c queue_pages_range() with queue_pages_test_walk(), for
 * do_mbind (MPOL_MF_INVERT): walks the VMAs of [start, end) in order. A hole
 * at the head, in the middle or at the tail is -EFAULT unless the new policy
 * is MPOL_DEFAULT (discontig); a range with no VMA at all is -EFAULT anyway.
 * Resident pages on a node outside the user's mask are misplaced: with
 * MPOL_MF_STRICT alone the walk stops there with -EIO; with a MOVE flag they
 * migrate, except in a VMA that cannot migrate, where each such VMA counts
 * as failed (*failed). Returns 0 or the error; nothing changes.
 */
static int check_pages(const struct vms_mm *mm, uint64_t start, uint64_t end,
		       const struct nodemask *nmask, unsigned flags, bool discontig, long *failed)
{
	const bool strictly_unmovable =
	    (flags & (MPOL_MF_STRICT | MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)) == MPOL_MF_STRICT;
	const bool misplaced = !node_isset(nmask, local_node(mm->sys));
	bool first = true;
	*failed = 0;
	for (struct vms_vma *v = find_vma_intersection(mm, start, end); v && v->start < end;
	     v = vma_next(mm, v)) {
		if (first) {
			first = false;
			if (!discontig && start < v->start)
				return -EFAULT;
		}
		struct vms_vma *next = vma_next(mm, v);
		if (!discontig && v->end < end && (!next || v->end < next->start))
			return -EFAULT;
		bool migratable = vma_migratable(v);
		if (!migratable && !(flags & MPOL_MF_STRICT))
			continue;
		if (!(flags & MPOL_MF_VALID) || !misplaced)
			continue;
		/* vm_normal_folio(): special mappings have no pages to count. */
		if (vma_is_special_mapping(v) || (v->flags & (VM_IO | VM_PFNMAP)))
			continue;
		uint64_t s = max_u64(start, v->start), e = min_u64(end, v->end);
		if (!rss_count(mm, s, e))
			continue;
		if (!(flags & (MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)) || !migratable) {
			(*failed)++;
			if (strictly_unmovable)
				return -EIO;
		}
	}
	return first ? -EFAULT : 0;
}

/*
 * mm/mempolicy.c mbind_range() over [start, end): each VMA whose policy
 * differs is split or merged to the range (vma_modify_policy) and takes
 * the new one (vma_replace_policy). A split refused on the way (map_count)
 * stops it with the VMAs before changed, as the kernel leaves them.
 */
static int mbind_range(struct vms_mm *mm, uint64_t start, uint64_t end, uint16_t id)
{
	struct vma_walk w = {.mm = mm, .start = start, .end = end};
	struct vms_vma *v = find_vma_intersection(mm, start, end);
	while (v && v->start < end) {
		uint64_t vmstart = max_u64(start, v->start), vmend = min_u64(end, v->end);
		if (v->mpol == id) {
			if (v->end >= end)
				break;
			v = vma_next(mm, v);
			continue;
		}
		int err = vma_walk_reserve(&w);
		if (err)
			return err;
		struct vma_merge vmg = {
		    .mm = mm,
		    .middle = v,
		    .start = vmstart,
		    .end = vmend,
		    .pgoff = v->pgoff + ((vmstart - v->start) >> PAGE_SHIFT),
		    .flags = v->flags,
		    .file = v->file,
		    .anon_vma = v->anon_vma,
		    .anon_name = v->anon_name,
		    .mpol = id,
		    .uffd = v->uffd,
		};
		struct vms_vma *r = vma_modify(&vmg, &err);
		if (!r)
			return err;
		/* vma_replace_policy(): shmem's object first (set_policy). */
		if (vma_has_shared_policy(r))
			sp_replace(mm->sys, r->file->inode, r->pgoff, r->pgoff + vma_pages(r), id);
		mpol_get(mm->sys, id);
		mpol_put(mm->sys, r->mpol);
		r->mpol = id;
		if (r->end >= end)
			break;
		v = vma_next(mm, r);
	}
	return 0;
}

long vms_mbind(vms_mm *mm, uint64_t start, uint64_t len, uint64_t mode, const uint64_t *nmask,
	       size_t nmask_words, uint64_t maxnode, unsigned flags)
{
	vms_sys *sys = mm->sys;
	struct new_policy np;
	/* kernel_mbind(): the mode is an int there. */
	int err = parse_policy(sys, &np, (int)mode, nmask, nmask_words, maxnode);
	if (err)
		return err;
	/* mm/mempolicy.c do_mbind() */
	if (flags & ~(unsigned)MPOL_MF_VALID)
		return -EINVAL;
	if ((flags & MPOL_MF_MOVE_ALL) && !(mm->caps & VMS_CAP_SYS_NICE))
		return -EPERM;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (np.mode == MPOL_DEFAULT)
		flags &= ~(unsigned)MPOL_MF_STRICT;
	len = PAGE_ALIGN(len);
	uint64_t end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	uint16_t id;
	err = make_policy(sys, &np, &id);
	if (err)
		return err;
	/* The new policy (if any) is held from here, so nothing below fails
	 * for lack of the model's memory before the walk reserves. */
	long failed;
	err = check_pages(mm, start, end, &np.nodes, flags, id == 0, &failed);
	if (err)
		failed = 0;
	if (!err)
		err = sp_reserve_range(mm, start, end);
	if (!err)
		err = mbind_range(mm, start, end, id);
	mpol_put(sys, id);
	/* Pages that could not move make a STRICT call fail, whatever else
	 * happened. */
	if (failed && (flags & MPOL_MF_STRICT))
		err = -EIO;
	return err;
}

/* ---- set_mempolicy_home_node ---- */

long vms_set_mempolicy_home_node(vms_mm *mm, uint64_t start, uint64_t len, uint64_t home_node,
				 uint64_t flags)
{
	vms_sys *sys = mm->sys;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (flags)
		return -EINVAL;
	/* Only an online node below MAX_NUMNODES (node_online). */
	if (home_node >= sys->max_numnodes || home_node >= 64 ||
	    !((sys->numa_online >> home_node) & 1))
		return -EINVAL;
	len = PAGE_ALIGN(len);
	uint64_t end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	/*
	 * Each VMA with a policy takes a copy of it with the home node
	 * (mpol_dup); the copies are made first, one per policy the range
	 * holds, so that running out of the model's memory changes nothing.
	 * A VMA without a policy is passed over; none with one is -ENOENT; a
	 * mode other than BIND or PREFERRED_MANY stops the walk with
	 * -EOPNOTSUPP, the VMAs before it changed.
	 */
	struct home_copy {
		uint16_t old, new;
	} *copies = NULL;
	size_t n = 0, cap = 0;
	int err = 0;
	for (struct vms_vma *v = find_vma_intersection(mm, start, end); v && v->start < end;
	     v = vma_next(mm, v)) {
		const struct mpol *old = mpol_of(sys, v->mpol);
		if (!old || (old->mode != MPOL_BIND && old->mode != MPOL_PREFERRED_MANY))
			continue;
		size_t i = 0;
		while (i < n && copies[i].old != v->mpol)
			i++;
		if (i < n)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 4;
			struct home_copy *t = sys_realloc(sys, copies, nc * sizeof(*t));
			if (!t) {
				err = -ENOMEM;
				break;
			}
			copies = t;
			cap = nc;
		}
		struct mpol p = *old;
		p.home_node = (int32_t)home_node;
		err = mpol_intern(sys, &p, &copies[n].new);
		if (err)
			break;
		copies[n++].old = v->mpol;
	}
	if (!err)
		err = sp_reserve_range(mm, start, end);
	if (!err) {
		err = -ENOENT;
		struct vms_vma *v = find_vma_intersection(mm, start, end);
		while (v && v->start < end) {
			const struct mpol *old = mpol_of(sys, v->mpol);
			if (!old) {
				v = vma_next(mm, v);
				continue;
			}
			size_t i = 0;
			while (i < n && copies[i].old != v->mpol)
				i++;
			if (i == n) {
				err = -EOPNOTSUPP;
				break;
			}
			/* mbind_range() on this VMA's part of the range; a merge
			 * may take in what follows, so go on from where it ends. */
			uint64_t from = max_u64(start, v->start);
			err = mbind_range(mm, from, min_u64(end, v->end), copies[i].new);
			if (err)
				break;
			v = find_vma(mm, from);
			if (v->end >= end)
				break;
			v = vma_next(mm, v);
		}
	}
	for (size_t i = 0; i < n; i++)
		mpol_put(sys, copies[i].new);
	sys_free(sys, copies);
	return err;
}

/* ---- get_mempolicy ---- */

/* mm/mempolicy.c copy_nodes_to_user(): ALIGN(maxnode - 1, 64) / 8 bytes,
 * of which those past nr_node_ids' longs are cleared. */
static int copy_nodes_to_user(const vms_sys *sys, uint64_t *nmask, size_t words, uint64_t maxnode,
			      const struct nodemask *nodes)
{
	uint64_t copy = ((maxnode - 1 + 63) & ~63ULL) / 8;
	unsigned nr_node_ids = 64 - (unsigned)__builtin_clzll(sys->numa_possible);
	uint64_t nbytes = (nr_node_ids + 63) / 64 * 8;
	if (copy > nbytes) {
		if (copy > PAGE_SIZE)
			return -EINVAL;
		for (uint64_t b = nbytes; b < copy; b += 8) {
			if (b / 8 >= words)
				return -EFAULT;
			nmask[b / 8] = 0;
		}
		copy = nbytes;
	}
	for (uint64_t b = 0; b < copy; b += 8) {
		if (b / 8 >= words)
			return -EFAULT;
		nmask[b / 8] = nodes->w[b / 8];
	}
	return 0;
}

#define MPOL_F_NODE 1
#define MPOL_F_ADDR 2
#define MPOL_F_MEMS_ALLOWED 4

/*
 * mm/mempolicy.c lookup_node(): get_user_pages_fast() of the page, which
 * faults it in for reading, and its node. A VMA without VM_READ can only
 * give a page already mapped (the fast walk takes any present PTE), else
 * -EFAULT, as the slow path's check_vma_flags() says.
 */
static int lookup_node(struct vms_mm *mm, uint64_t addr)
{
	struct vms_vma *v = find_vma(mm, addr);
	if (!v || v->start > addr)
		return -EFAULT;
	/* mm/gup.c check_vma_flags(): gup never takes secret memory (and
	 * gup_fast leaves its folios to the slow walk), mapped or not. */
	if (v->file && (v->file->inode->flags & VMS_INODE_SECRETMEM))
		return -EFAULT;
	if (!(v->flags & VM_READ)) {
		/* A present PTE of a page of its own; the zero page's PTE is
		 * special, which gup_fast_pte_range() leaves to the slow walk
		 * (EFAULT here), and a guard marker is none. */
		int t = rss_type_at(mm, addr & PAGE_MASK);
		if (!(v->flags & VM_ACCESS_FLAGS) || t < 0 || t == RSS_GUARD || t == RSS_ZERO)
			return -EFAULT;
	} else if (v->flags & (VM_IO | VM_PFNMAP)) {
		return -EFAULT;
	} else if (addr >= vma_eof_addr(v) || vms_fault(mm, addr, 0)) {
		/* A file page past the end is SIGBUS to the fault: -EFAULT. */
		return -EFAULT;
	}
	return (int)local_node(mm->sys);
}

long vms_get_mempolicy(vms_mm *mm, int *mode, uint64_t *nmask, size_t nmask_words, uint64_t maxnode,
		       uint64_t addr, uint64_t flags)
{
	vms_sys *sys = mm->sys;
	unsigned nr_node_ids = 64 - (unsigned)__builtin_clzll(sys->numa_possible);
	/* kernel_get_mempolicy() */
	if (nmask && maxnode < nr_node_ids)
		return -EINVAL;
	/* do_get_mempolicy() */
	if (flags & ~(uint64_t)(MPOL_F_NODE | MPOL_F_ADDR | MPOL_F_MEMS_ALLOWED))
		return -EINVAL;
	int pval = 0;
	struct nodemask nodes = {{0}};
	if (flags & MPOL_F_MEMS_ALLOWED) {
		if (flags & (MPOL_F_NODE | MPOL_F_ADDR))
			return -EINVAL;
		nodes = nodes_of(sys->numa_mems_allowed);
		goto out;
	}
	uint16_t id = mm->task_mpol;
	if (flags & MPOL_F_ADDR) {
		/* The VMA's own policy: no fallback to the task's. */
		struct vms_vma *v = find_vma(mm, addr);
		if (!v || v->start > addr)
			return -EFAULT;
		id = vma_policy_at(v, addr);
	} else if (addr) {
		return -EINVAL;
	}
	const struct mpol *p = mpol_of(sys, id);
	if (flags & MPOL_F_NODE) {
		if (flags & MPOL_F_ADDR) {
			int nid = lookup_node(mm, addr);
			if (nid < 0)
				return nid;
			pval = nid;
		} else if (p && id == mm->task_mpol &&
			   (p->mode == MPOL_INTERLEAVE || p->mode == MPOL_WEIGHTED_INTERLEAVE)) {
			/* next_node_in(il_prev, nodes) with il_prev as
			 * set_mempolicy left it (MAX_NUMNODES - 1): the first
			 * node. Allocations move il_prev on; with one node
			 * that changes nothing. */
			pval = (int)first_node(&p->nodes);
		} else {
			return -EINVAL;
		}
	} else {
		pval = p ? p->mode | (p->flags & MPOL_MODE_FLAGS) : MPOL_DEFAULT;
	}
	if (p && (p->flags & MPOL_MODE_FLAGS))
		nodes = p->user_nodes;
	else if (p && p->mode != MPOL_LOCAL)
		nodes = p->nodes;
out:
	if (mode)
		*mode = pval;
	if (nmask)
		return copy_nodes_to_user(sys, nmask, nmask_words, maxnode, &nodes);
	return 0;
}

/* ---- /proc/PID/numa_maps: the policy column ---- */

/* Text written like snprintf: what fits goes in, n counts all of it. */
struct text {
	char *buf;
	size_t size, n;
};

static void put(struct text *t, const char *s)
{
	for (; *s; s++, t->n++)
		if (t->n + 1 < t->size)
			t->buf[t->n] = *s;
}

static void put_u64(struct text *t, const char *fmt, unsigned long long v)
{
	char tmp[32];
	snprintf(tmp, sizeof(tmp), fmt, v);
	put(t, tmp);
}

/* The node list as the kernel's %*pbl prints it: "0", "0-3,5". */
static void put_node_list(struct text *t, const struct nodemask *m)
{
	bool any = false;
	for (unsigned a = 0; a < NODEMASK_BITS; a++) {
		if (!node_isset(m, a))
			continue;
		unsigned b = a;
		while (b + 1 < NODEMASK_BITS && node_isset(m, b + 1))
			b++;
		if (any)
			put(t, ",");
		put_u64(t, "%llu", a);
		if (b > a)
			put_u64(t, "-%llu", b);
		any = true;
		a = b;
	}
}

/* mm/mempolicy.c mpol_to_str(); NULL is the default policy. */
static void put_policy(struct text *t, const struct mpol *p)
{
	static const char *const names[MPOL_MAX] = {
	    "default",
	    "prefer",
	    "bind",
	    "interleave",
	    "local",
	    "prefer (many)",
	    "weighted interleave",
	};
	if (!p) {
		put(t, "default");
		return;
	}
	put(t, names[p->mode]);
	unsigned f = p->flags & MPOL_MODE_FLAGS;
	if (f) {
		put(t, "=");
		if (f & MPOL_F_STATIC_NODES)
			put(t, "static");
		else if (f & MPOL_F_RELATIVE_NODES)
			put(t, "relative");
		if (f & MPOL_F_NUMA_BALANCING)
			put(t, (f & (f - 1)) ? "|balancing" : "balancing");
	}
	if (p->mode != MPOL_LOCAL && !nodes_empty(&p->nodes)) {
		put(t, ":");
		put_node_list(t, &p->nodes);
	}
}

size_t vms_numa_maps_text(const vms_mm *mm, char *buf, size_t size)
{
	struct text t = {buf, size, 0};
	struct vt_cursor c;
	const struct mpol *task = mpol_of(mm->sys, mm->task_mpol);
	for (const struct vms_vma *v = vt_first(&mm->tree, &c); v; v = vt_next(&c)) {
		put_u64(&t, "%08llx ", v->start);
		/* show_numa_map(): a VMA without a policy shows the task's. */
		uint16_t id = vma_policy_at(v, v->start);
		put_policy(&t, id ? mpol_of(mm->sys, id) : task);
		put(&t, "\n");
	}
	if (size)
		buf[t.n < size ? t.n : size - 1] = '\0';
	return t.n;
}
