/*
 * test_exec_kdiff.c: execve on the live kernel against the model
 * (cli/exec_kdiff.c): every ELF executable of /usr/bin and /usr/sbin (one in
 * seven under the sanitizers, to keep the run short), programs this test
 * builds with the C compiler (static, static PIE, non-PIE, a large bss, a
 * 2 MiB alignment, an executable stack, #! scripts nested to the limit and
 * past it, ld.so run directly, strings over 128 KiB and over the limit),
 * ASLR off byte for byte, and with ASLR on by shape. Every test skips, saying
 * why, where the kernel or the compiler cannot be used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cli/exec_kdiff.h"
#include "t.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

static int kernel_usable(char *why, size_t n)
{
	char *argv[] = {"/bin/true", NULL}, *envp[] = {NULL};
	struct ek_kernel k;
	if (getenv("KDIFF_SKIP")) {
		snprintf(why, n, "KDIFF_SKIP is set");
		return 0;
	}
	if (ek_kernel_exec("/bin/true", argv, envp, 0, &k, why, n))
		return 0;
	ek_kernel_free(&k);
	return 1;
}

static void scan(int aslr)
{
	char why[256];
	if (!kernel_usable(why, sizeof(why))) {
		t_skip(why);
		return;
	}
	const char *dirs[] = {"/usr/bin", "/usr/sbin", NULL};
	int matched, total;
	int every = UNDER_ASAN ? 7 : 1;
	CHECK(ek_scan(dirs, every, aslr, &matched, &total, 5, stdout, why, sizeof(why)) == 0);
	printf("    exec: %d of %d executables match%s\n", matched, total,
	       aslr ? " (ASLR on: shape)" : "");
	CHECK(total > 0);
	CHECK_EQ(matched, total);
}

TEST(exec_kdiff_every_usr_bin_executable_matches)
{
	(void)sys;
	scan(0);
}

TEST(exec_kdiff_aslr_keeps_the_kernels_shape)
{
	(void)sys;
	scan(1);
}

/* The variants: built once per run in a private directory. */
static char dir[64];

static int sh(const char *cmd)
{
	return system(cmd) == 0;
}

static void remove_variants(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (dir[0] && !sh(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
}

static int build_variants(char *why, size_t n)
{
	if (dir[0])
		return 1;
	snprintf(dir, sizeof(dir), "/tmp/vms-exec-XXXXXX");
	if (!mkdtemp(dir)) {
		snprintf(why, n, "mkdtemp failed");
		dir[0] = 0;
		return 0;
	}
	atexit(remove_variants);
	char cmd[2048];
	snprintf(cmd, sizeof(cmd),
		 "cd %s && printf 'static char big[3<<20];\\nint main(int c,char**v){big[c]=1;"
		 "return big[0];}\\n' > v.c && cc -O -o pie v.c && cc -O -no-pie -o nopie v.c && "
		 "cc -O -static -o static v.c && cc -O -static-pie -o spie v.c && "
		 "cc -O -Wl,-z,max-page-size=0x200000 -o align v.c && "
		 "cc -O -static-pie -Wl,-z,max-page-size=0x200000 -o spie_align v.c && "
		 "cc -O -z execstack -o xstack v.c && "
		 "printf '#!%s/pie -x  y\\n' %s > s1 && "
		 "for i in 2 3 4 5 6; do printf '#!%s/s%%d\\n' $((i-1)) > s$i; done && "
		 "printf '#!\\n' > bad && chmod +x s1 s2 s3 s4 s5 s6 bad",
		 dir, dir, dir, dir);
	if (!sh("command -v cc >/dev/null 2>&1")) {
		snprintf(why, n, "no C compiler to build the variants");
		return 0;
	}
	if (!sh(cmd)) {
		snprintf(why, n, "building the variants failed (static libc missing?)");
		return 0;
	}
	return 1;
}

/* One execve on both sides; 1 when they agree. */
static int agree(const char *file, char **argv, char **envp, int aslr)
{
	struct ek_kernel k;
	struct ek_model m;
	char why[256];
	if (ek_kernel_exec(file, argv, envp, aslr, &k, why, sizeof(why)))
		return 0;
	ek_model_exec(NULL, file, argv, envp, aslr, 42, &m);
	/* With ASLR the kernel's order can change with its random mmap_base
	 * (a PMD-aligned static PIE leaves room for the vDSO above it or
	 * not): any of three runs may agree. */
	for (int again = 0; aslr && again < 2 && ek_compare(&k, &m, aslr, NULL); again++) {
		ek_kernel_free(&k);
		if (ek_kernel_exec(file, argv, envp, aslr, &k, why, sizeof(why)))
			return 0;
	}
	int ok = ek_compare(&k, &m, aslr, stdout) == 0;
	if (!ok)
		printf("    (%s)\n", file);
	ek_kernel_free(&k);
	ek_model_free(&m);
	return ok;
}

TEST(exec_kdiff_built_variants_match)
{
	(void)sys;
	char why[256];
	if (!kernel_usable(why, sizeof(why)) || !build_variants(why, sizeof(why))) {
		t_skip(why);
		return;
	}
	static const char *names[] = {"pie", "nopie",  "static", "spie", "align", "spie_align",
				      "xstack", "s1",	  "s2",	   "s5",   "s6",    "bad"};
	char *envp[] = {"A=1", "B=2", NULL};
	int n = 0, ok = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[128];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		char *argv[] = {path, "one", "two", NULL};
		for (int aslr = 0; aslr <= 1; aslr++) {
			n++;
			ok += agree(path, argv, envp, aslr);
		}
	}
	char *ldso_argv[] = {"/lib64/ld-linux-x86-64.so.2", "/bin/true", NULL};
	n++;
	ok += agree(ldso_argv[0], ldso_argv, envp, 0);
	printf("    exec: %d of %d variants match\n", ok, n);
	CHECK_EQ(ok, n);
}

TEST(exec_kdiff_strings_over_128k_and_over_the_limit_match)
{
	(void)sys;
	char why[256];
	if (!kernel_usable(why, sizeof(why)) || !build_variants(why, sizeof(why))) {
		t_skip(why);
		return;
	}
	char path[128];
	snprintf(path, sizeof(path), "%s/pie", dir);
	/* 30 strings of 9000 bytes, then 250 (over 8 MiB / 4), then one of
	 * 131072 bytes with its NUL (over MAX_ARG_STRLEN). */
	static const int counts[] = {30, 250};
	for (int c = 0; c < 2; c++) {
		char **argv = calloc((size_t)counts[c] + 2, sizeof(*argv));
		char *s = malloc(9001);
		memset(s, 'a', 9000);
		s[9000] = 0;
		argv[0] = path;
		for (int i = 1; i <= counts[c]; i++)
			argv[i] = s;
		char *envp[] = {"A=1", NULL};
		CHECK(agree(path, argv, envp, 0));
		free(s);
		free(argv);
	}
	char *huge = malloc(131073);
	memset(huge, 'b', 131072);
	huge[131072] = 0;
	char *argv[] = {path, huge, NULL}, *envp[] = {NULL};
	CHECK(agree(path, argv, envp, 0));
	free(huge);
}

/* One execve after the state changes st on both sides; exact unless shape. */
static int agree_state(const char *file, const struct ek_state *st, int shape,
		       struct ek_kernel *kout, struct ek_model *mout)
{
	char *argv[] = {(char *)file, NULL}, *envp[] = {"A=1", NULL};
	char why[256];
	if (ek_kernel_exec_state(file, argv, envp, 0, st, kout, why, sizeof(why))) {
		printf("    %s\n", why);
		return 0;
	}
	ek_model_exec_state(NULL, file, argv, envp, 0, 42, st, mout);
	return ek_compare(kout, mout, shape, stdout) == 0;
}

/* What exec keeps and resets, against the kernel at the exec stop: the
 * personality without READ_IMPLIES_EXEC (ADDR_COMPAT_LAYOUT: the legacy
 * layout, byte for byte), the euid in the auxv, MDWE (the ELF maps still
 * load), and a root that dropped a capability: it comes back, and the grown
 * permitted set clears ADDR_NO_RANDOMIZE (per_clear), so that exec is
 * randomised on both sides (compared in shape). */
TEST(exec_kdiff_after_state_changes_matches)
{
	(void)sys;
	char why[256];
	if (!kernel_usable(why, sizeof(why))) {
		t_skip(why);
		return;
	}
	if (geteuid() != 0) {
		t_skip("capset and setresuid to another euid need root");
		return;
	}
	const char *file = "/bin/true";
	struct {
		struct ek_state st;
		int shape;
	} cases[] = {
	    {{VMS_ADDR_COMPAT_LAYOUT | VMS_READ_IMPLIES_EXEC, -1, -1, 0}, 0},
	    {{0, -1, 1000, 0}, 0},
	    {{0, -1, -1, 1}, 0},
	    {{0, 14 /* CAP_IPC_LOCK */, -1, 0}, 1},
	};
	int n = (int)(sizeof(cases) / sizeof(cases[0])), ok = 0;
	struct ek_kernel plain;
	CHECK(ek_kernel_exec(file, (char *[]){(char *)file, NULL}, (char *[]){"A=1", NULL}, 0,
			     &plain, why, sizeof(why)) == 0);
	for (int i = 0; i < n; i++) {
		struct ek_kernel k;
		struct ek_model m;
		int good = agree_state(file, &cases[i].st, cases[i].shape, &k, &m);
		if (good && cases[i].shape) {
			/* randomised on both sides */
			good = k.maps && plain.maps && strcmp(k.maps, plain.maps) != 0 &&
			       m.info.layout.mmap_rnd != 0;
		}
		if (good)
			ok++;
		else
			printf("    state case %d differs\n", i);
		ek_kernel_free(&k);
		ek_model_free(&m);
	}
	ek_kernel_free(&plain);
	printf("    exec after state changes: %d of %d match\n", ok, n);
	CHECK_EQ(ok, n);
}
