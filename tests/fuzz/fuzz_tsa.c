/*
 * fuzz_tsa.c - RFC 3161 timestamps: the input as a TimeStampResp or a
 * bare token (verify/tsa.c), verified over the staging bundle's
 * signature (tests/data/keyless/staging-rekor-v2.txt.sigstore.json)
 * against its timestamp authority's root as the one anchor, and with no
 * authority trusted at all.
 * Properties: a refused token's message starts "timestamp: " and leaves
 * the time 0; nothing verifies without an authority; a verified token
 * states a time after the anchor's notBefore (the corpus holds the real
 * token, so both ways are reached).
 */
#include <openssl/x509.h>

#include "fuzz.h"
#include "../../core/core.h"
#include "../../verify/verify.h"

/* messageSignature.signature of the staging bundle */
static const char sig_b64[] =
	"MEUCIAZ6T8AUZSCBZaKJksLlSilNqEEOt4ZyGMGepUpKp7VGAiEAs/X0kMJTnEOu"
	"z/DLWxTL4wBVNkiWIUDF36EED70396A=";
/* the last certificate of timestampAuthorities[0] of
 * tests/data/keyless/staging_trusted_root.json (sigstore-tsa-selfsigned,
 * notBefore 2025-03-28T09:14:06Z) */
static const char root_b64[] =
	"MIIB9zCCAXygAwIBAgIUCPExEFKiQh0dP4sp5ltmSYSSkFUwCgYIKoZIzj0EAwMw"
	"OTEVMBMGA1UEChMMc2lnc3RvcmUuZGV2MSAwHgYDVQQDExdzaWdzdG9yZS10c2Et"
	"c2VsZnNpZ25lZDAeFw0yNTAzMjgwOTE0MDZaFw0zNTAzMjYwODE0MDZaMDkxFTAT"
	"BgNVBAoTDHNpZ3N0b3JlLmRldjEgMB4GA1UEAxMXc2lnc3RvcmUtdHNhLXNlbGZz"
	"aWduZWQwdjAQBgcqhkjOPQIBBgUrgQQAIgNiAATt0tIDWyo4ARfL9BaSo0W5bJQE"
	"bKJTU/u7llvdjSI5aTkOAJa8tixn2+LEfPG4dMFdsMPtsIuU1qn2OqFiuMk6vHv/"
	"c+az25RQVY1oo50iMb0jIL3N4FgwhPFpZnCbQPOjRTBDMA4GA1UdDwEB/wQEAwIB"
	"BjASBgNVHRMBAf8ECDAGAQH/AgEAMB0GA1UdDgQWBBQ7IEZZXrUyTUcwzm5j7nN0"
	"R/IEfTAKBggqhkjOPQQDAwNpADBmAjEA2MI1VXgbf3dUOSc95hSRypBKOab18eh2"
	"xzQtxUsHvWeY+1iFgyMluUuNR6taoSmFAjEA31m2czguZhKYX+4JSKu5pRYhBTXA"
	"d8KKQ3xdPRX/qCaLvT2qJAEQ1YQM3EJRrtI7";
#define ROOT_NOT_BEFORE 1743153246

static struct buf sig;
static X509 *root;

static void init(void)
{
	struct buf der;
	const unsigned char *p;

	if (root)
		return;
	buf_init(&sig, 0);
	buf_init(&der, 0);
	FUZZ_CHECK(b64_decode(&sig, sig_b64, strlen(sig_b64)) == 0);
	FUZZ_CHECK(b64_decode(&der, root_b64, strlen(root_b64)) == 0);
	p = (const unsigned char *)der.data;
	root = d2i_X509(NULL, &p, (long)der.len);
	FUZZ_CHECK(root != NULL);
	buf_release(&der);
}

static void check_refused(int rc, const time_t *at)
{
	FUZZ_CHECK(rc < 0 && *at == 0);
	FUZZ_CHECK(rc == ERR_NOMEM ||
		   strncmp(err_msg(), "timestamp: ", 11) == 0);
	err_clear();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	time_t at = 1;
	int rc;

	init();
	rc = tsa_verify(&at, NULL, &root, 1, data, size, sig.data, sig.len);
	if (rc == 0)
		FUZZ_CHECK(at >= ROOT_NOT_BEFORE);
	else
		check_refused(rc, &at);
	at = 1;
	check_refused(tsa_verify(&at, NULL, NULL, 0, data, size, sig.data,
				 sig.len), &at);
	return 0;
}
