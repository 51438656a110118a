/*
 * fuzz_bundle.c - cosign 3 signatures: bundle_parse on the input, then
 * the DSSE signature over the PAE with a fixed key (the throw-away key
 * that signed the corpus's bundles), then statement_parse on the payload;
 * and statement_parse on the input itself, so statements can be fuzzed
 * without their envelope.
 * Properties: a parsed bundle has a known version, its lists within
 * their caps, and either a DSSE envelope whose PAE is exactly the DSSE
 * encoding of its statement or a message digest of a known length; a
 * parsed statement names one sha256 subject.
 */
#include <openssl/pem.h>

#include "fuzz.h"
#include "../../formats/formats.h"
#include "../../keys/keys.h"

/* Public half of the P-256 key that signed tests/fuzz/corpus/bundle/. */
static const char bundle_pub[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEnCI4qRX1wH5ysAcM9PWcxMLLwKc+\n"
	"fi8N8l+uCxZuXnKWhdV3hGue1Z/2cULgioc6X3iRlnaQOctQIJGKDEbbIg==\n"
	"-----END PUBLIC KEY-----\n";

static EVP_PKEY *key;

static void init(void)
{
	BIO *bio;

	if (key)
		return;
	bio = BIO_new_mem_buf(bundle_pub, -1);
	key = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	FUZZ_CHECK(key != NULL);
}

static void check_statement(const void *data, size_t len)
{
	struct statement st;

	if (statement_parse(&st, data, len) < 0) {
		FUZZ_CHECK(st.doc == NULL);
		return;
	}
	FUZZ_CHECK(digest_valid(st.subject.str));
	FUZZ_CHECK(!st.annotations || json_is_object(st.annotations));
	statement_release(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle b;
	struct buf pae;

	init();
	if (bundle_parse(&b, data, size) == 0) {
		FUZZ_CHECK(b.minor >= 1 && b.minor <= 3);
		FUZZ_CHECK(b.n_certs <= BUNDLE_CERTS_MAX &&
			   b.n_tlog <= BUNDLE_TLOG_MAX &&
			   b.n_tsa <= BUNDLE_TSA_MAX);
		FUZZ_CHECK(b.dsse || (b.md && (b.digest_len == 32 ||
					       b.digest_len == 48 ||
					       b.digest_len == 64)));
		buf_init(&pae, 0);
		FUZZ_CHECK(dsse_pae(&pae, DSSE_TYPE_INTOTO, b.statement.data,
				    b.statement.len) == 0);
		FUZZ_CHECK(!b.dsse || (pae.len == b.pae.len &&
			   memcmp(pae.data, b.pae.data, pae.len) == 0));
		buf_release(&pae);
		/* verify first, as verify.c does; parse either way */
		(void)keys_verify_sha256(key, b.pae.data, b.pae.len,
					 b.sig.data, b.sig.len);
		check_statement(b.statement.data, b.statement.len);
		bundle_release(&b);
	} else {
		FUZZ_CHECK(b.doc == NULL);
	}
	check_statement(data, size);
	err_clear();
	return 0;
}
