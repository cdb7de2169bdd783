/*
 * diagnose.c: what `vmspace replay` says about input that is not what it
 * should be: warnings with their line, bad input by kind (binary data,
 * malformed lines, 32-bit calls, numbers over 64 bits, unknown names, --at
 * past the end; the first few of each, then a count; errors under --strict),
 * and whether the initial maps belong to the log. Not here: divergences of
 * the model (replay.c).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "replay_int.h"

void warn(struct pass *p, int lineno, const char *fmt, ...)
{
	va_list ap;
	if (!p->err)
		return;
	if (lineno > 0)
		fprintf(p->err, "%s:%d: warning: ", p->o->name ? p->o->name : "-", lineno);
	else
		fprintf(p->err, "%s: warning: ", p->o->name ? p->o->name : "-");
	va_start(ap, fmt);
	vfprintf(p->err, fmt, ap);
	va_end(ap);
	fputc('\n', p->err);
}

/*
 * Bad input is said, with its line, whatever the kind: a wrong file must not
 * replay "0 calls" in silence. Without --strict it is a warning, and only the
 * first BAD_SHOWN of each kind are printed (the rest are counted at the end,
 * see bad_input_tally()), so that a binary file or a log of another format
 * gives a screenful, not a flood; with --strict the first is an error and
 * ends the replay (exit 2). then says what happens to the line or call.
 */
void bad_input(struct pass *p, enum bad_kind k, int lineno, const char *then,
		      const char *fmt, ...)
{
	const char *name = p->o->name ? p->o->name : "-";
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->st->bad_input++;
	p->nbad[k]++;
	p->bad_last[k] = lineno;
	if (p->o->strict) {
		if (p->err && p->exit_code != 2) {
			if (lineno > 0)
				fprintf(p->err, "%s:%d: error: %s\n", name, lineno, msg);
			else
				fprintf(p->err, "%s: error: %s\n", name, msg);
		}
		p->exit_code = 2;
		return;
	}
	if (p->nbad[k] <= BAD_SHOWN)
		warn(p, lineno, "%s%s%s", msg, then ? "; " : "", then ? then : "");
}

/* The end of a pass: how many of each kind were not shown. */
void bad_input_tally(struct pass *p)
{
	/* BAD_MAPS and BAD_AT happen once at most */
	static const char *const plural[BAD_KINDS] = {
		[BAD_BINARY] = "lines of binary data",
		[BAD_MALFORMED] = "malformed lines",
		[BAD_I386] = "32-bit (i386) calls",
		[BAD_NUMBER] = "lines with a number over 64 bits",
		[BAD_NAME] = "calls with an unknown name",
	};
	if (p->o->strict)
		return;
	for (int k = 0; k < BAD_KINDS; k++)
		if (p->nbad[k] > BAD_SHOWN && plural[k])
			warn(p, 0, "and %llu more %s, the last on line %d",
			     (unsigned long long)(p->nbad[k] - BAD_SHOWN), plural[k],
			     p->bad_last[k]);
}

/* strace prints text, with every byte that is not printable escaped: a NUL
 * or another control byte means binary data. Its offset, or -1. */
long binary_byte(const char *s, size_t n)
{
	size_t i = 0;
	/* eight bytes at a time while none is below 0x20 or is 0x7f (asked of
	 * every line of the log); a word with one is looked at bytewise */
	for (; i + 8 <= n; i += 8) {
		uint64_t w, ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
		memcpy(&w, s + i, 8);
		uint64_t del = w ^ (0x7f * ones);
		if (((w - 0x20 * ones) & ~w & high) || ((del - ones) & ~del & high))
			break;
	}
	for (; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return (long)i;
	}
	return -1;
}

/* What a binary file is, from its first bytes, for the files most often
 * given by mistake; NULL for any other. */
const char *binary_kind(const char *text, size_t len)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *what;
	} kinds[] = {
		{"\x7f" "ELF", 4, "an ELF file (a program?), not an strace log"},
		{"\x1f\x8b", 2, "a gzip-compressed file: decompress it first"},
		{"\xfd" "7zXZ", 5, "an xz-compressed file: decompress it first"},
		{"\x28\xb5\x2f\xfd", 4, "a zstd-compressed file: decompress it first"},
		{"BZh", 3, "a bzip2-compressed file: decompress it first"},
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (len >= kinds[i].len && !memcmp(text, kinds[i].magic, kinds[i].len))
			return kinds[i].what;
	return NULL;
}

/* System calls of the i386 ABI that x86-64 does not have: strace prints them
 * for a 32-bit process, whose address space the model does not hold. */
bool is_i386_only(const char *name)
{
	static const char *const names[] = {
		"mmap2", "_llseek", "_newselect", "fstat64", "stat64", "lstat64", "fstatat64",
		"fcntl64", "statfs64", "fstatfs64", "truncate64", "ftruncate64", "sendfile64",
		"ugetrlimit", "socketcall", "ipc", "waitpid", "sigreturn", "sigaction",
		"sigprocmask", "fadvise64_64",
	};
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (name[0] == names[i][0] && !strcmp(name, names[i]))
			return true;
	/* getuid32 and the other 32-bit id calls; clock_gettime64 and the
	 * other 64-bit time calls (no x86-64 name ends so) */
	return (n > 2 && !strcmp(name + n - 2, "32")) ||
	       (n > 7 && !strcmp(name + n - 7, "_time64"));
}

/* ---- Do the initial maps belong to the log? ------------------------------ */

/*
 * Initial maps of another run (most often: maps read with ASLR off, given
 * with a log recorded with ASLR on) make the log's addresses wrong from its
 * first calls, and the divergences that follow do not say why. The first
 * memory calls of the first process tell, as they use what the maps hold (the
 * program's image, ld.so, the stack, the vDSO) or what the log itself mapped
 * before. Three signs, each enough on its own, reported once with its line:
 *
 *  - the first brk(NULL) result (start_brk) lies inside a mapping other than
 *    [heap], or more than BRK_RND_MAX above the end of the nearest mapping
 *    below it: load_elf_binary() puts start_brk right after the program's
 *    .bss, and arch_randomize_brk() at most 1 GiB (and a page) further; a
 *    loader run as the program has it from ELF_ET_DYN_BASE instead, with
 *    nothing of the maps below;
 *  - mprotect, pkey_mprotect, madvise, mlock, mlock2, munlock or mremap
 *    succeeded in the log at an address (these fail on unmapped memory), or
 *    munmap on a range, where neither the maps nor an earlier call of the log
 *    has anything: unless the log leaves out the call that mapped it;
 *  - the first mmap without an address lands more than MMAP_NEAR away from
 *    every mapping of the maps but the stack: the kernel puts it just below
 *    the lowest mapping of the mmap area (ld.so, the vDSO), ASLR or not,
 *    while the mmap area of another ASLR run is a random distance (up to
 *    1 TiB, mmap_rnd_bits = 28) away.
 *
 * None of them asks the model: a model that places calls elsewhere (other
 * settings, --aslr) does not make the maps wrong. Only the first
 * MAPS_CHECK_CALLS memory calls of the first process are looked at, up to
 * its first clone or execve, so that the cost is bounded and other
 * processes' (or programs') memory does not mix in.
 */
#define MAPS_CHECK_CALLS 256
#define BRK_RND_MAX ((1ULL << 30) + (1ULL << 20))
#define MMAP_NEAR (1ULL << 30)
#define ELF_ET_DYN_BASE_ 0x555555554000ULL /* DEFAULT_MAP_WINDOW / 3 * 2, page */
#define PAGE_ALIGN_(x) (((x) + VMS_PAGE_SIZE - 1) & ~(uint64_t)(VMS_PAGE_SIZE - 1))

/* Does the maps line (up to its newline) name this ("[stack]")? */
static bool line_names(const char *line, const char *name)
{
	return memmem(line, strcspn(line, "\n"), name, strlen(name)) != NULL;
}

static void known_add(struct maps_check *mc, uint64_t start, uint64_t end, const char *line)
{
	if (end <= start)
		return;
	if (mc->nknown == mc->capknown) {
		int n = mc->capknown ? mc->capknown * 2 : 32;
		struct range *v = realloc(mc->known, (size_t)n * sizeof(*v));
		if (!v)
			return;
		mc->known = v;
		mc->capknown = n;
	}
	mc->known[mc->nknown++] = (struct range){start, end, line};
}

/* The ranges of the initial maps text: the check starts from them. */
void maps_check_init(struct maps_check *mc, const char *maps)
{
	for (const char *l = maps; l && *l;) {
		const char *nl = strchr(l, '\n'), *e;
		char *end;
		uint64_t start = strtoull(l, &end, 16), stop;
		if (end != l && *end == '-') {
			e = end + 1;
			stop = strtoull(e, &end, 16);
			/* a stack grows down past its VMA without a call in the log */
			if (end != e && line_names(l, "[stack]"))
				start = start > (1ULL << 30) ? start - (1ULL << 30) : 0;
			if (end != e)
				known_add(mc, start, stop, l);
		}
		l = nl ? nl + 1 : NULL;
	}
	mc->active = 1;
}

static const struct range *known_at(const struct maps_check *mc, uint64_t addr, uint64_t len)
{
	uint64_t end = len && addr + len > addr ? addr + len : addr + 1;
	for (int i = 0; i < mc->nknown; i++)
		if (mc->known[i].start < end && addr < mc->known[i].end)
			return &mc->known[i];
	return NULL;
}

/* "555555554000-555555557000 r--p 00000000 fe:00 248060 /usr/bin/sort" */
static void maps_line_text(const char *line, char *buf, size_t size)
{
	size_t o = 0;
	for (const char *q = line; *q && *q != '\n' && o + 1 < size; q++)
		if (*q != ' ' || (o && buf[o - 1] != ' '))
			buf[o++] = *q;
	while (o && buf[o - 1] == ' ')
		o--;
	buf[o] = '\0';
}

static void human_size(uint64_t n, char *buf, size_t size)
{
	static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	double v = (double)n;
	int u = 0;
	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static void maps_mismatch(struct pass *p, int lineno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void maps_mismatch(struct pass *p, int lineno, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->mc.active = 0;
	bad_input(p, BAD_MAPS, lineno, NULL,
		  "the initial maps seem to be of another run than the log (ASLR?): %s; record "
		  "both in one run with scripts/record.sh",
		  msg);
}

/* The first brk(NULL): where start_brk is, against the maps (see above). */
static void maps_check_brk(struct pass *p, const struct call *c, uint64_t r)
{
	const struct maps_check *mc = &p->mc;
	const struct range *below = NULL;
	char line[160], size[32];
	for (int i = 0; i < mc->nknown && mc->known[i].line; i++) {
		const struct range *k = &mc->known[i];
		if (k->start <= r && r < k->end && !line_names(k->line, "[heap]") &&
		    !line_names(k->line, "[stack]")) {
			maps_line_text(k->line, line, sizeof(line));
			maps_mismatch(p, c->lineno,
				      "its first brk(NULL) returned %#llx, inside %s of the maps, "
				      "where no heap starts",
				      (unsigned long long)r, line);
			return;
		}
		if (k->end <= r && (!below || k->end > below->end))
			below = k;
	}
	if (below && r - below->end > BRK_RND_MAX) {
		human_size(r - below->end, size, sizeof(size));
		maps_line_text(below->line, line, sizeof(line));
		maps_mismatch(p, c->lineno,
			      "its first brk(NULL) returned %#llx, %s above the nearest mapping "
			      "below it in the maps (%s), where the kernel starts the heap within "
			      "1 GiB of the program's image",
			      (unsigned long long)r, size, line);
	} else if (!below && (r < ELF_ET_DYN_BASE_ || r - ELF_ET_DYN_BASE_ > BRK_RND_MAX)) {
		maps_mismatch(p, c->lineno,
			      "its first brk(NULL) returned %#llx, below every mapping of the "
			      "maps, where the kernel starts the heap after the program's image",
			      (unsigned long long)r);
	}
}

/* One memory call of the first process, as the log has it (see above). */
void maps_check_call(struct pass *p, const struct call *c)
{
	struct maps_check *mc = &p->mc;
	uint64_t res = (uint64_t)c->result;
	if (++mc->calls > MAPS_CHECK_CALLS) {
		mc->active = 0;
		return;
	}
	if (!c->has_result || c->result_unknown || (c->result < 0 && c->result >= -4095))
		return;
	switch (c->sc) {
	case SC_BRK:
		if (c->a[0] == 0 && !mc->brk_seen) {
			mc->brk_seen = 1;
			mc->brk0 = res;
			maps_check_brk(p, c, res);
		} else {
			/* the heap grew: from start_brk (the trace's first
			 * brk(NULL) when this process made none) */
			uint64_t base = mc->brk_seen ? mc->brk0 : p->start_brk;
			if (base && res > base)
				known_add(mc, base, PAGE_ALIGN_(res), NULL);
		}
		break;
	case SC_MMAP:
		if (!mc->mmap_seen && c->a[0] == 0 &&
		    !(c->a[3] & (VMS_MAP_FIXED | VMS_MAP_FIXED_NOREPLACE))) {
			uint64_t end = res + PAGE_ALIGN_(c->a[1]), near = UINT64_MAX;
			mc->mmap_seen = 1;
			for (int i = 0; i < mc->nknown && mc->known[i].line; i++) {
				const struct range *k = &mc->known[i];
				uint64_t d = end <= k->start ? k->start - end
					     : res >= k->end ? res - k->end : 0;
				/* the stack is apart from the mmap area (by its rlimit
				 * and its own randomisation); vsyscall is fixed */
				if (line_names(k->line, "[stack]") ||
				    line_names(k->line, "[vsyscall]"))
					continue;
				if (d < near)
					near = d;
			}
			if (near > MMAP_NEAR && near != UINT64_MAX) {
				char size[32];
				human_size(near, size, sizeof(size));
				maps_mismatch(p, c->lineno,
					      "its first mmap without an address returned %#llx, "
					      "%s from every mapping of the maps, where the kernel "
					      "puts it just below the lowest of ld.so and the vDSO",
					      (unsigned long long)res, size);
				return;
			}
		}
		known_add(mc, res, res + PAGE_ALIGN_(c->a[1]), NULL);
		break;
	case SC_MREMAP:
	case SC_MUNMAP:
	case SC_MPROTECT:
	case SC_PKEY_MPROTECT:
	case SC_MADVISE:
	case SC_MLOCK:
	case SC_MLOCK2:
	case SC_MUNLOCK:
	case SC_MSEAL:
	case SC_MSYNC:
	case SC_MINCORE:
	case SC_REMAP_FILE_PAGES:
		/* a zero length succeeds with nothing mapped */
		if ((c->sc == SC_MSEAL || c->sc == SC_MSYNC || c->sc == SC_MINCORE) && !c->a[1])
			break;
		/* these need the start mapped; munmap any of its range */
		if (!known_at(mc, c->a[0], c->sc == SC_MUNMAP ? c->a[1] : 1)) {
			maps_mismatch(p, c->lineno,
				      "%s at %#llx succeeded in the log, but neither the maps nor "
				      "an earlier call of the log has anything there (unless the "
				      "log leaves out the call that mapped it)",
				      c->name ? c->name : "?", (unsigned long long)c->a[0]);
			return;
		}
		if (c->sc == SC_MREMAP)
			known_add(mc, res, res + PAGE_ALIGN_(c->a[2]), NULL);
		break;
	default:
		break;
	}
}

