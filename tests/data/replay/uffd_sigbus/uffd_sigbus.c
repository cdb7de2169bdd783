/* uffd_sigbus.c: a userfaultfd file and a range registered for missing
 * faults with UFFD_FEATURE_SIGBUS, recorded for tests/test_replay.c
 * (replay_userfaultfd_sigbus_stops_populate): the file is opened O_RDONLY
 * (EACCES for a shared writable mmap, ENODEV for the rest), is not a
 * regular file (ftruncate EINVAL); UFFDIO_* on a memfd is ENOTTY, on a
 * closed descriptor EBADF; populating or mlocking a registered page that
 * is not there is answered with SIGBUS (EFAULT, mlock ENOMEM), a page that
 * is there populates. Built as /tmp/uffd_sigbus:
 *   cc -o /tmp/uffd_sigbus uffd_sigbus.c
 *   scripts/record.sh uffd_sigbus -- /tmp/uffd_sigbus */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	int u = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	int m = (int)syscall(SYS_memfd_create, "x", 0);
	mmap(0, 4096, PROT_WRITE, MAP_SHARED, u, 0);
	mmap(0, 4096, PROT_READ, MAP_SHARED, u, 0);
	mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, u, 0);
	ftruncate(u, 4096);
	struct uffdio_api api = {.api = UFFD_API, .features = UFFD_FEATURE_SIGBUS};
	ioctl(m, UFFDIO_API, &api);
	close(m);
	ioctl(m, UFFDIO_API, &api);
	ioctl(-1, UFFDIO_API, &api);
	ioctl(u, UFFDIO_API, &api);
	char *p = mmap((void *)0x100000000, 8 * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	madvise(p, 4096, MADV_POPULATE_WRITE);
	struct uffdio_register reg = {.range = {(unsigned long)p, 8 * 4096},
				      .mode = UFFDIO_REGISTER_MODE_MISSING};
	ioctl(u, UFFDIO_REGISTER, &reg);
	madvise(p, 2 * 4096, MADV_POPULATE_WRITE);
	madvise(p + 4096, 4096, MADV_POPULATE_READ);
	mlock(p, 8 * 4096);
	madvise(p, 4096, MADV_POPULATE_WRITE);
	return 0;
}
