/*
 * sys.c: the simulated machine: sysctls, memory sizes, the list of address
 * spaces and the slabs they draw from. Not here: the commit-limit arithmetic
 * (accounting.c) or files (file.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "userfaultfd.h"
#include "accounting.h"
#include "file.h"
#include "shm.h"
#include "mempolicy.h"

void set_default_reserves(vms_sys *sys)
{
	/* mm/util.c init_user_reserve()/init_admin_reserve(): about 3% of free
	 * memory (free pages / 32), capped at 128 MiB and 8 MiB; a reserve the
	 * host or the caller set stays as set. */
	uint64_t free_kb = sys->totalram_pages << (PAGE_SHIFT - 10);
	if (!setting_was_set(sys, "vm.user_reserve_kbytes"))
		sys->user_reserve_kbytes = min_u64(free_kb / 32, 1ULL << 17);
	if (!setting_was_set(sys, "vm.admin_reserve_kbytes"))
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
	sys->zero_page = true;
	sys->lsm_mmap_min_addr = 65536; /* Debian's and most distributions' build */
	sys->pku = false;
	sys->totalram_pages = (16ULL << 30) >> PAGE_SHIFT;
	sys->total_swap_pages = 0;
	sys->huge[0].page_size = PMD_SIZE;
	sys->huge[0].present = true;
	sys->huge[1].page_size = PUD_SIZE;
	sys->huge[1].present = true;
	sys->hugetlb_default_size = PMD_SIZE;
	/* What Linux 6.18.44 showed on the x86-64 machine (a virtualised Xeon)
	 * this model was measured on; vms_sys_probe_host() reads this host's. */
	sys->vvar_pages = 4;
	sys->vvar_vclock_pages = 2;
	sys->vdso_pages = 2;
	sys->vsyscall_gate = true;
	sys->auxv_hwcap = 0x178bebff;
	sys->auxv_hwcap2 = 0;
	sys->auxv_minsigstksz = 0xd30;
	sys->auxv_clktck = 100;
	sys->auxv_rseq_feature_size = 0x1c;
	sys->auxv_rseq_align = 0x20;
	/* include/uapi/linux/shm.h SHMMAX, SHMALL, SHMMNI */
	sys->shmmax = sys->shmall = UINT64_MAX - (1ULL << 24);
	sys->shmmni = 4096;
	sys->shm.next_id = -1;
	sys->shm.max_idx = sys->shm.last_idx = -1;
	sys->secretmem = true;
	/* 6.18 x86-64 with every userfaultfd option built: features 0-16. */
	sys->uffd_features = 0x1ffff;
	/* The internal mounts' devices on a common x86-64 boot (this one's):
	 * shmem 00:01, hugetlbfs 00:11 and the next, secretmem 00:0e. */
	sys->shmem_dev = 1;
	sys->hugetlb_dev[0] = 0x11;
	sys->hugetlb_dev[1] = 0x12;
	sys->secretmem_dev = 0xe;
	/* One node, NODES_SHIFT 10 (distribution kernels), user shadow stacks
	 * built in but not on the CPU. */
	sys->numa_online = sys->numa_possible = sys->numa_memory = sys->numa_mems_allowed = 1;
	sys->max_numnodes = 1024;
	sys->user_shstk_built = true;
	sys->user_shstk = false;
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
	uffd_sys_release(sys);
	shm_sys_release(sys);
	file_sys_release(sys);
	mpol_table_free(sys);
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
	setting_set(sys, "meminfo.MemTotal", ram_bytes >> 10, VMS_SETTING_CALLER);
	setting_set(sys, "meminfo.SwapTotal", swap_bytes >> 10, VMS_SETTING_CALLER);
}

int hugetlb_pool_resize(vms_sys *sys, uint64_t page_size, uint64_t nr_pages)
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

int vms_sys_set_hugetlb_pool(vms_sys *sys, uint64_t page_size, uint64_t nr_pages)
{
	if (page_size == PMD_SIZE)
		return setting_set(sys, "hugetlb.2048kB.nr_hugepages", nr_pages, VMS_SETTING_CALLER);
	if (page_size == PUD_SIZE)
		return setting_set(sys, "hugetlb.1048576kB.nr_hugepages", nr_pages,
				   VMS_SETTING_CALLER);
	return -EINVAL;
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
	case VMS_ENOTTY:
		return "Inappropriate ioctl for device";
	case VMS_EIO:
		return "Input/output error";
	case VMS_E2BIG:
		return "Argument list too long";
	case VMS_ENOEXEC:
		return "Exec format error";
	case VMS_ENOTDIR:
		return "Not a directory";
	case VMS_EISDIR:
		return "Is a directory";
	case VMS_ENAMETOOLONG:
		return "File name too long";
	case VMS_ELOOP:
		return "Too many levels of symbolic links";
	case VMS_ELIBBAD:
		return "Accessing a corrupted shared library";
	case VMS_EOVERFLOW:
		return "Value too large for defined data type";
	case VMS_EOPNOTSUPP:
		return "Operation not supported";
	case VMS_EIDRM:
		return "Identifier removed";
	case VMS_ENOSPC:
		return "No space left on device";
	case VMS_EFBIG:
		return "File too large";
	case VMS_ERANGE:
		return "Numerical result out of range";
	case VMS_ENOSYS:
		return "Function not implemented";
	default:
		return "Unknown error";
	}
}
