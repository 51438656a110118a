/* test_attach.c - the attachment budget: how many referrers that are no
 * signature are looked at and recorded, and the one warning past it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../verify/internal.h"

/* With a signature cap of 2, 20 attachments are recorded and fetched;
 * the 21st of each is not, and one warning says so. */
static void budget_and_cap(void **state)
{
	struct verify_opts o = { .max_signatures = 2 };
	struct verify_result r = { 0 };
	struct attachment a = { .kind = ATTACH_SBOM, .where = "referrer" };
	size_t i;

	(void)state;
	for (i = 0; i < 25; i++)
		assert_int_equal(attach_add(&r, &a, &o), 0);
	assert_int_equal(r.n_atts, 2 * VERIFY_ATTACH_FACTOR);
	assert_int_equal(r.n_warnings, 1);
	for (i = 0; i < 2 * VERIFY_ATTACH_FACTOR; i++) {
		assert_true(attach_budget(&r, &o));
		r.n_fetched++;
	}
	assert_false(attach_budget(&r, &o));
	assert_false(attach_budget(&r, &o));
	assert_int_equal(r.n_warnings, 1);	/* said once */
	assert_non_null(strstr(r.warnings[0], "more than 20 attachments"));
	verify_result_release(&r);
}

/* Warnings are sanitised and at most VERIFY_WARNINGS_MAX are kept. */
static void warnings_kept(void **state)
{
	struct verify_result r = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < VERIFY_WARNINGS_MAX + 3; i++)
		verify_warn(&r, "w%zu \033[2J", i);
	assert_int_equal(r.n_warnings, VERIFY_WARNINGS_MAX);
	assert_null(strchr(r.warnings[0], '\033'));
	verify_result_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(budget_and_cap),
		cmocka_unit_test(warnings_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
