/*
 * test_settings.c: the machine's settings (src/settings.c) and the host
 * probe (src/host.c), and the rules that change with them: the zero page
 * (mm/memory.c do_anonymous_page), the LSM mmap floor
 * (security/min_addr.c), hugetlb sizes the kernel lacks (size_to_hstate),
 * the default huge page size, protection key 0 with and without PKU; and
 * `vmspace settings` (cli/settings.c).
 */
#include "../cli/settings.c" /* build/unit links no cli/ object */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "t.h"

#define PG 4096ULL
#define BASE 0x10000000ULL
#define RW (VMS_PROT_READ | VMS_PROT_WRITE)
#define PA (VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS)

static vms_mm *new_mm(vms_sys *sys)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE};
	return vms_mm_new(sys, &cfg);
}

static uint64_t anon_vma_of(vms_mm *mm, uint64_t addr)
{
	struct vms_vma_info in;
	const vms_vma *v = vms_find_vma(mm, addr);
	if (!v)
		return 0;
	vms_vma_get_info(v, &in);
	return in.anon_vma;
}

static size_t vmas_in(vms_mm *mm, uint64_t start, uint64_t end)
{
	size_t n = 0;
	for (const vms_vma *v = vms_find_vma(mm, start); v; v = vms_vma_next(mm, v)) {
		struct vms_vma_info in;
		vms_vma_get_info(v, &in);
		if (in.start >= end)
			break;
		n++;
	}
	return n;
}

TEST(settings_every_one_is_listed_with_its_default_source)
{
	struct vms_setting_info in;
	size_t n = 0;
	while (vms_setting_info(sys, n, &in) == 0) {
		CHECK(in.name && in.what && in.probe);
		CHECK_EQ(in.source, VMS_SETTING_DEFAULT);
		uint64_t v;
		CHECK_EQ(vms_sysctl_get(sys, in.name, &v), 0);
		CHECK_EQ(v, in.value);
		n++;
	}
	CHECK(n >= 20);
	CHECK_EQ(vms_setting_info(sys, n, &in), -ENOENT);
}

TEST(settings_set_by_the_caller_say_so_and_refuse_bad_values)
{
	struct vms_setting_info in;
	CHECK_EQ(vms_sysctl_set(sys, "mm.zero_page", 0), 0);
	CHECK_EQ(vms_sysctl_set(sys, "mm.zero_page", 2), -EINVAL);
	CHECK_EQ(vms_sysctl_set(sys, "mm.no_such_thing", 1), -ENOENT);
	for (size_t i = 0; vms_setting_info(sys, i, &in) == 0; i++)
		if (!strcmp(in.name, "mm.zero_page")) {
			CHECK_EQ(in.value, 0);
			CHECK_EQ(in.source, VMS_SETTING_CALLER);
		}
}

TEST(settings_memory_size_recomputes_only_default_reserves)
{
	uint64_t v;
	CHECK_EQ(vms_sysctl_set(sys, "vm.admin_reserve_kbytes", 1234), 0);
	vms_sys_set_memory(sys, 1ULL << 30, 0);
	CHECK_EQ(vms_sysctl_get(sys, "vm.admin_reserve_kbytes", &v), 0);
	CHECK_EQ(v, 1234);
	CHECK_EQ(vms_sysctl_get(sys, "vm.user_reserve_kbytes", &v), 0);
	CHECK_EQ(v, (1ULL << 20) / 32); /* 1 GiB of kB / 32 */
	CHECK_EQ(vms_sysctl_get(sys, "meminfo.MemTotal", &v), 0);
	CHECK_EQ(v, 1ULL << 20);
}

/* The reproducer: a read between the split and the second mprotect.
 * With the zero page the read leaves the middle VMA without an anon_vma, so
 * mprotect merges all three pieces it covers into the neighbours' flags. */
static size_t zero_page_reproducer(vms_sys *sys, int zero_page)
{
	if (vms_sysctl_set(sys, "mm.zero_page", (uint64_t)zero_page))
		return 0;
	vms_mm *mm = new_mm(sys);
	long b = vms_mmap(mm, 0, 0x400000, RW, PA, NULL, 0);
	if (b < 0)
		return 0;
	uint64_t base = (uint64_t)b;
	if (vms_mprotect(mm, base + 0x68000, 0x4000, RW | VMS_PROT_EXEC) != 0)
		return 0;
	if (vms_fault(mm, base + 0x6a000, 0) != 0)
		return 0;
	if (vms_mprotect(mm, base + 0x64000, 0x17000, VMS_PROT_EXEC) != 0)
		return 0;
	char why[256];
	if (vms_validate(mm, why, sizeof(why)))
		return 0;
	return vmas_in(mm, base, base + 0x400000);
}

TEST(zero_page_read_fault_maps_the_zero_page_without_anon_vma)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_mmap(mm, BASE, 4 * PG, RW, PA | VMS_MAP_FIXED, NULL, 0), (long)BASE);
	CHECK_EQ(vms_fault(mm, BASE + PG, 0), 0);
	CHECK_EQ(anon_vma_of(mm, BASE), 0);
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	CHECK_EQ(c.rss_anon, 0);
	VALID(mm);
	CHECK_EQ(zero_page_reproducer(sys, 1), 3);
}

TEST(zero_page_off_read_fault_allocates_and_prepares_anon_vma)
{
	CHECK_EQ(vms_sysctl_set(sys, "mm.zero_page", 0), 0);
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_mmap(mm, BASE, 4 * PG, RW, PA | VMS_MAP_FIXED, NULL, 0), (long)BASE);
	CHECK_EQ(vms_fault(mm, BASE + PG, 0), 0);
	CHECK(anon_vma_of(mm, BASE) != 0);
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	CHECK_EQ(c.rss_anon, 1);
	VALID(mm);
	CHECK_EQ(zero_page_reproducer(sys, 0), 5);
}

TEST(zero_page_off_populate_read_prepares_anon_vma)
{
	CHECK_EQ(vms_sysctl_set(sys, "mm.zero_page", 0), 0);
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_mmap(mm, BASE, 4 * PG, VMS_PROT_READ, PA | VMS_MAP_FIXED, NULL, 0),
		 (long)BASE);
	CHECK_EQ(vms_madvise(mm, BASE, 4 * PG, VMS_MADV_POPULATE_READ), 0);
	CHECK(anon_vma_of(mm, BASE) != 0);
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	CHECK_EQ(c.rss_anon, 4);
	/* MAP_POPULATE of a read-only private mapping faults by reading too. */
	CHECK_EQ(vms_mmap(mm, BASE + 8 * PG, 2 * PG, VMS_PROT_READ,
			  PA | VMS_MAP_FIXED | VMS_MAP_POPULATE, NULL, 0),
		 (long)(BASE + 8 * PG));
	CHECK(anon_vma_of(mm, BASE + 8 * PG) != 0);
	VALID(mm);
}

TEST(zero_page_on_populate_read_leaves_no_anon_vma)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_mmap(mm, BASE, 4 * PG, VMS_PROT_READ, PA | VMS_MAP_FIXED, NULL, 0),
		 (long)BASE);
	CHECK_EQ(vms_madvise(mm, BASE, 4 * PG, VMS_MADV_POPULATE_READ), 0);
	CHECK_EQ(anon_vma_of(mm, BASE), 0);
	VALID(mm);
}

TEST(lsm_mmap_min_addr_is_the_floor_for_hints_above_the_sysctl)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_sysctl_set(sys, "vm.mmap_min_addr", 4096), 0);
	CHECK_EQ(vms_mmap(mm, 0x1000, PG, VMS_PROT_READ, PA, NULL, 0), 0x10000);
	CHECK_EQ(vms_sysctl_set(sys, "config.lsm_mmap_min_addr", 0), 0);
	CHECK_EQ(vms_mmap(mm, 0x2000, PG, VMS_PROT_READ, PA, NULL, 0), 0x2000);
	VALID(mm);
}

TEST(hugetlb_size_without_hstate_is_einval)
{
	vms_mm *mm = new_mm(sys);
	int f = PA | VMS_MAP_HUGETLB | VMS_MAP_HUGE_1GB;
	CHECK_EQ(vms_mmap(mm, 0, 1ULL << 30, VMS_PROT_READ, f, NULL, 0), -ENOMEM);
	CHECK_EQ(vms_sysctl_set(sys, "hugetlb.1048576kB.present", 0), 0);
	CHECK_EQ(vms_mmap(mm, 0, 1ULL << 30, VMS_PROT_READ, f, NULL, 0), -EINVAL);
	/* The default size cannot name a size the kernel lacks. */
	CHECK_EQ(vms_sysctl_set(sys, "hugetlb.default_kB", 1048576), -EINVAL);
	VALID(mm);
}

TEST(hugetlb_default_size_is_the_size_of_plain_map_hugetlb)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_sys_set_hugetlb_pool(sys, 1ULL << 30, 1), 0);
	CHECK_EQ(vms_sysctl_set(sys, "hugetlb.default_kB", 1048576), 0);
	long a = vms_mmap(mm, 0, 2ULL << 20, VMS_PROT_READ, PA | VMS_MAP_HUGETLB, NULL, 0);
	CHECK(a > 0);
	CHECK_EQ((uint64_t)a & ((1ULL << 30) - 1), 0);
	const vms_vma *v = vms_find_vma(mm, (uint64_t)a);
	struct vms_vma_info in;
	vms_vma_get_info(v, &in);
	CHECK_EQ(in.end - in.start, 1ULL << 30);
	/* A pool with pages in use cannot lose its hstate. */
	CHECK_EQ(vms_sysctl_set(sys, "hugetlb.1048576kB.present", 0), -EBUSY);
	VALID(mm);
}

TEST(pkey_zero_is_allocated_only_with_pku)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_mmap(mm, BASE, PG, RW, PA | VMS_MAP_FIXED, NULL, 0), (long)BASE);
	CHECK_EQ(vms_pkey_mprotect(mm, BASE, PG, VMS_PROT_READ, 0), -EINVAL);
	/* The key map is made with the address space (init_new_context). */
	CHECK_EQ(vms_sysctl_set(sys, "cpu.pku", 1), 0);
	CHECK_EQ(vms_pkey_mprotect(mm, BASE, PG, VMS_PROT_READ, 0), -EINVAL);
	mm = new_mm(sys);
	CHECK_EQ(vms_mmap(mm, BASE, PG, RW, PA | VMS_MAP_FIXED, NULL, 0), (long)BASE);
	CHECK_EQ(vms_pkey_mprotect(mm, BASE, PG, VMS_PROT_READ, 0), 0);
	CHECK_EQ(vms_pkey_mprotect(mm, BASE, PG, VMS_PROT_READ, 1), -EINVAL);
	VALID(mm);
}

/* The probe takes what this Linux host says; what the caller set stays. */
TEST(host_probe_takes_the_host_and_keeps_caller_settings)
{
	CHECK_EQ(vms_sysctl_set(sys, "vm.max_map_count", 77), 0);
	int n = vms_sys_probe_host(sys);
#ifdef __linux__
	CHECK(n > 10);
	uint64_t v;
	CHECK_EQ(vms_sysctl_get(sys, "vm.max_map_count", &v), 0);
	CHECK_EQ(v, 77);
	FILE *f = fopen("/proc/sys/vm/overcommit_ratio", "r");
	unsigned long long ratio;
	if (f && fscanf(f, "%llu", &ratio) == 1) {
		CHECK_EQ(vms_sysctl_get(sys, "vm.overcommit_ratio", &v), 0);
		CHECK_EQ(v, ratio);
	}
	if (f)
		fclose(f);
	struct vms_setting_info in;
	int measured = 0;
	for (size_t i = 0; vms_setting_info(sys, i, &in) == 0; i++)
		if (!strcmp(in.name, "mm.zero_page")) {
			measured = in.source == VMS_SETTING_HOST;
			printf("    host: mm.zero_page=%llu (%s)\n", (unsigned long long)in.value,
			       in.probe);
		}
	CHECK(measured);
#else
	CHECK_EQ(n, -ENOSYS);
#endif
}
