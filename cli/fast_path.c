/*
 * fast_path.c: reads the commonest lines of a long log (plain memory calls
 * whose arguments are numbers and flag names) without the full strace parser.
 * Not here: anything the full parser (strace_parse.c) must see.
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

/* ---- The fast path -------------------------------------------------------- */

/*
 * Most lines of a long trace are plain mmap/munmap/mprotect/brk calls whose
 * arguments are numbers and PROT_/MAP_ names. They are read here without the
 * full parser (and without its per-line memory); anything else on such a
 * line (a string, an fd, a timestamp, -T, an unknown name) sends the line to
 * the full parser, so both agree (tests/test_replay.c compares them).
 */
static const struct {
	const char *name;
	uint8_t len;
	uint32_t val;
} fast_syms[] = {
#define S(n, v) {#n, sizeof(#n) - 1, v}
	S(PROT_NONE, 0), S(PROT_READ, 1), S(PROT_WRITE, 2), S(PROT_EXEC, 4), S(PROT_SEM, 8),
	S(PROT_GROWSDOWN, 0x01000000), S(PROT_GROWSUP, 0x02000000), S(MAP_SHARED, 1),
	S(MAP_PRIVATE, 2), S(MAP_SHARED_VALIDATE, 3), S(MAP_FIXED, 0x10),
	S(MAP_ANONYMOUS, 0x20), S(MAP_32BIT, 0x40), S(MAP_GROWSDOWN, 0x100),
	S(MAP_DENYWRITE, 0x800), S(MAP_EXECUTABLE, 0x1000), S(MAP_LOCKED, 0x2000),
	S(MAP_NORESERVE, 0x4000), S(MAP_POPULATE, 0x8000), S(MAP_NONBLOCK, 0x10000),
	S(MAP_STACK, 0x20000), S(MAP_HUGETLB, 0x40000), S(MAP_SYNC, 0x80000),
	S(MAP_FIXED_NOREPLACE, 0x100000), S(MAP_UNINITIALIZED, 0x4000000),
#undef S
};

static int fast_sym(const char *s, size_t n, uint64_t *v)
{
	for (size_t i = 0; i < sizeof(fast_syms) / sizeof(fast_syms[0]); i++) {
		if (fast_syms[i].len == n && s[5] == fast_syms[i].name[5] &&
		    !memcmp(s, fast_syms[i].name, n)) {
			*v = fast_syms[i].val;
			return 0;
		}
	}
	return -1;
}

static int hexdig(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* A number as strace prints it: 0x..., decimal, -decimal. Returns the
 * characters used, or 0. */
static size_t fast_num(const char *s, const char *end, uint64_t *v)
{
	const char *p = s;
	uint64_t x = 0;
	int neg = 0;
	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	if (end - p > 2 && p[0] == '0' && p[1] == 'x') {
		const char *q = p + 2;
		int d;
		while (q < end && (d = hexdig(*q)) >= 0) {
			if (q - p > 17)
				return 0;
			x = x << 4 | (uint64_t)d;
			q++;
		}
		if (q == p + 2)
			return 0;
		p = q;
	} else {
		const char *q = p;
		while (q < end && *q >= '0' && *q <= '9') {
			if (q - p > 18)
				return 0;
			x = x * 10 + (uint64_t)(*q - '0');
			q++;
		}
		if (q == p)
			return 0;
		p = q;
	}
	*v = neg ? (uint64_t)0 - x : x;
	return (size_t)(p - s);
}

/* One argument: a number, NULL, or NAME|NAME|...; it ends at ',' or ')'. */
static const char *fast_arg(const char *s, const char *end, uint64_t *v)
{
	uint64_t acc = 0, x;
	if (end - s >= 4 && !memcmp(s, "NULL", 4)) {
		*v = 0;
		return s + 4;
	}
	if (*s == '-' || (*s >= '0' && *s <= '9')) {
		size_t k = fast_num(s, end, v);
		return k ? s + k : NULL;
	}
	for (;;) {
		const char *q = s;
		while (q < end && ((*q >= 'A' && *q <= 'Z') || *q == '_' || (*q >= '0' && *q <= '9')))
			q++;
		if (q - s < 6 || fast_sym(s, (size_t)(q - s), &x))
			return NULL;
		acc |= x;
		if (q < end && *q == '|') {
			s = q + 1;
			continue;
		}
		*v = acc;
		return q;
	}
}

/* Fills c from a plain line; returns 0 when the full parser must read it. */
int fast_parse(const char *s, size_t n, struct call *c)
{
	const char *end = s + n, *p;
	int want;
	if (n < 12)
		return 0;
	if (s[0] == 'm') {
		if (!memcmp(s, "mmap(", 5)) {
			c->sc = SC_MMAP, p = s + 5, want = 6;
		} else if (!memcmp(s, "munmap(", 7)) {
			c->sc = SC_MUNMAP, p = s + 7, want = 2;
		} else if (!memcmp(s, "mprotect(", 9)) {
			c->sc = SC_MPROTECT, p = s + 9, want = 3;
		} else {
			return 0;
		}
	} else if (!memcmp(s, "brk(", 4)) {
		c->sc = SC_BRK, p = s + 4, want = 1;
	} else {
		return 0;
	}
	for (int i = 0; i < want; i++) {
		p = fast_arg(p, end, &c->a[i]);
		if (!p || p >= end)
			return 0;
		if (i + 1 < want) {
			if (end - p < 2 || p[0] != ',' || p[1] != ' ')
				return 0;
			p += 2;
		}
	}
	if (*p != ')')
		return 0;
	/* An mmap's fd is a plain number here: one printed with its -y path
	 * ("3</lib/libc.so.6>") took the full path above, which keeps the path
	 * for an fd the log never opened (fd_arg). */
	p++;
	while (p < end && *p == ' ')
		p++;
	if (end - p < 3 || p[0] != '=' || p[1] != ' ')
		return 0;
	p += 2;
	if (end - p > 3 && p[0] == '-' && p[1] == '1' && p[2] == ' ') {
		char en[24];
		const char *q = p + 3;
		while (q < end && *q != ' ')
			q++;
		if (q - (p + 3) >= (long)sizeof(en) || q == p + 3)
			return 0;
		memcpy(en, p + 3, (size_t)(q - (p + 3)));
		en[q - (p + 3)] = '\0';
		int e = strace_errno_value(en);
		if (e <= 0)
			return 0;
		c->result = -e;
		/* " (Cannot allocate memory)" */
		if (q < end) {
			if (end - q < 3 || q[1] != '(')
				return 0;
			const char *r = memchr(q, ')', (size_t)(end - q));
			if (!r)
				return 0;
			p = r + 1;
		} else {
			p = q;
		}
	} else {
		uint64_t v;
		size_t k = fast_num(p, end, &v);
		if (!k || *p == '-')
			return 0;
		c->result = (int64_t)v;
		p += k;
	}
	while (p < end && *p == ' ')
		p++;
	if (p != end)
		return 0;
	c->nargs = want;
	c->has = (1u << want) - 1;
	c->has_result = 1;
	c->result_unknown = 0;
	c->full = NULL;
	c->text = s;
	c->text_len = n;
	return 1;
}

