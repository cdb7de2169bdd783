/* test_anon_name.c: prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME) rules (kernel/sys.c,
 * mm/madvise.c madvise_set_anon_name, 6.18). The live kernel has
 * CONFIG_ANON_VMA_NAME off (always EINVAL); the rest follows the source. */
#include "t.h"

#define PG 4096ULL
#define A 0x200000000ULL
#define RW (VMS_PROT_READ | VMS_PROT_WRITE)

static vms_mm *new_mm(vms_sys *sys)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE};
	vms_sysctl_set(sys, "config.anon_vma_name", 1);
	return vms_mm_new(sys, &cfg);
}

static int map_at(vms_mm *mm, uint64_t a, uint64_t len, int flags, vms_file *f)
{
	return vms_mmap(mm, a, len, RW, flags | VMS_MAP_FIXED, f, 0) == (long)a;
}

static int anon_at(vms_mm *mm, uint64_t a, uint64_t len)
{
	return map_at(mm, a, len, VMS_MAP_PRIVATE | VMS_MAP_ANONYMOUS, NULL);
}

static const char *name_at(vms_mm *mm, uint64_t addr)
{
	const vms_vma *v = vms_find_vma(mm, addr);
	struct vms_vma_info i = {0};
	if (v)
		vms_vma_get_info(v, &i);
	return i.start <= addr ? i.anon_name : NULL;
}

static int count_vmas(vms_mm *mm)
{
	int n = 0;
	for (const vms_vma *v = vms_vma_first(mm); v; v = vms_vma_next(mm, v))
		n++;
	return n;
}

static int streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

TEST(anon_name_without_config_is_always_einval)
{
	struct vms_mm_config cfg = {.personality = VMS_ADDR_NO_RANDOMIZE};
	CHECK_EQ(vms_sysctl_set(sys, "config.anon_vma_name", 0), 0);
	vms_mm *mm = vms_mm_new(sys, &cfg);
	CHECK(anon_at(mm, A, PG));
	/* live (CONFIG_ANON_VMA_NAME=n): EINVAL with any arguments. */
	CHECK_EQ(vms_set_anon_name(mm, A, PG, "x"), -VMS_EINVAL);
	CHECK_EQ(vms_set_anon_name(mm, A, PG, NULL), -VMS_EINVAL);
	CHECK_EQ(vms_set_anon_name(mm, A, 0, NULL), -VMS_EINVAL);
	CHECK(name_at(mm, A) == NULL);
}

TEST(anon_name_names_the_range_and_splits)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG));
	CHECK_EQ(vms_set_anon_name(mm, A + PG, PG, "heap part"), 0);
	CHECK_EQ(count_vmas(mm), 3);
	CHECK(streq(name_at(mm, A + PG), "heap part"));
	CHECK(name_at(mm, A) == NULL);
	CHECK(name_at(mm, A + 2 * PG) == NULL);
	char buf[1024];
	vms_maps_text(mm, buf, sizeof(buf));
	CHECK(strstr(buf, "[anon:heap part]") != NULL);
	VALID(mm);
}

TEST(anon_name_null_clears_and_merges_back)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG));
	CHECK_EQ(vms_set_anon_name(mm, A + PG, PG, "n"), 0);
	CHECK_EQ(vms_set_anon_name(mm, A + PG, PG, NULL), 0);
	CHECK_EQ(count_vmas(mm), 1);
	CHECK(name_at(mm, A + PG) == NULL);
	VALID(mm);
}

TEST(anon_name_equal_names_merge)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG));
	CHECK_EQ(vms_set_anon_name(mm, A, 2 * PG, "same"), 0);
	CHECK_EQ(vms_set_anon_name(mm, A + 2 * PG, 2 * PG, "same"), 0);
	CHECK_EQ(count_vmas(mm), 1);
	CHECK(streq(name_at(mm, A + 3 * PG), "same"));
	/* Renaming to the same name changes nothing. */
	CHECK_EQ(vms_set_anon_name(mm, A + PG, PG, "same"), 0);
	CHECK_EQ(count_vmas(mm), 1);
	VALID(mm);
}

TEST(anon_name_of_80_chars_is_einval_79_is_fine)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, PG));
	char name[81];
	memset(name, 'a', 80);
	name[80] = 0;
	CHECK_EQ(vms_set_anon_name(mm, A, PG, name), -VMS_EINVAL);
	name[79] = 0;
	CHECK_EQ(vms_set_anon_name(mm, A, PG, name), 0);
	CHECK(streq(name_at(mm, A), name));
}

TEST(anon_name_invalid_characters_are_einval)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, PG));
	static const char *bad[] = {"a\\b", "a`b", "a$b", "a[b", "a]b", "a\nb", "a\x7f", "\x1f"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(vms_set_anon_name(mm, A, PG, bad[i]), -VMS_EINVAL);
	CHECK_EQ(vms_set_anon_name(mm, A, PG, " !~{}()#"), 0);
	CHECK(name_at(mm, A) != NULL);
}

TEST(anon_name_empty_name_is_a_name)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, PG));
	CHECK_EQ(vms_set_anon_name(mm, A, PG, ""), 0);
	CHECK(streq(name_at(mm, A), ""));
}

TEST(anon_name_range_checks_follow_madvise)
{
	vms_mm *mm = new_mm(sys);
	CHECK_EQ(vms_set_anon_name(mm, A + 1, PG, "x"), -VMS_EINVAL);
	CHECK_EQ(vms_set_anon_name(mm, A, (uint64_t)-1, "x"), -VMS_EINVAL);
	CHECK_EQ(vms_set_anon_name(mm, A, (uint64_t)-4096, "x"), -VMS_EINVAL);
	CHECK_EQ(vms_set_anon_name(mm, A, 0, "x"), 0);
	CHECK_EQ(vms_set_anon_name(mm, A, PG, "x"), -VMS_ENOMEM);
}

TEST(anon_name_bad_name_is_checked_before_the_range)
{
	vms_mm *mm = new_mm(sys);
	/* Both are EINVAL, but an allocation failure shows the order: the name
	 * is copied before the range is looked at. */
	vms_sys_fail_alloc_after(sys, 1);
	long r = vms_set_anon_name(mm, A + 1, PG, "x");
	vms_sys_fail_alloc_after(sys, 0);
	CHECK_EQ(r, -VMS_ENOMEM);
}

TEST(anon_name_holes_are_enomem_after_applying)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, PG));
	CHECK(anon_at(mm, A + 2 * PG, PG));
	CHECK_EQ(vms_set_anon_name(mm, A, 4 * PG, "h"), -VMS_ENOMEM);
	CHECK(streq(name_at(mm, A), "h"));
	CHECK(streq(name_at(mm, A + 2 * PG), "h"));
	VALID(mm);
}

TEST(anon_name_file_mapping_is_ebadf)
{
	vms_mm *mm = new_mm(sys);
	struct vms_inode_info info = {.dev_major = 8, .dev_minor = 1, .ino = 7, .size = 4 * PG,
				      .path = "/tmp/f"};
	vms_file *f = vms_file_open(vms_inode_get(sys, &info), VMS_O_RDWR);
	CHECK(f);
	CHECK(anon_at(mm, A, PG));
	CHECK(map_at(mm, A + PG, PG, VMS_MAP_PRIVATE, f));
	/* The first VMA is named, then the file VMA stops the walk. */
	CHECK_EQ(vms_set_anon_name(mm, A, 2 * PG, "f"), -VMS_EBADF);
	CHECK(streq(name_at(mm, A), "f"));
	CHECK(name_at(mm, A + PG) == NULL);
	vms_file_close(f);
}

TEST(anon_name_shared_anonymous_can_be_named)
{
	vms_mm *mm = new_mm(sys);
	CHECK(map_at(mm, A, PG, VMS_MAP_SHARED | VMS_MAP_ANONYMOUS, NULL));
	CHECK_EQ(vms_set_anon_name(mm, A, PG, "shm"), 0);
	CHECK(streq(name_at(mm, A), "shm"));
	char buf[1024];
	vms_maps_text(mm, buf, sizeof(buf));
	CHECK(strstr(buf, "[anon_shmem:shm]") != NULL);
}

TEST(anon_name_split_at_map_count_limit_is_eagain)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG));
	CHECK_EQ(vms_sysctl_set(sys, "vm.max_map_count", 1), 0);
	CHECK_EQ(vms_set_anon_name(mm, A + PG, PG, "x"), -VMS_EAGAIN);
	CHECK(name_at(mm, A + PG) == NULL);
	CHECK_EQ(vms_set_anon_name(mm, A, 4 * PG, "x"), 0);
	VALID(mm);
}

TEST(anon_name_alloc_failure_changes_nothing)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG));
	CHECK_EQ(vms_set_anon_name(mm, A, 4 * PG, "old"), 0);
	long r = -VMS_ENOMEM;
	for (uint64_t n = 1; n < 100; n++) {
		vms_sys_fail_alloc_after(sys, n);
		r = vms_set_anon_name(mm, A + PG, PG, "new");
		vms_sys_fail_alloc_after(sys, 0);
		if (r != -VMS_ENOMEM && r != -VMS_EAGAIN)
			break;
		CHECK_EQ(count_vmas(mm), 1);
		CHECK(streq(name_at(mm, A + PG), "old"));
		VALID(mm);
	}
	CHECK_EQ(r, 0);
	CHECK_EQ(count_vmas(mm), 3);
	CHECK(streq(name_at(mm, A + PG), "new"));
	CHECK(streq(name_at(mm, A), "old"));
	VALID(mm);
}

TEST(anon_name_survives_split_and_unmap)
{
	vms_mm *mm = new_mm(sys);
	CHECK(anon_at(mm, A, 4 * PG));
	CHECK_EQ(vms_set_anon_name(mm, A, 4 * PG, "keep"), 0);
	CHECK_EQ(vms_munmap(mm, A + PG, PG), 0);
	CHECK(streq(name_at(mm, A), "keep"));
	CHECK(streq(name_at(mm, A + 2 * PG), "keep"));
	CHECK_EQ(vms_munmap(mm, A, 4 * PG), 0);
	VALID(mm);
}
