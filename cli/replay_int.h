/*
 * replay_int.h: what the files of `vmspace replay` share: the replay state of
 * one pass (struct pass), processes and their address spaces, open file
 * descriptions, calls, and the functions each file offers the others.
 * replay.c applies calls and drives the passes; fds.c follows descriptors,
 * working directories and files; procs.c follows processes (clone, fork,
 * exit); diagnose.c says what is wrong with the input; fast_path.c reads the
 * commonest lines without the full parser. Not for: anything outside
 * replay (replay.h is the interface).
 */
#ifndef VMS_REPLAY_INT_H
#define VMS_REPLAY_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "replay.h"
#include "strace_parse.h"
#include "vmspace.h"

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
	/* Memory policy, protection keys, shadow stacks, personality and
	 * credentials: checked like the memory calls above. */
	SC_MBIND, SC_SET_MEMPOLICY, SC_GET_MEMPOLICY, SC_SET_MEMPOLICY_HOME_NODE, SC_PKEY_ALLOC,
	SC_PKEY_FREE, SC_MAP_SHADOW_STACK, SC_PERSONALITY, SC_CAPGET, SC_CAPSET, SC_SETUID,
	SC_SETRESUID, SC_SETGID, SC_SETRESGID,
	SC_COUNT
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
	int name_slot[SC_COUNT];
};


/* replay.c */
const char *maps_of(struct pass *p, const vms_mm *mm);
struct space *first_space(struct pass *p);
void note_unmatched_paths(const struct pass *p);
enum sc sc_of(const char *n);
bool is_memory_call(enum sc sc);

/* diagnose.c */
void warn(struct pass *p, int lineno, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void bad_input(struct pass *p, enum bad_kind k, int lineno, const char *then,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void bad_input_tally(struct pass *p);
long binary_byte(const char *s, size_t n);
const char *binary_kind(const char *text, size_t len);
bool is_i386_only(const char *name);
void maps_check_init(struct maps_check *mc, const char *maps);
void maps_check_call(struct pass *p, const struct call *c);
void warn(struct pass *p, int lineno, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* fds.c */
struct ofd *ofd_new_canonical(const char *path, int oflags);
struct fdtab *fdtab_new(void);
struct fdtab *fdtab_copy(const struct fdtab *src);
void fdtab_put(struct fdtab *t);
struct ofd *fd_get(struct fdtab *t, uint64_t fd);
int fd_install(struct fdtab *t, uint64_t fd, struct ofd *f);
struct cwd *cwd_new(const char *path);
void cwd_put(struct cwd *c);
char *ofd_name(struct pass *p, const struct ofd *f, bool on_host, const struct stat *sb,
		      int lineno);
vms_file *ofd_file(struct pass *p, struct ofd *f, int lineno);
void do_files(struct proc *pr, const struct call *c);

/* procs.c */
struct space *space_new(struct pass *p, vms_mm *mm);
void space_end(struct pass *p, struct space *s);
struct proc *proc_find(struct pass *p, int pid);
struct proc *proc_add(struct pass *p, int pid, struct space *sp, struct fdtab *ft);
void proc_exit(struct pass *p, struct proc *pr);
void fault_rule(vms_mm *mm);
struct proc *do_clone(struct pass *p, struct proc *parent, uint64_t flags, int child,
			     int lineno);
uint64_t clone_flags(const struct strace_line *l, enum sc sc);
void pending_clone_add(struct pass *p, int pid, uint64_t flags);
int pending_clone_take(struct pass *p, int pid, struct pending_clone *out);
struct proc *proc_for(struct pass *p, int pid, int lineno);
bool pid_seen(struct pass *p, int pid);

/* fast_path.c */
int fast_parse(const char *s, size_t n, struct call *c);

#endif
