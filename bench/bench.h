/*
 * bench.h: what the parts of `make bench` share: the operation list, the
 * messages between the benchmark and its kernel-side child, the clock and the
 * random positions. Not here: any timing loop (bench.c has the library's,
 * kside.c the kernel's) or the replay trace (trace.c).
 */
#ifndef VMS_BENCH_H
#define VMS_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define BENCH_PAGE 4096ULL
/* Every VMA of the test region is this many pages, so that a page in its middle
 * can be split off and MAP_FIXED can replace a part of it. */
#define VMA_PAGES 3ULL
#define VMA_BYTES (VMA_PAGES * BENCH_PAGE)
/* Where the region goes (a hint, well clear of everything else): next to a VMA
 * of the process it could merge or not depending on anon_vma state that
 * /proc/PID/maps does not show (a fork's anon_vma chain). */
#define REGION_HINT 0x200000000000ULL
#define MAX_BATCHES 21
/* Calls per batch at most (find_vma uses the most). */
#define MAX_CALLS 10000

/* What the benchmark asks its kernel-side child to do. */
enum kcmd_op {
	KC_BUILD,  /* map the region of n VMAs; reply: its address */
	KC_MMAP,   /* mmap one page without a hint, munmap it */
	KC_MPROT,  /* mprotect the middle page of a VMA to PROT_NONE and back */
	KC_FIXED,  /* MAP_FIXED over the middle page with the VMA's own protection */
	KC_BRK,    /* brk up one page and down again */
	KC_FORK,   /* fork; the grandchild times munmap of the whole region */
	KC_EXIT,
};

struct kcmd {
	int op;
	uint32_t batches, calls;
	uint64_t seed;
	uint64_t n; /* VMAs in the region */
};

struct krep {
	int ok;
	int64_t errors;  /* calls that failed */
	uint64_t first;  /* the first result (an address), to compare with the library's */
	double ns[MAX_BATCHES];  /* per-call average of each batch (fork: each fork) */
	double ns2[MAX_BATCHES]; /* fork: the grandchild's munmap of the region */
};

static inline uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: the same seed gives both sides the same positions. */
static inline uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

/* Random values below mod, filled into pos (allocated before the child forks,
 * so both sides write their own copy and never allocate while measured). */
extern uint64_t *bench_pos;
static inline void fill_positions(uint64_t seed, size_t count, uint64_t mod)
{
	uint64_t s = seed | 1;
	for (size_t i = 0; i < count; i++)
		bench_pos[i] = rng_next(&s) % mod;
}

/* Median of n values (n <= MAX_BATCHES); the array is reordered. */
double median(double *v, unsigned n);

/* kside.c: the child's command loop; never returns. */
void kside_run(int cmd_fd, int rep_fd) __attribute__((noreturn));

/* trace.c: writes a synthetic strace text of `lines` calls to path. Returns the
 * number of lines written, or 0 on failure; *crashed is the signal that killed
 * a first attempt with mprotect lines (the second leaves them out), else 0. */
uint64_t trace_generate(const char *path, uint64_t lines, int *crashed);
/* Runs `vmspace replay [opt] path` (opt NULL: none, e.g. "--explain", whose
 * output goes to /dev/null); returns lines per second, or a negative value
 * with a reason in why. */
double trace_replay(const char *vmspace, const char *path, const char *opt, uint64_t lines,
		    char *why, size_t why_size);
/* The same with --html to a page next to path (removed after): lines per
 * second, the page's size in why. */
double trace_replay_html(const char *vmspace, const char *path, uint64_t lines, char *why,
			 size_t why_size);

/* exec.c: the library's fork + execve + exit of prog against the kernel's,
 * ns per round (-1: not measured), and whether the model's maps after the
 * exec were the kernel's at the exec stop. */
struct exec_result {
	double lib_mem;   /* vms_fork + vms_execve (files from memory) + vms_mm_free */
	double lib_host;  /* the same, reading the host's files */
	double kern_exit; /* fork + execve + the program's run + exit + waitpid */
	double kern_stop; /* fork + execve to the exec stop + SIGKILL + waitpid */
	int interp;       /* the program has an interpreter (PT_INTERP) */
	int verified;
	char note[256];
};
int exec_bench(const char *prog, struct exec_result *r);

/* trace_exec.c: records a shell loop that execs /bin/true in vforked and
 * forked children and writes a log of at least min_lines lines to path by
 * repeating one of its turns with new pids. Returns the lines written, or 0
 * with the reason in why. */
uint64_t exec_trace_generate(const char *path, uint64_t min_lines, char *why, size_t why_size);
/* `vmspace replay --check path`: lines per second, or a negative value with
 * the reason in why; every call must match. */
double exec_trace_replay(const char *vmspace, const char *path, uint64_t lines, char *why,
			 size_t why_size);

#endif
