/*
 * file.c - the one way signet reads a local file: regular files only,
 * links only when the caller allows them, a size cap per caller, reads
 * retried on EINTR. Key files, the trust policy, docker's config.json and
 * OCI layouts all come through here, so they share one set of rules.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"

/* @what and a space, or "": the file's role in messages. */
struct named {
	const char *path;
	const char *what;
	const char *sp;
};

static int read_error(const struct named *f)
{
	return err_set_errno(ERR_IO, "cannot read %s%s'%s'", f->what, f->sp,
			     f->path);
}

static int over(const struct named *f, size_t max)
{
	return err_set(ERR_FORMAT, "%s%s'%s' is over %zu bytes", f->what,
		       f->sp, f->path, max);
}

/* One read into @p, retried when a signal interrupts it. */
static ssize_t read_some(int fd, void *p, size_t n)
{
	ssize_t r;

	do
		r = read(fd, p, n);
	while (r < 0 && errno == EINTR);
	return r;
}

/* Append the rest of @fd to @out: at most @max bytes. @hint, the size
 * fstat gave, is reserved at once (and a byte more, to see the end), so
 * a file that keeps its size is read into one block. */
static int read_capped(struct buf *out, int fd, size_t max, size_t hint,
		       const struct named *f)
{
	size_t got = 0, room, want;
	unsigned char probe;
	ssize_t r;
	int rc;

	for (;;) {
		if (got == max) {
			/* full: one byte more and the file is over @max */
			r = read_some(fd, &probe, 1);
			secure_wipe(&probe, 1);
			if (r < 0)
				return read_error(f);
			return r > 0 ? over(f, max) : 0;
		}
		room = out->cap > out->len ? out->cap - out->len - 1 : 0;
		if (room == 0) {
			want = (hint > got ? hint - got : 4095) + 1;
			if (want > max - got)
				want = max - got;
			if ((rc = buf_reserve(out, want)) < 0)
				return rc == ERR_FORMAT ? over(f, max) : rc;
			room = out->cap - out->len - 1;
		}
		if (room > max - got)
			room = max - got;
		r = read_some(fd, out->data + out->len, room);
		if (r < 0)
			return read_error(f);
		if (r == 0)
			return 0;
		out->len += (size_t)r;
		got += (size_t)r;
	}
}

static int open_file(const struct named *f, unsigned flags)
{
	int oflags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	int fd;

	if (!(flags & FILE_FOLLOW))
		oflags |= O_NOFOLLOW;
	fd = open(f->path, oflags);
	if (fd >= 0)
		return fd;
	if (errno == ELOOP && !(flags & FILE_FOLLOW))
		return err_set(ERR_IO, "%s%s'%s' is a symbolic link; give the "
			       "file itself", f->what, f->sp, f->path);
	if (errno == ENOENT) {
		read_error(f);
		return ERR_NOTFOUND;
	}
	return read_error(f);
}

int file_read(struct buf *out, const char *path, size_t max,
	      unsigned flags, const char *what)
{
	return file_read_stat(out, NULL, path, max, flags, what);
}

int file_read_stat(struct buf *out, struct stat *st_out, const char *path,
		   size_t max, unsigned flags, const char *what)
{
	struct named f = { path, what ? what : "", what ? " " : "" };
	size_t start = out->len;
	struct stat st;
	int fd, rc;

	if ((fd = open_file(&f, flags)) < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		rc = read_error(&f);
	else if (!S_ISREG(st.st_mode))
		rc = err_set(ERR_IO, "%s%s'%s' is not a regular file", f.what,
			     f.sp, path);
	else if ((unsigned long long)st.st_size > max)
		rc = over(&f, max);
	else
		rc = read_capped(out, fd, max, (size_t)st.st_size, &f);
	close(fd);
	if (rc == 0 && st_out)
		*st_out = st;
	if (rc < 0 && out->data) {
		/* as it was: what was read of the file goes, wiped */
		secure_wipe(out->data + start, out->len - start);
		out->len = start;
	}
	if (out->data)
		out->data[out->len] = '\0';
	return rc;
}
