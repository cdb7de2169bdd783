/*
 * prctl.c: the prctl(2) options that change memory rules (kernel/sys.c:
 * PR_SET/GET_THP_DISABLE, PR_SET/GET_MDWE, PR_SET_MM and its
 * PR_SET_MM_MAP), and personality(2) (kernel/exec_domain.c).
 *
 * Not here: PR_SET_VMA (madvise.c: vms_set_anon_name), the PR_SET_MM
 * options that take other user memory (AUXV, EXE_FILE), and what exec does
 * with the flags (it keeps them: exec's new mm starts from
 * mmf_init_flags() of the old one, as a fork child's does).
 */
#include <errno.h>

#include "cred.h"
#include "prctl.h"
#include "unmapped_area.h"
#include "vma.h"

#define PR_MDWE_FLAGS (VMS_PR_MDWE_REFUSE_EXEC_GAIN | VMS_PR_MDWE_NO_INHERIT)

/* kernel/sys.c prctl_set_thp_disable(): the flag only goes with disabling. */
static long set_thp_disable(struct vms_mm *mm, uint64_t disable, uint64_t flags, uint64_t arg4,
			    uint64_t arg5)
{
	if (arg4 || arg5)
		return -EINVAL;
	if ((!disable && flags) || (flags & ~(uint64_t)VMS_PR_THP_DISABLE_EXCEPT_ADVISED))
		return -EINVAL;
	mm->mmf &= ~(MMF_DISABLE_THP_COMPLETELY | MMF_DISABLE_THP_EXCEPT_ADVISED);
	if (disable)
		mm->mmf |= (flags & VMS_PR_THP_DISABLE_EXCEPT_ADVISED)
			       ? MMF_DISABLE_THP_EXCEPT_ADVISED
			       : MMF_DISABLE_THP_COMPLETELY;
	return 0;
}

/* kernel/sys.c prctl_get_thp_disable(): 1, with the flag when only
 * unadvised memory is excluded. */
static long get_thp_disable(const struct vms_mm *mm)
{
	if (mm->mmf & MMF_DISABLE_THP_COMPLETELY)
		return 1;
	if (mm->mmf & MMF_DISABLE_THP_EXCEPT_ADVISED)
		return 1 | VMS_PR_THP_DISABLE_EXCEPT_ADVISED;
	return 0;
}

static long get_current_mdwe(const struct vms_mm *mm)
{
	long bits = 0;
	if (mm->mmf & MMF_HAS_MDWE)
		bits |= VMS_PR_MDWE_REFUSE_EXEC_GAIN;
	if (mm->mmf & MMF_HAS_MDWE_NO_INHERIT)
		bits |= VMS_PR_MDWE_NO_INHERIT;
	return bits;
}

/* kernel/sys.c prctl_set_mdwe(): once set, the bits may only be set again
 * exactly as they are (no clearing, no adding). */
static long set_mdwe(struct vms_mm *mm, uint64_t bits, uint64_t arg3, uint64_t arg4, uint64_t arg5)
{
	if (arg3 || arg4 || arg5)
		return -EINVAL;
	if (bits & ~(uint64_t)PR_MDWE_FLAGS)
		return -EINVAL;
	if ((bits & VMS_PR_MDWE_NO_INHERIT) && !(bits & VMS_PR_MDWE_REFUSE_EXEC_GAIN))
		return -EINVAL;
	long cur = get_current_mdwe(mm);
	if (cur && (uint64_t)cur != bits)
		return -EPERM;
	if (bits & VMS_PR_MDWE_NO_INHERIT)
		mm->mmf |= MMF_HAS_MDWE_NO_INHERIT;
	if (bits & VMS_PR_MDWE_REFUSE_EXEC_GAIN)
		mm->mmf |= MMF_HAS_MDWE;
	return 0;
}

void vms_mm_get_mm_map(const vms_mm *mm, struct vms_prctl_mm_map *out)
{
	out->start_code = mm->start_code;
	out->end_code = mm->end_code;
	out->start_data = mm->start_data;
	out->end_data = mm->end_data;
	out->start_brk = mm->start_brk;
	out->brk = mm->brk;
	out->start_stack = mm->start_stack;
	out->arg_start = mm->arg_start;
	out->arg_end = mm->arg_end;
	out->env_start = mm->env_start;
	out->env_end = mm->env_end;
}

static void set_mm_map(struct vms_mm *mm, const struct vms_prctl_mm_map *m)
{
	mm->start_code = m->start_code;
	mm->end_code = m->end_code;
	mm->start_data = m->start_data;
	mm->end_data = m->end_data;
	mm->start_brk = m->start_brk;
	mm->brk = m->brk;
	mm->start_stack = m->start_stack;
	mm->arg_start = m->arg_start;
	mm->arg_end = m->arg_end;
	mm->env_start = m->env_start;
	mm->env_end = m->env_end;
}

/*
 * kernel/sys.c validate_prctl_map_addr(): every boundary inside
 * [mmap_min_addr, TASK_SIZE), the pairs in order, and the data the brk
 * range and data segment make within RLIMIT_DATA (check_data_rlimit).
 */
static int validate_prctl_map_addr(const struct vms_mm *mm, const struct vms_prctl_mm_map *m)
{
	const uint64_t v[] = {m->start_code, m->end_code,  m->start_data,  m->end_data,
			      m->start_brk,  m->brk,	   m->start_stack, m->arg_start,
			      m->arg_end,    m->env_start, m->env_end};
	uint64_t min = effective_mmap_min_addr(mm->sys);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (v[i] >= mm->task_size || v[i] < min)
			return -EINVAL;
	if (!(m->start_code < m->end_code) || !(m->start_data <= m->end_data) ||
	    !(m->start_brk <= m->brk) || !(m->arg_start <= m->arg_end) ||
	    !(m->env_start <= m->env_end))
		return -EINVAL;
	if (mm->rlim_data.cur != VMS_RLIM_INFINITY &&
	    (m->brk - m->start_brk) + (m->end_data - m->start_data) > mm->rlim_data.cur)
		return -EINVAL;
	return 0;
}

long vms_prctl_set_mm_map(vms_mm *mm, const struct vms_prctl_mm_map *map)
{
	/* kernel/sys.c prctl_set_mm_map() with auxv_size 0 and exe_fd -1:
	 * no capability is needed. */
	int err = validate_prctl_map_addr(mm, map);
	if (err)
		return err;
	set_mm_map(mm, map);
	return 0;
}

/* kernel/sys.c prctl_set_mm(). */
static long set_mm(struct vms_mm *mm, uint64_t opt, uint64_t addr, uint64_t arg4, uint64_t arg5)
{
	if (arg5 || (arg4 && opt != VMS_PR_SET_MM_AUXV && opt != VMS_PR_SET_MM_MAP &&
		     opt != VMS_PR_SET_MM_MAP_SIZE))
		return -EINVAL;
	if (opt == VMS_PR_SET_MM_MAP_SIZE)
		return 0; /* sizeof(struct prctl_mm_map), 104, goes to *addr */
	if (opt == VMS_PR_SET_MM_MAP)
		return arg4 != 104 ? -EINVAL : -ENOSYS;
	if (!(mm->caps & VMS_CAP_SYS_RESOURCE))
		return -EPERM;
	if (opt == VMS_PR_SET_MM_EXE_FILE || opt == VMS_PR_SET_MM_AUXV)
		return -ENOSYS;
	if (addr >= mm->task_size || addr < effective_mmap_min_addr(mm->sys))
		return -EINVAL;
	struct vms_prctl_mm_map m;
	vms_mm_get_mm_map(mm, &m);
	uint64_t *field;
	switch (opt) {
	case VMS_PR_SET_MM_START_CODE:
		field = &m.start_code;
		break;
	case VMS_PR_SET_MM_END_CODE:
		field = &m.end_code;
		break;
	case VMS_PR_SET_MM_START_DATA:
		field = &m.start_data;
		break;
	case VMS_PR_SET_MM_END_DATA:
		field = &m.end_data;
		break;
	case VMS_PR_SET_MM_START_STACK:
		field = &m.start_stack;
		break;
	case VMS_PR_SET_MM_START_BRK:
		field = &m.start_brk;
		break;
	case VMS_PR_SET_MM_BRK:
		field = &m.brk;
		break;
	case VMS_PR_SET_MM_ARG_START:
		field = &m.arg_start;
		break;
	case VMS_PR_SET_MM_ARG_END:
		field = &m.arg_end;
		break;
	case VMS_PR_SET_MM_ENV_START:
		field = &m.env_start;
		break;
	case VMS_PR_SET_MM_ENV_END:
		field = &m.env_end;
		break;
	default:
		return -EINVAL;
	}
	*field = addr;
	int err = validate_prctl_map_addr(mm, &m);
	if (err)
		return err;
	/* The stack and the argument and environment strings need a VMA at or
	 * above addr (find_vma). */
	if ((opt == VMS_PR_SET_MM_START_STACK ||
	     (opt >= VMS_PR_SET_MM_ARG_START && opt <= VMS_PR_SET_MM_ENV_END)) &&
	    !find_vma(mm, addr))
		return -EFAULT;
	set_mm_map(mm, &m);
	return 0;
}

long vms_prctl(vms_mm *mm, int option, uint64_t arg2, uint64_t arg3, uint64_t arg4, uint64_t arg5)
{
	switch (option) {
	case VMS_PR_SET_THP_DISABLE:
		return set_thp_disable(mm, arg2, arg3, arg4, arg5);
	case VMS_PR_GET_THP_DISABLE:
		if (arg2 || arg3 || arg4 || arg5)
			return -EINVAL;
		return get_thp_disable(mm);
	case VMS_PR_SET_MDWE:
		return set_mdwe(mm, arg2, arg3, arg4, arg5);
	case VMS_PR_GET_MDWE:
		if (arg2 || arg3 || arg4 || arg5)
			return -EINVAL;
		return get_current_mdwe(mm);
	case VMS_PR_SET_MM:
		return set_mm(mm, arg2, arg3, arg4, arg5);
	/* kernel/sys.c: the dumpable bits that process_madvise's access
	 * check reads; only "not dumpable" and "dumpable" may be set. */
	case VMS_PR_GET_DUMPABLE:
		return mm->dumpable;
	case VMS_PR_SET_DUMPABLE:
		if (arg2 != SUID_DUMP_DISABLE && arg2 != SUID_DUMP_USER)
			return -EINVAL;
		mm->dumpable = (uint8_t)arg2;
		return 0;
	default:
		return -EINVAL;
	}
}

long vms_personality(vms_mm *mm, uint64_t persona)
{
	/* kernel/exec_domain.c personality(): an unsigned int argument. */
	unsigned old = mm->personality;
	unsigned p = (unsigned)persona;
	if (p != 0xffffffffu)
		mm->personality = p;
	return (long)old;
}
