/*
 * html.h: `vmspace replay --html FILE` and `--svg FILE`: the address spaces of
 * a replayed log as a picture. A writer collects, while the replay applies the
 * calls, what each call changed (the maps lines of each process added and
 * removed: changes, not snapshots, so that a log of 100,000 calls stays small),
 * the counters after it and the decisions the library explained for it; at the
 * end it writes one self-contained HTML page (cli/html_page.html: a time
 * control over the calls, the maps of the chosen process, curves, the process
 * tree) or one static SVG picture of the spaces after a line.
 *
 * Not here: applying the calls (replay.c calls html_after_call() after each).
 */
#ifndef VMS_HTML_H
#define VMS_HTML_H

#include <stdio.h>

struct html_writer;
struct pass;
struct call;

struct html_writer *html_new(void);
void html_free(struct html_writer *h);

/* The replay's hooks. html_pass_begin() forgets what an earlier pass
 * recorded: only the last pass with output (the one whose results are
 * printed) is drawn. html_after_call() runs after each call the replay
 * applied, with the pass that applied it. */
void html_pass_begin(struct html_writer *h);
void html_after_call(struct html_writer *h, struct pass *p, const struct call *c);

/* One decision the library explained while applying the call of pid on
 * lineno (an event's text form); shown beside that call's step. To be
 * called before html_after_call() for that call. */
void html_add_decision(struct html_writer *h, int pid, int lineno, const char *text);
/* replay_opts.on_call_events for a writer (arg): every decision of a call
 * goes beside its step. */
void html_on_call_events(void *arg, int pid, int lineno, const char *const *texts, size_t n);

/* Tests: after every call, compare what the writer holds of each live
 * process with its whole maps text; the first difference is kept. */
void html_set_verify(struct html_writer *h, int on);
const char *html_verify_error(const struct html_writer *h);

/* Counts, for tests and messages. */
long html_steps(const struct html_writer *h);
long html_spaces(const struct html_writer *h);

/* The page; name is the log's (the title). Returns 0, or -1 on a write
 * error. */
int html_write_page(const struct html_writer *h, FILE *f, const char *name);

/* The picture of every live process's address space after line at_line of
 * the log (0: after its last line). Returns 0, or -1 on a write error or
 * when no process is modelled then. */
int html_write_svg(const struct html_writer *h, FILE *f, const char *name, long at_line);

#endif
