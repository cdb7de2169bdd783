/*
 * replay.c: `vmspace replay`: applies the memory system calls of an strace(1)
 * log to modelled address spaces, one per process, and compares every result
 * with the recorded one.
 *
 * What it follows:
 *  - memory calls (mmap, munmap, mprotect, pkey_mprotect, brk, mremap,
 *    madvise, mlock, mlock2, munlock, mlockall, munlockall, prlimit64 /
 *    setrlimit / getrlimit on the process itself, prctl(PR_SET_VMA), mseal,
 *    msync, mincore, remap_file_pages, process_madvise, process_mrelease):
 *    applied with include/vmspace.h and checked (mincore's vector where the
 *    model can know it);
 *  - shared memory (shmget, shmat, shmdt, shmctl with shm_nattch,
 *    memfd_create, memfd_secret, ftruncate, fallocate, fcntl
 *    F_ADD_SEALS/F_GET_SEALS):
 *    applied and checked too, System V segments with the log's ids (see
 *    do_shared());
 *  - processes: clone/clone3/fork/vfork with CLONE_VM share the address
 *    space, without it they fork it (vms_fork); execve of a new program makes
 *    the process unmodelled (its later calls are "unsupported"), except the
 *    first process's leading execve when --initial-maps gives its result;
 *  - pidfds: pidfd_open (getpid naming the caller when the log has no pids),
 *    strace -yy's "<pid:N>" and PIDFD_SELF_* name the process that
 *    process_madvise and process_mrelease act on;
 *  - descriptors: openat/open/creat/memfd_create make an open file
 *    description (one vms_file each, shared by dup/dup2/dup3/fcntl(F_DUPFD*)
 *    and by fork), close/close_range drop it; fstat/newfstatat/statx give the
 *    file's identity (st_dev, st_ino, st_size, a character device's st_rdev),
 *    else the host's own file (stat(2) of the -y path or the opened path),
 *    else a placeholder; O_TMPFILE opens are "DIR/#INO", unlink/unlinkat mark
 *    the files descriptors hold as deleted;
 *  - paths: the working directory (chdir, fchdir, getcwd, --cwd) and the
 *    directory fds of openat, so that a mapped file shows the kernel's name
 *    for it (see ofd_name()).
 * Other calls are skipped and counted.
 *
 * Threads: strace prints calls of different threads that overlapped as
 * "<unfinished ...>" and "<... resumed>". The calls are applied in the order
 * their results came (completion order). A run of calls that overlapped (a
 * "group": from a call starting while another is unfinished until no call is
 * unfinished) is applied as a unit; when one of its calls diverges, the whole
 * replay is run again with that group in start order, then (for small groups)
 * in every other order, and the first order under which every call of the
 * group matches is kept. When none does, the group keeps completion order and
 * the summary says so ("no order of the calls on lines A-B explains their
 * results"). The replay is deterministic, so re-running from the start is
 * exact; a trace without "<unfinished" runs once, and so does one whose
 * groups all match in completion order (the first pass's output is held
 * and given out if no other pass follows).
 *
 * Faults do not appear in a log. They matter where the kernel's merge rules
 * look at anon_vma (a written private VMA has one; a VMA copied by fork whose
 * anon_vma has parents does not merge with an un-faulted neighbour). The rule
 * used here: before a fork (clone without CLONE_VM), every private writable
 * VMA of the parent is taken as written (vms_fault on each page range start),
 * since a process that forks has run long enough to have touched its data,
 * heap and stack; everything else is taken as not written. See fault_rule().
 *
 * This file applies the calls and drives the passes; the rest of replay is
 * split by concern (replay_int.h): descriptors, working directories and
 * files (fds.c), processes (procs.c), bad input and the initial-maps check
 * (diagnose.c), the fast reader of common lines (fast_path.c).
 * Not here: option parsing (main.c, settings.c), the strace text
 * (strace_parse.c).
 */
#define _GNU_SOURCE

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "html.h"
#include "replay_int.h"
#include "settings.h"

/* ---- Small helpers -------------------------------------------------------- */

static const struct {
	const char *name;
	int val;
} err_names[] = {
	{"EPERM", 1},	{"ENOENT", 2},	 {"EINTR", 4},	   {"EBADF", 9},     {"EAGAIN", 11},
	{"ENOMEM", 12}, {"EACCES", 13},	 {"EFAULT", 14},   {"EBUSY", 16},    {"EEXIST", 17},
	{"ENODEV", 19}, {"EINVAL", 22},	 {"ENFILE", 23},   {"EMFILE", 24},   {"ETXTBSY", 26},
	{"EFBIG", 27},	{"ENOSPC", 28},	 {"ESRCH", 3},	   {"EOVERFLOW", 75}, {"ENOSYS", 38},
	{"EOPNOTSUPP", 95}, {"EIDRM", 43}, {"ENOTTY", 25},
};

const char *errno_name(long err)
{
	for (size_t i = 0; i < sizeof(err_names) / sizeof(err_names[0]); i++)
		if (err_names[i].val == -err)
			return err_names[i].name;
	return NULL;
}

static void errno_text(long r, char *buf, size_t size)
{
	for (size_t i = 0; i < sizeof(err_names) / sizeof(err_names[0]); i++) {
		if (err_names[i].val == -r) {
			snprintf(buf, size, "-1 %s (%s)", err_names[i].name, vms_strerror(r));
			return;
		}
	}
	snprintf(buf, size, "-1 errno %ld", -r);
}

/* System call names the replay acts on. */
static const struct {
	const char *name;
	enum sc sc;
} sc_names[] = {
	{"mmap", SC_MMAP}, {"munmap", SC_MUNMAP}, {"mprotect", SC_MPROTECT},
	{"pkey_mprotect", SC_PKEY_MPROTECT}, {"brk", SC_BRK}, {"mremap", SC_MREMAP},
	{"madvise", SC_MADVISE}, {"mlock", SC_MLOCK}, {"mlock2", SC_MLOCK2},
	{"munlock", SC_MUNLOCK}, {"mlockall", SC_MLOCKALL}, {"munlockall", SC_MUNLOCKALL},
	{"prlimit64", SC_PRLIMIT64}, {"setrlimit", SC_SETRLIMIT},
	{"getrlimit", SC_GETRLIMIT}, {"prctl", SC_PRCTL}, {"clone", SC_CLONE},
	{"clone3", SC_CLONE3}, {"fork", SC_FORK}, {"vfork", SC_VFORK},
	{"execve", SC_EXECVE}, {"execveat", SC_EXECVEAT}, {"openat", SC_OPENAT},
	{"open", SC_OPEN}, {"creat", SC_CREAT}, {"close", SC_CLOSE},
	{"close_range", SC_CLOSE_RANGE}, {"dup", SC_DUP}, {"dup2", SC_DUP2},
	{"dup3", SC_DUP3}, {"fcntl", SC_FCNTL}, {"memfd_create", SC_MEMFD_CREATE},
	{"fstat", SC_FSTAT}, {"newfstatat", SC_NEWFSTATAT}, {"statx", SC_STATX},
	{"chdir", SC_CHDIR}, {"fchdir", SC_FCHDIR}, {"getcwd", SC_GETCWD},
	{"exit", SC_EXIT}, {"exit_group", SC_EXIT_GROUP}, {"mmap2", SC_OTHER},
	/* strace before 6.10 prints mseal (462) by number */
	{"mseal", SC_MSEAL}, {"syscall_0x1ce", SC_MSEAL}, {"syscall_462", SC_MSEAL},
	{"msync", SC_MSYNC}, {"mincore", SC_MINCORE},
	{"remap_file_pages", SC_REMAP_FILE_PAGES}, {"process_madvise", SC_PROCESS_MADVISE},
	{"process_mrelease", SC_PROCESS_MRELEASE}, {"pidfd_open", SC_PIDFD_OPEN},
	{"getpid", SC_GETPID},
	{"shmget", SC_SHMGET}, {"shmat", SC_SHMAT}, {"shmdt", SC_SHMDT},
	{"shmctl", SC_SHMCTL}, {"ftruncate", SC_FTRUNCATE},
	{"userfaultfd", SC_USERFAULTFD}, {"ioctl", SC_IOCTL},
	{"memfd_secret", SC_MEMFD_SECRET}, {"unlink", SC_UNLINK}, {"unlinkat", SC_UNLINKAT},
	{"fallocate", SC_FALLOCATE},
	{"mbind", SC_MBIND}, {"set_mempolicy", SC_SET_MEMPOLICY},
	{"get_mempolicy", SC_GET_MEMPOLICY},
	{"set_mempolicy_home_node", SC_SET_MEMPOLICY_HOME_NODE},
	{"pkey_alloc", SC_PKEY_ALLOC}, {"pkey_free", SC_PKEY_FREE},
	/* strace before 6.6 does not know x86's syscall 453 by name */
	{"map_shadow_stack", SC_MAP_SHADOW_STACK}, {"syscall_0x1c5", SC_MAP_SHADOW_STACK},
	{"personality", SC_PERSONALITY}, {"capget", SC_CAPGET}, {"capset", SC_CAPSET},
	{"setuid", SC_SETUID}, {"setresuid", SC_SETRESUID}, {"setgid", SC_SETGID},
	{"setresgid", SC_SETRESGID},
};

/* sc_names[] by a hash of the name, built once: every line asks, and a
 * search from the start of the table was a few per cent of a long replay. */
#define SC_HASH_SIZE 256
static uint8_t sc_hash[SC_HASH_SIZE]; /* index + 1; 0 is empty */
static pthread_once_t sc_hash_once = PTHREAD_ONCE_INIT;
_Static_assert(sizeof(sc_names) / sizeof(sc_names[0]) < SC_HASH_SIZE / 2, "sc_hash too small");

static unsigned sc_hash_of(const char *n)
{
	uint32_t h = 2166136261u;
	for (; *n; n++)
		h = (h ^ (unsigned char)*n) * 16777619u;
	return h & (SC_HASH_SIZE - 1);
}

static void sc_hash_build(void)
{
	for (size_t i = 0; i < sizeof(sc_names) / sizeof(sc_names[0]); i++) {
		unsigned h = sc_hash_of(sc_names[i].name);
		while (sc_hash[h])
			h = (h + 1) & (SC_HASH_SIZE - 1);
		sc_hash[h] = (uint8_t)(i + 1);
	}
}

enum sc sc_of(const char *n)
{
	pthread_once(&sc_hash_once, sc_hash_build);
	for (unsigned h = sc_hash_of(n); sc_hash[h]; h = (h + 1) & (SC_HASH_SIZE - 1))
		if (!strcmp(n, sc_names[sc_hash[h] - 1].name))
			return sc_names[sc_hash[h] - 1].sc;
	return SC_OTHER;
}

/* The calls that are checked against the model ("memory calls"). */
bool is_memory_call(enum sc sc)
{
	return (sc >= SC_MMAP && sc <= SC_PRCTL) || (sc >= SC_MSEAL && sc <= SC_PROCESS_MRELEASE) ||
	       (sc >= SC_MBIND && sc <= SC_SETRESGID);
}

int replay_read_all(FILE *f, char **buf, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap);
	if (!b)
		return -1;
	for (;;) {
		if (cap - n < 4096) {
			char *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				return -1;
			}
			b = nb;
			cap *= 2;
		}
		size_t got = fread(b + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(b);
		return -1;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

const char *maps_of(struct pass *p, const vms_mm *mm)
{
	for (;;) {
		size_t n = vms_maps_text(mm, p->mapsbuf, p->mapscap);
		if (n < p->mapscap)
			return p->mapsbuf;
		char *nb = realloc(p->mapsbuf, n + 1);
		if (!nb)
			return "";
		p->mapsbuf = nb;
		p->mapscap = n + 1;
	}
}

static void append_text(char **buf, size_t *len, size_t (*fn)(const vms_mm *, char *, size_t),
			const vms_mm *mm)
{
	if (!*buf)
		return;
	size_t n = fn(mm, NULL, 0);
	char *nb = realloc(*buf, *len + n + 1);
	if (!nb) {
		free(*buf);
		*buf = NULL;
		return;
	}
	fn(mm, nb + *len, n + 1);
	*len += n;
	*buf = nb;
}

char *report_of(struct pass *p, const vms_mm *mm)
{
	const struct replay_opts *o = p->o;
	size_t len = 0;
	char *buf = calloc(1, 1);
	if (o->print_maps || !(o->print_smaps || o->print_smaps_rollup))
		append_text(&buf, &len, vms_maps_text, mm);
	if (o->print_smaps)
		append_text(&buf, &len, vms_smaps_text, mm);
	if (o->print_smaps_rollup)
		append_text(&buf, &len, vms_smaps_rollup_text, mm);
	return buf;
}

/* ---- Results -------------------------------------------------------------- */

/* The call's row of the per-syscall table (apply_call() chose it), or NULL
 * for a call that did not come through apply_call(). */
static struct replay_name_count *name_row(struct pass *p, const struct call *c)
{
	int i = c->name_slot;
	return i >= 0 && i < REPLAY_MAX_NAMES && (i < p->st->nnames || i == REPLAY_MAX_NAMES - 1)
		       ? &p->st->names[i]
		       : NULL;
}

/* A memory call whose result (or output) the model compared and found
 * different: counted in the summary and in its row of the table. */
static void count_diverged(struct pass *p, const struct call *c)
{
	struct replay_name_count *row = name_row(p, c);
	p->st->calls++;
	p->st->diverged++;
	p->group_diverged++;
	if (row)
		row->diverged++;
}

void print_divergence(struct pass *p, const struct call *c, const char *model)
{
	if (!p->out || !p->o->check)
		return;
	fprintf(p->out, "line %d: %.*s | model: %s\n", c->lineno, (int)c->text_len, c->text,
		model);
}

static void model_text(long r, bool addr, char *buf, size_t size)
{
	if (r < 0 && r >= -4095)
		errno_text(r, buf, size);
	else if (addr)
		snprintf(buf, size, "%#lx", (unsigned long)r);
	else
		snprintf(buf, size, "%ld", r);
}

/* Counts a memory call the model cannot apply, and why: the reasons are
 * counted for the line after the summary (print_reasons()), and --unsupported
 * lists each call. Reasons name no addresses or numbers, so that calls with
 * the same trouble count together. */
void unsupported(struct pass *p, const struct call *c, const char *fmt, ...)
{
	struct replay_stats *st = p->st;
	char why[sizeof(st->reasons[0].text)];
	va_list ap;
	int i;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	st->calls++;
	st->unsupported++;
	struct replay_name_count *row = name_row(p, c);
	if (row)
		row->unsupported++;
	for (i = 0; i < st->nreasons; i++)
		if (!strcmp(st->reasons[i].text, why))
			break;
	if (i == st->nreasons) {
		if (i < REPLAY_MAX_REASONS - 1) {
			memcpy(st->reasons[i].text, why, sizeof(why));
			st->nreasons++;
		} else {
			i = REPLAY_MAX_REASONS - 1;
			snprintf(st->reasons[i].text, sizeof(st->reasons[i].text), "other reasons");
		}
	}
	st->reasons[i].count++;
	if (p->o->list_unsupported && p->out)
		fprintf(p->out, "line %d: %s: %s\n", c->lineno, c->name ? c->name : "?", why);
}

static const char *space_why(const struct proc *pr)
{
	return pr->sp && pr->sp->why ? pr->sp->why : "the process is not modelled";
}

/* Names of flags (PROT_, MAP_, ...), as against other values (MADV_...). */
static bool is_flag_name(const char *name)
{
	static const char *const prefixes[] = {"PROT_", "MAP_", "MREMAP_", "MLOCK_", "MCL_"};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/* A call without an argument it needs as a number (bit i of mask: argument
 * i + 1): unsupported, with what the log shows instead. */
static void unsupported_arg(struct pass *p, const struct call *c, unsigned mask)
{
	const struct strace_line *l = c->full;
	unsigned missing = mask & ~c->has;
	int i = 0;
	while (i < 31 && !(missing & (1u << i)))
		i++;
	if (l && l->kind == SL_RESUMED) {
		unsupported(p, c, "its start (the arguments) is not in the log");
		return;
	}
	if (!l || i >= l->nargs) {
		unsupported(p, c, "argument %d is missing", i + 1);
		return;
	}
	const struct strace_val *v = &l->args[i].v;
	if (v->too_big) {
		unsupported(p, c, "a number over 64 bits in argument %d", i + 1);
	} else if (v->bad_name) {
		const char *what = is_flag_name(v->bad_name) ? "flag" : "name";
		bad_input(p, BAD_NAME, c->lineno, "the call is counted unsupported",
			  "%s: unknown %s %s in argument %d", c->name ? c->name : "?", what,
			  v->bad_name, i + 1);
		unsupported(p, c, "unknown %s %s", what, v->bad_name);
	} else {
		unsupported(p, c, "argument %d is not a number", i + 1);
	}
}

/* The first address of a call's range where the model has no VMA, for the
 * calls that work on mapped memory (and fail without): their addresses come
 * from the initial maps or from earlier calls, so a hole there means the
 * model did not start from what the process had. */
static bool model_hole(const vms_mm *mm, const struct call *c, uint64_t *hole)
{
	uint64_t addr, len;
	switch (c->sc) {
	case SC_MPROTECT:
	case SC_PKEY_MPROTECT:
	case SC_MADVISE:
	case SC_MLOCK:
	case SC_MLOCK2:
	case SC_MUNLOCK:
	case SC_MREMAP:
	case SC_MSEAL:
	case SC_MSYNC:
	case SC_MINCORE:
	case SC_REMAP_FILE_PAGES:
		if ((c->has & 3) != 3)
			return false;
		addr = c->a[0];
		len = c->a[1];
		break;
	case SC_PRCTL: /* PR_SET_VMA, PR_SET_VMA_ANON_NAME, addr, len */
		if ((c->has & 0xc) != 0xc)
			return false;
		addr = c->a[2];
		len = c->a[3];
		break;
	default:
		return false;
	}
	uint64_t at = addr & ~(uint64_t)(VMS_PAGE_SIZE - 1);
	uint64_t end = len && addr + len > addr ? addr + len : at + 1;
	while (at < end) {
		const vms_vma *v = vms_find_vma(mm, at);
		struct vms_vma_info i;
		if (v)
			vms_vma_get_info(v, &i);
		if (!v || i.start > at) {
			*hole = at;
			return true;
		}
		if (i.end <= at)
			break;
		at = i.end;
	}
	return false;
}

/* Compares the model's result with the trace's. mm (may be NULL) is the
 * model's address space, for saying where it has no VMA when a call failed
 * there: the most common cause of divergence, a log replayed without the
 * maps it started from. */
void check_result(struct pass *p, const struct call *c, long r, bool addr, const vms_mm *mm)
{
	char buf[320];
	uint64_t hole;
	p->model_r = r; /* for --explain and --stats (explain.c) */
	p->model_r_set = 1;
	p->model_r_addr = addr;
	if (!c->has_result || c->result_unknown) {
		unsupported(p, c, "%s",
			    c->result_unknown ? "its result is unknown (= ?)"
					      : "it did not finish in the log (no result)");
		return;
	}
	if ((int64_t)r == c->result) {
		struct replay_name_count *row = name_row(p, c);
		p->st->calls++;
		p->st->matched++;
		if (row)
			row->matched++;
		return;
	}
	count_diverged(p, c);
	model_text(r, addr, buf, sizeof(buf));
	if (mm && r < 0 && r >= -4095 && model_hole(mm, c, &hole)) {
		size_t n = strlen(buf);
		if (p->o->initial_maps)
			snprintf(buf + n, sizeof(buf) - n,
				 " (the model has no VMA at %#llx: the initial maps may be of "
				 "another run, or the log may leave out the call that mapped it)",
				 (unsigned long long)hole);
		else
			snprintf(buf + n, sizeof(buf) - n,
				 " (the model has no VMA at %#llx: the log may lack initial maps; "
				 "record with scripts/record.sh or pass --initial-maps)",
				 (unsigned long long)hole);
	}
	print_divergence(p, c, buf);
}

/* VMA bookkeeping for the summary: map_count before and after a call (see
 * the man page: an mmap is expected to add one VMA; fewer means it joined a
 * neighbour or replaced VMAs, more means it split one; any other call that
 * leaves more VMAs split that many, fewer (but for munmap) merged). */
static uint64_t map_count(const vms_mm *mm)
{
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	return c.map_count;
}

static void count_vmas(struct pass *p, enum sc sc, uint64_t before, uint64_t after, long r)
{
	int64_t d = (int64_t)after - (int64_t)before;
	struct replay_stats *st = p->st;
	if (r < 0 && r >= -4095)
		return;
	switch (sc) {
	case SC_MMAP:
		st->created++;
		if (d < 1)
			st->merged += (uint64_t)(1 - d);
		else if (d > 1)
			st->split += (uint64_t)(d - 1);
		break;
	case SC_BRK:
		if (d > 0)
			st->created += (uint64_t)d;
		break;
	case SC_MUNMAP:
		if (d > 0)
			st->split += (uint64_t)d;
		break;
	default:
		if (d > 0)
			st->split += (uint64_t)d;
		else if (d < 0)
			st->merged += (uint64_t)-d;
		break;
	}
}

/* ---- The calls ------------------------------------------------------------ */

static const struct strace_arg *full_arg(const struct call *c, int i)
{
	return c->full && i < c->full->nargs ? &c->full->args[i] : NULL;
}

/* The open file description behind an fd argument, made from its -y path if
 * the trace never showed it opened (inherited descriptors). */
static struct ofd *fd_arg(struct proc *pr, const struct call *c, int i)
{
	struct ofd *f;
	const struct strace_arg *a;
	if (!(c->has & (1u << i)))
		return NULL;
	f = fd_get(pr->ft, c->a[i]);
	if (f)
		return f;
	a = full_arg(c, i);
	if (!a || !a->v.fd_path || !pr->ft)
		return NULL;
	f = ofd_new_canonical(a->v.fd_path, VMS_O_RDWR);
	if (!f || fd_install(pr->ft, c->a[i], f))
		return NULL;
	return f;
}

static int rlim_index(uint64_t res)
{
	switch (res) {
	case VMS_RLIMIT_STACK:
		return RL_STACK;
	case VMS_RLIMIT_DATA:
		return RL_DATA;
	case VMS_RLIMIT_AS:
		return RL_AS;
	case VMS_RLIMIT_MEMLOCK:
		return RL_MEMLOCK;
	default:
		return -1;
	}
}

static int rlim_from(const struct strace_arg *a, struct vms_rlimit *l, int out)
{
	const struct strace_val *v;
	const struct strace_val *cur, *max;
	if (!a)
		return -1;
	v = out && a->out ? a->out : &a->v;
	if (v->kind != SV_STRUCT)
		return -1;
	cur = strace_val_field(v, "rlim_cur");
	max = strace_val_field(v, "rlim_max");
	if (!cur || !max || !cur->has_num || !max->has_num)
		return -1;
	l->cur = cur->num;
	l->max = max->num;
	return 0;
}

/* prlimit64(pid, res, new, old), setrlimit(res, new), getrlimit(res, old) */
static void do_rlimit(struct pass *p, struct proc *pr, const struct call *c)
{
	int off = c->sc == SC_PRLIMIT64 ? 1 : 0;
	struct vms_rlimit nl, ol;
	const struct strace_arg *na = NULL, *oa = NULL;
	char buf[128];
	if (!(c->has & (1u << off)) || rlim_index(c->a[off]) < 0) {
		p->st->skipped++; /* a limit that is not about memory */
		return;
	}
	if (c->sc == SC_PRLIMIT64 && c->a[0] != 0 && c->a[0] != (uint64_t)pr->pid) {
		unsupported(p, c, "another process's limits (prlimit64 pid != 0)");
		return;
	}
	if (!pr->sp->mm) {
		unsupported(p, c, "%s", space_why(pr));
		return;
	}
	if (!c->full) {
		unsupported(p, c, "its arguments are not in the log");
		return;
	}
	if (c->sc == SC_PRLIMIT64) {
		na = full_arg(c, 2);
		oa = full_arg(c, 3);
	} else if (c->sc == SC_SETRLIMIT) {
		na = full_arg(c, 1);
	} else {
		oa = full_arg(c, 1);
	}
	bool has_new = na && na->v.kind == SV_STRUCT;
	if (has_new && rlim_from(na, &nl, 0)) {
		unsupported(p, c, "the new limit is not {rlim_cur=N, rlim_max=N}");
		return;
	}
	long r = vms_prlimit(pr->sp->mm, (int)c->a[off], has_new ? &nl : NULL, &ol);
	struct vms_rlimit tl;
	if (r == 0 && c->has_result && c->result == 0 && oa && !rlim_from(oa, &tl, 1) &&
	    (tl.cur != ol.cur || tl.max != ol.max)) {
		/* the limits the model had differ from the process's */
		count_diverged(p, c);
		snprintf(buf, sizeof(buf), "0 {rlim_cur=%llu, rlim_max=%llu}",
			 (unsigned long long)ol.cur, (unsigned long long)ol.max);
		print_divergence(p, c, buf);
		return;
	}
	check_result(p, c, r, false, NULL);
}

#define PR_SET_VMA_ 0x53564d41ULL

static void do_prctl_policy(struct pass *p, struct proc *pr, const struct call *c);

static void do_prctl(struct pass *p, struct proc *pr, const struct call *c)
{
	const struct strace_arg *name;
	char *s = NULL;
	/* PR_SET_MM, PR_SET/GET_THP_DISABLE, PR_SET/GET_MDWE */
	if ((c->has & 1) && (c->a[0] == VMS_PR_SET_MM || c->a[0] == VMS_PR_SET_THP_DISABLE ||
			     c->a[0] == VMS_PR_GET_THP_DISABLE || c->a[0] == VMS_PR_SET_MDWE ||
			     c->a[0] == VMS_PR_GET_MDWE || c->a[0] == VMS_PR_GET_DUMPABLE ||
			     c->a[0] == VMS_PR_SET_DUMPABLE)) {
		do_prctl_policy(p, pr, c);
		return;
	}
	if (!(c->has & 1) || c->a[0] != PR_SET_VMA_) {
		p->st->skipped++;
		return;
	}
	if (!pr->sp->mm) {
		unsupported(p, c, "%s", space_why(pr));
		return;
	}
	if (!c->full) {
		unsupported(p, c, "its arguments are not in the log");
		return;
	}
	if (c->nargs < 5) {
		unsupported(p, c, "PR_SET_VMA with fewer than 5 arguments");
		return;
	}
	if (!(c->has & 2)) {
		unsupported_arg(p, c, 2);
		return;
	}
	if (c->a[1] != 0) {
		/* kernel/sys.c: prctl_set_vma() knows PR_SET_VMA_ANON_NAME only,
		 * any other option is EINVAL before the range is looked at */
		check_result(p, c, -EINVAL, false, NULL);
		return;
	}
	name = full_arg(c, 4);
	if (name->v.kind == SV_STR) {
		if (name->v.str_truncated) {
			unsupported(p, c, "the name is cut short in the log (strace -s)");
			return;
		}
		s = malloc(name->v.str_len + 1);
		if (!s) {
			unsupported(p, c, "out of memory");
			return;
		}
		memcpy(s, name->v.str, name->v.str_len);
		s[name->v.str_len] = '\0';
	} else if (!(name->v.has_num && name->v.num == 0)) {
		unsupported(p, c, "a name pointer strace did not read");
		return;
	}
	vms_mm *mm = pr->sp->mm;
	uint64_t before = map_count(mm);
	long r = vms_set_anon_name(mm, c->a[2], c->a[3], s);
	count_vmas(p, SC_PRCTL, before, map_count(mm), r);
	free(s);
	check_result(p, c, r, false, mm);
}

/* mmap without MAP_FIXED placed elsewhere than the trace says: --follow moves
 * it there, as MAP_FIXED_NOREPLACE would. */
static long follow_mmap(struct pass *p, vms_mm *mm, const struct call *c, long r, vms_file *vf)
{
	uint64_t want = (uint64_t)c->result, len = c->a[1];
	int flags = (int)c->a[3];
	if (!p->o->follow || !c->has_result || c->result < 0 || (c->result & 0xfff) ||
	    (flags & (VMS_MAP_FIXED | VMS_MAP_FIXED_NOREPLACE)) || r == c->result)
		return r;
	if (r >= 0)
		vms_munmap(mm, (uint64_t)r, len);
	long r2 = vms_mmap(mm, want, len, (int)c->a[2],
			   (flags & ~VMS_MAP_FIXED) | VMS_MAP_FIXED_NOREPLACE, vf, c->a[5]);
	if (r2 == c->result) {
		p->st->followed++;
		return r2;
	}
	if (r2 >= 0)
		vms_munmap(mm, (uint64_t)r2, len);
	if (r >= 0) /* put it back where the model had it */
		vms_mmap(mm, (uint64_t)r, len, (int)c->a[2], flags | VMS_MAP_FIXED, vf, c->a[5]);
	return r;
}

static long follow_mremap(struct pass *p, vms_mm *mm, const struct call *c, long r)
{
	uint64_t want = (uint64_t)c->result, len = c->a[2];
	const vms_vma *v;
	if (!p->o->follow || !c->has_result || c->result < 0 || r < 0 || r == c->result ||
	    !(c->a[3] & VMS_MREMAP_MAYMOVE) || (c->a[3] & VMS_MREMAP_FIXED))
		return r;
	v = vms_find_vma(mm, want);
	if (v) {
		struct vms_vma_info i;
		vms_vma_get_info(v, &i);
		if (i.start < want + len)
			return r; /* the trace's place is taken in the model */
	}
	long r2 = vms_mremap(mm, (uint64_t)r, len, len, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED,
			     want);
	if (r2 == c->result)
		p->st->followed++;
	return r2 < 0 ? r : r2;
}

/* ---- mincore, process_madvise, process_mrelease ------------------------- */

#define PIDFD_SELF_THREAD_ (-10000)
#define PIDFD_SELF_THREAD_GROUP_ (-10001)

/*
 * What the pidfd in argument i names, as pidfd_get_task() finds it: returns
 * 1 with *target (the process's address space), or with *target NULL and
 * *err (-EBADF: no pidfd, -ESRCH: the process has exited); 0 when the log
 * does not say, after counting the call unsupported. A pidfd is known from
 * its pidfd_open line, or from strace -yy's "<pid:N>".
 */
static int pidfd_target(struct pass *p, struct proc *pr, const struct call *c, int i,
			vms_mm **target, long *err)
{
	*target = NULL;
	*err = 0;
	int64_t fd = (int64_t)c->a[i];
	if (fd == PIDFD_SELF_THREAD_ || fd == PIDFD_SELF_THREAD_GROUP_) {
		*target = pr->sp->mm;
		return 1;
	}
	if (fd < 0) {
		*err = -VMS_EBADF;
		return 1;
	}
	struct ofd *f = fd_arg(pr, c, i);
	if (!f && fd_closed(pr->ft, c->a[i])) {
		*err = -VMS_EBADF; /* pidfd_get_task(): fdget() finds nothing */
		return 1;
	}
	if (!f) {
		unsupported(p, c, "an fd the log never opened (and no -y path)");
		return 0;
	}
	int pid = f->pidfd_pid;
	if (!pid && f->path && !strncmp(f->path, "pid:", 4))
		pid = atoi(f->path + 4);
	if (!pid) {
		if (f->path && strstr(f->path, "[pidfd]")) {
			unsupported(p, c, "a pidfd whose process the log does not name "
					  "(strace -yy names it)");
			return 0;
		}
		*err = -VMS_EBADF;
		return 1;
	}
	struct proc *t = proc_find(p, pid);
	for (int k = 0; !t && k < p->nprocs; k++)
		if (p->procs[k].alive && p->procs[k].getpid == pid)
			t = &p->procs[k];
	if (!t) {
		if (!pid_seen(p, pid)) {
			unsupported(p, c, "a pidfd of a process the log does not show");
			return 0;
		}
		*err = -VMS_ESRCH;
		return 1;
	}
	if (!t->sp || !t->sp->mm) {
		unsupported(p, c, "a pidfd of a process that is not modelled");
		return 0;
	}
	*target = t->sp->mm;
	return 1;
}

/* The iovec array of process_madvise as strace printed it: 1 with *iov
 * (NULL for NULL; the caller frees it), 0 after counting the call
 * unsupported. */
static int iovec_arg(struct pass *p, const struct call *c, struct vms_iovec **iov)
{
	const struct strace_arg *a = full_arg(c, 1);
	uint64_t vlen = c->a[2];
	*iov = NULL;
	if (!a) {
		unsupported(p, c, "its arguments are not in the log");
		return 0;
	}
	if (a->v.kind == SV_NULL || (a->v.kind == SV_INT && a->v.has_num && !a->v.num))
		return 1;
	if (a->v.kind != SV_ARRAY) {
		/* strace prints an address it could not read: EFAULT, or an
		 * array it left out */
		unsupported(p, c, "an iovec address the model does not check");
		return 0;
	}
	/* More than UIO_MAXIOV segments is refused before any is read. */
	uint64_t n = vlen > 1024 ? 0 : vlen;
	if ((uint64_t)a->v.nfields < n) {
		unsupported(p, c, "%s", a->v.elided ? "the iovec array is cut short in the log "
						      "(strace -s)"
						    : "the iovec array has fewer segments than vlen");
		return 0;
	}
	*iov = calloc(n ? n : 1, sizeof(**iov));
	if (!*iov) {
		unsupported(p, c, "out of memory");
		return 0;
	}
	for (uint64_t i = 0; i < n; i++) {
		const struct strace_val *base = strace_val_field(&a->v.fields[i].v, "iov_base");
		const struct strace_val *len = strace_val_field(&a->v.fields[i].v, "iov_len");
		if (!base || !len || !base->has_num || !len->has_num) {
			free(*iov);
			*iov = NULL;
			unsupported(p, c, "an iovec segment is not {iov_base=N, iov_len=N}");
			return 0;
		}
		(*iov)[i].base = base->num;
		(*iov)[i].len = len->num;
	}
	return 1;
}

/* The largest mincore vector replayed (entries): 256 GiB of range. */
#define MINCORE_MAX_PAGES (1ULL << 26)

/*
 * mincore: the call, then the vector strace printed, where the model can
 * know it: every page the model maps (a resident page, the zero page) and
 * every page of a VMA mincore does not look into must be 1. Where the model
 * has nothing mapped it cannot tell (the log shows no touches, and a file's
 * page cache is not modelled), so a 1 there is no divergence. Returns 0 when
 * the call is unsupported (counted), else 1 with *r and *bad, the first page
 * the log says is not resident where the model has one (or UINT64_MAX).
 */
static int mincore_call(struct pass *p, vms_mm *mm, const struct call *c, long *r, uint64_t *bad)
{
	const struct strace_arg *a = full_arg(c, 2);
	uint64_t len = c->a[1];
	uint64_t pages = (len >> 12) + ((len & 4095) != 0);
	unsigned char *vec = NULL;
	*bad = UINT64_MAX;
	if (!a) {
		unsupported(p, c, "its arguments are not in the log");
		return 0;
	}
	bool null_vec = a->v.kind == SV_NULL || (a->v.kind == SV_INT && a->v.has_num && !a->v.num);
	if (!null_vec && c->has_result && c->result == -VMS_EFAULT) {
		unsupported(p, c, "EFAULT for a vector address the model does not check");
		return 0;
	}
	if (!null_vec && pages > MINCORE_MAX_PAGES) {
		unsupported(p, c, "a vector too large to replay");
		return 0;
	}
	if (!null_vec && !(vec = malloc(pages ? pages : 1))) {
		unsupported(p, c, "out of memory");
		return 0;
	}
	*r = vms_mincore(mm, c->a[0], len, vec);
	if (*r == 0 && vec && c->has_result && c->result == 0 && a->v.kind == SV_ARRAY) {
		for (int i = 0; i < a->v.nfields && (uint64_t)i < pages; i++) {
			const struct strace_val *e = &a->v.fields[i].v;
			if (e->has_num && vec[i] && !(e->num & 1)) {
				*bad = (uint64_t)i;
				break;
			}
		}
	}
	free(vec);
	return 1;
}

#define NEED(mask)                                                                           \
	do {                                                                                 \
		if ((c->has & (mask)) != (mask)) {                                           \
			unsupported_arg(p, c, (mask));                                       \
			return;                                                              \
		}                                                                            \
	} while (0)

static void do_memory(struct pass *p, struct proc *pr, const struct call *c)
{
	vms_mm *mm = pr->sp ? pr->sp->mm : NULL;
	long r;
	bool addr = false;
	if (!mm) {
		unsupported(p, c, "%s", space_why(pr));
		return;
	}
	uint64_t before = map_count(mm), vec_bad = UINT64_MAX;
	const uint64_t *a = c->a;
	switch (c->sc) {
	case SC_MMAP: {
		vms_file *vf = NULL;
		NEED(0x2f); /* fd may be unreadable for anonymous maps */
		if (!(a[3] & VMS_MAP_ANONYMOUS)) {
			struct ofd *f = fd_arg(pr, c, 4);
			if (!f && fd_closed(pr->ft, a[4])) {
				/* x86 sys_mmap(): an unaligned offset first, then
				 * ksys_mmap_pgoff()'s fget() */
				check_result(p, c, (a[5] & (VMS_PAGE_SIZE - 1)) ? -VMS_EINVAL : -VMS_EBADF,
					     true, NULL);
				return;
			}
			if (!f) {
				unsupported(p, c, "an fd the log never opened (and no -y path)");
				return;
			}
			if (!(vf = ofd_file(p, f, c->lineno))) {
				unsupported(p, c, "out of memory");
				return;
			}
		}
		r = vms_mmap(mm, a[0], a[1], (int)a[2], (int)a[3], vf, a[5]);
		if (p->o->follow)
			exec_follow_learn(p, pr, c, r); /* before the trace's address is taken */
		r = follow_mmap(p, mm, c, r, vf);
		addr = true;
		break;
	}
	case SC_MUNMAP:
		NEED(0x3);
		r = vms_munmap(mm, a[0], a[1]);
		break;
	case SC_MPROTECT:
		NEED(0x7);
		r = vms_mprotect(mm, a[0], a[1], (unsigned long)a[2]);
		break;
	case SC_PKEY_MPROTECT:
		NEED(0xf);
		r = vms_pkey_mprotect(mm, a[0], a[1], (unsigned long)a[2], (int)a[3]);
		break;
	case SC_BRK:
		NEED(0x1);
		if (!p->brk_set && a[0] == 0 && c->has_result && c->result > 0) {
			/* the first brk(NULL) sets start_brk when nothing else did */
			vms_mm_set_brk_start(mm, (uint64_t)c->result);
			p->brk_set = 1;
		}
		r = vms_brk(mm, a[0]);
		addr = true;
		break;
	case SC_MREMAP:
		NEED(0xf);
		r = vms_mremap(mm, a[0], a[1], a[2], (int)a[3], c->nargs > 4 ? a[4] : 0);
		r = follow_mremap(p, mm, c, r);
		addr = true;
		break;
	case SC_MADVISE:
		NEED(0x7);
		r = vms_madvise(mm, a[0], a[1], (int)a[2]);
		break;
	case SC_MLOCK:
		NEED(0x3);
		r = vms_mlock(mm, a[0], a[1]);
		break;
	case SC_MLOCK2:
		NEED(0x7);
		r = vms_mlock2(mm, a[0], a[1], (int)a[2]);
		break;
	case SC_MUNLOCK:
		NEED(0x3);
		r = vms_munlock(mm, a[0], a[1]);
		break;
	case SC_MLOCKALL:
		NEED(0x1);
		r = vms_mlockall(mm, (int)a[0]);
		break;
	case SC_MUNLOCKALL:
		r = vms_munlockall(mm);
		break;
	case SC_MSEAL:
		NEED(0x7);
		r = vms_mseal(mm, a[0], a[1], a[2]);
		break;
	case SC_MSYNC:
		NEED(0x7);
		r = vms_msync(mm, a[0], a[1], (int)a[2]);
		break;
	case SC_MINCORE:
		NEED(0x3);
		if (!mincore_call(p, mm, c, &r, &vec_bad))
			return;
		break;
	case SC_REMAP_FILE_PAGES:
		NEED(0x1f);
		r = vms_remap_file_pages(mm, a[0], a[1], a[2], a[3], a[4]);
		break;
	case SC_PROCESS_MADVISE: {
		vms_mm *target;
		long err;
		struct vms_iovec *iov;
		NEED(0x1d);
		if (!pidfd_target(p, pr, c, 0, &target, &err) || !iovec_arg(p, c, &iov))
			return;
		r = vms_process_madvise(mm, target, err, iov, a[2], (int)a[3], (unsigned)a[4]);
		free(iov);
		break;
	}
	case SC_PROCESS_MRELEASE: {
		vms_mm *target;
		long err;
		NEED(0x3);
		if (!pidfd_target(p, pr, c, 0, &target, &err))
			return;
		r = vms_process_mrelease(target, err, (unsigned)a[1]);
		break;
	}
	default:
		unsupported(p, c, "not modelled");
		return;
	}
	if (p->mc.active && pr->sp->first)
		maps_check_call(p, c);
	if (p->o->follow && c->sc != SC_MMAP)
		exec_follow_learn(p, pr, c, r);
	count_vmas(p, c->sc, before, map_count(mm), r);
	if (vec_bad != UINT64_MAX) {
		char buf[96];
		count_diverged(p, c);
		snprintf(buf, sizeof(buf), "0, with page %llu (%#llx) resident",
			 (unsigned long long)vec_bad,
			 (unsigned long long)(c->a[0] + vec_bad * VMS_PAGE_SIZE));
		print_divergence(p, c, buf);
		return;
	}
	check_result(p, c, r, addr, mm);
}

/* ---- Shared memory -------------------------------------------------------- */

#define F_ADD_SEALS_ 1033
#define F_GET_SEALS_ 1034

/* Is this a call do_shared() applies? */
static bool is_shared_call(const struct call *c)
{
	switch (c->sc) {
	case SC_SHMGET:
	case SC_SHMAT:
	case SC_SHMDT:
	case SC_SHMCTL:
	case SC_FTRUNCATE:
	case SC_FALLOCATE:
	case SC_MEMFD_SECRET:
	case SC_MEMFD_CREATE:
		return true;
	case SC_FCNTL:
		return (c->has & 2) && (c->a[1] == F_ADD_SEALS_ || c->a[1] == F_GET_SEALS_);
	default:
		return false;
	}
}

/* A file the kernel made (memfd_create, memfd_secret): the model makes its
 * own, and the trace's descriptor names it. A call that failed in the model
 * but not in the log is a divergence; the descriptor's number is not. */
static void shared_new_file(struct pass *p, struct proc *pr, const struct call *c, long r,
			    vms_file *vf, const char *path)
{
	if (r == 0 && c->has_result && c->result >= 0 && pr->ft) {
		struct ofd *f = ofd_new_internal(path, vf);
		if (!f || fd_install(pr->ft, (uint64_t)c->result, f))
			r = -VMS_ENOMEM;
		vf = NULL;
	}
	vms_file_close(vf);
	check_result(p, c, r == 0 && c->has_result && c->result >= 0 ? c->result : r, false, NULL);
}

/* shmctl's IPC_STAT and SHM_STAT print the segment: shm_nattch must agree. */
static void check_nattch(struct pass *p, const struct call *c, long r,
			 const struct vms_shmid_ds *ds)
{
	const struct strace_arg *a = full_arg(c, 2);
	const struct strace_val *n = a && a->v.kind == SV_STRUCT ? strace_val_field(&a->v, "shm_nattch")
								 : NULL;
	char buf[96];
	if (r < 0 || !n || !n->has_num || n->num == ds->nattch || !c->has_result ||
	    c->result != r) {
		check_result(p, c, r, false, NULL);
		return;
	}
	count_diverged(p, c);
	snprintf(buf, sizeof(buf), "%ld {shm_nattch=%llu}", r, (unsigned long long)ds->nattch);
	print_divergence(p, c, buf);
}

/*
 * System V shared memory, memfd_create, memfd_secret, ftruncate and the
 * seals of fcntl. Segments belong to the system; a shmget that succeeded in
 * the log creates its segment with the log's id (kernel.shm_next_id, as
 * checkpoint/restore does), so later shmat and shmctl lines name the model's
 * segment and the maps show the log's inode numbers.
 */
static void do_shared(struct pass *p, struct proc *pr, const struct call *c)
{
	vms_mm *mm = pr->sp ? pr->sp->mm : NULL;
	const uint64_t *a = c->a;
	long r;
	if (!mm) {
		unsupported(p, c, "%s", space_why(pr));
		return;
	}
	switch (c->sc) {
	case SC_SHMGET:
		NEED(0x7);
		if (c->has_result && c->result >= 0)
			vms_sysctl_set(p->sys, "kernel.shm_next_id", (uint64_t)c->result);
		r = vms_shmget(mm, (int32_t)a[0], a[1], (int)a[2]);
		vms_sysctl_set(p->sys, "kernel.shm_next_id", UINT64_MAX);
		if (r == -VMS_ENOENT && c->has_result && c->result >= 0) {
			unsupported(p, c, "a segment made before the log started");
			return;
		}
		check_result(p, c, r, false, mm);
		return;
	case SC_SHMAT:
		NEED(0x7);
		check_result(p, c, vms_shmat(mm, (int)a[0], a[1], (int)a[2]), true, mm);
		return;
	case SC_SHMDT:
		NEED(0x1);
		check_result(p, c, vms_shmdt(mm, a[0]), false, mm);
		return;
	case SC_SHMCTL: {
		struct vms_shmid_ds ds;
		memset(&ds, 0, sizeof(ds));
		NEED(0x3);
		if (a[1] == VMS_IPC_SET) {
			const struct strace_arg *b = full_arg(c, 2);
			const struct strace_val *perm =
				b && b->v.kind == SV_STRUCT ? strace_val_field(&b->v, "shm_perm") : NULL;
			const struct strace_val *mode = perm ? strace_val_field(perm, "mode") : NULL;
			const struct strace_val *uid = perm ? strace_val_field(perm, "uid") : NULL;
			const struct strace_val *gid = perm ? strace_val_field(perm, "gid") : NULL;
			if (!mode || !mode->has_num || !uid || !uid->has_num || !gid || !gid->has_num) {
				unsupported(p, c, "IPC_SET without the owner and mode in the log");
				return;
			}
			ds.mode = (uint32_t)mode->num;
			ds.uid = (uint32_t)uid->num;
			ds.gid = (uint32_t)gid->num;
		}
		r = vms_shmctl(mm, (int)a[0], (int)a[1], &ds);
		if (a[1] == VMS_IPC_STAT || a[1] == VMS_SHM_STAT || a[1] == VMS_SHM_STAT_ANY)
			check_nattch(p, c, r, &ds);
		else
			check_result(p, c, r, false, mm);
		return;
	}
	case SC_MEMFD_CREATE: {
		const struct strace_arg *n = full_arg(c, 0);
		char path[300];
		vms_file *vf = NULL;
		NEED(0x2);
		if (!n || n->v.kind != SV_STR || n->v.str_truncated) {
			unsupported(p, c, "the name is not in the log (or cut short by strace -s)");
			return;
		}
		r = vms_memfd_create(p->sys, n->v.str, (unsigned)a[1], &vf);
		snprintf(path, sizeof(path), "/memfd:%s", n->v.str);
		shared_new_file(p, pr, c, r, vf, path);
		return;
	}
	case SC_MEMFD_SECRET: {
		vms_file *vf = NULL;
		NEED(0x1);
		r = vms_memfd_secret(p->sys, (unsigned)a[0], &vf);
		shared_new_file(p, pr, c, r, vf, "/secretmem");
		return;
	}
	case SC_FTRUNCATE:
	case SC_FALLOCATE:
	case SC_FCNTL: {
		struct ofd *f;
		vms_file *vf;
		NEED(c->sc == SC_FALLOCATE ? 0xf : 0x3);
		/* do_sys_ftruncate(): a negative length before the descriptor */
		if (c->sc == SC_FTRUNCATE && (int64_t)a[1] < 0) {
			check_result(p, c, -VMS_EINVAL, false, NULL);
			return;
		}
		if (!(f = fd_arg(pr, c, 0)) && fd_closed(pr->ft, a[0])) {
			/* fdget() finds nothing: ftruncate's negative length
			 * came first (above) */
			check_result(p, c, -VMS_EBADF, false, NULL);
			return;
		}
		if (!f) {
			unsupported(p, c, "an fd the log never opened (and no -y path)");
			return;
		}
		/* an anonymous inode (a pidfd, a userfaultfd) has its vms_file
		 * made now: the library's ftruncate knows what it refuses */
		if (c->sc == SC_FTRUNCATE && !f->vf && !f->memfd && !ofd_anon_inode(f)) {
			/* Not mapped yet: its vms_file is made when it is, from
			 * what fstat has said by then, with this size. Until then
			 * only the descriptor's access mode can refuse. */
			struct stat sb;
			bool special = f->chr || (!f->tmpfile && f->lookup && host_stat(p, f->lookup, &sb) &&
						  !S_ISREG(sb.st_mode));
			/* do_sys_ftruncate(): not a regular file (a device such as
			 * /dev/zero, a directory), or not open for writing */
			r = special || (f->oflags & 3) == VMS_O_RDONLY ? -VMS_EINVAL : 0;
			if (!r) {
				f->size = a[1];
				f->have_size = 1;
			}
			check_result(p, c, r, false, NULL);
			return;
		}
		if (!(vf = ofd_file(p, f, c->lineno))) {
			unsupported(p, c, "out of memory");
			return;
		}
		if (c->sc == SC_FTRUNCATE)
			r = vms_ftruncate(vf, (int64_t)a[1]);
		else if (c->sc == SC_FALLOCATE)
			r = vms_fallocate(vf, (int)a[1], (int64_t)a[2], (int64_t)a[3]);
		else if (a[1] == F_GET_SEALS_)
			r = vms_get_seals(vf);
		else if (c->has & 4)
			r = vms_add_seals(vf, (unsigned)a[2]);
		else {
			unsupported_arg(p, c, 4);
			return;
		}
		check_result(p, c, r, false, NULL);
		return;
	}
	default:
		unsupported(p, c, "not modelled");
		return;
	}
}

/* ---- Memory policy, protection keys, prctl, personality, credentials ---- */

/* get_nodes() reads, and copy_nodes_to_user() writes, at most 512 words. */
#define MASK_WORDS 520

/* A node mask as strace printed it: its words, NULL, or an address strace
 * could not read (a pointer to nothing: EFAULT when the kernel reads it).
 * Returns 0, or -1 when the log does not show it (cut short, not numbers). */
static int mask_from(const struct strace_val *v, uint64_t *words, const uint64_t **ptr,
		     size_t *n)
{
	*ptr = NULL;
	*n = 0;
	if (v->kind == SV_NULL || (v->kind != SV_ARRAY && v->has_num && v->num == 0))
		return 0;
	if (v->kind == SV_ARRAY) {
		if (v->elided || v->nfields > MASK_WORDS)
			return -1;
		for (int i = 0; i < v->nfields; i++) {
			if (!v->fields[i].v.has_num)
				return -1;
			words[i] = v->fields[i].v.num;
		}
		*ptr = words;
		*n = (size_t)v->nfields;
		return 0;
	}
	if (!v->has_num)
		return -1;
	*ptr = words;
	return 0;
}

/* An output the model wrote that the log shows otherwise: a divergence of
 * the call even though its result matched. */
static void output_diverged(struct pass *p, const struct call *c, const char *model)
{
	count_diverged(p, c);
	print_divergence(p, c, model);
}

static void do_get_mempolicy(struct pass *p, const struct call *c, vms_mm *mm)
{
	static uint64_t out[MASK_WORDS];
	const struct strace_arg *ma = full_arg(c, 0), *na = full_arg(c, 1);
	if (!ma || !na) {
		unsupported(p, c, "its arguments are not in the log");
		return;
	}
	int mode = 0;
	for (int i = 0; i < MASK_WORDS; i++)
		out[i] = 0xaaaaaaaaaaaaaaaaULL;
	/* Pointers are taken as writable: strace prints the values only when
	 * the call succeeded, and an address otherwise. */
	bool want_mode = ma->v.kind != SV_NULL && !(ma->v.has_num && ma->v.num == 0);
	bool want_mask = na->v.kind != SV_NULL && !(na->v.has_num && na->v.num == 0);
	long r = vms_get_mempolicy(mm, want_mode ? &mode : NULL, want_mask ? out : NULL,
				   want_mask ? MASK_WORDS : 0, c->a[2], c->a[3], c->a[4]);
	if (r == 0 && c->has_result && c->result == 0) {
		const struct strace_val *mv = ma->out ? ma->out : &ma->v;
		const struct strace_val *nv = na->out ? na->out : &na->v;
		char buf[96];
		if (want_mode && mv->kind == SV_ARRAY && mv->nfields == 1 &&
		    mv->fields[0].v.has_num && (int)mv->fields[0].v.num != mode) {
			snprintf(buf, sizeof(buf), "0, mode %#x", (unsigned)mode);
			output_diverged(p, c, buf);
			return;
		}
		for (int i = 0; want_mask && nv->kind == SV_ARRAY && i < nv->nfields &&
				i < MASK_WORDS;
		     i++) {
			if (nv->fields[i].v.has_num && nv->fields[i].v.num != out[i]) {
				snprintf(buf, sizeof(buf), "0, node mask word %d %#llx", i,
					 (unsigned long long)out[i]);
				output_diverged(p, c, buf);
				return;
			}
		}
	}
	check_result(p, c, r, false, mm);
}

/* capget/capset: {version=..., pid=...} and {effective=..., permitted=...,
 * inheritable=...}. */
static int cap_header(const struct call *c, uint32_t *version, int *pid)
{
	const struct strace_arg *h = full_arg(c, 0);
	const struct strace_val *v = h ? strace_arg_field(h, "version") : NULL;
	const struct strace_val *pv = h ? strace_arg_field(h, "pid") : NULL;
	if (!v || !pv || !v->has_num || !pv->has_num)
		return -1;
	*version = (uint32_t)v->num;
	*pid = (int)pv->num;
	return 0;
}

static int cap_sets(const struct strace_val *v, struct vms_cap_data *d)
{
	const struct strace_val *e = strace_val_field(v, "effective");
	const struct strace_val *pm = strace_val_field(v, "permitted");
	const struct strace_val *i = strace_val_field(v, "inheritable");
	if (v->kind != SV_STRUCT || !e || !pm || !i || !e->has_num || !pm->has_num || !i->has_num)
		return -1;
	d->effective = e->num;
	d->permitted = pm->num;
	d->inheritable = i->num;
	return 0;
}

static void do_capability(struct pass *p, struct proc *pr, const struct call *c, vms_mm *mm)
{
	uint32_t version;
	int pid;
	const struct strace_arg *da = full_arg(c, 1);
	if (!da || cap_header(c, &version, &pid)) {
		unsupported(p, c, "its header is not {version=N, pid=N} in the log");
		return;
	}
	if (pid != 0 && pid != pr->pid && c->sc == SC_CAPGET) {
		unsupported(p, c, "another process's capabilities");
		return;
	}
	struct vms_cap_data d = {0, 0, 0};
	bool null = da->v.kind == SV_NULL || (da->v.has_num && da->v.num == 0);
	long r;
	if (c->sc == SC_CAPSET) {
		if (!null && cap_sets(&da->v, &d)) {
			unsupported(p, c, "its capability sets are not in the log");
			return;
		}
		r = vms_capset(mm, version, pid, pr->pid, null ? NULL : &d);
	} else {
		r = vms_capget(mm, version, pid, pr->pid, null ? NULL : &d, NULL);
		struct vms_cap_data t;
		const struct strace_val *ov = da->out ? da->out : &da->v;
		if (r == 0 && !null && c->has_result && c->result == 0 && !cap_sets(ov, &t) &&
		    (t.effective != d.effective || t.permitted != d.permitted ||
		     t.inheritable != d.inheritable)) {
			char buf[128];
			snprintf(buf, sizeof(buf), "0 {effective=%#llx, permitted=%#llx, inheritable=%#llx}",
				 (unsigned long long)d.effective, (unsigned long long)d.permitted,
				 (unsigned long long)d.inheritable);
			output_diverged(p, c, buf);
			return;
		}
	}
	check_result(p, c, r, false, mm);
}

/* prctl's options that change memory rules (PR_SET_VMA: do_prctl). */
static void do_prctl_policy(struct pass *p, struct proc *pr, const struct call *c)
{
	vms_mm *mm = pr->sp ? pr->sp->mm : NULL;
	if (!mm) {
		unsupported(p, c, "%s", space_why(pr));
		return;
	}
	uint64_t arg[5] = {0, 0, 0, 0, 0};
	for (int i = 0; i < 5 && i < c->nargs; i++) {
		if (!(c->has & (1u << i))) {
			unsupported_arg(p, c, 1u << i);
			return;
		}
		arg[i] = c->a[i];
	}
	if (arg[0] == VMS_PR_SET_MM && arg[1] == VMS_PR_SET_MM_MAP && arg[3] == 104) {
		unsupported(p, c, "PR_SET_MM_MAP's structure is not in the log");
		return;
	}
	/* A single field is checked against all the others, and maps do not
	 * say where the arguments and environment are (exec sets them). */
	struct vms_prctl_mm_map b;
	struct vms_creds cr;
	vms_mm_get_mm_map(mm, &b);
	vms_mm_get_creds(mm, &cr);
	if (arg[0] == VMS_PR_SET_MM && arg[1] >= VMS_PR_SET_MM_START_CODE &&
	    arg[1] <= VMS_PR_SET_MM_ENV_END && !arg[3] && !arg[4] && ((cr.cap_effective >> 24) & 1) &&
	    (!b.arg_start || !b.env_start)) {
		unsupported(p, c, "the argument and environment boundaries are not in the log");
		return;
	}
	uint64_t before = map_count(mm);
	long r = vms_prctl(mm, (int)arg[0], arg[1], arg[2], arg[3], arg[4]);
	if (r == -VMS_ENOSYS) {
		unsupported(p, c, "a PR_SET_MM option the model does not apply (AUXV, EXE_FILE)");
		return;
	}
	count_vmas(p, SC_PRCTL, before, map_count(mm), r);
	check_result(p, c, r, false, mm);
}

static void do_policy(struct pass *p, struct proc *pr, const struct call *c)
{
	static uint64_t words[MASK_WORDS];
	vms_mm *mm = pr->sp ? pr->sp->mm : NULL;
	const uint64_t *a = c->a, *mask;
	size_t n;
	long r;
	bool addr = false;
	if (!mm) {
		unsupported(p, c, "%s", space_why(pr));
		return;
	}
	uint64_t before = map_count(mm);
	switch (c->sc) {
	case SC_MBIND:
	case SC_SET_MEMPOLICY: {
		int mi = c->sc == SC_MBIND ? 3 : 1;
		NEED(c->sc == SC_MBIND ? 0x37 : 0x5);
		const struct strace_arg *ma = full_arg(c, mi);
		uint64_t maxnode = c->sc == SC_MBIND ? a[4] : a[2];
		if (ma && ma->v.kind == SV_ARRAY && maxnode > 8 * VMS_PAGE_SIZE) {
			/* get_nodes(): over a page of bits is EINVAL before the
			 * mask is read (strace prints what it read anyway) */
			mask = words;
			n = 0;
		} else if (!ma || mask_from(&ma->v, words, &mask, &n)) {
			unsupported(p, c, "a node mask the log does not show in full");
			return;
		}
		if (c->sc == SC_MBIND)
			r = vms_mbind(mm, a[0], a[1], a[2], mask, n, a[4], (unsigned)a[5]);
		else
			r = vms_set_mempolicy(mm, (int)a[0], mask, n, a[2]);
		break;
	}
	case SC_GET_MEMPOLICY:
		NEED(0x1c);
		do_get_mempolicy(p, c, mm);
		return;
	case SC_SET_MEMPOLICY_HOME_NODE:
		NEED(0xf);
		r = vms_set_mempolicy_home_node(mm, a[0], a[1], a[2], a[3]);
		break;
	case SC_PKEY_ALLOC:
		NEED(0x3);
		r = vms_pkey_alloc(mm, a[0], a[1]);
		break;
	case SC_PKEY_FREE:
		NEED(0x1);
		r = vms_pkey_free(mm, (int)a[0]);
		break;
	case SC_MAP_SHADOW_STACK:
		NEED(0x7);
		r = vms_map_shadow_stack(mm, a[0], a[1], a[2]);
		addr = true;
		break;
	case SC_PERSONALITY:
		NEED(0x1);
		r = vms_personality(mm, a[0]);
		break;
	case SC_CAPGET:
	case SC_CAPSET:
		do_capability(p, pr, c, mm);
		return;
	case SC_SETUID:
	case SC_SETGID:
		NEED(0x1);
		r = c->sc == SC_SETUID ? vms_setuid(mm, (uint32_t)a[0]) : vms_setgid(mm, (uint32_t)a[0]);
		break;
	case SC_SETRESUID:
	case SC_SETRESGID:
		NEED(0x7);
		r = c->sc == SC_SETRESUID
			    ? vms_setresuid(mm, (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2])
			    : vms_setresgid(mm, (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2]);
		break;
	default:
		unsupported(p, c, "not modelled");
		return;
	}
	count_vmas(p, c->sc, before, map_count(mm), r);
	check_result(p, c, r, addr, mm);
}

/* ---- Applying one call ---------------------------------------------------- */

/* Counts a call in its row of the table; returns the row. */
static int count_name(struct pass *p, enum sc sc, const char *name, int *slot)
{
	struct replay_stats *st = p->st;
	int i;
	if (sc != SC_OTHER && slot[sc] >= 0) {
		st->names[slot[sc]].count++;
		return slot[sc];
	}
	/* other names by a hash (a log has thousands of reads and waits) */
	unsigned h = sc_hash_of(name) & 127, probes = 0;
	while (p->other_slot[h] && probes++ < 128) {
		i = p->other_slot[h] - 1;
		if (i < st->nnames && !strcmp(st->names[i].name, name)) {
			st->names[i].count++;
			return i;
		}
		h = (h + 1) & 127;
	}
	for (i = 0; i < st->nnames; i++)
		if (!strcmp(st->names[i].name, name))
			break;
	if (i == st->nnames) {
		if (st->nnames < REPLAY_MAX_NAMES - 1 && strlen(name) < sizeof(st->names[0].name)) {
			snprintf(st->names[i].name, sizeof(st->names[i].name), "%s", name);
			st->nnames++;
		} else {
			i = REPLAY_MAX_NAMES - 1;
			snprintf(st->names[i].name, sizeof(st->names[i].name), "(other)");
		}
	}
	if (i < st->nnames && !p->other_slot[h])
		p->other_slot[h] = (uint8_t)(i + 1);
	st->names[i].count++;
	if (sc != SC_OTHER && i < REPLAY_MAX_NAMES - 1)
		slot[sc] = i;
	return i;
}

void exit_space_procs(struct pass *p, struct space *sp)
{
	space_end(p, sp);
	/* The live processes in the order they came (proc_exit takes each
	 * out of the list). */
	for (int k = 0; k < p->nalive;) {
		struct proc *pr = &p->procs[p->alive[k]];
		if (pr->sp == sp)
			proc_exit(p, pr);
		else
			k++;
	}
}

static void apply_call_(struct pass *p, struct call *c, const char *name);

/* Applies a call, its decisions collected for --explain, --stats and
 * on_call_events (explain.c). */
static void apply_call_1(struct pass *p, struct call *c, const char *name)
{
	if (!p->hook) {
		apply_call_(p, c, name);
		return;
	}
	hook_begin(p, c);
	apply_call_(p, c, name);
	hook_end(p, c);
}

static void apply_call_(struct pass *p, struct call *c, const char *name)
{
	struct proc *pr;
	c->name = name;
	p->st->syscalls++;
	c->name_slot = count_name(p, c->sc, name, p->name_slot);
	if (c->full && c->full->too_big)
		bad_input(p, BAD_NUMBER, c->lineno, NULL,
			  "%s: the number %.40s%s in argument %d does not fit in 64 bits", name,
			  c->full->too_big, strlen(c->full->too_big) > 40 ? "..." : "",
			  c->full->too_big_arg);
	if (c->sc == SC_OTHER) {
		if (c->full && is_i386_only(name)) {
			bool mem = !strcmp(name, "mmap2");
			bad_input(p, BAD_I386, c->lineno,
				  mem ? "the call is counted unsupported" : "the call is skipped",
				  "%s is a 32-bit (i386) system call: vmspace models x86-64 "
				  "processes only",
				  name);
			if (mem) {
				unsupported(p, c, "a 32-bit (i386) call");
				return;
			}
		}
		p->st->skipped++;
		return;
	}
	pr = proc_for(p, c->pid, c->lineno);
	if (!pr) {
		if (is_memory_call(c->sc))
			unsupported(p, c, "out of memory");
		return;
	}
	p->last_pid = c->pid;
	bool first = pr->sp && pr->sp->first;
	switch (c->sc) {
	case SC_CLONE:
	case SC_CLONE3:
	case SC_FORK:
	case SC_VFORK:
		pending_clone_take(p, c->pid, c->lineno, NULL);
		if (first)
			p->mc.active = 0; /* see maps_check_call() */
		if (c->has_result && c->result > 0 && c->result <= INT_MAX && c->full &&
		    !pid_seen(p, (int)c->result))
			do_clone(p, pr, clone_flags(c->full, c->sc), (int)c->result, c->lineno);
		break;
	case SC_EXECVE:
	case SC_EXECVEAT:
		if (first && !p->first_done && p->o->initial_maps && c->has_result &&
		    c->result == 0)
			break; /* --initial-maps is its result */
		/* The maps describe the program before this exec: the calls
		 * of the next one say nothing about them (maps_check_call). */
		if (first && c->has_result && c->result == 0)
			p->mc.active = 0;
		do_execve(p, pr, c);
		break;
	case SC_EXIT_GROUP:
		exit_space_procs(p, pr->sp);
		break;
	case SC_EXIT:
		proc_exit(p, pr);
		break;
	case SC_PRLIMIT64:
	case SC_SETRLIMIT:
	case SC_GETRLIMIT:
		do_rlimit(p, pr, c);
		break;
	case SC_PRCTL:
		do_prctl(p, pr, c);
		break;
	case SC_GETPID:
		/* names the process for pidfd_open in a log without pids */
		if (c->has_result && c->result > 0 && c->result <= INT_MAX)
			pr->getpid = (int)c->result;
		break;
	case SC_UNLINK:
	case SC_UNLINKAT:
		files_unlink(p, pr, c);
		break;
	case SC_USERFAULTFD:
		do_userfaultfd(p, pr, c);
		break;
	case SC_IOCTL:
		do_uffd_ioctl(p, pr, c);
		break;
	case SC_MBIND:
	case SC_SET_MEMPOLICY:
	case SC_GET_MEMPOLICY:
	case SC_SET_MEMPOLICY_HOME_NODE:
	case SC_PKEY_ALLOC:
	case SC_PKEY_FREE:
	case SC_MAP_SHADOW_STACK:
	case SC_PERSONALITY:
	case SC_CAPGET:
	case SC_CAPSET:
	case SC_SETUID:
	case SC_SETRESUID:
	case SC_SETGID:
	case SC_SETRESGID:
		do_policy(p, pr, c);
		break;
	default:
		if (is_shared_call(c))
			do_shared(p, pr, c);
		else if (is_memory_call(c->sc))
			do_memory(p, pr, c);
		else
			do_files(pr, c);
		break;
	}
	if (first)
		p->first_done = 1;
}

/* The name of a call fast_parse() read. */
static const char *fast_name(enum sc sc)
{
	return sc == SC_MMAP ? "mmap" : sc == SC_MUNMAP ? "munmap" : sc == SC_MPROTECT ? "mprotect"
										: "brk";
}

/* A call, then what --html and --svg draw of it (html.c). */
static void apply_call(struct pass *p, struct call *c, const char *name)
{
	apply_call_1(p, c, name);
	if (p->html)
		html_after_call(p->html, p, c);
}

static void call_from_line(struct call *c, const struct strace_line *l, int pid, int lineno,
			   int end_lineno)
{
	memset(c, 0, sizeof(*c));
	c->sc = sc_of(l->name);
	c->pid = pid;
	c->lineno = lineno;
	c->end_lineno = end_lineno;
	c->nargs = l->nargs;
	for (int i = 0; i < l->nargs && i < 6; i++) {
		if (l->args[i].v.has_num) {
			c->a[i] = l->args[i].v.num;
			c->has |= 1u << i;
		}
	}
	c->has_result = l->kind == SL_CALL && l->has_result;
	c->result_unknown = l->result_unknown;
	c->result = l->result;
	c->full = l;
	c->text = l->text ? l->text : "";
	c->text_len = strlen(c->text);
}

/* An event from the joiner (or a re-parsed group item). */
static void apply_event(struct pass *p, const struct strace_line *l, int pid, int lineno,
			int end_lineno)
{
	struct call c;
	struct proc *pr;
	switch (l->kind) {
	case SL_CALL:
	case SL_UNFINISHED: /* abandoned: applied, its result unknown */
	case SL_RESUMED:    /* orphan: no arguments, so memory calls are unsupported */
		call_from_line(&c, l, pid, lineno, end_lineno);
		apply_call(p, &c, l->name);
		break;
	case SL_EXIT:
		pr = proc_find(p, pid);
		if (pr && l->exit_kind == STRACE_KILLED)
			exit_space_procs(p, pr->sp);
		else if (pr && l->exit_kind == STRACE_EXITED)
			proc_exit(p, pr);
		break;
	default:
		break;
	}
}

/* ---- Groups of overlapping calls ----------------------------------------- */

/* The first this many calls of a group keep their parse for flush_group(),
 * which would otherwise parse each again; the rest keep only their text
 * (a group lasts while any call is unfinished, which in a threaded program
 * can be the whole log, and a parse takes a few times a line's text). */
#define GROUP_PARSED_MAX 4096

static int group_grow(struct pass *p)
{
	if (p->ngroup == p->capgroup) {
		int n = p->capgroup ? p->capgroup * 2 : 16;
		struct gitem *v = realloc(p->group, (size_t)n * sizeof(*v));
		if (!v)
			return -1;
		p->group = v;
		p->capgroup = n;
	}
	return 0;
}

/* A plain memory call read by fast_parse() joins the group: its text is
 * the mapped log's, which outlives the group. */
static int group_push_fast(struct pass *p, const struct call *c, uint64_t start_seq)
{
	if (group_grow(p))
		return -1;
	struct gitem *g = &p->group[p->ngroup++];
	memset(g, 0, sizeof(*g));
	g->fast = true;
	g->call = *c;
	g->pid = c->pid;
	g->start_lineno = g->end_lineno = c->lineno;
	g->start_seq = start_seq;
	return 0;
}

static int group_push(struct pass *p, struct strace_event *ev)
{
	if (group_grow(p))
		return -1;
	struct gitem *g = &p->group[p->ngroup];
	g->text = NULL;
	g->parsed = NULL;
	g->fast = false;
	if (p->ngroup < GROUP_PARSED_MAX && ev->line.kind != SL_MALFORMED)
		g->parsed = malloc(sizeof(*g->parsed));
	if (g->parsed) {
		*g->parsed = ev->line;
		strace_line_init(&ev->line);
	} else {
		g->text = strdup(ev->line.text ? ev->line.text : "");
		if (!g->text)
			return -1;
	}
	g->pid = ev->pid;
	g->start_lineno = ev->start_lineno;
	g->end_lineno = ev->end_lineno;
	g->start_seq = ev->start_seq;
	g->abandoned = ev->abandoned;
	g->orphan = ev->orphan;
	p->ngroup++;
	return 0;
}

/* What the search learned about each group of a pass. */
struct group_info {
	int n;
	int first_line, last_line;
	int diverged;
	int start_order[MAX_ORDER + 1]; /* when n <= MAX_ORDER */
};

struct search {
	struct group_info *gi;
	int ngi, capgi;
};

static void gitem_free(struct gitem *g)
{
	free(g->text);
	if (g->parsed) {
		strace_line_free(g->parsed);
		free(g->parsed);
	}
}

static void flush_group(struct pass *p, struct search *se)
{
	int n = p->ngroup, idx = p->group_index++;
	int ident[MAX_ORDER + 1];
	const int *order = NULL;
	if (!n)
		return;
	if (idx < p->nov && p->ov[idx].n == n)
		order = p->ov[idx].big ? p->ov[idx].big : p->ov[idx].order;
	if (!order && n <= MAX_ORDER) {
		for (int i = 0; i < n; i++)
			ident[i] = i;
		order = ident;
	}
	p->group_diverged = 0;
	for (int k = 0; k < n; k++) {
		struct gitem *g = &p->group[order ? order[k] : k];
		if (g->fast) {
			/* a call may be applied again in another order */
			struct call c = g->call;
			apply_call(p, &c, fast_name(c.sc));
			continue;
		}
		if (g->parsed) {
			apply_event(p, g->parsed, g->pid, g->start_lineno, g->end_lineno);
			continue;
		}
		p->scratch.lineno = g->start_lineno;
		if (strace_parse_line(g->text, &p->scratch, NULL, 0) == 0)
			apply_event(p, &p->scratch, g->pid, g->start_lineno, g->end_lineno);
	}
	if (se) {
		if (se->ngi == se->capgi) {
			int c = se->capgi ? se->capgi * 2 : 16;
			struct group_info *v = realloc(se->gi, (size_t)c * sizeof(*v));
			if (v) {
				se->gi = v;
				se->capgi = c;
			}
		}
		if (se->ngi < se->capgi && se->ngi == idx) {
			struct group_info *gi = &se->gi[se->ngi++];
			memset(gi, 0, sizeof(*gi));
			gi->n = n;
			gi->diverged = p->group_diverged;
			gi->first_line = INT_MAX;
			for (int i = 0; i < n; i++) {
				if (p->group[i].start_lineno < gi->first_line)
					gi->first_line = p->group[i].start_lineno;
				if (p->group[i].end_lineno > gi->last_line)
					gi->last_line = p->group[i].end_lineno;
			}
			if (n <= MAX_ORDER) {
				/* start order: by start_seq */
				for (int i = 0; i < n; i++)
					gi->start_order[i] = i;
				for (int i = 1; i < n; i++)
					for (int j = i; j > 0 &&
							p->group[gi->start_order[j - 1]].start_seq >
								p->group[gi->start_order[j]].start_seq;
					     j--) {
						int t = gi->start_order[j];
						gi->start_order[j] = gi->start_order[j - 1];
						gi->start_order[j - 1] = t;
					}
			}
		}
	}
	if (p->group_diverged && p->first_bad_group < 0 && !(p->tried && p->tried[idx]))
		p->first_bad_group = idx;
	for (int i = 0; i < n; i++)
		gitem_free(&p->group[i]);
	p->ngroup = 0;
	if (p->stop_after == idx)
		p->stopped = 1;
}

/* ---- One pass over the trace --------------------------------------------- */

struct space *first_space(struct pass *p)
{
	struct space *s = NULL;
	for (int i = 0; i < p->nspaces; i++)
		if (p->spaces[i]->first)
			s = p->spaces[i];
	return s;
}

static void print_all_maps(struct pass *p, const char *when)
{
	for (int i = 0; i < p->nspaces; i++) {
		struct space *s = p->spaces[i];
		char *live = s->mm ? report_of(p, s->mm) : NULL;
		const char *text = s->mm ? live : s->maps_at_exit;
		if (!text)
			continue;
		fprintf(p->out, "== pid %d%s%s%s%s%s ==\n%s", s->id, s->prog ? " (" : "",
			s->prog ? s->prog : "", s->prog ? ")" : "", s->mm ? "" : " (at its exit)",
			when, text);
		free(live);
	}
}

/* Builds the system and the first address space. Returns 0 or 2. */
static int pass_init(struct pass *p, const struct replay_opts *o, struct replay_stats *st)
{
	p->o = o;
	p->st = st;
	p->stop_after = -1;
	p->first_bad_group = -1;
	for (int i = 0; i < SC_NCALLS; i++)
		p->name_slot[i] = -1;
	p->sys = vms_sys_new();
	if (!p->sys)
		return 2;
	p->host_files = host_files_new(); /* NULL: uncached, which is only slower */
	if (settings_build(o, p->sys, &p->cfg, NULL, p->err))
		return 2;

	vms_mm *mm = vms_mm_new(p->sys, &p->cfg);
	if (!mm)
		return 2;
	if (o->initial_maps) {
		int bad = 0;
		/* a snapshot taken right after the trace's leading execve shows no
		 * RELRO yet (see VMS_IMPORT_AT_EXEC) */
		int e = vms_mm_import_maps_flags(mm, o->initial_maps, p->start_brk,
						 p->leading_execve ? VMS_IMPORT_AT_EXEC : 0, &bad);
		if (e) {
			if (p->err)
				fprintf(p->err, "vmspace: --initial-maps: line %d: %s\n", bad,
					vms_strerror(e));
			vms_mm_free(mm);
			return 2;
		}
		p->brk_set = 1;
		maps_check_init(&p->mc, o->initial_maps);
	} else if (p->start_brk) {
		vms_mm_set_brk_start(mm, p->start_brk);
		p->brk_set = 1;
	}
	struct space *s = space_new(p, mm);
	if (!s) {
		vms_mm_free(mm);
		return 2;
	}
	s->first = 1;
	p->hook = hook_new(p); /* after the initial maps: their import is no call */
	return 0;
}

static void pass_free(struct pass *p)
{
	for (int i = 0; i < p->nprocs; i++)
		proc_exit(p, &p->procs[i]);
	for (int i = 0; i < p->nspaces; i++) {
		space_end(p, p->spaces[i]);
		free(p->spaces[i]->maps_at_exit);
		free(p->spaces[i]->prog);
		free(p->spaces[i]);
	}
	free(p->spaces);
	free(p->procs);
	pidset_free(&p->seen);
	free(p->alive);
	free(p->pclones);
	for (int i = 0; i < p->ngroup; i++)
		gitem_free(&p->group[i]);
	free(p->group);
	free(p->mapsbuf);
	for (int i = 0; i < p->nunmatched; i++)
		free(p->unmatched[i]);
	free(p->unmatched);
	free(p->mc.known);
	strace_line_free(&p->scratch);
	host_files_free(p->host_files);
	vms_sys_free(p->sys);
	hook_free(p->hook); /* after the system, which might still report */
}

/* One note for the whole replay, since a log recorded on another machine
 * would otherwise warn on every library it maps. */
void note_unmatched_paths(const struct pass *p)
{
	if (!p->err || !p->nunmatched)
		return;
	fprintf(p->err,
		"vmspace replay: note: %d mapped file%s could not be matched to this host's "
		"files (first: %s at line %d); %s maps lines show the trace's paths\n",
		p->nunmatched, p->nunmatched == 1 ? "" : "s", p->unmatched[0], p->unmatched_line,
		p->nunmatched == 1 ? "its" : "their");
}

/* The next physical line of text: [*pos, eol); returns its length, or -1. */
static long next_line(const char *text, size_t len, size_t *pos, const char **line)
{
	size_t s = *pos, e;
	const char *nl;
	if (s >= len)
		return -1;
	nl = memchr(text + s, '\n', len - s);
	e = nl ? (size_t)(nl - text) : len;
	*line = text + s;
	*pos = nl ? e + 1 : len;
	if (e > s && text[e - 1] == '\r')
		e--;
	return (long)(e - s);
}

/* The end of the log: what only the whole of it tells. A log without a
 * single system call is not an strace log, and replaying "0 calls" from it
 * would hide that: it is an error even without --strict. */
static void pass_end(struct pass *p, size_t len)
{
	const char *name = p->o->name ? p->o->name : "-";
	bad_input_tally(p);
	if (p->st->syscalls == 0) {
		if (p->err) {
			if (len == 0)
				fprintf(p->err, "%s: error: the log is empty", name);
			else
				fprintf(p->err,
					"%s: error: no system call line in its %d line%s: this is "
					"not an strace log",
					name, p->last_line, p->last_line == 1 ? "" : "s");
			fprintf(p->err, " (record one with strace -f -o LOG PROGRAM, or "
					"scripts/record.sh)\n");
		}
		p->exit_code = 2;
		return;
	}
	if (p->o->at_line > 0 && p->last_line < p->o->at_line)
		bad_input(p, BAD_AT, p->last_line, NULL,
			  "--at %ld is past the end of the log (its last line is %d); no maps "
			  "printed",
			  p->o->at_line, p->last_line);
}

/* Does an unfinished call of this name hold the calls after it in a group?
 * Only one the replay applies: the order of overlapping calls matters where
 * one of them changes or reads what the model keeps, and a call it skips
 * (wait4, read, futex) does neither. A shell waiting in wait4 or read for
 * its child would otherwise put the child's whole life, from its execve on,
 * in one group, parsed in full and held until the wait returns. */
static bool opens_group(const char *name)
{
	return sc_of(name) != SC_OTHER || is_i386_only(name);
}

/* The calls whose arguments the replay reads: those it applies, and the
 * i386 ones it names. The rest (reads, waits, signal masks: most of a long
 * log) are parsed without their arguments (strace_parse_line_some). */
static int args_read(const char *name)
{
	return opens_group(name);
}

/* An interactive session's own lines (replay_stream): "maps" prints the
 * maps of the last call's process, "maps all" every process's, "help" what
 * can be typed. Returns true when the line was one of them. */
static bool stream_command(struct pass *p, const char *s, long n)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	if (n == 4 && !memcmp(s, "maps", 4)) {
		struct proc *pr = p->last_pid || p->nprocs ? proc_find(p, p->last_pid) : NULL;
		const struct space *sp = pr ? pr->sp : first_space(p);
		if (sp && sp->mm)
			fprintf(p->out, "%s", maps_of(p, sp->mm));
		else
			fprintf(p->out, "(no address space)\n");
		return true;
	}
	if (n == 8 && !memcmp(s, "maps all", 8)) {
		print_all_maps(p, "");
		return true;
	}
	if (n == 4 && !memcmp(s, "help", 4)) {
		fprintf(p->out, "type a system call in strace syntax, e.g.\n"
				"  mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)\n"
				"(without a result, or with = ? or the result a log shows), or:\n"
				"  maps       the maps of the process of the last call\n"
				"  maps all   every process's maps\n");
		return true;
	}
	return false;
}

/* Runs the whole trace once: text, or (stream not NULL) the lines of
 * stream as they arrive (replay_stream). */
static void pass_run(struct pass *p, const char *text, size_t len, struct search *se, FILE *stream)
{
	struct strace_joiner *j = strace_joiner_new(STRACE_ORDER_COMPLETION);
	struct strace_line line;
	struct strace_event ev;
	struct strace_reader rd;
	FILE *mf = NULL;
	char err[160];
	char *copy = NULL;
	size_t copycap = 0, pos = 0;
	uint64_t next_progress = 1 << 16;
	int lineno = 0;
	/* strace without -o can cut a line with "strace: Process N attached":
	 * then strace_reader glues them, else lines are split here (faster) */
	bool glue = stream || memmem(text, len, "strace: Process ", 16) != NULL;
	char *ibuf = NULL; /* an interactive line completed with " = ?" */

	memset(&line, 0, sizeof(line));
	memset(&ev, 0, sizeof(ev));
	if (!j)
		return;
	if (glue) {
		mf = stream ? stream : fmemopen((void *)text, len, "r");
		if (!mf) {
			strace_joiner_free(j);
			return;
		}
		strace_reader_init(&rd, mf);
	}
	p->unprefixed_ok = 1;
	while (!p->stopped && p->exit_code != 2) {
		const char *s;
		long n;
		int ln;
		if (glue) {
			s = strace_reader_next(&rd, &ln);
			if (!s)
				break;
			n = (long)strlen(s);
			lineno = ln;
			if (stream) {
				if (n > 0 && s[n - 1] == '\n')
					n--;
				if (p->out)
					fflush(p->out);
				if (stream_command(p, s, n)) {
					if (p->out)
						fflush(p->out);
					continue;
				}
				/* a call typed without its result */
				long e = n;
				while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r'))
					e--;
				if (e > 0 && s[e - 1] == ')') {
					char *b = realloc(ibuf, (size_t)e + 8);
					if (b) {
						ibuf = b;
						memcpy(ibuf, s, (size_t)e);
						memcpy(ibuf + e, " = ?", 5);
						s = ibuf;
						n = e + 4;
					}
				}
			}
		} else {
			n = next_line(text, len, &pos, &s);
			if (n < 0)
				break;
			lineno++;
		}
		p->st->lines++;
		p->last_line = lineno;
		if (p->progress && p->st->lines >= next_progress) {
			next_progress += 1 << 18;
			fprintf(p->progress, "\rvmspace: replaying line %d (%d%%)", lineno,
				(int)((double)(glue ? (size_t)ftell(mf) : pos) * 100 / (double)(len ? len : 1)));
		}
		/* the fast path: a plain memory call read without the parser, of
		 * a process whose pid the joiner would give it as is. Applied at
		 * once, or, inside a group of overlapping calls (a vfork child
		 * runs while its parent's vfork is unfinished), joining it in the
		 * places the joiner gives it (strace_joiner_pass_by). */
		bool in_group = p->unfinished > 0 || p->ngroup > 0;
		if (n > 0 && (!in_group || (!glue && p->prefixed))) {
			struct call c;
			const char *q = s;
			int pid = 0;
			bool ok = false;
			uint64_t sseq = 0, eseq;
			if (*q >= '0' && *q <= '9') {
				if (p->prefixed) {
					/* a longer number is no pid: the parser says so */
					while (*q >= '0' && *q <= '9' && pid < 100000000)
						pid = pid * 10 + (*q++ - '0');
					if (*q == ' ') {
						while (*q == ' ')
							q++;
						ok = in_group || proc_find(p, pid) != NULL;
					}
				}
			} else {
				ok = !in_group && p->unprefixed_ok && p->saw_first;
			}
			if (ok && fast_parse(q, (size_t)(n - (q - s)), &c) &&
			    (!in_group || strace_joiner_pass_by(j, pid, &sseq, &eseq))) {
				c.pid = pid;
				c.lineno = c.end_lineno = lineno;
				c.text = s;
				c.text_len = (size_t)n;
				if (!in_group) {
					apply_call(p, &c, fast_name(c.sc));
				} else {
					p->unprefixed_ok = 0;
					if (group_push_fast(p, &c, sseq))
						break;
				}
				goto after;
			}
		}
		/* the full parser needs a NUL-terminated line */
		if ((size_t)n + 1 > copycap) {
			copycap = (size_t)n + 256;
			free(copy);
			copy = malloc(copycap);
			if (!copy)
				break;
		}
		memcpy(copy, s, (size_t)n);
		copy[n] = '\0';
		line.lineno = lineno;
		long bin = binary_byte(s, (size_t)n);
		if (bin >= 0) {
			const char *what = lineno == 1 && text ? binary_kind(text, len) : NULL;
			p->st->malformed++;
			if (what) {
				/* a program or an archive, not a log with some damage:
				 * strings in it may look like calls, but replaying them
				 * would be nonsense */
				if (p->err)
					fprintf(p->err, "%s:1: error: binary data: %s\n",
						p->o->name ? p->o->name : "-", what);
				p->st->bad_input++;
				p->exit_code = 2;
				break;
			}
			bad_input(p, BAD_BINARY, lineno, "line skipped",
				  "binary data (byte 0x%02x in column %ld), not strace output",
				  (unsigned char)s[bin], bin + 1);
			if (p->exit_code == 2)
				break;
			goto after;
		}
		if (strace_parse_line_some(copy, &line, err, sizeof(err), args_read)) {
			p->st->malformed++;
			bad_input(p, BAD_MALFORMED, lineno, "line skipped", "%s", err);
			if (p->exit_code == 2)
				break;
			goto after;
		}
		line.lineno = lineno;
		if (line.kind == SL_OTHER) {
			if (line.text && !strncmp(line.text, "strace: Process ", 16))
				p->unprefixed_ok = 0;
			if (line.text && (strstr(line.text, "runs in 32 bit mode") ||
					  strstr(line.text, "runs in x32 mode")))
				bad_input(p, BAD_I386, lineno, NULL,
					  "strace says the process runs in %s mode: vmspace models "
					  "x86-64 processes only",
					  strstr(line.text, "x32") ? "x32" : "32 bit");
		} else if (!p->saw_first) {
			p->saw_first = 1;
			p->prefixed = line.pid != 0;
		}
		if (line.pid)
			p->unprefixed_ok = 0;
		if (line.kind == SL_UNFINISHED) {
			enum sc sc = sc_of(line.name);
			if (opens_group(line.name))
				p->unfinished++;
			if (sc == SC_CLONE || sc == SC_CLONE3 || sc == SC_FORK || sc == SC_VFORK)
				pending_clone_add(p, line.pid, clone_flags(&line, sc), lineno);
		}
		if (strace_joiner_feed_take(j, &line))
			break;
		while (strace_joiner_next(j, &ev, err, sizeof(err))) {
			bool was_open = (ev.abandoned || ev.start_lineno != ev.end_lineno) && !ev.orphan;
			if (was_open && opens_group(ev.line.name) && p->unfinished > 0)
				p->unfinished--;
			if (ev.line.kind == SL_MALFORMED) {
				p->st->malformed++;
				bad_input(p, BAD_MALFORMED, ev.start_lineno, "call skipped", "%s",
					  err);
				continue;
			}
			if (p->unfinished > 0 || p->ngroup > 0 || was_open) {
				if (group_push(p, &ev))
					break;
			} else {
				apply_event(p, &ev.line, ev.pid, ev.start_lineno, ev.end_lineno);
			}
		}
		if (p->unfinished == 0 && p->ngroup > 0)
			flush_group(p, se);
after:
		if (p->o->at_line > 0 && !p->at_done && lineno >= p->o->at_line && p->out) {
			char when[48];
			p->at_done = 1;
			snprintf(when, sizeof(when), " after line %d", lineno);
			print_all_maps(p, when);
		}
		if (stream && p->out)
			fflush(p->out);
	}
	if (!p->stopped && p->exit_code != 2) {
		strace_joiner_finish(j);
		while (strace_joiner_next(j, &ev, err, sizeof(err))) {
			if (ev.line.kind == SL_MALFORMED) {
				p->st->malformed++;
				bad_input(p, BAD_MALFORMED, ev.start_lineno, "call skipped", "%s",
					  err);
			} else if (group_push(p, &ev)) {
				break;
			}
		}
		p->unfinished = 0;
		flush_group(p, se);
	}
	if (p->progress && p->st->lines > (1 << 16))
		fprintf(p->progress, "\r\033[K");
	if (glue && rd.phys > p->last_line)
		p->last_line = rd.phys;
	if (!p->stopped && p->exit_code != 2)
		pass_end(p, len);
	free(copy);
	strace_line_free(&line);
	strace_event_free(&ev);
	strace_joiner_free(j);
	if (glue) {
		strace_reader_free(&rd);
		if (!stream)
			fclose(mf);
	}
	free(ibuf);
}

/* ---- The driver ----------------------------------------------------------- */

/* start_brk when not given: the first brk(NULL) result in the trace. */
static uint64_t scan_start_brk(const char *text, size_t len)
{
	const char *hit = memmem(text, len, "brk(NULL)", 9);
	struct strace_line l;
	uint64_t v = 0;
	if (!hit)
		return 0;
	const char *s = hit;
	while (s > text && s[-1] != '\n')
		s--;
	const char *e = memchr(hit, '\n', len - (size_t)(hit - text));
	size_t n = e ? (size_t)(e - s) : len - (size_t)(s - text);
	char *copy = malloc(n + 1);
	if (!copy)
		return 0;
	memcpy(copy, s, n);
	copy[n] = '\0';
	memset(&l, 0, sizeof(l));
	if (strace_parse_line(copy, &l, NULL, 0) == 0 && l.kind == SL_CALL && l.has_result &&
	    l.result > 0 && !strcmp(l.name, "brk"))
		v = (uint64_t)l.result;
	strace_line_free(&l);
	free(copy);
	return v;
}

/* Is the first call of the trace an execve? */
static int scan_leading_execve(const char *text, size_t len)
{
	size_t pos = 0;
	const char *s;
	long n;
	while ((n = next_line(text, len, &pos, &s)) >= 0) {
		const char *q = s, *end = s + n;
		while (q < end && ((*q >= '0' && *q <= '9') || *q == ' ' || *q == '[' ||
				   *q == ']' || *q == '.' || *q == ':' || *q == 'p' || *q == 'i' ||
				   *q == 'd'))
			q++; /* "[pid  N] ", "N ", timestamps */
		if (q == end || (end - q >= 7 && !memcmp(q, "strace:", 7)))
			continue;
		return end - q >= 7 && !memcmp(q, "execve(", 7);
	}
	return 0;
}

void replay_stats_free(struct replay_stats *st)
{
	if (st) {
		free(st->final_maps);
		st->final_maps = NULL;
	}
}

/* What one pass wrote to out and err, in the order it wrote it: a pass
 * that may turn out to be the final one writes here, and the text goes to
 * the real streams only when it did (held_release), in the same order, so
 * that the streams see the same writes as from a final pass of their own. */
struct held_chunk {
	FILE *to;
	size_t off, len;
};
struct held {
	FILE *out, *err; /* the pass's streams (NULL where the caller gave none) */
	char *buf;
	size_t len, cap;
	struct held_chunk *chunks;
	size_t nchunks, capchunks;
	int failed; /* out of memory: the text is incomplete */
};
struct held_stream {
	struct held *h;
	FILE *to;
};

static ssize_t held_write(void *cookie, const char *data, size_t n)
{
	struct held_stream *hs = cookie;
	struct held *h = hs->h;
	if (h->len + n > h->cap) {
		size_t cap = h->cap ? h->cap : 4096;
		while (cap < h->len + n)
			cap *= 2;
		char *b = realloc(h->buf, cap);
		if (!b) {
			h->failed = 1;
			return (ssize_t)n;
		}
		h->buf = b;
		h->cap = cap;
	}
	memcpy(h->buf + h->len, data, n);
	if (h->nchunks && h->chunks[h->nchunks - 1].to == hs->to) {
		h->chunks[h->nchunks - 1].len += n;
	} else {
		if (h->nchunks == h->capchunks) {
			size_t c = h->capchunks ? h->capchunks * 2 : 16;
			struct held_chunk *v = realloc(h->chunks, c * sizeof(*v));
			if (!v) {
				h->failed = 1;
				return (ssize_t)n;
			}
			h->chunks = v;
			h->capchunks = c;
		}
		h->chunks[h->nchunks++] = (struct held_chunk){hs->to, h->len, n};
	}
	h->len += n;
	return (ssize_t)n;
}

static int held_close(void *cookie)
{
	free(cookie);
	return 0;
}

/* Unbuffered, so that each write reaches held_write in program order. */
static FILE *held_stream(struct held *h, FILE *to)
{
	if (!to)
		return NULL;
	struct held_stream *hs = malloc(sizeof(*hs));
	if (!hs)
		return NULL;
	*hs = (struct held_stream){h, to};
	cookie_io_functions_t io = {.write = held_write, .close = held_close};
	FILE *f = fopencookie(hs, "w", io);
	if (!f) {
		free(hs);
		return NULL;
	}
	setvbuf(f, NULL, _IONBF, 0);
	return f;
}

static void held_drop(struct held *h)
{
	if (h->out)
		fclose(h->out);
	if (h->err)
		fclose(h->err);
	free(h->buf);
	free(h->chunks);
	memset(h, 0, sizeof(*h));
}

static bool held_open(struct held *h, FILE *out, FILE *err)
{
	memset(h, 0, sizeof(*h));
	h->out = held_stream(h, out);
	h->err = held_stream(h, err);
	if ((out && !h->out) || (err && !h->err)) {
		held_drop(h);
		return false;
	}
	return true;
}

/* Gives the held text to the real streams; false (and nothing written)
 * when some of it was lost. */
static bool held_release(struct held *h)
{
	if (h->out)
		fflush(h->out);
	if (h->err)
		fflush(h->err);
	bool ok = !h->failed;
	for (size_t i = 0; ok && i < h->nchunks; i++)
		fwrite(h->buf + h->chunks[i].off, 1, h->chunks[i].len, h->chunks[i].to);
	held_drop(h);
	return ok;
}

/* One pass; returns its exit code (0 or 2). */
static int run_once(const struct replay_opts *o, const char *text, size_t len, uint64_t sbrk,
		    int lead_exec,
		    struct override *ov, int nov, int *tried, int stop_after, FILE *out, FILE *err,
		    FILE *progress, struct replay_stats *st, struct search *se, int *first_bad,
		    struct learn_set *learn, int final)
{
	struct pass p;
	memset(&p, 0, sizeof(p));
	p.learn = learn;
	p.final = final;
	memset(st, 0, sizeof(*st));
	p.out = out;
	p.err = err;
	p.progress = o->progress ? progress : NULL;
	p.start_brk = sbrk;
	p.leading_execve = lead_exec;
	int rc = pass_init(&p, o, st);
	if (rc) {
		pass_free(&p);
		return rc;
	}
	p.ov = ov;
	p.nov = nov;
	p.tried = tried;
	p.stop_after = stop_after;
	/* a pass with output may be the last: --html draws it */
	if (out && o->html) {
		p.html = o->html;
		html_pass_begin(p.html);
	}
	pass_run(&p, text, len, se, NULL);
	note_unmatched_paths(&p);
	rc = p.exit_code;
	if (first_bad)
		*first_bad = p.first_bad_group;
	if (out && (o->print_maps || o->print_smaps || o->print_smaps_rollup))
		print_all_maps(&p, " at the end");
	if (rc == 0)
		hook_finish(&p);
	/* the first process's maps when it did not exit in the trace */
	struct space *fs = first_space(&p);
	if (fs && fs->mm) {
		free(st->final_maps);
		st->final_maps = strdup(maps_of(&p, fs->mm));
	}
	pass_free(&p);
	return rc;
}

static bool next_perm(int *a, int n)
{
	int i = n - 2, j = n - 1;
	while (i >= 0 && a[i] >= a[i + 1])
		i--;
	if (i < 0)
		return false;
	while (a[j] <= a[i])
		j--;
	int t = a[i];
	a[i] = a[j];
	a[j] = t;
	for (int l = i + 1, r = n - 1; l < r; l++, r--) {
		t = a[l];
		a[l] = a[r];
		a[r] = t;
	}
	return true;
}

#define MAX_PASSES 200
#define REASONS_SHOWN 4

/* "unsupported: 12 x why, 3 x why": the commonest reasons, commonest first,
 * on the line after the summary (which keeps its own format for tools). */
static void print_reasons(FILE *out, const struct replay_stats *st)
{
	int order[REPLAY_MAX_REASONS], n = st->nreasons;
	uint64_t rest = st->reasons[REPLAY_MAX_REASONS - 1].count;
	for (int i = 0; i < n; i++)
		order[i] = i;
	/* by count, the first seen first among equals */
	for (int i = 1; i < n; i++)
		for (int j = i;
		     j > 0 && st->reasons[order[j - 1]].count < st->reasons[order[j]].count; j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	fputs("unsupported:", out);
	for (int i = 0; i < n; i++) {
		if (i < REASONS_SHOWN)
			fprintf(out, "%s %llu x %s", i ? "," : "",
				(unsigned long long)st->reasons[order[i]].count,
				st->reasons[order[i]].text);
		else
			rest += st->reasons[order[i]].count;
	}
	if (rest)
		fprintf(out, "%s %llu x other reasons (--unsupported lists every call)",
			n ? "," : "", (unsigned long long)rest);
	fputc('\n', out);
}

static int cmp_rows(const void *a, const void *b)
{
	const struct replay_name_count *x = *(const struct replay_name_count *const *)a;
	const struct replay_name_count *y = *(const struct replay_name_count *const *)b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->name, y->name);
}

static void table_row(FILE *out, const char *name, uint64_t n, uint64_t m, uint64_t d,
		      uint64_t u)
{
	/* other: followed (fork, open, close) or skipped, nothing to compare */
	uint64_t rest = n >= m + d + u ? n - m - d - u : 0;
	fprintf(out, "%-24s %10llu %10llu %10llu %11llu %10llu\n", name, (unsigned long long)n,
		(unsigned long long)m, (unsigned long long)d, (unsigned long long)u,
		(unsigned long long)rest);
}

void replay_print_table(FILE *out, const struct replay_stats *st)
{
	const struct replay_name_count *rows[REPLAY_MAX_NAMES];
	int n = 0;
	uint64_t t[4] = {0, 0, 0, 0};
	for (int i = 0; i < st->nnames && i < REPLAY_MAX_NAMES - 1; i++)
		rows[n++] = &st->names[i];
	if (st->names[REPLAY_MAX_NAMES - 1].count)
		rows[n++] = &st->names[REPLAY_MAX_NAMES - 1]; /* "(other)" */
	qsort(rows, (size_t)n, sizeof(rows[0]), cmp_rows);
	fprintf(out, "%-24s %10s %10s %10s %11s %10s\n", "syscall", "calls", "matched", "diverged",
		"unsupported", "other");
	for (int i = 0; i < n; i++) {
		table_row(out, rows[i]->name, rows[i]->count, rows[i]->matched, rows[i]->diverged,
			  rows[i]->unsupported);
		t[0] += rows[i]->count;
		t[1] += rows[i]->matched;
		t[2] += rows[i]->diverged;
		t[3] += rows[i]->unsupported;
	}
	table_row(out, "total", t[0], t[1], t[2], t[3]);
}

int replay_run(const struct replay_opts *o, const char *text, size_t len, FILE *out, FILE *err,
	       struct replay_stats *st_out)
{
	struct replay_stats st;
	struct search se = {0};
	struct override *ov = NULL;
	int *tried = NULL, nov = 0, passes = 0, rc;
	int unexplained = 0;
	uint64_t sbrk = o->start_brk ? o->start_brk : scan_start_brk(text, len);
	int lead_exec = scan_leading_execve(text, len);
	struct learn_set learn = {0};

	/* --follow: learn each execve's random choices from the results that
	 * show them, a pass each, before anything else (replay_exec.c). */
	if (o->follow && memmem(text, len, "execve", 6)) {
		for (int i = 0; i < 16; i++) {
			learn.changed = 0;
			rc = run_once(o, text, len, sbrk, lead_exec, NULL, 0, NULL, -1, NULL, NULL,
				      NULL, &st, NULL, NULL, &learn, 0);
			passes++;
			replay_stats_free(&st);
			if (rc || !learn.changed)
				break;
		}
	}
	learn.frozen = 1;

	bool done = false; /* the last pass ran already (its output held) */
	if (memmem(text, len, "<unfinished ...>", 16)) {
		/* find an order for each group of overlapping calls that diverges */
		for (;;) {
			int bad = -1;
			se.ngi = 0;
			/* Before any order is chosen this pass is the final one
			 * unless a group diverges: its output is held, to be
			 * given out if so, which saves a pass of the whole log. */
			struct held h;
			/* on_call_events cannot be taken back: no held pass then */
			bool hold = nov == 0 && !o->on_call_events && held_open(&h, out, err);
			rc = run_once(o, text, len, sbrk, lead_exec, ov, nov, tried, -1,
				      hold ? h.out : NULL, hold ? h.err : NULL, hold ? err : NULL,
				      &st, &se, &bad, &learn, hold);
			passes++;
			if (hold && rc == 0 && bad < 0 && held_release(&h)) {
				done = true;
				break;
			}
			if (hold)
				held_drop(&h);
			replay_stats_free(&st);
			if (rc || bad < 0 || passes >= MAX_PASSES || bad >= se.ngi)
				break;
			if (nov < se.ngi) {
				struct override *nv = realloc(ov, (size_t)se.ngi * sizeof(*nv));
				int *nt = realloc(tried, (size_t)se.ngi * sizeof(*nt));
				if (nv)
					ov = nv;
				if (nt)
					tried = nt;
				if (!nv || !nt)
					break;
				memset(ov + nov, 0, (size_t)(se.ngi - nov) * sizeof(*ov));
				memset(tried + nov, 0, (size_t)(se.ngi - nov) * sizeof(*tried));
				nov = se.ngi;
			}
			tried[bad] = 1;
			struct group_info g = se.gi[bad];
			bool found = false;
			if (g.n <= MAX_ORDER) {
				int perm[MAX_ORDER + 1];
				bool more = true;
				/* start order first, then (small groups) every other order */
				ov[bad].n = g.n;
				memcpy(ov[bad].order, g.start_order, sizeof(g.start_order));
				for (int i = 0; i < g.n; i++)
					perm[i] = i;
				while (passes < MAX_PASSES) {
					struct search one = {0};
					run_once(o, text, len, sbrk, lead_exec, ov, nov, tried, bad, NULL, NULL,
						 NULL, &st, &one, NULL, &learn, 0);
					passes++;
					replay_stats_free(&st);
					bool ok = one.ngi > bad && one.gi[bad].diverged == 0;
					free(one.gi);
					if (ok) {
						found = true;
						break;
					}
					/* the identity is completion order, which failed */
					do {
						more = g.n <= 6 && next_perm(perm, g.n);
					} while (more && !memcmp(perm, g.start_order,
								 (size_t)g.n * sizeof(int)));
					if (!more)
						break;
					memcpy(ov[bad].order, perm, sizeof(perm));
				}
			}
			if (!found) {
				ov[bad].n = 0; /* completion order */
				unexplained++;
				if (err)
					fprintf(err,
						"vmspace: no order of the overlapping calls on "
						"lines %d-%d explains their results\n",
						g.first_line, g.last_line);
			}
		}
	}
	if (!done) {
		rc = run_once(o, text, len, sbrk, lead_exec, ov, nov, tried, -1, out, err, err, &st,
			      NULL, NULL, &learn, 1);
		passes++;
	}
	free(learn.v);
	st.passes = (uint64_t)passes;
	st.unexplained_groups = unexplained;
	if (rc == 0) {
		if (out)
			fprintf(out, "replayed %llu calls: %llu matched, %llu diverged, %llu unsupported\n",
				(unsigned long long)st.calls, (unsigned long long)st.matched,
				(unsigned long long)st.diverged, (unsigned long long)st.unsupported);
		if (out && st.unsupported)
			print_reasons(out, &st);
		if (out && o->check && o->table)
			replay_print_table(out, &st);
		if (err && st.followed)
			fprintf(err, "vmspace: %llu calls placed at the trace's address (--follow)\n",
				(unsigned long long)st.followed);
		if (o->final_maps_path) {
			FILE *f = fopen(o->final_maps_path, "w");
			int bad = !f;
			if (f) {
				if (st.final_maps && fputs(st.final_maps, f) < 0)
					bad = 1;
				if (fclose(f))
					bad = 1;
			}
			if (bad) {
				if (err)
					fprintf(err, "vmspace: cannot write %s\n", o->final_maps_path);
				rc = 2;
			}
		}
		if (rc == 0 && o->check && st.diverged)
			rc = 1;
	}
	free(se.gi);
	free(ov);
	free(tried);
	if (st_out)
		*st_out = st;
	else
		replay_stats_free(&st);
	return rc;
}


int replay_stream(const struct replay_opts *o, FILE *in, FILE *out, FILE *err,
		  struct replay_stats *st_out)
{
	struct replay_stats st;
	struct pass p;
	memset(&p, 0, sizeof(p));
	memset(&st, 0, sizeof(st));
	p.out = out;
	p.err = err;
	p.final = 1;
	p.start_brk = o->start_brk;
	int rc = pass_init(&p, o, &st);
	if (rc == 0) {
		/* --html and --svg draw the session when it ends */
		if (out && o->html) {
			p.html = o->html;
			html_pass_begin(p.html);
		}
		pass_run(&p, NULL, 0, NULL, in);
		rc = p.exit_code;
		note_unmatched_paths(&p);
		if (out && o->print_maps)
			print_all_maps(&p, " at the end");
		if (rc == 0)
			hook_finish(&p);
	}
	pass_free(&p);
	st.passes = 1;
	if (rc == 0 && out)
		fprintf(out, "replayed %llu calls: %llu matched, %llu diverged, %llu unsupported\n",
			(unsigned long long)st.calls, (unsigned long long)st.matched,
			(unsigned long long)st.diverged, (unsigned long long)st.unsupported);
	if (rc == 0 && o->check && st.diverged)
		rc = 1;
	if (st_out)
		*st_out = st;
	else
		replay_stats_free(&st);
	return rc;
}
