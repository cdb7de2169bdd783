/* test_shm.c: one test per System V shared memory rule (ipc/shm.c, ipc/util.c):
 * shmget's limits, keys and ids, shmat's placement, flags and maps name,
 * shmdt's search, shmctl, and the attach count across split, fork and exit. */
#include "t.h"

#define PG 4096ULL
#define MB (1ULL << 20)
#define TOP 0x7ffff7fff000ULL /* mmap_base with an 8 MiB stack and no ASLR */
#define RW (VMS_PROT_READ | VMS_PROT_WRITE)
#define X 0x300000000ULL

/* include/linux/mm.h bits the tests look at */
#define VM_READ 0x1ULL
#define VM_WRITE 0x2ULL
#define VM_EXEC 0x4ULL
#define VM_SHARED 0x8ULL
#define VM_MAYWRITE 0x20ULL
#define VM_MAYSHARE 0x80ULL
#define VM_DONTEXPAND 0x40000ULL
#define VM_HUGETLB 0x400000ULL

static vms_mm *new_mm(vms_sys *sys)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE,
				    .caps = VMS_CAP_SYS_ADMIN | VMS_CAP_IPC_LOCK |
					    VMS_CAP_IPC_OWNER | VMS_CAP_SYS_RAWIO};
	return vms_mm_new(sys, &cfg);
}

static int count_vmas(vms_mm *mm)
{
	int n = 0;
	for (const vms_vma *v = vms_vma_first(mm); v; v = vms_vma_next(mm, v))
		n++;
	return n;
}

/* The maps line of the VMA that holds addr, without its newline. */
static const char *maps_line(vms_mm *mm, uint64_t addr)
{
	static char text[8192], line[256];
	vms_maps_text(mm, text, sizeof(text));
	char want[32];
	snprintf(want, sizeof(want), "%08llx-", (unsigned long long)addr);
	line[0] = 0;
	for (char *p = text; *p;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (!strncmp(p, want, strlen(want))) {
			snprintf(line, sizeof(line), "%.*s", (int)n, p);
			break;
		}
		p += n + (nl ? 1 : 0);
	}
	return line;
}

static uint64_t flags_at(vms_mm *mm, uint64_t addr)
{
	struct vms_vma_info i;
	const vms_vma *v = vms_find_vma(mm, addr);
	if (!v)
		return 0;
	vms_vma_get_info(v, &i);
	return i.vm_flags;
}

static uint64_t nattch(vms_mm *mm, int id)
{
	struct vms_shmid_ds ds;
	if (vms_shmctl(mm, id, VMS_IPC_STAT, &ds) != 0)
		return (uint64_t)-1;
	return ds.nattch;
}

/* ---- shmget ---- */

TEST(shmget_size_below_shmmin_is_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 0, 0600), -VMS_EINVAL);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 1, 0600), 0);
}

TEST(shmget_size_over_shmmax_is_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_sysctl_set(sys, "kernel.shmmax", 8192), 0);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 8193, 0600), -VMS_EINVAL);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 8192, 0600), 0);
}

TEST(shmget_pages_over_shmall_is_enospc)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_sysctl_set(sys, "kernel.shmall", 3), 0);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 2 * PG, 0600), 0);
	/* shm_tot counts whole pages: 2 + 2 > 3 */
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG + 1, 0600), -VMS_ENOSPC);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), 1);
}

TEST(shmget_segments_over_shmmni_is_enospc)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_sysctl_set(sys, "kernel.shmmni", 2), 0);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), 0);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), 1);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), -VMS_ENOSPC);
	CHECK_EQ(vms_sysctl_set(sys, "kernel.shmmni", 32769), -VMS_EINVAL);
}

TEST(shmget_key_finds_its_segment)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, 0x1234, 5000, 0), -VMS_ENOENT);
	CHECK_EQ(vms_shmget(mm, 0x1234, 5000, VMS_IPC_CREAT | 0644), 0);
	CHECK_EQ(vms_shmget(mm, 0x1234, 4000, 0), 0);
	CHECK_EQ(vms_shmget(mm, 0x1234, 0, 0), 0);
	/* shm_more_checks(): an existing segment must be large enough. */
	CHECK_EQ(vms_shmget(mm, 0x1234, 5001, 0), -VMS_EINVAL);
	CHECK_EQ(vms_shmget(mm, 0x1234, 5000, VMS_IPC_CREAT | VMS_IPC_EXCL), -VMS_EEXIST);
	/* A missing key is created only with IPC_CREAT, with newseg's checks. */
	CHECK_EQ(vms_shmget(mm, 0x999, 0, VMS_IPC_CREAT), -VMS_EINVAL);
	/* IPC_PRIVATE is never found: always a new segment. */
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0), 1);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0), 2);
}

TEST(shmget_ids_cycle_through_indexes_then_bump_the_sequence)
{
	vms_mm *mm = new_mm(sys);
	/* ipc_idr_alloc(): idr_alloc_cyclic() below max(in_use * 3 / 2, 64);
	 * an index not above the last one starts a new sequence number. */
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), 0);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), 1);
	CHECK_EQ(vms_shmctl(mm, 1, VMS_IPC_RMID, NULL), 0);
	/* The cursor goes on: index 2, not the freed 1. */
	for (int i = 2; i < 64; i++) {
		CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), i);
		CHECK_EQ(vms_shmctl(mm, i, VMS_IPC_RMID, NULL), 0);
	}
	/* Past the window: back to the lowest free index, 1, with seq 1. */
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), 32768 + 1);
	/* The old id of index 1 no longer names it. */
	CHECK_EQ(vms_shmctl(mm, 1, VMS_IPC_STAT, NULL), -VMS_EINVAL);
	CHECK_EQ(vms_shmctl(mm, 32769, VMS_IPC_STAT, NULL), 0);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), 32768 + 2);
	/* 44 segments widen the window to 66: the cursor passes 64. */
	for (int i = 3; i < 44; i++)
		CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), 32768 + i);
	for (int i = 44; i < 66; i++)
		CHECK(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600) < 2 * 32768);
}

TEST(shmget_next_id_sysctl_chooses_the_id)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_sysctl_set(sys, "kernel.shm_next_id", 3 * 32768 + 7), 0);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), 3 * 32768 + 7);
	uint64_t v;
	CHECK_EQ(vms_sysctl_get(sys, "kernel.shm_next_id", &v), 0);
	CHECK_EQ(v, UINT64_MAX); /* used up: -1 */
	/* The cursor did not move: the next id is index 0, sequence 0. */
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), 0);
	CHECK_EQ(vms_sysctl_set(sys, "kernel.shm_next_id", (uint64_t)INT32_MAX + 1), -VMS_EINVAL);
}

TEST(shmget_ipcmni_extend_shifts_the_sequence)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_sysctl_set(sys, "kernel.ipcmni_extend", 1), 0);
	for (int i = 0; i < 64; i++) {
		CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), i);
		CHECK_EQ(vms_shmctl(mm, i, VMS_IPC_RMID, NULL), 0);
	}
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), 1 << 24);
}

TEST(shmget_hugetlb_needs_a_huge_page_size_the_kernel_has)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 100,
			    VMS_SHM_HUGETLB | VMS_SHM_NORESERVE | (22 << VMS_SHM_HUGE_SHIFT)),
		 -VMS_EINVAL);
	CHECK_EQ(vms_sysctl_set(sys, "hugetlb.1048576kB.present", 0), 0);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 100,
			    VMS_SHM_HUGETLB | VMS_SHM_NORESERVE | (30 << VMS_SHM_HUGE_SHIFT)),
		 -VMS_EINVAL);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 100,
			    VMS_SHM_HUGETLB | VMS_SHM_NORESERVE | (21 << VMS_SHM_HUGE_SHIFT)),
		 0);
}

TEST(shmget_hugetlb_reserves_the_pool_unless_noreserve)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 100, VMS_SHM_HUGETLB), -VMS_ENOMEM);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 100, VMS_SHM_HUGETLB | VMS_SHM_NORESERVE), 0);
	CHECK_EQ(vms_sys_set_hugetlb_pool(sys, 2 * MB, 2), 0);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 3 * MB, VMS_SHM_HUGETLB), 1);
	uint64_t resv;
	CHECK_EQ(vms_sysctl_get(sys, "hugetlb.2048kB.resv_hugepages", &resv), 0);
	CHECK_EQ(resv, 2);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 100, VMS_SHM_HUGETLB), -VMS_ENOMEM);
	/* The reservation goes with the segment. */
	CHECK_EQ(vms_shmctl(mm, 1, VMS_IPC_RMID, NULL), 0);
	CHECK_EQ(vms_sysctl_get(sys, "hugetlb.2048kB.resv_hugepages", &resv), 0);
	CHECK_EQ(resv, 0);
}

/* fs/hugetlbfs/inode.c hugetlb_file_setup(): SHM_HUGETLB needs
 * can_do_hugetlb_shm(), CAP_IPC_LOCK or the group vm.hugetlb_shm_group (0 by
 * default): a member is not charged as locked shm at all, anyone else gets
 * EPERM whatever RLIMIT_MEMLOCK allows (live: kdiff commit seed
 * 409937612669102 after setresgid). */
TEST(shmget_hugetlb_needs_ipc_lock_or_the_hugetlb_shm_group)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE,
				    .has_rlimits = 1,
				    .rlim_stack = {8 * MB, VMS_RLIM_INFINITY},
				    .rlim_data = {VMS_RLIM_INFINITY, VMS_RLIM_INFINITY},
				    .rlim_as = {VMS_RLIM_INFINITY, VMS_RLIM_INFINITY},
				    .rlim_memlock = {3 * MB, 3 * MB},
				    .has_creds = 1};
	cfg.creds.uid = cfg.creds.euid = cfg.creds.suid = cfg.creds.fsuid = 1000;
	cfg.creds.gid = cfg.creds.egid = cfg.creds.sgid = cfg.creds.fsgid = 0;
	vms_mm *mm = vms_mm_new(sys, &cfg);
	int f = VMS_SHM_HUGETLB | VMS_SHM_NORESERVE | 0600;
	/* group 0 is the default hugetlb_shm_group: no charge, no limit */
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 100, f), 0);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 100, f), 1);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 100, f), 2);
	CHECK_EQ(vms_sysctl_set(sys, "vm.hugetlb_shm_group", 100), 0);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 100, f), -VMS_EPERM);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), 3); /* not hugetlb: fine */
	cfg.creds.fsgid = 100;
	vms_mm *member = vms_mm_new(sys, &cfg);
	CHECK_EQ(vms_shmget(member, VMS_IPC_PRIVATE, 100, f), 4);
	vms_mm_free(member);
	vms_mm_free(mm);
}

TEST(shmget_charges_the_commit_unless_noreserve)
{
	vms_mm *mm = new_mm(sys);
	uint64_t before = vms_sys_committed_pages(sys);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 10 * PG, 0600), 0);
	CHECK_EQ(vms_sys_committed_pages(sys), before + 10);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 10 * PG, VMS_SHM_NORESERVE | 0600), 1);
	CHECK_EQ(vms_sys_committed_pages(sys), before + 10);
	CHECK_EQ(vms_shmctl(mm, 0, VMS_IPC_RMID, NULL), 0);
	CHECK_EQ(vms_sys_committed_pages(sys), before);
	/* Strict overcommit: SHM_NORESERVE is ignored, and too much is ENOMEM
	 * (before the shmmni check). */
	CHECK_EQ(vms_sysctl_set(sys, "vm.overcommit_memory", 2), 0);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 10 * PG, VMS_SHM_NORESERVE | 0600), 2);
	CHECK_EQ(vms_sys_committed_pages(sys), before + 10);
	CHECK_EQ(vms_sysctl_set(sys, "kernel.shmmni", 2), 0);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 1ULL << 44, 0600), -VMS_ENOMEM);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), -VMS_ENOSPC);
	CHECK_EQ(vms_sys_committed_pages(sys), before + 10);
}

TEST(shmget_permissions_need_the_owner_bits_or_ipc_owner)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE};
	vms_mm *mm = vms_mm_new(sys, &cfg);
	CHECK_EQ(vms_shmget(mm, 0x77, PG, VMS_IPC_CREAT | 0400), 0);
	CHECK_EQ(vms_shmget(mm, 0x77, PG, 0400), 0);
	CHECK_EQ(vms_shmget(mm, 0x77, PG, 0600), -VMS_EACCES);
	CHECK_EQ(vms_shmat(mm, 0, 0, 0), -VMS_EACCES);
	CHECK(vms_shmat(mm, 0, 0, VMS_SHM_RDONLY) > 0);
	vms_mm *root = new_mm(sys);
	CHECK_EQ(vms_shmget(root, 0x77, PG, 0600), 0);
	CHECK(vms_shmat(root, 0, 0, 0) > 0);
}

/* ---- shmat ---- */

TEST(shmat_maps_sysv_key_with_the_id_as_inode)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 10000, 0600), 0);
	CHECK_EQ(vms_shmget(mm, 0x1234, 5000, VMS_IPC_CREAT | 0644), 1);
	/* A search like mmap's: top-down, the size rounded up to pages. */
	CHECK_EQ(vms_shmat(mm, 0, 0, 0), TOP - 3 * PG);
	CHECK_EQ(vms_shmat(mm, 1, 0, 0), TOP - 5 * PG);
	CHECK(!strcmp(maps_line(mm, TOP - 3 * PG),
		      "7ffff7ffc000-7ffff7fff000 rw-s 00000000 00:01 0                          "
		      "/SYSV00000000 (deleted)"));
	CHECK(!strcmp(maps_line(mm, TOP - 5 * PG),
		      "7ffff7ffa000-7ffff7ffc000 rw-s 00000000 00:01 1                          "
		      "/SYSV00001234 (deleted)"));
	/* Removed, the segment keeps its name (the key goes from IPC_STAT). */
	CHECK_EQ(vms_shmctl(mm, 1, VMS_IPC_RMID, NULL), 0);
	CHECK(strstr(maps_line(mm, TOP - 5 * PG), "/SYSV00001234 (deleted)"));
	VALID(mm);
}

TEST(shmat_rdonly_maps_without_vm_shared_or_maywrite)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), 0);
	long a = vms_shmat(mm, 0, 0, VMS_SHM_RDONLY);
	CHECK(a > 0);
	/* do_mmap() of an O_RDONLY file: "r--s", no VM_SHARED or VM_MAYWRITE. */
	CHECK_EQ(flags_at(mm, (uint64_t)a) & (VM_READ | VM_WRITE | VM_SHARED | VM_MAYWRITE |
					      VM_MAYSHARE),
		 VM_READ | VM_MAYSHARE);
	CHECK_EQ(vms_mprotect(mm, (uint64_t)a, PG, RW), -VMS_EACCES);
	long b = vms_shmat(mm, 0, 0, VMS_SHM_EXEC);
	CHECK_EQ(flags_at(mm, (uint64_t)b) & (VM_EXEC | VM_WRITE | VM_SHARED),
		 VM_EXEC | VM_WRITE | VM_SHARED);
	VALID(mm);
}

TEST(shmat_unaligned_address_needs_shm_rnd)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), 0);
	CHECK_EQ(vms_shmat(mm, 0, X + 0x123, 0), -VMS_EINVAL);
	CHECK_EQ(vms_shmat(mm, 0, X + 0x123, VMS_SHM_RND), (long)X);
	/* Rounding to 0 is refused with SHM_REMAP, else it maps at 0. */
	CHECK_EQ(vms_shmat(mm, 0, 0x123, VMS_SHM_RND | VMS_SHM_REMAP), -VMS_EINVAL);
	CHECK_EQ(vms_shmat(mm, 0, 0x123, VMS_SHM_RND), 0);
	CHECK_EQ(vms_shmat(mm, 0, 0, VMS_SHM_REMAP), -VMS_EINVAL);
	VALID(mm);
}

TEST(shmat_over_a_mapping_needs_shm_remap)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 4 * PG, 0600), 0);
	CHECK_EQ(vms_mmap(mm, X + 3 * PG, PG, RW, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED,
			  NULL, 0),
		 (long)(X + 3 * PG));
	CHECK_EQ(vms_shmat(mm, 0, X, 0), -VMS_EINVAL);
	CHECK_EQ(count_vmas(mm), 1);
	CHECK_EQ(nattch(mm, 0), 0);
	CHECK_EQ(vms_shmat(mm, 0, X, VMS_SHM_REMAP), (long)X);
	CHECK_EQ(count_vmas(mm), 1);
	CHECK_EQ(nattch(mm, 0), 1);
	VALID(mm);
}

TEST(shmat_wrong_sequence_is_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), 0);
	CHECK_EQ(vms_shmat(mm, 32768, 0, 0), -VMS_EINVAL);
	CHECK_EQ(vms_shmat(mm, 1, 0, 0), -VMS_EINVAL);
	CHECK_EQ(vms_shmat(mm, -1, 0, 0), -VMS_EINVAL);
}

TEST(shmat_attaches_never_merge)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 4 * PG, 0600), 0);
	CHECK_EQ(vms_shmat(mm, 0, X, 0), (long)X);
	CHECK_EQ(vms_shmat(mm, 0, X + 4 * PG, 0), (long)(X + 4 * PG));
	CHECK_EQ(count_vmas(mm), 2);
	CHECK_EQ(nattch(mm, 0), 2);
	VALID(mm);
}

TEST(shm_vma_with_close_is_never_merged_away)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 4 * PG, 0600), 0);
	CHECK_EQ(vms_shmat(mm, 0, X, 0), (long)X);
	CHECK_EQ(vms_mprotect(mm, X, PG, VMS_PROT_READ), 0);
	CHECK_EQ(count_vmas(mm), 2);
	/* Part of the upper piece joins the lower one (nothing is removed)... */
	CHECK_EQ(vms_mprotect(mm, X + PG, PG, VMS_PROT_READ), 0);
	CHECK_EQ(count_vmas(mm), 2);
	CHECK(!strncmp(maps_line(mm, X), "300000000-300002000 r--s", 24));
	/* ...but all of it may not: shm_close forbids the removal. */
	CHECK_EQ(vms_mprotect(mm, X, 2 * PG, RW), 0);
	CHECK_EQ(vms_mprotect(mm, X + 2 * PG, 2 * PG, RW), 0);
	CHECK_EQ(count_vmas(mm), 2);
	CHECK_EQ(nattch(mm, 0), 2);
	VALID(mm);
}

TEST(shmat_hugetlb_segment_maps_whole_huge_pages)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 5000, VMS_SHM_HUGETLB | VMS_SHM_NORESERVE), 0);
	long a = vms_shmat(mm, 0, 0, 0);
	CHECK_EQ(a & (2 * MB - 1), 0);
	CHECK(!strncmp(maps_line(mm, (uint64_t)a) + 26,
		       "rw-s 00000000 00:11 0                          /SYSV00000000 (deleted)", 70));
	CHECK_EQ(flags_at(mm, (uint64_t)a) & (VM_HUGETLB | VM_DONTEXPAND),
		 VM_HUGETLB | VM_DONTEXPAND);
	/* hugetlb_get_unmapped_area(): a fixed address must be aligned too. */
	CHECK_EQ(vms_shmat(mm, 0, X + PG, VMS_SHM_REMAP), -VMS_EINVAL);
	/* shm_split() -> hugetlb's: only on a huge page boundary. */
	CHECK_EQ(vms_mprotect(mm, (uint64_t)a, PG, VMS_PROT_READ), -VMS_EINVAL);
	VALID(mm);
}

/* ---- shmdt ---- */

TEST(shmdt_unaligned_or_unattached_is_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 4 * PG, 0600), 0);
	CHECK_EQ(vms_shmat(mm, 0, X, 0), (long)X);
	CHECK_EQ(vms_shmdt(mm, X + 1), -VMS_EINVAL);
	/* Below the attach: its offset does not say it started there. */
	CHECK_EQ(vms_shmdt(mm, X - PG), -VMS_EINVAL);
	CHECK_EQ(vms_shmdt(mm, X + PG), -VMS_EINVAL);
	CHECK_EQ(vms_shmdt(mm, X), 0);
	CHECK_EQ(vms_shmdt(mm, X), -VMS_EINVAL);
	CHECK_EQ(count_vmas(mm), 0);
}

TEST(shmdt_takes_the_pieces_within_the_segment_size)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 4 * PG, 0600), 0);
	CHECK_EQ(vms_shmat(mm, 0, X, 0), (long)X);
	CHECK_EQ(vms_munmap(mm, X + PG, PG), 0);
	CHECK_EQ(vms_mremap(mm, X + 2 * PG, PG, PG, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED,
			    X + 10 * PG),
		 (long)(X + 10 * PG));
	CHECK_EQ(count_vmas(mm), 3);
	CHECK_EQ(nattch(mm, 0), 3);
	/* X and X + 3 pages (offset 3) go; the piece moved to X + 10 pages
	 * ends past X + the segment's size and stays. */
	CHECK_EQ(vms_shmdt(mm, X), 0);
	CHECK_EQ(count_vmas(mm), 1);
	CHECK_EQ(nattch(mm, 0), 1);
	/* Its offset 2 says it started at X + 8 pages. */
	CHECK_EQ(vms_shmdt(mm, X + 8 * PG), 0);
	CHECK_EQ(count_vmas(mm), 0);
	CHECK_EQ(nattch(mm, 0), 0);
	VALID(mm);
}

TEST(shmdt_finds_the_attach_without_its_first_page)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 4 * PG, 0600), 0);
	CHECK_EQ(vms_shmat(mm, 0, X, 0), (long)X);
	CHECK_EQ(vms_munmap(mm, X, PG), 0);
	CHECK_EQ(vms_shmdt(mm, X), 0);
	CHECK_EQ(count_vmas(mm), 0);
}

TEST(shmdt_leaves_another_attach_alone)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 4 * PG, 0600), 0);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 4 * PG, 0600), 1);
	CHECK_EQ(vms_shmat(mm, 0, X, 0), (long)X);
	CHECK_EQ(vms_shmat(mm, 1, X + 4 * PG, 0), (long)(X + 4 * PG));
	/* Segment 1's second page moved to X + 1 page: offset 1 fits, but
	 * the file is another attach's. */
	CHECK_EQ(vms_munmap(mm, X + PG, PG), 0);
	CHECK_EQ(vms_mremap(mm, X + 5 * PG, PG, PG, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED, X + PG),
		 (long)(X + PG));
	CHECK_EQ(vms_shmdt(mm, X), 0);
	CHECK_EQ(nattch(mm, 0), 0);
	CHECK_EQ(nattch(mm, 1), 3);
	VALID(mm);
}

/* ---- shmctl, fork, exit ---- */

TEST(shmctl_stat_counts_every_vma_as_an_attach)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, 0x42, 10000, VMS_IPC_CREAT | 0640), 0);
	struct vms_shmid_ds ds;
	CHECK_EQ(vms_shmctl(mm, 0, VMS_IPC_STAT, &ds), 0);
	CHECK_EQ(ds.key, 0x42);
	CHECK_EQ(ds.mode, 0640);
	CHECK_EQ(ds.segsz, 10000);
	CHECK_EQ(ds.nattch, 0);
	long a = vms_shmat(mm, 0, 0, 0);
	CHECK_EQ(nattch(mm, 0), 1);
	CHECK_EQ(vms_mprotect(mm, (uint64_t)a + PG, PG, VMS_PROT_READ), 0);
	CHECK_EQ(nattch(mm, 0), 3);
	CHECK_EQ(vms_munmap(mm, (uint64_t)a, PG), 0);
	CHECK_EQ(nattch(mm, 0), 2);
	CHECK_EQ(vms_mremap(mm, (uint64_t)a + 2 * PG, PG, 4 * PG, VMS_MREMAP_MAYMOVE, 0) > 0, 1);
	CHECK_EQ(nattch(mm, 0), 2);
	/* SHM_STAT takes the index and returns the id. */
	CHECK_EQ(vms_shmctl(mm, 0, VMS_SHM_STAT, &ds), 0);
	CHECK_EQ(vms_shmctl(mm, 0, 99, &ds), -VMS_EINVAL);
	CHECK_EQ(vms_shmctl(mm, -1, VMS_IPC_STAT, &ds), -VMS_EINVAL);
	VALID(mm);
}

TEST(shmctl_rmid_waits_for_the_last_attach)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, 0x1234, 5000, VMS_IPC_CREAT | 0644), 0);
	long a = vms_shmat(mm, 0, 0, 0);
	CHECK_EQ(vms_shmctl(mm, 0, VMS_IPC_RMID, NULL), 0);
	struct vms_shmid_ds ds;
	CHECK_EQ(vms_shmctl(mm, 0, VMS_IPC_STAT, &ds), 0);
	CHECK_EQ(ds.key, VMS_IPC_PRIVATE);
	CHECK_EQ(ds.mode, 0644 | VMS_SHM_DEST);
	/* The key is gone: a new segment may take it. */
	CHECK_EQ(vms_shmget(mm, 0x1234, 5000, 0), -VMS_ENOENT);
	/* A removed segment still attaches by id. */
	long b = vms_shmat(mm, 0, 0, 0);
	CHECK(b > 0);
	CHECK_EQ(nattch(mm, 0), 2);
	CHECK_EQ(vms_shmdt(mm, (uint64_t)a), 0);
	CHECK_EQ(vms_shmctl(mm, 0, VMS_IPC_STAT, &ds), 0);
	CHECK_EQ(vms_munmap(mm, (uint64_t)b, PG), 0);
	CHECK_EQ(vms_munmap(mm, (uint64_t)b + PG, PG), 0);
	CHECK_EQ(vms_shmctl(mm, 0, VMS_IPC_STAT, &ds), -VMS_EINVAL);
	/* Unattached, it goes at once. */
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), 1);
	CHECK_EQ(vms_shmctl(mm, 1, VMS_IPC_RMID, NULL), 0);
	CHECK_EQ(vms_shmctl(mm, 1, VMS_IPC_RMID, NULL), -VMS_EINVAL);
}

TEST(shm_fork_and_exit_count_attaches)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 2 * PG, 0600), 0);
	long a = vms_shmat(mm, 0, 0, 0);
	CHECK_EQ(vms_mprotect(mm, (uint64_t)a, PG, VMS_PROT_READ), 0);
	int err;
	vms_mm *child = vms_fork(mm, &err);
	CHECK(child);
	CHECK_EQ(nattch(mm, 0), 4);
	CHECK_EQ(vms_shmctl(mm, 0, VMS_IPC_RMID, NULL), 0);
	vms_mm_free(mm);
	CHECK_EQ(nattch(child, 0), 2);
	vms_mm_free(child);
	vms_mm *other = new_mm(sys);
	CHECK_EQ(vms_shmctl(other, 0, VMS_IPC_STAT, NULL), -VMS_EINVAL);
}

TEST(shm_rmid_forced_destroys_at_the_last_detach_and_at_exit)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_sysctl_set(sys, "kernel.shm_rmid_forced", 1), 0);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), 0);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), 1);
	long a = vms_shmat(mm, 0, 0, 0);
	CHECK_EQ(vms_shmctl(mm, 0, VMS_IPC_STAT, NULL), 0);
	CHECK_EQ(vms_shmdt(mm, (uint64_t)a), 0);
	CHECK_EQ(vms_shmctl(mm, 0, VMS_IPC_STAT, NULL), -VMS_EINVAL);
	/* Never attached: it stays until its creator exits. */
	vms_mm *other = new_mm(sys);
	CHECK_EQ(vms_shmctl(other, 1, VMS_IPC_STAT, NULL), 0);
	vms_mm_free(mm);
	CHECK_EQ(vms_shmctl(other, 1, VMS_IPC_STAT, NULL), -VMS_EINVAL);
}

TEST(shm_rmid_forced_turned_on_destroys_the_orphans)
{
	vms_mm *mm = new_mm(sys), *other = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), 0);
	CHECK_EQ(vms_shmget(other, VMS_IPC_PRIVATE, PG, 0600), 1);
	vms_mm_free(mm);
	CHECK_EQ(vms_shmctl(other, 0, VMS_IPC_STAT, NULL), 0);
	CHECK_EQ(vms_sysctl_set(sys, "kernel.shm_rmid_forced", 1), 0);
	CHECK_EQ(vms_shmctl(other, 0, VMS_IPC_STAT, NULL), -VMS_EINVAL);
	CHECK_EQ(vms_shmctl(other, 1, VMS_IPC_STAT, NULL), 0);
}

TEST(shmctl_info_reports_limits_and_the_highest_index)
{
	vms_mm *mm = new_mm(sys);
	struct vms_shmid_ds ds;
	CHECK_EQ(vms_shmctl(mm, 0, VMS_IPC_INFO, &ds), 0);
	CHECK_EQ(ds.shmmni, 4096);
	CHECK_EQ(ds.shmmin, 1);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG + 1, 0600), i);
	CHECK_EQ(vms_shmctl(mm, 0, VMS_SHM_INFO, &ds), 2);
	CHECK_EQ(ds.used_ids, 3);
	CHECK_EQ(ds.shm_tot, 6);
	CHECK_EQ(vms_shmctl(mm, 2, VMS_IPC_RMID, NULL), 0);
	CHECK_EQ(vms_shmctl(mm, 0, VMS_IPC_INFO, &ds), 1);
}

TEST(shmctl_lock_marks_the_segment)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), 0);
	struct vms_shmid_ds ds;
	CHECK_EQ(vms_shmctl(mm, 0, VMS_SHM_LOCK, NULL), 0);
	CHECK_EQ(vms_shmctl(mm, 0, VMS_IPC_STAT, &ds), 0);
	CHECK_EQ(ds.mode, 0600 | VMS_SHM_LOCKED);
	CHECK_EQ(vms_shmctl(mm, 0, VMS_SHM_UNLOCK, NULL), 0);
	CHECK_EQ(vms_shmctl(mm, 0, VMS_IPC_STAT, &ds), 0);
	CHECK_EQ(ds.mode, 0600);
	ds.mode = 0400;
	CHECK_EQ(vms_shmctl(mm, 0, VMS_IPC_SET, &ds), 0);
	CHECK_EQ(vms_shmctl(mm, 0, VMS_IPC_STAT, &ds), 0);
	CHECK_EQ(ds.mode, 0400);
}

/* ---- running out of the model's memory changes nothing ---- */

TEST(shm_alloc_failure_changes_nothing)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 4 * PG, 0600), 0);
	CHECK_EQ(vms_shmat(mm, 0, X, 0), (long)X);
	CHECK_EQ(vms_munmap(mm, X + PG, PG), 0);
	for (uint64_t n = 1; n < 8; n++) {
		struct t_snap before, after;
		struct vms_shmid_ds ds0, ds1;
		t_snap_take(sys, mm, &before);
		CHECK_EQ(vms_shmctl(mm, 0, VMS_SHM_INFO, &ds0), 0);
		vms_sys_fail_alloc_after(sys, n);
		long g = vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600);
		long a = g >= 0 ? vms_shmat(mm, (int)g, 0, 0) : -VMS_ENOMEM;
		long d = vms_shmdt(mm, X);
		vms_sys_fail_alloc_after(sys, 0);
		if (g == -VMS_ENOMEM) {
			CHECK_EQ(vms_shmctl(mm, 0, VMS_SHM_INFO, &ds1), 0);
			CHECK_EQ(ds1.used_ids, ds0.used_ids);
		}
		if (g >= 0 && a == -VMS_ENOMEM)
			CHECK_EQ(nattch(mm, (int)g), 0);
		if (d == -VMS_ENOMEM && a == -VMS_ENOMEM) {
			t_snap_take(sys, mm, &after);
			CHECK(t_snap_equal(&before, &after));
		}
		VALID(mm);
		if (d == 0)
			break;
	}
}

/* THP asks shmem_file(): an attach's pages are its segment's shmem pages, so
 * MADV_COLLAPSE takes an attach as it takes shmem. */
TEST(shm_attach_collapses_as_shmem)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 4 * MB, 0600), 0);
	CHECK_EQ(vms_shmat(mm, 0, X, 0), (long)X);
	CHECK_EQ(vms_madvise(mm, X, 2 * MB, VMS_MADV_COLLAPSE), -VMS_EINVAL); /* nothing there */
	CHECK_EQ(vms_fault(mm, X, 0), 0);
	CHECK_EQ(vms_madvise(mm, X, 2 * MB, VMS_MADV_COLLAPSE), 0);
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	CHECK_EQ(c.rss_shmem, 512);
	VALID(mm);
}

/* ipc/util.c ipcperms(): the creator's euid owns a segment; another uid gets
 * the group's bits (its fsgid is the owner's group) or the others', and
 * CAP_IPC_OWNER passes anyway; IPC_RMID and IPC_SET are for the owner, the
 * creator or CAP_SYS_ADMIN (ipcctl_obtain_check), SHM_LOCK without
 * CAP_IPC_LOCK for the owner or creator (live: a process that setresuid()s
 * to 1000 after root made the segment, kdiff commit seeds 409937612669102..). */
TEST(shm_ipcperms_follow_the_callers_ids_and_capabilities)
{
	/* root with every capability, as the kdiff helper runs */
	const uint64_t all = (1ULL << 41) - 1;
	struct vms_mm_config cfg = {
	    .has_creds = 1, .creds = {.cap_effective = all, .cap_permitted = all, .cap_bset = all}};
	vms_mm *mm = vms_mm_new(sys, &cfg);
	CHECK(mm);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), 0);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0640), 1);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0604), 2);
	struct vms_shmid_ds ds;
	CHECK_EQ(vms_shmctl(mm, 0, VMS_IPC_STAT, &ds), 0);
	CHECK_EQ(ds.uid, 0);
	CHECK_EQ(ds.cuid, 0);
	/* root's effective uid goes to 1000: its capabilities go too */
	CHECK_EQ(vms_setresuid(mm, UINT32_MAX, 1000, UINT32_MAX), 0);
	CHECK_EQ(vms_shmat(mm, 0, 0, 0), -VMS_EACCES);
	CHECK_EQ(vms_shmctl(mm, 0, VMS_IPC_STAT, &ds), -VMS_EACCES);
	CHECK_EQ(vms_shmctl(mm, 0, VMS_SHM_STAT, &ds), -VMS_EACCES);
	CHECK(vms_shmat(mm, 1, 0, VMS_SHM_RDONLY) > 0); /* group r: fsgid is 0 */
	CHECK_EQ(vms_shmat(mm, 1, 0, 0), -VMS_EACCES);  /* no group w */
	CHECK_EQ(vms_shmctl(mm, 1, VMS_IPC_RMID, NULL), -VMS_EPERM);
	CHECK_EQ(vms_shmctl(mm, 1, VMS_SHM_LOCK, NULL), -VMS_EPERM);
	CHECK_EQ(vms_shmctl(mm, 2, VMS_SHM_STAT_ANY, &ds), 2); /* no check */
	/* the segment it makes is its own */
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG, 0600), 3);
	CHECK(vms_shmat(mm, 3, 0, 0) > 0);
	CHECK_EQ(vms_shmctl(mm, 3, VMS_IPC_STAT, &ds), 0);
	CHECK_EQ(ds.uid, 1000);
	CHECK_EQ(ds.gid, 0);
	ds.uid = 0;
	ds.mode = 0666;
	CHECK_EQ(vms_shmctl(mm, 3, VMS_IPC_SET, &ds), 0); /* gives it to root */
	CHECK_EQ(vms_shmctl(mm, 3, VMS_IPC_STAT, &ds), 0);
	CHECK_EQ(ds.uid, 0);
	CHECK_EQ(ds.cuid, 1000); /* still the creator: may change it */
	CHECK_EQ(vms_shmctl(mm, 3, VMS_IPC_RMID, NULL), 0);
	/* back to root: everything again */
	CHECK_EQ(vms_setresuid(mm, UINT32_MAX, 0, UINT32_MAX), 0);
	CHECK_EQ(vms_shmctl(mm, 0, VMS_IPC_STAT, &ds), 0);
	vms_mm_free(mm);
}

/* ipc/util.c ipcperms() and ipcctl_obtain_check(): the segment's owner and
 * creator are its maker's euid/egid; another euid gets the group bits by
 * its fsgid, else the other bits; IPC_RMID is the owner's or CAP_SYS_ADMIN's. */
TEST(shm_permission_bits_follow_the_callers_euid_and_group)
{
	struct vms_mm_config rc = {.has_creds = 1};
	rc.creds.cap_bset = (1ULL << 41) - 1;
	vms_mm *root = vms_mm_new(sys, &rc);
	struct vms_mm_config uc = {.has_creds = 1};
	uc.creds = (struct vms_creds){.uid = 1000, .euid = 1000, .suid = 1000, .fsuid = 1000,
				      .gid = 1000, .egid = 1000, .sgid = 1000, .fsgid = 1000};
	vms_mm *user = vms_mm_new(sys, &uc);
	struct vms_mm_config gc = uc;
	gc.creds.fsgid = 0; /* in the segment's group */
	vms_mm *grp = vms_mm_new(sys, &gc);
	long id = vms_shmget(root, 0x4242, 4096, VMS_IPC_CREAT | 0640);
	CHECK(id >= 0);
	struct vms_shmid_ds ds;
	CHECK_EQ(vms_shmctl(root, (int)id, VMS_IPC_STAT, &ds), 0);
	CHECK_EQ(vms_shmctl(user, (int)id, VMS_IPC_STAT, &ds), -VMS_EACCES);
	CHECK_EQ(vms_shmctl(grp, (int)id, VMS_IPC_STAT, &ds), 0);
	CHECK_EQ(vms_shmget(grp, 0x4242, 0, 0200), -VMS_EACCES);
	CHECK_EQ(vms_shmat(user, (int)id, 0, VMS_SHM_RDONLY), -VMS_EACCES);
	CHECK_EQ(vms_shmctl(grp, (int)id, VMS_IPC_RMID, NULL), -VMS_EPERM);
	CHECK_EQ(vms_shmctl(grp, (int)id, VMS_SHM_LOCK, NULL), -VMS_EPERM);
	/* A segment user made is its own: the owner bits apply to it. */
	long mine = vms_shmget(user, VMS_IPC_PRIVATE, 4096, VMS_IPC_CREAT | 0600);
	CHECK(mine >= 0);
	CHECK_EQ(vms_shmctl(user, (int)mine, VMS_IPC_STAT, &ds), 0);
	CHECK_EQ(vms_shmctl(user, (int)mine, VMS_IPC_RMID, NULL), 0);
	CHECK_EQ(vms_shmctl(root, (int)id, VMS_IPC_RMID, NULL), 0);
	vms_mm_free(grp);
	vms_mm_free(user);
	vms_mm_free(root);
}

/* mm/mlock.c user_shm_lock(): without CAP_IPC_LOCK, SHM_LOCK charges the
 * user's locked shm against RLIMIT_MEMLOCK (all its locked segments
 * together): past it, ENOMEM; SHM_UNLOCK gives the pages back. */
TEST(shmctl_lock_charges_the_users_locked_shm_against_rlimit_memlock)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE,
				    .has_rlimits = 1,
				    .rlim_stack = {8 * MB, VMS_RLIM_INFINITY},
				    .rlim_data = {VMS_RLIM_INFINITY, VMS_RLIM_INFINITY},
				    .rlim_as = {VMS_RLIM_INFINITY, VMS_RLIM_INFINITY},
				    .rlim_memlock = {3 * PG, 3 * PG}};
	vms_mm *mm = vms_mm_new(sys, &cfg);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 4 * PG, 0600), 0);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, 2 * PG, 0600), 1);
	CHECK_EQ(vms_shmget(mm, VMS_IPC_PRIVATE, PG + 1, 0600), 2);
	CHECK_EQ(vms_shmctl(mm, 0, VMS_SHM_LOCK, NULL), -VMS_ENOMEM);
	CHECK_EQ(vms_shmctl(mm, 1, VMS_SHM_LOCK, NULL), 0);
	CHECK_EQ(vms_shmctl(mm, 2, VMS_SHM_LOCK, NULL), -VMS_ENOMEM); /* 2 + 2 > 3 */
	CHECK_EQ(vms_shmctl(mm, 1, VMS_SHM_UNLOCK, NULL), 0);
	CHECK_EQ(vms_shmctl(mm, 2, VMS_SHM_LOCK, NULL), 0);
	vms_mm_free(mm);
}


/* ipc/util.c ipcperms() by uid: a segment a root process made (mode 0600)
 * refuses shmat and IPC_STAT to a process that became uid 1000 without
 * CAP_IPC_OWNER (EACCES); ipcctl_obtain_check(): IPC_RMID by a process
 * neither creator nor owner, without CAP_SYS_ADMIN, is EPERM; and
 * shmctl_do_lock(): SHM_LOCK too, without CAP_IPC_LOCK. Its own segments
 * stay its own. Found by the breadth test (a child that called setuid). */
TEST(shm_permissions_follow_the_callers_euid)
{
	struct vms_mm_config cfg = {
	    .personality = VMS_ADDR_NO_RANDOMIZE,
	    .has_creds = 1,
	    .creds = {.cap_effective = (1ULL << 41) - 1, .cap_permitted = (1ULL << 41) - 1,
		      .cap_bset = (1ULL << 41) - 1}};
	vms_mm *root = vms_mm_new(sys, &cfg);
	long id = vms_shmget(root, VMS_IPC_PRIVATE, PG, VMS_IPC_CREAT | 0600);
	CHECK(id >= 0);
	int err = 0;
	vms_mm *child = vms_fork(root, &err);
	CHECK(child != NULL);
	CHECK_EQ(vms_setuid(child, 1000), 0); /* all ids: the capabilities go */
	CHECK_EQ(vms_shmat(child, (int)id, 0, 0), -VMS_EACCES);
	struct vms_shmid_ds ds;
	CHECK_EQ(vms_shmctl(child, (int)id, VMS_IPC_STAT, &ds), -VMS_EACCES);
	CHECK_EQ(vms_shmctl(child, (int)id, VMS_IPC_RMID, &ds), -VMS_EPERM);
	CHECK_EQ(vms_shmctl(child, (int)id, VMS_SHM_LOCK, &ds), -VMS_EPERM);
	long own = vms_shmget(child, VMS_IPC_PRIVATE, PG, VMS_IPC_CREAT | 0600);
	CHECK(own >= 0);
	CHECK(vms_shmat(child, (int)own, 0, 0) > 0);
	CHECK_EQ(vms_shmctl(child, (int)own, VMS_IPC_RMID, &ds), 0);
	/* root keeps its own, and CAP_SYS_ADMIN may remove any */
	CHECK(vms_shmat(root, (int)id, 0, 0) > 0);
	CHECK_EQ(vms_shmctl(root, (int)id, VMS_IPC_RMID, &ds), 0);
	vms_mm_free(child);
	vms_mm_free(root);
}
