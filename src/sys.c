/*
 * sys.c: the simulated machine: sysctls, memory sizes, the list of address
 * spaces and the slabs they draw from. Not here: the commit-limit arithmetic
 * (accounting.c) or files (file.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "accounting.h"
#include "file.h"

static void set_default_reserves(vms_sys *sys)
{
	/* mm/util.c init_user_reserve()/init_admin_reserve(): about 3% of free
	 * memory (free pages / 32), capped at 128 MiB and 8 MiB. */
	uint64_t free_kb = sys->totalram_pages << (PAGE_SHIFT - 10);
	sys->user_reserve_kbytes = min_u64(free_kb / 32, 1ULL << 17);
	sys->admin_reserve_kbytes = min_u64(free_kb / 32, 1ULL << 13);
}

vms_sys *vms_sys_new(void)
{
	vms_sys *sys = calloc(1, sizeof(*sys));
	if (!sys)
		return NULL;
	sys->max_map_count = 65530; /* DEFAULT_MAX_MAP_COUNT */
	sys->overcommit_memory = 0;
	sys->overcommit_ratio = 50;
	sys->overcommit_kbytes = 0;
	sys->mmap_min_addr = 4096;
	sys->legacy_va_layout = 0;
	sys->randomize_va_space = 2;
	sys->mmap_rnd_bits = 28;
	sys->stack_guard_gap = 256ULL << PAGE_SHIFT;
	sys->thp_mode = 1;
	sys->anon_vma_name_enabled = true;
	sys->la57 = false;
	sys->totalram_pages = (16ULL << 30) >> PAGE_SHIFT;
	sys->total_swap_pages = 0;
	sys->huge[0].page_size = PMD_SIZE;
	sys->huge[1].page_size = PUD_SIZE;
	sys->next_anon_vma_id = 1;
	sys->next_shmem_ino = 1;
	set_default_reserves(sys);
	slab_init(&sys->vma_slab, sizeof(struct vms_vma));
	slab_init(&sys->leaf_slab, sizeof(struct vt_leaf));
	slab_init(&sys->branch_slab, sizeof(struct vt_branch));
	return sys;
}

void vms_sys_free(vms_sys *sys)
{
	if (!sys)
		return;
	while (sys->nmms)
		vms_mm_free(sys->mms[sys->nmms - 1]);
	free(sys->mms);
	file_sys_release(sys);
	slab_destroy(&sys->vma_slab);
	slab_destroy(&sys->leaf_slab);
	slab_destroy(&sys->branch_slab);
	free(sys);
}

void vms_sys_fail_alloc_after(vms_sys *sys, uint64_t n)
{
	sys->fail_countdown = n;
}

void vms_sys_set_memory(vms_sys *sys, uint64_t ram_bytes, uint64_t swap_bytes)
{
	sys->totalram_pages = ram_bytes >> PAGE_SHIFT;
	sys->total_swap_pages = swap_bytes >> PAGE_SHIFT;
	set_default_reserves(sys);
}

int vms_sys_set_hugetlb_pool(vms_sys *sys, uint64_t page_size, uint64_t nr_pages)
{
	for (int i = 0; i < 2; i++) {
		struct hugetlb_pool *h = &sys->huge[i];
		if (h->page_size != page_size)
			continue;
		/* Pages already reserved or in use stay; the pool cannot shrink below. */
		uint64_t used = h->total - h->free;
		if (nr_pages < used + h->rsvd)
			return -EBUSY;
		h->total = nr_pages;
		h->free = nr_pages - used;
		return 0;
	}
	return -EINVAL;
}

enum sysctl_kind { SK_U64, SK_INT, SK_BOOL, SK_UINT };

struct sysctl_entry {
	const char *name;
	size_t offset;
	enum sysctl_kind kind;
	uint64_t min, max;
	uint64_t scale; /* stored value = given * scale */
};

#define F(field) offsetof(struct vms_sys, field)
static const struct sysctl_entry sysctls[] = {
	{"vm.max_map_count", F(max_map_count), SK_U64, 0, INT32_MAX, 1},
	{"vm.overcommit_memory", F(overcommit_memory), SK_INT, 0, 2, 1},
	{"vm.overcommit_ratio", F(overcommit_ratio), SK_U64, 0, UINT32_MAX, 1},
	{"vm.overcommit_kbytes", F(overcommit_kbytes), SK_U64, 0, UINT64_MAX >> 12, 1},
	{"vm.admin_reserve_kbytes", F(admin_reserve_kbytes), SK_U64, 0, UINT64_MAX >> 12, 1},
	{"vm.user_reserve_kbytes", F(user_reserve_kbytes), SK_U64, 0, UINT64_MAX >> 12, 1},
	{"vm.mmap_min_addr", F(mmap_min_addr), SK_U64, 0, UINT64_MAX, 1},
	{"vm.legacy_va_layout", F(legacy_va_layout), SK_INT, 0, INT32_MAX, 1},
	{"kernel.randomize_va_space", F(randomize_va_space), SK_INT, 0, INT32_MAX, 1},
	{"vm.mmap_rnd_bits", F(mmap_rnd_bits), SK_UINT, 28, 32, 1},
	{"vm.stack_guard_gap", F(stack_guard_gap), SK_U64, 0, 1ULL << 35, PAGE_SIZE},
	{"vm.transparent_hugepage", F(thp_mode), SK_INT, 0, 2, 1},
	{"config.anon_vma_name", F(anon_vma_name_enabled), SK_BOOL, 0, 1, 1},
	{"config.la57", F(la57), SK_BOOL, 0, 1, 1},
};
#undef F

static const struct sysctl_entry *sysctl_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(sysctls) / sizeof(sysctls[0]); i++)
		if (strcmp(sysctls[i].name, name) == 0)
			return &sysctls[i];
	return NULL;
}

int vms_sysctl_set(vms_sys *sys, const char *name, uint64_t value)
{
	const struct sysctl_entry *e = sysctl_lookup(name);
	if (!e)
		return -ENOENT;
	if (value < e->min || value > e->max)
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
	}
	return 0;
}

int vms_sysctl_get(const vms_sys *sys, const char *name, uint64_t *value)
{
	const struct sysctl_entry *e = sysctl_lookup(name);
	if (!e)
		return -ENOENT;
	const char *p = (const char *)sys + e->offset;
	switch (e->kind) {
	case SK_U64:
		*value = *(const uint64_t *)p / e->scale;
		break;
	case SK_INT:
		*value = (uint64_t)*(const int *)p;
		break;
	case SK_UINT:
		*value = *(const unsigned *)p;
		break;
	case SK_BOOL:
		*value = *(const bool *)p;
		break;
	}
	return 0;
}

const char *vms_strerror(long err)
{
	switch (-err) {
	case 0:
		return "Success";
	case VMS_EPERM:
		return "Operation not permitted";
	case VMS_ENOENT:
		return "No such file or directory";
	case VMS_EBADF:
		return "Bad file descriptor";
	case VMS_EAGAIN:
		return "Resource temporarily unavailable";
	case VMS_ENOMEM:
		return "Cannot allocate memory";
	case VMS_EACCES:
		return "Permission denied";
	case VMS_EFAULT:
		return "Bad address";
	case VMS_EBUSY:
		return "Device or resource busy";
	case VMS_EEXIST:
		return "File exists";
	case VMS_ENODEV:
		return "No such device";
	case VMS_EINVAL:
		return "Invalid argument";
	case VMS_ETXTBSY:
		return "Text file busy";
	case VMS_EOVERFLOW:
		return "Value too large for defined data type";
	case VMS_EOPNOTSUPP:
		return "Operation not supported";
	default:
		return "Unknown error";
	}
}
