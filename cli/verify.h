/*
 * verify.h: `vmspace verify`, random call sequences run on the live kernel
 * and on the model side by side (cli/kdiff.c does the work).
 *
 * For: cli/main.c and tests/test_verify.c. Not for: replaying recorded
 * traces (replay.h).
 */
#ifndef VMS_VERIFY_H
#define VMS_VERIFY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct verify_opts {
	uint64_t seed;	    /* the first seed */
	int seed_given;	    /* else verify_run takes one from the clock */
	long calls;	    /* per seed */
	int seeds;	    /* seeds seed, seed+1, ... */
	int verbose;	    /* print every call */
	int progress;	    /* a progress line on stderr (when it is a terminal) */
	double shrink_secs; /* budget of the reproducer search */
};

/* Defaults: 10000 calls, one seed, 120 s of shrinking. */
void verify_defaults(struct verify_opts *o);

/* Parses the arguments after "verify". Returns 0, 1 when --help was given
 * (usage printed on stdout), 2 on a bad option (message on err). */
int verify_parse(int argc, char **argv, struct verify_opts *o, FILE *err);

/*
 * Runs the seeds; reports go to stdout. Returns 0 when every call agreed, 1
 * on a divergence (the reproducer printed), 2 when the live kernel cannot be
 * used (why says why; nothing was run).
 */
int verify_run(struct verify_opts *o, char *why, size_t why_size);

/* The whole command: parse, run, messages. Returns the exit status. */
int cmd_verify(int argc, char **argv);

void verify_usage(FILE *f);

#endif
