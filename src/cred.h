/*
 * cred.h: a process's credentials and the capabilities the model's rules
 * ask about (cred.c). Not here: the rules that ask (accounting.c, mlock.c,
 * mempolicy.c, ...): they read mm->caps.
 */
#ifndef VMS_CRED_H
#define VMS_CRED_H

#include "internal.h"

/* The credentials of a new address space (vms_mm_new), from its config. */
void creds_init(struct vms_mm *mm, const struct vms_mm_config *cfg);
/* mm->caps (VMS_CAP_*) from the effective set, after any change to it. */
void caps_sync(struct vms_mm *mm);
/* VMS_CAP_* bits of a kernel capability set. */
unsigned caps_from_set(uint64_t set);
/* include/linux/sched/coredump.h: the dumpable values (mm->dumpable). */
#define SUID_DUMP_DISABLE 0
#define SUID_DUMP_USER 1
#define SUID_DUMP_ROOT 2
/*
 * kernel/ptrace.c __ptrace_may_access(PTRACE_MODE_READ_FSCREDS), what
 * mm_access() asks before one process reads or advises another's memory:
 * the caller's fs ids equal to every id of the target, a target that is
 * dumpable, and security/commoncap.c cap_ptrace_access_check()'s rule (the
 * target's permitted set within the caller's effective one); CAP_SYS_PTRACE
 * stands in for each. Not here: LSMs beyond commoncap (Yama restricts only
 * attaching), user namespaces (the model has one).
 */
bool ptrace_may_read(const struct vms_mm *caller, const struct vms_mm *target);

/*
 * What an execve of a plain program (no set-id bits, no file capabilities)
 * does to the credentials (security/commoncap.c cap_bprm_creds_from_file):
 * the permitted set is emptied, then root (uid or euid 0) gets its bounding
 * and inheritable sets, plus the ambient set; the effective set is all of
 * it for euid 0 and the ambient set otherwise; saved and fs ids follow the
 * effective ones; SECBIT_KEEP_CAPS is cleared. The bounding and
 * inheritable sets stay. For exec to call on the process's credentials.
 * Returns CRED_EXEC_* flags: PER_CLEAR when the permitted set grew (the
 * exec then clears PER_CLEAR_ON_SETID from the personality: begin_new_exec's
 * bprm->per_clear), SECURE for a privilege-elevated exec or one with an
 * euid or egid not the real one (bprm->secureexec: AT_SECURE, RLIMIT_STACK
 * at most 8 MiB).
 */
#define CRED_EXEC_PER_CLEAR 1u
#define CRED_EXEC_SECURE 2u
unsigned cred_exec(struct vms_creds *c);

#endif
