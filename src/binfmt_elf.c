/*
 * binfmt_elf.c: what an ELF executable maps (fs/binfmt_elf.c
 * load_elf_binary, load_elf_interp, elf_load, elf_map, create_elf_tables):
 * the header checks that decide ENOEXEC before the point of no return, the
 * load bias of ET_EXEC, PIE and static-PIE images, each PT_LOAD segment with
 * its bss, the program interpreter below mmap_base, the vDSO block, the brk,
 * and the stack's last layer: platform string, random bytes, auxv, envp,
 * argv, argc. Parsing is bounds-checked: a malformed image is refused, never
 * read past. Not here: the strings and the stack's place (exec.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "accounting.h"
#include "exec.h"
#include "fault.h"
#include "rss.h"
#include "unmapped_area.h"
#include "vma.h"

/* include/uapi/linux/elf.h */
#define ET_EXEC 2
#define ET_DYN 3
#define EM_X86_64 62
#define PT_LOAD 1
#define PT_INTERP 3
#define PT_GNU_STACK 0x6474e551
#define PT_GNU_RELRO 0x6474e552
#define PF_X 0x1
#define PF_W 0x2
#define PF_R 0x4
#define EHDR_SIZE 64
#define PHDR_SIZE 56

/* include/uapi/linux/auxvec.h and asm/auxvec.h */
enum {
	AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7,
	AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14,
	AT_PLATFORM = 15, AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25,
	AT_HWCAP2 = 26, AT_RSEQ_FEATURE_SIZE = 27, AT_RSEQ_ALIGN = 28, AT_EXECFN = 31,
	AT_SYSINFO_EHDR = 33, AT_MINSIGSTKSZ = 51,
};

/* arch/x86/include/asm/elf.h: ELF_ET_DYN_BASE for a 64-bit task, and
 * ELF_PLATFORM (utsname()->machine). */
#define ELF_ET_DYN_BASE (DEFAULT_MAP_WINDOW / 3 * 2)
#define ELF_PLATFORM "x86_64"
#define STACK_RND_MASK 0x3fffffULL /* 64-bit: 22 bits of pages */

#define ELF_PAGESTART(v) ((v) & ~(PAGE_SIZE - 1))
#define ELF_PAGEOFFSET(v) ((v) & (PAGE_SIZE - 1))
#define ELF_PAGEALIGN(v) (((v) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))

struct elf_hdr {
	uint16_t type, machine;
	uint64_t entry, phoff;
	uint16_t phentsize, phnum;
};

struct elf_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz, align;
};

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void parse_ehdr(const uint8_t *b, struct elf_hdr *h)
{
	h->type = (uint16_t)le(b + 16, 2);
	h->machine = (uint16_t)le(b + 18, 2);
	h->entry = le(b + 24, 8);
	h->phoff = le(b + 32, 8);
	h->phentsize = (uint16_t)le(b + 54, 2);
	h->phnum = (uint16_t)le(b + 56, 2);
}

static bool is_elf(const uint8_t *b)
{
	return b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F';
}

/* load_elf_phdrs(): entries of the 64-bit size only, a table of 1 byte to
 * 64 KiB, read whole. -ENOEXEC otherwise (the caller may change it). */
static int load_elf_phdrs(struct bprm *b, const struct exec_file *f, const struct elf_hdr *h,
			  struct elf_phdr **out)
{
	*out = NULL;
	if (h->phentsize != PHDR_SIZE)
		return -ENOEXEC;
	size_t size = (size_t)PHDR_SIZE * h->phnum;
	if (size == 0 || size > 65536)
		return -ENOEXEC;
	uint8_t *raw = sys_malloc(b->sys, size);
	struct elf_phdr *ph = sys_calloc(b->sys, h->phnum, sizeof(*ph));
	if (!raw || !ph) {
		sys_free(b->sys, raw);
		sys_free(b->sys, ph);
		return -ENOMEM;
	}
	if (exec_read(b, f, h->phoff, raw, size)) {
		sys_free(b->sys, raw);
		sys_free(b->sys, ph);
		return -ENOEXEC;
	}
	for (size_t i = 0; i < h->phnum; i++) {
		const uint8_t *e = raw + i * PHDR_SIZE;
		ph[i] = (struct elf_phdr){(uint32_t)le(e, 4),	  (uint32_t)le(e + 4, 4), le(e + 8, 8),
					  le(e + 16, 8), le(e + 32, 8), le(e + 40, 8), le(e + 48, 8)};
	}
	sys_free(b->sys, raw);
	*out = ph;
	return 0;
}

static bool bad_addr(const struct vms_mm *mm, uint64_t x)
{
	return x >= mm->task_size;
}

/* mm/util.c vm_mmap(): the offset must not wrap and must be page aligned. */
static long vm_mmap(struct vms_mm *mm, struct vms_file *file, uint64_t addr, uint64_t len,
		    int prot, int flags, uint64_t off)
{
	if (off + PAGE_ALIGN(len) < off || (off & ~PAGE_MASK))
		return -EINVAL;
	return vms_mmap(mm, addr, len, prot, flags, file, off);
}

static int make_prot(uint32_t p_flags)
{
	return (p_flags & PF_R ? VMS_PROT_READ : 0) | (p_flags & PF_W ? VMS_PROT_WRITE : 0) |
	       (p_flags & PF_X ? VMS_PROT_EXEC : 0);
}

/* What exec mapped, for an observer (VMS_EV_EXEC_MAP). */
ev_cold static void ev_exec(const struct vms_mm *mm, int what, uint64_t start, uint64_t end,
		    uint64_t vm_flags, const char *rule)
{
	struct vms_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.u.exec.what = what;
	ev.u.exec.vm_flags = vm_flags;
	ev_emit(mm, VMS_EV_EXEC_MAP, rule, start, end, &ev);
}

/* elf_map(): the file part of a segment. The first segment of an ET_DYN
 * image maps the image's whole span (so that placement finds room for all
 * of it) and gives back what is past its own part. */
static uint64_t elf_map(struct vms_mm *mm, struct vms_file *file, uint64_t addr,
			const struct elf_phdr *ph, int prot, int type, uint64_t total_size)
{
	uint64_t size = ph->filesz + ELF_PAGEOFFSET(ph->vaddr);
	uint64_t off = ph->offset - ELF_PAGEOFFSET(ph->vaddr);
	addr = ELF_PAGESTART(addr);
	size = ELF_PAGEALIGN(size);
	if (!size)
		return addr;
	long map;
	if (total_size) {
		total_size = ELF_PAGEALIGN(total_size);
		map = vm_mmap(mm, file, addr, total_size, prot, type, off);
		if (!bad_addr(mm, (uint64_t)map) && total_size > size)
			(void)vms_munmap(mm, (uint64_t)map + size, total_size - size);
	} else {
		map = vm_mmap(mm, file, addr, size, prot, type, off);
	}
	if (ev_on(mm->sys) && !bad_addr(mm, (uint64_t)map))
		ev_exec(mm, VMS_EXEC_SEGMENT, (uint64_t)map, (uint64_t)map + size,
			(prot & VMS_PROT_READ ? VM_READ : 0) | (prot & VMS_PROT_WRITE ? VM_WRITE : 0) |
				(prot & VMS_PROT_EXEC ? VM_EXEC : 0),
			"elf_map");
	return (uint64_t)map;
}

/* padzero(): clear_user() of the rest of the page after the file's bytes, a
 * write fault that copies the page (the VMA gets its anon_vma) or fails on
 * a read-only segment or past the end of the file. */
static int padzero(struct vms_mm *mm, uint64_t addr)
{
	if (!ELF_PAGEOFFSET(addr))
		return 0;
	struct vms_vma *v = find_vma(mm, addr);
	if (!v || v->start > addr || !(v->flags & VM_WRITE))
		return -EFAULT;
	if (v->file && addr >= vma_eof_addr(v)) {
		/* do_cow_fault() prepares the anon_vma before it finds EOF. */
		if (anon_vma_prepare(mm, v))
			return -ENOMEM;
		return -EFAULT;
	}
	long r = vms_fault(mm, addr, 1);
	return r == -ENOMEM ? -ENOMEM : r ? -EFAULT : 0;
}

/* elf_load(): the file part, then the bss: the last file page's tail is
 * zeroed and whole pages past it are anonymous (vm_brk_flags: read-write
 * whatever the segment says, executable if it is). */
static uint64_t elf_load(struct vms_mm *mm, struct vms_file *file, uint64_t addr,
			 const struct elf_phdr *ph, int prot, int type, uint64_t total_size)
{
	uint64_t zero_start, zero_end, map_addr;
	if (ph->filesz) {
		map_addr = elf_map(mm, file, addr, ph, prot, type, total_size);
		if (bad_addr(mm, map_addr))
			return map_addr;
		zero_start = map_addr + ELF_PAGEOFFSET(ph->vaddr) + ph->filesz;
		zero_end = map_addr + ELF_PAGEOFFSET(ph->vaddr) + ph->memsz;
		if (ph->memsz > ph->filesz) {
			int err = padzero(mm, zero_start);
			if (err == -ENOMEM)
				return (uint64_t)(long)err;
			if (err && (prot & VMS_PROT_WRITE))
				return (uint64_t)(long)-EFAULT;
		}
	} else {
		map_addr = zero_start = ELF_PAGESTART(addr);
		zero_end = zero_start + ELF_PAGEOFFSET(ph->vaddr) + ph->memsz;
	}
	if (ph->memsz > ph->filesz) {
		zero_start = ELF_PAGEALIGN(zero_start);
		zero_end = ELF_PAGEALIGN(zero_end);
		int err = vm_brk_flags(mm, zero_start, zero_end - zero_start,
				       (prot & VMS_PROT_EXEC) ? VM_EXEC : 0);
		if (err)
			map_addr = (uint64_t)(long)err;
		else if (ev_on(mm->sys) && zero_end > zero_start)
			ev_exec(mm, VMS_EXEC_BRK, zero_start, zero_end,
				VM_READ | VM_WRITE | ((prot & VMS_PROT_EXEC) ? VM_EXEC : 0),
				"elf_load");
	}
	return map_addr;
}

/* total_mapping_size(): from the first PT_LOAD's page to the last one's
 * end, by table order (not by address). */
static uint64_t total_mapping_size(const struct elf_phdr *ph, size_t n)
{
	long first = -1, last = -1;
	for (size_t i = 0; i < n; i++) {
		if (ph[i].type == PT_LOAD) {
			last = (long)i;
			if (first < 0)
				first = (long)i;
		}
	}
	if (first < 0)
		return 0;
	return ph[last].vaddr + ph[last].memsz - ELF_PAGESTART(ph[first].vaddr);
}

/* maximum_alignment(): the largest power-of-two p_align, at least a page. */
static uint64_t maximum_alignment(const struct elf_phdr *ph, size_t n)
{
	uint64_t a = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t al = ph[i].align;
		if (ph[i].type != PT_LOAD || !al || (al & (al - 1)))
			continue;
		a = max_u64(a, al);
	}
	return ELF_PAGEALIGN(a);
}

/* load_elf_interp(): the interpreter's segments, its first mapping placed
 * by the mmap search (hint 0 for an ET_DYN interpreter) with its span.
 * Returns the load address or an error / bad address. */
static uint64_t load_elf_interp(struct bprm *b, const struct elf_hdr *ih, struct exec_file *ifile,
				const struct elf_phdr *ph, uint64_t no_base)
{
	struct vms_mm *mm = b->mm;
	uint64_t load_addr = 0;
	bool load_addr_set = false;
	if (ih->type != ET_EXEC && ih->type != ET_DYN)
		return ~0ULL;
	if (ih->machine != EM_X86_64)
		return ~0ULL;
	struct vms_file *file = exec_vms_file(b, ifile);
	if (!file)
		return (uint64_t)(long)-ENOMEM;
	uint64_t total_size = total_mapping_size(ph, ih->phnum);
	if (!total_size)
		return (uint64_t)(long)-EINVAL;
	uint64_t error = ~0ULL;
	for (size_t i = 0; i < ih->phnum; i++) {
		const struct elf_phdr *e = &ph[i];
		if (e->type != PT_LOAD)
			continue;
		int type = VMS_MAP_PRIVATE;
		uint64_t vaddr = e->vaddr;
		if (ih->type == ET_EXEC || load_addr_set)
			type |= VMS_MAP_FIXED;
		else if (no_base && ih->type == ET_DYN)
			load_addr = -vaddr;
		uint64_t map_addr =
		    elf_load(mm, file, load_addr + vaddr, e, make_prot(e->flags), type, total_size);
		total_size = 0;
		error = map_addr;
		if (bad_addr(mm, map_addr))
			return error;
		if (!load_addr_set && ih->type == ET_DYN) {
			load_addr = map_addr - ELF_PAGESTART(vaddr);
			load_addr_set = true;
		}
		uint64_t k = load_addr + e->vaddr;
		if (bad_addr(mm, k) || e->filesz > e->memsz || e->memsz > mm->task_size ||
		    mm->task_size - e->memsz < k)
			return (uint64_t)(long)-ENOMEM;
	}
	return load_addr;
}

/* arch/x86/entry/vdso/vma.c map_vdso(): one search for the whole block,
 * then [vvar], [vvar_vclock] and the [vdso] text in that order. Returns the
 * text's address (AT_SYSINFO_EHDR), 0 without a vDSO, or -errno. */
static long map_vdso(struct vms_mm *mm)
{
	vms_sys *sys = mm->sys;
	if (!sys->vdso_pages)
		return 0;
	uint64_t vvar = sys->vvar_pages << PAGE_SHIFT, vclock = sys->vvar_vclock_pages << PAGE_SHIFT;
	uint64_t text = sys->vdso_pages << PAGE_SHIFT;
	long addr = get_unmapped_area(mm, NULL, 0, vvar + vclock + text, 0, 0, 0);
	if (IS_ERR_VALUE(addr))
		return addr;
	struct {
		uint64_t start, len, flags;
		enum vma_kind kind;
	} parts[3] = {
	    /* MAYWRITE so that a debugger can COW the text. */
	    {(uint64_t)addr + vvar + vclock, text,
	     VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_DONTEXPAND, VMA_VDSO},
	    {(uint64_t)addr, vvar,
	     VM_READ | VM_MAYREAD | VM_IO | VM_DONTDUMP | VM_PFNMAP | VM_DONTEXPAND, VMA_VVAR},
	    {(uint64_t)addr + vvar, vclock,
	     VM_READ | VM_MAYREAD | VM_IO | VM_DONTDUMP | VM_PFNMAP | VM_DONTEXPAND,
	     VMA_VVAR_VCLOCK},
	};
	for (int i = 0; i < 3; i++) {
		if (!parts[i].len)
			continue;
		int err = mm_reserve(mm, NULL);
		if (err)
			return err;
		struct vms_vma *v = vma_take(mm);
		v->start = parts[i].start;
		v->end = parts[i].start + parts[i].len;
		v->flags = parts[i].flags;
		v->kind = (uint8_t)parts[i].kind;
		vma_link(mm, v);
		vm_stat_account(mm, v->flags, (int64_t)vma_pages(v));
		if (ev_on(mm->sys))
			ev_exec(mm, VMS_EXEC_SPECIAL, v->start, v->end, v->flags,
				"_install_special_mapping");
	}
	return (long)((uint64_t)addr + vvar + vclock);
}

/* create_elf_tables(): below the strings, after arch_align_stack(), the
 * platform string, 16 random bytes, then (16-aligned) argc, argv, envp and
 * the auxiliary vector. */
struct elf_tables {
	uint64_t load_bias_unused;
	uint64_t interp_load_addr, e_entry, phdr_addr;
	uint16_t phnum;
	uint64_t vdso;
};

static uint64_t arch_align_stack(struct bprm *b, uint64_t sp)
{
	if (b->randomize)
		sp -= exec_random(b) % 8192;
	return sp & ~0xfULL;
}

static int create_elf_tables(struct bprm *b, const struct elf_tables *t)
{
	struct vms_mm *mm = b->mm;
	vms_sys *sys = mm->sys;
	uint64_t p = arch_align_stack(b, b->p);
	uint64_t u_platform = p -= sizeof(ELF_PLATFORM);
	uint64_t u_rand = p -= 16;
	uint64_t aux[VMS_EXEC_MAX_AUXV][2];
	size_t n = 0;
#define NEW_AUX_ENT(id, val)                                                                       \
	do {                                                                                       \
		aux[n][0] = (id);                                                                  \
		aux[n][1] = (val);                                                                 \
		n++;                                                                               \
	} while (0)
	/* ARCH_DLINFO first (arch/x86/include/asm/elf.h). */
	if (t->vdso)
		NEW_AUX_ENT(AT_SYSINFO_EHDR, t->vdso);
	NEW_AUX_ENT(AT_MINSIGSTKSZ, sys->auxv_minsigstksz);
	NEW_AUX_ENT(AT_HWCAP, sys->auxv_hwcap);
	NEW_AUX_ENT(AT_PAGESZ, PAGE_SIZE);
	NEW_AUX_ENT(AT_CLKTCK, sys->auxv_clktck);
	NEW_AUX_ENT(AT_PHDR, t->phdr_addr);
	NEW_AUX_ENT(AT_PHENT, PHDR_SIZE);
	NEW_AUX_ENT(AT_PHNUM, t->phnum);
	NEW_AUX_ENT(AT_BASE, t->interp_load_addr);
	NEW_AUX_ENT(AT_FLAGS, 0);
	NEW_AUX_ENT(AT_ENTRY, t->e_entry);
	/* The ids after the exec (bprm->cred, committed by begin_new_exec). */
	NEW_AUX_ENT(AT_UID, b->mm->cred.uid);
	NEW_AUX_ENT(AT_EUID, b->mm->cred.euid);
	NEW_AUX_ENT(AT_GID, b->mm->cred.gid);
	NEW_AUX_ENT(AT_EGID, b->mm->cred.egid);
	NEW_AUX_ENT(AT_SECURE, b->secureexec);
	NEW_AUX_ENT(AT_RANDOM, u_rand);
	NEW_AUX_ENT(AT_HWCAP2, sys->auxv_hwcap2);
	NEW_AUX_ENT(AT_EXECFN, b->exec);
	NEW_AUX_ENT(AT_PLATFORM, u_platform);
	if (sys->auxv_rseq_feature_size) {
		NEW_AUX_ENT(AT_RSEQ_FEATURE_SIZE, sys->auxv_rseq_feature_size);
		NEW_AUX_ENT(AT_RSEQ_ALIGN, sys->auxv_rseq_align);
	}
	NEW_AUX_ENT(AT_NULL, 0);
#undef NEW_AUX_ENT
	uint64_t ei_words = 2 * n;
	uint64_t sp = p - 8 * ei_words;
	uint64_t items = (uint64_t)(b->argc + 1) + (uint64_t)(b->envc + 1) + 1;
	sp = (sp - 8 * items) & ~0xfULL;
	/* find_extend_vma(): the tables may reach below the stack VMA. */
	struct vms_vma *v = find_vma(mm, sp);
	if (!v)
		return -EFAULT;
	if (sp < v->start) {
		if (!(v->flags & VM_GROWSDOWN) || expand_downwards(mm, v, sp))
			return -EFAULT;
	}
	int err = exec_stack_room(b, sp);
	if (err)
		return err;
	memcpy(exec_stack_at(b, u_platform), ELF_PLATFORM, sizeof(ELF_PLATFORM));
	for (int i = 0; i < 16; i += 8) {
		uint64_t r = exec_random(b);
		memcpy(exec_stack_at(b, u_rand + (uint64_t)i), &r, 8);
	}
	uint64_t w = sp;
#define PUT(val)                                                                                   \
	do {                                                                                       \
		uint64_t v_ = (val);                                                               \
		uint8_t *d_ = exec_stack_at(b, w);                                                 \
		for (int k_ = 0; k_ < 8; k_++)                                                     \
			d_[k_] = (uint8_t)(v_ >> (8 * k_));                                        \
		w += 8;                                                                            \
	} while (0)
	PUT((uint64_t)b->argc);
	/* argv and envp: the strings from arg_start, one after the other. */
	uint64_t s = b->arg_start;
	for (int k = 0; k < b->argc + b->envc; k++) {
		if (k == b->argc) {
			PUT(0);
			b->arg_end = b->env_start = s;
		}
		PUT(s);
		while (s < b->top && *exec_stack_at(b, s))
			s++;
		s++;
	}
	if (b->envc == 0)
		b->arg_end = b->env_start = s;
	PUT(0);
	b->env_end = s;
	for (size_t k = 0; k < n; k++) {
		PUT(aux[k][0]);
		PUT(aux[k][1]);
	}
#undef PUT
	memcpy(b->auxv, aux, sizeof(aux));
	b->nauxv = n;
	b->sp = sp;
	/* The pages the strings and the tables were written to. */
	err = rss_reserve(mm, 4);
	if (err)
		return err;
	rss_add(mm, b->lowest & PAGE_MASK, b->top, RSS_ANON);
	rss_add(mm, sp & PAGE_MASK, PAGE_ALIGN(u_platform + sizeof(ELF_PLATFORM)), RSS_ANON);
	return 0;
}

/* ---- load_elf_binary ---- */

struct elf_load_state {
	struct elf_hdr eh, ih;
	struct elf_phdr *ph, *iph;
	struct exec_file *interp;
};

/* Everything that can still fail with an errno the caller sees. */
static int check_elf(struct bprm *b, struct elf_load_state *s, int *executable_stack)
{
	struct elf_hdr *h = &s->eh;
	if (!is_elf(b->buf))
		return -ENOEXEC;
	parse_ehdr(b->buf, h);
	if (h->type != ET_EXEC && h->type != ET_DYN)
		return -ENOEXEC;
	if (h->machine != EM_X86_64)
		return -ENOEXEC;
	int err = load_elf_phdrs(b, b->file, h, &s->ph);
	if (err)
		return err;
	for (size_t i = 0; i < h->phnum; i++) {
		const struct elf_phdr *e = &s->ph[i];
		if (e->type != PT_INTERP)
			continue;
		/* The first PT_INTERP names the interpreter: 2 bytes to
		 * PATH_MAX, NUL-terminated. */
		if (e->filesz > EXEC_PATH_MAX || e->filesz < 2)
			return -ENOEXEC;
		char path[EXEC_PATH_MAX + 1];
		err = exec_read(b, b->file, e->offset, path, (size_t)e->filesz);
		if (err)
			return err;
		if (path[e->filesz - 1] != '\0')
			return -ENOEXEC;
		memcpy(b->elf_interp, path, (size_t)e->filesz);
		err = exec_open_kernel_name(b, path, &s->interp);
		if (err)
			return err;
		uint8_t ibuf[EHDR_SIZE];
		err = exec_read(b, s->interp, 0, ibuf, sizeof(ibuf));
		if (err)
			return err;
		parse_ehdr(ibuf, &s->ih);
		/* The interpreter must be an ELF image for this machine with a
		 * readable header table, else ELIBBAD. */
		if (!is_elf(ibuf) || s->ih.machine != EM_X86_64)
			return -ELIBBAD;
		err = load_elf_phdrs(b, s->interp, &s->ih, &s->iph);
		if (err)
			return err == -ENOMEM ? err : -ELIBBAD;
		break;
	}
	/* The last PT_GNU_STACK decides. */
	*executable_stack = EXSTACK_DEFAULT;
	for (size_t i = 0; i < h->phnum; i++)
		if (s->ph[i].type == PT_GNU_STACK)
			*executable_stack =
			    (s->ph[i].flags & PF_X) ? EXSTACK_ENABLE_X : EXSTACK_DISABLE_X;
	return 0;
}

/* After the point of no return: the image, the interpreter, the vDSO, the
 * tables and the brk. An error here kills the process. */
static int map_image(struct bprm *b, struct elf_load_state *s, int executable_stack)
{
	struct elf_hdr *h = &s->eh;
	/* randomize_stack_top() only lowers the stack top: an imposed offset
	 * that would raise it (or wrap around) is refused, as a bad argument,
	 * before the point of no return. */
	if (b->fixed && (b->fixed->fixed & VMS_EXEC_FIX_STACK) &&
	    b->fixed->stack_rnd >= DEFAULT_MAP_WINDOW >> PAGE_SHIFT)
		return -EINVAL;
	int err = exec_begin_new(b);
	if (err)
		return err;
	struct vms_mm *mm = b->mm;
	/* setup_arg_pages(randomize_stack_top(STACK_TOP)), arch_align_stack
	 * inside. */
	uint64_t stack_top = DEFAULT_MAP_WINDOW;
	stack_top -= exec_choice(b, VMS_EXEC_FIX_STACK, STACK_RND_MASK, 0) << PAGE_SHIFT;
	stack_top = arch_align_stack(b, stack_top);
	err = setup_arg_pages(b, stack_top, executable_stack);
	if (err)
		return err;
	struct vms_file *file = exec_vms_file(b, b->file);
	if (!file)
		return -ENOMEM;

	uint64_t load_bias = 0, phdr_addr = 0, elf_brk = 0;
	uint64_t start_code = ~0ULL, end_code = 0, start_data = 0, end_data = 0;
	bool first_pt_load = true;
	for (size_t i = 0; i < h->phnum; i++) {
		const struct elf_phdr *e = &s->ph[i];
		if (e->type != PT_LOAD)
			continue;
		int prot = make_prot(e->flags), flags = VMS_MAP_PRIVATE;
		uint64_t vaddr = e->vaddr, total_size = 0;
		if (!first_pt_load) {
			flags |= VMS_MAP_FIXED;
		} else if (h->type == ET_EXEC) {
			flags |= VMS_MAP_FIXED_NOREPLACE;
		} else {
			total_size = total_mapping_size(s->ph, h->phnum);
			if (!total_size)
				return -EINVAL;
			uint64_t alignment = maximum_alignment(s->ph, h->phnum);
			if (s->interp) {
				/* A program (PIE): at ELF_ET_DYN_BASE, randomised,
				 * aligned down to its largest p_align. */
				load_bias = ELF_ET_DYN_BASE +
					    (exec_choice(b, VMS_EXEC_FIX_LOAD,
							 (1ULL << mm->sys->mmap_rnd_bits) - 1, 0)
					     << PAGE_SHIFT);
				if (alignment)
					load_bias &= ~(alignment - 1);
				flags |= VMS_MAP_FIXED_NOREPLACE;
			} else if (alignment > PAGE_SIZE) {
				/* A loader with a large alignment: where the mmap
				 * search puts its span, aligned down. */
				load_bias = elf_load(mm, file, 0, e, prot, flags, total_size);
				if (bad_addr(mm, load_bias))
					return IS_ERR_VALUE((long)load_bias) ? (int)(long)load_bias
									    : -EINVAL;
				(void)vms_munmap(mm, load_bias, total_size);
				load_bias &= ~(alignment - 1);
				flags |= VMS_MAP_FIXED_NOREPLACE;
			} else {
				/* A loader (static PIE, ld.so run directly): where
				 * the mmap search puts it. */
				load_bias = 0;
			}
			load_bias = ELF_PAGESTART(load_bias - vaddr);
		}
		uint64_t error = elf_load(mm, file, load_bias + vaddr, e, prot, flags, total_size);
		if (bad_addr(mm, error))
			return IS_ERR_VALUE((long)error) ? (int)(long)error : -EINVAL;
		if (first_pt_load) {
			first_pt_load = false;
			if (h->type == ET_DYN)
				load_bias += error - ELF_PAGESTART(load_bias + vaddr);
		}
		if (e->offset <= h->phoff && h->phoff < e->offset + e->filesz)
			phdr_addr = h->phoff - e->offset + e->vaddr;
		uint64_t k = e->vaddr;
		if ((e->flags & PF_X) && k < start_code)
			start_code = k;
		if (start_data < k)
			start_data = k;
		if (bad_addr(mm, k) || e->filesz > e->memsz || e->memsz > mm->task_size ||
		    mm->task_size - e->memsz < k)
			return -EINVAL;
		k = e->vaddr + e->filesz;
		if ((e->flags & PF_X) && end_code < k)
			end_code = k;
		if (end_data < k)
			end_data = k;
		k = e->vaddr + e->memsz;
		if (k > elf_brk)
			elf_brk = k;
	}
	uint64_t e_entry = h->entry + load_bias;
	phdr_addr += load_bias;
	elf_brk += load_bias;
	start_code += load_bias;
	end_code += load_bias;
	start_data += load_bias;
	end_data += load_bias;

	uint64_t elf_entry, interp_load_addr = 0;
	if (s->interp) {
		elf_entry = load_elf_interp(b, &s->ih, s->interp, s->iph, load_bias);
		if (!IS_ERR_VALUE((long)elf_entry)) {
			interp_load_addr = elf_entry;
			elf_entry += s->ih.entry;
		}
		if (bad_addr(mm, elf_entry))
			return IS_ERR_VALUE((long)elf_entry) ? (int)(long)elf_entry : -EINVAL;
	} else {
		elf_entry = e_entry;
		if (bad_addr(mm, elf_entry))
			return -EINVAL;
	}
	long vdso = map_vdso(mm);
	if (vdso < 0)
		return (int)vdso;
	struct elf_tables t = {0, interp_load_addr, e_entry, phdr_addr, h->phnum, (uint64_t)vdso};
	err = create_elf_tables(b, &t);
	if (err)
		return err;
	vms_mm_set_image(mm, start_code, end_code, start_data, end_data, b->sp);
	/* The brk: after the highest segment, page aligned; a loader's moves
	 * to ELF_ET_DYN_BASE, out of the mmap area (CONFIG_COMPAT_BRK off);
	 * with full randomisation a page further, then arch_randomize_brk()
	 * within 1 GiB. */
	bool brk_moved = false;
	if (h->type == ET_DYN && !s->interp) {
		elf_brk = ELF_ET_DYN_BASE;
		brk_moved = true;
	}
	mm->start_brk = mm->brk = ELF_PAGEALIGN(elf_brk);
	/* arch_randomize_brk() draws only when the brk is randomised; an
	 * imposed offset applies either way. */
	bool rnd = b->randomize && mm->sys->randomize_va_space > 1;
	if (rnd || (b->fixed && (b->fixed->fixed & VMS_EXEC_FIX_BRK))) {
		if (!brk_moved && rnd)
			mm->start_brk = mm->brk = mm->brk + PAGE_SIZE;
		uint64_t start = mm->brk, range = 1ULL << 30;
		bool saved = b->randomize;
		b->randomize = rnd;
		start += exec_choice(b, VMS_EXEC_FIX_BRK, 0, range >> PAGE_SHIFT) << PAGE_SHIFT;
		b->randomize = saved;
		mm->start_brk = mm->brk = start;
		brk_moved = brk_moved || rnd;
	}
	mm->brk_randomized = brk_moved;
	b->entry = elf_entry;
	b->load_bias = load_bias;
	/* What ld.so will mprotect read-only (_dl_protect_relro): the
	 * program's PT_GNU_RELRO, page-rounded down at both ends. */
	for (size_t i = 0; i < h->phnum; i++) {
		const struct elf_phdr *e = &s->ph[i];
		if (e->type == PT_GNU_RELRO) {
			b->relro_start = (load_bias + e->vaddr) & PAGE_MASK;
			b->relro_end = (load_bias + e->vaddr + e->memsz) & PAGE_MASK;
		}
	}
	b->interp_base = interp_load_addr;
	return 0;
}

int load_elf_binary(struct bprm *b)
{
	struct elf_load_state s;
	memset(&s, 0, sizeof(s));
	int executable_stack;
	int err = check_elf(b, &s, &executable_stack);
	if (!err)
		err = map_image(b, &s, executable_stack);
	sys_free(b->sys, s.ph);
	sys_free(b->sys, s.iph);
	exec_file_free(b, s.interp);
	return err;
}
