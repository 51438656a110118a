/*
 * main.c - the command table, help, and main(). Each command lives in
 * cli/cmd_<name>.c with its usage string; see cli/cli.h.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static int cmd_help(const struct cli_cmd *self, int argc, char **argv);

static const struct cli_cmd commands[] = {
	{ "keys", cmd_keys, "generate, show, import and export key pairs",
	  cmd_keys_usage, "signet-keys(1)" },
	{ "sign", cmd_sign, "sign images by digest", cmd_sign_usage,
	  "signet-sign(1)" },
	{ "verify", cmd_verify, "verify images, print them pinned by digest",
	  cmd_verify_usage, "signet-verify(1)" },
	{ "verify-blob", cmd_verify_blob, "verify a file's Sigstore bundle",
	  cmd_verify_blob_usage, "signet-verify-blob(1)" },
	{ "policy", cmd_policy, "check a trust policy; show an image's rule",
	  cmd_policy_usage, "signet-policy(1)" },
	{ "list", cmd_list, "list the signatures attached to an image",
	  cmd_list_usage, "signet-list(1)" },
	{ "run", cmd_run, "verify an image, then run docker on its digest",
	  cmd_run_usage, "signet-run(1)" },
	{ "save", cmd_save, "copy an image's signatures into a folder",
	  cmd_save_usage, "signet-save(1)" },
	{ "audit", cmd_audit, "verify every image of a registry",
	  cmd_audit_usage, "signet-audit(1)" },
	{ "gate", cmd_gate, "let dockerd run only images the policy trusts",
	  cmd_gate_usage, "signet-gate(1)" },
	{ "completion", cmd_completion, "print the bash completion script",
	  cmd_completion_usage, "signet(1)" },
	{ "version", cmd_version, "print versions", cmd_version_usage,
	  "signet(1)" },
	{ "help", cmd_help, "show commands or one command's usage",
	  "signet help [COMMAND]", "signet(1)" },
};

static const struct cli_cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int cmd_help(const struct cli_cmd *self, int argc, char **argv)
{
	const struct cli_cmd *c;
	size_t i;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
			 strcmp(argv[1], "--help") == 0))
		argv[1] = "help";
	if (argc > 1) {
		if (!(c = find_cmd(argv[1])))
			return cli_usage_error(self, "unknown command '%s'",
					       argv[1]);
		cli_print_help(c);
		return 0;
	}
	printf("usage: signet COMMAND [options]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].summary);
	printf("\ncommon options: --insecure-registry HOST[:PORT], "
	       "--ca-file FILE,\n"
	       "    --timeout SECONDS, --deadline SECONDS, "
	       "--password-file FILE, --help\n"
	       "exit status: 0 ok, 1 signature missing or invalid, "
	       "2 other error\nsee signet(1) and signet-COMMAND(1)\n");
	return 0;
}

/* Called as docker's CLI plugin (installed as docker-signet)? */
static bool is_docker_plugin(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	return strcmp(base ? base + 1 : argv0, "docker-signet") == 0;
}

/* As docker's CLI plugin: docker asks what we are, then calls us as
 * "docker-signet signet COMMAND ...". 0 when answered, else -1 (with
 * @argc and @argv those of signet). */
static int docker_plugin(int *argc, char ***argv)
{
	char **v = *argv;

	if (*argc == 2 && strcmp(v[1], "docker-cli-plugin-metadata") == 0) {
		printf("{\"SchemaVersion\":\"0.1.0\",\"Vendor\":"
		       "\"signet\",\"Version\":\"%s\","
		       "\"ShortDescription\":\"Sign and verify images "
		       "(cosign, Notary)\"}\n", SIGNET_VERSION);
		return 0;
	}
	if (*argc >= 2 && strcmp(v[1], "signet") == 0) {
		v[1] = v[0];
		(*argv)++;
		(*argc)--;
	}
	return -1;
}

int main(int argc, char **argv)
{
	const struct cli_cmd *c;
	int rc;

	debugf("start");
	jx_init();
	opterr = 0;	/* we name bad options ourselves, once */
	if (is_docker_plugin(argv[0]) && docker_plugin(&argc, &argv) == 0)
		return 0;
	if (argc < 2) {
		cmd_help(find_cmd("help"), 1, argv);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cmd_help(find_cmd("help"), 1, argv);
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(find_cmd("version"), 1, argv);
	if (!(c = find_cmd(argv[1]))) {
		fprintf(stderr, "signet: unknown command '%s'; see 'signet "
			"help'\n", argv[1]);
		return 2;
	}
	rc = c->fn(c, argc - 1, argv + 1);
	keys_pkcs11_release();
	return rc;
}
