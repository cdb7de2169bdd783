/* test_remap_file_pages.c: one test per remap_file_pages rule (mm/mmap.c,
 * 6.18: the deprecated call emulated by an mmap of the same file), with what
 * the live kernel did for each. */
#include "t.h"

#define PG 4096ULL
#define A 0x100000000ULL
#define RW (VMS_PROT_READ | VMS_PROT_WRITE)
#define VM_LOCKED_ 0x2000ULL
#define VM_RAND_READ_ 0x10000ULL

static vms_mm *new_mm(vms_sys *sys)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE,
				    .caps = VMS_CAP_IPC_LOCK};
	return vms_mm_new(sys, &cfg);
}

static vms_file *file_of(vms_sys *sys, int oflags)
{
	struct vms_inode_info info = {.dev_major = 254, .ino = 11, .size = 64 * PG,
				      .path = "/tmp/f"};
	return vms_file_open(vms_inode_get(sys, &info), oflags);
}

static int map_at(vms_mm *mm, uint64_t a, uint64_t len, int prot, int flags, vms_file *f,
		  uint64_t off)
{
	return vms_mmap(mm, a, len, prot, flags | VMS_MAP_FIXED, f, off) == (long)a;
}

static struct vms_vma_info info_at(vms_mm *mm, uint64_t addr)
{
	struct vms_vma_info i = {0};
	const vms_vma *v = vms_find_vma(mm, addr);
	if (v)
		vms_vma_get_info(v, &i);
	if (i.start > addr)
		memset(&i, 0, sizeof(i));
	return i;
}

#define CHECK_VMA(mm, a, s, e, pg)                                                           \
	do {                                                                                 \
		struct vms_vma_info i_ = info_at(mm, a);                                     \
		CHECK_EQ(i_.start, s);                                                       \
		CHECK_EQ(i_.end, e);                                                         \
		CHECK_EQ(i_.pgoff, pg);                                                      \
	} while (0)

/* live: [s, s+8p) at pgoff 0, remap 2 pages at pgoff 5: [s, s+2p) pgoff 5 and
 * [s+2p, s+8p) pgoff 2; remapping all of it at pgoff 0 merges it back. */
TEST(rfp_maps_the_file_again_at_pgoff)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = file_of(sys, VMS_O_RDWR);
	CHECK(map_at(mm, A, 8 * PG, RW, VMS_MAP_SHARED, f, 0));
	CHECK_EQ(vms_remap_file_pages(mm, A, 2 * PG, 0, 5, 0), 0);
	CHECK_VMA(mm, A, A, A + 2 * PG, 5);
	CHECK_VMA(mm, A + 2 * PG, A + 2 * PG, A + 8 * PG, 2);
	CHECK_EQ(vms_remap_file_pages(mm, A, 8 * PG, 0, 0, 0), 0);
	CHECK_VMA(mm, A, A, A + 8 * PG, 0);
	/* live: pgoff past the end of the file is no error */
	CHECK_EQ(vms_remap_file_pages(mm, A, 8 * PG, 0, 60, 0), 0);
	vms_file_close(f);
	VALID(mm);
}

/* live: start and size are rounded down: (s+p+7, 2p+100) remaps [s+p, s+3p). */
TEST(rfp_rounds_start_and_size_down)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = file_of(sys, VMS_O_RDWR);
	CHECK(map_at(mm, A, 8 * PG, RW, VMS_MAP_SHARED, f, 0));
	CHECK_EQ(vms_remap_file_pages(mm, A + PG + 7, 2 * PG + 100, 0, 9, 0), 0);
	CHECK_VMA(mm, A + PG, A + PG, A + 3 * PG, 9);
	CHECK_VMA(mm, A + 3 * PG, A + 3 * PG, A + 8 * PG, 3);
	vms_file_close(f);
	VALID(mm);
}

/* live: prot other than 0, a size under a page, a wrap of the range or of
 * pgoff: EINVAL before the VMA is looked at. */
TEST(rfp_argument_checks_are_einval)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = file_of(sys, VMS_O_RDWR);
	CHECK(map_at(mm, A, 8 * PG, RW, VMS_MAP_SHARED, f, 0));
	CHECK_EQ(vms_remap_file_pages(mm, A, 2 * PG, VMS_PROT_READ, 5, 0), -VMS_EINVAL);
	CHECK_EQ(vms_remap_file_pages(mm, A, 100, 0, 5, 0), -VMS_EINVAL);
	CHECK_EQ(vms_remap_file_pages(mm, A, 0, 0, 5, 0), -VMS_EINVAL);
	CHECK_EQ(vms_remap_file_pages(mm, A, (uint64_t)-4096, 0, 1, 0), -VMS_EINVAL);
	CHECK_EQ(vms_remap_file_pages(mm, A, 2 * PG, 0, (uint64_t)-1, 0), -VMS_EINVAL);
	CHECK_EQ(vms_remap_file_pages(mm, 0xfffffffffffff000ULL, PG, 0, 3, 0), -VMS_EINVAL);
	vms_file_close(f);
}

/* live: a private file mapping, a shared mapping of a read-only open (no
 * VM_SHARED), anonymous memory, a hole: EINVAL. */
TEST(rfp_needs_a_shared_vma_at_start)
{
	vms_mm *mm = new_mm(sys);
	vms_file *rw = file_of(sys, VMS_O_RDWR), *ro = file_of(sys, VMS_O_RDONLY);
	CHECK(map_at(mm, A, 4 * PG, RW, VMS_MAP_PRIVATE, rw, 0));
	CHECK(map_at(mm, A + 16 * PG, 4 * PG, VMS_PROT_READ, VMS_MAP_SHARED, ro, 0));
	CHECK(map_at(mm, A + 32 * PG, 4 * PG, RW, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0));
	CHECK_EQ(vms_remap_file_pages(mm, A, PG, 0, 1, 0), -VMS_EINVAL);
	CHECK_EQ(vms_remap_file_pages(mm, A + 16 * PG, PG, 0, 1, 0), -VMS_EINVAL);
	CHECK_EQ(vms_remap_file_pages(mm, A + 32 * PG, PG, 0, 1, 0), -VMS_EINVAL);
	CHECK_EQ(vms_remap_file_pages(mm, A + 8 * PG, PG, 0, 1, 0), -VMS_EINVAL);
	vms_file_close(rw);
	vms_file_close(ro);
}

/* live: a range running on into a second VMA of the same file and flags is
 * remapped as one; different flags, a hole or the end of the VMAs: EINVAL. */
TEST(rfp_range_may_span_vmas_of_one_file_and_flags)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = file_of(sys, VMS_O_RDWR);
	CHECK(map_at(mm, A, 4 * PG, RW, VMS_MAP_SHARED, f, 0));
	CHECK(map_at(mm, A + 4 * PG, 4 * PG, RW, VMS_MAP_SHARED, f, 20 * PG));
	CHECK_EQ(vms_remap_file_pages(mm, A + 2 * PG, 4 * PG, 0, 30, 0), 0);
	CHECK_VMA(mm, A, A, A + 2 * PG, 0);
	CHECK_VMA(mm, A + 2 * PG, A + 2 * PG, A + 6 * PG, 30);
	CHECK_VMA(mm, A + 6 * PG, A + 6 * PG, A + 8 * PG, 22);
	CHECK_EQ(vms_madvise(mm, A, 2 * PG, VMS_MADV_RANDOM), 0);
	CHECK_EQ(vms_remap_file_pages(mm, A, 4 * PG, 0, 30, 0), -VMS_EINVAL);
	CHECK_EQ(vms_remap_file_pages(mm, A + 6 * PG, 4 * PG, 0, 30, 0), -VMS_EINVAL);
	CHECK(info_at(mm, A).vm_flags & VM_RAND_READ_);
	vms_file_close(f);
	VALID(mm);
}

/* live: a shared anonymous mapping remaps its shmem file: the new VMA is
 * still "/dev/zero (deleted)" memory, and its pages count as shmem. */
TEST(rfp_of_shared_anonymous_memory_stays_shmem)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 4 * PG, RW, VMS_MAP_SHARED | VMS_MAP_ANONYMOUS, NULL, 0));
	const vms_file *shm = info_at(mm, A).file;
	CHECK_EQ(vms_remap_file_pages(mm, A, PG, 0, 3, 0), 0);
	CHECK_VMA(mm, A, A, A + PG, 3);
	CHECK(info_at(mm, A).file == shm);
	char maps[512];
	vms_maps_text(mm, maps, sizeof(maps));
	CHECK(strstr(maps, "100000000-100001000 rw-s 00003000 00:01 ") != NULL);
	CHECK(strstr(maps, "/dev/zero (deleted)") != NULL);
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	CHECK_EQ(c.rss_shmem, 1); /* MAP_POPULATE */
	CHECK_EQ(c.rss_file, 0);
	VALID(mm);
}

/* A System V attach: the emulation maps the attach file again. When the
 * segment was removed (IPC_RMID) and the replaced range held its last
 * attach, the old VMA is closed before the new one's ->mmap (ipc/shm.c
 * shm_mmap() -> __shm_open()), which finds no segment: EINVAL, and the range
 * is left a gap (live, 6.18: remap_file_pages after shmctl(IPC_RMID) is
 * EINVAL and the attach is gone from maps). While another attach holds the
 * segment, the remap works. */
TEST(rfp_of_a_removed_segments_last_attach_is_einval_and_leaves_a_gap)
{
	vms_mm *mm = new_mm(sys);
	long id = vms_shmget(mm, 0, 4 * PG, VMS_IPC_CREAT | 0600);
	CHECK(id >= 0);
	long a = vms_shmat(mm, (int)id, 0, 0);
	long b = vms_shmat(mm, (int)id, 0, 0);
	CHECK(a > 0 && b > 0);
	CHECK_EQ(vms_shmctl(mm, (int)id, VMS_IPC_RMID, NULL), 0);
	/* b still attached: the segment stays, the remap works */
	CHECK_EQ(vms_remap_file_pages(mm, (uint64_t)a, PG, 0, 2, 0), 0);
	CHECK_VMA(mm, (uint64_t)a, (uint64_t)a, (uint64_t)a + PG, 2);
	CHECK_EQ(vms_shmdt(mm, (uint64_t)b), 0);
	/* now the remapped page and the rest of a are the last attaches: the
	 * range's one VMA is closed, yet the rest of a holds the segment */
	CHECK_EQ(vms_remap_file_pages(mm, (uint64_t)a, PG, 0, 0, 0), 0);
	CHECK_EQ(vms_munmap(mm, (uint64_t)a + PG, 3 * PG), 0);
	/* the last attach replaced: the segment is destroyed, EINVAL, a gap */
	CHECK_EQ(vms_remap_file_pages(mm, (uint64_t)a, PG, 0, 1, 0), -VMS_EINVAL);
	CHECK(vms_find_vma(mm, (uint64_t)a) == NULL ||
	      info_at(mm, (uint64_t)a).start != (uint64_t)a);
	CHECK_EQ(vms_shmctl(mm, (int)id, VMS_IPC_STAT, NULL), -VMS_EINVAL);
	VALID(mm);
	vms_mm_free(mm);
}

/* The emulation maps with MAP_POPULATE, and MAP_LOCKED for a locked VMA
 * (live: VmLck unchanged after remapping locked pages); flags other than
 * MAP_NONBLOCK are ignored, and MAP_NONBLOCK skips the populate. */
TEST(rfp_populates_and_keeps_the_lock)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = file_of(sys, VMS_O_RDWR);
	CHECK(map_at(mm, A, 8 * PG, RW, VMS_MAP_SHARED, f, 0));
	CHECK_EQ(vms_mlock(mm, A + 6 * PG, 2 * PG), 0);
	CHECK_EQ(vms_remap_file_pages(mm, A + 6 * PG, PG, 0, 0, 0), 0);
	CHECK(info_at(mm, A + 6 * PG).vm_flags & VM_LOCKED_);
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	CHECK_EQ(c.locked_vm, 2);
	CHECK_EQ(vms_remap_file_pages(mm, A, 2 * PG, 0, 40, VMS_MAP_NONBLOCK | 0xff00000), 0);
	vms_mm_get_counters(mm, &c);
	CHECK_EQ(c.rss_file, 2);
	CHECK_EQ(vms_remap_file_pages(mm, A + 2 * PG, 2 * PG, 0, 42, 0), 0);
	vms_mm_get_counters(mm, &c);
	CHECK_EQ(c.rss_file, 4);
	vms_file_close(f);
	VALID(mm);
}

/* The mmap over the range meets a seal like any MAP_FIXED (live: EPERM). */
TEST(rfp_over_a_sealed_vma_is_eperm)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = file_of(sys, VMS_O_RDWR);
	CHECK(map_at(mm, A, 8 * PG, RW, VMS_MAP_SHARED, f, 0));
	CHECK_EQ(vms_mseal(mm, A, PG, 0), 0);
	CHECK_EQ(vms_remap_file_pages(mm, A, PG, 0, 3, 0), -VMS_EPERM);
	vms_file_close(f);
	VALID(mm);
}

TEST(rfp_alloc_failure_changes_nothing)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = file_of(sys, VMS_O_RDWR);
	CHECK(map_at(mm, A, 8 * PG, RW, VMS_MAP_SHARED, f, 0));
	vms_file_close(f);
	long r = -VMS_ENOMEM;
	for (uint64_t n = 1; n < 100; n++) {
		struct t_snap a, b;
		t_snap_take(sys, mm, &a);
		vms_sys_fail_alloc_after(sys, n);
		r = vms_remap_file_pages(mm, A + 2 * PG, 2 * PG, 0, 7, VMS_MAP_NONBLOCK);
		vms_sys_fail_alloc_after(sys, 0);
		if (r != -VMS_ENOMEM)
			break;
		t_snap_take(sys, mm, &b);
		CHECK(t_snap_equal(&a, &b));
		VALID(mm);
	}
	CHECK_EQ(r, 0);
	CHECK_VMA(mm, A + 2 * PG, A + 2 * PG, A + 4 * PG, 7);
	VALID(mm);
}
