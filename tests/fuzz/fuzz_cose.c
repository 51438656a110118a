/*
 * fuzz_cose.c - Notary Project signatures in COSE: cose_parse on the
 * input, then what verify does with a parsed envelope (the x5chain through
 * keys_certs_from_der, the signature with the leaf's key, the chain
 * against the leaf itself as anchor) and notary_payload_parse on its
 * payload. The seeds are real notation COSE envelopes
 * (tests/data/notation/cose) and mutations of them.
 * Properties: a parsed envelope has one to JWS_CERTS_MAX non-empty
 * certificates, a known algorithm, the Notary content type, a signing
 * input that starts as a Sig_structure does, and an expiry after its
 * signing time.
 */
#include <openssl/x509.h>

#include "fuzz.h"
#include "../../formats/formats.h"
#include "../../keys/keys.h"

/* ["Signature1", ...: a CBOR array of four, then the 10-byte text. */
static const unsigned char sig1_head[] = {
	0x84, 0x6a, 'S', 'i', 'g', 'n', 'a', 't', 'u', 'r', 'e', '1',
};

static void check_payload(const void *data, size_t len)
{
	struct notary_target t;

	if (notary_payload_parse(&t, data, len) < 0) {
		FUZZ_CHECK(t.doc == NULL);
		return;
	}
	FUZZ_CHECK(t.media_type && *t.media_type);
	FUZZ_CHECK(digest_valid(t.digest.str));
	notary_target_release(&t);
}

static void check_chain(const struct jws *j)
{
	X509 **certs = NULL;
	char why[256];
	size_t n = 0;
	EVP_PKEY *key;

	if (keys_certs_from_der(&certs, &n, j->certs, j->n_certs) < 0) {
		FUZZ_CHECK(certs == NULL && n == 0);
		return;
	}
	FUZZ_CHECK(n == j->n_certs);
	key = X509_get0_pubkey(certs[0]);
	if (key)
		(void)keys_jws_verify(key, j->alg, j->signing_input.data,
				      j->signing_input.len, j->signature.data,
				      j->signature.len);
	why[0] = '\0';
	(void)keys_notary_check_chain(certs, n, certs + n - 1, 1,
				      j->signing_time, why, sizeof(why));
	FUZZ_CHECK(memchr(why, '\0', sizeof(why)));
	keys_certs_free(certs, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jws j;
	size_t i;

	if (cose_parse(&j, data, size) == 0) {
		FUZZ_CHECK(j.n_certs >= 1 && j.n_certs <= JWS_CERTS_MAX);
		for (i = 0; i < j.n_certs; i++)
			FUZZ_CHECK(j.certs[i].len > 0);
		FUZZ_CHECK(j.alg[0] && memchr(j.alg, '\0', sizeof(j.alg)));
		FUZZ_CHECK(j.cty && strcmp(j.cty, NOTARY_PAYLOAD_TYPE) == 0);
		FUZZ_CHECK(j.signing_input.len > sizeof(sig1_head) &&
			   memcmp(j.signing_input.data, sig1_head,
				  sizeof(sig1_head)) == 0);
		FUZZ_CHECK(j.payload.len > 0 && j.signature.len > 0);
		FUZZ_CHECK(!j.has_expiry || j.expiry > j.signing_time);
		check_chain(&j);
		check_payload(j.payload.data, j.payload.len);
	}
	jws_release(&j);
	err_clear();
	return 0;
}
