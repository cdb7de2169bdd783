/* test_process_madvise.c: one test per rule of process_madvise
 * (mm/madvise.c vector_madvise, lib/iov_iter.c __import_iovec) and
 * process_mrelease (mm/oom_kill.c), with what the live 6.18 kernel returned. */
#include "t.h"

#define PG 4096ULL
#define A 0x100000000ULL
#define RW (VMS_PROT_READ | VMS_PROT_WRITE)
#define PA (VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS)

static vms_mm *new_mm(vms_sys *sys, unsigned caps)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE, .caps = caps};
	return vms_mm_new(sys, &cfg);
}

/* 8 written pages at A. */
static vms_mm *eight_pages(vms_sys *sys, unsigned caps)
{
	vms_mm *mm = new_mm(sys, caps);
	if (!mm || vms_mmap(mm, A, 8 * PG, RW, PA | VMS_MAP_FIXED, NULL, 0) != (long)A)
		return NULL;
	for (int i = 0; i < 8; i++)
		if (vms_fault(mm, A + i * PG, 1))
			return NULL;
	return mm;
}

static const char *resident(vms_mm *mm, uint64_t a, unsigned n)
{
	static char s[80];
	unsigned char vec[64];
	if (vms_mincore(mm, a, n * PG, vec))
		return "error";
	for (unsigned i = 0; i < n; i++)
		s[i] = (char)('0' + vec[i]);
	s[n] = '\0';
	return s;
}

#define CHECK_RES(mm, a, n, want) CHECK_EQ(strcmp(resident(mm, a, n), want), 0)
#define PMADV(mm, t, err, iov, n, adv, fl)                                                   \
	vms_process_madvise(mm, t, err, iov, (uint64_t)(n), adv, fl)

/* live: flags are checked first, then the iovec (EINVAL for a negative
 * length or more than 1024 segments, EFAULT for an array or a segment
 * outside user space), and only then the pidfd (EBADF). */
TEST(process_madvise_checks_flags_then_iovec_then_pidfd)
{
	vms_mm *mm = eight_pages(sys, 0);
	CHECK(mm);
	struct vms_iovec ok[1] = {{A, PG}};
	struct vms_iovec far[1] = {{0x800000000000ULL, PG}};
	struct vms_iovec neg[2] = {{0x800000000000ULL, PG}, {A, 0x8000000000000000ULL}};
	CHECK_EQ(PMADV(mm, NULL, -VMS_EBADF, ok, 1, VMS_MADV_COLD, 1), -VMS_EINVAL);
	CHECK_EQ(PMADV(mm, NULL, -VMS_EBADF, NULL, 1, VMS_MADV_COLD, 0), -VMS_EFAULT);
	CHECK_EQ(PMADV(mm, NULL, -VMS_EBADF, ok, 1025, VMS_MADV_COLD, 0), -VMS_EINVAL);
	CHECK_EQ(PMADV(mm, NULL, -VMS_EBADF, far, 1, VMS_MADV_COLD, 0), -VMS_EFAULT);
	CHECK_EQ(PMADV(mm, NULL, -VMS_EBADF, neg, 2, VMS_MADV_COLD, 0), -VMS_EINVAL);
	CHECK_EQ(PMADV(mm, NULL, -VMS_EBADF, ok, 1, 77, 0), -VMS_EBADF);
	CHECK_EQ(PMADV(mm, NULL, -VMS_ESRCH, ok, 1, VMS_MADV_COLD, 0), -VMS_ESRCH);
	/* live: no segments, no advice check: 0 */
	CHECK_EQ(PMADV(mm, mm, 0, NULL, 0, 77, 0), 0);
}

/* __import_iovec(): each segment is first cut to what is left of
 * MAX_RW_COUNT (0x7ffff000 bytes in all), and only the cut segment must lie
 * in user space (live: {0x100000000, 2^47} is fine, {0x7fffffffe000, 0x2000}
 * is EFAULT). */
TEST(process_madvise_segments_are_cut_to_max_rw_count)
{
	vms_mm *mm = eight_pages(sys, 0);
	CHECK(mm);
	struct vms_iovec low[1] = {{A, 0x800000000000ULL}};
	struct vms_iovec high[1] = {{0x7fffffffe000ULL, 0x2000}};
	struct vms_iovec top[1] = {{0x7ffffffff000ULL, 0}};
	CHECK_EQ(PMADV(mm, NULL, -VMS_EBADF, low, 1, VMS_MADV_COLD, 0), -VMS_EBADF);
	CHECK_EQ(PMADV(mm, NULL, -VMS_EBADF, high, 1, VMS_MADV_COLD, 0), -VMS_EFAULT);
	CHECK_EQ(PMADV(mm, NULL, -VMS_EBADF, top, 1, VMS_MADV_COLD, 0), -VMS_EBADF);
	/* live: DONTNEED of {h, 4 GiB} zaps only its first 0x7ffff000 bytes */
	const uint64_t H = 0x200000000ULL;
	CHECK(vms_mmap(mm, H, 0x100010000ULL, RW, PA | VMS_MAP_FIXED | VMS_MAP_NORESERVE, NULL,
		       0) == (long)H);
	CHECK_EQ(vms_fault(mm, H + 0x7ffff000 - PG, 1), 0);
	CHECK_EQ(vms_fault(mm, H + 0x7ffff000, 1), 0);
	struct vms_iovec big[1] = {{H, 0x100000000ULL}};
	CHECK_EQ(PMADV(mm, mm, 0, big, 1, VMS_MADV_DONTNEED, 0), 0x7ffff000);
	CHECK_RES(mm, H + 0x7ffff000 - PG, 2, "01");
	/* live: a later segment cut to nothing is never looked at */
	struct vms_iovec two[2] = {{A + 8 * PG, 0x7ffff000}, {A, PG}};
	CHECK_EQ(PMADV(mm, mm, 0, two, 2, VMS_MADV_COLD, 0), -VMS_ENOMEM);
	VALID(mm);
}

/* vector_madvise() on the process itself: any advice (live: DONTNEED),
 * the result is the bytes asked for (not rounded to pages). */
TEST(process_madvise_on_itself_takes_any_advice_and_returns_bytes)
{
	vms_mm *mm = eight_pages(sys, 0);
	CHECK(mm);
	struct vms_iovec iov[3] = {{A, PG}, {A + PG, 2 * PG}, {A + 7 * PG, 5}};
	CHECK_EQ(PMADV(mm, mm, 0, iov, 3, VMS_MADV_COLD, 0), 12293);
	CHECK_EQ(PMADV(mm, mm, 0, iov, 3, VMS_MADV_DONTNEED, 0), 12293);
	CHECK_RES(mm, A, 8, "00011110");
	VALID(mm);
}

/* live: an error in a segment ends the walk; the bytes of the segments
 * before it are the result, or the error when there are none. */
TEST(process_madvise_error_after_a_segment_returns_its_bytes)
{
	vms_mm *mm = eight_pages(sys, 0);
	CHECK(mm);
	struct vms_iovec iov[4] = {{A, PG}, {A + PG, 2 * PG}, {A + 10 * PG, PG}, {A + 7 * PG, 5}};
	CHECK_EQ(PMADV(mm, mm, 0, iov, 4, VMS_MADV_DONTNEED, 0), 12288);
	CHECK_RES(mm, A, 8, "00011111");
	CHECK_EQ(PMADV(mm, mm, 0, iov + 2, 2, VMS_MADV_DONTNEED, 0), -VMS_ENOMEM);
	struct vms_iovec un[2] = {{A, PG}, {A + 1, PG}};
	CHECK_EQ(PMADV(mm, mm, 0, un, 2, VMS_MADV_COLD, 0), 4096);
	CHECK_EQ(PMADV(mm, mm, 0, un + 1, 1, VMS_MADV_COLD, 0), -VMS_EINVAL);
	VALID(mm);
}

/* live: the first segment is looked at even when it is empty (an unaligned
 * start is EINVAL); empty segments after a finished one are stepped over;
 * only empty segments: 0. */
TEST(process_madvise_empty_segments)
{
	vms_mm *mm = eight_pages(sys, 0);
	CHECK(mm);
	struct vms_iovec z[4] = {{A, PG}, {A + 1, 0}, {A + 3, 0}, {A + 2 * PG, PG}};
	CHECK_EQ(PMADV(mm, mm, 0, z, 4, VMS_MADV_DONTNEED, 0), 8192);
	CHECK_RES(mm, A, 8, "01011111");
	struct vms_iovec z2[3] = {{A + 5, 0}, {A + 3, 0}, {A + 2 * PG, PG}};
	CHECK_EQ(PMADV(mm, mm, 0, z2, 3, VMS_MADV_DONTNEED, 0), -VMS_EINVAL);
	CHECK_EQ(PMADV(mm, mm, 0, z2, 2, VMS_MADV_DONTNEED, 0), 0);
	struct vms_iovec z3[3] = {{A, 0}, {A + 3, 0}, {A + 4 * PG, PG}};
	CHECK_EQ(PMADV(mm, mm, 0, z3, 3, VMS_MADV_DONTNEED, 0), 4096);
	CHECK_RES(mm, A, 8, "01010111");
	VALID(mm);
}

/* process_madvise_remote_valid(): another process takes only COLD, PAGEOUT,
 * WILLNEED and COLLAPSE (live: the rest EINVAL, even with no segments), and
 * only from a caller with CAP_SYS_NICE. */
TEST(process_madvise_of_another_process_is_limited)
{
	vms_mm *mm = eight_pages(sys, VMS_CAP_SYS_NICE);
	CHECK(mm);
	int err = 0;
	vms_mm *child = vms_fork(mm, &err);
	CHECK(child);
	struct vms_iovec iov[1] = {{A, PG}};
	static const int ok[] = {VMS_MADV_WILLNEED, VMS_MADV_COLD, VMS_MADV_PAGEOUT};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		CHECK_EQ(PMADV(mm, child, 0, iov, 1, ok[i], 0), 4096);
	struct vms_iovec blocks[1] = {{A + 0x100000, 2 << 20}};
	CHECK_EQ(PMADV(mm, child, 0, blocks, 1, VMS_MADV_COLLAPSE, 0), -VMS_ENOMEM);
	static const int bad[] = {VMS_MADV_NORMAL, VMS_MADV_DONTNEED, VMS_MADV_FREE,
				  VMS_MADV_DONTFORK, VMS_MADV_POPULATE_READ, 77};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(PMADV(mm, child, 0, iov, 1, bad[i], 0), -VMS_EINVAL);
		CHECK_EQ(PMADV(mm, child, 0, iov, 0, bad[i], 0), -VMS_EINVAL);
	}
	CHECK_RES(child, A, 8, "11111111");
	/* without CAP_SYS_NICE: EPERM, once the target's capabilities are
	 * within the caller's (else EACCES, the access check before it) */
	vms_mm *plain = new_mm(sys, 0), *other = eight_pages(sys, 0);
	CHECK(plain && other);
	CHECK_EQ(PMADV(plain, other, 0, iov, 1, VMS_MADV_COLD, 0), -VMS_EPERM);
	CHECK_EQ(PMADV(plain, other, 0, iov, 1, VMS_MADV_DONTNEED, 0), -VMS_EINVAL);
	CHECK_EQ(PMADV(plain, child, 0, iov, 1, VMS_MADV_COLD, 0), -VMS_EACCES);
	vms_mm_free(child);
	vms_mm_free(plain);
	vms_mm_free(other);
}

TEST(process_madvise_alloc_failure_changes_nothing)
{
	vms_mm *mm = eight_pages(sys, 0);
	CHECK(mm);
	struct vms_iovec iov[1] = {{A + PG, 2 * PG}};
	long r = -VMS_ENOMEM;
	for (uint64_t n = 1; n < 100; n++) {
		struct t_snap a, b;
		t_snap_take(sys, mm, &a);
		vms_sys_fail_alloc_after(sys, n);
		r = PMADV(mm, mm, 0, iov, 1, VMS_MADV_DONTFORK, 0);
		vms_sys_fail_alloc_after(sys, 0);
		if (r != -VMS_ENOMEM && r != -VMS_EAGAIN)
			break;
		t_snap_take(sys, mm, &b);
		CHECK(t_snap_equal(&a, &b));
		VALID(mm);
	}
	CHECK_EQ(r, 2 * PG);
	VALID(mm);
}

/* mm/oom_kill.c: flags first (live: EINVAL even for a bad pidfd), then the
 * pidfd (EBADF; ESRCH once the process exited, reaped or not), and a live
 * process that is not exiting is EINVAL, the caller itself included. */
TEST(process_mrelease_of_a_live_process_is_einval)
{
	vms_mm *mm = new_mm(sys, 0);
	CHECK(mm);
	CHECK_EQ(vms_process_mrelease(NULL, -VMS_EBADF, 1), -VMS_EINVAL);
	CHECK_EQ(vms_process_mrelease(NULL, -VMS_EBADF, 0), -VMS_EBADF);
	CHECK_EQ(vms_process_mrelease(NULL, 0, 0), -VMS_ESRCH);
	CHECK_EQ(vms_process_mrelease(mm, 0, 0), -VMS_EINVAL);
	CHECK_EQ(vms_process_mrelease(mm, 0, 1), -VMS_EINVAL);
}

/* mm_access(): another process's mm needs __ptrace_may_access(
 * PTRACE_MODE_READ_FSCREDS): the caller's fsuid/fsgid equal to all the
 * target's ids, or CAP_SYS_PTRACE; else EACCES, before the advice and
 * CAP_SYS_NICE are looked at. Found by the breadth test (a child that had
 * called setuid, advising its root parent). */
TEST(process_madvise_of_another_users_process_is_eacces)
{
	const uint64_t all = (1ULL << 41) - 1;
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE,
				    .has_creds = 1,
				    .creds = {.cap_effective = all, .cap_permitted = all, .cap_bset = all}};
	vms_mm *root = vms_mm_new(sys, &cfg);
	CHECK_EQ(vms_mmap(root, A, 4 * PG, RW, PA | VMS_MAP_FIXED, NULL, 0), (long)A);
	int err = 0;
	vms_mm *child = vms_fork(root, &err);
	CHECK(child != NULL);
	struct vms_iovec iov[1] = {{A, PG}};
	/* root with CAP_SYS_PTRACE and CAP_SYS_NICE: allowed */
	CHECK_EQ(PMADV(child, root, 0, iov, 1, VMS_MADV_COLD, 0), (long)PG);
	CHECK_EQ(vms_setuid(child, 1000), 0);
	CHECK_EQ(PMADV(child, root, 0, iov, 1, VMS_MADV_COLD, 0), -VMS_EACCES);
	CHECK_EQ(PMADV(child, root, 0, iov, 1, VMS_MADV_DONTNEED, 0), -VMS_EACCES);
	/* itself: no access check */
	CHECK_EQ(PMADV(child, child, 0, iov, 1, VMS_MADV_COLD, 0), (long)PG);
	vms_mm_free(child);
	vms_mm_free(root);
}

/* __import_iovec(): with more than one segment, each must lie in user space
 * whole before the total is cut to MAX_RW_COUNT, so a segment the cut would
 * leave empty still faults (live: kdiff commit seed 449651192395081); one
 * segment alone is cut first (import_ubuf). */
TEST(process_madvise_segments_are_checked_whole_before_the_cut)
{
	vms_mm *mm = eight_pages(sys, 0);
	CHECK(mm);
	struct vms_iovec two[2] = {{A, 0x80000000ULL}, {0x7ffffffff000ULL, 0x4000}};
	struct vms_iovec one[1] = {{0x100000000ULL, 0x800000000000ULL}};
	CHECK_EQ(PMADV(mm, NULL, -VMS_EBADF, two, 2, VMS_MADV_COLD, 0), -VMS_EFAULT);
	CHECK_EQ(PMADV(mm, NULL, -VMS_EBADF, one, 1, VMS_MADV_COLD, 0), -VMS_EBADF);
}

/* kernel/ptrace.c __ptrace_may_access() after the ids: a target that is not
 * dumpable (prctl(PR_SET_DUMPABLE, 0), or an effective-id change at
 * fs.suid_dumpable 0: commit_creds) needs CAP_SYS_PTRACE, and so does one
 * whose permitted set is not within the caller's effective set (commoncap
 * cap_ptrace_access_check). Live: each case below, the same (the breadth
 * test found the second: a child that dropped its capabilities). */
static vms_mm *with_caps(vms_mm *mm, uint64_t caps)
{
	struct vms_cap_data d = {.effective = caps, .permitted = caps, .inheritable = 0};
	return vms_capset(mm, VMS_CAP_VERSION_3, 0, 0, &d) == 0 ? mm : NULL;
}

TEST(process_madvise_needs_a_dumpable_target_within_the_callers_capabilities)
{
	const uint64_t all = (1ULL << 41) - 1, nice = 1ULL << 23, ptrace = 1ULL << 19;
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE,
				    .has_creds = 1,
				    .creds = {.cap_effective = all, .cap_permitted = all, .cap_bset = all}};
	struct vms_iovec iov[1] = {{A, PG}};
	struct {
		uint64_t tcaps, ccaps;
		int undumpable, euid_flip;
		long want;
	} cases[] = {
	    {all, 0, 0, 0, -VMS_EACCES},              /* target's caps not within */
	    {nice, nice, 0, 0, (long)PG},             /* within, dumpable */
	    {nice, nice, 1, 0, -VMS_EACCES},          /* PR_SET_DUMPABLE 0 */
	    {nice, nice, 0, 1, -VMS_EACCES},          /* euid 1000 and back */
	    {nice, nice | ptrace, 1, 0, (long)PG},    /* CAP_SYS_PTRACE */
	    {all, nice | ptrace, 0, 0, (long)PG},     /* CAP_SYS_PTRACE */
	    {0, nice, 0, 0, (long)PG},                /* a target without caps */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vms_mm *t = vms_mm_new(sys, &cfg);
		CHECK(t != NULL);
		CHECK_EQ(vms_mmap(t, A, 4 * PG, RW, PA | VMS_MAP_FIXED, NULL, 0), (long)A);
		CHECK_EQ(vms_prctl(t, VMS_PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
		if (cases[i].euid_flip) {
			CHECK_EQ(vms_setresuid(t, (uint32_t)-1, 1000, (uint32_t)-1), 0);
			CHECK_EQ(vms_setresuid(t, (uint32_t)-1, 0, (uint32_t)-1), 0);
			CHECK_EQ(vms_prctl(t, VMS_PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
		}
		CHECK(with_caps(t, cases[i].tcaps));
		if (cases[i].undumpable)
			CHECK_EQ(vms_prctl(t, VMS_PR_SET_DUMPABLE, 0, 0, 0, 0), 0);
		int err = 0;
		vms_mm *c = vms_fork(t, &err);
		CHECK(c != NULL);
		CHECK_EQ(vms_prctl(c, VMS_PR_GET_DUMPABLE, 0, 0, 0, 0),
			 vms_prctl(t, VMS_PR_GET_DUMPABLE, 0, 0, 0, 0));
		/* the caller is another process: dumpable again (a fresh mm) */
		vms_mm *caller = with_caps(vms_mm_new(sys, &cfg), cases[i].ccaps);
		CHECK(caller != NULL);
		CHECK_EQ(PMADV(caller, t, 0, iov, 1, VMS_MADV_COLD, 0), cases[i].want);
		vms_mm_free(caller);
		vms_mm_free(c);
		vms_mm_free(t);
	}
}

/* kernel/sys.c PR_SET_DUMPABLE: only 0 and 1 may be set (2 is what an id
 * change at fs.suid_dumpable 2 gives); the other arguments are ignored. */
TEST(prctl_set_dumpable_takes_zero_or_one)
{
	vms_mm *mm = new_mm(sys, 0);
	CHECK(mm);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_DUMPABLE, 2, 0, 0, 0), -VMS_EINVAL);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_DUMPABLE, 0, 7, 7, 7), 0);
	CHECK_EQ(vms_prctl(mm, VMS_PR_GET_DUMPABLE, 9, 9, 9, 9), 0);
	CHECK_EQ(vms_prctl(mm, VMS_PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
	CHECK_EQ(vms_prctl(mm, VMS_PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
	vms_mm_free(mm);
}
