/*
 * fds.c: what `vmspace replay` follows of descriptors and files: open file
 * descriptions (shared by dup and fork), descriptor tables, working
 * directories and paths (chdir, dirfds), what the log says of a file's
 * identity (fstat and friends) and the vms_file a mapping of it uses, named
 * as the kernel prints it (this host's canonical path when it is the trace's
 * file), and which process a pidfd names. Not here: the memory calls
 * (replay.c) or processes (procs.c).
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

static struct ofd *ofd_new(const char *path, int oflags)
{
	struct ofd *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->refs = 1;
	f->oflags = oflags & (VMS_O_RDWR | VMS_O_WRONLY | VMS_O_APPEND);
	if (path && !(f->path = strdup(path))) {
		free(f);
		return NULL;
	}
	return f;
}

/* An open file description whose path is the kernel's own name for the file:
 * strace -y prints d_path(), as the maps do. */
struct ofd *ofd_new_canonical(const char *path, int oflags)
{
	struct ofd *f = ofd_new(path, oflags);
	if (!f)
		return NULL;
	f->canonical = 1;
	if (path && path[0] == '/') {
		if (!(f->lookup = strdup(path))) {
			free(f->path);
			free(f);
			return NULL;
		}
	}
	return f;
}

/* A file the model made itself (memfd_create, memfd_secret): named as the
 * kernel names it, with its vms_file already made (the reference moves in). */
struct ofd *ofd_new_internal(const char *path, vms_file *vf)
{
	struct ofd *f = ofd_new_canonical(path, VMS_O_RDWR);
	if (!f)
		return NULL;
	f->memfd = 1;
	f->deleted = 1;
	f->vf = vf;
	f->inode = vms_file_inode(vf);
	return f;
}

static void ofd_put(struct ofd *f)
{
	if (!f || --f->refs)
		return;
	/* The last close of a userfaultfd file releases its context. */
	if (f->uffd)
		vms_uffd_close(f->uffd);
	if (f->vf)
		vms_file_close(f->vf);
	free(f->path);
	free(f->lookup);
	free(f);
}

struct fdtab *fdtab_new(void)
{
	struct fdtab *t = calloc(1, sizeof(*t));
	if (t)
		t->refs = 1;
	return t;
}

struct fdtab *fdtab_copy(const struct fdtab *src)
{
	struct fdtab *t = fdtab_new();
	if (!t)
		return NULL;
	if (src && src->n) {
		t->fd = calloc((size_t)src->n, sizeof(*t->fd));
		if (!t->fd) {
			free(t);
			return NULL;
		}
		t->n = src->n;
		memcpy(t->closed, src->closed, sizeof(t->closed));
		for (int i = 0; i < src->n; i++)
			if ((t->fd[i] = src->fd[i]))
				t->fd[i]->refs++;
	}
	return t;
}

void fdtab_put(struct fdtab *t)
{
	if (!t || --t->refs)
		return;
	for (int i = 0; i < t->n; i++)
		ofd_put(t->fd[i]);
	free(t->fd);
	free(t);
}

bool ofd_anon_inode(const struct ofd *f)
{
	return f->pidfd_pid || f->uffd || (f->path && !strncmp(f->path, "anon_inode:", 11));
}

struct ofd *fd_get(struct fdtab *t, uint64_t fd)
{
	return t && fd < (uint64_t)t->n ? t->fd[fd] : NULL;
}

bool fd_closed(const struct fdtab *t, uint64_t fd)
{
	if ((int64_t)(int32_t)fd < 0)
		return true; /* fdget() of a negative int finds nothing */
	return t && fd < FD_CLOSED_MAX && (t->closed[fd / 64] >> (fd % 64) & 1) &&
	       !fd_get((struct fdtab *)t, fd);
}

/* Installs f (the caller's reference moves in) at fd, closing what was there. */
int fd_install(struct fdtab *t, uint64_t fd, struct ofd *f)
{
	if (fd > (1u << 24)) {
		ofd_put(f);
		return -1;
	}
	if ((int)fd >= t->n) {
		int n = t->n ? t->n : 16;
		while (n <= (int)fd)
			n *= 2;
		struct ofd **v = realloc(t->fd, (size_t)n * sizeof(*v));
		if (!v) {
			ofd_put(f);
			return -1;
		}
		memset(v + t->n, 0, (size_t)(n - t->n) * sizeof(*v));
		t->fd = v;
		t->n = n;
	}
	ofd_put(t->fd[fd]);
	t->fd[fd] = f;
	if (fd < FD_CLOSED_MAX)
		t->closed[fd / 64] &= ~(1ULL << (fd % 64));
	return 0;
}

static void fd_close(struct fdtab *t, uint64_t fd)
{
	if (t && fd < FD_CLOSED_MAX)
		t->closed[fd / 64] |= 1ULL << (fd % 64);
	if (t && fd < (uint64_t)t->n) {
		ofd_put(t->fd[fd]);
		t->fd[fd] = NULL;
	}
}

/* ---- Working directories and paths -------------------------------------- */

struct cwd *cwd_new(const char *path)
{
	struct cwd *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->refs = 1;
	if (path && path[0] == '/' && !(c->path = strdup(path))) {
		free(c);
		return NULL;
	}
	return c;
}

void cwd_put(struct cwd *c)
{
	if (!c || --c->refs)
		return;
	free(c->path);
	free(c);
}

/* path (malloc'd, or NULL for "not known") becomes c's. */
static void cwd_set(struct cwd *c, char *path)
{
	if (!c) {
		free(path);
		return;
	}
	free(c->path);
	c->path = path;
}

/* name looked up from dir, as the kernel's path walk starts (fs/namei.c:
 * path_init(): an absolute name ignores the directory, an empty one with
 * AT_EMPTY_PATH is the directory itself). No "." or ".." or symlink is
 * resolved here: realpath(3) on the host does that, as the walk would.
 * Returns a malloc'd path, or NULL when dir is needed but not known. */
static char *path_join(const char *dir, const char *name)
{
	size_t n;
	char *r;
	if (name[0] == '/')
		return strdup(name);
	if (!dir || dir[0] != '/')
		return NULL;
	if (!name[0])
		return strdup(dir);
	n = strlen(dir);
	r = malloc(n + strlen(name) + 2);
	if (r)
		sprintf(r, "%s%s%s", dir, dir[n - 1] == '/' ? "" : "/", name);
	return r;
}

/* A path argument as the process passed it, or NULL when the log does not
 * show all of it (cut by -s, or with a NUL inside). */
static const char *path_arg(const struct strace_line *l, int i)
{
	const struct strace_val *v = i < l->nargs ? &l->args[i].v : NULL;
	if (!v || v->kind != SV_STR || v->str_truncated || strlen(v->str) != v->str_len)
		return NULL;
	return v->str;
}

#define AT_FDCWD_ ((uint64_t)-100)
#define O_TMPFILE_ 020200000

/* The directory a dirfd argument names: its -y decoration, the working
 * directory for AT_FDCWD, else the path the descriptor was opened by. NULL
 * when not known. */
static const char *dirfd_path(const struct proc *pr, const struct strace_arg *a)
{
	const struct ofd *f;
	if (a->v.fd_path)
		return a->v.fd_path;
	if (!a->v.has_num)
		return NULL;
	if (a->v.num == AT_FDCWD_)
		return pr->cwd ? pr->cwd->path : NULL;
	f = fd_get(pr->ft, a->v.num);
	return f ? f->lookup : NULL;
}

/* ---- Files: identity ------------------------------------------------------ */

/* A stable inode number for a file known only by its path. */
static uint64_t path_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (h & 0xffffffffffULL) | 0x10000000000ULL;
}

/* Identity from a struct stat printed by strace (fstat/newfstatat) or a
 * struct statx (stx_*). */
static void ofd_learn(struct ofd *f, const struct strace_arg *a)
{
	const struct strace_val *dev = strace_arg_field(a, "st_dev");
	const struct strace_val *ino = strace_arg_field(a, "st_ino");
	const struct strace_val *size = strace_arg_field(a, "st_size");
	const struct strace_val *maj = strace_arg_field(a, "stx_dev_major");
	const struct strace_val *min = strace_arg_field(a, "stx_dev_minor");
	const struct strace_val *mode = strace_arg_field(a, "st_mode");
	const struct strace_val *rdev = strace_arg_field(a, "st_rdev");
	if (mode && mode->has_num && (mode->num & S_IFMT) == S_IFCHR) {
		f->chr = 1;
		if (rdev && rdev->has_num) {
			f->rdev_major = strace_dev_major(rdev->num);
			f->rdev_minor = strace_dev_minor(rdev->num);
		}
	}
	if (!ino)
		ino = strace_arg_field(a, "stx_ino");
	if (!size)
		size = strace_arg_field(a, "stx_size");
	if (dev && dev->has_num && ino && ino->has_num) {
		f->have_id = 1;
		f->major = strace_dev_major(dev->num);
		f->minor = strace_dev_minor(dev->num);
		f->ino = ino->num;
	} else if (maj && maj->has_num && min && min->has_num && ino && ino->has_num) {
		f->have_id = 1;
		f->major = (uint32_t)maj->num;
		f->minor = (uint32_t)min->num;
		f->ino = ino->num;
	}
	if (size && size->has_num) {
		f->size = size->num;
		f->have_size = 1;
		if (f->inode)
			vms_inode_set_size(f->inode, f->size);
	}
	/* the model numbered its memfd itself: take the log's number */
	if (f->have_id && f->memfd && f->inode)
		vms_inode_set_ino(f->inode, f->ino);
}

/* A mapped file whose maps line keeps the trace's path: counted once per
 * path for the note at the end of the replay (note_unmatched_paths()). */
static void unmatched_add(struct pass *p, const char *path, int lineno)
{
	const char *name = path ? path : "(unknown file)";
	char *copy;
	for (int i = 0; i < p->nunmatched; i++)
		if (!strcmp(p->unmatched[i], name))
			return;
	if (p->nunmatched == p->capunmatched) {
		int n = p->capunmatched ? p->capunmatched * 2 : 8;
		char **v = realloc(p->unmatched, (size_t)n * sizeof(*v));
		if (!v)
			return;
		p->unmatched = v;
		p->capunmatched = n;
	}
	if (!(copy = strdup(name)))
		return;
	if (!p->nunmatched)
		p->unmatched_line = lineno;
	p->unmatched[p->nunmatched++] = copy;
	p->st->unmatched_paths = (uint64_t)p->nunmatched;
}

/* The name a mapped file shows in the maps. The kernel prints d_path() of the
 * file (fs/proc/task_mmu.c: show_map_vma() -> seq_file_path()), the path with
 * every symlink resolved, where a log without -y shows the name the process
 * opened ("/lib/x86_64-linux-gnu/libc.so.6" for
 * "/usr/lib/x86_64-linux-gnu/libc.so.6"). So a -y path is taken as it is,
 * and any other is resolved with realpath(3) on this host, but only when the
 * host's file there is the trace's (same st_dev and st_ino, when an fstat
 * line showed them): else the trace's path stays and is counted for the note.
 * sb is the host's stat of the path (valid when on_host). Returns a malloc'd
 * path or NULL for "the trace's path". */
char *ofd_name(struct pass *p, const struct ofd *f, bool on_host, const struct stat *sb,
		      int lineno)
{
	char *real = NULL;
	if (f->canonical || p->o->no_resolve)
		return NULL;
	if (on_host && (!f->have_id || (f->major == major(sb->st_dev) &&
					f->minor == minor(sb->st_dev) && f->ino == sb->st_ino)))
		real = host_realpath(p, f->lookup);
	if (!real)
		unmatched_add(p, f->path, lineno);
	return real;
}

/* The kind of filesystem a file lives on, as the model needs it (tmpfs is
 * shmem, hugetlbfs has huge pages), from this host: the file's own statfs,
 * else its directory's (a file unlinked since, or the directory of an
 * O_TMPFILE open), provided the device is the file's (dev 0 = not known). */
static uint32_t host_fs_flags(struct pass *p, const char *path, uint32_t major_,
			      uint32_t minor_)
{
	char dir[PATH_MAX];
	int64_t fs_type;
	struct stat sb;
	const char *at = path;
	if (!path)
		return 0;
	if (!host_stat(p, path, &sb)) {
		const char *slash = strrchr(path, '/');
		if (!slash || (size_t)(slash - path) >= sizeof(dir))
			return 0;
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
		at = dir;
		if (!host_stat(p, at, &sb))
			return 0;
	}
	if ((major_ || minor_) && (major(sb.st_dev) != major_ || minor(sb.st_dev) != minor_))
		return 0;
	if (!host_fs_type(p, at, &fs_type))
		return 0;
	if (fs_type == 0x01021994) /* TMPFS_MAGIC */
		return VMS_INODE_SHMEM;
	if (fs_type == (int64_t)0x958458f6) /* HUGETLBFS_MAGIC */
		return VMS_INODE_HUGETLBFS;
	return 0;
}

/* The vms_file of an open file description: identity from fstat, else the
 * host's file at the path, else a placeholder (with a warning); its name
 * from ofd_name(). An O_TMPFILE open names a directory: the file is
 * "DIR/#INO", unlinked. /dev/zero is known by its device numbers. */
vms_file *ofd_file(struct pass *p, struct ofd *f, int lineno)
{
	struct vms_inode_info info = {0};
	struct stat sb;
	char *real = NULL, tmpname[PATH_MAX + 32];
	bool on_host;
	if (f->vf)
		return f->vf;
	info.path = f->path ? f->path : "";
	if (ofd_anon_inode(f)) {
		/* fs/anon_inodes.c and fs/pidfs.c: the files of anonymous inodes
		 * (pidfd, userfaultfd, eventfd, ...; "anon_inode:[...]" to -y)
		 * live on SB_I_NOEXEC file systems and have no mmap, so do_mmap()
		 * says EPERM to PROT_EXEC (path_noexec) and ENODEV to the rest
		 * (live, 6.18: pidfd, eventfd and userfaultfd alike). */
		info.flags = VMS_INODE_NOEXEC | VMS_INODE_NOMMAP | VMS_INODE_DELETED;
		/* a pidfd's is a regular file of pidfs (ftruncate EOPNOTSUPP,
		 * fallocate EOPNOTSUPP); the others are no regular files */
		if (f->pidfd_pid)
			info.flags |= VMS_INODE_PIDFS;
		if (!f->path || strncmp(f->path, "anon_inode:", 11))
			info.path = f->uffd ? "anon_inode:[userfaultfd]" : "anon_inode:[pidfd]";
		info.ino = path_hash(info.path);
		if (!(f->inode = vms_inode_get(p->sys, &info)))
			return NULL;
		f->vf = vms_file_open(f->inode, f->oflags);
		return f->vf;
	}
	on_host = !f->memfd && f->lookup && host_stat(p, f->lookup, &sb);
	/* the directory of an O_TMPFILE open gives its device, not its inode */
	bool dir_only = f->tmpfile && !f->canonical;
	if (f->memfd) {
		info.flags |= VMS_INODE_DELETED | VMS_INODE_SHMEM;
		info.dev_major = f->have_id ? f->major : 0;
		info.dev_minor = f->have_id ? f->minor : 1;
		info.ino = f->have_id ? f->ino : path_hash(info.path);
		info.size = f->size;
	} else if (f->have_id) {
		info.dev_major = f->major;
		info.dev_minor = f->minor;
		info.ino = f->ino;
		info.size = f->size;
	} else if (on_host && !dir_only) {
		info.dev_major = major(sb.st_dev);
		info.dev_minor = minor(sb.st_dev);
		info.ino = sb.st_ino;
		info.size = f->have_size ? f->size : (uint64_t)sb.st_size;
		if (S_ISDIR(sb.st_mode))
			info.flags |= VMS_INODE_DIRECTORY;
		if (S_ISCHR(sb.st_mode)) {
			f->chr = 1;
			f->rdev_major = major(sb.st_rdev);
			f->rdev_minor = minor(sb.st_rdev);
		}
	} else {
		if (!p->placeholder_warned++)
			warn(p, lineno, "%s: no fstat in the trace and no such file here; "
					"using a placeholder inode",
			     f->path ? f->path : "(unknown file)");
		if (on_host) {
			info.dev_major = major(sb.st_dev);
			info.dev_minor = minor(sb.st_dev);
		}
		info.ino = path_hash(info.path);
		info.size = f->have_size ? f->size : UINT64_MAX / 2;
	}
	/* drivers/char/mem.c: /dev/zero maps (as shmem or anonymous memory);
	 * null, port, full, random, urandom and kmsg have no mmap (ENODEV).
	 * Other devices are mapped as files. */
	if (f->chr && f->rdev_major == 1 && f->rdev_minor == 5)
		info.flags |= VMS_INODE_DEVZERO;
	else if (f->chr && f->rdev_major == 1 && f->rdev_minor != 1 && f->rdev_minor != 2)
		info.flags |= VMS_INODE_NOMMAP;
	if (f->tmpfile || f->deleted)
		info.flags |= VMS_INODE_DELETED;
	if (!f->memfd)
		info.flags |= host_fs_flags(p, f->lookup, info.dev_major, info.dev_minor);
	if (dir_only) {
		/* d_path() of the unnamed dentry: "#<ino>" in the directory */
		char *dir = f->lookup ? realpath(f->lookup, NULL) : NULL;
		snprintf(tmpname, sizeof(tmpname), "%s/#%llu", dir ? dir : info.path,
			 (unsigned long long)info.ino);
		free(dir);
		info.path = tmpname;
	} else if (!f->memfd && (real = ofd_name(p, f, on_host, &sb, lineno))) {
		info.path = real;
	}
	vms_inode *ino = vms_inode_get(p->sys, &info);
	free(real);
	if (!ino)
		return NULL;
	if (f->have_size)
		vms_inode_set_size(ino, f->size);
	f->inode = ino;
	f->vf = vms_file_open(ino, f->oflags);
	return f->vf;
}

/* unlink(2), unlinkat(2): a file some descriptor holds is unlinked, so its
 * mappings show " (deleted)" (tmpfs shm_unlink() is an unlink in /dev/shm). */
void files_unlink(struct pass *p, struct proc *pr, const struct call *c)
{
	const struct strace_line *l = c->full;
	int at = c->sc == SC_UNLINKAT;
	const char *name = l ? path_arg(l, at) : NULL;
	const char *dir = NULL;
	char *path;
	if (!name || !c->has_result || c->result != 0)
		return;
	if (at)
		dir = dirfd_path(pr, &l->args[0]);
	else if (pr->cwd)
		dir = pr->cwd->path;
	if (!(path = path_join(dir, name)))
		return;
	for (int i = 0; i < p->nprocs; i++) {
		struct fdtab *t = p->procs[i].alive ? p->procs[i].ft : NULL;
		for (int fd = 0; t && fd < t->n; fd++) {
			struct ofd *f = t->fd[fd];
			if (!f || !f->lookup || strcmp(f->lookup, path))
				continue;
			f->deleted = 1;
			if (f->inode)
				vms_inode_unlink(f->inode);
		}
	}
	free(path);
}

void do_files(struct proc *pr, const struct call *c)
{
	const struct strace_line *l = c->full;
	struct ofd *f;
	if (!c->has_result || c->result < 0 || !pr->ft || !l)
		return;
	switch (c->sc) {
	case SC_OPENAT:
	case SC_OPEN:
	case SC_CREAT: {
		int pi = c->sc == SC_OPENAT ? 1 : 0;
		const char *name = path_arg(l, pi);
		int oflags;
		if (c->sc == SC_CREAT)
			oflags = VMS_O_WRONLY;
		else
			oflags = pi + 1 < l->nargs && l->args[pi + 1].v.has_num
					 ? (int)l->args[pi + 1].v.num
					 : VMS_O_RDONLY;
		if (l->result_fd_path) {
			f = ofd_new_canonical(l->result_fd_path, oflags);
			if (f)
				f->deleted = l->result_fd_deleted;
		} else {
			/* the name the process asked for, which the maps show
			 * resolved (ofd_name()) */
			const char *shown = NULL, *dir = NULL;
			if (pi < l->nargs && l->args[pi].v.kind == SV_STR)
				shown = l->args[pi].v.str;
			if (c->sc == SC_OPENAT)
				dir = dirfd_path(pr, &l->args[0]);
			else if (pr->cwd)
				dir = pr->cwd->path;
			f = ofd_new(shown, oflags);
			if (f && name)
				f->lookup = path_join(dir, name);
		}
		/* open(O_TMPFILE): an unlinked file in the directory named */
		if (f && (oflags & O_TMPFILE_) == O_TMPFILE_)
			f->tmpfile = 1;
		if (f)
			fd_install(pr->ft, (uint64_t)c->result, f);
		break;
	}
	case SC_PIDFD_OPEN:
		/* process_madvise and process_mrelease look the process up */
		if ((c->has & 1) && (f = ofd_new(l->result_fd_path, VMS_O_RDWR))) {
			f->pidfd_pid = (int)c->a[0];
			fd_install(pr->ft, (uint64_t)c->result, f);
		}
		break;
	case SC_CLOSE:
		if (c->has & 1)
			fd_close(pr->ft, c->a[0]);
		break;
	case SC_CLOSE_RANGE:
		/* CLOSE_RANGE_CLOEXEC (4) only marks them */
		if ((c->has & 7) == 7 && !(c->a[2] & 4)) {
			if (c->a[2] & 2) { /* CLOSE_RANGE_UNSHARE */
				struct fdtab *t = fdtab_copy(pr->ft);
				if (t) {
					fdtab_put(pr->ft);
					pr->ft = t;
				}
			}
			for (uint64_t fd = c->a[0]; fd <= c->a[1] && fd < (uint64_t)pr->ft->n; fd++)
				fd_close(pr->ft, fd);
		}
		break;
	case SC_DUP:
	case SC_DUP2:
	case SC_DUP3:
		if ((c->has & 1) && (f = fd_get(pr->ft, c->a[0])) && (uint64_t)c->result != c->a[0]) {
			f->refs++;
			fd_install(pr->ft, (uint64_t)c->result, f);
		}
		break;
	case SC_FCNTL:
		/* F_DUPFD (0), F_DUPFD_CLOEXEC (1030) */
		if ((c->has & 3) == 3 && (c->a[1] == 0 || c->a[1] == 1030) &&
		    (f = fd_get(pr->ft, c->a[0]))) {
			f->refs++;
			fd_install(pr->ft, (uint64_t)c->result, f);
		}
		break;
	case SC_FSTAT:
		if ((c->has & 1) && l->nargs > 1 && (f = fd_get(pr->ft, c->a[0])))
			ofd_learn(f, &l->args[1]);
		break;
	case SC_NEWFSTATAT:
	case SC_STATX: {
		/* only the fd form: (fd, "", ..., AT_EMPTY_PATH) */
		int si = c->sc == SC_NEWFSTATAT ? 2 : 4;
		if (l->nargs > si && (c->has & 1) && l->args[1].v.kind == SV_STR &&
		    l->args[1].v.str_len == 0 && (f = fd_get(pr->ft, c->a[0])))
			ofd_learn(f, &l->args[si]);
		break;
	}
	case SC_CHDIR: {
		const char *name = path_arg(l, 0);
		if (pr->cwd)
			cwd_set(pr->cwd, name ? path_join(pr->cwd->path, name) : NULL);
		break;
	}
	case SC_FCHDIR: {
		const char *dir = NULL;
		if (l->nargs > 0 && l->args[0].v.num != AT_FDCWD_)
			dir = dirfd_path(pr, &l->args[0]);
		if (pr->cwd)
			cwd_set(pr->cwd, dir ? strdup(dir) : NULL);
		break;
	}
	case SC_GETCWD: {
		/* the kernel's own name for it, like a -y path ("(unreachable)/..."
		 * when it is outside the process's root: not a path here) */
		const char *name = path_arg(l, 0);
		if (pr->cwd)
			cwd_set(pr->cwd, name && name[0] == '/' ? strdup(name) : NULL);
		break;
	}
	default:
		break;
	}
}

