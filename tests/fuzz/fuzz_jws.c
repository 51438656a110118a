/*
 * fuzz_jws.c - Notary Project signatures: jws_parse on the input, then what
 * verify does with a parsed envelope (the x5c chain through
 * keys_certs_from_der, the signature with the leaf's key, the chain
 * against a fixed anchor, notation's e2e.crt) and notary_payload_parse on
 * its payload; and notary_payload_parse on the input itself.
 * Properties: a parsed envelope has one to JWS_CERTS_MAX certificates and
 * a known algorithm; its times format and parse back to themselves.
 */
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "fuzz.h"
#include "../../formats/formats.h"
#include "../../keys/keys.h"

/* tests/data/notation/certs/e2e.crt */
static const char e2e_crt[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIDOjCCAiKgAwIBAgIBUTANBgkqhkiG9w0BAQsFADBLMQswCQYDVQQGEwJVUzEL\n"
	"MAkGA1UECBMCV0ExEDAOBgNVBAcTB1NlYXR0bGUxDzANBgNVBAoTBk5vdGFyeTEM\n"
	"MAoGA1UEAxMDZTJlMCAXDTIyMTIxOTAyNDMzOVoYDzIxMjIxMjE5MDI0MzM5WjBL\n"
	"MQswCQYDVQQGEwJVUzELMAkGA1UECBMCV0ExEDAOBgNVBAcTB1NlYXR0bGUxDzAN\n"
	"BgNVBAoTBk5vdGFyeTEMMAoGA1UEAxMDZTJlMIIBIjANBgkqhkiG9w0BAQEFAAOC\n"
	"AQ8AMIIBCgKCAQEAwNrKIzpESDkY7Kah+sWKeXDNE7yUBaqW58cyMtkpk9/Q6QLb\n"
	"ndMxdt8VjD3y4bSBhZXLdUkW0S4hSNZXQwkYm3yooxJXj+uOI9NnEPt/gAkPYri4\n"
	"TdKpTFSBzE4uJ0HrYDBUir3Dars/CXiusmdCnSWKsgm05ItkHdHEGtor716aWdnG\n"
	"uFNvyzJyaC3XLFpo1OwEwTyxf4Yix4UtvwNDB4TOJRH84avSoFCua8xbRpiBJ0Qo\n"
	"X6zY0Yr9qbvMBQIcmpQ3uWOiEeVMDjRE0XzhiWSevVfZTPJcYpsAyBTJGJLIcHU7\n"
	"JMYnwKP6IzUg5T589lvRVD7up4sAC7izOKGzPQIDAQABoycwJTAOBgNVHQ8BAf8E\n"
	"BAMCB4AwEwYDVR0lBAwwCgYIKwYBBQUHAwMwDQYJKoZIhvcNAQELBQADggEBAKac\n"
	"aJ+O9rTIdfLHCdneLQ6RN92Id5dl8PGh/Xig3AWSOtLgIiRRsdxVH5PZkGOHosel\n"
	"lQG5fCvQOwB0x8O+2YDKLOfgVIJWd6X85NdvyCdX2ElYRmvX9ON5WVguGLluwkOf\n"
	"J26M8d8ftXrcc97qaKk4EHS8R/LCWqZNDRiRCA0OtNP9cUkKFaIG1hgWgEieVWnx\n"
	"rCyUDbTX3uCiJKNzSOmI3psF3WIhabU7/7gBm95nWhgwS91qAxavccVkY6hqAPj9\n"
	"tjJH5UPI5RR8kDB5rWiCIx1YHuH+z1eAYUHWVvZvneVniNBI8qGoGBz9HkrX5ecf\n"
	"+V7zaxyy0FoWlEX1z8k=\n"
	"-----END CERTIFICATE-----\n";

static X509 *anchor;

static void init(void)
{
	BIO *bio;

	if (anchor)
		return;
	bio = BIO_new_mem_buf(e2e_crt, -1);
	anchor = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	FUZZ_CHECK(anchor != NULL);
}

static void check_payload(const void *data, size_t len)
{
	struct notary_target t;

	if (notary_payload_parse(&t, data, len) < 0) {
		FUZZ_CHECK(t.doc == NULL);
		return;
	}
	FUZZ_CHECK(t.media_type && *t.media_type);
	FUZZ_CHECK(digest_valid(t.digest.str));
	FUZZ_CHECK(!t.annotations || json_is_object(t.annotations));
	notary_target_release(&t);
}

static void check_time(time_t t)
{
	char s[32];
	time_t back;

	if (jws_time_format(s, t) < 0)
		return;
	FUZZ_CHECK(jws_time_parse(&back, s) == 0 && back == t);
}

static void check_chain(const struct jws *j)
{
	X509 **certs = NULL;
	X509 *const trusted[1] = { anchor };
	char why[256], sub[256], thumb[65];
	size_t n = 0;
	EVP_PKEY *key;

	if (keys_certs_from_der(&certs, &n, j->certs, j->n_certs) < 0) {
		FUZZ_CHECK(certs == NULL && n == 0);
		return;
	}
	FUZZ_CHECK(n == j->n_certs);
	keys_cert_subject(sub, sizeof(sub), certs[0]);
	FUZZ_CHECK(memchr(sub, '\0', sizeof(sub)));
	(void)keys_cert_thumbprint(thumb, certs[0]);
	key = X509_get0_pubkey(certs[0]);
	if (key)
		(void)keys_jws_verify(key, j->alg, j->signing_input.data,
				      j->signing_input.len, j->signature.data,
				      j->signature.len);
	why[0] = '\0';
	(void)keys_notary_check_chain(certs, n, trusted, 1, j->signing_time,
				      why, sizeof(why));
	FUZZ_CHECK(memchr(why, '\0', sizeof(why)));
	keys_certs_free(certs, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jws j;

	init();
	if (jws_parse(&j, data, size) == 0) {
		FUZZ_CHECK(j.n_certs >= 1 && j.n_certs <= JWS_CERTS_MAX);
		FUZZ_CHECK(j.alg[0] && memchr(j.alg, '\0', sizeof(j.alg)));
		FUZZ_CHECK(j.cty != NULL);
		check_time(j.signing_time);
		if (j.has_expiry)
			check_time(j.expiry);
		check_chain(&j);
		check_payload(j.payload.data, j.payload.len);
	}
	jws_release(&j);
	check_payload(data, size);
	err_clear();
	return 0;
}
