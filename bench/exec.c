/*
 * exec.c: the execve part of `make bench`. Times the library's fork + execve
 * + exit of a dynamically linked program with its interpreter (vms_fork of a
 * model of this process, vms_execve, vms_mm_free of both) against the live
 * kernel's fork + execve + exit + waitpid of the same program, in the same
 * run on the same core, and checks that the model builds what the kernel
 * builds: its maps right after the exec must equal the kernel's at the exec
 * stop (a ptrace'd child), byte for byte.
 *
 * The library reads the program and its interpreter from memory (a
 * vms_exec_fs serving what the host's files said, read once before timing),
 * so that the figure is the library's time and not the host's stat and
 * read calls; the same exec through the host's files is timed as well.
 * The kernel's figure includes what the program does until it exits (ld.so
 * maps libc, the program runs): it is also timed to the exec stop, where
 * the child is killed before running anything, which is the stricter
 * comparison.
 *
 * Not here: the replay of exec-heavy logs (trace_exec.c), any change to the
 * library.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmspace.h"
#include "bench.h"

#define EXEC_BATCHES 11
#define EXEC_KERNEL_CALLS 20
#define EXEC_LIB_CALLS 200

static char *const exec_envp[] = {"PATH=/usr/bin:/bin", NULL};

/* ---- the files exec read, kept in memory ---- */

struct memfile {
	char *asked;     /* the path stat was given */
	int rc;          /* what the host's stat said */
	struct vms_exec_stat st;
	char *canonical;
	uint8_t *data;   /* the whole file, once read */
	size_t size;
};

struct memfs {
	struct memfile f[16];
	int n;
	int recording; /* ask the host and keep what it says, else serve */
};

static struct memfile *memfs_find(struct memfs *m, const char *path, int canonical)
{
	for (int i = 0; i < m->n; i++) {
		const char *name = canonical ? m->f[i].canonical : m->f[i].asked;
		if (name && !strcmp(name, path))
			return &m->f[i];
	}
	return NULL;
}

static int memfs_stat(void *arg, const char *path, struct vms_exec_stat *st, char *canonical,
		      size_t size)
{
	struct memfs *m = arg;
	struct memfile *f = memfs_find(m, path, 0);
	if (!f && m->recording && m->n < 16) {
		const struct vms_exec_fs *host = vms_exec_host_fs();
		char canon[4096];
		f = &m->f[m->n++];
		memset(f, 0, sizeof(*f));
		f->asked = strdup(path);
		f->rc = host->stat(host->arg, path, &f->st, canon, sizeof(canon));
		if (!f->rc)
			f->canonical = strdup(canon);
	}
	if (!f)
		return -VMS_ENOENT;
	if (f->rc)
		return f->rc;
	*st = f->st;
	snprintf(canonical, size, "%s", f->canonical);
	return 0;
}

static long memfs_read(void *arg, const char *canonical, uint64_t off, void *buf, size_t len)
{
	struct memfs *m = arg;
	struct memfile *f = memfs_find(m, canonical, 1);
	if (!f)
		return -VMS_ENOENT;
	if (!f->data && m->recording) {
		/* The whole file, so that any read exec makes is served. */
		const struct vms_exec_fs *host = vms_exec_host_fs();
		f->data = malloc(f->st.size ? f->st.size : 1);
		long r = f->data ? host->read(host->arg, canonical, 0, f->data, f->st.size) : -1;
		if (r < 0) {
			free(f->data);
			f->data = NULL;
			return r;
		}
		f->size = (size_t)r;
	}
	if (!f->data)
		return -VMS_EIO;
	if (off >= f->size)
		return 0;
	if (len > f->size - off)
		len = (size_t)(f->size - off);
	memcpy(buf, f->data + off, len);
	return (long)len;
}

static void memfs_free(struct memfs *m)
{
	for (int i = 0; i < m->n; i++) {
		free(m->f[i].asked);
		free(m->f[i].canonical);
		free(m->f[i].data);
	}
	m->n = 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (cap - n < 4096) {
			char *nb = realloc(buf, cap ? cap * 2 : 65536);
			if (!nb)
				break;
			buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

/* ---- the kernel side ---- */

/* fork, execve, the program runs and exits, waitpid: ns per round, or -1. */
static double kernel_fork_exec_exit(const char *prog, char *const argv[], unsigned calls)
{
	uint64_t t0 = now_ns();
	for (unsigned i = 0; i < calls; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0) {
			execve(prog, argv, exec_envp);
			_exit(127);
		}
		int st;
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR)
				return -1;
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			return -1;
	}
	return (double)(now_ns() - t0) / calls;
}

/* fork, execve to the exec stop (ptrace), SIGKILL, waitpid: ns per round,
 * or -1. With maps set, the first child's /proc/PID/maps at the stop. */
static double kernel_exec_stop(const char *prog, char *const argv[], unsigned calls, char **maps)
{
	uint64_t t0 = now_ns();
	for (unsigned i = 0; i < calls; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0) {
			if (ptrace(PTRACE_TRACEME, 0, 0, 0) == 0)
				execve(prog, argv, exec_envp);
			_exit(127);
		}
		int st;
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR)
				return -1;
		if (!WIFSTOPPED(st))
			return -1;
		if (maps && i == 0) {
			char path[64];
			snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
			*maps = slurp(path);
		}
		kill(pid, SIGKILL);
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR)
				return -1;
	}
	return (double)(now_ns() - t0) / calls;
}

/* ---- the library side ---- */

struct lib_side {
	vms_sys *sys;
	vms_mm *parent; /* a model of this process, which forks */
	struct vms_mm_config cfg;
	struct vms_exec_args args;
};

/* fork, execve, exit of both: ns per round, or -1 if a call failed. */
static double lib_fork_exec_exit(struct lib_side *l, unsigned calls)
{
	uint64_t t0 = now_ns();
	for (unsigned i = 0; i < calls; i++) {
		int ferr;
		long err;
		vms_mm *child = vms_fork(l->parent, &ferr);
		vms_mm *mm = child ? vms_execve(l->sys, child, &l->cfg, &l->args, NULL, &err) : NULL;
		vms_mm_free(child);
		if (!mm)
			return -1;
		vms_mm_free(mm);
	}
	return (double)(now_ns() - t0) / calls;
}

static double median_of(double (*one)(void *), void *arg, unsigned batches)
{
	double v[MAX_BATCHES];
	for (unsigned b = 0; b < batches; b++) {
		v[b] = one(arg);
		if (v[b] < 0)
			return -1;
	}
	return median(v, batches);
}

struct kargs {
	const char *prog;
	char *const *argv;
};
static double one_kernel_exit(void *a)
{
	struct kargs *k = a;
	return kernel_fork_exec_exit(k->prog, k->argv, EXEC_KERNEL_CALLS);
}
static double one_kernel_stop(void *a)
{
	struct kargs *k = a;
	return kernel_exec_stop(k->prog, k->argv, EXEC_KERNEL_CALLS, NULL);
}
static double one_lib(void *a)
{
	return lib_fork_exec_exit(a, EXEC_LIB_CALLS);
}

/* Where the two maps texts first differ, for the report. */
static void show_first_difference(const char *k, const char *l)
{
	size_t i = 0;
	while (k[i] && k[i] == l[i])
		i++;
	while (i && k[i - 1] != '\n')
		i--;
	fprintf(stderr, "    kernel:  %.*s\n    library: %.*s\n", (int)strcspn(k + i, "\n"), k + i,
		(int)strcspn(l + i, "\n"), l + i);
}

int exec_bench(const char *prog, struct exec_result *r)
{
	memset(r, 0, sizeof(*r));
	r->lib_mem = r->lib_host = r->kern_exit = r->kern_stop = -1;
	char *const argv[] = {(char *)prog, NULL};
	if (access(prog, X_OK)) {
		snprintf(r->note, sizeof(r->note), "%s is not on this host", prog);
		return -1;
	}
	struct lib_side l;
	memset(&l, 0, sizeof(l));
	struct memfs mfs = {.recording = 1};
	struct vms_exec_fs efs = {&mfs, memfs_stat, memfs_read};
	char *maps = slurp("/proc/self/maps"), *kmaps = NULL;
	int bad = 0, rc = -1;
	l.sys = vms_sys_new();
	if (!l.sys || !maps)
		goto out;
	/* The model decides as this host's kernel does, for a process with
	 * this one's limits, ASLR off as the whole benchmark runs. */
	vms_sys_probe_host(l.sys);
	l.cfg.personality = VMS_ADDR_NO_RANDOMIZE;
	vms_host_mm_config(&l.cfg);
	l.parent = vms_mm_new(l.sys, &l.cfg);
	if (!l.parent || vms_mm_import_maps(l.parent, maps, 0, &bad)) {
		snprintf(r->note, sizeof(r->note), "cannot import this process's maps (line %d)",
			 bad);
		goto out;
	}
	l.args = (struct vms_exec_args){prog, (const char *const *)argv,
					(const char *const *)exec_envp, &efs, NULL, NULL};

	/* The check: the model's exec is the kernel's, maps byte for byte
	 * (and the first exec fills the memory file system). */
	long err = 0;
	vms_mm *mm = vms_execve(l.sys, NULL, &l.cfg, &l.args, NULL, &err);
	mfs.recording = 0;
	if (kernel_exec_stop(prog, argv, 1, &kmaps) < 0 || !kmaps) {
		snprintf(r->note, sizeof(r->note), "the kernel's exec of %s did not stop", prog);
		vms_mm_free(mm);
		goto out;
	}
	char why[160];
	if (!mm) {
		snprintf(r->note, sizeof(r->note), "vms_execve(%s) failed: %s", prog,
			 vms_strerror(err));
	} else if (vms_validate(mm, why, sizeof(why))) {
		snprintf(r->note, sizeof(r->note), "vms_validate after exec: %s", why);
	} else {
		size_t n = vms_maps_text(mm, NULL, 0);
		char *lm = malloc(n + 1);
		if (lm) {
			vms_maps_text(mm, lm, n + 1);
			r->verified = !strcmp(lm, kmaps);
			if (!r->verified) {
				fprintf(stderr, "  VERIFY exec %s: maps differ from the kernel's\n",
					prog);
				show_first_difference(kmaps, lm);
				snprintf(r->note, sizeof(r->note),
					 "the model's maps after exec differ from the kernel's");
			}
			free(lm);
		}
	}
	vms_mm_free(mm);
	r->interp = mfs.n > 1;

	/* The kernel, twice, then the library from memory and from the host's
	 * files; each side's batches back to back, so that each is warm. */
	struct kargs ka = {prog, argv};
	r->kern_exit = median_of(one_kernel_exit, &ka, EXEC_BATCHES);
	r->kern_stop = median_of(one_kernel_stop, &ka, EXEC_BATCHES);
	r->lib_mem = median_of(one_lib, &l, EXEC_BATCHES);
	l.args.fs = NULL;
	r->lib_host = median_of(one_lib, &l, EXEC_BATCHES);
	if (r->kern_exit < 0 || r->kern_stop < 0)
		snprintf(r->note, sizeof(r->note), "the kernel's fork+execve of %s failed", prog);
	if (r->lib_mem < 0 || r->lib_host < 0)
		snprintf(r->note, sizeof(r->note), "a library fork+execve of %s failed", prog);
	rc = r->verified && r->kern_exit > 0 && r->lib_mem > 0 ? 0 : -1;
out:
	free(maps);
	free(kmaps);
	memfs_free(&mfs);
	vms_sys_free(l.sys);
	return rc;
}
