/*
 * mincore.c: the mincore system call (mm/mincore.c, 6.18): which pages of a
 * range are resident, VMA by VMA, in chunks as the kernel copies them out.
 *
 * What the model reports, page by page:
 *  - private anonymous memory: 1 where the page table maps something (a page
 *    of its own, a lazily freed page, the zero page), 0 where it maps nothing
 *    or a guard marker. This is what the kernel reports too, as long as
 *    nothing the model cannot see happened: swap-out under memory pressure
 *    (the model keeps no swap), or a transparent huge page, which the kernel
 *    may fault in (or khugepaged may collapse) as a whole 2 MiB block where the
 *    model faulted one small page;
 *  - file and shared memory (shmem, hugetlb): 1 where this mm maps the page,
 *    else 0. The kernel looks into the page cache, which holds pages no
 *    mapping of this mm ever touched (readahead, other processes, earlier
 *    mappings, a MADV_DONTNEED that unmapped but did not free); the model
 *    keeps no page cache, so it says 0 there;
 *  - VMAs that are neither anonymous nor file-backed (the vDSO, [vvar]): 1,
 *    as the kernel says for every VMA it may not look into (can_do_mincore).
 *    A file mapping the caller could neither own nor open for writing is one
 *    as well in the kernel; the model does not know owners and reports it
 *    page by page.
 * Not here: which pages are resident (rss.c keeps that).
 */
#include <errno.h>
#include <string.h>

#include "rss.h"
#include "vma.h"

/* The kernel works through a page of vector at a time (do_mincore). */
#define CHUNK_PAGES PAGE_SIZE

/* mm/mincore.c can_do_mincore(): only anonymous and file-backed VMAs are
 * looked into (see the top of the file for file permissions). */
static bool can_do_mincore(const struct vms_vma *v)
{
	return vma_is_anonymous(v) || v->file;
}

long vms_mincore(vms_mm *mm, uint64_t start, uint64_t len, unsigned char *vec)
{
	if (offset_in_page(start))
		return -EINVAL;
	if (!access_ok(mm->sys, start, len))
		return -ENOMEM;
	uint64_t pages = (len >> PAGE_SHIFT) + (offset_in_page(len) != 0);
	while (pages) {
		/* do_mincore(): the VMA must contain start; each step stops at
		 * its end. Earlier steps are already in the vector. */
		struct vms_vma *v = find_vma(mm, start);
		if (!v || v->start > start)
			return -ENOMEM;
		uint64_t end = start + min_u64(pages, CHUNK_PAGES) * PAGE_SIZE;
		if (end > v->end)
			end = v->end;
		uint64_t n = (end - start) >> PAGE_SHIFT;
		/* copy_to_user() of the step: a vector that cannot be written. */
		if (!vec)
			return -EFAULT;
		if (can_do_mincore(v))
			rss_residency(mm, start, end, vec);
		else
			memset(vec, 1, n);
		vec += n;
		pages -= n;
		start = end;
	}
	return 0;
}
