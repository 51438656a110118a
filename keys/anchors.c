/*
 * anchors.c - the certificates a --key file holds, which verify also
 * trusts as Notary anchors (the file's first certificate's key is the
 * cosign key).
 */
#include <string.h>

#include "internal.h"
#include "keys.h"

int keys_load_anchors(X509 ***certs, size_t *n, const char *path)
{
	static const char pem[] = "-----BEGIN CERTIFICATE-----";
	unsigned char *data;
	size_t len;
	bool has;

	*certs = NULL;
	*n = 0;
	/* a file that cannot be read: keys_load_public reports it */
	if (keys_file_read(&data, &len, path, false) < 0)
		return 0;
	has = memmem(data, len, pem, sizeof(pem) - 1) != NULL;
	keys_file_free(data, len);
	return has ? keys_load_certs(certs, n, path) : 0;
}
