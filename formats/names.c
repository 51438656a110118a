/*
 * names.c - the signature formats by name: the one place that spells
 * them, for the command line, the policy file and the reports alike.
 */
#include <stdio.h>
#include <string.h>

#include "formats.h"

static const char *const names[FORMAT_COUNT] = {
	[FORMAT_COSIGN] = "cosign",
	[FORMAT_BUNDLE] = "sigstore-bundle",
	[FORMAT_NOTATION] = "notation",
};

const char *format_name(enum sig_format f)
{
	return (unsigned)f < FORMAT_COUNT ? names[f] : "?";
}

bool format_by_name(enum sig_format *out, const char *name)
{
	unsigned f;

	for (f = 0; name && f < FORMAT_COUNT; f++)
		if (strcmp(name, names[f]) == 0) {
			*out = (enum sig_format)f;
			return true;
		}
	return false;
}

void format_list(char *out, size_t outsz, unsigned set)
{
	size_t used = 0;
	unsigned f;
	int n;

	if (outsz)
		out[0] = '\0';
	for (f = 0; f < FORMAT_COUNT; f++) {
		if (!(set & FORMAT_BIT(f)) || used >= outsz)
			continue;
		n = snprintf(out + used, outsz - used, "%s%s",
			     used ? ", " : "", names[f]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}
