/*
 * fuzz_strace.c: libFuzzer target for the strace reader, line parser and
 * joiner. Any input must parse (or be reported malformed) without a crash,
 * a sanitizer report or a leak; and (half the inputs) a joiner fed with
 * strace_joiner_feed_take() (which keeps a line's parse for its event) must
 * hand out the same events as one fed with strace_joiner_feed() (which
 * parses the text again).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/strace_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_event(const struct strace_event *a, const struct strace_event *b)
{
	const struct strace_line *x = &a->line, *y = &b->line;
	if (a->pid != b->pid || a->start_lineno != b->start_lineno ||
	    a->end_lineno != b->end_lineno || a->start_seq != b->start_seq ||
	    a->end_seq != b->end_seq || a->abandoned != b->abandoned || a->orphan != b->orphan ||
	    x->kind != y->kind || x->lineno != y->lineno || strcmp(x->name, y->name) ||
	    x->nargs != y->nargs || x->has_result != y->has_result || x->result != y->result ||
	    strcmp(x->text ? x->text : "", y->text ? y->text : "")) {
		fprintf(stderr, "fuzz_strace: feed_take's event differs from feed's: %s | %s\n",
			x->text ? x->text : "", y->text ? y->text : "");
		abort();
	}
	for (int i = 0; i < x->nargs; i++)
		if (strcmp(x->args[i].v.raw ? x->args[i].v.raw : "",
			   y->args[i].v.raw ? y->args[i].v.raw : "") ||
		    x->args[i].v.num != y->args[i].v.num) {
			fprintf(stderr, "fuzz_strace: argument %d differs\n", i + 1);
			abort();
		}
}

/* Every event ready in j, and the same from jt. */
static void drain(struct strace_joiner *j, struct strace_joiner *jt, struct strace_event *ev,
		  struct strace_event *evt)
{
	char err[128], errt[128];
	for (;;) {
		int a = j ? strace_joiner_next(j, ev, err, sizeof(err)) : 0;
		int b = jt ? strace_joiner_next(jt, evt, errt, sizeof(errt)) : 0;
		if (a && b)
			same_event(ev, evt);
		else if (a != b && j && jt) {
			fprintf(stderr, "fuzz_strace: one joiner has an event the other has not\n");
			abort();
		}
		if (!a && !b)
			return;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size ? size : 1, "r");
	if (!f)
		return 0;
	if (!size) {
		fclose(f);
		return 0;
	}
	struct strace_reader r;
	strace_reader_init(&r, f);
	enum strace_order order = (size & 1) ? STRACE_ORDER_START : STRACE_ORDER_COMPLETION;
	/* Half the inputs also go through feed_take, to compare (the joiner
	 * parses every line twice then). */
	struct strace_joiner *j = strace_joiner_new(order);
	struct strace_joiner *jt = (size & 2) ? strace_joiner_new(order) : NULL;
	struct strace_line line, taken;
	strace_line_init(&line);
	strace_line_init(&taken);
	struct strace_event ev, evt;
	memset(&ev, 0, sizeof(ev));
	memset(&evt, 0, sizeof(evt));
	char err[128];
	int lineno;
	const char *text;
	while ((text = strace_reader_next(&r, &lineno))) {
		strace_parse_line(text, &line, err, sizeof(err));
		line.lineno = lineno;
		if (jt) {
			strace_parse_line(text, &taken, err, sizeof(err));
			taken.lineno = lineno;
		}
		if (j)
			strace_joiner_feed(j, &line);
		if (jt)
			strace_joiner_feed_take(jt, &taken);
		drain(j, jt, &ev, &evt);
	}
	if (j)
		strace_joiner_finish(j);
	if (jt)
		strace_joiner_finish(jt);
	drain(j, jt, &ev, &evt);
	strace_joiner_free(j);
	strace_joiner_free(jt);
	strace_event_free(&ev);
	strace_event_free(&evt);
	strace_line_free(&line);
	strace_line_free(&taken);
	strace_reader_free(&r);
	fclose(f);
	return 0;
}
