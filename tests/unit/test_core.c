/* test_core.c - errors, bounded buffers, the file reader, RFC 3339 times,
 * digests, base64, JSON (and JSON paths), annotations, output
 * sanitising. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/err.h>

#include "../../core/core.h"

#define HEX "0123456789abcdef0123456789abcdef" \
	    "0123456789abcdef0123456789abcdef"
#define EMPTY_SHA256 "sha256:e3b0c44298fc1c149afbf4c8996fb924" \
		     "27ae41e4649b934ca495991b7852b855"

/* ---- errors ------------------------------------------------------------ */

static void test_err_exit_status(void **state)
{
	static const struct { int code, status; } cases[] = {
		{ 0, 0 }, { ERR_VERIFY, 1 }, { ERR_USAGE, 2 }, { ERR_IO, 2 },
		{ ERR_NET, 2 }, { ERR_AUTH, 2 }, { ERR_NOTFOUND, 2 },
		{ ERR_FORMAT, 2 }, { ERR_CRYPTO, 2 }, { ERR_NOMEM, 2 },
		{ ERR_INTEGRITY, 2 }, { -99, 2 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(err_exit_status(cases[i].code),
				 cases[i].status);
}

static void test_err_set_wrap(void **state)
{
	char big[2000];

	(void)state;
	err_clear();
	assert_string_equal(err_msg(), "unknown error");
	assert_int_equal(err_set(ERR_NET, "cannot fetch '%s': HTTP %ld", "x",
				 503L), ERR_NET);
	assert_string_equal(err_msg(), "cannot fetch 'x': HTTP 503");
	assert_int_equal(err_wrap(ERR_NET, "verifying '%s'", "img"), ERR_NET);
	assert_string_equal(err_msg(),
			    "verifying 'img': cannot fetch 'x': HTTP 503");
	assert_int_equal(err_wrap(ERR_VERIFY, "outer"), ERR_VERIFY);
	assert_string_equal(err_msg(), "outer: verifying 'img': cannot fetch "
			    "'x': HTTP 503");

	/* long messages are cut, never overrun */
	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	err_set(ERR_IO, "%s", big);
	assert_int_equal(strlen(err_msg()), 1023);
	err_wrap(ERR_IO, "%s", big);
	assert_int_equal(strlen(err_msg()), 1023);

	errno = ENOENT;
	assert_int_equal(err_set_errno(ERR_IO, "cannot open '%s'", "f"),
			 ERR_IO);
	assert_string_equal(err_msg(), "cannot open 'f': No such file or "
			    "directory");
}

static void test_err_set_ssl(void **state)
{
	BIO *b;

	(void)state;
	ERR_clear_error();
	assert_int_equal(err_set_ssl(ERR_CRYPTO, "plain"), ERR_CRYPTO);
	assert_string_equal(err_msg(), "plain");

	b = BIO_new_file("/nonexistent/signet-test", "r");
	assert_null(b);
	assert_int_not_equal(ERR_peek_error(), 0);
	assert_int_equal(err_set_ssl(ERR_CRYPTO, "cannot open"), ERR_CRYPTO);
	assert_true(strncmp(err_msg(), "cannot open: ", 13) == 0);
	assert_true(strlen(err_msg()) > 13);
	/* the queue is left empty for the next caller */
	assert_int_equal(ERR_peek_error(), 0);
}

/* ---- bounded buffer ---------------------------------------------------- */

static void test_buf_caps(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 10);
	assert_int_equal(buf_append(&b, "0123456789", 10), 0);
	assert_int_equal(b.len, 10);
	assert_int_equal(b.data[10], '\0');
	assert_int_equal(buf_append(&b, "x", 1), ERR_FORMAT);
	assert_int_equal(buf_appends(&b, "x"), ERR_FORMAT);
	assert_int_equal(buf_appendf(&b, "%d", 7), ERR_FORMAT);
	/* a refused append leaves the contents as they were */
	assert_int_equal(b.len, 10);
	assert_string_equal((char *)b.data, "0123456789");
	assert_int_equal(buf_append(&b, "", 0), 0);
	assert_int_equal(buf_append(&b, NULL, SIZE_MAX), ERR_FORMAT);
	buf_release(&b);
	assert_null(b.data);
	buf_release(&b);	/* twice is fine */

	/* exactly at the cap, in pieces, through appendf */
	buf_init(&b, 8);
	assert_int_equal(buf_appendf(&b, "%s-%d", "ab", 12), 0);
	assert_string_equal((char *)b.data, "ab-12");
	assert_int_equal(buf_appendf(&b, "%03d", 7), 0);
	assert_string_equal((char *)b.data, "ab-12007");
	assert_int_equal(b.len, 8);
	assert_int_equal(buf_appendf(&b, "%s", ""), 0);
	assert_int_equal(buf_appendf(&b, "z"), ERR_FORMAT);
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal((char *)b.data, "");
	assert_int_equal(buf_appends(&b, "again"), 0);
	assert_string_equal((char *)b.data, "again");
	buf_release_secret(&b);
	assert_null(b.data);
	buf_release_secret(&b);

	/* max 0 means "no limit of our own" */
	buf_init(&b, 0);
	assert_int_equal(b.max, SIZE_MAX / 2);
	buf_release(&b);
}

static void test_buf_nul_terminated(void **state)
{
	unsigned char bytes[300];
	struct buf b;
	size_t i;

	(void)state;
	memset(bytes, 0xaa, sizeof(bytes));
	buf_init(&b, 0);
	/* grow across several reallocations, checking the terminator */
	for (i = 0; i < 40; i++) {
		assert_int_equal(buf_append(&b, bytes, sizeof(bytes)), 0);
		assert_int_equal(b.len, (i + 1) * sizeof(bytes));
		assert_true(b.cap > b.len);
		assert_int_equal(b.data[b.len], '\0');
	}
	buf_release(&b);

	/* appending nothing to an empty buffer still gives a string */
	buf_init(&b, 0);
	assert_int_equal(buf_append(&b, NULL, 0), 0);
	assert_non_null(b.data);
	assert_string_equal((char *)b.data, "");
	buf_release(&b);
}

static void test_buf_detach(void **state)
{
	struct buf b;
	size_t len = 99;
	char *p;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_appends(&b, "hello"), 0);
	p = buf_detach(&b, &len);
	assert_non_null(p);
	assert_int_equal(len, 5);
	assert_string_equal(p, "hello");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	free(p);
	/* the buffer is reusable afterwards */
	assert_int_equal(buf_appends(&b, "x"), 0);
	assert_string_equal((char *)b.data, "x");
	buf_release(&b);
}

/* core.h: detach returns a NUL-terminated string even when nothing was
 * appended. Leave dirty memory for malloc to hand back first. */
static void test_buf_detach_empty(void **state)
{
	struct buf b;
	size_t len = 99;
	char *dirty, *p, first;

	(void)state;
	dirty = malloc(256);
	assert_non_null(dirty);
	memset(dirty, 'Z', 256);
	free(dirty);
	buf_init(&b, 0);
	p = buf_detach(&b, &len);
	assert_non_null(p);
	first = p[0];
	free(p);
	buf_release(&b);
	assert_int_equal(len, 0);
	assert_int_equal(first, '\0');
}

/* ---- digests ----------------------------------------------------------- */

static void test_digest_parse(void **state)
{
	static const struct { const char *s; bool ok; } cases[] = {
		{ "sha256:" HEX, true },
		{ EMPTY_SHA256, true },
		{ "sha256:0123456789ABCDEF0123456789abcdef"
		  "0123456789abcdef0123456789abcdef", false },
		{ "sha256:" HEX "0", false },
		{ "sha256:0123456789abcdef0123456789abcdef"
		  "0123456789abcdef0123456789abcde", false },
		{ "sha256:0123456789abcdef0123456789abcdef"
		  "0123456789abcdef0123456789abcdeg", false },
		{ "sha512:" HEX, false },
		{ "SHA256:" HEX, false },
		{ "sha256" HEX "0", false },
		{ "sha256-" HEX, false },
		{ " sha256:" HEX, false },
		{ "sha256: " HEX, false },
		{ HEX, false },
		{ "sha256:", false },
		{ "", false },
	};
	struct digest d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = digest_parse(&d, cases[i].s);

		if ((rc == 0) != cases[i].ok)
			fail_msg("digest case %zu '%s': rc %d", i, cases[i].s,
				 rc);
		assert_int_equal(digest_valid(cases[i].s), cases[i].ok);
		if (cases[i].ok)
			assert_string_equal(d.str, cases[i].s);
		else
			assert_int_equal(rc, ERR_FORMAT);
	}
	assert_false(digest_valid(NULL));
	assert_int_equal(digest_parse(&d, NULL), ERR_FORMAT);
}

static void test_digest_of_check(void **state)
{
	struct digest a, b;

	(void)state;
	digest_of(&a, "", 0);
	assert_string_equal(a.str, EMPTY_SHA256);
	assert_string_equal(digest_hex(&a), EMPTY_SHA256 + 7);
	digest_of(&b, "abc", 3);
	assert_string_equal(b.str, "sha256:ba7816bf8f01cfea414140de5dae2223"
			    "b00361a396177a9cb410ff61f20015ad");
	assert_true(digest_valid(b.str));
	assert_false(digest_eq(&a, &b));
	assert_int_equal(digest_parse(&b, EMPTY_SHA256), 0);
	assert_true(digest_eq(&a, &b));

	assert_int_equal(digest_check(&a, "", 0), 0);
	assert_int_equal(digest_check(&a, "x", 1), ERR_INTEGRITY);
	assert_non_null(strstr(err_msg(), EMPTY_SHA256));
	digest_of(&b, "abc", 3);
	assert_int_equal(digest_check(&b, "abc", 3), 0);
	assert_int_equal(digest_check(&b, "abd", 3), ERR_INTEGRITY);
	assert_int_equal(digest_check(&b, "abc", 2), ERR_INTEGRITY);
}

/* ---- base64 ------------------------------------------------------------ */

static void test_b64_rfc4648(void **state)
{
	static const struct { const char *raw, *std, *url; } v[] = {
		{ "", "", "" },
		{ "f", "Zg==", "Zg" },
		{ "fo", "Zm8=", "Zm8" },
		{ "foo", "Zm9v", "Zm9v" },
		{ "foob", "Zm9vYg==", "Zm9vYg" },
		{ "fooba", "Zm9vYmE=", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy", "Zm9vYmFy" },
		/* the two alphabets differ in 62 and 63 */
		{ "\xfb\xff\xbf", "+/+/", "-_-_" },
		{ "\xff\xfe", "//4=", "__4" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t n = strlen(v[i].raw);
		char *s = b64_encode(v[i].raw, n);
		char *u = b64url_encode(v[i].raw, n);
		struct buf b;

		assert_non_null(s);
		assert_non_null(u);
		assert_string_equal(s, v[i].std);
		assert_string_equal(u, v[i].url);
		free(s);
		free(u);

		buf_init(&b, 0);
		assert_int_equal(b64_decode(&b, v[i].std, strlen(v[i].std)), 0);
		assert_int_equal(b.len, n);
		assert_memory_equal(b.len ? (char *)b.data : "", v[i].raw, n);
		buf_reset(&b);
		assert_int_equal(b64url_decode(&b, v[i].url, strlen(v[i].url)),
				 0);
		assert_int_equal(b.len, n);
		assert_memory_equal(b.len ? (char *)b.data : "", v[i].raw, n);
		buf_release(&b);
	}
}

static void test_b64_round_trip(void **state)
{
	unsigned char raw[40];
	size_t len, i;

	(void)state;
	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (unsigned char)(0xf9 + i * 37);
	for (len = 0; len <= sizeof(raw); len++) {
		char *s = b64_encode(raw, len), *u = b64url_encode(raw, len);
		struct buf b;

		assert_non_null(s);
		assert_non_null(u);
		assert_int_equal(strlen(s), (len + 2) / 3 * 4);
		assert_int_equal(strlen(u), (len * 4 + 2) / 3);
		assert_null(strpbrk(s, "-_"));
		assert_null(strpbrk(u, "+/="));

		buf_init(&b, 0);
		assert_int_equal(b64_decode(&b, s, strlen(s)), 0);
		assert_int_equal(b.len, len);
		if (len)
			assert_memory_equal(b.data, raw, len);
		buf_release(&b);

		buf_init(&b, 0);
		assert_int_equal(b64url_decode(&b, u, strlen(u)), 0);
		assert_int_equal(b.len, len);
		if (len)
			assert_memory_equal(b.data, raw, len);
		buf_release(&b);
		free(s);
		free(u);
	}
}

static void test_b64_strict(void **state)
{
	static const struct { const char *s; size_t len; bool url; } bad[] = {
		/* standard alphabet, padded */
		{ "Zg", 2, false },		/* padding missing */
		{ "Zg=", 3, false },
		{ "Zg===", 5, false },
		{ "Zh==", 4, false },		/* non-zero trailing bits */
		{ "Zm9=", 4, false },
		{ "Zm9vYh==", 8, false },
		{ "Z===", 4, false },
		{ "====", 4, false },
		{ "Zg==Zg==", 8, false },	/* '=' in the middle */
		{ "Z=g=", 4, false },
		{ "Zm 9v", 5, false },		/* whitespace */
		{ "Zm9v\n", 5, false },
		{ " Zm9v", 5, false },
		{ "Zm9v\r\nZm9v", 10, false },
		{ "Zm9v-_==", 8, false },	/* URL alphabet */
		{ "Zm9\0v", 5, false },		/* NUL */
		{ "Zm9v\xc3\xa9==", 8, false },
		{ "Z", 1, false },
		/* URL alphabet, unpadded */
		{ "Zg==", 4, true },
		{ "Zg=", 3, true },
		{ "Zh", 2, true },
		{ "Zm9", 3, true },
		{ "Z", 1, true },
		{ "Zm9vY", 5, true },
		{ "+/+/", 4, true },		/* standard alphabet */
		{ "Zm 9v", 5, true },
		{ "Zm9v\n", 5, true },
		{ "Zm\0v", 4, true },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct buf b;
		int rc;

		buf_init(&b, 0);
		rc = bad[i].url ? b64url_decode(&b, bad[i].s, bad[i].len) :
				  b64_decode(&b, bad[i].s, bad[i].len);
		if (rc != ERR_FORMAT)
			fail_msg("b64 case %zu accepted (rc %d)", i, rc);
		buf_release(&b);
	}
}

static void test_b64_decode_len_and_cap(void **state)
{
	struct buf b;

	(void)state;
	/* only @len characters are read */
	buf_init(&b, 0);
	assert_int_equal(b64_decode(&b, "Zm9v!!!!", 4), 0);
	assert_string_equal((char *)b.data, "foo");
	buf_release(&b);
	/* the buffer's cap holds */
	buf_init(&b, 5);
	assert_int_equal(b64_decode(&b, "Zm9vYmFy", 8), ERR_FORMAT);
	buf_release(&b);
}

/* ---- JSON -------------------------------------------------------------- */

static void test_jx_parse(void **state)
{
	static const struct { const char *s; size_t len; bool ok; } cases[] = {
		{ "{\"a\":1}", 7, true },
		{ " \n{ \"a\" : [1, 2.5, {\"b\": null}], \"c\": \"d\" }\n", 0,
		  true },
		{ "[]", 2, true },
		{ "{\"a\":\"\\u00e9\"}", 0, true },
		{ "{\"a\":1,\"a\":2}", 0, false },	/* duplicate key */
		{ "{\"o\":{\"k\":1,\"k\":1}}", 0, false },
		{ "{\"a\":1} x", 0, false },		/* trailing garbage */
		{ "{\"a\":1}{}", 0, false },
		{ "{\"a\":1}\0", 8, false },		/* NUL byte */
		{ "{\"a\":\"x\0y\"}", 11, false },
		{ "{\"a\":\"\\u0000\"}", 0, false },
		{ "{\"a\":\"\xff\"}", 0, false },	/* invalid UTF-8 */
		{ "{\"a\":1", 0, false },
		{ "{'a':1}", 0, false },
		{ "", 0, false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].s);
		json_t *v = (json_t *)1;
		int rc = jx_parse(&v, cases[i].s, len, "test doc");

		if ((rc == 0) != cases[i].ok)
			fail_msg("json case %zu: rc %d (%s)", i, rc,
				 err_msg());
		if (rc == 0) {
			assert_non_null(v);
			json_decref(v);
		} else {
			assert_int_equal(rc, ERR_FORMAT);
			assert_null(v);
			assert_non_null(strstr(err_msg(), "test doc"));
		}
	}
}

static void test_jx_str_dump(void **state)
{
	const char *doc = "{\"s\":\"v\",\"n\":1,\"b\":{\"z\":1,\"a\":[true]}}";
	json_t *v;
	char *out;

	(void)state;
	assert_int_equal(jx_parse(&v, doc, strlen(doc), "doc"), 0);
	assert_string_equal(jx_str(v, "s"), "v");
	assert_null(jx_str(v, "n"));
	assert_null(jx_str(v, "missing"));
	assert_null(jx_str(NULL, "s"));
	out = jx_dump(v);
	assert_string_equal(out, "{\"b\":{\"a\":[true],\"z\":1},\"n\":1,"
			    "\"s\":\"v\"}");
	free(out);
	json_decref(v);
}

/* ---- annotations ------------------------------------------------------- */

static void test_kvlist_add_arg(void **state)
{
	static const struct {
		const char *arg;
		int rc;
		const char *key, *value;
	} cases[] = {
		{ "k=v", 0, "k", "v" },
		{ "key=a=b", 0, "key", "a=b" },
		{ "empty=", 0, "empty", "" },
		{ "sp ace=x y", 0, "sp ace", "x y" },
		{ "novalue", ERR_USAGE, NULL, NULL },
		{ "", ERR_USAGE, NULL, NULL },
		{ "=v", ERR_USAGE, NULL, NULL },
		{ "=", ERR_USAGE, NULL, NULL },
	};
	struct kvlist l = { NULL, 0 };
	size_t i, n = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(kvlist_add_arg(&l, cases[i].arg), cases[i].rc);
		if (cases[i].rc) {
			assert_non_null(strstr(err_msg(), "KEY=VALUE"));
			assert_int_equal(l.n, n);
			continue;
		}
		n++;
		assert_int_equal(l.n, n);
		assert_string_equal(l.items[n - 1].key, cases[i].key);
		assert_string_equal(l.items[n - 1].value, cases[i].value);
	}
	kvlist_release(&l);
	assert_null(l.items);
	assert_int_equal(l.n, 0);
	kvlist_release(&l);
}

static void test_kvlist_matched_by(void **state)
{
	const char *doc = "{\"k\":\"v\",\"x\":\"y\",\"n\":1,\"e\":\"\"}";
	struct kvlist want = { NULL, 0 };
	const char *missing;
	json_t *obj, *arr;

	(void)state;
	assert_int_equal(jx_parse(&obj, doc, strlen(doc), "doc"), 0);
	arr = json_array();

	/* nothing wanted: anything matches */
	assert_true(kvlist_matched_by(&want, obj, NULL));

	assert_int_equal(kvlist_add_arg(&want, "k=v"), 0);
	assert_int_equal(kvlist_add_arg(&want, "e="), 0);
	missing = NULL;
	assert_true(kvlist_matched_by(&want, obj, &missing));
	assert_null(missing);
	assert_false(kvlist_matched_by(&want, NULL, &missing));
	assert_string_equal(missing, "k");
	assert_false(kvlist_matched_by(&want, arr, NULL));

	assert_int_equal(kvlist_add_arg(&want, "x=z"), 0);
	assert_false(kvlist_matched_by(&want, obj, &missing));
	assert_string_equal(missing, "x");
	kvlist_release(&want);

	/* a number is not the string "1" */
	assert_int_equal(kvlist_add_arg(&want, "n=1"), 0);
	assert_false(kvlist_matched_by(&want, obj, &missing));
	assert_string_equal(missing, "n");
	kvlist_release(&want);

	assert_int_equal(kvlist_add_arg(&want, "absent=v"), 0);
	assert_false(kvlist_matched_by(&want, obj, &missing));
	assert_string_equal(missing, "absent");
	kvlist_release(&want);

	json_decref(arr);
	json_decref(obj);
}

/* ---- secrets and output hygiene ---------------------------------------- */

static void test_secrets(void **state)
{
	unsigned char k[16];
	size_t i;

	(void)state;
	memset(k, 0x41, sizeof(k));
	secure_wipe(k, sizeof(k));
	for (i = 0; i < sizeof(k); i++)
		assert_int_equal(k[i], 0);
	secure_wipe(NULL, 10);
	assert_true(ct_equal("abcd", "abcd", 4));
	assert_false(ct_equal("abcd", "abce", 4));
	assert_true(ct_equal("a", "b", 0));
}

static void test_str_sanitize(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "plain text", "plain text" },
		{ "", "" },
		{ "\x1b[31mred\x1b[0m", "?[31mred?[0m" },
		{ "a\tb\nc\rd", "a?b?c?d" },
		{ "del\x7f", "del?" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },		/* é kept */
		{ "\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac" },
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },	/* U+1F600 */
		{ "\xc2\xa0", "\xc2\xa0" },			/* U+00A0 */
		{ "a\xc2\x9b" "31mb", "a??31mb" },		/* C1 CSI */
		{ "\xc2\x85", "??" },				/* C1 NEL */
		{ "x\xe2\x80\xae" "cod.exe", "x???cod.exe" },	/* U+202E */
		{ "\xe2\x80\xaa", "???" },			/* U+202A */
		{ "\xe2\x81\xa6", "???" },			/* U+2066 */
		{ "\xe2\x80\xa8", "???" },			/* U+2028 */
		{ "\x80", "?" },				/* stray */
		{ "\xc0\xaf", "??" },				/* overlong */
		{ "\xe0\x80\xaf", "???" },
		{ "\xed\xa0\x80", "???" },			/* surrogate */
		{ "\xf4\x90\x80\x80", "????" },			/* > U+10FFFF */
		{ "\xc3", "?" },				/* cut short */
		{ "\xe2\x80", "??" },
	};
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		str_sanitize(out, sizeof(out), cases[i].in);
		if (strcmp(out, cases[i].out) != 0)
			fail_msg("sanitize case %zu: got '%s'", i, out);
	}
	str_sanitize(out, sizeof(out), NULL);
	assert_string_equal(out, "");
}

static void test_str_sanitize_truncates(void **state)
{
	char out[8];
	size_t sz;

	(void)state;
	str_sanitize(out, 4, "abcdef");
	assert_string_equal(out, "abc");
	str_sanitize(out, 1, "abcdef");
	assert_string_equal(out, "");
	memset(out, 'Z', sizeof(out));
	str_sanitize(out, 0, "abcdef");	/* writes nothing */
	assert_int_equal(out[0], 'Z');

	/* every size: terminated in bounds, never half a UTF-8 sequence */
	for (sz = 1; sz <= sizeof(out); sz++) {
		size_t n, j;

		memset(out, 'Z', sizeof(out));
		str_sanitize(out, sz, "a\xc3\xa9\xe2\x82\xac\x1b");
		n = strnlen(out, sz);
		assert_true(n < sz);
		for (j = 0; j < n; ) {
			unsigned char ch = (unsigned char)out[j];
			size_t w = ch < 0x80 ? 1 : ch >= 0xe0 ? 3 : 2;

			assert_true(ch != 0x1b);
			assert_true(j + w <= n);
			j += w;
		}
	}
}

/* ---- the file reader ----------------------------------------------------- */

static char tmpdir[256];

static const char *tpath(const char *name)
{
	static char p[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", tmpdir, name);
	return p[k];
}

static void put(const char *name, const char *text)
{
	FILE *f = fopen(tpath(name), "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void assert_msg_has(const char *want)
{
	if (!strstr(err_msg(), want))
		fail_msg("message '%s' lacks '%s'", err_msg(), want);
}

static int files_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/signet-core-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int files_teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_file_read(void **state)
{
	struct buf b;

	(void)state;
	put("ten", "0123456789");
	buf_init(&b, 0);
	assert_int_equal(file_read(&b, tpath("ten"), 10, 0, NULL), 0);
	assert_int_equal(b.len, 10);
	assert_string_equal((char *)b.data, "0123456789");
	/* appends, the cap counting the file alone */
	assert_int_equal(file_read(&b, tpath("ten"), 10, 0, NULL), 0);
	assert_int_equal(b.len, 20);
	assert_int_equal(b.data[20], '\0');
	buf_release(&b);

	/* empty: no bytes, still a NUL-terminated string */
	put("empty", "");
	buf_init(&b, 0);
	assert_int_equal(file_read(&b, tpath("empty"), 10, 0, NULL), 0);
	assert_int_equal(b.len, 0);
	assert_non_null(b.data);
	assert_string_equal((char *)b.data, "");
	buf_release(&b);
}

static void test_file_read_refused(void **state)
{
	struct buf b;

	(void)state;
	put("ten", "0123456789");
	buf_init(&b, 0);
	assert_int_equal(buf_appends(&b, "kept"), 0);

	/* over the cap: refused, whatever @out would take */
	assert_int_equal(file_read(&b, tpath("ten"), 9, 0, NULL), ERR_FORMAT);
	assert_msg_has("is over 9 bytes");

	/* a link: refused, unless the caller follows links */
	assert_int_equal(symlink(tpath("ten"), tpath("link")), 0);
	assert_int_equal(file_read(&b, tpath("link"), 100, 0, NULL), ERR_IO);
	assert_msg_has("symbolic link");

	/* a FIFO (without blocking) and a folder */
	assert_int_equal(mkfifo(tpath("fifo"), 0600), 0);
	assert_int_equal(file_read(&b, tpath("fifo"), 100, 0, NULL), ERR_IO);
	assert_msg_has("is not a regular file");
	assert_int_equal(file_read(&b, tmpdir, 100, FILE_FOLLOW, NULL),
			 ERR_IO);
	assert_msg_has("is not a regular file");

	/* nothing there; and the file's role in the message */
	assert_int_equal(file_read(&b, tpath("none"), 100, 0, "policy"),
			 ERR_NOTFOUND);
	assert_msg_has("cannot read policy '");
	assert_msg_has("No such file");

	/* after each error @out is as it was */
	assert_int_equal(b.len, 4);
	assert_string_equal((char *)b.data, "kept");

	assert_int_equal(file_read(&b, tpath("link"), 100, FILE_FOLLOW,
				   NULL), 0);
	assert_string_equal((char *)b.data, "kept0123456789");
	buf_release(&b);
}

/* ---- RFC 3339 ------------------------------------------------------------ */

static void test_rfc3339_table(void **state)
{
	static const struct {
		const char *s;
		unsigned flags;
		int rc;
		long long t;
	} cases[] = {
		{ "2023-06-27T05:30:33Z", 0, 0, 1687843833 },
		{ "2023-06-27T13:30:33+08:00", 0, 0, 1687843833 },
		{ "2023-06-26T23:00:33-06:30", 0, 0, 1687843833 },
		{ "2023-06-27T05:30:33.5Z", 0, 0, 1687843833 },
		{ "2023-06-27T05:30:33.999999999Z", 0, 0, 1687843833 },
		{ "1969-12-31T23:59:59Z", 0, 0, -1 },
		{ "0000-01-01T00:00:00Z", 0, 0, -62167219200LL },
		{ "9999-12-31T23:59:59Z", 0, 0, 253402300799LL },
		{ "2024-02-29T00:00:00Z", 0, 0, 1709164800 },
		{ "2023-06-27t05:30:33z", RFC3339_LOWER, 0, 1687843833 },
		{ "2023-06-27T05:30:33z", RFC3339_LOWER, 0, 1687843833 },
		{ "2023-06-27t05:30:33Z", 0, ERR_FORMAT, 0 },
		{ "2023-06-27T05:30:33z", 0, ERR_FORMAT, 0 },
		{ "2016-12-31T23:59:60Z", 0, ERR_FORMAT, 0 },
		{ "2016-12-31T23:59:60Z", RFC3339_LOWER, ERR_FORMAT, 0 },
		{ "2023-02-29T00:00:00Z", 0, ERR_FORMAT, 0 },
		{ "2023-04-31T00:00:00Z", 0, ERR_FORMAT, 0 },
		{ "2023-06-27T24:00:00Z", 0, ERR_FORMAT, 0 },
		{ "2023-06-27T23:60:00Z", 0, ERR_FORMAT, 0 },
		{ "2023-06-27T05:30:33.Z", 0, ERR_FORMAT, 0 },
		{ "2023-06-27T05:30:33.1234567890Z", 0, ERR_FORMAT, 0 },
		{ "2023-06-27T05:30:33+0800", 0, ERR_FORMAT, 0 },
		{ "2023-06-27T05:30:33+24:00", 0, ERR_FORMAT, 0 },
		{ "2023-06-27T05:30:33+08:60", 0, ERR_FORMAT, 0 },
		{ "2023-06-27 05:30:33Z", RFC3339_LOWER, ERR_FORMAT, 0 },
		{ "2023-06-27T05:30:33", 0, ERR_FORMAT, 0 },
		{ "2023-06-27T05:30:33ZZ", 0, ERR_FORMAT, 0 },
		{ "2023-6-27T05:30:33Z", 0, ERR_FORMAT, 0 },
		{ "", 0, ERR_FORMAT, 0 },
	};
	time_t t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = rfc3339_parse(&t, cases[i].s, cases[i].flags);

		if (rc != cases[i].rc ||
		    (rc == 0 && (long long)t != cases[i].t))
			fail_msg("'%s' (flags %u): rc %d", cases[i].s,
				 cases[i].flags, rc);
	}
	assert_int_equal(rfc3339_parse(&t, "2023-06-27T05:30:33z", 0),
			 ERR_FORMAT);
	assert_msg_has("invalid RFC 3339 time '2023-06-27T05:30:33z'");
	assert_int_equal(rfc3339_parse(&t, NULL, 0), ERR_FORMAT);
}

static void test_rfc3339_format(void **state)
{
	char out[RFC3339_MAX];
	time_t t, back;

	(void)state;
	assert_int_equal(rfc3339_format(out, 1687843833), 0);
	assert_string_equal(out, "2023-06-27T05:30:33Z");
	assert_int_equal(rfc3339_format(out, 253402300800LL), ERR_USAGE);
	for (t = -86400LL * 800; t < 86400LL * 365 * 300;
	     t += 86400 * 41 + 3607) {
		assert_int_equal(rfc3339_format(out, t), 0);
		assert_int_equal(rfc3339_parse(&back, out, 0), 0);
		assert_int_equal(back, t);
	}
}

/* ---- JSON paths ---------------------------------------------------------- */

struct sink {
	size_t n, warnings;
	char last[JP_MSG_MAX];
};

static void sink_report(void *arg, bool warning, const char *msg)
{
	struct sink *k = arg;

	k->n++;
	k->warnings += warning;
	snprintf(k->last, sizeof(k->last), "%s", msg);
}

static void test_jsonpath(void **state)
{
	static const char *const allowed[] = { "a", "b", NULL };
	static const char dup[] = "{\"a\":[1,{\"x y\":1,\n\"x y\":2}]}";
	static const char good[] = "{\"a\":\"\",\"c\":true}";
	struct sink k = { 0 };
	struct jp_reader r = { sink_report, &k, 0, "", 0 };
	json_t *doc = NULL;
	char jp[JP_MAX];

	(void)state;
	assert_int_equal(jp_parse(&doc, &r, dup, strlen(dup), "doc"),
			 ERR_FORMAT);
	assert_null(doc);
	assert_string_equal(k.last, ".a[1][\"x y\"]: duplicate key (line 2)");
	assert_int_equal(r.first_rc, ERR_FORMAT);

	assert_int_equal(jp_parse(&doc, &r, good, strlen(good), "doc"), 0);
	jp_only_fields(&r, doc, "", allowed, "a, b");
	assert_string_equal(k.last, ".c: unknown field (known: a, b)");
	assert_null(jp_get_str(&r, doc, "a", "", false));
	assert_string_equal(k.last, ".a: expected a non-empty string "
			    "without NUL");
	assert_null(jp_get_str(&r, doc, "b", ".top", true));
	assert_string_equal(k.last, ".top.b: missing");
	assert_true(jp_get_bool(&r, doc, "c", ""));
	jp_report(&r, 0, jp_idx(jp, ".list", 3), "only a %s", "warning");
	assert_string_equal(k.last, ".list[3]: only a warning");
	assert_int_equal(k.n, 5);
	assert_int_equal(k.warnings, 1);
	assert_int_equal(r.n_errors, 4);
	assert_string_equal(r.first, ".a[1][\"x y\"]: duplicate key (line 2)");
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err_exit_status),
		cmocka_unit_test(test_err_set_wrap),
		cmocka_unit_test(test_err_set_ssl),
		cmocka_unit_test(test_buf_caps),
		cmocka_unit_test(test_buf_nul_terminated),
		cmocka_unit_test(test_buf_detach),
		cmocka_unit_test(test_buf_detach_empty),
		cmocka_unit_test(test_digest_parse),
		cmocka_unit_test(test_digest_of_check),
		cmocka_unit_test(test_b64_rfc4648),
		cmocka_unit_test(test_b64_round_trip),
		cmocka_unit_test(test_b64_strict),
		cmocka_unit_test(test_b64_decode_len_and_cap),
		cmocka_unit_test(test_jx_parse),
		cmocka_unit_test(test_jx_str_dump),
		cmocka_unit_test(test_kvlist_add_arg),
		cmocka_unit_test(test_kvlist_matched_by),
		cmocka_unit_test(test_secrets),
		cmocka_unit_test(test_str_sanitize),
		cmocka_unit_test(test_str_sanitize_truncates),
	};

	const struct CMUnitTest file_tests[] = {
		cmocka_unit_test(test_file_read),
		cmocka_unit_test(test_file_read_refused),
		cmocka_unit_test(test_rfc3339_table),
		cmocka_unit_test(test_rfc3339_format),
		cmocka_unit_test(test_jsonpath),
	};

	return cmocka_run_group_tests(tests, NULL, NULL) ||
	       cmocka_run_group_tests(file_tests, files_setup,
				      files_teardown);
}
