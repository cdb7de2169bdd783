/*
 * explain.c: `vmspace replay --explain`: the decisions the model made for each
 * call of a log, in plain words under the call; and the per-call collector of
 * events (include/vmspace.h "Decisions as events") that --explain, --stats
 * (stats.c) and replay_opts.on_call_events share. replay.c calls hook_begin()
 * and hook_end() around each call it applies; between them the system's
 * observer copies each event here.
 * Not here: applying calls (replay.c) or counting (stats.c).
 */
#include <stdlib.h>
#include <string.h>

#include "replay_int.h"

struct call_hook {
	struct vms_event *ev; /* the current call's events */
	size_t n, cap;
	int oom;              /* an event could not be kept */
	struct replay_tally *tally; /* --stats, or NULL */
	char **texts;         /* on_call_events's texts */
	size_t texts_cap;
};

static void observe(void *arg, const struct vms_event *ev)
{
	struct call_hook *h = arg;
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		struct vms_event *v = realloc(h->ev, cap * sizeof(*v));
		if (!v) {
			h->oom = 1;
			return;
		}
		h->ev = v;
		h->cap = cap;
	}
	h->ev[h->n++] = *ev;
}

struct call_hook *hook_new(struct pass *p)
{
	const struct replay_opts *o = p->o;
	bool want = (p->out && (o->explain || o->stats)) || (p->final && o->on_call_events);
	if (!want)
		return NULL;
	struct call_hook *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	if (p->out && o->stats && !(h->tally = tally_new())) {
		free(h);
		return NULL;
	}
	vms_sys_set_observer(p->sys, observe, h);
	return h;
}

void hook_free(struct call_hook *h)
{
	if (!h)
		return;
	tally_free(h->tally);
	free(h->ev);
	for (size_t i = 0; i < h->texts_cap; i++)
		free(h->texts[i]);
	free(h->texts);
	free(h);
}

void hook_begin(struct pass *p, const struct call *c)
{
	(void)c;
	p->model_r_set = 0;
	if (p->hook)
		p->hook->n = 0;
}

static bool explained(const struct pass *p, const struct call *c)
{
	const struct replay_opts *o = p->o;
	if (!o->explain || !p->out)
		return false;
	if (o->explain_pid && c->pid != o->explain_pid)
		return false;
	if (o->from_line > 0 && c->end_lineno < o->from_line)
		return false;
	if (o->to_line > 0 && c->lineno > o->to_line)
		return false;
	return true;
}

/* The model's result as strace would print it. */
static void result_text(const struct pass *p, char *buf, size_t size)
{
	long r = p->model_r;
	if (r < 0 && r >= -4095) {
		const char *name = errno_name(r);
		if (name)
			snprintf(buf, size, "-1 %s (%s)", name, vms_strerror(r));
		else
			snprintf(buf, size, "-1 errno %ld", -r);
	} else if (p->model_r_addr) {
		snprintf(buf, size, "%#lx", (unsigned long)r);
	} else {
		snprintf(buf, size, "%ld", r);
	}
}

/* The call as the log has it, then the model's result and its decisions,
 * indented. A call without decisions or result (a file call) shows nothing. */
static void explain_call(struct pass *p, const struct call *c)
{
	struct call_hook *h = p->hook;
	bool mem = is_memory_call(c->sc);
	if (!mem && h->n == 0)
		return;
	char res[96], line[512];
	const char *text = c->text ? c->text : "";
	size_t len = c->text ? c->text_len : 0;
	fprintf(p->out, "%d: %.*s\n", c->lineno, (int)(len > 400 ? 400 : len), text);
	if (p->model_r_set) {
		result_text(p, res, sizeof(res));
		bool differs = c->has_result && !c->result_unknown && (int64_t)p->model_r != c->result;
		fprintf(p->out, "    = %s (the model%s)\n", res,
			differs ? "; the log says otherwise" : "");
	}
	for (size_t i = 0; i < h->n; i++) {
		vms_event_text(&h->ev[i], line, sizeof(line));
		fprintf(p->out, "    %s\n", line);
	}
	if (h->oom)
		fprintf(p->out, "    (out of memory: some decisions not shown)\n");
}

static void send_texts(struct pass *p, const struct call *c)
{
	struct call_hook *h = p->hook;
	if (h->n > h->texts_cap) {
		char **t = realloc(h->texts, h->n * sizeof(*t));
		if (!t)
			return;
		for (size_t i = h->texts_cap; i < h->n; i++)
			t[i] = NULL;
		h->texts = t;
		h->texts_cap = h->n;
	}
	for (size_t i = 0; i < h->n; i++) {
		size_t need = vms_event_text(&h->ev[i], NULL, 0) + 1;
		char *s = realloc(h->texts[i], need);
		if (!s)
			return;
		h->texts[i] = s;
		vms_event_text(&h->ev[i], s, need);
	}
	p->o->on_call_events(p->o->on_call_events_arg, c->pid, c->lineno,
			     (const char *const *)h->texts, h->n);
}

void hook_end(struct pass *p, const struct call *c)
{
	struct call_hook *h = p->hook;
	if (!h)
		return;
	if (explained(p, c))
		explain_call(p, c);
	if (h->tally && (is_memory_call(c->sc) || h->n)) {
		/* Threads share their process's address space: counted under the
		 * pid that made it. A fork or exec has no model result: the log's. */
		struct proc *pr = proc_find(p, c->pid);
		int key = pr && pr->sp && pr->sp->id ? pr->sp->id : c->pid;
		long r = p->model_r;
		int have_r = p->model_r_set;
		if (!have_r && !is_memory_call(c->sc) && c->has_result && !c->result_unknown) {
			r = (long)c->result;
			have_r = 1;
		}
		tally_call(h->tally, key, c->name ? c->name : "?", r, have_r, h->ev, h->n);
		if (pr && pr->sp && pr->sp->mm) {
			struct vms_mm_counters k;
			vms_mm_get_counters(pr->sp->mm, &k);
			tally_counters(h->tally, key, &k, vms_sys_committed_pages(p->sys));
		}
	}
	if (p->final && p->o->on_call_events && h->n)
		send_texts(p, c);
	h->n = 0;
	h->oom = 0;
}

void hook_finish(struct pass *p)
{
	if (p->hook && p->hook->tally && p->out)
		tally_print(p->hook->tally, p->out);
}
