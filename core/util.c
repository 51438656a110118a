/* util.c - annotations, secret hygiene, printing registry data safely. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>

#include "core.h"

int kvlist_add_arg(struct kvlist *l, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct kv *items;
	char *k, *v;

	if (!eq || eq == arg)
		return err_set(ERR_USAGE,
			       "invalid annotation '%s': expected KEY=VALUE",
			       arg);
	items = realloc(l->items, (l->n + 1) * sizeof(*items));
	if (!items)
		return err_set(ERR_NOMEM, "out of memory");
	l->items = items;
	k = strndup(arg, (size_t)(eq - arg));
	v = strdup(eq + 1);
	if (!k || !v) {
		free(k);
		free(v);
		return err_set(ERR_NOMEM, "out of memory");
	}
	l->items[l->n].key = k;
	l->items[l->n].value = v;
	l->n++;
	return 0;
}

void kvlist_release(struct kvlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->items[i].key);
		free(l->items[i].value);
	}
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

bool kvlist_matched_by(const struct kvlist *want, const json_t *obj,
		       const char **missing)
{
	size_t i;

	for (i = 0; i < want->n; i++) {
		const char *v = json_is_object(obj) ?
			jx_str(obj, want->items[i].key) : NULL;

		if (!v || strcmp(v, want->items[i].value) != 0) {
			if (missing)
				*missing = want->items[i].key;
			return false;
		}
	}
	return true;
}

void secure_wipe(void *p, size_t n)
{
	if (p && n)
		OPENSSL_cleanse(p, n);
}

bool ct_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

/* Length of a valid UTF-8 sequence of printable text at @s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	cp = s[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong, surrogates, C1 controls, beyond Unicode */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
	    (cp >= 0x80 && cp < 0xa0) || cp == 0x2028 || cp == 0x2029 ||
	    (cp >= 0x200b && cp <= 0x200f) || cp == 0x061c || cp == 0xfeff ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return 0;
	return n;
}

void str_sanitize(char *out, size_t outsz, const char *in)
{
	const unsigned char *s = (const unsigned char *)(in ? in : "");
	size_t o = 0;

	if (!outsz)
		return;
	while (*s && o + 1 < outsz) {
		size_t n;

		if (*s >= 0x20 && *s < 0x7f) {
			out[o++] = (char)*s++;
			continue;
		}
		n = utf8_len(s);
		if (n && o + n < outsz) {
			memcpy(out + o, s, n);
			o += n;
			s += n;
			continue;
		}
		out[o++] = '?';
		s++;
	}
	out[o] = '\0';
}

void debugf(const char *fmt, ...)
{
	static _Thread_local int on = -1;
	static _Thread_local struct timespec t0;
	struct timespec t;
	va_list ap;

	if (on < 0) {
		const char *e = getenv("SIGNET_DEBUG");

		on = e && *e && strcmp(e, "0") != 0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
	}
	if (!on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t);
	flockfile(stderr);	/* one whole line per call, threads or not */
	fprintf(stderr, "signet: debug: %7.2f ms: ",
		(double)(t.tv_sec - t0.tv_sec) * 1e3 +
		(double)(t.tv_nsec - t0.tv_nsec) / 1e6);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}
