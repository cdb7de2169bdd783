/*
 * tree.c: the gap-augmented B+tree that indexes VMAs (see tree.h for the shape).
 * What it does not do: any rule about what may be mapped where. It only keeps
 * VMAs in order and answers "which VMA" and "where is a big enough gap".
 */
#include "tree.h"

#include <errno.h>
#include <string.h>

#include "internal.h"

#define LEAF(n) ((struct vt_leaf *)(n))
#define BRANCH(n) ((struct vt_branch *)(n))
#define UNDERFLOW (VT_SLOTS / 4)
/* Slots a leaf filled by a run of insertions keeps free (split_point()). */
#define LEAF_SLACK 2u

/*
 * Unused pivot slots hold VT_NONE, above every address, so that "first slot
 * whose pivot is above addr" is the number of pivots <= addr counted over all
 * VT_SLOTS slots: a fixed-length scan with no exit branch to mispredict.
 * Every change that shrinks a node refills the slots it vacates.
 */
#define VT_NONE UINT64_MAX

static inline void clear_pivots(struct vt_node *n, unsigned from)
{
	for (unsigned i = from; i < VT_SLOTS; i++)
		n->pivot[i] = VT_NONE;
}

void vt_init(struct vt_tree *t, struct vms_sys *sys)
{
	memset(t, 0, sizeof(*t));
	t->sys = sys;
}

static void free_subtree(struct vt_tree *t, struct vt_node *n)
{
	if (!n->leaf) {
		for (unsigned i = 0; i < n->count; i++)
			free_subtree(t, BRANCH(n)->child[i]);
		slab_free(&t->sys->branch_slab, n);
	} else {
		slab_free(&t->sys->leaf_slab, n);
	}
}

void vt_destroy(struct vt_tree *t)
{
	if (t->root)
		free_subtree(t, t->root);
	while (t->spare_leaves) {
		struct vt_node *n = t->spare_leaves;
		t->spare_leaves = n->parent;
		slab_free(&t->sys->leaf_slab, n);
	}
	while (t->spare_branches) {
		struct vt_node *n = t->spare_branches;
		t->spare_branches = n->parent;
		slab_free(&t->sys->branch_slab, n);
	}
	t->root = NULL;
	t->count = 0;
	t->height = 0;
	t->nspare_leaves = t->nspare_branches = 0;
	t->hint = NULL;
}

int vt_preallocate(struct vt_tree *t, unsigned inserts)
{
	/* The same bound as vt_reserved(). */
	unsigned want_leaves = inserts + 1;
	unsigned want_branches = inserts * (t->height + 1) + 1;
	while (t->nspare_leaves < want_leaves) {
		struct vt_node *n = slab_alloc(t->sys, &t->sys->leaf_slab);
		if (!n)
			return -ENOMEM;
		n->parent = t->spare_leaves;
		t->spare_leaves = n;
		t->nspare_leaves++;
	}
	while (t->nspare_branches < want_branches) {
		struct vt_node *n = slab_alloc(t->sys, &t->sys->branch_slab);
		if (!n)
			return -ENOMEM;
		n->parent = t->spare_branches;
		t->spare_branches = n;
		t->nspare_branches++;
	}
	return 0;
}

static struct vt_node *take_node(struct vt_tree *t, bool leaf)
{
	struct vt_node **list = leaf ? &t->spare_leaves : &t->spare_branches;
	struct vt_node *n = *list;
	/* A caller that skipped vt_preallocate() is a bug in the model. */
	if (!n)
		__builtin_trap();
	*list = n->parent;
	if (leaf)
		t->nspare_leaves--;
	else
		t->nspare_branches--;
	memset(n, 0, leaf ? sizeof(struct vt_leaf) : sizeof(struct vt_branch));
	n->leaf = leaf;
	clear_pivots(n, 0);
	return n;
}

static void drop_node(struct vt_tree *t, struct vt_node *n)
{
	if ((void *)t->hint == (void *)n)
		t->hint = NULL;
	/* Keep a few for the next operation; the slab has the rest. */
	if (n->leaf) {
		if (t->nspare_leaves < 4) {
			n->parent = t->spare_leaves;
			t->spare_leaves = n;
			t->nspare_leaves++;
			return;
		}
		slab_free(&t->sys->leaf_slab, n);
	} else {
		if (t->nspare_branches < 8) {
			n->parent = t->spare_branches;
			t->spare_branches = n;
			t->nspare_branches++;
			return;
		}
		slab_free(&t->sys->branch_slab, n);
	}
}

/* The lowest address a node's subtree covers: the end of the VMA before it. */
static uint64_t node_min(const struct vt_node *n)
{
	while (n->parent) {
		if (n->pslot)
			return n->parent->pivot[n->pslot - 1];
		n = n->parent;
	}
	return 0;
}

static void leaf_recompute(struct vt_leaf *l, uint64_t min)
{
	uint64_t best = 0, prev = min;
	for (unsigned i = 0; i < l->n.count; i++) {
		uint64_t gap = l->vma[i]->start - prev;
		if (gap > best)
			best = gap;
		prev = l->n.pivot[i];
	}
	l->n.max_gap = best;
}

static void branch_recompute(struct vt_branch *b)
{
	uint64_t best = 0;
	for (unsigned i = 0; i < b->n.count; i++)
		if (b->gap[i] > best)
			best = b->gap[i];
	b->n.max_gap = best;
}

/*
 * Copies a changed node's summary (highest end, largest gap) into its
 * ancestors. It stops at the first parent whose copy already matches: every
 * node's summary is kept exact after each change, so nothing above can differ.
 * A parent's largest gap is rescanned only when the slot that held it shrank.
 */
static void propagate(struct vt_node *n)
{
	while (n->parent) {
		struct vt_branch *p = BRANCH(n->parent);
		unsigned s = n->pslot;
		uint64_t piv = n->pivot[n->count - 1], gap = n->max_gap, old = p->gap[s];
		if (p->n.pivot[s] == piv && old == gap)
			return;
		p->n.pivot[s] = piv;
		p->gap[s] = gap;
		if (gap >= p->n.max_gap)
			p->n.max_gap = gap;
		else if (old == p->n.max_gap)
			branch_recompute(p);
		n = &p->n;
	}
}

/* The end of the VMA before slot i of l (the leaf's lower bound for slot 0). */
static inline uint64_t end_before(const struct vt_leaf *l, unsigned i)
{
	return i ? l->n.pivot[i - 1] : node_min(&l->n);
}

/*
 * Keeps l's largest gap exact after a change whose gaps that went away (or
 * shrank) were at most `lost` and whose new gaps are at most `won`, then tells
 * the ancestors if l's summary changed (last_moved: its highest end did).
 * Only losing the gap that was the largest makes the leaf read all its VMAs
 * again; otherwise no VMA beyond the changed ones is touched, which at a
 * million VMAs saves a cache miss per slot.
 */
static void leaf_gaps(struct vt_leaf *l, uint64_t lost, uint64_t won, bool last_moved)
{
	uint64_t old = l->n.max_gap;
	if (won >= old)
		l->n.max_gap = won;
	else if (lost == old && lost)
		leaf_recompute(l, node_min(&l->n));
	if (last_moved || l->n.max_gap != old)
		propagate(&l->n);
}

/* The first VMA of the next leaf had the gap [old_end, start) below it and
 * has [new_end, start) now. */
static void next_leaf_gap(struct vt_leaf *nx, uint64_t old_end, uint64_t new_end)
{
	uint64_t s0 = nx->vma[0]->start;
	leaf_gaps(nx, s0 - old_end, s0 - new_end, false);
}

static struct vt_leaf *next_leaf(struct vt_leaf *l)
{
	struct vt_node *n = &l->n;
	while (n->parent && n->pslot + 1u >= n->parent->count)
		n = n->parent;
	if (!n->parent)
		return NULL;
	n = BRANCH(n->parent)->child[n->pslot + 1];
	while (!n->leaf)
		n = BRANCH(n)->child[0];
	return LEAF(n);
}

static struct vt_leaf *prev_leaf(struct vt_leaf *l)
{
	struct vt_node *n = &l->n;
	while (n->parent && n->pslot == 0)
		n = n->parent;
	if (!n->parent)
		return NULL;
	n = BRANCH(n->parent)->child[n->pslot - 1];
	while (!n->leaf)
		n = BRANCH(n)->child[n->count - 1];
	return LEAF(n);
}

/* First slot whose pivot is above addr, or count: with the unused slots
 * holding VT_NONE, the number of pivots <= addr among all VT_SLOTS slots.
 * A fixed count of independent compares (no loop exit that depends on the
 * node's fill), which the compiler unrolls; a binary search instead made cold
 * lookups slower, its loads depending on each other. */
static inline unsigned slot_above(const struct vt_node *n, uint64_t addr)
{
	/* Unrolled in pairs: each compare is independent of the others and
	 * the count is a run of add-with-carry steps, with no branch. */
	unsigned a = 0, b = 0;
#pragma GCC unroll 8
	for (unsigned k = 0; k < VT_SLOTS; k += 2) {
		a += n->pivot[k] <= addr;
		b += n->pivot[k + 1] <= addr;
	}
	/* addr = UINT64_MAX also counts the VT_NONE sentinels: cap at count. */
	unsigned r = a + b;
	return r < n->count ? r : n->count;
}

/* Whether a lookup of addr would end in leaf l: the leaves' ranges
 * [end of the VMA before, last end) tile the indexed space. */
static inline bool leaf_covers(const struct vt_leaf *l, uint64_t addr)
{
	return addr < l->n.pivot[l->n.count - 1] && addr >= node_min(&l->n);
}

/* The leaf whose range holds addr, or the last leaf when addr lies above
 * every VMA (where an insertion of addr goes). The tree must not be empty. */
static struct vt_leaf *descend(const struct vt_tree *t, uint64_t addr)
{
	struct vt_leaf *h = t->hint;
	if (h && leaf_covers(h, addr))
		return h;
	const struct vt_node *n = t->root;
	for (;;) {
		/* The slots past the pivots are wanted next: fetch their cache
		 * lines while the pivots are scanned, so that a cold node costs
		 * one memory round trip, not two. */
		const void *slots = n->leaf ? (const void *)LEAF(n)->vma : BRANCH(n)->child;
		__builtin_prefetch(slots);
		__builtin_prefetch((const char *)slots + 64);
		__builtin_prefetch((const char *)slots + 120);
		if (n->leaf)
			break;
		unsigned i = slot_above(n, addr);
		if (i == n->count)
			i = n->count - 1u;
		n = BRANCH(n)->child[i];
	}
	/* The hint is a cache, not part of the tree's value: lookups on a const
	 * tree may move it (the library is single-threaded per system). */
	((struct vt_tree *)t)->hint = LEAF(n);
	return LEAF(n);
}

static inline struct vms_vma *find_impl(const struct vt_tree *t, uint64_t addr,
					struct vt_cursor *cur, bool near)
{
	if (!t->root)
		return NULL;
	struct vt_leaf *l = t->hint;
	unsigned i = t->hint_slot;
	/* Most lookups in a system call ask for the VMA the previous one found. */
	if (!l || i >= l->n.count || addr >= l->n.pivot[i] || addr < end_before(l, i)) {
		l = descend(t, addr);
		i = slot_above(&l->n, addr);
		if (i == l->n.count)
			return NULL;
		((struct vt_tree *)t)->hint_slot = i;
		if (near) {
			/* Start the three cold VMA reads at once instead of one
			 * after another in the merge checks. */
			__builtin_prefetch(l->vma[i]);
			if (i > 0)
				__builtin_prefetch(l->vma[i - 1]);
			if (i + 1 < l->n.count)
				__builtin_prefetch(l->vma[i + 1]);
		}
	}
	if (cur) {
		cur->leaf = l;
		cur->slot = i;
	}
	return l->vma[i];
}

struct vms_vma *vt_find(const struct vt_tree *t, uint64_t addr, struct vt_cursor *cur)
{
	return find_impl(t, addr, cur, false);
}

struct vms_vma *vt_find_near(const struct vt_tree *t, uint64_t addr, struct vt_cursor *cur)
{
	return find_impl(t, addr, cur, true);
}

/* The leaf and slot of v, an indexed VMA whose start was key. */
static struct vt_leaf *locate(const struct vt_tree *t, const struct vms_vma *v, uint64_t key,
			      unsigned *slot)
{
	struct vt_cursor c;
	/* Zero-length VMAs never exist, so the VMA found is v itself. */
	if (!vt_find(t, key, &c) || c.leaf->vma[c.slot] != v)
		__builtin_trap();
	*slot = c.slot;
	return c.leaf;
}

struct vms_vma *vt_first(const struct vt_tree *t, struct vt_cursor *cur)
{
	struct vt_node *n = t->root;
	if (!n)
		return NULL;
	while (!n->leaf)
		n = BRANCH(n)->child[0];
	if (cur) {
		cur->leaf = LEAF(n);
		cur->slot = 0;
	}
	return LEAF(n)->vma[0];
}

struct vms_vma *vt_last(const struct vt_tree *t, struct vt_cursor *cur)
{
	struct vt_node *n = t->root;
	if (!n)
		return NULL;
	while (!n->leaf)
		n = BRANCH(n)->child[n->count - 1];
	if (cur) {
		cur->leaf = LEAF(n);
		cur->slot = n->count - 1u;
	}
	return LEAF(n)->vma[n->count - 1];
}

struct vms_vma *vt_next(struct vt_cursor *cur)
{
	if (cur->slot + 1u < cur->leaf->n.count)
		return cur->leaf->vma[++cur->slot];
	struct vt_leaf *l = next_leaf(cur->leaf);
	if (!l)
		return NULL;
	cur->leaf = l;
	cur->slot = 0;
	return l->vma[0];
}

struct vms_vma *vt_prev(struct vt_cursor *cur)
{
	if (cur->slot > 0)
		return cur->leaf->vma[--cur->slot];
	struct vt_leaf *l = prev_leaf(cur->leaf);
	if (!l)
		return NULL;
	cur->leaf = l;
	cur->slot = l->n.count - 1u;
	return l->vma[cur->slot];
}

struct vms_vma *vt_next_of(const struct vt_tree *t, const struct vms_vma *v)
{
	struct vt_cursor c;
	if (!vt_find(t, v->start, &c))
		return NULL;
	return vt_next(&c);
}

struct vms_vma *vt_prev_of(const struct vt_tree *t, const struct vms_vma *v)
{
	struct vt_cursor c;
	if (!vt_find(t, v->start, &c))
		return NULL;
	return vt_prev(&c);
}

/* ---- insertion ---- */

/* Where a full node splits: entries [0, k) stay, [k, count) move right. The new
 * entry lands in the node its position falls in. Appends and prepends (a run of
 * top-down or bottom-up mmaps) leave the full node nearly whole, and so does an
 * insertion just before the last entry (a large VMA carved up from its low
 * end, one split at a time, keeps being the last), so such runs fill nodes
 * rather than halving them. A leaf keeps `slack` slots free, the fill factor of
 * a B-tree bulk load: the first mprotect or MAP_FIXED that splits a VMA of a
 * freshly built region then finds room (two slots: a split in three) instead
 * of splitting the leaf, which at a million VMAs costs a new node, a cold
 * sibling and often a branch split. */
static unsigned split_point(unsigned pos, unsigned slack)
{
	if (pos >= VT_SLOTS - 1u)
		return pos < VT_SLOTS - slack ? pos : VT_SLOTS - slack;
	if (pos <= 1)
		return slack > pos ? slack : pos;
	return VT_SLOTS / 2;
}

static void branch_insert_child(struct vt_tree *t, struct vt_branch *b, unsigned pos,
				struct vt_node *child);

/* Puts `right` into the tree just after `left`, growing a new root if needed. */
static void insert_sibling(struct vt_tree *t, struct vt_node *left, struct vt_node *right)
{
	if (!left->parent) {
		struct vt_branch *root = BRANCH(take_node(t, false));
		root->n.count = 1;
		root->child[0] = left;
		root->n.pivot[0] = left->pivot[left->count - 1];
		root->gap[0] = left->max_gap;
		left->parent = &root->n;
		left->pslot = 0;
		t->root = &root->n;
		t->height++;
	}
	branch_insert_child(t, BRANCH(left->parent), left->pslot + 1u, right);
}

static void branch_place(struct vt_branch *b, unsigned pos, struct vt_node *child)
{
	memmove(&b->child[pos + 1], &b->child[pos], (b->n.count - pos) * sizeof(b->child[0]));
	memmove(&b->n.pivot[pos + 1], &b->n.pivot[pos], (b->n.count - pos) * sizeof(uint64_t));
	memmove(&b->gap[pos + 1], &b->gap[pos], (b->n.count - pos) * sizeof(uint64_t));
	b->child[pos] = child;
	b->n.pivot[pos] = child->count ? child->pivot[child->count - 1] : 0;
	b->gap[pos] = child->max_gap;
	b->n.count++;
	for (unsigned i = pos; i < b->n.count; i++) {
		b->child[i]->parent = &b->n;
		b->child[i]->pslot = (uint8_t)i;
	}
}

static void branch_insert_child(struct vt_tree *t, struct vt_branch *b, unsigned pos,
				struct vt_node *child)
{
	if (b->n.count < VT_SLOTS) {
		branch_place(b, pos, child);
		branch_recompute(b);
		propagate(&b->n);
		return;
	}
	unsigned k = split_point(pos, 0);
	struct vt_branch *r = BRANCH(take_node(t, false));
	unsigned moved = VT_SLOTS - k;
	memcpy(r->child, &b->child[k], moved * sizeof(r->child[0]));
	memcpy(r->n.pivot, &b->n.pivot[k], moved * sizeof(uint64_t));
	memcpy(r->gap, &b->gap[k], moved * sizeof(uint64_t));
	r->n.count = (uint8_t)moved;
	b->n.count = (uint8_t)k;
	clear_pivots(&b->n, k);
	for (unsigned i = 0; i < moved; i++) {
		r->child[i]->parent = &r->n;
		r->child[i]->pslot = (uint8_t)i;
	}
	if (pos < k || (pos == 0 && k == 0))
		branch_place(b, pos, child);
	else
		branch_place(r, pos - k, child);
	branch_recompute(b);
	branch_recompute(r);
	insert_sibling(t, &b->n, &r->n);
	/* Both halves changed what they hold: tell their ancestors. */
	propagate(&b->n);
	propagate(&r->n);
}

/*
 * Slot moves inside a leaf: entries [from, end) go up by `by` slots, or down
 * by `by` slots to start at `to`. A few slots at most: a loop beats a call
 * into memmove. The empty asm hides the index from the compiler, which would
 * otherwise turn the loop back into two memmove calls.
 */
static inline void slots_up(struct vt_leaf *l, unsigned from, unsigned end, unsigned by)
{
	for (unsigned i = end; i > from; i--) {
		__asm__("" : "+r"(i));
		l->vma[i - 1 + by] = l->vma[i - 1];
		l->n.pivot[i - 1 + by] = l->n.pivot[i - 1];
	}
}

static inline void slots_down(struct vt_leaf *l, unsigned to, unsigned end, unsigned by)
{
	for (unsigned i = to; i + by < end; i++) {
		__asm__("" : "+r"(i));
		l->vma[i] = l->vma[i + by];
		l->n.pivot[i] = l->n.pivot[i + by];
	}
}

static void leaf_place(struct vt_leaf *l, unsigned pos, struct vms_vma *v)
{
	slots_up(l, pos, l->n.count, 1);
	l->vma[pos] = v;
	l->n.pivot[pos] = v->end;
	l->n.count++;
}

/* Puts v into slot pos of the full leaf l, which splits in two. old_last is
 * the highest end the leaf had before this change; same_gaps says that v only
 * cuts a gap the leaf already counted (or none), so no gap grows. */
static void leaf_split_insert(struct vt_tree *t, struct vt_leaf *l, unsigned pos,
			      struct vms_vma *v, uint64_t old_last, bool same_gaps)
{
	unsigned k = split_point(pos, LEAF_SLACK);
	struct vt_leaf *r = LEAF(take_node(t, true));
	unsigned moved = VT_SLOTS - k;
	uint64_t lmin = node_min(&l->n);
	memcpy(r->vma, &l->vma[k], moved * sizeof(r->vma[0]));
	memcpy(r->n.pivot, &l->n.pivot[k], moved * sizeof(uint64_t));
	r->n.count = (uint8_t)moved;
	l->n.count = (uint8_t)k;
	clear_pivots(&l->n, k);
	if (pos < k || (pos == 0 && k == 0))
		leaf_place(l, pos, v);
	else
		leaf_place(r, pos - k, v);
	/* Exact summaries before linking, so that the parent's copies are right
	 * from the start (split_point() leaves neither half empty). The halves'
	 * gaps are pieces of the old leaf's, so a leaf with no gap needs no
	 * rescan: at a million VMAs that saves reading sixteen cold VMAs. */
	if (l->n.max_gap || !same_gaps) {
		leaf_recompute(l, lmin);
		leaf_recompute(r, l->n.pivot[l->n.count - 1]);
	}
	insert_sibling(t, &l->n, &r->n);
	propagate(&l->n);
	/* A new highest end moves the next leaf's lower bound. */
	uint64_t new_last = r->n.pivot[r->n.count - 1];
	if (new_last != old_last) {
		struct vt_leaf *nx = next_leaf(r);
		if (nx)
			next_leaf_gap(nx, old_last, new_last);
	}
}

/*
 * Makes room in the full leaf l for an insertion at slot *pos by moving one
 * of its entries into a sibling under the same parent that has room (the
 * maple tree's mas_push_data()), so that nodes stay nearly full instead of
 * halving at every split: a million VMAs churned by split/merge pairs would
 * otherwise end up in twice the leaves, one level deeper. The entry moved is
 * slot 0 (to the left sibling's end) or the last slot (to the right
 * sibling's front), never slot `keep`, whose VMA the caller is changing, and
 * never one that would put the insertion out of order. Every summary stays
 * exact: only the moved VMA's gap changes leaf. A sibling is not filled into
 * its slack (LEAF_SLACK), which a run of insertions left it on purpose.
 * Returns whether it moved one (then *pos is where the insertion goes in l).
 */
static bool leaf_push(struct vt_leaf *l, unsigned *pos, unsigned keep)
{
	struct vt_branch *p = BRANCH(l->n.parent);
	if (!p)
		return false;
	unsigned ps = l->n.pslot, last = VT_SLOTS - 1u;
	struct vt_leaf *left = ps > 0 ? LEAF(p->child[ps - 1]) : NULL;
	struct vt_leaf *right = ps + 1u < p->n.count ? LEAF(p->child[ps + 1]) : NULL;
	/* Both siblings may be read: start both (cold) loads at once. */
	if (left)
		__builtin_prefetch(&left->n.count);
	if (right)
		__builtin_prefetch(&right->n.count);
	if (left && left->n.count < VT_SLOTS - LEAF_SLACK && *pos > 0 && keep != 0) {
		/* l's first VMA goes to the end of left: the gap below it (from
		 * left's last end) moves along, the gap below l's next VMA stays. */
		struct vms_vma *m = l->vma[0];
		uint64_t lower = left->n.pivot[left->n.count - 1], end = l->n.pivot[0];
		uint64_t gap = m->start - lower;
		slots_down(l, 0, VT_SLOTS, 1);
		l->n.count--;
		l->n.pivot[last] = VT_NONE;
		unsigned c = left->n.count++;
		left->vma[c] = m;
		left->n.pivot[c] = end;
		if (gap > left->n.max_gap)
			left->n.max_gap = gap;
		propagate(&left->n);
		leaf_gaps(l, gap, 0, false);
		--*pos;
		return true;
	}
	if (right && right->n.count < VT_SLOTS - LEAF_SLACK && *pos < VT_SLOTS && keep != last) {
		/* l's last VMA goes to the front of right, with the gap below it. */
		struct vms_vma *m = l->vma[last];
		uint64_t end = l->n.pivot[last], gap = m->start - l->n.pivot[last - 1];
		l->n.count--;
		l->n.pivot[last] = VT_NONE;
		slots_up(right, 0, right->n.count, 1);
		right->vma[0] = m;
		right->n.pivot[0] = end;
		right->n.count++;
		/* l's highest end fell, so its parent's copy changes first; the
		 * lower bound right now has is that new end. */
		leaf_gaps(l, gap, 0, true);
		if (gap > right->n.max_gap) {
			right->n.max_gap = gap;
			propagate(&right->n);
		}
		return true;
	}
	return false;
}

void vt_insert(struct vt_tree *t, struct vms_vma *v)
{
	t->count++;
	if (!t->root) {
		struct vt_leaf *l = LEAF(take_node(t, true));
		leaf_place(l, 0, v);
		l->n.max_gap = v->start;
		t->root = &l->n;
		t->height = 1;
		return;
	}
	struct vt_leaf *l = descend(t, v->start);
	unsigned pos = slot_above(&l->n, v->start);
	if (l->n.count == VT_SLOTS && !leaf_push(l, &pos, VT_SLOTS)) {
		/* v lands in the gap below slot pos, or above the last VMA. */
		leaf_split_insert(t, l, pos, v, l->n.pivot[VT_SLOTS - 1],
				  pos < VT_SLOTS || v->start == l->n.pivot[VT_SLOTS - 1]);
		return;
	}
	/* v splits the gap below the VMA after it in two. */
	uint64_t prev_end = end_before(l, pos);
	uint64_t won = v->start - prev_end, lost = 0;
	if (pos < l->n.count) {
		uint64_t next_start = l->vma[pos]->start;
		lost = next_start - prev_end;
		won = max_u64(won, next_start - v->end);
	}
	leaf_place(l, pos, v);
	leaf_gaps(l, lost, won, pos == l->n.count - 1u);
	/* A new last VMA raises the lower bound of the next leaf. */
	if (pos == l->n.count - 1u) {
		struct vt_leaf *nx = next_leaf(l);
		if (nx)
			next_leaf_gap(nx, prev_end, v->end);
	}
}

void vt_split(struct vt_tree *t, struct vms_vma *v, uint64_t old_start, struct vms_vma *n)
{
	unsigned slot;
	struct vt_leaf *l = locate(t, v, old_start, &slot);
	/* Room first, while the leaf still indexes v's old range: v's slot is
	 * not the one that moves, but a push may rescan the leaf's gaps, which
	 * must see the start v is indexed with. */
	bool upper = n->start >= v->end;
	unsigned pos = slot + upper;
	if (l->n.count == VT_SLOTS) {
		uint64_t new_start = v->start;
		v->start = old_start;
		if (leaf_push(l, &pos, slot))
			slot = pos - upper;
		v->start = new_start;
	}
	uint64_t old_last = l->n.pivot[l->n.count - 1];
	t->count++;
	if (upper) {
		/* n is the upper piece: it goes after v, whose end drops. */
		l->n.pivot[slot] = v->end;
		pos = slot + 1u;
	}
	/* The pieces tile v's old range: v's old gap is the lower piece's, the
	 * one between the pieces is empty, and the highest end stays, so no
	 * summary changes. */
	if (l->n.count < VT_SLOTS)
		leaf_place(l, pos, n);
	else
		leaf_split_insert(t, l, pos, n, old_last, true);
}

void vt_split3(struct vt_tree *t, struct vms_vma *v, uint64_t old_start, uint64_t old_end,
	       struct vms_vma *lo, struct vms_vma *hi)
{
	unsigned slot;
	struct vt_leaf *l = locate(t, v, old_start, &slot);
	if (l->n.count + 2u > VT_SLOTS) {
		/* No room for both: the two single splits, v's range passing
		 * through the state between them. */
		uint64_t end = v->end;
		v->end = old_end;
		vt_split(t, v, old_start, lo);
		v->end = end;
		vt_split(t, v, v->start, hi);
		return;
	}
	/* lo, v and hi tile v's old range: its gap becomes lo's, the two new
	 * ones are empty and the highest end stays, so no summary changes. */
	slots_up(l, slot + 1u, l->n.count, 2);
	l->vma[slot] = lo;
	l->n.pivot[slot] = lo->end;
	l->vma[slot + 1] = v;
	l->n.pivot[slot + 1] = v->end;
	l->vma[slot + 2] = hi;
	l->n.pivot[slot + 2] = old_end;
	l->n.count = (uint8_t)(l->n.count + 2u);
	t->count += 2;
	/* The caller goes on with v. */
	t->hint = l;
	t->hint_slot = slot + 1u;
}

/* ---- removal ---- */

static void remove_child(struct vt_tree *t, struct vt_branch *b, unsigned pos);

/* A node that fell below a quarter full joins a neighbour when both fit in one. */
static void maybe_join(struct vt_tree *t, struct vt_node *n)
{
	if (n->count >= UNDERFLOW || !n->parent)
		return;
	struct vt_branch *p = BRANCH(n->parent);
	struct vt_node *left, *right;
	if (n->pslot > 0) {
		left = p->child[n->pslot - 1];
		right = n;
	} else if (n->pslot + 1u < p->n.count) {
		left = n;
		right = p->child[n->pslot + 1];
	} else {
		return;
	}
	if (left->count + right->count > VT_SLOTS)
		return;
	unsigned base = left->count;
	memcpy(&left->pivot[base], right->pivot, right->count * sizeof(uint64_t));
	if (left->leaf) {
		memcpy(&LEAF(left)->vma[base], LEAF(right)->vma,
		       right->count * sizeof(LEAF(left)->vma[0]));
	} else {
		memcpy(&BRANCH(left)->child[base], BRANCH(right)->child,
		       right->count * sizeof(BRANCH(left)->child[0]));
		memcpy(&BRANCH(left)->gap[base], BRANCH(right)->gap,
		       right->count * sizeof(uint64_t));
		for (unsigned i = base; i < base + right->count; i++) {
			BRANCH(left)->child[i]->parent = left;
			BRANCH(left)->child[i]->pslot = (uint8_t)i;
		}
	}
	left->count = (uint8_t)(left->count + right->count);
	right->count = 0;
	if (left->leaf)
		leaf_recompute(LEAF(left), node_min(left));
	else
		branch_recompute(BRANCH(left));
	p->n.pivot[left->pslot] = left->pivot[left->count - 1];
	p->gap[left->pslot] = left->max_gap;
	unsigned rslot = right->pslot;
	drop_node(t, right);
	remove_child(t, p, rslot);
}

static void remove_child(struct vt_tree *t, struct vt_branch *b, unsigned pos)
{
	unsigned tail = b->n.count - pos - 1u;
	memmove(&b->child[pos], &b->child[pos + 1], tail * sizeof(b->child[0]));
	memmove(&b->n.pivot[pos], &b->n.pivot[pos + 1], tail * sizeof(uint64_t));
	memmove(&b->gap[pos], &b->gap[pos + 1], tail * sizeof(uint64_t));
	b->n.count--;
	b->n.pivot[b->n.count] = VT_NONE;
	for (unsigned i = pos; i < b->n.count; i++)
		b->child[i]->pslot = (uint8_t)i;
	if (b->n.count == 0 && b->n.parent) {
		/* A branch that lost its last child (its siblings were too full
		 * to take it in earlier) goes as well. */
		struct vt_branch *p = BRANCH(b->n.parent);
		unsigned ps = b->n.pslot;
		drop_node(t, &b->n);
		remove_child(t, p, ps);
		return;
	}
	if (!b->n.parent && b->n.count == 1) {
		/* A root with one child hands the root to it. */
		struct vt_node *c = b->child[0];
		c->parent = NULL;
		c->pslot = 0;
		t->root = c;
		t->height--;
		drop_node(t, &b->n);
		return;
	}
	branch_recompute(b);
	propagate(&b->n);
	maybe_join(t, &b->n);
}

static void remove_slot(struct vt_tree *t, struct vt_leaf *l, unsigned slot, uint64_t lost,
			uint64_t won, uint64_t nx_old_end, uint64_t nx_new_end);

void vt_erase(struct vt_tree *t, struct vms_vma *v)
{
	unsigned slot;
	struct vt_leaf *l = locate(t, v, v->start, &slot);
	/* The gaps below v and below the VMA after it join into one. */
	uint64_t prev_end = end_before(l, slot);
	uint64_t lost = v->start - prev_end, won = 0;
	if (slot + 1u < l->n.count) {
		uint64_t next_start = l->vma[slot + 1]->start;
		lost = max_u64(lost, next_start - v->end);
		won = next_start - prev_end;
	}
	/* If v was l's last, the VMA after the hole is the next leaf's first. */
	remove_slot(t, l, slot, lost, won, v->end, prev_end);
}

/*
 * Removes slot `slot` of l. The gaps of l that went away or shrank were at
 * most `lost` and the new ones are at most `won` (as leaf_gaps() takes them);
 * when the slot was l's last, the next leaf's first VMA had the end
 * nx_old_end below it and has nx_new_end now.
 */
static void remove_slot(struct vt_tree *t, struct vt_leaf *l, unsigned slot, uint64_t lost,
			uint64_t won, uint64_t nx_old_end, uint64_t nx_new_end)
{
	slots_down(l, slot, l->n.count, 1);
	l->n.count--;
	l->n.pivot[l->n.count] = VT_NONE;
	t->count--;
	struct vt_leaf *nx = NULL;
	if (slot == l->n.count && nx_old_end != nx_new_end)
		nx = next_leaf(l);
	if (l->n.count == 0) {
		if (!l->n.parent) {
			drop_node(t, &l->n);
			t->root = NULL;
			t->height = 0;
			return;
		}
		struct vt_branch *p = BRANCH(l->n.parent);
		unsigned ps = l->n.pslot;
		drop_node(t, &l->n);
		remove_child(t, p, ps);
	} else {
		leaf_gaps(l, lost, won, slot == l->n.count);
		/* Before the join below, which may take nx's VMAs into l. */
		if (nx) {
			next_leaf_gap(nx, nx_old_end, nx_new_end);
			nx = NULL;
		}
		maybe_join(t, &l->n);
	}
	/* Joins and removals above move branches, never leaves: nx is live. */
	if (nx)
		next_leaf_gap(nx, nx_old_end, nx_new_end);
}

void vt_replace(struct vt_tree *t, struct vms_vma *old, struct vms_vma *v)
{
	unsigned slot;
	struct vt_leaf *l = locate(t, old, old->start, &slot);
	l->vma[slot] = v;
}

void vt_absorb(struct vt_tree *t, struct vms_vma *v, struct vms_vma *w)
{
	unsigned sw;
	struct vt_leaf *lw = locate(t, w, w->start, &sw);
	if (v->start < w->start) {
		/* v is just below w and its end rose to w's: v's pivot takes w's
		 * end, and w's slot (with its empty gap) goes. */
		if (sw > 0) {
			if (lw->vma[sw - 1] != v)
				__builtin_trap();
			lw->n.pivot[sw - 1] = w->end;
		} else {
			struct vt_leaf *pl = prev_leaf(lw);
			if (!pl || pl->vma[pl->n.count - 1] != v)
				__builtin_trap();
			pl->n.pivot[pl->n.count - 1] = w->end;
			propagate(&pl->n);
		}
		remove_slot(t, lw, sw, 0, 0, 0, 0);
		return;
	}
	/* v is just above w and its start fell to w's: v inherits w's gap, and
	 * the empty gap that was below v goes. */
	if (sw + 1u < lw->n.count) {
		if (lw->vma[sw + 1] != v)
			__builtin_trap();
		remove_slot(t, lw, sw, 0, 0, 0, 0);
		return;
	}
	/* v is the next leaf's first: w's gap leaves lw and reappears there. */
	uint64_t prev_end = end_before(lw, sw);
	remove_slot(t, lw, sw, w->start - prev_end, 0, w->start, prev_end);
}

void vt_absorb2(struct vt_tree *t, struct vms_vma *v, struct vms_vma *w1, struct vms_vma *w2)
{
	unsigned s;
	struct vt_leaf *l = locate(t, w1, w1->start, &s);
	if (s == 0 || s + 1u >= l->n.count || l->vma[s - 1] != v || l->vma[s + 1] != w2) {
		/* Not all three in one leaf: one absorption at a time. */
		uint64_t end = v->end;
		v->end = w1->end;
		vt_absorb(t, v, w1);
		v->end = end;
		vt_absorb(t, v, w2);
		return;
	}
	/* The gaps that go were empty and the highest end stays (w2's end is
	 * v's now), so only the slots move. */
	l->n.pivot[s - 1] = w2->end;
	unsigned count = l->n.count;
	slots_down(l, s, count, 2);
	l->n.count = (uint8_t)(count - 2u);
	l->n.pivot[count - 2u] = VT_NONE;
	l->n.pivot[count - 1u] = VT_NONE;
	t->count -= 2;
	t->hint_slot = s - 1u;
	maybe_join(t, &l->n);
}

void vt_update(struct vt_tree *t, struct vms_vma *v, uint64_t old_start)
{
	unsigned slot;
	struct vt_leaf *l = locate(t, v, old_start, &slot);
	uint64_t old_end = l->n.pivot[slot], lost = 0, won = 0;
	if (v->start != old_start) {
		uint64_t prev_end = end_before(l, slot);
		lost = old_start - prev_end;
		won = v->start - prev_end;
	}
	bool last = slot == l->n.count - 1u;
	if (v->end != old_end && !last) {
		uint64_t next_start = l->vma[slot + 1]->start;
		lost = max_u64(lost, next_start - old_end);
		won = max_u64(won, next_start - v->end);
	}
	l->n.pivot[slot] = v->end;
	leaf_gaps(l, lost, won, last && v->end != old_end);
	/* A new end of l's last VMA moves the next leaf's lower bound. */
	if (v->end != old_end && last) {
		struct vt_leaf *nx = next_leaf(l);
		if (nx)
			next_leaf_gap(nx, old_end, v->end);
	}
}

/* ---- free-area search ---- */

static bool lowest_in(const struct vt_node *n, uint64_t nmin, uint64_t low, uint64_t hi_excl,
		      uint64_t size, uint64_t *start)
{
	for (unsigned i = 0; i < n->count; i++) {
		uint64_t cmin = i ? n->pivot[i - 1] : nmin;
		uint64_t cmax = n->pivot[i];
		if (cmax <= low)
			continue;
		if (cmin >= hi_excl)
			return false;
		if (n->leaf) {
			uint64_t s = max_u64(cmin, low);
			uint64_t e = min_u64(LEAF(n)->vma[i]->start, hi_excl);
			if (e > s && e - s >= size) {
				*start = s;
				return true;
			}
		} else if (BRANCH(n)->gap[i] >= size) {
			if (lowest_in(BRANCH(n)->child[i], cmin, low, hi_excl, size, start))
				return true;
		}
	}
	return false;
}

bool vt_gap_lowest(const struct vt_tree *t, uint64_t low, uint64_t high, uint64_t size,
		   uint64_t *start)
{
	uint64_t hi_excl = high + 1;
	if (hi_excl <= low || hi_excl - low < size)
		return false;
	uint64_t top = 0;
	if (t->root) {
		if (t->root->max_gap >= size &&
		    lowest_in(t->root, 0, low, hi_excl, size, start))
			return true;
		top = t->root->pivot[t->root->count - 1];
	}
	/* The space above the last VMA. */
	uint64_t s = max_u64(top, low);
	if (hi_excl > s && hi_excl - s >= size) {
		*start = s;
		return true;
	}
	return false;
}

static bool highest_in(const struct vt_node *n, uint64_t nmin, uint64_t low, uint64_t hi_excl,
		       uint64_t size, uint64_t *end)
{
	for (unsigned i = n->count; i-- > 0;) {
		uint64_t cmin = i ? n->pivot[i - 1] : nmin;
		uint64_t cmax = n->pivot[i];
		if (cmin >= hi_excl)
			continue;
		if (cmax <= low)
			return false;
		if (n->leaf) {
			uint64_t s = max_u64(cmin, low);
			uint64_t e = min_u64(LEAF(n)->vma[i]->start, hi_excl);
			if (e > s && e - s >= size) {
				*end = e;
				return true;
			}
		} else if (BRANCH(n)->gap[i] >= size) {
			if (highest_in(BRANCH(n)->child[i], cmin, low, hi_excl, size, end))
				return true;
		}
	}
	return false;
}

bool vt_gap_highest(const struct vt_tree *t, uint64_t low, uint64_t high, uint64_t size,
		    uint64_t *end)
{
	uint64_t hi_excl = high + 1;
	if (hi_excl <= low || hi_excl - low < size)
		return false;
	uint64_t top = t->root ? t->root->pivot[t->root->count - 1] : 0;
	uint64_t s = max_u64(top, low);
	if (hi_excl > s && hi_excl - s >= size) {
		*end = hi_excl;
		return true;
	}
	if (!t->root || t->root->max_gap < size)
		return false;
	return highest_in(t->root, 0, low, hi_excl, size, end);
}

/* ---- bulk load ---- */

int vt_bulk_load(struct vt_tree *t, struct vms_vma **vmas, size_t n)
{
	if (n == 0)
		return 0;
	size_t nleaves = (n + VT_SLOTS - 1) / VT_SLOTS;
	struct vt_node **level = sys_calloc(t->sys, nleaves, sizeof(*level));
	if (!level)
		return -ENOMEM;
	size_t done = 0;
	uint64_t prev_end = 0;
	for (size_t i = 0; i < nleaves; i++) {
		struct vt_leaf *l = slab_alloc(t->sys, &t->sys->leaf_slab);
		if (!l)
			goto fail;
		memset(l, 0, sizeof(*l));
		l->n.leaf = 1;
		clear_pivots(&l->n, 0);
		/* Spread the remainder so that no leaf is nearly empty. */
		size_t take = (n - done) / (nleaves - i);
		if ((n - done) % (nleaves - i))
			take++;
		for (size_t j = 0; j < take; j++)
			leaf_place(l, (unsigned)j, vmas[done + j]);
		done += take;
		leaf_recompute(l, prev_end);
		prev_end = l->n.pivot[l->n.count - 1];
		level[i] = &l->n;
	}
	size_t count = nleaves;
	unsigned height = 1;
	while (count > 1) {
		size_t nb = (count + VT_SLOTS - 1) / VT_SLOTS, used = 0;
		for (size_t i = 0; i < nb; i++) {
			struct vt_branch *b = slab_alloc(t->sys, &t->sys->branch_slab);
			if (!b) {
				/* Free this level's finished branches and all below. */
				for (size_t j = 0; j < i; j++)
					free_subtree(t, level[j]);
				for (size_t j = used; j < count; j++)
					free_subtree(t, level[j]);
				sys_free(t->sys, level);
				return -ENOMEM;
			}
			memset(b, 0, sizeof(*b));
			clear_pivots(&b->n, 0);
			size_t take = (count - used) / (nb - i);
			if ((count - used) % (nb - i))
				take++;
			for (size_t j = 0; j < take; j++)
				branch_place(b, (unsigned)j, level[used + j]);
			used += take;
			branch_recompute(b);
			level[i] = &b->n;
		}
		count = nb;
		height++;
	}
	t->root = level[0];
	t->root->parent = NULL;
	t->height = height;
	t->count = n;
	sys_free(t->sys, level);
	return 0;
fail:
	for (size_t j = 0; j < nleaves && level[j]; j++)
		slab_free(&t->sys->leaf_slab, level[j]);
	sys_free(t->sys, level);
	return -ENOMEM;
}

/* ---- checking ---- */

static const char *check_node(const struct vt_node *n, uint64_t nmin, unsigned depth,
			      unsigned height, size_t *count, uint64_t *prev_end)
{
	if (n->count == 0 || n->count > VT_SLOTS)
		return "node slot count out of range";
	if ((depth == height) != (n->leaf != 0))
		return "leaves at different depths";
	for (unsigned i = n->count; i < VT_SLOTS; i++)
		if (n->pivot[i] != VT_NONE)
			return "unused pivot slot not cleared";
	if (n->leaf) {
		uint64_t best = 0, prev = nmin;
		for (unsigned i = 0; i < n->count; i++) {
			const struct vms_vma *v = LEAF(n)->vma[i];
			if (v->start >= v->end)
				return "empty or inverted VMA";
			if (v->start < *prev_end)
				return "VMAs overlap or are out of order";
			if (n->pivot[i] != v->end)
				return "leaf pivot differs from VMA end";
			if (prev != *prev_end)
				return "leaf lower bound differs from previous VMA end";
			if (v->start - prev > best)
				best = v->start - prev;
			prev = v->end;
			*prev_end = v->end;
		}
		if (best != n->max_gap)
			return "leaf max_gap wrong";
		*count += n->count;
		return NULL;
	}
	uint64_t best = 0;
	for (unsigned i = 0; i < n->count; i++) {
		const struct vt_node *c = BRANCH(n)->child[i];
		if (c->parent != n || c->pslot != i)
			return "child parent link wrong";
		const char *err = check_node(c, i ? n->pivot[i - 1] : nmin, depth + 1, height,
					     count, prev_end);
		if (err)
			return err;
		if (n->pivot[i] != c->pivot[c->count - 1])
			return "branch pivot differs from child";
		if (BRANCH(n)->gap[i] != c->max_gap)
			return "branch gap differs from child";
		if (c->max_gap > best)
			best = c->max_gap;
	}
	if (best != n->max_gap)
		return "branch max_gap wrong";
	return NULL;
}

const char *vt_check(const struct vt_tree *t)
{
	if (!t->root)
		return t->count ? "empty tree with nonzero count" : NULL;
	if (t->root->parent)
		return "root has a parent";
	size_t count = 0;
	uint64_t prev_end = 0;
	const char *err = check_node(t->root, 0, 1, t->height, &count, &prev_end);
	if (err)
		return err;
	if (count != t->count)
		return "tree count differs from VMAs held";
	return NULL;
}

static size_t bytes_of(const struct vt_node *n)
{
	if (n->leaf)
		return sizeof(struct vt_leaf);
	size_t b = sizeof(struct vt_branch);
	for (unsigned i = 0; i < n->count; i++)
		b += bytes_of(BRANCH(n)->child[i]);
	return b;
}

size_t vt_bytes(const struct vt_tree *t)
{
	return t->root ? bytes_of(t->root) : 0;
}
