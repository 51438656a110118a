/* test_run.c - finding IMAGE in docker command lines (signet run). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../core/core.h"
#include "../../cli/cli.h"

#define MAXW 24

struct run_case {
	const char *line;	/* words separated by single spaces */
	int image;		/* index of IMAGE, or -1: refused */
	const char *why;	/* part of the message when refused */
};

#define OK(line, at) { line, at, NULL }
#define BAD(line, why) { line, -1, why }

static const struct run_case cases[] = {
	/* plain */
	OK("docker run img", 2),
	OK("docker run img echo hi", 2),
	OK("docker create img", 2),
	OK("docker pull img", 2),
	OK("docker pull 127.0.0.1:5000/a/b:1", 2),
	OK("/usr/bin/docker run img", 2),
	OK("./docker run img", 2),
	OK("docker container run img", 3),
	OK("docker container create img", 3),
	OK("docker image pull img", 3),
	/* booleans take no value */
	OK("docker run --rm img", 3),
	OK("docker run --rm -d img cmd", 4),
	OK("docker run -i -t img", 4),
	OK("docker run --init --privileged --read-only img", 5),
	OK("docker run --detach --interactive --tty img", 5),
	OK("docker run --publish-all --no-healthcheck img", 4),
	OK("docker run --oom-kill-disable --disable-content-trust img", 4),
	OK("docker run -P -q img", 4),
	OK("docker run --sig-proxy img", 3),
	OK("docker run --use-api-socket img", 3),
	OK("docker create --rm --tty img", 4),
	OK("docker pull -q img", 3),
	OK("docker pull --quiet --disable-content-trust img", 4),
	/* "--rm false": false is IMAGE, as pflag reads it */
	OK("docker run --rm false", 3),
	/* combined short booleans */
	OK("docker run -it img sh", 3),
	OK("docker run -dit img", 3),
	OK("docker run -itd --rm img", 4),
	OK("docker run -tiP img", 3),
	/* a value-taking shorthand ends a group */
	OK("docker run -itp 80:80 img", 4),
	OK("docker run -itp80:80 img", 3),
	OK("docker run -dp 8080:80 img", 4),
	OK("docker run -e A=1 img", 4),
	OK("docker run -eA=1 img", 3),
	OK("docker run -e=A=1 img", 3),
	OK("docker run -d=false img", 3),
	OK("docker run -t=true -i img", 4),
	/* options with values, both spellings */
	OK("docker run --name web img", 4),
	OK("docker run --name=web img", 3),
	OK("docker run -v /a:/b -v /c:/d img", 6),
	OK("docker run --env-file f --label a=b -l c=d img", 8),
	OK("docker run -a stdout img", 4),
	OK("docker run --attach stdout --attach stderr img", 6),
	OK("docker run -h host img", 4),
	OK("docker run --hostname=host img", 3),
	OK("docker run -u 1000:1000 -w /tmp img", 6),
	OK("docker run -m 64m -c 512 img", 6),
	OK("docker run --entrypoint /bin/sh img -c true", 4),
	OK("docker run --platform linux/amd64 --pull always img", 6),
	OK("docker run --network host --ip 10.0.0.2 img", 6),
	OK("docker run --restart=always --rm=false img", 4),
	OK("docker run --mount type=tmpfs,dst=/x img", 4),
	OK("docker run --health-cmd true --health-interval 5s img", 6),
	OK("docker run --annotation a=b img", 4),
	OK("docker run --net host --net-alias x --dns-opt y img", 8),
	OK("docker run --detach-keys ctrl-x img", 4),
	OK("docker create --name c --pull=never img", 5),
	OK("docker pull --platform linux/arm64 img", 4),
	/* an option value that looks like IMAGE is still a value */
	OK("docker run --name img other", 4),
	OK("docker run -e img img2", 4),
	/* an option value that looks like an option too */
	OK("docker run --entrypoint --rm img", 4),
	OK("docker run -w -it img", 4),
	/* unknown options in one word are skipped whole */
	OK("docker run --some-new-flag=1 img", 3),
	OK("docker run --some-new-flag=true --rm img", 4),
	/* options after IMAGE belong to the container */
	OK("docker run img --rm -it", 2),
	OK("docker run --rm img --unknown x", 3),
	/* "--" ends the options */
	OK("docker run -- img", 3),
	OK("docker run --rm -- -img", 4),
	/* docker's global options come first */
	OK("docker --context ctx run img", 4),
	OK("docker -c ctx run img", 4),
	OK("docker -H unix:///x.sock -D run img", 5),
	OK("docker --host=tcp://h:2376 --tlsverify pull img", 4),
	OK("docker --config /tmp/cfg -l debug container run img", 7),
	OK("docker --tls --tlscacert ca --tlscert c --tlskey k run img", 9),
	OK("docker -Dl debug run img", 4),

	/* refused */
	BAD("dockerd run img", "start with 'docker'"),
	BAD("podman run img", "start with 'docker'"),
	BAD("sh -c docker", "start with 'docker'"),
	BAD("docker", "unknown docker command ''"),
	BAD("docker ps", "unknown docker command 'ps'"),
	BAD("docker start img", "unknown docker command 'start'"),
	BAD("docker exec c ls", "unknown docker command 'exec'"),
	BAD("docker build .", "unknown docker command 'build'"),
	BAD("docker push img", "unknown docker command 'push'"),
	BAD("docker container ls", "unknown docker command"),
	BAD("docker image run img", "unknown docker command"),
	BAD("docker container pull img", "unknown docker command"),
	BAD("docker RUN img", "unknown docker command 'RUN'"),
	BAD("docker run", "no IMAGE"),
	BAD("docker run --rm", "no IMAGE"),
	BAD("docker run --rm --", "no IMAGE"),
	BAD("docker run --name", "needs a value"),
	BAD("docker run -e", "needs a value"),
	BAD("docker run -ite", "needs a value"),
	BAD("docker --context", "needs a value"),
	BAD("docker run --new-flag img", "'--new-flag' is not one signet"),
	BAD("docker run -Z img", "'-Z' is not one signet"),
	BAD("docker run -itZ img", "'-Z' is not one signet"),
	BAD("docker run --all-tags img", "'--all-tags' is not one"),
	BAD("docker run --detach-keys", "needs a value"),
	BAD("docker create -d img", "'-d' is not one signet"),
	BAD("docker create --sig-proxy img", "'--sig-proxy' is not one"),
	BAD("docker pull --rm img", "'--rm' is not one signet"),
	BAD("docker pull -a img", "--all-tags cannot be verified"),
	BAD("docker pull --all-tags img", "--all-tags cannot be verified"),
	BAD("docker pull -qa img", "--all-tags cannot be verified"),
	BAD("docker run --help", "nothing to verify"),
	BAD("docker pull -h", "nothing to verify"),
	BAD("docker --help run img", "nothing to verify"),
	BAD("docker --nope run img", "docker option '--nope'"),
	BAD("docker -- run img", "no docker command"),
	BAD("docker --rm run img", "'--rm' is not one signet"),
};

static int split(char **words, char *line)
{
	int n = 0;
	char *p = line;

	if (!*line)
		return 0;
	words[n++] = p;
	while ((p = strchr(p, ' ')) && n < MAXW) {
		*p++ = '\0';
		words[n++] = p;
	}
	return n;
}

static void test_find_image(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct run_case *c = &cases[i];
		char line[512], *words[MAXW];
		size_t at = 9999;
		int n, rc;

		snprintf(line, sizeof(line), "%s", c->line);
		n = split(words, line);
		err_clear();
		rc = docker_find_image(&at, n, words);
		if (c->image >= 0) {
			if (rc != 0 || at != (size_t)c->image)
				fail_msg("'%s': want IMAGE at %d, got rc %d, "
					 "at %zu (%s)", c->line, c->image, rc,
					 at, err_msg());
		} else {
			if (rc != ERR_USAGE)
				fail_msg("'%s': want ERR_USAGE, got %d "
					 "(at %zu)", c->line, rc, at);
			if (!strstr(err_msg(), c->why))
				fail_msg("'%s': message '%s' lacks '%s'",
					 c->line, err_msg(), c->why);
			if (at != 9999)
				fail_msg("'%s': out set on failure", c->line);
		}
	}
}

/* No argv at all, and an empty first word. */
static void test_edges(void **state)
{
	char *empty[] = { (char *)"", NULL };
	char *img[] = { (char *)"docker", (char *)"run", (char *)"", NULL };
	size_t at;

	(void)state;
	assert_int_equal(docker_find_image(&at, 0, empty), ERR_USAGE);
	assert_int_equal(docker_find_image(&at, 1, empty), ERR_USAGE);
	assert_int_equal(docker_find_image(&at, 3, img), ERR_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_image),
		cmocka_unit_test(test_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
