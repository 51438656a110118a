/*
 * anchors.c - the certificates a --key file holds, which verify also
 * trusts as Notary anchors (the file's first certificate's key is the
 * cosign key).
 */
#include <string.h>

#include "internal.h"
#include "keys.h"

#define ANCHOR_HEAD 8191	/* bytes of the file looked at */

/* The anchors of a key file's contents: none unless its head, as a text,
 * names a certificate (a certificate further in, or past a NUL, is no
 * anchor: keys.h). */
static int anchors_parse(X509 ***certs, size_t *n, const unsigned char *data,
			 size_t all, const char *path)
{
	static const char pem[] = "-----BEGIN CERTIFICATE-----";
	const unsigned char *nul;
	size_t len = all > ANCHOR_HEAD ? ANCHOR_HEAD : all;

	*certs = NULL;
	*n = 0;
	nul = memchr(data, '\0', len);
	if (!memmem(data, nul ? (size_t)(nul - data) : len, pem,
		    sizeof(pem) - 1))
		return 0;
	return keys_certs_parse(certs, n, data, all, path);
}

int keys_load_trusted(EVP_PKEY **key, X509 ***certs, size_t *n,
		      const char *path)
{
	unsigned char *data;
	size_t all;
	int rc;

	*key = NULL;
	*certs = NULL;
	*n = 0;
	if (keys_is_pkcs11(path))	/* its message */
		return keys_load_public(key, path);
	if ((rc = keys_file_read(&data, &all, path, false)) < 0)
		return rc;
	if ((rc = keys_public_parse(key, data, all, path)) == 0 &&
	    (rc = anchors_parse(certs, n, data, all, path)) < 0) {
		EVP_PKEY_free(*key);
		*key = NULL;
	}
	keys_file_free(data, all);
	return rc;
}
