/*
 * cmd_verify_blob.c - signet verify-blob: a release artifact (a file, or
 * its SHA-256) and its Sigstore bundle, verified offline with a key or a
 * keyless signer against the trusted root (verify/keyless.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "cli.h"

const char cmd_verify_blob_usage[] =
	"signet verify-blob --bundle FILE --key FILE | "
	"--certificate-identity[-regexp] ID "
	"--certificate-oidc-issuer[-regexp] URL [--trusted-root FILE] "
	"[--require-tlog] [--json] FILE | sha256:HEX | sha512:HEX";

#define OPT_BUNDLE 1900
#define BLOB_BUNDLE_MAX (16u << 20)	/* a bundle file's bytes */

struct blob_args {
	const char *bundle_file;
	const char *keys[64];
	size_t n_keys;
	struct cli_common c;		/* unused: getopt's tail only */
	struct cli_keyless kl;
	struct cli_trust trust;
	struct verify_opts vo;
	bool as_json;
	const char *artifact;
};

/* The options; -1 to go on, else the exit status. */
static int blob_parse(struct blob_args *a, const struct cli_cmd *self,
		      int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, OPT_BUNDLE },
		{ "key", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		CLI_KEYLESS_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, ":k:h", opts, NULL)) != -1) {
		if (cli_keyless_opt(&a->kl, opt, optarg))
			continue;
		if (opt == OPT_BUNDLE)
			a->bundle_file = optarg;
		else if (opt == 'k' && a->n_keys < 64)
			a->keys[a->n_keys++] = optarg;
		else if (opt == 'k')
			return cli_usage_error(self, "too many --key%s", NULL);
		else if (opt == OPT_JSON)
			a->as_json = true;
		else
			return cli_opt_default(self, &a->c, opt, argv);
	}
	if (optind + 1 != argc)
		return cli_usage_error(self, "give one artifact: FILE, "
				       "sha256:HEX or sha512:HEX%s", NULL);
	a->artifact = argv[optind];
	if (!a->bundle_file)
		return cli_usage_error(self, "--bundle FILE is needed%s", NULL);
	if (!a->n_keys && !cli_keyless_given(&a->kl))
		return cli_usage_error(self, "give --key, or "
				       "--certificate-identity and "
				       "--certificate-oidc-issuer%s", NULL);
	return -1;
}

/* "sha256:HEX" or "sha512:HEX" into @out; false when @s is not written
 * so. */
static bool parse_digest(struct artifact_digest *out, const char *s)
{
	bool is256 = strncmp(s, "sha256:", 7) == 0;
	size_t n = is256 ? 32 : 64, i;
	unsigned char *d = is256 ? out->sha256 : out->sha512;
	unsigned int byte;

	if ((!is256 && strncmp(s, "sha512:", 7) != 0) ||
	    strlen(s) != 7 + 2 * n)
		return false;
	for (i = 0; i < n; i++) {
		if (!strchr("0123456789abcdef", s[7 + 2 * i]) ||
		    !strchr("0123456789abcdef", s[8 + 2 * i]) ||
		    sscanf(s + 7 + 2 * i, "%2x", &byte) != 1)
			return false;
		d[i] = (unsigned char)byte;
	}
	out->has_sha256 = is256;
	out->has_sha512 = !is256;
	return true;
}

/* The SHA-256 and SHA-512 of the file at @path, read as a stream: no
 * size cap is needed, nothing is kept. */
static int hash_file(struct artifact_digest *out, const char *path)
{
	unsigned char chunk[65536];
	EVP_MD_CTX *c256 = EVP_MD_CTX_new(), *c512 = EVP_MD_CTX_new();
	struct stat st;
	ssize_t n = 0;
	int fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = err_set(ERR_IO, "cannot read artifact '%s': %s", path,
			     strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = err_set(ERR_IO, "cannot read artifact '%s': not a "
			     "regular file", path);
		goto out;
	}
	if (!c256 || !c512 ||
	    EVP_DigestInit_ex(c256, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestInit_ex(c512, EVP_sha512(), NULL) != 1) {
		rc = err_set_ssl(ERR_CRYPTO, "cannot hash the artifact");
		goto out;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0 ||
	       (n < 0 && errno == EINTR))
		if (n > 0 && (EVP_DigestUpdate(c256, chunk, (size_t)n) != 1 ||
			      EVP_DigestUpdate(c512, chunk, (size_t)n) != 1))
			break;
	if (n != 0 || EVP_DigestFinal_ex(c256, out->sha256, NULL) != 1 ||
	    EVP_DigestFinal_ex(c512, out->sha512, NULL) != 1)
		rc = err_set(ERR_IO, "cannot read artifact '%s': %s", path,
			     n < 0 ? strerror(errno) : "hash failed");
	out->has_sha256 = out->has_sha512 = rc == 0;
out:
	EVP_MD_CTX_free(c256);
	EVP_MD_CTX_free(c512);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* The bundle file: ERR_FORMAT for what is not JSON at all (exit 2), and
 * ERR_VERIFY for a JSON document that is no acceptable bundle: an unknown
 * media type, an unknown member (exit 1). */
static int read_bundle(struct bundle *b, const char *path)
{
	struct buf data;
	json_t *doc = NULL;
	char why[JP_MSG_MAX];
	int rc;

	memset(b, 0, sizeof(*b));
	buf_init(&data, BLOB_BUNDLE_MAX);
	if ((rc = file_read(&data, path, BLOB_BUNDLE_MAX, 0, "bundle")) < 0)
		goto out;
	if ((rc = jx_parse(&doc, data.data, data.len, "sigstore bundle")) < 0)
		goto out;
	if ((rc = bundle_parse(b, data.data, data.len)) < 0) {
		snprintf(why, sizeof(why), "%s", err_msg());
		rc = err_set(ERR_VERIFY, "%s", why);
	}
out:
	json_decref(doc);
	buf_release(&data);
	return rc;
}

static void print_report(const struct blob_args *a, const char *digest,
			 const struct bundle_verdict *v, int rc)
{
	char when[RFC3339_MAX];
	json_t *doc = json_pack("{s:s,s:s,s:b,s:b}", "artifact", digest,
				"bundle", a->bundle_file, "verified", rc == 0,
				"keyless", v->keyless);

	if (!doc)
		return;
	if (v->san[0])
		json_object_set_new(doc, "identity", json_string(v->san));
	if (v->issuer[0])
		json_object_set_new(doc, "issuer", json_string(v->issuer));
	if (v->log_index >= 0)
		json_object_set_new(doc, "log_index",
				    json_integer(v->log_index));
	if (v->logged_at && rfc3339_format(when, v->logged_at) == 0)
		json_object_set_new(doc, "integrated_time", json_string(when));
	if (v->timestamp && rfc3339_format(when, v->timestamp) == 0)
		json_object_set_new(doc, "timestamp", json_string(when));
	if (rc < 0)
		json_object_set_new(doc, "reason", json_string(err_msg()));
	cli_put_json(doc, false);
	json_decref(doc);
}

/* The bundle with each key in turn, or keyless: the first that
 * verifies. */
static int blob_check(struct blob_args *a, const struct bundle *b,
		      const struct artifact_digest *art,
		      struct bundle_verdict *v)
{
	const struct verify_opts *o = &a->vo;
	size_t i;
	int rc;

	if (b->n_certs) {
		if (!o->n_signers)
			return err_set(ERR_VERIFY, "certificate identity: the "
				       "bundle is keyless: give "
				       "--certificate-identity and "
				       "--certificate-oidc-issuer");
		return keyless_verify_bundle(v, o->trustroot, b, art, NULL,
					     o->signers, o->require_tlog);
	}
	if (!a->trust.n_keys)
		return err_set(ERR_VERIFY, "signature: the bundle names a key, "
			       "not a certificate: give it with --key");
	for (i = 0, rc = -1; rc < 0 && i < a->trust.n_keys; i++) {
		if (i)
			err_clear();
		rc = keyless_verify_bundle(v, o->trustroot, b, art,
					   a->trust.keys[i], NULL,
					   o->require_tlog);
	}
	return rc;
}

static int blob_run(struct blob_args *a)
{
	struct artifact_digest art = { 0 };
	char digest[7 + 129];
	struct bundle b = { 0 };
	struct bundle_verdict v = { .log_index = -1 };
	size_t i;
	int rc;

	if (parse_digest(&art, a->artifact))
		rc = 0;
	else if (strncmp(a->artifact, "sha256:", 7) == 0 ||
		 strncmp(a->artifact, "sha512:", 7) == 0)
		rc = err_set(ERR_USAGE, "'%s': not sha256: or sha512: and "
			     "64 or 128 lower-case hex digits", a->artifact);
	else
		rc = hash_file(&art, a->artifact);
	if (rc < 0 || (rc = read_bundle(&b, a->bundle_file)) < 0)
		goto out;
	memcpy(digest, art.has_sha256 ? "sha256:" : "sha512:", 7);
	for (i = 0; i < (art.has_sha256 ? 32u : 64u); i++)
		snprintf(digest + 7 + 2 * i, 3, "%02x", art.has_sha256 ?
			 art.sha256[i] : art.sha512[i]);
	rc = blob_check(a, &b, &art, &v);
	if (a->as_json)
		print_report(a, digest, &v, rc);
	else if (rc == 0)
		printf("%s\n", digest);
out:
	bundle_release(&b);
	return rc < 0 ? cli_fail(rc) : 0;
}

int cmd_verify_blob(const struct cli_cmd *self, int argc, char **argv)
{
	struct blob_args a;
	size_t i;
	int rc;

	memset(&a, 0, sizeof(a));
	if ((rc = blob_parse(&a, self, argc, argv)) >= 0)
		return rc;
	for (i = 0; i < a.n_keys; i++)
		if ((rc = cli_trust_add(self, &a.trust, a.keys[i])) >= 0)
			goto out;
	if ((rc = cli_keyless_ready(self, &a.kl, &a.vo, true)) >= 0)
		goto out;
	rc = blob_run(&a);
out:
	cli_trust_release(&a.trust);
	cli_keyless_release(&a.kl);
	return rc;
}
