/*
 * exec.c: `vmspace exec`: the address space right after execve(PROGRAM,
 * [PROGRAM, ARG...], environ), as the model builds it (vms_execve), printed as
 * /proc/PID/maps; with --auxv also the auxiliary vector and the initial
 * registers. --check runs the same execve on the live kernel (exec_kdiff.c)
 * and shows where they differ; --scan does that for every executable of a
 * directory. Not here: the exec rules (src/exec.c, src/binfmt_elf.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec_cmd.h"
#include "exec_kdiff.h"
#include "replay.h"
#include "settings.h"

extern char **environ;

static const char *const auxv_names[] = {
    [0] = "AT_NULL",	     [3] = "AT_PHDR",	    [4] = "AT_PHENT",	  [5] = "AT_PHNUM",
    [6] = "AT_PAGESZ",	     [7] = "AT_BASE",	    [8] = "AT_FLAGS",	  [9] = "AT_ENTRY",
    [11] = "AT_UID",	     [12] = "AT_EUID",	    [13] = "AT_GID",	  [14] = "AT_EGID",
    [15] = "AT_PLATFORM",    [16] = "AT_HWCAP",	    [17] = "AT_CLKTCK",	  [23] = "AT_SECURE",
    [25] = "AT_RANDOM",	     [26] = "AT_HWCAP2",    [27] = "AT_RSEQ_FEATURE_SIZE",
    [28] = "AT_RSEQ_ALIGN", [31] = "AT_EXECFN",    [33] = "AT_SYSINFO_EHDR",
    [51] = "AT_MINSIGSTKSZ",
};

static const char *auxv_name(uint64_t id)
{
	if (id < sizeof(auxv_names) / sizeof(auxv_names[0]) && auxv_names[id])
		return auxv_names[id];
	return "AT_?";
}

static void usage_exec(FILE *f)
{
	fprintf(f,
		"usage: vmspace exec [settings options] [--aslr off|SEED] [--auxv] [--check]\n"
		"                    PROGRAM [ARG...]\n"
		"       vmspace exec --scan [--every N] [--aslr on] [DIR...]\n"
		"Prints /proc/PID/maps of the address space right after\n"
		"execve(PROGRAM, [PROGRAM, ARG...], environ), as the model builds it; ASLR\n"
		"off unless --aslr SEED. A PROGRAM without '/' is looked up in PATH.\n"
		"  --auxv    also the auxiliary vector and the initial rip and rsp\n"
		"  --check   run the same execve on this kernel (stopped at the exec stop)\n"
		"            and show the differences; exit 1 if there is one\n"
		"  --scan    every ELF executable of DIR... (default /usr/bin /usr/sbin)\n"
		"            on the kernel and the model: prints how many match\n"
		"Settings options as for replay (--sysctl, --rlimit, --cap, --no-host,\n"
		"--settings FILE); see vmspace(1).\n");
}

/* execvp()'s search, so that `vmspace exec perl` is what `setarch -R perl` runs. */
static const char *find_program(const char *name, char *buf, size_t size)
{
	if (strchr(name, '/'))
		return name;
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *end = strchr(path, ':');
		size_t len = end ? (size_t)(end - path) : strlen(path);
		snprintf(buf, size, "%.*s%s%s", (int)len, path, len ? "/" : "", name);
		if (access(buf, X_OK) == 0)
			return buf;
		if (!end)
			break;
		path = end + 1;
	}
	return name;
}

static int run_scan(int argc, char **argv, int every, int aslr)
{
	const char *defaults[] = {"/usr/bin", "/usr/sbin", NULL};
	const char **dirs = defaults;
	const char **given = NULL;
	if (argc > 0) {
		given = calloc((size_t)argc + 1, sizeof(*given));
		if (!given)
			return 2;
		for (int i = 0; i < argc; i++)
			given[i] = argv[i];
		dirs = given;
	}
	int matched, total;
	char why[256];
	int rc = ek_scan(dirs, every, aslr, &matched, &total, 20, stdout, why, sizeof(why));
	free(given);
	if (rc) {
		fprintf(stderr, "vmspace exec --scan: %s\n", why);
		return 2;
	}
	printf("exec: %d of %d executables match%s\n", matched, total,
	       aslr ? " (ASLR on: the same VMAs in the same order with the same sizes)" : "");
	return matched == total ? 0 : 1;
}

int cmd_exec(int argc, char **argv)
{
	struct replay_opts o;
	int show_auxv = 0, check = 0, scan = 0, every = 1, i;
	memset(&o, 0, sizeof(o));
	o.host_defaults = 1;
	for (i = 0; i < argc; i++) {
		char *opt = argv[i], *val = NULL, *eq;
		char optbuf[64];
		if (opt[0] != '-')
			break;
		if (!strcmp(opt, "--")) {
			i++;
			break;
		}
		if (!strcmp(opt, "--auxv")) {
			show_auxv = 1;
			continue;
		}
		if (!strcmp(opt, "--check")) {
			check = 1;
			continue;
		}
		if (!strcmp(opt, "--scan")) {
			scan = 1;
			continue;
		}
		if (!strcmp(opt, "--no-host")) {
			o.host_defaults = 0;
			continue;
		}
		if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
			usage_exec(stdout);
			return 0;
		}
		if ((eq = strchr(opt, '=')) && (size_t)(eq - opt) < sizeof(optbuf)) {
			memcpy(optbuf, opt, (size_t)(eq - opt));
			optbuf[eq - opt] = '\0';
			val = eq + 1;
			opt = optbuf;
		} else if (i + 1 < argc) {
			val = argv[++i];
		}
		if (!val) {
			fprintf(stderr, "vmspace exec: %s needs a value\n", opt);
			return 2;
		}
		if (!strcmp(opt, "--every")) {
			every = atoi(val);
			continue;
		}
		if (!strcmp(opt, "--aslr") && !strcmp(val, "on")) {
			o.aslr = 1;
			o.seed = 1;
			continue;
		}
		int r = settings_option(&o, "exec", opt, val);
		if (r == 1) {
			fprintf(stderr, "vmspace exec: %s: unknown option\n", opt);
			usage_exec(stderr);
		}
		if (r)
			return 2;
	}
	if (scan)
		return run_scan(argc - i, argv + i, every, o.aslr);
	if (i >= argc) {
		fprintf(stderr, "vmspace exec: no program\n");
		usage_exec(stderr);
		return 2;
	}
	char found[4096];
	const char *filename = find_program(argv[i], found, sizeof(found));
	vms_sys *sys = vms_sys_new();
	struct vms_mm_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	if (!sys || settings_build(&o, sys, &cfg, NULL, stderr)) {
		vms_sys_free(sys);
		return 2;
	}
	struct vms_exec_args args = {filename, (const char *const *)(argv + i),
				     (const char *const *)environ, NULL, NULL, NULL};
	struct vms_exec_info info;
	long err;
	vms_mm *mm = vms_execve(sys, NULL, &cfg, &args, &info, &err);
	int rc = 0;
	char *maps = NULL;
	if (!mm) {
		printf("execve: %s%s\n", vms_strerror(err),
		       info.fatal ? " (past the point of no return: the process is killed)" : "");
		rc = 1;
	} else {
		size_t need = vms_maps_text(mm, NULL, 0) + 1;
		maps = malloc(need);
		if (maps) {
			vms_maps_text(mm, maps, need);
			fputs(maps, stdout);
		}
		if (show_auxv) {
			for (size_t k = 0; k < info.nauxv; k++)
				printf("%-22s %#" PRIx64 "\n", auxv_name(info.auxv[k][0]),
				       info.auxv[k][1]);
			printf("rip %#" PRIx64 "\nrsp %#" PRIx64 "\n", info.entry, info.sp);
		}
	}
	if (check) {
		struct ek_kernel k;
		char why[256];
		if (ek_kernel_exec(filename, argv + i, environ, o.aslr, &k, why, sizeof(why))) {
			fprintf(stderr, "vmspace exec --check: %s\n", why);
			rc = 2;
		} else {
			struct ek_model m;
			memset(&m, 0, sizeof(m));
			m.err = mm ? 0 : err;
			m.maps = maps;
			m.info = info;
			if (ek_compare(&k, &m, o.aslr, stdout)) {
				printf("check: the kernel differs\n");
				rc = 1;
			} else {
				printf("check: the kernel agrees\n");
			}
			ek_kernel_free(&k);
		}
	}
	free(maps);
	vms_exec_info_free(&info);
	vms_sys_free(sys);
	if (fflush(stdout))
		rc = 2;
	return rc;
}
