/*
 * anchors.c - the certificates a --key file holds, which verify also
 * trusts as Notary anchors (the file's first certificate's key is the
 * cosign key).
 */
#include <stdio.h>
#include <string.h>

#include "keys.h"

int keys_load_anchors(X509 ***certs, size_t *n, const char *path)
{
	char head[8192];
	FILE *f;
	size_t len;

	*certs = NULL;
	*n = 0;
	/* a file that cannot be read: keys_load_public reports it */
	if (!(f = fopen(path, "r")))
		return 0;
	len = fread(head, 1, sizeof(head) - 1, f);
	fclose(f);
	head[len] = '\0';
	if (!strstr(head, "-----BEGIN CERTIFICATE-----"))
		return 0;
	return keys_load_certs(certs, n, path);
}
