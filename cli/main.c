/*
 * main.c: the vmspace command. A thin user of include/vmspace.h: it parses
 * arguments and hands each job to the file that owns it.
 */
#include <stdio.h>
#include <string.h>

#include "vmspace.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: vmspace [demo]\n"
		   "       vmspace --version | --help\n");
}

static int demo(void)
{
	vms_sys *sys = vms_sys_new();
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE};
	vms_mm *mm = vms_mm_new(sys, &cfg);
	if (!sys || !mm) {
		fprintf(stderr, "vmspace: out of memory\n");
		return 1;
	}
	long a = vms_mmap(mm, 0, 4 * VMS_PAGE_SIZE, VMS_PROT_READ | VMS_PROT_WRITE,
			  VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0);
	vms_mmap(mm, 0, 4 * VMS_PAGE_SIZE, VMS_PROT_READ | VMS_PROT_WRITE,
		 VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL, 0);
	vms_munmap(mm, (uint64_t)a + VMS_PAGE_SIZE, VMS_PAGE_SIZE);
	for (const vms_vma *v = vms_vma_first(mm); v; v = vms_vma_next(mm, v)) {
		struct vms_vma_info i;
		vms_vma_get_info(v, &i);
		printf("%08llx-%08llx\n", (unsigned long long)i.start, (unsigned long long)i.end);
	}
	vms_sys_free(sys);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "demo") == 0)
		return demo();
	if (strcmp(argv[1], "--version") == 0) {
		printf("vmspace %s\n", VMS_VERSION_STRING);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
