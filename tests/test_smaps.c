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
