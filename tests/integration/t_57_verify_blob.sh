# shellcheck shell=bash
# signet verify-blob: real Sigstore bundles (v0.1, v0.2, v0.3; message
# signature and DSSE; Rekor v1 with SET, inclusion proof and checkpoint;
# Rekor v2 with an RFC 3161 timestamp) against their trusted roots, key
# bundles made here with openssl, and forgeries of each check made with jq
# and openssl, outside signet. No registry is needed. Sourced by run.sh.

T57=$WORK/t57
mkdir -p "$T57"
D57=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../data/keyless
PROD=$D57/production_trusted_root.json
STAGE=$D57/staging_trusted_root.json
SCAF=$D57/scaffolding_trusted_root.json
ANY=(--certificate-identity-regexp '.*' --certificate-oidc-issuer-regexp '.*')

# ---- the vectors verify --------------------------------------------------

WHL=$D57/bundle_v3_github.whl
WHL_B=$WHL.sigstore
WHL_ID=https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2
GHA=https://token.actions.githubusercontent.com
expect_exit 0 "v0.2 chain bundle (GitHub Actions) verifies over the file" -- \
	"$SIGNET" verify-blob --bundle "$WHL_B" --trusted-root "$PROD" \
	--certificate-identity "$WHL_ID" --certificate-oidc-issuer "$GHA" "$WHL"
expect_stdout_eq "$(sha256_file "$WHL")" "verify-blob prints the artifact digest"

expect_exit 0 "the same by digest" -- \
	"$SIGNET" verify-blob --bundle "$WHL_B" --trusted-root "$PROD" \
	--certificate-identity "$WHL_ID" --certificate-oidc-issuer "$GHA" \
	"$(sha256_file "$WHL")"

expect_exit 0 "v0.1 staging bundle verifies" -- \
	"$SIGNET" verify-blob --bundle "$D57/bundle.txt.sigstore" \
	--trusted-root "$STAGE" --certificate-identity a@tny.town \
	--certificate-oidc-issuer https://github.com/login/oauth \
	"$D57/bundle.txt"

OTHER=$D57/othername.sigstore.json
OTHER_D=sha256:$(jq -r .messageSignature.messageDigest.digest "$OTHER" |
	base64 -d | od -An -v -tx1 | tr -d ' \n')
expect_exit 0 "v0.3 private-instance bundle (otherName SAN) verifies" -- \
	"$SIGNET" verify-blob --bundle "$OTHER" --trusted-root "$SCAF" \
	--certificate-identity 'foo!oidc.local' \
	--certificate-oidc-issuer http://oidc.local:8080 "$OTHER_D"

JS=$D57/sigstore.js@2.0.0-provenance.sigstore.json
JS_D=sha512:$(jq -r .dsseEnvelope.payload "$JS" | base64 -d |
	jq -r '.subject[0].digest.sha512')
JS_ID=https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main
expect_exit 0 "v0.1 DSSE provenance (intoto 0.0.2) verifies: a subject" -- \
	"$SIGNET" verify-blob --bundle "$JS" --trusted-root "$PROD" \
	--certificate-identity "$JS_ID" --certificate-oidc-issuer "$GHA" \
	--json "$JS_D"
expect_stdout_match '"log_index": 31821305' "--json names the log entry"
expect_stdout_match '"identity": "https://github.com/sigstore/sigstore-js/' \
	"--json names the identity"

V2=$D57/staging-rekor-v2.txt.sigstore.json
V2_D=sha256:$(jq -r .messageSignature.messageDigest.digest "$V2" |
	base64 -d | od -An -v -tx1 | tr -d ' \n')
expect_exit 0 "Rekor v2 entry with an RFC 3161 timestamp verifies" -- \
	"$SIGNET" verify-blob --bundle "$V2" --trusted-root "$STAGE" \
	--certificate-identity jku@goto.fi \
	--certificate-oidc-issuer https://github.com/login/oauth "$V2_D"

# ---- forgeries: exit 1 naming the check ----------------------------------

# t57_forge NAME SRC JQ-FILTER [jq args...]: a copy of SRC through jq.
t57_forge() {
	local name=$1 src=$2 filter=$3
	shift 3
	jq "$@" "$filter" "$src" >"$T57/$name" || fail "jq forge $name"
	echo "$T57/$name"
}

# flip the last base64 character of a base64 string (jq function)
FLIP='def flip: (.[0:-3]) + (if .[-3:-2] == "A" then "B" else "A" end) + .[-2:];'

# t57_bad DESC STDERR-RE BUNDLE ROOT ARTIFACT [signet options]
t57_bad() {
	local desc=$1 re=$2 b=$3 root=$4 art=$5
	shift 5
	expect_exit 1 "$desc: exit 1" -- "$SIGNET" verify-blob --bundle "$b" \
		--trusted-root "$root" "$@" "$art" &&
		expect_stderr_match "$re" "$desc: names the check"
}

t57_bad "another artifact" "artifact digest" "$WHL_B" "$PROD" \
	"$D57/bundle.txt" "${ANY[@]}"
t57_bad "DSSE subject not the artifact" "DSSE subject" "$JS" "$PROD" \
	"sha512:$(printf '%0128d' 0)" "${ANY[@]}"
b=$(t57_forge sig.json "$OTHER" "$FLIP"' .messageSignature.signature |= (.[0:10] + (if .[10:11] == "A" then "B" else "A" end) + .[11:])')
t57_bad "signature byte flipped" "signature" "$b" "$SCAF" "$OTHER_D" \
	"${ANY[@]}"
b=$(t57_forge set.json "$OTHER" '.verificationMaterial.tlogEntries[0].inclusionPromise.signedEntryTimestamp |= (.[0:20] + (if .[20:21] == "A" then "B" else "A" end) + .[21:])')
t57_bad "SET tampered" "SET" "$b" "$SCAF" "$OTHER_D" "${ANY[@]}"
# the body of another signature: the whl bundle's entry in the other
b=$(t57_forge body.json "$OTHER" \
	'.verificationMaterial.tlogEntries[0].canonicalizedBody = $w[0].verificationMaterial.tlogEntries[0].canonicalizedBody' \
	--slurpfile w "$WHL_B")
t57_bad "log entry body of another signature" "log entry" "$b" "$SCAF" \
	"$OTHER_D" "${ANY[@]}"
b=$(t57_forge time.json "$OTHER" '.verificationMaterial.tlogEntries[0].integratedTime = "1720811190"')
t57_bad "integrated time moved (SET no longer covers it)" "SET" "$b" \
	"$SCAF" "$OTHER_D" "${ANY[@]}"
b=$(t57_forge proof.json "$OTHER" '.verificationMaterial.tlogEntries[0].inclusionProof.hashes[0] = "7KJPHdqkyM0JutlXYl4X0P0KU4VrWQKzjU6khYDdyp0="')
t57_bad "inclusion proof hash tampered" "inclusion proof" "$b" "$SCAF" \
	"$OTHER_D" "${ANY[@]}"
b=$(t57_forge ckpt.json "$JS" '.verificationMaterial.tlogEntries[0].inclusionProof.checkpoint.envelope |= sub("\n27657875\n"; "\n27657876\n")')
t57_bad "checkpoint tampered" "checkpoint" "$b" "$PROD" "$JS_D" "${ANY[@]}"
b=$(t57_forge v2ts.json "$V2" 'del(.verificationMaterial.timestampVerificationData)')
t57_bad "Rekor v2 entry without its timestamp" "timestamp" "$b" "$STAGE" \
	"$V2_D" "${ANY[@]}"
b=$(t57_forge v2tsx.json "$V2" '.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0].signedTimestamp |= (.[0:-10] + (if .[-10:-9] == "A" then "B" else "A" end) + .[-9:])')
t57_bad "RFC 3161 timestamp tampered" "timestamp" "$b" "$STAGE" "$V2_D" \
	"${ANY[@]}"
t57_bad "wrong identity" "certificate identity" "$WHL_B" "$PROD" "$WHL" \
	--certificate-identity https://github.com/evil/repo \
	--certificate-oidc-issuer "$GHA"
t57_bad "wrong issuer" "certificate identity" "$WHL_B" "$PROD" "$WHL" \
	--certificate-identity "$WHL_ID" \
	--certificate-oidc-issuer https://accounts.google.com
t57_bad "a regexp matching only a prefix" "certificate identity" "$WHL_B" \
	"$PROD" "$WHL" --certificate-identity-regexp 'https://github.com/trailofbits/' \
	--certificate-oidc-issuer "$GHA"
t57_bad "certificate from a CA the root does not hold" "certificate chain|SET" \
	"$OTHER" "$PROD" "$OTHER_D" "${ANY[@]}"
b=$(t57_forge mt.json "$OTHER" '.mediaType = "application/vnd.dev.sigstore.bundle.v0.9+json"')
t57_bad "unknown bundle media type" "unknown bundle media type" "$b" \
	"$SCAF" "$OTHER_D" "${ANY[@]}"
b=$(t57_forge member.json "$OTHER" '.verificationMaterial.extra = 1')
t57_bad "unknown member" "extra" "$b" "$SCAF" "$OTHER_D" "${ANY[@]}"
b=$(t57_forge noproof.json "$OTHER" 'del(.verificationMaterial.tlogEntries[0].inclusionProof)')
t57_bad "bundle v0.3 entry without its inclusion proof" "inclusion proof" \
	"$b" "$SCAF" "$OTHER_D" "${ANY[@]}"
b=$(t57_forge noset.json "$OTHER" 'del(.verificationMaterial.tlogEntries[0].inclusionPromise)')
t57_bad "Rekor v1 entry without its SET" "timestamp" "$b" "$SCAF" \
	"$OTHER_D" "${ANY[@]}"
b=$(t57_forge notlog.json "$OTHER" 'del(.verificationMaterial.tlogEntries)')
t57_bad "keyless without a log entry" "log entry|signing time" "$b" "$SCAF" \
	"$OTHER_D" "${ANY[@]}"
t57_bad "keyless bundle given only a key" "keyless" "$OTHER" "$SCAF" \
	"$OTHER_D" --key "$D57/rekor.pub"

# ---- key bundles, made here with openssl ----------------------------------

openssl ecparam -name prime256v1 -genkey -noout -out "$T57/k.key" 2>/dev/null &&
	openssl ec -in "$T57/k.key" -pubout -out "$T57/k.pub" 2>/dev/null ||
	fail "openssl key"
openssl ecparam -name prime256v1 -genkey -noout -out "$T57/o.key" 2>/dev/null &&
	openssl ec -in "$T57/o.key" -pubout -out "$T57/o.pub" 2>/dev/null ||
	fail "openssl other key"
head -c 100000 /dev/urandom >"$T57/art.bin"
openssl dgst -sha256 -sign "$T57/k.key" -out "$T57/art.sig" "$T57/art.bin"
jq -n --arg d "$(openssl dgst -sha256 -binary "$T57/art.bin" | base64 -w0)" \
	--arg s "$(base64 -w0 "$T57/art.sig")" '{
	mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
	verificationMaterial: {publicKey: {hint: "k"}},
	messageSignature: {messageDigest: {algorithm: "SHA2_256", digest: $d},
		signature: $s}}' >"$T57/key.json"
expect_exit 0 "key bundle (message signature) verifies with --key" -- \
	"$SIGNET" verify-blob --bundle "$T57/key.json" --key "$T57/k.pub" \
	"$T57/art.bin"
t57_bad "key bundle, another key" "signature" "$T57/key.json" "$SCAF" \
	"$T57/art.bin" --key "$T57/o.pub"
t57_bad "key bundle, --require-tlog and no log entry" "log entry" \
	"$T57/key.json" "$SCAF" "$T57/art.bin" --key "$T57/k.pub" \
	--require-tlog
t57_bad "key bundle, a keyless signer only" "key" "$T57/key.json" "$SCAF" \
	"$T57/art.bin" "${ANY[@]}"

# a DSSE key bundle: an in-toto statement naming the file
printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"art.bin","digest":{"sha256":"%s"}}],"predicateType":"https://example.com/p","predicate":{}}' \
	"$(sha256sum "$T57/art.bin" | cut -d' ' -f1)" >"$T57/st.json"
{ printf 'DSSEv1 28 application/vnd.in-toto+json %s ' \
	"$(stat -c %s "$T57/st.json")"; cat "$T57/st.json"; } >"$T57/pae"
openssl dgst -sha256 -sign "$T57/k.key" -out "$T57/pae.sig" "$T57/pae"
jq -n --arg p "$(base64 -w0 "$T57/st.json")" \
	--arg s "$(base64 -w0 "$T57/pae.sig")" '{
	mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
	verificationMaterial: {publicKey: {}},
	dsseEnvelope: {payload: $p, payloadType: "application/vnd.in-toto+json",
		signatures: [{sig: $s}]}}' >"$T57/dsse.json"
expect_exit 0 "DSSE key bundle verifies: the file is its subject" -- \
	"$SIGNET" verify-blob --bundle "$T57/dsse.json" --key "$T57/k.pub" \
	"$T57/art.bin"
t57_bad "DSSE key bundle, another file" "DSSE subject" "$T57/dsse.json" \
	"$SCAF" "$T57/k.pub" --key "$T57/k.pub"

# ---- errors: exit 2 ---------------------------------------------------------

printf '{"mediaType": ' >"$T57/broken.json"
expect_exit 2 "bundle that is not JSON: exit 2" -- "$SIGNET" verify-blob \
	--bundle "$T57/broken.json" --key "$T57/k.pub" "$T57/art.bin"
expect_exit 2 "unreadable artifact: exit 2" -- "$SIGNET" verify-blob \
	--bundle "$T57/key.json" --key "$T57/k.pub" "$T57/missing.bin"
expect_exit 2 "missing bundle file: exit 2" -- "$SIGNET" verify-blob \
	--bundle "$T57/missing.json" --key "$T57/k.pub" "$T57/art.bin"
printf '{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1", "tlogs": 3}' \
	>"$T57/root.json"
expect_exit 2 "malformed trusted root: exit 2" -- "$SIGNET" verify-blob \
	--bundle "$OTHER" --trusted-root "$T57/root.json" "${ANY[@]}" \
	"$OTHER_D"
expect_exit 2 "no --bundle: exit 2" -- "$SIGNET" verify-blob \
	--key "$T57/k.pub" "$T57/art.bin"
expect_exit 2 "neither key nor identity: exit 2" -- "$SIGNET" verify-blob \
	--bundle "$T57/key.json" "$T57/art.bin"
expect_exit 2 "identity without issuer: exit 2" -- "$SIGNET" verify-blob \
	--bundle "$OTHER" --certificate-identity x "$OTHER_D"
expect_exit 2 "malformed digest operand: exit 2" -- "$SIGNET" verify-blob \
	--bundle "$OTHER" "${ANY[@]}" sha256:abc

# ---- a private Sigstore instance (tests/tools/sigstore_instance) -------------
# Bundles v0.3 made with files: a message signature with an RFC 3161
# timestamp, a DSSE envelope logged as dsse 0.0.1, and one forgery per
# check, each made by the tool, not by signet.

if [ -x "$SIGSTORE_INSTANCE" ]; then
	I57=$T57/inst
	"$SIGSTORE_INSTANCE" init "$I57" >/dev/null || fail "sigstore_instance init"
	IROOT=$I57/trusted_root.json
	IID=(--certificate-identity dev@example.com
		--certificate-oidc-issuer https://issuer.example)
	# t57_inst NAME [sigstore_instance bundle options...]
	t57_inst() {
		local name=$1
		shift
		"$SIGSTORE_INSTANCE" bundle "$I57" --identity dev@example.com \
			--issuer https://issuer.example "$@" >"$T57/$name" ||
			fail "sigstore_instance bundle $name"
		echo "$T57/$name"
	}
	b=$(t57_inst i-msg.json --artifact "$T57/art.bin" --tsa)
	expect_exit 0 "instance: message signature with a timestamp" -- \
		"$SIGNET" verify-blob --bundle "$b" --trusted-root "$IROOT" \
		"${IID[@]}" --json "$T57/art.bin"
	expect_stdout_match '"timestamp": "' "instance: the timestamp reported"
	b=$(t57_inst i-dsse.json --statement "$T57/st.json")
	expect_exit 0 "instance: DSSE statement logged as dsse 0.0.1" -- \
		"$SIGNET" verify-blob --bundle "$b" --trusted-root "$IROOT" \
		"${IID[@]}" "$T57/art.bin"
	t57_bad "instance: log key outside its validity window" "SET: the key" \
		"$T57/i-msg.json" "$I57/trusted_root-rekor-expired.json" \
		"$T57/art.bin" "${IID[@]}"
	for f57 in wrong-ca:"certificate chain" expired:"certificate chain" \
		no-sct:SCT sct-unknown-log:SCT bad-set:SET \
		body-other-sig:"log entry" sig-other-payload:signature \
		proof-tampered:"inclusion proof" \
		checkpoint-tampered:checkpoint; do
		b=$(t57_inst "i-${f57%%:*}.json" --statement "$T57/st.json" \
			--forge "${f57%%:*}")
		t57_bad "instance: forged ${f57%%:*}" "${f57#*:}" "$b" "$IROOT" \
			"$T57/art.bin" "${IID[@]}"
	done
	# An entry without a SET: nothing signs its integratedTime, so a
	# time it states inside the old window of a log key that has expired
	# does not make that key count (the timestamp's time does), and the
	# log index reported is the proof's, not the unsigned one.
	b=$(t57_forge i-noset.json "$T57/i-msg.json" \
		'.verificationMaterial.tlogEntries[0] |= del(.inclusionPromise)')
	expect_exit 0 "instance: no SET, proof and timestamp verify" -- \
		"$SIGNET" verify-blob --bundle "$b" --trusted-root "$IROOT" \
		"${IID[@]}" --json "$T57/art.bin"
	want=$(jq -r '.verificationMaterial.tlogEntries[0].inclusionProof.logIndex' "$b")
	expect_stdout_match "\"log_index\": $want[,}]?\$" \
		"instance: no SET: the inclusion proof's log index is reported"
	b=$(t57_forge i-noset-idx.json "$b" \
		'.verificationMaterial.tlogEntries[0].logIndex = "424242"')
	expect_exit 0 "instance: no SET, an unsigned logIndex" -- \
		"$SIGNET" verify-blob --bundle "$b" --trusted-root "$IROOT" \
		"${IID[@]}" --json "$T57/art.bin"
	check "instance: no SET: the unsigned logIndex is not reported" -- \
		not grep -q 424242 "$LAST_OUT"
	b=$(t57_forge i-noset-old.json "$T57/i-noset.json" \
		'.verificationMaterial.tlogEntries[0].integratedTime = "1590000000"')
	t57_bad "instance: no SET, an unsigned old integratedTime does not revive an expired log key" \
		"checkpoint" "$b" "$I57/trusted_root-rekor-expired.json" \
		"$T57/art.bin" "${IID[@]}"
	b=$(t57_inst i-tsa.json --artifact "$T57/art.bin" --tsa \
		--forge tsa-untrusted)
	t57_bad "instance: timestamp from an untrusted TSA" "timestamp" "$b" \
		"$IROOT" "$T57/art.bin" "${IID[@]}"
else
	log "t_57: no $SIGSTORE_INSTANCE (make sigstore-instance): instance cases skipped"
fi
