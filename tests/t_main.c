/* t_main.c: runs the registered tests: all, or those whose name contains argv[1]. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"

static const struct t_case *cases[1024];
static int ncases;
static int cur_failed, cur_skipped;

void t_register(const struct t_case *c)
{
	if (ncases < (int)(sizeof(cases) / sizeof(cases[0])))
		cases[ncases++] = c;
}

void t_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	if (cur_failed)
		return;
	cur_failed = 1;
	fprintf(stdout, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

void t_skip(const char *why)
{
	cur_skipped = 1;
	fprintf(stdout, "    skipped: %s\n", why);
}

int t_failed(void)
{
	return cur_failed;
}

void t_valid(vms_mm *mm, const char *file, int line)
{
	char why[256];
	if (vms_validate(mm, why, sizeof(why)) != 0)
		t_fail(file, line, "vms_validate: %s", why);
}

void t_snap_take(vms_sys *sys, vms_mm *mm, struct t_snap *s)
{
	s->n = 0;
	for (const vms_vma *v = vms_vma_first(mm); v && s->n < 64; v = vms_vma_next(mm, v))
		vms_vma_get_info(v, &s->v[s->n++]);
	vms_mm_get_counters(mm, &s->c);
	s->committed = vms_sys_committed_pages(sys);
}

int t_snap_equal(const struct t_snap *a, const struct t_snap *b)
{
	if (a->n != b->n || a->committed != b->committed)
		return 0;
	if (memcmp(&a->c, &b->c, sizeof(a->c)))
		return 0;
	for (int i = 0; i < a->n; i++)
		if (a->v[i].start != b->v[i].start || a->v[i].end != b->v[i].end ||
		    a->v[i].vm_flags != b->v[i].vm_flags || a->v[i].pgoff != b->v[i].pgoff)
			return 0;
	return 1;
}

static int by_name(const void *a, const void *b)
{
	const struct t_case *x = *(const struct t_case *const *)a;
	const struct t_case *y = *(const struct t_case *const *)b;
	int c = strcmp(x->file, y->file);
	return c ? c : strcmp(x->name, y->name);
}

int main(int argc, char **argv)
{
	int quick = 0;
	const char *filter = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0)
			quick = 1;
		else
			filter = argv[i];
	}
	qsort(cases, (size_t)ncases, sizeof(cases[0]), by_name);
	int passed = 0, failed = 0, skipped = 0;
	for (int i = 0; i < ncases; i++) {
		const struct t_case *c = cases[i];
		if (filter && !strstr(c->name, filter))
			continue;
		if (quick && c->slow) {
			printf("skip %s (slow; run without --quick)\n", c->name);
			skipped++;
			continue;
		}
		vms_sys *sys = vms_sys_new();
		cur_failed = cur_skipped = 0;
		fflush(stdout);
		c->fn(sys);
		vms_sys_free(sys);
		if (cur_failed) {
			printf("FAIL %s\n", c->name);
			failed++;
		} else if (cur_skipped) {
			printf("skip %s\n", c->name);
			skipped++;
		} else {
			printf("ok   %s\n", c->name);
			passed++;
		}
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
