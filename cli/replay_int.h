/*
 * replay_int.h: what the files of `vmspace replay` share: the replay state of
 * one pass (struct pass), processes and their address spaces, open file
 * descriptions, calls, and the functions each file offers the others.
 * replay.c applies calls and drives the passes; fds.c follows descriptors,
 * working directories and files; procs.c follows processes (clone, fork,
 * exit); diagnose.c says what is wrong with the input; fast_path.c reads the
 * commonest lines without the full parser; replay_exec.c applies execve;
 * host_files.c asks the host about files once per pass. Not for: anything
 * outside replay (replay.h is the interface).
 */
#ifndef VMS_REPLAY_INT_H
#define VMS_REPLAY_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "pidset.h"
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
	int pidfd_pid;  /* a pidfd (pidfd_open, or -yy's "pid:N"): the process, else 0 */
	/* What the file is, besides its path: open(O_TMPFILE) (path is the
	 * directory), unlinked (-y "(deleted)"), a character device (fstat's
	 * st_mode and st_rdev). */
	int tmpfile, deleted, chr;
	uint32_t rdev_major, rdev_minor;
	int have_id;    /* dev/ino from an fstat-like line */
	uint32_t major, minor;
	uint64_t ino, size;
	int have_size;
	vms_inode *inode;
	vms_file *vf;	vms_uffd *uffd; /* a userfaultfd(2) file: its context (uffd.c) */
};

#define FD_CLOSED_MAX 1024
struct fdtab {
	int refs;
	int n;
	struct ofd **fd;
	/* fds below FD_CLOSED_MAX the log closed (and did not open again):
	 * known not open, so a call on one is EBADF, while an fd the log never
	 * showed may have been inherited (fd_closed()) */
	uint64_t closed[FD_CLOSED_MAX / 64];
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
	char *prog;      /* the program it runs (after an execve), for --maps */
	/* Built by an execve line (replay_exec.c): which, the random choices the
	 * model made, the program's RELRO, whether it is a loader (static PIE:
	 * placed by mmap), and what --follow has looked at. */
	int exec_line;
	int randomized;
	struct vms_exec_layout used;
	uint64_t relro_start, relro_end;
	int loader;
	int brk_seen, mmap_seen;
};

/* What --follow learned of an execve's random choices from the log's
 * results, kept across the passes of one replay (see replay_exec.c). */
struct exec_learned {
	int lineno;                    /* the execve line */
	struct vms_exec_layout layout; /* .fixed says what is known */
	int from[4];                   /* the line each was learned from: mmap, stack, load, brk */
};
struct learn_set {
	struct exec_learned *v;
	int n, cap;
	int changed; /* a pass learned something: run again */
	int frozen;  /* no more learning */
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
	int borrowed_vm; /* CLONE_VM without CLONE_THREAD (vfork): an execve
			  * leaves the space to its owner */
	int getpid;      /* what getpid() returned (the pid of a log without pids) */
};

struct pending_clone {
	int pid;         /* the parent */
	uint64_t flags;
	int lineno;      /* where the unfinished clone began */
};

/* A call, as the handlers see it: numbers, plus the parsed line for the rest
 * (NULL on the fast path, which only takes calls whose arguments are numbers). */
enum sc {
	SC_OTHER, SC_MMAP, SC_MUNMAP, SC_MPROTECT, SC_PKEY_MPROTECT, SC_BRK, SC_MREMAP,
	SC_MADVISE, SC_MLOCK, SC_MLOCK2, SC_MUNLOCK, SC_MLOCKALL, SC_MUNLOCKALL, SC_PRLIMIT64,
	SC_SETRLIMIT, SC_GETRLIMIT, SC_PRCTL,
	/* issue 13: the memory calls, then pidfd_open (a descriptor call) */
	SC_MSEAL, SC_MSYNC, SC_MINCORE, SC_REMAP_FILE_PAGES, SC_PROCESS_MADVISE,
	SC_PROCESS_MRELEASE, SC_PIDFD_OPEN, SC_GETPID,
	SC_CLONE, SC_CLONE3, SC_FORK, SC_VFORK,
	SC_EXECVE, SC_EXECVEAT, SC_OPENAT, SC_OPEN, SC_CREAT, SC_CLOSE, SC_CLOSE_RANGE,
	SC_DUP, SC_DUP2, SC_DUP3, SC_FCNTL, SC_MEMFD_CREATE, SC_FSTAT, SC_NEWFSTATAT,
	SC_STATX, SC_CHDIR, SC_FCHDIR, SC_GETCWD, SC_EXIT, SC_EXIT_GROUP,
	/* shared memory, checked in do_shared() */
	SC_SHMGET, SC_SHMAT, SC_SHMDT, SC_SHMCTL, SC_FTRUNCATE, SC_MEMFD_SECRET, SC_FALLOCATE,
	SC_UNLINK, SC_UNLINKAT, /* files_unlink() */
	/* Memory policy, protection keys, shadow stacks, personality and
	 * credentials: checked like the memory calls above. */
	SC_MBIND, SC_SET_MEMPOLICY, SC_GET_MEMPOLICY, SC_SET_MEMPOLICY_HOME_NODE, SC_PKEY_ALLOC,
	SC_PKEY_FREE, SC_MAP_SHADOW_STACK, SC_PERSONALITY, SC_CAPGET, SC_CAPSET, SC_SETUID,
	SC_SETRESUID, SC_SETGID, SC_SETRESGID,
	SC_USERFAULTFD, SC_IOCTL, /* uffd.c */
	SC_NCALLS
};

struct call {
	enum sc sc;
	const char *name; /* the system call's, for messages */
	int name_slot;    /* its row of replay_stats.names[] (apply_call()) */
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
	struct strace_line *parsed; /* the call as parsed, or NULL: */
	char *text;                 /* its text, to parse again, or NULL: */
	bool fast;                  /* call was read by fast_parse() */
	struct call call;
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
	struct html_writer *html; /* o->html in the pass whose output is given */
	FILE *out, *err;  /* NULL when silent */
	FILE *progress;   /* the progress line (--progress), or NULL */
	struct host_files *host_files; /* NULL: the host is asked each time */
	vms_sys *sys;
	struct vms_mm_config cfg;
	struct replay_stats *st;

	struct proc *procs;
	int nprocs, capprocs;
	struct pidset seen; /* every pid procs[] has held (pid_seen) */
	int *alive;         /* indices in procs of the live ones, oldest first */
	int nalive, capalive;
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
	uint64_t nexecs;    /* execve lines modelled, for their random streams */
	struct learn_set *learn; /* --follow: random choices learned, or NULL */
	int exec_approx_warned;

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
	int name_slot[SC_NCALLS];
	uint8_t other_slot[128]; /* count_name(): other names by hash, slot + 1 */

	/* Decisions (explain.c): the collector of the current call's events,
	 * or NULL when nothing asked for them; the model's result of the
	 * current call, as check_result() saw it. */
	struct call_hook *hook;
	int final;          /* the pass whose results count (on_call_events) */
	long model_r;
	int model_r_set, model_r_addr;
	int last_pid;       /* the process of the last call (interactive "maps") */
};


/* replay.c */
void unsupported(struct pass *p, const struct call *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void check_result(struct pass *p, const struct call *c, long r, bool addr, const vms_mm *mm);
void exit_space_procs(struct pass *p, struct space *sp);

void print_divergence(struct pass *p, const struct call *c, const char *model);

/* uffd.c */
void do_userfaultfd(struct pass *p, struct proc *pr, const struct call *c);
void do_uffd_ioctl(struct pass *p, struct proc *pr, const struct call *c);

/* replay_exec.c */
void do_execve(struct pass *p, struct proc *pr, const struct call *c);

/* host_files.c: the host's answers about files, each asked once per pass. */
struct host_files *host_files_new(void);
void host_files_free(struct host_files *c);
/* stat(2) of path: true (sb filled) when it succeeds. */
bool host_stat(struct pass *p, const char *path, struct stat *sb);
/* statfs(2) of path: true (*type = its f_type) when it succeeds. */
bool host_fs_type(struct pass *p, const char *path, int64_t *type);
/* realpath(3) of path: malloc'd, or NULL. */
char *host_realpath(struct pass *p, const char *path);
/* The files as vms_execve reads them (NULL: the host's, asked each time). */
const struct vms_exec_fs *host_exec_fs(struct pass *p);
/* --follow: learns an exec's random choice from a call's recorded result
 * (r is the model's); returns 1 when it did (the replay runs again). */
int exec_follow_learn(struct pass *p, struct proc *pr, const struct call *c, long r);

const char *maps_of(struct pass *p, const vms_mm *mm);
/* What --maps, --smaps and --smaps-rollup print for mm, in that order
 * (maps alone when none of them is given: --at N), malloc'd. */
char *report_of(struct pass *p, const vms_mm *mm);
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
/* fd is known not to be open: negative, or closed in the log and not opened
 * again by a call of the log (the traced set must hold every call that makes
 * descriptors a program maps or seals: record.sh's does). */
bool fd_closed(const struct fdtab *t, uint64_t fd);
int fd_install(struct fdtab *t, uint64_t fd, struct ofd *f);
struct cwd *cwd_new(const char *path);
void cwd_put(struct cwd *c);
char *ofd_name(struct pass *p, const struct ofd *f, bool on_host, const struct stat *sb,
		      int lineno);
vms_file *ofd_file(struct pass *p, struct ofd *f, int lineno);
/* A file of an anonymous inode: a pidfd, a userfaultfd, or what -y shows as
 * "anon_inode:[...]" (eventfd, ...): not a regular file, no mmap. */
bool ofd_anon_inode(const struct ofd *f);
void do_files(struct proc *pr, const struct call *c);
struct ofd *ofd_new_internal(const char *path, vms_file *vf);
void files_unlink(struct pass *p, struct proc *pr, const struct call *c);

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
void pending_clone_add(struct pass *p, int pid, uint64_t flags, int lineno);
int pending_clone_take(struct pass *p, int pid, int lineno, struct pending_clone *out);
int pending_clone_for_child(struct pass *p, int lineno, struct pending_clone *out);
struct proc *proc_for(struct pass *p, int pid, int lineno);
bool pid_seen(struct pass *p, int pid);

/* fast_path.c */
int fast_parse(const char *s, size_t n, struct call *c);

/* explain.c: the events of each call, for --explain, --stats and
 * replay_opts.on_call_events. hook_new() returns NULL when the pass needs
 * none (then nothing observes the system). */
struct call_hook *hook_new(struct pass *p);
void hook_free(struct call_hook *h);
void hook_begin(struct pass *p, const struct call *c);
void hook_end(struct pass *p, const struct call *c);
/* The end of the pass: --stats's tables on out. */
void hook_finish(struct pass *p);

/* stats.c: --stats. */
struct replay_tally;
struct replay_tally *tally_new(void);
void tally_free(struct replay_tally *t);
/* One call: its process, name, result (have_r: r is known) and events. */
void tally_call(struct replay_tally *t, int pid, const char *name, long r, int have_r,
		const struct vms_event *ev, size_t n);
/* A process's counters after a call (peaks), and the system's committed pages. */
void tally_counters(struct replay_tally *t, int pid, const struct vms_mm_counters *c,
		    uint64_t committed);
void tally_print(const struct replay_tally *t, FILE *out);
/* errno's name ("ENOMEM"), or NULL for one the replay does not name. */
const char *errno_name(long err);

#endif
