/*
 * unmapped_area.c: where a new mapping goes. The hint rules and MAP_32BIT
 * window are x86's (arch/x86/kernel/sys_x86_64.c); the gap search with its
 * stack-guard retries is mm/vma.c's; THP padding of anonymous mappings is
 * mm/huge_memory.c's. What it does not do: check permissions or limits.
 */
#include <errno.h>
#include <string.h>

#include "unmapped_area.h"
#include "file.h"
#include "vma.h"

/* security/min_addr.c update_mmap_min_addr(): the floor is the larger of the
 * sysctl and the build's CONFIG_LSM_MMAP_MIN_ADDR (0 without CONFIG_SECURITY). */
uint64_t effective_mmap_min_addr(const vms_sys *sys)
{
	return max_u64(sys->mmap_min_addr, sys->lsm_mmap_min_addr);
}

/* The search's outcome, for an observer. */
ev_cold static void ev_place(const struct vms_mm *mm, const struct vm_unmapped_area_info *info, long r,
		     unsigned retries)
{
	struct vms_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.u.place.topdown = info->topdown;
	ev.u.place.low = max_u64(info->low_limit, effective_mmap_min_addr(mm->sys));
	ev.u.place.high = info->high_limit;
	ev.u.place.length = info->length;
	ev.u.place.align_mask = info->align_mask;
	ev.u.place.align_offset = info->align_offset;
	ev.u.place.start_gap = info->start_gap;
	ev.u.place.retries = retries;
	ev.u.place.err = IS_ERR_VALUE(r) ? r : 0;
	uint64_t a = IS_ERR_VALUE(r) ? 0 : (uint64_t)r;
	ev_emit(mm, VMS_EV_PLACE, info->topdown ? "unmapped_area_topdown" : "unmapped_area", a,
		a ? a + info->length : 0, &ev);
}

/* What became of an address hint (VMS_EV_HINT). */
ev_cold static void ev_hint(const struct vms_mm *mm, uint64_t addr, uint64_t len, int verdict,
		    uint64_t limit, const struct vms_vma *v, const char *rule)
{
	struct vms_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.u.hint.verdict = verdict;
	ev.u.hint.limit = limit;
	ev.u.hint.vma_start = v ? v->start : 0;
	ev_emit(mm, VMS_EV_HINT, rule, addr, addr + len, &ev);
}

/* mm/vma.c unmapped_area(): lowest fit, then push past guard gaps. */
static long unmapped_area(const struct vms_mm *mm, const struct vm_unmapped_area_info *info)
{
	uint64_t length = info->length + info->align_mask + info->start_gap;
	if (length < info->length)
		return -ENOMEM;
	uint64_t low = max_u64(info->low_limit, effective_mmap_min_addr(mm->sys));
	uint64_t high = info->high_limit;
	unsigned retries = 0;
	for (;; retries++) {
		uint64_t gap_start;
		if (high == 0 || !vt_gap_lowest(&mm->tree, low, high - 1, length, &gap_start)) {
			if (ev_on(mm->sys))
				ev_place(mm, info, -ENOMEM, retries);
			return -ENOMEM;
		}
		uint64_t gap = gap_start + info->start_gap;
		gap += (info->align_offset - gap) & info->align_mask;
		struct vms_vma *next = find_vma(mm, gap_start);
		if (next && (next->flags & VM_STARTGAP_FLAGS)) {
			if (vm_start_gap(mm, next) < gap + length - 1) {
				low = next->end;
				continue;
			}
		} else {
			struct vms_vma *prev = vma_before(mm, gap_start + 1);
			if (prev && prev->end <= gap_start && vm_end_gap(prev) > gap) {
				low = vm_end_gap(prev);
				continue;
			}
		}
		if (ev_on(mm->sys))
			ev_place(mm, info, (long)gap, retries);
		return (long)gap;
	}
}

/* mm/vma.c unmapped_area_topdown(): highest fit, then lower the ceiling past
 * a stack's guard gap and search again. */
static long unmapped_area_topdown(const struct vms_mm *mm, const struct vm_unmapped_area_info *info)
{
	uint64_t length = info->length + info->align_mask + info->start_gap;
	if (length < info->length)
		return -ENOMEM;
	uint64_t low = max_u64(info->low_limit, effective_mmap_min_addr(mm->sys));
	uint64_t high = info->high_limit;
	unsigned retries = 0;
	for (;; retries++) {
		uint64_t gap_end;
		if (high == 0 || !vt_gap_highest(&mm->tree, low, high - 1, length, &gap_end)) {
			if (ev_on(mm->sys))
				ev_place(mm, info, -ENOMEM, retries);
			return -ENOMEM;
		}
		uint64_t gap = gap_end - info->length;
		gap -= (gap - info->align_offset) & info->align_mask;
		/* The VMA above the gap found, and the one below it. */
		struct vms_vma *next = find_vma(mm, gap_end - 1);
		if (next && (next->flags & VM_STARTGAP_FLAGS)) {
			if (vm_start_gap(mm, next) < gap_end) {
				high = vm_start_gap(mm, next);
				continue;
			}
		} else {
			struct vms_vma *prev = vma_before(mm, gap_end - length + 1);
			if (prev && prev->end <= gap_end - length + 1 && vm_end_gap(prev) > gap) {
				high = prev->start;
				continue;
			}
		}
		if (ev_on(mm->sys))
			ev_place(mm, info, (long)gap, retries);
		return (long)gap;
	}
}

long vm_unmapped_area(const struct vms_mm *mm, const struct vm_unmapped_area_info *info)
{
	return info->topdown ? unmapped_area_topdown(mm, info) : unmapped_area(mm, info);
}

static uint64_t file_align_mask(const struct vms_file *file)
{
	/* get_align_mask(): hugetlbfs aligns to its page; the AMD F15h va_align
	 * quirk is not modelled (this is an Intel-like CPU). */
	if (file && file_is_hugetlb(file))
		return (file->inode->hpage_size - 1) & PAGE_MASK;
	return 0;
}

static uint64_t task_size(const struct vms_mm *mm)
{
	return mm->task_size;
}

/* arch/x86/mm/hugetlbpage.c / mmap.c mmap_address_hint_valid(). */
static bool mmap_address_hint_valid(const struct vms_mm *mm, uint64_t addr, uint64_t len)
{
	if (task_size(mm) - len < addr)
		return false;
	return (addr > DEFAULT_MAP_WINDOW) == (addr + len > DEFAULT_MAP_WINDOW);
}

/* arch/x86/kernel/sys_x86_64.c arch_get_unmapped_area() (bottom-up). */
static long arch_get_unmapped_area(struct vms_mm *mm, const struct vms_file *file, uint64_t addr,
				   uint64_t len, uint64_t pgoff, unsigned long flags)
{
	if (flags & VMS_MAP_FIXED)
		return (long)addr;
	uint64_t begin, end;
	if (flags & VMS_MAP_32BIT) {
		/* find_start_end(): the 1-2 GiB window. */
		begin = 0x40000000ULL;
		end = 0x80000000ULL;
	} else {
		begin = mm->mmap_legacy_base;
		end = addr > DEFAULT_MAP_WINDOW ? task_size(mm) : min_u64(DEFAULT_MAP_WINDOW, task_size(mm));
	}
	if (len > end)
		return -ENOMEM;
	if (addr) {
		addr = PAGE_ALIGN(addr);
		struct vms_vma *v = find_vma(mm, addr);
		if (end - len >= addr && (!v || addr + len <= vm_start_gap(mm, v))) {
			if (ev_on(mm->sys))
				ev_hint(mm, addr, len, VMS_HINT_TAKEN, 0, NULL, "arch_get_unmapped_area");
			return (long)addr;
		}
		if (ev_on(mm->sys))
			ev_hint(mm, addr, len, end - len >= addr ? VMS_HINT_OVERLAP : VMS_HINT_OUTSIDE,
				end, v, "arch_get_unmapped_area");
	}
	struct vm_unmapped_area_info info = {
		.topdown = false,
		.length = len,
		.low_limit = begin,
		.high_limit = end,
		.align_mask = file_align_mask(file),
		.align_offset = file && file_is_hugetlb(file) ? 0 : pgoff << PAGE_SHIFT,
	};
	return vm_unmapped_area(mm, &info);
}

/* arch_get_unmapped_area_topdown(): hint, then search below mmap_base, then
 * fall back to bottom-up. */
static long arch_get_unmapped_area_topdown(struct vms_mm *mm, const struct vms_file *file,
					   uint64_t addr0, uint64_t len, uint64_t pgoff,
					   unsigned long flags)
{
	uint64_t addr = addr0;
	if (len > task_size(mm))
		return -ENOMEM;
	if (flags & VMS_MAP_FIXED)
		return (long)addr;
	if (!(flags & VMS_MAP_32BIT)) {
		if (addr) {
			addr &= PAGE_MASK;
			if (mmap_address_hint_valid(mm, addr, len)) {
				struct vms_vma *v = find_vma(mm, addr);
				if (!v || addr + len <= vm_start_gap(mm, v)) {
					if (ev_on(mm->sys))
						ev_hint(mm, addr, len, VMS_HINT_TAKEN, 0, NULL,
							"arch_get_unmapped_area_topdown");
					return (long)addr;
				}
				if (ev_on(mm->sys))
					ev_hint(mm, addr, len, VMS_HINT_OVERLAP, 0, v,
						"arch_get_unmapped_area_topdown");
			} else if (ev_on(mm->sys)) {
				ev_hint(mm, addr, len, VMS_HINT_OUTSIDE, task_size(mm), NULL,
					"mmap_address_hint_valid");
			}
		}
		/* MAP_ABOVE4G (x86, for shadow stacks) keeps the search above 4 GiB. */
		struct vm_unmapped_area_info info = {
			.topdown = true,
			.length = len,
			.low_limit = (flags & 0x80 /* MAP_ABOVE4G */) ? 1ULL << 32 : PAGE_SIZE,
			.high_limit = mm->mmap_base,
			.align_mask = file_align_mask(file),
			.align_offset = file && file_is_hugetlb(file) ? 0 : pgoff << PAGE_SHIFT,
		};
		if (addr > DEFAULT_MAP_WINDOW)
			info.high_limit += task_size(mm) - DEFAULT_MAP_WINDOW;
		long r = vm_unmapped_area(mm, &info);
		if (!IS_ERR_VALUE(r))
			return r;
	}
	/* A failed search is likely fatal to the program: try bottom-up. */
	return arch_get_unmapped_area(mm, file, addr0, len, pgoff, flags);
}

static long mm_get_unmapped_area(struct vms_mm *mm, const struct vms_file *file, uint64_t addr,
				 uint64_t len, uint64_t pgoff, unsigned long flags)
{
	if (mm->topdown)
		return arch_get_unmapped_area_topdown(mm, file, addr, len, pgoff, flags);
	return arch_get_unmapped_area(mm, file, addr, len, pgoff, flags);
}

/* mm/huge_memory.c __thp_get_unmapped_area(): pad the search by a PMD and
 * place the mapping on a PMD boundary (congruent to its file offset). */
static long thp_get_unmapped_area(struct vms_mm *mm, const struct vms_file *file, uint64_t addr,
				  uint64_t len, uint64_t pgoff, unsigned long flags)
{
	uint64_t off = pgoff << PAGE_SHIFT, size = PMD_SIZE;
	uint64_t off_end = off + len;
	uint64_t off_align = (off + size - 1) & ~(size - 1);
	if (off_end <= off_align || off_end - off_align < size)
		goto plain;
	uint64_t len_pad = len + size;
	if (len_pad < len || off + len_pad < off)
		goto plain;
	long ret = mm_get_unmapped_area(mm, file, addr, len_pad, pgoff, flags);
	if (ret < 0)
		goto plain;
	if ((uint64_t)ret == addr)
		return ret;
	uint64_t off_sub = (off - (uint64_t)ret) & (size - 1);
	if (mm->topdown && !off_sub)
		return ret + (long)size;
	return ret + (long)off_sub;
plain:
	return mm_get_unmapped_area(mm, file, addr, len, pgoff, flags);
}

long get_unmapped_area(struct vms_mm *mm, const struct vms_file *file, uint64_t addr,
		       uint64_t len, uint64_t pgoff, unsigned long flags, uint64_t vm_flags)
{
	(void)vm_flags;
	if (len > task_size(mm))
		return -ENOMEM;
	long r;
	if (!file)
		pgoff = 0;
	if (file && file_is_hugetlb(file)) {
		/* hugetlb_get_unmapped_area(): length and a fixed address must be
		 * huge-page aligned. */
		uint64_t hmask = file->inode->hpage_size - 1;
		if (len & hmask)
			return -EINVAL;
		if ((flags & VMS_MAP_FIXED) && (addr & hmask))
			return -EINVAL;
		r = mm_get_unmapped_area(mm, file, addr ? (addr + hmask) & ~hmask : 0, len, pgoff, flags);
	} else if (file && (file->inode->flags & VMS_INODE_DEVZERO)) {
		/* drivers/char/mem.c get_unmapped_area_zero(): a shared mapping
		 * becomes shmem (shmem_get_unmapped_area() without the file), a
		 * private one anonymous memory that THP may align. */
		if (flags & VMS_MAP_SHARED)
			r = mm_get_unmapped_area(mm, NULL, addr, len, pgoff, flags);
		else
			r = thp_get_unmapped_area(mm, file, addr, len, pgoff, flags);
	} else if (file && (file->inode->flags & VMS_INODE_SECRETMEM)) {
		/* secretmem has no get_unmapped_area: the plain search. */
		r = mm_get_unmapped_area(mm, file, addr, len, pgoff, flags);
	} else if (file && file->inode->dev_major == 0) {
		/* tmpfs/shmem files, and shared anonymous (shmem_get_unmapped_area):
		 * no huge alignment while shmem THP is off. */
		r = mm_get_unmapped_area(mm, file, addr, len, pgoff, flags);
	} else if (!file && (flags & VMS_MAP_SHARED)) {
		r = mm_get_unmapped_area(mm, file, addr, len, pgoff, flags);
	} else if (!addr && (len & (PMD_SIZE - 1)) == 0) {
		/* Anonymous (and ordinary files with thp_get_unmapped_area as
		 * their get_unmapped_area) without a hint. */
		r = thp_get_unmapped_area(mm, file, addr, len, pgoff, flags);
	} else if (file) {
		r = thp_get_unmapped_area(mm, file, addr, len, pgoff, flags);
	} else {
		r = mm_get_unmapped_area(mm, file, addr, len, pgoff, flags);
	}
	if (IS_ERR_VALUE(r))
		return r;
	if ((uint64_t)r > task_size(mm) - len)
		return -ENOMEM;
	if (offset_in_page((uint64_t)r))
		return -EINVAL;
	/* security_mmap_addr(): below the sysctl floor needs CAP_SYS_RAWIO,
	 * (capability LSM cap_mmap_addr). */
	if ((uint64_t)r < mm->sys->mmap_min_addr && !(mm->caps & VMS_CAP_SYS_RAWIO))
		return -EPERM;
	return r;
}
