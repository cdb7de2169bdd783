/*
 * fuzz_calls.c: libFuzzer target that turns its input into a sequence of
 * library calls (mmap, munmap, mprotect, mremap, madvise, brk, mlock, fork,
 * faults, rlimits, sysctls, mseal, msync, mincore, remap_file_pages,
 * process_madvise, process_mrelease, injected allocation failures, System V
 * segments, memfds with their sizes and seals) and checks
 * vms_validate() after every call. It looks for crashes and broken invariants,
 * not for kernel differences (the live-kernel tests do that).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmspace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes && in->left; i++, in->left--)
		v = (v << 8) | *in->p++;
	return v;
}

/* Addresses cluster in a few windows so that calls hit each other's VMAs. */
static uint64_t addr_of(struct input *in)
{
	static const uint64_t base[4] = {0x10000000ULL, 0x200000000ULL, 0x7ffff7e00000ULL,
					 0x555555560000ULL};
	uint64_t sel = take(in, 1);
	uint64_t off = take(in, 2) << 12;
	if ((sel & 0xf0) == 0xf0)
		return take(in, 8); /* anything at all */
	return base[sel & 3] + off + ((sel & 8) ? take(in, 2) : 0);
}

static uint64_t len_of(struct input *in)
{
	uint64_t sel = take(in, 1);
	if (sel == 0xff)
		return take(in, 8);
	return ((sel & 0x3f) + 1) << 12 | ((sel & 0x40) ? 0x123 : 0);
}

/* Shared memory: System V segments of the system, and one memfd (closed
 * and made again) mapped, resized and sealed. */
static void shared_call(struct input *in, vms_sys *sys, vms_mm *target, vms_file **memfd)
{
	unsigned sub = (unsigned)take(in, 1);
	int id = (int)take(in, 1) % 8 - 1;
	switch (sub % 8) {
	case 0:
		vms_shmget(target, (sub & 0x10) ? 0x42 : VMS_IPC_PRIVATE, len_of(in),
			   (int)take(in, 2) | ((sub & 0x20) ? VMS_SHM_HUGETLB | VMS_SHM_NORESERVE : 0));
		break;
	case 1:
		vms_shmat(target, id, (sub & 0x10) ? addr_of(in) : 0, (int)take(in, 2));
		break;
	case 2:
		vms_shmdt(target, addr_of(in));
		break;
	case 3: {
		struct vms_shmid_ds ds = {.mode = 0600};
		vms_shmctl(target, id, (int)take(in, 1) % 16, &ds);
		break;
	}
	case 4:
		vms_file_close(*memfd);
		*memfd = NULL;
		vms_memfd_create(sys, "fz", (unsigned)take(in, 1) | ((sub & 0x10) ? 21u << 26 : 0),
				 memfd);
		break;
	case 5:
		if (*memfd)
			vms_ftruncate(*memfd, (int64_t)(take(in, 2) << 12) - 1);
		break;
	case 6:
		if (*memfd)
			vms_mmap(target, addr_of(in), len_of(in), (int)take(in, 1) & 7,
				 (int)take(in, 1) & 0x3f, *memfd, take(in, 1) << 12);
		break;
	default:
		if (*memfd && (sub & 0x10))
			vms_fallocate(*memfd, (int)take(in, 1), (int64_t)(take(in, 1) << 12),
				      (int64_t)len_of(in));
		else if (*memfd)
			vms_add_seals(*memfd, (unsigned)take(in, 1));
		break;
	}
}

static void check(vms_mm *mm)
{
	char why[256];
	if (vms_validate(mm, why, sizeof(why))) {
		fprintf(stderr, "vms_validate: %s\n", why);
		abort();
	}
}

/* mseal, msync, mincore, remap_file_pages, process_madvise (on target from
 * mm: itself, or the fork child), process_mrelease. */
static void sealing_syncing_residency(struct input *in, vms_mm *target, vms_mm *mm)
{
	static unsigned char vec[64];
	struct vms_iovec iov[4];
	uint64_t a = addr_of(in), l = len_of(in);
	switch (take(in, 1) % 6) {
	case 0:
		vms_mseal(target, a, l, take(in, 1) & 1);
		break;
	case 1:
		vms_msync(target, a, l, (int)take(in, 1) & 0xf);
		break;
	case 2:
		vms_mincore(target, a, l, l <= sizeof(vec) << 12 ? vec : NULL);
		break;
	case 3:
		vms_remap_file_pages(target, a, l, take(in, 1) & 1, take(in, 2), take(in, 1));
		break;
	case 4:
		for (int i = 0; i < 4; i++) {
			iov[i].base = addr_of(in);
			iov[i].len = len_of(in);
		}
		vms_process_madvise(mm, target, 0, iov, take(in, 1) % 5, (int)take(in, 1),
				    (unsigned)(take(in, 1) & 1));
		break;
	case 5:
		vms_process_mrelease(target, 0, (unsigned)(take(in, 1) & 1));
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	vms_sys *sys = vms_sys_new();
	if (!sys)
		return 0;
	vms_sysctl_set(sys, "vm.max_map_count", 64 + take(&in, 1));
	vms_sysctl_set(sys, "vm.overcommit_memory", take(&in, 1) % 3);
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE};
	vms_mm *mm = vms_mm_new(sys, &cfg);
	vms_mm *child = NULL;
	struct vms_inode_info info = {.dev_major = 8, .ino = 42, .size = 1 << 20, .path = "/f"};
	vms_inode *ino = vms_inode_get(sys, &info);
	vms_file *ro = ino ? vms_file_open(ino, VMS_O_RDONLY) : NULL;
	vms_file *rw = ino ? vms_file_open(ino, VMS_O_RDWR) : NULL;
	vms_file *memfd = NULL;
	if (!mm)
		goto out;
	vms_mm_set_brk_start(mm, 0x555555560000ULL);
	for (int n = 0; n < 200 && in.left; n++) {
		unsigned op = (unsigned)take(&in, 1);
		vms_mm *target = (child && (op & 0x80)) ? child : mm;
		switch (op % 14) {
		case 0:
		case 1: {
			uint64_t a = addr_of(&in), l = len_of(&in);
			int prot = (int)take(&in, 1) & 7;
			int flags = (int)take(&in, 4);
			vms_file *f = (flags & 1) ? rw : ro;
			if (op & 0x40)
				flags = (flags & ~0xf) | VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS;
			vms_mmap(target, a, l, prot, flags, f, take(&in, 1) << 12);
			break;
		}
		case 2:
			vms_munmap(target, addr_of(&in), len_of(&in));
			break;
		case 3:
			vms_mprotect(target, addr_of(&in), len_of(&in), (unsigned long)take(&in, 4));
			break;
		case 4: {
			uint64_t a = addr_of(&in), ol = len_of(&in), nl = len_of(&in);
			vms_mremap(target, a, ol, nl, (int)take(&in, 1) & 7, addr_of(&in));
			break;
		}
		case 5:
			vms_madvise(target, addr_of(&in), len_of(&in), (int)take(&in, 1));
			break;
		case 6:
			vms_brk(target, 0x555555560000ULL + (take(&in, 2) << 12) - 0x10000);
			break;
		case 7:
			if (op & 0x10)
				vms_mlock(target, addr_of(&in), len_of(&in));
			else
				vms_munlock(target, addr_of(&in), len_of(&in));
			break;
		case 8:
			vms_fault(target, addr_of(&in), (int)(op & 1));
			break;
		case 9: {
			struct vms_rlimit lim = {take(&in, 4) << 12, VMS_RLIM_INFINITY};
			static const int res[4] = {VMS_RLIMIT_AS, VMS_RLIMIT_DATA, VMS_RLIMIT_MEMLOCK,
						   VMS_RLIMIT_STACK};
			vms_prlimit(target, res[op >> 6 & 3], &lim, NULL);
			break;
		}
		case 10:
			if (!child) {
				int err;
				child = vms_fork(mm, &err);
			} else {
				vms_mm_free(child);
				child = NULL;
			}
			break;
		case 11:
			/* The next allocations fail: every call must stay consistent. */
			vms_sys_fail_alloc_after(sys, 1 + take(&in, 1) % 8);
			break;
		case 12:
			if (op & 0x40)
				shared_call(&in, sys, target, &memfd);
			else if (op & 0x20)
				sealing_syncing_residency(&in, target, mm);
			else
				vms_set_anon_name(target, addr_of(&in), len_of(&in),
						  (op & 1) ? "fz" : NULL);
			break;
		case 13: {
			/* Policies, keys, shadow stacks, prctl and credentials. */
			uint64_t mask[2] = {take(&in, 1), take(&in, 1) & 1}, a = addr_of(&in);
			uint64_t l = len_of(&in), m = take(&in, 1);
			int mode;
			switch (op >> 4 & 7) {
			case 0:
				vms_mbind(target, a, l, (m % 8) | (m & 0xe000), mask, 2, m >> 8,
					  (unsigned)(m >> 4) & 7);
				break;
			case 1:
				vms_set_mempolicy(target, (int)((m % 8) | (m & 0xe000)), mask, 2, m >> 8);
				break;
			case 2:
				vms_set_mempolicy_home_node(target, a, l, m & 1, 0);
				break;
			case 3:
				if (m & 1)
					vms_pkey_alloc(target, 0, m >> 1 & 3);
				else
					vms_pkey_mprotect(target, a, l, m >> 1 & 7, (int)(m >> 4) - 1);
				break;
			case 4:
				vms_prctl(target, (m & 1) ? VMS_PR_SET_THP_DISABLE : VMS_PR_SET_MDWE,
					  m >> 1 & 3, 0, 0, 0);
				break;
			case 5:
				vms_setresuid(target, (uint32_t)-1, (m & 1) ? 1000 : 0, (uint32_t)-1);
				break;
			case 6:
				vms_map_shadow_stack(target, a, l, m & 1);
				break;
			default:
				vms_get_mempolicy(target, &mode, mask, 2, 64, a, m & 7);
				break;
			}
			break;
		}
		}
		vms_sys_fail_alloc_after(sys, 0);
		check(mm);
		if (child)
			check(child);
	}
out:
	vms_file_close(ro);
	vms_file_close(rw);
	vms_file_close(memfd);
	vms_sys_free(sys);
	return 0;
}
