/*
 * mm.c: an address space's life (mm_init, arch_pick_mmap_layout, exit_mmap),
 * its public getters and vms_validate(). The layout arithmetic follows
 * arch/x86/mm/mmap.c. Not here: any system call.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "accounting.h"
#include "cred.h"
#include "exec.h"
#include "file.h"
#include "mempolicy.h"
#include "userfaultfd.h"
#include "pkeys.h"
#include "shm.h"
#include "rss.h"
#include "vma.h"

#define STACK_RND_MASK 0x3fffffULL /* 64-bit: 22 bits of pages */

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t mm_random(struct vms_mm *mm)
{
	return splitmix64(&mm->rng);
}

static bool mm_randomizes(const struct vms_mm *mm)
{
	/* PF_RANDOMIZE: set at exec unless the sysctl or the personality says no. */
	return mm->sys->randomize_va_space && !(mm->personality & VMS_ADDR_NO_RANDOMIZE);
}

/* arch/x86/mm/mmap.c mmap_base(): below the stack with room for its rlimit,
 * guard gap and randomisation, clamped to [128 MiB, 5/6 of the task size]. */
static uint64_t mmap_base_for(const struct vms_mm *mm, uint64_t rnd, uint64_t task_size)
{
	uint64_t gap = mm->rlim_stack.cur;
	uint64_t pad = (mm_randomizes(mm) ? STACK_RND_MASK << PAGE_SHIFT : 0) +
		       mm->sys->stack_guard_gap;
	if (gap + pad > gap)
		gap += pad;
	uint64_t gap_min = SZ_128M, gap_max = (task_size / 6) * 5;
	if (gap < gap_min)
		gap = gap_min;
	else if (gap > gap_max)
		gap = gap_max;
	return PAGE_ALIGN(task_size - gap - rnd);
}

/* arch_pick_mmap_layout(): top-down unless the legacy layout is asked for. */
static void pick_mmap_layout(struct vms_mm *mm)
{
	vms_sys *sys = mm->sys;
	mm->topdown = !((mm->personality & VMS_ADDR_COMPAT_LAYOUT) || sys->legacy_va_layout);
	uint64_t rnd = 0;
	if (mm_randomizes(mm))
		rnd = splitmix64(&mm->rng) & ((1ULL << sys->mmap_rnd_bits) - 1);
	mm_set_mmap_rnd(mm, rnd);
}

void mm_set_mmap_rnd(struct vms_mm *mm, uint64_t pages)
{
	uint64_t window = DEFAULT_MAP_WINDOW, rnd = pages << PAGE_SHIFT;
	mm->mmap_rnd = pages;
	mm->mmap_legacy_base = PAGE_ALIGN(window / 3) + rnd;
	mm->mmap_base = mm->topdown ? mmap_base_for(mm, rnd, window) : mm->mmap_legacy_base;
}

static int register_mm(vms_sys *sys, struct vms_mm *mm)
{
	if (sys->nmms == sys->mms_cap) {
		size_t cap = sys->mms_cap ? sys->mms_cap * 2 : 8;
		struct vms_mm **m = sys_realloc(sys, sys->mms, cap * sizeof(*m));
		if (!m)
			return -ENOMEM;
		sys->mms = m;
		sys->mms_cap = cap;
	}
	sys->mms[sys->nmms++] = mm;
	return 0;
}

struct vms_mm *mm_alloc(vms_sys *sys)
{
	struct vms_mm *mm = sys_calloc(sys, 1, sizeof(*mm));
	if (!mm)
		return NULL;
	if (register_mm(sys, mm)) {
		sys_free(sys, mm);
		return NULL;
	}
	mm->sys = sys;
	vt_init(&mm->tree, sys);
	pkeys_init(mm);
	return mm;
}

vms_mm *vms_mm_new(vms_sys *sys, const struct vms_mm_config *cfg)
{
	struct vms_mm *mm = mm_alloc(sys);
	if (!mm)
		return NULL;
	struct vms_mm_config defaults = {0};
	if (!cfg)
		cfg = &defaults;
	mm->personality = cfg->personality;
	creds_init(mm, cfg);
	/* fs/exec.c begin_new_exec(): a process whose effective ids differ
	 * from its real ones runs with fs.suid_dumpable, any other dumpable. */
	mm->dumpable = mm->cred.euid == mm->cred.uid && mm->cred.egid == mm->cred.gid
			   ? SUID_DUMP_USER
			   : (uint8_t)sys->suid_dumpable;
	mm->rng = cfg->seed;
	if (cfg->has_rlimits) {
		mm->rlim_stack = cfg->rlim_stack;
		mm->rlim_data = cfg->rlim_data;
		mm->rlim_as = cfg->rlim_as;
		mm->rlim_memlock = cfg->rlim_memlock;
	} else {
		mm->rlim_stack = (struct vms_rlimit){8ULL << 20, VMS_RLIM_INFINITY};
		mm->rlim_data = (struct vms_rlimit){VMS_RLIM_INFINITY, VMS_RLIM_INFINITY};
		mm->rlim_as = (struct vms_rlimit){VMS_RLIM_INFINITY, VMS_RLIM_INFINITY};
		mm->rlim_memlock = (struct vms_rlimit){8ULL << 20, 8ULL << 20};
	}
	mm->task_size = sys->la57 ? TASK_SIZE_MAX_5LEVEL : DEFAULT_MAP_WINDOW;
	mm->has_gate = sys->vsyscall_gate;
	pick_mmap_layout(mm);
	return mm;
}

/* exit_mmap(): every VMA goes, with its commit charge. */
static void release_vmas(struct vms_mm *mm)
{
	struct vt_cursor c;
	uint64_t accounted = 0;
	for (struct vms_vma *v = vt_first(&mm->tree, &c); v; v = vt_next(&c)) {
		if (v->flags & VM_ACCOUNT)
			accounted += vma_pages(v);
		if (v->file)
			file_rmap_remove(v);
		v->file ? file_put(v->file) : (void)0;
		if (v->anon_vma)
			anon_vma_put(mm->sys, v->anon_vma);
		if (v->anon_name)
			anon_name_put(mm->sys, v->anon_name);
		mpol_put(mm->sys, v->mpol);
		slab_free(&mm->sys->vma_slab, v);
	}
	vt_destroy(&mm->tree);
	vt_init(&mm->tree, mm->sys);
	vm_unacct_memory(mm->sys, accounted);
}

void vms_mm_free(vms_mm *mm)
{
	if (!mm)
		return;
	vms_sys *sys = mm->sys;
	release_vmas(mm);
	/* The mm's userfaultfd contexts outlive it only as open files. */
	uffd_mm_exit(mm);
	/* kernel/exit.c do_exit(): exit_mm(), then exit_shm(). */
	shm_exit(mm);
	mpol_put(sys, mm->task_mpol);
	vt_destroy(&mm->tree);
	while (mm->nspare_vmas)
		slab_free(&sys->vma_slab, mm->spare_vmas[--mm->nspare_vmas]);
	sys_free(sys, mm->resident);
	for (size_t i = 0; i < sys->nmms; i++) {
		if (sys->mms[i] == mm) {
			sys->mms[i] = sys->mms[--sys->nmms];
			break;
		}
	}
	sys_free(sys, mm);
}

void vms_mm_set_brk_start(vms_mm *mm, uint64_t start_brk)
{
	mm->start_brk = mm->brk = start_brk;
}

void vms_mm_set_image(vms_mm *mm, uint64_t start_code, uint64_t end_code, uint64_t start_data,
		      uint64_t end_data, uint64_t start_stack)
{
	mm->start_code = start_code;
	mm->end_code = end_code;
	mm->start_data = start_data;
	mm->end_data = end_data;
	mm->start_stack = start_stack;
}

void vms_mm_get_layout(const vms_mm *mm, struct vms_mm_layout *out)
{
	out->task_size = mm->task_size;
	out->mmap_base = mm->mmap_base;
	out->mmap_legacy_base = mm->mmap_legacy_base;
	out->topdown = mm->topdown;
	out->start_brk = mm->start_brk;
	out->brk = mm->brk;
	out->start_stack = mm->start_stack;
}

void vms_mm_get_counters(const vms_mm *mm, struct vms_mm_counters *out)
{
	out->total_vm = mm->total_vm;
	out->data_vm = mm->data_vm;
	out->exec_vm = mm->exec_vm;
	out->stack_vm = mm->stack_vm;
	out->locked_vm = mm->locked_vm;
	out->pinned_vm = mm->pinned_vm;
	out->rss_anon = mm->rss_anon;
	out->rss_file = mm->rss_file;
	out->rss_shmem = mm->rss_shmem;
	out->hiwater_vm = max_u64(mm->hiwater_vm, mm->total_vm);
	out->hiwater_rss = max_u64(mm->hiwater_rss, mm_rss(mm));
	out->map_count = mm_map_count(mm);
}

const vms_vma *vms_find_vma(const vms_mm *mm, uint64_t addr)
{
	return find_vma(mm, addr);
}

const vms_vma *vms_vma_first(const vms_mm *mm)
{
	return vt_first(&mm->tree, NULL);
}

const vms_vma *vms_vma_next(const vms_mm *mm, const vms_vma *vma)
{
	return vt_next_of(&mm->tree, vma);
}

void vms_vma_get_info(const vms_vma *vma, struct vms_vma_info *out)
{
	out->start = vma->start;
	out->end = vma->end;
	out->vm_flags = vma->flags;
	out->pgoff = vma->pgoff;
	out->page_prot = vma_page_prot(vma);
	out->file = vma->file;
	out->anon_vma = vma->anon_vma ? vma->anon_vma->id : 0;
	out->anon_name = vma->anon_name ? vma->anon_name->name : NULL;
}

/* The FreeBSD vm_map_check() idea: one walk that asserts every invariant. */
int vms_validate(const vms_mm *mm, char *why, size_t why_size)
{
	const char *err = vt_check(&mm->tree);
	char buf[160];
	if (err)
		goto fail;
	struct vt_cursor c;
	struct munmap_sum {
		uint64_t total, data, exec, stack, locked;
	} sum = {0};
	for (const struct vms_vma *v = vt_first(&mm->tree, &c); v; v = vt_next(&c)) {
		uint64_t pages = vma_pages(v);
		if (offset_in_page(v->start) || offset_in_page(v->end)) {
			snprintf(buf, sizeof(buf), "VMA %#llx-%#llx not page aligned",
				 (unsigned long long)v->start, (unsigned long long)v->end);
			err = buf;
			goto fail;
		}
		if (v->end > mm->task_size) {
			err = "VMA above TASK_SIZE";
			goto fail;
		}
		sum.total += pages;
		if (is_exec_mapping(v->flags))
			sum.exec += pages;
		else if (is_stack_mapping(v->flags))
			sum.stack += pages;
		else if (is_data_mapping(v->flags))
			sum.data += pages;
		if (v->flags & VM_LOCKED)
			sum.locked += pages;
		if (v->file) {
			const struct vms_inode *ino = v->file->inode;
			if (v->rmap_slot >= ino->i_mmap_count || ino->i_mmap[v->rmap_slot].vma != v ||
			    ino->i_mmap[v->rmap_slot].mm != mm) {
				err = "file VMA missing from its inode's i_mmap";
				goto fail;
			}
		}
		/* A System V attach's VMA holds one of its segment's attaches. */
		if ((v->kind == VMA_SHM) != (v->file && v->file->shm) ||
		    (v->kind == VMA_SHM && v->file->shm->nattch < v->file->refcount)) {
			err = "System V VMA without its segment's attach";
			goto fail;
		}
		if (v->anon_vma && v->anon_vma->refcount == 0) {
			err = "anon_vma with zero references";
			goto fail;
		}
		if ((v->flags & VM_SHARED) && !(v->flags & VM_MAYSHARE)) {
			err = "VM_SHARED without VM_MAYSHARE";
			goto fail;
		}
		if (v->mpol && (v->mpol > mm->sys->nmpols || !mm->sys->mpols[v->mpol - 1])) {
			err = "VMA policy id not in the policy table";
			goto fail;
		}
	}
	if (sum.total != mm->total_vm || sum.data != mm->data_vm || sum.exec != mm->exec_vm ||
	    sum.stack != mm->stack_vm) {
		snprintf(buf, sizeof(buf),
			 "counters differ from VMAs: total %llu/%llu data %llu/%llu exec %llu/%llu "
			 "stack %llu/%llu",
			 (unsigned long long)mm->total_vm, (unsigned long long)sum.total,
			 (unsigned long long)mm->data_vm, (unsigned long long)sum.data,
			 (unsigned long long)mm->exec_vm, (unsigned long long)sum.exec,
			 (unsigned long long)mm->stack_vm, (unsigned long long)sum.stack);
		err = buf;
		goto fail;
	}
	if (sum.locked + mm->locked_vm_unbacked != mm->locked_vm) {
		snprintf(buf, sizeof(buf), "locked_vm %llu but VM_LOCKED VMAs hold %llu",
			 (unsigned long long)mm->locked_vm, (unsigned long long)sum.locked);
		err = buf;
		goto fail;
	}
	uint64_t rss = 0, zero = 0;
	for (size_t i = 0; i < mm->nresident; i++) {
		const struct page_range *r = &mm->resident[i];
		if (r->start >= r->end || (i && mm->resident[i - 1].end > r->start)) {
			err = "resident ranges out of order";
			goto fail;
		}
		if (!find_vma_intersection(mm, r->start, r->end)) {
			err = "resident range outside every VMA";
			goto fail;
		}
		if (rss_type_counts(r->type))
			rss += (r->end - r->start) >> PAGE_SHIFT;
		if (r->type == RSS_ZERO)
			zero += (r->end - r->start) >> PAGE_SHIFT;
	}
	if (rss != mm_rss(mm) || zero != mm->zero_pages) {
		err = "rss counters differ from resident pages";
		goto fail;
	}
	return 0;
fail:
	if (why && why_size)
		snprintf(why, why_size, "%s", err);
	return -1;
}
