/*
 * memcalls.c: the program behind tests/data/replay/memcalls (recorded with
 * scripts/record.sh): mseal, msync, mincore, remap_file_pages,
 * process_madvise and process_mrelease as a program makes them, failures
 * included. Built with `cc -O1 -o /tmp/memcalls memcalls.c`.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL

static long sc(long n, long a, long b, long c, long d, long e)
{
	return syscall(n, a, b, c, d, e);
}

int main(void)
{
	unsigned char vec[64];
	char *a = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	char *s = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char *r = mmap(NULL, 4 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED || s == MAP_FAILED || r == MAP_FAILED)
		return 1;

	/* mincore: resident (populated), a partial page, a hole, NULL */
	mincore(a, 16 * PG, vec);
	mincore(a, 3 * PG + 5, vec);
	mincore(a + 1, PG, vec);
	mincore(a, 64 * PG, vec);
	mincore(a, PG, NULL);
	madvise(a + 8 * PG, 4 * PG, MADV_FREE);
	madvise(a + 8 * PG, 8 * PG, MADV_PAGEOUT);
	mincore(a, 16 * PG, vec);
	madvise(a, 2 * PG, MADV_DONTNEED);
	mincore(a, 16 * PG, vec);

	/* msync */
	msync(s, 8 * PG, MS_SYNC);
	msync(s, 8 * PG, MS_ASYNC | MS_INVALIDATE);
	msync(s, 8 * PG, MS_ASYNC | MS_SYNC);
	msync(s + 1, PG, MS_SYNC);
	msync(s, 64 * PG, MS_SYNC);
	mlock(a + 4 * PG, PG);
	msync(a, 16 * PG, MS_INVALIDATE);

	/* remap_file_pages of shared memory */
	sc(SYS_remap_file_pages, (long)s, 2 * PG, 0, 5, 0);
	sc(SYS_remap_file_pages, (long)s, 2 * PG, PROT_READ, 5, 0);
	sc(SYS_remap_file_pages, (long)a, PG, 0, 1, 0);
	sc(SYS_remap_file_pages, (long)s + 7 * PG, PG, 0, 0, MAP_NONBLOCK);

	/* process_madvise on itself: a pidfd, PIDFD_SELF_THREAD */
	int pfd = (int)sc(SYS_pidfd_open, getpid(), 0, 0, 0, 0);
	struct iovec iov[3] = {{a + 2 * PG, PG}, {a + 3 * PG, 2 * PG}, {a + 15 * PG, 5}};
	sc(SYS_process_madvise, pfd, (long)iov, 3, MADV_COLD, 0);
	sc(SYS_process_madvise, pfd, (long)iov, 3, MADV_DONTNEED, 0);
	sc(SYS_process_madvise, -10000, (long)iov, 1, MADV_PAGEOUT, 0);
	sc(SYS_process_madvise, pfd, (long)iov, 3, MADV_COLD, 1);
	sc(SYS_process_madvise, pfd, 0, 0, MADV_COLD, 0);
	sc(SYS_process_mrelease, pfd, 0, 0, 0, 0);
	sc(SYS_process_mrelease, pfd, 1, 0, 0, 0);

	/* another process: the advice it may take, then gone */
	int pp[2];
	if (pipe(pp))
		return 1;
	pid_t child = fork();
	if (child == 0) {
		char c;
		read(pp[0], &c, 1);
		_exit(0);
	}
	int cfd = (int)sc(SYS_pidfd_open, child, 0, 0, 0, 0);
	sc(SYS_process_madvise, cfd, (long)iov, 1, MADV_COLD, 0);
	sc(SYS_process_madvise, cfd, (long)iov, 1, MADV_DONTNEED, 0);
	sc(SYS_process_mrelease, cfd, 0, 0, 0, 0);
	write(pp[1], "x", 1);
	waitpid(child, NULL, 0);
	sc(SYS_process_mrelease, cfd, 0, 0, 0, 0);
	sc(SYS_process_madvise, cfd, (long)iov, 1, MADV_COLD, 0);

	/* mseal, and what it refuses */
	sc(462, (long)r, 4 * PG, 0, 0, 0);
	sc(462, (long)r, 4 * PG, 1, 0, 0);
	sc(462, (long)r + PG, 64 * PG, 0, 0, 0);
	munmap(r, PG);
	mprotect(r, PG, PROT_READ);
	madvise(r, PG, MADV_DONTNEED);
	mremap(r, PG, 2 * PG, MREMAP_MAYMOVE);
	mmap(r, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	sc(462, (long)a + 12 * PG, 2 * PG, 0, 0, 0);
	munmap(a + 10 * PG, 4 * PG);
	return 0;
}
