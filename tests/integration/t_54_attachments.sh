# shellcheck shell=bash
# What else is attached to an image: attestations (cosign attest's bundle
# referrers), SBOMs and other artifacts are set aside before signatures
# are counted, so 101 attestations do not hide a valid signature; a
# sha256-<hex> tag that holds no referrers index (cosign copy writes the
# image manifest there) is a warning, and the other signature locations
# still decide; signet list shows every attachment by kind; a platform
# manifest of an index signed without --recursive gets a hint. Built with
# signet, curl and openssl against the real docker-registry (no referrers
# API: the tag schema). Sourced by run.sh.

T54=$WORK/t54
mkdir -p "$T54"
R54=$REG_MAIN/t54
T54_MT_MAN=application/vnd.oci.image.manifest.v1+json
T54_MT_IDX=application/vnd.oci.image.index.v1+json
T54_MT_BUNDLE=application/vnd.dev.sigstore.bundle.v0.3+json
T54_MT_EMPTY=application/vnd.oci.empty.v1+json
T54_SLSA=https://slsa.dev/provenance/v1
T54_SIGN=https://sigstore.dev/cosign/sign/v1
plain_key "$KEY_A.key" "$T54/a.pem" || fail "t54: decrypt key A"
plain_key "$KEY_B.key" "$T54/b.pem" || fail "t54: decrypt key B"
printf '{}' >"$T54/empty.json"
T54_EMPTY_DG=$(sha256_file "$T54/empty.json")

# t54_requests: the HTTP requests the last command's SIGNET_DEBUG trace
# shows.
t54_requests() {
	grep -Ec '^signet: debug: .* (GET|HEAD|PUT|POST|PATCH) [^ ]+ -> ' \
		"$LAST_ERR"
}

# t54_bundle OUT HEX PREDICATE N [PEM]: a Sigstore bundle whose DSSE
# statement names sha256:HEX with PREDICATE (N makes it unique), signed
# by key A (or the private key PEM).
t54_bundle() {
	local out=$1 hex=$2 pt=$3 n=$4 pem=${5:-$T54/a.pem} st
	st=$(printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"t54","digest":{"sha256":"%s"}}],"predicateType":"%s","predicate":{"n":%s}}' \
		"$hex" "$pt" "$n")
	printf 'DSSEv1 28 application/vnd.in-toto+json %s %s' "${#st}" "$st" \
		>"$out.pae"
	openssl dgst -sha256 -sign "$pem" -out "$out.sig" "$out.pae" ||
		return 1
	printf '{"mediaType":"%s","verificationMaterial":{"publicKey":{"hint":"t54"}},"dsseEnvelope":{"payload":"%s","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"%s"}]}}' \
		"$T54_MT_BUNDLE" "$(printf '%s' "$st" | b64_nowrap)" \
		"$(b64_nowrap <"$out.sig")" >"$out"
}

# t54_referrer REPO SUBJECT_DIGEST SUBJECT_SIZE ARTIFACT_TYPE BLOB_DIGEST
# BLOB_SIZE BLOB_MT MAN_ANN INDEX_ANN: push a manifest naming the blob
# (already pushed) with SUBJECT (annotations MAN_ANN, a JSON object; the
# empty config pushed) and print the referrers index entry for it
# (annotations INDEX_ANN; no artifactType when ARTIFACT_TYPE is empty).
t54_referrer() {
	local repo=$1 subj=$2 size=$3 at=$4 bdg=$5 bsz=$6 bmt=$7 mann=$8
	local iann=$9 m=$T54/referrer.json dg atm='' ati='' ianm=''
	[ -n "$at" ] && atm="\"artifactType\":\"$at\"," &&
		ati=",\"artifactType\":\"$at\""
	[ "$iann" != '{}' ] && ianm=",\"annotations\":$iann"
	printf '{"schemaVersion":2,"mediaType":"%s",%s"config":{"mediaType":"%s","digest":"%s","size":2},"layers":[{"mediaType":"%s","digest":"%s","size":%s}],"subject":{"mediaType":"%s","digest":"%s","size":%s},"annotations":%s}' \
		"$T54_MT_MAN" "$atm" "$T54_MT_EMPTY" "$T54_EMPTY_DG" "$bmt" \
		"$bdg" "$bsz" "$T54_MT_MAN" "$subj" "$size" "$mann" >"$m"
	dg=$(sha256_file "$m")
	reg_put_manifest "$REG_MAIN" "$repo" "$dg" "$m" >/dev/null || return 1
	printf '{"mediaType":"%s","digest":"%s","size":%s%s%s}\n' \
		"$T54_MT_MAN" "$dg" "$(stat -c %s "$m")" "$ati" "$ianm"
}

# t54_blob REPO FILE: push FILE and the empty config to REPO; sets
# BDG54 and BSZ54 to FILE's digest and size.
t54_blob() {
	reg_put_blob "$REG_MAIN" "$1" "$T54/empty.json" >/dev/null &&
		BDG54=$(reg_put_blob "$REG_MAIN" "$1" "$2") &&
		BSZ54=$(stat -c %s "$2")
}

# t54_index REPO SUBJECT ENTRIES_FILE: the referrers tag index of SUBJECT
# from one descriptor per line of ENTRIES_FILE.
t54_index() {
	jq -cs --arg mt "$T54_MT_IDX" \
		'{schemaVersion: 2, mediaType: $mt, manifests: .}' "$3" |
		tr -d '\n' >"$3.index"
	reg_put_manifest "$REG_MAIN" "$1" "sha256-${2#sha256:}" "$3.index" \
		"$T54_MT_IDX" >/dev/null
}

# t54_attestations REPO:TAG MODE N: push an image with N attestations by
# key A, their predicate type named in the index entry and the manifest
# (MODE index), only in the manifest (manifest), or only in the bundle's
# statement (content); then sign it with key A as a cosign 3 bundle,
# which lands after them in the index. The attestations share one bundle
# and differ by an annotation. Sets DG54.
t54_attestations() {
	local ref=$R54/$1 repo=t54/${1%%:*} mode=$2 n=$3 size i ann iann
	local e=$T54/$mode.entries pt
	DG54=$(push_image "$ref" "t54-$mode") || return 1
	size=$(reg_get_manifest "$REG_MAIN" "$repo" "$DG54" | wc -c)
	t54_bundle "$T54/$mode.json" "${DG54#sha256:}" "$T54_SLSA" 0 &&
		t54_blob "$repo" "$T54/$mode.json" || return 1
	pt="\"dev.sigstore.bundle.predicateType\":\"$T54_SLSA\""
	: >"$e"
	for ((i = 0; i < n; i++)); do
		case $mode in
		index) ann="{$pt,\"t54.n\":\"$i\"}"; iann="{$pt}" ;;
		manifest) ann="{$pt,\"t54.n\":\"$i\"}"; iann='{}' ;;
		content) ann="{\"t54.n\":\"$i\"}"; iann='{}' ;;
		esac
		t54_referrer "$repo" "$DG54" "$size" "$T54_MT_BUNDLE" \
			"$BDG54" "$BSZ54" "$T54_MT_BUNDLE" "$ann" "$iann" \
			>>"$e" || return 1
	done
	t54_index "$repo" "$DG54" "$e" || return 1
	run_cmd "$SIGNET" sign --format sigstore-bundle --key "$KEY_A.key" "$ref"
	[ "$LAST_RC" = 0 ]
}

# ---- 101 attestations and one signature ---------------------------------------

for mode in index manifest content; do
	check "t54: 101 attestations ($mode) and a bundle signature pushed" -- \
		t54_attestations "att-$mode:v1" "$mode" 101 || continue
	SIGNET_DEBUG=1 expect_exit 0 \
		"101 attestations ($mode) do not hide the valid signature" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R54/att-$mode:v1"
	n=$(t54_requests)
	case $mode in
	index) max=20 ;;	# told apart by the index alone
	manifest) max=130 ;;	# one manifest each
	content) max=230 ;;	# manifest and bundle each
	esac
	if [ "$n" -gt 0 ] && [ "$n" -le "$max" ]; then
		pass "attestations ($mode): $n requests (at most $max)"
	else
		fail "attestations ($mode): $n requests (want 1..$max)"
	fi
	log "t54: verify with 101 attestations ($mode): $n requests"
done

# a signature made by key B among them, key A only trusted: still exit 1,
# and attestations are not reported as failing signatures
expect_exit 1 "attestations by a trusted key are no signature" -- \
	"$SIGNET" verify --key "$KEY_B.pub" "$R54/att-index:v1"
expect_stderr_match "1 checked" "only the one signature was checked"

expect_exit 0 "list shows attestations by kind and predicate type" -- \
	"$SIGNET" list --key "$KEY_A.pub" "$R54/att-content:v1"
expect_stdout_match "	attestation	SHA256:[^	]+	$T54_SLSA\$" \
	"an attestation verified by key A shows its key"
expect_stdout_match "	sigstore-bundle	SHA256:" "the signature row is there"
if grep -q 'attestation.*does not verify' "$LAST_OUT"; then
	fail "an attestation is labelled as a failing signature"
else
	pass "no attestation labelled as a failing signature"
fi
expect_exit 0 "list --json of attestations" -- \
	"$SIGNET" list --json --key "$KEY_A.pub" "$R54/att-index:v1"
check "list --json --key: 101 attestations, each verified by key A" -- \
	jq -e '.[0].attachments | length == 101 and
		all(.kind == "attestation" and .checked and .verified and
		    (.key | startswith("SHA256:")) and
		    .type == "https://slsa.dev/provenance/v1")' "$LAST_OUT"
check "list --json: one signature" -- \
	jq -e '.[0].signatures | length == 1' "$LAST_OUT"
expect_exit 0 "list --json without keys" -- \
	"$SIGNET" list --json "$R54/att-index:v1"
check "list --json without keys: attestations not judged" -- \
	jq -e '.[0].attachments | length == 101 and
		all(has("checked") | not)' "$LAST_OUT"

# an attestation by key B on an image signed by key A: listed with --key
# A as not signed by a given key, and it does not change the verdict
DGB54=$(push_image "$R54/att-other:v1" t54-att-other)
SZB54=$(reg_get_manifest "$REG_MAIN" t54/att-other "$DGB54" | wc -c)
t54_bundle "$T54/other.json" "${DGB54#sha256:}" "$T54_SLSA" 0 "$T54/b.pem" &&
	t54_blob t54/att-other "$T54/other.json" &&
	t54_referrer t54/att-other "$DGB54" "$SZB54" "$T54_MT_BUNDLE" \
		"$BDG54" "$BSZ54" "$T54_MT_BUNDLE" \
		"{\"dev.sigstore.bundle.predicateType\":\"$T54_SLSA\"}" \
		"{\"dev.sigstore.bundle.predicateType\":\"$T54_SLSA\"}" \
		>"$T54/other.entries" &&
	t54_index t54/att-other "$DGB54" "$T54/other.entries" ||
	fail "t54: push an attestation by key B"
run_cmd "$SIGNET" sign --key "$KEY_A.key" "$R54/att-other:v1"
expect_exit 0 "list --key A: an attestation by key B" -- \
	"$SIGNET" list --key "$KEY_A.pub" "$R54/att-other:v1"
expect_stdout_match "	attestation	-	$T54_SLSA	not signed by any given key\$" \
	"it is not signed by a given key"
expect_exit 1 "verify --key B: an attestation by key B is no signature" -- \
	"$SIGNET" verify --key "$KEY_B.pub" "$R54/att-other:v1"

# ---- forgery: an attestation dressed as a signature ---------------------------

# the index entry and the manifest say "cosign sign", the bundle holds an
# attestation signed by key A: it must never count as a signature
DGF54=$(push_image "$R54/dressed:v1" t54-dressed)
SZF54=$(reg_get_manifest "$REG_MAIN" t54/dressed "$DGF54" | wc -c)
t54_bundle "$T54/dressed.json" "${DGF54#sha256:}" "$T54_SLSA" 0 &&
	t54_blob t54/dressed "$T54/dressed.json" &&
	t54_referrer t54/dressed "$DGF54" "$SZF54" "$T54_MT_BUNDLE" \
		"$BDG54" "$BSZ54" "$T54_MT_BUNDLE" \
		"{\"dev.sigstore.bundle.predicateType\":\"$T54_SIGN\"}" \
		"{\"dev.sigstore.bundle.predicateType\":\"$T54_SIGN\"}" \
		>"$T54/dressed.entries" &&
	t54_index t54/dressed "$DGF54" "$T54/dressed.entries" ||
	fail "t54: push the dressed attestation"
expect_exit 1 "an attestation announced as a signature does not verify" -- \
	"$SIGNET" verify --key "$KEY_A.pub" "$R54/dressed:v1"
expect_stderr_match "no signatures found" "it is not counted as a signature"

# ---- SBOMs, other artifacts, cosign's .att and .sbom tags ---------------------

DGS54=$(push_image "$R54/sbom:v1" t54-sbom)
SZS54=$(reg_get_manifest "$REG_MAIN" t54/sbom "$DGS54" | wc -c)
printf '{"spdxVersion":"SPDX-2.3"}' >"$T54/sbom.spdx.json"
printf 'hello' >"$T54/readme.txt"
{
	t54_blob t54/sbom "$T54/sbom.spdx.json" &&
	t54_referrer t54/sbom "$DGS54" "$SZS54" application/spdx+json \
		"$BDG54" "$BSZ54" application/spdx+json '{}' '{}' &&
	t54_blob t54/sbom "$T54/readme.txt" &&
	t54_referrer t54/sbom "$DGS54" "$SZS54" application/vnd.example.readme \
		"$BDG54" "$BSZ54" text/plain '{}' '{}'
} >"$T54/sbom.entries" &&
	# hostile: the readme listed again under a type with terminal
	# escapes (told apart by the index alone: never fetched)
	tail -n 1 "$T54/sbom.entries" |
	jq -c '.artifactType = "application/x\u001b]0;pwned\u0007"' \
		>>"$T54/sbom.entries" &&
	t54_index t54/sbom "$DGS54" "$T54/sbom.entries" ||
	fail "t54: push the SBOM and the readme (as oras attach does)"
# cosign 2's .att tag: a DSSE layer per attestation, its predicate type
# in an annotation; .sbom: the SBOM itself
ldg=$(reg_put_blob "$REG_MAIN" t54/sbom "$T54/sbom.spdx.json")
cdg=$(reg_put_blob "$REG_MAIN" t54/sbom "$T54/empty.json")
for t in att sbom; do
	if [ $t = att ]; then
		lmt=application/vnd.dsse.envelope.v1+json
		lann="{\"predicateType\":\"$T54_SLSA\"}"
	else
		lmt=text/spdx+json lann='{}'
	fi
	printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":2},"layers":[{"mediaType":"%s","digest":"%s","size":%s,"annotations":%s}]}' \
		"$T54_MT_MAN" "$cdg" "$lmt" "$ldg" \
		"$(stat -c %s "$T54/sbom.spdx.json")" "$lann" >"$T54/$t.json"
	reg_put_manifest "$REG_MAIN" t54/sbom "sha256-${DGS54#sha256:}.$t" \
		"$T54/$t.json" >/dev/null || fail "t54: push the .$t tag"
done
run_cmd "$SIGNET" sign --key "$KEY_A.key" "$R54/sbom:v1"
expect_exit 0 "list shows SBOMs and artifacts" -- \
	"$SIGNET" list "$R54/sbom:v1"
expect_stdout_match "	sbom	-	application/spdx\\+json\$" "the SBOM referrer"
expect_stdout_match "	artifact	-	application/vnd.example.readme\$" \
	"another artifact type"
expect_stdout_match "	attestation	-	$T54_SLSA	cosign's .att tag\$" \
	"cosign's .att tag"
expect_stdout_match "	sbom	-	text/spdx\\+json	cosign's .sbom tag\$" \
	"cosign's .sbom tag"
expect_stdout_match "	cosign	-	" "and the signature"
expect_stdout_match "	artifact	-	application/x\?\]0;pwned\?\$" \
	"a hostile artifact type is listed without its escapes"
if grep -q "$(printf '\033')" "$LAST_OUT"; then
	fail "list printed a raw escape from the registry"
else
	pass "list prints no raw escape from the registry"
fi
expect_exit 0 "list --json: attachments" -- \
	"$SIGNET" list --json "$R54/sbom:v1"
check "list --json: five attachments by kind" -- \
	jq -e '[.[0].attachments[] | .kind + "@" + .where] | sort ==
		["artifact@referrer", "artifact@referrer", "attestation@.att",
		 "sbom@.sbom", "sbom@referrer"]' "$LAST_OUT"
expect_exit 0 "verify ignores the attachments" -- \
	"$SIGNET" verify --key "$KEY_A.pub" "$R54/sbom:v1"

# ---- a foreign sha256-<hex> tag -------------------------------------------------

# cosign copy writes the image manifest itself under sha256-<hex>
DGC54=$(push_image "$R54/copied:v1" t54-copied)
reg_get_manifest "$REG_MAIN" t54/copied "$DGC54" >"$T54/copied.json"
reg_put_manifest "$REG_MAIN" t54/copied "sha256-${DGC54#sha256:}" \
	"$T54/copied.json" >/dev/null || fail "t54: the foreign referrers tag"
expect_exit 1 "a foreign referrers tag and no signature: exit 1" -- \
	"$SIGNET" verify --key "$KEY_A.pub" "$R54/copied:v1"
expect_stderr_match "^signet: warning: the referrers tag 'sha256-[0-9a-f]{64}' is not a usable referrers index" \
	"the foreign tag is a warning"
expect_stderr_match "no signatures found" "and the verdict is the real one"
expect_exit 1 "verify --json: warnings" -- \
	"$SIGNET" verify --json --key "$KEY_A.pub" "$R54/copied:v1"
check "verify --json: the warning in 'warnings'" -- \
	jq -e '.[0].warnings | length == 1 and
		(.[0] | test("not an image index"))' "$LAST_OUT"
# run: the same warning, and no docker started (a fake one records it)
mkdir -p "$T54/fakebin"
printf '#!/bin/sh\ntouch "%s"\n' "$T54/docker-ran" >"$T54/fakebin/docker"
chmod +x "$T54/fakebin/docker"
expect_exit 1 "run with a foreign referrers tag and no signature: exit 1" -- \
	env PATH="$T54/fakebin:$PATH" "$SIGNET" run --key "$KEY_A.pub" -- \
	docker run "$R54/copied:v1"
expect_stderr_match "^signet: warning: the referrers tag" "run warns too"
check "run started no docker" -- not test -e "$T54/docker-ran"
expect_exit 1 "audit of the repository with a foreign tag" -- \
	"$SIGNET" audit --json --key "$KEY_A.pub" --repo 't54/copied' "$REG_MAIN"
check "audit --json: a 'warning' field" -- \
	jq -se '[.[] | select(.warning)] | length == 1 and
		(.[0].warning | test("referrers tag"))' "$LAST_OUT"
run_cmd "$SIGNET" sign --key "$KEY_A.key" "$R54/copied:v1"
# a valid .sig settles it before the referrers are read: no warning then
expect_exit 0 "a foreign referrers tag and a valid .sig: exit 0" -- \
	"$SIGNET" verify --key "$KEY_A.pub" "$R54/copied:v1"
expect_exit 0 "list with a foreign referrers tag" -- \
	"$SIGNET" list "$R54/copied:v1"
expect_stdout_match "	warning	the referrers tag 'sha256-" "list: a warning row"
expect_stdout_match "	cosign	-	" "list: the .sig signature"
# a foreign tag and a valid signature only among the referrers API's
# answer: t_90_hostile.sh and tests/interop/t_attach.sh

# ---- the --recursive hint -----------------------------------------------------

DGP54=$(push_image "$R54/multi:amd64" t54-amd64)
SZP54=$(reg_get_manifest "$REG_MAIN" t54/multi "$DGP54" | wc -c)
printf '{"schemaVersion":2,"mediaType":"%s","manifests":[{"mediaType":"%s","digest":"%s","size":%s,"platform":{"os":"linux","architecture":"amd64"}}]}' \
	"$T54_MT_IDX" "$T54_MT_MAN" "$DGP54" "$SZP54" >"$T54/multi.json"
reg_put_manifest "$REG_MAIN" t54/multi v1 "$T54/multi.json" "$T54_MT_IDX" \
	>/dev/null || fail "t54: push the index"
run_cmd "$SIGNET" sign --key "$KEY_A.key" "$R54/multi:v1"
expect_exit 1 "a platform manifest of an index signed alone: exit 1" -- \
	"$SIGNET" verify --key "$KEY_A.pub" "$R54/multi@$DGP54"
expect_stderr_match "^signet: hint: .*sign --recursive" "the --recursive hint"
expect_exit 1 "by tag: no hint" -- \
	"$SIGNET" verify --key "$KEY_A.pub" "$R54/multi:amd64"
expect_stderr_nomatch "hint" "no hint for an image named by tag"
run_cmd "$SIGNET" sign --recursive --key "$KEY_A.key" "$R54/multi:v1"
expect_exit 0 "signed with --recursive, the platform manifest verifies" -- \
	"$SIGNET" verify --key "$KEY_A.pub" "$R54/multi@$DGP54"
