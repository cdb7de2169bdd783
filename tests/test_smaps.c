/*
 * test_smaps.c: one test per rule of /proc/PID/smaps and smaps_rollup
 * (fs/proc/task_mmu.c show_smap(), __show_smap(), show_smap_vma_flags(),
 * show_smaps_rollup(); mm/huge_memory.c thp_vma_allowable_orders() for
 * THPeligible), with what the live kernel showed for each case, and the
 * VmFlags rules the live-kernel smaps comparison found.
 */
#include <stdio.h>
#include <string.h>

#include "t.h"
#include "internal.h"

#define PG 4096ULL
#define A 0x200000000ULL
#define RW (VMS_PROT_READ | VMS_PROT_WRITE)
#define PA (VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS)
#define MB (1ULL << 20)

static char text[1 << 18];

static vms_mm *new_mm(vms_sys *sys)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE,
				    .caps = VMS_CAP_SYS_ADMIN | VMS_CAP_IPC_LOCK};
	return vms_mm_new(sys, &cfg);
}

static int map_at(vms_mm *mm, uint64_t a, uint64_t len, int prot, int flags, vms_file *f,
		  uint64_t off)
{
	return vms_mmap(mm, a, len, prot, flags | VMS_MAP_FIXED, f, off) == (long)a;
}

static vms_file *file_of(vms_sys *sys, uint64_t size, int oflags)
{
	struct vms_inode_info info = {.dev_major = 8, .dev_minor = 1, .ino = 42, .size = size,
				      .path = "/tmp/f"};
	vms_inode *ino = vms_inode_get(sys, &info);
	return ino ? vms_file_open(ino, oflags) : NULL;
}

/* The smaps entry of the VMA starting at a (up to the next header), or "". */
static const char *entry(const vms_mm *mm, uint64_t a)
{
	static char one[4096];
	char head[32];
	vms_smaps_text(mm, text, sizeof(text));
	snprintf(head, sizeof(head), "%08llx-", (unsigned long long)a);
	const char *p = strstr(text, head);
	one[0] = 0;
	if (!p)
		return one;
	const char *e = strstr(p, "VmFlags:");
	e = e ? strchr(e, '\n') : NULL;
	size_t n = e ? (size_t)(e + 1 - p) : strlen(p);
	if (n >= sizeof(one))
		n = sizeof(one) - 1;
	memcpy(one, p, n);
	one[n] = 0;
	return one;
}

/* The value of field key ("Rss:") in the entry of the VMA at a, in kB (or
 * the number THPeligible shows); -1 when absent. */
static long field(const vms_mm *mm, uint64_t a, const char *key)
{
	const char *e = entry(mm, a), *p = strstr(e, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* The VmFlags line of the VMA at a, without "VmFlags: " and the newline. */
static const char *vmflags(const vms_mm *mm, uint64_t a)
{
	static char f[256];
	const char *p = strstr(entry(mm, a), "VmFlags: ");
	f[0] = 0;
	if (p) {
		p += 9;
		size_t n = strcspn(p, "\n");
		memcpy(f, p, n);
		f[n] = 0;
	}
	return f;
}

#define CHECK_FLAGS(mm, a, want)                                                             \
	do {                                                                                 \
		const char *got_ = vmflags(mm, a);                                           \
		if (strcmp(got_, want) != 0)                                                 \
			t_fail(__FILE__, __LINE__, "VmFlags at %#llx: \"%s\", want \"%s\"",     \
			       (unsigned long long)(a), got_, want);                          \
	} while (0)

/* Live: mlock of a range of a file past its end fails with ENOMEM but locks
 * the range (populate fails after apply_vma_lock_flags() split it); a guard
 * on the page before it sets VM_MAYBE_GUARD ("gu") there; munlock of the
 * locked range's front merges it back into the guarded VMA, which keeps
 * "gu" as a sticky flag (kdiff seed 326019212522251). */
TEST(smaps_guard_flag_survives_merge_after_munlock)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = file_of(sys, 0, VMS_O_RDONLY);
	CHECK(map_at(mm, A, 10 * PG, VMS_PROT_EXEC, VMS_MAP_SHARED, f, PG));
	CHECK_EQ(vms_mlock(mm, A + PG, 3 * PG), -VMS_ENOMEM);
	CHECK_FLAGS(mm, A, "ex mr me ms ");
	CHECK_FLAGS(mm, A + PG, "ex mr me ms lo ");
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_GUARD_INSTALL), 0);
	CHECK_FLAGS(mm, A, "ex mr me ms gu ");
	CHECK_EQ(vms_munlock(mm, A + PG, 2 * PG), 0);
	CHECK_FLAGS(mm, A, "ex mr me ms gu ");
	CHECK_EQ(field(mm, A, "Size:"), 12);
	CHECK_FLAGS(mm, A + 3 * PG, "ex mr me ms lo ");
	VALID(mm);
	vms_file_close(f);
	vms_mm_free(mm);
}

/* The whole entry of an untouched private anonymous VMA, as the live kernel
 * printed it (fs/proc/task_mmu.c show_smap(): the maps line, then
 * SEQ_PUT_DEC's width-8 kB values, Private_Hugetlb one wider a label). */
TEST(smaps_entry_format_matches_kernel)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, 0x10000000, 4 * PG, RW, PA, NULL, 0));
	static const char want[] = "10000000-10004000 rw-p 00000000 00:00 0 \n"
				   "Size:                 16 kB\n"
				   "KernelPageSize:        4 kB\n"
				   "MMUPageSize:           4 kB\n"
				   "Rss:                   0 kB\n"
				   "Pss:                   0 kB\n"
				   "Pss_Dirty:             0 kB\n"
				   "Shared_Clean:          0 kB\n"
				   "Shared_Dirty:          0 kB\n"
				   "Private_Clean:         0 kB\n"
				   "Private_Dirty:         0 kB\n"
				   "Referenced:            0 kB\n"
				   "Anonymous:             0 kB\n"
				   "KSM:                   0 kB\n"
				   "LazyFree:              0 kB\n"
				   "AnonHugePages:         0 kB\n"
				   "ShmemPmdMapped:        0 kB\n"
				   "FilePmdMapped:         0 kB\n"
				   "Shared_Hugetlb:        0 kB\n"
				   "Private_Hugetlb:       0 kB\n"
				   "Swap:                  0 kB\n"
				   "SwapPss:               0 kB\n"
				   "Locked:                0 kB\n"
				   "THPeligible:           0\n"
				   "VmFlags: rd wr mr mw me ac \n";
	/* (the gate VMA's entry follows) */
	size_t n = vms_smaps_text(mm, text, sizeof(text));
	CHECK(n >= strlen(want));
	CHECK(strncmp(text, want, strlen(want)) == 0);
	/* snprintf semantics: the length without a buffer, a cut copy. */
	CHECK_EQ(vms_smaps_text(mm, NULL, 0), n);
	char small[8];
	CHECK_EQ(vms_smaps_text(mm, small, sizeof(small)), n);
	CHECK(strcmp(small, "1000000") == 0);
	vms_mm_free(mm);
}

/* Live: two written pages are private, dirty, referenced and anonymous. */
TEST(smaps_written_anon_pages_are_private_dirty)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 4 * PG, RW, PA, NULL, 0));
	CHECK_EQ(vms_fault(mm, A, 1), 0);
	CHECK_EQ(vms_fault(mm, A + PG, 1), 0);
	CHECK_EQ(field(mm, A, "Rss:"), 8);
	CHECK_EQ(field(mm, A, "Pss:"), 8);
	CHECK_EQ(field(mm, A, "Pss_Dirty:"), 8);
	CHECK_EQ(field(mm, A, "Private_Dirty:"), 8);
	CHECK_EQ(field(mm, A, "Private_Clean:"), 0);
	CHECK_EQ(field(mm, A, "Referenced:"), 8);
	CHECK_EQ(field(mm, A, "Anonymous:"), 8);
	vms_mm_free(mm);
}

/* Live: reads of untouched private anonymous memory map the zero page,
 * which vm_normal_page() does not give to the stats: Rss stays 0. */
TEST(smaps_zero_page_is_not_counted)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_sysctl_set(sys, "mm.zero_page", 1), 0);
	CHECK(map_at(mm, A, 4 * PG, RW, PA, NULL, 0));
	CHECK_EQ(vms_fault(mm, A, 0), 0);
	CHECK_EQ(vms_fault(mm, A + PG, 0), 0);
	CHECK_EQ(field(mm, A, "Rss:"), 0);
	CHECK_EQ(field(mm, A, "Anonymous:"), 0);
	vms_mm_free(mm);
}

/* Live: MADV_FREE of one of two written pages: it stays resident and
 * anonymous, but clean, unreferenced and counted in LazyFree. */
TEST(smaps_lazyfree_pages_are_clean_and_unreferenced)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 4 * PG, RW, PA, NULL, 0));
	CHECK_EQ(vms_fault(mm, A, 1), 0);
	CHECK_EQ(vms_fault(mm, A + PG, 1), 0);
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_FREE), 0);
	CHECK_EQ(field(mm, A, "Rss:"), 8);
	CHECK_EQ(field(mm, A, "Pss_Dirty:"), 4);
	CHECK_EQ(field(mm, A, "Private_Clean:"), 4);
	CHECK_EQ(field(mm, A, "Private_Dirty:"), 4);
	CHECK_EQ(field(mm, A, "Referenced:"), 4);
	CHECK_EQ(field(mm, A, "Anonymous:"), 8);
	CHECK_EQ(field(mm, A, "LazyFree:"), 4);
	vms_mm_free(mm);
}

/* Live: Locked is the PSS of a VM_LOCKED VMA (mlock populates it: "lo");
 * mlock2(MLOCK_ONFAULT) adds "lf" and locks only what faults in. */
TEST(smaps_locked_is_pss_of_locked_vma)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 4 * PG, RW, PA, NULL, 0));
	CHECK_EQ(vms_mlock(mm, A, 2 * PG), 0);
	CHECK_FLAGS(mm, A, "rd wr mr mw me lo ac ");
	CHECK_EQ(field(mm, A, "Locked:"), 8);
	CHECK_EQ(field(mm, A, "Rss:"), 8);
	CHECK_FLAGS(mm, A + 2 * PG, "rd wr mr mw me ac ");
	CHECK_EQ(field(mm, A + 2 * PG, "Locked:"), 0);
	CHECK(map_at(mm, A + MB, 4 * PG, RW, PA, NULL, 0));
	CHECK_EQ(vms_mlock2(mm, A + MB, 4 * PG, VMS_MLOCK_ONFAULT), 0);
	CHECK_EQ(vms_fault(mm, A + MB, 1), 0);
	CHECK_FLAGS(mm, A + MB, "rd wr mr mw me lo lf ac ");
	CHECK_EQ(field(mm, A + MB, "Locked:"), 4);
	vms_mm_free(mm);
}

/* Live, one VMA each: MAP_STACK gives "nh", MAP_NORESERVE drops "ac" for
 * "nr", shared anonymous memory is "sh ... ms", mseal gives "sl", and the
 * madvise flags print in bit order: "rr dc ac wf dd mg". */
TEST(smaps_vmflags_mnemonics_in_bit_order)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 4 * PG, RW, PA | VMS_MAP_STACK, NULL, 0));
	CHECK_FLAGS(mm, A, "rd wr mr mw me ac nh ");
	CHECK(map_at(mm, A + MB, 4 * PG, RW, PA | VMS_MAP_NORESERVE, NULL, 0));
	CHECK_FLAGS(mm, A + MB, "rd wr mr mw me nr ");
	CHECK(map_at(mm, A + 2 * MB, 4 * PG, RW, VMS_MAP_SHARED | VMS_MAP_ANONYMOUS, NULL, 0));
	CHECK_FLAGS(mm, A + 2 * MB, "rd wr sh mr mw me ms ");
	CHECK(map_at(mm, A + 3 * MB, 4 * PG, VMS_PROT_READ, PA, NULL, 0));
	CHECK_EQ(vms_mseal(mm, A + 3 * MB, 4 * PG, 0), 0);
	CHECK_FLAGS(mm, A + 3 * MB, "rd mr mw me sl ");
	uint64_t q = A + 4 * MB;
	CHECK(map_at(mm, q, 4 * PG, RW, PA, NULL, 0));
	static const int adv[] = {VMS_MADV_DONTFORK, VMS_MADV_WIPEONFORK, VMS_MADV_DONTDUMP,
				  VMS_MADV_RANDOM, VMS_MADV_MERGEABLE};
	for (size_t i = 0; i < sizeof(adv) / sizeof(adv[0]); i++)
		CHECK_EQ(vms_madvise(mm, q, 4 * PG, adv[i]), 0);
	CHECK_FLAGS(mm, q, "rd wr mr mw me rr dc ac wf dd mg ");
	CHECK(map_at(mm, A + 5 * MB, 4 * PG, RW, PA, NULL, 0));
	CHECK_EQ(vms_madvise(mm, A + 5 * MB, PG, VMS_MADV_GUARD_INSTALL), 0);
	CHECK_FLAGS(mm, A + 5 * MB, "rd wr mr mw me gu ac ");
	vms_mm_free(mm);
}

/* The gate VMA is the last entry, "ex" only, as live. */
TEST(smaps_gate_vma_is_execute_only)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_mm_import_maps(mm,
				    "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0"
				    "                  [vsyscall]\n",
				    0, NULL),
		 0);
	const char *e = entry(mm, 0xffffffffff600000ULL);
	CHECK(strstr(e, "[vsyscall]\nSize:                  4 kB\n") != NULL);
	CHECK(strstr(e, "THPeligible:           0\nVmFlags: ex \n") != NULL);
	vms_mm_free(mm);
}

/*
 * THPeligible, thp_vma_allowable_orders(TVA_SMAPS), in madvise mode (live):
 * an anonymous VMA with MADV_HUGEPAGE that holds an aligned 2 MiB block
 * (1), or ends below 2 MiB so that vm_end - PMD_SIZE wraps (1); without the
 * advice, or without a whole block (2 MiB at a 1 MiB offset), 0; private
 * /dev/zero is anonymous (1); shared anonymous memory (shmem "never") and a
 * file (no CONFIG_READ_ONLY_THP_FOR_FS) 0 even advised. "always" needs no
 * advice; MADV_NOHUGEPAGE and PR_SET_THP_DISABLE refuse.
 */
TEST(smaps_thp_eligible_follows_allowable_orders)
{
	CHECK_EQ(vms_sysctl_set(sys, "vm.transparent_hugepage", 1), 0);
	vms_mm *mm = new_mm(sys);
	uint64_t B = 0x40000000;
	CHECK(map_at(mm, B, 4 * MB, RW, PA, NULL, 0));
	CHECK_EQ(field(mm, B, "THPeligible:"), 0);
	CHECK_EQ(vms_madvise(mm, B, 4 * MB, VMS_MADV_HUGEPAGE), 0);
	CHECK_EQ(field(mm, B, "THPeligible:"), 1);
	CHECK(map_at(mm, B + 0x1100000, 2 * MB, RW, PA, NULL, 0));
	CHECK_EQ(vms_madvise(mm, B + 0x1100000, 2 * MB, VMS_MADV_HUGEPAGE), 0);
	CHECK_EQ(field(mm, B + 0x1100000, "THPeligible:"), 0);
	CHECK(map_at(mm, 0x10000, 0x10000, RW, PA, NULL, 0));
	CHECK_EQ(vms_madvise(mm, 0x10000, 0x10000, VMS_MADV_HUGEPAGE), 0);
	CHECK_EQ(field(mm, 0x10000, "THPeligible:"), 1);
	CHECK(map_at(mm, B + 0x2000000, 4 * MB, RW, VMS_MAP_SHARED | VMS_MAP_ANONYMOUS, NULL, 0));
	CHECK_EQ(vms_madvise(mm, B + 0x2000000, 4 * MB, VMS_MADV_HUGEPAGE), 0);
	CHECK_EQ(field(mm, B + 0x2000000, "THPeligible:"), 0);
	vms_file *f = file_of(sys, 4 * MB, VMS_O_RDONLY);
	CHECK(map_at(mm, B + 0x3000000, 4 * MB, VMS_PROT_READ, VMS_MAP_PRIVATE, f, 0));
	CHECK_EQ(vms_madvise(mm, B + 0x3000000, 4 * MB, VMS_MADV_HUGEPAGE), 0);
	CHECK_EQ(field(mm, B + 0x3000000, "THPeligible:"), 0);
	CHECK_EQ(vms_madvise(mm, B, 4 * MB, VMS_MADV_NOHUGEPAGE), 0);
	CHECK_EQ(field(mm, B, "THPeligible:"), 0);
	CHECK_EQ(vms_sysctl_set(sys, "vm.transparent_hugepage", 2), 0);
	CHECK(map_at(mm, B + 0x4000000, 4 * MB, RW, PA, NULL, 0));
	CHECK_EQ(field(mm, B + 0x4000000, "THPeligible:"), 1);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_THP_DISABLE, 1, 0, 0, 0), 0);
	CHECK_EQ(field(mm, B + 0x4000000, "THPeligible:"), 0);
	vms_file_close(f);
	vms_mm_free(mm);
}

/* A page cache page read through two VMAs is mapped twice: each VMA shows
 * it as shared and half of it in Pss (folio_precise_page_mapcount()); a
 * private copy made by a write is the VMA's own. */
TEST(smaps_file_page_mapped_twice_is_shared)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = file_of(sys, 4 * PG, VMS_O_RDWR);
	CHECK(map_at(mm, A, 4 * PG, VMS_PROT_READ, VMS_MAP_PRIVATE, f, 0));
	CHECK(map_at(mm, A + MB, 4 * PG, RW, VMS_MAP_SHARED, f, 0));
	CHECK_EQ(vms_fault(mm, A, 0), 0);
	CHECK_EQ(field(mm, A, "Private_Clean:"), 4);
	CHECK_EQ(vms_fault(mm, A + MB, 0), 0);
	CHECK_EQ(field(mm, A, "Rss:"), 4);
	CHECK_EQ(field(mm, A, "Pss:"), 2);
	CHECK_EQ(field(mm, A, "Shared_Clean:"), 4);
	CHECK_EQ(field(mm, A + MB, "Shared_Clean:"), 4);
	CHECK_EQ(field(mm, A, "Anonymous:"), 0);
	CHECK(map_at(mm, A + 2 * MB, 4 * PG, RW, VMS_MAP_PRIVATE, f, 0));
	CHECK_EQ(vms_fault(mm, A + 2 * MB, 1), 0);
	CHECK_EQ(field(mm, A + 2 * MB, "Private_Dirty:"), 4);
	CHECK_EQ(field(mm, A + 2 * MB, "Anonymous:"), 4);
	CHECK_EQ(field(mm, A, "Pss:"), 2);
	vms_file_close(f);
	vms_mm_free(mm);
}

/* show_smaps_rollup(): the first VMA's start to the last one's end (not
 * the gate's), "---p" and [rollup], every VMA's stats summed with the PSS
 * split into anonymous, file and shmem; an empty mm shows 0-0. */
TEST(smaps_rollup_sums_every_vma)
{
	vms_mm *mm = new_mm(sys);
	vms_smaps_rollup_text(mm, text, sizeof(text));
	CHECK(strncmp(text, "00000000-00000000 ---p 00000000 00:00 0 ", 40) == 0);
	CHECK(map_at(mm, A, 4 * PG, RW, PA, NULL, 0));
	CHECK(map_at(mm, A + MB, 4 * PG, RW, VMS_MAP_SHARED | VMS_MAP_ANONYMOUS, NULL, 0));
	CHECK_EQ(vms_fault(mm, A, 1), 0);
	CHECK_EQ(vms_fault(mm, A + MB, 1), 0);
	CHECK_EQ(vms_fault(mm, A + MB + PG, 1), 0);
	vms_smaps_rollup_text(mm, text, sizeof(text));
	CHECK(strstr(text, "200000000-200104000 ---p 00000000 00:00 0") == text);
	CHECK(strstr(text, "                              [rollup]\nRss:                  12 kB\n"
			   "Pss:                  12 kB\nPss_Dirty:            12 kB\n"
			   "Pss_Anon:              4 kB\nPss_File:              0 kB\n"
			   "Pss_Shmem:             8 kB\nShared_Clean:") != NULL);
	vms_mm_free(mm);
}

/* arch_show_smap(): with protection keys (OSPKE) every entry has a
 * ProtectionKey line before VmFlags; the key bits print no mnemonic. */
TEST(smaps_protection_key_line_with_pku)
{
	CHECK_EQ(vms_sysctl_set(sys, "cpu.pku", 1), 0);
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 4 * PG, RW, PA, NULL, 0));
	long key = vms_pkey_alloc(mm, 0, 0);
	CHECK(key > 0);
	CHECK_EQ(vms_pkey_mprotect(mm, A, PG, RW, (int)key), 0);
	char want[128];
	snprintf(want, sizeof(want), "ProtectionKey:         %ld\nVmFlags: rd wr mr mw me ac \n",
		 key);
	CHECK(strstr(entry(mm, A), want) != NULL);
	CHECK(strstr(entry(mm, A + PG), "ProtectionKey:         0\n") != NULL);
	vms_mm_free(mm);
}

/* Live: the same for mprotect and for madvise (MADV_DODUMP): a range made
 * equal to its guarded neighbour merges into it and the result keeps "gu"
 * (vma_modify_flags() hands the merged VMA's sticky flags back). */
TEST(smaps_guard_flag_survives_mprotect_and_madvise_merges)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, 2 * PG, RW, PA, NULL, 0));
	CHECK_EQ(vms_mprotect(mm, A + PG, PG, VMS_PROT_READ), 0);
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_GUARD_INSTALL), 0);
	CHECK_EQ(vms_mprotect(mm, A + PG, PG, RW), 0);
	CHECK_EQ(field(mm, A, "Size:"), 8);
	CHECK_FLAGS(mm, A, "rd wr mr mw me gu ac ");
	uint64_t b = A + MB;
	CHECK(map_at(mm, b, 2 * PG, RW, PA, NULL, 0));
	CHECK_EQ(vms_madvise(mm, b + PG, PG, VMS_MADV_DONTDUMP), 0);
	CHECK_EQ(vms_madvise(mm, b, PG, VMS_MADV_GUARD_INSTALL), 0);
	CHECK_EQ(vms_madvise(mm, b + PG, PG, VMS_MADV_DODUMP), 0);
	CHECK_EQ(field(mm, b, "Size:"), 8);
	CHECK_FLAGS(mm, b, "rd wr mr mw me gu ac ");
	VALID(mm);
	vms_mm_free(mm);
}
