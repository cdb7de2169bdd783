/*
 * vma.c: VMA life cycle, merging, splitting and unmapping (mm/vma.c).
 * What it does not do: choose addresses (unmapped_area.c) or decide whether a
 * system call is allowed (mmap.c, mprotect.c, ...). Counters (total_vm and
 * friends) are updated here only where mm/vma.c updates them: on unmap.
 */
#include <errno.h>
#include <string.h>

#include "vma.h"
#include "accounting.h"
#include "file.h"
#include "mempolicy.h"
#include "rss.h"

/* ---- objects ---- */

int mm_reserve(struct vms_mm *mm, const struct vms_file *file)
{
	/* Every system call reserves, and almost always the previous one left
	 * the reserve full: one test for that instead of four calls. The last
	 * test is rss_reserve(mm, 4)'s own. */
	if (mm->nspare_vmas >= MM_RESERVE_VMAS && !file &&
	    vt_reserved(&mm->tree, MM_RESERVE_VMAS) && mm->nresident + 4 <= mm->resident_cap)
		return 0;
	while (mm->nspare_vmas < MM_RESERVE_VMAS) {
		struct vms_vma *v = slab_alloc(mm->sys, &mm->sys->vma_slab);
		if (!v)
			return -ENOMEM;
		mm->spare_vmas[mm->nspare_vmas++] = v;
	}
	if (vt_preallocate(&mm->tree, MM_RESERVE_VMAS))
		return -ENOMEM;
	if (file && file_rmap_reserve((struct vms_file *)file, MM_RESERVE_VMAS))
		return -ENOMEM;
	if (rss_reserve(mm, 4))
		return -ENOMEM;
	return 0;
}

/* The edge VMAs of [start, end) may be split: room in their files' i_mmap. */
int mm_reserve_range(struct vms_mm *mm, const struct vms_file *file, uint64_t start, uint64_t end)
{
	int err = mm_reserve(mm, file);
	if (err)
		return err;
	struct vms_vma *a = vt_find_near(&mm->tree, start, NULL);
	if (a && a->file && file_rmap_reserve(a->file, MM_RESERVE_VMAS))
		return -ENOMEM;
	/* When a reaches end, find_vma(end - 1) would return a again. */
	if (end > start && !(a && a->end >= end)) {
		struct vms_vma *b = find_vma(mm, end - 1);
		if (b && b->file && file_rmap_reserve(b->file, MM_RESERVE_VMAS))
			return -ENOMEM;
	}
	return 0;
}

int vma_walk_reserve(struct vma_walk *w)
{
	if (w->reserved)
		return 0;
	int err = mm_reserve_range(w->mm, NULL, w->start, w->end);
	if (err)
		return err;
	w->reserved = true;
	return 0;
}

struct vms_vma *vma_take(struct vms_mm *mm)
{
	/* mm_reserve() ran first; running dry is a bug in the model. */
	if (!mm->nspare_vmas)
		__builtin_trap();
	struct vms_vma *v = mm->spare_vmas[--mm->nspare_vmas];
	memset(v, 0, sizeof(*v));
	return v;
}

struct vms_vma *vma_dup(struct vms_mm *mm, const struct vms_vma *v)
{
	struct vms_vma *n = vma_take(mm);
	*n = *v;
	if (n->file)
		file_get(n->file);
	if (n->anon_vma)
		anon_vma_get(n->anon_vma);
	if (n->anon_name)
		anon_name_get(n->anon_name);
	mpol_get(mm->sys, n->mpol);
	return n;
}

/* Drops v's file, anon_vma and name references; v keeps its range. */
static void vma_put_refs(struct vms_mm *mm, struct vms_vma *v)
{
	if (v->file)
		file_put(v->file);
	if (v->anon_vma)
		anon_vma_put(mm->sys, v->anon_vma);
	if (v->anon_name)
		anon_name_put(mm->sys, v->anon_name);
	mpol_put(mm->sys, v->mpol);
	v->file = NULL;
	v->anon_vma = NULL;
	v->anon_name = NULL;
	v->mpol = 0;
}

void vma_free(struct vms_mm *mm, struct vms_vma *v)
{
	vma_put_refs(mm, v);
	if (mm->nspare_vmas < sizeof(mm->spare_vmas) / sizeof(mm->spare_vmas[0]))
		mm->spare_vmas[mm->nspare_vmas++] = v;
	else
		slab_free(&mm->sys->vma_slab, v);
}

struct vms_anon_vma *anon_vma_alloc(vms_sys *sys)
{
	struct vms_anon_vma *av = sys_malloc(sys, sizeof(*av));
	if (!av)
		return NULL;
	av->id = sys->next_anon_vma_id++;
	av->refcount = 0;
	return av;
}

void anon_vma_get(struct vms_anon_vma *av)
{
	av->refcount++;
}

void anon_vma_put(vms_sys *sys, struct vms_anon_vma *av)
{
	if (--av->refcount == 0)
		sys_free(sys, av);
}

void anon_name_get(struct vms_anon_name *n)
{
	n->refcount++;
}

void anon_name_put(vms_sys *sys, struct vms_anon_name *n)
{
	if (--n->refcount == 0)
		sys_free(sys, n);
}

bool anon_name_eq(const struct vms_anon_name *a, const struct vms_anon_name *b)
{
	if (a == b)
		return true;
	if (!a || !b)
		return false;
	return strcmp(a->name, b->name) == 0;
}

/* ---- index ---- */

void vma_link(struct vms_mm *mm, struct vms_vma *v)
{
	vt_insert(&mm->tree, v);
	if (v->file)
		file_rmap_add(mm, v);
}

void vma_unlink(struct vms_mm *mm, struct vms_vma *v)
{
	vt_erase(&mm->tree, v);
	if (v->file)
		file_rmap_remove(v);
}

void vma_set_range(struct vms_mm *mm, struct vms_vma *v, uint64_t start, uint64_t end,
		   uint64_t pgoff)
{
	uint64_t old_start = v->start;
	v->start = start;
	v->end = end;
	v->pgoff = pgoff;
	vt_update(&mm->tree, v, old_start);
}

/*
 * v grows over w, the VMA touching it (above or below), and w leaves the index
 * and its file's i_mmap; the caller frees w. One index step instead of an
 * unlink and a range update, so no gap appears in between (mm/vma.c
 * vma_expand() and the removal of the absorbed VMA).
 */
static void vma_absorb(struct vms_mm *mm, struct vms_vma *v, struct vms_vma *w)
{
	if (w->start > v->start)
		v->end = w->end;
	else
		v->start = w->start; /* the caller sets v's new pgoff */
	vt_absorb(&mm->tree, v, w);
	if (w->file)
		file_rmap_remove(w);
}

/* vma_absorb() of w1, just above v, and then of w2, just above w1, in one
 * index step; the caller frees both. */
static void vma_absorb2(struct vms_mm *mm, struct vms_vma *v, struct vms_vma *w1,
			struct vms_vma *w2)
{
	v->end = w2->end;
	vt_absorb2(&mm->tree, v, w1, w2);
	if (w1->file)
		file_rmap_remove(w1);
	if (w2->file)
		file_rmap_remove(w2);
}

struct vms_vma *find_vma(const struct vms_mm *mm, uint64_t addr)
{
	return vt_find(&mm->tree, addr, NULL);
}

struct vms_vma *find_vma_intersection(const struct vms_mm *mm, uint64_t start, uint64_t end)
{
	struct vms_vma *v = vt_find_near(&mm->tree, start, NULL);
	return v && v->start < end ? v : NULL;
}

struct vms_vma *vma_next(const struct vms_mm *mm, const struct vms_vma *v)
{
	return vt_next_of(&mm->tree, v);
}

struct vms_vma *vma_prev(const struct vms_mm *mm, const struct vms_vma *v)
{
	return vt_prev_of(&mm->tree, v);
}

struct vms_vma *vma_before(const struct vms_mm *mm, uint64_t addr)
{
	struct vt_cursor c;
	struct vms_vma *v = vt_find(&mm->tree, addr, &c);
	if (!v)
		return vt_last(&mm->tree, NULL);
	if (v->start < addr)
		return v;
	return vt_prev(&c);
}

uint64_t vm_start_gap(const struct vms_mm *mm, const struct vms_vma *v)
{
	/* stack_guard_start_gap(): a shadow stack keeps one page below it. */
	uint64_t start = v->start;
	uint64_t gap = (v->flags & VM_GROWSDOWN)      ? mm->sys->stack_guard_gap
		       : (v->flags & VM_SHADOW_STACK) ? PAGE_SIZE
						      : 0;
	return start > gap ? start - gap : 0;
}

uint64_t vm_end_gap(const struct vms_vma *v)
{
	/* x86 has no VM_GROWSUP, so nothing guards the end of a VMA. */
	return v->end;
}

bool vma_is_special_mapping(const struct vms_vma *v)
{
	return v->kind == VMA_VDSO || v->kind == VMA_VVAR || v->kind == VMA_VVAR_VCLOCK ||
	       v->kind == VMA_SPECIAL_OTHER;
}

/* ---- merging (mm/vma.c) ---- */

/* A VMA with a vm_ops->close (special mappings, hugetlb, System V shm's
 * shm_close) may not be removed by a merge. */
static bool can_merge_remove_vma(const struct vms_vma *v)
{
	return !vma_is_special_mapping(v) && v->kind != VMA_HUGETLB && v->kind != VMA_SHM;
}

/* mm/vma.c is_mergeable_vma(): every attribute but the sticky flags must
 * agree, the memory policy first (mpol_equal: equal policies share an id),
 * and the userfaultfd context (is_mergeable_vm_userfaultfd_ctx): two ranges
 * registered to different contexts with the same modes stay apart. */
static bool is_mergeable_vma(const struct vma_merge *vmg, const struct vms_vma *cand)
{
	if (cand->mpol != vmg->mpol)
		return false;
	if ((cand->flags ^ vmg->flags) & ~VM_IGNORE_MERGE)
		return false;
	if (cand->uffd != vmg->uffd)
		return false;
	if (cand->file != vmg->file)
		return false;
	return anon_name_eq(cand->anon_name, vmg->anon_name);
}

/* anon_vma_chain longer than one: the VMA was copied by fork. */
static bool vma_had_uncowed_parents(const struct vms_vma *v)
{
	return v && v->anon_vma && v->avc_depth > 1;
}

/* mm/vma.c is_mergeable_anon_vma() (6.17+): one side without an anon_vma may
 * join the other unless the side that has one was inherited through fork. */
static bool is_mergeable_anon_vma(const struct vma_merge *vmg, const struct vms_vma *tgt)
{
	const struct vms_vma *src = vmg->middle;
	struct vms_anon_vma *tgt_anon = tgt->anon_vma, *src_anon = vmg->anon_vma;
	if (!tgt_anon && src_anon)
		return !vma_had_uncowed_parents(src);
	if (tgt_anon && !src_anon)
		return !vma_had_uncowed_parents(tgt);
	return src_anon == tgt_anon;
}

/* can_vma_merge_before(): [start, end) may join next from below. */
static bool can_vma_merge_before(const struct vma_merge *vmg)
{
	uint64_t pglen = (vmg->end - vmg->start) >> PAGE_SHIFT;
	return is_mergeable_vma(vmg, vmg->next) && is_mergeable_anon_vma(vmg, vmg->next) &&
	       vmg->next->pgoff == vmg->pgoff + pglen;
}

/* can_vma_merge_after(): [start, end) may join prev from above. */
static bool can_vma_merge_after(const struct vma_merge *vmg)
{
	return is_mergeable_vma(vmg, vmg->prev) && is_mergeable_anon_vma(vmg, vmg->prev) &&
	       vmg->prev->pgoff + vma_pages(vmg->prev) == vmg->pgoff;
}

static inline __attribute__((always_inline)) bool
can_vma_merge_left(const struct vma_merge *vmg)
{
	return vmg->prev && vmg->prev->end == vmg->start && can_vma_merge_after(vmg);
}

static bool can_vma_merge_right(const struct vma_merge *vmg, bool can_merge_left)
{
	const struct vms_vma *next = vmg->next;
	if (!next || vmg->end != next->start || !can_vma_merge_before(vmg))
		return false;
	if (!can_merge_left)
		return true;
	/* Both sides agree with the range, but prev and next must agree too. */
	const struct vms_vma *prev = vmg->prev;
	return !prev->anon_vma || !next->anon_vma || prev->anon_vma == next->anon_vma;
}

/* ---- merge events (only built when an observer listens) ---- */

#define VM_UFFD_FLAGS (VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR)

/* The first condition that keeps [start, end) from joining cand (prev or
 * next), in the order is_mergeable_vma(), is_mergeable_anon_vma() and the
 * pgoff test check them; 0 when they all agree. */
ev_cold static int merge_refusal(const struct vma_merge *vmg, const struct vms_vma *cand, bool is_next)
{
	if (vmg->flags & VM_SPECIAL)
		return VMS_REFUSE_SPECIAL;
	if (cand->mpol != vmg->mpol)
		return VMS_REFUSE_POLICY;
	uint64_t d = (cand->flags ^ vmg->flags) & ~VM_IGNORE_MERGE;
	if (d)
		return d & ~VM_UFFD_FLAGS ? VMS_REFUSE_FLAGS : VMS_REFUSE_UFFD;
	if (cand->file != vmg->file)
		return VMS_REFUSE_FILE;
	if (!anon_name_eq(cand->anon_name, vmg->anon_name))
		return VMS_REFUSE_NAME;
	if (!is_mergeable_anon_vma(vmg, cand))
		return VMS_REFUSE_ANON_VMA;
	uint64_t pglen = (vmg->end - vmg->start) >> PAGE_SHIFT;
	if (is_next ? cand->pgoff != vmg->pgoff + pglen : cand->pgoff + vma_pages(cand) != vmg->pgoff)
		return VMS_REFUSE_PGOFF;
	return 0;
}

ev_cold static void ev_refused(const struct vma_merge *vmg, const struct vms_vma *cand, int side,
		       int reason, bool existing)
{
	struct vms_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.u.refuse.reason = reason;
	ev.u.refuse.side = side;
	ev.u.refuse.vma_start = cand->start;
	ev.u.refuse.vma_end = cand->end;
	ev_emit(vmg->mm, VMS_EV_MERGE_REFUSED,
		existing ? "vma_merge_existing_range" : "vma_merge_new_range", vmg->start, vmg->end,
		&ev);
}

/* A touching neighbour that does not merge: why not. */
ev_cold static void ev_refused_side(const struct vma_merge *vmg, const struct vms_vma *cand, bool is_next,
			    bool other_merges, bool existing)
{
	int side = is_next ? VMS_MERGE_NEXT : VMS_MERGE_PREV;
	int reason = merge_refusal(vmg, cand, is_next);
	if (!reason && is_next && other_merges)
		reason = can_merge_remove_vma(cand) ? VMS_REFUSE_ANON_PAIR : VMS_REFUSE_CLOSE;
	if (reason)
		ev_refused(vmg, cand, side, reason, existing);
}

/* The merge made: mm/vma.c's case and vma_merge()'s old number for it. */
ev_cold static void ev_merged(const struct vma_merge *vmg, const struct vms_vma *res, int with,
		      bool existing, bool partial)
{
	static const char *const names[2][4] = {
		{"", "merge left: prev expands over the new range",
		 "merge right: next expands down over the new range",
		 "merge both: prev expands over the range and next"},
		{"", "merge left: prev expands over the range of middle",
		 "merge right: next expands down over the range of middle",
		 "merge both: prev absorbs middle and next"},
	};
	/* vma_merge()'s comment: 1-3 a new range, 4 and 5 part of a VMA,
	 * 6-8 a whole one. */
	static const int cases[2][2][4] = {
		{{0, 2, 3, 1}, {0, 2, 3, 1}},
		{{0, 7, 8, 6}, {0, 5, 4, 6}},
	};
	struct vms_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.u.merge.with = with;
	ev.u.merge.existing = existing;
	ev.u.merge.partial = partial;
	ev.u.merge.seeds_case = cases[existing][partial][with];
	ev.u.merge.vma_case = names[existing][with];
	ev.u.merge.range_start = vmg->start;
	ev.u.merge.range_end = vmg->end;
	ev_emit(vmg->mm, VMS_EV_VMA_MERGE,
		existing ? "vma_merge_existing_range" : "vma_merge_new_range", res->start, res->end,
		&ev);
}

/* dup_anon_vma(): a target without an anon_vma takes src's. */
static void dup_anon_vma(struct vms_vma *target, const struct vms_vma *src)
{
	if (target->anon_vma || !src->anon_vma)
		return;
	target->anon_vma = src->anon_vma;
	target->avc_depth = src->avc_depth;
	anon_vma_get(target->anon_vma);
}

/*
 * prev or next of a new range grows over [vmg->start, vmg->end): into the
 * hole, or over the placeholder the old mapping left there (then no gap
 * appears and disappears in the index, as the kernel's store over the range).
 */
static void grow_over_range(struct vma_merge *vmg, struct vms_vma *v)
{
	struct vms_mm *mm = vmg->mm;
	struct vms_vma *p = vmg->placeholder;
	if (!p) {
		if (v->start < vmg->start)
			vma_set_range(mm, v, v->start, vmg->end, v->pgoff);
		else
			vma_set_range(mm, v, vmg->start, v->end, vmg->pgoff);
		return;
	}
	vma_absorb(mm, v, p);
	if (v->start == vmg->start)
		v->pgoff = vmg->pgoff;
	vma_free(mm, p);
	vmg->placeholder = NULL;
}

static inline __attribute__((always_inline)) struct vms_vma *
merge_new_range(struct vma_merge *vmg)
{
	struct vms_mm *mm = vmg->mm;
	struct vms_vma *prev = vmg->prev, *next = vmg->next;
	if ((vmg->flags & VM_SPECIAL) || (!prev && !next))
		return NULL;
	bool left = can_vma_merge_left(vmg);
	bool right = !vmg->just_expand && can_vma_merge_right(vmg, left);
	if (!left && !right)
		return NULL;
	if (left && right && !can_merge_remove_vma(next))
		right = false;
	if (left && right) {
		/* | prev | new | next | -> one VMA: prev absorbs next. */
		prev->flags |= (vmg->flags | next->flags) & VM_STICKY;
		dup_anon_vma(prev, next);
		/* mremap's copy (vma_expand() copied_from): the moved pages'
		 * anon_vma comes along even when neither neighbour had one. */
		if (vmg->anon_vma && !prev->anon_vma) {
			prev->anon_vma = vmg->anon_vma;
			prev->avc_depth = 1;
			anon_vma_get(prev->anon_vma);
		}
		if (vmg->placeholder) {
			/* grow_over_range() and the absorption of next at once. */
			vma_absorb2(mm, prev, vmg->placeholder, next);
			vma_free(mm, vmg->placeholder);
			vmg->placeholder = NULL;
		} else {
			grow_over_range(vmg, prev);
			vma_absorb(mm, prev, next);
		}
		vma_free(mm, next);
		return prev;
	}
	if (left) {
		prev->flags |= vmg->flags & VM_STICKY;
		if (vmg->anon_vma && !prev->anon_vma) {
			prev->anon_vma = vmg->anon_vma;
			prev->avc_depth = 1;
			anon_vma_get(prev->anon_vma);
		}
		grow_over_range(vmg, prev);
		return prev;
	}
	next->flags |= vmg->flags & VM_STICKY;
	if (vmg->anon_vma && !next->anon_vma) {
		next->anon_vma = vmg->anon_vma;
		next->avc_depth = 1;
		anon_vma_get(next->anon_vma);
	}
	grow_over_range(vmg, next);
	return next;
}

/* mm/vma.c vma_merge_existing_range(): [start, end) of middle takes the
 * attributes in vmg; merges it into prev and/or next when they agree. */
static inline __attribute__((always_inline)) struct vms_vma *
merge_existing_range(struct vma_merge *vmg)
{
	struct vms_mm *mm = vmg->mm;
	struct vms_vma *middle = vmg->middle;
	bool left_side = vmg->start == middle->start;
	bool right_side = vmg->end == middle->end;
	if ((vmg->flags & VM_SPECIAL) || (!left_side && !right_side))
		return NULL;
	vmg->prev = left_side ? vma_prev(mm, middle) : NULL;
	vmg->next = right_side ? vma_next(mm, middle) : NULL;
	bool merge_left = left_side && can_vma_merge_left(vmg);
	bool merge_right = right_side && can_vma_merge_right(vmg, merge_left);
	if (!merge_left && !merge_right)
		return NULL;
	bool remove_middle = left_side && right_side;
	if (remove_middle && !can_merge_remove_vma(middle))
		return NULL;
	if (merge_left && merge_right && !can_merge_remove_vma(vmg->next))
		merge_right = false;
	struct vms_vma *prev = vmg->prev, *next = vmg->next;
	/* The survivor carries every sticky flag of what it absorbs. */
	uint64_t sticky = vmg->flags & VM_STICKY;
	if (remove_middle)
		sticky |= middle->flags & VM_STICKY;
	if (merge_left)
		prev->flags |= sticky;
	else
		next->flags |= sticky;
	if (merge_left && merge_right) {
		prev->flags |= next->flags & VM_STICKY;
		/* | prev | middle | next | -> prev extends over both. */
		dup_anon_vma(prev, next->anon_vma ? next : middle);
		vma_absorb2(mm, prev, middle, next);
		vma_free(mm, middle);
		vma_free(mm, next);
		return prev;
	}
	if (merge_left) {
		/* | prev | [start,end) middle... | -> prev grows to end. */
		dup_anon_vma(prev, middle);
		if (remove_middle) {
			vma_absorb(mm, prev, middle);
			vma_free(mm, middle);
			return prev;
		}
		vma_set_range(mm, middle, vmg->end, middle->end,
			      middle->pgoff + ((vmg->end - middle->start) >> PAGE_SHIFT));
		vma_set_range(mm, prev, prev->start, vmg->end, prev->pgoff);
		return prev;
	}
	/* | ...middle [start,end) | next | -> next grows down to start. */
	dup_anon_vma(next, middle);
	uint64_t pglen = (vmg->end - vmg->start) >> PAGE_SHIFT;
	if (remove_middle) {
		vma_absorb(mm, next, middle);
		next->pgoff -= pglen;
		vma_free(mm, middle);
		return next;
	}
	vma_set_range(mm, middle, middle->start, vmg->start, middle->pgoff);
	vma_set_range(mm, next, vmg->start, next->end, next->pgoff - pglen);
	return next;
}

/*
 * With an observer, the merge is done by the same code, with its decisions
 * worked out beforehand from the same predicates (they only read), so that
 * the merge path itself carries no event code. Refusals are reported for
 * each neighbour the range touches that does not join it.
 */
static ev_cold struct vms_vma *merge_new_range_observed(struct vma_merge *vmg)
{
	struct vms_vma *prev = vmg->prev, *next = vmg->next;
	bool touch_prev = prev && prev->end == vmg->start;
	bool touch_next = next && next->start == vmg->end && !vmg->just_expand;
	bool left = false, right = false, close = false;
	if (!(vmg->flags & VM_SPECIAL) && (prev || next)) {
		left = can_vma_merge_left(vmg);
		right = !vmg->just_expand && can_vma_merge_right(vmg, left);
		if (left && right && !can_merge_remove_vma(next)) {
			right = false;
			close = true;
		}
	}
	uint64_t start = vmg->start, end = vmg->end;
	if (touch_prev && !left)
		ev_refused_side(vmg, prev, false, false, false);
	if (close)
		ev_refused(vmg, next, VMS_MERGE_NEXT, VMS_REFUSE_CLOSE, false);
	else if (touch_next && !right)
		ev_refused_side(vmg, next, true, left, false);
	struct vms_vma *res = merge_new_range(vmg);
	if (res) {
		vmg->start = start;
		vmg->end = end;
		ev_merged(vmg, res, (left ? VMS_MERGE_PREV : 0) | (right ? VMS_MERGE_NEXT : 0), false,
			  false);
	}
	return res;
}

struct vms_vma *vma_merge_new_range(struct vma_merge *vmg)
{
	if (ev_on(vmg->mm->sys))
		return merge_new_range_observed(vmg);
	return merge_new_range(vmg);
}

static ev_cold struct vms_vma *merge_existing_range_observed(struct vma_merge *vmg)
{
	struct vms_mm *mm = vmg->mm;
	struct vms_vma *middle = vmg->middle;
	bool left_side = vmg->start == middle->start;
	bool right_side = vmg->end == middle->end;
	if (!left_side && !right_side)
		return merge_existing_range(vmg);
	/* the neighbours merge_existing_range() will look at */
	vmg->prev = left_side ? vma_prev(mm, middle) : NULL;
	vmg->next = right_side ? vma_next(mm, middle) : NULL;
	struct vms_vma *prev = vmg->prev, *next = vmg->next;
	bool merge_left = false, merge_right = false, remove_middle = left_side && right_side;
	bool special = vmg->flags & VM_SPECIAL;
	if (!special) {
		merge_left = left_side && can_vma_merge_left(vmg);
		merge_right = right_side && can_vma_merge_right(vmg, merge_left);
	}
	bool touch_prev = prev && prev->end == vmg->start;
	bool touch_next = next && next->start == vmg->end;
	if ((merge_left || merge_right) && remove_middle && !can_merge_remove_vma(middle)) {
		ev_refused(vmg, middle, merge_left ? VMS_MERGE_PREV : VMS_MERGE_NEXT,
			   VMS_REFUSE_CLOSE, true);
		return merge_existing_range(vmg);
	}
	if (merge_left && merge_right && !can_merge_remove_vma(next)) {
		merge_right = false;
		ev_refused(vmg, next, VMS_MERGE_NEXT, VMS_REFUSE_CLOSE, true);
	} else if (touch_next && !merge_right) {
		ev_refused_side(vmg, next, true, merge_left, true);
	}
	if (touch_prev && !merge_left)
		ev_refused_side(vmg, prev, false, false, true);
	struct vms_vma *res = merge_existing_range(vmg);
	if (res)
		ev_merged(vmg, res,
			  (merge_left ? VMS_MERGE_PREV : 0) | (merge_right ? VMS_MERGE_NEXT : 0), true,
			  !remove_middle);
	return res;
}

static struct vms_vma *vma_merge_existing_range(struct vma_merge *vmg)
{
	if (ev_on(vmg->mm->sys))
		return merge_existing_range_observed(vmg);
	return merge_existing_range(vmg);
}

static bool split_vma_around(struct vms_mm *mm, struct vms_vma *v, uint64_t start, uint64_t end,
			     int why);

struct vms_vma *vma_modify(struct vma_merge *vmg, int *err)
{
	struct vms_vma *middle = vmg->middle;
	/* What [start, end) keeps from middle: its file, anon_vma and offset. */
	vmg->file = middle->file;
	vmg->anon_vma = middle->anon_vma;
	vmg->pgoff = middle->pgoff + ((vmg->start - middle->start) >> PAGE_SHIFT);
	struct vms_vma *merged = vma_merge_existing_range(vmg);
	*err = 0;
	if (merged)
		return merged;
	/* Both splits at once when the second cannot hit the map_count limit. */
	if (middle->start < vmg->start && middle->end > vmg->end &&
	    mm_map_count(vmg->mm) + 1 < vmg->mm->sys->max_map_count &&
	    split_vma_around(vmg->mm, middle, vmg->start, vmg->end, VMS_WHY_MODIFY))
		return middle;
	if (middle->start < vmg->start) {
		*err = split_vma(vmg->mm, middle, vmg->start, true, VMS_WHY_MODIFY);
		if (*err)
			return NULL;
	}
	if (middle->end > vmg->end) {
		*err = split_vma(vmg->mm, middle, vmg->end, false, VMS_WHY_MODIFY);
		if (*err)
			return NULL;
	}
	return middle;
}

/* ---- splitting ---- */

int __split_vma(struct vms_mm *mm, struct vms_vma *v, uint64_t addr, bool new_below, int why)
{
	/* vm_ops->may_split: special mappings refuse (special_mapping_split), and
	 * hugetlb only splits on a huge page boundary (hugetlb_vm_op_split, for
	 * System V segments through shm_split). */
	if (vma_is_special_mapping(v))
		return -EINVAL;
	if (vma_is_hugetlb(v) && (addr & (v->file->inode->hpage_size - 1)))
		return -EINVAL;
	if (ev_on(mm->sys))
		ev_split(mm, v->start, v->end, addr, why);
	struct vms_vma *n = vma_dup(mm, v);
	uint64_t delta = (addr - v->start) >> PAGE_SHIFT, old_start = v->start;
	if (new_below) {
		n->end = addr;
		v->start = addr;
		v->pgoff += delta;
	} else {
		n->start = addr;
		n->pgoff = v->pgoff + delta;
		v->end = addr;
	}
	/* One index step: the pieces tile v's old range. */
	vt_split(&mm->tree, v, old_start, n);
	if (n->file)
		file_rmap_add(mm, n);
	return 0;
}

/*
 * __split_vma(v, start, new_below) and then __split_vma(v, end, !new_below)
 * for a range strictly inside v, in one index step: the same pieces, the same
 * VMA identities (v keeps the middle) and the same references. Only for VMAs
 * whose splits cannot be refused (the caller checked map_count); returns
 * false, having done nothing, for the others.
 */
static bool split_vma_around(struct vms_mm *mm, struct vms_vma *v, uint64_t start, uint64_t end,
			     int why)
{
	if (vma_is_special_mapping(v) || vma_is_hugetlb(v))
		return false;
	if (ev_on(mm->sys)) {
		/* the two splits it stands for */
		ev_split(mm, v->start, v->end, start, why);
		ev_split(mm, start, v->end, end, why);
	}
	struct vms_vma *lo = vma_dup(mm, v), *hi = vma_dup(mm, v);
	uint64_t old_start = v->start, old_end = v->end;
	lo->end = start;
	hi->start = end;
	hi->pgoff = v->pgoff + ((end - old_start) >> PAGE_SHIFT);
	v->pgoff += (start - old_start) >> PAGE_SHIFT;
	v->start = start;
	v->end = end;
	vt_split3(&mm->tree, v, old_start, old_end, lo, hi);
	if (lo->file) {
		file_rmap_add(mm, lo);
		file_rmap_add(mm, hi);
	}
	return true;
}

int split_vma(struct vms_mm *mm, struct vms_vma *v, uint64_t addr, bool new_below, int why)
{
	if (mm_map_count(mm) >= mm->sys->max_map_count) {
		if (ev_on(mm->sys))
			ev_limit(mm, "split_vma", VMS_LIMIT_MAP_COUNT, 0, 1, mm_map_count(mm),
				 mm->sys->max_map_count);
		return -ENOMEM;
	}
	return __split_vma(mm, v, addr, new_below, why);
}

/* ---- unmapping ---- */

static void tally_vma(struct munmap_tally *t, const struct vms_vma *v)
{
	uint64_t pages = vma_pages(v);
	t->nr_pages += pages;
	t->vma_count++;
	if (v->flags & VM_LOCKED)
		t->locked_vm += pages;
	if (v->flags & VM_ACCOUNT)
		t->nr_accounted += pages;
	if (is_exec_mapping(v->flags))
		t->exec_vm += pages;
	else if (is_stack_mapping(v->flags))
		t->stack_vm += pages;
	else if (is_data_mapping(v->flags))
		t->data_vm += pages;
}

int munmap_gather(struct vms_mm *mm, uint64_t start, uint64_t end, struct munmap_tally *t)
{
	memset(t, 0, sizeof(*t));
	struct vms_vma *v = find_vma_intersection(mm, start, end);
	if (!v)
		return 0;
	if (start > v->start) {
		/* vms_gather_munmap_vmas(): only a hole punched inside one VMA may
		 * not take map_count over the limit. */
		if (end < v->end && mm_map_count(mm) >= mm->sys->max_map_count) {
			if (ev_on(mm->sys))
				ev_limit(mm, "vms_gather_munmap_vmas", VMS_LIMIT_MAP_COUNT, 0, 1,
					 mm_map_count(mm), mm->sys->max_map_count);
			return -ENOMEM;
		}
		/* A sealed VMA is refused before it is split (mseal). */
		if (v->flags & VM_SEALED)
			return -EPERM;
		if (end < v->end && split_vma_around(mm, v, start, end, VMS_WHY_MUNMAP)) {
			tally_vma(t, v);
			return 0;
		}
		int err = __split_vma(mm, v, start, true, VMS_WHY_MUNMAP);
		if (err)
			return err;
	}
	for (; v && v->start < end; v = vma_next(mm, v)) {
		/* A sealed VMA ends the gather; the splits made so far stay. */
		if (v->flags & VM_SEALED)
			return -EPERM;
		if (v->end > end) {
			int err = __split_vma(mm, v, end, false, VMS_WHY_MUNMAP);
			if (err)
				return err;
		}
		tally_vma(t, v);
		/* The last VMA of the range: the next one is not needed. */
		if (v->end >= end)
			break;
	}
	return 0;
}

void munmap_complete(struct vms_mm *mm, uint64_t start, uint64_t end,
		     const struct munmap_tally *t, struct vms_vma **keep)
{
	/* The gather counted the VMAs, so no lookup goes past the last. */
	unsigned n = t->vma_count;
	if (keep) {
		struct vms_vma *v = n == 1 ? find_vma(mm, start) : NULL;
		*keep = NULL;
		if (v && v->start == start && v->end == end) {
			/* Its pages and references go now, as below; the struct
			 * stays indexed until the new mapping takes its place. */
			if (ev_on(mm->sys))
				ev_vma(mm, VMS_EV_VMA_GONE, v, VMS_WHY_MUNMAP, "vms_complete_munmap_vmas");
			zap_range(mm, start, end);
			if (v->file)
				file_rmap_remove(v);
			vma_put_refs(mm, v);
			*keep = v;
			n = 0;
		}
	}
	while (n--) {
		struct vms_vma *v = find_vma(mm, start);
		if (ev_on(mm->sys))
			ev_vma(mm, VMS_EV_VMA_GONE, v, VMS_WHY_MUNMAP, "vms_complete_munmap_vmas");
		zap_range(mm, v->start, v->end);
		vma_unlink(mm, v);
		vma_free(mm, v);
	}
	mm->locked_vm -= t->locked_vm;
	update_hiwater_vm(mm);
	mm->total_vm -= t->nr_pages;
	mm->exec_vm -= t->exec_vm;
	mm->stack_vm -= t->stack_vm;
	mm->data_vm -= t->data_vm;
	vm_unacct_memory(mm->sys, t->nr_accounted);
}

void vma_replace_placeholder(struct vms_mm *mm, struct vms_vma *p, struct vms_vma *v)
{
	vt_replace(&mm->tree, p, v);
	if (v->file)
		file_rmap_add(mm, v);
	vma_free(mm, p);
}

void vma_drop_placeholder(struct vms_mm *mm, struct vms_vma *p)
{
	vt_erase(&mm->tree, p);
	vma_free(mm, p);
}

int unmap_range(struct vms_mm *mm, uint64_t start, uint64_t end)
{
	struct munmap_tally t;
	int err = munmap_gather(mm, start, end, &t);
	if (err)
		return err;
	munmap_complete(mm, start, end, &t, NULL);
	return 0;
}

/* ---- page protection ---- */

uint64_t vma_page_prot(const struct vms_vma *v)
{
	/* arch/x86/mm/pgprot.c protection_map[], indexed by VM_SHARED|EXEC|WRITE|READ. */
	static const uint64_t NX = 1ULL << 63;
	static const uint64_t table[16] = {
		0x120,	     0x25 | NX, 0x25 | NX, 0x25 | NX, 0x25,	 0x25,	    0x25, 0x25,
		0x120,	     0x25 | NX, 0x27 | NX, 0x27 | NX, 0x25,	 0x25,	    0x27, 0x27,
	};
	uint64_t f = v->flags & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED);
	/* vma_wants_writenotify(): shared writable pages of a file that writes
	 * back start read-only, so use the private entry. */
	if ((f & (VM_WRITE | VM_SHARED)) == (VM_WRITE | VM_SHARED) && v->file &&
	    v->kind == VMA_PLAIN)
		f &= ~VM_SHARED;
	/* ... and so do any shared writable pages under userfaultfd write
	 * protection (userfaultfd_wp()), whose first write must fault. */
	if ((f & (VM_WRITE | VM_SHARED)) == (VM_WRITE | VM_SHARED) && (v->flags & VM_UFFD_WP))
		f &= ~VM_SHARED;
	return table[f];
}

void zap_range(struct vms_mm *mm, uint64_t start, uint64_t end)
{
	rss_remove(mm, start, end);
}
