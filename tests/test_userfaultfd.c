/* test_userfaultfd.c: one test per userfaultfd rule (fs/userfaultfd.c,
 * mm/userfaultfd.c, the merge condition in mm/vma.c, fork and mremap), with
 * what the live 6.18 kernel showed for each (docs/kernel/userfaultfd.md). */
#include "t.h"

#define PG 4096ULL
#define A 0x200000000ULL
#define RW (VMS_PROT_READ | VMS_PROT_WRITE)
#define PA (VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS)
#define MISSING VMS_UFFDIO_REGISTER_MODE_MISSING
#define WP VMS_UFFDIO_REGISTER_MODE_WP
#define MINOR VMS_UFFDIO_REGISTER_MODE_MINOR
#define UFFD_FLAGS (VMS_VM_UFFD_MISSING | VMS_VM_UFFD_WP | VMS_VM_UFFD_MINOR)
#define CAP_SYS_PTRACE_BIT (1ULL << 19)

/* root with every capability, ASLR off. */
static vms_mm *new_mm_caps(vms_sys *sys, uint64_t caps)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE, .has_creds = 1};
	cfg.creds.cap_effective = cfg.creds.cap_permitted = cfg.creds.cap_bset = caps;
	return vms_mm_new(sys, &cfg);
}

static vms_mm *new_mm(vms_sys *sys)
{
	return new_mm_caps(sys, ~0ULL >> 23);
}

static int anon_at(vms_mm *mm, uint64_t a, uint64_t len)
{
	return vms_mmap(mm, a, len, RW, PA | VMS_MAP_FIXED, NULL, 0) == (long)a;
}

/* A context with UFFDIO_API done asking for features. */
static vms_uffd *new_uffd(vms_mm *mm, uint64_t features)
{
	vms_uffd *u = NULL;
	if (vms_userfaultfd(mm, VMS_O_CLOEXEC | VMS_O_NONBLOCK, &u))
		return NULL;
	if (vms_uffdio_api(u, VMS_UFFD_API, features, NULL, NULL)) {
		vms_uffd_close(u);
		return NULL;
	}
	return u;
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

static uint64_t uflags_at(vms_mm *mm, uint64_t addr)
{
	return info_at(mm, addr).vm_flags & UFFD_FLAGS;
}

static int count_vmas(vms_mm *mm)
{
	int n = 0;
	for (const vms_vma *v = vms_vma_first(mm); v; v = vms_vma_next(mm, v))
		n++;
	return n;
}

/* ---- userfaultfd(2) ---- */

/* Without CAP_SYS_PTRACE, vm.unprivileged_userfaultfd = 0 refuses kernel-mode
 * contexts; UFFD_USER_MODE_ONLY is always allowed. */
TEST(uffd_permission_sysctl_ptrace_user_mode_only)
{
	vms_mm *mm = new_mm_caps(sys, 0);
	vms_uffd *u = NULL;
	CHECK_EQ(vms_userfaultfd(mm, 0, &u), -VMS_EPERM);
	CHECK(u == NULL);
	CHECK_EQ(vms_userfaultfd(mm, VMS_UFFD_USER_MODE_ONLY, &u), 0);
	vms_uffd_close(u);
	CHECK_EQ(vms_sysctl_set(sys, "vm.unprivileged_userfaultfd", 1), 0);
	CHECK_EQ(vms_userfaultfd(mm, VMS_O_CLOEXEC, &u), 0);
	vms_uffd_close(u);
	vms_mm *root = new_mm_caps(sys, CAP_SYS_PTRACE_BIT);
	CHECK_EQ(vms_sysctl_set(sys, "vm.unprivileged_userfaultfd", 0), 0);
	CHECK_EQ(vms_userfaultfd(root, 0, &u), 0);
	vms_uffd_close(u);
}

/* new_userfaultfd(): only O_CLOEXEC, O_NONBLOCK and UFFD_USER_MODE_ONLY. */
TEST(uffd_flags_checked)
{
	vms_mm *mm = new_mm(sys);
	vms_uffd *u = NULL;
	CHECK_EQ(vms_userfaultfd(mm, 2, &u), -VMS_EINVAL);
	CHECK_EQ(vms_userfaultfd(mm, VMS_O_CLOEXEC | VMS_O_NONBLOCK | VMS_UFFD_USER_MODE_ONLY, &u), 0);
	vms_uffd_close(u);
}

/* live: features=0x1ffff ioctls=0x8000000000000003; a second UFFDIO_API is
 * EINVAL; a wrong api or an unknown feature EINVAL with the struct zeroed. */
TEST(uffd_api_once_reports_features_and_ioctls)
{
	vms_mm *mm = new_mm(sys);
	vms_uffd *u = NULL;
	CHECK_EQ(vms_userfaultfd(mm, 0, &u), 0);
	uint64_t f = 1, io = 1;
	CHECK_EQ(vms_uffdio_api(u, 0xab, 0, &f, &io), -VMS_EINVAL);
	CHECK_EQ(f, 0);
	CHECK_EQ(io, 0);
	CHECK_EQ(vms_uffdio_api(u, VMS_UFFD_API, 1ULL << 20, &f, &io), -VMS_EINVAL);
	CHECK_EQ(vms_uffdio_api(u, VMS_UFFD_API, 0, &f, &io), 0);
	CHECK_EQ(f, 0x1ffff);
	CHECK_EQ(io, 0x8000000000000003ULL);
	CHECK_EQ(vms_uffdio_api(u, VMS_UFFD_API, 0, &f, &io), -VMS_EINVAL);
	CHECK_EQ(f, 0);
	vms_uffd_close(u);
}

/* UFFD_FEATURE_EVENT_FORK needs CAP_SYS_PTRACE. */
TEST(uffd_api_event_fork_needs_ptrace)
{
	vms_mm *mm = new_mm_caps(sys, 0);
	vms_uffd *u = NULL;
	CHECK_EQ(vms_userfaultfd(mm, VMS_UFFD_USER_MODE_ONLY, &u), 0);
	CHECK_EQ(vms_uffdio_api(u, VMS_UFFD_API, VMS_UFFD_FEATURE_EVENT_FORK, NULL, NULL),
		 -VMS_EPERM);
	CHECK_EQ(vms_uffdio_api(u, VMS_UFFD_API, VMS_UFFD_FEATURE_EVENT_REMAP, NULL, NULL), 0);
	vms_uffd_close(u);
}

/* Every ioctl but UFFDIO_API is EINVAL before it (live). */
TEST(uffd_register_before_api_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG));
	vms_uffd *u = NULL;
	CHECK_EQ(vms_userfaultfd(mm, 0, &u), 0);
	CHECK_EQ(vms_uffdio_register(u, A, PG, MISSING, NULL), -VMS_EINVAL);
	vms_uffd_close(u);
}

/* ---- UFFDIO_REGISTER ---- */

/* validate_range(): page-aligned start and length, not 0, above
 * mmap_min_addr, below TASK_SIZE; mode not 0 and known (all live EINVAL). */
TEST(uffd_register_range_and_mode_checks)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG));
	vms_uffd *u = new_uffd(mm, 0);
	CHECK(u);
	CHECK_EQ(vms_uffdio_register(u, A, PG, 0, NULL), -VMS_EINVAL);
	CHECK_EQ(vms_uffdio_register(u, A, PG, 8, NULL), -VMS_EINVAL);
	CHECK_EQ(vms_uffdio_register(u, A + 1, PG, MISSING, NULL), -VMS_EINVAL);
	CHECK_EQ(vms_uffdio_register(u, A, PG - 1, MISSING, NULL), -VMS_EINVAL);
	CHECK_EQ(vms_uffdio_register(u, A, 0, MISSING, NULL), -VMS_EINVAL);
	CHECK_EQ(vms_uffdio_register(u, 0x1000, PG, MISSING, NULL), -VMS_EINVAL);
	CHECK_EQ(vms_uffdio_register(u, 0x7ffffffff000ULL, 2 * PG, MISSING, NULL), -VMS_EINVAL);
	CHECK_EQ(count_vmas(mm), 1);
	vms_uffd_close(u);
}

/* Part of a VMA: it splits at both ends; the ioctls mask follows the mode
 * (live: MISSING 0x13c, WP 0x17c, MINOR on shmem 0x1bc). */
TEST(uffd_register_splits_and_returns_ioctls)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 8 * PG));
	vms_uffd *u = new_uffd(mm, 0);
	uint64_t io = 0;
	CHECK_EQ(vms_uffdio_register(u, A + 2 * PG, 2 * PG, MISSING, &io), 0);
	CHECK_EQ(io, 0x13c);
	CHECK_EQ(count_vmas(mm), 3);
	CHECK_EQ(uflags_at(mm, A + 2 * PG), VMS_VM_UFFD_MISSING);
	CHECK_EQ(uflags_at(mm, A), 0);
	CHECK(vms_vma_uffd(mm, vms_find_vma(mm, A + 2 * PG)) == u);
	CHECK_EQ(vms_uffdio_register(u, A + 6 * PG, PG, WP, &io), 0);
	CHECK_EQ(io, 0x17c);
	VALID(mm);
	vms_uffd_close(u);
	CHECK_EQ(count_vmas(mm), 1);
}

/* userfaultfd_register_range(): a VMA already registered with the asked modes
 * is skipped (MISSING on MISSING|WP stays MISSING|WP); otherwise the modes
 * are replaced (WP on MISSING gives WP alone; live smaps "uw"). */
TEST(uffd_register_modes_replace_or_skip)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG));
	vms_uffd *u = new_uffd(mm, 0);
	CHECK_EQ(vms_uffdio_register(u, A, 2 * PG, MISSING, NULL), 0);
	CHECK_EQ(vms_uffdio_register(u, A, PG, WP, NULL), 0);
	CHECK_EQ(uflags_at(mm, A), VMS_VM_UFFD_WP);
	CHECK_EQ(vms_uffdio_register(u, A + PG, PG, MISSING | WP, NULL), 0);
	CHECK_EQ(vms_uffdio_register(u, A + PG, PG, MISSING, NULL), 0);
	CHECK_EQ(uflags_at(mm, A + PG), VMS_VM_UFFD_MISSING | VMS_VM_UFFD_WP);
	CHECK_EQ(count_vmas(mm), 3);
	vms_uffd_close(u);
}

/* Holes inside the range are skipped (live 0); a range with no VMA is
 * EINVAL. */
TEST(uffd_register_holes_skipped_empty_range_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG));
	CHECK(anon_at(mm, A + 5 * PG, 2 * PG));
	vms_uffd *u = new_uffd(mm, 0);
	CHECK_EQ(vms_uffdio_register(u, A + 3 * PG, 3 * PG, MISSING, NULL), 0);
	CHECK_EQ(uflags_at(mm, A + 3 * PG), VMS_VM_UFFD_MISSING);
	CHECK_EQ(uflags_at(mm, A + 5 * PG), VMS_VM_UFFD_MISSING);
	CHECK_EQ(uflags_at(mm, A + 6 * PG), 0);
	CHECK_EQ(vms_uffdio_register(u, A + 4 * PG, PG, MISSING, NULL), -VMS_EINVAL);
	vms_uffd_close(u);
}

/* vma_can_userfault(): a regular file is EINVAL (live); MINOR needs shmem or
 * hugetlb (anonymous: EINVAL, live); shared anonymous takes MINOR and WP. */
TEST(uffd_register_vma_can_userfault)
{
	vms_mm *mm = new_mm(sys);
	struct vms_inode_info ii = {.dev_major = 254, .ino = 861, .size = 4 * PG, .path = "/etc/x"};
	vms_inode *ino = vms_inode_get(sys, &ii);
	vms_file *f = vms_file_open(ino, VMS_O_RDONLY);
	CHECK_EQ(vms_mmap(mm, 0x300000000ULL, PG, VMS_PROT_READ,
			  VMS_MAP_PRIVATE | VMS_MAP_FIXED, f, 0),
		 0x300000000LL);
	CHECK(anon_at(mm, A, 4 * PG));
	CHECK_EQ(vms_mmap(mm, 0x400000000ULL, 4 * PG, RW,
			  VMS_MAP_SHARED | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED, NULL, 0),
		 0x400000000LL);
	vms_uffd *u = new_uffd(mm, 0);
	uint64_t io = 0;
	CHECK_EQ(vms_uffdio_register(u, 0x300000000ULL, PG, MISSING, NULL), -VMS_EINVAL);
	CHECK_EQ(vms_uffdio_register(u, A, PG, MINOR, NULL), -VMS_EINVAL);
	CHECK_EQ(vms_uffdio_register(u, 0x400000000ULL, PG, MINOR, &io), 0);
	CHECK_EQ(io, 0x1bc);
	CHECK_EQ(vms_uffdio_register(u, 0x400001000ULL, PG, WP, &io), 0);
	CHECK_EQ(uflags_at(mm, 0x400000000ULL), VMS_VM_UFFD_MINOR);
	/* Unregistering a range with a regular file VMA in it: EINVAL too. */
	CHECK_EQ(vms_uffdio_unregister(u, 0x300000000ULL, PG), -VMS_EINVAL);
	vms_uffd_close(u);
	vms_file_close(f);
}

/* Without WP_HUGETLBFS_SHMEM (no PTE markers) WP is for anonymous memory. */
TEST(uffd_register_wp_shmem_needs_feature)
{
	CHECK_EQ(vms_sysctl_set(sys, "uffd.features", 0x1ffff & ~(1ULL << 12)), 0);
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_mmap(mm, 0x400000000ULL, 4 * PG, RW,
			  VMS_MAP_SHARED | VMS_MAP_ANONYMOUS | VMS_MAP_FIXED, NULL, 0),
		 0x400000000LL);
	vms_uffd *u = new_uffd(mm, 0);
	CHECK_EQ(vms_uffdio_register(u, 0x400000000ULL, PG, WP, NULL), -VMS_EINVAL);
	CHECK_EQ(vms_uffdio_register(u, 0x400000000ULL, PG, MISSING, NULL), 0);
	vms_uffd_close(u);
}

/* A VMA without VM_MAYWRITE (a shared mapping of a read-only tmpfs file):
 * EPERM, since UFFDIO_COPY would write its file. */
TEST(uffd_register_needs_maywrite)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = NULL;
	CHECK_EQ(vms_memfd_create(sys, "x", VMS_MFD_ALLOW_SEALING, &f), 0);
	CHECK_EQ(vms_ftruncate(f, 4 * PG), 0);
	CHECK_EQ(vms_add_seals(f, 0x8 /* F_SEAL_WRITE */), 0);
	CHECK_EQ(vms_mmap(mm, 0x400000000ULL, 4 * PG, VMS_PROT_READ,
			  VMS_MAP_SHARED | VMS_MAP_FIXED, f, 0),
		 0x400000000LL);
	vms_uffd *u = new_uffd(mm, 0);
	CHECK_EQ(vms_uffdio_register(u, 0x400000000ULL, PG, MISSING, NULL), -VMS_EPERM);
	vms_uffd_close(u);
	vms_file_close(f);
}

/* One context per VMA: another context's VMA is EBUSY (live), and nothing
 * of the range changes. */
TEST(uffd_register_other_context_ebusy)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 8 * PG));
	vms_uffd *a = new_uffd(mm, 0), *b = new_uffd(mm, 0);
	CHECK_EQ(vms_uffdio_register(a, A + 4 * PG, 4 * PG, MISSING, NULL), 0);
	CHECK_EQ(vms_uffdio_register(b, A + 2 * PG, 4 * PG, MISSING, NULL), -VMS_EBUSY);
	CHECK_EQ(count_vmas(mm), 2);
	vms_uffd_close(a);
	vms_uffd_close(b);
}

/* ---- the merge condition (is_mergeable_vma) ---- */

/* Two ranges registered with the same modes to different contexts stay
 * apart, even after an mprotect of both (live); closing one context lets
 * its VMAs merge with the unregistered rest. */
TEST(uffd_context_is_merge_condition)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 8 * PG));
	vms_uffd *a = new_uffd(mm, 0), *b = new_uffd(mm, 0);
	CHECK_EQ(vms_uffdio_register(a, A, 2 * PG, MISSING, NULL), 0);
	CHECK_EQ(vms_uffdio_register(b, A + 2 * PG, 2 * PG, MISSING, NULL), 0);
	CHECK_EQ(count_vmas(mm), 3);
	CHECK_EQ(vms_mprotect(mm, A, 8 * PG, VMS_PROT_READ), 0);
	CHECK_EQ(count_vmas(mm), 3);
	/* Registered to a too: now one VMA with the first range. */
	CHECK_EQ(vms_uffdio_unregister(b, A + 2 * PG, 2 * PG), 0);
	CHECK_EQ(count_vmas(mm), 2);
	CHECK_EQ(vms_uffdio_register(a, A + 2 * PG, 2 * PG, MISSING, NULL), 0);
	CHECK_EQ(count_vmas(mm), 2);
	CHECK_EQ(info_at(mm, A).end, A + 4 * PG);
	vms_uffd_close(a);
	CHECK_EQ(count_vmas(mm), 1);
	vms_uffd_close(b);
	VALID(mm);
}

/* ---- UFFDIO_UNREGISTER ---- */

/* Part of a registered VMA splits it; the rest merges back afterwards. */
TEST(uffd_unregister_splits_and_merges)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 8 * PG));
	vms_uffd *u = new_uffd(mm, 0);
	CHECK_EQ(vms_uffdio_register(u, A + 2 * PG, 4 * PG, MISSING, NULL), 0);
	CHECK_EQ(vms_uffdio_unregister(u, A + 3 * PG, PG), 0);
	CHECK_EQ(count_vmas(mm), 5);
	CHECK_EQ(vms_uffdio_unregister(u, A, 8 * PG), 0);
	CHECK_EQ(count_vmas(mm), 1);
	vms_uffd_close(u);
}

/* Another context's VMA in the range is EINVAL (live), before any change. */
TEST(uffd_unregister_other_context_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 8 * PG));
	vms_uffd *a = new_uffd(mm, 0), *b = new_uffd(mm, 0);
	CHECK_EQ(vms_uffdio_register(a, A + 4 * PG, 4 * PG, MISSING, NULL), 0);
	CHECK_EQ(vms_uffdio_unregister(b, A + 4 * PG, PG), -VMS_EINVAL);
	CHECK_EQ(uflags_at(mm, A + 4 * PG), VMS_VM_UFFD_MISSING);
	/* No VMA at all in the range: EINVAL. */
	CHECK_EQ(vms_uffdio_unregister(a, A + 16 * PG, PG), -VMS_EINVAL);
	vms_uffd_close(a);
	vms_uffd_close(b);
}

/* ---- fork, mremap, exec ---- */

/* dup_userfaultfd(): without UFFD_FEATURE_EVENT_FORK the child's VMAs lose
 * modes and context and do not merge (live: 4 VMAs stay 4); with it they
 * keep them under a new context of the child. */
TEST(uffd_fork_event_fork_decides)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 8 * PG));
	vms_uffd *a = new_uffd(mm, 0), *e = new_uffd(mm, VMS_UFFD_FEATURE_EVENT_FORK);
	CHECK(e);
	CHECK_EQ(vms_uffdio_register(a, A + 2 * PG, 2 * PG, MISSING, NULL), 0);
	CHECK_EQ(vms_uffdio_register(e, A + 6 * PG, PG, WP, NULL), 0);
	int err = 0;
	vms_mm *c = vms_fork(mm, &err);
	CHECK(c);
	CHECK_EQ(count_vmas(c), 5);
	CHECK_EQ(uflags_at(c, A + 2 * PG), 0);
	CHECK(vms_vma_uffd(c, vms_find_vma(c, A + 2 * PG)) == NULL);
	CHECK_EQ(uflags_at(c, A + 6 * PG), VMS_VM_UFFD_WP);
	vms_uffd *ce = vms_vma_uffd(c, vms_find_vma(c, A + 6 * PG));
	CHECK(ce && ce != e);
	CHECK_EQ(vms_uffd_features(ce), VMS_UFFD_FEATURE_EVENT_FORK);
	/* Reading the fork event gives a descriptor; its close unregisters. */
	CHECK_EQ(vms_uffd_adopt(ce), 0);
	CHECK_EQ(vms_uffd_adopt(ce), -VMS_EBUSY);
	vms_uffd_close(ce);
	CHECK_EQ(uflags_at(c, A + 6 * PG), 0);
	VALID(c);
	vms_mm_free(c);
	CHECK_EQ(uflags_at(mm, A + 6 * PG), VMS_VM_UFFD_WP);
	vms_uffd_close(a);
	vms_uffd_close(e);
}

/* A fork whose child context cannot be allocated fails whole. */
TEST(uffd_fork_alloc_failure)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 8 * PG));
	vms_uffd *e = new_uffd(mm, VMS_UFFD_FEATURE_EVENT_FORK);
	CHECK_EQ(vms_uffdio_register(e, A, PG, MISSING, NULL), 0);
	for (uint64_t n = 1; n < 40; n++) {
		vms_sys_fail_alloc_after(sys, n);
		int err = 0;
		vms_mm *c = vms_fork(mm, &err);
		vms_sys_fail_alloc_after(sys, 0);
		if (c) {
			CHECK_EQ(uflags_at(c, A), VMS_VM_UFFD_MISSING);
			vms_mm_free(c);
			break;
		}
		CHECK_EQ(err, -VMS_ENOMEM);
	}
	VALID(mm);
	vms_uffd_close(e);
}

/* mremap_userfaultfd_prep(): a moved VMA keeps its registration only with
 * UFFD_FEATURE_EVENT_REMAP; a registered VMA never moves with others. */
TEST(uffd_mremap_event_remap_decides)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG));
	CHECK(anon_at(mm, A + 8 * PG, 4 * PG));
	vms_uffd *a = new_uffd(mm, 0), *r = new_uffd(mm, VMS_UFFD_FEATURE_EVENT_REMAP);
	CHECK_EQ(vms_uffdio_register(a, A, 4 * PG, MISSING, NULL), 0);
	CHECK_EQ(vms_uffdio_register(r, A + 8 * PG, 4 * PG, MISSING, NULL), 0);
	CHECK_EQ(vms_mremap(mm, A, PG, PG, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED,
			    0x210000000ULL),
		 0x210000000LL);
	CHECK_EQ(uflags_at(mm, 0x210000000ULL), 0);
	CHECK_EQ(uflags_at(mm, A + PG), VMS_VM_UFFD_MISSING);
	CHECK_EQ(vms_mremap(mm, A + 8 * PG, PG, PG, VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED,
			    0x220000000ULL),
		 0x220000000LL);
	CHECK_EQ(uflags_at(mm, 0x220000000ULL), VMS_VM_UFFD_MISSING);
	/* A registered VMA may not move together with the VMAs after it. */
	CHECK(anon_at(mm, 0x230000000ULL, 2 * PG));
	CHECK_EQ(vms_uffdio_register(a, 0x230000000ULL, PG, MISSING, NULL), 0);
	CHECK_EQ(vms_mremap(mm, 0x230000000ULL, 2 * PG, 2 * PG,
			    VMS_MREMAP_MAYMOVE | VMS_MREMAP_FIXED, 0x240000000ULL),
		 -VMS_EFAULT);
	CHECK_EQ(uflags_at(mm, 0x230000000ULL), VMS_VM_UFFD_MISSING);
	VALID(mm);
	vms_uffd_close(a);
	vms_uffd_close(r);
}

/* The context outlives its address space only as a file: ioctls are then
 * ENOMEM (mmget_not_zero fails), and close is harmless. */
TEST(uffd_context_after_mm_gone)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG));
	vms_uffd *u = new_uffd(mm, 0);
	CHECK_EQ(vms_uffdio_register(u, A, PG, MISSING, NULL), 0);
	vms_mm_free(mm);
	CHECK_EQ(vms_uffdio_register(u, A, PG, MISSING, NULL), -VMS_ENOMEM);
	CHECK_EQ(vms_uffdio_unregister(u, A, PG), -VMS_ENOMEM);
	vms_uffd_close(u);
}

/* ---- UFFDIO_COPY / UFFDIO_ZEROPAGE ---- */

/* Pages fill until one is mapped: the ioctl then says EAGAIN with the bytes
 * done; a mapped first page is EEXIST; an unregistered VMA ENOENT. Copies
 * are anonymous RSS; the zero page is not RSS. */
TEST(uffd_copy_and_zeropage_fill_unmapped_pages)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 8 * PG));
	vms_uffd *u = new_uffd(mm, 0);
	int64_t done = 7;
	CHECK_EQ(vms_uffdio_copy(u, A, 0x300000000ULL, PG, 0, &done), -VMS_ENOENT);
	CHECK_EQ(done, -VMS_ENOENT);
	/* a page there before the registration (a fault after it is SIGBUS:
	 * uffd_missing_fault_is_sigbus_where_no_page_is) */
	CHECK_EQ(vms_fault(mm, A + 2 * PG, 1), 0);
	CHECK_EQ(vms_uffdio_register(u, A, 8 * PG, MISSING, NULL), 0);
	CHECK_EQ(vms_uffdio_copy(u, A, 0x300000000ULL, 4 * PG, 0, &done), -VMS_EAGAIN);
	CHECK_EQ(done, (int64_t)(2 * PG));
	CHECK_EQ(vms_uffdio_copy(u, A, 0x300000000ULL, PG, 0, &done), -VMS_EEXIST);
	CHECK_EQ(vms_uffdio_copy(u, A + 4 * PG, 0x300000000ULL, PG, 2, &done), -VMS_EINVAL);
	struct vms_mm_counters cn;
	vms_mm_get_counters(mm, &cn);
	CHECK_EQ(cn.rss_anon, 3);
	CHECK_EQ(vms_uffdio_zeropage(u, A + 4 * PG, 4 * PG, 0, &done), 0);
	CHECK_EQ(done, (int64_t)(4 * PG));
	vms_mm_get_counters(mm, &cn);
	CHECK_EQ(cn.rss_anon, 3);
	unsigned char vec[8];
	CHECK_EQ(vms_mincore(mm, A, 8 * PG, vec), 0);
	CHECK(vec[3] == 0 && vec[4] == 1 && vec[7] == 1);
	/* A range past the VMA: ENOENT. */
	CHECK_EQ(vms_uffdio_zeropage(u, A + 7 * PG, 2 * PG, 0, &done), -VMS_ENOENT);
	vms_uffd_close(u);
}

/* vma_can_userfault(): a MAP_DROPPABLE VMA is refused (found by the
 * differential runs: the kernel says EINVAL). */
TEST(uffd_register_droppable_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_mmap(mm, A, 4 * PG, RW, 0x08 /* MAP_DROPPABLE */ | VMS_MAP_ANONYMOUS |
			  VMS_MAP_FIXED, NULL, 0),
		 (long)A);
	vms_uffd *u = new_uffd(mm, 0);
	CHECK_EQ(vms_uffdio_register(u, A, PG, MISSING, NULL), -VMS_EINVAL);
	vms_uffd_close(u);
}

/* fs/userfaultfd.c handle_userfault(): a fault on a page that is not there,
 * in a range registered for missing faults, goes to the context; the model
 * has no handler, so it is answered with SIGBUS (UFFD_FEATURE_SIGBUS): a
 * populate stops there with EFAULT, mlock's populate gives ENOMEM, an access
 * faults; a page that is there serves (live: tests/data/replay/uffd_sigbus). */
TEST(uffd_missing_fault_is_sigbus_where_no_page_is)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 8 * PG));
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_POPULATE_WRITE), 0);
	vms_uffd *u = new_uffd(mm, VMS_UFFD_FEATURE_SIGBUS);
	CHECK(u != NULL);
	CHECK_EQ(vms_uffdio_register(u, A, 8 * PG, MISSING, NULL), 0);
	CHECK_EQ(vms_madvise(mm, A, 2 * PG, VMS_MADV_POPULATE_WRITE), -VMS_EFAULT);
	CHECK_EQ(vms_madvise(mm, A + PG, PG, VMS_MADV_POPULATE_READ), -VMS_EFAULT);
	CHECK_EQ(vms_mlock(mm, A, 8 * PG), -VMS_ENOMEM);
	CHECK_EQ(vms_madvise(mm, A, PG, VMS_MADV_POPULATE_WRITE), 0);
	CHECK(vms_fault(mm, A + 2 * PG, 1) != 0);
	CHECK_EQ(vms_fault(mm, A, 1), 0);
	unsigned char vec[8];
	CHECK_EQ(vms_mincore(mm, A, 8 * PG, vec), 0);
	for (int i = 0; i < 8; i++)
		CHECK_EQ(vec[i], i == 0);
	vms_uffd_close(u);
	/* unregistered by the last close: the pages fault in again */
	CHECK_EQ(vms_madvise(mm, A, 2 * PG, VMS_MADV_POPULATE_WRITE), 0);
	VALID(mm);
	vms_mm_free(mm);
}

/* mm/userfaultfd.c mfill_file_over_size() and shmem_mfill_atomic_pte(): a
 * page of a file-backed destination past the file's end stops the fill with
 * EFAULT, checked before EEXIST; after a page done it is EAGAIN with the
 * bytes done (live: a memfd of 2 pages mapped over 4, shared and private;
 * breadth seed 4041). */
TEST(uffd_copy_past_the_end_of_a_file_is_efault)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = NULL;
	CHECK_EQ(vms_memfd_create(sys, "x", 0, &f), 0);
	CHECK_EQ(vms_ftruncate(f, 2 * PG), 0);
	CHECK_EQ(vms_mmap(mm, A, 4 * PG, RW, VMS_MAP_SHARED | VMS_MAP_FIXED, f, 0), (long)A);
	CHECK_EQ(vms_mmap(mm, A + 16 * PG, 4 * PG, RW, VMS_MAP_PRIVATE | VMS_MAP_FIXED, f, 0),
		 (long)(A + 16 * PG));
	vms_uffd *u = new_uffd(mm, VMS_UFFD_FEATURE_SIGBUS);
	CHECK(u != NULL);
	CHECK_EQ(vms_uffdio_register(u, A, 4 * PG, MISSING, NULL), 0);
	CHECK_EQ(vms_uffdio_register(u, A + 16 * PG, 4 * PG, MISSING, NULL), 0);
	int64_t done = 0;
	CHECK_EQ(vms_uffdio_copy(u, A + 2 * PG, 0x300000000ULL, PG, 0, &done), -VMS_EFAULT);
	CHECK_EQ(vms_uffdio_copy(u, A, 0x300000000ULL, PG, 0, &done), 0);
	CHECK_EQ(vms_uffdio_copy(u, A + PG, 0x300000000ULL, 2 * PG, 0, &done), -VMS_EAGAIN);
	CHECK_EQ(done, (int64_t)PG);
	CHECK_EQ(vms_uffdio_zeropage(u, A + 17 * PG, 2 * PG, 0, &done), -VMS_EAGAIN);
	CHECK_EQ(done, (int64_t)PG);
	CHECK_EQ(vms_uffdio_zeropage(u, A + 3 * PG, PG, 0, &done), -VMS_EFAULT);
	vms_uffd_close(u);
	vms_file_close(f);
	VALID(mm);
	vms_mm_free(mm);
}
