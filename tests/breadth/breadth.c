/*
 * breadth.c: the program of the breadth differential test (issue 13). It
 * makes SEED-determined random valid and invalid calls of every memory
 * system call vmspace models (the six of mm/mmap.c and friends, fork,
 * mseal, msync, mincore, System V shm, memfd and its seals, memfd_secret,
 * /dev/zero, O_TMPFILE and tmpfs files, memory policies, protection keys,
 * map_shadow_stack, prctl, personality, capabilities and ids,
 * process_madvise, process_mrelease, remap_file_pages) with raw syscall(2),
 * so that scripts/record.sh can record it under strace and the test replay
 * the log and compare every result. Each process writes its
 * /proc/self/maps and /proc/self/smaps to OUTDIR/maps.PID and
 * OUTDIR/smaps.PID just before it exits: the kernel's final state, which the
 * replay's model must equal.
 *
 *   breadth SEED CALLS OUTDIR
 *
 * The process must survive its own calls, so it never touches memory it
 * does not own: calls that change mappings get a range inside its window
 * (WIN_LO, WIN_SIZE bytes, free in a process run with ASLR off), inside a
 * mapping the kernel placed for it elsewhere (tracked in outside[]), or one
 * the kernel refuses before looking at the mappings (unaligned start, start
 * above TASK_SIZE, a wrapping end). Sizes stay small, so that mlockall,
 * MAP_POPULATE and MADV_POPULATE_* cost little memory. It uses no malloc
 * and no stdio: the heap is brk's to play with.
 *
 * Not for: running outside the test (it leaves nothing behind but OUTDIR's
 * files: shm segments are removed, tmpfs files unlinked).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define PG 4096ULL
#define WIN_LO 0x100000000ULL
#define WIN_SIZE (32ULL << 20)
#define WIN_PAGES (WIN_SIZE / PG)
#define TASK_SIZE_ ((1ULL << 47) - PG)
#define MAX_OUT 8
#define MAX_FDS 12
#define MAX_SHM 8
#define MAX_CHILDREN 3

#ifndef SYS_mseal
#define SYS_mseal 462
#endif
#ifndef SYS_map_shadow_stack
#define SYS_map_shadow_stack 453
#endif
#ifndef SYS_set_mempolicy_home_node
#define SYS_set_mempolicy_home_node 450
#endif
#ifndef SYS_process_mrelease
#define SYS_process_mrelease 448
#endif
#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447
#endif

/* Every variable but iobuf lives in .data, in the file-backed page(s) the
 * loader writes: the anonymous bss VMA after them is then written only
 * where the log shows it (populate_written), never by a store or a
 * system call's output the log does not place (strace prints a buffer's
 * contents, not its address). Its anon_vma decides merges with the heap
 * next to it, so the replay must know when it gets one. */
#define DATA __attribute__((section(".data")))
static DATA uint64_t rng;
static DATA uint64_t start_brk, cur_brk;
static DATA int depth, children;
static DATA long budget;
static DATA const char *outdir;
static DATA int self_pidfd = -1;

/* mappings the kernel placed outside the window for us: ours to change */
static DATA struct {
	uint64_t a, len;
} outside[MAX_OUT];
static DATA int nout;
static DATA int fds[MAX_FDS];
static DATA int nfds;
static DATA int shmids[MAX_SHM];
static DATA int nshm;
static DATA int tmpnames;

static DATA unsigned char vec[(WIN_SIZE / PG) + 64];
static DATA unsigned long nodemask[16];
static DATA struct iovec iov[8];
static DATA struct shmid_ds shmds;
static char iobuf[1 << 20];
static DATA struct __user_cap_header_struct caph;
static DATA struct __user_cap_data_struct capd[2];

static uint64_t next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static uint64_t below(uint64_t n)
{
	return n ? next() % n : 0;
}

static int pct(unsigned p)
{
	return below(100) < p;
}

static uint64_t pick(const uint64_t *v, size_t n)
{
	return v[below(n)];
}
#define PICK(...) pick((const uint64_t[]){__VA_ARGS__}, sizeof((const uint64_t[]){__VA_ARGS__}) / 8)

/* ---- ranges ---------------------------------------------------------------- */

static void track(long r, uint64_t len)
{
	uint64_t a = (uint64_t)r;
	if (r < 0 && r >= -4095)
		return;
	if (a >= WIN_LO && a < WIN_LO + WIN_SIZE)
		return;
	for (int i = 0; i < nout; i++)
		if (outside[i].a == a) {
			if (len > outside[i].len)
				outside[i].len = len;
			return;
		}
	if (nout < MAX_OUT) {
		outside[nout].a = a;
		outside[nout].len = (len + PG - 1) & ~(PG - 1);
		nout++;
	} else {
		/* forget one: calls then reach it no more. Its length goes too:
		 * an old length on a new address reached past our mapping (seeds
		 * 3001 and 3010 unmapped ld.so's data and crashed) */
		int k = (int)below(MAX_OUT);
		outside[k].a = a;
		outside[k].len = (len + PG - 1) & ~(PG - 1);
	}
}

/* A range that changes only memory of ours, or that the kernel refuses
 * before it looks at mappings (unaligned is refused by all but mlock and
 * munlock, which round down: unaligned starts stay in the window). */
static void pick_range(uint64_t *a, uint64_t *len, int small)
{
	uint64_t r = below(100), np = small ? 16 : 512;
	if (r < 82 || (r < 90 && !nout)) {
		uint64_t i = below(WIN_PAGES);
		uint64_t room = WIN_PAGES - i;
		*a = WIN_LO + i * PG;
		*len = (1 + below(np < room ? np : room)) * PG;
		if (pct(5))
			*len -= below(PG); /* rounds up */
		if (pct(3))
			*len = 0;
	} else if (r < 90) {
		int k = (int)below((uint64_t)nout);
		uint64_t n = outside[k].len / PG;
		uint64_t i = below(n ? n : 1);
		*a = outside[k].a + i * PG;
		*len = (1 + below(n - i ? n - i : 1)) * PG;
	} else if (r < 95) {
		*a = WIN_LO + below(WIN_SIZE - 64 * PG) + (1 + below(PG - 1));
		*a = (*a & ~(PG - 1)) | (1 + below(PG - 1));
		*len = (1 + below(16)) * PG;
	} else if (r < 98) {
		*a = PICK(1ULL << 47, TASK_SIZE_ + PG, 0xffff800000000000ULL, -PG);
		*len = (1 + below(4)) * PG;
	} else {
		*a = WIN_LO + below(WIN_PAGES) * PG;
		*len = PICK(-PG, -(*a) + PG, (uint64_t)-1);
	}
}

/* A descriptor of ours, or one the log shows is not open (-1, or one this
 * process closed): not an inherited one, which the log does not show. */
static DATA int closed_fd = -1;

static int fd_pick(void)
{
	if (!nfds || pct(5))
		return pct(50) ? -1 : closed_fd;
	return fds[below((uint64_t)nfds)];
}

static void fd_add(long r)
{
	if (r < 0)
		return;
	/* The log then shows the file's device and inode (strace -v), which
	 * the maps print and a replay cannot find once the file is unlinked. */
	static DATA struct stat st;
	syscall(SYS_fstat, r, &st);
	if (nfds < MAX_FDS) {
		fds[nfds++] = (int)r;
	} else {
		int i = (int)below(MAX_FDS);
		close(fds[i]);
		closed_fd = fds[i];
		fds[i] = (int)r;
	}
}

static const uint64_t prots[] = {0, 1, 2, 3, 4, 5, 7, 1, 3, 3, 0x8, 0x10, 0x01000000, 0x02000000};

static uint64_t prot_pick(void)
{
	return pick(prots, sizeof(prots) / 8);
}

/* ---- the calls ------------------------------------------------------------- */

static void op_mmap(void)
{
	uint64_t a, len, flags, prot = prot_pick(), off = 0;
	int fd = -1;
	pick_range(&a, &len, 0);
	uint64_t type = PICK(MAP_PRIVATE, MAP_PRIVATE, MAP_SHARED, MAP_SHARED_VALIDATE,
			     0x08 /* MAP_DROPPABLE */, 0);
	flags = type;
	if (pct(60))
		flags |= MAP_ANONYMOUS;
	else
		fd = fd_pick();
	uint64_t place = below(100);
	int fixed = 0;
	if (place < 40) {
		flags |= MAP_FIXED;
		fixed = 1;
	} else if (place < 55) {
		flags |= MAP_FIXED_NOREPLACE;
		fixed = 1;
	} else if (place < 60) {
		flags |= MAP_32BIT;
	} else if (place < 75) {
		a = 0;
	}
	/* a mapping the kernel places stays small; a fixed one must be one of
	 * ours or be refused */
	if (!fixed && (len > WIN_SIZE / 4 || len == 0))
		len = PICK(0, PG, 16 * PG, 1ULL << 48);
	if (fixed && a >= WIN_LO + WIN_SIZE && a < (1ULL << 47) && (a & (PG - 1)) == 0) {
		int ok = 0;
		for (int i = 0; i < nout; i++)
			if (a >= outside[i].a && a + len <= outside[i].a + outside[i].len)
				ok = 1;
		if (!ok)
			a = WIN_LO;
	}
	if (fixed && a < WIN_LO && a + len > a) /* below the window: nothing of ours */
		a = WIN_LO + below(WIN_PAGES / 2) * PG;
	if (fixed && a >= WIN_LO && a < WIN_LO + WIN_SIZE && a + len > WIN_LO + WIN_SIZE &&
	    a + len > a)
		len = WIN_LO + WIN_SIZE - a;
	if (pct(8))
		flags |= MAP_NORESERVE;
	if (pct(4))
		flags |= MAP_POPULATE;
	if (pct(3))
		flags |= MAP_LOCKED;
	if (pct(4))
		flags |= MAP_GROWSDOWN;
	if (pct(2))
		flags |= MAP_STACK;
	if (pct(2))
		flags |= MAP_HUGETLB | (pct(50) ? (21ULL << 26) : 0);
	if (pct(2))
		flags |= MAP_SYNC;
	if (pct(1))
		flags |= 0x800000; /* an unknown bit: within the 32 that strace
				    * prints (bit 32 was EOPNOTSUPP to
				    * MAP_SHARED_VALIDATE, the log showing none) */
	if (pct(1))
		flags |= 0x4000000; /* MAP_UNINITIALIZED */
	if (fd >= 0 && pct(30))
		off = below(8) * PG + (pct(5) ? 1 : 0);
	long r = syscall(SYS_mmap, a, len, prot, flags, fd, off);
	track(r, len);
}

static void op_munmap(void)
{
	uint64_t a, len;
	pick_range(&a, &len, 0);
	syscall(SYS_munmap, a, len);
}

static void op_mprotect(int pkey)
{
	uint64_t a, len;
	pick_range(&a, &len, 0);
	uint64_t prot = prot_pick();
	if (pct(3))
		prot |= PROT_GROWSDOWN;
	if (pkey)
		syscall(SYS_pkey_mprotect, a, len, prot, PICK(-1, 0, 1, 15, 16, 5));
	else
		syscall(SYS_mprotect, a, len, prot);
}

static void op_brk(void)
{
	uint64_t to;
	uint64_t r = below(100);
	if (r < 15)
		to = 0;
	else if (r < 70)
		to = start_brk + below(4096) * PG + (pct(10) ? below(PG) : 0);
	else if (r < 90)
		to = cur_brk + below(64) * PG - 32 * PG;
	else
		to = PICK(start_brk - PG, 1ULL << 47, (uint64_t)-PG, 1);
	long n = syscall(SYS_brk, to);
	if (n > 0)
		cur_brk = (uint64_t)n;
}

static void op_mremap(void)
{
	uint64_t a, len, nlen, na = 0;
	pick_range(&a, &len, 1);
	nlen = pct(10) ? 0 : (1 + below(64)) * PG;
	if (pct(5))
		nlen = PICK(1ULL << 47, -PG);
	uint64_t flags = PICK(0, 0, MREMAP_MAYMOVE, MREMAP_MAYMOVE, MREMAP_MAYMOVE | MREMAP_FIXED,
			      MREMAP_MAYMOVE | MREMAP_FIXED, MREMAP_MAYMOVE | MREMAP_DONTUNMAP,
			      MREMAP_FIXED, 8);
	if (flags & MREMAP_FIXED) {
		na = WIN_LO + below(WIN_PAGES - 64) * PG + (pct(3) ? 8 : 0);
		if (nlen > 64 * PG || nlen == 0)
			nlen = (1 + below(64)) * PG;
	}
	if (pct(3))
		len = 0; /* a copy of a shared mapping */
	long r = syscall(SYS_mremap, a, len, nlen, flags, na);
	track(r, nlen);
}

static const uint64_t advices[] = {
    0,  1,  2,  3,  4,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
    20, 21, 22, 23, 24, 25, 26, 27, 102, 103, 4, 4, 0x1000, 99};

static void op_madvise(void)
{
	uint64_t a, len;
	pick_range(&a, &len, 0);
	syscall(SYS_madvise, a, len, pick(advices, sizeof(advices) / 8));
}

static void op_mlock(void)
{
	uint64_t a, len;
	pick_range(&a, &len, 0);
	switch (below(3)) {
	case 0:
		syscall(SYS_mlock, a, len);
		break;
	case 1:
		syscall(SYS_mlock2, a, len, PICK(0, 1, 1, 2));
		break;
	default:
		syscall(SYS_munlock, a, len);
		break;
	}
}

static void op_mlockall(void)
{
	if (pct(50))
		syscall(SYS_mlockall, PICK(1, 2, 3, 5, 6, 7, 4, 0, 8));
	else
		syscall(SYS_munlockall);
}

static void op_mseal(void)
{
	uint64_t a, len;
	pick_range(&a, &len, 1);
	syscall(SYS_mseal, a, len, PICK(0, 0, 0, 1));
}

static void op_msync(void)
{
	uint64_t a, len;
	pick_range(&a, &len, 0);
	syscall(SYS_msync, a, len, PICK(MS_ASYNC, MS_SYNC, MS_INVALIDATE, MS_SYNC | MS_INVALIDATE,
					MS_ASYNC | MS_SYNC, 0, 8));
}

static void op_mincore(void)
{
	uint64_t a, len;
	pick_range(&a, &len, 0);
	if (len > WIN_SIZE)
		len = PG; /* the vector must fit */
	syscall(SYS_mincore, a, len, vec);
}

static void op_shm(void)
{
	uint64_t r = below(100);
	int id = nshm && pct(90) ? shmids[below((uint64_t)nshm)] : (int)PICK(-1, 0x7fff0000);
	if (r < 20 || !nshm) {
		uint64_t size = PICK(PG, 3 * PG, 64 * PG, 100, 0, 1ULL << 20);
		uint64_t flg = IPC_CREAT | 0600 | (pct(5) ? SHM_HUGETLB : 0) |
			       (pct(10) ? SHM_NORESERVE : 0);
		long s = syscall(SYS_shmget, IPC_PRIVATE, size, flg);
		if (s >= 0) {
			if (nshm < MAX_SHM)
				shmids[nshm++] = (int)s;
			else
				syscall(SYS_shmctl, (int)s, IPC_RMID, 0);
		}
	} else if (r < 55) {
		uint64_t a = 0, flg = PICK(0, 0, SHM_RDONLY, SHM_RND, SHM_REMAP, SHM_EXEC, 0x100000);
		if (pct(70))
			a = WIN_LO + below(WIN_PAGES - 512) * PG + (pct(5) ? 0x800 : 0);
		if (!a)
			flg &= ~(uint64_t)SHM_REMAP;
		long at = syscall(SYS_shmat, id, a, flg);
		track(at, PG); /* the segment may be one page: no more is surely ours */
	} else if (r < 75) {
		uint64_t a, len;
		pick_range(&a, &len, 1);
		syscall(SYS_shmdt, a);
	} else {
		/* not IPC_INFO or SHM_INFO: their result is the highest index
		 * in use and the totals of the whole IPC namespace, which other
		 * programs of this machine share */
		uint64_t cmd = PICK(IPC_STAT, IPC_STAT, SHM_LOCK, SHM_UNLOCK, IPC_RMID, 99);
		if (cmd == IPC_RMID && !pct(30))
			cmd = IPC_STAT;
		syscall(SYS_shmctl, id, cmd, &shmds);
	}
}

static void op_files(void)
{
	uint64_t r = below(100);
	char name[64];
	if (r < 25) {
		long fd = syscall(SYS_memfd_create, "breadth",
				  PICK(0, MFD_CLOEXEC, MFD_ALLOW_SEALING, MFD_ALLOW_SEALING | MFD_CLOEXEC,
				       MFD_HUGETLB, 0x0008 /* MFD_NOEXEC_SEAL */,
				       0x0010 /* MFD_EXEC */, 0x100));
		fd_add(fd);
	} else if (r < 32) {
		fd_add(syscall(SYS_memfd_secret, PICK(0, O_CLOEXEC, 1)));
	} else if (r < 40) {
		fd_add(syscall(SYS_openat, AT_FDCWD, "/dev/zero", PICK(O_RDWR, O_RDONLY)));
	} else if (r < 46) {
		fd_add(syscall(SYS_openat, AT_FDCWD, pct(50) ? "/tmp" : "/dev/shm",
			       O_TMPFILE | PICK(O_RDWR, O_WRONLY), 0600));
	} else if (r < 52) {
		int n = tmpnames++, pid = (int)syscall(SYS_getpid);
		/* "/dev/shm/vms-breadth-PID-N" without stdio */
		char *q = name, digits[24];
		const char *pre = "/dev/shm/vms-breadth-";
		while (*pre)
			*q++ = *pre++;
		for (int v = pid, k = 0;; k = 0) {
			do
				digits[k++] = (char)('0' + v % 10);
			while ((v /= 10) && k < 20);
			while (k)
				*q++ = digits[--k];
			if (v == pid || n < 0)
				break;
			*q++ = '-';
			v = n;
			n = -1;
			if (v == 0) {
				*q++ = '0';
				break;
			}
		}
		*q = '\0';
		long fd = syscall(SYS_openat, AT_FDCWD, name, O_RDWR | O_CREAT, 0600);
		fd_add(fd);
		if (pct(50))
			syscall(SYS_unlink, name);
	} else if (r < 65) {
		syscall(SYS_ftruncate, fd_pick(), PICK(0, PG, 5 * PG, 64 * PG, 100, 1ULL << 20, -1));
	} else if (r < 72) {
		syscall(SYS_fallocate, fd_pick(),
			PICK(0, 1 /* KEEP_SIZE */, 3 /* PUNCH_HOLE|KEEP_SIZE */, 2, 0x10 /* ZERO */),
			below(8) * PG, PICK(PG, 4 * PG, 0, 1ULL << 20));
	} else if (r < 85) {
		int fd = fd_pick();
		if (pct(50))
			syscall(SYS_fcntl, fd, F_GET_SEALS);
		else
			syscall(SYS_fcntl, fd, F_ADD_SEALS,
				PICK(F_SEAL_SEAL, F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_WRITE,
				     F_SEAL_FUTURE_WRITE, F_SEAL_SHRINK | F_SEAL_GROW, 0x20 /* EXEC */,
				     0x100));
	} else if (nfds) {
		int i = (int)below((uint64_t)nfds);
		syscall(SYS_close, fds[i]);
		closed_fd = fds[i];
		fds[i] = fds[--nfds];
	}
}

static void op_remap_file_pages(void)
{
	uint64_t a, len;
	pick_range(&a, &len, 1);
	syscall(SYS_remap_file_pages, a, len, PICK(0, 0, 1), below(8), PICK(0, 0, MAP_NONBLOCK, 1));
}

static void op_policy(void)
{
	uint64_t a, len;
	memset(nodemask, 0, sizeof(nodemask));
	nodemask[0] = PICK(1, 1, 1, 0, 2, 3);
	uint64_t maxnode = PICK(2, 64, 65, 1024, 1025, 0, 1, 1ULL << 20);
	uint64_t mode = PICK(0, 1, 2, 3, 4, 5, 6) | PICK(0, 0, 1 << 15, 1 << 14, 1 << 13);
	void *nm = pct(90) ? nodemask : NULL;
	switch (below(4)) {
	case 0:
		pick_range(&a, &len, 0);
		syscall(SYS_mbind, a, len, mode, nm, maxnode, PICK(0, 0, 1, 2, 4, 8));
		break;
	case 1:
		syscall(SYS_set_mempolicy, mode, nm, maxnode);
		break;
	case 2: {
		static DATA int m;
		pick_range(&a, &len, 0);
		syscall(SYS_get_mempolicy, pct(90) ? &m : NULL, nm, maxnode, a,
			PICK(0, 0, 1, 2, 3, 4, 6, 8));
		break;
	}
	default:
		pick_range(&a, &len, 0);
		syscall(SYS_set_mempolicy_home_node, a, len, PICK(0, 0, 1, 1024), PICK(0, 0, 1));
		break;
	}
}

static void op_pkey(void)
{
	switch (below(3)) {
	case 0:
		syscall(SYS_pkey_alloc, PICK(0, 0, 1), PICK(0, 1, 2, 3, 4));
		break;
	case 1:
		syscall(SYS_pkey_free, PICK(0, 1, 15, 16, -1));
		break;
	default:
		op_mprotect(1);
		break;
	}
}

static void op_shadow_stack(void)
{
	uint64_t a = pct(50) ? 0 : WIN_LO + below(WIN_PAGES - 16) * PG;
	long r = syscall(SYS_map_shadow_stack, a, PICK(PG, 4 * PG, 0, 5), PICK(0, 1, 2, 3, 4));
	track(r, PG);
}

static const char *const anon_names[] = {"breadth", "a-b_c", "bad[name]", "tab\tname", NULL};

static void op_prctl(void)
{
	uint64_t a, len;
	switch (below(8)) {
	case 0:
	case 1:
		pick_range(&a, &len, 0);
		syscall(SYS_prctl, 0x53564d41 /* PR_SET_VMA */, PICK(0, 0, 0, 1), a, len,
			anon_names[below(5)]);
		break;
	case 2:
		syscall(SYS_prctl, PR_SET_THP_DISABLE, PICK(0, 1, 1, 2), PICK(0, 0, 0, 2, 1), 0, 0);
		break;
	case 3:
		syscall(SYS_prctl, PR_GET_THP_DISABLE, 0, 0, 0, 0);
		break;
	case 4:
		/* MDWE is for good: rarely */
		if (pct(10))
			syscall(SYS_prctl, 65 /* PR_SET_MDWE */, PICK(0, 1, 2, 3, 4), 0, 0, 0);
		else
			syscall(SYS_prctl, 66 /* PR_GET_MDWE */, 0, 0, 0, 0);
		break;
	default: {
		/* PR_SET_MM: brk fields only over the heap, the others anywhere
		 * plausible (they only label and bound) */
		uint64_t opt = PICK(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 6, 7, 99);
		uint64_t v;
		if (opt == 6 || opt == 7)
			v = start_brk + below(1024) * PG;
		else
			v = PICK(0x555555554000ULL + below(16) * PG, 0x7ffffffde000ULL + below(32) * PG,
				 WIN_LO + below(WIN_PAGES) * PG, 0, 1ULL << 47, 0x1000);
		syscall(SYS_prctl, PR_SET_MM, opt, v, 0, 0);
		break;
	}
	}
}

static void op_personality(void)
{
	/* ADDR_NO_RANDOMIZE stays, as the recording has it */
	uint64_t p = 0x0040000 | PICK(0, 0, 0x0400000 /* READ_IMPLIES_EXEC */,
				      0x0200000 /* ADDR_COMPAT_LAYOUT */);
	syscall(SYS_personality, pct(40) ? 0xffffffffULL : p);
}

static void op_creds(void)
{
	caph.version = (uint32_t)PICK(_LINUX_CAPABILITY_VERSION_3, _LINUX_CAPABILITY_VERSION_3,
				      _LINUX_CAPABILITY_VERSION_1, 0x12345678);
	caph.pid = 0;
	switch (below(depth ? 6 : 3)) {
	case 0:
	case 1:
		syscall(SYS_capget, &caph, capd);
		break;
	case 2:
		/* drop a random few (children only: the first process keeps root) */
		syscall(SYS_capget, &caph, capd);
		if (depth) {
			capd[0].effective &= (uint32_t)next() | ~(1u << 14 | 1u << 24);
			capd[0].effective &= capd[0].permitted;
		}
		syscall(SYS_capset, &caph, capd);
		break;
	case 3:
		syscall(SYS_setuid, PICK(0, 0, 1000, 65534, -1));
		break;
	case 4:
		syscall(SYS_setresuid, PICK(-1, 0, 1000), PICK(-1, 0, 1000), PICK(-1, 0, 1000));
		break;
	default:
		if (pct(50))
			syscall(SYS_setgid, PICK(0, 1000, -1));
		else
			syscall(SYS_setresgid, PICK(-1, 0, 1000), PICK(-1, 0, 1000), PICK(-1, 0));
		break;
	}
}

static void op_process(void)
{
	uint64_t a, len;
	if (self_pidfd < 0 || pct(5)) {
		long fd = syscall(SYS_pidfd_open, syscall(SYS_getpid), PICK(0, 0, 1));
		if (fd >= 0) {
			if (self_pidfd >= 0)
				syscall(SYS_close, self_pidfd);
			self_pidfd = (int)fd;
		}
		return;
	}
	if (pct(15)) {
		syscall(SYS_process_mrelease, self_pidfd, PICK(0, 0, 1));
		return;
	}
	int n = (int)below(4) + 1;
	for (int i = 0; i < n; i++) {
		pick_range(&a, &len, 1);
		iov[i].iov_base = (void *)a;
		iov[i].iov_len = len;
	}
	syscall(SYS_process_madvise, pct(95) ? self_pidfd : closed_fd, iov, n,
		PICK(20 /* COLD */, 21 /* PAGEOUT */, 3 /* WILLNEED */, 25 /* COLLAPSE */, 4, 8),
		PICK(0, 0, 1));
}

/* userfaultfd: contexts, their API handshake, ranges registered in MISSING,
 * WP and MINOR modes (VMA flags and a merge condition), UFFDIO_COPY and
 * UFFDIO_ZEROPAGE. Every handshake asks for UFFD_FEATURE_SIGBUS, and none
 * for an event: this process has no thread to answer a fault or read an
 * event, so a populate or an mlock in a registered range must fail rather
 * than wait, and fork, mremap, munmap and madvise must not wait for an
 * event to be read. A child closes the contexts it inherited (they are
 * its parent's). */
#define MAX_UFFD 3
static DATA int uffds[MAX_UFFD];
static DATA int nuffd;

static void op_uffd(void)
{
	uint64_t r = below(100);
	if (r < 12 || !nuffd) {
		long fd = syscall(SYS_userfaultfd,
				  PICK(O_CLOEXEC, O_NONBLOCK, O_CLOEXEC | O_NONBLOCK, 0,
				       1 /* UFFD_USER_MODE_ONLY */, O_CLOEXEC | 1, 0x10));
		if (fd < 0)
			return;
		if (nuffd < MAX_UFFD) {
			uffds[nuffd++] = (int)fd;
		} else {
			int i = (int)below(MAX_UFFD);
			close(uffds[i]);
			uffds[i] = (int)fd;
		}
		return;
	}
	int k = (int)below((uint64_t)nuffd);
	int fd = pct(95) ? uffds[k] : fd_pick();
	if (r < 30) {
		struct uffdio_api api = {
		    .api = pct(95) ? UFFD_API : 0xab,
		    .features = UFFD_FEATURE_SIGBUS |
				(pct(30) ? PICK(UFFD_FEATURE_THREAD_ID, UFFD_FEATURE_MISSING_SHMEM,
						UFFD_FEATURE_MISSING_HUGETLBFS, UFFD_FEATURE_MINOR_SHMEM,
						UFFD_FEATURE_EXACT_ADDRESS, 1ULL << 40)
					   : 0)};
		syscall(SYS_ioctl, fd, UFFDIO_API, &api);
	} else if (r < 65) {
		uint64_t a, len;
		pick_range(&a, &len, pct(70));
		struct uffdio_register reg = {
		    .range = {.start = a, .len = len},
		    .mode = PICK(UFFDIO_REGISTER_MODE_MISSING, UFFDIO_REGISTER_MODE_MISSING,
				 UFFDIO_REGISTER_MODE_WP,
				 UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP,
				 UFFDIO_REGISTER_MODE_MINOR, 0, 8)};
		syscall(SYS_ioctl, fd, UFFDIO_REGISTER, &reg);
	} else if (r < 80) {
		uint64_t a, len;
		pick_range(&a, &len, pct(70));
		struct uffdio_range range = {.start = a, .len = len};
		syscall(SYS_ioctl, fd, UFFDIO_UNREGISTER, &range);
	} else if (r < 88) {
		uint64_t a, len;
		pick_range(&a, &len, 1);
		/* the source is in .data, written since the start */
		struct uffdio_copy copy = {.dst = a,
					   .src = (uint64_t)(uintptr_t)vec,
					   .len = len < 2 * PG ? len : 2 * PG,
					   .mode = PICK(0, 0, UFFDIO_COPY_MODE_DONTWAKE, 4)};
		syscall(SYS_ioctl, fd, UFFDIO_COPY, &copy);
	} else if (r < 96) {
		uint64_t a, len;
		pick_range(&a, &len, 1);
		struct uffdio_zeropage zp = {.range = {.start = a, .len = len},
					     .mode = PICK(0, 0, UFFDIO_ZEROPAGE_MODE_DONTWAKE, 2)};
		syscall(SYS_ioctl, fd, UFFDIO_ZEROPAGE, &zp);
	} else {
		close(uffds[k]);
		uffds[k] = uffds[--nuffd];
	}
}

static void run(long n);

static void op_mprotect_(void)
{
	op_mprotect(0);
}

/* Faults do not appear in a log: the replay takes every private writable
 * VMA as written before a fork (cli/procs.c fault_rule), so that its
 * anon_vma is copied as dup_mmap() would, and nothing else as written. This
 * program writes little of its own memory (no malloc: the heap is never
 * touched), so it makes the first true where the log shows it, and the
 * writes before main too: MADV_POPULATE_WRITE of the first page of each
 * private writable VMA, in address order, as the rule faults them. */
static uint64_t hex_at(const char **s)
{
	uint64_t v = 0;
	for (;; (*s)++) {
		char c = **s;
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return v;
		v = v << 4 | (uint64_t)d;
	}
}

static void populate_written(void)
{
	size_t len = 0;
	long fd = syscall(SYS_openat, AT_FDCWD, "/proc/self/maps", O_RDONLY);
	if (fd < 0)
		return;
	for (;;) {
		long n = syscall(SYS_read, fd, iobuf + len, sizeof(iobuf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	syscall(SYS_close, fd);
	iobuf[len] = '\0';
	for (const char *l = iobuf; *l;) {
		const char *s = l;
		uint64_t start = hex_at(&s);
		if (*s == '-')
			s++;
		hex_at(&s);
		if (*s == ' ' && s[2] == 'w' && s[4] == 'p')
			syscall(SYS_madvise, start, PG, 23 /* MADV_POPULATE_WRITE */);
		while (*l && *l != '\n')
			l++;
		if (*l)
			l++;
	}
}

/* A child makes calls of its own (a sixth of what is left), writes its maps
 * and exits; the parent waits, so that the log holds no overlapping calls. */
static void op_fork(void)
{
	if (depth >= 2 || children >= (depth ? 1 : MAX_CHILDREN) || !pct(10)) {
		op_mmap();
		return;
	}
	children++;
	long child_calls = budget / 6 + 1;
	populate_written();
	pid_t pid = fork();
	if (pid == 0) {
		depth++;
		children = 0;
		while (nuffd)
			close(uffds[--nuffd]);
		run(child_calls);
		return;
	}
	if (pid > 0) {
		int st;
		waitpid(pid, &st, 0);
	}
}

static void (*const ops[])(void) = {
    op_mmap,   op_mmap,    op_mmap,     op_munmap,   op_munmap,          op_mprotect_,
    op_brk,    op_mremap,  op_mremap,   op_madvise,  op_madvise,         op_mlock,
    op_mlockall, op_mseal, op_msync,    op_mincore,  op_shm,             op_shm,
    op_files,  op_files,   op_files,    op_remap_file_pages, op_policy,  op_pkey,
    op_shadow_stack, op_prctl, op_personality, op_creds, op_process,    op_fork,
    op_uffd,
};

/* ---- the end of a process ----------------------------------------------- */

static void put_num(char **q, long v)
{
	char d[24];
	int k = 0;
	do
		d[k++] = (char)('0' + v % 10);
	while ((v /= 10) && k < 22);
	while (k)
		*(*q)++ = d[--k];
}

/* OUTDIR/WHAT.PID: a copy of /proc/self/WHAT, read whole before it is
 * written (nothing maps or unmaps in between). */
static void dump(const char *what, long pid)
{
	char src[64], dst[4096], *q;
	size_t len = 0;
	q = src;
	for (const char *s = "/proc/self/"; *s;)
		*q++ = *s++;
	for (const char *s = what; *s;)
		*q++ = *s++;
	*q = '\0';
	long fd = syscall(SYS_openat, AT_FDCWD, src, O_RDONLY);
	if (fd < 0)
		return;
	for (;;) {
		long n = syscall(SYS_read, fd, iobuf + len, sizeof(iobuf) - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	syscall(SYS_close, fd);
	q = dst;
	for (const char *s = outdir; *s && q < dst + sizeof(dst) - 64;)
		*q++ = *s++;
	*q++ = '/';
	for (const char *s = what; *s;)
		*q++ = *s++;
	*q++ = '.';
	put_num(&q, pid);
	*q = '\0';
	fd = syscall(SYS_openat, AT_FDCWD, dst, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (fd < 0)
		return;
	for (size_t off = 0; off < len;) {
		long n = syscall(SYS_write, fd, iobuf + off, len - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	syscall(SYS_close, fd);
}

static void run(long n)
{
	const size_t nops = sizeof(ops) / sizeof(ops[0]);
	for (budget = n; budget > 0; budget--)
		ops[below(nops)]();
	/* segments go (the kernel keeps them past the process otherwise) */
	for (int i = 0; i < nshm; i++)
		syscall(SYS_shmctl, shmids[i], IPC_RMID, 0);
	nshm = 0;
	long pid = syscall(SYS_getpid);
	dump("maps", pid);
	dump("smaps", pid);
	syscall(SYS_exit_group, 0);
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	rng = strtoull(argv[1], NULL, 0) * 0x9E3779B97F4A7C15ULL + 1;
	outdir = argv[3];
	start_brk = cur_brk = (uint64_t)syscall(SYS_brk, 0);
	/* what ld.so and libc wrote before main (the TLS block, their data,
	 * the stack), where the log shows it: a mapping placed next to one of
	 * them merges into it and takes its anon_vma */
	populate_written();
	run(strtol(argv[2], NULL, 0));
	return 0;
}
