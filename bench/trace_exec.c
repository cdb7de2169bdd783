/*
 * trace_exec.c: the exec-heavy replay part of `make bench`. Records with
 * strace(1) a shell loop whose every turn vforks a child that execs /bin/true
 * and forks one (a command substitution) that execs it too, makes a large log
 * of it by repeating one recorded turn with new pids, and times `vmspace
 * replay --check` on that log, which must match every call.
 *
 * Repeating a recorded turn, rather than recording a long loop, keeps the
 * benchmark short (strace slows each exec down to milliseconds) while every
 * line stays what this host's kernel printed: a turn's children are new
 * processes that exec the same binary from the same parent, so the model
 * must give them the same addresses again.
 *
 * Not here: the synthetic memory-call trace (trace.c), the exec timing
 * against the kernel (exec.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

/* The loop the log is recorded from: TURNS turns, in an empty environment so
 * that the log does not depend on whoever runs the benchmark. */
#define TURNS 8
#define LOOP "i=0; while [ $i -lt 8 ]; do /bin/true; x=$(/bin/true); i=$((i+1)); done"

struct lines {
	char **v;
	size_t n, cap;
};

static int lines_push(struct lines *l, char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		char **v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = s;
	return 0;
}

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static long pid_of(const char *s)
{
	char *end;
	long pid = strtol(s, &end, 10);
	return end != s && *end == ' ' ? pid : -1;
}

/* Does the line of pid start system call name? */
static bool is_call(const char *s, long pid, const char *name)
{
	if (pid_of(s) != pid)
		return false;
	while (*s != ' ')
		s++;
	while (*s == ' ')
		s++;
	size_t n = strlen(name);
	return !strncmp(s, name, n) && s[n] == '(';
}

static bool is_memory_line(const char *s)
{
	static const char *const mem[] = {"mmap", "munmap", "mprotect", "brk", "mremap",
					  "madvise"};
	const char *p = strchr(s, ' ');
	if (!p)
		return false;
	while (*p == ' ')
		p++;
	if (!strncmp(p, "<... ", 5))
		p += 5;
	for (size_t i = 0; i < sizeof(mem) / sizeof(mem[0]); i++) {
		size_t n = strlen(mem[i]);
		if (!strncmp(p, mem[i], n) && (p[n] == '(' || p[n] == ' '))
			return true;
	}
	return false;
}

/* Writes s with every mention of a child pid renamed: the line's own pid,
 * a result ("= PID" at the end: vfork, clone, wait4, getpid, rt_sigreturn)
 * and a SIGCHLD's si_pid. Nothing else in a line names a pid. */
static void put_renamed(FILE *f, const char *s, const long *from, const long *to, int n)
{
	long pid = pid_of(s);
	const char *rest = s;
	for (int k = 0; k < n; k++) {
		if (pid == from[k]) {
			fprintf(f, "%ld", to[k]);
			rest = strchr(s, ' ');
			break;
		}
	}
	const char *si = strstr(rest, "si_pid=");
	const char *eq = strrchr(rest, '=');
	long result = -1;
	if (eq && eq[1] == ' ') {
		char *end;
		result = strtol(eq + 2, &end, 10);
		if (end == eq + 2 || *end)
			eq = NULL;
	} else {
		eq = NULL;
	}
	if (si) {
		char *end;
		long v = strtol(si + 7, &end, 10);
		for (int k = 0; k < n; k++) {
			if (v == from[k]) {
				fprintf(f, "%.*s%ld", (int)(si + 7 - rest), rest, to[k]);
				rest = end;
				break;
			}
		}
	}
	if (eq) {
		for (int k = 0; k < n; k++) {
			if (result == from[k]) {
				fprintf(f, "%.*s %ld\n", (int)(eq + 1 - rest), rest, to[k]);
				return;
			}
		}
	}
	fprintf(f, "%s\n", rest);
}

/* Records the loop into rec (ASLR is off: the benchmark runs so). */
static int record(const char *rec, char *why, size_t why_size)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		char *const argv[] = {"strace", "-f", "-v", "-o", (char *)rec, "/bin/sh", "-c",
				      LOOP, NULL};
		char *const envp[] = {"PATH=/usr/bin:/bin", NULL};
		execve("/usr/bin/strace", argv, envp);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		snprintf(why, why_size, "strace -f of the shell loop failed (status %d%s)",
			 WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st),
			 WIFEXITED(st) && WEXITSTATUS(st) == 127 ? ": is strace installed?" : "");
		return -1;
	}
	return 0;
}

uint64_t exec_trace_generate(const char *path, uint64_t min_lines, char *why, size_t why_size)
{
	char rec[1024];
	snprintf(rec, sizeof(rec), "%s.rec", path);
	if (record(rec, why, why_size))
		return 0;
	FILE *in = fopen(rec, "r");
	struct lines l = {0};
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	uint64_t written = 0;
	while (in && (len = getline(&buf, &cap, in)) > 0) {
		if (buf[len - 1] == '\n')
			buf[len - 1] = '\0';
		char *s = strdup(buf);
		if (!s || lines_push(&l, s)) {
			free(s);
			break;
		}
	}
	free(buf);
	if (in)
		fclose(in);
	long parent = l.n ? pid_of(l.v[0]) : -1;
	/* The turns begin at the parent's vforks; the one to repeat is the
	 * last whole turn in which the parent itself makes no memory call (its
	 * results would not repeat). */
	size_t starts[TURNS + 2];
	int nstarts = 0;
	for (size_t i = 0; i < l.n && nstarts < TURNS + 2; i++)
		if (is_call(l.v[i], parent, "vfork"))
			starts[nstarts++] = i;
	size_t from = 0, to = 0;
	for (int t = nstarts - 2; t >= 1 && !to; t--) {
		bool ok = true;
		for (size_t i = starts[t]; i < starts[t + 1] && ok; i++)
			ok = pid_of(l.v[i]) != parent || !is_memory_line(l.v[i]);
		if (ok) {
			from = starts[t];
			to = starts[t + 1];
		}
	}
	if (parent < 0 || !to) {
		snprintf(why, why_size, "%s: no turn of the loop to repeat (%d found)", rec,
			 nstarts);
		lines_free(&l);
		return 0;
	}
	/* The turn's children, and a pid range no line of the log uses. */
	long kids[8], names[8], maxpid = parent;
	int nkids = 0;
	for (size_t i = 0; i < l.n; i++) {
		long p = pid_of(l.v[i]);
		if (p > maxpid)
			maxpid = p;
		if (i < from || i >= to || p == parent || p < 0)
			continue;
		int k = 0;
		while (k < nkids && kids[k] != p)
			k++;
		if (k == nkids && nkids < 8)
			kids[nkids++] = p;
	}
	FILE *f = fopen(path, "w");
	if (!f) {
		snprintf(why, why_size, "cannot write %s", path);
		lines_free(&l);
		return 0;
	}
	static char iobuf[1 << 20];
	setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));
	uint64_t turn_lines = to - from, copies = 0;
	for (size_t i = 0; i < from; i++)
		fprintf(f, "%s\n", l.v[i]);
	written = l.n;
	for (long next = maxpid + 1; written < min_lines; copies++) {
		for (int k = 0; k < nkids; k++)
			names[k] = next++;
		for (size_t i = from; i < to; i++)
			put_renamed(f, l.v[i], kids, names, nkids);
		written += turn_lines;
	}
	for (size_t i = from; i < l.n; i++)
		fprintf(f, "%s\n", l.v[i]);
	if (fclose(f)) {
		snprintf(why, why_size, "cannot write %s", path);
		written = 0;
	} else {
		snprintf(why, why_size, "turn of %llu lines (%d processes) repeated %llu times",
			 (unsigned long long)turn_lines, nkids, (unsigned long long)copies);
	}
	lines_free(&l);
	return written;
}

/* Runs argv with stdout to outpath and stderr to errpath; its exit status,
 * or -1. */
static int run_to(char *const argv[], const char *outpath, const char *errpath, double *cpu)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int o = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (o >= 0)
			dup2(o, 1);
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

double exec_trace_replay(const char *vmspace, const char *path, uint64_t lines, char *why,
			 size_t why_size)
{
	char outpath[1024], errpath[1024];
	snprintf(outpath, sizeof(outpath), "%s.out", path);
	snprintf(errpath, sizeof(errpath), "%s.log", path);
	char *argv[] = {(char *)vmspace, "replay", "--check", (char *)path, NULL};
	/* The fastest of three runs: on a shared machine a run's wall time
	 * also counts the time it waited for a core. Each is checked. */
	double secs = 0, cpu = 0;
	int st = 0;
	for (int run = 0; run < 3 && st == 0; run++) {
		double c = 0;
		uint64_t t0 = now_ns();
		st = run_to(argv, outpath, errpath, &c);
		double w = (double)(now_ns() - t0) / 1e9;
		if (run == 0 || w < secs) {
			secs = w;
			cpu = c;
		}
	}
	/* The work is checked: every memory call matched the log's result. */
	unsigned long long calls = 0, matched = 0, diverged = 0, unsupported = 0;
	FILE *f = fopen(outpath, "r");
	char line[512];
	bool summary = false;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "replayed %llu calls: %llu matched, %llu diverged, %llu unsupported",
			   &calls, &matched, &diverged, &unsupported) == 4)
			summary = true;
	if (f)
		fclose(f);
	if (st != 0 || !summary || !calls || matched != calls) {
		snprintf(why, why_size,
			 "`vmspace replay --check` exited with %d: %llu of %llu calls matched, "
			 "%llu diverged, %llu unsupported (see %s, %s)",
			 st, matched, calls, diverged, unsupported, outpath, errpath);
		return -1;
	}
	snprintf(why, why_size,
		 "%llu lines, %llu memory calls all matched, in %.2f s, the fastest of 3 runs "
		 "(%.2f s of CPU: %.0f lines/s)",
		 (unsigned long long)lines, calls, secs, cpu, cpu > 0 ? (double)lines / cpu : 0.0);
	return (double)lines / secs;
}
