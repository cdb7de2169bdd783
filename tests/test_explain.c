/*
 * test_explain.c: `vmspace replay --explain`, `--stats`, the interactive
 * stream and the on_call_events hook (cli/explain.c, cli/stats.c), on the
 * recorded logs of tests/data/replay/: each runs on every log, the events of
 * a replay are the same whether or not anything prints them, and the
 * numbers of --stats agree with what --explain shows.
 */
#define _GNU_SOURCE
#include <dirent.h>

#include "../cli/replay.h"
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

struct logfiles {
	char *trace, *initial, *settings;
};

static int load(const char *name, struct logfiles *l, struct replay_opts *o)
{
	l->trace = slurp(name, "trace.txt");
	l->initial = slurp(name, "initial.maps");
	l->settings = slurp(name, "settings");
	memset(o, 0, sizeof(*o));
	if (!l->trace || (l->settings && replay_load_settings(o, l->settings)))
		return -1;
	o->name = name;
	o->initial_maps = l->initial;
	return 0;
}

static void unload(struct logfiles *l)
{
	free(l->trace);
	free(l->initial);
	free(l->settings);
}

/* Runs a replay into a string; returns its exit status. */
static int run(const struct replay_opts *o, const char *trace, char **text,
	       struct replay_stats *st)
{
	size_t len = 0;
	*text = NULL;
	FILE *out = open_memstream(text, &len);
	if (!out)
		return -1;
	int rc = replay_run(o, trace, strlen(trace), out, NULL, st);
	fclose(out);
	return rc;
}

/* on_call_events: every text, a line each, after the call's "pid line". */
struct texts {
	FILE *f;
	char *buf;
	size_t len;
	size_t calls;
};

static void collect(void *arg, int pid, int lineno, const char *const *texts, size_t n)
{
	struct texts *t = arg;
	t->calls++;
	fprintf(t->f, "%d %d\n", pid, lineno);
	for (size_t i = 0; i < n; i++)
		fprintf(t->f, "%s\n", texts[i]);
}

static size_t count_str(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* The names of the recorded logs. */
static int logs(char names[][64], int max)
{
	const char *slash = strrchr(__FILE__, '/');
	char path[512];
	DIR *d = opendir("tests/data/replay");
	if (!d && slash) {
		snprintf(path, sizeof(path), "%.*s/data/replay", (int)(slash - __FILE__), __FILE__);
		d = opendir(path);
	}
	if (!d)
		return 0;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < max) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len >= 64)
			continue;
		memcpy(names[n++], e->d_name, len + 1);
	}
	closedir(d);
	return n;
}

SLOW_TEST(replay_explain_and_stats_run_on_every_recorded_log)
{
	(void)sys;
	char names[64][64];
	int n = logs(names, 64);
	CHECK(n >= 8);
	for (int i = 0; i < n; i++) {
		struct logfiles l;
		struct replay_opts o;
		struct replay_stats st;
		char *text = NULL;
		if (load(names[i], &l, &o)) {
			unload(&l);
			continue;
		}
		o.explain = 1;
		o.stats = 1;
		o.check = 1;
		int rc = run(&o, l.trace, &text, &st);
		if (rc != 0 || st.diverged || !text || !strstr(text, "== stats ==") ||
		    !strstr(text, "total: ") || !strstr(text, "(the model)")) {
			t_fail(__FILE__, __LINE__, "%s: rc %d, %llu diverged, output:\n%.2000s",
			       names[i], rc, (unsigned long long)st.diverged, text ? text : "");
			free(text);
			replay_stats_free(&st);
			unload(&l);
			return;
		}
		/* every merge explained is counted by --stats, by its case */
		for (int c = 1; c <= 8; c++) {
			char needle[32], stat[32];
			snprintf(needle, sizeof(needle), "vma_merge case %d ", c);
			size_t shown = count_str(text, needle);
			snprintf(stat, sizeof(stat), "case %d: ", c);
			const char *total = strstr(text, "total: ");
			const char *s = strstr(total, stat);
			size_t counted = s ? strtoull(s + strlen(stat), NULL, 10) : 0;
			if (shown != counted) {
				t_fail(__FILE__, __LINE__, "%s: case %d shown %zu times, counted %zu",
				       names[i], c, shown, counted);
				free(text);
				replay_stats_free(&st);
				unload(&l);
				return;
			}
		}
		free(text);
		replay_stats_free(&st);
		unload(&l);
	}
}

/* Printing the events changes neither the replay nor the events: a replay
 * with --explain and --stats and one with only the text consumer
 * (on_call_events) get the same texts, and both end with the maps and
 * counts of a replay with nothing attached. */
static void same_events(const char *name)
{
	struct logfiles l;
	struct replay_opts o;
	struct replay_stats plain, loud, quiet;
	char *t_plain = NULL, *t_loud = NULL, *t_quiet = NULL;
	struct texts a = {0}, b = {0};
	memset(&plain, 0, sizeof(plain));
	memset(&loud, 0, sizeof(loud));
	memset(&quiet, 0, sizeof(quiet));
	if (load(name, &l, &o)) {
		t_fail(__FILE__, __LINE__, "%s: cannot load", name);
		goto out;
	}
	CHECK(run(&o, l.trace, &t_plain, &plain) == 0);

	a.f = open_memstream(&a.buf, &a.len);
	o.explain = 1;
	o.stats = 1;
	o.on_call_events = collect;
	o.on_call_events_arg = &a;
	CHECK(run(&o, l.trace, &t_loud, &loud) == 0);
	fclose(a.f);

	b.f = open_memstream(&b.buf, &b.len);
	o.explain = 0;
	o.stats = 0;
	o.on_call_events_arg = &b;
	CHECK(run(&o, l.trace, &t_quiet, &quiet) == 0);
	fclose(b.f);

	CHECK(a.calls > 0);
	CHECK_EQ(a.calls, b.calls);
	CHECK(a.buf && b.buf && !strcmp(a.buf, b.buf));
	CHECK(plain.final_maps && loud.final_maps && quiet.final_maps);
	CHECK(!strcmp(plain.final_maps, loud.final_maps));
	CHECK(!strcmp(plain.final_maps, quiet.final_maps));
	CHECK_EQ(plain.matched, loud.matched);
	CHECK_EQ(plain.matched, quiet.matched);
	CHECK_EQ(plain.diverged, loud.diverged);
	/* what --explain printed is what the consumer got */
	for (char *line = a.buf, *nl; line && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = '\0';
		if (line[0] < '0' || line[0] > '9') /* not the "pid line" header */
			CHECK(strstr(t_loud, line) != NULL);
		*nl = '\n';
	}
	/* and the quiet replay's output is the plain one's */
	CHECK(!strcmp(t_plain, t_quiet));
out:
	free(t_plain);
	free(t_loud);
	free(t_quiet);
	free(a.buf);
	free(b.buf);
	replay_stats_free(&plain);
	replay_stats_free(&loud);
	replay_stats_free(&quiet);
	unload(&l);
}

TEST(replay_events_are_the_same_with_and_without_a_text_consumer)
{
	(void)sys;
	same_events("memcalls");
}

SLOW_TEST(replay_events_are_the_same_with_and_without_a_text_consumer_threads)
{
	/* overlapping calls: the order search runs passes that must not report */
	(void)sys;
	same_events("threads");
}

TEST(replay_stats_counts_calls_by_result_and_vmas_by_case)
{
	(void)sys;
	struct logfiles l;
	struct replay_opts o;
	struct replay_stats st;
	char *text = NULL;
	CHECK(load("memcalls", &l, &o) == 0);
	o.stats = 1;
	CHECK(run(&o, l.trace, &text, &st) == 0);
	const char *s = strstr(text, "== stats ==");
	CHECK(s != NULL);
	CHECK(strstr(s, "\npid ") != NULL);
	CHECK(strstr(s, "    mmap ") != NULL);
	CHECK(strstr(s, "VMAs: ") != NULL);
	CHECK(strstr(s, "merges refused: ") != NULL);
	CHECK(strstr(s, "limits that refused: ") != NULL);
	CHECK(strstr(s, "peaks: ") != NULL);
	CHECK(strstr(s, "committed ") != NULL);
	/* the total's calls are every memory call of the log, and its fork
	 * (which decides what the child gets) */
	const char *t = strstr(s, "total: ");
	CHECK(t != NULL);
	CHECK_EQ(strtoull(t + 7, NULL, 10), st.calls + st.unsupported + 1);
	CHECK(strstr(s, "    clone                     1: ok 1") != NULL);
	CHECK(strstr(s, "    mmap                     12: ok 11 EPERM 1") != NULL);
	/* no --explain: no decisions printed */
	CHECK(strstr(text, "(the model") == NULL);
	free(text);
	replay_stats_free(&st);
	unload(&l);
}

TEST(replay_explain_pid_and_line_range_narrow_it)
{
	(void)sys;
	struct logfiles l;
	struct replay_opts o;
	struct replay_stats st;
	char *text = NULL;
	CHECK(load("memcalls", &l, &o) == 0);
	o.explain = 1;
	o.explain_pid = 1; /* no such process */
	CHECK(run(&o, l.trace, &text, &st) == 0);
	CHECK(strstr(text, "(the model") == NULL);
	free(text);
	replay_stats_free(&st);
	o.explain_pid = 0;
	o.from_line = 10;
	o.to_line = 12;
	CHECK(run(&o, l.trace, &text, &st) == 0);
	CHECK(strstr(text, "\n10: ") != NULL || !strncmp(text, "10: ", 4));
	CHECK(strstr(text, "\n11: ") != NULL);
	CHECK(strstr(text, "\n12: ") != NULL);
	CHECK(strstr(text, "\n13: ") == NULL);
	CHECK(strstr(text, "\n3: ") == NULL && strncmp(text, "3: ", 3));
	free(text);
	replay_stats_free(&st);
	unload(&l);
}

TEST(replay_stream_answers_each_line_with_result_decisions_and_maps)
{
	(void)sys;
	static const char session[] =
		"mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)\n"
		"mprotect(0x7ffff7ffd000, 4096, PROT_READ) = ?\n"
		"maps\n";
	struct replay_opts o;
	memset(&o, 0, sizeof(o));
	o.explain = 1;
	o.interactive = 1;
	o.name = "-";
	FILE *in = fmemopen((void *)session, sizeof(session) - 1, "r");
	CHECK(in != NULL);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	CHECK(out != NULL);
	int rc = replay_stream(&o, in, out, NULL, NULL);
	fclose(out);
	fclose(in);
	CHECK_EQ(rc, 0);
	CHECK(strstr(text, "= 0x7ffff7ffd000 (the model)") != NULL);
	CHECK(strstr(text, "top-down search for 8 KiB") != NULL);
	CHECK(strstr(text, "split 7ffff7ffd000-7ffff7fff000 at 7ffff7ffe000") != NULL);
	CHECK(strstr(text, "7ffff7ffd000-7ffff7ffe000 r--p") != NULL);
	CHECK(strstr(text, "7ffff7ffe000-7ffff7fff000 rw-p") != NULL);
	free(text);
}
