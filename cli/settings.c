/*
 * settings.c: the machine a replay runs on, and `vmspace settings`, which
 * shows it. A replay's system takes this host's settings (read and measured
 * by vms_sys_probe_host) and this process's rlimits and capabilities, then
 * the options given, in that order. `vmspace settings` prints every setting
 * with its value and where it came from, so that a user can see why two
 * machines disagree; with --as-options it prints them as replay options, the
 * form scripts/record.sh keeps next to a trace. Not here: option parsing of
 * single settings (replay.c replay_setting) or replaying.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

#include "replay.h"
#include "settings.h"

int settings_build(const struct replay_opts *o, vms_sys *sys, struct vms_mm_config *cfg,
		   struct settings_origin *from, FILE *err)
{
	struct settings_origin dummy;
	if (!from)
		from = &dummy;
	memset(from, 0, sizeof(*from));
	/* Linux defaults for a login shell, as vms_mm_new would take them. */
	cfg->has_rlimits = 1;
	cfg->rlim_stack = (struct vms_rlimit){8ULL << 20, VMS_RLIM_INFINITY};
	cfg->rlim_data = (struct vms_rlimit){VMS_RLIM_INFINITY, VMS_RLIM_INFINITY};
	cfg->rlim_as = (struct vms_rlimit){VMS_RLIM_INFINITY, VMS_RLIM_INFINITY};
	cfg->rlim_memlock = (struct vms_rlimit){8ULL << 20, 8ULL << 20};
	if (o->host_defaults) {
		vms_sys_probe_host(sys);
		if (vms_host_mm_config(cfg) == 0) {
			for (int i = 0; i < RL_COUNT; i++)
				from->rlim[i] = VMS_SETTING_HOST;
			from->caps = VMS_SETTING_HOST;
		}
	}
	for (int i = 0; i < o->nsysctl; i++) {
		int e = vms_sysctl_set(sys, o->sysctl_name[i], o->sysctl_val[i]);
		if (e) {
			if (err)
				fprintf(err, "vmspace: --sysctl %s=%" PRIu64 ": %s\n",
					o->sysctl_name[i], o->sysctl_val[i],
					e == -ENOENT ? "unknown name (see vmspace settings)"
						     : "refused (out of range or in use)");
			return -1;
		}
	}
	if (o->has_ram)
		vms_sysctl_set(sys, "meminfo.MemTotal", o->ram >> 10);
	if (o->has_swap)
		vms_sysctl_set(sys, "meminfo.SwapTotal", o->swap >> 10);
	struct vms_rlimit *dst[RL_COUNT] = {&cfg->rlim_stack, &cfg->rlim_data, &cfg->rlim_as,
					    &cfg->rlim_memlock};
	for (int i = 0; i < RL_COUNT; i++) {
		if (o->has_rlim[i]) {
			*dst[i] = o->rlim[i];
			from->rlim[i] = VMS_SETTING_CALLER;
		}
	}
	/* The kernel's numbers of the capabilities the model asks about. */
	static const struct {
		unsigned bit, cap;
	} num[] = {{VMS_CAP_IPC_LOCK, 14},
		   {VMS_CAP_SYS_RAWIO, 17},
		   {VMS_CAP_SYS_ADMIN, 21},
		   {VMS_CAP_SYS_NICE, 23},
		   {VMS_CAP_SYS_RESOURCE, 24}};
	if (o->has_creds) {
		cfg->has_creds = 1;
		cfg->creds = o->creds;
		cfg->caps = 0;
		for (size_t i = 0; i < sizeof(num) / sizeof(num[0]); i++)
			if ((o->creds.cap_effective >> num[i].cap) & 1)
				cfg->caps |= num[i].bit;
		from->caps = VMS_SETTING_CALLER;
	}
	if (o->has_caps) {
		cfg->caps = o->caps;
		from->caps = VMS_SETTING_CALLER;
		/* The credentials (host's or --creds), with the capabilities the
		 * model asks about (effective and permitted) as --cap says. */
		for (size_t i = 0; cfg->has_creds && i < sizeof(num) / sizeof(num[0]); i++) {
			uint64_t b = 1ULL << num[i].cap;
			cfg->creds.cap_effective &= ~b;
			cfg->creds.cap_permitted &= ~b;
			if (o->caps & num[i].bit) {
				cfg->creds.cap_effective |= b;
				cfg->creds.cap_permitted |= b;
			}
		}
	}
	cfg->personality = o->aslr ? 0 : VMS_ADDR_NO_RANDOMIZE;
	cfg->seed = o->seed;
	return 0;
}

static const char *const rlim_names[RL_COUNT] = {"STACK", "DATA", "AS", "MEMLOCK"};
static const struct {
	unsigned bit;
	const char *name;
} cap_names[] = {{VMS_CAP_IPC_LOCK, "IPC_LOCK"},
		 {VMS_CAP_SYS_RAWIO, "SYS_RAWIO"},
		 {VMS_CAP_SYS_ADMIN, "SYS_ADMIN"},
		 {VMS_CAP_SYS_RESOURCE, "SYS_RESOURCE"},
		 {VMS_CAP_SYS_NICE, "SYS_NICE"},
		 {VMS_CAP_IPC_OWNER, "IPC_OWNER"}};

static const char *source_name(int s)
{
	return s == VMS_SETTING_HOST ? "host" : s == VMS_SETTING_CALLER ? "option" : "default";
}

/* A limit as --rlimit takes it: bytes with k/M/G where exact, or unlimited. */
static void put_limit(FILE *f, uint64_t v)
{
	if (v == VMS_RLIM_INFINITY)
		fputs("unlimited", f);
	else if (v && !(v & ((1ULL << 30) - 1)))
		fprintf(f, "%" PRIu64 "G", v >> 30);
	else if (v && !(v & ((1ULL << 20) - 1)))
		fprintf(f, "%" PRIu64 "M", v >> 20);
	else if (v && !(v & 1023))
		fprintf(f, "%" PRIu64 "k", v >> 10);
	else
		fprintf(f, "%" PRIu64, v);
}

/* --creds as it is written: UID:EUID:SUID:FSUID/GID:EGID:SGID:FSGID/ then the
 * inheritable, permitted, effective, bounding and ambient sets in hex. */
static void put_creds(FILE *f, const struct vms_creds *c)
{
	fprintf(f, "%u:%u:%u:%u/%u:%u:%u:%u/%" PRIx64 "/%" PRIx64 "/%" PRIx64 "/%" PRIx64 "/%" PRIx64,
		c->uid, c->euid, c->suid, c->fsuid, c->gid, c->egid, c->sgid, c->fsgid,
		c->cap_inheritable, c->cap_permitted, c->cap_effective, c->cap_bset,
		c->cap_ambient);
}

static void print_options(FILE *f, const vms_sys *sys, const struct vms_mm_config *cfg)
{
	struct vms_setting_info in;
	for (size_t i = 0; vms_setting_info(sys, i, &in) == 0; i++)
		fprintf(f, "--sysctl %s=%" PRIu64 "\n", in.name, in.value);
	const struct vms_rlimit *rl[RL_COUNT] = {&cfg->rlim_stack, &cfg->rlim_data, &cfg->rlim_as,
						 &cfg->rlim_memlock};
	for (int i = 0; i < RL_COUNT; i++) {
		fprintf(f, "--rlimit %s=", rlim_names[i]);
		put_limit(f, rl[i]->cur);
		fputc(':', f);
		put_limit(f, rl[i]->max);
		fputc('\n', f);
	}
	/* The whole credentials first (ids, capability sets); --cap then
	 * says the same of the capabilities the model asks about. */
	if (cfg->has_creds) {
		fputs("--creds ", f);
		put_creds(f, &cfg->creds);
		fputc('\n', f);
	}
	int any = 0;
	for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		if (cfg->caps & cap_names[i].bit) {
			fprintf(f, "--cap %s\n", cap_names[i].name);
			any = 1;
		}
	if (!any)
		fputs("--cap none\n", f);
}

static void print_table(FILE *f, const vms_sys *sys, const struct vms_mm_config *cfg,
			const struct settings_origin *from, int verbose)
{
	struct utsname u;
	fprintf(f, "vmspace %s models Linux 6.18 (x86-64)", VMS_VERSION_STRING);
	if (uname(&u) == 0)
		fprintf(f, "; this host runs %s %s (%s)", u.sysname, u.release, u.machine);
	fputs("\n\n", f);
	fprintf(f, "%-34s %-20s %-8s %s\n", "setting", "value", "from", "how the host probe finds it");
	struct vms_setting_info in;
	for (size_t i = 0; vms_setting_info(sys, i, &in) == 0; i++) {
		fprintf(f, "%-34s %-20" PRIu64 " %-8s %s\n", in.name, in.value,
			source_name(in.source), in.probe);
		if (verbose)
			fprintf(f, "    %s\n", in.what);
	}
	const struct vms_rlimit *rl[RL_COUNT] = {&cfg->rlim_stack, &cfg->rlim_data, &cfg->rlim_as,
						 &cfg->rlim_memlock};
	char name[32];
	for (int i = 0; i < RL_COUNT; i++) {
		char val[64];
		FILE *m = fmemopen(val, sizeof(val), "w");
		if (!m)
			continue;
		put_limit(m, rl[i]->cur);
		fputc(':', m);
		put_limit(m, rl[i]->max);
		fclose(m);
		snprintf(name, sizeof(name), "rlimit.%s", rlim_names[i]);
		fprintf(f, "%-34s %-20s %-8s %s\n", name, val, source_name(from->rlim[i]),
			"getrlimit(2) of this process");
	}
	char caps[64] = "";
	for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		if (cfg->caps & cap_names[i].bit) {
			if (caps[0])
				strcat(caps, ",");
			strcat(caps, cap_names[i].name);
		}
	fprintf(f, "%-34s %-20s %-8s %s\n", "capabilities", caps[0] ? caps : "none",
		source_name(from->caps), "/proc/self/status CapEff");
	if (cfg->has_creds) {
		fprintf(f, "%-34s ", "credentials");
		put_creds(f, &cfg->creds);
		fprintf(f, " %s %s\n", source_name(from->caps), "/proc/self/status Uid Gid Cap*");
	}
}

int settings_option(struct replay_opts *o, const char *cmd, const char *opt, const char *val)
{
	if (!strcmp(opt, "--settings")) {
		FILE *f = fopen(val, "r");
		char *text;
		size_t len;
		if (!f || replay_read_all(f, &text, &len)) {
			fprintf(stderr, "vmspace %s: --settings %s: cannot read\n", cmd, val);
			if (f)
				fclose(f);
			return 2;
		}
		fclose(f);
		int bad = replay_load_settings(o, text);
		free(text);
		if (bad) {
			fprintf(stderr, "vmspace %s: --settings %s: option %d is bad\n", cmd, val, bad);
			return 2;
		}
		return 0;
	}
	int r = replay_setting(o, opt, val);
	if (r < 0) {
		fprintf(stderr, "vmspace %s: %s %s: bad value\n", cmd, opt, val);
		return 2;
	}
	return r;
}

int cmd_settings(int argc, char **argv)
{
	struct replay_opts o;
	int as_options = 0, verbose = 0;
	memset(&o, 0, sizeof(o));
	o.host_defaults = 1;
	for (int i = 0; i < argc; i++) {
		const char *opt = argv[i], *val = NULL;
		char optbuf[64];
		const char *eq = strchr(opt, '=');
		if (!strcmp(opt, "--as-options")) {
			as_options = 1;
			continue;
		}
		if (!strcmp(opt, "--verbose") || !strcmp(opt, "-v")) {
			verbose = 1;
			continue;
		}
		if (!strcmp(opt, "--no-host")) {
			o.host_defaults = 0;
			continue;
		}
		if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
			printf("usage: vmspace settings [--as-options] [--verbose] [--no-host] "
			       "[--settings FILE] [settings options]\n"
			       "Prints every setting of the modelled machine, its value and where it "
			       "came from\n(host probe, default, option). See vmspace(1).\n");
			return 0;
		}
		if (eq && opt[0] == '-' && (size_t)(eq - opt) < sizeof(optbuf)) {
			memcpy(optbuf, opt, (size_t)(eq - opt));
			optbuf[eq - opt] = '\0';
			val = eq + 1;
			opt = optbuf;
		} else if (i + 1 < argc) {
			val = argv[++i];
		}
		if (!val) {
			fprintf(stderr, "vmspace settings: %s needs a value\n", opt);
			return 2;
		}
		int r = settings_option(&o, "settings", opt, val);
		if (r == 1)
			fprintf(stderr, "vmspace settings: %s: unknown option\n", opt);
		if (r)
			return 2;
	}
	vms_sys *sys = vms_sys_new();
	struct vms_mm_config cfg;
	struct settings_origin from;
	memset(&cfg, 0, sizeof(cfg));
	if (!sys)
		return 2;
	int rc = settings_build(&o, sys, &cfg, &from, stderr) ? 2 : 0;
	if (!rc) {
		if (as_options)
			print_options(stdout, sys, &cfg);
		else
			print_table(stdout, sys, &cfg, &from, verbose);
	}
	vms_sys_free(sys);
	if (fflush(stdout))
		rc = 2;
	return rc;
}

/* ---- Settings options ----------------------------------------------------- */

int replay_parse_size(const char *s, uint64_t *out)
{
	char *end;
	uint64_t v, mul = 1;
	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (tolower((unsigned char)*end)) {
	case '\0':
		break;
	case 'k':
		mul = 1ULL << 10;
		end++;
		break;
	case 'm':
		mul = 1ULL << 20;
		end++;
		break;
	case 'g':
		mul = 1ULL << 30;
		end++;
		break;
	case 't':
		mul = 1ULL << 40;
		end++;
		break;
	default:
		return -1;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || (v && mul > UINT64_MAX / v))
		return -1;
	*out = v * mul;
	return 0;
}

static int parse_limit(const char *s, size_t n, uint64_t *out)
{
	char tmp[64];
	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (!strcmp(tmp, "unlimited") || !strcmp(tmp, "infinity")) {
		*out = VMS_RLIM_INFINITY;
		return 0;
	}
	return replay_parse_size(tmp, out);
}

int replay_parse_rlimit(struct replay_opts *o, const char *arg)
{
	static const char *const names[RL_COUNT] = {"STACK", "DATA", "AS", "MEMLOCK"};
	const char *eq = strchr(arg, '='), *colon;
	int r = -1;
	if (!eq)
		return -1;
	size_t nl = (size_t)(eq - arg);
	if (nl > 7 && !strncasecmp(arg, "RLIMIT_", 7)) {
		arg += 7;
		nl -= 7;
	}
	for (int i = 0; i < RL_COUNT; i++)
		if (strlen(names[i]) == nl && !strncasecmp(arg, names[i], nl))
			r = i;
	if (r < 0)
		return -1;
	eq++;
	colon = strchr(eq, ':');
	struct vms_rlimit l;
	if (parse_limit(eq, colon ? (size_t)(colon - eq) : strlen(eq), &l.cur))
		return -1;
	if (colon) {
		if (parse_limit(colon + 1, strlen(colon + 1), &l.max))
			return -1;
	} else {
		l.max = l.cur;
	}
	if (l.cur > l.max)
		return -1;
	o->has_rlim[r] = 1;
	o->rlim[r] = l;
	return 0;
}

unsigned replay_cap_value(const char *name)
{
	if (!strncasecmp(name, "CAP_", 4))
		name += 4;
	if (!strcasecmp(name, "IPC_LOCK"))
		return VMS_CAP_IPC_LOCK;
	if (!strcasecmp(name, "SYS_ADMIN"))
		return VMS_CAP_SYS_ADMIN;
	if (!strcasecmp(name, "SYS_RESOURCE"))
		return VMS_CAP_SYS_RESOURCE;
	if (!strcasecmp(name, "SYS_RAWIO"))
		return VMS_CAP_SYS_RAWIO;
	if (!strcasecmp(name, "SYS_NICE"))
		return VMS_CAP_SYS_NICE;
	if (!strcasecmp(name, "IPC_OWNER"))
		return VMS_CAP_IPC_OWNER;
	return 0;
}

/* ---- Settings ------------------------------------------------------------- */

int replay_setting(struct replay_opts *o, const char *opt, const char *val)
{
	uint64_t v;
	if (!strcmp(opt, "--sysctl")) {
		const char *eq = strchr(val, '=');
		char *end;
		if (!eq || eq == val || (size_t)(eq - val) >= sizeof(o->sysctl_name[0]) ||
		    o->nsysctl >= REPLAY_MAX_SYSCTL)
			return -1;
		errno = 0;
		v = strtoull(eq + 1, &end, 0);
		if (errno || end == eq + 1 || *end || eq[1] == '-')
			return -1;
		memcpy(o->sysctl_name[o->nsysctl], val, (size_t)(eq - val));
		o->sysctl_name[o->nsysctl][eq - val] = '\0';
		o->sysctl_val[o->nsysctl++] = v;
		return 0;
	}
	if (!strcmp(opt, "--rlimit"))
		return replay_parse_rlimit(o, val);
	if (!strcmp(opt, "--ram") || !strcmp(opt, "--swap")) {
		if (replay_parse_size(val, &v))
			return -1;
		if (opt[2] == 'r')
			o->has_ram = 1, o->ram = v;
		else
			o->has_swap = 1, o->swap = v;
		return 0;
	}
	if (!strcmp(opt, "--cap")) {
		unsigned c = replay_cap_value(val);
		if (!c && strcasecmp(val, "none"))
			return -1;
		if (!o->has_caps)
			o->caps = 0;
		o->has_caps = 1;
		o->caps |= c;
		return 0;
	}
	if (!strcmp(opt, "--creds")) {
		struct vms_creds c = {0};
		unsigned long long s[5];
		int used = 0;
		if (sscanf(val, "%u:%u:%u:%u/%u:%u:%u:%u/%llx/%llx/%llx/%llx/%llx%n", &c.uid, &c.euid,
			   &c.suid, &c.fsuid, &c.gid, &c.egid, &c.sgid, &c.fsgid, &s[0], &s[1], &s[2],
			   &s[3], &s[4], &used) != 13 ||
		    val[used])
			return -1;
		c.cap_inheritable = s[0];
		c.cap_permitted = s[1];
		c.cap_effective = s[2];
		c.cap_bset = s[3];
		c.cap_ambient = s[4];
		o->has_creds = 1;
		o->creds = c;
		return 0;
	}
	if (!strcmp(opt, "--aslr")) {
		if (!strcmp(val, "off")) {
			o->aslr = 0;
			return 0;
		}
		if (replay_parse_size(val, &v))
			return -1;
		o->aslr = 1;
		o->seed = v;
		return 0;
	}
	if (!strcmp(opt, "--start-brk")) {
		if (replay_parse_size(val, &v) || (v & (VMS_PAGE_SIZE - 1)))
			return -1;
		o->start_brk = v;
		return 0;
	}
	return 1;
}

int replay_load_settings(struct replay_opts *o, const char *text)
{
	char opt[64], val[256];
	int n = 0;
	const char *s = text;
	for (;;) {
		int used = 0;
		if (sscanf(s, " %63s%n", opt, &used) != 1)
			return 0;
		s += used;
		n++;
		if (sscanf(s, " %255s%n", val, &used) != 1 || replay_setting(o, opt, val))
			return n;
		s += used;
	}
}

