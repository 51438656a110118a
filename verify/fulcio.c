/*
 * fulcio.c - the checks on a keyless (Fulcio) signing certificate,
 * offline against a Sigstore trusted root: its chain up to a certificate
 * authority of the root that was valid at the signing time (the
 * "hybrid model" of Sigstore's client specification: every certificate
 * valid at that time, not now), its identity (subject alternative name)
 * and OIDC issuer (Fulcio's extensions), and its embedded certificate
 * transparency SCTs. Pure: the time comes from an already verified log
 * entry or timestamp; nothing is fetched.
 */
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <openssl/asn1.h>
#include <openssl/conf.h>
#include <openssl/ct.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "../keys/keys.h"
#include "verify.h"

#define OID_ISSUER_V1 "1.3.6.1.4.1.57264.1.1"	/* raw bytes, deprecated */
#define OID_ISSUER_V2 "1.3.6.1.4.1.57264.1.8"	/* DER UTF8String */
#define OID_OTHERNAME "1.3.6.1.4.1.57264.1.7"	/* SAN otherName: user */

/* ---- chain ------------------------------------------------------------ */

static void asn1_time_text(char out[RFC3339_MAX], const ASN1_TIME *t)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1)
		snprintf(out, RFC3339_MAX, "?");
	else
		(void)rfc3339_format(out, timegm(&tm));
}

/* The leaf itself: valid at @at, not a CA, code signing EKU. */
static int check_leaf(X509 *leaf, time_t at)
{
	char when[RFC3339_MAX], a[RFC3339_MAX], b[RFC3339_MAX];
	time_t t = at;
	uint32_t flags = X509_get_extension_flags(leaf);

	if (flags & EXFLAG_INVALID)
		return err_set(ERR_VERIFY, "certificate chain: the certificate "
			       "has invalid or duplicate extensions");
	if (X509_cmp_time(X509_get0_notBefore(leaf), &t) > 0 ||
	    X509_cmp_time(X509_get0_notAfter(leaf), &t) < 0) {
		(void)rfc3339_format(when, at);
		asn1_time_text(a, X509_get0_notBefore(leaf));
		asn1_time_text(b, X509_get0_notAfter(leaf));
		return err_set(ERR_VERIFY, "certificate chain: the certificate "
			       "was not valid at the signing time %s (valid "
			       "from %s to %s)", when, a, b);
	}
	if (X509_check_ca(leaf) != 0)
		return err_set(ERR_VERIFY, "certificate chain: the signing "
			       "certificate is a CA certificate");
	if (!(flags & EXFLAG_XKUSAGE) ||
	    !(X509_get_extended_key_usage(leaf) & XKU_CODE_SIGN))
		return err_set(ERR_VERIFY, "certificate chain: the certificate "
			       "is not for code signing (extended key usage)");
	return 0;
}

/* X509_verify_cert of @leaf up to the last certificate of @ca (the only
 * trust anchor, self-signed or not, as sigstore-go takes it), through
 * the others, every one valid at @at. */
static int chain_to(X509 **issuer, const struct keys_ca *ca, X509 *leaf,
		    time_t at, char *why, size_t whysz)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *mid = sk_X509_new_null();
	STACK_OF(X509) *chain;
	size_t i;
	int rc = ERR_NOMEM;

	if (!store || !ctx || !mid || !ca->n_certs)
		goto out;
	for (i = 0; i + 1 < ca->n_certs; i++)
		if (!sk_X509_push(mid, ca->certs[i]))
			goto out;
	if (X509_STORE_add_cert(store, ca->certs[ca->n_certs - 1]) != 1 ||
	    X509_STORE_CTX_init(ctx, store, leaf, mid) != 1)
		goto out;
	X509_STORE_CTX_set_time(ctx, 0, at);
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_X509_STRICT |
				 X509_V_FLAG_PARTIAL_CHAIN);
	rc = ERR_VERIFY;
	if (X509_verify_cert(ctx) != 1) {
		snprintf(why, whysz, "%s", X509_verify_cert_error_string(
				 X509_STORE_CTX_get_error(ctx)));
		goto out;
	}
	chain = X509_STORE_CTX_get0_chain(ctx);
	if (sk_X509_num(chain) < 2)
		goto out;
	*issuer = sk_X509_value(chain, 1);
	X509_up_ref(*issuer);
	rc = 0;
out:
	ERR_clear_error();
	sk_X509_free(mid);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return rc;
}

int fulcio_verify_chain(X509 **issuer, const struct keys_trustroot *t,
			X509 *leaf, time_t at)
{
	const struct keys_ca *cas[16];
	char when[RFC3339_MAX], why[256] = "";
	size_t n, i;
	int rc;

	*issuer = NULL;
	if ((rc = check_leaf(leaf, at)) < 0)
		return rc;
	(void)rfc3339_format(when, at);
	n = keys_trustroot_cas_at(cas, sizeof(cas) / sizeof(cas[0]), t, false,
				  at);
	if (!n)
		return err_set(ERR_VERIFY, "certificate chain: no certificate "
			       "authority of the trusted root was valid at %s",
			       when);
	for (i = 0; i < n; i++) {
		rc = chain_to(issuer, cas[i], leaf, at, why, sizeof(why));
		if (rc == 0 || rc == ERR_NOMEM)
			break;
	}
	if (rc == ERR_NOMEM)
		return err_set(ERR_NOMEM, "out of memory");
	if (rc < 0)
		return err_set(ERR_VERIFY, "certificate chain: does not lead "
			       "to a certificate authority of the trusted root "
			       "valid at %s (%s)", when, why);
	return 0;
}

/* ---- identity and issuer ------------------------------------------------ */

/* @s (@len bytes) into @out when it is printable text that fits. */
static int copy_text(char *out, size_t outsz, const unsigned char *s,
		     int len, const char *what)
{
	int i;

	if (len <= 0 || (size_t)len >= outsz)
		return err_set(ERR_VERIFY, "certificate identity: the %s is "
			       "empty or too long", what);
	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] == 0x7f)
			return err_set(ERR_VERIFY, "certificate identity: the "
				       "%s has control characters", what);
	memcpy(out, s, (size_t)len);
	out[len] = '\0';
	return 0;
}

/* The otherName SAN Fulcio writes for a username identity. */
static const ASN1_STRING *othername_value(const GENERAL_NAME *g)
{
	ASN1_OBJECT *want = OBJ_txt2obj(OID_OTHERNAME, 1);
	const ASN1_TYPE *v = g->d.otherName->value;
	bool ok;

	ok = want && OBJ_cmp(g->d.otherName->type_id, want) == 0 && v &&
	     v->type == V_ASN1_UTF8STRING;
	ASN1_OBJECT_free(want);
	return ok ? v->value.utf8string : NULL;
}

/* How many of @gens are identities: URIs, emails, Fulcio otherNames. */
static int identities_in(const GENERAL_NAMES *gens)
{
	int i, n = 0;

	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

		n += g->type == GEN_URI || g->type == GEN_EMAIL ||
		     (g->type == GEN_OTHERNAME && othername_value(g));
	}
	return n;
}

/* The one URI, email or Fulcio otherName. Fulcio issues exactly one; a
 * certificate naming several is refused, since which one a verifier
 * takes differs (sigstore-go the first of a fixed order, cosign any). */
static int san_of(char *out, size_t outsz, X509 *leaf)
{
	static const int order[] = { GEN_URI, GEN_EMAIL, GEN_OTHERNAME };
	GENERAL_NAMES *gens;
	const ASN1_STRING *s = NULL;
	size_t k;
	int crit = 0, i, rc;

	gens = X509_get_ext_d2i(leaf, NID_subject_alt_name, &crit, NULL);
	if (!gens)
		return err_set(ERR_VERIFY, "certificate identity: %s subject "
			       "alternative name extension", crit == -2 ?
			       "more than one" : "no usable");
	if ((i = identities_in(gens)) > 1) {
		GENERAL_NAMES_free(gens);
		return err_set(ERR_VERIFY, "certificate identity: %d "
			       "identities in the subject alternative names "
			       "(Fulcio issues one)", i);
	}
	for (k = 0; !s && k < sizeof(order) / sizeof(order[0]); k++)
		for (i = 0; !s && i < sk_GENERAL_NAME_num(gens); i++) {
			const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

			if (g->type != order[k])
				continue;
			s = g->type == GEN_OTHERNAME ? othername_value(g) :
			    g->d.ia5;
		}
	rc = s ? copy_text(out, outsz, ASN1_STRING_get0_data(s),
			   ASN1_STRING_length(s), "subject alternative name") :
	     err_set(ERR_VERIFY, "certificate identity: no URI, email or "
		     "username subject alternative name");
	GENERAL_NAMES_free(gens);
	return rc;
}

/* The data of the one extension @oid of @leaf; NULL when absent. */
static int ext_data(const ASN1_OCTET_STRING **out, X509 *leaf,
		    const char *oid)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	int i;

	*out = NULL;
	if (!o)
		return err_set(ERR_NOMEM, "out of memory");
	i = X509_get_ext_by_OBJ(leaf, o, -1);
	if (i >= 0 && X509_get_ext_by_OBJ(leaf, o, i) >= 0) {
		ASN1_OBJECT_free(o);
		return err_set(ERR_VERIFY, "certificate identity: the "
			       "extension %s appears twice", oid);
	}
	ASN1_OBJECT_free(o);
	if (i >= 0)
		*out = X509_EXTENSION_get_data(X509_get_ext(leaf, i));
	return 0;
}

static int issuer_of(char *out, size_t outsz, X509 *leaf)
{
	const ASN1_OCTET_STRING *v2, *v1;
	ASN1_UTF8STRING *u;
	const unsigned char *p;
	long len;
	int rc;

	if ((rc = ext_data(&v2, leaf, OID_ISSUER_V2)) < 0 ||
	    (rc = ext_data(&v1, leaf, OID_ISSUER_V1)) < 0)
		return rc;
	if (!v2 && !v1)
		return err_set(ERR_VERIFY, "certificate identity: no OIDC "
			       "issuer extension (" OID_ISSUER_V2 " or "
			       OID_ISSUER_V1 ")");
	if (!v2)
		return copy_text(out, outsz, ASN1_STRING_get0_data(v1),
				 ASN1_STRING_length(v1), "OIDC issuer");
	p = ASN1_STRING_get0_data(v2);
	len = ASN1_STRING_length(v2);
	u = d2i_ASN1_UTF8STRING(NULL, &p, len);
	if (!u || p != ASN1_STRING_get0_data(v2) + len) {
		ASN1_UTF8STRING_free(u);
		ERR_clear_error();
		return err_set(ERR_VERIFY, "certificate identity: the OIDC "
			       "issuer extension is not one DER UTF8String");
	}
	rc = copy_text(out, outsz, ASN1_STRING_get0_data(u),
		       ASN1_STRING_length(u), "OIDC issuer");
	ASN1_UTF8STRING_free(u);
	return rc;
}

int fulcio_cert_identity(char san[FULCIO_NAME_MAX],
			 char issuer[FULCIO_NAME_MAX], X509 *leaf)
{
	int rc;

	if ((rc = san_of(san, FULCIO_NAME_MAX, leaf)) < 0 ||
	    (rc = issuer_of(issuer, FULCIO_NAME_MAX, leaf)) < 0)
		return rc;
	return 0;
}

/* Does @re match all of @value? It is compiled as "^(RE)$", and the
 * match found must also span the whole string: glibc reads an unmatched
 * ')' as a literal, so that "a)|(b" would otherwise undo the anchors. */
static int regexp_whole(bool *out, const char *value, const char *re,
			const char *what)
{
	regex_t rx;
	regmatch_t m[1];
	char *anchored, msg[200];
	size_t n = strlen(re) + 5;
	int rc;

	/* alone first: "x)|(.*" compiles only once wrapped, and then
	 * matches anything */
	if ((rc = regcomp(&rx, re, REG_EXTENDED | REG_NOSUB)) == 0) {
		regfree(&rx);
		if (!(anchored = malloc(n)))
			return err_set(ERR_NOMEM, "out of memory");
		snprintf(anchored, n, "^(%s)$", re);
		rc = regcomp(&rx, anchored, REG_EXTENDED);
		free(anchored);
	}
	if (rc != 0) {
		regerror(rc, &rx, msg, sizeof(msg));
		return err_set(ERR_USAGE, "certificate identity: invalid %s "
			       "regexp '%.200s': %s", what, re, msg);
	}
	*out = regexec(&rx, value, 1, m, 0) == 0 && m[0].rm_so == 0 &&
	       (size_t)m[0].rm_eo == strlen(value);
	regfree(&rx);
	return 0;
}

int fulcio_match(const char *value, const char *exact, const char *re,
		 const char *what)
{
	bool ok;
	int rc;

	if (exact)
		return strcmp(value, exact) == 0 ? 0 :
		       err_set(ERR_VERIFY, "certificate identity: %s '%.300s' "
			       "is not '%.300s'", what, value, exact);
	if (!re)
		return err_set(ERR_USAGE, "certificate identity: no %s to "
			       "match given", what);
	if ((rc = regexp_whole(&ok, value, re, what)) < 0)
		return rc;
	return ok ? 0 :
	       err_set(ERR_VERIFY, "certificate identity: %s '%.300s' does "
		       "not match the regexp '%.300s' (over the whole string)",
		       what, value, re);
}

int fulcio_verify_identity(X509 *leaf, const struct fulcio_identity *want)
{
	char san[FULCIO_NAME_MAX], issuer[FULCIO_NAME_MAX];
	int rc;

	if ((rc = fulcio_cert_identity(san, issuer, leaf)) < 0)
		return rc;
	if ((rc = fulcio_match(san, want->identity, want->identity_re,
			       "identity")) < 0)
		return rc;
	return fulcio_match(issuer, want->issuer, want->issuer_re,
			    "OIDC issuer");
}

/* ---- certificate transparency ------------------------------------------- */

/* OpenSSL's configuration for the CT logs of @t, each enabled. */
static int ct_conf(struct buf *out, const struct keys_trustroot *t)
{
	size_t i;
	int rc = 0;

	rc = buf_appendf(out, "enabled_logs = ");
	for (i = 0; rc == 0 && i < t->n_ctlogs; i++)
		rc = buf_appendf(out, "%sl%zu", i ? "," : "", i);
	for (i = 0; rc == 0 && i < t->n_ctlogs; i++) {
		unsigned char *der = NULL;
		int len = i2d_PUBKEY(t->ctlogs[i].key, &der);
		char *b64 = len > 0 ? b64_encode(der, (size_t)len) : NULL;

		rc = b64 ? buf_appendf(out, "\n[l%zu]\ndescription = l%zu\n"
				       "key = %s\n", i, i, b64) :
		     err_set_ssl(ERR_CRYPTO, "SCT: cannot encode a CT log key");
		OPENSSL_free(der);
		free(b64);
	}
	return rc;
}

/* @conf in a file OpenSSL can open by name, into @path: an anonymous
 * in-memory file seen through /proc (*@tmp false), else a temporary file
 * under $TMPDIR (*@tmp true: the caller unlinks it). The open file
 * descriptor is returned. */
static int conf_file(char *path, size_t pathsz, bool *tmp,
		     const struct buf *conf)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	*tmp = false;
	fd = memfd_create("signet-ctlogs", MFD_CLOEXEC);
	snprintf(path, pathsz, "/proc/self/fd/%d", fd);
	if (fd >= 0 && access(path, R_OK) != 0) {
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		*tmp = true;
		if (snprintf(path, pathsz, "%s/signet-ctlogs-XXXXXX",
			     dir && *dir ? dir : "/tmp") >= (int)pathsz)
			return err_set(ERR_IO, "SCT: $TMPDIR is too long");
		if ((fd = mkstemp(path)) < 0)
			return err_set_errno(ERR_IO, "SCT: cannot create '%s'",
					     path);
	}
	if (write(fd, conf->data, conf->len) != (ssize_t)conf->len) {
		close(fd);
		if (*tmp)
			unlink(path);
		return err_set_errno(ERR_IO, "SCT: cannot write the CT logs");
	}
	return fd;
}

/* A CTLOG_STORE of the CT logs of @t. OpenSSL loads one only from a
 * configuration file. */
static int ct_store(CTLOG_STORE **out, const struct keys_trustroot *t)
{
	struct buf conf;
	char path[4096];
	bool tmp = false;
	int fd = -1, rc;

	*out = NULL;
	buf_init(&conf, 1 << 20);
	if ((rc = ct_conf(&conf, t)) < 0 ||
	    (rc = fd = conf_file(path, sizeof(path), &tmp, &conf)) < 0)
		goto out;
	rc = 0;
	if (!(*out = CTLOG_STORE_new()) ||
	    CTLOG_STORE_load_file(*out, path) != 1) {
		CTLOG_STORE_free(*out);
		*out = NULL;
		rc = err_set_ssl(ERR_CRYPTO, "SCT: cannot load the CT logs of "
				 "the trusted root");
	}
out:
	if (fd >= 0)
		close(fd);
	if (fd >= 0 && tmp)
		unlink(path);
	buf_release(&conf);
	return rc;
}

/* @x's notAfter in milliseconds since the epoch. */
static uint64_t not_after_ms(X509 *x)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) != 1)
		return 0;
	return (uint64_t)timegm(&tm) * 1000;
}

/* Does @sct verify with a CT log of @t whose key was valid when the
 * SCT was issued? The reason into @why when not. */
static bool sct_ok(SCT *sct, CT_POLICY_EVAL_CTX *ctx,
		   const struct keys_trustroot *t, char *why, size_t whysz)
{
	const struct keys_log *log;
	unsigned char *id;
	size_t n = SCT_get0_log_id(sct, &id);
	int v = SCT_validate(sct, ctx);

	ERR_clear_error();
	if (v != 1) {
		v = (int)SCT_get_validation_status(sct);
		snprintf(why, whysz, "%s",
			 v == SCT_VALIDATION_STATUS_UNKNOWN_LOG ?
			 "from a log not in the trusted root" :
			 v == SCT_VALIDATION_STATUS_INVALID ?
			 "its signature does not verify" :
			 "not a valid SCT of this certificate");
		return false;
	}
	if (keys_trustroot_log(&log, t, true, id, n,
			       (time_t)(SCT_get_timestamp(sct) / 1000)) < 0) {
		snprintf(why, whysz, "%s", err_msg());
		return false;
	}
	return true;
}

static int check_scts(STACK_OF(SCT) *scts, CT_POLICY_EVAL_CTX *ctx,
		      const struct keys_trustroot *t)
{
	char why[JP_MSG_MAX] = "";
	int i;

	for (i = 0; i < sk_SCT_num(scts); i++)
		if (sct_ok(sk_SCT_value(scts, i), ctx, t, why, sizeof(why)))
			return 0;
	return err_set(ERR_VERIFY, "SCT: no embedded SCT verifies with a CT "
		       "log of the trusted root (%s)", why);
}

int fulcio_verify_sct(const struct keys_trustroot *t, X509 *leaf,
		      X509 *issuer)
{
	STACK_OF(SCT) *scts;
	CTLOG_STORE *store = NULL;
	CT_POLICY_EVAL_CTX *ctx = NULL;
	int crit = 0, rc;

	scts = X509_get_ext_d2i(leaf, NID_ct_precert_scts, &crit, NULL);
	ERR_clear_error();
	if (!scts || !sk_SCT_num(scts)) {
		SCT_LIST_free(scts);
		return err_set(ERR_VERIFY, "SCT: the certificate has %s",
			       crit == -2 ? "more than one SCT list" :
			       "no embedded SCT");
	}
	if (!t->n_ctlogs)
		rc = err_set(ERR_VERIFY, "SCT: the trusted root has no CT log");
	else if ((rc = ct_store(&store, t)) < 0)
		;
	else if (!(ctx = CT_POLICY_EVAL_CTX_new()) ||
		 CT_POLICY_EVAL_CTX_set1_cert(ctx, leaf) != 1 ||
		 CT_POLICY_EVAL_CTX_set1_issuer(ctx, issuer) != 1)
		rc = err_set_ssl(ERR_NOMEM, "SCT: out of memory");
	else {
		CT_POLICY_EVAL_CTX_set_shared_CTLOG_STORE(ctx, store);
		CT_POLICY_EVAL_CTX_set_time(ctx, not_after_ms(leaf));
		rc = check_scts(scts, ctx, t);
	}
	CT_POLICY_EVAL_CTX_free(ctx);
	CTLOG_STORE_free(store);
	SCT_LIST_free(scts);
	return rc;
}

int fulcio_verify_cert(const struct keys_trustroot *t, X509 *leaf,
		       time_t at, const struct fulcio_identity *want)
{
	X509 *issuer;
	int rc;

	if ((rc = fulcio_verify_chain(&issuer, t, leaf, at)) < 0)
		return rc;
	rc = fulcio_verify_sct(t, leaf, issuer);
	X509_free(issuer);
	if (rc < 0 || !want)
		return rc;
	return fulcio_verify_identity(leaf, want);
}
