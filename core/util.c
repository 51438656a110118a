/* util.c - secret hygiene, printing registry data safely, debug traces.
 * Calls nothing else in core/: err.c and json.c stand on it. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>

#include "core.h"

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

static int debug_on;
static struct timespec debug_t0;

static void debug_init(void)
{
	const char *e = getenv("SIGNET_DEBUG");

	debug_on = e && *e && strcmp(e, "0") != 0;
	clock_gettime(CLOCK_MONOTONIC, &debug_t0);
}

/* One clock and one switch for the process: lines from several threads
 * (verify's workers, audit's) read on one time line. */
void debugf(const char *fmt, ...)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct timespec t;
	va_list ap;

	pthread_once(&once, debug_init);
	if (!debug_on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t);
	flockfile(stderr);	/* one whole line per call, threads or not */
	fprintf(stderr, "signet: debug: %7.2f ms: ",
		(double)(t.tv_sec - debug_t0.tv_sec) * 1e3 +
		(double)(t.tv_nsec - debug_t0.tv_nsec) / 1e6);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}
