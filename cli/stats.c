/*
 * stats.c: `vmspace replay --stats`: per process and in total, the calls by
 * name and result (errno counts), the VMAs created, removed, split and merged
 * (by vma_merge case), the merges refused by reason, the limits that refused
 * calls, and the peaks of VMA count, virtual size, RSS and committed memory.
 * Counts come from the events of each call (explain.c collects them).
 * Not here: anything that applies calls.
 */
#include <stdlib.h>
#include <string.h>

#include "replay_int.h"

#define NCASES 9   /* vma_merge cases 1-8 */
#define NREFUSE 11 /* enum vms_merge_refusal + 1 */
#define NLIMIT 9   /* enum vms_limit_kind + 1 */

struct result_count {
	char name[24];
	long err; /* 0: success, -1: not applied, else the errno */
	uint64_t n;
};

struct ptally {
	int pid;
	uint64_t calls;
	struct result_count *res;
	size_t nres, capres;
	uint64_t created, removed, split, merged[NCASES], refused[NREFUSE];
	uint64_t limit_refused[NLIMIT];
	uint64_t peak_vmas, peak_vm, peak_rss; /* pages, but VMAs */
};

struct replay_tally {
	struct ptally *p;
	size_t n, cap;
	uint64_t peak_committed;
	int oom;
};

struct replay_tally *tally_new(void)
{
	return calloc(1, sizeof(struct replay_tally));
}

void tally_free(struct replay_tally *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->p[i].res);
	free(t->p);
	free(t);
}

/* The process's entry, made in the order processes first appear. */
static struct ptally *proc_tally(struct replay_tally *t, int pid)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->p[i].pid == pid)
			return &t->p[i];
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		struct ptally *v = realloc(t->p, cap * sizeof(*v));
		if (!v) {
			t->oom = 1;
			return NULL;
		}
		t->p = v;
		t->cap = cap;
	}
	struct ptally *pt = &t->p[t->n++];
	memset(pt, 0, sizeof(*pt));
	pt->pid = pid;
	return pt;
}

static void count_result(struct replay_tally *t, struct ptally *pt, const char *name, long err)
{
	for (size_t i = 0; i < pt->nres; i++)
		if (pt->res[i].err == err && !strcmp(pt->res[i].name, name)) {
			pt->res[i].n++;
			return;
		}
	if (pt->nres == pt->capres) {
		size_t cap = pt->capres ? pt->capres * 2 : 16;
		struct result_count *v = realloc(pt->res, cap * sizeof(*v));
		if (!v) {
			t->oom = 1;
			return;
		}
		pt->res = v;
		pt->capres = cap;
	}
	struct result_count *rc = &pt->res[pt->nres++];
	snprintf(rc->name, sizeof(rc->name), "%s", name);
	rc->err = err;
	rc->n = 1;
}

void tally_call(struct replay_tally *t, int pid, const char *name, long r, int have_r,
		const struct vms_event *ev, size_t n)
{
	struct ptally *pt = proc_tally(t, pid);
	if (!pt)
		return;
	pt->calls++;
	/* The model's result: an errno, success, or -1: none (not applied). */
	long key = !have_r ? -1 : (r < 0 && r >= -4095) ? -r : 0;
	count_result(t, pt, name, key);
	for (size_t i = 0; i < n; i++) {
		const struct vms_event *e = &ev[i];
		switch (e->kind) {
		case VMS_EV_VMA_NEW:
			pt->created++;
			break;
		case VMS_EV_VMA_GONE:
			pt->removed++;
			break;
		case VMS_EV_VMA_SPLIT:
			pt->split++;
			break;
		case VMS_EV_VMA_MERGE:
			if (e->u.merge.seeds_case > 0 && e->u.merge.seeds_case < NCASES)
				pt->merged[e->u.merge.seeds_case]++;
			break;
		case VMS_EV_MERGE_REFUSED:
			if (e->u.refuse.reason > 0 && e->u.refuse.reason < NREFUSE)
				pt->refused[e->u.refuse.reason]++;
			break;
		case VMS_EV_LIMIT:
			if (!e->u.limit.ok && e->u.limit.which > 0 && e->u.limit.which < NLIMIT)
				pt->limit_refused[e->u.limit.which]++;
			break;
		default:
			break;
		}
	}
}

void tally_counters(struct replay_tally *t, int pid, const struct vms_mm_counters *c,
		    uint64_t committed)
{
	struct ptally *pt = proc_tally(t, pid);
	if (!pt)
		return;
	uint64_t rss = c->rss_anon + c->rss_file + c->rss_shmem;
	if (c->map_count > pt->peak_vmas)
		pt->peak_vmas = c->map_count;
	if (c->total_vm > pt->peak_vm)
		pt->peak_vm = c->total_vm;
	if (rss > pt->peak_rss)
		pt->peak_rss = rss;
	if (committed > t->peak_committed)
		t->peak_committed = committed;
}

static int by_name(const void *a, const void *b)
{
	const struct result_count *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->err < y->err ? -1 : x->err > y->err;
}

static void print_results(FILE *out, struct result_count *res, size_t n)
{
	qsort(res, n, sizeof(*res), by_name);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		uint64_t all = 0;
		while (j < n && !strcmp(res[j].name, res[i].name))
			all += res[j++].n;
		fprintf(out, "    %-18s %8llu:", res[i].name, (unsigned long long)all);
		for (size_t k = i; k < j; k++) {
			char buf[32];
			const char *nm = res[k].err > 0 ? errno_name(-res[k].err) : NULL;
			if (res[k].err == 0)
				snprintf(buf, sizeof(buf), "ok");
			else if (res[k].err < 0)
				snprintf(buf, sizeof(buf), "not applied");
			else if (nm)
				snprintf(buf, sizeof(buf), "%s", nm);
			else
				snprintf(buf, sizeof(buf), "errno %ld", res[k].err);
			fprintf(out, " %s %llu", buf, (unsigned long long)res[k].n);
		}
		fputc('\n', out);
		i = j;
	}
}

static void print_tally(FILE *out, const struct ptally *pt)
{
	fprintf(out, "    VMAs: %llu created, %llu removed, %llu split\n",
		(unsigned long long)pt->created, (unsigned long long)pt->removed,
		(unsigned long long)pt->split);
	uint64_t merges = 0;
	for (int i = 1; i < NCASES; i++)
		merges += pt->merged[i];
	fprintf(out, "    merges: %llu", (unsigned long long)merges);
	for (int i = 1; i < NCASES; i++)
		if (pt->merged[i])
			fprintf(out, ", case %d: %llu", i, (unsigned long long)pt->merged[i]);
	fputc('\n', out);
	uint64_t refused = 0;
	for (int i = 1; i < NREFUSE; i++)
		refused += pt->refused[i];
	fprintf(out, "    merges refused: %llu", (unsigned long long)refused);
	for (int i = 1; i < NREFUSE; i++)
		if (pt->refused[i])
			fprintf(out, ", %s: %llu", vms_merge_refusal_name(i),
				(unsigned long long)pt->refused[i]);
	fputc('\n', out);
	uint64_t lim = 0;
	for (int i = 1; i < NLIMIT; i++)
		lim += pt->limit_refused[i];
	fprintf(out, "    limits that refused: %llu", (unsigned long long)lim);
	for (int i = 1; i < NLIMIT; i++)
		if (pt->limit_refused[i])
			fprintf(out, ", %s: %llu", vms_limit_name(i),
				(unsigned long long)pt->limit_refused[i]);
	fputc('\n', out);
}

void tally_print(const struct replay_tally *t, FILE *out)
{
	struct ptally all;
	memset(&all, 0, sizeof(all));
	struct result_count *res = NULL;
	size_t nres = 0;
	fprintf(out, "== stats ==\n");
	for (size_t i = 0; i < t->n; i++) {
		struct ptally *pt = &t->p[i];
		fprintf(out, "pid %d: %llu calls\n", pt->pid, (unsigned long long)pt->calls);
		print_results(out, pt->res, pt->nres);
		print_tally(out, pt);
		fprintf(out, "    peaks: %llu VMAs, virtual %llu kB, RSS %llu kB\n",
			(unsigned long long)pt->peak_vmas, (unsigned long long)pt->peak_vm * 4,
			(unsigned long long)pt->peak_rss * 4);
		all.calls += pt->calls;
		all.created += pt->created;
		all.removed += pt->removed;
		all.split += pt->split;
		for (int k = 0; k < NCASES; k++)
			all.merged[k] += pt->merged[k];
		for (int k = 0; k < NREFUSE; k++)
			all.refused[k] += pt->refused[k];
		for (int k = 0; k < NLIMIT; k++)
			all.limit_refused[k] += pt->limit_refused[k];
		all.peak_vmas = all.peak_vmas > pt->peak_vmas ? all.peak_vmas : pt->peak_vmas;
		all.peak_vm = all.peak_vm > pt->peak_vm ? all.peak_vm : pt->peak_vm;
		all.peak_rss = all.peak_rss > pt->peak_rss ? all.peak_rss : pt->peak_rss;
		/* the total's result table: every process's entries summed */
		for (size_t r = 0; r < pt->nres; r++) {
			size_t k = 0;
			while (k < nres && !(res[k].err == pt->res[r].err &&
					     !strcmp(res[k].name, pt->res[r].name)))
				k++;
			if (k == nres) {
				struct result_count *v = realloc(res, (nres + 1) * sizeof(*v));
				if (!v)
					continue;
				res = v;
				res[nres] = pt->res[r];
				res[nres++].n = 0;
			}
			res[k].n += pt->res[r].n;
		}
	}
	fprintf(out, "total: %llu calls in %zu process%s\n", (unsigned long long)all.calls, t->n,
		t->n == 1 ? "" : "es");
	print_results(out, res, nres);
	print_tally(out, &all);
	fprintf(out,
		"    peaks: %llu VMAs, virtual %llu kB, RSS %llu kB (of one process), committed "
		"%llu kB (the system)\n",
		(unsigned long long)all.peak_vmas, (unsigned long long)all.peak_vm * 4,
		(unsigned long long)all.peak_rss * 4, (unsigned long long)t->peak_committed * 4);
	if (t->oom)
		fprintf(out, "    (out of memory: some calls not counted)\n");
	free(res);
}
