/*
 * replay_exec.c: what `vmspace replay` does at an execve or execveat line.
 * The process gets a new address space built from the program's binary on
 * this host as the kernel builds it (vms_execve), with the argv and the
 * environment the line shows; the call's result is checked like a memory
 * call's (a failed execve must fail with the recorded errno, and leaves the
 * process as it was). The first process's leading execve builds it this way
 * when no --initial-maps are given. The program's files are the host's,
 * each looked at once per pass (host_files.c). Not here: processes and
 * their spaces (procs.c), the files the program opens later (fds.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "replay_int.h"

#define AT_FDCWD_ ((uint64_t)-100)
#define AT_EMPTY_PATH_ 0x1000ULL

/* A NULL-terminated string vector taken from an argument. */
struct strv {
	char **v;
	int n;
	int approximated; /* strace printed only a count ("/ * N vars * /") or cut strings */
	int counted;      /* only a count */
};

static void strv_free(struct strv *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int strv_push(struct strv *s, const char *str, size_t len)
{
	char **nv = realloc(s->v, (size_t)(s->n + 2) * sizeof(*nv));
	if (!nv)
		return -1;
	s->v = nv;
	s->v[s->n] = strndup(str, len);
	if (!s->v[s->n])
		return -1;
	s->n++;
	s->v[s->n] = NULL;
	return 0;
}

/*
 * argv or envp as strace prints them: an array of strings (all of them with
 * -v; without it envp is "0x7ffd... / * 23 vars * /", and long strings are
 * cut at -s). What is not printed is approximated: a counted variable becomes
 * a short "X=" (only the [stack] extent and the initial stack pointer depend
 * on the sizes), a cut string keeps what was printed.
 */
static int strv_from(const struct strace_val *v, struct strv *out)
{
	memset(out, 0, sizeof(*out));
	if (strv_push(out, "", 0))
		return -1;
	free(out->v[0]);
	out->n = 0;
	out->v[0] = NULL;
	if (v->kind == SV_NULL)
		return 0;
	if (v->kind == SV_ARRAY) {
		for (int i = 0; i < v->nfields; i++) {
			const struct strace_val *e = &v->fields[i].v;
			if (e->kind != SV_STR)
				return -1;
			if (e->str_truncated)
				out->approximated = 1;
			if (strv_push(out, e->str, e->str_len))
				return -1;
		}
		if (v->elided)
			out->approximated = 1;
		return 0;
	}
	const char *c = v->raw ? strstr(v->raw, "/*") : NULL;
	int count;
	if (c && sscanf(c, "/* %d var", &count) == 1 && count >= 0 && count < 1000000) {
		for (int i = 0; i < count; i++)
			if (strv_push(out, "X=", 2))
				return -1;
		out->approximated = out->counted = 1;
		return 0;
	}
	return -1;
}

/* The learned choices of the execve on lineno (create: a new empty entry). */
static struct exec_learned *learned_for(struct pass *p, int lineno, bool create)
{
	struct learn_set *ls = p->learn;
	if (!ls)
		return NULL;
	for (int i = 0; i < ls->n; i++)
		if (ls->v[i].lineno == lineno)
			return &ls->v[i];
	if (!create || ls->frozen)
		return NULL;
	if (ls->n == ls->cap) {
		int n = ls->cap ? ls->cap * 2 : 8;
		struct exec_learned *v = realloc(ls->v, (size_t)n * sizeof(*v));
		if (!v)
			return NULL;
		ls->v = v;
		ls->cap = n;
	}
	struct exec_learned *e = &ls->v[ls->n++];
	memset(e, 0, sizeof(*e));
	e->lineno = lineno;
	return e;
}

/* What a space built by an execve keeps for --follow, and (in the pass that
 * prints) which random choices came from the log. */
static void exec_space_facts(struct pass *p, struct space *sp, int lineno,
			     const struct vms_exec_info *info, const struct exec_learned *lr)
{
	sp->exec_line = lineno;
	sp->randomized = p->o->follow;
	sp->used = info->layout;
	sp->relro_start = info->relro_start;
	sp->relro_end = info->relro_end;
	sp->loader = !info->interp[0] && info->load_bias;
	if (sp->first)
		p->brk_set = 1; /* the exec placed the brk: the log must agree */
	if (!lr || !p->err)
		return;
	static const char *const what[4] = {"mmap_base (and ld.so, the vDSO)", "the stack top",
					    "the program's load bias", "start_brk"};
	static const unsigned bit[4] = {VMS_EXEC_FIX_MMAP, VMS_EXEC_FIX_STACK, VMS_EXEC_FIX_LOAD,
					VMS_EXEC_FIX_BRK};
	for (int i = 0; i < 4; i++)
		if (lr->layout.fixed & bit[i])
			fprintf(p->err,
				"vmspace replay: line %d: ASLR: %s of this execve taken from the "
				"result on line %d\n",
				lineno, what[i], lr->from[i]);
}

static void learn(struct pass *p, const struct space *sp, unsigned bit, int from, uint64_t v)
{
	struct exec_learned *e = learned_for(p, sp->exec_line, true);
	if (!e || (e->layout.fixed & bit))
		return;
	e->layout.fixed |= bit;
	int i = bit == VMS_EXEC_FIX_MMAP ? 0 : bit == VMS_EXEC_FIX_STACK ? 1
					     : bit == VMS_EXEC_FIX_LOAD	 ? 2
									 : 3;
	switch (i) {
	case 0:
		e->layout.mmap_rnd = v;
		break;
	case 1:
		e->layout.stack_rnd = v;
		break;
	case 2:
		/* The brk's base is the image's end: a brk learned before moves
		 * back by as much as the image moves. */
		if (e->layout.fixed & VMS_EXEC_FIX_BRK)
			e->layout.brk_rnd -= v - sp->used.load_rnd;
		e->layout.load_rnd = v;
		break;
	default:
		e->layout.brk_rnd = v;
		break;
	}
	e->from[i] = from;
	p->learn->changed = 1;
}

#define MAP_FIXED_BITS_ 0x100010ULL /* MAP_FIXED | MAP_FIXED_NOREPLACE */

/*
 * The first brk(NULL) shows start_brk; the first mmap without an address
 * shows mmap_base (everything the exec put below it moves with it); ld.so's
 * mprotect of the program's RELRO shows the load bias (of a static PIE:
 * mmap_base again). Each difference from the model's choice becomes the
 * choice, as a number of pages, and the replay runs again with it.
 */
int exec_follow_learn(struct pass *p, struct proc *pr, const struct call *c, long r)
{
	struct space *sp = pr->sp;
	if (!p->learn || p->learn->frozen || !sp || !sp->randomized || !c->has_result ||
	    c->result < 0)
		return 0;
	int64_t delta = (int64_t)((uint64_t)c->result - (uint64_t)r);
	int changed = p->learn->changed;
	switch (c->sc) {
	case SC_BRK:
		if (c->a[0] || sp->brk_seen++)
			break;
		if (r != c->result && r > 0)
			learn(p, sp, VMS_EXEC_FIX_BRK, c->lineno,
			      sp->used.brk_rnd + (uint64_t)(delta / (int64_t)VMS_PAGE_SIZE));
		break;
	case SC_MMAP:
		if (c->a[0] || (c->a[3] & MAP_FIXED_BITS_) || sp->mmap_seen++)
			break;
		if (r != c->result && r > 0)
			learn(p, sp, VMS_EXEC_FIX_MMAP, c->lineno,
			      sp->used.mmap_rnd - (uint64_t)(delta / (int64_t)VMS_PAGE_SIZE));
		break;
	case SC_MPROTECT:
		if (r == 0 || c->result != 0 || !sp->relro_start || c->a[0] == sp->relro_start ||
		    c->a[1] != sp->relro_end - sp->relro_start)
			break;
		delta = (int64_t)(c->a[0] - sp->relro_start);
		if (sp->loader)
			learn(p, sp, VMS_EXEC_FIX_MMAP, c->lineno,
			      sp->used.mmap_rnd - (uint64_t)(delta / (int64_t)VMS_PAGE_SIZE));
		else
			learn(p, sp, VMS_EXEC_FIX_LOAD, c->lineno,
			      sp->used.load_rnd + (uint64_t)(delta / (int64_t)VMS_PAGE_SIZE));
		break;
	default:
		break;
	}
	return p->learn->changed && !changed;
}

/* The process's limits as they stand: exec keeps them (and RLIMIT_STACK
 * decides the new layout). vms_execve takes them from the old space itself;
 * this is for a process the replay does not model (no old space). */
static void current_limits(const vms_mm *mm, struct vms_mm_config *cfg)
{
	if (!mm)
		return;
	vms_mm *m = (vms_mm *)mm; /* a query changes nothing */
	vms_prlimit(m, VMS_RLIMIT_STACK, NULL, &cfg->rlim_stack);
	vms_prlimit(m, VMS_RLIMIT_DATA, NULL, &cfg->rlim_data);
	vms_prlimit(m, VMS_RLIMIT_AS, NULL, &cfg->rlim_as);
	vms_prlimit(m, VMS_RLIMIT_MEMLOCK, NULL, &cfg->rlim_memlock);
	cfg->has_rlimits = 1;
}

/* The new program's space replaces the process's: other threads of the old
 * space end with it (de_thread), a vfork parent keeps the old one. */
static struct proc *take_new_space(struct pass *p, struct proc *pr, vms_mm *mm,
				   const char *prog, const char *why)
{
	struct space *sp = space_new(p, mm);
	if (!sp) {
		vms_mm_free(mm);
		return pr;
	}
	struct fdtab *ft = fdtab_copy(pr->ft);
	if (!ft)
		return pr;
	struct cwd *cwd = pr->cwd; /* execve keeps the working directory */
	if (cwd)
		cwd->refs++;
	sp->id = pr->pid;
	sp->why = why;
	/* The first process's program changes; a vfork child that borrowed its
	 * space is another process. */
	sp->first = !pr->borrowed_vm && pr->sp && pr->sp->first;
	if (sp->first)
		pr->sp->first = 0;
	sp->prog = prog ? strdup(prog) : NULL;
	int pid = pr->pid;
	if (pr->borrowed_vm) {
		proc_exit(p, pr); /* a vfork child leaves the parent's space as it was */
	} else {
		/* The System V segments the process created stay its own when
		 * its old space goes (exec_mmap, not exit_shm). */
		if (mm && pr->sp && pr->sp->mm)
			vms_exec_commit(mm, pr->sp->mm);
		exit_space_procs(p, pr->sp); /* de_thread(): the other threads end */
	}
	struct proc *npr = proc_add(p, pid, sp, ft);
	if (npr)
		npr->cwd = cwd;
	else
		cwd_put(cwd);
	return npr;
}

/* The program's path as execve resolves it: absolute, or joined to the
 * process's working directory (or execveat's directory). NULL when the log
 * does not tell. */
static char *exec_path(const struct proc *pr, const struct call *c, int *empty_path)
{
	const struct strace_line *l = c->full;
	int pi = c->sc == SC_EXECVEAT ? 1 : 0;
	*empty_path = 0;
	if (!l || pi >= l->nargs || l->args[pi].v.kind != SV_STR || l->args[pi].v.str_truncated)
		return NULL;
	const char *name = l->args[pi].v.str;
	if (c->sc == SC_EXECVEAT) {
		const struct strace_val *dirfd = &l->args[0].v;
		uint64_t flags = l->nargs > 4 && l->args[4].v.has_num ? l->args[4].v.num : 0;
		if (!name[0] && (flags & AT_EMPTY_PATH_)) {
			*empty_path = 1;
			return dirfd->fd_path ? strdup(dirfd->fd_path) : NULL;
		}
		if (name[0] != '/' && !(dirfd->has_num && dirfd->num == AT_FDCWD_)) {
			if (!dirfd->fd_path)
				return NULL;
			char *r = NULL;
			if (asprintf(&r, "%s/%s", dirfd->fd_path, name) < 0)
				return NULL;
			return r;
		}
	}
	if (name[0] == '/' || !name[0])
		return strdup(name);
	if (!pr->cwd || !pr->cwd->path)
		return NULL;
	char *r = NULL;
	if (asprintf(&r, "%s/%s", pr->cwd->path, name) < 0)
		return NULL;
	return r;
}

void do_execve(struct pass *p, struct proc *pr, const struct call *c)
{
	const struct strace_line *l = c->full;
	int ai = c->sc == SC_EXECVEAT ? 2 : 1;
	if (!l || l->kind == SL_RESUMED) {
		unsupported(p, c, "its start (the arguments) is not in the log");
		return;
	}
	int empty_path;
	char *path = exec_path(pr, c, &empty_path);
	struct strv argv, envp;
	if (!path || l->nargs <= ai + 1 || strv_from(&l->args[ai].v, &argv)) {
		free(path);
		unsupported(p, c, "the program or its arguments are not in the log");
		if (c->has_result && c->result == 0)
			take_new_space(p, pr, NULL, NULL,
				       "a program started by an execve the log does not show whole");
		return;
	}
	if (strv_from(&l->args[ai + 1].v, &envp)) {
		strv_free(&argv);
		free(path);
		unsupported(p, c, "its environment is not in the log");
		return;
	}
	if ((argv.approximated || envp.approximated) && !p->exec_approx_warned) {
		p->exec_approx_warned = 1;
		warn(p, c->lineno,
		     "execve: %s; [stack] and the initial stack pointer are approximated "
		     "(record with strace -f -v -s 4096 for exact ones)",
		     envp.counted ? "strace printed only how many environment variables there are"
				  : "strace cut some argument or environment strings (its -s)");
	}
	/* A program that is not on this host cannot be built: say so, once a
	 * program, and leave the process unmodelled. */
	struct stat sb;
	bool on_host = host_stat(p, path, &sb);
	if (!on_host && c->has_result && c->result == 0) {
		warn(p, c->lineno, "execve: %s is not on this host: pid %d is not modelled from "
				   "here on", path, pr->pid);
		unsupported(p, c, "the program is not on this host");
		take_new_space(p, pr, NULL, NULL, "its program is not on this host");
		goto out;
	}
	struct vms_mm_config cfg = p->cfg;
	current_limits(pr->sp ? pr->sp->mm : NULL, &cfg);
	/* A log recorded with ASLR on (--follow): the model randomises as the
	 * kernel did and takes what the log has shown of its choices. With the
	 * old space, vms_execve takes the process's own personality, limits,
	 * credentials and policies from it (cfg gives the seed): a learned
	 * choice applies whether the model randomises or not. */
	if (p->o->follow)
		cfg.personality &= ~(unsigned)VMS_ADDR_NO_RANDOMIZE;
	const struct exec_learned *lr = learned_for(p, c->lineno, false);
	/* A distinct stream of random choices for every exec of the replay. */
	cfg.seed = p->cfg.seed + (uint64_t)++p->nexecs * 0x9e3779b97f4a7c15ULL;
	struct vms_exec_args args = {
	    .filename = path,
	    .argv = (const char *const *)argv.v,
	    .envp = (const char *const *)envp.v,
	    .fs = host_exec_fs(p),
	    .cwd = pr->cwd ? pr->cwd->path : NULL,
	    .layout = lr ? &lr->layout : NULL,
	};
	struct vms_exec_info info;
	long err = 0;
	vms_mm *mm = vms_execve(p->sys, pr->sp ? pr->sp->mm : NULL, &cfg, &args, &info, &err);
	check_result(p, c, mm ? 0 : err, false, pr->sp ? pr->sp->mm : NULL);
	if (mm) {
		if (c->has_result && c->result == 0) {
			struct proc *npr = take_new_space(p, pr, mm, path, NULL);
			if (npr && npr->sp && npr->sp->mm == mm)
				exec_space_facts(p, npr->sp, c->lineno, &info, lr);
		} else {
			vms_mm_free(mm); /* the log's exec failed: the process stays */
		}
		vms_exec_info_free(&info);
	} else if (c->has_result && c->result == 0) {
		take_new_space(p, pr, NULL, NULL, "its execve failed in the model");
	}
out:
	strv_free(&argv);
	strv_free(&envp);
	free(path);
}
