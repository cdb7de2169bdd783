/*
 * uffd.c: the program behind tests/data/replay/uffd (recorded with
 * scripts/record.sh): userfaultfd contexts and their ranges as a program
 * makes them: UFFDIO_API, REGISTER in two modes (splitting a VMA), COPY and
 * ZEROPAGE (pages become resident), UNREGISTER of part, a second context
 * refused (EBUSY), an mprotect across ranges of different contexts (they do
 * not merge), a move with mremap and a fork (both drop the registration
 * without the events; with UFFD_FEATURE_EVENT_FORK the fork would wait for a
 * reader of the event), and the close that unregisters and merges.
 * Built with `cc -O1 -o /tmp/uffd uffd.c`.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL

static char src[2 * PG];

static int reg(int fd, char *p, unsigned long len, unsigned long long mode)
{
	struct uffdio_register r = {.range = {.start = (unsigned long)p, .len = len}, .mode = mode};
	return ioctl(fd, UFFDIO_REGISTER, &r);
}

int main(void)
{
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	struct uffdio_api api = {.api = UFFD_API};
	ioctl(fd, UFFDIO_API, &api);
	/* Away from libc's written data, whose anon_vma a neighbour would
	 * share (the log does not show those writes). */
	char *p = mmap((void *)0x200000000UL, 16 * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	reg(fd, p + PG, 4 * PG, UFFDIO_REGISTER_MODE_MISSING);
	reg(fd, p + 8 * PG, 2 * PG, UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP);
	src[0] = 1;
	src[PG] = 1;
	struct uffdio_copy c = {.dst = (unsigned long)p + PG, .src = (unsigned long)src, .len = 2 * PG};
	ioctl(fd, UFFDIO_COPY, &c);
	ioctl(fd, UFFDIO_COPY, &c); /* EEXIST: the pages are there now */
	struct uffdio_zeropage z = {.range = {.start = (unsigned long)p + 3 * PG, .len = PG}};
	ioctl(fd, UFFDIO_ZEROPAGE, &z);
	struct uffdio_range u = {.start = (unsigned long)p + 2 * PG, .len = PG};
	ioctl(fd, UFFDIO_UNREGISTER, &u);
	reg(fd, p + PG, 4 * PG, UFFDIO_REGISTER_MODE_MISSING);
	reg(fd, (char *)0x1000, PG, UFFDIO_REGISTER_MODE_MISSING); /* EINVAL */
	reg(fd, p, PG, UFFDIO_REGISTER_MODE_MINOR);		    /* EINVAL: anonymous */

	int fd2 = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	struct uffdio_api api2 = {.api = UFFD_API, .features = UFFD_FEATURE_THREAD_ID};
	ioctl(fd2, UFFDIO_API, &api2);
	ioctl(fd2, UFFDIO_API, &api2); /* EINVAL: only once */
	reg(fd2, p + PG, PG, UFFDIO_REGISTER_MODE_MISSING); /* EBUSY */
	reg(fd2, p + 12 * PG, 2 * PG, UFFDIO_REGISTER_MODE_MISSING);
	reg(fd2, p + 14 * PG, PG, UFFDIO_REGISTER_MODE_MISSING);
	mprotect(p, 16 * PG, PROT_READ);
	/* a move without UFFD_FEATURE_EVENT_REMAP (the page above is taken, so
	 * growing moves it): the moved VMA is not registered */
	char *q = mremap(p + 14 * PG, PG, 4 * PG, MREMAP_MAYMOVE);
	(void)q;
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	close(fd);
	struct uffdio_range u2 = {.start = (unsigned long)p + 12 * PG, .len = PG};
	ioctl(fd2, UFFDIO_UNREGISTER, &u2);
	return 0;
}
