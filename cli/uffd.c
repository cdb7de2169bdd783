/*
 * uffd.c: what `vmspace replay` does with userfaultfd(2) and the UFFDIO_*
 * ioctls of its descriptors: the context is an open file description of
 * the descriptor table (fds.c), closed with its last descriptor (which
 * unregisters its ranges); UFFDIO_API, UFFDIO_REGISTER and UFFDIO_UNREGISTER
 * are applied and checked with what strace printed of their out-values
 * (features, ioctls); UFFDIO_COPY and UFFDIO_ZEROPAGE fill pages (RSS).
 * The other ioctls change page tables the model does not have, or need the
 * page cache's contents: reported unsupported with why. Not here: ioctls of
 * other descriptors (ignored, as before).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay_int.h"

/* Names strace prints in the uffdio structs (strace 6.1 leaves the newer
 * bits as a hex remainder), and the _UFFDIO_* bit numbers of the ioctls
 * masks, printed as 1<<_UFFDIO_NAME. */
static const struct {
	const char *name;
	uint64_t val;
} uffd_names[] = {
    {"UFFD_FEATURE_PAGEFAULT_FLAG_WP", 1ULL << 0},  {"UFFD_FEATURE_EVENT_FORK", 1ULL << 1},
    {"UFFD_FEATURE_EVENT_REMAP", 1ULL << 2},	    {"UFFD_FEATURE_EVENT_REMOVE", 1ULL << 3},
    {"UFFD_FEATURE_MISSING_HUGETLBFS", 1ULL << 4},  {"UFFD_FEATURE_MISSING_SHMEM", 1ULL << 5},
    {"UFFD_FEATURE_EVENT_UNMAP", 1ULL << 6},	    {"UFFD_FEATURE_SIGBUS", 1ULL << 7},
    {"UFFD_FEATURE_THREAD_ID", 1ULL << 8},	    {"UFFD_FEATURE_MINOR_HUGETLBFS", 1ULL << 9},
    {"UFFD_FEATURE_MINOR_SHMEM", 1ULL << 10},	    {"UFFD_FEATURE_EXACT_ADDRESS", 1ULL << 11},
    {"UFFD_FEATURE_WP_HUGETLBFS_SHMEM", 1ULL << 12}, {"UFFD_FEATURE_WP_UNPOPULATED", 1ULL << 13},
    {"UFFD_FEATURE_POISON", 1ULL << 14},	    {"UFFD_FEATURE_WP_ASYNC", 1ULL << 15},
    {"UFFD_FEATURE_MOVE", 1ULL << 16},
    {"UFFDIO_REGISTER_MODE_MISSING", 1},	    {"UFFDIO_REGISTER_MODE_WP", 2},
    {"UFFDIO_REGISTER_MODE_MINOR", 4},		    {"UFFDIO_COPY_MODE_DONTWAKE", 1},
    {"UFFDIO_COPY_MODE_WP", 2},			    {"UFFDIO_ZEROPAGE_MODE_DONTWAKE", 1},
    {"O_NONBLOCK", 04000},			    {"O_CLOEXEC", 02000000},
    {"UFFD_USER_MODE_ONLY", 1},
    {"1<<_UFFDIO_REGISTER", 1ULL << 0},		    {"1<<_UFFDIO_UNREGISTER", 1ULL << 1},
    {"1<<_UFFDIO_WAKE", 1ULL << 2},		    {"1<<_UFFDIO_COPY", 1ULL << 3},
    {"1<<_UFFDIO_ZEROPAGE", 1ULL << 4},		    {"1<<_UFFDIO_MOVE", 1ULL << 5},
    {"1<<_UFFDIO_WRITEPROTECT", 1ULL << 6},	    {"1<<_UFFDIO_CONTINUE", 1ULL << 7},
    {"1<<_UFFDIO_POISON", 1ULL << 8},		    {"1<<_UFFDIO_API", 1ULL << 63},
};

/* A flag expression as strace prints these fields ("A|B|0x1e000"): 0 with
 * *out set, or -1 for a name not in the table. */
static int uffd_eval(const char *raw, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && raw[j] != '|')
			j++;
		const char *t = raw + i;
		size_t n = j - i;
		char *end;
		uint64_t x = strtoull(t, &end, 0);
		if (n && end == t + n) {
			v |= x;
		} else {
			size_t k = 0, nn = sizeof(uffd_names) / sizeof(uffd_names[0]);
			while (k < nn && !(strlen(uffd_names[k].name) == n &&
					   memcmp(uffd_names[k].name, t, n) == 0))
				k++;
			if (k == nn)
				return -1;
			v |= uffd_names[k].val;
		}
		i = j + 1;
	}
	*out = v;
	return 0;
}

/* The raw text of a struct field as printed (after "=>" when both are). */
static const struct strace_val *field(const struct strace_arg *a, const char *name)
{
	return a ? strace_arg_field(a, name) : NULL;
}

static int field_num(const struct strace_arg *a, const char *name, uint64_t *out)
{
	const struct strace_val *v = field(a, name);
	if (!v)
		return -1;
	if (v->has_num) {
		*out = v->num;
		return 0;
	}
	return v->raw ? uffd_eval(v->raw, strlen(v->raw), out) : -1;
}

/* The "A => B" of one field printed inside the struct ("features=0 =>
 * features=..."): strace's raw text holds both; the value after the last
 * "=>" is the exit value. */
static int field_out(const struct strace_arg *a, const char *name, uint64_t *out)
{
	const struct strace_val *v = field(a, name);
	if (!v || !v->raw)
		return -1;
	const char *s = v->raw, *arrow = strstr(s, "=> ");
	if (!arrow)
		return field_num(a, name, out);
	s = arrow + 3;
	const char *eq = strchr(s, '=');
	if (eq)
		s = eq + 1;
	return uffd_eval(s, strlen(s), out);
}

/* Compares an out-value the model wrote with the log's; a mismatch is a
 * divergence of the call (printed with what the model wrote). */
static bool out_matches(struct pass *p, const struct call *c, const char *what, uint64_t log,
			uint64_t model)
{
	char buf[128];
	if (log == model)
		return true;
	snprintf(buf, sizeof(buf), "0 with %s=%#llx (log %#llx)", what,
		 (unsigned long long)model, (unsigned long long)log);
	p->st->calls++;
	p->st->diverged++;
	p->group_diverged++;
	print_divergence(p, c, buf);
	return false;
}

static const struct strace_arg *arg_of(const struct call *c, int i)
{
	return c->full && i < c->full->nargs ? &c->full->args[i] : NULL;
}

void do_userfaultfd(struct pass *p, struct proc *pr, const struct call *c)
{
	vms_mm *mm = pr->sp ? pr->sp->mm : NULL;
	const struct strace_arg *fa = arg_of(c, 0);
	uint64_t flags;
	if (!mm) {
		unsupported(p, c, "the process is not modelled");
		return;
	}
	if (c->has & 1)
		flags = c->a[0];
	else if (!fa || !fa->v.raw || uffd_eval(fa->v.raw, strlen(fa->v.raw), &flags)) {
		unsupported(p, c, "flags the replay cannot read");
		return;
	}
	vms_uffd *u = NULL;
	long r = vms_userfaultfd(mm, (int)flags, &u);
	if (r == 0 && c->has_result && c->result >= 0 && pr->ft) {
		/* new_userfaultfd(): the file is opened O_RDONLY, so a shared
		 * writable mmap of it is EACCES before its missing mmap is
		 * ENODEV (breadth seed 4006) */
		struct ofd *f = ofd_new_canonical("anon_inode:[userfaultfd]", VMS_O_RDONLY);
		if (!f) {
			vms_uffd_close(u);
			r = -VMS_ENOMEM;
		} else {
			f->uffd = u;
			if (fd_install(pr->ft, (uint64_t)c->result, f))
				r = -VMS_ENOMEM;
		}
	} else if (u) {
		vms_uffd_close(u);
	}
	check_result(p, c, r == 0 && c->has_result && c->result >= 0 ? c->result : r, false, NULL);
}

/* ioctl(fd, UFFDIO_*, ...) on a descriptor of a context; other ioctls are
 * not the replay's business. */
void do_uffd_ioctl(struct pass *p, struct proc *pr, const struct call *c)
{
	const struct strace_arg *req = arg_of(c, 1), *a = arg_of(c, 2);
	if (!(c->has & 1) || !req || !req->v.raw || strncmp(req->v.raw, "UFFDIO_", 7) != 0)
		return;
	struct ofd *f = fd_get(pr->ft, c->a[0]);
	vms_uffd *u = f ? f->uffd : NULL;
	const char *name = req->v.raw;
	long r;
	if (!u) {
		/* fs/ioctl.c: a descriptor that is not open is EBADF; a file
		 * the log opened that is not a userfaultfd has no UFFDIO_*
		 * ioctl (vfs_ioctl: ENOTTY), its argument unread */
		if ((int64_t)c->a[0] < 0 || fd_closed(pr->ft, c->a[0]))
			check_result(p, c, -VMS_EBADF, false, NULL);
		else if (f)
			check_result(p, c, -VMS_ENOTTY, false, NULL);
		else
			unsupported(p, c, "a userfaultfd descriptor the log never made");
		return;
	}
	vms_mm *mm = pr->sp ? pr->sp->mm : NULL;
	uint64_t x = 0, y = 0, z = 0, m = 0;
	if (strcmp(name, "UFFDIO_API") == 0) {
		uint64_t api, want, fo = 0, io = 0, lf, li;
		/* strace prints "features=IN => features=OUT" inside the
		 * struct: the entry value is what comes before the arrow. */
		const struct strace_val *fv = field(a, "features");
		const char *arrow = fv && fv->raw ? strstr(fv->raw, "=>") : NULL;
		size_t n = fv && fv->raw ? (arrow ? (size_t)(arrow - fv->raw) : strlen(fv->raw)) : 0;
		while (n && fv->raw[n - 1] == ' ')
			n--;
		if (field_num(a, "api", &api) || !n || uffd_eval(fv->raw, n, &want)) {
			unsupported(p, c, "a uffdio_api the replay cannot read");
			return;
		}
		r = vms_uffdio_api(u, api, want, &fo, &io);
		check_result(p, c, r, false, NULL);
		if (r == 0 && c->has_result && c->result == 0 && !field_out(a, "features", &lf) &&
		    out_matches(p, c, "features", lf, fo) && !field_num(a, "ioctls", &li))
			out_matches(p, c, "ioctls", li, io);
		return;
	}
	if (strcmp(name, "UFFDIO_REGISTER") == 0) {
		const struct strace_val *range = field(a, "range");
		const struct strace_val *s = range ? strace_val_field(range, "start") : NULL;
		const struct strace_val *l = range ? strace_val_field(range, "len") : NULL;
		uint64_t io = 0, lio;
		if (!s || !l || !s->has_num || !l->has_num || field_num(a, "mode", &m)) {
			unsupported(p, c, "a uffdio_register the replay cannot read");
			return;
		}
		r = vms_uffdio_register(u, s->num, l->num, m, &io);
		check_result(p, c, r, false, mm);
		if (r == 0 && c->has_result && c->result == 0 && !field_num(a, "ioctls", &lio))
			out_matches(p, c, "ioctls", lio, io);
		return;
	}
	if (strcmp(name, "UFFDIO_UNREGISTER") == 0) {
		if (field_num(a, "start", &x) || field_num(a, "len", &y)) {
			unsupported(p, c, "a uffdio_range the replay cannot read");
			return;
		}
		check_result(p, c, vms_uffdio_unregister(u, x, y), false, mm);
		return;
	}
	if (strcmp(name, "UFFDIO_COPY") == 0) {
		int64_t done = 0;
		if (field_num(a, "dst", &x) || field_num(a, "src", &y) || field_num(a, "len", &z) ||
		    field_num(a, "mode", &m)) {
			unsupported(p, c, "a uffdio_copy the replay cannot read");
			return;
		}
		r = vms_uffdio_copy(u, x, y, z, m, &done);
		if (r == -VMS_ENOSYS)
			unsupported(p, c, "UFFDIO_COPY into hugetlb memory (huge pages in use are not modelled)");
		else
			check_result(p, c, r, false, mm);
		return;
	}
	if (strcmp(name, "UFFDIO_ZEROPAGE") == 0) {
		const struct strace_val *range = field(a, "range");
		const struct strace_val *s = range ? strace_val_field(range, "start") : NULL;
		const struct strace_val *l = range ? strace_val_field(range, "len") : NULL;
		int64_t done = 0;
		uint64_t ld;
		if (!s || !l || !s->has_num || !l->has_num || field_num(a, "mode", &m)) {
			unsupported(p, c, "a uffdio_zeropage the replay cannot read");
			return;
		}
		r = vms_uffdio_zeropage(u, s->num, l->num, m, &done);
		if (r == -VMS_ENOSYS) {
			unsupported(p, c, "UFFDIO_ZEROPAGE into hugetlb memory");
			return;
		}
		check_result(p, c, r, false, mm);
		if (r == 0 && c->has_result && c->result == 0 && !field_num(a, "zeropage", &ld))
			out_matches(p, c, "zeropage", ld, (uint64_t)done);
		return;
	}
	if (strcmp(name, "UFFDIO_WAKE") == 0) {
		unsupported(p, c, "UFFDIO_WAKE wakes faulting threads, which the model has none of");
		return;
	}
	if (strcmp(name, "UFFDIO_WRITEPROTECT") == 0) {
		unsupported(p, c, "UFFDIO_WRITEPROTECT changes page-table bits the model does not keep");
		return;
	}
	if (strcmp(name, "UFFDIO_CONTINUE") == 0) {
		unsupported(p, c, "UFFDIO_CONTINUE maps page-cache pages whose presence the model "
				  "does not know");
		return;
	}
	unsupported(p, c, "%s is not modelled (UFFDIO_MOVE moves pages between anon_vmas, "
			  "UFFDIO_POISON installs poison markers)",
		    name);
}
