/*
 * kdiff.h: differential testing of the model against the live kernel.
 *
 * A helper process (the running binary itself, re-executed with ASLR off and
 * a marker argv[0], see kdiff.c) performs raw memory-management syscalls on
 * its own address space, and a vms_mm imported from the helper's starting
 * /proc/PID/maps performs the same calls; results, maps text and the Vm*
 * status lines must agree exactly.
 *
 * For: `vmspace verify` (cli/verify.c) and the differential unit tests
 * (tests/test_kdiff.c, tests/test_mremap.c, tests/test_verify.c), which
 * compile this code once through tests/kdiff_impl.c. Not for: anything in
 * the library; this needs a real Linux x86-64 kernel and reads /proc.
 */
#ifndef VMS_KDIFF_H
#define VMS_KDIFF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vmspace.h"

/* One call, in a form both the kernel and the model can execute and that can
 * be replayed exactly (addresses are concrete, never "the result of call N"). */
enum kd_op {
	KD_MMAP,      /* a0 addr, a1 len, a2 prot, a3 flags, a4 file index or KD_FD_*, a5 off */
	KD_MUNMAP,    /* a0 addr, a1 len */
	KD_MPROTECT,  /* a0 addr, a1 len, a2 prot */
	KD_BRK,	      /* a0 new brk */
	KD_MREMAP,    /* a0 old, a1 old_len, a2 new_len, a3 flags, a4 new_addr */
	KD_MADVISE,   /* a0 addr, a1 len, a2 advice */
	KD_MLOCK,     /* a0 addr, a1 len */
	KD_MUNLOCK,   /* a0 addr, a1 len */
	KD_PRLIMIT,   /* a0 resource, a1 cur, a2 max, a3 nonzero = query only */
	KD_ANON_NAME, /* prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, a0, a1, "kd") */
	KD_TOUCH,     /* a0 addr, a1 write: a one-byte kernel-mode access (0 or -EFAULT) */
	/* Shared memory (the helper runs in an IPC namespace of its own). */
	KD_SHMGET,     /* a0 key, a1 size, a2 shmflg */
	KD_SHMAT,      /* a0 shmid, a1 addr, a2 shmflg */
	KD_SHMDT,      /* a0 addr */
	KD_SHMCTL,     /* a0 shmid, a1 cmd, a2 mode for IPC_SET; what it read is compared */
	KD_SHM_SYSCTL, /* a0 KD_SYSCTL_*, a1 value: written in the helper's namespace */
	KD_MEMFD,      /* a0 slot, a1 flags, a2 nonzero: memfd_secret(a1) instead */
	KD_FTRUNCATE,  /* a0 file index (KD_FD_MEMFD too), a1 length */
	KD_SEAL,       /* a0 file index, a1 seals: fcntl(F_ADD_SEALS); a2 nonzero: F_GET_SEALS */
	KD_FALLOCATE,  /* a0 file index, a1 mode, a2 offset, a3 length */
	/* Sealing, syncing, residency and vectored advice (issue 13). */
	KD_MSEAL,     /* a0 addr, a1 len, a2 flags */
	KD_MSYNC,     /* a0 addr, a1 len, a2 flags */
	KD_MINCORE,   /* a0 addr, a1 len, a2 KD_VEC_*; the vectors are compared too */
	KD_REMAP_FILE_PAGES, /* a0 start, a1 size, a2 prot, a3 pgoff, a4 flags */
	KD_PROCESS_MADVISE,  /* a0 KD_PIDFD_*, a1 vlen, a2 advice, a3 flags, a4 KD_IOV_*;
			      * the segments in iov[] (the rest of vlen are {0, 0}) */
	KD_PROCESS_MRELEASE, /* a0 KD_PIDFD_*, a1 flags */
	/* Memory policy, protection keys, shadow stacks, prctl, personality
	 * and credentials. A node mask is the helper's buffer of KD_MASK_WORDS
	 * words: word 0 from the call, optionally one more bit (a7: bit + 1),
	 * the rest zero; KD_PTR_* says what pointer the call passes instead. */
	KD_MBIND,         /* a0 start, a1 len, a2 mode, a3 mask word 0, a4 maxnode, a5 flags,
			   * a6 KD_PTR_* of the mask, a7 extra bit + 1 (0: none) */
	KD_SET_MEMPOLICY, /* a0 mode, a3 mask word 0, a4 maxnode, a6 KD_PTR_*, a7 extra bit + 1 */
	KD_GET_MEMPOLICY, /* a0 maxnode, a1 addr, a2 flags, a3 KD_PTR_* of the mode, a6 of the
			   * mask; out: mode, mask words 0, 1 and 16 (the buffer starts 0xaa...) */
	KD_HOME_NODE,     /* set_mempolicy_home_node: a0 start, a1 len, a2 node, a3 flags */
	KD_PKEY_ALLOC,    /* a0 flags, a1 init_val */
	KD_PKEY_FREE,     /* a0 key */
	KD_PKEY_MPROTECT, /* a0 addr, a1 len, a2 prot, a3 key */
	KD_SHADOW_STACK,  /* map_shadow_stack: a0 addr, a1 size, a2 flags */
	KD_PRCTL,         /* a0 option, a1..a4 arg2..arg5 (PR_SET_MM_MAP_SIZE: a pointer) */
	KD_MM_MAP,        /* prctl(PR_SET_MM, PR_SET_MM_MAP): the current boundaries with
			   * field a0 set to a1 and field a2 to a3 (KD_MM_FIELDS: none), size a4 */
	KD_PERSONALITY,   /* a0 persona */
	KD_CAPGET,        /* a0 version, a1 pid (KD_SELF: the helper's), a2 KD_PTR_* of the
			   * data; out: effective, permitted, inheritable, the header's version */
	KD_CAPSET,        /* a0 version, a1 pid, a2 effective, a3 permitted, a4 inheritable */
	KD_SETUID,        /* a0 uid */
	KD_SETRESUID,     /* a0 ruid, a1 euid, a2 suid */
	KD_SETGID,        /* a0 gid */
	KD_SETRESGID,     /* a0 rgid, a1 egid, a2 sgid */
	KD_MLOCK2,        /* a0 addr, a1 len, a2 flags */
	/* userfaultfd: contexts in KD_UFFDS slots. The helper always adds
	 * UFFD_FEATURE_SIGBUS, so that a fault the generator failed to keep
	 * out of a registered range fails instead of waiting for a reader. */
	KD_UFFD_OPEN,       /* a0 slot (its old context is closed first), a1 userfaultfd flags,
			     * a2 UFFDIO_API features, a3 api; out: features, ioctls */
	KD_UFFD_REGISTER,   /* a0 slot, a1 start, a2 len, a3 mode; out: ioctls */
	KD_UFFD_UNREGISTER, /* a0 slot, a1 start, a2 len */
	KD_UFFD_CLOSE,      /* a0 slot */
	KD_UFFD_ZEROPAGE,   /* a0 slot, a1 start, a2 len, a3 mode; out: the zeropage field */
	KD_NOPS
};

#define KD_UFFDS 2

/* KD_MINCORE's vector: the helper's own buffer (its pages stay resident from
 * the start, so writing it changes nothing compared), or NULL (EFAULT). */
#define KD_VEC_BUF 0
#define KD_VEC_NULL 1
/* The helper's buffer holds this many pages' entries: a call with the buffer
 * and a longer range would write past it, so it is unsafe. */
#define KD_VEC_MAX 16384

/* The pidfd of KD_PROCESS_MADVISE and KD_PROCESS_MRELEASE: the helper's own
 * (pidfd_open of itself), PIDFD_SELF_THREAD, a closed descriptor, a
 * descriptor that is no pidfd (/dev/zero). */
#define KD_PIDFD_OWN 0
#define KD_PIDFD_SELF_THREAD 1
#define KD_PIDFD_BAD 2
#define KD_PIDFD_NOT 3
/* KD_PROCESS_MADVISE's iovec array: iov[] (zeros past it), or NULL. */
#define KD_IOV_ARRAY 0
#define KD_IOV_NULL 1
#define KD_MAX_IOV 8
#define KD_IOV_SLOTS 1025 /* UIO_MAXIOV + 1: vlen may name every one */

/* KD_SHM_SYSCTL's a0: the IPC namespace's sysctls under /proc/sys/kernel. */
enum { KD_SYSCTL_SHMMAX, KD_SYSCTL_SHMALL, KD_SYSCTL_SHMMNI, KD_SYSCTL_RMID_FORCED,
       KD_SYSCTL_NEXT_ID, KD_NSYSCTLS };


#define KD_MASK_WORDS 512	     /* 32768 bits: get_nodes() reads at most that */
#define KD_PTR_BUF 0		     /* the helper's buffer */
#define KD_PTR_NULL 1		     /* NULL */
#define KD_PTR_BAD 2		     /* an unmapped address: EFAULT on use */
#define KD_SELF ((uint64_t)-2)	     /* a pid argument: the helper's own */
#define KD_MM_FIELDS 11		     /* struct prctl_mm_map's address fields */
#define KD_NOUT 4		     /* what a call returns besides its result */

/* File indices for KD_MMAP's a4 that are not files. */
#define KD_FD_NONE ((uint64_t)-1) /* fd -1 */
#define KD_FD_BAD ((uint64_t)-2)  /* a closed descriptor: EBADF */
/* The memfd (or memfd_secret) of a KD_MEMFD slot as a file index. */
#define KD_MEMFDS 4
#define KD_FD_MEMFD(slot) ((uint64_t)32 + (uint64_t)(slot))

struct kd_call {
	int op;
	uint64_t a[8];
	struct {
		uint64_t base, len;
	} iov[KD_MAX_IOV]; /* KD_PROCESS_MADVISE only */
};

/* A file the helper holds open, mirrored by one vms_file in the model. */
struct kd_file {
	const char *tag; /* short name for messages */
	int helper_fd;	 /* descriptor number inside the helper */
	int vms_oflags;	 /* VMS_O_* */
	uint64_t size;	 /* bytes, at open */
	int is_dir;
	vms_file *vf;
};

#define KD_MAX_FILES 16
#define KD_MAX_PROT 512

struct kd_range {
	uint64_t start, end;
};

/* One kernel helper + its model twin. */
struct kd {
	pid_t pid;
	int cmd_fd, rep_fd; /* our ends of the pipes */
	char tmpdir[256];
	char shmdir[256]; /* a directory of ours in /dev/shm (tmpfs), or "" */
	vms_sys *sys;
	vms_mm *mm;
	struct kd_file files[KD_MAX_FILES];
	int nfiles;
	vms_file *memfd[KD_MEMFDS]; /* KD_MEMFD slots: the model's files */
	int ipcns;                  /* the helper has an IPC namespace of its own */
	uint64_t start_brk, init_brk;
	uint64_t task_size;
	/* Ranges of the helper's own mappings at startup: no call may unmap,
	 * remap, reprotect or advise them. */
	struct kd_range prot[KD_MAX_PROT];
	int nprot;
	/* Where fixed and hinted calls aim: a free 256 MiB region. */
	uint64_t win_lo, win_hi;
	long last_k, last_m; /* results of the last call on each side */
	int verbose;
	/* Keep every placement the kernel chooses inside the window: set
	 * under ASan, whose own mappings carry flags that /proc/PID/maps does
	 * not show (VM_NORESERVE, VM_DONTDUMP), so the model cannot know
	 * whether a new VMA next to one of them merges. */
	int contained;
	/* KD_MINCORE's vectors as each side wrote them (KD_VEC_MAX entries),
	 * and the model's iovec array for KD_PROCESS_MADVISE. */
	unsigned char *kvec, *mvec;
	struct vms_iovec *miov;
	/* Ranges whose residency the model cannot know: blocks a transparent
	 * huge page may have filled (fault or khugepaged), and wherever mremap
	 * took such pages; mincore vectors are not compared there. */
	struct kd_range *taint;
	int ntaint, captaint;
	int vec_bad; /* the last call's results agreed, its mincore vectors did not */
	/* A policy call was made: numa_maps is compared from then on. */
	int numa_used;
	/* smaps digest lines (compare_smaps()) of the helper's own VMAs that
	 * differed from the model's at the start, each side's: flags the maps
	 * text cannot show (under ASan its shadow's "nr dd nh"); no call may
	 * touch those VMAs, so they are left out of every comparison. */
	char *smaps_skip_k, *smaps_skip_m;
	vms_uffd *uffd[KD_UFFDS]; /* the model's contexts of the KD_UFFD_* slots */
};

/* Starts a helper and its model. Returns 0, or -1 with the reason in why
 * (the caller should t_skip with it: no usable kernel). */
int kd_start(struct kd *kd, char *why, size_t why_size);
void kd_stop(struct kd *kd);

/* Runs c on the kernel (through the helper) and on the model. */
long kd_kernel(struct kd *kd, const struct kd_call *c, uint64_t out[KD_NOUT]);
long kd_model(struct kd *kd, const struct kd_call *c, uint64_t out[KD_NOUT]);

/* Compares maps text, Vm* status lines and smaps VmFlags; on a difference prints a diff to
 * stdout (when report) and returns -1. */
int kd_compare_state(struct kd *kd, int report);
/* How many times kd_compare_state() and the random runs compared smaps
 * (each VMA's VmFlags and the other exact fields) with the model's. */
extern long kd_smaps_compared;

/* Whether c touches a range the helper must keep (its own image, libc,
 * stack, vdso, the initial heap). */
int kd_call_is_unsafe(const struct kd *kd, const struct kd_call *c);

/* Runs c on both sides, then compares the state; prints what differs.
 * Returns 0 when everything agrees. *kres (may be NULL) gets the kernel's
 * result. */
int kd_check(struct kd *kd, const struct kd_call *c, long idx, long *kres);

/* strace-like text of c. */
void kd_format_call(const struct kd *kd, const struct kd_call *c, char *buf, size_t size);

/* Returns 0 if the kernel can be used for differential tests, else -1 with a
 * reason for t_skip. */
int kd_usable(char *why, size_t why_size);

/*
 * Runs a sequence on a fresh helper and model: every call's result must
 * agree, and the state is compared every check_every calls and at the end.
 * Returns -1 when all agreed, else the index of the first diverging call
 * (with a report on stdout when report). A start failure returns -2.
 */
long kd_run_seq(const struct kd_call *calls, size_t n, int check_every, int report);

/*
 * Random differential run: ncalls generated calls from seed. Returns 0, 1
 * on a divergence (reported, and shrunk for up to shrink_secs to a minimal
 * reproducer printed as a call list), or -1 when no helper could be started
 * (why is set).
 */
int kd_random_run(uint64_t seed, int ncalls, int check_every, double shrink_secs, char *why,
		  size_t why_size);

/* The same with every knob, for `vmspace verify`. */
struct kd_run_opts {
	uint64_t seed;
	long ncalls;
	int check_every;    /* compare maps and status every N calls (<= 1: every call) */
	double shrink_secs; /* budget of the reproducer search (0: none; KDIFF_SHRINK_SECS
			     * overrides) */
	size_t max_repro;   /* print a reproducer of at most this many calls (0: any) */
	int verbose;	    /* print every call (as KDIFF_VERBOSE=1) */
	/* Called every progress_every calls (default 1000), and with done = -1
	 * when the calls end (before any report). */
	void (*progress)(void *arg, uint64_t seed, long done, long total);
	void *progress_arg;
	long progress_every;
	/* Out: the first diverging call (-1: none, or the state differed at
	 * import) and the length of the printed reproducer. */
	long diverged_at;
	size_t repro_calls;
};
int kd_random_run_opts(struct kd_run_opts *o, char *why, size_t why_size);

/* Extra personality bits for every helper and model from now on:
 * ADDR_COMPAT_LAYOUT (the legacy bottom-up layout) and/or READ_IMPLIES_EXEC. */
void kd_set_extra_personality(unsigned bits);

/* The percentage of generated calls that are userfaultfd calls (KD_UFFD_*):
 * 0, the default, leaves every other generator's sequence as it was. */
void kd_set_uffd_share(int percent);

/* Every report line (divergences, diffs, reproducers) starts with prefix;
 * the default (and NULL) is four spaces, to sit under a test's name. */
void kd_set_report_prefix(const char *prefix);

#endif
