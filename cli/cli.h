/*
 * cli.h - the commands: one file each (cmd_<name>.c), each with its usage
 * string beside its option parser, and what they share (options.c: the
 * registry options, --key, --policy, --json and the messages). A command
 * parses argv, calls the library, prints, and returns an exit status: 0
 * ok, 1 signature missing or invalid, 2 any other error. main.c holds the
 * table of commands.
 */
#ifndef SIGNET_CLI_H
#define SIGNET_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <getopt.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "../core/core.h"
#include "../formats/formats.h"
#include "../keys/keys.h"
#include "../registry/registry.h"
#include "../verify/verify.h"

/* One command of the table. Its handler gets its own entry, for usage
 * errors and --help. */
struct cli_cmd {
	const char *name;
	int (*fn)(const struct cli_cmd *self, int argc, char **argv);
	const char *summary;
	const char *usage;	/* its man page's SYNOPSIS, word for word */
	const char *man;	/* that page */
};

/* ---- the commands -------------------------------------------------------- */

extern const char cmd_keys_usage[], cmd_sign_usage[], cmd_verify_usage[],
	cmd_list_usage[], cmd_policy_usage[], cmd_run_usage[],
	cmd_save_usage[], cmd_audit_usage[], cmd_gate_usage[],
	cmd_completion_usage[], cmd_version_usage[];
extern const char cmd_verify_blob_usage[];

int cmd_keys(const struct cli_cmd *self, int argc, char **argv);
int cmd_sign(const struct cli_cmd *self, int argc, char **argv);
int cmd_verify(const struct cli_cmd *self, int argc, char **argv);
int cmd_list(const struct cli_cmd *self, int argc, char **argv);
int cmd_policy(const struct cli_cmd *self, int argc, char **argv);
int cmd_run(const struct cli_cmd *self, int argc, char **argv);
int cmd_save(const struct cli_cmd *self, int argc, char **argv);
int cmd_audit(const struct cli_cmd *self, int argc, char **argv);
int cmd_gate(const struct cli_cmd *self, int argc, char **argv);
int cmd_completion(const struct cli_cmd *self, int argc, char **argv);
int cmd_version(const struct cli_cmd *self, int argc, char **argv);
int cmd_verify_blob(const struct cli_cmd *self, int argc, char **argv);

/* ---- options.c: what the commands share ---------------------------------- */

/* getopt_long values of the long options without a short form. */
enum {
	OPT_INSECURE = 1000,
	OPT_CA_FILE,
	OPT_TIMEOUT,
	OPT_PASSWORD_FILE,
	OPT_JSON,
	OPT_FORCE,
	OPT_NO_PASSWORD,
	OPT_TYPE,
	OPT_COSIGN,
	OPT_FORMAT,
	OPT_CERT,
	OPT_EXPIRY,
	OPT_X509,
	OPT_SUBJECT,
	OPT_DAYS,
	OPT_POLICY,
	OPT_OFFLINE,
	OPT_PKCS11,
	OPT_PEM,
	OPT_DEADLINE,
	OPT_JOBS,
	OPT_REPO,
	OPT_SIGNED_IDENTITY,
	OPT_CERT_IDENTITY,
	OPT_CERT_IDENTITY_RE,
	OPT_CERT_ISSUER,
	OPT_CERT_ISSUER_RE,
	OPT_TRUSTED_ROOT,
	OPT_REQUIRE_TLOG,
	OPT_TSA_CERT,
};

/* The options every registry command takes; cli_opt_default handles
 * them. */
#define CLI_COMMON_OPTIONS \
	{ "insecure-registry", required_argument, NULL, OPT_INSECURE }, \
	{ "ca-file", required_argument, NULL, OPT_CA_FILE }, \
	{ "timeout", required_argument, NULL, OPT_TIMEOUT }, \
	{ "deadline", required_argument, NULL, OPT_DEADLINE }, \
	{ "password-file", required_argument, NULL, OPT_PASSWORD_FILE }, \
	{ "help", no_argument, NULL, 'h' }

struct cli_common {
	const char *insecure[32];
	struct registry_opts ropts;
	struct pass_source pass;
};

/* The tail of every getopt loop: the common options, --help, a missing
 * value, an unknown option. -1 to go on, else the exit status to
 * return. */
int cli_opt_default(const struct cli_cmd *self, struct cli_common *c,
		    int opt, char **argv);

/* "90s", "30m", "24h", "7d" (a bare number is seconds) -> seconds. */
int cli_parse_duration(long *out, const char *s);

/* "signet: <the recorded message>" on stderr; the exit status for @code. */
int cli_fail(int code);
/* "signet: " @fmt (one %s, @arg) on stderr, then the command's usage.
 * Returns 2. */
int cli_usage_error(const struct cli_cmd *self, const char *fmt,
		    const char *arg);
/* --help: the usage and the man page. */
void cli_print_help(const struct cli_cmd *self);

/* A registry-supplied string, control characters stripped. */
void cli_put_safe(FILE *f, const char *s);
/* A --json document on stdout, ASCII only: indented, or on one line for
 * a stream of them. */
void cli_put_json(const json_t *doc, bool one_line);

/* ---- keyless.c: the keyless options verify, list, audit and verify-blob
 * share --------------------------------------------------------------------- */

#define CLI_KEYLESS_OPTIONS \
	{ "certificate-identity", required_argument, NULL, \
	  OPT_CERT_IDENTITY }, \
	{ "certificate-identity-regexp", required_argument, NULL, \
	  OPT_CERT_IDENTITY_RE }, \
	{ "certificate-oidc-issuer", required_argument, NULL, \
	  OPT_CERT_ISSUER }, \
	{ "certificate-oidc-issuer-regexp", required_argument, NULL, \
	  OPT_CERT_ISSUER_RE }, \
	{ "trusted-root", required_argument, NULL, OPT_TRUSTED_ROOT }, \
	{ "require-tlog", no_argument, NULL, OPT_REQUIRE_TLOG }

struct cli_keyless {
	struct fulcio_identity signer;	/* the four identity options */
	const char *root_file;		/* --trusted-root */
	bool require_tlog;		/* --require-tlog */
	struct keys_trustroot *root;	/* loaded by cli_keyless_ready */
	char root_name[4096];		/* which root (keys_trustroot_select) */
	struct keys_trustroot_lazy lazy;	/* else the same, read when a
					 * key signature's log entry needs
					 * it */
	bool lazy_set;
};

/* One of CLI_KEYLESS_OPTIONS into @k: true when @opt is one of them (a
 * repeated option: the last one counts, as for cosign). */
bool cli_keyless_opt(struct cli_keyless *k, int opt, const char *arg);
/* Is a keyless signer given (--certificate-identity[-regexp])? */
bool cli_keyless_given(const struct cli_keyless *k);
/* After the options: an identity and an issuer go together, each exact
 * or regexp, not both; a regexp must compile. When a signer is given,
 * or @load_always, the trusted root is loaded (keys_trustroot_select)
 * and @vo gets it, the signer and --require-tlog; else @vo->tlog_root
 * gets the same root, read only when a key signature's log entry needs
 * it. -1 to go on, else the
 * exit status (usage 2; an unreadable or malformed root 2, saying
 * why). */
int cli_keyless_ready(const struct cli_cmd *self, struct cli_keyless *k,
		      struct verify_opts *vo, bool load_always);
void cli_keyless_release(struct cli_keyless *k);

/* The keys and certificates of --key options. */
struct cli_trust {
	EVP_PKEY *keys[64];
	size_t n_keys;
	X509 **certs;
	size_t n_certs;
};

/* --key PATH: its public key, and the certificates the file holds, if
 * any, as trust anchors (its first certificate's key is the cosign key).
 * A key already given (keys_fingerprint: in any encoding or certificate)
 * or a certificate already given is kept once; at most 64 distinct keys.
 * -1 to go on, else the exit status (after saying why). */
int cli_trust_add(const struct cli_cmd *self, struct cli_trust *t,
		  const char *path);
void cli_trust_release(struct cli_trust *t);

/* Under a locked system policy (policy_system_locked) a command that
 * decides whether to trust an image refuses --key or keyless signers
 * (@by_key) and --policy (@policy_file): says so and returns 2. -1 to go
 * on. */
int cli_policy_lock_check(bool by_key, const char *policy_file);
/* The trust policy: --policy @file, or where policy_locate finds one,
 * loaded whole, key files included. @diags as for policy_load (may be
 * NULL); @path (may be NULL) gets the file's name. */
int cli_policy_load(struct policy **out, char *path, size_t path_sz,
		    const char *file, struct policy_diags *diags);

/* ---- cmd_verify.c, verifier.c: verify, list and run ----------------------  */

enum cli_verify_mode { CLI_MODE_VERIFY, CLI_MODE_LIST, CLI_MODE_RUN };

struct cli_verify_args {
	enum cli_verify_mode mode;
	struct cli_common c;
	struct kvlist ann;
	struct cli_trust trust;
	struct verify_opts vo;		/* points at the above */
	const char *policy_file;	/* --policy */
	struct signed_identity identity;	/* --signed-identity */
	struct cli_keyless kl;		/* keyless signers, --trusted-root,
					 * --require-tlog */
	bool as_json;
	long jobs;			/* --jobs: images checked at once;
					 * 0: CLI_VERIFY_JOBS */
	char **images;			/* the operands; run: docker's argv */
	int n_images;
	char saved[REF_HOST_MAX + REF_REPO_MAX + REF_TAG_MAX +
		   DIGEST_STR_MAX];	/* --offline without IMAGE */
	char *saved_ptr;
	X509 **tsa_certs;		/* --tsa-cert */
	size_t n_tsa_certs;
};

/* Parse verify's options for @mode; run stops at its first operand,
 * docker's command line. -1 to go on, else the exit status (release
 * @va either way). */
int cli_verify_args_parse(struct cli_verify_args *va,
			  const struct cli_cmd *self,
			  enum cli_verify_mode mode, int argc, char **argv);
void cli_verify_args_release(struct cli_verify_args *va);

/* Is anything given on the command line to verify by: --key or a
 * keyless signer? Else the trust policy decides (list: none does). */
bool cli_verify_by_args(const struct cli_verify_args *va);

/* Images verified as verify does: by --key or keyless signers, or else
 * by the trust policy and only it (list: by those alone, even none). */
struct cli_verifier {
	struct registry *reg;
	struct policy *pol;		/* NULL: by --key */
	const struct verify_opts *vo;
	bool per_image;			/* no --deadline: each image gets
					 * its own REGISTRY_IMAGE_DEADLINE */
};

/* The policy (when no --key) and a registry client. 0, or the error
 * code. */
int cli_verifier_open(struct cli_verifier *out,
		      const struct cli_verify_args *va);
/* Verify @image; under a policy, fill @v too. Returns as verify_image or
 * policy_verify; release @res and @v. */
int cli_verifier_check(struct cli_verifier *vr, const char *image,
		       struct verify_result *res, struct policy_verdict *v);
/* Say so on stderr when the policy let @res through without looking. */
void cli_verifier_warn(const struct verify_result *res,
		       const struct policy_verdict *v);
void cli_verifier_close(struct cli_verifier *vr);
/* The registry options of @va's clients (the per-image deadline
 * included), as cli_verifier_open gives them. */
void cli_verifier_ropts(struct registry_opts *out,
			const struct cli_verify_args *va);

/* ---- verifier.c: several images at once ---------------------------------  */

/* How many images verify and list check at once without --jobs. */
#define CLI_VERIFY_JOBS 4
#define CLI_VERIFY_JOBS_MAX 16

/* Report one checked image (@rc as cli_verifier_check returned it, its
 * message in err_msg()): the image's exit status. */
typedef int (*cli_report_fn)(void *ctx, const char *image, int rc,
			     const struct verify_result *res,
			     const struct policy_verdict *v);

/* Check va->images with up to va->jobs worker threads, each with its own
 * registry client (the first takes @vr's), and call @report for each in
 * argument order from the calling thread, one at a time. The exit
 * status: the highest of the reports', or 2 when no worker can start. */
int cli_verify_many(struct cli_verifier *vr, const struct cli_verify_args *va,
		    cli_report_fn report, void *ctx);

/* ---- attachments.c: what verify and list say besides signatures ------- */

/* The attachments of @res as JSON (new array); with @keys, whether each
 * attestation's signature was checked and verified. */
json_t *cli_attachments_json(const struct verify_result *res, bool keys);
/* The warnings of @res as JSON (new array of strings). */
json_t *cli_warnings_json(const struct verify_result *res);
/* list's lines for the warnings and attachments of @res. */
void cli_print_attachments(const struct verify_result *res, bool keys);
/* The warnings of @res on stderr, "signet: warning: ..." each. */
void cli_print_warnings(const struct verify_result *res);
/* When @rc says no valid signature and that may be because only an
 * index was signed, the one-line --recursive hint on stderr. */
void cli_print_hint(const struct verify_result *res, int rc);

/* ---- run_args.c: docker's command line ----------------------------------- */

/* Find IMAGE in @argv[0..argc): argv[0] is "docker" (or a path ending in
 * "/docker"), then docker's global options, then "run", "create", "pull",
 * "container run|create" or "image pull", its options, then IMAGE. Sets
 * *out to IMAGE's index. An option whose arity is not known for sure is
 * refused rather than guessed (ERR_USAGE saying to write it as
 * --opt=VALUE), because a guess that is wrong would verify one word while
 * docker runs another. ERR_USAGE, with a message, for anything else that
 * is not such a command line, and for "docker pull --all-tags". Pure: no
 * I/O. */
int docker_find_image(size_t *out, int argc, char *const *argv);

#endif
