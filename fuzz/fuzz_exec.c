/*
 * fuzz_exec.c: libFuzzer target for execve (vms_execve: fs/exec.c,
 * binfmt_elf.c, the #! handler). The input is served as the file /bin/prog,
 * and what follows the marker FUZZ_EXEC_MARKER (if any) as every other file
 * exec opens (a PT_INTERP, a #! interpreter), through a vms_exec_fs; each
 * input is exec'd with ASLR off and with ASLR on. An exec must return a new
 * address space that vms_validate() accepts and whose stack holds the
 * initial stack pointer, or fail with an errno, and never read past what it
 * was served; the old address space stays as it was. It looks for crashes,
 * out-of-bounds reads and broken invariants, not for kernel differences
 * (tests/test_exec_kdiff.c compares with the live kernel).
 *
 * Input: three control bytes, then the program, then optionally the marker
 * and the interpreter. Control byte 0 chooses what surrounds the exec (see
 * the CTL_ bits), byte 1 is its parameter; byte 2 holds VMS_EXEC_FIX_* bits
 * and, when it is not 0, the 32 bytes after it are the random choices to
 * impose (vms_exec_layout: mmap, stack, load, brk, 8 bytes each, little
 * endian), as a replay of a log recorded with ASLR on imposes what it
 * learned from the log, which may say anything. fuzz/exec_seeds.c writes
 * the seed corpus in this form.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmspace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_EXEC_MARKER "\n#fuzz-exec-interp#\n"

#define CTL_NOT_EXECUTABLE 0x03 /* both bits: /bin/prog is mode 0644 (EACCES) */
#define CTL_RLIMIT_STACK 0x04   /* RLIMIT_STACK from byte 1 (15: unlimited) */
#define CTL_BIG_ARGS 0x08       /* a long argument, its length from byte 1 */
#define CTL_FAIL_ALLOC 0x10     /* the library's byte-1'th allocation fails */
#define CTL_OLD_MM 0x20         /* exec from an address space with mappings */
#define CTL_TEXT_BUSY 0x40      /* /bin/prog is open for writing (ETXTBSY) */
#define CTL_LA57 0x80           /* 5-level paging: TASK_SIZE 2^56 */

struct file {
	const uint8_t *data;
	size_t size;
	uint32_t mode;
	uint64_t ino;
};

struct fuzz_fs {
	struct file prog, interp;
	int has_interp;
};

/* Which file a path names: /bin/prog, a directory, nothing (a name with
 * "missing" in it), else the interpreter when the input has one. */
static const struct file *lookup(const struct fuzz_fs *fs, const char *path, int *err)
{
	static const struct file dir = {NULL, 0, 0040755, 3};
	*err = 0;
	if (!strcmp(path, "/bin/prog"))
		return &fs->prog;
	if (!strcmp(path, "/bin"))
		return &dir;
	if (strstr(path, "missing") || !fs->has_interp) {
		*err = -VMS_ENOENT;
		return NULL;
	}
	return &fs->interp;
}

static int fs_stat(void *arg, const char *path, struct vms_exec_stat *st, char *canonical,
		   size_t canonical_size)
{
	int err;
	const struct file *f = lookup(arg, path, &err);
	if (!f)
		return err;
	memset(st, 0, sizeof(*st));
	st->size = f->size;
	st->mode = f->mode;
	st->dev_major = 8;
	st->dev_minor = 1;
	st->ino = f->ino;
	snprintf(canonical, canonical_size, "%s", path);
	return 0;
}

static long fs_read(void *arg, const char *canonical, uint64_t off, void *buf, size_t len)
{
	int err;
	const struct file *f = lookup(arg, canonical, &err);
	if (!f)
		return err;
	if (off >= f->size)
		return 0;
	if (len > f->size - off)
		len = (size_t)(f->size - off);
	memcpy(buf, f->data + off, len);
	return (long)len;
}

static void fail(const char *what, const char *why)
{
	fprintf(stderr, "fuzz_exec: %s: %s\n", what, why);
	abort();
}

static void check_valid(const vms_mm *mm, const char *what)
{
	char why[256];
	if (vms_validate(mm, why, sizeof(why)))
		fail(what, why);
}

/* What exec hands the program must describe the new address space. */
static void check_info(const vms_mm *mm, const struct vms_exec_info *in)
{
	if (in->fatal)
		fail("info", "fatal set on success");
	if (!in->nauxv || in->nauxv > VMS_EXEC_MAX_AUXV || in->auxv[in->nauxv - 1][0] != 0)
		fail("info", "auxv does not end with AT_NULL");
	if (!in->stack_bytes || !in->stack_len || in->stack_addr != in->sp)
		fail("info", "no stack bytes from the initial sp");
	if (memchr(in->interp, '\0', sizeof(in->interp)) == NULL)
		fail("info", "interp not terminated");
	const vms_vma *v = vms_find_vma(mm, in->sp);
	struct vms_vma_info vi;
	if (!v)
		fail("info", "no VMA at or above sp");
	vms_vma_get_info(v, &vi);
	if (vi.start > in->sp || in->sp + in->stack_len > vi.end)
		fail("info", "the initial stack is not inside one VMA");
}

static char *maps_of(const vms_mm *mm)
{
	size_t n = vms_maps_text(mm, NULL, 0);
	char *t = malloc(n + 1);
	if (t)
		vms_maps_text(mm, t, n + 1);
	return t;
}

static void run(const struct fuzz_fs *fs, unsigned ctl, unsigned param,
		const struct vms_exec_layout *layout, int aslr)
{
	vms_sys *sys = vms_sys_new();
	if (!sys)
		return;
	if (ctl & CTL_LA57)
		vms_sysctl_set(sys, "config.la57", 1);
	struct vms_mm_config cfg = {.personality = aslr ? 0 : VMS_ADDR_NO_RANDOMIZE,
				    .seed = param * 0x9e3779b97f4a7c15ULL + 1};
	if (ctl & CTL_RLIMIT_STACK) {
		cfg.has_rlimits = 1;
		uint64_t stack = (param & 15) == 15 ? VMS_RLIM_INFINITY : 4096ULL << (param & 15);
		cfg.rlim_stack = (struct vms_rlimit){stack, VMS_RLIM_INFINITY};
		cfg.rlim_data = cfg.rlim_as = (struct vms_rlimit){VMS_RLIM_INFINITY, VMS_RLIM_INFINITY};
		cfg.rlim_memlock = (struct vms_rlimit){8 << 20, 8 << 20};
	}
	vms_file *busy = NULL;
	if (ctl & CTL_TEXT_BUSY) {
		struct vms_inode_info ii = {8, 1, fs->prog.ino, fs->prog.size, "/bin/prog", 0};
		vms_inode *ino = vms_inode_get(sys, &ii);
		busy = ino ? vms_file_open(ino, VMS_O_RDWR) : NULL;
	}
	vms_mm *old = NULL;
	char *old_maps = NULL;
	if (ctl & CTL_OLD_MM) {
		old = vms_mm_new(sys, &cfg);
		if (old) {
			vms_mmap(old, 0, 3 * VMS_PAGE_SIZE, VMS_PROT_READ | VMS_PROT_WRITE,
				 VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0);
			vms_brk(old, 0);
			old_maps = maps_of(old);
		}
	}
	char *big = NULL;
	const char *argv[5] = {"/bin/prog", "-x", NULL, NULL, NULL};
	if (ctl & CTL_BIG_ARGS) {
		/* Past MAX_ARG_STRLEN (32 pages) at the top of the range. */
		size_t n = ((size_t)(param >> 4) + 1) * 9000;
		big = malloc(n + 1);
		if (big) {
			memset(big, 'a', n);
			big[n] = '\0';
			argv[2] = big;
			argv[3] = big;
		}
	}
	const char *envp[] = {"A=1", "PATH=/bin", NULL};
	struct vms_exec_fs efs = {(void *)fs, fs_stat, fs_read};
	struct vms_exec_args args = {"/bin/prog", argv, envp, &efs, "/", layout};
	struct vms_exec_info info;
	long err = 0;
	if (ctl & CTL_FAIL_ALLOC)
		vms_sys_fail_alloc_after(sys, 1 + param);
	vms_mm *mm = vms_execve(sys, old, &cfg, &args, &info, &err);
	vms_sys_fail_alloc_after(sys, 0);
	if (mm) {
		if (err)
			fail("execve", "a new address space and an error");
		check_valid(mm, "vms_validate after exec");
		check_info(mm, &info);
		char *maps = maps_of(mm);
		free(maps);
		/* The program's first calls: the brk and the mmap area the exec
		 * laid out must work as any other. */
		vms_brk(mm, info.start_brk + 2 * VMS_PAGE_SIZE);
		long a = vms_mmap(mm, 0, 4 * VMS_PAGE_SIZE, VMS_PROT_READ | VMS_PROT_WRITE,
				  VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0);
		if (a > 0)
			vms_munmap(mm, (uint64_t)a, VMS_PAGE_SIZE);
		check_valid(mm, "vms_validate after the program's first calls");
		vms_exec_info_free(&info);
		if (info.stack_bytes)
			fail("vms_exec_info_free", "stack bytes left");
		vms_mm_free(mm);
	} else if (err >= 0 || err < -4095) {
		fail("execve", "no address space and no errno");
	}
	if (old) {
		check_valid(old, "the old address space after exec");
		char *now = maps_of(old);
		if (old_maps && now && strcmp(old_maps, now))
			fail("execve", "the old address space changed");
		free(now);
		vms_mm_free(old);
	}
	free(old_maps);
	free(big);
	vms_file_close(busy);
	vms_sys_free(sys);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	unsigned ctl = data[0], param = data[1];
	struct vms_exec_layout layout = {.fixed = data[2] & 0xf};
	data += 3;
	size -= 3;
	if (layout.fixed) {
		uint64_t v[4] = {0, 0, 0, 0};
		for (size_t i = 0; i < 32 && i < size; i++)
			v[i / 8] |= (uint64_t)data[i] << (8 * (i % 8));
		layout.mmap_rnd = v[0];
		layout.stack_rnd = v[1];
		layout.load_rnd = v[2];
		layout.brk_rnd = v[3];
		data += size < 32 ? size : 32;
		size -= size < 32 ? size : 32;
	}
	/* The files are copies of exactly their bytes, so that ASan sees any
	 * read past them. */
	const uint8_t *mark = memmem(data, size, FUZZ_EXEC_MARKER, sizeof(FUZZ_EXEC_MARKER) - 1);
	size_t prog_len = mark ? (size_t)(mark - data) : size;
	struct fuzz_fs fs = {.has_interp = mark != NULL};
	uint8_t *prog = malloc(prog_len ? prog_len : 1), *interp = NULL;
	if (!prog)
		return 0;
	memcpy(prog, data, prog_len);
	fs.prog = (struct file){prog, prog_len,
				(ctl & CTL_NOT_EXECUTABLE) == CTL_NOT_EXECUTABLE ? 0100644 : 0100755,
				100};
	if (mark) {
		size_t off = prog_len + sizeof(FUZZ_EXEC_MARKER) - 1, n = size - off;
		interp = malloc(n ? n : 1);
		if (!interp) {
			free(prog);
			return 0;
		}
		memcpy(interp, data + off, n);
		fs.interp = (struct file){interp, n, 0100755, 200};
	}
	run(&fs, ctl, param, layout.fixed ? &layout : NULL, 0);
	run(&fs, ctl, param, layout.fixed ? &layout : NULL, 1);
	free(prog);
	free(interp);
	return 0;
}
