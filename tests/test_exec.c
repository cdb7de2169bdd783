/*
 * test_exec.c: the rules of execve (fs/exec.c, fs/binfmt_elf.c,
 * fs/binfmt_script.c), each on small ELF images and scripts this file
 * writes in memory and serves through a vms_exec_fs. Not for: the live
 * kernel (test_exec_kdiff.c compares with it).
 */
#include <errno.h>

#include "t.h"

#define PG 0x1000ULL
#define TOP 0x7ffffffff000ULL
#define DYN_BASE 0x555555554000ULL /* ELF_ET_DYN_BASE, page aligned */
#define PF_X 1
#define PF_W 2
#define PF_R 4

/* ---- a tiny in-memory file system ---- */

struct tfile {
	const char *path;
	uint32_t mode;
	uint32_t uid;
	int noexec;
	uint64_t ino;
	uint8_t *data;
	size_t size;
};

struct tfs {
	struct tfile f[12];
	int n;
};

static struct tfile *tfs_find(struct tfs *fs, const char *path)
{
	for (int i = 0; i < fs->n; i++)
		if (!strcmp(fs->f[i].path, path))
			return &fs->f[i];
	return NULL;
}

static int tfs_stat(void *arg, const char *path, struct vms_exec_stat *st, char *canonical,
		    size_t size)
{
	struct tfile *f = tfs_find(arg, path);
	if (!f)
		return -VMS_ENOENT;
	memset(st, 0, sizeof(*st));
	st->size = f->size;
	st->mode = f->mode;
	st->uid = f->uid;
	st->dev_major = 8;
	st->dev_minor = 1;
	st->ino = f->ino;
	st->noexec = f->noexec;
	snprintf(canonical, size, "%s", path);
	return 0;
}

static long tfs_read(void *arg, const char *path, uint64_t off, void *buf, size_t len)
{
	struct tfile *f = tfs_find(arg, path);
	if (!f)
		return -VMS_ENOENT;
	if (off >= f->size)
		return 0;
	if (len > f->size - off)
		len = (size_t)(f->size - off);
	memcpy(buf, f->data + off, len);
	return (long)len;
}

static void tfs_add(struct tfs *fs, const char *path, uint32_t mode, const void *data, size_t size)
{
	struct tfile *f = &fs->f[fs->n++];
	memset(f, 0, sizeof(*f));
	f->path = path;
	f->mode = mode;
	f->ino = 100 + (uint64_t)fs->n;
	f->data = malloc(size ? size : 1);
	memcpy(f->data, data, size);
	f->size = size;
}

static void tfs_free(struct tfs *fs)
{
	for (int i = 0; i < fs->n; i++)
		free(fs->f[i].data);
	fs->n = 0;
}

/* ---- a tiny ELF writer ---- */

struct seg {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz, align;
};
#define LOAD(fl, off, va, fsz, msz) {1, fl, off, va, fsz, msz, PG}

static void put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* An x86-64 ELF image: header, program headers, the interpreter path, and
 * zeros up to the end of the last segment's file part. */
static size_t elf_image(uint8_t *buf, size_t cap, int type, uint64_t entry, const struct seg *s,
			int n, const char *interp, int gnu_stack)
{
	memset(buf, 0, cap);
	int nph = n + (interp ? 1 : 0) + (gnu_stack >= 0 ? 1 : 0);
	size_t interp_off = 64 + (size_t)nph * 56;
	memcpy(buf, "\177ELF\2\1\1", 7);
	put(buf + 16, (uint64_t)type, 2);
	put(buf + 18, 62, 2);
	put(buf + 20, 1, 4);
	put(buf + 24, entry, 8);
	put(buf + 32, 64, 8);
	put(buf + 52, 64, 2);
	put(buf + 54, 56, 2);
	put(buf + 56, (uint64_t)nph, 2);
	size_t end = interp_off + (interp ? strlen(interp) + 1 : 0);
	uint8_t *ph = buf + 64;
	if (interp) {
		put(ph, 3, 4);
		put(ph + 4, PF_R, 4);
		put(ph + 8, interp_off, 8);
		put(ph + 32, strlen(interp) + 1, 8);
		memcpy(buf + interp_off, interp, strlen(interp) + 1);
		ph += 56;
	}
	for (int i = 0; i < n; i++, ph += 56) {
		put(ph, s[i].type, 4);
		put(ph + 4, s[i].flags, 4);
		put(ph + 8, s[i].offset, 8);
		put(ph + 16, s[i].vaddr, 8);
		put(ph + 32, s[i].filesz, 8);
		put(ph + 40, s[i].memsz, 8);
		put(ph + 48, s[i].align, 8);
		if (s[i].type == 1 && s[i].offset + s[i].filesz > end)
			end = (size_t)(s[i].offset + s[i].filesz);
	}
	if (gnu_stack >= 0) {
		put(ph, 0x6474e551, 4);
		put(ph + 4, PF_R | PF_W | (gnu_stack ? PF_X : 0), 4);
	}
	return end < cap ? end : cap;
}

static uint8_t img[0x8000];

/* A small program: headers+rodata r--, text r-x, data rw- with a bss. */
static const struct seg prog_segs[] = {
    LOAD(PF_R, 0, 0, 0x800, 0x800),
    LOAD(PF_R | PF_X, 0x1000, 0x1000, 0x1000, 0x1000),
    LOAD(PF_R | PF_W, 0x2000, 0x3000, 0x100, 0x3200),
};

/* The interpreter: an ET_DYN with text and data. */
static void add_ld(struct tfs *fs)
{
	static const struct seg s[] = {
	    LOAD(PF_R | PF_X, 0, 0, 0x2000, 0x2000),
	    LOAD(PF_R | PF_W, 0x2000, 0x3000, 0x100, 0x1000),
	};
	size_t n = elf_image(img, sizeof(img), 3, 0x1100, s, 2, NULL, 0);
	tfs_add(fs, "/lib/ld.so", 0100755, img, n);
}

static const struct vms_mm_config aslr_off = {.personality = VMS_ADDR_NO_RANDOMIZE};

static vms_mm *run(vms_sys *sys, struct tfs *fs, const char *path, const char *const *argv,
		   const char *const *envp, struct vms_exec_info *info, long *err,
		   const struct vms_mm_config *cfg)
{
	struct vms_exec_fs efs = {fs, tfs_stat, tfs_read};
	struct vms_exec_args a = {path, argv, envp, &efs, "/", NULL};
	return vms_execve(sys, NULL, cfg ? cfg : &aslr_off, &a, info, err);
}

static int maps_has(vms_mm *mm, const char *line)
{
	char buf[8192];
	vms_maps_text(mm, buf, sizeof(buf));
	return strstr(buf, line) != NULL;
}

static uint64_t auxv_get(const struct vms_exec_info *in, uint64_t id)
{
	for (size_t i = 0; i < in->nauxv; i++)
		if (in->auxv[i][0] == id)
			return in->auxv[i][1];
	return ~0ULL;
}

static uint64_t stack_word(const struct vms_exec_info *in, uint64_t addr)
{
	uint64_t v = 0;
	memcpy(&v, in->stack_bytes + (addr - in->stack_addr), 8);
	return v;
}

static const char *stack_str(const struct vms_exec_info *in, uint64_t addr)
{
	return (const char *)in->stack_bytes + (addr - in->stack_addr);
}

TEST(exec_et_exec_maps_each_segment_at_its_vaddr_with_its_bss)
{
	struct tfs fs = {0};
	struct seg s[3];
	memcpy(s, prog_segs, sizeof(s));
	for (int i = 0; i < 3; i++)
		s[i].vaddr += 0x400000;
	size_t n = elf_image(img, sizeof(img), 2, 0x401000, s, 3, NULL, 0);
	tfs_add(&fs, "/bin/p", 0100755, img, n);
	struct vms_exec_info in;
	long err;
	const char *argv[] = {"/bin/p", NULL};
	vms_mm *mm = run(sys, &fs, "/bin/p", argv, NULL, &in, &err, NULL);
	CHECK(mm);
	VALID(mm);
	CHECK(maps_has(mm, "00400000-00401000 r--p 00000000 08:01 101"));
	CHECK(maps_has(mm, "00401000-00402000 r-xp 00001000 08:01 101"));
	/* The data's page, then the bss past it: anonymous, read-write. */
	CHECK(maps_has(mm, "00403000-00404000 rw-p 00002000 08:01 101"));
	CHECK(maps_has(mm, "00404000-00407000 rw-p 00000000 00:00 0 \n"));
	CHECK_EQ(in.entry, 0x401000);
	CHECK_EQ(in.load_bias, 0);
	/* start_brk: the page-aligned end of the highest segment. */
	CHECK_EQ(in.start_brk, 0x407000);
	CHECK_EQ(in.start_code, 0x401000);
	CHECK_EQ(in.end_code, 0x402000);
	CHECK_EQ(auxv_get(&in, 3 /* AT_PHDR */), 0x400040);
	CHECK_EQ(auxv_get(&in, 7 /* AT_BASE */), 0);
	vms_exec_info_free(&in);
	tfs_free(&fs);
}

TEST(exec_bss_partial_page_is_copied_and_whole_pages_are_anonymous)
{
	struct tfs fs = {0};
	size_t n = elf_image(img, sizeof(img), 2, 0x401000,
			     (struct seg[]){LOAD(PF_R | PF_X, 0, 0x400000, 0x1000, 0x1000),
					    LOAD(PF_R | PF_W, 0x1000, 0x401000, 0x10, 0x2000)},
			     2, NULL, 0);
	tfs_add(&fs, "/bin/p", 0100755, img, n);
	long err;
	vms_mm *mm = run(sys, &fs, "/bin/p", NULL, NULL, NULL, &err, NULL);
	CHECK(mm);
	VALID(mm);
	/* padzero() wrote the file page's tail: it was copied (anon_vma). */
	const vms_vma *v = vms_find_vma(mm, 0x401000);
	struct vms_vma_info vi;
	vms_vma_get_info(v, &vi);
	CHECK(vi.anon_vma != 0);
	CHECK(maps_has(mm, "00402000-00403000 rw-p 00000000 00:00 0 \n"));
	tfs_free(&fs);
}

TEST(exec_bss_of_an_executable_segment_is_rwx_anonymous_memory)
{
	struct tfs fs = {0};
	size_t n = elf_image(img, sizeof(img), 2, 0x400000,
			     (struct seg[]){LOAD(PF_R | PF_X, 0, 0x400000, 0x800, 0x3000)}, 1, NULL,
			     0);
	tfs_add(&fs, "/bin/p", 0100755, img, n);
	long err;
	vms_mm *mm = run(sys, &fs, "/bin/p", NULL, NULL, NULL, &err, NULL);
	CHECK(mm);
	/* vm_brk_flags(): VM_DATA_DEFAULT_FLAGS plus VM_EXEC; the read-only
	 * file page cannot be zeroed, which is ignored. */
	CHECK(maps_has(mm, "00400000-00401000 r-xp 00000000 08:01 101"));
	CHECK(maps_has(mm, "00401000-00403000 rwxp 00000000 00:00 0 \n"));
	tfs_free(&fs);
}

TEST(exec_pie_loads_at_elf_et_dyn_base_and_ld_so_below_mmap_base)
{
	struct tfs fs = {0};
	add_ld(&fs);
	size_t n = elf_image(img, sizeof(img), 3, 0x1000, prog_segs, 3, "/lib/ld.so", 0);
	tfs_add(&fs, "/bin/pie", 0100755, img, n);
	struct vms_exec_info in;
	long err;
	vms_mm *mm = run(sys, &fs, "/bin/pie", NULL, NULL, &in, &err, NULL);
	CHECK(mm);
	VALID(mm);
	CHECK_EQ(in.load_bias, DYN_BASE);
	struct vms_mm_layout lay;
	vms_mm_get_layout(mm, &lay);
	/* load_elf_interp(): the span (0x4000) top-down from mmap_base. */
	CHECK_EQ(in.interp_base, lay.mmap_base - 0x4000);
	CHECK_EQ(in.entry, in.interp_base + 0x1100);
	CHECK_EQ(auxv_get(&in, 9 /* AT_ENTRY */), DYN_BASE + 0x1000);
	CHECK_EQ(auxv_get(&in, 7 /* AT_BASE */), in.interp_base);
	CHECK(!strcmp(in.interp, "/lib/ld.so"));
	/* The vDSO block goes below the interpreter: [vvar] [vvar_vclock] [vdso]. */
	CHECK_EQ(auxv_get(&in, 33 /* AT_SYSINFO_EHDR */), in.interp_base - 2 * PG);
	CHECK_EQ(in.start_brk, DYN_BASE + 0x7000);
	vms_exec_info_free(&in);
	tfs_free(&fs);
}

TEST(exec_pie_load_bias_is_aligned_down_to_the_largest_p_align)
{
	struct tfs fs = {0};
	add_ld(&fs);
	struct seg s[3];
	memcpy(s, prog_segs, sizeof(s));
	s[1].align = 0x200000;
	size_t n = elf_image(img, sizeof(img), 3, 0x1000, s, 3, "/lib/ld.so", 0);
	tfs_add(&fs, "/bin/pie", 0100755, img, n);
	struct vms_exec_info in;
	long err;
	vms_mm *mm = run(sys, &fs, "/bin/pie", NULL, NULL, &in, &err, NULL);
	CHECK(mm);
	CHECK_EQ(in.load_bias, 0x555555400000ULL);
	vms_exec_info_free(&in);
	tfs_free(&fs);
}

TEST(exec_static_pie_is_placed_top_down_and_its_brk_moves_to_elf_et_dyn_base)
{
	struct tfs fs = {0};
	size_t n = elf_image(img, sizeof(img), 3, 0x1000, prog_segs, 3, NULL, 0);
	tfs_add(&fs, "/bin/spie", 0100755, img, n);
	struct vms_exec_info in;
	long err;
	vms_mm *mm = run(sys, &fs, "/bin/spie", NULL, NULL, &in, &err, NULL);
	CHECK(mm);
	VALID(mm);
	struct vms_mm_layout lay;
	vms_mm_get_layout(mm, &lay);
	/* total_mapping_size(): 0x6200, mapped top-down with its first segment. */
	CHECK_EQ(in.load_bias, lay.mmap_base - 0x7000);
	CHECK_EQ(in.entry, in.load_bias + 0x1000);
	/* ELF_PAGEALIGN(ELF_ET_DYN_BASE) even with ASLR off. */
	CHECK_EQ(in.start_brk, 0x555555555000ULL);
	vms_exec_info_free(&in);
	tfs_free(&fs);
}

TEST(exec_stack_top_strings_and_sp_follow_create_elf_tables)
{
	struct tfs fs = {0};
	size_t n = elf_image(img, sizeof(img), 3, 0x1000, prog_segs, 3, NULL, 0);
	tfs_add(&fs, "/bin/spie", 0100755, img, n);
	const char *argv[] = {"/bin/spie", "hello", NULL};
	const char *envp[] = {"A=1", NULL};
	struct vms_exec_info in;
	long err;
	vms_mm *mm = run(sys, &fs, "/bin/spie", argv, envp, &in, &err, NULL);
	CHECK(mm);
	/* bprm_mm_init: 8 bytes at the top, then the filename, envp, argv. */
	uint64_t execfn = TOP - 8 - sizeof("/bin/spie");
	CHECK_EQ(auxv_get(&in, 31 /* AT_EXECFN */), execfn);
	CHECK_EQ(in.env_start, execfn - 4);
	CHECK_EQ(in.arg_start, execfn - 4 - 6 - 10);
	/* arch_align_stack: 16 bytes; then "x86_64" and 16 random bytes. */
	uint64_t p = in.arg_start & ~0xfULL;
	CHECK_EQ(auxv_get(&in, 15 /* AT_PLATFORM */), p - 7);
	CHECK(!strcmp(stack_str(&in, p - 7), "x86_64"));
	CHECK_EQ(auxv_get(&in, 25 /* AT_RANDOM */), p - 23);
	uint64_t sp = (p - 23 - 16 * in.nauxv - 8 * (3 + 2 + 1)) & ~0xfULL;
	CHECK_EQ(in.sp, sp);
	CHECK_EQ(stack_word(&in, sp), 2);
	CHECK(!strcmp(stack_str(&in, stack_word(&in, sp + 8)), "/bin/spie"));
	CHECK(!strcmp(stack_str(&in, stack_word(&in, sp + 16)), "hello"));
	CHECK_EQ(stack_word(&in, sp + 24), 0);
	CHECK(!strcmp(stack_str(&in, stack_word(&in, sp + 32)), "A=1"));
	CHECK_EQ(stack_word(&in, sp + 40), 0);
	CHECK_EQ(stack_word(&in, sp + 48), in.auxv[0][0]);
	/* setup_arg_pages: the strings' page and 128 KiB more. */
	CHECK(maps_has(mm, "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0 "));
	CHECK(maps_has(mm, "[stack]"));
	vms_exec_info_free(&in);
	tfs_free(&fs);
}

TEST(exec_stack_growth_at_setup_is_bounded_by_rlimit_stack)
{
	struct tfs fs = {0};
	size_t n = elf_image(img, sizeof(img), 3, 0x1000, prog_segs, 3, NULL, 0);
	tfs_add(&fs, "/bin/spie", 0100755, img, n);
	struct vms_mm_config cfg = aslr_off;
	cfg.has_rlimits = 1;
	cfg.rlim_stack = (struct vms_rlimit){64 << 10, VMS_RLIM_INFINITY};
	cfg.rlim_data = cfg.rlim_as = (struct vms_rlimit){VMS_RLIM_INFINITY, VMS_RLIM_INFINITY};
	cfg.rlim_memlock = (struct vms_rlimit){8 << 20, 8 << 20};
	long err;
	vms_mm *mm = run(sys, &fs, "/bin/spie", NULL, NULL, NULL, &err, &cfg);
	CHECK(mm);
	CHECK(maps_has(mm, "7ffffffef000-7ffffffff000 rw-p"));
	tfs_free(&fs);
}

TEST(exec_pt_gnu_stack_with_pf_x_makes_the_stack_executable)
{
	struct tfs fs = {0};
	for (int x = 0; x <= 1; x++) {
		size_t n = elf_image(img, sizeof(img), 3, 0x1000, prog_segs, 3, NULL, x);
		tfs_add(&fs, x ? "/bin/x" : "/bin/nx", 0100755, img, n);
	}
	long err;
	vms_mm *mm = run(sys, &fs, "/bin/x", NULL, NULL, NULL, &err, NULL);
	CHECK(mm);
	CHECK(maps_has(mm, "7ffffffff000 rwxp"));
	mm = run(sys, &fs, "/bin/nx", NULL, NULL, NULL, &err, NULL);
	CHECK(mm);
	CHECK(maps_has(mm, "7ffffffff000 rw-p"));
	tfs_free(&fs);
}

TEST(exec_script_puts_interpreter_argument_and_script_path_in_argv)
{
	struct tfs fs = {0};
	size_t n = elf_image(img, sizeof(img), 3, 0x1000, prog_segs, 3, NULL, 0);
	tfs_add(&fs, "/bin/sh", 0100755, img, n);
	const char script[] = "#! /bin/sh  -e  -x \nexit\n";
	tfs_add(&fs, "/s", 0100755, script, sizeof(script) - 1);
	const char *argv[] = {"zero", "one", NULL};
	struct vms_exec_info in;
	long err;
	vms_mm *mm = run(sys, &fs, "/s", argv, NULL, &in, &err, NULL);
	CHECK(mm);
	CHECK(maps_has(mm, "/bin/sh"));
	uint64_t sp = in.sp;
	CHECK_EQ(stack_word(&in, sp), 4);
	CHECK(!strcmp(stack_str(&in, stack_word(&in, sp + 8)), "/bin/sh"));
	CHECK(!strcmp(stack_str(&in, stack_word(&in, sp + 16)), "-e  -x"));
	CHECK(!strcmp(stack_str(&in, stack_word(&in, sp + 24)), "/s"));
	CHECK(!strcmp(stack_str(&in, stack_word(&in, sp + 32)), "one"));
	/* AT_EXECFN stays the name given to execve. */
	CHECK(!strcmp(stack_str(&in, auxv_get(&in, 31)), "/s"));
	vms_exec_info_free(&in);
	tfs_free(&fs);
}

TEST(exec_binprm_allows_five_levels_of_scripts_and_a_sixth_is_eloop)
{
	struct tfs fs = {0};
	size_t n = elf_image(img, sizeof(img), 3, 0x1000, prog_segs, 3, NULL, 0);
	tfs_add(&fs, "/s0", 0100755, img, n);
	static const char *names[] = {"/s0", "/s1", "/s2", "/s3", "/s4", "/s5", "/s6"};
	char text[7][16];
	for (int i = 1; i <= 6; i++) {
		snprintf(text[i], sizeof(text[i]), "#!%s\n", names[i - 1]);
		tfs_add(&fs, names[i], 0100755, text[i], strlen(text[i]));
	}
	long err;
	CHECK(run(sys, &fs, "/s5", NULL, NULL, NULL, &err, NULL));
	CHECK(!run(sys, &fs, "/s6", NULL, NULL, NULL, &err, NULL));
	CHECK_EQ(err, -VMS_ELOOP);
	tfs_free(&fs);
}

TEST(exec_script_without_an_interpreter_name_is_enoexec)
{
	static const char *bad[] = {"#!\n", "#!   \t \n"};
	for (int i = 0; i < 2; i++) {
		struct tfs fs = {0};
		tfs_add(&fs, "/s", 0100755, bad[i], strlen(bad[i]));
		long err;
		CHECK(!run(sys, &fs, "/s", NULL, NULL, NULL, &err, NULL));
		CHECK_EQ(err, -VMS_ENOEXEC);
		tfs_free(&fs);
	}
	/* "#!" alone names "" (no newline to end it), which open_exec()
	 * walks to the working directory: a directory is EACCES. */
	struct tfs fs0 = {0};
	tfs_add(&fs0, "/s", 0100755, "#!", 2);
	long err0;
	CHECK(!run(sys, &fs0, "/s", NULL, NULL, NULL, &err0, NULL));
	CHECK_EQ(err0, -VMS_EACCES);
	tfs_free(&fs0);
	/* A path that fills the 256 bytes read with no blank after it may be
	 * cut: refused. */
	char longline[300];
	memset(longline, 'a', sizeof(longline));
	memcpy(longline, "#!/", 3);
	struct tfs fs = {0};
	tfs_add(&fs, "/s", 0100755, longline, sizeof(longline));
	long err;
	CHECK(!run(sys, &fs, "/s", NULL, NULL, NULL, &err, NULL));
	CHECK_EQ(err, -VMS_ENOEXEC);
	tfs_free(&fs);
}

TEST(exec_arguments_over_max_arg_strlen_or_the_quarter_rlimit_are_e2big)
{
	struct tfs fs = {0};
	size_t n = elf_image(img, sizeof(img), 3, 0x1000, prog_segs, 3, NULL, 0);
	tfs_add(&fs, "/p", 0100755, img, n);
	size_t big = 32 * PG; /* MAX_ARG_STRLEN counts the NUL */
	char *s = malloc(big + 1);
	memset(s, 'x', big);
	s[big] = '\0';
	const char *argv[] = {"/p", s, NULL};
	long err;
	CHECK(!run(sys, &fs, "/p", argv, NULL, NULL, &err, NULL));
	CHECK_EQ(err, -VMS_E2BIG);
	s[big - 1] = '\0';
	vms_mm *mm = run(sys, &fs, "/p", argv, NULL, NULL, &err, NULL);
	CHECK(mm);
	/* 8 MiB of stack: 2 MiB of strings and pointers at most. */
	const char *many[80];
	many[0] = "/p";
	for (int i = 1; i < 79; i++)
		many[i] = s;
	many[79] = NULL;
	CHECK(!run(sys, &fs, "/p", many, NULL, NULL, &err, NULL));
	CHECK_EQ(err, -VMS_E2BIG);
	free(s);
	tfs_free(&fs);
}

static long exec_err(vms_sys *sys, struct tfs *fs, const char *path, const struct vms_mm_config *cfg)
{
	long err = 0;
	vms_mm *mm = run(sys, fs, path, NULL, NULL, NULL, &err, cfg);
	return mm ? 0 : err;
}

TEST(exec_load_elf_binary_refuses_what_is_not_an_x86_64_image_with_enoexec)
{
	struct tfs fs = {0};
	size_t n = elf_image(img, sizeof(img), 3, 0x1000, prog_segs, 3, NULL, 0);
	static uint8_t v[8][0x3000];
	for (int i = 0; i < 8; i++)
		memcpy(v[i], img, sizeof(v[i]));
	v[0][1] = 'X';                  /* magic */
	put(v[1] + 16, 1, 2);           /* ET_REL */
	put(v[2] + 18, 3, 2);           /* EM_386 */
	put(v[3] + 54, 32, 2);          /* e_phentsize */
	put(v[4] + 56, 0, 2);           /* no program headers */
	put(v[5] + 56, 1200, 2);        /* a table over 64 KiB */
	put(v[6] + 32, 0x100000, 8);    /* the table past the end of the file */
	static const char *names[] = {"/0", "/1", "/2", "/3", "/4", "/5", "/6"};
	for (int i = 0; i < 7; i++)
		tfs_add(&fs, names[i], 0100755, v[i], n);
	for (int i = 0; i < 7; i++)
		CHECK_EQ(exec_err(sys, &fs, names[i], NULL), -VMS_ENOEXEC);
	tfs_add(&fs, "/short", 0100755, img, 40); /* a truncated header */
	CHECK_EQ(exec_err(sys, &fs, "/short", NULL), -VMS_ENOEXEC);
	tfs_free(&fs);
}

TEST(exec_pt_interp_must_be_two_bytes_to_path_max_and_nul_terminated)
{
	struct tfs fs = {0};
	add_ld(&fs);
	size_t n = elf_image(img, sizeof(img), 3, 0x1000, prog_segs, 3, "/lib/ld.so", 0);
	uint8_t *p = img + 64;
	put(p + 32, 1, 8); /* p_filesz 1 */
	tfs_add(&fs, "/a", 0100755, img, n);
	CHECK_EQ(exec_err(sys, &fs, "/a", NULL), -VMS_ENOEXEC);
	n = elf_image(img, sizeof(img), 3, 0x1000, prog_segs, 3, "/lib/ld.so", 0);
	put(p + 32, 5, 8); /* "/lib/" has no NUL */
	tfs_add(&fs, "/b", 0100755, img, n);
	CHECK_EQ(exec_err(sys, &fs, "/b", NULL), -VMS_ENOEXEC);
	n = elf_image(img, sizeof(img), 3, 0x1000, prog_segs, 3, "/lib/none.so", 0);
	tfs_add(&fs, "/c", 0100755, img, n);
	CHECK_EQ(exec_err(sys, &fs, "/c", NULL), -VMS_ENOENT);
	/* An interpreter shorter than an ELF header is EIO (elf_read); one
	 * that is not an ELF image is a bad library. */
	tfs_add(&fs, "/lib/short.so", 0100755, "hello, world", 12);
	n = elf_image(img, sizeof(img), 3, 0x1000, prog_segs, 3, "/lib/short.so", 0);
	tfs_add(&fs, "/e", 0100755, img, n);
	CHECK_EQ(exec_err(sys, &fs, "/e", NULL), -VMS_EIO);
	static char text[100];
	memset(text, 'x', sizeof(text));
	tfs_add(&fs, "/lib/text.so", 0100755, text, sizeof(text));
	n = elf_image(img, sizeof(img), 3, 0x1000, prog_segs, 3, "/lib/text.so", 0);
	tfs_add(&fs, "/d", 0100755, img, n);
	CHECK_EQ(exec_err(sys, &fs, "/d", NULL), -VMS_ELIBBAD);
	tfs_free(&fs);
}

TEST(exec_do_open_execat_wants_a_regular_executable_file_on_an_exec_mount)
{
	struct tfs fs = {0};
	size_t n = elf_image(img, sizeof(img), 3, 0x1000, prog_segs, 3, NULL, 0);
	tfs_add(&fs, "/nox", 0100644, img, n);
	tfs_add(&fs, "/dir", 0040755, img, 0);
	tfs_add(&fs, "/fifo", 0010755, img, 0);
	tfs_add(&fs, "/mnt", 0100755, img, n);
	fs.f[fs.n - 1].noexec = 1;
	tfs_add(&fs, "/own", 0100705, img, n);
	fs.f[fs.n - 1].uid = 1000;
	CHECK_EQ(exec_err(sys, &fs, "/nox", NULL), -VMS_EACCES);
	CHECK_EQ(exec_err(sys, &fs, "/dir", NULL), -VMS_EACCES);
	CHECK_EQ(exec_err(sys, &fs, "/fifo", NULL), -VMS_EACCES);
	CHECK_EQ(exec_err(sys, &fs, "/mnt", NULL), -VMS_EACCES);
	CHECK_EQ(exec_err(sys, &fs, "/missing", NULL), -VMS_ENOENT);
	CHECK_EQ(exec_err(sys, &fs, "", NULL), -VMS_ENOENT);
	/* The owner's bits for the owner, the others' for the rest; root any. */
	struct vms_mm_config cfg = aslr_off;
	cfg.has_creds = 1;
	cfg.creds.uid = cfg.creds.euid = 1000;
	CHECK_EQ(exec_err(sys, &fs, "/own", &cfg), 0);
	cfg.creds.uid = cfg.creds.euid = 1001;
	CHECK_EQ(exec_err(sys, &fs, "/own", &cfg), -VMS_EACCES);
	CHECK_EQ(exec_err(sys, &fs, "/own", NULL), 0);
	tfs_free(&fs);
}

TEST(exec_refuses_a_file_open_for_writing_with_etxtbsy)
{
	struct tfs fs = {0};
	size_t n = elf_image(img, sizeof(img), 3, 0x1000, prog_segs, 3, NULL, 0);
	tfs_add(&fs, "/p", 0100755, img, n);
	struct vms_inode_info ii = {8, 1, fs.f[0].ino, n, "/p", 0};
	vms_file *w = vms_file_open(vms_inode_get(sys, &ii), VMS_O_RDWR);
	CHECK_EQ(exec_err(sys, &fs, "/p", NULL), -VMS_ETXTBSY);
	vms_file_close(w);
	CHECK_EQ(exec_err(sys, &fs, "/p", NULL), 0);
	tfs_free(&fs);
}

TEST(exec_segment_with_filesz_over_memsz_kills_the_process_with_einval)
{
	struct tfs fs = {0};
	struct seg s[3];
	memcpy(s, prog_segs, sizeof(s));
	s[2].memsz = 0x10;
	size_t n = elf_image(img, sizeof(img), 3, 0x1000, s, 3, NULL, 0);
	tfs_add(&fs, "/p", 0100755, img, n);
	struct vms_exec_info in;
	long err;
	CHECK(!run(sys, &fs, "/p", NULL, NULL, &in, &err, NULL));
	CHECK_EQ(err, -VMS_EINVAL);
	CHECK(in.fatal);
	tfs_free(&fs);
}

TEST(exec_randomises_every_placement_but_not_the_shape)
{
	struct tfs fs = {0};
	add_ld(&fs);
	size_t n = elf_image(img, sizeof(img), 3, 0x1000, prog_segs, 3, "/lib/ld.so", 0);
	tfs_add(&fs, "/bin/pie", 0100755, img, n);
	struct vms_mm_config a = {.seed = 1}, b = {.seed = 2};
	struct vms_exec_info ia, ib;
	long err;
	vms_mm *ma = run(sys, &fs, "/bin/pie", NULL, NULL, &ia, &err, &a);
	vms_mm *mb = run(sys, &fs, "/bin/pie", NULL, NULL, &ib, &err, &b);
	CHECK(ma && mb);
	VALID(ma);
	CHECK(ia.load_bias != ib.load_bias && ia.sp != ib.sp && ia.start_brk != ib.start_brk);
	const vms_vma *va = vms_vma_first(ma), *vb = vms_vma_first(mb);
	for (; va && vb; va = vms_vma_next(ma, va), vb = vms_vma_next(mb, vb)) {
		struct vms_vma_info x, y;
		vms_vma_get_info(va, &x);
		vms_vma_get_info(vb, &y);
		CHECK_EQ(x.end - x.start, y.end - y.start);
		CHECK_EQ(x.vm_flags, y.vm_flags);
	}
	CHECK(!va && !vb);
	/* The same seed, the same address space. */
	vms_exec_info_free(&ib);
	vms_mm *mc = run(sys, &fs, "/bin/pie", NULL, NULL, &ib, &err, &a);
	CHECK(mc);
	CHECK_EQ(ib.sp, ia.sp);
	CHECK_EQ(ib.load_bias, ia.load_bias);
	CHECK(!memcmp(ib.stack_bytes, ia.stack_bytes, ia.stack_len));
	vms_exec_info_free(&ia);
	vms_exec_info_free(&ib);
	tfs_free(&fs);
}

TEST(exec_alloc_failure_leaves_the_old_address_space_untouched)
{
	struct tfs fs = {0};
	add_ld(&fs);
	size_t n = elf_image(img, sizeof(img), 3, 0x1000, prog_segs, 3, "/lib/ld.so", 0);
	tfs_add(&fs, "/bin/pie", 0100755, img, n);
	vms_mm *old = vms_mm_new(sys, &aslr_off);
	CHECK(vms_mmap(old, 0, 4 * PG, VMS_PROT_READ | VMS_PROT_WRITE,
		       VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0) > 0);
	struct t_snap before, after;
	t_snap_take(sys, old, &before);
	struct vms_exec_fs efs = {&fs, tfs_stat, tfs_read};
	const char *argv[] = {"/bin/pie", "x", NULL};
	struct vms_exec_args a = {"/bin/pie", argv, NULL, &efs, "/", NULL};
	int failures = 0;
	for (uint64_t k = 1; k < 400; k++) {
		long err;
		vms_sys_fail_alloc_after(sys, k);
		vms_mm *mm = vms_execve(sys, old, &aslr_off, &a, NULL, &err);
		vms_sys_fail_alloc_after(sys, 0);
		t_snap_take(sys, old, &after);
		if (!mm) {
			CHECK_EQ(err, -VMS_ENOMEM);
			failures++;
			/* The new mm is gone with its commit charge. */
			CHECK(t_snap_equal(&before, &after));
			VALID(old);
			continue;
		}
		VALID(mm);
		vms_mm_free(mm);
		break;
	}
	CHECK(failures > 10);
	tfs_free(&fs);
}

/* Malformed images never crash the loader: every byte of the headers of a
 * PIE with an interpreter, changed at random (a fixed seed), either execs
 * into a valid address space or fails with an errno. */
TEST(exec_random_header_damage_is_refused_or_loaded_never_read_past)
{
	struct tfs fs = {0};
	add_ld(&fs);
	size_t n = elf_image(img, sizeof(img), 3, 0x1000, prog_segs, 3, "/lib/ld.so", 0);
	static uint8_t good[0x3000];
	memcpy(good, img, n);
	tfs_add(&fs, "/bin/x", 0100755, img, n);
	struct tfile *f = &fs.f[fs.n - 1];
	uint64_t rng = 12345;
	for (int iter = 0; iter < 3000; iter++) {
		memcpy(f->data, good, n);
		int changes = 1 + (int)(rng % 4);
		for (int c = 0; c < changes; c++) {
			rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
			size_t at = (size_t)((rng >> 33) % (64 + 5 * 56 + 12));
			f->data[at] = (uint8_t)(rng >> 24);
		}
		long err;
		vms_mm *mm = run(sys, &fs, "/bin/x", NULL, NULL, NULL, &err, NULL);
		if (mm) {
			VALID(mm);
			vms_mm_free(mm);
		} else {
			CHECK(err < 0 && err > -4096);
		}
	}
	tfs_free(&fs);
}

/* vms_exec_layout values are taken as they are, but a stack top or an
 * mmap_base above the map window is no choice the kernel makes (it put the
 * [stack] VMA past TASK_SIZE): refused with EINVAL before the point of no
 * return. Found by fuzz/fuzz_exec.c. */
TEST(exec_imposed_layout_above_the_map_window_is_einval)
{
	struct tfs fs = {0};
	add_ld(&fs);
	size_t n = elf_image(img, sizeof(img), 3, 0x1000, prog_segs, 3, "/lib/ld.so", 0);
	tfs_add(&fs, "/bin/pie", 0100755, img, n);
	struct vms_exec_fs efs = {&fs, tfs_stat, tfs_read};
	struct vms_exec_layout lay = {.fixed = VMS_EXEC_FIX_STACK, .stack_rnd = ~0ULL};
	struct vms_exec_args a = {"/bin/pie", NULL, NULL, &efs, "/", &lay};
	struct vms_exec_info in;
	long err;
	CHECK(!vms_execve(sys, NULL, &aslr_off, &a, &in, &err));
	CHECK_EQ(err, -VMS_EINVAL);
	CHECK(!in.fatal);
	/* mmap_base 2 GiB above where it would be, past the window. */
	lay = (struct vms_exec_layout){.fixed = VMS_EXEC_FIX_MMAP, .mmap_rnd = (uint64_t)-0x80000};
	CHECK(!vms_execve(sys, NULL, &aslr_off, &a, &in, &err));
	CHECK_EQ(err, -VMS_EINVAL);
	CHECK(!in.fatal);
	/* A page lower and a page higher than the model's own are fine. */
	lay = (struct vms_exec_layout){.fixed = VMS_EXEC_FIX_STACK | VMS_EXEC_FIX_MMAP,
				       .stack_rnd = 1, .mmap_rnd = (uint64_t)-1};
	vms_mm *mm = vms_execve(sys, NULL, &aslr_off, &a, &in, &err);
	CHECK(mm);
	VALID(mm);
	vms_exec_info_free(&in);
	tfs_free(&fs);
}

/* ---- what exec keeps and resets of the process (with the old space) ---- */

#define CAP_IPC_LOCK_BIT (1ULL << 14)
#define ALL_CAPS ((1ULL << 41) - 1)
#define AT_UID_ 11
#define AT_EUID_ 12
#define AT_GID_ 13
#define AT_EGID_ 14
#define AT_SECURE_ 23

/* A static program at 0x400000, mode as given, owned by root. */
static void add_static(struct tfs *fs, uint32_t mode)
{
	struct seg s[3];
	memcpy(s, prog_segs, sizeof(s));
	for (int i = 0; i < 3; i++)
		s[i].vaddr += 0x400000;
	size_t n = elf_image(img, sizeof(img), 2, 0x401000, s, 3, NULL, 0);
	tfs_add(fs, "/bin/p", mode, img, n);
}

static vms_mm *exec_from(vms_sys *sys, struct tfs *fs, const vms_mm *old,
			 struct vms_exec_info *info, long *err)
{
	struct vms_exec_fs efs = {fs, tfs_stat, tfs_read};
	const char *argv[] = {"/bin/p", NULL};
	struct vms_exec_args a = {"/bin/p", argv, NULL, &efs, "/", NULL};
	static const struct vms_mm_config seed_only = {.seed = 7};
	return vms_execve(sys, old, &seed_only, &a, info, err);
}

static vms_mm *old_with_creds(vms_sys *sys, const struct vms_creds *c, unsigned personality)
{
	struct vms_mm_config cfg = {.personality = personality, .has_creds = 1, .creds = *c};
	return vms_mm_new(sys, &cfg);
}

static const struct vms_creds root_creds = {.cap_permitted = ALL_CAPS,
					    .cap_effective = ALL_CAPS,
					    .cap_bset = ALL_CAPS};

/* do_open_execat() runs with the caller's credentials: a file only its
 * owner (root) may execute refuses a process whose euid is 1000, whatever
 * the cfg says. */
TEST(exec_permission_check_uses_the_old_process_euid)
{
	struct tfs fs = {0};
	add_static(&fs, 0100700);
	struct vms_creds user = {.uid = 1000, .euid = 1000, .suid = 1000, .fsuid = 1000,
				 .gid = 1000, .egid = 1000, .sgid = 1000, .fsgid = 1000,
				 .cap_bset = ALL_CAPS};
	vms_mm *old = old_with_creds(sys, &user, VMS_ADDR_NO_RANDOMIZE);
	long err = 0;
	CHECK(!exec_from(sys, &fs, old, NULL, &err));
	CHECK_EQ(err, -VMS_EACCES);
	vms_mm_free(old);
	old = old_with_creds(sys, &root_creds, VMS_ADDR_NO_RANDOMIZE);
	vms_mm *mm = exec_from(sys, &fs, old, NULL, &err);
	CHECK(mm);
	vms_mm_free(mm);
	vms_mm_free(old);
	tfs_free(&fs);
}

/* cap_bprm_creds_from_file(): a root process that dropped CAP_IPC_LOCK from
 * its permitted set gets it back (pP' = bounding set); with euid 1000 and
 * uid 0 the permitted set is full but nothing is effective; the auxv shows
 * the new ids and SECBIT_KEEP_CAPS is gone. */
TEST(exec_credentials_follow_cap_bprm_creds_from_file)
{
	struct tfs fs = {0};
	add_static(&fs, 0100755);
	struct vms_creds c = root_creds;
	c.cap_permitted &= ~CAP_IPC_LOCK_BIT;
	c.cap_effective &= ~CAP_IPC_LOCK_BIT;
	c.securebits = 1u << 4; /* SECBIT_KEEP_CAPS */
	vms_mm *old = old_with_creds(sys, &c, VMS_ADDR_NO_RANDOMIZE);
	struct vms_exec_info in;
	long err = 0;
	vms_mm *mm = exec_from(sys, &fs, old, &in, &err);
	CHECK(mm);
	struct vms_creds n;
	vms_mm_get_creds(mm, &n);
	CHECK_EQ(n.cap_permitted, ALL_CAPS);
	CHECK_EQ(n.cap_effective, ALL_CAPS);
	CHECK_EQ(n.securebits, 0);
	vms_exec_info_free(&in);
	vms_mm_free(mm);
	vms_mm_free(old);

	c = root_creds;
	c.euid = c.fsuid = 1000;
	c.cap_effective = 0;
	c.gid = 5;
	c.egid = 6;
	old = old_with_creds(sys, &c, VMS_ADDR_NO_RANDOMIZE);
	mm = exec_from(sys, &fs, old, &in, &err);
	CHECK(mm);
	vms_mm_get_creds(mm, &n);
	CHECK_EQ(n.cap_permitted, ALL_CAPS);
	CHECK_EQ(n.cap_effective, 0);
	CHECK_EQ(n.suid, 1000);
	CHECK_EQ(n.sgid, 6);
	CHECK_EQ(auxv_get(&in, AT_UID_), 0);
	CHECK_EQ(auxv_get(&in, AT_EUID_), 1000);
	CHECK_EQ(auxv_get(&in, AT_GID_), 5);
	CHECK_EQ(auxv_get(&in, AT_EGID_), 6);
	/* euid and egid not the real ones (bprm_fill_uid): a secure exec
	 * (measured by exec_kdiff_after_state_changes_matches). */
	CHECK_EQ(auxv_get(&in, AT_SECURE_), 1);
	vms_exec_info_free(&in);
	vms_mm_free(mm);
	vms_mm_free(old);
	tfs_free(&fs);
}

/* The personality stays but for what load_elf_binary changes: a 64-bit
 * program drops READ_IMPLIES_EXEC (set_personality_64bit); ADDR_NO_RANDOMIZE
 * keeps the layout fixed and ADDR_COMPAT_LAYOUT picks the legacy one. */
TEST(exec_keeps_the_personality_but_read_implies_exec)
{
	struct tfs fs = {0};
	add_static(&fs, 0100755);
	unsigned pers = VMS_ADDR_NO_RANDOMIZE | VMS_ADDR_COMPAT_LAYOUT | VMS_READ_IMPLIES_EXEC;
	vms_mm *old = old_with_creds(sys, &root_creds, pers);
	struct vms_exec_info in;
	long err = 0;
	vms_mm *mm = exec_from(sys, &fs, old, &in, &err);
	CHECK(mm);
	CHECK_EQ(vms_personality(mm, 0xffffffff),
		 (long)(VMS_ADDR_NO_RANDOMIZE | VMS_ADDR_COMPAT_LAYOUT));
	struct vms_mm_layout l;
	vms_mm_get_layout(mm, &l);
	CHECK(!l.topdown);
	CHECK_EQ(in.layout.mmap_rnd, 0);
	CHECK_EQ(in.layout.stack_rnd, 0);
	/* No READ_IMPLIES_EXEC: a read-only mapping is not executable. */
	long a = vms_mmap(mm, 0, PG, VMS_PROT_READ, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0);
	CHECK(a > 0);
	struct vms_vma_info vi;
	vms_vma_get_info(vms_find_vma(mm, (uint64_t)a), &vi);
	CHECK(!(vi.vm_flags & 0x4 /* VM_EXEC */));
	vms_exec_info_free(&in);
	vms_mm_free(mm);
	vms_mm_free(old);
	tfs_free(&fs);
}

/* begin_new_exec(): personality &= ~bprm->per_clear, which
 * cap_bprm_creds_from_file() sets when the permitted set grows: root that
 * had dropped a capability loses ADDR_NO_RANDOMIZE (and the other
 * PER_CLEAR_ON_SETID bits) at its next exec, and is randomised. */
TEST(exec_regained_capabilities_clear_per_clear_on_setid)
{
	struct tfs fs = {0};
	add_static(&fs, 0100755);
	struct vms_creds c = root_creds;
	c.cap_permitted &= ~CAP_IPC_LOCK_BIT;
	c.cap_effective &= ~CAP_IPC_LOCK_BIT;
	unsigned pers = VMS_ADDR_NO_RANDOMIZE | VMS_ADDR_COMPAT_LAYOUT | VMS_ADDR_LIMIT_3GB;
	vms_mm *old = old_with_creds(sys, &c, pers);
	struct vms_exec_info in;
	long err = 0;
	vms_mm *mm = exec_from(sys, &fs, old, &in, &err);
	CHECK(mm);
	CHECK_EQ(vms_personality(mm, 0xffffffff), (long)VMS_ADDR_LIMIT_3GB);
	struct vms_mm_layout l;
	vms_mm_get_layout(mm, &l);
	CHECK(l.topdown);
	CHECK(in.layout.mmap_rnd != 0 || in.layout.stack_rnd != 0);
	vms_exec_info_free(&in);
	vms_mm_free(mm);
	vms_mm_free(old);
	tfs_free(&fs);
}

/* bprm->secureexec: uid 1000 running with euid 0 gains an effective set:
 * AT_SECURE is 1 and the new program's RLIMIT_STACK is at most 8 MiB. */
TEST(exec_secure_exec_sets_at_secure_and_caps_the_stack_limit)
{
	struct tfs fs = {0};
	add_static(&fs, 0100755);
	struct vms_creds c = root_creds;
	c.uid = 1000;
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE, .has_creds = 1,
				    .creds = c, .has_rlimits = 1};
	cfg.rlim_stack = (struct vms_rlimit){64ULL << 20, VMS_RLIM_INFINITY};
	cfg.rlim_data = cfg.rlim_as = (struct vms_rlimit){VMS_RLIM_INFINITY, VMS_RLIM_INFINITY};
	cfg.rlim_memlock = (struct vms_rlimit){8 << 20, 8 << 20};
	vms_mm *old = vms_mm_new(sys, &cfg);
	struct vms_exec_info in;
	long err = 0;
	vms_mm *mm = exec_from(sys, &fs, old, &in, &err);
	CHECK(mm);
	CHECK_EQ(auxv_get(&in, AT_SECURE_), 1);
	struct vms_rlimit r;
	CHECK_EQ(vms_prlimit(mm, VMS_RLIMIT_STACK, NULL, &r), 0);
	CHECK_EQ(r.cur, 8ULL << 20);
	CHECK_EQ(r.max, VMS_RLIM_INFINITY);
	vms_exec_info_free(&in);
	vms_mm_free(mm);
	vms_mm_free(old);

	/* Not secure: the limits stay as they were. */
	cfg.creds.uid = 0;
	old = vms_mm_new(sys, &cfg);
	mm = exec_from(sys, &fs, old, &in, &err);
	CHECK(mm);
	CHECK_EQ(auxv_get(&in, AT_SECURE_), 0);
	CHECK_EQ(vms_prlimit(mm, VMS_RLIMIT_STACK, NULL, &r), 0);
	CHECK_EQ(r.cur, 64ULL << 20);
	vms_exec_info_free(&in);
	vms_mm_free(mm);
	vms_mm_free(old);
	tfs_free(&fs);
}

/* kernel/fork.c mm_init(): the exec's mm takes mmf_init_flags() of the
 * old one: MDWE and THP disabled stay, MDWE with NO_INHERIT goes. */
TEST(exec_new_mm_takes_mdwe_and_thp_disable_from_mmf_init_flags)
{
	struct tfs fs = {0};
	add_static(&fs, 0100755);
	vms_mm *old = old_with_creds(sys, &root_creds, VMS_ADDR_NO_RANDOMIZE);
	CHECK_EQ(vms_prctl(old, VMS_PR_SET_MDWE, VMS_PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0), 0);
	CHECK_EQ(vms_prctl(old, VMS_PR_SET_THP_DISABLE, 1, VMS_PR_THP_DISABLE_EXCEPT_ADVISED, 0,
			   0),
		 0);
	long err = 0;
	vms_mm *mm = exec_from(sys, &fs, old, NULL, &err);
	CHECK(mm);
	CHECK_EQ(vms_prctl(mm, VMS_PR_GET_MDWE, 0, 0, 0, 0), VMS_PR_MDWE_REFUSE_EXEC_GAIN);
	CHECK_EQ(vms_prctl(mm, VMS_PR_GET_THP_DISABLE, 0, 0, 0, 0),
		 1 | VMS_PR_THP_DISABLE_EXCEPT_ADVISED);
	CHECK_EQ(vms_mmap(mm, 0, PG, VMS_PROT_READ | VMS_PROT_WRITE | VMS_PROT_EXEC,
			  VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0),
		 -VMS_EACCES);
	vms_mm_free(mm);
	vms_mm_free(old);

	old = old_with_creds(sys, &root_creds, VMS_ADDR_NO_RANDOMIZE);
	CHECK_EQ(vms_prctl(old, VMS_PR_SET_MDWE,
			   VMS_PR_MDWE_REFUSE_EXEC_GAIN | VMS_PR_MDWE_NO_INHERIT, 0, 0, 0),
		 0);
	mm = exec_from(sys, &fs, old, NULL, &err);
	CHECK(mm);
	CHECK_EQ(vms_prctl(mm, VMS_PR_GET_MDWE, 0, 0, 0, 0), 0);
	CHECK_EQ(vms_prctl(mm, VMS_PR_GET_THP_DISABLE, 0, 0, 0, 0), 0);
	CHECK(vms_mmap(mm, 0, PG, VMS_PROT_READ | VMS_PROT_WRITE | VMS_PROT_EXEC,
		       VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0) > 0);
	vms_mm_free(mm);
	vms_mm_free(old);
	tfs_free(&fs);
}

/* mm_init(): def_flags & VM_INIT_DEF_MASK, so mlockall(MCL_FUTURE) does not
 * survive exec: the new program's mappings are not locked. */
TEST(exec_does_not_keep_mlockall_future)
{
	struct tfs fs = {0};
	add_static(&fs, 0100755);
	vms_mm *old = old_with_creds(sys, &root_creds, VMS_ADDR_NO_RANDOMIZE);
	CHECK_EQ(vms_mlockall(old, VMS_MCL_FUTURE), 0);
	long err = 0;
	vms_mm *mm = exec_from(sys, &fs, old, NULL, &err);
	CHECK(mm);
	struct vms_mm_counters cn;
	vms_mm_get_counters(mm, &cn);
	CHECK_EQ(cn.locked_vm, 0);
	long a = vms_mmap(mm, 0, PG, VMS_PROT_READ, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0);
	CHECK(a > 0);
	vms_mm_get_counters(mm, &cn);
	CHECK_EQ(cn.locked_vm, 0);
	vms_mm_free(mm);
	vms_mm_free(old);
	tfs_free(&fs);
}

/* The task's memory policy is the task_struct's: exec keeps it (the VMA
 * policies go with the old mm); rlimits stay too. */
TEST(exec_keeps_the_task_mempolicy_and_the_rlimits)
{
	struct tfs fs = {0};
	add_static(&fs, 0100755);
	vms_mm *old = old_with_creds(sys, &root_creds, VMS_ADDR_NO_RANDOMIZE);
	uint64_t node0 = 1;
	CHECK_EQ(vms_set_mempolicy(old, VMS_MPOL_BIND, &node0, 1, 2), 0);
	struct vms_rlimit lim = {256 * 1024, 256 * 1024};
	CHECK_EQ(vms_prlimit(old, VMS_RLIMIT_MEMLOCK, &lim, NULL), 0);
	long err = 0;
	vms_mm *mm = exec_from(sys, &fs, old, NULL, &err);
	CHECK(mm);
	vms_mm_free(old); /* the policy outlives the old mm */
	int mode = -1;
	uint64_t mask[1] = {0};
	CHECK_EQ(vms_get_mempolicy(mm, &mode, mask, 1, 64, 0, 0), 0);
	CHECK_EQ(mode, VMS_MPOL_BIND);
	CHECK_EQ(mask[0], 1);
	struct vms_rlimit r;
	CHECK_EQ(vms_prlimit(mm, VMS_RLIMIT_MEMLOCK, NULL, &r), 0);
	CHECK_EQ(r.cur, 256 * 1024);
	vms_mm_free(mm);
	tfs_free(&fs);
}

/* init_new_context(): the exec's mm has its own key map, key 0 only: a
 * key the old program allocated is free again. */
TEST(exec_new_mm_has_a_fresh_protection_key_map)
{
	CHECK_EQ(vms_sysctl_set(sys, "cpu.pku", 1), 0);
	struct tfs fs = {0};
	add_static(&fs, 0100755);
	vms_mm *old = old_with_creds(sys, &root_creds, VMS_ADDR_NO_RANDOMIZE);
	CHECK_EQ(vms_pkey_alloc(old, 0, 0), 1);
	CHECK_EQ(vms_pkey_alloc(old, 0, 0), 2);
	long err = 0;
	vms_mm *mm = exec_from(sys, &fs, old, NULL, &err);
	CHECK(mm);
	CHECK_EQ(vms_pkey_alloc(mm, 0, 0), 1);
	CHECK_EQ(vms_pkey_free(mm, 2), -VMS_EINVAL);
	vms_mm_free(mm);
	vms_mm_free(old);
	tfs_free(&fs);
}

/* The old mm's attaches go with it (exit_mmap -> shm_close): nattch drops
 * and a segment marked for removal goes; the segments the process created
 * stay its own (shm_creator is the task), so turning on
 * kernel.shm_rmid_forced later does not take them as orphans. */
TEST(exec_drops_the_old_attaches_and_keeps_the_segments_created)
{
	struct tfs fs = {0};
	add_static(&fs, 0100755);
	vms_mm *old = old_with_creds(sys, &root_creds, VMS_ADDR_NO_RANDOMIZE);
	long kept = vms_shmget(old, VMS_IPC_PRIVATE, 4 * PG, VMS_IPC_CREAT | 0600);
	long gone = vms_shmget(old, VMS_IPC_PRIVATE, 4 * PG, VMS_IPC_CREAT | 0600);
	CHECK(kept >= 0 && gone >= 0);
	CHECK(vms_shmat(old, (int)kept, 0, 0) > 0);
	CHECK(vms_shmat(old, (int)gone, 0, 0) > 0);
	CHECK_EQ(vms_shmctl(old, (int)gone, VMS_IPC_RMID, NULL), 0);
	long err = 0;
	vms_mm *mm = exec_from(sys, &fs, old, NULL, &err);
	CHECK(mm);
	vms_exec_commit(mm, old);
	vms_mm_free(old);
	struct vms_shmid_ds ds;
	CHECK_EQ(vms_shmctl(mm, (int)kept, VMS_IPC_STAT, &ds), 0);
	CHECK_EQ(ds.nattch, 0);
	CHECK_EQ(vms_shmctl(mm, (int)gone, VMS_IPC_STAT, &ds), -VMS_EINVAL);
	CHECK_EQ(vms_sysctl_set(sys, "kernel.shm_rmid_forced", 1), 0);
	CHECK_EQ(vms_shmctl(mm, (int)kept, VMS_IPC_STAT, &ds), 0);
	/* The process's exit orphans it, and the forced removal takes it. */
	vms_mm_free(mm);
	vms_mm *other = vms_mm_new(sys, NULL);
	CHECK_EQ(vms_shmctl(other, (int)kept, VMS_IPC_STAT, &ds), -VMS_EINVAL);
	vms_mm_free(other);
	tfs_free(&fs);
}

/* The old space is the process's until the exec stands: a failure (here
 * every allocation failure before the end) leaves its state as it was,
 * the task policy's reference included. */
TEST(exec_failure_leaves_the_old_process_state_as_it_was)
{
	struct tfs fs = {0};
	add_static(&fs, 0100755);
	struct vms_creds c = root_creds;
	c.cap_permitted &= ~CAP_IPC_LOCK_BIT;
	c.cap_effective &= ~CAP_IPC_LOCK_BIT;
	vms_mm *old = old_with_creds(sys, &c, VMS_ADDR_NO_RANDOMIZE | VMS_READ_IMPLIES_EXEC);
	uint64_t node0 = 1;
	CHECK_EQ(vms_set_mempolicy(old, VMS_MPOL_BIND, &node0, 1, 2), 0);
	/* Attached before MDWE: under READ_IMPLIES_EXEC it would refuse. */
	long seg = vms_shmget(old, VMS_IPC_PRIVATE, 4 * PG, VMS_IPC_CREAT | 0600);
	CHECK(vms_shmat(old, (int)seg, 0, 0) > 0);
	CHECK_EQ(vms_prctl(old, VMS_PR_SET_MDWE, VMS_PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0), 0);
	struct t_snap before, after;
	t_snap_take(sys, old, &before);
	int failures = 0;
	for (uint64_t k = 1; k < 400; k++) {
		long err = 0;
		vms_sys_fail_alloc_after(sys, k);
		vms_mm *mm = exec_from(sys, &fs, old, NULL, &err);
		vms_sys_fail_alloc_after(sys, 0);
		if (mm) {
			vms_mm_free(mm);
			break;
		}
		failures++;
		t_snap_take(sys, old, &after);
		CHECK(t_snap_equal(&before, &after));
	}
	CHECK(failures > 3);
	struct vms_creds n;
	vms_mm_get_creds(old, &n);
	CHECK_EQ(n.cap_permitted, c.cap_permitted);
	CHECK_EQ(vms_personality(old, 0xffffffff),
		 (long)(VMS_ADDR_NO_RANDOMIZE | VMS_READ_IMPLIES_EXEC));
	vms_mm_free(old); /* the policy's last reference: ASan sees no leak */
	int mode = -1;
	vms_mm *fresh = vms_mm_new(sys, NULL);
	CHECK_EQ(vms_get_mempolicy(fresh, &mode, NULL, 0, 0, 0, 0), 0);
	CHECK_EQ(mode, VMS_MPOL_DEFAULT);
	vms_mm_free(fresh);
	tfs_free(&fs);
}
