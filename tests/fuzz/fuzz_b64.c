/*
 * fuzz_b64.c - the strict base64 decoders (core/b64.c), both alphabets.
 * Properties: one value has one encoding, so whatever decodes re-encodes
 * to the very input; whatever is encoded decodes back to itself; a
 * failed decode leaves what the buffer held before untouched.
 */
#include "fuzz.h"
#include "../../core/core.h"

typedef int (*decode_fn)(struct buf *out, const char *s, size_t len);
typedef char *(*encode_fn)(const void *data, size_t len);

static void check_decode(const uint8_t *data, size_t size, decode_fn dec,
			 encode_fn enc)
{
	struct buf b;
	char *again;

	/* decoders append: start with bytes that must survive */
	buf_init(&b, 0);
	FUZZ_CHECK(buf_append(&b, "kept", 4) == 0);
	if (dec(&b, (const char *)data, size) == 0) {
		FUZZ_CHECK(b.len >= 4 && memcmp(b.data, "kept", 4) == 0);
		FUZZ_CHECK(b.data[b.len] == '\0');
		again = enc(b.data + 4, b.len - 4);
		FUZZ_CHECK(again != NULL);
		FUZZ_CHECK(strlen(again) == size &&
			   memcmp(again, data, size) == 0);
		free(again);
	} else {
		FUZZ_CHECK(b.len == 4 && memcmp(b.data, "kept", 5) == 0);
	}
	buf_release(&b);
}

static void check_encode(const uint8_t *data, size_t size, decode_fn dec,
			 encode_fn enc)
{
	char *s = enc(data, size);
	struct buf b;

	FUZZ_CHECK(s != NULL);
	buf_init(&b, 0);
	FUZZ_CHECK(dec(&b, s, strlen(s)) == 0);
	FUZZ_CHECK(b.len == size && (!size || memcmp(b.data, data, size) == 0));
	buf_release(&b);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_decode(data, size, b64_decode, b64_encode);
	check_decode(data, size, b64url_decode, b64url_encode);
	check_encode(data, size, b64_decode, b64_encode);
	check_encode(data, size, b64url_decode, b64url_encode);
	err_clear();
	return 0;
}
