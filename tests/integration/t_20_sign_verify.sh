# shellcheck shell=bash
# signet sign / verify / list on a plain-HTTP loopback registry.
# Sourced by run.sh.

T20=$WORK/t20
mkdir -p "$T20"
R20=$REG_MAIN/t20

# t20_sig_manifest REPO DIGEST OUT: fetch the image's .sig manifest.
t20_sig_manifest() {
	reg_get_manifest "$REG_MAIN" "t20/$1" "$(sig_tag "$2")" >"$3"
}

# Every layer of a .sig manifest is cosign simple signing with a signature
# annotation, and the manifest itself is an OCI image manifest.
t20_sig_manifest_shape() {
	jq -e '
		.mediaType == "application/vnd.oci.image.manifest.v1+json" and
		.config.mediaType == "application/vnd.oci.image.config.v1+json" and
		(.layers | length) > 0 and
		all(.layers[];
			.mediaType == "application/vnd.dev.cosign.simplesigning.v1+json" and
			(.annotations["dev.cosignproject.cosign/signature"] | type) == "string")
	' "$1" >/dev/null
}

# t20_config_ok REPO SIGMANIFEST: the config blob is there, matches its
# descriptor, and its rootfs.diff_ids are the layers' digests (as cosign).
t20_config_ok() {
	local c=$T20/$1.config
	reg_get_blob "$REG_MAIN" "t20/$1" "$(jq -r .config.digest "$2")" >"$c" ||
		return 1
	[ "$(sha256_file "$c")" = "$(jq -r .config.digest "$2")" ] || return 1
	[ "$(stat -c %s "$c")" = "$(jq -r .config.size "$2")" ] || return 1
	jq -e --slurpfile m "$2" \
		'.rootfs.diff_ids == [$m[0].layers[].digest]' "$c" >/dev/null
}

# t20_payload_ok PAYLOAD REPO DIGEST OPTIONAL_JSON
t20_payload_ok() {
	jq -e --arg ref "$R20/$2" --arg dg "$3" --argjson opt "$4" '
		.critical.identity["docker-reference"] == $ref and
		.critical.image["docker-manifest-digest"] == $dg and
		.critical.type == "cosign container image signature" and
		.optional == $opt
	' "$1" >/dev/null
}

# t20_openssl_verifies PUB PAYLOAD B64SIG: the signature checks out with
# openssl alone, over the exact payload bytes.
t20_openssl_verifies() {
	printf '%s' "$3" | base64 -d >"$T20/sig.bin" 2>/dev/null || return 1
	openssl dgst -sha256 -verify "$1" -signature "$T20/sig.bin" "$2" \
		>/dev/null 2>&1
}

t20_happy_path() {
	local dg m pl sig pinned
	dg=$(push_image "$R20/app:v1" t20-app) || { fail "push t20/app"; return; }
	pinned=$R20/app@$dg

	expect_exit 0 "sign by tag" -- "$SIGNET" sign --key "$KEY_A.key" "$R20/app:v1"
	expect_stdout_eq "$pinned" "sign prints REGISTRY/REPO@sha256:HEX"
	expect_stderr_match 'tag|digest' "sign warns when given a tag"

	m=$T20/app.sig.json
	if check "the .sig tag exists" -- t20_sig_manifest app "$dg" "$m"; then
		check ".sig manifest is cosign's shape" -- t20_sig_manifest_shape "$m"
		check ".sig manifest has one layer" -- \
			test "$(jq '.layers | length' "$m")" = 1
		pl=$T20/app.payload
		reg_get_blob "$REG_MAIN" t20/app "$(jq -r '.layers[0].digest' "$m")" >"$pl"
		check "payload blob matches the layer digest" -- test \
			"$(sha256_file "$pl")" = "$(jq -r '.layers[0].digest' "$m")"
		check "payload names repo, digest, type; optional null" -- \
			t20_payload_ok "$pl" app "$dg" null
		check ".sig config blob lists the payload digests (diff_ids)" -- \
			t20_config_ok app "$m"
		sig=$(jq -r '.layers[0].annotations["dev.cosignproject.cosign/signature"]' "$m")
		check "signature verifies with openssl and A.pub" -- \
			t20_openssl_verifies "$KEY_A.pub" "$pl" "$sig"
	fi

	expect_exit 0 "verify by tag" -- "$SIGNET" verify --key "$KEY_A.pub" "$R20/app:v1"
	expect_stdout_eq "$pinned" "verify by tag prints the pinned reference"
	expect_exit 0 "verify by digest" -- "$SIGNET" verify --key "$KEY_A.pub" "$pinned"
	expect_stdout_eq "$pinned" "verify by digest prints the pinned reference"

	expect_exit 0 "sign by digest" -- "$SIGNET" sign --key "$KEY_A.key" "$pinned"
	expect_stdout_eq "$pinned" "sign by digest prints the pinned reference"
	expect_stderr_nomatch 'warn' "no tag warning when signing a digest"

	# docker run "$(signet verify …)": the printed reference is the image.
	local ref
	ref=$(HOME=$TEST_HOME "$SIGNET" verify --key "$KEY_A.pub" "$R20/app:v1" 2>/dev/null </dev/null)
	check "verify output pins the pushed digest" -- test "${ref##*@}" = "$dg"
	check "verify output is usable as a reference" -- test \
		"$(reg_get_manifest "$REG_MAIN" t20/app "${ref##*@}" | sha256sum | cut -d' ' -f1)" = \
		"${dg#sha256:}"

	expect_exit 0 "common options after the command" -- \
		"$SIGNET" verify --insecure-registry "$REG_MAIN" --timeout 10 \
		--key "$KEY_A.pub" "$R20/app:v1"
	expect_stdout_eq "$pinned" "verify with common options prints the pinned reference"
	expect_exit 0 "list" -- "$SIGNET" list "$R20/app:v1"
	expect_exit 0 "list --json" -- "$SIGNET" list --json "$R20/app:v1"
	check "list --json is valid JSON" -- jq -e . "$LAST_OUT" >/dev/null
	expect_exit 0 "verify --json" -- "$SIGNET" verify --json --key "$KEY_A.pub" "$R20/app:v1"
	check "verify --json is valid JSON" -- jq -e . "$LAST_OUT" >/dev/null
	check "verify --json names the digest" -- grep -q "$dg" "$LAST_OUT"
}

t20_two_keys() {
	local dg
	dg=$(push_image "$R20/twokeys:v1" t20-twokeys) || { fail "push"; return; }
	expect_exit 0 "sign with A" -- "$SIGNET" sign --key "$KEY_A.key" "$R20/twokeys@$dg"
	expect_exit 1 "verify with B only exits 1" -- \
		"$SIGNET" verify --key "$KEY_B.pub" "$R20/twokeys@$dg"
	check "no stdout when verification fails" -- test ! -s "$LAST_OUT"
	expect_exit 0 "verify with B then A exits 0" -- \
		"$SIGNET" verify --key "$KEY_B.pub" --key "$KEY_A.pub" "$R20/twokeys@$dg"
	expect_stdout_eq "$R20/twokeys@$dg" "verify B,A prints the pinned reference"
}

t20_annotations() {
	local dg m pl
	dg=$(push_image "$R20/ann:v1" t20-ann) || { fail "push"; return; }
	expect_exit 0 "sign -a env=prod" -- \
		"$SIGNET" sign --key "$KEY_A.key" -a env=prod "$R20/ann@$dg"
	m=$T20/ann.sig.json
	if t20_sig_manifest ann "$dg" "$m"; then
		pl=$T20/ann.payload
		reg_get_blob "$REG_MAIN" t20/ann "$(jq -r '.layers[0].digest' "$m")" >"$pl"
		check "payload optional is {\"env\":\"prod\"}" -- \
			t20_payload_ok "$pl" ann "$dg" '{"env":"prod"}'
	else
		fail "the .sig tag exists (annotations)"
	fi
	expect_exit 0 "verify -a env=prod" -- \
		"$SIGNET" verify --key "$KEY_A.pub" -a env=prod "$R20/ann@$dg"
	expect_exit 1 "verify -a env=dev exits 1" -- \
		"$SIGNET" verify --key "$KEY_A.pub" -a env=dev "$R20/ann@$dg"
	expect_exit 1 "verify -a missing=x exits 1" -- \
		"$SIGNET" verify --key "$KEY_A.pub" -a missing=x "$R20/ann@$dg"
	expect_exit 0 "verify without -a accepts an annotated signature" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R20/ann@$dg"
	expect_exit 0 "list --json on an annotated signature" -- \
		"$SIGNET" list --json "$R20/ann@$dg"
	check "list --json shows the annotation" -- \
		jq -e '[.. | objects | select(.env? == "prod")] | length > 0' "$LAST_OUT" >/dev/null
	local d2
	d2=$(push_image "$R20/ann2:v1" t20-ann2) || { fail "push"; return; }
	expect_exit 0 "sign -a with '=' and spaces in the value, two -a" -- \
		"$SIGNET" sign --key "$KEY_A.key" -a 'note=a=b c' -a env=prod "$R20/ann2@$d2"
	m=$T20/ann2.sig.json
	t20_sig_manifest ann2 "$d2" "$m"
	reg_get_blob "$REG_MAIN" t20/ann2 "$(jq -r '.layers[0].digest' "$m")" >"$T20/ann2.payload"
	check "payload optional is {note: \"a=b c\", env: prod}" -- \
		t20_payload_ok "$T20/ann2.payload" ann2 "$d2" '{"note":"a=b c","env":"prod"}'
	expect_exit 0 "verify -a 'note=a=b c' -a env=prod" -- \
		"$SIGNET" verify --key "$KEY_A.pub" -a 'note=a=b c' -a env=prod "$R20/ann2@$d2"
	expect_exit 1 "verify -a note=a (prefix of the value) exits 1" -- \
		"$SIGNET" verify --key "$KEY_A.pub" -a note=a "$R20/ann2@$d2"
	expect_exit 2 "sign -a without '=' is a usage error" -- \
		"$SIGNET" sign --key "$KEY_A.key" -a novalue "$R20/ann@$dg"
}

t20_two_signatures() {
	local dg m
	dg=$(push_image "$R20/both:v1" t20-both) || { fail "push"; return; }
	expect_exit 0 "sign with A" -- "$SIGNET" sign --key "$KEY_A.key" "$R20/both@$dg"
	expect_exit 0 "sign with B" -- "$SIGNET" sign --key "$KEY_B.key" "$R20/both@$dg"
	m=$T20/both.sig.json
	t20_sig_manifest both "$dg" "$m"
	check ".sig manifest keeps both signatures (2 layers)" -- \
		test "$(jq '.layers | length' "$m" 2>/dev/null)" = 2
	check ".sig manifest with 2 signatures is cosign's shape" -- \
		t20_sig_manifest_shape "$m"
	check ".sig config blob lists both payload digests" -- t20_config_ok both "$m"
	expect_exit 0 "verify with A" -- "$SIGNET" verify --key "$KEY_A.pub" "$R20/both@$dg"
	expect_exit 0 "verify with B" -- "$SIGNET" verify --key "$KEY_B.pub" "$R20/both@$dg"
	expect_exit 0 "list shows the signatures" -- "$SIGNET" list "$R20/both@$dg"
	expect_exit 0 "list --json" -- "$SIGNET" list --json "$R20/both@$dg"
	check "list --json is valid JSON" -- jq -e . "$LAST_OUT" >/dev/null
	check "list --json has 2 signature entries" -- test "$(t20_count_sigs "$LAST_OUT")" = 2
}

# Count signature entries in list --json output (an array of per-image
# objects, each with a "signatures" array).
t20_count_sigs() {
	jq '[.. | objects | select(has("signatures")) | .signatures | length] | add // 0' "$1"
}

t20_multi() {
	local d1 d2 d3
	d1=$(push_image "$R20/multi1:v1" t20-m1) || { fail "push"; return; }
	d2=$(push_image "$R20/multi2:v1" t20-m2) || { fail "push"; return; }
	d3=$(push_image "$R20/multi3:v1" t20-m3) || { fail "push"; return; }
	expect_exit 0 "sign two images in one call" -- \
		"$SIGNET" sign --key "$KEY_A.key" "$R20/multi1:v1" "$R20/multi2@$d2"
	expect_stdout_eq "$R20/multi1@$d1
$R20/multi2@$d2" "sign prints one pinned line per image, in order"
	expect_exit 0 "verify two images in one call" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R20/multi1@$d1" "$R20/multi2:v1"
	expect_stdout_eq "$R20/multi1@$d1
$R20/multi2@$d2" "verify prints one pinned line per image, in order"
	expect_exit 1 "verify with one unsigned image among them exits 1" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R20/multi1@$d1" "$R20/multi3@$d3"
	check "the unsigned image is not printed" -- \
		not grep -q "$d3" "$LAST_OUT"
	expect_exit 0 "verify --json, two images" -- \
		"$SIGNET" verify --json --key "$KEY_A.pub" "$R20/multi1@$d1" "$R20/multi2@$d2"
	check "verify --json (two images) parses with jq" -- \
		jq -s -e 'length > 0' "$LAST_OUT" >/dev/null
}

t20_happy_path
t20_two_keys
t20_annotations
t20_two_signatures
t20_multi
