/* maps_compare.h: the comparison of the model's /proc/PID/maps text with the
 * kernel's that the replay and breadth tests share (maps_compare.c). */
#ifndef VMS_TESTS_MAPS_COMPARE_H
#define VMS_TESTS_MAPS_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * 1 if the two texts are equal line by line, but for what no log can show:
 * a [stack] line compares from its end address on (the stack grows without
 * a call), and the inode of shared anonymous memory (a counter of the
 * kernel's) is not compared; with shmem_inodes, nor are those of System V
 * segments, memfds, secret memory, O_TMPFILE files ("DIR/#INO") and hugetlb
 * anonymous memory, which a log shows only when the program fstat()s them.
 * Else 0, and why names the first line that differs.
 */
int maps_equal_but_counters(const char *model, const char *kernel, bool shmem_inodes, char *why,
			    size_t whysz);

#endif
