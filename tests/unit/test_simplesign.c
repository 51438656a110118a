/* test_simplesign.c - cosign simple-signing payloads: build, strict parse. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../formats/formats.h"

#define D1 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void build_matches_cosign_bytes(void **state)
{
	struct digest d;
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(digest_parse(&d, D1), 0);
	assert_int_equal(simplesign_build(&b, "reg.example/app", &d, NULL), 0);
	/* exactly what cosign writes for an unannotated signature */
	assert_string_equal((char *)b.data,
		"{\"critical\":{\"identity\":{\"docker-reference\":"
		"\"reg.example/app\"},\"image\":{\"docker-manifest-digest\":\""
		D1 "\"},\"type\":\"cosign container image signature\"},"
		"\"optional\":null}");
	buf_release(&b);
}

static void build_with_annotations_round_trips(void **state)
{
	struct kvlist ann = { 0 };
	struct simplesign p;
	struct digest d;
	struct buf b;
	const char *missing = NULL;

	(void)state;
	buf_init(&b, 0);
	digest_parse(&d, D1);
	assert_int_equal(kvlist_add_arg(&ann, "env=prod"), 0);
	assert_int_equal(kvlist_add_arg(&ann, "build=42"), 0);
	assert_int_equal(simplesign_build(&b, "r/a", &d, &ann), 0);
	assert_int_equal(simplesign_parse(&p, b.data, b.len), 0);
	assert_string_equal(p.docker_ref, "r/a");
	assert_true(digest_eq(&p.image, &d));
	assert_non_null(p.optional);
	assert_true(kvlist_matched_by(&ann, p.optional, &missing));
	simplesign_release(&p);
	kvlist_release(&ann);
	buf_release(&b);
}

struct parse_case {
	const char *name;
	const char *json;
	int rc;
};

#define CRIT(ident, img, type) \
	"{\"critical\":{\"identity\":" ident ",\"image\":" img \
	",\"type\":" type "}"
#define ID "{\"docker-reference\":\"r/a\"}"
#define IMG "{\"docker-manifest-digest\":\"" D1 "\"}"
#define TYPE "\"cosign container image signature\""

static const struct parse_case cases[] = {
	{ "minimal", CRIT(ID, IMG, TYPE) "}", 0 },
	{ "optional null", CRIT(ID, IMG, TYPE) ",\"optional\":null}", 0 },
	{ "containers/image extras", CRIT(ID, IMG, TYPE)
	  ",\"optional\":{\"creator\":\"x\",\"timestamp\":1}}", 0 },
	{ "wrong type", CRIT(ID, IMG, "\"other\"") "}", ERR_FORMAT },
	{ "type not string", CRIT(ID, IMG, "1") "}", ERR_FORMAT },
	{ "unknown critical member", "{\"critical\":{\"identity\":" ID
	  ",\"image\":" IMG ",\"type\":" TYPE ",\"x\":1}}", ERR_FORMAT },
	{ "unknown top member", CRIT(ID, IMG, TYPE) ",\"x\":1}", ERR_FORMAT },
	{ "unknown identity member",
	  CRIT("{\"docker-reference\":\"r/a\",\"x\":1}", IMG, TYPE) "}",
	  ERR_FORMAT },
	{ "missing identity", "{\"critical\":{\"image\":" IMG ",\"type\":"
	  TYPE "}}", ERR_FORMAT },
	{ "bad digest", CRIT(ID, "{\"docker-manifest-digest\":\"sha256:12\"}",
			     TYPE) "}", ERR_FORMAT },
	{ "uppercase digest", CRIT(ID, "{\"docker-manifest-digest\":\"sha256:"
	  "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef\"}",
	  TYPE) "}", ERR_FORMAT },
	{ "optional is a string", CRIT(ID, IMG, TYPE) ",\"optional\":\"x\"}",
	  ERR_FORMAT },
	{ "duplicate key", "{\"critical\":{\"identity\":" ID ",\"image\":" IMG
	  ",\"type\":" TYPE ",\"type\":" TYPE "}}", ERR_FORMAT },
	{ "duplicate digest key", CRIT(ID, "{\"docker-manifest-digest\":\"" D1
	  "\",\"docker-manifest-digest\":\"" D1 "\"}", TYPE) "}", ERR_FORMAT },
	{ "array", "[]", ERR_FORMAT },
	{ "not json", "critical", ERR_FORMAT },
	{ "trailing junk", CRIT(ID, IMG, TYPE) "}x", ERR_FORMAT },
};

static void parse_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct simplesign p;
		int rc = simplesign_parse(&p, cases[i].json,
					  strlen(cases[i].json));

		if (rc != cases[i].rc)
			fail_msg("case '%s': got %d, want %d (%s)",
				 cases[i].name, rc, cases[i].rc, err_msg());
		if (rc == 0)
			simplesign_release(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(build_matches_cosign_bytes),
		cmocka_unit_test(build_with_annotations_round_trips),
		cmocka_unit_test(parse_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
