/*
 * rss.c: the resident-page set behind VmRSS/RssAnon/RssFile/RssShmem, VmHWM
 * and mincore: what each page table entry of the mm maps. Ranges are kept
 * sorted, disjoint and merged with same-type neighbours, so a populate of a
 * large mapping is one range, not a page each. Not here: what makes a page
 * resident (fault.c, mmap.c populate) or the page cache of files.
 */
#include <errno.h>
#include <string.h>

#include "rss.h"
#include "accounting.h"

int rss_reserve(struct vms_mm *mm, size_t n)
{
	if (mm->nresident + n <= mm->resident_cap)
		return 0;
	size_t cap = mm->resident_cap ? mm->resident_cap : 8;
	while (cap < mm->nresident + n)
		cap *= 2;
	struct page_range *r = sys_realloc(mm->sys, mm->resident, cap * sizeof(*r));
	if (!r)
		return -ENOMEM;
	mm->resident = r;
	mm->resident_cap = cap;
	return 0;
}

uint64_t *rss_counter(struct vms_mm *mm, int type)
{
	switch (type) {
	case RSS_ANON:
	case RSS_LAZY: /* MM_ANONPAGES until reclaim frees it */
		return &mm->rss_anon;
	case RSS_FILE:
		return &mm->rss_file;
	case RSS_SHMEM:
		return &mm->rss_shmem;
	case RSS_ZERO:
		return &mm->zero_pages;
	default:
		return &mm->guard_pages;
	}
}

/* First range that ends above addr. */
static size_t first_above(const struct vms_mm *mm, uint64_t addr)
{
	size_t lo = 0, hi = mm->nresident;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (mm->resident[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint64_t rss_remove(struct vms_mm *mm, uint64_t start, uint64_t end)
{
	uint64_t removed = 0;
	size_t i = first_above(mm, start);
	while (i < mm->nresident && mm->resident[i].start < end) {
		struct page_range *r = &mm->resident[i];
		uint64_t s = max_u64(r->start, start), e = min_u64(r->end, end);
		uint64_t pages = (e - s) >> PAGE_SHIFT;
		*rss_counter(mm, r->type) -= pages;
		removed += pages;
		if (r->start < s && r->end > e) {
			/* A hole in the middle: the range becomes two (room was reserved). */
			memmove(r + 1, r, (mm->nresident - i) * sizeof(*r));
			mm->nresident++;
			r->end = s;
			r[1].start = e;
			return removed;
		}
		if (r->start < s) {
			r->end = s;
			i++;
		} else if (r->end > e) {
			r->start = e;
			i++;
		} else {
			memmove(r, r + 1, (mm->nresident - i - 1) * sizeof(*r));
			mm->nresident--;
		}
	}
	return removed;
}

void rss_add(struct vms_mm *mm, uint64_t start, uint64_t end, enum rss_type type)
{
	if (start >= end)
		return;
	rss_remove(mm, start, end);
	size_t i = first_above(mm, start);
	/* Join same-type neighbours that touch the new range. */
	bool join_prev = i > 0 && mm->resident[i - 1].end == start && mm->resident[i - 1].type == (int)type;
	bool join_next = i < mm->nresident && mm->resident[i].start == end &&
			 mm->resident[i].type == (int)type;
	if (join_prev && join_next) {
		mm->resident[i - 1].end = mm->resident[i].end;
		memmove(&mm->resident[i], &mm->resident[i + 1],
			(mm->nresident - i - 1) * sizeof(mm->resident[0]));
		mm->nresident--;
	} else if (join_prev) {
		mm->resident[i - 1].end = end;
	} else if (join_next) {
		mm->resident[i].start = start;
	} else {
		memmove(&mm->resident[i + 1], &mm->resident[i],
			(mm->nresident - i) * sizeof(mm->resident[0]));
		mm->resident[i] = (struct page_range){start, end, (int)type};
		mm->nresident++;
	}
	*rss_counter(mm, type) += (end - start) >> PAGE_SHIFT;
	if (rss_type_counts(type))
		update_hiwater_rss(mm);
}

int rss_type_at(const struct vms_mm *mm, uint64_t addr)
{
	size_t i = first_above(mm, addr);
	return i < mm->nresident && mm->resident[i].start <= addr ? mm->resident[i].type : -1;
}

void rss_drop_unless(struct vms_mm *mm, uint64_t start, uint64_t end, bool (*keep)(int type))
{
	uint64_t cur = start;
	while (cur < end) {
		size_t i = first_above(mm, cur);
		while (i < mm->nresident && mm->resident[i].start < end &&
		       keep(mm->resident[i].type))
			i++;
		if (i == mm->nresident || mm->resident[i].start >= end)
			return;
		uint64_t s = max_u64(mm->resident[i].start, cur);
		uint64_t e = min_u64(mm->resident[i].end, end);
		rss_remove(mm, s, e);
		cur = e;
	}
}

static bool is_guard(int type)
{
	return type == RSS_GUARD;
}

static bool is_not_guard(int type)
{
	return type != RSS_GUARD;
}

void rss_zap(struct vms_mm *mm, uint64_t start, uint64_t end)
{
	rss_drop_unless(mm, start, end, is_guard);
}

void rss_unguard(struct vms_mm *mm, uint64_t start, uint64_t end)
{
	rss_drop_unless(mm, start, end, is_not_guard);
}

void rss_fill(struct vms_mm *mm, uint64_t start, uint64_t end, enum rss_type type)
{
	uint64_t cur = start;
	while (cur < end) {
		size_t i = first_above(mm, cur);
		uint64_t gap_end = end;
		if (i < mm->nresident && mm->resident[i].start < end) {
			if (mm->resident[i].start <= cur) {
				cur = mm->resident[i].end;
				continue;
			}
			gap_end = mm->resident[i].start;
		}
		rss_add(mm, cur, gap_end, type);
		cur = gap_end;
	}
}

void rss_retype(struct vms_mm *mm, uint64_t start, uint64_t end, enum rss_type from,
		enum rss_type to)
{
	uint64_t cur = start;
	while (cur < end) {
		size_t i = first_above(mm, cur);
		while (i < mm->nresident && mm->resident[i].start < end &&
		       mm->resident[i].type != (int)from)
			i++;
		if (i == mm->nresident || mm->resident[i].start >= end)
			return;
		uint64_t s = max_u64(mm->resident[i].start, cur);
		uint64_t e = min_u64(mm->resident[i].end, end);
		rss_add(mm, s, e, to);
		cur = e;
	}
}

uint64_t rss_first_guard(const struct vms_mm *mm, uint64_t start, uint64_t end)
{
	for (size_t i = first_above(mm, start); i < mm->nresident && mm->resident[i].start < end;
	     i++)
		if (mm->resident[i].type == RSS_GUARD)
			return max_u64(mm->resident[i].start, start);
	return end;
}

uint64_t rss_count(const struct vms_mm *mm, uint64_t start, uint64_t end)
{
	uint64_t n = 0;
	for (size_t i = first_above(mm, start); i < mm->nresident && mm->resident[i].start < end;
	     i++) {
		if (!rss_type_counts(mm->resident[i].type))
			continue;
		uint64_t s = max_u64(mm->resident[i].start, start);
		uint64_t e = min_u64(mm->resident[i].end, end);
		n += (e - s) >> PAGE_SHIFT;
	}
	return n;
}

void rss_residency(const struct vms_mm *mm, uint64_t start, uint64_t end, unsigned char *vec)
{
	memset(vec, 0, (end - start) >> PAGE_SHIFT);
	for (size_t i = first_above(mm, start); i < mm->nresident && mm->resident[i].start < end;
	     i++) {
		if (mm->resident[i].type == RSS_GUARD)
			continue;
		uint64_t s = max_u64(mm->resident[i].start, start);
		uint64_t e = min_u64(mm->resident[i].end, end);
		memset(vec + ((s - start) >> PAGE_SHIFT), 1, (e - s) >> PAGE_SHIFT);
	}
}

size_t rss_ranges_in(const struct vms_mm *mm, uint64_t start, uint64_t end)
{
	size_t i = first_above(mm, start), n = 0;
	for (; i < mm->nresident && mm->resident[i].start < end; i++)
		n++;
	return n;
}

void rss_move(struct vms_mm *mm, uint64_t start, uint64_t end, uint64_t to)
{
	/* One piece at a time, lowest first: the destination holds nothing, so
	 * each piece leaves the source before it lands and the counters never
	 * see a page twice. */
	for (;;) {
		size_t i = first_above(mm, start);
		if (i >= mm->nresident || mm->resident[i].start >= end)
			return;
		uint64_t s = max_u64(mm->resident[i].start, start);
		uint64_t e = min_u64(mm->resident[i].end, end);
		enum rss_type type = (enum rss_type)mm->resident[i].type;
		rss_remove(mm, s, e);
		rss_add(mm, s - start + to, e - start + to, type);
	}
}

enum rss_type rss_type_for(const struct vms_vma *v, bool write)
{
	/* A shared page is shmem's (shmem files, System V segments) or the
	 * file's; a read-only shared mapping of /dev/zero has anonymous pages. */
	if ((v->flags & VM_SHARED || (v->flags & VM_MAYSHARE)) && !vma_is_anonymous(v))
		return (v->kind == VMA_SHMEM || v->kind == VMA_SHM) ? RSS_SHMEM : RSS_FILE;
	if (vma_is_anonymous(v))
		return RSS_ANON;
	if (v->kind == VMA_SHMEM && !write)
		return RSS_SHMEM; /* a private tmpfs page is shmem's until written */
	/* A private file page is the file's until a write copies it. */
	return write ? RSS_ANON : RSS_FILE;
}

static bool keeps_private_copy(int type)
{
	return type != RSS_FILE && type != RSS_SHMEM;
}

void rss_zap_file(struct vms_mm *mm, uint64_t start, uint64_t end)
{
	rss_drop_unless(mm, start, end, keeps_private_copy);
}
