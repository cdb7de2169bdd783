/*
 * test_verify.c: `vmspace verify` (cli/verify.c): its options, and a short
 * run against the live kernel that must find no divergence (skipped, with
 * the reason, where the kernel cannot be used). The long random runs are
 * test_kdiff.c's; this only checks that the command's entry point works.
 *
 * cli/ is not linked into build/unit, so verify.c is included here; the
 * harness it drives comes from tests/kdiff_impl.c.
 */
#include "../cli/verify.c"

#include "t.h"

/* Messages about bad options go to a scratch file, not the test log. */
static int parse(struct verify_opts *o, int argc, const char *const *argv)
{
	char *v[16];
	FILE *err = tmpfile();
	for (int i = 0; i < argc && i < 16; i++)
		v[i] = (char *)argv[i];
	verify_defaults(o);
	int r = verify_parse(argc, v, o, err ? err : stderr);
	if (err)
		fclose(err);
	return r;
}

TEST(verify_options_parse)
{
	struct verify_opts o;
	(void)sys;
	const char *const a1[] = {"--seed", "42", "--calls=500", "--seeds", "3", "--verbose"};
	CHECK_EQ(parse(&o, 6, a1), 0);
	CHECK_EQ(o.seed, 42);
	CHECK(o.seed_given);
	CHECK_EQ(o.calls, 500);
	CHECK_EQ(o.seeds, 3);
	CHECK(o.verbose);
	const char *const a2[] = {"--shrink-secs", "0.5"};
	CHECK_EQ(parse(&o, 2, a2), 0);
	CHECK(!o.seed_given);
	CHECK_EQ(o.calls, 10000);
	CHECK_EQ(o.seeds, 1);
	CHECK(o.shrink_secs == 0.5);
}

TEST(verify_options_reject_bad_values)
{
	struct verify_opts o;
	(void)sys;
	const char *const bad[][2] = {{"--calls", "0"},	      {"--calls", "-5"}, {"--calls", "1x"},
				      {"--seed", ""},	      {"--seeds", "0"},	 {"--frob", "1"},
				      {"--shrink-secs", "-1"}};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(parse(&o, 2, bad[i]), 2);
	const char *const missing[] = {"--calls"};
	CHECK_EQ(parse(&o, 1, missing), 2);
}

/* 500 calls of a fixed seed on the live kernel and the model. */
TEST(verify_short_run_finds_no_divergence)
{
	struct verify_opts o;
	char why[256] = "";
	(void)sys;
	verify_defaults(&o);
	o.seed = 1;
	o.seed_given = 1;
	o.calls = 500;
	o.shrink_secs = 20;
	int r = verify_run(&o, why, sizeof(why));
	if (r == 2) {
		t_skip(why);
		return;
	}
	CHECK_EQ(r, 0);
}
