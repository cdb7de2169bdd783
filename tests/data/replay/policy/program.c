/*
 * program.c: the program whose trace is tests/data/replay/policy/ (recorded
 * with scripts/record.sh policy -- /tmp/vmspace-policy, after
 * cc -O2 -o /tmp/vmspace-policy program.c): memory policies, protection
 * keys, prctl, personality and credentials as a program makes them.
 */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PG 4096UL

int main(void)
{
	char *a = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long m1 = 1, m3 = 3, out[16];
	int mode;
	unsigned sz;
	syscall(SYS_mbind, a + 4 * PG, 4 * PG, 2 /* BIND */, &m1, 2, 0);
	syscall(SYS_mbind, a + 8 * PG, 2 * PG, 3 | (1 << 15), &m3, 3, 0);
	syscall(SYS_mbind, a + 40 * PG, 2 * PG, 2, &m1, 1025, 0);
	syscall(SYS_mbind, a + 40 * PG, 2 * PG, 9, &m1, 2, 0);
	syscall(SYS_get_mempolicy, &mode, out, 64, a + 8 * PG, 2 /* MPOL_F_ADDR */);
	syscall(SYS_get_mempolicy, &mode, out, 1025, 0, 0);
	syscall(SYS_set_mempolicy, 3, &m1, 2);
	syscall(SYS_get_mempolicy, &mode, NULL, 0, 0, 1 /* MPOL_F_NODE */);
	syscall(SYS_set_mempolicy, 0, NULL, 0);
	syscall(450 /* set_mempolicy_home_node */, a + 4 * PG, 4 * PG, 0, 0);
	syscall(SYS_mbind, a + 4 * PG, 8 * PG, 0, NULL, 0, 0);
	syscall(SYS_pkey_alloc, 0, 0);
	syscall(SYS_pkey_alloc, 0, 0);
	syscall(SYS_pkey_free, 1);
	syscall(SYS_pkey_mprotect, a, PG, PROT_READ, 1);
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0);
	prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
	prctl(66 /* PR_GET_MDWE */, 0, 0, 0, 0);
	prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, &sz, 0, 0);
	syscall(SYS_personality, 0xffffffffUL);
	syscall(SYS_personality, (unsigned long)(READ_IMPLIES_EXEC | ADDR_NO_RANDOMIZE));
	mmap(a + 48 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	syscall(SYS_personality, (unsigned long)ADDR_NO_RANDOMIZE);
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2], saved[2];
	syscall(SYS_capget, &h, d);
	saved[0] = d[0];
	saved[1] = d[1];
	d[0].effective &= ~(1u << CAP_IPC_LOCK);
	syscall(SYS_capset, &h, d);
	struct rlimit lim = {256 * 1024, 256 * 1024};
	setrlimit(RLIMIT_MEMLOCK, &lim);
	mlock(a, 64 * PG + 256 * 1024);
	syscall(SYS_mlock2, a, 128 * PG, 1);
	mlock(a, 16 * PG);
	syscall(SYS_capset, &h, saved);
	mlock(a, 64 * PG + 256 * 1024);
	munlock(a, 64 * PG + 256 * 1024);
	syscall(SYS_setresuid, -1, 1000, -1);
	syscall(SYS_capget, &h, d);
	mlock(a, 64 * PG + 256 * 1024);
	syscall(SYS_setresuid, -1, 0, -1);
	syscall(SYS_setgid, 0);
	syscall(SYS_setresgid, -1, -1, -1);
	syscall(SYS_setuid, -1);
	prctl(65 /* PR_SET_MDWE */, 1, 0, 0, 0);
	mmap(NULL, PG, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(a, PG, PROT_READ | PROT_EXEC);
	return 0;
}
