/* test_ref.c - image reference parsing, normalisation and formatting, and
 * the names behind a reference: Docker Hub's API host, docker's
 * credential keys, the tests' connection routes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <stdlib.h>
#include <unistd.h>
#include <curl/curl.h>

#include "../../registry/internal.h"

#define HEX "0123456789abcdef0123456789abcdef" \
	    "0123456789abcdef0123456789abcdef"
#define HEXU "0123456789ABCDEF0123456789ABCDEF" \
	     "0123456789ABCDEF0123456789ABCDEF"
#define D "sha256:" HEX
#define A10 "aaaaaaaaaa"
#define A50 A10 A10 A10 A10 A10
#define A100 A50 A50
#define T10 "tttttttttt"
#define T50 T10 T10 T10 T10 T10
#define T128 T50 T50 T10 T10 "tttttttt"

struct ref_case {
	const char *in;
	int rc;
	/* expected fields when rc == 0; registry etc. */
	const char *registry;
	const char *repository;
	const char *tag;
	const char *digest;
	/* expected part of the message when rc != 0 */
	const char *why;
};

#define OK(in, reg, repo, tag, dg) { in, 0, reg, repo, tag, dg, NULL }
#define BAD(in, why) { in, ERR_USAGE, NULL, NULL, NULL, NULL, why }

static const struct ref_case ref_cases[] = {
	/* valid */
	OK("ubuntu", "docker.io", "library/ubuntu", "latest", ""),
	OK("ubuntu:22.04", "docker.io", "library/ubuntu", "22.04", ""),
	OK("library/ubuntu", "docker.io", "library/ubuntu", "latest", ""),
	OK("docker.io/ubuntu", "docker.io", "library/ubuntu", "latest", ""),
	OK("docker.io/library/ubuntu:t", "docker.io", "library/ubuntu", "t",
	   ""),
	OK("index.docker.io/library/ubuntu", "docker.io", "library/ubuntu",
	   "latest", ""),
	OK("index.docker.io/ubuntu", "docker.io", "library/ubuntu", "latest",
	   ""),
	/* Docker Hub's API host is Docker Hub (issue 14) */
	OK("registry-1.docker.io/x/y", "docker.io", "x/y", "latest", ""),
	OK("registry-1.docker.io/alpine", "docker.io", "library/alpine",
	   "latest", ""),
	OK("Index.Docker.IO:443/alpine", "docker.io", "library/alpine",
	   "latest", ""),
	OK("docker.io:443/x/y", "docker.io", "x/y", "latest", ""),
	OK("myuser/myrepo", "docker.io", "myuser/myrepo", "latest", ""),
	OK("localhost/a", "localhost", "a", "latest", ""),
	OK("localhost:5000/a/b:t", "localhost:5000", "a/b", "t", ""),
	OK("127.0.0.1:5000/x@" D, "127.0.0.1:5000", "x", "", D),
	OK("[::1]:5000/x:y", "[::1]:5000", "x", "y", ""),
	OK("[::1]/x", "[::1]", "x", "latest", ""),
	OK("[2001:db8::1]:443/a/b", "[2001:db8::1]", "a/b", "latest", ""),
	OK("[2001:DB8:0:0::1]:5000/a", "[2001:db8::1]:5000", "a", "latest",
	   ""),
	OK("[0:0:0:0:0:0:0:1]/a", "[::1]", "a", "latest", ""),
	OK("gcr.io/a/b/c:t@" D, "gcr.io", "a/b/c", "t", D),
	OK("ubuntu@" D, "docker.io", "library/ubuntu", "", D),
	OK("a__b", "docker.io", "library/a__b", "latest", ""),
	OK("a-b--c", "docker.io", "library/a-b--c", "latest", ""),
	OK("a.b", "docker.io", "library/a.b", "latest", ""),
	OK("a_b.c-d", "docker.io", "library/a_b.c-d", "latest", ""),
	OK("ghcr.io/owner/repo:v1.2.3-rc_1", "ghcr.io", "owner/repo",
	   "v1.2.3-rc_1", ""),
	/* one spelling of each host: lower case, no :443 (issue 14) */
	OK("Registry.Example.COM:443/team/app", "registry.example.com",
	   "team/app", "latest", ""),
	OK("REG.EXAMPLE.COM/a", "reg.example.com", "a", "latest", ""),
	OK("reg.example.com:0443/a", "reg.example.com", "a", "latest", ""),
	OK("LOCALHOST:5000/a", "localhost:5000", "a", "latest", ""),
	OK("localhost:05000/a", "localhost:5000", "a", "latest", ""),
	OK("localhost:443/a", "localhost", "a", "latest", ""),
	OK("reg.example.com:80/a", "reg.example.com:80", "a", "latest", ""),
	OK("reg.example.com:8443/a", "reg.example.com:8443", "a", "latest",
	   ""),
	OK("docker.io.example.com/a", "docker.io.example.com", "a",
	   "latest", ""),
	OK("my-registry.local:5000/ns/img", "my-registry.local:5000",
	   "ns/img", "latest", ""),
	OK("quay.io/a/b/c/d/e", "quay.io", "a/b/c/d/e", "latest", ""),
	/* no '/': the ':' starts a tag, as in docker */
	OK("localhost:5000", "docker.io", "library/localhost", "5000", ""),
	OK("a:_X.y-Z", "docker.io", "library/a", "_X.y-Z", ""),
	OK("a:" T128, "docker.io", "library/a", T128, ""),
	/* exactly 255 characters once written as registry/repository */
	OK("localhost/" A100 A100 A10 A10 A10 A10 "aaaaa",
	   "localhost", A100 A100 A10 A10 A10 A10 "aaaaa",
	   "latest", ""),

	/* invalid */
	BAD("", "empty"),
	BAD("UPPER", "repository name must be lowercase"),
	BAD("Ubuntu:tag", "repository name must be lowercase"),
	BAD("gcr.io/A/b", "repository name must be lowercase"),
	BAD("Foo/bar", "repository name must be lowercase"),
	/* no '.' or ':': a path component, as in docker */
	BAD("LOCALHOST/a", "repository name must be lowercase"),
	BAD("a//b", "'//'"),
	BAD("/a", "must not start with '/'"),
	BAD("a/", "must not end with '/'"),
	BAD("localhost:5000/", "must not end with '/'"),
	BAD("a:", "empty tag"),
	BAD(":tag", "empty repository name"),
	BAD("@" D, "empty repository name"),
	BAD("a@", "empty digest"),
	BAD("a@sha256:short", "invalid digest"),
	BAD("a@sha256:" HEXU, "invalid digest"),
	BAD("a@sha256:" HEX "0", "invalid digest"),
	BAD("a@" D "@x", "invalid digest"),
	BAD("a@md5:d41d8cd98f00b204e9800998ecf8427e",
	    "unsupported digest algorithm"),
	BAD("a@sha512:" HEX HEX, "unsupported digest algorithm"),
	BAD("a@" HEX, "invalid digest"),
	BAD("a:tag with space", "space or control character"),
	BAD("a b", "space or control character"),
	BAD("a\tb", "space or control character"),
	BAD("a\x7f", "space or control character"),
	BAD("a\x1b[31m", "space or control character"),
	BAD("a:" T128 "t", "tag longer than 128"),
	BAD("a:.tag", "invalid tag"),
	BAD("a:-tag", "invalid tag"),
	BAD("a:b:c", "invalid repository name component"),
	BAD("http://x/y", "give a reference, not a URL"),
	BAD("https://gcr.io/a/b", "give a reference, not a URL"),
	BAD(A100 A100 A50 "aaaaaa", "longer than 255"),
	BAD(A100 A100 A10 A10 A10 A10 "aaaaaa",
	    "once normalised"),
	BAD("localhost/" A100 A100 A10 A10 A10 A10 "aaaaaa",
	    "longer than 255"),
	BAD("a___b", "invalid repository name component"),
	BAD("a-", "invalid repository name component"),
	BAD("-a", "invalid repository name component"),
	BAD("a.", "invalid repository name component"),
	BAD(".a", "invalid repository name component"),
	BAD("a..b", "invalid repository name component"),
	BAD("a._b", "invalid repository name component"),
	BAD("caf\xc3\xa9", "invalid repository name component"),
	BAD("-host.com/a", "invalid registry host"),
	BAD("host..com/a", "invalid registry host"),
	BAD("host-.com/a", "invalid registry host"),
	BAD("host_x.com/a", "invalid registry host"),
	BAD("host.com:/a", "invalid registry port"),
	BAD("host.com:99999/a", "invalid registry port"),
	BAD("host.com:0/a", "invalid registry port"),
	BAD("host.com:5x/a", "invalid registry port"),
	BAD("[::1/x", "invalid IPv6"),
	BAD("[zz::1]:5000/x", "invalid IPv6"),
	BAD("[:::::]/x", "invalid IPv6"),
	BAD("[]/x", "invalid IPv6"),
	BAD("[::1]x/y", "invalid registry host"),
	BAD("::1/x", "invalid registry host"),
	BAD(HEX, "image ID"),
};

static void test_ref_parse_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ref_cases) / sizeof(ref_cases[0]); i++) {
		const struct ref_case *c = &ref_cases[i];
		struct image_ref r;
		int rc;

		memset(&r, 0x5a, sizeof(r));
		err_clear();
		rc = ref_parse(&r, c->in);
		if (rc != c->rc)
			fail_msg("case %zu '%s': rc %d, want %d (%s)", i,
				 c->in, rc, c->rc, err_msg());
		if (rc == 0) {
			assert_string_equal(r.registry, c->registry);
			assert_string_equal(r.repository, c->repository);
			assert_string_equal(r.tag, c->tag);
			assert_string_equal(r.digest.str, c->digest);
			assert_int_equal(ref_has_digest(&r), c->digest[0] != 0);
			continue;
		}
		if (strncmp(err_msg(), "invalid reference '", 19) != 0 ||
		    !strstr(err_msg(), c->why))
			fail_msg("case %zu: message '%s' lacks '%s'", i,
				 err_msg(), c->why);
		/* nothing half-filled is left behind */
		assert_int_equal(r.registry[0], 0);
		assert_int_equal(r.repository[0], 0);
		assert_int_equal(r.tag[0], 0);
		assert_false(ref_has_digest(&r));
	}
}

static void test_ref_parse_null(void **state)
{
	struct image_ref r;

	(void)state;
	assert_int_equal(ref_parse(&r, NULL), ERR_USAGE);
	assert_non_null(strstr(err_msg(), "empty"));
}

/* The offending input is quoted without its control characters. */
static void test_ref_error_sanitized(void **state)
{
	struct image_ref r;

	(void)state;
	assert_int_equal(ref_parse(&r, "a\x1b[31m"), ERR_USAGE);
	assert_null(strchr(err_msg(), '\x1b'));
	assert_non_null(strstr(err_msg(), "invalid reference 'a?[31m'"));
	assert_int_equal(ref_parse(&r, "x\xe2\x80\xae" "gnp.exe"), ERR_USAGE);
	assert_null(strstr(err_msg(), "\xe2\x80\xae"));
	/* a very long input is cut short in the message */
	assert_int_equal(ref_parse(&r, A100 A100 A100), ERR_USAGE);
	assert_non_null(strstr(err_msg(), "...':"));
	assert_true(strlen(err_msg()) < 300);
}

struct norm_case {
	const char *claim;
	int rc;
	const char *want;
};

static const struct norm_case norm_cases[] = {
	{ "index.docker.io/library/ubuntu", 0, "docker.io/library/ubuntu" },
	{ "index.docker.io/ubuntu", 0, "docker.io/library/ubuntu" },
	{ "docker.io/ubuntu", 0, "docker.io/library/ubuntu" },
	{ "docker.io/library/ubuntu", 0, "docker.io/library/ubuntu" },
	{ "ubuntu", 0, "docker.io/library/ubuntu" },
	{ "ubuntu:latest", 0, "docker.io/library/ubuntu" },
	{ "user/app", 0, "docker.io/user/app" },
	{ "127.0.0.1:5000/a/b:tag", 0, "127.0.0.1:5000/a/b" },
	{ "reg.example/a/b@" D, 0, "reg.example/a/b" },
	{ "reg.example/a/b:t@" D, 0, "reg.example/a/b" },
	{ "localhost:5000/x", 0, "localhost:5000/x" },
	{ "[::1]:5000/x:y", 0, "[::1]:5000/x" },
	{ "quay.io/x/y", 0, "quay.io/x/y" },
	{ "Quay.IO:443/x/y", 0, "quay.io/x/y" },
	{ "registry-1.docker.io/ubuntu", 0, "docker.io/library/ubuntu" },
	{ "", ERR_FORMAT, NULL },
	{ "Quay.io/X/y", ERR_FORMAT, NULL },
	{ "https://quay.io/x/y", ERR_FORMAT, NULL },
	{ "reg.example/a/b@md5:00", ERR_FORMAT, NULL },
	{ "reg.example//b", ERR_FORMAT, NULL },
	{ "a\nb", ERR_FORMAT, NULL },
};

static void test_ref_normalize_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(norm_cases) / sizeof(norm_cases[0]); i++) {
		const struct norm_case *c = &norm_cases[i];
		char out[300];
		int rc;

		rc = ref_normalize_repo(out, sizeof(out), c->claim);
		if (rc != c->rc)
			fail_msg("claim %zu '%s': rc %d, want %d (%s)", i,
				 c->claim, rc, c->rc, err_msg());
		if (rc == 0)
			assert_string_equal(out, c->want);
		else if (!strstr(err_msg(), "invalid docker-reference claim"))
			fail_msg("claim %zu: message '%s'", i, err_msg());
	}
	assert_int_equal(ref_normalize_repo((char[8]){ 0 }, 8, "ubuntu"),
			 ERR_FORMAT);
}

/* The claim and the command line go through one parser. */
static void test_ref_normalize_agrees(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ref_cases) / sizeof(ref_cases[0]); i++) {
		struct image_ref r;
		char a[300], b[300];
		int rc1, rc2;

		rc1 = ref_parse(&r, ref_cases[i].in);
		rc2 = ref_normalize_repo(b, sizeof(b), ref_cases[i].in);
		assert_int_equal(rc1 == 0, rc2 == 0);
		if (rc1 < 0)
			continue;
		assert_int_equal(ref_format_repo(a, sizeof(a), &r), 0);
		assert_string_equal(a, b);
	}
}

static void test_ref_format(void **state)
{
	struct image_ref r;
	struct digest d;
	char out[200];
	size_t n;

	(void)state;
	assert_int_equal(ref_parse(&r, "localhost:5000/a/b:t"), 0);
	assert_int_equal(digest_parse(&d, D), 0);

	assert_int_equal(ref_format_repo(out, sizeof(out), &r), 0);
	assert_string_equal(out, "localhost:5000/a/b");
	n = strlen("localhost:5000/a/b");
	assert_int_equal(ref_format_repo(out, n + 1, &r), 0);
	assert_int_equal(ref_format_repo(out, n, &r), ERR_FORMAT);
	assert_int_equal(ref_format_repo(out, 0, &r), ERR_FORMAT);

	assert_int_equal(ref_format_pinned(out, sizeof(out), &r, &d), 0);
	assert_string_equal(out, "localhost:5000/a/b@" D);
	n = strlen("localhost:5000/a/b@" D);
	assert_int_equal(ref_format_pinned(out, n + 1, &r, &d), 0);
	assert_int_equal(ref_format_pinned(out, n, &r, &d), ERR_FORMAT);
	assert_int_equal(ref_format_pinned(out, sizeof(out), &r, NULL),
			 ERR_FORMAT);

	/* the pin replaces a tag and any digest of the reference */
	assert_int_equal(ref_parse(&r, "gcr.io/x:t@sha256:" HEX), 0);
	digest_of(&d, "", 0);
	assert_int_equal(ref_format_pinned(out, sizeof(out), &r, &d), 0);
	assert_string_equal(out, "gcr.io/x@sha256:e3b0c44298fc1c149afbf4c8996"
			    "fb92427ae41e4649b934ca495991b7852b855");
}

static void test_sigtag_for(void **state)
{
	struct digest d;
	char out[80];

	(void)state;
	assert_int_equal(digest_parse(&d, D), 0);
	memset(out, 'x', sizeof(out));
	sigtag_for(out, &d);
	assert_string_equal(out, "sha256-" HEX ".sig");
	assert_int_equal(strlen(out), 75);
	/* the tag is itself a valid tag */
	{
		struct image_ref r;
		char ref[200];

		snprintf(ref, sizeof(ref), "localhost/a:%s", out);
		assert_int_equal(ref_parse(&r, ref), 0);
		assert_string_equal(r.tag, out);
	}
}

/* ref_canonical_host, also on the host part of scope patterns. */
static void test_ref_canonical_host(void **state)
{
	static const char *const cases[][2] = {
		{ "REG.Example.com", "reg.example.com" },
		{ "reg.example.com:443", "reg.example.com" },
		{ "reg.example.com:00443", "reg.example.com" },
		{ "reg.example.com:80", "reg.example.com:80" },
		{ "reg.example.com:0080", "reg.example.com:80" },
		{ "LOCALHOST:5000", "localhost:5000" },
		{ "127.0.0.1:443", "127.0.0.1" },
		{ "[::1]:443", "[::1]" },
		{ "[0:0::1]:5000", "[::1]:5000" },
		{ "[::FFFF:7F00:1]", "[::ffff:7f00:1]" },	/* no dots */
		{ "index.docker.io", "docker.io" },
		{ "INDEX.docker.io:443", "docker.io" },
		{ "registry-1.docker.io", "docker.io" },
		{ "registry-1.docker.io:5000", "registry-1.docker.io:5000" },
		{ "docker.io", "docker.io" },
		/* scope patterns: wildcards stay */
		{ "*.EXAMPLE.com:443", "*.example.com" },
		{ "reg.example.com:*", "reg.example.com:*" },
		{ "**", "**" },
		{ "", "" },
	};
	char out[REF_HOST_MAX], small[8];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(ref_canonical_host(out, sizeof(out),
						    cases[i][0]), 0);
		if (strcmp(out, cases[i][1]) != 0)
			fail_msg("'%s': '%s', want '%s'", cases[i][0], out,
				 cases[i][1]);
		/* idempotent, and in place */
		assert_int_equal(ref_canonical_host(out, sizeof(out), out), 0);
		assert_string_equal(out, cases[i][1]);
	}
	assert_int_equal(ref_canonical_host(small, sizeof(small),
					    "reg.example.com"), ERR_FORMAT);
}

/* Docker Hub: docker.io in names, registry-1.docker.io on the wire
 * (issue 13). */
static void test_ref_endpoint(void **state)
{
	struct image_ref r;

	(void)state;
	assert_string_equal(ref_endpoint("docker.io"), "registry-1.docker.io");
	assert_string_equal(ref_endpoint("localhost:5000"), "localhost:5000");
	assert_string_equal(ref_endpoint("ghcr.io"), "ghcr.io");
	assert_int_equal(ref_parse(&r, "alpine"), 0);
	assert_string_equal(ref_endpoint(r.registry), "registry-1.docker.io");
	assert_int_equal(ref_parse(&r, "index.docker.io/library/alpine"), 0);
	assert_string_equal(ref_endpoint(r.registry), "registry-1.docker.io");
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* docker login keys Docker Hub "https://index.docker.io/v1/"; other
 * keys match by their canonical host. */
static void test_cred_keys(void **state)
{
	char dir[] = "/tmp/signet-test-cred-XXXXXX", path[64];
	struct cred c = { 0 };

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/config.json", dir);
	setenv("DOCKER_CONFIG", dir, 1);
	write_file(path, "{\"auths\":{"
		   "\"https://index.docker.io/v1/\":{\"auth\":\"aHViOnB3\"},"
		   "\"REG.example.com:443\":{\"auth\":\"cmVnOnB3\"}}}");
	assert_int_equal(cred_lookup(&c, "docker.io", 1000), 0);
	assert_non_null(c.basic);
	assert_string_equal(c.basic, "aHViOnB3");	/* hub:pw */
	cred_release(&c);
	assert_int_equal(cred_lookup(&c, "reg.example.com", 1000), 0);
	assert_non_null(c.basic);
	assert_string_equal(c.basic, "cmVnOnB3");	/* reg:pw */
	cred_release(&c);
	assert_int_equal(cred_lookup(&c, "registry-1.docker.io:5000", 1000), 0);
	assert_null(c.basic);

	/* a helper named for Hub's key is the one asked */
	write_file(path, "{\"credHelpers\":{\"https://index.docker.io/v1/\":"
		   "\"signet-test-absent\"}}");
	assert_int_equal(cred_lookup(&c, "docker.io", 1000), ERR_AUTH);
	assert_non_null(strstr(err_msg(), "docker-credential-signet-test-"
			       "absent"));
	assert_null(c.basic);
	assert_int_equal(cred_lookup(&c, "ghcr.io", 1000), 0);
	assert_null(c.basic);
	unlink(path);
	rmdir(dir);
	unsetenv("DOCKER_CONFIG");
}

/* SIGNET_TEST_CONNECT_TO: with SIGNET_DEBUG only, to loopback only. */
static void test_test_routes(void **state)
{
	static const char *const bad[] = {
		"registry-1.docker.io:443:192.0.2.1:443",	/* elsewhere */
		"registry-1.docker.io:443:localhost:5000",	/* a name */
		"registry-1.docker.io:443:127.0.0.1",
		"registry-1.docker.io::127.0.0.1:5000",
		":443:127.0.0.1:5000",
		"a:443:127.0.0.1:5000:6",
		"a:443:127.0.0.1:5x00",
		"a:1:127.0.0.1:1,b:1:127.0.0.1:1,c:1:127.0.0.1:1,"
		"d:1:127.0.0.1:1,e:1:127.0.0.1:1",		/* over 4 */
	};
	struct curl_slist *l = (void *)1;
	size_t i;

	(void)state;
	setenv("SIGNET_TEST_CONNECT_TO", "registry-1.docker.io:443:"
	       "127.0.0.1:5000", 1);
	unsetenv("SIGNET_DEBUG");
	assert_int_equal(http_test_routes(&l), 0);
	assert_null(l);			/* ignored without SIGNET_DEBUG */
	setenv("SIGNET_DEBUG", "0", 1);
	assert_int_equal(http_test_routes(&l), 0);
	assert_null(l);
	setenv("SIGNET_DEBUG", "1", 1);
	assert_int_equal(http_test_routes(&l), 0);
	assert_non_null(l);
	assert_string_equal(l->data, "registry-1.docker.io:443:127.0.0.1:5000");
	assert_null(l->next);
	curl_slist_free_all(l);
	setenv("SIGNET_TEST_CONNECT_TO", "a:443:127.0.0.2:1,b:443:127.1.2.3:2",
	       1);
	assert_int_equal(http_test_routes(&l), 0);
	assert_non_null(l);
	assert_non_null(l->next);
	curl_slist_free_all(l);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("SIGNET_TEST_CONNECT_TO", bad[i], 1);
		if (http_test_routes(&l) != ERR_USAGE)
			fail_msg("route '%s' taken", bad[i]);
		assert_null(l);
	}
	unsetenv("SIGNET_TEST_CONNECT_TO");
	unsetenv("SIGNET_DEBUG");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ref_parse_table),
		cmocka_unit_test(test_ref_parse_null),
		cmocka_unit_test(test_ref_error_sanitized),
		cmocka_unit_test(test_ref_normalize_table),
		cmocka_unit_test(test_ref_normalize_agrees),
		cmocka_unit_test(test_ref_format),
		cmocka_unit_test(test_sigtag_for),
		cmocka_unit_test(test_ref_canonical_host),
		cmocka_unit_test(test_ref_endpoint),
		cmocka_unit_test(test_cred_keys),
		cmocka_unit_test(test_test_routes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
