/*
 * internal.h: the model's own types (the kernel's mm_types.h and mm.h roles).
 * What lives here: the system, address space, VMA, file and anon_vma structs,
 * the VM_* flag bits and small helpers shared by every src/ file.
 * Not here: any rule of a system call; those live in the file named for it.
 */
#ifndef VMS_INTERNAL_H
#define VMS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmspace.h"
#include "tree.h"

#define must_check __attribute__((warn_unused_result))

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ULL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)
#define offset_in_page(x) ((x) & (PAGE_SIZE - 1))
#define PMD_SIZE (1ULL << 21)
#define PUD_SIZE (1ULL << 30)

#define SZ_128M (128ULL << 20)

/* x86-64 with 4-level paging (this CPU has no LA57). */
#define DEFAULT_MAP_WINDOW ((1ULL << 47) - PAGE_SIZE)
#define TASK_SIZE_MAX_5LEVEL ((1ULL << 56) - PAGE_SIZE)

/* The kernel's VM_* bits (include/linux/mm.h, 6.18). */
#define VM_NONE 0x0ULL
#define VM_READ 0x1ULL
#define VM_WRITE 0x2ULL
#define VM_EXEC 0x4ULL
#define VM_SHARED 0x8ULL
#define VM_MAYREAD 0x10ULL
#define VM_MAYWRITE 0x20ULL
#define VM_MAYEXEC 0x40ULL
#define VM_MAYSHARE 0x80ULL
#define VM_GROWSDOWN 0x100ULL
#define VM_UFFD_MISSING 0x200ULL
#define VM_PFNMAP 0x400ULL
#define VM_MAYBE_GUARD 0x800ULL
#define VM_UFFD_WP 0x1000ULL
#define VM_LOCKED 0x2000ULL
#define VM_IO 0x4000ULL
#define VM_SEQ_READ 0x8000ULL
#define VM_RAND_READ 0x10000ULL
#define VM_DONTCOPY 0x20000ULL
#define VM_DONTEXPAND 0x40000ULL
#define VM_LOCKONFAULT 0x80000ULL
#define VM_ACCOUNT 0x100000ULL
#define VM_NORESERVE 0x200000ULL
#define VM_HUGETLB 0x400000ULL
#define VM_SYNC 0x800000ULL
#define VM_PAT 0x1000000ULL
#define VM_WIPEONFORK 0x2000000ULL
#define VM_DONTDUMP 0x4000000ULL
#define VM_SOFTDIRTY 0x8000000ULL
#define VM_MIXEDMAP 0x10000000ULL
#define VM_HUGEPAGE 0x20000000ULL
#define VM_NOHUGEPAGE 0x40000000ULL
#define VM_MERGEABLE 0x80000000ULL
#define VM_PKEY_SHIFT 32
#define VM_PKEY_MASK (0xfULL << VM_PKEY_SHIFT)
#define VM_UFFD_MINOR (1ULL << 41)
#define VM_SEALED (1ULL << 42)
/* VM_HIGH_ARCH_5 on x86: a user shadow stack (map_shadow_stack). */
#define VM_SHADOW_STACK (1ULL << 37)

#define VM_ACCESS_FLAGS (VM_READ | VM_WRITE | VM_EXEC)
#define VM_SPECIAL (VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP)
#define VM_STACK VM_GROWSDOWN
#define VM_STARTGAP_FLAGS (VM_GROWSDOWN | VM_SHADOW_STACK)
#define VM_LOCKED_MASK (VM_LOCKED | VM_LOCKONFAULT)
/* "Sticky" flags (include/linux/mm.h VM_STICKY, 6.18): a difference in them
 * does not stop a merge, and the merged VMA keeps the union of them. */
#define VM_STICKY (VM_SOFTDIRTY | VM_MAYBE_GUARD)
#define VM_IGNORE_MERGE VM_STICKY

/* What a VMA is besides its flags: the vm_ops the kernel would give it. */
enum vma_kind {
	VMA_PLAIN = 0,   /* anonymous or ordinary file */
	VMA_SHMEM,       /* shared anonymous: shmem file "/dev/zero (deleted)" */
	VMA_HUGETLB,     /* hugetlbfs file or anonymous MAP_HUGETLB */
	VMA_VDSO,        /* [vdso] */
	VMA_VVAR,        /* [vvar] */
	VMA_VVAR_VCLOCK, /* [vvar_vclock] */
	VMA_SPECIAL_OTHER,
	VMA_SHM,       /* a System V shm attach: shm_vm_ops (ipc/shm.c) over a shmem or hugetlb file */
	VMA_ANON_FILE, /* a file VMA without vm_ops, so anonymous: private /dev/zero */
};

/* The anon_vma: created by the first write fault to a private VMA and shared
 * by every VMA split or merged from it; it decides which VMAs may merge later. */
struct vms_anon_vma {
	uint64_t id;
	uint64_t refcount; /* VMAs pointing at it */
};

/* A refcounted anon VMA name (mm/madvise.c: anon_vma_name). */
struct vms_anon_name {
	uint64_t refcount;
	char name[];
};

/* The VMA: 64 bytes, one cache line. Linked into its file's i_mmap by index. */
struct vms_vma {
	uint64_t start, end; /* [start, end) */
	uint64_t flags;      /* VM_* */
	uint64_t pgoff;      /* in pages */
	struct vms_file *file;
	struct vms_anon_vma *anon_vma;
	struct vms_anon_name *anon_name;
	uint32_t rmap_slot; /* index in file->inode->i_mmap, when file != NULL */
	uint8_t kind : 4;   /* enum vma_kind */
	/* anon_vma_chain length: >1 after fork (mm/rmap.c); any depth above 1
	 * acts alike, so it saturates at AVC_DEPTH_MAX. */
	uint8_t avc_depth : 4;
	/* vm_userfaultfd_ctx: the number of the address space's userfaultfd
	 * context the VMA is registered to (userfaultfd.c), 0 = none. A byte
	 * instead of a pointer keeps the VMA one cache line. */
	uint8_t uffd;
	uint16_t mpol;      /* vm_policy: an id of sys->mpols, 0 = none (mempolicy.h) */
};
#define AVC_DEPTH_MAX 15
/* The VM_UFFD_* modes a registration sets (include/linux/userfaultfd_k.h). */
#define VM_UFFD_FLAGS (VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR)

struct rmap_entry {
	struct vms_vma *vma;
	struct vms_mm *mm;
};

struct vms_inode {
	vms_sys *sys;
	uint32_t dev_major, dev_minor;
	uint64_t ino;
	uint64_t size;
	char *path;
	uint32_t flags;      /* VMS_INODE_* */
	uint64_t hpage_size; /* huge page size of a hugetlbfs inode, else 0 */
	uint64_t shmem_charged; /* pages shmem_acct_size() charged (shared anon) */
	uint64_t huge_rsvd;     /* hugetlb pages reserved for this inode */
	uint32_t seals;         /* memfd F_SEAL_* (mm/memfd.c), shmem and hugetlbfs only */
	uint16_t mode;          /* permission bits (memfd: 0777, or 0666 with MFD_NOEXEC_SEAL) */
	uint64_t refcount;   /* files open on it, plus the system's table */
	bool in_table;       /* listed in sys->inodes (not for private shmem) */
	/* i_mmap: every VMA mapping this inode (the reverse map). */
	struct rmap_entry *i_mmap;
	uint32_t i_mmap_count, i_mmap_cap;
	uint64_t i_mmap_writable; /* VM_SHARED writable mappings (mapping_map_writable) */
	uint64_t i_writecount;    /* files open for writing: exec refuses with ETXTBSY */
	struct vms_inode *next;   /* sys->inodes list */
	/* A shmem object's shared memory policy (mm/mempolicy.c struct
	 * shared_policy): page ranges of the object with a policy id each,
	 * sorted, disjoint (mempolicy.c). */
	struct sp_range {
		uint64_t start, end; /* pages of the object */
		uint16_t mpol;
	} *sp;
	uint32_t nsp, sp_cap;
};

struct vms_file {
	struct vms_inode *inode;
	int oflags;        /* VMS_O_* access mode and VMS_O_APPEND */
	uint64_t refcount; /* open references plus VMAs */
	/* A shmat()'s own file (ipc/shm.c shm_file_data): each reference is
	 * one of the segment's attaches (shm_nattch); NULL for other files. */
	struct shm_seg *shm;
};

/* A System V shared memory segment (ipc/shm.c struct shmid_kernel). */
struct shm_seg {
	int32_t key;           /* IPC_PRIVATE (0) once removed */
	uint32_t mode;         /* permission bits, SHM_DEST, SHM_LOCKED */
	int32_t id;            /* idx + (seq << ipcmni_seq_shift) */
	uint64_t segsz;        /* bytes, as asked */
	uint64_t nattch;       /* references to its attach files */
	struct vms_file *file; /* the shmem or hugetlb file (shm_file) */
	struct vms_mm *creator; /* NULL once the creator exited (shm_creator) */
	uint32_t cuid, cgid, uid, gid; /* creator's and owner's ids (kern_ipc_perm) */
	bool locked_user;      /* user_shm_lock() charged it (mlock_user) */
};

/* One IPC namespace's shm ids (ipc/util.c struct ipc_ids) and totals. */
struct shm_ids {
	struct shm_seg **by_idx; /* the idr: segments by index */
	uint32_t cap;            /* slots in by_idx */
	uint32_t in_use;
	int32_t max_idx, last_idx; /* -1 when none */
	uint32_t seq;
	uint32_t idr_next;       /* idr_alloc_cyclic()'s cursor */
	int64_t next_id;         /* kernel.shm_next_id, -1 = unset */
	uint64_t shm_tot;        /* pages of all segments */
	uint64_t locked_shm;     /* pages user_shm_lock() holds (the user's locked_shm) */
};

/* Slab of fixed-size objects: no per-object header, O(1) alloc and free. */
struct slab {
	size_t obj_size;
	void *free_list;
	void **chunks;
	size_t nchunks, chunk_cap;
	size_t objs_per_chunk;
	size_t in_use;
	/* The untouched tail of the newest chunk: objects are carved from it
	 * on demand, so a fresh 2 MiB chunk is not written all at once. */
	char *fresh, *fresh_end;
};

struct hugetlb_pool {
	uint64_t page_size;
	bool present; /* the kernel has this hstate (1 GiB needs the CPU's pdpe1gb) */
	uint64_t total, free, rsvd;
};

/* How many named settings there are (settings.c's table). */
#define VMS_NSETTINGS 61

struct vms_sys {
	/* The embedder's observer of decisions (event.c), or NULL: first, in
	 * the cache line the calls read anyway (max_map_count), so that the
	 * test each decision point makes costs no extra memory access. */
	vms_observer_fn observer;
	void *observer_arg;
	/* sysctls */
	uint64_t max_map_count;
	int overcommit_memory;
	uint64_t overcommit_ratio;
	uint64_t overcommit_kbytes;
	uint64_t admin_reserve_kbytes;
	uint64_t user_reserve_kbytes;
	uint64_t mmap_min_addr;
	int legacy_va_layout;
	int randomize_va_space;
	unsigned mmap_rnd_bits;
	uint64_t stack_guard_gap; /* bytes */
	int thp_mode;             /* 0 never, 1 madvise, 2 always */
	bool anon_vma_name_enabled; /* CONFIG_ANON_VMA_NAME */
	bool la57;                  /* CPU and kernel use 5-level paging */
	bool zero_page;             /* read faults map the shared zero page */
	uint64_t lsm_mmap_min_addr; /* CONFIG_LSM_MMAP_MIN_ADDR, bytes */
	bool pku;                   /* protection keys are enabled (OSPKE) */
	uint64_t hugetlb_default_size; /* default_hstate: MAP_HUGETLB without a size */
	/* What exec installs and hands the program (exec.c): the vDSO's
	 * three special mappings in pages (0 = not mapped), the vsyscall
	 * gate, and the host-dependent auxiliary vector values. */
	uint64_t vvar_pages, vvar_vclock_pages, vdso_pages;
	bool vsyscall_gate;
	uint64_t auxv_hwcap, auxv_hwcap2, auxv_minsigstksz, auxv_clktck;
	uint64_t auxv_rseq_feature_size, auxv_rseq_align; /* 0: no AT_RSEQ_* entries */
	/* System V shm and memfd settings (ipc/shm.c, mm/memfd.c). */
	uint64_t shmmax, shmall, shmmni; /* kernel.shm*: bytes, pages, segments */
	bool shm_rmid_forced;
	bool ipcmni_extend;     /* boot parameter: 16M ids instead of 32768 */
	int suid_dumpable;      /* fs.suid_dumpable: dumpable after an id change */
	int memfd_noexec;       /* vm.memfd_noexec: 0 exec, 1 seal, 2 enforce */
	uint64_t hugetlb_shm_group; /* vm.hugetlb_shm_group: may SHM_HUGETLB without CAP_IPC_LOCK */
	bool secretmem;         /* memfd_secret(2) works (secretmem.enable) */
	/* The devices (MKDEV: major << 20 | minor) of the kernel's internal
	 * mounts, as maps shows them: shmem (shm_mnt), hugetlbfs per huge
	 * page size, secretmem. */
	uint64_t shmem_dev, hugetlb_dev[2], secretmem_dev;
	struct shm_ids shm;
	/* NUMA nodes (bit i: node i, nodes 0-63), MAX_NUMNODES and user shadow
	 * stacks: the machine properties memory policies and map_shadow_stack
	 * depend on (mempolicy.c, shstk.c). */
	uint64_t numa_online, numa_possible, numa_memory, numa_mems_allowed;
	uint64_t max_numnodes;        /* 1 << CONFIG_NODES_SHIFT */
	bool user_shstk_built;        /* CONFIG_X86_USER_SHADOW_STACK: the syscall exists */
	bool user_shstk;              /* X86_FEATURE_USER_SHSTK: the CPU has them */
	/* userfaultfd: vm.unprivileged_userfaultfd, the UFFDIO_API features
	 * this kernel offers, and every context (userfaultfd.c). */
	bool unprivileged_userfaultfd;
	uint32_t uffd_features;
	struct vms_uffd *uffds;
	/* Where each setting's value came from (enum vms_setting_source),
	 * indexed as settings.c's table. */
	unsigned char setting_source[VMS_NSETTINGS];

	uint64_t totalram_pages, total_swap_pages;
	struct hugetlb_pool huge[2]; /* 2 MiB, 1 GiB */
	uint64_t committed_pages;    /* vm_committed_as */

	uint64_t next_anon_vma_id;
	uint64_t next_shmem_ino;

	struct slab vma_slab, leaf_slab, branch_slab;
	struct vms_inode *inodes;
	struct vms_mm **mms;
	size_t nmms, mms_cap;

	uint64_t fail_countdown; /* 0 = off */
	/* Memory policies in use, shared by content (mempolicy.c): VMAs and
	 * processes hold ids, so that equal policies compare as equal ids. */
	struct mpol **mpols;
	uint32_t nmpols, mpols_cap;
	/* Bytes of the host's heap the model holds through sys_malloc & co. (as
	 * malloc_usable_size() counts them, plus a header word each); the slabs
	 * are counted apart (sys_bytes_held()). */
	size_t heap_bytes;
};

/* Resident pages as disjoint sorted page ranges (an interval set). */
struct page_range {
	uint64_t start, end;
	int type; /* enum rss_type */
};

struct vms_mm {
	vms_sys *sys;
	struct vt_tree tree;
	uint64_t task_size;
	uint64_t mmap_base, mmap_legacy_base;
	uint64_t mmap_rnd; /* pages: arch_mmap_rnd() as drawn or imposed */
	bool topdown;
	unsigned personality;
	unsigned caps;
	struct vms_rlimit rlim_stack, rlim_data, rlim_as, rlim_memlock;
	uint64_t start_code, end_code, start_data, end_data;
	uint64_t start_brk, brk, start_stack;
	bool brk_randomized;
	uint64_t def_flags;
	uint64_t total_vm, data_vm, exec_vm, stack_vm, locked_vm, pinned_vm;
	/* Pages locked_vm still counts for VMAs that lost VM_LOCKED without it
	 * being lowered: mremap(MREMAP_DONTUNMAP) does that (mm/mremap.c
	 * dontunmap_complete), so VmLck stays high until exit. */
	uint64_t locked_vm_unbacked;
	uint64_t hiwater_vm, hiwater_rss;
	uint64_t rss_anon, rss_file, rss_shmem;
	uint64_t guard_pages; /* MADV_GUARD_INSTALL markers (not resident) */
	uint64_t zero_pages;  /* PTEs mapping the shared zero page (no RSS counter) */
	uint64_t rng;
	/* The vsyscall gate area shown last in maps (not a VMA of the tree). */
	bool has_gate;
	struct page_range *resident;
	size_t nresident, resident_cap;
	/* Objects reserved before an operation mutates anything (vma_iter_prealloc). */
	/* Twice the per-operation reserve, so that a split-then-merge pair
	 * hands its freed VMAs to the next operation instead of the slab. */
	struct vms_vma *spare_vmas[12];
	unsigned nspare_vmas;
	/* Per-process state the policy, key, prctl and credential calls keep
	 * (mempolicy.c, pkeys.c, prctl.c, cred.c). The model's process is its
	 * address space, so per-task state (the task policy, credentials,
	 * the personality above) lives here too. */
	uint16_t task_mpol;           /* set_mempolicy's policy, 0 = none */
	uint16_t pkey_allocation_map; /* mm->context.pkey_allocation_map */
	int8_t execute_only_pkey;     /* -1: none yet (0 without OSPKE: mm_alloc zeroes it) */
	uint32_t mmf;                 /* MMF_* flags: THP disable, MDWE (prctl.c) */
	uint64_t arg_start, arg_end, env_start, env_end;
	struct vms_creds cred;
	/* SUID_DUMP_*: the mm flags' dumpable bits, which ptrace_may_access()
	 * reads (set by exec and commit_creds(), inherited by fork, prctl) */
	uint8_t dumpable;
};

/* ---- alloc.c: every allocation, with failure injection ---- */
must_check void *sys_malloc(vms_sys *sys, size_t size);
must_check void *sys_calloc(vms_sys *sys, size_t n, size_t size);
must_check void *sys_realloc(vms_sys *sys, void *p, size_t size);
void sys_free(vms_sys *sys, void *p);
/* settings.c: set a named setting, recording where the value came from
 * (enum vms_setting_source); whether one was set by anything but its default. */
int setting_set(vms_sys *sys, const char *name, uint64_t value, int source);
bool setting_was_set(const vms_sys *sys, const char *name);
/* sys.c: the default admin/user reserves for the RAM size (those not set). */
void set_default_reserves(vms_sys *sys);
/* mm.c: mmap_base (and the legacy base) for arch_mmap_rnd() = pages. */
void mm_set_mmap_rnd(struct vms_mm *mm, uint64_t pages);
/* sys.c: a hugetlb pool's size in pages, keeping pages in use or reserved. */
int hugetlb_pool_resize(vms_sys *sys, uint64_t page_size, uint64_t nr_pages);
bool sys_alloc_should_fail(vms_sys *sys);
void slab_init(struct slab *s, size_t obj_size);
void slab_destroy(struct slab *s);
must_check void *slab_alloc(vms_sys *sys, struct slab *s);
void slab_free(struct slab *s, void *obj);
/* Every byte the model holds from the host: heap allocations, slab chunks and
 * the slabs' chunk tables (for the benchmark's bytes per VMA). */
size_t sys_bytes_held(const vms_sys *sys);

/* ---- event.c: decisions as events (include/vmspace.h) ---- */

/* Whether anyone listens: every emission is guarded by it, so that with no
 * observer the model builds no event at all. VMS_NO_EVENTS compiles every
 * decision point out, to measure what the guards cost when no observer is
 * attached (docs/performance.md, "The observer when none is attached"). */
#ifdef VMS_NO_EVENTS
#define ev_on(sys) ((void)(sys), 0)
#else
#define ev_on(sys) __builtin_expect((sys)->observer != NULL, 0)
#endif
/* The emitting functions are out of line and cold, so that the decision
 * points keep their size (and their inlining) without an observer. */
#define ev_cold __attribute__((cold, noinline))
/* Fills the common fields and hands ev to the observer. */
ev_cold void ev_emit(const struct vms_mm *mm, int kind, const char *rule, uint64_t start, uint64_t end,
	     struct vms_event *ev);
struct vms_vma;
ev_cold void ev_vma(const struct vms_mm *mm, int kind, const struct vms_vma *v, int why,
	    const char *rule);
ev_cold void ev_split(const struct vms_mm *mm, uint64_t start, uint64_t end, uint64_t addr, int why);
ev_cold void ev_limit(const struct vms_mm *mm, const char *rule, int which, int ok, uint64_t asked,
	      uint64_t used, uint64_t max);

/* ---- small helpers ---- */

/* include/linux/err.h IS_ERR_VALUE(): the top 4095 values are errors; any
 * other value, even one with the sign bit set, is an address. */
static inline bool IS_ERR_VALUE(long x)
{
	return (uint64_t)x >= (uint64_t)-4095;
}

/* arch/x86 access_ok(): [addr, addr + len) ends at or below the top of user
 * space (TASK_SIZE_MAX, USER_PTR_MAX) without wrapping. */
static inline bool access_ok(const vms_sys *sys, uint64_t addr, uint64_t len)
{
	uint64_t top = sys->la57 ? TASK_SIZE_MAX_5LEVEL : DEFAULT_MAP_WINDOW;
	return addr + len >= addr && addr + len <= top;
}

static inline uint64_t vma_pages(const struct vms_vma *v)
{
	return (v->end - v->start) >> PAGE_SHIFT;
}

static inline uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static inline uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* include/linux/mm.h vma_is_anonymous(): no vm_ops. */
static inline bool vma_is_anonymous(const struct vms_vma *v)
{
	return (v->file == NULL && v->kind == VMA_PLAIN) || v->kind == VMA_ANON_FILE;
}

/* include/linux/hugetlb.h is_vm_hugetlb_page(). */
static inline bool vma_is_hugetlb(const struct vms_vma *v)
{
	return (v->flags & VM_HUGETLB) != 0;
}

static inline bool vma_is_shmem(const struct vms_vma *v)
{
	return v->kind == VMA_SHMEM;
}

/* Backed by a shmem file: shmem's own VMAs and System V attaches of a
 * shmem segment, whose shm_vm_ops forward to shmem's (shm_file_data). */
static inline bool vma_shmem_file(const struct vms_vma *v)
{
	return vma_is_shmem(v) || (v->kind == VMA_SHM && !vma_is_hugetlb(v));
}

#endif
