/*
 * accounting.h: limits and counters (mm/util.c, mm/mmap.c, mm/mlock.c):
 * overcommit, RLIMIT_AS/DATA/MEMLOCK checks and the per-mm vm counters.
 */
#ifndef VMS_ACCOUNTING_H
#define VMS_ACCOUNTING_H

#include "internal.h"

/* mm/util.c vm_commit_limit(), in pages. */
uint64_t vm_commit_limit(const vms_sys *sys);
/* mm/util.c __vm_enough_memory(): charges pages to the commit counter, or
 * returns -ENOMEM and charges nothing. */
int vm_enough_memory(struct vms_mm *mm, uint64_t pages) __attribute__((warn_unused_result));
void vm_unacct_memory(vms_sys *sys, uint64_t pages);
/* mm/mmap.c may_expand_vm(): RLIMIT_AS and, for data mappings, RLIMIT_DATA. */
bool may_expand_vm(const struct vms_mm *mm, uint64_t vm_flags, uint64_t npages);
/* mm/mmap.c vm_stat_account(): total_vm and the exec/stack/data split. */
void vm_stat_account(struct vms_mm *mm, uint64_t vm_flags, int64_t npages);
/* mm/mlock.c can_do_mlock() and mm/mmap.c mlock_future_ok(). */
bool can_do_mlock(const struct vms_mm *mm);
bool mlock_future_ok(const struct vms_mm *mm, uint64_t vm_flags, uint64_t bytes);
/* The predicates vm_stat_account uses (mm/internal.h). */
bool is_exec_mapping(uint64_t flags);
bool is_stack_mapping(uint64_t flags);
bool is_data_mapping(uint64_t flags);
/* mm/mmap.c accountable_mapping(): private writable memory is charged. */
bool accountable_mapping(const struct vms_file *file, uint64_t vm_flags);
void update_hiwater_vm(struct vms_mm *mm);
void update_hiwater_rss(struct vms_mm *mm);
uint64_t mm_rss(const struct vms_mm *mm);

#endif
