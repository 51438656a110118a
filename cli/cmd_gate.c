/*
 * cmd_gate.c - signet gate: serve Docker's authorization plugin protocol,
 * so that dockerd pulls and runs only images the trust policy trusts. The
 * work is in gate/.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "../gate/gate.h"

const char cmd_gate_usage[] =
	"signet gate [--policy FILE] [--socket PATH] [--docker-host URL] "
	"[--log FILE] [--cache-ttl SECONDS] [options]";

#define GATE_SOCKET "/run/docker/plugins/signet.sock"
#define GATE_DOCKER "unix:///var/run/docker.sock"
#define GATE_TTL 300

enum { OPT_SOCKET = 1100, OPT_DOCKER_HOST, OPT_LOG, OPT_CACHE_TTL };

struct gate_args {
	struct cli_common c;
	const char *policy_file;
	const char *socket;
	const char *docker_host;
	const char *log_file;
	long ttl;
};

static int gate_opt(const struct cli_cmd *self, struct gate_args *ga,
		    int opt, char **argv)
{
	switch (opt) {
	case OPT_POLICY:
		ga->policy_file = optarg;
		return -1;
	case OPT_SOCKET:
		ga->socket = optarg;
		return -1;
	case OPT_DOCKER_HOST:
		if (strncmp(optarg, "unix://", 7) != 0 || !optarg[7])
			return cli_usage_error(self, "gate: --docker-host "
					       "'%s': give unix://PATH", optarg);
		ga->docker_host = optarg + 7;
		return -1;
	case OPT_LOG:
		ga->log_file = optarg;
		return -1;
	case OPT_CACHE_TTL:
		if (strcmp(optarg, "0") != 0 &&
		    (cli_parse_duration(&ga->ttl, optarg) < 0 ||
		     ga->ttl > 86400))
			return cli_usage_error(self, "gate: invalid --cache-ttl "
					       "'%s': give seconds (0: none), "
					       "at most 1d", optarg);
		if (strcmp(optarg, "0") == 0)
			ga->ttl = 0;
		return -1;
	}
	return cli_opt_default(self, &ga->c, opt, argv);
}

static int gate_parse(struct gate_args *ga, const struct cli_cmd *self,
		      int argc, char **argv)
{
	static const struct option lo[] = {
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "docker-host", required_argument, NULL, OPT_DOCKER_HOST },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "cache-ttl", required_argument, NULL, OPT_CACHE_TTL },
		CLI_COMMON_OPTIONS, { 0 }
	};
	int opt, r;

	ga->socket = GATE_SOCKET;
	ga->docker_host = GATE_DOCKER + 7;
	ga->ttl = GATE_TTL;
	while ((opt = getopt_long(argc, argv, ":h", lo, NULL)) != -1)
		if ((r = gate_opt(self, ga, opt, argv)) >= 0)
			return r;
	if (optind != argc)
		return cli_usage_error(self, "gate: unexpected '%s'",
				       argv[optind]);
	/* a gate answers while dockerd waits: bounded by default */
	if (!ga->c.ropts.deadline)
		ga->c.ropts.deadline = 60;
	if (!ga->c.ropts.timeout)
		ga->c.ropts.timeout = 30;
	return -1;
}

/* --log FILE: appended to, created 0600. NULL after saying why. */
static FILE *open_log(const char *path)
{
	FILE *f;
	int fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0 || !(f = fdopen(fd, "a"))) {
		fprintf(stderr, "signet: cannot open log '%s': %s\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	return f;
}

int cmd_gate(const struct cli_cmd *self, int argc, char **argv)
{
	struct gate_server_opts so = { 0 };
	struct gate_args ga = { 0 };
	struct policy *pol = NULL;
	struct gate g = { 0 };
	char path[4096];
	int r, rc;

	if ((r = gate_parse(&ga, self, argc, argv)) >= 0)
		return r;
	if ((r = cli_policy_lock_check(false, ga.policy_file)) >= 0)
		return r;
	if ((rc = cli_policy_load(&pol, path, sizeof(path), ga.policy_file,
				  NULL)) < 0)
		return cli_fail(rc);
	so.socket_path = ga.socket;
	if (ga.log_file && !(so.log = open_log(ga.log_file))) {
		policy_free(pol);
		return 2;
	}
	if ((rc = gate_init(&g, pol, &ga.c.ropts, ga.docker_host, ga.ttl)) == 0) {
		fprintf(stderr, "signet: gate: serving on '%s' under policy "
			"'%s'\n", ga.socket, path);
		rc = gate_serve(&g, &so);
	}
	gate_release(&g);
	policy_free(pol);
	if (so.log)
		fclose(so.log);
	return rc < 0 ? cli_fail(rc) : 0;
}
