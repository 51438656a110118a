/*
 * b64.c - strict base64 (RFC 4648): the standard alphabet with padding and
 * the URL alphabet without. Decoders reject whitespace, stray padding and
 * non-zero trailing bits, so one value has one encoding.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

static const char std_alpha[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alpha[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *encode(const void *data, size_t len, const char *alpha, bool pad)
{
	const unsigned char *p = data;
	size_t outlen = (len + 2) / 3 * 4 + 1, i, o = 0;
	char *out;

	if (len > SIZE_MAX / 2 || !(out = malloc(outlen)))
		return NULL;
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 |
			     p[i + 2];
		out[o++] = alpha[v >> 18];
		out[o++] = alpha[(v >> 12) & 63];
		out[o++] = alpha[(v >> 6) & 63];
		out[o++] = alpha[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		out[o++] = alpha[v >> 18];
		out[o++] = alpha[(v >> 12) & 63];
		if (i + 1 < len)
			out[o++] = alpha[(v >> 6) & 63];
		else if (pad)
			out[o++] = '=';
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

char *b64_encode(const void *data, size_t len)
{
	return encode(data, len, std_alpha, true);
}

char *b64url_encode(const void *data, size_t len)
{
	return encode(data, len, url_alpha, false);
}

static int decode(struct buf *out, const char *s, size_t len,
		  const char *alpha, bool pad)
{
	unsigned char val[256];
	size_t i, nchar, rem;
	uint32_t acc = 0;
	int bits = 0, rc;
	size_t start = out->len;

	memset(val, 0xff, sizeof(val));
	for (i = 0; i < 64; i++)
		val[(unsigned char)alpha[i]] = (unsigned char)i;
	nchar = len;
	if (pad) {
		if (len % 4)
			goto bad;
		if (len && s[len - 1] == '=')
			nchar--;
		if (len && nchar < len && s[len - 2] == '=')
			nchar--;
	}
	rem = nchar % 4;
	if (rem == 1)
		goto bad;
	for (i = 0; i < nchar; i++) {
		unsigned char c = val[(unsigned char)s[i]];

		if (c == 0xff)
			goto bad;
		acc = acc << 6 | c;
		bits += 6;
		if (bits >= 8) {
			unsigned char byte;

			bits -= 8;
			byte = (unsigned char)(acc >> bits);
			if ((rc = buf_append(out, &byte, 1)) < 0) {
				out->len = start;
				if (out->data)
					out->data[start] = '\0';
				return rc;
			}
		}
	}
	/* leftover bits must be zero for a canonical encoding */
	if (bits && (acc & ((1u << bits) - 1)))
		goto bad;
	return 0;
bad:
	/* leave nothing half-decoded behind */
	out->len = start;
	if (out->data)
		out->data[start] = '\0';
	return err_set(ERR_FORMAT, "invalid base64 data");
}

int b64_decode(struct buf *out, const char *s, size_t len)
{
	return decode(out, s, len, std_alpha, true);
}

int b64url_decode(struct buf *out, const char *s, size_t len)
{
	return decode(out, s, len, url_alpha, false);
}
