/*
 * file.c - reading key files (core's file_read, the bytes wiped when
 * freed), and writing them so that a link is never followed, an existing
 * file is never clobbered without --force, and a failure leaves nothing
 * behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static int read_key(unsigned char **out, size_t *outlen, mode_t *mode,
		    const char *path, bool nofollow)
{
	struct stat st;
	struct buf b;
	int rc;

	*out = NULL;
	*outlen = 0;
	buf_init(&b, KEYS_FILE_MAX);
	rc = file_read_stat(&b, &st, path, KEYS_FILE_MAX,
			    nofollow ? 0 : FILE_FOLLOW, NULL);
	if (rc == 0 && mode)
		*mode = st.st_mode;
	if (rc < 0) {
		buf_release_secret(&b);
		/* a missing key file is a local file problem, as any other
		 * reason it cannot be read */
		return rc == ERR_NOTFOUND ? ERR_IO : rc;
	}
	if (!(*out = (unsigned char *)buf_detach(&b, outlen))) {
		buf_release_secret(&b);
		return ERR_NOMEM;
	}
	return 0;
}

int keys_file_read(unsigned char **out, size_t *outlen, const char *path,
		   bool nofollow)
{
	return read_key(out, outlen, NULL, path, nofollow);
}

int keys_file_read_private(unsigned char **out, size_t *outlen,
			   mode_t *mode, const char *path)
{
	return read_key(out, outlen, mode, path, true);
}

int keys_file_mode_ok(const char *path, mode_t mode)
{
	if (!(mode & 077))
		return 0;
	/* as ssh: a key others can read is no longer only ours, and one
	 * they can write may be swapped for theirs */
	return err_set(ERR_IO, "private key '%s' is open to other users "
		       "(mode %04o); run 'chmod 600 %s'", path,
		       (unsigned)(mode & 07777), path);
}

void keys_file_free(unsigned char *data, size_t len)
{
	if (!data)
		return;
	secure_wipe(data, len);
	free(data);
}

int keys_file_absent(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0)
		return err_set(ERR_IO, "'%s' exists; use --force to overwrite",
			       path);
	if (errno != ENOENT)
		return err_set_errno(ERR_IO, "cannot check '%s'", path);
	return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
	const unsigned char *p = data;
	ssize_t r;

	while (len) {
		r = write(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int keys_out_write(struct keys_out *o, const char *path, const void *data,
		   size_t len, mode_t mode, bool force)
{
	int n, fd;

	memset(o, 0, sizeof(*o));
	n = snprintf(o->path, sizeof(o->path), "%s", path);
	if (n < 0 || (size_t)n >= sizeof(o->path) - 8)
		return err_set(ERR_USAGE, "file name '%s' is too long", path);
	if (force) {
		/* mkostemp: O_EXCL, mode 0600, in the same directory */
		snprintf(o->tmp, sizeof(o->tmp), "%s.XXXXXX", path);
		fd = mkostemp(o->tmp, O_CLOEXEC);
		if (fd < 0)
			return err_set_errno(ERR_IO, "cannot create a "
					     "temporary file for '%s'", path);
		o->cur = o->tmp;
	} else {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			  O_CLOEXEC | O_NOCTTY, mode);
		if (fd < 0 && errno == EEXIST)
			return err_set(ERR_IO, "'%s' exists; use --force to "
				       "overwrite", path);
		if (fd < 0)
			return err_set_errno(ERR_IO, "cannot create '%s'",
					     path);
		o->cur = o->path;
	}
	/* exactly @mode, whatever the umask */
	if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 ||
	    fsync(fd) < 0) {
		int rc = err_set_errno(ERR_IO, "cannot write '%s'", path);

		close(fd);
		keys_out_abort(o);
		return rc;
	}
	if (close(fd) < 0) {
		int rc = err_set_errno(ERR_IO, "cannot write '%s'", path);

		keys_out_abort(o);
		return rc;
	}
	return 0;
}

int keys_out_commit(struct keys_out *o)
{
	if (o->cur != o->tmp)
		return 0;
	/* rename() replaces a link at o->path, never what it points to */
	if (rename(o->tmp, o->path) < 0) {
		int rc = err_set_errno(ERR_IO, "cannot replace '%s'", o->path);

		keys_out_abort(o);
		return rc;
	}
	o->cur = o->path;
	return 0;
}

void keys_out_abort(struct keys_out *o)
{
	if (o->cur)
		unlink(o->cur);
	o->cur = NULL;
}
