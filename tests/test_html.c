/*
 * test_html.c: the writer of `vmspace replay --html` and `--svg`
 * (cli/html.c): what it holds of each process after every call equals the
 * model's /proc/PID/maps, on every recorded log; the page's structure and
 * its escaping of odd names; the picture after a line equals the maps
 * `--at` prints; and a log of 100,000 memory calls gives a page of a
 * reasonable size in a reasonable time (printed). The page in a browser is
 * tested by tests/browser/run.sh.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../cli/html.h"
#include "../cli/replay.h"
#include "t.h"

static char *slurp_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	if (!f)
		return NULL;
	if (replay_read_all(f, &buf, &len))
		buf = NULL;
	fclose(f);
	return buf;
}

static char *slurp_rec(const char *name, const char *file)
{
	char path[256];
	snprintf(path, sizeof(path), "tests/data/replay/%s/%s", name, file);
	return slurp_file(path);
}

/* Replays a recorded log with a writer (verifying after every call);
 * *outp gets the replay's output. Returns the writer, or NULL. */
static struct html_writer *replay_with_writer_dec(const char *name, long at_line, char **outp,
						  int decisions)
{
	char *trace = slurp_rec(name, "trace.txt"), *initial = slurp_rec(name, "initial.maps");
	char *settings = slurp_rec(name, "settings");
	struct html_writer *h = html_new();
	struct replay_opts o;
	size_t n;
	memset(&o, 0, sizeof(o));
	if (!trace || !initial || !settings || !h || replay_load_settings(&o, settings)) {
		html_free(h);
		h = NULL;
		goto out;
	}
	html_set_verify(h, 1);
	o.name = name;
	o.initial_maps = initial;
	o.check = 1;
	o.at_line = at_line;
	o.html = h;
	if (decisions) {
		o.on_call_events = html_on_call_events;
		o.on_call_events_arg = h;
	}
	FILE *out = open_memstream(outp, &n);
	if (!out || replay_run(&o, trace, strlen(trace), out, NULL, NULL) != 0) {
		if (out)
			fclose(out);
		html_free(h);
		h = NULL;
		goto out;
	}
	fclose(out);
out:
	free(trace);
	free(initial);
	free(settings);
	return h;
}

static struct html_writer *replay_with_writer(const char *name, long at_line, char **outp)
{
	return replay_with_writer_dec(name, at_line, outp, 0);
}

static const char *const recorded[] = {"memcalls", "perl",    "policy",	 "python3",
				       "shm",	   "sort",    "sqlite3", "threads"};

/* The writer's copy of each live process's maps, rebuilt from the changes it
 * records, equals vms_maps_text after every call of every recorded log
 * (forks, threads in overlapping groups, shared memory, exits). */
TEST(html_writer_holds_the_maps_after_every_call_of_each_recorded_log)
{
	(void)sys;
	for (size_t i = 0; i < sizeof(recorded) / sizeof(recorded[0]); i++) {
		char *out = NULL;
		struct html_writer *h = replay_with_writer(recorded[i], 0, &out);
		free(out);
		if (!h) {
			t_fail(__FILE__, __LINE__, "%s: the replay failed", recorded[i]);
			return;
		}
		const char *err = html_verify_error(h);
		if (err) {
			t_fail(__FILE__, __LINE__, "%s: %s", recorded[i], err);
			html_free(h);
			return;
		}
		CHECK(html_steps(h) > 10);
		CHECK(html_spaces(h) >= 1);
		html_free(h);
	}
}

static char *page_of(const struct html_writer *h, const char *name)
{
	char *buf = NULL;
	size_t n;
	FILE *f = open_memstream(&buf, &n);
	if (!f)
		return NULL;
	int rc = html_write_page(h, f, name);
	fclose(f);
	if (rc) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int count_of(const char *s, const char *what)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

/* One document: its own title, one data block, the script, and no
 * reference to anything outside the file. */
TEST(html_page_is_one_self_contained_document)
{
	(void)sys;
	char *out = NULL;
	struct html_writer *h = replay_with_writer("threads", 0, &out);
	free(out);
	CHECK(h);
	char *page = page_of(h, "threads");
	html_free(h);
	CHECK(page);
	CHECK(!strncmp(page, "<!DOCTYPE html>", 15));
	CHECK(strstr(page, "<title>vmspace: threads</title>"));
	CHECK_EQ(count_of(page, "<script id=\"vmspace-data\" type=\"application/json\">"), 1);
	CHECK(strstr(page, "\"steps\":["));
	CHECK(strstr(page, "\"spaces\":["));
	CHECK(!strstr(page, "<!--VMSPACE-DATA-->"));
	CHECK(!strstr(page, "http://") && !strstr(page, "https://"));
	CHECK(!strstr(page, " src="));
	CHECK(strstr(page, "</html>"));
	free(page);
}

/* A file's name can hold any byte but '/' and NUL: in the page's data it
 * must not end the script ("</script>") nor be invalid JSON (control and
 * non-UTF-8 bytes), and in the title and the picture it is text, not
 * markup. */
TEST(html_and_svg_escape_odd_file_names)
{
	(void)sys;
	static const char maps[] =
		"555555554000-555555556000 r-xp 00000000 fe:00 42                         "
		"/tmp/a</script><b>&\"'\x01\xff b\n"
		"7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]\n";
	static const char trace[] = "munmap(0x555555555000, 4096) = 0\n";
	struct html_writer *h = html_new();
	struct replay_opts o;
	char *out = NULL;
	size_t n;
	CHECK(h);
	memset(&o, 0, sizeof(o));
	o.name = "t";
	o.initial_maps = maps;
	o.check = 1;
	o.no_resolve = 1;
	o.html = h;
	html_set_verify(h, 1);
	FILE *f = open_memstream(&out, &n);
	CHECK(f);
	int rc = replay_run(&o, trace, strlen(trace), f, NULL, NULL);
	fclose(f);
	if (rc != 0 || html_verify_error(h)) {
		t_fail(__FILE__, __LINE__, "rc %d: %s\n%s", rc,
		       html_verify_error(h) ? html_verify_error(h) : "", out ? out : "");
		free(out);
		html_free(h);
		return;
	}
	free(out);
	char *page = page_of(h, "odd</title><script>&\xfe");
	CHECK(page);
	/* the only end of a script is the page's own */
	const char *data = strstr(page, "<script id=\"vmspace-data\"");
	CHECK(data);
	const char *end = strstr(data, "</script>");
	CHECK(end);
	CHECK(memmem(data, (size_t)(end - data), "/tmp/a\\u003c/script\\u003e\\u003cb\\u003e\\u0026\\\"'\\u0001\\u00ff b", 60));
	CHECK(strstr(page, "<title>vmspace: odd&lt;/title&gt;&lt;script&gt;&amp;&#xfe;</title>"));
	CHECK(!strstr(page, "odd</title>"));
	free(page);

	char *svg = NULL;
	f = open_memstream(&svg, &n);
	CHECK(f);
	rc = html_write_svg(h, f, "odd<&>", 0);
	fclose(f);
	html_free(h);
	CHECK_EQ(rc, 0);
	CHECK(strstr(svg, "<title>odd&lt;&amp;&gt;</title>"));
	CHECK(strstr(svg, "/tmp/a&lt;/script&gt;&lt;b&gt;&amp;&quot;&#39;&#xfffd;&#xff; b</title>"));
	CHECK(!strstr(svg, "<b>"));
	free(svg);
}

/* `--svg --at N` draws what `--at N` prints: every VMA of every live process
 * after line N, each with its maps line as its title, in the same order. */
TEST(html_svg_at_a_line_draws_the_maps_printed_after_that_line)
{
	(void)sys;
	static const long lines[] = {20, 60, 100, 158, 161};
	for (size_t li = 0; li < sizeof(lines) / sizeof(lines[0]); li++) {
		char *out = NULL, *svg = NULL;
		size_t n;
		struct html_writer *h = replay_with_writer("threads", lines[li], &out);
		CHECK(h && out);
		FILE *f = open_memstream(&svg, &n);
		CHECK(f);
		int rc = html_write_svg(h, f, "threads", lines[li]);
		fclose(f);
		html_free(h);
		CHECK_EQ(rc, 0);
		/* the maps lines --at printed, in order, against the titles */
		const char *q = svg;
		int nl = 0;
		for (const char *p = out; *p;) {
			const char *eol = strchr(p, '\n');
			size_t len = eol ? (size_t)(eol - p) : strlen(p);
			if (len > 20 && p[0] != '=' && strncmp(p, "replayed", 8)) {
				char want[600];
				snprintf(want, sizeof(want), "<g class=\"vma\"><title>%.*s</title>", (int)len, p);
				const char *hit = strstr(q, want);
				if (!hit) {
					t_fail(__FILE__, __LINE__, "line %ld: %.*s is not drawn (next)",
					       lines[li], (int)len, p);
					free(out);
					free(svg);
					return;
				}
				q = hit + strlen(want);
				nl++;
			}
			p = eol ? eol + 1 : p + len;
		}
		CHECK(nl > 10);
		CHECK_EQ(count_of(svg, "<g class=\"vma\">"), nl);
		free(out);
		free(svg);
	}
}

/* Counts the bytes written. */
static ssize_t count_write(void *cookie, const char *buf, size_t size)
{
	(void)buf;
	*(size_t *)cookie += size;
	return (ssize_t)size;
}

/* 100,000 mmap, munmap, mprotect and MAP_FIXED calls (results from the
 * library, so every one matches), a few hundred VMAs live: the page must stay
 * under 32 MiB and be made in under 60 s with the replay (it is the change
 * of each call that is kept, not the maps). Prints the measurements. */
SLOW_TEST(html_page_of_100000_calls_stays_small)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE};
	vms_mm *mm = vms_mm_new(sys, &cfg);
	enum { CALLS = 100000, LIVE = 400 };
	static struct {
		uint64_t addr, len;
	} live[LIVE];
	unsigned nlive = 0;
	uint64_t s = 0x5eed;
	char *text = NULL;
	size_t tlen;
	CHECK(mm);
	FILE *g = open_memstream(&text, &tlen);
	CHECK(g);
	for (int i = 0; i < CALLS; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		unsigned r = (unsigned)(s >> 33) % 100, pick = (unsigned)(s >> 40) % (nlive ? nlive : 1);
		if (nlive < 32 || (r < 45 && nlive < LIVE)) {
			uint64_t len = (1 + (s >> 20) % 16) * 4096;
			int w = r & 1;
			long a = vms_mmap(mm, 0, len, w ? VMS_PROT_READ | VMS_PROT_WRITE : VMS_PROT_READ,
					  VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0);
			CHECK(a > 0);
			fprintf(g, "mmap(NULL, %llu, %s, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = %#lx\n",
				(unsigned long long)len, w ? "PROT_READ|PROT_WRITE" : "PROT_READ", a);
			live[nlive].addr = (uint64_t)a;
			live[nlive++].len = len;
		} else if (r < 80) {
			long ret = vms_munmap(mm, live[pick].addr, live[pick].len);
			fprintf(g, "munmap(%#llx, %llu) = %ld\n", (unsigned long long)live[pick].addr,
				(unsigned long long)live[pick].len, ret);
			live[pick] = live[--nlive];
		} else if (r < 90) {
			long ret = vms_mprotect(mm, live[pick].addr, 4096, r & 1 ? VMS_PROT_READ : 0);
			fprintf(g, "mprotect(%#llx, 4096, %s) = %ld\n",
				(unsigned long long)live[pick].addr, r & 1 ? "PROT_READ" : "PROT_NONE",
				ret);
		} else {
			long a = vms_mmap(mm, live[pick].addr, 4096, VMS_PROT_READ,
					  VMS_MAP_PRIVATE | VMS_MAP_FIXED | VMS_MAP_ANONYMOUS, NULL, 0);
			fprintf(g, "mmap(%#llx, 4096, PROT_READ, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, "
				   "-1, 0) = %#lx\n",
				(unsigned long long)live[pick].addr, a);
		}
	}
	fclose(g);
	vms_mm_free(mm);

	/* the first 5,000 calls checked against the whole maps after each */
	struct html_writer *h = html_new();
	struct replay_opts o;
	struct replay_stats st;
	memset(&o, 0, sizeof(o));
	o.name = "100k";
	o.check = 1;
	o.html = h;
	html_set_verify(h, 1);
	const char *cut = text;
	for (int i = 0; i < 5000; i++)
		cut = strchr(cut, '\n') + 1;
	FILE *sink = fopen("/dev/null", "w");
	CHECK(sink);
	CHECK_EQ(replay_run(&o, text, (size_t)(cut - text), sink, NULL, NULL), 0);
	fclose(sink);
	CHECK_EQ(html_steps(h), 5000);
	if (html_verify_error(h)) {
		t_fail(__FILE__, __LINE__, "%s", html_verify_error(h));
		html_free(h);
		free(text);
		return;
	}
	html_free(h);

	h = html_new();
	memset(&o, 0, sizeof(o));
	o.name = "100k";
	o.check = 1;
	o.html = h;
	struct timespec t0, t1, t2;
	FILE *devnull = fopen("/dev/null", "w");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = replay_run(&o, text, tlen, devnull, NULL, &st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	size_t bytes = 0;
	cookie_io_functions_t io = {.write = count_write};
	FILE *f = fopencookie(&bytes, "w", io);
	int wrc = f ? html_write_page(h, f, "100k") : -1;
	if (f)
		fclose(f);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	/* VMS_HTML_DUMP=FILE keeps the page, to look at */
	if (getenv("VMS_HTML_DUMP") && (f = fopen(getenv("VMS_HTML_DUMP"), "w"))) {
		html_write_page(h, f, "100k");
		fclose(f);
	}
	/* the same replay without the writer, for the cost of it */
	struct replay_stats st2;
	struct timespec t3, t4;
	o.html = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t3);
	replay_run(&o, text, tlen, devnull, NULL, &st2);
	clock_gettime(CLOCK_MONOTONIC, &t4);
	fclose(devnull);
	free(text);
	double replay_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	double write_s = (double)(t2.tv_sec - t1.tv_sec) + (double)(t2.tv_nsec - t1.tv_nsec) / 1e9;
	double plain_s = (double)(t4.tv_sec - t3.tv_sec) + (double)(t4.tv_nsec - t3.tv_nsec) / 1e9;
	printf("    100000 calls (%llu matched): replay with the writer %.2f s (without %.2f s), "
	       "page written in %.2f s, %zu bytes (%.0f bytes a call), %ld steps\n",
	       (unsigned long long)st.matched, replay_s, plain_s, write_s, bytes,
	       (double)bytes / CALLS, html_steps(h));
	long steps = html_steps(h);
	html_free(h);
	replay_stats_free(&st);
	replay_stats_free(&st2);
	CHECK_EQ(rc, 0);
	CHECK_EQ(wrc, 0);
	CHECK_EQ(st.matched, CALLS);
	CHECK_EQ(steps, CALLS);
	CHECK(bytes < 32u << 20);
	CHECK(replay_s + write_s < 60);
}

/* The page shows the library's decisions beside each call: the replay's
 * events (on_call_events) go to the writer as `vmspace replay --html` wires
 * them, each event's text with the kernel function that decided it. */
TEST(html_page_shows_each_calls_decisions)
{
	(void)sys;
	char *out = NULL;
	struct html_writer *h = replay_with_writer_dec("memcalls", 0, &out, 1);
	CHECK(h != NULL);
	char *page = h ? page_of(h, "memcalls") : NULL;
	CHECK(page != NULL);
	if (page) {
		CHECK(strstr(page, "[vma_merge_new_range]") != NULL);
		CHECK(strstr(page, "[unmapped_area_topdown]") != NULL);
	}
	free(page);
	html_free(h);
	free(out);
}

/* An interactive session (`vmspace replay -i --html PAGE -`) is drawn when
 * it ends: a step for each call typed, with its decisions, as a log's. */
TEST(html_page_draws_an_interactive_session)
{
	(void)sys;
	static const char session[] =
		"mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)\n"
		"maps\n"
		"mprotect(0x7ffff7ffd000, 4096, PROT_READ) = ?\n";
	struct replay_opts o;
	memset(&o, 0, sizeof(o));
	o.explain = 1;
	o.interactive = 1;
	o.name = "-";
	o.html = html_new();
	o.on_call_events = html_on_call_events;
	o.on_call_events_arg = o.html;
	CHECK(o.html != NULL);
	FILE *in = fmemopen((void *)session, sizeof(session) - 1, "r");
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	CHECK(in != NULL && out != NULL);
	CHECK_EQ(replay_stream(&o, in, out, NULL, NULL), 0);
	fclose(out);
	fclose(in);
	CHECK_EQ(html_steps(o.html), 2);
	char *page = page_of(o.html, "(interactive session)");
	CHECK(page != NULL);
	if (page) {
		CHECK(strstr(page, "(interactive session)") != NULL);
		CHECK(strstr(page, "[unmapped_area_topdown]") != NULL);
	}
	free(page);
	free(text);
	html_free(o.html);
}
