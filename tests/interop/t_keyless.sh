# shellcheck shell=bash
# signet verify-blob against cosign verify-blob (the pinned release from
# peers.sh), offline, on every real bundle of tests/data/keyless and on
# forgeries of each check made here with jq: both must reach the same
# verdict (verified, or refused). Where they differ on purpose the case
# says so and why, and asserts the difference. Sourced by run.sh (COSIGN,
# SIGNET and lib.sh's helpers).

TK=$WORK/t_keyless
mkdir -p "$TK"
TKD=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../data/keyless
TK_PROD=$TKD/production_trusted_root.json
TK_STAGE=$TKD/staging_trusted_root.json
TK_SCAF=$TKD/scaffolding_trusted_root.json
TK_ANY=(--certificate-identity-regexp '.*' --certificate-oidc-issuer-regexp '.*')
TK_GHA=https://token.actions.githubusercontent.com
TK_GH=https://github.com/login/oauth

# tk_verdict: "ok" or "refused" from the last command's exit status
tk_verdict() {
	if [ "$LAST_RC" = 0 ]; then echo ok; else echo refused; fi
}

# tk_case WANT DESC ROOT BUNDLE ARTIFACT [identity options...]: both
# tools give verdict WANT ("ok" or "refused").
tk_case() {
	local want=$1 desc=$2 root=$3 b=$4 art=$5 s c
	shift 5
	run_cmd "$SIGNET" verify-blob --bundle "$b" --trusted-root "$root" \
		"$@" "$art"
	s=$(tk_verdict)
	case $LAST_RC in 0 | 1) ;; *) fail "$desc: signet exit $LAST_RC"
		last_detail; return 1 ;; esac
	run_cmd "$COSIGN" verify-blob --bundle "$b" --trusted-root "$root" \
		"$@" "$art"
	c=$(tk_verdict)
	if [ "$s" = "$want" ] && [ "$c" = "$want" ]; then
		pass "$desc: both $want"
	else
		fail "$desc: expected both $want, signet $s, cosign $c"
		last_detail
	fi
}

# tk_differs DESC WHY ROOT BUNDLE ARTIFACT [options...]: signet refuses,
# cosign accepts, for the reason WHY (a deliberate difference).
tk_differs() {
	local desc=$1 why=$2 root=$3 b=$4 art=$5 s c
	shift 5
	run_cmd "$SIGNET" verify-blob --bundle "$b" --trusted-root "$root" \
		"$@" "$art"
	s=$(tk_verdict)
	run_cmd "$COSIGN" verify-blob --bundle "$b" --trusted-root "$root" \
		"$@" "$art"
	c=$(tk_verdict)
	if [ "$s" = refused ] && [ "$c" = ok ]; then
		pass "$desc: signet refuses, cosign accepts ($why)"
	else
		fail "$desc: expected signet refused / cosign ok ($why), got" \
			"signet $s, cosign $c"
	fi
}

# tk_forge NAME SRC JQ-FILTER [jq args...]: a copy of SRC through jq.
tk_forge() {
	local name=$1 src=$2 filter=$3
	shift 3
	jq "$@" "$filter" "$src" >"$TK/$name" || fail "jq forge $name"
	echo "$TK/$name"
}

# jq: flip character N of string S between A and B
TK_FLIP='def flip(n): .[0:n] + (if .[n:n+1] == "A" then "B" else "A" end) + .[n+1:];'

TK_WHL=$TKD/bundle_v3_github.whl
TK_WHL_ID=https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2
TK_OTHER=$TKD/othername.sigstore.json
TK_OTHER_D=sha256:$(jq -r .messageSignature.messageDigest.digest "$TK_OTHER" |
	base64 -d | od -An -v -tx1 | tr -d ' \n')
TK_JS=$TKD/sigstore.js@2.0.0-provenance.sigstore.json
TK_JS_D=sha512:$(jq -r .dsseEnvelope.payload "$TK_JS" | base64 -d |
	jq -r '.subject[0].digest.sha512')
TK_V2=$TKD/staging-rekor-v2.txt.sigstore.json
TK_V2_D=sha256:$(jq -r .messageSignature.messageDigest.digest "$TK_V2" |
	base64 -d | od -An -v -tx1 | tr -d ' \n')

# ---- the real bundles ----------------------------------------------------------

tk_case ok "v0.2 chain, GitHub Actions, the file" "$TK_PROD" \
	"$TK_WHL.sigstore" "$TK_WHL" --certificate-identity "$TK_WHL_ID" \
	--certificate-oidc-issuer "$TK_GHA"
tk_case ok "v0.1 chain, staging" "$TK_STAGE" "$TKD/bundle.txt.sigstore" \
	"$TKD/bundle.txt" --certificate-identity a@tny.town \
	--certificate-oidc-issuer "$TK_GH"
tk_case ok "v0.3 private instance, otherName" "$TK_SCAF" "$TK_OTHER" \
	"$TK_OTHER_D" --certificate-identity 'foo!oidc.local' \
	--certificate-oidc-issuer http://oidc.local:8080
tk_case ok "v0.1 DSSE intoto" "$TK_PROD" "$TK_JS" "$TK_JS_D" "${TK_ANY[@]}"
tk_case ok "v0.3 Rekor v2 with a timestamp" "$TK_STAGE" "$TK_V2" "$TK_V2_D" \
	--certificate-identity jku@goto.fi --certificate-oidc-issuer "$TK_GH"

# ---- forgeries -------------------------------------------------------------------

tk_case refused "another file" "$TK_PROD" "$TK_WHL.sigstore" \
	"$TKD/bundle.txt" "${TK_ANY[@]}"
b=$(tk_forge sig.json "$TK_OTHER" "$TK_FLIP"' .messageSignature.signature |= flip(10)')
tk_case refused "signature flipped" "$TK_SCAF" "$b" "$TK_OTHER_D" \
	"${TK_ANY[@]}"
b=$(tk_forge dsig.json "$TK_JS" "$TK_FLIP"' .dsseEnvelope.signatures[0].sig |= flip(10)')
tk_case refused "DSSE signature flipped" "$TK_PROD" "$b" "$TK_JS_D" \
	"${TK_ANY[@]}"
b=$(tk_forge set.json "$TK_OTHER" "$TK_FLIP"' .verificationMaterial.tlogEntries[0].inclusionPromise.signedEntryTimestamp |= flip(20)')
tk_case refused "SET tampered" "$TK_SCAF" "$b" "$TK_OTHER_D" "${TK_ANY[@]}"
b=$(tk_forge body.json "$TK_OTHER" \
	'.verificationMaterial.tlogEntries[0].canonicalizedBody = $w[0].verificationMaterial.tlogEntries[0].canonicalizedBody' \
	--slurpfile w "$TK_WHL.sigstore")
tk_case refused "log entry of another signature" "$TK_SCAF" "$b" \
	"$TK_OTHER_D" "${TK_ANY[@]}"
b=$(tk_forge time.json "$TK_OTHER" '.verificationMaterial.tlogEntries[0].integratedTime = "1720811190"')
tk_case refused "integrated time moved" "$TK_SCAF" "$b" "$TK_OTHER_D" \
	"${TK_ANY[@]}"
b=$(tk_forge proof.json "$TK_OTHER" "$TK_FLIP"' .verificationMaterial.tlogEntries[0].inclusionProof.hashes[0] |= flip(5)')
tk_case refused "inclusion proof hash tampered" "$TK_SCAF" "$b" \
	"$TK_OTHER_D" "${TK_ANY[@]}"
b=$(tk_forge ckpt.json "$TK_JS" '.verificationMaterial.tlogEntries[0].inclusionProof.checkpoint.envelope |= sub("\n27657875\n"; "\n27657876\n")')
tk_case refused "checkpoint tampered" "$TK_PROD" "$b" "$TK_JS_D" \
	"${TK_ANY[@]}"
b=$(tk_forge v2ts.json "$TK_V2" 'del(.verificationMaterial.timestampVerificationData)')
tk_case refused "Rekor v2 without its timestamp" "$TK_STAGE" "$b" \
	"$TK_V2_D" "${TK_ANY[@]}"
b=$(tk_forge v2tsx.json "$TK_V2" "$TK_FLIP"' .verificationMaterial.timestampVerificationData.rfc3161Timestamps[0].signedTimestamp |= flip(-10)')
tk_case refused "timestamp tampered" "$TK_STAGE" "$b" "$TK_V2_D" \
	"${TK_ANY[@]}"
tk_case refused "wrong identity" "$TK_PROD" "$TK_WHL.sigstore" "$TK_WHL" \
	--certificate-identity https://github.com/evil/repo \
	--certificate-oidc-issuer "$TK_GHA"
tk_case refused "wrong issuer" "$TK_PROD" "$TK_WHL.sigstore" "$TK_WHL" \
	--certificate-identity "$TK_WHL_ID" \
	--certificate-oidc-issuer https://accounts.google.com
tk_case refused "untrusted CA (another instance's root)" "$TK_PROD" \
	"$TK_OTHER" "$TK_OTHER_D" "${TK_ANY[@]}"
b=$(tk_forge mt.json "$TK_OTHER" '.mediaType = "application/vnd.dev.sigstore.bundle.v0.9+json"')
tk_case refused "unknown media type" "$TK_SCAF" "$b" "$TK_OTHER_D" \
	"${TK_ANY[@]}"
b=$(tk_forge member.json "$TK_OTHER" '.verificationMaterial.extra = 1')
tk_case refused "unknown member in the bundle" "$TK_SCAF" "$b" \
	"$TK_OTHER_D" "${TK_ANY[@]}"
b=$(tk_forge noset.json "$TK_OTHER" 'del(.verificationMaterial.tlogEntries[0].inclusionPromise)')
tk_case refused "Rekor v1 entry without its SET" "$TK_SCAF" "$b" \
	"$TK_OTHER_D" "${TK_ANY[@]}"
b=$(tk_forge noproof.json "$TK_OTHER" 'del(.verificationMaterial.tlogEntries[0].inclusionProof)')
tk_case refused "bundle v0.3 entry without its inclusion proof" \
	"$TK_SCAF" "$b" "$TK_OTHER_D" "${TK_ANY[@]}"
b=$(tk_forge nolog.json "$TK_OTHER" 'del(.verificationMaterial.tlogEntries)')
tk_case refused "no log entry" "$TK_SCAF" "$b" "$TK_OTHER_D" "${TK_ANY[@]}"
tk_case refused "DSSE subject not the artifact" "$TK_PROD" "$TK_JS" \
	"sha512:$(printf '%0128d' 0)" "${TK_ANY[@]}"

# ---- deliberate differences ---------------------------------------------------

tk_differs "identity regexp matching a prefix" \
	"signet anchors a regexp to the whole identity" "$TK_PROD" \
	"$TK_WHL.sigstore" "$TK_WHL" \
	--certificate-identity-regexp 'https://github.com/trailofbits/' \
	--certificate-oidc-issuer "$TK_GHA"

# ---- a private Sigstore instance (tests/tools/sigstore_instance) -------------

if [ -x "${SIGSTORE_INSTANCE:-}" ]; then
	TKI=$TK/inst
	"$SIGSTORE_INSTANCE" init "$TKI" >/dev/null || fail "sigstore_instance init"
	head -c 3000 /dev/urandom >"$TK/art"
	printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"art","digest":{"sha256":"%s"}}],"predicateType":"https://example.com/p","predicate":{}}' \
		"$(sha256sum "$TK/art" | cut -d' ' -f1)" >"$TK/st.json"
	TKI_ID=(--certificate-identity dev@example.com
		--certificate-oidc-issuer https://issuer.example)
	# tk_inst NAME [sigstore_instance bundle options...]
	tk_inst() {
		local name=$1
		shift
		"$SIGSTORE_INSTANCE" bundle "$TKI" --identity dev@example.com \
			--issuer https://issuer.example "$@" >"$TK/$name" ||
			fail "sigstore_instance bundle $name"
		echo "$TK/$name"
	}
	b=$(tk_inst i-msg.json --artifact "$TK/art" --tsa)
	tk_case ok "instance: message signature and timestamp" \
		"$TKI/trusted_root.json" "$b" "$TK/art" "${TKI_ID[@]}"
	tk_case refused "instance: log key outside its window" \
		"$TKI/trusted_root-rekor-expired.json" "$b" "$TK/art" \
		"${TKI_ID[@]}"
	b=$(tk_inst i-dsse.json --statement "$TK/st.json")
	tk_case ok "instance: DSSE logged as dsse 0.0.1" \
		"$TKI/trusted_root.json" "$b" "$TK/art" "${TKI_ID[@]}"
	for f57 in wrong-ca expired no-sct sct-unknown-log bad-set \
		body-other-sig sig-other-payload proof-tampered \
		checkpoint-tampered; do
		b=$(tk_inst "i-$f57.json" --statement "$TK/st.json" \
			--forge "$f57")
		tk_case refused "instance: forged $f57" \
			"$TKI/trusted_root.json" "$b" "$TK/art" "${TKI_ID[@]}"
	done
	b=$(tk_inst i-tsa.json --artifact "$TK/art" --tsa --forge tsa-untrusted)
	# cosign leaves RFC 3161 timestamps unchecked unless told
	# (--use-signed-timestamps); signet checks every one a bundle holds
	tk_differs "instance: timestamp from an untrusted TSA" \
		"signet verifies every timestamp in the bundle; cosign ignores them without --use-signed-timestamps" \
		"$TKI/trusted_root.json" "$b" "$TK/art" "${TKI_ID[@]}"
	expect_exit 1 "instance: untrusted TSA, cosign --use-signed-timestamps refuses too" -- \
		"$COSIGN" verify-blob --bundle "$b" --trusted-root \
		"$TKI/trusted_root.json" "${TKI_ID[@]}" --use-signed-timestamps \
		"$TK/art"
else
	log "t_keyless: no sigstore_instance (make sigstore-instance): instance cases skipped"
fi

# ---- images: keyless cosign 3 bundle referrers, signet verify and cosign verify

# tk_sign_image REPO DIGEST NAME [STATEMENT_DIGEST [sigstore_instance
# options]]: a keyless bundle from the instance whose statement names
# STATEMENT_DIGEST (default DIGEST), stored as cosign 3 stores it: a
# referrer manifest under the sha256-<hex> tag index.
tk_sign_image() {
	local repo=$1 dg=$2 name=$3 sdg=${4:-$2} size bdg bsz m mdg
	local bmt=application/vnd.dev.sigstore.bundle.v0.3+json
	local mmt=application/vnd.oci.image.manifest.v1+json
	shift 3
	[ $# -gt 0 ] && shift
	printf '{}' >"$TK/empty.json"
	printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"%s","digest":{"sha256":"%s"}}],"predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}}' \
		"$REG_MAIN/$repo" "${sdg#sha256:}" >"$TK/$name.st"
	"$SIGSTORE_INSTANCE" bundle "$TKI" --statement "$TK/$name.st" \
		--identity dev@example.com --issuer https://issuer.example "$@" \
		>"$TK/$name.bundle" || return 1
	size=$(reg_get_manifest "$REG_MAIN" "$repo" "$dg" | wc -c)
	reg_put_blob "$REG_MAIN" "$repo" "$TK/empty.json" >/dev/null || return 1
	bdg=$(reg_put_blob "$REG_MAIN" "$repo" "$TK/$name.bundle") || return 1
	bsz=$(stat -c %s "$TK/$name.bundle")
	m=$TK/$name.manifest
	printf '{"schemaVersion":2,"mediaType":"%s","artifactType":"%s","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"%s","size":2},"layers":[{"mediaType":"%s","digest":"%s","size":%s}],"subject":{"mediaType":"%s","digest":"%s","size":%s},"annotations":{"dev.sigstore.bundle.content":"dsse-envelope","dev.sigstore.bundle.predicateType":"https://sigstore.dev/cosign/sign/v1"}}' \
		"$mmt" "$bmt" "$(sha256_file "$TK/empty.json")" "$bmt" "$bdg" \
		"$bsz" "$mmt" "$dg" "$size" >"$m"
	mdg=$(sha256_file "$m")
	reg_put_manifest "$REG_MAIN" "$repo" "$mdg" "$m" >/dev/null || return 1
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"%s","digest":"%s","size":%s,"artifactType":"%s"}]}' \
		"$mmt" "$mdg" "$(stat -c %s "$m")" "$bmt" >"$m.index"
	reg_put_manifest "$REG_MAIN" "$repo" "sha256-${dg#sha256:}" "$m.index" \
		"application/vnd.oci.image.index.v1+json" >/dev/null
}

# tk_image WANT DESC REF [identity options...]: signet verify and cosign
# verify give verdict WANT on REF against the instance's trusted root.
tk_image() {
	local want=$1 desc=$2 ref=$3 s c
	shift 3
	run_cmd "$SIGNET" verify --trusted-root "$TKI/trusted_root.json" \
		"$@" "$ref"
	s=$(tk_verdict)
	run_cmd "$COSIGN" verify --trusted-root "$TKI/trusted_root.json" \
		--allow-http-registry "$@" "$ref"
	c=$(tk_verdict)
	if [ "$s" = "$want" ] && [ "$c" = "$want" ]; then
		pass "$desc: both $want"
	else
		fail "$desc: expected both $want, signet $s, cosign $c"
		last_detail
	fi
}

if [ -x "${SIGSTORE_INSTANCE:-}" ]; then
	TKR=$REG_MAIN/keyless
	dg=$(push_image "$TKR/good:1" tk-good) || fail "push good"
	tk_sign_image keyless/good "$dg" img-good || fail "sign good"
	tk_image ok "image: keyless bundle referrer" "$TKR/good:1" "${TKI_ID[@]}"
	tk_image refused "image: another identity" "$TKR/good:1" \
		--certificate-identity evil@example.com \
		--certificate-oidc-issuer https://issuer.example
	dgo=$(push_image "$TKR/other:1" tk-other) || fail "push other"
	tk_sign_image keyless/other "$dgo" img-other "$dg" || fail "sign other"
	tk_image refused "image: statement naming another image" \
		"$TKR/other:1" "${TKI_ID[@]}"
	for f57 in wrong-ca no-sct bad-set body-other-sig proof-tampered; do
		dgf=$(push_image "$TKR/$f57:1" "tk-$f57") || fail "push $f57"
		tk_sign_image "keyless/$f57" "$dgf" "img-$f57" "$dgf" \
			--forge "$f57" || fail "sign $f57"
		tk_image refused "image: forged $f57" "$TKR/$f57:1" \
			"${TKI_ID[@]}"
	done
fi
