/* buf.c - growable byte buffer with a hard cap; see core.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

void buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : SIZE_MAX / 2;
}

static int grow(struct buf *b, size_t need)
{
	size_t cap;
	unsigned char *p;

	if (need > b->max)
		return err_set(ERR_FORMAT, "data exceeds the %zu byte limit",
			       b->max);
	if (need + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need + 1)
		cap = cap > SIZE_MAX / 4 ? need + 1 : cap * 2;
	/* not realloc: the old block may hold a secret, and is wiped */
	p = malloc(cap);
	if (!p)
		return err_set(ERR_NOMEM, "out of memory");
	if (b->data) {
		memcpy(p, b->data, b->len + 1);
		secure_wipe(b->data, b->cap);
		free(b->data);
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

int buf_append(struct buf *b, const void *data, size_t n)
{
	int rc;

	if (n > SIZE_MAX / 2 - b->len)
		return err_set(ERR_FORMAT, "data too large");
	if ((rc = grow(b, b->len + n)) < 0)
		return rc;
	if (n)
		memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_reserve(struct buf *b, size_t n)
{
	if (n > SIZE_MAX / 2 - b->len)
		return err_set(ERR_FORMAT, "data too large");
	return grow(b, b->len + n);
}

int buf_appends(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_appendf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return err_set(ERR_FORMAT, "cannot format string");
	if ((rc = grow(b, b->len + (size_t)n)) < 0)
		return rc;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void buf_release_secret(struct buf *b)
{
	if (b->data)
		secure_wipe(b->data, b->cap);
	buf_release(b);
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *p;

	if (!b->data) {
		if (grow(b, 0) < 0)
			return NULL;
		b->data[0] = '\0';
	}
	p = (char *)b->data;
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
