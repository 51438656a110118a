/*
 * cred.c - registry credentials from docker's config.json, as docker
 * finds them: the credential helper "credHelpers" names for the host,
 * else the "credsStore" helper, else (and when the helper has nothing for
 * the host) the "auths" entry. The secret is kept base64-encoded as the
 * Basic scheme wants it and wiped when released.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "internal.h"

#define CONFIG_MAX (1u << 20)
#define HELPER_OUT_MAX (64u * 1024)	/* a helper's answer */
#define HELPER_TIMEOUT_MS 30000		/* it may ask the user */

/* docker's config.json into @out; 1 when there is none. Links are
 * followed, as docker does: the file is often a config mount's link. */
static int read_config(struct buf *out, const char *path)
{
	int rc = file_read(out, path, CONFIG_MAX, FILE_FOLLOW, NULL);

	if (rc == ERR_NOTFOUND) {
		err_clear();
		return 1;
	}
	return rc;
}

/* Does an "auths" key name @host? Keys may be bare hosts or URLs; their
 * host is compared as ref_canonical_host writes it, so Docker Hub's
 * "https://index.docker.io/v1/" names docker.io. */
static bool key_matches(const char *key, const char *host)
{
	char kh[REF_HOST_MAX];
	size_t n;

	if (strncasecmp(key, "https://", 8) == 0)
		key += 8;
	else if (strncasecmp(key, "http://", 7) == 0)
		key += 7;
	n = strcspn(key, "/");
	if (n == 0 || n >= sizeof(kh))
		return false;
	memcpy(kh, key, n);
	kh[n] = '\0';
	return ref_canonical_host(kh, sizeof(kh), kh) == 0 &&
	       strcmp(kh, host) == 0;
}

/* A helper name as docker allows it: it becomes part of a program name,
 * so no path separators and nothing a shell would read. */
static bool helper_name_ok(const char *name)
{
	size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyz"
			  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

	return n > 0 && n <= 64 && name[n] == '\0' && name[0] != '.';
}

static long long mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Wait for @pid until @end (monotonic ms), then kill it. */
static int helper_wait(pid_t pid, long long end, int *status)
{
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		if (mono_ms() >= end) {
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		usleep(2000);
	}
}

/* Start @path (program @prog) with @in[0] as its stdin and @outp[1] as
 * its stdout; it gets no descriptor of ours but the pipes, and its
 * stderr goes to /dev/null. */
static int helper_spawn(pid_t *pid, const char *path, const char *prog,
			char **env, const int in[2], const int outp[2])
{
	char *argv[3] = { (char *)prog, "get", NULL };
	posix_spawn_file_actions_t fa;
	int se;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
	/* what it says on stderr is its own business, and may be secret */
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	/* libcurl's sockets are not close-on-exec */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	se = posix_spawn(pid, path, &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	if (se) {
		*pid = -1;
		errno = se;
		return err_set_errno(ERR_AUTH, "cannot run credential helper "
				     "'%s' (docker config names it)", prog);
	}
	return 0;
}

/* Write @server to the helper's stdin. The server name is small: one
 * write cannot block on the pipe. A helper that is gone already raises
 * SIGPIPE: held, then dropped. */
static void helper_send(int fd, const char *server)
{
	sigset_t pipe_set, old_set;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
	if (write(fd, server, strlen(server)) < 0 && errno == EPIPE)
		sigtimedwait(&pipe_set, NULL, &(struct timespec){ 0, 0 });
	pthread_sigmask(SIG_SETMASK, &old_set, NULL);
}

/* Read the helper's stdout from @fd until it closes, by @end (ms of
 * mono_ms). 1 when @end came first. */
static int helper_read(struct buf *out, int fd, long long end,
		       const char *prog)
{
	char chunk[4096];
	ssize_t n;
	int rc = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = end - mono_ms();

		if (left <= 0) {
			rc = 1;
			break;
		}
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR) {
			rc = err_set_errno(ERR_AUTH, "cannot read '%s'", prog);
			break;
		}
		if (!p.revents)
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (buf_append(out, chunk, (size_t)n) < 0) {
			rc = err_set(ERR_AUTH, "credential helper '%s' said "
				     "too much", prog);
			break;
		}
	}
	secure_wipe(chunk, sizeof(chunk));
	return rc;
}

/* What the helper's exit @status means, given what it wrote (@out): 0
 * for success, 1 for "credentials not found", else an error. */
static int helper_status(const struct buf *out, int status, const char *prog)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	/* docker's helpers say "credentials not found" so, exit 1 */
	if (WIFEXITED(status) && out->len && out->len < 256 &&
	    memmem(out->data, out->len, "credentials not found", 21))
		return 1;
	/* 127: the exec failed after the spawn (valgrind's spawn cannot
	 * report it, or a script's interpreter is missing) */
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !out->len)
		return err_set(ERR_AUTH, "cannot run credential helper '%s' "
			       "(docker config names it)", prog);
	return err_set(ERR_AUTH, "credential helper '%s' failed (exit status "
		       "%d)", prog, WIFEXITED(status) ? WEXITSTATUS(status) :
		       128 + WTERMSIG(status));
}

/* Run "docker-credential-NAME get" with @server on its stdin, for at
 * most @limit_ms; its stdout (at most HELPER_OUT_MAX) into @out. 1 when
 * it said it has nothing. It gets no descriptor of ours but the pipes,
 * and its stderr goes to /dev/null. */
static int helper_run(struct buf *out, const char *name, const char *server,
		      long limit_ms)
{
	char prog[96], path[4096];
	char **env = NULL;
	int in[2] = { -1, -1 }, outp[2] = { -1, -1 }, status = 0, rc = 0;
	long long end = mono_ms() + limit_ms;
	pid_t pid = -1;

	snprintf(prog, sizeof(prog), "docker-credential-%s", name);
	if (!exec_find_program(path, sizeof(path), prog))
		return err_set(ERR_AUTH, "cannot run credential helper '%s' "
			       "(docker config names it): not found on PATH",
			       prog);
	/* no signing passphrase or token PIN for a helper */
	if (!(env = exec_env_clean()))
		return err_set(ERR_NOMEM, "out of memory");
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(outp, O_CLOEXEC) < 0) {
		rc = err_set_errno(ERR_IO, "cannot run '%s'", prog);
		goto out;
	}
	rc = helper_spawn(&pid, path, prog, env, in, outp);
	close(in[0]);
	close(outp[1]);
	in[0] = outp[1] = -1;
	if (rc < 0)
		goto out;
	helper_send(in[1], server);
	close(in[1]);
	in[1] = -1;
	if ((rc = helper_read(out, outp[0], end, prog)) < 0)
		goto out;
	/* its stdout is closed; it still has until the same end to exit */
	if (rc == 0 && helper_wait(pid, end, &status) == 0) {
		pid = -1;
		rc = helper_status(out, status, prog);
		goto out;
	}
	if (rc == 0)
		pid = -1;	/* helper_wait stopped it */
	rc = err_set(ERR_AUTH, "credential helper '%s' did not finish in %ld "
		     "ms", prog, limit_ms);
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	if (in[0] >= 0) close(in[0]);
	if (in[1] >= 0) close(in[1]);
	if (outp[0] >= 0) close(outp[0]);
	if (outp[1] >= 0) close(outp[1]);
	free(env);
	return rc;
}

/* Credentials for @host from helper @name into @cred (nothing when it has
 * none). Its answer: {"ServerURL": ..., "Username": ..., "Secret": ...}. */
static int helper_lookup(struct cred *cred, const char *name,
			 const char *host, long limit_ms)
{
	const char *server = strcmp(host, "docker.io") == 0 ?
			     "https://index.docker.io/v1/" : host;
	const char *user, *secret;
	char what[128];
	struct buf raw, pair;
	json_t *doc = NULL;
	int rc;

	if (!helper_name_ok(name))
		return err_set(ERR_AUTH, "docker config names credential "
			       "helper '%s'; not a helper name", name);
	snprintf(what, sizeof(what), "answer of docker-credential-%s", name);
	buf_init(&raw, HELPER_OUT_MAX);
	buf_init(&pair, 8192);
	if ((rc = helper_run(&raw, name, server, limit_ms)) != 0)
		goto out;
	if ((rc = jx_parse(&doc, raw.data, raw.len, what)) < 0)
		goto out;
	user = jx_str(doc, "Username");
	secret = jx_str(doc, "Secret");
	if (!user || !secret || !*secret || strchr(user, ':')) {
		rc = err_set(ERR_AUTH, "%s for '%s' holds no usable "
			     "Username and Secret", what, host);
		goto out;
	}
	if (strcmp(user, "<token>") == 0) {
		rc = err_set(ERR_AUTH, "%s for '%s' is an identity token; "
			     "signet needs a username and password", what,
			     server);
		goto out;
	}
	if (buf_appendf(&pair, "%s:%s", user, secret) < 0 ||
	    !(cred->basic = b64_encode(pair.data, pair.len)))
		rc = err_set(ERR_NOMEM, "out of memory");
out:
	json_decref(doc);	/* wiped as it is freed: jx_init() */
	buf_release_secret(&pair);
	buf_release_secret(&raw);
	return rc;
}

int cred_lookup(struct cred *cred, const char *host, long limit_ms)
{
	const char *dir = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	char path[4096];
	struct buf raw;
	json_t *doc = NULL, *auths, *entry;
	const char *key, *helper;
	int rc;

	cred->basic = NULL;
	if (dir && *dir)
		rc = snprintf(path, sizeof(path), "%s/config.json", dir);
	else if (home && *home)
		rc = snprintf(path, sizeof(path), "%s/.docker/config.json",
			      home);
	else
		return 0;
	if (rc < 0 || rc >= (int)sizeof(path))
		return err_set(ERR_IO, "docker config path too long");
	buf_init(&raw, CONFIG_MAX);
	rc = read_config(&raw, path);
	if (rc != 0)
		goto out;
	rc = jx_parse(&doc, raw.data, raw.len, path);
	if (rc < 0)
		goto out;
	/* a helper first: the host's own, else the store for all hosts */
	helper = jx_str(json_object_get(doc, "credHelpers"), host);
	/* docker login keys Docker Hub by its v1 URL */
	if (!helper && strcmp(host, "docker.io") == 0)
		helper = jx_str(json_object_get(doc, "credHelpers"),
				"https://index.docker.io/v1/");
	if (!helper && strcmp(host, "docker.io") == 0)
		helper = jx_str(json_object_get(doc, "credHelpers"),
				"index.docker.io");
	if (!helper)
		helper = jx_str(doc, "credsStore");
	if (helper && *helper &&
	    ((rc = helper_lookup(cred, helper, host,
				 limit_ms < HELPER_TIMEOUT_MS ? limit_ms :
				 HELPER_TIMEOUT_MS)) < 0 || cred->basic))
		goto out;
	rc = 0;
	auths = json_object_get(doc, "auths");
	json_object_foreach(auths, key, entry) {
		const char *a = jx_str(entry, "auth");

		if (!a || !*a || !key_matches(key, host))
			continue;
		/* must decode to "user:pass" to be worth sending */
		{
			struct buf dec;
			bool ok;

			buf_init(&dec, 4096);
			ok = b64_decode(&dec, a, strlen(a)) == 0 &&
			     memchr(dec.data, ':', dec.len) != NULL;
			buf_release_secret(&dec);
			if (!ok) {
				rc = err_set(ERR_AUTH, "malformed credentials "
					     "for '%s' in '%s'", host, path);
				goto out;
			}
		}
		cred->basic = strdup(a);
		if (!cred->basic)
			rc = err_set(ERR_NOMEM, "out of memory");
		break;
	}
out:
	json_decref(doc);	/* wiped as it is freed: jx_init() */
	buf_release_secret(&raw);
	return rc == 1 ? 0 : rc;
}

void cred_release(struct cred *cred)
{
	if (cred->basic) {
		secure_wipe(cred->basic, strlen(cred->basic));
		free(cred->basic);
		cred->basic = NULL;
	}
}
