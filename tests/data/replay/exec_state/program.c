/*
 * program.c: the program whose trace is tests/data/replay/exec_state/, built
 * beside it as exec-state (cc -O2 -s -o exec-state program.c) and recorded
 * from there (scripts/record.sh exec_state --plain --cwd DIR -- DIR/exec-state).
 * It changes what a process keeps across execve, then execs itself by a
 * relative path twice:
 *  1. as root: attaches two System V segments (one marked for removal),
 *     drops CAP_IPC_LOCK (capset), lowers RLIMIT_MEMLOCK, sets MDWE, THP off,
 *     a task memory policy, READ_IMPLIES_EXEC, mlockall(MCL_FUTURE), execs
 *     stage 2;
 *  2. still root: the exec gave CAP_IPC_LOCK back (root's permitted set is the
 *     bounding set), so mlock over the limit works; MDWE, THP off, the policy
 *     and the limit stayed, READ_IMPLIES_EXEC and MCL_FUTURE did not; the
 *     attaches went with the old mm (the segment marked for removal with
 *     them); then euid 1000 (setresuid) and exec of stage 3;
 *  3. euid 1000, uid 0: the permitted set is full again, the effective one
 *     empty: mlock over the limit is ENOMEM, the segment's 0600 refuses
 *     IPC_STAT.
 */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PG 4096UL
#define KEY1 0x5e7e0001
#define KEY2 0x5e7e0002

static void caps(int drop_ipc_lock)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	syscall(SYS_capget, &h, d);
	if (drop_ipc_lock) {
		d[0].effective &= ~(1u << CAP_IPC_LOCK);
		d[0].permitted &= ~(1u << CAP_IPC_LOCK);
		syscall(SYS_capset, &h, d);
	}
}

static void look(char *a, const char *s2)
{
	unsigned long mask[16];
	int mode;
	struct shmid_ds ds;
	caps(0);
	syscall(SYS_get_mempolicy, &mode, mask, 1024, 0, 0);
	prctl(66 /* PR_GET_MDWE */, 0, 0, 0, 0);
	prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0);
	syscall(SYS_personality, 0xffffffffUL);
	/* EACCES under MDWE; a read-only mapping is not executable (no
	 * READ_IMPLIES_EXEC after a 64-bit exec), so MDWE lets it be. */
	mmap(NULL, PG, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* Over RLIMIT_MEMLOCK (256 KiB): it works with CAP_IPC_LOCK only. */
	mlock(a, 128 * PG);
	munlock(a, 128 * PG);
	shmctl(shmget(KEY1, 0, 0), IPC_STAT, &ds);
	/* Marked for removal, it went with its last attach: EINVAL. */
	shmctl(atoi(s2), IPC_STAT, &ds);
}

int main(int argc, char **argv)
{
	/* Past RLIMIT_MEMLOCK: MCL_FUTURE would refuse it if exec kept it. */
	char *a = mmap(NULL, 128 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (argc > 2 && argv[1][0] == '2') {
		look(a, argv[2]);
		syscall(SYS_setresuid, -1, 1000, -1);
		execl("./exec-state", "exec-state", "3", argv[2], (char *)NULL);
		return 1;
	}
	if (argc > 2 && argv[1][0] == '3') {
		look(a, argv[2]);
		return 0;
	}
	int s1 = shmget(KEY1, 16 * PG, IPC_CREAT | 0600);
	int s2 = shmget(KEY2, 16 * PG, IPC_CREAT | 0600);
	shmat(s1, NULL, 0);
	shmat(s2, NULL, 0);
	shmctl(s2, IPC_RMID, NULL);
	caps(1);
	struct rlimit lim = {256 * 1024, 256 * 1024};
	setrlimit(RLIMIT_MEMLOCK, &lim);
	mlock(a, 128 * PG);
	prctl(65 /* PR_SET_MDWE */, 1, 0, 0, 0);
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	unsigned long node0 = 1;
	syscall(SYS_set_mempolicy, 2 /* MPOL_BIND */, &node0, 2);
	syscall(SYS_personality, (unsigned long)syscall(SYS_personality, 0xffffffffUL) |
					 READ_IMPLIES_EXEC);
	/* Under READ_IMPLIES_EXEC a read-only mapping is executable: MDWE says no. */
	mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mlockall(MCL_FUTURE);
	char id[16];
	snprintf(id, sizeof(id), "%d", s2);
	execl("./exec-state", "exec-state", "2", id, (char *)NULL);
	return 1;
}
