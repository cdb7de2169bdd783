/*
 * verify.c: `vmspace verify [--seed S] [--calls N] [--seeds K]`. Random call
 * sequences go to the live kernel (a helper process: this binary re-executed
 * with ASLR off, raw syscalls over a pipe) and to the model side by side;
 * results, /proc/PID/maps and the Vm* status lines are compared after every
 * call, and each VMA's smaps VmFlags (with Size, KernelPageSize, MMUPageSize
 * and THPeligible) every 10th call and at the end (kdiff.c compare_smaps()). On a divergence the sequence is shrunk and the minimal reproducer is
 * printed as strace lines. The harness itself is cli/kdiff.c, shared with the
 * differential unit tests.
 *
 * Not for: recorded traces (replay.c); deciding who is right (the kernel is).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kdiff.h"
#include "verify.h"
#include "vmspace.h"

void verify_usage(FILE *f)
{
	fprintf(f, "usage: vmspace verify [--seed S] [--calls N] [--seeds K] [--verbose]\n"
		   "                      [--shrink-secs T]\n"
		   "Runs N random memory calls (default 10000) per seed on the live kernel\n"
		   "and on the model, comparing results, maps and status after each call\n"
		   "and each VMA's smaps VmFlags every 10th call and at the end.\n"
		   "--seed S is the first seed (default: from the clock, printed); --seeds K\n"
		   "runs seeds S..S+K-1. On a divergence the calls are shrunk (for up to T\n"
		   "seconds, default 120) to a minimal reproducer, printed in strace syntax;\n"
		   "the exit status is then 1. Exit status 2: bad usage, or no live kernel.\n");
}

void verify_defaults(struct verify_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->calls = 10000;
	o->seeds = 1;
	o->shrink_secs = 120;
}

static int bad(FILE *err, const char *opt, const char *val)
{
	fprintf(err, "vmspace verify: %s: bad value '%s'\n", opt, val ? val : "");
	return 2;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int verify_parse(int argc, char **argv, struct verify_opts *o, FILE *err)
{
	for (int i = 0; i < argc; i++) {
		char opt[32];
		const char *val = NULL, *eq = strchr(argv[i], '=');
		uint64_t v;
		/* --opt=value or --opt value */
		if (eq && (size_t)(eq - argv[i]) < sizeof(opt)) {
			memcpy(opt, argv[i], (size_t)(eq - argv[i]));
			opt[eq - argv[i]] = '\0';
			val = eq + 1;
		} else {
			snprintf(opt, sizeof(opt), "%s", argv[i]);
		}
		if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
			verify_usage(stdout);
			return 1;
		}
		if (!strcmp(opt, "--verbose") || !strcmp(opt, "-v")) {
			o->verbose = 1;
			continue;
		}
		if (strcmp(opt, "--seed") && strcmp(opt, "--calls") && strcmp(opt, "--seeds") &&
		    strcmp(opt, "--shrink-secs")) {
			fprintf(err, "vmspace verify: unknown option %s\n", argv[i]);
			verify_usage(err);
			return 2;
		}
		if (!val) {
			if (i + 1 >= argc)
				return bad(err, opt, NULL);
			val = argv[++i];
		}
		if (!strcmp(opt, "--shrink-secs")) {
			char *end;
			double d = strtod(val, &end);
			if (!*val || *end || !(d >= 0) || d > 1e9)
				return bad(err, opt, val);
			o->shrink_secs = d;
			continue;
		}
		if (parse_u64(val, &v))
			return bad(err, opt, val);
		if (!strcmp(opt, "--seed")) {
			o->seed = v;
			o->seed_given = 1;
		} else if (!strcmp(opt, "--calls")) {
			/* the calls are kept for shrinking: 56 bytes each */
			if (v == 0 || v > 100000000)
				return bad(err, opt, val);
			o->calls = (long)v;
		} else {
			if (v == 0 || v > 1000000)
				return bad(err, opt, val);
			o->seeds = (int)v;
		}
	}
	return 0;
}

static void progress(void *arg, uint64_t seed, long done, long total)
{
	(void)arg;
	if (done < 0)
		fprintf(stderr, "\r\033[K");
	else
		fprintf(stderr, "\rvmspace verify: seed %" PRIu64 ": %ld/%ld calls", seed, done,
			total);
	fflush(stderr);
}

static void print_seeds(const struct verify_opts *o, int nrun)
{
	if (nrun == 1)
		printf("seed %" PRIu64, o->seed);
	else
		printf("seeds %" PRIu64 "..%" PRIu64, o->seed, o->seed + (uint64_t)nrun - 1);
}

int verify_run(struct verify_opts *o, char *why, size_t why_size)
{
	if (kd_usable(why, why_size) != 0)
		return 2;
	if (!o->seed_given) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		o->seed = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
		o->seed_given = 1;
	}
	printf("vmspace verify: ");
	print_seeds(o, o->seeds);
	printf(", %ld calls each, on the live kernel and the model\n", o->calls);
	fflush(stdout);
	kd_set_report_prefix("");
	for (int i = 0; i < o->seeds; i++) {
		struct kd_run_opts r;
		memset(&r, 0, sizeof(r));
		r.seed = o->seed + (uint64_t)i;
		r.ncalls = o->calls;
		r.check_every = 1;
		r.shrink_secs = o->shrink_secs;
		r.verbose = o->verbose;
		if (o->progress && !o->verbose) {
			r.progress = progress;
			r.progress_every = 500;
		}
		int rc = kd_random_run_opts(&r, why, why_size);
		if (rc < 0) {
			kd_set_report_prefix(NULL);
			return 2;
		}
		if (rc > 0) {
			printf("vmspace verify: DIVERGENCE: seed %" PRIu64, r.seed);
			if (r.diverged_at >= 0)
				printf(", call #%ld (rerun: vmspace verify --seed %" PRIu64
				       " --calls %ld)",
				       r.diverged_at, r.seed, r.diverged_at + 1);
			else
				printf(", at import, before any call");
			printf("\n");
			kd_set_report_prefix(NULL);
			return 1;
		}
	}
	kd_set_report_prefix(NULL);
	printf("verified %ld calls (", o->calls * (long)o->seeds);
	print_seeds(o, o->seeds);
	printf("; %ld smaps comparisons): no divergence\n", kd_smaps_compared);
	return 0;
}

int cmd_verify(int argc, char **argv)
{
	struct verify_opts o;
	char why[256] = "";
	verify_defaults(&o);
	int r = verify_parse(argc, argv, &o, stderr);
	if (r)
		return r == 1 ? 0 : 2;
	o.progress = isatty(2);
	r = verify_run(&o, why, sizeof(why));
	if (r == 2)
		fprintf(stderr, "vmspace verify: the live kernel cannot be used: %s\n", why);
	if (fflush(stdout) && r == 0)
		r = 2;
	return r;
}
