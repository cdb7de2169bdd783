/*
 * exec.c: the execve system call's own part (fs/exec.c do_execveat_common,
 * bprm_execve, exec_binprm, setup_arg_pages, mm/vma_exec.c) and the #!
 * handler (fs/binfmt_script.c): opening the file, the argument and
 * environment strings at the top of the new stack with their limits, the
 * loop over binary handlers with its nesting limit, the new address space at
 * the point of no return and the stack's final place and size.
 * Not here: what an ELF image maps (binfmt_elf.c), reading the host's files
 * (host.c vms_exec_host_fs).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounting.h"
#include "cred.h"
#include "exec.h"
#include "fault.h"
#include "file.h"
#include "mempolicy.h"
#include "prctl.h"
#include "rss.h"
#include "vma.h"

/* include/uapi/linux/stat.h */
#define S_IFMT_ 0170000
#define S_IFREG_ 0100000
#define S_IFDIR_ 0040000

/* Binary handlers may rewrite the file this many times (exec_binprm). */
#define MAX_REWRITE_DEPTH 5

/* include/uapi/linux/personality.h: READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE,
 * ADDR_COMPAT_LAYOUT and MMAP_PAGE_ZERO (0x0100000). */
#define PER_CLEAR_ON_SETID                                                                         \
	(VMS_READ_IMPLIES_EXEC | VMS_ADDR_NO_RANDOMIZE | VMS_ADDR_COMPAT_LAYOUT | 0x0100000u)

uint64_t exec_random(struct bprm *b)
{
	if (b->mm)
		return mm_random(b->mm);
	uint64_t z = (b->rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* ---- files ---- */

/* fs/namei.c generic_permission() for MAY_EXEC: root (CAP_DAC_OVERRIDE)
 * needs one execute bit anywhere; others the bit of their class. The ids
 * are the caller's as they stand before the exec (do_open_execat runs with
 * the old credentials): vms_execve puts old's there when it has one. */
static bool may_exec(const struct vms_mm_config *cfg, const struct vms_exec_stat *st)
{
	uint32_t mode = st->mode;
	uint32_t euid = cfg->has_creds ? cfg->creds.euid : 0,
		 egid = cfg->has_creds ? cfg->creds.egid : 0;
	if (euid == 0)
		return (mode & 0111) != 0;
	if (st->uid == euid)
		return (mode & 0100) != 0;
	if (st->gid == egid)
		return (mode & 0010) != 0;
	return (mode & 0001) != 0;
}

/* An inode of the system open for writing refuses exec (exe_file_deny_write_access). */
static bool inode_open_for_write(const vms_sys *sys, const struct vms_exec_stat *st)
{
	for (const struct vms_inode *i = sys->inodes; i; i = i->next)
		if (i->dev_major == st->dev_major && i->dev_minor == st->dev_minor &&
		    i->ino == st->ino)
			return i->i_writecount > 0;
	return false;
}

int exec_open(struct bprm *b, const char *path, struct exec_file **out)
{
	/* fs/namei.c getname(): an empty name is ENOENT, PATH_MAX counts the NUL. */
	size_t len = strlen(path);
	if (len == 0)
		return -ENOENT;
	if (len >= EXEC_PATH_MAX)
		return -ENAMETOOLONG;
	/* zeroed but for the path (4 KiB, a string): an exec opens two or three */
	struct exec_file *f = sys_malloc(b->sys, sizeof(*f));
	if (!f)
		return -ENOMEM;
	memset((char *)f + sizeof(f->path), 0, sizeof(*f) - sizeof(f->path));
	f->path[0] = '\0';
	char *joined = NULL;
	const char *name = path;
	if (path[0] != '/' && b->cwd) {
		size_t cl = strlen(b->cwd);
		joined = sys_malloc(b->sys, cl + len + 2);
		if (!joined) {
			sys_free(b->sys, f);
			return -ENOMEM;
		}
		memcpy(joined, b->cwd, cl);
		joined[cl] = '/';
		memcpy(joined + cl + 1, path, len + 1);
		name = joined;
	}
	int err = b->fs->stat(b->fs->arg, name, &f->st, f->path, sizeof(f->path));
	sys_free(b->sys, joined);
	f->path[sizeof(f->path) - 1] = '\0';
	/* fs/namei.c may_open(): a directory or anything but a regular file
	 * cannot be executed; then the permission bits; then (do_open_execat)
	 * a noexec mount, and a file someone has open for writing. */
	if (!err && ((f->st.mode & S_IFMT_) == S_IFDIR_ || (f->st.mode & S_IFMT_) != S_IFREG_))
		err = -EACCES;
	if (!err && !may_exec(b->cfg, &f->st))
		err = -EACCES;
	if (!err && f->st.noexec)
		err = -EACCES;
	if (!err && inode_open_for_write(b->sys, &f->st))
		err = -ETXTBSY;
	if (err) {
		sys_free(b->sys, f);
		return err;
	}
	*out = f;
	return 0;
}

int exec_open_kernel_name(struct bprm *b, const char *path, struct exec_file **out)
{
	/* open_exec() takes the name without getname()'s empty-name check:
	 * "" walks to the working directory, which is no file to execute. */
	if (!*path)
		return -EACCES;
	return exec_open(b, path, out);
}

void exec_file_free(struct bprm *b, struct exec_file *f)
{
	if (!f)
		return;
	if (f->vfile)
		vms_file_close(f->vfile);
	sys_free(b->sys, f);
}

int exec_read(struct bprm *b, const struct exec_file *f, uint64_t off, void *buf, size_t len)
{
	long r = b->fs->read(b->fs->arg, f->path, off, buf, len);
	if (r < 0)
		return (int)r;
	return (size_t)r == len ? 0 : -EIO;
}

struct vms_file *exec_vms_file(struct bprm *b, struct exec_file *f)
{
	if (f->vfile)
		return f->vfile;
	struct vms_inode_info ii = {
	    .dev_major = f->st.dev_major,
	    .dev_minor = f->st.dev_minor,
	    .ino = f->st.ino,
	    .size = f->st.size,
	    .path = f->path,
	    .flags = f->st.noexec ? VMS_INODE_NOEXEC : 0,
	};
	vms_inode *ino = vms_inode_get(b->sys, &ii);
	if (!ino)
		return NULL;
	/* Maps prints the name the file was opened by (d_path of the
	 * dentry): a hard link of a known inode names it anew, unless other
	 * mappings show the old name (one name per inode here). */
	if (strcmp(ino->path, f->path) != 0 && ino->i_mmap_count == 0) {
		size_t n = strlen(f->path) + 1;
		char *p = sys_malloc(b->sys, n);
		if (!p)
			return NULL;
		memcpy(p, f->path, n);
		sys_free(b->sys, ino->path);
		ino->path = p;
	}
	/* open_exec(): read-only, as every mapping of the image is private. */
	f->vfile = vms_file_open(ino, VMS_O_RDONLY);
	return f->vfile;
}

/* ---- the strings at the top of the stack ---- */

int exec_stack_room(struct bprm *b, uint64_t a)
{
	uint64_t need = b->top - a;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 2 * PAGE_SIZE;
	while (cap < need)
		cap *= 2;
	uint8_t *n = sys_calloc(b->sys, 1, cap);
	if (!n)
		return -ENOMEM;
	if (b->cap)
		memcpy(n + cap - b->cap, b->strings, b->cap);
	sys_free(b->sys, b->strings);
	b->strings = n;
	b->cap = cap;
	return 0;
}

/* The stack VMA follows the strings down a page at a time (get_arg_page's
 * expand_downwards): past RLIMIT_STACK that fails and the copy is E2BIG. */
static uint64_t rlim_stack_cur(const struct bprm *b)
{
	return b->cfg->has_rlimits ? b->cfg->rlim_stack.cur : 8ULL << 20;
}

/* copy_string_kernel() and one string of copy_strings(): len counts the NUL. */
static int push_string(struct bprm *b, const char *s, size_t len)
{
	if (len > MAX_ARG_STRLEN)
		return -E2BIG;
	if (b->p - b->argmin < len || b->p < len)
		return -E2BIG;
	uint64_t p = b->p - len;
	if (b->top - (p & PAGE_MASK) > rlim_stack_cur(b))
		return -E2BIG;
	int err = exec_stack_room(b, p);
	if (err)
		return err;
	memcpy(exec_stack_at(b, p), s, len - 1);
	*exec_stack_at(b, p + len - 1) = '\0';
	b->p = p;
	if (p < b->lowest)
		b->lowest = p;
	return 0;
}

/* strnlen_user(str, MAX_ARG_STRLEN): past the limit it reports limit + 1. */
static size_t arg_len(const char *s)
{
	size_t n = 0;
	while (n <= MAX_ARG_STRLEN && s[n])
		n++;
	return n + 1;
}

static int copy_strings(struct bprm *b, int count, const char *const *v)
{
	for (int i = count - 1; i >= 0; i--) {
		int err = push_string(b, v[i], arg_len(v[i]));
		if (err)
			return err;
	}
	return 0;
}

static int count_strings(const char *const *v)
{
	int n = 0;
	while (v && v[n])
		n++;
	return n;
}

/* fs/exec.c bprm_stack_limits(): the strings and their pointers get a
 * quarter of RLIMIT_STACK, at most 6 MiB, at least 128 KiB. */
static int bprm_stack_limits(struct bprm *b)
{
	uint64_t limit = min_u64(STK_LIM / 4 * 3, rlim_stack_cur(b) / 4);
	limit = max_u64(limit, ARG_MAX_BYTES);
	uint64_t ptr_size = ((uint64_t)(b->argc ? b->argc : 1) + (uint64_t)b->envc) * 8;
	if (limit <= ptr_size)
		return -E2BIG;
	limit -= ptr_size;
	b->argmin = b->p - limit;
	return 0;
}

/* fs/exec.c remove_arg_zero(): argv[0] leaves (the VMA keeps its size). */
static void remove_arg_zero(struct bprm *b)
{
	if (!b->argc)
		return;
	while (b->p < b->top && *exec_stack_at(b, b->p))
		b->p++;
	b->p++;
	b->argc--;
}

/* ---- fs/binfmt_script.c ---- */

static bool spacetab(char c)
{
	return c == ' ' || c == '\t';
}

static const char *next_non_spacetab(const char *first, const char *last)
{
	for (; first <= last; first++)
		if (!spacetab(*first))
			return first;
	return NULL;
}

static const char *next_terminator(const char *first, const char *last)
{
	for (; first <= last; first++)
		if (spacetab(*first) || !*first)
			return first;
	return NULL;
}

/* load_script(): "#!" then the interpreter path and at most one argument
 * (everything after the first blank, inner blanks kept). A line that does
 * not fit in the 256 bytes read is refused only when the path itself may be
 * cut. argv becomes: interpreter, [argument], the script's path, argv[1..]. */
static int load_script(struct bprm *b)
{
	char buf[BINPRM_BUF_SIZE + 1];
	memcpy(buf, b->buf, BINPRM_BUF_SIZE);
	buf[BINPRM_BUF_SIZE] = '\0';
	if (buf[0] != '#' || buf[1] != '!')
		return -ENOEXEC;
	const char *buf_end = buf + BINPRM_BUF_SIZE - 1;
	/* strnchr() stops at a NUL as well as at the count. */
	const char *i_end = NULL;
	for (size_t k = 0; k < BINPRM_BUF_SIZE; k++) {
		if (buf[k] == '\n') {
			i_end = buf + k;
			break;
		}
		if (!buf[k])
			break;
	}
	if (!i_end) {
		i_end = next_non_spacetab(buf + 2, buf_end);
		if (!i_end)
			return -ENOEXEC;
		if (!next_terminator(i_end, buf_end))
			return -ENOEXEC;
		i_end = buf_end;
	}
	while (spacetab(i_end[-1]))
		i_end--;
	const char *i_name = next_non_spacetab(buf + 2, i_end);
	if (!i_name || i_name == i_end)
		return -ENOEXEC;
	const char *i_arg = NULL;
	const char *i_sep = next_terminator(i_name, i_end);
	if (i_sep && *i_sep != '\0')
		i_arg = next_non_spacetab(i_sep, i_end);
	remove_arg_zero(b);
	int err = push_string(b, b->interp, strlen(b->interp) + 1);
	if (err)
		return err;
	b->argc++;
	buf[i_end - buf] = '\0';
	if (i_arg) {
		buf[i_sep - buf] = '\0';
		err = push_string(b, i_arg, strnlen(i_arg, MAX_ARG_STRLEN) + 1);
		if (err)
			return err;
		b->argc++;
	}
	err = push_string(b, i_name, strlen(i_name) + 1);
	if (err)
		return err;
	b->argc++;
	/* bprm_change_interp() */
	snprintf(b->interp, sizeof(b->interp), "%s", i_name);
	return exec_open_kernel_name(b, i_name, &b->interpreter);
}

/* ---- the handler loop ---- */

/* search_binary_handler(): prepare_binprm() reads the first 256 bytes
 * (zero-padded), then each handler tries; -ENOEXEC passes to the next. */
static int search_binary_handler(struct bprm *b)
{
	memset(b->buf, 0, sizeof(b->buf));
	long r = b->fs->read(b->fs->arg, b->file->path, 0, b->buf, sizeof(b->buf));
	if (r < 0)
		return (int)r;
	int err = load_elf_binary(b);
	if (b->point_of_no_return || err != -ENOEXEC)
		return err;
	return load_script(b);
}

/* exec_binprm(): a handler may hand over to an interpreter (#!), four
 * levels of that and a fifth rewrite are allowed, a sixth is ELOOP. */
static int exec_binprm(struct bprm *b)
{
	for (int depth = 0;; depth++) {
		if (depth > MAX_REWRITE_DEPTH)
			return -ELOOP;
		int err = search_binary_handler(b);
		if (err < 0)
			return err;
		if (!b->interpreter)
			return 0;
		exec_file_free(b, b->file);
		b->file = b->interpreter;
		b->interpreter = NULL;
	}
}

/* ---- the new address space ---- */

/* What the new address space takes from the process beyond its config:
 * kernel/fork.c mm_init() of the exec's mm (bprm_mm_init -> mm_alloc) copies
 * mmf_init_flags() of the old mm's flags (THP disabled, MDWE unless
 * NO_INHERIT) and its def_flags within VM_INIT_DEF_MASK (not mlockall's
 * VM_LOCKED); the task's memory policy is the task_struct's and outlives
 * its mm. Protection keys are the new mm's own (init_new_context: key 0
 * only), as mm_alloc() made them. */
static void exec_inherit(struct vms_mm *mm, const struct vms_mm *old)
{
	mm->mmf = mmf_init_flags(old->mmf);
	mm->def_flags = old->def_flags & VM_INIT_DEF_MASK;
	mpol_get(mm->sys, old->task_mpol);
	mm->task_mpol = old->task_mpol;
}

int exec_begin_new(struct bprm *b)
{
	/* begin_new_exec(), SET_PERSONALITY (a 64-bit program drops
	 * READ_IMPLIES_EXEC: set_personality_64bit) and setup_new_exec()'s
	 * arch_pick_mmap_layout(), which vms_mm_new() does. */
	struct vms_mm_config cfg = *b->cfg;
	/* security/commoncap.c cap_bprm_creds_from_file(): the process's
	 * credentials after a plain exec (the caller's cfg without an old
	 * space already says what they are after it). A permitted set that
	 * grows takes the dangerous personality bits away (begin_new_exec:
	 * personality &= ~bprm->per_clear), ASLR off among them; a secure
	 * exec runs with RLIMIT_STACK at most _STK_LIM. */
	if (b->old) {
		unsigned how = cred_exec(&cfg.creds);
		if (how & CRED_EXEC_PER_CLEAR)
			b->personality &= ~PER_CLEAR_ON_SETID;
		b->secureexec = (how & CRED_EXEC_SECURE) != 0;
		if (b->secureexec && cfg.rlim_stack.cur > STK_LIM)
			cfg.rlim_stack.cur = STK_LIM;
	}
	cfg.personality = b->personality & ~(unsigned)VMS_READ_IMPLIES_EXEC;
	b->mm = vms_mm_new(b->sys, &cfg);
	if (!b->mm)
		return -ENOMEM;
	if (b->old)
		exec_inherit(b->mm, b->old);
	if (b->fixed && (b->fixed->fixed & VMS_EXEC_FIX_MMAP)) {
		mm_set_mmap_rnd(b->mm, b->fixed->mmap_rnd);
		/* An imposed offset is taken as it is, but one that puts a
		 * base above the map window (or wraps around) is none the
		 * kernel can draw, and the searches would place mappings
		 * past TASK_SIZE: a bad argument, refused while the process
		 * is still intact. */
		if (b->mm->mmap_base > DEFAULT_MAP_WINDOW ||
		    b->mm->mmap_legacy_base > DEFAULT_MAP_WINDOW)
			return -EINVAL;
	}
	b->point_of_no_return = true;
	b->personality = cfg.personality;
	b->randomize = b->sys->randomize_va_space && !(cfg.personality & VMS_ADDR_NO_RANDOMIZE);
	b->used.mmap_rnd = b->mm->mmap_rnd;
	return 0;
}

uint64_t exec_choice(struct bprm *b, unsigned fix, uint64_t mask, uint64_t mod)
{
	uint64_t v = 0;
	if (b->randomize) {
		uint64_t r = exec_random(b);
		v = mod ? r % mod : r & mask;
	}
	if (b->fixed && (b->fixed->fixed & fix)) {
		switch (fix) {
		case VMS_EXEC_FIX_STACK:
			v = b->fixed->stack_rnd;
			break;
		case VMS_EXEC_FIX_LOAD:
			v = b->fixed->load_rnd;
			break;
		case VMS_EXEC_FIX_BRK:
			v = b->fixed->brk_rnd;
			break;
		}
	}
	switch (fix) {
	case VMS_EXEC_FIX_STACK:
		b->used.stack_rnd = v;
		break;
	case VMS_EXEC_FIX_LOAD:
		b->used.load_rnd = v;
		break;
	case VMS_EXEC_FIX_BRK:
		b->used.brk_rnd = v;
		break;
	}
	return v;
}

/* mm/util.c randomize_stack_top() and arch/x86 arch_align_stack() are the
 * caller's; this is setup_arg_pages(): the stack made at STACK_TOP_MAX
 * (bprm_mm_init, grown by the strings) moves to stack_top, takes its final
 * flags, and grows by 128 KiB more, within RLIMIT_STACK. */
int setup_arg_pages(struct bprm *b, uint64_t stack_top, int executable_stack)
{
	struct vms_mm *mm = b->mm;
	uint64_t min_addr = mm->sys->mmap_min_addr;
	uint64_t vm_end = b->top, vm_start = b->lowest & PAGE_MASK;
	if (vm_start > vm_end - PAGE_SIZE)
		vm_start = vm_end - PAGE_SIZE;
	stack_top = PAGE_ALIGN(stack_top);
	if (stack_top < min_addr || vm_end - vm_start >= stack_top - min_addr)
		return -ENOMEM;
	uint64_t shift = vm_end - stack_top;
	b->p -= shift;
	b->lowest -= shift;
	b->exec -= shift;
	b->top -= shift;
	b->arg_start = b->p;
	vm_start -= shift;
	vm_end -= shift;

	uint64_t flags = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_GROWSDOWN |
			 VM_ACCOUNT | mm->def_flags;
	if (executable_stack == EXSTACK_ENABLE_X)
		flags |= VM_EXEC;
	int err = mm_reserve(mm, NULL);
	if (err)
		return err;
	uint64_t pages = (vm_end - vm_start) >> PAGE_SHIFT;
	err = vm_enough_memory(mm, pages);
	if (err)
		return err;
	struct vms_vma *v = vma_take(mm);
	v->start = vm_start;
	v->end = vm_end;
	v->flags = flags;
	/* The anonymous pgoff of the page bprm_mm_init() made at
	 * STACK_TOP_MAX, lowered by each growth; moving keeps it. */
	uint64_t top_max = mm->sys->la57 ? TASK_SIZE_MAX_5LEVEL : DEFAULT_MAP_WINDOW;
	v->pgoff = (top_max >> PAGE_SHIFT) - pages;
	vma_link(mm, v);
	vm_stat_account(mm, flags, (int64_t)pages);
	if (ev_on(mm->sys)) {
		struct vms_event ev;
		memset(&ev, 0, sizeof(ev));
		ev.u.exec.what = VMS_EXEC_STACK;
		ev.u.exec.vm_flags = flags;
		ev_emit(mm, VMS_EV_EXEC_MAP, "setup_arg_pages", v->start, v->end, &ev);
	}
	/* The strings were written, so the stack has its anon_vma and pages. */
	err = anon_vma_prepare(mm, v);
	if (err)
		return err;

	uint64_t rlim = mm->rlim_stack.cur & PAGE_MASK; /* bprm->rlim_stack, after a secure exec's cap */
	uint64_t expand = min_u64(rlim, (vm_end - vm_start) + 131072);
	uint64_t stack_base = vm_end - expand;
	if (stack_base < v->start && expand_downwards(mm, v, stack_base))
		return -EFAULT;
	return 0;
}

/* ---- the system call ---- */

static int do_execve(struct bprm *b, const struct vms_exec_args *args)
{
	if (!args || !args->filename)
		return -EFAULT;
	b->filename = args->filename;
	int err = exec_open(b, args->filename, &b->file);
	if (err)
		return err;
	snprintf(b->interp, sizeof(b->interp), "%s", args->filename);
	b->argc = count_strings(args->argv);
	b->envc = count_strings(args->envp);
	/* bprm_mm_init(): the stack starts as one page at STACK_TOP_MAX. */
	b->top = b->sys->la57 ? TASK_SIZE_MAX_5LEVEL : DEFAULT_MAP_WINDOW;
	b->p = b->lowest = b->top - 8;
	err = exec_stack_room(b, b->top - PAGE_SIZE);
	if (err)
		return err;
	err = bprm_stack_limits(b);
	if (err)
		return err;
	err = push_string(b, args->filename, strlen(args->filename) + 1);
	if (err)
		return err;
	b->exec = b->p;
	err = copy_strings(b, b->envc, args->envp);
	if (!err)
		err = copy_strings(b, b->argc, args->argv);
	if (err)
		return err;
	/* An empty argv gets "" as argv[0]. */
	if (b->argc == 0) {
		err = push_string(b, "", 1);
		if (err)
			return err;
		b->argc = 1;
	}
	return exec_binprm(b);
}

static void fill_info(struct bprm *b, struct vms_exec_info *info)
{
	const struct vms_mm *mm = b->mm;
	info->entry = b->entry;
	info->load_bias = b->load_bias;
	info->interp_base = b->interp_base;
	info->sp = b->sp;
	memcpy(info->auxv, b->auxv, sizeof(info->auxv));
	info->nauxv = b->nauxv;
	info->start_code = mm->start_code;
	info->end_code = mm->end_code;
	info->start_data = mm->start_data;
	info->end_data = mm->end_data;
	info->start_brk = mm->start_brk;
	info->brk = mm->brk;
	info->start_stack = mm->start_stack;
	info->arg_start = b->arg_start;
	info->arg_end = b->arg_end;
	info->env_start = b->env_start;
	info->env_end = b->env_end;
	/* the string only: the rest of elf_interp[] is not written (bprm_zero) */
	size_t il = strnlen(b->elf_interp, sizeof(b->elf_interp));
	if (il >= sizeof(info->interp))
		il = sizeof(info->interp) - 1;
	memcpy(info->interp, b->elf_interp, il);
	info->interp[il] = '\0';
	info->layout = b->used;
	info->relro_start = b->relro_start;
	info->relro_end = b->relro_end;
}

/* A zeroed bprm but for its two path buffers (8 KiB of each exec's cost
 * when zeroed): they only ever hold strings, written before they are read. */
static void bprm_zero(struct bprm *b)
{
	size_t i0 = offsetof(struct bprm, interp), i1 = i0 + sizeof(b->interp);
	size_t e0 = offsetof(struct bprm, elf_interp), e1 = e0 + sizeof(b->elf_interp);
	_Static_assert(offsetof(struct bprm, interp) < offsetof(struct bprm, elf_interp),
		       "bprm_zero: field order");
	memset(b, 0, i0);
	memset((char *)b + i1, 0, e0 - i1);
	memset((char *)b + e1, 0, sizeof(*b) - e1);
	b->interp[0] = '\0';
	b->elf_interp[0] = '\0';
}

vms_mm *vms_execve(vms_sys *sys, const vms_mm *old, const struct vms_mm_config *cfg,
		   const struct vms_exec_args *args, struct vms_exec_info *info, long *err)
{
	static const struct vms_mm_config defaults;
	long dummy;
	if (!err)
		err = &dummy;
	*err = 0;
	if (info)
		memset(info, 0, sizeof(*info));
	struct bprm *b = sys_malloc(sys, sizeof(*b));
	if (!b) {
		*err = -ENOMEM;
		return NULL;
	}
	bprm_zero(b);
	b->sys = sys;
	b->cfg = cfg ? cfg : &defaults;
	/* With the old space, the process is what it holds: the task's
	 * personality, limits and credentials (exec keeps or recomputes them
	 * from there); cfg then gives only the seed. old is only read: it is
	 * the process's until the new space stands, and the caller's after. */
	struct vms_mm_config from_old;
	if (old) {
		from_old = *b->cfg;
		from_old.personality = old->personality;
		from_old.has_rlimits = 1;
		from_old.rlim_stack = old->rlim_stack;
		from_old.rlim_data = old->rlim_data;
		from_old.rlim_as = old->rlim_as;
		from_old.rlim_memlock = old->rlim_memlock;
		from_old.has_creds = 1;
		from_old.creds = old->cred;
		from_old.caps = old->caps;
		b->cfg = &from_old;
		b->old = old;
	}
	b->rng = b->cfg->seed;
	b->cwd = args ? args->cwd : NULL;
	b->fixed = args ? args->layout : NULL;
	b->fs = args && args->fs ? args->fs : vms_exec_host_fs();
	b->personality = b->cfg->personality;
	int r = do_execve(b, args);
	vms_mm *mm = NULL;
	if (r == 0 && info) {
		/* The bytes from the initial sp to the top of the stack. */
		size_t len = (size_t)(b->top - b->sp);
		info->stack_bytes = malloc(len);
		if (!info->stack_bytes) {
			r = -ENOMEM;
		} else {
			memcpy(info->stack_bytes, exec_stack_at(b, b->sp), len);
			info->stack_addr = b->sp;
			info->stack_len = len;
			fill_info(b, info);
		}
	}
	if (r == 0) {
		mm = b->mm;
	} else {
		*err = r;
		if (info)
			info->fatal = b->point_of_no_return;
		vms_mm_free(b->mm);
	}
	exec_file_free(b, b->file);
	exec_file_free(b, b->interpreter);
	sys_free(sys, b->strings);
	sys_free(sys, b);
	return mm;
}

void vms_exec_info_free(struct vms_exec_info *info)
{
	if (!info)
		return;
	free(info->stack_bytes);
	info->stack_bytes = NULL;
	info->stack_len = 0;
}
