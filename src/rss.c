/*
 * rss.c: the resident-page set behind VmRSS/RssAnon/RssFile/RssShmem and
 * VmHWM. Ranges are kept sorted, disjoint and merged with same-type
 * neighbours, so a populate of a large mapping is one range, not a page each.
 * Not here: what makes a page resident (fault.c, mmap.c populate).
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

static uint64_t *counter(struct vms_mm *mm, int type)
{
	switch (type) {
	case RSS_ANON:
		return &mm->rss_anon;
	case RSS_FILE:
		return &mm->rss_file;
	case RSS_SHMEM:
		return &mm->rss_shmem;
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
		*counter(mm, r->type) -= pages;
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
	*counter(mm, type) += (end - start) >> PAGE_SHIFT;
	if (type != RSS_GUARD)
		update_hiwater_rss(mm);
}

bool rss_is_resident(const struct vms_mm *mm, uint64_t addr)
{
	size_t i = first_above(mm, addr);
	return i < mm->nresident && mm->resident[i].start <= addr &&
	       mm->resident[i].type != RSS_GUARD;
}

/* Removes the parts of [start, end) whose type is (or, with invert, is not) type. */
static void remove_typed(struct vms_mm *mm, uint64_t start, uint64_t end, int type, bool invert)
{
	uint64_t cur = start;
	while (cur < end) {
		size_t i = first_above(mm, cur);
		while (i < mm->nresident && mm->resident[i].start < end &&
		       ((mm->resident[i].type == type) == invert))
			i++;
		if (i == mm->nresident || mm->resident[i].start >= end)
			return;
		uint64_t s = max_u64(mm->resident[i].start, cur);
		uint64_t e = min_u64(mm->resident[i].end, end);
		rss_remove(mm, s, e);
		cur = e;
	}
}

void rss_zap(struct vms_mm *mm, uint64_t start, uint64_t end)
{
	remove_typed(mm, start, end, RSS_GUARD, true);
}

void rss_unguard(struct vms_mm *mm, uint64_t start, uint64_t end)
{
	remove_typed(mm, start, end, RSS_GUARD, false);
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
		if (mm->resident[i].type == RSS_GUARD)
			continue;
		uint64_t s = max_u64(mm->resident[i].start, start);
		uint64_t e = min_u64(mm->resident[i].end, end);
		n += (e - s) >> PAGE_SHIFT;
	}
	return n;
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

void rss_zap_file(struct vms_mm *mm, uint64_t start, uint64_t end)
{
	uint64_t cur = start;
	while (cur < end) {
		size_t i = 0;
		while (i < mm->nresident &&
		       (mm->resident[i].end <= cur || mm->resident[i].type == RSS_ANON ||
			mm->resident[i].type == RSS_GUARD))
			i++;
		if (i == mm->nresident || mm->resident[i].start >= end)
			return;
		uint64_t s = max_u64(mm->resident[i].start, cur);
		uint64_t e = min_u64(mm->resident[i].end, end);
		rss_remove(mm, s, e);
		cur = e;
	}
}
