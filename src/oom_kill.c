/*
 * oom_kill.c: the process_mrelease system call (mm/oom_kill.c, 6.18), which
 * reaps the memory of a process that is already dying. The model has no
 * dying processes: an address space either belongs to a live process or is
 * gone, so the call never frees anything here; what is left are its answers.
 * Not here: the OOM killer itself, which the model does not have.
 */
#include <errno.h>

#include "internal.h"

long vms_process_mrelease(const vms_mm *target, long lookup_err, unsigned flags)
{
	if (flags)
		return -EINVAL;
	/* pidfd_get_task() and find_lock_task_mm(): the caller's lookup; a
	 * process whose mm is gone (exited, even unreaped) is ESRCH. */
	if (!target)
		return lookup_err ? lookup_err : -ESRCH;
	/* task_will_free_mem() is false for a process that is not exiting, and
	 * nothing reaped it before (MMF_OOM_SKIP). */
	return -EINVAL;
}
