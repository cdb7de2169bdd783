/*
 * vmspace: the Linux (x86-64, 6.18) process address-space manager in user space.
 *
 * A vms_sys is one simulated machine: its sysctls, memory sizes, committed-memory
 * counter and files. It owns address spaces (vms_mm), which own VMAs. Nothing is
 * global, so several systems can run side by side. Not thread-safe: one system is
 * used by one thread at a time, as the kernel's mmap_lock would serialise it.
 *
 * Every system call returns what the syscall returns: a value, or -errno.
 * Constants below carry the Linux x86-64 ABI values so that the library can be
 * used on any host.
 */
#ifndef VMSPACE_H
#define VMSPACE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VMS_VERSION_MAJOR 0
#define VMS_VERSION_MINOR 1
#define VMS_VERSION_PATCH 0
#define VMS_VERSION_STRING "0.1.0"

typedef struct vms_sys vms_sys;
typedef struct vms_mm vms_mm;
typedef struct vms_vma vms_vma;
typedef struct vms_inode vms_inode;
typedef struct vms_file vms_file;
struct vms_mm_config;

/* ---- Linux ABI constants (x86-64) ---------------------------------------- */
#define VMS_PAGE_SIZE 4096ULL

#define VMS_PROT_NONE 0x0
#define VMS_PROT_READ 0x1
#define VMS_PROT_WRITE 0x2
#define VMS_PROT_EXEC 0x4
#define VMS_PROT_SEM 0x8
#define VMS_PROT_GROWSDOWN 0x01000000
#define VMS_PROT_GROWSUP 0x02000000

#define VMS_MAP_SHARED 0x01
#define VMS_MAP_PRIVATE 0x02
#define VMS_MAP_SHARED_VALIDATE 0x03
#define VMS_MAP_TYPE 0x0f
#define VMS_MAP_FIXED 0x10
#define VMS_MAP_ANONYMOUS 0x20
#define VMS_MAP_32BIT 0x40
#define VMS_MAP_GROWSDOWN 0x0100
#define VMS_MAP_DENYWRITE 0x0800
#define VMS_MAP_EXECUTABLE 0x1000
#define VMS_MAP_LOCKED 0x2000
#define VMS_MAP_NORESERVE 0x4000
#define VMS_MAP_POPULATE 0x8000
#define VMS_MAP_NONBLOCK 0x10000
#define VMS_MAP_STACK 0x20000
#define VMS_MAP_HUGETLB 0x40000
#define VMS_MAP_SYNC 0x80000
#define VMS_MAP_FIXED_NOREPLACE 0x100000
#define VMS_MAP_UNINITIALIZED 0x4000000
#define VMS_MAP_HUGE_SHIFT 26
#define VMS_MAP_HUGE_MASK 0x3f
#define VMS_MAP_HUGE_2MB (21 << VMS_MAP_HUGE_SHIFT)
#define VMS_MAP_HUGE_1GB (30 << VMS_MAP_HUGE_SHIFT)

#define VMS_MREMAP_MAYMOVE 1
#define VMS_MREMAP_FIXED 2
#define VMS_MREMAP_DONTUNMAP 4

/* mlock2(2) and mlockall(2) flags */
#define VMS_MLOCK_ONFAULT 0x01
#define VMS_MCL_CURRENT 1
#define VMS_MCL_FUTURE 2
#define VMS_MCL_ONFAULT 4

#define VMS_MADV_NORMAL 0
#define VMS_MADV_RANDOM 1
#define VMS_MADV_SEQUENTIAL 2
#define VMS_MADV_WILLNEED 3
#define VMS_MADV_DONTNEED 4
#define VMS_MADV_FREE 8
#define VMS_MADV_REMOVE 9
#define VMS_MADV_DONTFORK 10
#define VMS_MADV_DOFORK 11
#define VMS_MADV_MERGEABLE 12
#define VMS_MADV_UNMERGEABLE 13
#define VMS_MADV_HUGEPAGE 14
#define VMS_MADV_NOHUGEPAGE 15
#define VMS_MADV_DONTDUMP 16
#define VMS_MADV_DODUMP 17
#define VMS_MADV_WIPEONFORK 18
#define VMS_MADV_KEEPONFORK 19
#define VMS_MADV_COLD 20
#define VMS_MADV_PAGEOUT 21
#define VMS_MADV_POPULATE_READ 22
#define VMS_MADV_POPULATE_WRITE 23
#define VMS_MADV_DONTNEED_LOCKED 24
#define VMS_MADV_COLLAPSE 25
#define VMS_MADV_GUARD_INSTALL 102
#define VMS_MADV_GUARD_REMOVE 103
#define VMS_MADV_HWPOISON 100
#define VMS_MADV_SOFT_OFFLINE 101

/* personality(2) bits that change the address space */
#define VMS_ADDR_NO_RANDOMIZE 0x0040000
#define VMS_ADDR_COMPAT_LAYOUT 0x0200000
#define VMS_READ_IMPLIES_EXEC 0x0400000
#define VMS_ADDR_LIMIT_3GB 0x8000000

/* resources for vms_prlimit */
#define VMS_RLIMIT_DATA 2
#define VMS_RLIMIT_STACK 3
#define VMS_RLIMIT_MEMLOCK 8
#define VMS_RLIMIT_AS 9
#define VMS_RLIM_INFINITY (~0ULL)

/* capabilities the model knows about */
#define VMS_CAP_IPC_LOCK (1u << 0)
#define VMS_CAP_SYS_ADMIN (1u << 1)
#define VMS_CAP_SYS_RESOURCE (1u << 2)
#define VMS_CAP_SYS_RAWIO (1u << 3)
#define VMS_CAP_SYS_NICE (1u << 4)
#define VMS_CAP_IPC_OWNER (1u << 5)

/* open(2) access modes for vms_file_open */
#define VMS_O_RDONLY 0
#define VMS_O_WRONLY 1
#define VMS_O_RDWR 2
#define VMS_O_APPEND 02000

/* errno values (Linux), for hosts whose errno.h differs */
#define VMS_EPERM 1
#define VMS_ENOENT 2
#define VMS_ESRCH 3
#define VMS_EIO 5
#define VMS_E2BIG 7
#define VMS_ENOEXEC 8
#define VMS_EBADF 9
#define VMS_EAGAIN 11
#define VMS_ENOMEM 12
#define VMS_EACCES 13
#define VMS_EFAULT 14
#define VMS_EBUSY 16
#define VMS_EEXIST 17
#define VMS_ENODEV 19
#define VMS_ENOTDIR 20
#define VMS_EISDIR 21
#define VMS_EINVAL 22
#define VMS_ENOTTY 25
#define VMS_ETXTBSY 26
#define VMS_ENAMETOOLONG 36
#define VMS_ELOOP 40
#define VMS_EOVERFLOW 75
#define VMS_ELIBBAD 80
#define VMS_EOPNOTSUPP 95
#define VMS_EIDRM 43
#define VMS_ENOSPC 28
#define VMS_EFBIG 27
#define VMS_ERANGE 34
#define VMS_ENOSYS 38

/* ---- System --------------------------------------------------------------- */

/* A new machine with Linux's default sysctls, 16 GiB of RAM and no swap.
 * Returns NULL only when memory runs out. */
vms_sys *vms_sys_new(void);
/* Frees the system and everything it owns (address spaces, files). */
void vms_sys_free(vms_sys *sys);

/* Settings: every property of the machine that changes what the kernel
 * decides, by name. Sysctls by their /proc/sys name with dots
 * ("vm.max_map_count", "vm.overcommit_memory", "vm.overcommit_ratio",
 * "vm.overcommit_kbytes", "vm.admin_reserve_kbytes", "vm.user_reserve_kbytes",
 * "vm.mmap_min_addr", "vm.legacy_va_layout", "kernel.randomize_va_space",
 * "vm.mmap_rnd_bits"), the boot parameter "vm.stack_guard_gap" (pages),
 * "vm.transparent_hugepage" (0 never, 1 madvise, 2 always), kernel behaviours
 * and build options ("mm.zero_page": read faults map the shared zero page;
 * "config.lsm_mmap_min_addr", "config.anon_vma_name", "config.la57"), CPU
 * features ("cpu.pku"), memory ("meminfo.MemTotal", "meminfo.SwapTotal" in kB)
 * and hugetlb ("hugetlb.default_kB", "hugetlb.2048kB.present|nr_hugepages|
 * free_hugepages|resv_hugepages", the same for "hugetlb.1048576kB"), and
 * what exec installs: "vdso.vvar_pages", "vdso.vvar_vclock_pages",
 * "vdso.vdso_pages" (0: no vDSO), "vdso.vsyscall" (the [vsyscall] line),
 * "auxv.hwcap", "auxv.hwcap2", "auxv.minsigstksz", "auxv.clktck",
 * "auxv.rseq_feature_size" (0: no AT_RSEQ_* entries), "auxv.rseq_align".
 * vms_setting_info() lists them all with what each does.
 * Return 0, or -ENOENT for an unknown name, -EINVAL for a value the kernel's
 * handler would refuse, -EBUSY for a hugetlb change that pages in use forbid.
 * A value set here is the caller's (VMS_SETTING_CALLER): vms_sys_probe_host()
 * leaves it alone. */
int vms_sysctl_set(vms_sys *sys, const char *name, uint64_t value);
int vms_sysctl_get(const vms_sys *sys, const char *name, uint64_t *value);

/* Where a setting's value came from. */
enum vms_setting_source {
	VMS_SETTING_DEFAULT = 0, /* the model's Linux default */
	VMS_SETTING_HOST = 1,    /* read or measured on this machine (vms_sys_probe_host) */
	VMS_SETTING_CALLER = 2,  /* set through vms_sysctl_set & co. */
};
struct vms_setting_info {
	const char *name;
	uint64_t value;
	int source;        /* enum vms_setting_source */
	const char *what;  /* what the kernel does with it, one line */
	const char *probe; /* where vms_sys_probe_host() finds it */
};
/* The index-th setting (0, 1, ...): 0, or -ENOENT past the last. */
int vms_setting_info(const vms_sys *sys, size_t index, struct vms_setting_info *out);

/* Takes every setting the caller has not set from the machine this runs on:
 * files under /proc and /sys where one says it, and where none does, an
 * experiment in a throw-away child process (fork): the zero page (read fresh
 * pages, measure Rss), the LSM mmap floor, CONFIG_ANON_VMA_NAME, 5-level
 * paging, protection keys; exec's vDSO sizes, gate and auxv values from the
 * calling process's own /proc/self/maps and /proc/self/auxv. Returns how many settings it took, or -ENOSYS
 * where the host is not Linux (nothing changes then). */
int vms_sys_probe_host(vms_sys *sys);

/* The calling process's own capabilities (CapEff) and rlimits (getrlimit)
 * into cfg, for an address space that should start as this process would.
 * Returns 0, or -ENOSYS where the host is not Linux. */
int vms_host_mm_config(struct vms_mm_config *cfg);

/* Memory sizes in bytes; the commit limit and the default reserves follow. */
void vms_sys_set_memory(vms_sys *sys, uint64_t ram_bytes, uint64_t swap_bytes);
/* The hugetlb pool for a huge page size (2 MiB or 1 GiB): total pages.
 * Returns -EINVAL for another size. */
int vms_sys_set_hugetlb_pool(vms_sys *sys, uint64_t page_size, uint64_t nr_pages);

/* Pages committed across the system (the kernel's vm_committed_as) and the
 * commit limit (vm_commit_limit) in pages. */
uint64_t vms_sys_committed_pages(const vms_sys *sys);
uint64_t vms_sys_commit_limit_pages(const vms_sys *sys);

/* Test hook: make the Nth allocation from now fail (1 = the next), 0 = never. */
void vms_sys_fail_alloc_after(vms_sys *sys, uint64_t n);

/* /proc/meminfo lines CommitLimit and Committed_AS (and the hugetlb lines),
 * written like snprintf: returns the length the whole text needs. */
size_t vms_meminfo_text(const vms_sys *sys, char *buf, size_t size);

/* ---- Files ---------------------------------------------------------------- */

#define VMS_INODE_NOEXEC 0x1   /* lives on a noexec mount */
#define VMS_INODE_HUGETLBFS 0x2 /* lives on hugetlbfs (2 MiB pages) */
#define VMS_INODE_DAX 0x4       /* supports MAP_SYNC */
#define VMS_INODE_DELETED 0x8   /* unlinked: maps shows " (deleted)" */
#define VMS_INODE_DIRECTORY 0x10
#define VMS_INODE_NOMMAP 0x20   /* has no mmap method (-ENODEV) */
#define VMS_INODE_APPEND 0x40   /* append-only attribute (chattr +a) */
#define VMS_INODE_SHMEM 0x80    /* lives on tmpfs (shmem): /dev/shm, memfd, O_TMPFILE there */
#define VMS_INODE_DEVZERO 0x100 /* the /dev/zero character device */
#define VMS_INODE_SECRETMEM 0x200 /* a memfd_secret(2) file */
/* a pidfd's file: a regular file of pidfs, opened without O_LARGEFILE; with
 * NOMMAP: no mmap, and no fallocate or setattr (EOPNOTSUPP) */
#define VMS_INODE_PIDFS 0x400

struct vms_inode_info {
	uint32_t dev_major, dev_minor;
	uint64_t ino;
	uint64_t size;    /* bytes */
	const char *path; /* shown in maps */
	uint32_t flags;   /* VMS_INODE_* */
};

/* The inode with this device and number, created from info if new (then the
 * path, size and flags are taken), else the existing one. NULL on no memory. */
vms_inode *vms_inode_get(vms_sys *sys, const struct vms_inode_info *info);
void vms_inode_set_size(vms_inode *inode, uint64_t size);
void vms_inode_unlink(vms_inode *inode);
/* An open file description (the kernel's struct file): access mode and
 * O_APPEND. Two opens of one inode are two files, and VMAs of different files
 * never merge, as in the kernel. NULL on no memory. */
vms_file *vms_file_open(vms_inode *inode, int oflags);
/* Drops the caller's reference; mappings keep the file alive. */
void vms_file_close(vms_file *file);
/* How many VMAs, over all address spaces, map the inode (its i_mmap). */
size_t vms_inode_mapcount(const vms_inode *inode);
/* The inode an open file is of. */
vms_inode *vms_file_inode(const vms_file *file);
/* Gives a file of one of the kernel's internal mounts (memfd, memfd_secret:
 * made by the model, numbered by its own get_next_ino() counter) the inode
 * number a trace showed for it. -EINVAL for an inode of vms_inode_get(),
 * whose number names it. */
long vms_inode_set_ino(vms_inode *inode, uint64_t ino);

/* ---- Shared memory: System V segments, memfd, seals ---------------------- */

/* shmget(2) flags and keys (include/uapi/linux/ipc.h, shm.h) */
#define VMS_IPC_PRIVATE 0
#define VMS_IPC_CREAT 01000
#define VMS_IPC_EXCL 02000
#define VMS_SHM_HUGETLB 04000
#define VMS_SHM_NORESERVE 010000
#define VMS_SHM_HUGE_SHIFT 26
/* shmat(2) flags */
#define VMS_SHM_RDONLY 010000
#define VMS_SHM_RND 020000
#define VMS_SHM_REMAP 040000
#define VMS_SHM_EXEC 0100000
/* shmctl(2) commands */
#define VMS_IPC_RMID 0
#define VMS_IPC_SET 1
#define VMS_IPC_STAT 2
#define VMS_IPC_INFO 3
#define VMS_SHM_LOCK 11
#define VMS_SHM_UNLOCK 12
#define VMS_SHM_STAT 13
#define VMS_SHM_INFO 14
#define VMS_SHM_STAT_ANY 15
/* shm_perm.mode bits besides the permissions */
#define VMS_SHM_DEST 01000
#define VMS_SHM_LOCKED 02000

/* What shmctl reads or writes. IPC_STAT, SHM_STAT(_ANY): key (IPC_PRIVATE
 * once removed), mode, segsz, nattch; IPC_SET takes mode's permission bits;
 * IPC_INFO fills the limits; SHM_INFO used_ids and shm_tot. */
struct vms_shmid_ds {
	int32_t key;
	uint32_t mode;
	uint64_t segsz;  /* bytes, as asked */
	uint64_t nattch; /* VMAs mapping it, in every address space */
	uint32_t uid, gid, cuid, cgid; /* owner and creator (IPC_SET sets the owner) */
	uint64_t shmmax, shmmin, shmmni, shmall;
	uint64_t used_ids, shm_tot;
};

/* System V shared memory (ipc/shm.c). The segments belong to the system (one
 * IPC namespace); mm is the calling process (its creator, for
 * kernel.shm_rmid_forced at exit). A segment belongs to its creator's
 * effective uid and gid; permissions follow ipcperms() with the caller's
 * euid and fsgid (no supplementary groups are modelled), VMS_CAP_IPC_OWNER
 * skipping the bits, and only the owner, the creator or CAP_SYS_ADMIN may
 * IPC_SET or IPC_RMID. Each returns what the syscall returns. */
long vms_shmget(vms_mm *mm, int32_t key, uint64_t size, int shmflg);
long vms_shmat(vms_mm *mm, int shmid, uint64_t addr, int shmflg);
long vms_shmdt(vms_mm *mm, uint64_t addr);
long vms_shmctl(vms_mm *mm, int shmid, int cmd, struct vms_shmid_ds *buf);

/* memfd_create(2) flags (include/uapi/linux/memfd.h) */
#define VMS_MFD_CLOEXEC 0x1u
#define VMS_MFD_ALLOW_SEALING 0x2u
#define VMS_MFD_HUGETLB 0x4u
#define VMS_MFD_NOEXEC_SEAL 0x8u
#define VMS_MFD_EXEC 0x10u
#define VMS_MFD_HUGE_SHIFT 26
/* fcntl(2) F_ADD_SEALS / F_GET_SEALS seals */
#define VMS_F_SEAL_SEAL 0x1u
#define VMS_F_SEAL_SHRINK 0x2u
#define VMS_F_SEAL_GROW 0x4u
#define VMS_F_SEAL_WRITE 0x8u
#define VMS_F_SEAL_FUTURE_WRITE 0x10u
#define VMS_F_SEAL_EXEC 0x20u

/* memfd_create(2): a new file of size 0 on the kernel's internal shmem (or,
 * with VMS_MFD_HUGETLB, hugetlbfs) mount, "/memfd:NAME (deleted)" in maps,
 * open read-write: 0 with *out set (vms_file_close it), or -errno. */
long vms_memfd_create(vms_sys *sys, const char *name, unsigned flags, vms_file **out);
/* memfd_secret(2): "/secretmem (deleted)"; flags 0 or O_CLOEXEC (02000000). */
long vms_memfd_secret(vms_sys *sys, unsigned flags, vms_file **out);
/* ftruncate(2) of an open file: the new size, within the seals, hugetlbfs's
 * page size and secretmem's one-time size; pages past a shrunk end leave
 * every mapping. 0 or -errno. */
long vms_ftruncate(vms_file *file, int64_t length);
/* fallocate(2): grows the file (mode 0, FALLOC_FL_ZERO_RANGE) unless
 * FALLOC_FL_KEEP_SIZE (1), or punches a hole (FALLOC_FL_PUNCH_HOLE|
 * FALLOC_FL_KEEP_SIZE, 3) whose pages leave every mapping; within the
 * seals and the filesystem's modes. 0 or -errno. */
long vms_fallocate(vms_file *file, int mode, int64_t offset, int64_t len);
/* fcntl(F_ADD_SEALS) and fcntl(F_GET_SEALS) (mm/memfd.c); fcntl passes
 * the argument's low 32 bits (fs/fcntl.c do_fcntl). */
long vms_add_seals(vms_file *file, unsigned seals);
long vms_get_seals(const vms_file *file);

/* ---- Address spaces ------------------------------------------------------- */

struct vms_rlimit {
	uint64_t cur, max;
};

/* A process's credentials (include/linux/cred.h): ids and the capability
 * sets, bit n = capability n of include/uapi/linux/capability.h. */
struct vms_creds {
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
	uint64_t cap_inheritable, cap_permitted, cap_effective, cap_bset, cap_ambient;
	unsigned securebits; /* SECBIT_* (SECBIT_KEEP_CAPS 1 << 4, ...) */
};

/* How a new address space starts, as exec would set it up. Zeroed fields take
 * Linux defaults: rlimits of a login shell (8 MiB stack, 8 MiB memlock,
 * unlimited data/as), personality 0, no capabilities. */
struct vms_mm_config {
	unsigned personality;     /* after exec: VMS_ADDR_NO_RANDOMIZE, ... (a 64-bit exec
				   * clears READ_IMPLIES_EXEC on x86-64) */
	uint64_t seed;            /* randomisation seed (when randomising) */
	unsigned caps;            /* VMS_CAP_* */
	int has_rlimits;          /* use rlim_* below */
	struct vms_rlimit rlim_stack, rlim_data, rlim_as, rlim_memlock;
	/* With has_creds, the process's credentials (caps above is then
	 * ignored); without, uid and gid 0 with caps as the only capabilities
	 * (effective, permitted and bounding: an exec keeps them). */
	int has_creds;
	struct vms_creds creds;
};

/* An empty address space (no VMAs) with its layout computed from cfg
 * (NULL = defaults). NULL on no memory. */
vms_mm *vms_mm_new(vms_sys *sys, const struct vms_mm_config *cfg);
void vms_mm_free(vms_mm *mm);

/* Program break and image boundaries, as the ELF loader would set them. */
void vms_mm_set_brk_start(vms_mm *mm, uint64_t start_brk);
void vms_mm_set_image(vms_mm *mm, uint64_t start_code, uint64_t end_code,
		      uint64_t start_data, uint64_t end_data, uint64_t start_stack);

/* Imports a /proc/PID/maps text into an empty address space: [heap] uses
 * start_brk (0 = the heap VMA's start), [stack] becomes a grows-down stack,
 * [vdso]/[vvar]/[vvar_vclock] special mappings, file lines become files of the
 * system. Returns 0, -EINVAL (with *bad_line set, 1-based) or -ENOMEM. */
int vms_mm_import_maps(vms_mm *mm, const char *text, uint64_t start_brk, int *bad_line);
/* The same, with VMS_IMPORT_* flags. VMS_IMPORT_AT_EXEC: the text was read
 * right after exec, before the program's first memory call (as `vmspace
 * replay --initial-maps` takes it): the ELF loader mapped each segment on its
 * own, so a read-only file line followed by the writable data of the same
 * file is not taken to be RELRO (which would give it VM_ACCOUNT and the
 * data's anon_vma, and let ld.so's later mprotect merge it). */
#define VMS_IMPORT_AT_EXEC 0x1u
int vms_mm_import_maps_flags(vms_mm *mm, const char *text, uint64_t start_brk, unsigned flags,
			     int *bad_line);

/* The address-space layout numbers. */
struct vms_mm_layout {
	uint64_t task_size, mmap_base, mmap_legacy_base;
	int topdown;
	uint64_t start_brk, brk, start_stack;
};
void vms_mm_get_layout(const vms_mm *mm, struct vms_mm_layout *out);

/* Counters, in pages (map_count in VMAs). */
struct vms_mm_counters {
	uint64_t total_vm, data_vm, exec_vm, stack_vm, locked_vm, pinned_vm;
	uint64_t rss_anon, rss_file, rss_shmem, hiwater_vm, hiwater_rss;
	uint64_t map_count;
};
void vms_mm_get_counters(const vms_mm *mm, struct vms_mm_counters *out);

/* ---- System calls --------------------------------------------------------- */

long vms_mmap(vms_mm *mm, uint64_t addr, uint64_t len, int prot, int flags, vms_file *file,
	      uint64_t offset);
long vms_munmap(vms_mm *mm, uint64_t addr, uint64_t len);
long vms_mprotect(vms_mm *mm, uint64_t addr, uint64_t len, unsigned long prot);
long vms_pkey_mprotect(vms_mm *mm, uint64_t addr, uint64_t len, unsigned long prot, int pkey);
long vms_brk(vms_mm *mm, uint64_t brk);
long vms_mremap(vms_mm *mm, uint64_t old_addr, uint64_t old_len, uint64_t new_len, int flags,
		uint64_t new_addr);
long vms_madvise(vms_mm *mm, uint64_t addr, uint64_t len, int advice);
long vms_mlock(vms_mm *mm, uint64_t addr, uint64_t len);
long vms_munlock(vms_mm *mm, uint64_t addr, uint64_t len);
/* mlock2(addr, len, flags): flags 0 or VMS_MLOCK_ONFAULT. */
long vms_mlock2(vms_mm *mm, uint64_t addr, uint64_t len, int flags);
/* mlockall(VMS_MCL_*) and munlockall(): MCL_FUTURE locks later mappings too. */
long vms_mlockall(vms_mm *mm, int flags);
long vms_munlockall(vms_mm *mm);
/* prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, addr, len, name); name NULL clears. */
long vms_set_anon_name(vms_mm *mm, uint64_t addr, uint64_t len, const char *name);
/* prlimit64 on the process itself: new_lim may be NULL (query), old_lim may be NULL. */
long vms_prlimit(vms_mm *mm, int resource, const struct vms_rlimit *new_lim,
		 struct vms_rlimit *old_lim);
/* mseal(addr, len, flags): seals every VMA of [addr, addr+len) (flags must be
 * 0; a hole anywhere is -ENOMEM). A sealed VMA refuses munmap, mremap,
 * mprotect, MAP_FIXED over it, a shrinking brk and the advice that discards
 * read-only anonymous memory, with -EPERM; vms_vma_info.vm_flags shows
 * VMS_VM_SEALED, and fork keeps it. */
#define VMS_VM_SEALED (1ULL << 42)
long vms_mseal(vms_mm *mm, uint64_t addr, uint64_t len, unsigned long flags);
/* msync(addr, len, flags): VMS_MS_ASYNC or VMS_MS_SYNC, with VMS_MS_INVALIDATE
 * (-EBUSY on locked memory); holes are -ENOMEM after the mapped part. */
#define VMS_MS_ASYNC 1
#define VMS_MS_INVALIDATE 2
#define VMS_MS_SYNC 4
long vms_msync(vms_mm *mm, uint64_t addr, uint64_t len, int flags);
/* mincore(addr, len, vec): vec gets one byte per page of the range, 1 where
 * the model maps the page (src/mincore.c says what it cannot know: the page
 * cache of files, swap, transparent huge pages). vec NULL stands for a vector
 * the process cannot write: -EFAULT, after the first VMA is found. */
long vms_mincore(vms_mm *mm, uint64_t addr, uint64_t len, unsigned char *vec);
/* remap_file_pages(start, size, prot, pgoff, flags): the kernel's emulation,
 * an mmap of the shared VMA's file over the range at pgoff (prot must be 0). */
long vms_remap_file_pages(vms_mm *mm, uint64_t start, uint64_t size, unsigned long prot,
			  uint64_t pgoff, unsigned long flags);
/* process_madvise(pidfd, iov, vlen, advice, flags) from the process of mm:
 * target is the address space the pidfd names (mm itself for its own), or
 * NULL with lookup_err what looking the pidfd up gave (-EBADF: not a pidfd,
 * -ESRCH: the process is gone), which the kernel reports after the iovec
 * checks. Returns the bytes advised (the segments done before an error), or
 * -errno. Another process takes only COLD, PAGEOUT, WILLNEED and COLLAPSE,
 * and needs VMS_CAP_SYS_NICE. iov NULL with vlen > 0 is -EFAULT. Each segment
 * is one vms_madvise(): a failure in a later one (the model's -ENOMEM too)
 * ends the walk with the earlier segments done, as the kernel's would. */
struct vms_iovec {
	uint64_t base, len;
};
long vms_process_madvise(vms_mm *mm, vms_mm *target, long lookup_err,
			 const struct vms_iovec *iov, uint64_t vlen, int advice, unsigned flags);
/* process_mrelease(pidfd, flags), the pidfd resolved as for process_madvise:
 * flags must be 0; a live process is -EINVAL (only a dying one is reaped). */
long vms_process_mrelease(const vms_mm *target, long lookup_err, unsigned flags);
/* A memory access as an emulator reports it: returns 0 when the access is
 * allowed (the page becomes resident; a first write to a private VMA gives it
 * its anon_vma; a touch below a grows-down stack expands it), or -EFAULT
 * (SIGSEGV: no VMA) or -EACCES (SIGSEGV: protection). */
long vms_fault(vms_mm *mm, uint64_t addr, int write);
/* fork(): a copy of the address space, or NULL with *err set (-ENOMEM). */
vms_mm *vms_fork(vms_mm *mm, int *err);

/* ---- execve --------------------------------------------------------------- */

/* What exec needs to know of a file. */
struct vms_exec_stat {
	uint64_t size;
	uint32_t mode; /* st_mode: type and permission bits */
	uint32_t uid, gid;
	uint32_t dev_major, dev_minor;
	uint64_t ino;
	int noexec; /* lives on a noexec mount */
};
/* How exec reads files: NULL = the host's files (stat, realpath, pread), or
 * an embedder's. */
struct vms_exec_fs {
	void *arg;
	/* Resolves path (a relative path was already joined to the cwd of
	 * vms_exec_args when that is not NULL; else the host's cwd applies) and
	 * stats it, following symbolic links: 0 or -errno (ENOENT, EACCES,
	 * ENOTDIR, ELOOP, ENAMETOOLONG, ...). canonical receives the resolved
	 * path, as maps prints it. */
	int (*stat)(void *arg, const char *path, struct vms_exec_stat *st, char *canonical,
		    size_t canonical_size);
	/* Reads up to len bytes at off of the file named by a canonical path:
	 * the bytes read (fewer at the end of the file), or -errno. */
	long (*read)(void *arg, const char *canonical, uint64_t off, void *buf, size_t len);
};
/* The random choices of one exec, in pages, as the kernel draws them:
 * vms_exec_info tells what the model chose, and vms_exec_args.layout can
 * impose them (a replay of a log recorded with ASLR on learns the kernel's
 * from the log's results). An imposed value is taken as it is, without the
 * kernel's mask, so that it can also undo the model's own offsets; one that
 * would put the stack top or mmap_base above the map window is no choice the
 * kernel makes, and vms_execve refuses it with EINVAL. */
struct vms_exec_layout {
	unsigned fixed;     /* VMS_EXEC_FIX_*: the fields to impose */
	uint64_t mmap_rnd;  /* arch_mmap_rnd(): mmap_base lies this much lower */
	uint64_t stack_rnd; /* randomize_stack_top(): the stack top lies this much lower */
	uint64_t load_rnd;  /* a PIE's load bias lies this much above ELF_ET_DYN_BASE */
	uint64_t brk_rnd;   /* arch_randomize_brk(): the brk lies this much higher */
};
#define VMS_EXEC_FIX_MMAP 0x1u
#define VMS_EXEC_FIX_STACK 0x2u
#define VMS_EXEC_FIX_LOAD 0x4u
#define VMS_EXEC_FIX_BRK 0x8u
struct vms_exec_args {
	const char *filename;        /* as given to execve */
	const char *const *argv;     /* NULL-terminated (NULL = no arguments) */
	const char *const *envp;     /* NULL-terminated (NULL = empty) */
	const struct vms_exec_fs *fs; /* NULL: the host's files */
	const char *cwd;             /* for relative paths (NULL: the host's cwd) */
	const struct vms_exec_layout *layout; /* random choices to impose (NULL: none) */
};
#define VMS_EXEC_MAX_AUXV 40
struct vms_exec_info {
	uint64_t entry;       /* first instruction: the interpreter's entry when there is one */
	uint64_t load_bias;   /* the program's (0 for ET_EXEC) */
	uint64_t interp_base; /* AT_BASE (0 without interpreter) */
	uint64_t sp;          /* initial stack pointer (points at argc) */
	uint64_t auxv[VMS_EXEC_MAX_AUXV][2];
	size_t nauxv;         /* entries as the kernel writes them, AT_NULL last */
	uint64_t start_code, end_code, start_data, end_data, start_brk, brk, start_stack;
	uint64_t arg_start, arg_end, env_start, env_end;
	/* The PT_INTERP path ("" without one); after #! the script
	 * interpreters are in the argv of the stack. */
	char interp[4096];
	/* The top of the new stack as the kernel wrote it: bytes
	 * [stack_addr, stack_addr + stack_len), malloc'd by the library (free
	 * with vms_exec_info_free). The 16 AT_RANDOM bytes come from the
	 * model's generator. */
	uint8_t *stack_bytes;
	uint64_t stack_addr;
	size_t stack_len;
	/* The random choices made (with ASLR off, zeros), and the program's
	 * PT_GNU_RELRO as ld.so mprotects it (page-rounded; 0, 0 without one). */
	struct vms_exec_layout layout;
	uint64_t relro_start, relro_end;
	/* On failure only this is set: 1 when the kernel had passed the point
	 * of no return (begin_new_exec) and kills the process instead of
	 * returning the error to it. */
	int fatal;
};
/*
 * execve(): a new address space for the program, as fs/exec.c and
 * fs/binfmt_elf.c / fs/binfmt_script.c build it, or NULL with *err = -errno
 * where execve fails (ENOENT, EACCES, ENOEXEC, E2BIG, ELOOP, ETXTBSY, EINVAL,
 * ENOMEM, EIO, ELIBBAD, ...). old (may be NULL) is the process's address space
 * before the exec: it is never changed (a failure before the point of no
 * return leaves the process as it was; the caller frees old on success). cfg
 * gives the personality (VMS_ADDR_NO_RANDOMIZE = ASLR off), the seed of the
 * model's generator for every random choice, rlimits (RLIMIT_STACK decides
 * the layout and the stack growth), capabilities and the ids. info (may be
 * NULL) receives what the kernel hands the program.
 * With old, the process is what old holds and cfg gives only the seed: the
 * permission to execute is checked with old's ids; the new space gets old's
 * credentials as a plain exec recomputes them (root's permitted set refilled
 * from the bounding set, others keep the ambient set, SECBIT_KEEP_CAPS goes),
 * old's personality without READ_IMPLIES_EXEC (a 64-bit program), old's
 * rlimits and task memory policy, old's THP-disable and MDWE flags (not MDWE
 * with NO_INHERIT) and no mlockall(MCL_FUTURE); protection keys start afresh.
 * A secure exec (AT_SECURE 1, RLIMIT_STACK cut to 8 MiB) is one with an euid
 * or egid other than the real one, or a real uid other than 0 gaining
 * capabilities; a permitted set that grows clears READ_IMPLIES_EXEC,
 * ADDR_NO_RANDOMIZE and ADDR_COMPAT_LAYOUT (PER_CLEAR_ON_SETID).
 * Not modelled: 32-bit (ia32, x32) programs, binfmt_misc, setuid/setgid and
 * file capabilities, MMAP_PAGE_ZERO.
 */
vms_mm *vms_execve(vms_sys *sys, const vms_mm *old, const struct vms_mm_config *cfg,
		   const struct vms_exec_args *args, struct vms_exec_info *info, long *err);
/*
 * The process moves from old to mm, the space a vms_execve of old built
 * (fs/exec.c exec_mmap): what belongs to the process and not to its space
 * follows it, the System V segments it created (ipc/shm.c shm_creator: they
 * are orphaned at its exit, not at an exec). Then free old as usual: its
 * VMAs go with their attaches (shm_close), and its exit leaves no segment
 * orphaned. Not for a vfork child's exec: old stays its parent's.
 */
void vms_exec_commit(vms_mm *mm, vms_mm *old);
void vms_exec_info_free(struct vms_exec_info *info);
/* The host's files as exec reads them (what args->fs = NULL means); its stat
 * and read return -ENOSYS where the host is not Linux. */
const struct vms_exec_fs *vms_exec_host_fs(void);

/* ---- Memory policy, protection keys, prctl, personality, credentials ---- */

/* set_mempolicy(2)/mbind(2) modes and mode flags, mbind flags, get_mempolicy flags */
#define VMS_MPOL_DEFAULT 0
#define VMS_MPOL_PREFERRED 1
#define VMS_MPOL_BIND 2
#define VMS_MPOL_INTERLEAVE 3
#define VMS_MPOL_LOCAL 4
#define VMS_MPOL_PREFERRED_MANY 5
#define VMS_MPOL_WEIGHTED_INTERLEAVE 6
#define VMS_MPOL_F_NUMA_BALANCING (1 << 13)
#define VMS_MPOL_F_RELATIVE_NODES (1 << 14)
#define VMS_MPOL_F_STATIC_NODES (1 << 15)
#define VMS_MPOL_MF_STRICT 1
#define VMS_MPOL_MF_MOVE 2
#define VMS_MPOL_MF_MOVE_ALL 4
#define VMS_MPOL_F_NODE 1
#define VMS_MPOL_F_ADDR 2
#define VMS_MPOL_F_MEMS_ALLOWED 4

/*
 * Node masks live in the caller's (user) memory: nmask points at the words
 * the process has there and nmask_words says how many of them the kernel
 * could read (or write); a read or write past them is EFAULT, as a copy
 * from or to user memory past a mapping is. NULL is the NULL pointer; a
 * pointer to nothing (a bad address) is a non-NULL nmask with 0 words.
 */
long vms_mbind(vms_mm *mm, uint64_t start, uint64_t len, uint64_t mode, const uint64_t *nmask,
	       size_t nmask_words, uint64_t maxnode, unsigned flags);
long vms_set_mempolicy(vms_mm *mm, int mode, const uint64_t *nmask, size_t nmask_words,
		       uint64_t maxnode);
/* mode NULL: the NULL pointer. On success *mode and the words of nmask the
 * kernel writes (cleared ones included) are set. */
long vms_get_mempolicy(vms_mm *mm, int *mode, uint64_t *nmask, size_t nmask_words,
		       uint64_t maxnode, uint64_t addr, uint64_t flags);
long vms_set_mempolicy_home_node(vms_mm *mm, uint64_t start, uint64_t len, uint64_t home_node,
				 uint64_t flags);

/* pkey_alloc(2)/pkey_free(2); pkey_mprotect is above. init_val: PKEY_DISABLE_* */
#define VMS_PKEY_DISABLE_ACCESS 1
#define VMS_PKEY_DISABLE_WRITE 2
long vms_pkey_alloc(vms_mm *mm, uint64_t flags, uint64_t init_val);
long vms_pkey_free(vms_mm *mm, int pkey);

/* map_shadow_stack(2) (x86 syscall 453) */
#define VMS_SHADOW_STACK_SET_TOKEN 1
long vms_map_shadow_stack(vms_mm *mm, uint64_t addr, uint64_t size, uint64_t flags);

/* prctl(2) options the model applies; others are -EINVAL as unknown. */
#define VMS_PR_GET_DUMPABLE 3
#define VMS_PR_SET_DUMPABLE 4
#define VMS_PR_SET_MM 35
#define VMS_PR_SET_THP_DISABLE 41
#define VMS_PR_GET_THP_DISABLE 42
#define VMS_PR_SET_MDWE 65
#define VMS_PR_GET_MDWE 66
#define VMS_PR_THP_DISABLE_EXCEPT_ADVISED (1 << 1)
#define VMS_PR_MDWE_REFUSE_EXEC_GAIN 1
#define VMS_PR_MDWE_NO_INHERIT 2
#define VMS_PR_SET_MM_START_CODE 1
#define VMS_PR_SET_MM_END_CODE 2
#define VMS_PR_SET_MM_START_DATA 3
#define VMS_PR_SET_MM_END_DATA 4
#define VMS_PR_SET_MM_START_STACK 5
#define VMS_PR_SET_MM_START_BRK 6
#define VMS_PR_SET_MM_BRK 7
#define VMS_PR_SET_MM_ARG_START 8
#define VMS_PR_SET_MM_ARG_END 9
#define VMS_PR_SET_MM_ENV_START 10
#define VMS_PR_SET_MM_ENV_END 11
#define VMS_PR_SET_MM_AUXV 12
#define VMS_PR_SET_MM_EXE_FILE 13
#define VMS_PR_SET_MM_MAP 14
#define VMS_PR_SET_MM_MAP_SIZE 15
/* PR_SET_THP_DISABLE, PR_GET_THP_DISABLE, PR_SET_MDWE, PR_GET_MDWE,
 * PR_SET_DUMPABLE, PR_GET_DUMPABLE (what process_madvise's access check
 * reads; an id change makes a process fs.suid_dumpable) and PR_SET_MM with
 * the single-field options (START_CODE .. ENV_END); the other PR_SET_MM options take user structures and are -EINVAL here
 * (PR_SET_MM_MAP: vms_prctl_set_mm_map). */
long vms_prctl(vms_mm *mm, int option, uint64_t arg2, uint64_t arg3, uint64_t arg4,
	       uint64_t arg5);
/* include/uapi/linux/prctl.h struct prctl_mm_map, without auxv and exe_fd. */
struct vms_prctl_mm_map {
	uint64_t start_code, end_code, start_data, end_data, start_brk, brk, start_stack;
	uint64_t arg_start, arg_end, env_start, env_end;
};
/* prctl(PR_SET_MM, PR_SET_MM_MAP, &map, sizeof(map) = 104, 0) with auxv
 * NULL/0 and exe_fd -1: the whole set of boundaries at once. */
long vms_prctl_set_mm_map(vms_mm *mm, const struct vms_prctl_mm_map *map);
/* The boundaries PR_SET_MM sets (what /proc/PID/stat shows). */
void vms_mm_get_mm_map(const vms_mm *mm, struct vms_prctl_mm_map *out);

/* personality(2): 0xffffffff only asks; returns the old persona. A new
 * persona's READ_IMPLIES_EXEC applies at once; the layout bits
 * (ADDR_NO_RANDOMIZE, ADDR_COMPAT_LAYOUT, ADDR_LIMIT_3GB) at the next exec. */
long vms_personality(vms_mm *mm, uint64_t persona);

/* capget(2)/capset(2) on the process itself (pid 0 or its own pid, which
 * the caller passes as self_pid). version: _LINUX_CAPABILITY_VERSION_1/2/3. */
#define VMS_CAP_VERSION_1 0x19980330u
#define VMS_CAP_VERSION_2 0x20071026u
#define VMS_CAP_VERSION_3 0x20080522u
struct vms_cap_data {
	uint64_t effective, permitted, inheritable;
};
/* *version_out (may be NULL) gets what the kernel writes back into the
 * header's version (VERSION_3 when an unknown one was asked for). */
long vms_capget(vms_mm *mm, uint32_t version, int pid, int self_pid, struct vms_cap_data *out,
		uint32_t *version_out);
long vms_capset(vms_mm *mm, uint32_t version, int pid, int self_pid,
		const struct vms_cap_data *data);
/* setuid(2), setresuid(2), setgid(2), setresgid(2); (uint32_t)-1 keeps an id. */
long vms_setuid(vms_mm *mm, uint32_t uid);
long vms_setresuid(vms_mm *mm, uint32_t ruid, uint32_t euid, uint32_t suid);
long vms_setgid(vms_mm *mm, uint32_t gid);
long vms_setresgid(vms_mm *mm, uint32_t rgid, uint32_t egid, uint32_t sgid);
void vms_mm_get_creds(const vms_mm *mm, struct vms_creds *out);

/* ---- Decisions as events -------------------------------------------------- */

/*
 * Every decision the model makes for a system call, as the kernel function
 * whose rule made it: where a mapping goes and why, which VMAs are created,
 * removed, split or merged (and when a merge is refused, the first condition
 * that failed), which limit was checked with what numbers, what a fault did,
 * what fork copied and exec placed. An embedder attaches an observer to a
 * system; with none attached (the default) nothing is built or called.
 *
 * When: events are emitted as the decisions are made, in the kernel's order,
 * during the call that makes them; the observer runs before the call
 * returns and must not call back into the system. VMA events (NEW, GONE,
 * SPLIT, MERGE) describe only changes that stay: the model reserves its
 * memory before it changes anything, so a call that fails for the model's
 * own lack of memory (vms_sys_fail_alloc_after) emits no VMA event, and a
 * call the kernel refuses half-way (a second split over max_map_count, a
 * mapping whose old range was already unmapped) emits exactly the changes
 * the kernel leaves behind. The refusal itself is a VMS_EV_LIMIT event with
 * ok = 0 where a limit refused it; other errors have no event of their own
 * (the call's return value says them).
 *
 * Meanings are stable: a field keeps its meaning in later versions, new kinds
 * and reasons get new numbers. Pointers in an event live until the observer
 * returns. Addresses are bytes, counts of memory are pages unless named
 * otherwise.
 */
enum vms_event_kind {
	VMS_EV_PLACE = 1,     /* a gap search (u.place) */
	VMS_EV_HINT = 2,      /* what became of the caller's address (u.hint) */
	VMS_EV_VMA_NEW = 3,   /* a VMA [start, end) was created (u.vma) */
	VMS_EV_VMA_GONE = 4,  /* the VMA [start, end) was removed (u.vma) */
	VMS_EV_VMA_SPLIT = 5, /* the VMA [start, end) was cut at u.split.addr */
	VMS_EV_VMA_MERGE = 6, /* [start, end) joined neighbours (u.merge) */
	VMS_EV_MERGE_REFUSED = 7, /* a touching neighbour could not join (u.refuse) */
	VMS_EV_LIMIT = 8,     /* a limit or the commit counter was checked (u.limit) */
	VMS_EV_ANON_VMA = 9,  /* a VMA got its anon_vma (u.anon) */
	VMS_EV_STACK_GROW = 10, /* a grows-down stack now starts at start (u.grow) */
	VMS_EV_RESIDENT = 11, /* the pages of [start, end) were faulted in (u.resident) */
	VMS_EV_FORK_VMA = 12, /* fork copied or skipped the VMA [start, end) (u.fork) */
	VMS_EV_EXEC_MAP = 13, /* exec mapped [start, end) (u.exec) */
};

/* VMS_EV_HINT verdicts. */
enum vms_hint_verdict {
	VMS_HINT_TAKEN = 1,       /* the hint's range was free: used as is */
	VMS_HINT_RAISED = 2,      /* below mmap_min_addr: raised to it (round_hint_to_min) */
	VMS_HINT_OUTSIDE = 3,     /* past TASK_SIZE or across the 47-bit window: searched */
	VMS_HINT_OVERLAP = 4,     /* the range (or a stack's guard gap) is taken: searched */
	VMS_HINT_FIXED = 5,       /* MAP_FIXED: used as is, what was there is replaced */
	VMS_HINT_NOREPLACE = 6,   /* MAP_FIXED_NOREPLACE over a VMA: -EEXIST */
};

/* Why a VMA was created or removed (u.vma.why), and why one was split. */
enum vms_vma_why {
	VMS_WHY_MMAP = 1,    /* mmap (and shmat, remap_file_pages, map_shadow_stack) */
	VMS_WHY_MUNMAP = 2,  /* an unmap: munmap, or the old range of a MAP_FIXED or mremap */
	VMS_WHY_BRK = 3,     /* brk's heap */
	VMS_WHY_MREMAP = 4,  /* mremap moved or copied a VMA */
	VMS_WHY_MODIFY = 5,  /* part of a VMA changes attributes (mprotect, mlock,
			      * madvise, mbind, mseal: vma_modify) */
	VMS_WHY_FORK = 6,    /* fork's copy */
	VMS_WHY_EXEC = 7,    /* execve's new address space */
	VMS_WHY_OTHER = 8,
};

/* How a merge went (u.merge.with). */
#define VMS_MERGE_PREV 1 /* [start, end) joined the VMA below */
#define VMS_MERGE_NEXT 2 /* ... the VMA above */
#define VMS_MERGE_BOTH 3 /* ... both: they became one */

/* The first condition that refused a merge (u.refuse.reason), in the order
 * mm/vma.c checks them. */
enum vms_merge_refusal {
	VMS_REFUSE_SPECIAL = 1, /* VM_SPECIAL (VM_IO, VM_PFNMAP, ...) never merges */
	VMS_REFUSE_POLICY = 2,  /* memory policies differ (mpol_equal) */
	VMS_REFUSE_FLAGS = 3,   /* vm_flags differ beyond the sticky ones */
	VMS_REFUSE_UFFD = 4,    /* only userfaultfd flags differ */
	VMS_REFUSE_FILE = 5,    /* other file (or file against anonymous) */
	VMS_REFUSE_NAME = 6,    /* anon VMA names differ */
	VMS_REFUSE_ANON_VMA = 7, /* anon_vmas differ, or one came through fork */
	VMS_REFUSE_PGOFF = 8,   /* page offsets do not continue */
	VMS_REFUSE_CLOSE = 9,   /* the VMA a merge would remove has vm_ops->close
				 * (special mapping, hugetlb, System V shm) */
	VMS_REFUSE_ANON_PAIR = 10, /* prev and next have different anon_vmas */
};

/* VMS_EV_LIMIT: which limit (u.limit.which). */
enum vms_limit_kind {
	VMS_LIMIT_AS = 1,        /* RLIMIT_AS against total_vm (may_expand_vm) */
	VMS_LIMIT_DATA = 2,      /* RLIMIT_DATA against data_vm (may_expand_vm) */
	VMS_LIMIT_STACK = 3,     /* RLIMIT_STACK against a stack's size, in bytes */
	VMS_LIMIT_MEMLOCK = 4,   /* RLIMIT_MEMLOCK against locked_vm (mlock_future_ok) */
	VMS_LIMIT_MLOCK_CAP = 5, /* RLIMIT_MEMLOCK 0 without CAP_IPC_LOCK (can_do_mlock) */
	VMS_LIMIT_MAP_COUNT = 6, /* vm.max_map_count against the VMA count */
	VMS_LIMIT_COMMIT = 7,    /* the overcommit policy (__vm_enough_memory) */
	VMS_LIMIT_HUGETLB = 8,   /* free huge pages against a reservation */
};

/* VMS_EV_EXEC_MAP: what exec mapped (u.exec.what). */
enum vms_exec_what {
	VMS_EXEC_SEGMENT = 1, /* a PT_LOAD of the program or its interpreter */
	VMS_EXEC_STACK = 2,   /* the stack */
	VMS_EXEC_BRK = 3,     /* the bss/brk page past the last segment */
	VMS_EXEC_SPECIAL = 4, /* [vdso], [vvar] and friends */
};

struct vms_event {
	int kind;            /* enum vms_event_kind */
	const char *rule;    /* the kernel function whose rule decided it */
	const vms_mm *mm;    /* the address space (NULL: the whole system) */
	uint64_t start, end; /* the range the event is about, [start, end) */
	union {
		struct { /* VMS_EV_PLACE: [start, end) is the range chosen */
			int topdown;
			uint64_t low, high;     /* the search window [low, high) */
			uint64_t length;        /* bytes asked */
			uint64_t align_mask, align_offset;
			uint64_t start_gap;     /* guard bytes asked below (shadow stack) */
			unsigned retries;       /* searches again past a stack's guard gap */
			long err;               /* 0, or -ENOMEM: no gap fits ([start, end) 0) */
		} place;
		struct { /* VMS_EV_HINT: [start, end) is the hint's range */
			int verdict;            /* enum vms_hint_verdict */
			uint64_t floor;         /* RAISED: the mmap_min_addr floor */
			uint64_t limit;         /* OUTSIDE: the top it must stay under */
			uint64_t vma_start;     /* OVERLAP, NOREPLACE: the VMA in the way */
		} hint;
		struct { /* VMS_EV_VMA_NEW, VMS_EV_VMA_GONE */
			uint64_t vm_flags, pgoff;
			int why;                /* enum vms_vma_why */
		} vma;
		struct { /* VMS_EV_VMA_SPLIT: [start, end) was the VMA */
			uint64_t addr;
			int why;                /* enum vms_vma_why */
		} split;
		struct { /* VMS_EV_VMA_MERGE: [start, end) is the merged VMA */
			int with;               /* VMS_MERGE_PREV / NEXT / BOTH */
			int existing;           /* 0: a new range (vma_merge_new_range);
						 * 1: part of an existing VMA changing
						 * (vma_merge_existing_range) */
			int partial;            /* existing: only part of the VMA moved */
			int seeds_case;         /* vma_merge()'s case 1-8, as mm/mmap.c
						 * before 6.12 (and the teaching texts)
						 * number them */
			const char *vma_case;   /* the case as mm/vma.c names it */
			uint64_t range_start, range_end; /* the range that merged */
		} merge;
		struct { /* VMS_EV_MERGE_REFUSED: [start, end) is the range */
			int reason;             /* enum vms_merge_refusal */
			int side;               /* VMS_MERGE_PREV or VMS_MERGE_NEXT */
			uint64_t vma_start, vma_end; /* the neighbour */
		} refuse;
		struct { /* VMS_EV_LIMIT */
			int which;              /* enum vms_limit_kind */
			int ok;                 /* 1 allowed, 0 refused */
			uint64_t asked;         /* what the call adds */
			uint64_t used;          /* what is in use before it */
			uint64_t max;           /* the limit compared with */
			int policy;             /* COMMIT: vm.overcommit_memory (0, 1, 2) */
		} limit;
		struct { /* VMS_EV_ANON_VMA: [start, end) is the VMA */
			int reused;             /* 1: a neighbour's (find_mergeable_anon_vma) */
			uint64_t id;            /* as vms_vma_info.anon_vma */
		} anon;
		struct { /* VMS_EV_STACK_GROW: [start, end) is the stack after */
			uint64_t pages;         /* it grew by */
		} grow;
		struct { /* VMS_EV_RESIDENT */
			uint64_t pages;         /* pages faulted in (resident now) */
			int write;
		} resident;
		struct { /* VMS_EV_FORK_VMA */
			int copied;             /* 0: skipped (VM_DONTCOPY) */
			int anon_vma;           /* the child got its own anon_vma */
			int wiped;              /* VM_WIPEONFORK: the child's is empty */
		} fork;
		struct { /* VMS_EV_EXEC_MAP */
			int what;               /* enum vms_exec_what */
			uint64_t vm_flags;
		} exec;
	} u;
};

typedef void (*vms_observer_fn)(void *arg, const struct vms_event *ev);
/* Attaches fn (called with arg for each event) to the system; NULL detaches. */
void vms_sys_set_observer(vms_sys *sys, vms_observer_fn fn, void *arg);
/* One line of plain words for an event (no newline), like snprintf. */
size_t vms_event_text(const struct vms_event *ev, char *buf, size_t size);
/* The kind's name ("place", "vma-new", "merge", ...), for counting. */
const char *vms_event_kind_name(int kind);
/* A refusal reason's name ("flags", "file", "pgoff", "anon_vma", ...). */
const char *vms_merge_refusal_name(int reason);
/* A limit's name ("RLIMIT_AS", "max_map_count", "overcommit", ...). */
const char *vms_limit_name(int which);

/* ---- userfaultfd --------------------------------------------------------- */

/* userfaultfd(2) flags (include/uapi/linux/userfaultfd.h, fcntl.h) */
#define VMS_O_NONBLOCK 04000
#define VMS_O_CLOEXEC 02000000
#define VMS_UFFD_USER_MODE_ONLY 1
#define VMS_UFFD_API 0xAAULL
/* UFFDIO_API features */
#define VMS_UFFD_FEATURE_PAGEFAULT_FLAG_WP (1ULL << 0)
#define VMS_UFFD_FEATURE_EVENT_FORK (1ULL << 1)
#define VMS_UFFD_FEATURE_EVENT_REMAP (1ULL << 2)
#define VMS_UFFD_FEATURE_EVENT_REMOVE (1ULL << 3)
#define VMS_UFFD_FEATURE_MISSING_HUGETLBFS (1ULL << 4)
#define VMS_UFFD_FEATURE_MISSING_SHMEM (1ULL << 5)
#define VMS_UFFD_FEATURE_EVENT_UNMAP (1ULL << 6)
#define VMS_UFFD_FEATURE_SIGBUS (1ULL << 7)
#define VMS_UFFD_FEATURE_THREAD_ID (1ULL << 8)
#define VMS_UFFD_FEATURE_MINOR_HUGETLBFS (1ULL << 9)
#define VMS_UFFD_FEATURE_MINOR_SHMEM (1ULL << 10)
#define VMS_UFFD_FEATURE_EXACT_ADDRESS (1ULL << 11)
#define VMS_UFFD_FEATURE_WP_HUGETLBFS_SHMEM (1ULL << 12)
#define VMS_UFFD_FEATURE_WP_UNPOPULATED (1ULL << 13)
#define VMS_UFFD_FEATURE_POISON (1ULL << 14)
#define VMS_UFFD_FEATURE_WP_ASYNC (1ULL << 15)
#define VMS_UFFD_FEATURE_MOVE (1ULL << 16)
/* UFFDIO_REGISTER modes, and the VMA flags they set (vms_vma_info.vm_flags;
 * /proc/PID/smaps VmFlags "um", "uw", "ui") */
#define VMS_UFFDIO_REGISTER_MODE_MISSING 1ULL
#define VMS_UFFDIO_REGISTER_MODE_WP 2ULL
#define VMS_UFFDIO_REGISTER_MODE_MINOR 4ULL
#define VMS_VM_UFFD_MISSING 0x200ULL
#define VMS_VM_UFFD_WP 0x1000ULL
#define VMS_VM_UFFD_MINOR (1ULL << 41)
/* bits of the ioctls masks: _UFFDIO_* numbers */
#define VMS_UFFDIO_IOC_REGISTER 0
#define VMS_UFFDIO_IOC_UNREGISTER 1
#define VMS_UFFDIO_IOC_WAKE 2
#define VMS_UFFDIO_IOC_COPY 3
#define VMS_UFFDIO_IOC_ZEROPAGE 4
#define VMS_UFFDIO_IOC_MOVE 5
#define VMS_UFFDIO_IOC_WRITEPROTECT 6
#define VMS_UFFDIO_IOC_CONTINUE 7
#define VMS_UFFDIO_IOC_POISON 8
#define VMS_UFFDIO_IOC_API 0x3f
#define VMS_UFFDIO_COPY_MODE_DONTWAKE 1ULL
#define VMS_UFFDIO_COPY_MODE_WP 2ULL
#define VMS_UFFDIO_ZEROPAGE_MODE_DONTWAKE 1ULL

/*
 * A userfaultfd context (fs/userfaultfd.c struct userfaultfd_ctx): what one
 * userfaultfd(2) file refers to. It belongs to the address space that made
 * it; VMAs registered to it carry the VM_UFFD_* modes and the context, and
 * VMAs of different contexts never merge (is_mergeable_vma). The file
 * descriptor is the caller's: vms_uffd_close() is its last close.
 */
typedef struct vms_uffd vms_uffd;
/* userfaultfd(flags): VMS_O_CLOEXEC, VMS_O_NONBLOCK, VMS_UFFD_USER_MODE_ONLY.
 * Without USER_MODE_ONLY the process needs CAP_SYS_PTRACE (effective) or
 * the setting "vm.unprivileged_userfaultfd" (-EPERM). 0 with *out set, or
 * -errno. The model numbers the contexts of an address space in a byte:
 * a 256th live one is -EMFILE. */
long vms_userfaultfd(vms_mm *mm, int flags, vms_uffd **out);
/* ioctl(UFFDIO_API): api must be VMS_UFFD_API; features are what the context
 * asks for (EVENT_FORK needs CAP_SYS_PTRACE: -EPERM), within what the
 * kernel offers (setting "uffd.features"). Only once per context (-EINVAL
 * after). On success *features_out is every feature the kernel offers and
 * *ioctls_out the ioctls of the file; on an error both are zeroed, as the
 * kernel clears the user's struct. Either pointer may be NULL. */
long vms_uffdio_api(vms_uffd *uffd, uint64_t api, uint64_t features, uint64_t *features_out,
		    uint64_t *ioctls_out);
/* ioctl(UFFDIO_REGISTER): registers every VMA of [start, start+len) (holes
 * between them are skipped) in the VMS_UFFDIO_REGISTER_MODE_* modes; the
 * VMAs split at the range's ends and merge with registered neighbours.
 * *ioctls_out (may be NULL) gets the ioctls the range supports. */
long vms_uffdio_register(vms_uffd *uffd, uint64_t start, uint64_t len, uint64_t mode,
			 uint64_t *ioctls_out);
/* ioctl(UFFDIO_UNREGISTER): the VMAs of the range lose their registration. */
long vms_uffdio_unregister(vms_uffd *uffd, uint64_t start, uint64_t len);
/* ioctl(UFFDIO_COPY) and ioctl(UFFDIO_ZEROPAGE): fill the unmapped pages of a
 * registered range (one VMA) with new pages (anonymous, or shmem in a shared
 * shmem VMA; ZEROPAGE maps the zero page in private memory). The first page
 * already mapped stops it (-EEXIST if it is the first). Returns the ioctl's
 * result (0, -EAGAIN when only part was done, or -errno); *done (may be
 * NULL) gets what the kernel writes into the struct's copy/zeropage field
 * (bytes done or -errno), left alone where the kernel leaves it. hugetlb
 * ranges are -ENOSYS here: the model does not track which huge pages are in
 * use. */
long vms_uffdio_copy(vms_uffd *uffd, uint64_t dst, uint64_t src, uint64_t len, uint64_t mode,
		     int64_t *done);
long vms_uffdio_zeropage(vms_uffd *uffd, uint64_t start, uint64_t len, uint64_t mode,
			 int64_t *done);
/* The last close of the file (userfaultfd_release): every VMA registered to
 * the context loses it and merges where it can; the handle is freed. */
void vms_uffd_close(vms_uffd *uffd);
/* The context a VMA of mm is registered to, or NULL. A child of fork keeps
 * its registrations only for contexts with UFFD_FEATURE_EVENT_FORK, under a
 * new context of its own that no descriptor refers to yet: reading the fork
 * event installs one, which vms_uffd_adopt() stands for (0, or -EBUSY for a
 * context that already has its descriptor). */
vms_uffd *vms_vma_uffd(const vms_mm *mm, const vms_vma *vma);
long vms_uffd_adopt(vms_uffd *uffd);
/* The features UFFDIO_API enabled on the context (0 before it). */
uint64_t vms_uffd_features(const vms_uffd *uffd);

/* ---- Looking at it -------------------------------------------------------- */

struct vms_vma_info {
	uint64_t start, end;
	uint64_t vm_flags;   /* the kernel's VM_* bits */
	uint64_t pgoff;      /* in pages */
	uint64_t page_prot;  /* x86-64 PTE bits from vm_get_page_prot */
	const vms_file *file;
	uint64_t anon_vma;   /* 0 = none, else an identity shared by related VMAs */
	const char *anon_name;
};

/* find_vma: the first VMA that ends above addr, or NULL. */
const vms_vma *vms_find_vma(const vms_mm *mm, uint64_t addr);
const vms_vma *vms_vma_first(const vms_mm *mm);
const vms_vma *vms_vma_next(const vms_mm *mm, const vms_vma *vma);
void vms_vma_get_info(const vms_vma *vma, struct vms_vma_info *out);

/* /proc/PID/maps, and the lines of /proc/PID/status the model knows (Uid,
 * Gid, the Vm* and Rss* lines, HugetlbPages, THP_enabled, Cap*), like
 * snprintf. */
size_t vms_maps_text(const vms_mm *mm, char *buf, size_t size);
size_t vms_status_text(const vms_mm *mm, char *buf, size_t size);
/* The maps line of one VMA of mm (with its '\n'), as vms_maps_text has it;
 * like snprintf. */
size_t vms_vma_maps_text(const vms_mm *mm, const vms_vma *vma, char *buf, size_t size);
/* /proc/PID/numa_maps reduced to its first two fields: each VMA's start
 * and its memory policy as the kernel prints it ("default", "bind:0",
 * "interleave=static:0-3", ...), one line each. */
size_t vms_numa_maps_text(const vms_mm *mm, char *buf, size_t size);
/* /proc/PID/smaps and /proc/PID/smaps_rollup, like snprintf. Exact: each
 * VMA's maps line, Size, KernelPageSize, MMUPageSize, THPeligible (for the
 * host's default per-size THP settings), ProtectionKey (when the system has
 * pkeys) and VmFlags; the page counts follow the model's resident set, with
 * the approximations src/procfs.c lists (dirty state, sharing with other
 * processes, swap and huge pages are not tracked). */
size_t vms_smaps_text(const vms_mm *mm, char *buf, size_t size);
size_t vms_smaps_rollup_text(const vms_mm *mm, char *buf, size_t size);

/* Checks every invariant of the address space. Returns 0, or -1 with a
 * description of the first broken one in why. */
int vms_validate(const vms_mm *mm, char *why, size_t why_size);

const char *vms_strerror(long err);

#ifdef __cplusplus
}
#endif
#endif
