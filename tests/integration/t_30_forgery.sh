# shellcheck shell=bash
# Forged, tampered and missing signatures (exit 1), and errors (exit 2).
# Forgeries are made with openssl, curl and jq, outside signet, so a bug in
# signet's writer cannot hide a bug in its reader. Sourced by run.sh.

T30=$WORK/t30
mkdir -p "$T30"
R30=$REG_MAIN/t30
PLAIN_A=$T30/a-plain.pem
plain_key "$KEY_A.key" "$PLAIN_A" || fail "decrypt key A with openssl"

# t30_payload REF DIGEST [TYPE] [EXTRA_CRITICAL_JSON]: a compact payload.
t30_payload() {
	local type=${3:-cosign container image signature} extra=${4:-}
	printf '{"critical":{"identity":{"docker-reference":"%s"},"image":{"docker-manifest-digest":"%s"},"type":"%s"%s},"optional":null}' \
		"$1" "$2" "$type" "${extra:+,$extra}"
}

# t30_forge REPO TARGET_DIGEST PAYLOAD_FILE [PLAIN_KEY]: sign PAYLOAD_FILE
# with openssl and make it the only signature in TARGET's .sig manifest.
t30_forge() {
	local repo=$1 target=$2 pl=$3 key=${4:-$PLAIN_A} pdg cdg sig d
	d=$(mktemp -d "$T30/forge.XXXXXX") || return 1
	openssl dgst -sha256 -sign "$key" -out "$d/sig.bin" "$pl" || return 1
	sig=$(b64_nowrap "$d/sig.bin")
	pdg=$(reg_put_blob "$REG_MAIN" "$repo" "$pl") || return 1
	printf '{"architecture":"","created":"0001-01-01T00:00:00Z","history":[{"created":"0001-01-01T00:00:00Z"}],"os":"","rootfs":{"type":"layers","diff_ids":["%s"]},"config":{}}' \
		"$pdg" >"$d/config.json"
	cdg=$(reg_put_blob "$REG_MAIN" "$repo" "$d/config.json") || return 1
	jq -cn --arg cdg "$cdg" --argjson csz "$(stat -c %s "$d/config.json")" \
		--arg pdg "$pdg" --argjson psz "$(stat -c %s "$pl")" --arg sig "$sig" '{
		schemaVersion: 2,
		mediaType: "application/vnd.oci.image.manifest.v1+json",
		config: {mediaType: "application/vnd.oci.image.config.v1+json",
			digest: $cdg, size: $csz},
		layers: [{mediaType: "application/vnd.dev.cosign.simplesigning.v1+json",
			digest: $pdg, size: $psz,
			annotations: {"dev.cosignproject.cosign/signature": $sig}}]
	}' >"$d/manifest.json" || return 1
	reg_put_manifest "$REG_MAIN" "$repo" "$(sig_tag "$target")" \
		"$d/manifest.json" >/dev/null
}

t30_crafted() {
	local dt dother dc
	dt=$(push_image "$R30/target:v1" t30-target) || { fail "push"; return; }
	dother=$(push_image "$R30/target:other" t30-other) || { fail "push"; return; }
	dc=$(push_image "$R30/control:v1" t30-control) || { fail "push"; return; }

	# Control: the forging technique, used honestly, makes a signature
	# signet accepts; so the refusals below are about the content.
	t30_payload "$R30/control" "$dc" >"$T30/control.json"
	check "craft an honest signature with openssl" -- \
		t30_forge t30/control "$dc" "$T30/control.json"
	expect_exit 0 "control: openssl-made signature verifies" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/control@$dc"

	expect_exit 1 "unsigned image exits 1" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/target@$dt"
	check "unsigned image: nothing on stdout" -- test ! -s "$LAST_OUT"

	t30_payload "$R30/target" "$dother" >"$T30/otherdigest.json"
	check "craft payload naming another digest" -- \
		t30_forge t30/target "$dt" "$T30/otherdigest.json"
	expect_exit 1 "payload naming another image's digest exits 1" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/target@$dt"
	check "another digest: nothing on stdout" -- test ! -s "$LAST_OUT"
	expect_exit 1 "same forgery, verified by tag, exits 1" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/target:v1"

	t30_payload "$REG_MAIN/t30/elsewhere" "$dt" >"$T30/otherrepo.json"
	check "craft payload naming another repository" -- \
		t30_forge t30/target "$dt" "$T30/otherrepo.json"
	expect_exit 1 "payload naming another repository exits 1" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/target@$dt"

	t30_payload "$R30/target" "$dt" "atomic container signature" >"$T30/type.json"
	check "craft payload with another type" -- \
		t30_forge t30/target "$dt" "$T30/type.json"
	expect_exit 1 "payload with a wrong critical.type exits 1" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/target@$dt"

	t30_payload "$R30/target" "$dt" "" '"surprise":{}' >"$T30/unknown.json"
	check "craft payload with an unknown critical member" -- \
		t30_forge t30/target "$dt" "$T30/unknown.json"
	expect_exit 1 "payload with an unknown critical member exits 1" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/target@$dt"

	# Right payload, signed by a key nobody trusts.
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$T30/mallory.pem" 2>/dev/null
	t30_payload "$R30/target" "$dt" >"$T30/mallory.json"
	check "craft a signature with an untrusted key" -- \
		t30_forge t30/target "$dt" "$T30/mallory.json" "$T30/mallory.pem"
	expect_exit 1 "signature by an untrusted key exits 1" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/target@$dt"
}

# t30_add_layer REPO TARGET_DIGEST PAYLOAD_FILE B64SIG [first|last]: add a
# layer to TARGET's existing .sig manifest.
t30_add_layer() {
	local repo=$1 target=$2 pl=$3 sig=$4 where=${5:-last} pdg m
	m=$(mktemp "$T30/add.XXXXXX") || return 1
	pdg=$(reg_put_blob "$REG_MAIN" "$repo" "$pl") || return 1
	reg_get_manifest "$REG_MAIN" "$repo" "$(sig_tag "$target")" >"$m.old" ||
		return 1
	jq -c --arg pdg "$pdg" --argjson psz "$(stat -c %s "$pl")" \
		--arg sig "$sig" --arg where "$where" '
		{mediaType: "application/vnd.dev.cosign.simplesigning.v1+json",
		 digest: $pdg, size: $psz,
		 annotations: {"dev.cosignproject.cosign/signature": $sig}} as $l |
		if $where == "first" then .layers = [$l] + .layers
		else .layers += [$l] end' "$m.old" >"$m" || return 1
	reg_put_manifest "$REG_MAIN" "$repo" "$(sig_tag "$target")" "$m" >/dev/null
}

t30_mixups() {
	local dg dother
	dg=$(push_image "$R30/mix:v1" t30-mix) || { fail "push"; return; }
	dother=$(push_image "$R30/mix:other" t30-mix-other) || { fail "push"; return; }

	# A: env=prod; B: no annotations. -a must hold in the signature that
	# verifies, not in some other one.
	expect_exit 0 "sign mix with A -a env=prod" -- \
		"$SIGNET" sign --key "$KEY_A.key" -a env=prod "$R30/mix@$dg"
	expect_exit 0 "sign mix with B" -- "$SIGNET" sign --key "$KEY_B.key" "$R30/mix@$dg"
	expect_exit 1 "key B with A's annotation (-a env=prod --key B) exits 1" -- \
		"$SIGNET" verify --key "$KEY_B.pub" -a env=prod "$R30/mix@$dg"
	expect_exit 0 "key A with its annotation exits 0" -- \
		"$SIGNET" verify --key "$KEY_A.pub" -a env=prod "$R30/mix@$dg"

	# A junk layer in front of the good ones does not hide them ...
	printf 'junk' >"$T30/junk.bin"
	check "add an invalid signature layer first" -- \
		t30_add_layer t30/mix "$dg" "$T30/junk.bin" "$(printf 'nope' | base64)" first
	expect_exit 0 "a junk signature layer does not hide a valid one" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/mix@$dg"

	# ... and a payload with duplicate members is never accepted, whatever
	# member a JSON parser would keep.
	printf '{"critical":{"identity":{"docker-reference":"%s"},"image":{"docker-manifest-digest":"%s","docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":null}' \
		"$R30/dup" "$dother" "$dg" >"$T30/dup1.json"
	printf '{"critical":{"identity":{"docker-reference":"%s"},"image":{"docker-manifest-digest":"%s","docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":null}' \
		"$R30/dup" "$dg" "$dother" >"$T30/dup2.json"
	local dd
	dd=$(push_image "$R30/dup:v1" t30-dup) || { fail "push"; return; }
	sed -i "s/$dg/$dd/" "$T30/dup1.json" "$T30/dup2.json"
	check "craft payload with a duplicate digest member (real one last)" -- \
		t30_forge t30/dup "$dd" "$T30/dup1.json"
	expect_exit 1 "payload with duplicate members (real digest last) exits 1" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/dup@$dd"
	check "craft payload with a duplicate digest member (real one first)" -- \
		t30_forge t30/dup "$dd" "$T30/dup2.json"
	expect_exit 1 "payload with duplicate members (real digest first) exits 1" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/dup@$dd"
}

# The registry serves manifest bytes that do not hash to the digest: signet
# computes digests itself and never accepts the image.
t30_tampered_manifest() {
	local dg f old new
	dg=$(push_image "$R30/badmanifest:v1" t30-badmanifest) || { fail "push"; return; }
	expect_exit 0 "sign badmanifest" -- \
		"$SIGNET" sign --key "$KEY_A.key" "$R30/badmanifest@$dg"
	f=$(reg_blob_path "$REG_MAIN_ROOT" "$dg")
	check "image manifest is in the registry's storage" -- test -f "$f" || return
	# Same length, still valid JSON: change the config size digit.
	old=$(cat "$f")
	new=$(printf '%s' "$old" | sed 's/"size":\([0-9]*\)[0-9]}/"size":\10}/')
	[ "$new" = "$old" ] && new=$(printf '%s' "$old" | sed 's/"size":\([0-9]*\)[0-9]}/"size":\11}/')
	printf '%s' "$new" >"$f"
	check "the served manifest no longer hashes to its digest" -- test \
		"sha256:$(reg_get_manifest "$REG_MAIN" t30/badmanifest "$dg" | sha256sum | cut -d' ' -f1)" != "$dg"
	# By digest the bytes must hash to it: corrupted registry data, 2.
	expect_exit 2 "verify by digest refuses a manifest that does not match" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/badmanifest@$dg"
	check "no pinned reference printed for a tampered manifest" -- test ! -s "$LAST_OUT"
	# By tag nothing names the digest the bytes should have: signet hashes
	# what it is served, and no signature covers that (as for a moved tag).
	expect_exit 1 "verify by tag refuses a manifest that does not match" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/badmanifest:v1"
	check "no pinned reference printed (by tag)" -- test ! -s "$LAST_OUT"
}

t30_wrong_key() {
	local dg
	dg=$(push_image "$R30/wrongkey:v1" t30-wrongkey) || { fail "push"; return; }
	expect_exit 0 "sign with B" -- "$SIGNET" sign --key "$KEY_B.key" "$R30/wrongkey@$dg"
	expect_exit 1 "verify with the wrong key exits 1" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/wrongkey@$dg"
	check "wrong key: nothing on stdout" -- test ! -s "$LAST_OUT"
}

t30_replay() {
	local da db
	da=$(push_image "$R30/replay:a" t30-replay-a) || { fail "push"; return; }
	db=$(push_image "$R30/replay:b" t30-replay-b) || { fail "push"; return; }
	expect_exit 0 "sign replay:a" -- "$SIGNET" sign --key "$KEY_A.key" "$R30/replay@$da"
	reg_get_manifest "$REG_MAIN" t30/replay "$(sig_tag "$da")" >"$T30/replay.json"
	check "copy a's .sig manifest to b's .sig tag" -- \
		reg_put_manifest "$REG_MAIN" t30/replay "$(sig_tag "$db")" \
		"$T30/replay.json" >/dev/null
	expect_exit 1 "signature replayed from another image exits 1" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/replay@$db"
}

t30_tag_moved() {
	local da db
	da=$(push_image "$R30/moved:v1" t30-moved-a) || { fail "push"; return; }
	expect_exit 0 "sign moved:v1" -- "$SIGNET" sign --key "$KEY_A.key" "$R30/moved:v1"
	db=$(push_image "$R30/moved:v1" t30-moved-b) || { fail "push"; return; }
	check "new content under the same tag" -- test "$da" != "$db"
	expect_exit 1 "tag moved to unsigned content exits 1" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/moved:v1"
	expect_exit 0 "the signed digest still verifies" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/moved@$da"
}

t30_corrupt_annotation() {
	local dg m sig i c n
	dg=$(push_image "$R30/corrupt:v1" t30-corrupt) || { fail "push"; return; }
	expect_exit 0 "sign corrupt" -- "$SIGNET" sign --key "$KEY_A.key" "$R30/corrupt@$dg"
	m=$T30/corrupt.json
	reg_get_manifest "$REG_MAIN" t30/corrupt "$(sig_tag "$dg")" >"$m"
	sig=$(jq -r '.layers[0].annotations["dev.cosignproject.cosign/signature"]' "$m")
	i=$(( ${#sig} / 2 ))
	c=${sig:i:1}
	if [ "$c" = A ]; then n=B; else n=A; fi
	jq -c --arg s "${sig:0:i}$n${sig:i+1}" \
		'.layers[0].annotations["dev.cosignproject.cosign/signature"] = $s' \
		"$m" >"$T30/corrupt2.json"
	check "put back the .sig manifest with a flipped signature byte" -- \
		reg_put_manifest "$REG_MAIN" t30/corrupt "$(sig_tag "$dg")" \
		"$T30/corrupt2.json" >/dev/null
	expect_exit 1 "corrupted signature annotation exits 1" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/corrupt@$dg"

	jq -c '.layers[0].annotations["dev.cosignproject.cosign/signature"] = "%%%not base64%%%"' \
		"$m" >"$T30/corrupt3.json"
	reg_put_manifest "$REG_MAIN" t30/corrupt "$(sig_tag "$dg")" "$T30/corrupt3.json" >/dev/null
	expect_exit 1 "signature annotation that is not base64 exits 1" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/corrupt@$dg"
}

t30_tampered_blob() {
	local dg dother m ldg f len
	dg=$(push_image "$R30/tamper:v1" t30-tamper) || { fail "push"; return; }
	dother=$(push_image "$R30/tamper:other" t30-tamper-other) || { fail "push"; return; }
	expect_exit 0 "sign tamper" -- "$SIGNET" sign --key "$KEY_A.key" "$R30/tamper@$dg"
	expect_exit 0 "tamper: verifies before tampering" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/tamper@$dg"
	m=$T30/tamper.json
	reg_get_manifest "$REG_MAIN" t30/tamper "$(sig_tag "$dg")" >"$m"
	ldg=$(jq -r '.layers[0].digest' "$m")
	f=$(reg_blob_path "$REG_MAIN_ROOT" "$ldg")
	if ! check "payload blob is in the registry's storage" -- test -f "$f"; then
		return
	fi
	len=$(stat -c %s "$f")
	# Same length, other image's digest: what an attacker with write access
	# to the storage would do.
	sed "s/${dg#sha256:}/${dother#sha256:}/" "$f" >"$T30/tampered.bin"
	check "tampered payload has the same length" -- \
		test "$(stat -c %s "$T30/tampered.bin")" = "$len"
	check "tampered payload differs" -- not cmp -s "$f" "$T30/tampered.bin"
	cat "$T30/tampered.bin" >"$f"
	check "registry now serves bytes that do not match the digest" -- test \
		"$(reg_get_blob "$REG_MAIN" t30/tamper "$ldg" | sha256sum | cut -d' ' -f1)" != \
		"${ldg#sha256:}"
	expect_exit 1 "signature blob not matching its digest exits 1" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/tamper@$dg"
}

t30_errors() {
	local dg port
	dg=$(push_image "$R30/errors:v1" t30-errors) || { fail "push"; return; }

	expect_exit 2 "nonexistent tag exits 2" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/errors:nope"
	expect_error_message "nonexistent tag is named" 'nope|not found|unknown'
	expect_exit 2 "nonexistent repository exits 2" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/no-such-repo:v1"
	expect_error_message "nonexistent repository is named" 'no-such-repo|not found|unknown'
	expect_exit 2 "nonexistent digest exits 2" -- \
		"$SIGNET" verify --key "$KEY_A.pub" \
		"$R30/errors@sha256:0000000000000000000000000000000000000000000000000000000000000000"
	expect_error_message "nonexistent digest is named" '0000000000|not found|unknown'
	expect_exit 2 "sign a nonexistent tag exits 2" -- \
		"$SIGNET" sign --key "$KEY_A.key" "$R30/errors:nope"
	expect_error_message "sign: nonexistent tag is named" 'nope|not found|unknown'
	expect_exit 2 "list a nonexistent tag exits 2" -- \
		"$SIGNET" list "$R30/errors:nope"
	expect_error_message "list: nonexistent tag is named" 'nope|not found|unknown'

	port=$(free_port)
	expect_exit 2 "unreachable registry exits 2" -- \
		"$SIGNET" verify --timeout 5 --key "$KEY_A.pub" "127.0.0.1:$port/t30/x:v1"
	expect_error_message "unreachable registry is named" "127\.0\.0\.1:$port|connect|refused|reach"

	expect_exit 2 "reference 'UPPER/case' exits 2" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "UPPER/case"
	expect_error_message "bad reference is named" 'UPPER/case|reference|invalid'
	expect_exit 2 "reference 'a//b' exits 2" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "a//b"
	expect_error_message "bad reference a//b is named" 'a//b|reference|invalid'
	expect_exit 2 "reference with a bad digest exits 2" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$R30/errors@sha256:abc"
	expect_error_message "bad digest is named" 'digest|reference|invalid'

	expect_exit 2 "verify with a missing key file exits 2" -- \
		"$SIGNET" verify --key "$T30/missing.pub" "$R30/errors@$dg"
	expect_error_message "missing key file is named" 'missing\.pub|no such file'
	expect_exit 2 "sign with a missing key file exits 2" -- \
		"$SIGNET" sign --key "$T30/missing.key" "$R30/errors@$dg"
	expect_error_message "missing private key file is named" 'missing\.key|no such file'
	printf 'not a key\n' >"$T30/garbage.pub"
	expect_exit 2 "verify with a garbage key file exits 2" -- \
		"$SIGNET" verify --key "$T30/garbage.pub" "$R30/errors@$dg"
	expect_error_message "garbage key file is named" 'garbage\.pub|key'
	expect_exit 2 "verify with a private key as --key exits 2" -- \
		"$SIGNET" verify --key "$KEY_A.key" "$R30/errors@$dg"
	expect_error_message "private key refused for verify" 'private|public|key'

	expect_exit 2 "verify without --key exits 2" -- \
		"$SIGNET" verify "$R30/errors@$dg"
	expect_error_message "missing --key is explained" 'key'
	expect_exit 2 "sign without --key exits 2" -- \
		"$SIGNET" sign "$R30/errors@$dg"
	expect_error_message "sign: missing --key is explained" 'key'
	expect_exit 2 "verify with an unknown option exits 2" -- \
		"$SIGNET" verify --bogus-option --key "$KEY_A.pub" "$R30/errors@$dg"
	expect_error_message "unknown option is named" 'bogus-option|option'
	expect_exit 2 "sign with an unknown option exits 2" -- \
		"$SIGNET" sign --bogus-option --key "$KEY_A.key" "$R30/errors@$dg"
	expect_error_message "sign: unknown option is named" 'bogus-option|option'
	expect_exit 2 "--key without its argument exits 2" -- \
		"$SIGNET" verify --key
	expect_error_message "missing option argument is explained" 'key|argument'
	expect_exit 2 "sign with no image exits 2" -- \
		"$SIGNET" sign --key "$KEY_A.key"
	expect_error_message "sign without image is explained"
	expect_exit 2 "verify with no image exits 2" -- \
		"$SIGNET" verify --key "$KEY_A.pub"
	expect_error_message "verify without image is explained"
	expect_exit 2 "--timeout with a non-number exits 2" -- \
		"$SIGNET" verify --timeout soon --key "$KEY_A.pub" "$R30/errors@$dg"
	expect_error_message "bad --timeout is named" 'timeout|soon'
	expect_exit 2 "unknown command exits 2" -- "$SIGNET" frobnicate
	expect_error_message "unknown command points at signet help" 'frobnicate|help'
	expect_exit 2 "no command at all exits 2" -- "$SIGNET"
	expect_exit 0 "signet help exits 0" -- "$SIGNET" help
	expect_stdout_match 'verify' "signet help lists verify"
}

t30_crafted
t30_wrong_key
t30_replay
t30_tag_moved
t30_corrupt_annotation
t30_tampered_blob
t30_mixups
t30_tampered_manifest
t30_errors
