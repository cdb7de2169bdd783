/*
 * exec_kdiff.c: execve on the live kernel and on the model, side by side
 * (see exec_kdiff.h). The kernel side is a forked child that asks to be
 * traced, sets its personality and execs; the kernel stops it with SIGTRAP
 * right after a successful execve, before its first instruction, which is
 * when the address space is exactly what exec built. A failed execve is
 * reported through a close-on-exec pipe.
 */
#if defined(__linux__) && defined(__x86_64__)
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec_kdiff.h"

static char *slurp(const char *path, size_t *len_out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 8192, len = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		if (len == cap) {
			char *n = realloc(buf, 2 * cap + 1);
			if (!n) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = n;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (buf)
		buf[len] = '\0';
	if (len_out)
		*len_out = len;
	return buf;
}

/* The child's state changes (struct ek_state), with the raw system calls
 * the model replays: 0 or -errno. */
static int apply_state(const struct ek_state *st)
{
	if (!st)
		return 0;
	if (st->persona) {
		int cur = personality(0xffffffff);
		if (cur == -1 || personality((unsigned long)cur | st->persona) == -1)
			return -errno;
	}
	if (st->drop_cap >= 0) {
		struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
		struct __user_cap_data_struct d[2];
		if (syscall(SYS_capget, &h, d))
			return -errno;
		d[st->drop_cap / 32].effective &= ~(1u << (st->drop_cap % 32));
		d[st->drop_cap / 32].permitted &= ~(1u << (st->drop_cap % 32));
		if (syscall(SYS_capset, &h, d))
			return -errno;
	}
	if (st->euid >= 0 && syscall(SYS_setresuid, -1, st->euid, -1))
		return -errno;
	if (st->mdwe && prctl(65 /* PR_SET_MDWE */, st->mdwe, 0, 0, 0))
		return -errno;
	return 0;
}

int ek_kernel_exec(const char *filename, char *const argv[], char *const envp[], int aslr,
		   struct ek_kernel *out, char *why, size_t why_size)
{
	return ek_kernel_exec_state(filename, argv, envp, aslr, NULL, out, why, why_size);
}

int ek_kernel_exec_state(const char *filename, char *const argv[], char *const envp[], int aslr,
			 const struct ek_state *st, struct ek_kernel *out, char *why,
			 size_t why_size)
{
	memset(out, 0, sizeof(*out));
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC)) {
		snprintf(why, why_size, "pipe: %s", strerror(errno));
		return -1;
	}
	int pers = personality(0xffffffff);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(why, why_size, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		int e = 0;
		unsigned long np = (unsigned long)(pers < 0 ? 0 : pers) & ~(unsigned long)ADDR_NO_RANDOMIZE;
		if (!aslr)
			np |= ADDR_NO_RANDOMIZE;
		if (personality(np) == -1 || ptrace(PTRACE_TRACEME, 0, 0, 0) == -1) {
			e = -errno;
		} else if ((e = apply_state(st)) != 0) {
			/* reported as the setup's failure */
		} else {
			execve(filename, argv, envp);
			e = errno;
		}
		if (write(pfd[1], &e, sizeof(e)) < 0)
			_exit(126);
		_exit(127);
	}
	close(pfd[1]);
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			snprintf(why, why_size, "waitpid: %s", strerror(errno));
			close(pfd[0]);
			return -1;
		}
	}
	int e = 0;
	ssize_t n = read(pfd[0], &e, sizeof(e));
	close(pfd[0]);
	if (!WIFSTOPPED(status)) {
		if (n == (ssize_t)sizeof(e) && e > 0) {
			out->err = e;
			return 0;
		}
		if (n == (ssize_t)sizeof(e) && e < 0) {
			snprintf(why, why_size,
				 "ptrace(PTRACE_TRACEME)/personality/the state changes: %s",
				 strerror(-e));
			return -1;
		}
		/* Past the point of no return the kernel kills the child. */
		out->err = WIFSIGNALED(status) ? -1 : -2;
		out->killed = 1;
		return 0;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	out->maps = slurp(path, NULL);
	snprintf(path, sizeof(path), "/proc/%d/auxv", (int)pid);
	size_t alen = 0;
	char *aux = slurp(path, &alen);
	if (aux) {
		for (size_t i = 0; i + 16 <= alen && out->nauxv < 64; i += 16) {
			memcpy(out->auxv[out->nauxv], aux + i, 16);
			if (out->auxv[out->nauxv++][0] == 0)
				break;
		}
		free(aux);
	}
	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETREGS, pid, 0, &regs) == 0) {
		out->rip = regs.rip;
		out->rsp = regs.rsp;
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!out->maps) {
		snprintf(why, why_size, "cannot read %s", path);
		return -1;
	}
	return 0;
}

void ek_kernel_free(struct ek_kernel *k)
{
	free(k->maps);
	k->maps = NULL;
}

int ek_model_exec(vms_sys *sys, const char *filename, char *const argv[], char *const envp[],
		  int aslr, uint64_t seed, struct ek_model *out)
{
	return ek_model_exec_state(sys, filename, argv, envp, aslr, seed, NULL, out);
}

int ek_model_exec_state(vms_sys *sys, const char *filename, char *const argv[],
			char *const envp[], int aslr, uint64_t seed, const struct ek_state *st,
			struct ek_model *out)
{
	memset(out, 0, sizeof(*out));
	int own = !sys;
	if (own) {
		sys = vms_sys_new();
		if (!sys)
			return -1;
		vms_sys_probe_host(sys);
	}
	struct vms_mm_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	vms_host_mm_config(&cfg);
	int pers = personality(0xffffffff);
	cfg.personality = (unsigned)(pers < 0 ? 0 : pers) & ~(unsigned)VMS_ADDR_NO_RANDOMIZE;
	if (!aslr)
		cfg.personality |= VMS_ADDR_NO_RANDOMIZE;
	cfg.seed = seed;
	struct vms_exec_args args = {filename, (const char *const *)argv,
				     (const char *const *)envp, NULL, NULL, NULL};
	/* With a state, the process the exec starts from: this process's
	 * config, then the same changes the kernel's child made. */
	vms_mm *old = NULL;
	if (st) {
		old = vms_mm_new(sys, &cfg);
		if (!old) {
			out->err = -VMS_ENOMEM;
			goto done;
		}
		if (st->persona)
			vms_personality(old, (uint64_t)vms_personality(old, 0xffffffff) | st->persona);
		if (st->drop_cap >= 0) {
			struct vms_cap_data d;
			vms_capget(old, VMS_CAP_VERSION_3, 0, 1, &d, NULL);
			d.effective &= ~(1ULL << st->drop_cap);
			d.permitted &= ~(1ULL << st->drop_cap);
			vms_capset(old, VMS_CAP_VERSION_3, 0, 1, &d);
		}
		if (st->euid >= 0)
			vms_setresuid(old, (uint32_t)-1, (uint32_t)st->euid, (uint32_t)-1);
		if (st->mdwe)
			vms_prctl(old, VMS_PR_SET_MDWE, st->mdwe, 0, 0, 0);
	}
	vms_mm *mm = vms_execve(sys, old, &cfg, &args, &out->info, &out->err);
	if (mm && old)
		vms_exec_commit(mm, old);
	vms_mm_free(old);
	if (mm) {
		size_t need = vms_maps_text(mm, NULL, 0) + 1;
		out->maps = malloc(need);
		if (out->maps)
			vms_maps_text(mm, out->maps, need);
		vms_mm_free(mm);
	}
done:
	if (own)
		vms_sys_free(sys);
	return 0;
}

void ek_model_free(struct ek_model *m)
{
	free(m->maps);
	m->maps = NULL;
	vms_exec_info_free(&m->info);
}

/* A maps line without its addresses (for the ASLR shape check): the size,
 * then everything after the range. */
static void shape_of(const char *line, size_t len, char *out, size_t size)
{
	unsigned long long s = 0, e = 0;
	const char *rest = memchr(line, ' ', len);
	if (sscanf(line, "%llx-%llx", &s, &e) != 2 || !rest) {
		snprintf(out, size, "%.*s", (int)len, line);
		return;
	}
	/* The name column's padding depends on the address width. */
	const char *p = rest;
	char fields[256];
	size_t n = 0;
	int blank = 0;
	for (; p < line + len && n + 1 < sizeof(fields); p++) {
		if (*p == ' ') {
			if (!blank)
				fields[n++] = ' ';
			blank = 1;
		} else {
			fields[n++] = *p;
			blank = 0;
		}
	}
	fields[n] = '\0';
	snprintf(out, size, "%llx%s", e - s, fields);
}

static size_t next_line(const char *t, size_t *len)
{
	const char *nl = strchr(t, '\n');
	*len = nl ? (size_t)(nl - t) : strlen(t);
	return *len + (nl ? 1 : 0);
}

static int compare_maps(const char *k, const char *m, int aslr, FILE *report)
{
	if (!aslr) {
		if (strcmp(k, m) == 0)
			return 0;
		if (report)
			fprintf(report, "  maps differ:\n--- kernel\n%s--- model\n%s", k, m);
		return 1;
	}
	const char *a = k, *b = m;
	while (*a || *b) {
		size_t la, lb;
		size_t sa = next_line(a, &la), sb = next_line(b, &lb);
		char x[512], y[512];
		shape_of(a, la, x, sizeof(x));
		shape_of(b, lb, y, sizeof(y));
		if ((!*a) != (!*b) || strcmp(x, y) != 0) {
			if (report)
				fprintf(report, "  shape differs: kernel '%.*s' model '%.*s'\n",
					(int)la, a, (int)lb, b);
			return 1;
		}
		a += sa;
		b += sb;
	}
	return 0;
}

int ek_compare(const struct ek_kernel *k, const struct ek_model *m, int aslr, FILE *report)
{
	if (k->err || m->err) {
		/* A kernel kill is any error of the model's past its point of no
		 * return. */
		int same = k->killed ? (m->err && m->info.fatal) : (-m->err == k->err);
		if (!same && report)
			fprintf(report, "  kernel %s, model %s%s\n",
				k->killed ? "killed the process"
					  : k->err ? strerror(k->err) : "succeeded",
				m->err ? vms_strerror(m->err) : "succeeded",
				m->err && m->info.fatal ? " (fatal)" : "");
		return !same;
	}
	int diff = compare_maps(k->maps, m->maps, aslr, report);
	if (aslr)
		return diff;
	if (k->rsp != m->info.sp || k->rip != m->info.entry) {
		if (report)
			fprintf(report, "  registers: kernel rsp %#" PRIx64 " rip %#" PRIx64
					", model sp %#" PRIx64 " entry %#" PRIx64 "\n",
				k->rsp, k->rip, m->info.sp, m->info.entry);
		diff = 1;
	}
	if (k->nauxv != m->info.nauxv ||
	    memcmp(k->auxv, m->info.auxv, k->nauxv * sizeof(k->auxv[0])) != 0) {
		diff = 1;
		if (report) {
			fprintf(report, "  auxv differs:\n");
			size_t n = k->nauxv > m->info.nauxv ? k->nauxv : m->info.nauxv;
			for (size_t i = 0; i < n; i++) {
				fprintf(report, "    ");
				if (i < k->nauxv)
					fprintf(report, "%2" PRIu64 " %#-16" PRIx64, k->auxv[i][0],
						k->auxv[i][1]);
				else
					fprintf(report, "%19s", "");
				if (i < m->info.nauxv)
					fprintf(report, "  | %2" PRIu64 " %#" PRIx64, m->info.auxv[i][0],
						m->info.auxv[i][1]);
				fputc('\n', report);
			}
		}
	}
	return diff;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* An ELF file that exec would take from this directory entry. */
static int is_candidate(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		return 0;
	if (st.st_mode & (S_ISUID | S_ISGID))
		return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	char m[4];
	ssize_t n = read(fd, m, 4);
	close(fd);
	return n == 4 && memcmp(m, "\177ELF", 4) == 0;
}

int ek_scan(const char *const *dirs, int every, int aslr, int *matched, int *total,
	    int max_reports, FILE *report, char *why, size_t why_size)
{
	*matched = *total = 0;
	if (every < 1)
		every = 1;
	vms_sys *sys = vms_sys_new();
	if (!sys) {
		snprintf(why, why_size, "out of memory");
		return -1;
	}
	vms_sys_probe_host(sys);
	char *envp[] = {"A=1", "PATH=/usr/bin:/bin", "LANG=C", NULL};
	int reports = 0, idx = 0, rc = 0;
	for (const char *const *d = dirs; *d && rc == 0; d++) {
		DIR *dir = opendir(*d);
		if (!dir)
			continue;
		char **names = NULL;
		size_t nn = 0, cap = 0;
		struct dirent *de;
		while ((de = readdir(dir))) {
			if (de->d_name[0] == '.')
				continue;
			if (nn == cap) {
				cap = cap ? 2 * cap : 256;
				char **nx = realloc(names, cap * sizeof(*names));
				if (!nx)
					break;
				names = nx;
			}
			names[nn] = strdup(de->d_name);
			if (names[nn])
				nn++;
		}
		closedir(dir);
		qsort(names, nn, sizeof(*names), cmp_names);
		for (size_t i = 0; i < nn; i++) {
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", *d, names[i]);
			if (rc || !is_candidate(path) || idx++ % every)
				continue;
			char *argv[] = {path, "--version", NULL};
			struct ek_kernel k;
			struct ek_model m;
			if (ek_kernel_exec(path, argv, envp, aslr, &k, why, why_size)) {
				rc = -1;
				continue;
			}
			uint64_t seed = 0x5eed0000ULL + (uint64_t)idx;
			ek_model_exec(sys, path, argv, envp, aslr, seed, &m);
			(*total)++;
			FILE *r = reports < max_reports ? report : NULL;
			/* With ASLR the kernel's own order can change with its
			 * random mmap_base (a PMD-aligned image leaves room for
			 * the vDSO above it or not): any of three runs may agree. */
			for (int again = 0; aslr && again < 2 && ek_compare(&k, &m, aslr, NULL); again++) {
				ek_kernel_free(&k);
				if (ek_kernel_exec(path, argv, envp, aslr, &k, why, why_size))
					break;
			}
			if (ek_compare(&k, &m, aslr, NULL) == 0) {
				(*matched)++;
			} else if (r) {
				fprintf(r, "exec %s:\n", path);
				ek_compare(&k, &m, aslr, r);
				reports++;
			}
			ek_kernel_free(&k);
			ek_model_free(&m);
		}
		for (size_t i = 0; i < nn; i++)
			free(names[i]);
		free(names);
	}
	vms_sys_free(sys);
	return rc;
}

#else /* no live x86-64 Linux kernel to compare with */

#include <string.h>

#include "exec_kdiff.h"

int ek_kernel_exec(const char *filename, char *const argv[], char *const envp[], int aslr,
		   struct ek_kernel *out, char *why, size_t why_size)
{
	(void)filename, (void)argv, (void)envp, (void)aslr;
	memset(out, 0, sizeof(*out));
	snprintf(why, why_size, "not an x86-64 Linux host");
	return -1;
}

int ek_kernel_exec_state(const char *filename, char *const argv[], char *const envp[], int aslr,
			 const struct ek_state *st, struct ek_kernel *out, char *why,
			 size_t why_size)
{
	(void)st;
	return ek_kernel_exec(filename, argv, envp, aslr, out, why, why_size);
}

int ek_model_exec_state(vms_sys *sys, const char *filename, char *const argv[],
			char *const envp[], int aslr, uint64_t seed, const struct ek_state *st,
			struct ek_model *out)
{
	(void)st;
	return ek_model_exec(sys, filename, argv, envp, aslr, seed, out);
}

void ek_kernel_free(struct ek_kernel *k)
{
	(void)k;
}

int ek_model_exec(vms_sys *sys, const char *filename, char *const argv[], char *const envp[],
		  int aslr, uint64_t seed, struct ek_model *out)
{
	(void)sys, (void)filename, (void)argv, (void)envp, (void)aslr, (void)seed;
	memset(out, 0, sizeof(*out));
	return -1;
}

void ek_model_free(struct ek_model *m)
{
	(void)m;
}

int ek_compare(const struct ek_kernel *k, const struct ek_model *m, int aslr, FILE *report)
{
	(void)k, (void)m, (void)aslr, (void)report;
	return 1;
}

int ek_scan(const char *const *dirs, int every, int aslr, int *matched, int *total,
	    int max_reports, FILE *report, char *why, size_t why_size)
{
	(void)dirs, (void)every, (void)aslr, (void)max_reports, (void)report;
	*matched = *total = 0;
	snprintf(why, why_size, "not an x86-64 Linux host");
	return -1;
}

#endif
