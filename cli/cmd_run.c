/*
 * cmd_run.c - signet run: verify an image as verify does, then run docker
 * on the digest verified. Docker's command line is read by run_args.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

const char cmd_run_usage[] =
	"signet run [--key FILE]... [-a KEY=VALUE]... "
	"[--format cosign|sigstore-bundle|notation]... "
	"[--signed-identity REPO] [--certificate-identity ID | "
	"--certificate-identity-regexp RE] [--certificate-oidc-issuer URL | "
	"--certificate-oidc-issuer-regexp RE] [--trusted-root FILE] "
	"[--require-tlog] [--tsa-cert FILE]... [--policy FILE] "
	"[options] -- docker run|create|pull [DOCKER-OPTIONS] IMAGE [ARG...]";

/* Verify @image; say why not on failure. The digest verified goes to
 * @pinned. Returns the exit status. */
static int run_verify(const struct cli_verify_args *va, const char *image,
		      char *pinned, size_t pinned_sz)
{
	struct cli_verifier vr;
	struct verify_result res = { 0 };
	struct policy_verdict v = { 0 };
	int rc;

	if ((rc = cli_verifier_open(&vr, va)) < 0)
		goto out;
	rc = cli_verifier_check(&vr, image, &res, &v);
	cli_print_warnings(&res);
	if (rc == 0)
		cli_verifier_warn(&res, &v);
	if (rc == 0)
		snprintf(pinned, pinned_sz, "%s", res.pinned);
	policy_verdict_release(&v);
	verify_result_release(&res);
out:
	cli_verifier_close(&vr);
	return rc < 0 ? cli_fail(rc) : 0;
}

/* Start docker with @argv (argv[0] "docker"): found on PATH as the
 * credential helpers are, so never from the current folder, and without
 * the signing secrets in its environment, which docker would hand to its
 * plugins and, with "-e NAME", to the container. Returns only on error. */
static int run_docker(char **argv)
{
	char path[4096];
	char **env;

	if (!exec_find_program(path, sizeof(path), argv[0])) {
		fprintf(stderr, "signet: cannot run '%s': not found in an "
			"absolute PATH entry\n", argv[0]);
		return 2;
	}
	if (!(env = exec_env_clean())) {
		fprintf(stderr, "signet: out of memory\n");
		return 2;
	}
	fflush(NULL);
	execve(path, argv, env);
	fprintf(stderr, "signet: cannot run '%s': %s\n", path,
		strerror(errno));
	free(env);
	return 2;
}

int cmd_run(const struct cli_cmd *self, int argc, char **argv)
{
	char pinned[sizeof(((struct verify_result *)0)->pinned)];
	struct cli_verify_args va = { 0 };
	size_t at;
	int status;

	if ((status = cli_verify_args_parse(&va, self, CLI_MODE_RUN, argc,
					    argv)) >= 0)
		goto out;
	if (docker_find_image(&at, va.n_images, va.images) < 0) {
		status = cli_usage_error(self, "%s", err_msg());
		goto out;
	}
	if ((status = run_verify(&va, va.images[at], pinned,
				 sizeof(pinned))) != 0)
		goto out;
	cli_verify_args_release(&va);
	/* docker gets the digest that was verified, never the tag: a tag
	 * moved between here and the pull cannot slip in */
	va.images[at] = pinned;
	return run_docker(va.images);
out:
	cli_verify_args_release(&va);
	return status;
}
