/*
 * rss.h: which pages of an address space are resident (the page tables' role,
 * reduced to what the counters need): a sorted set of page ranges, each
 * tagged anon, file or shmem as the kernel's MM_*PAGES counters are.
 */
#ifndef VMS_RSS_H
#define VMS_RSS_H

#include "internal.h"

/* RSS_GUARD marks a guard page (MADV_GUARD_INSTALL's PTE marker): not
 * resident, not counted in RSS, but a fault on it is SIGSEGV. RSS_ZERO is a
 * PTE mapping the shared zero page (a read of untouched private anonymous
 * memory): present for mincore, counted by no RSS counter, replaced by a page
 * of its own on a write. RSS_LAZY is an anonymous page MADV_FREE made lazily
 * freeable: counted as anon until reclaim (MADV_PAGEOUT) drops it, even
 * without swap; a write makes it RSS_ANON again. */
enum rss_type { RSS_ANON, RSS_FILE, RSS_SHMEM, RSS_GUARD, RSS_ZERO, RSS_LAZY };

/* Whether pages of the type count in VmRSS (one of the MM_*PAGES counters). */
static inline bool rss_type_counts(int type)
{
	return type != RSS_GUARD && type != RSS_ZERO;
}
/* The counter a type's pages add to (guard and zero pages have their own). */
uint64_t *rss_counter(struct vms_mm *mm, int type);

/* Room for n more ranges, so that adding and zapping cannot fail. */
int rss_reserve(struct vms_mm *mm, size_t n) __attribute__((warn_unused_result));
/* Makes [start, end) resident as type (pages already resident change type). */
void rss_add(struct vms_mm *mm, uint64_t start, uint64_t end, enum rss_type type);
/* Drops [start, end), guard markers included (munmap); returns the pages. */
uint64_t rss_remove(struct vms_mm *mm, uint64_t start, uint64_t end);
/* zap_page_range() as MADV_DONTNEED does it: pages go, guard markers stay. */
void rss_zap(struct vms_mm *mm, uint64_t start, uint64_t end);
/* The resident pages of [start, end) that are not anonymous (page cache and
 * shmem pages) stop being mapped; COW copies and guard markers stay (a hole
 * punched in the file). Room for one more range per call must have been
 * reserved. */
void rss_zap_file(struct vms_mm *mm, uint64_t start, uint64_t end);
/* MADV_GUARD_REMOVE: only the guard markers of [start, end) go. */
void rss_unguard(struct vms_mm *mm, uint64_t start, uint64_t end);
/* The first guard page in [start, end), or end when there is none. */
uint64_t rss_first_guard(const struct vms_mm *mm, uint64_t start, uint64_t end);
/* The type of the page at addr, or -1 when nothing is mapped there. */
int rss_type_at(const struct vms_mm *mm, uint64_t addr);
/* The pages of [start, end) that nothing maps become type; the others keep
 * theirs (a read fault or populate). Needs rss_ranges_in() + 2 reserved. */
void rss_fill(struct vms_mm *mm, uint64_t start, uint64_t end, enum rss_type type);
/* The pages of [start, end) of type from become type to (MADV_FREE). Needs
 * rss_ranges_in() + 2 reserved. */
void rss_retype(struct vms_mm *mm, uint64_t start, uint64_t end, enum rss_type from,
		enum rss_type to);
/* Drops the pages of [start, end) whose type keep() refuses. Needs
 * rss_ranges_in() + 2 reserved. */
void rss_drop_unless(struct vms_mm *mm, uint64_t start, uint64_t end, bool (*keep)(int type));
/* The pages counted in RSS inside [start, end) (not guard or zero pages). */
uint64_t rss_count(const struct vms_mm *mm, uint64_t start, uint64_t end);
/* mincore's view: vec[i] = 1 when page i of [start, end) is mapped (the zero
 * page included, guard markers not), else 0. */
void rss_residency(const struct vms_mm *mm, uint64_t start, uint64_t end, unsigned char *vec);
/* How many resident ranges touch [start, end): rss_move() needs room for that
 * many plus two (rss_reserve) so that it cannot fail. */
size_t rss_ranges_in(const struct vms_mm *mm, uint64_t start, uint64_t end);
/* mremap's move_page_tables(): the resident pages of [start, end) move, with
 * their types, to [to, to + end - start), which must hold none. */
void rss_move(struct vms_mm *mm, uint64_t start, uint64_t end, uint64_t to);
/* The type a page of v becomes resident as on a fault (write: COW to anon). */
enum rss_type rss_type_for(const struct vms_vma *v, bool write);

#endif
