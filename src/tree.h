/*
 * tree.h: the ordered index of an address space's VMAs (the maple tree's role).
 *
 * A B+tree keyed by address. Leaves hold up to VT_SLOTS VMAs in address order
 * with each VMA's end copied inline (so a lookup touches no VMA until the
 * answer), branches hold for each child its highest end and its largest gap.
 *
 * The augmentation: the gap below a VMA is [end of the VMA before it, its start)
 * (for the first VMA, from 0). Every node knows the largest gap below any VMA it
 * holds, so the free-area search skips whole subtrees whose gaps are too small,
 * as the kernel's maple tree does with its per-slot gap. The space above the
 * last VMA is one more gap, open to the top of the address space.
 *
 * Insertion never allocates: the caller reserves nodes with vt_preallocate()
 * first, so an operation fails with -ENOMEM before it changes anything.
 */
#ifndef VMS_TREE_H
#define VMS_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VT_SLOTS 16

struct vms_vma;
struct vms_sys;

struct vt_node {
	struct vt_node *parent;
	uint64_t max_gap;   /* largest gap below any VMA in this subtree */
	uint8_t count;      /* used slots */
	uint8_t leaf;       /* 1 for a leaf */
	uint8_t pslot;      /* index in parent */
	uint64_t pivot[VT_SLOTS]; /* leaf: VMA end; branch: child's highest end */
};

struct vt_leaf {
	struct vt_node n;
	struct vms_vma *vma[VT_SLOTS];
};

struct vt_branch {
	struct vt_node n;
	struct vt_node *child[VT_SLOTS];
	uint64_t gap[VT_SLOTS]; /* child's max_gap */
};

struct vt_tree {
	struct vms_sys *sys;
	struct vt_node *root; /* NULL when empty */
	size_t count;
	unsigned height; /* 1 = root is a leaf */
	struct vt_node *spare_leaves, *spare_branches; /* reserved nodes, chained by parent */
	unsigned nspare_leaves, nspare_branches;
	/* The leaf of the last lookup (the old mm->mmap_cache idea): a system
	 * call looks up and changes the same few VMAs again and again, so a
	 * lookup whose address falls inside this leaf's range skips the
	 * descent. Never stale: the range is read from the tree each time, and
	 * the pointer is cleared when its leaf leaves the tree. */
	struct vt_leaf *hint;
	unsigned hint_slot; /* the slot found last in it (checked before use) */
};

/* A position in the tree, for walking neighbours without a new lookup. It is
 * invalid after any change to the tree. */
struct vt_cursor {
	struct vt_leaf *leaf;
	unsigned slot;
};

void vt_init(struct vt_tree *t, struct vms_sys *sys);
/* Frees the nodes (not the VMAs). */
void vt_destroy(struct vt_tree *t);

/* Reserves enough nodes for `inserts` insertions; 0 or -ENOMEM. */
int vt_preallocate(struct vt_tree *t, unsigned inserts) __attribute__((warn_unused_result));

/* Whether vt_preallocate(t, inserts) would have nothing to do: one insertion
 * splits at most one leaf and every branch above it, and may add a new root. */
static inline bool vt_reserved(const struct vt_tree *t, unsigned inserts)
{
	return t->nspare_leaves >= inserts + 1 &&
	       t->nspare_branches >= inserts * (t->height + 1) + 1;
}

/* find_vma: the first VMA with end > addr (NULL if none); the cursor, when
 * given, is left on it. */
struct vms_vma *vt_find(const struct vt_tree *t, uint64_t addr, struct vt_cursor *cur);
/* vt_find() for a system call's first lookup at a place, which goes on to
 * read the VMA and its neighbours (merge checks): when the lookup misses the
 * cache it starts those three reads together. */
struct vms_vma *vt_find_near(const struct vt_tree *t, uint64_t addr, struct vt_cursor *cur);
struct vms_vma *vt_first(const struct vt_tree *t, struct vt_cursor *cur);
struct vms_vma *vt_last(const struct vt_tree *t, struct vt_cursor *cur);
struct vms_vma *vt_next(struct vt_cursor *cur);
struct vms_vma *vt_prev(struct vt_cursor *cur);
/* Neighbours of a VMA that is in the tree (one lookup each). */
struct vms_vma *vt_next_of(const struct vt_tree *t, const struct vms_vma *v);
struct vms_vma *vt_prev_of(const struct vt_tree *t, const struct vms_vma *v);

/* Inserts v, which must overlap nothing. Needs a prior vt_preallocate(). */
void vt_insert(struct vt_tree *t, struct vms_vma *v);
/* Removes v (the VMA itself is not freed). */
void vt_erase(struct vt_tree *t, struct vms_vma *v);
/* Two merges at once: v grew over w1, just above it, and w2, just above w1
 * (v's end is w2's already); both leave the index. */
void vt_absorb2(struct vt_tree *t, struct vms_vma *v, struct vms_vma *w1, struct vms_vma *w2);
/* After v->start/v->end changed without passing a neighbour: fixes the index.
 * old_start is v's start when it was last indexed. */
void vt_update(struct vt_tree *t, struct vms_vma *v, uint64_t old_start);
/* A split: v (indexed from old_start) shrank to one piece of its old range and
 * n, the other piece, joins the index. Together they tile v's old range. */
void vt_split(struct vt_tree *t, struct vms_vma *v, uint64_t old_start, struct vms_vma *n);
/* Both splits of v around a range inside it at once: v (indexed from
 * [old_start, old_end)) is the middle piece now, lo the piece below and hi
 * the piece above join the index. */
void vt_split3(struct vt_tree *t, struct vms_vma *v, uint64_t old_start, uint64_t old_end,
	       struct vms_vma *lo, struct vms_vma *hi);
/* v takes the place of old, which has exactly v's range. */
void vt_replace(struct vt_tree *t, struct vms_vma *old, struct vms_vma *v);
/* A merge: v grew over w, the VMA touching it (v's fields already cover both,
 * w's still hold its own range), and w leaves the index (it is not freed). */
void vt_absorb(struct vt_tree *t, struct vms_vma *v, struct vms_vma *w);

/* The kernel's mas_empty_area(): the lowest free range of at least size bytes
 * inside [low, high] (high inclusive). On success returns true with *start the
 * range's start (the gap's start, raised to low). */
bool vt_gap_lowest(const struct vt_tree *t, uint64_t low, uint64_t high, uint64_t size,
		   uint64_t *start);
/* mas_empty_area_rev(): the highest such range. On success *end is its end
 * (exclusive): the gap's end, lowered to high + 1. */
bool vt_gap_highest(const struct vt_tree *t, uint64_t low, uint64_t high, uint64_t size,
		    uint64_t *end);

/* Walks the whole tree checking order, pivots, gaps and counts; returns NULL
 * or a static description of the first fault. */
const char *vt_check(const struct vt_tree *t);

/* Bytes held by the tree's nodes (for the benchmark's bytes-per-VMA). */
size_t vt_bytes(const struct vt_tree *t);

/* Builds the tree from n VMAs already in address order (fork, import): fills
 * nodes completely instead of splitting. The tree must be empty. 0 or -ENOMEM
 * (tree left empty). */
int vt_bulk_load(struct vt_tree *t, struct vms_vma **vmas, size_t n)
	__attribute__((warn_unused_result));

#endif
