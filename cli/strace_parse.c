/*
 * strace_parse.c: parses strace(1) output for `vmspace replay`; see
 * strace_parse.h for the three layers (reader, line parser, joiner).
 *
 * The parser works on a private copy of the line and never trusts it: every
 * bracket, string and comment is matched with explicit bounds, recursion is
 * capped, and all memory comes from a per-line block list, so that a garbage
 * line gives SL_MALFORMED and never a crash. This file is a single
 * translation unit (tests include it directly), so every helper is static.
 */
/* getline() is POSIX.1-2008 */
#if !defined(_DEFAULT_SOURCE) && !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "strace_parse.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "pidset.h"
#include "vmspace.h"

#define SCAN_FAIL ((size_t)-1)
#define MAX_NEST 64    /* bracket nesting the scanner follows */
#define MAX_VAL_DEPTH 8 /* struct/array levels parsed into fields */
#define MAX_EXPR_DEPTH 32

/* ---- Name tables (Linux x86-64) ------------------------------------------ */

struct sym {
	const char *name;
	uint64_t val;
};

#define S(x) {#x, VMS_##x}
static const struct sym syms[] = {
	/* mmap and friends: from the library's own constants */
	S(PROT_NONE), S(PROT_READ), S(PROT_WRITE), S(PROT_EXEC), S(PROT_SEM),
	S(PROT_GROWSDOWN), S(PROT_GROWSUP),
	S(MAP_SHARED), S(MAP_PRIVATE), S(MAP_SHARED_VALIDATE), S(MAP_TYPE), S(MAP_FIXED),
	S(MAP_ANONYMOUS), S(MAP_32BIT), S(MAP_GROWSDOWN), S(MAP_DENYWRITE), S(MAP_EXECUTABLE),
	S(MAP_LOCKED), S(MAP_NORESERVE), S(MAP_POPULATE), S(MAP_NONBLOCK), S(MAP_STACK),
	S(MAP_HUGETLB), S(MAP_SYNC), S(MAP_FIXED_NOREPLACE), S(MAP_UNINITIALIZED),
	S(MAP_HUGE_SHIFT), S(MAP_HUGE_MASK), S(MAP_HUGE_2MB), S(MAP_HUGE_1GB),
	{"MAP_ANON", VMS_MAP_ANONYMOUS}, {"MAP_FILE", 0}, {"MAP_DROPPABLE", 0x08},
	{"MAP_ABOVE4G", 0x80},
	S(MREMAP_MAYMOVE), S(MREMAP_FIXED), S(MREMAP_DONTUNMAP),
	S(MADV_NORMAL), S(MADV_RANDOM), S(MADV_SEQUENTIAL), S(MADV_WILLNEED), S(MADV_DONTNEED),
	S(MADV_FREE), S(MADV_REMOVE), S(MADV_DONTFORK), S(MADV_DOFORK), S(MADV_MERGEABLE),
	S(MADV_UNMERGEABLE), S(MADV_HUGEPAGE), S(MADV_NOHUGEPAGE), S(MADV_DONTDUMP),
	S(MADV_DODUMP), S(MADV_WIPEONFORK), S(MADV_KEEPONFORK), S(MADV_COLD), S(MADV_PAGEOUT),
	S(MADV_POPULATE_READ), S(MADV_POPULATE_WRITE), S(MADV_DONTNEED_LOCKED),
	S(MADV_COLLAPSE), S(MADV_GUARD_INSTALL), S(MADV_GUARD_REMOVE), S(MADV_HWPOISON),
	S(MADV_SOFT_OFFLINE),
	S(ADDR_NO_RANDOMIZE), S(ADDR_COMPAT_LAYOUT), S(READ_IMPLIES_EXEC),
	{"PER_LINUX", 0}, {"PER_LINUX32", 8}, {"ADDR_LIMIT_32BIT", 0x0800000},
	{"ADDR_LIMIT_3GB", 0x8000000}, {"MMAP_PAGE_ZERO", 0x0100000},
	{"SHORT_INODE", 0x1000000}, {"WHOLE_SECONDS", 0x2000000},
	{"STICKY_TIMEOUTS", 0x4000000}, {"UNAME26", 0x0020000}, {"FDPIC_FUNCPTRS", 0x0080000},
	{"MLOCK_ONFAULT", 1}, {"MCL_CURRENT", 1}, {"MCL_FUTURE", 2}, {"MCL_ONFAULT", 4},
	{"MS_ASYNC", 1}, {"MS_INVALIDATE", 2}, {"MS_SYNC", 4},
	{"PKEY_DISABLE_ACCESS", 1}, {"PKEY_DISABLE_WRITE", 2}, {"PKEY_DISABLE_EXECUTE", 4},
	{"MFD_CLOEXEC", 1}, {"MFD_ALLOW_SEALING", 2}, {"MFD_HUGETLB", 4},
	{"MFD_NOEXEC_SEAL", 8}, {"MFD_EXEC", 0x10},
	/* resources; both spellings of infinity are ~0 on x86-64 */
	{"RLIMIT_CPU", 0}, {"RLIMIT_FSIZE", 1}, {"RLIMIT_DATA", VMS_RLIMIT_DATA},
	{"RLIMIT_STACK", VMS_RLIMIT_STACK}, {"RLIMIT_CORE", 4}, {"RLIMIT_RSS", 5},
	{"RLIMIT_NPROC", 6}, {"RLIMIT_NOFILE", 7}, {"RLIMIT_MEMLOCK", VMS_RLIMIT_MEMLOCK},
	{"RLIMIT_AS", VMS_RLIMIT_AS}, {"RLIMIT_LOCKS", 10}, {"RLIMIT_SIGPENDING", 11},
	{"RLIMIT_MSGQUEUE", 12}, {"RLIMIT_NICE", 13}, {"RLIMIT_RTPRIO", 14},
	{"RLIMIT_RTTIME", 15},
	{"RLIM_INFINITY", VMS_RLIM_INFINITY}, {"RLIM64_INFINITY", VMS_RLIM_INFINITY},
	/* prctl */
	{"PR_SET_VMA", 0x53564d41}, {"PR_SET_VMA_ANON_NAME", 0}, {"PR_SET_PDEATHSIG", 1},
	{"PR_GET_DUMPABLE", 3}, {"PR_SET_DUMPABLE", 4}, {"PR_SET_NAME", 15},
	{"PR_GET_NAME", 16}, {"PR_SET_MM", 35}, {"PR_SET_NO_NEW_PRIVS", 38},
	{"PR_SET_THP_DISABLE", 41}, {"PR_GET_THP_DISABLE", 42},
	{"PR_SET_MDWE", 65}, {"PR_GET_MDWE", 66}, {"PR_MDWE_REFUSE_EXEC_GAIN", 1},
	{"SUID_DUMP_DISABLE", 0}, {"SUID_DUMP_USER", 1}, {"SUID_DUMP_ROOT", 2},
	/* memory policy, prctl's PR_SET_MM, shadow stacks, capabilities */
	{"MPOL_DEFAULT", 0}, {"MPOL_PREFERRED", 1}, {"MPOL_BIND", 2}, {"MPOL_INTERLEAVE", 3},
	{"MPOL_LOCAL", 4}, {"MPOL_PREFERRED_MANY", 5}, {"MPOL_WEIGHTED_INTERLEAVE", 6},
	{"MPOL_F_NUMA_BALANCING", 1 << 13}, {"MPOL_F_RELATIVE_NODES", 1 << 14},
	{"MPOL_F_STATIC_NODES", 1 << 15}, {"MPOL_MF_STRICT", 1}, {"MPOL_MF_MOVE", 2},
	{"MPOL_MF_MOVE_ALL", 4}, {"MPOL_F_NODE", 1}, {"MPOL_F_ADDR", 2},
	{"MPOL_F_MEMS_ALLOWED", 4}, {"PR_MDWE_NO_INHERIT", 2},
	{"PR_THP_DISABLE_EXCEPT_ADVISED", 2}, {"PR_SET_MM_START_CODE", 1},
	{"PR_SET_MM_END_CODE", 2}, {"PR_SET_MM_START_DATA", 3}, {"PR_SET_MM_END_DATA", 4},
	{"PR_SET_MM_START_STACK", 5}, {"PR_SET_MM_START_BRK", 6}, {"PR_SET_MM_BRK", 7},
	{"PR_SET_MM_ARG_START", 8}, {"PR_SET_MM_ARG_END", 9}, {"PR_SET_MM_ENV_START", 10},
	{"PR_SET_MM_ENV_END", 11}, {"PR_SET_MM_AUXV", 12}, {"PR_SET_MM_EXE_FILE", 13},
	{"PR_SET_MM_MAP", 14}, {"PR_SET_MM_MAP_SIZE", 15}, {"SHADOW_STACK_SET_TOKEN", 1},
	{"_LINUX_CAPABILITY_VERSION_1", 0x19980330}, {"_LINUX_CAPABILITY_VERSION_2", 0x20071026},
	{"_LINUX_CAPABILITY_VERSION_3", 0x20080522},
	{"CAP_CHOWN", 0}, {"CAP_DAC_OVERRIDE", 1}, {"CAP_DAC_READ_SEARCH", 2}, {"CAP_FOWNER", 3},
	{"CAP_FSETID", 4}, {"CAP_KILL", 5}, {"CAP_SETGID", 6}, {"CAP_SETUID", 7}, {"CAP_SETPCAP", 8},
	{"CAP_LINUX_IMMUTABLE", 9}, {"CAP_NET_BIND_SERVICE", 10}, {"CAP_NET_BROADCAST", 11},
	{"CAP_NET_ADMIN", 12}, {"CAP_NET_RAW", 13}, {"CAP_IPC_LOCK", 14}, {"CAP_IPC_OWNER", 15},
	{"CAP_SYS_MODULE", 16}, {"CAP_SYS_RAWIO", 17}, {"CAP_SYS_CHROOT", 18}, {"CAP_SYS_PTRACE", 19},
	{"CAP_SYS_PACCT", 20}, {"CAP_SYS_ADMIN", 21}, {"CAP_SYS_BOOT", 22}, {"CAP_SYS_NICE", 23},
	{"CAP_SYS_RESOURCE", 24}, {"CAP_SYS_TIME", 25}, {"CAP_SYS_TTY_CONFIG", 26}, {"CAP_MKNOD", 27},
	{"CAP_LEASE", 28}, {"CAP_AUDIT_WRITE", 29}, {"CAP_AUDIT_CONTROL", 30}, {"CAP_SETFCAP", 31},
	{"CAP_MAC_OVERRIDE", 32}, {"CAP_MAC_ADMIN", 33}, {"CAP_SYSLOG", 34}, {"CAP_WAKE_ALARM", 35},
	{"CAP_BLOCK_SUSPEND", 36}, {"CAP_AUDIT_READ", 37}, {"CAP_PERFMON", 38}, {"CAP_BPF", 39},
	{"CAP_CHECKPOINT_RESTORE", 40},
	/* open(2) */
	{"O_RDONLY", 0}, {"O_WRONLY", 1}, {"O_RDWR", 2}, {"O_ACCMODE", 3}, {"O_CREAT", 0100},
	{"O_EXCL", 0200}, {"O_NOCTTY", 0400}, {"O_TRUNC", 01000}, {"O_APPEND", 02000},
	{"O_NONBLOCK", 04000}, {"O_NDELAY", 04000}, {"O_DSYNC", 010000},
	{"O_ASYNC", 020000}, {"FASYNC", 020000}, {"O_DIRECT", 040000},
	{"O_LARGEFILE", 0100000}, {"O_DIRECTORY", 0200000}, {"O_NOFOLLOW", 0400000},
	{"O_NOATIME", 01000000}, {"O_CLOEXEC", 02000000}, {"O_SYNC", 04010000},
	{"__O_SYNC", 04000000}, {"O_PATH", 010000000}, {"O_TMPFILE", 020200000},
	{"__O_TMPFILE", 020000000},
	/* fcntl */
	{"F_DUPFD", 0}, {"F_GETFD", 1}, {"F_SETFD", 2}, {"F_GETFL", 3}, {"F_SETFL", 4},
	{"F_DUPFD_CLOEXEC", 1030}, {"FD_CLOEXEC", 1}, {"F_ADD_SEALS", 1033},
	{"F_GET_SEALS", 1034}, {"F_SEAL_SEAL", 1}, {"F_SEAL_SHRINK", 2},
	{"F_SEAL_GROW", 4}, {"F_SEAL_WRITE", 8}, {"F_SEAL_FUTURE_WRITE", 0x10},
	/* *at() */
	{"AT_FDCWD", (uint64_t)-100}, {"AT_SYMLINK_NOFOLLOW", 0x100}, {"AT_REMOVEDIR", 0x200},
	{"AT_EACCESS", 0x200}, {"AT_SYMLINK_FOLLOW", 0x400}, {"AT_NO_AUTOMOUNT", 0x800},
	{"AT_EMPTY_PATH", 0x1000}, {"AT_STATX_SYNC_AS_STAT", 0},
	{"AT_STATX_FORCE_SYNC", 0x2000}, {"AT_STATX_DONT_SYNC", 0x4000},
	{"AT_RECURSIVE", 0x8000},
	{"STATX_TYPE", 0x1}, {"STATX_MODE", 0x2}, {"STATX_NLINK", 0x4}, {"STATX_UID", 0x8},
	{"STATX_GID", 0x10}, {"STATX_ATIME", 0x20}, {"STATX_MTIME", 0x40},
	{"STATX_CTIME", 0x80}, {"STATX_INO", 0x100}, {"STATX_SIZE", 0x200},
	{"STATX_BLOCKS", 0x400}, {"STATX_BASIC_STATS", 0x7ff}, {"STATX_BTIME", 0x800},
	{"STATX_MNT_ID", 0x1000}, {"STATX_DIOALIGN", 0x2000}, {"STATX_MNT_ID_UNIQUE", 0x4000},
	{"STATX_SUBVOL", 0x8000}, {"STATX_ALL", 0xfff},
	/* file types and mode bits */
	{"S_IFMT", 0170000}, {"S_IFSOCK", 0140000}, {"S_IFLNK", 0120000},
	{"S_IFREG", 0100000}, {"S_IFBLK", 060000}, {"S_IFDIR", 040000},
	{"S_IFCHR", 020000}, {"S_IFIFO", 010000}, {"S_ISUID", 04000}, {"S_ISGID", 02000},
	{"S_ISVTX", 01000},
	/* clone */
	{"CLONE_NEWTIME", 0x80}, {"CLONE_VM", 0x100}, {"CLONE_FS", 0x200},
	{"CLONE_FILES", 0x400}, {"CLONE_SIGHAND", 0x800}, {"CLONE_PIDFD", 0x1000},
	{"CLONE_PTRACE", 0x2000}, {"CLONE_VFORK", 0x4000}, {"CLONE_PARENT", 0x8000},
	{"CLONE_THREAD", 0x10000}, {"CLONE_NEWNS", 0x20000}, {"CLONE_SYSVSEM", 0x40000},
	{"CLONE_SETTLS", 0x80000}, {"CLONE_PARENT_SETTID", 0x100000},
	{"CLONE_CHILD_CLEARTID", 0x200000}, {"CLONE_DETACHED", 0x400000},
	{"CLONE_UNTRACED", 0x800000}, {"CLONE_CHILD_SETTID", 0x1000000},
	{"CLONE_NEWCGROUP", 0x2000000}, {"CLONE_NEWUTS", 0x4000000},
	{"CLONE_NEWIPC", 0x8000000}, {"CLONE_NEWUSER", 0x10000000},
	{"CLONE_NEWPID", 0x20000000}, {"CLONE_NEWNET", 0x40000000}, {"CLONE_IO", 0x80000000},
	{"CLONE_CLEAR_SIGHAND", 0x100000000ULL}, {"CLONE_INTO_CGROUP", 0x200000000ULL},
	/* System V shared memory */
	{"IPC_PRIVATE", 0}, {"IPC_CREAT", 01000}, {"IPC_EXCL", 02000}, {"IPC_RMID", 0},
	{"SHM_RDONLY", 010000}, {"SHM_RND", 020000}, {"SHM_REMAP", 040000},
	{"SHM_EXEC", 0100000}, {"SHM_HUGETLB", 04000}, {"SHM_NORESERVE", 010000},
	{"IPC_SET", 1}, {"IPC_STAT", 2}, {"IPC_INFO", 3}, {"SHM_LOCK", 11}, {"SHM_UNLOCK", 12},
	{"SHM_STAT", 13}, {"SHM_INFO", 14}, {"SHM_STAT_ANY", 15}, {"IPC_64", 0x100},
	{"SHM_HUGE_SHIFT", 26}, {"SHM_HUGE_2MB", 21ULL << 26}, {"SHM_HUGE_1GB", 30ULL << 26},
	{"MFD_HUGE_SHIFT", 26}, {"MFD_HUGE_2MB", 21ULL << 26}, {"MFD_HUGE_1GB", 30ULL << 26},
	{"F_SEAL_EXEC", 0x20},
	{"FALLOC_FL_KEEP_SIZE", 1}, {"FALLOC_FL_PUNCH_HOLE", 2}, {"FALLOC_FL_NO_HIDE_STALE", 4},
	{"FALLOC_FL_COLLAPSE_RANGE", 8}, {"FALLOC_FL_ZERO_RANGE", 0x10},
	{"FALLOC_FL_INSERT_RANGE", 0x20}, {"FALLOC_FL_UNSHARE_RANGE", 0x40},
	{"FALLOC_FL_WRITE_ZEROES", 0x80},
	/* siginfo codes */
	{"SI_USER", 0}, {"SI_KERNEL", 0x80}, {"SI_QUEUE", (uint64_t)-1},
	{"SI_TIMER", (uint64_t)-2}, {"SI_TKILL", (uint64_t)-6},
	{"SEGV_MAPERR", 1}, {"SEGV_ACCERR", 2}, {"SEGV_BNDERR", 3}, {"SEGV_PKUERR", 4},
	{"BUS_ADRALN", 1}, {"BUS_ADRERR", 2}, {"BUS_OBJERR", 3}, {"BUS_MCEERR_AR", 4},
	{"BUS_MCEERR_AO", 5}, {"CLD_EXITED", 1}, {"CLD_KILLED", 2}, {"CLD_DUMPED", 3},
	{"CLD_TRAPPED", 4}, {"CLD_STOPPED", 5}, {"CLD_CONTINUED", 6},
	{"TRAP_BRKPT", 1}, {"TRAP_TRACE", 2},
};
#undef S

struct errname {
	const char *name;
	int val;
};

static const struct errname errnos[] = {
	{"EPERM", 1}, {"ENOENT", 2}, {"ESRCH", 3}, {"EINTR", 4}, {"EIO", 5}, {"ENXIO", 6},
	{"E2BIG", 7}, {"ENOEXEC", 8}, {"EBADF", 9}, {"ECHILD", 10}, {"EAGAIN", 11},
	{"EWOULDBLOCK", 11}, {"ENOMEM", 12}, {"EACCES", 13}, {"EFAULT", 14}, {"ENOTBLK", 15},
	{"EBUSY", 16}, {"EEXIST", 17}, {"EXDEV", 18}, {"ENODEV", 19}, {"ENOTDIR", 20},
	{"EISDIR", 21}, {"EINVAL", 22}, {"ENFILE", 23}, {"EMFILE", 24}, {"ENOTTY", 25},
	{"ETXTBSY", 26}, {"EFBIG", 27}, {"ENOSPC", 28}, {"ESPIPE", 29}, {"EROFS", 30},
	{"EMLINK", 31}, {"EPIPE", 32}, {"EDOM", 33}, {"ERANGE", 34}, {"EDEADLK", 35},
	{"EDEADLOCK", 35}, {"ENAMETOOLONG", 36}, {"ENOLCK", 37}, {"ENOSYS", 38},
	{"ENOTEMPTY", 39}, {"ELOOP", 40}, {"ENOMSG", 42}, {"EIDRM", 43}, {"ECHRNG", 44},
	{"EL2NSYNC", 45}, {"EL3HLT", 46}, {"EL3RST", 47}, {"ELNRNG", 48}, {"EUNATCH", 49},
	{"ENOCSI", 50}, {"EL2HLT", 51}, {"EBADE", 52}, {"EBADR", 53}, {"EXFULL", 54},
	{"ENOANO", 55}, {"EBADRQC", 56}, {"EBADSLT", 57}, {"EBFONT", 59}, {"ENOSTR", 60},
	{"ENODATA", 61}, {"ETIME", 62}, {"ENOSR", 63}, {"ENONET", 64}, {"ENOPKG", 65},
	{"EREMOTE", 66}, {"ENOLINK", 67}, {"EADV", 68}, {"ESRMNT", 69}, {"ECOMM", 70},
	{"EPROTO", 71}, {"EMULTIHOP", 72}, {"EDOTDOT", 73}, {"EBADMSG", 74},
	{"EOVERFLOW", 75}, {"ENOTUNIQ", 76}, {"EBADFD", 77}, {"EREMCHG", 78},
	{"ELIBACC", 79}, {"ELIBBAD", 80}, {"ELIBSCN", 81}, {"ELIBMAX", 82},
	{"ELIBEXEC", 83}, {"EILSEQ", 84}, {"ERESTART", 85}, {"ESTRPIPE", 86},
	{"EUSERS", 87}, {"ENOTSOCK", 88}, {"EDESTADDRREQ", 89}, {"EMSGSIZE", 90},
	{"EPROTOTYPE", 91}, {"ENOPROTOOPT", 92}, {"EPROTONOSUPPORT", 93},
	{"ESOCKTNOSUPPORT", 94}, {"EOPNOTSUPP", 95}, {"ENOTSUP", 95}, {"EPFNOSUPPORT", 96},
	{"EAFNOSUPPORT", 97}, {"EADDRINUSE", 98}, {"EADDRNOTAVAIL", 99}, {"ENETDOWN", 100},
	{"ENETUNREACH", 101}, {"ENETRESET", 102}, {"ECONNABORTED", 103},
	{"ECONNRESET", 104}, {"ENOBUFS", 105}, {"EISCONN", 106}, {"ENOTCONN", 107},
	{"ESHUTDOWN", 108}, {"ETOOMANYREFS", 109}, {"ETIMEDOUT", 110},
	{"ECONNREFUSED", 111}, {"EHOSTDOWN", 112}, {"EHOSTUNREACH", 113},
	{"EALREADY", 114}, {"EINPROGRESS", 115}, {"ESTALE", 116}, {"EUCLEAN", 117},
	{"ENOTNAM", 118}, {"ENAVAIL", 119}, {"EISNAM", 120}, {"EREMOTEIO", 121},
	{"EDQUOT", 122}, {"ENOMEDIUM", 123}, {"EMEDIUMTYPE", 124}, {"ECANCELED", 125},
	{"ENOKEY", 126}, {"EKEYEXPIRED", 127}, {"EKEYREVOKED", 128},
	{"EKEYREJECTED", 129}, {"EOWNERDEAD", 130}, {"ENOTRECOVERABLE", 131},
	{"ERFKILL", 132}, {"EHWPOISON", 133},
	/* kernel-internal values strace shows for interrupted calls */
	{"ERESTARTSYS", 512}, {"ERESTARTNOINTR", 513}, {"ERESTARTNOHAND", 514},
	{"ENOIOCTLCMD", 515}, {"ERESTART_RESTARTBLOCK", 516}, {"EPROBE_DEFER", 517},
	{"EOPENSTALE", 518}, {"ENOPARAM", 519}, {"EBADHANDLE", 521}, {"ENOTSYNC", 522},
	{"EBADCOOKIE", 523}, {"ENOTSUPP", 524}, {"ETOOSMALL", 525}, {"ESERVERFAULT", 526},
	{"EBADTYPE", 527}, {"EJUKEBOX", 528}, {"EIOCBQUEUED", 529},
	{"ERECALLCONFLICT", 530},
};

static const struct errname signals[] = {
	{"SIGHUP", 1}, {"SIGINT", 2}, {"SIGQUIT", 3}, {"SIGILL", 4}, {"SIGTRAP", 5},
	{"SIGABRT", 6}, {"SIGIOT", 6}, {"SIGBUS", 7}, {"SIGFPE", 8}, {"SIGKILL", 9},
	{"SIGUSR1", 10}, {"SIGSEGV", 11}, {"SIGUSR2", 12}, {"SIGPIPE", 13}, {"SIGALRM", 14},
	{"SIGTERM", 15}, {"SIGSTKFLT", 16}, {"SIGCHLD", 17}, {"SIGCONT", 18},
	{"SIGSTOP", 19}, {"SIGTSTP", 20}, {"SIGTTIN", 21}, {"SIGTTOU", 22}, {"SIGURG", 23},
	{"SIGXCPU", 24}, {"SIGXFSZ", 25}, {"SIGVTALRM", 26}, {"SIGPROF", 27},
	{"SIGWINCH", 28}, {"SIGIO", 29}, {"SIGPOLL", 29}, {"SIGPWR", 30}, {"SIGSYS", 31},
	{"SIGRTMIN", 32},
};

static int name_eq(const char *a, const char *b, size_t n)
{
	/* The tables are searched from the start, and most names differ
	 * from the one asked for in their first byte: that settles it
	 * without a call (a name is never empty). */
	return n && a[0] == b[0] && strncmp(a, b, n) == 0 && a[n] == '\0';
}

static int lookup_errname(const struct errname *t, size_t nt, const char *s, size_t n)
{
	for (size_t i = 0; i < nt; i++)
		if (name_eq(t[i].name, s, n))
			return t[i].val;
	return -1;
}

static int signal_value_n(const char *s, size_t n)
{
	int v = lookup_errname(signals, sizeof(signals) / sizeof(signals[0]), s, n);
	/* strace names real-time signals relative to the kernel's SIGRTMIN (32) */
	if (v < 0 && n > 6 && n <= 8 && strncmp(s, "SIGRT_", 6) == 0) {
		v = 0;
		for (size_t i = 6; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			v = v * 10 + (s[i] - '0');
		}
		v = v + 32 <= 64 ? v + 32 : -1;
	}
	return v;
}

/* syms[] by a hash of the name: a line of flags names a few of its hundreds,
 * and a search from the start cost 5% of a long replay. Built once, then
 * only read. The first of equal names wins, as the search from the start
 * did. */
#define SYM_HASH_SIZE 1024
static uint16_t sym_hash[SYM_HASH_SIZE]; /* index + 1; 0 is empty */
_Static_assert(sizeof(syms) / sizeof(syms[0]) < SYM_HASH_SIZE / 2, "sym_hash too small");
static pthread_once_t sym_hash_once = PTHREAD_ONCE_INIT;

static unsigned name_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h & (SYM_HASH_SIZE - 1);
}

static void sym_hash_build(void)
{
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		size_t len = strlen(syms[i].name);
		unsigned h = name_hash(syms[i].name, len);
		bool dup = false;
		for (; sym_hash[h]; h = (h + 1) & (SYM_HASH_SIZE - 1))
			dup |= !strcmp(syms[sym_hash[h] - 1].name, syms[i].name);
		if (!dup)
			sym_hash[h] = (uint16_t)(i + 1);
	}
}

static int symbol_value_n(const char *s, size_t n, uint64_t *val)
{
	int sig;
	pthread_once(&sym_hash_once, sym_hash_build);
	for (unsigned h = name_hash(s, n); sym_hash[h]; h = (h + 1) & (SYM_HASH_SIZE - 1)) {
		const struct sym *y = &syms[sym_hash[h] - 1];
		if (name_eq(y->name, s, n)) {
			*val = y->val;
			return 0;
		}
	}
	/* clone flags carry the exit signal in the low byte: CLONE_VM|SIGCHLD */
	sig = signal_value_n(s, n);
	if (sig > 0) {
		*val = (uint64_t)sig;
		return 0;
	}
	return -1;
}

int strace_symbol_value(const char *name, uint64_t *val)
{
	return symbol_value_n(name, strlen(name), val);
}

int strace_errno_value(const char *name)
{
	return lookup_errname(errnos, sizeof(errnos) / sizeof(errnos[0]), name, strlen(name));
}

int strace_signal_value(const char *name)
{
	return signal_value_n(name, strlen(name));
}

/* ---- Per-line memory ------------------------------------------------------ */

/* Blocks are never moved, so pointers handed out stay valid until the line
 * is parsed into again. */
struct strace_mem {
	struct strace_mem *next;
	size_t used, cap;
	uint64_t pad; /* keeps data 16-byte aligned */
	char data[];
};

void strace_line_init(struct strace_line *l)
{
	memset(l, 0, sizeof(*l));
}

static void mem_free_all(struct strace_mem *m)
{
	while (m) {
		struct strace_mem *next = m->next;
		free(m);
		m = next;
	}
}

void strace_line_free(struct strace_line *l)
{
	if (!l)
		return;
	mem_free_all(l->mem);
	l->mem = NULL;
}

struct pctx {
	struct strace_line *l;
	int oom;
	int big;     /* a value of the line has too_big set */
	size_t hint; /* size of a new block: a multiple of the line length */
};

static void *palloc(struct pctx *c, size_t n)
{
	struct strace_mem *m = c->l->mem;
	size_t need = (n + 15) & ~(size_t)15;

	if (need < n) {
		c->oom = 1;
		return NULL;
	}
	if (!m || m->cap - m->used < need) {
		size_t cap = need > c->hint ? need : c->hint;
		if (cap > SIZE_MAX - sizeof(*m)) {
			c->oom = 1;
			return NULL;
		}
		m = malloc(sizeof(*m) + cap);
		if (!m) {
			c->oom = 1;
			return NULL;
		}
		m->next = c->l->mem;
		m->used = 0;
		m->cap = cap;
		c->l->mem = m;
		/* later blocks grow so that deep structures need few mallocs */
		if (c->hint < ((size_t)1 << 28))
			c->hint *= 2;
	}
	m->used += need;
	return m->data + m->used - need;
}

static char *pdup(struct pctx *c, const char *s, size_t n)
{
	char *p = palloc(c, n + 1);
	if (!p)
		return (char *)"";
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* ---- Scanning ------------------------------------------------------------- */

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t';
}

static int is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static int is_ident_start(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static int is_ident(char ch)
{
	return is_ident_start(ch) || is_digit(ch);
}

static void trim(const char **s, size_t *n)
{
	while (*n && is_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_space((*s)[*n - 1]))
		(*n)--;
}

static size_t skip_ident(const char *s, size_t n, size_t i)
{
	while (i < n && is_ident(s[i]))
		i++;
	return i;
}

/* Past a "..." string starting at s[i], or SCAN_FAIL. */
static size_t skip_string(const char *s, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return SCAN_FAIL;
}

static size_t skip_comment(const char *s, size_t n, size_t i)
{
	for (i += 2; i + 1 < n; i++)
		if (s[i] == '*' && s[i + 1] == '/')
			return i + 2;
	return SCAN_FAIL;
}

/*
 * A '<' opens a -y decoration ("3</path>", "AT_FDCWD</dir>") or a "<...>"
 * note, but not a shift ("21<<MAP_HUGE_SHIFT") nor a comparison.
 */
static int angle_opens(const char *s, size_t n, size_t i)
{
	if (s[i] != '<' || i + 1 >= n)
		return 0;
	if (s[i + 1] == '<' || s[i + 1] == ' ' || s[i + 1] == '=')
		return 0;
	return i == 0 || s[i - 1] != '<';
}

/* Past a <...> group: nests for -yy ("</dev/null<char 1:3>>"), and ignores
 * '>' inside [...] because sockets print "<TCP:[1.2.3.4:5->6.7.8.9:10]>".
 * strace escapes '<' and '>' in paths, so no other care is needed. */
static size_t skip_angle(const char *s, size_t n, size_t i)
{
	int depth = 0, sq = 0;

	for (; i < n; i++) {
		if (s[i] == '[') {
			sq++;
		} else if (s[i] == ']') {
			if (sq)
				sq--;
		} else if (s[i] == '<' && !sq) {
			depth++;
		} else if (s[i] == '>' && !sq) {
			if (--depth == 0)
				return i + 1;
		}
	}
	return SCAN_FAIL;
}

/* Characters the scanners stop at: quotes, comments, brackets, '<' (a -y
 * decoration) and the separators find_top() is asked for. Every other byte
 * is skipped in a tight loop, which is most of a line's bytes. */
static const unsigned char scan_stop[256] = {
	['"'] = 1, ['/'] = 1, ['<'] = 1, ['('] = 1, ['['] = 1, ['{'] = 1,
	[')'] = 1, [']'] = 1, ['}'] = 1, [','] = 1, ['='] = 1,
};

/* Past the element starting at s[i]: a string, comment, <...> group or a
 * bracketed group, whose brackets must match. SCAN_FAIL if it does not end. */
static size_t skip_group(const char *s, size_t n, size_t i)
{
	char stack[MAX_NEST];
	int sp = 0;

	do {
		char ch = s[i];
		if (ch == '"') {
			i = skip_string(s, n, i);
		} else if (ch == '/' && i + 1 < n && s[i + 1] == '*') {
			i = skip_comment(s, n, i);
		} else if (angle_opens(s, n, i)) {
			i = skip_angle(s, n, i);
		} else {
			if (ch == '(' || ch == '[' || ch == '{') {
				if (sp == MAX_NEST)
					return SCAN_FAIL;
				stack[sp++] = ch == '(' ? ')' : ch == '[' ? ']' : '}';
			} else if (ch == ')' || ch == ']' || ch == '}') {
				if (sp == 0 || stack[--sp] != ch)
					return SCAN_FAIL;
			}
			i++;
			/* inside the group, ordinary bytes need no look */
			while (sp > 0 && i < n && !scan_stop[(unsigned char)s[i]])
				i++;
		}
		if (i == SCAN_FAIL)
			return SCAN_FAIL;
	} while (sp > 0 && i < n);
	return sp ? SCAN_FAIL : i;
}

/* Does a appear followed by b somewhere in s[0..n)? */
static int has_pair(const char *s, size_t n, char a, char b)
{
	for (const char *p = s; n >= 2 && (p = memchr(p, a, n - 1 - (size_t)(p - s)));
	     p++)
		if (p[1] == b)
			return 1;
	return 0;
}

static int opens_group(const char *s, size_t n, size_t i)
{
	char ch = s[i];
	return ch == '"' || ch == '(' || ch == '[' || ch == '{' ||
	       (ch == '/' && i + 1 < n && s[i + 1] == '*') || angle_opens(s, n, i);
}

/*
 * The first top-level position in s[i..n) where stop() holds, n if none, or
 * SCAN_FAIL if a group does not close or a closing bracket is stray (a ')'
 * may be a stop).
 */
static size_t find_top(const char *s, size_t n, size_t i, char stop1, const char *stop2)
{
	size_t l2 = stop2 ? strlen(stop2) : 0;
	/* the fast skip below may pass over a stop outside scan_stop[] */
	bool fast = (!stop1 || scan_stop[(unsigned char)stop1]) &&
		    (!l2 || scan_stop[(unsigned char)stop2[0]]);

	while (i < n) {
		if (fast && !scan_stop[(unsigned char)s[i]]) {
			i++;
			continue;
		}
		if (stop1 && s[i] == stop1)
			return i;
		if (l2 && s[i] == stop2[0] && n - i >= l2 && memcmp(s + i, stop2, l2) == 0)
			return i;
		if (opens_group(s, n, i)) {
			i = skip_group(s, n, i);
			if (i == SCAN_FAIL)
				return SCAN_FAIL;
		} else if (s[i] == ')' || s[i] == ']' || s[i] == '}') {
			return SCAN_FAIL;
		} else {
			i++;
		}
	}
	return n;
}

/* ---- Values --------------------------------------------------------------- */

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Unescapes strace's C-style escapes into dst (room for n + 1). */
static size_t unescape(char *dst, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch != '\\' || i + 1 >= n) {
			dst[o++] = ch;
			continue;
		}
		ch = s[++i];
		switch (ch) {
		case 'n': dst[o++] = '\n'; break;
		case 't': dst[o++] = '\t'; break;
		case 'r': dst[o++] = '\r'; break;
		case 'v': dst[o++] = '\v'; break;
		case 'f': dst[o++] = '\f'; break;
		case 'a': dst[o++] = '\a'; break;
		case 'b': dst[o++] = '\b'; break;
		case 'e': dst[o++] = 033; break;
		case 'x': {
			int v = 0, k = 0;
			while (k < 2 && i + 1 < n && hexval(s[i + 1]) >= 0) {
				v = v * 16 + hexval(s[++i]);
				k++;
			}
			dst[o++] = k ? (char)v : 'x';
			break;
		}
		default:
			if (ch >= '0' && ch <= '7') {
				int v = ch - '0', k = 1;
				while (k < 3 && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7') {
					v = v * 8 + (s[++i] - '0');
					k++;
				}
				dst[o++] = (char)v;
			} else {
				dst[o++] = ch; /* \\ \" \' and anything else */
			}
		}
	}
	dst[o] = '\0';
	return o;
}

/* A copy with comments blanked out (outside strings), trimmed. */
static char *strip_comments(struct pctx *c, const char *s, size_t n, size_t *outn)
{
	char *t = pdup(c, s, n);
	const char *ts;
	size_t i = 0;

	if (c->oom) {
		*outn = 0;
		return t;
	}
	while (i < n) {
		if (t[i] == '"') {
			size_t j = skip_string(t, n, i);
			i = j == SCAN_FAIL ? n : j;
		} else if (t[i] == '/' && i + 1 < n && t[i + 1] == '*') {
			size_t j = skip_comment(t, n, i);
			if (j == SCAN_FAIL)
				j = n;
			memset(t + i, ' ', j - i);
			i = j;
		} else {
			i++;
		}
	}
	ts = t;
	trim(&ts, &n);
	*outn = n;
	return (char *)ts;
}

/* Integer literal: 0x hex, 0 octal, decimal. Returns chars used, 0 if none.
 * A literal too large for 64 bits is read to its end all the same, with *big
 * set and *out 0: strace never prints one, so the line is damaged or made
 * up, and the caller says so rather than calling it malformed. */
static size_t parse_uint(const char *s, size_t n, uint64_t *out, int *big)
{
	uint64_t v = 0;
	size_t i = 0;
	unsigned base = 10;

	*big = 0;
	if (n == 0 || !is_digit(s[0]))
		return 0;
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
		if (i >= n || hexval(s[i]) < 0)
			return 0;
	} else if (s[0] == '0') {
		base = 8;
	}
	for (; i < n; i++) {
		int d = hexval(s[i]);
		if (d < 0 || (unsigned)d >= base)
			break;
		if (*big || __builtin_mul_overflow(v, base, &v) ||
		    __builtin_add_overflow(v, (unsigned)d, &v))
			*big = 1;
	}
	/* "08" is not octal, and "12ab" is not a number */
	if (i < n && (is_ident(s[i])))
		return 0;
	*out = *big ? 0 : v;
	return i;
}

struct expr {
	const char *s;
	size_t n, i;
	const char *bad; /* first unknown name */
	size_t badn;
	const char *big; /* first number over 64 bits */
	size_t bign;
	int depth;
};

static void ex_space(struct expr *e)
{
	while (e->i < e->n && is_space(e->s[e->i]))
		e->i++;
}

static int ex_or(struct expr *e, uint64_t *out);

static int ex_factor(struct expr *e, uint64_t *out)
{
	uint64_t v;
	size_t used;

	ex_space(e);
	if (e->i >= e->n || ++e->depth > MAX_EXPR_DEPTH)
		return -1;
	if (e->s[e->i] == '-' || e->s[e->i] == '~') {
		char op = e->s[e->i++];
		if (ex_factor(e, &v))
			return -1;
		*out = op == '-' ? (uint64_t)0 - v : ~v;
	} else if (e->s[e->i] == '(') {
		e->i++;
		if (ex_or(e, out))
			return -1;
		ex_space(e);
		if (e->i >= e->n || e->s[e->i] != ')')
			return -1;
		e->i++;
	} else if (is_digit(e->s[e->i])) {
		int big;
		used = parse_uint(e->s + e->i, e->n - e->i, out, &big);
		if (!used)
			return -1;
		if (big && !e->big) {
			e->big = e->s + e->i;
			e->bign = used;
		}
		e->i += used;
	} else if (is_ident_start(e->s[e->i])) {
		size_t st = e->i, end = skip_ident(e->s, e->n, e->i);
		e->i = end;
		if (end - st == 7 && memcmp(e->s + st, "makedev", 7) == 0) {
			/* makedev(major, minor), glibc's dev_t encoding */
			uint64_t ma, mi;
			ex_space(e);
			if (e->i >= e->n || e->s[e->i++] != '(' || ex_or(e, &ma))
				return -1;
			ex_space(e);
			if (e->i >= e->n || e->s[e->i++] != ',' || ex_or(e, &mi))
				return -1;
			ex_space(e);
			if (e->i >= e->n || e->s[e->i++] != ')')
				return -1;
			*out = ((ma & 0xfffff000ULL) << 32) | ((ma & 0xfffULL) << 8) |
			       ((mi & 0xffffff00ULL) << 12) | (mi & 0xffULL);
		} else if (symbol_value_n(e->s + st, end - st, out)) {
			if (!e->bad) {
				e->bad = e->s + st;
				e->badn = end - st;
			}
			*out = 0;
		}
	} else {
		return -1;
	}
	e->depth--;
	return 0;
}

/* a*b and a<<b (8192*1024, 21<<MAP_HUGE_SHIFT), left to right */
static int ex_term(struct expr *e, uint64_t *out)
{
	uint64_t r;

	if (ex_factor(e, out))
		return -1;
	for (;;) {
		ex_space(e);
		if (e->i < e->n && e->s[e->i] == '*') {
			e->i++;
			if (ex_factor(e, &r))
				return -1;
			*out *= r;
		} else if (e->i + 1 < e->n && e->s[e->i] == '<' && e->s[e->i + 1] == '<') {
			e->i += 2;
			if (ex_factor(e, &r))
				return -1;
			*out = r < 64 ? *out << r : 0;
		} else if (e->i < e->n && e->s[e->i] == '+') {
			e->i++;
			if (ex_factor(e, &r))
				return -1;
			*out += r;
		} else {
			return 0;
		}
	}
}

static int ex_or(struct expr *e, uint64_t *out)
{
	uint64_t r;

	if (++e->depth > MAX_EXPR_DEPTH || ex_term(e, out))
		return -1;
	for (;;) {
		ex_space(e);
		if (e->i >= e->n || e->s[e->i] != '|')
			break;
		e->i++;
		if (ex_term(e, &r))
			return -1;
		*out |= r;
	}
	e->depth--;
	return 0;
}

static void warn_bad(struct pctx *c, const char *what, const char *name)
{
	struct strace_line *l = c->l;
	if (l->nwarn++ == 0)
		snprintf(l->warn, sizeof(l->warn), "unknown name %s in %s", name, what);
}

static void parse_val(struct pctx *c, const char *s, size_t n, struct strace_val *v, int depth);

/* {a=1, b=2, ...} or [x, y]: fills v->fields from the inner text, each
 * member found by the top-level ',' after it. */
static void parse_members(struct pctx *c, const char *s, size_t n, struct strace_val *v,
			  int named, int depth)
{
	size_t bound = 1, pos = 0;

	trim(&s, &n);
	if (n == 0)
		return;
	/* room for as many members as there are commas, and one */
	for (const char *q = s; (q = memchr(q, ',', n - (size_t)(q - s))) != NULL; q++)
		bound++;
	if (bound > (size_t)1 << 24) {
		v->kind = SV_OTHER;
		return;
	}
	v->fields = palloc(c, bound * sizeof(*v->fields));
	if (!v->fields)
		return;
	while (pos <= n) {
		size_t end = find_top(s, n, pos, ',', NULL);
		if (end == SCAN_FAIL) {
			v->kind = SV_OTHER;
			v->nfields = 0;
			return;
		}
		const char *ms = s + pos;
		size_t mn = end - pos, e;
		struct strace_field *f = &v->fields[v->nfields];
		pos = end + 1;

		trim(&ms, &mn);
		if (mn == 3 && memcmp(ms, "...", 3) == 0) {
			v->elided = 1;
			continue;
		}
		f->name = NULL;
		e = named ? skip_ident(ms, mn, 0) : 0;
		if (e > 0 && is_ident_start(ms[0]) && e < mn && ms[e] == '=' &&
		    (e + 1 >= mn || ms[e + 1] != '=')) {
			f->name = pdup(c, ms, e);
			ms += e + 1;
			mn -= e + 1;
		}
		parse_val(c, ms, mn, &f->v, depth + 1);
		v->nfields++;
	}
}

/*
 * Most values are a number ("4096", "-1", "0x7f0000000000", "0644") or known
 * names joined by '|' ("PROT_READ|PROT_WRITE"): read here in one pass, as
 * the expression reader below would read them. Anything else (a space, an
 * unknown name, a number over 64 bits, a -y path, a comment) returns 0 and
 * takes the full path, which also says what is wrong.
 */
static int simple_value(struct pctx *c, const char *s, size_t n, struct strace_val *v)
{
	uint64_t num = 0, x;
	if (n == 4 && !memcmp(s, "NULL", 4))
		return 0; /* SV_NULL */
	if (is_digit(s[0]) || (s[0] == '-' && n > 1 && is_digit(s[1]))) {
		size_t neg = s[0] == '-';
		int big;
		if (parse_uint(s + neg, n - neg, &num, &big) != n - neg || big)
			return 0;
		if (neg)
			num = (uint64_t)0 - num;
	} else {
		size_t i = 0;
		for (;;) {
			size_t e = i;
			while (e < n && ((s[e] >= 'A' && s[e] <= 'Z') || s[e] == '_' ||
					 (e > i && is_digit(s[e]))))
				e++;
			if (e == i || (e < n && s[e] != '|') || symbol_value_n(s + i, e - i, &x))
				return 0;
			num |= x;
			if (e == n)
				break;
			i = e + 1;
			if (i == n)
				return 0;
		}
	}
	v->raw = pdup(c, s, n);
	v->kind = SV_INT;
	v->has_num = 1;
	v->num = num;
	return 1;
}

static void parse_val(struct pctx *c, const char *s, size_t n, struct strace_val *v, int depth)
{
	size_t tn, i;
	char *t;
	struct expr e;

	memset(v, 0, sizeof(*v));
	trim(&s, &n);
	if (n == 0) {
		v->raw = pdup(c, s, n);
		v->kind = SV_NONE;
		return;
	}
	if (simple_value(c, s, n, v))
		return;
	v->kind = SV_OTHER;
	if (has_pair(s, n, '/', '*')) {
		v->raw = pdup(c, s, n);
		t = strip_comments(c, s, n, &tn);
	} else {
		/* Without a comment the stripped text is the text itself,
		 * trimmed already: one copy serves as both. */
		v->raw = t = pdup(c, s, n);
		tn = n;
	}
	if (c->oom || tn == 0)
		return;

	if (t[0] == '"') {
		size_t end = skip_string(t, tn, 0);
		char *d;
		if (end == SCAN_FAIL)
			return;
		if (end != tn && !(tn - end == 3 && memcmp(t + end, "...", 3) == 0))
			return;
		d = palloc(c, end - 1);
		if (!d)
			return;
		v->kind = SV_STR;
		v->str = d;
		v->str_len = unescape(d, t + 1, end - 2);
		v->str_truncated = end != tn;
		return;
	}
	if (tn == 4 && memcmp(t, "NULL", 4) == 0) {
		v->kind = SV_NULL;
		v->has_num = 1;
		v->num = 0;
		return;
	}
	if (t[0] == '{' || t[0] == '[') {
		/* one group, "{...}" or "[...]": parse_members() fails (and makes
		 * it SV_OTHER) where the inside does not balance, which is where
		 * the group would end early ("{a} {b}") */
		if (tn < 2 || t[tn - 1] != (t[0] == '{' ? '}' : ']'))
			return;
		if (depth >= MAX_VAL_DEPTH) {
			if (skip_group(t, tn, 0) == tn)
				v->kind = t[0] == '{' ? SV_STRUCT : SV_ARRAY;
			return;
		}
		v->kind = t[0] == '{' ? SV_STRUCT : SV_ARRAY;
		parse_members(c, t + 1, tn - 2, v, t[0] == '{', depth);
		/* a pointer to one int prints as [N]: its value is N */
		if (v->kind == SV_ARRAY && v->nfields == 1 && !v->elided &&
		    v->fields[0].v.has_num) {
			v->has_num = 1;
			v->num = v->fields[0].v.num;
		}
		return;
	}

	/* -y decoration at the end: "3</path>", "AT_FDCWD</dir>" */
	for (i = 1; i < tn; i++) {
		if (t[i] == '"' || t[i] == '{' || t[i] == '[')
			return;
		if (angle_opens(t, tn, i)) {
			size_t end = skip_angle(t, tn, i);
			char *d;
			/* an unlinked file: "3</memfd:x>(deleted)" */
			int deleted = end != SCAN_FAIL && tn - end == 9 && !memcmp(t + end, "(deleted)", 9);
			if (end != tn && !deleted)
				return;
			d = palloc(c, end - i - 1);
			if (!d)
				return;
			unescape(d, t + i + 1, end - i - 2);
			v->fd_path = d;
			v->fd_deleted = deleted;
			tn = i;
			break;
		}
	}

	memset(&e, 0, sizeof(e));
	e.s = t;
	e.n = tn;
	if (ex_or(&e, &v->num) == 0) {
		ex_space(&e);
		if (e.i == e.n) {
			v->kind = SV_INT;
			if (e.bad)
				v->bad_name = pdup(c, e.bad, e.badn);
			if (e.big) {
				v->too_big = pdup(c, e.big, e.bign);
				c->big = 1;
			}
			if (e.bad || e.big)
				v->num = 0;
			else
				v->has_num = 1;
			return;
		}
	}
	v->num = 0;
	v->fd_path = NULL;
	v->fd_deleted = 0;
}

/* One argument: optional "name=" (clone), value, optional " => out". */
static void parse_arg(struct pctx *c, const char *s, size_t n, struct strace_arg *a)
{
	size_t e, arrow;

	memset(a, 0, sizeof(*a));
	trim(&s, &n);
	e = skip_ident(s, n, 0);
	if (e > 0 && is_ident_start(s[0]) && e < n && s[e] == '=' &&
	    (e + 1 >= n || (s[e + 1] != '=' && s[e + 1] != '>'))) {
		a->name = pdup(c, s, e);
		s += e + 1;
		n -= e + 1;
	}
	/* Most arguments have no "=>" anywhere: then none at the top level
	 * either, and the scan for one can be left out. */
	arrow = has_pair(s, n, '=', '>') ? find_top(s, n, 0, 0, "=>") : n;
	if (arrow != SCAN_FAIL && arrow < n) {
		struct strace_val *out = palloc(c, sizeof(*out));
		parse_val(c, s, arrow, &a->v, 0);
		if (out) {
			parse_val(c, s + arrow + 2, n - arrow - 2, out, 0);
			a->out = out;
		}
	} else {
		parse_val(c, s, n, &a->v, 0);
	}
}

/* The first number over 64 bits in v or its members, or NULL. */
static const char *first_too_big(const struct strace_val *v)
{
	const char *b = v->too_big;
	for (int i = 0; !b && i < v->nfields; i++)
		b = first_too_big(&v->fields[i].v);
	return b;
}

/* Does v hold a name the parser does not know, anywhere in it? */
static int has_bad_name(const struct strace_val *v)
{
	if (v->bad_name)
		return 1;
	for (int i = 0; i < v->nfields; i++)
		if (has_bad_name(&v->fields[i].v))
			return 1;
	return 0;
}

static void note_bad_names(struct pctx *c, const struct strace_val *v, const char *what)
{
	if (v->bad_name) {
		warn_bad(c, what, v->bad_name);
		return;
	}
	for (int i = 0; i < v->nfields; i++)
		note_bad_names(c, &v->fields[i].v, what);
}

/* ---- Lines ---------------------------------------------------------------- */

static int fail(struct strace_line *l, char *err, size_t errsz, const char *msg)
{
	l->kind = SL_MALFORMED;
	if (err && errsz)
		snprintf(err, errsz, "%s", msg);
	return -1;
}

static int set_name(struct strace_line *l, const char *s, size_t n)
{
	if (n == 0 || n >= sizeof(l->name))
		return -1;
	memcpy(l->name, s, n);
	l->name[n] = '\0';
	return 0;
}

/* Decimal digits into an int; returns chars used, 0 if none or too big. */
static size_t parse_int(const char *s, size_t n, int *out)
{
	long v = 0;
	size_t i = 0;

	while (i < n && is_digit(s[i])) {
		v = v * 10 + (s[i] - '0');
		if (v > 0x7fffffff)
			return 0;
		i++;
	}
	*out = (int)v;
	return i;
}

/* Past the "<comm>" that --decode-pids=comm prints after a pid. */
static size_t skip_comm(const char *s, size_t n, size_t i)
{
	size_t e;

	if (i >= n || s[i] != '<')
		return i;
	e = skip_angle(s, n, i);
	return e == SCAN_FAIL ? n : e;
}

/* "[pid  N] " or "N " (-f -o), then -t/-tt/-ttt/-r timestamps. */
static int parse_prefix(struct strace_line *l, const char *s, size_t n, size_t *pos)
{
	size_t i = 0, k;

	if (n >= 4 && memcmp(s, "[pid", 4) == 0) {
		i = 4;
		while (i < n && is_space(s[i]))
			i++;
		k = parse_int(s + i, n - i, &l->pid);
		if (!k)
			return -1;
		i = skip_comm(s, n, i + k);
		if (i >= n || s[i] != ']')
			return -1;
		i++;
	} else if (n && is_digit(s[0])) {
		k = 0;
		while (k < n && is_digit(s[k]))
			k++;
		i = skip_comm(s, n, k);
		if (i < n && is_space(s[i])) {
			if (parse_int(s, n, &l->pid) != k)
				return -1;
		} else {
			i = 0;
		}
	}
	while (i < n && is_space(s[i]))
		i++;

	if (i < n && is_digit(s[i])) {
		uint64_t sec = 0;
		double frac = 0, scale = 0.1;
		k = i;
		while (k < n && is_digit(s[k]) && sec < 1000000000000ULL)
			sec = sec * 10 + (uint64_t)(s[k++] - '0');
		if (k < n && s[k] == ':') {
			/* -t / -tt: HH:MM:SS */
			int hh = (int)sec, mm, ss;
			if (k + 6 > n || !is_digit(s[k + 1]) || !is_digit(s[k + 2]) ||
			    s[k + 3] != ':' || !is_digit(s[k + 4]) || !is_digit(s[k + 5]))
				return -1;
			mm = (s[k + 1] - '0') * 10 + (s[k + 2] - '0');
			ss = (s[k + 4] - '0') * 10 + (s[k + 5] - '0');
			sec = (uint64_t)hh * 3600 + (uint64_t)mm * 60 + (uint64_t)ss;
			k += 6;
			l->ts_kind = STRACE_TS_CLOCK;
		} else if (k < n && s[k] == '.') {
			/* -ttt prints seconds since 1970, -r small deltas */
			l->ts_kind = sec >= 100000000 ? STRACE_TS_EPOCH : STRACE_TS_RELATIVE;
		} else {
			return -1;
		}
		if (k < n && s[k] == '.') {
			k++;
			if (k >= n || !is_digit(s[k]))
				return -1;
			while (k < n && is_digit(s[k])) {
				frac += (s[k++] - '0') * scale;
				scale /= 10;
			}
		}
		if (k < n && !is_space(s[k]))
			return -1;
		l->timestamp = (double)sec + frac;
		i = k;
		while (i < n && is_space(s[i]))
			i++;
	}
	*pos = i;
	return 0;
}

/* " = value[<fd path>] [ERRNO] [(note)]... [<duration>]" from s[i]. */
static int parse_result(struct pctx *c, const char *s, size_t n, size_t i, char *err,
			size_t errsz)
{
	struct strace_line *l = c->l;
	int have_note = 0;

	while (i < n && is_space(s[i]))
		i++;
	if (i >= n || s[i] != '=')
		return fail(l, err, errsz, "no \"= result\" after the arguments");
	i++;
	while (i < n && is_space(s[i]))
		i++;
	l->has_result = 1;
	if (i < n && s[i] == '?') {
		l->result_unknown = 1;
		i++;
	} else {
		int neg = i < n && s[i] == '-', big;
		uint64_t v;
		size_t used = parse_uint(s + i + neg, n - i - neg, &v, &big);
		if (!used)
			return fail(l, err, errsz, "bad result value");
		if (big)
			return fail(l, err, errsz, "result value does not fit in 64 bits");
		i += neg + used;
		l->result = neg ? -(int64_t)v : (int64_t)v;
		if (i < n && s[i] == '<' && angle_opens(s, n, i)) {
			size_t end = skip_angle(s, n, i);
			char *d;
			if (end == SCAN_FAIL)
				return fail(l, err, errsz, "unterminated <path> in result");
			d = palloc(c, end - i - 1);
			if (d) {
				unescape(d, s + i + 1, end - i - 2);
				l->result_fd_path = d;
			}
			i = end;
			if (n - i >= 9 && !memcmp(s + i, "(deleted)", 9)) {
				l->result_fd_deleted = 1;
				i += 9;
			}
		}
	}
	if (i < n && !is_space(s[i]))
		return fail(l, err, errsz, "junk after result value");
	for (;;) {
		while (i < n && is_space(s[i]))
			i++;
		if (i >= n)
			break;
		if (s[i] == 'E' && !l->errname[0] && !have_note) {
			size_t e = skip_ident(s, n, i);
			/* "E???" is strace's name for an errno it does not know */
			while (e < n && s[e] == '?')
				e++;
			if (e - i >= sizeof(l->errname))
				return fail(l, err, errsz, "errno name too long");
			memcpy(l->errname, s + i, e - i);
			l->errname[e - i] = '\0';
			i = e;
		} else if (s[i] == '(') {
			size_t end = skip_group(s, n, i);
			if (end == SCAN_FAIL)
				return fail(l, err, errsz, "unterminated (...) after result");
			/* the first note explains the result; later ones are
			 * strace's own ("(INJECTED)") */
			if (!have_note)
				l->result_note = pdup(c, s + i + 1, end - i - 2);
			have_note = 1;
			i = end;
		} else if (s[i] == '<') {
			size_t end = skip_angle(s, n, i);
			const char *d;
			if (end == SCAN_FAIL)
				return fail(l, err, errsz, "unterminated <...> after result");
			d = s + i + 1;
			if (end - i - 2 == 11 && memcmp(d, "unavailable", 11) == 0) {
				/* strace 6: the thread vanished; nothing to read */
			} else {
				double dur = 0, scale = 1;
				size_t k = 0, m = end - i - 2;
				int dot = 0, digits = 0;
				for (; k < m; k++) {
					if (d[k] == '.' && !dot) {
						dot = 1;
					} else if (is_digit(d[k])) {
						digits++;
						if (dot) {
							scale /= 10;
							dur += (d[k] - '0') * scale;
						} else {
							dur = dur * 10 + (d[k] - '0');
						}
					} else {
						break;
					}
				}
				if (k != m || !digits)
					return fail(l, err, errsz, "bad <duration> after result");
				l->duration = dur;
			}
			i = end;
		} else {
			return fail(l, err, errsz, "unexpected text after result");
		}
	}
	if (l->result == -1 || l->result_unknown) {
		int e = l->errname[0] ? strace_errno_value(l->errname) : -1;
		/* "-1 E??? (errno 1234)" for an errno without a name */
		if (e < 0 && l->result_note && strncmp(l->result_note, "errno ", 6) == 0) {
			const char *d = l->result_note + 6;
			if (parse_int(d, strlen(d), &e) != strlen(d))
				e = -1;
		}
		if (e > 0)
			l->result = -e;
	}
	return 0;
}

static int parse_exit(struct strace_line *l, const char *s, size_t n, char *err, size_t errsz)
{
	size_t k;

	l->kind = SL_EXIT;
	if (n < 8 || memcmp(s + n - 4, " +++", 4) != 0)
		return fail(l, err, errsz, "exit line does not end with +++");
	n -= 4;
	s += 4;
	n -= 4;
	if (n > 12 && memcmp(s, "exited with ", 12) == 0) {
		int neg = s[12] == '-';
		l->exit_kind = STRACE_EXITED;
		k = parse_int(s + 12 + neg, n - 12 - neg, &l->exit_status);
		if (!k || 12 + neg + k != n)
			return fail(l, err, errsz, "bad exit status");
		if (neg)
			l->exit_status = -l->exit_status;
		return 0;
	}
	if (n > 10 && memcmp(s, "killed by ", 10) == 0) {
		size_t e = skip_ident(s, n, 10);
		l->exit_kind = STRACE_KILLED;
		l->signo = signal_value_n(s + 10, e - 10);
		if (set_name(l, s + 10, e - 10))
			return fail(l, err, errsz, "bad signal in exit line");
		if (e + 14 == n && memcmp(s + e, " (core dumped)", 14) == 0)
			l->core_dumped = 1;
		else if (e != n)
			return fail(l, err, errsz, "junk in exit line");
		if (l->signo < 0)
			l->signo = 0;
		return 0;
	}
	if (n > 28 && memcmp(s, "superseded by execve in pid ", 28) == 0) {
		l->exit_kind = STRACE_SUPERSEDED;
		k = parse_int(s + 28, n - 28, &l->superseded_by);
		if (!k || 28 + k != n)
			return fail(l, err, errsz, "bad pid in superseded line");
		return 0;
	}
	return fail(l, err, errsz, "unknown +++ line");
}

/* Could s[0..n) hold a number over 64 bits? A run of 17 or more hex digits
 * (or 'x'), anywhere, even in a string: then the text is read in full. */
static int long_digit_run(const char *s, size_t n)
{
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		if (hexval(s[i]) >= 0 || s[i] == 'x') {
			if (++run >= 17)
				return 1;
		} else {
			run = 0;
		}
	}
	return 0;
}

static int parse_signal(struct pctx *c, const char *s, size_t n, int skip, char *err,
			size_t errsz)
{
	struct strace_line *l = c->l;
	size_t e;

	l->kind = SL_SIGNAL;
	if (n < 8 || memcmp(s + n - 4, " ---", 4) != 0)
		return fail(l, err, errsz, "signal line does not end with ---");
	s += 4;
	n -= 8;
	if (n > 11 && memcmp(s, "stopped by ", 11) == 0) {
		l->stopped = 1;
		s += 11;
		n -= 11;
	}
	e = skip_ident(s, n, 0);
	if (set_name(l, s, e))
		return fail(l, err, errsz, "bad signal name");
	l->signo = signal_value_n(s, e);
	if (l->signo < 0) {
		l->signo = 0;
		if (l->nwarn++ == 0)
			snprintf(l->warn, sizeof(l->warn), "unknown signal %s", l->name);
	}
	if (e < n && skip && !long_digit_run(s + e, n - e)) {
		/* siginfo left unread (strace_parse_line_some) */
		l->args_skipped = 1;
	} else if (e < n) {
		parse_arg(c, s + e, n - e, &l->args[0]);
		l->nargs = 1;
		note_bad_names(c, &l->args[0].v, "siginfo");
	}
	return 0;
}

/*
 * The arguments one by one, each found by the top-level ',' after it (one
 * scan of the text, no list of pieces). With close set, s runs on past the
 * argument list: it ends at the first top-level ')', whose offset is put
 * in *close; else the arguments are all of s (an unfinished call's).
 */
static int parse_args(struct pctx *c, const char *s, size_t n, int partial, size_t *close,
		      char *err, size_t errsz)
{
	struct strace_line *l = c->l;
	size_t pos = 0;

	if (!close)
		trim(&s, &n);
	for (int k = 0; close || (n > 0 && pos <= n); k++) {
		size_t end = find_top(s, n, pos, ',', close ? ")" : NULL);
		if (end == SCAN_FAIL || (close && end >= n)) {
			/* a malformed list has no arguments, as if never split */
			l->nargs = l->args_dropped = l->nwarn = l->too_big_arg = 0;
			l->warn[0] = '\0';
			l->too_big = NULL;
			return fail(l, err, errsz,
				    close ? "unterminated argument list"
					  : "unbalanced brackets or quotes in arguments");
		}
		const char *as = s + pos;
		size_t an = end - pos;
		bool last = close ? s[end] == ')' : end >= n;
		pos = end + 1;
		trim(&as, &an);
		if (close && last)
			*close = end;
		/* "()": no arguments */
		if (close && last && an == 0 && k == 0)
			break;
		/* "read(3,  <unfinished ...>" leaves an empty last argument */
		if (partial && an == 0 && last)
			break;
		if (l->nargs == STRACE_MAX_ARGS) {
			l->args_dropped++;
			if (close && last)
				break;
			continue;
		}
		parse_arg(c, as, an, &l->args[l->nargs]);
		if (c->big && !l->too_big) {
			const struct strace_arg *a = &l->args[l->nargs];
			l->too_big = first_too_big(&a->v);
			if (!l->too_big && a->out)
				l->too_big = first_too_big(a->out);
			if (l->too_big)
				l->too_big_arg = l->nargs + 1;
		}
		/* the text of the warning only when there is one to give */
		if (has_bad_name(&l->args[l->nargs].v) ||
		    (l->args[l->nargs].out && has_bad_name(l->args[l->nargs].out))) {
			char what[32] = "";
			/* only the first warning's text is kept (warn_bad) */
			if (l->nwarn == 0)
				snprintf(what, sizeof(what), "argument %d", l->nargs + 1);
			note_bad_names(c, &l->args[l->nargs].v, what);
			if (l->args[l->nargs].out)
				note_bad_names(c, l->args[l->nargs].out, what);
		}
		l->nargs++;
		if (close && last)
			break;
	}
	return 0;
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* The arguments s[0..n) (to the end of an unfinished call's, or on past
 * the list when close is set) checked as parse_args() would check them,
 * without reading them. Returns 1 when they were, 0 when they must be read
 * after all (a long number), -1 for a malformed list (failed). */
static int skip_args(struct pctx *c, const char *s, size_t n, size_t *close, char *err,
		     size_t errsz)
{
	size_t end = find_top(s, n, 0, close ? ')' : 0, NULL);
	if (end == SCAN_FAIL || (close && end >= n))
		return fail(c->l, err, errsz,
			    close ? "unterminated argument list"
				  : "unbalanced brackets or quotes in arguments");
	if (long_digit_run(s, end))
		return 0;
	if (close)
		*close = end;
	c->l->args_skipped = 1;
	return 1;
}

int strace_parse_line(const char *text, struct strace_line *out, char *err, size_t errsz)
{
	return strace_parse_line_some(text, out, err, errsz, NULL);
}

int strace_parse_line_some(const char *text, struct strace_line *out, char *err, size_t errsz,
			   int (*args_wanted)(const char *name))
{
	struct strace_mem *keep = out->mem;
	struct pctx c;
	const char *s;
	size_t n, i, e;
	int lineno = out->lineno;

	/* reuse the largest block; the rest go */
	if (keep) {
		mem_free_all(keep->next);
		keep->next = NULL;
		keep->used = 0;
	}
	memset(out, 0, sizeof(*out));
	out->mem = keep;
	out->lineno = lineno;
	out->timestamp = -1;
	out->duration = -1;
	if (err && errsz)
		err[0] = '\0';
	if (!text)
		text = "";

	n = strcspn(text, "\n");
	if (n && text[n - 1] == '\r')
		n--;
	c.l = out;
	c.oom = 0;
	c.big = 0;
	c.hint = n * 2 + 256;
	/* the first block must hold the copy, else a second block starts */
	out->text = s = pdup(&c, text, n);
	if (c.oom) {
		out->text = "";
		return fail(out, err, errsz, "out of memory");
	}

	/* strace's own messages and -k stack frames */
	{
		const char *t = s;
		size_t tn = n;
		trim(&t, &tn);
		if (tn == 0 || strncmp(s, "strace: ", 8) == 0 || strncmp(s, " > ", 3) == 0) {
			out->kind = SL_OTHER;
			return 0;
		}
	}

	if (parse_prefix(out, s, n, &i))
		return fail(out, err, errsz, "bad pid prefix or timestamp");
	while (n > i && is_space(s[n - 1]))
		n--;
	if (i >= n)
		return fail(out, err, errsz, "nothing after the prefix");

	/* strace's note that a process changed ABI: "[ Process PID=N runs in
	 * 32 bit mode. ]" (also "64 bit", "x32"); the caller reads the text */
	if (n - i >= 14 && memcmp(s + i, "[ Process PID=", 14) == 0 && ends_with(s, n, " ]")) {
		out->kind = SL_OTHER;
		return 0;
	}
	if (n - i >= 4 && memcmp(s + i, "+++ ", 4) == 0)
		return parse_exit(out, s + i, n - i, err, errsz);
	if (n - i >= 4 && memcmp(s + i, "--- ", 4) == 0)
		return parse_signal(&c, s + i, n - i, args_wanted != NULL, err, errsz);

	if (n - i >= 5 && memcmp(s + i, "<... ", 5) == 0) {
		size_t close;
		out->kind = SL_RESUMED;
		i += 5;
		e = skip_ident(s, n, i);
		if (set_name(out, s + i, e - i))
			return fail(out, err, errsz, "bad name in <... resumed>");
		if (n - e < 9 || memcmp(s + e, " resumed>", 9) != 0)
			return fail(out, err, errsz, "expected \" resumed>\"");
		i = e + 9;
		out->join_off = i;
		/* the rest of the arguments, then ')' and the result */
		close = find_top(s, n, i, ')', NULL);
		if (close == SCAN_FAIL || close >= n)
			return fail(out, err, errsz, "no ')' after <... resumed>");
		return parse_result(&c, s, n, close + 1, err, errsz);
	}

	e = i;
	while (e < n && (is_ident(s[e]) || s[e] == '?'))
		e++;
	if (e == i || e >= n || s[e] != '(')
		return fail(out, err, errsz, "not a system call line");
	if (set_name(out, s + i, e - i))
		return fail(out, err, errsz, "system call name too long");
	i = e + 1;

	if (ends_with(s, n, "<unfinished ...>") || ends_with(s, n, "<detached ...>")) {
		size_t m = ends_with(s, n, "<unfinished ...>") ? n - 16 : n - 14;
		out->detached = ends_with(s, n, "<detached ...>");
		out->kind = SL_UNFINISHED;
		if (m < i)
			return fail(out, err, errsz, "bad <unfinished ...> line");
		out->join_off = m;
		while (m > i && is_space(s[m - 1]))
			m--;
		if (args_wanted && !args_wanted(out->name)) {
			int k = skip_args(&c, s + i, m - i, NULL, err, errsz);
			if (k)
				return k < 0 ? -1 : 0;
		}
		return parse_args(&c, s + i, m - i, 1, NULL, err, errsz);
	}

	out->kind = SL_CALL;
	int skipped = 0;
	if (args_wanted && !args_wanted(out->name)) {
		skipped = skip_args(&c, s + i, n - i, &e, err, errsz);
		if (skipped < 0)
			return -1;
	}
	if (!skipped && parse_args(&c, s + i, n - i, 0, &e, err, errsz))
		return -1;
	if (parse_result(&c, s, n, i + e + 1, err, errsz))
		return -1;
	if (c.oom)
		return fail(out, err, errsz, "out of memory");
	return 0;
}

const struct strace_val *strace_val_field(const struct strace_val *v, const char *name)
{
	if (!v || v->kind != SV_STRUCT)
		return NULL;
	for (int i = 0; i < v->nfields; i++)
		if (v->fields[i].name && strcmp(v->fields[i].name, name) == 0)
			return &v->fields[i].v;
	return NULL;
}

const struct strace_val *strace_arg_field(const struct strace_arg *a, const char *name)
{
	const struct strace_val *f = a->out ? strace_val_field(a->out, name) : NULL;
	return f ? f : strace_val_field(&a->v, name);
}

/* ---- Reader --------------------------------------------------------------- */

void strace_reader_init(struct strace_reader *r, FILE *f)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
}

void strace_reader_free(struct strace_reader *r)
{
	free(r->buf);
	free(r->held);
	memset(r, 0, sizeof(*r));
}

/* Where "strace: Process N attached" (or detached) ends a line after other
 * text, else 0. */
static size_t find_cut_message(const char *s)
{
	const char *p = s;

	if (!*s)
		return 0;
	while ((p = strstr(p + 1, "strace: Process ")) != NULL) {
		const char *q = p + 16;
		if (!is_digit(*q))
			continue;
		while (is_digit(*q))
			q++;
		if (strcmp(q, " attached") == 0 || strcmp(q, " detached") == 0)
			return (size_t)(p - s);
	}
	return 0;
}

/* One physical line into a malloc'd string without its newline. */
static char *read_phys(struct strace_reader *r)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len = getline(&line, &cap, r->f);

	if (len < 0) {
		if (ferror(r->f))
			r->error = 1;
		free(line);
		return NULL;
	}
	r->phys++;
	if (len && line[len - 1] == '\n')
		line[--len] = '\0';
	if (len && line[len - 1] == '\r')
		line[--len] = '\0';
	return line;
}

const char *strace_reader_next(struct strace_reader *r, int *lineno)
{
	char *cur;
	int ln;
	size_t cut;

	if (r->error)
		return NULL;
	if (r->held) {
		cur = r->held;
		ln = r->held_lineno;
		r->held = NULL;
	} else {
		cur = read_phys(r);
		if (!cur)
			return NULL;
		ln = r->phys;
	}
	cut = find_cut_message(cur);
	if (cut) {
		/* hand out the message now and the glued call next time */
		char *next = read_phys(r);
		size_t a = cut, b = next ? strlen(next) : 0;
		char *glued = malloc(a + b + 1);
		if (!glued) {
			free(next);
			free(cur);
			r->error = 1;
			return NULL;
		}
		memcpy(glued, cur, a);
		if (next)
			memcpy(glued + a, next, b);
		glued[a + b] = '\0';
		free(next);
		r->held = glued;
		r->held_lineno = ln;
		memmove(cur, cur + cut, strlen(cur + cut) + 1);
	}
	free(r->buf);
	r->buf = cur;
	if (lineno)
		*lineno = ln;
	return cur;
}

/* ---- Joiner --------------------------------------------------------------- */

struct jitem {
	char *text; /* what to parse when handed out */
	struct strace_line *parsed; /* or its parse, taken from the caller */
	int pid;
	char name[32];
	size_t join_off;
	int start_lineno, end_lineno;
	double start_ts, end_ts;
	uint64_t start_seq, end_seq;
	int done, abandoned, orphan;
};

struct queue {
	struct jitem **v;
	size_t head, len, cap;
};

struct strace_joiner {
	enum strace_order order;
	struct queue out;     /* in hand-out order (START: all, in start order) */
	struct queue pending; /* unfinished calls (not in start order) */
	uint64_t start_seq, end_seq;
	int *live;            /* pids alive */
	size_t nlive, livecap;
	struct pidset known;  /* pids ever seen or announced */
	int alias;            /* the printed pid of the unprefixed first process */
	int anon;             /* lines without a pid were seen first */
};

static int q_push(struct queue *q, struct jitem *it)
{
	if (q->head && q->head + q->len == q->cap) {
		memmove(q->v, q->v + q->head, q->len * sizeof(*q->v));
		q->head = 0;
	}
	if (q->head + q->len == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		struct jitem **v = realloc(q->v, cap * sizeof(*v));
		if (!v)
			return -1;
		q->v = v;
		q->cap = cap;
	}
	q->v[q->head + q->len++] = it;
	return 0;
}

static struct jitem *q_at(struct queue *q, size_t i)
{
	return q->v[q->head + i];
}

static void q_remove(struct queue *q, size_t i)
{
	memmove(q->v + q->head + i, q->v + q->head + i + 1, (q->len - i - 1) * sizeof(*q->v));
	q->len--;
}

static int set_add(int **v, size_t *n, size_t *cap, int x)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i] == x)
			return 0;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		int *nv = realloc(*v, nc * sizeof(*nv));
		if (!nv)
			return -1;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = x;
	return 0;
}

static int set_has(const int *v, size_t n, int x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

static void set_del(int *v, size_t *n, int x)
{
	for (size_t i = 0; i < *n; i++) {
		if (v[i] == x) {
			v[i] = v[--*n];
			return;
		}
	}
}

struct strace_joiner *strace_joiner_new(enum strace_order order)
{
	struct strace_joiner *j = calloc(1, sizeof(*j));
	if (j)
		j->order = order;
	return j;
}

static void free_item(struct jitem *it)
{
	if (it) {
		free(it->text);
		if (it->parsed) {
			strace_line_free(it->parsed);
			free(it->parsed);
		}
		free(it);
	}
}

void strace_joiner_free(struct strace_joiner *j)
{
	if (!j)
		return;
	/* in START order, pending items are also in out */
	if (j->order != STRACE_ORDER_START)
		for (size_t i = 0; i < j->pending.len; i++)
			free_item(q_at(&j->pending, i));
	for (size_t i = 0; i < j->out.len; i++)
		free_item(q_at(&j->out, i));
	free(j->out.v);
	free(j->pending.v);
	free(j->live);
	pidset_free(&j->known);
	free(j);
}

static int find_pending(struct strace_joiner *j, int pid, const char *name)
{
	for (size_t i = 0; i < j->pending.len; i++) {
		struct jitem *it = q_at(&j->pending, i);
		if (it->pid == pid && (!name || strcmp(it->name, name) == 0))
			return (int)i;
	}
	return -1;
}

static int is_fork_call(const char *name)
{
	/* asked of every call with a positive result: the first byte settles most */
	switch (name[0]) {
	case 'c':
		return !strcmp(name, "clone") || !strcmp(name, "clone3");
	case 'f':
		return !strcmp(name, "fork");
	case 'v':
		return !strcmp(name, "vfork");
	default:
		return 0;
	}
}

/* A call pending in pid that creates a process or thread */
static int fork_pending(struct strace_joiner *j, int pid)
{
	for (size_t i = 0; i < j->pending.len; i++) {
		struct jitem *it = q_at(&j->pending, i);
		if (it->pid == pid && is_fork_call(it->name))
			return 1;
	}
	return 0;
}

static int add_pid(struct strace_joiner *j, int pid)
{
	if (pidset_add(&j->known, pid) < 0 || set_add(&j->live, &j->nlive, &j->livecap, pid))
		return -1;
	return 0;
}

/*
 * The pid a line belongs to. strace prints no prefix while it traces a single
 * process (and, without -o, before the first fork), so unprefixed lines are
 * "pid 0" until a prefixed pid shows up that no clone created: that is the
 * first process (kept as 0); later unprefixed lines belong to the only live
 * process.
 */
static int resolve_pid(struct strace_joiner *j, const struct strace_line *ln, int *out)
{
	int pid = ln->pid;

	if (pid == 0) {
		if (j->nlive == 1) {
			*out = j->live[0];
			return 0;
		}
		if (j->nlive == 0) {
			j->anon = 1;
			if (add_pid(j, 0))
				return -1;
		}
		*out = 0;
		return 0;
	}
	if (j->alias && pid == j->alias) {
		*out = 0;
		return 0;
	}
	/* live pids are few; the known set grows with every process */
	if (!set_has(j->live, j->nlive, pid) && !pidset_has(&j->known, pid)) {
		if (j->anon && !j->alias && set_has(j->live, j->nlive, 0)) {
			int parent_resumes = ln->kind == SL_RESUMED &&
					     find_pending(j, 0, ln->name) >= 0;
			if (parent_resumes || !fork_pending(j, 0)) {
				j->alias = pid;
				if (pidset_add(&j->known, pid) < 0)
					return -1;
				*out = 0;
				return 0;
			}
		}
		if (add_pid(j, pid))
			return -1;
	}
	*out = pid;
	return 0;
}

static struct jitem *new_item(struct strace_joiner *j, const struct strace_line *ln, int pid)
{
	struct jitem *it = calloc(1, sizeof(*it));
	if (!it)
		return NULL;
	it->text = strdup(ln->text ? ln->text : "");
	if (!it->text) {
		free(it);
		return NULL;
	}
	it->pid = pid;
	/* both are char[32] and the parser's is NUL-terminated (set_name) */
	memcpy(it->name, ln->name, sizeof(it->name));
	it->join_off = ln->join_off;
	it->start_lineno = it->end_lineno = ln->lineno;
	it->start_ts = it->end_ts = ln->timestamp;
	it->start_seq = j->start_seq++;
	return it;
}

/* Marks it complete; in COMPLETION order it joins the output now. */
static int complete(struct strace_joiner *j, struct jitem *it)
{
	it->done = 1;
	it->end_seq = j->end_seq++;
	if (j->order == STRACE_ORDER_COMPLETION)
		return q_push(&j->out, it);
	return 0;
}

/* A new item: complete now, or pending. */
static int add_item(struct strace_joiner *j, struct jitem *it, int pending)
{
	if (j->order == STRACE_ORDER_START && q_push(&j->out, it)) {
		free_item(it);
		return -1;
	}
	if (pending) {
		if (q_push(&j->pending, it))
			goto fail;
		return 0;
	}
	if (complete(j, it))
		goto fail;
	return 0;
fail:
	/* in START order the item is already in out, which owns it */
	if (j->order != STRACE_ORDER_START)
		free_item(it);
	return -1;
}

static int abandon_pid(struct strace_joiner *j, int pid, int lineno, double ts)
{
	for (size_t i = 0; i < j->pending.len;) {
		struct jitem *it = q_at(&j->pending, i);
		if (it->pid != pid) {
			i++;
			continue;
		}
		q_remove(&j->pending, i);
		it->abandoned = 1;
		it->end_lineno = lineno;
		it->end_ts = ts;
		if (complete(j, it))
			return -1;
	}
	return 0;
}

static void note_child(struct strace_joiner *j, const struct strace_line *ln)
{
	if (ln->has_result && !ln->result_unknown && ln->result > 0 &&
	    ln->result <= 0x7fffffff && is_fork_call(ln->name))
		add_pid(j, (int)ln->result);
}

/* strace_joiner_feed(); *made is the item of a line handed out as it came
 * (complete at once: not an unfinished call nor one joined to its start). */
static int feed(struct strace_joiner *j, const struct strace_line *ln, struct jitem **made)
{
	struct jitem *it;
	int pid, k;

	*made = NULL;
	if (ln->kind == SL_MALFORMED)
		return 0;
	if (ln->kind == SL_OTHER) {
		int p;
		const char *t = ln->text;
		if (t && strncmp(t, "strace: Process ", 16) == 0 &&
		    parse_int(t + 16, strlen(t + 16), &p) > 0 && p > 0 &&
		    strstr(t, " attached"))
			return add_pid(j, p);
		return 0;
	}
	if (resolve_pid(j, ln, &pid))
		return -1;

	switch (ln->kind) {
	case SL_UNFINISHED:
		/* one thread runs one call at a time: an older one was lost */
		if (find_pending(j, pid, NULL) >= 0 && abandon_pid(j, pid, ln->lineno, ln->timestamp))
			return -1;
		it = new_item(j, ln, pid);
		if (!it)
			return -1;
		return add_item(j, it, 1);
	case SL_RESUMED:
		k = find_pending(j, pid, ln->name);
		if (k < 0) {
			/* only one such call in flight: strace lost track of
			 * the pid; pair with it */
			int found = -1, count = 0;
			for (size_t i = 0; i < j->pending.len; i++) {
				if (strcmp(q_at(&j->pending, i)->name, ln->name) == 0) {
					found = (int)i;
					count++;
				}
			}
			if (count == 1)
				k = found;
		}
		if (k < 0) {
			it = new_item(j, ln, pid);
			if (!it)
				return -1;
			it->orphan = 1;
			*made = it;
			return add_item(j, it, 0);
		}
		it = q_at(&j->pending, (size_t)k);
		{
			size_t a = it->join_off, b = strlen(ln->text + ln->join_off);
			char *t = malloc(a + b + 1);
			if (!t)
				return -1;
			memcpy(t, it->text, a);
			memcpy(t + a, ln->text + ln->join_off, b + 1);
			free(it->text);
			it->text = t;
		}
		q_remove(&j->pending, (size_t)k);
		it->end_lineno = ln->lineno;
		it->end_ts = ln->timestamp;
		note_child(j, ln);
		return complete(j, it);
	case SL_EXIT:
		if (abandon_pid(j, pid, ln->lineno, ln->timestamp))
			return -1;
		if (ln->exit_kind == STRACE_SUPERSEDED) {
			/* the execve of another thread finishes under this pid */
			int other = ln->superseded_by;
			if (other == j->alias)
				other = 0;
			k = find_pending(j, other, "execve");
			if (k >= 0)
				q_at(&j->pending, (size_t)k)->pid = pid;
			if (abandon_pid(j, other, ln->lineno, ln->timestamp))
				return -1;
			set_del(j->live, &j->nlive, other);
		} else {
			set_del(j->live, &j->nlive, pid);
		}
		break;
	case SL_CALL:
		note_child(j, ln);
		break;
	default:
		break;
	}
	it = new_item(j, ln, pid);
	if (!it)
		return -1;
	*made = it;
	return add_item(j, it, 0);
}

int strace_joiner_feed(struct strace_joiner *j, const struct strace_line *ln)
{
	struct jitem *made;
	return feed(j, ln, &made);
}

int strace_joiner_feed_take(struct strace_joiner *j, struct strace_line *ln)
{
	struct jitem *made;
	int r = feed(j, ln, &made);
	/* In completion order such an item is handed out next, so holding
	 * its parse costs no more than the line; in start order it may wait
	 * behind an unfinished call for long, and is parsed again then. */
	if (r || !made || j->order != STRACE_ORDER_COMPLETION)
		return r;
	made->parsed = malloc(sizeof(*made->parsed));
	if (made->parsed) {
		*made->parsed = *ln;
		strace_line_init(ln);
	}
	return 0;
}

int strace_joiner_pass_by(struct strace_joiner *j, int pid, uint64_t *start_seq,
			  uint64_t *end_seq)
{
	/* resolve_pid() would give a live prefixed pid as it is, but for the
	 * alias of the first process */
	if (j->order != STRACE_ORDER_COMPLETION || j->out.len || pid <= 0 || pid == j->alias ||
	    !set_has(j->live, j->nlive, pid))
		return 0;
	*start_seq = j->start_seq++;
	*end_seq = j->end_seq++;
	return 1;
}

void strace_joiner_finish(struct strace_joiner *j)
{
	while (j->pending.len) {
		struct jitem *it = q_at(&j->pending, 0);
		q_remove(&j->pending, 0);
		it->abandoned = 1;
		if (complete(j, it)) {
			/* out of memory: drop it rather than leak */
			if (j->order != STRACE_ORDER_START)
				free_item(it);
		}
	}
}

void strace_event_free(struct strace_event *ev)
{
	strace_line_free(&ev->line);
}

int strace_joiner_next(struct strace_joiner *j, struct strace_event *ev, char *err,
		       size_t errsz)
{
	struct jitem *it;

	if (err && errsz)
		err[0] = '\0';
	if (!j->out.len)
		return 0;
	it = q_at(&j->out, 0);
	if (!it->done)
		return 0;
	j->out.head++;
	j->out.len--;
	if (!j->out.len)
		j->out.head = 0;

	if (it->parsed) {
		/* What parsing it->text again would give. */
		strace_line_free(&ev->line);
		ev->line = *it->parsed;
		free(it->parsed);
		it->parsed = NULL;
	} else {
		ev->line.lineno = it->start_lineno;
		strace_parse_line(it->text, &ev->line, err, errsz);
	}
	ev->line.lineno = it->start_lineno;
	ev->pid = it->pid;
	ev->start_lineno = it->start_lineno;
	ev->end_lineno = it->end_lineno;
	ev->start_ts = it->start_ts;
	ev->end_ts = it->end_ts;
	ev->start_seq = it->start_seq;
	ev->end_seq = it->end_seq;
	ev->abandoned = it->abandoned;
	ev->orphan = it->orphan;
	free_item(it);
	return 1;
}
