/*
 * settings.c: every property of the simulated machine that changes what the
 * kernel decides, by name: sysctls, boot parameters, build options, CPU
 * features, memory sizes, hugetlb pools and behaviours only an experiment
 * shows (the zero page). Each keeps where its value came from (the model's
 * default, the host probe in host.c, or the caller), so that two machines
 * that disagree can be told apart. Not here: reading the host (host.c).
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "shm.h"

enum setting_kind { SK_U64, SK_INT, SK_BOOL, SK_UINT, SK_FUNC };

struct setting {
	const char *name;
	size_t offset;
	enum setting_kind kind;
	uint64_t min, max;
	uint64_t scale; /* stored value = given * scale */
	/* SK_FUNC: the value lives elsewhere (a pool, a page count). */
	int (*set)(vms_sys *sys, uint64_t v);
	uint64_t (*get)(const vms_sys *sys);
	const char *what;  /* what the kernel does with it, one line */
	const char *probe; /* where vms_sys_probe_host() finds it */
};

static int set_ram_kb(vms_sys *sys, uint64_t kb)
{
	sys->totalram_pages = kb >> (PAGE_SHIFT - 10);
	set_default_reserves(sys);
	return 0;
}
static uint64_t get_ram_kb(const vms_sys *sys)
{
	return sys->totalram_pages << (PAGE_SHIFT - 10);
}
static int set_swap_kb(vms_sys *sys, uint64_t kb)
{
	sys->total_swap_pages = kb >> (PAGE_SHIFT - 10);
	return 0;
}
static uint64_t get_swap_kb(const vms_sys *sys)
{
	return sys->total_swap_pages << (PAGE_SHIFT - 10);
}

static int set_default_hpage_kb(vms_sys *sys, uint64_t kb)
{
	/* Only a size the kernel has an hstate for can be the default. */
	for (int i = 0; i < 2; i++)
		if (sys->huge[i].page_size == kb << 10 && sys->huge[i].present) {
			sys->hugetlb_default_size = kb << 10;
			return 0;
		}
	return -EINVAL;
}
static uint64_t get_default_hpage_kb(const vms_sys *sys)
{
	return sys->hugetlb_default_size >> 10;
}

/* MAX_NUMNODES is 1 << CONFIG_NODES_SHIFT, at most 1 << 10 on x86-64. */
static int set_max_numnodes(vms_sys *sys, uint64_t v)
{
	if (!v || v > 1024 || (v & (v - 1)))
		return -EINVAL;
	sys->max_numnodes = v;
	return 0;
}
static uint64_t get_max_numnodes(const vms_sys *sys)
{
	return sys->max_numnodes;
}

/* The hugetlb pools: present (the hstate exists), nr_hugepages (pages in the
 * pool), free_hugepages and resv_hugepages (as the kernel's sysfs counts them:
 * pages in use elsewhere and reservations made elsewhere stay). */
static int set_pool_present(vms_sys *sys, int i, uint64_t v)
{
	struct hugetlb_pool *h = &sys->huge[i];
	if (!v && (h->total || sys->hugetlb_default_size == h->page_size))
		return -EBUSY;
	h->present = v != 0;
	return 0;
}
static int set_pool_free(vms_sys *sys, int i, uint64_t v)
{
	struct hugetlb_pool *h = &sys->huge[i];
	if (v > h->total || v < h->rsvd)
		return -EINVAL;
	h->free = v;
	return 0;
}
static int set_pool_resv(vms_sys *sys, int i, uint64_t v)
{
	struct hugetlb_pool *h = &sys->huge[i];
	if (v > h->free)
		return -EINVAL;
	h->rsvd = v;
	return 0;
}
#define POOL_FUNCS(i, sz)                                                                          \
	static int set_present_##sz(vms_sys *s, uint64_t v) { return set_pool_present(s, i, v); } \
	static uint64_t get_present_##sz(const vms_sys *s) { return s->huge[i].present; }         \
	static int set_nr_##sz(vms_sys *s, uint64_t v)                                             \
	{                                                                                          \
		return hugetlb_pool_resize(s, s->huge[i].page_size, v);                            \
	}                                                                                          \
	static uint64_t get_nr_##sz(const vms_sys *s) { return s->huge[i].total; }                \
	static int set_free_##sz(vms_sys *s, uint64_t v) { return set_pool_free(s, i, v); }       \
	static uint64_t get_free_##sz(const vms_sys *s) { return s->huge[i].free; }               \
	static int set_resv_##sz(vms_sys *s, uint64_t v) { return set_pool_resv(s, i, v); }       \
	static uint64_t get_resv_##sz(const vms_sys *s) { return s->huge[i].rsvd; }
POOL_FUNCS(0, 2M)
POOL_FUNCS(1, 1G)
#undef POOL_FUNCS

/* kernel.shm_rmid_forced: turning it on destroys the orphans at once
 * (ipc/ipc_sysctl.c proc_ipc_dointvec_minmax_orphans). */
static int set_rmid_forced(vms_sys *sys, uint64_t v)
{
	if (v > 1)
		return -EINVAL;
	sys->shm_rmid_forced = v != 0;
	if (v)
		shm_destroy_orphaned(sys);
	return 0;
}
static uint64_t get_rmid_forced(const vms_sys *sys)
{
	return sys->shm_rmid_forced;
}
/* kernel.shm_next_id: 0..INT_MAX, used by the next shmget(); -1 (shown as
 * 2^64 - 1) when unset. The kernel's file takes 0..INT_MAX only; the model
 * also takes 2^64 - 1 back, to unset it. */
static int set_shm_next_id(vms_sys *sys, uint64_t v)
{
	if (v > INT32_MAX && v != UINT64_MAX)
		return -EINVAL;
	sys->shm.next_id = v == UINT64_MAX ? -1 : (int64_t)v;
	return 0;
}
static uint64_t get_shm_next_id(const vms_sys *sys)
{
	return sys->shm.next_id < 0 ? UINT64_MAX : (uint64_t)sys->shm.next_id;
}
/* kernel.shmmni: at most IPCMNI (ipc_mni, larger with ipcmni_extend). */
static int set_shmmni(vms_sys *sys, uint64_t v)
{
	if (v > shm_ipc_mni(sys))
		return -EINVAL;
	sys->shmmni = v;
	return 0;
}
static uint64_t get_shmmni(const vms_sys *sys)
{
	return sys->shmmni;
}

#define F(field) offsetof(struct vms_sys, field)
#define FN(setter, getter) 0, SK_FUNC, 0, UINT64_MAX, 1, setter, getter
#define POOL_ENTRIES(sz, dir)                                                                      \
	{"hugetlb." dir ".present", FN(set_present_##sz, get_present_##sz),                        \
	 "the kernel has this huge page size: MAP_HUGETLB with it is EINVAL without",             \
	 "/sys/kernel/mm/hugepages/hugepages-" dir " exists"},                                     \
	    {"hugetlb." dir ".nr_hugepages", FN(set_nr_##sz, get_nr_##sz),                         \
	     "pages in the pool; the commit limit leaves them out",                                \
	     "/sys/kernel/mm/hugepages/hugepages-" dir "/nr_hugepages"},                          \
	    {"hugetlb." dir ".free_hugepages", FN(set_free_##sz, get_free_##sz),                   \
	     "pages of the pool not in use: what mappings can reserve",                           \
	     "/sys/kernel/mm/hugepages/hugepages-" dir "/free_hugepages"},                        \
	{                                                                                          \
		"hugetlb." dir ".resv_hugepages", FN(set_resv_##sz, get_resv_##sz),                \
		    "free pages already promised to mappings",                                     \
		    "/sys/kernel/mm/hugepages/hugepages-" dir "/resv_hugepages"                    \
	}
static const struct setting settings[VMS_NSETTINGS] = {
    {"vm.max_map_count", F(max_map_count), SK_U64, 0, INT32_MAX, 1, NULL, NULL,
     "VMAs a process may have (mmap, mprotect, munmap splits fail past it)",
     "/proc/sys/vm/max_map_count"},
    {"vm.overcommit_memory", F(overcommit_memory), SK_INT, 0, 2, 1, NULL, NULL,
     "0 heuristic, 1 always, 2 strict commit limit (__vm_enough_memory)",
     "/proc/sys/vm/overcommit_memory"},
    {"vm.overcommit_ratio", F(overcommit_ratio), SK_U64, 0, UINT32_MAX, 1, NULL, NULL,
     "percent of RAM in the strict commit limit", "/proc/sys/vm/overcommit_ratio"},
    {"vm.overcommit_kbytes", F(overcommit_kbytes), SK_U64, 0, UINT64_MAX >> 12, 1, NULL, NULL,
     "the strict commit limit in kB instead of the ratio (0 = use the ratio)",
     "/proc/sys/vm/overcommit_kbytes"},
    {"vm.admin_reserve_kbytes", F(admin_reserve_kbytes), SK_U64, 0, UINT64_MAX >> 12, 1, NULL,
     NULL, "memory kept for CAP_SYS_ADMIN in the strict commit limit",
     "/proc/sys/vm/admin_reserve_kbytes"},
    {"vm.user_reserve_kbytes", F(user_reserve_kbytes), SK_U64, 0, UINT64_MAX >> 12, 1, NULL,
     NULL, "memory kept back from one process in the strict commit limit",
     "/proc/sys/vm/user_reserve_kbytes"},
    {"vm.mmap_min_addr", F(mmap_min_addr), SK_U64, 0, UINT64_MAX, 1, NULL, NULL,
     "lowest address a hint or search may give (without CAP_SYS_RAWIO, MAP_FIXED too)",
     "/proc/sys/vm/mmap_min_addr"},
    {"vm.legacy_va_layout", F(legacy_va_layout), SK_INT, 0, INT32_MAX, 1, NULL, NULL,
     "non-zero: bottom-up mmap layout for every process", "/proc/sys/vm/legacy_va_layout"},
    {"kernel.randomize_va_space", F(randomize_va_space), SK_INT, 0, INT32_MAX, 1, NULL, NULL,
     "ASLR: 0 off, 1 stack/mmap/vdso, 2 also brk", "/proc/sys/kernel/randomize_va_space"},
    {"vm.mmap_rnd_bits", F(mmap_rnd_bits), SK_UINT, 28, 32, 1, NULL, NULL,
     "bits of mmap_base randomisation", "/proc/sys/vm/mmap_rnd_bits"},
    {"vm.stack_guard_gap", F(stack_guard_gap), SK_U64, 0, 1ULL << 35, PAGE_SIZE, NULL, NULL,
     "pages kept free below a stack (boot parameter stack_guard_gap=)",
     "/proc/cmdline stack_guard_gap= (else 256)"},
    {"vm.transparent_hugepage", F(thp_mode), SK_INT, 0, 2, 1, NULL, NULL,
     "THP for anonymous memory: 0 never, 1 madvise, 2 always",
     "/sys/kernel/mm/transparent_hugepage/enabled"},
    {"mm.zero_page", F(zero_page), SK_BOOL, 0, 1, 1, NULL, NULL,
     "a read fault on private anonymous memory maps the shared zero page (else it "
     "allocates a page and the VMA's anon_vma: do_anonymous_page)",
     "experiment: read 16 fresh pages in a child, smaps Rss"},
    {"config.lsm_mmap_min_addr", F(lsm_mmap_min_addr), SK_U64, 0, UINT64_MAX, 1, NULL, NULL,
     "CONFIG_LSM_MMAP_MIN_ADDR: a floor under vm.mmap_min_addr for hints and searches",
     "experiment: mmap hint 0x1000 in a child lands on the effective floor"},
    {"config.anon_vma_name", F(anon_vma_name_enabled), SK_BOOL, 0, 1, 1, NULL, NULL,
     "CONFIG_ANON_VMA_NAME: prctl(PR_SET_VMA_ANON_NAME) works",
     "experiment: the prctl in a child"},
    {"config.la57", F(la57), SK_BOOL, 0, 1, 1, NULL, NULL,
     "5-level paging: TASK_SIZE is 2^56 and hints above 2^47 are honoured",
     "experiment: MAP_FIXED_NOREPLACE at 2^48 in a child"},
    {"cpu.pku", F(pku), SK_BOOL, 0, 1, 1, NULL, NULL,
     "protection keys (OSPKE): 16 keys (else 1, never usable), key 0 allocated, "
     "PROT_EXEC-only memory gets the execute-only key",
     "experiment: pkey_alloc in a child"},
    {"meminfo.MemTotal", FN(set_ram_kb, get_ram_kb),
     "RAM in kB: the heuristic and strict overcommit limits, the default reserves",
     "/proc/meminfo MemTotal"},
    {"meminfo.SwapTotal", FN(set_swap_kb, get_swap_kb), "swap in kB: the overcommit limits",
     "/proc/meminfo SwapTotal"},
    {"hugetlb.default_kB", FN(set_default_hpage_kb, get_default_hpage_kb),
     "huge page size of MAP_HUGETLB without a MAP_HUGE_* size (default_hugepagesz=)",
     "/proc/meminfo Hugepagesize"},
    POOL_ENTRIES(2M, "2048kB"),
    POOL_ENTRIES(1G, "1048576kB"),
    {"vdso.vvar_pages", F(vvar_pages), SK_U64, 0, 64, 1, NULL, NULL,
     "pages of [vvar], mapped first of the vDSO block at exec (map_vdso)",
     "/proc/self/maps [vvar]"},
    {"vdso.vvar_vclock_pages", F(vvar_vclock_pages), SK_U64, 0, 64, 1, NULL, NULL,
     "pages of [vvar_vclock], between [vvar] and [vdso]", "/proc/self/maps [vvar_vclock]"},
    {"vdso.vdso_pages", F(vdso_pages), SK_U64, 0, 64, 1, NULL, NULL,
     "pages of the [vdso] text (0: vdso=0, no vDSO and no AT_SYSINFO_EHDR)",
     "/proc/self/maps [vdso]"},
    {"vdso.vsyscall", F(vsyscall_gate), SK_BOOL, 0, 1, 1, NULL, NULL,
     "the [vsyscall] gate line ends maps (boot parameter vsyscall=none hides it)",
     "/proc/self/maps [vsyscall]"},
    {"auxv.hwcap", F(auxv_hwcap), SK_U64, 0, UINT64_MAX, 1, NULL, NULL,
     "AT_HWCAP exec hands the program (CPUID 1 EDX)", "/proc/self/auxv AT_HWCAP"},
    {"auxv.hwcap2", F(auxv_hwcap2), SK_U64, 0, UINT64_MAX, 1, NULL, NULL,
     "AT_HWCAP2 (ring-3 MWAIT, FSGSBASE)", "/proc/self/auxv AT_HWCAP2"},
    {"auxv.minsigstksz", F(auxv_minsigstksz), SK_U64, 0, UINT64_MAX, 1, NULL, NULL,
     "AT_MINSIGSTKSZ: the signal frame size of this CPU's xstate",
     "/proc/self/auxv AT_MINSIGSTKSZ"},
    {"auxv.clktck", F(auxv_clktck), SK_U64, 0, UINT64_MAX, 1, NULL, NULL,
     "AT_CLKTCK (USER_HZ)", "/proc/self/auxv AT_CLKTCK"},
    {"auxv.rseq_feature_size", F(auxv_rseq_feature_size), SK_U64, 0, UINT64_MAX, 1, NULL,
     NULL, "AT_RSEQ_FEATURE_SIZE (0: a kernel without CONFIG_RSEQ, no AT_RSEQ_* entries)",
     "/proc/self/auxv AT_RSEQ_FEATURE_SIZE"},
    {"auxv.rseq_align", F(auxv_rseq_align), SK_U64, 0, UINT64_MAX, 1, NULL, NULL,
     "AT_RSEQ_ALIGN", "/proc/self/auxv AT_RSEQ_ALIGN"},
    {"kernel.shmmax", F(shmmax), SK_U64, 0, UINT64_MAX, 1, NULL, NULL,
     "largest System V shm segment in bytes (shmget EINVAL above it)", "/proc/sys/kernel/shmmax"},
    {"kernel.shmall", F(shmall), SK_U64, 0, UINT64_MAX, 1, NULL, NULL,
     "pages all System V shm segments may hold (shmget ENOSPC past it)",
     "/proc/sys/kernel/shmall"},
    {"kernel.shmmni", FN(set_shmmni, get_shmmni),
     "System V shm segments that may exist (shmget ENOSPC past it)", "/proc/sys/kernel/shmmni"},
    {"kernel.shm_rmid_forced", FN(set_rmid_forced, get_rmid_forced),
     "a segment goes with its last attach even without IPC_RMID, and at its creator's exit "
     "if unattached", "/proc/sys/kernel/shm_rmid_forced"},
    {"kernel.shm_next_id", FN(set_shm_next_id, get_shm_next_id),
     "the id the next shmget() gives (checkpoint/restore), then unset (2^64-1 = unset)",
     "/proc/sys/kernel/shm_next_id"},
    {"kernel.ipcmni_extend", F(ipcmni_extend), SK_BOOL, 0, 1, 1, NULL, NULL,
     "boot parameter ipcmni_extend: 16M shm ids and a 24-bit id shift instead of 32768 and 15",
     "/proc/cmdline ipcmni_extend"},
    {"vm.hugetlb_shm_group", F(hugetlb_shm_group), SK_U64, 0, UINT32_MAX, 1, NULL, NULL,
     "the group whose members may shmget(SHM_HUGETLB) without CAP_IPC_LOCK (else EPERM)",
     "/proc/sys/vm/hugetlb_shm_group"},
    {"fs.suid_dumpable", F(suid_dumpable), SK_INT, 0, 2, 1, NULL, NULL,
     "what a process that changed its ids becomes (0 not dumpable, 1 dumpable, 2 root "
     "only): without 1, process_madvise on it needs CAP_SYS_PTRACE",
     "/proc/sys/fs/suid_dumpable"},
    {"vm.memfd_noexec", F(memfd_noexec), SK_INT, 0, 2, 1, NULL, NULL,
     "memfd_create without MFD_EXEC/MFD_NOEXEC_SEAL: 0 executable, 1 sealed, 2 EACCES "
     "unless MFD_NOEXEC_SEAL",
     "/proc/sys/vm/memfd_noexec"},
    {"vm.unprivileged_userfaultfd", F(unprivileged_userfaultfd), SK_BOOL, 0, 1, 1, NULL, NULL,
     "userfaultfd(2) without UFFD_USER_MODE_ONLY is allowed without CAP_SYS_PTRACE",
     "/proc/sys/vm/unprivileged_userfaultfd"},
    {"uffd.features", F(uffd_features), SK_UINT, 0, UINT32_MAX, 1, NULL, NULL,
     "the UFFDIO_API features the kernel offers (without WP_HUGETLBFS_SHMEM, write "
     "protection is for anonymous memory only)",
     "experiment: userfaultfd(2) and UFFDIO_API asking for no feature"},
    {"config.secretmem", F(secretmem), SK_BOOL, 0, 1, 1, NULL, NULL,
     "memfd_secret(2) works (CONFIG_SECRETMEM and secretmem.enable)",
     "experiment: memfd_secret(0)"},
    {"dev.shmem", F(shmem_dev), SK_U64, 0, UINT32_MAX, 1, NULL, NULL,
     "device (major << 20 | minor) of the internal shmem mount: shared anonymous, memfd and "
     "System V maps lines",
     "experiment: fstat of a memfd"},
    {"dev.hugetlb.2048kB", F(hugetlb_dev[0]), SK_U64, 0, UINT32_MAX, 1, NULL, NULL,
     "device of the internal hugetlbfs mount of 2 MiB pages (MAP_HUGETLB, SHM_HUGETLB, "
     "MFD_HUGETLB)",
     "experiment: fstat of a memfd with MFD_HUGETLB|MFD_HUGE_2MB"},
    {"dev.hugetlb.1048576kB", F(hugetlb_dev[1]), SK_U64, 0, UINT32_MAX, 1, NULL, NULL,
     "device of the internal hugetlbfs mount of 1 GiB pages",
     "experiment: fstat of a memfd with MFD_HUGETLB|MFD_HUGE_1GB"},
    {"dev.secretmem", F(secretmem_dev), SK_U64, 0, UINT32_MAX, 1, NULL, NULL,
     "device of the secretmem mount (memfd_secret maps lines)",
     "experiment: fstat of a memfd_secret file"},
    {"numa.nodes_online", F(numa_online), SK_U64, 1, UINT64_MAX, 1, NULL, NULL,
     "online NUMA nodes (bit n: node n, nodes 0-63): a home node must be one",
     "/sys/devices/system/node/online"},
    {"numa.nodes_possible", F(numa_possible), SK_U64, 1, UINT64_MAX, 1, NULL, NULL,
     "possible nodes: nr_node_ids, the mask get_mempolicy needs room for and writes",
     "/sys/devices/system/node/possible"},
    {"numa.nodes_memory", F(numa_memory), SK_U64, 1, UINT64_MAX, 1, NULL, NULL,
     "nodes with memory (N_MEMORY): a policy's nodes are cut to them",
     "/sys/devices/system/node/has_memory"},
    {"numa.mems_allowed", F(numa_mems_allowed), SK_U64, 1, UINT64_MAX, 1, NULL, NULL,
     "the cpuset's nodes: a policy's nodes are cut to them (MPOL_F_MEMS_ALLOWED shows them)",
     "/proc/self/status Mems_allowed_list"},
    {"config.max_numnodes", FN(set_max_numnodes, get_max_numnodes),
     "MAX_NUMNODES (1 << CONFIG_NODES_SHIFT): mask bits past it must be 0 (else EINVAL)",
     "/proc/self/status Mems_allowed (printed MAX_NUMNODES bits wide)"},
    {"config.x86_user_shadow_stack", F(user_shstk_built), SK_BOOL, 0, 1, 1, NULL, NULL,
     "CONFIG_X86_USER_SHADOW_STACK: map_shadow_stack exists (else ENOSYS)",
     "experiment: map_shadow_stack in a child"},
    {"cpu.user_shstk", F(user_shstk), SK_BOOL, 0, 1, 1, NULL, NULL,
     "the CPU has user shadow stacks (else map_shadow_stack is EOPNOTSUPP)",
     "experiment: map_shadow_stack in a child"},
};
#undef POOL_ENTRIES
#undef FN
#undef F

static int setting_index(const char *name)
{
	for (int i = 0; i < VMS_NSETTINGS; i++)
		if (strcmp(settings[i].name, name) == 0)
			return i;
	return -1;
}

bool setting_was_set(const vms_sys *sys, const char *name)
{
	int i = setting_index(name);
	return i >= 0 && sys->setting_source[i] != VMS_SETTING_DEFAULT;
}

static uint64_t setting_value(const vms_sys *sys, const struct setting *e)
{
	const char *p = (const char *)sys + e->offset;
	switch (e->kind) {
	case SK_U64:
		return *(const uint64_t *)p / e->scale;
	case SK_INT:
		return (uint64_t)*(const int *)p;
	case SK_UINT:
		return *(const unsigned *)p;
	case SK_BOOL:
		return *(const bool *)p;
	case SK_FUNC:
		return e->get(sys);
	}
	return 0;
}

int setting_set(vms_sys *sys, const char *name, uint64_t value, int source)
{
	int i = setting_index(name);
	if (i < 0)
		return -ENOENT;
	const struct setting *e = &settings[i];
	if (value < e->min || value > e->max)
		return -EINVAL;
	if (e->kind == SK_BOOL && value > 1)
		return -EINVAL;
	char *p = (char *)sys + e->offset;
	switch (e->kind) {
	case SK_U64:
		*(uint64_t *)p = value * e->scale;
		break;
	case SK_INT:
		*(int *)p = (int)value;
		break;
	case SK_UINT:
		*(unsigned *)p = (unsigned)value;
		break;
	case SK_BOOL:
		*(bool *)p = value != 0;
		break;
	case SK_FUNC: {
		int err = e->set(sys, value);
		if (err)
			return err;
		break;
	}
	}
	sys->setting_source[i] = (unsigned char)source;
	return 0;
}

int vms_sysctl_set(vms_sys *sys, const char *name, uint64_t value)
{
	return setting_set(sys, name, value, VMS_SETTING_CALLER);
}

int vms_sysctl_get(const vms_sys *sys, const char *name, uint64_t *value)
{
	int i = setting_index(name);
	if (i < 0)
		return -ENOENT;
	*value = setting_value(sys, &settings[i]);
	return 0;
}

int vms_setting_info(const vms_sys *sys, size_t index, struct vms_setting_info *out)
{
	if (index >= VMS_NSETTINGS)
		return -ENOENT;
	const struct setting *e = &settings[index];
	out->name = e->name;
	out->value = setting_value(sys, e);
	out->source = sys->setting_source[index];
	out->what = e->what;
	out->probe = e->probe;
	return 0;
}
