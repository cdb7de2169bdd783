/*
 * fork.c: fork()'s copy of an address space (kernel/fork.c dup_mm() and
 * mm/mmap.c dup_mmap(), 6.18).
 *
 * The child gets the parent's layout and a copy of every VMA except the
 * MADV_DONTFORK ones, with the kernel's per-VMA rules: commit charge for
 * VM_ACCOUNT, no mlock, a fresh anon_vma chained below the parent's, no
 * anon_vma and no pages for MADV_WIPEONFORK, and page tables copied only where
 * a fault could not refill them. The child's index is built in one pass
 * (vt_bulk_load) from the copies collected in address order.
 *
 * Not here: exec, threads, the
 * rare anon_vma reuse of anon_vma_clone() (it changes which anon_vma a child
 * VMA points at but never whether it merges), and any page contents.
 */
#include <errno.h>
#include <string.h>

#include "accounting.h"
#include "file.h"
#include "mempolicy.h"
#include "prctl.h"
#include "rss.h"
#include "userfaultfd.h"
#include "vma.h"

/* The work of one fork, so a failure at any step can undo all of it. */
struct fork_state {
	struct vms_mm *parent, *child;
	struct vms_vma **vmas; /* the child's copies, in address order */
	size_t n;
	uint64_t charged; /* pages charged to the commit counter */
	size_t res_idx;   /* first parent resident range that may still matter */
};

/* kernel/fork.c dup_mm(): the child starts as the parent's mm with the
 * per-process state mm_init() resets. */
static void copy_layout(struct vms_mm *c, const struct vms_mm *p)
{
	c->task_size = p->task_size;
	c->mmap_base = p->mmap_base;
	c->mmap_legacy_base = p->mmap_legacy_base;
	c->topdown = p->topdown;
	c->personality = p->personality;
	c->caps = p->caps;
	c->rlim_stack = p->rlim_stack;
	c->rlim_data = p->rlim_data;
	c->rlim_as = p->rlim_as;
	c->rlim_memlock = p->rlim_memlock;
	c->start_code = p->start_code;
	c->end_code = p->end_code;
	c->start_data = p->start_data;
	c->end_data = p->end_data;
	c->start_brk = p->start_brk;
	c->brk = p->brk;
	c->start_stack = p->start_stack;
	c->brk_randomized = p->brk_randomized;
	c->has_gate = p->has_gate;
	c->rng = p->rng;
	c->def_flags = p->def_flags & VM_INIT_DEF_MASK;
	/* dup_mmap(): the child inherits the totals, then loses the DONTCOPY
	 * VMAs' share; mm_init() zeroes locked_vm and pinned_vm. */
	c->total_vm = p->total_vm;
	c->data_vm = p->data_vm;
	c->exec_vm = p->exec_vm;
	c->stack_vm = p->stack_vm;
	c->locked_vm = 0;
	c->pinned_vm = 0;
	/* The task policy (dup_task_struct: mpol_dup), the protection key map
	 * (dup_mm copies mm->context; arch_dup_pkeys), the MMF flags the child
	 * inherits (mmf_init_flags), the argument boundaries and credentials
	 * (copy_creds shares them). */
	mpol_get(p->sys, p->task_mpol);
	c->task_mpol = p->task_mpol;
	c->pkey_allocation_map = p->pkey_allocation_map;
	c->execute_only_pkey = p->execute_only_pkey;
	c->mmf = mmf_init_flags(p->mmf);
	c->arg_start = p->arg_start;
	c->arg_end = p->arg_end;
	c->env_start = p->env_start;
	c->env_end = p->env_end;
	c->cred = p->cred;
	c->dumpable = p->dumpable; /* MMF_DUMPABLE_MASK is in MMF_INIT_MASK */
}

/* include/linux/mm.h VM_COPY_ON_FORK (6.18 stable): flags whose page tables
 * hold state a refault cannot rebuild (PFN maps, uffd-wp and guard markers). */
#ifndef VM_COPY_ON_FORK
#define VM_COPY_ON_FORK (VM_PFNMAP | VM_MIXEDMAP | VM_UFFD_WP | VM_MAYBE_GUARD)
#endif

/* mm/memory.c vma_needs_copy(): page tables are copied only where a fault
 * could not rebuild them: the child's VM_COPY_ON_FORK flags, or a parent
 * VMA with anonymous pages (anon_vma). Shared and untouched private file
 * pages are refaulted in the child, so its RSS does not count them (live:
 * RssShmem 0 and a read-faulted private file VMA at Rss 0 after fork). */
static bool vma_needs_copy(const struct vms_vma *dst, const struct vms_vma *src)
{
	if (src->flags & VM_WIPEONFORK)
		return false; /* dup_mmap() skips copy_page_range() */
	return (dst->flags & VM_COPY_ON_FORK) || src->anon_vma;
}

/* Appends [start, end) of type to the child's resident set, joining a
 * same-type range it touches as rss_add() would. */
static int resident_append(struct vms_mm *c, uint64_t start, uint64_t end, int type)
{
	if (c->nresident) {
		struct page_range *last = &c->resident[c->nresident - 1];
		if (last->end == start && last->type == type) {
			last->end = end;
			goto count;
		}
	}
	if (rss_reserve(c, 1))
		return -ENOMEM;
	c->resident[c->nresident++] = (struct page_range){start, end, type};
count:
	*rss_counter(c, type) += (end - start) >> PAGE_SHIFT;
	return 0;
}

/* copy_page_range(): the parent's resident pages inside src become the
 * child's, with the same counter type (a COW-shared page is still anon, an
 * uncopied private file page still file). Parent VMAs come in address order,
 * so one index walks the parent's sorted ranges once for the whole fork. */
static int copy_resident(struct fork_state *fs, const struct vms_vma *src)
{
	const struct vms_mm *p = fs->parent;
	size_t i = fs->res_idx;
	while (i < p->nresident && p->resident[i].end <= src->start)
		i++;
	fs->res_idx = i;
	for (; i < p->nresident && p->resident[i].start < src->end; i++) {
		const struct page_range *r = &p->resident[i];
		int err = resident_append(fs->child, max_u64(r->start, src->start),
					  min_u64(r->end, src->end), r->type);
		if (err)
			return err;
	}
	return 0;
}

/* One parent VMA's copy (the body of dup_mmap()'s loop after DONTCOPY). */
static int dup_one(struct fork_state *fs, const struct vms_vma *src)
{
	vms_sys *sys = fs->parent->sys;
	/* The charge goes against the parent (security_vm_enough_memory_mm on
	 * oldmm), so its total_vm sets the overcommit user reserve. */
	if (src->flags & VM_ACCOUNT) {
		if (vm_enough_memory(fs->parent, vma_pages(src)))
			return -ENOMEM;
		fs->charged += vma_pages(src);
	}
	struct vms_vma *v = slab_alloc(sys, &sys->vma_slab);
	if (!v)
		return -ENOMEM;
	*v = *src;
	/* References are taken one at a time below; until then the copy holds
	 * none, so the undo path releases exactly what was taken. */
	v->file = NULL;
	v->anon_vma = NULL;
	v->anon_name = NULL;
	v->mpol = 0;
	v->avc_depth = 0;
	fs->vmas[fs->n++] = v;
	/* dup_mmap(): vma_dup_policy() gives the copy the parent's policy. */
	mpol_get(sys, src->mpol);
	v->mpol = src->mpol;

	/* The child never inherits mlock (dup_mmap clears VM_LOCKED_MASK).
	 * fs/userfaultfd.c dup_userfaultfd(): a registration stays only under
	 * the child's own context of one that asked for UFFD_EVENT_FORK; the
	 * others' VMAs lose modes and context (and do not merge now). */
	v->flags &= ~VM_LOCKED_MASK;
	uffd_dup_vma(fs->child, v);

	/* mm/rmap.c anon_vma_fork(): a child of a VMA with an anon_vma gets a new
	 * anon_vma of its own whose chain holds the parent's whole chain, one
	 * per VMA even where parent VMAs shared one (live: pieces split before
	 * the fork do not re-merge in the child; they do in the parent). The
	 * longer chain is what stops the child's VMA absorbing clean neighbours
	 * (vma_had_uncowed_parents). WIPEONFORK starts with none. */
	if (src->anon_vma && !(src->flags & VM_WIPEONFORK)) {
		struct vms_anon_vma *av = anon_vma_alloc(sys);
		if (!av)
			return -ENOMEM;
		anon_vma_get(av);
		v->anon_vma = av;
		/* Any depth above 1 acts alike; saturate instead of wrapping. */
		unsigned depth = (src->avc_depth ? src->avc_depth : 1) + 1u;
		v->avc_depth = depth < AVC_DEPTH_MAX ? depth : AVC_DEPTH_MAX;
	}

	/* vm_area_dup() shares the anon name; dup_mmap() takes a file reference
	 * and links the copy into the file's i_mmap (shmem stays shared). */
	if (src->anon_name) {
		anon_name_get(src->anon_name);
		v->anon_name = src->anon_name;
	}
	if (src->file) {
		if (file_rmap_reserve(src->file, 1))
			return -ENOMEM;
		file_get(src->file);
		v->file = src->file;
		file_rmap_add(fs->child, v);
	}

	if (vma_needs_copy(v, src))
		return copy_resident(fs, src);
	return 0;
}

/* Releases the copies made so far and their charge: the child mm never
 * becomes visible, and the parent was never changed. */
static void undo_copies(struct fork_state *fs)
{
	vms_sys *sys = fs->parent->sys;
	for (size_t i = 0; i < fs->n; i++) {
		struct vms_vma *v = fs->vmas[i];
		if (v->file) {
			file_rmap_remove(v);
			file_put(v->file);
		}
		if (v->anon_vma)
			anon_vma_put(sys, v->anon_vma);
		if (v->anon_name)
			anon_name_put(sys, v->anon_name);
		mpol_put(sys, v->mpol);
		slab_free(&sys->vma_slab, v);
	}
	fs->n = 0;
	vm_unacct_memory(sys, fs->charged);
	fs->charged = 0;
}

/* What dup_mmap() did with each VMA, told once the fork can no longer
 * fail (a failed fork copies nothing). */
ev_cold static void ev_fork(const struct vms_mm *mm)
{
	struct vt_cursor c;
	for (const struct vms_vma *src = vt_first(&mm->tree, &c); src; src = vt_next(&c)) {
		struct vms_event ev;
		memset(&ev, 0, sizeof(ev));
		ev.u.fork.copied = !(src->flags & VM_DONTCOPY);
		ev.u.fork.wiped = ev.u.fork.copied && (src->flags & VM_WIPEONFORK);
		ev.u.fork.anon_vma = ev.u.fork.copied && src->anon_vma && !ev.u.fork.wiped;
		ev_emit(mm, VMS_EV_FORK_VMA, "dup_mmap", src->start, src->end, &ev);
	}
}

vms_mm *vms_fork(vms_mm *mm, int *err)
{
	vms_sys *sys = mm->sys;
	int dummy;
	if (!err)
		err = &dummy;
	*err = 0;
	struct fork_state fs = {.parent = mm};
	fs.child = mm_alloc(sys);
	if (!fs.child)
		goto nomem;
	copy_layout(fs.child, mm);
	size_t count = mm_map_count(mm);
	if (count) {
		fs.vmas = sys_malloc(sys, count * sizeof(*fs.vmas));
		if (!fs.vmas)
			goto nomem;
	}

	/* The child's resident set is at most the parent's ranges plus pieces
	 * cut at VMA edges; reserving the parent's count up front avoids
	 * growing the array step by step on a large fork. */
	if (mm->nresident && rss_reserve(fs.child, mm->nresident))
		goto nomem;

	if (uffd_fork_contexts(mm, fs.child))
		goto nomem;
	struct vt_cursor c;
	for (const struct vms_vma *src = vt_first(&mm->tree, &c); src; src = vt_next(&c)) {
		/* MADV_DONTFORK: not copied, and its pages leave the child's totals
		 * (locked_vm is already 0). */
		if (src->flags & VM_DONTCOPY) {
			vm_stat_account(fs.child, src->flags, -(int64_t)vma_pages(src));
			continue;
		}
		if (dup_one(&fs, src))
			goto nomem;
	}
	if (vt_bulk_load(&fs.child->tree, fs.vmas, fs.n))
		goto nomem;
	sys_free(sys, fs.vmas);
	if (ev_on(sys))
		ev_fork(mm);

	/* kernel/fork.c dup_mm(): the child's high-water marks start at what
	 * it has now. */
	fs.child->hiwater_vm = fs.child->total_vm;
	fs.child->hiwater_rss = mm_rss(fs.child);
	return fs.child;

nomem:
	undo_copies(&fs);
	sys_free(sys, fs.vmas);
	vms_mm_free(fs.child);
	*err = -ENOMEM;
	return NULL;
}
