/*
 * cred.c: the credentials the memory limits depend on (kernel/capability.c
 * capget/capset, kernel/sys.c setuid/setresuid/setgid/setresgid,
 * security/commoncap.c's rules for them): the ids and capability sets of a
 * process, and mm->caps, the capabilities the rest of the model asks about
 * (capable(): the effective set), kept in step with them.
 *
 * Not here: user namespaces (every id maps, as in the initial namespace),
 * RLIMIT_NPROC (it only flags the process), supplementary groups, setfsuid
 * and the securebits prctls; exec's rules are cred_exec(), for exec's caller.
 */
#include <errno.h>
#include <string.h>

#include "cred.h"

/* include/uapi/linux/capability.h numbers of the capabilities mm->caps holds */
#define CAP_SETGID 6
#define CAP_SETUID 7
#define CAP_SETPCAP 8
#define CAP_IPC_LOCK 14
#define CAP_IPC_OWNER 15
#define CAP_SYS_RAWIO 17
#define CAP_SYS_ADMIN 21
#define CAP_SYS_NICE 23
#define CAP_SYS_RESOURCE 24
#define CAP_LAST_CAP 40
#define CAP_VALID_MASK ((1ULL << (CAP_LAST_CAP + 1)) - 1)

#define SECURE_NOROOT 0
#define SECURE_NO_SETUID_FIXUP 2
#define SECURE_KEEP_CAPS 4

static const struct {
	unsigned cap;
	unsigned vms;
} known_caps[] = {
    {CAP_IPC_LOCK, VMS_CAP_IPC_LOCK},	      {CAP_SYS_ADMIN, VMS_CAP_SYS_ADMIN},
    {CAP_SYS_RESOURCE, VMS_CAP_SYS_RESOURCE}, {CAP_SYS_RAWIO, VMS_CAP_SYS_RAWIO},
    {CAP_SYS_NICE, VMS_CAP_SYS_NICE},	      {CAP_IPC_OWNER, VMS_CAP_IPC_OWNER},
};

static bool cap_raised(uint64_t set, unsigned cap)
{
	return (set >> cap) & 1;
}

unsigned caps_from_set(uint64_t set)
{
	unsigned caps = 0;
	for (size_t i = 0; i < sizeof(known_caps) / sizeof(known_caps[0]); i++)
		if (cap_raised(set, known_caps[i].cap))
			caps |= known_caps[i].vms;
	return caps;
}

static uint64_t set_from_caps(unsigned caps)
{
	uint64_t set = 0;
	for (size_t i = 0; i < sizeof(known_caps) / sizeof(known_caps[0]); i++)
		if (caps & known_caps[i].vms)
			set |= 1ULL << known_caps[i].cap;
	return set;
}

void creds_init(struct vms_mm *mm, const struct vms_mm_config *cfg)
{
	if (cfg->has_creds) {
		mm->cred = cfg->creds;
	} else {
		/* The bounding set is the capabilities given: a root whose
		 * permitted set lacks some of its bounding set is one that
		 * dropped them, and gets them back at exec (with per_clear). */
		memset(&mm->cred, 0, sizeof(mm->cred));
		mm->cred.cap_effective = mm->cred.cap_permitted = set_from_caps(cfg->caps);
		mm->cred.cap_bset = mm->cred.cap_permitted;
	}
	caps_sync(mm);
}

void caps_sync(struct vms_mm *mm)
{
	mm->caps = caps_from_set(mm->cred.cap_effective);
}

void vms_mm_get_creds(const vms_mm *mm, struct vms_creds *out)
{
	*out = mm->cred;
}

/* capable(): the effective set (the initial user namespace). */
static bool capable(const struct vms_mm *mm, unsigned cap)
{
	return cap_raised(mm->cred.cap_effective, cap);
}

/* kernel/capability.c cap_validate_magic(): how many 32-bit words of each
 * set the version carries, or -EINVAL (the header then says VERSION_3). */
static int cap_validate_magic(uint32_t version, unsigned *tocopy)
{
	switch (version) {
	case VMS_CAP_VERSION_1:
		*tocopy = 1;
		return 0;
	case VMS_CAP_VERSION_2:
	case VMS_CAP_VERSION_3:
		*tocopy = 2;
		return 0;
	default:
		return -EINVAL;
	}
}

long vms_capget(vms_mm *mm, uint32_t version, int pid, int self_pid, struct vms_cap_data *out,
		uint32_t *version_out)
{
	unsigned tocopy;
	int ret = cap_validate_magic(version, &tocopy);
	if (version_out)
		*version_out = ret ? VMS_CAP_VERSION_3 : version;
	/* A NULL data pointer asks only whether the version is known. */
	if (!out || ret)
		return !out && ret == -EINVAL ? 0 : ret;
	if (pid < 0)
		return -EINVAL;
	/* cap_get_target_pid(): the model knows only this process. */
	if (pid != 0 && pid != self_pid)
		return -ESRCH;
	uint64_t keep = tocopy == 1 ? 0xffffffffULL : ~0ULL;
	out->effective = mm->cred.cap_effective & keep;
	out->permitted = mm->cred.cap_permitted & keep;
	out->inheritable = mm->cred.cap_inheritable & keep;
	return 0;
}

long vms_capset(vms_mm *mm, uint32_t version, int pid, int self_pid,
		const struct vms_cap_data *data)
{
	unsigned tocopy;
	int ret = cap_validate_magic(version, &tocopy);
	if (ret)
		return ret;
	/* May only affect the caller. */
	if (pid != 0 && pid != self_pid)
		return -EPERM;
	if (!data)
		return -EFAULT;
	/* A version 1 caller passes one word per set: the upper capabilities
	 * read as zero (mk_kernel_cap() also drops bits past CAP_LAST_CAP). */
	uint64_t keep = (tocopy == 1 ? 0xffffffffULL : ~0ULL) & CAP_VALID_MASK;
	uint64_t e = data->effective & keep, p = data->permitted & keep;
	uint64_t i = data->inheritable & keep;
	const struct vms_creds *old = &mm->cred;
	/* security/commoncap.c cap_capset() */
	if (!capable(mm, CAP_SETPCAP) && (i & ~(old->cap_inheritable | old->cap_permitted)))
		return -EPERM;
	if (i & ~(old->cap_inheritable | old->cap_bset))
		return -EPERM;
	if (p & ~old->cap_permitted)
		return -EPERM;
	if (e & ~p)
		return -EPERM;
	mm->cred.cap_effective = e;
	mm->cred.cap_inheritable = i;
	mm->cred.cap_permitted = p;
	mm->cred.cap_ambient &= p & i;
	caps_sync(mm);
	return 0;
}

/* security/commoncap.c cap_emulate_setxuid(): leaving root for good drops
 * the permitted and effective sets (unless SECBIT_KEEP_CAPS) and the
 * ambient one; leaving or regaining euid 0 clears or refills effective. */
static void cap_emulate_setxuid(struct vms_creds *new, const struct vms_creds *old)
{
	if (new->securebits &(1u << SECURE_NO_SETUID_FIXUP))
		return;
	if ((old->uid == 0 || old->euid == 0 || old->suid == 0) &&
	    (new->uid != 0 && new->euid != 0 && new->suid != 0)) {
		if (!(new->securebits &(1u << SECURE_KEEP_CAPS))) {
			new->cap_permitted = 0;
			new->cap_effective = 0;
		}
		new->cap_ambient = 0;
	}
	if (old->euid == 0 && new->euid != 0)
		new->cap_effective = 0;
	if (old->euid != 0 && new->euid == 0)
		new->cap_effective = new->cap_permitted;
}

static void commit_creds(struct vms_mm *mm, const struct vms_creds *new)
{
	/* kernel/cred.c commit_creds(): a change of the effective or fs ids,
	 * or a permitted set that is not a subset of the old one, makes the
	 * process fs.suid_dumpable (not dumpable by default). */
	const struct vms_creds *old = &mm->cred;
	if (old->euid != new->euid || old->egid != new->egid || old->fsuid != new->fsuid ||
	    old->fsgid != new->fsgid || (new->cap_permitted & ~old->cap_permitted))
		mm->dumpable = (uint8_t)mm->sys->suid_dumpable;
	mm->cred = *new;
	caps_sync(mm);
}

#define CAP_SYS_PTRACE 19

bool ptrace_may_read(const struct vms_mm *caller, const struct vms_mm *target)
{
	if (caller == target)
		return true; /* same_thread_group() */
	const struct vms_creds *c = &caller->cred, *t = &target->cred;
	bool sys_ptrace = capable(caller, CAP_SYS_PTRACE);
	bool same_ids = c->fsuid == t->euid && c->fsuid == t->suid && c->fsuid == t->uid &&
			c->fsgid == t->egid && c->fsgid == t->sgid && c->fsgid == t->gid;
	if (!same_ids && !sys_ptrace)
		return false;
	if (target->dumpable != SUID_DUMP_USER && !sys_ptrace)
		return false;
	/* cap_ptrace_access_check(): FSCREDS compares with the effective set */
	return !(t->cap_permitted & ~c->cap_effective) || sys_ptrace;
}

#define ID_KEEP ((uint32_t)-1)

long vms_setuid(vms_mm *mm, uint32_t uid)
{
	/* kernel/sys.c __sys_setuid(): (uid_t)-1 maps to no user. */
	if (uid == ID_KEEP)
		return -EINVAL;
	struct vms_creds new = mm->cred;
	const struct vms_creds *old = &mm->cred;
	if (capable(mm, CAP_SETUID))
		new.suid = new.uid = uid;
	else if (uid != old->uid && uid != old->suid)
		return -EPERM;
	new.fsuid = new.euid = uid;
	cap_emulate_setxuid(&new, old);
	commit_creds(mm, &new);
	return 0;
}

long vms_setresuid(vms_mm *mm, uint32_t ruid, uint32_t euid, uint32_t suid)
{
	const struct vms_creds *old = &mm->cred;
	/* kernel/sys.c __sys_setresuid(): nothing to change is a no-op. */
	if ((ruid == ID_KEEP || ruid == old->uid) &&
	    (euid == ID_KEEP || (euid == old->euid && euid == old->fsuid)) &&
	    (suid == ID_KEEP || suid == old->suid))
		return 0;
		/* Without CAP_SETUID each id must be one of the current three. */
#define IS_NEW(id) ((id) != ID_KEEP && (id) != old->uid && (id) != old->euid && (id) != old->suid)
	if ((IS_NEW(ruid) || IS_NEW(euid) || IS_NEW(suid)) && !capable(mm, CAP_SETUID))
		return -EPERM;
#undef IS_NEW
	struct vms_creds new = *old;
	if (ruid != ID_KEEP)
		new.uid = ruid;
	if (euid != ID_KEEP)
		new.euid = euid;
	if (suid != ID_KEEP)
		new.suid = suid;
	new.fsuid = new.euid;
	cap_emulate_setxuid(&new, old);
	commit_creds(mm, &new);
	return 0;
}

long vms_setgid(vms_mm *mm, uint32_t gid)
{
	/* kernel/sys.c __sys_setgid(); group changes touch no capability. */
	if (gid == ID_KEEP)
		return -EINVAL;
	struct vms_creds new = mm->cred;
	if (capable(mm, CAP_SETGID))
		new.gid = new.egid = new.sgid = new.fsgid = gid;
	else if (gid == mm->cred.gid || gid == mm->cred.sgid)
		new.egid = new.fsgid = gid;
	else
		return -EPERM;
	commit_creds(mm, &new);
	return 0;
}

long vms_setresgid(vms_mm *mm, uint32_t rgid, uint32_t egid, uint32_t sgid)
{
	const struct vms_creds *old = &mm->cred;
	if ((rgid == ID_KEEP || rgid == old->gid) &&
	    (egid == ID_KEEP || (egid == old->egid && egid == old->fsgid)) &&
	    (sgid == ID_KEEP || sgid == old->sgid))
		return 0;
#define IS_NEW(id) ((id) != ID_KEEP && (id) != old->gid && (id) != old->egid && (id) != old->sgid)
	if ((IS_NEW(rgid) || IS_NEW(egid) || IS_NEW(sgid)) && !capable(mm, CAP_SETGID))
		return -EPERM;
#undef IS_NEW
	struct vms_creds new = *old;
	if (rgid != ID_KEEP)
		new.gid = rgid;
	if (egid != ID_KEEP)
		new.egid = egid;
	if (sgid != ID_KEEP)
		new.sgid = sgid;
	new.fsgid = new.egid;
	commit_creds(mm, &new);
	return 0;
}

unsigned cred_exec(struct vms_creds *c)
{
	/* security/commoncap.c cap_bprm_creds_from_file() for a file without
	 * set-id bits or file capabilities: get_file_caps() empties pP, root
	 * gets its bounding and inheritable sets back (handle_privileged_root),
	 * and the effective set is all of pP for euid 0, else the ambient set. */
	const struct vms_creds old = *c;
	bool root = !(c->securebits & (1u << SECURE_NOROOT));
	c->cap_permitted = 0;
	bool effective = false;
	if (root && (c->euid == 0 || c->uid == 0))
		c->cap_permitted = c->cap_bset | c->cap_inheritable;
	if (root && c->euid == 0)
		effective = true;
	unsigned out = 0;
	/* __cap_gained(permitted): a root that had dropped some of its
	 * permitted set gets it back, and so loses PER_CLEAR_ON_SETID. */
	if (c->cap_permitted & ~old.cap_permitted)
		out |= CRED_EXEC_PER_CLEAR;
	c->suid = c->fsuid = c->euid;
	c->sgid = c->fsgid = c->egid;
	/* fs/exec.c bprm_fill_uid(): new credentials with two uids or gids
	 * make a secure exec (measured: uid 0 with euid 1000 gets AT_SECURE 1
	 * and keeps its ambient set, which only an id change at the exec, a
	 * set-id file, would clear). */
	bool two_ids = c->euid != c->uid || c->egid != c->gid;
	c->cap_permitted |= c->cap_ambient;
	c->cap_effective = effective ? c->cap_permitted : c->cap_ambient;
	/* A privilege-elevated exec (bprm->secureexec, AT_SECURE): two ids as
	 * above, or a real uid other than 0 with an effective set, or with a
	 * permitted set larger than the ambient one (__cap_grew). */
	if (two_ids || (c->uid != 0 && (effective || (c->cap_permitted & ~c->cap_ambient))))
		out |= CRED_EXEC_SECURE;
	/* SECBIT_KEEP_CAPS does not survive exec (commit_creds: *_LOCKED stay). */
	c->securebits &= ~(1u << SECURE_KEEP_CAPS);
	return out;
}
