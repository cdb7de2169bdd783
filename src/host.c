/*
 * host.c: the host probe. Takes the settings (settings.c) of the Linux
 * machine this runs on, so that a simulation started from it decides as this
 * kernel does: files under /proc and /sys where one says the value, and where
 * none does, experiments in a throw-away child, because a kernel's build and
 * boot can change a rule without any file showing it (the zero page is the
 * example that made CI red on one machine and green on another).
 * Not here: what the settings mean (the files that apply them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "cred.h"

#ifdef __linux__
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#ifndef ST_NOEXEC
#define ST_NOEXEC 8 /* glibc shows it only under _GNU_SOURCE */
#endif
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

/* Sets name from the host unless the caller set it; counts what it took. */
static void take(vms_sys *sys, const char *name, uint64_t v, int *taken)
{
	int i;
	for (i = 0; i < VMS_NSETTINGS; i++) {
		struct vms_setting_info in;
		vms_setting_info(sys, (size_t)i, &in);
		if (strcmp(in.name, name) == 0) {
			if (in.source == VMS_SETTING_CALLER)
				return;
			break;
		}
	}
	if (setting_set(sys, name, v, VMS_SETTING_HOST) == 0)
		(*taken)++;
}

static int read_u64(const char *path, uint64_t *v)
{
	FILE *f = fopen(path, "r");
	unsigned long long x;
	if (!f)
		return -1;
	int ok = fscanf(f, "%llu", &x) == 1;
	fclose(f);
	if (!ok)
		return -1;
	*v = x;
	return 0;
}

/* The first line of a small file, without its newline. */
static int read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char *r = fgets(buf, (int)size, f);
	fclose(f);
	if (!r)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static void probe_sysctls(vms_sys *sys, int *taken)
{
	static const char *const names[] = {
	    "vm.max_map_count",  "vm.overcommit_memory",      "vm.overcommit_ratio",
	    "vm.overcommit_kbytes", "vm.mmap_min_addr",       "vm.legacy_va_layout",
	    "kernel.randomize_va_space", "vm.mmap_rnd_bits", "kernel.shmmax", "kernel.shmall",
	    "kernel.shmmni", "kernel.shm_rmid_forced", "kernel.shm_next_id", "vm.memfd_noexec",
	    "vm.hugetlb_shm_group", "vm.unprivileged_userfaultfd", "fs.suid_dumpable",
	    /* After the memory sizes, which recompute the default reserves. */
	    "vm.admin_reserve_kbytes", "vm.user_reserve_kbytes",
	};
	char path[96];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "/proc/sys/%s", names[i]);
		for (char *p = path + 10; *p; p++)
			if (*p == '.')
				*p = '/';
		uint64_t v;
		if (read_u64(path, &v) == 0)
			take(sys, names[i], v, taken);
	}
}

static void probe_meminfo(vms_sys *sys, int *taken)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	unsigned long long kb;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1)
			take(sys, "meminfo.MemTotal", kb, taken);
		else if (sscanf(line, "SwapTotal: %llu kB", &kb) == 1)
			take(sys, "meminfo.SwapTotal", kb, taken);
	}
	fclose(f);
}

/* The pools as sysfs counts them, then the default size (which must name a
 * size the kernel has). */
static void probe_hugetlb(vms_sys *sys, int *taken)
{
	static const char *const dirs[] = {"2048kB", "1048576kB"};
	char path[128], name[64];
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%s", dirs[i]);
		int present = access(path, F_OK) == 0;
		static const char *const counts[] = {"nr_hugepages", "free_hugepages",
						     "resv_hugepages"};
		for (int c = 0; present && c < 3; c++) {
			uint64_t v;
			snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%s/%s",
				 dirs[i], counts[c]);
			snprintf(name, sizeof(name), "hugetlb.%s.%s", dirs[i], counts[c]);
			if (read_u64(path, &v) == 0)
				take(sys, name, v, taken);
		}
		snprintf(name, sizeof(name), "hugetlb.%s.present", dirs[i]);
		if (present || access("/sys/kernel/mm/hugepages", F_OK) == 0)
			take(sys, name, (uint64_t)present, taken);
	}
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	unsigned long long kb;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Hugepagesize: %llu kB", &kb) == 1)
			take(sys, "hugetlb.default_kB", kb, taken);
	if (f)
		fclose(f);
}

static void probe_boot_and_thp(vms_sys *sys, int *taken)
{
	char line[4096];
	/* mm/mmap.c cmdline_parse_stack_guard_gap(): pages, decimal, the whole
	 * word; without it 256 pages. */
	uint64_t gap = 256;
	if (read_line("/proc/cmdline", line, sizeof(line)) == 0) {
		bool extend = false;
		for (char *w = strtok(line, " "); w; w = strtok(NULL, " ")) {
			if (strcmp(w, "ipcmni_extend") == 0)
				extend = true;
			if (strncmp(w, "stack_guard_gap=", 16) == 0) {
				char *end;
				unsigned long long v = strtoull(w + 16, &end, 10);
				if (!*end)
					gap = v;
			}
		}
		take(sys, "vm.stack_guard_gap", gap, taken);
		/* ipc/util.c ipc_mni_extend(): the boot parameter alone. */
		take(sys, "kernel.ipcmni_extend", extend, taken);
	}
	if (read_line("/sys/kernel/mm/transparent_hugepage/enabled", line, sizeof(line)) == 0) {
		if (strstr(line, "[always]"))
			take(sys, "vm.transparent_hugepage", 2, taken);
		else if (strstr(line, "[madvise]"))
			take(sys, "vm.transparent_hugepage", 1, taken);
		else if (strstr(line, "[never]"))
			take(sys, "vm.transparent_hugepage", 0, taken);
	} else if (access("/sys/kernel/mm", F_OK) == 0) {
		take(sys, "vm.transparent_hugepage", 0, taken); /* built without THP */
	}
}

/* A node list as sysfs prints it ("0", "0-3,8"): the mask of nodes 0-63,
 * or -1 when a node past 63 (which the settings cannot hold) or bad text. */
static int parse_node_list(const char *s, uint64_t *mask)
{
	uint64_t m = 0;
	while (*s && *s != '\n') {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b = a;
		if (end == s)
			return -1;
		s = end;
		if (*s == '-') {
			b = strtoul(s + 1, &end, 10);
			if (end == s + 1)
				return -1;
			s = end;
		}
		if (a > b || b > 63)
			return -1;
		for (unsigned long n = a; n <= b; n++)
			m |= 1ULL << n;
		if (*s == ',')
			s++;
	}
	if (!m)
		return -1;
	*mask = m;
	return 0;
}

/* NUMA nodes (mm/mempolicy.c decides with them) and MAX_NUMNODES, which
 * /proc/PID/status shows as the width of Mems_allowed: 32 bits per
 * comma-separated group. */
static void probe_numa(vms_sys *sys, int *taken)
{
	static const struct {
		const char *file, *name;
	} lists[] = {
		{"/sys/devices/system/node/online", "numa.nodes_online"},
		{"/sys/devices/system/node/possible", "numa.nodes_possible"},
		{"/sys/devices/system/node/has_memory", "numa.nodes_memory"},
	};
	char line[4096];
	uint64_t m;
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (read_line(lists[i].file, line, sizeof(line)) == 0 && parse_node_list(line, &m) == 0)
			take(sys, lists[i].name, m, taken);
	FILE *f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Mems_allowed_list:", 18) == 0) {
			char *p = line + 18;
			while (*p == ' ' || *p == '\t')
				p++;
			if (parse_node_list(p, &m) == 0)
				take(sys, "numa.mems_allowed", m, taken);
		} else if (strncmp(line, "Mems_allowed:", 13) == 0) {
			uint64_t groups = 1;
			for (const char *p = line; *p; p++)
				groups += *p == ',';
			take(sys, "config.max_numnodes", groups * 32, taken);
		}
	}
	if (f)
		fclose(f);
}

/* What the experiments found: -1 where one could not tell. */
struct experiments {
	int zero_page, anon_name, la57, pku;
	int shstk_built, shstk; /* map_shadow_stack: ENOSYS, EOPNOTSUPP, or it works */
	int64_t floor; /* where a hint of one page lands: the effective mmap floor */
};

/* Rss in kB of the VMA that starts at addr, from /proc/self/smaps, or -1. */
static long smaps_rss_kb(uintptr_t addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int in = 0;
	long rss = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;
		/* Only a VMA's heading line has two hex numbers joined by '-'. */
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2) {
			in = s == addr;
			continue;
		}
		if (in && sscanf(line, "Rss: %ld kB", &rss) == 1)
			break;
	}
	fclose(f);
	return rss;
}

static void run_experiments(struct experiments *x)
{
	long pg = sysconf(_SC_PAGESIZE);
	x->zero_page = x->anon_name = x->la57 = x->pku = -1;
	x->shstk_built = x->shstk = -1;
	x->floor = -1;
	/* The zero page: 16 fresh private pages between two PROT_NONE fences
	 * (so that no neighbour merges in), THP off for them, each read once;
	 * mm/memory.c do_anonymous_page() maps the zero page, which smaps does
	 * not count, or allocates pages, which it does. */
	char *p = mmap(NULL, (size_t)(18 * pg), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (p != MAP_FAILED) {
		mprotect(p, (size_t)pg, PROT_NONE);
		mprotect(p + 17 * pg, (size_t)pg, PROT_NONE);
		madvise(p + pg, (size_t)(16 * pg), MADV_NOHUGEPAGE);
		unsigned sum = 0;
		for (int i = 1; i <= 16; i++)
			sum += (unsigned char)((volatile char *)p)[i * pg];
		long rss = smaps_rss_kb((uintptr_t)(p + pg));
		if (rss == 0 && sum == 0)
			x->zero_page = 1;
		else if (rss >= 16 * pg / 1024)
			x->zero_page = 0;
		/* CONFIG_ANON_VMA_NAME: the prctl is -EINVAL without it. */
		x->anon_name = prctl(0x53564d41, 0, (unsigned long)(p + pg), (unsigned long)pg,
				     (unsigned long)"probe") == 0;
		munmap(p, (size_t)(18 * pg));
	}
	/* mm/mmap.c round_hint_to_min(): a hint below the floor moves up to it,
	 * and in a fresh child nothing is mapped there. */
	void *q = mmap((void *)(uintptr_t)pg, (size_t)pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	if (q != MAP_FAILED) {
		if ((uintptr_t)q <= (1u << 20))
			x->floor = (int64_t)(uintptr_t)q;
		munmap(q, (size_t)pg);
	}
	/* 5-level paging: only then is an address at 2^48 below TASK_SIZE. */
	void *hi = mmap((void *)(1ULL << 48), (size_t)pg, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | 0x100000 /* MAP_FIXED_NOREPLACE */, -1, 0);
	x->la57 = hi != MAP_FAILED && (uintptr_t)hi == (1ULL << 48);
	if (hi != MAP_FAILED)
		munmap(hi, (size_t)pg);
#ifdef SYS_pkey_alloc
	/* arch/x86 mm_pkey_alloc(): no key at all without OSPKE. */
	long key = syscall(SYS_pkey_alloc, 0, 0);
	x->pku = key >= 0;
#else
	x->pku = 0;
#endif
	/* arch/x86/kernel/shstk.c map_shadow_stack(): ENOSYS when not built
	 * in, EOPNOTSUPP without the CPU feature; a bad flag is EINVAL only
	 * past both, so the probe maps nothing. */
	long ss = syscall(453, 0UL, (unsigned long)pg, 0x80000000UL);
	if (ss < 0 && (errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL)) {
		x->shstk_built = errno != ENOSYS;
		x->shstk = errno == EINVAL;
	}
}

/* The experiments run in a child, so the caller's address space, its
 * anon_vma_name and its protection keys stay as they were. */
static int experiments_in_child(struct experiments *x)
{
	int fd[2];
	if (pipe(fd))
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		struct experiments r;
		close(fd[0]);
		run_experiments(&r);
		ssize_t w = write(fd[1], &r, sizeof(r));
		_exit(w == (ssize_t)sizeof(r) ? 0 : 1);
	}
	close(fd[1]);
	ssize_t n;
	do
		n = read(fd[0], x, sizeof(*x));
	while (n < 0 && errno == EINTR);
	close(fd[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return n == (ssize_t)sizeof(*x) ? 0 : -1;
}

/* The device of a new file of an internal mount, from fstat: memfd_create
 * (shmem, or hugetlbfs of one page size) and memfd_secret. Nothing is
 * mapped, so this runs in the caller. -1 when the call fails. */
static int64_t internal_dev(long nr, const char *name, unsigned long flags)
{
	long fd = name ? syscall(nr, name, flags) : syscall(nr, flags);
	struct stat st;
	int64_t dev = -1;
	if (fd < 0)
		return -1;
	if (fstat((int)fd, &st) == 0)
		dev = (int64_t)(((uint64_t)major(st.st_dev) << 20) | minor(st.st_dev));
	close((int)fd);
	return dev;
}

static void probe_internal_mounts(vms_sys *sys, int *taken)
{
#if defined(SYS_memfd_create)
	int64_t d = internal_dev(SYS_memfd_create, "vmspace-probe", 0x1 /* MFD_CLOEXEC */);
	if (d >= 0)
		take(sys, "dev.shmem", (uint64_t)d, taken);
	static const struct {
		unsigned log;
		const char *name;
	} sizes[] = {{21, "dev.hugetlb.2048kB"}, {30, "dev.hugetlb.1048576kB"}};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/* MFD_CLOEXEC | MFD_HUGETLB | the size's log */
		d = internal_dev(SYS_memfd_create, "vmspace-probe", 0x5 | (sizes[i].log << 26));
		if (d >= 0)
			take(sys, sizes[i].name, (uint64_t)d, taken);
	}
#endif
#if defined(SYS_memfd_secret)
	/* mm/secretmem.c: ENOSYS when disabled (secretmem.enable=0). */
	int64_t s = internal_dev(SYS_memfd_secret, NULL, 02000000 /* O_CLOEXEC */);
	take(sys, "config.secretmem", s >= 0, taken);
	if (s >= 0)
		take(sys, "dev.secretmem", (uint64_t)s, taken);
#else
	take(sys, "config.secretmem", 0, taken);
#endif
}

/* The UFFDIO_API features this kernel offers: a context made and asked for
 * none, which the kernel answers with every feature it has (fs/userfaultfd.c
 * userfaultfd_api); user-mode-only where kernel faults are not allowed. */
static void probe_userfaultfd(vms_sys *sys, int *taken)
{
#if defined(SYS_userfaultfd)
	long fd = syscall(SYS_userfaultfd, 02000000 /* O_CLOEXEC */);
	if (fd < 0)
		fd = syscall(SYS_userfaultfd, 02000000 | 1 /* UFFD_USER_MODE_ONLY */);
	if (fd < 0)
		return;
	/* struct uffdio_api { __u64 api, features, ioctls; }, UFFDIO_API = _IOWR(0xAA, 0x3F, 24) */
	uint64_t api[3] = {0xAA, 0, 0};
	if (ioctl((int)fd, 0xc018aa3fUL, api) == 0)
		take(sys, "uffd.features", api[1], taken);
	close((int)fd);
#else
	(void)sys;
	(void)taken;
#endif
}

static void probe_by_experiment(vms_sys *sys, int *taken)
{
	struct experiments x;
	if (experiments_in_child(&x))
		return;
	if (x.zero_page >= 0)
		take(sys, "mm.zero_page", (uint64_t)x.zero_page, taken);
	if (x.anon_name >= 0)
		take(sys, "config.anon_vma_name", (uint64_t)x.anon_name, taken);
	if (x.la57 >= 0)
		take(sys, "config.la57", (uint64_t)x.la57, taken);
	if (x.pku >= 0)
		take(sys, "cpu.pku", (uint64_t)x.pku, taken);
	if (x.shstk_built >= 0) {
		take(sys, "config.x86_user_shadow_stack", (uint64_t)x.shstk_built, taken);
		take(sys, "cpu.user_shstk", (uint64_t)x.shstk, taken);
	}
	if (x.floor >= 0) {
		/* Above the sysctl, the floor is the LSM's; at it, the LSM's is no
		 * higher, which keeps the default if that fits. */
		uint64_t dac = sys->mmap_min_addr, floor = (uint64_t)x.floor;
		uint64_t lsm = floor > dac ? floor : min_u64(sys->lsm_mmap_min_addr, floor);
		take(sys, "config.lsm_mmap_min_addr", lsm, taken);
	}
}

/* What exec installs and hands a program: the vDSO block's mappings and the
 * gate, from this process's own maps (the kernel gave it the same at its
 * exec: the sizes are the kernel build's), and the auxiliary vector values
 * that depend on the CPU and the build, from its own auxv. */
static void probe_exec(vms_sys *sys, int *taken)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	uint64_t vvar = 0, vclock = 0, vdso = 0;
	int gate = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;
		if (sscanf(line, "%llx-%llx ", &s, &e) != 2 || e <= s)
			continue;
		uint64_t pages = (e - s) >> PAGE_SHIFT;
		if (strstr(line, " [vvar]\n"))
			vvar = pages;
		else if (strstr(line, " [vvar_vclock]\n"))
			vclock = pages;
		else if (strstr(line, " [vdso]\n"))
			vdso = pages;
		else if (strstr(line, " [vsyscall]\n"))
			gate = 1;
	}
	fclose(f);
	take(sys, "vdso.vvar_pages", vvar, taken);
	take(sys, "vdso.vvar_vclock_pages", vclock, taken);
	take(sys, "vdso.vdso_pages", vdso, taken);
	take(sys, "vdso.vsyscall", (uint64_t)gate, taken);
	f = fopen("/proc/self/auxv", "r");
	if (!f)
		return;
	uint64_t a[2];
	int seen_rseq = 0;
	while (fread(a, sizeof(a[0]), 2, f) == 2 && a[0] != 0) {
		switch (a[0]) {
		case 16: /* AT_HWCAP */
			take(sys, "auxv.hwcap", a[1], taken);
			break;
		case 26: /* AT_HWCAP2 */
			take(sys, "auxv.hwcap2", a[1], taken);
			break;
		case 51: /* AT_MINSIGSTKSZ */
			take(sys, "auxv.minsigstksz", a[1], taken);
			break;
		case 17: /* AT_CLKTCK */
			take(sys, "auxv.clktck", a[1], taken);
			break;
		case 27: /* AT_RSEQ_FEATURE_SIZE */
			take(sys, "auxv.rseq_feature_size", a[1], taken);
			seen_rseq = 1;
			break;
		case 28: /* AT_RSEQ_ALIGN */
			take(sys, "auxv.rseq_align", a[1], taken);
			break;
		}
	}
	fclose(f);
	if (!seen_rseq)
		take(sys, "auxv.rseq_feature_size", 0, taken);
}

int vms_sys_probe_host(vms_sys *sys)
{
	int taken = 0;
	probe_meminfo(sys, &taken);
	probe_sysctls(sys, &taken);
	probe_boot_and_thp(sys, &taken);
	probe_hugetlb(sys, &taken);
	probe_internal_mounts(sys, &taken);
	probe_userfaultfd(sys, &taken);
	probe_numa(sys, &taken);
	probe_by_experiment(sys, &taken);
	probe_exec(sys, &taken);
	return taken;
}

int vms_host_mm_config(struct vms_mm_config *cfg)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long set;
	unsigned a, b, c, d;
	struct vms_creds *cr = &cfg->creds;
	memset(cr, 0, sizeof(*cr));
	/* The credentials as fs/proc/array.c prints them: ids and the
	 * capability sets (kernel bit numbers). */
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Uid: %u %u %u %u", &a, &b, &c, &d) == 4) {
			cr->uid = a;
			cr->euid = b;
			cr->suid = c;
			cr->fsuid = d;
		} else if (sscanf(line, "Gid: %u %u %u %u", &a, &b, &c, &d) == 4) {
			cr->gid = a;
			cr->egid = b;
			cr->sgid = c;
			cr->fsgid = d;
		} else if (sscanf(line, "CapInh: %llx", &set) == 1) {
			cr->cap_inheritable = set;
		} else if (sscanf(line, "CapPrm: %llx", &set) == 1) {
			cr->cap_permitted = set;
		} else if (sscanf(line, "CapEff: %llx", &set) == 1) {
			cr->cap_effective = set;
		} else if (sscanf(line, "CapBnd: %llx", &set) == 1) {
			cr->cap_bset = set;
		} else if (sscanf(line, "CapAmb: %llx", &set) == 1) {
			cr->cap_ambient = set;
		}
	}
	if (f)
		fclose(f);
	/* SECBIT_KEEP_CAPS and friends: prctl(PR_GET_SECUREBITS). */
	int sb = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	cr->securebits = sb > 0 ? (unsigned)sb : 0;
	cfg->has_creds = 1;
	cfg->caps = caps_from_set(cr->cap_effective);
	static const int res[] = {RLIMIT_STACK, RLIMIT_DATA, RLIMIT_AS, RLIMIT_MEMLOCK};
	struct vms_rlimit *dst[] = {&cfg->rlim_stack, &cfg->rlim_data, &cfg->rlim_as,
				    &cfg->rlim_memlock};
	for (int i = 0; i < 4; i++) {
		struct rlimit rl;
		if (getrlimit(res[i], &rl) == 0) {
			dst[i]->cur = rl.rlim_cur == RLIM_INFINITY ? VMS_RLIM_INFINITY : rl.rlim_cur;
			dst[i]->max = rl.rlim_max == RLIM_INFINITY ? VMS_RLIM_INFINITY : rl.rlim_max;
		}
	}
	cfg->has_rlimits = 1;
	return 0;
}

/* The host's files as exec sees them: stat(2) follows links as open_exec's
 * lookup does, realpath(3) gives the name d_path() prints, statvfs(3) the
 * noexec mount flag. */
static int host_exec_stat(void *arg, const char *path, struct vms_exec_stat *out,
			  char *canonical, size_t canonical_size)
{
	(void)arg;
	struct stat st;
	if (stat(path, &st) != 0)
		return -errno;
	char real[PATH_MAX];
	if (!realpath(path, real))
		return -errno;
	snprintf(canonical, canonical_size, "%s", real);
	out->size = (uint64_t)st.st_size;
	out->mode = st.st_mode;
	out->uid = st.st_uid;
	out->gid = st.st_gid;
	out->dev_major = major(st.st_dev);
	out->dev_minor = minor(st.st_dev);
	out->ino = st.st_ino;
	struct statvfs vfs;
	out->noexec = statvfs(path, &vfs) == 0 && (vfs.f_flag & ST_NOEXEC);
	return 0;
}

static long host_exec_read(void *arg, const char *canonical, uint64_t off, void *buf, size_t len)
{
	(void)arg;
	int fd = open(canonical, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t got = 0;
	while (got < len) {
		ssize_t r = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	return (long)got;
}

#else /* not Linux: nothing to probe */

static int host_exec_stat(void *arg, const char *path, struct vms_exec_stat *out,
			  char *canonical, size_t canonical_size)
{
	(void)arg, (void)path, (void)out, (void)canonical, (void)canonical_size;
	return -ENOSYS;
}

static long host_exec_read(void *arg, const char *canonical, uint64_t off, void *buf, size_t len)
{
	(void)arg, (void)canonical, (void)off, (void)buf, (void)len;
	return -ENOSYS;
}

int vms_sys_probe_host(vms_sys *sys)
{
	(void)sys;
	return -ENOSYS;
}

int vms_host_mm_config(struct vms_mm_config *cfg)
{
	(void)cfg;
	return -ENOSYS;
}

#endif

const struct vms_exec_fs *vms_exec_host_fs(void)
{
	static const struct vms_exec_fs host = {NULL, host_exec_stat, host_exec_read};
	return &host;
}
