/*
 * attach.c - what a referrer is, from what identifies it without fetching
 * more: the artifact type and annotations the referrers index (or the
 * referrer's manifest) gives, and, as a last resort, the predicate type
 * of the in-toto statement a bundle carries. Attestations, SBOMs and
 * other artifacts are set aside before anything counts as a signature.
 * Nothing here decides trust: a referrer set aside is only not looked at
 * as a signature, which a registry could achieve by deleting it anyway.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "formats.h"

const char *attach_kind_name(enum attach_kind k)
{
	switch (k) {
	case ATTACH_ATTESTATION:
		return "attestation";
	case ATTACH_SBOM:
		return "sbom";
	case ATTACH_OTHER:
		return "artifact";
	default:
		return "signature";
	}
}

/* Does @s contain @word, ignoring case? */
static bool has_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; *s; s++)
		if (strncasecmp(s, word, n) == 0)
			return true;
	return false;
}

/* An artifact type an SBOM travels under: SPDX, CycloneDX, syft's. */
static bool sbom_type(const char *t)
{
	return has_word(t, "spdx") || has_word(t, "cyclonedx") ||
	       has_word(t, "syft") || has_word(t, "sbom");
}

/* A type that holds an attestation: in-toto or a bare DSSE envelope. */
static bool attestation_type(const char *t)
{
	return has_word(t, "in-toto") || has_word(t, "dsse");
}

enum attach_kind attach_classify(const char *artifact_type,
				 const json_t *annotations, char *type,
				 size_t typesz)
{
	const char *pt = jx_str(annotations, ANN_BUNDLE_PREDICATE);
	bool untyped = !artifact_type || !*artifact_type ||
		       strcmp(artifact_type, MT_OCI_EMPTY) == 0;

	type[0] = '\0';
	/* cosign 3 names the predicate of every bundle it pushes */
	if (pt && strcmp(pt, COSIGN_SIGN_PREDICATE) != 0 &&
	    (untyped || has_word(artifact_type, "sigstore.bundle") ||
	     attestation_type(artifact_type))) {
		str_sanitize(type, typesz, pt);
		return ATTACH_ATTESTATION;
	}
	if (untyped || referrer_formats(artifact_type))
		return ATTACH_UNKNOWN;	/* may be a signature of ours */
	str_sanitize(type, typesz, pt ? pt : artifact_type);
	if (attestation_type(artifact_type))
		return ATTACH_ATTESTATION;
	if (sbom_type(artifact_type))
		return ATTACH_SBOM;
	return ATTACH_OTHER;
}

enum attach_kind attach_classify_layer(const char *media_type,
				       const json_t *annotations, char *type,
				       size_t typesz)
{
	const char *pt = jx_str(annotations, "predicateType");

	type[0] = '\0';
	if (pt) {
		str_sanitize(type, typesz, pt);
		return ATTACH_ATTESTATION;
	}
	str_sanitize(type, typesz, media_type ? media_type : "");
	if (media_type && attestation_type(media_type))
		return ATTACH_ATTESTATION;
	if (media_type && sbom_type(media_type))
		return ATTACH_SBOM;
	return ATTACH_OTHER;
}
