/*
 * exec.h: what fs/exec.c's part (exec.c) and the binary loaders (binfmt_elf.c,
 * the #! handler in exec.c) share: the linux_binprm of one execve, the
 * argument strings on the new stack, and the helpers the ELF loader takes
 * from the rest of the model. Not here: the public API (include/vmspace.h).
 */
#ifndef VMS_EXEC_H
#define VMS_EXEC_H

#include "internal.h"

#define EXEC_PATH_MAX 4096
#define BINPRM_BUF_SIZE 256
/* include/uapi/linux/binfmts.h: one string, and the floor of the strings' room. */
#define MAX_ARG_STRLEN (32 * PAGE_SIZE)
#define ARG_MAX_BYTES (32 * PAGE_SIZE)
#define STK_LIM (8ULL << 20)

/* A file exec opened (do_open_execat): its canonical path and what stat said. */
struct exec_file {
	char path[EXEC_PATH_MAX];
	struct vms_exec_stat st;
	struct vms_file *vfile; /* the model's open file, made when first mapped */
};

/* include/linux/binfmts.h struct linux_binprm, reduced to what decides the
 * address space. The argument strings live in strings[]: the byte at address
 * a (a < top) is strings[cap - (top - a)], so that moving the stack
 * (setup_arg_pages) only changes top. */
struct bprm {
	vms_sys *sys;
	const struct vms_exec_fs *fs;
	const char *cwd;
	const struct vms_mm_config *cfg; /* the process as it stands before the exec */
	const struct vms_mm *old; /* the process's address space before the exec (may be NULL) */
	struct vms_mm *mm;       /* the new address space, from the point of no return */
	uint64_t rng;            /* the generator before the mm exists */
	uint64_t top;            /* end of the stack VMA */
	uint8_t *strings;
	size_t cap;
	uint64_t p, lowest;      /* the string pointer, and the lowest it went */
	uint64_t argmin;         /* bprm_stack_limits() */
	uint64_t exec;           /* AT_EXECFN: where the filename string is */
	uint64_t arg_start;
	int argc, envc;
	const char *filename;
	char interp[EXEC_PATH_MAX]; /* bprm->interp: the #! path the next level sees */
	struct exec_file *file;     /* bprm->file */
	struct exec_file *interpreter; /* bprm->interpreter: set by the #! handler */
	uint8_t buf[BINPRM_BUF_SIZE];
	unsigned personality;
	bool randomize;             /* PF_RANDOMIZE */
	bool secureexec;            /* AT_SECURE (cred_exec) */
	bool point_of_no_return;
	struct vms_exec_info *info; /* may be NULL */
	char elf_interp[EXEC_PATH_MAX];
	/* What load_elf_binary() leaves for exec.c's summary. */
	uint64_t entry, load_bias, interp_base, sp;
	uint64_t auxv[VMS_EXEC_MAX_AUXV][2];
	size_t nauxv;
	uint64_t arg_end, env_start, env_end;
	/* Random choices: those the caller imposes (may be NULL), those made. */
	const struct vms_exec_layout *fixed;
	struct vms_exec_layout used;
	uint64_t relro_start, relro_end;
};

/* do_open_execat(): resolves, stats and checks a path as exec opens it. */
int exec_open(struct bprm *b, const char *path, struct exec_file **out)
	__attribute__((warn_unused_result));
/* open_exec() of a name the kernel found (#! line, PT_INTERP). */
int exec_open_kernel_name(struct bprm *b, const char *path, struct exec_file **out)
	__attribute__((warn_unused_result));
void exec_file_free(struct bprm *b, struct exec_file *f);
/* kernel_read() of a whole range (elf_read): 0, or -EIO for a short read, or
 * the read's -errno. */
int exec_read(struct bprm *b, const struct exec_file *f, uint64_t off, void *buf, size_t len)
	__attribute__((warn_unused_result));
/* Random numbers from the model's generator (the mm's, once it exists). */
uint64_t exec_random(struct bprm *b);
/* A random choice in pages: drawn as the kernel draws it (mask, or modulo
 * when mod is set) when randomising, 0 when not; an imposed one (the
 * VMS_EXEC_FIX_ bit fix) wins either way. Recorded in b->used. */
uint64_t exec_choice(struct bprm *b, unsigned fix, uint64_t mask, uint64_t mod);
/* Ensures strings[] holds every address from a up to top (zero-filled). */
int exec_stack_room(struct bprm *b, uint64_t a) __attribute__((warn_unused_result));
static inline uint8_t *exec_stack_at(struct bprm *b, uint64_t a)
{
	return b->strings + b->cap - (b->top - a);
}
/* The model's open file for what exec opened (one per exec_file). */
struct vms_file *exec_vms_file(struct bprm *b, struct exec_file *f);

/* fs/exec.c: the new address space at the point of no return (exec_mmap,
 * setup_new_exec) and its stack (setup_arg_pages). exec_begin_new() fails
 * before that point (-ENOMEM, or -EINVAL for an imposed mmap offset that
 * puts a base above the map window). */
int exec_begin_new(struct bprm *b) __attribute__((warn_unused_result));
int setup_arg_pages(struct bprm *b, uint64_t stack_top, int executable_stack)
	__attribute__((warn_unused_result));
#define EXSTACK_DEFAULT 0
#define EXSTACK_DISABLE_X 1
#define EXSTACK_ENABLE_X 2

/* fs/binfmt_elf.c load_elf_binary(): -ENOEXEC when it is not an ELF image. */
int load_elf_binary(struct bprm *b);

/* mm.c: the model's generator (the one mmap_base used). */
uint64_t mm_random(struct vms_mm *mm);
/* brk.c: mm/mmap.c vm_brk_flags(), how the loader maps a bss. */
int vm_brk_flags(struct vms_mm *mm, uint64_t addr, uint64_t request, uint64_t flags);

#endif
