/*
 * test_strace_parse.c: the strace output parser of `vmspace replay`
 * (cli/strace_parse.c): recorded traces in tests/data/strace/ parse without a
 * malformed line and join without orphans, and focused cases check each form
 * strace prints. The parser lives in cli/, which build/unit does not link, so
 * it is included here as part of this translation unit.
 */
#include "../cli/strace_parse.c"

#include "t.h"

/* Parses one line into l, reusing its memory (freed by the caller). */
static int parse1(const char *text, struct strace_line *l, char *err, size_t errsz)
{
	return strace_parse_line(text, l, err, errsz);
}

/* Opens a recorded trace whether the tests run from the top directory or
 * elsewhere (then relative to this source file). */
static FILE *open_trace(const char *name)
{
	char path[512];
	const char *slash = strrchr(__FILE__, '/');
	FILE *f;

	snprintf(path, sizeof(path), "tests/data/strace/%s", name);
	f = fopen(path, "r");
	if (f || !slash)
		return f;
	snprintf(path, sizeof(path), "%.*s/data/strace/%s", (int)(slash - __FILE__), __FILE__,
		 name);
	return fopen(path, "r");
}

struct trace_stats {
	int lines, malformed, calls, joined, orphans, abandoned, signals, exits, bad_join;
	int first_bad_line;
	char first_bad[160];
};

/* Reads a whole trace through the reader, parser and joiner. */
static int run_trace(const char *name, enum strace_order order, struct trace_stats *st)
{
	struct strace_reader r;
	struct strace_line l;
	struct strace_event ev;
	struct strace_joiner *j = strace_joiner_new(order);
	char err[128];
	const char *t;
	int ln, last_start = -1;
	uint64_t last_seq = 0;
	FILE *f = open_trace(name);

	memset(st, 0, sizeof(*st));
	memset(&ev, 0, sizeof(ev));
	strace_line_init(&l);
	if (!f || !j) {
		if (f)
			fclose(f);
		strace_joiner_free(j);
		return -1;
	}
	strace_reader_init(&r, f);
	for (int done = 0; !done;) {
		t = strace_reader_next(&r, &ln);
		if (t) {
			st->lines++;
			if (strace_parse_line(t, &l, err, sizeof(err))) {
				if (!st->malformed++) {
					st->first_bad_line = ln;
					snprintf(st->first_bad, sizeof(st->first_bad), "%s", err);
				}
				continue;
			}
			l.lineno = ln;
			st->calls += l.kind == SL_CALL;
			if (strace_joiner_feed(j, &l))
				st->bad_join++;
		} else {
			strace_joiner_finish(j);
			done = 1;
		}
		while (strace_joiner_next(j, &ev, err, sizeof(err)) == 1) {
			st->joined += ev.line.kind == SL_CALL;
			st->orphans += ev.orphan;
			st->abandoned += ev.abandoned;
			st->signals += ev.line.kind == SL_SIGNAL;
			st->exits += ev.line.kind == SL_EXIT;
			st->bad_join += ev.line.kind == SL_MALFORMED;
			/* the chosen order holds */
			if (order == STRACE_ORDER_START && (int64_t)ev.start_seq <= last_start)
				st->bad_join++;
			if (order == STRACE_ORDER_COMPLETION && ev.end_seq != last_seq)
				st->bad_join++;
			last_start = (int)ev.start_seq;
			last_seq = ev.end_seq + 1;
		}
	}
	strace_event_free(&ev);
	strace_line_free(&l);
	strace_joiner_free(j);
	strace_reader_free(&r);
	fclose(f);
	return 0;
}

static const char *const traces[] = {
	"ls_f_o.txt",                /* -f -o: "1234  " pids */
	"threads_tt_T_y.txt",        /* -tt -T -y, threads, unfinished pairs */
	"threads_ttt_v_crash.txt",   /* -ttt -v: makedev stats, SIGSEGV, killed */
	"threads_stderr_t_crash.txt", /* -t to stderr: [pid N], split lines */
	"threads_stderr_r_qq.txt",   /* -r -qq to stderr */
};

TEST(parse_every_line_of_recorded_traces)
{
	(void)sys;
	for (size_t i = 0; i < sizeof(traces) / sizeof(traces[0]); i++) {
		for (int order = 0; order < 2; order++) {
			struct trace_stats st;
			if (run_trace(traces[i], (enum strace_order)order, &st)) {
				t_fail(__FILE__, __LINE__, "cannot open %s", traces[i]);
				return;
			}
			if (st.malformed) {
				t_fail(__FILE__, __LINE__, "%s:%d: %s", traces[i], st.first_bad_line,
				       st.first_bad);
				return;
			}
			CHECK(st.lines > 50);
			CHECK(st.joined > st.calls / 2);
			CHECK(st.joined >= st.calls);
			CHECK_EQ(st.orphans, 0);
			CHECK_EQ(st.abandoned, 0);
			CHECK_EQ(st.bad_join, 0);
			/* -qq leaves out the exit lines */
			CHECK(st.exits >= 1 || strstr(traces[i], "_qq"));
		}
	}
}

TEST(parse_recorded_crash_trace_has_signal_and_kill)
{
	struct trace_stats st;
	(void)sys;
	CHECK(run_trace("threads_ttt_v_crash.txt", STRACE_ORDER_COMPLETION, &st) == 0);
	CHECK_EQ(st.signals, 1);
	CHECK(st.exits >= 5); /* four threads, the process, the forked child */
}

TEST(parse_mmap_symbolic_flags)
{
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("7631  mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f3b90a4c000",
		     &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.kind, SL_CALL);
	CHECK(strcmp(l.name, "mmap") == 0);
	CHECK_EQ(l.pid, 7631);
	CHECK_EQ(l.nargs, 6);
	CHECK_EQ(l.args[0].v.kind, SV_NULL);
	CHECK_EQ(l.args[0].v.num, 0);
	CHECK_EQ(l.args[1].v.num, 8192);
	CHECK_EQ(l.args[2].v.num, VMS_PROT_READ | VMS_PROT_WRITE);
	CHECK_EQ(l.args[3].v.num, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS);
	CHECK_EQ((int)l.args[4].v.num, -1);
	CHECK(l.args[4].v.has_num);
	CHECK(strcmp(l.args[3].v.raw, "MAP_PRIVATE|MAP_ANONYMOUS") == 0);
	CHECK(l.has_result);
	CHECK_EQ(l.result, 0x7f3b90a4c000LL);
	CHECK_EQ(l.nwarn, 0);
	CHECK(l.timestamp < 0 && l.duration < 0);
	strace_line_free(&l);
}

TEST(parse_mmap_numeric_flag_bits_and_prot_comment)
{
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("mmap(NULL, 4096, PROT_READ|PROT_WRITE|0x10, MAP_PRIVATE|MAP_ANONYMOUS|0x40000, -1, 0) = 0x7f4ade5c1000",
		     &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.args[2].v.num, 0x13);
	CHECK_EQ(l.args[3].v.num, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | 0x40000);
	CHECK(parse1("mmap(0x10000, 4096, 0x3 /* PROT_??? */, MAP_SHARED|MAP_FIXED, 3, 0x1000) = 0x10000",
		     &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.args[2].v.num, 3);
	CHECK(l.args[2].v.has_num);
	CHECK_EQ(l.args[3].v.num, VMS_MAP_SHARED | VMS_MAP_FIXED);
	CHECK_EQ(l.args[5].v.num, 0x1000);
	strace_line_free(&l);
}

TEST(parse_huge_page_size_encodings)
{
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|21<<MAP_HUGE_SHIFT, -1, 0) = -1 ENOMEM (Cannot allocate memory)",
		     &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.args[3].v.num,
		 VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_HUGETLB | VMS_MAP_HUGE_2MB);
	CHECK(parse1("mmap(NULL, 1073741824, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|MAP_HUGE_1GB, -1, 0) = 0x40000000",
		     &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.args[3].v.num,
		 VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_HUGETLB | VMS_MAP_HUGE_1GB);
	strace_line_free(&l);
}

TEST(parse_error_result_with_errno_text)
{
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("mmap(NULL, 70368744177664, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = -1 ENOMEM (Cannot allocate memory)",
		     &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.args[1].v.num, 70368744177664LL);
	CHECK(l.has_result && !l.result_unknown);
	CHECK_EQ(l.result, -VMS_ENOMEM);
	CHECK(strcmp(l.errname, "ENOMEM") == 0);
	CHECK(l.result_note && strcmp(l.result_note, "Cannot allocate memory") == 0);
	/* an errno strace has no name for */
	CHECK(parse1("munmap(0x1000, 4096) = -1 E??? (errno 1234)", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.result, -1234);
	/* seccomp-injected errors carry a second note */
	CHECK(parse1("mprotect(0x1000, 4096, PROT_READ) = -1 EPERM (Operation not permitted) (INJECTED)",
		     &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.result, -VMS_EPERM);
	strace_line_free(&l);
}

TEST(parse_unknown_result_and_restart_errno)
{
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("12213 1795461445.866189 exit_group(3)   = ?", &l, err, sizeof(err)) == 0);
	CHECK(l.has_result && l.result_unknown);
	CHECK_EQ(l.args[0].v.num, 3);
	CHECK(parse1("[pid  7] futex(0x7f, FUTEX_WAIT_PRIVATE, 2, NULL) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)",
		     &l, err, sizeof(err)) == 0);
	CHECK(l.result_unknown);
	CHECK(strcmp(l.errname, "ERESTARTSYS") == 0);
	CHECK_EQ(l.result, -512);
	CHECK(parse1("[pid 9] <... exit resumed>) = ? <unavailable>", &l, err, sizeof(err)) == 0);
	CHECK(l.result_unknown);
	strace_line_free(&l);
}

TEST(parse_large_hex_result_is_unsigned_address)
{
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("mremap(0xffffffffff600000, 4096, 8192, MREMAP_MAYMOVE) = 0xfffffffffffff000", &l, err,
		     sizeof(err)) == 0);
	CHECK_EQ((uint64_t)l.result, 0xfffffffffffff000ULL);
	CHECK_EQ(l.args[0].v.num, 0xffffffffff600000ULL);
	CHECK_EQ(l.args[3].v.num, VMS_MREMAP_MAYMOVE);
	/* does not fit in 64 bits: not a number */
	CHECK(parse1("brk(0x1ffffffffffffffff) = 0", &l, err, sizeof(err)) == 0);
	CHECK(!l.args[0].v.has_num);
	CHECK(parse1("brk(NULL) = 0x1ffffffffffffffff", &l, err, sizeof(err)) == -1);
	strace_line_free(&l);
}

TEST(parse_pid_prefix_and_ttt_timestamp)
{
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("7672  1795460937.855928 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x15ce63600000",
		     &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.pid, 7672);
	CHECK_EQ(l.ts_kind, STRACE_TS_EPOCH);
	CHECK(l.timestamp > 1795460937.855927 && l.timestamp < 1795460937.855929);
	CHECK(strcmp(l.name, "mmap") == 0);
	strace_line_free(&l);
}

TEST(parse_bracket_pid_and_clock_timestamps)
{
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("[pid  7692] 19:08:57 munmap(0x7f0000000000, 131072) = 0", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.pid, 7692);
	CHECK_EQ(l.ts_kind, STRACE_TS_CLOCK);
	CHECK(l.timestamp == 19 * 3600 + 8 * 60 + 57);
	CHECK(parse1("[pid 11] 12:34:56.123456 brk(NULL) = 0x1000 <0.000012>", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.pid, 11);
	CHECK(l.timestamp > 45296.123455 && l.timestamp < 45296.123457);
	CHECK(l.duration > 0.0000119 && l.duration < 0.0000121);
	/* --decode-pids=comm */
	CHECK(parse1("[pid 12<worker>] brk(NULL) = 0x1000", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.pid, 12);
	CHECK(parse1("13<a b> 12:00:00 brk(NULL) = 0x1000", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.pid, 13);
	CHECK_EQ(l.ts_kind, STRACE_TS_CLOCK);
	CHECK(parse1("12:34:56.123456 brk(NULL) = 0x1000", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.pid, 0);
	CHECK_EQ(l.ts_kind, STRACE_TS_CLOCK);
	strace_line_free(&l);
}

TEST(parse_relative_timestamp)
{
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("     0.000123 brk(NULL)                 = 0x556719c31000", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.pid, 0);
	CHECK_EQ(l.ts_kind, STRACE_TS_RELATIVE);
	CHECK(l.timestamp > 0.0001229 && l.timestamp < 0.0001231);
	CHECK_EQ(l.result, 0x556719c31000LL);
	CHECK(parse1("[pid  7683]      0.000128 <... mprotect resumed>) = 0", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.kind, SL_RESUMED);
	CHECK_EQ(l.pid, 7683);
	CHECK_EQ(l.ts_kind, STRACE_TS_RELATIVE);
	strace_line_free(&l);
}

TEST(parse_rlimit_star_expression)
{
	struct strace_line l;
	char err[128];
	const struct strace_val *f;
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("7657  prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0",
		     &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.nargs, 4);
	CHECK_EQ(l.args[1].v.num, VMS_RLIMIT_STACK);
	CHECK_EQ(l.args[2].v.kind, SV_NULL);
	CHECK_EQ(l.args[3].v.kind, SV_STRUCT);
	f = strace_arg_field(&l.args[3], "rlim_cur");
	CHECK(f && f->has_num);
	CHECK_EQ(f->num, 8192 * 1024);
	f = strace_arg_field(&l.args[3], "rlim_max");
	CHECK(f && f->has_num);
	CHECK(f->num == VMS_RLIM_INFINITY);
	CHECK(parse1("setrlimit(RLIMIT_AS, {rlim_cur=RLIM_INFINITY, rlim_max=1073741824}) = 0", &l, err,
		     sizeof(err)) == 0);
	CHECK(strace_arg_field(&l.args[1], "rlim_cur")->num == VMS_RLIM_INFINITY);
	CHECK_EQ(strace_arg_field(&l.args[1], "rlim_max")->num, 1073741824);
	strace_line_free(&l);
}

TEST(parse_stat_struct_with_makedev)
{
	struct strace_line l;
	char err[128];
	const struct strace_val *f;
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("12201 1795461445.857678 newfstatat(3, \"\", {st_dev=makedev(0xfe, 0x12345), st_ino=794, "
		     "st_mode=S_IFREG|0644, st_nlink=1, st_uid=0, st_gid=0, st_blksize=4096, st_blocks=88, "
		     "st_size=41491, st_atime=1795459975 /* 2026-11-23T18:52:55.698451243+0000 */, "
		     "st_atime_nsec=698451243, st_rdev=makedev(0x1000, 0x3)}, AT_EMPTY_PATH) = 0",
		     &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.nargs, 4);
	CHECK_EQ(l.args[1].v.kind, SV_STR);
	CHECK_EQ(l.args[1].v.str_len, 0);
	f = strace_val_field(&l.args[2].v, "st_dev");
	CHECK(f && f->has_num);
	CHECK_EQ(strace_dev_major(f->num), 0xfe);
	CHECK_EQ(strace_dev_minor(f->num), 0x12345);
	f = strace_val_field(&l.args[2].v, "st_rdev");
	CHECK_EQ(strace_dev_major(f->num), 0x1000);
	CHECK_EQ(strace_dev_minor(f->num), 3);
	CHECK_EQ(strace_val_field(&l.args[2].v, "st_ino")->num, 794);
	CHECK_EQ(strace_val_field(&l.args[2].v, "st_mode")->num, 0100644);
	CHECK_EQ(strace_val_field(&l.args[2].v, "st_size")->num, 41491);
	CHECK_EQ(strace_val_field(&l.args[2].v, "st_atime")->num, 1795459975);
	CHECK(!l.args[2].v.elided);
	CHECK_EQ(l.args[3].v.num, 0x1000);
	strace_line_free(&l);
}

TEST(parse_stat_struct_abbreviated)
{
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("fstat(3, {st_mode=S_IFDIR|0755, st_size=4096, ...}) = 0", &l, err, sizeof(err)) == 0);
	CHECK(l.args[1].v.elided);
	CHECK_EQ(l.args[1].v.nfields, 2);
	CHECK_EQ(strace_val_field(&l.args[1].v, "st_mode")->num, 040755);
	CHECK(strace_val_field(&l.args[1].v, "st_ino") == NULL);
	strace_line_free(&l);
}

TEST(parse_statx_nested_struct)
{
	struct strace_line l;
	char err[128];
	const struct strace_val *f;
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("statx(AT_FDCWD, \"/etc\", AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW, STATX_ALL, "
		     "{stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFDIR|0755, "
		     "stx_size=4096, stx_atime={tv_sec=1700000000, tv_nsec=0} /* 2023-11-14 */, "
		     "stx_dev_major=254, stx_dev_minor=0}) = 0",
		     &l, err, sizeof(err)) == 0);
	CHECK_EQ((int64_t)l.args[0].v.num, -100);
	CHECK_EQ(l.args[2].v.num, 0x100);
	f = strace_val_field(&l.args[4].v, "stx_atime");
	CHECK(f && f->kind == SV_STRUCT);
	CHECK_EQ(strace_val_field(f, "tv_sec")->num, 1700000000);
	CHECK_EQ(strace_val_field(&l.args[4].v, "stx_dev_major")->num, 254);
	CHECK_EQ(strace_val_field(&l.args[4].v, "stx_mask")->num, 0x17ff);
	strace_line_free(&l);
}

/* strace -y marks an unlinked file after its path: "3</memfd:x>(deleted)". */
TEST(parse_y_deleted_files)
{
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("memfd_create(\"demo\", MFD_CLOEXEC|MFD_ALLOW_SEALING) = 3</memfd:demo>(deleted)",
		     &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.result, 3);
	CHECK(l.result_fd_path && strcmp(l.result_fd_path, "/memfd:demo") == 0);
	CHECK_EQ(l.result_fd_deleted, 1);
	CHECK(parse1("mmap(NULL, 12288, PROT_READ, MAP_SHARED, 3</memfd:demo>(deleted), 0) = 0x7f0000000000",
		     &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.args[4].v.num, 3);
	CHECK(strcmp(l.args[4].v.fd_path, "/memfd:demo") == 0);
	CHECK_EQ(l.args[4].v.fd_deleted, 1);
	CHECK(parse1("openat(AT_FDCWD, \"/tmp\", O_RDWR|O_TMPFILE, 0600) = 5</tmp/#12>(deleted)", &l, err,
		     sizeof(err)) == 0);
	CHECK_EQ(l.args[2].v.num, 2 | 020200000);
	CHECK(strcmp(l.result_fd_path, "/tmp/#12") == 0);
	CHECK(parse1("shmctl(5, IPC_STAT, {shm_perm={uid=0, gid=0, mode=01644, key=0, cuid=0, cgid=0}, "
		     "shm_segsz=5000, shm_nattch=1}) = 0",
		     &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.args[1].v.num, 2);
	CHECK(parse1("fcntl(3</memfd:demo>(deleted), F_ADD_SEALS, F_SEAL_EXEC|F_SEAL_WRITE) = 0", &l, err,
		     sizeof(err)) == 0);
	CHECK_EQ(l.args[2].v.num, 0x28);
	strace_line_free(&l);
}

TEST(parse_y_decorated_fds)
{
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("7662  19:08:57.816137 openat(AT_FDCWD</tmp/st>, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3</etc/ld.so.cache> <0.000060>",
		     &l, err, sizeof(err)) == 0);
	CHECK_EQ((int64_t)l.args[0].v.num, -100);
	CHECK(l.args[0].v.fd_path && strcmp(l.args[0].v.fd_path, "/tmp/st") == 0);
	CHECK(strcmp(l.args[1].v.str, "/etc/ld.so.cache") == 0);
	CHECK_EQ(l.args[2].v.num, 02000000);
	CHECK_EQ(l.result, 3);
	CHECK(l.result_fd_path && strcmp(l.result_fd_path, "/etc/ld.so.cache") == 0);
	CHECK(l.duration > 0.0000599 && l.duration < 0.0000601);
	CHECK(parse1("mmap(NULL, 4096, PROT_READ, MAP_SHARED, 3</usr/lib/x86_64-linux-gnu/libc.so.6>, 0) = 0x7f0000000000",
		     &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.args[4].v.num, 3);
	CHECK(strcmp(l.args[4].v.fd_path, "/usr/lib/x86_64-linux-gnu/libc.so.6") == 0);
	/* -yy: a device node and a socket with "->" inside */
	CHECK(parse1("mmap(NULL, 4096, PROT_READ, MAP_SHARED, 4</dev/zero<char 1:5>>, 0) = 0x7f0000000000",
		     &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.args[4].v.num, 4);
	CHECK(strcmp(l.args[4].v.fd_path, "/dev/zero<char 1:5>") == 0);
	CHECK(parse1("close(5<TCP:[127.0.0.1:80->127.0.0.1:5678]>) = 0", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.args[0].v.num, 5);
	/* a comma in a path does not split the arguments */
	CHECK(parse1("fstat(6</tmp/a,b>, {st_mode=S_IFREG|0600, st_size=0, ...}) = 0", &l, err,
		     sizeof(err)) == 0);
	CHECK_EQ(l.nargs, 2);
	CHECK(strcmp(l.args[0].v.fd_path, "/tmp/a,b") == 0);
	strace_line_free(&l);
}

TEST(parse_string_escapes_and_truncation)
{
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, 0x7fface0cd000, 8192, \"my heap\\t\\\"x\\\"\") = -1 EINVAL (Invalid argument) <0.000099>",
		     &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.args[0].v.num, 0x53564d41);
	CHECK_EQ(l.args[1].v.num, 0);
	CHECK(l.args[1].v.has_num);
	CHECK_EQ(l.args[4].v.kind, SV_STR);
	CHECK(strcmp(l.args[4].v.str, "my heap\t\"x\"") == 0);
	CHECK(!l.args[4].v.str_truncated);
	CHECK_EQ(l.result, -VMS_EINVAL);
	CHECK(parse1("write(1, \"a\\0b\\377\\x41\\n, (\"..., 4096) = 4096", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.nargs, 3);
	CHECK_EQ(l.args[1].v.str_len, 9);
	CHECK(memcmp(l.args[1].v.str, "a\0b\377A\n, (", 9) == 0);
	CHECK(l.args[1].v.str_truncated);
	CHECK(parse1("prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, 0x1000, 4096, NULL) = 0", &l, err,
		     sizeof(err)) == 0);
	CHECK_EQ(l.args[4].v.kind, SV_NULL);
	strace_line_free(&l);
}

TEST(parse_open_flags_and_octal_mode)
{
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("openat(AT_FDCWD, \"/tmp/f\", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644) = 4", &l, err,
		     sizeof(err)) == 0);
	CHECK_EQ(l.args[2].v.num, 01 | 0100 | 01000 | 02000000);
	CHECK_EQ(l.args[3].v.num, 0644);
	CHECK(parse1("open(\"/dev/shm/x\", O_RDWR|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, 0600) = 3", &l, err,
		     sizeof(err)) == 0);
	CHECK_EQ(l.args[1].v.num, 02 | 0100 | 0200 | 0400000 | 02000000);
	CHECK(parse1("openat(AT_FDCWD, \"/\", O_RDONLY|O_PATH|O_DIRECTORY) = 5", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.args[2].v.num, 010000000 | 0200000);
	CHECK(parse1("fcntl(3</etc/passwd>, F_DUPFD_CLOEXEC, 10) = 11</etc/passwd>", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.args[1].v.num, 1030);
	CHECK_EQ(l.result, 11);
	strace_line_free(&l);
}

TEST(parse_clone3_struct_with_exit_value)
{
	struct strace_line l;
	char err[128];
	const struct strace_val *f;
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("7662  19:08:57.822739 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7f4ade3d1990, parent_tid=0x7f4ade3d1990, exit_signal=0, stack=0x7f4addbd1000, stack_size=0x7fff80, tls=0x7f4ade3d16c0} => {parent_tid=[7663]}, 88) = 7663 <0.000158>",
		     &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.nargs, 2);
	CHECK(l.args[0].out != NULL);
	f = strace_val_field(&l.args[0].v, "flags");
	CHECK(f && f->has_num);
	CHECK_EQ(f->num, 0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000 | 0x80000 | 0x100000 |
				 0x200000);
	/* the exit value wins: the child's tid */
	f = strace_arg_field(&l.args[0], "parent_tid");
	CHECK(f && f->kind == SV_ARRAY && f->has_num);
	CHECK_EQ(f->num, 7663);
	CHECK_EQ(strace_val_field(&l.args[0].v, "parent_tid")->num, 0x7f4ade3d1990LL);
	CHECK_EQ(strace_arg_field(&l.args[0], "stack_size")->num, 0x7fff80);
	CHECK_EQ(l.args[1].v.num, 88);
	CHECK_EQ(l.result, 7663);
	strace_line_free(&l);
}

TEST(parse_clone_named_args_with_exit_signal)
{
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f4ade3d2a10) = 7667",
		     &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.nargs, 3);
	CHECK(l.args[0].name && strcmp(l.args[0].name, "child_stack") == 0);
	CHECK_EQ(l.args[0].v.kind, SV_NULL);
	CHECK(strcmp(l.args[1].name, "flags") == 0);
	CHECK_EQ(l.args[1].v.num, 0x200000 | 0x1000000 | 17);
	CHECK_EQ(l.args[2].v.num, 0x7f4ade3d2a10LL);
	CHECK(parse1("clone(child_stack=0x7f00, flags=CLONE_VM|CLONE_VFORK|SIGCHLD) = 99", &l, err,
		     sizeof(err)) == 0);
	CHECK_EQ(l.args[1].v.num, 0x100 | 0x4000 | 17);
	strace_line_free(&l);
}

TEST(parse_execve_arrays_and_comment)
{
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("7657  execve(\"/usr/bin/setarch\", [\"setarch\", \"x86_64\", \"-R\", \"/bin/ls\"], 0x7ffcf426f578 /* 37 vars */) = 0",
		     &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.nargs, 3);
	CHECK(strcmp(l.args[0].v.str, "/usr/bin/setarch") == 0);
	CHECK_EQ(l.args[1].v.kind, SV_ARRAY);
	CHECK_EQ(l.args[1].v.nfields, 4);
	CHECK(strcmp(l.args[1].v.fields[3].v.str, "/bin/ls") == 0);
	CHECK(!l.args[1].v.has_num);
	CHECK_EQ(l.args[2].v.num, 0x7ffcf426f578LL);
	CHECK(strcmp(l.args[2].v.raw, "0x7ffcf426f578 /* 37 vars */") == 0);
	CHECK(parse1("execve(\"./a\", [\"./a\"], [\"PATH=/bin\", \"X=a, b\"...]) = 0", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.args[2].v.nfields, 2);
	CHECK(l.args[2].v.fields[1].v.str_truncated);
	CHECK(parse1("execve(\"./a\", [\"./a\"], [/* 3 vars */]) = 0", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.args[2].v.kind, SV_ARRAY);
	strace_line_free(&l);
}

TEST(parse_unfinished_and_resumed_lines)
{
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("[pid  7693] 19:08:57 mprotect(0x7f1e8e594000, 4096, PROT_NONE <unfinished ...>", &l, err,
		     sizeof(err)) == 0);
	CHECK_EQ(l.kind, SL_UNFINISHED);
	CHECK_EQ(l.nargs, 3);
	CHECK_EQ(l.args[2].v.num, 0);
	CHECK(l.args[2].v.has_num);
	CHECK(!l.has_result);
	CHECK(strncmp(l.text + l.join_off, "<unfinished", 11) == 0);
	/* the trailing comma of a call cut after its first argument */
	CHECK(parse1("read(3,  <unfinished ...>", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.nargs, 1);
	CHECK(parse1("[pid  7692] <... clone3 resumed> => {parent_tid=[7664]}, 88) = 7664 <0.000149>", &l, err,
		     sizeof(err)) == 0);
	CHECK_EQ(l.kind, SL_RESUMED);
	CHECK(strcmp(l.name, "clone3") == 0);
	CHECK_EQ(l.result, 7664);
	CHECK(strcmp(l.text + l.join_off, " => {parent_tid=[7664]}, 88) = 7664 <0.000149>") == 0);
	strace_line_free(&l);
}

/* Feeds lines (numbered from 1) and collects the events. */
static int join_lines(const char *const *lines, int n, enum strace_order order,
		      struct strace_event *evs, int max)
{
	struct strace_joiner *j = strace_joiner_new(order);
	struct strace_line l;
	char err[128];
	int k = 0;

	strace_line_init(&l);
	for (int i = 0; i <= n; i++) {
		if (i < n) {
			if (strace_parse_line(lines[i], &l, err, sizeof(err)))
				continue;
			l.lineno = i + 1;
			strace_joiner_feed(j, &l);
		} else {
			strace_joiner_finish(j);
		}
		while (k < max && strace_joiner_next(j, &evs[k], err, sizeof(err)) == 1)
			k++;
	}
	strace_line_free(&l);
	strace_joiner_free(j);
	return k;
}

static void free_events(struct strace_event *evs, int n)
{
	for (int i = 0; i < n; i++)
		strace_event_free(&evs[i]);
}

TEST(parse_unfinished_resumed_pair)
{
	static const char *const lines[] = {
		"[pid  7693] 19:08:57.100000 mprotect(0x7f1e8e594000, 4096, PROT_NONE <unfinished ...>",
		"[pid  7692] 19:08:57.200000 munmap(0x7f0000000000, 8192) = 0",
		"[pid  7692] 19:08:57.300000 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>",
		"[pid  7693] 19:08:57.400000 <... mprotect resumed>) = 0 <0.300000>",
		"[pid  7692] 19:08:57.500000 <... mmap resumed>) = 0x7f0000000000",
	};
	struct strace_event ev[8];
	int n;
	(void)sys;
	memset(ev, 0, sizeof(ev));
	n = join_lines(lines, 5, STRACE_ORDER_COMPLETION, ev, 8);
	CHECK_EQ(n, 3);
	/* completion order: munmap, mprotect, mmap */
	CHECK(strcmp(ev[0].line.name, "munmap") == 0);
	CHECK(strcmp(ev[1].line.name, "mprotect") == 0);
	CHECK(strcmp(ev[2].line.name, "mmap") == 0);
	CHECK_EQ(ev[1].line.kind, SL_CALL);
	CHECK_EQ(ev[1].pid, 7693);
	CHECK_EQ(ev[1].start_lineno, 1);
	CHECK_EQ(ev[1].end_lineno, 4);
	CHECK_EQ(ev[1].line.nargs, 3);
	CHECK_EQ(ev[1].line.result, 0);
	CHECK(ev[1].line.duration > 0.29 && ev[1].line.duration < 0.31);
	CHECK(ev[1].start_ts > 68937.09 && ev[1].start_ts < 68937.11);
	CHECK(ev[1].end_ts > 68937.39 && ev[1].end_ts < 68937.41);
	CHECK_EQ(ev[1].start_seq, 0);
	CHECK_EQ(ev[1].end_seq, 1);
	CHECK_EQ(ev[0].start_seq, 1);
	CHECK_EQ(ev[2].start_seq, 2);
	CHECK_EQ(ev[2].line.nargs, 6);
	CHECK_EQ(ev[2].line.args[3].v.num, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS);
	CHECK_EQ(ev[2].line.result, 0x7f0000000000LL);
	CHECK(!ev[2].abandoned && !ev[2].orphan);
	free_events(ev, n);
}

TEST(parse_joiner_start_order_waits_for_unfinished)
{
	static const char *const lines[] = {
		"11 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>",
		"12 munmap(0x1000, 4096) = 0",
		"12 brk(NULL) = 0x5000",
		"11 <... mmap resumed>) = 0x7f0000000000",
	};
	struct strace_event ev[8];
	int n;
	(void)sys;
	memset(ev, 0, sizeof(ev));
	n = join_lines(lines, 4, STRACE_ORDER_START, ev, 8);
	CHECK_EQ(n, 3);
	CHECK(strcmp(ev[0].line.name, "mmap") == 0);
	CHECK(strcmp(ev[1].line.name, "munmap") == 0);
	CHECK(strcmp(ev[2].line.name, "brk") == 0);
	CHECK_EQ(ev[0].end_seq, 2);
	CHECK_EQ(ev[1].end_seq, 0);
	free_events(ev, n);
}

TEST(parse_joiner_abandons_call_of_exited_thread)
{
	static const char *const lines[] = {
		"21 madvise(0x1000, 4096, MADV_DONTNEED <unfinished ...>",
		"21 +++ killed by SIGKILL +++",
		"22 <... munmap resumed>) = 0",
		"23 mlock(0x1000, 4096 <unfinished ...>",
	};
	struct strace_event ev[8];
	int n;
	(void)sys;
	memset(ev, 0, sizeof(ev));
	n = join_lines(lines, 4, STRACE_ORDER_COMPLETION, ev, 8);
	CHECK_EQ(n, 4);
	CHECK(ev[0].abandoned);
	CHECK_EQ(ev[0].line.kind, SL_UNFINISHED);
	CHECK_EQ(ev[0].line.args[2].v.num, VMS_MADV_DONTNEED);
	CHECK_EQ(ev[0].end_lineno, 2);
	CHECK_EQ(ev[1].line.kind, SL_EXIT);
	CHECK_EQ(ev[1].line.signo, 9);
	CHECK(ev[2].orphan);
	CHECK_EQ(ev[2].line.kind, SL_RESUMED);
	CHECK(ev[3].abandoned);
	free_events(ev, n);
}

/* Without -o, strace drops the pid prefix while one process is traced. */
TEST(parse_joiner_resolves_unprefixed_pids)
{
	static const char *const lines[] = {
		"brk(NULL) = 0x5000",
		"clone3({flags=CLONE_VM|CLONE_THREAD, exit_signal=0} => {parent_tid=[101]}, 88) = 101",
		"[pid   100] mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000",
		"[pid   101] mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>",
		"[pid   100] +++ exited with 0 +++",
		"<... mmap resumed>) = 0x7f0000100000",
		"+++ exited with 0 +++",
	};
	struct strace_event ev[8];
	int n;
	(void)sys;
	memset(ev, 0, sizeof(ev));
	n = join_lines(lines, 7, STRACE_ORDER_COMPLETION, ev, 8);
	CHECK_EQ(n, 6);
	CHECK_EQ(ev[0].pid, 0);   /* the first process, its pid not yet printed */
	CHECK_EQ(ev[1].pid, 0);
	CHECK_EQ(ev[2].pid, 0);   /* [pid 100] is that first process */
	CHECK_EQ(ev[3].pid, 0);   /* its exit */
	CHECK_EQ(ev[4].pid, 101); /* the unprefixed resume is the only thread left */
	CHECK(strcmp(ev[4].line.name, "mmap") == 0 && !ev[4].orphan);
	CHECK_EQ(ev[4].line.args[1].v.num, 8192);
	CHECK_EQ(ev[5].pid, 101);
	free_events(ev, n);
}

TEST(parse_joiner_execve_superseded_thread)
{
	static const char *const lines[] = {
		"[pid   201] execve(\"/bin/true\", [\"true\"], 0x7ffc /* 3 vars */ <unfinished ...>",
		"[pid   200] +++ superseded by execve in pid 201 +++",
		"[pid   200] <... execve resumed>) = 0",
	};
	struct strace_event ev[8];
	int n;
	(void)sys;
	memset(ev, 0, sizeof(ev));
	n = join_lines(lines, 3, STRACE_ORDER_COMPLETION, ev, 8);
	CHECK_EQ(n, 2);
	CHECK_EQ(ev[0].line.kind, SL_EXIT);
	CHECK_EQ(ev[0].line.exit_kind, STRACE_SUPERSEDED);
	CHECK_EQ(ev[0].line.superseded_by, 201);
	CHECK_EQ(ev[1].line.kind, SL_CALL);
	CHECK(strcmp(ev[1].line.name, "execve") == 0 && !ev[1].orphan);
	CHECK_EQ(ev[1].pid, 200);
	CHECK(strcmp(ev[1].line.args[0].v.str, "/bin/true") == 0);
	free_events(ev, n);
}

TEST(parse_signal_lines)
{
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("7672  1795460937.883906 --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x8} ---",
		     &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.kind, SL_SIGNAL);
	CHECK(strcmp(l.name, "SIGSEGV") == 0);
	CHECK_EQ(l.signo, 11);
	CHECK_EQ(strace_arg_field(&l.args[0], "si_addr")->num, 8);
	CHECK_EQ(strace_arg_field(&l.args[0], "si_code")->num, 1);
	CHECK(parse1("--- stopped by SIGSTOP ---", &l, err, sizeof(err)) == 0);
	CHECK(l.stopped);
	CHECK_EQ(l.signo, 19);
	CHECK(parse1("--- SIGRT_2 {si_signo=SIGRT_2, si_code=SI_QUEUE, si_pid=5, si_uid=0, si_int=0} ---", &l,
		     err, sizeof(err)) == 0);
	CHECK_EQ(l.signo, 34);
	strace_line_free(&l);
}

TEST(parse_exit_lines)
{
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("7677  1795460937.884578 +++ exited with 3 +++", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.kind, SL_EXIT);
	CHECK_EQ(l.exit_kind, STRACE_EXITED);
	CHECK_EQ(l.exit_status, 3);
	CHECK_EQ(l.pid, 7677);
	CHECK(parse1("+++ killed by SIGKILL +++", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.exit_kind, STRACE_KILLED);
	CHECK_EQ(l.signo, 9);
	CHECK(!l.core_dumped);
	CHECK(parse1("[pid 5] +++ killed by SIGSEGV (core dumped) +++", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.signo, 11);
	CHECK(l.core_dumped);
	CHECK(parse1("+++ exited with +++", &l, err, sizeof(err)) == -1);
	strace_line_free(&l);
}

TEST(parse_unknown_flag_name_is_reported_not_fatal)
{
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("futex(0x7f00, FUTEX_WAIT_PRIVATE, 2, NULL) = 0", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.kind, SL_CALL);
	CHECK_EQ(l.nargs, 4);
	CHECK(!l.args[1].v.has_num);
	CHECK(l.args[1].v.bad_name && strcmp(l.args[1].v.bad_name, "FUTEX_WAIT_PRIVATE") == 0);
	CHECK_EQ(l.nwarn, 1);
	CHECK(strstr(l.warn, "FUTEX_WAIT_PRIVATE") && strstr(l.warn, "argument 2"));
	CHECK(parse1("mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_BOGUS, -1, 0) = 0x1000", &l, err,
		     sizeof(err)) == 0);
	CHECK(strcmp(l.args[3].v.bad_name, "MAP_BOGUS") == 0);
	CHECK_EQ(l.result, 0x1000);
	strace_line_free(&l);
}

/* strace never prints a number over 64 bits: an argument with one keeps its
 * text, has no number, and the line says where it is; a result with one
 * makes the line malformed, saying why. */
TEST(parse_number_over_64_bits_is_flagged)
{
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("munmap(0x123456789012345678901, 4096) = 0", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.kind, SL_CALL);
	CHECK(!l.args[0].v.has_num);
	CHECK(l.args[0].v.too_big && strcmp(l.args[0].v.too_big, "0x123456789012345678901") == 0);
	CHECK(l.too_big && strcmp(l.too_big, "0x123456789012345678901") == 0);
	CHECK_EQ(l.too_big_arg, 1);
	CHECK(l.args[1].v.has_num && l.args[1].v.num == 4096);
	/* the largest that fits, and one more */
	CHECK(parse1("munmap(18446744073709551615, 4096) = 0", &l, err, sizeof(err)) == 0);
	CHECK(l.args[0].v.has_num && l.args[0].v.num == UINT64_MAX && !l.too_big);
	CHECK(parse1("munmap(18446744073709551616, 4096) = 0", &l, err, sizeof(err)) == 0);
	CHECK(!l.args[0].v.has_num && l.too_big_arg == 1);
	/* inside a struct */
	CHECK(parse1("prlimit64(0, RLIMIT_STACK, {rlim_cur=99999999999999999999999, rlim_max=1}, "
		     "NULL) = 0",
		     &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.too_big_arg, 3);
	CHECK(strcmp(l.too_big, "99999999999999999999999") == 0);
	/* in the result */
	CHECK(parse1("brk(NULL) = 0x123456789012345678901", &l, err, sizeof(err)) == -1);
	CHECK(strstr(err, "64 bits") != NULL);
	strace_line_free(&l);
}

/* strace notes a change of ABI on a line of its own; it is not a call. */
TEST(parse_32bit_mode_note_is_other)
{
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("[ Process PID=1234 runs in 32 bit mode. ]", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.kind, SL_OTHER);
	CHECK(parse1("1234  [ Process PID=1234 runs in 32 bit mode. ]", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.kind, SL_OTHER);
	CHECK_EQ(l.pid, 1234);
	CHECK(parse1("[ Process PID=1234 runs in 32 bit mode.", &l, err, sizeof(err)) == -1);
	strace_line_free(&l);
}

TEST(parse_other_lines)
{
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	CHECK(parse1("strace: Process 7693 attached", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.kind, SL_OTHER);
	CHECK(parse1("", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.kind, SL_OTHER);
	CHECK(parse1("   \r\n", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.kind, SL_OTHER);
	CHECK(parse1(" > /usr/lib/x86_64-linux-gnu/libc.so.6(__mmap+0x27) [0xfe4a7]", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.kind, SL_OTHER);
	CHECK(parse1("restart_syscall(<... resuming interrupted read ...>) = 0\n", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.kind, SL_CALL);
	CHECK_EQ(l.args[0].v.kind, SV_OTHER);
	strace_line_free(&l);
}

TEST(parse_garbage_line_is_malformed_not_crash)
{
	static const char *const bad[] = {
		"hello world",
		"mmap(",
		"mmap(NULL, 4096",
		"mmap(NULL, \"unterminated) = 0",
		"mmap(NULL, 4096) = ",
		"mmap(NULL, 4096) = 0x",
		"mmap(NULL, 4096) = 0 trailing words",
		"mmap(NULL, {4096) = 0",
		"mmap(NULL, 4096}) = 0",
		"mmap(NULL, [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]) = 0",
		"[pid 12 mmap(NULL) = 0",
		"[pid 99999999999] mmap(NULL) = 0",
		"12:3 mmap(NULL) = 0",
		"1.x mmap(NULL) = 0",
		"<... mmap resumed",
		"<... mmap resumed> = 0",
		"<... > = 0",
		"+++ exploded +++",
		"+++ exited with 1",
		"--- SIGSEGV {si_signo=SIGSEGV",
		"----",
		"a_very_long_system_call_name_that_does_not_fit(1) = 0",
		"mmap(NULL) = 0 <0.0.1>",
		"mmap(NULL) = 0 <unterminated",
		"mmap(NULL) = -1 ENOMEM (unterminated",
		"= 0",
		"(",
		")",
		"\"",
		"[pid",
		"[pid 5]",
		"123 ",
		"mmap(3</path) = 0",
		"mmap(/* comment) = 0",
	};
	struct strace_line l;
	char err[128];
	(void)sys;
	strace_line_init(&l);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (strace_parse_line(bad[i], &l, err, sizeof(err)) != -1 || l.kind != SL_MALFORMED ||
		    !err[0]) {
			t_fail(__FILE__, __LINE__, "not malformed: %s", bad[i]);
			break;
		}
	}
	/* no err buffer, NULL text */
	CHECK(strace_parse_line("((((", &l, NULL, 0) == -1);
	CHECK(strace_parse_line(NULL, &l, NULL, 0) == 0);
	CHECK_EQ(l.kind, SL_OTHER);
	strace_line_free(&l);
}

TEST(parse_many_arguments_and_deep_nesting_are_bounded)
{
	struct strace_line l;
	char err[128], text[4096];
	size_t o = 0;
	(void)sys;
	strace_line_init(&l);
	o += (size_t)snprintf(text + o, sizeof(text) - o, "x(");
	for (int i = 0; i < 12; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%s%d", i ? ", " : "", i);
	snprintf(text + o, sizeof(text) - o, ") = 0");
	CHECK(parse1(text, &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.nargs, STRACE_MAX_ARGS);
	CHECK_EQ(l.args_dropped, 4);
	CHECK_EQ(l.args[7].v.num, 7);
	/* structs nested past the parsed depth stay raw text */
	CHECK(parse1("x({a={b={c={d={e={f={g={h={i={j=1}}}}}}}}}}) = 0", &l, err, sizeof(err)) == 0);
	CHECK_EQ(l.args[0].v.kind, SV_STRUCT);
	strace_line_free(&l);
}

TEST(parse_reader_glues_line_split_by_attach_message)
{
	static const char text[] =
		"19:08:57 clone3({flags=CLONE_VM, exit_signal=0}strace: Process 7693 attached\n"
		" => {parent_tid=[7693]}, 88) = 7693\n"
		"[pid 7692] 19:08:57 mprotect(0x7f0000000000, 4096, PROT_NONEstrace: Process 7694 attached\n"
		") = 0\r\n"
		"19:08:57 +++ exited with 0 +++";
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	struct strace_reader r;
	struct strace_line l;
	char err[128];
	const char *t;
	int ln;
	(void)sys;
	CHECK(f != NULL);
	strace_reader_init(&r, f);
	strace_line_init(&l);
	t = strace_reader_next(&r, &ln);
	CHECK(t && strcmp(t, "strace: Process 7693 attached") == 0 && ln == 1);
	t = strace_reader_next(&r, &ln);
	CHECK(t && ln == 1);
	CHECK(strace_parse_line(t, &l, err, sizeof(err)) == 0);
	CHECK(strcmp(l.name, "clone3") == 0);
	CHECK_EQ(l.result, 7693);
	CHECK_EQ(strace_arg_field(&l.args[0], "parent_tid")->num, 7693);
	t = strace_reader_next(&r, &ln);
	CHECK(t && strstr(t, "7694 attached") && ln == 3);
	t = strace_reader_next(&r, &ln);
	CHECK(t && ln == 3);
	CHECK(strace_parse_line(t, &l, err, sizeof(err)) == 0);
	CHECK(strcmp(l.name, "mprotect") == 0);
	CHECK_EQ(l.args[2].v.num, 0);
	t = strace_reader_next(&r, &ln);
	CHECK(t && ln == 5 && strcmp(t, "19:08:57 +++ exited with 0 +++") == 0);
	CHECK(strace_reader_next(&r, &ln) == NULL);
	strace_line_free(&l);
	strace_reader_free(&r);
	fclose(f);
}

TEST(parse_name_tables)
{
	uint64_t v;
	(void)sys;
	CHECK(strace_symbol_value("MADV_DONTNEED", &v) == 0 && v == VMS_MADV_DONTNEED);
	CHECK(strace_symbol_value("MADV_GUARD_INSTALL", &v) == 0 && v == VMS_MADV_GUARD_INSTALL);
	CHECK(strace_symbol_value("MREMAP_DONTUNMAP", &v) == 0 && v == VMS_MREMAP_DONTUNMAP);
	CHECK(strace_symbol_value("RLIMIT_MEMLOCK", &v) == 0 && v == VMS_RLIMIT_MEMLOCK);
	CHECK(strace_symbol_value("MAP_FIXED_NOREPLACE", &v) == 0 && v == VMS_MAP_FIXED_NOREPLACE);
	CHECK(strace_symbol_value("CLONE_THREAD", &v) == 0 && v == 0x10000);
	CHECK(strace_symbol_value("S_IFCHR", &v) == 0 && v == 020000);
	CHECK(strace_symbol_value("PROT_", &v) == -1);
	CHECK(strace_symbol_value("", &v) == -1);
	CHECK_EQ(strace_errno_value("ENOMEM"), VMS_ENOMEM);
	CHECK_EQ(strace_errno_value("EOVERFLOW"), VMS_EOVERFLOW);
	CHECK_EQ(strace_errno_value("ENOMEMX"), -1);
	CHECK_EQ(strace_signal_value("SIGBUS"), 7);
	CHECK_EQ(strace_signal_value("SIGRT_32"), 64);
	CHECK_EQ(strace_signal_value("SIGRT_33"), -1);
}

/* Only memory calls' arguments are wanted here (as by the replay). */
static int want_mem(const char *name)
{
	return !strcmp(name, "mmap") || !strcmp(name, "munmap");
}

/* strace_parse_line_some() leaves the arguments of unwanted calls and a
 * signal's siginfo unread, but checks them as the full parser does: the
 * same kind, result, errno and errors, and too_big where a number may not
 * fit 64 bits. */
TEST(parse_some_leaves_unwanted_arguments_unread_but_checked)
{
	static const char *const lines[] = {
		"read(3, \"\\177ELF\\2\\1\\1\\3\\0\\0\\0\\0\\0\\0\\0\\0\\3\\0>\\0\"..., 832) = 832",
		"wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 4124",
		"rt_sigprocmask(SIG_SETMASK, [], NULL, 8) = 0",
		"123 read(3,  <unfinished ...>",
		"read(3, \"\", 99999999999999999999999) = 0",
		"read(3, {a=1, b=[2}, 4) = 0",
		"read(3, \"abc, 4) = 0",
		"read(3, [1, 2], 4 = 0",
		"--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=4125, si_uid=0} ---",
		"--- SIGSEGV {si_signo=SIGSEGV, si_addr=0x123456789012345678901} ---",
		"mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff7fc0000",
	};
	(void)sys;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct strace_line full, some;
		char ef[128], es[128];
		strace_line_init(&full);
		strace_line_init(&some);
		int rf = strace_parse_line(lines[i], &full, ef, sizeof(ef));
		int rs = strace_parse_line_some(lines[i], &some, es, sizeof(es), want_mem);
		CHECK_EQ(rf, rs);
		CHECK_EQ(full.kind, some.kind);
		CHECK_EQ(full.result, some.result);
		CHECK_EQ(full.has_result, some.has_result);
		CHECK(strcmp(full.errname, some.errname) == 0);
		CHECK(strcmp(full.name, some.name) == 0);
		CHECK(strcmp(ef, es) == 0);
		CHECK((full.too_big == NULL) == (some.too_big == NULL));
		if (full.too_big && some.too_big)
			CHECK(strcmp(full.too_big, some.too_big) == 0);
		if (some.args_skipped)
			CHECK_EQ(some.nargs, 0);
		strace_line_free(&full);
		strace_line_free(&some);
	}
	struct strace_line l;
	strace_line_init(&l);
	CHECK_EQ(strace_parse_line_some(lines[0], &l, NULL, 0, want_mem), 0);
	CHECK(l.args_skipped);
	CHECK_EQ(l.result, 832);
	CHECK_EQ(strace_parse_line_some(lines[8], &l, NULL, 0, want_mem), 0);
	CHECK(l.args_skipped);
	CHECK_EQ(l.signo, 17);
	/* a number past 64 bits: read in full, so its warning is kept */
	CHECK_EQ(strace_parse_line_some(lines[4], &l, NULL, 0, want_mem), 0);
	CHECK(!l.args_skipped);
	CHECK_EQ(l.too_big_arg, 3);
	CHECK_EQ(strace_parse_line_some(lines[10], &l, NULL, 0, want_mem), 0);
	CHECK(!l.args_skipped);
	CHECK_EQ(l.nargs, 6);
	CHECK_EQ(l.args[1].v.num, 8192);
	strace_line_free(&l);
}

/* A complete line the caller reads itself takes the places in start and
 * completion order the joiner would have given it, only for a live pid the
 * joiner gives as printed and while nothing waits to be handed out. */
TEST(parse_joiner_pass_by_takes_the_lines_places)
{
	struct strace_joiner *j = strace_joiner_new(STRACE_ORDER_COMPLETION);
	struct strace_line l;
	struct strace_event ev;
	uint64_t s = 0, e = 0;
	(void)sys;
	strace_line_init(&l);
	memset(&ev, 0, sizeof(ev));
	CHECK(j != NULL);
	/* 10 is not known yet: it must be fed */
	CHECK_EQ(strace_joiner_pass_by(j, 10, &s, &e), 0);
	CHECK_EQ(parse1("10 vfork( <unfinished ...>", &l, NULL, 0), 0);
	CHECK_EQ(strace_joiner_feed_take(j, &l), 0);
	CHECK_EQ(parse1("11 execve(\"/bin/true\", [\"true\"], []) = 0", &l, NULL, 0), 0);
	CHECK_EQ(strace_joiner_feed_take(j, &l), 0);
	/* the execve is waiting to be handed out */
	CHECK_EQ(strace_joiner_pass_by(j, 11, &s, &e), 0);
	CHECK_EQ(strace_joiner_next(j, &ev, NULL, 0), 1);
	CHECK_EQ(ev.start_seq, 1);
	CHECK_EQ(ev.end_seq, 0);
	CHECK_EQ(strace_joiner_pass_by(j, 11, &s, &e), 1);
	CHECK_EQ(s, 2);
	CHECK_EQ(e, 1);
	CHECK_EQ(parse1("10 <... vfork resumed>) = 11", &l, NULL, 0), 0);
	CHECK_EQ(strace_joiner_feed_take(j, &l), 0);
	CHECK_EQ(strace_joiner_next(j, &ev, NULL, 0), 1);
	CHECK_EQ(ev.start_seq, 0);
	CHECK_EQ(ev.end_seq, 2);
	strace_event_free(&ev);
	strace_line_free(&l);
	strace_joiner_free(j);
}
