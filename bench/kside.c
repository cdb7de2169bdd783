/*
 * kside.c: the kernel side of `make bench`. A child of the benchmark builds the
 * same region of VMAs in its own address space with real system calls and runs
 * the same operations at the same random positions, on command, while the
 * benchmark waits and then checks the child's /proc/PID/maps against the
 * library's text.
 *
 * The child must not change its own address space except on command: it never
 * calls malloc or stdio after it starts, it grows its stack in advance and puts
 * its break on a page boundary, so that the maps the benchmark imported stay
 * true. Not here: any library call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

static uint64_t region, region_n;

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len) {
		ssize_t r = read(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t r = write(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Touch the stack well below where the command loop will ever reach, so that
 * the [stack] VMA has its final size before the benchmark reads the maps. */
static __attribute__((noinline)) void grow_stack(void)
{
	volatile char pad[512 * 1024];
	for (size_t i = 0; i < sizeof(pad); i += 1024)
		pad[i] = 1;
}

static int vma_prot(uint64_t i)
{
	return (i & 1) ? PROT_READ | PROT_WRITE : PROT_READ;
}

static void do_build(const struct kcmd *c, struct krep *r)
{
	uint64_t t0 = now_ns();
	void *p = mmap((void *)REGION_HINT, c->n * VMA_BYTES, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		r->ok = 0;
		return;
	}
	region = (uint64_t)p;
	region_n = c->n;
	for (uint64_t i = 1; i < c->n; i += 2)
		if (mmap((void *)(region + i * VMA_BYTES), VMA_BYTES, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			r->errors++;
	r->ns[0] = (double)(now_ns() - t0);
	r->first = region;
}

static void do_mmap(const struct kcmd *c, struct krep *r)
{
	for (unsigned b = 0; b < c->batches; b++) {
		uint64_t t0 = now_ns();
		for (unsigned k = 0; k < c->calls; k++) {
			void *p = mmap(NULL, BENCH_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
				       -1, 0);
			if (p == MAP_FAILED) {
				r->errors++;
				continue;
			}
			if (!r->first)
				r->first = (uint64_t)p;
			if (munmap(p, BENCH_PAGE))
				r->errors++;
		}
		r->ns[b] = (double)(now_ns() - t0) / c->calls;
	}
}

static void do_mprotect(const struct kcmd *c, struct krep *r)
{
	fill_positions(c->seed, (size_t)c->batches * c->calls, region_n);
	for (unsigned b = 0; b < c->batches; b++) {
		const uint64_t *pos = bench_pos + (size_t)b * c->calls;
		uint64_t t0 = now_ns();
		for (unsigned k = 0; k < c->calls; k++) {
			void *mid = (void *)(region + pos[k] * VMA_BYTES + BENCH_PAGE);
			if (mprotect(mid, BENCH_PAGE, PROT_NONE))
				r->errors++;
			if (mprotect(mid, BENCH_PAGE, vma_prot(pos[k])))
				r->errors++;
		}
		r->ns[b] = (double)(now_ns() - t0) / c->calls;
	}
}

static void do_fixed(const struct kcmd *c, struct krep *r)
{
	fill_positions(c->seed, (size_t)c->batches * c->calls, region_n);
	for (unsigned b = 0; b < c->batches; b++) {
		const uint64_t *pos = bench_pos + (size_t)b * c->calls;
		uint64_t t0 = now_ns();
		for (unsigned k = 0; k < c->calls; k++) {
			void *mid = (void *)(region + pos[k] * VMA_BYTES + BENCH_PAGE);
			if (mmap(mid, BENCH_PAGE, vma_prot(pos[k]),
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != mid)
				r->errors++;
		}
		r->ns[b] = (double)(now_ns() - t0) / c->calls;
	}
}

static void do_brk(const struct kcmd *c, struct krep *r)
{
	/* The raw system call: glibc's brk() caches the break and sbrk() could
	 * allocate, and the child must not. */
	uint64_t cur = (uint64_t)syscall(SYS_brk, 0);
	r->first = cur;
	for (unsigned b = 0; b < c->batches; b++) {
		uint64_t t0 = now_ns();
		for (unsigned k = 0; k < c->calls; k++) {
			if ((uint64_t)syscall(SYS_brk, cur + BENCH_PAGE) != cur + BENCH_PAGE)
				r->errors++;
			if ((uint64_t)syscall(SYS_brk, cur) != cur)
				r->errors++;
		}
		r->ns[b] = (double)(now_ns() - t0) / c->calls;
	}
}

/* fork() as the parent sees it return; the grandchild then destroys its copy
 * of the region with one munmap and reports how long that took. */
static void do_fork(const struct kcmd *c, struct krep *r)
{
	for (unsigned b = 0; b < c->batches; b++) {
		int gp[2];
		if (pipe(gp)) {
			r->ok = 0;
			return;
		}
		uint64_t t0 = now_ns();
		pid_t pid = fork();
		if (pid == 0) {
			uint64_t s = now_ns();
			int bad = munmap((void *)region, region_n * VMA_BYTES);
			double d = bad ? -1.0 : (double)(now_ns() - s);
			(void)write_all(gp[1], &d, sizeof(d));
			_exit(0);
		}
		uint64_t t1 = now_ns();
		close(gp[1]);
		if (pid < 0) {
			close(gp[0]);
			r->ok = 0;
			return;
		}
		double d = -1.0;
		if (read_all(gp[0], &d, sizeof(d)) || d < 0)
			r->errors++;
		close(gp[0]);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		r->ns[b] = (double)(t1 - t0);
		r->ns2[b] = d;
	}
}

void kside_run(int cmd_fd, int rep_fd)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	grow_stack();
	uint64_t cur = (uint64_t)syscall(SYS_brk, 0);
	syscall(SYS_brk, (cur + BENCH_PAGE - 1) & ~(BENCH_PAGE - 1));
	struct krep r = {.ok = 1};
	if (write_all(rep_fd, &r, sizeof(r)))
		_exit(1);
	for (;;) {
		struct kcmd c;
		if (read_all(cmd_fd, &c, sizeof(c)))
			_exit(1);
		memset(&r, 0, sizeof(r));
		r.ok = 1;
		switch (c.op) {
		case KC_BUILD:
			do_build(&c, &r);
			break;
		case KC_MMAP:
			do_mmap(&c, &r);
			break;
		case KC_MPROT:
			do_mprotect(&c, &r);
			break;
		case KC_FIXED:
			do_fixed(&c, &r);
			break;
		case KC_BRK:
			do_brk(&c, &r);
			break;
		case KC_FORK:
			do_fork(&c, &r);
			break;
		case KC_EXIT:
		default:
			_exit(0);
		}
		if (write_all(rep_fd, &r, sizeof(r)))
			_exit(1);
	}
}
