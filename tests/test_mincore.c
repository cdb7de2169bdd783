/* test_mincore.c: one test per mincore rule (mm/mincore.c, 6.18) and per
 * residency rule it shows (the zero page, lazily freed pages, guard markers,
 * reclaim), with what the live kernel's mincore returned for each. */
#include "t.h"

#define PG 4096ULL
#define A 0x100000000ULL
#define RW (VMS_PROT_READ | VMS_PROT_WRITE)
#define PA (VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS)

static vms_mm *new_mm(vms_sys *sys)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE,
				    .caps = VMS_CAP_IPC_LOCK};
	/* A read fault of untouched private memory maps the zero page (the
	 * host setting of the machine these tests were measured on). */
	if (vms_sysctl_set(sys, "mm.zero_page", 1))
		return NULL;
	return vms_mm_new(sys, &cfg);
}

static int anon_at(vms_mm *mm, uint64_t a, uint64_t len, int prot)
{
	return vms_mmap(mm, a, len, prot, PA | VMS_MAP_FIXED, NULL, 0) == (long)a;
}

/* The vector of [a, a + n pages) as a string of '0'/'1' (or the error). */
static const char *resident(vms_mm *mm, uint64_t a, unsigned n)
{
	static char s[80];
	unsigned char vec[64];
	long r = vms_mincore(mm, a, n * PG, vec);
	if (r) {
		snprintf(s, sizeof(s), "error %ld", r);
		return s;
	}
	for (unsigned i = 0; i < n; i++)
		s[i] = vec[i] > 1 ? '?' : (char)('0' + vec[i]);
	s[n] = '\0';
	return s;
}

#define CHECK_RES(mm, a, n, want) CHECK_EQ(strcmp(resident(mm, a, n), want), 0)

static uint64_t rss_anon(vms_mm *mm)
{
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	return c.rss_anon;
}

/* ---- the call's own checks ---- */

TEST(mincore_unaligned_start_is_einval)
{
	vms_mm *mm = new_mm(sys);
	unsigned char vec[8];
	CHECK(anon_at(mm, A, 8 * PG, RW));
	CHECK_EQ(vms_mincore(mm, A + 1, 8 * PG, vec), -VMS_EINVAL);
	CHECK_EQ(vms_mincore(mm, A + 1, 0, vec), -VMS_EINVAL);
}

/* access_ok(start, len): the range must end at or below the top of user
 * space, so even a zero length at 0x800000000000 is ENOMEM (live), while
 * one at 0x7ffffffff000 is 0; a wrapping length is ENOMEM. */
TEST(mincore_range_past_user_space_is_enomem)
{
	vms_mm *mm = new_mm(sys);
	unsigned char vec[8];
	CHECK(anon_at(mm, A, 8 * PG, RW));
	CHECK_EQ(vms_mincore(mm, A, 0, vec), 0);
	CHECK_EQ(vms_mincore(mm, 0x7ffffffff000ULL, 0, vec), 0);
	CHECK_EQ(vms_mincore(mm, 0x800000000000ULL, 0, vec), -VMS_ENOMEM);
	CHECK_EQ(vms_mincore(mm, 0xfffffffffffff000ULL, 0, vec), -VMS_ENOMEM);
	CHECK_EQ(vms_mincore(mm, 0x7ffffffff000ULL, PG, vec), -VMS_ENOMEM);
	CHECK_EQ(vms_mincore(mm, A, (uint64_t)-1, vec), -VMS_ENOMEM);
	/* live: the vector's check comes only after the range's */
	CHECK_EQ(vms_mincore(mm, A, 0x7ffffffff000ULL - A, NULL), -VMS_EFAULT);
	CHECK_EQ(vms_mincore(mm, A, 0x7ffffffff000ULL - A + 1, NULL), -VMS_ENOMEM);
}

/* do_mincore(): VMA by VMA; a hole stops the walk with ENOMEM after the
 * mapped part before it was written to the vector (live: 9 pages over an
 * 8-page VMA fill 8 entries), and a vector that cannot be written is EFAULT
 * only once a VMA was found. */
TEST(mincore_hole_is_enomem_after_the_part_before_it)
{
	vms_mm *mm = new_mm(sys);
	unsigned char vec[16];
	CHECK(anon_at(mm, A, 8 * PG, RW));
	CHECK_EQ(vms_fault(mm, A + 3 * PG, 1), 0);
	memset(vec, 0xaa, sizeof(vec));
	CHECK_EQ(vms_mincore(mm, A, 9 * PG, vec), -VMS_ENOMEM);
	CHECK_EQ(vec[3], 1);
	CHECK_EQ(vec[7], 0);
	CHECK_EQ(vec[8], 0xaa);
	memset(vec, 0xaa, sizeof(vec));
	CHECK_EQ(vms_mincore(mm, A - PG, 2 * PG, vec), -VMS_ENOMEM);
	CHECK_EQ(vec[0], 0xaa);
	CHECK_EQ(vms_mincore(mm, A, PG, NULL), -VMS_EFAULT);
	CHECK_EQ(vms_mincore(mm, A + 10 * PG, PG, NULL), -VMS_ENOMEM);
}

/* One entry per page, a partial last page included (live: len 1 writes one
 * entry, 3 pages + 5 bytes four). */
TEST(mincore_partial_page_counts_as_a_page)
{
	vms_mm *mm = new_mm(sys);
	unsigned char vec[8];
	CHECK(anon_at(mm, A, 8 * PG, RW));
	memset(vec, 0xaa, sizeof(vec));
	CHECK_EQ(vms_mincore(mm, A, 1, vec), 0);
	CHECK(vec[0] == 0 && vec[1] == 0xaa);
	memset(vec, 0xaa, sizeof(vec));
	CHECK_EQ(vms_mincore(mm, A, 3 * PG + 5, vec), 0);
	CHECK(vec[3] == 0 && vec[4] == 0xaa);
}

/* The walk crosses VMAs and works through more than one chunk of the vector. */
TEST(mincore_walks_vmas_and_chunks)
{
	vms_mm *mm = new_mm(sys);
	enum { N = 10000 };
	static unsigned char vec[N];
	CHECK(anon_at(mm, A, 6000 * PG, RW));
	CHECK(anon_at(mm, A + 6000 * PG, 4000 * PG, VMS_PROT_READ));
	CHECK_EQ(vms_fault(mm, A + 4500 * PG, 1), 0);
	CHECK_EQ(vms_fault(mm, A + 9999 * PG, 0), 0);
	CHECK_EQ(vms_mincore(mm, A, N * PG, vec), 0);
	unsigned ones = 0;
	for (unsigned i = 0; i < N; i++)
		ones += vec[i];
	CHECK_EQ(ones, 2);
	CHECK(vec[4500] == 1 && vec[9999] == 1);
}

/* can_do_mincore(): a VMA that is neither anonymous nor a file's is all
 * resident (live: [vvar], [vvar_vclock] and [vdso] all 1). */
TEST(mincore_special_mapping_is_all_resident)
{
	vms_mm *mm = new_mm(sys);
	static const char maps[] =
		"7ffff7fc1000-7ffff7fc5000 r--p 00000000 00:00 0                          [vvar]\n"
		"7ffff7fc5000-7ffff7fc7000 r-xp 00000000 00:00 0                          [vdso]\n";
	int bad = 0;
	CHECK_EQ(vms_mm_import_maps(mm, maps, 0, &bad), 0);
	CHECK_RES(mm, 0x7ffff7fc1000ULL, 6, "111111");
}

/* ---- what is resident ---- */

/* live: a read of untouched private memory maps the zero page (mincore 1,
 * RssAnon 0), a write a page of its own; MADV_DONTNEED drops both. */
TEST(mincore_read_fault_maps_the_zero_page)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 8 * PG, RW));
	CHECK_RES(mm, A, 8, "00000000");
	CHECK_EQ(vms_fault(mm, A + PG, 0), 0);
	CHECK_EQ(vms_fault(mm, A + 3 * PG, 1), 0);
	CHECK_RES(mm, A, 8, "01010000");
	CHECK_EQ(rss_anon(mm), 1);
	/* a write over the zero page allocates */
	CHECK_EQ(vms_fault(mm, A + PG, 1), 0);
	CHECK_EQ(rss_anon(mm), 2);
	CHECK_EQ(vms_fault(mm, A + 5 * PG, 0), 0);
	CHECK_EQ(vms_madvise(mm, A, 8 * PG, VMS_MADV_DONTNEED), 0);
	CHECK_RES(mm, A, 8, "00000000");
	CHECK_EQ(rss_anon(mm), 0);
	VALID(mm);
}

/* live: MADV_POPULATE_READ and a read-only mlock map the zero page over
 * untouched pages and leave written ones alone. */
TEST(mincore_read_populate_fills_only_the_holes)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG, RW));
	CHECK_EQ(vms_fault(mm, A + 2 * PG, 1), 0);
	CHECK_EQ(vms_madvise(mm, A, 4 * PG, VMS_MADV_POPULATE_READ), 0);
	CHECK_RES(mm, A, 4, "1111");
	CHECK_EQ(rss_anon(mm), 1);
	CHECK_EQ(vms_madvise(mm, A, 4 * PG, VMS_MADV_POPULATE_WRITE), 0);
	CHECK_EQ(rss_anon(mm), 4);
	VALID(mm);
}

/* live: MADV_FREE leaves the pages mapped (mincore 1, RssAnon unchanged);
 * MADV_PAGEOUT then frees them even without swap, except a page written
 * since (redirtied) or one a write populate touched; a read keeps it lazy;
 * the zero page is never reclaimed. */
TEST(mincore_lazily_freed_pages_go_at_pageout_unless_written)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 8 * PG, RW));
	for (int i = 1; i < 8; i++)
		CHECK_EQ(vms_fault(mm, A + i * PG, 1), 0);
	CHECK_EQ(vms_fault(mm, A, 0), 0);
	CHECK_EQ(vms_madvise(mm, A, 8 * PG, VMS_MADV_FREE), 0);
	CHECK_RES(mm, A, 8, "11111111");
	CHECK_EQ(rss_anon(mm), 7);
	CHECK_EQ(vms_fault(mm, A + 2 * PG, 1), 0);
	CHECK_EQ(vms_fault(mm, A + 3 * PG, 0), 0);
	CHECK_EQ(vms_madvise(mm, A + 4 * PG, PG, VMS_MADV_POPULATE_WRITE), 0);
	CHECK_EQ(vms_madvise(mm, A + 5 * PG, PG, VMS_MADV_POPULATE_READ), 0);
	CHECK_EQ(vms_madvise(mm, A + 6 * PG, PG, VMS_MADV_COLD), 0);
	CHECK_EQ(vms_madvise(mm, A, 8 * PG, VMS_MADV_PAGEOUT), 0);
	CHECK_RES(mm, A, 8, "10101000");
	CHECK_EQ(rss_anon(mm), 2);
	VALID(mm);
}

/* live: a lazily freed page moved by mremap is still lazy at its new place. */
TEST(mincore_lazy_page_moves_with_mremap)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG, RW));
	CHECK_EQ(vms_fault(mm, A + 2 * PG, 1), 0);
	CHECK_EQ(vms_madvise(mm, A + 2 * PG, PG, VMS_MADV_FREE), 0);
	CHECK_EQ(vms_mremap(mm, A + 2 * PG, PG, PG, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED,
			    A + 64 * PG),
		 (long)(A + 64 * PG));
	CHECK_RES(mm, A + 64 * PG, 1, "1");
	CHECK_EQ(vms_madvise(mm, A + 64 * PG, PG, VMS_MADV_PAGEOUT), 0);
	CHECK_RES(mm, A + 64 * PG, 1, "0");
	VALID(mm);
}

/* live: a guard marker is not resident; PROT_NONE keeps the page mapped;
 * MADV_PAGEOUT keeps dirty anonymous pages without swap. */
TEST(mincore_guard_markers_and_protnone)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG, RW));
	for (int i = 0; i < 4; i++)
		CHECK_EQ(vms_fault(mm, A + i * PG, 1), 0);
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_GUARD_INSTALL), 0);
	CHECK_EQ(vms_mprotect(mm, A + PG, PG, VMS_PROT_NONE), 0);
	CHECK_EQ(vms_madvise(mm, A + 2 * PG, 2 * PG, VMS_MADV_PAGEOUT), 0);
	CHECK_RES(mm, A, 4, "0111");
	VALID(mm);
}

/* live: fork copies the zero page's entries of a VMA that has an anon_vma
 * and none of one that has not (the child refaults those). */
TEST(mincore_fork_copies_zero_pages_only_with_an_anon_vma)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG, RW));
	CHECK(anon_at(mm, A + 64 * PG, 4 * PG, RW));
	CHECK_EQ(vms_fault(mm, A, 0), 0);
	CHECK_EQ(vms_fault(mm, A + PG, 1), 0);
	CHECK_EQ(vms_fault(mm, A + 64 * PG, 0), 0);
	int err = 0;
	vms_mm *c = vms_fork(mm, &err);
	CHECK(c);
	CHECK_RES(c, A, 4, "1100");
	CHECK_RES(c, A + 64 * PG, 4, "0000");
	CHECK_RES(mm, A + 64 * PG, 4, "1000");
	VALID(c);
	vms_mm_free(c);
}

/* The model keeps no page cache: a file page is resident while this mm maps
 * it (the kernel also says 1 after MADV_DONTNEED, from its page cache). */
TEST(mincore_file_pages_are_those_mapped)
{
	vms_mm *mm = new_mm(sys);
	struct vms_inode_info info = {.dev_major = 254, .ino = 9, .size = 16 * PG,
				      .path = "/tmp/g"};
	vms_file *f = vms_file_open(vms_inode_get(sys, &info), VMS_O_RDONLY);
	CHECK(vms_mmap(mm, A, 4 * PG, VMS_PROT_READ, VMS_MAP_PRIVATE | VMS_MAP_FIXED, f, 0) ==
	      (long)A);
	vms_file_close(f);
	CHECK_EQ(vms_fault(mm, A + PG, 0), 0);
	CHECK_RES(mm, A, 4, "0100");
}

TEST(mincore_alloc_failure_changes_nothing)
{
	vms_mm *mm = new_mm(sys);
	unsigned char vec[4];
	CHECK(anon_at(mm, A, 4 * PG, RW));
	struct t_snap a, b;
	t_snap_take(sys, mm, &a);
	vms_sys_fail_alloc_after(sys, 1);
	CHECK_EQ(vms_mincore(mm, A, 4 * PG, vec), 0);
	vms_sys_fail_alloc_after(sys, 0);
	t_snap_take(sys, mm, &b);
	CHECK(t_snap_equal(&a, &b));
}

/* live: MADV_PAGEOUT discards MAP_DROPPABLE pages even when dirty and
 * without swap; the zero page stays. */
TEST(mincore_droppable_pages_go_at_pageout)
{
	vms_mm *mm = new_mm(sys);
	CHECK(vms_mmap(mm, A, 4 * PG, RW, 0x08 /* MAP_DROPPABLE */ | VMS_MAP_ANONYMOUS |
			   VMS_MAP_FIXED, NULL, 0) == (long)A);
	for (int i = 1; i < 4; i++)
		CHECK_EQ(vms_fault(mm, A + i * PG, 1), 0);
	CHECK_EQ(vms_fault(mm, A, 0), 0);
	CHECK_EQ(vms_madvise(mm, A, 4 * PG, VMS_MADV_COLD), 0);
	CHECK_RES(mm, A, 4, "1111");
	CHECK_EQ(vms_madvise(mm, A, 4 * PG, VMS_MADV_PAGEOUT), 0);
	CHECK_RES(mm, A, 4, "1000");
	VALID(mm);
}
