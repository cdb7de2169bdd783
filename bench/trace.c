/*
 * trace.c: the replay part of `make bench`. Writes a large synthetic strace(1)
 * text of mmap/munmap/mprotect/MAP_FIXED calls whose results come from the
 * library itself (so a faithful replay agrees with every line), then times
 * `vmspace replay` on it, on the benchmark's core.
 *
 * Not here: parsing strace output (cli/strace_parse.c) or the replay itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmspace.h"
#include "bench.h"

#pragma weak vms_mprotect

#define LIVE_MAX 4096

struct live {
	uint64_t addr, len;
};

static const char *prot_text(int prot)
{
	switch (prot) {
	case VMS_PROT_READ:
		return "PROT_READ";
	case VMS_PROT_READ | VMS_PROT_WRITE:
		return "PROT_READ|PROT_WRITE";
	default:
		return "PROT_NONE";
	}
}

static uint64_t generate(const char *path, uint64_t lines, bool with_mprotect)
{
	FILE *f = fopen(path, "w");
	vms_sys *sys = vms_sys_new();
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE};
	vms_mm *mm = sys ? vms_mm_new(sys, &cfg) : NULL;
	struct live *live = malloc(LIVE_MAX * sizeof(*live));
	uint64_t written = 0, s = 0x5eed;
	unsigned nlive = 0;
	if (!f || !mm || !live)
		goto out;
	static char iobuf[1 << 20];
	setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));
	while (written < lines) {
		unsigned r = (unsigned)(rng_next(&s) % 100);
		if (nlive < 64 || (r < 45 && nlive < LIVE_MAX)) {
			uint64_t len = (1 + rng_next(&s) % 16) * BENCH_PAGE;
			int prot = (r & 1) ? VMS_PROT_READ : VMS_PROT_READ | VMS_PROT_WRITE;
			long a = vms_mmap(mm, 0, len, prot, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS,
					  NULL, 0);
			if (a < 0)
				break;
			fprintf(f,
				"mmap(NULL, %llu, %s, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = %#lx\n",
				(unsigned long long)len, prot_text(prot), a);
			live[nlive++] = (struct live){(uint64_t)a, len};
		} else if (r < 80) {
			unsigned i = (unsigned)(rng_next(&s) % nlive);
			long ret = vms_munmap(mm, live[i].addr, live[i].len);
			fprintf(f, "munmap(%#llx, %llu) = %ld\n", (unsigned long long)live[i].addr,
				(unsigned long long)live[i].len, ret);
			live[i] = live[--nlive];
		} else if (r < 90 && with_mprotect) {
			unsigned i = (unsigned)(rng_next(&s) % nlive);
			int prot = (r & 1) ? VMS_PROT_READ : VMS_PROT_NONE;
			long ret = vms_mprotect(mm, live[i].addr, BENCH_PAGE, (unsigned)prot);
			fprintf(f, "mprotect(%#llx, %llu, %s) = %ld\n",
				(unsigned long long)live[i].addr, (unsigned long long)BENCH_PAGE,
				prot_text(prot), ret);
		} else {
			unsigned i = (unsigned)(rng_next(&s) % nlive);
			long a = vms_mmap(mm, live[i].addr, BENCH_PAGE, VMS_PROT_READ,
					  VMS_MAP_PRIVATE | VMS_MAP_FIXED | VMS_MAP_ANONYMOUS, NULL,
					  0);
			fprintf(f,
				"mmap(%#llx, %llu, PROT_READ, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, "
				"-1, 0) = %#lx\n",
				(unsigned long long)live[i].addr,
				(unsigned long long)BENCH_PAGE, a);
		}
		written++;
	}
out:
	if (f && fclose(f))
		written = 0;
	free(live);
	vms_sys_free(sys);
	return written;
}

static uint64_t count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	uint64_t n = 0;
	int c;
	if (!f)
		return 0;
	while ((c = getc_unlocked(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* In a child process: the library is young, and a crash while generating must
 * not end the benchmark. */
static int generate_isolated(const char *path, uint64_t lines, bool with_mprotect)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(generate(path, lines, with_mprotect) == lines ? 0 : 1);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFSIGNALED(st))
		return WTERMSIG(st);
	return WEXITSTATUS(st) ? -1 : 0;
}

uint64_t trace_generate(const char *path, uint64_t lines, int *crashed)
{
	*crashed = 0;
	int r = generate_isolated(path, lines, vms_mprotect != NULL);
	if (r > 0) {
		*crashed = r;
		r = generate_isolated(path, lines, false);
	}
	return r == 0 ? count_lines(path) : 0;
}

/* Runs argv with stdout to /dev/null and stderr to errpath; returns the exit
 * status, or -1. */
/* *cpu: the child's user + system time in seconds: on a machine shared with
 * other work the wall time of a replay is mostly waiting for a core, so the
 * CPU time is given beside it. */
static int run(char *const argv[], const char *errpath, double *cpu)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		int e = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			dup2(fd, 1);
		if (e >= 0)
			dup2(e, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	int st;
	struct rusage ru;
	while (wait4(pid, &st, 0, &ru) < 0)
		if (errno != EINTR)
			return -1;
	*cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

double trace_replay(const char *vmspace, const char *path, const char *opt, uint64_t lines,
		    char *why, size_t why_size)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "'%s' --help 2>&1", vmspace);
	FILE *p = popen(cmd, "r");
	char help[4096] = "";
	size_t n = p ? fread(help, 1, sizeof(help) - 1, p) : 0;
	help[n] = '\0';
	if (p)
		pclose(p);
	if (!strstr(help, "replay")) {
		snprintf(why, why_size, "`%s replay` does not exist yet", vmspace);
		return -1;
	}
	char errpath[1024];
	snprintf(errpath, sizeof(errpath), "%s%s.log", path, opt ? opt : "");
	char *argv[] = {(char *)vmspace, "replay", (char *)(opt ? opt : path), (char *)path, NULL};
	if (!opt)
		argv[3] = NULL;
	/* The fastest of three runs: on a shared machine a run's wall time
	 * also counts the time it waited for a core. */
	double secs = 0, cpu = 0;
	int st = 0;
	for (int r = 0; r < 3 && st == 0; r++) {
		double c = 0;
		uint64_t t0 = now_ns();
		st = run(argv, errpath, &c);
		double w = (double)(now_ns() - t0) / 1e9;
		if (r == 0 || w < secs) {
			secs = w;
			cpu = c;
		}
	}
	if (st != 0) {
		snprintf(why, why_size, "`vmspace replay%s%s` exited with %d (see %s)", opt ? " " : "",
			 opt ? opt : "", st, errpath);
		return -1;
	}
	snprintf(why, why_size,
		 "%llu lines in %.2f s, the fastest of 3 runs (%.2f s of CPU: %.0f lines/s)",
		 (unsigned long long)lines, secs, cpu, cpu > 0 ? (double)lines / cpu : 0.0);
	return (double)lines / secs;
}

double trace_replay_html(const char *vmspace, const char *path, uint64_t lines, char *why,
			 size_t why_size)
{
	char errpath[1024], page[1024];
	snprintf(errpath, sizeof(errpath), "%s.html.log", path);
	snprintf(page, sizeof(page), "%s.html", path);
	char *argv[] = {(char *)vmspace, "replay", "--html", page, (char *)path, NULL};
	uint64_t t0 = now_ns();
	double cpu = 0;
	int st = run(argv, errpath, &cpu);
	double secs = (double)(now_ns() - t0) / 1e9;
	struct stat sb;
	long long bytes = stat(page, &sb) == 0 ? (long long)sb.st_size : -1;
	unlink(page);
	if (st != 0) {
		snprintf(why, why_size, "`vmspace replay --html` exited with %d (see %s)", st,
			 errpath);
		return -1;
	}
	snprintf(why, why_size, "%llu lines in %.2f s (%.2f s of CPU), a page of %.1f MB",
		 (unsigned long long)lines, secs, cpu, (double)bytes / 1e6);
	return (double)lines / secs;
}
