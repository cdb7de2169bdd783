/*
 * kd_steps.h: the frame of a scripted live-kernel test. KD_BEGIN starts a
 * helper and its model (skipping, with the reason, where no kernel can be
 * used) and checks they agree right after the import; STEP(op, args...) runs
 * one call on both and fails the test on any difference (STEP_CALL a call
 * built beforehand); KD_END stops them.
 * W is the start of the helper's free test window.
 */
#ifndef VMS_KD_STEPS_H
#define VMS_KD_STEPS_H

#include "../cli/kdiff.h"
#include "t.h"

#define KD_BEGIN                                                                                   \
	struct kd kd;                                                                              \
	char why_[256];                                                                            \
	long res = 0, step = 0;                                                                    \
	(void)sys;                                                                                 \
	if (kd_start(&kd, why_, sizeof(why_)) != 0) {                                              \
		t_skip(why_);                                                                      \
		return;                                                                            \
	}                                                                                          \
	kd.verbose = getenv("KDIFF_VERBOSE") && *getenv("KDIFF_VERBOSE") != '0';                   \
	const uint64_t W = kd.win_lo;                                                              \
	(void)W;                                                                                   \
	(void)res;                                                                                 \
	(void)step;                                                                                \
	if (kd_compare_state(&kd, 1) != 0) {                                                       \
		kd_stop(&kd);                                                                      \
		t_fail(__FILE__, __LINE__, "state differs right after vms_mm_import_maps");        \
		return;                                                                            \
	}

#define STEP(op_, ...)                                                                             \
	do {                                                                                       \
		struct kd_call c_ = {.op = op_, .a = {__VA_ARGS__}};                               \
		if (kd_check(&kd, &c_, step++, &res) != 0) {                                       \
			kd_stop(&kd);                                                              \
			t_fail(__FILE__, __LINE__, "kernel and model differ (see above)");         \
			return;                                                                    \
		}                                                                                  \
	} while (0)

/* STEP_CALL(call): one prepared struct kd_call (process_madvise's segments). */
#define STEP_CALL(call_)                                                                           \
	do {                                                                                       \
		if (kd_check(&kd, &(call_), step++, &res) != 0) {                                  \
			kd_stop(&kd);                                                              \
			t_fail(__FILE__, __LINE__, "kernel and model differ (see above)");         \
			return;                                                                    \
		}                                                                                  \
	} while (0)

#define KD_END kd_stop(&kd)

#endif
