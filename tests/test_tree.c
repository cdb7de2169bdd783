/* test_tree.c: the gap-augmented index against a plain sorted array. */
#include "t.h"

#include "internal.h"
#include "tree.h"

struct ref {
	uint64_t start[4096], end[4096];
	int n;
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int ref_find(const struct ref *r, uint64_t addr)
{
	for (int i = 0; i < r->n; i++)
		if (r->end[i] > addr)
			return i;
	return -1;
}

static void ref_insert(struct ref *r, uint64_t s, uint64_t e)
{
	int i = 0;
	while (i < r->n && r->start[i] < s)
		i++;
	memmove(&r->start[i + 1], &r->start[i], (size_t)(r->n - i) * sizeof(uint64_t));
	memmove(&r->end[i + 1], &r->end[i], (size_t)(r->n - i) * sizeof(uint64_t));
	r->start[i] = s;
	r->end[i] = e;
	r->n++;
}

static bool ref_free(const struct ref *r, uint64_t s, uint64_t e)
{
	for (int i = 0; i < r->n; i++)
		if (r->start[i] < e && r->end[i] > s)
			return false;
	return true;
}

/* Highest gap of at least size inside [low, high] by brute force. */
static bool ref_gap_highest(const struct ref *r, uint64_t low, uint64_t high, uint64_t size,
			    uint64_t *end)
{
	uint64_t hi = high + 1;
	for (int i = r->n; i >= 0; i--) {
		uint64_t gs = i ? r->end[i - 1] : 0;
		uint64_t ge = i < r->n ? r->start[i] : hi;
		uint64_t s = gs > low ? gs : low, e = ge < hi ? ge : hi;
		if (e > s && e - s >= size) {
			*end = e;
			return true;
		}
	}
	return false;
}

static bool ref_gap_lowest(const struct ref *r, uint64_t low, uint64_t high, uint64_t size,
			   uint64_t *start)
{
	uint64_t hi = high + 1;
	for (int i = 0; i <= r->n; i++) {
		uint64_t gs = i ? r->end[i - 1] : 0;
		uint64_t ge = i < r->n ? r->start[i] : hi;
		uint64_t s = gs > low ? gs : low, e = ge < hi ? ge : hi;
		if (e > s && e - s >= size) {
			*start = s;
			return true;
		}
	}
	return false;
}

/* Random inserts and erases keep order, pivots and gap augmentation exact, and
 * every lookup and gap search agrees with brute force. */
TEST(tree_matches_sorted_array_under_random_changes)
{
	static struct ref r;
	static struct vms_vma vmas[4096];
	struct vt_tree t;
	vt_init(&t, sys);
	r.n = 0;
	uint64_t seed = 0x1234567;
	int live = 0;
	for (int step = 0; step < 20000; step++) {
		uint64_t op = rnd(&seed) % 3;
		if (op < 2 && live < 1500) {
			uint64_t s = (rnd(&seed) % 100000) * 4096, e = s + (1 + rnd(&seed) % 8) * 4096;
			if (!ref_free(&r, s, e))
				continue;
			struct vms_vma *v = &vmas[live++];
			v->start = s;
			v->end = e;
			CHECK(vt_preallocate(&t, 1) == 0);
			vt_insert(&t, v);
			ref_insert(&r, s, e);
		} else if (live > 0) {
			int k = (int)(rnd(&seed) % (uint64_t)live);
			struct vms_vma *v = &vmas[k];
			vt_erase(&t, v);
			int i = 0;
			while (r.start[i] != v->start)
				i++;
			memmove(&r.start[i], &r.start[i + 1], (size_t)(r.n - i - 1) * sizeof(uint64_t));
			memmove(&r.end[i], &r.end[i + 1], (size_t)(r.n - i - 1) * sizeof(uint64_t));
			r.n--;
			vmas[k] = vmas[--live];
			/* The moved VMA is now at a new address in memory: reindex it. */
			if (k < live) {
				vt_erase(&t, &vmas[live]);
				CHECK(vt_preallocate(&t, 1) == 0);
				vt_insert(&t, &vmas[k]);
			}
		}
		const char *err = vt_check(&t);
		if (err) {
			t_fail(__FILE__, __LINE__, "step %d: %s", step, err);
			return;
		}
		uint64_t a = (rnd(&seed) % 100000) * 4096 + rnd(&seed) % 4096;
		struct vms_vma *f = vt_find(&t, a, NULL);
		int fi = ref_find(&r, a);
		CHECK((f == NULL) == (fi < 0));
		if (f)
			CHECK_EQ(f->start, r.start[fi]);
		uint64_t low = (rnd(&seed) % 50000) * 4096, high = low + (rnd(&seed) % 60000) * 4096;
		uint64_t size = (1 + rnd(&seed) % 64) * 4096, x = 0, y = 0;
		bool got = vt_gap_highest(&t, low, high, size, &x);
		bool want = ref_gap_highest(&r, low, high, size, &y);
		CHECK_EQ(got, want);
		if (got)
			CHECK_EQ(x, y);
		got = vt_gap_lowest(&t, low, high, size, &x);
		want = ref_gap_lowest(&r, low, high, size, &y);
		CHECK_EQ(got, want);
		if (got)
			CHECK_EQ(x, y);
	}
	vt_destroy(&t);
}

/* A run of descending inserts (top-down mmaps) fills leaves instead of halving
 * them, up to the two slots of slack each keeps for later splits. */
TEST(tree_descending_inserts_fill_nodes)
{
	static struct vms_vma vmas[10000];
	struct vt_tree t;
	vt_init(&t, sys);
	for (int i = 0; i < 10000; i++) {
		vmas[i].start = (uint64_t)(20000 - 2 * i) << 12;
		vmas[i].end = vmas[i].start + 4096;
		CHECK(vt_preallocate(&t, 1) == 0);
		vt_insert(&t, &vmas[i]);
	}
	CHECK(vt_check(&t) == NULL);
	/* Leaves 14/16 full: about 10000/14 of them. */
	CHECK(vt_bytes(&t) < 10000 / 14 * sizeof(struct vt_leaf) * 11 / 10 + 8192);
	vt_destroy(&t);
}

/* A region built by a run of insertions keeps two free slots per leaf, so a
 * later split of a VMA in three (mprotect of its middle) adds no leaf. */
TEST(tree_run_leaves_keep_room_for_a_split_in_three)
{
	static struct vms_vma vmas[1000], pieces[2];
	struct vt_tree t;
	vt_init(&t, sys);
	for (int i = 0; i < 1000; i++) {
		vmas[i].start = (uint64_t)(100 + 3 * i) << 12;
		vmas[i].end = vmas[i].start + (3 << 12);
		CHECK(vt_preallocate(&t, 1) == 0);
		vt_insert(&t, &vmas[i]);
	}
	size_t bytes = vt_bytes(&t);
	/* Split vmas[500] in three: [s, s+1p) [s+1p, s+2p) [s+2p, s+3p). */
	struct vms_vma *v = &vmas[500];
	uint64_t s0 = v->start;
	CHECK(vt_preallocate(&t, 2) == 0);
	v->end = s0 + (1 << 12);
	pieces[0].start = v->end;
	pieces[0].end = s0 + (3 << 12);
	vt_split(&t, v, s0, &pieces[0]);
	pieces[0].end = s0 + (2 << 12);
	pieces[1].start = pieces[0].end;
	pieces[1].end = s0 + (3 << 12);
	vt_split(&t, &pieces[0], pieces[0].start, &pieces[1]);
	CHECK(vt_check(&t) == NULL);
	CHECK_EQ(vt_bytes(&t), bytes);
	CHECK(vt_find(&t, s0 + (1 << 12), NULL) == &pieces[0]);
	vt_destroy(&t);
}

/* An insertion into a full leaf moves one entry (and the gap below it) into a
 * sibling with room instead of splitting the leaf (mas_push_data()). */
TEST(tree_full_leaf_pushes_into_a_sibling)
{
	static struct vms_vma vmas[40], extra[3];
	struct vt_tree t;
	vt_init(&t, sys);
	/* Ascending appends of 1-page VMAs 2 pages apart: leaves of 14, 14 and
	 * 12 (a run leaves two slots free in each full leaf) under one root. */
	for (int i = 0; i < 40; i++) {
		vmas[i].start = (uint64_t)(100 + 3 * i) << 12;
		vmas[i].end = vmas[i].start + (1 << 12);
		CHECK(vt_preallocate(&t, 1) == 0);
		vt_insert(&t, &vmas[i]);
	}
	CHECK(vt_check(&t) == NULL);
	CHECK_EQ(vt_bytes(&t), 3 * sizeof(struct vt_leaf) + sizeof(struct vt_branch));
	/* Two insertions fill the middle leaf (vmas[14..27]); the third finds
	 * its left sibling at its slack and its right one with room. */
	for (int k = 0; k < 3; k++) {
		extra[k].start = vmas[16 + k].end;
		extra[k].end = extra[k].start + (1 << 12);
		CHECK(vt_preallocate(&t, 1) == 0);
		vt_insert(&t, &extra[k]);
		const char *err = vt_check(&t);
		if (err)
			t_fail(__FILE__, __LINE__, "insert %d: %s", k, err);
	}
	CHECK_EQ(vt_bytes(&t), 3 * sizeof(struct vt_leaf) + sizeof(struct vt_branch));
	for (int i = 0; i < 40; i++)
		CHECK(vt_find(&t, vmas[i].start, NULL) == &vmas[i]);
	for (int k = 0; k < 3; k++)
		CHECK(vt_find(&t, extra[k].start, NULL) == &extra[k]);
	/* The gap below the moved VMA moved with it: a 2-page search that must
	 * end at it finds it there. */
	uint64_t end = 0;
	CHECK(vt_gap_highest(&t, 0, vmas[28].start - 1, 2 << 12, &end));
	CHECK_EQ(end, vmas[28].start);
	CHECK(vt_gap_highest(&t, 0, vmas[27].start - 1, 2 << 12, &end));
	CHECK_EQ(end, vmas[27].start);
	vt_destroy(&t);
}

/* vt_split3() (both splits around a range at once) and vt_absorb2() (both
 * merges back) leave the index as the single steps would, in a leaf with room
 * and in a full one, where they fall back to the single steps. */
TEST(tree_split_in_three_and_merge_back_match_single_steps)
{
	static struct vms_vma vmas[40], lo[40], hi[40];
	struct vt_tree t;
	vt_init(&t, sys);
	for (int i = 0; i < 40; i++) {
		vmas[i].start = (uint64_t)(100 + 4 * i) << 12;
		vmas[i].end = vmas[i].start + (3 << 12); /* a 1-page gap above each */
		CHECK(vt_preallocate(&t, 1) == 0);
		vt_insert(&t, &vmas[i]);
	}
	/* Every VMA in turn: the leaves fill up, so later splits take the
	 * fallback, and the merges cross leaf boundaries. */
	for (int i = 0; i < 40; i++) {
		struct vms_vma *v = &vmas[i];
		uint64_t s0 = v->start, e0 = v->end;
		lo[i] = *v;
		hi[i] = *v;
		lo[i].end = s0 + (1 << 12);
		hi[i].start = e0 - (1 << 12);
		v->start = lo[i].end;
		v->end = hi[i].start;
		CHECK(vt_preallocate(&t, 2) == 0);
		vt_split3(&t, v, s0, e0, &lo[i], &hi[i]);
		const char *err = vt_check(&t);
		if (err) {
			t_fail(__FILE__, __LINE__, "split %d: %s", i, err);
			break;
		}
		CHECK(vt_find(&t, s0, NULL) == &lo[i]);
		CHECK(vt_find(&t, v->start, NULL) == v);
		CHECK(vt_find(&t, hi[i].start, NULL) == &hi[i]);
	}
	CHECK_EQ(t.count, 120u);
	for (int i = 0; i < 40; i++) {
		lo[i].end = hi[i].end;
		vt_absorb2(&t, &lo[i], &vmas[i], &hi[i]);
		const char *err = vt_check(&t);
		if (err) {
			t_fail(__FILE__, __LINE__, "merge %d: %s", i, err);
			break;
		}
		CHECK(vt_find(&t, lo[i].start + (2 << 12), NULL) == &lo[i]);
	}
	CHECK_EQ(t.count, 40u);
	uint64_t end = 0;
	CHECK(vt_gap_highest(&t, 0, lo[39].start - 1, 1 << 12, &end));
	CHECK_EQ(end, lo[39].start);
	vt_destroy(&t);
}

/* A long mix of mmap, munmap, mprotect and MAP_FIXED through the public API:
 * the index must stay valid through every shape of node removal (this once
 * left an empty branch behind when a one-child branch lost its child). */
static uint64_t xorshift_star(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

TEST(tree_stays_valid_under_random_syscall_mix)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE};
	vms_mm *mm = vms_mm_new(sys, &cfg);
	static struct {
		uint64_t addr, len;
	} live[4096];
	unsigned nlive = 0;
	uint64_t s = 0x5eed;
	char why[200];
	for (long step = 0; step < 250000; step++) {
		unsigned r = (unsigned)(xorshift_star(&s) % 100);
		if (nlive < 64 || (r < 45 && nlive < 4096)) {
			uint64_t len = (1 + xorshift_star(&s) % 16) * 4096;
			long a = vms_mmap(mm, 0, len, (r & 1) ? 1 : 3,
					  VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0);
			CHECK(a > 0);
			live[nlive].addr = (uint64_t)a;
			live[nlive++].len = len;
		} else if (r < 80) {
			unsigned i = (unsigned)(xorshift_star(&s) % nlive);
			CHECK_EQ(vms_munmap(mm, live[i].addr, live[i].len), 0);
			live[i] = live[--nlive];
		} else if (r < 90) {
			unsigned i = (unsigned)(xorshift_star(&s) % nlive);
			vms_mprotect(mm, live[i].addr, 4096, (r & 1) ? 1 : 0);
		} else {
			unsigned i = (unsigned)(xorshift_star(&s) % nlive);
			vms_mmap(mm, live[i].addr, 4096, 1,
				 VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED, NULL, 0);
		}
		if (step % 10000 == 0 && vms_validate(mm, why, sizeof(why))) {
			t_fail(__FILE__, __LINE__, "step %ld: %s", step, why);
			return;
		}
	}
	VALID(mm);
}

/* ---- the one-step operations: vt_split, vt_absorb, vt_replace ---- */

static void ref_remove(struct ref *r, int i)
{
	memmove(&r->start[i], &r->start[i + 1], (size_t)(r->n - i - 1) * sizeof(uint64_t));
	memmove(&r->end[i], &r->end[i + 1], (size_t)(r->n - i - 1) * sizeof(uint64_t));
	r->n--;
}

/* VMA structs that never move while indexed: a pool with a free stack. */
struct vpool {
	struct vms_vma v[4096];
	int free_idx[4096];
	int nfree;
};

static struct vms_vma *vpool_get(struct vpool *p)
{
	struct vms_vma *v = &p->v[p->free_idx[--p->nfree]];
	memset(v, 0, sizeof(*v));
	return v;
}

static void vpool_put(struct vpool *p, struct vms_vma *v)
{
	p->free_idx[p->nfree++] = (int)(v - p->v);
}

/* Splits (either piece new, at any page), absorbs of a touching neighbour
 * (either side), replacements and in-place resizes mixed with inserts and
 * erases: after every step vt_check passes, the count matches, every lookup
 * finds the VMA the sorted array says, and both gap searches agree with
 * brute force. The space is small so that leaves and branches split, merge and
 * go empty often. */
TEST(tree_split_absorb_replace_match_sorted_array)
{
	static struct ref r;
	static struct vpool pool;
	struct vt_tree t;
	vt_init(&t, sys);
	r.n = 0;
	pool.nfree = 4096;
	for (int i = 0; i < 4096; i++)
		pool.free_idx[i] = 4095 - i;
	const uint64_t space = 6000; /* pages */
	uint64_t seed = 0xfeedbeef;
	long nsplit = 0, nabsorb = 0, nreplace = 0;
	for (int step = 0; step < 40000; step++) {
		unsigned op = (unsigned)(rnd(&seed) % 10);
		/* Fill towards ~1000 VMAs, then hover there. */
		if (r.n < 8 || (op < (r.n < 1000 ? 4u : 2u) && r.n < 2000)) {
			uint64_t s = (rnd(&seed) % space) * 4096;
			uint64_t e = s + (1 + rnd(&seed) % 8) * 4096;
			if (!ref_free(&r, s, e))
				continue;
			struct vms_vma *v = vpool_get(&pool);
			v->start = s;
			v->end = e;
			CHECK(vt_preallocate(&t, 1) == 0);
			vt_insert(&t, v);
			ref_insert(&r, s, e);
		} else {
			int i = (int)(rnd(&seed) % (uint64_t)r.n);
			struct vms_vma *v = vt_find(&t, r.start[i], NULL);
			CHECK(v && v->start == r.start[i]);
			if (op < 5) {
				vt_erase(&t, v);
				vpool_put(&pool, v);
				ref_remove(&r, i);
			} else if (op < 7) {
				uint64_t pages = (v->end - v->start) >> 12;
				if (pages < 2)
					continue;
				uint64_t at = v->start + (1 + rnd(&seed) % (pages - 1)) * 4096;
				uint64_t old_start = v->start;
				struct vms_vma *n = vpool_get(&pool);
				if (rnd(&seed) & 1) { /* new_below */
					n->start = v->start;
					n->end = at;
					v->start = at;
				} else {
					n->start = at;
					n->end = v->end;
					v->end = at;
				}
				CHECK(vt_preallocate(&t, 1) == 0);
				vt_split(&t, v, old_start, n);
				nsplit++;
				r.end[i] = at;
				ref_insert(&r, at, n->start == at ? n->end : v->end);
			} else if (op < 8) {
				bool up = rnd(&seed) & 1;
				int j = up ? i + 1 : i - 1;
				if (j < 0 || j >= r.n)
					continue;
				if (up ? r.end[i] != r.start[j] : r.end[j] != r.start[i])
					continue;
				struct vms_vma *w = vt_find(&t, r.start[j], NULL);
				CHECK(w && w->start == r.start[j]);
				if (up)
					v->end = w->end;
				else
					v->start = w->start;
				vt_absorb(&t, v, w);
				nabsorb++;
				vpool_put(&pool, w);
				r.start[i] = v->start;
				r.end[i] = v->end;
				ref_remove(&r, j);
			} else if (op < 9) {
				struct vms_vma *n = vpool_get(&pool);
				n->start = v->start;
				n->end = v->end;
				vt_replace(&t, v, n);
				nreplace++;
				vpool_put(&pool, v);
				CHECK(vt_find(&t, r.start[i], NULL) == n);
			} else {
				/* Grow or shrink by a page without reaching a neighbour. */
				uint64_t lo = i ? r.end[i - 1] : 0;
				uint64_t hi = i + 1 < r.n ? r.start[i + 1] : space * 4096 + 65536;
				uint64_t old_start = v->start;
				switch (rnd(&seed) % 4) {
				case 0:
					if (v->start > lo)
						v->start -= 4096;
					break;
				case 1:
					if (v->end < hi)
						v->end += 4096;
					break;
				case 2:
					if (v->end - v->start > 4096)
						v->start += 4096;
					break;
				default:
					if (v->end - v->start > 4096)
						v->end -= 4096;
					break;
				}
				vt_update(&t, v, old_start);
				r.start[i] = v->start;
				r.end[i] = v->end;
			}
		}
		const char *err = vt_check(&t);
		if (err) {
			t_fail(__FILE__, __LINE__, "step %d: %s", step, err);
			return;
		}
		if (t.count != (size_t)r.n) {
			t_fail(__FILE__, __LINE__, "step %d: count %zu, want %d", step, t.count,
			       r.n);
			return;
		}
		for (int q = 0; q < 4; q++) {
			uint64_t a = (rnd(&seed) % (space + 16)) * 4096 + rnd(&seed) % 4096;
			struct vms_vma *f = vt_find(&t, a, NULL);
			int fi = ref_find(&r, a);
			CHECK((f == NULL) == (fi < 0));
			if (f && fi >= 0) {
				CHECK_EQ(f->start, r.start[fi]);
				CHECK_EQ(f->end, r.end[fi]);
			}
		}
		uint64_t low = (rnd(&seed) % space) * 4096;
		uint64_t high = low + (rnd(&seed) % space) * 4096;
		uint64_t size = (1 + rnd(&seed) % 8) * 4096, x = 0, y = 0;
		bool got = vt_gap_highest(&t, low, high, size, &x);
		bool want = ref_gap_highest(&r, low, high, size, &y);
		CHECK_EQ(got, want);
		if (got && want)
			CHECK_EQ(x, y);
		got = vt_gap_lowest(&t, low, high, size, &x);
		want = ref_gap_lowest(&r, low, high, size, &y);
		CHECK_EQ(got, want);
		if (got && want)
			CHECK_EQ(x, y);
	}
	/* Walking the tree in order visits exactly the array. */
	struct vt_cursor c;
	int k = 0;
	for (struct vms_vma *v = vt_first(&t, &c); v; v = vt_next(&c), k++) {
		CHECK(k < r.n);
		CHECK_EQ(v->start, r.start[k]);
	}
	CHECK_EQ(k, r.n);
	CHECK(nsplit > 1000 && nabsorb > 1000 && nreplace > 1000);
	vt_destroy(&t);
}

/* The last address of all (UINT64_MAX) is above every VMA and every unused
 * slot's sentinel alike: a lookup there finds nothing (found by fuzz_calls). */
TEST(tree_lookup_at_the_last_address_finds_nothing)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE};
	vms_mm *mm = vms_mm_new(sys, &cfg);
	CHECK(vms_mmap(mm, 0, 4096, 1, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0) > 0);
	CHECK(vms_find_vma(mm, UINT64_MAX) == NULL);
	CHECK_EQ(vms_munmap(mm, UINT64_MAX & ~4095ULL, 4096), -VMS_EINVAL);
	CHECK_EQ(vms_mprotect(mm, UINT64_MAX & ~4095ULL, 4096, 1), -VMS_ENOMEM);
	CHECK_EQ(vms_madvise(mm, UINT64_MAX & ~4095ULL, 4096, VMS_MADV_DONTNEED), -VMS_EINVAL);
	CHECK_EQ(vms_fault(mm, UINT64_MAX, 0), -VMS_EFAULT);
	VALID(mm);
}
