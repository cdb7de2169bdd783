/*
 * strace_parse.h: reads the text strace(1) prints, as it prints it, for
 * `vmspace replay`.
 *
 * Three layers, each usable on its own:
 *
 *  - strace_reader: physical lines of a file -> logical lines. Without -o,
 *    strace writes "strace: Process N attached" to the same stderr in the
 *    middle of a half-printed call; the reader cuts such messages out, hands
 *    them over as lines of their own, and glues the call back together.
 *  - strace_parse_line(): one logical line -> struct strace_line: pid prefix,
 *    timestamp, call name, arguments (raw text plus integer, string, struct
 *    and array forms), result, errno, -T duration; or a signal / exit line.
 *  - strace_joiner: pairs "<unfinished ...>" with its "<... NAME resumed>"
 *    line of the same thread and yields complete calls, each with both line
 *    numbers and both sequence numbers (start order, completion order), in
 *    either order, so that the caller can choose how to serialise calls of
 *    threads that overlapped.
 *
 * Numbers use the Linux x86-64 ABI whatever the host is: symbolic names
 * (PROT_READ, MAP_HUGE_2MB, 21<<MAP_HUGE_SHIFT, O_CLOEXEC, RLIMIT_STACK,
 * RLIM64_INFINITY, CLONE_VM, SIGCHLD, S_IFREG, AT_FDCWD, ...) become numbers
 * through a table in strace_parse.c.
 */
#ifndef VMS_STRACE_PARSE_H
#define VMS_STRACE_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define STRACE_MAX_ARGS 8

enum strace_kind {
	SL_CALL,       /* name(args) = result */
	SL_UNFINISHED, /* name(args <unfinished ...> (or <detached ...>) */
	SL_RESUMED,    /* <... name resumed>rest) = result */
	SL_SIGNAL,     /* --- SIGSEGV {si_signo=...} --- or --- stopped by SIGSTOP --- */
	SL_EXIT,       /* +++ exited with 0 +++, +++ killed by SIGKILL +++, ... */
	SL_OTHER,      /* empty, "strace: ..." messages, -k stack frames,
			* "[ Process PID=N runs in 32 bit mode. ]" */
	SL_MALFORMED,  /* anything else; err says why */
};

enum strace_ts_kind {
	STRACE_TS_NONE,
	STRACE_TS_CLOCK,    /* -t / -tt: seconds since midnight */
	STRACE_TS_EPOCH,    /* -ttt: seconds since 1970 */
	STRACE_TS_RELATIVE, /* -r: seconds since the previous line */
};

enum strace_vkind {
	SV_NONE,   /* empty (a trailing "read(3, " before <unfinished ...>) */
	SV_INT,    /* a number or flag expression; has_num says if it evaluated */
	SV_STR,    /* "..." */
	SV_NULL,   /* NULL (has_num = 1, num = 0) */
	SV_STRUCT, /* {a=1, b=...} */
	SV_ARRAY,  /* [1, 2] */
	SV_OTHER,  /* anything else, kept as raw text */
};

enum strace_exit_kind {
	STRACE_EXITED,     /* +++ exited with N +++ */
	STRACE_KILLED,     /* +++ killed by SIGX [(core dumped)] +++ */
	STRACE_SUPERSEDED, /* +++ superseded by execve in pid N +++ */
};

struct strace_field;

/* One printed value. Strings point into the line's own memory and stay valid
 * until the line is parsed into again or freed. */
struct strace_val {
	const char *raw;        /* as printed, trimmed, comments kept */
	enum strace_vkind kind;
	int has_num;            /* num is valid */
	uint64_t num;           /* two's complement for negatives; makedev(M, m)
				 * uses glibc's dev_t encoding (strace_dev_major) */
	const char *str;        /* SV_STR: unescaped, NUL-terminated */
	size_t str_len;         /* may hold NULs, so use this */
	int str_truncated;      /* printed with a trailing "..." (-s limit) */
	const char *fd_path;    /* -y: "3</usr/lib/libc.so.6>" -> "/usr/lib/libc.so.6" */
	int fd_deleted;         /* -y: "3</memfd:x>(deleted)": the file is unlinked */
	const char *bad_name;   /* the first name the table does not know; then
				 * has_num = 0 */
	const char *too_big;    /* the first number over 64 bits (strace never
				 * prints one); then has_num = 0 */
	int nfields;            /* SV_STRUCT fields / SV_ARRAY elements */
	struct strace_field *fields;
	int elided;             /* a "..." member was left out (abbreviated) */
};

struct strace_field {
	const char *name;       /* NULL for array elements */
	struct strace_val v;
};

struct strace_arg {
	const char *name;              /* clone's "flags=..." style, else NULL */
	struct strace_val v;           /* the value (on entry, if out is set) */
	const struct strace_val *out;  /* "IN => OUT": the value on exit, else NULL */
};

struct strace_mem; /* the line's private memory blocks */

struct strace_line {
	int lineno;              /* not set by the parser: for the caller and joiner */
	enum strace_kind kind;
	int pid;                 /* "[pid  N] " or "N " prefix, else 0 */
	enum strace_ts_kind ts_kind;
	double timestamp;        /* -1 when none */
	char name[32];           /* call name; SL_SIGNAL: "SIGSEGV"; SL_EXIT: "" */
	int nargs;
	struct strace_arg args[STRACE_MAX_ARGS];
	int args_dropped;        /* arguments past STRACE_MAX_ARGS */

	int has_result;          /* " = ..." was printed */
	int result_unknown;      /* " = ?" */
	int64_t result;          /* as the syscall returned it: -errno for -1 EXXX */
	char errname[32];        /* "ENOMEM", or "" */
	const char *result_fd_path; /* -y: " = 3</etc/passwd>" */
	int result_fd_deleted;   /* -y: " = 3</memfd:x>(deleted)" */
	const char *result_note; /* "(Cannot allocate memory)" without parens, or NULL */
	double duration;         /* -T "<0.000012>", else -1 */

	int signo;               /* SL_SIGNAL, STRACE_KILLED: the signal number */
	int stopped;             /* SL_SIGNAL: "--- stopped by SIGSTOP ---" */
	enum strace_exit_kind exit_kind;
	int exit_status;         /* STRACE_EXITED */
	int core_dumped;         /* STRACE_KILLED */
	int superseded_by;       /* STRACE_SUPERSEDED: the pid that ran execve */

	const char *text;        /* the whole line as given (no trailing newline) */
	size_t join_off;         /* SL_UNFINISHED: where " <unfinished ...>" starts;
				  * SL_RESUMED: just past "resumed>" */
	int detached;            /* SL_UNFINISHED ended by <detached ...> */
	int nwarn;               /* arguments with unknown names */
	char warn[96];           /* the first such warning */
	const char *too_big;     /* the first number over 64 bits in an argument
				  * (its value has no number), or NULL */
	int too_big_arg;         /* the 1-based argument it is in */
	int args_skipped;        /* strace_parse_line_some() left the arguments
				  * (or a signal's siginfo) unread: nargs is 0 */

	struct strace_mem *mem;
};

/* A zeroed struct strace_line is ready to use; strace_line_init() zeroes it. */
void strace_line_init(struct strace_line *l);
void strace_line_free(struct strace_line *l);

/* Parses one line (a trailing "\n" or "\r\n" is ignored). Never reads past the
 * NUL. Returns 0, or -1 with out->kind = SL_MALFORMED and a message in err
 * (when err is not NULL). Out-of-memory is reported as malformed. */
int strace_parse_line(const char *text, struct strace_line *out, char *err, size_t errsz);
/* The same, but the arguments of a call for which args_wanted(name) is 0,
 * and a signal's siginfo, are only checked (brackets and strings must
 * close), not read: args_skipped is set and nargs is 0. A caller that reads
 * only some calls' arguments is spared the rest (`vmspace replay`: a long
 * log is mostly reads, waits and signal masks). Where such arguments hold a
 * number too long to be sure it fits 64 bits they are read all the same, so
 * too_big is as strace_parse_line() sets it. */
int strace_parse_line_some(const char *text, struct strace_line *out, char *err, size_t errsz,
			   int (*args_wanted)(const char *name));

/* Field of a struct value by name (NULL if none or not a struct). */
const struct strace_val *strace_val_field(const struct strace_val *v, const char *name);
/* The value printed for name in a struct argument: checks the exit value
 * (after "=>") first, then the entry value. NULL if none. */
const struct strace_val *strace_arg_field(const struct strace_arg *a, const char *name);

/* Name tables, Linux x86-64 values. Return 0 and set *val, or -1. */
int strace_symbol_value(const char *name, uint64_t *val);
int strace_errno_value(const char *name); /* "ENOMEM" -> 12, else -1 */
int strace_signal_value(const char *name); /* "SIGSEGV" -> 11, SIGRT_2 -> 34, else -1 */

/* makedev() as glibc encodes it */
static inline uint32_t strace_dev_major(uint64_t dev)
{
	return (uint32_t)(((dev >> 32) & 0xfffff000u) | ((dev >> 8) & 0xfffu));
}
static inline uint32_t strace_dev_minor(uint64_t dev)
{
	return (uint32_t)(((dev >> 12) & 0xffffff00u) | (dev & 0xffu));
}

/* ---- Reading lines -------------------------------------------------------- */

struct strace_reader {
	FILE *f;
	int phys;      /* physical lines read */
	char *buf;     /* the logical line handed out */
	size_t cap;
	char *held;    /* a line to hand out next (after a cut-out message) */
	int held_lineno;
	int error;     /* a read error or no memory: ends the input */
};

void strace_reader_init(struct strace_reader *r, FILE *f);
/* The next logical line (NUL-terminated, valid until the next call) and its
 * first physical line number, or NULL at the end. */
const char *strace_reader_next(struct strace_reader *r, int *lineno);
void strace_reader_free(struct strace_reader *r);

/* ---- Joining unfinished calls -------------------------------------------- */

enum strace_order {
	STRACE_ORDER_COMPLETION, /* as the results came (end_seq order) */
	STRACE_ORDER_START,      /* as the calls began (start_seq order); waits
				  * for earlier calls still unfinished */
};

struct strace_event {
	struct strace_line line;  /* SL_CALL (joined), SL_UNFINISHED (abandoned),
				   * SL_SIGNAL or SL_EXIT; owned, reused across
				   * strace_joiner_next(), freed by strace_event_free() */
	int pid;                  /* the thread, resolved (see strace_joiner_feed) */
	int start_lineno, end_lineno;
	double start_ts, end_ts;  /* -1 when not printed */
	uint64_t start_seq;       /* order in which events began (0, 1, ...) */
	uint64_t end_seq;         /* order in which they completed (0, 1, ...) */
	int abandoned;            /* began, never resumed: its thread exited or
				   * the trace ended; there is no result */
	int orphan;               /* a resumed line whose start was never seen:
				   * line is SL_RESUMED, with no arguments */
};

struct strace_joiner;

struct strace_joiner *strace_joiner_new(enum strace_order order);
void strace_joiner_free(struct strace_joiner *j);
/* Feeds one parsed line (SL_OTHER "strace: Process N attached" lines help
 * to tell threads apart; other SL_OTHER and SL_MALFORMED lines are ignored).
 * A line without a pid prefix in a trace that has them is given the pid
 * strace left out: strace drops the prefix while only one process is traced,
 * and before the first clone of a trace made without -o. Returns 0, or -1
 * when out of memory. */
int strace_joiner_feed(struct strace_joiner *j, const struct strace_line *ln);
/* The same, and a line that is handed out as it came (a call complete on
 * its line, a signal, an exit) may keep ln's parse for the event instead of
 * parsing its text again in strace_joiner_next(): ln is then left empty
 * (zeroed), ready to be parsed into again. */
int strace_joiner_feed_take(struct strace_joiner *j, struct strace_line *ln);
/* A complete call line the caller reads itself, without the parser (a plain
 * memory call): in completion order, with nothing waiting to be handed out,
 * of a live pid the joiner gives as it is printed. Then the line takes the
 * places it would have had in both orders (*start_seq, *end_seq) and 1 is
 * returned; else 0, nothing changes, and the line must be fed. */
int strace_joiner_pass_by(struct strace_joiner *j, int pid, uint64_t *start_seq,
			  uint64_t *end_seq);
/* End of input: calls still unfinished complete as abandoned. */
void strace_joiner_finish(struct strace_joiner *j);
/* The next event, in the joiner's order: returns 1 and fills ev, or 0 when
 * none is ready. ev must be zeroed before its first use; its line memory is
 * reused by later calls. If the joined text does not parse (or memory runs out), ev
 * is still filled, with ev->line.kind = SL_MALFORMED and a message in err. */
int strace_joiner_next(struct strace_joiner *j, struct strace_event *ev, char *err,
		       size_t errsz);
void strace_event_free(struct strace_event *ev);

#endif
