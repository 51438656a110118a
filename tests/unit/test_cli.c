/* test_cli.c - the commands' shared option handling (cli/options.c) and
 * verify's option rules, linked from libsignet-cli.a. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../cli/cli.h"

static void test_parse_duration(void **state)
{
	static const struct {
		const char *s;
		long want;		/* -1: refused */
	} cases[] = {
		{ "90", 90 }, { "90s", 90 }, { "30m", 1800 }, { "24h", 86400 },
		{ "7d", 604800 }, { "36500d", 36500L * 86400 },
		{ "0", -1 }, { "-5m", -1 }, { "", -1 }, { "m", -1 },
		{ "5x", -1 }, { "5mm", -1 }, { "36501d", -1 },
	};
	size_t i;
	long v;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = 0;
		if (cases[i].want < 0) {
			assert_int_equal(cli_parse_duration(&v, cases[i].s),
					 -1);
			continue;
		}
		assert_int_equal(cli_parse_duration(&v, cases[i].s), 0);
		assert_int_equal(v, cases[i].want);
	}
}

/* Parse @words (NULL-terminated, the command name first) as @mode; the
 * result of cli_verify_args_parse. */
static int parse(enum cli_verify_mode mode, char **words)
{
	static const struct cli_cmd self = { "verify", NULL, "", "usage",
					     "page" };
	struct cli_verify_args va = { 0 };
	int argc = 0, r;

	while (words[argc])
		argc++;
	optind = 0;	/* glibc: start over */
	opterr = 0;
	r = cli_verify_args_parse(&va, &self, mode, argc, words);
	cli_verify_args_release(&va);
	return r;
}

/* Options that do not go together are usage errors (2) before anything
 * is read or fetched. */
static void test_verify_rules(void **state)
{
	char *ok[] = { "verify", "img", NULL };
	char *none[] = { "verify", NULL };
	char *ann[] = { "verify", "-a", "k=v", "img", NULL };
	char *fmt[] = { "verify", "--format", "cosign", "img", NULL };
	char *badfmt[] = { "verify", "--format", "x", "img", NULL };
	char *listpol[] = { "list", "--policy", "p", "img", NULL };
	char *runjson[] = { "run", "--json", "--", "docker", "run", "i",
			    NULL };
	char *runstop[] = { "run", "--", "docker", "run", "--rm", "i",
			    NULL };
	char *unknown[] = { "verify", "--frob", "img", NULL };
	int saved = dup(STDERR_FILENO);

	(void)state;
	/* the usage errors would clutter the test's output */
	assert_non_null(freopen("/dev/null", "w", stderr));
	assert_int_equal(parse(CLI_MODE_VERIFY, ok), -1);
	assert_int_equal(parse(CLI_MODE_LIST, ok), -1);
	assert_int_equal(parse(CLI_MODE_VERIFY, none), 2);
	assert_int_equal(parse(CLI_MODE_VERIFY, ann), 2);
	assert_int_equal(parse(CLI_MODE_VERIFY, fmt), 2);
	assert_int_equal(parse(CLI_MODE_VERIFY, badfmt), 2);
	assert_int_equal(parse(CLI_MODE_LIST, listpol), 2);
	assert_int_equal(parse(CLI_MODE_RUN, runjson), 2);
	assert_int_equal(parse(CLI_MODE_RUN, runstop), -1);
	assert_int_equal(parse(CLI_MODE_VERIFY, unknown), 2);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_verify_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
