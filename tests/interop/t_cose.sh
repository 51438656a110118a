# shellcheck shell=bash
# notation's COSE envelopes (`notation sign --signature-format cose`)
# verified by signet, on docker-registry (the sha256-<hex> tag index): an
# EC P-256 leaf under a test root (ES256, a chain of two) and a
# self-signed RSA-2048 certificate (PS256, with an expiry). Each forgery
# (payload changed, signature bit flipped, an untrusted anchor, a critical
# header signet does not know) must be refused with exit 1. Sourced by
# run.sh, which provides SIGNET, NOTATION, REG_MAIN and lib.sh's helpers.

TC=$WORK/t_cose
mkdir -p "$TC"
TC_NC=$TC/nc			# NOTATION_CONFIG: signing keys, trust store
TC_SIG_TYPE=application/vnd.cncf.notary.signature

# tc_notation ARGS...: notation with our config (for expect_exit).
tc_notation() {
	TC_CMD=(env NOTATION_CONFIG="$TC_NC" "$NOTATION" "$@")
}

# tc_certs: root.crt (a CA), leaf.pem / leaf.crt (EC P-256, signed by the
# root), chain.crt (leaf then root), rsa.pem / rsa.crt (self-signed) and
# other.crt (a CA that signed nothing here).
tc_certs() {
	local d=$TC ext=$TC/leaf.ext
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/root.pem" -out "$d/root.crt" -days 10 \
		-subj "/CN=cose test root" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign" || return 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/other.pem" -out "$d/other.crt" -days 10 \
		-subj "/CN=cose other root" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign" || return 1
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/leaf.pem" -out "$d/leaf.csr" \
		-subj "/C=US/O=Example/CN=cose leaf" || return 1
	printf '%s\n' "basicConstraints=critical,CA:FALSE" \
		"keyUsage=critical,digitalSignature" \
		"extendedKeyUsage=codeSigning" >"$ext"
	openssl x509 -req -in "$d/leaf.csr" -CA "$d/root.crt" \
		-CAkey "$d/root.pem" -CAcreateserial -days 9 \
		-extfile "$ext" -out "$d/leaf.crt" || return 1
	cat "$d/leaf.crt" "$d/root.crt" >"$d/chain.crt"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/rsa.pem" \
		-out "$d/rsa.crt" -days 10 -subj "/CN=cose rsa" \
		-addext "keyUsage=critical,digitalSignature" \
		-addext "extendedKeyUsage=codeSigning" \
		-addext "basicConstraints=critical,CA:FALSE"
} >/dev/null 2>&1

tc_setup() {
	local c
	check "openssl: a root, an EC leaf under it, an RSA certificate" -- \
		tc_certs || return 1
	mkdir -p "$TC_NC"
	echo '{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":["ca:cose"],"trustedIdentities":["*"]}]}' \
		>"$TC_NC/trustpolicy.json"
	printf '{"default":"ec","keys":[{"name":"ec","keyPath":"%s","certPath":"%s"},{"name":"rsa","keyPath":"%s","certPath":"%s"}]}\n' \
		"$TC/leaf.pem" "$TC/chain.crt" "$TC/rsa.pem" "$TC/rsa.crt" \
		>"$TC_NC/signingkeys.json"
	for c in root.crt rsa.crt; do
		tc_notation cert add --type ca --store cose "$TC/$c"
		expect_exit 0 "notation cert add $c" -- "${TC_CMD[@]}" ||
			return 1
	done
}

# tc_sign DESC [notation sign args...] IMAGE: a COSE signature by notation.
tc_sign() {
	local desc=$1
	shift
	tc_notation sign --insecure-registry --signature-format cose "$@"
	expect_exit 0 "$desc" -- "${TC_CMD[@]}"
}

# tc_sig REPO DIGEST: the one Notary signature manifest's digest, from the
# tag index.
tc_sig() {
	reg_get_manifest "$REG_MAIN" "$1" "sha256-${2#sha256:}" |
		jq -r --arg t "$TC_SIG_TYPE" \
		'.manifests[] | select(.artifactType == $t) | .digest'
}

# tc_forge SRC SIG DST IMAGE MODE: copy the COSE signature SIG of SRC into
# DST as the only signature of IMAGE (same content, so the payload still
# names it), its envelope changed by MODE: "payload" (a digit of the
# signed digest), "flip" (the signature's last bit), "crit" (the critical
# header io.cncf.notary.signingScheme renamed in crit). Byte edits of the
# same length: the CBOR stays well-formed.
tc_forge() {
	local src=$1 sig=$2 dst=$3 img=$4 mode=$5 d edg cdg
	d=$(mktemp -d "$TC/forge.XXXXXX") || return 1
	reg_get_manifest "$REG_MAIN" "$src" "$sig" >"$d/m" || return 1
	reg_get_blob "$REG_MAIN" "$src" "$(jq -r '.layers[0].digest' "$d/m")" \
		>"$d/env" || return 1
	python3 - "$d/env" "$mode" <<'EOF' || return 1
import sys
path, mode = sys.argv[1], sys.argv[2]
b = bytearray(open(path, 'rb').read())
if mode == 'payload':
    i = b.index(b'"digest":"sha256:') + len(b'"digest":"sha256:')
    b[i] = ord('0') if b[i] != ord('0') else ord('1')
elif mode == 'flip':
    b[-1] ^= 1
elif mode == 'crit':
    # the first occurrence is crit's entry (the map key comes later)
    name = b'io.cncf.notary.signingScheme'
    i = b.index(name)
    b[i:i + len(name)] = b'io.example.notation.unknown_'
open(path, 'wb').write(bytes(b))
EOF
	printf '{}' >"$d/config"
	cdg=$(reg_put_blob "$REG_MAIN" "$dst" "$d/config") || return 1
	edg=$(reg_put_blob "$REG_MAIN" "$dst" "$d/env") || return 1
	reg_get_manifest "$REG_MAIN" "$dst" "$img" >"$d/img" || return 1
	jq -c --arg edg "$edg" --argjson esz "$(stat -c %s "$d/env")" \
		--arg cdg "$cdg" --arg img "$img" \
		--argjson isz "$(stat -c %s "$d/img")" '
		.layers[0].digest = $edg | .layers[0].size = $esz |
		.config.digest = $cdg |
		.subject.digest = $img | .subject.size = $isz' "$d/m" >"$d/m.new" ||
		return 1
	reg_put_manifest "$REG_MAIN" "$dst" "$(sha256_file "$d/m.new")" \
		"$d/m.new" >/dev/null || return 1
	jq -c --arg dg "$(sha256_file "$d/m.new")" \
		--argjson sz "$(stat -c %s "$d/m.new")" '{schemaVersion: 2,
		mediaType: "application/vnd.oci.image.index.v1+json",
		manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
			digest: $dg, size: $sz, artifactType: "'"$TC_SIG_TYPE"'",
			annotations: .annotations}]}' "$d/m.new" >"$d/idx" || return 1
	reg_put_manifest "$REG_MAIN" "$dst" "sha256-${img#sha256:}" "$d/idx" \
		application/vnd.oci.image.index.v1+json >/dev/null
}

tc_verify() {
	local r=$REG_MAIN/tc pin sig m dg mode
	TC_DG=$(push_image "$r/ec:v1" tc-ec) || { fail "push"; return; }
	pin=$r/ec@$TC_DG
	tc_sign "notation sign --signature-format cose -m team=x (ES256)" \
		-m team=x "$pin" || return
	sig=$(tc_sig tc/ec "$TC_DG")
	m=$TC/ec.manifest
	check "the signature manifest's layer is application/cose" -- \
		eval 'reg_get_manifest "$REG_MAIN" tc/ec "$sig" >"$m" &&
		jq -e ".layers[0].mediaType == \"application/cose\"" "$m" >/dev/null'
	tc_notation verify --insecure-registry "$pin"
	expect_exit 0 "notation verifies its own COSE signature" -- \
		"${TC_CMD[@]}"
	expect_exit 0 "signet verifies notation's COSE signature (root anchor)" \
		-- "$SIGNET" verify --key "$TC/root.crt" "$pin" &&
		expect_stdout_eq "$pin" "verify prints REG/REPO@DIGEST"
	expect_exit 0 "signet verify --format notation -a team=x, by tag" -- \
		"$SIGNET" verify --key "$TC/root.crt" --format notation \
		-a team=x "$r/ec:v1"
	expect_exit 1 "signet verify -a team=y" -- \
		"$SIGNET" verify --key "$TC/root.crt" -a team=y "$pin"
	expect_exit 0 "signet verify with the leaf itself as anchor" -- \
		"$SIGNET" verify --key "$TC/leaf.crt" "$pin"
	expect_exit 1 "forgery: an untrusted anchor" -- \
		"$SIGNET" verify --key "$TC/other.crt" "$pin"
	expect_exit 0 "signet list" -- "$SIGNET" list "$pin" &&
		check "signet list shows the COSE signature and its annotation" -- \
			eval 'test "$(awk -F"\t" "\$2 == \"notation\"" "$LAST_OUT" |
				grep -c "{\"team\":\"x\"}")" = 1'
	expect_exit 0 "signet list --key root.crt" -- \
		"$SIGNET" list --key "$TC/root.crt" "$pin" &&
		check "listed with the leaf's key" -- eval '
			h=$(openssl x509 -in "$TC/leaf.crt" -noout -pubkey |
				openssl pkey -pubin -outform DER | sha256sum)
			awk -F"\t" "\$2 == \"notation\" { print \$3 }" "$LAST_OUT" |
				grep -qx "SHA256:${h%% *}"'

	dg=$(push_image "$r/rsa:v1" tc-rsa) || { fail "push"; return; }
	tc_sign "notation sign --signature-format cose --key rsa --expiry 24h" \
		--key rsa --expiry 24h "$r/rsa@$dg" || return
	expect_exit 0 "signet verifies notation's PS256 COSE signature" -- \
		"$SIGNET" verify --key "$TC/rsa.crt" "$r/rsa@$dg"
	expect_exit 1 "forgery: the RSA certificate is no anchor for ES256" -- \
		"$SIGNET" verify --key "$TC/rsa.crt" "$pin"

	for mode in payload flip crit; do
		dg=$(push_image "$r/$mode:v1" tc-ec) || { fail "push"; return; }
		check "forge ($mode): notation's envelope edited, moved" -- \
			tc_forge tc/ec "$sig" "tc/$mode" "$dg" "$mode" || continue
		expect_exit 1 "forgery ($mode) refused" -- \
			"$SIGNET" verify --key "$TC/root.crt" "$r/$mode@$dg" || continue
		case $mode in
		crit) expect_stderr_match "unknown critical header" \
			"crit: says the critical header is unknown" ;;
		*) expect_stderr_match "does not verify" \
			"$mode: says the signature does not verify" ;;
		esac
		tc_notation verify --insecure-registry "$r/$mode@$dg"
		run_cmd "${TC_CMD[@]}"
		case $LAST_RC in
		0|124|137) fail "forgery ($mode): notation refuses it too (exit $LAST_RC)" ;;
		*) pass "forgery ($mode): notation refuses it too" ;;
		esac
	done
}

if tc_setup; then
	tc_verify
fi
