/*
 * fuzz_wwwauth.c - the WWW-Authenticate challenge parser (registry/http.c,
 * http_challenge_param) on any header value, for the parameters the token
 * flow asks for and others, into buffers of many sizes, each exactly that
 * large so that a write past the end is caught.
 * Properties: a value found is NUL-terminated within the buffer; the
 * answer does not depend on the buffer size once the value fits.
 */
#include "fuzz.h"
#include "../../registry/internal.h"

static const char *const names[] = {
	"realm", "service", "scope", "error", "REALM", "",
};
static const size_t sizes[] = { 0, 1, 2, 3, 8, 64, 256, 1024, 4096 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *ch = fuzz_cstr(data, size), *big;
	size_t i, k;

	if (!ch)
		return 0;
	big = malloc(size + 1);
	for (i = 0; big && i < sizeof(names) / sizeof(names[0]); i++) {
		/* a buffer as large as the header cannot be too small */
		bool whole = http_challenge_param(ch, names[i], big, size + 1);

		if (whole)
			FUZZ_CHECK(strlen(big) <= size);
		for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			char *out = malloc(sizes[k] ? sizes[k] : 1);
			bool found;

			if (!out)
				break;
			found = http_challenge_param(ch, names[i], out,
						     sizes[k]);
			if (found) {
				FUZZ_CHECK(whole);
				FUZZ_CHECK(strlen(out) < sizes[k]);
				FUZZ_CHECK(strcmp(out, big) == 0);
			} else if (whole) {
				/* only because the value does not fit */
				FUZZ_CHECK(strlen(big) + 1 > sizes[k]);
			}
			free(out);
		}
	}
	free(big);
	free(ch);
	return 0;
}
