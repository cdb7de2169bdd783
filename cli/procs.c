/*
 * procs.c: what `vmspace replay` follows of processes: their address spaces
 * (shared by CLONE_VM, copied by fork, dropped at exit), clone/fork/vfork and
 * the pids they return, and the fault rule applied before a fork. Not here:
 * descriptors (fds.c) or the memory calls (replay.c).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "replay_int.h"

static void space_put(struct pass *p, struct space *s);

struct space *space_new(struct pass *p, vms_mm *mm)
{
	struct space *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	if (p->nspaces == p->capspaces) {
		int n = p->capspaces ? p->capspaces * 2 : 8;
		struct space **v = realloc(p->spaces, (size_t)n * sizeof(*v));
		if (!v) {
			free(s);
			return NULL;
		}
		p->spaces = v;
		p->capspaces = n;
	}
	s->refs = 1;
	s->mm = mm;
	p->spaces[p->nspaces++] = s;
	if (mm)
		p->st->processes++;
	return s;
}

/* The address space ends (exit_group, the last thread's exit, execve): its
 * maps are kept for --maps and --final-maps, its memory goes back. */
void space_end(struct pass *p, struct space *s)
{
	if (!s || s->exited)
		return;
	s->exited = 1;
	if (s->mm) {
		if (s->first) {
			free(p->st->final_maps);
			p->st->final_maps = strdup(maps_of(p, s->mm));
		}
		if (p->o->print_maps || p->o->print_smaps || p->o->print_smaps_rollup)
			s->maps_at_exit = report_of(p, s->mm);
		if (p->o->space_exit)
			p->o->space_exit(p->o->space_exit_arg, s->id, s->mm, maps_of(p, s->mm));
		vms_mm_free(s->mm);
		s->mm = NULL;
	}
}

static void space_put(struct pass *p, struct space *s)
{
	if (s && --s->refs == 0)
		space_end(p, s);
}

struct proc *proc_find(struct pass *p, int pid)
{
	if (p->last_proc < p->nprocs && p->procs[p->last_proc].pid == pid &&
	    p->procs[p->last_proc].alive)
		return &p->procs[p->last_proc];
	/* The latest of the live ones: a log of a long shell loop has made
	 * thousands of processes, of which a few live. */
	for (int k = p->nalive - 1; k >= 0; k--) {
		int i = p->alive[k];
		if (p->procs[i].pid == pid) {
			p->last_proc = i;
			return &p->procs[i];
		}
	}
	return NULL;
}

struct proc *proc_add(struct pass *p, int pid, struct space *sp, struct fdtab *ft)
{
	if (p->nprocs == p->capprocs) {
		int n = p->capprocs ? p->capprocs * 2 : 16;
		struct proc *v = realloc(p->procs, (size_t)n * sizeof(*v));
		if (!v)
			return NULL;
		p->procs = v;
		p->capprocs = n;
	}
	if (pidset_add(&p->seen, pid) < 0)
		return NULL;
	if (p->nalive == p->capalive) {
		int n = p->capalive ? p->capalive * 2 : 16;
		int *v = realloc(p->alive, (size_t)n * sizeof(*v));
		if (!v)
			return NULL;
		p->alive = v;
		p->capalive = n;
	}
	p->alive[p->nalive++] = p->nprocs;
	struct proc *pr = &p->procs[p->nprocs++];
	*pr = (struct proc){.pid = pid, .alive = 1, .sp = sp, .ft = ft};
	return pr;
}

void proc_exit(struct pass *p, struct proc *pr)
{
	if (!pr->alive)
		return;
	pr->alive = 0;
	int i = (int)(pr - p->procs), k = p->nalive - 1;
	while (k >= 0 && p->alive[k] != i)
		k--;
	if (k >= 0) {
		memmove(&p->alive[k], &p->alive[k + 1], (size_t)(p->nalive - k - 1) * sizeof(int));
		p->nalive--;
	}
	space_put(p, pr->sp);
	fdtab_put(pr->ft);
	cwd_put(pr->cwd);
	pr->sp = NULL;
	pr->ft = NULL;
	pr->cwd = NULL;
}

/* ---- Processes and faults ------------------------------------------------ */

#define CLONE_VM_ 0x100ULL
#define CLONE_FS_ 0x200ULL
#define CLONE_FILES_ 0x400ULL
#define CLONE_VFORK_ 0x4000ULL
#define CLONE_THREAD_ 0x10000ULL
#define VM_WRITE_ 0x2ULL
#define VM_SHARED_ 0x8ULL

/* The fault rule (see the top of the file): before a fork, every private
 * writable VMA is taken as written, so that it has an anon_vma as the
 * kernel's dup_mmap() would copy it (anon_vma_fork()). */
void fault_rule(vms_mm *mm)
{
	const vms_vma *v;
	uint64_t addr = 0;
	/* vms_fault may change the VMA list, so walk by address */
	while ((v = vms_find_vma(mm, addr))) {
		struct vms_vma_info i;
		vms_vma_get_info(v, &i);
		if ((i.vm_flags & VM_WRITE_) && !(i.vm_flags & VM_SHARED_) && !i.anon_vma)
			vms_fault(mm, i.start, 1);
		if (i.end == 0)
			break;
		addr = i.end;
	}
}

struct proc *do_clone(struct pass *p, struct proc *parent, uint64_t flags, int child,
			     int lineno)
{
	struct space *sp;
	struct fdtab *ft;
	struct cwd *cwd;
	struct proc *pr;
	if (flags & CLONE_VM_) {
		sp = parent->sp;
		sp->refs++;
	} else {
		vms_mm *mm = NULL;
		if (parent->sp->mm) {
			int e = 0;
			fault_rule(parent->sp->mm);
			mm = vms_fork(parent->sp->mm, &e);
			if (!mm)
				warn(p, lineno, "fork of pid %d: %s; pid %d is not modelled",
				     parent->pid, vms_strerror(e), child);
		}
		sp = space_new(p, mm);
		if (!sp) {
			vms_mm_free(mm);
			return NULL;
		}
		sp->id = child;
		if (parent->sp->prog)
			sp->prog = strdup(parent->sp->prog);
		if (!mm)
			sp->why = parent->sp->mm ? "its fork failed in the model" : parent->sp->why;
	}
	if (flags & CLONE_FILES_) {
		ft = parent->ft;
		ft->refs++;
	} else {
		ft = fdtab_copy(parent->ft);
	}
	if (flags & CLONE_FS_) {
		cwd = parent->cwd;
		if (cwd)
			cwd->refs++;
	} else {
		cwd = cwd_new(parent->cwd ? parent->cwd->path : NULL);
	}
	if (!ft) {
		space_put(p, sp);
		cwd_put(cwd);
		return NULL;
	}
	/* proc_add may move the array: parent is not used after it */
	pr = proc_add(p, child, sp, ft);
	if (pr) {
		pr->cwd = cwd;
		pr->borrowed_vm = (flags & CLONE_VM_) && !(flags & CLONE_THREAD_);
	} else {
		cwd_put(cwd);
	}
	return pr;
}

uint64_t clone_flags(const struct strace_line *l, enum sc sc)
{
	if (sc == SC_FORK)
		return 17; /* SIGCHLD */
	if (sc == SC_VFORK)
		return CLONE_VM_ | CLONE_VFORK_ | 17;
	if (sc == SC_CLONE3 && l->nargs > 0) {
		const struct strace_val *f = strace_arg_field(&l->args[0], "flags");
		return f && f->has_num ? f->num : 0;
	}
	for (int i = 0; i < l->nargs; i++)
		if (l->args[i].name && !strcmp(l->args[i].name, "flags") && l->args[i].v.has_num)
			return l->args[i].v.num;
	/* clone(2) without names: flags are the first argument */
	return l->nargs > 0 && l->args[0].v.has_num ? l->args[0].v.num : 0;
}

void pending_clone_add(struct pass *p, int pid, uint64_t flags, int lineno)
{
	if (p->npclones == p->cappclones) {
		int n = p->cappclones ? p->cappclones * 2 : 8;
		struct pending_clone *v = realloc(p->pclones, (size_t)n * sizeof(*v));
		if (!v)
			return;
		p->pclones = v;
		p->cappclones = n;
	}
	p->pclones[p->npclones++] = (struct pending_clone){pid, flags, lineno};
}

static void pending_clone_drop(struct pass *p, int i, struct pending_clone *out)
{
	if (out)
		*out = p->pclones[i];
	memmove(&p->pclones[i], &p->pclones[i + 1],
		(size_t)(p->npclones - i - 1) * sizeof(p->pclones[0]));
	p->npclones--;
}

/* The clone that began on lineno in pid, when it completes. */
int pending_clone_take(struct pass *p, int pid, int lineno, struct pending_clone *out)
{
	for (int i = 0; i < p->npclones; i++)
		if (p->pclones[i].pid == pid && p->pclones[i].lineno == lineno) {
			pending_clone_drop(p, i, out);
			return 1;
		}
	return 0;
}

/* The clone a new pid whose first line is lineno comes from: the latest one
 * begun before that line whose parent is known (lines are parsed ahead of
 * the calls applied, so later clones may already be pending: a vfork child
 * runs, and prints, while its parent's vfork is unfinished). */
int pending_clone_for_child(struct pass *p, int lineno, struct pending_clone *out)
{
	int best = -1, any = -1;
	for (int i = 0; i < p->npclones; i++) {
		if (p->pclones[i].lineno >= lineno)
			continue;
		if (any < 0 || p->pclones[i].lineno > p->pclones[any].lineno)
			any = i;
		if (proc_find(p, p->pclones[i].pid) &&
		    (best < 0 || p->pclones[i].lineno > p->pclones[best].lineno))
			best = i;
	}
	if (best < 0)
		best = any;
	if (best < 0)
		return 0;
	pending_clone_drop(p, best, out);
	return 1;
}

/* The process a call belongs to: known, the first, a child whose clone is
 * still unfinished, or else a stranger that is not modelled. */
struct proc *proc_for(struct pass *p, int pid, int lineno)
{
	struct proc *pr = proc_find(p, pid);
	struct pending_clone pc;
	if (pr)
		return pr;
	if (p->nprocs == 0) {
		struct fdtab *ft = fdtab_new();
		struct space *sp = first_space(p);
		if (!ft || !sp)
			return NULL;
		sp->id = pid;
		pr = proc_add(p, pid, sp, ft);
		if (pr)
			pr->cwd = cwd_new(p->o->cwd);
		return pr;
	}
	if (pending_clone_for_child(p, lineno, &pc)) {
		struct proc *parent = proc_find(p, pc.pid);
		if (!parent) {
			/* the first process printed without a pid */
			for (int i = 0; i < p->nprocs && !parent; i++)
				if (p->procs[i].alive && p->procs[i].sp && p->procs[i].sp->first)
					parent = &p->procs[i];
		}
		if (parent) {
			return do_clone(p, parent, pc.flags, pid, lineno);
		}
	}
	warn(p, lineno, "pid %d appears without a traced clone; it is not modelled", pid);
	struct space *sp = space_new(p, NULL);
	struct fdtab *ft = fdtab_new();
	if (!sp || !ft) {
		free(ft);
		return NULL;
	}
	sp->why = "a process whose clone is not in the log";
	pr = proc_add(p, pid, sp, ft);
	if (pr)
		pr->cwd = cwd_new(NULL);
	return pr;
}

bool pid_seen(struct pass *p, int pid)
{
	return pidset_has(&p->seen, pid);
}

