/*
 * test_replay.c: `vmspace replay` (cli/replay.c). Recorded traces of real
 * programs (tests/data/replay/NAME/: trace.txt, initial.maps, final.maps,
 * settings; made by scripts/record.sh with ASLR off) replay with every memory
 * call matching and the final maps equal to the process's own at exit (but
 * for the [stack] line's start: stack growth is not in a log); small made-up
 * traces check the rules one by one.
 *
 * The replay lives in cli/, which build/unit does not link, so it is included
 * here; the strace parser it uses comes from tests/test_strace_parse.c, which
 * includes cli/strace_parse.c (it must be compiled once only).
 */
#include "../cli/replay.c"

#include "maps_compare.h"
#include "t.h"

static char *slurp(const char *dir, const char *name)
{
	char path[512];
	const char *slash = strrchr(__FILE__, '/');
	FILE *f;
	char *buf = NULL;
	size_t len;
	snprintf(path, sizeof(path), "tests/data/replay/%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f && slash) {
		snprintf(path, sizeof(path), "%.*s/data/replay/%s/%s", (int)(slash - __FILE__),
			 __FILE__, dir, name);
		f = fopen(path, "r");
	}
	if (!f)
		return NULL;
	if (replay_read_all(f, &buf, &len))
		buf = NULL;
	fclose(f);
	return buf;
}

/*
 * A recording's final maps name each file by the inode it had on the machine
 * that recorded it. A log without the file's identity (no fstat under
 * strace -v) leaves the replay to take the inode from this host; where the
 * file was replaced since (a package install rewrites /etc/passwd), the
 * expected line takes this host's inode, and says so.
 */
static char *final_with_host_inodes(const char *final, const char *model)
{
	size_t cap = strlen(final) + 4096, o = 0;
	char *r = malloc(cap);
	if (!r)
		return NULL;
	for (const char *l = final; *l;) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);
		char range[64], perms[8], off[24], dev[16], path[512];
		unsigned long long ino;
		int used = 0;
		struct stat sb;
		char line[1024];
		size_t ln = 0;
		if (n < sizeof(line) - 1 &&
		    sscanf(l, "%63s %7s %23s %15s %llu %n", range, perms, off, dev, &ino, &used) == 5 &&
		    used > 0 && (size_t)used < n && l[used] == '/' && (size_t)(n - used) < sizeof(path)) {
			memcpy(path, l + used, n - (size_t)used);
			path[n - (size_t)used] = '\0';
			if (stat(path, &sb) == 0 && (unsigned long long)sb.st_ino != ino) {
				ln = (size_t)snprintf(line, sizeof(line), "%s %s %s %s %llu ", range, perms,
						      off, dev, (unsigned long long)sb.st_ino);
				while (ln < 73)
					line[ln++] = ' ';
				ln += (size_t)snprintf(line + ln, sizeof(line) - ln, "%s", path);
				/* only where the replay took this host's file */
				line[ln] = '\0';
				if (!strstr(model, line))
					ln = 0;
			}
			if (ln) {
				printf("    (%s has inode %llu here, %llu where it was recorded)\n", path,
				       (unsigned long long)sb.st_ino, ino);
			}
		}
		const char *src = ln ? line : l;
		size_t sn = ln ? ln : n;
		if (o + sn + 2 > cap) {
			char *g = realloc(r, cap = (o + sn + 2) * 2);
			if (!g) {
				free(r);
				return NULL;
			}
			r = g;
		}
		memcpy(r + o, src, sn);
		o += sn;
		if (e)
			r[o++] = '\n';
		l += n + (e ? 1 : 0);
	}
	r[o] = '\0';
	return r;
}

static void replay_recorded(const char *name)
{
	char *trace = slurp(name, "trace.txt"), *initial = slurp(name, "initial.maps");
	char *final = slurp(name, "final.maps"), *settings = slurp(name, "settings");
	char *outbuf = NULL;
	size_t outlen = 0;
	struct replay_opts o;
	struct replay_stats st;
	char why[512];
	int rc = -1, ok = 0;

	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	if (!trace || !initial || !final || !settings) {
		t_fail(__FILE__, __LINE__, "tests/data/replay/%s is incomplete", name);
		goto out;
	}
	if (replay_load_settings(&o, settings)) {
		t_fail(__FILE__, __LINE__, "%s/settings does not parse", name);
		goto out;
	}
	o.name = name;
	o.initial_maps = initial;
	o.check = 1;
	FILE *out = open_memstream(&outbuf, &outlen);
	if (!out)
		goto out;
	rc = replay_run(&o, trace, strlen(trace), out, NULL, &st);
	fclose(out);
	if (rc != 0 || st.diverged || st.unsupported || st.matched != st.calls || !st.calls ||
	    st.bad_input) {
		t_fail(__FILE__, __LINE__, "%s: rc %d, %llu calls, %llu matched, %llu diverged, "
					   "%llu unsupported, %llu bad input:\n%s",
		       name, rc, (unsigned long long)st.calls, (unsigned long long)st.matched,
		       (unsigned long long)st.diverged, (unsigned long long)st.unsupported,
		       (unsigned long long)st.bad_input, outbuf ? outbuf : "");
		goto out;
	}
	if (!st.final_maps) {
		t_fail(__FILE__, __LINE__, "%s: no final maps", name);
		goto out;
	}
	char *expect = final_with_host_inodes(final, st.final_maps);
	if (!expect || !maps_equal_but_counters(st.final_maps, expect, false, why, sizeof(why))) {
		t_fail(__FILE__, __LINE__, "%s: final maps differ: %s", name, why);
		free(expect);
		goto out;
	}
	free(expect);
	ok = 1;
out:
	(void)ok;
	replay_stats_free(&st);
	free(outbuf);
	free(trace);
	free(initial);
	free(final);
	free(settings);
}

TEST(replay_recorded_perl)
{
	(void)sys;
	replay_recorded("perl");
}

TEST(replay_recorded_policy)
{
	/* Memory policies, protection keys, prctl, personality, credentials
	 * (tests/data/replay/policy/program.c). */
	(void)sys;
	replay_recorded("policy");
}

TEST(replay_recorded_python3)
{
	(void)sys;
	replay_recorded("python3");
}

TEST(replay_recorded_sqlite3)
{
	(void)sys;
	replay_recorded("sqlite3");
}

TEST(replay_recorded_sort)
{
	(void)sys;
	replay_recorded("sort");
}

/* A memfd with seals, a /dev/shm file, O_TMPFILE, /dev/zero, memfd_secret and
 * System V segments across a fork (tests/data/replay/shm/demo.py). */
TEST(replay_recorded_shm)
{
	(void)sys;
	replay_recorded("shm");
}

TEST(replay_recorded_threads)
{
	(void)sys;
	replay_recorded("threads");
}

/* mseal, msync, mincore, remap_file_pages, process_madvise (on itself and a
 * child) and process_mrelease as a program makes them, recorded with strace
 * 6.1 (mseal as syscall_0x1ce); memcalls.c beside it is the program. */
TEST(replay_recorded_memcalls)
{
	(void)sys;
	replay_recorded("memcalls");
}

/* userfaultfd contexts as descriptors: UFFDIO_API, REGISTER (with its ioctls
 * out-value), COPY, ZEROPAGE, UNREGISTER, EBUSY between contexts, the
 * registrations as a merge condition across an mprotect, mremap and fork
 * dropping them, and the close that merges (uffd.c beside it is the
 * program). */
TEST(replay_recorded_uffd)
{
	(void)sys;
	replay_recorded("uffd");
}

/* handle_userfault() answering with SIGBUS (UFFD_FEATURE_SIGBUS): populate
 * and mlock stop at a registered page that is not there (EFAULT, ENOMEM); the
 * userfaultfd file is O_RDONLY and no regular file; UFFDIO_* on another file
 * is ENOTTY (uffd_sigbus.c beside it is the program; found by the breadth
 * test, seeds 4001 and 4006). */
TEST(replay_userfaultfd_sigbus_stops_populate)
{
	(void)sys;
	replay_recorded("uffd_sigbus");
}

/* Address ranges and permissions of two maps texts, line by line (the
 * program's own file lines name the directory and inode it was recorded
 * from, which a checkout elsewhere does not have). */
static int maps_ranges_equal(const char *a, const char *b, char *why, size_t whysz)
{
	int line = 1;
	while (*a || *b) {
		char ra[64] = "", rb[64] = "", pa[8] = "", pb[8] = "";
		sscanf(a, "%63s %7s", ra, pa);
		sscanf(b, "%63s %7s", rb, pb);
		/* [stack]'s place is not in a log (growth, and its random top:
		 * no call shows it) */
		const char *st = strstr(a, "[stack]"), *nl = strchr(a, '\n');
		bool stack = st && (!nl || nl > st);
		if (strcmp(pa, pb) || (!stack && strcmp(ra, rb))) {
			snprintf(why, whysz, "line %d: model %s %s vs kernel %s %s", line, ra, pa, rb,
				 pb);
			return 0;
		}
		a = strchr(a, '\n') ? strchr(a, '\n') + 1 : a + strlen(a);
		b = strchr(b, '\n') ? strchr(b, '\n') + 1 : b + strlen(b);
		line++;
	}
	return 1;
}

/*
 * What execve keeps and resets of a process, recorded
 * (tests/data/replay/exec_state/program.c, run from its directory, which
 * execs itself there by a relative path): capabilities a root dropped come
 * back and a regained capability clears ADDR_NO_RANDOMIZE (so the later
 * programs run randomised: --follow), READ_IMPLIES_EXEC and mlockall's
 * MCL_FUTURE go, MDWE, THP off, the task policy and RLIMIT_MEMLOCK stay,
 * the attaches go with the old mm, euid 1000 ends the effective set and
 * meets a segment's 0600. The program is the checked-in exec-state binary;
 * every call must match.
 */
TEST(replay_recorded_exec_state)
{
	(void)sys;
	const char *name = "exec_state";
	char *trace = slurp(name, "trace.txt"), *initial = slurp(name, "initial.maps");
	char *final = slurp(name, "final.maps"), *settings = slurp(name, "settings");
	char dir[PATH_MAX], why[512];
	char *outbuf = NULL;
	size_t outlen = 0;
	struct replay_opts o;
	struct replay_stats st;
	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	const char *slash = strrchr(__FILE__, '/');
	char alt[PATH_MAX];
	snprintf(alt, sizeof(alt), "%.*s/data/replay/exec_state", slash ? (int)(slash - __FILE__) : 0,
		 __FILE__);
	if (!realpath("tests/data/replay/exec_state/exec-state", dir) &&
	    !(slash && strcat(alt, "/exec-state") && realpath(alt, dir))) {
		t_fail(__FILE__, __LINE__, "tests/data/replay/exec_state/exec-state is missing");
		goto out;
	}
	*strrchr(dir, '/') = '\0';
	CHECK(trace && initial && final && settings);
	if (!trace || !initial || !final || !settings || replay_load_settings(&o, settings))
		goto out;
	o.name = name;
	o.initial_maps = initial;
	o.check = 1;
	o.follow = 1;
	o.cwd = dir;
	FILE *out = open_memstream(&outbuf, &outlen);
	if (!out)
		goto out;
	int rc = replay_run(&o, trace, strlen(trace), out, NULL, &st);
	fclose(out);
	if (rc != 0 || st.diverged || st.unsupported || st.matched != st.calls || !st.calls ||
	    st.bad_input) {
		t_fail(__FILE__, __LINE__, "%s: rc %d, %llu calls, %llu matched, %llu diverged, "
					   "%llu unsupported, %llu bad input:\n%s",
		       name, rc, (unsigned long long)st.calls, (unsigned long long)st.matched,
		       (unsigned long long)st.diverged, (unsigned long long)st.unsupported,
		       (unsigned long long)st.bad_input, outbuf ? outbuf : "");
		goto out;
	}
	CHECK(st.final_maps);
	if (st.final_maps && !maps_ranges_equal(st.final_maps, final, why, sizeof(why)))
		t_fail(__FILE__, __LINE__, "%s: final maps differ: %s", name, why);
out:
	replay_stats_free(&st);
	free(outbuf);
	free(trace);
	free(initial);
	free(final);
	free(settings);
}

/* Runs text with o (check on, no host defaults); output into *outp. */
static int run_text(struct replay_opts *o, const char *text, char **outp, struct replay_stats *st)
{
	size_t n;
	FILE *out = open_memstream(outp, &n);
	o->check = 1;
	o->name = "t";
	int rc = replay_run(o, text, strlen(text), out, NULL, st);
	fclose(out);
	return rc;
}

/* The first addresses an empty address space hands out (mmap without a hint). */
static long first_mmap(vms_sys *sys, int nth)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE};
	vms_mm *mm = vms_mm_new(sys, &cfg);
	long a = 0;
	for (int i = 0; i <= nth; i++)
		a = vms_mmap(mm, 0, 4096, VMS_PROT_READ, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0);
	vms_mm_free(mm);
	return a;
}

TEST(replay_check_prints_divergence_and_summary)
{
	char text[512], *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	long a = first_mmap(sys, 0);
	snprintf(text, sizeof(text),
		 "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = %#lx\n"
		 "munmap(%#lx, 4096) = -1 EINVAL (Invalid argument)\n"
		 "read(0, \"\", 10) = 0\n",
		 a, a);
	int rc = run_text(&o, text, &out, &st);
	CHECK_EQ(rc, 1);
	CHECK_EQ(st.calls, 2);
	CHECK_EQ(st.matched, 1);
	CHECK_EQ(st.diverged, 1);
	CHECK_EQ(st.skipped, 1);
	char want[512];
	snprintf(want, sizeof(want),
		 "line 2: munmap(%#lx, 4096) = -1 EINVAL (Invalid argument) | model: 0\n"
		 "replayed 2 calls: 1 matched, 1 diverged, 0 unsupported\n",
		 a);
	CHECK(strcmp(out, want) == 0);
	free(out);
	replay_stats_free(&st);
}

TEST(replay_fast_path_agrees_with_parser)
{
	(void)sys;
	static const char *const lines[] = {
		"mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff7fc0000",
		"mmap(0x7ffff7ee5000, 475136, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0x10000) = 0x7ffff7ee5000",
		"mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE|MAP_STACK, -1, 0) = -1 ENOMEM (Cannot allocate memory)",
		"munmap(0x7ffff7fb5000, 41491)     = 0",
		"munmap(0xffffffffffffffff, 131072) = -1 EINVAL (Invalid argument)",
		"mprotect(0x5555558e3000, 61440, PROT_READ) = 0",
		"mprotect(0x1000, 4096, PROT_READ|PROT_WRITE|PROT_EXEC|PROT_GROWSDOWN) = -1 EINVAL (Invalid argument)",
		"brk(NULL)                         = 0x5555558fb000",
		"brk(0x55555591c000) = 0x55555591c000",
		"mmap(NULL, 1974096, PROT_READ, MAP_PRIVATE|MAP_DENYWRITE, 4, 0) = 0x7ffff7dd2000",
		"mmap(NULL, 4096, PROT_READ, MAP_SHARED, 9, 0) = -1 EBADF (Bad file descriptor)",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct call f, p;
		struct strace_line l;
		memset(&f, 0, sizeof(f));
		memset(&l, 0, sizeof(l));
		CHECK(fast_parse(lines[i], strlen(lines[i]), &f));
		CHECK_EQ(strace_parse_line(lines[i], &l, NULL, 0), 0);
		call_from_line(&p, &l, 0, 1, 1);
		CHECK_EQ(f.sc, p.sc);
		CHECK_EQ(f.nargs, p.nargs);
		CHECK_EQ(f.has, p.has);
		for (int k = 0; k < f.nargs; k++)
			CHECK_EQ(f.a[k], p.a[k]);
		CHECK_EQ(f.result, p.result);
		CHECK_EQ(f.has_result, p.has_result);
		strace_line_free(&l);
	}
	/* lines the fast path leaves to the parser */
	static const char *const slow[] = {
		"mmap(NULL, 41491, PROT_READ, MAP_PRIVATE, 3</etc/ld.so.cache>, 0) = 0x7ffff7fb5000",
		"mmap(NULL, 4096, PROT_READ|0x10, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff7fb5000",
		"mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|21<<MAP_HUGE_SHIFT, -1, 0) = -1 ENOMEM (Cannot allocate memory)",
		"munmap(0x7ffff7fb5000, 41491 <unfinished ...>",
		"munmap(0x7ffff7fb5000, 41491) = 0 <0.000012>",
		"brk(NULL) = 0x5555558fb000 (DELAYED)",
	};
	for (size_t i = 0; i < sizeof(slow) / sizeof(slow[0]); i++) {
		struct call f;
		memset(&f, 0, sizeof(f));
		CHECK(!fast_parse(slow[i], strlen(slow[i]), &f));
	}
}

/* fs/pidfs.c, fs/anon_inodes.c: a pidfd's file system, and that of every
 * anonymous inode (-y "anon_inode:[eventfd]"), is SB_I_NOEXEC and its files
 * have no mmap: do_mmap() refuses PROT_EXEC with EPERM (path_noexec) and the
 * rest with ENODEV (live, 6.18: both, whatever the mapping's type). */
TEST(replay_mmap_of_an_anonymous_inode_is_eperm_for_exec_else_enodev)
{
	(void)sys;
	char *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	const char *text = "getpid() = 100\n"
			   "pidfd_open(100, 0) = 3\n"
			   "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) = -1 ENODEV (No such device)\n"
			   "mmap(NULL, 4096, PROT_READ|PROT_EXEC, MAP_PRIVATE, 3, 0) = -1 EPERM "
			   "(Operation not permitted)\n"
			   "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0) = -1 ENODEV (No such "
			   "device)\n"
			   "mmap(NULL, 4096, PROT_READ, MAP_SHARED, 5<anon_inode:[eventfd]>, 0) = -1 "
			   "ENODEV (No such device)\n"
			   "mmap(NULL, 4096, PROT_READ|PROT_EXEC, MAP_SHARED, 5<anon_inode:[eventfd]>, 0) "
			   "= -1 EPERM (Operation not permitted)\n";
	CHECK_EQ(run_text(&o, text, &out, &st), 0);
	CHECK_EQ(st.matched, 5);
	CHECK_EQ(st.diverged, 0);
	free(out);
	replay_stats_free(&st);
}

/* Inside a group of overlapping calls, plain memory lines are read by the
 * fast path (strace_joiner_pass_by) and keep their places in start order:
 * the same log with those lines sent to the full parser (a -T duration
 * does) replays the same, the order search included. */
TEST(replay_group_reads_plain_lines_fast_as_the_parser_would)
{
	char fast[1024], slow[1024], *out1 = NULL, *out2 = NULL;
	struct replay_opts o1 = {0}, o2 = {0};
	struct replay_stats st1, st2;
	long a0 = first_mmap(sys, 0), a1 = first_mmap(sys, 1);
	const char *fmt = "10 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD, "
			  "exit_signal=0}, 88) = 11\n"
			  "10 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>\n"
			  "11 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = %#lx%s\n"
			  "11 mprotect(%#lx, 4096, PROT_NONE) = 0%s\n"
			  "10 <... mmap resumed>) = %#lx\n"
			  "10 munmap(%#lx, 4096) = 0\n";
	snprintf(fast, sizeof(fast), fmt, a1, "", a1, "", a0, a0);
	snprintf(slow, sizeof(slow), fmt, a1, " <0.000010>", a1, " <0.000010>", a0, a0);
	CHECK_EQ(run_text(&o1, fast, &out1, &st1), 0);
	CHECK_EQ(run_text(&o2, slow, &out2, &st2), 0);
	CHECK_EQ(st1.matched, 4);
	CHECK_EQ(st2.matched, 4);
	CHECK(st1.passes > 1);
	CHECK_EQ(st1.passes, st2.passes);
	CHECK_EQ(st1.unexplained_groups, 0);
	CHECK(strcmp(out1, out2) == 0);
	free(out1);
	free(out2);
	replay_stats_free(&st1);
	replay_stats_free(&st2);
}

/* Two threads' mmaps overlapped; the one that completed first took the
 * second address: only start order explains the results. */
TEST(replay_thread_order_found)
{
	char text[1024], *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	long a0 = first_mmap(sys, 0), a1 = first_mmap(sys, 1);
	snprintf(text, sizeof(text),
		 "10 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD, "
		 "exit_signal=0}, 88) = 11\n"
		 "10 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>\n"
		 "11 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>\n"
		 "11 <... mmap resumed>) = %#lx\n"
		 "10 <... mmap resumed>) = %#lx\n"
		 "10 munmap(%#lx, 4096) = 0\n",
		 a1, a0, a0);
	int rc = run_text(&o, text, &out, &st);
	CHECK_EQ(rc, 0);
	CHECK_EQ(st.matched, 3);
	CHECK(st.passes > 1);
	CHECK_EQ(st.unexplained_groups, 0);
	free(out);
	replay_stats_free(&st);
}

/* Overlapping calls that match in completion order: the first pass is the
 * last, and its held output is what is printed. */
TEST(replay_groups_that_match_in_completion_order_take_one_pass)
{
	char text[1024], *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	long a0 = first_mmap(sys, 0), a1 = first_mmap(sys, 1);
	snprintf(text, sizeof(text),
		 "10 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD, "
		 "exit_signal=0}, 88) = 11\n"
		 "10 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>\n"
		 "11 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>\n"
		 "11 <... mmap resumed>) = %#lx\n"
		 "10 <... mmap resumed>) = %#lx\n"
		 "10 munmap(%#lx, 4096) = 0\n",
		 a0, a1, a0);
	int rc = run_text(&o, text, &out, &st);
	CHECK_EQ(rc, 0);
	CHECK_EQ(st.matched, 3);
	CHECK_EQ(st.passes, 1);
	CHECK(strstr(out, "replayed 3 calls: 3 matched, 0 diverged, 0 unsupported") != NULL);
	free(out);
	replay_stats_free(&st);
}

TEST(replay_thread_order_unexplained_is_reported)
{
	(void)sys;
	char text[1024], *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	snprintf(text, sizeof(text),
		 "10 clone3({flags=CLONE_VM|CLONE_THREAD, exit_signal=0}, 88) = 11\n"
		 "10 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>\n"
		 "11 munmap(0x1000, 4096 <unfinished ...>\n"
		 "11 <... munmap resumed>) = -1 ENOMEM (Cannot allocate memory)\n"
		 "10 <... mmap resumed>) = 0x1000\n");
	int rc = run_text(&o, text, &out, &st);
	CHECK_EQ(rc, 1);
	CHECK_EQ(st.unexplained_groups, 1);
	CHECK(st.diverged > 0);
	free(out);
	replay_stats_free(&st);
}

/* Only an unfinished call the replay applies holds the calls after it in
 * a group: while one thread waits in futex (skipped), another thread's calls
 * are applied as they come, and a divergence among them is a plain one, not
 * a group that no order explains. */
TEST(replay_skipped_unfinished_call_opens_no_group)
{
	char text[1024], *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	long a0 = first_mmap(sys, 0);
	snprintf(text, sizeof(text),
		 "10 clone3({flags=CLONE_VM|CLONE_THREAD, exit_signal=0}, 88) = 11\n"
		 "10 futex(0x7f0000000000, FUTEX_WAIT, 0, NULL <unfinished ...>\n"
		 "11 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = %#lx\n"
		 "11 munmap(0x1000, 4096) = -1 ENOMEM (Cannot allocate memory)\n"
		 "10 <... futex resumed>) = 0\n",
		 a0);
	int rc = run_text(&o, text, &out, &st);
	CHECK_EQ(rc, 1);
	CHECK_EQ(st.unexplained_groups, 0);
	CHECK_EQ(st.matched, 1);
	CHECK_EQ(st.diverged, 1);
	free(out);
	replay_stats_free(&st);
}

/* fork copies the address space; CLONE_VM shares it. */
TEST(replay_fork_copies_clone_vm_shares)
{
	char text[1024], *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	long a0 = first_mmap(sys, 0), a1 = first_mmap(sys, 1);
	snprintf(text, sizeof(text),
		 "10 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = %#lx\n"
		 "10 clone(child_stack=NULL, flags=SIGCHLD) = 20\n"
		 "20 munmap(%#lx, 4096) = 0\n"
		 "10 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = %#lx\n"
		 "20 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = %#lx\n"
		 "10 clone(child_stack=NULL, flags=CLONE_VM|SIGCHLD) = 30\n"
		 "30 munmap(%#lx, 4096) = 0\n"
		 "10 munmap(%#lx, 4096) = -1 EINVAL (Invalid argument)\n",
		 a0, a0, a1, a0, a1, 0x1001L);
	int rc = run_text(&o, text, &out, &st);
	CHECK_EQ(rc, 0);
	CHECK_EQ(st.matched, 6);
	CHECK_EQ(st.processes, 2);
	free(out);
	replay_stats_free(&st);
}

/* Descriptors: identity from fstat, dup shares the open file (VMAs of one
 * open file merge), and the maps show the path. */
TEST(replay_files_follow_descriptors)
{
	char text[2048], *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	long a0 = first_mmap(sys, 0);
	uint64_t base = (uint64_t)a0 - 4096;
	snprintf(text, sizeof(text),
		 "openat(AT_FDCWD, \"/nonexistent/data\", O_RDONLY) = 3\n"
		 "fstat(3, {st_dev=makedev(0x8, 0x1), st_ino=4242, st_mode=S_IFREG|0644, "
		 "st_size=65536, ...}) = 0\n"
		 "dup(3) = 4\n"
		 "close(3) = 0\n"
		 "mmap(%#llx, 4096, PROT_READ, MAP_PRIVATE|MAP_FIXED, 4, 0x1000) = %#llx\n"
		 "mmap(%#llx, 4096, PROT_READ, MAP_PRIVATE|MAP_FIXED, 4, 0) = %#llx\n"
		 "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 7, 0) = -1 EBADF (Bad file descriptor)\n",
		 (unsigned long long)base, (unsigned long long)base,
		 (unsigned long long)base - 4096, (unsigned long long)base - 4096);
	o.print_maps = 1;
	int rc = run_text(&o, text, &out, &st);
	CHECK_EQ(rc, 0);
	CHECK_EQ(st.matched, 2);
	CHECK_EQ(st.unsupported, 1); /* fd 7 was never opened */
	char want[256];
	snprintf(want, sizeof(want), "%012llx-%012llx r--p 00000000 08:01 4242",
		 (unsigned long long)base - 4096, (unsigned long long)base + 4096);
	CHECK(strstr(out, want) != NULL);
	CHECK(strstr(out, "/nonexistent/data\n") != NULL);
	free(out);
	replay_stats_free(&st);
}

TEST(replay_follow_places_at_trace_address)
{
	(void)sys;
	char text[512], *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	snprintf(text, sizeof(text),
		 "mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n"
		 "munmap(0x7f0000001000, 4096) = 0\n"
		 "mprotect(0x7f0000000000, 4096, PROT_NONE) = 0\n");
	CHECK_EQ(run_text(&o, text, &out, &st), 1);
	replay_stats_free(&st);
	free(out);
	out = NULL;
	o.follow = 1;
	CHECK_EQ(run_text(&o, text, &out, &st), 0);
	CHECK_EQ(st.followed, 1);
	CHECK_EQ(st.matched, 3);
	free(out);
	replay_stats_free(&st);
}

/* fs/exec.c: without --initial-maps an execve builds the process from the
 * program's binary on this host (vms_execve); its result is checked, and so
 * are the calls after it. */
TEST(replay_execve_builds_the_process_from_its_binary)
{
	char *out = NULL, text[512];
	struct replay_opts o = {0};
	struct replay_stats st;
	if (access("/bin/true", X_OK) != 0) {
		t_skip("no /bin/true on this host");
		return;
	}
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE};
	const char *argv[] = {"true", NULL}, *envp[] = {"X=", "X=", "X=", NULL};
	struct vms_exec_args args = {.filename = "/bin/true", .argv = argv, .envp = envp};
	struct vms_exec_info info;
	long err = 0;
	vms_mm *mm = vms_execve(sys, NULL, &cfg, &args, &info, &err);
	CHECK(mm != NULL);
	snprintf(text, sizeof(text),
		 "execve(\"/bin/true\", [\"true\"], 0x7ffd /* 3 vars */) = 0\n"
		 "brk(NULL) = %#llx\n",
		 (unsigned long long)info.start_brk);
	vms_exec_info_free(&info);
	vms_mm_free(mm);
	CHECK_EQ(run_text(&o, text, &out, &st), 0);
	CHECK_EQ(st.calls, 2);
	CHECK_EQ(st.matched, 2);
	CHECK_EQ(st.unsupported, 0);
	free(out);
	replay_stats_free(&st);
}

/* A failed execve must fail as the log says, and the process goes on with
 * its old address space (do_execveat_common() before the point of no
 * return). */
TEST(replay_failed_execve_is_checked_and_keeps_the_process)
{
	(void)sys;
	char *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	const char *text =
	    "mmap(0x10000000, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0) = 0x10000000\n"
	    "execve(\"/nonexistent/prog\", [\"prog\"], NULL) = -1 ENOENT (No such file or directory)\n"
	    "execve(\"/bin/true\", [\"true\"], NULL) = -1 ENOENT (No such file or directory)\n"
	    "munmap(0x10000000, 4096) = 0\n";
	CHECK_EQ(run_text(&o, text, &out, &st), 1);
	CHECK_EQ(st.calls, 4);
	CHECK_EQ(st.matched, 3);
	CHECK_EQ(st.diverged, access("/bin/true", X_OK) == 0 ? 1 : 0);
	CHECK(strstr(out, "line 3:") != NULL);
	free(out);
	replay_stats_free(&st);
}

static int run_text_err(struct replay_opts *o, const char *text, char **outp, char **errp,
			struct replay_stats *st);

/* A program that is not on this host cannot be built: the replay says so
 * and the process's later calls are unsupported, with that reason. */
TEST(replay_execve_of_a_program_not_on_this_host_says_so)
{
	(void)sys;
	char *out = NULL, *err = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	const char *text = "execve(\"/nonexistent/prog\", [\"prog\"], NULL) = 0\n"
			   "brk(NULL) = 0x555555559000\n";
	CHECK_EQ(run_text_err(&o, text, &out, &err, &st), 0);
	CHECK_EQ(st.unsupported, 2);
	CHECK(strstr(err, "/nonexistent/prog is not on this host") != NULL);
	free(out);
	free(err);
	replay_stats_free(&st);
}

TEST(replay_malformed_line_warns_or_fails_strict)
{
	(void)sys;
	char *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	const char *text = "brk(NULL) = 0x555555559000\n"
			   "mmap(NULL, 4096, PROT_READ\n"
			   "brk(0x55555557a000) = 0x55555557a000\n";
	CHECK_EQ(run_text(&o, text, &out, &st), 0);
	CHECK_EQ(st.malformed, 1);
	CHECK_EQ(st.matched, 2);
	free(out);
	replay_stats_free(&st);
	out = NULL;
	o.strict = 1;
	CHECK_EQ(run_text(&o, text, &out, &st), 2);
	free(out);
	replay_stats_free(&st);
}

TEST(replay_settings_parse)
{
	struct replay_opts o = {0};
	uint64_t v;
	(void)sys;
	CHECK_EQ(replay_parse_size("8M", &v), 0);
	CHECK_EQ(v, 8 << 20);
	CHECK_EQ(replay_parse_size("0x1000", &v), 0);
	CHECK_EQ(v, 4096);
	CHECK(replay_parse_size("-1", &v) < 0);
	CHECK_EQ(replay_parse_rlimit(&o, "STACK=8192k:unlimited"), 0);
	CHECK_EQ(o.rlim[RL_STACK].cur, 8 << 20);
	CHECK_EQ(o.rlim[RL_STACK].max, VMS_RLIM_INFINITY);
	CHECK(replay_parse_rlimit(&o, "MEMLOCK=2M:1M") < 0);
	CHECK(replay_parse_rlimit(&o, "NOFILE=1") < 0);
	CHECK_EQ(replay_load_settings(&o, "--sysctl vm.max_map_count=100\n--cap IPC_LOCK\n"
					  "--aslr 7 --ram 1G"),
		 0);
	CHECK_EQ(o.nsysctl, 1);
	CHECK_EQ(o.sysctl_val[0], 100);
	CHECK_EQ(o.caps, VMS_CAP_IPC_LOCK);
	CHECK_EQ(o.aslr, 1);
	CHECK_EQ(o.seed, 7);
	CHECK_EQ(o.ram, 1ULL << 30);
	CHECK_EQ(replay_load_settings(&o, "--sysctl x --bogus 1"), 1);
}

/* A sysctl setting reaches the model: with vm.max_map_count=1 the third
 * separate mapping fails (do_mmap(): map_count > sysctl_max_map_count). */
TEST(replay_sysctl_setting_applies)
{
	char text[1024], *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	long a0 = first_mmap(sys, 0);
	snprintf(text, sizeof(text),
		 "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = %#lx\n"
		 "mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = %#lx\n"
		 "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = -1 ENOMEM (Cannot allocate memory)\n",
		 a0, a0 - 4096);
	CHECK_EQ(replay_setting(&o, "--sysctl", "vm.max_map_count=1"), 0);
	CHECK_EQ(run_text(&o, text, &out, &st), 0);
	CHECK_EQ(st.matched, 3);
	free(out);
	replay_stats_free(&st);
}

/* ---- Paths in the maps ---------------------------------------------------- */

/* A directory of this host holding real/lib1.so .. real/lib4.so (a page each)
 * and link -> real, so that DIR/link/libN.so names a file through a symlink,
 * as /lib/x86_64-linux-gnu/libc.so.6 does on a merged-/usr system. */
struct symlinked {
	char dir[64];          /* as made: DIR */
	char real[512];        /* realpath(DIR)/real */
	struct stat sb[5];     /* sb[n]: libN.so */
};

static int symlinked_make(struct symlinked *s)
{
	char path[PATH_MAX], page[4096];
	memset(s, 0, sizeof(*s));
	memset(page, 'x', sizeof(page));
	snprintf(s->dir, sizeof(s->dir), "/tmp/vmspace-paths-XXXXXX");
	if (!mkdtemp(s->dir) || !realpath(s->dir, path))
		return -1;
	if (strlen(path) > sizeof(s->real) - 16)
		return -1;
	snprintf(s->real, sizeof(s->real), "%.400s/real", path);
	if (mkdir(s->real, 0755))
		return -1;
	snprintf(path, sizeof(path), "%s/link", s->dir);
	if (symlink("real", path))
		return -1;
	for (int n = 1; n <= 4; n++) {
		snprintf(path, sizeof(path), "%s/lib%d.so", s->real, n);
		FILE *f = fopen(path, "w");
		if (!f)
			return -1;
		size_t put = fwrite(page, 1, sizeof(page), f);
		if (fclose(f) || put != sizeof(page) || stat(path, &s->sb[n]))
			return -1;
	}
	return 0;
}

static void symlinked_remove(const struct symlinked *s)
{
	char path[PATH_MAX];
	for (int n = 1; n <= 4 && s->real[0]; n++) {
		snprintf(path, sizeof(path), "%s/lib%d.so", s->real, n);
		unlink(path);
	}
	if (s->real[0])
		rmdir(s->real);
	snprintf(path, sizeof(path), "%s/link", s->dir);
	unlink(path);
	rmdir(s->dir);
}

/* Runs body with a fresh symlinked directory, removed afterwards even when a
 * CHECK in body failed (it returns early). */
static void with_symlinked(vms_sys *sys, void (*body)(vms_sys *sys, const struct symlinked *s))
{
	struct symlinked s;
	if (symlinked_make(&s))
		t_skip("cannot make a directory with a symlink in /tmp");
	else
		body(sys, &s);
	symlinked_remove(&s);
}

/* An fstat line for fd showing st as strace -v prints it. */
static int fstat_line(char *buf, size_t size, int fd, const struct stat *st, uint64_t ino)
{
	return snprintf(buf, size,
			"fstat(%d, {st_dev=makedev(%#x, %#x), st_ino=%llu, st_mode=S_IFREG|0644, "
			"st_size=4096, ...}) = 0\n",
			fd, major(st->st_dev), minor(st->st_dev), (unsigned long long)ino);
}

/* Like run_text(), with what goes to err kept in *errp. */
static int run_text_err(struct replay_opts *o, const char *text, char **outp, char **errp,
			struct replay_stats *st)
{
	size_t n, m;
	FILE *out = open_memstream(outp, &n), *err = open_memstream(errp, &m);
	o->check = 1;
	o->name = "t";
	int rc = replay_run(o, text, strlen(text), out, err, st);
	fclose(out);
	fclose(err);
	return rc;
}

/* " NAME\n" ends one of the maps' lines. */
static int maps_show(const char *maps, const char *name)
{
	size_t n = strlen(name);
	for (const char *m = maps; m && (m = strstr(m, name)); m++)
		if (m > maps && m[-1] == ' ' && m[n] == '\n')
			return 1;
	return 0;
}

/* The maps name a file by d_path() (fs/proc/task_mmu.c: show_map_vma()),
 * symlinks resolved, where a log without -y shows the path opened. */
static void replay_maps_names_are_canonical_paths_in(vms_sys *sys, const struct symlinked *s)
{
	char text[4096], want[1024], *out = NULL, *err = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	long a0 = first_mmap(sys, 0), a1 = first_mmap(sys, 1);
	int n;
	/* lib1.so with the trace's identity, lib2.so without one */
	n = snprintf(text, sizeof(text),
		     "openat(AT_FDCWD, \"%s/link/lib1.so\", O_RDONLY|O_CLOEXEC) = 3\n", s->dir);
	n += fstat_line(text + n, sizeof(text) - (size_t)n, 3, &s->sb[1], s->sb[1].st_ino);
	snprintf(text + n, sizeof(text) - (size_t)n,
		 "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) = %#lx\n"
		 "close(3) = 0\n"
		 "openat(AT_FDCWD, \"%s/link/../link/lib2.so\", O_RDONLY|O_CLOEXEC) = 3\n"
		 "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) = %#lx\n",
		 a0, s->dir, a1);
	int rc = run_text_err(&o, text, &out, &err, &st);
	CHECK_EQ(rc, 0);
	CHECK_EQ(st.matched, 2);
	CHECK_EQ(st.unmatched_paths, 0);
	snprintf(want, sizeof(want), "%s/lib1.so", s->real);
	CHECK(maps_show(st.final_maps, want));
	snprintf(want, sizeof(want), "%s/lib2.so", s->real);
	CHECK(maps_show(st.final_maps, want));
	CHECK(strcmp(err, "") == 0);
	free(out);
	free(err);
	replay_stats_free(&st);
}

TEST(replay_maps_names_are_canonical_paths)
{
	with_symlinked(sys, replay_maps_names_are_canonical_paths_in);
}

/* A host file that is not the trace's (another st_ino) gives no name: the
 * trace's path stays, and one note says so. */
static void replay_maps_keep_trace_path_when_identity_disagrees_in(vms_sys *sys,
								   const struct symlinked *s)
{
	char text[4096], want[1024], *out = NULL, *err = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	long a0 = first_mmap(sys, 0), a1 = first_mmap(sys, 1);
	int n;
	n = snprintf(text, sizeof(text),
		     "openat(AT_FDCWD, \"%s/link/lib1.so\", O_RDONLY|O_CLOEXEC) = 3\n", s->dir);
	n += fstat_line(text + n, sizeof(text) - (size_t)n, 3, &s->sb[1], s->sb[1].st_ino + 1);
	n += snprintf(text + n, sizeof(text) - (size_t)n,
		      "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) = %#lx\n"
		      "openat(AT_FDCWD, \"/nonexistent/lib.so\", O_RDONLY|O_CLOEXEC) = 4\n",
		      a0);
	n += fstat_line(text + n, sizeof(text) - (size_t)n, 4, &s->sb[1], 77);
	snprintf(text + n, sizeof(text) - (size_t)n,
		 "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 4, 0) = %#lx\n", a1);
	int rc = run_text_err(&o, text, &out, &err, &st);
	CHECK_EQ(rc, 0);
	CHECK_EQ(st.matched, 2);
	CHECK_EQ(st.unmatched_paths, 2);
	snprintf(want, sizeof(want), "%s/link/lib1.so", s->dir);
	CHECK(maps_show(st.final_maps, want));
	CHECK(maps_show(st.final_maps, "/nonexistent/lib.so"));
	snprintf(want, sizeof(want),
		 "vmspace replay: note: 2 mapped files could not be matched to this host's "
		 "files (first: %s/link/lib1.so at line 3); their maps lines show the trace's "
		 "paths\n",
		 s->dir);
	CHECK(strcmp(err, want) == 0);
	free(out);
	free(err);
	replay_stats_free(&st);
}

TEST(replay_maps_keep_trace_path_when_identity_disagrees)
{
	with_symlinked(sys, replay_maps_keep_trace_path_when_identity_disagrees_in);
}

/* strace -y prints d_path() already: such a path is the maps' name as it is,
 * whether or not this host has the file, and is not resolved again. */
static void replay_y_paths_are_kept_as_printed_in(vms_sys *sys, const struct symlinked *s)
{
	char text[4096], want[1024], *out = NULL, *err = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	long a0 = first_mmap(sys, 0), a1 = first_mmap(sys, 1);
	snprintf(text, sizeof(text),
		 "openat(AT_FDCWD</tmp>, \"/lib/x/libc.so.6\", O_RDONLY) = 3</usr/lib/x/libc.so.6>\n"
		 "fstat(3</usr/lib/x/libc.so.6>, {st_dev=makedev(0x8, 0x1), st_ino=4242, "
		 "st_mode=S_IFREG|0644, st_size=4096, ...}) = 0\n"
		 "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3</usr/lib/x/libc.so.6>, 0) = %#lx\n"
		 "openat(AT_FDCWD</tmp>, \"lib1.so\", O_RDONLY) = 4<%s/link/lib1.so>\n"
		 "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 4<%s/link/lib1.so>, 0) = %#lx\n",
		 a0, s->dir, s->dir, a1);
	int rc = run_text_err(&o, text, &out, &err, &st);
	CHECK_EQ(rc, 0);
	CHECK_EQ(st.matched, 2);
	CHECK_EQ(st.unmatched_paths, 0);
	CHECK(maps_show(st.final_maps, "/usr/lib/x/libc.so.6"));
	snprintf(want, sizeof(want), "%s/link/lib1.so", s->dir);
	CHECK(maps_show(st.final_maps, want));
	CHECK(strcmp(err, "") == 0);
	free(out);
	free(err);
	replay_stats_free(&st);
}

TEST(replay_y_paths_are_kept_as_printed)
{
	with_symlinked(sys, replay_y_paths_are_kept_as_printed_in);
}

/* A relative path starts from the working directory (--cwd, chdir, fchdir,
 * getcwd) or, in openat, from the directory fd (fs/namei.c: path_init()). */
static void replay_relative_paths_follow_cwd_and_dirfd_in(vms_sys *sys, const struct symlinked *s)
{
	char text[4096], want[1024], *out = NULL, *err = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	long a[5];
	for (int i = 0; i < 5; i++)
		a[i] = first_mmap(sys, i);
	snprintf(text, sizeof(text),
		 "openat(AT_FDCWD, \"link/lib1.so\", O_RDONLY) = 3\n"
		 "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) = %#lx\n"
		 "chdir(\"link\") = 0\n"
		 "open(\"lib2.so\", O_RDONLY) = 3\n"
		 "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) = %#lx\n"
		 "chdir(\"/\") = 0\n"
		 "openat(AT_FDCWD, \"%s/link\", O_RDONLY|O_DIRECTORY) = 5\n"
		 "openat(5, \"lib3.so\", O_RDONLY) = 3\n"
		 "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) = %#lx\n"
		 "fchdir(5) = 0\n"
		 "openat(AT_FDCWD, \"./lib4.so\", O_RDONLY) = 3\n"
		 "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) = %#lx\n"
		 "chdir(\"/nonexistent\") = 0\n"
		 "getcwd(\"%s\", 4096) = %zu\n"
		 "openat(AT_FDCWD, \"lib1.so\", O_RDONLY) = 3\n"
		 "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) = %#lx\n",
		 a[0], a[1], s->dir, a[2], a[3], s->real, strlen(s->real) + 1, a[4]);
	o.cwd = s->dir;
	int rc = run_text_err(&o, text, &out, &err, &st);
	CHECK_EQ(rc, 0);
	CHECK_EQ(st.matched, 5);
	CHECK_EQ(st.unmatched_paths, 0);
	for (int n = 1; n <= 4; n++) {
		snprintf(want, sizeof(want), "%s/lib%d.so", s->real, n);
		CHECK(maps_show(st.final_maps, want));
	}
	CHECK(strcmp(err, "") == 0);
	free(out);
	free(err);
	replay_stats_free(&st);
}

TEST(replay_relative_paths_follow_cwd_and_dirfd)
{
	with_symlinked(sys, replay_relative_paths_follow_cwd_and_dirfd_in);
}

/* Without a known working directory a relative path cannot be looked up:
 * it stays as the trace shows it. */
TEST(replay_relative_path_with_unknown_cwd_keeps_trace_path)
{
	(void)sys;
	char *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	char text[512];
	snprintf(text, sizeof(text),
		 "openat(AT_FDCWD, \"lib/data.bin\", O_RDONLY) = 3\n"
		 "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) = %#lx\n",
		 first_mmap(sys, 0));
	CHECK_EQ(run_text(&o, text, &out, &st), 0);
	CHECK_EQ(st.matched, 1);
	CHECK_EQ(st.unmatched_paths, 1);
	CHECK(maps_show(st.final_maps, "lib/data.bin"));
	free(out);
	replay_stats_free(&st);
}

/* fork copies the working directory, CLONE_FS shares it (kernel/fork.c:
 * copy_fs()): a child's chdir moves a thread's lookups, not a forked
 * parent's. */
static void replay_cwd_is_copied_by_fork_and_shared_by_clone_fs_in(vms_sys *sys,
								   const struct symlinked *s)
{
	char text[4096], want[1024], *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	long a0 = first_mmap(sys, 0), a1 = first_mmap(sys, 1);
	snprintf(text, sizeof(text),
		 "10 clone(child_stack=NULL, flags=SIGCHLD) = 20\n"
		 "20 chdir(\"/nonexistent\") = 0\n"
		 "10 openat(AT_FDCWD, \"link/lib1.so\", O_RDONLY) = 3\n"
		 "10 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) = %#lx\n"
		 "10 clone(child_stack=0x7f0000000000, flags=CLONE_VM|CLONE_FS|CLONE_FILES|"
		 "CLONE_SIGHAND|CLONE_THREAD) = 30\n"
		 "30 chdir(\"/nonexistent\") = 0\n"
		 "10 openat(AT_FDCWD, \"link/lib2.so\", O_RDONLY) = 4\n"
		 "10 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 4, 0) = %#lx\n",
		 a0, a1);
	o.cwd = s->dir;
	CHECK_EQ(run_text(&o, text, &out, &st), 0);
	CHECK_EQ(st.matched, 2);
	snprintf(want, sizeof(want), "%s/lib1.so", s->real);
	CHECK(maps_show(st.final_maps, want));
	CHECK(maps_show(st.final_maps, "link/lib2.so"));
	CHECK_EQ(st.unmatched_paths, 1);
	free(out);
	replay_stats_free(&st);
}

TEST(replay_cwd_is_copied_by_fork_and_shared_by_clone_fs)
{
	with_symlinked(sys, replay_cwd_is_copied_by_fork_and_shared_by_clone_fs_in);
}

/* --no-resolve: the trace's paths, as they are, and no note. */
static void replay_no_resolve_keeps_trace_paths_in(vms_sys *sys, const struct symlinked *s)
{
	char text[4096], want[1024], *out = NULL, *err = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	snprintf(text, sizeof(text),
		 "openat(AT_FDCWD, \"%s/link/lib1.so\", O_RDONLY) = 3\n"
		 "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) = %#lx\n",
		 s->dir, first_mmap(sys, 0));
	o.no_resolve = 1;
	CHECK_EQ(run_text_err(&o, text, &out, &err, &st), 0);
	CHECK_EQ(st.matched, 1);
	CHECK_EQ(st.unmatched_paths, 0);
	snprintf(want, sizeof(want), "%s/link/lib1.so", s->dir);
	CHECK(maps_show(st.final_maps, want));
	CHECK(strcmp(err, "") == 0);
	free(out);
	free(err);
	replay_stats_free(&st);
}

TEST(replay_no_resolve_keeps_trace_paths)
{
	with_symlinked(sys, replay_no_resolve_keeps_trace_paths_in);
}

/* Every unsupported call has a reason: --unsupported lists each, and the
 * line after the summary (which keeps its format) counts the commonest. */
TEST(replay_unsupported_reasons_are_listed)
{
	(void)sys;
	char *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	const char *text =
		"prlimit64(1234, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0\n"
		"mprotect(0x7f0000000000, 4096, PROT_READ|PROT_BOGUS) = 0\n"
		"prlimit64(1234, RLIMIT_AS, NULL, {rlim_cur=RLIM64_INFINITY, rlim_max=RLIM64_INFINITY}) = 0\n";
	o.list_unsupported = 1;
	CHECK_EQ(run_text(&o, text, &out, &st), 0);
	CHECK_EQ(st.unsupported, 3);
	CHECK(strcmp(out, "line 1: prlimit64: another process's limits (prlimit64 pid != 0)\n"
			  "line 2: mprotect: unknown flag PROT_BOGUS\n"
			  "line 3: prlimit64: another process's limits (prlimit64 pid != 0)\n"
			  "replayed 3 calls: 0 matched, 0 diverged, 3 unsupported\n"
			  "unsupported: 2 x another process's limits (prlimit64 pid != 0), "
			  "1 x unknown flag PROT_BOGUS\n") == 0);
	free(out);
	replay_stats_free(&st);
	/* without --unsupported: only the counts */
	out = NULL;
	o.list_unsupported = 0;
	CHECK_EQ(run_text(&o, text, &out, &st), 0);
	CHECK(strncmp(out, "replayed 3 calls:", 17) == 0);
	CHECK(strstr(out, "\nunsupported: 2 x ") != NULL);
	free(out);
	replay_stats_free(&st);
}

/* The policy, key, prctl, personality and credential calls as strace
 * prints them, old names and new. */
TEST(replay_policy_calls_as_strace_prints_them)
{
	char text[2048], *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	long a = first_mmap(sys, 0);
	/* No map_shadow_stack on the machine the log comes from. */
	CHECK_EQ(replay_setting(&o, "--sysctl", "config.x86_user_shadow_stack=0"), 0);
	/* root with every capability */
	CHECK_EQ(replay_setting(&o, "--creds",
				"0:0:0:0/0:0:0:0/0/1ffffffffff/1ffffffffff/1ffffffffff/0"), 0);
	snprintf(text, sizeof(text),
		 "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = %#lx\n"
		 "mbind(%#lx, 4096, MPOL_BIND, 0x7ffd0000, 2, 0) = -1 EFAULT (Bad address)\n"
		 "mbind(%#lx, 4096, MPOL_INTERLEAVE|MPOL_F_STATIC_NODES, [0x00000000000003], 3, 0) = 0\n"
		 "mbind(%#lx, 4096, MPOL_F_NUMA_BALANCING|0x6, [0x00000000000001], 2, "
		 "MPOL_MF_STRICT) = -1 EINVAL (Invalid argument)\n"
		 "get_mempolicy([0x8003 /* MPOL_??? */], [0x00000000000003], 64, %#lx, "
		 "MPOL_F_ADDR) = 0\n"
		 "set_mempolicy_home_node(%#lx, 4096, 0, 0) = -1 EOPNOTSUPP (Operation not supported)\n"
		 "syscall_0x1c5(0, 0x1000, 0x1, 0, 0, 0) = -1 ENOSYS (Function not implemented)\n"
		 "map_shadow_stack(0, 4096, SHADOW_STACK_SET_TOKEN) = -1 ENOSYS (Function not "
		 "implemented)\n"
		 "pkey_alloc(0, PKEY_DISABLE_ACCESS|PKEY_DISABLE_WRITE) = -1 EINVAL (Invalid argument)\n"
		 "prctl(0x41 /* PR_??? */, 0x1, 0, 0, 0) = 0\n"
		 "prctl(PR_GET_MDWE, 0, 0, 0, 0) = 1\n"
		 "prctl(PR_SET_MM, PR_SET_MM_MAP, 0x7ffd0000, 0x68, 0) = 0\n"
		 "prctl(PR_SET_MM, PR_SET_MM_MAP, 0x7ffd0000, 0x60, 0) = -1 EINVAL (Invalid argument)\n"
		 "personality(PER_LINUX|READ_IMPLIES_EXEC) = 0x40000 (PER_LINUX|ADDR_NO_RANDOMIZE)\n"
		 "capget({version=_LINUX_CAPABILITY_VERSION_3, pid=1}, {effective=0, permitted=0, "
		 "inheritable=0}) = 0\n"
		 "capget({version=0x12345 /* _LINUX_CAPABILITY_VERSION_??? */, pid=0}, NULL) = 0\n"
		 "setresuid(-1, 1000, -1) = 0\n"
		 "setuid(-1) = -1 EINVAL (Invalid argument)\n",
		 a, a, a, a, a, a);
	o.list_unsupported = 1;
	int rc = run_text(&o, text, &out, &st);
	if (rc || st.matched != 16 || st.unsupported != 2)
		t_fail(__FILE__, __LINE__, "%s", out);
	CHECK_EQ(rc, 0);
	CHECK_EQ(st.matched, 16);
	CHECK_EQ(st.diverged, 0);
	CHECK_EQ(st.unsupported, 2);
	CHECK(strstr(out, "line 12: prctl: PR_SET_MM_MAP's structure is not in the log\n"));
	CHECK(strstr(out, "line 15: capget: another process's capabilities\n"));
	free(out);
	replay_stats_free(&st);
}

/* A log whose every call must match, replayed with default settings. */
static void all_match(const char *text, uint64_t calls)
{
	char *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	int rc = run_text(&o, text, &out, &st);
	if (rc || st.matched != calls || st.calls != calls)
		t_fail(__FILE__, __LINE__, "rc %d, %llu of %llu calls matched:\n%s", rc,
		       (unsigned long long)st.matched, (unsigned long long)calls, out);
	free(out);
	replay_stats_free(&st);
}

/* prctl(PR_SET/GET_DUMPABLE) as strace 6.1 prints it (SUID_DUMP_* names,
 * recorded live): the dumpable value process_madvise's access check reads. */
TEST(replay_prctl_dumpable_as_strace_prints_it)
{
	(void)sys;
	all_match("prctl(PR_SET_DUMPABLE, SUID_DUMP_ROOT)  = -1 EINVAL (Invalid argument)\n"
		  "prctl(PR_SET_DUMPABLE, SUID_DUMP_DISABLE) = 0\n"
		  "prctl(PR_GET_DUMPABLE)                  = 0 (SUID_DUMP_DISABLE)\n"
		  "prctl(PR_SET_DUMPABLE, SUID_DUMP_USER)  = 0\n"
		  "prctl(PR_GET_DUMPABLE)                  = 1 (SUID_DUMP_USER)\n",
		  5);
}

/* ftruncate of a pidfd: a regular file of pidfs, opened without O_LARGEFILE
 * (past 2 GiB EINVAL), whose setattr refuses (EOPNOTSUPP). Live (found by
 * breadth seed 1029; a userfaultfd's, no regular file, is EINVAL:
 * replay_userfaultfd_sigbus_stops_populate). */
TEST(replay_ftruncate_of_a_pidfd_is_eopnotsupp)
{
	(void)sys;
	all_match("pidfd_open(1234, 0)              = 3\n"
		  "ftruncate(3, 100) = -1 EOPNOTSUPP (Operation not supported)\n"
		  "ftruncate(3, 2147483647) = -1 EOPNOTSUPP (Operation not supported)\n"
		  "ftruncate(3, 2147483648) = -1 EINVAL (Invalid argument)\n",
		  3);
}

/* Past REASONS_SHOWN reasons, the rest are counted together. */
TEST(replay_unsupported_reasons_beyond_the_commonest_are_summed)
{
	(void)sys;
	char *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	const char *text = "mprotect(0x7f0000000000, 4096, PROT_A) = 0\n"
			   "mprotect(0x7f0000000000, 4096, PROT_B) = 0\n"
			   "mprotect(0x7f0000000000, 4096, PROT_C) = 0\n"
			   "mprotect(0x7f0000000000, 4096, PROT_D) = 0\n"
			   "mprotect(0x7f0000000000, 4096, PROT_E) = 0\n"
			   "mprotect(0x7f0000000000, 4096, PROT_E) = 0\n"
			   "mprotect(0x7f0000000000, 4096, PROT_F) = 0\n";
	CHECK_EQ(run_text(&o, text, &out, &st), 0);
	CHECK(strstr(out, "\nunsupported: 2 x unknown flag PROT_E, 1 x unknown flag PROT_A, "
			  "1 x unknown flag PROT_B, 1 x unknown flag PROT_C, 2 x other reasons "
			  "(--unsupported lists every call)\n") != NULL);
	free(out);
	replay_stats_free(&st);
}

/* A name the parser does not know leaves its argument without a number: the
 * call is unsupported, and the reason names the flag. */
TEST(replay_unknown_flag_is_unsupported_with_reason)
{
	(void)sys;
	char *out = NULL, *err = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	const char *text = "mmap(0x7f0000000000, 4096, PROT_READ, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, "
			   "-1, 0) = 0x7f0000000000\n"
			   "mprotect(0x7f0000000000, 4096, PROT_READ|PROT_BOGUS) = 0\n"
			   "madvise(0x7f0000000000, 4096, MADV_BOGUS) = 0\n";
	CHECK_EQ(run_text_err(&o, text, &out, &err, &st), 0);
	CHECK_EQ(st.unsupported, 2);
	CHECK_EQ(st.nreasons, 2);
	CHECK(strcmp(st.reasons[0].text, "unknown flag PROT_BOGUS") == 0);
	CHECK(strcmp(st.reasons[1].text, "unknown name MADV_BOGUS") == 0);
	/* and it is bad input, said with its line */
	CHECK(strstr(err, "t:2: warning: mprotect: unknown flag PROT_BOGUS in argument 3; "
			  "the call is counted unsupported\n") != NULL);
	CHECK(strstr(err, "t:3: warning: madvise: unknown name MADV_BOGUS in argument 3") != NULL);
	free(out);
	free(err);
	replay_stats_free(&st);
}

/* A log with no system call at all is not a log: an error, strict or not. */
TEST(replay_empty_log_is_an_error)
{
	(void)sys;
	char *out = NULL, *err = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	CHECK_EQ(run_text_err(&o, "", &out, &err, &st), 2);
	CHECK(strstr(err, "t: error: the log is empty") != NULL);
	CHECK(strstr(out, "replayed") == NULL);
	free(out);
	free(err);
	replay_stats_free(&st);
	out = err = NULL;
	CHECK_EQ(run_text_err(&o, "\n+++ exited with 0 +++\n", &out, &err, &st), 2);
	CHECK(strstr(err, "t: error: no system call line in its 2 lines") != NULL);
	free(out);
	free(err);
	replay_stats_free(&st);
}

/* strace prints text: control bytes (NUL included) are binary data, said
 * with their line; a program or a compressed file is an error at once. */
TEST(replay_binary_file_says_so)
{
	(void)sys;
	char *out = NULL, *err = NULL;
	size_t n, m;
	struct replay_opts o = {0};
	struct replay_stats st;
	/* a NUL in the middle of a call that would parse up to it */
	static const char text[] = "brk(NULL) = 0x555555559000\n"
				   "brk(NULL) = 0x555555559000\0\x01\x02\n"
				   "\x03\x04\x05\n"
				   "brk(NULL) = 0x555555559000\n";
	FILE *fo = open_memstream(&out, &n), *fe = open_memstream(&err, &m);
	o.name = "t";
	CHECK_EQ(replay_run(&o, text, sizeof(text) - 1, fo, fe, &st), 0);
	fclose(fo);
	fclose(fe);
	CHECK_EQ(st.malformed, 2);
	CHECK(strstr(err, "t:2: warning: binary data (byte 0x00 in column 27), not strace output; "
			  "line skipped\n") != NULL);
	CHECK(strstr(err, "t:3: warning: binary data (byte 0x03 in column 1)") != NULL);
	free(out);
	free(err);
	replay_stats_free(&st);
	/* nothing but binary data: the first few, a count, and the error */
	out = err = NULL;
	CHECK_EQ(run_text_err(&o, "\x01\n\x02\n\x03\n\x04\n\x05\n", &out, &err, &st), 2);
	CHECK(strstr(err, "t:3: warning: binary data") != NULL);
	CHECK(strstr(err, "t:4: warning") == NULL);
	CHECK(strstr(err, "t: warning: and 2 more lines of binary data, the last on line 5\n") !=
	      NULL);
	CHECK(strstr(err, "t: error: no system call line in its 5 lines") != NULL);
	free(out);
	free(err);
	replay_stats_free(&st);
	/* a program given for its log */
	out = err = NULL;
	CHECK_EQ(run_text_err(&o, "\x7f" "ELF\x02\x01\x01\nbrk(NULL) = 0x555555559000\n", &out, &err,
			      &st),
		 2);
	CHECK(strstr(err, "t:1: error: binary data: an ELF file") != NULL);
	free(out);
	free(err);
	replay_stats_free(&st);
}

/* A 32-bit process's calls (mmap2 and the other i386-only names, and
 * strace's own note) are said; mmap2 counts as an unsupported memory call. */
TEST(replay_mmap2_line_is_reported)
{
	(void)sys;
	char *out = NULL, *err = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	const char *text = "[ Process PID=77 runs in 32 bit mode. ]\n"
			   "mmap2(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0xf7ff0000\n"
			   "fstat64(3, {st_mode=S_IFREG|0644, st_size=10, ...}) = 0\n"
			   "read(3, \"\", 10) = 0\n";
	CHECK_EQ(run_text_err(&o, text, &out, &err, &st), 0);
	CHECK(strstr(err, "t:1: warning: strace says the process runs in 32 bit mode: vmspace "
			  "models x86-64 processes only\n") != NULL);
	CHECK(strstr(err, "t:2: warning: mmap2 is a 32-bit (i386) system call: vmspace models "
			  "x86-64 processes only; the call is counted unsupported\n") != NULL);
	CHECK(strstr(err, "t:3: warning: fstat64 is a 32-bit (i386) system call") != NULL);
	CHECK(strstr(err, "read") == NULL);
	CHECK_EQ(st.unsupported, 1);
	CHECK(strcmp(st.reasons[0].text, "a 32-bit (i386) call") == 0);
	CHECK_EQ(st.skipped, 2);
	free(out);
	free(err);
	replay_stats_free(&st);
}

/* strace never prints a number over 64 bits: the line is said, and a
 * memory call that needs the number is unsupported, saying why. */
TEST(replay_number_over_64_bits_is_reported)
{
	(void)sys;
	char *out = NULL, *err = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	const char *text = "munmap(0x123456789012345678901, 4096) = 0\n"
			   "read(3, \"\", 99999999999999999999999) = 0\n"
			   "brk(NULL) = 0x123456789012345678901\n";
	CHECK_EQ(run_text_err(&o, text, &out, &err, &st), 0);
	CHECK(strstr(err, "t:1: warning: munmap: the number 0x123456789012345678901 in argument 1 "
			  "does not fit in 64 bits\n") != NULL);
	CHECK(strstr(err, "t:2: warning: read: the number 99999999999999999999999 in argument 3 "
			  "does not fit in 64 bits\n") != NULL);
	CHECK(strstr(err, "t:3: warning: result value does not fit in 64 bits; line skipped\n") !=
	      NULL);
	CHECK_EQ(st.unsupported, 1);
	CHECK(strcmp(st.reasons[0].text, "a number over 64 bits in argument 1") == 0);
	free(out);
	free(err);
	replay_stats_free(&st);
}

/* --at past the last line prints nothing, and says so. */
TEST(replay_at_past_end_is_reported)
{
	(void)sys;
	char *out = NULL, *err = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	const char *text = "brk(NULL) = 0x555555559000\n"
			   "brk(NULL) = 0x555555559000\n";
	o.at_line = 3;
	CHECK_EQ(run_text_err(&o, text, &out, &err, &st), 0);
	CHECK(strstr(err, "t:2: warning: --at 3 is past the end of the log (its last line is 2); "
			  "no maps printed\n") != NULL);
	CHECK(strstr(out, "==") == NULL);
	free(out);
	free(err);
	replay_stats_free(&st);
	out = err = NULL;
	o.at_line = 2;
	CHECK_EQ(run_text_err(&o, text, &out, &err, &st), 0);
	CHECK(strcmp(err, "") == 0);
	CHECK(strstr(out, "== pid 0 after line 2 ==") != NULL);
	free(out);
	free(err);
	replay_stats_free(&st);
}

/* Without --strict, the first few of a kind are shown, the rest counted. */
TEST(replay_warnings_do_not_flood)
{
	(void)sys;
	char *out = NULL, *err = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	char text[1024] = "brk(NULL) = 0x555555559000\n";
	for (int i = 0; i < 10; i++)
		strcat(text, "not strace\n");
	CHECK_EQ(run_text_err(&o, text, &out, &err, &st), 0);
	CHECK(strstr(err, "t:4: warning: not a system call line; line skipped\n") != NULL);
	CHECK(strstr(err, "t:5:") == NULL);
	CHECK(strstr(err, "t: warning: and 7 more malformed lines, the last on line 11\n") != NULL);
	CHECK_EQ(st.malformed, 10);
	free(out);
	free(err);
	replay_stats_free(&st);
}

/* --strict makes every kind of bad input an error: exit 2, at the first. */
TEST(replay_strict_makes_bad_input_exit_2)
{
	(void)sys;
	static const char *const bad[] = {
		"brk(NULL) = 0x555555559000\n\x01\x02\n",
		"brk(NULL) = 0x555555559000\nnot strace\n",
		("brk(NULL) = 0x555555559000\n"
		 "mmap2(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0xf7ff0000\n"),
		"brk(NULL) = 0x555555559000\nmunmap(0x123456789012345678901, 4096) = 0\n",
		"brk(NULL) = 0x555555559000\nmprotect(0x555555559000, 4096, PROT_BOGUS) = 0\n",
		"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *out = NULL, *err = NULL;
		struct replay_opts o = {0};
		struct replay_stats st;
		int rc;
		o.strict = 1;
		rc = run_text_err(&o, bad[i], &out, &err, &st);
		if (rc != 2 || !strstr(err, ": error: ") || strstr(err, "warning") ||
		    strstr(out, "replayed")) {
			t_fail(__FILE__, __LINE__, "input %zu: rc %d, err '%s', out '%s'", i, rc, err,
			       out);
			free(out);
			free(err);
			replay_stats_free(&st);
			return;
		}
		/* not strict: a warning, and the replay goes on (but for no calls) */
		free(out);
		free(err);
		replay_stats_free(&st);
		out = err = NULL;
		o.strict = 0;
		rc = run_text_err(&o, bad[i], &out, &err, &st);
		CHECK_EQ(rc, bad[i][0] ? 0 : 2);
		free(out);
		free(err);
		replay_stats_free(&st);
	}
	/* --at past the end, too */
	char *out = NULL, *err = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	o.strict = 1;
	o.at_line = 5;
	CHECK_EQ(run_text_err(&o, "brk(NULL) = 0x555555559000\n", &out, &err, &st), 2);
	CHECK(strstr(err, "t:1: error: --at 5 is past the end") != NULL);
	free(out);
	free(err);
	replay_stats_free(&st);
}

/* Initial maps of another run (ASLR) are said at the first call that shows
 * it, with its line: start_brk far from the program's image or inside it,
 * the first mmap far from ld.so and the vDSO, a call that needs mapped
 * memory where nothing is. Maps of the log's own run say nothing. */
TEST(replay_initial_maps_not_matching_the_log_are_reported)
{
	(void)sys;
	static const struct {
		const char *log, *want;
	} cases[] = {
		{"brk(NULL) = 0x564380709000\n",
		 "t:1: warning: the initial maps seem to be of another run than the log (ASLR?): its "
		 "first brk(NULL) returned 0x564380709000, 952.7 GiB above the nearest mapping below "
		 "it in the maps (55555556f000-555555571000 rw-p 0001b000 fe:00 248060 "
		 "/usr/bin/sort)"},
		{"brk(NULL) = 0x555555560000\n",
		 "t:1: warning: the initial maps seem to be of another run than the log (ASLR?): its "
		 "first brk(NULL) returned 0x555555560000, inside 555555557000-555555569000 r-xp "
		 "00003000 fe:00 248060 /usr/bin/sort of the maps"},
		{"brk(NULL) = 0x555555571000\n"
		 "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = "
		 "0x7efc6a74f000\n",
		 "t:2: warning: the initial maps seem to be of another run than the log (ASLR?): its "
		 "first mmap without an address returned 0x7efc6a74f000, 1.0 TiB from every mapping "
		 "of the maps"},
		{"brk(NULL) = 0x555555571000\n"
		 "mprotect(0x5643547b3000, 4096, PROT_READ) = 0\n",
		 "t:2: warning: the initial maps seem to be of another run than the log (ASLR?): "
		 "mprotect at 0x5643547b3000 succeeded in the log, but neither the maps nor an "
		 "earlier call of the log has anything there"},
		{"brk(NULL) = 0x555555571000\n"
		 "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = "
		 "0x7ffff7fc0000\n"
		 "munmap(0x7ffff7fc0000, 8192) = 0\n"
		 "mprotect(0x55555556d000, 8192, PROT_READ) = 0\n"
		 "brk(0x555555592000) = 0x555555592000\n"
		 "madvise(0x555555580000, 4096, MADV_DONTNEED) = 0\n",
		 NULL},
	};
	char *maps = slurp("sort", "initial.maps");
	CHECK(maps != NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = NULL, *err = NULL;
		struct replay_opts o = {0};
		struct replay_stats st;
		o.initial_maps = maps;
		run_text_err(&o, cases[i].log, &out, &err, &st);
		bool ok = cases[i].want ? strstr(err, cases[i].want) != NULL &&
						  strstr(err, "record both in one run") != NULL
					: strcmp(err, "") == 0;
		if (!ok)
			t_fail(__FILE__, __LINE__, "case %zu: %s", i, err);
		free(out);
		free(err);
		replay_stats_free(&st);
		if (!ok)
			break;
		/* and an error with --strict */
		out = err = NULL;
		o.strict = 1;
		int rc = run_text_err(&o, cases[i].log, &out, &err, &st);
		ok = cases[i].want ? rc == 2 && strstr(err, ": error: the initial maps") != NULL
				   : rc != 2;
		if (!ok)
			t_fail(__FILE__, __LINE__, "case %zu, --strict: rc %d: %s", i, rc, err);
		free(out);
		free(err);
		replay_stats_free(&st);
		if (!ok)
			break;
	}
	free(maps);
}

/* A call that failed in the model where it has no VMA says so in its
 * divergence line, and what to do about it; other divergences do not. */
TEST(replay_divergence_without_vma_says_so)
{
	(void)sys;
	char *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	const char *text =
		"mprotect(0x555555569000, 8192, PROT_READ) = 0\n"
		"mmap(0x7f0000000000, 4096, PROT_READ, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = "
		"0x7f0000000000\n"
		"madvise(0x7f0000000000, 8192, MADV_DONTNEED) = 0\n"
		"mprotect(0x7f0000000000, 4096, PROT_NONE) = -1 EACCES (Permission denied)\n"
		"munmap(0x7f0000000001, 4096) = 0\n";
	CHECK_EQ(run_text(&o, text, &out, &st), 1);
	CHECK_EQ(st.diverged, 4);
	CHECK(strstr(out, "line 1: mprotect(0x555555569000, 8192, PROT_READ) = 0 | model: -1 ENOMEM "
			  "(Cannot allocate memory) (the model has no VMA at 0x555555569000: the "
			  "log may lack initial maps; record with scripts/record.sh or pass "
			  "--initial-maps)\n") != NULL);
	/* the first hole of the range */
	CHECK(strstr(out, "line 3: madvise(0x7f0000000000, 8192, MADV_DONTNEED) = 0 | model: -1 "
			  "ENOMEM (Cannot allocate memory) (the model has no VMA at "
			  "0x7f0000001000:") != NULL);
	/* the model had a VMA, or the call is not about one */
	CHECK(strstr(out, "line 4: mprotect(0x7f0000000000, 4096, PROT_NONE) = -1 EACCES "
			  "(Permission denied) | model: 0\n") != NULL);
	CHECK(strstr(out, "line 5: munmap(0x7f0000000001, 4096) = 0 | model: -1 EINVAL (Invalid "
			  "argument)\n") != NULL);
	free(out);
	replay_stats_free(&st);
	/* with initial maps, the maps are the suspects */
	out = NULL;
	char *maps = slurp("sort", "initial.maps");
	CHECK(maps != NULL);
	o.initial_maps = maps;
	CHECK_EQ(run_text(&o, "brk(NULL) = 0x555555571000\n"
			      "mprotect(0x7ffff7f00000, 4096, PROT_READ) = 0\n",
			  &out, &st),
		 1);
	CHECK(strstr(out, "(the model has no VMA at 0x7ffff7f00000: the initial maps may be of "
			  "another run, or the log may leave out the call that mapped it)\n") != NULL);
	free(maps);
	free(out);
	replay_stats_free(&st);
}

/* ---- execve: processes built from their binaries ------------------------- */

/* A file under tests/ or scripts/ of the source tree, wherever the test runs. */
static void source_path(char *buf, size_t size, const char *rel)
{
	const char *slash = strrchr(__FILE__, '/');
	snprintf(buf, size, "%s", rel);
	if (access(buf, F_OK) == 0 || !slash)
		return;
	snprintf(buf, size, "%.*s/../%s", (int)(slash - __FILE__), __FILE__, rel);
}

static char *slurp_path(const char *dir, const char *name)
{
	char path[512];
	char *buf = NULL;
	size_t len;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	if (replay_read_all(f, &buf, &len))
		buf = NULL;
	fclose(f);
	return buf;
}

/*
 * Records cmd live (scripts/record.sh --plain: strace -f -v without -y, ASLR
 * off, the kernel's maps at the first process's exit) and replays the log
 * from its first line with no initial maps: every process is built by
 * vms_execve from its binary, every memory call (execve included) must match
 * and the first process's final maps must equal the kernel's, [stack]
 * included. Returns 1 when it ran, 0 when this host cannot run it (why set).
 */
/* The maps without their [stack] lines (a log does not show the stack's
 * random top). */
static char *without_stack(const char *maps)
{
	char *r = malloc(strlen(maps) + 1), *o = r;
	if (!r)
		return NULL;
	for (const char *l = maps; *l;) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l + 1) : strlen(l);
		if (!(n > 8 && memmem(l, n, "[stack]", 7))) {
			memcpy(o, l, n);
			o += n;
		}
		l += n;
	}
	*o = '\0';
	return r;
}

static int maps_same_but_stack(const char *a, const char *b)
{
	char *x = without_stack(a), *y = without_stack(b);
	int same = x && y && !strcmp(x, y);
	free(x);
	free(y);
	return same;
}

static int exec_workload(const char *name, const char *cwd, const char *cmd, int aslr,
			 char *why, size_t whysz)
{
	char dir[] = "/tmp/vms-exec-XXXXXX", script[512], line[2048];
	if (!mkdtemp(dir)) {
		snprintf(why, whysz, "mkdtemp failed");
		return 0;
	}
	source_path(script, sizeof(script), "scripts/record.sh");
	snprintf(line, sizeof(line), "RECORD_DIR=%s %s %s %s --plain --cwd %s -- %s >%s/log 2>&1",
		 dir, aslr ? "RECORD_ASLR=1" : "", script, name, cwd, cmd, dir);
	int rc = system(line);
	char *trace = slurp_path(dir, "trace.txt"), *final = slurp_path(dir, "final.maps");
	char *settings = slurp_path(dir, "settings"), *outbuf = NULL;
	int ran = 0, keep = 0;
	if (rc != 0 || !trace || !final || !settings) {
		char *log = slurp_path(dir, "log");
		snprintf(why, whysz, "recording %s failed: %.200s", name, log ? log : "");
		free(log);
		goto out;
	}
	struct replay_opts o;
	struct replay_stats st;
	size_t outlen = 0;
	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	replay_load_settings(&o, settings);
	o.name = name;
	o.check = 1;
	o.cwd = cwd;
	o.follow = aslr;
	char *errbuf = NULL;
	size_t errlen = 0;
	FILE *out = open_memstream(&outbuf, &outlen), *errf = open_memstream(&errbuf, &errlen);
	rc = replay_run(&o, trace, strlen(trace), out, errf, &st);
	fclose(out);
	fclose(errf);
	ran = 1;
	if (rc != 0 || st.diverged || st.unsupported || st.matched != st.calls || !st.calls) {
		t_fail(__FILE__, __LINE__, "%s: rc %d, %llu calls, %llu matched, %llu diverged, "
					   "%llu unsupported:\n%s",
		       name, rc, (unsigned long long)st.calls, (unsigned long long)st.matched,
		       (unsigned long long)st.diverged, (unsigned long long)st.unsupported,
		       outbuf ? outbuf : "");
	} else if (!st.final_maps || (aslr ? !maps_same_but_stack(st.final_maps, final)
					   : strcmp(st.final_maps, final) != 0)) {
		char diff[512];
		maps_equal_but_counters(st.final_maps ? st.final_maps : "", final, false, diff,
					sizeof(diff));
		t_fail(__FILE__, __LINE__, "%s: final maps differ from the kernel's: %s (the "
					   "recording is kept in %s)",
		       name, diff, dir);
		printf("%s%s", errbuf ? errbuf : "", outbuf ? outbuf : "");
		keep = 1;
	} else {
		printf("    %s%s: %llu calls matched (%llu processes), final maps equal%s\n", name,
		       aslr ? " (ASLR on, --follow)" : "", (unsigned long long)st.calls,
		       (unsigned long long)st.processes, aslr ? " but for [stack]" : "");
	}
	replay_stats_free(&st);
	free(errbuf);
out:
	free(outbuf);
	free(trace);
	free(final);
	free(settings);
	snprintf(line, sizeof(line), "rm -rf %s", dir);
	if (!keep && system(line) != 0)
		printf("    (could not remove %s)\n", dir);
	return ran;
}

/* Real multi-process workloads: a shell pipeline, make building three C
 * files with gcc (vfork and exec of cc1, as, collect2, ld), a Python
 * multiprocessing pool, ls; each recorded twice: ASLR off with strace -f -v
 * (everything exact), and as users record, ASLR on with plain strace -f,
 * replayed with --follow (the random bases learned from the log; all but
 * the [stack] line exact). Needs strace (scripts/deps.sh installs it). */
SLOW_TEST(replay_exec_workloads_match_the_kernel)
{
	(void)sys;
	char why[512] = "", dir[] = "/tmp/vms-mk-XXXXXX", path[600];
	if (system("command -v strace >/dev/null 2>&1") != 0) {
		t_skip("strace is not installed");
		return;
	}
	if (!mkdtemp(dir)) {
		t_skip("mkdtemp failed");
		return;
	}
	static const char *const srcs[] = {"a.c", "b.c", "c.c"};
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, srcs[i]);
		FILE *f = fopen(path, "w");
		if (f) {
			fprintf(f, "int f_%c(void) { return %d; }\n%s", 'a' + i, i,
				i ? "" : "int main(void) { return 0; }\n");
			fclose(f);
		}
	}
	snprintf(path, sizeof(path), "%s/Makefile", dir);
	FILE *mf = fopen(path, "w");
	if (mf) {
		fprintf(mf, "prog: a.o b.o c.o\n\tgcc -o prog a.o b.o c.o\n"
			    "%%.o: %%.c\n\tgcc -c $<\n");
		fclose(mf);
	}
	snprintf(path, sizeof(path), "%s/pool.py", dir);
	FILE *pf = fopen(path, "w");
	if (pf) {
		fprintf(pf, "from multiprocessing import Pool\n"
			    "def sq(x): return x * x\n"
			    "if __name__ == '__main__':\n"
			    "    with Pool(2) as p: print(sum(p.map(sq, range(100))))\n");
		fclose(pf);
	}
	static const struct {
		const char *name, *prog, *args;
	} w[] = {
	    {"pipeline", "/usr/bin/bash", "-c 'ls /usr | sort | head -3'"},
	    {"make", "/usr/bin/make", "-s -B"},
	    {"pool", "/usr/bin/python3", "pool.py"},
	    {"ls", "/usr/bin/ls", "-la /usr/lib"},
	};
	int ran = 0;
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		char cmd[512];
		if (access(w[i].prog, X_OK) != 0) {
			printf("    %s: %s is not on this host\n", w[i].name, w[i].prog);
			continue;
		}
		snprintf(cmd, sizeof(cmd), "%s %s", w[i].prog, w[i].args);
		for (int aslr = 0; aslr < 2; aslr++) {
			if (exec_workload(w[i].name, dir, cmd, aslr, why, sizeof(why)))
				ran++;
			else
				printf("    %s: %s\n", w[i].name, why);
		}
	}
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path) != 0)
		printf("    (could not remove %s)\n", dir);
	if (!ran)
		t_skip("no workload could be recorded here");
}

/* mseal by name and by number (strace before 6.10: syscall_0x1ce, or
 * syscall_462), and what it refuses afterwards. */
TEST(replay_mseal_by_name_and_number)
{
	char text[1024], *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	long a = first_mmap(sys, 0);
	snprintf(text, sizeof(text),
		 "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = %#lx\n"
		 "syscall_0x1ce(%#lx, 0x1000, 0x1, 0, 0, 0) = -1 EINVAL (Invalid argument)\n"
		 "syscall_0x1ce(%#lx, 0x1000, 0, 0, 0, 0xd) = 0\n"
		 "syscall_462(%#lx, 0x2000, 0, 0, 0, 0) = -1 ENOMEM (Cannot allocate memory)\n"
		 "mseal(%#lx, 4096, 0) = 0\n"
		 "munmap(%#lx, 4096) = -1 EPERM (Operation not permitted)\n"
		 "madvise(%#lx, 4096, MADV_DONTNEED) = -1 EPERM (Operation not permitted)\n",
		 a, a, a, a, a, a, a);
	CHECK_EQ(run_text(&o, text, &out, &st), 0);
	CHECK_EQ(st.calls, 7);
	CHECK_EQ(st.matched, 7);
	free(out);
	replay_stats_free(&st);
}

/* mincore's vector is checked where the model knows it: a page the model
 * maps must be resident in the log; one it does not map may be either (the
 * log shows no touches). EFAULT for a vector address cannot be checked. */
TEST(replay_mincore_vector_is_checked_where_known)
{
	char text[1024], *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	long a = first_mmap(sys, 0);
	snprintf(text, sizeof(text),
		 "mmap(NULL, 16384, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE, "
		 "-1, 0) = %#lx\n"
		 "mincore(%#lx, 16384, [1, 1, 1, 1]) = 0\n"
		 "madvise(%#lx, 8192, MADV_DONTNEED) = 0\n"
		 "mincore(%#lx, 16384, [1, 0, 1, 1]) = 0\n"
		 "mincore(%#lx, 16384, [0, 0, 0, 1]) = 0\n"
		 "mincore(%#lx, 4096, 0x7ffd767b8d68) = -1 EFAULT (Bad address)\n"
		 "mincore(%#lx, 20480, 0x7ffd767b8d68) = -1 ENOMEM (Cannot allocate memory)\n",
		 a - 0x3000, a - 0x3000, a - 0x3000, a - 0x3000, a - 0x3000, a - 0x3000,
		 a - 0x3000);
	o.list_unsupported = 1;
	CHECK_EQ(run_text(&o, text, &out, &st), 1);
	CHECK_EQ(st.matched, 5);
	CHECK_EQ(st.diverged, 1);
	CHECK_EQ(st.unsupported, 1);
	char want[160];
	snprintf(want, sizeof(want), "| model: 0, with page 2 (%#lx) resident\n", a - 0x1000);
	CHECK(strstr(out, want) != NULL);
	CHECK(strstr(out, "line 6: mincore: EFAULT for a vector address the model does not "
			  "check\n") != NULL);
	free(out);
	replay_stats_free(&st);
}

/* A pidfd names its process: from pidfd_open (getpid names the caller in a
 * log without pids), from -yy's "<pid:N>", or PIDFD_SELF_THREAD; a process
 * that exited is ESRCH; a pidfd the log does not explain is unsupported. */
TEST(replay_pidfds_name_the_process)
{
	char text[2048], *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	long a = first_mmap(sys, 0);
	snprintf(text, sizeof(text),
		 "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE, "
		 "-1, 0) = %#lx\n"
		 "getpid() = 500\n"
		 "pidfd_open(500, 0) = 3\n"
		 "process_madvise(3, [{iov_base=%#lx, iov_len=4096}], 1, MADV_DONTNEED, 0) = 4096\n"
		 "process_madvise(-10000, [{iov_base=%#lx, iov_len=5}], 1, MADV_COLD, 0) = 5\n"
		 "process_madvise(3, NULL, 1, MADV_COLD, 0) = -1 EFAULT (Bad address)\n"
		 "process_madvise(3, [], 0, MADV_COLD, 0x1) = -1 EINVAL (Invalid argument)\n"
		 "process_mrelease(3, 0) = -1 EINVAL (Invalid argument)\n"
		 "process_madvise(4<pid:500>, [], 0, 77, 0) = 0\n"
		 "process_madvise(5<anon_inode:[pidfd]>, [], 0, MADV_COLD, 0) = 0\n"
		 "pidfd_open(900, 0) = 6\n"
		 "process_mrelease(6, 0) = -1 ESRCH (No such process)\n"
		 "process_madvise(3, [{iov_base=%#lx, iov_len=4096}, ...], 40, MADV_COLD, 0) = "
		 "4096\n"
		 "mincore(%#lx, 4096, [0]) = 0\n",
		 a, a, a, a, a);
	o.list_unsupported = 1;
	CHECK_EQ(run_text(&o, text, &out, &st), 0);
	CHECK_EQ(st.matched, 8);
	CHECK_EQ(st.unsupported, 3);
	CHECK(strstr(out, "line 10: process_madvise: a pidfd whose process the log does not "
			  "name (strace -yy names it)\n") != NULL);
	CHECK(strstr(out, "line 12: process_mrelease: a pidfd of a process the log does not "
			  "show\n") != NULL);
	CHECK(strstr(out, "line 13: process_madvise: the iovec array is cut short in the log "
			  "(strace -s)\n") != NULL);
	free(out);
	replay_stats_free(&st);
}

/* msync and remap_file_pages as strace prints them (MAP_FILE is 0). */
TEST(replay_msync_and_remap_file_pages)
{
	char text[1024], *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	long a = first_mmap(sys, 0);
	snprintf(text, sizeof(text),
		 "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0) = %#lx\n"
		 "msync(%#lx, 4096, MS_SYNC) = 0\n"
		 "msync(%#lx, 4096, MS_SYNC|MS_ASYNC) = -1 EINVAL (Invalid argument)\n"
		 "msync(%#lx, 4096, 0x8 /* MS_??? */) = -1 EINVAL (Invalid argument)\n"
		 "msync(%#lx, 8192, MS_ASYNC) = -1 ENOMEM (Cannot allocate memory)\n"
		 "remap_file_pages(%#lx, 4096, PROT_NONE, 3, MAP_FILE) = 0\n"
		 "remap_file_pages(%#lx, 4096, PROT_READ, 3, MAP_FILE|MAP_NONBLOCK) = -1 EINVAL "
		 "(Invalid argument)\n",
		 a, a, a, a, a, a, a);
	CHECK_EQ(run_text(&o, text, &out, &st), 0);
	CHECK_EQ(st.calls, 7);
	CHECK_EQ(st.matched, 7);
	free(out);
	replay_stats_free(&st);
}

/* System V segments take the log's ids (kernel.shm_next_id), so later calls
 * and the maps' inode numbers follow the log; shm_nattch is checked. */
TEST(replay_shm_segments_follow_the_log)
{
	char text[2048], *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	uint64_t top = (uint64_t)first_mmap(sys, 0) + 4096;
	snprintf(text, sizeof(text),
		 "shmget(IPC_PRIVATE, 10000, IPC_CREAT|0600) = 7\n"
		 "shmget(0x1234, 5000, IPC_CREAT|0644) = 32770\n"
		 "shmat(7, NULL, 0) = %#llx\n"
		 "shmctl(7, IPC_STAT, {shm_perm={uid=0, gid=0, mode=0600, key=0, cuid=0, cgid=0}, "
		 "shm_segsz=10000, shm_nattch=1}) = 0\n"
		 "shmctl(7, IPC_STAT, {shm_perm={uid=0, gid=0, mode=0600, key=0, cuid=0, cgid=0}, "
		 "shm_segsz=10000, shm_nattch=2}) = 0\n"
		 "shmat(32770, NULL, SHM_RDONLY) = %#llx\n"
		 "shmdt(%#llx) = 0\n"
		 "shmctl(32770, IPC_RMID, NULL) = 0\n"
		 "shmctl(7, IPC_RMID, NULL) = 0\n"
		 "shmget(0x4321, 0, 0) = 3\n",
		 (unsigned long long)top - 3 * 4096, (unsigned long long)top - 5 * 4096,
		 (unsigned long long)top - 5 * 4096);
	o.print_maps = 1;
	o.list_unsupported = 1;
	int rc = run_text(&o, text, &out, &st);
	CHECK_EQ(rc, 1);
	CHECK_EQ(st.matched, 8);
	CHECK_EQ(st.diverged, 1);
	CHECK_EQ(st.unsupported, 1);
	CHECK(strstr(out, "shm_nattch=2}) = 0 | model: 0 {shm_nattch=1}") != NULL);
	CHECK(strstr(out, "line 10: shmget: a segment made before the log started") != NULL);
	char want[256];
	snprintf(want, sizeof(want), "%012llx-%012llx rw-s 00000000 00:01 7",
		 (unsigned long long)top - 3 * 4096, (unsigned long long)top);
	CHECK(strstr(out, want) != NULL);
	CHECK(strstr(out, "/SYSV00000000 (deleted)\n") != NULL);
	free(out);
	replay_stats_free(&st);
}

/* memfd_create, O_TMPFILE and /dev/zero as strace -y prints them: the maps
 * name each as the kernel does, and the model's memfd takes the log's inode
 * number; seals and sizes are checked. */
TEST(replay_memfd_tmpfile_and_dev_zero_are_named_as_the_kernel_does)
{
	char text[4096], *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	uint64_t top = (uint64_t)first_mmap(sys, 0) + 4096;
	snprintf(text, sizeof(text),
		 "memfd_create(\"x\", MFD_CLOEXEC|MFD_ALLOW_SEALING) = 3</memfd:x>(deleted)\n"
		 "ftruncate(3</memfd:x>(deleted), 8192) = 0\n"
		 "fstat(3</memfd:x>(deleted), {st_dev=makedev(0, 0x1), st_ino=777, "
		 "st_mode=S_IFREG|0777, st_size=8192, ...}) = 0\n"
		 "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_SHARED, 3</memfd:x>(deleted), 0) = %#llx\n"
		 "fcntl(3</memfd:x>(deleted), F_ADD_SEALS, F_SEAL_WRITE) = -1 EBUSY (Device or "
		 "resource busy)\n"
		 "fcntl(3</memfd:x>(deleted), F_ADD_SEALS, F_SEAL_GROW) = 0\n"
		 "ftruncate(3</memfd:x>(deleted), 16384) = -1 EPERM (Operation not permitted)\n"
		 "fcntl(3</memfd:x>(deleted), F_GET_SEALS) = 0x4 (seals F_SEAL_GROW)\n"
		 "openat(AT_FDCWD, \"/tmp\", O_RDWR|O_TMPFILE, 0600) = 4</tmp/#99>(deleted)\n"
		 "ftruncate(4</tmp/#99>(deleted), 4096) = 0\n"
		 "fstat(4</tmp/#99>(deleted), {st_dev=makedev(0x8, 0x1), st_ino=99, "
		 "st_mode=S_IFREG|0600, st_size=4096, ...}) = 0\n"
		 "mmap(NULL, 4096, PROT_READ, MAP_SHARED, 4</tmp/#99>(deleted), 0) = %#llx\n"
		 "openat(AT_FDCWD, \"/dev/zero\", O_RDWR) = 5</dev/zero>\n"
		 "fstat(5</dev/zero>, {st_dev=makedev(0, 0x6), st_ino=4, st_mode=S_IFCHR|0666, "
		 "st_rdev=makedev(0x1, 0x5), ...}) = 0\n"
		 "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE, 5</dev/zero>, 0x3000) = %#llx\n"
		 "openat(AT_FDCWD, \"/dev/null\", O_RDWR) = 6</dev/null>\n"
		 "fstat(6</dev/null>, {st_dev=makedev(0, 0x6), st_ino=5, st_mode=S_IFCHR|0666, "
		 "st_rdev=makedev(0x1, 0x3), ...}) = 0\n"
		 "mmap(NULL, 8192, PROT_READ, MAP_SHARED, 6</dev/null>, 0) = -1 ENODEV (No such device)\n",
		 (unsigned long long)top - 2 * 4096, (unsigned long long)top - 3 * 4096,
		 (unsigned long long)top - 5 * 4096);
	o.print_maps = 1;
	int rc = run_text(&o, text, &out, &st);
	CHECK_EQ(rc, 0);
	CHECK_EQ(st.diverged, 0);
	CHECK_EQ(st.unsupported, 0);
	CHECK_EQ(st.matched, 11);
	CHECK(strstr(out, "rw-s 00000000 00:01 777 ") && strstr(out, " /memfd:x (deleted)\n"));
	CHECK(strstr(out, "r--s 00000000 08:01 99 ") && strstr(out, " /tmp/#99 (deleted)\n"));
	CHECK(strstr(out, "rw-p 00003000 00:06 4 ") && strstr(out, " /dev/zero\n"));
	free(out);
	replay_stats_free(&st);
}

/* --smaps prints each process's smaps (after its maps with --maps), and
 * --smaps-rollup its rollup; a process that exited shows them at its exit. */
TEST(replay_smaps_prints_each_process_smaps)
{
	char text[512], *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	long a = first_mmap(sys, 0);
	snprintf(text, sizeof(text),
		 "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = %#lx\n"
		 "madvise(%#lx, 4096, MADV_DONTDUMP) = 0\n",
		 a, a);
	o.print_maps = 1;
	o.print_smaps = 1;
	o.print_smaps_rollup = 1;
	CHECK_EQ(run_text(&o, text, &out, &st), 0);
	char head[64];
	snprintf(head, sizeof(head), "%012lx-%012lx rw-p 00000000 00:00 0 \n", a, a + 4096);
	const char *maps = strstr(out, head);
	CHECK(maps != NULL);
	const char *smaps = maps ? strstr(maps + 1, head) : NULL;
	CHECK(smaps != NULL);
	if (smaps) {
		CHECK(strncmp(smaps + strlen(head), "Size:                  4 kB\n", 28) == 0);
		CHECK(strstr(smaps, "VmFlags: rd wr mr mw me ac dd \n") != NULL);
		CHECK(strstr(smaps, "[rollup]\nRss:") != NULL);
	}
	free(out);
	replay_stats_free(&st);
}

/* --check's table: a row per system call name, most calls first (ties by
 * name), matched/diverged/unsupported split by name as in the summary line,
 * the calls with nothing to compare (openat, fork's pid) under "other", and
 * a total; the summary line before it is unchanged. */
TEST(replay_check_table_counts_each_call_by_name)
{
	char text[1024], *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	long a = first_mmap(sys, 0), b = first_mmap(sys, 1);
	snprintf(text, sizeof(text),
		 "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = %#lx\n"
		 "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = %#lx\n"
		 "openat(AT_FDCWD, \"/nonexistent\", O_RDONLY) = -1 ENOENT (No such file or directory)\n"
		 "mprotect(%#lx, 4096, PROT_READ|PROT_WRITE) = -1 ENOMEM (Cannot allocate memory)\n"
		 "munmap(%#lx, 4096) = ?\n",
		 a, b + 0x1000, a, a);
	o.table = 1;
	CHECK_EQ(run_text(&o, text, &out, &st), 1);
	if (!strstr(out, "replayed 4 calls: 1 matched, 2 diverged, 1 unsupported\n"))
		printf("%s", out);
	CHECK(strstr(out, "replayed 4 calls: 1 matched, 2 diverged, 1 unsupported\n") != NULL);
	const char *want =
	    "syscall                       calls    matched   diverged unsupported      other\n"
	    "mmap                              2          1          1           0          0\n"
	    "mprotect                          1          0          1           0          0\n"
	    "munmap                            1          0          0           1          0\n"
	    "openat                            1          0          0           0          1\n"
	    "total                             5          1          2           1          1\n";
	CHECK(out && strstr(out, want) != NULL);
	if (out && !strstr(out, want))
		printf("%s", out);
	/* the rows are in the stats for callers */
	int rows = 0;
	for (int i = 0; i < st.nnames; i++)
		if (!strcmp(st.names[i].name, "mmap")) {
			CHECK_EQ(st.names[i].matched, 1);
			CHECK_EQ(st.names[i].diverged, 1);
			rows++;
		}
	CHECK_EQ(rows, 1);
	free(out);
	replay_stats_free(&st);
	/* without the table (the library's default): the summary ends the output */
	o.table = 0;
	out = NULL;
	CHECK_EQ(run_text(&o, text, &out, &st), 1);
	CHECK(out && strstr(out, "syscall ") == NULL);
	free(out);
	replay_stats_free(&st);
}

/* kernel/sys.c prctl_set_vma(): an option other than PR_SET_VMA_ANON_NAME
 * is EINVAL, checked like any other result. Found by the breadth test. */
TEST(replay_pr_set_vma_unknown_option_is_einval)
{
	char text[512], *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	long a = first_mmap(sys, 0);
	snprintf(text, sizeof(text),
		 "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = %#lx\n"
		 "prctl(PR_SET_VMA, 0x1 /* PR_SET_VMA_??? */, %#lx, 4096, \"x\") = -1 EINVAL "
		 "(Invalid argument)\n"
		 "prctl(PR_SET_VMA, 0x1 /* PR_SET_VMA_??? */, %#lx, 4096, \"x\") = 0\n",
		 a, a, a);
	CHECK_EQ(run_text(&o, text, &out, &st), 1);
	CHECK_EQ(st.matched, 2);
	CHECK_EQ(st.diverged, 1);
	CHECK_EQ(st.unsupported, 0);
	free(out);
	replay_stats_free(&st);
}

/* A descriptor the log closed (or a negative one) is known not to be open:
 * mmap of it is EBADF (after sys_mmap()'s offset check), and so are
 * ftruncate, fallocate, fcntl and process_madvise; one the log never showed
 * may have been inherited, so a call on it stays unsupported. Found by the
 * breadth test. */
TEST(replay_closed_fd_is_ebadf_unknown_fd_is_unsupported)
{
	(void)sys;
	char text[1024], *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	snprintf(text, sizeof(text),
		 "openat(AT_FDCWD, \"/dev/zero\", O_RDWR) = 3\n"
		 "close(3) = 0\n"
		 "mmap(NULL, 4096, PROT_READ, MAP_SHARED, 3, 0) = -1 EBADF (Bad file descriptor)\n"
		 "mmap(NULL, 4096, PROT_READ, MAP_SHARED, 3, 0x10) = -1 EINVAL (Invalid argument)\n"
		 "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, -1, 0) = -1 EBADF (Bad file descriptor)\n"
		 "fcntl(3, F_GET_SEALS) = -1 EBADF (Bad file descriptor)\n"
		 "ftruncate(3, 4096) = -1 EBADF (Bad file descriptor)\n"
		 "ftruncate(3, -1) = -1 EINVAL (Invalid argument)\n"
		 "fallocate(-1, 0, 0, 4096) = -1 EBADF (Bad file descriptor)\n"
		 "fcntl(7, F_GET_SEALS) = -1 EBADF (Bad file descriptor)\n");
	CHECK_EQ(run_text(&o, text, &out, &st), 0);
	CHECK_EQ(st.matched, 7);
	CHECK_EQ(st.unsupported, 1);
	free(out);
	replay_stats_free(&st);
}

/* do_sys_ftruncate(): a descriptor of something other than a regular file
 * (/dev/zero, a directory) is EINVAL, mapped yet or not. Found by the
 * breadth test. */
TEST(replay_ftruncate_of_a_device_is_einval)
{
	(void)sys;
	char *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	const char *text = "openat(AT_FDCWD, \"/dev/zero\", O_RDWR) = 3\n"
			   "ftruncate(3, 0) = -1 EINVAL (Invalid argument)\n"
			   "openat(AT_FDCWD, \"/tmp\", O_RDONLY|O_DIRECTORY) = 4\n"
			   "ftruncate(4, 0) = -1 EINVAL (Invalid argument)\n";
	if (access("/dev/zero", F_OK)) {
		t_skip("no /dev/zero here");
		return;
	}
	CHECK_EQ(run_text(&o, text, &out, &st), 0);
	CHECK_EQ(st.matched, 2);
	free(out);
	replay_stats_free(&st);
}

/* mm/mempolicy.c get_nodes(): maxnode over a page of bits is EINVAL before
 * the mask is read; strace prints as many words as it read, more than the
 * replay keeps, and the call is still checked. Found by the breadth test. */
TEST(replay_node_mask_over_a_page_of_bits_is_einval)
{
	(void)sys;
	static char text[1 << 20];
	char *out = NULL;
	struct replay_opts o = {0};
	struct replay_stats st;
	size_t n = (size_t)snprintf(text, sizeof(text), "set_mempolicy(MPOL_BIND, [0x00000000000001");
	for (int i = 1; i < 16384 && n + 32 < sizeof(text); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, ", 0000000000000000");
	snprintf(text + n, sizeof(text) - n, "], 1048576) = -1 EINVAL (Invalid argument)\n");
	CHECK_EQ(run_text(&o, text, &out, &st), 0);
	CHECK_EQ(st.matched, 1);
	CHECK_EQ(st.unsupported, 0);
	free(out);
	replay_stats_free(&st);
}
