/*
 * anchors.c - the certificates a --key file holds, which verify also
 * trusts as Notary anchors (the file's first certificate's key is the
 * cosign key).
 */
#include <string.h>

#include "internal.h"
#include "keys.h"

#define ANCHOR_HEAD 8191	/* bytes of the file looked at */

int keys_load_anchors(X509 ***certs, size_t *n, const char *path)
{
	static const char pem[] = "-----BEGIN CERTIFICATE-----";
	unsigned char *data, *nul;
	size_t len, all;
	bool has;

	*certs = NULL;
	*n = 0;
	/* a file that cannot be read: keys_load_public reports it */
	if (keys_file_read(&data, &all, path, false) < 0) {
		err_clear();
		return 0;
	}
	len = all;
	/* only the head, as a text: a certificate further in, or past a
	 * NUL, is no anchor (keys.h) */
	if (len > ANCHOR_HEAD)
		len = ANCHOR_HEAD;
	nul = memchr(data, '\0', len);
	has = memmem(data, nul ? (size_t)(nul - data) : len, pem,
		     sizeof(pem) - 1) != NULL;
	keys_file_free(data, all);
	return has ? keys_load_certs(certs, n, path) : 0;
}
