/*
 * test_kdiff_uffd.c: live-kernel differential runs (see kdiff.h) with
 * userfaultfd calls in the random stream: contexts opened with assorted
 * flags and features, ranges registered, unregistered and zero-filled over
 * the helper's VMAs among all the other calls, contexts closed; results,
 * the UFFDIO_API and UFFDIO_REGISTER out-values, maps and status compared
 * after every call. Skips where the kernel cannot be used.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "../cli/kdiff.h"
#include "t.h"

/* Seeds that diverged once, with why (none yet). */
static const uint64_t uffd_seeds[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

TEST(kdiff_uffd_seeds)
{
	(void)sys;
	char why[256];
	int failed = 0, n = (int)(sizeof(uffd_seeds) / sizeof(uffd_seeds[0]));
	/* Credential changes and memory policies stay out: with them these
	 * streams find divergences of other areas (shmat after a setresuid
	 * to another euid is EACCES in the kernel, the model has one owner;
	 * a task policy of PREFERRED_MANY shown on System V attaches), which
	 * kdiff_fixed_seeds' own streams do not reach. */
	const char *old_skip = getenv("KDIFF_SKIP_OPS");
	if (!old_skip)
		setenv("KDIFF_SKIP_OPS",
		       "setuid,setresuid,setgid,setresgid,capset,set_mempolicy,mbind", 1);
	kd_set_uffd_share(12);
	for (int i = 0; i < n; i++) {
		int r = kd_random_run(0x0ffd0000ULL + uffd_seeds[i], 1000, 1,
				      failed < 2 ? 20.0 : 0.0, why, sizeof(why));
		if (r < 0) {
			kd_set_uffd_share(0);
			if (!old_skip)
				unsetenv("KDIFF_SKIP_OPS");
			t_skip(why);
			return;
		}
		if (r > 0) {
			printf("    seed %#" PRIx64 ": DIVERGED (see above)\n", (uint64_t)(0x0ffd0000ULL + uffd_seeds[i]));
			failed++;
		}
	}
	kd_set_uffd_share(0);
	if (!old_skip)
		unsetenv("KDIFF_SKIP_OPS");
	printf("    %d seeds, %d calls, about 12%% of them userfaultfd calls\n", n, n * 1000);
	if (failed)
		t_fail(__FILE__, __LINE__, "%d of %d userfaultfd seeds diverge from the kernel", failed,
		       n);
}
