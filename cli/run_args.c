/*
 * run_args.c - find IMAGE in a docker command line, for run (see cli.h).
 *
 * docker's CLI is cobra over pflag: global options come before the
 * command; "--opt=value" is one word; a boolean option never takes the
 * next word ("--rm false" is --rm then an operand); "-it" is -i -t, and in
 * a group like "-dp80:80" the first option that takes a value eats the
 * rest of the word ("80:80"), or the next word when the group ends with
 * it; "--" ends the options; run and create stop at the first operand,
 * IMAGE, and what follows belongs to the container.
 *
 * The tables are docker 28's (docker run|create|pull --help, plus the
 * hidden aliases). An option not in them is refused: guessing its arity
 * wrong would make us verify one word while docker runs another.
 */
#include <stdbool.h>
#include <string.h>

#include "cli.h"

enum {
	V_GLOBAL = 1,			/* before the command */
	V_RUN = 2,
	V_CREATE = 4,
	V_PULL = 8,
	V_RC = V_RUN | V_CREATE,
};

enum arity { FLAG, VALUE, REFUSE };

struct docker_opt {
	const char *name;		/* long name without "--" */
	char shorthand;			/* or 0 */
	unsigned char verbs;		/* where it is valid */
	unsigned char arity;
};

static const struct docker_opt opts[] = {
	/* docker's global options */
	{ "config", 0, V_GLOBAL, VALUE },
	{ "context", 'c', V_GLOBAL, VALUE },
	{ "debug", 'D', V_GLOBAL, FLAG },
	{ "host", 'H', V_GLOBAL, VALUE },
	{ "log-level", 'l', V_GLOBAL, VALUE },
	{ "tls", 0, V_GLOBAL, FLAG },
	{ "tlscacert", 0, V_GLOBAL, VALUE },
	{ "tlscert", 0, V_GLOBAL, VALUE },
	{ "tlskey", 0, V_GLOBAL, VALUE },
	{ "tlsverify", 0, V_GLOBAL, FLAG },

	/* booleans of run and create */
	{ "detach", 'd', V_RUN, FLAG },
	{ "disable-content-trust", 0, V_RC | V_PULL, FLAG },
	{ "help", 0, V_RC | V_PULL | V_GLOBAL, FLAG },
	{ "init", 0, V_RC, FLAG },
	{ "interactive", 'i', V_RC, FLAG },
	{ "no-healthcheck", 0, V_RC, FLAG },
	{ "oom-kill-disable", 0, V_RC, FLAG },
	{ "privileged", 0, V_RC, FLAG },
	{ "publish-all", 'P', V_RC, FLAG },
	{ "quiet", 'q', V_RC | V_PULL, FLAG },
	{ "read-only", 0, V_RC, FLAG },
	{ "rm", 0, V_RC, FLAG },
	{ "sig-proxy", 0, V_RUN, FLAG },
	{ "tty", 't', V_RC, FLAG },
	{ "use-api-socket", 0, V_RC, FLAG },

	/* options of run and create that take a value */
	{ "add-host", 0, V_RC, VALUE },
	{ "annotation", 0, V_RC, VALUE },
	{ "attach", 'a', V_RC, VALUE },
	{ "blkio-weight", 0, V_RC, VALUE },
	{ "blkio-weight-device", 0, V_RC, VALUE },
	{ "cap-add", 0, V_RC, VALUE },
	{ "cap-drop", 0, V_RC, VALUE },
	{ "cgroup-parent", 0, V_RC, VALUE },
	{ "cgroupns", 0, V_RC, VALUE },
	{ "cidfile", 0, V_RC, VALUE },
	{ "cpu-count", 0, V_RC, VALUE },
	{ "cpu-percent", 0, V_RC, VALUE },
	{ "cpu-period", 0, V_RC, VALUE },
	{ "cpu-quota", 0, V_RC, VALUE },
	{ "cpu-rt-period", 0, V_RC, VALUE },
	{ "cpu-rt-runtime", 0, V_RC, VALUE },
	{ "cpu-shares", 'c', V_RC, VALUE },
	{ "cpus", 0, V_RC, VALUE },
	{ "cpuset-cpus", 0, V_RC, VALUE },
	{ "cpuset-mems", 0, V_RC, VALUE },
	{ "credentialspec", 0, V_RC, VALUE },
	{ "detach-keys", 0, V_RUN, VALUE },
	{ "device", 0, V_RC, VALUE },
	{ "device-cgroup-rule", 0, V_RC, VALUE },
	{ "device-read-bps", 0, V_RC, VALUE },
	{ "device-read-iops", 0, V_RC, VALUE },
	{ "device-write-bps", 0, V_RC, VALUE },
	{ "device-write-iops", 0, V_RC, VALUE },
	{ "dns", 0, V_RC, VALUE },
	{ "dns-opt", 0, V_RC, VALUE },
	{ "dns-option", 0, V_RC, VALUE },
	{ "dns-search", 0, V_RC, VALUE },
	{ "domainname", 0, V_RC, VALUE },
	{ "entrypoint", 0, V_RC, VALUE },
	{ "env", 'e', V_RC, VALUE },
	{ "env-file", 0, V_RC, VALUE },
	{ "expose", 0, V_RC, VALUE },
	{ "gpus", 0, V_RC, VALUE },
	{ "group-add", 0, V_RC, VALUE },
	{ "health-cmd", 0, V_RC, VALUE },
	{ "health-interval", 0, V_RC, VALUE },
	{ "health-retries", 0, V_RC, VALUE },
	{ "health-start-interval", 0, V_RC, VALUE },
	{ "health-start-period", 0, V_RC, VALUE },
	{ "health-timeout", 0, V_RC, VALUE },
	{ "hostname", 'h', V_RC, VALUE },
	{ "io-maxbandwidth", 0, V_RC, VALUE },
	{ "io-maxiops", 0, V_RC, VALUE },
	{ "ip", 0, V_RC, VALUE },
	{ "ip6", 0, V_RC, VALUE },
	{ "ipc", 0, V_RC, VALUE },
	{ "isolation", 0, V_RC, VALUE },
	{ "kernel-memory", 0, V_RC, VALUE },
	{ "label", 'l', V_RC, VALUE },
	{ "label-file", 0, V_RC, VALUE },
	{ "link", 0, V_RC, VALUE },
	{ "link-local-ip", 0, V_RC, VALUE },
	{ "log-driver", 0, V_RC, VALUE },
	{ "log-opt", 0, V_RC, VALUE },
	{ "mac-address", 0, V_RC, VALUE },
	{ "memory", 'm', V_RC, VALUE },
	{ "memory-reservation", 0, V_RC, VALUE },
	{ "memory-swap", 0, V_RC, VALUE },
	{ "memory-swappiness", 0, V_RC, VALUE },
	{ "mount", 0, V_RC, VALUE },
	{ "name", 0, V_RC, VALUE },
	{ "net", 0, V_RC, VALUE },
	{ "net-alias", 0, V_RC, VALUE },
	{ "network", 0, V_RC, VALUE },
	{ "network-alias", 0, V_RC, VALUE },
	{ "oom-score-adj", 0, V_RC, VALUE },
	{ "pid", 0, V_RC, VALUE },
	{ "pids-limit", 0, V_RC, VALUE },
	{ "platform", 0, V_RC | V_PULL, VALUE },
	{ "publish", 'p', V_RC, VALUE },
	{ "pull", 0, V_RC, VALUE },
	{ "restart", 0, V_RC, VALUE },
	{ "runtime", 0, V_RC, VALUE },
	{ "security-opt", 0, V_RC, VALUE },
	{ "shm-size", 0, V_RC, VALUE },
	{ "stop-signal", 0, V_RC, VALUE },
	{ "stop-timeout", 0, V_RC, VALUE },
	{ "storage-opt", 0, V_RC, VALUE },
	{ "sysctl", 0, V_RC, VALUE },
	{ "tmpfs", 0, V_RC, VALUE },
	{ "ulimit", 0, V_RC, VALUE },
	{ "user", 'u', V_RC, VALUE },
	{ "userns", 0, V_RC, VALUE },
	{ "uts", 0, V_RC, VALUE },
	{ "volume", 'v', V_RC, VALUE },
	{ "volume-driver", 0, V_RC, VALUE },
	{ "volumes-from", 0, V_RC, VALUE },
	{ "workdir", 'w', V_RC, VALUE },

	/* pull: one tag is verified, so every tag cannot be pulled */
	{ "all-tags", 'a', V_PULL, REFUSE },
};

static const struct docker_opt *find_long(const char *name, size_t n,
					  unsigned verb)
{
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if ((opts[i].verbs & verb) && strlen(opts[i].name) == n &&
		    strncmp(opts[i].name, name, n) == 0)
			return &opts[i];
	return NULL;
}

static const struct docker_opt *find_short(char c, unsigned verb)
{
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if ((opts[i].verbs & verb) && opts[i].shorthand == c)
			return &opts[i];
	/* cobra's -h for help, where no option of the command has it */
	if (c == 'h' && (verb & (V_PULL | V_GLOBAL)))
		return find_long("help", 4, verb);
	return NULL;
}

/* "docker run" and so on, or "docker" before the command. */
static const char *cmd_name(unsigned verb)
{
	return verb == V_RUN ? "docker run" : verb == V_CREATE ?
	       "docker create" : verb == V_PULL ? "docker pull" : "docker";
}

static int refuse(const struct docker_opt *o, unsigned verb)
{
	if (o->arity == REFUSE)
		return err_set(ERR_USAGE, "docker pull --%s cannot be "
			       "verified: name the one image to pull", o->name);
	return err_set(ERR_USAGE, "'%s --help' runs no image: there is "
		       "nothing to verify", cmd_name(verb));
}

static int unknown(const char *word, unsigned verb)
{
	char shown[64];

	str_sanitize(shown, sizeof(shown), word);
	return err_set(ERR_USAGE, "%s option '%s' is not one signet knows; "
		       "if docker has it, write it as one word, --name=VALUE",
		       cmd_name(verb), shown);
}

/* One option word at argv[*i]; moves *i past the option and its value.
 * Returns 0 or ERR_USAGE. */
static int skip_option(int *i, int argc, char *const *argv, unsigned verb)
{
	const char *w = argv[*i];
	const struct docker_opt *o;
	size_t j, n;

	if (w[1] == '-') {			/* --name[=value] */
		const char *eq = strchr(w + 2, '=');

		n = eq ? (size_t)(eq - w - 2) : strlen(w + 2);
		if (!(o = find_long(w + 2, n, verb))) {
			if (!eq)
				return unknown(w, verb);
			(*i)++;		/* one word whatever its arity */
			return 0;
		}
		if (o->arity == REFUSE || strcmp(o->name, "help") == 0)
			return refuse(o, verb);
		if (o->arity == VALUE && !eq && ++*i >= argc)
			return err_set(ERR_USAGE, "%s option '%s' needs a "
				       "value", cmd_name(verb), w);
		(*i)++;
		return 0;
	}
	for (j = 1; w[j]; j++) {		/* -abc, -p80, -p=80 */
		char one[3] = { '-', w[j], '\0' };

		if (!(o = find_short(w[j], verb)))
			return unknown(one, verb);
		if (o->arity == REFUSE || strcmp(o->name, "help") == 0)
			return refuse(o, verb);
		if (o->arity == VALUE || w[j + 1] == '=') {
			/* the rest of the word is the value, else the next */
			if (!w[j + 1] && o->arity == VALUE && ++*i >= argc)
				return err_set(ERR_USAGE, "%s option '%s' "
					       "needs a value", cmd_name(verb),
					       one);
			break;
		}
	}
	(*i)++;
	return 0;
}

static bool is_docker(const char *w)
{
	const char *base = strrchr(w, '/');

	return strcmp(base ? base + 1 : w, "docker") == 0;
}

int docker_find_image(size_t *out, int argc, char *const *argv)
{
	unsigned verb = V_GLOBAL;
	int i = 1, rc;

	if (argc < 1 || !is_docker(argv[0]))
		return err_set(ERR_USAGE, "the command after '--' must start "
			       "with 'docker'");
	/* global options, then the command */
	while (i < argc && argv[i][0] == '-' && argv[i][1]) {
		if (strcmp(argv[i], "--") == 0)
			return err_set(ERR_USAGE, "no docker command");
		if ((rc = skip_option(&i, argc, argv, verb)) < 0)
			return rc;
	}
	if (i < argc && (strcmp(argv[i], "container") == 0 ||
			 strcmp(argv[i], "image") == 0)) {
		bool image = argv[i][0] == 'i';

		i++;
		if (i < argc && !image && (strcmp(argv[i], "run") == 0 ||
					   strcmp(argv[i], "create") == 0))
			verb = argv[i][0] == 'r' ? V_RUN : V_CREATE;
		else if (i < argc && image && strcmp(argv[i], "pull") == 0)
			verb = V_PULL;
	} else if (i < argc) {
		if (strcmp(argv[i], "run") == 0)
			verb = V_RUN;
		else if (strcmp(argv[i], "create") == 0)
			verb = V_CREATE;
		else if (strcmp(argv[i], "pull") == 0)
			verb = V_PULL;
	}
	if (verb == V_GLOBAL) {
		char shown[64];

		str_sanitize(shown, sizeof(shown), i < argc ? argv[i] : "");
		return err_set(ERR_USAGE, "unknown docker command '%s': signet "
			       "runs docker run, create or pull", shown);
	}
	for (i++; i < argc; ) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (argv[i][0] != '-' || !argv[i][1])
			break;
		if ((rc = skip_option(&i, argc, argv, verb)) < 0)
			return rc;
	}
	if (i >= argc || !argv[i][0])
		return err_set(ERR_USAGE, "no IMAGE in the %s command",
			       cmd_name(verb));
	*out = (size_t)i;
	return 0;
}
