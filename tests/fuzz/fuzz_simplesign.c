/*
 * fuzz_simplesign.c - cosign simple-signing payloads: simplesign_parse and
 * verify_simplesign with fixed keys (cosign.pub and cosign2.pub from
 * tests/data/cosign), once with the keys and once with none (which
 * reaches the claim checks for any payload).
 *
 * Input: the payload bytes, checked against the signature of the valid
 * containers/image vector; or a containers/image signature file
 * ("\0sigstore-json\n" + JSON with the base64 payload and the signature
 * annotation), so the corpus can hold real signed payloads.
 *
 * Properties: a parsed payload builds back (simplesign_build) into one
 * that parses the same; verify_simplesign never calls a signature valid
 * without a key that verifies it, or with claims that do not hold.
 */
#include <openssl/pem.h>

#include "fuzz.h"
#include "../../formats/formats.h"
#include "../../registry/registry.h"
#include "../../verify/verify.h"

#define SIG_MAGIC "\0sigstore-json\n"
#define SIG_MAGIC_LEN (sizeof(SIG_MAGIC) - 1)

/* tests/data/cosign/cosign.pub and cosign2.pub */
static const char cosign_pub[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEFNLqFhf4fiN6o/glAuYnq2jYUeL0\n"
	"vRuLu/z39pmbVwS9ff5AYnlwaP9sxREajdLY9ynM6G1sy6AAmb7Z63TsLg==\n"
	"-----END PUBLIC KEY-----\n";
static const char cosign2_pub[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEwOkOF9xpfG8ghueIhnZ66ooujwt1\n"
	"+ReV3HupgKnGFYnEh3Hh1YTg5L6kN1Yakkt5WltRoav8/R3hpCtUO3Rldw==\n"
	"-----END PUBLIC KEY-----\n";

/* dir-img-cosign-valid: its signature, image digest and repository */
static const char valid_sig[] =
	"MEYCIQDmtamqYPjMg81nqeBhptrPls44aA/r7PwLmspINJY4MwIhANKRpqe2E9UCBtGF"
	"dPoz/8jAbaQm4uP4h+IpwKTE6ClR";
static const char valid_image[] = "sha256:"
	"634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00";
static const char valid_repo[] =
	"192.168.64.2:5000/cosign-signed-single-sample";

static EVP_PKEY *keys[2];
static struct kvlist want_ann;

static EVP_PKEY *pem_key(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;

	BIO_free(bio);
	FUZZ_CHECK(k != NULL);
	return k;
}

static void init(void)
{
	if (keys[0])
		return;
	keys[0] = pem_key(cosign_pub);
	keys[1] = pem_key(cosign2_pub);
	FUZZ_CHECK(kvlist_add_arg(&want_ann, "creator=signet") == 0);
}

static void report_release(struct sig_report *s)
{
	free(s->docker_ref);
	json_decref(s->annotations);
	memset(s, 0, sizeof(*s));
}

static void check_parse(const void *payload, size_t len)
{
	struct simplesign p, q;
	struct buf b;

	if (simplesign_parse(&p, payload, len) < 0) {
		FUZZ_CHECK(p.doc == NULL);
		return;
	}
	FUZZ_CHECK(p.docker_ref != NULL);
	FUZZ_CHECK(digest_valid(p.image.str));
	FUZZ_CHECK(!p.optional || json_is_object(p.optional));
	/* build it back without the annotations: it must parse the same */
	buf_init(&b, 0);
	FUZZ_CHECK(simplesign_build(&b, p.docker_ref, &p.image, NULL) == 0);
	FUZZ_CHECK(simplesign_parse(&q, b.data, b.len) == 0);
	FUZZ_CHECK(strcmp(q.docker_ref, p.docker_ref) == 0);
	FUZZ_CHECK(digest_eq(&q.image, &p.image));
	FUZZ_CHECK(q.optional == NULL);
	simplesign_release(&q);
	buf_release(&b);
	simplesign_release(&p);
}

static void check_verify(const void *payload, size_t len, const char *sig)
{
	struct verify_opts with = { .keys = keys, .n_keys = 2 };
	struct verify_opts none = { .annotations = &want_ann };
	struct digest image;
	struct sig_report s;
	int rc;

	FUZZ_CHECK(digest_parse(&image, valid_image) == 0);

	memset(&s, 0, sizeof(s));
	s.key_index = s.cert_index = -1;
	rc = verify_simplesign(payload, len, sig, &image, valid_repo, &with,
			       &s);
	FUZZ_CHECK((rc == 0) == s.valid);
	FUZZ_CHECK(!s.valid || (s.claims_ok && s.key_index >= 0));
	FUZZ_CHECK(!s.claims_ok || s.key_index >= 0);
	FUZZ_CHECK(memchr(s.reason, '\0', sizeof(s.reason)));
	report_release(&s);

	memset(&s, 0, sizeof(s));
	s.key_index = s.cert_index = -1;
	rc = verify_simplesign(payload, len, sig, &image, valid_repo, &none,
			       &s);
	FUZZ_CHECK(rc == ERR_VERIFY && !s.valid && !s.claims_ok);
	report_release(&s);
}

/* A containers/image signature file: payload and signature out of it. */
static void signature_file(const uint8_t *data, size_t size)
{
	json_t *doc = NULL;
	const char *p64, *sig;
	struct buf payload;

	if (jx_parse(&doc, data + SIG_MAGIC_LEN, size - SIG_MAGIC_LEN,
		     "signature file") < 0)
		return;
	p64 = jx_str(doc, "payload");
	sig = jx_str(json_object_get(doc, "annotations"),
		     "dev.cosignproject.cosign/signature");
	buf_init(&payload, SIGBLOB_MAX);
	if (p64 && b64_decode(&payload, p64, strlen(p64)) == 0) {
		check_parse(payload.data, payload.len);
		check_verify(payload.data, payload.len, sig);
	}
	buf_release(&payload);
	json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	init();
	if (size >= SIG_MAGIC_LEN && memcmp(data, SIG_MAGIC,
					    SIG_MAGIC_LEN) == 0) {
		signature_file(data, size);
	} else {
		check_parse(data, size);
		check_verify(data, size, valid_sig);
	}
	err_clear();
	return 0;
}
