# shellcheck shell=bash disable=SC2016
# (SC2016: the '$x' in single quotes are jq's variables.)
# signet against cosign (the pinned release from peers.sh), both ways, on a
# docker-registry without the referrers API: cosign 3's sigstore bundles
# (found through the sha256-<hex> tag index) and the .sig tag scheme
# (cosign --new-bundle-format=false). Sourced by run.sh, which provides
# COSIGN, SIGNET, REG_MAIN, KEY_A, KEY_B and lib.sh's helpers.

TC=$WORK/t_cosign
mkdir -p "$TC"
TCR=$REG_MAIN/cosign		# every repository here is below it
# cosign key pairs' passphrase (cosign reads COSIGN_PASSWORD)
TC_PASS=cosign-pass-$$-$RANDOM-c0s
TC_C1=$TC/c1/cosign		# .key / .pub
TC_C2=$TC/c2/cosign

# ---- helpers ----------------------------------------------------------------

# tc_cosign_sign DESC KEYFILE PASSPHRASE [cosign sign args...] IMAGE
# Offline key signing: no transparency log, no signing config.
tc_cosign_sign() {
	local desc=$1 key=$2 pass=$3
	shift 3
	expect_exit 0 "$desc" -- env COSIGN_PASSWORD="$pass" \
		"$COSIGN" sign --key "$key" --tlog-upload=false \
		--use-signing-config=false --allow-http-registry -y "$@"
}

# tc_cosign_verify WANT DESC PUBKEY [cosign verify args...] IMAGE
# WANT is 0, or "fail" for a refusal (cosign exits 1 or 12 then; a timeout,
# a signal or an exec failure is no refusal).
tc_cosign_verify() {
	local want=$1 desc=$2 pub=$3
	shift 3
	local cmd=("$COSIGN" verify --key "$pub" --insecure-ignore-tlog=true
		--allow-http-registry "$@")
	if [ "$want" = 0 ]; then
		expect_exit 0 "$desc" -- "${cmd[@]}"
		return
	fi
	run_cmd "${cmd[@]}"
	if [ "$LAST_RC" = 0 ]; then
		fail "$desc (cosign accepted it)"
		last_detail
	elif [ "$LAST_RC" -ge 124 ]; then
		# timeout(1), could not run, or killed by a signal
		fail "$desc (cosign gave no verdict: exit $LAST_RC)"
		last_detail
	else
		pass "$desc"
	fi
}

# tc_push NAME SEED: push $TCR/NAME:v1, set TC_DG (digest) and TC_PIN
# (REG/REPO@DIGEST). Fails the run's check when the push fails.
tc_push() {
	TC_DG=$(push_image "$TCR/$1:v1" "$2") || {
		fail "push $TCR/$1:v1"
		return 1
	}
	TC_PIN=$TCR/$1@$TC_DG
}

# tc_digest NAME: the digest of $TCR/NAME:v1, from the registry.
tc_digest() {
	reg_get_manifest "$REG_MAIN" "cosign/$1" v1 >"$TC/.digest.tmp" &&
		sha256_file "$TC/.digest.tmp"
}

# tc_fpr PUBKEY: signet's key fingerprint, computed with openssl alone:
# SHA256: + hex SHA-256 of the SubjectPublicKeyInfo DER.
tc_fpr() {
	local h
	h=$(openssl pkey -pubin -in "$1" -outform DER 2>/dev/null | sha256sum) ||
		return 1
	echo "SHA256:${h%% *}"
}

# tc_bundle_tag DIGEST: cosign 3's tag for the referrers index, no suffix.
tc_bundle_tag() {
	echo "sha256-${1#sha256:}"
}

# tc_flip_b64 STRING: the same string with one base64 character changed in
# its middle (still valid base64, different bytes).
tc_flip_b64() {
	local s=$1 i c
	i=$((${#s} / 2))
	c=${s:i:1}
	if [ "$c" = A ]; then c=B; else c=A; fi
	printf '%s%s%s' "${s:0:i}" "$c" "${s:i+1}"
}

# tc_quiet CMD ARGS...: CMD with its output discarded (for check).
tc_quiet() {
	"$@" >/dev/null 2>&1
}

# tc_lines FILE: number of non-empty lines.
tc_lines() {
	grep -c . "$1"
}

# ---- set-up: two cosign key pairs -------------------------------------------

tc_setup() {
	local k
	for k in "$TC_C1" "$TC_C2"; do
		mkdir -p "${k%/*}"
		expect_exit 0 "cosign generate-key-pair ${k#"$TC"/}" -- \
			env COSIGN_PASSWORD="$TC_PASS" "$COSIGN" generate-key-pair \
			--output-key-prefix "$k" || return 1
		check "cosign wrote ${k#"$TC"/}.key and .pub" -- \
			test -s "$k.key" -a -s "$k.pub" || return 1
	done
}

# ---- cosign signs, signet verifies ------------------------------------------

# tc_cosign_to_signet FORM ANN: FORM bundle (cosign 3's default) or sig
# (--new-bundle-format=false); ANN 1 to sign with -a env=prod -a team=blue.
tc_cosign_to_signet() {
	local form=$1 ann=$2 name args=() what
	name=c2s-$form-$ann
	what="cosign $form"
	[ "$ann" = 1 ] && what+=" -a"
	[ "$form" = sig ] && args+=(--new-bundle-format=false)
	[ "$ann" = 1 ] && args+=(-a env=prod -a team=blue)
	tc_push "$name" "$name" || return
	tc_cosign_sign "$what: cosign sign" "$TC_C1.key" "$TC_PASS" \
		"${args[@]}" "$TC_PIN" || return

	expect_exit 0 "$what: signet verify --key cosign.pub" -- \
		"$SIGNET" verify --key "$TC_C1.pub" "$TC_PIN" &&
		expect_stdout_eq "$TC_PIN" "$what: verify prints REG/REPO@DIGEST"
	expect_exit 0 "$what: signet verify by tag" -- \
		"$SIGNET" verify --key "$TC_C1.pub" "$TCR/$name:v1" &&
		expect_stdout_eq "$TC_PIN" "$what: verify by tag prints the digest"
	if [ "$ann" = 1 ]; then
		expect_exit 0 "$what: -a env=prod matches" -- \
			"$SIGNET" verify --key "$TC_C1.pub" -a env=prod "$TC_PIN"
		expect_exit 0 "$what: -a env=prod -a team=blue match" -- \
			"$SIGNET" verify --key "$TC_C1.pub" -a env=prod \
			-a team=blue "$TC_PIN"
		expect_exit 1 "$what: -a env=dev does not match" -- \
			"$SIGNET" verify --key "$TC_C1.pub" -a env=dev "$TC_PIN"
		expect_exit 1 "$what: -a env=prod -a team=red does not match" -- \
			"$SIGNET" verify --key "$TC_C1.pub" -a env=prod \
			-a team=red "$TC_PIN"
		expect_exit 1 "$what: -a absent=x is not signed" -- \
			"$SIGNET" verify --key "$TC_C1.pub" -a absent=x "$TC_PIN"
	else
		expect_exit 1 "$what: -a env=prod required, none signed" -- \
			"$SIGNET" verify --key "$TC_C1.pub" -a env=prod "$TC_PIN"
	fi
	expect_exit 1 "$what: a signet key (B) refuses it" -- \
		"$SIGNET" verify --key "$KEY_B.pub" "$TC_PIN"
	expect_exit 1 "$what: the other cosign key refuses it" -- \
		"$SIGNET" verify --key "$TC_C2.pub" "$TC_PIN"
	expect_exit 0 "$what: any of several keys (B, cosign.pub)" -- \
		"$SIGNET" verify --key "$KEY_B.pub" --key "$TC_C1.pub" "$TC_PIN"
	if [ "$form" = sig ]; then
		expect_exit 0 "$what: --format cosign finds it" -- \
			"$SIGNET" verify --key "$TC_C1.pub" --format cosign "$TC_PIN"
		expect_exit 1 "$what: --format sigstore-bundle does not" -- \
			"$SIGNET" verify --key "$TC_C1.pub" \
			--format sigstore-bundle "$TC_PIN"
	else
		expect_exit 0 "$what: --format sigstore-bundle finds it" -- \
			"$SIGNET" verify --key "$TC_C1.pub" \
			--format sigstore-bundle "$TC_PIN"
		expect_exit 1 "$what: --format cosign does not" -- \
			"$SIGNET" verify --key "$TC_C1.pub" --format cosign "$TC_PIN"
	fi
}

tc_unsigned() {
	tc_push unsigned unsigned || return
	expect_exit 1 "unsigned image: signet verify refuses" -- \
		"$SIGNET" verify --key "$TC_C1.pub" "$TC_PIN"
	tc_cosign_verify fail "unsigned image: cosign verify refuses too" \
		"$TC_C1.pub" "$TC_PIN"
}

# A cosign .sig signature with one byte of its signature annotation changed.
tc_tamper_sig() {
	local m=$TC/tamper-sig.json sig bad tag
	tc_push tamper-sig tamper-sig || return
	tc_cosign_sign "tamper .sig: cosign sign" "$TC_C1.key" "$TC_PASS" \
		--new-bundle-format=false "$TC_PIN" || return
	expect_exit 0 "tamper .sig: verifies before" -- \
		"$SIGNET" verify --key "$TC_C1.pub" "$TC_PIN"
	tag=$(sig_tag "$TC_DG")
	reg_get_manifest "$REG_MAIN" cosign/tamper-sig "$tag" >"$m" ||
		{ fail "tamper .sig: GET the .sig manifest"; return; }
	sig=$(jq -r '.layers[0].annotations["dev.cosignproject.cosign/signature"]' "$m")
	bad=$(tc_flip_b64 "$sig")
	jq -c --arg s "$bad" \
		'.layers[0].annotations["dev.cosignproject.cosign/signature"] = $s' \
		"$m" >"$m.bad"
	check "tamper .sig: PUT the altered .sig manifest" -- \
		tc_quiet reg_put_manifest "$REG_MAIN" cosign/tamper-sig "$tag" "$m.bad" ||
		return
	expect_exit 1 "tamper .sig: signet verify refuses a flipped byte" -- \
		"$SIGNET" verify --key "$TC_C1.pub" "$TC_PIN"
	tc_cosign_verify fail "tamper .sig: cosign refuses it too" \
		"$TC_C1.pub" "$TC_PIN"
}

# A cosign bundle whose DSSE signature has one byte changed: a new bundle
# blob, a new referrer manifest naming it, the tag index pointed at that.
tc_tamper_bundle() {
	local idx=$TC/tb-index.json man=$TC/tb-man.json blob=$TC/tb-bundle.json
	local tag mdg bdg sig nbdg nmdg
	tc_push tamper-bundle tamper-bundle || return
	tc_cosign_sign "tamper bundle: cosign sign" "$TC_C1.key" "$TC_PASS" \
		"$TC_PIN" || return
	expect_exit 0 "tamper bundle: verifies before" -- \
		"$SIGNET" verify --key "$TC_C1.pub" "$TC_PIN"
	tag=$(tc_bundle_tag "$TC_DG")
	if ! { reg_get_manifest "$REG_MAIN" cosign/tamper-bundle "$tag" >"$idx" &&
		mdg=$(jq -er '.manifests[0].digest' "$idx") &&
		reg_get_manifest "$REG_MAIN" cosign/tamper-bundle "$mdg" >"$man" &&
		bdg=$(jq -er '.layers[0].digest' "$man") &&
		reg_get_blob "$REG_MAIN" cosign/tamper-bundle "$bdg" >"$blob"; }; then
		fail "tamper bundle: fetch index, referrer, bundle"
		return
	fi
	sig=$(jq -er '.dsseEnvelope.signatures[0].sig' "$blob") ||
		{ fail "tamper bundle: no DSSE signature in the bundle"; return; }
	jq -c --arg s "$(tc_flip_b64 "$sig")" \
		'.dsseEnvelope.signatures[0].sig = $s' "$blob" >"$blob.bad"
	nbdg=$(reg_put_blob "$REG_MAIN" cosign/tamper-bundle "$blob.bad") ||
		{ fail "tamper bundle: upload the altered bundle"; return; }
	jq -c --arg d "$nbdg" --argjson n "$(stat -c %s "$blob.bad")" \
		'.layers[0].digest = $d | .layers[0].size = $n' "$man" >"$man.bad"
	nmdg=$(sha256_file "$man.bad")
	reg_put_manifest "$REG_MAIN" cosign/tamper-bundle "$nmdg" "$man.bad" \
		>/dev/null || { fail "tamper bundle: PUT the new referrer"; return; }
	jq -c --arg d "$nmdg" --argjson n "$(stat -c %s "$man.bad")" \
		'.manifests[0].digest = $d | .manifests[0].size = $n' "$idx" \
		>"$idx.bad"
	check "tamper bundle: tag index now names the altered referrer" -- \
		tc_quiet reg_put_manifest "$REG_MAIN" cosign/tamper-bundle "$tag" \
		"$idx.bad" application/vnd.oci.image.index.v1+json || return
	expect_exit 1 "tamper bundle: signet verify refuses a flipped byte" -- \
		"$SIGNET" verify --key "$TC_C1.pub" "$TC_PIN"
	tc_cosign_verify fail "tamper bundle: cosign refuses it too" \
		"$TC_C1.pub" "$TC_PIN"
}

# The bundle blob corrupted in the registry's storage, behind its digest.
tc_corrupt_bundle_blob() {
	local tag mdg bdg path
	tc_push corrupt-bundle corrupt-bundle || return
	tc_cosign_sign "corrupt bundle blob: cosign sign" "$TC_C1.key" \
		"$TC_PASS" "$TC_PIN" || return
	tag=$(tc_bundle_tag "$TC_DG")
	if ! { mdg=$(reg_get_manifest "$REG_MAIN" cosign/corrupt-bundle "$tag" |
		jq -er '.manifests[0].digest') &&
		bdg=$(reg_get_manifest "$REG_MAIN" cosign/corrupt-bundle "$mdg" |
			jq -er '.layers[0].digest'); }; then
		fail "corrupt bundle blob: find the bundle"
		return
	fi
	path=$(reg_blob_path "$REG_MAIN_ROOT" "$bdg")
	check "corrupt bundle blob: the blob is in storage" -- test -f "$path" ||
		return
	# same length, one signature character changed
	python3 - "$path" <<-'EOF' || { fail "corrupt bundle blob: rewrite"; return; }
	import json, sys
	p = sys.argv[1]
	raw = open(p, "rb").read()
	sig = json.loads(raw)["dsseEnvelope"]["signatures"][0]["sig"].encode()
	i = len(sig) // 2
	bad = sig[:i] + (b"B" if sig[i:i + 1] == b"A" else b"A") + sig[i + 1:]
	assert raw.count(sig) == 1
	open(p, "wb").write(raw.replace(sig, bad))
	EOF
	expect_exit 1 "corrupt bundle blob: signet verify refuses it" -- \
		"$SIGNET" verify --key "$TC_C1.pub" "$TC_PIN"
}

# A valid cosign signature of one image, put where another image's
# signatures are looked up: the digest claim must stop it.
tc_replay() {
	local dg_a pin_a dg_b pin_b m=$TC/replay.json
	tc_push replay-a replay-a || return
	dg_a=$TC_DG pin_a=$TC_PIN
	dg_b=$(push_image "$TCR/replay-a:other" replay-b) ||
		{ fail "push replay-a:other"; return; }
	pin_b=$TCR/replay-a@$dg_b
	tc_cosign_sign "replay: cosign sign (.sig) image A" "$TC_C1.key" \
		"$TC_PASS" --new-bundle-format=false "$pin_a" || return
	tc_cosign_sign "replay: cosign sign (bundle) image A" "$TC_C1.key" \
		"$TC_PASS" "$pin_a" || return
	if ! { reg_get_manifest "$REG_MAIN" cosign/replay-a "$(sig_tag "$dg_a")" \
		>"$m" && reg_put_manifest "$REG_MAIN" cosign/replay-a \
		"$(sig_tag "$dg_b")" "$m" >/dev/null; }; then
		fail "replay: copy A's .sig manifest to B's .sig tag"
		return
	fi
	expect_exit 1 "replay: A's .sig signature does not sign B" -- \
		"$SIGNET" verify --key "$TC_C1.pub" --format cosign "$pin_b"
	if ! { reg_get_manifest "$REG_MAIN" cosign/replay-a \
		"$(tc_bundle_tag "$dg_a")" >"$m.idx" &&
		reg_put_manifest "$REG_MAIN" cosign/replay-a \
		"$(tc_bundle_tag "$dg_b")" "$m.idx" \
		application/vnd.oci.image.index.v1+json >/dev/null; }; then
		fail "replay: copy A's tag index to B's"
		return
	fi
	expect_exit 1 "replay: A's bundle does not sign B" -- \
		"$SIGNET" verify --key "$TC_C1.pub" --format sigstore-bundle "$pin_b"
	expect_exit 1 "replay: neither form signs B" -- \
		"$SIGNET" verify --key "$TC_C1.pub" "$pin_b"
	tc_cosign_verify fail "replay: cosign agrees B is unsigned" \
		"$TC_C1.pub" "$pin_b"
	expect_exit 0 "replay: A still verifies" -- \
		"$SIGNET" verify --key "$TC_C1.pub" "$pin_a"
}

# ---- signet signs, cosign verifies ------------------------------------------

tc_signet_to_cosign() {
	local fmt=$1 name
	name=s2c-$fmt
	tc_push "$name" "$name" || return
	expect_exit 0 "signet --format $fmt -a: sign" -- \
		"$SIGNET" sign --key "$KEY_A.key" --format "$fmt" -a env=prod \
		-a team=blue "$TC_PIN" &&
		expect_stdout_eq "$TC_PIN" "signet --format $fmt: sign prints REG/REPO@DIGEST"
	tc_cosign_verify 0 "signet --format $fmt: cosign verify --key A.pub" \
		"$KEY_A.pub" "$TC_PIN"
	tc_cosign_verify 0 "signet --format $fmt: cosign verify -a env=prod" \
		"$KEY_A.pub" -a env=prod -a team=blue "$TC_PIN"
	tc_cosign_verify fail "signet --format $fmt: cosign verify -a env=dev refuses" \
		"$KEY_A.pub" -a env=dev "$TC_PIN"
	tc_cosign_verify fail "signet --format $fmt: cosign verify with B.pub refuses" \
		"$KEY_B.pub" "$TC_PIN"
	tc_cosign_verify fail "signet --format $fmt: cosign verify with cosign.pub refuses" \
		"$TC_C1.pub" "$TC_PIN"
}

# ---- both tools on one image ------------------------------------------------

tc_mixed_sig() {
	local m=$TC/mixed.sig.json k
	tc_push mixed-sig mixed-sig || return
	tc_cosign_sign "mixed .sig: cosign signs with key 1" "$TC_C1.key" \
		"$TC_PASS" --new-bundle-format=false "$TC_PIN" || return
	expect_exit 0 "mixed .sig: signet signs with A" -- \
		"$SIGNET" sign --key "$KEY_A.key" --format cosign "$TC_PIN" || return
	tc_cosign_sign "mixed .sig: cosign signs with key 2" "$TC_C2.key" \
		"$TC_PASS" --new-bundle-format=false "$TC_PIN" || return
	if reg_get_manifest "$REG_MAIN" cosign/mixed-sig "$(sig_tag "$TC_DG")" \
		>"$m"; then
		check "mixed .sig: the .sig manifest has 3 layers" -- \
			test "$(jq '.layers | length' "$m")" = 3
		# same image, no annotations: signet's payload is cosign's, byte
		# for byte
		check "mixed .sig: all 3 layers carry the same payload blob" -- \
			test "$(jq '[.layers[].digest] | unique | length' "$m")" = 1
	else
		fail "mixed .sig: GET the .sig manifest"
	fi
	for k in "$TC_C1.pub" "$KEY_A.pub" "$TC_C2.pub"; do
		expect_exit 0 "mixed .sig: signet verify --key ${k#"$WORK"/}" -- \
			"$SIGNET" verify --key "$k" "$TC_PIN"
		tc_cosign_verify 0 "mixed .sig: cosign verify --key ${k#"$WORK"/}" \
			"$k" "$TC_PIN"
	done
	expect_exit 1 "mixed .sig: B.pub still refuses" -- \
		"$SIGNET" verify --key "$KEY_B.pub" "$TC_PIN"
	expect_exit 0 "mixed .sig: signet list" -- "$SIGNET" list "$TC_PIN" &&
		check "mixed .sig: list shows 3 signatures" -- \
			test "$(tc_lines "$LAST_OUT")" = 3
	expect_exit 0 "mixed .sig: signet list with all three keys" -- \
		"$SIGNET" list --key "$TC_C1.pub" --key "$KEY_A.pub" \
		--key "$TC_C2.pub" "$TC_PIN" &&
		check "mixed .sig: list names a key for each of the 3" -- \
			test "$(awk -F '\t' '$3 ~ /^SHA256:/' "$LAST_OUT" | wc -l)" = 3
	expect_exit 0 "mixed .sig: list --json" -- \
		"$SIGNET" list --json --key "$TC_C1.pub" --key "$KEY_A.pub" \
		--key "$TC_C2.pub" "$TC_PIN" &&
		check "mixed .sig: list --json: 3 valid, 3 distinct keys" -- \
			tc_quiet jq -e --arg k1 "$(tc_fpr "$TC_C1.pub")" \
			--arg ka "$(tc_fpr "$KEY_A.pub")" \
			--arg k2 "$(tc_fpr "$TC_C2.pub")" '
			.[0].signatures | length == 3 and all(.[]; .valid) and
			([.[].key] | sort) == ([$k1, $ka, $k2] | sort)' \
			"$LAST_OUT"
}

# Both tools' bundles on one image: cosign first, then signet; and the
# other way round on a second image.
tc_mixed_bundle() {
	local first i idx=$TC/mixed-bundle.idx.json
	for first in cosign signet; do
		tc_push "mixed-bundle-$first" "mixed-bundle-$first" || return
		for i in 1 2; do
			if { [ "$first" = cosign ] && [ $i = 1 ]; } ||
				{ [ "$first" = signet ] && [ $i = 2 ]; }; then
				tc_cosign_sign "mixed bundle ($first first): cosign signs" \
					"$TC_C1.key" "$TC_PASS" "$TC_PIN" || return
			else
				expect_exit 0 "mixed bundle ($first first): signet signs" -- \
					"$SIGNET" sign --key "$KEY_A.key" \
					--format sigstore-bundle "$TC_PIN" || return
			fi
		done
		if reg_get_manifest "$REG_MAIN" "cosign/mixed-bundle-$first" \
			"$(tc_bundle_tag "$TC_DG")" >"$idx"; then
			check "mixed bundle ($first first): tag index lists 2 bundles" -- \
				test "$(jq '[.manifests[] | select(.artifactType ==
					"application/vnd.dev.sigstore.bundle.v0.3+json")]
					| length' "$idx")" = 2
		else
			fail "mixed bundle ($first first): GET the tag index"
		fi
		expect_exit 0 "mixed bundle ($first first): signet verify cosign.pub" -- \
			"$SIGNET" verify --key "$TC_C1.pub" "$TC_PIN"
		expect_exit 0 "mixed bundle ($first first): signet verify A.pub" -- \
			"$SIGNET" verify --key "$KEY_A.pub" "$TC_PIN"
		expect_exit 1 "mixed bundle ($first first): B.pub refuses" -- \
			"$SIGNET" verify --key "$KEY_B.pub" "$TC_PIN"
		tc_cosign_verify 0 "mixed bundle ($first first): cosign verify cosign.pub" \
			"$TC_C1.pub" "$TC_PIN"
		tc_cosign_verify 0 "mixed bundle ($first first): cosign verify A.pub" \
			"$KEY_A.pub" "$TC_PIN"
		expect_exit 0 "mixed bundle ($first first): signet list" -- \
			"$SIGNET" list "$TC_PIN" &&
			check "mixed bundle ($first first): list shows 2 signatures" -- \
				test "$(tc_lines "$LAST_OUT")" = 2
	done
}

# .sig and bundle signatures on one image: list shows all of them, with or
# without keys.
tc_mixed_forms() {
	local k1 ka
	tc_push mixed-forms mixed-forms || return
	tc_cosign_sign "mixed forms: cosign signs (bundle)" "$TC_C1.key" \
		"$TC_PASS" "$TC_PIN" || return
	expect_exit 0 "mixed forms: signet signs (.sig)" -- \
		"$SIGNET" sign --key "$KEY_A.key" "$TC_PIN" || return
	expect_exit 0 "mixed forms: signet verify cosign.pub (bundle)" -- \
		"$SIGNET" verify --key "$TC_C1.pub" "$TC_PIN"
	expect_exit 0 "mixed forms: signet verify A.pub (.sig)" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$TC_PIN"
	expect_exit 0 "mixed forms: signet list" -- "$SIGNET" list "$TC_PIN" &&
		check "mixed forms: list shows both signatures" -- \
			test "$(tc_lines "$LAST_OUT")" = 2
	k1=$(tc_fpr "$TC_C1.pub") ka=$(tc_fpr "$KEY_A.pub")
	expect_exit 0 "mixed forms: signet list with both keys" -- \
		"$SIGNET" list --key "$TC_C1.pub" --key "$KEY_A.pub" "$TC_PIN" &&
		check "mixed forms: list with keys shows both, each verified" -- \
			test "$(awk -F '\t' -v a="$k1" -v b="$ka" \
				'($2 == "sigstore-bundle" && $3 == a) ||
				 ($2 == "cosign" && $3 == b)' "$LAST_OUT" | wc -l)" = 2
}

# ---- key files --------------------------------------------------------------

tc_keys() {
	local d=$TC/keys f
	mkdir -p "$d"

	# import a cosign key, sign with it, cosign verifies with cosign.pub
	expect_exit 0 "keys import --cosign (COSIGN_PASSWORD)" -- \
		env -u SIGNET_PASSWORD COSIGN_PASSWORD="$TC_PASS" \
		"$SIGNET" keys import --cosign "$TC_C1.key" "$d/imported" &&
		check "import wrote NAME.key (0600) and NAME.pub" -- \
			test -s "$d/imported.key" -a -s "$d/imported.pub" -a \
			"$(stat -c %a "$d/imported.key" 2>/dev/null)" = 600 &&
		check "imported .pub is cosign.pub's key" -- \
			test "$(tc_fpr "$d/imported.pub")" = "$(tc_fpr "$TC_C1.pub")"
	tc_push keys-import keys-import || return
	expect_exit 0 "sign with the imported key" -- \
		env SIGNET_PASSWORD="$TC_PASS" \
		"$SIGNET" sign --key "$d/imported.key" "$TC_PIN"
	tc_cosign_verify 0 "cosign verifies the imported key's signature" \
		"$TC_C1.pub" "$TC_PIN"

	# sign with cosign.key directly, both formats
	tc_push keys-direct keys-direct || return
	expect_exit 0 "signet sign --key cosign.key (COSIGN_PASSWORD)" -- \
		env -u SIGNET_PASSWORD COSIGN_PASSWORD="$TC_PASS" \
		"$SIGNET" sign --key "$TC_C2.key" "$TC_PIN"
	tc_cosign_verify 0 "cosign verifies signet's cosign.key signature" \
		"$TC_C2.pub" "$TC_PIN"
	tc_push keys-direct-bundle keys-direct-bundle || return
	expect_exit 0 "signet sign --key cosign.key --format sigstore-bundle" -- \
		env -u SIGNET_PASSWORD COSIGN_PASSWORD="$TC_PASS" \
		"$SIGNET" sign --key "$TC_C2.key" --format sigstore-bundle "$TC_PIN"
	tc_cosign_verify 0 "cosign verifies signet's cosign.key bundle" \
		"$TC_C2.pub" "$TC_PIN"
	tc_push keys-direct-wrong keys-direct-wrong || return
	expect_exit 2 "signet sign --key cosign.key, wrong passphrase" -- \
		env -u SIGNET_PASSWORD COSIGN_PASSWORD="wrong-$TC_PASS" \
		"$SIGNET" sign --key "$TC_C2.key" "$TC_PIN" &&
		expect_error_message "wrong cosign passphrase: one error line"
	check "wrong passphrase: nothing was pushed" -- not \
		tc_quiet reg_get_manifest "$REG_MAIN" cosign/keys-direct-wrong \
		"$(sig_tag "$TC_DG")"

	# export signet's key A for cosign
	expect_exit 0 "keys export --cosign A.key" -- \
		"$SIGNET" keys export --cosign "$KEY_A.key" "$d/a-cosign.key" &&
		check "export wrote a 0600 file" -- test \
			"$(stat -c %a "$d/a-cosign.key" 2>/dev/null)" = 600
	expect_exit 0 "cosign public-key reads the exported key" -- \
		env COSIGN_PASSWORD="$SIGNET_PASSWORD" "$COSIGN" public-key \
		--key "$d/a-cosign.key" --outfile "$d/a-from-cosign.pub" &&
		check "cosign's public key is A.pub" -- \
			test "$(tc_fpr "$d/a-from-cosign.pub")" = "$(tc_fpr "$KEY_A.pub")"
	for f in bundle sig; do
		tc_push "keys-export-$f" "keys-export-$f" || return
		if [ $f = sig ]; then
			tc_cosign_sign "cosign sign --key exported ($f)" \
				"$d/a-cosign.key" "$SIGNET_PASSWORD" \
				--new-bundle-format=false "$TC_PIN"
		else
			tc_cosign_sign "cosign sign --key exported ($f)" \
				"$d/a-cosign.key" "$SIGNET_PASSWORD" "$TC_PIN"
		fi
		expect_exit 0 "signet verify A.pub on cosign's signature ($f)" -- \
			"$SIGNET" verify --key "$KEY_A.pub" "$TC_PIN"
	done

	# refused imports leave nothing behind
	expect_exit 2 "import, wrong COSIGN_PASSWORD" -- \
		env -u SIGNET_PASSWORD COSIGN_PASSWORD="wrong-$TC_PASS" \
		"$SIGNET" keys import --cosign "$TC_C1.key" "$d/bad1" &&
		expect_error_message "import, wrong COSIGN_PASSWORD: one error line"
	check "import, wrong COSIGN_PASSWORD: no files written" -- \
		not test -e "$d/bad1.key" -o -e "$d/bad1.pub"
	expect_exit 2 "import, wrong SIGNET_PASSWORD (it comes first)" -- \
		env SIGNET_PASSWORD="wrong-$TC_PASS" COSIGN_PASSWORD="$TC_PASS" \
		"$SIGNET" keys import --cosign "$TC_C1.key" "$d/bad2" &&
		expect_error_message "import, wrong SIGNET_PASSWORD: one error line"
	check "import, wrong SIGNET_PASSWORD: no files written" -- \
		not test -e "$d/bad2.key" -o -e "$d/bad2.pub"
	head -c "$(($(stat -c %s "$TC_C1.key") / 2))" "$TC_C1.key" >"$d/trunc.key"
	chmod 600 "$d/trunc.key"	# owner-only, or the mode is refused first
	expect_exit 2 "import a truncated cosign key" -- \
		env -u SIGNET_PASSWORD COSIGN_PASSWORD="$TC_PASS" \
		"$SIGNET" keys import --cosign "$d/trunc.key" "$d/bad3" &&
		expect_error_message "truncated cosign key: one error line"
	check "truncated cosign key: no files written" -- \
		not test -e "$d/bad3.key" -o -e "$d/bad3.pub"
	# the whole PEM but its base64 body cut short
	sed '2,$ { /-----END/! { 3,$d } }' "$TC_C1.key" >"$d/cut.key"
	chmod 600 "$d/cut.key"
	expect_exit 2 "import a cosign key with a cut body" -- \
		env -u SIGNET_PASSWORD COSIGN_PASSWORD="$TC_PASS" \
		"$SIGNET" keys import --cosign "$d/cut.key" "$d/bad4"
	check "cut cosign key: no files written" -- \
		not test -e "$d/bad4.key" -o -e "$d/bad4.pub"
	expect_exit 2 "sign with a truncated cosign key" -- \
		env -u SIGNET_PASSWORD COSIGN_PASSWORD="$TC_PASS" \
		"$SIGNET" sign --key "$d/trunc.key" "$TC_PIN"
}

# ---- multi-platform indexes -------------------------------------------------

# tc_index NAME: push two platform images and an OCI index of them as
# $TCR/NAME:v1; sets TC_IDX, TC_P1, TC_P2 (digests).
tc_index() {
	local name=$1 repo=cosign/$1 s1 s2 f=$TC/$1.index.json
	if ! { TC_P1=$(push_image "$TCR/$name:amd64" "$name-amd64") &&
		TC_P2=$(push_image "$TCR/$name:arm64" "$name-arm64") &&
		s1=$(reg_get_manifest "$REG_MAIN" "$repo" "$TC_P1" | wc -c) &&
		s2=$(reg_get_manifest "$REG_MAIN" "$repo" "$TC_P2" | wc -c); }; then
		fail "push the platform images of $name"
		return 1
	fi
	jq -cn --arg a "$TC_P1" --arg b "$TC_P2" \
		--argjson sa "$s1" --argjson sb "$s2" '{
		schemaVersion: 2,
		mediaType: "application/vnd.oci.image.index.v1+json",
		manifests: [
			{mediaType: "application/vnd.oci.image.manifest.v1+json",
			 digest: $a, size: $sa,
			 platform: {architecture: "amd64", os: "linux"}},
			{mediaType: "application/vnd.oci.image.manifest.v1+json",
			 digest: $b, size: $sb,
			 platform: {architecture: "arm64", os: "linux"}}]}' >"$f"
	TC_IDX=$(reg_put_manifest "$REG_MAIN" "$repo" v1 "$f" \
		application/vnd.oci.image.index.v1+json) ||
		{ fail "PUT the index $name"; return 1; }
}

tc_recursive() {
	local fmt name d
	for fmt in cosign sigstore-bundle; do
		name=rec-signet-$fmt
		tc_index "$name" || return
		expect_exit 0 "signet sign --recursive --format $fmt" -- \
			"$SIGNET" sign --recursive --format "$fmt" \
			--key "$KEY_A.key" "$TCR/$name@$TC_IDX" &&
			check "sign --recursive prints the index and both platforms" -- \
				test "$(sort "$LAST_OUT")" = "$(printf '%s\n' \
				"$TCR/$name@$TC_IDX" "$TCR/$name@$TC_P1" \
				"$TCR/$name@$TC_P2" | sort)"
		for d in "$TC_IDX" "$TC_P1" "$TC_P2"; do
			expect_exit 0 "--recursive $fmt: signet verifies ${d:7:12}" -- \
				"$SIGNET" verify --key "$KEY_A.pub" "$TCR/$name@$d"
		done
		for d in "$TC_P1" "$TC_P2"; do
			tc_cosign_verify 0 "--recursive $fmt: cosign verifies ${d:7:12}" \
				"$KEY_A.pub" "$TCR/$name@$d"
		done
	done

	for fmt in bundle sig; do
		name=rec-cosign-$fmt
		tc_index "$name" || return
		if [ $fmt = sig ]; then
			tc_cosign_sign "cosign sign --recursive ($fmt)" "$TC_C1.key" \
				"$TC_PASS" --recursive --new-bundle-format=false \
				"$TCR/$name@$TC_IDX" || continue
		else
			tc_cosign_sign "cosign sign --recursive ($fmt)" "$TC_C1.key" \
				"$TC_PASS" --recursive "$TCR/$name@$TC_IDX" || continue
		fi
		for d in "$TC_IDX" "$TC_P1" "$TC_P2"; do
			expect_exit 0 "cosign --recursive $fmt: signet verifies ${d:7:12}" -- \
				"$SIGNET" verify --key "$TC_C1.pub" "$TCR/$name@$d"
		done
	done

	# without --recursive only the index is signed
	name=rec-none
	tc_index "$name" || return
	expect_exit 0 "signet sign an index without --recursive" -- \
		"$SIGNET" sign --key "$KEY_A.key" "$TCR/$name@$TC_IDX"
	expect_exit 0 "no --recursive: the index verifies" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$TCR/$name@$TC_IDX"
	expect_exit 1 "no --recursive: a platform image is unsigned" -- \
		"$SIGNET" verify --key "$KEY_A.pub" "$TCR/$name@$TC_P1"
}

# ---- verify --json ----------------------------------------------------------

tc_json() {
	local k1 ka m
	k1=$(tc_fpr "$TC_C1.pub") ka=$(tc_fpr "$KEY_A.pub")

	# cosign's .sig signature with annotations (from tc_cosign_to_signet)
	m=$TC/json-sig.json
	local dg pin
	if ! { dg=$(tc_digest c2s-sig-1) && reg_get_manifest "$REG_MAIN" \
		cosign/c2s-sig-1 "$(sig_tag "$dg")" >"$m"; }; then
		fail "--json: the c2s-sig-1 image and its .sig manifest"
		return
	fi
	pin=$TCR/c2s-sig-1@$dg
	expect_exit 0 "--json, cosign .sig: verify" -- \
		"$SIGNET" verify --json --key "$TC_C1.pub" "$pin" &&
		check "--json, cosign .sig: image, digest, verified" -- \
			tc_quiet jq -e --arg pin "$pin" --arg dg "$dg" '
			length == 1 and .[0].image == $pin and
			.[0].digest == $dg and .[0].verified == true' "$LAST_OUT" &&
		check "--json, cosign .sig: format, key, payloadDigest, dockerReference, annotations" -- \
			tc_quiet jq -e --arg k "$k1" --arg ref "$TCR/c2s-sig-1" \
			--arg pd "$(jq -r '.layers[0].digest' "$m")" '
			.[0].signatures | length == 1 and (.[0] |
			.format == "cosign" and .valid == true and .key == $k and
			.payloadDigest == $pd and .dockerReference == $ref and
			.annotations == {"env": "prod", "team": "blue"})' "$LAST_OUT"

	# cosign's bundle with annotations
	dg=$(tc_digest c2s-bundle-1) ||
		{ fail "--json: the c2s-bundle-1 image"; return; }
	pin=$TCR/c2s-bundle-1@$dg
	expect_exit 0 "--json, cosign bundle: verify" -- \
		"$SIGNET" verify --json --key "$TC_C1.pub" "$pin" &&
		check "--json, cosign bundle: format, key, payloadDigest, annotations" -- \
			tc_quiet jq -e --arg k "$k1" --arg dg "$dg" '
			.[0].verified == true and .[0].digest == $dg and
			(.[0].signatures | length == 1) and (.[0].signatures[0] |
			.format == "sigstore-bundle" and .valid == true and
			.key == $k and
			(.payloadDigest | test("^sha256:[0-9a-f]{64}$")) and
			.annotations == {"env": "prod", "team": "blue"})' "$LAST_OUT"

	# refused: exit 1, the reason in the JSON
	expect_exit 1 "--json, wrong key: exit 1" -- \
		"$SIGNET" verify --json --key "$KEY_B.pub" "$pin" &&
		check "--json, wrong key: verified false, signature invalid with a reason" -- \
			tc_quiet jq -e '.[0].verified == false and
			all(.[0].signatures[]; .valid == false and
			(.reason | type) == "string" and (.reason | length) > 0)' \
			"$LAST_OUT"

	# three signatures, two keys given: which key verified which
	dg=$(tc_digest mixed-sig) || { fail "--json: the mixed-sig image"; return; }
	pin=$TCR/mixed-sig@$dg
	expect_exit 0 "--json, mixed .sig: verify with cosign.pub and A.pub" -- \
		"$SIGNET" verify --json --key "$TC_C1.pub" --key "$KEY_A.pub" \
		"$pin" &&
		check "--json, mixed .sig: 3 signatures, cosign.pub's and A's valid, key 2's not" -- \
			tc_quiet jq -e --arg k1 "$k1" --arg ka "$ka" --arg ref "$TCR/mixed-sig" '
			.[0].signatures | length == 3 and
			([.[] | select(.valid) | .key] | sort) == ([$k1, $ka] | sort) and
			([.[] | select(.valid | not)] | length) == 1 and
			all(.[]; .format == "cosign") and
			all(.[] | select(.valid); .dockerReference == $ref)' \
			"$LAST_OUT"
}

# ---- run --------------------------------------------------------------------

if tc_setup; then
	tc_cosign_to_signet bundle 0
	tc_cosign_to_signet bundle 1
	tc_cosign_to_signet sig 0
	tc_cosign_to_signet sig 1
	tc_unsigned
	tc_tamper_sig
	tc_tamper_bundle
	tc_corrupt_bundle_blob
	tc_replay
	tc_signet_to_cosign cosign
	tc_signet_to_cosign sigstore-bundle
	tc_mixed_sig
	tc_mixed_bundle
	tc_mixed_forms
	tc_keys
	tc_recursive
	tc_json
fi
expect_no_leak "$TC_PASS" "cosign key passphrase never printed"
