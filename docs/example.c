/* example.c: the README's example. Maps, merges, splits and prints the maps. */
#include <stdio.h>

#include "vmspace.h"

int main(void)
{
	vms_sys *sys = vms_sys_new();
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE};
	vms_mm *mm = vms_mm_new(sys, &cfg);

	/* Two anonymous mappings side by side merge into one VMA. */
	long a = vms_mmap(mm, 0, 2 * VMS_PAGE_SIZE, VMS_PROT_READ | VMS_PROT_WRITE,
			  VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0);
	long b = vms_mmap(mm, 0, 2 * VMS_PAGE_SIZE, VMS_PROT_READ | VMS_PROT_WRITE,
			  VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0);
	/* Unmapping a page in the middle splits it again. */
	long r = vms_munmap(mm, (uint64_t)a, VMS_PAGE_SIZE);
	/* Errors come back as -errno, exactly as the kernel returns them. */
	long bad = vms_mmap(mm, 0, 0, VMS_PROT_READ, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0);

	printf("a=%#lx b=%#lx munmap=%ld mmap(len 0)=%ld (%s)\n", a, b, r, bad, vms_strerror(bad));
	for (const vms_vma *v = vms_vma_first(mm); v; v = vms_vma_next(mm, v)) {
		struct vms_vma_info info;
		vms_vma_get_info(v, &info);
		printf("%012llx-%012llx flags %#llx\n", (unsigned long long)info.start,
		       (unsigned long long)info.end, (unsigned long long)info.vm_flags);
	}
	char why[128];
	int ok = vms_validate(mm, why, sizeof(why)) == 0;
	vms_sys_free(sys);
	return ok ? 0 : 1;
}
