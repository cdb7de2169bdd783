/*
 * exec_kdiff.h: execve against the live kernel. A child is stopped by ptrace
 * right after its execve (the exec stop) and its /proc/PID/maps, auxv and
 * registers are read; the model's vms_execve() of the same file, arguments
 * and environment is compared with them: maps byte for byte, the initial
 * rsp and rip, every auxv entry. With ASLR on, only the shape is compared:
 * the same VMAs in the same order with the same sizes, permissions, offsets,
 * files and names. Used by `vmspace exec --check`/`--scan` and by
 * tests/test_exec_kdiff.c. Not for: judging which side is right.
 */
#ifndef VMS_EXEC_KDIFF_H
#define VMS_EXEC_KDIFF_H

#include <stdint.h>
#include <stdio.h>

#include "vmspace.h"

struct ek_kernel {
	int err;    /* 0: stopped after exec; else the errno execve returned */
	int killed; /* the exec failed past its point of no return */
	char *maps; /* malloc'd */
	uint64_t auxv[64][2];
	size_t nauxv;
	uint64_t rip, rsp;
};

/* Runs execve(filename, argv, envp) in a traced child, ASLR off unless
 * aslr. Returns 0 (out filled), or -1 with why set when the kernel could not
 * be asked (fork, ptrace). */
int ek_kernel_exec(const char *filename, char *const argv[], char *const envp[], int aslr,
		   struct ek_kernel *out, char *why, size_t why_size);
void ek_kernel_free(struct ek_kernel *k);

struct ek_model {
	long err;
	char *maps; /* malloc'd */
	struct vms_exec_info info;
};
/* The model's execve on a fresh system with this host's settings (sys may
 * be NULL) and this process's rlimits and ids; ASLR off unless aslr, then
 * seed. */
int ek_model_exec(vms_sys *sys, const char *filename, char *const argv[], char *const envp[],
		  int aslr, uint64_t seed, struct ek_model *out);
void ek_model_free(struct ek_model *m);

/* What the process changes of itself before it execs (ek_*_exec_state):
 * personality bits added, a capability dropped from the effective and
 * permitted sets (capset; -1 none), an euid taken with setresuid (-1 none),
 * PR_SET_MDWE bits (0 none). Done in this order, as a program would. */
struct ek_state {
	unsigned persona;
	int drop_cap;
	int euid;
	unsigned mdwe;
};
/* The same execs, after the state changes: the kernel's child makes them
 * before its execve, the model makes them on an old space it execs from. */
int ek_kernel_exec_state(const char *filename, char *const argv[], char *const envp[], int aslr,
			 const struct ek_state *st, struct ek_kernel *out, char *why,
			 size_t why_size);
int ek_model_exec_state(vms_sys *sys, const char *filename, char *const argv[],
			char *const envp[], int aslr, uint64_t seed, const struct ek_state *st,
			struct ek_model *out);

/* 0 when they agree (exactly, or in shape with aslr); else 1, with the
 * differences written to report (may be NULL). */
int ek_compare(const struct ek_kernel *k, const struct ek_model *m, int aslr, FILE *report);

/* Every ELF executable in dirs (not setuid or setgid; one in every `every`
 * of them, by name order), each executed by the kernel and by the model.
 * Counts into *matched and *total; prints the first max_reports
 * differences to report. Returns 0, or -1 with why where the kernel cannot
 * be used. */
int ek_scan(const char *const *dirs, int every, int aslr, int *matched, int *total,
	    int max_reports, FILE *report, char *why, size_t why_size);

#endif
