/*
 * vma.h: VMA life cycle, merge, split and unmap (mm/vma.c's role).
 *
 * Every operation that changes VMAs first calls mm_reserve(), which sets aside
 * the VMA structs, tree nodes and reverse-map room the operation can need;
 * afterwards nothing fails for lack of memory, so an -ENOMEM from the model's
 * own allocator always leaves the address space exactly as it was. Errors the
 * kernel itself returns half-way (a second split refused by max_map_count)
 * are reproduced as the kernel leaves them.
 */
#ifndef VMS_VMA_H
#define VMS_VMA_H

#include "internal.h"

#define MM_RESERVE_VMAS 6

/* Sets aside objects for an operation that creates at most MM_RESERVE_VMAS
 * VMAs and maps file (may be NULL) into at most that many of them. */
int mm_reserve(struct vms_mm *mm, const struct vms_file *file) __attribute__((warn_unused_result));
/* mm_reserve(), plus room in the files of the VMAs at the edges of
 * [start, end), which the operation may split. */
int mm_reserve_range(struct vms_mm *mm, const struct vms_file *file, uint64_t start, uint64_t end)
	__attribute__((warn_unused_result));
/*
 * A system call that walks the VMAs of [start, end) and may change each one
 * (mprotect, mlock, madvise). Its reservation is made when the first VMA
 * needs changing, not up front: failing there stands for the kernel's split
 * running out of memory at that VMA, with the VMAs before it already changed.
 * Only once per call: a walk splits at most the VMAs at its two ends.
 */
struct vma_walk {
	struct vms_mm *mm;
	uint64_t start, end; /* the whole range */
	bool reserved;
};
int vma_walk_reserve(struct vma_walk *w) __attribute__((warn_unused_result));

/* A zeroed VMA from the reserve. */
struct vms_vma *vma_take(struct vms_mm *mm);
/* A copy of v (file, anon_vma and name references taken), from the reserve. */
struct vms_vma *vma_dup(struct vms_mm *mm, const struct vms_vma *v);
/* Drops v's references and returns it to the slab. v must be unlinked. */
void vma_free(struct vms_mm *mm, struct vms_vma *v);

/* Index and reverse map: insert/remove a VMA (map_count is the tree count). */
void vma_link(struct vms_mm *mm, struct vms_vma *v);
void vma_unlink(struct vms_mm *mm, struct vms_vma *v);
/* v's range changed in place (v stays between the same neighbours). */
void vma_set_range(struct vms_mm *mm, struct vms_vma *v, uint64_t start, uint64_t end,
		   uint64_t pgoff);

/* A new empty address space registered with its system (mm_init's part). */
struct vms_mm *mm_alloc(vms_sys *sys);

static inline uint64_t mm_map_count(const struct vms_mm *mm)
{
	return mm->tree.count;
}

struct vms_vma *find_vma(const struct vms_mm *mm, uint64_t addr);
/* find_vma_intersection: the first VMA overlapping [start, end). */
struct vms_vma *find_vma_intersection(const struct vms_mm *mm, uint64_t start, uint64_t end);
struct vms_vma *vma_next(const struct vms_mm *mm, const struct vms_vma *v);
struct vms_vma *vma_prev(const struct vms_mm *mm, const struct vms_vma *v);
/* The last VMA that starts below addr (the kernel's find_vma_prev result). */
struct vms_vma *vma_before(const struct vms_mm *mm, uint64_t addr);

/* include/linux/mm.h vm_start_gap()/vm_end_gap(): the guard gap of a stack. */
uint64_t vm_start_gap(const struct vms_mm *mm, const struct vms_vma *v);
uint64_t vm_end_gap(const struct vms_vma *v);

/* anon_vma helpers (mm/rmap.c). */
struct vms_anon_vma *anon_vma_alloc(vms_sys *sys);
void anon_vma_get(struct vms_anon_vma *av);
void anon_vma_put(vms_sys *sys, struct vms_anon_vma *av);
void anon_name_get(struct vms_anon_name *n);
void anon_name_put(vms_sys *sys, struct vms_anon_name *n);
bool anon_name_eq(const struct vms_anon_name *a, const struct vms_anon_name *b);

/*
 * The state of one merge attempt (mm/vma.h struct vma_merge_struct):
 *
 *   | prev |  middle  | next |      existing range: [start, end) lies in middle
 *   | prev | [start, end) | next |  new range: the hole between prev and next
 *
 * flags/file/pgoff/anon_vma/anon_name describe what [start, end) would be.
 */
struct vma_merge {
	struct vms_mm *mm;
	struct vms_vma *prev, *middle, *next, *target;
	uint64_t start, end, pgoff;
	uint64_t flags;
	struct vms_file *file;
	struct vms_anon_vma *anon_vma;
	struct vms_anon_name *anon_name;
	uint16_t mpol;    /* the policy id: mmap and brk's new ranges have none */
	uint8_t uffd;     /* vm_userfaultfd_ctx: new ranges have none */
	bool just_expand; /* brk: only try prev */
	/* New range only: the struct still indexed over [start, end) for the
	 * mapping it replaces (munmap_complete's keep), or NULL for a hole. A
	 * merge takes it out of the index and frees it. */
	struct vms_vma *placeholder;
};

/* vma_merge_new_range(): merges [start, end) into prev and/or next. Returns
 * the VMA that now covers it, or NULL (nothing changed). Counters are the
 * caller's. */
struct vms_vma *vma_merge_new_range(struct vma_merge *vmg);

/* vma_modify(): gives [start, end) inside vmg->middle the new flags,
 * anon_name and policy in vmg (file, anon_vma and pgoff are taken from
 * middle) by merging with a neighbour or splitting middle. On success returns the
 * VMA that is exactly [start, end) (attributes NOT yet applied: the caller
 * applies flags/name), or an ERR value via *err (-ENOMEM map_count, -EINVAL
 * may_split) with any first split left in place, as the kernel does. */
struct vms_vma *vma_modify(struct vma_merge *vmg, int *err);
/* The flags the caller of vma_modify() gives the VMA it got back: its new
 * flags plus the sticky flags that VMA has (mm/vma.c vma_modify_flags()
 * hands a merged VMA's flags back, so that VM_MAYBE_GUARD taken from a
 * neighbour survives the caller's vm_flags_reset(); live: munlock merging
 * a range into a guarded neighbour keeps "gu"). */
static inline uint64_t vma_modified_flags(const struct vms_vma *r, uint64_t newflags)
{
	return newflags | (r->flags & VM_STICKY);
}

/* split_vma(): with the max_map_count check; __split_vma() without it.
 * new_below: the new VMA is the part below addr; why: enum vms_vma_why, for
 * the VMS_EV_VMA_SPLIT event. Returns 0 or -errno. */
int split_vma(struct vms_mm *mm, struct vms_vma *v, uint64_t addr, bool new_below, int why);
int __split_vma(struct vms_mm *mm, struct vms_vma *v, uint64_t addr, bool new_below, int why);

/* What unmapping a set of VMAs gives back (struct vma_munmap_struct tallies). */
struct munmap_tally {
	uint64_t nr_pages, locked_vm, nr_accounted, exec_vm, stack_vm, data_vm;
	unsigned vma_count;
};

/*
 * The munmap of [start, end) in two halves, as mm/vma.c does it:
 * munmap_gather() splits the edge VMAs (with the kernel's map_count rule) and
 * tallies what [start, end) holds without removing anything; munmap_complete()
 * removes those VMAs and undoes their accounting. On a gather error (-ENOMEM
 * for map_count, -EPERM for a sealed VMA, -EINVAL for a refused split) the
 * splits already made stay. unmap_range() does both.
 */
int munmap_gather(struct vms_mm *mm, uint64_t start, uint64_t end, struct munmap_tally *t);
/* With keep: when one VMA covers exactly [start, end), it loses its pages,
 * i_mmap entry and references like the others but stays in the index as a
 * placeholder (*keep, else NULL) for the mapping that replaces it, so the
 * index never shows the range empty (mmap_region). The caller then merges it
 * away (vma_merge.placeholder), hands its slot on (vma_replace_placeholder)
 * or drops it (vma_drop_placeholder). */
void munmap_complete(struct vms_mm *mm, uint64_t start, uint64_t end,
		     const struct munmap_tally *t, struct vms_vma **keep);
void vma_replace_placeholder(struct vms_mm *mm, struct vms_vma *p, struct vms_vma *v);
void vma_drop_placeholder(struct vms_mm *mm, struct vms_vma *p);
int unmap_range(struct vms_mm *mm, uint64_t start, uint64_t end);

/* The pages of [start, end) stop being resident (zap_page_range). */
void zap_range(struct vms_mm *mm, uint64_t start, uint64_t end);

/* mm/mmap.c vma_set_page_prot(): x86-64 PTE bits for the VMA. */
uint64_t vma_page_prot(const struct vms_vma *v);

/* mm/vma.c: the VMA covering addr that is a special mapping of this kind. */
bool vma_is_special_mapping(const struct vms_vma *v);

/* mm/mmap.c do_mmap() for callers inside the kernel (map_shadow_stack): the
 * syscall's checks with vm_flags added, and nothing populated. */
long do_mmap_flags(struct vms_mm *mm, struct vms_file *file, uint64_t addr, uint64_t len,
		   unsigned long prot, unsigned long flags, uint64_t vm_flags, uint64_t pgoff);

#endif
