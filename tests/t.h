/*
 * t.h: the test harness. A test is `TEST(rule_name) { ... }`; it registers
 * itself, runs with a fresh system in `sys`, and fails on the first CHECK that
 * does not hold. The runner prints one line per test and a closing
 * "N passed, N failed, N skipped" line.
 */
#ifndef VMS_T_H
#define VMS_T_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmspace.h"

struct t_case {
	const char *name;
	const char *file;
	void (*fn)(vms_sys *sys);
	int slow; /* skipped by --quick */
};

void t_register(const struct t_case *c);
void t_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void t_skip(const char *why);
/* Checks vms_validate() and fails the test if it reports a fault. */
void t_valid(vms_mm *mm, const char *file, int line);

#define TEST_(name, slow_)                                                                   \
	static void t_##name(vms_sys *sys);                                                  \
	__attribute__((constructor)) static void t_reg_##name(void)                          \
	{                                                                                    \
		static const struct t_case c = {#name, __FILE__, t_##name, slow_};           \
		t_register(&c);                                                              \
	}                                                                                    \
	static void t_##name(vms_sys *sys)
#define TEST(name) TEST_(name, 0)
#define SLOW_TEST(name) TEST_(name, 1)

#define CHECK(cond)                                                                          \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			t_fail(__FILE__, __LINE__, "%s", #cond);                             \
			return;                                                              \
		}                                                                            \
	} while (0)

#define CHECK_EQ(a, b)                                                                       \
	do {                                                                                 \
		long long a_ = (long long)(a), b_ = (long long)(b);                          \
		if (a_ != b_) {                                                              \
			t_fail(__FILE__, __LINE__, "%s == %s: 0x%llx != 0x%llx (%lld != %lld)", \
			       #a, #b, a_, b_, a_, b_);                                       \
			return;                                                              \
		}                                                                            \
	} while (0)

#define VALID(mm)                                                                            \
	do {                                                                                 \
		t_valid(mm, __FILE__, __LINE__);                                             \
		if (t_failed())                                                              \
			return;                                                              \
	} while (0)

int t_failed(void);

/* A snapshot of an address space's VMAs, counters and the system's committed
 * pages: the tests use it to prove that a failed call changed nothing. */
struct t_snap {
	struct vms_vma_info v[64];
	int n;
	struct vms_mm_counters c;
	uint64_t committed;
};
void t_snap_take(vms_sys *sys, vms_mm *mm, struct t_snap *s);
/* 1 when both snapshots hold the same VMAs (range, flags, offset) and counters. */
int t_snap_equal(const struct t_snap *a, const struct t_snap *b);

#endif
