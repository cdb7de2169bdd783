/*
 * replay.c: `vmspace replay`: applies the memory system calls of an strace(1)
 * log to modelled address spaces, one per process, and compares every result
 * with the recorded one.
 *
 * What it follows:
 *  - memory calls (mmap, munmap, mprotect, pkey_mprotect, brk, mremap,
 *    madvise, mlock, mlock2, munlock, mlockall, munlockall, prlimit64 /
 *    setrlimit / getrlimit on the process itself, prctl(PR_SET_VMA)): applied
 *    with include/vmspace.h and checked;
 *  - processes: clone/clone3/fork/vfork with CLONE_VM share the address
 *    space, without it they fork it (vms_fork); execve of a new program makes
 *    the process unmodelled (its later calls are "unsupported"), except the
 *    first process's leading execve when --initial-maps gives its result;
 *  - descriptors: openat/open/creat/memfd_create make an open file
 *    description (one vms_file each, shared by dup/dup2/dup3/fcntl(F_DUPFD*)
 *    and by fork), close/close_range drop it; fstat/newfstatat/statx give the
 *    file's identity (st_dev, st_ino, st_size), else the host's own file
 *    (stat(2) of the -y path or the opened path), else a placeholder;
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
 * exact; a trace without "<unfinished" runs once.
 *
 * Faults do not appear in a log. They matter where the kernel's merge rules
 * look at anon_vma (a written private VMA has one; a VMA copied by fork whose
 * anon_vma has parents does not merge with an un-faulted neighbour). The rule
 * used here: before a fork (clone without CLONE_VM), every private writable
 * VMA of the parent is taken as written (vms_fault on each page range start),
 * since a process that forks has run long enough to have touched its data,
 * heap and stack; everything else is taken as not written. See fault_rule().
 *
 * Not here: option parsing (main.c), the strace text (strace_parse.c).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "replay.h"
#include "settings.h"
#include "strace_parse.h"

/* ---- Small helpers -------------------------------------------------------- */

static const struct {
	const char *name;
	int val;
} err_names[] = {
	{"EPERM", 1},	{"ENOENT", 2},	 {"EINTR", 4},	   {"EBADF", 9},     {"EAGAIN", 11},
	{"ENOMEM", 12}, {"EACCES", 13},	 {"EFAULT", 14},   {"EBUSY", 16},    {"EEXIST", 17},
	{"ENODEV", 19}, {"EINVAL", 22},	 {"ENFILE", 23},   {"EMFILE", 24},   {"ETXTBSY", 26},
	{"EFBIG", 27},	{"ENOSPC", 28},	 {"ESRCH", 3},	   {"EOVERFLOW", 75}, {"ENOSYS", 38},
	{"EOPNOTSUPP", 95},
};

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

int replay_parse_size(const char *s, uint64_t *out)
{
	char *end;
	uint64_t v, mul = 1;
	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (tolower((unsigned char)*end)) {
	case '\0':
		break;
	case 'k':
		mul = 1ULL << 10;
		end++;
		break;
	case 'm':
		mul = 1ULL << 20;
		end++;
		break;
	case 'g':
		mul = 1ULL << 30;
		end++;
		break;
	case 't':
		mul = 1ULL << 40;
		end++;
		break;
	default:
		return -1;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || (v && mul > UINT64_MAX / v))
		return -1;
	*out = v * mul;
	return 0;
}

static int parse_limit(const char *s, size_t n, uint64_t *out)
{
	char tmp[64];
	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (!strcmp(tmp, "unlimited") || !strcmp(tmp, "infinity")) {
		*out = VMS_RLIM_INFINITY;
		return 0;
	}
	return replay_parse_size(tmp, out);
}

int replay_parse_rlimit(struct replay_opts *o, const char *arg)
{
	static const char *const names[RL_COUNT] = {"STACK", "DATA", "AS", "MEMLOCK"};
	const char *eq = strchr(arg, '='), *colon;
	int r = -1;
	if (!eq)
		return -1;
	size_t nl = (size_t)(eq - arg);
	if (nl > 7 && !strncasecmp(arg, "RLIMIT_", 7)) {
		arg += 7;
		nl -= 7;
	}
	for (int i = 0; i < RL_COUNT; i++)
		if (strlen(names[i]) == nl && !strncasecmp(arg, names[i], nl))
			r = i;
	if (r < 0)
		return -1;
	eq++;
	colon = strchr(eq, ':');
	struct vms_rlimit l;
	if (parse_limit(eq, colon ? (size_t)(colon - eq) : strlen(eq), &l.cur))
		return -1;
	if (colon) {
		if (parse_limit(colon + 1, strlen(colon + 1), &l.max))
			return -1;
	} else {
		l.max = l.cur;
	}
	if (l.cur > l.max)
		return -1;
	o->has_rlim[r] = 1;
	o->rlim[r] = l;
	return 0;
}

unsigned replay_cap_value(const char *name)
{
	if (!strncasecmp(name, "CAP_", 4))
		name += 4;
	if (!strcasecmp(name, "IPC_LOCK"))
		return VMS_CAP_IPC_LOCK;
	if (!strcasecmp(name, "SYS_ADMIN"))
		return VMS_CAP_SYS_ADMIN;
	if (!strcasecmp(name, "SYS_RESOURCE"))
		return VMS_CAP_SYS_RESOURCE;
	if (!strcasecmp(name, "SYS_RAWIO"))
		return VMS_CAP_SYS_RAWIO;
	return 0;
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

/* ---- Open file descriptions ---------------------------------------------- */

/* The kernel's struct file: what dup and fork share. Its vms_file is made at
 * the first mmap, when fstat has usually told us the file's identity. */
struct ofd {
	int refs;
	char *path;     /* as the trace shows it, for maps; may be NULL */
	char *lookup;   /* absolute (the open's dirfd or cwd joined in), for this
			 * host's stat and realpath; NULL when not known */
	int canonical;  /* path is the kernel's own name for the file (-y) */
	int oflags;     /* O_ACCMODE | O_APPEND */
	int memfd;
	int have_id;    /* dev/ino from an fstat-like line */
	uint32_t major, minor;
	uint64_t ino, size;
	int have_size;
	vms_inode *inode;
	vms_file *vf;
};

struct fdtab {
	int refs;
	int n;
	struct ofd **fd;
};

/* ---- Processes ------------------------------------------------------------ */

struct space {
	int refs;        /* processes (threads) using it */
	vms_mm *mm;      /* NULL: not modelled */
	int exited;
	int first;       /* the first process's */
	int id;          /* for --maps: the pid that made it */
	char *maps_at_exit;
	const char *why; /* mm NULL: why not, as an unsupported call's reason */
};

/* The working directory, all that paths need of the kernel's fs_struct:
 * shared by CLONE_FS (threads), copied by fork (kernel/fork.c: copy_fs()). */
struct cwd {
	int refs;
	char *path;      /* absolute, or NULL while the log has not shown it */
};

struct proc {
	int pid;
	int alive;
	struct space *sp;
	struct fdtab *ft;
	struct cwd *cwd; /* NULL: not known */
};

struct pending_clone {
	int pid;         /* the parent */
	uint64_t flags;
};

/* A call, as the handlers see it: numbers, plus the parsed line for the rest
 * (NULL on the fast path, which only takes calls whose arguments are numbers). */
enum sc {
	SC_OTHER, SC_MMAP, SC_MUNMAP, SC_MPROTECT, SC_PKEY_MPROTECT, SC_BRK, SC_MREMAP,
	SC_MADVISE, SC_MLOCK, SC_MLOCK2, SC_MUNLOCK, SC_MLOCKALL, SC_MUNLOCKALL, SC_PRLIMIT64,
	SC_SETRLIMIT, SC_GETRLIMIT, SC_PRCTL, SC_CLONE, SC_CLONE3, SC_FORK, SC_VFORK,
	SC_EXECVE, SC_EXECVEAT, SC_OPENAT, SC_OPEN, SC_CREAT, SC_CLOSE, SC_CLOSE_RANGE,
	SC_DUP, SC_DUP2, SC_DUP3, SC_FCNTL, SC_MEMFD_CREATE, SC_FSTAT, SC_NEWFSTATAT,
	SC_STATX, SC_CHDIR, SC_FCHDIR, SC_GETCWD, SC_EXIT, SC_EXIT_GROUP,
};

struct call {
	enum sc sc;
	const char *name; /* the system call's, for messages */
	int pid;
	int lineno, end_lineno;
	int nargs;
	uint64_t a[6];
	unsigned has; /* bit i: a[i] is a number */
	int has_result, result_unknown;
	int64_t result;
	const struct strace_line *full;
	const char *text;
	size_t text_len;
};

static enum sc sc_of(const char *n)
{
	static const struct {
		const char *name;
		enum sc sc;
	} t[] = {
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
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (n[0] == t[i].name[0] && !strcmp(n, t[i].name))
			return t[i].sc;
	return SC_OTHER;
}

/* The calls that are checked against the model ("memory calls"). */
static bool is_memory_call(enum sc sc)
{
	return sc >= SC_MMAP && sc <= SC_PRCTL;
}

/* ---- A group of overlapping calls (see the top of the file) -------------- */

struct gitem {
	char *text;
	int pid, start_lineno, end_lineno;
	uint64_t start_seq;
	int abandoned, orphan;
};

#define MAX_ORDER 8 /* groups up to this size may get any order */

struct override {
	int n;            /* the group's size when the order was chosen */
	int order[MAX_ORDER + 1];
	int *big;         /* start order of a larger group, n entries */
};

/* ---- The replay state (one pass) ----------------------------------------- */

/* An address range, and the line of the initial maps it comes from (or NULL:
 * the log mapped it). */
struct range {
	uint64_t start, end;
	const char *line;
};

/* Do the initial maps belong to the log? See maps_check_call(). */
struct maps_check {
	int active;          /* still looking */
	int calls;           /* memory calls looked at */
	int brk_seen, mmap_seen;
	uint64_t brk0;       /* the first brk(NULL) result */
	struct range *known; /* the initial maps (a stack stretched down), then
			      * what the log mapped since */
	int nknown, capknown;
};

/* Input that is not what strace prints, or does not fit the model, by kind:
 * see bad_input(). */
enum bad_kind {
	BAD_BINARY,    /* control bytes: not text */
	BAD_MALFORMED, /* text the parser does not take */
	BAD_I386,      /* a 32-bit process's calls */
	BAD_NUMBER,    /* a number over 64 bits */
	BAD_NAME,      /* a name the parser does not know, in a memory call */
	BAD_MAPS,      /* initial maps of another run (see maps_check_call()) */
	BAD_AT,        /* --at past the end */
	BAD_KINDS,
};
#define BAD_SHOWN 3 /* of each kind; the rest are counted */

struct pass {
	const struct replay_opts *o;
	FILE *out, *err;  /* NULL when silent */
	vms_sys *sys;
	struct vms_mm_config cfg;
	struct replay_stats *st;

	struct proc *procs;
	int nprocs, capprocs;
	int last_proc;
	struct space **spaces;
	int nspaces, capspaces;
	struct pending_clone *pclones;
	int npclones, cappclones;
	int first_pid_known;
	int first_done;     /* the first process's leading execve was seen or passed */
	uint64_t start_brk;
	int brk_set;
	int leading_execve; /* the trace starts with an execve */

	/* fast-path bookkeeping (see use_fast_path()) */
	int prefixed;       /* the first line had a pid prefix */
	int unprefixed_ok;  /* no prefixed line and no "attached" message yet */
	int saw_first;
	int unfinished;     /* calls unfinished in the joiner */

	/* groups */
	struct gitem *group;
	int ngroup, capgroup;
	int group_first_line, group_last_line;
	int group_index;    /* groups flushed so far */
	int group_diverged; /* in the group being applied */
	struct override *ov;
	int nov;
	int stop_after;     /* -1, or stop after this group (a search pass) */
	int stopped;
	int first_bad_group; /* the first group with a divergence, -1 */
	int *tried;         /* per group: searched already */

	int placeholder_warned;
	char **unmatched;   /* trace paths of mapped files no host file matched */
	int nunmatched, capunmatched;
	int unmatched_line; /* where the first of them was mapped */
	struct maps_check mc;
	uint64_t nbad[BAD_KINDS];
	int bad_last[BAD_KINDS]; /* the line of the last one */
	int last_line;      /* the last physical line read */
	int exit_code;
	int at_done;
	char *mapsbuf;
	size_t mapscap;
	struct strace_line scratch; /* group items re-parsed here */
	char errbuf[160];
	int name_slot[SC_EXIT_GROUP + 1];
};

static void warn(struct pass *p, int lineno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void warn(struct pass *p, int lineno, const char *fmt, ...)
{
	va_list ap;
	if (!p->err)
		return;
	if (lineno > 0)
		fprintf(p->err, "%s:%d: warning: ", p->o->name ? p->o->name : "-", lineno);
	else
		fprintf(p->err, "%s: warning: ", p->o->name ? p->o->name : "-");
	va_start(ap, fmt);
	vfprintf(p->err, fmt, ap);
	va_end(ap);
	fputc('\n', p->err);
}

/*
 * Bad input is said, with its line, whatever the kind: a wrong file must not
 * replay "0 calls" in silence. Without --strict it is a warning, and only the
 * first BAD_SHOWN of each kind are printed (the rest are counted at the end,
 * see bad_input_tally()), so that a binary file or a log of another format
 * gives a screenful, not a flood; with --strict the first is an error and
 * ends the replay (exit 2). then says what happens to the line or call.
 */
static void bad_input(struct pass *p, enum bad_kind k, int lineno, const char *then,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void bad_input(struct pass *p, enum bad_kind k, int lineno, const char *then,
		      const char *fmt, ...)
{
	const char *name = p->o->name ? p->o->name : "-";
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->st->bad_input++;
	p->nbad[k]++;
	p->bad_last[k] = lineno;
	if (p->o->strict) {
		if (p->err && p->exit_code != 2) {
			if (lineno > 0)
				fprintf(p->err, "%s:%d: error: %s\n", name, lineno, msg);
			else
				fprintf(p->err, "%s: error: %s\n", name, msg);
		}
		p->exit_code = 2;
		return;
	}
	if (p->nbad[k] <= BAD_SHOWN)
		warn(p, lineno, "%s%s%s", msg, then ? "; " : "", then ? then : "");
}

/* The end of a pass: how many of each kind were not shown. */
static void bad_input_tally(struct pass *p)
{
	/* BAD_MAPS and BAD_AT happen once at most */
	static const char *const plural[BAD_KINDS] = {
		[BAD_BINARY] = "lines of binary data",
		[BAD_MALFORMED] = "malformed lines",
		[BAD_I386] = "32-bit (i386) calls",
		[BAD_NUMBER] = "lines with a number over 64 bits",
		[BAD_NAME] = "calls with an unknown name",
	};
	if (p->o->strict)
		return;
	for (int k = 0; k < BAD_KINDS; k++)
		if (p->nbad[k] > BAD_SHOWN && plural[k])
			warn(p, 0, "and %llu more %s, the last on line %d",
			     (unsigned long long)(p->nbad[k] - BAD_SHOWN), plural[k],
			     p->bad_last[k]);
}

/* strace prints text, with every byte that is not printable escaped: a NUL
 * or another control byte means binary data. Its offset, or -1. */
static long binary_byte(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return (long)i;
	}
	return -1;
}

/* What a binary file is, from its first bytes, for the files most often
 * given by mistake; NULL for any other. */
static const char *binary_kind(const char *text, size_t len)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *what;
	} kinds[] = {
		{"\x7f" "ELF", 4, "an ELF file (a program?), not an strace log"},
		{"\x1f\x8b", 2, "a gzip-compressed file: decompress it first"},
		{"\xfd" "7zXZ", 5, "an xz-compressed file: decompress it first"},
		{"\x28\xb5\x2f\xfd", 4, "a zstd-compressed file: decompress it first"},
		{"BZh", 3, "a bzip2-compressed file: decompress it first"},
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (len >= kinds[i].len && !memcmp(text, kinds[i].magic, kinds[i].len))
			return kinds[i].what;
	return NULL;
}

/* System calls of the i386 ABI that x86-64 does not have: strace prints them
 * for a 32-bit process, whose address space the model does not hold. */
static bool is_i386_only(const char *name)
{
	static const char *const names[] = {
		"mmap2", "_llseek", "_newselect", "fstat64", "stat64", "lstat64", "fstatat64",
		"fcntl64", "statfs64", "fstatfs64", "truncate64", "ftruncate64", "sendfile64",
		"ugetrlimit", "socketcall", "ipc", "waitpid", "sigreturn", "sigaction",
		"sigprocmask", "fadvise64_64",
	};
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (name[0] == names[i][0] && !strcmp(name, names[i]))
			return true;
	/* getuid32 and the other 32-bit id calls; clock_gettime64 and the
	 * other 64-bit time calls (no x86-64 name ends so) */
	return (n > 2 && !strcmp(name + n - 2, "32")) ||
	       (n > 7 && !strcmp(name + n - 7, "_time64"));
}

static const char *maps_of(struct pass *p, const vms_mm *mm)
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

static struct ofd *ofd_new(const char *path, int oflags)
{
	struct ofd *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->refs = 1;
	f->oflags = oflags & (VMS_O_RDWR | VMS_O_WRONLY | VMS_O_APPEND);
	if (path && !(f->path = strdup(path))) {
		free(f);
		return NULL;
	}
	return f;
}

/* An open file description whose path is the kernel's own name for the file:
 * strace -y prints d_path(), as the maps do. */
static struct ofd *ofd_new_canonical(const char *path, int oflags)
{
	struct ofd *f = ofd_new(path, oflags);
	if (!f)
		return NULL;
	f->canonical = 1;
	if (path && path[0] == '/') {
		if (!(f->lookup = strdup(path))) {
			free(f->path);
			free(f);
			return NULL;
		}
	}
	return f;
}

static void ofd_put(struct ofd *f)
{
	if (!f || --f->refs)
		return;
	if (f->vf)
		vms_file_close(f->vf);
	free(f->path);
	free(f->lookup);
	free(f);
}

static struct fdtab *fdtab_new(void)
{
	struct fdtab *t = calloc(1, sizeof(*t));
	if (t)
		t->refs = 1;
	return t;
}

static struct fdtab *fdtab_copy(const struct fdtab *src)
{
	struct fdtab *t = fdtab_new();
	if (!t)
		return NULL;
	if (src && src->n) {
		t->fd = calloc((size_t)src->n, sizeof(*t->fd));
		if (!t->fd) {
			free(t);
			return NULL;
		}
		t->n = src->n;
		for (int i = 0; i < src->n; i++)
			if ((t->fd[i] = src->fd[i]))
				t->fd[i]->refs++;
	}
	return t;
}

static void fdtab_put(struct fdtab *t)
{
	if (!t || --t->refs)
		return;
	for (int i = 0; i < t->n; i++)
		ofd_put(t->fd[i]);
	free(t->fd);
	free(t);
}

static struct ofd *fd_get(struct fdtab *t, uint64_t fd)
{
	return t && fd < (uint64_t)t->n ? t->fd[fd] : NULL;
}

/* Installs f (the caller's reference moves in) at fd, closing what was there. */
static int fd_install(struct fdtab *t, uint64_t fd, struct ofd *f)
{
	if (fd > (1u << 24)) {
		ofd_put(f);
		return -1;
	}
	if ((int)fd >= t->n) {
		int n = t->n ? t->n : 16;
		while (n <= (int)fd)
			n *= 2;
		struct ofd **v = realloc(t->fd, (size_t)n * sizeof(*v));
		if (!v) {
			ofd_put(f);
			return -1;
		}
		memset(v + t->n, 0, (size_t)(n - t->n) * sizeof(*v));
		t->fd = v;
		t->n = n;
	}
	ofd_put(t->fd[fd]);
	t->fd[fd] = f;
	return 0;
}

static void fd_close(struct fdtab *t, uint64_t fd)
{
	if (t && fd < (uint64_t)t->n) {
		ofd_put(t->fd[fd]);
		t->fd[fd] = NULL;
	}
}

/* ---- Working directories and paths -------------------------------------- */

static struct cwd *cwd_new(const char *path)
{
	struct cwd *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->refs = 1;
	if (path && path[0] == '/' && !(c->path = strdup(path))) {
		free(c);
		return NULL;
	}
	return c;
}

static void cwd_put(struct cwd *c)
{
	if (!c || --c->refs)
		return;
	free(c->path);
	free(c);
}

/* path (malloc'd, or NULL for "not known") becomes c's. */
static void cwd_set(struct cwd *c, char *path)
{
	if (!c) {
		free(path);
		return;
	}
	free(c->path);
	c->path = path;
}

/* name looked up from dir, as the kernel's path walk starts (fs/namei.c:
 * path_init(): an absolute name ignores the directory, an empty one with
 * AT_EMPTY_PATH is the directory itself). No "." or ".." or symlink is
 * resolved here: realpath(3) on the host does that, as the walk would.
 * Returns a malloc'd path, or NULL when dir is needed but not known. */
static char *path_join(const char *dir, const char *name)
{
	size_t n;
	char *r;
	if (name[0] == '/')
		return strdup(name);
	if (!dir || dir[0] != '/')
		return NULL;
	if (!name[0])
		return strdup(dir);
	n = strlen(dir);
	r = malloc(n + strlen(name) + 2);
	if (r)
		sprintf(r, "%s%s%s", dir, dir[n - 1] == '/' ? "" : "/", name);
	return r;
}

/* A path argument as the process passed it, or NULL when the log does not
 * show all of it (cut by -s, or with a NUL inside). */
static const char *path_arg(const struct strace_line *l, int i)
{
	const struct strace_val *v = i < l->nargs ? &l->args[i].v : NULL;
	if (!v || v->kind != SV_STR || v->str_truncated || strlen(v->str) != v->str_len)
		return NULL;
	return v->str;
}

#define AT_FDCWD_ ((uint64_t)-100)

/* The directory a dirfd argument names: its -y decoration, the working
 * directory for AT_FDCWD, else the path the descriptor was opened by. NULL
 * when not known. */
static const char *dirfd_path(const struct proc *pr, const struct strace_arg *a)
{
	const struct ofd *f;
	if (a->v.fd_path)
		return a->v.fd_path;
	if (!a->v.has_num)
		return NULL;
	if (a->v.num == AT_FDCWD_)
		return pr->cwd ? pr->cwd->path : NULL;
	f = fd_get(pr->ft, a->v.num);
	return f ? f->lookup : NULL;
}

static void space_put(struct pass *p, struct space *s);

static struct space *space_new(struct pass *p, vms_mm *mm)
{
	struct space *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	if (p->nspaces == p->capspaces) {
		int n = p->capspaces ? p->capspaces * 2 : 8;
		struct space **v = realloc(p->spaces, (size_t)n * sizeof(*v));
		if (!v) {
			free(s);
			return NULL;
		}
		p->spaces = v;
		p->capspaces = n;
	}
	s->refs = 1;
	s->mm = mm;
	p->spaces[p->nspaces++] = s;
	if (mm)
		p->st->processes++;
	return s;
}

/* The address space ends (exit_group, the last thread's exit, execve): its
 * maps are kept for --maps and --final-maps, its memory goes back. */
static void space_end(struct pass *p, struct space *s)
{
	if (!s || s->exited)
		return;
	s->exited = 1;
	if (s->mm) {
		if (s->first) {
			free(p->st->final_maps);
			p->st->final_maps = strdup(maps_of(p, s->mm));
		}
		if (p->o->print_maps)
			s->maps_at_exit = strdup(maps_of(p, s->mm));
		vms_mm_free(s->mm);
		s->mm = NULL;
	}
}

static void space_put(struct pass *p, struct space *s)
{
	if (s && --s->refs == 0)
		space_end(p, s);
}

static struct proc *proc_find(struct pass *p, int pid)
{
	if (p->last_proc < p->nprocs && p->procs[p->last_proc].pid == pid &&
	    p->procs[p->last_proc].alive)
		return &p->procs[p->last_proc];
	for (int i = p->nprocs - 1; i >= 0; i--) {
		if (p->procs[i].pid == pid && p->procs[i].alive) {
			p->last_proc = i;
			return &p->procs[i];
		}
	}
	return NULL;
}

static struct proc *proc_add(struct pass *p, int pid, struct space *sp, struct fdtab *ft)
{
	if (p->nprocs == p->capprocs) {
		int n = p->capprocs ? p->capprocs * 2 : 16;
		struct proc *v = realloc(p->procs, (size_t)n * sizeof(*v));
		if (!v)
			return NULL;
		p->procs = v;
		p->capprocs = n;
	}
	struct proc *pr = &p->procs[p->nprocs++];
	pr->pid = pid;
	pr->alive = 1;
	pr->sp = sp;
	pr->ft = ft;
	pr->cwd = NULL;
	return pr;
}

static void proc_exit(struct pass *p, struct proc *pr)
{
	if (!pr->alive)
		return;
	pr->alive = 0;
	space_put(p, pr->sp);
	fdtab_put(pr->ft);
	cwd_put(pr->cwd);
	pr->sp = NULL;
	pr->ft = NULL;
	pr->cwd = NULL;
}

/* ---- Files: identity ------------------------------------------------------ */

/* A stable inode number for a file known only by its path. */
static uint64_t path_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (h & 0xffffffffffULL) | 0x10000000000ULL;
}

/* Identity from a struct stat printed by strace (fstat/newfstatat) or a
 * struct statx (stx_*). */
static void ofd_learn(struct ofd *f, const struct strace_arg *a)
{
	const struct strace_val *dev = strace_arg_field(a, "st_dev");
	const struct strace_val *ino = strace_arg_field(a, "st_ino");
	const struct strace_val *size = strace_arg_field(a, "st_size");
	const struct strace_val *maj = strace_arg_field(a, "stx_dev_major");
	const struct strace_val *min = strace_arg_field(a, "stx_dev_minor");
	if (!ino)
		ino = strace_arg_field(a, "stx_ino");
	if (!size)
		size = strace_arg_field(a, "stx_size");
	if (dev && dev->has_num && ino && ino->has_num) {
		f->have_id = 1;
		f->major = strace_dev_major(dev->num);
		f->minor = strace_dev_minor(dev->num);
		f->ino = ino->num;
	} else if (maj && maj->has_num && min && min->has_num && ino && ino->has_num) {
		f->have_id = 1;
		f->major = (uint32_t)maj->num;
		f->minor = (uint32_t)min->num;
		f->ino = ino->num;
	}
	if (size && size->has_num) {
		f->size = size->num;
		f->have_size = 1;
		if (f->inode)
			vms_inode_set_size(f->inode, f->size);
	}
}

/* A mapped file whose maps line keeps the trace's path: counted once per
 * path for the note at the end of the replay (note_unmatched_paths()). */
static void unmatched_add(struct pass *p, const char *path, int lineno)
{
	const char *name = path ? path : "(unknown file)";
	char *copy;
	for (int i = 0; i < p->nunmatched; i++)
		if (!strcmp(p->unmatched[i], name))
			return;
	if (p->nunmatched == p->capunmatched) {
		int n = p->capunmatched ? p->capunmatched * 2 : 8;
		char **v = realloc(p->unmatched, (size_t)n * sizeof(*v));
		if (!v)
			return;
		p->unmatched = v;
		p->capunmatched = n;
	}
	if (!(copy = strdup(name)))
		return;
	if (!p->nunmatched)
		p->unmatched_line = lineno;
	p->unmatched[p->nunmatched++] = copy;
	p->st->unmatched_paths = (uint64_t)p->nunmatched;
}

/* The name a mapped file shows in the maps. The kernel prints d_path() of the
 * file (fs/proc/task_mmu.c: show_map_vma() -> seq_file_path()), the path with
 * every symlink resolved, where a log without -y shows the name the process
 * opened ("/lib/x86_64-linux-gnu/libc.so.6" for
 * "/usr/lib/x86_64-linux-gnu/libc.so.6"). So a -y path is taken as it is,
 * and any other is resolved with realpath(3) on this host, but only when the
 * host's file there is the trace's (same st_dev and st_ino, when an fstat
 * line showed them): else the trace's path stays and is counted for the note.
 * sb is the host's stat of the path (valid when on_host). Returns a malloc'd
 * path or NULL for "the trace's path". */
static char *ofd_name(struct pass *p, const struct ofd *f, bool on_host, const struct stat *sb,
		      int lineno)
{
	char *real = NULL;
	if (f->canonical || p->o->no_resolve)
		return NULL;
	if (on_host && (!f->have_id || (f->major == major(sb->st_dev) &&
					f->minor == minor(sb->st_dev) && f->ino == sb->st_ino)))
		real = realpath(f->lookup, NULL);
	if (!real)
		unmatched_add(p, f->path, lineno);
	return real;
}

/* The vms_file of an open file description: identity from fstat, else the
 * host's file at the path, else a placeholder (with a warning); its name
 * from ofd_name(). */
static vms_file *ofd_file(struct pass *p, struct ofd *f, int lineno)
{
	struct vms_inode_info info = {0};
	struct stat sb;
	char *real = NULL;
	bool on_host;
	if (f->vf)
		return f->vf;
	info.path = f->path ? f->path : "";
	on_host = !f->memfd && f->lookup && stat(f->lookup, &sb) == 0;
	if (f->memfd) {
		info.flags |= VMS_INODE_DELETED;
		info.dev_major = f->have_id ? f->major : 0;
		info.dev_minor = f->have_id ? f->minor : 1;
		info.ino = f->have_id ? f->ino : path_hash(info.path);
		info.size = f->size;
	} else if (f->have_id) {
		info.dev_major = f->major;
		info.dev_minor = f->minor;
		info.ino = f->ino;
		info.size = f->size;
	} else if (on_host) {
		info.dev_major = major(sb.st_dev);
		info.dev_minor = minor(sb.st_dev);
		info.ino = sb.st_ino;
		info.size = f->have_size ? f->size : (uint64_t)sb.st_size;
		if (S_ISDIR(sb.st_mode))
			info.flags |= VMS_INODE_DIRECTORY;
	} else {
		if (!p->placeholder_warned++)
			warn(p, lineno, "%s: no fstat in the trace and no such file here; "
					"using a placeholder inode",
			     f->path ? f->path : "(unknown file)");
		info.ino = path_hash(info.path);
		info.size = f->have_size ? f->size : UINT64_MAX / 2;
	}
	if (!f->memfd && (real = ofd_name(p, f, on_host, &sb, lineno)))
		info.path = real;
	vms_inode *ino = vms_inode_get(p->sys, &info);
	free(real);
	if (!ino)
		return NULL;
	if (f->have_size)
		vms_inode_set_size(ino, f->size);
	f->inode = ino;
	f->vf = vms_file_open(ino, f->oflags);
	return f->vf;
}

/* ---- Results -------------------------------------------------------------- */

static void print_divergence(struct pass *p, const struct call *c, const char *model)
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
static void unsupported(struct pass *p, const struct call *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void unsupported(struct pass *p, const struct call *c, const char *fmt, ...)
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
static void check_result(struct pass *p, const struct call *c, long r, bool addr,
			 const vms_mm *mm)
{
	char buf[320];
	uint64_t hole;
	if (!c->has_result || c->result_unknown) {
		unsupported(p, c, "%s",
			    c->result_unknown ? "its result is unknown (= ?)"
					      : "it did not finish in the log (no result)");
		return;
	}
	p->st->calls++;
	if ((int64_t)r == c->result) {
		p->st->matched++;
		return;
	}
	p->st->diverged++;
	p->group_diverged++;
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

/* ---- Processes and faults ------------------------------------------------ */

#define CLONE_VM_ 0x100ULL
#define CLONE_FS_ 0x200ULL
#define CLONE_FILES_ 0x400ULL
#define CLONE_VFORK_ 0x4000ULL
#define VM_WRITE_ 0x2ULL
#define VM_SHARED_ 0x8ULL

/* The fault rule (see the top of the file): before a fork, every private
 * writable VMA is taken as written, so that it has an anon_vma as the
 * kernel's dup_mmap() would copy it (anon_vma_fork()). */
static void fault_rule(vms_mm *mm)
{
	const vms_vma *v;
	uint64_t addr = 0;
	/* vms_fault may change the VMA list, so walk by address */
	while ((v = vms_find_vma(mm, addr))) {
		struct vms_vma_info i;
		vms_vma_get_info(v, &i);
		if ((i.vm_flags & VM_WRITE_) && !(i.vm_flags & VM_SHARED_) && !i.anon_vma)
			vms_fault(mm, i.start, 1);
		if (i.end == 0)
			break;
		addr = i.end;
	}
}

static struct proc *do_clone(struct pass *p, struct proc *parent, uint64_t flags, int child,
			     int lineno)
{
	struct space *sp;
	struct fdtab *ft;
	struct cwd *cwd;
	struct proc *pr;
	if (flags & CLONE_VM_) {
		sp = parent->sp;
		sp->refs++;
	} else {
		vms_mm *mm = NULL;
		if (parent->sp->mm) {
			int e = 0;
			fault_rule(parent->sp->mm);
			mm = vms_fork(parent->sp->mm, &e);
			if (!mm)
				warn(p, lineno, "fork of pid %d: %s; pid %d is not modelled",
				     parent->pid, vms_strerror(e), child);
		}
		sp = space_new(p, mm);
		if (!sp) {
			vms_mm_free(mm);
			return NULL;
		}
		sp->id = child;
		if (!mm)
			sp->why = parent->sp->mm ? "its fork failed in the model" : parent->sp->why;
	}
	if (flags & CLONE_FILES_) {
		ft = parent->ft;
		ft->refs++;
	} else {
		ft = fdtab_copy(parent->ft);
	}
	if (flags & CLONE_FS_) {
		cwd = parent->cwd;
		if (cwd)
			cwd->refs++;
	} else {
		cwd = cwd_new(parent->cwd ? parent->cwd->path : NULL);
	}
	if (!ft) {
		space_put(p, sp);
		cwd_put(cwd);
		return NULL;
	}
	/* proc_add may move the array: parent is not used after it */
	pr = proc_add(p, child, sp, ft);
	if (pr)
		pr->cwd = cwd;
	else
		cwd_put(cwd);
	return pr;
}

static uint64_t clone_flags(const struct strace_line *l, enum sc sc)
{
	if (sc == SC_FORK)
		return 17; /* SIGCHLD */
	if (sc == SC_VFORK)
		return CLONE_VM_ | CLONE_VFORK_ | 17;
	if (sc == SC_CLONE3 && l->nargs > 0) {
		const struct strace_val *f = strace_arg_field(&l->args[0], "flags");
		return f && f->has_num ? f->num : 0;
	}
	for (int i = 0; i < l->nargs; i++)
		if (l->args[i].name && !strcmp(l->args[i].name, "flags") && l->args[i].v.has_num)
			return l->args[i].v.num;
	/* clone(2) without names: flags are the first argument */
	return l->nargs > 0 && l->args[0].v.has_num ? l->args[0].v.num : 0;
}

static void pending_clone_add(struct pass *p, int pid, uint64_t flags)
{
	if (p->npclones == p->cappclones) {
		int n = p->cappclones ? p->cappclones * 2 : 8;
		struct pending_clone *v = realloc(p->pclones, (size_t)n * sizeof(*v));
		if (!v)
			return;
		p->pclones = v;
		p->cappclones = n;
	}
	p->pclones[p->npclones++] = (struct pending_clone){pid, flags};
}

static int pending_clone_take(struct pass *p, int pid, struct pending_clone *out)
{
	for (int i = p->npclones - 1; i >= 0; i--) {
		if (pid < 0 || p->pclones[i].pid == pid) {
			if (out)
				*out = p->pclones[i];
			p->pclones[i] = p->pclones[--p->npclones];
			return 1;
		}
	}
	return 0;
}

static struct space *first_space(struct pass *p);

/* The process a call belongs to: known, the first, a child whose clone is
 * still unfinished, or else a stranger that is not modelled. */
static struct proc *proc_for(struct pass *p, int pid, int lineno)
{
	struct proc *pr = proc_find(p, pid);
	struct pending_clone pc;
	if (pr)
		return pr;
	if (p->nprocs == 0) {
		struct fdtab *ft = fdtab_new();
		struct space *sp = first_space(p);
		if (!ft || !sp)
			return NULL;
		sp->id = pid;
		pr = proc_add(p, pid, sp, ft);
		if (pr)
			pr->cwd = cwd_new(p->o->cwd);
		return pr;
	}
	if (pending_clone_take(p, -1, &pc)) {
		struct proc *parent = proc_find(p, pc.pid);
		if (!parent) {
			/* the first process printed without a pid */
			for (int i = 0; i < p->nprocs && !parent; i++)
				if (p->procs[i].alive && p->procs[i].sp && p->procs[i].sp->first)
					parent = &p->procs[i];
		}
		if (parent) {
			return do_clone(p, parent, pc.flags, pid, lineno);
		}
	}
	warn(p, lineno, "pid %d appears without a traced clone; it is not modelled", pid);
	struct space *sp = space_new(p, NULL);
	struct fdtab *ft = fdtab_new();
	if (!sp || !ft) {
		free(ft);
		return NULL;
	}
	sp->why = "a process whose clone is not in the log";
	pr = proc_add(p, pid, sp, ft);
	if (pr)
		pr->cwd = cwd_new(NULL);
	return pr;
}

static bool pid_seen(struct pass *p, int pid)
{
	for (int i = 0; i < p->nprocs; i++)
		if (p->procs[i].pid == pid)
			return true;
	return false;
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
		p->st->calls++;
		p->st->diverged++;
		p->group_diverged++;
		snprintf(buf, sizeof(buf), "0 {rlim_cur=%llu, rlim_max=%llu}",
			 (unsigned long long)ol.cur, (unsigned long long)ol.max);
		print_divergence(p, c, buf);
		return;
	}
	check_result(p, c, r, false, NULL);
}

#define PR_SET_VMA_ 0x53564d41ULL

static void do_prctl(struct pass *p, struct proc *pr, const struct call *c)
{
	const struct strace_arg *name;
	char *s = NULL;
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
		unsupported(p, c, "a PR_SET_VMA option other than PR_SET_VMA_ANON_NAME");
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

/* ---- Do the initial maps belong to the log? ------------------------------ */

/*
 * Initial maps of another run (most often: maps read with ASLR off, given
 * with a log recorded with ASLR on) make the log's addresses wrong from its
 * first calls, and the divergences that follow do not say why. The first
 * memory calls of the first process tell, as they use what the maps hold (the
 * program's image, ld.so, the stack, the vDSO) or what the log itself mapped
 * before. Three signs, each enough on its own, reported once with its line:
 *
 *  - the first brk(NULL) result (start_brk) lies inside a mapping other than
 *    [heap], or more than BRK_RND_MAX above the end of the nearest mapping
 *    below it: load_elf_binary() puts start_brk right after the program's
 *    .bss, and arch_randomize_brk() at most 1 GiB (and a page) further; a
 *    loader run as the program has it from ELF_ET_DYN_BASE instead, with
 *    nothing of the maps below;
 *  - mprotect, pkey_mprotect, madvise, mlock, mlock2, munlock or mremap
 *    succeeded in the log at an address (these fail on unmapped memory), or
 *    munmap on a range, where neither the maps nor an earlier call of the log
 *    has anything: unless the log leaves out the call that mapped it;
 *  - the first mmap without an address lands more than MMAP_NEAR away from
 *    every mapping of the maps but the stack: the kernel puts it just below
 *    the lowest mapping of the mmap area (ld.so, the vDSO), ASLR or not,
 *    while the mmap area of another ASLR run is a random distance (up to
 *    1 TiB, mmap_rnd_bits = 28) away.
 *
 * None of them asks the model: a model that places calls elsewhere (other
 * settings, --aslr) does not make the maps wrong. Only the first
 * MAPS_CHECK_CALLS memory calls of the first process are looked at, up to
 * its first clone, so that the cost is bounded and other processes' memory
 * does not mix in.
 */
#define MAPS_CHECK_CALLS 256
#define BRK_RND_MAX ((1ULL << 30) + (1ULL << 20))
#define MMAP_NEAR (1ULL << 30)
#define ELF_ET_DYN_BASE_ 0x555555554000ULL /* DEFAULT_MAP_WINDOW / 3 * 2, page */
#define PAGE_ALIGN_(x) (((x) + VMS_PAGE_SIZE - 1) & ~(uint64_t)(VMS_PAGE_SIZE - 1))

/* Does the maps line (up to its newline) name this ("[stack]")? */
static bool line_names(const char *line, const char *name)
{
	return memmem(line, strcspn(line, "\n"), name, strlen(name)) != NULL;
}

static void known_add(struct maps_check *mc, uint64_t start, uint64_t end, const char *line)
{
	if (end <= start)
		return;
	if (mc->nknown == mc->capknown) {
		int n = mc->capknown ? mc->capknown * 2 : 32;
		struct range *v = realloc(mc->known, (size_t)n * sizeof(*v));
		if (!v)
			return;
		mc->known = v;
		mc->capknown = n;
	}
	mc->known[mc->nknown++] = (struct range){start, end, line};
}

/* The ranges of the initial maps text: the check starts from them. */
static void maps_check_init(struct maps_check *mc, const char *maps)
{
	for (const char *l = maps; l && *l;) {
		const char *nl = strchr(l, '\n'), *e;
		char *end;
		uint64_t start = strtoull(l, &end, 16), stop;
		if (end != l && *end == '-') {
			e = end + 1;
			stop = strtoull(e, &end, 16);
			/* a stack grows down past its VMA without a call in the log */
			if (end != e && line_names(l, "[stack]"))
				start = start > (1ULL << 30) ? start - (1ULL << 30) : 0;
			if (end != e)
				known_add(mc, start, stop, l);
		}
		l = nl ? nl + 1 : NULL;
	}
	mc->active = 1;
}

static const struct range *known_at(const struct maps_check *mc, uint64_t addr, uint64_t len)
{
	uint64_t end = len && addr + len > addr ? addr + len : addr + 1;
	for (int i = 0; i < mc->nknown; i++)
		if (mc->known[i].start < end && addr < mc->known[i].end)
			return &mc->known[i];
	return NULL;
}

/* "555555554000-555555557000 r--p 00000000 fe:00 248060 /usr/bin/sort" */
static void maps_line_text(const char *line, char *buf, size_t size)
{
	size_t o = 0;
	for (const char *q = line; *q && *q != '\n' && o + 1 < size; q++)
		if (*q != ' ' || (o && buf[o - 1] != ' '))
			buf[o++] = *q;
	while (o && buf[o - 1] == ' ')
		o--;
	buf[o] = '\0';
}

static void human_size(uint64_t n, char *buf, size_t size)
{
	static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	double v = (double)n;
	int u = 0;
	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static void maps_mismatch(struct pass *p, int lineno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void maps_mismatch(struct pass *p, int lineno, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->mc.active = 0;
	bad_input(p, BAD_MAPS, lineno, NULL,
		  "the initial maps seem to be of another run than the log (ASLR?): %s; record "
		  "both in one run with scripts/record.sh",
		  msg);
}

/* The first brk(NULL): where start_brk is, against the maps (see above). */
static void maps_check_brk(struct pass *p, const struct call *c, uint64_t r)
{
	const struct maps_check *mc = &p->mc;
	const struct range *below = NULL;
	char line[160], size[32];
	for (int i = 0; i < mc->nknown && mc->known[i].line; i++) {
		const struct range *k = &mc->known[i];
		if (k->start <= r && r < k->end && !line_names(k->line, "[heap]") &&
		    !line_names(k->line, "[stack]")) {
			maps_line_text(k->line, line, sizeof(line));
			maps_mismatch(p, c->lineno,
				      "its first brk(NULL) returned %#llx, inside %s of the maps, "
				      "where no heap starts",
				      (unsigned long long)r, line);
			return;
		}
		if (k->end <= r && (!below || k->end > below->end))
			below = k;
	}
	if (below && r - below->end > BRK_RND_MAX) {
		human_size(r - below->end, size, sizeof(size));
		maps_line_text(below->line, line, sizeof(line));
		maps_mismatch(p, c->lineno,
			      "its first brk(NULL) returned %#llx, %s above the nearest mapping "
			      "below it in the maps (%s), where the kernel starts the heap within "
			      "1 GiB of the program's image",
			      (unsigned long long)r, size, line);
	} else if (!below && (r < ELF_ET_DYN_BASE_ || r - ELF_ET_DYN_BASE_ > BRK_RND_MAX)) {
		maps_mismatch(p, c->lineno,
			      "its first brk(NULL) returned %#llx, below every mapping of the "
			      "maps, where the kernel starts the heap after the program's image",
			      (unsigned long long)r);
	}
}

/* One memory call of the first process, as the log has it (see above). */
static void maps_check_call(struct pass *p, const struct call *c)
{
	struct maps_check *mc = &p->mc;
	uint64_t res = (uint64_t)c->result;
	if (++mc->calls > MAPS_CHECK_CALLS) {
		mc->active = 0;
		return;
	}
	if (!c->has_result || c->result_unknown || (c->result < 0 && c->result >= -4095))
		return;
	switch (c->sc) {
	case SC_BRK:
		if (c->a[0] == 0 && !mc->brk_seen) {
			mc->brk_seen = 1;
			mc->brk0 = res;
			maps_check_brk(p, c, res);
		} else {
			/* the heap grew: from start_brk (the trace's first
			 * brk(NULL) when this process made none) */
			uint64_t base = mc->brk_seen ? mc->brk0 : p->start_brk;
			if (base && res > base)
				known_add(mc, base, PAGE_ALIGN_(res), NULL);
		}
		break;
	case SC_MMAP:
		if (!mc->mmap_seen && c->a[0] == 0 &&
		    !(c->a[3] & (VMS_MAP_FIXED | VMS_MAP_FIXED_NOREPLACE))) {
			uint64_t end = res + PAGE_ALIGN_(c->a[1]), near = UINT64_MAX;
			mc->mmap_seen = 1;
			for (int i = 0; i < mc->nknown && mc->known[i].line; i++) {
				const struct range *k = &mc->known[i];
				uint64_t d = end <= k->start ? k->start - end
					     : res >= k->end ? res - k->end : 0;
				/* the stack is apart from the mmap area (by its rlimit
				 * and its own randomisation); vsyscall is fixed */
				if (line_names(k->line, "[stack]") ||
				    line_names(k->line, "[vsyscall]"))
					continue;
				if (d < near)
					near = d;
			}
			if (near > MMAP_NEAR && near != UINT64_MAX) {
				char size[32];
				human_size(near, size, sizeof(size));
				maps_mismatch(p, c->lineno,
					      "its first mmap without an address returned %#llx, "
					      "%s from every mapping of the maps, where the kernel "
					      "puts it just below the lowest of ld.so and the vDSO",
					      (unsigned long long)res, size);
				return;
			}
		}
		known_add(mc, res, res + PAGE_ALIGN_(c->a[1]), NULL);
		break;
	case SC_MREMAP:
	case SC_MUNMAP:
	case SC_MPROTECT:
	case SC_PKEY_MPROTECT:
	case SC_MADVISE:
	case SC_MLOCK:
	case SC_MLOCK2:
	case SC_MUNLOCK:
		/* these need the start mapped; munmap any of its range */
		if (!known_at(mc, c->a[0], c->sc == SC_MUNMAP ? c->a[1] : 1)) {
			maps_mismatch(p, c->lineno,
				      "%s at %#llx succeeded in the log, but neither the maps nor "
				      "an earlier call of the log has anything there (unless the "
				      "log leaves out the call that mapped it)",
				      c->name ? c->name : "?", (unsigned long long)c->a[0]);
			return;
		}
		if (c->sc == SC_MREMAP)
			known_add(mc, res, res + PAGE_ALIGN_(c->a[2]), NULL);
		break;
	default:
		break;
	}
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
	uint64_t before = map_count(mm);
	const uint64_t *a = c->a;
	switch (c->sc) {
	case SC_MMAP: {
		vms_file *vf = NULL;
		NEED(0x2f); /* fd may be unreadable for anonymous maps */
		if (!(a[3] & VMS_MAP_ANONYMOUS)) {
			struct ofd *f = fd_arg(pr, c, 4);
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
	default:
		unsupported(p, c, "not modelled");
		return;
	}
	if (p->mc.active && pr->sp->first)
		maps_check_call(p, c);
	count_vmas(p, c->sc, before, map_count(mm), r);
	check_result(p, c, r, addr, mm);
}

static void do_files(struct proc *pr, const struct call *c)
{
	const struct strace_line *l = c->full;
	struct ofd *f;
	if (!c->has_result || c->result < 0 || !pr->ft || !l)
		return;
	switch (c->sc) {
	case SC_OPENAT:
	case SC_OPEN:
	case SC_CREAT: {
		int pi = c->sc == SC_OPENAT ? 1 : 0;
		const char *name = path_arg(l, pi);
		int oflags;
		if (c->sc == SC_CREAT)
			oflags = VMS_O_WRONLY;
		else
			oflags = pi + 1 < l->nargs && l->args[pi + 1].v.has_num
					 ? (int)l->args[pi + 1].v.num
					 : VMS_O_RDONLY;
		if (l->result_fd_path) {
			f = ofd_new_canonical(l->result_fd_path, oflags);
		} else {
			/* the name the process asked for, which the maps show
			 * resolved (ofd_name()) */
			const char *shown = NULL, *dir = NULL;
			if (pi < l->nargs && l->args[pi].v.kind == SV_STR)
				shown = l->args[pi].v.str;
			if (c->sc == SC_OPENAT)
				dir = dirfd_path(pr, &l->args[0]);
			else if (pr->cwd)
				dir = pr->cwd->path;
			f = ofd_new(shown, oflags);
			if (f && name)
				f->lookup = path_join(dir, name);
		}
		if (f)
			fd_install(pr->ft, (uint64_t)c->result, f);
		break;
	}
	case SC_MEMFD_CREATE: {
		char path[300];
		const char *name = l->nargs > 0 && l->args[0].v.kind == SV_STR ? l->args[0].v.str
									    : "";
		snprintf(path, sizeof(path), "/memfd:%s", name);
		f = ofd_new(path, VMS_O_RDWR);
		if (f) {
			f->memfd = 1;
			fd_install(pr->ft, (uint64_t)c->result, f);
		}
		break;
	}
	case SC_CLOSE:
		if (c->has & 1)
			fd_close(pr->ft, c->a[0]);
		break;
	case SC_CLOSE_RANGE:
		/* CLOSE_RANGE_CLOEXEC (4) only marks them */
		if ((c->has & 7) == 7 && !(c->a[2] & 4)) {
			if (c->a[2] & 2) { /* CLOSE_RANGE_UNSHARE */
				struct fdtab *t = fdtab_copy(pr->ft);
				if (t) {
					fdtab_put(pr->ft);
					pr->ft = t;
				}
			}
			for (uint64_t fd = c->a[0]; fd <= c->a[1] && fd < (uint64_t)pr->ft->n; fd++)
				fd_close(pr->ft, fd);
		}
		break;
	case SC_DUP:
	case SC_DUP2:
	case SC_DUP3:
		if ((c->has & 1) && (f = fd_get(pr->ft, c->a[0])) && (uint64_t)c->result != c->a[0]) {
			f->refs++;
			fd_install(pr->ft, (uint64_t)c->result, f);
		}
		break;
	case SC_FCNTL:
		/* F_DUPFD (0), F_DUPFD_CLOEXEC (1030) */
		if ((c->has & 3) == 3 && (c->a[1] == 0 || c->a[1] == 1030) &&
		    (f = fd_get(pr->ft, c->a[0]))) {
			f->refs++;
			fd_install(pr->ft, (uint64_t)c->result, f);
		}
		break;
	case SC_FSTAT:
		if ((c->has & 1) && l->nargs > 1 && (f = fd_get(pr->ft, c->a[0])))
			ofd_learn(f, &l->args[1]);
		break;
	case SC_NEWFSTATAT:
	case SC_STATX: {
		/* only the fd form: (fd, "", ..., AT_EMPTY_PATH) */
		int si = c->sc == SC_NEWFSTATAT ? 2 : 4;
		if (l->nargs > si && (c->has & 1) && l->args[1].v.kind == SV_STR &&
		    l->args[1].v.str_len == 0 && (f = fd_get(pr->ft, c->a[0])))
			ofd_learn(f, &l->args[si]);
		break;
	}
	case SC_CHDIR: {
		const char *name = path_arg(l, 0);
		if (pr->cwd)
			cwd_set(pr->cwd, name ? path_join(pr->cwd->path, name) : NULL);
		break;
	}
	case SC_FCHDIR: {
		const char *dir = NULL;
		if (l->nargs > 0 && l->args[0].v.num != AT_FDCWD_)
			dir = dirfd_path(pr, &l->args[0]);
		if (pr->cwd)
			cwd_set(pr->cwd, dir ? strdup(dir) : NULL);
		break;
	}
	case SC_GETCWD: {
		/* the kernel's own name for it, like a -y path ("(unreachable)/..."
		 * when it is outside the process's root: not a path here) */
		const char *name = path_arg(l, 0);
		if (pr->cwd)
			cwd_set(pr->cwd, name && name[0] == '/' ? strdup(name) : NULL);
		break;
	}
	default:
		break;
	}
}

/* ---- Applying one call ---------------------------------------------------- */

static void count_name(struct pass *p, enum sc sc, const char *name, int *slot)
{
	struct replay_stats *st = p->st;
	int i;
	if (sc != SC_OTHER && slot[sc] >= 0) {
		st->names[slot[sc]].count++;
		return;
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
	st->names[i].count++;
	if (sc != SC_OTHER && i < REPLAY_MAX_NAMES - 1)
		slot[sc] = i;
}

static void exit_space_procs(struct pass *p, struct space *sp)
{
	space_end(p, sp);
	for (int i = 0; i < p->nprocs; i++)
		if (p->procs[i].alive && p->procs[i].sp == sp)
			proc_exit(p, &p->procs[i]);
}

static void apply_call(struct pass *p, struct call *c, const char *name)
{
	struct proc *pr;
	c->name = name;
	p->st->syscalls++;
	count_name(p, c->sc, name, p->name_slot);
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
	bool first = pr->sp && pr->sp->first;
	switch (c->sc) {
	case SC_CLONE:
	case SC_CLONE3:
	case SC_FORK:
	case SC_VFORK:
		pending_clone_take(p, c->pid, NULL);
		if (first)
			p->mc.active = 0; /* see maps_check_call() */
		if (c->has_result && c->result > 0 && c->result <= INT_MAX && c->full &&
		    !pid_seen(p, (int)c->result))
			do_clone(p, pr, clone_flags(c->full, c->sc), (int)c->result, c->lineno);
		break;
	case SC_EXECVE:
	case SC_EXECVEAT:
		if (!c->has_result || c->result != 0)
			break;
		if (first && !p->first_done && p->o->initial_maps)
			break; /* --initial-maps is its result */
		{
			/* a new program: its address space is not known */
			struct space *sp = space_new(p, NULL);
			struct fdtab *ft = fdtab_copy(pr->ft);
			struct cwd *cwd = pr->cwd; /* execve keeps the working directory */
			if (!sp || !ft) {
				free(sp);
				fdtab_put(ft);
				break;
			}
			if (cwd)
				cwd->refs++;
			sp->id = pr->pid;
			sp->why = "a program started by execve (its maps are unknown)";
			exit_space_procs(p, pr->sp);
			pr = proc_add(p, c->pid, sp, ft);
			if (pr)
				pr->cwd = cwd;
			else
				cwd_put(cwd);
			if (first)
				warn(p, c->lineno, "execve without --initial-maps: the process "
						   "is not modelled from here on");
		}
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
	default:
		if (is_memory_call(c->sc))
			do_memory(p, pr, c);
		else
			do_files(pr, c);
		break;
	}
	if (first)
		p->first_done = 1;
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

/* ---- The fast path -------------------------------------------------------- */

/*
 * Most lines of a long trace are plain mmap/munmap/mprotect/brk calls whose
 * arguments are numbers and PROT_/MAP_ names. They are read here without the
 * full parser (and without its per-line memory); anything else on such a
 * line (a string, an fd, a timestamp, -T, an unknown name) sends the line to
 * the full parser, so both agree (tests/test_replay.c compares them).
 */
static const struct {
	const char *name;
	uint8_t len;
	uint32_t val;
} fast_syms[] = {
#define S(n, v) {#n, sizeof(#n) - 1, v}
	S(PROT_NONE, 0), S(PROT_READ, 1), S(PROT_WRITE, 2), S(PROT_EXEC, 4), S(PROT_SEM, 8),
	S(PROT_GROWSDOWN, 0x01000000), S(PROT_GROWSUP, 0x02000000), S(MAP_SHARED, 1),
	S(MAP_PRIVATE, 2), S(MAP_SHARED_VALIDATE, 3), S(MAP_FIXED, 0x10),
	S(MAP_ANONYMOUS, 0x20), S(MAP_32BIT, 0x40), S(MAP_GROWSDOWN, 0x100),
	S(MAP_DENYWRITE, 0x800), S(MAP_EXECUTABLE, 0x1000), S(MAP_LOCKED, 0x2000),
	S(MAP_NORESERVE, 0x4000), S(MAP_POPULATE, 0x8000), S(MAP_NONBLOCK, 0x10000),
	S(MAP_STACK, 0x20000), S(MAP_HUGETLB, 0x40000), S(MAP_SYNC, 0x80000),
	S(MAP_FIXED_NOREPLACE, 0x100000), S(MAP_UNINITIALIZED, 0x4000000),
#undef S
};

static int fast_sym(const char *s, size_t n, uint64_t *v)
{
	for (size_t i = 0; i < sizeof(fast_syms) / sizeof(fast_syms[0]); i++) {
		if (fast_syms[i].len == n && s[5] == fast_syms[i].name[5] &&
		    !memcmp(s, fast_syms[i].name, n)) {
			*v = fast_syms[i].val;
			return 0;
		}
	}
	return -1;
}

static int hexdig(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* A number as strace prints it: 0x..., decimal, -decimal. Returns the
 * characters used, or 0. */
static size_t fast_num(const char *s, const char *end, uint64_t *v)
{
	const char *p = s;
	uint64_t x = 0;
	int neg = 0;
	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	if (end - p > 2 && p[0] == '0' && p[1] == 'x') {
		const char *q = p + 2;
		int d;
		while (q < end && (d = hexdig(*q)) >= 0) {
			if (q - p > 17)
				return 0;
			x = x << 4 | (uint64_t)d;
			q++;
		}
		if (q == p + 2)
			return 0;
		p = q;
	} else {
		const char *q = p;
		while (q < end && *q >= '0' && *q <= '9') {
			if (q - p > 18)
				return 0;
			x = x * 10 + (uint64_t)(*q - '0');
			q++;
		}
		if (q == p)
			return 0;
		p = q;
	}
	*v = neg ? (uint64_t)0 - x : x;
	return (size_t)(p - s);
}

/* One argument: a number, NULL, or NAME|NAME|...; it ends at ',' or ')'. */
static const char *fast_arg(const char *s, const char *end, uint64_t *v)
{
	uint64_t acc = 0, x;
	if (end - s >= 4 && !memcmp(s, "NULL", 4)) {
		*v = 0;
		return s + 4;
	}
	if (*s == '-' || (*s >= '0' && *s <= '9')) {
		size_t k = fast_num(s, end, v);
		return k ? s + k : NULL;
	}
	for (;;) {
		const char *q = s;
		while (q < end && ((*q >= 'A' && *q <= 'Z') || *q == '_' || (*q >= '0' && *q <= '9')))
			q++;
		if (q - s < 6 || fast_sym(s, (size_t)(q - s), &x))
			return NULL;
		acc |= x;
		if (q < end && *q == '|') {
			s = q + 1;
			continue;
		}
		*v = acc;
		return q;
	}
}

/* Fills c from a plain line; returns 0 when the full parser must read it. */
static int fast_parse(const char *s, size_t n, struct call *c)
{
	const char *end = s + n, *p;
	int want;
	if (n < 12)
		return 0;
	if (s[0] == 'm') {
		if (!memcmp(s, "mmap(", 5)) {
			c->sc = SC_MMAP, p = s + 5, want = 6;
		} else if (!memcmp(s, "munmap(", 7)) {
			c->sc = SC_MUNMAP, p = s + 7, want = 2;
		} else if (!memcmp(s, "mprotect(", 9)) {
			c->sc = SC_MPROTECT, p = s + 9, want = 3;
		} else {
			return 0;
		}
	} else if (!memcmp(s, "brk(", 4)) {
		c->sc = SC_BRK, p = s + 4, want = 1;
	} else {
		return 0;
	}
	for (int i = 0; i < want; i++) {
		p = fast_arg(p, end, &c->a[i]);
		if (!p || p >= end)
			return 0;
		if (i + 1 < want) {
			if (end - p < 2 || p[0] != ',' || p[1] != ' ')
				return 0;
			p += 2;
		}
	}
	if (*p != ')')
		return 0;
	/* mmap with an fd (it has a -y path, or is an error) takes the full path */
	if (c->sc == SC_MMAP && c->a[4] != UINT64_MAX)
		return 0;
	p++;
	while (p < end && *p == ' ')
		p++;
	if (end - p < 3 || p[0] != '=' || p[1] != ' ')
		return 0;
	p += 2;
	if (end - p > 3 && p[0] == '-' && p[1] == '1' && p[2] == ' ') {
		char en[24];
		const char *q = p + 3;
		while (q < end && *q != ' ')
			q++;
		if (q - (p + 3) >= (long)sizeof(en) || q == p + 3)
			return 0;
		memcpy(en, p + 3, (size_t)(q - (p + 3)));
		en[q - (p + 3)] = '\0';
		int e = strace_errno_value(en);
		if (e <= 0)
			return 0;
		c->result = -e;
		/* " (Cannot allocate memory)" */
		if (q < end) {
			if (end - q < 3 || q[1] != '(')
				return 0;
			const char *r = memchr(q, ')', (size_t)(end - q));
			if (!r)
				return 0;
			p = r + 1;
		} else {
			p = q;
		}
	} else {
		uint64_t v;
		size_t k = fast_num(p, end, &v);
		if (!k || *p == '-')
			return 0;
		c->result = (int64_t)v;
		p += k;
	}
	while (p < end && *p == ' ')
		p++;
	if (p != end)
		return 0;
	c->nargs = want;
	c->has = (1u << want) - 1;
	c->has_result = 1;
	c->result_unknown = 0;
	c->full = NULL;
	c->text = s;
	c->text_len = n;
	return 1;
}

/* ---- Groups of overlapping calls ----------------------------------------- */

static int group_push(struct pass *p, const struct strace_event *ev)
{
	if (p->ngroup == p->capgroup) {
		int n = p->capgroup ? p->capgroup * 2 : 16;
		struct gitem *v = realloc(p->group, (size_t)n * sizeof(*v));
		if (!v)
			return -1;
		p->group = v;
		p->capgroup = n;
	}
	struct gitem *g = &p->group[p->ngroup];
	g->text = strdup(ev->line.text ? ev->line.text : "");
	if (!g->text)
		return -1;
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
		free(p->group[i].text);
	p->ngroup = 0;
	if (p->stop_after == idx)
		p->stopped = 1;
}

/* ---- One pass over the trace --------------------------------------------- */

static struct space *first_space(struct pass *p)
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
		const char *text = s->mm ? maps_of(p, s->mm) : s->maps_at_exit;
		if (!text)
			continue;
		fprintf(p->out, "== pid %d%s%s ==\n%s", s->id, s->mm ? "" : " (at its exit)",
			when, text);
	}
}

/* Builds the system and the first address space. Returns 0 or 2. */
static int pass_init(struct pass *p, const struct replay_opts *o, struct replay_stats *st)
{
	p->o = o;
	p->st = st;
	p->stop_after = -1;
	p->first_bad_group = -1;
	for (int i = 0; i <= SC_EXIT_GROUP; i++)
		p->name_slot[i] = -1;
	p->sys = vms_sys_new();
	if (!p->sys)
		return 2;
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
	return 0;
}

static void pass_free(struct pass *p)
{
	for (int i = 0; i < p->nprocs; i++)
		proc_exit(p, &p->procs[i]);
	for (int i = 0; i < p->nspaces; i++) {
		space_end(p, p->spaces[i]);
		free(p->spaces[i]->maps_at_exit);
		free(p->spaces[i]);
	}
	free(p->spaces);
	free(p->procs);
	free(p->pclones);
	for (int i = 0; i < p->ngroup; i++)
		free(p->group[i].text);
	free(p->group);
	free(p->mapsbuf);
	for (int i = 0; i < p->nunmatched; i++)
		free(p->unmatched[i]);
	free(p->unmatched);
	free(p->mc.known);
	strace_line_free(&p->scratch);
	vms_sys_free(p->sys);
}

/* One note for the whole replay, since a log recorded on another machine
 * would otherwise warn on every library it maps. */
static void note_unmatched_paths(const struct pass *p)
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

/* Runs the whole trace once. */
static void pass_run(struct pass *p, const char *text, size_t len, struct search *se)
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
	bool glue = memmem(text, len, "strace: Process ", 16) != NULL;

	memset(&line, 0, sizeof(line));
	memset(&ev, 0, sizeof(ev));
	if (!j)
		return;
	if (glue) {
		mf = fmemopen((void *)text, len, "r");
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
		} else {
			n = next_line(text, len, &pos, &s);
			if (n < 0)
				break;
			lineno++;
		}
		p->st->lines++;
		p->last_line = lineno;
		if (p->o->progress && p->err && p->st->lines >= next_progress) {
			next_progress += 1 << 18;
			fprintf(p->err, "\rvmspace: replaying line %d (%d%%)", lineno,
				(int)((double)(glue ? (size_t)ftell(mf) : pos) * 100 / (double)(len ? len : 1)));
		}
		/* the fast path: a plain line while nothing is unfinished, of a
		 * process whose pid the joiner would give it as is */
		if (p->unfinished == 0 && p->ngroup == 0 && n > 0) {
			struct call c;
			const char *q = s;
			int pid = 0;
			bool ok = false;
			if (*q >= '0' && *q <= '9') {
				if (p->prefixed) {
					while (*q >= '0' && *q <= '9')
						pid = pid * 10 + (*q++ - '0');
					if (*q == ' ') {
						while (*q == ' ')
							q++;
						ok = proc_find(p, pid) != NULL;
					}
				}
			} else {
				ok = p->unprefixed_ok && p->saw_first;
			}
			if (ok && fast_parse(q, (size_t)(n - (q - s)), &c)) {
				c.pid = pid;
				c.lineno = c.end_lineno = lineno;
				c.text = s;
				c.text_len = (size_t)n;
				apply_call(p, &c, c.sc == SC_MMAP ? "mmap" : c.sc == SC_MUNMAP ? "munmap"
						  : c.sc == SC_MPROTECT ? "mprotect" : "brk");
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
			const char *what = lineno == 1 ? binary_kind(text, len) : NULL;
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
		if (strace_parse_line(copy, &line, err, sizeof(err))) {
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
			p->unfinished++;
			enum sc sc = sc_of(line.name);
			if (sc == SC_CLONE || sc == SC_CLONE3 || sc == SC_FORK || sc == SC_VFORK)
				pending_clone_add(p, line.pid, clone_flags(&line, sc));
		}
		if (strace_joiner_feed(j, &line))
			break;
		while (strace_joiner_next(j, &ev, err, sizeof(err))) {
			bool was_open = (ev.abandoned || ev.start_lineno != ev.end_lineno) && !ev.orphan;
			if (was_open && p->unfinished > 0)
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
	if (p->o->progress && p->err && p->st->lines > (1 << 16))
		fprintf(p->err, "\r\033[K");
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
		fclose(mf);
	}
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

/* One pass; returns its exit code (0 or 2). */
static int run_once(const struct replay_opts *o, const char *text, size_t len, uint64_t sbrk,
		    int lead_exec,
		    struct override *ov, int nov, int *tried, int stop_after, FILE *out, FILE *err,
		    struct replay_stats *st, struct search *se, int *first_bad)
{
	struct pass p;
	memset(&p, 0, sizeof(p));
	memset(st, 0, sizeof(*st));
	p.out = out;
	p.err = err;
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
	pass_run(&p, text, len, se);
	note_unmatched_paths(&p);
	rc = p.exit_code;
	if (first_bad)
		*first_bad = p.first_bad_group;
	if (out && o->print_maps)
		print_all_maps(&p, " at the end");
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

	if (memmem(text, len, "<unfinished ...>", 16)) {
		/* find an order for each group of overlapping calls that diverges */
		for (;;) {
			int bad = -1;
			se.ngi = 0;
			rc = run_once(o, text, len, sbrk, lead_exec, ov, nov, tried, -1, NULL, NULL, &st, &se,
				      &bad);
			passes++;
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
						 &st, &one, NULL);
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
	rc = run_once(o, text, len, sbrk, lead_exec, ov, nov, tried, -1, out, err, &st, NULL, NULL);
	passes++;
	st.passes = (uint64_t)passes;
	st.unexplained_groups = unexplained;
	if (rc == 0) {
		if (out)
			fprintf(out, "replayed %llu calls: %llu matched, %llu diverged, %llu unsupported\n",
				(unsigned long long)st.calls, (unsigned long long)st.matched,
				(unsigned long long)st.diverged, (unsigned long long)st.unsupported);
		if (out && st.unsupported)
			print_reasons(out, &st);
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

/* ---- Settings ------------------------------------------------------------- */

int replay_setting(struct replay_opts *o, const char *opt, const char *val)
{
	uint64_t v;
	if (!strcmp(opt, "--sysctl")) {
		const char *eq = strchr(val, '=');
		char *end;
		if (!eq || eq == val || (size_t)(eq - val) >= sizeof(o->sysctl_name[0]) ||
		    o->nsysctl >= REPLAY_MAX_SYSCTL)
			return -1;
		errno = 0;
		v = strtoull(eq + 1, &end, 0);
		if (errno || end == eq + 1 || *end || eq[1] == '-')
			return -1;
		memcpy(o->sysctl_name[o->nsysctl], val, (size_t)(eq - val));
		o->sysctl_name[o->nsysctl][eq - val] = '\0';
		o->sysctl_val[o->nsysctl++] = v;
		return 0;
	}
	if (!strcmp(opt, "--rlimit"))
		return replay_parse_rlimit(o, val);
	if (!strcmp(opt, "--ram") || !strcmp(opt, "--swap")) {
		if (replay_parse_size(val, &v))
			return -1;
		if (opt[2] == 'r')
			o->has_ram = 1, o->ram = v;
		else
			o->has_swap = 1, o->swap = v;
		return 0;
	}
	if (!strcmp(opt, "--cap")) {
		unsigned c = replay_cap_value(val);
		if (!c && strcasecmp(val, "none"))
			return -1;
		if (!o->has_caps)
			o->caps = 0;
		o->has_caps = 1;
		o->caps |= c;
		return 0;
	}
	if (!strcmp(opt, "--aslr")) {
		if (!strcmp(val, "off")) {
			o->aslr = 0;
			return 0;
		}
		if (replay_parse_size(val, &v))
			return -1;
		o->aslr = 1;
		o->seed = v;
		return 0;
	}
	if (!strcmp(opt, "--start-brk")) {
		if (replay_parse_size(val, &v) || (v & (VMS_PAGE_SIZE - 1)))
			return -1;
		o->start_brk = v;
		return 0;
	}
	return 1;
}

int replay_load_settings(struct replay_opts *o, const char *text)
{
	char opt[64], val[256];
	int n = 0;
	const char *s = text;
	for (;;) {
		int used = 0;
		if (sscanf(s, " %63s%n", opt, &used) != 1)
			return 0;
		s += used;
		n++;
		if (sscanf(s, " %255s%n", val, &used) != 1 || replay_setting(o, opt, val))
			return n;
		s += used;
	}
}
