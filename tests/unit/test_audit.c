/* test_audit.c - the pure parts of signet audit: which tags are not
 * images, which repositories --repo selects, platform names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../verify/verify.h"

#define HEX "0123456789abcdef0123456789abcdef" \
	    "0123456789abcdef0123456789abcdef"

static const struct {
	const char *tag;
	bool skip;
} tag_cases[] = {
	/* cosign's and notation's own artifacts */
	{ "sha256-" HEX ".sig", true },
	{ "sha256-" HEX ".att", true },
	{ "sha256-" HEX ".sbom", true },
	{ "sha256-" HEX, true },		/* referrers tag index */
	/* images, however close */
	{ "latest", false },
	{ "v1.sig", false },
	{ "release.att", false },
	{ "x.sbom", false },
	{ "sha256-", false },
	{ "sha256-" HEX "0", false },		/* 65 hex digits */
	{ "sha256-0123456789abcdef.sig", false },	/* too short */
	{ "sha256-" "0123456789ABCDEF0123456789ABCDEF"
	  "0123456789ABCDEF0123456789ABCDEF" ".sig", false },	/* upper */
	{ "sha256-" HEX ".sig2", false },
	{ "sha256-" HEX ".sigx", false },
	{ "sha256-" HEX ".", false },
	{ "sha512-" HEX ".sig", false },
	{ "xsha256-" HEX ".sig", false },
	{ "", false },
};

static void test_skip_tag(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tag_cases) / sizeof(tag_cases[0]); i++) {
		if (audit_skip_tag(tag_cases[i].tag) != tag_cases[i].skip)
			fail_msg("audit_skip_tag(\"%s\") should be %s",
				 tag_cases[i].tag,
				 tag_cases[i].skip ? "true" : "false");
	}
}

static const struct {
	const char *glob;
	const char *repo;
	bool match;
} glob_cases[] = {
	{ "app", "app", true },
	{ "app", "app2", false },
	{ "app", "team/app", false },
	{ "team/*", "team/app", true },
	{ "team/*", "team/app/sub", false },	/* '*' within an element */
	{ "team/*", "team", false },
	{ "team/**", "team/app/sub", true },	/* '**' crosses them */
	{ "team/**", "teams/app", false },
	{ "*", "app", true },
	{ "*", "team/app", false },
	{ "**", "team/app", true },
	{ "*/app", "team/app", true },
	{ "**/app", "a/b/c/app", true },
	{ "**/app", "a/b/c/app2", false },
	{ "te*", "team", true },
	{ "te*", "team/shared", false },
	{ "te**", "team/shared", true },
	{ "a*b*c", "axxbyyc", true },
	{ "a*b*c", "axxbyy", false },
	{ "?", "a", false },			/* only '*' is special */
	{ "?", "?", true },
	{ "", "", true },
	{ "", "a", false },
};

static void test_repo_globs(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(glob_cases) / sizeof(glob_cases[0]); i++) {
		const char *g[] = { glob_cases[i].glob };

		if (audit_repo_selected(g, 1, glob_cases[i].repo) !=
		    glob_cases[i].match)
			fail_msg("--repo '%s' on '%s' should %smatch",
				 glob_cases[i].glob, glob_cases[i].repo,
				 glob_cases[i].match ? "" : "not ");
	}
}

static void test_repo_globs_several(void **state)
{
	const char *g[] = { "team/*", "app" };

	(void)state;
	assert_true(audit_repo_selected(NULL, 0, "anything/at/all"));
	assert_true(audit_repo_selected(g, 2, "app"));
	assert_true(audit_repo_selected(g, 2, "team/x"));
	assert_false(audit_repo_selected(g, 2, "other"));
	assert_false(audit_repo_selected(g, 1, "app"));
}

static void platform_of(char *out, size_t n, const char *json)
{
	json_t *d = json_loads(json, 0, NULL);

	assert_non_null(d);
	audit_platform(out, n, d);
	json_decref(d);
}

static void test_platform(void **state)
{
	char p[64];

	(void)state;
	platform_of(p, sizeof(p), "{\"platform\":{\"os\":\"linux\","
		    "\"architecture\":\"amd64\"}}");
	assert_string_equal(p, "linux/amd64");
	platform_of(p, sizeof(p), "{\"platform\":{\"os\":\"linux\","
		    "\"architecture\":\"arm64\",\"variant\":\"v8\"}}");
	assert_string_equal(p, "linux/arm64/v8");
	platform_of(p, sizeof(p), "{\"digest\":\"x\"}");
	assert_string_equal(p, "");
	platform_of(p, sizeof(p), "{\"platform\":{\"os\":\"linux\"}}");
	assert_string_equal(p, "");
	platform_of(p, sizeof(p), "{\"platform\":{\"os\":7,"
		    "\"architecture\":\"amd64\"}}");
	assert_string_equal(p, "");
	/* registry data: no escape sequence reaches a terminal */
	platform_of(p, sizeof(p), "{\"platform\":{\"os\":\"li\\u001b[2Jnux\","
		    "\"architecture\":\"amd64\"}}");
	assert_null(strchr(p, '\033'));
	/* bounded */
	platform_of(p, 8, "{\"platform\":{\"os\":\"linux\","
		    "\"architecture\":\"amd64\"}}");
	assert_true(strlen(p) < 8);
}

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(audit_status_name(AUDIT_SIGNED), "signed");
	assert_string_equal(audit_status_name(AUDIT_UNSIGNED), "unsigned");
	assert_string_equal(audit_status_name(AUDIT_INVALID), "invalid");
	assert_string_equal(audit_status_name(AUDIT_ERROR), "error");
}

/* The checks before any request: a registry name, keys or a policy. */
static void test_refuses_before_walking(void **state)
{
	struct audit_totals t;
	struct audit_opts o = { 0 };
	struct verify_opts none = { 0 };

	(void)state;
	o.registry = "127.0.0.1:1";
	o.verify = &none;
	assert_int_equal(audit_registry(&o, &t), ERR_USAGE);
	assert_non_null(strstr(err_msg(), "keys or a policy"));
	assert_int_equal(t.images, 0);
	o.jobs = 65;
	assert_int_equal(audit_registry(&o, &t), ERR_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_skip_tag),
		cmocka_unit_test(test_repo_globs),
		cmocka_unit_test(test_repo_globs_several),
		cmocka_unit_test(test_platform),
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_refuses_before_walking),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
