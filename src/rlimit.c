/*
 * rlimit.c: prlimit64 on the process itself (kernel/sys.c do_prlimit) for the
 * limits the address space obeys. A running process keeps its layout: a new
 * RLIMIT_STACK moves nothing until the next exec, as in the kernel.
 */
#include <errno.h>

#include "internal.h"

static struct vms_rlimit *limit_of(struct vms_mm *mm, int resource)
{
	switch (resource) {
	case VMS_RLIMIT_DATA:
		return &mm->rlim_data;
	case VMS_RLIMIT_STACK:
		return &mm->rlim_stack;
	case VMS_RLIMIT_MEMLOCK:
		return &mm->rlim_memlock;
	case VMS_RLIMIT_AS:
		return &mm->rlim_as;
	default:
		return NULL;
	}
}

long vms_prlimit(vms_mm *mm, int resource, const struct vms_rlimit *new_lim,
		 struct vms_rlimit *old_lim)
{
	/* RLIM_NLIMITS is 16; other valid resources are not the model's. */
	if (resource < 0 || resource >= 16)
		return -EINVAL;
	struct vms_rlimit *lim = limit_of(mm, resource);
	if (!lim)
		return -EINVAL;
	if (new_lim) {
		if (new_lim->cur > new_lim->max)
			return -EINVAL;
		/* Raising the hard limit needs CAP_SYS_RESOURCE. */
		if (new_lim->max > lim->max && !(mm->caps & VMS_CAP_SYS_RESOURCE))
			return -EPERM;
	}
	if (old_lim)
		*old_lim = *lim;
	if (new_lim)
		*lim = *new_lim;
	return 0;
}
