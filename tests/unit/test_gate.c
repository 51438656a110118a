/* test_gate.c - which Docker API requests the gate judges, and how it
 * reads them (gate/request.c), as a table; the AuthZReq reader; the log
 * line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../core/core.h"
#include "../../gate/gate.h"

struct gate_case {
	const char *method, *uri, *ctype;
	const char *body;		/* NULL: none sent */
	enum gate_kind kind;
	const char *image;		/* the name judged, or the reason's
					 * words when refused */
};

#define J "application/json"

static const struct gate_case cases[] = {
	/* what passes */
	{ "GET", "/v1.41/containers/json", NULL, NULL, GATE_PASS, "" },
	{ "GET", "/v1.41/images/x/json", NULL, NULL, GATE_PASS, "" },
	{ "POST", "/v1.41/containers/x/stop", NULL, NULL, GATE_PASS, "" },
	{ "POST", "/v1.41/containers/x/kill", NULL, NULL, GATE_PASS, "" },
	{ "POST", "/v1.41/images/x/tag?repo=y", NULL, NULL, GATE_PASS, "" },
	{ "POST", "/v1.41/images/load", NULL, NULL, GATE_PASS, "" },
	{ "POST", "/v1.41/build", NULL, NULL, GATE_PASS, "" },
	{ "POST", "/v1.41/images/create?fromSrc=-&repo=x", NULL, NULL,
	  GATE_PASS, "" },
	{ "DELETE", "/v1.41/containers/create", NULL, NULL, GATE_PASS, "" },
	{ "POST", "/v1.41/containers/create/x", J, "{}", GATE_PASS, "" },
	{ "POST", "/v/containers/create", J, "{}", GATE_PASS, "" },
	/* container create, any version prefix or none */
	{ "POST", "/v1.41/containers/create", J, "{\"Image\":\"app:1\"}",
	  GATE_CREATE, "app:1" },
	{ "POST", "/containers/create?name=web", J,
	  "{\"Image\":\"r.example/a/b@sha256:" "0123456789abcdef0123456789"
	  "abcdef0123456789abcdef0123456789abcdef\"}", GATE_CREATE,
	  "r.example/a/b@sha256:0123456789abcdef0123456789abcdef0123456789"
	  "abcdef0123456789abcdef" },
	{ "post", "/v1.47/containers/create", J, "{\"image\":\"x\"}",
	  GATE_CREATE, "x" },
	/* read as dockerd's router reads the path */
	{ "POST", "/v1.41/containers/cr%65ate", J, "{\"Image\":\"x\"}",
	  GATE_CREATE, "x" },
	{ "POST", "//v1.41/./containers/create", J, "{\"Image\":\"x\"}",
	  GATE_CREATE, "x" },
	{ "POST", "/v1.41/images/../containers/create", J,
	  "{\"Image\":\"x\"}", GATE_CREATE, "x" },
	{ "POST", "/v1.41/containers/create%", J, "{\"Image\":\"x\"}",
	  GATE_REFUSE, "path" },
	/* absolute form: dockerd routes it by its path */
	{ "POST", "http://docker/v1.41/containers/x/start", NULL, NULL,
	  GATE_REFUSE, "not a path" },
	{ "POST", "x:/containers/create", J, "{\"Image\":\"x\"}",
	  GATE_REFUSE, "not a path" },
	{ "POST", "*", NULL, NULL, GATE_REFUSE, "not a path" },
	/* create bodies that cannot be judged */
	{ "POST", "/containers/create", NULL, NULL, GATE_REFUSE,
	  "no container config" },
	{ "POST", "/containers/create", J, "{\"Image\":1}", GATE_REFUSE,
	  "names no image" },
	{ "POST", "/containers/create", J, "{}", GATE_REFUSE,
	  "names no image" },
	{ "POST", "/containers/create", J, "{\"Image\":\"\"}", GATE_REFUSE,
	  "names no image" },
	{ "POST", "/containers/create", J, "[]", GATE_REFUSE,
	  "names no image" },
	{ "POST", "/containers/create", J, "{\"Image\":\"a\",\"IMAGE\":\"b\"}",
	  GATE_REFUSE, "2 times" },
	{ "POST", "/containers/create", J, "{\"Image\":\"a\",\"Image\":\"b\"}",
	  GATE_REFUSE, "duplicate" },
	{ "POST", "/containers/create", J, "{\"Image\":", GATE_REFUSE,
	  "container config" },
	/* start and restart: the container */
	{ "POST", "/v1.41/containers/web/start", NULL, NULL, GATE_START,
	  "web" },
	{ "POST", "/containers/0123abcd/restart?t=1", NULL, NULL, GATE_START,
	  "0123abcd" },
	/* dockerd's route is {name:.*}: a link's name "web/db" names db */
	{ "POST", "/v1.41/containers/web%2fx/start", NULL, NULL, GATE_START,
	  "web/x" },
	{ "POST", "/v1.41/containers/a/b/start", NULL, NULL, GATE_START,
	  "a/b" },
	{ "POST", "/containers/a/start/restart", NULL, NULL, GATE_START,
	  "a/start" },
	/* pulls: fromImage, with tag= a tag or a digest */
	{ "POST", "/v1.41/images/create?fromImage=app&tag=1", NULL, NULL,
	  GATE_PULL, "app:1" },
	{ "POST", "/v1.41/images/create?tag=1&fromImage=r%3A5000%2Fa%2Fb",
	  NULL, NULL, GATE_PULL, "r:5000/a/b:1" },
	{ "POST", "/images/create?fromImage=app:2&tag=3", NULL, NULL,
	  GATE_PULL, "app:3" },
	{ "POST", "/images/create?fromImage=app:2", NULL, NULL, GATE_PULL,
	  "app:2" },
	{ "POST", "/images/create?fromImage=r:5000/app&tag=sha256%3A"
	  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	  NULL, NULL, GATE_PULL, "r:5000/app@sha256:0123456789abcdef012345"
	  "6789abcdef0123456789abcdef0123456789abcdef" },
	{ "POST", "/images/create?fromImage=a&fromImage=b&tag=1", NULL, NULL,
	  GATE_PULL, "a:1" },
	{ "POST", "/images/create?fromImage=r:5000/app", NULL, NULL,
	  GATE_REFUSE, "every tag" },
	{ "POST", "/images/create?fromImage=app&tag=", NULL, NULL,
	  GATE_REFUSE, "every tag" },
	{ "POST", "/images/create?fromImage=a@sha256:0123456789abcdef0123456"
	  "789abcdef0123456789abcdef0123456789abcdef&tag=1", NULL, NULL,
	  GATE_REFUSE, "both a digest" },
	{ "POST", "/images/create?fromImage=app&tag=1;x=y", NULL, NULL,
	  GATE_REFUSE, "query" },
	{ "POST", "/images/create?fromImage=app%zz&tag=1", NULL, NULL,
	  GATE_REFUSE, "query" },
	{ "POST", "/images/create?fromImage=app&tag=1",
	  "application/x-www-form-urlencoded", NULL, GATE_REFUSE, "form" },
};

static void test_classify(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct gate_case *c = &cases[i];
		struct gate_request r;

		gate_classify(&r, c->method, c->uri, c->ctype, c->body,
			      c->body ? strlen(c->body) : 0);
		if (r.kind != c->kind)
			fail_msg("%s %s: want %s, got %s (%s)", c->method,
				 c->uri, gate_kind_name(c->kind),
				 gate_kind_name(r.kind), r.reason);
		if (c->kind == GATE_REFUSE && !strstr(r.reason, c->image))
			fail_msg("%s %s: reason '%s' lacks '%s'", c->method,
				 c->uri, r.reason, c->image);
		if (c->kind != GATE_REFUSE && strcmp(r.image, c->image) != 0)
			fail_msg("%s %s: want image '%s', got '%s'",
				 c->method, c->uri, c->image, r.image);
	}
}

static void test_authz_parse(void **state)
{
	static const char ok[] = "{\"User\":\"bob\",\"RequestMethod\":\"POST\","
		"\"RequestUri\":\"/containers/create\",\"RequestHeaders\":"
		"{\"content-type\":\"application/json\"},\"RequestBody\":"
		"\"eyJJbWFnZSI6IngifQ==\"}";
	struct gate_authz a;

	(void)state;
	assert_int_equal(gate_authz_parse(&a, ok, strlen(ok)), 0);
	assert_string_equal(a.user, "bob");
	assert_string_equal(a.method, "POST");
	assert_string_equal(a.content_type, "application/json");
	assert_true(a.has_body);
	assert_string_equal((char *)a.body.data, "{\"Image\":\"x\"}");
	gate_authz_release(&a);
	assert_int_equal(gate_authz_parse(&a, "{}", 2), ERR_FORMAT);
	gate_authz_release(&a);
	assert_int_equal(gate_authz_parse(&a, "{\"RequestMethod\":\"GET\","
		"\"RequestUri\":\"/\",\"RequestBody\":\"!!\"}", 50), ERR_FORMAT);
	gate_authz_release(&a);
}

static void test_log_line(void **state)
{
	struct gate_authz a = { .user = "u\n", .method = "POST",
				.uri = "/containers/create" };
	struct gate_request r = { .kind = GATE_CREATE };
	struct gate_verdict v = { .allow = false, .image = "x\x1b",
				  .reason = "no" };
	char *line;

	(void)state;
	line = gate_log_line(&a, &r, &v, 0);
	assert_non_null(line);
	assert_string_equal(line, "{\"time\":\"1970-01-01T00:00:00Z\","
		"\"user\":\"u\\n\",\"request\":\"POST /containers/create\","
		"\"kind\":\"create\",\"image\":\"x\\u001B\",\"digest\":\"\","
		"\"verdict\":\"deny\",\"reason\":\"no\",\"cached\":false}");
	free(line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_authz_parse),
		cmocka_unit_test(test_log_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
