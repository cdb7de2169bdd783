/*
 * host_files.c: what `vmspace replay` asks this host about files, asked
 * once per path and pass: stat(2), statfs(2), realpath(3), and what execve reads
 * (vms_exec_host_fs: its stat, and the first bytes of the program and its
 * interpreter). A log of a shell loop runs one program thousands of times,
 * and each process maps the same libraries: these system calls took more
 * time than building and changing the address spaces. The answers are the
 * host's own, kept for the pass (a replay takes the host's files as they
 * stand, so they are not expected to change under it). Not here: which path
 * a call names (fds.c, replay_exec.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "replay_int.h"

/* Of each file, exec reads its first bytes: everything it reads of a usual
 * ELF image (headers, program headers, PT_INTERP) or a #! line. Reads past
 * HEAD_MAX go to the host. */
#define HEAD 4096
#define HEAD_MAX 65536

struct host_file {
	char *name;       /* the path asked for */
	int stat_rc;      /* stat(2): 0 or -errno */
	struct stat sb;
	int real_known;   /* realpath(3) was asked */
	char *real;       /* its answer (NULL: it failed) */
	int fs_known;     /* statfs(2) was asked */
	int fs_rc;        /* its answer: 0 or -errno */
	int64_t fs_type;  /* and the filesystem's magic (f_type) */
	int exec_rc;      /* vms_exec_host_fs()'s stat: 0, -errno, or 1 (not asked) */
	struct vms_exec_stat est;
	char *canonical;  /* its canonical name (exec_rc == 0) */
	uint8_t *head;    /* the file's first head_len bytes, as read by name */
	size_t head_len;
	int head_short;   /* the file ends within head */
};

struct host_files {
	struct host_file **slot; /* open addressing by name */
	size_t nslots, n;
	struct vms_exec_fs fs;   /* exec's view of the files, through here */
};

static uint64_t name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static struct host_file **slot_of(struct host_files *c, const char *name)
{
	size_t i = (size_t)name_hash(name) & (c->nslots - 1);
	while (c->slot[i] && strcmp(c->slot[i]->name, name))
		i = (i + 1) & (c->nslots - 1);
	return &c->slot[i];
}

static int grow(struct host_files *c)
{
	size_t n = c->nslots ? c->nslots * 2 : 64;
	struct host_file **old = c->slot;
	size_t oldn = c->nslots;
	c->slot = calloc(n, sizeof(*c->slot));
	if (!c->slot) {
		c->slot = old;
		return -1;
	}
	c->nslots = n;
	for (size_t i = 0; i < oldn; i++)
		if (old[i])
			*slot_of(c, old[i]->name) = old[i];
	free(old);
	return 0;
}

/* The entry of name, stat(2) asked when it is new; NULL on no memory. */
static struct host_file *get(struct host_files *c, const char *name)
{
	if ((c->n + 1) * 2 > c->nslots && grow(c))
		return NULL;
	struct host_file **s = slot_of(c, name);
	if (*s)
		return *s;
	struct host_file *e = calloc(1, sizeof(*e));
	if (!e || !(e->name = strdup(name))) {
		free(e);
		return NULL;
	}
	e->stat_rc = stat(name, &e->sb) == 0 ? 0 : -errno;
	e->exec_rc = 1;
	*s = e;
	c->n++;
	return e;
}

static int exec_stat(void *arg, const char *path, struct vms_exec_stat *st, char *canonical,
		     size_t canonical_size)
{
	struct host_files *c = arg;
	const struct vms_exec_fs *host = vms_exec_host_fs();
	struct host_file *e = get(c, path);
	if (!e)
		return host->stat(host->arg, path, st, canonical, canonical_size);
	if (e->exec_rc == 1) {
		char canon[4096];
		e->exec_rc = host->stat(host->arg, path, &e->est, canon, sizeof(canon));
		if (e->exec_rc == 0 && !(e->canonical = strdup(canon))) {
			e->exec_rc = 1;
			return host->stat(host->arg, path, st, canonical, canonical_size);
		}
	}
	if (e->exec_rc == 0) {
		*st = e->est;
		snprintf(canonical, canonical_size, "%s", e->canonical);
	}
	return e->exec_rc;
}

static long exec_read(void *arg, const char *canonical, uint64_t off, void *buf, size_t len)
{
	struct host_files *c = arg;
	const struct vms_exec_fs *host = vms_exec_host_fs();
	struct host_file *e = get(c, canonical);
	if (!e || off > HEAD_MAX || len > HEAD_MAX - off)
		return host->read(host->arg, canonical, off, buf, len);
	if (off + len > e->head_len && !e->head_short) {
		/* Read (again, longer) from the start: at least a page, at
		 * least what is asked. */
		size_t want = off + len > HEAD ? (size_t)(off + len) : HEAD;
		uint8_t *h = malloc(want);
		if (!h)
			return host->read(host->arg, canonical, off, buf, len);
		long r = host->read(host->arg, canonical, 0, h, want);
		if (r < 0) {
			free(h);
			return r;
		}
		free(e->head);
		e->head = h;
		e->head_len = (size_t)r;
		e->head_short = (size_t)r < want;
	}
	if (off >= e->head_len)
		return 0;
	size_t n = e->head_len - (size_t)off < len ? e->head_len - (size_t)off : len;
	memcpy(buf, e->head + off, n);
	return (long)n;
}

struct host_files *host_files_new(void)
{
	struct host_files *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->fs = (struct vms_exec_fs){c, exec_stat, exec_read};
	return c;
}

void host_files_free(struct host_files *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nslots; i++) {
		struct host_file *e = c->slot[i];
		if (!e)
			continue;
		free(e->name);
		free(e->real);
		free(e->canonical);
		free(e->head);
		free(e);
	}
	free(c->slot);
	free(c);
}

bool host_stat(struct pass *p, const char *path, struct stat *sb)
{
	struct host_file *e = p->host_files ? get(p->host_files, path) : NULL;
	if (!e)
		return stat(path, sb) == 0;
	if (e->stat_rc == 0)
		*sb = e->sb;
	return e->stat_rc == 0;
}

char *host_realpath(struct pass *p, const char *path)
{
	struct host_file *e = p->host_files ? get(p->host_files, path) : NULL;
	if (!e)
		return realpath(path, NULL);
	if (!e->real_known) {
		e->real = realpath(path, NULL);
		e->real_known = 1;
	}
	return e->real ? strdup(e->real) : NULL;
}

bool host_fs_type(struct pass *p, const char *path, int64_t *type)
{
	struct host_file *e = p->host_files ? get(p->host_files, path) : NULL;
	struct statfs fs;
	if (!e) {
		if (statfs(path, &fs) != 0)
			return false;
		*type = (int64_t)fs.f_type;
		return true;
	}
	if (!e->fs_known) {
		e->fs_rc = statfs(path, &fs) == 0 ? 0 : -errno;
		e->fs_type = e->fs_rc ? 0 : (int64_t)fs.f_type;
		e->fs_known = 1;
	}
	*type = e->fs_type;
	return e->fs_rc == 0;
}

const struct vms_exec_fs *host_exec_fs(struct pass *p)
{
	return p->host_files ? &p->host_files->fs : NULL;
}
