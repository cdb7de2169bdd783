/*
 * test_kdiff.c: differential tests against the live kernel (see kdiff.h).
 * A few short fixed sequences that are easy to debug, then random call
 * streams from fixed seeds and from seeds derived from the commit. Every test skips (with the
 * reason) where the kernel cannot be used.
 *
 * Not for: rules of the model that the kernel cannot show through maps,
 * status or return values (those have their own unit tests).
 *
 * Nothing here depends on the clock: the same commit runs the same calls
 * (KDIFF_COMMIT, set by scripts/test.sh, picks the commit's seeds).
 * Knobs (environment): KDIFF_SEED=n [KDIFF_CALLS=n] reruns one seed in
 * kdiff_commit_seeds; KDIFF_VERBOSE=1 prints every call; KDIFF_SHRINK_SECS
 * bounds the reproducer search; KDIFF_NO_STATUS=1 compares maps only;
 * KDIFF_SKIP_OPS=madvise,touch,fd9,sync,above,guard,... leaves call kinds
 * out of random runs (see op_skipped() in kdiff.c);
 * KDIFF_SKIP=1 skips them all.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../cli/kdiff.h"
#include "kd_steps.h"
#include "t.h"

#define P 4096ULL
#define MB (1ULL << 20)
#define R VMS_PROT_READ
#define RW (VMS_PROT_READ | VMS_PROT_WRITE)
#define RX (VMS_PROT_READ | VMS_PROT_EXEC)
#define PA (VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS)
#define SA (VMS_MAP_SHARED | VMS_MAP_ANONYMOUS)
#define FIX VMS_MAP_FIXED
#define NOFD KD_FD_NONE

/* The helper's files (kdiff.c file_specs order). */
enum { F_A_RO, F_A_RW, F_A_RO2, F_B_RO, F_B_RW, F_C_RW, F_E_RO, F_D_RW, F_A_WO, F_A_APP, F_DIR };


TEST(kdiff_import_matches)
{
	KD_BEGIN;
	KD_END;
}

/* Under ASan the kernel's own placements land next to ASan's mappings,
 * whose VM_NORESERVE/VM_DONTDUMP do not show in maps (see kd->contained). */
#define SKIP_IF_CONTAINED                                                                          \
	do {                                                                                       \
		if (kd.contained) {                                                                \
			kd_stop(&kd);                                                              \
			t_skip("under ASan: top-down placements would touch ASan's own "           \
			       "mappings, whose vm_flags maps does not show");                     \
			return;                                                                    \
		}                                                                                  \
	} while (0)

TEST(kdiff_topdown_sequence_matches)
{
	KD_BEGIN;
	SKIP_IF_CONTAINED;
	STEP(KD_MMAP, 0, 3 * P, RW, PA, NOFD, 0);
	uint64_t a1 = (uint64_t)res;
	STEP(KD_MMAP, 0, 5 * P, R, PA, NOFD, 0);
	uint64_t a2 = (uint64_t)res;
	STEP(KD_MMAP, 0, 2 * P, RW, SA, NOFD, 0);
	STEP(KD_MMAP, 0, 4 * P, R, VMS_MAP_PRIVATE, F_A_RO, 0);
	STEP(KD_MMAP, 0, 4 * P, R, VMS_MAP_PRIVATE, F_A_RO, 4 * P);
	STEP(KD_MMAP, 0, 2 * MB, RW, PA, NOFD, 0);
	STEP(KD_MMAP, 0, 4 * MB + P, RW, PA, NOFD, 0);
	STEP(KD_MUNMAP, a2, 5 * P);
	STEP(KD_MMAP, 0, 5 * P, RW, PA, NOFD, 0);
	STEP(KD_MMAP, 0, 2 * P, RX, PA, NOFD, 0);
	STEP(KD_MUNMAP, a1, 3 * P);
	STEP(KD_MMAP, 0, P, RW, PA, NOFD, 0);
	STEP(KD_MMAP, W + 0x1234, P, RW, PA, NOFD, 0);
	STEP(KD_MMAP, W + 0x1234, P, RW, PA, NOFD, 0);
	STEP(KD_MMAP, 0x1000, P, R, PA, NOFD, 0);
	STEP(KD_MMAP, 0x2345, P, R, PA, NOFD, 0);
	STEP(KD_MMAP, 1ULL << 47, P, R, PA, NOFD, 0);
	STEP(KD_MMAP, 0, P, R, PA | VMS_MAP_32BIT, NOFD, 0);
	STEP(KD_MMAP, 0, 3 * P, RW, PA | VMS_MAP_GROWSDOWN, NOFD, 0);
	STEP(KD_MMAP, 0, P, RW, PA, NOFD, 0);
	STEP(KD_MMAP, 0, 0, RW, PA, NOFD, 0);
	STEP(KD_MMAP, 0, P, RW, VMS_MAP_ANONYMOUS, NOFD, 0);
	STEP(KD_MMAP, 0, 1ULL << 46, RW, PA, NOFD, 0);
	STEP(KD_MMAP, 0, 1ULL << 40, R, PA | VMS_MAP_NORESERVE, NOFD, 0);
	KD_END;
}

TEST(kdiff_brk_grow_shrink_matches)
{
	KD_BEGIN;
	STEP(KD_BRK, 0);
	uint64_t b0 = (uint64_t)res;
	STEP(KD_BRK, b0 + 0x21000);
	STEP(KD_BRK, b0 + 0x21000 + 123);
	STEP(KD_TOUCH, b0 + 0x100, 1);
	STEP(KD_BRK, b0 + 0x10000);
	STEP(KD_BRK, kd.start_brk - P);
	STEP(KD_BRK, kd.start_brk);
	STEP(KD_BRK, b0 + 64 * MB);
	STEP(KD_BRK, b0 + 0x3000);
	STEP(KD_PRLIMIT, VMS_RLIMIT_DATA, 0, VMS_RLIM_INFINITY, 0);
	STEP(KD_BRK, b0 + 0x8000);
	STEP(KD_PRLIMIT, VMS_RLIMIT_DATA, VMS_RLIM_INFINITY, VMS_RLIM_INFINITY, 0);
	STEP(KD_BRK, b0 + 0x8000);
	/* a mapping in the way of the heap */
	STEP(KD_MMAP, b0 + 0x10000, P, R, PA | FIX, NOFD, 0);
	STEP(KD_BRK, b0 + 0x10000);
	STEP(KD_BRK, b0 + 0x9000);
	STEP(KD_MUNMAP, b0 + 0x10000, P);
	STEP(KD_BRK, b0 + 0x20000);
	STEP(KD_MPROTECT, b0 + 0x4000, P, R);
	STEP(KD_BRK, b0 + 0x2000);
	STEP(KD_BRK, UINT64_MAX - P);
	STEP(KD_BRK, 0);
	KD_END;
}

TEST(kdiff_fixed_split_matches)
{
	KD_BEGIN;
	STEP(KD_MMAP, W, 16 * P, RW, PA | FIX, NOFD, 0);
	STEP(KD_MPROTECT, W + 4 * P, 4 * P, R);
	STEP(KD_MPROTECT, W + 4 * P, 4 * P, RW);
	STEP(KD_MADVISE, W + 2 * P, 2 * P, VMS_MADV_DONTFORK);
	STEP(KD_MADVISE, W + 2 * P, 2 * P, VMS_MADV_DOFORK);
	STEP(KD_MUNMAP, W + 6 * P, 2 * P);
	STEP(KD_MMAP, W + 6 * P, 2 * P, R, PA | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 5 * P, 4 * P, RW, PA | FIX, NOFD, 0);
	STEP(KD_MMAP, W, 16 * P, R, PA | VMS_MAP_FIXED_NOREPLACE, NOFD, 0);
	STEP(KD_TOUCH, W, 1);
	STEP(KD_MPROTECT, W, 16 * P, R);
	STEP(KD_MPROTECT, W, 16 * P, RW);
	STEP(KD_MMAP, W + 16 * P, 4 * P, RW, PA | FIX, NOFD, 0);
	STEP(KD_MPROTECT, W + 3 * P, P, R | VMS_PROT_GROWSDOWN);
	STEP(KD_MPROTECT, W + 3 * P + 1, P, R);
	STEP(KD_MPROTECT, W + 3 * P, P, 0x10);
	STEP(KD_MADVISE, W, 32 * P, VMS_MADV_HUGEPAGE);
	STEP(KD_MADVISE, W + P, P, VMS_MADV_WIPEONFORK);
	STEP(KD_MADVISE, W + P, P, VMS_MADV_DONTDUMP);
	STEP(KD_MADVISE, W + P, P, VMS_MADV_DONTNEED);
	STEP(KD_MADVISE, W + P, P, 5);
	STEP(KD_MUNMAP, W + P, 14 * P);
	STEP(KD_MUNMAP, W + P + 1, P);
	STEP(KD_MUNMAP, W, 64 * P);
	KD_END;
}

TEST(kdiff_file_mappings_match)
{
	KD_BEGIN;
	STEP(KD_MMAP, W, 4 * P, R, VMS_MAP_PRIVATE | FIX, F_A_RO, 0);
	STEP(KD_MMAP, W + 4 * P, 4 * P, R, VMS_MAP_PRIVATE | FIX, F_A_RO, 4 * P);
	STEP(KD_MMAP, W + 8 * P, 4 * P, R, VMS_MAP_PRIVATE | FIX, F_A_RO2, 8 * P);
	STEP(KD_MMAP, W + 12 * P, 4 * P, R, VMS_MAP_PRIVATE | FIX, F_A_RO2, 0);
	STEP(KD_MMAP, W + 16 * P, 4 * P, RW, VMS_MAP_SHARED | FIX, F_B_RW, 0);
	STEP(KD_MMAP, W + 20 * P, 4 * P, RW, VMS_MAP_SHARED | FIX, F_A_RO, 0);
	STEP(KD_MMAP, W + 20 * P, 4 * P, R, VMS_MAP_SHARED | FIX, F_A_RO, 0);
	STEP(KD_MPROTECT, W + 20 * P, 4 * P, RW);
	STEP(KD_MMAP, W + 24 * P, 4 * P, R, VMS_MAP_PRIVATE | FIX, F_A_WO, 0);
	STEP(KD_MMAP, W + 24 * P, 4 * P, RW, VMS_MAP_SHARED | FIX, F_A_APP, 0);
	STEP(KD_MMAP, W + 24 * P, 4 * P, R, VMS_MAP_PRIVATE | FIX, F_DIR, 0);
	STEP(KD_MMAP, W + 24 * P, 4 * P, R, VMS_MAP_PRIVATE | FIX, KD_FD_BAD, 0);
	STEP(KD_MMAP, W + 24 * P, 4 * P, R, VMS_MAP_PRIVATE | FIX, F_E_RO, 0);
	STEP(KD_MMAP, W + 28 * P, 4 * P, RW, VMS_MAP_SHARED | FIX, F_D_RW, 0);
	STEP(KD_MMAP, W + 32 * P, 4 * P, RW, VMS_MAP_PRIVATE | FIX, F_C_RW, 0x123);
	STEP(KD_MMAP, W + 32 * P, 4 * P, RW, VMS_MAP_PRIVATE | FIX, F_C_RW, (1ULL << 62));
	STEP(KD_MMAP, W + 32 * P, 4 * P, RW, VMS_MAP_SHARED_VALIDATE | VMS_MAP_SYNC | FIX, F_C_RW,
	     0);
	STEP(KD_MMAP, W + 32 * P, 4 * P, RW, VMS_MAP_PRIVATE | FIX, F_C_RW, 0);
	STEP(KD_TOUCH, W + 33 * P, 1);
	STEP(KD_TOUCH, W + P, 0);
	STEP(KD_TOUCH, W + 16 * P, 1);
	STEP(KD_MPROTECT, W + 4 * P, 2 * P, RW);
	STEP(KD_MPROTECT, W + 4 * P, 2 * P, R);
	STEP(KD_MUNMAP, W + 2 * P, 4 * P);
	STEP(KD_MREMAP, W + 8 * P, 4 * P, 8 * P, VMS_MREMAP_MAYMOVE, 0);
	STEP(KD_MREMAP, W + 16 * P, 0, 4 * P, VMS_MREMAP_MAYMOVE, 0);
	KD_END;
}

TEST(kdiff_mremap_matches)
{
	KD_BEGIN;
	STEP(KD_MMAP, W, 8 * P, RW, PA | FIX, NOFD, 0);
	STEP(KD_MREMAP, W, 8 * P, 4 * P, 0, 0);
	STEP(KD_MREMAP, W, 4 * P, 8 * P, 0, 0);
	STEP(KD_MMAP, W + 8 * P, P, R, PA | FIX, NOFD, 0);
	STEP(KD_MREMAP, W, 8 * P, 16 * P, 0, 0);
	STEP(KD_MREMAP, W, 8 * P, 16 * P, VMS_MREMAP_MAYMOVE, 0);
	uint64_t m = (uint64_t)res;
	STEP(KD_MREMAP, m, 16 * P, 16 * P, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED, W + 64 * P);
	STEP(KD_TOUCH, W + 64 * P, 1);
	STEP(KD_MREMAP, W + 64 * P, 4 * P, 4 * P,
	     VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED | VMS_MREMAP_DONTUNMAP, W + 128 * P);
	STEP(KD_MREMAP, W + 68 * P, 4 * P, 4 * P, VMS_MREMAP_MAYMOVE | VMS_MREMAP_DONTUNMAP, 0);
	STEP(KD_MREMAP, W + 72 * P, 4 * P, 8 * P, VMS_MREMAP_FIXED, W);
	STEP(KD_MREMAP, W + 72 * P, 4 * P, 8 * P, 8, 0);
	STEP(KD_MREMAP, W + 72 * P + 1, 4 * P, 8 * P, 0, 0);
	STEP(KD_MREMAP, W + 72 * P, 0, 8 * P, VMS_MREMAP_MAYMOVE, 0);
	STEP(KD_MREMAP, W + 72 * P, 4 * P, 0, 0, 0);
	STEP(KD_MREMAP, W + 70 * P, 8 * P, 2 * P, 0, 0);
	STEP(KD_MMAP, W + 256 * P, 4 * P, RW, SA | FIX, NOFD, 0);
	STEP(KD_MREMAP, W + 256 * P, 0, 4 * P, VMS_MREMAP_MAYMOVE, 0);
	STEP(KD_MREMAP, W + 256 * P, 4 * P, 8 * P, VMS_MREMAP_MAYMOVE, 0);
	KD_END;
}

TEST(kdiff_growsdown_matches)
{
	KD_BEGIN;
	const uint64_t G = W + 64 * MB;
	STEP(KD_MMAP, G, 4 * P, RW, PA | VMS_MAP_GROWSDOWN | FIX, NOFD, 0);
	STEP(KD_TOUCH, G - P, 1);
	STEP(KD_TOUCH, G - 300 * P, 0);
	STEP(KD_MMAP, G - 2 * MB, P, RW, PA | FIX, NOFD, 0);
	STEP(KD_TOUCH, G - 2 * MB + 300 * P, 1);
	STEP(KD_MPROTECT, G - 200 * P, P, R | VMS_PROT_GROWSDOWN);
	if (!kd.contained) {
		STEP(KD_MMAP, 0, 2 * P, RW, PA | VMS_MAP_GROWSDOWN, NOFD, 0);
		STEP(KD_MMAP, 0, 2 * P, RW, PA, NOFD, 0);
	}
	STEP(KD_PRLIMIT, VMS_RLIMIT_STACK, 8 * MB, VMS_RLIM_INFINITY, 0);
	STEP(KD_PRLIMIT, VMS_RLIMIT_AS, 0, 0, 1);
	STEP(KD_MUNMAP, G - 2 * MB, 2 * MB + 4 * P);
	KD_END;
}

TEST(kdiff_rlimits_match)
{
	KD_BEGIN;
	STEP(KD_PRLIMIT, VMS_RLIMIT_AS, 0, 0, 1);
	STEP(KD_PRLIMIT, VMS_RLIMIT_AS, 1ULL << 40, VMS_RLIM_INFINITY, 0);
	STEP(KD_MMAP, 0, 1ULL << 41, R, PA, NOFD, 0);
	STEP(KD_PRLIMIT, VMS_RLIMIT_DATA, 64 * P, 32 * P, 0);
	STEP(KD_PRLIMIT, VMS_RLIMIT_DATA, 64 * P, VMS_RLIM_INFINITY, 0);
	STEP(KD_MMAP, W, 65 * P, RW, PA | FIX, NOFD, 0);
	STEP(KD_MMAP, W, 65 * P, R, PA | FIX, NOFD, 0);
	STEP(KD_MPROTECT, W, 65 * P, RW);
	STEP(KD_MMAP, W, 65 * P, RW, SA | FIX, NOFD, 0);
	STEP(KD_PRLIMIT, VMS_RLIMIT_DATA, VMS_RLIM_INFINITY, VMS_RLIM_INFINITY, 0);
	STEP(KD_PRLIMIT, VMS_RLIMIT_MEMLOCK, 4 * P, 4 * P, 0);
	STEP(KD_MMAP, W + MB, 8 * P, RW, PA | FIX | VMS_MAP_LOCKED, NOFD, 0);
	STEP(KD_MLOCK, W + 2 * MB, P);
	STEP(KD_MUNLOCK, W + MB, 8 * P);
	STEP(KD_PRLIMIT, 16, 0, 0, 0);
	STEP(KD_ANON_NAME, W + MB, P);
	KD_END;
}

/* mm/huge_memory.c __thp_vma_allowable_orders() for MADV_COLLAPSE: the
 * size check wraps for a VMA smaller than a PMD at address 0 (found by a
 * commit seed), and an anonymous VMA's pgoff need not line up (after mremap
 * it does not). */
TEST(kdiff_collapse_suitability_matches)
{
	KD_BEGIN;
	SKIP_IF_CONTAINED;
	STEP(KD_MMAP, 0, 3 * P, VMS_PROT_WRITE, SA | VMS_MAP_FIXED_NOREPLACE, NOFD, 0);
	STEP(KD_MADVISE, 0, 0x4b2c, VMS_MADV_COLLAPSE);
	STEP(KD_MUNMAP, 0, 3 * P);
	uint64_t w = (W + 2 * MB - 1) & ~(2 * MB - 1);
	STEP(KD_MMAP, w, 4 * MB, RW, PA | FIX, NOFD, 0);
	STEP(KD_TOUCH, w + 2 * MB, 1);
	STEP(KD_MREMAP, w, 4 * MB, 4 * MB, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED,
	     w + 8 * MB + 64 * P);
	STEP(KD_MADVISE, w + 8 * MB + 64 * P, 4 * MB, VMS_MADV_COLLAPSE);
	KD_END;
}

/* mm/mseal.c and the refusals a seal adds: split and merge of VM_SEALED,
 * argument checks, holes, then munmap, mprotect, MAP_FIXED, mremap (source,
 * target, shrink), the discarding advice on read-only anonymous memory,
 * flag advice and mlock on sealed VMAs, and brk over a sealed heap. */
TEST(kdiff_mseal_matches)
{
	KD_BEGIN;
	STEP(KD_MMAP, W, 8 * P, RW, PA | FIX, NOFD, 0);
	STEP(KD_MSEAL, W + P, 2 * P, 0);
	STEP(KD_MSEAL, W + 3 * P, P, 0);
	STEP(KD_MSEAL, W, P, 1);
	STEP(KD_MSEAL, W + 1, P, 0);
	STEP(KD_MSEAL, W, 9 * P, 0);
	STEP(KD_MSEAL, W - P, 2 * P, 0);
	STEP(KD_MSEAL, W, (uint64_t)-4095, 0);
	STEP(KD_MSEAL, W, 0, 0);
	STEP(KD_MUNMAP, W + P, P);
	STEP(KD_MUNMAP, W + 6 * P, 4 * P);
	STEP(KD_MUNMAP, W + 5 * P, P);
	STEP(KD_MPROTECT, W + P, P, RW);
	STEP(KD_MPROTECT, W, 2 * P, R);
	STEP(KD_MMAP, W + P, P, R, PA | FIX, NOFD, 0);
	STEP(KD_MMAP, W + P, P, R, PA | VMS_MAP_FIXED_NOREPLACE, NOFD, 0);
	STEP(KD_MREMAP, W + P, P, 2 * P, 0, 0);
	STEP(KD_MREMAP, W + P, P, P, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED, W + 64 * P);
	STEP(KD_MREMAP, W + 4 * P, P, P, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED, W + 2 * P);
	STEP(KD_MREMAP, W, 8 * P, P, 0, 0);
	STEP(KD_MADVISE, W + P, 3 * P, VMS_MADV_DONTNEED);
	STEP(KD_MADVISE, W + 2 * P, P, VMS_MADV_RANDOM);
	STEP(KD_MLOCK, W + P, P);
	STEP(KD_MUNLOCK, W + P, P);
	STEP(KD_MADVISE, W + 2 * P, P, VMS_MADV_NORMAL);
	/* read-only anonymous memory: the discarding advice is refused */
	STEP(KD_MMAP, W + 16 * P, 4 * P, R, PA | FIX, NOFD, 0);
	STEP(KD_TOUCH, W + 16 * P, 0);
	STEP(KD_MSEAL, W + 16 * P, 4 * P, 0);
	STEP(KD_MADVISE, W + 16 * P, 4 * P, VMS_MADV_DONTNEED);
	STEP(KD_MADVISE, W + 16 * P, 4 * P, VMS_MADV_FREE);
	STEP(KD_MADVISE, W + 16 * P, 4 * P, VMS_MADV_DONTFORK);
	STEP(KD_MADVISE, W + 16 * P, 4 * P, VMS_MADV_WIPEONFORK);
	STEP(KD_MADVISE, W + 16 * P, 4 * P, VMS_MADV_GUARD_INSTALL);
	STEP(KD_MADVISE, W + 16 * P, 4 * P, VMS_MADV_DONTNEED_LOCKED);
	STEP(KD_MADVISE, W + 17 * P, P, VMS_MADV_DONTDUMP);
	STEP(KD_MINCORE, W + 16 * P, 4 * P, KD_VEC_BUF);
	/* a shared file mapping may discard */
	STEP(KD_MMAP, W + 32 * P, 4 * P, R, VMS_MAP_SHARED | FIX, F_B_RW, 0);
	STEP(KD_MSEAL, W + 32 * P, 4 * P, 0);
	STEP(KD_MADVISE, W + 32 * P, 4 * P, VMS_MADV_DONTNEED);
	STEP(KD_MSYNC, W + 32 * P, 4 * P, VMS_MS_SYNC);
	STEP(KD_REMAP_FILE_PAGES, W + 32 * P, P, 0, 3, 0);
	/* the heap */
	STEP(KD_BRK, 0);
	uint64_t b0 = (uint64_t)res;
	STEP(KD_BRK, b0 + 8 * P);
	STEP(KD_MSEAL, (b0 + P - 1) & ~(P - 1), 4 * P, 0);
	STEP(KD_BRK, b0 + 2 * P);
	STEP(KD_BRK, b0 + 6 * P);
	STEP(KD_BRK, b0 + 12 * P);
	STEP(KD_BRK, b0 + 3 * P);
	KD_END;
}

/* mm/msync.c: flags, alignment, length rounding, holes, and MS_INVALIDATE
 * of locked memory, on shared and private file memory and anonymous memory. */
TEST(kdiff_msync_matches)
{
	KD_BEGIN;
	STEP(KD_MMAP, W, 4 * P, RW, VMS_MAP_SHARED | FIX, F_A_RW, 0);
	STEP(KD_TOUCH, W, 1);
	STEP(KD_MMAP, W + 5 * P, 4 * P, RW, PA | FIX, NOFD, 0);
	STEP(KD_MMAP, W + 9 * P, 4 * P, RW, VMS_MAP_PRIVATE | FIX, F_B_RW, 0);
	STEP(KD_MLOCK, W + 5 * P, P);
	static const uint64_t fl[] = {0, VMS_MS_ASYNC, VMS_MS_SYNC, VMS_MS_INVALIDATE,
				      VMS_MS_ASYNC | VMS_MS_INVALIDATE,
				      VMS_MS_SYNC | VMS_MS_INVALIDATE, VMS_MS_ASYNC | VMS_MS_SYNC, 8};
	for (size_t i = 0; i < sizeof(fl) / sizeof(fl[0]); i++) {
		STEP(KD_MSYNC, W, 4 * P, fl[i]);
		STEP(KD_MSYNC, W, 13 * P, fl[i]);
		STEP(KD_MSYNC, W + 6 * P, 7 * P, fl[i]);
		STEP(KD_MSYNC, W - P, 2 * P, fl[i]);
		STEP(KD_MSYNC, W + 4 * P, P, fl[i]);
		STEP(KD_MSYNC, W + 1, P, fl[i]);
	}
	STEP(KD_MSYNC, W, (uint64_t)-1, VMS_MS_SYNC);
	STEP(KD_MSYNC, W, (uint64_t)-4096, VMS_MS_SYNC);
	STEP(KD_MSYNC, 0xfffffffffffff000ULL, 2 * P, VMS_MS_SYNC);
	STEP(KD_MSYNC, 0x7ffffffff000ULL, P, VMS_MS_ASYNC);
	STEP(KD_MSYNC, 0, 0, 0);
	KD_END;
}

/* mm/mincore.c and what it shows of residency: the zero page, written
 * pages, MADV_FREE then a write or a read then MADV_PAGEOUT, DONTNEED, guard
 * markers, PROT_NONE, MAP_POPULATE, mlock of read-only memory, mremap of a
 * lazily freed page; holes, the vector's NULL, past user space. */
TEST(kdiff_mincore_matches)
{
	KD_BEGIN;
	STEP(KD_MMAP, W, 16 * P, RW, PA | FIX, NOFD, 0);
	STEP(KD_MINCORE, W, 16 * P, KD_VEC_BUF);
	STEP(KD_TOUCH, W + P, 0);
	for (int i = 2; i < 12; i++)
		STEP(KD_TOUCH, W + (uint64_t)i * P, 1);
	STEP(KD_MINCORE, W, 16 * P, KD_VEC_BUF);
	STEP(KD_MADVISE, W + 2 * P, 8 * P, VMS_MADV_FREE);
	STEP(KD_MINCORE, W, 16 * P, KD_VEC_BUF);
	STEP(KD_TOUCH, W + 3 * P, 1);
	STEP(KD_TOUCH, W + 4 * P, 0);
	STEP(KD_MADVISE, W + 5 * P, P, VMS_MADV_POPULATE_WRITE);
	STEP(KD_MADVISE, W + 6 * P, P, VMS_MADV_POPULATE_READ);
	STEP(KD_MADVISE, W + 7 * P, P, VMS_MADV_COLD);
	STEP(KD_MREMAP, W + 9 * P, P, P, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED, W + 64 * P);
	STEP(KD_MADVISE, W, 16 * P, VMS_MADV_PAGEOUT);
	STEP(KD_MADVISE, W + 64 * P, P, VMS_MADV_PAGEOUT);
	STEP(KD_MINCORE, W, 16 * P, KD_VEC_BUF);
	STEP(KD_MINCORE, W + 64 * P, P, KD_VEC_BUF);
	STEP(KD_MADVISE, W + 10 * P, P, VMS_MADV_GUARD_INSTALL);
	STEP(KD_MPROTECT, W + 11 * P, P, VMS_PROT_NONE);
	STEP(KD_MADVISE, W + 3 * P, P, VMS_MADV_DONTNEED);
	STEP(KD_MINCORE, W, 16 * P, KD_VEC_BUF);
	STEP(KD_MINCORE, W, 17 * P, KD_VEC_BUF);
	STEP(KD_MINCORE, W + P, 3 * P + 5, KD_VEC_BUF);
	STEP(KD_MINCORE, W, 1, KD_VEC_BUF);
	STEP(KD_MINCORE, W + 1, P, KD_VEC_BUF);
	STEP(KD_MINCORE, W - P, 2 * P, KD_VEC_BUF);
	STEP(KD_MINCORE, W, P, KD_VEC_NULL);
	STEP(KD_MINCORE, W - P, P, KD_VEC_NULL);
	STEP(KD_MINCORE, W, 0, KD_VEC_BUF);
	STEP(KD_MINCORE, 0x7ffffffff000ULL, 0, KD_VEC_BUF);
	STEP(KD_MINCORE, 0x800000000000ULL, 0, KD_VEC_BUF);
	STEP(KD_MINCORE, W, 0x7ffffffff000ULL - W + 1, KD_VEC_NULL);
	STEP(KD_MINCORE, W, (uint64_t)-1, KD_VEC_NULL);
	/* populate and lock: the zero page for read-only memory, pages of
	 * their own for writable memory; droppable pages go at pageout */
	STEP(KD_MMAP, W + 32 * P, 4 * P, R, PA | FIX | VMS_MAP_POPULATE, NOFD, 0);
	STEP(KD_MMAP, W + 40 * P, 4 * P, RW, PA | FIX | VMS_MAP_POPULATE, NOFD, 0);
	STEP(KD_MMAP, W + 48 * P, 4 * P, R, PA | FIX, NOFD, 0);
	STEP(KD_MLOCK, W + 48 * P, 2 * P);
	STEP(KD_MMAP, W + 56 * P, 4 * P, RW, 0x08 /* MAP_DROPPABLE */ | VMS_MAP_ANONYMOUS | FIX,
	     NOFD, 0);
	STEP(KD_TOUCH, W + 56 * P, 1);
	STEP(KD_TOUCH, W + 57 * P, 0);
	STEP(KD_MADVISE, W + 56 * P, 4 * P, VMS_MADV_PAGEOUT);
	STEP(KD_MINCORE, W + 32 * P, 28 * P, KD_VEC_BUF);
	/* file and shared memory: pages this mm maps are resident */
	STEP(KD_MMAP, W + 128 * P, 8 * P, RW, VMS_MAP_SHARED | FIX, F_C_RW, 0);
	STEP(KD_TOUCH, W + 129 * P, 1);
	STEP(KD_MMAP, W + 136 * P, 8 * P, RW, SA | FIX | VMS_MAP_POPULATE, NOFD, 0);
	STEP(KD_MADVISE, W + 137 * P, P, VMS_MADV_DONTNEED);
	STEP(KD_MINCORE, W + 128 * P, 16 * P, KD_VEC_BUF);
	KD_END;
}

/* mm/mmap.c remap_file_pages(): argument checks, the shared VMA it needs,
 * ranges over VMAs of one file and flags, shared anonymous memory, a locked
 * VMA, and a seal. */
TEST(kdiff_remap_file_pages_matches)
{
	KD_BEGIN;
	STEP(KD_MMAP, W, 8 * P, RW, VMS_MAP_SHARED | FIX, F_A_RW, 0);
	STEP(KD_REMAP_FILE_PAGES, W, 2 * P, 0, 5, 0);
	STEP(KD_REMAP_FILE_PAGES, W + P + 7, 2 * P + 100, 0, 9, 0);
	STEP(KD_REMAP_FILE_PAGES, W, 2 * P, VMS_PROT_READ, 5, 0);
	STEP(KD_REMAP_FILE_PAGES, W, 100, 0, 5, 0);
	STEP(KD_REMAP_FILE_PAGES, W, 2 * P, 0, (uint64_t)-1, 0);
	STEP(KD_REMAP_FILE_PAGES, W + 7 * P, 2 * P, 0, 1, 0);
	STEP(KD_REMAP_FILE_PAGES, W - P, 2 * P, 0, 1, 0);
	STEP(KD_REMAP_FILE_PAGES, W, 8 * P, 0, 0, 0);
	STEP(KD_REMAP_FILE_PAGES, W, 8 * P, 0, 60, VMS_MAP_NONBLOCK);
	STEP(KD_MMAP, W + 16 * P, 4 * P, RW, VMS_MAP_PRIVATE | FIX, F_A_RW, 0);
	STEP(KD_REMAP_FILE_PAGES, W + 16 * P, P, 0, 1, 0);
	STEP(KD_MMAP, W + 24 * P, 4 * P, R, VMS_MAP_SHARED | FIX, F_A_RO, 0);
	STEP(KD_REMAP_FILE_PAGES, W + 24 * P, P, 0, 1, 0);
	STEP(KD_MMAP, W + 32 * P, 4 * P, RW, SA | FIX, NOFD, 0);
	STEP(KD_REMAP_FILE_PAGES, W + 32 * P, P, 0, 3, 0);
	STEP(KD_MMAP, W + 40 * P, 4 * P, RW, VMS_MAP_SHARED | FIX, F_C_RW, 0);
	STEP(KD_MMAP, W + 44 * P, 4 * P, RW, VMS_MAP_SHARED | FIX, F_C_RW, 20 * P);
	STEP(KD_REMAP_FILE_PAGES, W + 42 * P, 4 * P, 0, 30, 0);
	STEP(KD_MADVISE, W + 40 * P, 2 * P, VMS_MADV_RANDOM);
	STEP(KD_REMAP_FILE_PAGES, W + 40 * P, 4 * P, 0, 30, 0);
	STEP(KD_MLOCK, W + 46 * P, 2 * P);
	STEP(KD_REMAP_FILE_PAGES, W + 46 * P, P, 0, 0, 0);
	STEP(KD_MPROTECT, W + 47 * P, P, R);
	STEP(KD_REMAP_FILE_PAGES, W + 47 * P, P, 0, 0, 0xff00000);
	STEP(KD_MSEAL, W, P, 0);
	STEP(KD_REMAP_FILE_PAGES, W, P, 0, 3, 0);
	STEP(KD_REMAP_FILE_PAGES, 0xfffffffffffff000ULL, P, 0, 3, 0);
	KD_END;
}

/* mm/madvise.c process_madvise() on the helper itself (its pidfd and
 * PIDFD_SELF_THREAD) and lib/iov_iter.c's iovec rules, then
 * process_mrelease() of itself. */
TEST(kdiff_process_madvise_matches)
{
	KD_BEGIN;
	STEP(KD_MMAP, W, 8 * P, RW, PA | FIX, NOFD, 0);
	for (int i = 0; i < 8; i++)
		STEP(KD_TOUCH, W + (uint64_t)i * P, 1);
	struct kd_call c = {.op = KD_PROCESS_MADVISE,
			    .a = {KD_PIDFD_OWN, 4, VMS_MADV_DONTNEED, 0, KD_IOV_ARRAY}};
	c.iov[0].base = W;
	c.iov[0].len = P;
	c.iov[1].base = W + P;
	c.iov[1].len = 2 * P;
	c.iov[2].base = W + 10 * P; /* a hole: the walk stops, with 3 pages done */
	c.iov[2].len = P;
	c.iov[3].base = W + 7 * P;
	c.iov[3].len = 5;
	STEP_CALL(c);
	STEP(KD_MINCORE, W, 8 * P, KD_VEC_BUF);
	c.a[1] = 2;
	c.iov[2].base = W + 6 * P;
	c.a[0] = KD_PIDFD_SELF_THREAD;
	STEP_CALL(c); /* bytes not rounded to pages */
	c.a[2] = VMS_MADV_COLD;
	for (uint64_t kind = KD_PIDFD_BAD; kind <= KD_PIDFD_NOT; kind++) {
		c.a[0] = kind;
		STEP_CALL(c);
	}
	c.a[0] = KD_PIDFD_OWN;
	c.a[3] = 1; /* flags */
	STEP_CALL(c);
	c.a[3] = 0;
	c.a[1] = 1025;
	STEP_CALL(c);
	c.a[1] = 20; /* segments past the eighth are {0, 0} */
	STEP_CALL(c);
	c.a[1] = 3;
	c.a[4] = KD_IOV_NULL;
	STEP_CALL(c);
	c.a[4] = KD_IOV_ARRAY;
	c.a[2] = 77;
	STEP_CALL(c);
	c.a[1] = 0;
	STEP_CALL(c);
	/* empty and unaligned segments, huge lengths, a segment past user space */
	c.a[1] = 4;
	c.a[2] = VMS_MADV_DONTNEED;
	c.iov[0].base = W + 1;
	c.iov[0].len = 0;
	c.iov[1].base = W + 2 * P;
	c.iov[1].len = P;
	STEP_CALL(c);
	c.iov[0].base = W;
	c.iov[2].base = W + 3;
	c.iov[2].len = 0;
	STEP_CALL(c);
	c.iov[1].len = 0x8000000000000000ULL;
	STEP_CALL(c);
	c.iov[1].base = 0x7fffffffe000ULL;
	c.iov[1].len = 0x2000;
	STEP_CALL(c);
	c.iov[1].base = W + 4 * P;
	c.iov[1].len = 0x100000000ULL;
	STEP_CALL(c);
	c.a[1] = 1;
	c.iov[0].len = 0x7ffffffff000ULL;
	c.a[2] = VMS_MADV_COLD;
	STEP_CALL(c);
	/* every advice on itself, each on one page */
	static const int adv[] = {VMS_MADV_POPULATE_WRITE, VMS_MADV_FREE,     VMS_MADV_PAGEOUT,
				  VMS_MADV_DONTFORK,	   VMS_MADV_DOFORK,   VMS_MADV_GUARD_INSTALL,
				  VMS_MADV_WIPEONFORK,	   VMS_MADV_COLLAPSE, VMS_MADV_WILLNEED};
	c.iov[0].base = W + 5 * P;
	c.iov[0].len = P;
	for (size_t i = 0; i < sizeof(adv) / sizeof(adv[0]); i++) {
		c.a[2] = (uint64_t)adv[i];
		STEP_CALL(c);
	}
	STEP(KD_MINCORE, W, 8 * P, KD_VEC_BUF);
	STEP(KD_PROCESS_MRELEASE, KD_PIDFD_OWN, 0);
	STEP(KD_PROCESS_MRELEASE, KD_PIDFD_OWN, 1);
	STEP(KD_PROCESS_MRELEASE, KD_PIDFD_SELF_THREAD, 0);
	STEP(KD_PROCESS_MRELEASE, KD_PIDFD_BAD, 0);
	STEP(KD_PROCESS_MRELEASE, KD_PIDFD_NOT, 0);
	STEP(KD_PROCESS_MRELEASE, KD_PIDFD_BAD, 1);
	KD_END;
}

/* Seeds 1..10, and every seed that ever diverged from a kernel, with the
 * number of calls of the run it diverged in and where: a seed that diverges
 * anywhere is added here for good, so CI keeps checking it. */
static const struct {
	uint64_t seed;
	int calls;
	const char *history;
} fixed_seeds[] = {
    {1, 1000, NULL},   {2, 1000, NULL},  {3, 1000, NULL},  {4, 1000, NULL},
    {5, 1000, NULL},   {6, 1000, NULL},  {7, 1000, NULL},  {8, 1000, NULL},
    {9, 1000, NULL},   {10, 1000, NULL},
    /* vmspace verify --calls 2000 --seed 5001 --seeds 12 diverged on 6 of these
     * on a kernel whose read faults do not map the zero page (issue 11): they
     * read, then mprotect, MAP_FIXED or mremap where the anon_vma decides. */
    {5001, 2000, "zero page"}, {5002, 2000, "zero page"}, {5003, 2000, "zero page"},
    {5004, 2000, "zero page"}, {5005, 2000, "zero page"}, {5006, 2000, "zero page"},
    {5007, 2000, "zero page"}, {5008, 2000, "zero page"}, {5009, 2000, "zero page"},
    {5010, 2000, "zero page"}, {5011, 2000, "zero page"}, {5012, 2000, "zero page"},
    /* A commit seed: MADV_COLLAPSE on a small VMA at address 0 (the kernel's
     * size check wraps; kdiff_collapse_suitability_matches). Once smaps was
     * compared, it and 5002 diverged in VmFlags: munlock merging a range into
     * a guarded neighbour kept "gu" on the kernel's side only
     * (smaps_guard_flag_survives_merge_after_munlock). */
    {326019212522251ULL, 5000, "collapse at 0"},
    /* vmspace verify --calls 5000 with the shared-memory calls (issue 13):
     * a System V attach moved with its neighbour by mremap (EFAULT), ftruncate
     * past ext4's s_maxbytes, private /dev/zero's THP alignment. */
    {2, 4000, "mremap of a System V attach"},
    {6, 2500, "ftruncate EFBIG"},
    {8, 2500, "private /dev/zero alignment"},
    {548585746627566ULL, 5000, "MADV_COLLAPSE of a droppable VMA"},
    /* A commit seed under ASan: get_mempolicy of a BIND|NUMA_BALANCING
     * policy returns the user's mask (mpol_store_user_nodemask). */
    {298832991845323ULL, 5000, "balancing mask"},
    /* Commit seeds of the shm merge: msync(MS_SYNC) over a memfd_secret
     * mapping is EINVAL (secretmem has no ->fsync). */
    {494419032558155ULL, 5000, "msync of secretmem"},
    {494419032558168ULL, 5000, "msync of secretmem"},
    {494419032558173ULL, 5000, "msync of secretmem"},
    /* Commit seeds of the policy merge: System V permissions after
     * setresuid() to 1000 (ipcperms, ipcctl_obtain_check, sysctl writes). */
    {409937612669102ULL, 5000, "shmat EACCES after setresuid"},
    {409937612669109ULL, 5000, "SHM_STAT EACCES after setresuid"},
    /* lookup_node() of the zero page in an exec-only VMA: EFAULT. */
    {409937612669107ULL, 5000, "get_mempolicy node of the zero page"},
    /* A System V attach's policy is its segment's shared policy. */
    {409937612669103ULL, 5000, "policy of a moved System V attach"},
    {409937612669114ULL, 5000, "policy of a moved System V attach"},
    /* shm_next_id is 0444 but to CAP_SYS_ADMIN/CAP_CHECKPOINT_RESTORE. */
    {513764852336201ULL, 5000, "shm_next_id without CAP_SYS_ADMIN"},
    /* SHM_LOCK as uid 1000 refused by other runs' locks of uid 1000
     * (ucounts are per user): the generator's uid is now its own. */
    {513764852336192ULL, 5000, "SHM_LOCK of a shared uid"},
    /* can_madvise_modify() before MADV_DONTNEED's locked check: a sealed
     * private /dev/zero mapping is anonymous. */
    {343023380293633ULL, 5000, "discard of sealed private /dev/zero"},
    /* __import_iovec() checks each of several segments whole, then cuts. */
    {449651192395081ULL, 5000, "process_madvise iovec order"},
    /* remap_file_pages over the last attach of a removed segment closes it
     * first (vms_clean_up_area): shm_mmap() finds no segment, EINVAL, gap. */
    {417177061922651ULL, 5000, "remap_file_pages of a removed segment"},
    /* the same under ASan; and an anon_vma is shared only under an equal
     * policy (anon_vma_compatible: mpol_equal), found under ASan */
    {417177061922642ULL, 5000, "remap_file_pages of a removed segment (ASan)"},
    {417177061922648ULL, 5000, "anon_vma_compatible mpol_equal (ASan)"},
    /* gup never takes secret memory: get_mempolicy(MPOL_F_NODE|MPOL_F_ADDR)
     * in a memfd_secret mapping is EFAULT (check_vma_flags) */
    {370711670365421ULL, 5000, "get_mempolicy node of secret memory"},
};

/* The fixed seeds, the state compared after every call. */
TEST(kdiff_fixed_seeds)
{
	(void)sys;
	char why[256];
	int failed = 0, n = (int)(sizeof(fixed_seeds) / sizeof(fixed_seeds[0]));
	long calls = 0;
	for (int i = 0; i < n; i++) {
		uint64_t seed = fixed_seeds[i].seed;
		int r = kd_random_run(seed, fixed_seeds[i].calls, 1, failed < 2 ? 20.0 : 0.0, why,
				      sizeof(why));
		if (r < 0) {
			t_skip(why);
			return;
		}
		calls += fixed_seeds[i].calls;
		if (r > 0) {
			printf("    seed %" PRIu64 ": DIVERGED (see above)\n", seed);
			failed++;
		}
	}
	printf("    %d fixed seeds, %ld calls, %ld smaps VmFlags comparisons\n", n, calls,
	       kd_smaps_compared);
	if (failed)
		t_fail(__FILE__, __LINE__, "%d of %d fixed seeds diverge from the kernel", failed, n);
}

/* The base of the commit's seeds: FNV-1a of KDIFF_COMMIT (scripts/test.sh
 * sets it to the commit under test), so that the same commit runs the same
 * calls on every run and each commit new ones; without it, a fixed base. */
static uint64_t commit_seed_base(const char **commit)
{
	const char *c = getenv("KDIFF_COMMIT");
	uint64_t h = 0xcbf29ce484222325ULL;
	if (!c || !*c)
		c = "no-commit";
	for (const char *p = c; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	*commit = c;
	/* Clear of the fixed seeds and of verify's clock seeds' low range. */
	return (h >> 16) | (1ULL << 48);
}

/* 100,000 calls from seeds derived from the commit (printed; rerun one
 * with KDIFF_SEED=n [KDIFF_CALLS=n]). */
TEST(kdiff_commit_seeds)
{
	(void)sys;
	char why[256];
	int failed = 0, nseeds = 20, ncalls = 5000;
	const char *commit;
	uint64_t base = commit_seed_base(&commit);
	const char *env = getenv("KDIFF_SEED");
	if (env) {
		base = strtoull(env, NULL, 0);
		nseeds = 1;
		if (getenv("KDIFF_CALLS"))
			ncalls = atoi(getenv("KDIFF_CALLS"));
	} else {
		printf("    commit %.12s: seeds %" PRIu64 "..%" PRIu64 ", %d calls each\n", commit,
		       base, base + (uint64_t)nseeds - 1, ncalls);
	}
	for (int i = 0; i < nseeds; i++) {
		uint64_t seed = base + (uint64_t)i;
		int r = kd_random_run(seed, ncalls, 1, failed < 2 ? 20.0 : 0.0, why, sizeof(why));
		if (r < 0) {
			t_skip(why);
			return;
		}
		if (r > 0) {
			printf("    seed %" PRIu64 ": DIVERGED (rerun: KDIFF_SEED=%" PRIu64
			       " ./build/unit kdiff_commit_seeds; then add it to fixed_seeds)\n",
			       seed, seed);
			failed++;
		}
	}
	if (failed)
		t_fail(__FILE__, __LINE__, "%d of %d commit seeds diverge from the kernel", failed,
		       nseeds);
}

/* The legacy (bottom-up) layout of ADDR_COMPAT_LAYOUT: fewer calls, seeds
 * from the commit, both sides started with the personality.
 * (READ_IMPLIES_EXEC cannot be tested this way: a 64-bit exec clears it, and
 * the model is given the helper's real personality.) */
static void run_with_personality(unsigned bits, const char *name)
{
	char why[256];
	const char *commit;
	uint64_t base = commit_seed_base(&commit) + 1000;
	int failed = 0;
	kd_set_extra_personality(bits);
	printf("    %s seeds: %" PRIu64 "..%" PRIu64 "\n", name, base, base + 4);
	for (int i = 0; i < 5; i++) {
		int r = kd_random_run(base + (uint64_t)i, 2000, 1, failed ? 0.0 : 20.0, why,
				      sizeof(why));
		if (r < 0) {
			kd_set_extra_personality(0);
			t_skip(why);
			return;
		}
		failed += r > 0;
	}
	kd_set_extra_personality(0);
	if (failed)
		t_fail(__FILE__, __LINE__, "%d of 5 %s seeds diverge from the kernel", failed, name);
}

TEST(kdiff_legacy_layout_matches)
{
	(void)sys;
	run_with_personality(0x0200000 /* ADDR_COMPAT_LAYOUT */, "legacy-layout");
}
