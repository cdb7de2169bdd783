/*
 * fuzz_strace.c: libFuzzer target for the strace reader, line parser and
 * joiner. Any input must parse (or be reported malformed) without a crash,
 * a sanitizer report or a leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/strace_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	struct strace_joiner *j = strace_joiner_new((size & 1) ? STRACE_ORDER_START
							       : STRACE_ORDER_COMPLETION);
	struct strace_line line;
	strace_line_init(&line);
	struct strace_event ev;
	memset(&ev, 0, sizeof(ev));
	char err[128];
	int lineno;
	const char *text;
	while ((text = strace_reader_next(&r, &lineno))) {
		strace_parse_line(text, &line, err, sizeof(err));
		line.lineno = lineno;
		if (j)
			strace_joiner_feed(j, &line);
		while (j && strace_joiner_next(j, &ev, err, sizeof(err)))
			;
	}
	if (j) {
		strace_joiner_finish(j);
		while (strace_joiner_next(j, &ev, err, sizeof(err)))
			;
		strace_joiner_free(j);
	}
	strace_event_free(&ev);
	strace_line_free(&line);
	strace_reader_free(&r);
	fclose(f);
	return 0;
}
