/*
 * bench.c: `make bench`. Measures the library and the live kernel side by side,
 * in one run on one core, on the same operation mix at N = 1k, 10k, 60k and 1M
 * VMAs (the kernel in a child process, kside.c) and at 10M (library only);
 * prints a table with every goal of the performance issue and writes
 * build/bench.json. Then execve against the kernel's fork + execve + exit
 * (exec.c) and the replay speed of two logs: synthetic memory calls
 * (trace.c) and a recorded shell loop that forks and execs (trace_exec.c).
 *
 * The layout at every N: the address space of the kernel-side child as it
 * starts (imported into the library from its /proc/PID/maps), plus one region
 * of N VMAs of VMA_PAGES pages each, made by one mmap at REGION_HINT and
 * MAP_FIXED over every other VMA, so that neighbours alternate between r--p and
 * rw-p and never merge. The benchmark runs ASLR-free (it re-executes itself
 * with ADDR_NO_RANDOMIZE) so that the library, given the same layout, picks
 * the same addresses as the kernel; after every phase the library's maps text
 * must equal the child's byte for byte, or (at 10M) the region must be exactly
 * what it was built as. A phase that fails the check is marked unverified.
 *
 * Not here: any timing of unit tests, or any change to the library.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmspace.h"
#include "internal.h"
#include "bench.h"

/* Calls the library may not have yet: the benchmark reports null for them. */
#pragma weak vms_mprotect
#pragma weak vms_fork

uint64_t *bench_pos;

enum op {
	OP_FIND,
	OP_MMAP,
	OP_MPROT,
	OP_FIXED,
	OP_BRK,
	OP_FORK,
	OP_DESTROY,
	NOPS,
};

static const char *const op_name[NOPS] = {
	"find_vma", "mmap_munmap", "mprotect_split_merge", "map_fixed",
	"brk", "fork_per_vma", "destroy_per_vma",
};

#define MAX_SIZES 8
static uint64_t sizes[MAX_SIZES] = {1000, 10000, 60000, 1000000, 10000000};
static unsigned nsizes = 5;
#define KERNEL_MAX_N 1000000ULL
/* The exec-heavy replay log: about 90 lines a turn of the shell loop. */
#define EXEC_TRACE_LINES 500000ULL

struct result {
	double lib, kern, floor; /* < 0: not measured */
	bool verified;
	const char *note;
};
static struct result results[NOPS][MAX_SIZES];

static double bytes_per_vma = -1, bytes_per_vma_rss = -1;
static double replay_lps = -1;
static char replay_note[256];
/* The same log with --explain: every decision built and printed (to /dev/null). */
static double replay_explain_lps = -1;
static char replay_explain_note[256];
/* replay --html of the first 100,000 lines of the same kind of trace */
static double replay_html_lps = -1;
static char replay_html_note[256];
static struct exec_result exec_res = {-1, -1, -1, -1, 0, 0, ""};
static double replay_exec_lps = -1;
static char replay_exec_note[256], replay_exec_made[256];
static bool all_verified = true;

/* ---- small helpers ---- */

static bool have(double v)
{
	return v >= 0;
}

double median(double *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		double x = v[i];
		unsigned j = i;
		while (j && v[j - 1] > x) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
	return n ? v[n / 2] : -1;
}

static volatile uint64_t sink;

static char *read_whole(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (!buf)
			break;
		if (cap - n < (1 << 16)) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

static int sysctl_read(const char *path, uint64_t *v)
{
	size_t len;
	char *t = read_whole(path, &len);
	if (!t)
		return -1;
	*v = strtoull(t, NULL, 10);
	free(t);
	return 0;
}

static int sysctl_write(const char *path, uint64_t v)
{
	char buf[32];
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	int n = snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)v);
	int ok = write(fd, buf, (size_t)n) == n;
	close(fd);
	return ok ? 0 : -1;
}

/* ---- vm.max_map_count: raised for the kernel side, restored on every exit ---- */

#define MAX_MAP_COUNT "/proc/sys/vm/max_map_count"
static uint64_t mmc_orig, mmc_now;
static volatile sig_atomic_t mmc_raised;
static pid_t main_pid;

static void mmc_restore(void)
{
	if (!mmc_raised || getpid() != main_pid)
		return;
	/* Only async-signal-safe calls: this also runs from a signal handler. */
	char buf[24];
	int n = 0;
	uint64_t v = mmc_orig;
	char tmp[24];
	int t = 0;
	do {
		tmp[t++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (t)
		buf[n++] = tmp[--t];
	buf[n++] = '\n';
	int fd = open(MAX_MAP_COUNT, O_WRONLY);
	if (fd >= 0) {
		if (write(fd, buf, (size_t)n) == n) {
			mmc_raised = 0;
			mmc_now = mmc_orig;
		}
		close(fd);
	}
}

static void on_fatal(int sig)
{
	mmc_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* VMAs beyond the region the kernel side may hold: the process's own (about
 * 30), the two of a split, the page mmap adds. */
#define MMC_SLACK 1024

/* Makes max_map_count at least need; false when it may not be raised. */
static bool mmc_ensure(uint64_t need)
{
	if (mmc_now >= need)
		return true;
	if (sysctl_write(MAX_MAP_COUNT, need))
		return false;
	mmc_raised = 1;
	mmc_now = need;
	return true;
}

/* ---- the library side ---- */

struct side {
	uint64_t n;
	bool kernel;
	pid_t kpid;
	int cmd_fd, rep_fd;
	vms_sys *sys;
	vms_mm *mm;
	uint64_t region;
	uint64_t base_count; /* VMAs before the region */
	unsigned si;         /* index in sizes[] */
};

static int vma_prot(uint64_t i)
{
	return (i & 1) ? VMS_PROT_READ | VMS_PROT_WRITE : VMS_PROT_READ;
}

static uint64_t lib_count(const struct side *s)
{
	struct vms_mm_counters c;
	vms_mm_get_counters(s->mm, &c);
	return c.map_count;
}

/* Prints where two maps texts first differ. */
static void show_diff(const char *k, size_t klen, const char *l, size_t llen)
{
	size_t i = 0;
	while (i < klen && i < llen && k[i] == l[i])
		i++;
	while (i && k[i - 1] != '\n')
		i--;
	const char *ke = memchr(k + i, '\n', klen - i), *le = memchr(l + i, '\n', llen - i);
	int kn = ke ? (int)(ke - (k + i)) : (int)(klen - i);
	int ln = le ? (int)(le - (l + i)) : (int)(llen - i);
	fprintf(stderr, "    kernel:  %.*s\n    library: %.*s\n", kn, k + i, ln, l + i);
}

/* After a phase: the library's maps must be the kernel child's, byte for byte,
 * or at a library-only size, the region exactly as built. */
static bool verify(struct side *s, const char *phase)
{
	char why[200];
	if (vms_validate(s->mm, why, sizeof(why))) {
		fprintf(stderr, "  VERIFY %s n=%llu: vms_validate: %s\n", phase,
			(unsigned long long)s->n, why);
		return false;
	}
	if (s->kernel) {
		char path[64];
		size_t klen;
		snprintf(path, sizeof(path), "/proc/%d/maps", (int)s->kpid);
		char *k = read_whole(path, &klen);
		if (!k)
			return false;
		size_t cap = klen + 4096;
		char *l = malloc(cap);
		size_t llen = l ? vms_maps_text(s->mm, l, cap) : 0;
		if (l && llen >= cap) {
			free(l);
			cap = llen + 1;
			l = malloc(cap);
			llen = l ? vms_maps_text(s->mm, l, cap) : 0;
		}
		bool ok = l && llen == klen && memcmp(k, l, klen) == 0;
		if (!ok && l) {
			fprintf(stderr,
				"  VERIFY %s n=%llu: maps differ (kernel %zu bytes, library %zu)\n",
				phase, (unsigned long long)s->n, klen, llen);
			show_diff(k, klen, l, llen);
		}
		free(k);
		free(l);
		return ok;
	}
	if (!s->region)
		return true; /* the imported layout alone: nothing to compare it with */
	if (lib_count(s) != s->base_count + s->n) {
		fprintf(stderr, "  VERIFY %s n=%llu: %llu VMAs, expected %llu\n", phase,
			(unsigned long long)s->n, (unsigned long long)lib_count(s),
			(unsigned long long)(s->base_count + s->n));
		return false;
	}
	/* The index's own cursor: vms_vma_next() looks each VMA up again. */
	struct vt_cursor cur;
	const struct vms_vma *v = vt_find(&s->mm->tree, s->region, &cur);
	for (uint64_t i = 0; i < s->n; i++, v = vt_next(&cur)) {
		struct vms_vma_info in;
		if (!v)
			return false;
		vms_vma_get_info(v, &in);
		if (in.start != s->region + i * VMA_BYTES || in.end != in.start + VMA_BYTES ||
		    (int)(in.vm_flags & 7) != vma_prot(i)) {
			fprintf(stderr, "  VERIFY %s n=%llu: VMA %llu is %llx-%llx flags %llx\n",
				phase, (unsigned long long)s->n, (unsigned long long)i,
				(unsigned long long)in.start, (unsigned long long)in.end,
				(unsigned long long)in.vm_flags);
			return false;
		}
	}
	return true;
}

static void mark(struct side *s, enum op op, bool ok)
{
	results[op][s->si].verified = ok;
	if (!ok)
		all_verified = false;
}

/* ---- talking to the kernel side ---- */

static int kcall(struct side *s, int op, uint32_t batches, uint32_t calls, uint64_t seed,
		 struct krep *r)
{
	struct kcmd c = {.op = op, .batches = batches, .calls = calls, .seed = seed, .n = s->n};
	if (write(s->cmd_fd, &c, sizeof(c)) != (ssize_t)sizeof(c))
		return -1;
	size_t got = 0;
	while (got < sizeof(*r)) {
		ssize_t n = read(s->rep_fd, (char *)r + got, sizeof(*r) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return r->ok ? 0 : -1;
}

static uint64_t start_brk_of(pid_t pid)
{
	char path[64];
	size_t len;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	char *t = read_whole(path, &len);
	if (!t)
		return 0;
	/* Field 47 is start_brk; the command name (field 2) may hold spaces, so
	 * count from the last ')'. */
	char *p = strrchr(t, ')');
	uint64_t v = 0;
	for (int field = 2; p && field < 47; field++)
		p = strchr(p + 1, ' ');
	if (p)
		v = strtoull(p + 1, NULL, 10);
	free(t);
	return v;
}

static bool start_side(struct side *s)
{
	char path[64];
	size_t len;
	pid_t pid = getpid();
	if (s->kernel) {
		int cp[2], rp[2];
		if (pipe(cp) || pipe(rp))
			return false;
		fflush(NULL);
		pid = fork();
		if (pid < 0)
			return false;
		if (pid == 0) {
			close(cp[1]);
			close(rp[0]);
			kside_run(cp[0], rp[1]);
		}
		close(cp[0]);
		close(rp[1]);
		s->kpid = pid;
		s->cmd_fd = cp[1];
		s->rep_fd = rp[0];
		struct krep r;
		size_t got = 0;
		while (got < sizeof(r)) {
			ssize_t n = read(s->rep_fd, (char *)&r + got, sizeof(r) - got);
			if (n <= 0)
				return false;
			got += (size_t)n;
		}
	}
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	char *maps = read_whole(path, &len);
	uint64_t start_brk = start_brk_of(pid);
	if (!maps)
		return false;

	/* The model decides as this host's kernel does: its settings, read and
	 * measured, and this process's rlimits (vms_sys_probe_host). */
	s->sys = vms_sys_new();
	vms_sys_probe_host(s->sys);
	vms_sysctl_set(s->sys, "vm.max_map_count",
		       s->kernel ? mmc_now : s->n + MMC_SLACK);
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE};
	vms_host_mm_config(&cfg);
	s->mm = vms_mm_new(s->sys, &cfg);
	int bad = 0;
	int err = s->mm ? vms_mm_import_maps(s->mm, maps, start_brk, &bad) : -ENOMEM;
	if (err) {
		fprintf(stderr, "bench: importing %s failed (%d) at line %d\n", path, err, bad);
		free(maps);
		return false;
	}
	free(maps);
	s->base_count = lib_count(s);
	return true;
}

static void stop_side(struct side *s)
{
	if (s->kernel && s->kpid > 0) {
		struct kcmd c = {.op = KC_EXIT};
		if (write(s->cmd_fd, &c, sizeof(c)) < 0)
			kill(s->kpid, SIGKILL);
		close(s->cmd_fd);
		close(s->rep_fd);
		waitpid(s->kpid, NULL, 0);
	}
	vms_sys_free(s->sys);
}

/* ---- the phases ---- */

/* Resident bytes of this process (/proc/self/statm), a cross-check of the
 * library's own count that sees huge-page chunks and malloc alike. */
static size_t rss_bytes(void)
{
	unsigned long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &res) != 2)
		res = 0;
	fclose(f);
	return res * (size_t)sysconf(_SC_PAGESIZE);
}

static bool build(struct side *s)
{
	struct krep r = {0};
	if (s->kernel && (kcall(s, KC_BUILD, 1, 1, 0, &r) || r.errors)) {
		fprintf(stderr, "bench: the kernel side could not map %llu VMAs\n",
			(unsigned long long)s->n);
		return false;
	}
	/* Every byte the library holds: heap blocks, slab chunks (some of them
	 * mmap'd huge-page chunks that mallinfo2() cannot see) and chunk tables. */
	size_t held0 = sys_bytes_held(s->sys), rss0 = rss_bytes();
	uint64_t t0 = now_ns();
	long a = vms_mmap(s->mm, REGION_HINT, s->n * VMA_BYTES, VMS_PROT_READ,
			  VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0);
	if (a < 0)
		return false;
	s->region = (uint64_t)a;
	int64_t errs = 0;
	for (uint64_t i = 1; i < s->n; i += 2)
		if (vms_mmap(s->mm, s->region + i * VMA_BYTES, VMA_BYTES,
			     VMS_PROT_READ | VMS_PROT_WRITE,
			     VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED, NULL, 0) < 0)
			errs++;
	double secs = (double)(now_ns() - t0) / 1e9;
	if (s->n == 1000000) {
		bytes_per_vma = (double)(sys_bytes_held(s->sys) - held0) / (double)s->n;
		bytes_per_vma_rss = (double)(rss_bytes() - rss0) / (double)s->n;
	}
	printf("  n=%-8llu built in %.2f s (library)", (unsigned long long)s->n, secs);
	if (s->kernel)
		printf(", %.2f s (kernel); region at %#llx (kernel %#llx)", r.ns[0] / 1e9,
		       (unsigned long long)s->region, (unsigned long long)r.first);
	printf("\n");
	fflush(stdout);
	if (s->kernel) {
		if (r.first != s->region) {
			fprintf(stderr, "  VERIFY build: region addresses differ\n");
			return false;
		}
	}
	if (errs)
		return false;
	return verify(s, "build");
}

#define LIB_CALLS 2000
#define KERN_CALLS 500
#define FIND_CALLS 10000

static double run_find(struct side *s, bool floor_side, const uint64_t *starts)
{
	double ns[MAX_BATCHES];
	uint64_t acc = 0;
	for (unsigned b = 0; b < MAX_BATCHES; b++) {
		fill_positions(0x1234 + b, FIND_CALLS, s->n * VMA_BYTES);
		uint64_t t0 = now_ns();
		if (floor_side) {
			for (unsigned k = 0; k < FIND_CALLS; k++) {
				uint64_t addr = s->region + bench_pos[k];
				/* The practical floor: a plain binary search for the
				 * last start at or below addr. */
				size_t lo = 0, hi = s->n;
				while (lo < hi) {
					size_t mid = (lo + hi) / 2;
					if (starts[mid] <= addr)
						lo = mid + 1;
					else
						hi = mid;
				}
				acc += starts[lo - 1];
			}
		} else {
			for (unsigned k = 0; k < FIND_CALLS; k++)
				acc += (uintptr_t)vms_find_vma(s->mm, s->region + bench_pos[k]);
		}
		ns[b] = (double)(now_ns() - t0) / FIND_CALLS;
	}
	sink += acc;
	return median(ns, MAX_BATCHES);
}

static void phase_find(struct side *s)
{
	uint64_t *starts = malloc(s->n * sizeof(*starts));
	if (!starts)
		return;
	for (uint64_t i = 0; i < s->n; i++)
		starts[i] = s->region + i * VMA_BYTES;
	/* Check the answers once before timing them. */
	bool ok = true;
	fill_positions(99, 1000, s->n * VMA_BYTES);
	for (unsigned k = 0; k < 1000; k++) {
		uint64_t addr = s->region + bench_pos[k];
		const vms_vma *v = vms_find_vma(s->mm, addr);
		struct vms_vma_info in;
		if (!v)
			ok = false;
		else {
			vms_vma_get_info(v, &in);
			if (in.start != s->region + (bench_pos[k] / VMA_BYTES) * VMA_BYTES)
				ok = false;
		}
	}
	struct result *r = &results[OP_FIND][s->si];
	r->floor = run_find(s, true, starts);
	r->lib = run_find(s, false, starts);
	mark(s, OP_FIND, ok);
	free(starts);
}

static void phase_simple(struct side *s, enum op op, int kop)
{
	struct result *res = &results[op][s->si];
	struct krep kr = {0};
	uint64_t seed = 0xabcdef + (uint64_t)op * 7919;
	if (op == OP_MPROT && !vms_mprotect) {
		res->note = "vms_mprotect not in the library yet";
		res->lib = -1;
	}
	if (s->kernel) {
		if (kcall(s, kop, MAX_BATCHES, KERN_CALLS, seed, &kr) == 0 && !kr.errors)
			res->kern = median(kr.ns, MAX_BATCHES);
		else
			fprintf(stderr, "  kernel side: %s failed %lld times\n", op_name[op],
				(long long)kr.errors);
	}
	if (op == OP_MPROT && !vms_mprotect) {
		mark(s, op, false);
		return;
	}
	double ns[MAX_BATCHES];
	int64_t errs = 0;
	uint64_t first = 0;
	struct vms_mm_layout lay;
	vms_mm_get_layout(s->mm, &lay);
	uint64_t cur = lay.brk;
	vms_mm *mm = s->mm;
	if (op == OP_MPROT || op == OP_FIXED)
		fill_positions(seed, (size_t)MAX_BATCHES * LIB_CALLS, s->n);
	for (unsigned b = 0; b < MAX_BATCHES; b++) {
		const uint64_t *pos = bench_pos + (size_t)b * LIB_CALLS;
		uint64_t t0 = now_ns();
		switch (op) {
		case OP_MMAP:
			for (unsigned k = 0; k < LIB_CALLS; k++) {
				long a = vms_mmap(mm, 0, BENCH_PAGE, VMS_PROT_READ,
						  VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0);
				if (a < 0) {
					errs++;
					continue;
				}
				if (!first)
					first = (uint64_t)a;
				if (vms_munmap(mm, (uint64_t)a, BENCH_PAGE))
					errs++;
			}
			break;
		case OP_MPROT:
			for (unsigned k = 0; k < LIB_CALLS; k++) {
				uint64_t mid = s->region + pos[k] * VMA_BYTES + BENCH_PAGE;
				if (vms_mprotect(mm, mid, BENCH_PAGE, VMS_PROT_NONE))
					errs++;
				if (vms_mprotect(mm, mid, BENCH_PAGE, (unsigned)vma_prot(pos[k])))
					errs++;
			}
			break;
		case OP_FIXED:
			for (unsigned k = 0; k < LIB_CALLS; k++) {
				uint64_t mid = s->region + pos[k] * VMA_BYTES + BENCH_PAGE;
				if (vms_mmap(mm, mid, BENCH_PAGE, vma_prot(pos[k]),
					     VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED,
					     NULL, 0) != (long)mid)
					errs++;
			}
			break;
		case OP_BRK:
			first = cur;
			for (unsigned k = 0; k < LIB_CALLS; k++) {
				if (vms_brk(mm, cur + BENCH_PAGE) != (long)(cur + BENCH_PAGE))
					errs++;
				if (vms_brk(mm, cur) != (long)cur)
					errs++;
			}
			break;
		default:
			break;
		}
		ns[b] = (double)(now_ns() - t0) / LIB_CALLS;
	}
	if (errs)
		fprintf(stderr, "  library: %s failed %lld times\n", op_name[op], (long long)errs);
	else
		res->lib = median(ns, MAX_BATCHES);
	bool ok = !errs && verify(s, op_name[op]);
	if (s->kernel && (op == OP_MMAP || op == OP_BRK) && kr.first != first) {
		fprintf(stderr, "  VERIFY %s: kernel gave %#llx, library %#llx\n", op_name[op],
			(unsigned long long)kr.first, (unsigned long long)first);
		ok = false;
	}
	mark(s, op, ok);
}

static void phase_fork(struct side *s)
{
	unsigned reps = s->n >= 10000000 ? 3 : s->n >= 1000000 ? 5 : 11;
	uint64_t count = lib_count(s);
	struct result *rf = &results[OP_FORK][s->si], *rd = &results[OP_DESTROY][s->si];
	if (s->kernel) {
		struct krep kr = {0};
		if (kcall(s, KC_FORK, reps, 1, 0, &kr) == 0 && !kr.errors) {
			rf->kern = median(kr.ns, reps) / (double)count;
			rd->kern = median(kr.ns2, reps) / (double)count;
		}
	}
	if (!vms_fork) {
		rf->note = rd->note = "vms_fork not in the library yet";
		mark(s, OP_FORK, false);
		mark(s, OP_DESTROY, false);
		return;
	}
	double fns[MAX_BATCHES], dns[MAX_BATCHES];
	bool ok = true;
	for (unsigned b = 0; b < reps; b++) {
		int err = 0;
		uint64_t t0 = now_ns();
		vms_mm *child = vms_fork(s->mm, &err);
		uint64_t t1 = now_ns();
		if (!child) {
			ok = false;
			break;
		}
		if (b == 0) {
			struct vms_mm_counters c;
			vms_mm_get_counters(child, &c);
			if (c.map_count != count)
				ok = false;
			if (s->n <= 10000) {
				/* The child's maps are the parent's. */
				size_t len = vms_maps_text(s->mm, NULL, 0);
				char *a = malloc(len + 1), *bb = malloc(len + 1);
				if (!a || !bb || vms_maps_text(child, a, len + 1) != len)
					ok = false;
				else if (vms_maps_text(s->mm, bb, len + 1) != len ||
					 memcmp(a, bb, len))
					ok = false;
				free(a);
				free(bb);
			}
		}
		uint64_t t2 = now_ns();
		vms_mm_free(child);
		uint64_t t3 = now_ns();
		fns[b] = (double)(t1 - t0);
		dns[b] = (double)(t3 - t2);
	}
	if (ok) {
		rf->lib = median(fns, reps) / (double)count;
		rd->lib = median(dns, reps) / (double)count;
	}
	ok = ok && verify(s, "fork");
	mark(s, OP_FORK, ok);
	mark(s, OP_DESTROY, ok);
}

static void run_size(unsigned si, bool kernel_ok)
{
	struct side s = {.n = sizes[si], .si = si};
	for (int op = 0; op < NOPS; op++)
		results[op][si] = (struct result){-1, -1, -1, false, NULL};
	s.kernel = kernel_ok;
	if (!start_side(&s)) {
		fprintf(stderr, "bench: cannot set up n=%llu\n", (unsigned long long)s.n);
		all_verified = false;
		stop_side(&s);
		return;
	}
	if (!verify(&s, "import") || !build(&s)) {
		fprintf(stderr, "bench: n=%llu: the library's layout is not the kernel's; "
				"results at this size are unverified\n",
			(unsigned long long)s.n);
		all_verified = false;
	}
	phase_find(&s);
	phase_simple(&s, OP_MMAP, KC_MMAP);
	phase_simple(&s, OP_MPROT, KC_MPROT);
	phase_simple(&s, OP_FIXED, KC_FIXED);
	phase_simple(&s, OP_BRK, KC_BRK);
	phase_fork(&s);
	stop_side(&s);
}

/* Runs one size in a child process, so that a library crash (the library is
 * young) costs that size, not the run; the results come back through a pipe. */
struct size_report {
	struct result r[NOPS];
	double bytes_per_vma, bytes_per_vma_rss;
	bool all_verified;
};

static void run_size_isolated(unsigned si, bool kernel_ok)
{
	int p[2];
	for (int op = 0; op < NOPS; op++)
		results[op][si] = (struct result){-1, -1, -1, false, NULL};
	/* The sysctl is raised here, in the process that restores it. */
	kernel_ok = kernel_ok && sizes[si] <= KERNEL_MAX_N;
	if (kernel_ok && !mmc_ensure(sizes[si] + MMC_SLACK)) {
		printf("  n=%llu: vm.max_map_count cannot be raised; kernel side skipped\n",
		       (unsigned long long)sizes[si]);
		kernel_ok = false;
	}
	if (pipe(p)) {
		run_size(si, kernel_ok);
		return;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		/* Dies with the benchmark, which alone restores the sysctl. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[0]);
		run_size(si, kernel_ok);
		struct size_report rep = {.bytes_per_vma = bytes_per_vma,
					  .bytes_per_vma_rss = bytes_per_vma_rss,
					  .all_verified = all_verified};
		for (int op = 0; op < NOPS; op++)
			rep.r[op] = results[op][si];
		fflush(NULL);
		_exit(write(p[1], &rep, sizeof(rep)) == (ssize_t)sizeof(rep) ? 0 : 1);
	}
	close(p[1]);
	struct size_report rep;
	size_t got = 0;
	while (pid > 0 && got < sizeof(rep)) {
		ssize_t n = read(p[0], (char *)&rep + got, sizeof(rep) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(p[0]);
	int st = 0;
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	mmc_restore();
	if (got != sizeof(rep)) {
		fprintf(stderr, "bench: n=%llu: the run died (%s %d); no results at this size\n",
			(unsigned long long)sizes[si], WIFSIGNALED(st) ? "signal" : "status",
			WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		for (int op = 0; op < NOPS; op++)
			results[op][si].note = "the library crashed at this size";
		all_verified = false;
		return;
	}
	for (int op = 0; op < NOPS; op++)
		results[op][si] = rep.r[op];
	if (have(rep.bytes_per_vma)) {
		bytes_per_vma = rep.bytes_per_vma;
		bytes_per_vma_rss = rep.bytes_per_vma_rss;
	}
	if (!rep.all_verified)
		all_verified = false;
}

/* The exec part in a child process too, for the same reason; its result
 * comes back through a pipe. */
static void exec_bench_isolated(const char *prog, struct exec_result *r)
{
	int p[2];
	if (pipe(p)) {
		exec_bench(prog, r);
		return;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[0]);
		struct exec_result mine;
		exec_bench(prog, &mine);
		fflush(NULL);
		_exit(write(p[1], &mine, sizeof(mine)) == (ssize_t)sizeof(mine) ? 0 : 1);
	}
	close(p[1]);
	size_t got = 0;
	while (pid > 0 && got < sizeof(*r)) {
		ssize_t n = read(p[0], (char *)r + got, sizeof(*r) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(p[0]);
	int st = 0;
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (got != sizeof(*r)) {
		*r = (struct exec_result){-1, -1, -1, -1, 0, 0, ""};
		snprintf(r->note, sizeof(r->note), "the exec run died (%s %d)",
			 WIFSIGNALED(st) ? "signal" : "status",
			 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	}
}

/* ---- report ---- */

static void fmt_ns(char *b, size_t n, double v)
{
	if (!have(v))
		snprintf(b, n, "-");
	else if (v < 10)
		snprintf(b, n, "%.2f", v);
	else
		snprintf(b, n, "%.1f", v);
}

static char missed[64][200];
static unsigned nmissed;

static void note_missed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note_missed(const char *fmt, ...)
{
	if (nmissed >= 64)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(missed[nmissed++], sizeof(missed[0]), fmt, ap);
	va_end(ap);
}

static int find_size(uint64_t n)
{
	for (unsigned i = 0; i < nsizes; i++)
		if (sizes[i] == n)
			return (int)i;
	return -1;
}

static void print_exec_rows(FILE *f, bool markdown);

static void print_table(FILE *f, bool markdown)
{
	static const char *const hdr[8] = {"op",       "N",	"lib ns", "kernel ns",
					   "floor ns", "ratio", "goal",	  "met?"};
	if (markdown)
		fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s |\n"
			   "|---|--:|--:|--:|--:|--:|---|---|\n",
			hdr[0], hdr[1], hdr[2], hdr[3], hdr[4], hdr[5], hdr[6], hdr[7]);
	else
		fprintf(f, "%-21s %9s %10s %10s %9s %8s %-16s %s\n", hdr[0], hdr[1], hdr[2],
			hdr[3], hdr[4], hdr[5], hdr[6], hdr[7]);
	for (int op = 0; op < NOPS; op++) {
		for (unsigned si = 0; si < nsizes; si++) {
			struct result *r = &results[op][si];
			char l[32], k[32], fl[32], ratio[32] = "-", goal[40] = "-";
			const char *met = "-";
			fmt_ns(l, sizeof(l), r->lib);
			fmt_ns(k, sizeof(k), r->kern);
			fmt_ns(fl, sizeof(fl), r->floor);
			double need = 0;
			bool ok = false, judged = false;
			unsigned long long n = (unsigned long long)sizes[si];
			switch (op) {
			case OP_FIND:
				snprintf(goal, sizeof(goal), "<= 2x floor");
				if (have(r->lib) && have(r->floor)) {
					snprintf(ratio, sizeof(ratio), "%.2fx", r->lib / r->floor);
					judged = true;
					ok = r->lib <= 2 * r->floor;
				}
				break;
			case OP_MMAP:
			case OP_BRK:
			case OP_MPROT:
			case OP_FIXED:
				need = 10;
				if ((op == OP_MPROT || op == OP_FIXED) && sizes[si] > 60000)
					need = 4;
				if (sizes[si] <= KERNEL_MAX_N)
					snprintf(goal, sizeof(goal), ">= %.0fx kernel", need);
				else
					snprintf(goal, sizeof(goal), "O(log n), below");
				if (have(r->lib) && have(r->kern)) {
					snprintf(ratio, sizeof(ratio), "%.1fx", r->kern / r->lib);
					judged = true;
					ok = r->kern / r->lib >= need;
				} else if (sizes[si] <= KERNEL_MAX_N && !have(r->lib)) {
					judged = true;
				}
				break;
			case OP_FORK:
			case OP_DESTROY:
				need = op == OP_FORK ? 50 : 20;
				snprintf(goal, sizeof(goal), "<= %.0f ns/VMA", need);
				if (have(r->kern) && have(r->lib))
					snprintf(ratio, sizeof(ratio), "%.1fx", r->kern / r->lib);
				judged = true;
				ok = have(r->lib) && r->lib <= need;
				break;
			}
			if (judged && !r->verified)
				ok = false;
			if (judged)
				met = ok ? "yes" : "MISSED";
			if (judged && !ok && !markdown)
				note_missed("%s n=%llu: goal %s, ratio %s, lib %s ns%s%s%s",
					    op_name[op], n, goal, ratio, l,
					    r->verified ? "" : ", unverified", r->note ? ", " : "",
					    r->note ? r->note : "");
			if (!have(r->lib) && !have(r->kern) && !have(r->floor) && !r->note)
				continue;
			if (markdown)
				fprintf(f, "| %s | %llu | %s | %s | %s | %s | %s | %s |\n",
					op_name[op], n, l, k, fl, ratio, goal, met);
			else
				fprintf(f, "%-21s %9llu %10s %10s %9s %8s %-16s %s%s%s\n",
					op_name[op], n, l, k, fl, ratio, goal, met,
					r->note ? "  " : "", r->note ? r->note : "");
		}
	}
	/* O(log n): from 10k to 10M no operation may grow more than find_vma. */
	int a = find_size(10000), b = find_size(10000000);
	if (a >= 0 && b >= 0 && have(results[OP_FIND][a].lib) && have(results[OP_FIND][b].lib)) {
		double fg = results[OP_FIND][b].lib / results[OP_FIND][a].lib;
		for (int op = OP_MMAP; op < NOPS; op++) {
			struct result *ra = &results[op][a], *rb = &results[op][b];
			if (!have(ra->lib) || !have(rb->lib))
				continue;
			double g = rb->lib / ra->lib;
			bool ok = g <= fg;
			if (markdown)
				fprintf(f, "| %s growth 10k->10M | | | | | %.2fx "
					   "| <= find_vma %.2fx | %s |\n",
					op_name[op], g, fg, ok ? "yes" : "MISSED");
			else
				fprintf(f, "%-21s %9s %10s %10s %9s %7.2fx <= find %5.2fx  %s\n",
					op_name[op], "10k->10M", "growth", "", "", g, fg,
					ok ? "yes" : "MISSED");
			if (!ok && !markdown)
				note_missed("%s: grows %.2fx from 10k to 10M VMAs, find_vma %.2fx",
					    op_name[op], g, fg);
		}
	}
	bool bok = have(bytes_per_vma) && bytes_per_vma <= 96;
	char bb[32];
	fmt_ns(bb, sizeof(bb), bytes_per_vma);
	if (markdown)
		fprintf(f, "| bytes per VMA | 1000000 | %s | ~222 | | | <= 96 | %s |\n", bb,
			bok ? "yes" : "MISSED");
	else
		fprintf(f, "%-21s %9s %10s %10s %9s %8s %-16s %s  (all bytes the library holds; "
			   "RSS grew %.1f)\n",
			"bytes_per_vma", "1000000", bb, "~222", "", "", "<= 96",
			bok ? "yes" : "MISSED", bytes_per_vma_rss);
	if (!bok && !markdown)
		note_missed("bytes_per_vma at n=1000000: %s bytes, goal <= 96",
			    have(bytes_per_vma) ? bb : "not measured (1M not among the sizes)");
	bool rok = have(replay_lps) && replay_lps >= 1e6;
	char rb[32] = "-";
	if (have(replay_lps))
		snprintf(rb, sizeof(rb), "%.0f", replay_lps);
	if (markdown)
		fprintf(f, "| replay lines/s | | %s | | | | >= 1000000 | %s |\n", rb,
			rok ? "yes" : "MISSED");
	else
		fprintf(f, "%-21s %9s %10s %10s %9s %8s %-16s %s  %s\n", "replay_lines_per_s",
			"", rb, "", "", "", ">= 1e6 lines/s", rok ? "yes" : "MISSED",
			replay_note);
	if (!rok && !markdown)
		note_missed("replay: %s lines/s, goal >= 1e6 (%s)", rb, replay_note);
	/* --explain has no goal: the price of saying every decision */
	char eb[32] = "-";
	if (have(replay_explain_lps))
		snprintf(eb, sizeof(eb), "%.0f", replay_explain_lps);
	if (markdown)
		fprintf(f, "| replay --explain lines/s | | %s | | | | (none) | |\n", eb);
	else
		fprintf(f, "%-21s %9s %10s %10s %9s %8s %-16s %s  %s\n", "replay_explain_lines_s",
			"", eb, "", "", "", "(no goal)", "", replay_explain_note);
	char hb[32] = "-";
	if (have(replay_html_lps))
		snprintf(hb, sizeof(hb), "%.0f", replay_html_lps);
	if (markdown)
		fprintf(f, "| replay --html lines/s | | %s | | | | report | %s |\n", hb,
			replay_html_note);
	else
		fprintf(f, "%-21s %9s %10s %10s %9s %8s %-16s %s  %s\n", "replay_html_lines/s",
			"100000", hb, "", "", "", "report", "-", replay_html_note);
	print_exec_rows(f, markdown);
}

/* The execve rows: ratio = kernel / library, the goal on fork + execve +
 * exit; the exec stop and the host's files are for comparison. */
static void print_exec_rows(FILE *f, bool markdown)
{
	const struct exec_result *e = &exec_res;
	struct {
		const char *op;
		double lib, kern;
		const char *goal;
	} rows[3] = {
	    {"exec_fork_exit", e->lib_mem, e->kern_exit, ">= 10x kernel"},
	    {"exec_to_exec_stop", e->lib_mem, e->kern_stop, "-"},
	    {"exec_host_files", e->lib_host, e->kern_exit, "-"},
	};
	for (int i = 0; i < 3; i++) {
		char l[32], k[32], ratio[32] = "-";
		const char *met = "-";
		fmt_ns(l, sizeof(l), rows[i].lib);
		fmt_ns(k, sizeof(k), rows[i].kern);
		if (have(rows[i].lib) && have(rows[i].kern))
			snprintf(ratio, sizeof(ratio), "%.1fx", rows[i].kern / rows[i].lib);
		if (i == 0) {
			bool ok = have(rows[i].lib) && have(rows[i].kern) && e->verified &&
				  rows[i].kern / rows[i].lib >= 10;
			met = ok ? "yes" : "MISSED";
			if (!ok && !markdown)
				note_missed("exec: fork+execve+exit ratio %s, goal >= 10x%s%s%s", ratio,
					    e->verified ? "" : ", unverified", e->note[0] ? ", " : "",
					    e->note);
		}
		if (markdown)
			fprintf(f, "| %s | | %s | %s | | %s | %s | %s |\n", rows[i].op, l, k, ratio,
				rows[i].goal, met);
		else
			fprintf(f, "%-21s %9s %10s %10s %9s %8s %-16s %s%s%s\n", rows[i].op, "", l, k,
				"", ratio, rows[i].goal, met, i == 0 && e->note[0] ? "  " : "",
				i == 0 ? e->note : "");
	}
	bool rok = have(replay_exec_lps) && replay_exec_lps >= 1e6;
	char rb[32] = "-";
	if (have(replay_exec_lps))
		snprintf(rb, sizeof(rb), "%.0f", replay_exec_lps);
	if (markdown)
		fprintf(f, "| replay exec-heavy lines/s | | %s | | | | >= 1000000 | %s |\n", rb,
			rok ? "yes" : "MISSED");
	else
		fprintf(f, "%-21s %9s %10s %10s %9s %8s %-16s %s  %s; %s\n", "replay_exec_lines_s",
			"", rb, "", "", "", ">= 1e6 lines/s", rok ? "yes" : "MISSED",
			replay_exec_note, replay_exec_made);
	if (!rok && !markdown)
		note_missed("replay of the exec-heavy log: %s lines/s, goal >= 1e6 (%s)", rb,
			    replay_exec_note[0] ? replay_exec_note : replay_exec_made);
}

static void json_num(FILE *f, double v)
{
	if (have(v))
		fprintf(f, "%.3f", v);
	else
		fprintf(f, "null");
}

static void machine_string(char *buf, size_t size, int cpu)
{
	size_t len;
	char model[128] = "unknown CPU";
	char *t = read_whole("/proc/cpuinfo", &len);
	if (t) {
		char *p = strstr(t, "model name");
		if (p && (p = strchr(p, ':'))) {
			p += 2;
			size_t n = strcspn(p, "\n");
			if (n >= sizeof(model))
				n = sizeof(model) - 1;
			memcpy(model, p, n);
			model[n] = '\0';
		}
		free(t);
	}
	struct utsname u;
	uname(&u);
	snprintf(buf, size, "%s, %ld CPUs, Linux %s, pinned to CPU %d", model,
		 sysconf(_SC_NPROCESSORS_ONLN), u.release, cpu);
	for (char *c = buf; *c; c++)
		if (*c == '"' || *c == '\\')
			*c = ' ';
}

static void write_json(const char *path, const char *machine)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		return;
	}
	fprintf(f, "{\"machine\": \"%s\", \"results\": [", machine);
	bool first = true;
	for (int op = 0; op < NOPS; op++) {
		for (unsigned si = 0; si < nsizes; si++) {
			struct result *r = &results[op][si];
			if (!have(r->lib) && !have(r->kern) && !have(r->floor))
				continue;
			fprintf(f, "%s\n  {\"op\": \"%s\", \"n\": %llu, \"lib_ns\": ",
				first ? "" : ",", op_name[op], (unsigned long long)sizes[si]);
			json_num(f, r->lib);
			fprintf(f, ", \"kernel_ns\": ");
			json_num(f, r->kern);
			fprintf(f, ", \"floor_ns\": ");
			json_num(f, r->floor);
			fprintf(f, ", \"verified\": %s}", r->verified ? "true" : "false");
			first = false;
		}
	}
	fprintf(f, "\n], \"bytes_per_vma\": ");
	json_num(f, bytes_per_vma);
	fprintf(f, ", \"replay_lines_per_s\": ");
	json_num(f, replay_lps);
	fprintf(f, ", \"replay_explain_lines_per_s\": ");
	json_num(f, replay_explain_lps);
	fprintf(f, ", \"replay_html_lines_per_s\": ");
	json_num(f, replay_html_lps);
	fprintf(f, ", \"exec\": {\"lib_ns\": ");
	json_num(f, exec_res.lib_mem);
	fprintf(f, ", \"lib_host_files_ns\": ");
	json_num(f, exec_res.lib_host);
	fprintf(f, ", \"kernel_fork_exec_exit_ns\": ");
	json_num(f, exec_res.kern_exit);
	fprintf(f, ", \"kernel_to_exec_stop_ns\": ");
	json_num(f, exec_res.kern_stop);
	fprintf(f, ", \"verified\": %s}", exec_res.verified ? "true" : "false");
	fprintf(f, ", \"replay_exec_lines_per_s\": ");
	json_num(f, replay_exec_lps);
	fprintf(f, ", \"all_verified\": %s, \"goals_missed\": %u}\n",
		all_verified ? "true" : "false", nmissed);
	fclose(f);
}

static void usage(void)
{
	fprintf(stderr, "usage: bench [--out FILE] [--vmspace PATH] [--trace FILE] "
			"[--exec-trace FILE] [--exec-prog PATH] [--sizes N,N,...] [--no-kernel] "
			"[--table-md FILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *out = "build/bench.json", *vmspace = "build/vmspace";
	const char *trace = "build/bench-trace.txt", *table_md = NULL;
	const char *exec_trace = "build/bench-exec-trace.txt", *exec_prog = "/usr/bin/true";
	bool kernel_ok = true;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--vmspace") && i + 1 < argc)
			vmspace = argv[++i];
		else if (!strcmp(argv[i], "--trace") && i + 1 < argc)
			trace = argv[++i];
		else if (!strcmp(argv[i], "--table-md") && i + 1 < argc)
			table_md = argv[++i];
		else if (!strcmp(argv[i], "--exec-trace") && i + 1 < argc)
			exec_trace = argv[++i];
		else if (!strcmp(argv[i], "--exec-prog") && i + 1 < argc)
			exec_prog = argv[++i];
		else if (!strcmp(argv[i], "--no-kernel"))
			kernel_ok = false;
		else if (!strcmp(argv[i], "--sizes") && i + 1 < argc) {
			char *p = argv[++i];
			nsizes = 0;
			while (*p && nsizes < MAX_SIZES) {
				sizes[nsizes++] = strtoull(p, &p, 10);
				if (*p == ',')
					p++;
			}
		} else {
			usage();
		}
	}
	/* ASLR off, as setarch -R does: the library then places mappings where
	 * the kernel does, and the two maps texts can be compared byte for byte. */
	int pers = personality(0xffffffff);
	if (pers != -1 && !(pers & ADDR_NO_RANDOMIZE) && !getenv("VMS_BENCH_REEXEC")) {
		setenv("VMS_BENCH_REEXEC", "1", 1);
		if (personality((unsigned long)pers | ADDR_NO_RANDOMIZE) != -1)
			execv("/proc/self/exe", argv);
	}
	/* One core for everything: the kernel-side child inherits it. */
	int cpu = sched_getcpu();
	if (cpu < 0)
		cpu = 0;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);

	main_pid = getpid();
	if (sysctl_read(MAX_MAP_COUNT, &mmc_orig))
		mmc_orig = 65530;
	mmc_now = mmc_orig;
	atexit(mmc_restore);
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV,
				   SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGPIPE};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], on_fatal);

	bench_pos = malloc((size_t)MAX_BATCHES * MAX_CALLS * sizeof(*bench_pos));
	if (!bench_pos)
		return 1;
	char machine[256];
	machine_string(machine, sizeof(machine), cpu);
	printf("vmspace bench: %s\n", machine);
	uint64_t t0 = now_ns();
	for (unsigned si = 0; si < nsizes; si++)
		run_size_isolated(si, kernel_ok);

	int crashed = 0;
	uint64_t lines = trace_generate(trace, 1000000, &crashed);
	if (lines)
	{
		replay_lps = trace_replay(vmspace, trace, NULL, lines, replay_note, sizeof(replay_note));
		replay_explain_lps = trace_replay(vmspace, trace, "--explain", lines,
						  replay_explain_note, sizeof(replay_explain_note));
	} else
		snprintf(replay_note, sizeof(replay_note), "could not write %s", trace);
	char html_trace[1024];
	snprintf(html_trace, sizeof(html_trace), "%s.100k", trace);
	int hcrashed = 0;
	uint64_t hlines = trace_generate(html_trace, 100000, &hcrashed);
	if (hlines) {
		replay_html_lps = trace_replay_html(vmspace, html_trace, hlines, replay_html_note,
						    sizeof(replay_html_note));
		unlink(html_trace);
	} else {
		snprintf(replay_html_note, sizeof(replay_html_note), "could not write %.200s",
			 html_trace);
	}
	if (crashed) {
		size_t l = strlen(replay_note);
		snprintf(replay_note + l, sizeof(replay_note) - l,
			 "; trace without mprotect: the library crashed (signal %d) making it",
			 crashed);
	}
	mmc_restore();

	/* execve: the library against the kernel, then the replay of a log of
	 * a shell loop that forks and execs. */
	if (kernel_ok) {
		exec_bench_isolated(exec_prog, &exec_res);
		if (!exec_res.verified)
			all_verified = false;
	} else {
		snprintf(exec_res.note, sizeof(exec_res.note), "--no-kernel");
	}
	uint64_t elines = exec_trace_generate(exec_trace, EXEC_TRACE_LINES, replay_exec_made,
					      sizeof(replay_exec_made));
	if (elines) {
		replay_exec_lps = exec_trace_replay(vmspace, exec_trace, elines, replay_exec_note,
						    sizeof(replay_exec_note));
		if (!have(replay_exec_lps))
			all_verified = false;
	}

	printf("\n");
	print_table(stdout, false);
	if (table_md) {
		FILE *f = fopen(table_md, "w");
		if (f) {
			print_table(f, true);
			fclose(f);
		}
	}
	printf("\n");
	for (unsigned i = 0; i < nmissed; i++)
		printf("MISSED: %s\n", missed[i]);
	if (!all_verified)
		printf("UNVERIFIED: some phase's maps differ from the kernel's (see above)\n");
	if (!nmissed && all_verified)
		printf("every goal met\n");
	printf("total %.0f s; summary in %s\n", (double)(now_ns() - t0) / 1e9, out);
	write_json(out, machine);
	return 0;
}
