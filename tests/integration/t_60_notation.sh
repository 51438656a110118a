# shellcheck shell=bash
# Notary Project signatures (notation's JWS envelopes, stored as OCI
# referrers) on docker-registry, which has no referrers API: everything is
# found through the sha256-<hex> referrers tag index. Real notation output
# (tests/data/notation, from notation's own e2e test data), signet's own
# notation signatures, mixed formats on one image, and forgeries made with
# openssl, curl and jq outside signet. Sourced by run.sh.

T60=$WORK/t60
mkdir -p "$T60"
R60=$REG_MAIN/t60		# every repository here is below it
T60_DATA=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../data/notation
T60_E2E=$T60_DATA/certs/e2e.crt
T60_E2E_EXPIRED=$T60_DATA/certs/expired_e2e.crt
T60_SIG_TYPE=application/vnd.cncf.notary.signature
T60_EMPTY_CFG=sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a
T60_REL=$T60/rel		# signet keys generate --x509: ecdsa-p256
T60_RSA=$T60/rsa		# signet keys generate --x509 --type rsa-3072
T60_OTH=$T60/oth		# another signet certificate, trusted by nobody

# ---- helpers ----------------------------------------------------------------

# t60_b64url: stdin to base64url without padding.
t60_b64url() {
	base64 -w0 | tr '+/' '-_' | tr -d '='
}

# t60_unb64url STRING: decoded bytes on stdout.
t60_unb64url() {
	local s=${1//-/+}
	s=${s//_//}
	while [ $((${#s} % 4)) != 0 ]; do s+='='; done
	printf '%s' "$s" | base64 -d
}

# t60_fpr CERT: signet's key fingerprint, with openssl alone: SHA256: + hex
# SHA-256 of the certificate's SubjectPublicKeyInfo DER.
t60_fpr() {
	local h
	h=$(openssl x509 -in "$1" -noout -pubkey 2>/dev/null |
		openssl pkey -pubin -outform DER 2>/dev/null | sha256sum) || return 1
	echo "SHA256:${h%% *}"
}

# t60_push NAME SEED: push $R60/NAME:v1, set T60_DG (digest) and T60_PIN.
t60_push() {
	T60_DG=$(push_image "$R60/$1:v1" "$2") || {
		fail "push $R60/$1:v1"
		return 1
	}
	T60_PIN=$R60/$1@$T60_DG
}

# t60_index HOST REPO DIGEST: the referrers tag index of DIGEST (or fail).
t60_index() {
	reg_get_manifest "$1" "$2" "sha256-${3#sha256:}" 2>/dev/null
}

# t60_sigs HOST REPO DIGEST: digests of the Notary signatures its tag
# index lists, one per line.
t60_sigs() {
	t60_index "$@" | jq -r --arg t "$T60_SIG_TYPE" \
		'.manifests[] | select(.artifactType == $t) | .digest'
}

# t60_index_add HOST REPO MANIFEST_FILE [IMAGE_DIGEST [replace]]: push a
# referrer manifest by digest and append it to its subject's tag index
# (made when absent), as a client of a registry without the referrers API
# does; with IMAGE_DIGEST, to that image's tag index instead (a forgery);
# with "replace", as the index's only entry.
t60_index_add() {
	local hp=$1 repo=$2 man=$3 subj=${4:-} how=${5:-append} tag old new mdg
	[ -n "$subj" ] || subj=$(jq -r .subject.digest "$man") || return 1
	mdg=$(sha256_file "$man") || return 1
	reg_put_manifest "$hp" "$repo" "$mdg" "$man" >/dev/null || return 1
	tag=sha256-${subj#sha256:}
	old=$(mktemp "$T60/idx.XXXXXX") && new=$old.new || return 1
	if [ "$how" = replace ] ||
		! reg_get_manifest "$hp" "$repo" "$tag" >"$old" 2>/dev/null; then
		echo '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}' >"$old"
	fi
	jq -c --arg dg "$mdg" --argjson sz "$(stat -c %s "$man")" \
		--slurpfile m "$man" '.manifests += [{
		mediaType: "application/vnd.oci.image.manifest.v1+json",
		digest: $dg, size: $sz,
		artifactType: ($m[0].artifactType // $m[0].config.mediaType),
		annotations: ($m[0].annotations // {})}]' "$old" >"$new" ||
		return 1
	reg_put_manifest "$hp" "$repo" "$tag" "$new" \
		application/vnd.oci.image.index.v1+json >/dev/null
}

# t60_attach REPO IMAGE_DIGEST IMAGE_SIZE ENVELOPE_FILE: make ENVELOPE the
# only Notary signature of IMAGE (an OCI image manifest) in $REG_MAIN/REPO
# (legacy manifest form, as every released notation writes it; IMAGE's tag
# index is replaced). The config blob {} must be in REPO already.
t60_attach() {
	local repo=$1 img=$2 isz=$3 env=$4 m=$T60/attach.json edg
	edg=$(reg_put_blob "$REG_MAIN" "$repo" "$env") || return 1
	jq -cn --arg edg "$edg" --argjson esz "$(stat -c %s "$env")" \
		--arg img "$img" --arg mt application/vnd.oci.image.manifest.v1+json \
		--argjson isz "$isz" --arg cfg "$T60_EMPTY_CFG" \
		--arg st "$T60_SIG_TYPE" '{
		schemaVersion: 2,
		mediaType: "application/vnd.oci.image.manifest.v1+json",
		config: {mediaType: $st, digest: $cfg, size: 2},
		layers: [{mediaType: "application/jose+json", digest: $edg,
			size: $esz}],
		subject: {mediaType: $mt, digest: $img, size: $isz},
		annotations: {"org.opencontainers.image.created":
			"2026-01-01T00:00:00Z"}
	}' >"$m" || return 1
	t60_index_add "$REG_MAIN" "$repo" "$m" "$img" replace
}

# t60_envelope KEY ALG PROTECTED_JSON PAYLOAD_JSON CERT...: a JWS envelope
# signed with openssl (RSASSA-PSS; ALG PS256 or PS384 picks the hash, salt
# = hash length), x5c = the CERTs in order. On stdout.
t60_envelope() {
	local key=$1 alg=$2 prot=$3 pay=$4 md slen p q c x5c='' d
	shift 4
	case $alg in
	PS256) md=sha256; slen=32 ;;
	PS384) md=sha384; slen=48 ;;
	*) return 1 ;;
	esac
	d=$(mktemp -d "$T60/env.XXXXXX") || return 1
	p=$(printf '%s' "$prot" | t60_b64url)
	q=$(printf '%s' "$pay" | t60_b64url)
	printf '%s.%s' "$p" "$q" >"$d/input"
	openssl dgst -"$md" -sigopt rsa_padding_mode:pss \
		-sigopt rsa_pss_saltlen:"$slen" -sigopt rsa_mgf1_md:"$md" \
		-sign "$key" -out "$d/sig" "$d/input" || return 1
	for c in "$@"; do
		x5c+=${x5c:+,}\"$(openssl x509 -in "$c" -outform DER | b64_nowrap)\"
	done
	printf '{"payload":"%s","protected":"%s","header":{"x5c":[%s],"io.cncf.notary.signingAgent":"signet-tests"},"signature":"%s"}' \
		"$q" "$p" "$x5c" "$(t60_b64url <"$d/sig")"
}

# t60_protected ALG: a valid protected header signed now.
t60_protected() {
	printf '{"alg":"%s","crit":["io.cncf.notary.signingScheme"],"cty":"application/vnd.cncf.notary.payload.v1+json","io.cncf.notary.signingScheme":"notary.x509","io.cncf.notary.signingTime":"%s"}' \
		"$1" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}

# t60_payload DIGEST SIZE [MEDIATYPE]: a targetArtifact payload.
t60_payload() {
	printf '{"targetArtifact":{"digest":"%s","mediaType":"%s","size":%s}}' \
		"$1" "${3:-application/vnd.oci.image.manifest.v1+json}" "$2"
}

# t60_crafted_case WANT DESC ANCHOR KEY ALG PROT PAYLOAD_FILTER CERT...:
# make an openssl-made envelope (PROT "" = a valid header; PAYLOAD_FILTER,
# a jq filter applied to the honest payload) the only signature of
# $T60_PIN (pushed by t60_crafted) and expect `signet verify --key ANCHOR`
# to exit WANT.
t60_crafted_case() {
	local want=$1 desc=$2 anchor=$3 key=$4 alg=$5 prot=$6 filt=$7 e
	shift 7
	e=$T60/crafted.jws
	[ -n "$prot" ] || prot=$(t60_protected "$alg")
	if ! t60_envelope "$key" "$alg" "$prot" \
		"$(t60_payload "$T60_DG" "$T60_SIZE" | jq -c "$filt")" "$@" \
		>"$e" || ! t60_attach t60/crafted "$T60_DG" "$T60_SIZE" "$e"; then
		fail "$desc: craft the envelope"
		return
	fi
	expect_exit "$want" "$desc" -- "$SIGNET" verify --key "$anchor" "$T60_PIN"
}

# t60_jq ARGS...: jq -e, quietly (for check).
t60_jq() {
	jq -e "$@" >/dev/null
}

# t60_count FORMAT: lines of the last stdout whose format field is FORMAT.
t60_count() {
	awk -F'\t' -v f="$1" '$2 == f { n++ } END { print n + 0 }' "$LAST_OUT"
}

# t60_keyfield FORMAT: the key field of the last stdout's FORMAT lines.
t60_keyfield() {
	awk -F'\t' -v f="$1" '$2 == f { print $3 }' "$LAST_OUT"
}

# t60_envelope_of REPO SIG_MANIFEST_DIGEST OUT: fetch a signature's
# manifest (OUT.manifest) and envelope (OUT).
t60_envelope_of() {
	reg_get_manifest "$REG_MAIN" "$1" "$2" >"$3.manifest" || return 1
	reg_get_blob "$REG_MAIN" "$1" \
		"$(jq -r '.layers[0].digest' "$3.manifest")" >"$3"
}

# t60_raw2der: ECDSA raw R||S (stdin) to DER (stdout), for openssl.
t60_raw2der() {
	python3 -c 'import sys
raw = sys.stdin.buffer.read()
n = len(raw) // 2
def integer(b):
    b = b.lstrip(b"\0") or b"\0"
    if b[0] & 0x80:
        b = b"\0" + b
    return b"\x02" + bytes([len(b)]) + b
s = integer(raw[:n]) + integer(raw[n:])
sys.stdout.buffer.write(b"\x30" + bytes([len(s)]) + s)'
}

# t60_openssl_verify ENVELOPE CERT: check a JWS envelope's signature with
# openssl alone (ES256 or PS384), so signet's writer is judged without its
# reader.
t60_openssl_verify() {
	local env=$1 cert=$2 d alg
	d=$(mktemp -d "$T60/ov.XXXXXX") || return 1
	openssl x509 -in "$cert" -noout -pubkey >"$d/pub" 2>/dev/null || return 1
	printf '%s.%s' "$(jq -r .protected "$env")" "$(jq -r .payload "$env")" \
		>"$d/input"
	t60_unb64url "$(jq -r .signature "$env")" >"$d/sig.raw"
	alg=$(t60_unb64url "$(jq -r .protected "$env")" | jq -r .alg)
	case $alg in
	ES256)
		t60_raw2der <"$d/sig.raw" >"$d/sig" || return 1
		openssl dgst -sha256 -verify "$d/pub" -signature "$d/sig" \
			"$d/input" >/dev/null 2>&1
		;;
	PS384)
		openssl dgst -sha384 -sigopt rsa_padding_mode:pss \
			-sigopt rsa_pss_saltlen:-2 -sigopt rsa_mgf1_md:sha384 \
			-verify "$d/pub" -signature "$d/sig.raw" "$d/input" \
			>/dev/null 2>&1
		;;
	*) return 1 ;;
	esac
}

# ---- real notation signatures (notation's e2e test data) -----------------

t60_vectors() {
	local v img e2e_fpr tagidx n
	img=sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9
	e2e_fpr=$(t60_fpr "$T60_E2E")
	for v in e2e-valid-signature e2e-valid-multiple-signatures \
		e2e-expired-signature e2e-invalid-signature e2e-with-expired-cert; do
		check "push_layout $v" -- \
			push_layout "$T60_DATA/$v" "$REG_MAIN" "t60/$v" || return
	done

	v=$R60/e2e-valid-signature
	expect_exit 0 "notation vector: verifies with e2e.crt (by tag)" -- \
		"$SIGNET" verify --key "$T60_E2E" "$v:v1" &&
		expect_stdout_eq "$v@$img" "notation vector: prints REG/REPO@DIGEST"
	expect_exit 0 "notation vector: verifies by digest" -- \
		"$SIGNET" verify --key "$T60_E2E" "$v@$img"
	expect_exit 0 "notation vector: --format notation" -- \
		"$SIGNET" verify --key "$T60_E2E" --format notation "$v:v1"
	expect_exit 1 "notation vector: --format cosign finds nothing" -- \
		"$SIGNET" verify --key "$T60_E2E" --format cosign "$v:v1" &&
		expect_stderr_match "no signatures found" \
			"notation vector: --format cosign says no signatures"
	expect_exit 1 "notation vector: --format sigstore-bundle finds nothing" -- \
		"$SIGNET" verify --key "$T60_E2E" --format sigstore-bundle "$v:v1"
	expect_exit 1 "notation vector: a signet certificate is the wrong anchor" -- \
		"$SIGNET" verify --key "$T60_REL.crt" "$v:v1" &&
		expect_stderr_match "no trusted certificate" \
			"notation vector: wrong anchor says why"
	check "notation vector: wrong anchor prints nothing" -- test ! -s "$LAST_OUT"
	expect_exit 1 "notation vector: expired_e2e.crt is the wrong anchor" -- \
		"$SIGNET" verify --key "$T60_E2E_EXPIRED" "$v:v1"
	expect_exit 1 "notation vector: a plain public key is no trust anchor" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$v:v1"
	expect_exit 0 "notation vector: any of several anchors" -- \
		"$SIGNET" verify --key "$T60_REL.crt" --key "$T60_E2E" "$v:v1"
	expect_exit 1 "notation vector: -a absent=x is not signed" -- \
		"$SIGNET" verify --key "$T60_E2E" -a absent=x "$v:v1" &&
		expect_stderr_match "annotation 'absent'" \
			"notation vector: the missing annotation is named"
	expect_exit 0 "notation vector: verify --json" -- \
		"$SIGNET" verify --json --key "$T60_E2E" "$v:v1" &&
		check "notation vector: --json reports a valid notation signature by e2e's key" -- \
			t60_jq --arg k "$e2e_fpr" '.[0].verified == true and
			any(.[0].signatures[]; .format == "notation" and
			.valid == true and .key == $k)' "$LAST_OUT"

	v=$R60/e2e-valid-multiple-signatures
	expect_exit 0 "multiple-signatures vector verifies" -- \
		"$SIGNET" verify --key "$T60_E2E" "$v:v1"
	# docker-registry has no referrers API: signet sees exactly the
	# signatures the layout's sha256-<hex> tag index names (the layout
	# holds one more, by another certificate, that only a referrers API
	# would show: see tests/interop/t_notation.sh).
	tagidx=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] // "" | startswith("sha256-")) | .digest' \
		"$T60_DATA/e2e-valid-multiple-signatures/index.json")
	n=$(jq --arg t "$T60_SIG_TYPE" '[.manifests[] | select(.artifactType == $t)] | length' \
		"$T60_DATA/e2e-valid-multiple-signatures/blobs/sha256/${tagidx#sha256:}")
	expect_exit 0 "multiple-signatures vector: list --key e2e.crt" -- \
		"$SIGNET" list --key "$T60_E2E" "$v:v1" &&
		check "list shows the $n notation signatures of the tag index" -- \
			test "$(t60_count notation)" = "$n" &&
		check "list names e2e's key for each" -- \
			test "$(t60_keyfield notation | sort -u)" = "$e2e_fpr"
	expect_exit 0 "multiple-signatures vector: list without keys" -- \
		"$SIGNET" list "$v:v1" &&
		check "list without keys: $n notation lines, not judged (key -)" -- \
			test "$(t60_count notation)" = "$n" -a \
			"$(t60_keyfield notation | sort -u)" = "-"

	v=$R60/e2e-expired-signature
	expect_exit 1 "expired-signature vector exits 1" -- \
		"$SIGNET" verify --key "$T60_E2E" "$v:v1" &&
		expect_stderr_match "signature expired at" \
			"expired-signature vector: says 'signature expired at'"
	expect_exit 1 "expired-signature vector: list --key exits 1" -- \
		"$SIGNET" list --key "$T60_E2E" "$v:v1"
	check "expired-signature vector: list --key prints nothing" -- \
		test ! -s "$LAST_OUT"

	v=$R60/e2e-invalid-signature
	expect_exit 1 "invalid-signature vector exits 1" -- \
		"$SIGNET" verify --key "$T60_E2E" "$v:v1" &&
		expect_stderr_match "signature layer is .* not 'application/jose\+json'" \
			"invalid-signature vector: names the layer type"

	v=$R60/e2e-with-expired-cert
	expect_exit 1 "expired-cert vector exits 1 (its own anchor)" -- \
		"$SIGNET" verify --key "$T60_E2E_EXPIRED" "$v:v1" &&
		expect_stderr_match "expired on" "expired-cert vector: says 'expired on'"
	expect_exit 1 "expired-cert vector exits 1 (e2e.crt)" -- \
		"$SIGNET" verify --key "$T60_E2E" "$v:v1"

}

# ---- signet's own notation signatures ---------------------------------------

t60_keys() {
	local k
	expect_exit 0 "keys generate --x509 (ecdsa-p256)" -- \
		"$SIGNET" keys generate --x509 \
		--subject "C=US,ST=WA,O=Example,CN=release" "$T60_REL" || return 1
	expect_exit 0 "keys generate --x509 --type rsa-3072" -- \
		"$SIGNET" keys generate --x509 --type rsa-3072 \
		--subject "C=US,O=Example,CN=release-rsa" "$T60_RSA" || return 1
	expect_exit 0 "keys generate --x509 (another, untrusted)" -- \
		"$SIGNET" keys generate --x509 --subject "CN=other" "$T60_OTH" ||
		return 1
	for k in "$T60_REL" "$T60_RSA" "$T60_OTH"; do
		check "${k##*/}: .key, .pub and .crt written" -- \
			test -s "$k.key" -a -s "$k.pub" -a -s "$k.crt" || return 1
	done
	check "rel.crt: code signing, digitalSignature, not a CA (openssl)" -- \
		t60_cert_ok "$T60_REL.crt"
	check "rel.crt: the subject asked for" -- \
		t60_subject_is "$T60_REL.crt" "CN=release,O=Example,ST=WA,C=US"
	check "rel.crt holds rel.pub's key" -- \
		test "$(t60_fpr "$T60_REL.crt")" = "$(t60_spki_fpr "$T60_REL.pub")"
}

t60_cert_ok() {
	local t
	t=$(openssl x509 -in "$1" -noout -ext basicConstraints,keyUsage,extendedKeyUsage 2>/dev/null) ||
		return 1
	grep -q 'CA:FALSE' <<<"$t" && grep -q 'Digital Signature' <<<"$t" &&
		grep -q 'Code Signing' <<<"$t"
}

t60_subject_is() {
	[ "$(openssl x509 -in "$1" -noout -subject -nameopt RFC2253 2>/dev/null)" = "subject=$2" ]
}

t60_spki_fpr() {
	local h
	h=$(openssl pkey -pubin -in "$1" -outform DER 2>/dev/null | sha256sum) ||
		return 1
	echo "SHA256:${h%% *}"
}

# t60_check_written WHAT REPO IMAGE_DIGEST SIG_DIGEST CERT ALG: the
# manifest and envelope signet wrote follow FORMATS.md (legacy form), and
# openssl accepts the signature.
t60_check_written() {
	local what=$1 repo=$2 img=$3 sig=$4 cert=$5 alg=$6 e=$T60/written.jws
	local isz tp
	check "$what: fetch the signature manifest and envelope" -- \
		t60_envelope_of "$repo" "$sig" "$e" || return
	isz=$(reg_get_manifest "$REG_MAIN" "$repo" "$img" | wc -c)
	tp=$(openssl x509 -in "$cert" -outform DER | sha256sum)
	tp=${tp%% *}
	check "$what: legacy manifest form (config $T60_SIG_TYPE {}, no artifactType, one jose+json layer)" -- \
		t60_jq --arg st "$T60_SIG_TYPE" --arg cfg "$T60_EMPTY_CFG" '
		(has("artifactType") | not) and .config.mediaType == $st and
		.config.digest == $cfg and .config.size == 2 and
		(.layers | length) == 1 and
		.layers[0].mediaType == "application/jose+json"' "$e.manifest"
	check "$what: subject is the image" -- \
		t60_jq --arg d "$img" --argjson s "$isz" '.subject.digest == $d and
		.subject.size == $s and
		.subject.mediaType == "application/vnd.oci.image.manifest.v1+json"' \
		"$e.manifest"
	check "$what: thumbprint annotation = [sha256 of the certificate DER]" -- \
		t60_jq --arg tp "$tp" '(.annotations["io.cncf.notary.x509chain.thumbprint#S256"] | fromjson) == [$tp] and
		(.annotations["org.opencontainers.image.created"] | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$"))' \
		"$e.manifest"
	check "$what: envelope has exactly payload, protected, header, signature" -- \
		t60_jq '(keys == ["header", "payload", "protected", "signature"])' "$e"
	check "$what: x5c is the certificate" -- \
		test "$(jq -r '.header.x5c | join(",")' "$e")" = \
		"$(openssl x509 -in "$cert" -outform DER | b64_nowrap)"
	t60_unb64url "$(jq -r .protected "$e")" >"$e.protected"
	t60_unb64url "$(jq -r .payload "$e")" >"$e.payload"
	check "$what: protected header: alg $alg, cty, notary.x509, signingTime, crit" -- \
		t60_jq --arg alg "$alg" '.alg == $alg and
		.cty == "application/vnd.cncf.notary.payload.v1+json" and
		.["io.cncf.notary.signingScheme"] == "notary.x509" and
		(.["io.cncf.notary.signingTime"] | type) == "string" and
		(.crit | index("io.cncf.notary.signingScheme")) != null' \
		"$e.protected"
	check "$what: payload names the image" -- \
		t60_jq --arg d "$img" --argjson s "$isz" '.targetArtifact.digest == $d
		and .targetArtifact.size == $s and .targetArtifact.mediaType ==
		"application/vnd.oci.image.manifest.v1+json"' "$e.payload"
	check "$what: openssl verifies the signature with the certificate's key" -- \
		t60_openssl_verify "$e" "$cert"
}

t60_roundtrip() {
	local dg pin sigs exp_dg exp_pin e=$T60/written.jws

	# An expiring signature first; it is checked at the end, once expired.
	t60_push own-expiry t60-own-expiry || return
	exp_dg=$T60_DG
	exp_pin=$T60_PIN
	expect_exit 0 "sign --expiry 1s" -- "$SIGNET" sign --format notation \
		--key "$T60_REL.key" --cert "$T60_REL.crt" --expiry 1s "$exp_pin"
	T60_EXPIRED_AFTER=$(($(date +%s) + 2))

	t60_push own t60-own || return
	dg=$T60_DG
	pin=$T60_PIN
	expect_exit 0 "sign --format notation -a env=prod -a team=blue" -- \
		"$SIGNET" sign --format notation --key "$T60_REL.key" \
		--cert "$T60_REL.crt" -a env=prod -a team=blue "$pin" &&
		expect_stdout_eq "$pin" "sign prints REG/REPO@DIGEST"
	sigs=$(t60_sigs "$REG_MAIN" t60/own "$dg")
	check "sign wrote one entry in the sha256-<hex> tag index" -- \
		test "$(grep -c . <<<"$sigs")" = 1
	t60_check_written "ES256 signature" t60/own "$dg" "$sigs" \
		"$T60_REL.crt" ES256
	check "ES256 signature: -a annotations in targetArtifact.annotations" -- \
		t60_jq '.targetArtifact.annotations == {"env": "prod", "team": "blue"}' \
		"$e.payload"
	check "ES256 signature: no expiry unless asked" -- \
		t60_jq 'has("io.cncf.notary.expiry") | not' "$e.protected"

	expect_exit 0 "verify --key rel.crt" -- \
		"$SIGNET" verify --key "$T60_REL.crt" "$pin" &&
		expect_stdout_eq "$pin" "verify prints REG/REPO@DIGEST"
	expect_exit 0 "verify by tag" -- \
		"$SIGNET" verify --key "$T60_REL.crt" "$R60/own:v1"
	expect_exit 0 "verify -a env=prod" -- \
		"$SIGNET" verify --key "$T60_REL.crt" -a env=prod "$pin"
	expect_exit 0 "verify -a env=prod -a team=blue" -- \
		"$SIGNET" verify --key "$T60_REL.crt" -a env=prod -a team=blue "$pin"
	expect_exit 1 "verify -a env=dev: annotation mismatch" -- \
		"$SIGNET" verify --key "$T60_REL.crt" -a env=dev "$pin" &&
		expect_stderr_match "annotation 'env' missing or different" \
			"annotation mismatch: names the annotation"
	expect_exit 1 "verify -a env=prod -a team=red" -- \
		"$SIGNET" verify --key "$T60_REL.crt" -a env=prod -a team=red "$pin"
	expect_exit 1 "verify -a absent=x" -- \
		"$SIGNET" verify --key "$T60_REL.crt" -a absent=x "$pin"
	expect_exit 1 "an untrusted signet certificate refuses it" -- \
		"$SIGNET" verify --key "$T60_OTH.crt" "$pin"
	expect_exit 1 "the bare public key (rel.pub) is no trust anchor" -- \
		"$SIGNET" verify --key "$T60_REL.pub" "$pin"
	expect_exit 1 "notation vector's anchor refuses it" -- \
		"$SIGNET" verify --key "$T60_E2E" "$pin"
	expect_exit 1 "--format cosign finds none" -- \
		"$SIGNET" verify --key "$T60_REL.crt" --format cosign "$pin"

	# a second signature, RSA-3072: PS384; the tag index keeps the first
	expect_exit 0 "sign again with the rsa-3072 certificate" -- \
		"$SIGNET" sign --format notation --key "$T60_RSA.key" \
		--cert "$T60_RSA.crt" --expiry 24h "$pin"
	sigs=$(t60_sigs "$REG_MAIN" t60/own "$dg")
	check "tag index keeps the first signature: 2 entries" -- \
		test "$(grep -c . <<<"$sigs")" = 2
	t60_check_written "PS384 signature" t60/own "$dg" "$(tail -n 1 <<<"$sigs")" \
		"$T60_RSA.crt" PS384
	check "PS384 signature: expiry 24 h after signingTime, marked critical" -- \
		t60_expiry_is "$e.protected" 86400
	expect_exit 0 "verify --key rsa.crt" -- \
		"$SIGNET" verify --key "$T60_RSA.crt" "$pin"
	expect_exit 1 "rsa signature carries no -a env=prod" -- \
		"$SIGNET" verify --key "$T60_RSA.crt" -a env=prod "$pin"
	expect_exit 0 "list --key rel.crt --key rsa.crt" -- \
		"$SIGNET" list --key "$T60_REL.crt" --key "$T60_RSA.crt" "$pin" &&
		check "list: both signatures, each with its key" -- \
			test "$(t60_keyfield notation | sort | tr '\n' ' ')" = \
			"$(printf '%s\n' "$(t60_fpr "$T60_REL.crt")" \
			"$(t60_fpr "$T60_RSA.crt")" | sort | tr '\n' ' ')"
	check "list: the ES256 one shows its annotations" -- \
		grep -Fq '	{"env":"prod","team":"blue"}' "$LAST_OUT"
	expect_exit 0 "list without keys" -- "$SIGNET" list "$pin" &&
		check "list without keys: 2 notation lines" -- \
			test "$(t60_count notation)" = 2

	# errors: exit 2, nothing written
	expect_exit 2 "--cert that does not hold the signing key: exit 2" -- \
		"$SIGNET" sign --format notation --key "$T60_REL.key" \
		--cert "$T60_RSA.crt" "$pin" &&
		expect_error_message "cert/key mismatch: one 'signet:' line" \
			"certificate does not belong"
	check "cert/key mismatch: tag index unchanged" -- \
		test "$(t60_sigs "$REG_MAIN" t60/own "$dg")" = "$sigs"
	expect_exit 2 "--format notation without --cert: exit 2" -- \
		"$SIGNET" sign --format notation --key "$T60_REL.key" "$pin" &&
		expect_error_message "without --cert: one 'signet:' line" "--cert"
	expect_exit 2 "--cert given a public key: exit 2" -- \
		"$SIGNET" sign --format notation --key "$T60_REL.key" \
		--cert "$T60_REL.pub" "$pin" &&
		expect_error_message "--cert PUBLIC KEY: one 'signet:' line"
	expect_exit 2 "--expiry without --format notation: exit 2" -- \
		"$SIGNET" sign --key "$T60_REL.key" --expiry 1h "$pin"
	expect_exit 2 "--expiry bogus: exit 2" -- \
		"$SIGNET" sign --format notation --key "$T60_REL.key" \
		--cert "$T60_REL.crt" --expiry bogus "$pin"
	check "after the errors: still 2 signatures" -- \
		test "$(t60_sigs "$REG_MAIN" t60/own "$dg")" = "$sigs"

	# the expiring one, now expired
	check "--expiry 1s: fetch what was written" -- t60_envelope_of t60/own-expiry \
		"$(t60_sigs "$REG_MAIN" t60/own-expiry "$exp_dg")" "$e" &&
		t60_unb64url "$(jq -r .protected "$e")" >"$e.protected"
	check "--expiry 1s: expiry 1 s after signingTime, marked critical" -- \
		t60_expiry_is "$e.protected" 1
	while [ "$(date +%s)" -lt "$T60_EXPIRED_AFTER" ]; do sleep 0.2; done
	expect_exit 1 "expired signature (--expiry 1s) exits 1" -- \
		"$SIGNET" verify --key "$T60_REL.crt" "$exp_pin" &&
		expect_stderr_match "expired" "expired signature: says 'expired'"
}

# t60_expiry_is PROTECTED_JSON SECONDS
t60_expiry_is() {
	local st ex
	t60_jq '(.crit | index("io.cncf.notary.expiry")) != null' "$1" \
		>/dev/null || return 1
	st=$(date -u -d "$(jq -r '.["io.cncf.notary.signingTime"]' "$1")" +%s) &&
		ex=$(date -u -d "$(jq -r '.["io.cncf.notary.expiry"]' "$1")" +%s) ||
		return 1
	[ $((ex - st)) = "$2" ]
}

# Notation, cosign .sig and sigstore-bundle signatures on one image.
t60_mixed() {
	local dg pin
	t60_push mixed t60-mixed || return
	dg=$T60_DG
	pin=$T60_PIN
	expect_exit 0 "mixed: sign --format notation -a f=n" -- \
		"$SIGNET" sign --format notation --key "$T60_REL.key" \
		--cert "$T60_REL.crt" -a f=n "$pin"
	expect_exit 0 "mixed: sign (cosign .sig) -a f=c" -- \
		"$SIGNET" sign --key "$T60_REL.key" -a f=c "$pin"
	expect_exit 0 "mixed: sign --format sigstore-bundle -a f=b" -- \
		"$SIGNET" sign --format sigstore-bundle --key "$T60_REL.key" \
		-a f=b "$pin"
	check "mixed: the tag index keeps the notation entry beside the bundle" -- \
		t60_jq --arg t "$T60_SIG_TYPE" '[.manifests[].artifactType] | sort ==
		(["application/vnd.dev.sigstore.bundle.v0.3+json", $t] | sort)' \
		<(t60_index "$REG_MAIN" t60/mixed "$dg")
	check "mixed: the .sig tag is there" -- \
		eval 'reg_get_manifest "$REG_MAIN" t60/mixed "$(sig_tag "$dg")" >/dev/null'

	expect_exit 0 "mixed: verify --key rel.crt" -- \
		"$SIGNET" verify --key "$T60_REL.crt" "$pin"
	expect_exit 0 "mixed: -a f=n (only the notation one) without --format" -- \
		"$SIGNET" verify --key "$T60_REL.crt" -a f=n "$pin"
	expect_exit 0 "mixed: -a f=b (only the bundle) without --format" -- \
		"$SIGNET" verify --key "$T60_REL.crt" -a f=b "$pin"
	expect_exit 0 "mixed: --format notation -a f=n" -- \
		"$SIGNET" verify --key "$T60_REL.crt" --format notation -a f=n "$pin"
	expect_exit 1 "mixed: --format notation -a f=c" -- \
		"$SIGNET" verify --key "$T60_REL.crt" --format notation -a f=c "$pin"
	expect_exit 0 "mixed: --format cosign -a f=c" -- \
		"$SIGNET" verify --key "$T60_REL.crt" --format cosign -a f=c "$pin"
	expect_exit 1 "mixed: --format cosign -a f=n" -- \
		"$SIGNET" verify --key "$T60_REL.crt" --format cosign -a f=n "$pin"
	expect_exit 0 "mixed: --format sigstore-bundle -a f=b" -- \
		"$SIGNET" verify --key "$T60_REL.crt" --format sigstore-bundle \
		-a f=b "$pin"
	expect_exit 1 "mixed: --format sigstore-bundle -a f=n" -- \
		"$SIGNET" verify --key "$T60_REL.crt" --format sigstore-bundle \
		-a f=n "$pin"
	expect_exit 0 "mixed: --format cosign --format notation -a f=n" -- \
		"$SIGNET" verify --key "$T60_REL.crt" --format cosign \
		--format notation -a f=n "$pin"
	expect_exit 1 "mixed: --format cosign --format notation -a f=b" -- \
		"$SIGNET" verify --key "$T60_REL.crt" --format cosign \
		--format notation -a f=b "$pin"
	expect_exit 0 "mixed: rel.pub verifies the cosign formats" -- \
		"$SIGNET" verify --key "$T60_REL.pub" --format cosign \
		--format sigstore-bundle "$pin"
	expect_exit 1 "mixed: rel.pub is no anchor for the notation one" -- \
		"$SIGNET" verify --key "$T60_REL.pub" --format notation "$pin"
	expect_exit 1 "mixed: an untrusted certificate refuses all three" -- \
		"$SIGNET" verify --key "$T60_OTH.crt" "$pin" &&
		expect_stderr_match "\(3 checked;" "mixed: 3 signatures checked"

	expect_exit 0 "mixed: list" -- "$SIGNET" list "$pin" &&
		check "mixed: list shows one signature of each format" -- \
			test "$(t60_count cosign)$(t60_count notation)$(t60_count sigstore-bundle)" = 111
	# list prints one line per signature; with --key it judges each one.
	expect_exit 0 "mixed: list --key rel.crt" -- \
		"$SIGNET" list --key "$T60_REL.crt" "$pin" &&
		check "mixed: list --key shows all three signatures, each verified" -- \
			test "$(t60_count cosign)$(t60_count notation)$(t60_count sigstore-bundle)" = 111 -a \
			"$(awk -F'\t' '{ print $3 }' "$LAST_OUT" | sort -u)" = \
			"$(t60_fpr "$T60_REL.crt")"
}

# ---- forgeries --------------------------------------------------------------

# t60_resubject REPO SIG_DIGEST IMAGE_DIGEST: a copy of a signature's
# manifest whose subject is IMAGE instead, added to IMAGE's tag index.
t60_resubject() {
	local repo=$1 sig=$2 img=$3 m=$T60/resubject.json
	reg_get_manifest "$REG_MAIN" "$repo" "$sig" >"$m.orig" || return 1
	jq -c --arg d "$img" --argjson s \
		"$(reg_get_manifest "$REG_MAIN" "$repo" "$img" | wc -c)" \
		'.subject.digest = $d | .subject.size = $s' "$m.orig" >"$m" ||
		return 1
	t60_index_add "$REG_MAIN" "$repo" "$m"
}

t60_forgeries() {
	local dt dx sig p off c tp m=$T60/forge.json
	dx=$(push_image "$R60/forge:x" t60-forge-x) ||
		{ fail "push"; return; }
	expect_exit 0 "forgery set-up: sign image X" -- "$SIGNET" sign \
		--format notation --key "$T60_REL.key" --cert "$T60_REL.crt" \
		"$R60/forge@$dx"
	sig=$(t60_sigs "$REG_MAIN" t60/forge "$dx")

	# X's signature manifest (subject X) listed in T's tag index
	dt=$(push_image "$R60/forge:t1" t60-forge-t1) || { fail "push"; return; }
	reg_get_manifest "$REG_MAIN" t60/forge "$sig" >"$m"
	check "forge: put X's signature in T1's tag index" -- \
		t60_index_add "$REG_MAIN" t60/forge "$m" "$dt"
	expect_exit 1 "signature manifest whose subject is another image: exit 1" -- \
		"$SIGNET" verify --key "$T60_REL.crt" "$R60/forge@$dt" &&
		expect_stderr_match "subject is another" \
			"foreign subject: says the subject is another image"
	check "foreign subject: nothing on stdout" -- test ! -s "$LAST_OUT"
	expect_exit 1 "foreign subject, by tag: exit 1" -- \
		"$SIGNET" verify --key "$T60_REL.crt" "$R60/forge:t1"
	expect_exit 0 "control: X still verifies" -- \
		"$SIGNET" verify --key "$T60_REL.crt" "$R60/forge@$dx"

	# X's envelope in a manifest whose subject is T2: targetArtifact
	# names X
	dt=$(push_image "$R60/forge:t2" t60-forge-t2) || { fail "push"; return; }
	check "forge: X's envelope under a manifest with subject T2" -- \
		t60_resubject t60/forge "$sig" "$dt"
	expect_exit 1 "envelope whose payload names another digest: exit 1" -- \
		"$SIGNET" verify --key "$T60_REL.crt" "$R60/forge@$dt" &&
		expect_stderr_match "payload names ${dx}" \
			"moved envelope: says the payload names the other digest"

	# the thumbprint annotation lies: it names the trusted certificate,
	# the envelope is by an untrusted one
	dt=$(push_image "$R60/forge:t3" t60-forge-t3) || { fail "push"; return; }
	expect_exit 0 "forge: T3 signed by the untrusted certificate" -- \
		"$SIGNET" sign --format notation --key "$T60_OTH.key" \
		--cert "$T60_OTH.crt" "$R60/forge@$dt"
	tp=$(openssl x509 -in "$T60_REL.crt" -outform DER | sha256sum)
	reg_get_manifest "$REG_MAIN" t60/forge \
		"$(t60_sigs "$REG_MAIN" t60/forge "$dt")" |
		jq -c --arg tp "[\"${tp%% *}\"]" \
		'.annotations["io.cncf.notary.x509chain.thumbprint#S256"] = $tp' >"$m"
	jq -c --arg d "$(sha256_file "$m")" --argjson s "$(stat -c %s "$m")" \
		--slurpfile x "$m" '.manifests = [.manifests[0] | .digest = $d |
		.size = $s | .annotations = $x[0].annotations]' \
		<(t60_index "$REG_MAIN" t60/forge "$dt") >"$m.idx"
	check "forge: T3's only signature claims the trusted thumbprint" -- \
		eval 'reg_put_manifest "$REG_MAIN" t60/forge "$(sha256_file "$m")" "$m" >/dev/null &&
		reg_put_manifest "$REG_MAIN" t60/forge "sha256-${dt#sha256:}" "$m.idx" application/vnd.oci.image.index.v1+json >/dev/null'
	expect_exit 1 "thumbprint annotation naming the anchor, envelope by another: exit 1" -- \
		"$SIGNET" verify --key "$T60_REL.crt" "$R60/forge@$dt" &&
		expect_stderr_match "does not chain to a trusted" \
			"lying thumbprint: judged by the envelope's chain"

	# an envelope changed in the registry's storage, same length
	dt=$(push_image "$R60/forge:t4" t60-forge-t4) || { fail "push"; return; }
	expect_exit 0 "forge: sign T4" -- "$SIGNET" sign --format notation \
		--key "$T60_REL.key" --cert "$T60_REL.crt" "$R60/forge@$dt"
	expect_exit 0 "control: T4 verifies before the change" -- \
		"$SIGNET" verify --key "$T60_REL.crt" "$R60/forge@$dt"
	p=$(reg_get_manifest "$REG_MAIN" t60/forge \
		"$(t60_sigs "$REG_MAIN" t60/forge "$dt")" | jq -r '.layers[0].digest')
	p=$(reg_blob_path "$REG_MAIN_ROOT" "$p")
	off=$(grep -bo '"signature":"' "$p" | head -n 1 | cut -d: -f1)
	if [ -z "$off" ]; then
		fail "forge: find the signature in the stored envelope $p"
	else
		off=$((off + 13 + 20))
		c=$(dd if="$p" bs=1 skip="$off" count=1 2>/dev/null)
		if [ "$c" = A ]; then c=B; else c=A; fi
		cp "$p" "$T60/envelope.orig"
		check "forge: flip one signature character in storage" -- \
			eval 'printf %s "$c" | dd of="$p" bs=1 seek="$off" conv=notrunc 2>/dev/null &&
			test "$(stat -c %s "$p")" = "$(stat -c %s "$T60/envelope.orig")" &&
			not cmp -s "$p" "$T60/envelope.orig"'
		expect_exit 1 "envelope corrupted in the registry: exit 1" -- \
			"$SIGNET" verify --key "$T60_REL.crt" "$R60/forge@$dt"
		check "corrupted envelope: nothing on stdout" -- test ! -s "$LAST_OUT"
	fi
}

# Envelopes made with openssl: first an honest one (the technique works),
# then one change each.
t60_crafted() {
	local rsa=$T60/rsa-plain.pem c=$T60/ca n
	check "decrypt the rsa-3072 key with openssl" -- \
		plain_key "$T60_RSA.key" "$rsa" || return
	t60_push crafted t60-crafted || return
	T60_SIZE=$(reg_get_manifest "$REG_MAIN" t60/crafted "$T60_DG" | wc -c)
	printf '{}' >"$T60/empty.json"
	check "crafted: the config blob {}" -- \
		eval 'reg_put_blob "$REG_MAIN" t60/crafted "$T60/empty.json" >/dev/null'
	t60_crafted_case 0 "crafted: honest openssl envelope (PS384) verifies" \
		"$T60_RSA.crt" "$rsa" PS384 "" . "$T60_RSA.crt"
	t60_crafted_case 0 "crafted: -a annotations in the payload verify" \
		"$T60_RSA.crt" "$rsa" PS384 "" \
		'.targetArtifact.annotations = {"env": "prod"}' "$T60_RSA.crt" &&
		expect_exit 0 "crafted: and -a env=prod matches them" -- \
			"$SIGNET" verify --key "$T60_RSA.crt" -a env=prod "$T60_PIN"
	t60_crafted_case 1 "crafted: unknown critical header: exit 1" \
		"$T60_RSA.crt" "$rsa" PS384 \
		"$(t60_protected PS384 | jq -c '.crit += ["io.example.unknown"] | .["io.example.unknown"] = 1')" \
		. "$T60_RSA.crt" &&
		expect_stderr_match "unknown critical header" "crafted: names the unknown header"
	t60_crafted_case 1 "crafted: expiry not marked critical: exit 1" \
		"$T60_RSA.crt" "$rsa" PS384 \
		"$(t60_protected PS384 | jq -c '.["io.cncf.notary.expiry"] = "2099-01-01T00:00:00Z"')" \
		. "$T60_RSA.crt"
	t60_crafted_case 0 "crafted: future expiry marked critical verifies" \
		"$T60_RSA.crt" "$rsa" PS384 \
		"$(t60_protected PS384 | jq -c '.crit += ["io.cncf.notary.expiry"] | .["io.cncf.notary.expiry"] = "2099-01-01T00:00:00Z"')" \
		. "$T60_RSA.crt"
	t60_crafted_case 1 "crafted: signed 2020-01-01, expired 2020-01-02: exit 1" \
		"$T60_RSA.crt" "$rsa" PS384 \
		"$(t60_protected PS384 | jq -c '.crit += ["io.cncf.notary.expiry"] |
		.["io.cncf.notary.signingTime"] = "2020-01-01T00:00:00Z" |
		.["io.cncf.notary.expiry"] = "2020-01-02T00:00:00Z"')" \
		. "$T60_RSA.crt" &&
		expect_stderr_match "signature expired at 2020-01-02" \
			"crafted: says when it expired"
	t60_crafted_case 1 "crafted: expiry before signingTime: exit 1" \
		"$T60_RSA.crt" "$rsa" PS384 \
		"$(t60_protected PS384 | jq -c '.crit += ["io.cncf.notary.expiry"] |
		.["io.cncf.notary.expiry"] = "2020-01-01T00:00:00Z"')" \
		. "$T60_RSA.crt"
	t60_crafted_case 1 "crafted: another content type: exit 1" \
		"$T60_RSA.crt" "$rsa" PS384 \
		"$(t60_protected PS384 | jq -c '.cty = "application/json"')" \
		. "$T60_RSA.crt"
	t60_crafted_case 1 "crafted: unknown signing scheme: exit 1" \
		"$T60_RSA.crt" "$rsa" PS384 \
		"$(t60_protected PS384 | jq -c '.["io.cncf.notary.signingScheme"] = "notary.other"')" \
		. "$T60_RSA.crt"
	t60_crafted_case 1 "crafted: no signingTime: exit 1" \
		"$T60_RSA.crt" "$rsa" PS384 \
		"$(t60_protected PS384 | jq -c 'del(.["io.cncf.notary.signingTime"])')" \
		. "$T60_RSA.crt"
	t60_crafted_case 1 "crafted: alg PS256 for an RSA-3072 key: exit 1" \
		"$T60_RSA.crt" "$rsa" PS256 "" . "$T60_RSA.crt" &&
		expect_stderr_match "alg PS256" "crafted: names the wrong alg"
	t60_crafted_case 1 "crafted: payload size is another: exit 1" \
		"$T60_RSA.crt" "$rsa" PS384 "" '.targetArtifact.size += 1' \
		"$T60_RSA.crt" &&
		expect_stderr_match "payload names" "crafted: payload size is another: says so"
	t60_crafted_case 1 "crafted: payload media type is another: exit 1" \
		"$T60_RSA.crt" "$rsa" PS384 "" \
		'.targetArtifact.mediaType = "application/vnd.oci.image.index.v1+json"' \
		"$T60_RSA.crt" &&
		expect_stderr_match "payload names" "crafted: payload media type is another: says so"
	t60_crafted_case 1 "crafted: payload names another digest: exit 1" \
		"$T60_RSA.crt" "$rsa" PS384 "" \
		".targetArtifact.digest = \"sha256:$(printf '%064d' 0)\"" \
		"$T60_RSA.crt" &&
		expect_stderr_match "payload names" "crafted: payload names another digest: says so"

	# certificates made with openssl: a CA, leaves it issued, a stranger
	mkdir -p "$c"
	check "openssl: a CA and its leaves" -- t60_make_pki "$c" || return
	t60_crafted_case 1 "crafted: x5c = [leaf, CA], signed by another key: exit 1" \
		"$c/ca.crt" "$c/stranger.pem" PS256 "" . "$c/leaf.crt" "$c/ca.crt" &&
		expect_stderr_match "signature does not verify" \
			"crafted: another key: the signature does not verify"
	t60_crafted_case 1 "crafted: chain [stranger, trusted CA] that does not link: exit 1" \
		"$c/ca.crt" "$c/stranger.pem" PS256 "" . "$c/stranger.crt" \
		"$c/ca.crt" &&
		expect_stderr_match "self-signed but not the last" \
			"crafted: unlinked chain: says why"
	t60_crafted_case 0 "crafted: chain [leaf, CA], anchor the CA" \
		"$c/ca.crt" "$c/leaf.pem" PS256 "" . "$c/leaf.crt" "$c/ca.crt"
	t60_crafted_case 0 "crafted: chain [leaf, CA], anchor the leaf" \
		"$c/leaf.crt" "$c/leaf.pem" PS256 "" . "$c/leaf.crt" "$c/ca.crt"
	t60_crafted_case 1 "crafted: chain [leaf] without its root: exit 1" \
		"$c/ca.crt" "$c/leaf.pem" PS256 "" . "$c/leaf.crt"
	t60_crafted_case 1 "crafted: chain [CA, leaf] signed by the CA (wrong order): exit 1" \
		"$c/ca.crt" "$c/ca.pem" PS256 "" . "$c/ca.crt" "$c/leaf.crt"
	t60_crafted_case 1 "crafted: the CA's leaf is untrusted without the CA: exit 1" \
		"$T60_RSA.crt" "$c/leaf.pem" PS256 "" . "$c/leaf.crt" "$c/ca.crt"
	for n in caleaf noku srv; do
		t60_crafted_case 1 "crafted: leaf '$n' (not for code signing): exit 1" \
			"$c/ca.crt" "$c/$n.pem" PS256 "" . "$c/$n.crt" "$c/ca.crt"
	done
}

# t60_make_pki DIR: ca (CA:TRUE), leaf (code signing), caleaf (CA:TRUE
# leaf), noku (keyUsage without digitalSignature), srv (serverAuth EKU),
# all issued by ca; stranger, self-signed. RSA-2048 keys (PS256).
t60_make_pki() {
	local d=$1 n
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.pem" \
		-out "$d/ca.crt" -days 2 -subj "/CN=t60 test CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign" >/dev/null 2>&1 || return 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/stranger.pem" \
		-out "$d/stranger.crt" -days 2 -subj "/CN=stranger" \
		-addext "basicConstraints=critical,CA:FALSE" \
		-addext "keyUsage=critical,digitalSignature" \
		-addext "extendedKeyUsage=codeSigning" >/dev/null 2>&1 || return 1
	printf '%s\n' "basicConstraints=critical,CA:FALSE" \
		"keyUsage=critical,digitalSignature" \
		"extendedKeyUsage=codeSigning" >"$d/leaf.ext"
	printf '%s\n' "basicConstraints=critical,CA:TRUE" \
		"keyUsage=critical,digitalSignature,keyCertSign" \
		"extendedKeyUsage=codeSigning" >"$d/caleaf.ext"
	printf '%s\n' "basicConstraints=critical,CA:FALSE" \
		"keyUsage=critical,keyEncipherment" \
		"extendedKeyUsage=codeSigning" >"$d/noku.ext"
	printf '%s\n' "basicConstraints=critical,CA:FALSE" \
		"keyUsage=critical,digitalSignature" \
		"extendedKeyUsage=serverAuth" >"$d/srv.ext"
	for n in leaf caleaf noku srv; do
		openssl req -new -newkey rsa:2048 -nodes -keyout "$d/$n.pem" \
			-out "$d/$n.csr" -subj "/CN=t60 $n" >/dev/null 2>&1 &&
			openssl x509 -req -in "$d/$n.csr" -CA "$d/ca.crt" \
			-CAkey "$d/ca.pem" -CAcreateserial -days 2 \
			-extfile "$d/$n.ext" -out "$d/$n.crt" >/dev/null 2>&1 ||
			return 1
	done
}

# ---- RFC 3161 timestamp countersignatures (verify --tsa-cert) --------------

# t60_ts_pki DIR: a TSA (root CA, and a leaf with the critical timeStamping
# EKU), another TSA root nobody trusts, and an openssl ts configuration.
t60_ts_pki() {
	local d=$1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/tsaca.pem" -out "$d/tsaca.crt" -days 2 \
		-subj "/CN=t60 TSA root" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign" >/dev/null 2>&1 || return 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/other.pem" -out "$d/other.crt" -days 2 \
		-subj "/CN=t60 other TSA root" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign" >/dev/null 2>&1 || return 1
	printf '%s\n' "basicConstraints=critical,CA:FALSE" \
		"keyUsage=critical,digitalSignature" \
		"extendedKeyUsage=critical,timeStamping" >"$d/tsa.ext"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/tsa.pem" -out "$d/tsa.csr" -subj "/CN=t60 TSA" \
		>/dev/null 2>&1 &&
		openssl x509 -req -in "$d/tsa.csr" -CA "$d/tsaca.crt" \
		-CAkey "$d/tsaca.pem" -CAcreateserial -days 2 \
		-extfile "$d/tsa.ext" -out "$d/tsa.crt" >/dev/null 2>&1 || return 1
	echo 01 >"$d/tsaserial"
	cat >"$d/tsa.cnf" <<CNF || return 1
[tsa]
default_tsa = t
[t]
serial = $d/tsaserial
signer_cert = $d/tsa.crt
signer_key = $d/tsa.pem
certs = $d/tsaca.crt
signer_digest = sha256
default_policy = 1.2.3.4
digests = sha256, sha384, sha512
accuracy = secs:1
ess_cert_id_alg = sha256
CNF
}

# t60_ts_token DIR DATA_FILE OUT: an RFC 3161 token (bare, DER) over the
# bytes of DATA_FILE, stamped now by DIR's TSA.
t60_ts_token() {
	local d=$1
	openssl ts -query -data "$2" -sha256 -cert -no_nonce \
		-out "$d/q.tsq" 2>/dev/null &&
		openssl ts -reply -config "$d/tsa.cnf" -queryfile "$d/q.tsq" \
		-out "$d/r.tsr" 2>/dev/null &&
		openssl ts -reply -in "$d/r.tsr" -token_out -out "$3" 2>/dev/null
}

# t60_short_cert DIR SECONDS: a self-signed Notary code-signing certificate
# (RSA, DIR/short.pem, DIR/short.crt) valid from a minute ago to SECONDS
# from now, made with openssl ca (which takes exact dates).
t60_short_cert() {
	local d=$1 from to
	from=$(date -u -d '-60 seconds' +%Y%m%d%H%M%SZ)
	to=$(date -u -d "+$2 seconds" +%Y%m%d%H%M%SZ)
	: >"$d/index.txt"
	echo 01 >"$d/serial"
	cat >"$d/ca.cnf" <<CNF || return 1
[ca]
default_ca = c
[c]
database = $d/index.txt
new_certs_dir = $d
serial = $d/serial
default_md = sha256
policy = p
unique_subject = no
[p]
commonName = supplied
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = codeSigning
CNF
	openssl req -new -newkey rsa:2048 -nodes -keyout "$d/short.pem" \
		-out "$d/short.csr" -subj "/CN=t60 short-lived" >/dev/null 2>&1 &&
		openssl ca -batch -config "$d/ca.cnf" -selfsign \
		-keyfile "$d/short.pem" -in "$d/short.csr" -startdate "$from" \
		-enddate "$to" -extensions leaf -notext \
		-out "$d/short.crt" >/dev/null 2>&1
}

# t60_with_ts ENVELOPE TOKEN: ENVELOPE with TOKEN (DER) as its timestamp
# countersignature (unprotected header, standard base64). On stdout.
t60_with_ts() {
	jq -c --arg t "$(b64_nowrap <"$2")" \
		'.header["io.cncf.notary.timestampSignature"] = $t' "$1"
}

# t60_ts_verify WANT DESC ENVELOPE [ARGS...]: make ENVELOPE the only
# signature of $T60_PIN and expect `signet verify --key short.crt ARGS`
# to exit WANT.
t60_ts_verify() {
	local want=$1 desc=$2 env=$3
	shift 3
	if ! t60_attach t60/ts "$T60_DG" "$T60_SIZE" "$env"; then
		fail "$desc: attach the envelope"
		return 1
	fi
	expect_exit "$want" "$desc" -- "$SIGNET" verify \
		--key "$T60/ts/short.crt" "$@" "$T60_PIN"
}

# t60_ts_policies DIR: trust policies (DIR/pol) trusting short.crt for
# t60/ts, with the TSA root as "tsa-certificates", with another TSA's,
# and with none.
t60_ts_policies() {
	local d=$1 p=$1/pol t
	mkdir -p "$p" && cp "$d/short.crt" "$d/tsaca.crt" "$d/other.crt" "$p/" ||
		return 1
	for t in tsaca other none; do
		printf '{"version":1,"keys":{"short":{"certificate":"short.crt"}},"rules":[{"scope":"%s","keys":["short"]%s}]}\n' \
			"$R60/ts" "$([ "$t" = none ] ||
				printf ',"tsa-certificates":["%s.crt"]' "$t")" \
			>"$p/$t.json" || return 1
	done
}

# The same under a trust policy: the rule's "tsa-certificates" (signet-
# policy(5)) instead of --tsa-cert.
t60_ts_policy() {
	local p=$T60/ts/pol
	expect_exit 0 "timestamp policy: expired since, stamped within, tsa-certificates: exit 0" -- \
		"$SIGNET" verify --policy "$p/tsaca.json" "$T60_PIN"
	expect_stdout_eq "$T60_PIN" "timestamp policy: the pinned reference"
	expect_exit 1 "timestamp policy: without tsa-certificates the expired certificate: exit 1" -- \
		"$SIGNET" verify --policy "$p/none.json" "$T60_PIN"
	expect_exit 1 "timestamp policy: another TSA's root: exit 1" -- \
		"$SIGNET" verify --policy "$p/other.json" "$T60_PIN" &&
		expect_stderr_match "timestamp: not signed by a trusted timestamp authority" \
			"timestamp policy: another TSA root: says so"
	expect_exit 2 "timestamp policy: --tsa-cert beside --policy: exit 2" -- \
		"$SIGNET" verify --policy "$p/none.json" --tsa-cert "$p/tsaca.crt" \
		"$T60_PIN" &&
		expect_error_message "timestamp policy: --tsa-cert beside --policy: says where they go" \
			'the rule.s "tsa-certificates" names them'
	expect_exit 0 "timestamp policy: show" -- \
		"$SIGNET" policy show --policy "$p/tsaca.json" "$R60/ts"
	expect_stdout_match '^  timestamps:  1 timestamp authority trusted for notation \(tsa-certificates\)$' \
		"timestamp policy: show names the timestamp authorities"
	ln -s tsaca.crt "$p/link.crt"
	sed 's/"tsaca.crt"/"link.crt"/' "$p/tsaca.json" >"$p/link.json"
	expect_exit 2 "timestamp policy: a linked tsa-certificates file: exit 2" -- \
		"$SIGNET" verify --policy "$p/link.json" "$T60_PIN" &&
		expect_error_message "timestamp policy: a linked file: names the JSON path" \
			'\.rules\[0\]\.tsa-certificates\[0\]: .*is a symbolic link'
}

# Timestamp countersignatures made with openssl ts over the signature bytes
# of an envelope signed (with openssl) by a certificate valid for 30 s:
# verified with --tsa-cert while the certificate is valid and after it has
# expired, ignored without; forgeries (another TSA root, a token over
# other bytes, a token made after the certificate expired) exit 1 naming
# the timestamp.
t60_timestamp() {
	local d=$T60/ts end now
	mkdir -p "$d"
	check "timestamp: a TSA and a certificate valid 30 s (openssl)" -- \
		eval 't60_ts_pki "$d" && t60_short_cert "$d" 30 &&
			t60_ts_policies "$d"' || return
	end=$(date -u -d "$(openssl x509 -in "$d/short.crt" -noout -enddate |
		cut -d= -f2)" +%s) || return
	t60_push ts t60-ts || return
	T60_SIZE=$(reg_get_manifest "$REG_MAIN" t60/ts "$T60_DG" | wc -c)
	printf '{}' >"$T60/empty.json"
	check "timestamp: signed with openssl, stamped with openssl ts" -- \
		eval 'reg_put_blob "$REG_MAIN" t60/ts "$T60/empty.json" >/dev/null &&
		t60_envelope "$d/short.pem" PS256 "$(t60_protected PS256)" \
			"$(t60_payload "$T60_DG" "$T60_SIZE")" "$d/short.crt" \
			>"$d/env.jws" &&
		t60_unb64url "$(jq -r .signature "$d/env.jws")" >"$d/sig.bin" &&
		t60_ts_token "$d" "$d/sig.bin" "$d/tok.der" &&
		printf "other bytes" >"$d/other.bin" &&
		t60_ts_token "$d" "$d/other.bin" "$d/tok-other.der" &&
		t60_with_ts "$d/env.jws" "$d/tok.der" >"$d/env-ts.jws" &&
		t60_with_ts "$d/env.jws" "$d/tok-other.der" >"$d/env-other.jws"' ||
		return
	check "timestamp: openssl ts itself verifies the token" -- \
		eval 'openssl ts -verify -token_in -in "$d/tok.der" \
			-data "$d/sig.bin" -CAfile "$d/tsaca.crt" >/dev/null 2>&1'

	# while the certificate is valid
	t60_ts_verify 0 "timestamp: trusted TSA, valid certificate: exit 0" \
		"$d/env-ts.jws" --tsa-cert "$d/tsaca.crt"
	expect_exit 0 "timestamp: without --tsa-cert it is ignored" -- \
		"$SIGNET" verify --key "$d/short.crt" "$T60_PIN"
	expect_exit 1 "timestamp: another TSA root: exit 1" -- \
		"$SIGNET" verify --key "$d/short.crt" --tsa-cert "$d/other.crt" \
		"$T60_PIN" &&
		expect_stderr_match "timestamp: not signed by a trusted timestamp authority" \
			"timestamp: another TSA root: says so"
	expect_exit 0 "timestamp: --tsa-cert repeated, one of them right" -- \
		"$SIGNET" verify --key "$d/short.crt" --tsa-cert "$d/other.crt" \
		--tsa-cert "$d/tsaca.crt" "$T60_PIN"
	t60_ts_verify 1 "timestamp: token over other bytes: exit 1" \
		"$d/env-other.jws" --tsa-cert "$d/tsaca.crt" &&
		expect_stderr_match "timestamp: its message imprint does not match" \
			"timestamp: token over other bytes: says the imprint"
	expect_exit 0 "timestamp: token over other bytes, no --tsa-cert: ignored" -- \
		"$SIGNET" verify --key "$d/short.crt" "$T60_PIN"
	expect_exit 2 "timestamp: --tsa-cert without --key: exit 2" -- \
		"$SIGNET" verify --tsa-cert "$d/tsaca.crt" "$T60_PIN" &&
		expect_error_message "timestamp: --tsa-cert without --key: says so" \
			"tsa-cert goes with --key"
	expect_exit 2 "timestamp: --tsa-cert of a missing file: exit 2" -- \
		"$SIGNET" verify --key "$d/short.crt" --tsa-cert "$d/nothing" \
		"$T60_PIN"

	# once the certificate has expired
	now=$(date +%s)
	[ "$now" -gt "$end" ] || sleep $((end - now + 1))
	t60_ts_verify 0 "timestamp: certificate expired since, stamped within its validity: exit 0" \
		"$d/env-ts.jws" --tsa-cert "$d/tsaca.crt"
	expect_exit 0 "timestamp: --json" -- "$SIGNET" verify --json \
		--key "$d/short.crt" --tsa-cert "$d/tsaca.crt" "$T60_PIN" &&
		check "timestamp: --json shows the time it states" -- \
			t60_jq --arg t "$(date -u -d "$(openssl ts -reply -token_in \
				-in "$d/tok.der" -text 2>/dev/null |
				sed -n 's/^Time stamp: //p')" +%Y-%m-%dT%H:%M:%SZ)" \
			'.[0].signatures[0].timestamp == $t' "$LAST_OUT"
	t60_ts_policy
	expect_exit 1 "timestamp: expired certificate without --tsa-cert: exit 1" -- \
		"$SIGNET" verify --key "$d/short.crt" "$T60_PIN"
	check "timestamp: a token made after the certificate expired" -- \
		eval 't60_ts_token "$d" "$d/sig.bin" "$d/tok-late.der" &&
		t60_with_ts "$d/env.jws" "$d/tok-late.der" >"$d/env-late.jws"' ||
		return
	t60_ts_verify 1 "timestamp: stamped after the certificate expired: exit 1" \
		"$d/env-late.jws" --tsa-cert "$d/tsaca.crt" &&
		expect_stderr_match "timestamp: at the time it states" \
			"timestamp: stamped after expiry: names the timestamp"
}

if t60_keys; then
	t60_vectors
	t60_roundtrip
	t60_mixed
	t60_forgeries
	t60_crafted
	t60_timestamp
fi
