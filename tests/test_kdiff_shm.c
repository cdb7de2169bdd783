/*
 * test_kdiff_shm.c: scripted live-kernel differential tests (see kdiff.h) of
 * shared memory and the files a program maps without an ordinary path:
 * System V segments in the helper's own IPC namespace, memfd and its seals,
 * memfd_secret, /dev/zero, tmpfs and O_TMPFILE files, ftruncate and the
 * SIGBUS past a file's end, and the mmap flags the kernel added lately. Each
 * step is compared on results, maps and status; each test skips where the
 * kernel cannot be used (and the System V ones where the helper could not
 * get an IPC namespace of its own: not root).
 * Not for: random streams (kdiff_fixed_seeds and the others in
 * test_kdiff.c run these calls too).
 */
#include "kd_steps.h"

#define P 4096ULL
#define MB (1ULL << 20)
#define R VMS_PROT_READ
#define RW (VMS_PROT_READ | VMS_PROT_WRITE)
#define RX (VMS_PROT_READ | VMS_PROT_EXEC)
#define PA (VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS)
#define SA (VMS_MAP_SHARED | VMS_MAP_ANONYMOUS)
#define SH VMS_MAP_SHARED
#define PR VMS_MAP_PRIVATE
#define FIX VMS_MAP_FIXED
#define NOFD KD_FD_NONE
#define MAP_DROPPABLE 0x08

/* The helper's files (kdiff.c file_specs order). */
enum { F_A_RO, F_A_RW, F_A_RO2, F_B_RO, F_B_RW, F_C_RW, F_E_RO, F_D_RW, F_A_WO, F_A_APP, F_DIR,
       F_ZERO, F_ZERO_RO, F_NULL, F_SHM, F_TMPFILE };
#define M0 KD_FD_MEMFD(0)
#define M1 KD_FD_MEMFD(1)

#define NEED_IPCNS                                                                                 \
	do {                                                                                       \
		if (!kd.ipcns) {                                                                   \
			kd_stop(&kd);                                                              \
			t_skip("the helper has no IPC namespace of its own (not root?)");          \
			return;                                                                    \
		}                                                                                  \
	} while (0)

#define SKIP_IF_CONTAINED                                                                          \
	do {                                                                                       \
		if (kd.contained) {                                                                \
			kd_stop(&kd);                                                              \
			t_skip("under ASan: top-down placements would touch ASan's own "           \
			       "mappings, whose vm_flags maps does not show");                     \
			return;                                                                    \
		}                                                                                  \
	} while (0)

TEST(kdiff_shm_attach_and_detach_match)
{
	KD_BEGIN;
	NEED_IPCNS;
	SKIP_IF_CONTAINED;
	STEP(KD_SHMGET, 0, 10000, VMS_IPC_CREAT | 0600);
	STEP(KD_SHMGET, 0x1234, 5000, VMS_IPC_CREAT | 0644);
	STEP(KD_SHMGET, 0x1234, 6000, 0);
	STEP(KD_SHMGET, 0x1234, 0, 0);
	STEP(KD_SHMGET, 0x1234, 0, VMS_IPC_CREAT | VMS_IPC_EXCL);
	STEP(KD_SHMGET, 0x999, 4000, 0);
	STEP(KD_SHMGET, 0, 0, 0);
	/* top-down like mmap; the maps name "/SYSV<key> (deleted)", the id
	 * the inode number */
	STEP(KD_SHMAT, 0, 0, 0);
	uint64_t a = (uint64_t)res;
	STEP(KD_SHMAT, 1, 0, VMS_SHM_RDONLY);
	STEP(KD_SHMAT, 1, 0, VMS_SHM_EXEC);
	STEP(KD_SHMCTL, 1, VMS_IPC_STAT, 0);
	STEP(KD_MPROTECT, a, P, R);
	STEP(KD_SHMCTL, 0, VMS_IPC_STAT, 0);
	STEP(KD_MPROTECT, a + P, P, R);
	STEP(KD_MPROTECT, a, 2 * P, RW);
	STEP(KD_SHMCTL, 0, VMS_IPC_STAT, 0);
	STEP(KD_SHMCTL, 1, VMS_IPC_RMID, 0);
	STEP(KD_SHMCTL, 1, VMS_IPC_STAT, 0);
	STEP(KD_SHMGET, 0x1234, 4000, 0);
	STEP(KD_SHMAT, 1, 0, 0);
	STEP(KD_SHMCTL, 1, VMS_IPC_STAT, 0);
	STEP(KD_SHMDT, a + 1);
	STEP(KD_SHMDT, a - P);
	STEP(KD_SHMDT, a);
	STEP(KD_SHMDT, a);
	STEP(KD_SHMCTL, 0, VMS_IPC_STAT, 0);
	STEP(KD_SHMCTL, 0, VMS_SHM_STAT, 0);
	STEP(KD_SHMCTL, 0, VMS_IPC_INFO, 0);
	STEP(KD_SHMCTL, 0, VMS_SHM_INFO, 0);
	STEP(KD_SHMCTL, 0, VMS_SHM_LOCK, 0);
	STEP(KD_SHMCTL, 0, VMS_IPC_STAT, 0);
	STEP(KD_SHMCTL, 0, VMS_SHM_UNLOCK, 0);
	STEP(KD_SHMCTL, 0, VMS_IPC_SET, 0640);
	STEP(KD_SHMCTL, 0, VMS_IPC_STAT, 0);
	STEP(KD_SHMCTL, 0, 99, 0);
	STEP(KD_SHMCTL, (uint64_t)-1, VMS_IPC_STAT, 0);
	KD_END;
}

TEST(kdiff_shm_fixed_addresses_match)
{
	KD_BEGIN;
	NEED_IPCNS;
	STEP(KD_SHMGET, 0, 4 * P, 0600);
	STEP(KD_SHMGET, 0, 4 * P, 0600);
	STEP(KD_SHMAT, 0, W + 0x123, 0);
	STEP(KD_SHMAT, 0, W + 0x123, VMS_SHM_RND);
	STEP(KD_SHMAT, 0, W, 0);
	STEP(KD_SHMAT, 0, W + P, 0);
	STEP(KD_SHMAT, 0, 0, VMS_SHM_REMAP);
	STEP(KD_SHMAT, 0, 0x123, VMS_SHM_RND | VMS_SHM_REMAP);
	STEP(KD_SHMAT, 1, W + 2 * P, VMS_SHM_REMAP);
	STEP(KD_SHMAT, 1, W + 6 * P, 0);
	STEP(KD_SHMAT, 32768, W + 16 * P, 0);
	STEP(KD_SHMCTL, 0, VMS_IPC_STAT, 0);
	STEP(KD_SHMCTL, 1, VMS_IPC_STAT, 0);
	/* shmdt: the first shm VMA whose offset says it began at the address,
	 * then the same attach's pieces that fit in the segment's size. */
	STEP(KD_MMAP, W + 64 * P, 8 * P, RW, PA | FIX, NOFD, 0);
	STEP(KD_SHMAT, 0, W + 32 * P, 0);
	STEP(KD_MUNMAP, W + 33 * P, P);
	STEP(KD_MREMAP, W + 34 * P, P, P, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED, W + 42 * P);
	STEP(KD_SHMDT, W + 32 * P);
	STEP(KD_SHMCTL, 0, VMS_IPC_STAT, 0);
	STEP(KD_SHMDT, W + 40 * P);
	STEP(KD_SHMAT, 0, W + 32 * P, 0);
	STEP(KD_MUNMAP, W + 32 * P, P);
	STEP(KD_SHMDT, W + 32 * P);
	/* one attach's piece moved into another's place */
	STEP(KD_SHMAT, 0, W + 32 * P, 0);
	STEP(KD_SHMAT, 1, W + 36 * P, 0);
	STEP(KD_MUNMAP, W + 33 * P, P);
	STEP(KD_MREMAP, W + 37 * P, P, P, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED, W + 33 * P);
	STEP(KD_SHMDT, W + 32 * P);
	STEP(KD_SHMCTL, 1, VMS_IPC_STAT, 0);
	/* a System V attach moves alone (vma_multi_allowed()): seed 2 */
	STEP(KD_MREMAP, W + 32 * P, 2 * P, 2 * P, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED, W + 80 * P);
	STEP(KD_MREMAP, W + 36 * P, 0x29000, 0x29000, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED,
	     W + 128 * P);
	STEP(KD_MREMAP, W + 63 * P, 2 * P, 2 * P, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED, W + 96 * P);
	STEP(KD_MREMAP, W + 38 * P, 2 * P, 4 * P, 0, 0);
	/* THP asks shmem_file(): an attach's file is shmem's (seed 5011) */
	STEP(KD_MADVISE, W + 36 * P, 2 * P, VMS_MADV_COLLAPSE);
	if (!kd.contained) {
		STEP(KD_SHMGET, 0, 13 * P, 0600);
		STEP(KD_SHMAT, res, 0xa18, VMS_SHM_RND | VMS_SHM_EXEC);
		STEP(KD_MUNMAP, 0x1000, 4 * P);
		STEP(KD_MADVISE, 0, 2 * P, VMS_MADV_COLLAPSE);
		STEP(KD_MUNMAP, 0, 13 * P);
	}
	STEP(KD_SHMCTL, 0, VMS_IPC_RMID, 0);
	STEP(KD_SHMCTL, 1, VMS_IPC_RMID, 0);
	STEP(KD_MUNMAP, W, 256 * P);
	STEP(KD_SHMCTL, 0, VMS_IPC_STAT, 0);
	STEP(KD_SHMCTL, 1, VMS_IPC_STAT, 0);
	STEP(KD_SHMCTL, 0, VMS_SHM_INFO, 0);
	KD_END;
}

TEST(kdiff_shm_ids_and_limits_match)
{
	KD_BEGIN;
	NEED_IPCNS;
	/* ids: idr_alloc_cyclic() below max(in_use * 3 / 2, 64), a new
	 * sequence number when the index does not go up */
	STEP(KD_SHMGET, 0, P, 0600);
	for (int i = 1; i < 66; i++) {
		STEP(KD_SHMGET, 0, P, 0600);
		STEP(KD_SHMCTL, res, VMS_IPC_RMID, 0);
	}
	for (int i = 0; i < 50; i++)
		STEP(KD_SHMGET, 0, P + (uint64_t)i, 0600);
	STEP(KD_SHMCTL, 0, VMS_SHM_INFO, 0);
	STEP(KD_SHMCTL, 0, VMS_IPC_INFO, 0);
	STEP(KD_SHMCTL, 3, VMS_SHM_STAT, 0);
	STEP(KD_SHM_SYSCTL, KD_SYSCTL_NEXT_ID, 3 * 32768 + 500);
	STEP(KD_SHMGET, 0, P, 0600);
	STEP(KD_SHMGET, 0, P, 0600);
	STEP(KD_SHM_SYSCTL, KD_SYSCTL_NEXT_ID, (uint64_t)INT32_MAX + 1);
	/* the limits */
	STEP(KD_SHM_SYSCTL, KD_SYSCTL_SHMMNI, 52);
	STEP(KD_SHMGET, 0, P, 0600);
	STEP(KD_SHMGET, 0, P, 0600);
	STEP(KD_SHM_SYSCTL, KD_SYSCTL_SHMMNI, 32769);
	STEP(KD_SHM_SYSCTL, KD_SYSCTL_SHMMNI, 4096);
	STEP(KD_SHM_SYSCTL, KD_SYSCTL_SHMMAX, 8192);
	STEP(KD_SHMGET, 0, 8193, 0600);
	STEP(KD_SHMGET, 0, 8192, 0600);
	STEP(KD_SHM_SYSCTL, KD_SYSCTL_SHMMAX, UINT64_MAX);
	STEP(KD_SHMGET, 0, UINT64_MAX, 0600);
	STEP(KD_SHMGET, 0, UINT64_MAX - P, 0600);
	STEP(KD_SHM_SYSCTL, KD_SYSCTL_SHMALL, 100);
	STEP(KD_SHMGET, 0, 48 * P, 0600);
	STEP(KD_SHMGET, 0, 47 * P, 0600);
	STEP(KD_SHMCTL, 0, VMS_SHM_INFO, 0);
	STEP(KD_SHM_SYSCTL, KD_SYSCTL_SHMALL, UINT64_MAX - (1ULL << 24));
	STEP(KD_SHMGET, 0, 1ULL << 46, 0600);
	STEP(KD_SHMGET, 0, 1ULL << 46, VMS_SHM_NORESERVE | 0600);
	/* the owner's bits (root passes with CAP_IPC_OWNER) */
	STEP(KD_SHMGET, 0x55, P, VMS_IPC_CREAT);
	STEP(KD_SHMGET, 0x55, P, 0600);
	STEP(KD_SHMAT, res, 0, 0);
	KD_END;
}

TEST(kdiff_shm_rmid_forced_matches)
{
	KD_BEGIN;
	NEED_IPCNS;
	STEP(KD_SHMGET, 0, P, 0600);
	STEP(KD_SHMGET, 0, P, 0600);
	STEP(KD_SHM_SYSCTL, KD_SYSCTL_RMID_FORCED, 2);
	STEP(KD_SHM_SYSCTL, KD_SYSCTL_RMID_FORCED, 1);
	STEP(KD_SHMAT, 0, W, 0);
	STEP(KD_SHMCTL, 0, VMS_IPC_STAT, 0);
	STEP(KD_SHMDT, W);
	STEP(KD_SHMCTL, 0, VMS_IPC_STAT, 0);
	/* a failed attach counts as one that went */
	STEP(KD_MMAP, W, P, R, PA | FIX, NOFD, 0);
	STEP(KD_SHMAT, 1, W, 0);
	STEP(KD_SHMCTL, 1, VMS_IPC_STAT, 0);
	STEP(KD_SHM_SYSCTL, KD_SYSCTL_RMID_FORCED, 0);
	KD_END;
}

TEST(kdiff_shm_hugetlb_matches)
{
	KD_BEGIN;
	NEED_IPCNS;
	STEP(KD_SHMGET, 0, 100, VMS_SHM_HUGETLB | VMS_SHM_NORESERVE | (30 << VMS_SHM_HUGE_SHIFT));
	STEP(KD_SHMGET, 0, 100, VMS_SHM_HUGETLB | VMS_SHM_NORESERVE | (22 << VMS_SHM_HUGE_SHIFT));
	STEP(KD_SHMGET, 0, 100, VMS_SHM_HUGETLB | VMS_SHM_NORESERVE | (21 << VMS_SHM_HUGE_SHIFT));
	STEP(KD_SHMGET, 0, 5000, VMS_SHM_HUGETLB | VMS_SHM_NORESERVE);
	uint64_t id = (uint64_t)res;
	STEP(KD_SHMAT, id, W + P, VMS_SHM_REMAP);
	STEP(KD_SHMAT, id, W + 2 * MB, 0);
	STEP(KD_SHMCTL, id, VMS_IPC_STAT, 0);
	STEP(KD_MPROTECT, W + 2 * MB, P, R);
	STEP(KD_TOUCH, W + 2 * MB + 5, 0);
	STEP(KD_MREMAP, W + 2 * MB, 2 * MB, 4 * MB, VMS_MREMAP_MAYMOVE, 0);
	STEP(KD_SHMDT, W + 2 * MB);
	STEP(KD_SHMCTL, id, VMS_SHM_INFO, 0);
	KD_END;
}

TEST(kdiff_memfd_and_seals_match)
{
	KD_BEGIN;
	STEP(KD_MEMFD, 0, 0x100, 0);
	STEP(KD_MEMFD, 0, VMS_MFD_EXEC | VMS_MFD_NOEXEC_SEAL, 0);
	STEP(KD_MEMFD, 0, 21u << VMS_MFD_HUGE_SHIFT, 0);
	STEP(KD_MEMFD, 0, VMS_MFD_HUGETLB | (16u << VMS_MFD_HUGE_SHIFT), 0);
	STEP(KD_MEMFD, 0, VMS_MFD_CLOEXEC | VMS_MFD_ALLOW_SEALING, 0);
	STEP(KD_SEAL, M0, 0, 1);
	STEP(KD_FTRUNCATE, M0, 3 * P + 5);
	STEP(KD_MMAP, W, 4 * P, RW, SH | FIX, M0, 0);
	STEP(KD_MMAP, W + 4 * P, 4 * P, RW, PR | FIX, M0, P);
	STEP(KD_TOUCH, W + 3 * P, 0);
	STEP(KD_TOUCH, W + 4 * P, 1);
	STEP(KD_TOUCH, W + 7 * P, 1);
	STEP(KD_SEAL, M0, VMS_F_SEAL_WRITE, 0);
	STEP(KD_MUNMAP, W, 4 * P);
	STEP(KD_SEAL, M0, VMS_F_SEAL_WRITE, 0);
	STEP(KD_SEAL, M0, 0, 1);
	STEP(KD_MMAP, W, P, RW, SH | FIX, M0, 0);
	STEP(KD_MMAP, W, P, R, SH | FIX, M0, 0);
	STEP(KD_MPROTECT, W, P, RW);
	STEP(KD_MADVISE, W, P, VMS_MADV_REMOVE);
	STEP(KD_SEAL, M0, 0x40, 0);
	STEP(KD_SEAL, M0, 1ULL << 32, 0);
	STEP(KD_SEAL, M0, VMS_F_SEAL_SHRINK | VMS_F_SEAL_SEAL, 0);
	STEP(KD_FTRUNCATE, M0, P);
	STEP(KD_FTRUNCATE, M0, 8 * P);
	STEP(KD_SEAL, M0, VMS_F_SEAL_GROW, 0);
	/* F_SEAL_FUTURE_WRITE spares the writable mappings made before */
	STEP(KD_MEMFD, 1, VMS_MFD_ALLOW_SEALING, 0);
	STEP(KD_FTRUNCATE, M1, P);
	STEP(KD_MMAP, W + 16 * P, P, RW, SH | FIX, M1, 0);
	STEP(KD_SEAL, M1, VMS_F_SEAL_FUTURE_WRITE, 0);
	STEP(KD_MMAP, W + 17 * P, P, RW, SH | FIX, M1, 0);
	STEP(KD_MMAP, W + 17 * P, P, R, SH | FIX, M1, 0);
	STEP(KD_MPROTECT, W + 17 * P, P, RW);
	STEP(KD_MPROTECT, W + 16 * P, P, R);
	STEP(KD_MPROTECT, W + 16 * P, P, RW);
	STEP(KD_MADVISE, W + 16 * P, P, VMS_MADV_REMOVE);
	/* F_SEAL_EXEC on an executable memfd brings the write seals */
	STEP(KD_MEMFD, 1, VMS_MFD_ALLOW_SEALING | VMS_MFD_EXEC, 0);
	STEP(KD_FTRUNCATE, M1, P);
	STEP(KD_MMAP, W + 20 * P, P, R, SH | FIX, M1, 0);
	STEP(KD_SEAL, M1, VMS_F_SEAL_EXEC, 0);
	STEP(KD_MUNMAP, W + 20 * P, P);
	STEP(KD_SEAL, M1, VMS_F_SEAL_EXEC, 0);
	STEP(KD_SEAL, M1, 0, 1);
	STEP(KD_MEMFD, 1, VMS_MFD_NOEXEC_SEAL, 0);
	STEP(KD_SEAL, M1, 0, 1);
	STEP(KD_FTRUNCATE, M1, P);
	STEP(KD_MMAP, W + 20 * P, P, RX, SH | FIX, M1, 0);
	STEP(KD_MMAP, W + 21 * P, P, RX, PR | FIX, M1, 0);
	/* no MFD_ALLOW_SEALING: F_SEAL_SEAL from the start */
	STEP(KD_MEMFD, 1, 0, 0);
	STEP(KD_SEAL, M1, 0, 1);
	STEP(KD_SEAL, M1, VMS_F_SEAL_WRITE, 0);
	/* hugetlb memfd: whole huge pages, and a reservation the empty pool
	 * refuses */
	STEP(KD_MEMFD, 1, VMS_MFD_HUGETLB, 0);
	STEP(KD_FTRUNCATE, M1, P);
	STEP(KD_FTRUNCATE, M1, 2 * MB);
	STEP(KD_MMAP, W + 2 * MB, 2 * MB, R, SH | FIX, M1, 0);
	STEP(KD_MMAP, W + 2 * MB, 2 * MB, R, SH | FIX | VMS_MAP_NORESERVE, M1, 0);
	STEP(KD_TOUCH, W + 2 * MB, 0);
	STEP(KD_SEAL, M1, 0, 1);
	/* files that do not seal, descriptors that are not open */
	STEP(KD_SEAL, F_A_RW, VMS_F_SEAL_WRITE, 0);
	STEP(KD_SEAL, F_A_RO, VMS_F_SEAL_WRITE, 0);
	STEP(KD_SEAL, F_A_RW, 0, 1);
	STEP(KD_SEAL, F_SHM, 0, 1);
	STEP(KD_SEAL, KD_FD_MEMFD(3), 0, 1);
	KD_END;
}

TEST(kdiff_ftruncate_and_sigbus_match)
{
	KD_BEGIN;
	STEP(KD_FTRUNCATE, F_A_RO, P);
	STEP(KD_FTRUNCATE, F_DIR, P);
	STEP(KD_FTRUNCATE, F_ZERO, P);
	STEP(KD_FTRUNCATE, F_NULL, P);
	STEP(KD_FTRUNCATE, F_B_RW, (uint64_t)-1);
	STEP(KD_FTRUNCATE, F_TMPFILE, 1ULL << 44);
	STEP(KD_FTRUNCATE, F_TMPFILE, (1ULL << 44) - P);
	STEP(KD_FTRUNCATE, F_SHM, 1ULL << 50);
	STEP(KD_FTRUNCATE, F_SHM, 4 * P);
	/* pages past the end: SIGBUS (EFAULT for the helper's access), after a
	 * private write fault that prepared the anon_vma */
	STEP(KD_MMAP, W, 8 * P, RW, PR | FIX, F_B_RW, 0);
	STEP(KD_TOUCH, W + 5 * P + 7, 0);
	STEP(KD_TOUCH, W + 6 * P, 0);
	STEP(KD_TOUCH, W + 6 * P, 1);
	STEP(KD_MMAP, W + 8 * P, 8 * P, RW, PR | FIX, F_B_RW, 8 * P);
	STEP(KD_FTRUNCATE, F_B_RW, 20 * P);
	STEP(KD_TOUCH, W + 6 * P, 0);
	STEP(KD_FTRUNCATE, F_B_RW, 2 * P + 1);
	STEP(KD_TOUCH, W + 3 * P, 1);
	STEP(KD_MMAP, W + 16 * P, 4 * P, RW, SH | FIX, F_SHM, 0);
	STEP(KD_TOUCH, W + 19 * P, 1);
	STEP(KD_FTRUNCATE, F_SHM, P);
	STEP(KD_TOUCH, W + 17 * P, 0);
	STEP(KD_MMAP, W + 24 * P, 4 * P, RW, SA | FIX, NOFD, 0);
	STEP(KD_MREMAP, W + 24 * P, 4 * P, 8 * P, 0, 0);
	STEP(KD_TOUCH, W + 27 * P, 1);
	STEP(KD_TOUCH, W + 28 * P, 1);
	/* fallocate: small ranges only (tmpfs takes the pages at once) */
	STEP(KD_MEMFD, 0, VMS_MFD_ALLOW_SEALING, 0);
	STEP(KD_FALLOCATE, M0, 0, 0, 3 * P);
	STEP(KD_MMAP, W + 48 * P, 4 * P, RW, SH | FIX, M0, 0);
	STEP(KD_TOUCH, W + 50 * P, 1);
	STEP(KD_TOUCH, W + 51 * P, 1);
	STEP(KD_FALLOCATE, M0, 1, 0, 8 * P);
	STEP(KD_TOUCH, W + 51 * P, 1);
	STEP(KD_FALLOCATE, M0, 0, 4 * P, P);
	STEP(KD_TOUCH, W + 51 * P, 1);
	STEP(KD_FALLOCATE, M0, 2, 0, P);
	STEP(KD_FALLOCATE, M0, 3, P / 2, 2 * P);
	STEP(KD_FALLOCATE, M0, 0x10, 0, P);
	STEP(KD_FALLOCATE, M0, 0x100, 0, P);
	STEP(KD_FALLOCATE, M0, 0, (uint64_t)-1, P);
	STEP(KD_FALLOCATE, M0, 0, 0, 0);
	STEP(KD_FALLOCATE, M0, 0, 1ULL << 62, 1ULL << 62);
	STEP(KD_SEAL, M0, VMS_F_SEAL_GROW, 0);
	STEP(KD_FALLOCATE, M0, 1, 0, 16 * P);
	STEP(KD_FALLOCATE, M0, 0, 0, P);
	STEP(KD_SEAL, M0, VMS_F_SEAL_FUTURE_WRITE, 0);
	STEP(KD_FALLOCATE, M0, 3, 0, P);
	STEP(KD_FALLOCATE, F_A_RO, 0, 0, P);
	STEP(KD_FALLOCATE, F_DIR, 0, 0, P);
	STEP(KD_FALLOCATE, F_ZERO, 0, 0, P);
	STEP(KD_FALLOCATE, F_B_RW, 3, 0, P);
	STEP(KD_FALLOCATE, F_B_RW, 0x40, P, 2 * P); /* ext4 has no unshare range: seed 21 */
	STEP(KD_FALLOCATE, F_B_RW, 0x10, P, 2 * P);
	STEP(KD_FALLOCATE, F_B_RW, 1, (1ULL << 44) - P, 2 * P);
	STEP(KD_FALLOCATE, F_TMPFILE, 0, 0, 5 * P);
	STEP(KD_MEMFD, 1, VMS_MFD_HUGETLB, 0);
	STEP(KD_FALLOCATE, M1, 0, 0, P);
	STEP(KD_FALLOCATE, M1, 3, 0, P);
	STEP(KD_MEMFD, 1, 0, 1);
	STEP(KD_FALLOCATE, M1, 0, 0, P);
	/* MADV_REMOVE and ext4's largest file, 4 KiB short of 16 TiB */
	STEP(KD_MMAP, W + 40 * P, 2 * P, RW, SH | FIX, F_B_RW, (1ULL << 44) - 2 * P);
	STEP(KD_MADVISE, W + 40 * P, P, VMS_MADV_REMOVE);
	STEP(KD_MADVISE, W + 40 * P, 2 * P, VMS_MADV_REMOVE);
	KD_END;
}

TEST(kdiff_memfd_secret_matches)
{
	KD_BEGIN;
	STEP(KD_MEMFD, 2, 1, 1);
	STEP(KD_MEMFD, 2, 02000000, 1);
	if (res != 0) {
		KD_END;
		t_skip("memfd_secret is not enabled on this kernel");
		return;
	}
	STEP(KD_FTRUNCATE, KD_FD_MEMFD(2), 4 * P);
	STEP(KD_FTRUNCATE, KD_FD_MEMFD(2), 8 * P);
	STEP(KD_MMAP, W, 4 * P, RW, PR | FIX, KD_FD_MEMFD(2), 0);
	STEP(KD_MMAP, W, 4 * P, RW | VMS_PROT_EXEC, SH | FIX, KD_FD_MEMFD(2), 0);
	STEP(KD_MMAP, W, 4 * P, RW, SH | FIX, KD_FD_MEMFD(2), 0);
	STEP(KD_MUNLOCK, W, 4 * P);
	/* GUP refuses secretmem: MADV_POPULATE is EINVAL, mlock's fault-in
	 * EFAULT (ENOMEM for mlock) */
	STEP(KD_MADVISE, W, P, VMS_MADV_POPULATE_READ);
	STEP(KD_MADVISE, W, P, VMS_MADV_POPULATE_WRITE);
	STEP(KD_MADVISE, W, P, VMS_MADV_WILLNEED);
	STEP(KD_MADVISE, W, P, VMS_MADV_DONTNEED);
	STEP(KD_MADVISE, W, P, VMS_MADV_DONTNEED_LOCKED);
	STEP(KD_MLOCK, W, P);
	STEP(KD_MPROTECT, W, P, R);
	STEP(KD_MPROTECT, W, P, RX);
	STEP(KD_TOUCH, W + 3 * P, 1);
	STEP(KD_PRLIMIT, VMS_RLIMIT_MEMLOCK, 6 * P, VMS_RLIM_INFINITY, 0);
	STEP(KD_MMAP, W + 4 * P, 4 * P, RW, PA | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 4 * P, 4 * P, RW, SH | FIX, KD_FD_MEMFD(2), 0);
	STEP(KD_PRLIMIT, VMS_RLIMIT_MEMLOCK, VMS_RLIM_INFINITY, VMS_RLIM_INFINITY, 0);
	KD_END;
}

TEST(kdiff_dev_zero_tmpfs_and_tmpfile_match)
{
	KD_BEGIN;
	/* MAP_SHARED of /dev/zero: a shmem object, its pgoff kept;
	 * MAP_PRIVATE: anonymous memory that keeps the file */
	STEP(KD_MMAP, W, 2 * P, RW, SH | FIX, F_ZERO, 5 * P);
	STEP(KD_MMAP, W + 2 * P, 2 * P, RW, SH | FIX, F_ZERO, 7 * P);
	STEP(KD_MMAP, W + 4 * P, 2 * P, RW, PR | FIX, F_ZERO, 5 * P);
	STEP(KD_MMAP, W + 6 * P, 2 * P, RW, PA | FIX, NOFD, 0);
	STEP(KD_TOUCH, W + 4 * P, 1);
	STEP(KD_TOUCH, W + 5 * P, 0);
	STEP(KD_MPROTECT, W + 4 * P, 2 * P, R);
	STEP(KD_MREMAP, W + 4 * P, 2 * P, 2 * P, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED, W + 32 * P);
	STEP(KD_MREMAP, W + 32 * P, 2 * P, 2 * P, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED, W + 64 * P);
	STEP(KD_MMAP, W + 8 * P, P, R, SH | FIX, F_ZERO_RO, 0);
	STEP(KD_MMAP, W + 9 * P, P, RW, SH | FIX, F_ZERO_RO, 0);
	STEP(KD_MMAP, W + 9 * P, P, R, VMS_MAP_SHARED_VALIDATE | VMS_MAP_SYNC | FIX, F_ZERO, 0);
	STEP(KD_MADVISE, W, P, VMS_MADV_REMOVE);
	STEP(KD_MADVISE, W + 8 * P, P, VMS_MADV_REMOVE);
	STEP(KD_ANON_NAME, W + 8 * P, P);
	/* THP alignment: private /dev/zero is aligned, shared is not */
	if (!kd.contained) {
		STEP(KD_MMAP, 0, 4 * MB, R, PR, F_ZERO_RO, 0);
		STEP(KD_MMAP, 0, 4 * MB, R, SH, F_ZERO, 0);
	}
	/* a device without mmap */
	STEP(KD_MMAP, W + 16 * P, P, R, SH | FIX, F_NULL, 0);
	STEP(KD_MMAP, W + 16 * P, P, R, PR | FIX, F_NULL, 0);
	/* a tmpfs file (not deleted) and an O_TMPFILE file ("/DIR/#INO (deleted)") */
	STEP(KD_MMAP, W + 16 * P, 4 * P, RW, VMS_MAP_SHARED_VALIDATE | VMS_MAP_SYNC | FIX, F_SHM, 0);
	STEP(KD_MMAP, W + 16 * P, 4 * P, RW, VMS_MAP_SHARED_VALIDATE | FIX, F_SHM, 0);
	STEP(KD_MMAP, W + 20 * P, 4 * P, RW, PR | FIX, F_SHM, 4 * P);
	STEP(KD_ANON_NAME, W + 16 * P, P);
	STEP(KD_MMAP, W + 24 * P, 3 * P, RW, SH | FIX, F_TMPFILE, 0);
	STEP(KD_MMAP, W + 28 * P, 3 * P, RW, VMS_MAP_SHARED_VALIDATE | VMS_MAP_SYNC | FIX, F_TMPFILE,
	     0);
	STEP(KD_TOUCH, W + 26 * P, 1);
	KD_END;
}

TEST(kdiff_new_mmap_flags_match)
{
	KD_BEGIN;
	/* MAP_DROPPABLE: anonymous only, not locked, not hugetlb, not a stack */
	STEP(KD_MMAP, W, 4 * P, RW, MAP_DROPPABLE | VMS_MAP_ANONYMOUS | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 4 * P, 4 * P, RW, MAP_DROPPABLE | FIX, F_A_RW, 0);
	STEP(KD_MMAP, W + 4 * P, 4 * P, RW, MAP_DROPPABLE | VMS_MAP_ANONYMOUS | VMS_MAP_LOCKED | FIX,
	     NOFD, 0);
	STEP(KD_MMAP, W + 4 * P, 4 * P, RW,
	     MAP_DROPPABLE | VMS_MAP_ANONYMOUS | VMS_MAP_GROWSDOWN | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 4 * P, 2 * MB, RW,
	     MAP_DROPPABLE | VMS_MAP_ANONYMOUS | VMS_MAP_HUGETLB | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 4 * P, 4 * P, RW, PA | FIX, NOFD, 0);
	STEP(KD_MADVISE, W, 8 * P, VMS_MADV_DODUMP);
	STEP(KD_MLOCK, W, 8 * P);
	/* a written droppable block collapses like private anonymous memory
	 * (fixed seed 548585746627566) */
	STEP(KD_MMAP, W + 4 * MB, 4 * MB, RW, MAP_DROPPABLE | VMS_MAP_ANONYMOUS | FIX, NOFD, 0);
	STEP(KD_MADVISE, W + 4 * MB, 2 * MB, VMS_MADV_COLLAPSE);
	STEP(KD_MADVISE, W + 4 * MB, P, VMS_MADV_POPULATE_WRITE);
	STEP(KD_MADVISE, W + 4 * MB, 2 * MB, VMS_MADV_COLLAPSE);
	STEP(KD_MADVISE, W + 4 * MB, 2 * MB, VMS_MADV_KEEPONFORK);
	STEP(KD_MUNMAP, W + 4 * MB, 4 * MB);
	/* MAP_SHARED_VALIDATE: unknown bits (0x200, bit 31) EOPNOTSUPP; the
	 * legacy mask's bits pass; anonymous is EINVAL whatever the bits */
	STEP(KD_MMAP, W + 16 * P, P, R, VMS_MAP_SHARED_VALIDATE | 0x200 | FIX, F_A_RO, 0);
	STEP(KD_MMAP, W + 16 * P, P, R, VMS_MAP_SHARED_VALIDATE | 0x80000000ULL | FIX, F_A_RO, 0);
	STEP(KD_MMAP, W + 16 * P, P, R, VMS_MAP_SHARED_VALIDATE | VMS_MAP_SYNC | FIX, F_A_RO, 0);
	STEP(KD_MMAP, W + 16 * P, P, R, VMS_MAP_SHARED_VALIDATE | VMS_MAP_UNINITIALIZED | FIX,
	     F_A_RO, 0);
	STEP(KD_MMAP, W + 16 * P, P, R, VMS_MAP_SHARED_VALIDATE | 0x80 | FIX, F_A_RO, 0);
	STEP(KD_MMAP, W + 16 * P, P, R, VMS_MAP_SHARED_VALIDATE | VMS_MAP_ANONYMOUS | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 16 * P, P, R, VMS_MAP_SHARED | 0x200 | 0x80000000ULL | FIX, F_A_RO, 0);
	STEP(KD_MMAP, W + 17 * P, P, RW, PA | VMS_MAP_UNINITIALIZED | FIX, NOFD, 0);
	/* MAP_HUGETLB with each MAP_HUGE_* size: the pool is empty, so only
	 * MAP_NORESERVE maps, and sizes the kernel lacks are EINVAL */
	STEP(KD_MMAP, W + 2 * MB, 2 * MB, RW, PA | VMS_MAP_HUGETLB | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 2 * MB, 2 * MB, RW, PA | VMS_MAP_HUGETLB | VMS_MAP_NORESERVE | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 4 * MB, 2 * MB, RW,
	     SA | VMS_MAP_HUGETLB | VMS_MAP_HUGE_2MB | VMS_MAP_NORESERVE | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 8 * MB, 2 * MB, RW,
	     PA | VMS_MAP_HUGETLB | VMS_MAP_HUGE_1GB | VMS_MAP_NORESERVE | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 8 * MB, 2 * MB, RW,
	     PA | VMS_MAP_HUGETLB | (16ULL << 26) | VMS_MAP_NORESERVE | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 8 * MB, 2 * MB, RW,
	     PA | VMS_MAP_HUGETLB | (63ULL << 26) | VMS_MAP_NORESERVE | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 8 * MB, 2 * MB, RW, PR | VMS_MAP_HUGETLB | FIX, F_A_RW, 0);
	STEP(KD_TOUCH, W + 2 * MB, 1);
	/* MAP_32BIT, MAP_STACK, MAP_ABOVE4G's top-down floor */
	if (!kd.contained) {
		STEP(KD_MMAP, 0, P, RW, PA | VMS_MAP_32BIT, NOFD, 0);
		STEP(KD_MMAP, 0, 2 * P, RW, PA | VMS_MAP_32BIT | VMS_MAP_STACK, NOFD, 0);
		STEP(KD_MMAP, 0, 4 * MB, RW, PA | VMS_MAP_STACK, NOFD, 0);
		STEP(KD_MMAP, 0x10000, P, R, PA | 0x80, NOFD, 0);
		STEP(KD_MMAP, 0, P, R, PA | 0x80, NOFD, 0);
	}
	KD_END;
}
