/*
 * kdiff.c: the live-kernel side of the differential tests, and the random
 * call generator that drives both sides.
 *
 * The kernel side is a helper process: the running binary (build/unit or
 * build/vmspace; both link this file, so both have the constructor below)
 * re-executed through /proc/self/exe with personality ADDR_NO_RANDOMIZE (so
 * its layout, and the mmap_base the model computes, are deterministic) and
 * argv[0] set to a marker that the constructor recognises before main() runs.
 * The helper then only reads fixed-size requests from a pipe, performs the
 * raw syscall on itself and writes the raw result back. It never calls
 * malloc or stdio and uses syscall() rather than libc wrappers, so that
 * neither libc nor the ASan runtime maps anything behind the parent's back
 * (ASan intercepts read() and write() and would check the shadow of wild
 * addresses).
 *
 * The parent reads the helper's /proc/PID/maps, /status and /stat itself:
 * the helper is blocked in read() on its command pipe whenever the parent
 * looks, so the text is exactly what the helper would have read, and the
 * reading costs the helper nothing.
 *
 * Not for: judging which side is right. A divergence is reported (seed, call,
 * both results, maps diff, and a shrunk reproducer); the kernel is the
 * reference by definition.
 */
#if defined(__linux__) && defined(__x86_64__)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kdiff.h"

#if defined(__SANITIZE_ADDRESS__)
#define KD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KD_ASAN 1
#endif
#endif
#ifndef KD_ASAN
#define KD_ASAN 0
#endif

#define PG 4096ULL
#define MIB (1ULL << 20)
#define MAP_DROPPABLE_ 0x08ULL
#define GIB (1ULL << 30)

/* Descriptor numbers inside the helper; fixed so that reproducers print the
 * same fd numbers on every run. */
#define HFD_CMD 100
#define HFD_REP 101
#define HFD_ZERO 102
#define HFD_PIPE_R 103
#define HFD_PIPE_W 104
#define HFD_PIDFD 105 /* pidfd_open() of the helper itself */
#define HFD_FILE0 110
#define HFD_MEMFD0 130 /* KD_MEMFD slots */
#define HFD_UFFD0 140 /* KD_UFFD_* slots */
#define HFD_BAD 199
#define PIDFD_SELF_THREAD (-10000)
/* glibc 2.36 headers predate some of these calls. */
#ifndef SYS_mseal
#define SYS_mseal 462
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_process_madvise
#define SYS_process_madvise 440
#endif
#ifndef SYS_process_mrelease
#define SYS_process_mrelease 448
#endif
#define HELPER_ARGV0 "vms-kdiff-helper"
#define READY_MAGIC 0x6b64696666ULL

struct kd_req {
	int32_t op;
	int32_t pad;
	uint64_t a[8];
	uint64_t iov[KD_MAX_IOV][2];
};

struct kd_rep {
	int64_t ret;
	uint64_t old[KD_NOUT];
};

/* ---- helper process --------------------------------------------------- */

static long h_ret(long r)
{
	return r == -1 ? -errno : r;
}

/* The helper's descriptor for a file index of a call. */
static long h_fd(uint64_t idx)
{
	if (idx == KD_FD_NONE)
		return -1;
	if (idx >= KD_FD_MEMFD(0) && idx < KD_FD_MEMFD(KD_MEMFDS))
		return HFD_MEMFD0 + (long)(idx - KD_FD_MEMFD(0));
	if (idx < KD_MAX_FILES)
		return HFD_FILE0 + (long)idx;
	return HFD_BAD;
}

/* Static, not on the stack: with ASan's fake stacks a local could live in
 * memory ASan maps lazily. */
static struct kd_req h_rq;
static struct kd_rep h_rp;
static char h_drain[64];
/* mincore's vector and process_madvise's iovec array: written once before
 * the parent reads the helper's maps, so using them changes nothing the
 * parent compares. */
static unsigned char h_vec[KD_VEC_MAX];
static uint64_t h_iov[KD_IOV_SLOTS][2];

/* The pages of a mincore range of len bytes, as many as the buffer holds. */
static uint64_t vec_entries(uint64_t len)
{
	uint64_t pages = (len >> 12) + ((len & 4095) != 0);
	return pages < KD_VEC_MAX ? pages : KD_VEC_MAX;
}

static long pidfd_of(uint64_t kind)
{
	switch (kind) {
	case KD_PIDFD_OWN:
		return HFD_PIDFD;
	case KD_PIDFD_SELF_THREAD:
		return PIDFD_SELF_THREAD;
	case KD_PIDFD_NOT:
		return HFD_ZERO;
	default:
		return HFD_BAD;
	}
}

static union {
	struct shmid_ds ds;
	struct shminfo info;
	struct shm_info sinfo;
	char pad[512];
} h_shm;
static char h_num[24];
/* KD_SHM_SYSCTL's files, by KD_SYSCTL_* */
static const char *const h_sysctl_path[KD_NSYSCTLS] = {
    "/proc/sys/kernel/shmmax", "/proc/sys/kernel/shmall", "/proc/sys/kernel/shmmni",
    "/proc/sys/kernel/shm_rmid_forced", "/proc/sys/kernel/shm_next_id"};
/* ...and the model's settings of the same names. */
static const char *const kd_sysctl_names[KD_NSYSCTLS] = {
    "kernel.shmmax", "kernel.shmall", "kernel.shmmni", "kernel.shm_rmid_forced",
    "kernel.shm_next_id"};


/* Writes v in decimal to a sysctl file: 0 or -errno. */
static long h_sysctl(const char *path, uint64_t v)
{
	int n = 0;
	char tmp[24];
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < 23);
	for (int i = 0; i < n; i++)
		h_num[i] = tmp[n - 1 - i];
	long fd = syscall(SYS_open, path, O_WRONLY);
	if (fd < 0)
		return -errno;
	long r = h_ret(syscall(SYS_write, fd, h_num, n));
	syscall(SYS_close, fd);
	return r < 0 ? r : 0;
}

/* What KD_SHMCTL read, in two words (see kd_shm_out()). */
static void h_shmctl_out(int cmd)
{
	switch (cmd) {
	case IPC_STAT:
	case SHM_STAT:
	case SHM_STAT_ANY:
		h_rp.old[0] = (h_shm.ds.shm_nattch & 0xffffffffULL) |
			      ((uint64_t)(h_shm.ds.shm_perm.mode & 0xffff) << 32) |
			      ((uint64_t)(uint16_t)h_shm.ds.shm_perm.__key << 48);
		h_rp.old[1] = h_shm.ds.shm_segsz;
		break;
	case IPC_INFO:
		h_rp.old[0] = h_shm.info.shmmni;
		h_rp.old[1] = h_shm.info.shmall;
		break;
	case SHM_INFO:
		h_rp.old[0] = (uint64_t)h_shm.sinfo.used_ids;
		h_rp.old[1] = h_shm.sinfo.shm_tot;
		break;
	}
}

static int h_io(int fd, void *buf, size_t n, int wr)
{
	char *p = buf;
	while (n) {
		long r = syscall(wr ? SYS_write : SYS_read, fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}


/* ---- helper side of the policy, key, prctl and credential calls ---- */

#define KD_MASK_FILL 0xaaaaaaaaaaaaaaaaULL /* what get_mempolicy's buffer holds before */
#define KD_MODE_FILL 0x55555555		   /* and its mode */
#define KD_BAD_PTR ((void *)(1ULL << 63)) /* not a user address: always EFAULT */
#define SYS_SET_MEMPOLICY_HOME_NODE 450
#define SYS_MAP_SHADOW_STACK 453

static uint64_t h_mask[KD_MASK_WORDS];
static uint64_t h_out[KD_MASK_WORDS + 8];
static int h_mode;
static uint32_t h_cap_hdr[2], h_cap_data[6];
static uint64_t h_mm_map[13]; /* struct prctl_mm_map: 104 bytes */
static unsigned h_size;
static char h_stat[2048];

static void *h_ptr(uint64_t kind, void *buf)
{
	return kind == KD_PTR_NULL ? NULL : kind == KD_PTR_BAD ? KD_BAD_PTR : buf;
}

/* The mask a call passes: word 0, one more bit (extra - 1) if extra. */
static void h_fill_mask(uint64_t w0, uint64_t extra)
{
	for (int i = 0; i < KD_MASK_WORDS; i++)
		h_mask[i] = 0;
	h_mask[0] = w0;
	if (extra && extra - 1 < KD_MASK_WORDS * 64ULL)
		h_mask[(extra - 1) / 64] |= 1ULL << ((extra - 1) % 64);
}

/* struct prctl_mm_map from the helper's own /proc/self/stat (fields 26-28,
 * 45-51) and brk(0), read with raw system calls. */
static int h_read_mm_map(void)
{
	long fd = syscall(SYS_open, "/proc/self/stat", O_RDONLY);
	if (fd < 0)
		return -1;
	long n = syscall(SYS_read, fd, h_stat, sizeof(h_stat) - 1);
	syscall(SYS_close, fd);
	if (n <= 0)
		return -1;
	h_stat[n] = 0;
	long paren = -1;
	for (long i = 0; i < n; i++)
		if (h_stat[i] == ')')
			paren = i;
	if (paren < 0)
		return -1;
	uint64_t f[52];
	int field = 2;
	const char *p = h_stat + paren + 1;
	for (int i = 0; i < 52; i++)
		f[i] = 0;
	while (*p && field < 52) {
		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			break;
		field++;
		uint64_t v = 0;
		while (*p >= '0' && *p <= '9')
			v = v * 10 + (uint64_t)(*p++ - '0');
		while (*p && *p != ' ')
			p++;
		if (field < 52)
			f[field] = v;
	}
	static const int idx[KD_MM_FIELDS] = {26, 27, 45, 46, 47, -1, 28, 48, 49, 50, 51};
	for (int i = 0; i < KD_MM_FIELDS; i++)
		h_mm_map[i] = idx[i] < 0 ? (uint64_t)syscall(SYS_brk, 0UL) : f[idx[i]];
	h_mm_map[11] = 0;		  /* auxv */
	h_mm_map[12] = 0xffffffff00000000ULL; /* auxv_size 0, exe_fd -1 */
	return 0;
}

/* The userfaultfd calls (KD_UFFD_*): ioctls on the slot's descriptor. */
static long h_uffd_call(const uint64_t *a)
{
	int fd = HFD_UFFD0 + (int)(a[0] % KD_UFFDS);
	uint64_t arg[4] = {0, 0, 0, 0};
	long r;
	switch (h_rq.op) {
	case KD_UFFD_OPEN: {
		syscall(SYS_close, fd);
		long nfd = syscall(SYS_userfaultfd, (int)a[1]);
		if (nfd < 0)
			return -errno;
		r = h_ret(syscall(SYS_dup3, nfd, fd, O_CLOEXEC));
		syscall(SYS_close, nfd);
		if (r < 0)
			return r;
		/* struct uffdio_api; SIGBUS (1 << 7) so that no fault waits. */
		arg[0] = a[3];
		arg[1] = a[2] | (1ULL << 7);
		r = h_ret(syscall(SYS_ioctl, fd, 0xc018aa3fUL /* UFFDIO_API */, arg));
		h_rp.old[0] = arg[1];
		h_rp.old[1] = arg[2];
		return r;
	}
	case KD_UFFD_REGISTER:
		/* struct uffdio_register { range { start, len }, mode, ioctls } */
		arg[0] = a[1];
		arg[1] = a[2];
		arg[2] = a[3];
		r = h_ret(syscall(SYS_ioctl, fd, 0xc020aa00UL /* UFFDIO_REGISTER */, arg));
		h_rp.old[0] = arg[3];
		return r;
	case KD_UFFD_UNREGISTER:
		arg[0] = a[1];
		arg[1] = a[2];
		return h_ret(syscall(SYS_ioctl, fd, 0x8010aa01UL /* UFFDIO_UNREGISTER */, arg));
	case KD_UFFD_CLOSE:
		return h_ret(syscall(SYS_close, fd));
	case KD_UFFD_ZEROPAGE:
		/* struct uffdio_zeropage { range { start, len }, mode, zeropage } */
		arg[0] = a[1];
		arg[1] = a[2];
		arg[2] = a[3];
		arg[3] = 0x5a5a;
		r = h_ret(syscall(SYS_ioctl, fd, 0xc020aa04UL /* UFFDIO_ZEROPAGE */, arg));
		h_rp.old[0] = arg[3];
		return r;
	}
	return -EINVAL;
}

/* The calls of issue 13's ops; -EINVAL for any other op. */
static long h_policy_call(const uint64_t *a)
{
	long r;
	switch (h_rq.op) {
	case KD_MBIND:
		h_fill_mask(a[3], a[7]);
		return h_ret(syscall(SYS_mbind, a[0], a[1], a[2], h_ptr(a[6], h_mask), a[4], a[5]));
	case KD_SET_MEMPOLICY:
		h_fill_mask(a[3], a[7]);
		return h_ret(syscall(SYS_set_mempolicy, a[0], h_ptr(a[6], h_mask), a[4]));
	case KD_GET_MEMPOLICY:
		for (int i = 0; i < KD_MASK_WORDS + 8; i++)
			h_out[i] = KD_MASK_FILL;
		h_mode = KD_MODE_FILL;
		r = h_ret(syscall(SYS_get_mempolicy, h_ptr(a[3], &h_mode), h_ptr(a[6], h_out), a[0],
				  a[1], a[2]));
		h_rp.old[0] = (uint32_t)h_mode;
		h_rp.old[1] = h_out[0];
		h_rp.old[2] = h_out[1];
		h_rp.old[3] = h_out[16];
		return r;
	case KD_HOME_NODE:
		return h_ret(syscall(SYS_SET_MEMPOLICY_HOME_NODE, a[0], a[1], a[2], a[3]));
	case KD_PKEY_ALLOC:
		return h_ret(syscall(SYS_pkey_alloc, a[0], a[1]));
	case KD_PKEY_FREE:
		return h_ret(syscall(SYS_pkey_free, a[0]));
	case KD_PKEY_MPROTECT:
		return h_ret(syscall(SYS_pkey_mprotect, a[0], a[1], a[2], a[3]));
	case KD_SHADOW_STACK:
		return h_ret(syscall(SYS_MAP_SHADOW_STACK, a[0], a[1], a[2]));
	case KD_PRCTL:
		if (a[0] == 35 /* PR_SET_MM */ && a[1] == 15 /* PR_SET_MM_MAP_SIZE */) {
			h_size = 0;
			r = h_ret(syscall(SYS_prctl, a[0], a[1], &h_size, a[3], a[4]));
			h_rp.old[0] = h_size;
			return r;
		}
		return h_ret(syscall(SYS_prctl, a[0], a[1], a[2], a[3], a[4]));
	case KD_MM_MAP:
		if (h_read_mm_map())
			return -EIO;
		if (a[0] < KD_MM_FIELDS)
			h_mm_map[a[0]] = a[1];
		if (a[2] < KD_MM_FIELDS)
			h_mm_map[a[2]] = a[3];
		return h_ret(syscall(SYS_prctl, 35, 14 /* PR_SET_MM_MAP */, h_mm_map, a[4], 0));
	case KD_PERSONALITY:
		return h_ret(syscall(SYS_personality, a[0]));
	case KD_CAPGET:
		h_cap_hdr[0] = (uint32_t)a[0];
		h_cap_hdr[1] = a[1] == KD_SELF ? (uint32_t)syscall(SYS_getpid) : (uint32_t)a[1];
		for (int i = 0; i < 6; i++)
			h_cap_data[i] = 0;
		r = h_ret(syscall(SYS_capget, h_cap_hdr, h_ptr(a[2], h_cap_data)));
		h_rp.old[0] = h_cap_hdr[0];
		for (int i = 0; i < 3; i++)
			h_rp.old[1 + i] = h_cap_data[i] | (uint64_t)h_cap_data[3 + i] << 32;
		return r;
	case KD_CAPSET:
		h_cap_hdr[0] = (uint32_t)a[0];
		h_cap_hdr[1] = a[1] == KD_SELF ? (uint32_t)syscall(SYS_getpid) : (uint32_t)a[1];
		for (int i = 0; i < 3; i++) {
			h_cap_data[i] = (uint32_t)a[2 + i];
			h_cap_data[3 + i] = (uint32_t)(a[2 + i] >> 32);
		}
		return h_ret(syscall(SYS_capset, h_cap_hdr, h_cap_data));
	case KD_SETUID:
		return h_ret(syscall(SYS_setuid, a[0]));
	case KD_SETRESUID:
		return h_ret(syscall(SYS_setresuid, a[0], a[1], a[2]));
	case KD_SETGID:
		return h_ret(syscall(SYS_setgid, a[0]));
	case KD_SETRESGID:
		return h_ret(syscall(SYS_setresgid, a[0], a[1], a[2]));
	case KD_MLOCK2:
		return h_ret(syscall(SYS_mlock2, a[0], a[1], a[2]));
	default:
		return -EINVAL;
	}
}

static void helper_loop(void) __attribute__((noreturn));
static void helper_loop(void)
{
	/* On one CPU: a page the helper touches waits in that CPU's LRU batch,
	 * which MADV_PAGEOUT/COLD drain (lru_add_drain) only on the CPU they
	 * run on; a helper moved in between finds its page not on the LRU and
	 * keeps it, which the model cannot know (kdiff_mincore_matches once
	 * saw page 2 stay resident after MADV_PAGEOUT). */
	int cpu = sched_getcpu();
	if (cpu >= 0) {
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		(void)sched_setaffinity(0, sizeof(one), &one);
	}
	for (size_t i = 0; i < sizeof(h_vec); i++)
		h_vec[i] = 0;
	for (size_t i = 0; i < KD_IOV_SLOTS; i++)
		h_iov[i][0] = h_iov[i][1] = 0;
	long pfd = syscall(SYS_pidfd_open, syscall(SYS_getpid), 0);
	if (pfd >= 0 && pfd != HFD_PIDFD) {
		syscall(SYS_dup2, pfd, HFD_PIDFD);
		syscall(SYS_close, pfd);
	}
	h_rp.ret = (int64_t)READY_MAGIC;
	h_rp.old[0] = (uint64_t)syscall(SYS_brk, 0UL);
	/* System V ids and limits of our own, from a known start (root only). */
	h_rp.old[1] = syscall(SYS_unshare, CLONE_NEWIPC) == 0;
	if (h_io(HFD_REP, &h_rp, sizeof(h_rp), 1))
		_exit(1);
	for (;;) {
		uint64_t *a = h_rq.a;
		struct {
			uint64_t cur, max;
		} nl, ol;
		long r;

		if (h_io(HFD_CMD, &h_rq, sizeof(h_rq), 0))
			_exit(0);
		for (int i = 0; i < KD_NOUT; i++)
			h_rp.old[i] = 0;
		switch (h_rq.op) {
		case KD_MMAP:
			r = h_ret(syscall(SYS_mmap, a[0], a[1], a[2], a[3], a[4], a[5]));
			break;
		case KD_MUNMAP:
			r = h_ret(syscall(SYS_munmap, a[0], a[1]));
			break;
		case KD_MPROTECT:
			r = h_ret(syscall(SYS_mprotect, a[0], a[1], a[2]));
			break;
		case KD_BRK:
			r = syscall(SYS_brk, a[0]);
			break;
		case KD_MREMAP:
			r = h_ret(syscall(SYS_mremap, a[0], a[1], a[2], a[3], a[4]));
			break;
		case KD_MADVISE:
			r = h_ret(syscall(SYS_madvise, a[0], a[1], a[2]));
			break;
		case KD_MLOCK:
			r = h_ret(syscall(SYS_mlock, a[0], a[1]));
			break;
		case KD_MUNLOCK:
			r = h_ret(syscall(SYS_munlock, a[0], a[1]));
			break;
		case KD_PRLIMIT:
			nl.cur = a[1];
			nl.max = a[2];
			ol.cur = ol.max = 0;
			r = h_ret(syscall(SYS_prlimit64, 0, a[0], a[3] ? NULL : &nl, &ol));
			h_rp.old[0] = ol.cur;
			h_rp.old[1] = ol.max;
			break;
		case KD_ANON_NAME:
			r = h_ret(syscall(SYS_prctl, 0x53564d41 /* PR_SET_VMA */,
					  0 /* PR_SET_VMA_ANON_NAME */, a[0], a[1], "kd"));
			break;
		case KD_TOUCH:
			/* A kernel-mode access takes the same fault path as a user
			 * one (stack expansion, anon_vma, guard gaps) but turns
			 * SIGSEGV into EFAULT, so the helper survives. */
			if (a[1]) {
				r = h_ret(syscall(SYS_read, HFD_ZERO, a[0], 1));
			} else {
				r = h_ret(syscall(SYS_write, HFD_PIPE_W, a[0], 1));
				while (syscall(SYS_read, HFD_PIPE_R, h_drain, sizeof(h_drain)) > 0)
					;
			}
			if (r == 1)
				r = 0;
			break;
		case KD_MSEAL:
			r = h_ret(syscall(SYS_mseal, a[0], a[1], a[2]));
			break;
		case KD_MSYNC:
			r = h_ret(syscall(SYS_msync, a[0], a[1], a[2]));
			break;
		case KD_MINCORE:
			for (uint64_t i = 0; i < vec_entries(a[1]); i++)
				h_vec[i] = 0xaa;
			r = h_ret(syscall(SYS_mincore, a[0], a[1], a[2] == KD_VEC_BUF ? h_vec : NULL));
			break;
		case KD_REMAP_FILE_PAGES:
			r = h_ret(syscall(SYS_remap_file_pages, a[0], a[1], a[2], a[3], a[4]));
			break;
		case KD_PROCESS_MADVISE:
			for (int i = 0; i < KD_MAX_IOV; i++) {
				h_iov[i][0] = h_rq.iov[i][0];
				h_iov[i][1] = h_rq.iov[i][1];
			}
			r = h_ret(syscall(SYS_process_madvise, pidfd_of(a[0]),
					  a[4] == KD_IOV_ARRAY ? (void *)h_iov : NULL, a[1], a[2],
					  a[3]));
			break;
		case KD_PROCESS_MRELEASE:
			r = h_ret(syscall(SYS_process_mrelease, pidfd_of(a[0]), a[1]));
			break;
		case KD_SHMGET:
			r = h_ret(syscall(SYS_shmget, (int)a[0], a[1], (int)a[2]));
			break;
		case KD_SHMAT:
			r = h_ret(syscall(SYS_shmat, (int)a[0], a[1], (int)a[2]));
			break;
		case KD_SHMDT:
			r = h_ret(syscall(SYS_shmdt, a[0]));
			break;
		case KD_SHMCTL:
			memset(&h_shm, 0, sizeof(h_shm));
			if ((int)a[1] == IPC_SET) {
				/* IPC_SET writes uid and gid too: keep them. */
				syscall(SYS_shmctl, (int)a[0], IPC_STAT, &h_shm);
				h_shm.ds.shm_perm.mode = (unsigned short)a[2];
			}
			r = h_ret(syscall(SYS_shmctl, (int)a[0], (int)a[1], &h_shm));
			if (r >= 0)
				h_shmctl_out((int)a[1]);
			break;
		case KD_SHM_SYSCTL:
			r = a[0] < KD_NSYSCTLS ? h_sysctl(h_sysctl_path[a[0]], a[1]) : -EINVAL;
			break;
		case KD_MEMFD: {
			long fd = a[2] ? syscall(SYS_memfd_secret, (unsigned)a[1])
				       : syscall(SYS_memfd_create, "kd", (unsigned)a[1]);
			if (fd < 0) {
				r = -errno;
				break;
			}
			r = h_ret(syscall(SYS_dup3, fd, HFD_MEMFD0 + (long)(a[0] % KD_MEMFDS), 0));
			syscall(SYS_close, fd);
			if (r > 0)
				r = 0;
			break;
		}
		case KD_FTRUNCATE:
			r = h_ret(syscall(SYS_ftruncate, h_fd(a[0]), a[1]));
			break;
		case KD_SEAL:
			r = h_ret(syscall(SYS_fcntl, h_fd(a[0]), a[2] ? F_GET_SEALS : F_ADD_SEALS,
					  a[1]));
			break;
		case KD_FALLOCATE:
			r = h_ret(syscall(SYS_fallocate, h_fd(a[0]), (int)a[1], a[2], a[3]));
			break;
		case KD_UFFD_OPEN:
		case KD_UFFD_REGISTER:
		case KD_UFFD_UNREGISTER:
		case KD_UFFD_CLOSE:
		case KD_UFFD_ZEROPAGE:
			r = h_uffd_call(a);
			break;
		default:
			r = h_policy_call(a);
			break;
		}
		h_rp.ret = r;
		if (h_io(HFD_REP, &h_rp, sizeof(h_rp), 1))
			_exit(1);
		/* mincore's vector follows the reply. */
		if (h_rq.op == KD_MINCORE && a[2] == KD_VEC_BUF &&
		    h_io(HFD_REP, h_vec, vec_entries(a[1]), 1))
			_exit(1);
	}
}

/* glibc sets it to argv[0] before any constructor runs (<errno.h> declares
 * it only under _GNU_SOURCE). */
extern char *program_invocation_name;

/* Runs before main() in every process of this binary; only the helper,
 * recognised by its argv[0], stays here. (Not glibc's argc/argv arguments
 * to init_array functions: link-time optimisation sees a constructor
 * called with none and rejects reading them.) */
__attribute__((constructor)) static void kd_helper_ctor(void)
{
	const char *name = program_invocation_name;
	if (name && strcmp(name, HELPER_ARGV0) == 0)
		helper_loop();
}

/* ---- small utilities ---------------------------------------------------- */

/* Every report line starts with this (tests indent, the CLI does not). */
static const char *kd_pfx = "    ";

void kd_set_report_prefix(const char *prefix)
{
	kd_pfx = prefix ? prefix : "    ";
}

static void kp(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void kp(const char *fmt, ...)
{
	va_list ap;
	fputs(kd_pfx, stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

static char *read_text(const char *path, size_t *len_out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (len + 4096 > cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (buf) {
		buf[len] = 0;
		if (len_out)
			*len_out = len;
	}
	return buf;
}

static const char *errname(long e)
{
	static const struct {
		int e;
		const char *n;
	} t[] = {
	    {EPERM, "EPERM"},		{ENOENT, "ENOENT"}, {EBADF, "EBADF"},
	    {EAGAIN, "EAGAIN"},		{ENOMEM, "ENOMEM"}, {EACCES, "EACCES"},
	    {EFAULT, "EFAULT"},		{EBUSY, "EBUSY"},   {EEXIST, "EEXIST"},
	    {ENODEV, "ENODEV"},		{EINVAL, "EINVAL"}, {ETXTBSY, "ETXTBSY"},
	    {EOVERFLOW, "EOVERFLOW"},	{EFBIG, "EFBIG"},   {EINTR, "EINTR"},
	    {EOPNOTSUPP, "EOPNOTSUPP"}, {ENOSYS, "ENOSYS"}, {ESRCH, "ESRCH"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].e == e)
			return t[i].n;
	return "E?";
}

/* As strace prints a result; a touch's read or write moved one byte. */
static void fmt_ret(char *buf, size_t n, int op, long r)
{
	if (r < 0 && r > -4096)
		snprintf(buf, n, "-1 %s (%s)", errname(-r), strerror((int)-r));
	else if (op == KD_TOUCH && r == 0)
		snprintf(buf, n, "1");
	else if (op == KD_MMAP || op == KD_MREMAP || op == KD_BRK || op == KD_SHMAT)
		snprintf(buf, n, "%#lx", (unsigned long)r);
	else
		snprintf(buf, n, "%ld", r);
}

/* ---- call formatting ---------------------------------------------------- */

static void fmt_addr(char *out, size_t n, uint64_t a)
{
	if (a)
		snprintf(out, n, "%#" PRIx64, a);
	else
		snprintf(out, n, "NULL");
}

struct flagname {
	uint64_t bit;
	const char *name;
};

static const struct flagname prot_names[] = {
    {0x1, "PROT_READ"},
    {0x2, "PROT_WRITE"},
    {0x4, "PROT_EXEC"},
    {0x8, "PROT_SEM"},
    {0x01000000, "PROT_GROWSDOWN"},
    {0x02000000, "PROT_GROWSUP"},
};

static const struct flagname map_names[] = {
    {0x10, "MAP_FIXED"},
    {0x20, "MAP_ANONYMOUS"},
    {0x40, "MAP_32BIT"},
    {0x100, "MAP_GROWSDOWN"},
    {0x800, "MAP_DENYWRITE"},
    {0x1000, "MAP_EXECUTABLE"},
    {0x2000, "MAP_LOCKED"},
    {0x4000, "MAP_NORESERVE"},
    {0x8000, "MAP_POPULATE"},
    {0x10000, "MAP_NONBLOCK"},
    {0x20000, "MAP_STACK"},
    {0x40000, "MAP_HUGETLB"},
    {0x80000, "MAP_SYNC"},
    {0x100000, "MAP_FIXED_NOREPLACE"},
    {0x4000000, "MAP_UNINITIALIZED"},
};

static const struct flagname mremap_names[] = {
    {1, "MREMAP_MAYMOVE"},
    {2, "MREMAP_FIXED"},
    {4, "MREMAP_DONTUNMAP"},
};

static void fmt_flags(char *out, size_t n, uint64_t v, const struct flagname *t, size_t nt,
		      const char *prefix)
{
	size_t len = 0;
	out[0] = 0;
	if (prefix) {
		len += (size_t)snprintf(out + len, n - len, "%s", prefix);
	}
	for (size_t i = 0; i < nt && len < n; i++) {
		if (v & t[i].bit) {
			len +=
			    (size_t)snprintf(out + len, n - len, "%s%s", len ? "|" : "", t[i].name);
			v &= ~t[i].bit;
		}
	}
	if (len < n && (v || len == 0))
		snprintf(out + len, n - len, "%s%#" PRIx64, len ? "|" : "", v);
}

static const char *madv_name(long adv)
{
	static const char *const names[] = {
	    "MADV_NORMAL",
	    "MADV_RANDOM",
	    "MADV_SEQUENTIAL",
	    "MADV_WILLNEED",
	    "MADV_DONTNEED",
	    NULL,
	    NULL,
	    NULL,
	    "MADV_FREE",
	    "MADV_REMOVE",
	    "MADV_DONTFORK",
	    "MADV_DOFORK",
	    "MADV_MERGEABLE",
	    "MADV_UNMERGEABLE",
	    "MADV_HUGEPAGE",
	    "MADV_NOHUGEPAGE",
	    "MADV_DONTDUMP",
	    "MADV_DODUMP",
	    "MADV_WIPEONFORK",
	    "MADV_KEEPONFORK",
	    "MADV_COLD",
	    "MADV_PAGEOUT",
	    "MADV_POPULATE_READ",
	    "MADV_POPULATE_WRITE",
	    "MADV_DONTNEED_LOCKED",
	    "MADV_COLLAPSE",
	};
	if (adv >= 0 && adv < (long)(sizeof(names) / sizeof(names[0])) && names[adv])
		return names[adv];
	if (adv == 102)
		return "MADV_GUARD_INSTALL";
	if (adv == 103)
		return "MADV_GUARD_REMOVE";
	return NULL;
}

static const struct flagname msync_names[] = {
    {1, "MS_ASYNC"},
    {2, "MS_INVALIDATE"},
    {4, "MS_SYNC"},
};

static void fmt_pidfd(char *out, size_t n, uint64_t kind)
{
	switch (kind) {
	case KD_PIDFD_OWN:
		snprintf(out, n, "%d /*pidfd of itself*/", HFD_PIDFD);
		break;
	case KD_PIDFD_SELF_THREAD:
		snprintf(out, n, "%d /*PIDFD_SELF_THREAD*/", PIDFD_SELF_THREAD);
		break;
	case KD_PIDFD_NOT:
		snprintf(out, n, "%d /*not a pidfd*/", HFD_ZERO);
		break;
	default:
		snprintf(out, n, "%d /*closed*/", HFD_BAD);
		break;
	}
}

static const char *rlimit_name(uint64_t r)
{
	switch (r) {
	case VMS_RLIMIT_DATA:
		return "RLIMIT_DATA";
	case VMS_RLIMIT_STACK:
		return "RLIMIT_STACK";
	case VMS_RLIMIT_MEMLOCK:
		return "RLIMIT_MEMLOCK";
	case VMS_RLIMIT_AS:
		return "RLIMIT_AS";
	}
	return "?";
}

/* The helper's files, in the order kd_start opens them. */
enum file_kind {
	FK_TMP,     /* a file of the test directory (on whatever /tmp is) */
	FK_DIR,     /* the test directory itself */
	FK_DEV,     /* a device: tag is its path */
	FK_SHM,     /* a file of a directory in /dev/shm (tmpfs), else like FK_TMP */
	FK_TMPFILE, /* open(O_TMPFILE) in the test directory: "/DIR/#INO (deleted)" */
};
struct file_spec {
	const char *tag; /* file name in the tmpdir and message tag */
	int oflags;	 /* open(2) flags */
	int vms_oflags;
	uint64_t size;
	int deleted;
	enum file_kind kind;
};

static const struct file_spec file_specs[] = {
    {"a", O_RDONLY, VMS_O_RDONLY, 64 * 1024, 0, FK_TMP},
    {"a", O_RDWR, VMS_O_RDWR, 64 * 1024, 0, FK_TMP},
    {"a", O_RDONLY, VMS_O_RDONLY, 64 * 1024, 0, FK_TMP}, /* a second struct file of "a" */
    {"b", O_RDONLY, VMS_O_RDONLY, 5 * 4096 + 100, 0, FK_TMP},
    {"b", O_RDWR, VMS_O_RDWR, 5 * 4096 + 100, 0, FK_TMP},
    {"c", O_RDWR, VMS_O_RDWR, 2 * 1024 * 1024, 0, FK_TMP},
    {"e", O_RDONLY, VMS_O_RDONLY, 0, 0, FK_TMP},
    {"d", O_RDWR, VMS_O_RDWR, 32 * 1024, 1, FK_TMP},
    {"a", O_WRONLY, VMS_O_WRONLY, 64 * 1024, 0, FK_TMP},
    {"a", O_RDWR | O_APPEND, VMS_O_RDWR | VMS_O_APPEND, 64 * 1024, 0, FK_TMP},
    {".", O_RDONLY | O_DIRECTORY, VMS_O_RDONLY, 0, 0, FK_DIR},
    {"/dev/zero", O_RDWR, VMS_O_RDWR, 0, 0, FK_DEV},
    {"/dev/zero", O_RDONLY, VMS_O_RDONLY, 0, 0, FK_DEV},
    {"/dev/null", O_RDWR, VMS_O_RDWR, 0, 0, FK_DEV},
    {"s", O_RDWR, VMS_O_RDWR, 16 * 1024, 0, FK_SHM},
    {"t", O_RDWR, VMS_O_RDWR, 3 * 4096 + 5, 0, FK_TMPFILE},
};
#define NSPECS ((int)(sizeof(file_specs) / sizeof(file_specs[0])))

static const char *oflag_tag(int vms_oflags)
{
	if (vms_oflags & VMS_O_APPEND)
		return "rw+append";
	switch (vms_oflags & 3) {
	case VMS_O_RDONLY:
		return "ro";
	case VMS_O_WRONLY:
		return "wo";
	default:
		return "rw";
	}
}

static void fmt_fd(char *out, size_t n, uint64_t idx)
{
	if (idx == KD_FD_NONE)
		snprintf(out, n, "-1");
	else if (idx == KD_FD_BAD)
		snprintf(out, n, "%d /*closed*/", HFD_BAD);
	else if (idx >= KD_FD_MEMFD(0) && idx < KD_FD_MEMFD(KD_MEMFDS))
		snprintf(out, n, "%ld /*memfd slot %d*/", h_fd(idx), (int)(idx - KD_FD_MEMFD(0)));
	else if (idx < (uint64_t)NSPECS)
		snprintf(out, n, "%d /*%s:%s size %" PRIu64 "%s*/", HFD_FILE0 + (int)idx,
			 file_specs[idx].tag, oflag_tag(file_specs[idx].vms_oflags),
			 file_specs[idx].size, file_specs[idx].deleted ? " deleted" : "");
	else
		snprintf(out, n, "?%" PRIu64, idx);
}

static const struct flagname shmflg_names[] = {
    {01000, "IPC_CREAT"}, {02000, "IPC_EXCL"}, {04000, "SHM_HUGETLB"}, {010000, "SHM_NORESERVE"},
};
static const struct flagname shmat_names[] = {
    {010000, "SHM_RDONLY"}, {020000, "SHM_RND"}, {040000, "SHM_REMAP"}, {0100000, "SHM_EXEC"},
};
static const struct flagname mfd_names[] = {
    {1, "MFD_CLOEXEC"},      {2, "MFD_ALLOW_SEALING"}, {4, "MFD_HUGETLB"},
    {8, "MFD_NOEXEC_SEAL"}, {0x10, "MFD_EXEC"},
};
static const struct flagname falloc_names[] = {
    {1, "FALLOC_FL_KEEP_SIZE"},	    {2, "FALLOC_FL_PUNCH_HOLE"},   {8, "FALLOC_FL_COLLAPSE_RANGE"},
    {0x10, "FALLOC_FL_ZERO_RANGE"}, {0x20, "FALLOC_FL_INSERT_RANGE"}, {0x40, "FALLOC_FL_UNSHARE_RANGE"},
};
static const struct flagname seal_names[] = {
    {1, "F_SEAL_SEAL"},  {2, "F_SEAL_SHRINK"},	     {4, "F_SEAL_GROW"},
    {8, "F_SEAL_WRITE"}, {0x10, "F_SEAL_FUTURE_WRITE"}, {0x20, "F_SEAL_EXEC"},
};

static const char *shmctl_cmd_name(uint64_t cmd)
{
	static const char *const names[] = {"IPC_RMID", "IPC_SET", "IPC_STAT", "IPC_INFO"};
	static const char *const shm[] = {"SHM_LOCK", "SHM_UNLOCK", "SHM_STAT", "SHM_INFO",
					  "SHM_STAT_ANY"};
	if (cmd < 4)
		return names[cmd];
	if (cmd >= 11 && cmd <= 15)
		return shm[cmd - 11];
	return NULL;
}

/* A flag word with a size encoded at bit 26 (MAP_HUGE_*, SHM_HUGE_*, MFD_HUGE_*). */
static void fmt_huge_flags(char *out, size_t n, uint64_t v, const struct flagname *t, size_t nt,
			   const char *huge_prefix, unsigned perm_bits)
{
	uint64_t log = (v >> 26) & 0x3f, perms = perm_bits ? v & perm_bits : 0;
	fmt_flags(out, n, v & ~(0x3fULL << 26) & ~(uint64_t)perm_bits, t, nt, NULL);
	size_t len = strlen(out);
	if (!strcmp(out, "0") && (log || perms))
		len = 0;
	if (log)
		len += (size_t)snprintf(out + len, n - len, "%s%s_%" PRIu64 "B", len ? "|" : "",
					huge_prefix, log);
	if (perms)
		snprintf(out + len, n - len, "%s%#" PRIo64, len ? "|" : "", perms);
}

/* The shared-memory calls as strace prints them (KD_SHM_SYSCTL as the
 * write of its file, KD_MEMFD with the descriptor it goes to). */
static void kd_format_shm_call(const struct kd_call *c, char *buf, size_t size)
{
	const uint64_t *a = c->a;
	char f1[160], fd[64];
	switch (c->op) {
	case KD_SHMGET:
		fmt_huge_flags(f1, sizeof(f1), a[2], shmflg_names,
			       sizeof(shmflg_names) / sizeof(shmflg_names[0]), "SHM_HUGE", 0777);
		if (a[0])
			snprintf(buf, size, "shmget(%#x, %" PRIu64 ", %s)", (unsigned)a[0], a[1], f1);
		else
			snprintf(buf, size, "shmget(IPC_PRIVATE, %" PRIu64 ", %s)", a[1], f1);
		break;
	case KD_SHMAT:
		fmt_flags(f1, sizeof(f1), a[2], shmat_names,
			  sizeof(shmat_names) / sizeof(shmat_names[0]), NULL);
		fmt_addr(fd, sizeof(fd), a[1]);
		snprintf(buf, size, "shmat(%d, %s, %s)", (int)a[0], fd, f1);
		break;
	case KD_SHMDT:
		snprintf(buf, size, "shmdt(%#" PRIx64 ")", a[0]);
		break;
	case KD_SHMCTL: {
		const char *n = shmctl_cmd_name(a[1]);
		if (n && a[1] == 1)
			snprintf(buf, size, "shmctl(%d, IPC_SET, {shm_perm={mode=%#" PRIo64 "}})",
				 (int)a[0], a[2]);
		else if (n)
			snprintf(buf, size, "shmctl(%d, %s, %s)", (int)a[0], n, a[1] ? "{...}" : "NULL");
		else
			snprintf(buf, size, "shmctl(%d, %#" PRIx64 " /* SHM_??? */, NULL)", (int)a[0],
				 a[1]);
		break;
	}
	case KD_SHM_SYSCTL:
		snprintf(buf, size, "write(\"%s\", \"%" PRIu64 "\") /* sysctl */",
			 a[0] < KD_NSYSCTLS ? h_sysctl_path[a[0]] : "?", a[1]);
		break;
	case KD_MEMFD:
		if (a[2]) {
			snprintf(buf, size, "memfd_secret(%s) /* to fd %ld */",
				 a[1] == 02000000 ? "O_CLOEXEC" : a[1] ? "?" : "0",
				 h_fd(KD_FD_MEMFD(a[0] % KD_MEMFDS)));
			if (a[1] && a[1] != 02000000)
				snprintf(buf, size, "memfd_secret(%#" PRIx64 ") /* to fd %ld */", a[1],
					 h_fd(KD_FD_MEMFD(a[0] % KD_MEMFDS)));
			break;
		}
		fmt_huge_flags(f1, sizeof(f1), a[1], mfd_names,
			       sizeof(mfd_names) / sizeof(mfd_names[0]), "MFD_HUGE", 0);
		snprintf(buf, size, "memfd_create(\"kd\", %s) /* to fd %ld */", f1,
			 h_fd(KD_FD_MEMFD(a[0] % KD_MEMFDS)));
		break;
	case KD_FTRUNCATE:
		fmt_fd(fd, sizeof(fd), a[0]);
		snprintf(buf, size, "ftruncate(%s, %" PRId64 ")", fd, (int64_t)a[1]);
		break;
	case KD_SEAL:
		fmt_fd(fd, sizeof(fd), a[0]);
		if (a[2]) {
			snprintf(buf, size, "fcntl(%s, F_GET_SEALS)", fd);
			break;
		}
		fmt_flags(f1, sizeof(f1), a[1], seal_names, sizeof(seal_names) / sizeof(seal_names[0]),
			  NULL);
		snprintf(buf, size, "fcntl(%s, F_ADD_SEALS, %s)", fd, f1);
		break;
	case KD_FALLOCATE:
		fmt_fd(fd, sizeof(fd), a[0]);
		fmt_flags(f1, sizeof(f1), a[1], falloc_names,
			  sizeof(falloc_names) / sizeof(falloc_names[0]), NULL);
		snprintf(buf, size, "fallocate(%s, %s, %" PRId64 ", %" PRId64 ")", fd, f1,
			 (int64_t)a[2], (int64_t)a[3]);
		break;
	}
}

/* ---- formatting the policy, key, prctl and credential calls ---- */

static void fmt_mpol_mode(char *out, size_t n, uint64_t mode)
{
	static const char *const modes[] = {"MPOL_DEFAULT",   "MPOL_PREFERRED",
					    "MPOL_BIND",      "MPOL_INTERLEAVE",
					    "MPOL_LOCAL",     "MPOL_PREFERRED_MANY",
					    "MPOL_WEIGHTED_INTERLEAVE"};
	static const struct flagname mflags[] = {
	    {1 << 15, "MPOL_F_STATIC_NODES"},
	    {1 << 14, "MPOL_F_RELATIVE_NODES"},
	    {1 << 13, "MPOL_F_NUMA_BALANCING"},
	};
	uint64_t base = mode & ~(uint64_t)(7 << 13);
	char f[128];
	fmt_flags(f, sizeof(f), mode & (7 << 13), mflags, 3, NULL);
	if (base < 7)
		snprintf(out, n, "%s%s%s", (mode & (7 << 13)) ? f : "",
			 (mode & (7 << 13)) ? "|" : "", modes[base]);
	else
		snprintf(out, n, "%#" PRIx64, mode);
}

/* A node mask argument as strace prints it (the extra bit as a comment). */
static void fmt_mask(char *out, size_t n, uint64_t kind, uint64_t w0, uint64_t extra)
{
	if (kind == KD_PTR_NULL)
		snprintf(out, n, "NULL");
	else if (kind == KD_PTR_BAD)
		snprintf(out, n, "0x8000000000000000");
	else if (extra)
		snprintf(out, n, "[%#" PRIx64 " /* and node %" PRIu64 " */]", w0, extra - 1);
	else
		snprintf(out, n, "[%#" PRIx64 "]", w0);
}

static const char *prctl_name(uint64_t opt)
{
	switch (opt) {
	case 35:
		return "PR_SET_MM";
	case 41:
		return "PR_SET_THP_DISABLE";
	case 42:
		return "PR_GET_THP_DISABLE";
	case 65:
		return "PR_SET_MDWE";
	case 66:
		return "PR_GET_MDWE";
	}
	return NULL;
}

static const char *const mm_field_names[KD_MM_FIELDS] = {
    "start_code", "end_code",  "start_data", "end_data", "start_brk", "brk",
    "start_stack", "arg_start", "arg_end",    "env_start", "env_end",
};

static void format_policy_call(const struct kd_call *c, char *buf, size_t size)
{
	const uint64_t *a = c->a;
	char f1[160], f2[96], f3[96];
	switch (c->op) {
	case KD_MBIND:
		fmt_mpol_mode(f1, sizeof(f1), a[2]);
		fmt_mask(f2, sizeof(f2), a[6], a[3], a[7]);
		snprintf(buf, size, "mbind(%#" PRIx64 ", %#" PRIx64 ", %s, %s, %" PRIu64 ", %#" PRIx64 ")",
			 a[0], a[1], f1, f2, a[4], a[5]);
		break;
	case KD_SET_MEMPOLICY:
		fmt_mpol_mode(f1, sizeof(f1), a[0]);
		fmt_mask(f2, sizeof(f2), a[6], a[3], a[7]);
		snprintf(buf, size, "set_mempolicy(%s, %s, %" PRIu64 ")", f1, f2, a[4]);
		break;
	case KD_GET_MEMPOLICY:
		snprintf(buf, size, "get_mempolicy(%s, %s, %" PRIu64 ", %#" PRIx64 ", %#" PRIx64 ")",
			 a[3] == KD_PTR_NULL ? "NULL" : "[...]",
			 a[6] == KD_PTR_NULL		? "NULL"
			 : a[6] == KD_PTR_BAD ? "0x8000000000000000"
					      : "[...]",
			 a[0],
			 a[1], a[2]);
		break;
	case KD_HOME_NODE:
		snprintf(buf, size, "set_mempolicy_home_node(%#" PRIx64 ", %#" PRIx64 ", %" PRIu64
			 ", %#" PRIx64 ")", a[0], a[1], a[2], a[3]);
		break;
	case KD_PKEY_ALLOC:
		snprintf(buf, size, "pkey_alloc(%#" PRIx64 ", %#" PRIx64 ")", a[0], a[1]);
		break;
	case KD_PKEY_FREE:
		snprintf(buf, size, "pkey_free(%d)", (int)a[0]);
		break;
	case KD_PKEY_MPROTECT:
		fmt_flags(f1, sizeof(f1), a[2], prot_names, sizeof(prot_names) / sizeof(prot_names[0]),
			  NULL);
		snprintf(buf, size, "pkey_mprotect(%#" PRIx64 ", %#" PRIx64 ", %s, %d)", a[0], a[1],
			 a[2] ? f1 : "PROT_NONE", (int)a[3]);
		break;
	case KD_SHADOW_STACK:
		snprintf(buf, size, "map_shadow_stack(%#" PRIx64 ", %#" PRIx64 ", %#" PRIx64 ")", a[0],
			 a[1], a[2]);
		break;
	case KD_PRCTL: {
		const char *n = prctl_name(a[0]);
		if (n)
			snprintf(f1, sizeof(f1), "%s", n);
		else
			snprintf(f1, sizeof(f1), "%#" PRIx64, a[0]);
		snprintf(buf, size, "prctl(%s, %#" PRIx64 ", %#" PRIx64 ", %#" PRIx64 ", %#" PRIx64 ")",
			 f1, a[1], a[2], a[3], a[4]);
		break;
	}
	case KD_MM_MAP:
		f2[0] = f3[0] = 0;
		if (a[0] < KD_MM_FIELDS)
			snprintf(f2, sizeof(f2), "%s=%#" PRIx64 ", ", mm_field_names[a[0]], a[1]);
		if (a[2] < KD_MM_FIELDS)
			snprintf(f3, sizeof(f3), "%s=%#" PRIx64 ", ", mm_field_names[a[2]], a[3]);
		snprintf(buf, size,
			 "prctl(PR_SET_MM, PR_SET_MM_MAP, {%s%s/* the rest as now */ exe_fd=-1}, %" PRIu64
			 ", 0)",
			 f2, f3, a[4]);
		break;
	case KD_PERSONALITY:
		snprintf(buf, size, "personality(%#" PRIx64 ")", a[0]);
		break;
	case KD_CAPGET:
		snprintf(buf, size, "capget({version=%#" PRIx64 ", pid=%s}, %s)", a[0],
			 a[1] == KD_SELF ? "/* self */ 0" : "0", a[2] == KD_PTR_NULL ? "NULL" : "[...]");
		if (a[1] != KD_SELF && a[1])
			snprintf(buf, size, "capget({version=%#" PRIx64 ", pid=%d}, %s)", a[0],
				 (int)a[1], a[2] == KD_PTR_NULL ? "NULL" : "[...]");
		break;
	case KD_CAPSET:
		snprintf(f1, sizeof(f1), a[1] == KD_SELF ? "/* self */" : "%d", (int)a[1]);
		snprintf(buf, size,
			 "capset({version=%#" PRIx64 ", pid=%s}, {effective=%#" PRIx64
			 ", permitted=%#" PRIx64 ", inheritable=%#" PRIx64 "})",
			 a[0], f1, a[2], a[3], a[4]);
		break;
	case KD_SETUID:
	case KD_SETGID:
		snprintf(buf, size, "%s(%d)", c->op == KD_SETUID ? "setuid" : "setgid", (int)a[0]);
		break;
	case KD_SETRESUID:
	case KD_SETRESGID:
		snprintf(buf, size, "%s(%d, %d, %d)", c->op == KD_SETRESUID ? "setresuid" : "setresgid",
			 (int)a[0], (int)a[1], (int)a[2]);
		break;
	case KD_MLOCK2:
		snprintf(buf, size, "mlock2(%#" PRIx64 ", %#" PRIx64 ", %s)", a[0], a[1],
			 a[2] == 1 ? "MLOCK_ONFAULT" : a[2] ? "0x?" : "0");
		if (a[2] > 1)
			snprintf(buf, size, "mlock2(%#" PRIx64 ", %#" PRIx64 ", %#" PRIx64 ")", a[0], a[1],
				 a[2]);
		break;
	default:
		snprintf(buf, size, "op%d(?)", c->op);
	}
}

void kd_format_call(const struct kd *kd, const struct kd_call *c, char *buf, size_t size)
{
	char f1[256], f2[128];
	const uint64_t *a = c->a;
	(void)kd;
	switch (c->op) {
	case KD_MMAP: {
		const char *type;
		switch (a[3] & 0xf) {
		case 1:
			type = "MAP_SHARED";
			break;
		case 2:
			type = "MAP_PRIVATE";
			break;
		case 3:
			type = "MAP_SHARED_VALIDATE";
			break;
		case 8:
			type = "MAP_DROPPABLE";
			break;
		default:
			type = NULL;
			break;
		}
		fmt_flags(f1, sizeof(f1), a[3] & ~(type ? 0xfULL : 0), map_names,
			  sizeof(map_names) / sizeof(map_names[0]), type);
		char pr[128];
		fmt_flags(pr, sizeof(pr), a[2], prot_names,
			  sizeof(prot_names) / sizeof(prot_names[0]), NULL);
		if (a[2] == 0)
			snprintf(pr, sizeof(pr), "PROT_NONE");
		fmt_fd(f2, sizeof(f2), a[4]);
		char ad[32];
		fmt_addr(ad, sizeof(ad), a[0]);
		snprintf(buf, size, "mmap(%s, %#" PRIx64 ", %s, %s, %s, %#" PRIx64 ")", ad, a[1],
			 pr, f1, f2, a[5]);
		break;
	}
	case KD_MUNMAP:
		snprintf(buf, size, "munmap(%#" PRIx64 ", %#" PRIx64 ")", a[0], a[1]);
		break;
	case KD_MPROTECT:
		fmt_flags(f1, sizeof(f1), a[2], prot_names,
			  sizeof(prot_names) / sizeof(prot_names[0]), NULL);
		if (a[2] == 0)
			snprintf(f1, sizeof(f1), "PROT_NONE");
		snprintf(buf, size, "mprotect(%#" PRIx64 ", %#" PRIx64 ", %s)", a[0], a[1], f1);
		break;
	case KD_BRK:
		fmt_addr(f1, sizeof(f1), a[0]);
		snprintf(buf, size, "brk(%s)", f1);
		break;
	case KD_MREMAP:
		fmt_flags(f1, sizeof(f1), a[3], mremap_names,
			  sizeof(mremap_names) / sizeof(mremap_names[0]), NULL);
		/* strace shows new_address only when it is used; a stray one
		 * is kept, as it is part of the call. */
		if (a[4] || (a[3] & VMS_MREMAP_FIXED))
			snprintf(buf, size,
				 "mremap(%#" PRIx64 ", %#" PRIx64 ", %#" PRIx64 ", %s, %#" PRIx64
				 ")",
				 a[0], a[1], a[2], a[3] ? f1 : "0", a[4]);
		else
			snprintf(buf, size, "mremap(%#" PRIx64 ", %#" PRIx64 ", %#" PRIx64 ", %s)",
				 a[0], a[1], a[2], a[3] ? f1 : "0");
		break;
	case KD_MADVISE: {
		const char *n = madv_name((long)(int)a[2]);
		if (n)
			snprintf(f1, sizeof(f1), "%s", n);
		else
			snprintf(f1, sizeof(f1), "%d /*invalid*/", (int)a[2]);
		snprintf(buf, size, "madvise(%#" PRIx64 ", %#" PRIx64 ", %s)", a[0], a[1], f1);
		break;
	}
	case KD_MLOCK:
		snprintf(buf, size, "mlock(%#" PRIx64 ", %#" PRIx64 ")", a[0], a[1]);
		break;
	case KD_MUNLOCK:
		snprintf(buf, size, "munlock(%#" PRIx64 ", %#" PRIx64 ")", a[0], a[1]);
		break;
	case KD_PRLIMIT:
		if (a[3])
			snprintf(buf, size, "prlimit64(0, %s, NULL, {...})", rlimit_name(a[0]));
		else
			snprintf(buf, size,
				 "prlimit64(0, %s /*%" PRIu64 "*/, {rlim_cur=%#" PRIx64
				 ", rlim_max=%#" PRIx64 "}, {...})",
				 rlimit_name(a[0]), a[0], a[1], a[2]);
		break;
	case KD_ANON_NAME:
		snprintf(buf, size,
			 "prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, %#" PRIx64 ", %#" PRIx64
			 ", \"kd\")",
			 a[0], a[1]);
		break;
	case KD_TOUCH:
		/* the helper's descriptors: /dev/zero, and a pipe's write end */
		snprintf(buf, size, "%s(%d, %#" PRIx64 ", 1) /* %s touch */",
			 a[1] ? "read" : "write", a[1] ? HFD_ZERO : HFD_PIPE_W, a[0],
			 a[1] ? "write" : "read");
		break;
	case KD_MSEAL:
		snprintf(buf, size, "mseal(%#" PRIx64 ", %#" PRIx64 ", %#" PRIx64 ")", a[0], a[1],
			 a[2]);
		break;
	case KD_UFFD_OPEN:
		snprintf(buf, size,
			 "userfaultfd(%#" PRIx64 ") + dup3(.., %d) + ioctl(%d, UFFDIO_API, {api=%#" PRIx64
			 ", features=%#" PRIx64 " /* |UFFD_FEATURE_SIGBUS */})",
			 a[1], HFD_UFFD0 + (int)(a[0] % KD_UFFDS), HFD_UFFD0 + (int)(a[0] % KD_UFFDS),
			 a[3], a[2]);
		break;
	case KD_UFFD_REGISTER:
		snprintf(buf, size,
			 "ioctl(%d, UFFDIO_REGISTER, {range={start=%#" PRIx64 ", len=%#" PRIx64
			 "}, mode=%#" PRIx64 "})",
			 HFD_UFFD0 + (int)(a[0] % KD_UFFDS), a[1], a[2], a[3]);
		break;
	case KD_UFFD_UNREGISTER:
		snprintf(buf, size, "ioctl(%d, UFFDIO_UNREGISTER, {start=%#" PRIx64 ", len=%#" PRIx64 "})",
			 HFD_UFFD0 + (int)(a[0] % KD_UFFDS), a[1], a[2]);
		break;
	case KD_UFFD_CLOSE:
		snprintf(buf, size, "close(%d)", HFD_UFFD0 + (int)(a[0] % KD_UFFDS));
		break;
	case KD_UFFD_ZEROPAGE:
		snprintf(buf, size,
			 "ioctl(%d, UFFDIO_ZEROPAGE, {range={start=%#" PRIx64 ", len=%#" PRIx64
			 "}, mode=%#" PRIx64 "})",
			 HFD_UFFD0 + (int)(a[0] % KD_UFFDS), a[1], a[2], a[3]);
		break;
	case KD_MSYNC:
		fmt_flags(f1, sizeof(f1), a[2], msync_names,
			  sizeof(msync_names) / sizeof(msync_names[0]), NULL);
		snprintf(buf, size, "msync(%#" PRIx64 ", %#" PRIx64 ", %s)", a[0], a[1], f1);
		break;
	case KD_MINCORE:
		snprintf(buf, size, "mincore(%#" PRIx64 ", %#" PRIx64 ", %s)", a[0], a[1],
			 a[2] == KD_VEC_BUF ? "[...]" : "NULL");
		break;
	case KD_REMAP_FILE_PAGES:
		fmt_flags(f1, sizeof(f1), a[2], prot_names,
			  sizeof(prot_names) / sizeof(prot_names[0]), NULL);
		if (a[2] == 0)
			snprintf(f1, sizeof(f1), "PROT_NONE");
		fmt_flags(f2, sizeof(f2), a[4], map_names, sizeof(map_names) / sizeof(map_names[0]),
			  NULL);
		snprintf(buf, size, "remap_file_pages(%#" PRIx64 ", %#" PRIx64 ", %s, %#" PRIx64
			 ", %s)",
			 a[0], a[1], f1, a[3], a[4] ? f2 : "0");
		break;
	case KD_PROCESS_MADVISE: {
		char iv[KD_MAX_IOV * 64 + 16] = "NULL";
		size_t len = 0;
		if (a[4] == KD_IOV_ARRAY) {
			uint64_t shown = a[1] < KD_MAX_IOV ? a[1] : KD_MAX_IOV;
			len += (size_t)snprintf(iv, sizeof(iv), "[");
			for (uint64_t i = 0; i < shown && len < sizeof(iv); i++)
				len += (size_t)snprintf(iv + len, sizeof(iv) - len,
							"%s{iov_base=%#" PRIx64 ", iov_len=%#" PRIx64
							"}",
							i ? ", " : "", c->iov[i].base, c->iov[i].len);
			if (len < sizeof(iv))
				snprintf(iv + len, sizeof(iv) - len, "%s]",
					 a[1] > shown ? ", ... /*{0, 0}*/" : "");
		}
		const char *n = madv_name((long)(int)a[2]);
		if (n)
			snprintf(f1, sizeof(f1), "%s", n);
		else
			snprintf(f1, sizeof(f1), "%d /*invalid*/", (int)a[2]);
		fmt_pidfd(f2, sizeof(f2), a[0]);
		snprintf(buf, size, "process_madvise(%s, %s, %" PRIu64 ", %s, %#" PRIx64 ")", f2, iv,
			 a[1], f1, a[3]);
		break;
	}
	case KD_PROCESS_MRELEASE:
		fmt_pidfd(f2, sizeof(f2), a[0]);
		snprintf(buf, size, "process_mrelease(%s, %#" PRIx64 ")", f2, a[1]);
		break;
	case KD_SHMGET:
	case KD_SHMAT:
	case KD_SHMDT:
	case KD_SHMCTL:
	case KD_SHM_SYSCTL:
	case KD_MEMFD:
	case KD_FTRUNCATE:
	case KD_SEAL:
	case KD_FALLOCATE:
		kd_format_shm_call(c, buf, size);
		break;
	default:
		format_policy_call(c, buf, size);
	}
}

/* ---- usability ------------------------------------------------------------ */

int kd_usable(char *why, size_t why_size)
{
#if !defined(__linux__) || !defined(__x86_64__)
	snprintf(why, why_size, "not Linux x86-64");
	return -1;
#else
	const char *pre = getenv("LD_PRELOAD");
	if ((pre && (strstr(pre, "vgpreload") || strstr(pre, "valgrind"))) ||
	    getenv("VALGRIND_LAUNCHER")) {
		snprintf(why, why_size, "running under valgrind");
		return -1;
	}
	if (getenv("KDIFF_SKIP")) {
		snprintf(why, why_size, "KDIFF_SKIP is set");
		return -1;
	}
	if (access("/proc/self/maps", R_OK) != 0 || access("/proc/self/exe", R_OK) != 0) {
		snprintf(why, why_size, "/proc is not mounted");
		return -1;
	}
	if (personality(0xffffffff) == -1) {
		snprintf(why, why_size, "personality(2) fails: %s", strerror(errno));
		return -1;
	}
	return 0;
#endif
}

/* ---- starting the helper and the model ---------------------------------- */

/* /proc/PID/stat fields, 1-based as in proc(5); f[3] (the state letter)
 * reads as 0. */
static int stat_fields(pid_t pid, uint64_t *f, int nf)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	char *t = read_text(path, NULL);
	if (!t)
		return -1;
	char *p = strrchr(t, ')');
	if (!p) {
		free(t);
		return -1;
	}
	memset(f, 0, sizeof(*f) * (size_t)nf);
	p++;
	for (int i = 3; i < nf; i++) {
		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			break;
		f[i] = strtoull(p, NULL, 10);
		while (*p && *p != ' ' && *p != '\n')
			p++;
	}
	free(t);
	return 0;
}

static int kd_send(struct kd *kd, const struct kd_req *rq, struct kd_rep *rp)
{
	if (h_io(kd->cmd_fd, (void *)rq, sizeof(*rq), 1))
		return -1;
	if (h_io(kd->rep_fd, rp, sizeof(*rp), 0))
		return -1;
	return 0;
}

static void add_prot(struct kd *kd, uint64_t s, uint64_t e)
{
	if (kd->nprot < KD_MAX_PROT) {
		kd->prot[kd->nprot].start = s;
		kd->prot[kd->nprot].end = e;
		kd->nprot++;
	}
}

static int overlaps_prot(const struct kd *kd, uint64_t s, uint64_t e)
{
	for (int i = 0; i < kd->nprot; i++)
		if (s < kd->prot[i].end && e > kd->prot[i].start)
			return 1;
	return 0;
}

/* The path of a spec's file (what maps shows, for a tmpfile after open). */
static void spec_path(const struct kd *kd, const struct file_spec *s, char *path, size_t n)
{
	switch (s->kind) {
	case FK_DIR:
	case FK_TMPFILE:
		snprintf(path, n, "%s", kd->tmpdir);
		break;
	case FK_DEV:
		snprintf(path, n, "%s", s->tag);
		break;
	case FK_SHM:
		snprintf(path, n, "%s/%s", kd->shmdir[0] ? kd->shmdir : kd->tmpdir, s->tag);
		break;
	default:
		snprintf(path, n, "%s/%s", kd->tmpdir, s->tag);
		break;
	}
}

/* Opens a spec's file in the test directories (creating it at its size),
 * or -1 with the reason in why. */
static int open_spec(const struct kd *kd, const struct file_spec *s, char *why, size_t why_size)
{
	char path[512];
	spec_path(kd, s, path, sizeof(path));
	if (s->kind == FK_TMPFILE) {
		int fd = open(path, O_TMPFILE | s->oflags | O_CLOEXEC, 0644);
		if (fd < 0 || ftruncate(fd, (off_t)s->size) != 0) {
			snprintf(why, why_size, "O_TMPFILE in %s: %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		return fd;
	}
	if ((s->kind == FK_TMP || s->kind == FK_SHM) && access(path, F_OK) != 0) {
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0 || ftruncate(fd, (off_t)s->size) != 0) {
			snprintf(why, why_size, "creating %s: %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	int fd = open(path, s->oflags | O_CLOEXEC);
	if (fd < 0)
		snprintf(why, why_size, "opening %s: %s", path, strerror(errno));
	return fd;
}

/* What the model needs to know of a spec's open file: the kind decides
 * which mmap rules apply. */
static uint32_t spec_inode_flags(const struct file_spec *s, int fd)
{
	struct statvfs vfs;
	struct statfs fs;
	uint32_t flags = 0;
	if (fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_NOEXEC))
		flags |= VMS_INODE_NOEXEC;
	if (fstatfs(fd, &fs) == 0 && fs.f_type == 0x01021994 /* TMPFS_MAGIC */ &&
	    s->kind != FK_DEV && s->kind != FK_DIR)
		flags |= VMS_INODE_SHMEM;
	if (s->kind == FK_DIR)
		flags |= VMS_INODE_DIRECTORY;
	if (s->kind == FK_DEV)
		flags |= !strcmp(s->tag, "/dev/zero") ? VMS_INODE_DEVZERO : VMS_INODE_NOMMAP;
	if (s->kind == FK_TMPFILE)
		flags |= VMS_INODE_DELETED;
	return flags;
}

static int make_files(struct kd *kd, int *pfd, char *why, size_t why_size)
{
	char tmpl[] = "/tmp/vmskdiff.XXXXXX";
	if (!mkdtemp(tmpl)) {
		snprintf(why, why_size, "mkdtemp: %s", strerror(errno));
		return -1;
	}
	/* The kernel prints the resolved path. */
	if (!realpath(tmpl, kd->tmpdir))
		snprintf(kd->tmpdir, sizeof(kd->tmpdir), "%s", tmpl);
	/* A tmpfs file, where /dev/shm is one. */
	char stmpl[] = "/dev/shm/vmskdiff.XXXXXX";
	struct statfs sfs;
	if (statfs("/dev/shm", &sfs) == 0 && sfs.f_type == 0x01021994 && mkdtemp(stmpl) &&
	    !realpath(stmpl, kd->shmdir))
		snprintf(kd->shmdir, sizeof(kd->shmdir), "%s", stmpl);
	for (int i = 0; i < NSPECS; i++) {
		const struct file_spec *s = &file_specs[i];
		pfd[i] = open_spec(kd, s, why, why_size);
		if (pfd[i] < 0)
			return -1;
		char path[512];
		spec_path(kd, s, path, sizeof(path));
		struct stat st;
		fstat(pfd[i], &st);
		if (s->kind == FK_TMPFILE) {
			/* d_path() of an O_TMPFILE file: its dentry is "#<ino>". */
			size_t len = strlen(path);
			snprintf(path + len, sizeof(path) - len, "/#%llu", (unsigned long long)st.st_ino);
		}
		struct vms_inode_info info = {
		    .dev_major = major(st.st_dev),
		    .dev_minor = minor(st.st_dev),
		    .ino = (uint64_t)st.st_ino,
		    .size = (uint64_t)st.st_size,
		    .path = path,
		    .flags = spec_inode_flags(s, pfd[i]),
		};
		vms_inode *ino = vms_inode_get(kd->sys, &info);
		if (!ino) {
			snprintf(why, why_size, "vms_inode_get failed");
			return -1;
		}
		struct kd_file *f = &kd->files[kd->nfiles++];
		f->tag = s->tag;
		f->helper_fd = HFD_FILE0 + i;
		f->vms_oflags = s->vms_oflags;
		f->size = (uint64_t)st.st_size;
		f->is_dir = s->kind == FK_DIR;
		f->vf = vms_file_open(ino, s->vms_oflags);
		if (!f->vf) {
			snprintf(why, why_size, "vms_file_open failed");
			return -1;
		}
	}
	/* Unlink the "deleted" files once every descriptor on them is open. */
	for (int i = 0; i < NSPECS; i++) {
		if (!file_specs[i].deleted)
			continue;
		char path[512];
		spec_path(kd, &file_specs[i], path, sizeof(path));
		if (unlink(path) == 0) {
			struct stat st;
			fstat(pfd[i], &st);
			struct vms_inode_info info = {
			    .dev_major = major(st.st_dev),
			    .dev_minor = minor(st.st_dev),
			    .ino = (uint64_t)st.st_ino,
			};
			vms_inode *ino = vms_inode_get(kd->sys, &info);
			if (ino)
				vms_inode_unlink(ino);
		}
	}
	return 0;
}

static void remove_files(struct kd *kd)
{
	for (int i = 0; i < NSPECS; i++) {
		const struct file_spec *s = &file_specs[i];
		if (s->kind != FK_TMP && s->kind != FK_SHM)
			continue;
		if (s->kind == FK_TMP ? !kd->tmpdir[0] : !kd->shmdir[0] && !kd->tmpdir[0])
			continue;
		char path[512];
		spec_path(kd, s, path, sizeof(path));
		unlink(path);
	}
	if (kd->shmdir[0])
		rmdir(kd->shmdir);
	if (kd->tmpdir[0])
		rmdir(kd->tmpdir);
	kd->tmpdir[0] = kd->shmdir[0] = 0;
}

static char *helper_text(const struct kd *kd, const char *what)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)kd->pid, what);
	return read_text(path, NULL);
}

static void choose_window(struct kd *kd)
{
	/* Candidates for the fixed/hinted window: 4 GiB (the brief's choice,
	 * free in a plain process), then low and high fallbacks for ASan,
	 * whose shadow covers [0x7fff8000, 0x10007fff8000). A margin keeps
	 * the window off the helper's own mappings. */
	static const uint64_t cand[] = {0x100000000ULL, 0x10000000ULL, 0x200000000000ULL,
					0x300000000000ULL};
	const uint64_t size = 256 * MIB, margin = 32 * MIB;
	for (size_t i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
		if (!overlaps_prot(kd, cand[i] - margin, cand[i] + size + margin)) {
			kd->win_lo = cand[i];
			kd->win_hi = cand[i] + size;
			return;
		}
	}
	kd->win_lo = kd->win_hi = 0;
}

/* Personality bits (ADDR_COMPAT_LAYOUT, READ_IMPLIES_EXEC) every helper and
 * its model get on top of ADDR_NO_RANDOMIZE: one setting for the whole run,
 * shrinking included, like the report prefix. */
static unsigned kd_extra_personality;

void kd_set_extra_personality(unsigned bits)
{
	kd_extra_personality = bits & (ADDR_COMPAT_LAYOUT | READ_IMPLIES_EXEC);
}

static void smaps_baseline(struct kd *kd);

int kd_start(struct kd *kd, char *why, size_t why_size)
{
	int pfd[NSPECS];
	int cmd[2] = {-1, -1}, rep[2] = {-1, -1}, tp[2] = {-1, -1}, zero = -1;

	memset(kd, 0, sizeof(*kd));
	kd->pid = -1;
	kd->cmd_fd = kd->rep_fd = -1;
	for (int i = 0; i < NSPECS; i++)
		pfd[i] = -1;
	if (kd_usable(why, why_size) != 0)
		return -1;
	/* A helper that died must not kill the test run with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);

	kd->sys = vms_sys_new();
	kd->kvec = malloc(KD_VEC_MAX);
	kd->mvec = malloc(KD_VEC_MAX);
	kd->miov = calloc(KD_IOV_SLOTS, sizeof(*kd->miov));
	if (!kd->sys || !kd->kvec || !kd->mvec || !kd->miov) {
		snprintf(why, why_size, "out of memory");
		kd_stop(kd);
		return -1;
	}
	/* The helper runs on this kernel: the model takes its settings, read
	 * and measured (vms_sys_probe_host). */
	vms_sys_probe_host(kd->sys);
	if (make_files(kd, pfd, why, why_size) != 0)
		goto fail;
	if (pipe2(cmd, O_CLOEXEC) || pipe2(rep, O_CLOEXEC) || pipe2(tp, O_CLOEXEC | O_NONBLOCK) ||
	    (zero = open("/dev/zero", O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(why, why_size, "pipe/open: %s", strerror(errno));
		goto fail;
	}
	fflush(stdout);
	fflush(stderr);
	kd->pid = fork();
	if (kd->pid < 0) {
		snprintf(why, why_size, "fork: %s", strerror(errno));
		goto fail;
	}
	if (kd->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int pers = personality(0xffffffff);
		if (pers == -1 ||
		    personality((unsigned long)pers | ADDR_NO_RANDOMIZE | kd_extra_personality) == -1)
			_exit(126);
		if (dup2(cmd[0], HFD_CMD) < 0 || dup2(rep[1], HFD_REP) < 0 ||
		    dup2(zero, HFD_ZERO) < 0 || dup2(tp[0], HFD_PIPE_R) < 0 ||
		    dup2(tp[1], HFD_PIPE_W) < 0)
			_exit(125);
		for (int i = 0; i < NSPECS; i++)
			if (dup2(pfd[i], HFD_FILE0 + i) < 0)
				_exit(125);
		close(HFD_BAD);
		char *argv[] = {(char *)HELPER_ARGV0, NULL};
		char *envp[] = {
		    (char *)"ASAN_OPTIONS=detect_leaks=0:detect_stack_use_after_return=0",
		    (char *)"UBSAN_OPTIONS=print_stacktrace=1", NULL};
		execve("/proc/self/exe", argv, envp);
		_exit(127);
	}
	close(cmd[0]);
	close(rep[1]);
	close(tp[0]);
	close(tp[1]);
	close(zero);
	cmd[0] = rep[1] = tp[0] = tp[1] = zero = -1;
	kd->cmd_fd = cmd[1];
	kd->rep_fd = rep[0];
	for (int i = 0; i < NSPECS; i++) {
		close(pfd[i]);
		pfd[i] = -1;
	}

	struct kd_rep rp;
	if (h_io(kd->rep_fd, &rp, sizeof(rp), 0) || rp.ret != (int64_t)READY_MAGIC) {
		int st = 0;
		waitpid(kd->pid, &st, 0);
		kd->pid = -1;
		snprintf(why, why_size, "helper did not start (status %#x)", st);
		goto fail;
	}
	kd->init_brk = rp.old[0];
	kd->ipcns = rp.old[1] != 0;

	uint64_t f[52];
	char *maps = helper_text(kd, "maps");
	if (!maps || stat_fields(kd->pid, f, 52) != 0) {
		free(maps);
		snprintf(why, why_size, "cannot read the helper's /proc files");
		goto fail;
	}
	kd->start_brk = f[47];

	struct vms_mm_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	/* The helper's own personality after its exec: a 64-bit exec clears
	 * READ_IMPLIES_EXEC (arch/x86 set_personality_64bit), so ask the kernel
	 * rather than assume what was asked for. */
	unsigned pers = (unsigned)personality(0xffffffff) | VMS_ADDR_NO_RANDOMIZE |
			kd_extra_personality;
	char ppath[64];
	snprintf(ppath, sizeof(ppath), "/proc/%d/personality", (int)kd->pid);
	FILE *pf = fopen(ppath, "r");
	if (pf) {
		unsigned v;
		if (fscanf(pf, "%x", &v) == 1)
			pers = v;
		fclose(pf);
	}
	cfg.personality =
		pers & (VMS_ADDR_NO_RANDOMIZE | VMS_ADDR_COMPAT_LAYOUT | VMS_READ_IMPLIES_EXEC);
	vms_host_mm_config(&cfg);
	kd->mm = vms_mm_new(kd->sys, &cfg);
	if (!kd->mm) {
		free(maps);
		snprintf(why, why_size, "vms_mm_new failed");
		goto fail;
	}
	/* startcode 26, endcode 27, startstack 28, start_data 45, end_data 46 */
	vms_mm_set_image(kd->mm, f[26], f[27], f[45], f[46], f[28]);
	int bad = 0;
	int r = vms_mm_import_maps(kd->mm, maps, kd->start_brk, &bad);
	if (r != 0) {
		kp("kdiff: vms_mm_import_maps = %d (line %d) on:\n%s", r, bad, maps);
		free(maps);
		snprintf(why, why_size, "vms_mm_import_maps failed: %d at line %d", r, bad);
		goto fail;
	}

	/* The stack start (the import took the stack VMA's top) and the
	 * argument and environment boundaries (stat 28, 48-51) too, as a
	 * restore would set them (PR_SET_MM_MAP). */
	struct vms_prctl_mm_map mmb;
	vms_mm_get_mm_map(kd->mm, &mmb);
	mmb.start_stack = f[28];
	mmb.arg_start = f[48];
	mmb.arg_end = f[49];
	mmb.env_start = f[50];
	mmb.env_end = f[51];
	if (vms_prctl_set_mm_map(kd->mm, &mmb) != 0)
		kp("kdiff: the helper's boundaries do not validate: /proc/PID/stat will differ\n");

	/* Everything the helper has now is off limits. */
	for (char *p = maps; *p;) {
		unsigned long long s, e;
		if (sscanf(p, "%llx-%llx", &s, &e) == 2)
			add_prot(kd, s, e);
		char *nl = strchr(p, '\n');
		if (!nl)
			break;
		p = nl + 1;
	}
	free(maps);
	struct vms_mm_layout lay;
	vms_mm_get_layout(kd->mm, &lay);
	kd->task_size = lay.task_size ? lay.task_size : 0x7ffffffff000ULL;
	choose_window(kd);
	kd->contained = KD_ASAN || getenv("KDIFF_CONTAINED") != NULL;
	/* The helper's IPC namespace starts with the kernel's defaults: give it
	 * the limits the model took from this host. */
	for (int i = 0; kd->ipcns && i < KD_SYSCTL_NEXT_ID; i++) {
		struct kd_call sc;
		memset(&sc, 0, sizeof(sc));
		sc.op = KD_SHM_SYSCTL;
		sc.a[0] = (uint64_t)i;
		if (vms_sysctl_get(kd->sys, kd_sysctl_names[i], &sc.a[1]) != 0 ||
		    kd_kernel(kd, &sc, NULL) != 0)
			kd->ipcns = 0;
	}
	if (!kd->win_lo) {
		snprintf(why, why_size, "no free 256 MiB window in the helper");
		goto fail;
	}
	smaps_baseline(kd);
	return 0;

fail:
	for (int i = 0; i < NSPECS; i++)
		if (pfd[i] >= 0)
			close(pfd[i]);
	int tmp[] = {cmd[0], cmd[1], rep[0], rep[1], tp[0], tp[1], zero};
	for (size_t i = 0; i < sizeof(tmp) / sizeof(tmp[0]); i++)
		if (tmp[i] >= 0 && tmp[i] != kd->cmd_fd && tmp[i] != kd->rep_fd)
			close(tmp[i]);
	kd_stop(kd);
	return -1;
}

void kd_stop(struct kd *kd)
{
	if (kd->cmd_fd >= 0)
		close(kd->cmd_fd);
	if (kd->rep_fd >= 0)
		close(kd->rep_fd);
	kd->cmd_fd = kd->rep_fd = -1;
	if (kd->pid > 0) {
		/* Our own child, by pid: closing its command pipe already makes
		 * it exit; the kill covers a helper stuck anywhere else. */
		kill(kd->pid, SIGKILL);
		waitpid(kd->pid, NULL, 0);
		kd->pid = -1;
	}
	for (int i = 0; i < kd->nfiles; i++) {
		if (kd->files[i].vf)
			vms_file_close(kd->files[i].vf);
		kd->files[i].vf = NULL;
	}
	kd->nfiles = 0;
	for (int i = 0; i < KD_MEMFDS; i++) {
		vms_file_close(kd->memfd[i]);
		kd->memfd[i] = NULL;
	}
	if (kd->sys)
		vms_sys_free(kd->sys);
	kd->sys = NULL;
	kd->mm = NULL;
	free(kd->kvec);
	free(kd->mvec);
	free(kd->miov);
	free(kd->taint);
	free(kd->smaps_skip_k);
	free(kd->smaps_skip_m);
	kd->smaps_skip_k = kd->smaps_skip_m = NULL;
	kd->kvec = kd->mvec = NULL;
	kd->miov = NULL;
	kd->taint = NULL;
	kd->ntaint = kd->captaint = 0;
	remove_files(kd);
}

/* ---- running one call on each side --------------------------------------- */

#define KD_DEAD (-100000L) /* the helper is gone */

long kd_kernel(struct kd *kd, const struct kd_call *c, uint64_t out[KD_NOUT])
{
	struct kd_req rq;
	struct kd_rep rp;
	memset(&rq, 0, sizeof(rq));
	rq.op = c->op;
	memcpy(rq.a, c->a, sizeof(rq.a));
	for (int i = 0; i < KD_MAX_IOV; i++) {
		rq.iov[i][0] = c->iov[i].base;
		rq.iov[i][1] = c->iov[i].len;
	}
	if (c->op == KD_MMAP)
		rq.a[4] = (uint64_t)h_fd(c->a[4]);
	if (kd->pid <= 0 || kd_send(kd, &rq, &rp) != 0)
		return KD_DEAD;
	if (c->op == KD_MINCORE && c->a[2] == KD_VEC_BUF &&
	    h_io(kd->rep_fd, kd->kvec, vec_entries(c->a[1]), 0))
		return KD_DEAD;
	if (out)
		memcpy(out, rp.old, sizeof(rp.old));
	return (long)rp.ret;
}

/* The model's file for a call's file index (NULL: no such descriptor). */
static vms_file *kd_vf(const struct kd *kd, uint64_t idx)
{
	if (idx >= KD_FD_MEMFD(0) && idx < KD_FD_MEMFD(KD_MEMFDS))
		return kd->memfd[idx - KD_FD_MEMFD(0)];
	return idx < (uint64_t)kd->nfiles ? kd->files[idx].vf : NULL;
}

/* What a shmctl read, in the two words the helper sends (h_shmctl_out()). */
static void kd_shm_out(int cmd, const struct vms_shmid_ds *ds, uint64_t out[2])
{
	switch (cmd) {
	case VMS_IPC_STAT:
	case VMS_SHM_STAT:
	case VMS_SHM_STAT_ANY:
		out[0] = (ds->nattch & 0xffffffffULL) | ((uint64_t)(ds->mode & 0xffff) << 32) |
			 ((uint64_t)(uint16_t)ds->key << 48);
		out[1] = ds->segsz;
		break;
	case VMS_IPC_INFO:
		out[0] = ds->shmmni;
		out[1] = ds->shmall;
		break;
	case VMS_SHM_INFO:
		out[0] = ds->used_ids;
		out[1] = ds->shm_tot;
		break;
	}
}

/* ---- the model side of the policy, key, prctl and credential calls ---- */

/* The node mask the helper passes (h_fill_mask), as a user buffer: the
 * words it holds, or NULL, or an unreadable pointer (no words). */
static const uint64_t *model_mask(uint64_t *buf, uint64_t w0, uint64_t extra, uint64_t kind,
				  size_t *words)
{
	memset(buf, 0, KD_MASK_WORDS * sizeof(*buf));
	buf[0] = w0;
	if (extra && extra - 1 < KD_MASK_WORDS * 64ULL)
		buf[(extra - 1) / 64] |= 1ULL << ((extra - 1) % 64);
	*words = kind == KD_PTR_BUF ? KD_MASK_WORDS : 0;
	return kind == KD_PTR_NULL ? NULL : buf;
}

/* sizeof(struct prctl_mm_map): the boundaries, auxv, auxv_size, exe_fd. */
#define PRCTL_MM_MAP_SIZE 104

static long model_policy_call(struct kd *kd, const struct kd_call *c, uint64_t out[KD_NOUT])
{
	static uint64_t mask[KD_MASK_WORDS + 8];
	const uint64_t *a = c->a;
	size_t words;
	const uint64_t *m;
	long r;
	int pid = a[1] == KD_SELF ? (int)kd->pid : (int)a[1];
	if (c->op >= KD_MBIND && c->op <= KD_HOME_NODE)
		kd->numa_used = 1;
	switch (c->op) {
	case KD_MBIND:
		m = model_mask(mask, a[3], a[7], a[6], &words);
		return vms_mbind(kd->mm, a[0], a[1], a[2], m, words, a[4], (unsigned)a[5]);
	case KD_SET_MEMPOLICY:
		m = model_mask(mask, a[3], a[7], a[6], &words);
		return vms_set_mempolicy(kd->mm, (int)a[0], m, words, a[4]);
	case KD_GET_MEMPOLICY: {
		int mode = KD_MODE_FILL;
		for (int i = 0; i < KD_MASK_WORDS + 8; i++)
			mask[i] = KD_MASK_FILL;
		r = vms_get_mempolicy(kd->mm, a[3] == KD_PTR_NULL ? NULL : &mode,
				      a[6] == KD_PTR_NULL ? NULL : mask,
				      a[6] == KD_PTR_BUF ? KD_MASK_WORDS + 8 : 0, a[0], a[1], a[2]);
		if (out) {
			out[0] = (uint32_t)mode;
			out[1] = mask[0];
			out[2] = mask[1];
			out[3] = mask[16];
		}
		return r;
	}
	case KD_HOME_NODE:
		return vms_set_mempolicy_home_node(kd->mm, a[0], a[1], a[2], a[3]);
	case KD_PKEY_ALLOC:
		return vms_pkey_alloc(kd->mm, a[0], a[1]);
	case KD_PKEY_FREE:
		return vms_pkey_free(kd->mm, (int)a[0]);
	case KD_PKEY_MPROTECT:
		return vms_pkey_mprotect(kd->mm, a[0], a[1], (unsigned long)a[2], (int)a[3]);
	case KD_SHADOW_STACK:
		return vms_map_shadow_stack(kd->mm, a[0], a[1], a[2]);
	case KD_PRCTL:
		r = vms_prctl(kd->mm, (int)a[0], a[1], a[2], a[3], a[4]);
		if (out && r == 0 && a[0] == VMS_PR_SET_MM && a[1] == VMS_PR_SET_MM_MAP_SIZE)
			out[0] = PRCTL_MM_MAP_SIZE;
		return r;
	case KD_MM_MAP: {
		/* prctl_set_mm(): arg4 is the size; then prctl_set_mm_map(). */
		if (a[4] != PRCTL_MM_MAP_SIZE)
			return -VMS_EINVAL;
		struct vms_prctl_mm_map mm_map;
		vms_mm_get_mm_map(kd->mm, &mm_map);
		uint64_t *f = &mm_map.start_code;
		if (a[0] < KD_MM_FIELDS)
			f[a[0]] = a[1];
		if (a[2] < KD_MM_FIELDS)
			f[a[2]] = a[3];
		return vms_prctl_set_mm_map(kd->mm, &mm_map);
	}
	case KD_PERSONALITY:
		return vms_personality(kd->mm, a[0]);
	case KD_CAPGET: {
		struct vms_cap_data d = {0, 0, 0};
		uint32_t version;
		r = vms_capget(kd->mm, (uint32_t)a[0], pid, (int)kd->pid,
			       a[2] == KD_PTR_NULL ? NULL : &d, &version);
		if (out) {
			out[0] = version;
			out[1] = d.effective;
			out[2] = d.permitted;
			out[3] = d.inheritable;
		}
		return r;
	}
	case KD_CAPSET: {
		struct vms_cap_data d = {a[2], a[3], a[4]};
		return vms_capset(kd->mm, (uint32_t)a[0], pid, (int)kd->pid, &d);
	}
	case KD_SETUID:
		return vms_setuid(kd->mm, (uint32_t)a[0]);
	case KD_SETRESUID:
		return vms_setresuid(kd->mm, (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2]);
	case KD_SETGID:
		return vms_setgid(kd->mm, (uint32_t)a[0]);
	case KD_SETRESGID:
		return vms_setresgid(kd->mm, (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2]);
	case KD_MLOCK2:
		return vms_mlock2(kd->mm, a[0], a[1], (int)a[2]);
	}
	return -EINVAL;
}

/* The model's side of KD_UFFD_*: a slot without a context is a closed
 * descriptor (EBADF). */
static long kd_model_uffd(struct kd *kd, const struct kd_call *c, uint64_t out[KD_NOUT])
{
	const uint64_t *a = c->a;
	vms_uffd **slot = &kd->uffd[a[0] % KD_UFFDS];
	uint64_t o[2] = {0, 0};
	int64_t done = 0x5a5a;
	long r;
	switch (c->op) {
	case KD_UFFD_OPEN:
		vms_uffd_close(*slot);
		*slot = NULL;
		r = vms_userfaultfd(kd->mm, (int)a[1], slot);
		if (r)
			return r;
		r = vms_uffdio_api(*slot, a[3], a[2], &o[0], &o[1]);
		break;
	case KD_UFFD_REGISTER:
		if (!*slot)
			return -VMS_EBADF;
		r = vms_uffdio_register(*slot, a[1], a[2], a[3], &o[0]);
		break;
	case KD_UFFD_UNREGISTER:
		return *slot ? vms_uffdio_unregister(*slot, a[1], a[2]) : -VMS_EBADF;
	case KD_UFFD_CLOSE:
		if (!*slot)
			return -VMS_EBADF;
		vms_uffd_close(*slot);
		*slot = NULL;
		return 0;
	default:
		if (!*slot)
			return -VMS_EBADF;
		r = vms_uffdio_zeropage(*slot, a[1], a[2], a[3], &done);
		o[0] = (uint64_t)done;
		break;
	}
	if (out) {
		out[0] = o[0];
		out[1] = o[1];
	}
	return r;
}

long kd_model(struct kd *kd, const struct kd_call *c, uint64_t out[KD_NOUT])
{
	const uint64_t *a = c->a;
	long r;
	switch (c->op) {
	case KD_MMAP: {
		vms_file *f = NULL;
		if (!(a[3] & VMS_MAP_ANONYMOUS))
			f = kd_vf(kd, a[4]);
		return vms_mmap(kd->mm, a[0], a[1], (int)a[2], (int)a[3], f, a[5]);
	}
	case KD_SHMGET:
		return vms_shmget(kd->mm, (int32_t)a[0], a[1], (int)a[2]);
	case KD_SHMAT:
		return vms_shmat(kd->mm, (int)a[0], a[1], (int)a[2]);
	case KD_SHMDT:
		return vms_shmdt(kd->mm, a[0]);
	case KD_SHMCTL: {
		struct vms_shmid_ds ds;
		memset(&ds, 0, sizeof(ds));
		if ((int)a[1] == VMS_IPC_SET && vms_shmctl(kd->mm, (int)a[0], VMS_IPC_STAT, &ds))
			memset(&ds, 0, sizeof(ds));
		ds.mode = (uint32_t)(uint16_t)a[2];
		r = vms_shmctl(kd->mm, (int)a[0], (int)a[1], &ds);
		if (r >= 0 && out)
			kd_shm_out((int)a[1], &ds, out);
		return r;
	}
	case KD_SHM_SYSCTL: {
		if (a[0] >= KD_NSYSCTLS)
			return -VMS_EINVAL;
		/* The helper writes a file of its IPC namespace's root:
		 * ipc_permissions() and test_perm() let only euid 0 write the
		 * 0644 limits; shm_next_id is 0444, and 0666 only to
		 * CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN, whatever the uid. */
		struct vms_creds cr;
		vms_mm_get_creds(kd->mm, &cr);
		int cr_cap = (cr.cap_effective >> 40 & 1) || (cr.cap_effective >> 21 & 1);
		if (a[0] == KD_SYSCTL_NEXT_ID ? !cr_cap : cr.euid != 0)
			return -VMS_EACCES;
		r = vms_sysctl_set(kd->sys, kd_sysctl_names[a[0]], a[1]);
		return r;
	}
	case KD_MEMFD: {
		vms_file *f = NULL;
		r = a[2] ? vms_memfd_secret(kd->sys, (unsigned)a[1], &f)
			 : vms_memfd_create(kd->sys, "kd", (unsigned)a[1], &f);
		if (r)
			return r;
		/* dup3() onto the slot closes what it held. */
		vms_file_close(kd->memfd[a[0] % KD_MEMFDS]);
		kd->memfd[a[0] % KD_MEMFDS] = f;
		return 0;
	}
	case KD_FTRUNCATE: {
		/* do_sys_ftruncate(): the length before the descriptor */
		vms_file *f = kd_vf(kd, a[0]);
		if ((int64_t)a[1] < 0)
			return -VMS_EINVAL;
		return f ? vms_ftruncate(f, (int64_t)a[1]) : -VMS_EBADF;
	}
	case KD_SEAL: {
		vms_file *f = kd_vf(kd, a[0]);
		if (!f)
			return -VMS_EBADF;
		return a[2] ? vms_get_seals(f) : vms_add_seals(f, (unsigned)a[1]);
	}
	case KD_FALLOCATE: {
		vms_file *f = kd_vf(kd, a[0]);
		return f ? vms_fallocate(f, (int)a[1], (int64_t)a[2], (int64_t)a[3]) : -VMS_EBADF;
	}
	case KD_MUNMAP:
		return vms_munmap(kd->mm, a[0], a[1]);
	case KD_MPROTECT:
		return vms_mprotect(kd->mm, a[0], a[1], (unsigned long)a[2]);
	case KD_BRK:
		return vms_brk(kd->mm, a[0]);
	case KD_MREMAP:
		return vms_mremap(kd->mm, a[0], a[1], a[2], (int)a[3], a[4]);
	case KD_MADVISE:
		return vms_madvise(kd->mm, a[0], a[1], (int)a[2]);
	case KD_UFFD_OPEN:
	case KD_UFFD_REGISTER:
	case KD_UFFD_UNREGISTER:
	case KD_UFFD_CLOSE:
	case KD_UFFD_ZEROPAGE:
		return kd_model_uffd(kd, c, out);
	case KD_MLOCK:
		return vms_mlock(kd->mm, a[0], a[1]);
	case KD_MUNLOCK:
		return vms_munlock(kd->mm, a[0], a[1]);
	case KD_PRLIMIT: {
		struct vms_rlimit nl = {a[1], a[2]}, ol = {0, 0};
		r = vms_prlimit(kd->mm, (int)a[0], a[3] ? NULL : &nl, &ol);
		if (out) {
			out[0] = ol.cur;
			out[1] = ol.max;
		}
		return r;
	}
	case KD_ANON_NAME:
		return vms_set_anon_name(kd->mm, a[0], a[1], "kd");
	case KD_TOUCH:
		r = vms_fault(kd->mm, a[0], (int)a[1]);
		/* Both SIGSEGV kinds are EFAULT for a kernel-mode access. */
		return r == -VMS_EACCES ? -VMS_EFAULT : r;
	case KD_MSEAL:
		return vms_mseal(kd->mm, a[0], a[1], a[2]);
	case KD_MSYNC:
		return vms_msync(kd->mm, a[0], a[1], (int)a[2]);
	case KD_MINCORE:
		memset(kd->mvec, 0xaa, vec_entries(a[1]));
		return vms_mincore(kd->mm, a[0], a[1], a[2] == KD_VEC_BUF ? kd->mvec : NULL);
	case KD_REMAP_FILE_PAGES:
		return vms_remap_file_pages(kd->mm, a[0], a[1], a[2], a[3], a[4]);
	case KD_PROCESS_MADVISE:
	case KD_PROCESS_MRELEASE: {
		/* The helper's own pidfd and PIDFD_SELF_THREAD name its own mm;
		 * a closed fd and /dev/zero are no pidfd. */
		int self = a[0] == KD_PIDFD_OWN || a[0] == KD_PIDFD_SELF_THREAD;
		vms_mm *target = self ? kd->mm : NULL;
		if (c->op == KD_PROCESS_MRELEASE)
			return vms_process_mrelease(target, -VMS_EBADF, (unsigned)a[1]);
		for (int i = 0; i < KD_MAX_IOV; i++) {
			kd->miov[i].base = c->iov[i].base;
			kd->miov[i].len = c->iov[i].len;
		}
		return vms_process_madvise(kd->mm, target, -VMS_EBADF,
					   a[4] == KD_IOV_ARRAY ? kd->miov : NULL, a[1], (int)a[2],
					   (unsigned)a[3]);
	}
	}
	return model_policy_call(kd, c, out);
}

/* ---- comparing state -------------------------------------------------- */

struct line {
	const char *p;
	int len;
	uint64_t start;
};

static int split_lines(const char *text, struct line **out)
{
	int n = 0, cap = 64;
	struct line *v = malloc(sizeof(*v) * (size_t)cap);
	for (const char *p = text; v && *p;) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);
		if (n == cap) {
			cap *= 2;
			struct line *nv = realloc(v, sizeof(*v) * (size_t)cap);
			if (!nv)
				break;
			v = nv;
		}
		v[n].p = p;
		v[n].len = len;
		v[n].start = strtoull(p, NULL, 16);
		n++;
		p += len + (nl ? 1 : 0);
	}
	*out = v;
	return v ? n : 0;
}

/* Lines that cannot match byte for byte: a file of one of the kernel's
 * internal mounts (shmem for a shared anonymous mapping or a memfd,
 * hugetlbfs for MAP_HUGETLB, secretmem) takes its inode number from the
 * global get_next_ino() counter, which depends on every such file the
 * machine ever made. The number is masked (and with it the padding it
 * decides); the device, probed as dev.*, must match, as must System V
 * segments, whose inode number is their id. */
static int masked_name(const char *p, size_t len)
{
	static const char *const names[] = {" /dev/zero (deleted)", " /anon_hugepage (deleted)",
					    " /secretmem (deleted)"};
	static const char deleted[] = " (deleted)";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t tl = strlen(names[i]);
		if (len > tl + 40 && memcmp(p + len - tl, names[i], tl) == 0)
			return 1;
	}
	const char *m = len > 40 ? strstr(p, " /memfd:") : NULL;
	return m && m < p + len && len > sizeof(deleted) &&
	       !memcmp(p + len - (sizeof(deleted) - 1), deleted, sizeof(deleted) - 1);
}

static char *normalise_maps(const char *text)
{
	size_t n = strlen(text);
	/* A masked line can grow by a few bytes: "<ino> " for "1 ". */
	char *out = malloc(2 * n + 64);
	char *o = out;
	if (!out)
		return NULL;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (masked_name(p, len)) {
			/* keep "start-end perms offset dev ", mask the inode */
			const char *q = p;
			int spaces = 0;
			while (q < p + len && spaces < 4)
				if (*q++ == ' ')
					spaces++;
			memcpy(o, p, (size_t)(q - p));
			o += q - p;
			while (q < p + len && *q != ' ')
				q++; /* the inode number */
			while (q < p + len && *q == ' ')
				q++; /* the padding */
			o += sprintf(o, "<ino> ");
			memcpy(o, q, (size_t)(p + len - q));
			o += p + len - q;
		} else {
			memcpy(o, p, len);
			o += len;
		}
		if (nl)
			*o++ = '\n';
		p += len + (nl ? 1 : 0);
	}
	*o = 0;
	return out;
}

static void print_maps_diff(const char *k, const char *m)
{
	struct line *kl, *ml;
	int nk = split_lines(k, &kl), nm = split_lines(m, &ml);
	int cap = nk + nm + 1, n = 0;
	char *tag = malloc((size_t)cap);
	const struct line **ln = malloc(sizeof(*ln) * (size_t)cap);
	int i = 0, j = 0;
	if (!tag || !ln || !kl || !ml)
		goto out;
	while (i < nk || j < nm) {
		if (i < nk && j < nm && kl[i].len == ml[j].len &&
		    memcmp(kl[i].p, ml[j].p, (size_t)kl[i].len) == 0) {
			tag[n] = ' ';
			ln[n++] = &kl[i++];
			j++;
		} else if (j >= nm || (i < nk && kl[i].start <= ml[j].start)) {
			tag[n] = '-';
			ln[n++] = &kl[i++];
		} else {
			tag[n] = '+';
			ln[n++] = &ml[j++];
		}
	}
	kp("maps diff (- kernel, + model):\n");
	int last = -10;
	for (int x = 0; x < n; x++) {
		int near = 0;
		for (int y = x - 2; y <= x + 2; y++)
			if (y >= 0 && y < n && tag[y] != ' ')
				near = 1;
		if (!near)
			continue;
		if (last >= 0 && x != last + 1)
			kp("...\n");
		kp("%c%.*s\n", tag[x], ln[x]->len, ln[x]->p);
		last = x;
	}
out:
	free(tag);
	free(ln);
	free(kl);
	free(ml);
}

static char *model_maps(const struct kd *kd)
{
	size_t n = vms_maps_text(kd->mm, NULL, 0);
	char *b = malloc(n + 1);
	if (b) {
		vms_maps_text(kd->mm, b, n + 1);
		b[n] = 0;
	}
	return b;
}

static char *model_status(const struct kd *kd)
{
	size_t n = vms_status_text(kd->mm, NULL, 0);
	char *b = malloc(n + 1);
	if (b) {
		vms_status_text(kd->mm, b, n + 1);
		b[n] = 0;
	}
	return b;
}

/* The status lines that depend only on the VMAs (not on what was touched
 * before the helper started, as VmPeak, VmHWM, VmRSS and VmPTE do). */
static const char *const status_keys[] = {
    "VmSize:", "VmLck:", "VmPin:", "VmData:", "VmStk:", "VmExe:", "VmLib:",
    /* credentials and THP (prctl, capset, setuid and friends) */
    "Uid:", "Gid:", "THP_enabled:", "CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:"};

static int status_line(const char *text, const char *key, char *out, size_t n)
{
	const char *p = text;
	size_t kl = strlen(key);
	while (p && *p) {
		if (strncmp(p, key, kl) == 0) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);
			snprintf(out, n, "%.*s", (int)len, p);
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	snprintf(out, n, "(no %s line)", key);
	return -1;
}

/* The boundaries PR_SET_MM sets, as /proc/PID/stat shows them (fields 26-28
 * and 45-51), against the model's. */
static int compare_boundaries(struct kd *kd, int report)
{
	static const int idx[KD_MM_FIELDS] = {26, 27, 45, 46, 47, -1, 28, 48, 49, 50, 51};
	uint64_t f[52];
	struct vms_prctl_mm_map m;
	if (stat_fields(kd->pid, f, 52) != 0)
		return -1;
	vms_mm_get_mm_map(kd->mm, &m);
	const uint64_t *mv = &m.start_code;
	int bad = 0;
	for (int i = 0; i < KD_MM_FIELDS; i++) {
		if (idx[i] < 0 || f[idx[i]] == mv[i])
			continue;
		if (report)
			kp("stat %s (field %d): kernel %#" PRIx64 " model %#" PRIx64 "\n",
			   mm_field_names[i], idx[i], f[idx[i]], mv[i]);
		bad = 1;
	}
	return bad ? -1 : 0;
}

/* /proc/PID/numa_maps cut to "address policy" per line: the policy runs up
 * to the first of the fields that follow it (file=, heap, stack, huge,
 * page counts, N<node>=, kernelpagesize_kB=). */
static char *numa_policies(const char *text)
{
	static const char *const after[] = {"file=",   "heap",	  "stack",     "huge",
					    "anon=",   "dirty=",  "mapped=",   "mapmax=",
					    "swapcache=", "active=", "writeback=", "kernelpagesize_kB="};
	size_t n = strlen(text);
	char *out = malloc(n + 1), *o = out;
	if (!out)
		return NULL;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *end = p + len, *q = p;
		while (q < end && *q != ' ')
			q++;
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		while (q < end) {
			const char *tok = q + 1, *te = tok;
			while (te < end && *te != ' ')
				te++;
			int stop = tok[0] == 'N' && tok + 1 < te && tok[1] >= '0' && tok[1] <= '9';
			for (size_t i = 0; !stop && i < sizeof(after) / sizeof(after[0]); i++)
				stop = (size_t)(te - tok) >= strlen(after[i]) &&
				       memcmp(tok, after[i], strlen(after[i])) == 0;
			if (stop)
				break;
			memcpy(o, q, (size_t)(te - q));
			o += te - q;
			q = te;
		}
		*o++ = '\n';
		p = nl ? nl + 1 : end;
	}
	*o = 0;
	return out;
}

static int compare_policies(struct kd *kd, int report)
{
	char *raw = helper_text(kd, "numa_maps");
	char *k = raw ? numa_policies(raw) : NULL;
	size_t n = vms_numa_maps_text(kd->mm, NULL, 0);
	char *m = malloc(n + 1);
	int bad = 0;
	if (m)
		vms_numa_maps_text(kd->mm, m, n + 1);
	if (!k || !m) {
		bad = 1;
	} else if (strcmp(k, m) != 0) {
		bad = 1;
		if (report) {
			kp("numa_maps policies differ (- kernel, + model):\n");
			print_maps_diff(k, m);
		}
	}
	free(raw);
	free(k);
	free(m);
	return bad ? -1 : 0;
}

/* /proc/PID/smaps cut to what the model knows exactly, one line per VMA:
 * "start Size KernelPageSize MMUPageSize thp=THPeligible [pkey=N] VmFlags".
 * Not the page counts: the helper's pages resident before the import are
 * not in the model's resident set (and the model's smaps approximates
 * dirty state and sharing, src/procfs.c). */
static char *smaps_digest(const char *text)
{
	size_t n = strlen(text);
	char *out = malloc(n / 4 + 64), *o = out;
	if (!out)
		return NULL;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *dash = memchr(p, '-', len);
		const char *colon = memchr(p, ':', len);
		if (dash && (!colon || dash < colon) && p[0] != ' ') {
			/* a header: "start-end perms ..." */
			o += sprintf(o, "%.*s", (int)(dash - p), p);
		} else if (colon) {
			static const char *const keys[] = {"Size", "KernelPageSize", "MMUPageSize",
							   "THPeligible", "ProtectionKey"};
			static const char *const tags[] = {" ", " ", " ", " thp=", " pkey="};
			size_t kl = (size_t)(colon - p);
			const char *v = colon + 1;
			while (v < p + len && *v == ' ')
				v++;
			if (kl == 7 && !memcmp(p, "VmFlags", 7)) {
				o += sprintf(o, " [%.*s]\n", (int)(p + len - v), v);
			} else {
				for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
					if (strlen(keys[i]) == kl && !memcmp(p, keys[i], kl))
						o += sprintf(o, "%s%.*s", tags[i], (int)(p + len - v),
							     v);
			}
		}
		p += len + (nl ? 1 : 0);
	}
	*o = 0;
	return out;
}

long kd_smaps_compared;

/* The model's smaps digest. */
static char *model_smaps_digest(const struct kd *kd)
{
	size_t n = vms_smaps_text(kd->mm, NULL, 0);
	char *raw = malloc(n + 1), *d = NULL;
	if (raw) {
		vms_smaps_text(kd->mm, raw, n + 1);
		d = smaps_digest(raw);
	}
	free(raw);
	return d;
}

/* digest without the lines skip holds ("\nline\n" in skip). */
static char *drop_lines(char *digest, const char *skip)
{
	if (!digest || !skip || !*skip)
		return digest;
	char *o = digest, line[4096];
	for (const char *p = digest; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
		int drop = 0;
		if (len + 2 < sizeof(line)) {
			line[0] = '\n';
			memcpy(line + 1, p, len);
			line[len + 1] = 0;
			drop = strstr(skip, line) != NULL;
		}
		if (!drop) {
			memmove(o, p, len);
			o += len;
		}
		p += len;
	}
	*o = 0;
	return digest;
}

static size_t start_len(const char *p)
{
	return strcspn(p, " \n");
}

/* Records the lines of the VMAs present at the start whose digests differ
 * (see struct kd); lines one side lacks are left to the maps comparison.
 * Only under ASan (kd->contained): elsewhere the import knows every flag of
 * the helper's mappings, and that stays checked. */
static void smaps_baseline(struct kd *kd)
{
	if (!kd->contained)
		return;
	char *raw = helper_text(kd, "smaps");
	char *k = raw ? smaps_digest(raw) : NULL;
	char *m = model_smaps_digest(kd);
	size_t cap = (k ? strlen(k) : 0) + (m ? strlen(m) : 0) + 2;
	char *sk = malloc(cap), *sm = malloc(cap);
	if (!k || !m || !sk || !sm) {
		free(sk);
		free(sm);
		goto out;
	}
	strcpy(sk, "\n");
	strcpy(sm, "\n");
	for (const char *p = k; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p), sl = start_len(p);
		for (const char *q = m; *q;) {
			const char *qn = strchr(q, '\n');
			size_t ql = qn ? (size_t)(qn - q) + 1 : strlen(q);
			if (start_len(q) == sl && !memcmp(p, q, sl)) {
				if (ql != len || memcmp(p, q, len)) {
					strncat(sk, p, len);
					strncat(sm, q, ql);
				}
				break;
			}
			q += ql;
		}
		p += len;
	}
	kd->smaps_skip_k = sk;
	kd->smaps_skip_m = sm;
out:
	free(raw);
	free(k);
	free(m);
}

/* How often a random run compares smaps, in state comparisons
 * (KDIFF_SMAPS_EVERY overrides): every one made a 1500-call run about three
 * times slower (both /proc/PID/smaps and the model's text are ~800 bytes a
 * VMA); every 10th costs little. The replays that pin a divergence to its
 * call (shrinking, the reproducer) compare after every call. */
#define KD_SMAPS_EVERY 10

/* Each VMA's VmFlags (and the other exact smaps fields) against the model's
 * vms_smaps_text(): flags maps cannot show (VM_ACCOUNT, VM_LOCKED, madvise
 * flags, VM_MAYBE_GUARD, VM_SEALED, ...). */
static int compare_smaps(struct kd *kd, int report)
{
	char *raw = helper_text(kd, "smaps");
	char *k = drop_lines(raw ? smaps_digest(raw) : NULL, kd->smaps_skip_k);
	char *m = drop_lines(model_smaps_digest(kd), kd->smaps_skip_m);
	int bad = 0;
	kd_smaps_compared++;
	if (!k || !m) {
		bad = 1;
	} else if (strcmp(k, m) != 0) {
		bad = 1;
		if (report) {
			kp("smaps differ (start Size KernelPageSize MMUPageSize THPeligible "
			   "VmFlags; - kernel, + model):\n");
			print_maps_diff(k, m);
		}
	}
	free(raw);
	free(k);
	free(m);
	return bad ? -1 : 0;
}

static int compare_state(struct kd *kd, int report, int with_smaps);

int kd_compare_state(struct kd *kd, int report)
{
	return compare_state(kd, report, 1);
}

static int compare_state(struct kd *kd, int report, int with_smaps)
{
	int bad = 0;
	char *kraw = helper_text(kd, "maps");
	char *mraw = model_maps(kd);
	char *k = kraw ? normalise_maps(kraw) : NULL;
	char *m = mraw ? normalise_maps(mraw) : NULL;
	if (!k || !m) {
		if (report)
			kp("kdiff: cannot read maps (helper gone?)\n");
		bad = 1;
	} else if (strcmp(k, m) != 0) {
		bad = 1;
		if (report)
			print_maps_diff(k, m);
	}
	free(kraw);
	free(mraw);
	free(k);
	free(m);
	if (bad || getenv("KDIFF_NO_STATUS"))
		return bad ? -1 : 0;

	char *ks = helper_text(kd, "status");
	char *ms = model_status(kd);
	for (size_t i = 0; ks && ms && i < sizeof(status_keys) / sizeof(status_keys[0]); i++) {
		char a[128], b[128];
		status_line(ks, status_keys[i], a, sizeof(a));
		status_line(ms, status_keys[i], b, sizeof(b));
		if (strcmp(a, b) != 0) {
			if (report && !bad)
				kp("status diff (- kernel, + model):\n");
			if (report) {
				kp("-%s\n", a);
				kp("+%s\n", b);
			}
			bad = 1;
		}
	}
	if (!ks || !ms)
		bad = 1;
	free(ks);
	free(ms);
	if (!bad && compare_boundaries(kd, report))
		bad = 1;
	if (!bad && kd->numa_used && compare_policies(kd, report))
		bad = 1;
	if (!bad && with_smaps && !getenv("KDIFF_NO_SMAPS") && compare_smaps(kd, report))
		bad = 1;
	return bad ? -1 : 0;
}

/* ---- safety ---------------------------------------------------------------- */

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static uint64_t page_up(uint64_t x)
{
	return x > UINT64_MAX - (PG - 1) ? UINT64_MAX : (x + PG - 1) & ~(PG - 1);
}

static int range_unsafe(const struct kd *kd, uint64_t addr, uint64_t len)
{
	uint64_t s = addr & ~(PG - 1);
	uint64_t e = sat_add(addr, page_up(len));
	if (e == s)
		e = s + PG;
	return overlaps_prot(kd, s, e);
}

/* A NULL vector or iovec array is unreadable and unwritable for the model;
 * for the kernel only while nothing is mapped at 0 (root may map page 0). */
static int null_is_mapped(const struct kd *kd, uint64_t bytes)
{
	const vms_vma *v = vms_find_vma(kd->mm, 0);
	struct vms_vma_info info;
	if (!v)
		return 0;
	vms_vma_get_info(v, &info);
	return info.start < sat_add(bytes, 1);
}

/* Whether a VMA of [addr, addr+len) is registered with userfaultfd (with
 * VM_LOCKED too, when locked): a fault there would need the handler the
 * model does not have. */
static int uffd_armed(const struct kd *kd, uint64_t addr, uint64_t len, int locked)
{
	uint64_t s = addr & ~(PG - 1), e = sat_add(addr, page_up(len));
	if (e == s)
		e = s + PG;
	for (const vms_vma *v = vms_find_vma(kd->mm, s); v; v = vms_vma_next(kd->mm, v)) {
		struct vms_vma_info i;
		vms_vma_get_info(v, &i);
		if (i.start >= e)
			break;
		if ((i.vm_flags & (VMS_VM_UFFD_MISSING | VMS_VM_UFFD_WP | VMS_VM_UFFD_MINOR)) &&
		    (!locked || (i.vm_flags & 0x2000 /* VM_LOCKED */)))
			return 1;
	}
	return 0;
}

/* A call that faults pages in over a registered range. */
static int faults_in_uffd(const struct kd *kd, const struct kd_call *c)
{
	const uint64_t *a = c->a;
	switch (c->op) {
	case KD_TOUCH:
		/* a grows-down stack above the address expands down to it */
		return uffd_armed(kd, a[0], PG, 0);
	case KD_MLOCK:
	case KD_MLOCK2:
		return uffd_armed(kd, a[0], a[1], 0);
	case KD_MADVISE:
		return (a[2] == VMS_MADV_POPULATE_READ || a[2] == VMS_MADV_POPULATE_WRITE ||
			a[2] == VMS_MADV_COLLAPSE || a[2] == VMS_MADV_WILLNEED) &&
		       uffd_armed(kd, a[0], a[1], 0);
	case KD_PROCESS_MADVISE:
		for (int i = 0; i < KD_MAX_IOV && (uint64_t)i < a[1]; i++)
			if (uffd_armed(kd, c->iov[i].base, c->iov[i].len, 0))
				return 1;
		return 0;
	case KD_MPROTECT:
		return uffd_armed(kd, a[0], a[1], 1);
	case KD_MREMAP:
		return uffd_armed(kd, a[0], a[1] ? a[1] : PG, 1);
	case KD_GET_MEMPOLICY:
		return (a[2] & 2 /* MPOL_F_ADDR */) && uffd_armed(kd, a[1], PG, 0);
	}
	return 0;
}

int kd_call_is_unsafe(const struct kd *kd, const struct kd_call *c)
{
	const uint64_t *a = c->a;
	if (faults_in_uffd(kd, c))
		return 1;
	switch (c->op) {
	case KD_UFFD_REGISTER:
	case KD_UFFD_UNREGISTER:
	case KD_UFFD_ZEROPAGE:
		return range_unsafe(kd, a[1], a[2]);
	case KD_MMAP:
		/* Only a plain MAP_FIXED replaces; FIXED_NOREPLACE fails safely.
		 * hugetlb rounds the length up to its page size (2 MiB or
		 * 1 GiB): count the largest. */
		if ((a[3] & VMS_MAP_FIXED) && !(a[3] & VMS_MAP_FIXED_NOREPLACE))
			return range_unsafe(kd, a[0],
					    (a[3] & VMS_MAP_HUGETLB) ? sat_add(a[1], GIB) : a[1]);
		return 0;
	case KD_MUNMAP:
	case KD_MPROTECT:
	case KD_MADVISE:
	case KD_MLOCK:
	case KD_MUNLOCK:
	case KD_ANON_NAME:
		return range_unsafe(kd, a[0], a[1]);
	case KD_MREMAP:
		if (range_unsafe(kd, a[0], a[1] ? a[1] : PG))
			return 1;
		/* a hugetlb VMA's lengths are rounded up to 2 MiB */
		if (a[3] & VMS_MREMAP_FIXED)
			return range_unsafe(kd, a[4], sat_add(a[2], 2 * MIB));
		return 0;
	case KD_BRK: {
		/* Shrinking below the helper's own heap would free libc's memory. */
		if (kd->init_brk > kd->start_brk && a[0] < kd->init_brk && a[0] >= kd->start_brk)
			return 1;
		/* After PR_SET_MM_MAP moved the heap, a shrink unmaps whatever lies
		 * between the new and the old end: never the helper's own. */
		struct vms_mm_layout lay;
		vms_mm_get_layout(kd->mm, &lay);
		return a[0] < lay.brk && a[0] >= lay.start_brk &&
		       overlaps_prot(kd, page_up(a[0]), page_up(lay.brk));
	}
	case KD_MBIND:
	case KD_HOME_NODE:
	case KD_PKEY_MPROTECT:
	case KD_MLOCK2:
		return range_unsafe(kd, a[0], a[1]);
	case KD_PRLIMIT:
		/* The helper's stack must stay usable. */
		return a[0] == VMS_RLIMIT_STACK && !a[3] && a[1] < MIB;
	case KD_TOUCH:
		/* Not the helper's memory, nor the gap below its stack. */
		return overlaps_prot(kd, a[0] & ~(PG - 1), sat_add(a[0] & ~(PG - 1), 64 * MIB));
	case KD_MSEAL:
		return range_unsafe(kd, a[0], a[1]);
	case KD_MINCORE: {
		/* Only reads, but the helper's vector must hold the answer. */
		uint64_t pages = (a[1] >> 12) + ((a[1] & 4095) != 0);
		if (a[2] == KD_VEC_BUF)
			return pages > KD_VEC_MAX;
		return null_is_mapped(kd, pages);
	}
	case KD_REMAP_FILE_PAGES:
		return range_unsafe(kd, a[0], a[1]);
	case KD_PROCESS_MADVISE:
		if (a[4] == KD_IOV_NULL)
			return null_is_mapped(kd, a[1] < (1ULL << 40) ? a[1] * 16 : 1ULL << 44);
		for (int i = 0; i < KD_MAX_IOV && (uint64_t)i < a[1]; i++)
			if (range_unsafe(kd, c->iov[i].base, c->iov[i].len))
				return 1;
		return 0;
	case KD_SHMAT:
		/* SHM_REMAP replaces: count the segment and a huge page's rounding. */
		if (a[1] && (a[2] & VMS_SHM_REMAP)) {
			struct vms_shmid_ds ds;
			uint64_t size = vms_shmctl(kd->mm, (int)a[0], VMS_IPC_STAT, &ds) == 0 ? ds.segsz : 0;
			return range_unsafe(kd, a[1] & ~(PG - 1), sat_add(size, GIB));
		}
		return 0;
	case KD_SHMDT:
		/* Only our own segments are attached: nothing of the helper's. */
		return 0;
	}
	/* msync and process_mrelease change nothing. */
	return 0;
}

/* A touch whose outcome depends on something the model does not know: a
 * file page past EOF (SIGBUS), or a file that is not one of ours (shmem
 * of a grown shared-anon mapping has a fixed size too). */
static int touch_is_modelled(const struct kd *kd, uint64_t addr)
{
	const vms_vma *v = vms_find_vma(kd->mm, addr);
	struct vms_vma_info info;
	if (!v)
		return 1;
	vms_vma_get_info(v, &info);
	if (addr < info.start || !info.file)
		return 1;
	for (int i = 0; i < kd->nfiles; i++) {
		if (kd->files[i].vf != info.file)
			continue;
		uint64_t off = (addr - info.start) + info.pgoff * PG;
		return off < page_up(kd->files[i].size);
	}
	return 0;
}

/* ---- residency the model cannot know (KD_MINCORE) ------------------------ */

static void taint_add(struct kd *kd, uint64_t s, uint64_t e)
{
	if (s >= e)
		return;
	for (int i = 0; i < kd->ntaint; i++)
		if (kd->taint[i].start <= s && e <= kd->taint[i].end)
			return;
	if (kd->ntaint == kd->captaint) {
		int cap = kd->captaint ? kd->captaint * 2 : 16;
		struct kd_range *t = realloc(kd->taint, sizeof(*t) * (size_t)cap);
		if (!t)
			return;
		kd->taint = t;
		kd->captaint = cap;
	}
	kd->taint[kd->ntaint].start = s;
	kd->taint[kd->ntaint].end = e;
	kd->ntaint++;
}

static int tainted(const struct kd *kd, uint64_t s, uint64_t e)
{
	for (int i = 0; i < kd->ntaint; i++)
		if (s < kd->taint[i].end && e > kd->taint[i].start)
			return 1;
	return 0;
}

/*
 * After every call: each 2 MiB block of a private anonymous VMA that the THP
 * mode lets have huge pages ("always" unless MADV_NOHUGEPAGE, "madvise" with
 * MADV_HUGEPAGE) may now hold a huge page the model does not know of (a
 * fault's, the huge zero page, khugepaged's); and mremap carries such pages
 * from its source range to wherever it put them.
 */
static void taint_update(struct kd *kd, const struct kd_call *c, long k)
{
	if (c->op == KD_MREMAP && k >= 0 && (uint64_t)k < kd->task_size &&
	    tainted(kd, c->a[0], sat_add(c->a[0], c->a[1])))
		taint_add(kd, (uint64_t)k, sat_add((uint64_t)k, page_up(c->a[2])));
	uint64_t mode = 1;
	vms_sysctl_get(kd->sys, "vm.transparent_hugepage", &mode);
	if (mode == 0)
		return;
	for (const vms_vma *v = vms_vma_first(kd->mm); v; v = vms_vma_next(kd->mm, v)) {
		struct vms_vma_info info;
		vms_vma_get_info(v, &info);
		const uint64_t huge = 0x20000000ULL, nohuge = 0x40000000ULL;
		if (info.file || info.start >= kd->task_size || (info.vm_flags & nohuge) ||
		    (mode == 1 && !(info.vm_flags & huge)))
			continue;
		taint_add(kd, (info.start + 2 * MIB - 1) & ~(2 * MIB - 1), info.end & ~(2 * MIB - 1));
	}
}

/* The first page whose mincore entries differ where the model can know the
 * answer, or -1. Not known: the helper's own mappings, tainted blocks, and a
 * file's pages this mm does not map (the page cache holds pages nobody maps:
 * only a page the model maps must be resident). */
static long vec_mismatch(const struct kd *kd, const struct kd_call *c)
{
	uint64_t n = vec_entries(c->a[1]);
	for (uint64_t i = 0; i < n; i++) {
		if (kd->kvec[i] == kd->mvec[i])
			continue;
		uint64_t addr = c->a[0] + i * PG;
		if (overlaps_prot(kd, addr, addr + PG) || tainted(kd, addr, addr + PG))
			continue;
		const vms_vma *v = vms_find_vma(kd->mm, addr);
		struct vms_vma_info info;
		if (v) {
			vms_vma_get_info(v, &info);
			if (info.start <= addr && info.file && kd->mvec[i] == 0)
				continue;
		}
		return (long)i;
	}
	return -1;
}

/* ---- one step ---------------------------------------------------------- */

static int verbose_env(void)
{
	const char *v = getenv("KDIFF_VERBOSE");
	return v && *v && *v != '0';
}

/*
 * Runs c on both sides. Returns 0 if they agree, 1 on a result difference
 * or a model invariant failure, 2 when the helper died. Every touch is
 * predicted: a file page past the end is SIGBUS on both sides.
 */
static int kd_step(struct kd *kd, const struct kd_call *c, long idx, int report, long *kres)
{
	uint64_t kold[KD_NOUT] = {0}, mold[KD_NOUT] = {0};
	char cs[512], kr[64], mr[64];

	long k = kd_kernel(kd, c, kold);
	long m = kd_model(kd, c, mold);
	if (kres)
		*kres = k;
	kd->last_k = k;
	kd->last_m = m;
	kd_format_call(kd, c, cs, sizeof(cs));
	fmt_ret(kr, sizeof(kr), c->op, k);
	fmt_ret(mr, sizeof(mr), c->op, m);
	/* A reproducer is plain strace text; a verbose run numbers the calls. */
	if (report >= 2 && !kd->verbose)
		kp("%s = %s%s%s%s\n", cs, kr, k == m ? "" : "   /* model: ", k == m ? "" : mr,
		   k == m ? "" : " */");
	else if (report >= 2 || kd->verbose)
		kp("[%ld] %s = %s%s%s%s\n", idx, cs, kr,
		   k == m ? "" : "   /* model: ", k == m ? "" : mr, k == m ? "" : " */");
	if (k == KD_DEAD) {
		int st = 0;
		if (kd->pid > 0 && waitpid(kd->pid, &st, WNOHANG) > 0)
			kd->pid = -1;
		if (report)
			kp("call #%ld: %s: the helper died (status %#x)\n", idx, cs, st);
		return 2;
	}
	int bad = k != m;
	taint_update(kd, c, k);
	kd->vec_bad = 0;
	if (!bad && c->op == KD_MINCORE && c->a[2] == KD_VEC_BUF) {
		long i = vec_mismatch(kd, c);
		if (i >= 0) {
			bad = kd->vec_bad = 1;
			if (report)
				kp("call #%ld: %s: mincore vector differs at page %ld (%#" PRIx64
				   "): kernel %d, model %d\n",
				   idx, cs, i, (uint64_t)(c->a[0] + (uint64_t)i * PG), kd->kvec[i], kd->mvec[i]);
		}
	}
	if (!bad && c->op == KD_PRLIMIT && k == 0 && (kold[0] != mold[0] || kold[1] != mold[1])) {
		bad = 1;
		if (report)
			kp("call #%ld: %s: old limit kernel {%#" PRIx64 ", %#" PRIx64
			   "} model {%#" PRIx64 ", %#" PRIx64 "}\n",
			   idx, cs, kold[0], kold[1], mold[0], mold[1]);
	}
	/* What shmctl read: nattch, mode and key, segsz (or the INFO counts). */
	if (!bad && c->op == KD_SHMCTL && k >= 0 && (kold[0] != mold[0] || kold[1] != mold[1])) {
		bad = 1;
		if (report)
			kp("call #%ld: %s: read kernel {%#" PRIx64 ", %#" PRIx64 "} model {%#" PRIx64
			   ", %#" PRIx64 "} (nattch | mode << 32 | key << 48, segsz)\n",
			   idx, cs, kold[0], kold[1], mold[0], mold[1]);
	}
	/* What the call wrote back besides its result. */
	int nout = 0;
	if (c->op == KD_GET_MEMPOLICY && k == 0)
		nout = 4;
	else if (c->op == KD_CAPGET)
		nout = k == 0 ? 4 : 1;
	else if (c->op == KD_PRCTL && k == 0 && c->a[0] == 35 && c->a[1] == 15)
		nout = 1;
	else if (c->op == KD_UFFD_OPEN && (k == 0 || k == -EINVAL || k == -EPERM))
		nout = 2; /* UFFDIO_API's struct: all of it, or zeroed on its errors */
	else if (c->op == KD_UFFD_REGISTER && k == 0)
		nout = 1;
	else if (c->op == KD_UFFD_ZEROPAGE &&
		 (k == 0 || k == -EAGAIN || k == -EEXIST || k == -ENOENT))
		nout = 1; /* the zeropage field, written once the range was valid */
	for (int i = 0; !bad && i < nout; i++) {
		if (kold[i] == mold[i])
			continue;
		bad = 1;
		if (report)
			kp("call #%ld: %s: output %d kernel %#" PRIx64 " model %#" PRIx64 "\n", idx,
			   cs, i, kold[i], mold[i]);
	}
	if (bad && report && k != m) {
		kp("call #%ld: %s\n", idx, cs);
		kp("  kernel = %s\n", kr);
		kp("  model  = %s\n", mr);
	}
	char why[256];
	if (!bad && vms_validate(kd->mm, why, sizeof(why)) != 0) {
		bad = 1;
		if (report)
			kp("call #%ld: %s = %s: vms_validate: %s\n", idx, cs, kr, why);
	}
	return bad;
}

int kd_check(struct kd *kd, const struct kd_call *c, long idx, long *kres)
{
	int s = kd_step(kd, c, idx, 1, kres);
	if (s == 1) {
		kd_compare_state(kd, 1);
		return -1;
	}
	if (s == 2)
		return -1;
	if (kd_compare_state(kd, 1) != 0) {
		char cs[512];
		kd_format_call(kd, c, cs, sizeof(cs));
		kp("(state differs after call #%ld: %s = %#lx)\n", idx, cs,
		   kres ? (unsigned long)*kres : 0UL);
		return -1;
	}
	return 0;
}

/* ---- sequences and shrinking -------------------------------------------- */

/* What a divergence looks like, so that shrinking keeps to the same bug. */
struct kd_div {
	long idx;
	int op, kind; /* kind: 1 results, 2 state, 3 helper died, 4 at import, 5 mincore
		       * vector */
	long kclass, mclass;
};

static long res_class(long r)
{
	return r < 0 && r > -4096 ? r : 1;
}

static long run_seq(const struct kd_call *calls, size_t n, int check_every, int report,
		    struct kd_div *div)
{
	struct kd kd;
	char why[256];
	struct kd_div d = {-1, -1, 0, 0, 0};
	if (kd_start(&kd, why, sizeof(why)) != 0) {
		if (report)
			kp("kdiff: %s\n", why);
		return -2;
	}
	kd.verbose = verbose_env();
	if (kd_compare_state(&kd, report) != 0) {
		if (report)
			kp("(state differs right after import, before any call)\n");
		d.idx = 0;
		d.kind = 4;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		int s = kd_step(&kd, &calls[i], (long)i, report, NULL);
		if (s == 1 || s == 2) {
			if (report && s == 1)
				kd_compare_state(&kd, report);
			d.idx = (long)i;
			d.kind = s == 2 ? 3 : kd.last_k != kd.last_m ? 1 : kd.vec_bad ? 5 : 2;
			break;
		}
		if (check_every <= 1 || (i + 1) % (size_t)check_every == 0 || i + 1 == n) {
			if (kd_compare_state(&kd, report) != 0) {
				if (report)
					kp("(state differs after call #%zu)\n", i);
				d.idx = (long)i;
				d.kind = 2;
				break;
			}
		}
	}
	if (d.idx >= 0 && d.kind != 4) {
		d.op = calls[d.idx].op;
		d.kclass = res_class(kd.last_k);
		d.mclass = res_class(kd.last_m);
	}
out:
	kd_stop(&kd);
	if (div)
		*div = d;
	return d.idx;
}

long kd_run_seq(const struct kd_call *calls, size_t n, int check_every, int report)
{
	return run_seq(calls, n, check_every, report, NULL);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Delta debugging, greedy: drop chunks of calls as long as the same
 * divergence (same call kind, same error classes on both sides, same kind
 * of difference) remains, cutting the tail after the diverging call. */
static size_t shrink(struct kd_call *v, size_t n, double budget_s)
{
	double t0 = now_s();
	struct kd_div want, got;
	struct kd_call *tmp = malloc(sizeof(*tmp) * (n ? n : 1));
	if (!tmp)
		return n;
	if (run_seq(v, n, 1, 0, &want) < 0) {
		free(tmp);
		return n;
	}
	n = (size_t)want.idx + 1;
	for (size_t chunk = n / 2 ? n / 2 : 1;; chunk = chunk / 2 ? chunk / 2 : 0) {
		for (size_t i = 0; i < n && n > 1;) {
			if (now_s() - t0 > budget_s)
				goto done;
			size_t c = chunk;
			if (c > n - i)
				c = n - i;
			if (c == n || i + c == n) {
				/* the diverging call itself stays */
				i += c;
				continue;
			}
			size_t m = 0;
			for (size_t x = 0; x < n; x++)
				if (x < i || x >= i + c)
					tmp[m++] = v[x];
			long d = run_seq(tmp, m, 1, 0, &got);
			if (d >= 0 && got.op == want.op && got.kind == want.kind &&
			    got.kclass == want.kclass && got.mclass == want.mclass) {
				memcpy(v, tmp, sizeof(*v) * (size_t)(d + 1));
				n = (size_t)d + 1;
			} else {
				i += c;
			}
		}
		if (chunk <= 1)
			break;
	}
done:
	free(tmp);
	return n;
}

/* ---- the random call generator --------------------------------------------- */

/* The uid and gid the generator gives up root for. The kernel counts a
 * user's locked shm (user_shm_lock) in its ucounts, shared by every process
 * of that uid on the machine, so each run takes an id of its own: another
 * run's SHM_LOCKs cannot refuse this one's (as concurrent runs as uid 1000
 * did), and the model, which counts only its own processes, stays exact. */
static uint64_t other_id(void)
{
	static uint64_t id;
	if (!id)
		id = 200000 + (uint64_t)getpid() % 100000;
	return id;
}

struct gen {
	uint64_t s;
	struct kd *kd;
	uint64_t recent[32];
	int nrecent;
	uint64_t *starts, *ends; /* model VMAs the calls may touch */
	int nv, vcap;
	uint64_t touched[16]; /* recent touches: where pages are resident */
	int ntouched;
	int32_t shm_ids[16]; /* ids shmget gave */
	int nshm;
	uint64_t shm_addrs[8]; /* addresses shmat gave */
	int nshmat;
};

static uint64_t rnd(struct gen *g)
{
	/* xorshift64* */
	g->s ^= g->s >> 12;
	g->s ^= g->s << 25;
	g->s ^= g->s >> 27;
	return g->s * 0x2545F4914F6CDD1DULL;
}

static uint64_t below(struct gen *g, uint64_t n)
{
	return n ? rnd(g) % n : 0;
}

static int pct(struct gen *g, int p)
{
	return (int)below(g, 100) < p;
}

static void gen_scan(struct gen *g)
{
	g->nv = 0;
	for (const vms_vma *v = vms_vma_first(g->kd->mm); v; v = vms_vma_next(g->kd->mm, v)) {
		struct vms_vma_info info;
		vms_vma_get_info(v, &info);
		/* The helper's own VMAs are no target; one that grew by a
		 * merge with ours still offers its edges (unsafe picks are
		 * redrawn). */
		int inside = 0;
		for (int i = 0; i < g->kd->nprot; i++)
			if (info.start >= g->kd->prot[i].start && info.end <= g->kd->prot[i].end)
				inside = 1;
		if (inside)
			continue;
		if (info.start >= g->kd->task_size)
			continue;
		if (g->nv == g->vcap) {
			int cap = g->vcap ? g->vcap * 2 : 256;
			uint64_t *s = realloc(g->starts, sizeof(*s) * (size_t)cap);
			if (!s)
				return;
			g->starts = s;
			uint64_t *e = realloc(g->ends, sizeof(*e) * (size_t)cap);
			if (!e)
				return;
			g->ends = e;
			g->vcap = cap;
		}
		g->starts[g->nv] = info.start;
		g->ends[g->nv] = info.end;
		g->nv++;
	}
}

static void remember(struct gen *g, uint64_t addr)
{
	g->recent[g->nrecent % 32] = addr;
	g->nrecent++;
}

static uint64_t pick_addr(struct gen *g)
{
	struct kd *kd = g->kd;
	uint64_t a;
	int r = (int)below(g, 100);
	if (r < 40) {
		a = kd->win_lo + below(g, (kd->win_hi - kd->win_lo) / PG) * PG;
	} else if (r < 72 && g->nv) {
		int i = (int)below(g, (uint64_t)g->nv);
		a = pct(g, 50) ? g->starts[i] : g->ends[i];
		if (pct(g, 50)) {
			int64_t d = (int64_t)below(g, 5) - 2;
			a += (uint64_t)(d * (int64_t)PG);
		}
	} else if (r < 86 && g->nrecent) {
		int n = g->nrecent < 32 ? g->nrecent : 32;
		a = g->recent[below(g, (uint64_t)n)] + below(g, 4) * PG;
	} else if (r < 94) {
		a = kd->start_brk + below(g, 16384) * PG;
	} else {
		static const uint64_t special[] = {
		    0,
		    0x1000,
		    0x8000,
		    0x10000,
		    0x20000,
		    0x40000000,
		    0x7fffffffe000ULL,
		    0x7ffffffff000ULL,
		    0x800000000000ULL,
		    0xfffffffffffff000ULL,
		    1ULL << 46,
		};
		a = special[below(g, sizeof(special) / sizeof(special[0]))];
		if (a == 0 && pct(g, 50))
			a = kd->win_lo - below(g, 8) * PG;
	}
	if (pct(g, 4))
		a += 1 + below(g, PG - 1);
	return a;
}

static uint64_t pick_len(struct gen *g)
{
	int r = (int)below(g, 100);
	if (r < 35)
		return (1 + below(g, 4)) * PG;
	if (r < 65)
		return (1 + below(g, 64)) * PG;
	if (r < 74)
		return (1 + below(g, 3)) * 2 * MIB;
	if (r < 82)
		return (1 + below(g, 16384)) * PG;
	if (r < 86)
		return 0;
	if (r < 93)
		return below(g, 16) * PG + 1 + below(g, PG - 1);
	if (r < 96)
		return (1 + below(g, 4)) * GIB;
	static const uint64_t special[] = {1ULL << 40, (uint64_t)-4096, UINT64_MAX, 1ULL << 47,
					   0x7ffffffff000ULL};
	return special[below(g, sizeof(special) / sizeof(special[0]))];
}

static uint64_t small_len(struct gen *g, uint64_t len)
{
	/* Populating or locking costs real memory: keep those small. */
	if (len > 64 * PG && len < (1ULL << 62))
		return (1 + below(g, 64)) * PG;
	return len;
}

static uint64_t pick_prot(struct gen *g, int for_mprotect)
{
	uint64_t p = below(g, 8);
	if (pct(g, 4))
		p |= VMS_PROT_SEM;
	if (pct(g, for_mprotect ? 6 : 2))
		p |= VMS_PROT_GROWSDOWN;
	if (pct(g, 2))
		p |= VMS_PROT_GROWSUP;
	if (pct(g, 2))
		p |= 0x10 << below(g, 4);
	return p;
}

static void gen_mmap(struct gen *g, struct kd_call *c)
{
	struct kd *kd = g->kd;
	uint64_t flags = 0, fidx = KD_FD_NONE, off = 0;
	int file = 0;
	int r = (int)below(g, 100);
	if (r < 33) {
		/* MAP_DROPPABLE is a type of its own for anonymous memory. */
		flags = (pct(g, 6) ? MAP_DROPPABLE_ : VMS_MAP_PRIVATE) | VMS_MAP_ANONYMOUS;
	} else if (r < 44) {
		flags = VMS_MAP_SHARED | VMS_MAP_ANONYMOUS;
	} else if (r < 66) {
		flags = VMS_MAP_PRIVATE;
		file = 1;
	} else if (r < 85) {
		flags = VMS_MAP_SHARED;
		file = 1;
	} else if (r < 90) {
		flags = VMS_MAP_SHARED_VALIDATE;
		file = pct(g, 70);
		if (!file)
			flags |= VMS_MAP_ANONYMOUS;
		if (pct(g, 30)) {
			/* MAP_SYNC, bits no file knows (0x200, bit 31), bits of
			 * the legacy mask (MAP_ABOVE4G, MAP_UNINITIALIZED) */
			static const uint64_t extra[] = {VMS_MAP_SYNC, VMS_MAP_SYNC, 0x200, 0x200,
							 0x80000000ULL, 0x80, VMS_MAP_UNINITIALIZED};
			flags |= extra[below(g, sizeof(extra) / sizeof(extra[0]))];
		}
	} else if (r < 95) {
		flags = below(g, 16) & ~3ULL; /* no or bad type */
		if (pct(g, 50))
			flags |= VMS_MAP_ANONYMOUS;
		else
			file = 1;
	} else {
		/* every MAP_HUGE_* size: the host's, none, and ones it lacks */
		static const uint64_t logs[] = {0, 21, 21, 30, 16, 22, 63};
		flags = (pct(g, 75) ? VMS_MAP_PRIVATE : VMS_MAP_SHARED) | VMS_MAP_ANONYMOUS |
			VMS_MAP_HUGETLB | (logs[below(g, sizeof(logs) / sizeof(logs[0]))] << 26);
	}
	if (file) {
		/* mostly descriptors that can be mapped (the first 8), then
		 * memfds, then any */
		fidx = pct(g, 3)    ? KD_FD_BAD
		       : pct(g, 14) ? KD_FD_MEMFD(below(g, KD_MEMFDS))
		       : pct(g, 80) ? below(g, 8)
				    : below(g, (uint64_t)kd->nfiles);
		int pr = (int)below(g, 100);
		if (pr < 55 || fidx >= (uint64_t)kd->nfiles)
			off = pr < 75 ? 0 : below(g, 8) * PG;
		else if (pr < 85)
			off = below(g, page_up(kd->files[fidx].size) / PG + 4) * PG;
		else if (pr < 90)
			off = 1 + below(g, PG - 1);
		else if (pr < 95)
			off = (1ULL << 62) - PG * below(g, 4);
		else
			off = (uint64_t)-PG;
	} else {
		if (pct(g, 20))
			fidx = below(g, (uint64_t)kd->nfiles); /* ignored by the kernel */
		if (pct(g, 10))
			off = below(g, 64) * PG;
	}
	uint64_t addr = 0;
	int pl = (int)below(g, 100);
	if (pl < 25) {
		addr = 0;
	} else if (pl < 45) {
		addr = pick_addr(g);
	} else if (pl < 75) {
		addr = pick_addr(g);
		flags |= VMS_MAP_FIXED;
	} else if (pl < 90) {
		addr = pick_addr(g);
		flags |= VMS_MAP_FIXED_NOREPLACE;
	} else if (pl < 94) {
		flags |= VMS_MAP_32BIT;
	} else {
		addr = pick_addr(g);
		flags |= VMS_MAP_FIXED | VMS_MAP_FIXED_NOREPLACE;
	}
	if (kd->contained && !(flags & (VMS_MAP_FIXED | VMS_MAP_FIXED_NOREPLACE)) &&
	    (addr < kd->win_lo || addr >= kd->win_hi)) {
		/* a hint the kernel will take, inside the window */
		flags &= ~(uint64_t)VMS_MAP_32BIT;
		addr = kd->win_lo + below(g, (kd->win_hi - kd->win_lo) / PG) * PG;
	}
	uint64_t len = pick_len(g);
	if (kd->contained && len > 64 * MIB && len < (1ULL << 62))
		len = (1 + below(g, 16384)) * PG;
	if (kd->contained && !(flags & (VMS_MAP_FIXED | VMS_MAP_FIXED_NOREPLACE))) {
		/* a hint the kernel cannot take falls back to a search
		 * outside the window: make it fail in place instead */
		const vms_vma *v = vms_find_vma(kd->mm, addr);
		struct vms_vma_info info;
		if (v) {
			vms_vma_get_info(v, &info);
			if (info.start < sat_add(addr, page_up(len)) + 2 * MIB)
				flags |= VMS_MAP_FIXED_NOREPLACE;
		}
	}
	if (pct(g, 10))
		flags |= VMS_MAP_NORESERVE;
	if (pct(g, 5))
		flags |= VMS_MAP_POPULATE;
	if (pct(g, 4))
		flags |= VMS_MAP_LOCKED;
	if (pct(g, 5))
		flags |= VMS_MAP_GROWSDOWN;
	if (pct(g, 3))
		flags |= VMS_MAP_STACK;
	if (pct(g, 2))
		flags |= VMS_MAP_DENYWRITE | VMS_MAP_EXECUTABLE;
	if (pct(g, 2))
		flags |= VMS_MAP_NONBLOCK;
	if (pct(g, 1))
		flags |= VMS_MAP_UNINITIALIZED;
	if (flags & (VMS_MAP_POPULATE | VMS_MAP_LOCKED))
		len = small_len(g, len);
	c->op = KD_MMAP;
	c->a[0] = addr;
	c->a[1] = len;
	c->a[2] = pick_prot(g, 0);
	c->a[3] = flags;
	c->a[4] = fidx;
	c->a[5] = off;
}

/* With odds vma_pct, a VMA the run made (whole, or with odds sub_pct a run of
 * its pages); else an address and a length drawn at large. */
static void pick_range(struct gen *g, int vma_pct, int sub_pct, uint64_t *addr, uint64_t *len)
{
	if (g->ntouched && pct(g, 12)) {
		/* a few pages around a recent touch, where pages are resident */
		int n = g->ntouched < 16 ? g->ntouched : 16;
		*addr = (g->touched[below(g, (uint64_t)n)] & ~(PG - 1)) - below(g, 4) * PG;
		*len = (1 + below(g, 8)) * PG;
		return;
	}
	if (g->nv && pct(g, vma_pct)) {
		int i = (int)below(g, (uint64_t)g->nv);
		*addr = g->starts[i];
		*len = g->ends[i] - g->starts[i];
		if (pct(g, sub_pct)) {
			uint64_t pages = *len / PG;
			uint64_t skip = below(g, pages);
			*addr += skip * PG;
			*len = (1 + below(g, pages - skip)) * PG;
		}
	} else {
		*addr = pick_addr(g);
		*len = pick_len(g);
	}
}

static void gen_mremap(struct gen *g, struct kd_call *c)
{
	uint64_t old, old_len;
	pick_range(g, 65, 30, &old, &old_len);
	if (pct(g, 5))
		old_len = 0;
	uint64_t flags;
	int r = (int)below(g, 100);
	if (r < 28)
		flags = 0;
	else if (r < 58)
		flags = VMS_MREMAP_MAYMOVE;
	else if (r < 74)
		flags = VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED;
	else if (r < 81)
		flags = VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED | VMS_MREMAP_DONTUNMAP;
	else if (r < 88)
		flags = VMS_MREMAP_MAYMOVE | VMS_MREMAP_DONTUNMAP;
	else if (r < 92)
		flags = VMS_MREMAP_FIXED;
	else if (r < 95)
		flags = VMS_MREMAP_DONTUNMAP;
	else
		flags = below(g, 16);
	uint64_t new_len;
	r = (int)below(g, 100);
	if (r < 35)
		new_len = old_len > PG ? (1 + below(g, old_len / PG - 1)) * PG : PG;
	else if (r < 75)
		new_len = old_len + (1 + below(g, 64)) * PG;
	else if (r < 83)
		new_len = old_len;
	else if (r < 86)
		new_len = 0;
	else if (r < 90)
		new_len = old_len + 1 + below(g, PG - 1);
	else if (r < 97)
		new_len = old_len + (1 + below(g, 8)) * 2 * MIB;
	else
		new_len = pick_len(g);
	/* Growing a locked mapping populates the new part. */
	if (new_len > old_len + 64 * MIB && new_len < (1ULL << 62))
		new_len = old_len + 64 * MIB;
	if (g->kd->contained && (flags & VMS_MREMAP_MAYMOVE) && !(flags & VMS_MREMAP_FIXED))
		flags |= VMS_MREMAP_FIXED; /* no kernel-chosen destination */
	uint64_t new_addr = 0;
	if (flags & VMS_MREMAP_FIXED)
		new_addr = pick_addr(g);
	else if (pct(g, 20))
		new_addr = pick_addr(g);
	if (g->kd->contained && (flags & VMS_MREMAP_FIXED) &&
	    (new_addr < g->kd->win_lo || new_addr >= g->kd->win_hi))
		new_addr = g->kd->win_lo + below(g, (g->kd->win_hi - g->kd->win_lo) / PG) * PG;
	c->op = KD_MREMAP;
	c->a[0] = old;
	c->a[1] = old_len;
	c->a[2] = new_len;
	c->a[3] = flags;
	c->a[4] = new_addr;
}

static int pick_advice(struct gen *g)
{
	static const int adv[] = {
	    VMS_MADV_NORMAL,
	    VMS_MADV_RANDOM,
	    VMS_MADV_SEQUENTIAL,
	    VMS_MADV_WILLNEED,
	    VMS_MADV_DONTNEED,
	    VMS_MADV_DONTNEED,
	    VMS_MADV_FREE,
	    VMS_MADV_REMOVE,
	    VMS_MADV_DONTFORK,
	    VMS_MADV_DONTFORK,
	    VMS_MADV_DOFORK,
	    VMS_MADV_MERGEABLE,
	    VMS_MADV_UNMERGEABLE,
	    VMS_MADV_HUGEPAGE,
	    VMS_MADV_HUGEPAGE,
	    VMS_MADV_NOHUGEPAGE,
	    VMS_MADV_DONTDUMP,
	    VMS_MADV_DONTDUMP,
	    VMS_MADV_DODUMP,
	    VMS_MADV_WIPEONFORK,
	    VMS_MADV_WIPEONFORK,
	    VMS_MADV_KEEPONFORK,
	    VMS_MADV_COLD,
	    VMS_MADV_PAGEOUT,
	    VMS_MADV_POPULATE_READ,
	    VMS_MADV_POPULATE_WRITE,
	    VMS_MADV_DONTNEED_LOCKED,
	    VMS_MADV_COLLAPSE,
	    VMS_MADV_GUARD_INSTALL,
	    VMS_MADV_GUARD_REMOVE,
	    5,
	    6,
	    7,
	    26,
	    99,
	    104,
	    -1,
	};
	return adv[below(g, sizeof(adv) / sizeof(adv[0]))];
}

/* Populating or collapsing costs real memory: keep those small. */
static uint64_t advice_len(struct gen *g, int a, uint64_t len)
{
	if (a == VMS_MADV_POPULATE_READ || a == VMS_MADV_POPULATE_WRITE || a == VMS_MADV_COLLAPSE ||
	    a == VMS_MADV_WILLNEED)
		return small_len(g, len);
	return len;
}

static void gen_madvise(struct gen *g, struct kd_call *c)
{
	int a = pick_advice(g);
	uint64_t addr, len;
	pick_range(g, 60, 50, &addr, &len);
	len = advice_len(g, a, len);
	c->op = KD_MADVISE;
	c->a[0] = addr;
	c->a[1] = len;
	c->a[2] = (uint64_t)(int64_t)a;
}

static void gen_brk(struct gen *g, struct kd_call *c)
{
	struct kd *kd = g->kd;
	struct vms_mm_layout lay;
	vms_mm_get_layout(kd->mm, &lay);
	uint64_t cur = lay.brk, b;
	int r = (int)below(g, 100);
	if (r < 45)
		b = cur + (1 + below(g, 64)) * PG;
	else if (r < 55)
		b = cur + below(g, 64 * PG);
	else if (r < 75)
		b = cur - below(g, 64) * PG - (pct(g, 20) ? below(g, PG) : 0);
	else if (r < 80)
		b = 0;
	else if (r < 85)
		b = kd->start_brk - below(g, 4) * PG - (pct(g, 50) ? 1 : 0);
	else if (r < 90)
		b = kd->start_brk;
	else if (r < 97)
		b = cur + (1 + below(g, 256)) * MIB;
	else
		b = pct(g, 50) ? (1ULL << 47) : UINT64_MAX - below(g, 3) * PG;
	c->op = KD_BRK;
	c->a[0] = b;
}

static void gen_prlimit(struct gen *g, struct kd_call *c)
{
	static const uint64_t res[] = {VMS_RLIMIT_AS, VMS_RLIMIT_DATA, VMS_RLIMIT_MEMLOCK,
				       VMS_RLIMIT_STACK};
	struct vms_mm_counters ctr;
	vms_mm_get_counters(g->kd->mm, &ctr);
	c->op = KD_PRLIMIT;
	c->a[0] = pct(g, 3) ? 16 : res[below(g, 4)];
	c->a[3] = pct(g, 12);
	uint64_t cur;
	int r = (int)below(g, 100);
	if (r < 45)
		cur = VMS_RLIM_INFINITY;
	else if (r < 75)
		cur = ((c->a[0] == VMS_RLIMIT_DATA ? ctr.data_vm : ctr.total_vm) + below(g, 128)) *
			  PG +
		      (pct(g, 20) ? below(g, PG) : 0);
	else if (r < 88)
		cur = below(g, 4096) * PG;
	else if (r < 92)
		cur = 0;
	else
		cur = rnd(g) >> (16 + below(g, 32));
	/* Keep the hard limit mostly: without CAP_SYS_RESOURCE a lowered
	 * one never comes back, and the rest of the run would only see
	 * ENOMEM. */
	struct vms_rlimit now = {VMS_RLIM_INFINITY, VMS_RLIM_INFINITY};
	if (c->a[0] != 16)
		vms_prlimit(g->kd->mm, (int)c->a[0], NULL, &now);
	uint64_t max = now.max;
	r = (int)below(g, 100);
	if (r < 3 && c->a[0] == VMS_RLIMIT_MEMLOCK)
		max = cur;
	else if (r < 8 && cur > 0)
		max = cur - 1;
	else if (r < 12)
		max = VMS_RLIM_INFINITY;
	if (cur > max && r >= 8 && pct(g, 80))
		cur = max;
	if (c->a[0] == VMS_RLIMIT_STACK && cur < 8 * MIB) {
		/* the helper's own stack must stay usable */
		cur = 8 * MIB + below(g, 64) * PG;
		if (max < cur)
			max = cur;
	}
	c->a[1] = cur;
	c->a[2] = max;
}

static int gen_touch(struct gen *g, struct kd_call *c)
{
	uint64_t addr;
	int r = (int)below(g, 100);
	if (r < 75 && g->nv) {
		int i = (int)below(g, (uint64_t)g->nv);
		addr =
		    g->starts[i] + below(g, (g->ends[i] - g->starts[i]) / PG) * PG + below(g, PG);
	} else if (r < 90 && g->nv) {
		/* just below a VMA: a grows-down one expands */
		int i = (int)below(g, (uint64_t)g->nv);
		addr = g->starts[i] - (1 + below(g, 300)) * PG;
	} else {
		addr = pick_addr(g);
	}
	c->op = KD_TOUCH;
	c->a[0] = addr;
	c->a[1] = pct(g, 55);
	g->touched[g->ntouched++ % 16] = addr;
	return touch_is_modelled(g->kd, addr);
}

/* A size for shmget or ftruncate: mostly a few pages, odd bytes, 0, huge. */
static uint64_t pick_shm_size(struct gen *g)
{
	int r = (int)below(g, 100);
	if (r < 45)
		return (1 + below(g, 16)) * PG;
	if (r < 70)
		return 1 + below(g, 16 * PG);
	if (r < 80)
		return (1 + below(g, 3)) * 2 * MIB;
	if (r < 86)
		return 0;
	if (r < 92)
		return (1 + below(g, 64)) * PG;
	static const uint64_t special[] = {1ULL << 40, UINT64_MAX, UINT64_MAX - (1ULL << 24),
					   (uint64_t)INT64_MAX, 1ULL << 44};
	return special[below(g, sizeof(special) / sizeof(special[0]))];
}

static int32_t pick_shm_id(struct gen *g)
{
	if (g->nshm && pct(g, 85))
		return g->shm_ids[below(g, (uint64_t)(g->nshm < 16 ? g->nshm : 16))];
	static const int32_t odd[] = {0, 1, 2, -1, 32768, 99};
	return odd[below(g, sizeof(odd) / sizeof(odd[0]))];
}

/* Shared memory: System V segments (when the helper has its own IPC
 * namespace), memfds and memfd_secret, their sizes and seals. Their
 * mappings come from gen_mmap (memfd slots) and shmat. */
static void gen_shared(struct gen *g, struct kd_call *c)
{
	struct kd *kd = g->kd;
	int r = (int)below(g, 100);
	if (!kd->ipcns)
		r = 60 + (int)below(g, 40);
	if (r < 18) {
		c->op = KD_SHMGET;
		c->a[0] = pct(g, 70) ? 0 : 0x1000 + below(g, 4);
		c->a[1] = pick_shm_size(g);
		uint64_t f = pct(g, 75) ? 0600 : pct(g, 50) ? 0 : 0400;
		if (pct(g, 85))
			f |= VMS_IPC_CREAT;
		if (pct(g, 8))
			f |= VMS_IPC_EXCL;
		if (pct(g, 10))
			f |= VMS_SHM_NORESERVE;
		if (pct(g, 6)) {
			static const uint64_t logs[] = {0, 21, 30, 16};
			f |= VMS_SHM_HUGETLB | (logs[below(g, 4)] << VMS_SHM_HUGE_SHIFT);
			if (pct(g, 80))
				f |= VMS_SHM_NORESERVE;
		}
		c->a[2] = f;
	} else if (r < 40) {
		c->op = KD_SHMAT;
		c->a[0] = (uint64_t)(int64_t)pick_shm_id(g);
		int p = (int)below(g, 100);
		c->a[1] = p < 50 ? 0 : p < 90 ? pick_addr(g) & ~(PG - 1) : pick_addr(g) | below(g, PG);
		uint64_t f = 0;
		if (pct(g, 20))
			f |= VMS_SHM_RDONLY;
		if (pct(g, 12))
			f |= VMS_SHM_RND;
		if (pct(g, 20))
			f |= VMS_SHM_REMAP;
		if (pct(g, 10))
			f |= VMS_SHM_EXEC;
		c->a[2] = f;
		if (kd->contained && !c->a[1]) {
			/* no kernel-chosen place: one in the window, failing in place */
			c->a[1] = kd->win_lo + below(g, (kd->win_hi - kd->win_lo) / PG) * PG;
			c->a[2] &= ~(uint64_t)VMS_SHM_REMAP;
		}
	} else if (r < 48) {
		c->op = KD_SHMDT;
		c->a[0] = g->nshmat && pct(g, 75)
			      ? g->shm_addrs[below(g, (uint64_t)(g->nshmat < 8 ? g->nshmat : 8))] +
				    (pct(g, 20) ? below(g, 4) * PG : 0)
			      : pick_addr(g);
	} else if (r < 58) {
		static const uint64_t cmds[] = {VMS_IPC_STAT, VMS_IPC_STAT, VMS_IPC_STAT,
						VMS_IPC_RMID, VMS_IPC_RMID, VMS_SHM_STAT,
						VMS_IPC_INFO, VMS_SHM_INFO, VMS_SHM_LOCK,
						VMS_SHM_UNLOCK, VMS_IPC_SET, 99};
		c->op = KD_SHMCTL;
		c->a[1] = cmds[below(g, sizeof(cmds) / sizeof(cmds[0]))];
		/* Without CAP_IPC_LOCK, SHM_LOCK is charged to the real uid's
		 * locked shm (user_shm_lock: ucounts), which counts every lock of
		 * that uid on the machine, other runs' and leftover segments'
		 * too; the model counts its own processes'. So the generator
		 * locks only with the capability (the model's rule tests cover
		 * the limit: shmctl_lock_*). */
		struct vms_creds cr;
		vms_mm_get_creds(kd->mm, &cr);
		if (c->a[1] == VMS_SHM_LOCK && !(cr.cap_effective >> 14 & 1))
			c->a[1] = VMS_SHM_UNLOCK;
		c->a[0] = c->a[1] == VMS_SHM_STAT ? below(g, 4) : (uint64_t)(int64_t)pick_shm_id(g);
		c->a[2] = pct(g, 50) ? 0600 : below(g, 01000);
	} else if (r < 60) {
		/* Mostly back to the default, so that a limit does not stop
		 * every later shmget of the run. */
		static const uint64_t vals[KD_NSYSCTLS][4] = {
		    {UINT64_MAX - (1ULL << 24), 64 * PG, 1, 0},
		    {UINT64_MAX - (1ULL << 24), 64, 8, 0},
		    {4096, 32768, 8, 32769},
		    {0, 1, 0, 2},
		    {3, 32768 + 5, 65, (uint64_t)INT32_MAX + 1},
		};
		c->op = KD_SHM_SYSCTL;
		c->a[0] = below(g, KD_NSYSCTLS);
		c->a[1] = vals[c->a[0]][pct(g, 50) ? 0 : below(g, 4)];
	} else if (r < 76) {
		c->op = KD_MEMFD;
		c->a[0] = below(g, KD_MEMFDS);
		c->a[2] = pct(g, 12);
		if (c->a[2]) {
			c->a[1] = pct(g, 80) ? 0 : pct(g, 50) ? 02000000 : 1;
		} else {
			uint64_t f = VMS_MFD_CLOEXEC;
			if (pct(g, 60))
				f |= VMS_MFD_ALLOW_SEALING;
			if (pct(g, 20))
				f |= VMS_MFD_NOEXEC_SEAL;
			if (pct(g, 20))
				f |= VMS_MFD_EXEC;
			if (pct(g, 8))
				f |= VMS_MFD_HUGETLB | (pct(g, 50) ? 21ULL << 26 : 0);
			if (pct(g, 3))
				f |= pct(g, 50) ? 0x100 : 21ULL << 26;
			c->a[1] = f;
		}
	} else if (r < 88) {
		c->op = KD_FTRUNCATE;
		c->a[0] = pct(g, 70) ? KD_FD_MEMFD(below(g, KD_MEMFDS)) : below(g, (uint64_t)kd->nfiles);
		c->a[1] = pct(g, 5) ? (uint64_t)-1 : pick_shm_size(g);
	} else if (r < 94) {
		/* Only small ranges that could allocate: tmpfs takes its pages
		 * at once (a large one would exhaust memory). Huge offsets are
		 * for the EFBIG of an overflowing end. */
		static const uint64_t modes[] = {0, 0, 1, 3, 3, 2, 0x10, 0x11, 4, 0x12, 0x8, 0x40};
		c->op = KD_FALLOCATE;
		c->a[0] = pct(g, 60) ? KD_FD_MEMFD(below(g, KD_MEMFDS)) : below(g, (uint64_t)kd->nfiles);
		/* disk files' collapse and insert ranges are not modelled */
		c->a[1] = modes[below(g, c->a[0] < (uint64_t)kd->nfiles ? 10 : 12)];
		int o = (int)below(g, 100);
		c->a[2] = o < 70 ? below(g, 16) * PG + (pct(g, 20) ? below(g, PG) : 0)
			  : o < 80 ? (1ULL << 44) - below(g, 3) * PG
			  : o < 90 ? (1ULL << 62)
				   : (uint64_t)-PG;
		c->a[3] = pct(g, 5) ? 0 : (1 + below(g, 16)) * PG - (pct(g, 20) ? below(g, PG) : 0);
		if (c->a[2] == (1ULL << 62) && pct(g, 50))
			c->a[3] = 1ULL << 62;
	} else {
		static const uint64_t seals[] = {
		    VMS_F_SEAL_WRITE, VMS_F_SEAL_FUTURE_WRITE, VMS_F_SEAL_SHRINK | VMS_F_SEAL_GROW,
		    VMS_F_SEAL_SEAL,  VMS_F_SEAL_EXEC,	       VMS_F_SEAL_GROW,
		    0x40,	      1ULL << 32};
		c->op = KD_SEAL;
		c->a[0] = pct(g, 85) ? KD_FD_MEMFD(below(g, KD_MEMFDS)) : below(g, (uint64_t)kd->nfiles);
		c->a[2] = pct(g, 20);
		c->a[1] = seals[below(g, sizeof(seals) / sizeof(seals[0]))];
	}
}

/* ---- issue 13's calls ---- */

/* Sealing is for good: a small share of calls, aimed mostly at whole VMAs or
 * runs of their pages. */
static int kd_uffd_share;

void kd_set_uffd_share(int percent)
{
	kd_uffd_share = percent;
}

/* userfaultfd: contexts opened with features that never make a system call
 * wait for a reader (no REMAP, REMOVE or UNMAP events), ranges registered
 * and unregistered over the window's VMAs, contexts closed. */
static void gen_uffd(struct gen *g, struct kd_call *c)
{
	static const uint64_t feats[] = {0,	  0,	   0,	   0x1,	    0x30,    0x100,
					 0x400,	  0x1000,  0x4000, 0x10000, 0x2,     0x8000,
					 0x1ffb3, 1 << 20, 0x1435};
	static const uint64_t flags[] = {02000000, 02000000 | 04000, 0, 1, 04000, 2};
	c->a[0] = below(g, KD_UFFDS);
	int k = (int)below(g, 100);
	if (k < 15) {
		c->op = KD_UFFD_OPEN;
		c->a[1] = flags[below(g, sizeof(flags) / sizeof(flags[0]))];
		c->a[2] = feats[below(g, sizeof(feats) / sizeof(feats[0]))];
		c->a[3] = pct(g, 95) ? 0xaa : 0xab;
		return;
	}
	if (k < 22) {
		c->op = KD_UFFD_CLOSE;
		return;
	}
	c->op = k < 65 ? KD_UFFD_REGISTER : k < 92 ? KD_UFFD_UNREGISTER : KD_UFFD_ZEROPAGE;
	pick_range(g, 80, 50, &c->a[1], &c->a[2]);
	if (c->op == KD_UFFD_REGISTER) {
		static const uint64_t modes[] = {1, 1, 1, 2, 2, 3, 4, 5, 6, 7, 0, 8};
		c->a[3] = modes[below(g, sizeof(modes) / sizeof(modes[0]))];
	} else if (c->op == KD_UFFD_ZEROPAGE) {
		c->a[3] = pct(g, 90) ? 0 : 1 + below(g, 2);
	}
}

static void gen_mseal(struct gen *g, struct kd_call *c)
{
	c->op = KD_MSEAL;
	pick_range(g, 75, 50, &c->a[0], &c->a[1]);
	c->a[2] = pct(g, 96) ? 0 : 1 + below(g, 8);
}

static void gen_msync(struct gen *g, struct kd_call *c)
{
	static const uint64_t fl[] = {0,
				      VMS_MS_ASYNC,
				      VMS_MS_SYNC,
				      VMS_MS_SYNC,
				      VMS_MS_INVALIDATE,
				      VMS_MS_ASYNC | VMS_MS_INVALIDATE,
				      VMS_MS_SYNC | VMS_MS_INVALIDATE,
				      VMS_MS_ASYNC | VMS_MS_SYNC,
				      8};
	c->op = KD_MSYNC;
	pick_range(g, 65, 40, &c->a[0], &c->a[1]);
	c->a[2] = fl[below(g, sizeof(fl) / sizeof(fl[0]))];
}

static void gen_mincore(struct gen *g, struct kd_call *c)
{
	c->op = KD_MINCORE;
	pick_range(g, 70, 40, &c->a[0], &c->a[1]);
	if (g->ntouched && pct(g, 35)) {
		/* where something was touched: the pages worth comparing */
		int n = g->ntouched < 16 ? g->ntouched : 16;
		c->a[0] = (g->touched[below(g, (uint64_t)n)] & ~(PG - 1)) - below(g, 8) * PG;
		c->a[1] = (1 + below(g, 32)) * PG;
	}
	c->a[2] = pct(g, 92) ? KD_VEC_BUF : KD_VEC_NULL;
	if (c->a[2] == KD_VEC_BUF && (c->a[1] >> 12) + ((c->a[1] & 4095) != 0) > KD_VEC_MAX) {
		if (pct(g, 60))
			c->a[1] = (1 + below(g, KD_VEC_MAX)) * PG;
		else
			c->a[2] = KD_VEC_NULL;
	}
}

/* Mostly a shared VMA of the run's (the only kind remap_file_pages takes),
 * whole or a run of its pages, else any range. */
static void pick_shared_range(struct gen *g, uint64_t *addr, uint64_t *len)
{
	uint64_t n = 0, want;
	const vms_vma *v;
	struct vms_vma_info info;
	for (v = vms_vma_first(g->kd->mm); v; v = vms_vma_next(g->kd->mm, v)) {
		vms_vma_get_info(v, &info);
		n += (info.vm_flags & 0x8 /* VM_SHARED */) && info.start < g->kd->task_size &&
		     !overlaps_prot(g->kd, info.start, info.end);
	}
	if (!n || !pct(g, 80)) {
		pick_range(g, 85, 60, addr, len);
		return;
	}
	want = below(g, n);
	for (v = vms_vma_first(g->kd->mm); v; v = vms_vma_next(g->kd->mm, v)) {
		vms_vma_get_info(v, &info);
		if ((info.vm_flags & 0x8) && info.start < g->kd->task_size &&
		    !overlaps_prot(g->kd, info.start, info.end) && !want--)
			break;
	}
	uint64_t pages = (info.end - info.start) / PG, skip = pct(g, 60) ? below(g, pages) : 0;
	*addr = info.start + skip * PG;
	*len = pct(g, 70) ? (1 + below(g, pages - skip)) * PG : (pages - skip + below(g, 4)) * PG;
}

static void gen_remap_file_pages(struct gen *g, struct kd_call *c)
{
	c->op = KD_REMAP_FILE_PAGES;
	pick_shared_range(g, &c->a[0], &c->a[1]);
	/* It populates the new mapping: keep it small. */
	c->a[1] = small_len(g, c->a[1]);
	if (pct(g, 5))
		c->a[1] += 1 + below(g, PG - 1);
	c->a[2] = pct(g, 94) ? 0 : pick_prot(g, 0);
	int r = (int)below(g, 100);
	if (r < 70)
		c->a[3] = below(g, 64);
	else if (r < 85)
		c->a[3] = below(g, 1ULL << 20);
	else if (r < 95)
		c->a[3] = (1ULL << 52) - below(g, 64);
	else
		c->a[3] = UINT64_MAX - below(g, 64);
	r = (int)below(g, 100);
	c->a[4] = r < 70 ? 0 : r < 90 ? VMS_MAP_NONBLOCK : rnd(g) & 0xffffff;
}

static uint64_t pick_pidfd(struct gen *g)
{
	int r = (int)below(g, 100);
	return r < 75 ? KD_PIDFD_OWN : r < 85 ? KD_PIDFD_SELF_THREAD : r < 93 ? KD_PIDFD_BAD
									       : KD_PIDFD_NOT;
}

static void gen_process_madvise(struct gen *g, struct kd_call *c)
{
	c->op = KD_PROCESS_MADVISE;
	c->a[0] = pick_pidfd(g);
	int r = (int)below(g, 100);
	if (r < 60)
		c->a[1] = 1 + below(g, 3);
	else if (r < 80)
		c->a[1] = 4 + below(g, KD_MAX_IOV - 3);
	else if (r < 86)
		c->a[1] = 0;
	else if (r < 94)
		c->a[1] = KD_MAX_IOV + 1 + below(g, 24);
	else if (r < 97)
		c->a[1] = KD_IOV_SLOTS - 1 + below(g, 2);
	else
		c->a[1] = below(g, 1ULL << 32);
	int a = pick_advice(g);
	c->a[2] = (uint64_t)(int64_t)a;
	c->a[3] = pct(g, 96) ? 0 : 1 + below(g, 4);
	c->a[4] = pct(g, 97) ? KD_IOV_ARRAY : KD_IOV_NULL;
	for (int i = 0; i < KD_MAX_IOV && (uint64_t)i < c->a[1]; i++) {
		uint64_t addr, len;
		pick_range(g, 65, 50, &addr, &len);
		len = advice_len(g, a, len);
		if (pct(g, 4))
			len = 0;
		c->iov[i].base = addr;
		c->iov[i].len = len;
	}
}

static void gen_process_mrelease(struct gen *g, struct kd_call *c)
{
	c->op = KD_PROCESS_MRELEASE;
	c->a[0] = pick_pidfd(g);
	c->a[1] = pct(g, 85) ? 0 : 1 + below(g, 4);
}

static const char *const op_names[KD_NOPS] = {
    "mmap",  "munmap",	"mprotect", "brk",	 "mremap", "madvise",
    "mlock", "munlock", "prlimit",  "anon_name", "touch",
    "shmget", "shmat", "shmdt", "shmctl", "shm_sysctl", "memfd", "ftruncate", "seal",
    "fallocate", "mseal", "msync", "mincore", "remap_file_pages", "process_madvise",
    "process_mrelease",
    "mbind", "set_mempolicy", "get_mempolicy", "home_node", "pkey_alloc", "pkey_free",
    "pkey_mprotect", "map_shadow_stack", "prctl", "mm_map", "personality", "capget",
    "capset", "setuid", "setresuid", "setgid", "setresgid", "mlock2",
    "uffd_open", "uffd_register", "uffd_unregister", "uffd_close", "uffd_zeropage",
};

/* ---- generating the policy, key, prctl and credential calls ---- */

/* A node mask word: mostly node 0 (the one node a small machine has), then
 * nodes that may not exist. */
static uint64_t pick_nodes(struct gen *g)
{
	static const uint64_t masks[] = {1, 1, 1, 3, 2, 0, 0xff, 1ULL << 63, 5};
	return masks[below(g, sizeof(masks) / sizeof(masks[0]))];
}

static uint64_t pick_maxnode(struct gen *g)
{
	static const uint64_t v[] = {2, 64, 65, 1024, 1025, 1026, 1, 0, 3, 4096, 32769, 32770};
	int r = (int)below(g, 100);
	if (r < 40)
		return v[below(g, 3)];
	return v[below(g, sizeof(v) / sizeof(v[0]))];
}

/* A mode with its flags, mostly valid. */
static uint64_t pick_mode(struct gen *g)
{
	uint64_t mode = below(g, 100) < 94 ? below(g, 7) : 7 + below(g, 3);
	if (pct(g, 12))
		mode |= 1ULL << (13 + below(g, 3));
	if (pct(g, 2))
		mode |= 3ULL << 14;
	if (pct(g, 1))
		mode |= 1ULL << (16 + below(g, 8));
	return mode;
}

static void pick_mask_args(struct gen *g, uint64_t *w0, uint64_t *maxnode, uint64_t *kind,
			   uint64_t *extra)
{
	*w0 = pick_nodes(g);
	*maxnode = pick_maxnode(g);
	*kind = pct(g, 92) ? KD_PTR_BUF : pct(g, 60) ? KD_PTR_NULL : KD_PTR_BAD;
	*extra = 0;
	if (pct(g, 6))
		*extra = 1 + (pct(g, 50) ? 1024 + below(g, 64) : below(g, 32768));
}

static uint64_t pick_persona(struct gen *g)
{
	static const uint64_t p[] = {0,	      0x0400000, 0xffffffff, 0x0040000, 0x0200000,
				     0x8000000, 0x0000008, 0x0440000, 0xfffffffe, 0x1000000ULL};
	return p[below(g, sizeof(p) / sizeof(p[0]))];
}

/*
 * One call of issue 13's kinds. Those that cannot be undone (PR_SET_MDWE,
 * dropping capabilities, leaving uid 0 for good) are rare, so that most of
 * a run keeps the rights the other calls need; moving euid away from 0 and
 * back is common, as it takes the effective capabilities and returns them.
 */
static int gen_policy_call(struct gen *g, struct kd_call *c)
{
	int r = (int)below(g, 1000);
	uint64_t *a = c->a;
	if (r < 300) {
		c->op = KD_MBIND;
		pick_range(g, 70, 50, &a[0], &a[1]);
		a[2] = pick_mode(g);
		pick_mask_args(g, &a[3], &a[4], &a[6], &a[7]);
		if (a[2] == 0 || a[2] == 4)
			a[3] = pct(g, 80) ? 0 : a[3];
		a[5] = pct(g, 75) ? 0 : below(g, 8) | (pct(g, 5) ? 8 : 0);
	} else if (r < 420) {
		c->op = KD_GET_MEMPOLICY;
		a[0] = pct(g, 80) ? 64 : pick_maxnode(g);
		a[2] = pct(g, 50) ? 2 : pct(g, 50) ? 3 : below(g, 9);
		if (a[2] & 2) {
			uint64_t len;
			pick_range(g, 85, 60, &a[1], &len);
			if (pct(g, 3))
				a[1] += 1 + below(g, PG - 1);
		} else {
			a[1] = pct(g, 90) ? 0 : pick_addr(g);
		}
		a[3] = pct(g, 90) ? KD_PTR_BUF : KD_PTR_NULL;
		a[6] = pct(g, 85) ? KD_PTR_BUF : pct(g, 60) ? KD_PTR_NULL : KD_PTR_BAD;
		/* MPOL_F_NODE|MPOL_F_ADDR in a file VMA without VM_READ finds
		 * any present PTE, and a read fault nearby may have mapped this
		 * page by fault-around (do_fault_around), which the model does
		 * not follow: not a call the model can answer. */
		if ((a[2] & 3) == 3) {
			const vms_vma *v = vms_find_vma(g->kd->mm, a[1]);
			struct vms_vma_info info;
			if (v) {
				vms_vma_get_info(v, &info);
				if (info.start <= a[1] && info.file && !(info.vm_flags & 1) /* VM_READ */)
					return 0;
			}
		}
	} else if (r < 500) {
		c->op = KD_SET_MEMPOLICY;
		a[0] = pick_mode(g);
		pick_mask_args(g, &a[3], &a[4], &a[6], &a[7]);
		if (a[0] == 0 || a[0] == 4)
			a[3] = pct(g, 80) ? 0 : a[3];
	} else if (r < 570) {
		c->op = KD_HOME_NODE;
		pick_range(g, 75, 50, &a[0], &a[1]);
		a[2] = pct(g, 85) ? 0 : pct(g, 50) ? 1 : 1024;
		a[3] = pct(g, 97) ? 0 : 1;
	} else if (r < 610) {
		c->op = KD_PKEY_ALLOC;
		a[0] = pct(g, 95) ? 0 : 1;
		a[1] = below(g, 5);
	} else if (r < 630) {
		c->op = KD_PKEY_FREE;
		a[0] = pct(g, 90) ? below(g, 17) : (uint64_t)-1;
	} else if (r < 690) {
		c->op = KD_PKEY_MPROTECT;
		pick_range(g, 60, 50, &a[0], &a[1]);
		a[2] = pick_prot(g, 1);
		a[3] = pct(g, 40) ? (uint64_t)-1 : pct(g, 60) ? 0 : below(g, 17);
	} else if (r < 710) {
		c->op = KD_SHADOW_STACK;
		a[0] = pct(g, 70) ? 0 : pick_addr(g);
		a[1] = pct(g, 80) ? (1 + below(g, 8)) * PG : below(g, 3 * PG);
		a[2] = pct(g, 80) ? below(g, 2) : below(g, 4);
	} else if (r < 800) {
		c->op = KD_PRCTL;
		int k = (int)below(g, 100);
		if (k < 30) {
			a[0] = 41; /* PR_SET_THP_DISABLE */
			a[1] = below(g, 3);
			a[2] = pct(g, 40) ? 2 : pct(g, 90) ? 0 : below(g, 5);
			a[3] = pct(g, 95) ? 0 : 1;
		} else if (k < 50) {
			a[0] = pct(g, 50) ? 42 : 66; /* the GETs */
			a[1] = pct(g, 95) ? 0 : 1;
		} else if (k < 53) {
			a[0] = 65; /* PR_SET_MDWE */
			a[1] = below(g, 4) | (pct(g, 10) ? 4 : 0);
			a[2] = pct(g, 95) ? 0 : 1;
		} else if (k < 85) {
			a[0] = 35; /* PR_SET_MM, one field: EPERM without CAP_SYS_RESOURCE */
			a[1] = 1 + below(g, 11);
			if (pct(g, 5))
				a[1] = 15;
			a[2] = pct(g, 60) ? pick_addr(g) : g->kd->start_brk + below(g, 64) * PG;
			a[3] = pct(g, 95) ? 0 : 1;
		} else {
			a[0] = pct(g, 50) ? 35 : 1000 + below(g, 10);
			a[1] = 15; /* PR_SET_MM_MAP_SIZE */
		}
	} else if (r < 860) {
		c->op = KD_MM_MAP;
		struct vms_prctl_mm_map m;
		vms_mm_get_mm_map(g->kd->mm, &m);
		const uint64_t *f = &m.start_code;
		a[0] = below(g, KD_MM_FIELDS + 1);
		a[2] = pct(g, 70) ? KD_MM_FIELDS : below(g, KD_MM_FIELDS);
		for (int i = 0; i < 2; i++) {
			uint64_t fi = a[2 * i];
			uint64_t base = fi < KD_MM_FIELDS ? f[fi] : 0;
			int k = (int)below(g, 100);
			a[2 * i + 1] = k < 40   ? base + below(g, 32) * PG
				       : k < 70 ? base - below(g, 32) * PG
				       : k < 80 ? base + 1 + below(g, PG)
				       : k < 90 ? pick_addr(g)
						: g->kd->start_brk + below(g, 256) * PG;
		}
		a[4] = pct(g, 95) ? 104 : below(g, 120);
	} else if (r < 890) {
		c->op = KD_PERSONALITY;
		a[0] = pick_persona(g);
	} else if (r < 930) {
		c->op = KD_CAPGET;
		static const uint64_t versions[] = {0x20080522, 0x20080522, 0x20071026, 0x19980330,
						    0x12345};
		a[0] = versions[below(g, 5)];
		a[1] = pct(g, 70) ? 0 : pct(g, 70) ? KD_SELF : (uint64_t)-1;
		a[2] = pct(g, 90) ? KD_PTR_BUF : KD_PTR_NULL;
	} else if (r < 945) {
		c->op = KD_CAPSET;
		struct vms_creds cr;
		vms_mm_get_creds(g->kd->mm, &cr);
		a[0] = pct(g, 85) ? 0x20080522 : pct(g, 50) ? 0x19980330 : 0x12345;
		a[1] = pct(g, 85) ? 0 : pct(g, 50) ? KD_SELF : 1;
		uint64_t drop = pct(g, 60) ? 1ULL << 14 /* CAP_IPC_LOCK */ : 1ULL << below(g, 41);
		a[3] = cr.cap_permitted;
		a[2] = cr.cap_effective;
		a[4] = cr.cap_inheritable;
		int k = (int)below(g, 100);
		if (k < 10) {
			a[3] &= ~drop; /* for good */
			a[2] &= ~drop;
		} else if (k < 60) {
			a[2] &= ~drop; /* effective only: can come back */
		} else if (k < 80) {
			a[2] = a[3]; /* all of permitted back */
		} else if (k < 90) {
			a[4] |= drop;
		} else {
			a[2] |= 1ULL << below(g, 41);
		}
	} else if (r < 985) {
		/* euid away from root and back: effective caps go and come. */
		c->op = KD_SETRESUID;
		a[0] = a[2] = (uint64_t)-1;
		a[1] = pct(g, 50) ? 0 : other_id();
		if (pct(g, 5))
			a[0] = other_id();
		if (pct(g, 3))
			a[2] = other_id();
	} else if (r < 990) {
		c->op = pct(g, 50) ? KD_SETRESGID : KD_SETGID;
		a[0] = pct(g, 50) ? 0 : other_id();
		a[1] = a[2] = (uint64_t)-1;
		if (c->op == KD_SETGID && pct(g, 5))
			a[0] = (uint64_t)-1;
	} else if (r < 992) {
		c->op = KD_SETUID;
		a[0] = pct(g, 60) ? 0 : other_id();
	} else {
		c->op = KD_MLOCK2;
		a[0] = pick_addr(g);
		a[1] = small_len(g, pick_len(g));
		a[2] = pct(g, 90) ? below(g, 2) : below(g, 4);
	}
	return 1;
}

static int has_token(const char *list, const char *tok)
{
	size_t n = strlen(tok);
	for (const char *p = list; (p = strstr(p, tok)) != NULL; p += n)
		if ((p == list || p[-1] == ',') && (p[n] == 0 || p[n] == ','))
			return 1;
	return 0;
}

/* KDIFF_SKIP_OPS=madvise,touch,fd9 leaves those calls out of random runs,
 * to look past a known divergence. Besides op names: fdN (mmaps of the
 * helper's file N), sync (MAP_SYNC), above (addresses >= 2^47), guard
 * (MADV_GUARD_*), advN (madvise advice N). */
static int op_skipped(const struct kd_call *c)
{
	const char *e = getenv("KDIFF_SKIP_OPS");
	if (!e || c->op < 0 || c->op >= KD_NOPS)
		return 0;
	if (has_token(e, op_names[c->op]))
		return 1;
	if (c->op == KD_MMAP && (c->a[3] & VMS_MAP_SYNC) && has_token(e, "sync"))
		return 1;
	if (has_token(e, "above") && c->a[0] >= 0x800000000000ULL)
		return 1;
	if (c->op == KD_MADVISE && c->a[2] >= 100 && has_token(e, "guard"))
		return 1;
	if (c->op == KD_MADVISE && c->a[2] < 1000) {
		char tok[16];
		snprintf(tok, sizeof(tok), "adv%d", (int)c->a[2]);
		if (has_token(e, tok))
			return 1;
	}
	if (c->op == KD_MMAP && c->a[4] < 100) {
		char tok[16];
		snprintf(tok, sizeof(tok), "fd%d", (int)c->a[4]);
		return has_token(e, tok);
	}
	return 0;
}

static void gen_call(struct gen *g, struct kd_call *c)
{
	for (int tries = 0; tries < 500; tries++) {
		memset(c, 0, sizeof(*c));
		int r = (int)below(g, 1090);
		int ok = 1;
		/* One call in twenty is a policy, key, prctl or credential call;
		 * userfaultfd calls take kd_uffd_share percent when it is set
		 * (without a draw when it is not, so that the seeds of runs
		 * without them keep their sequences). */
		if (pct(g, 5)) {
			ok = gen_policy_call(g, c);
		} else if (kd_uffd_share && pct(g, kd_uffd_share)) {
			gen_uffd(g, c);
		} else if (r >= 1000) {
			gen_shared(g, c);
		} else if (r < 260) {
			gen_mmap(g, c);
		} else if (r < 290) {
			gen_mincore(g, c);
		} else if (r < 410) {
			c->op = KD_MUNMAP;
			c->a[0] = pick_addr(g);
			c->a[1] = pick_len(g);
		} else if (r < 420) {
			gen_msync(g, c);
		} else if (r < 540) {
			c->op = KD_MPROTECT;
			if (g->nv && pct(g, 55)) {
				int i = (int)below(g, (uint64_t)g->nv);
				c->a[0] =
				    g->starts[i] + below(g, (g->ends[i] - g->starts[i]) / PG) * PG;
				c->a[1] = (1 + below(g, 8)) * PG;
			} else {
				c->a[0] = pick_addr(g);
				c->a[1] = pick_len(g);
			}
			c->a[2] = pick_prot(g, 1);
		} else if (r < 550) {
			gen_process_madvise(g, c);
		} else if (r < 670) {
			gen_mremap(g, c);
		} else if (r < 790) {
			gen_madvise(g, c);
		} else if (r < 850) {
			gen_brk(g, c);
		} else if (r < 925) {
			ok = gen_touch(g, c);
		} else if (r < 940) {
			int k = (int)below(g, 100);
			if (k < 15)
				gen_mseal(g, c);
			else if (k < 85)
				gen_remap_file_pages(g, c);
			else
				gen_process_mrelease(g, c);
		} else if (r < 970) {
			gen_prlimit(g, c);
		} else if (r < 985) {
			c->op = KD_MLOCK;
			c->a[0] = pick_addr(g);
			c->a[1] = small_len(g, pick_len(g));
		} else if (r < 995) {
			c->op = KD_MUNLOCK;
			c->a[0] = pick_addr(g);
			c->a[1] = pick_len(g);
		} else {
			c->op = KD_ANON_NAME;
			c->a[0] = pick_addr(g);
			c->a[1] = pick_len(g);
		}
		if (ok && !kd_call_is_unsafe(g->kd, c) && !op_skipped(c))
			return;
	}
	/* Nothing safe came up: a call that cannot hurt. */
	memset(c, 0, sizeof(*c));
	c->op = KD_MADVISE;
	c->a[0] = g->kd->win_lo;
	c->a[2] = VMS_MADV_NORMAL;
}

/* The reproducer is replayed on a fresh helper with the calls printed as
 * strace lines; the diverging call's line carries the model's result. */
static void print_repro(const struct kd_call *v, size_t n)
{
	kp("reproducer (%zu calls, from the helper's starting maps, ASLR off):\n", n);
	if (kd_run_seq(v, n, 1, 2) < 0)
		kp("(the calls above did not diverge on a fresh helper: the divergence "
		   "depends on something outside the call sequence)\n");
}

int kd_random_run_opts(struct kd_run_opts *o, char *why, size_t why_size)
{
	struct kd kd;
	const long ncalls = o->ncalls > 0 ? o->ncalls : 0;
	const long every = o->progress_every > 0 ? o->progress_every : 1000;

	o->diverged_at = -1;
	o->repro_calls = 0;
	if (kd_start(&kd, why, why_size) != 0)
		return -1;
	kd.verbose = o->verbose || verbose_env();
	struct gen g;
	memset(&g, 0, sizeof(g));
	g.s = o->seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;
	if (!g.s)
		g.s = 1;
	g.kd = &kd;
	struct kd_call *calls = malloc(sizeof(*calls) * (size_t)(ncalls > 0 ? ncalls : 1));
	int fail = 0;
	long at = -1;
	if (!calls) {
		kd_stop(&kd);
		snprintf(why, why_size, "out of memory");
		return -1;
	}
	if (kd_compare_state(&kd, 1) != 0) {
		kp("seed %" PRIu64 ": state differs right after import, before any call\n",
		   o->seed);
		fail = 1;
		goto out;
	}
	const char *se = getenv("KDIFF_SMAPS_EVERY");
	long smaps_every = se ? atol(se) : KD_SMAPS_EVERY, ncompared = 0;
	if (smaps_every < 1)
		smaps_every = 1;
	for (long i = 0; i < ncalls; i++) {
		if (o->progress && i % every == 0)
			o->progress(o->progress_arg, o->seed, i, ncalls);
		gen_scan(&g);
		gen_call(&g, &calls[i]);
		long kr = 0;
		int s = kd_step(&kd, &calls[i], i, 0, &kr);
		if (s == 1 || s == 2) {
			at = i;
			fail = 1;
			break;
		}
		/* New mappings are worth aiming at later, new segments too. */
		if ((calls[i].op == KD_MMAP || calls[i].op == KD_MREMAP || calls[i].op == KD_SHMAT) &&
		    kr > 0 && (uint64_t)kr < kd.task_size)
			remember(&g, (uint64_t)kr);
		if (calls[i].op == KD_SHMGET && kr >= 0)
			g.shm_ids[g.nshm++ % 16] = (int32_t)kr;
		if (calls[i].op == KD_SHMAT && kr >= 0 && (uint64_t)kr < kd.task_size)
			g.shm_addrs[g.nshmat++ % 8] = (uint64_t)kr;
		if (o->check_every <= 1 || (i + 1) % o->check_every == 0 || i + 1 == ncalls) {
			/* smaps every smaps_every comparisons and at the end; a
			 * divergence found late is pinned to its call by the
			 * replays, which compare smaps after every call. */
			int with_smaps = ++ncompared % smaps_every == 0 || i + 1 == ncalls;
			if (compare_state(&kd, 0, with_smaps) != 0) {
				at = i;
				fail = 1;
				break;
			}
		}
	}
	if (o->progress)
		o->progress(o->progress_arg, o->seed, -1, ncalls);
out:
	kd_stop(&kd);
	free(g.starts);
	free(g.ends);
	if (fail) {
		o->diverged_at = at;
		kp("kdiff: seed %" PRIu64 " diverges at call #%ld of %ld\n", o->seed, at, ncalls);
		size_t n = at >= 0 ? (size_t)at + 1 : 0;
		if (n) {
			/* Replays start from a fresh helper, and stop at the
			 * first divergence even when the run compared states
			 * only every check_every calls. */
			const char *b = getenv("KDIFF_SHRINK_SECS");
			double budget = b ? atof(b) : o->shrink_secs;
			if (budget > 0 && n > 1) {
				kp("shrinking %zu calls to a minimal reproducer (at most %.0f s)\n",
				   n, budget);
				fflush(stdout);
			}
			size_t m = budget > 0 ? shrink(calls, n, budget) : n;
			o->repro_calls = m;
			if (o->max_repro == 0 || m <= o->max_repro) {
				print_repro(calls, m);
			} else {
				kp("(%zu calls, not shrunk; the divergence:)\n", m);
				kd_run_seq(calls, m, 1, 1);
			}
		}
	}
	free(calls);
	return fail;
}

int kd_random_run(uint64_t seed, int ncalls, int check_every, double shrink_secs, char *why,
		  size_t why_size)
{
	struct kd_run_opts o;
	memset(&o, 0, sizeof(o));
	o.seed = seed;
	o.ncalls = ncalls;
	o.check_every = check_every;
	o.shrink_secs = shrink_secs;
	o.max_repro = 200;
	return kd_random_run_opts(&o, why, why_size);
}

#else /* not Linux x86-64: every differential test skips */
#include <stdio.h>

#include "kdiff.h"

long kd_smaps_compared;

int kd_usable(char *why, size_t why_size)
{
	snprintf(why, why_size, "not Linux x86-64");
	return -1;
}

int kd_start(struct kd *kd, char *why, size_t why_size)
{
	(void)kd;
	return kd_usable(why, why_size);
}

void kd_stop(struct kd *kd)
{
	(void)kd;
}

long kd_kernel(struct kd *kd, const struct kd_call *c, uint64_t out[KD_NOUT])
{
	(void)kd;
	(void)c;
	(void)out;
	return -VMS_EINVAL;
}

long kd_model(struct kd *kd, const struct kd_call *c, uint64_t out[KD_NOUT])
{
	(void)kd;
	(void)c;
	(void)out;
	return -VMS_EINVAL;
}

int kd_compare_state(struct kd *kd, int report)
{
	(void)kd;
	(void)report;
	return 0;
}

/* A NULL vector or iovec array is unreadable and unwritable for the model;
 * for the kernel only while nothing is mapped at 0 (root may map page 0). */
static int null_is_mapped(const struct kd *kd, uint64_t bytes)
{
	const vms_vma *v = vms_find_vma(kd->mm, 0);
	struct vms_vma_info info;
	if (!v)
		return 0;
	vms_vma_get_info(v, &info);
	return info.start < sat_add(bytes, 1);
}

int kd_call_is_unsafe(const struct kd *kd, const struct kd_call *c)
{
	(void)kd;
	(void)c;
	return 1;
}

int kd_check(struct kd *kd, const struct kd_call *c, long idx, long *kres)
{
	(void)kd;
	(void)c;
	(void)idx;
	(void)kres;
	return -1;
}

void kd_format_call(const struct kd *kd, const struct kd_call *c, char *buf, size_t size)
{
	(void)kd;
	snprintf(buf, size, "op%d(...)", c->op);
}

long kd_run_seq(const struct kd_call *calls, size_t n, int check_every, int report)
{
	(void)calls;
	(void)n;
	(void)check_every;
	(void)report;
	return -2;
}

void kd_set_uffd_share(int percent)
{
	(void)percent;
}

void kd_set_report_prefix(const char *prefix)
{
	(void)prefix;
}

int kd_random_run_opts(struct kd_run_opts *o, char *why, size_t why_size)
{
	o->diverged_at = -1;
	o->repro_calls = 0;
	return kd_usable(why, why_size);
}

int kd_random_run(uint64_t seed, int ncalls, int check_every, double shrink_secs, char *why,
		  size_t why_size)
{
	(void)seed;
	(void)ncalls;
	(void)check_every;
	(void)shrink_secs;
	return kd_usable(why, why_size);
}
#endif
