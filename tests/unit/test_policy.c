/* test_policy.c - the trust policy: scope globs and precedence, strict
 * parsing with JSON paths, RFC 3339 times, discovery, and the evaluator as
 * a pure function of (policy, repository, signatures, now). Key files are
 * generated into a temporary folder; nothing touches the network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "../../keys/keys.h"
#include "../../verify/verify.h"

#define T2026 1769817600	/* 2026-01-31T00:00:00Z */
#define T2030 1893456000	/* 2030-01-01T00:00:00Z */

static char tmpdir[] = "/tmp/signet-test-policy-XXXXXX";

static const char *tpath(const char *name)
{
	static char bufs[16][512];
	static int i;
	char *p = bufs[i++ % 16];

	assert_true(snprintf(p, 512, "%s/%s", tmpdir, name) < 512);
	return p;
}

static void write_file(const char *name, const char *data)
{
	FILE *f = fopen(tpath(name), "w");

	assert_non_null(f);
	assert_int_equal(fputs(data, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static EVP_PKEY *new_key(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	assert_non_null(k);
	return k;
}

static void write_pub(const char *name, EVP_PKEY *k)
{
	FILE *f = fopen(tpath(name), "w");

	assert_non_null(f);
	assert_int_equal(PEM_write_PUBKEY(f, k), 1);
	assert_int_equal(fclose(f), 0);
}

/* alice (and a copy under another file name, compressed as alice-z.pub,
 * certified as alice.crt), bob, carol, dave, mallory; a private key file;
 * a link to bob's; self-signed certificates: ca, leaf (its key alone as
 * leaf-key.pub) and leaf2 (the evaluator never looks at who issued
 * what). */
static int setup(void **state)
{
	const char *names[] = { "alice.pub", "bob.pub", "carol.pub",
				"dave.pub", "mallory.pub" };
	const char *certs[] = { "ca.pem", "leaf.pem", "leaf2.pem" };
	EVP_PKEY *k, *alice = NULL;
	X509 *cert = NULL;
	FILE *f;
	size_t i;

	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		k = new_key();
		write_pub(names[i], k);
		if (i == 0)
			alice = k;
		else
			EVP_PKEY_free(k);
	}
	write_pub("alice-copy.pub", alice);
	/* alice's key, compressed, and in a certificate (issue 14) */
	if (keys_x509_generate(&cert, alice, "CN=alice", 2) < 0 ||
	    keys_save_cert(tpath("alice.crt"), cert, false) < 0)
		return -1;
	X509_free(cert);
	cert = NULL;
	if (EVP_PKEY_set_utf8_string_param(alice, "point-format",
					   "compressed") != 1)
		return -1;
	write_pub("alice-z.pub", alice);
	f = fopen(tpath("private.pem"), "w");
	if (!f || PEM_write_PrivateKey(f, alice, NULL, NULL, 0, NULL,
				       NULL) != 1)
		return -1;
	fclose(f);
	EVP_PKEY_free(alice);
	if (symlink("bob.pub", tpath("link.pub")) < 0)
		return -1;
	for (i = 0; i < sizeof(certs) / sizeof(certs[0]); i++) {
		k = new_key();
		if (keys_x509_generate(&cert, k, "CN=release,O=Example",
				       2) < 0 ||
		    keys_save_cert(tpath(certs[i]), cert, false) < 0)
			return -1;
		if (i == 1)	/* the leaf's key alone */
			write_pub("leaf-key.pub", k);
		X509_free(cert);
		EVP_PKEY_free(k);
	}
	return 0;
}

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int parse(struct policy **out, const char *json,
		 struct policy_diags *d)
{
	return policy_parse(out, json, strlen(json), tpath("policy.json"), d);
}

/* ---- scopes ------------------------------------------------------------- */

static void test_scope_match(void **state)
{
	static const struct {
		const char *scope, *repo;
		bool match;
	} cases[] = {
		{ "reg/app", "reg/app", true },
		{ "reg/app", "reg/apps", false },
		{ "reg/app", "reg/ap", false },
		{ "reg/prod/*", "reg/prod/app", true },
		{ "reg/prod/*", "reg/prod/a/b", false },
		{ "reg/prod/*", "reg/production/app", false },
		{ "reg/prod/**", "reg/prod/a/b", true },
		{ "reg/prod/**", "reg/prod/app", true },
		{ "reg/prod/**", "reg/prod", false },
		{ "reg/**/app", "reg/x/y/app", true },
		{ "reg/**/app", "reg/app", false },
		{ "*/library/**", "docker.io/library/ubuntu", true },
		{ "*/library/**", "docker.io/x/library/ubuntu", false },
		{ "**", "docker.io/library/ubuntu", true },
		{ "*", "docker.io/library/ubuntu", false },
		{ "reg/app-*", "reg/app-1", true },
		{ "reg/app-*", "reg/app", false },
		{ "reg/a*b*c", "reg/axxbyyc", true },
		{ "reg/a*b*c", "reg/axxbyy", false },
		{ "127.0.0.1:*/x", "127.0.0.1:5000/x", true },
		{ "*/x", "127.0.0.1:5000/x", true },
		{ "*/x", "127.0.0.1:5000/y/x", false },
		{ "reg/*/*", "reg/a/b", true },
		{ "reg/*/*", "reg/a/b/c", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = policy_scope_match(cases[i].scope, cases[i].repo);

		if (got != cases[i].match)
			fail_msg("scope '%s' vs '%s': got %d", cases[i].scope,
				 cases[i].repo, got);
	}
}

static void test_precedence(void **state)
{
	static const char *json =
		"{\"version\":1,\"rules\":["
		"{\"scope\":\"reg/**\",\"reject\":true},"		/* 0 */
		"{\"scope\":\"reg/prod/*\",\"reject\":true},"		/* 1 */
		"{\"scope\":\"reg/prod/app\",\"reject\":true},"		/* 2 */
		"{\"scope\":\"*/prod/*\",\"reject\":true},"		/* 3 */
		"{\"scope\":\"reg/*/app\",\"reject\":true},"		/* 4 */
		"{\"scope\":\"**/app\",\"reject\":true},"		/* 5 */
		"{\"scope\":\"reg/prod/**\",\"reject\":true},"		/* 6 */
		"{\"scope\":\"reg/x*/y\",\"reject\":true},"		/* 7 */
		"{\"scope\":\"reg/*x/y\",\"reject\":true},"		/* 8 */
		"{\"scope\":\"reg/prod/ap*\",\"reject\":true}"		/* 9 */
		"]}";
	static const struct {
		const char *repo;
		int rule;
	} cases[] = {
		{ "reg/prod/app", 2 },	/* exact beats every glob */
		{ "reg/prod/apx", 9 },	/* most literal characters */
		{ "reg/prod/web", 1 },	/* tie on literals: fewer '**' */
		{ "reg/dev/app", 4 },
		{ "other/prod/web", 3 },
		{ "other/x/app", 5 },
		{ "reg/prod/a/b", 6 },
		{ "reg/x/y", 7 },	/* full tie: the earlier */
		{ "reg/zx/y", 8 },
		{ "reg/other", 0 },
		{ "other/thing", -1 },	/* nothing matches */
	};
	struct policy_diags d = { 0 };
	struct policy *p;
	size_t i, overlaps = 0;

	(void)state;
	assert_int_equal(parse(&p, json, &d), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct policy_rule *r = policy_match(p, cases[i].repo);
		int got = r ? (int)r->index : -1;

		if (got != cases[i].rule)
			fail_msg("'%s': rule %d, want %d", cases[i].repo, got,
				 cases[i].rule);
	}
	/* full ties are reported: reg/app matches 0 and 5, reg/x/y 7 and
	 * 8; nothing else is doubtful here */
	for (i = 0; i < d.n; i++) {
		assert_true(d.items[i].warning);
		if (strstr(d.items[i].msg, "overlaps"))
			overlaps++;
	}
	assert_int_equal(overlaps, 2);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.items[0].msg, ".rules[5]: scope '**/app' "
			    "overlaps 'reg/**' of .rules[0] with equal "
			    "specificity; for images both match, .rules[0] "
			    "wins (the earlier)");
	assert_non_null(strstr(d.items[1].msg, ".rules[8]: scope 'reg/*x/y' "
			       "overlaps 'reg/x*/y' of .rules[7]"));
	policy_diags_release(&d);
	policy_free(p);
}

static void test_overlap_warnings(void **state)
{
	static const struct {
		const char *a, *b;
		bool warn;
	} cases[] = {
		/* equal specificity, and some image matches both */
		{ "reg/a*/x", "reg/*a/x", true },	/* reg/a/x */
		{ "r/**/z", "r/a/**", true },		/* r/a/z */
		{ "*/p/*", "*/*/q", true },		/* h/p/q */
		{ "ab/*/*", "*/cd/*", true },		/* ab/cd/x */
		{ "**/x", "r/**", true },		/* r/x */
		/* equal specificity, no common image */
		{ "reg/a*/x", "reg/b*/x", false },
		{ "reg/*/x", "reg/*/y", false },
		{ "a/*/x", "b/*/x", false },
		{ "r/*/z", "r/*/z/**", false },		/* not equal anyway */
		/* unequal specificity: precedence is clear */
		{ "reg/*/x", "*/a/x", false },
		{ "reg/**", "reg/*", false },
	};
	char json[512];
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy_diags d = { 0 };
		struct policy *p;
		bool warned = false;

		snprintf(json, sizeof(json), "{\"version\":1,\"rules\":["
			 "{\"scope\":\"%s\",\"reject\":true},"
			 "{\"scope\":\"%s\",\"reject\":true}]}",
			 cases[i].a, cases[i].b);
		assert_int_equal(parse(&p, json, &d), 0);
		for (j = 0; j < d.n; j++)
			warned |= strstr(d.items[j].msg, "overlaps") != NULL;
		if (warned != cases[i].warn)
			fail_msg("'%s' and '%s': warned %d", cases[i].a,
				 cases[i].b, warned);
		policy_diags_release(&d);
		policy_free(p);
	}
}

/* Hosts of scopes are normalised, and a catch-all that trusts less
 * beside a host-specific rule is pointed out: another name of that host
 * (an address, another DNS name) falls to it (issue 14). */
static void test_host_warnings(void **state)
{
	static const struct {
		const char *specific, *catchall;
		const char *warn;	/* in the warning, or NULL: none */
	} cases[] = {
		{ "{\"scope\":\"localhost:5000/**\",\"keys\":[\"alice\"]}",
		  "{\"scope\":\"**\",\"insecure-accept-anything\":true}",
		  ".rules[1]: scope '**' accepts anything, and matches what "
		  ".rules[0] ('localhost:5000/**') covers" },
		{ "{\"scope\":\"reg.example.com/prod/*\",\"keys\":[\"alice\"]}",
		  "{\"scope\":\"*/**\",\"keys\":[\"bob\"]}",
		  "trusts other keys" },
		{ "{\"scope\":\"reg.example.com/prod/*\",\"keys\":[\"alice\","
		  "\"bob\"],\"threshold\":2}",
		  "{\"scope\":\"*.example.com/prod/*\",\"keys\":[\"alice\"]}",
		  "needs fewer signatures" },
		{ "{\"scope\":\"reg.example.com/prod/*\",\"reject\":true}",
		  "{\"scope\":\"**\",\"keys\":[\"alice\"]}",
		  "accepts signed images" },
		/* as strict, or stricter: nothing to say */
		{ "{\"scope\":\"reg.example.com/prod/*\",\"keys\":[\"alice\"]}",
		  "{\"scope\":\"**\",\"reject\":true}", NULL },
		{ "{\"scope\":\"reg.example.com/prod/*\",\"keys\":[\"alice\","
		  "\"bob\"]}",
		  "{\"scope\":\"**\",\"keys\":[\"alice\"]}", NULL },
		{ "{\"scope\":\"reg.example.com/prod/*\","
		  "\"insecure-accept-anything\":true}",
		  "{\"scope\":\"**\",\"keys\":[\"alice\"]}", NULL },
		/* another host by name, or other repositories only */
		{ "{\"scope\":\"reg.example.com/prod/*\",\"keys\":[\"alice\"]}",
		  "{\"scope\":\"other.example.com/**\","
		  "\"insecure-accept-anything\":true}", NULL },
		{ "{\"scope\":\"reg.example.com/prod/*\",\"keys\":[\"alice\"]}",
		  "{\"scope\":\"*/dev/**\",\"insecure-accept-anything\":true}",
		  NULL },
	};
	char json[1024];
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy_diags d = { 0 };
		struct policy *p;
		const char *hit = NULL;

		snprintf(json, sizeof(json), "{\"version\":1,\"keys\":{"
			 "\"alice\":{\"public-key\":\"alice.pub\"},"
			 "\"bob\":{\"public-key\":\"bob.pub\"}},\"rules\":["
			 "%s,%s]}", cases[i].specific, cases[i].catchall);
		assert_int_equal(parse(&p, json, &d), 0);
		for (j = 0; j < d.n; j++)
			if (strstr(d.items[j].msg, "cannot tell"))
				hit = d.items[j].msg;
		if (!cases[i].warn != !hit ||
		    (hit && !strstr(hit, cases[i].warn)))
			fail_msg("case %zu: warning '%s'", i, hit ? hit : "");
		policy_diags_release(&d);
		policy_free(p);
	}
}

/* One warning per catch-all, however many rules it shadows. */
static void test_host_warning_once(void **state)
{
	static const char *json =
		"{\"version\":1,\"keys\":{"
		"\"alice\":{\"public-key\":\"alice.pub\"}},\"rules\":["
		"{\"scope\":\"localhost:5000/**\",\"keys\":[\"alice\"]},"
		"{\"scope\":\"reg.example.com/a\",\"keys\":[\"alice\"]},"
		"{\"scope\":\"reg.example.com/b/*\",\"reject\":true},"
		"{\"scope\":\"**\",\"insecure-accept-anything\":true}]}";
	struct policy_diags d = { 0 };
	struct policy *p;

	(void)state;
	assert_int_equal(parse(&p, json, &d), 0);
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.items[0].msg, ".rules[3]: scope '**' accepts "
			       "anything, and matches what .rules[0] "
			       "('localhost:5000/**') (and 2 more) covers"));
	policy_diags_release(&d);
	policy_free(p);
}

/* Scopes are kept as references write hosts; policy check says so. */
static void test_scope_hosts(void **state)
{
	static const char *json =
		"{\"version\":1,\"rules\":["
		"{\"scope\":\"REG.Example.com:443/prod/*\",\"reject\":true},"
		"{\"scope\":\"index.docker.io/library/*\",\"reject\":true},"
		"{\"scope\":\"[0:0::1]:5000/**\",\"reject\":true},"
		"{\"scope\":\"reg.example.com/dev/*\",\"reject\":true}]}";
	static const char *const dup =
		"{\"version\":1,\"rules\":["
		"{\"scope\":\"reg.example.com/a\",\"reject\":true},"
		"{\"scope\":\"REG.EXAMPLE.COM:443/a\",\"reject\":true}]}";
	struct policy_diags d = { 0 };
	struct policy *p;

	(void)state;
	assert_int_equal(parse(&p, json, &d), 0);
	assert_string_equal(p->rules[0].scope, "reg.example.com/prod/*");
	assert_string_equal(p->rules[1].scope, "docker.io/library/*");
	assert_string_equal(p->rules[2].scope, "[::1]:5000/**");
	assert_string_equal(p->rules[3].scope, "reg.example.com/dev/*");
	assert_int_equal(d.n, 3);
	assert_string_equal(d.items[0].msg, ".rules[0].scope: scope "
			    "'REG.Example.com:443/prod/*' is read as "
			    "'reg.example.com/prod/*': registry hosts are "
			    "matched in lower case, without ':443', Docker "
			    "Hub as docker.io");
	assert_int_equal(policy_match(p, "reg.example.com/prod/x")->index, 0);
	assert_int_equal(policy_match(p, "docker.io/library/x")->index, 1);
	policy_diags_release(&d);
	policy_free(p);
	/* two spellings of one scope are one scope */
	assert_int_equal(parse(&p, dup, &d), ERR_FORMAT);
	assert_non_null(strstr(err_msg(), "same scope"));
	policy_diags_release(&d);
}

/* ---- strict parsing ----------------------------------------------------- */

#define KA "\"alice\":{\"public-key\":\"alice.pub\"}"
#define KB "\"bob\":{\"public-key\":\"bob.pub\"}"
#define R1(x) "{\"version\":1,\"keys\":{" KA "," KB "},\"rules\":[" x "]}"
#define RULE "{\"scope\":\"reg/app\",\"keys\":[\"alice\"]}"

static void test_parse_errors(void **state)
{
	static const struct {
		const char *name, *json;
		int rc;
		const char *msg;	/* in the recorded message */
	} cases[] = {
		{ "minimal", R1(RULE), 0, NULL },
		{ "comments", "{\"version\":1,\"comment\":\"c\",\"keys\":{"
		  "\"alice\":{\"public-key\":\"alice.pub\",\"comment\":\"c\"}"
		  "},\"rules\":[{\"scope\":\"reg/app\",\"keys\":[\"alice\"],"
		  "\"comment\":\"c\"}]}", 0, NULL },
		{ "all fields", "{\"version\":1,\"keys\":{" KA ",\"ca\":{"
		  "\"certificate\":\"ca.pem\",\"revoked\":false}},\"rules\":["
		  "{\"scope\":\"reg/*\",\"keys\":[\"alice\",\"ca\"],"
		  "\"threshold\":2,\"annotations\":{\"env\":\"prod\"},"
		  "\"formats\":[\"cosign\",\"notation\"],\"subject\":{"
		  "\"CN\":\"release\",\"O\":\"Example\"}}]}", 0, NULL },
		{ "absolute key path", NULL, 0, NULL },
		{ "not JSON", "{\"version\":1,", ERR_FORMAT, "invalid JSON" },
		{ "not an object", "[]", ERR_FORMAT,
		  "': .: expected an object" },
		{ "unknown top field", "{\"version\":1,\"rules\":[],"
		  "\"extra\":1}", ERR_FORMAT, ".extra: unknown field" },
		{ "no version", "{\"rules\":[]}", ERR_FORMAT,
		  ".version: missing" },
		{ "version 2", "{\"version\":2,\"rules\":[]}", ERR_FORMAT,
		  ".version: expected 1" },
		{ "version string", "{\"version\":\"1\",\"rules\":[]}",
		  ERR_FORMAT, ".version: expected 1" },
		{ "duplicate top key", "{\"version\":1,\"version\":1,"
		  "\"rules\":[]}", ERR_FORMAT, ".version: duplicate key" },
		{ "duplicate nested key", "{\"version\":1,\"rules\":[" RULE
		  ",{\"scope\":\"a/b\",\"reject\":true,\"reject\":true}],"
		  "\"keys\":{" KA "}}", ERR_FORMAT,
		  ".rules[1].reject: duplicate key" },
		{ "duplicate key name", "{\"version\":1,\"keys\":{" KA ","
		  "\"alice\":{}},\"rules\":[]}", ERR_FORMAT,
		  ".keys.alice: duplicate key" },
		{ "keys not object", "{\"version\":1,\"keys\":[],\"rules\":[]}",
		  ERR_FORMAT, ".keys: expected an object" },
		{ "key not object", "{\"version\":1,\"keys\":{\"alice\":"
		  "\"alice.pub\"},\"rules\":[]}", ERR_FORMAT,
		  ".keys.alice: expected an object" },
		{ "key unknown field", "{\"version\":1,\"keys\":{\"alice\":{"
		  "\"public-key\":\"alice.pub\",\"colour\":1}},\"rules\":[]}",
		  ERR_FORMAT, ".keys.alice.colour: unknown field" },
		{ "key both kinds", "{\"version\":1,\"keys\":{\"alice\":{"
		  "\"public-key\":\"alice.pub\",\"certificate\":\"ca.pem\"}},"
		  "\"rules\":[]}", ERR_FORMAT, ".keys.alice: give" },
		{ "key neither kind", "{\"version\":1,\"keys\":{\"alice\":{}},"
		  "\"rules\":[]}", ERR_FORMAT, ".keys.alice: missing" },
		{ "key path type", "{\"version\":1,\"keys\":{\"alice\":{"
		  "\"public-key\":7}},\"rules\":[]}", ERR_FORMAT,
		  ".keys.alice.public-key: expected a string" },
		{ "key path empty", "{\"version\":1,\"keys\":{\"alice\":{"
		  "\"public-key\":\"\"}},\"rules\":[]}", ERR_FORMAT,
		  ".keys.alice.public-key: expected a non-empty string" },
		{ "key name", "{\"version\":1,\"keys\":{\"a b\":{"
		  "\"public-key\":\"alice.pub\"}},\"rules\":[]}", ERR_FORMAT,
		  ".keys[\"a b\"]: key names are" },
		{ "revoked type", "{\"version\":1,\"keys\":{\"alice\":{"
		  "\"public-key\":\"alice.pub\",\"revoked\":1}},\"rules\":[]}",
		  ERR_FORMAT, ".keys.alice.revoked: expected true, false" },
		{ "revoked time", "{\"version\":1,\"keys\":{\"alice\":{"
		  "\"public-key\":\"alice.pub\",\"revoked\":\"2026-02-30T00:00:"
		  "00Z\"}},\"rules\":[]}", ERR_FORMAT,
		  ".keys.alice.revoked: '2026-02-30T00:00:00Z' is not an "
		  "RFC 3339 time" },
		{ "missing key file", "{\"version\":1,\"keys\":{\"alice\":{"
		  "\"public-key\":\"nope.pub\"}},\"rules\":[]}", ERR_IO,
		  ".keys.alice.public-key: cannot use '" },
		{ "linked key file", "{\"version\":1,\"keys\":{\"bob\":{"
		  "\"public-key\":\"link.pub\"}},\"rules\":[]}", ERR_IO,
		  ".keys.bob.public-key: '" },
		{ "private key file", "{\"version\":1,\"keys\":{\"alice\":{"
		  "\"public-key\":\"private.pem\"}},\"rules\":[]}", ERR_USAGE,
		  "is a private key" },
		{ "certificate is a key", "{\"version\":1,\"keys\":{\"c\":{"
		  "\"certificate\":\"alice.pub\"}},\"rules\":[]}", ERR_FORMAT,
		  ".keys.c.certificate: " },
		{ "no rules", "{\"version\":1}", ERR_FORMAT,
		  ".rules: missing" },
		{ "rules not array", "{\"version\":1,\"rules\":{}}",
		  ERR_FORMAT, ".rules: expected an array" },
		{ "rule not object", "{\"version\":1,\"rules\":[1]}",
		  ERR_FORMAT, ".rules[0]: expected an object" },
		{ "rule unknown field", R1("{\"scope\":\"reg/app\",\"keys\":["
		  "\"alice\"],\"treshold\":1}"), ERR_FORMAT,
		  ".rules[0].treshold: unknown field" },
		{ "scope missing", R1("{\"keys\":[\"alice\"]}"), ERR_FORMAT,
		  ".rules[0].scope: missing" },
		{ "scope type", R1("{\"scope\":[],\"keys\":[\"alice\"]}"),
		  ERR_FORMAT, ".rules[0].scope: expected a string" },
		{ "scope digest", R1("{\"scope\":\"reg/app@sha256\",\"keys\":["
		  "\"alice\"]}"), ERR_FORMAT, ".rules[0].scope: scope "
		  "'reg/app@sha256': character '@'" },
		{ "scope ***", R1("{\"scope\":\"reg/***\",\"keys\":["
		  "\"alice\"]}"), ERR_FORMAT, "'***' means nothing" },
		{ "scope host only", R1("{\"scope\":\"reg.example.com\","
		  "\"keys\":[\"alice\"]}"), ERR_FORMAT,
		  "write 'reg.example.com/**'" },
		{ "scope empty component", R1("{\"scope\":\"reg//app\","
		  "\"keys\":[\"alice\"]}"), ERR_FORMAT,
		  "empty path component" },
		{ "keys missing", R1("{\"scope\":\"reg/app\"}"), ERR_FORMAT,
		  ".rules[0].keys: missing" },
		{ "keys empty", R1("{\"scope\":\"reg/app\",\"keys\":[]}"),
		  ERR_FORMAT, ".rules[0].keys: expected a non-empty array" },
		{ "keys unknown", R1("{\"scope\":\"reg/app\",\"keys\":["
		  "\"alice\",\"zed\"]}"), ERR_FORMAT,
		  ".rules[0].keys[1]: no key 'zed' in .keys" },
		{ "keys twice", R1("{\"scope\":\"reg/app\",\"keys\":["
		  "\"alice\",\"alice\"]}"), ERR_FORMAT,
		  ".rules[0].keys[1]: 'alice' is listed twice" },
		{ "threshold zero", R1("{\"scope\":\"reg/app\",\"keys\":["
		  "\"alice\"],\"threshold\":0}"), ERR_FORMAT,
		  ".rules[0].threshold: expected an integer" },
		{ "threshold string", R1("{\"scope\":\"reg/app\",\"keys\":["
		  "\"alice\"],\"threshold\":\"1\"}"), ERR_FORMAT,
		  ".rules[0].threshold: expected an integer" },
		{ "threshold real", R1("{\"scope\":\"reg/app\",\"keys\":["
		  "\"alice\"],\"threshold\":1.0}"), ERR_FORMAT,
		  ".rules[0].threshold: expected an integer" },
		{ "threshold too high", R1("{\"scope\":\"reg/app\",\"keys\":["
		  "\"alice\",\"bob\"],\"threshold\":3}"), ERR_FORMAT,
		  ".rules[0].threshold: 3, but the rule trusts only 2" },
		{ "annotations type", R1("{\"scope\":\"reg/app\",\"keys\":["
		  "\"alice\"],\"annotations\":[]}"), ERR_FORMAT,
		  ".rules[0].annotations: expected an object" },
		{ "annotation value", R1("{\"scope\":\"reg/app\",\"keys\":["
		  "\"alice\"],\"annotations\":{\"n\":1}}"), ERR_FORMAT,
		  ".rules[0].annotations.n: expected a non-empty string" },
		{ "formats unknown", R1("{\"scope\":\"reg/app\",\"keys\":["
		  "\"alice\"],\"formats\":[\"gpg\"]}"), ERR_FORMAT,
		  ".rules[0].formats[0]: unknown format" },
		{ "formats twice", R1("{\"scope\":\"reg/app\",\"keys\":["
		  "\"alice\"],\"formats\":[\"cosign\",\"cosign\"]}"),
		  ERR_FORMAT,
		  ".rules[0].formats[1]: 'cosign' is listed twice" },
		{ "formats empty", R1("{\"scope\":\"reg/app\",\"keys\":["
		  "\"alice\"],\"formats\":[]}"), ERR_FORMAT,
		  ".rules[0].formats: expected a non-empty array" },
		{ "subject field", "{\"version\":1,\"keys\":{\"ca\":{"
		  "\"certificate\":\"ca.pem\"}},\"rules\":[{\"scope\":\"r/a\","
		  "\"keys\":[\"ca\"],\"subject\":{\"XX\":\"y\"}}]}", ERR_FORMAT,
		  ".rules[0].subject.XX: unknown subject field" },
		{ "subject without certificate", R1("{\"scope\":\"reg/app\","
		  "\"keys\":[\"alice\"],\"subject\":{\"CN\":\"y\"}}"),
		  ERR_FORMAT, ".rules[0].subject: applies to certificates" },
		{ "subject without notation", "{\"version\":1,\"keys\":{\"ca\":"
		  "{\"certificate\":\"ca.pem\"}},\"rules\":[{\"scope\":\"r/a\","
		  "\"keys\":[\"ca\"],\"formats\":[\"cosign\"],\"subject\":{"
		  "\"CN\":\"y\"}}]}", ERR_FORMAT,
		  ".rules[0].subject: applies to notation signatures" },
		{ "reject with keys", R1("{\"scope\":\"reg/app\",\"reject\":"
		  "true,\"keys\":[\"alice\"]}"), ERR_FORMAT,
		  ".rules[0].keys: a rule with \"reject\" takes no \"keys\"" },
		{ "accept with threshold", R1("{\"scope\":\"reg/app\","
		  "\"insecure-accept-anything\":true,\"threshold\":1}"),
		  ERR_FORMAT, ".rules[0].threshold: a rule with "
		  "\"insecure-accept-anything\" takes no" },
		{ "reject and accept", R1("{\"scope\":\"reg/app\",\"reject\":"
		  "true,\"insecure-accept-anything\":true}"), ERR_FORMAT,
		  "contradict" },
		{ "reject type", R1("{\"scope\":\"reg/app\",\"reject\":"
		  "\"yes\"}"), ERR_FORMAT,
		  ".rules[0].reject: expected true or false" },
		{ "same scope", R1(RULE "," RULE), ERR_FORMAT,
		  ".rules[1]: same scope 'reg/app' as .rules[0]" },
	};
	char abs_json[1024];
	size_t i;

	(void)state;
	snprintf(abs_json, sizeof(abs_json), "{\"version\":1,\"keys\":{"
		 "\"alice\":{\"public-key\":\"%s\"}},\"rules\":[" RULE "]}",
		 tpath("alice.pub"));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *json = cases[i].json ? cases[i].json : abs_json;
		struct policy *p = (struct policy *)1;
		int rc = parse(&p, json, NULL);

		if (rc != cases[i].rc)
			fail_msg("%s: rc %d, want %d (%s)", cases[i].name, rc,
				 cases[i].rc, err_msg());
		if (rc == 0) {
			assert_non_null(p);
			policy_free(p);
			continue;
		}
		assert_null(p);
		if (!strstr(err_msg(), cases[i].msg))
			fail_msg("%s: message '%s' lacks '%s'", cases[i].name,
				 err_msg(), cases[i].msg);
		assert_non_null(strstr(err_msg(), "policy '"));
	}
}

/* policy check shows every problem; verify needs only the first. */
static void test_parse_collects_all(void **state)
{
	static const char *json = "{\"version\":1,\"extra\":1,\"keys\":{"
		"\"alice\":{\"public-key\":\"nope.pub\"}},\"rules\":["
		"{\"scope\":\"reg/app\",\"keys\":[\"alice\"],\"treshold\":2}]}";
	struct policy_diags d = { 0 };
	struct policy *p;
	size_t i, errors = 0;

	(void)state;
	assert_int_equal(parse(&p, json, &d), ERR_FORMAT);
	assert_null(p);
	for (i = 0; i < d.n; i++)
		errors += !d.items[i].warning;
	assert_int_equal(errors, 3);
	assert_int_equal(d.n_errors, 3);
	assert_string_equal(d.items[0].msg, ".extra: unknown field (known: "
			    "version, comment, keys, rules, locked, "
			    "trusted-root)");
	assert_non_null(strstr(d.items[1].msg, ".keys.alice.public-key: "
			       "cannot use '"));
	assert_non_null(strstr(d.items[2].msg, ".rules[0].treshold"));
	assert_non_null(strstr(err_msg(), "and more: see 'signet policy "
			       "check'"));
	policy_diags_release(&d);
}

static void test_parse_model(void **state)
{
	static const char *json = "{\"version\":1,\"keys\":{"
		"\"alice\":{\"public-key\":\"alice.pub\"},"
		"\"alice2\":{\"public-key\":\"alice-copy.pub\"},"
		"\"bob\":{\"public-key\":\"bob.pub\",\"revoked\":"
		"\"2030-01-01T01:00:00+01:00\"},"
		"\"ca\":{\"certificate\":\"ca.pem\",\"revoked\":true}},"
		"\"rules\":[{\"scope\":\"r/*\",\"keys\":[\"alice\",\"alice2\","
		"\"bob\",\"ca\"],\"threshold\":2,\"formats\":[\"notation\","
		"\"cosign\"],\"annotations\":{\"env\":\"prod\"},\"subject\":{"
		"\"CN\":\"release\",\"O\":\"Example\"}}]}";
	struct policy_diags d = { 0 };
	const struct policy_key *a, *a2, *b, *ca;
	const struct policy_rule *r;
	struct policy *p;
	size_t i;
	bool same = false, revoked = false, cert_revoked = false;

	(void)state;
	assert_int_equal(parse(&p, json, &d), 0);
	assert_int_equal(p->n_keys, 4);
	a = &p->keys[policy_key_find(p, "alice")];
	a2 = &p->keys[policy_key_find(p, "alice2")];
	b = &p->keys[policy_key_find(p, "bob")];
	ca = &p->keys[policy_key_find(p, "ca")];
	assert_int_equal(policy_key_find(p, "nobody"), -1);
	/* one key under two names is one key for verify_image */
	assert_int_equal(p->n_pkeys, 2);
	assert_int_equal(a->key_index, a2->key_index);
	assert_string_equal(a->fingerprint, a2->fingerprint);
	assert_int_equal(b->key_index, 1);
	assert_true(ca->certificate);
	assert_int_equal(ca->key_index, -1);
	assert_int_equal(ca->n_certs, 1);
	assert_int_equal(p->n_certs, 1);
	assert_string_equal(a->file, tpath("alice.pub"));
	/* revocation, timed and not */
	assert_true(b->revoked && b->revoked_timed);
	assert_int_equal(b->revoked_at, T2030);
	assert_string_equal(b->revoked_since, "2030-01-01T00:00:00Z");
	assert_false(policy_key_revoked(b, T2030 - 1));
	assert_true(policy_key_revoked(b, T2030));
	assert_true(policy_key_revoked(ca, 0));
	assert_false(policy_key_revoked(a, T2030));
	r = &p->rules[0];
	assert_int_equal(r->threshold, 2);
	assert_int_equal(r->n_keys, 4);
	assert_int_equal(r->formats, FORMAT_BIT(FORMAT_COSIGN) |
					 FORMAT_BIT(FORMAT_NOTATION));
	assert_int_equal(r->annotations.n, 1);
	assert_int_equal(r->subject.n, 2);
	assert_string_equal(r->subject.items[0].key, "CN");
	assert_string_equal(r->subject.items[1].value, "Example");
	for (i = 0; i < d.n; i++) {
		assert_true(d.items[i].warning);
		same |= strstr(d.items[i].msg, "same key") != NULL;
		revoked |= strstr(d.items[i].msg, "key 'bob' is "
				  "revoked") != NULL;
		cert_revoked |= strstr(d.items[i].msg, "certificate 'ca' is "
				       "revoked") != NULL;
	}
	assert_true(same);
	assert_false(revoked);	/* only untimed revocations are said */
	assert_true(cert_revoked);
	policy_diags_release(&d);
	policy_free(p);
}

static void test_load_file(void **state)
{
	struct policy_diags d = { 0 };
	struct policy *p;

	(void)state;
	write_file("p1.json", R1(RULE));
	assert_int_equal(policy_load(&p, tpath("p1.json"), &d), 0);
	assert_int_equal(d.n_errors, 0);
	assert_string_equal(p->path, tpath("p1.json"));
	policy_free(p);
	policy_diags_release(&d);
	assert_int_equal(policy_load(&p, tpath("none.json"), &d), ERR_IO);
	assert_null(p);
	assert_int_equal(d.n_errors, 1);
	assert_non_null(strstr(d.items[0].msg, "none.json"));
	policy_diags_release(&d);
	assert_int_equal(policy_load(&p, tmpdir, NULL), ERR_IO);
}

/* ---- time --------------------------------------------------------------- */

static void test_parse_time(void **state)
{
	static const struct {
		const char *s;
		long long t;	/* -1: invalid */
	} cases[] = {
		{ "2026-01-31T00:00:00Z", T2026 },
		{ "2026-01-31t00:00:00z", T2026 },
		{ "2026-01-31T01:00:00+01:00", T2026 },
		{ "2026-01-30T23:30:00-00:30", T2026 },
		{ "2026-01-31T00:00:00.999999Z", T2026 },
		{ "2024-02-29T00:00:00Z", 1709164800 },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2023-02-29T00:00:00Z", -1 },
		{ "2026-13-01T00:00:00Z", -1 },
		{ "2026-00-01T00:00:00Z", -1 },
		{ "2026-01-32T00:00:00Z", -1 },
		{ "2026-01-31T24:00:00Z", -1 },
		{ "2026-01-31T00:60:00Z", -1 },
		{ "2026-01-31 00:00:00Z", -1 },
		{ "2026-01-31T00:00:00", -1 },
		{ "2026-01-31T00:00Z", -1 },
		{ "2026-01-31T00:00:00.Z", -1 },
		{ "2026-01-31T00:00:00+0100", -1 },
		{ "2026-01-31T00:00:00Zjunk", -1 },
		{ "2026-1-31T00:00:00Z", -1 },
		{ "1969-12-31T23:59:59Z", -1 },
		{ "", -1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		time_t t = 42;
		int rc = policy_parse_time(&t, cases[i].s);

		if (cases[i].t < 0 ? rc != ERR_FORMAT :
		    rc != 0 || (long long)t != cases[i].t)
			fail_msg("'%s': rc %d, t %lld", cases[i].s, rc,
				 (long long)t);
	}
}

/* ---- discovery ---------------------------------------------------------- */

static void test_locate(void **state)
{
	char out[1024], xdg[600], home[600];
	struct stat st;

	(void)state;
	snprintf(xdg, sizeof(xdg), "%s/xdg", tmpdir);
	snprintf(home, sizeof(home), "%s/home", tmpdir);
	assert_int_equal(mkdir(xdg, 0700), 0);
	assert_int_equal(mkdir(tpath("xdg/signet"), 0700), 0);
	assert_int_equal(mkdir(home, 0700), 0);
	assert_int_equal(mkdir(tpath("home/.config"), 0700), 0);
	assert_int_equal(mkdir(tpath("home/.config/signet"), 0700), 0);
	setenv("HOME", home, 1);
	unsetenv("XDG_CONFIG_HOME");
	setenv("SIGNET_POLICY", "/env/policy.json", 1);

	/* --policy first, then SIGNET_POLICY, whether or not they exist */
	assert_int_equal(policy_locate(out, sizeof(out), "given.json"), 0);
	assert_string_equal(out, "given.json");
	assert_int_equal(policy_locate(out, sizeof(out), NULL), 0);
	assert_string_equal(out, "/env/policy.json");
	setenv("SIGNET_POLICY", "", 1);		/* empty: unset */

	/* then the user's file, only when it exists */
	write_file("home/.config/signet/policy.json", "{}");
	assert_int_equal(policy_locate(out, sizeof(out), NULL), 0);
	assert_string_equal(out, tpath("home/.config/signet/policy.json"));
	setenv("XDG_CONFIG_HOME", xdg, 1);
	write_file("xdg/signet/policy.json", "{}");
	assert_int_equal(policy_locate(out, sizeof(out), NULL), 0);
	assert_string_equal(out, tpath("xdg/signet/policy.json"));
	setenv("XDG_CONFIG_HOME", "relative", 1);	/* ignored */
	assert_int_equal(policy_locate(out, sizeof(out), NULL), 0);
	assert_string_equal(out, tpath("home/.config/signet/policy.json"));

	/* then /etc, then nothing: an error saying where it looked */
	unlink(tpath("home/.config/signet/policy.json"));
	if (stat("/etc/signet/policy.json", &st) == 0) {
		assert_int_equal(policy_locate(out, sizeof(out), NULL), 0);
		assert_string_equal(out, "/etc/signet/policy.json");
	} else {
		assert_int_equal(policy_locate(out, sizeof(out), NULL),
				 ERR_NOTFOUND);
		assert_non_null(strstr(err_msg(), "give --key FILE"));
		assert_non_null(strstr(err_msg(),
				       "home/.config/signet/policy.json"));
		assert_non_null(strstr(err_msg(), "/etc/signet/policy.json"));
	}
	assert_int_equal(policy_locate(out, 4, "longer.json"), ERR_USAGE);
	unsetenv("SIGNET_POLICY");
	unsetenv("XDG_CONFIG_HOME");
}

/* ---- evaluation --------------------------------------------------------- */

static const char *eval_json =
	"{\"version\":1,\"keys\":{"
	"\"alice\":{\"public-key\":\"alice.pub\"},"
	"\"alice2\":{\"public-key\":\"alice-copy.pub\"},"
	"\"bob\":{\"public-key\":\"bob.pub\"},"
	"\"carol\":{\"public-key\":\"carol.pub\",\"revoked\":"
	"\"2030-01-01T00:00:00Z\"},"
	"\"dave\":{\"public-key\":\"dave.pub\",\"revoked\":true},"
	"\"mallory\":{\"public-key\":\"mallory.pub\"},"
	"\"ca\":{\"certificate\":\"ca.pem\"},"
	"\"leaf\":{\"certificate\":\"leaf.pem\",\"revoked\":true},"
	"\"leaf2\":{\"certificate\":\"leaf2.pem\",\"revoked\":"
	"\"2030-01-01T00:00:00Z\"}},"
	"\"rules\":["
	"{\"scope\":\"reg/prod/*\",\"keys\":[\"alice\",\"bob\",\"carol\"],"
	"\"threshold\":2},"						/* 0 */
	"{\"scope\":\"reg/alias/*\",\"keys\":[\"alice\",\"alice2\",\"bob\"],"
	"\"threshold\":2},"						/* 1 */
	"{\"scope\":\"reg/ann/*\",\"keys\":[\"alice\"],\"annotations\":{"
	"\"env\":\"prod\"}},"						/* 2 */
	"{\"scope\":\"reg/bundle/*\",\"keys\":[\"alice\"],\"formats\":["
	"\"sigstore-bundle\"]},"					/* 3 */
	"{\"scope\":\"reg/revoked/*\",\"keys\":[\"alice\",\"dave\"]},"	/* 4 */
	"{\"scope\":\"reg/notary/*\",\"keys\":[\"ca\"],\"formats\":["
	"\"notation\"]},"						/* 5 */
	"{\"scope\":\"reg/subject/*\",\"keys\":[\"ca\"],\"formats\":["
	"\"notation\"],\"subject\":{\"CN\":\"release\"}},"		/* 6 */
	"{\"scope\":\"reg/bad/**\",\"reject\":true},"			/* 7 */
	"{\"scope\":\"reg/open/**\",\"insecure-accept-anything\":true},"
	"{\"scope\":\"reg/mal/*\",\"keys\":[\"mallory\"]},"		/* 9 */
	"{\"scope\":\"reg/chain/*\",\"keys\":[\"ca\"],\"formats\":["
	"\"notation\"]},"						/* 10 */
	"{\"scope\":\"Reg.Example.COM:443/strict/*\",\"keys\":[\"alice\"]},"
	"{\"scope\":\"registry-1.docker.io/library/*\",\"keys\":[\"bob\"]},"
	"{\"scope\":\"LOCALHOST:5000/**\",\"reject\":true}"		/* 13 */
	"]}";

struct sig_spec {
	const char *format;	/* NULL: "cosign" */
	const char *key;	/* entry name, or NULL: no policy key */
	bool bad_claims;	/* claims_ok false */
	const char *ann;	/* JSON annotations, or NULL */
	const char *why;	/* expected in why; NULL: counted */
};

struct eval_case {
	const char *name, *repo;
	time_t now;
	int rc;
	int rule;		/* index, -1: none */
	size_t counted;
	struct sig_spec sigs[4];
	const char *reason;	/* in the verdict's reason */
};

#define NOW T2026
#define OK(k) { NULL, k, false, NULL, NULL }

static const struct eval_case eval_cases[] = {
	{ "2 of 3 met", "reg/prod/app", NOW, 0, 0, 2,
	  { OK("alice"), OK("bob") }, "2 counted" },
	{ "2 of 3 met, third revoked later", "reg/prod/app", T2030 - 1, 0, 0,
	  2, { OK("alice"), OK("carol") }, NULL },
	{ "2 of 3 not met", "reg/prod/app", NOW, ERR_VERIFY, 0, 1,
	  { OK("alice") }, "needs signatures by 2 distinct trusted keys, 1 "
	  "counted" },
	{ "no signatures", "reg/prod/app", NOW, ERR_VERIFY, 0, 0, { { 0 } },
	  "no signatures found" },
	{ "same key twice", "reg/prod/app", NOW, ERR_VERIFY, 0, 1,
	  { OK("alice"), { NULL, "alice", false, NULL,
			   "key 'alice' already counted" } }, NULL },
	{ "one key under two names", "reg/alias/app", NOW, ERR_VERIFY, 1, 1,
	  { OK("alice"), { NULL, "alice2", false, NULL, "already counted" } },
	  NULL },
	{ "untrusted key", "reg/prod/app", NOW, ERR_VERIFY, 0, 1,
	  { OK("alice"), { NULL, "mallory", false, NULL, "signed by "
			   "'mallory', which the rule does not trust" } },
	  "mallory" },
	{ "no policy key", "reg/prod/app", NOW, ERR_VERIFY, 0, 1,
	  { OK("alice"), { NULL, NULL, false, NULL, "not signed by a key in "
			   "the policy: signature does not verify" } }, NULL },
	{ "timed revocation reached", "reg/prod/app", T2030, ERR_VERIFY, 0, 1,
	  { OK("alice"), { NULL, "carol", false, NULL, "key 'carol' is "
			   "revoked since 2030-01-01T00:00:00Z" } },
	  "revoked since" },
	{ "timed revocation passed", "reg/prod/app", T2030 + 86400,
	  ERR_VERIFY, 0, 1, { OK("alice"), { NULL, "carol", false, NULL,
					    "revoked" } }, NULL },
	{ "revoked key", "reg/revoked/app", NOW, ERR_VERIFY, 4, 0,
	  { { NULL, "dave", false, NULL, "key 'dave' is revoked" } }, NULL },
	{ "revoked and fine keys", "reg/revoked/app", NOW, 0, 4, 1,
	  { { NULL, "dave", false, NULL, "revoked" }, OK("alice") }, NULL },
	{ "claims do not hold", "reg/prod/app", NOW, ERR_VERIFY, 0, 1,
	  { OK("alice"), { NULL, "bob", true, NULL, "payload is for" } },
	  NULL },
	{ "annotation present", "reg/ann/app", NOW, 0, 2, 1,
	  { { NULL, "alice", false, "{\"env\":\"prod\",\"x\":\"y\"}",
	      NULL } }, NULL },
	{ "annotation different", "reg/ann/app", NOW, ERR_VERIFY, 2, 0,
	  { { NULL, "alice", false, "{\"env\":\"dev\"}",
	      "annotation 'env' missing or different" } }, NULL },
	{ "annotation missing", "reg/ann/app", NOW, ERR_VERIFY, 2, 0,
	  { { NULL, "alice", false, NULL, "annotation 'env'" } }, NULL },
	{ "format refused", "reg/bundle/app", NOW, ERR_VERIFY, 3, 0,
	  { { "cosign", "alice", false, NULL,
	      "format 'cosign' is not accepted by the rule" } }, NULL },
	{ "no signature in the formats", "reg/bundle/app", NOW, ERR_VERIFY,
	  3, 0, { { 0 } }, "no signatures found in the formats the rule "
	  "accepts (sigstore-bundle)" },
	{ "format accepted", "reg/bundle/app", NOW, 0, 3, 1,
	  { { "sigstore-bundle", "alice", false, NULL, NULL } }, NULL },
	{ "notation by certificate", "reg/notary/app", NOW, 0, 5, 1,
	  { { "notation", "ca", false, NULL, NULL } }, NULL },
	{ "notation, subject unchecked", "reg/subject/app", NOW, ERR_VERIFY,
	  6, 0, { { "notation", "ca", false, NULL, "subject" } }, NULL },
	{ "reject", "reg/bad/x/y", NOW, ERR_VERIFY, 7, 0,
	  { { NULL, "alice", false, NULL, "the rule rejects the image" } },
	  "rules[7] (scope 'reg/bad/**') rejects 'reg/bad/x/y'" },
	{ "accept anything", "reg/open/x", NOW, 0, 8, 0,
	  { { NULL, NULL, false, NULL, "not checked" } }, "accepts anything" },
	{ "no rule", "other/app", NOW, ERR_VERIFY, -1, 0,
	  { { NULL, "alice", false, NULL, "no rule matches" } },
	  "matches 'other/app'" },
	/* scope hosts are read as references write theirs (issue 14) */
	{ "scope host in another case, with :443",
	  "reg.example.com/strict/app", NOW, 0, 11, 1, { OK("alice") },
	  "(scope 'reg.example.com/strict/*')" },
	{ "scope host in another case, wrong key",
	  "reg.example.com/strict/app", NOW, ERR_VERIFY, 11, 0,
	  { { NULL, "bob", false, NULL, "does not trust" } }, NULL },
	{ "scope of Docker Hub's API host", "docker.io/library/alpine", NOW,
	  0, 12, 1, { OK("bob") }, NULL },
	{ "scope of Docker Hub's API host, wrong key",
	  "docker.io/library/alpine", NOW, ERR_VERIFY, 12, 0,
	  { { NULL, "alice", false, NULL, "does not trust" } }, NULL },
	{ "scope host upper case", "localhost:5000/x", NOW, ERR_VERIFY, 13, 0,
	  { { NULL, "alice", false, NULL, "rejects" } }, NULL },
};

/* Notation signatures whose chain is [leaf, ca], or [leaf2, ca]: each
 * case's signature gets the certificate of entry @chain in its chain
 * besides its signer's. cert_index is ca or leaf as the order of the
 * policy's entries has it; either way the revoked leaf refuses the
 * signature (issue 14). */
static const struct chain_case {
	struct eval_case c;
	const char *chain;
} chain_cases[] = {
	{ { "chain holds a revoked certificate", "reg/chain/app", NOW,
	    ERR_VERIFY, 10, 0, { { "notation", "ca", false, NULL,
				   "key 'leaf' is revoked" } },
	    "key 'leaf' is revoked" }, "leaf" },
	{ { "chain holds a revoked certificate, named first",
	    "reg/chain/app", NOW, ERR_VERIFY, 10, 0,
	    { { "notation", "leaf", false, NULL,
		"key 'leaf' is revoked" } }, "key 'leaf' is revoked" },
	  "ca" },
	{ { "chain holds a certificate revoked later", "reg/chain/app",
	    T2030 - 1, 0, 10, 1, { { "notation", "ca", false, NULL,
				     NULL } }, NULL }, "leaf2" },
	{ { "chain holds a certificate revoked since", "reg/chain/app",
	    T2030, ERR_VERIFY, 10, 0, { { "notation", "ca", false, NULL,
					  "key 'leaf2' is revoked since "
					  "2030-01-01T00:00:00Z" } },
	    NULL }, "leaf2" },
	{ { "chain without a revoked certificate", "reg/chain/app", NOW, 0,
	    10, 1, { { "notation", "ca", false, NULL, NULL } }, NULL },
	  NULL },
};

/* @chain: an entry whose certificate is in the chain too, or NULL. */
static void fill_sig(struct sig_report *s, const struct policy *p,
		     const struct sig_spec *spec, const char *chain)
{
	int k = spec->key ? policy_key_find(p, spec->key) : -1;
	int c = chain ? policy_key_find(p, chain) : -1;

	memset(s, 0, sizeof(*s));
	snprintf(s->format, sizeof(s->format), "%s",
		 spec->format ? spec->format : "cosign");
	s->key_index = s->cert_index = -1;
	if (k >= 0 && p->keys[k].certificate)
		s->cert_index = s->in_chain[s->n_in_chain++] =
			(int)p->keys[k].cert_index[0];
	else if (k >= 0)
		s->key_index = p->keys[k].key_index;
	if (c >= 0)
		s->in_chain[s->n_in_chain++] = (int)p->keys[c].cert_index[0];
	s->claims_ok = k >= 0 && !spec->bad_claims;
	if (spec->bad_claims)
		snprintf(s->reason, sizeof(s->reason), "payload is for "
			 "repository 'elsewhere'");
	else if (k < 0)
		snprintf(s->reason, sizeof(s->reason), "signature does not "
			 "verify with any given key");
	if (spec->ann)
		s->annotations = json_loads(spec->ann, 0, NULL);
}

static void run_case(const struct policy *p, const struct eval_case *c,
		     const char *chain)
{
	struct sig_report sigs[4];
	struct policy_verdict v;
	size_t j, n;
	int rc;

	for (n = 0; n < 4 && (c->sigs[n].key || c->sigs[n].why ||
			      c->sigs[n].format); n++)
		fill_sig(&sigs[n], p, &c->sigs[n], chain);
	rc = policy_evaluate(&v, p, c->repo, sigs, n, c->now);
	if (rc != c->rc)
		fail_msg("%s: rc %d, want %d (%s)", c->name, rc, c->rc,
			 v.reason);
	assert_int_equal(v.trusted, rc == 0);
	if ((v.rule ? (int)v.rule->index : -1) != c->rule)
		fail_msg("%s: wrong rule", c->name);
	if (v.counted != c->counted)
		fail_msg("%s: counted %zu, want %zu", c->name,
			 v.counted, c->counted);
	assert_int_equal(v.n_sigs, n);
	for (j = 0; j < n; j++) {
		const struct policy_sig *ps = &v.sigs[j];
		const char *want = c->sigs[j].why;

		if (ps->counted != !want ||
		    (want && !strstr(ps->why, want)) ||
		    (!want && ps->why[0]))
			fail_msg("%s: signature %zu: counted %d, why "
				 "'%s'", c->name, j, ps->counted,
				 ps->why);
		/* with a chain, the entry the rule trusts is named */
		if (c->sigs[j].key && c->rule >= 0 && !chain &&
		    v.rule->action == POLICY_SIGNED &&
		    ps->key != policy_key_find(p, c->sigs[j].key) &&
		    strcmp(c->sigs[j].key, "alice2") != 0)
			fail_msg("%s: signature %zu names key %d",
				 c->name, j, ps->key);
		json_decref(sigs[j].annotations);
	}
	if (c->reason && !strstr(v.reason, c->reason))
		fail_msg("%s: reason '%s' lacks '%s'", c->name,
			 v.reason, c->reason);
	if (rc < 0)
		assert_non_null(strstr(err_msg(), v.reason));
	policy_verdict_release(&v);
	assert_null(v.sigs);
}

static void test_evaluate(void **state)
{
	struct policy *p;
	size_t i;

	(void)state;
	assert_int_equal(parse(&p, eval_json, NULL), 0);
	for (i = 0; i < sizeof(eval_cases) / sizeof(eval_cases[0]); i++)
		run_case(p, &eval_cases[i], NULL);
	for (i = 0; i < sizeof(chain_cases) / sizeof(chain_cases[0]); i++)
		run_case(p, &chain_cases[i].c, chain_cases[i].chain);
	policy_free(p);
}

/* The evaluator is pure: the same input, the same verdict, and the
 * signatures are left as they were. */
static void test_evaluate_pure(void **state)
{
	struct policy_verdict v1, v2;
	struct sig_report s[2];
	struct policy *p;

	(void)state;
	assert_int_equal(parse(&p, eval_json, NULL), 0);
	fill_sig(&s[0], p, &(struct sig_spec){ NULL, "alice", false, NULL,
					       NULL }, NULL);
	fill_sig(&s[1], p, &(struct sig_spec){ NULL, "mallory", false, NULL,
					       NULL }, NULL);
	assert_int_equal(policy_evaluate(&v1, p, "reg/prod/x", s, 2, NOW),
			 ERR_VERIFY);
	assert_int_equal(policy_evaluate(&v2, p, "reg/prod/x", s, 2, NOW),
			 ERR_VERIFY);
	assert_string_equal(v1.reason, v2.reason);
	assert_string_equal(v1.sigs[1].why, v2.sigs[1].why);
	assert_int_equal(s[0].key_index, p->keys[0].key_index);
	assert_true(s[0].claims_ok);
	policy_verdict_release(&v1);
	policy_verdict_release(&v2);
	policy_verdict_release(&v2);	/* twice is harmless */
	policy_verdict_release(NULL);
	policy_free(NULL);
	policy_diags_release(NULL);
	policy_free(p);
}

/* ---- key identity (issue 14) -------------------------------------------- */

/* A key is its public key: as a public key or in a certificate, in any
 * encoding, under any name, it counts once and is revoked under all its
 * names; a revoked key anywhere in a notation chain refuses it. Each case
 * is run with the policy's keys in the order given and reversed. */
struct id_sig {
	const char *format;	/* NULL: cosign */
	const char *key;	/* cosign, bundle: the signer's entry */
	const char *chain[2];	/* notation: certificate files, leaf 1st */
	const char *why;	/* expected in why; NULL: counted */
	time_t signed_at;	/* notation: the signing time it states */
};

struct id_case {
	const char *name;
	const char *keys[3];	/* members of "keys" */
	const char *rule;	/* the rule for reg/id/any, no scope */
	time_t now;		/* 0: NOW */
	int rc;
	size_t counted;
	struct id_sig sigs[3];
};

#define E_ALICE "\"alice\":{\"public-key\":\"alice.pub\""
#define E_ALICE_Z "\"alice-z\":{\"public-key\":\"alice-z.pub\""
#define E_ALICE_CERT "\"alice-cert\":{\"certificate\":\"alice.crt\""
#define E_BOB "\"bob\":{\"public-key\":\"bob.pub\"}"
#define E_CA "\"ca\":{\"certificate\":\"ca.pem\"}"
#define E_CA2 "\"ca2\":{\"certificate\":\"leaf2.pem\"}"
#define E_LEAF_KEY "\"leaf-key\":{\"public-key\":\"leaf-key.pub\""
#define REV ",\"revoked\":true}"
#define REV2030 ",\"revoked\":\"2030-01-01T00:00:00Z\"}"
#define NOTATION(leaf, root, why) { "notation", NULL, { leaf, root }, why, 0 }
#define NOTATION_AT(leaf, root, why, at) \
	{ "notation", NULL, { leaf, root }, why, at }
#define T2020 1577836800	/* 2020-01-01T00:00:00Z */
#define T2031 1924992000	/* 2031-01-01T00:00:00Z */

static const struct id_case id_cases[] = {
	{ "public key and certificate of one key: 1 of 2",
	  { E_ALICE "}", E_ALICE_CERT "}", E_BOB },
	  "\"keys\":[\"alice\",\"alice-cert\",\"bob\"],\"threshold\":2",
	  0, ERR_VERIFY, 1, { { NULL, "alice", { 0 }, NULL, 0 },
			   NOTATION("alice.crt", NULL, "already counted as "
				    "'alice' (a duplicate key") } },
	{ "public key and certificate of one key, and bob: 2 of 2",
	  { E_ALICE "}", E_ALICE_CERT "}", E_BOB },
	  "\"keys\":[\"alice\",\"alice-cert\",\"bob\"],\"threshold\":2",
	  0, 0, 2, { { NULL, "alice", { 0 }, NULL, 0 },
		  NOTATION("alice.crt", NULL, "already counted"),
		  { NULL, "bob", { 0 }, NULL, 0 } } },
	{ "certificate revoked: its key refused as a public key",
	  { E_ALICE "}", E_ALICE_CERT REV }, "\"keys\":[\"alice\"]",
	  0, ERR_VERIFY, 0, { { NULL, "alice", { 0 },
			     "key 'alice' is revoked as 'alice-cert'", 0 } } },
	{ "public key revoked: its certificate refused",
	  { E_ALICE REV, E_ALICE_CERT "}" },
	  "\"keys\":[\"alice-cert\"],\"formats\":[\"notation\"]",
	  0, ERR_VERIFY, 0, { NOTATION("alice.crt", NULL,
				    "key 'alice' is revoked") } },
	{ "compressed revoked: uncompressed refused",
	  { E_ALICE "}", E_ALICE_Z REV }, "\"keys\":[\"alice\"]",
	  0, ERR_VERIFY, 0, { { NULL, "alice", { 0 },
			     "key 'alice' is revoked as 'alice-z'", 0 } } },
	{ "uncompressed revoked: compressed refused",
	  { E_ALICE REV, E_ALICE_Z "}" }, "\"keys\":[\"alice-z\"]",
	  0, ERR_VERIFY, 0, { { NULL, "alice-z", { 0 },
			     "key 'alice-z' is revoked as 'alice'", 0 } } },
	{ "compressed and uncompressed: 1 of 2",
	  { E_ALICE "}", E_ALICE_Z "}", E_BOB },
	  "\"keys\":[\"alice\",\"alice-z\",\"bob\"],\"threshold\":2",
	  0, ERR_VERIFY, 1, { { NULL, "alice", { 0 }, NULL, 0 },
			   { "sigstore-bundle", "alice-z", { 0 },
			     "already counted", 0 } } },
	{ "leaf key revoked as a public key: its chain refused",
	  { E_CA, E_LEAF_KEY REV },
	  "\"keys\":[\"ca\"],\"formats\":[\"notation\"]", 0, ERR_VERIFY, 0,
	  { NOTATION("leaf.pem", "ca.pem", "key 'leaf-key' is revoked (in "
		     "its certificate chain)") } },
	{ "leaf key revoked since 2030: its chain refused then",
	  { E_CA, E_LEAF_KEY REV2030 },
	  "\"keys\":[\"ca\"],\"formats\":[\"notation\"]", 0, 0, 1,
	  { NOTATION("leaf.pem", "ca.pem", NULL) } },
	{ "leaf key revoked since 2030, signed in 2031 by its word: refused",
	  { E_CA, E_LEAF_KEY REV2030 },
	  "\"keys\":[\"ca\"],\"formats\":[\"notation\"]", 0, ERR_VERIFY, 0,
	  { NOTATION_AT("leaf.pem", "ca.pem", "key 'leaf-key' is revoked "
			"since 2030-01-01T00:00:00Z", T2031) } },
	{ "leaf key revoked since 2030, in 2031, backdated to 2020: refused",
	  { E_CA, E_LEAF_KEY REV2030 },
	  "\"keys\":[\"ca\"],\"formats\":[\"notation\"]", T2031,
	  ERR_VERIFY, 0, { NOTATION_AT("leaf.pem", "ca.pem", "revoked",
				       T2020) } },
	{ "one signing key under two trusted roots: 1 of 2",
	  { E_CA, E_CA2 },
	  "\"keys\":[\"ca\",\"ca2\"],\"threshold\":2,\"formats\":"
	  "[\"notation\"]", 0, ERR_VERIFY, 1,
	  { NOTATION("leaf.pem", "ca.pem", NULL),
	    NOTATION("leaf.pem", "leaf2.pem", "already counted") } },
	{ "two signing keys under two trusted roots: 2 of 2",
	  { E_CA, E_CA2 },
	  "\"keys\":[\"ca\",\"ca2\"],\"threshold\":2,\"formats\":"
	  "[\"notation\"]", 0, 0, 2,
	  { NOTATION("alice.crt", "ca.pem", NULL),
	    NOTATION("leaf.pem", "leaf2.pem", NULL) } },
};

/* A signature as verify reports it: by the key of entry @g->key, or for
 * notation by a chain of certificate files, each certificate of the
 * policy found in it (byte-equal) and every certificate's key. */
static void fill_id_sig(struct sig_report *s, const struct policy *p,
			const struct id_sig *g)
{
	X509 **certs = NULL;
	size_t n = 0, i, j;
	int k;

	memset(s, 0, sizeof(*s));
	snprintf(s->format, sizeof(s->format), "%s",
		 g->format ? g->format : "cosign");
	s->key_index = s->cert_index = -1;
	if (g->key) {
		assert_true((k = policy_key_find(p, g->key)) >= 0);
		s->key_index = p->keys[k].key_index;
		assert_int_equal(keys_fingerprint(s->key,
						  p->pkeys[s->key_index]), 0);
	}
	for (i = 0; i < 2 && g->chain[i]; i++) {
		assert_int_equal(keys_load_certs(&certs, &n,
						 tpath(g->chain[i])), 0);
		assert_int_equal(keys_fingerprint(s->chain_keys[i],
				 X509_get0_pubkey(certs[0])), 0);
		s->n_chain_keys++;
		for (j = 0; j < p->n_certs; j++)
			if (X509_cmp(p->certs[j], certs[0]) == 0) {
				if (s->cert_index < 0)
					s->cert_index = (int)j;
				s->in_chain[s->n_in_chain++] = (int)j;
			}
		keys_certs_free(certs, n);
	}
	if (g->chain[0])
		snprintf(s->key, sizeof(s->key), "%s", s->chain_keys[0]);
	s->signed_at = g->signed_at;
	s->claims_ok = s->key_index >= 0 || s->cert_index >= 0;
}

static void run_id_case(const struct id_case *c, bool reversed)
{
	struct sig_report sigs[3];
	struct policy_verdict v;
	struct policy *p;
	char json[2048];
	size_t n, i, nk;
	int rc, len;

	for (nk = 0; nk < 3 && c->keys[nk]; nk++)
		;
	len = snprintf(json, sizeof(json), "{\"version\":1,\"keys\":{");
	for (i = 0; i < nk; i++)
		len += snprintf(json + len, sizeof(json) - (size_t)len, "%s%s",
				i ? "," : "",
				c->keys[reversed ? nk - 1 - i : i]);
	len += snprintf(json + len, sizeof(json) - (size_t)len, "},\"rules\""
			":[{\"scope\":\"reg/id/*\",%s}]}", c->rule);
	assert_true(len < (int)sizeof(json));
	if (parse(&p, json, NULL) != 0)
		fail_msg("%s: %s", c->name, err_msg());
	for (n = 0; n < 3 && (c->sigs[n].key || c->sigs[n].chain[0]); n++)
		fill_id_sig(&sigs[n], p, &c->sigs[n]);
	rc = policy_evaluate(&v, p, "reg/id/app", sigs, n,
			     c->now ? c->now : NOW);
	if (rc != c->rc || v.counted != c->counted)
		fail_msg("%s%s: rc %d, counted %zu (%s)", c->name, reversed ?
			 " (keys reversed)" : "", rc, v.counted, v.reason);
	for (i = 0; i < n; i++) {
		const char *want = c->sigs[i].why;

		if (v.sigs[i].counted != !want ||
		    (want && !strstr(v.sigs[i].why, want)))
			fail_msg("%s%s: signature %zu: counted %d, why '%s'",
				 c->name, reversed ? " (keys reversed)" : "",
				 i, v.sigs[i].counted, v.sigs[i].why);
	}
	policy_verdict_release(&v);
	policy_free(p);
}

static void test_key_identity(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(id_cases) / sizeof(id_cases[0]); i++) {
		run_id_case(&id_cases[i], false);
		run_id_case(&id_cases[i], true);
	}
}

/* policy check: two names of one key are a warning; thresholds and
 * revocations are by key. */
static void test_key_identity_check(void **state)
{
	static const struct {
		const char *keys, *rule;
		int rc;
		const char *msg;	/* in some diagnostic */
		size_t n_pkeys;
	} cases[] = {
		{ E_ALICE "}," E_ALICE_Z "}," E_BOB,
		  "\"keys\":[\"alice\",\"alice-z\",\"bob\"],\"threshold\":2",
		  0, "'alice-z' holds the same key as 'alice'", 2 },
		{ E_ALICE "}," E_ALICE_CERT "}," E_BOB,
		  "\"keys\":[\"alice\",\"alice-cert\",\"bob\"],"
		  "\"threshold\":2", 0,
		  "'alice-cert' holds the same key as 'alice'", 2 },
		{ E_ALICE "}," E_ALICE_CERT "}",
		  "\"keys\":[\"alice\",\"alice-cert\"],\"threshold\":2",
		  ERR_FORMAT, "2, but the rule trusts only 1 distinct key",
		  0 },
		{ E_ALICE "}," E_ALICE_Z "}",
		  "\"keys\":[\"alice\",\"alice-z\"],\"threshold\":2",
		  ERR_FORMAT, "2, but the rule trusts only 1 distinct key",
		  0 },
		{ E_ALICE "}," E_ALICE_CERT REV "," E_BOB,
		  "\"keys\":[\"alice\",\"bob\"],\"threshold\":2", 0,
		  "key 'alice' holds a key revoked as 'alice-cert'", 2 },
		{ E_ALICE "}," E_ALICE_CERT REV "," E_BOB,
		  "\"keys\":[\"alice\",\"bob\"],\"threshold\":2", 0,
		  "2 can never be met: only 1 of the rule's keys", 2 },
	};
	struct policy_diags d;
	struct policy *p;
	char json[1024];
	size_t i, j;
	bool found;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&d, 0, sizeof(d));
		snprintf(json, sizeof(json), "{\"version\":1,\"keys\":{%s},"
			 "\"rules\":[{\"scope\":\"reg/id/*\",%s}]}",
			 cases[i].keys, cases[i].rule);
		rc = parse(&p, json, &d);
		for (j = 0, found = false; j < d.n; j++)
			found |= strstr(d.items[j].msg, cases[i].msg) != NULL;
		if (rc != cases[i].rc || !found)
			fail_msg("case %zu: rc %d, '%s' %s", i, rc,
				 cases[i].msg, found ? "said" : "not said");
		if (p)
			assert_int_equal(p->n_pkeys, cases[i].n_pkeys);
		policy_free(p);
		policy_diags_release(&d);
	}
}

/* ---- signed identity (identity.c) ---------------------------------------- */

/* Which repository a cosign signature must name: the default, one named
 * repository, or a remapped prefix matching whole path components. */
static void test_signed_identity_expect(void **state)
{
	static const struct signed_identity exact = {
		SIGNED_IDENTITY_REPOSITORY, "docker.io/library/alpine", "", ""
	};
	static const struct signed_identity hub = {
		SIGNED_IDENTITY_REMAP, "", "mirror.local:5000/hub", "docker.io"
	};
	static const struct signed_identity host = {
		SIGNED_IDENTITY_REMAP, "", "localhost:5000", "127.0.0.1:5000"
	};
	static const struct signed_identity repo = {
		SIGNED_IDENTITY_REMAP, "", "m.example/app", "r.example/ns/app"
	};
	static const struct signed_identity to_host = {
		SIGNED_IDENTITY_REMAP, "", "m.example/app", "r.example"
	};
	static const struct signed_identity same = { SIGNED_IDENTITY_SAME,
						      "", "", "" };
	static const struct {
		const struct signed_identity *id;
		const char *repo, *want;	/* want NULL: an error */
	} cases[] = {
		{ NULL, "reg/app", "reg/app" },
		{ &same, "reg/app", "reg/app" },
		{ &exact, "mirror.local/hub/alpine", "docker.io/library/alpine" },
		{ &exact, "docker.io/library/alpine",
		  "docker.io/library/alpine" },
		/* docker's reading of the result: library/ added */
		{ &hub, "mirror.local:5000/hub/alpine",
		  "docker.io/library/alpine" },
		{ &hub, "mirror.local:5000/hub/library/alpine",
		  "docker.io/library/alpine" },
		{ &hub, "mirror.local:5000/hub/team/app",
		  "docker.io/team/app" },
		/* whole components only; outside the prefix, the default */
		{ &hub, "mirror.local:5000/hubx/alpine",
		  "mirror.local:5000/hubx/alpine" },
		{ &hub, "mirror.local:5000/alpine", "mirror.local:5000/alpine" },
		{ &hub, "mirror.local:50001/hub/alpine",
		  "mirror.local:50001/hub/alpine" },
		{ &hub, "mirror.local/hub/alpine", "mirror.local/hub/alpine" },
		{ &host, "localhost:5000/t/app", "127.0.0.1:5000/t/app" },
		{ &host, "localhost:50000/t/app", "localhost:50000/t/app" },
		{ &repo, "m.example/app", "r.example/ns/app" },
		{ &repo, "m.example/app/sub", "r.example/ns/app/sub" },
		{ &repo, "m.example/apps", "m.example/apps" },
		{ &to_host, "m.example/app/x", "r.example/x" },
		{ &to_host, "m.example/app", NULL },	/* a host, no repo */
	};
	char out[SIGNED_IDENTITY_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = signed_identity_expect(out, sizeof(out), cases[i].id,
						cases[i].repo);

		if (!cases[i].want) {
			if (rc != ERR_VERIFY)
				fail_msg("case %zu: rc %d, want ERR_VERIFY",
					 i, rc);
			err_clear();
			continue;
		}
		if (rc != 0 || strcmp(out, cases[i].want) != 0)
			fail_msg("case %zu: '%s' -> rc %d '%s', want '%s'", i,
				 cases[i].repo, rc, rc ? "" : out,
				 cases[i].want);
	}
	assert_true(signed_identity_strict(NULL));
	assert_true(signed_identity_strict(&same));
	assert_false(signed_identity_strict(&exact));
	assert_false(signed_identity_strict(&hub));
}

/* The command line's REPO: read as an image name, no tag or digest. */
static void test_signed_identity_repository(void **state)
{
	static const struct {
		const char *in;
		bool expanded;
		const char *want;	/* NULL: ERR_USAGE */
	} cases[] = {
		{ "alpine", false, "docker.io/library/alpine" },
		{ "reg.example/a/b", false, "reg.example/a/b" },
		{ "localhost:5000/app", false, "localhost:5000/app" },
		{ "docker.io/library/alpine", true, "docker.io/library/alpine" },
		{ "alpine", true, NULL },	/* not in full */
		{ "reg.example/a:v1", false, NULL },
		{ "reg.example/a@sha256:0123", false, NULL },
		{ "alpine:3", false, NULL },
		{ "Reg/App", false, NULL },
		{ "", false, NULL },
	};
	char out[SIGNED_IDENTITY_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = signed_identity_repository(out, sizeof(out),
						    cases[i].in,
						    cases[i].expanded);

		if (!cases[i].want) {
			if (rc != ERR_USAGE)
				fail_msg("'%s': rc %d, want ERR_USAGE",
					 cases[i].in, rc);
			err_clear();
		} else if (rc != 0 || strcmp(out, cases[i].want) != 0) {
			fail_msg("'%s': rc %d '%s', want '%s'", cases[i].in,
				 rc, rc ? err_msg() : out, cases[i].want);
		}
	}
}

#define SID(scope, id) R1("{\"scope\":\"" scope "\",\"keys\":[\"alice\"]," \
			  "\"signed-identity\":" id "}")

/* A rule's "signed-identity": read strictly, with its doubts, and given
 * to verification by the rule that matches. */
static void test_signed_identity_parse(void **state)
{
	static const struct {
		const char *name, *json;
		const char *msg;	/* NULL: valid */
	} cases[] = {
		{ "same", SID("reg.example/app", "{\"type\":\"same-repository\"}"),
		  NULL },
		{ "exact", SID("m.example/app", "{\"type\":\"exact-repository\","
		  "\"repository\":\"docker.io/library/alpine\"}"), NULL },
		{ "remap", SID("m.example/hub/**", "{\"type\":\"remap\","
		  "\"prefix\":\"m.example/hub\",\"signed-prefix\":"
		  "\"docker.io\"}"), NULL },
		{ "not object", SID("m.example/app", "\"docker.io/x/y\""),
		  ".rules[0].signed-identity: expected an object" },
		{ "no type", SID("m.example/app", "{}"),
		  ".rules[0].signed-identity.type: missing" },
		{ "unknown type", SID("m.example/app", "{\"type\":"
		  "\"matchRepository\"}"), ".type: unknown type" },
		{ "unknown field", SID("m.example/app", "{\"type\":"
		  "\"same-repository\",\"dockerRepository\":\"a\"}"),
		  ".signed-identity.dockerRepository: unknown field" },
		{ "same with repository", SID("m.example/app", "{\"type\":"
		  "\"same-repository\",\"repository\":\"r.example/a\"}"),
		  "type 'same-repository' takes no \"repository\"" },
		{ "exact with prefix", SID("m.example/app", "{\"type\":"
		  "\"exact-repository\",\"repository\":\"r.example/a\","
		  "\"prefix\":\"m.example\"}"), "takes no \"prefix\"" },
		{ "exact without repository", SID("m.example/app", "{\"type\":"
		  "\"exact-repository\"}"), ".repository: missing" },
		{ "exact tag", SID("m.example/app", "{\"type\":"
		  "\"exact-repository\",\"repository\":\"r.example/a:1\"}"),
		  "without tag or digest" },
		{ "exact short", SID("m.example/app", "{\"type\":"
		  "\"exact-repository\",\"repository\":\"alpine\"}"),
		  "as 'docker.io/library/alpine'" },
		{ "exact glob", SID("m.example/app", "{\"type\":"
		  "\"exact-repository\",\"repository\":\"r.example/*\"}"),
		  ".signed-identity.repository: " },
		{ "remap no host", SID("m.example/app", "{\"type\":\"remap\","
		  "\"prefix\":\"hub\",\"signed-prefix\":\"docker.io\"}"),
		  ".signed-identity.prefix: 'hub' does not begin with a "
		  "registry host" },
		{ "remap trailing slash", SID("m.example/app", "{\"type\":"
		  "\"remap\",\"prefix\":\"m.example/\",\"signed-prefix\":"
		  "\"docker.io\"}"), ".prefix: 'm.example/' is not" },
		{ "remap tag", SID("m.example/app", "{\"type\":\"remap\","
		  "\"prefix\":\"m.example/a:1\",\"signed-prefix\":"
		  "\"docker.io\"}"), ".prefix: 'm.example/a:1' is not" },
		{ "remap wildcard", SID("m.example/app", "{\"type\":\"remap\","
		  "\"prefix\":\"m.example/*\",\"signed-prefix\":"
		  "\"docker.io\"}"), ".prefix: 'm.example/*' is not" },
		{ "remap bad path", SID("m.example/app", "{\"type\":\"remap\","
		  "\"prefix\":\"m.example\",\"signed-prefix\":"
		  "\"docker.io/Lib\"}"), ".signed-prefix: 'docker.io/Lib'" },
		{ "remap missing", SID("m.example/app", "{\"type\":\"remap\","
		  "\"prefix\":\"m.example\"}"),
		  ".signed-identity.signed-prefix: missing" },
		{ "not cosign", R1("{\"scope\":\"m.example/app\",\"keys\":["
		  "\"alice\"],\"formats\":[\"sigstore-bundle\"],"
		  "\"signed-identity\":{\"type\":\"same-repository\"}}"),
		  ".rules[0].signed-identity: applies to cosign signatures" },
		{ "reject", R1("{\"scope\":\"m.example/app\",\"reject\":true,"
		  "\"signed-identity\":{\"type\":\"same-repository\"}}"),
		  "a rule with \"reject\" takes no \"signed-identity\"" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy *p = NULL;
		int rc = parse(&p, cases[i].json, NULL);

		if (!cases[i].msg) {
			if (rc != 0)
				fail_msg("%s: rc %d (%s)", cases[i].name, rc,
					 err_msg());
			policy_free(p);
			continue;
		}
		if (rc != ERR_FORMAT || p)
			fail_msg("%s: rc %d, want ERR_FORMAT", cases[i].name,
				 rc);
		if (!strstr(err_msg(), cases[i].msg))
			fail_msg("%s: message '%s' lacks '%s'", cases[i].name,
				 err_msg(), cases[i].msg);
		err_clear();
	}
}

/* What the rule holds, and the doubts policy check prints. */
static void test_signed_identity_model(void **state)
{
	static const char *json = R1(
		"{\"scope\":\"m.example/hub/**\",\"keys\":[\"alice\"],"
		"\"signed-identity\":{\"type\":\"remap\",\"prefix\":"
		"\"m.example/hub\",\"signed-prefix\":\"docker.io\"}},"
		"{\"scope\":\"m.example/**\",\"keys\":[\"alice\"],"
		"\"signed-identity\":{\"type\":\"remap\",\"prefix\":"
		"\"m.example/hub\",\"signed-prefix\":\"docker.io\"}},"
		"{\"scope\":\"c.example/*\",\"keys\":[\"bob\"],"
		"\"signed-identity\":{\"type\":\"exact-repository\","
		"\"repository\":\"r.example/app\"}},"
		"{\"scope\":\"c.example/app\",\"keys\":[\"bob\"]}");
	struct policy_diags d = { 0 };
	const struct policy_rule *r;
	struct policy *p;
	char out[SIGNED_IDENTITY_MAX];
	size_t i, outside = 0, wide = 0;

	(void)state;
	assert_int_equal(parse(&p, json, &d), 0);
	for (i = 0; i < d.n; i++) {
		assert_true(d.items[i].warning);
		outside += strstr(d.items[i].msg, ".rules[1].signed-identity: "
				  "scope 'm.example/**' matches images "
				  "outside prefix 'm.example/hub'") != NULL;
		wide += strstr(d.items[i].msg, ".rules[2].signed-identity: "
			       "signatures for 'r.example/app' count for "
			       "every image") != NULL;
	}
	assert_int_equal(outside, 1);
	assert_int_equal(wide, 1);
	r = policy_match(p, "m.example/hub/alpine");
	assert_non_null(r);
	assert_non_null(r->identity);
	assert_int_equal(r->identity->type, SIGNED_IDENTITY_REMAP);
	assert_string_equal(r->identity->prefix, "m.example/hub");
	assert_string_equal(r->identity->signed_prefix, "docker.io");
	assert_int_equal(signed_identity_expect(out, sizeof(out), r->identity,
						"m.example/hub/alpine"), 0);
	assert_string_equal(out, "docker.io/library/alpine");
	r = policy_match(p, "c.example/other");
	assert_int_equal(r->identity->type, SIGNED_IDENTITY_REPOSITORY);
	assert_string_equal(r->identity->repository, "r.example/app");
	r = policy_match(p, "c.example/app");	/* no signed-identity */
	assert_null(r->identity);
	assert_true(signed_identity_strict(r->identity));
	policy_diags_release(&d);
	policy_free(p);
}

/* ---- keyless signers (issue 12) ------------------------------------------ */

#define GH_ISS "https://token.actions.githubusercontent.com"
#define GH_WF "https://github.com/org/repo/.github/workflows/release.yml"
#define KL(name, body) "\"" name "\":{\"keyless\":{" body "}"
#define KL_CI KL("ci", "\"identity\":\"" GH_WF "@refs/tags/v1\","	\
		 "\"issuer\":\"" GH_ISS "\"")
#define R_KL(keys, rule) "{\"version\":1,\"keys\":{" keys "},\"rules\":[" \
	rule "]}"
#define RULE_CI "{\"scope\":\"reg/app\",\"keys\":[\"ci\"]}"

/* The trusted roots of tests/data/keyless, copied beside the policy; a
 * link to one; a file that is none. */
static void keyless_files(void)
{
	static const char *const from[] = {
		"tests/data/keyless/staging_trusted_root.json",
		"tests/data/keyless/production_trusted_root.json",
	};
	static const char *const to[] = { "root-a.json", "root-b.json" };
	char cmd[1200];
	size_t i;

	if (access(tpath("root-a.json"), F_OK) == 0)
		return;
	for (i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd), "cp %s %s", from[i], tpath(to[i]));
		assert_int_equal(system(cmd), 0);
	}
	assert_int_equal(symlink("root-a.json", tpath("root-link.json")), 0);
	write_file("root-bad.json", "{\"mediaType\":\"nope\"}");
}

/* Each malformed keyless entry is an error naming its JSON path; the
 * well-formed ones load. */
static void test_keyless_parse(void **state)
{
	static const struct {
		const char *name, *json;
		int rc;
		const char *msg;
	} cases[] = {
		{ "exact", R_KL(KL_CI "}", RULE_CI), 0, NULL },
		{ "regexps", R_KL(KL("ci", "\"identity-regexp\":\"" GH_WF
		  "@refs/tags/v[0-9]+\",\"issuer-regexp\":\"https://"
		  "token\\\\..*\"") "}", RULE_CI), 0, NULL },
		{ "own trusted root", R_KL(KL("ci", "\"identity\":\"a\","
		  "\"issuer\":\"b\",\"trusted-root\":\"root-a.json\"") "}",
		  RULE_CI), 0, NULL },
		{ "policy's trusted root", "{\"version\":1,\"trusted-root\":"
		  "\"root-a.json\",\"keys\":{" KL_CI "}},\"rules\":[" RULE_CI
		  "]}", 0, NULL },
		{ "revoked, comment", R_KL(KL("ci", "\"identity\":\"a\","
		  "\"issuer\":\"b\"") ",\"revoked\":\"2026-01-31T00:00:00Z\","
		  "\"comment\":\"c\"}", RULE_CI), 0, NULL },
		{ "not an object", R_KL("\"ci\":{\"keyless\":\"a\"}", RULE_CI),
		  ERR_FORMAT, ".keys.ci.keyless: expected an object" },
		{ "with a public key", R_KL("\"ci\":{\"keyless\":{\"identity\":"
		  "\"a\",\"issuer\":\"b\"},\"public-key\":\"alice.pub\"}",
		  RULE_CI), ERR_FORMAT, ".keys.ci: give one of \"public-key\", "
		  "\"certificate\" and \"keyless\", not two" },
		{ "unknown field", R_KL(KL("ci", "\"identity\":\"a\","
		  "\"issuer\":\"b\",\"subject\":\"c\"") "}", RULE_CI),
		  ERR_FORMAT, ".keys.ci.keyless.subject: unknown field" },
		{ "identity twice", R_KL(KL("ci", "\"identity\":\"a\","
		  "\"identity-regexp\":\"a\",\"issuer\":\"b\"") "}", RULE_CI),
		  ERR_FORMAT, ".keys.ci.keyless: give \"identity\" or "
		  "\"identity-regexp\", not both" },
		{ "no identity", R_KL(KL("ci", "\"issuer\":\"b\"") "}",
		  RULE_CI), ERR_FORMAT, ".keys.ci.keyless: missing "
		  "\"identity\" or \"identity-regexp\"" },
		{ "issuer twice", R_KL(KL("ci", "\"identity\":\"a\","
		  "\"issuer\":\"b\",\"issuer-regexp\":\"b\"") "}", RULE_CI),
		  ERR_FORMAT, ".keys.ci.keyless: give \"issuer\" or "
		  "\"issuer-regexp\", not both" },
		{ "no issuer", R_KL(KL("ci", "\"identity\":\"a\"") "}",
		  RULE_CI), ERR_FORMAT, ".keys.ci.keyless: missing "
		  "\"issuer\" or \"issuer-regexp\"" },
		{ "identity empty", R_KL(KL("ci", "\"identity\":\"\","
		  "\"issuer\":\"b\"") "}", RULE_CI), ERR_FORMAT,
		  ".keys.ci.keyless.identity: expected a non-empty string" },
		{ "issuer not a string", R_KL(KL("ci", "\"identity\":\"a\","
		  "\"issuer\":1") "}", RULE_CI), ERR_FORMAT,
		  ".keys.ci.keyless.issuer: expected a string" },
		{ "identity regexp", R_KL(KL("ci", "\"identity-regexp\":"
		  "\"a(\",\"issuer\":\"b\"") "}", RULE_CI), ERR_FORMAT,
		  ".keys.ci.keyless.identity-regexp: 'a(' is not a POSIX "
		  "extended regular expression" },
		{ "issuer regexp", R_KL(KL("ci", "\"identity\":\"a\","
		  "\"issuer-regexp\":\"[b\"") "}", RULE_CI), ERR_FORMAT,
		  ".keys.ci.keyless.issuer-regexp: '[b' is not a POSIX" },
		{ "revoked", R_KL(KL("ci", "\"identity\":\"a\",\"issuer\":"
		  "\"b\"") ",\"revoked\":\"soon\"}", RULE_CI), ERR_FORMAT,
		  ".keys.ci.revoked: 'soon' is not an RFC 3339 time" },
		{ "trusted root missing", R_KL(KL("ci", "\"identity\":\"a\","
		  "\"issuer\":\"b\",\"trusted-root\":\"nope.json\"") "}",
		  RULE_CI), ERR_IO, ".keys.ci.keyless.trusted-root: cannot "
		  "use '" },
		{ "trusted root a link", R_KL(KL("ci", "\"identity\":\"a\","
		  "\"issuer\":\"b\",\"trusted-root\":\"root-link.json\"") "}",
		  RULE_CI), ERR_IO, ".keys.ci.keyless.trusted-root: '" },
		{ "trusted root malformed", R_KL(KL("ci", "\"identity\":\"a\","
		  "\"issuer\":\"b\",\"trusted-root\":\"root-bad.json\"") "}",
		  RULE_CI), ERR_FORMAT, ".keys.ci.keyless.trusted-root: "
		  "trusted root " },
		{ "policy's trusted root a link", "{\"version\":1,"
		  "\"trusted-root\":\"root-link.json\",\"keys\":{" KL_CI "}},"
		  "\"rules\":[" RULE_CI "]}", ERR_IO, ".trusted-root: '" },
		{ "policy's trusted root malformed", "{\"version\":1,"
		  "\"trusted-root\":\"root-bad.json\",\"keys\":{" KL_CI "}},"
		  "\"rules\":[" RULE_CI "]}", ERR_FORMAT, ".trusted-root: "
		  "trusted root " },
		{ "two trusted roots", R_KL(KL("ci", "\"identity\":\"a\","
		  "\"issuer\":\"b\",\"trusted-root\":\"root-a.json\"") "},"
		  KL("ci2", "\"identity\":\"c\",\"issuer\":\"b\","
		  "\"trusted-root\":\"root-b.json\"") "}", RULE_CI), 0, NULL },
		{ "a trusted root and none", R_KL(KL("ci", "\"identity\":"
		  "\"a\",\"issuer\":\"b\",\"trusted-root\":\"root-a.json\"")
		  "}," KL("ci2", "\"identity\":\"c\",\"issuer\":\"b\"") "}",
		  RULE_CI), 0, NULL },
		{ "the policy's and another", "{\"version\":1,"
		  "\"trusted-root\":\"root-a.json\",\"keys\":{" KL_CI "},"
		  KL("ci2", "\"identity\":\"c\",\"issuer\":\"b\","
		  "\"trusted-root\":\"root-b.json\"") "}},\"rules\":["
		  RULE_CI "]}", 0, NULL },
		{ "a second root malformed", R_KL(KL("ci", "\"identity\":"
		  "\"a\",\"issuer\":\"b\",\"trusted-root\":\"root-a.json\"")
		  "}," KL("ci2", "\"identity\":\"c\",\"issuer\":\"b\","
		  "\"trusted-root\":\"root-bad.json\"") "}", RULE_CI),
		  ERR_FORMAT, ".keys.ci2.keyless.trusted-root: trusted root " },
		{ "require-tlog, keys only", "{\"version\":1,\"keys\":{" KA
		  "},\"rules\":[{\"scope\":\"reg/app\",\"keys\":[\"alice\"],"
		  "\"require-tlog\":true}]}", 0, NULL },
		{ "require-tlog type", "{\"version\":1,\"keys\":{" KA "},"
		  "\"rules\":[{\"scope\":\"reg/app\",\"keys\":[\"alice\"],"
		  "\"require-tlog\":1}]}", ERR_FORMAT,
		  ".rules[0].require-tlog: expected true or false" },
		{ "require-tlog, rejecting", "{\"version\":1,\"rules\":[{"
		  "\"scope\":\"reg/app\",\"reject\":true,\"require-tlog\":"
		  "true}]}", ERR_FORMAT, ".rules[0].require-tlog: a rule with "
		  "\"reject\" takes no \"require-tlog\"" },
		{ "require-tlog, malformed root", "{\"version\":1,"
		  "\"trusted-root\":\"root-bad.json\",\"keys\":{" KA "},"
		  "\"rules\":[{\"scope\":\"reg/app\",\"keys\":[\"alice\"],"
		  "\"require-tlog\":true}]}", ERR_FORMAT, ".trusted-root: "
		  "trusted root " },
		{ "the policy's, named again", "{\"version\":1,"
		  "\"trusted-root\":\"root-a.json\",\"keys\":{" KL_CI "},"
		  KL("ci2", "\"identity\":\"c\",\"issuer\":\"b\","
		  "\"trusted-root\":\"./root-a.json\"") "}},\"rules\":["
		  RULE_CI "]}", 0, NULL },
	};
	size_t i;

	(void)state;
	keyless_files();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy *p = (struct policy *)1;
		int rc = parse(&p, cases[i].json, NULL);

		if (rc != cases[i].rc)
			fail_msg("%s: rc %d, want %d (%s)", cases[i].name, rc,
				 cases[i].rc, err_msg());
		if (rc == 0) {
			assert_non_null(p);
			assert_true(p->n_roots >= 1);
			policy_free(p);
			continue;
		}
		assert_null(p);
		if (!strstr(err_msg(), cases[i].msg))
			fail_msg("%s: message '%s' lacks '%s'", cases[i].name,
				 err_msg(), cases[i].msg);
	}
}

/* Doubts about keyless entries are warnings. */
static void test_keyless_warnings(void **state)
{
	static const struct {
		const char *name, *json, *msg;
	} cases[] = {
		{ "one signer, two names", R_KL(KL_CI "}," KL("ci2",
		  "\"identity\":\"" GH_WF "@refs/tags/v1\",\"issuer\":\""
		  GH_ISS "\"") "}", "{\"scope\":\"reg/app\",\"keys\":[\"ci\","
		  "\"ci2\"]}"), ".keys.ci2: 'ci2' names the same keyless "
		  "signer as 'ci'" },
		{ "a glob where a regexp is meant", R_KL(KL("ci",
		  "\"identity\":\"" GH_WF "@refs/tags/*\",\"issuer\":\""
		  GH_ISS "\"") "}", RULE_CI), ".keys.ci.keyless.identity: '"
		  GH_WF "@refs/tags/*' is matched exactly, '*' included" },
		{ "revoked, in a rule", R_KL(KL_CI ",\"revoked\":true}",
		  RULE_CI), ".rules[0].keys: keyless signer 'ci' is revoked" },
		{ "notation only", R_KL(KL_CI "}", "{\"scope\":\"reg/app\","
		  "\"keys\":[\"ci\"],\"formats\":[\"notation\"]}"),
		  ".rules[0].keys: keyless signers count for cosign and "
		  "sigstore-bundle signatures only" },
		{ "revoked, unused", R_KL(KA "," KL_CI ",\"revoked\":true}",
		  RULE), ".keys.ci: 'ci' is revoked and no rule names it: it "
		  "refuses every keyless signature matching it" },
		{ "require-tlog with notation", "{\"version\":1,\"keys\":{"
		  "\"ca\":{\"certificate\":\"ca.pem\"}},\"rules\":[{"
		  "\"scope\":\"reg/app\",\"keys\":[\"ca\"],"
		  "\"require-tlog\":true}]}", ".rules[0].require-tlog: "
		  "notation signatures have no transparency log entry" },
	};
	struct policy_diags d = { 0 };
	struct policy *p;
	size_t i, j;
	bool found;

	(void)state;
	keyless_files();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (parse(&p, cases[i].json, &d) != 0)
			fail_msg("%s: %s", cases[i].name, err_msg());
		for (j = 0, found = false; j < d.n; j++)
			found |= d.items[j].warning &&
				 strstr(d.items[j].msg, cases[i].msg);
		if (!found)
			fail_msg("%s: no warning '%s' (%zu diagnostics, the "
				 "first '%s')", cases[i].name, cases[i].msg,
				 d.n, d.n ? d.items[0].msg : "");
		policy_diags_release(&d);
		policy_free(p);
	}
}

/* What the keyless entries give policy_verify: the signers, and one
 * trusted root: the entries', else $SIGNET_TRUSTED_ROOT, else the
 * built-in one; under a lock never the environment's. */
static void test_keyless_model(void **state)
{
	static const char *json = R_KL(KA "," KL_CI "}," KL("tags",
		"\"identity-regexp\":\"" GH_WF "@refs/tags/.*\","
		"\"issuer\":\"" GH_ISS "\"") "}", "{\"scope\":\"reg/app\","
		"\"keys\":[\"alice\",\"ci\",\"tags\"],\"threshold\":2}");
	static const char *locked = "{\"version\":1,\"locked\":true,"
		"\"keys\":{" KL_CI "}},\"rules\":[" RULE_CI "]}";
	struct policy *p;

	(void)state;
	keyless_files();
	unsetenv("SIGNET_TRUSTED_ROOT");
	assert_int_equal(parse(&p, json, NULL), 0);
	assert_int_equal(p->n_signers, 2);
	assert_string_equal(p->signers[0].identity, GH_WF "@refs/tags/v1");
	assert_null(p->signers[0].identity_re);
	assert_string_equal(p->signers[1].identity_re, GH_WF "@refs/tags/.*");
	assert_string_equal(p->signers[1].issuer, GH_ISS);
	assert_non_null(p->trustroot);
	assert_string_equal(p->trustroot_name, KEYS_TRUSTROOT_BUILTIN);
	assert_int_equal(p->keys[1].key_index, -1);
	assert_true(p->keys[1].keyless && !p->keys[0].keyless);
	assert_int_equal(strncmp(p->keys[1].fingerprint, "keyless:", 8), 0);
	assert_string_not_equal(p->keys[1].fingerprint,
				p->keys[2].fingerprint);
	policy_free(p);

	setenv("SIGNET_TRUSTED_ROOT", tpath("root-a.json"), 1);
	assert_int_equal(parse(&p, json, NULL), 0);
	assert_non_null(strstr(p->trustroot_name, "($SIGNET_TRUSTED_ROOT)"));
	policy_free(p);
	assert_int_equal(policy_parse(&p, locked, strlen(locked),
				      POLICY_SYSTEM, NULL), 0);
	assert_string_equal(p->trustroot_name, KEYS_TRUSTROOT_BUILTIN);
	policy_free(p);
	setenv("SIGNET_TRUSTED_ROOT", tpath("root-bad.json"), 1);
	assert_int_equal(parse(&p, json, NULL), ERR_FORMAT);
	assert_non_null(strstr(err_msg(), ".keys.ci.keyless: trusted root "));
	/* no keyless entry: no trusted root is read, one is kept for key
	 * signatures' log entries, read when one needs it (so a bad
	 * $SIGNET_TRUSTED_ROOT does not stop the policy) */
	assert_int_equal(parse(&p, R1(RULE), NULL), 0);
	assert_null(p->trustroot);
	assert_non_null(p->tlog_root);
	assert_false(keys_trustroot_lazy_tried(p->tlog_root));
	assert_int_equal(p->n_signers, 0);
	policy_free(p);
	unsetenv("SIGNET_TRUSTED_ROOT");
	/* the policy's own trusted root is read at once: it is for key
	 * signatures' log entries too */
	assert_int_equal(parse(&p, "{\"version\":1,\"trusted-root\":"
			       "\"root-a.json\",\"keys\":{" KA "},"
			       "\"rules\":[" RULE "]}", NULL), 0);
	assert_non_null(p->trustroot);
	assert_null(p->tlog_root);
	policy_free(p);
}

/* A keyless signature as verify_image reports it. */
struct kl_sig {
	const char *key;	/* a key entry's name instead, or NULL */
	bool ok;		/* keyless_ok */
	const char *san, *issuer;
	time_t logged_at, timestamp;
	bool bad_claims;
	const char *ann;	/* JSON annotations, or NULL */
	const char *why;	/* expected in why; NULL: counted */
	const char *entry;	/* the entry it counts for, or NULL */
};

struct kl_case {
	const char *name, *repo;
	time_t now;
	int rc;
	size_t counted;
	struct kl_sig sigs[3];
};

#define SAN_V1 GH_WF "@refs/tags/v1"
#define SAN_V2 GH_WF "@refs/tags/v2"
#define SAN_V3 GH_WF "@refs/tags/v3"
#define SAN_OTHER "https://github.com/org/repo/.github/workflows/x.yml@main"
#define SAN_OLD "https://github.com/org/old/.github/workflows/r.yml@refs/tags/v1"
#define SAN_LOST "https://github.com/org/lost/.github/workflows/r.yml@refs/heads/main"
#define KLS(san, at) { NULL, true, san, GH_ISS, at, 0, false, NULL, NULL, NULL }
#define KLS_WHY(san, at, why) \
	{ NULL, true, san, GH_ISS, at, 0, false, NULL, why, NULL }

/* ci: exact v1; tags: any tag (regexp); org: a prefix of the workflow
 * path as a regexp, which must match nothing; old: revoked outright;
 * lost: revoked from 2030 on; v3: one tag revoked, which "tags" also
 * matches; alice and bob: keys. */
static const char *kl_json =
	"{\"version\":1,\"keys\":{" KA "," KB ","
	KL_CI "},"
	KL("tags", "\"identity-regexp\":\"" GH_WF "@refs/tags/v[0-9]+\","
	   "\"issuer-regexp\":\"https://token\\\\.actions\\\\."
	   "githubusercontent\\\\.com\"") "},"
	KL("org", "\"identity-regexp\":\"https://github\\\\.com/org/repo\","
	   "\"issuer\":\"" GH_ISS "\"") "},"
	KL("old", "\"identity\":\"" SAN_OLD "\",\"issuer\":\"" GH_ISS "\"")
	",\"revoked\":true},"
	KL("lost", "\"identity\":\"" SAN_LOST "\",\"issuer\":\"" GH_ISS "\"")
	",\"revoked\":\"2030-01-01T00:00:00Z\"},"
	KL("v3", "\"identity\":\"" SAN_V3 "\",\"issuer\":\"" GH_ISS "\"")
	",\"revoked\":true}},"
	"\"rules\":["
	"{\"scope\":\"reg/one/*\",\"keys\":[\"ci\"]},"
	"{\"scope\":\"reg/two/*\",\"keys\":[\"alice\",\"ci\"],\"threshold\":2},"
	"{\"scope\":\"reg/tags/*\",\"keys\":[\"ci\",\"tags\"],"
	"\"threshold\":2},"
	"{\"scope\":\"reg/org/*\",\"keys\":[\"org\"]},"
	"{\"scope\":\"reg/old/*\",\"keys\":[\"old\",\"tags\"]},"
	"{\"scope\":\"reg/lost/*\",\"keys\":[\"lost\"]},"
	"{\"scope\":\"reg/ann/*\",\"keys\":[\"ci\"],\"annotations\":{"
	"\"env\":\"prod\"},\"formats\":[\"sigstore-bundle\"]},"
	"{\"scope\":\"reg/bob/*\",\"keys\":[\"bob\",\"tags\"]},"
	"{\"scope\":\"reg/tlog/*\",\"keys\":[\"alice\",\"ci\"],"
	"\"require-tlog\":true}"
	"]}";

static const struct kl_case kl_cases[] = {
	{ "exact identity", "reg/one/app", NOW, 0, 1,
	  { { NULL, true, SAN_V1, GH_ISS, T2026, 0, false, NULL, NULL,
	      "ci" } } },
	{ "not verified against the trusted root", "reg/one/app", NOW,
	  ERR_VERIFY, 0, { { NULL, false, SAN_V1, GH_ISS, T2026, 0, false,
			     NULL, "keyless signature not verified: SCT: "
			     "none", NULL } } },
	{ "another identity", "reg/one/app", NOW, ERR_VERIFY, 0,
	  { KLS_WHY(SAN_OTHER, T2026, "keyless signer '" SAN_OTHER "' "
		    "(issuer '" GH_ISS "') is not in the policy") } },
	{ "another issuer", "reg/one/app", NOW, ERR_VERIFY, 0,
	  { { NULL, true, SAN_V1, "https://accounts.google.com", T2026, 0,
	      false, NULL, "is not in the policy", NULL } } },
	{ "claims do not hold", "reg/one/app", NOW, ERR_VERIFY, 0,
	  { { NULL, true, SAN_V1, GH_ISS, T2026, 0, true, NULL,
	      "payload is for repository 'elsewhere'", NULL } } },
	{ "a key and a keyless signer: 2 of 2", "reg/two/app", NOW, 0, 2,
	  { { "alice", false, NULL, NULL, 0, 0, false, NULL, NULL, NULL },
	    KLS(SAN_V1, T2026) } },
	{ "a keyless signer twice: 1 of 2", "reg/two/app", NOW, ERR_VERIFY,
	  1, { KLS(SAN_V1, T2026), KLS_WHY(SAN_V1, T2026 + 60,
					  "keyless signer 'ci' already "
					  "counted") } },
	{ "one identity, two entries: counts once", "reg/tags/app", NOW,
	  ERR_VERIFY, 1, { KLS(SAN_V1, T2026),
			   KLS_WHY(SAN_V1, T2026 + 60, "keyless signer "
				   "'tags' already counted as 'ci' (one "
				   "identity counts once") } },
	{ "two identities, two entries: 2 of 2", "reg/tags/app", NOW, 0, 2,
	  { KLS(SAN_V1, T2026), KLS(SAN_V2, T2026) } },
	{ "regexp over the whole identity only", "reg/org/app", NOW,
	  ERR_VERIFY, 0, { KLS_WHY(SAN_OTHER, T2026, "is not in the policy"),
			   KLS_WHY("https://github.com/org/repo2", T2026,
				   "is not in the policy") } },
	{ "regexp matching the whole identity", "reg/org/app", NOW, 0, 1,
	  { { NULL, true, "https://github.com/org/repo", GH_ISS, T2026, 0,
	      false, NULL, NULL, "org" } } },
	{ "revoked", "reg/old/app", NOW, ERR_VERIFY, 0,
	  { KLS_WHY(SAN_OLD, T2026, "keyless signer 'old' is revoked") } },
	{ "revoked under another name refuses", "reg/old/app", NOW,
	  ERR_VERIFY, 0, { KLS_WHY(SAN_V3, T2026, "keyless signer 'tags' "
				   "is revoked as 'v3'") } },
	{ "revoked later, logged before: counts after", "reg/lost/app",
	  T2031, 0, 1, { KLS(SAN_LOST, T2030 - 1) } },
	{ "revoked, logged at the time", "reg/lost/app", T2030 + 5,
	  ERR_VERIFY, 0, { KLS_WHY(SAN_LOST, T2030, "keyless signer "
				   "'lost' is revoked since "
				   "2030-01-01T00:00:00Z, and the signature "
				   "was made at 2030-01-01T00:00:00Z") } },
	{ "revoked, logged after, verified before", "reg/lost/app", NOW,
	  ERR_VERIFY, 0, { KLS_WHY(SAN_LOST, T2030 + 1, "is revoked") } },
	{ "revoked, an earlier timestamp counts", "reg/lost/app", T2031, 0,
	  1, { { NULL, true, SAN_LOST, GH_ISS, T2030 + 1, T2030 - 1, false,
		 NULL, NULL, "lost" } } },
	{ "revoked, a timestamp alone", "reg/lost/app", T2031, ERR_VERIFY,
	  0, { { NULL, true, SAN_LOST, GH_ISS, 0, T2030, false, NULL,
		 "is revoked", NULL } } },
	{ "annotations", "reg/ann/app", NOW, 0, 1,
	  { { NULL, true, SAN_V1, GH_ISS, T2026, 0, false,
	      "{\"env\":\"prod\"}", NULL, "ci" } } },
	{ "annotation missing", "reg/ann/app", NOW, ERR_VERIFY, 0,
	  { { NULL, true, SAN_V1, GH_ISS, T2026, 0, false,
	      "{\"env\":\"dev\"}", "annotation 'env' missing", NULL } } },
	{ "matches an entry the rule trusts and one it does not",
	  "reg/bob/app", NOW, 0, 1, { { NULL, true, SAN_V1, GH_ISS, T2026,
					0, false, NULL, NULL, "tags" } } },
	{ "matches only an entry the rule does not trust", "reg/one/app",
	  NOW, ERR_VERIFY, 0, { KLS_WHY(SAN_V2, T2026, "signed by 'tags', "
				       "which the rule does not trust") } },
	{ "require-tlog: a key signature without a log entry", "reg/tlog/app",
	  NOW, ERR_VERIFY, 0, { { "alice", false, NULL, NULL, 0, 0, false,
				  NULL, "no verified transparency log entry, "
				  "which the rule requires", NULL } } },
	{ "require-tlog: a key signature with one", "reg/tlog/app", NOW, 0,
	  1, { { "alice", false, NULL, NULL, T2026, 0, false, NULL, NULL,
		 "alice" } } },
	{ "require-tlog: a keyless signature logged", "reg/tlog/app", NOW,
	  0, 1, { KLS(SAN_V1, T2026) } },
	{ "require-tlog: a keyless signature timestamped only",
	  "reg/tlog/app", NOW, ERR_VERIFY, 0,
	  { { NULL, true, SAN_V1, GH_ISS, 0, T2026, false, NULL,
	      "no verified transparency log entry", NULL } } },
	{ "cosign format, not accepted", "reg/ann/app", NOW, ERR_VERIFY, 0,
	  { { NULL, true, SAN_V1, GH_ISS, T2026, 0, false, NULL,
	      "format 'cosign' is not accepted", NULL } } },
};

static void fill_keyless(struct sig_report *s, const struct policy *p,
			 const struct kl_sig *k, const char *repo)
{
	memset(s, 0, sizeof(*s));
	s->key_index = s->cert_index = s->signer_index = -1;
	s->log_index = -1;
	snprintf(s->format, sizeof(s->format), "%s",
		 strncmp(repo, "reg/ann/", 8) == 0 && k->ann ?
		 "sigstore-bundle" : "cosign");
	if (k->key) {
		s->key_index = p->keys[policy_key_find(p, k->key)].key_index;
		s->claims_ok = true;
		s->logged_at = k->logged_at;
		s->log_index = k->logged_at ? 7 : -1;
		return;
	}
	s->keyless = true;
	s->keyless_ok = k->ok;
	s->root = k->ok ? p->trustroot : NULL;
	snprintf(s->san, sizeof(s->san), "%s", k->san);
	snprintf(s->issuer, sizeof(s->issuer), "%s", k->issuer);
	s->logged_at = k->logged_at;
	s->timestamp = k->timestamp;
	s->log_index = k->logged_at ? 42 : -1;
	/* what verify_image says: any signer, not the one that counts */
	s->signer_index = k->ok ? 0 : -1;
	s->claims_ok = k->ok && !k->bad_claims;
	if (!k->ok)
		snprintf(s->reason, sizeof(s->reason), "SCT: none in the "
			 "certificate");
	else if (k->bad_claims)
		snprintf(s->reason, sizeof(s->reason), "payload is for "
			 "repository 'elsewhere'");
	if (k->ann)
		s->annotations = json_loads(k->ann, 0, NULL);
}

static void test_keyless_evaluate(void **state)
{
	struct sig_report sigs[3];
	struct policy_verdict v;
	struct policy *p;
	size_t i, j, n;
	int rc;

	(void)state;
	assert_int_equal(parse(&p, kl_json, NULL), 0);
	for (i = 0; i < sizeof(kl_cases) / sizeof(kl_cases[0]); i++) {
		const struct kl_case *c = &kl_cases[i];

		for (n = 0; n < 3 && (c->sigs[n].san || c->sigs[n].key); n++)
			fill_keyless(&sigs[n], p, &c->sigs[n], c->repo);
		rc = policy_evaluate(&v, p, c->repo, sigs, n, c->now);
		if (rc != c->rc || v.counted != c->counted)
			fail_msg("%s: rc %d, counted %zu, want %d, %zu (%s)",
				 c->name, rc, v.counted, c->rc, c->counted,
				 v.reason);
		for (j = 0; j < n; j++) {
			const struct policy_sig *ps = &v.sigs[j];
			const char *want = c->sigs[j].why;

			if (ps->counted != !want ||
			    (want && !strstr(ps->why, want)))
				fail_msg("%s: signature %zu: counted %d, why "
					 "'%s'", c->name, j, ps->counted,
					 ps->why);
			if (c->sigs[j].entry &&
			    ps->key != policy_key_find(p, c->sigs[j].entry))
				fail_msg("%s: signature %zu counts for %d",
					 c->name, j, ps->key);
			json_decref(sigs[j].annotations);
		}
		policy_verdict_release(&v);
	}
	policy_free(p);
}

/* ---- trusted roots of their own, and timestamp authorities -------------- */

#define SAN_X "x@example.com"
#define SAN_Y "y@example.com"
#define ISS_P "https://oidc.example.com"
#define KLR(name, san, root, rest) KL(name, "\"identity\":\"" san "\","	\
	"\"issuer\":\"" ISS_P "\",\"trusted-root\":\"" root "\"") rest "}"

/* a: X under root A; b: X under root B; c: Y under root B; z: Z under
 * root A, revoked as zb (Z under root B). */
static const char *roots_json =
	"{\"version\":1,\"keys\":{" KA ","
	KLR("a", SAN_X, "root-a.json", "") ","
	KLR("b", SAN_X, "./root-b.json", "") ","
	KLR("c", SAN_Y, "root-b.json", "") ","
	KLR("z", "z@example.com", "root-a.json", "") ","
	KLR("zb", "z@example.com", "root-b.json", ",\"revoked\":true")
	"},\"rules\":["
	"{\"scope\":\"reg/a/*\",\"keys\":[\"a\"]},"
	"{\"scope\":\"reg/b/*\",\"keys\":[\"b\"]},"
	"{\"scope\":\"reg/c/*\",\"keys\":[\"c\"]},"
	"{\"scope\":\"reg/ac/*\",\"keys\":[\"a\",\"c\"],\"threshold\":2},"
	"{\"scope\":\"reg/ab/*\",\"keys\":[\"a\",\"b\",\"c\"],\"threshold\":2},"
	"{\"scope\":\"reg/z/*\",\"keys\":[\"z\"]},"
	"{\"scope\":\"reg/tlog/*\",\"keys\":[\"alice\"],"
	"\"require-tlog\":true}]}";

/* Each distinct file loaded once; each signer given its own root; the
 * default root only when something uses it. */
static void test_keyless_roots_model(void **state)
{
	struct policy_diags d = { 0 };
	struct policy *p;
	size_t i;
	bool warned = false;

	(void)state;
	keyless_files();
	unsetenv("SIGNET_TRUSTED_ROOT");
	if (parse(&p, roots_json, &d) != 0)
		fail_msg("%s", err_msg());
	/* root-a, root-b (named twice, once as ./), the built-in one for
	 * require-tlog */
	assert_int_equal(p->n_roots, 3);
	assert_int_equal(p->n_signers, 5);
	assert_ptr_equal(p->signer_roots[0], p->signer_roots[3]);
	assert_ptr_equal(p->signer_roots[1], p->signer_roots[2]);
	assert_ptr_not_equal(p->signer_roots[0], p->signer_roots[1]);
	assert_int_equal(p->keys[policy_key_find(p, "b")].root,
			 p->keys[policy_key_find(p, "c")].root);
	assert_int_equal(p->keys[policy_key_find(p, "alice")].root, -1);
	assert_non_null(p->trustroot);
	assert_string_equal(p->trustroot_name, KEYS_TRUSTROOT_BUILTIN);
	for (i = 0; i < 3; i++)
		assert_non_null(p->roots[i].root);
	assert_non_null(strstr(p->roots[0].name, "root-a.json"));
	for (i = 0; i < d.n; i++)
		warned |= d.items[i].warning &&
			  strstr(d.items[i].msg, ".rules[6].require-tlog: the "
				 "log entries of key signatures are checked "
				 "against the built-in") != NULL;
	assert_true(warned);
	policy_diags_release(&d);
	policy_free(p);

	/* every entry with its own root, no require-tlog: no default */
	assert_int_equal(parse(&p, R_KL(KLR("a", SAN_X, "root-a.json", "")
					"," KLR("b", SAN_Y, "root-b.json", ""),
					"{\"scope\":\"reg/app\",\"keys\":[\"a\","
					"\"b\"]}"), NULL), 0);
	assert_int_equal(p->n_roots, 2);
	assert_null(p->trustroot);
	policy_free(p);
}

/* A keyless signature: identity, and the root it verified against (an
 * index in p->roots, -1 none). */
struct root_sig {
	const char *san;
	int root;
	const char *why;	/* expected in why; NULL: counted */
};

static const struct {
	const char *name, *repo;
	int rc;
	size_t counted;
	struct root_sig sigs[2];
} root_cases[] = {
	{ "root A for A's entry", "reg/a/app", 0, 1, { { SAN_X, 0, NULL } } },
	{ "root A, B's entry, same identity", "reg/b/app", ERR_VERIFY, 0,
	  { { SAN_X, 0, "signed by 'a', which the rule does not trust" } } },
	{ "root B for B's entry", "reg/b/app", 0, 1, { { SAN_X, 1, NULL } } },
	{ "root B, A's entry, same identity", "reg/a/app", ERR_VERIFY, 0,
	  { { SAN_X, 1, "signed by 'b', which the rule does not trust" } } },
	{ "root A for an identity only B's entries name", "reg/c/app",
	  ERR_VERIFY, 0, { { SAN_Y, 0, "did not verify against the trusted "
			     "root of 'c'" } } },
	{ "unverified", "reg/a/app", ERR_VERIFY, 0,
	  { { SAN_X, -1, "keyless signature not verified" } } },
	{ "2 of 2 across the two roots", "reg/ac/app", 0, 2,
	  { { SAN_X, 0, NULL }, { SAN_Y, 1, NULL } } },
	{ "2 of 2, both from root A: 1", "reg/ac/app", ERR_VERIFY, 1,
	  { { SAN_X, 0, NULL }, { SAN_Y, 0, "did not verify against the "
				  "trusted root of 'c'" } } },
	{ "one identity under two roots counts once", "reg/ab/app",
	  ERR_VERIFY, 1, { { SAN_X, 0, NULL }, { SAN_X, 1, "already "
						   "counted as 'a'" } } },
	{ "revoked under another root's entry", "reg/z/app", ERR_VERIFY, 0,
	  { { "z@example.com", 0, "keyless signer 'z' is revoked as "
	      "'zb'" } } },
};

static void test_keyless_roots_evaluate(void **state)
{
	struct sig_report sigs[2];
	struct policy_verdict v;
	struct policy *p;
	size_t i, j, n;
	int rc;

	(void)state;
	keyless_files();
	unsetenv("SIGNET_TRUSTED_ROOT");
	assert_int_equal(parse(&p, roots_json, NULL), 0);
	for (i = 0; i < sizeof(root_cases) / sizeof(root_cases[0]); i++) {
		for (n = 0; n < 2 && root_cases[i].sigs[n].san; n++) {
			const struct root_sig *r = &root_cases[i].sigs[n];

			memset(&sigs[n], 0, sizeof(sigs[n]));
			sigs[n].key_index = sigs[n].cert_index = -1;
			sigs[n].signer_index = -1;
			snprintf(sigs[n].format, sizeof(sigs[n].format),
				 "cosign");
			sigs[n].keyless = true;
			sigs[n].keyless_ok = r->root >= 0;
			sigs[n].claims_ok = r->root >= 0;
			sigs[n].root = r->root >= 0 ? p->roots[r->root].root :
				       NULL;
			sigs[n].logged_at = T2026;
			sigs[n].log_index = 1;
			snprintf(sigs[n].san, sizeof(sigs[n].san), "%s",
				 r->san);
			snprintf(sigs[n].issuer, sizeof(sigs[n].issuer), "%s",
				 ISS_P);
		}
		rc = policy_evaluate(&v, p, root_cases[i].repo, sigs, n, NOW);
		if (rc != root_cases[i].rc || v.counted != root_cases[i].counted)
			fail_msg("%s: rc %d, counted %zu (%s)",
				 root_cases[i].name, rc, v.counted, v.reason);
		for (j = 0; j < n; j++) {
			const char *want = root_cases[i].sigs[j].why;

			if (v.sigs[j].counted != !want ||
			    (want && !strstr(v.sigs[j].why, want)))
				fail_msg("%s: signature %zu: counted %d, why "
					 "'%s'", root_cases[i].name, j,
					 v.sigs[j].counted, v.sigs[j].why);
		}
		policy_verdict_release(&v);
	}
	policy_free(p);
}

#define R_TSA(x) "{\"version\":1,\"keys\":{" KA ",\"ca\":{"		\
	"\"certificate\":\"ca.pem\"}},\"rules\":[{\"scope\":\"reg/app\","	\
	"\"keys\":[\"ca\"]" x "}]}"

/* "tsa-certificates": files read as --tsa-cert reads them, beside the
 * policy, no links; the rule gives them to verify_opts. */
static void test_tsa_certificates(void **state)
{
	static const struct {
		const char *name, *json;
		int rc;
		const char *msg;
	} cases[] = {
		{ "one file", R_TSA(",\"tsa-certificates\":[\"ca.pem\"]"), 0,
		  NULL },
		{ "not an array", R_TSA(",\"tsa-certificates\":\"ca.pem\""),
		  ERR_FORMAT, ".rules[0].tsa-certificates: expected an array "
		  "of certificate files" },
		{ "empty", R_TSA(",\"tsa-certificates\":[]"), ERR_FORMAT,
		  ".rules[0].tsa-certificates: expected an array" },
		{ "not a name", R_TSA(",\"tsa-certificates\":[\"ca.pem\",1]"),
		  ERR_FORMAT, ".rules[0].tsa-certificates[1]: expected a file "
		  "name" },
		{ "missing", R_TSA(",\"tsa-certificates\":[\"none.pem\"]"),
		  ERR_IO, ".rules[0].tsa-certificates[0]: cannot use '" },
		{ "a link", R_TSA(",\"tsa-certificates\":[\"root-link.json\"]"),
		  ERR_IO, ".rules[0].tsa-certificates[0]: '" },
		{ "no certificate in it", R_TSA(",\"tsa-certificates\":["
		  "\"alice.pub\"]"), ERR_FORMAT, ".rules[0].tsa-certificates[0]"
		  ": " },
		{ "rejecting", "{\"version\":1,\"rules\":[{\"scope\":\"reg/app\","
		  "\"reject\":true,\"tsa-certificates\":[\"ca.pem\"]}]}",
		  ERR_FORMAT, ".rules[0].tsa-certificates: a rule with "
		  "\"reject\" takes no \"tsa-certificates\"" },
	};
	struct policy_diags d = { 0 };
	struct policy *p;
	size_t i;
	bool warned = false;
	int rc;

	(void)state;
	keyless_files();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = parse(&p, cases[i].json, NULL);
		if (rc != cases[i].rc && !(cases[i].rc && rc < 0))
			fail_msg("%s: rc %d (%s)", cases[i].name, rc,
				 err_msg());
		if (rc == 0) {
			assert_int_equal(p->rules[0].n_tsa_certs, 1);
			assert_non_null(p->rules[0].tsa_certs[0]);
			policy_free(p);
			continue;
		}
		if (!strstr(err_msg(), cases[i].msg))
			fail_msg("%s: message '%s' lacks '%s'", cases[i].name,
				 err_msg(), cases[i].msg);
	}
	/* with keys only, nothing carries a timestamp it checks: a doubt */
	assert_int_equal(parse(&p, "{\"version\":1,\"keys\":{" KA "},"
			       "\"rules\":[{\"scope\":\"reg/app\",\"keys\":["
			       "\"alice\"],\"tsa-certificates\":[\"ca.pem\"]}"
			       "]}", &d), 0);
	for (i = 0; i < d.n; i++)
		warned |= d.items[i].warning &&
			  strstr(d.items[i].msg, ".rules[0].tsa-certificates: "
				 "only notation signatures carry timestamp "
				 "countersignatures, and the rule trusts no "
				 "certificate entry") != NULL;
	assert_true(warned);
	policy_diags_release(&d);
	policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scope_match),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_overlap_warnings),
		cmocka_unit_test(test_host_warnings),
		cmocka_unit_test(test_host_warning_once),
		cmocka_unit_test(test_scope_hosts),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_collects_all),
		cmocka_unit_test(test_parse_model),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_locate),
		cmocka_unit_test(test_evaluate),
		cmocka_unit_test(test_evaluate_pure),
		cmocka_unit_test(test_key_identity),
		cmocka_unit_test(test_key_identity_check),
		cmocka_unit_test(test_signed_identity_expect),
		cmocka_unit_test(test_signed_identity_repository),
		cmocka_unit_test(test_signed_identity_parse),
		cmocka_unit_test(test_signed_identity_model),
		cmocka_unit_test(test_keyless_parse),
		cmocka_unit_test(test_keyless_warnings),
		cmocka_unit_test(test_keyless_model),
		cmocka_unit_test(test_keyless_evaluate),
		cmocka_unit_test(test_keyless_roots_model),
		cmocka_unit_test(test_keyless_roots_evaluate),
		cmocka_unit_test(test_tsa_certificates),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
