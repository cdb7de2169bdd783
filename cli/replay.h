/*
 * replay.h: `vmspace replay`: applies the memory system calls of an strace(1)
 * log to modelled address spaces (include/vmspace.h) and compares each result
 * with the recorded one.
 *
 * Callable as a library function so that the tests can replay recorded traces
 * without running the command. Not here: option parsing (cli/main.c) or the
 * strace text itself (cli/strace_parse.c).
 */
#ifndef VMS_REPLAY_H
#define VMS_REPLAY_H

#include <stdint.h>
#include <stdio.h>

#include "vmspace.h"

struct html_writer;

#define REPLAY_MAX_SYSCTL 64

/* The rlimits the model knows, in the order of replay_opts.rlim[]. */
enum replay_rlim { RL_STACK, RL_DATA, RL_AS, RL_MEMLOCK, RL_COUNT };

struct replay_opts {
	const char *name;          /* the input's name in messages */
	const char *initial_maps;  /* /proc/PID/maps text of the first process, or NULL */
	uint64_t start_brk;        /* 0: the first brk(NULL) result of the first process */
	int check;                 /* print divergences and the summary line */
	int table;                 /* and after it the per-syscall table
				    * (replay_print_table(); --check) */
	int follow;                /* place calls where the trace says (see replay.c) */
	int strict;                /* bad input is an error (exit 2): see replay.c
				    * bad_input() */
	int list_unsupported;      /* print each unsupported call and why on out */
	int progress;              /* progress on err (the caller checks isatty) */
	int print_maps;            /* each live process's maps at the end */
	int print_smaps;           /* ... their /proc/PID/smaps (vms_smaps_text) */
	int print_smaps_rollup;    /* ... their /proc/PID/smaps_rollup */
	long at_line;              /* > 0: the maps after this line */
	const char *final_maps_path; /* write the first process's last maps here */
	int host_defaults;         /* settings start from this host's /proc */
	int no_resolve;            /* maps name files by the trace's paths (--no-resolve) */
	/* Called as each modelled address space ends (exit_group, an execve,
	 * the end of the log), before its memory goes back: id is the pid that
	 * made it, maps its /proc/PID/maps text. For tests that compare every
	 * process's final state with the kernel's (a replay that searches for
	 * an order runs several passes: the last call for an id is the final
	 * pass's). NULL: none. */
	void (*space_exit)(void *arg, int id, const vms_mm *mm, const char *maps);
	void *space_exit_arg;
	const char *cwd;           /* the first process's working directory at the
				    * trace's start (--cwd), or NULL: unknown */
	struct html_writer *html;  /* --html, --svg: told of each call of the
				    * last pass with output (cli/html.h), or NULL */

	/* Settings over the defaults. */
	int nsysctl;
	char sysctl_name[REPLAY_MAX_SYSCTL][48];
	uint64_t sysctl_val[REPLAY_MAX_SYSCTL];
	int has_rlim[RL_COUNT];
	struct vms_rlimit rlim[RL_COUNT];
	int has_ram, has_swap;
	uint64_t ram, swap;
	unsigned caps;             /* VMS_CAP_* added to the defaults */
	int has_caps;              /* caps replace the defaults */
	int has_creds;             /* --creds: ids and capability sets */
	struct vms_creds creds;
	int aslr;                  /* 0: off (the default), 1: randomise with seed */
	uint64_t seed;

	/* Decisions (cli/explain.c, cli/stats.c; include/vmspace.h "Decisions
	 * as events"). */
	int explain;               /* --explain: each call's decisions on out */
	int explain_pid;           /* --explain=PID: only this process's (0: all) */
	long from_line, to_line;   /* --from/--to: explain only these lines (0: no bound) */
	int stats;                 /* --stats: the tables after the replay */
	int interactive;           /* the log is read line by line (replay_stream) */
	/*
	 * Called once per call of the replay's final pass that made decisions
	 * (a memory call, fork, exec), after the call was applied: pid and the
	 * log line of the call, and the one-line texts of its events
	 * (vms_event_text) in the order the model made them; the texts live
	 * until it returns. Only the final pass calls it (the passes that search
	 * the order of overlapping calls do not), so each call is reported once.
	 */
	void (*on_call_events)(void *arg, int pid, int lineno, const char *const *texts,
			       size_t n);
	void *on_call_events_arg;
};

/* Why calls were unsupported, for the line after the summary. */
#define REPLAY_MAX_REASONS 16
struct replay_reason {
	char text[80];
	uint64_t count;
};

/* Per-syscall counts for the summary table: count is every call of the
 * name in the log; of those, matched, diverged and unsupported are the
 * memory calls as in the summary line (matched: the model's result was
 * compared with the log's and agreed), the rest were followed or skipped
 * without a result to compare (fork's pid, open, close, ...). */
#define REPLAY_MAX_NAMES 64
struct replay_name_count {
	char name[24];
	uint64_t count;
	uint64_t matched, diverged, unsupported;
};

struct replay_stats {
	uint64_t lines;        /* logical lines read */
	uint64_t calls;        /* memory calls replayed: matched + diverged + unsupported */
	uint64_t matched, diverged, unsupported;
	uint64_t skipped;      /* other system calls */
	uint64_t malformed;    /* lines that did not parse */
	uint64_t syscalls;     /* system calls read, of any name */
	uint64_t bad_input;    /* lines and calls reported as bad input */
	uint64_t followed;     /* --follow: calls placed at the trace's address */
	uint64_t created, merged, split; /* VMAs, see replay.c count_vmas() */
	uint64_t processes;    /* address spaces modelled */
	uint64_t passes;       /* replays run to find the threads' order */
	int unexplained_groups; /* overlapping calls no order explains */
	uint64_t unmatched_paths; /* mapped files named by the trace's path, since
				   * no file of this host could be matched */
	int nnames;
	struct replay_name_count names[REPLAY_MAX_NAMES]; /* calls per syscall, the
							   * last is "(other)" */
	int nreasons;
	struct replay_reason reasons[REPLAY_MAX_REASONS]; /* in the order first seen;
							     * the last is "other reasons" */
	char *final_maps;      /* the first process's last maps (malloc'd), or NULL */
};

/* Replays text (len bytes, need not end in NUL) with o. Divergences, maps,
 * unsupported calls (list_unsupported) and the summary, with the reasons for
 * unsupported calls after it, go to out; warnings and progress to err. Fills st (if not NULL;
 * free with replay_stats_free). Returns the exit status: 0, 1 (--check found a
 * divergence), 2 (--strict found bad input, the log has no system call, or a
 * bad setting / initial maps). */
int replay_run(const struct replay_opts *o, const char *text, size_t len, FILE *out, FILE *err,
	       struct replay_stats *st);
void replay_stats_free(struct replay_stats *st);
/* The per-syscall table of st: a heading, a line per system call name
 * (most calls first: calls, matched, diverged, unsupported, and calls
 * followed or skipped with no result to compare), a total line. */
void replay_print_table(FILE *out, const struct replay_stats *st);

/* Replays a log as it arrives on in, a line at a time (one pass: no
 * search of the order of overlapping calls, no --follow learning): for an
 * interactive session. A line without a result ("mmap(NULL, 4096, ...)")
 * is taken as "= ?"; the line "maps" prints the maps of the process of the
 * last call (every process's with "maps all"). Output is flushed after each
 * line. Returns the exit status as replay_run does. */
int replay_stream(const struct replay_opts *o, FILE *in, FILE *out, FILE *err,
		  struct replay_stats *st);

/* Reads a whole stream into a malloc'd, NUL-terminated buffer. Returns 0 or -1. */
int replay_read_all(FILE *f, char **buf, size_t *len);

/* "8M", "4096", "0x1000", "1g": bytes. Returns 0, or -1. */
int replay_parse_size(const char *s, uint64_t *out);
/* "STACK=8M:unlimited" into o. Returns 0, or -1. */
int replay_parse_rlimit(struct replay_opts *o, const char *arg);
/* "IPC_LOCK" (or "CAP_IPC_LOCK") -> VMS_CAP_*, else 0. */
unsigned replay_cap_value(const char *name);
/* One setting option ("--sysctl", "--rlimit", "--ram", "--swap", "--cap",
 * "--aslr", "--start-brk") with its value. Returns 0, -1 for a bad value, or
 * 1 when opt is not a setting. */
int replay_setting(struct replay_opts *o, const char *opt, const char *val);
/* A settings file: "--opt value" pairs separated by blanks or newlines (as
 * scripts/record.sh writes them). Returns 0, or the 1-based number of the
 * first bad option. */
int replay_load_settings(struct replay_opts *o, const char *text);

#endif
