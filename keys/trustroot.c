/*
 * trustroot.c - a parsed Sigstore trusted root (formats/trustedroot.c)
 * as OpenSSL objects: each log's key as an EVP_PKEY of exactly the kind
 * the root names, each authority's chain as X509s; and the lookups a
 * keyless verification makes: the log that signed an entry, by its key
 * id, at the time it signed; the authorities trusted at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "keys.h"

/* Does @key hold the kind of key @kind names? */
static bool kind_matches(EVP_PKEY *key, enum tr_key_kind kind)
{
	char group[32] = "";
	size_t n = 0;

	switch (kind) {
	case TR_KEY_ED25519:
		return EVP_PKEY_is_a(key, "ED25519");
	case TR_KEY_RSA_PKCS1:
	case TR_KEY_RSA_PKCS1_RAW:
		return EVP_PKEY_is_a(key, "RSA") &&
		       EVP_PKEY_get_bits(key) >= 2048;
	default:
		break;
	}
	if (!EVP_PKEY_is_a(key, "EC") ||
	    EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME,
					   group, sizeof(group), &n) != 1)
		return false;
	return (kind == TR_KEY_ECDSA_P256 && !strcmp(group, "prime256v1")) ||
	       (kind == TR_KEY_ECDSA_P384 && !strcmp(group, "secp384r1")) ||
	       (kind == TR_KEY_ECDSA_P521 && !strcmp(group, "secp521r1"));
}

static int load_log(struct keys_log *out, const struct tr_log *in,
		    const char *list, size_t i)
{
	const unsigned char *p = in->spki.data;

	out->kind = in->kind;
	out->valid = in->valid;
	if (!in->spki.len || !in->log_id.len ||
	    in->log_id.len > sizeof(out->id))
		return err_set(ERR_FORMAT, "trusted root: .%s[%zu]: no key or "
			       "key id", list, i);
	memcpy(out->id, in->log_id.data, in->log_id.len);
	out->id_len = in->log_id.len;
	snprintf(out->base_url, sizeof(out->base_url), "%s",
		 in->base_url ? in->base_url : "");
	if (in->kind == TR_KEY_RSA_PKCS1_RAW)
		out->key = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p,
					 (long)in->spki.len);
	else
		out->key = d2i_PUBKEY(NULL, &p, (long)in->spki.len);
	if (!out->key || p != in->spki.data + in->spki.len)
		return err_set_ssl(ERR_FORMAT, "trusted root: .%s[%zu]."
				   "publicKey.rawBytes: not one DER public "
				   "key", list, i);
	if (!kind_matches(out->key, in->kind))
		return err_set(ERR_FORMAT, "trusted root: .%s[%zu].publicKey"
			       ".rawBytes: not the kind of key keyDetails "
			       "names", list, i);
	return keys_spki_sha256(out->spki_sha256, out->key);
}

static int load_ca(struct keys_ca *out, const struct tr_ca *in,
		   const char *list, size_t i)
{
	int rc;

	out->valid = in->valid;
	snprintf(out->uri, sizeof(out->uri), "%s", in->uri ? in->uri : "");
	if ((rc = keys_certs_from_der(&out->certs, &out->n_certs, in->certs,
				      in->n_certs)) < 0)
		return err_wrap(rc, "trusted root: .%s[%zu].certChain", list,
				i);
	if (!out->n_certs)
		return err_set(ERR_FORMAT, "trusted root: .%s[%zu].certChain: "
			       "no certificates", list, i);
	return 0;
}

static int load_logs(struct keys_log **out, size_t *n,
		     const struct tr_log *in, size_t n_in, const char *list)
{
	size_t i;
	int rc;

	if (!n_in)
		return 0;
	if (!(*out = calloc(n_in, sizeof(**out))))
		return err_set(ERR_NOMEM, "out of memory");
	*n = n_in;
	for (i = 0; i < n_in; i++)
		if ((rc = load_log(&(*out)[i], &in[i], list, i)) < 0)
			return rc;
	return 0;
}

static int load_cas(struct keys_ca **out, size_t *n, const struct tr_ca *in,
		    size_t n_in, const char *list)
{
	size_t i;
	int rc;

	if (!n_in)
		return 0;
	if (!(*out = calloc(n_in, sizeof(**out))))
		return err_set(ERR_NOMEM, "out of memory");
	*n = n_in;
	for (i = 0; i < n_in; i++)
		if ((rc = load_ca(&(*out)[i], &in[i], list, i)) < 0)
			return rc;
	return 0;
}

int keys_trustroot_new(struct keys_trustroot **out,
		       const struct trustedroot *tr)
{
	struct keys_trustroot *t = calloc(1, sizeof(*t));
	int rc;

	*out = NULL;
	if (!t)
		return err_set(ERR_NOMEM, "out of memory");
	if ((rc = load_logs(&t->tlogs, &t->n_tlogs, tr->tlogs, tr->n_tlogs,
			    "tlogs")) < 0 ||
	    (rc = load_logs(&t->ctlogs, &t->n_ctlogs, tr->ctlogs,
			    tr->n_ctlogs, "ctlogs")) < 0 ||
	    (rc = load_cas(&t->cas, &t->n_cas, tr->cas, tr->n_cas,
			   "certificateAuthorities")) < 0 ||
	    (rc = load_cas(&t->tsas, &t->n_tsas, tr->tsas, tr->n_tsas,
			   "timestampAuthorities")) < 0) {
		keys_trustroot_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

void keys_trustroot_free(struct keys_trustroot *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n_tlogs; i++)
		EVP_PKEY_free(t->tlogs[i].key);
	for (i = 0; i < t->n_ctlogs; i++)
		EVP_PKEY_free(t->ctlogs[i].key);
	for (i = 0; i < t->n_cas; i++)
		keys_certs_free(t->cas[i].certs, t->cas[i].n_certs);
	for (i = 0; i < t->n_tsas; i++)
		keys_certs_free(t->tsas[i].certs, t->tsas[i].n_certs);
	free(t->tlogs);
	free(t->ctlogs);
	free(t->cas);
	free(t->tsas);
	free(t);
}

static void hex_of(char *out, size_t outsz, const unsigned char *p,
		   size_t n)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < n && 2 * i + 2 < outsz; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void window_str(char *out, size_t outsz, const struct tr_window *w)
{
	char a[RFC3339_MAX] = "?", b[RFC3339_MAX] = "";

	(void)rfc3339_format(a, w->start);
	if (w->has_end)
		(void)rfc3339_format(b, w->end);
	snprintf(out, outsz, "valid from %s%s%s", a, w->has_end ? " to " : "",
		 b);
}

bool keys_trustroot_has_log(const struct keys_trustroot *t, bool ct,
			    const void *id, size_t id_len)
{
	const struct keys_log *logs = ct ? t->ctlogs : t->tlogs;
	size_t i, n = ct ? t->n_ctlogs : t->n_tlogs;

	for (i = 0; i < n; i++)
		if (logs[i].id_len == id_len &&
		    memcmp(logs[i].id, id, id_len) == 0)
			return true;
	return false;
}

int keys_trustroot_log(const struct keys_log **out,
		       const struct keys_trustroot *t, bool ct,
		       const void *id, size_t id_len, time_t at)
{
	const struct keys_log *logs = ct ? t->ctlogs : t->tlogs;
	size_t i, n = ct ? t->n_ctlogs : t->n_tlogs;
	const struct keys_log *seen = NULL;
	char hex[130], when[RFC3339_MAX] = "?", win[96];

	*out = NULL;
	for (i = 0; i < n; i++) {
		if (logs[i].id_len != id_len ||
		    memcmp(logs[i].id, id, id_len) != 0)
			continue;
		if (tr_window_has(&logs[i].valid, at)) {
			*out = &logs[i];
			return 0;
		}
		seen = &logs[i];
	}
	hex_of(hex, sizeof(hex), id, id_len);
	if (!seen)
		return err_set(ERR_VERIFY, "no %s log with key id %s in the "
			       "trusted root", ct ? "certificate transparency"
			       : "transparency", hex);
	(void)rfc3339_format(when, at);
	window_str(win, sizeof(win), &seen->valid);
	return err_set(ERR_VERIFY, "the key of %s log %s was not valid at %s "
		       "(%s)", ct ? "certificate transparency" : "transparency",
		       hex, when, win);
}

size_t keys_trustroot_cas_at(const struct keys_ca **out, size_t max,
			     const struct keys_trustroot *t, bool tsa,
			     time_t at)
{
	const struct keys_ca *cas = tsa ? t->tsas : t->cas;
	size_t i, k = 0, n = tsa ? t->n_tsas : t->n_cas;

	for (i = 0; i < n && k < max; i++)
		if (tr_window_has(&cas[i].valid, at))
			out[k++] = &cas[i];
	return k;
}

int keys_log_verify(const struct keys_log *log, const void *data,
		    size_t len, const void *sig, size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const EVP_MD *md = EVP_sha256();
	int ok;

	if (!ctx)
		return err_set(ERR_NOMEM, "out of memory");
	if (log->kind == TR_KEY_ED25519)
		md = NULL;
	else if (log->kind == TR_KEY_ECDSA_P384)
		md = EVP_sha384();
	else if (log->kind == TR_KEY_ECDSA_P521)
		md = EVP_sha512();
	ok = EVP_DigestVerifyInit(ctx, NULL, md, NULL, log->key) == 1 &&
	     EVP_DigestVerify(ctx, sig, siglen, data, len) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		ERR_clear_error();
		return err_set(ERR_VERIFY, "signature does not verify with "
			       "the log's key");
	}
	return 0;
}
