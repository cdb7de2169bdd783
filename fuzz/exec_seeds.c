/*
 * exec_seeds.c: writes the seed corpus of fuzz_exec into a directory: small
 * valid x86-64 ELF images and #! scripts of every kind exec handles (ET_EXEC,
 * PIE with an interpreter, static PIE, a 2 MiB p_align, an executable stack,
 * RELRO, a bss, nested scripts) and a few that fail, each with the control
 * bytes that put it in another situation (small RLIMIT_STACK, long
 * arguments, an allocation failure, 5-level paging, random choices imposed,
 * ...). The images are
 * made as tests/test_exec.c makes its own. Not for: the regression inputs
 * the fuzzer found (fuzz/regress-exec/), which are kept as found.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARKER "\n#fuzz-exec-interp#\n"
#define PG 0x1000ULL
#define PF_X 1
#define PF_W 2
#define PF_R 4
#define PT_LOAD 1
#define PT_GNU_STACK 0x6474e551
#define PT_GNU_RELRO 0x6474e552

struct seg {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz, align;
};
#define LOAD(fl, off, va, fsz, msz) {PT_LOAD, fl, off, va, fsz, msz, PG}

static void put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* An x86-64 ELF image: header, program headers (PT_INTERP first when there is
 * an interpreter, PT_GNU_STACK last when gnu_stack >= 0), the interpreter's
 * path, zeros to the end of the last segment's file part. Returns its size. */
static size_t elf_image(uint8_t *buf, size_t cap, int type, uint64_t entry, const struct seg *s,
			int n, const char *interp, int gnu_stack)
{
	memset(buf, 0, cap);
	int nph = n + (interp ? 1 : 0) + (gnu_stack >= 0 ? 1 : 0);
	size_t interp_off = 64 + (size_t)nph * 56;
	memcpy(buf, "\177ELF\2\1\1", 7);
	put(buf + 16, (uint64_t)type, 2);
	put(buf + 18, 62, 2);
	put(buf + 20, 1, 4);
	put(buf + 24, entry, 8);
	put(buf + 32, 64, 8);
	put(buf + 52, 64, 2);
	put(buf + 54, 56, 2);
	put(buf + 56, (uint64_t)nph, 2);
	size_t end = interp_off + (interp ? strlen(interp) + 1 : 0);
	uint8_t *ph = buf + 64;
	if (interp) {
		put(ph, 3, 4);
		put(ph + 4, PF_R, 4);
		put(ph + 8, interp_off, 8);
		put(ph + 32, strlen(interp) + 1, 8);
		memcpy(buf + interp_off, interp, strlen(interp) + 1);
		ph += 56;
	}
	for (int i = 0; i < n; i++, ph += 56) {
		put(ph, s[i].type, 4);
		put(ph + 4, s[i].flags, 4);
		put(ph + 8, s[i].offset, 8);
		put(ph + 16, s[i].vaddr, 8);
		put(ph + 32, s[i].filesz, 8);
		put(ph + 40, s[i].memsz, 8);
		put(ph + 48, s[i].align, 8);
		if (s[i].type == PT_LOAD && s[i].offset + s[i].filesz > end)
			end = (size_t)(s[i].offset + s[i].filesz);
	}
	if (gnu_stack >= 0) {
		put(ph, PT_GNU_STACK, 4);
		put(ph + 4, PF_R | PF_W | (gnu_stack ? PF_X : 0), 4);
	}
	return end < cap ? end : cap;
}

/* A small program: headers+rodata r--, text r-x, data rw- with a bss. */
static const struct seg prog_segs[] = {
    LOAD(PF_R, 0, 0, 0x800, 0x800),
    LOAD(PF_R | PF_X, 0x1000, 0x1000, 0x1000, 0x1000),
    LOAD(PF_R | PF_W, 0x2000, 0x3000, 0x100, 0x3200),
};

/* An interpreter: ET_DYN, text and data. */
static const struct seg ld_segs[] = {
    LOAD(PF_R | PF_X, 0, 0, 0x2000, 0x2000),
    LOAD(PF_R | PF_W, 0x2000, 0x3000, 0x100, 0x1000),
};

static const char *dir;
static int written;

/* Random choices to impose (VMS_EXEC_FIX_* bits, then the values), for the
 * next seed only. */
static unsigned fix;
static uint64_t fixed[4];

/* One input: the control bytes, the program, and the interpreter if any. */
static void seed(const char *name, unsigned ctl, unsigned param, const void *prog, size_t n,
		 const void *interp, size_t in)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(1);
	}
	uint8_t ctlb[3] = {(uint8_t)ctl, (uint8_t)param, (uint8_t)fix};
	fwrite(ctlb, 1, 3, f);
	if (fix) {
		uint8_t v[32];
		for (int i = 0; i < 32; i++)
			v[i] = (uint8_t)(fixed[i / 8] >> (8 * (i % 8)));
		fwrite(v, 1, 32, f);
		fix = 0;
	}
	fwrite(prog, 1, n, f);
	if (interp) {
		fwrite(MARKER, 1, sizeof(MARKER) - 1, f);
		fwrite(interp, 1, in, f);
	}
	if (fclose(f)) {
		perror(path);
		exit(1);
	}
	written++;
}

static uint8_t prog[0x4000], ld[0x4000];

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: exec_seeds DIR\n");
		return 2;
	}
	dir = argv[1];
	struct seg s[4];
	size_t ldn = elf_image(ld, sizeof(ld), 3, 0x1100, ld_segs, 2, NULL, 0);

	/* ET_EXEC at 0x400000, no interpreter. */
	memcpy(s, prog_segs, sizeof(prog_segs));
	for (int i = 0; i < 3; i++)
		s[i].vaddr += 0x400000;
	size_t n = elf_image(prog, sizeof(prog), 2, 0x401000, s, 3, NULL, 0);
	seed("et-exec", 0, 0, prog, n, NULL, 0);
	seed("et-exec-small-stack-rlimit", 0x04, 4, prog, n, NULL, 0);
	seed("et-exec-unlimited-stack", 0x04, 15, prog, n, NULL, 0);
	seed("et-exec-not-executable", 0x03, 0, prog, n, NULL, 0);
	seed("et-exec-text-busy", 0x40, 0, prog, n, NULL, 0);
	seed("et-exec-la57", 0x80, 0, prog, n, NULL, 0);

	/* A PIE with its interpreter, from an old address space; with long
	 * arguments; with an allocation failure part of the way through. */
	n = elf_image(prog, sizeof(prog), 3, 0x1000, prog_segs, 3, "/lib/ld.so", 0);
	seed("pie-interp", 0, 0, prog, n, ld, ldn);
	seed("pie-interp-old-mm", 0x20, 0, prog, n, ld, ldn);
	seed("pie-interp-big-args", 0x08, 0xf0, prog, n, ld, ldn);
	seed("pie-interp-fail-alloc", 0x10, 40, prog, n, ld, ldn);
	seed("pie-missing-interp", 0, 0, prog, n, NULL, 0);
	/* Choices imposed as a replay learns them: in range, and absurd. */
	fix = 0xf;
	fixed[0] = 0x1234, fixed[1] = 0x567, fixed[2] = 0x89ab, fixed[3] = 0xcd;
	seed("pie-interp-layout", 0, 0, prog, n, ld, ldn);
	fix = 0xf;
	fixed[0] = fixed[1] = fixed[2] = fixed[3] = ~0ULL >> 12;
	seed("pie-interp-layout-huge", 0, 0, prog, n, ld, ldn);

	/* The largest p_align decides the load bias's alignment. */
	memcpy(s, prog_segs, sizeof(prog_segs));
	s[1].align = 0x200000;
	n = elf_image(prog, sizeof(prog), 3, 0x1000, s, 3, "/lib/ld.so", 0);
	seed("pie-align-2m", 0, 0, prog, n, ld, ldn);

	/* A static PIE (a loader, placed by the mmap search), with an
	 * executable stack. */
	n = elf_image(prog, sizeof(prog), 3, 0x1000, prog_segs, 3, NULL, 1);
	seed("static-pie-exec-stack", 0, 0, prog, n, NULL, 0);

	/* RELRO over the data segment. */
	memcpy(s, prog_segs, sizeof(prog_segs));
	s[3] = (struct seg){PT_GNU_RELRO, PF_R, 0x2000, 0x3000, 0x100, 0x1000, 1};
	n = elf_image(prog, sizeof(prog), 3, 0x1000, s, 4, "/lib/ld.so", 0);
	seed("pie-relro", 0, 0, prog, n, ld, ldn);

	/* A segment with filesz > memsz: past the point of no return. */
	memcpy(s, prog_segs, sizeof(prog_segs));
	s[2].memsz = 0x10;
	n = elf_image(prog, sizeof(prog), 3, 0x1000, s, 3, NULL, 0);
	seed("bad-filesz", 0, 0, prog, n, NULL, 0);

	/* Scripts: an interpreter with an argument; one that runs itself
	 * (ELOOP); one whose interpreter is a script too. */
	static const char script[] = "#! /bin/sh  -e  -x \nexit\n";
	n = elf_image(prog, sizeof(prog), 3, 0x1000, prog_segs, 3, NULL, 0);
	seed("script", 0, 0, script, sizeof(script) - 1, prog, n);
	static const char self[] = "#!/bin/prog\n";
	seed("script-eloop", 0, 0, self, sizeof(self) - 1, NULL, 0);
	static const char nested[] = "#!/usr/bin/env python3\n";
	static const char inner[] = "#!/lib/missing.so\n";
	seed("script-nested", 0, 0, nested, sizeof(nested) - 1, inner, sizeof(inner) - 1);
	printf("exec_seeds: %d inputs in %s\n", written, dir);
	return 0;
}
