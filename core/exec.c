/*
 * exec.c - what signet hands to the programs it starts (credential
 * helpers, docker): the program found on PATH as docker finds its
 * helpers, and our environment without the secrets signet reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "core.h"

extern char **environ;

/* The secrets signet takes from its environment. Nothing it starts has
 * any business with them: docker would hand them on to its plugins and,
 * with "-e NAME", to the container. */
static const char *const secret_vars[] = {
	"SIGNET_PASSWORD", "COSIGN_PASSWORD", "SIGNET_PKCS11_PIN", NULL,
};

static bool is_secret(const char *entry)
{
	size_t i, n;

	for (i = 0; secret_vars[i]; i++) {
		n = strlen(secret_vars[i]);
		if (strncmp(entry, secret_vars[i], n) == 0 && entry[n] == '=')
			return true;
	}
	return false;
}

char **exec_env_clean(void)
{
	size_t n = 0, i, k = 0;
	char **env;

	while (environ[n])
		n++;
	if (!(env = calloc(n + 1, sizeof(*env))))
		return NULL;
	for (i = 0; i < n; i++)
		if (!is_secret(environ[i]))
			env[k++] = environ[i];
	return env;
}

bool exec_find_program(char *out, size_t outsz, const char *prog)
{
	const char *path = getenv("PATH"), *p, *e;
	struct stat st;

	for (p = path ? path : ""; *p; p = *e ? e + 1 : e) {
		e = strchr(p, ':');
		if (!e)
			e = p + strlen(p);
		/* only absolute entries: an empty or relative one is the
		 * current folder, whatever happens to be there */
		if (*p != '/' ||
		    snprintf(out, outsz, "%.*s/%s", (int)(e - p), p, prog) >=
		    (int)outsz)
			continue;
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(out, X_OK) == 0)
			return true;
	}
	return false;
}
