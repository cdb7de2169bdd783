/*
 * test_procfs.c: one test per rule of the /proc texts (fs/proc/task_mmu.c
 * show_map_vma() and task_mem(), fs/proc/meminfo.c) and of importing a
 * /proc/PID/maps text. Not here: the system calls that change the maps.
 */
#include <fcntl.h>
#include <unistd.h>

#include "t.h"
#include "internal.h"

#define PG 4096ULL

static char text[1 << 20];

static vms_mm *new_mm(vms_sys *sys)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE};
	return vms_mm_new(sys, &cfg);
}

/* An address space imported from t, or NULL (with *err, *line set). */
static vms_mm *import(vms_sys *sys, const char *t, uint64_t start_brk, int *err, int *line)
{
	vms_mm *mm = new_mm(sys);
	int e = vms_mm_import_maps(mm, t, start_brk, line);
	if (err)
		*err = e;
	if (e) {
		vms_mm_free(mm);
		return NULL;
	}
	return mm;
}

static const char *maps(const vms_mm *mm)
{
	vms_maps_text(mm, text, sizeof(text));
	return text;
}

static int count_vmas(const vms_mm *mm)
{
	int n = 0;
	for (const vms_vma *v = vms_vma_first(mm); v; v = vms_vma_next(mm, v))
		n++;
	return n;
}

/* The VMA info of the nth VMA (0-based). */
static int nth(const vms_mm *mm, int n, struct vms_vma_info *out)
{
	for (const vms_vma *v = vms_vma_first(mm); v; v = vms_vma_next(mm, v))
		if (n-- == 0) {
			vms_vma_get_info(v, out);
			return 1;
		}
	return 0;
}

/* The notes' p1 process (dynamic PIE, ASLR off), verbatim from the kernel. */
static const char P1[] =
	"555555554000-555555555000 r--p 00000000 fe:00 10952934                   /tmp/vmsp/p1\n"
	"555555555000-555555556000 r-xp 00001000 fe:00 10952934                   /tmp/vmsp/p1\n"
	"555555556000-555555557000 r--p 00002000 fe:00 10952934                   /tmp/vmsp/p1\n"
	"555555557000-555555558000 r--p 00002000 fe:00 10952934                   /tmp/vmsp/p1\n"
	"555555558000-555555559000 rw-p 00003000 fe:00 10952934                   /tmp/vmsp/p1\n"
	"555555559000-55555557a000 rw-p 00000000 00:00 0                          [heap]\n"
	"7ffff7dd0000-7ffff7dd3000 rw-p 00000000 00:00 0 \n"
	"7ffff7dd3000-7ffff7df9000 r--p 00000000 fe:00 332835                     /usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"7ffff7df9000-7ffff7f4f000 r-xp 00026000 fe:00 332835                     /usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"7ffff7f4f000-7ffff7fa2000 r--p 0017c000 fe:00 332835                     /usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"7ffff7fa2000-7ffff7fa6000 r--p 001cf000 fe:00 332835                     /usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"7ffff7fa6000-7ffff7fa8000 rw-p 001d3000 fe:00 332835                     /usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"7ffff7fa8000-7ffff7fb5000 rw-p 00000000 00:00 0 \n"
	"7ffff7fbf000-7ffff7fc2000 rw-p 00000000 00:00 0 \n"
	"7ffff7fc2000-7ffff7fc6000 r--p 00000000 00:00 0                          [vvar]\n"
	"7ffff7fc6000-7ffff7fc8000 r--p 00000000 00:00 0                          [vvar_vclock]\n"
	"7ffff7fc8000-7ffff7fca000 r-xp 00000000 00:00 0                          [vdso]\n"
	"7ffff7fca000-7ffff7fcb000 r--p 00000000 fe:00 332383                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n"
	"7ffff7fcb000-7ffff7ff1000 r-xp 00001000 fe:00 332383                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n"
	"7ffff7ff1000-7ffff7ffb000 r--p 00027000 fe:00 332383                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n"
	"7ffff7ffb000-7ffff7ffd000 r--p 00031000 fe:00 332383                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n"
	"7ffff7ffd000-7ffff7fff000 rw-p 00033000 fe:00 332383                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n"
	"7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]\n"
	"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";

/* Reads a whole /proc file with read(2): no allocation can change the maps. */
static ssize_t slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	size_t n = 0;
	for (;;) {
		ssize_t r = read(fd, buf + n, size - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n == size - 1)
			break;
	}
	close(fd);
	buf[n] = '\0';
	return (ssize_t)n;
}

/* The line of s that starts with key, copied to out. */
static int line_of(const char *s, const char *key, char *out, size_t size)
{
	const char *p = strstr(s, key);
	if (!p)
		return 0;
	const char *e = strchr(p, '\n');
	size_t n = e ? (size_t)(e - p) : strlen(p);
	if (n >= size)
		n = size - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 1;
}

/* ---- maps: the line format ---- */

TEST(maps_name_column_is_73)
{
	vms_mm *mm = import(sys, P1, 0, NULL, NULL);
	CHECK(mm);
	const char *t = maps(mm);
	/* Every named line has its name at byte 73, whatever the header width. */
	for (const char *line = t; *line;) {
		const char *eol = strchr(line, '\n');
		CHECK(eol);
		if (eol - line > 73) {
			CHECK(line[72] == ' ');
			CHECK(line[73] == '/' || line[73] == '[');
			CHECK(line[71] == ' ');
		}
		line = eol + 1;
	}
	CHECK(strstr(t, "555555559000-55555557a000 rw-p 00000000 00:00 0                          [heap]\n"));
}

TEST(maps_nameless_line_ends_in_one_space)
{
	vms_mm *mm = import(sys, "10000000-10001000 rw-p 00000000 00:00 0 \n", 0, NULL, NULL);
	CHECK(mm);
	vms_mm_free(mm);
	mm = new_mm(sys);
	CHECK_EQ(vms_mmap(mm, 0x10000, PG, VMS_PROT_READ, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS |
						      VMS_MAP_FIXED, NULL, 0), 0x10000);
	CHECK(strstr(maps(mm), "00010000-00011000 r--p 00000000 00:00 0 \nffffffffff600000"));
}

TEST(maps_addresses_pad_to_8_digits_and_grow_past)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_mmap(mm, 0x1000, PG, VMS_PROT_READ, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS |
						     VMS_MAP_FIXED, NULL, 0), 0x1000);
	CHECK_EQ(vms_mmap(mm, 0x7ffff0000000ULL, PG, VMS_PROT_NONE,
			  VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED, NULL, 0),
		 0x7ffff0000000LL);
	const char *t = maps(mm);
	CHECK(strncmp(t, "00001000-00002000 r--p 00000000 00:00 0 \n", 41) == 0);
	CHECK(strstr(t, "\n7ffff0000000-7ffff0001000 ---p 00000000 00:00 0 \n"));
}

TEST(maps_anon_offset_shows_zero_file_offset_shows_bytes)
{
	vms_mm *mm = new_mm(sys);
	struct vms_inode_info ii = {.dev_major = 0xfe, .dev_minor = 0, .ino = 77, .size = 1 << 20,
				    .path = "/lib/x.so"};
	vms_file *f = vms_file_open(vms_inode_get(sys, &ii), VMS_O_RDONLY);
	CHECK(f);
	long a = vms_mmap(mm, 0, PG, VMS_PROT_READ, VMS_MAP_PRIVATE, f, 3 * PG);
	CHECK(a > 0);
	long b = vms_mmap(mm, 0, PG, VMS_PROT_READ, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0);
	CHECK(b > 0);
	struct vms_vma_info vi;
	vms_vma_get_info(vms_find_vma(mm, (uint64_t)b), &vi);
	CHECK(vi.pgoff != 0); /* anonymous: addr >> PAGE_SHIFT inside */
	char want[128];
	snprintf(want, sizeof(want), "%lx-%lx r--p 00000000 00:00 0 \n", b, b + (long)PG);
	CHECK(strstr(maps(mm), want));
	snprintf(want, sizeof(want), "%lx-%lx r--p 00003000 fe:00 77 ", a, a + (long)PG);
	CHECK(strstr(maps(mm), want));
	vms_file_close(f);
}

TEST(maps_shared_letter_follows_mayshare_not_shared)
{
	vms_mm *mm = import(sys,
			    "10000000-10001000 r--s 00000000 fe:00 5                                  /ro\n"
			    "10001000-10002000 rw-s 00000000 fe:00 6                                  /rw\n"
			    "10002000-10003000 r--s 00000000 fe:00 6                                  /rw\n",
			    0, NULL, NULL);
	CHECK(mm);
	struct vms_vma_info a, b, c;
	CHECK(nth(mm, 0, &a) && nth(mm, 1, &b) && nth(mm, 2, &c));
	/* do_mmap(): a file open O_RDONLY mapped shared has no VM_SHARED. */
	CHECK_EQ(a.vm_flags & (VM_SHARED | VM_MAYSHARE | VM_MAYWRITE), VM_MAYSHARE);
	CHECK_EQ(b.vm_flags & (VM_SHARED | VM_MAYSHARE | VM_MAYWRITE),
		 VM_SHARED | VM_MAYSHARE | VM_MAYWRITE);
	/* The same file, opened O_RDWR, mapped read-only: still VM_SHARED. */
	CHECK_EQ(c.vm_flags & (VM_SHARED | VM_MAYSHARE | VM_MAYWRITE),
		 VM_SHARED | VM_MAYSHARE | VM_MAYWRITE);
	CHECK(strstr(maps(mm), "10000000-10001000 r--s 00000000 fe:00 5 "));
}

TEST(maps_deleted_file_gets_suffix)
{
	vms_mm *mm = new_mm(sys);
	struct vms_inode_info ii = {.dev_major = 0xfe, .ino = 9, .size = PG, .path = "/tmp/delme"};
	vms_inode *ino = vms_inode_get(sys, &ii);
	vms_file *f = vms_file_open(ino, VMS_O_RDWR);
	long a = vms_mmap(mm, 0, PG, VMS_PROT_READ | VMS_PROT_WRITE, VMS_MAP_SHARED, f, 0);
	CHECK(a > 0);
	vms_inode_unlink(ino);
	char want[160];
	snprintf(want, sizeof(want),
		 "%lx-%lx rw-s 00000000 fe:00 9                          /tmp/delme (deleted)\n", a,
		 a + (long)PG);
	CHECK(strstr(maps(mm), want));
	vms_file_close(f);
}

TEST(maps_newline_in_path_is_escaped)
{
	vms_mm *mm = new_mm(sys);
	struct vms_inode_info ii = {.dev_major = 8, .dev_minor = 1, .ino = 3, .size = PG,
				    .path = "/tmp/we ird\nname\\x"};
	vms_file *f = vms_file_open(vms_inode_get(sys, &ii), VMS_O_RDONLY);
	long a = vms_mmap(mm, 0, PG, VMS_PROT_READ, VMS_MAP_PRIVATE, f, 0);
	CHECK(a > 0);
	/* seq_file_path(m, file, "\n"): only the newline is escaped. */
	CHECK(strstr(maps(mm), " 08:01 3                          /tmp/we ird\\012name\\x\n"));
	vms_file_close(f);
}

TEST(maps_long_header_gets_one_space)
{
	vms_mm *mm = import(sys,
			    "7ffff7dd3000-7ffff7df9000 r--p 123456789abc000 fe:00 18446744073709551615  /x\n",
			    0, NULL, NULL);
	CHECK(mm);
	/* The header (with its closing space) is 74 characters, past column
	 * 72: seq_pad() adds just one more space. No gate line was imported. */
	CHECK_EQ(strcmp(maps(mm),
			"7ffff7dd3000-7ffff7df9000 r--p 123456789abc000 fe:00 18446744073709551615  /x\n"),
		 0);
}

TEST(maps_gate_line_comes_last)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(strcmp(maps(mm), "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n"),
		 0);
	/* The gate is not a VMA: no map_count, no total_vm. */
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	CHECK_EQ(c.map_count, 0);
	CHECK_EQ(c.total_vm, 0);
}

TEST(maps_text_is_like_snprintf)
{
	vms_mm *mm = import(sys, P1, 0, NULL, NULL);
	CHECK(mm);
	size_t full = vms_maps_text(mm, NULL, 0);
	CHECK_EQ(full, strlen(P1));
	char small[50];
	memset(small, 'X', sizeof(small));
	CHECK_EQ(vms_maps_text(mm, small, 10), full);
	CHECK_EQ(memcmp(small, "555555554", 10), 0); /* 9 characters and the NUL */
	CHECK_EQ(small[10], 'X');
	char one = 'X';
	CHECK_EQ(vms_maps_text(mm, &one, 1), full);
	CHECK_EQ(one, '\0');
}

/* ---- maps: the [heap] and [stack] labels ---- */

TEST(heap_label_needs_strict_overlap)
{
	/* A bss VMA ending exactly at start_brk and a VMA starting exactly at
	 * brk are not the heap. */
	static const char t[] =
		"00400000-00401000 rw-p 00000000 00:00 0 \n"
		"00401000-00403000 rw-p 00000000 00:00 0                                  [heap]\n"
		"00403000-00404000 rw-p 00000000 00:00 0 \n";
	int err, line;
	vms_mm *mm = import(sys, t, 0x401000, &err, &line);
	CHECK_EQ(err, 0);
	CHECK(strncmp(maps(mm), t, strlen(t)) == 0);
	struct vms_mm_layout l;
	vms_mm_get_layout(mm, &l);
	CHECK_EQ(l.start_brk, 0x401000);
	CHECK_EQ(l.brk, 0x403000);
	/* brk == start_brk at a VMA's end labels nothing. */
	vms_mm_free(mm);
	mm = import(sys, "00400000-00401000 rw-p 00000000 00:00 0 \n", 0x401000, &err, &line);
	CHECK_EQ(err, 0);
	vms_mm_get_layout(mm, &l);
	CHECK_EQ(l.start_brk, l.brk);
	CHECK(!strstr(maps(mm), "[heap]"));
	/* But a break strictly inside an anonymous VMA is inside both bounds:
	 * the kernel would label it, so the unnamed line is refused. */
	CHECK(!import(sys, "00400000-00401000 rw-p 00000000 00:00 0 \n", 0x400800, &err, &line));
	CHECK_EQ(err, -VMS_EINVAL);
	CHECK_EQ(line, 1);
}

TEST(heap_label_marks_any_anon_vma_overlapping_brk_area)
{
	/* start_brk below the unnamed VMA: the kernel would label it [heap],
	 * so a text that does not is refused at that line. */
	static const char t[] = "00400000-00401000 rw-p 00000000 00:00 0 \n"
				"00401000-00403000 rw-p 00000000 00:00 0                                  [heap]\n";
	int err, line;
	vms_mm *mm = import(sys, t, 0x400000, &err, &line);
	CHECK(!mm);
	CHECK_EQ(err, -VMS_EINVAL);
	CHECK_EQ(line, 1);
	/* A file VMA inside the brk area keeps its path. */
	static const char f[] = "00401000-00402000 r--p 00000000 08:01 4                                  /f\n"
				"00402000-00403000 rw-p 00000000 00:00 0                                  [heap]\n";
	mm = import(sys, f, 0x401000, &err, &line);
	CHECK_EQ(err, 0);
	CHECK(strncmp(maps(mm), f, strlen(f)) == 0);
}

TEST(stack_label_is_inclusive_of_both_ends)
{
	static const char t[] = "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0 \n";
	vms_mm *mm = import(sys, t, 0, NULL, NULL);
	CHECK(mm);
	CHECK(!strstr(maps(mm), "[stack]"));
	vms_mm_set_image(mm, 0, 0, 0, 0, 0x7ffffffff000ULL); /* start_stack == vm_end */
	CHECK(strstr(maps(mm), "rw-p 00000000 00:00 0                          [stack]\n"));
	vms_mm_set_image(mm, 0, 0, 0, 0, 0x7ffffffde000ULL); /* == vm_start */
	CHECK(strstr(maps(mm), "[stack]"));
	vms_mm_set_image(mm, 0, 0, 0, 0, 0x7ffffffdd000ULL);
	CHECK(!strstr(maps(mm), "[stack]"));
}

TEST(anon_name_label_and_shmem_anon_name)
{
	static const char t[] =
		"10000000-10001000 rw-p 00000000 00:00 0                                  [anon:my buf]\n"
		"10001000-10002000 rw-s 00000000 00:01 1025                               [anon_shmem:sh]\n"
		"10002000-10003000 rw-s 00000000 00:01 1026                               /dev/zero (deleted)\n";
	int err;
	vms_mm *mm = import(sys, t, 0, &err, NULL);
	CHECK_EQ(err, 0);
	CHECK(strncmp(maps(mm), t, strlen(t)) == 0);
	struct vms_vma_info vi;
	CHECK(nth(mm, 0, &vi));
	CHECK(vi.anon_name && strcmp(vi.anon_name, "my buf") == 0);
	CHECK(vi.file == NULL);
}

/* ---- status ---- */

TEST(status_format_is_tab_then_width_8)
{
	vms_mm *mm = import(sys, P1, 0, NULL, NULL);
	CHECK(mm);
	char buf[2048];
	size_t n = vms_status_text(mm, buf, sizeof(buf));
	CHECK_EQ(n, strlen(buf));
	/* The notes' p1: total_vm 620 pages, data 57, stack 33, exec 383 (its
	 * text is one page); nothing resident in an imported mm. Without
	 * credentials a config's capabilities (none here) are also its bounding
	 * set. */
	static const char want[] = "Uid:\t0\t0\t0\t0\n"
				   "Gid:\t0\t0\t0\t0\n"
				   "VmPeak:\t    2480 kB\n"
				   "VmSize:\t    2480 kB\n"
				   "VmLck:\t       0 kB\n"
				   "VmPin:\t       0 kB\n"
				   "VmHWM:\t       0 kB\n"
				   "VmRSS:\t       0 kB\n"
				   "RssAnon:\t       0 kB\n"
				   "RssFile:\t       0 kB\n"
				   "RssShmem:\t       0 kB\n"
				   "VmData:\t     228 kB\n"
				   "VmStk:\t     132 kB\n"
				   "VmExe:\t       4 kB\n"
				   "VmLib:\t    1528 kB\n"
				   "VmPTE:\t       0 kB\n"
				   "VmSwap:\t       0 kB\n"
				   "HugetlbPages:\t       0 kB\n"
				   "THP_enabled:\t1\n"
				   "CapInh:\t0000000000000000\n"
				   "CapPrm:\t0000000000000000\n"
				   "CapEff:\t0000000000000000\n"
				   "CapBnd:\t0000000000000000\n"
				   "CapAmb:\t0000000000000000\n";
	CHECK_EQ(strcmp(buf, want), 0);
	CHECK_EQ(vms_status_text(mm, NULL, 0), n);
}

TEST(status_vmlib_excludes_vmexe)
{
	static const char t[] =
		"00400000-00401000 r--p 00000000 08:01 2                                  /bin/x\n"
		"00401000-00405000 r-xp 00001000 08:01 2                                  /bin/x\n"
		"7ffff7000000-7ffff7010000 r-xp 00000000 08:01 3                          /lib/y.so\n"
		"7ffff7010000-7ffff7011000 r-xp 00000000 00:00 0 \n";
	vms_mm *mm = import(sys, t, 0, NULL, NULL);
	CHECK(mm);
	char buf[2048], line[64];
	vms_status_text(mm, buf, sizeof(buf));
	CHECK(line_of(buf, "VmExe:", line, sizeof(line)));
	CHECK_EQ(strcmp(line, "VmExe:\t      16 kB"), 0);
	/* 16 + 64 + 4 kB of exec_vm; the library and anon r-x are VmLib. */
	CHECK(line_of(buf, "VmLib:", line, sizeof(line)));
	CHECK_EQ(strcmp(line, "VmLib:\t      68 kB"), 0);
	/* VmExe is capped by exec_vm (task_mem(): min(text, exec_vm)). */
	vms_mm_set_image(mm, 0x400000, 0x800000, 0, 0, 0);
	vms_status_text(mm, buf, sizeof(buf));
	CHECK(line_of(buf, "VmExe:", line, sizeof(line)));
	CHECK_EQ(strcmp(line, "VmExe:\t      84 kB"), 0);
	CHECK(line_of(buf, "VmLib:", line, sizeof(line)));
	CHECK_EQ(strcmp(line, "VmLib:\t       0 kB"), 0);
}

TEST(status_vmpeak_keeps_the_high_water_mark)
{
	vms_mm *mm = new_mm(sys);
	long a = vms_mmap(mm, 0, 2560 * PG, VMS_PROT_READ, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS,
			  NULL, 0);
	CHECK(a > 0);
	CHECK_EQ(vms_munmap(mm, (uint64_t)a, 2560 * PG), 0);
	char buf[2048], line[64];
	vms_status_text(mm, buf, sizeof(buf));
	CHECK(line_of(buf, "VmPeak:", line, sizeof(line)));
	CHECK_EQ(strcmp(line, "VmPeak:\t   10240 kB"), 0);
	CHECK(line_of(buf, "VmSize:", line, sizeof(line)));
	CHECK_EQ(strcmp(line, "VmSize:\t       0 kB"), 0);
}

TEST(status_vmpte_counts_tables_of_resident_pages)
{
	vms_mm *mm = new_mm(sys);
	/* Two pages in one 2 MiB region, one in another 1 GiB region: PTE
	 * tables 2, PMD tables 2, PUD tables 1 (one 512 GiB region). */
	uint64_t a = 0x10000000, b = 0x50000000;
	CHECK_EQ(vms_mmap(mm, a, 2 * PG, VMS_PROT_READ | VMS_PROT_WRITE,
			  VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED, NULL, 0), (long)a);
	CHECK_EQ(vms_mmap(mm, b, PG, VMS_PROT_READ | VMS_PROT_WRITE,
			  VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED, NULL, 0), (long)b);
	CHECK_EQ(vms_fault(mm, a, 1), 0);
	CHECK_EQ(vms_fault(mm, a + PG, 1), 0);
	CHECK_EQ(vms_fault(mm, b, 1), 0);
	char buf[2048], line[64];
	vms_status_text(mm, buf, sizeof(buf));
	CHECK(line_of(buf, "VmPTE:", line, sizeof(line)));
	CHECK_EQ(strcmp(line, "VmPTE:\t      20 kB"), 0);
	CHECK(line_of(buf, "VmRSS:", line, sizeof(line)));
	CHECK_EQ(strcmp(line, "VmRSS:\t      12 kB"), 0);
}

TEST(status_matches_live_kernel_for_self)
{
	static char live_maps[1 << 20], live_status[1 << 14];
	if (slurp("/proc/self/maps", live_maps, sizeof(live_maps)) <= 0 ||
	    slurp("/proc/self/status", live_status, sizeof(live_status)) <= 0) {
		t_skip("no /proc");
		return;
	}
	int err, line;
	vms_mm *mm = import(sys, live_maps, 0, &err, &line);
	if (!mm)
		t_fail(__FILE__, __LINE__, "import: %d at line %d", err, line);
	CHECK(mm);
	static char ours[4096];
	vms_status_text(mm, ours, sizeof(ours));
	static const char *const keys[] = {"VmSize:", "VmLck:", "VmData:", "VmStk:", "VmExe:",
					   "VmLib:"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char a[64], b[64];
		CHECK(line_of(live_status, keys[i], a, sizeof(a)));
		CHECK(line_of(ours, keys[i], b, sizeof(b)));
		if (strcmp(a, b) != 0)
			t_fail(__FILE__, __LINE__, "live '%s' model '%s'", a, b);
		CHECK(strcmp(a, b) == 0);
	}
}

/* ---- meminfo ---- */

TEST(meminfo_commit_limit_is_ratio_of_pages)
{
	/* The notes' machine: 6171021 pages, ratio 50, no swap ->
	 * 3085510 pages = 12342040 kB (not 24684084 / 2). */
	vms_sys_set_memory(sys, 6171021ULL * PG, 0);
	char buf[1024], line[64];
	vms_meminfo_text(sys, buf, sizeof(buf));
	CHECK(line_of(buf, "CommitLimit:", line, sizeof(line)));
	CHECK_EQ(strcmp(line, "CommitLimit:    12342040 kB"), 0);
	CHECK(line_of(buf, "Committed_AS:", line, sizeof(line)));
	CHECK_EQ(strcmp(line, "Committed_AS:          0 kB"), 0);
}

TEST(meminfo_hugetlb_lines_follow_the_default_pool)
{
	CHECK_EQ(vms_sys_set_hugetlb_pool(sys, 2ULL << 20, 10), 0);
	CHECK_EQ(vms_sys_set_hugetlb_pool(sys, 1ULL << 30, 1), 0);
	char buf[1024];
	size_t n = vms_meminfo_text(sys, buf, sizeof(buf));
	CHECK_EQ(n, strlen(buf));
	const char *h = strstr(buf, "HugePages_Total:");
	CHECK(h);
	CHECK_EQ(strcmp(h, "HugePages_Total:      10\n"
			   "HugePages_Free:       10\n"
			   "HugePages_Rsvd:        0\n"
			   "HugePages_Surp:        0\n"
			   "Hugepagesize:       2048 kB\n"
			   "Hugetlb:         1069056 kB\n"),
		 0);
}

TEST(meminfo_committed_as_follows_accounted_mappings)
{
	vms_mm *mm = import(sys, P1, 0, NULL, NULL);
	CHECK(mm);
	/* Charged: RELRO and rw-p data of p1, libc and ld.so, three anon
	 * rw-p, [heap] and [stack]. */
	uint64_t want = (1 + 1) + (4 + 2) + (2 + 2) + (3 + 13 + 3) + 33 + 33;
	CHECK_EQ(vms_sys_committed_pages(sys), want);
	char buf[1024], line[64];
	vms_meminfo_text(sys, buf, sizeof(buf));
	CHECK(line_of(buf, "Committed_AS:", line, sizeof(line)));
	char exp[64];
	snprintf(exp, sizeof(exp), "Committed_AS:   %8llu kB", (unsigned long long)want * 4);
	CHECK_EQ(strcmp(line, exp), 0);
	vms_mm_free(mm);
	CHECK_EQ(vms_sys_committed_pages(sys), 0);
}

/* ---- import ---- */

TEST(import_roundtrip_is_byte_exact)
{
	int err, line;
	vms_mm *mm = import(sys, P1, 0, &err, &line);
	CHECK_EQ(err, 0);
	CHECK_EQ(strcmp(maps(mm), P1), 0);
	VALID(mm);
}

TEST(import_roundtrip_of_live_self_maps_is_byte_exact)
{
	static char live[1 << 20];
	if (slurp("/proc/self/maps", live, sizeof(live)) <= 0) {
		t_skip("no /proc/self/maps");
		return;
	}
	int err, line;
	vms_mm *mm = import(sys, live, 0, &err, &line);
	if (!mm)
		t_fail(__FILE__, __LINE__, "import: %d at line %d", err, line);
	CHECK(mm);
	CHECK_EQ(vms_maps_text(mm, NULL, 0), strlen(live));
	CHECK_EQ(strcmp(maps(mm), live), 0);
	VALID(mm);
}

TEST(import_rejects_overlap_with_line_number)
{
	static const char t[] = "10000000-10002000 rw-p 00000000 00:00 0 \n"
				"10002000-10003000 r--p 00000000 00:00 0 \n"
				"10002800-10004000 r--p 00000000 00:00 0 \n";
	int err, line;
	CHECK(!import(sys, t, 0, &err, &line));
	CHECK_EQ(err, -VMS_EINVAL);
	CHECK_EQ(line, 3);
	static const char u[] = "10002000-10003000 r--p 00000000 00:00 0 \n"
				"10000000-10001000 r--p 00000000 00:00 0 \n";
	CHECK(!import(sys, u, 0, &err, &line));
	CHECK_EQ(err, -VMS_EINVAL);
	CHECK_EQ(line, 2);
	CHECK_EQ(vms_sys_committed_pages(sys), 0);
}

TEST(import_rejects_malformed_lines_with_line_number)
{
	static const char *const bad[] = {
		"10000000-10001000 rw-q 00000000 00:00 0 \n",   /* perms */
		"10000000-10000800 rw-p 00000000 00:00 0 \n",   /* unaligned */
		"10001000-10001000 rw-p 00000000 00:00 0 \n",   /* empty */
		"10000000 10001000 rw-p 00000000 00:00 0 \n",   /* no dash */
		"10000000-10001000 rw-p 00000000 00:00 \n",     /* no inode */
		"10000000-10001000 rw-p 00000800 08:01 5                                  /f\n", /* unaligned offset */
		"10000000-10001000 rw-p 00001000 00:00 0 \n",   /* anon with an offset */
		"10000000-10001000 rw-s 00000000 00:00 0 \n",   /* shared anon without file */
		"10000000-10001000 rw-p 00000000 00:00 0                                  [uprobes]\n",
		"800000000000-800000001000 rw-p 00000000 00:00 0 \n", /* above TASK_SIZE */
		"ffffffffff600000-ffffffffff601000 r-xp 00000000 00:00 0                  [vsyscall]\n",
		"10000000-10200000 rw-s 00000000 00:0f 3                                  /anon_hugepage (deleted)\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char t[256];
		snprintf(t, sizeof(t), "00400000-00401000 r--p 00000000 00:00 0 \n%s", bad[i]);
		int err = 0, line = 0;
		vms_mm *mm = import(sys, t, 0, &err, &line);
		if (mm)
			t_fail(__FILE__, __LINE__, "accepted: %s", bad[i]);
		CHECK(!mm);
		CHECK_EQ(err, -VMS_EINVAL);
		CHECK_EQ(line, 2);
	}
}

TEST(import_gate_line_must_be_last)
{
	static const char t[] =
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n"
		"10000000-10001000 r--p 00000000 00:00 0 \n";
	int err, line;
	CHECK(!import(sys, t, 0, &err, &line));
	CHECK_EQ(err, -VMS_EINVAL);
	CHECK_EQ(line, 2);
	/* Without the gate line there is no gate. */
	vms_mm *mm = import(sys, "10000000-10001000 r--p 00000000 00:00 0 \n", 0, &err, &line);
	CHECK_EQ(err, 0);
	CHECK_EQ(strcmp(maps(mm), "10000000-10001000 r--p 00000000 00:00 0 \n"), 0);
}

TEST(import_requires_an_empty_mm)
{
	vms_mm *mm = new_mm(sys);
	CHECK(vms_mmap(mm, 0, PG, VMS_PROT_READ, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0) > 0);
	int line = 7;
	CHECK_EQ(vms_mm_import_maps(mm, P1, 0, &line), -VMS_EINVAL);
	CHECK_EQ(line, 0);
	CHECK_EQ(count_vmas(mm), 1);
}

TEST(import_error_leaves_mm_empty)
{
	vms_mm *mm = new_mm(sys);
	char t[sizeof(P1) + 64];
	/* All of P1 but the gate, then a line overlapping the stack. */
	size_t n = strstr(P1, "ffffffffff600000") - P1;
	memcpy(t, P1, n);
	strcpy(t + n, "7ffffffde000-7ffffffdf000 r--p 00000000 00:00 0 \n");
	int line;
	CHECK_EQ(vms_mm_import_maps(mm, t, 0, &line), -VMS_EINVAL);
	CHECK_EQ(line, 24);
	CHECK_EQ(count_vmas(mm), 0);
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	CHECK_EQ(c.total_vm, 0);
	CHECK_EQ(c.data_vm + c.exec_vm + c.stack_vm, 0);
	CHECK_EQ(vms_sys_committed_pages(sys), 0);
	/* And the mm can still take a good text. */
	CHECK_EQ(vms_mm_import_maps(mm, P1, 0, &line), 0);
	CHECK_EQ(strcmp(maps(mm), P1), 0);
}

TEST(import_enomem_leaves_mm_empty)
{
	static const char t[] =
		"555555554000-555555555000 r--p 00000000 fe:00 10952934                   /tmp/vmsp/p1\n"
		"555555558000-555555559000 rw-p 00003000 fe:00 10952934                   /tmp/vmsp/p1\n"
		"555555559000-55555557a000 rw-p 00000000 00:00 0                          [heap]\n"
		"7ffff7ad0000-7ffff7bd0000 rw-s 00000000 00:01 1025                       /dev/zero (deleted)\n"
		"7ffff7fc8000-7ffff7fca000 r-xp 00000000 00:00 0                          [vdso]\n"
		"7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]\n";
	int done = 0;
	for (uint64_t n = 1; n < 200 && !done; n++) {
		vms_mm *mm = new_mm(sys);
		CHECK(mm);
		vms_sys_fail_alloc_after(sys, n);
		int line;
		int err = vms_mm_import_maps(mm, t, 0, &line);
		vms_sys_fail_alloc_after(sys, 0);
		if (err == 0) {
			done = 1;
			CHECK_EQ(strcmp(maps(mm), t), 0);
		} else {
			CHECK_EQ(err, -VMS_ENOMEM);
			CHECK_EQ(count_vmas(mm), 0);
			struct vms_mm_counters c;
			vms_mm_get_counters(mm, &c);
			CHECK_EQ(c.total_vm, 0);
			CHECK_EQ(vms_sys_committed_pages(sys), 0);
		}
		VALID(mm);
		vms_mm_free(mm);
		CHECK_EQ(vms_sys_committed_pages(sys), 0);
	}
	CHECK(done);
}

TEST(import_counts_like_vm_stat_account)
{
	vms_mm *mm = import(sys, P1, 0, NULL, NULL);
	CHECK(mm);
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	/* The notes' live decomposition of p1. */
	CHECK_EQ(c.total_vm, 620);
	CHECK_EQ(c.data_vm, 57);
	CHECK_EQ(c.exec_vm, 383);
	CHECK_EQ(c.stack_vm, 33);
	CHECK_EQ(c.locked_vm, 0);
	CHECK_EQ(c.map_count, 23);
	VALID(mm);
}

TEST(import_relro_keeps_account_and_shares_anon_vma)
{
	vms_mm *mm = import(sys, P1, 0, NULL, NULL);
	CHECK(mm);
	struct vms_vma_info relro, data, text_ro;
	/* libc: r--p 0017c000 (plain), r--p 001cf000 (RELRO), rw-p 001d3000. */
	vms_vma_get_info(vms_find_vma(mm, 0x7ffff7f4f000ULL), &text_ro);
	vms_vma_get_info(vms_find_vma(mm, 0x7ffff7fa2000ULL), &relro);
	vms_vma_get_info(vms_find_vma(mm, 0x7ffff7fa6000ULL), &data);
	CHECK(!(text_ro.vm_flags & VM_ACCOUNT));
	CHECK_EQ(text_ro.anon_vma, 0);
	CHECK(relro.vm_flags & VM_ACCOUNT);
	CHECK(data.vm_flags & VM_ACCOUNT);
	CHECK(relro.anon_vma != 0);
	CHECK_EQ(relro.anon_vma, data.anon_vma);
	/* So making it writable again re-joins the data VMA, as in the kernel. */
	CHECK_EQ(vms_mprotect(mm, 0x7ffff7fa2000ULL, 4 * PG, VMS_PROT_READ | VMS_PROT_WRITE), 0);
	CHECK(strstr(maps(mm), "7ffff7fa2000-7ffff7fa8000 rw-p 001cf000 fe:00 332835 "));
	VALID(mm);
}

TEST(import_private_writable_vmas_get_distinct_anon_vmas)
{
	vms_mm *mm = import(sys, P1, 0, NULL, NULL);
	CHECK(mm);
	uint64_t seen[32];
	int n = 0;
	for (const vms_vma *v = vms_vma_first(mm); v; v = vms_vma_next(mm, v)) {
		struct vms_vma_info vi;
		vms_vma_get_info(v, &vi);
		int writable_private = (vi.vm_flags & (VM_WRITE | VM_MAYSHARE)) == VM_WRITE;
		if (writable_private)
			CHECK(vi.anon_vma != 0);
		if (!vi.anon_vma)
			continue;
		int shared_with_relro = vi.start == 0x7ffff7fa6000ULL || vi.start == 0x7ffff7ffd000ULL ||
					vi.start == 0x555555558000ULL;
		for (int i = 0; i < n && !shared_with_relro; i++)
			CHECK(seen[i] != vi.anon_vma);
		seen[n++] = vi.anon_vma;
	}
	/* Read-only anonymous and text VMAs were never written. */
	struct vms_vma_info vi;
	vms_vma_get_info(vms_find_vma(mm, 0x7ffff7df9000ULL), &vi);
	CHECK_EQ(vi.anon_vma, 0);
}

TEST(import_stack_is_growsdown_accounted_with_exec_pgoff)
{
	vms_mm *mm = import(sys, P1, 0, NULL, NULL);
	CHECK(mm);
	struct vms_vma_info vi;
	vms_vma_get_info(vms_find_vma(mm, 0x7ffffffde000ULL), &vi);
	CHECK_EQ(vi.vm_flags, VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC |
				      VM_GROWSDOWN | VM_ACCOUNT);
	CHECK(vi.anon_vma != 0);
	/* (STACK_TOP_MAX >> 12) - pages, as setup_arg_pages leaves it. */
	CHECK_EQ(vi.pgoff, (0x7ffffffff000ULL >> 12) - 33);
	struct vms_mm_layout l;
	vms_mm_get_layout(mm, &l);
	CHECK(l.start_stack > 0x7ffffffde000ULL && l.start_stack < 0x7ffffffff000ULL);
	/* A touch below it grows it (expand_downwards). */
	CHECK_EQ(vms_fault(mm, 0x7ffffffde000ULL - 2 * PG, 1), 0);
	CHECK(strstr(maps(mm), "7ffffffdc000-7ffffffff000 rw-p 00000000 00:00 0 "));
}

TEST(import_special_mappings_take_the_kernels_flags)
{
	vms_mm *mm = import(sys, P1, 0, NULL, NULL);
	CHECK(mm);
	struct vms_vma_info vvar, vclock, vdso;
	vms_vma_get_info(vms_find_vma(mm, 0x7ffff7fc2000ULL), &vvar);
	vms_vma_get_info(vms_find_vma(mm, 0x7ffff7fc6000ULL), &vclock);
	vms_vma_get_info(vms_find_vma(mm, 0x7ffff7fc8000ULL), &vdso);
	/* live smaps: [vvar] "rd mr pf io de dd", [vdso] "rd ex mr mw me de". */
	uint64_t vv = VM_READ | VM_MAYREAD | VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP;
	CHECK_EQ(vvar.vm_flags, vv);
	CHECK_EQ(vclock.vm_flags, vv);
	CHECK_EQ(vdso.vm_flags, VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC |
					VM_DONTEXPAND);
	CHECK_EQ(vdso.pgoff, 0);
	/* Special mappings refuse a split. */
	CHECK_EQ(vms_munmap(mm, 0x7ffff7fc2000ULL, PG), -VMS_EINVAL);
}

TEST(import_file_lines_share_one_inode_and_open_file)
{
	vms_mm *mm = import(sys, P1, 0, NULL, NULL);
	CHECK(mm);
	struct vms_vma_info a, b;
	vms_vma_get_info(vms_find_vma(mm, 0x7ffff7dd3000ULL), &a);
	vms_vma_get_info(vms_find_vma(mm, 0x7ffff7df9000ULL), &b);
	CHECK(a.file && a.file == b.file);
	CHECK_EQ(a.pgoff, 0);
	CHECK_EQ(b.pgoff, 0x26);
	struct vms_inode_info ii = {.dev_major = 0xfe, .ino = 332835, .path = "/other"};
	vms_inode *ino = vms_inode_get(sys, &ii); /* the existing one */
	CHECK_EQ(vms_inode_mapcount(ino), 5);
	vms_mm_free(mm);
	CHECK_EQ(vms_inode_mapcount(ino), 0);
}

TEST(import_shmem_keeps_its_inode_number)
{
	static const char t[] =
		"7ffff7988000-7ffff798c000 rw-s 00000000 00:01 1026                       /memfd:mymemfd (deleted)\n"
		"7ffff7ad0000-7ffff7bd0000 rw-s 00000000 00:01 1025                       /dev/zero (deleted)\n";
	int err;
	vms_mm *mm = import(sys, t, 0, &err, NULL);
	CHECK_EQ(err, 0);
	CHECK_EQ(strcmp(maps(mm), t), 0);
	/* /dev/zero charged its size (shmem_acct_size); memfd is NORESERVE. */
	CHECK_EQ(vms_sys_committed_pages(sys), 256);
	/* The next shared anonymous mapping gets a higher number. */
	long a = vms_mmap(mm, 0, PG, VMS_PROT_READ | VMS_PROT_WRITE,
			  VMS_MAP_SHARED | VMS_MAP_ANONYMOUS, NULL, 0);
	CHECK(a > 0);
	CHECK(strstr(maps(mm), " rw-s 00000000 00:01 1027 "));
	vms_mm_free(mm);
	CHECK_EQ(vms_sys_committed_pages(sys), 0);
}

TEST(import_adjacent_mergeable_lines_stay_apart)
{
	/* The kernel would have merged these unless something hidden differed;
	 * the model keeps them apart, so the text prints back the same and a
	 * later operation does not merge them either. */
	static const char t[] = "10000000-10001000 r--p 00000000 00:00 0 \n"
				"10001000-10002000 r--p 00000000 00:00 0 \n"
				"10002000-10003000 r--s 00000000 08:01 9                                  /f\n"
				"10003000-10004000 r--s 00001000 08:01 9                                  /f\n";
	int err;
	vms_mm *mm = import(sys, t, 0, &err, NULL);
	CHECK_EQ(err, 0);
	CHECK_EQ(count_vmas(mm), 4);
	CHECK_EQ(vms_mprotect(mm, 0x10000000, 2 * PG, VMS_PROT_READ | VMS_PROT_WRITE), 0);
	CHECK_EQ(vms_mprotect(mm, 0x10002000, 2 * PG, VMS_PROT_READ | VMS_PROT_EXEC), 0);
	CHECK_EQ(count_vmas(mm), 4);
	CHECK_EQ(vms_mprotect(mm, 0x10000000, 2 * PG, VMS_PROT_READ), 0);
	CHECK_EQ(vms_mprotect(mm, 0x10002000, 2 * PG, VMS_PROT_READ), 0);
	CHECK_EQ(strcmp(maps(mm), t), 0);
	VALID(mm);
}

TEST(import_heap_sets_brk_and_brk_then_grows_it)
{
	int err;
	vms_mm *mm = import(sys, P1, 0, &err, NULL);
	CHECK_EQ(err, 0);
	struct vms_mm_layout l;
	vms_mm_get_layout(mm, &l);
	CHECK_EQ(l.start_brk, 0x555555559000ULL);
	CHECK_EQ(l.brk, 0x55555557a000ULL);
	CHECK_EQ(vms_brk(mm, 0x55555557b000ULL), 0x55555557b000LL);
	CHECK(strstr(maps(mm), "555555559000-55555557b000 rw-p 00000000 00:00 0                          [heap]\n"));
	VALID(mm);
}

TEST(import_without_heap_puts_brk_after_the_image)
{
	static const char t[] =
		"00400000-00401000 r--p 00000000 fe:00 10952935                           /tmp/vmsp/p1s\n"
		"00401000-00480000 r-xp 00001000 fe:00 10952935                           /tmp/vmsp/p1s\n"
		"004a5000-004a8000 rw-p 000a4000 fe:00 10952935                           /tmp/vmsp/p1s\n"
		"004a8000-004ad000 rw-p 00000000 00:00 0 \n";
	int err;
	vms_mm *mm = import(sys, t, 0, &err, NULL);
	CHECK_EQ(err, 0);
	struct vms_mm_layout l;
	vms_mm_get_layout(mm, &l);
	CHECK_EQ(l.start_brk, 0x4ad000);
	CHECK_EQ(l.brk, 0x4ad000);
	/* The first brk makes a [heap] VMA that does not merge with the bss. */
	CHECK_EQ(vms_brk(mm, 0x4cf000), 0x4cf000);
	CHECK(strstr(maps(mm), "004a8000-004ad000 rw-p 00000000 00:00 0 \n"
			       "004ad000-004cf000 rw-p 00000000 00:00 0                                  [heap]\n"));
	char buf[2048], line[64];
	vms_status_text(mm, buf, sizeof(buf));
	CHECK(line_of(buf, "VmExe:", line, sizeof(line)));
	CHECK_EQ(strcmp(line, "VmExe:\t     508 kB"), 0);
}

TEST(import_split_stack_halves_share_anon_vma_and_start_stack)
{
	/* mprotect() of the stack's low part splits it; both halves keep the
	 * [stack] label only when start_stack is their common boundary. */
	static const char t[] =
		"7ffffffde000-7ffffffe0000 r--p 00000000 00:00 0                          [stack]\n"
		"7ffffffe0000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]\n";
	int err;
	vms_mm *mm = import(sys, t, 0, &err, NULL);
	CHECK_EQ(err, 0);
	CHECK_EQ(strcmp(maps(mm), t), 0);
	struct vms_vma_info lo, hi;
	CHECK(nth(mm, 0, &lo) && nth(mm, 1, &hi));
	CHECK(lo.anon_vma && lo.anon_vma == hi.anon_vma);
	CHECK(lo.vm_flags & VM_GROWSDOWN);
	CHECK_EQ(lo.pgoff + 2, hi.pgoff);
	CHECK_EQ(hi.pgoff, (0x7ffffffff000ULL >> 12) - 31);
	struct vms_mm_layout l;
	vms_mm_get_layout(mm, &l);
	CHECK_EQ(l.start_stack, 0x7ffffffe0000ULL);
	/* Making it writable again joins them back. */
	CHECK_EQ(vms_mprotect(mm, 0x7ffffffde000ULL, 2 * PG, VMS_PROT_READ | VMS_PROT_WRITE), 0);
	CHECK_EQ(count_vmas(mm), 1);
	VALID(mm);
	/* Three [stack] lines cannot share one start_stack. */
	CHECK(!import(sys,
		      "10000000-10001000 rw-p 00000000 00:00 0                                  [stack]\n"
		      "7ffffffde000-7ffffffe0000 r--p 00000000 00:00 0                          [stack]\n",
		      0, &err, NULL));
	CHECK_EQ(err, -VMS_EINVAL);
}

/* vms_vma_maps_text: each VMA's line is the one show_map_vma() puts in the
 * whole text, names ([heap], [stack], files, anon names) included; the
 * gate VMA, not in the tree, is only in the whole text. */
TEST(maps_line_of_one_vma_is_its_line_in_the_whole_text)
{
	static const char maps[] =
		"555555554000-555555556000 r-xp 00000000 fe:00 42                         /bin/x\n"
		"555555556000-555555557000 rw-p 00002000 fe:00 42                         /bin/x\n"
		"555555557000-555555578000 rw-p 00000000 00:00 0                          [heap]\n"
		"7ffff7ff0000-7ffff7ff2000 rw-p 00000000 00:00 0                          [anon:buf]\n"
		"7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]\n"
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";
	vms_mm *mm = import(sys, maps, 0x555555557000, NULL, NULL);
	CHECK(mm);
	char line[512];
	size_t at = 0, n;
	vms_maps_text(mm, text, sizeof(text));
	for (const vms_vma *v = vms_vma_first(mm); v; v = vms_vma_next(mm, v)) {
		n = vms_vma_maps_text(mm, v, line, sizeof(line));
		CHECK_EQ(n, strlen(line));
		CHECK(!strncmp(text + at, line, n));
		at += n;
	}
	CHECK(!strcmp(text + at, strstr(maps, "ffffffffff600000-")));
	/* like snprintf: the length it needs, cut to the buffer */
	const vms_vma *v = vms_vma_first(mm);
	n = vms_vma_maps_text(mm, v, line, 10);
	CHECK_EQ(n, strlen(text) - strlen(strchr(text, '\n') + 1));
	CHECK_EQ(strlen(line), 9);
	vms_mm_free(mm);
}
