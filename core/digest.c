/* digest.c - sha256 content digests as the OCI spec writes them. */
#include <stdio.h>
#include <string.h>
#include <openssl/sha.h>

#include "core.h"

static const char hexdigits[] = "0123456789abcdef";

bool digest_valid(const char *s)
{
	size_t i;

	if (!s || strncmp(s, "sha256:", 7) != 0 || strlen(s) != 7 + 64)
		return false;
	for (i = 7; i < 7 + 64; i++)
		if (!strchr(hexdigits, s[i]) || s[i] == '\0')
			return false;
	return true;
}

int digest_parse(struct digest *out, const char *s)
{
	if (!digest_valid(s))
		return err_set(ERR_FORMAT, "invalid digest '%.80s'",
			       s ? s : "");
	memcpy(out->str, s, 7 + 64 + 1);
	return 0;
}

void digest_of(struct digest *out, const void *data, size_t len)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	size_t i;

	SHA256(data, len, md);
	memcpy(out->str, "sha256:", 7);
	for (i = 0; i < sizeof(md); i++) {
		out->str[7 + 2 * i] = hexdigits[md[i] >> 4];
		out->str[8 + 2 * i] = hexdigits[md[i] & 15];
	}
	out->str[7 + 64] = '\0';
}

int digest_check(const struct digest *want, const void *data, size_t len)
{
	struct digest got;

	digest_of(&got, data, len);
	if (!digest_eq(&got, want))
		return err_set(ERR_INTEGRITY,
			       "content has digest %s, expected %s",
			       got.str, want->str);
	return 0;
}

const char *digest_hex(const struct digest *d)
{
	return d->str + 7;
}

bool digest_eq(const struct digest *a, const struct digest *b)
{
	return strcmp(a->str, b->str) == 0;
}
