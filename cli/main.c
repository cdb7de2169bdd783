/*
 * main.c: the vmspace command. A thin user of include/vmspace.h: it parses
 * arguments and hands each job to the file that owns it (replay.c,
 * verify.c).
 *
 *   vmspace [demo]                      the built-in example (demo_trace.h)
 *   vmspace replay [options] TRACE|-    see man/vmspace.1
 *   vmspace verify [--seed S] [--calls N]  model against the live kernel
 *   vmspace settings [options]          the modelled machine (settings.c)
 *   vmspace exec [options] PROGRAM [ARG...]  the address space after execve (exec.c)
 *   vmspace --help | --version
 */
#include <fcntl.h>
#include <limits.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec_cmd.h"
#include "html.h"
#include "replay.h"
#include "settings.h"
#include "verify.h"
#include "vmspace.h"

/* The bundled trace: demo_trace, demo_initial_maps, demo_settings, demo_name,
 * generated from tests/data/replay/ by mk/cli.mk. */
#include "demo_trace.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmspace [demo]\n"
		"       vmspace replay [options] TRACE|-\n"
		"       vmspace verify [--seed S] [--calls N] [--seeds K] [--verbose]\n"
		"       vmspace settings [--as-options] [--verbose] [settings options]\n"
		"       vmspace exec [settings options] [--aslr off|SEED] [--auxv] [--check]\n"
		"                    PROGRAM [ARG...]\n"
		"       vmspace exec --scan [--every N] [--aslr on] [DIR...]\n"
		"       vmspace --version | --help\n"
		"\n"
		"vmspace models the Linux x86-64 address space. `vmspace` alone (or\n"
		"`vmspace demo`) replays a bundled strace log of a real program and shows\n"
		"the resulting /proc/PID/maps and what happened to its VMAs.\n"
		"\n"
		"replay applies the memory calls of an strace -f log (mmap, munmap,\n"
		"mprotect, brk, mremap, madvise, mlock*, prlimit64, prctl(PR_SET_VMA),\n"
		"with clone/fork and descriptors followed) to modelled address spaces.\n"
		"Options:\n"
		"  --check              print each divergence from the trace's results\n"
		"                       (`line N: <trace line> | model: <result>`); exit 1\n"
		"                       if there is one\n"
		"  --follow             put calls placed elsewhere (ASLR) where the trace\n"
		"                       says, and carry on\n"
		"  --initial-maps FILE  the first process starts from this /proc/PID/maps\n"
		"  --start-brk ADDR     its start_brk (default: the first brk(NULL) result)\n"
		"  --final-maps FILE    write the first process's last maps\n"
		"  --maps               print every process's maps at the end\n"
		"  --smaps              print every process's /proc/PID/smaps at the end\n"
		"                       (VmFlags and sizes exact, page counts from the\n"
		"                       model's resident pages; see vmspace(1))\n"
		"  --smaps-rollup       print every process's /proc/PID/smaps_rollup\n"
		"  --at N               print them after line N\n"
		"  --html FILE          write a page showing every process's address space\n"
		"                       over the whole log (one self-contained HTML file)\n"
		"  --svg FILE           write a picture of the address spaces at the end,\n"
		"                       or after line N with --at N\n"
		"  --strict             bad input (a malformed or binary line, a 32-bit\n"
		"                       call, ...; see vmspace(1)) is an error (exit 2)\n"
		"  --unsupported        list each call the model cannot apply and why\n"
		"  --explain[=PID]      under each call, the model's result and its\n"
		"                       decisions in plain words (of one process with =PID)\n"
		"  --from N, --to N     explain only the calls of lines N..M\n"
		"  --stats              per process and in total: calls by result, VMAs\n"
		"                       created/split/merged (by vma_merge case), merges\n"
		"                       refused by reason, limits that refused, peaks\n"
		"  --interactive, -i    with TRACE -: answer each line as it arrives (the\n"
		"                       default on a terminal); `maps` prints the maps\n"
		"                       (`line N: <syscall>: <reason>`)\n"
		"  --settings FILE      read settings options from FILE\n"
		"  --no-host            do not take defaults from this host's /proc\n"
		"  --no-resolve         name mapped files by the trace's paths (default:\n"
		"                       this host's canonical path of the same file, as\n"
		"                       the kernel prints it)\n"
		"  --cwd DIR            the first process's working directory, for\n"
		"                       relative paths in a log recorded without -y\n"
		"Settings (defaults: this host's, read and measured, when it is Linux;\n"
		"`vmspace settings` lists them all with where each came from):\n"
		"  --sysctl NAME=VALUE  e.g. vm.max_map_count=65530, mm.zero_page=0\n"
		"  --rlimit NAME=SOFT[:HARD]  STACK, DATA, AS, MEMLOCK; sizes take k/M/G,\n"
		"                       `unlimited`\n"
		"  --ram SIZE, --swap SIZE\n"
		"  --cap NAME           IPC_LOCK, IPC_OWNER, SYS_ADMIN, SYS_RESOURCE, SYS_RAWIO, SYS_NICE,\n"
		"                       none\n"
		"                       (replaces the host's set)\n"
		"  --creds U:E:S:F/G:E:S:F/INH/PRM/EFF/BND/AMB  uids, gids and capability sets\n"
		"                       (hex), as `vmspace settings --as-options` writes them\n"
		"  --aslr off|SEED      address randomisation (default off, as setarch -R)\n"
		"\n"
		"verify runs random memory calls on the live kernel (a helper process,\n"
		"ASLR off) and on the model side by side, comparing results, maps and\n"
		"status after every call; on a divergence it prints a minimal reproducer\n"
		"in strace syntax and exits 1. Options:\n"
		"  --seed S             first seed (default: from the clock, printed)\n"
		"  --calls N            calls per seed (default 10000)\n"
		"  --seeds K            run seeds S..S+K-1 (default 1)\n"
		"  --shrink-secs T      time for shrinking the reproducer (default 120)\n"
		"  --verbose            print every call\n"
		"\n"
		"exec prints /proc/PID/maps of the address space right after\n"
		"execve(PROGRAM, [PROGRAM, ARG...], environ) as the model builds it (ASLR\n"
		"off unless --aslr SEED); --auxv adds the auxiliary vector and rip/rsp;\n"
		"--check compares with this kernel at the exec stop; --scan compares\n"
		"every ELF executable of DIR... (default /usr/bin /usr/sbin).\n"
		"See vmspace(1).\n");
}

/* The whole file (NUL-terminated); its length, which counts any NUL bytes
 * in it (a binary file must be seen whole), in *lenp if not NULL. */
static char *read_file(const char *path, const char *what, size_t *lenp)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *buf;
	size_t len;
	if (!f) {
		fprintf(stderr, "vmspace: %s %s: cannot open\n", what, path);
		return NULL;
	}
	int e = replay_read_all(f, &buf, &len);
	if (f != stdin)
		fclose(f);
	if (e) {
		fprintf(stderr, "vmspace: %s %s: cannot read\n", what, path);
		return NULL;
	}
	if (lenp)
		*lenp = len;
	return buf;
}

/* A trace that is a regular file is mapped rather than read: a long log
 * is tens of megabytes, and copying it into a growing buffer (the read
 * and the first touch of every page of the copy) took a tenth of a
 * replay. The file lies over an anonymous reservation one byte longer,
 * so that the byte after it is a NUL (a whole page past the end of a file
 * would be SIGBUS). NULL when it cannot be mapped: then it is read. */
static char *map_trace(const char *path, size_t *lenp, size_t *maplenp)
{
	struct stat sb;
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	char *res = NULL;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
	    (uint64_t)sb.st_size < ((uint64_t)1 << 46)) {
		size_t len = (size_t)sb.st_size, page = (size_t)sysconf(_SC_PAGESIZE);
		size_t maplen = (len + 1 + page - 1) / page * page;
		void *r = mmap(NULL, maplen, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (r != MAP_FAILED) {
			if (mmap(r, len, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0) == r) {
				madvise(r, len, MADV_SEQUENTIAL);
				res = r;
				*lenp = len;
				*maplenp = maplen;
			} else {
				munmap(r, maplen);
			}
		}
	}
	close(fd);
	return res;
}

static int bad_value(const char *opt, const char *val)
{
	fprintf(stderr, "vmspace: %s: bad value '%s'\n", opt, val ? val : "");
	return 2;
}

/* Opens the file of --html or --svg before the replay, so that a path that
 * cannot be written is said at once. */
static FILE *open_picture(const char *path, const char *opt)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
	if (!f)
		fprintf(stderr, "vmspace replay: %s %s: cannot create the file: %s\n", opt, path,
			strerror(errno));
	return f;
}

/* --html FILE (at_line -1) or --svg FILE: the pictures of the replay that
 * ran (html.c); f is closed, and removed when the replay failed (rc 2).
 * Returns 0, or 1 after a message. */
static int write_picture(struct html_writer *h, FILE *f, const char *path, const char *opt,
			 const char *trace, long at_line, int rc)
{
	int bad = 0;
	if (rc != 2)
		bad = at_line < 0 ? html_write_page(h, f, trace) : html_write_svg(h, f, trace, at_line);
	bool werr = ferror(f) != 0;
	if (f != stdout && fclose(f))
		werr = true;
	if (rc == 2) {
		if (f != stdout)
			unlink(path);
		return 0;
	}
	if (bad || werr) {
		if (f != stdout)
			unlink(path);
		if (!werr)
			fprintf(stderr, "vmspace replay: --svg %s: no modelled process is live %s%ld\n",
				path, at_line ? "after line " : "at the end", at_line);
		else
			fprintf(stderr, "vmspace replay: %s %s: cannot write the file\n", opt, path);
		return 1;
	}
	return 0;
}

static int cmd_replay(int argc, char **argv)
{
	struct replay_opts o;
	const char *trace = NULL, *maps_path = NULL, *html_path = NULL, *svg_path = NULL;
	char *maps = NULL, *text = NULL;
	size_t len = 0;
	int rc;

	memset(&o, 0, sizeof(o));
	o.host_defaults = 1;
	for (int i = 0; i < argc; i++) {
		char *opt = argv[i], *val = NULL, *eq;
		if (opt[0] != '-' || !strcmp(opt, "-")) {
			if (trace) {
				fprintf(stderr, "vmspace replay: one trace only\n");
				return 2;
			}
			trace = opt;
			continue;
		}
		if (!strcmp(opt, "--")) {
			if (i + 1 < argc)
				trace = argv[++i];
			continue;
		}
		/* --opt=value or --opt value */
		static char optbuf[64];
		if ((eq = strchr(opt, '=')) && (size_t)(eq - opt) < sizeof(optbuf)) {
			memcpy(optbuf, opt, (size_t)(eq - opt));
			optbuf[eq - opt] = '\0';
			val = eq + 1;
			opt = optbuf;
		}
		if (!strcmp(opt, "--check")) {
			o.check = 1;
			o.table = 1;
		} else if (!strcmp(opt, "--follow")) {
			o.follow = 1;
		} else if (!strcmp(opt, "--strict")) {
			o.strict = 1;
		} else if (!strcmp(opt, "--unsupported")) {
			o.list_unsupported = 1;
		} else if (!strcmp(opt, "--maps")) {
			o.print_maps = 1;
		} else if (!strcmp(opt, "--smaps")) {
			o.print_smaps = 1;
		} else if (!strcmp(opt, "--smaps-rollup")) {
			o.print_smaps_rollup = 1;
		} else if (!strcmp(opt, "--no-host")) {
			o.host_defaults = 0;
		} else if (!strcmp(opt, "--no-resolve")) {
			o.no_resolve = 1;
		} else if (!strcmp(opt, "--explain")) {
			/* --explain, or --explain=PID for one process */
			o.explain = 1;
			if (val) {
				char *end;
				long pid = strtol(val, &end, 10);
				if (*end || pid <= 0 || pid > INT_MAX)
					return bad_value(opt, val);
				o.explain_pid = (int)pid;
			}
		} else if (!strcmp(opt, "--stats")) {
			o.stats = 1;
		} else if (!strcmp(opt, "--interactive") || !strcmp(opt, "-i")) {
			o.interactive = 1;
		} else if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
			usage(stdout);
			return 0;
		} else {
			if (!val) {
				if (i + 1 >= argc)
					return bad_value(opt, NULL);
				val = argv[++i];
			}
			if (!strcmp(opt, "--initial-maps")) {
				maps_path = val;
			} else if (!strcmp(opt, "--html")) {
				html_path = val;
			} else if (!strcmp(opt, "--svg")) {
				svg_path = val;
			} else if (!strcmp(opt, "--final-maps")) {
				o.final_maps_path = val;
			} else if (!strcmp(opt, "--cwd")) {
				/* the trace's machine's path: not resolved here */
				if (val[0] != '/')
					return bad_value(opt, val);
				o.cwd = val;
			} else if (!strcmp(opt, "--from") || !strcmp(opt, "--to")) {
				char *end;
				long line = strtol(val, &end, 10);
				if (*end || line <= 0)
					return bad_value(opt, val);
				if (opt[2] == 'f')
					o.from_line = line;
				else
					o.to_line = line;
			} else if (!strcmp(opt, "--at")) {
				char *end;
				o.at_line = strtol(val, &end, 10);
				if (*end || o.at_line <= 0)
					return bad_value(opt, val);
			} else if (!strcmp(opt, "--settings")) {
				char *s = read_file(val, "--settings", NULL);
				int bad;
				if (!s)
					return 2;
				bad = replay_load_settings(&o, s);
				free(s);
				if (bad) {
					fprintf(stderr, "vmspace: --settings %s: option %d is bad\n",
						val, bad);
					return 2;
				}
			} else {
				int r = replay_setting(&o, opt, val);
				if (r > 0) {
					fprintf(stderr, "vmspace replay: unknown option %s\n", opt);
					usage(stderr);
					return 2;
				}
				if (r < 0)
					return bad_value(opt, val);
			}
		}
	}
	if (!trace) {
		fprintf(stderr, "vmspace replay: no trace (give a file or -)\n");
		return 2;
	}
	if (maps_path && !(maps = read_file(maps_path, "--initial-maps", NULL)))
		return 2;
	if (o.from_line && o.to_line && o.from_line > o.to_line) {
		fprintf(stderr, "vmspace replay: --from %ld is after --to %ld\n", o.from_line,
			o.to_line);
		free(maps);
		return 2;
	}
	bool session = !strcmp(trace, "-") && (o.interactive || isatty(0));
	size_t maplen = 0;
	if (!session) {
		text = map_trace(trace, &len, &maplen);
		if (!text && !(text = read_file(trace, "trace", &len))) {
			free(maps);
			return 2;
		}
	}
	o.name = trace;
	o.initial_maps = maps;
	FILE *html_f = NULL, *svg_f = NULL;
	if ((html_path && !(html_f = open_picture(html_path, "--html"))) ||
	    (svg_path && !(svg_f = open_picture(svg_path, "--svg")))) {
		rc = 2;
	} else if ((html_path || svg_path) && !(o.html = html_new())) {
		fprintf(stderr, "vmspace replay: out of memory\n");
		rc = 2;
	} else {
		/* the page shows each call's decisions beside it */
		if (html_path) {
			o.on_call_events = html_on_call_events;
			o.on_call_events_arg = o.html;
		}
		if (session) {
			/* a session typed (or piped) line by line: each call is
			 * answered as it arrives, with its decisions; --html and
			 * --svg draw it when it ends */
			o.interactive = 1;
			o.explain = 1;
			if (isatty(0))
				fprintf(stderr, "vmspace replay: reading calls from the terminal "
						"(\"help\" lists the commands, end with Ctrl-D)\n");
			rc = replay_stream(&o, stdin, stdout, stderr, NULL);
		} else {
			o.progress = isatty(2);
			rc = replay_run(&o, text, len, stdout, stderr, NULL);
		}
	}
	const char *shown = session ? "(interactive session)" : trace;
	if (html_f && write_picture(o.html, html_f, html_path, "--html", shown, -1, rc))
		rc = 2;
	if (svg_f && write_picture(o.html, svg_f, svg_path, "--svg", shown, o.at_line, rc))
		rc = 2;
	html_free(o.html);
	if (maplen)
		munmap(text, maplen);
	else
		free(text);
	free(maps);
	if (fflush(stdout))
		rc = 2;
	return rc;
}

static int cmp_count(const void *a, const void *b)
{
	const struct replay_name_count *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* The main job: the bundled trace of a real program, its maps and a table. */
static int demo(void)
{
	struct replay_opts o;
	struct replay_stats st;
	memset(&o, 0, sizeof(o));
	o.name = demo_name;
	o.initial_maps = demo_initial_maps;
	o.check = 1;
	/* the machine it was recorded on, not this one, so the output is fixed */
	if (replay_load_settings(&o, demo_settings)) {
		fprintf(stderr, "vmspace: the bundled settings do not parse\n");
		return 2;
	}
	printf("vmspace %s: replaying a recorded strace log of `%s`\n"
	       "(%zu lines, recorded with ASLR off; the program starts from the maps\n"
	       "it had before its first memory call)\n\n",
	       VMS_VERSION_STRING, demo_command, strlen(demo_trace) ? demo_lines : (size_t)0);
	FILE *devnull = fopen("/dev/null", "w");
	int rc = replay_run(&o, demo_trace, strlen(demo_trace), devnull ? devnull : stdout,
			    stderr, &st);
	if (devnull)
		fclose(devnull);
	if (rc == 2)
		return 2;
	printf("/proc/PID/maps at exit, as the model has it:\n%s\n",
	       st.final_maps ? st.final_maps : "(none)\n");
	qsort(st.names, (size_t)st.nnames, sizeof(st.names[0]), cmp_count);
	printf("%-16s %8s\n", "syscall", "calls");
	for (int i = 0; i < st.nnames; i++)
		printf("%-16s %8llu\n", st.names[i].name, (unsigned long long)st.names[i].count);
	if (st.names[REPLAY_MAX_NAMES - 1].count)
		printf("%-16s %8llu\n", "(other)",
		       (unsigned long long)st.names[REPLAY_MAX_NAMES - 1].count);
	printf("\n%-34s %8llu\n", "memory calls replayed", (unsigned long long)st.calls);
	printf("%-34s %8llu\n", "  matching the recorded result", (unsigned long long)st.matched);
	printf("%-34s %8llu\n", "  diverging", (unsigned long long)st.diverged);
	printf("%-34s %8llu\n", "  unsupported", (unsigned long long)st.unsupported);
	printf("%-34s %8llu\n", "other calls skipped", (unsigned long long)st.skipped);
	printf("%-34s %8llu\n", "VMAs created (mmap, brk)", (unsigned long long)st.created);
	printf("%-34s %8llu\n", "VMAs merged or replaced", (unsigned long long)st.merged);
	printf("%-34s %8llu\n", "VMAs split", (unsigned long long)st.split);
	replay_stats_free(&st);
	printf("\nTry: strace -f -v -o LOG PROGRAM [ARGS...]; vmspace replay --check --follow LOG\n"
	       "(every process is built from its binary; see vmspace(1)).\n");
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "demo") == 0)
		return demo();
	if (strcmp(argv[1], "replay") == 0)
		return cmd_replay(argc - 2, argv + 2);
	if (strcmp(argv[1], "verify") == 0)
		return cmd_verify(argc - 2, argv + 2);
	if (strcmp(argv[1], "settings") == 0)
		return cmd_settings(argc - 2, argv + 2);
	if (strcmp(argv[1], "exec") == 0)
		return cmd_exec(argc - 2, argv + 2);
	if (strcmp(argv[1], "--version") == 0) {
		printf("vmspace %s\n", VMS_VERSION_STRING);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
