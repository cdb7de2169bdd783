/* test_memfd.c: one test per rule of the files a program maps without a
 * path or with a special one (mm/memfd.c, mm/secretmem.c, drivers/char/mem.c,
 * mm/shmem.c, fs/open.c do_ftruncate): memfd_create, seals, memfd_secret,
 * /dev/zero, tmpfs files, ftruncate, and the SIGBUS past a file's end. */
#include "t.h"

#define PG 4096ULL
#define MB (1ULL << 20)
#define RW (VMS_PROT_READ | VMS_PROT_WRITE)
#define X 0x300000000ULL
#define SH VMS_MAP_SHARED
#define PR VMS_MAP_PRIVATE

#define VM_SHARED 0x8ULL
#define VM_MAYWRITE 0x20ULL
#define VM_MAYEXEC 0x40ULL
#define VM_MAYSHARE 0x80ULL
#define VM_LOCKED 0x2000ULL
#define VM_ACCOUNT 0x100000ULL
#define VM_DONTDUMP 0x4000000ULL

static vms_mm *new_mm(vms_sys *sys)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE,
				    .caps = VMS_CAP_SYS_ADMIN | VMS_CAP_IPC_LOCK | VMS_CAP_SYS_RAWIO};
	return vms_mm_new(sys, &cfg);
}

static const char *maps_line(vms_mm *mm, uint64_t addr)
{
	static char text[8192], line[256];
	vms_maps_text(mm, text, sizeof(text));
	char want[32];
	snprintf(want, sizeof(want), "%08llx-", (unsigned long long)addr);
	line[0] = 0;
	for (char *p = text; *p;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (!strncmp(p, want, strlen(want))) {
			snprintf(line, sizeof(line), "%.*s", (int)n, p);
			break;
		}
		p += n + (nl ? 1 : 0);
	}
	return line;
}

static uint64_t flags_at(vms_mm *mm, uint64_t addr)
{
	struct vms_vma_info i;
	const vms_vma *v = vms_find_vma(mm, addr);
	if (!v)
		return 0;
	vms_vma_get_info(v, &i);
	return i.vm_flags;
}

static long map_at(vms_mm *mm, uint64_t addr, uint64_t len, int prot, int flags, vms_file *f,
		   uint64_t off)
{
	return vms_mmap(mm, addr, len, prot, flags | VMS_MAP_FIXED, f, off);
}

/* ---- memfd_create ---- */

TEST(memfd_create_is_a_deleted_shmem_file_named_memfd)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f;
	CHECK_EQ(vms_memfd_create(sys, "hello", VMS_MFD_CLOEXEC, &f), 0);
	CHECK_EQ(vms_ftruncate(f, 3 * PG + 5), 0);
	CHECK_EQ(map_at(mm, X, 4 * PG, RW, SH, f, 0), (long)X);
	CHECK_EQ(map_at(mm, X + 4 * PG, 4 * PG, RW, PR, f, PG), (long)(X + 4 * PG));
	CHECK(!strcmp(maps_line(mm, X), "300000000-300004000 rw-s 00000000 00:01 1"
					"                                /memfd:hello (deleted)"));
	CHECK(!strncmp(maps_line(mm, X + 4 * PG), "300004000-300008000 rw-p 00001000 00:01 1", 41));
	/* A private writable map of it is charged; the shared one is not. */
	CHECK_EQ(flags_at(mm, X) & VM_ACCOUNT, 0);
	CHECK_EQ(flags_at(mm, X + 4 * PG) & VM_ACCOUNT, VM_ACCOUNT);
	vms_file_close(f);
	VALID(mm);
}

TEST(memfd_create_flags_and_name_are_checked)
{
	vms_file *f;
	CHECK_EQ(vms_memfd_create(sys, "x", 0x100, &f), -VMS_EINVAL);
	CHECK_EQ(vms_memfd_create(sys, "x", VMS_MFD_EXEC | VMS_MFD_NOEXEC_SEAL, &f), -VMS_EINVAL);
	/* A huge page size only with MFD_HUGETLB. */
	CHECK_EQ(vms_memfd_create(sys, "x", 21u << VMS_MFD_HUGE_SHIFT, &f), -VMS_EINVAL);
	CHECK_EQ(vms_memfd_create(sys, NULL, 0, &f), -VMS_EFAULT);
	char name[300];
	memset(name, 'n', sizeof(name));
	name[250] = 0; /* NAME_MAX - strlen("memfd:") + 1 */
	CHECK_EQ(vms_memfd_create(sys, name, 0, &f), -VMS_EINVAL);
	name[249] = 0;
	CHECK_EQ(vms_memfd_create(sys, name, 0, &f), 0);
	vms_file_close(f);
}

TEST(memfd_hugetlb_needs_a_size_the_kernel_has)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f;
	CHECK_EQ(vms_memfd_create(sys, "h", VMS_MFD_HUGETLB | (16u << VMS_MFD_HUGE_SHIFT), &f),
		 -VMS_ENODEV);
	CHECK_EQ(vms_memfd_create(sys, "h", VMS_MFD_HUGETLB, &f), 0);
	/* hugetlbfs_setattr(): whole huge pages only. */
	CHECK_EQ(vms_ftruncate(f, PG), -VMS_EINVAL);
	CHECK_EQ(vms_ftruncate(f, 2 * MB), 0);
	/* An empty pool: a reserving map is ENOMEM, MAP_NORESERVE maps. */
	CHECK_EQ(vms_mmap(mm, 0, PG, VMS_PROT_READ, SH, f, 0), -VMS_ENOMEM);
	long a = vms_mmap(mm, 0, PG, VMS_PROT_READ, SH | VMS_MAP_NORESERVE, f, 0);
	CHECK(a > 0);
	CHECK(strstr(maps_line(mm, (uint64_t)a), " 00:11 1 "));
	CHECK(strstr(maps_line(mm, (uint64_t)a), "/memfd:h (deleted)"));
	/* No huge page to fault in: SIGBUS. */
	CHECK_EQ(vms_fault(mm, (uint64_t)a, 0), -VMS_EFAULT);
	vms_file_close(f);
	VALID(mm);
}

TEST(memfd_noexec_sysctl_decides_for_callers_that_do_not)
{
	vms_file *f;
	CHECK_EQ(vms_memfd_create(sys, "e", 0, &f), 0);
	CHECK_EQ(vms_get_seals(f), VMS_F_SEAL_SEAL);
	vms_file_close(f);
	CHECK_EQ(vms_sysctl_set(sys, "vm.memfd_noexec", 1), 0);
	CHECK_EQ(vms_memfd_create(sys, "e", 0, &f), 0);
	CHECK_EQ(vms_get_seals(f), VMS_F_SEAL_EXEC);
	vms_file_close(f);
	CHECK_EQ(vms_memfd_create(sys, "e", VMS_MFD_EXEC, &f), 0);
	vms_file_close(f);
	CHECK_EQ(vms_sysctl_set(sys, "vm.memfd_noexec", 2), 0);
	CHECK_EQ(vms_memfd_create(sys, "e", VMS_MFD_EXEC, &f), -VMS_EACCES);
	CHECK_EQ(vms_memfd_create(sys, "e", 0, &f), 0);
	CHECK_EQ(vms_get_seals(f), VMS_F_SEAL_EXEC);
	vms_file_close(f);
	CHECK_EQ(vms_sysctl_set(sys, "vm.memfd_noexec", 3), -VMS_EINVAL);
}

/* ---- seals ---- */

TEST(memfd_seals_need_allow_sealing_and_a_writable_file)
{
	vms_file *f;
	CHECK_EQ(vms_memfd_create(sys, "s", 0, &f), 0);
	CHECK_EQ(vms_add_seals(f, VMS_F_SEAL_WRITE), -VMS_EPERM);
	vms_file_close(f);
	CHECK_EQ(vms_memfd_create(sys, "s", VMS_MFD_ALLOW_SEALING, &f), 0);
	CHECK_EQ(vms_get_seals(f), 0);
	CHECK_EQ(vms_add_seals(f, 0x40), -VMS_EINVAL);
	CHECK_EQ(vms_add_seals(f, VMS_F_SEAL_SHRINK), 0);
	CHECK_EQ(vms_add_seals(f, VMS_F_SEAL_SEAL), 0);
	CHECK_EQ(vms_add_seals(f, VMS_F_SEAL_GROW), -VMS_EPERM);
	CHECK_EQ(vms_get_seals(f), VMS_F_SEAL_SHRINK | VMS_F_SEAL_SEAL);
	vms_file_close(f);
	/* Only shmem and hugetlbfs files seal. */
	struct vms_inode_info i = {.dev_major = 8, .ino = 7, .size = PG, .path = "/f"};
	vms_file *g = vms_file_open(vms_inode_get(sys, &i), VMS_O_RDWR);
	CHECK_EQ(vms_get_seals(g), -VMS_EINVAL);
	CHECK_EQ(vms_add_seals(g, VMS_F_SEAL_WRITE), -VMS_EINVAL);
	vms_file_close(g);
	g = vms_file_open(vms_inode_get(sys, &i), VMS_O_RDONLY);
	CHECK_EQ(vms_add_seals(g, VMS_F_SEAL_WRITE), -VMS_EPERM);
	vms_file_close(g);
}

/* /dev/zero lives on devtmpfs, a shmem mount, but its file has the
 * driver's f_op: memfd_file_seals_ptr() finds no seals, so F_GET_SEALS and
 * F_ADD_SEALS are EINVAL (a read-only descriptor: EPERM first). Found by
 * the breadth test (seed 1). */
TEST(seals_of_a_device_node_on_tmpfs_are_einval)
{
	struct vms_inode_info i = {.dev_major = 0, .dev_minor = 5, .ino = 4, .path = "/dev/zero",
				   .flags = VMS_INODE_SHMEM | VMS_INODE_DEVZERO};
	vms_file *g = vms_file_open(vms_inode_get(sys, &i), VMS_O_RDWR);
	CHECK_EQ(vms_get_seals(g), -VMS_EINVAL);
	CHECK_EQ(vms_add_seals(g, VMS_F_SEAL_SEAL), -VMS_EINVAL);
	vms_file_close(g);
	g = vms_file_open(vms_inode_get(sys, &i), VMS_O_RDONLY);
	CHECK_EQ(vms_add_seals(g, VMS_F_SEAL_SEAL), -VMS_EPERM);
	CHECK_EQ(vms_get_seals(g), -VMS_EINVAL);
	vms_file_close(g);
	/* a directory on tmpfs: the directory's f_op */
	struct vms_inode_info d = {.dev_major = 0, .dev_minor = 30, .ino = 1, .path = "/dev/shm",
				   .flags = VMS_INODE_SHMEM | VMS_INODE_DIRECTORY};
	g = vms_file_open(vms_inode_get(sys, &d), VMS_O_RDONLY);
	CHECK_EQ(vms_get_seals(g), -VMS_EINVAL);
	vms_file_close(g);
}

TEST(memfd_seal_write_is_ebusy_under_a_shared_map_that_may_write)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f;
	CHECK_EQ(vms_memfd_create(sys, "w", VMS_MFD_ALLOW_SEALING, &f), 0);
	CHECK_EQ(vms_ftruncate(f, 4 * PG), 0);
	/* Read-only, but VM_MAYWRITE: it counts. A private map does not. */
	CHECK_EQ(map_at(mm, X, PG, VMS_PROT_READ, SH, f, 0), (long)X);
	CHECK_EQ(map_at(mm, X + PG, PG, RW, PR, f, 0), (long)(X + PG));
	CHECK_EQ(vms_add_seals(f, VMS_F_SEAL_WRITE), -VMS_EBUSY);
	CHECK_EQ(vms_munmap(mm, X, PG), 0);
	CHECK_EQ(vms_add_seals(f, VMS_F_SEAL_WRITE), 0);
	/* Then: no new shared writable map, and a read-only one may never
	 * become writable (VM_MAYWRITE goes, VM_SHARED stays). */
	CHECK_EQ(map_at(mm, X, PG, RW, SH, f, 0), -VMS_EPERM);
	CHECK_EQ(map_at(mm, X, PG, VMS_PROT_READ, SH, f, 0), (long)X);
	CHECK_EQ(flags_at(mm, X) & (VM_SHARED | VM_MAYWRITE), VM_SHARED);
	CHECK_EQ(vms_mprotect(mm, X, PG, RW), -VMS_EACCES);
	CHECK_EQ(map_at(mm, X + 2 * PG, PG, RW, PR, f, 0), (long)(X + 2 * PG));
	/* A hole may not be punched in it. */
	CHECK_EQ(vms_madvise(mm, X, PG, VMS_MADV_REMOVE), -VMS_EACCES);
	vms_file_close(f);
	VALID(mm);
}

TEST(memfd_future_write_seal_spares_existing_writable_maps)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f;
	CHECK_EQ(vms_memfd_create(sys, "fw", VMS_MFD_ALLOW_SEALING, &f), 0);
	CHECK_EQ(vms_ftruncate(f, PG), 0);
	CHECK_EQ(map_at(mm, X, PG, RW, SH, f, 0), (long)X);
	CHECK_EQ(vms_add_seals(f, VMS_F_SEAL_FUTURE_WRITE), 0);
	CHECK_EQ(map_at(mm, X + PG, PG, RW, SH, f, 0), -VMS_EPERM);
	CHECK_EQ(vms_mprotect(mm, X, PG, VMS_PROT_READ), 0);
	CHECK_EQ(vms_mprotect(mm, X, PG, RW), 0);
	/* The old mapping may write, but not punch a hole. */
	CHECK_EQ(vms_madvise(mm, X, PG, VMS_MADV_REMOVE), -VMS_EPERM);
	vms_file_close(f);
	VALID(mm);
}

TEST(memfd_seal_exec_on_an_executable_file_implies_the_write_seals)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f;
	CHECK_EQ(vms_memfd_create(sys, "x", VMS_MFD_ALLOW_SEALING | VMS_MFD_EXEC, &f), 0);
	CHECK_EQ(vms_ftruncate(f, PG), 0);
	CHECK_EQ(map_at(mm, X, PG, VMS_PROT_READ, SH, f, 0), (long)X);
	/* ... with F_SEAL_WRITE's check. */
	CHECK_EQ(vms_add_seals(f, VMS_F_SEAL_EXEC), -VMS_EBUSY);
	CHECK_EQ(vms_munmap(mm, X, PG), 0);
	CHECK_EQ(vms_add_seals(f, VMS_F_SEAL_EXEC), 0);
	CHECK_EQ(vms_get_seals(f), VMS_F_SEAL_EXEC | VMS_F_SEAL_SHRINK | VMS_F_SEAL_GROW |
					   VMS_F_SEAL_WRITE | VMS_F_SEAL_FUTURE_WRITE);
	vms_file_close(f);
	/* MFD_NOEXEC_SEAL: not executable, so nothing more; mapping for
	 * execution is still allowed. */
	CHECK_EQ(vms_memfd_create(sys, "nx", VMS_MFD_NOEXEC_SEAL, &f), 0);
	CHECK_EQ(vms_get_seals(f), VMS_F_SEAL_EXEC);
	CHECK_EQ(vms_ftruncate(f, PG), 0);
	CHECK_EQ(map_at(mm, X, PG, VMS_PROT_READ | VMS_PROT_EXEC, SH, f, 0), (long)X);
	vms_file_close(f);
	VALID(mm);
}

/* ---- ftruncate ---- */

TEST(ftruncate_checks_length_mode_and_seals)
{
	vms_file *f;
	CHECK_EQ(vms_memfd_create(sys, "t", VMS_MFD_ALLOW_SEALING, &f), 0);
	CHECK_EQ(vms_ftruncate(f, -1), -VMS_EINVAL);
	CHECK_EQ(vms_ftruncate(f, 8 * PG), 0);
	CHECK_EQ(vms_add_seals(f, VMS_F_SEAL_SHRINK), 0);
	CHECK_EQ(vms_ftruncate(f, 4 * PG), -VMS_EPERM);
	CHECK_EQ(vms_ftruncate(f, 16 * PG), 0);
	CHECK_EQ(vms_add_seals(f, VMS_F_SEAL_GROW), 0);
	CHECK_EQ(vms_ftruncate(f, 17 * PG), -VMS_EPERM);
	CHECK_EQ(vms_ftruncate(f, 16 * PG), 0);
	vms_file_close(f);
	/* A read-only descriptor, a directory, a device: EINVAL. */
	struct vms_inode_info i = {.dev_major = 8, .ino = 7, .size = PG, .path = "/f"};
	vms_file *g = vms_file_open(vms_inode_get(sys, &i), VMS_O_RDONLY);
	CHECK_EQ(vms_ftruncate(g, PG), -VMS_EINVAL);
	vms_file_close(g);
	struct vms_inode_info z = {.dev_minor = 6, .ino = 4, .path = "/dev/zero",
				   .flags = VMS_INODE_DEVZERO};
	g = vms_file_open(vms_inode_get(sys, &z), VMS_O_RDWR);
	CHECK_EQ(vms_ftruncate(g, PG), -VMS_EINVAL);
	vms_file_close(g);
	/* ext4's largest file is 4 KiB short of 16 TiB; tmpfs goes further. */
	g = vms_file_open(vms_inode_get(sys, &i), VMS_O_RDWR);
	CHECK_EQ(vms_ftruncate(g, 1LL << 44), -VMS_EFBIG);
	CHECK_EQ(vms_ftruncate(g, (1LL << 44) - 4096), 0);
	vms_file_close(g);
	CHECK_EQ(vms_memfd_create(sys, "t", 0, &f), 0);
	CHECK_EQ(vms_ftruncate(f, 1LL << 50), 0);
	vms_file_close(f);
}

TEST(ftruncate_shrink_takes_pages_past_the_end_and_faults_sigbus)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f;
	CHECK_EQ(vms_memfd_create(sys, "z", 0, &f), 0);
	CHECK_EQ(vms_ftruncate(f, 4 * PG), 0);
	CHECK_EQ(map_at(mm, X, 4 * PG, RW, SH, f, 0), (long)X);
	CHECK_EQ(map_at(mm, X + 8 * PG, 4 * PG, RW, PR, f, 0), (long)(X + 8 * PG));
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(vms_fault(mm, X + (uint64_t)i * PG, 1), 0);
		CHECK_EQ(vms_fault(mm, X + 8 * PG + (uint64_t)i * PG, 1), 0);
	}
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	CHECK_EQ(c.rss_shmem, 4);
	CHECK_EQ(c.rss_anon, 4);
	/* Shrunk to 1.5 pages: from page 2 on every page goes, copies too. */
	CHECK_EQ(vms_ftruncate(f, PG + PG / 2), 0);
	vms_mm_get_counters(mm, &c);
	CHECK_EQ(c.rss_shmem, 2);
	CHECK_EQ(c.rss_anon, 2);
	CHECK_EQ(vms_fault(mm, X + PG, 0), 0);
	CHECK_EQ(vms_fault(mm, X + 2 * PG, 0), -VMS_EFAULT);
	CHECK_EQ(vms_fault(mm, X + 10 * PG, 1), -VMS_EFAULT);
	vms_file_close(f);
	VALID(mm);
}

/* ---- memfd_secret ---- */

TEST(memfd_secret_maps_shared_locked_and_not_executable)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f;
	CHECK_EQ(vms_memfd_secret(sys, 1, &f), -VMS_EINVAL);
	CHECK_EQ(vms_memfd_secret(sys, 02000000, &f), 0);
	CHECK_EQ(vms_ftruncate(f, 4 * PG), 0);
	/* secretmem_setattr(): once. */
	CHECK_EQ(vms_ftruncate(f, 8 * PG), -VMS_EINVAL);
	CHECK_EQ(map_at(mm, X, 4 * PG, RW, PR, f, 0), -VMS_EINVAL);
	CHECK_EQ(map_at(mm, X, 4 * PG, RW | VMS_PROT_EXEC, SH, f, 0), -VMS_EPERM);
	CHECK_EQ(map_at(mm, X, 4 * PG, RW, SH, f, 0), (long)X);
	CHECK(!strcmp(maps_line(mm, X), "300000000-300004000 rw-s 00000000 00:0e 1"
					"                                /secretmem (deleted)"));
	CHECK_EQ(flags_at(mm, X) & (VM_LOCKED | VM_DONTDUMP | VM_MAYEXEC), VM_LOCKED | VM_DONTDUMP);
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	CHECK_EQ(c.locked_vm, 4);
	/* munlock leaves secretmem locked (mlock_fixup()). */
	CHECK_EQ(vms_munlock(mm, X, 4 * PG), 0);
	CHECK_EQ(flags_at(mm, X) & VM_LOCKED, VM_LOCKED);
	vms_file_close(f);
	CHECK_EQ(vms_sysctl_set(sys, "config.secretmem", 0), 0);
	CHECK_EQ(vms_memfd_secret(sys, 0, &f), -VMS_ENOSYS);
	VALID(mm);
}

TEST(memfd_secret_respects_rlimit_memlock)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE,
				    .has_rlimits = 1,
				    .rlim_stack = {8 * MB, VMS_RLIM_INFINITY},
				    .rlim_data = {VMS_RLIM_INFINITY, VMS_RLIM_INFINITY},
				    .rlim_as = {VMS_RLIM_INFINITY, VMS_RLIM_INFINITY},
				    .rlim_memlock = {4 * PG, 4 * PG}};
	vms_mm *mm = vms_mm_new(sys, &cfg);
	vms_file *f;
	CHECK_EQ(vms_memfd_secret(sys, 0, &f), 0);
	CHECK_EQ(vms_ftruncate(f, 8 * PG), 0);
	CHECK_EQ(map_at(mm, X, 4 * PG, RW, SH, f, 0), (long)X);
	/* secretmem_mmap_prepare() runs after the old range went. */
	CHECK_EQ(map_at(mm, X + 4 * PG, 4 * PG, RW, PR | VMS_MAP_ANONYMOUS, NULL, 0),
		 (long)(X + 4 * PG));
	CHECK_EQ(map_at(mm, X + 4 * PG, PG, RW, SH, f, 0), -VMS_EAGAIN);
	CHECK_EQ(vms_find_vma(mm, X + 4 * PG) != NULL, 1);
	vms_file_close(f);
	VALID(mm);
}

/* dup_mmap() clears VM_LOCKED in a fork child, and mlock_fixup() never
 * sets it again on secret memory: there MADV_REMOVE passes madvise_remove()'s
 * locked check and meets vfs_fallocate() without ->fallocate (EOPNOTSUPP,
 * before the hole after it), and mlock's populate cannot take the pages
 * (ENOMEM). Live: each call below in a child, the same (breadth seed 4068). */
TEST(memfd_secret_in_a_fork_child_is_unlocked_and_has_no_fallocate)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f;
	CHECK_EQ(vms_memfd_secret(sys, 0, &f), 0);
	CHECK_EQ(vms_ftruncate(f, 256 * PG), 0);
	CHECK_EQ(map_at(mm, X, 256 * PG, VMS_PROT_NONE, SH, f, 0), (long)X);
	CHECK_EQ(vms_madvise(mm, X, PG, VMS_MADV_REMOVE), -VMS_EINVAL);
	int err = 0;
	vms_mm *child = vms_fork(mm, &err);
	CHECK(child != NULL);
	CHECK_EQ(flags_at(child, X) & VM_LOCKED, 0);
	CHECK_EQ(vms_madvise(child, X, PG, VMS_MADV_REMOVE), -VMS_EOPNOTSUPP);
	CHECK_EQ(vms_madvise(child, X + 255 * PG, 2 * PG, VMS_MADV_REMOVE), -VMS_EOPNOTSUPP);
	CHECK_EQ(vms_madvise(child, X, PG, VMS_MADV_DONTNEED), 0);
	CHECK_EQ(vms_mlock(child, X, PG), -VMS_ENOMEM);
	CHECK_EQ(flags_at(child, X) & VM_LOCKED, 0);
	CHECK_EQ(vms_madvise(child, X, PG, VMS_MADV_REMOVE), -VMS_EOPNOTSUPP);
	VALID(child);
	vms_mm_free(child);
	vms_file_close(f);
	VALID(mm);
}

/* ---- /dev/zero and tmpfs files ---- */

static vms_file *dev_zero(vms_sys *sys, int oflags)
{
	struct vms_inode_info z = {.dev_minor = 6, .ino = 4, .path = "/dev/zero",
				   .flags = VMS_INODE_DEVZERO};
	return vms_file_open(vms_inode_get(sys, &z), oflags);
}

TEST(dev_zero_shared_is_new_shmem_keeping_its_offset)
{
	vms_mm *mm = new_mm(sys);
	vms_file *z = dev_zero(sys, VMS_O_RDWR);
	CHECK_EQ(map_at(mm, X, 2 * PG, RW, SH, z, 5 * PG), (long)X);
	CHECK_EQ(map_at(mm, X + 2 * PG, 2 * PG, RW, SH, z, 7 * PG), (long)(X + 2 * PG));
	/* Two objects: no merge; each "/dev/zero (deleted)" on the shmem mount. */
	CHECK(!strcmp(maps_line(mm, X), "300000000-300002000 rw-s 00005000 00:01 1"
					"                                /dev/zero (deleted)"));
	CHECK(!strncmp(maps_line(mm, X + 2 * PG), "300002000-300004000 rw-s 00007000 00:01 2", 41));
	vms_file_close(z);
	VALID(mm);
}

TEST(dev_zero_private_is_anonymous_memory_that_keeps_the_file)
{
	vms_mm *mm = new_mm(sys);
	vms_file *z = dev_zero(sys, VMS_O_RDWR);
	CHECK_EQ(map_at(mm, X, 2 * PG, RW, PR, z, 5 * PG), (long)X);
	CHECK(!strcmp(maps_line(mm, X), "300000000-300002000 rw-p 00005000 00:06 4"
					"                                /dev/zero"));
	CHECK_EQ(flags_at(mm, X) & VM_ACCOUNT, VM_ACCOUNT);
	/* Anonymous: a read maps the zero page, a write an anonymous page. */
	CHECK_EQ(vms_fault(mm, X, 0), 0);
	CHECK_EQ(vms_fault(mm, X + PG, 1), 0);
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	CHECK_EQ(c.rss_anon, 1);
	CHECK_EQ(c.rss_file, 0);
	/* Not a neighbour's to merge with: it has a file. */
	CHECK_EQ(map_at(mm, X + 2 * PG, PG, RW, PR | VMS_MAP_ANONYMOUS, NULL, 0), (long)(X + 2 * PG));
	CHECK(vms_find_vma(mm, X + 2 * PG) != vms_find_vma(mm, X));
	/* A read-only descriptor shared: anonymous too, "r--s" on /dev/zero. */
	vms_file *r = dev_zero(sys, VMS_O_RDONLY);
	CHECK_EQ(map_at(mm, X + 8 * PG, PG, VMS_PROT_READ, SH, r, 0), (long)(X + 8 * PG));
	CHECK(!strncmp(maps_line(mm, X + 8 * PG), "300008000-300009000 r--s 00000000 00:06 4", 41));
	CHECK_EQ(flags_at(mm, X + 8 * PG) & (VM_SHARED | VM_MAYSHARE), VM_MAYSHARE);
	/* MAP_SYNC is not for devices. */
	CHECK_EQ(map_at(mm, X, PG, RW, VMS_MAP_SHARED_VALIDATE | VMS_MAP_SYNC, z, 0),
		 -VMS_EOPNOTSUPP);
	vms_file_close(z);
	vms_file_close(r);
	VALID(mm);
}

TEST(tmpfs_file_maps_as_shmem_and_refuses_map_sync)
{
	vms_mm *mm = new_mm(sys);
	struct vms_inode_info i = {.dev_minor = 0x1a, .ino = 3, .size = 4 * PG, .path = "/dev/shm/x",
				   .flags = VMS_INODE_SHMEM};
	vms_file *f = vms_file_open(vms_inode_get(sys, &i), VMS_O_RDWR);
	CHECK_EQ(vms_get_seals(f), VMS_F_SEAL_SEAL);
	CHECK_EQ(map_at(mm, X, 4 * PG, RW, VMS_MAP_SHARED_VALIDATE | VMS_MAP_SYNC, f, 0),
		 -VMS_EOPNOTSUPP);
	CHECK_EQ(map_at(mm, X, 4 * PG, RW, SH, f, 0), (long)X);
	CHECK_EQ(vms_fault(mm, X, 1), 0);
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	CHECK_EQ(c.rss_shmem, 1);
	/* A named tmpfs file is not anonymous shmem: no anon name. */
	CHECK_EQ(vms_set_anon_name(mm, X, PG, "n"), -VMS_EBADF);
	vms_file_close(f);
	VALID(mm);
}

TEST(file_page_past_the_end_is_sigbus_and_a_private_write_prepares_the_anon_vma)
{
	vms_mm *mm = new_mm(sys);
	struct vms_inode_info i = {.dev_major = 8, .ino = 9, .size = PG + 1, .path = "/f"};
	vms_file *f = vms_file_open(vms_inode_get(sys, &i), VMS_O_RDWR);
	CHECK_EQ(map_at(mm, X, 4 * PG, RW, PR, f, 0), (long)X);
	CHECK_EQ(vms_fault(mm, X + PG, 0), 0);
	CHECK_EQ(vms_fault(mm, X + 2 * PG, 0), -VMS_EFAULT);
	struct vms_vma_info vi;
	vms_vma_get_info(vms_find_vma(mm, X), &vi);
	CHECK_EQ(vi.anon_vma, 0);
	CHECK_EQ(vms_fault(mm, X + 2 * PG, 1), -VMS_EFAULT);
	vms_vma_get_info(vms_find_vma(mm, X), &vi);
	CHECK(vi.anon_vma != 0);
	vms_file_close(f);
	VALID(mm);
}

/* ---- running out of the model's memory changes nothing ---- */

TEST(memfd_alloc_failure_changes_nothing)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f = NULL;
	for (uint64_t n = 1; n < 8; n++) {
		struct t_snap before, after;
		t_snap_take(sys, mm, &before);
		vms_sys_fail_alloc_after(sys, n);
		long r = vms_memfd_create(sys, "a", 0, &f);
		vms_sys_fail_alloc_after(sys, 0);
		if (r == 0)
			break;
		CHECK_EQ(r, -VMS_ENOMEM);
		CHECK(f == NULL);
		t_snap_take(sys, mm, &after);
		CHECK(t_snap_equal(&before, &after));
	}
	CHECK(f);
	CHECK_EQ(vms_ftruncate(f, 4 * PG), 0);
	vms_file *z = dev_zero(sys, VMS_O_RDWR);
	for (uint64_t n = 1; n < 16; n++) {
		struct t_snap before, after;
		t_snap_take(sys, mm, &before);
		vms_sys_fail_alloc_after(sys, n);
		long r = map_at(mm, X, 4 * PG, RW, SH, z, 0);
		vms_sys_fail_alloc_after(sys, 0);
		if (r >= 0)
			break;
		CHECK_EQ(r, -VMS_ENOMEM);
		t_snap_take(sys, mm, &after);
		CHECK(t_snap_equal(&before, &after));
	}
	vms_file_close(z);
	vms_file_close(f);
	VALID(mm);
}

/* ---- fallocate ---- */

TEST(fallocate_grows_unless_keep_size_and_checks_modes_and_seals)
{
	vms_file *f;
	CHECK_EQ(vms_memfd_create(sys, "f", VMS_MFD_ALLOW_SEALING, &f), 0);
	CHECK_EQ(vms_fallocate(f, 0, 0, 3 * PG), 0);
	CHECK_EQ(vms_get_seals(f), 0);
	CHECK_EQ(vms_fallocate(f, 1, 0, 8 * PG), 0); /* FALLOC_FL_KEEP_SIZE */
	CHECK_EQ(vms_fallocate(f, -1, 0, PG), -VMS_EOPNOTSUPP);
	CHECK_EQ(vms_fallocate(f, 2, 0, PG), -VMS_EOPNOTSUPP);    /* a hole needs KEEP_SIZE */
	CHECK_EQ(vms_fallocate(f, 0x10, 0, PG), -VMS_EOPNOTSUPP); /* no zero range on tmpfs */
	CHECK_EQ(vms_fallocate(f, 0x9, 0, PG), -VMS_EOPNOTSUPP);  /* collapse with KEEP_SIZE */
	CHECK_EQ(vms_fallocate(f, 0x100, 0, PG), -VMS_EOPNOTSUPP);
	CHECK_EQ(vms_fallocate(f, 0, -1, PG), -VMS_EINVAL);
	CHECK_EQ(vms_fallocate(f, 0, 0, 0), -VMS_EINVAL);
	CHECK_EQ(vms_fallocate(f, 0, 1LL << 62, 1LL << 62), -VMS_EFBIG);
	CHECK_EQ(vms_add_seals(f, VMS_F_SEAL_GROW), 0);
	/* F_SEAL_GROW refuses space past the end even with KEEP_SIZE. */
	CHECK_EQ(vms_fallocate(f, 1, 0, 16 * PG), -VMS_EPERM);
	CHECK_EQ(vms_fallocate(f, 0, 0, PG), 0);
	CHECK_EQ(vms_fallocate(f, 3, 0, PG), 0);
	CHECK_EQ(vms_add_seals(f, VMS_F_SEAL_FUTURE_WRITE), 0);
	CHECK_EQ(vms_fallocate(f, 3, 0, PG), -VMS_EPERM);
	vms_file_close(f);
	/* secretmem has no fallocate; a device none either; a read-only
	 * descriptor is EBADF before anything else. */
	CHECK_EQ(vms_memfd_secret(sys, 0, &f), 0);
	CHECK_EQ(vms_fallocate(f, 0, 0, PG), -VMS_EOPNOTSUPP);
	vms_file_close(f);
	struct vms_inode_info z = {.dev_minor = 6, .ino = 4, .path = "/dev/zero",
				   .flags = VMS_INODE_DEVZERO};
	vms_file *g = vms_file_open(vms_inode_get(sys, &z), VMS_O_RDWR);
	CHECK_EQ(vms_fallocate(g, 0, 0, PG), -VMS_ENODEV);
	vms_file_close(g);
	g = vms_file_open(vms_inode_get(sys, &z), VMS_O_RDONLY);
	CHECK_EQ(vms_fallocate(g, 0, 0, PG), -VMS_EBADF);
	vms_file_close(g);
	/* An empty hugetlb pool has no page to give. */
	CHECK_EQ(vms_memfd_create(sys, "h", VMS_MFD_HUGETLB, &f), 0);
	CHECK_EQ(vms_fallocate(f, 0, 0, PG), -VMS_ENOSPC);
	CHECK_EQ(vms_fallocate(f, 3, 0, PG), 0);
	vms_file_close(f);
}

TEST(fallocate_punch_hole_takes_whole_pages_from_every_mapping)
{
	vms_mm *mm = new_mm(sys);
	vms_file *f;
	CHECK_EQ(vms_memfd_create(sys, "p", 0, &f), 0);
	CHECK_EQ(vms_ftruncate(f, 4 * PG), 0);
	CHECK_EQ(map_at(mm, X, 4 * PG, RW, SH, f, 0), (long)X);
	CHECK_EQ(map_at(mm, X + 8 * PG, 4 * PG, RW, PR, f, 0), (long)(X + 8 * PG));
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(vms_fault(mm, X + (uint64_t)i * PG, 1), 0);
		CHECK_EQ(vms_fault(mm, X + 8 * PG + (uint64_t)i * PG, i & 1), 0);
	}
	struct vms_mm_counters c;
	vms_mm_get_counters(mm, &c);
	CHECK_EQ(c.rss_shmem, 6);
	CHECK_EQ(c.rss_anon, 2);
	/* [PG/2, 3 PG + PG/2): pages 1 and 2 go, the edges are only zeroed;
	 * the private copy of page 1 stays. */
	CHECK_EQ(vms_fallocate(f, 3, PG / 2, 3 * PG), 0);
	vms_mm_get_counters(mm, &c);
	CHECK_EQ(c.rss_shmem, 3);
	CHECK_EQ(c.rss_anon, 2);
	vms_file_close(f);
	VALID(mm);
}

/* fs/pidfs.c: a pidfd's file is a regular file of pidfs (opened O_RDWR
 * without O_LARGEFILE) with no mmap, fallocate or setattr: ftruncate is
 * EINVAL past 2 GiB, else EOPNOTSUPP; fallocate passes vfs_fallocate's
 * regular-file check and meets no ->fallocate (EOPNOTSUPP); mmap ENODEV.
 * An anonymous inode that is not regular (userfaultfd, eventfd): ftruncate
 * EINVAL, fallocate ENODEV. Live (breadth seeds 1013, 1028). */
TEST(pidfd_file_is_regular_without_fallocate_or_setattr)
{
	vms_mm *mm = new_mm(sys);
	struct vms_inode_info pi = {.ino = 77, .path = "anon_inode:[pidfd]",
				    .flags = VMS_INODE_NOEXEC | VMS_INODE_NOMMAP | VMS_INODE_DELETED |
					     VMS_INODE_PIDFS};
	vms_file *pf = vms_file_open(vms_inode_get(sys, &pi), VMS_O_RDWR);
	CHECK(pf != NULL);
	CHECK_EQ(vms_ftruncate(pf, 100), -VMS_EOPNOTSUPP);
	CHECK_EQ(vms_ftruncate(pf, 0x7fffffff), -VMS_EOPNOTSUPP);
	CHECK_EQ(vms_ftruncate(pf, 0x80000000LL), -VMS_EINVAL);
	CHECK_EQ(vms_fallocate(pf, 0, 0, 4096), -VMS_EOPNOTSUPP);
	CHECK_EQ(vms_fallocate(pf, 0, 0, 1LL << 62), -VMS_EOPNOTSUPP);
	CHECK_EQ(map_at(mm, X, PG, RW, SH, pf, 0), -VMS_ENODEV);
	struct vms_inode_info ui = {.ino = 78, .path = "anon_inode:[userfaultfd]",
				    .flags = VMS_INODE_NOEXEC | VMS_INODE_NOMMAP | VMS_INODE_DELETED};
	vms_file *uf = vms_file_open(vms_inode_get(sys, &ui), VMS_O_RDWR);
	CHECK(uf != NULL);
	CHECK_EQ(vms_ftruncate(uf, 100), -VMS_EINVAL);
	CHECK_EQ(vms_fallocate(uf, 0, 0, 4096), -VMS_ENODEV);
	vms_file_close(pf);
	vms_file_close(uf);
	VALID(mm);
}
