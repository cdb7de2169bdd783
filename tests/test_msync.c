/* test_msync.c: one test per msync rule (mm/msync.c, 6.18), with what the
 * live kernel returned for each. */
#include "t.h"

#define PG 4096ULL
#define A 0x100000000ULL
#define RW (VMS_PROT_READ | VMS_PROT_WRITE)

static vms_mm *new_mm(vms_sys *sys)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE,
				    .caps = VMS_CAP_IPC_LOCK};
	return vms_mm_new(sys, &cfg);
}

/* A shared file mapping at A (4 pages), a hole, and private anonymous memory
 * at A + 5 pages (4 pages) whose first page is locked. */
static vms_mm *file_hole_locked(vms_sys *sys)
{
	struct vms_inode_info info = {.dev_major = 254, .ino = 7, .size = 64 * PG,
				      .path = "/tmp/f"};
	vms_file *f = vms_file_open(vms_inode_get(sys, &info), VMS_O_RDWR);
	vms_mm *mm = new_mm(sys);
	if (vms_mmap(mm, A, 4 * PG, RW, VMS_MAP_SHARED | VMS_MAP_FIXED, f, 0) != (long)A ||
	    vms_mmap(mm, A + 5 * PG, 4 * PG, RW,
		     VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED, NULL,
		     0) != (long)(A + 5 * PG) ||
	    vms_mlock(mm, A + 5 * PG, PG) != 0)
		return NULL;
	vms_file_close(f);
	return mm;
}

/* live: flags 8, MS_ASYNC|MS_SYNC and an unaligned start are EINVAL, before
 * the range is looked at (even a zero length at 0). */
TEST(msync_flags_and_alignment_are_einval_first)
{
	vms_mm *mm = file_hole_locked(sys);
	CHECK(mm);
	CHECK_EQ(vms_msync(mm, A, 4 * PG, 8), -VMS_EINVAL);
	CHECK_EQ(vms_msync(mm, A, 4 * PG, VMS_MS_ASYNC | VMS_MS_SYNC), -VMS_EINVAL);
	CHECK_EQ(vms_msync(mm, A + 1, 4 * PG, VMS_MS_SYNC), -VMS_EINVAL);
	CHECK_EQ(vms_msync(mm, A, 0, 8), -VMS_EINVAL);
	CHECK_EQ(vms_msync(mm, 0, 0, VMS_MS_ASYNC | VMS_MS_SYNC), -VMS_EINVAL);
	CHECK_EQ(vms_msync(mm, 1, 0, 0), -VMS_EINVAL);
	CHECK_EQ(vms_msync(mm, 0, 0, 0), 0);
}

/* live: lengths -1 and -4095 round to zero and succeed (madvise would say
 * EINVAL); -4096 and a range past the top of the address space wrap: ENOMEM. */
TEST(msync_length_rounds_to_zero_or_wraps)
{
	vms_mm *mm = file_hole_locked(sys);
	CHECK(mm);
	CHECK_EQ(vms_msync(mm, A, (uint64_t)-1, VMS_MS_SYNC), 0);
	CHECK_EQ(vms_msync(mm, A, (uint64_t)-4095, VMS_MS_SYNC), 0);
	CHECK_EQ(vms_msync(mm, A, (uint64_t)-4096, VMS_MS_SYNC), -VMS_ENOMEM);
	CHECK_EQ(vms_msync(mm, 0xfffffffffffff000ULL, PG, VMS_MS_SYNC), -VMS_ENOMEM);
	CHECK_EQ(vms_msync(mm, 0xfffffffffffff000ULL, 2 * PG, VMS_MS_SYNC), -VMS_ENOMEM);
}

/* live: every flag combination succeeds on mapped memory, file or not. */
TEST(msync_mapped_range_succeeds_and_changes_nothing)
{
	vms_mm *mm = file_hole_locked(sys);
	CHECK(mm);
	struct t_snap a, b;
	t_snap_take(sys, mm, &a);
	static const int ok[] = {0, VMS_MS_ASYNC, VMS_MS_SYNC, VMS_MS_INVALIDATE,
				 VMS_MS_ASYNC | VMS_MS_INVALIDATE, VMS_MS_SYNC | VMS_MS_INVALIDATE};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CHECK_EQ(vms_msync(mm, A, 4 * PG, ok[i]), 0);
		CHECK_EQ(vms_msync(mm, A + 6 * PG, 3 * PG, ok[i]), 0);
	}
	t_snap_take(sys, mm, &b);
	CHECK(t_snap_equal(&a, &b));
}

/* live: a hole anywhere is ENOMEM, before the first VMA, between VMAs, after
 * the last, and past TASK_SIZE. */
TEST(msync_hole_is_enomem)
{
	vms_mm *mm = file_hole_locked(sys);
	CHECK(mm);
	static const int fl[] = {0, VMS_MS_ASYNC, VMS_MS_SYNC, VMS_MS_ASYNC | VMS_MS_INVALIDATE};
	for (size_t i = 0; i < sizeof(fl) / sizeof(fl[0]); i++) {
		CHECK_EQ(vms_msync(mm, A, 9 * PG - 4 * PG, fl[i]), -VMS_ENOMEM);
		CHECK_EQ(vms_msync(mm, A - PG, 2 * PG, fl[i]), -VMS_ENOMEM);
		CHECK_EQ(vms_msync(mm, A - PG, PG, fl[i]), -VMS_ENOMEM);
		CHECK_EQ(vms_msync(mm, A + 4 * PG, PG, fl[i]), -VMS_ENOMEM);
		CHECK_EQ(vms_msync(mm, A + 6 * PG, 4 * PG, fl[i]), -VMS_ENOMEM);
		CHECK_EQ(vms_msync(mm, 0x7ffffffff000ULL, PG, fl[i]), -VMS_ENOMEM);
		CHECK_EQ(vms_msync(mm, 0x800000000000ULL, PG, fl[i]), -VMS_ENOMEM);
	}
}

/* mm/msync.c: MS_INVALIDATE on VM_LOCKED memory is EBUSY, and that error,
 * found after a hole, wins over the hole's ENOMEM; plain MS_ASYNC stops at the
 * hole and never sees the lock (live: ENOMEM). MS_SYNC alone on locked memory
 * is fine. */
TEST(msync_invalidate_of_locked_memory_is_ebusy)
{
	vms_mm *mm = file_hole_locked(sys);
	CHECK(mm);
	CHECK_EQ(vms_msync(mm, A + 5 * PG, 4 * PG, VMS_MS_INVALIDATE), -VMS_EBUSY);
	CHECK_EQ(vms_msync(mm, A + 5 * PG, 4 * PG, VMS_MS_SYNC | VMS_MS_INVALIDATE), -VMS_EBUSY);
	CHECK_EQ(vms_msync(mm, A + 5 * PG, 4 * PG, VMS_MS_SYNC), 0);
	CHECK_EQ(vms_msync(mm, A + 6 * PG, PG, VMS_MS_INVALIDATE), 0);
	CHECK_EQ(vms_msync(mm, A, 9 * PG, VMS_MS_SYNC | VMS_MS_INVALIDATE), -VMS_EBUSY);
	CHECK_EQ(vms_msync(mm, A, 10 * PG, VMS_MS_ASYNC | VMS_MS_INVALIDATE), -VMS_EBUSY);
	CHECK_EQ(vms_msync(mm, A, 9 * PG, VMS_MS_ASYNC), -VMS_ENOMEM);
	CHECK_EQ(vms_msync(mm, A, 9 * PG, VMS_MS_SYNC), -VMS_ENOMEM);
}

/* mm/msync.c: MS_SYNC of a shared file mapping calls vfs_fsync_range(), and
 * secretmem's file has no ->fsync: EINVAL, which ends the walk at once, even
 * before a later hole's ENOMEM (live: found by commit seeds 494419032558155
 * and ..168). MS_ASYNC and a private mapping never ask the file. */
TEST(msync_sync_of_secretmem_is_einval_from_vfs_fsync_range)
{
	vms_mm *mm = vms_mm_new(sys, NULL);
	vms_file *f = NULL;
	CHECK(mm);
	CHECK_EQ(vms_memfd_secret(sys, 0, &f), 0);
	CHECK_EQ(vms_ftruncate(f, 4 * PG), 0);
	long a = vms_mmap(mm, A, 4 * PG, VMS_PROT_READ | VMS_PROT_WRITE,
			  VMS_MAP_SHARED | VMS_MAP_FIXED, f, 0);
	CHECK_EQ(a, (long)A);
	CHECK_EQ(vms_msync(mm, A, 4 * PG, VMS_MS_SYNC), -VMS_EINVAL);
	CHECK_EQ(vms_msync(mm, A, 8 * PG, VMS_MS_SYNC), -VMS_EINVAL);
	CHECK_EQ(vms_msync(mm, A - PG, 8 * PG, VMS_MS_SYNC), -VMS_EINVAL);
	CHECK_EQ(vms_msync(mm, A, 4 * PG, VMS_MS_ASYNC), 0);
	CHECK_EQ(vms_msync(mm, A, 4 * PG, 0), 0);
	vms_file_close(f);
	vms_mm_free(mm);
}
